/*
 * traffic.c -- traffic endpoints, remote hosts, the UDP generators (CBR,
 * Poisson, on/off), sinks and request/response (traffic.h).  The TCP
 * sender and receiver live in traffic-tcp.c; what both files share is in
 * traffic-private.h.
 */
#include "config.h"

#include "models/traffic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/link.h"
#include "models/traffic-private.h"
#include "sim/log.h"
#include "sim/rng.h"
#include "vmswitch/csum.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/wire.h"

typedef unsigned __int128 u128;

/* ----------------------------------------------------------------- */
/* Frames. */

size_t
traffic_l2_bytes(const struct traffic_ep *ep)
{
    return VSW_ETH_HEADER_LEN + (ep->vlan_present ? VSW_VLAN_HEADER_LEN : 0);
}

void
traffic_hdr_write(uint8_t *p, const struct traffic_hdr *h)
{
    vsw_put_be32(p, h->flow_id);
    vsw_put_be32(p + 4, h->seq);
    vsw_put_be32(p + 8, (uint32_t)((uint64_t)h->sent_ps >> 32));
    vsw_put_be32(p + 12, (uint32_t)h->sent_ps);
}

bool
traffic_hdr_read(const uint8_t *payload, size_t len, struct traffic_hdr *h)
{
    if (len < TRAFFIC_HDR_BYTES) {
        return false;
    }
    h->flow_id = vsw_get_be32(payload);
    h->seq = vsw_get_be32(payload + 4);
    h->sent_ps = (sim_time_t)((uint64_t)vsw_get_be32(payload + 8) << 32
                              | vsw_get_be32(payload + 12));
    return true;
}

struct vsw_pkt *
traffic_build(const struct traffic_ep *ep, const uint8_t dst_mac[6],
              const uint8_t dst_ip[4], uint8_t proto, uint16_t sport,
              uint16_t dport, const struct traffic_tcp_fields *tcp,
              size_t payload_bytes, const uint8_t *hdr, size_t hdr_len)
{
    size_t l2 = traffic_l2_bytes(ep);
    size_t l4_hdr = proto == VSW_IPPROTO_TCP ? VSW_TCP_HEADER_LEN
                                             : VSW_UDP_HEADER_LEN;
    size_t l4_len = l4_hdr + payload_bytes;
    size_t ip_len = VSW_IPV4_HEADER_LEN + l4_len;
    size_t len = l2 + ip_len;
    size_t frame_len = len < VSW_ETH_MIN_LEN ? VSW_ETH_MIN_LEN : len;
    struct vsw_ipv4_hdr *ip;
    struct vsw_pkt *pkt;
    uint8_t *d, *l4;
    uint32_t sum;
    uint16_t csum;

    SIM_ASSERT(hdr_len <= payload_bytes);
    SIM_ASSERT(ip_len <= UINT16_MAX);
    pkt = vsw_pkt_alloc(frame_len, VSW_PKT_DEFAULT_HEADROOM);
    if (!pkt) {
        return NULL;
    }
    d = vsw_pkt_put(pkt, frame_len);
    memset(d, 0, frame_len);

    /* Ethernet, with the tag in the bytes. */
    memcpy(d, dst_mac, 6);
    memcpy(d + 6, ep->mac, 6);
    if (ep->vlan_present) {
        vsw_put_be16(d + 12, VSW_ETH_TYPE_VLAN);
        vsw_put_be16(d + 14, (uint16_t)(ep->vlan_pcp << VSW_VLAN_PCP_SHIFT
                                        | ep->vlan_id));
        vsw_put_be16(d + 16, VSW_ETH_TYPE_IPV4);
    } else {
        vsw_put_be16(d + 12, VSW_ETH_TYPE_IPV4);
    }

    /* IPv4. */
    ip = (struct vsw_ipv4_hdr *)(d + l2);
    ip->ver_ihl = 0x45;
    vsw_put_be16(&ip->tot_len, (uint16_t)ip_len);
    vsw_put_be16(&ip->id, ((struct traffic_ep *)ep)->ip_id++);
    vsw_put_be16(&ip->frag_off, VSW_IPV4_DF);
    ip->ttl = 64;
    ip->proto = proto;
    memcpy(ip->src, ep->ipv4, 4);
    memcpy(ip->dst, dst_ip, 4);
    vsw_csum_ipv4_fill((uint8_t *)ip, VSW_IPV4_HEADER_LEN);

    /* Transport header and payload. */
    l4 = d + l2 + VSW_IPV4_HEADER_LEN;
    if (hdr_len) {
        memcpy(l4 + l4_hdr, hdr, hdr_len);
    }
    if (proto == VSW_IPPROTO_TCP) {
        struct vsw_tcp_hdr *th = (struct vsw_tcp_hdr *)l4;

        vsw_put_be16(&th->src, sport);
        vsw_put_be16(&th->dst, dport);
        vsw_put_be32(&th->seq, tcp->seq);
        vsw_put_be32(&th->ack, tcp->ack);
        vsw_put_be16(&th->off_flags, (uint16_t)(5 << 12 | tcp->flags));
        vsw_put_be16(&th->window, tcp->window);
    } else {
        struct vsw_udp_hdr *uh = (struct vsw_udp_hdr *)l4;

        vsw_put_be16(&uh->src, sport);
        vsw_put_be16(&uh->dst, dport);
        vsw_put_be16(&uh->len, (uint16_t)l4_len);
    }
    /* Past the transport header and 'hdr' the payload is zeros, which add
     * nothing to a one's-complement sum: summing the front is enough. */
    sum = vsw_csum_pseudo_ipv4(ep->ipv4, dst_ip, proto, (uint32_t)l4_len);
    csum = vsw_csum_finish(vsw_csum_add(sum, l4, l4_hdr + hdr_len));
    if (proto == VSW_IPPROTO_UDP && csum == 0) {
        csum = 0xffff;
    }
    vsw_put_be16(l4 + (proto == VSW_IPPROTO_TCP ? 16 : 6), csum);
    return pkt;
}

uint32_t
traffic_udp_min_frame_bytes(const struct traffic_ep *ep)
{
    return (uint32_t)(traffic_l2_bytes(ep) + VSW_IPV4_HEADER_LEN
                      + VSW_UDP_HEADER_LEN + TRAFFIC_HDR_BYTES);
}

/* The UDP payload bytes of a frame of 'frame_bytes' from 'ep', or 0 if
 * it cannot carry 'need' payload bytes or is out of range. */
static size_t
udp_payload_bytes(const struct traffic_ep *ep, uint32_t frame_bytes,
                  size_t need)
{
    size_t hdrs = traffic_l2_bytes(ep) + VSW_IPV4_HEADER_LEN
                  + VSW_UDP_HEADER_LEN;

    if (frame_bytes > TRAFFIC_MAX_FRAME_BYTES || frame_bytes < hdrs + need) {
        return 0;
    }
    return frame_bytes - hdrs;
}

struct vsw_pkt *
traffic_build_udp(const struct traffic_ep *ep, const struct traffic_dst *dst,
                  uint16_t src_port, uint32_t frame_bytes,
                  const struct traffic_hdr *h)
{
    size_t payload = udp_payload_bytes(ep, frame_bytes, TRAFFIC_HDR_BYTES);
    uint8_t hb[TRAFFIC_HDR_BYTES];

    if (!payload) {
        return NULL;
    }
    traffic_hdr_write(hb, h);
    return traffic_build(ep, dst->mac, dst->ipv4, VSW_IPPROTO_UDP, src_port,
                         dst->port, NULL, payload, hb, sizeof hb);
}

/* ----------------------------------------------------------------- */
/* Endpoints. */

int
traffic_ep_create(struct sim *sim, struct metrics *reg,
                  sim_component_id parent, const struct traffic_ep_config *cfg,
                  struct traffic_ep **out)
{
    struct traffic_ep *ep;
    int err = 0;

    if (!cfg || !cfg->name || (cfg->mac[0] & 1)
        || (cfg->vlan_present && (cfg->vlan_id > 4095 || cfg->vlan_pcp > 7))) {
        return EINVAL;
    }
    ep = calloc(1, sizeof *ep);
    if (!ep) {
        return ENOMEM;
    }
    ep->comp = sim_component_add(sim, parent, cfg->name, &err);
    if (!ep->comp) {
        free(ep);
        return err ? err : EINVAL;
    }
    ep->sim = sim;
    ep->reg = reg;
    memcpy(ep->mac, cfg->mac, 6);
    memcpy(ep->ipv4, cfg->ipv4, 4);
    ep->vlan_present = cfg->vlan_present;
    ep->vlan_id = cfg->vlan_id;
    ep->vlan_pcp = cfg->vlan_pcp;
    ep->send = cfg->send;
    ep->send_ctx = cfg->send_ctx;
    ep->m_tx_frames = metrics_counter(reg, ep->comp, "tx_frames", "frames",
                                      "frames handed to the send hook");
    ep->m_tx_bytes = metrics_counter(reg, ep->comp, "tx_bytes", "bytes",
                                     "bytes of those frames");
    ep->m_tx_failed = metrics_counter(reg, ep->comp, "tx_failed", "frames",
                                      "frames the send hook dropped");
    ep->m_rx_frames = metrics_counter(reg, ep->comp, "rx_frames", "frames",
                                      "frames received");
    ep->m_rx_unknown = metrics_counter(reg, ep->comp, "rx_unknown", "frames",
                                       "frames not for this endpoint, "
                                       "malformed, or to an unbound port");
    ep->m_rx_bad_csum = metrics_counter(reg, ep->comp, "rx_bad_csum",
                                        "frames",
                                        "frames with a wrong IPv4, TCP or "
                                        "UDP checksum");
    *out = ep;
    return 0;
}

void
traffic_ep_destroy(struct traffic_ep *ep)
{
    if (!ep) {
        return;
    }
    for (size_t i = ep->n_owned; i-- > 0;) {
        ep->owned[i].destroy(ep->owned[i].obj);
    }
    free(ep->owned);
    free(ep->binds);
    free(ep);
}

int
traffic_ep_own(struct traffic_ep *ep, void (*destroy)(void *), void *obj)
{
    struct traffic_owned *o = realloc(ep->owned,
                                      (ep->n_owned + 1) * sizeof *o);

    if (!o) {
        return ENOMEM;
    }
    ep->owned = o;
    o[ep->n_owned].destroy = destroy;
    o[ep->n_owned].obj = obj;
    ep->n_owned++;
    return 0;
}

void
traffic_ep_set_send(struct traffic_ep *ep, traffic_send_fn *send, void *ctx)
{
    ep->send = send;
    ep->send_ctx = ctx;
}

void
traffic_ep_get_send(const struct traffic_ep *ep, traffic_send_fn **send,
                    void **ctx)
{
    *send = ep->send;
    *ctx = ep->send_ctx;
}

int
traffic_ep_send(struct traffic_ep *ep, struct vsw_pkt *pkt)
{
    int err;

    metric_add(ep->m_tx_frames, 1);
    metric_add(ep->m_tx_bytes, vsw_pkt_len(pkt));
    if (!ep->send) {
        vsw_pkt_free(pkt);
        err = ENOTCONN;
    } else {
        err = ep->send(ep->send_ctx, pkt);
    }
    if (err) {
        metric_add(ep->m_tx_failed, 1);
    }
    return err;
}

int
traffic_ep_bind(struct traffic_ep *ep, uint8_t proto, uint16_t lo,
                uint16_t hi, traffic_rx_fn *fn, void *ctx)
{
    struct traffic_binding *b;

    if ((proto != VSW_IPPROTO_UDP && proto != VSW_IPPROTO_TCP) || lo > hi
        || !fn) {
        return EINVAL;
    }
    for (size_t i = 0; i < ep->n_binds; i++) {
        b = &ep->binds[i];
        if (b->proto == proto && lo <= b->hi && b->lo <= hi) {
            return EADDRINUSE;
        }
    }
    b = realloc(ep->binds, (ep->n_binds + 1) * sizeof *b);
    if (!b) {
        return ENOMEM;
    }
    ep->binds = b;
    b[ep->n_binds] = (struct traffic_binding) { proto, lo, hi, fn, ctx };
    ep->n_binds++;
    return 0;
}

/* True if the checksums of parsed frame 'pkt' are right (or a NIC said
 * they were). */
static bool
csums_ok(struct vsw_pkt *pkt, const struct vsw_parse_result *pr)
{
    const uint8_t *d = vsw_pkt_data(pkt);
    enum vsw_csum_rx l4 = pr->key.ip_proto == VSW_IPPROTO_TCP
                          ? pkt->oob.rx_csum_tcp : pkt->oob.rx_csum_udp;

    if (pkt->oob.rx_csum_ip == VSW_CSUM_RX_FAILED
        || (pkt->oob.rx_csum_ip != VSW_CSUM_RX_PASSED
            && !vsw_csum_ipv4_verify(d + pr->l3_ofs, pr->l3_hdr_len))) {
        return false;
    }
    if (l4 == VSW_CSUM_RX_FAILED
        || (l4 != VSW_CSUM_RX_PASSED
            && vsw_csum_l4_verify(d, vsw_pkt_len(pkt), pr) != 0)) {
        return false;
    }
    return true;
}

void
traffic_ep_receive(struct traffic_ep *ep, struct vsw_pkt *pkt)
{
    struct vsw_parse_result pr;
    const struct vsw_flow_key *k = &pr.key;

    metric_add(ep->m_rx_frames, 1);
    if (vsw_parse(pkt, &pr) != VSW_PARSE_OK
        || memcmp(k->dst_mac, ep->mac, 6) != 0
        || k->vlan_present != ep->vlan_present
        || (ep->vlan_present && k->vlan_id != ep->vlan_id)
        || k->ip_version != 4 || !pr.has_l4 || k->ip_frag
        || (k->ip_proto != VSW_IPPROTO_UDP && k->ip_proto != VSW_IPPROTO_TCP)
        || memcmp(k->dst_ip + 12, ep->ipv4, 4) != 0) {
        metric_add(ep->m_rx_unknown, 1);
        vsw_pkt_free(pkt);
        return;
    }
    if (!csums_ok(pkt, &pr)) {
        metric_add(ep->m_rx_bad_csum, 1);
        vsw_pkt_free(pkt);
        return;
    }
    for (size_t i = 0; i < ep->n_binds; i++) {
        const struct traffic_binding *b = &ep->binds[i];

        if (b->proto == k->ip_proto && k->dst_port >= b->lo
            && k->dst_port <= b->hi) {
            b->fn(b->ctx, pkt, &pr);
            vsw_pkt_free(pkt);
            return;
        }
    }
    metric_add(ep->m_rx_unknown, 1);
    vsw_pkt_free(pkt);
}

struct sim *
traffic_ep_sim(const struct traffic_ep *ep)
{
    return ep->sim;
}

struct metrics *
traffic_ep_metrics(const struct traffic_ep *ep)
{
    return ep->reg;
}

sim_component_id
traffic_ep_component(const struct traffic_ep *ep)
{
    return ep->comp;
}

const uint8_t *
traffic_ep_mac(const struct traffic_ep *ep)
{
    return ep->mac;
}

const uint8_t *
traffic_ep_ipv4(const struct traffic_ep *ep)
{
    return ep->ipv4;
}

/* ----------------------------------------------------------------- */
/* A queue of frames: a ring that grows unless bounded. */

struct pktq {
    struct vsw_pkt **ring;
    sim_time_t *due;                /* optional per-frame time */
    size_t cap, head, n;
};

static int
pktq_push(struct pktq *q, struct vsw_pkt *pkt, sim_time_t due, bool grow)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        struct vsw_pkt **ring;
        sim_time_t *dues;

        if (!grow) {
            return ENOBUFS;
        }
        ring = malloc(cap * sizeof *ring);
        dues = malloc(cap * sizeof *dues);
        if (!ring || !dues) {
            free(ring);
            free(dues);
            return ENOMEM;
        }
        for (size_t i = 0; i < q->n; i++) {
            ring[i] = q->ring[(q->head + i) % q->cap];
            dues[i] = q->due[(q->head + i) % q->cap];
        }
        free(q->ring);
        free(q->due);
        q->ring = ring;
        q->due = dues;
        q->cap = cap;
        q->head = 0;
    }
    q->ring[(q->head + q->n) % q->cap] = pkt;
    q->due[(q->head + q->n) % q->cap] = due;
    q->n++;
    return 0;
}

static struct vsw_pkt *
pktq_pop(struct pktq *q)
{
    struct vsw_pkt *pkt;

    SIM_ASSERT(q->n > 0);
    pkt = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    return pkt;
}

static int
pktq_init(struct pktq *q, size_t cap)
{
    memset(q, 0, sizeof *q);
    if (cap) {
        q->ring = calloc(cap, sizeof *q->ring);
        q->due = calloc(cap, sizeof *q->due);
        if (!q->ring || !q->due) {
            free(q->ring);
            free(q->due);
            return ENOMEM;
        }
        q->cap = cap;
    }
    return 0;
}

static void
pktq_fini(struct pktq *q)
{
    while (q->n) {
        vsw_pkt_free(pktq_pop(q));
    }
    free(q->ring);
    free(q->due);
}

/* ----------------------------------------------------------------- */
/* Remote hosts. */

struct traffic_remote {
    struct traffic_ep *ep;
    struct link *link;
    unsigned side;
    struct pktq fifo;
    struct metric *m_drops, *m_depth;
};

/* Sends from the FIFO while the transmitter is idle (a down link drops
 * at once and leaves it idle, hence the loop). */
static void
remote_drain(struct traffic_remote *r)
{
    while (r->fifo.n && link_tx_idle(r->link, r->side)) {
        struct vsw_pkt *pkt = pktq_pop(&r->fifo);

        if (link_send(r->link, r->side, pkt) != 0) {
            metric_add(r->m_drops, 1);
            vsw_pkt_free(pkt);
        }
    }
    metric_set(r->m_depth, (double)r->fifo.n);
}

static int
remote_send(void *ctx, struct vsw_pkt *pkt)
{
    struct traffic_remote *r = ctx;

    if (pktq_push(&r->fifo, pkt, 0, false) != 0) {
        metric_add(r->m_drops, 1);
        vsw_pkt_free(pkt);
        return ENOBUFS;
    }
    remote_drain(r);
    return 0;
}

static void
remote_rx(void *ctx, struct vsw_pkt *pkt)
{
    struct traffic_remote *r = ctx;

    traffic_ep_receive(r->ep, pkt);
}

static void
remote_tx_ready(void *ctx)
{
    remote_drain(ctx);
}

int
traffic_remote_create(struct sim *sim, struct metrics *reg,
                      sim_component_id parent,
                      const struct traffic_ep_config *ep_cfg,
                      struct link *link, unsigned side, size_t fifo_frames,
                      struct traffic_remote **out)
{
    struct traffic_remote *r;
    int err;

    if (!link || side > 1 || fifo_frames == 0) {
        return EINVAL;
    }
    r = calloc(1, sizeof *r);
    if (!r) {
        return ENOMEM;
    }
    if (pktq_init(&r->fifo, fifo_frames) != 0) {
        free(r);
        return ENOMEM;
    }
    err = traffic_ep_create(sim, reg, parent, ep_cfg, &r->ep);
    if (err) {
        pktq_fini(&r->fifo);
        free(r);
        return err;
    }
    traffic_ep_set_send(r->ep, remote_send, r);
    r->link = link;
    r->side = side;
    r->m_drops = metrics_counter(reg, r->ep->comp, "fifo_drops", "frames",
                                 "frames dropped because the transmit "
                                 "FIFO was full");
    r->m_depth = metrics_timeavg(reg, r->ep->comp, "fifo_depth", "frames",
                                 "frames waiting in the transmit FIFO", 0.0);
    link_attach(link, side, remote_rx, remote_tx_ready, r);
    *out = r;
    return 0;
}

void
traffic_remote_destroy(struct traffic_remote *r)
{
    if (!r) {
        return;
    }
    traffic_ep_destroy(r->ep);
    pktq_fini(&r->fifo);
    free(r);
}

struct traffic_ep *
traffic_remote_ep(const struct traffic_remote *r)
{
    return r->ep;
}

/* ----------------------------------------------------------------- */
/* Frame generators. */

bool
traffic_flows_valid(const struct traffic_flows *f)
{
    return f->n_flows >= 1 && (uint32_t)f->src_port_base + f->n_flows - 1
                              <= UINT16_MAX
           && f->flow_id_base <= UINT32_MAX - (f->n_flows - 1)
           && !(f->dst.mac[0] & 1);
}

struct traffic_gen {
    struct traffic_ep *ep;
    sim_component_id comp;
    struct traffic_gen_config cfg;
    u128 bits_ps;                   /* bits per frame * 10^12 */
    uint64_t burst_frames;          /* ONOFF: frames per burst */
    uint64_t n;                     /* frames sent */
    sim_time_t next;                /* POISSON: time of the next frame */
    uint32_t *seq;                  /* per flow */
    struct rng rng;
    struct metric *m_frames, *m_bytes, *m_failed;
};

static sim_time_t
ceil_div(u128 num, u128 den)
{
    u128 q = num / den + (num % den != 0);

    return q > (u128)SIM_TIME_MAX ? SIM_TIME_MAX : (sim_time_t)q;
}

static sim_time_t
sat_add(sim_time_t a, sim_time_t b)
{
    return a > SIM_TIME_MAX - b ? SIM_TIME_MAX : a + b;
}

sim_time_t
traffic_gen_send_time(const struct traffic_gen *g, uint64_t n)
{
    const struct traffic_gen_config *c = &g->cfg;

    if (c->kind == TRAFFIC_GEN_ONOFF) {
        uint64_t k = n / g->burst_frames, j = n % g->burst_frames;
        u128 period = (u128)k * (u128)(c->on_ps + c->off_ps);

        if (period > (u128)SIM_TIME_MAX) {
            return SIM_TIME_MAX;
        }
        return sat_add(sat_add(c->start_ps, (sim_time_t)period),
                       ceil_div((u128)j * g->bits_ps, c->rate_bps));
    }
    return sat_add(c->start_ps, ceil_div((u128)n * g->bits_ps, c->rate_bps));
}

/* The gap before the next Poisson frame, rounded to the nearest ps. */
static sim_time_t
poisson_gap(struct traffic_gen *g)
{
    double mean = (double)g->bits_ps / (double)g->cfg.rate_bps;
    double x = rng_exponential(&g->rng, mean) + 0.5;

    return x >= 9e18 ? SIM_TIME_MAX : (sim_time_t)x;
}

static void gen_fire(struct sim *sim, void *ctx);

/* Schedules frame g->n, unless it falls at or after the stop. */
static void
gen_schedule(struct traffic_gen *g)
{
    sim_time_t t;

    if (g->cfg.kind == TRAFFIC_GEN_POISSON) {
        t = g->next;
    } else {
        t = traffic_gen_send_time(g, g->n);
    }
    if ((g->cfg.stop_ps && t >= g->cfg.stop_ps) || t == SIM_TIME_MAX) {
        return;
    }
    if (sim_schedule_at(g->ep->sim, t, g->comp, TRAFFIC_EV_GEN_SEND,
                        gen_fire, g, NULL) != 0) {
        sim_log(g->ep->sim, g->comp, SIM_LOG_ERROR,
                "cannot schedule the next frame; generator stops");
    }
}

static void
gen_fire(struct sim *sim, void *ctx)
{
    struct traffic_gen *g = ctx;
    const struct traffic_flows *f = &g->cfg.flows;
    uint32_t i = (uint32_t)(g->n % f->n_flows);
    struct traffic_hdr h = { f->flow_id_base + i, g->seq[i]++,
                             sim_now(sim) };
    struct vsw_pkt *pkt = traffic_build_udp(g->ep, &f->dst,
                                            (uint16_t)(f->src_port_base + i),
                                            g->cfg.frame_bytes, &h);

    g->n++;
    if (!pkt) {
        metric_add(g->m_failed, 1);
    } else {
        metric_add(g->m_frames, 1);
        metric_add(g->m_bytes, g->cfg.frame_bytes);
        if (traffic_ep_send(g->ep, pkt) != 0) {
            metric_add(g->m_failed, 1);
        }
    }
    if (g->cfg.kind == TRAFFIC_GEN_POISSON) {
        g->next = sat_add(sim_now(sim), poisson_gap(g));
    }
    gen_schedule(g);
}

static void
gen_destroy(void *obj)
{
    struct traffic_gen *g = obj;

    free(g->seq);
    free(g);
}

int
traffic_gen_create(struct traffic_ep *src, const struct traffic_gen_config *cfg,
                   struct traffic_gen **out)
{
    struct traffic_gen *g;
    uint64_t rate_bytes;
    int err = 0;

    if (!src || !cfg || !cfg->name || !traffic_flows_valid(&cfg->flows)
        || cfg->frame_bytes < VSW_ETH_MIN_LEN
        || !udp_payload_bytes(src, cfg->frame_bytes, TRAFFIC_HDR_BYTES)
        || cfg->rate_bps == 0 || cfg->start_ps < 0 || cfg->stop_ps < 0
        || cfg->kind > TRAFFIC_GEN_ONOFF || cfg->basis > TRAFFIC_RATE_WIRE
        || (cfg->kind == TRAFFIC_GEN_ONOFF
            && (cfg->on_ps <= 0 || cfg->off_ps <= 0
                || cfg->on_ps > SIM_TIME_MAX - cfg->off_ps))) {
        return EINVAL;
    }
    g = calloc(1, sizeof *g);
    if (!g) {
        return ENOMEM;
    }
    g->seq = calloc(cfg->flows.n_flows, sizeof *g->seq);
    if (!g->seq) {
        free(g);
        return ENOMEM;
    }
    g->comp = sim_component_add(src->sim, src->comp, cfg->name, &err);
    if (!g->comp || traffic_ep_own(src, gen_destroy, g) != 0) {
        err = g->comp ? ENOMEM : (err ? err : EINVAL);
        gen_destroy(g);
        return err;
    }
    g->ep = src;
    g->cfg = *cfg;
    g->cfg.name = NULL;
    rate_bytes = cfg->basis == TRAFFIC_RATE_WIRE
                 ? link_slot_wire_bytes(cfg->frame_bytes) : cfg->frame_bytes;
    g->bits_ps = (u128)rate_bytes * 8 * (u128)SIM_PS_PER_S;
    if (cfg->kind == TRAFFIC_GEN_ONOFF) {
        /* Frame j of a burst goes at ceil(j * B / R) < on, that is
         * j <= (on - 1) * R / B. */
        g->burst_frames = (uint64_t)((u128)(cfg->on_ps - 1) * cfg->rate_bps
                                     / g->bits_ps) + 1;
    }
    g->m_frames = metrics_counter(src->reg, g->comp, "frames", "frames",
                                  "frames sent");
    g->m_bytes = metrics_counter(src->reg, g->comp, "bytes", "bytes",
                                 "bytes of the frames sent");
    g->m_failed = metrics_counter(src->reg, g->comp, "send_failed", "frames",
                                  "frames the send hook dropped");
    if (cfg->kind == TRAFFIC_GEN_POISSON) {
        rng_init_stream(&g->rng, cfg->run_seed,
                        sim_component_path(src->sim, g->comp), "arrivals");
        g->next = sat_add(cfg->start_ps, poisson_gap(g));
    }
    gen_schedule(g);
    *out = g;
    return 0;
}

uint64_t
traffic_gen_frames(const struct traffic_gen *g)
{
    return g->n;
}

/* ----------------------------------------------------------------- */
/* Sinks. */

static void
acct_register(struct traffic_sink *s, struct sink_acct *a,
              sim_component_id comp)
{
    struct metrics *reg = s->ep->reg;

    a->m_frames = metrics_counter(reg, comp, "frames", "frames",
                                  "data frames received");
    a->m_goodput = metrics_counter(reg, comp, "goodput_bytes", "bytes",
                                   "payload bytes delivered");
    a->m_lost = metrics_gauge(reg, comp, "lost", "frames",
                              "sequence numbers skipped and not "
                              "(yet) filled by a late frame");
    a->m_reordered = metrics_counter(reg, comp, "reordered", "frames",
                                     "frames that arrived after a later "
                                     "one of their flow");
    a->m_dups = metrics_counter(reg, comp, "duplicates", "frames",
                                "TCP segments whose data had already "
                                "arrived");
    a->m_latency = metrics_histogram(reg, comp, "latency", "ps",
                                     "one-way latency, send to arrival");
}

struct sink_acct *
traffic_sink_flow(struct traffic_sink *s, uint32_t flow_id)
{
    if (flow_id - s->flow_id_base < s->n_flows) {
        return &s->flows[flow_id - s->flow_id_base];
    }
    return NULL;
}

static void
acct_count(struct sink_acct *a, uint64_t goodput, sim_time_t lat_ps,
           bool reordered, bool duplicate)
{
    a->st.frames++;
    metric_add(a->m_frames, 1);
    a->st.goodput_bytes += goodput;
    metric_add(a->m_goodput, goodput);
    if (reordered) {
        a->st.reordered++;
        metric_add(a->m_reordered, 1);
    }
    if (duplicate) {
        a->st.duplicates++;
        metric_add(a->m_dups, 1);
    }
    if (lat_ps >= 0) {
        metric_record(a->m_latency, (uint64_t)lat_ps);
    }
}

void
traffic_sink_count(struct traffic_sink *s, struct sink_acct *a,
                   uint64_t goodput, sim_time_t lat_ps, bool reordered,
                   bool duplicate)
{
    if (a) {
        acct_count(a, goodput, lat_ps, reordered, duplicate);
    }
    acct_count(&s->total, goodput, lat_ps, reordered, duplicate);
}

static void
acct_lost(struct sink_acct *a, int64_t delta)
{
    SIM_ASSERT(delta >= 0 || a->st.lost >= (uint64_t)-delta);
    a->st.lost += (uint64_t)delta;
    metric_set(a->m_lost, (double)a->st.lost);
}

/* HOW LOSS AND REORDERING ARE COUNTED.  Each flow expects sequence 'next'.
 * A frame with s >= next skips s - next numbers, which count as lost, and
 * next becomes s + 1.  A frame with s < next arrived after a later one: it
 * counts as reordered and, since it fills a gap counted as lost, takes one
 * off the loss.  (A duplicate would count the same way; UDP generators
 * never duplicate.)  The 32-bit sequence is extended against 'next' so it
 * may wrap. */
static void
sink_udp(struct traffic_sink *s, struct vsw_pkt *pkt,
         const struct vsw_parse_result *pr)
{
    const uint8_t *payload = vsw_pkt_data(pkt) + pr->payload_ofs;
    size_t len = pr->l3_end - pr->payload_ofs;
    struct traffic_hdr h;
    struct sink_acct *a;
    sim_time_t now = sim_now(s->ep->sim);
    bool late = false;

    if (!traffic_hdr_read(payload, len, &h)) {
        traffic_sink_count(s, NULL, len, -1, false, false);
        return;
    }
    a = traffic_sink_flow(s, h.flow_id);
    if (a) {
        uint64_t seq = a->next_seq
                       + (uint64_t)(int64_t)(int32_t)(h.seq
                                                      - (uint32_t)a->next_seq);

        if (seq >= a->next_seq) {
            acct_lost(a, (int64_t)(seq - a->next_seq));
            acct_lost(&s->total, (int64_t)(seq - a->next_seq));
            a->next_seq = seq + 1;
        } else {
            late = true;
            if (a->st.lost) {
                acct_lost(a, -1);
                acct_lost(&s->total, -1);
            }
        }
    }
    traffic_sink_count(s, a, len, now >= h.sent_ps ? now - h.sent_ps : -1,
                       late, false);
}

static void
sink_rx(void *ctx, struct vsw_pkt *pkt, const struct vsw_parse_result *pr)
{
    struct traffic_sink *s = ctx;

    if (s->proto == VSW_IPPROTO_UDP) {
        sink_udp(s, pkt, pr);
    } else {
        traffic_tcp_receive(s, pkt, pr);
    }
}

static void
sink_destroy(void *obj)
{
    struct traffic_sink *s = obj;

    traffic_tcp_sink_free(s);
    free(s->flows);
    free(s);
}

int
traffic_sink_create(struct traffic_ep *ep, const struct traffic_sink_config *cfg,
                    struct traffic_sink **out)
{
    struct traffic_sink *s;
    int err = 0;

    if (!ep || !cfg || !cfg->name
        || (cfg->proto != VSW_IPPROTO_UDP && cfg->proto != VSW_IPPROTO_TCP)
        || cfg->flow_id_base > UINT32_MAX - cfg->n_flows
        || cfg->n_flows > 65536 || cfg->delack_ps < 0
        || (cfg->rwnd_bytes && cfg->rwnd_bytes < 128)) {
        return EINVAL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        return ENOMEM;
    }
    if (cfg->n_flows) {
        s->flows = calloc(cfg->n_flows, sizeof *s->flows);
        if (!s->flows) {
            free(s);
            return ENOMEM;
        }
    }
    s->ep = ep;
    s->proto = cfg->proto;
    s->port = cfg->port;
    s->flow_id_base = cfg->flow_id_base;
    s->n_flows = cfg->n_flows;
    s->rwnd_bytes = cfg->rwnd_bytes ? cfg->rwnd_bytes : 4u << 20;
    s->delack_ps = cfg->delack_ps ? cfg->delack_ps : 40 * SIM_PS_PER_MS;
    err = traffic_ep_bind(ep, cfg->proto, cfg->port, cfg->port, sink_rx, s);
    if (err) {
        sink_destroy(s);
        return err;
    }
    s->comp = sim_component_add(ep->sim, ep->comp, cfg->name, &err);
    if (!s->comp || traffic_ep_own(ep, sink_destroy, s) != 0) {
        /* The binding just added is the last one: take it back so nothing
         * reaches the freed sink. */
        err = s->comp ? ENOMEM : (err ? err : EINVAL);
        ep->n_binds--;
        sink_destroy(s);
        return err;
    }
    acct_register(s, &s->total, s->comp);
    for (uint32_t i = 0; i < s->n_flows; i++) {
        char name[24];
        sim_component_id fc;

        snprintf(name, sizeof name, "flow%u", (unsigned)(s->flow_id_base + i));
        fc = sim_component_add(ep->sim, s->comp, name, &err);
        SIM_ASSERT(fc != 0);
        acct_register(s, &s->flows[i], fc);
    }
    *out = s;
    return 0;
}

void
traffic_sink_stats(const struct traffic_sink *s, int64_t flow_id,
                   struct traffic_sink_stats *st)
{
    const struct sink_acct *a;

    if (flow_id < 0) {
        *st = s->total.st;
        return;
    }
    a = traffic_sink_flow((struct traffic_sink *)s, (uint32_t)flow_id);
    if (a && flow_id <= UINT32_MAX) {
        *st = a->st;
    } else {
        memset(st, 0, sizeof *st);
    }
}

struct metric *
traffic_sink_latency(const struct traffic_sink *s, int64_t flow_id)
{
    const struct sink_acct *a;

    if (flow_id < 0) {
        return s->total.m_latency;
    }
    a = traffic_sink_flow((struct traffic_sink *)s, (uint32_t)flow_id);
    return a && flow_id <= UINT32_MAX ? a->m_latency : NULL;
}

/* ----------------------------------------------------------------- */
/* Request/response. */

struct traffic_rr_server {
    struct traffic_ep *ep;
    sim_component_id comp;
    uint16_t port;
    sim_time_t service_ps;
    struct pktq pending;            /* replies waiting for their time */
    struct metric *m_requests, *m_responses;
};

static void
server_reply(struct traffic_rr_server *srv, struct vsw_pkt *reply)
{
    metric_add(srv->m_responses, 1);
    traffic_ep_send(srv->ep, reply);
}

static void
server_due(struct sim *sim, void *ctx)
{
    struct traffic_rr_server *srv = ctx;

    server_reply(srv, pktq_pop(&srv->pending));
}

static void
server_rx(void *ctx, struct vsw_pkt *pkt, const struct vsw_parse_result *pr)
{
    struct traffic_rr_server *srv = ctx;
    const uint8_t *payload = vsw_pkt_data(pkt) + pr->payload_ofs;
    size_t len = pr->l3_end - pr->payload_ofs;
    struct vsw_pkt *reply;
    uint32_t reply_bytes;
    size_t reply_payload;

    if (pr->key.ip_proto != VSW_IPPROTO_UDP || len < TRAFFIC_REQ_HDR_BYTES) {
        metric_add(srv->ep->m_rx_unknown, 1);
        return;
    }
    metric_add(srv->m_requests, 1);
    reply_bytes = vsw_get_be32(payload + TRAFFIC_HDR_BYTES);
    reply_payload = udp_payload_bytes(srv->ep, reply_bytes, TRAFFIC_HDR_BYTES);
    if (!reply_payload) {
        metric_add(srv->ep->m_rx_unknown, 1);
        return;
    }
    reply = traffic_build(srv->ep, pr->key.src_mac, pr->key.src_ip + 12,
                          VSW_IPPROTO_UDP, srv->port, pr->key.src_port, NULL,
                          reply_payload, payload, TRAFFIC_HDR_BYTES);
    if (!reply) {
        metric_add(srv->ep->m_tx_failed, 1);
        return;
    }
    if (srv->service_ps == 0) {
        server_reply(srv, reply);
        return;
    }
    if (pktq_push(&srv->pending, reply, 0, true) != 0
        || sim_schedule_in(srv->ep->sim, srv->service_ps, srv->comp,
                           TRAFFIC_EV_RR_REPLY, server_due, srv, NULL) != 0) {
        sim_log(srv->ep->sim, srv->comp, SIM_LOG_ERROR,
                "out of memory; reply dropped");
        metric_add(srv->ep->m_tx_failed, 1);
        /* If the push succeeded the frame sits at the tail: take it back. */
        if (srv->pending.n && srv->pending.ring[(srv->pending.head
                                                 + srv->pending.n - 1)
                                                % srv->pending.cap] == reply) {
            srv->pending.n--;
        }
        vsw_pkt_free(reply);
    }
}

static void
server_destroy(void *obj)
{
    struct traffic_rr_server *srv = obj;

    pktq_fini(&srv->pending);
    free(srv);
}

int
traffic_rr_server_create(struct traffic_ep *ep,
                         const struct traffic_rr_server_config *cfg,
                         struct traffic_rr_server **out)
{
    struct traffic_rr_server *srv;
    int err = 0;

    if (!ep || !cfg || !cfg->name || cfg->service_ps < 0) {
        return EINVAL;
    }
    srv = calloc(1, sizeof *srv);
    if (!srv) {
        return ENOMEM;
    }
    srv->ep = ep;
    srv->port = cfg->port;
    srv->service_ps = cfg->service_ps;
    err = traffic_ep_bind(ep, VSW_IPPROTO_UDP, cfg->port, cfg->port,
                          server_rx, srv);
    if (err) {
        free(srv);
        return err;
    }
    srv->comp = sim_component_add(ep->sim, ep->comp, cfg->name, &err);
    if (!srv->comp || traffic_ep_own(ep, server_destroy, srv) != 0) {
        ep->n_binds--;
        free(srv);
        return err ? err : ENOMEM;
    }
    srv->m_requests = metrics_counter(ep->reg, srv->comp, "requests",
                                      "frames", "requests received");
    srv->m_responses = metrics_counter(ep->reg, srv->comp, "responses",
                                       "frames", "responses sent");
    *out = srv;
    return 0;
}

struct rr_flow {
    struct traffic_rr *rr;
    uint32_t i;
    uint32_t seq;
};

struct traffic_rr {
    struct traffic_ep *ep;
    sim_component_id comp;
    struct traffic_rr_config cfg;
    size_t req_payload;
    struct rr_flow *flows;
    struct metric *m_requests, *m_responses, *m_rtt;
};

static void
rr_send(struct rr_flow *f)
{
    struct traffic_rr *rr = f->rr;
    const struct traffic_flows *fl = &rr->cfg.flows;
    struct traffic_hdr h = { fl->flow_id_base + f->i, f->seq++,
                             sim_now(rr->ep->sim) };
    uint8_t hb[TRAFFIC_REQ_HDR_BYTES];
    struct vsw_pkt *pkt;

    if (rr->cfg.stop_ps && h.sent_ps >= rr->cfg.stop_ps) {
        return;
    }
    traffic_hdr_write(hb, &h);
    vsw_put_be32(hb + TRAFFIC_HDR_BYTES, rr->cfg.response_bytes);
    pkt = traffic_build(rr->ep, fl->dst.mac, fl->dst.ipv4, VSW_IPPROTO_UDP,
                        (uint16_t)(fl->src_port_base + f->i), fl->dst.port,
                        NULL, rr->req_payload, hb, sizeof hb);
    if (!pkt) {
        metric_add(rr->ep->m_tx_failed, 1);
        return;
    }
    metric_add(rr->m_requests, 1);
    traffic_ep_send(rr->ep, pkt);
}

static void
rr_next(struct sim *sim, void *ctx)
{
    rr_send(ctx);
}

static void
rr_start(struct sim *sim, void *ctx)
{
    struct traffic_rr *rr = ctx;

    for (uint32_t k = 0; k < rr->cfg.outstanding; k++) {
        for (uint32_t i = 0; i < rr->cfg.flows.n_flows; i++) {
            rr_send(&rr->flows[i]);
        }
    }
}

static void
rr_rx(void *ctx, struct vsw_pkt *pkt, const struct vsw_parse_result *pr)
{
    struct traffic_rr *rr = ctx;
    const uint8_t *payload = vsw_pkt_data(pkt) + pr->payload_ofs;
    struct traffic_hdr h;
    sim_time_t now = sim_now(rr->ep->sim);
    uint32_t i;

    if (pr->key.ip_proto != VSW_IPPROTO_UDP
        || !traffic_hdr_read(payload, pr->l3_end - pr->payload_ofs, &h)
        || h.flow_id - rr->cfg.flows.flow_id_base >= rr->cfg.flows.n_flows
        || h.sent_ps > now) {
        metric_add(rr->ep->m_rx_unknown, 1);
        return;
    }
    i = h.flow_id - rr->cfg.flows.flow_id_base;
    metric_add(rr->m_responses, 1);
    metric_record(rr->m_rtt, (uint64_t)(now - h.sent_ps));
    if (rr->cfg.think_ps == 0) {
        rr_send(&rr->flows[i]);
    } else if (sim_schedule_in(rr->ep->sim, rr->cfg.think_ps, rr->comp,
                               TRAFFIC_EV_RR_NEXT, rr_next, &rr->flows[i],
                               NULL) != 0) {
        sim_log(rr->ep->sim, rr->comp, SIM_LOG_ERROR,
                "out of memory; a request slot is lost");
    }
}

static void
rr_destroy(void *obj)
{
    struct traffic_rr *rr = obj;

    free(rr->flows);
    free(rr);
}

int
traffic_rr_create(struct traffic_ep *ep, const struct traffic_rr_config *cfg,
                  struct traffic_rr **out)
{
    struct traffic_rr *rr;
    int err = 0;

    if (!ep || !cfg || !cfg->name || !traffic_flows_valid(&cfg->flows)
        || cfg->request_bytes < VSW_ETH_MIN_LEN
        || cfg->response_bytes < VSW_ETH_MIN_LEN
        || !udp_payload_bytes(ep, cfg->request_bytes, TRAFFIC_REQ_HDR_BYTES)
        || cfg->response_bytes > TRAFFIC_MAX_FRAME_BYTES
        || cfg->outstanding == 0 || cfg->think_ps < 0 || cfg->start_ps < 0
        || cfg->stop_ps < 0) {
        return EINVAL;
    }
    rr = calloc(1, sizeof *rr);
    if (!rr) {
        return ENOMEM;
    }
    rr->flows = calloc(cfg->flows.n_flows, sizeof *rr->flows);
    if (!rr->flows) {
        free(rr);
        return ENOMEM;
    }
    rr->ep = ep;
    rr->cfg = *cfg;
    rr->cfg.name = NULL;
    rr->req_payload = udp_payload_bytes(ep, cfg->request_bytes,
                                        TRAFFIC_REQ_HDR_BYTES);
    for (uint32_t i = 0; i < cfg->flows.n_flows; i++) {
        rr->flows[i].rr = rr;
        rr->flows[i].i = i;
    }
    err = traffic_ep_bind(ep, VSW_IPPROTO_UDP, cfg->flows.src_port_base,
                          (uint16_t)(cfg->flows.src_port_base
                                     + cfg->flows.n_flows - 1),
                          rr_rx, rr);
    if (err) {
        rr_destroy(rr);
        return err;
    }
    rr->comp = sim_component_add(ep->sim, ep->comp, cfg->name, &err);
    if (!rr->comp || traffic_ep_own(ep, rr_destroy, rr) != 0) {
        ep->n_binds--;
        rr_destroy(rr);
        return err ? err : ENOMEM;
    }
    rr->m_requests = metrics_counter(ep->reg, rr->comp, "requests", "frames",
                                     "requests sent");
    rr->m_responses = metrics_counter(ep->reg, rr->comp, "responses",
                                      "frames", "responses received");
    rr->m_rtt = metrics_histogram(ep->reg, rr->comp, "rtt", "ps",
                                  "request sent to response received");
    err = sim_schedule_at(ep->sim, cfg->start_ps, rr->comp,
                          TRAFFIC_EV_RR_NEXT, rr_start, rr, NULL);
    if (err) {
        return err;     /* owned by the endpoint now */
    }
    *out = rr;
    return 0;
}

struct metric *
traffic_rr_rtt(const struct traffic_rr *rr)
{
    return rr->m_rtt;
}
