/*
 * pnic.c -- the physical NIC model (pnic.h): receive stages, rings and
 * DMA, the transmit FIFO and offloads, MSI-X vectors with moderation.
 *
 * HOW IT WORKS.  Each queue pair has a receive side (descriptors posted by
 * the driver, frames in DMA, completed frames waiting to be reaped) and a
 * transmit side (posted packets in DMA, fetched frames ready for the wire,
 * completed descriptors).  DMA takes the same dma_latency_ps for every
 * transfer, so transfers of one queue complete in the order they started:
 * each is an event of the NIC's component whose handler pops the head of
 * its queue's FIFO.  Each queue has one vector: 'cause' says work
 * completed since the vector last fired; the vector fires when it has a
 * cause, is unmasked, and the moderation interval since its last firing
 * has passed -- at once, or by a 'fire' event at the end of the interval.
 */
#include "config.h"

#include "models/pnic.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/link.h"
#include "sim/log.h"
#include "sim/metrics.h"
#include "sim/trace.h"
#include "vmswitch/csum.h"
#include "vmswitch/offload.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/rsc.h"

/* Event kinds (for the fingerprint). */
enum {
    EV_RX_DMA = 1,
    EV_TX_DMA = 2,
    EV_FIRE = 3,
};

/* A FIFO of pointers that grows by doubling. */
struct fifo {
    void **v;
    size_t head, n, cap;
};

static void
fifo_push(struct fifo *f, void *p)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        void **v = malloc(cap * sizeof *v);
        if (!v) {
            sim_out_of_memory("pnic");
        }
        for (size_t i = 0; i < f->n; i++) {
            v[i] = f->v[(f->head + i) % f->cap];
        }
        free(f->v);
        f->v = v;
        f->head = 0;
        f->cap = cap;
    }
    f->v[(f->head + f->n++) % f->cap] = p;
}

static void *
fifo_pop(struct fifo *f)
{
    SIM_ASSERT(f->n > 0);
    void *p = f->v[f->head];
    f->head = (f->head + 1) % f->cap;
    f->n--;
    return p;
}

/* A frame ready for the wire; 'last' marks the last frame of its posted
 * packet (its descriptor completes when it has left). */
struct txframe {
    struct vsw_pkt *pkt;
    bool last;
};

struct pnic_queue {
    struct pnic *nic;
    uint32_t index;
    sim_component_id comp;

    /* Receive ring: 'posted' descriptors the NIC may fill, 'dma' frames in
     * transfer, 'done' frames completed and not yet reaped. */
    uint32_t rx_posted;
    struct fifo rx_dma, rx_done;

    /* Transmit ring: packets in transfer, frames ready for the wire, and
     * completed descriptors not yet reaped. */
    uint32_t tx_used;               /* descriptors the driver filled */
    struct fifo tx_dma, tx_ready;
    uint32_t tx_done;

    /* Receive segment coalescing (NULL when off); 'flushing' while the
     * engine empties itself at an interrupt. */
    struct vsw_rsc *rsc;
    bool flushing;

    /* The vector. */
    uint64_t msix_addr;
    uint32_t msix_data;
    bool masked, cause, fire_pending;
    sim_time_t last_fire;           /* -1: never */
    struct itr itr;

    /* Metrics. */
    struct metric *m_rx_frames, *m_rx_bytes, *m_tx_frames, *m_tx_bytes;
    struct metric *m_interrupts, *m_ring_drops, *m_rx_ring;
    uint64_t rx_frames, tx_frames, interrupts;
};

struct pnic {
    struct sim *sim;
    struct pnic_config cfg;
    struct pnic_host host;
    sim_component_id comp;
    char *name;
    struct rxf *rxf;
    struct pnic_queue *q;

    struct link *link;
    int side;
    uint32_t tx_next;               /* round-robin position */
    struct trace_pcap *tap;

    uint64_t drops[PNIC_DROP_COUNT];
    struct metric *m_drops[PNIC_DROP_COUNT];
    struct metric *m_csum_bad, *m_lso_segments, *m_rsc_absorbed;
    struct vsw_offload_work work;
};

static const char *const drop_names[PNIC_DROP_COUNT] = {
    [PNIC_DROP_LINK_DOWN] = "link_down",
    [PNIC_DROP_RING_FULL] = "ring_full",
    [PNIC_DROP_MALFORMED] = "malformed",
};

const char *
pnic_drop_name(enum pnic_drop why)
{
    return why < PNIC_DROP_COUNT ? drop_names[why] : "?";
}

static void
drop(struct pnic *nic, enum pnic_drop why, struct vsw_pkt *pkt)
{
    nic->drops[why]++;
    metric_add(nic->m_drops[why], 1);
    vsw_pkt_free(pkt);
}

static void
capture(struct pnic *nic, const struct vsw_pkt *pkt)
{
    if (nic->tap) {
        trace_pcap_write(nic->tap, sim_now(nic->sim),
                         vsw_pkt_data_const(pkt), vsw_pkt_len(pkt));
    }
}

/* --- Vectors ------------------------------------------------------------- */

static void fire(struct sim *sim, void *ctx);

/* Fires queue q's vector now if it may, or arranges for it to fire when
 * moderation allows. */
static void
vector_kick(struct pnic_queue *q)
{
    struct pnic *nic = q->nic;
    sim_time_t now = sim_now(nic->sim);

    /* A cause the driver has already consumed (it reaped the frames and
     * completions while the vector was masked) does not interrupt: the
     * cause register reflects work waiting in the rings. */
    if (q->cause && !q->rx_done.n && !q->tx_done
        && !(q->rsc && vsw_rsc_n_open(q->rsc))) {
        q->cause = false;
    }
    if (!q->cause || q->masked || q->fire_pending) {
        return;
    }
    sim_time_t at = q->last_fire < 0 ? now
                    : q->last_fire + itr_interval(&q->itr);
    if (at > now) {
        q->fire_pending = true;
        if (sim_schedule_at(nic->sim, at, q->comp, EV_FIRE, fire, q, NULL) == 0) {
            return;
        }
        sim_out_of_memory("pnic");
    }
    /* Fire: coalesced segments are closed (their data is already in the
     * buffer: the descriptor completes at once), the message goes out,
     * the vector masks itself, moderation learns from the work this
     * interrupt signals. */
    if (q->rsc && vsw_rsc_n_open(q->rsc)) {
        q->flushing = true;
        vsw_rsc_flush(q->rsc, NULL);
        q->flushing = false;
    }
    q->cause = false;
    q->masked = true;
    q->last_fire = now;
    q->interrupts++;
    metric_add(q->m_interrupts, 1);
    itr_fired(&q->itr);
    nic->host.msi(nic->host.ctx, nic->cfg.source_id, q->msix_addr,
                  q->msix_data);
}

static void
fire(struct sim *sim, void *ctx)
{
    struct pnic_queue *q = ctx;

    (void)sim;
    q->fire_pending = false;
    vector_kick(q);
}

void
pnic_msix_program(struct pnic *nic, uint32_t q, uint64_t addr, uint32_t data)
{
    SIM_ASSERT(q < nic->cfg.n_queues);
    nic->q[q].msix_addr = addr;
    nic->q[q].msix_data = data;
}

void
pnic_irq_enable(struct pnic *nic, uint32_t q)
{
    SIM_ASSERT(q < nic->cfg.n_queues);
    nic->q[q].masked = false;
    vector_kick(&nic->q[q]);
}

void
pnic_irq_disable(struct pnic *nic, uint32_t q)
{
    SIM_ASSERT(q < nic->cfg.n_queues);
    nic->q[q].masked = true;
}

/* --- Receive ------------------------------------------------------------- */

/* Stage 4: writes the checksum results into the metadata. */
static void
rx_check_csums(struct pnic *nic, struct vsw_pkt *pkt)
{
    struct vsw_parse_result pr;
    const uint8_t *d = vsw_pkt_data_const(pkt);

    if (vsw_parse_bytes(d, vsw_pkt_len(pkt), 0, &pr) != VSW_PARSE_OK
        || !pr.has_l3) {
        return;
    }
    if (pr.key.ip_version == 4) {
        bool ok = vsw_csum_ipv4_verify(d + pr.l3_ofs, pr.l3_hdr_len);
        pkt->oob.rx_csum_ip = ok ? VSW_CSUM_RX_PASSED : VSW_CSUM_RX_FAILED;
        if (!ok) {
            metric_add(nic->m_csum_bad, 1);
        }
    }
    if (!pr.has_l4 || (pr.key.ip_proto != 6 && pr.key.ip_proto != 17)) {
        return;
    }
    int error = vsw_csum_l4_verify(d, vsw_pkt_len(pkt), &pr);
    if (error == EINVAL) {
        return;                     /* a fragment: not checked */
    }
    enum vsw_csum_rx r = error ? VSW_CSUM_RX_FAILED : VSW_CSUM_RX_PASSED;
    if (error) {
        metric_add(nic->m_csum_bad, 1);
    }
    if (pr.key.ip_proto == 6) {
        pkt->oob.rx_csum_tcp = r;
    } else {
        pkt->oob.rx_csum_udp = r;
    }
}

static void
rx_dma_done(struct sim *sim, void *ctx)
{
    struct pnic_queue *q = ctx;
    struct vsw_pkt *pkt = fifo_pop(&q->rx_dma);

    (void)sim;
    fifo_push(&q->rx_done, pkt);
    metric_set(q->m_rx_ring, (double)q->rx_done.n);
    itr_account(&q->itr, 1, vsw_pkt_len(pkt));
    q->cause = true;
    vector_kick(q);
}

static void rx_to_ring(struct pnic_queue *q, struct vsw_pkt *pkt,
                       bool immediate);

static void
link_rx(void *ctx, struct vsw_pkt *pkt)
{
    struct pnic *nic = ctx;

    /* 1-2. */
    if (!link_is_up(nic->link)) {
        drop(nic, PNIC_DROP_LINK_DOWN, pkt);
        return;
    }
    capture(nic, pkt);
    pkt->oob = (struct vsw_pkt_oob){ 0 };

    /* 3. Classification, on the frame as on the wire. */
    struct rxf_verdict cls;
    rxf_classify(nic->rxf, vsw_pkt_data_const(pkt), vsw_pkt_len(pkt), &cls);
    if (cls.rss.hashed) {
        pkt->oob.rss_hash = cls.rss.hash;
        pkt->oob.rss_type = cls.rss.type;
    }

    /* 4. VLAN strip. */
    if (nic->cfg.vlan_offload) {
        (void)vsw_pkt_strip_vlan(pkt);      /* EINVAL: untagged, kept */
    }

    /* 5. Checksums. */
    if (nic->cfg.rx_csum) {
        rx_check_csums(nic, pkt);
    }

    struct pnic_queue *q = &nic->q[cls.queue];

    /* 7 before 6. RSC: a TCP segment may be absorbed; what the engine
     * emits goes on to the ring (rsc_emit). */
    if (q->rsc) {
        struct vsw_rsc_stats before, after;
        vsw_rsc_get_stats(q->rsc, &before);
        if (vsw_rsc_add(q->rsc, pkt, NULL) == 0) {
            vsw_rsc_get_stats(q->rsc, &after);
            metric_add(nic->m_rsc_absorbed,
                       after.coalesced_pkts - before.coalesced_pkts);
            if (vsw_rsc_n_open(q->rsc)) {
                q->cause = true;        /* the interrupt will close them */
                vector_kick(q);
            }
            return;
        }
        /* ENOMEM: the frame goes on uncoalesced. */
    }
    rx_to_ring(q, pkt, false);
}

/* Stages 6 and 8: a descriptor, then DMA ('immediate': the data is
 * already in host memory, as for a coalesced unit closed at an
 * interrupt). */
static void
rx_to_ring(struct pnic_queue *q, struct vsw_pkt *pkt, bool immediate)
{
    struct pnic *nic = q->nic;

    if (!q->rx_posted) {
        metric_add(q->m_ring_drops, 1);
        drop(nic, PNIC_DROP_RING_FULL, pkt);
        return;
    }
    q->rx_posted--;
    q->rx_frames++;
    metric_add(q->m_rx_frames, 1);
    metric_add(q->m_rx_bytes, vsw_pkt_len(pkt));
    if (immediate) {
        fifo_push(&q->rx_done, pkt);
        metric_set(q->m_rx_ring, (double)q->rx_done.n);
        itr_account(&q->itr, 1, vsw_pkt_len(pkt));
        return;
    }
    fifo_push(&q->rx_dma, pkt);
    if (sim_schedule_in(nic->sim, nic->cfg.dma_latency_ps, q->comp,
                        EV_RX_DMA, rx_dma_done, q, NULL)) {
        sim_out_of_memory("pnic");
    }
}

static void
rsc_emit(void *aux, struct vsw_pkt *pkt)
{
    struct pnic_queue *q = aux;
    rx_to_ring(q, pkt, q->flushing);
}

uint32_t
pnic_rx_post(struct pnic *nic, uint32_t qi, uint32_t n)
{
    SIM_ASSERT(qi < nic->cfg.n_queues);
    struct pnic_queue *q = &nic->q[qi];
    uint32_t used = q->rx_posted + (uint32_t)q->rx_dma.n
                    + (uint32_t)q->rx_done.n;
    uint32_t room = nic->cfg.rx_ring - used;

    if (n > room) {
        n = room;
    }
    q->rx_posted += n;
    return n;
}

size_t
pnic_rx_reap(struct pnic *nic, uint32_t qi, struct vsw_pkt **out, size_t max)
{
    SIM_ASSERT(qi < nic->cfg.n_queues);
    struct pnic_queue *q = &nic->q[qi];
    size_t n = 0;

    while (n < max && q->rx_done.n) {
        out[n++] = fifo_pop(&q->rx_done);
    }
    metric_set(q->m_rx_ring, (double)q->rx_done.n);
    return n;
}

uint32_t
pnic_rx_pending(const struct pnic *nic, uint32_t qi)
{
    SIM_ASSERT(qi < nic->cfg.n_queues);
    return (uint32_t)nic->q[qi].rx_done.n;
}

/* --- Transmit ------------------------------------------------------------ */

static void tx_pump(struct pnic *nic);

/* Applies the transmit offloads to 'pkt' and queues the resulting frames
 * on q's ready FIFO. */
static void
tx_offload(struct pnic *nic, struct pnic_queue *q, struct vsw_pkt *pkt)
{
    struct vsw_pkt *segs[VSW_OFFLOAD_MAX_SEGMENTS];
    size_t n = 0;
    int error = 0;

    if (pkt->oob.lso_mss && (!nic->cfg.lso_max_bytes
                             || vsw_pkt_len(pkt) > nic->cfg.lso_max_bytes)) {
        error = EINVAL;             /* the driver should not have posted it */
    } else if (pkt->oob.lso_mss) {
        error = vsw_offload_segment(pkt, segs, VSW_OFFLOAD_MAX_SEGMENTS, &n,
                                    &nic->work);
        if (!error) {
            metric_add(nic->m_lso_segments, n);
            vsw_pkt_free(pkt);
        }
    } else if ((pkt->oob.tx_csum_ip || pkt->oob.tx_csum_tcp
                || pkt->oob.tx_csum_udp) && nic->cfg.tx_csum) {
        error = vsw_offload_csum(pkt, &nic->work);
        segs[0] = pkt;
        n = 1;
    } else {
        segs[0] = pkt;
        n = 1;
    }
    if (error) {
        /* The descriptor still completes: the driver gets it back. */
        drop(nic, PNIC_DROP_MALFORMED, pkt);
        q->tx_done++;
        q->cause = true;
        vector_kick(q);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct txframe *f = malloc(sizeof *f);
        if (!f) {
            sim_out_of_memory("pnic");
        }
        struct vsw_pkt *s = segs[i];
        if (nic->cfg.vlan_offload && s->oob.vlan_present) {
            if (vsw_pkt_insert_vlan(s, s->oob.vlan_id, s->oob.priority)) {
                sim_out_of_memory("pnic");
            }
            s->oob.vlan_present = false;
        }
        *f = (struct txframe){ s, i + 1 == n };
        fifo_push(&q->tx_ready, f);
    }
}

static void
tx_dma_done(struct sim *sim, void *ctx)
{
    struct pnic_queue *q = ctx;

    (void)sim;
    tx_offload(q->nic, q, fifo_pop(&q->tx_dma));
    tx_pump(q->nic);
}

/* Feeds the link while it is idle, round-robin over the queues. */
static void
tx_pump(struct pnic *nic)
{
    if (!nic->link) {
        return;
    }
    while (link_tx_idle(nic->link, (unsigned)nic->side)) {
        struct pnic_queue *q = NULL;
        for (uint32_t i = 0; i < nic->cfg.n_queues; i++) {
            struct pnic_queue *c = &nic->q[(nic->tx_next + i)
                                           % nic->cfg.n_queues];
            if (c->tx_ready.n) {
                q = c;
                nic->tx_next = (c->index + 1) % nic->cfg.n_queues;
                break;
            }
        }
        if (!q) {
            return;
        }
        struct txframe *f = fifo_pop(&q->tx_ready);
        struct vsw_pkt *pkt = f->pkt;
        bool last = f->last;
        free(f);
        if (!link_is_up(nic->link)) {
            drop(nic, PNIC_DROP_LINK_DOWN, pkt);
        } else {
            q->tx_frames++;
            metric_add(q->m_tx_frames, 1);
            metric_add(q->m_tx_bytes, vsw_pkt_len(pkt));
            capture(nic, pkt);
            if (link_send(nic->link, (unsigned)nic->side, pkt)) {
                sim_fatal("pnic: link refused a frame while idle");
            }
        }
        if (last) {
            q->tx_done++;
            itr_account(&q->itr, 1, 0);
            q->cause = true;
            vector_kick(q);
        }
    }
}

static void
link_tx_ready(void *ctx)
{
    tx_pump(ctx);
}

int
pnic_tx_post(struct pnic *nic, uint32_t qi, struct vsw_pkt *pkt)
{
    SIM_ASSERT(qi < nic->cfg.n_queues);
    struct pnic_queue *q = &nic->q[qi];

    if (q->tx_used >= nic->cfg.tx_ring) {
        return ENOSPC;
    }
    q->tx_used++;
    fifo_push(&q->tx_dma, pkt);
    if (sim_schedule_in(nic->sim, nic->cfg.dma_latency_ps, q->comp,
                        EV_TX_DMA, tx_dma_done, q, NULL)) {
        sim_out_of_memory("pnic");
    }
    return 0;
}

uint32_t
pnic_tx_reap(struct pnic *nic, uint32_t qi)
{
    SIM_ASSERT(qi < nic->cfg.n_queues);
    struct pnic_queue *q = &nic->q[qi];
    uint32_t n = q->tx_done;

    q->tx_done = 0;
    q->tx_used -= n;
    return n;
}

uint32_t
pnic_tx_free(const struct pnic *nic, uint32_t qi)
{
    SIM_ASSERT(qi < nic->cfg.n_queues);
    return nic->cfg.tx_ring - nic->q[qi].tx_used;
}

/* --- Building ------------------------------------------------------------ */

static bool
config_ok(const struct pnic_config *c)
{
    return c->name && *c->name && !strchr(c->name, '.')
           && c->n_queues >= 1 && c->n_queues <= PNIC_MAX_QUEUES
           && c->rx_ring >= PNIC_RING_MIN && c->rx_ring <= PNIC_RING_MAX
           && c->tx_ring >= PNIC_RING_MIN && c->tx_ring <= PNIC_RING_MAX
           && c->dma_latency_ps >= 0
           && (c->itr_mode != ITR_FIXED
               || (c->itr_rate >= ITR_RATE_MIN && c->itr_rate <= ITR_RATE_MAX))
           && c->lso_max_bytes <= 262144
           && c->max_filters >= 1 && c->max_filters <= RXF_MAX_FILTERS;
}

int
pnic_create(struct sim *sim, struct metrics *reg, sim_component_id parent,
            const struct pnic_config *cfg, const struct pnic_host *host,
            struct pnic **out)
{
    struct pnic *nic;
    char name[64];

    *out = NULL;
    if (!sim || !reg || !cfg || !host || !host->msi || !config_ok(cfg)) {
        return EINVAL;
    }
    nic = calloc(1, sizeof *nic);
    if (!nic) {
        return ENOMEM;
    }
    nic->sim = sim;
    nic->cfg = *cfg;
    nic->host = *host;
    nic->name = strdup(cfg->name);
    nic->q = calloc(cfg->n_queues, sizeof *nic->q);
    if (!nic->name || !nic->q) {
        pnic_destroy(nic);
        return ENOMEM;
    }
    nic->cfg.name = nic->name;
    int error = rxf_create(cfg->n_queues, cfg->max_filters, &nic->rxf);
    if (!error) {
        error = rxf_set_mode(nic->rxf, cfg->rx_mode);
    }
    if (!error && cfg->rss_udp) {
        struct rss_config rc = *rxf_get_rss_config(nic->rxf);
        rc.hash_types |= RSS_HASH_UDP_IPV4 | RSS_HASH_UDP_IPV6;
        error = rxf_set_rss_config(nic->rxf, &rc);
    }
    if (!error && cfg->rx_mode == RXF_MODE_RSS) {
        struct rss_indirection tbl;
        error = rss_indirection_fill(&tbl, RSS_INDIRECTION_MAX,
                                     cfg->n_queues);
        if (!error) {
            error = rxf_set_indirection(nic->rxf, &tbl);
        }
    }
    if (error) {
        pnic_destroy(nic);
        return error;
    }
    nic->comp = sim_component_add(sim, parent, cfg->name, NULL);
    for (int i = 0; i < PNIC_DROP_COUNT; i++) {
        snprintf(name, sizeof name, "drops.%s", drop_names[i]);
        nic->m_drops[i] = metrics_counter(reg, nic->comp, name, "frames",
                                          "frames the NIC dropped, by reason");
    }
    nic->m_csum_bad = metrics_counter(reg, nic->comp, "rx_csum_bad", "frames",
                                      "received frames with a bad checksum");
    nic->m_lso_segments = metrics_counter(reg, nic->comp, "lso_segments",
                                          "frames",
                                          "frames cut from LSO super-frames");
    nic->m_rsc_absorbed = metrics_counter(reg, nic->comp, "rsc_coalesced",
                                          "frames",
                                          "received segments RSC merged "
                                          "into others");
    for (uint32_t i = 0; i < cfg->n_queues; i++) {
        struct pnic_queue *q = &nic->q[i];
        q->nic = nic;
        q->index = i;
        q->last_fire = -1;
        itr_init(&q->itr, cfg->itr_mode, cfg->itr_rate,
                 cfg->itr_conservative);
        if (cfg->rsc && vsw_rsc_create(NULL, rsc_emit, q, &q->rsc)) {
            pnic_destroy(nic);
            return ENOMEM;
        }
        snprintf(name, sizeof name, "q%" PRIu32, i);
        q->comp = sim_component_add(sim, nic->comp, name, NULL);
        q->m_rx_frames = metrics_counter(reg, q->comp, "rx_frames", "frames",
                                         "frames received into the queue");
        q->m_rx_bytes = metrics_counter(reg, q->comp, "rx_bytes", "bytes",
                                        "bytes received into the queue");
        q->m_tx_frames = metrics_counter(reg, q->comp, "tx_frames", "frames",
                                         "frames sent from the queue");
        q->m_tx_bytes = metrics_counter(reg, q->comp, "tx_bytes", "bytes",
                                        "bytes sent from the queue");
        q->m_interrupts = metrics_counter(reg, q->comp, "interrupts",
                                          "interrupts",
                                          "MSI-X messages of the queue");
        q->m_ring_drops = metrics_counter(reg, q->comp, "ring_drops",
                                          "frames",
                                          "frames dropped: no descriptor");
        q->m_rx_ring = metrics_timeavg(reg, q->comp, "rx_waiting", "frames",
                                       "completed frames waiting for the "
                                       "driver", 0);
    }
    *out = nic;
    return 0;
}

void
pnic_destroy(struct pnic *nic)
{
    if (!nic) {
        return;
    }
    for (uint32_t i = 0; nic->q && i < nic->cfg.n_queues; i++) {
        struct pnic_queue *q = &nic->q[i];
        while (q->rx_dma.n) {
            vsw_pkt_free(fifo_pop(&q->rx_dma));
        }
        while (q->rx_done.n) {
            vsw_pkt_free(fifo_pop(&q->rx_done));
        }
        while (q->tx_dma.n) {
            vsw_pkt_free(fifo_pop(&q->tx_dma));
        }
        while (q->tx_ready.n) {
            struct txframe *f = fifo_pop(&q->tx_ready);
            vsw_pkt_free(f->pkt);
            free(f);
        }
        vsw_rsc_destroy(q->rsc);
        free(q->rx_dma.v);
        free(q->rx_done.v);
        free(q->tx_dma.v);
        free(q->tx_ready.v);
    }
    rxf_destroy(nic->rxf);
    free(nic->q);
    free(nic->name);
    free(nic);
}

int
pnic_attach_link(struct pnic *nic, struct link *l, int side)
{
    if (nic->link) {
        return EBUSY;
    }
    if (side != 0 && side != 1) {
        return EINVAL;
    }
    link_attach(l, (unsigned)side, link_rx, link_tx_ready, nic);
    nic->link = l;
    nic->side = side;
    return 0;
}

void
pnic_set_tap(struct pnic *nic, struct trace *t, const char *tap_name)
{
    nic->tap = t ? trace_tap(t, tap_name) : NULL;
}

const struct pnic_config *
pnic_config(const struct pnic *nic)
{
    return &nic->cfg;
}

sim_component_id
pnic_component(const struct pnic *nic)
{
    return nic->comp;
}

uint32_t
pnic_queue_count(const struct pnic *nic)
{
    return nic->cfg.n_queues;
}

struct rxf *
pnic_rxf(struct pnic *nic)
{
    return nic->rxf;
}

uint64_t
pnic_drops(const struct pnic *nic, enum pnic_drop why)
{
    SIM_ASSERT(why < PNIC_DROP_COUNT);
    return nic->drops[why];
}

uint64_t
pnic_rx_frames(const struct pnic *nic, uint32_t q)
{
    SIM_ASSERT(q < nic->cfg.n_queues);
    return nic->q[q].rx_frames;
}

uint64_t
pnic_tx_frames(const struct pnic *nic, uint32_t q)
{
    SIM_ASSERT(q < nic->cfg.n_queues);
    return nic->q[q].tx_frames;
}

uint64_t
pnic_interrupts(const struct pnic *nic, uint32_t q)
{
    SIM_ASSERT(q < nic->cfg.n_queues);
    return nic->q[q].interrupts;
}
