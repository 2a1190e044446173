/*
 * test-vsw-rsc.c -- receive segment coalescing (vmswitch/rsc.h): runs of
 * in-order segments become one frame whose payload is the byte stream and
 * whose IPv4 and TCP checksums verify (IPv4 and IPv6, tagged); an LSO
 * super-frame cut by vsw_offload_segment() comes back as itself; PSH is
 * OR-ed; every segment exception finalizes the SCU, leaves the segment
 * alone and is counted by its reason; out-of-order, ECN, header, ACK and
 * timestamp rules restart the SCU; duplicate ACKs under the exemption and
 * counted; window updates; the timestamp delta with wrap; the size limit
 * to the byte; a full context table; flush order; interleaved connections;
 * non-TCP frames untouched; appends in the tailroom allocate nothing; and
 * an allocation-failure sweep proving ENOMEM with nothing changed.
 */
#include <config.h>
#include "vmswitch/rsc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cutest.h"
#include "vmswitch/alloc.h"
#include "vmswitch/csum.h"
#include "vmswitch/offload.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/wire.h"

#define MAX_FRAME 70000
#define MAX_OUT 512
#define ISN 0xfffff000u             /* sequence numbers wrap in tests */

/* ------------------------------------------------------------------ */
/* Frames. */

/* A connection. */
struct flow {
    int ver;                        /* 4 or 6 */
    bool tagged;                    /* 802.1Q tag in the bytes */
    bool ts;                        /* NOP NOP timestamp option */
    uint8_t host;                   /* varies the source address */
};

/* One segment of a connection; seg_init() gives the defaults. */
struct segspec {
    uint32_t seq, ack;
    uint16_t wnd;
    uint16_t flags;                 /* 9 flag bits */
    size_t plen;
    uint32_t tsval, tsecr;
    uint8_t ttl;
    uint8_t tos;                    /* IPv4 TOS / IPv6 traffic class */
    uint16_t ip_id;
    uint16_t frag_off;              /* IPv4 flags and offset */
    const uint8_t *opts;            /* TCP options replacing the default */
    size_t opts_len;                /* a multiple of 4 */
    bool ip_opts;                   /* IPv4 options / IPv6 dest. options */
    enum vsw_csum_rx csum;          /* rx results to report */
};

static struct segspec
seg_init(uint32_t seq, size_t plen)
{
    return (struct segspec) { .seq = seq, .ack = 5000, .wnd = 1000,
                              .flags = VSW_TCP_ACK, .plen = plen,
                              .ttl = 64, .ip_id = 7,
                              .frag_off = VSW_IPV4_DF,
                              .csum = VSW_CSUM_RX_PASSED };
}

/* The byte at sequence number 'seq' of every connection's stream. */
static uint8_t
stream(uint32_t seq)
{
    uint32_t i = seq - ISN;
    return (uint8_t) (i * 7 + (i >> 8));
}

/* Builds segment 's' of 'f' into 'd' with correct checksums; returns its
 * length and the offsets of IP, TCP and payload. */
static size_t
build(const struct flow *f, const struct segspec *s, uint8_t *d,
      size_t *l3p, size_t *l4p, size_t *hdrp)
{
    size_t o, l3, l4, hdr, tcp_hl;
    uint8_t opts[40];
    size_t opts_len = 0;

    memset(d, 0, 64);
    d[0] = 0x02, d[5] = 0x0b, d[6] = 0x02, d[11] = f->host;
    o = 12;
    if (f->tagged) {
        vsw_put_be16(d + o, VSW_ETH_TYPE_VLAN);
        vsw_put_be16(d + o + 2, 3 << 13 | 42);
        o += 4;
    }
    vsw_put_be16(d + o, f->ver == 4 ? VSW_ETH_TYPE_IPV4 : VSW_ETH_TYPE_IPV6);
    o += 2;
    l3 = o;
    if (s->opts) {
        memcpy(opts, s->opts, s->opts_len);
        opts_len = s->opts_len;
    } else if (f->ts) {
        opts[0] = opts[1] = VSW_TCP_OPT_NOP;
        opts[2] = VSW_TCP_OPT_TIMESTAMP;
        opts[3] = 10;
        vsw_put_be32(opts + 4, s->tsval);
        vsw_put_be32(opts + 8, s->tsecr);
        opts_len = 12;
    }
    tcp_hl = VSW_TCP_HEADER_LEN + opts_len;
    if (f->ver == 4) {
        size_t ihl = s->ip_opts ? 24 : 20;

        d[o] = (uint8_t) (0x40 | ihl / 4);
        d[o + 1] = s->tos;
        vsw_put_be16(d + o + 4, s->ip_id);
        vsw_put_be16(d + o + 6, s->frag_off);
        d[o + 8] = s->ttl;
        d[o + 9] = VSW_IPPROTO_TCP;
        d[o + 12] = 10, d[o + 15] = f->host;
        d[o + 16] = 10, d[o + 19] = 2;
        if (s->ip_opts) {
            memset(d + o + 20, VSW_IPV4_OPT_NOP, 4);
        }
        o += ihl;
    } else {
        vsw_put_be32(d + o, 0x60000000u | (uint32_t) s->tos << 20 | 0x12345);
        d[o + 6] = s->ip_opts ? VSW_IPPROTO_DSTOPTS : VSW_IPPROTO_TCP;
        d[o + 7] = s->ttl;
        d[o + 8] = 0x20, d[o + 9] = 0x01, d[o + 23] = f->host;
        d[o + 24] = 0x20, d[o + 25] = 0x01, d[o + 39] = 2;
        o += 40;
        if (s->ip_opts) {
            memset(d + o, 0, 8);
            d[o] = VSW_IPPROTO_TCP;
            d[o + 2] = 1;                /* PadN */
            d[o + 3] = 4;
            o += 8;
        }
    }
    l4 = o;
    vsw_put_be16(d + o, 40000 + f->host);
    vsw_put_be16(d + o + 2, 443);
    vsw_put_be32(d + o + 4, s->seq);
    vsw_put_be32(d + o + 8, s->ack);
    vsw_put_be16(d + o + 12, (uint16_t) (tcp_hl / 4 << 12 | s->flags));
    vsw_put_be16(d + o + 14, s->wnd);
    vsw_put_be16(d + o + 16, 0);
    vsw_put_be16(d + o + 18, 0);
    memcpy(d + o + 20, opts, opts_len);
    o += tcp_hl;
    hdr = o;
    for (size_t i = 0; i < s->plen; i++) {
        d[o + i] = stream(s->seq + (uint32_t) i);
    }
    o += s->plen;
    if (f->ver == 4) {
        vsw_put_be16(d + l3 + 2, (uint16_t) (o - l3));
        vsw_csum_ipv4_fill(d + l3, l4 - l3);
    } else {
        vsw_put_be16(d + l3 + 4, (uint16_t) (o - l3 - 40));
    }
    {
        struct vsw_parse_result pr;
        CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(d, o, 0, &pr), VSW_PARSE_OK);
        pr.key.ip_frag = 0;          /* a first fragment's sum all the same */
        CU_ASSERT_EQUAL_FATAL(vsw_csum_l4_fill(d, o, &pr, NULL), 0);
    }
    if (l3p) {
        *l3p = l3, *l4p = l4, *hdrp = hdr;
    }
    return o;
}

static uint8_t scratch[MAX_FRAME];

/* Returns a packet holding segment 's' of 'f', rx checksums as 's' says. */
static struct vsw_pkt *
mkseg(const struct flow *f, const struct segspec *s)
{
    size_t len = build(f, s, scratch, NULL, NULL, NULL);
    struct vsw_pkt *p = vsw_pkt_from_bytes(scratch, len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p->oob.rx_csum_ip = f->ver == 4 ? s->csum : VSW_CSUM_RX_NOT_CHECKED;
    p->oob.rx_csum_tcp = s->csum;
    p->oob.cookie = 0xc0ffee;
    return p;
}

/* ------------------------------------------------------------------ */
/* The engine under test and what it emitted. */

static struct vsw_pkt *out[MAX_OUT];
static size_t n_out;

static void
collect(void *aux, struct vsw_pkt *pkt)
{
    (void) aux;
    CU_ASSERT_FATAL(n_out < MAX_OUT);
    out[n_out++] = pkt;
}

static void
out_clear(void)
{
    for (size_t i = 0; i < n_out; i++) {
        vsw_pkt_free(out[i]);
    }
    n_out = 0;
}

static struct vsw_rsc *
mkrsc(const struct vsw_rsc_config *cfg)
{
    struct vsw_rsc *rsc = NULL;

    out_clear();
    CU_ASSERT_EQUAL_FATAL(vsw_rsc_create(cfg, collect, NULL, &rsc), 0);
    return rsc;
}

static void
add(struct vsw_rsc *rsc, const struct flow *f, const struct segspec *s)
{
    CU_ASSERT_EQUAL_FATAL(vsw_rsc_add(rsc, mkseg(f, s), NULL), 0);
}

/* Adds 'n' data segments of 'mss' bytes from 'seq'; returns the next
 * sequence number. */
static uint32_t
add_run(struct vsw_rsc *rsc, const struct flow *f, uint32_t seq, int n,
        size_t mss)
{
    for (int i = 0; i < n; i++) {
        struct segspec s = seg_init(seq, mss);
        add(rsc, f, &s);
        seq += (uint32_t) mss;
    }
    return seq;
}

static uint64_t
exc(const struct vsw_rsc *rsc, enum vsw_rsc_reason r)
{
    struct vsw_rsc_stats st;

    vsw_rsc_get_stats(rsc, &st);
    return st.exceptions[r];
}

/* Checks that frame 'p' is a valid TCP segment of 'f' starting at 'seq'
 * with 'plen' bytes of the stream, correct checksums, and 'segs'
 * CoalescedSegCount.  Returns its parse. */
static struct vsw_parse_result
check_frame(const struct vsw_pkt *p, const struct flow *f, uint32_t seq,
            size_t plen, uint16_t segs)
{
    const uint8_t *d = vsw_pkt_data_const(p);
    size_t len = vsw_pkt_len(p);
    struct vsw_parse_result pr;

    CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(d, len, 0, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.ip_version, f->ver);
    CU_ASSERT_EQUAL(pr.key.src_port, 40000 + f->host);
    CU_ASSERT_EQUAL(vsw_get_be32(d + pr.l4_ofs + 4), seq);
    CU_ASSERT_EQUAL_FATAL(pr.l3_end - pr.payload_ofs, plen);
    for (size_t i = 0; i < plen; i++) {
        if (d[pr.payload_ofs + i] != stream(seq + (uint32_t) i)) {
            CU_FAIL("payload differs from the stream");
            break;
        }
    }
    if (f->ver == 4) {
        CU_ASSERT(vsw_csum_ipv4_verify(d + pr.l3_ofs, pr.l3_hdr_len));
        CU_ASSERT_EQUAL(vsw_get_be16(d + pr.l3_ofs + 2), len - pr.l3_ofs);
    } else {
        CU_ASSERT_EQUAL(vsw_get_be16(d + pr.l3_ofs + 4),
                        len - pr.l3_ofs - 40);
    }
    CU_ASSERT_EQUAL(vsw_csum_l4_verify(d, len, &pr), 0);
    CU_ASSERT_EQUAL(p->oob.rsc_seg_count, segs);
    CU_ASSERT_EQUAL(p->oob.cookie, 0xc0ffee);
    return pr;
}

static uint16_t
tcp_flags_of(const struct vsw_pkt *p, const struct vsw_parse_result *pr)
{
    return vsw_get_be16(vsw_pkt_data_const(p) + pr->l4_ofs + 12) & 0x1ff;
}

/* ------------------------------------------------------------------ */
/* Coalescing. */

static void
in_order_run_coalesces(const struct flow *f)
{
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct vsw_rsc_work w = { 0 };
    struct vsw_rsc_stats st;
    struct vsw_parse_result pr;
    uint32_t seq = ISN;
    size_t first_len = 0;

    for (int i = 0; i < 10; i++) {
        struct segspec s = seg_init(seq, 1448);
        struct vsw_pkt *p = mkseg(f, &s);

        if (i == 0) {
            first_len = vsw_pkt_len(p);
        }
        CU_ASSERT_EQUAL_FATAL(vsw_rsc_add(rsc, p, &w), 0);
        seq += 1448;
    }
    CU_ASSERT_EQUAL(n_out, 0);
    CU_ASSERT_EQUAL(vsw_rsc_n_open(rsc), 1);
    vsw_rsc_flush(rsc, &w);
    CU_ASSERT_EQUAL(vsw_rsc_n_open(rsc), 0);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    pr = check_frame(out[0], f, ISN, 14480, 10);
    CU_ASSERT_EQUAL(vsw_pkt_len(out[0]), first_len + 9 * 1448);
    CU_ASSERT_EQUAL(pr.key.vlan_present, f->tagged);
    CU_ASSERT_EQUAL(tcp_flags_of(out[0], &pr), VSW_TCP_ACK);
    CU_ASSERT_EQUAL(out[0]->oob.rsc_dup_ack_count, 0);
    CU_ASSERT_EQUAL(out[0]->oob.rsc_ts_delta, 0);
    CU_ASSERT_EQUAL(out[0]->oob.rx_csum_tcp, VSW_CSUM_RX_PASSED);
    if (f->ver == 4) {
        CU_ASSERT_EQUAL(out[0]->oob.rx_csum_ip, VSW_CSUM_RX_PASSED);
        CU_ASSERT_EQUAL(vsw_get_be16(vsw_pkt_data(out[0]) + pr.l3_ofs + 4),
                        7);
    }
    vsw_rsc_get_stats(rsc, &st);
    CU_ASSERT_EQUAL(st.tcp_segments, 10);
    CU_ASSERT_EQUAL(st.coalesced_pkts, 9);
    CU_ASSERT_EQUAL(st.coalesced_octets, 9 * 1448);
    CU_ASSERT_EQUAL(st.coalesce_events, 1);
    CU_ASSERT_EQUAL(st.aborts, 0);
    CU_ASSERT_EQUAL(w.segments_absorbed, 9);
    CU_ASSERT_EQUAL(w.frames_emitted, 1);
    /* The first frame moved once to a big buffer, then payload appends. */
    CU_ASSERT_EQUAL(w.bytes_copied, first_len + 9 * 1448);
    CU_ASSERT(w.bytes_checksummed >= vsw_pkt_len(out[0]) - pr.l4_ofs);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_in_order_ipv4_segments_coalesce_into_one_frame(void)
{
    struct flow f = { .ver = 4, .host = 1 };
    in_order_run_coalesces(&f);
}

static void
test_rsc_in_order_ipv6_tagged_segments_coalesce_into_one_frame(void)
{
    struct flow f = { .ver = 6, .tagged = true, .host = 1 };
    in_order_run_coalesces(&f);
}

static void
test_rsc_in_order_with_timestamps_coalesce(void)
{
    struct flow f = { .ver = 4, .ts = true, .host = 1 };
    in_order_run_coalesces(&f);
}

/* LSO-segments a super-frame of 'f' and coalesces the segments back. */
static void
lso_round_trip(const struct flow *f, size_t payload, uint32_t mss)
{
    static uint8_t sf[MAX_FRAME], expect[MAX_FRAME];
    struct vsw_pkt *segs[VSW_OFFLOAD_MAX_SEGMENTS];
    struct segspec s = seg_init(ISN, payload);
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct vsw_parse_result pr;
    struct vsw_pkt *super;
    size_t len, l3, l4, hdr, n = 0;

    s.flags = VSW_TCP_ACK | VSW_TCP_PSH;
    s.tsval = 123456;
    s.tsecr = 654321;
    len = build(f, &s, sf, &l3, &l4, &hdr);
    memcpy(expect, sf, len);
    /* What the stack hands to an LSOv2 NIC: IP length 0. */
    if (f->ver == 4) {
        vsw_put_be16(sf + l3 + 2, 0);
    } else {
        vsw_put_be16(sf + l3 + 4, 0);
    }
    super = vsw_pkt_from_bytes(sf, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(super);
    super->oob.lso_mss = mss;
    super->oob.lso_version = 2;
    super->oob.cookie = 0xc0ffee;
    CU_ASSERT_EQUAL_FATAL(vsw_offload_segment(super, segs,
                                              VSW_OFFLOAD_MAX_SEGMENTS, &n,
                                              NULL), 0);
    CU_ASSERT_FATAL(n > 1);
    for (size_t i = 0; i < n; i++) {
        segs[i]->oob.rx_csum_ip = f->ver == 4 ? VSW_CSUM_RX_PASSED
                                               : VSW_CSUM_RX_NOT_CHECKED;
        segs[i]->oob.rx_csum_tcp = VSW_CSUM_RX_PASSED;
        CU_ASSERT_EQUAL_FATAL(vsw_rsc_add(rsc, segs[i], NULL), 0);
    }
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    pr = check_frame(out[0], f, ISN, payload, (uint16_t) n);
    /* Headers and payload are the super-frame's, lengths filled in. */
    CU_ASSERT_EQUAL(vsw_pkt_len(out[0]), len);
    CU_ASSERT(!memcmp(vsw_pkt_data(out[0]), expect, len));
    CU_ASSERT_EQUAL(tcp_flags_of(out[0], &pr), VSW_TCP_ACK | VSW_TCP_PSH);
    CU_ASSERT_EQUAL(out[0]->oob.rsc_ts_delta, 0);
    out_clear();
    vsw_pkt_free(super);
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_reverses_lso_segmentation(void)
{
    struct flow v4 = { .ver = 4, .ts = true, .host = 3 };
    struct flow v6 = { .ver = 6, .tagged = true, .ts = true, .host = 4 };
    struct flow plain = { .ver = 4, .host = 5 };

    lso_round_trip(&v4, 64000, 1448);
    lso_round_trip(&v6, 30001, 1220);
    lso_round_trip(&plain, 10000, 536);
}

static void
test_rsc_psh_is_ored_into_the_scu(void)
{
    struct flow f = { .ver = 4, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct vsw_parse_result pr;

    for (int i = 0; i < 4; i++) {
        struct segspec s = seg_init(ISN + (uint32_t) i * 100, 100);
        if (i == 1) {
            s.flags |= VSW_TCP_PSH;
        }
        add(rsc, &f, &s);
    }
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    pr = check_frame(out[0], &f, ISN, 400, 4);
    CU_ASSERT_EQUAL(tcp_flags_of(out[0], &pr), VSW_TCP_ACK | VSW_TCP_PSH);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_ack_and_window_come_from_the_last_segment(void)
{
    struct flow f = { .ver = 6, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct vsw_parse_result pr;
    const uint8_t *d;

    for (int i = 0; i < 3; i++) {
        struct segspec s = seg_init(ISN + (uint32_t) i * 100, 100);
        s.ack = 5000 + (uint32_t) i * 10;     /* piggy-backed ACKs */
        s.wnd = (uint16_t) (1000 + i);
        s.ttl = (uint8_t) (64 - i * 3 + (i == 2) * 10);  /* 64, 61, 68 */
        add(rsc, &f, &s);
    }
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    pr = check_frame(out[0], &f, ISN, 300, 3);
    d = vsw_pkt_data_const(out[0]);
    CU_ASSERT_EQUAL(vsw_get_be32(d + pr.l4_ofs + 8), 5020);
    CU_ASSERT_EQUAL(vsw_get_be16(d + pr.l4_ofs + 14), 1002);
    CU_ASSERT_EQUAL(d[pr.l3_ofs + 7], 61);     /* the least hop limit */
    out_clear();

    /* An ACK going backwards restarts. */
    {
        struct segspec a = seg_init(ISN, 100), b = seg_init(ISN + 100, 100);
        b.ack = 4999;
        add(rsc, &f, &a);
        add(rsc, &f, &b);
        CU_ASSERT_EQUAL(exc(rsc, VSW_RSC_EXC_ACK_BEHIND), 1);
        CU_ASSERT_EQUAL_FATAL(n_out, 1);
        check_frame(out[0], &f, ISN, 100, 0);
        vsw_rsc_flush(rsc, NULL);
        CU_ASSERT_EQUAL_FATAL(n_out, 2);
        check_frame(out[1], &f, ISN + 100, 100, 0);
    }
    out_clear();
    vsw_rsc_destroy(rsc);
}

/* ------------------------------------------------------------------ */
/* Exceptions. */

static const uint8_t opt_mss[4] = { VSW_TCP_OPT_MSS, 4, 5, 0xb4 };
static const uint8_t opt_sack[12] = { 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2 };

/* A segment exception: how to spoil the third segment, and its reason. */
struct exc_case {
    const char *what;
    int ver;
    uint16_t flags;                 /* added */
    const uint8_t *opts;
    size_t opts_len;
    bool ip_opts;
    uint16_t frag_off;
    enum vsw_csum_rx csum;          /* 0: PASSED, unless 'unchecked' */
    bool unchecked;                 /* rx results NOT_CHECKED */
    bool corrupt;                   /* a payload byte wrong */
    bool verify;                    /* config.verify_unchecked */
    enum vsw_rsc_reason reason;
};

static const struct exc_case exc_cases[] = {
    { .what = "SYN", .ver = 4, .flags = VSW_TCP_SYN,
      .reason = VSW_RSC_EXC_TCP_FLAGS },
    { .what = "FIN", .ver = 4, .flags = VSW_TCP_FIN,
      .reason = VSW_RSC_EXC_TCP_FLAGS },
    { .what = "RST", .ver = 6, .flags = VSW_TCP_RST,
      .reason = VSW_RSC_EXC_TCP_FLAGS },
    { .what = "URG", .ver = 4, .flags = VSW_TCP_URG,
      .reason = VSW_RSC_EXC_TCP_FLAGS },
    { .what = "NS", .ver = 6, .flags = VSW_TCP_NS,
      .reason = VSW_RSC_EXC_TCP_FLAGS },
    { .what = "MSS option", .ver = 4, .opts = opt_mss, .opts_len = 4,
      .reason = VSW_RSC_EXC_TCP_OPTIONS },
    { .what = "SACK option", .ver = 6, .opts = opt_sack, .opts_len = 12,
      .reason = VSW_RSC_EXC_TCP_OPTIONS },
    { .what = "IPv4 options", .ver = 4, .ip_opts = true,
      .reason = VSW_RSC_EXC_IP_OPTIONS },
    { .what = "IPv6 extension header", .ver = 6, .ip_opts = true,
      .reason = VSW_RSC_EXC_IP_OPTIONS },
    { .what = "IPv4 first fragment", .ver = 4, .frag_off = VSW_IPV4_MF,
      .reason = VSW_RSC_EXC_IP_FRAGMENT },
    { .what = "checksum failed", .ver = 4, .csum = VSW_CSUM_RX_FAILED,
      .reason = VSW_RSC_EXC_CSUM_BAD },
    { .what = "TCP checksum failed", .ver = 6, .csum = VSW_CSUM_RX_FAILED,
      .reason = VSW_RSC_EXC_CSUM_BAD },
    { .what = "checksum not checked", .ver = 6, .unchecked = true,
      .reason = VSW_RSC_EXC_CSUM_UNCHECKED },
    { .what = "checksum verified wrong", .ver = 4, .unchecked = true,
      .corrupt = true, .verify = true, .reason = VSW_RSC_EXC_CSUM_BAD },
};

static void
test_rsc_each_segment_exception_finalizes_and_is_counted(void)
{
    for (size_t k = 0; k < sizeof exc_cases / sizeof exc_cases[0]; k++) {
        const struct exc_case *e = &exc_cases[k];
        struct vsw_rsc_config cfg = { .verify_unchecked = e->verify };
        struct flow f = { .ver = e->ver, .host = 9 };
        struct vsw_rsc *rsc = mkrsc(&cfg);
        struct segspec bad = seg_init(ISN + 200, 100);
        struct vsw_rsc_stats st;
        struct vsw_pkt *p;
        uint8_t copy[400];
        size_t len;
        uint32_t seq;

        seq = add_run(rsc, &f, ISN, 2, 100);
        bad.flags |= e->flags;
        bad.opts = e->opts;
        bad.opts_len = e->opts_len;
        bad.ip_opts = e->ip_opts;
        bad.frag_off = e->frag_off ? e->frag_off : VSW_IPV4_DF;
        bad.csum = e->csum || e->unchecked ? e->csum : VSW_CSUM_RX_PASSED;
        p = mkseg(&f, &bad);
        if (e->corrupt) {
            vsw_pkt_data(p)[vsw_pkt_len(p) - 1] ^= 0x55;
        }
        len = vsw_pkt_len(p);
        memcpy(copy, vsw_pkt_data(p), len);
        CU_ASSERT_EQUAL_FATAL(vsw_rsc_add(rsc, p, NULL), 0);
        /* The SCU so far, then the segment alone and untouched. */
        if (n_out != 2) {
            fprintf(stderr, "case '%s': %zu frames out\n", e->what, n_out);
        }
        CU_ASSERT_EQUAL_FATAL(n_out, 2);
        check_frame(out[0], &f, ISN, 200, 2);
        CU_ASSERT_EQUAL(out[1], p);
        CU_ASSERT_EQUAL(vsw_pkt_len(out[1]), len);
        CU_ASSERT(!memcmp(vsw_pkt_data(out[1]), copy, len));
        CU_ASSERT_EQUAL(out[1]->oob.rsc_seg_count, 0);
        CU_ASSERT_EQUAL(vsw_rsc_n_open(rsc), 0);
        /* Coalescing goes on after it in a separate SCU. */
        add_run(rsc, &f, seq + 100, 2, 100);
        vsw_rsc_flush(rsc, NULL);
        CU_ASSERT_EQUAL_FATAL(n_out, 3);
        check_frame(out[2], &f, seq + 100, 200, 2);
        vsw_rsc_get_stats(rsc, &st);
        for (int r = 0; r < VSW_RSC_N_REASONS; r++) {
            if (st.exceptions[r] != (r == (int) e->reason)) {
                fprintf(stderr, "case '%s': reason %s counted %llu\n",
                        e->what, vsw_rsc_reason_name(r),
                        (unsigned long long) st.exceptions[r]);
                CU_FAIL("wrong reason count");
            }
        }
        CU_ASSERT_EQUAL(st.aborts, 1);
        CU_ASSERT_EQUAL(st.tcp_segments, 5);
        out_clear();
        vsw_rsc_destroy(rsc);
    }
}

static void
test_rsc_unchecked_segments_coalesce_when_verified(void)
{
    struct vsw_rsc_config cfg = { .verify_unchecked = true };
    struct flow f = { .ver = 4, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(&cfg);
    struct vsw_rsc_work w = { 0 };

    for (int i = 0; i < 3; i++) {
        struct segspec s = seg_init(ISN + (uint32_t) i * 500, 500);
        s.csum = VSW_CSUM_RX_NOT_CHECKED;
        CU_ASSERT_EQUAL(vsw_rsc_add(rsc, mkseg(&f, &s), &w), 0);
    }
    vsw_rsc_flush(rsc, &w);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    check_frame(out[0], &f, ISN, 1500, 3);
    CU_ASSERT_EQUAL(out[0]->oob.rx_csum_tcp, VSW_CSUM_RX_PASSED);
    /* Three verifications (IPv4 header + TCP) and the final checksum. */
    CU_ASSERT_EQUAL(w.bytes_checksummed, 3 * (20 + 20 + 500) + 20 + 1520);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_out_of_order_segment_finalizes_and_starts_new_scu(void)
{
    struct flow f = { .ver = 4, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct segspec s;

    add_run(rsc, &f, ISN, 2, 100);
    add_run(rsc, &f, ISN + 300, 2, 100);     /* a hole at ISN + 200 */
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    check_frame(out[0], &f, ISN, 200, 2);
    s = seg_init(ISN + 200, 100);             /* the hole, late */
    add(rsc, &f, &s);
    CU_ASSERT_EQUAL_FATAL(n_out, 2);
    check_frame(out[1], &f, ISN + 300, 200, 2);
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 3);
    /* A single segment comes out as it went in: no RSC metadata. */
    check_frame(out[2], &f, ISN + 200, 100, 0);
    CU_ASSERT_EQUAL(exc(rsc, VSW_RSC_EXC_OUT_OF_ORDER), 2);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_ecn_change_restarts_and_same_ecn_coalesces(void)
{
    struct flow f = { .ver = 6, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct vsw_rsc_stats st;
    uint32_t seq = ISN;

    /* ECT(0) and ECE on every segment: coalesces. */
    for (int i = 0; i < 3; i++, seq += 100) {
        struct segspec s = seg_init(seq, 100);
        s.tos = 0x02;
        s.flags |= VSW_TCP_ECE;
        add(rsc, &f, &s);
    }
    /* CE (congestion experienced) on the next: a new SCU. */
    for (int i = 0; i < 2; i++, seq += 100) {
        struct segspec s = seg_init(seq, 100);
        s.tos = 0x03;
        s.flags |= VSW_TCP_ECE;
        add(rsc, &f, &s);
    }
    /* CWR appears: a new SCU. */
    {
        struct segspec s = seg_init(seq, 100);
        s.tos = 0x03;
        s.flags |= VSW_TCP_ECE | VSW_TCP_CWR;
        add(rsc, &f, &s);
    }
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 3);
    check_frame(out[0], &f, ISN, 300, 3);
    check_frame(out[1], &f, ISN + 300, 200, 2);
    check_frame(out[2], &f, ISN + 500, 100, 0);
    CU_ASSERT_EQUAL(vsw_pkt_data(out[1])[14 + 1] >> 4, 0x3);  /* TC low */
    vsw_rsc_get_stats(rsc, &st);
    CU_ASSERT_EQUAL(st.exceptions[VSW_RSC_EXC_ECN], 2);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_header_field_change_restarts(void)
{
    struct flow f = { .ver = 4, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct segspec s;

    add_run(rsc, &f, ISN, 2, 100);
    s = seg_init(ISN + 200, 100);
    s.tos = 0x20;                             /* another DSCP */
    add(rsc, &f, &s);
    s = seg_init(ISN + 300, 100);
    s.tos = 0x20;
    s.frag_off = 0;                           /* DF cleared */
    add(rsc, &f, &s);
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 3);
    check_frame(out[0], &f, ISN, 200, 2);
    check_frame(out[1], &f, ISN + 200, 100, 0);
    check_frame(out[2], &f, ISN + 300, 100, 0);
    CU_ASSERT_EQUAL(exc(rsc, VSW_RSC_EXC_HEADER), 2);
    out_clear();
    vsw_rsc_destroy(rsc);
}

/* ------------------------------------------------------------------ */
/* ACKs. */

static struct segspec
pure_ack(uint32_t seq, uint32_t ack, uint16_t wnd)
{
    struct segspec s = seg_init(seq, 0);
    s.ack = ack;
    s.wnd = wnd;
    return s;
}

static void
test_rsc_dup_ack_exemption_finalizes_and_passes_alone(void)
{
    struct flow f = { .ver = 4, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct segspec a = pure_ack(ISN + 300, 5000, 1000);
    struct vsw_pkt *p = mkseg(&f, &a);

    add_run(rsc, &f, ISN, 3, 100);
    CU_ASSERT_EQUAL_FATAL(vsw_rsc_add(rsc, p, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(n_out, 2);
    check_frame(out[0], &f, ISN, 300, 3);
    CU_ASSERT_EQUAL(out[1], p);
    CU_ASSERT_EQUAL(out[1]->oob.rsc_dup_ack_count, 0);
    CU_ASSERT_EQUAL(exc(rsc, VSW_RSC_EXC_DUP_ACK), 1);
    CU_ASSERT_EQUAL(vsw_rsc_n_open(rsc), 0);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_dup_acks_counted_when_coalescing_them(void)
{
    struct vsw_rsc_config cfg = { .coalesce_dup_acks = true };
    struct flow f = { .ver = 6, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(&cfg);
    struct segspec a = pure_ack(ISN + 300, 5000, 1000);
    struct segspec d = seg_init(ISN + 300, 100);

    /* Data, then three duplicate ACKs: the data SCU ends, the first
     * duplicate starts a new SCU with DupAckCount 0 and the next two
     * count. */
    add_run(rsc, &f, ISN, 3, 100);
    for (int i = 0; i < 3; i++) {
        add(rsc, &f, &a);
    }
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    check_frame(out[0], &f, ISN, 300, 3);
    /* Data after duplicate ACKs ends that SCU too. */
    add(rsc, &f, &d);
    CU_ASSERT_EQUAL_FATAL(n_out, 2);
    check_frame(out[1], &f, ISN + 300, 0, 0);
    CU_ASSERT_EQUAL(out[1]->oob.rsc_dup_ack_count, 2);
    CU_ASSERT_EQUAL(exc(rsc, VSW_RSC_EXC_DUP_ACK), 2);
    out_clear();

    /* A tracked pure cumulative ACK counts every duplicate after it. */
    vsw_rsc_flush(rsc, NULL);
    out_clear();
    a = pure_ack(ISN + 400, 6000, 1000);
    add(rsc, &f, &a);
    a.ack = 6000;
    add(rsc, &f, &a);
    add(rsc, &f, &a);
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    check_frame(out[0], &f, ISN + 400, 0, 0);
    CU_ASSERT_EQUAL(out[0]->oob.rsc_dup_ack_count, 2);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_window_updates_coalesce_and_pure_acks_do_not(void)
{
    struct flow f = { .ver = 4, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct vsw_parse_result pr;
    struct segspec a;
    struct vsw_rsc_stats st;

    add_run(rsc, &f, ISN, 5, 100);
    a = pure_ack(ISN + 500, 5000, 2000);       /* window updates */
    add(rsc, &f, &a);
    a.wnd = 4000;
    add(rsc, &f, &a);
    CU_ASSERT_EQUAL(n_out, 0);
    a = pure_ack(ISN + 500, 5100, 4000);       /* a cumulative pure ACK */
    add(rsc, &f, &a);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    pr = check_frame(out[0], &f, ISN, 500, 5);  /* updates not counted */
    CU_ASSERT_EQUAL(vsw_get_be16(vsw_pkt_data(out[0]) + pr.l4_ofs + 14),
                    4000);
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 2);
    check_frame(out[1], &f, ISN + 500, 0, 0);
    vsw_rsc_get_stats(rsc, &st);
    CU_ASSERT_EQUAL(st.exceptions[VSW_RSC_EXC_PURE_ACK], 1);
    CU_ASSERT_EQUAL(st.coalesced_pkts, 6);
    out_clear();
    vsw_rsc_destroy(rsc);
}

/* ------------------------------------------------------------------ */
/* Timestamps. */

static void
test_rsc_timestamps_take_the_last_and_report_the_delta(void)
{
    struct flow f = { .ver = 4, .ts = true, .host = 1 };
    static const uint32_t tsv[4] = { 0xfffffffeu, 0xffffffffu, 1, 3 };
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct vsw_parse_result pr;
    const uint8_t *d;

    for (int i = 0; i < 4; i++) {
        struct segspec s = seg_init(ISN + (uint32_t) i * 100, 100);
        s.tsval = tsv[i];
        s.tsecr = 77 + (uint32_t) i / 2;
        add(rsc, &f, &s);
    }
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    pr = check_frame(out[0], &f, ISN, 400, 4);
    d = vsw_pkt_data_const(out[0]);
    CU_ASSERT_EQUAL(vsw_get_be32(d + pr.l4_ofs + 24), 3);
    CU_ASSERT_EQUAL(vsw_get_be32(d + pr.l4_ofs + 28), 78);
    CU_ASSERT_EQUAL(out[0]->oob.rsc_ts_delta, 5);       /* across wrap */
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_timestamp_going_backwards_restarts(void)
{
    struct flow f = { .ver = 6, .ts = true, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(NULL);

    for (int i = 0; i < 4; i++) {
        struct segspec s = seg_init(ISN + (uint32_t) i * 100, 100);
        s.tsval = i == 2 ? 50 : 100 + (uint32_t) i;
        add(rsc, &f, &s);
    }
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 2);
    check_frame(out[0], &f, ISN, 200, 2);
    CU_ASSERT_EQUAL(out[0]->oob.rsc_ts_delta, 1);
    check_frame(out[1], &f, ISN + 200, 200, 2);
    CU_ASSERT_EQUAL(out[1]->oob.rsc_ts_delta, 103 - 50);
    CU_ASSERT_EQUAL(exc(rsc, VSW_RSC_EXC_TIMESTAMP), 1);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_timestamps_refused_when_configured_off(void)
{
    struct vsw_rsc_config cfg = { .no_timestamps = true };
    struct flow f = { .ver = 4, .ts = true, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(&cfg);

    add_run(rsc, &f, ISN, 3, 100);
    CU_ASSERT_EQUAL(n_out, 3);
    CU_ASSERT_EQUAL(vsw_rsc_n_open(rsc), 0);
    CU_ASSERT_EQUAL(exc(rsc, VSW_RSC_EXC_TCP_OPTIONS), 3);
    out_clear();
    vsw_rsc_destroy(rsc);
}

/* ------------------------------------------------------------------ */
/* Limits. */

static void
test_rsc_max_size_boundary_is_exact(void)
{
    /* IPv4 without options: 40 bytes of headers + 3 x 1000 fit exactly. */
    struct vsw_rsc_config cfg = { .max_ip_bytes = 3040 };
    struct flow f = { .ver = 4, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(&cfg);
    struct vsw_rsc_stats st;

    add_run(rsc, &f, ISN, 4, 1000);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    check_frame(out[0], &f, ISN, 3000, 3);
    CU_ASSERT_EQUAL(vsw_get_be16(vsw_pkt_data(out[0]) + 14 + 2), 3040);
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 2);
    check_frame(out[1], &f, ISN + 3000, 1000, 0);
    vsw_rsc_get_stats(rsc, &st);
    CU_ASSERT_EQUAL(st.exceptions[VSW_RSC_EXC_MAX_SIZE], 1);
    CU_ASSERT_EQUAL(st.aborts, 0);            /* NDIS: not an abort */
    out_clear();
    vsw_rsc_destroy(rsc);

    /* The default is the largest IP datagram: 45 x 1448 + 40 = 65200,
     * one more would be 66648. */
    rsc = mkrsc(NULL);
    add_run(rsc, &f, ISN, 46, 1448);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    check_frame(out[0], &f, ISN, 45 * 1448, 45);
    out_clear();
    vsw_rsc_destroy(rsc);

    /* IPv6: 65535 bytes of payload length + header allowed exactly. */
    cfg.max_ip_bytes = VSW_RSC_MAX_IP_BYTES;
    rsc = mkrsc(&cfg);
    f.ver = 6;
    add_run(rsc, &f, ISN, 1, 65535 - 60 - 5);
    add_run(rsc, &f, ISN + 65535 - 65, 1, 5);
    add_run(rsc, &f, ISN + 65535 - 60, 1, 1);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    check_frame(out[0], &f, ISN, 65535 - 60, 2);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_full_context_table_emits_new_connections_alone(void)
{
    struct vsw_rsc_config cfg = { .max_contexts = 2 };
    struct flow a = { .ver = 4, .host = 1 }, b = { .ver = 6, .host = 2 };
    struct flow c = { .ver = 4, .host = 3 };
    struct vsw_rsc *rsc = mkrsc(&cfg);

    for (int i = 0; i < 3; i++) {
        uint32_t seq = ISN + (uint32_t) i * 100;
        add_run(rsc, &a, seq, 1, 100);
        add_run(rsc, &b, seq, 1, 100);
        add_run(rsc, &c, seq, 1, 100);
    }
    CU_ASSERT_EQUAL_FATAL(n_out, 3);
    for (int i = 0; i < 3; i++) {
        check_frame(out[i], &c, ISN + (uint32_t) i * 100, 100, 0);
    }
    CU_ASSERT_EQUAL(exc(rsc, VSW_RSC_EXC_NO_CONTEXT), 3);
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 5);
    check_frame(out[3], &a, ISN, 300, 3);
    check_frame(out[4], &b, ISN, 300, 3);
    /* Flushed, the table has room again. */
    add_run(rsc, &c, ISN + 300, 2, 100);
    CU_ASSERT_EQUAL(vsw_rsc_n_open(rsc), 1);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_flush_emits_oldest_first_and_singles_untouched(void)
{
    struct flow f[3] = { { .ver = 4, .host = 7 }, { .ver = 6, .host = 5 },
                         { .ver = 4, .host = 6 } };
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct segspec s = seg_init(ISN, 10);
    struct vsw_pkt *single;
    uint8_t copy[200];
    size_t len;

    add_run(rsc, &f[0], ISN, 2, 100);
    add_run(rsc, &f[1], ISN, 3, 100);
    /* A single frame with Ethernet padding stays as it came. */
    len = build(&f[2], &s, copy, NULL, NULL, NULL);
    memset(copy + len, 0xee, 6);
    len += 6;
    single = vsw_pkt_from_bytes(copy, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(single);
    single->oob.rx_csum_ip = single->oob.rx_csum_tcp = VSW_CSUM_RX_PASSED;
    CU_ASSERT_EQUAL(vsw_rsc_add(rsc, single, NULL), 0);
    CU_ASSERT_EQUAL(vsw_rsc_n_open(rsc), 3);
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL(vsw_rsc_n_open(rsc), 0);
    CU_ASSERT_EQUAL_FATAL(n_out, 3);
    check_frame(out[0], &f[0], ISN, 200, 2);
    check_frame(out[1], &f[1], ISN, 300, 3);
    CU_ASSERT_EQUAL(out[2], single);
    CU_ASSERT_EQUAL(vsw_pkt_len(single), len);
    CU_ASSERT_EQUAL(single->oob.rx_csum_tcp, VSW_CSUM_RX_PASSED);
    CU_ASSERT(!memcmp(vsw_pkt_data(single), copy, len));
    CU_ASSERT_EQUAL(single->oob.rsc_seg_count, 0);
    /* Flushing nothing emits nothing. */
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL(n_out, 3);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_interleaved_connections_keep_separate_contexts(void)
{
    struct flow a = { .ver = 4, .ts = true, .host = 1 };
    struct flow b = { .ver = 4, .ts = true, .host = 2 };
    struct flow c = { .ver = 6, .host = 1 };  /* same ports, other version */
    struct vsw_rsc *rsc = mkrsc(NULL);

    for (int i = 0; i < 8; i++) {
        struct segspec s = seg_init(ISN + (uint32_t) i * 1000, 1000);
        s.tsval = 10 + (uint32_t) i;
        add(rsc, &a, &s);
        add(rsc, &b, &s);
        add(rsc, &c, &s);
    }
    CU_ASSERT_EQUAL(n_out, 0);
    CU_ASSERT_EQUAL(vsw_rsc_n_open(rsc), 3);
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 3);
    check_frame(out[0], &a, ISN, 8000, 8);
    check_frame(out[1], &b, ISN, 8000, 8);
    check_frame(out[2], &c, ISN, 8000, 8);
    CU_ASSERT_EQUAL(out[0]->oob.rsc_ts_delta, 7);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_non_tcp_frames_pass_through_untouched(void)
{
    static const uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     2, 0, 0, 0, 0, 1, 0x08, 0x06 };
    struct flow f = { .ver = 4, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(NULL);
    struct segspec s = seg_init(ISN, 100);
    struct vsw_rsc_stats st;
    struct vsw_pkt *p;
    size_t len;

    add_run(rsc, &f, ISN, 2, 100);
    /* UDP: the same frame with protocol 17 and a UDP checksum. */
    len = build(&f, &s, scratch, NULL, NULL, NULL);
    scratch[14 + 9] = VSW_IPPROTO_UDP;
    vsw_put_be16(scratch + 34 + 4, (uint16_t) (len - 34));
    p = vsw_pkt_from_bytes(scratch, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(vsw_rsc_add(rsc, p, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    CU_ASSERT_EQUAL(out[0], p);
    CU_ASSERT(!memcmp(vsw_pkt_data(p), scratch, len));
    p = vsw_pkt_from_bytes(arp, sizeof arp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(vsw_rsc_add(rsc, p, NULL), 0);
    CU_ASSERT_EQUAL(n_out, 2);
    /* The TCP context was not disturbed. */
    add_run(rsc, &f, ISN + 200, 1, 100);
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 3);
    check_frame(out[2], &f, ISN, 300, 3);
    vsw_rsc_get_stats(rsc, &st);
    CU_ASSERT_EQUAL(st.passed, 2);
    CU_ASSERT_EQUAL(st.tcp_segments, 3);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_config_and_reason_names(void)
{
    struct vsw_rsc_config bad = { .max_ip_bytes = 67 };
    struct vsw_rsc *rsc = (struct vsw_rsc *) 1;

    CU_ASSERT_EQUAL(vsw_rsc_create(&bad, collect, NULL, &rsc), EINVAL);
    CU_ASSERT_PTR_NULL(rsc);
    bad.max_ip_bytes = 65536;
    CU_ASSERT_EQUAL(vsw_rsc_create(&bad, collect, NULL, &rsc), EINVAL);
    CU_ASSERT_EQUAL(vsw_rsc_create(NULL, NULL, NULL, &rsc), EINVAL);
    vsw_rsc_destroy(NULL);
    for (int i = 0; i < VSW_RSC_N_REASONS; i++) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(vsw_rsc_reason_name(i));
        CU_ASSERT_STRING_NOT_EQUAL(vsw_rsc_reason_name(i), "unknown");
        for (int j = 0; j < i; j++) {
            CU_ASSERT_STRING_NOT_EQUAL(vsw_rsc_reason_name(i),
                                       vsw_rsc_reason_name(j));
        }
    }
    CU_ASSERT_STRING_EQUAL(vsw_rsc_reason_name(VSW_RSC_N_REASONS),
                           "unknown");
}

/* ------------------------------------------------------------------ */
/* Memory. */

static long live_blocks;

static void *
count_malloc(size_t size, void *aux)
{
    void *p = malloc(size);
    (void) aux;
    if (p) {
        live_blocks++;
    }
    return p;
}

static void *
count_realloc(void *ptr, size_t size, void *aux)
{
    void *p = realloc(ptr, size);
    (void) aux;
    if (p && !ptr) {
        live_blocks++;
    }
    return p;
}

static void
count_free(void *ptr, void *aux)
{
    (void) aux;
    if (ptr) {
        live_blocks--;
    }
    free(ptr);
}

static const struct vsw_allocator counting = {
    count_malloc, count_realloc, count_free, NULL
};

static void
test_rsc_appends_in_tailroom_without_allocating(void)
{
    struct flow f = { .ver = 4, .host = 1 };
    struct vsw_rsc *rsc = mkrsc(NULL);
    uint32_t seq = ISN;

    for (int i = 0; i < 5; i++, seq += 1000) {
        struct segspec s = seg_init(seq, 1000);
        size_t len = build(&f, &s, scratch, NULL, NULL, NULL);
        struct vsw_pkt *p = vsw_pkt_alloc(65600, 0);   /* a NIC buffer */

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        memcpy(vsw_pkt_put(p, len), scratch, len);
        p->oob.rx_csum_ip = p->oob.rx_csum_tcp = VSW_CSUM_RX_PASSED;
        p->oob.cookie = 0xc0ffee;
        vsw_alloc_fail_after(0);
        CU_ASSERT_EQUAL(vsw_rsc_add(rsc, p, NULL), 0);
        vsw_alloc_fail_reset();
    }
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 1);
    check_frame(out[0], &f, ISN, 5000, 5);
    out_clear();
    vsw_rsc_destroy(rsc);
}

static void
test_rsc_allocation_failure_gives_enomem_with_nothing_changed(void)
{
    struct vsw_rsc_config cfg = { .max_contexts = 4 };
    struct flow a = { .ver = 4, .ts = true, .host = 1 };
    struct flow b = { .ver = 6, .host = 2 };
    struct vsw_rsc *rsc = NULL;
    uint64_t k, failures = 0;
    int error = ENOMEM;

    vsw_set_allocator(&counting);
    out_clear();

    /* Creation: every allocation fails in turn. */
    for (k = 0; error == ENOMEM && k < 10; k++) {
        long before = live_blocks;

        vsw_alloc_fail_after(k);
        error = vsw_rsc_create(&cfg, collect, NULL, &rsc);
        vsw_alloc_fail_reset();
        if (error) {
            CU_ASSERT_EQUAL(error, ENOMEM);
            CU_ASSERT_PTR_NULL(rsc);
            CU_ASSERT_EQUAL(live_blocks, before);
        }
    }
    CU_ASSERT_EQUAL_FATAL(error, 0);
    CU_ASSERT_EQUAL(k, 3);                    /* two allocations */

    /* Adding: every segment first meets a failing allocator.  Connection
     * 'a' gets 16 segments of 724 bytes, 'b' 8 of 1448, interleaved. */
    for (int i = 0, ai = 0, bi = 0; i < 24; i++) {
        bool to_b = i % 3 == 2;
        const struct flow *f = to_b ? &b : &a;
        struct segspec s = to_b ? seg_init(ISN + (uint32_t) bi++ * 1448, 1448)
                                : seg_init(ISN + (uint32_t) ai++ * 724, 724);
        struct vsw_rsc_stats st0, st1;
        struct vsw_rsc_work w = { 0 };
        struct vsw_pkt *p;
        size_t open0 = vsw_rsc_n_open(rsc), n0 = n_out, len;
        long before;
        uint8_t copy[1600];

        s.tsval = (uint32_t) i;
        p = mkseg(f, &s);
        len = vsw_pkt_len(p);
        memcpy(copy, vsw_pkt_data(p), len);
        vsw_rsc_get_stats(rsc, &st0);
        before = live_blocks;
        vsw_alloc_fail_after(0);
        error = vsw_rsc_add(rsc, p, &w);
        vsw_alloc_fail_reset();
        if (error) {
            failures++;
            CU_ASSERT_EQUAL(error, ENOMEM);
            vsw_rsc_get_stats(rsc, &st1);
            CU_ASSERT(!memcmp(&st0, &st1, sizeof st0));
            CU_ASSERT_EQUAL(vsw_rsc_n_open(rsc), open0);
            CU_ASSERT_EQUAL(n_out, n0);
            CU_ASSERT_EQUAL(live_blocks, before);
            CU_ASSERT_EQUAL(vsw_pkt_len(p), len);
            CU_ASSERT(!memcmp(vsw_pkt_data(p), copy, len));
            CU_ASSERT_EQUAL(w.bytes_copied + w.bytes_checksummed
                            + w.segments_absorbed + w.frames_emitted, 0);
            /* The caller still owns it; the retry succeeds. */
            CU_ASSERT_EQUAL(vsw_rsc_add(rsc, p, &w), 0);
        }
    }
    CU_ASSERT_EQUAL(failures, 2);             /* each SCU grew once */
    vsw_rsc_flush(rsc, NULL);
    CU_ASSERT_EQUAL_FATAL(n_out, 2);
    check_frame(out[0], &a, ISN, 8 * 1448, 16);
    check_frame(out[1], &b, ISN, 8 * 1448, 8);
    out_clear();
    vsw_rsc_destroy(rsc);
    CU_ASSERT_EQUAL(live_blocks, 0);
    vsw_set_allocator(NULL);
}

static const struct cutest_case rsc_cases[] = {
    CUTEST(test_rsc_in_order_ipv4_segments_coalesce_into_one_frame),
    CUTEST(test_rsc_in_order_ipv6_tagged_segments_coalesce_into_one_frame),
    CUTEST(test_rsc_in_order_with_timestamps_coalesce),
    CUTEST(test_rsc_reverses_lso_segmentation),
    CUTEST(test_rsc_psh_is_ored_into_the_scu),
    CUTEST(test_rsc_ack_and_window_come_from_the_last_segment),
    CUTEST(test_rsc_each_segment_exception_finalizes_and_is_counted),
    CUTEST(test_rsc_unchecked_segments_coalesce_when_verified),
    CUTEST(test_rsc_out_of_order_segment_finalizes_and_starts_new_scu),
    CUTEST(test_rsc_ecn_change_restarts_and_same_ecn_coalesces),
    CUTEST(test_rsc_header_field_change_restarts),
    CUTEST(test_rsc_dup_ack_exemption_finalizes_and_passes_alone),
    CUTEST(test_rsc_dup_acks_counted_when_coalescing_them),
    CUTEST(test_rsc_window_updates_coalesce_and_pure_acks_do_not),
    CUTEST(test_rsc_timestamps_take_the_last_and_report_the_delta),
    CUTEST(test_rsc_timestamp_going_backwards_restarts),
    CUTEST(test_rsc_timestamps_refused_when_configured_off),
    CUTEST(test_rsc_max_size_boundary_is_exact),
    CUTEST(test_rsc_full_context_table_emits_new_connections_alone),
    CUTEST(test_rsc_flush_emits_oldest_first_and_singles_untouched),
    CUTEST(test_rsc_interleaved_connections_keep_separate_contexts),
    CUTEST(test_rsc_non_tcp_frames_pass_through_untouched),
    CUTEST(test_rsc_config_and_reason_names),
    CUTEST(test_rsc_appends_in_tailroom_without_allocating),
    CUTEST(test_rsc_allocation_failure_gives_enomem_with_nothing_changed),
    CUTEST_END
};

CUTEST_MAIN({ "rsc", rsc_cases })
