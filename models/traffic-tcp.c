/*
 * traffic-tcp.c -- the small TCP of traffic.h: a bulk sender per flow
 * (traffic_tcp_create) and the receiving half inside a TCP sink.
 *
 * WHAT IS MODELLED.  One-way bulk data over an established connection:
 * no handshake, no FIN, no options, initial sequence numbers 0 on both
 * sides; the receiver sends pure ACKs.  Sequence numbers are kept as
 * 64-bit byte offsets and put on the wire modulo 2^32; a 32-bit number
 * read from the wire is extended against the nearest expected offset, so
 * transfers may exceed 4 GiB.  Segments start at multiples of the MSS, so
 * a retransmission always resends a whole original segment.
 *
 * SENDER (per flow).  una <= nxt <= high: una is the oldest unacknowledged
 * byte, nxt the next byte to send, high the highest byte ever sent
 * (nxt < high only after a timeout made it go back).  The sender may send
 * while nxt - una + segment <= min(cwnd, rwnd).
 *   Slow start (cwnd < ssthresh): each ACK of new data adds
 *     min(acked, MSS) to cwnd (RFC 5681 eq. 2).
 *   Congestion avoidance: each such ACK adds max(1, MSS*MSS / cwnd)
 *     (RFC 5681 eq. 3).  cwnd is never raised above the receiver's window.
 *   Initial window: RFC 5681 sec. 3.1: 2, 3 or 4 segments by MSS, unless
 *     configured.  ssthresh starts "arbitrarily high" (UINT64_MAX).
 *   Fast retransmit / fast recovery, NewReno (RFC 5681 sec. 3.2 with RFC
 *     6582): the third duplicate ACK (same ack, data outstanding) sets
 *     ssthresh = max(FlightSize / 2, 2*MSS), retransmits the first
 *     unacknowledged segment, sets cwnd = ssthresh + 3*MSS and records
 *     recover = high.  Each further duplicate ACK adds one MSS.  A partial
 *     ACK (below recover) retransmits the next unacknowledged segment and
 *     deflates cwnd by the amount acknowledged, adding back one MSS if
 *     that was at least one MSS; a full ACK sets cwnd = min(ssthresh,
 *     FlightSize + MSS) and ends recovery.  Recovery is not re-entered by
 *     duplicate ACKs that do not cover more than recover.
 *   Retransmission timer (RFC 6298): one RTT measurement at a time, on
 *     new data only (Karn's rule: any retransmission cancels the
 *     measurement); SRTT, RTTVAR and RTO = SRTT + max(1 ps, 4*RTTVAR) with
 *     alpha 1/8 and beta 1/4, raised to rto_min and capped at 60 s; the
 *     initial RTO is rto_initial.  The timer is started when data is sent
 *     and none is outstanding, restarted by each ACK of new data, and
 *     stopped when everything is acknowledged.  On expiry: ssthresh =
 *     max(FlightSize / 2, 2*MSS), cwnd = 1 MSS (RFC 5681 eq. 4 and the
 *     loss window), the RTO doubles (back-off), nxt goes back to una and
 *     sending resumes in slow start (go-back-N; the receiver's
 *     cumulative ACK skips what it already holds).
 *
 * RECEIVER (per connection, in the sink).  rcv_nxt and a sorted list of
 * out-of-order ranges.  An in-order segment advances rcv_nxt (and through
 * any ranges it joins); every second one is acknowledged at once, a
 * lone one after the delayed-ACK timeout.  Out-of-order, duplicate and
 * gap-filling segments are acknowledged at once (RFC 5681 sec. 4.2 and
 * 3.2).  The advertised window is constant (the application reads
 * instantly), sent as rwnd >> 7.
 *
 * The timers are lazy: a flow keeps its deadline and at most one pending
 * event; an event that fires before the (moved) deadline re-arms itself.
 */
#include "config.h"

#include "models/traffic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/traffic-private.h"
#include "sim/log.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/wire.h"

#define WSCALE 7
#define RTO_MAX_PS (60 * SIM_PS_PER_S)

struct tcp_flow {
    struct traffic_tcp *t;
    uint32_t i;
    uint64_t una, nxt, high;
    uint64_t limit;                 /* bytes to transfer */
    uint64_t cwnd, ssthresh, rwnd;
    uint32_t dupacks;
    bool in_recovery, recover_valid;
    uint64_t recover;
    bool timing;                    /* an RTT measurement is running */
    uint64_t timed_end;
    sim_time_t timed_at;
    sim_time_t srtt, rttvar, rto;
    sim_time_t deadline;            /* RTO deadline, 0: timer off */
    bool ev_pending;
    sim_time_t ev_at;
    sim_event_id ev;
    struct traffic_tcp_stats st;
};

struct traffic_tcp {
    struct traffic_ep *ep;
    sim_component_id comp;
    struct traffic_tcp_config cfg;
    uint32_t mss;
    struct tcp_flow *flows;
    struct metric *m_segments, *m_retransmits, *m_fast, *m_timeouts;
    struct metric *m_acked;
};

static uint64_t
min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t
max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* Extends 32-bit wire sequence 'w' to the 64-bit offset nearest 'ref'. */
static uint64_t
seq_extend(uint64_t ref, uint32_t w)
{
    return ref + (uint64_t)(int64_t)(int32_t)(w - (uint32_t)ref);
}

/* ----------------------------------------------------------------- */
/* Sender. */

static void rto_fire(struct sim *sim, void *ctx);

static void
timer_set(struct tcp_flow *f, sim_time_t deadline)
{
    struct traffic_tcp *t = f->t;

    f->deadline = deadline;
    if (!deadline || (f->ev_pending && f->ev_at <= deadline)) {
        return;     /* off, or the pending event will re-arm itself */
    }
    if (f->ev_pending) {
        sim_cancel(t->ep->sim, f->ev);
    }
    f->ev_pending = sim_schedule_at(t->ep->sim, deadline, t->comp,
                                    TRAFFIC_EV_TCP_RTO, rto_fire, f,
                                    &f->ev) == 0;
    f->ev_at = deadline;
    SIM_ASSERT(f->ev_pending);
}

static void
timer_restart(struct tcp_flow *f)
{
    sim_time_t now = sim_now(f->t->ep->sim);

    timer_set(f, now > SIM_TIME_MAX - f->rto ? SIM_TIME_MAX : now + f->rto);
}

static void
send_segment(struct tcp_flow *f, uint64_t seq)
{
    struct traffic_tcp *t = f->t;
    const struct traffic_flows *fl = &t->cfg.flows;
    sim_time_t now = sim_now(t->ep->sim);
    uint64_t len = min_u64(t->mss, f->limit - seq);
    struct traffic_hdr h = { fl->flow_id_base + f->i,
                             (uint32_t)(seq / t->mss), now };
    struct traffic_tcp_fields tf = { (uint32_t)seq, 0,
                                     VSW_TCP_ACK | VSW_TCP_PSH, 0xffff };
    uint8_t hb[TRAFFIC_HDR_BYTES];
    struct vsw_pkt *pkt;
    bool retrans = seq < f->high;

    SIM_ASSERT(len > 0 && seq % t->mss == 0);
    traffic_hdr_write(hb, &h);
    pkt = traffic_build(t->ep, fl->dst.mac, fl->dst.ipv4, VSW_IPPROTO_TCP,
                        (uint16_t)(fl->src_port_base + f->i), fl->dst.port,
                        &tf, len, hb, min_u64(len, TRAFFIC_HDR_BYTES));
    f->st.segments++;
    metric_add(t->m_segments, 1);
    if (retrans) {
        f->st.retransmits++;
        metric_add(t->m_retransmits, 1);
        f->timing = false;                  /* Karn */
    } else if (!f->timing) {
        f->timing = true;
        f->timed_end = seq + len;
        f->timed_at = now;
    }
    if (seq + len > f->high) {
        f->high = seq + len;
    }
    if (!f->deadline) {
        timer_restart(f);
    }
    if (pkt) {
        traffic_ep_send(t->ep, pkt);        /* a drop is a loss to TCP */
    } else {
        metric_add(t->ep->m_tx_failed, 1);
    }
}

/* Sends what the window allows. */
static void
try_send(struct tcp_flow *f)
{
    struct traffic_tcp *t = f->t;
    sim_time_t now = sim_now(t->ep->sim);
    uint64_t win = min_u64(f->cwnd, f->rwnd);

    while (f->nxt < f->limit) {
        uint64_t len = min_u64(t->mss, f->limit - f->nxt);

        if (f->nxt - f->una + len > win) {
            break;
        }
        if (f->nxt >= f->high && t->cfg.stop_ps && now >= t->cfg.stop_ps) {
            break;                          /* no new data after stop */
        }
        send_segment(f, f->nxt);
        f->nxt += len;
    }
}

static void
rtt_sample(struct tcp_flow *f, sim_time_t r)
{
    const struct traffic_tcp_config *c = &f->t->cfg;
    sim_time_t rto;

    if (f->srtt == 0) {
        f->srtt = r > 0 ? r : 1;
        f->rttvar = r / 2;
    } else {
        sim_time_t d = f->srtt > r ? f->srtt - r : r - f->srtt;

        f->rttvar = (3 * f->rttvar + d) / 4;
        f->srtt = (7 * f->srtt + r) / 8;
    }
    rto = f->srtt + (4 * f->rttvar > 1 ? 4 * f->rttvar : 1);
    if (rto < c->rto_min_ps) {
        rto = c->rto_min_ps;
    }
    f->rto = rto > RTO_MAX_PS ? RTO_MAX_PS : rto;
}

static void
rto_fire(struct sim *sim, void *ctx)
{
    struct tcp_flow *f = ctx;
    struct traffic_tcp *t = f->t;
    uint64_t flight = f->nxt - f->una;

    f->ev_pending = false;
    if (!f->deadline) {
        return;
    }
    if (sim_now(sim) < f->deadline) {
        timer_set(f, f->deadline);
        return;
    }
    f->deadline = 0;
    if (f->una >= f->high) {
        return;
    }
    f->st.timeouts++;
    metric_add(t->m_timeouts, 1);
    f->ssthresh = max_u64(flight / 2, 2 * (uint64_t)t->mss);
    f->cwnd = t->mss;
    f->rto = f->rto > RTO_MAX_PS / 2 ? RTO_MAX_PS : 2 * f->rto;
    f->nxt = f->una;
    f->in_recovery = false;
    f->dupacks = 0;
    f->recover = f->high;
    f->recover_valid = true;
    f->timing = false;
    try_send(f);
    timer_restart(f);
}

static void
retransmit_una(struct tcp_flow *f)
{
    send_segment(f, f->una);
    if (f->nxt == f->una) {
        f->nxt += min_u64(f->t->mss, f->limit - f->una);
    }
}

static void
sender_ack(struct tcp_flow *f, uint64_t ack, uint64_t wnd)
{
    struct traffic_tcp *t = f->t;
    uint64_t mss = t->mss;
    sim_time_t now = sim_now(t->ep->sim);

    if (ack < f->una || ack > f->high) {
        return;                             /* old or impossible */
    }
    f->rwnd = wnd;
    if (ack > f->una) {
        uint64_t acked = ack - f->una;

        f->una = ack;
        if (f->nxt < ack) {
            f->nxt = ack;
        }
        f->st.acked_bytes += acked;
        metric_add(t->m_acked, acked);
        if (f->timing && ack >= f->timed_end) {
            f->timing = false;
            rtt_sample(f, now - f->timed_at);
        }
        if (f->in_recovery) {
            if (ack >= f->recover) {        /* full ACK */
                f->cwnd = min_u64(f->ssthresh, (f->nxt - f->una) + mss);
                f->in_recovery = false;
                f->dupacks = 0;
            } else {                        /* partial ACK */
                retransmit_una(f);
                f->cwnd = f->cwnd > acked ? f->cwnd - acked : 0;
                if (acked >= mss) {
                    f->cwnd += mss;
                }
                if (f->cwnd < mss) {
                    f->cwnd = mss;
                }
            }
        } else {
            f->dupacks = 0;
            if (f->cwnd < f->ssthresh) {
                f->cwnd += min_u64(acked, mss);
            } else {
                f->cwnd += max_u64(1, mss * mss / f->cwnd);
            }
            if (f->cwnd > f->rwnd) {
                f->cwnd = max_u64(f->rwnd, mss);
            }
        }
        if (f->una >= f->high) {
            f->deadline = 0;                /* all acknowledged */
            if (f->una >= f->limit && !f->st.done_ps) {
                f->st.done_ps = now;
            }
        } else {
            timer_restart(f);
        }
    } else if (f->high > f->una) {          /* duplicate ACK */
        f->dupacks++;
        if (f->in_recovery) {
            f->cwnd += mss;
        } else if (f->dupacks == 3
                   && (!f->recover_valid || ack > f->recover)) {
            f->ssthresh = max_u64((f->nxt - f->una) / 2, 2 * mss);
            f->recover = f->high;
            f->recover_valid = true;
            f->in_recovery = true;
            f->st.fast_retransmits++;
            metric_add(t->m_fast, 1);
            retransmit_una(f);
            f->cwnd = f->ssthresh + 3 * mss;
        }
    }
    try_send(f);
}

static void
tcp_sender_rx(void *ctx, struct vsw_pkt *pkt, const struct vsw_parse_result *pr)
{
    struct traffic_tcp *t = ctx;
    const struct vsw_tcp_hdr *th;
    uint32_t i = pr->key.src_port == t->cfg.flows.dst.port
                 ? (uint32_t)pr->key.dst_port - t->cfg.flows.src_port_base
                 : UINT32_MAX;
    struct tcp_flow *f;

    if (pr->key.ip_proto != VSW_IPPROTO_TCP || i >= t->cfg.flows.n_flows) {
        metric_add(t->ep->m_rx_unknown, 1);
        return;
    }
    th = (const struct vsw_tcp_hdr *)(vsw_pkt_data(pkt) + pr->l4_ofs);
    if (!(vsw_get_be16(&th->off_flags) & VSW_TCP_ACK)) {
        return;
    }
    f = &t->flows[i];
    sender_ack(f, seq_extend(f->una, vsw_get_be32(&th->ack)),
               (uint64_t)vsw_get_be16(&th->window) << WSCALE);
}

static void
tcp_start(struct sim *sim, void *ctx)
{
    struct traffic_tcp *t = ctx;

    for (uint32_t i = 0; i < t->cfg.flows.n_flows; i++) {
        try_send(&t->flows[i]);
    }
}

static void
tcp_destroy(void *obj)
{
    struct traffic_tcp *t = obj;

    free(t->flows);
    free(t);
}

int
traffic_tcp_create(struct traffic_ep *src, const struct traffic_tcp_config *cfg,
                   struct traffic_tcp **out)
{
    struct traffic_tcp *t;
    uint32_t mss, iw;
    int err = 0;

    if (!src || !cfg || !cfg->name || !traffic_flows_valid(&cfg->flows)) {
        return EINVAL;
    }
    mss = cfg->mss_bytes ? cfg->mss_bytes : 1460;
    if (mss < TRAFFIC_HDR_BYTES
        || mss + traffic_l2_bytes(src) + 40 > TRAFFIC_MAX_FRAME_BYTES
        || cfg->rto_min_ps < 0 || cfg->rto_initial_ps < 0
        || cfg->start_ps < 0 || cfg->stop_ps < 0) {
        return EINVAL;
    }
    t = calloc(1, sizeof *t);
    if (!t) {
        return ENOMEM;
    }
    t->flows = calloc(cfg->flows.n_flows, sizeof *t->flows);
    if (!t->flows) {
        free(t);
        return ENOMEM;
    }
    t->ep = src;
    t->cfg = *cfg;
    t->cfg.name = NULL;
    t->mss = mss;
    if (!t->cfg.rto_min_ps) {
        t->cfg.rto_min_ps = 200 * SIM_PS_PER_MS;
    }
    if (!t->cfg.rto_initial_ps) {
        t->cfg.rto_initial_ps = SIM_PS_PER_S;
    }
    /* RFC 5681 sec. 3.1. */
    iw = cfg->initial_window_segs;
    if (!iw) {
        iw = mss > 2190 ? 2 : mss > 1095 ? 3 : 4;
    }
    for (uint32_t i = 0; i < cfg->flows.n_flows; i++) {
        struct tcp_flow *f = &t->flows[i];

        f->t = t;
        f->i = i;
        f->limit = cfg->bytes_per_flow ? cfg->bytes_per_flow : UINT64_MAX;
        f->cwnd = (uint64_t)iw * mss;
        f->ssthresh = UINT64_MAX;
        f->rwnd = UINT64_MAX;       /* until the first ACK says */
        f->rto = t->cfg.rto_initial_ps;
    }
    err = traffic_ep_bind(src, VSW_IPPROTO_TCP, cfg->flows.src_port_base,
                          (uint16_t)(cfg->flows.src_port_base
                                     + cfg->flows.n_flows - 1),
                          tcp_sender_rx, t);
    if (err) {
        tcp_destroy(t);
        return err;
    }
    t->comp = sim_component_add(src->sim, src->comp, cfg->name, &err);
    if (!t->comp || traffic_ep_own(src, tcp_destroy, t) != 0) {
        src->n_binds--;
        tcp_destroy(t);
        return err ? err : ENOMEM;
    }
    t->m_segments = metrics_counter(src->reg, t->comp, "segments", "frames",
                                    "data segments sent");
    t->m_retransmits = metrics_counter(src->reg, t->comp, "retransmits",
                                       "frames", "segments sent again");
    t->m_fast = metrics_counter(src->reg, t->comp, "fast_retransmits",
                                "events", "entries into fast recovery");
    t->m_timeouts = metrics_counter(src->reg, t->comp, "timeouts", "events",
                                    "retransmission timer expiries");
    t->m_acked = metrics_counter(src->reg, t->comp, "acked_bytes", "bytes",
                                 "bytes cumulatively acknowledged");
    err = sim_schedule_at(src->sim, cfg->start_ps, t->comp,
                          TRAFFIC_EV_TCP_START, tcp_start, t, NULL);
    if (err) {
        return err;     /* owned by the endpoint now */
    }
    *out = t;
    return 0;
}

void
traffic_tcp_stats(const struct traffic_tcp *t, int64_t i,
                  struct traffic_tcp_stats *st)
{
    const struct tcp_flow *f;

    if (i >= 0) {
        SIM_ASSERT((uint64_t)i < t->cfg.flows.n_flows);
        f = &t->flows[i];
        *st = f->st;
        st->cwnd_bytes = f->cwnd;
        st->ssthresh_bytes = f->ssthresh;
        st->srtt_ps = f->srtt;
        st->rto_ps = f->rto;
        return;
    }
    traffic_tcp_stats(t, 0, st);
    for (uint32_t k = 1; k < t->cfg.flows.n_flows; k++) {
        const struct traffic_tcp_stats *o = &t->flows[k].st;

        st->segments += o->segments;
        st->retransmits += o->retransmits;
        st->fast_retransmits += o->fast_retransmits;
        st->timeouts += o->timeouts;
        st->acked_bytes += o->acked_bytes;
        if (!o->done_ps) {
            st->done_ps = 0;
        } else if (st->done_ps && o->done_ps > st->done_ps) {
            st->done_ps = o->done_ps;
        }
    }
}

/* ----------------------------------------------------------------- */
/* Receiver. */

struct range {
    uint64_t start, end;
};

struct tcp_conn {
    struct traffic_sink *s;
    uint8_t peer_mac[6];
    uint8_t peer_ip[4];
    uint16_t peer_port;
    uint64_t rcv_nxt;
    struct range *ooo;
    size_t n_ooo, cap_ooo;
    unsigned unacked;               /* in-order segments not yet ACKed */
    sim_event_id delack;
    struct sink_acct *acct;
    bool acct_known;
};

static void
send_ack(struct tcp_conn *c)
{
    struct traffic_sink *s = c->s;
    uint64_t w = s->rwnd_bytes >> WSCALE;
    struct traffic_tcp_fields tf = { 0, (uint32_t)c->rcv_nxt, VSW_TCP_ACK,
                                     (uint16_t)(w > 0xffff ? 0xffff : w) };
    struct vsw_pkt *pkt;

    sim_cancel(s->ep->sim, c->delack);
    c->delack = SIM_EVENT_NONE;
    c->unacked = 0;
    pkt = traffic_build(s->ep, c->peer_mac, c->peer_ip, VSW_IPPROTO_TCP,
                        s->port, c->peer_port, &tf, 0, NULL, 0);
    if (pkt) {
        traffic_ep_send(s->ep, pkt);
    } else {
        metric_add(s->ep->m_tx_failed, 1);
    }
}

static void
delack_fire(struct sim *sim, void *ctx)
{
    struct tcp_conn *c = ctx;

    c->delack = SIM_EVENT_NONE;
    send_ack(c);
}

static struct tcp_conn *
conn_find(struct traffic_sink *s, const struct vsw_parse_result *pr)
{
    struct tcp_conn *c, **v;

    for (size_t i = 0; i < s->n_conns; i++) {
        c = s->conns[i];
        if (c->peer_port == pr->key.src_port
            && memcmp(c->peer_ip, pr->key.src_ip + 12, 4) == 0) {
            return c;
        }
    }
    c = calloc(1, sizeof *c);
    v = realloc(s->conns, (s->n_conns + 1) * sizeof *v);
    if (!c || !v) {
        free(c);
        if (v) {
            s->conns = v;
        }
        return NULL;
    }
    s->conns = v;
    s->conns[s->n_conns++] = c;
    c->s = s;
    memcpy(c->peer_mac, pr->key.src_mac, 6);
    memcpy(c->peer_ip, pr->key.src_ip + 12, 4);
    c->peer_port = pr->key.src_port;
    return c;
}

/* Adds [start, end) to the sorted, disjoint out-of-order ranges. */
static bool
ooo_add(struct tcp_conn *c, uint64_t start, uint64_t end)
{
    size_t i = 0, j;

    while (i < c->n_ooo && c->ooo[i].end < start) {
        i++;
    }
    /* Ranges i .. j-1 touch or overlap [start, end): merge them. */
    j = i;
    while (j < c->n_ooo && c->ooo[j].start <= end) {
        start = min_u64(start, c->ooo[j].start);
        end = max_u64(end, c->ooo[j].end);
        j++;
    }
    if (j == i) {
        if (c->n_ooo == c->cap_ooo) {
            size_t cap = c->cap_ooo ? 2 * c->cap_ooo : 8;
            struct range *r = realloc(c->ooo, cap * sizeof *r);

            if (!r) {
                return false;
            }
            c->ooo = r;
            c->cap_ooo = cap;
        }
        memmove(&c->ooo[i + 1], &c->ooo[i], (c->n_ooo - i) * sizeof *c->ooo);
        c->n_ooo++;
    } else {
        memmove(&c->ooo[i + 1], &c->ooo[j], (c->n_ooo - j) * sizeof *c->ooo);
        c->n_ooo -= j - i - 1;
    }
    c->ooo[i].start = start;
    c->ooo[i].end = end;
    return true;
}

void
traffic_tcp_receive(struct traffic_sink *s, struct vsw_pkt *pkt,
                    const struct vsw_parse_result *pr)
{
    const uint8_t *d = vsw_pkt_data(pkt);
    const struct vsw_tcp_hdr *th = (const struct vsw_tcp_hdr *)(d + pr->l4_ofs);
    size_t len = pr->l3_end - pr->payload_ofs;
    sim_time_t now = sim_now(s->ep->sim), lat = -1;
    struct traffic_hdr h;
    struct tcp_conn *c;
    uint64_t start, end;

    if (len == 0) {
        return;                             /* a pure ACK: nothing to do */
    }
    c = conn_find(s, pr);
    if (!c) {
        sim_log(s->ep->sim, s->comp, SIM_LOG_ERROR,
                "out of memory; segment dropped");
        return;
    }
    if (traffic_hdr_read(d + pr->payload_ofs, len, &h)) {
        if (!c->acct_known) {
            c->acct = traffic_sink_flow(s, h.flow_id);
            c->acct_known = true;
        }
        if (now >= h.sent_ps) {
            lat = now - h.sent_ps;
        }
    }
    start = seq_extend(c->rcv_nxt, vsw_get_be32(&th->seq));
    end = start + len;
    if (end <= c->rcv_nxt) {
        traffic_sink_count(s, c->acct, 0, lat, false, true);
        send_ack(c);
    } else if (start > c->rcv_nxt) {
        bool dup = false;

        for (size_t i = 0; i < c->n_ooo; i++) {
            dup |= c->ooo[i].start <= start && end <= c->ooo[i].end;
        }
        if (!ooo_add(c, start, end)) {
            sim_log(s->ep->sim, s->comp, SIM_LOG_ERROR,
                    "out of memory; segment dropped");
            return;
        }
        traffic_sink_count(s, c->acct, 0, lat, !dup, dup);
        send_ack(c);
    } else {
        uint64_t old = c->rcv_nxt;
        bool filled = c->n_ooo > 0;

        c->rcv_nxt = end;
        while (c->n_ooo && c->ooo[0].start <= c->rcv_nxt) {
            c->rcv_nxt = max_u64(c->rcv_nxt, c->ooo[0].end);
            memmove(&c->ooo[0], &c->ooo[1], --c->n_ooo * sizeof *c->ooo);
        }
        traffic_sink_count(s, c->acct, c->rcv_nxt - old, lat, false, false);
        /* A frame receive segment coalescing merged from k segments
         * counts as k for the every-second-segment rule (NDIS reports k
         * as CoalescedSegCount; Linux's GRO counts gso_segs alike):
         * counted as one, a stream coalesced one frame per interrupt
         * would wait for the delayed-ACK timer every time. */
        c->unacked += pkt->oob.rsc_seg_count > 1 ? pkt->oob.rsc_seg_count : 1;
        if (filled || c->unacked >= 2) {
            send_ack(c);
        } else if (c->delack == SIM_EVENT_NONE
                   && sim_schedule_in(s->ep->sim, s->delack_ps, s->comp,
                                      TRAFFIC_EV_TCP_DELACK, delack_fire, c,
                                      &c->delack) != 0) {
            send_ack(c);
        }
    }
}

void
traffic_tcp_sink_free(struct traffic_sink *s)
{
    for (size_t i = 0; i < s->n_conns; i++) {
        free(s->conns[i]->ooo);
        free(s->conns[i]);
    }
    free(s->conns);
    s->conns = NULL;
    s->n_conns = 0;
}
