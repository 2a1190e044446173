/*
 * link.c -- the point-to-point Ethernet link (link.h).
 *
 * Each direction keeps the frames it has in flight in a ring, oldest
 * first, with the id of the event that delivers each.  Delivery instants
 * of one direction strictly increase (a frame starts at least one slot
 * after the previous one started, and a slot is longer than any frame
 * time it contains), so the delivery event always finds its frame at the
 * head of the ring.  Taking the link down empties both rings and cancels
 * their events.
 */
#include "config.h"

#include "models/link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"
#include "vmswitch/packet.h"

/* Event kinds, for the fingerprint. */
enum {
    LINK_EV_TX_DONE = 1,
    LINK_EV_DELIVER = 2,
};

struct flight {
    struct vsw_pkt *pkt;
    sim_event_id ev;
};

struct link_dir {
    struct link *link;
    unsigned side;              /* the sending side */
    sim_component_id comp;

    bool busy;                  /* transmitter serializing a slot */

    struct flight *ring;        /* frames in flight, oldest at 'head' */
    size_t cap, head, n;

    struct metric *m_frames, *m_bytes, *m_drops, *m_util;
};

struct link_end {
    link_rx_fn *rx;
    link_tx_ready_fn *tx_ready;
    void *ctx;
};

struct link {
    struct sim *sim;
    sim_component_id comp;
    uint64_t rate_bps;
    sim_time_t ps_per_bit;
    sim_time_t delay_ps;
    bool up;
    struct link_dir dir[2];     /* indexed by sending side */
    struct link_end end[2];     /* indexed by side */
};

bool
link_rate_valid(uint64_t rate_bps)
{
    switch (rate_bps) {
    case UINT64_C(1000000000):
    case UINT64_C(10000000000):
    case UINT64_C(25000000000):
    case UINT64_C(40000000000):
    case UINT64_C(100000000000):
        return true;
    default:
        return false;
    }
}

uint64_t
link_frame_wire_bytes(size_t len)
{
    uint64_t l = len < LINK_MIN_FRAME_BYTES ? LINK_MIN_FRAME_BYTES : len;
    return LINK_PREAMBLE_BYTES + l + LINK_FCS_BYTES;
}

uint64_t
link_slot_wire_bytes(size_t len)
{
    return link_frame_wire_bytes(len) + LINK_IFG_BYTES;
}

sim_time_t
link_frame_time_ps(size_t len, uint64_t rate_bps)
{
    SIM_ASSERT(link_rate_valid(rate_bps));
    return (sim_time_t)(link_frame_wire_bytes(len) * 8
                        * (uint64_t)(SIM_PS_PER_S / (sim_time_t)rate_bps));
}

sim_time_t
link_slot_time_ps(size_t len, uint64_t rate_bps)
{
    SIM_ASSERT(link_rate_valid(rate_bps));
    return (sim_time_t)(link_slot_wire_bytes(len) * 8
                        * (uint64_t)(SIM_PS_PER_S / (sim_time_t)rate_bps));
}

static void
register_dir(struct link *link, struct metrics *reg, unsigned side)
{
    struct link_dir *d = &link->dir[side];

    d->m_frames = metrics_counter(reg, d->comp, "frames", "frames",
                                  "frames delivered in this direction");
    d->m_bytes = metrics_counter(reg, d->comp, "bytes", "bytes",
                                 "bytes of the frames delivered (no FCS)");
    d->m_drops = metrics_counter(reg, d->comp, "drops", "frames",
                                 "frames dropped because the link was down");
    d->m_util = metrics_timeavg(reg, d->comp, "utilization", "1",
                                "fraction of time the transmitter is busy",
                                0.0);
}

int
link_create(struct sim *sim, struct metrics *reg, sim_component_id parent,
            const struct link_config *cfg, struct link **out)
{
    struct link *link;
    int err = 0;

    if (!cfg || !cfg->name || !link_rate_valid(cfg->rate_bps)
        || cfg->delay_ps < 0) {
        return EINVAL;
    }
    link = calloc(1, sizeof *link);
    if (!link) {
        return ENOMEM;
    }
    link->sim = sim;
    link->rate_bps = cfg->rate_bps;
    link->ps_per_bit = SIM_PS_PER_S / (sim_time_t)cfg->rate_bps;
    link->delay_ps = cfg->delay_ps;
    link->up = true;
    link->comp = sim_component_add(sim, parent, cfg->name, &err);
    if (!link->comp) {
        free(link);
        return err ? err : EINVAL;
    }
    for (unsigned side = 0; side < 2; side++) {
        struct link_dir *d = &link->dir[side];

        d->link = link;
        d->side = side;
        d->comp = sim_component_add(sim, link->comp,
                                    side ? "side1" : "side0", &err);
        if (!d->comp) {
            free(link);
            return err ? err : ENOMEM;
        }
        register_dir(link, reg, side);
    }
    *out = link;
    return 0;
}

static void
drop_in_flight(struct link_dir *d)
{
    while (d->n) {
        struct flight *f = &d->ring[d->head];

        sim_cancel(d->link->sim, f->ev);
        vsw_pkt_free(f->pkt);
        metric_add(d->m_drops, 1);
        d->head = (d->head + 1) % d->cap;
        d->n--;
    }
    d->head = 0;
}

void
link_destroy(struct link *link)
{
    if (!link) {
        return;
    }
    for (unsigned side = 0; side < 2; side++) {
        struct link_dir *d = &link->dir[side];

        for (size_t i = 0; i < d->n; i++) {
            vsw_pkt_free(d->ring[(d->head + i) % d->cap].pkt);
        }
        free(d->ring);
    }
    free(link);
}

void
link_attach(struct link *link, unsigned side, link_rx_fn *rx,
            link_tx_ready_fn *tx_ready, void *ctx)
{
    SIM_ASSERT(side < 2);
    link->end[side].rx = rx;
    link->end[side].tx_ready = tx_ready;
    link->end[side].ctx = ctx;
}

bool
link_tx_idle(const struct link *link, unsigned side)
{
    SIM_ASSERT(side < 2);
    return !link->dir[side].busy;
}

/* The transmitter of direction 'ctx' has finished its slot. */
static void
tx_done(struct sim *sim, void *ctx)
{
    struct link_dir *d = ctx;
    struct link_end *e = &d->link->end[d->side];

    d->busy = false;
    metric_set(d->m_util, 0.0);
    if (e->tx_ready) {
        e->tx_ready(e->ctx);
    }
}

/* The oldest frame in flight of direction 'ctx' has fully arrived. */
static void
deliver(struct sim *sim, void *ctx)
{
    struct link_dir *d = ctx;
    struct link_end *e = &d->link->end[!d->side];
    struct vsw_pkt *pkt;

    SIM_ASSERT(d->n > 0);
    pkt = d->ring[d->head].pkt;
    d->head = (d->head + 1) % d->cap;
    d->n--;
    metric_add(d->m_frames, 1);
    metric_add(d->m_bytes, vsw_pkt_len(pkt));
    if (e->rx) {
        e->rx(e->ctx, pkt);
    } else {
        vsw_pkt_free(pkt);
    }
}

/* Makes room for one more frame in flight.  Returns 0 or ENOMEM, with the
 * ring unchanged on failure. */
static int
ring_reserve(struct link_dir *d)
{
    struct flight *ring;
    size_t cap;

    if (d->n < d->cap) {
        return 0;
    }
    cap = d->cap ? d->cap * 2 : 16;
    ring = malloc(cap * sizeof *ring);
    if (!ring) {
        return ENOMEM;
    }
    for (size_t i = 0; i < d->n; i++) {
        ring[i] = d->ring[(d->head + i) % d->cap];
    }
    free(d->ring);
    d->ring = ring;
    d->cap = cap;
    d->head = 0;
    return 0;
}

int
link_send(struct link *link, unsigned side, struct vsw_pkt *pkt)
{
    struct link_dir *d;
    struct flight *f;
    sim_time_t now, ps_per_byte;
    size_t len;
    int err;

    SIM_ASSERT(side < 2);
    d = &link->dir[side];
    if (!pkt || vsw_pkt_len(pkt) == 0) {
        return EINVAL;
    }
    if (d->busy) {
        return EBUSY;
    }
    if (!link->up) {
        metric_add(d->m_drops, 1);
        vsw_pkt_free(pkt);
        return 0;
    }
    err = ring_reserve(d);
    if (err) {
        return err;
    }
    len = vsw_pkt_len(pkt);
    now = sim_now(link->sim);
    ps_per_byte = link->ps_per_bit * 8;
    f = &d->ring[(d->head + d->n) % d->cap];
    err = sim_schedule_at(link->sim,
                          now + (sim_time_t)link_frame_wire_bytes(len)
                                * ps_per_byte + link->delay_ps,
                          d->comp, LINK_EV_DELIVER, deliver, d, &f->ev);
    if (err) {
        return err;
    }
    err = sim_schedule_at(link->sim,
                          now + (sim_time_t)link_slot_wire_bytes(len)
                                * ps_per_byte,
                          d->comp, LINK_EV_TX_DONE, tx_done, d, NULL);
    if (err) {
        sim_cancel(link->sim, f->ev);
        return err;
    }
    f->pkt = pkt;
    d->n++;
    d->busy = true;
    metric_set(d->m_util, 1.0);
    return 0;
}

void
link_set_up(struct link *link, bool up)
{
    if (link->up && !up) {
        drop_in_flight(&link->dir[0]);
        drop_in_flight(&link->dir[1]);
    }
    link->up = up;
}

bool
link_is_up(const struct link *link)
{
    return link->up;
}

uint64_t
link_rate_bps(const struct link *link)
{
    return link->rate_bps;
}

sim_time_t
link_delay_ps(const struct link *link)
{
    return link->delay_ps;
}

sim_component_id
link_component(const struct link *link)
{
    return link->comp;
}

size_t
link_in_flight(const struct link *link, unsigned side)
{
    SIM_ASSERT(side < 2);
    return link->dir[side].n;
}
