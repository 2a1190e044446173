/*
 * test-vsw-csum.c -- the Internet checksum helpers of vmswitch/csum.h:
 * RFC 1071's example and a known IPv4 header, chaining, RFC 1624
 * incremental updates, and TCP/UDP over IPv4 and IPv6 checked against a
 * naive reference that builds the pseudo-header as bytes and sums 16-bit
 * words one at a time; the UDP zero rules; the software checksum offload
 * (vmswitch/offload.h) filling what the OOB metadata requests.
 */
#include <config.h>
#include "vmswitch/csum.h"

#include <errno.h>
#include <string.h>

#include "tests/cutest.h"
#include "vmswitch/offload.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/wire.h"

/* RFC 1071 section 3's example. */
static const uint8_t rfc1071[8] = { 0x00, 0x01, 0xf2, 0x03,
                                    0xf4, 0xf5, 0xf6, 0xf7 };

/* A well-known IPv4 header with checksum 0xb861. */
static const uint8_t ipv4_hdr[20] = {
    0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
    0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static uint32_t rng_state = 12345;

static uint32_t
rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* The reference: one 16-bit word at a time, folding as it goes. */
static uint16_t
naive_csum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < n; i += 2) {
        uint16_t w = (uint16_t) (p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
        sum += w;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

static void
test_csum_rfc1071_example(void)
{
    CU_ASSERT_EQUAL(vsw_csum_fold(vsw_csum_add(0, rfc1071, 8)), 0xddf2);
    CU_ASSERT_EQUAL(vsw_csum(rfc1071, 8), 0x220d);
    CU_ASSERT_EQUAL(naive_csum(rfc1071, 8), 0x220d);
}

static void
test_csum_known_ipv4_header(void)
{
    uint8_t h[20];

    CU_ASSERT(vsw_csum_ipv4_verify(ipv4_hdr, 20));
    CU_ASSERT_EQUAL(vsw_csum(ipv4_hdr, 20), 0);
    memcpy(h, ipv4_hdr, 20);
    h[10] = h[11] = 0;
    CU_ASSERT_EQUAL(vsw_csum(h, 20), 0xb861);
    vsw_csum_ipv4_fill(h, 20);
    CU_ASSERT(!memcmp(h, ipv4_hdr, 20));
    h[8]--;                          /* TTL changes: checksum is wrong */
    CU_ASSERT_FALSE(vsw_csum_ipv4_verify(h, 20));
}

static void
test_csum_chained_even_chunks_equal_one_pass(void)
{
    uint8_t buf[1001];

    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t) rnd();
    }
    for (size_t n = 0; n <= sizeof buf; n += 37) {
        for (size_t cut = 0; cut <= n; cut += 2) {
            uint32_t s = vsw_csum_add(vsw_csum_add(0, buf, cut), buf + cut,
                                      n - cut);
            CU_ASSERT_EQUAL(vsw_csum_finish(s), naive_csum(buf, n));
        }
        CU_ASSERT_EQUAL(vsw_csum(buf, n), naive_csum(buf, n));
    }
}

/* The word-at-a-time sum against the reference on random buffers of
 * every length 0..300 and some long ones, at every alignment 0..7, chained
 * from random starting sums; every value fold + finish can see must
 * agree, the all-zero and all-0xff buffers included. */
static void
test_csum_fast_sum_matches_reference_everywhere(void)
{
    static uint8_t buf[4096 + 8];
    size_t lens[310];
    size_t n = 0;

    for (size_t l = 0; l <= 300; l++) {
        lens[n++] = l;
    }
    lens[n++] = 1514;
    lens[n++] = 1515;
    lens[n++] = 4096;
    for (int fill = 0; fill < 3; fill++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            buf[i] = fill == 0 ? 0 : fill == 1 ? 0xff : (uint8_t) rnd();
        }
        for (size_t k = 0; k < n; k++) {
            for (size_t align = 0; align < 8; align++) {
                uint32_t start = fill == 2 ? rnd() & 0xffff : 0;
                uint16_t want = naive_csum(buf + align, lens[k]);
                uint32_t got = vsw_csum_add(start, buf + align, lens[k]);
                uint32_t w = start + (uint16_t) ~want;

                /* compare the folded sums: start + data */
                CU_ASSERT_EQUAL_FATAL(vsw_csum_fold(got), vsw_csum_fold(w));
            }
        }
    }
}

static void
test_csum_odd_length_pads_with_zero(void)
{
    static const uint8_t odd[3] = { 0x12, 0x34, 0x56 };
    static const uint8_t even[4] = { 0x12, 0x34, 0x56, 0x00 };

    CU_ASSERT_EQUAL(vsw_csum(odd, 3), vsw_csum(even, 4));
    CU_ASSERT_EQUAL(vsw_csum(odd, 0), 0xffff);
}

static void
test_csum_incremental_update_matches_recompute(void)
{
    uint8_t h[20];

    memcpy(h, ipv4_hdr, 20);
    for (int i = 0; i < 2000; i++) {
        size_t word = (rnd() % 10) * 2;
        uint16_t old, new_, csum;

        if (word == 10) {
            continue;                /* the checksum field itself */
        }
        old = vsw_get_be16(h + word);
        new_ = (uint16_t) rnd();
        csum = vsw_get_be16(h + 10);
        vsw_put_be16(h + word, new_);
        vsw_put_be16(h + 10, vsw_csum_update16(csum, old, new_));
        CU_ASSERT(vsw_csum_ipv4_verify(h, 20));
    }
    /* A 32-bit field: the source address. */
    {
        uint32_t old = vsw_get_be32(h + 12), new_ = 0x0a000001;
        vsw_put_be32(h + 12, new_);
        vsw_put_be16(h + 10, vsw_csum_update32(vsw_get_be16(h + 10), old,
                                               new_));
        CU_ASSERT(vsw_csum_ipv4_verify(h, 20));
    }
}

/* ------------------------------------------------------------------ */
/* TCP and UDP against the reference. */

struct frame {
    uint8_t b[2048];
    size_t n;
};

/* Builds an IPv4 or IPv6 frame carrying 'proto' with 'payload' random
 * bytes; the transport checksum field is left random. */
static void
build(struct frame *f, int ver, uint8_t proto, size_t payload)
{
    size_t l3 = 14, l4, hl = proto == VSW_IPPROTO_TCP ? 20 : 8;

    memset(f->b, 0, sizeof f->b);
    for (int i = 0; i < 12; i++) {
        f->b[i] = (uint8_t) (i + 2);
    }
    f->b[0] = 0x02;
    vsw_put_be16(f->b + 12, ver == 4 ? 0x0800 : 0x86dd);
    if (ver == 4) {
        l4 = l3 + 20;
        f->b[l3] = 0x45;
        vsw_put_be16(f->b + l3 + 2, (uint16_t) (20 + hl + payload));
        f->b[l3 + 8] = 64;
        f->b[l3 + 9] = proto;
        for (int i = 12; i < 20; i++) {
            f->b[l3 + i] = (uint8_t) rnd();
        }
        vsw_csum_ipv4_fill(f->b + l3, 20);
    } else {
        l4 = l3 + 40;
        f->b[l3] = 0x60;
        vsw_put_be16(f->b + l3 + 4, (uint16_t) (hl + payload));
        f->b[l3 + 6] = proto;
        f->b[l3 + 7] = 64;
        for (int i = 8; i < 40; i++) {
            f->b[l3 + i] = (uint8_t) rnd();
        }
    }
    for (size_t i = 0; i < hl + payload; i++) {
        f->b[l4 + i] = (uint8_t) rnd();
    }
    if (proto == VSW_IPPROTO_TCP) {
        f->b[l4 + 12] = 5 << 4;
    } else {
        vsw_put_be16(f->b + l4 + 4, (uint16_t) (8 + payload));
    }
    f->n = l4 + hl + payload;
}

/* The reference checksum of the transport of 'f' (field taken as 0). */
static uint16_t
reference(const struct frame *f, int ver, uint8_t proto)
{
    uint8_t buf[4096];
    size_t l3 = 14, l4 = ver == 4 ? 34 : 54, n = 0;
    size_t len = f->n - l4;
    size_t field = proto == VSW_IPPROTO_TCP ? 16 : 6;
    uint16_t c;

    if (ver == 4) {
        memcpy(buf, f->b + l3 + 12, 8);
        buf[8] = 0;
        buf[9] = proto;
        vsw_put_be16(buf + 10, (uint16_t) len);
        n = 12;
    } else {
        memcpy(buf, f->b + l3 + 8, 32);
        vsw_put_be32(buf + 32, (uint32_t) len);
        buf[36] = buf[37] = buf[38] = 0;
        buf[39] = proto;
        n = 40;
    }
    memcpy(buf + n, f->b + l4, len);
    buf[n + field] = buf[n + field + 1] = 0;
    c = naive_csum(buf, n + len);
    if (proto == VSW_IPPROTO_UDP && c == 0) {
        c = 0xffff;
    }
    return c;
}

static void
check_l4(int ver, uint8_t proto)
{
    for (size_t payload = 0; payload < 300; payload += 7) {
        struct frame f;
        struct vsw_parse_result pr;
        size_t field = (ver == 4 ? 34 : 54)
                       + (proto == VSW_IPPROTO_TCP ? 16 : 6);
        uint64_t bytes = 0;

        build(&f, ver, proto, payload);
        CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(f.b, f.n, 0, &pr), 0);
        CU_ASSERT_EQUAL(vsw_csum_l4_fill(f.b, f.n, &pr, &bytes), 0);
        CU_ASSERT_EQUAL(vsw_get_be16(f.b + field), reference(&f, ver, proto));
        CU_ASSERT_EQUAL(bytes, f.n - (ver == 4 ? 34 : 54));
        CU_ASSERT_EQUAL(vsw_csum_l4_verify(f.b, f.n, &pr), 0);
        f.b[f.n - 1] ^= 0x40;
        CU_ASSERT_EQUAL(vsw_csum_l4_verify(f.b, f.n, &pr), EBADMSG);
    }
}

static void
test_csum_tcp_ipv4_matches_reference(void)
{
    check_l4(4, VSW_IPPROTO_TCP);
}

static void
test_csum_udp_ipv4_matches_reference(void)
{
    check_l4(4, VSW_IPPROTO_UDP);
}

static void
test_csum_tcp_ipv6_matches_reference(void)
{
    check_l4(6, VSW_IPPROTO_TCP);
}

static void
test_csum_udp_ipv6_matches_reference(void)
{
    check_l4(6, VSW_IPPROTO_UDP);
}

/* Arranges the payload so the computed UDP checksum is 0, which must go
 * on the wire as 0xffff. */
static void
check_udp_zero_sent_as_ffff(int ver)
{
    struct frame f;
    struct vsw_parse_result pr;
    size_t l4 = ver == 4 ? 34 : 54;
    uint16_t c;

    build(&f, ver, VSW_IPPROTO_UDP, 10);
    vsw_put_be16(f.b + l4 + 8, 0);
    CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(f.b, f.n, 0, &pr), 0);
    CU_ASSERT_EQUAL(vsw_csum_l4_fill(f.b, f.n, &pr, NULL), 0);
    c = vsw_get_be16(f.b + l4 + 6);
    /* Adding word 'c' to the data makes the one's-complement sum 0xffff,
     * hence a computed checksum of 0. */
    vsw_put_be16(f.b + l4 + 8, c);
    CU_ASSERT_EQUAL(vsw_csum_l4_fill(f.b, f.n, &pr, NULL), 0);
    CU_ASSERT_EQUAL(vsw_get_be16(f.b + l4 + 6), 0xffff);
    CU_ASSERT_EQUAL(vsw_csum_l4_verify(f.b, f.n, &pr), 0);
}

static void
test_csum_udp_computed_zero_is_sent_as_ffff(void)
{
    check_udp_zero_sent_as_ffff(4);
    check_udp_zero_sent_as_ffff(6);
}

static void
test_csum_udp_zero_field_means_none_on_ipv4_only(void)
{
    struct frame f;
    struct vsw_parse_result pr;

    build(&f, 4, VSW_IPPROTO_UDP, 20);
    vsw_put_be16(f.b + 34 + 6, 0);
    CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(f.b, f.n, 0, &pr), 0);
    CU_ASSERT_EQUAL(vsw_csum_l4_verify(f.b, f.n, &pr), 0);

    build(&f, 6, VSW_IPPROTO_UDP, 20);
    vsw_put_be16(f.b + 54 + 6, 0);
    CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(f.b, f.n, 0, &pr), 0);
    CU_ASSERT_EQUAL(vsw_csum_l4_verify(f.b, f.n, &pr), EBADMSG);
}

static void
test_csum_l4_refuses_fragments_and_other_protocols(void)
{
    struct frame f;
    struct vsw_parse_result pr;

    build(&f, 4, VSW_IPPROTO_UDP, 20);
    vsw_put_be16(f.b + 14 + 6, VSW_IPV4_MF);     /* first fragment */
    vsw_csum_ipv4_fill(f.b + 14, 20);
    CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(f.b, f.n, 0, &pr), 0);
    CU_ASSERT_EQUAL(vsw_csum_l4_fill(f.b, f.n, &pr, NULL), EINVAL);

    build(&f, 4, VSW_IPPROTO_UDP, 20);
    f.b[14 + 9] = VSW_IPPROTO_ICMP;
    vsw_csum_ipv4_fill(f.b + 14, 20);
    CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(f.b, f.n, 0, &pr), 0);
    CU_ASSERT_EQUAL(vsw_csum_l4_fill(f.b, f.n, &pr, NULL), EINVAL);
}

static void
test_csum_pseudo_headers_match_reference(void)
{
    static const uint8_t s4[4] = { 10, 0, 0, 1 }, d4[4] = { 10, 0, 0, 2 };
    uint8_t s6[16], d6[16], buf[40];

    memcpy(buf, s4, 4);
    memcpy(buf + 4, d4, 4);
    buf[8] = 0;
    buf[9] = 6;
    vsw_put_be16(buf + 10, 1234);
    CU_ASSERT_EQUAL(vsw_csum_finish(vsw_csum_pseudo_ipv4(s4, d4, 6, 1234)),
                    naive_csum(buf, 12));
    for (int i = 0; i < 16; i++) {
        s6[i] = (uint8_t) rnd();
        d6[i] = (uint8_t) rnd();
    }
    memcpy(buf, s6, 16);
    memcpy(buf + 16, d6, 16);
    vsw_put_be32(buf + 32, 70000);
    buf[36] = buf[37] = buf[38] = 0;
    buf[39] = 17;
    CU_ASSERT_EQUAL(vsw_csum_finish(vsw_csum_pseudo_ipv6(s6, d6, 17, 70000)),
                    naive_csum(buf, 40));
}

/* ------------------------------------------------------------------ */
/* The software checksum offload. */

static void
test_offload_fills_requested_checksums_in_place(void)
{
    struct vsw_offload_caps none = { 0 }, v4 = { .csum_ipv4 = true };
    struct vsw_offload_work w = { 0 };
    struct vsw_parse_result pr;
    struct frame f;
    struct vsw_pkt *p, *segs[1];
    size_t n_segs = 99;

    build(&f, 4, VSW_IPPROTO_TCP, 100);
    f.b[14 + 10] = 0xde;            /* wrong IPv4 checksum */
    p = vsw_pkt_from_bytes(f.b, f.n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_FALSE(vsw_offload_needed(p, &none));
    p->oob.tx_csum_ip = true;
    p->oob.tx_csum_tcp = true;
    CU_ASSERT(vsw_offload_needed(p, &none));
    CU_ASSERT_FALSE(vsw_offload_needed(p, &v4));
    CU_ASSERT_EQUAL(vsw_offload_apply(p, &none, segs, 1, &n_segs, &w), 0);
    CU_ASSERT_EQUAL(n_segs, 0);
    CU_ASSERT_FALSE(p->oob.tx_csum_ip || p->oob.tx_csum_tcp);
    CU_ASSERT_EQUAL(w.bytes_checksummed, 20 + 120);
    CU_ASSERT(vsw_csum_ipv4_verify(vsw_pkt_data_const(p) + 14, 20));
    CU_ASSERT_EQUAL_FATAL(vsw_parse(p, &pr), 0);
    CU_ASSERT_EQUAL(vsw_csum_l4_verify(vsw_pkt_data_const(p), vsw_pkt_len(p),
                                       &pr), 0);
    vsw_pkt_free(p);
}

static void
test_offload_udp_ipv6_request_and_bad_request(void)
{
    struct vsw_offload_caps v4only = { .csum_ipv4 = true };
    struct vsw_parse_result pr;
    struct frame f;
    struct vsw_pkt *p;
    uint8_t before[2048];

    build(&f, 6, VSW_IPPROTO_UDP, 33);
    p = vsw_pkt_from_bytes(f.b, f.n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p->oob.tx_csum_udp = true;
    CU_ASSERT(vsw_offload_needed(p, &v4only));
    CU_ASSERT_EQUAL(vsw_offload_csum(p, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(vsw_parse(p, &pr), 0);
    CU_ASSERT_EQUAL(vsw_csum_l4_verify(vsw_pkt_data_const(p), vsw_pkt_len(p),
                                       &pr), 0);

    /* A TCP request on a UDP frame: EINVAL, bytes and request kept. */
    p->oob.tx_csum_tcp = true;
    memcpy(before, vsw_pkt_data_const(p), vsw_pkt_len(p));
    CU_ASSERT_EQUAL(vsw_offload_csum(p, NULL), EINVAL);
    CU_ASSERT(p->oob.tx_csum_tcp);
    CU_ASSERT(!memcmp(before, vsw_pkt_data_const(p), vsw_pkt_len(p)));
    /* An IPv4 header request on IPv6: EINVAL. */
    p->oob.tx_csum_tcp = false;
    p->oob.tx_csum_ip = true;
    CU_ASSERT_EQUAL(vsw_offload_csum(p, NULL), EINVAL);
    vsw_pkt_free(p);
}

static const struct cutest_case csum_cases[] = {
    CUTEST(test_csum_rfc1071_example),
    CUTEST(test_csum_known_ipv4_header),
    CUTEST(test_csum_chained_even_chunks_equal_one_pass),
    CUTEST(test_csum_fast_sum_matches_reference_everywhere),
    CUTEST(test_csum_odd_length_pads_with_zero),
    CUTEST(test_csum_incremental_update_matches_recompute),
    CUTEST(test_csum_tcp_ipv4_matches_reference),
    CUTEST(test_csum_udp_ipv4_matches_reference),
    CUTEST(test_csum_tcp_ipv6_matches_reference),
    CUTEST(test_csum_udp_ipv6_matches_reference),
    CUTEST(test_csum_udp_computed_zero_is_sent_as_ffff),
    CUTEST(test_csum_udp_zero_field_means_none_on_ipv4_only),
    CUTEST(test_csum_l4_refuses_fragments_and_other_protocols),
    CUTEST(test_csum_pseudo_headers_match_reference),
    CUTEST_END
};

static const struct cutest_case offload_cases[] = {
    CUTEST(test_offload_fills_requested_checksums_in_place),
    CUTEST(test_offload_udp_ipv6_request_and_bad_request),
    CUTEST_END
};

CUTEST_MAIN({ "csum", csum_cases }, { "offload-csum", offload_cases })
