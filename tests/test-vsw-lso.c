/*
 * test-vsw-lso.c -- software LSO segmentation (vmswitch/offload.h) checked
 * by parsing every produced segment: IPv4 with IP and TCP options (LSOv1
 * and LSOv2, tagged and untagged) and IPv6 with an extension header
 * (LSOv2); sizes, sequence numbers, IPv4 ids (with wrap), FIN/PSH only on
 * the last segment, CWR only on the first, options copied, lengths,
 * IPv4 and TCP checksums, payload reassembly, work counts; when the switch
 * must segment; refusals; and an allocation-failure sweep that proves
 * ENOMEM and no leak at every allocation.
 */
#include <config.h>
#include "vmswitch/offload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cutest.h"
#include "vmswitch/alloc.h"
#include "vmswitch/csum.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/wire.h"

#define MAX_FRAME 70000

static uint8_t frame[MAX_FRAME];
static uint8_t reassembled[MAX_FRAME];

/* What a super-frame was built with. */
struct sf {
    int ver;                /* 4 or 6 */
    int lso_version;        /* 1 or 2 */
    bool tagged;
    size_t payload;
    uint32_t mss;
    uint32_t seq;
    uint16_t ip_id;
    uint8_t flags;

    /* Filled by build(). */
    size_t len, l3, l4, hdr;
};

static const uint8_t ip_opts[8] = { 0x94, 4, 0, 0, 1, 1, 1, 0 };
static const uint8_t tcp_opts[12] = { 1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9 };

static uint8_t
pay(size_t i)
{
    return (uint8_t) (i * 7 + (i >> 8));
}

/* Builds super-frame 's' into 'frame' as a stack hands it to its NIC:
 * IP length per the LSO version, TCP checksum field holding the
 * pseudo-header sum without length. */
static void
build(struct sf *s)
{
    uint8_t *d = frame;
    size_t o = 0, l3, l4;

    memset(d, 0, 64);
    d[0] = 0x02, d[5] = 0x0b, d[6] = 0x02, d[11] = 0x0a;
    o = 12;
    if (s->tagged) {
        vsw_put_be16(d + o, 0x8100);
        vsw_put_be16(d + o + 2, 3 << 13 | 42);
        o += 4;
    }
    vsw_put_be16(d + o, s->ver == 4 ? 0x0800 : 0x86dd);
    o += 2;
    l3 = o;
    if (s->ver == 4) {
        d[o] = 0x47;                  /* IHL 7: 8 bytes of options */
        d[o + 1] = 0;
        vsw_put_be16(d + o + 4, s->ip_id);
        vsw_put_be16(d + o + 6, VSW_IPV4_DF);
        d[o + 8] = 64;
        d[o + 9] = VSW_IPPROTO_TCP;
        d[o + 12] = 10, d[o + 15] = 1;
        d[o + 16] = 10, d[o + 19] = 2;
        memcpy(d + o + 20, ip_opts, sizeof ip_opts);
        o += 28;
    } else {
        vsw_put_be32(d + o, 0x60000000);
        d[o + 6] = VSW_IPPROTO_DSTOPTS;
        d[o + 7] = 64;
        d[o + 8] = 0x20, d[o + 9] = 0x01, d[o + 23] = 1;
        d[o + 24] = 0x20, d[o + 25] = 0x01, d[o + 39] = 2;
        o += 40;
        d[o] = VSW_IPPROTO_TCP;       /* destination options, 8 bytes */
        d[o + 1] = 0;
        memset(d + o + 2, 0, 6);
        d[o + 2] = 1;                 /* PadN */
        d[o + 3] = 4;
        o += 8;
    }
    l4 = o;
    vsw_put_be16(d + o, 40000);
    vsw_put_be16(d + o + 2, 443);
    vsw_put_be32(d + o + 4, s->seq);
    vsw_put_be32(d + o + 8, 77);
    d[o + 12] = 8 << 4;
    d[o + 13] = s->flags;
    vsw_put_be16(d + o + 14, 1000);
    vsw_put_be16(d + o + 16, 0);
    vsw_put_be16(d + o + 18, 0);
    memcpy(d + o + 20, tcp_opts, sizeof tcp_opts);
    o += 32;
    for (size_t i = 0; i < s->payload; i++) {
        d[o + i] = pay(i);
    }
    s->len = o + s->payload;
    s->l3 = l3;
    s->l4 = l4;
    s->hdr = o;
    if (s->ver == 4) {
        vsw_put_be16(d + l3 + 2, s->lso_version == 1
                                 ? (uint16_t) (s->len - l3) : 0);
        vsw_csum_ipv4_fill(d + l3, 28);
        vsw_put_be16(d + l4 + 16, vsw_csum_fold(
            vsw_csum_pseudo_ipv4(d + l3 + 12, d + l3 + 16,
                                 VSW_IPPROTO_TCP, 0)));
    } else {
        vsw_put_be16(d + l3 + 4, s->lso_version == 1
                                 ? (uint16_t) (s->len - l3 - 40) : 0);
        vsw_put_be16(d + l4 + 16, vsw_csum_fold(
            vsw_csum_pseudo_ipv6(d + l3 + 8, d + l3 + 24,
                                 VSW_IPPROTO_TCP, 0)));
    }
}

static struct vsw_pkt *
super_pkt(const struct sf *s)
{
    struct vsw_pkt *p = vsw_pkt_from_bytes(frame, s->len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p->oob.lso_mss = s->mss;
    p->oob.lso_version = (uint8_t) s->lso_version;
    p->oob.tx_csum_ip = s->ver == 4;
    p->oob.tx_csum_tcp = true;
    p->oob.cookie = 0xc0ffee;
    return p;
}

/* Segments 's' and checks every segment by parsing it. */
static void
segment_and_check(struct sf *s)
{
    struct vsw_offload_caps caps = { 0 };
    struct vsw_offload_work w = { 0 };
    struct vsw_pkt *segs[VSW_OFFLOAD_MAX_SEGMENTS];
    struct vsw_pkt *p;
    size_t n = 0, expect, got_payload = 0;
    uint64_t copied = 0;

    build(s);
    p = super_pkt(s);
    expect = s->payload ? (s->payload + s->mss - 1) / s->mss : 1;
    CU_ASSERT(vsw_offload_needed(p, &caps));
    CU_ASSERT_EQUAL_FATAL(vsw_offload_apply(p, &caps, segs,
                                            VSW_OFFLOAD_MAX_SEGMENTS, &n, &w),
                          0);
    CU_ASSERT_EQUAL_FATAL(n, expect);
    /* The super-frame is unchanged. */
    CU_ASSERT_EQUAL(vsw_pkt_len(p), s->len);
    CU_ASSERT(!memcmp(vsw_pkt_data_const(p), frame, s->len));

    for (size_t i = 0; i < n; i++) {
        const uint8_t *d = vsw_pkt_data_const(segs[i]);
        size_t len = vsw_pkt_len(segs[i]);
        size_t plen = len - s->hdr;
        bool last = i + 1 == n;
        struct vsw_parse_result pr;
        uint8_t f;

        CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(d, len, 0, &pr), VSW_PARSE_OK);
        CU_ASSERT_EQUAL(pr.key.ip_version, s->ver);
        CU_ASSERT_EQUAL(pr.key.ip_proto, VSW_IPPROTO_TCP);
        CU_ASSERT_EQUAL(pr.payload_ofs, s->hdr);
        CU_ASSERT_EQUAL(pr.l3_end, len);
        CU_ASSERT_EQUAL(pr.key.vlan_present, s->tagged);
        CU_ASSERT(plen == s->mss || (last && plen <= s->mss));
        /* Headers before the varying fields are copied. */
        CU_ASSERT(!memcmp(d, frame, s->l3));
        if (s->ver == 4) {
            CU_ASSERT_EQUAL(vsw_get_be16(d + s->l3 + 2), len - s->l3);
            CU_ASSERT_EQUAL(vsw_get_be16(d + s->l3 + 4),
                            (uint16_t) (s->ip_id + i));
            CU_ASSERT(vsw_csum_ipv4_verify(d + s->l3, 28));
            CU_ASSERT(!memcmp(d + s->l3 + 20, ip_opts, sizeof ip_opts));
        } else {
            CU_ASSERT_EQUAL(vsw_get_be16(d + s->l3 + 4),
                            len - s->l3 - 40);
            CU_ASSERT(!memcmp(d + s->l3 + 40, frame + s->l3 + 40, 8));
        }
        CU_ASSERT_EQUAL(vsw_get_be32(d + s->l4 + 4),
                        (uint32_t) (s->seq + i * s->mss));
        CU_ASSERT_EQUAL(vsw_get_be32(d + s->l4 + 8), 77);
        CU_ASSERT(!memcmp(d + s->l4 + 20, tcp_opts, sizeof tcp_opts));
        f = pr.key.tcp_flags;
        CU_ASSERT_EQUAL((f & VSW_TCP_FIN) != 0,
                        last && (s->flags & VSW_TCP_FIN));
        CU_ASSERT_EQUAL((f & VSW_TCP_PSH) != 0,
                        last && (s->flags & VSW_TCP_PSH));
        CU_ASSERT_EQUAL((f & VSW_TCP_CWR) != 0,
                        i == 0 && (s->flags & VSW_TCP_CWR));
        CU_ASSERT_EQUAL(f & VSW_TCP_ACK, s->flags & VSW_TCP_ACK);
        CU_ASSERT_EQUAL(vsw_csum_l4_verify(d, len, &pr), 0);
        /* Metadata: no LSO, no requests, the rest kept. */
        CU_ASSERT_EQUAL(segs[i]->oob.lso_mss, 0);
        CU_ASSERT_FALSE(segs[i]->oob.tx_csum_ip || segs[i]->oob.tx_csum_tcp);
        CU_ASSERT_EQUAL(segs[i]->oob.cookie, 0xc0ffee);

        memcpy(reassembled + got_payload, d + s->hdr, plen);
        got_payload += plen;
        copied += len;
        vsw_pkt_free(segs[i]);
    }
    CU_ASSERT_EQUAL(got_payload, s->payload);
    CU_ASSERT(!memcmp(reassembled, frame + s->hdr, s->payload));
    CU_ASSERT_EQUAL(w.segments, n);
    CU_ASSERT_EQUAL(w.bytes_copied, copied);
    CU_ASSERT(w.bytes_checksummed >= copied - n * s->l4);
    vsw_pkt_free(p);
}

#define FLAGS_ALL (VSW_TCP_ACK | VSW_TCP_PSH | VSW_TCP_FIN | VSW_TCP_CWR)

static void
test_lso_ipv4_v1_with_options_segments_correctly(void)
{
    struct sf s = { .ver = 4, .lso_version = 1, .payload = 10000,
                    .mss = 1448, .seq = 0xfffff000, .ip_id = 100,
                    .flags = FLAGS_ALL };

    segment_and_check(&s);
}

static void
test_lso_ipv4_v2_tagged_segments_correctly(void)
{
    struct sf s = { .ver = 4, .lso_version = 2, .tagged = true,
                    .payload = 64000, .mss = 1460, .seq = 1,
                    .ip_id = 0xfffe, .flags = FLAGS_ALL };

    segment_and_check(&s);
}

static void
test_lso_ipv6_v2_with_ext_header_segments_correctly(void)
{
    struct sf s = { .ver = 6, .lso_version = 2, .payload = 30001,
                    .mss = 1220, .seq = 5000, .flags = FLAGS_ALL };

    segment_and_check(&s);
}

static void
test_lso_exact_multiple_and_single_segment(void)
{
    struct sf a = { .ver = 4, .lso_version = 2, .payload = 4 * 1000,
                    .mss = 1000, .seq = 9, .ip_id = 1,
                    .flags = VSW_TCP_ACK | VSW_TCP_PSH };
    struct sf b = { .ver = 6, .lso_version = 2, .payload = 500,
                    .mss = 1000, .seq = 9, .flags = FLAGS_ALL };
    struct sf c = { .ver = 4, .lso_version = 1, .payload = 0,
                    .mss = 1000, .seq = 9, .ip_id = 3,
                    .flags = VSW_TCP_ACK | VSW_TCP_FIN };

    segment_and_check(&a);
    segment_and_check(&b);
    segment_and_check(&c);
}

static void
test_lso_many_mss_values(void)
{
    for (uint32_t mss = 256; mss <= 9000; mss = mss * 3 / 2 + 1) {
        struct sf s = { .ver = (mss & 1) ? 4 : 6, .lso_version = 2,
                        .payload = 20000 + mss, .mss = mss, .seq = mss,
                        .ip_id = (uint16_t) mss, .flags = FLAGS_ALL };
        segment_and_check(&s);
    }
}

static void
test_lso_needed_depends_on_nic_caps(void)
{
    struct sf s = { .ver = 4, .lso_version = 2, .payload = 5000,
                    .mss = 1000, .flags = VSW_TCP_ACK };
    struct vsw_offload_caps v2 = { .csum_ipv4 = true, .csum_ipv6 = true,
                                   .lso_v2_max_bytes = 65536 };
    struct vsw_offload_caps v1 = { .csum_ipv4 = true,
                                   .lso_v1_max_bytes = 65536 };
    struct vsw_offload_caps small = { .lso_v2_max_bytes = 1000 };
    struct vsw_pkt *p;

    build(&s);
    p = super_pkt(&s);
    CU_ASSERT_FALSE(vsw_offload_needed(p, &v2));
    CU_ASSERT(vsw_offload_needed(p, &v1));         /* no LSOv2 */
    CU_ASSERT(vsw_offload_needed(p, &small));      /* too big */
    p->oob.lso_version = 1;
    CU_ASSERT_FALSE(vsw_offload_needed(p, &v1));
    vsw_pkt_free(p);

    s.ver = 6;
    s.lso_version = 1;
    build(&s);
    p = super_pkt(&s);
    CU_ASSERT(vsw_offload_needed(p, &v1));         /* LSOv1 is IPv4 only */
    vsw_pkt_free(p);
}

static void
test_lso_refuses_too_many_segments_and_non_tcp(void)
{
    struct sf s = { .ver = 4, .lso_version = 2, .payload = 5000,
                    .mss = 100, .flags = VSW_TCP_ACK };
    struct vsw_pkt *segs[4];
    struct vsw_pkt *p;
    size_t n = 7;

    build(&s);
    p = super_pkt(&s);
    CU_ASSERT_EQUAL(vsw_offload_segment(p, segs, 4, &n, NULL), EMSGSIZE);
    CU_ASSERT_EQUAL(n, 0);
    /* Not TCP. */
    vsw_pkt_data(p)[s.l3 + 9] = VSW_IPPROTO_UDP;
    CU_ASSERT_EQUAL(vsw_offload_segment(p, segs, 4, &n, NULL), EINVAL);
    /* No MSS. */
    vsw_pkt_data(p)[s.l3 + 9] = VSW_IPPROTO_TCP;
    p->oob.lso_mss = 0;
    CU_ASSERT_EQUAL(vsw_offload_segment(p, segs, 4, &n, NULL), EINVAL);
    vsw_pkt_free(p);
}

/* ------------------------------------------------------------------ */
/* Allocation failure. */

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

static void
test_lso_allocation_failure_gives_enomem_without_leak(void)
{
    static const struct vsw_allocator counting = {
        count_malloc, count_realloc, count_free, NULL
    };
    struct sf s = { .ver = 6, .lso_version = 2, .payload = 9000,
                    .mss = 1000, .flags = FLAGS_ALL };
    struct vsw_offload_caps caps = { 0 };
    struct vsw_pkt *segs[VSW_OFFLOAD_MAX_SEGMENTS];
    struct vsw_pkt *p;
    uint64_t k;
    bool done = false;

    vsw_set_allocator(&counting);
    build(&s);
    p = super_pkt(&s);
    for (k = 0; !done && k < 100; k++) {
        long before = live_blocks;
        size_t n = 99;
        int error;

        vsw_alloc_fail_after(k);
        error = vsw_offload_apply(p, &caps, segs, VSW_OFFLOAD_MAX_SEGMENTS,
                                  &n, NULL);
        vsw_alloc_fail_reset();
        if (error) {
            CU_ASSERT_EQUAL(error, ENOMEM);
            CU_ASSERT_EQUAL(n, 0);
            CU_ASSERT_EQUAL(live_blocks, before);
        } else {
            CU_ASSERT_EQUAL(n, 9);
            CU_ASSERT_EQUAL(live_blocks, before + 9);
            for (size_t i = 0; i < n; i++) {
                vsw_pkt_free(segs[i]);
            }
            CU_ASSERT_EQUAL(live_blocks, before);
            done = true;
        }
        /* The super-frame is intact either way. */
        CU_ASSERT(!memcmp(vsw_pkt_data_const(p), frame, s.len));
    }
    CU_ASSERT(done);
    CU_ASSERT_EQUAL(k, 10);          /* 9 allocations: fails at 0..8 */
    vsw_pkt_free(p);
    CU_ASSERT_EQUAL(live_blocks, 0);
    vsw_set_allocator(NULL);
}

static const struct cutest_case lso_cases[] = {
    CUTEST(test_lso_ipv4_v1_with_options_segments_correctly),
    CUTEST(test_lso_ipv4_v2_tagged_segments_correctly),
    CUTEST(test_lso_ipv6_v2_with_ext_header_segments_correctly),
    CUTEST(test_lso_exact_multiple_and_single_segment),
    CUTEST(test_lso_many_mss_values),
    CUTEST(test_lso_needed_depends_on_nic_caps),
    CUTEST(test_lso_refuses_too_many_segments_and_non_tcp),
    CUTEST(test_lso_allocation_failure_gives_enomem_without_leak),
    CUTEST_END
};

CUTEST_MAIN({ "lso", lso_cases })
