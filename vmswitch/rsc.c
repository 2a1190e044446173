/*
 * rsc.c -- receive segment coalescing (see rsc.h for the rules and
 * doc/vmswitch-rsc.md for their NDIS sources).  Uses the parser (parse.h)
 * to find the headers, csum.h to verify and recompute checksums, and
 * packet.h for the frame being built; the inverse of vsw_offload_segment()
 * in offload.c.
 */
#include <config.h>
#include "vmswitch/rsc.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "vmswitch/alloc.h"
#include "vmswitch/csum.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/wire.h"

/* TCP flags a segment may carry and still coalesce: ACK and PSH
 * (exception 3), ECE and CWR as long as they do not change (exception 8). */
#define OK_FLAGS (VSW_TCP_ACK | VSW_TCP_PSH | VSW_TCP_ECE | VSW_TCP_CWR)
#define ECN_FLAGS (VSW_TCP_ECE | VSW_TCP_CWR)

/* The timestamp option: kind, length, TSval, TSecr. */
#define TS_OPT_LEN 10

/* One open context: a single coalesced unit being built for one TCP
 * connection.  "H." names are those of the NDIS flowcharts.
 *
 * INVARIANTS.  'pkt' is owned; its bytes up to 'end' hold the first
 * segment's headers, unchanged until finalization, followed by the
 * payloads absorbed so far in sequence order; H.NXT = 'seq' + ('end' -
 * 'pr.payload_ofs').  If 'absorbed' is 0 the packet is exactly the frame
 * that opened the context (its length may include Ethernet padding past
 * 'end'). */
struct rsc_ctx {
    struct vsw_pkt *pkt;
    struct vsw_parse_result pr;     /* of the first segment */
    size_t end;                     /* end of the SCU's IP datagram */
    uint16_t ts_ofs;                /* timestamp option in the frame, or 0 */

    uint32_t seq;                   /* H.SEQ */
    uint32_t ack;                   /* H.ACK */
    uint16_t wnd;                   /* H.WND */
    uint32_t tsval, tsecr;          /* H.TSval, H.TSecr (the latest) */
    uint32_t tsval_first;           /* the earliest TSval */
    uint8_t ttl_min;                /* least TTL / hop limit seen */
    bool psh;                       /* PSH seen on any segment */

    uint32_t data_segs;             /* CoalescedSegCount */
    uint32_t dup_acks;              /* H.DupAckCount */
    uint32_t absorbed;              /* frames merged into 'pkt' */
};

struct vsw_rsc {
    struct vsw_rsc_config cfg;      /* defaults filled in */
    vsw_rsc_emit_fn *emit;
    void *aux;
    struct rsc_ctx *ctx;            /* [0, n_open) open, oldest first */
    size_t n_open;
    struct vsw_rsc_stats stats;
};

/* A received TCP segment, parsed. */
struct seg {
    struct vsw_pkt *pkt;
    const uint8_t *d;
    struct vsw_parse_result pr;
    bool v4;
    size_t end;                     /* pr.l3_end */
    size_t plen;                    /* SEG.LEN */
    uint32_t seq, ack;              /* SEG.SEQ, SEG.ACK */
    uint16_t wnd;                   /* SEG.WND */
    uint16_t flags;                 /* the 9 flag bits and reserved */
    uint16_t ts_ofs;                /* timestamp option, or 0 */
    uint32_t tsval, tsecr;
};

static const char *const reason_names[VSW_RSC_N_REASONS] = {
    [VSW_RSC_EXC_NO_CONTEXT] = "no-context",
    [VSW_RSC_EXC_CSUM_BAD] = "csum-bad",
    [VSW_RSC_EXC_CSUM_UNCHECKED] = "csum-unchecked",
    [VSW_RSC_EXC_TCP_FLAGS] = "tcp-flags",
    [VSW_RSC_EXC_TCP_OPTIONS] = "tcp-options",
    [VSW_RSC_EXC_IP_OPTIONS] = "ip-options",
    [VSW_RSC_EXC_IP_FRAGMENT] = "ip-fragment",
    [VSW_RSC_EXC_MAX_SIZE] = "max-size",
    [VSW_RSC_EXC_ECN] = "ecn",
    [VSW_RSC_EXC_OUT_OF_ORDER] = "out-of-order",
    [VSW_RSC_EXC_ACK_BEHIND] = "ack-behind",
    [VSW_RSC_EXC_PURE_ACK] = "pure-ack",
    [VSW_RSC_EXC_DUP_ACK] = "dup-ack",
    [VSW_RSC_EXC_TIMESTAMP] = "timestamp",
    [VSW_RSC_EXC_HEADER] = "header",
};

const char *
vsw_rsc_reason_name(enum vsw_rsc_reason r)
{
    return (unsigned) r < VSW_RSC_N_REASONS ? reason_names[r] : "unknown";
}

/* True if 'a' is before 'b' in modulo-2^32 sequence space (RFC 793
 * section 3.3). */
static bool
seq_before(uint32_t a, uint32_t b)
{
    return (int32_t) (a - b) < 0;
}

/* ------------------------------------------------------------------ */
/* Creation. */

int
vsw_rsc_create(const struct vsw_rsc_config *config, vsw_rsc_emit_fn *emit,
               void *aux, struct vsw_rsc **rscp)
{
    struct vsw_rsc_config cfg = config ? *config : (struct vsw_rsc_config) {0};
    struct vsw_rsc *rsc;

    *rscp = NULL;
    if (!cfg.max_contexts) {
        cfg.max_contexts = VSW_RSC_DEFAULT_CONTEXTS;
    }
    if (!cfg.max_ip_bytes) {
        cfg.max_ip_bytes = VSW_RSC_MAX_IP_BYTES;
    }
    if (!emit || cfg.max_ip_bytes < 68
        || cfg.max_ip_bytes > VSW_RSC_MAX_IP_BYTES) {
        return EINVAL;
    }
    rsc = vsw_calloc(1, sizeof *rsc);
    if (!rsc) {
        return ENOMEM;
    }
    rsc->ctx = vsw_calloc(cfg.max_contexts, sizeof *rsc->ctx);
    if (!rsc->ctx) {
        vsw_free(rsc);
        return ENOMEM;
    }
    rsc->cfg = cfg;
    rsc->emit = emit;
    rsc->aux = aux;
    *rscp = rsc;
    return 0;
}

void
vsw_rsc_destroy(struct vsw_rsc *rsc)
{
    if (!rsc) {
        return;
    }
    for (size_t i = 0; i < rsc->n_open; i++) {
        vsw_pkt_free(rsc->ctx[i].pkt);
    }
    vsw_free(rsc->ctx);
    vsw_free(rsc);
}

size_t
vsw_rsc_n_open(const struct vsw_rsc *rsc)
{
    return rsc->n_open;
}

void
vsw_rsc_get_stats(const struct vsw_rsc *rsc, struct vsw_rsc_stats *stats)
{
    *stats = rsc->stats;
}

/* ------------------------------------------------------------------ */
/* Emission. */

static void
emit(struct vsw_rsc *rsc, struct vsw_pkt *pkt, struct vsw_rsc_work *w)
{
    w->frames_emitted++;
    rsc->emit(rsc->aux, pkt);
}

/* Writes the SCU of 'c' into its packet's headers: lengths, least TTL or
 * hop limit, last ACK, window and timestamp, OR-ed PSH, checksums, and the
 * RSC metadata. */
static void
finalize(struct vsw_rsc *rsc, struct rsc_ctx *c, struct vsw_rsc_work *w)
{
    struct vsw_pkt *pkt = c->pkt;
    uint8_t *d = vsw_pkt_data(pkt);
    size_t l3 = c->pr.l3_ofs, l4 = c->pr.l4_ofs;
    struct vsw_parse_result pr = c->pr;
    int error;

    pkt->len = c->end;
    if (pr.key.ip_version == 4) {
        vsw_put_be16(d + l3 + 2, (uint16_t) (c->end - l3));
        d[l3 + 8] = c->ttl_min;
        vsw_csum_ipv4_fill(d + l3, VSW_IPV4_HEADER_LEN);
        w->bytes_checksummed += VSW_IPV4_HEADER_LEN;
        pkt->oob.rx_csum_ip = VSW_CSUM_RX_PASSED;
    } else {
        vsw_put_be16(d + l3 + 4,
                     (uint16_t) (c->end - l3 - VSW_IPV6_HEADER_LEN));
        d[l3 + 7] = c->ttl_min;
    }
    vsw_put_be32(d + l4 + 8, c->ack);
    vsw_put_be16(d + l4 + 14, c->wnd);
    if (c->psh) {
        d[l4 + 13] |= VSW_TCP_PSH;
    }
    if (c->ts_ofs) {
        vsw_put_be32(d + c->ts_ofs + 2, c->tsval);
        vsw_put_be32(d + c->ts_ofs + 6, c->tsecr);
    }
    pr.l3_end = c->end;
    error = vsw_csum_l4_fill(d, c->end, &pr, &w->bytes_checksummed);
    assert(!error);
    (void) error;
    pkt->oob.rx_csum_tcp = VSW_CSUM_RX_PASSED;
    /* Every data segment brings at least one byte to at most 65535, so
     * the segment count fits; duplicate ACKs bring none and saturate. */
    assert(c->data_segs <= UINT16_MAX);
    pkt->oob.rsc_seg_count = (uint16_t) c->data_segs;
    pkt->oob.rsc_dup_ack_count = c->dup_acks > UINT16_MAX
                                 ? UINT16_MAX : (uint16_t) c->dup_acks;
    pkt->oob.rsc_ts_delta = c->ts_ofs ? c->tsval - c->tsval_first : 0;
    rsc->stats.coalesce_events++;
}

/* Finalizes the context at index 'i' if anything was absorbed, emits its
 * frame and closes it, keeping the others in age order. */
static void
close_ctx(struct vsw_rsc *rsc, size_t i, struct vsw_rsc_work *w)
{
    struct rsc_ctx *c = &rsc->ctx[i];
    struct vsw_pkt *pkt = c->pkt;

    if (c->absorbed) {
        finalize(rsc, c, w);
    }
    memmove(&rsc->ctx[i], &rsc->ctx[i + 1],
            (rsc->n_open - i - 1) * sizeof *rsc->ctx);
    rsc->n_open--;
    emit(rsc, pkt, w);
}

void
vsw_rsc_flush(struct vsw_rsc *rsc, struct vsw_rsc_work *work)
{
    struct vsw_rsc_work w = { 0 };

    while (rsc->n_open) {
        close_ctx(rsc, 0, &w);
    }
    if (work) {
        work->bytes_checksummed += w.bytes_checksummed;
        work->frames_emitted += w.frames_emitted;
    }
}

/* ------------------------------------------------------------------ */
/* Stage 1: parsing. */

/* Parses 'pkt' into '*s'.  Returns false if it is not a TCP segment with
 * ports (stage 1 lets it pass). */
static bool
parse_segment(struct vsw_pkt *pkt, struct seg *s)
{
    const uint8_t *d = vsw_pkt_data_const(pkt);
    size_t l4;

    memset(s, 0, sizeof *s);
    if (vsw_parse_bytes(d, vsw_pkt_len(pkt), 0, &s->pr) != VSW_PARSE_OK
        || !s->pr.has_l4 || s->pr.key.ip_proto != VSW_IPPROTO_TCP) {
        return false;
    }
    l4 = s->pr.l4_ofs;
    s->pkt = pkt;
    s->d = d;
    s->v4 = s->pr.key.ip_version == 4;
    s->end = s->pr.l3_end;
    s->plen = s->end - s->pr.payload_ofs;
    s->seq = vsw_get_be32(d + l4 + 4);
    s->ack = vsw_get_be32(d + l4 + 8);
    s->flags = vsw_get_be16(d + l4 + 12) & 0x0fff;
    s->wnd = vsw_get_be16(d + l4 + 14);
    return true;
}

/* Walks the TCP options of 's': NOP and EOL padding and one timestamp
 * option are allowed (exception 4), and the timestamp is recorded.
 * Returns false for any other option. */
static bool
scan_options(struct seg *s, bool no_timestamps)
{
    size_t o = s->pr.l4_ofs + VSW_TCP_HEADER_LEN, end = s->pr.payload_ofs;

    while (o < end) {
        uint8_t kind = s->d[o];

        if (kind == VSW_TCP_OPT_EOL) {
            return true;
        } else if (kind == VSW_TCP_OPT_NOP) {
            o++;
        } else if (kind == VSW_TCP_OPT_TIMESTAMP && !no_timestamps
                   && !s->ts_ofs && o + TS_OPT_LEN <= end
                   && s->d[o + 1] == TS_OPT_LEN) {
            s->ts_ofs = (uint16_t) o;
            s->tsval = vsw_get_be32(s->d + o + 2);
            s->tsecr = vsw_get_be32(s->d + o + 6);
            o += TS_OPT_LEN;
        } else {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Stage 3: exceptions a segment raises by itself. */

/* Returns the exception segment 's' raises on its own, or -1.  Software
 * checksum verification is charged to '*w'. */
static int
segment_exception(const struct vsw_rsc *rsc, struct seg *s,
                  struct vsw_rsc_work *w)
{
    const struct vsw_pkt_oob *oob = &s->pkt->oob;
    bool unchecked;

    if (s->flags & ~OK_FLAGS) {
        return VSW_RSC_EXC_TCP_FLAGS;
    }
    if (!scan_options(s, rsc->cfg.no_timestamps)) {
        return VSW_RSC_EXC_TCP_OPTIONS;
    }
    if (s->pr.l3_hdr_len != (s->v4 ? VSW_IPV4_HEADER_LEN
                                   : VSW_IPV6_HEADER_LEN)) {
        return VSW_RSC_EXC_IP_OPTIONS;
    }
    if (s->pr.key.ip_frag) {
        return VSW_RSC_EXC_IP_FRAGMENT;
    }
    if (oob->rx_csum_tcp == VSW_CSUM_RX_FAILED
        || (s->v4 && oob->rx_csum_ip == VSW_CSUM_RX_FAILED)) {
        return VSW_RSC_EXC_CSUM_BAD;
    }
    unchecked = oob->rx_csum_tcp != VSW_CSUM_RX_PASSED
                || (s->v4 && oob->rx_csum_ip != VSW_CSUM_RX_PASSED);
    if (unchecked) {
        if (!rsc->cfg.verify_unchecked) {
            return VSW_RSC_EXC_CSUM_UNCHECKED;
        }
        w->bytes_checksummed += s->end - s->pr.l4_ofs;
        if (s->v4) {
            w->bytes_checksummed += VSW_IPV4_HEADER_LEN;
            if (!vsw_csum_ipv4_verify(s->d + s->pr.l3_ofs,
                                      VSW_IPV4_HEADER_LEN)) {
                return VSW_RSC_EXC_CSUM_BAD;
            }
        }
        if (vsw_csum_l4_verify(s->d, s->end, &s->pr)) {
            return VSW_RSC_EXC_CSUM_BAD;
        }
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* Stages 2 and 4: contexts. */

static struct rsc_ctx *
lookup(struct vsw_rsc *rsc, const struct seg *s, size_t *idx)
{
    const struct vsw_flow_key *k = &s->pr.key;

    for (size_t i = 0; i < rsc->n_open; i++) {
        const struct vsw_flow_key *h = &rsc->ctx[i].pr.key;

        if (h->ip_version == k->ip_version
            && h->src_port == k->src_port && h->dst_port == k->dst_port
            && !memcmp(h->src_ip, k->src_ip, sizeof k->src_ip)
            && !memcmp(h->dst_ip, k->dst_ip, sizeof k->dst_ip)) {
            *idx = i;
            return &rsc->ctx[i];
        }
    }
    return NULL;
}

static uint8_t
ttl_of(const struct seg *s)
{
    return s->d[s->pr.l3_ofs + (s->v4 ? 8 : 7)];
}

/* Opens a context (one must be free) holding segment 's'. */
static void
open_ctx(struct vsw_rsc *rsc, const struct seg *s)
{
    const struct vsw_pkt_oob *oob = &s->pkt->oob;
    struct rsc_ctx *c;

    assert(rsc->n_open < rsc->cfg.max_contexts);
    c = &rsc->ctx[rsc->n_open++];
    memset(c, 0, sizeof *c);
    c->pkt = s->pkt;
    c->pr = s->pr;
    c->end = s->end;
    c->ts_ofs = s->ts_ofs;
    c->seq = s->seq;
    c->ack = s->ack;
    c->wnd = s->wnd;
    c->tsval = s->tsval;
    c->tsecr = s->tsecr;
    /* A frame already coalesced upstream (hardware RSC before software
     * RSC) brings its own counts. */
    c->tsval_first = s->tsval - oob->rsc_ts_delta;
    c->ttl_min = ttl_of(s);
    c->psh = (s->flags & VSW_TCP_PSH) != 0;
    c->data_segs = oob->rsc_seg_count ? oob->rsc_seg_count : s->plen > 0;
    c->dup_acks = oob->rsc_dup_ack_count;
}

/* ------------------------------------------------------------------ */
/* Stage 5: the context rules. */

/* What stage 5 decided. */
enum verdict {
    ABSORB_DATA,                /* append the payload */
    ABSORB_WINDOW,              /* a window update */
    ABSORB_DUP_ACK,             /* a duplicate ACK into an SCU w/o data */
    RESTART,                    /* finalize, open a new SCU with it */
    ALONE                       /* finalize, emit it alone */
};

/* Returns the ECN field of the IP header at 'ip'. */
static uint8_t
ip_ecn(const uint8_t *ip, bool v4)
{
    return v4 ? ip[1] & 3 : (uint8_t) ((vsw_get_be32(ip) >> 20) & 3);
}

/* True if the fields of 's' that must agree with the SCU of 'c' do:
 * the L2 header, IPv4 version, IHL, DSCP and flags (DF) or IPv6 version,
 * DSCP and flow label, the TCP header length and option layout (all but
 * the timestamp values), and the VLAN and source metadata. */
static bool
header_matches(const struct rsc_ctx *c, const struct seg *s)
{
    const uint8_t *h = vsw_pkt_data_const(c->pkt);
    const struct vsw_pkt_oob *ho = &c->pkt->oob, *so = &s->pkt->oob;
    size_t l3 = c->pr.l3_ofs, l4 = c->pr.l4_ofs, p = c->pr.payload_ofs;

    if (s->pr.l3_ofs != l3 || s->pr.l4_ofs != l4 || s->pr.payload_ofs != p
        || s->ts_ofs != c->ts_ofs || memcmp(h, s->d, l3)) {
        return false;
    }
    if (s->v4) {
        if (h[l3] != s->d[l3] || (h[l3 + 1] & 0xfc) != (s->d[l3 + 1] & 0xfc)
            || memcmp(h + l3 + 6, s->d + l3 + 6, 2)) {
            return false;
        }
    } else if ((vsw_get_be32(h + l3) ^ vsw_get_be32(s->d + l3))
               & ~UINT32_C(0x00300000)) {
        return false;
    }
    if (c->ts_ofs) {
        size_t t = c->ts_ofs;
        if (memcmp(h + l4 + VSW_TCP_HEADER_LEN, s->d + l4 + VSW_TCP_HEADER_LEN,
                   t + 2 - l4 - VSW_TCP_HEADER_LEN)
            || memcmp(h + t + TS_OPT_LEN, s->d + t + TS_OPT_LEN,
                      p - t - TS_OPT_LEN)) {
            return false;
        }
    } else if (memcmp(h + l4 + VSW_TCP_HEADER_LEN,
                      s->d + l4 + VSW_TCP_HEADER_LEN,
                      p - l4 - VSW_TCP_HEADER_LEN)) {
        return false;
    }
    return ho->vlan_present == so->vlan_present
           && ho->vlan_id == so->vlan_id && ho->priority == so->priority
           && ho->dei == so->dei && ho->src_port == so->src_port
           && ho->src_nic == so->src_nic;
}

/* Applies the rules to segment 's' of the connection of 'c' and returns
 * the verdict, with the reason in '*reason' for RESTART and ALONE. */
static enum verdict
judge(const struct vsw_rsc *rsc, const struct rsc_ctx *c,
      const struct seg *s, enum vsw_rsc_reason *reason)
{
    const uint8_t *h = vsw_pkt_data_const(c->pkt);
    uint32_t h_nxt = c->seq + (uint32_t) (c->end - c->pr.payload_ofs);
    bool h_has_data = c->end > c->pr.payload_ofs;

    if (!header_matches(c, s)) {
        *reason = VSW_RSC_EXC_HEADER;
        return RESTART;
    }
    if (ip_ecn(h + c->pr.l3_ofs, s->v4) != ip_ecn(s->d + s->pr.l3_ofs, s->v4)
        || (h[c->pr.l4_ofs + 13] & ECN_FLAGS) != (s->flags & ECN_FLAGS)) {
        *reason = VSW_RSC_EXC_ECN;
        return RESTART;
    }
    if (s->seq != h_nxt) {
        *reason = VSW_RSC_EXC_OUT_OF_ORDER;
        return RESTART;
    }
    if (c->ts_ofs && (seq_before(s->tsval, c->tsval)
                      || seq_before(s->tsecr, c->tsecr))) {
        *reason = VSW_RSC_EXC_TIMESTAMP;
        return RESTART;
    }
    if (!s->plen) {
        if (s->ack != c->ack) {
            *reason = VSW_RSC_EXC_PURE_ACK;
            return RESTART;
        }
        if (s->wnd != c->wnd) {
            return ABSORB_WINDOW;
        }
        *reason = VSW_RSC_EXC_DUP_ACK;
        if (!rsc->cfg.coalesce_dup_acks) {
            return ALONE;
        }
        return h_has_data ? RESTART : ABSORB_DUP_ACK;
    }
    if (c->dup_acks) {
        *reason = VSW_RSC_EXC_DUP_ACK;
        return RESTART;
    }
    if (seq_before(s->ack, c->ack)) {
        *reason = VSW_RSC_EXC_ACK_BEHIND;
        return RESTART;
    }
    if (c->end - c->pr.l3_ofs + s->plen > rsc->cfg.max_ip_bytes) {
        *reason = VSW_RSC_EXC_MAX_SIZE;
        return RESTART;
    }
    return ABSORB_DATA;
}

/* ------------------------------------------------------------------ */
/* Stage 6: absorbing. */

/* Makes room in the SCU of 'c' for 'n' more bytes after 'end': in its
 * tailroom, or by moving it to a packet sized for 'max_ip_bytes'.
 * Returns 0 or ENOMEM with nothing changed. */
static int
make_room(const struct vsw_rsc *rsc, struct rsc_ctx *c, size_t n,
          struct vsw_rsc_work *w)
{
    struct vsw_pkt *old = c->pkt, *new_;

    if (old->capacity - old->headroom - c->end >= n) {
        return 0;
    }
    new_ = vsw_pkt_alloc(c->pr.l3_ofs + rsc->cfg.max_ip_bytes,
                         VSW_PKT_DEFAULT_HEADROOM);
    if (!new_) {
        return ENOMEM;
    }
    assert(vsw_pkt_tailroom(new_) >= c->end + n);
    memcpy(vsw_pkt_data(new_), vsw_pkt_data_const(old), c->end);
    new_->len = c->end;
    new_->l2_ofs = old->l2_ofs;
    new_->l3_ofs = old->l3_ofs;
    new_->l4_ofs = old->l4_ofs;
    new_->payload_ofs = old->payload_ofs;
    new_->oob = old->oob;
    w->bytes_copied += c->end;
    vsw_pkt_free(old);
    c->pkt = new_;
    return 0;
}

/* Merges what every absorbed segment brings: the latest ACK, window and
 * timestamp, the least TTL, PSH. */
static void
absorb_common(struct rsc_ctx *c, const struct seg *s)
{
    uint8_t ttl = ttl_of(s);

    c->ack = s->ack;
    c->wnd = s->wnd;
    if (c->ts_ofs) {
        c->tsval = s->tsval;
        c->tsecr = s->tsecr;
    }
    if (ttl < c->ttl_min) {
        c->ttl_min = ttl;
    }
    c->psh |= (s->flags & VSW_TCP_PSH) != 0;
    c->absorbed++;
}

/* ------------------------------------------------------------------ */
/* The entry point. */

/* Adds the exception 'r' to the statistics. */
static void
count_exception(struct vsw_rsc *rsc, enum vsw_rsc_reason r)
{
    rsc->stats.exceptions[r]++;
    if (r != VSW_RSC_EXC_MAX_SIZE) {
        rsc->stats.aborts++;
    }
}

static void
add_work(struct vsw_rsc_work *work, const struct vsw_rsc_work *w)
{
    if (work) {
        work->bytes_copied += w->bytes_copied;
        work->bytes_checksummed += w->bytes_checksummed;
        work->segments_absorbed += w->segments_absorbed;
        work->frames_emitted += w->frames_emitted;
    }
}

int
vsw_rsc_add(struct vsw_rsc *rsc, struct vsw_pkt *pkt,
            struct vsw_rsc_work *work)
{
    struct vsw_rsc_work w = { 0 };
    enum vsw_rsc_reason reason = VSW_RSC_EXC_NO_CONTEXT;
    struct rsc_ctx *c;
    struct seg s;
    size_t idx = 0;
    int exc;

    /* 1. Anything but a TCP segment passes untouched. */
    if (!parse_segment(pkt, &s)) {
        rsc->stats.passed++;
        emit(rsc, pkt, &w);
        add_work(work, &w);
        return 0;
    }

    /* 2. The connection's context. */
    c = lookup(rsc, &s, &idx);

    /* 3. Exceptions of the segment itself end its connection's SCU and
     * leave it alone. */
    exc = segment_exception(rsc, &s, &w);
    if (exc >= 0) {
        rsc->stats.tcp_segments++;
        count_exception(rsc, (enum vsw_rsc_reason) exc);
        if (c) {
            close_ctx(rsc, idx, &w);
        }
        emit(rsc, pkt, &w);
        add_work(work, &w);
        return 0;
    }

    /* 4. A new connection takes a free context if there is one. */
    if (!c) {
        rsc->stats.tcp_segments++;
        if (rsc->n_open < rsc->cfg.max_contexts) {
            open_ctx(rsc, &s);
        } else {
            count_exception(rsc, VSW_RSC_EXC_NO_CONTEXT);
            emit(rsc, pkt, &w);
        }
        add_work(work, &w);
        return 0;
    }

    /* 5. The rules against the open SCU; 6. absorb. */
    switch (judge(rsc, c, &s, &reason)) {
    case ABSORB_DATA: {
        uint8_t *d;

        if (make_room(rsc, c, s.plen, &w)) {
            return ENOMEM;              /* before any change */
        }
        d = vsw_pkt_data(c->pkt);
        memcpy(d + c->end, s.d + s.pr.payload_ofs, s.plen);
        c->end += s.plen;
        c->pkt->len = c->end;
        w.bytes_copied += s.plen;
        c->data_segs += pkt->oob.rsc_seg_count ? pkt->oob.rsc_seg_count : 1;
        c->dup_acks += pkt->oob.rsc_dup_ack_count;
        absorb_common(c, &s);
        rsc->stats.coalesced_octets += s.plen;
        break;
    }
    case ABSORB_WINDOW:
        absorb_common(c, &s);
        break;
    case ABSORB_DUP_ACK:
        c->dup_acks += 1 + pkt->oob.rsc_dup_ack_count;
        absorb_common(c, &s);
        break;
    case RESTART:
        count_exception(rsc, reason);
        close_ctx(rsc, idx, &w);
        open_ctx(rsc, &s);
        rsc->stats.tcp_segments++;
        add_work(work, &w);
        return 0;
    case ALONE:
        count_exception(rsc, reason);
        close_ctx(rsc, idx, &w);
        emit(rsc, pkt, &w);
        rsc->stats.tcp_segments++;
        add_work(work, &w);
        return 0;
    }
    /* Absorbed. */
    rsc->stats.tcp_segments++;
    rsc->stats.coalesced_pkts++;
    w.segments_absorbed++;
    vsw_pkt_free(pkt);
    add_work(work, &w);
    return 0;
}
