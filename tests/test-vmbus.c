/*
 * test-vmbus.c -- models/vmbus.h: packet sizes, layouts and parsing; the
 * ring's header in guest memory, space accounting, the writer's
 * empty-to-non-empty signal, the reader's interrupt mask and re-check,
 * the pending-send flow-control signal, wraparound, trailers and counters;
 * channels (state machine, ring placement, subchannels, signal path); and
 * monitor pages.
 *
 * Rings live in a real struct gmem, and several tests look at the raw
 * guest bytes rather than at the model's answers.  The standard test ring
 * has 3 pages: one header page and a data area of D = 8192 bytes, small
 * enough to fill and wrap by hand.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/gmem.h"
#include "models/vmbus.h"
#include "tests/cutest.h"

#define PG 4096u
#define D 8192u                     /* data area of the test ring */
#define RING_BYTES (PG + D)

static struct gmem *mem;
static struct vmbus_ring ring;
static uint64_t ring_gpa;
static uint8_t buf[VMBUS_PKT_MAX_BYTES];

/* --- Helpers -------------------------------------------------------------- */

static void
setup_mem(uint64_t size)
{
    mem = NULL;
    CU_ASSERT_FATAL(gmem_create(size, &mem) == 0);
}

static void
setup_ring(bool feature)
{
    setup_mem(64 * PG);
    ring_gpa = gmem_alloc(mem, RING_BYTES);
    CU_ASSERT_FATAL(ring_gpa != 0);
    CU_ASSERT_FATAL(vmbus_ring_init(&ring, mem, ring_gpa, RING_BYTES,
                                    feature) == 0);
}

static void
teardown(void)
{
    gmem_destroy(mem);
    mem = NULL;
}

static void
fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 13);
    }
}

/* Writes an in-band packet that occupies exactly 'ring_bytes' (a multiple
 * of 8, at least 24) on the ring.  Returns the write's result. */
static int
write_sized(struct vmbus_ring *r, uint32_t ring_bytes, uint64_t trans_id,
            bool *signal)
{
    static uint8_t payload[D];
    CU_ASSERT_FATAL(ring_bytes >= 24 && ring_bytes % 8 == 0);
    struct vmbus_pkt p = vmbus_pkt_inband(trans_id, 0, payload,
                                          ring_bytes - 24);
    return vmbus_ring_write(r, &p, signal);
}

/* Reads 'n' packets in one batch; returns the batch's signal decision. */
static bool
read_batch(struct vmbus_ring *r, unsigned n)
{
    struct vmbus_pkt_view v;
    bool signal = true;

    vmbus_ring_batch_begin(r);
    for (unsigned i = 0; i < n; i++) {
        CU_ASSERT_EQUAL_FATAL(vmbus_ring_peek(r, buf, sizeof buf, &v), 0);
        vmbus_ring_advance(r);
    }
    vmbus_ring_batch_end(r, &signal);
    return signal;
}

/* Moves both indices of the empty test ring to 'target' (a multiple of 8,
 * at least 24) by writing and reading filler packets. */
static void
move_indices_to(uint32_t target)
{
    bool sig;
    uint32_t rem = target;

    CU_ASSERT_FATAL(vmbus_ring_bytes_to_read(&ring) == 0);
    while (rem) {
        uint32_t chunk = rem >= 1024 + 24 ? 1024 : rem;
        CU_ASSERT_FATAL(chunk >= 24);
        CU_ASSERT_FATAL(write_sized(&ring, chunk, 0, &sig) == 0);
        read_batch(&ring, 1);
        rem -= chunk;
    }
    CU_ASSERT_FATAL(vmbus_ring_write_index(&ring) == target % D);
    CU_ASSERT_FATAL(vmbus_ring_read_index(&ring) == target % D);
}

static uint32_t
hdr32(uint32_t off)
{
    return gmem_read32(mem, ring_gpa + off);
}

static uint64_t
data64(uint32_t off)
{
    return (uint64_t)gmem_read32(mem, ring_gpa + PG + off)
           | (uint64_t)gmem_read32(mem, ring_gpa + PG + off + 4) << 32;
}

static void
stats(struct vmbus_ring *r, struct vmbus_ring_stats *s)
{
    vmbus_ring_get_stats(r, s);
}

/* --- Packets -------------------------------------------------------------- */

static void
test_pkt_inband_30_byte_payload_occupies_56_bytes(void)
{
    uint8_t payload[30] = { 0 };
    struct vmbus_pkt p = vmbus_pkt_inband(1, 0, payload, 30);
    struct vmbus_pkt_size sz;

    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_size(&p, &sz), 0);
    CU_ASSERT_EQUAL(sz.header_bytes, 16);
    CU_ASSERT_EQUAL(sz.padding_bytes, 2);
    CU_ASSERT_EQUAL(sz.packet_bytes, 48);
    CU_ASSERT_EQUAL(sz.ring_bytes, 56);
    CU_ASSERT_EQUAL(vmbus_inband_ring_bytes(30), 56);
    CU_ASSERT_EQUAL(vmbus_inband_ring_bytes(0), 24);
    CU_ASSERT_EQUAL(vmbus_inband_ring_bytes(8), 32);
    CU_ASSERT_EQUAL(vmbus_inband_ring_bytes(9), 40);
    p.payload_len = 0;
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), 0);
    CU_ASSERT_EQUAL(sz.ring_bytes, 24);
    CU_ASSERT_EQUAL(sz.padding_bytes, 0);
}

static void
test_pkt_completion_is_sized_like_inband(void)
{
    uint8_t payload[12] = { 0 };
    struct vmbus_pkt p = vmbus_pkt_comp(77, payload, 12);
    struct vmbus_pkt_size sz;

    CU_ASSERT_EQUAL(p.type, VMBUS_PKT_COMP);
    CU_ASSERT_EQUAL(p.type, 0xb);
    CU_ASSERT_EQUAL(p.flags, 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_size(&p, &sz), 0);
    CU_ASSERT_EQUAL(sz.header_bytes, 16);
    CU_ASSERT_EQUAL(sz.ring_bytes, 16 + 16 + 8);
    CU_ASSERT_EQUAL(sz.ring_bytes, vmbus_inband_ring_bytes(12));
}

static void
test_pkt_xfer_pages_size_counts_ranges(void)
{
    struct vmbus_xfer_range r[3] = { { 60, 0 }, { 1514, 1728 }, { 9, 3456 } };
    uint8_t nvsp[12] = { 0 };
    struct vmbus_pkt p = vmbus_pkt_xfer_pages(5, 0, 0xcafe, false, r, 3,
                                              nvsp, 12);
    struct vmbus_pkt_size sz;

    CU_ASSERT_EQUAL(p.type, 7);
    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_size(&p, &sz), 0);
    CU_ASSERT_EQUAL(sz.header_bytes, 24 + 3 * 8);
    CU_ASSERT_EQUAL(sz.packet_bytes, 64);       /* 48 + 12 = 60 -> 64 */
    CU_ASSERT_EQUAL(sz.padding_bytes, 4);
    CU_ASSERT_EQUAL(sz.ring_bytes, 72);
    CU_ASSERT_EQUAL(vmbus_xfer_ring_bytes(3, 12), 72);
    CU_ASSERT_EQUAL(vmbus_xfer_ring_bytes(0, 0), 32);
    CU_ASSERT_EQUAL(vmbus_xfer_ring_bytes(375, 16), 24 + 3000 + 16 + 8);
}

static void
test_pkt_gpa_direct_size_counts_ranges_and_pages(void)
{
    uint64_t pfa[2] = { 0x100, 0x101 }, pfb[1] = { 0x200 };
    struct vmbus_gpa_range g[2] = {
        { .byte_count = 5000, .byte_offset = 100, .pfn_count = 2,
          .pfns = pfa },                        /* 5100 bytes: 2 pages */
        { .byte_count = 4096, .byte_offset = 0, .pfn_count = 1,
          .pfns = pfb },
    };
    uint8_t nvsp[16] = { 0 };
    struct vmbus_pkt p = vmbus_pkt_gpa_direct(9, 1, g, 2, nvsp, 16);
    struct vmbus_pkt_size sz;

    CU_ASSERT_EQUAL(p.type, 9);
    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_size(&p, &sz), 0);
    CU_ASSERT_EQUAL(sz.header_bytes, 24 + 2 * 8 + 3 * 8);
    CU_ASSERT_EQUAL(sz.packet_bytes, 80);
    CU_ASSERT_EQUAL(sz.ring_bytes, 88);
    CU_ASSERT_EQUAL(vmbus_gpa_direct_ring_bytes(2, 3, 16), 88);
    /* Linux's page-buffer form: one 16-byte entry per page. */
    CU_ASSERT_EQUAL(vmbus_gpa_direct_ring_bytes(32, 32, 0), 24 + 32 * 16 + 8);
}

static void
test_pkt_gpa_direct_allows_32_page_buffers_not_33(void)
{
    uint64_t pfns[33];
    struct vmbus_gpa_range g[33];
    struct vmbus_pkt_size sz;

    for (int i = 0; i < 33; i++) {
        pfns[i] = 0x1000 + (uint64_t)i;
        g[i] = (struct vmbus_gpa_range){ .byte_count = 100,
                                         .byte_offset = 8, .pfn_count = 1,
                                         .pfns = &pfns[i] };
    }
    struct vmbus_pkt p = vmbus_pkt_gpa_direct(1, 0, g, 32, NULL, 0);
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), 0);
    p.range_count = 33;
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);

    /* One range of 32 pages is the limit as well. */
    struct vmbus_gpa_range big = { .byte_count = 32 * PG, .byte_offset = 0,
                                   .pfn_count = 32, .pfns = pfns };
    p = vmbus_pkt_gpa_direct(1, 0, &big, 1, NULL, 0);
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), 0);
    big.byte_offset = 1;                        /* now spans 33 pages */
    big.pfn_count = 33;
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);
}

static void
test_pkt_size_refuses_invalid_packets(void)
{
    uint8_t pl[8] = { 0 };
    uint64_t pfn = 1;
    struct vmbus_xfer_range xr = { 1, 0 };
    struct vmbus_gpa_range gr = { .byte_count = 10, .byte_offset = 0,
                                  .pfn_count = 1, .pfns = &pfn };
    struct vmbus_pkt_size sz = { 0 };
    struct vmbus_pkt p;

    p = vmbus_pkt_inband(0, 0, pl, 8);
    p.type = 0;
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);
    p.type = 0xe;
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);
    p = vmbus_pkt_inband(0, 0, NULL, 8);        /* no payload bytes */
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);
    p = vmbus_pkt_inband(0, 0, pl, 8);
    p.range_count = 1;                          /* ranges on type 6 */
    p.xfer_ranges = &xr;
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);
    p = vmbus_pkt_xfer_pages(0, 0, 1, false, NULL, 1, NULL, 0);
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);
    p = vmbus_pkt_gpa_direct(0, 0, NULL, 1, NULL, 0);
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);

    p = vmbus_pkt_gpa_direct(0, 0, &gr, 1, NULL, 0);
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), 0);
    gr.byte_count = 0;
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);
    gr.byte_count = 10;
    gr.byte_offset = PG;
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);
    gr.byte_offset = PG - 5;                    /* spans 2 pages, says 1 */
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);
    gr.byte_offset = 0;
    gr.pfns = NULL;
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EINVAL);

    /* len8 is 16 bits: 65535 * 8 bytes at most. */
    p = vmbus_pkt_inband(0, 0, buf, VMBUS_PKT_MAX_BYTES - 16);
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), 0);
    CU_ASSERT_EQUAL(sz.packet_bytes, 524280);
    p.payload_len++;
    CU_ASSERT_EQUAL(vmbus_pkt_size(&p, &sz), EMSGSIZE);
    CU_ASSERT_EQUAL(vmbus_pkt_size(NULL, &sz), EINVAL);
}

static void
test_pkt_encode_lays_out_descriptor_little_endian_with_zero_padding(void)
{
    uint8_t payload[30], out[64];
    struct vmbus_pkt_size sz;

    fill_pattern(payload, sizeof payload, 1);
    memset(out, 0xEE, sizeof out);
    struct vmbus_pkt p = vmbus_pkt_inband(
        UINT64_C(0x1122334455667788), VMBUS_PKT_FLAG_COMPLETION_REQUESTED,
        payload, 30);
    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_encode(&p, out, sizeof out, &sz), 0);
    static const uint8_t desc[16] = { 0x06, 0x00, 0x02, 0x00, 0x06, 0x00,
                                      0x01, 0x00, 0x88, 0x77, 0x66, 0x55,
                                      0x44, 0x33, 0x22, 0x11 };
    CU_ASSERT_EQUAL(memcmp(out, desc, 16), 0);
    CU_ASSERT_EQUAL(memcmp(out + 16, payload, 30), 0);
    CU_ASSERT_EQUAL(out[46], 0);
    CU_ASSERT_EQUAL(out[47], 0);
    CU_ASSERT_EQUAL(out[48], 0xEE);             /* nothing beyond len8 */
    CU_ASSERT_EQUAL(vmbus_pkt_encode(&p, out, 47, &sz), EMSGSIZE);
    CU_ASSERT_EQUAL(sz.packet_bytes, 48);       /* still reported */
}

static void
test_pkt_encode_xfer_pages_header_layout(void)
{
    struct vmbus_xfer_range r[2] = { { 0x01020304, 0x0A0B0C0D },
                                     { 60, 1728 } };
    uint8_t nvsp[8] = { 0x6B, 0, 0, 0, 1, 0, 0, 0 }, out[64];
    struct vmbus_pkt p = vmbus_pkt_xfer_pages(3, 0, 0xcafe, true, r, 2,
                                              nvsp, 8);

    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_encode(&p, out, sizeof out, NULL), 0);
    CU_ASSERT_EQUAL(out[0], 7);
    CU_ASSERT_EQUAL(out[2], 5);                 /* offset8: 40 bytes */
    CU_ASSERT_EQUAL(out[4], 6);                 /* len8: 48 bytes */
    static const uint8_t hdr[24] = {
        0xFE, 0xCA, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,     /* id, owns, cnt */
        0x04, 0x03, 0x02, 0x01, 0x0D, 0x0C, 0x0B, 0x0A,     /* range 0 */
        60, 0, 0, 0, 0xC0, 0x06, 0, 0,                      /* range 1 */
    };
    CU_ASSERT_EQUAL(memcmp(out + 16, hdr, 24), 0);
    CU_ASSERT_EQUAL(memcmp(out + 40, nvsp, 8), 0);
}

static void
test_pkt_encode_gpa_direct_header_layout(void)
{
    uint64_t pfns[2] = { UINT64_C(0x0000000123456789), 0x42 };
    struct vmbus_gpa_range g = { .byte_count = 6000, .byte_offset = 0x10,
                                 .pfn_count = 2, .pfns = pfns };
    uint8_t out[64];
    struct vmbus_pkt p = vmbus_pkt_gpa_direct(3, 1, &g, 1, NULL, 0);

    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_encode(&p, out, sizeof out, NULL), 0);
    CU_ASSERT_EQUAL(out[0], 9);
    CU_ASSERT_EQUAL(out[2], 6);                 /* 24 + 8 + 16 = 48 */
    CU_ASSERT_EQUAL(out[4], 6);
    static const uint8_t hdr[32] = {
        0, 0, 0, 0, 1, 0, 0, 0,                             /* rsvd, count */
        0x70, 0x17, 0, 0, 0x10, 0, 0, 0,                    /* 6000, 16 */
        0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0,
        0x42, 0, 0, 0, 0, 0, 0, 0,
    };
    CU_ASSERT_EQUAL(memcmp(out + 16, hdr, 32), 0);
}

static void
test_pkt_parse_reads_back_each_type(void)
{
    uint8_t out[256], payload[20];
    struct vmbus_pkt_view v;
    struct vmbus_xfer_range xr[2] = { { 100, 0 }, { 200, 1728 } };
    uint64_t pa[1] = { 0x77 }, pb[2] = { 0x88, 0x99 };
    struct vmbus_gpa_range gr[2] = {
        { .byte_count = 64, .byte_offset = 4000, .pfn_count = 1,
          .pfns = pa },
        { .byte_count = 4097, .byte_offset = 0, .pfn_count = 2,
          .pfns = pb },
    };
    uint32_t bc = 0, bo = 0;

    fill_pattern(payload, sizeof payload, 9);
    struct vmbus_pkt p = vmbus_pkt_inband(42, 1, payload, 20);
    CU_ASSERT_FATAL(vmbus_pkt_encode(&p, out, sizeof out, NULL) == 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_parse(out, sizeof out, &v), 0);
    CU_ASSERT_EQUAL(v.type, 6);
    CU_ASSERT_EQUAL(v.flags, 1);
    CU_ASSERT_EQUAL(v.trans_id, 42);
    CU_ASSERT_EQUAL(v.header_bytes, 16);
    CU_ASSERT_EQUAL(v.packet_bytes, 40);
    CU_ASSERT_EQUAL(v.ring_bytes, 48);
    CU_ASSERT_EQUAL(v.payload_len, 24);         /* padded length */
    CU_ASSERT_PTR_EQUAL(v.payload, out + 16);
    CU_ASSERT_EQUAL(memcmp(v.payload, payload, 20), 0);
    CU_ASSERT_EQUAL(v.range_count, 0);

    p = vmbus_pkt_comp(43, NULL, 0);
    CU_ASSERT_FATAL(vmbus_pkt_encode(&p, out, sizeof out, NULL) == 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_parse(out, 16, &v), 0);
    CU_ASSERT_EQUAL(v.type, 0xb);
    CU_ASSERT_EQUAL(v.trans_id, 43);
    CU_ASSERT_EQUAL(v.payload_len, 0);

    p = vmbus_pkt_xfer_pages(44, 0, 0xcafe, false, xr, 2, payload, 8);
    CU_ASSERT_FATAL(vmbus_pkt_encode(&p, out, sizeof out, NULL) == 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_parse(out, sizeof out, &v), 0);
    CU_ASSERT_EQUAL(v.type, 7);
    CU_ASSERT_EQUAL(v.xfer_pageset_id, 0xcafe);
    CU_ASSERT_FALSE(v.sender_owns_set);
    CU_ASSERT_EQUAL(v.range_count, 2);
    CU_ASSERT_EQUAL(vmbus_pkt_view_xfer_range(&v, 0).byte_count, 100);
    CU_ASSERT_EQUAL(vmbus_pkt_view_xfer_range(&v, 0).byte_offset, 0);
    CU_ASSERT_EQUAL(vmbus_pkt_view_xfer_range(&v, 1).byte_count, 200);
    CU_ASSERT_EQUAL(vmbus_pkt_view_xfer_range(&v, 1).byte_offset, 1728);
    CU_ASSERT_EQUAL(v.header_bytes, 40);
    CU_ASSERT_EQUAL(memcmp(v.payload, payload, 8), 0);

    p = vmbus_pkt_gpa_direct(45, 1, gr, 2, payload, 20);
    CU_ASSERT_FATAL(vmbus_pkt_encode(&p, out, sizeof out, NULL) == 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_pkt_parse(out, sizeof out, &v), 0);
    CU_ASSERT_EQUAL(v.type, 9);
    CU_ASSERT_EQUAL(v.range_count, 2);
    CU_ASSERT_EQUAL(v.pfn_count, 3);
    CU_ASSERT_EQUAL(vmbus_pkt_view_gpa_range(&v, 0, &bc, &bo), 1);
    CU_ASSERT_EQUAL(bc, 64);
    CU_ASSERT_EQUAL(bo, 4000);
    CU_ASSERT_EQUAL(vmbus_pkt_view_gpa_pfn(&v, 0, 0), 0x77);
    CU_ASSERT_EQUAL(vmbus_pkt_view_gpa_range(&v, 1, &bc, &bo), 2);
    CU_ASSERT_EQUAL(bc, 4097);
    CU_ASSERT_EQUAL(bo, 0);
    CU_ASSERT_EQUAL(vmbus_pkt_view_gpa_pfn(&v, 1, 0), 0x88);
    CU_ASSERT_EQUAL(vmbus_pkt_view_gpa_pfn(&v, 1, 1), 0x99);
    CU_ASSERT_EQUAL(v.header_bytes, 24 + 16 + 24);
    CU_ASSERT_EQUAL(memcmp(v.payload, payload, 20), 0);
}

static void
test_pkt_parse_refuses_malformed_bytes(void)
{
    uint8_t out[128], payload[8] = { 0 };
    struct vmbus_pkt_view v;
    struct vmbus_xfer_range xr[1] = { { 1, 2 } };
    uint64_t pfn = 5;
    struct vmbus_gpa_range gr = { .byte_count = 8, .byte_offset = 0,
                                  .pfn_count = 1, .pfns = &pfn };

    struct vmbus_pkt p = vmbus_pkt_inband(1, 0, payload, 8);
    CU_ASSERT_FATAL(vmbus_pkt_encode(&p, out, sizeof out, NULL) == 0);
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 15, &v), EBADMSG);   /* short */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 23, &v), EBADMSG);   /* len8 */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 24, &v), 0);
    out[2] = 1;                                 /* offset8 * 8 < 16 */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 24, &v), EBADMSG);
    out[2] = 4;                                 /* offset8 > len8 */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 24, &v), EBADMSG);
    out[2] = 2;
    out[0] = 0x0e;                              /* unknown type */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 24, &v), EBADMSG);

    p = vmbus_pkt_xfer_pages(1, 0, 0, false, xr, 1, NULL, 0);
    CU_ASSERT_FATAL(vmbus_pkt_encode(&p, out, sizeof out, NULL) == 0);
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 32, &v), 0);
    out[20] = 2;                                /* 2 ranges in 1 slot */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 32, &v), EBADMSG);
    out[20] = 1;
    out[2] = 2;                                 /* header too short */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 32, &v), EBADMSG);

    p = vmbus_pkt_gpa_direct(1, 0, &gr, 1, NULL, 0);
    CU_ASSERT_FATAL(vmbus_pkt_encode(&p, out, sizeof out, NULL) == 0);
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 40, &v), 0);
    out[26] = 0x20;                             /* offset 8192: >= 4096 */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 40, &v), EBADMSG);
    out[26] = 0;
    out[24] = 0;                                /* byte count 0 */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 40, &v), EBADMSG);
    out[24] = 0;
    out[25] = 0x10;                             /* 4096 bytes at 0: ok */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 40, &v), 0);
    out[24] = 1;                                /* 4097: 2 pages, 1 pfn */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 40, &v), EBADMSG);
    out[24] = 8;
    out[25] = 0;
    out[20] = 33;                               /* > 32 ranges */
    CU_ASSERT_EQUAL(vmbus_pkt_parse(out, 40, &v), EBADMSG);
    CU_ASSERT_EQUAL(vmbus_pkt_parse(NULL, 40, &v), EBADMSG);
}

/* --- Ring: layout, writer, signals ---------------------------------------- */

static void
test_ring_init_lays_out_header_in_guest_memory(void)
{
    setup_mem(64 * PG);
    ring_gpa = gmem_alloc(mem, RING_BYTES);
    memset(gmem_ptr(mem, ring_gpa, PG), 0xFF, PG);  /* dirty header */
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_init(&ring, mem, ring_gpa, RING_BYTES,
                                          true), 0);
    CU_ASSERT_EQUAL(hdr32(0x00), 0);
    CU_ASSERT_EQUAL(hdr32(0x04), 0);
    CU_ASSERT_EQUAL(hdr32(0x08), 0);
    CU_ASSERT_EQUAL(hdr32(0x0C), 0);
    CU_ASSERT_EQUAL(hdr32(0x40), 1);
    CU_ASSERT_EQUAL(hdr32(0xFFC), 0);           /* whole page zeroed */
    CU_ASSERT_EQUAL(vmbus_ring_gpa(&ring), ring_gpa);
    CU_ASSERT_EQUAL(vmbus_ring_size(&ring), RING_BYTES);
    CU_ASSERT_EQUAL(vmbus_ring_data_size(&ring), D);
    CU_ASSERT_TRUE(vmbus_ring_feature_pending_send(&ring));
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_write(&ring), D);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(&ring), 0);

    CU_ASSERT_EQUAL_FATAL(vmbus_ring_init(&ring, mem, ring_gpa, RING_BYTES,
                                          false), 0);
    CU_ASSERT_EQUAL(hdr32(0x40), 0);
    CU_ASSERT_FALSE(vmbus_ring_feature_pending_send(&ring));
    teardown();
}

static void
test_ring_init_refuses_bad_geometry_and_leaves_ring_untouched(void)
{
    struct vmbus_ring r, before;

    setup_mem(8 * PG);
    memset(&r, 0x5C, sizeof r);
    before = r;
    CU_ASSERT_EQUAL(vmbus_ring_init(&r, mem, PG, PG, true), EINVAL);
    CU_ASSERT_EQUAL(vmbus_ring_init(&r, mem, PG, 2 * PG + 1, true), EINVAL);
    CU_ASSERT_EQUAL(vmbus_ring_init(&r, mem, PG, 3 * PG - 8, true), EINVAL);
    CU_ASSERT_EQUAL(vmbus_ring_init(&r, mem, 0, 2 * PG, true), EINVAL);
    CU_ASSERT_EQUAL(vmbus_ring_init(&r, mem, PG + 8, 2 * PG, true), EINVAL);
    CU_ASSERT_EQUAL(vmbus_ring_init(&r, mem, 7 * PG, 2 * PG, true), EINVAL);
    CU_ASSERT_EQUAL(vmbus_ring_init(&r, NULL, PG, 2 * PG, true), EINVAL);
    CU_ASSERT_EQUAL(vmbus_ring_attach(&r, mem, 8 * PG, 2 * PG), EINVAL);
    CU_ASSERT_EQUAL(memcmp(&r, &before, sizeof r), 0);
    CU_ASSERT_EQUAL(vmbus_ring_init(&r, mem, 6 * PG, 2 * PG, true), 0);
    CU_ASSERT_EQUAL(vmbus_ring_data_size(&r), PG);
    teardown();
}

static void
test_ring_write_publishes_index_after_copying_packet(void)
{
    uint8_t payload[30];
    bool sig = false;

    setup_ring(true);
    fill_pattern(payload, sizeof payload, 3);
    struct vmbus_pkt p = vmbus_pkt_inband(0xABCD, 1, payload, 30);
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_write(&ring, &p, &sig), 0);
    CU_ASSERT_EQUAL(hdr32(0x00), 56);           /* published, raw bytes */
    CU_ASSERT_EQUAL(hdr32(0x04), 0);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(&ring), 56);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_write(&ring), D - 56);

    uint8_t flat[48];
    CU_ASSERT_FATAL(vmbus_pkt_encode(&p, flat, sizeof flat, NULL) == 0);
    CU_ASSERT_EQUAL(memcmp(gmem_ptr(mem, ring_gpa + PG, 48), flat, 48), 0);
    CU_ASSERT_EQUAL(data64(48), 0);             /* trailer: 0 << 32 */
    teardown();
}

static void
test_ring_signals_only_on_empty_to_nonempty(void)
{
    bool sig;
    struct vmbus_ring_stats s;

    setup_ring(true);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 1, &sig), 0);
    CU_ASSERT_TRUE(sig);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 2, &sig), 0);
    CU_ASSERT_FALSE(sig);
    CU_ASSERT_EQUAL(write_sized(&ring, 64, 3, &sig), 0);
    CU_ASSERT_FALSE(sig);
    /* The reader consumes two of three: still not empty. */
    CU_ASSERT_FALSE(read_batch(&ring, 2));
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 4, &sig), 0);
    CU_ASSERT_FALSE(sig);
    /* Drained: the next write signals again. */
    CU_ASSERT_FALSE(read_batch(&ring, 2));
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(&ring), 0);
    CU_ASSERT_EQUAL(write_sized(&ring, 24, 5, &sig), 0);
    CU_ASSERT_TRUE(sig);
    stats(&ring, &s);
    CU_ASSERT_EQUAL(s.signals, 2);
    CU_ASSERT_EQUAL(s.suppressed_not_empty, 3);
    CU_ASSERT_EQUAL(s.suppressed_masked, 0);
    teardown();
}

static void
test_ring_write_during_unpublished_batch_does_not_signal(void)
{
    bool sig;
    struct vmbus_pkt_view v;

    /* The rule compares with what the reader has *published*: a packet
     * consumed inside an open batch still counts as unread. */
    setup_ring(true);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 1, &sig), 0);
    CU_ASSERT_TRUE(sig);
    vmbus_ring_batch_begin(&ring);
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_peek(&ring, buf, sizeof buf, &v), 0);
    vmbus_ring_advance(&ring);
    CU_ASSERT_EQUAL(vmbus_ring_peek(&ring, buf, sizeof buf, &v), ENODATA);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 2, &sig), 0);
    CU_ASSERT_FALSE(sig);
    vmbus_ring_batch_end(&ring, &sig);
    CU_ASSERT_FALSE(sig);
    CU_ASSERT_EQUAL(vmbus_ring_read_index(&ring), 56);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(&ring), 56);
    teardown();
}

static void
test_ring_no_signal_while_reader_has_masked(void)
{
    bool sig = true;
    struct vmbus_ring_stats s;

    setup_ring(true);
    vmbus_ring_begin_read(&ring);
    CU_ASSERT_EQUAL(hdr32(0x08), 1);
    CU_ASSERT_TRUE(vmbus_ring_masked(&ring));
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 1, &sig), 0);  /* empty ring */
    CU_ASSERT_FALSE(sig);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 2, &sig), 0);
    CU_ASSERT_FALSE(sig);
    stats(&ring, &s);
    CU_ASSERT_EQUAL(s.signals, 0);
    CU_ASSERT_EQUAL(s.suppressed_masked, 2);
    CU_ASSERT_EQUAL(s.suppressed_not_empty, 0);
    teardown();
}

static void
test_ring_end_read_recheck_reports_data_written_while_masked(void)
{
    bool sig = true;

    setup_ring(true);
    /* Nothing arrived: the reader may sleep. */
    vmbus_ring_begin_read(&ring);
    CU_ASSERT_EQUAL(vmbus_ring_end_read(&ring), 0);
    CU_ASSERT_EQUAL(hdr32(0x08), 0);

    /* The reader drains, masked; a packet arrives before it unmasks. */
    vmbus_ring_begin_read(&ring);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 1, &sig), 0);
    CU_ASSERT_FALSE(sig);
    CU_ASSERT_EQUAL(vmbus_ring_end_read(&ring), 56);
    CU_ASSERT_FALSE(vmbus_ring_masked(&ring));
    /* It polls again and finds it; after that the ring is empty, and the
     * next write signals. */
    CU_ASSERT_FALSE(read_batch(&ring, 1));
    vmbus_ring_begin_read(&ring);
    CU_ASSERT_EQUAL(vmbus_ring_end_read(&ring), 0);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 2, &sig), 0);
    CU_ASSERT_TRUE(sig);
    teardown();
}

static void
test_ring_full_write_returns_eagain_and_changes_nothing(void)
{
    bool sig = true;
    struct vmbus_ring_stats s;
    uint8_t *before = malloc(RING_BYTES);

    CU_ASSERT_FATAL(before != NULL);
    setup_ring(true);
    for (int i = 0; i < 7; i++) {
        CU_ASSERT_EQUAL_FATAL(write_sized(&ring, 1024, (uint64_t)i, &sig), 0);
    }
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_write(&ring), 1024);
    memcpy(before, gmem_ptr(mem, ring_gpa, RING_BYTES), RING_BYTES);

    /* Free space equal to the packet: refused (it would fill the ring). */
    CU_ASSERT_EQUAL(write_sized(&ring, 1024, 99, &sig), EAGAIN);
    CU_ASSERT_FALSE(sig);
    CU_ASSERT_EQUAL(write_sized(&ring, 2048, 99, &sig), EAGAIN);
    CU_ASSERT_EQUAL(memcmp(before, gmem_ptr(mem, ring_gpa, RING_BYTES),
                           RING_BYTES), 0);
    stats(&ring, &s);
    CU_ASSERT_EQUAL(s.eagain, 2);
    CU_ASSERT_EQUAL(s.packets_written, 7);
    CU_ASSERT_EQUAL(s.bytes_written, 7 * 1024);

    /* Eight bytes less fits, and leaves exactly 8 bytes free. */
    CU_ASSERT_EQUAL(write_sized(&ring, 1016, 100, &sig), 0);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_write(&ring), 8);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(&ring), D - 8);
    CU_ASSERT_EQUAL(write_sized(&ring, 24, 101, &sig), EAGAIN);
    free(before);
    teardown();
}

static void
test_ring_never_becomes_completely_full(void)
{
    bool sig;
    unsigned n = 0;
    int err;

    setup_ring(true);
    /* Smallest packets (24 bytes) until refused, at several offsets. */
    for (int round = 0; round < 3; round++) {
        while ((err = write_sized(&ring, 24, n, &sig)) == 0) {
            n++;
            CU_ASSERT_NOT_EQUAL(vmbus_ring_write_index(&ring),
                                vmbus_ring_read_index(&ring));
            CU_ASSERT_TRUE(vmbus_ring_bytes_to_write(&ring) > 0);
        }
        CU_ASSERT_EQUAL(err, EAGAIN);
        CU_ASSERT_TRUE(vmbus_ring_bytes_to_write(&ring) <= 24);
        CU_ASSERT_TRUE(vmbus_ring_bytes_to_read(&ring) < D);
        read_batch(&ring, 100 + round);
    }
    /* 8192 = 341 * 24 + 8: the first fill stops with 8 bytes free. */
    teardown();
    setup_ring(true);
    for (n = 0; write_sized(&ring, 24, n, &sig) == 0; n++) {
    }
    CU_ASSERT_EQUAL(n, 341);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_write(&ring), 8);
    teardown();
}

static void
test_ring_refuses_packet_that_can_never_fit(void)
{
    bool sig = true;
    struct vmbus_ring_stats s;

    setup_ring(true);
    CU_ASSERT_EQUAL(write_sized(&ring, D, 1, &sig), EMSGSIZE);
    CU_ASSERT_FALSE(sig);
    CU_ASSERT_EQUAL(write_sized(&ring, D - 8, 1, &sig), 0);  /* fits empty */
    struct vmbus_pkt bad = vmbus_pkt_inband(0, 0, NULL, 4);
    CU_ASSERT_EQUAL(vmbus_ring_write(&ring, &bad, &sig), EINVAL);
    stats(&ring, &s);
    CU_ASSERT_EQUAL(s.eagain, 0);
    CU_ASSERT_EQUAL(s.packets_written, 1);
    teardown();
}

/* Writes a packet with a payload of 'len' pattern bytes at data offset
 * 'at', checks the raw guest bytes against the flat encoding (wrapped in
 * two pieces), reads it back and compares. */
static void
check_wrapped_packet(uint32_t at, uint32_t len)
{
    uint8_t payload[512], flat[600];
    struct vmbus_pkt_size sz;
    struct vmbus_pkt_view v;
    bool sig;

    CU_ASSERT_FATAL(len <= sizeof payload);
    setup_ring(true);
    move_indices_to(at);
    fill_pattern(payload, len, (uint8_t)at);
    struct vmbus_pkt p = vmbus_pkt_inband(at, 0, payload, len);
    CU_ASSERT_FATAL(vmbus_pkt_encode(&p, flat, sizeof flat, &sz) == 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_write(&ring, &p, &sig), 0);
    CU_ASSERT_TRUE(sig);

    uint32_t first = D - at < sz.packet_bytes ? D - at : sz.packet_bytes;
    CU_ASSERT_EQUAL(memcmp(gmem_ptr(mem, ring_gpa + PG + at, first), flat,
                           first), 0);
    CU_ASSERT_EQUAL(memcmp(gmem_ptr(mem, ring_gpa + PG,
                                    sz.packet_bytes - first),
                           flat + first, sz.packet_bytes - first), 0);
    uint32_t tpos = (at + sz.packet_bytes) % D;
    CU_ASSERT_EQUAL(data64(tpos), (uint64_t)at << 32);
    CU_ASSERT_EQUAL(vmbus_ring_write_index(&ring),
                    (at + sz.ring_bytes) % D);

    memset(buf, 0, sz.packet_bytes);
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_read(&ring, buf, sizeof buf, &v, &sig),
                          0);
    CU_ASSERT_EQUAL(v.ring_offset, at);
    CU_ASSERT_EQUAL(v.trailer, (uint64_t)at << 32);
    CU_ASSERT_EQUAL(v.trans_id, at);
    CU_ASSERT_EQUAL(memcmp(buf, flat, sz.packet_bytes), 0);
    CU_ASSERT_EQUAL(memcmp(v.payload, payload, len), 0);
    CU_ASSERT_EQUAL(vmbus_ring_read_index(&ring), (at + sz.ring_bytes) % D);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(&ring), 0);
    teardown();
}

static void
test_ring_packet_wrapping_in_payload_reads_back_byte_identical(void)
{
    check_wrapped_packet(D - 40, 200);
}

static void
test_ring_packet_wrapping_in_descriptor_reads_back_byte_identical(void)
{
    check_wrapped_packet(D - 8, 100);
}

static void
test_ring_packet_ending_at_data_end_puts_trailer_at_start(void)
{
    check_wrapped_packet(D - 40, 24);           /* 40 packet bytes */
}

static void
test_ring_trailer_holds_packet_start_offset_shifted_32(void)
{
    bool sig;
    struct vmbus_pkt_view v;

    setup_ring(true);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 1, &sig), 0);   /* at 0 */
    CU_ASSERT_EQUAL(write_sized(&ring, 32, 2, &sig), 0);   /* at 56 */
    CU_ASSERT_EQUAL(write_sized(&ring, 1000, 3, &sig), 0); /* at 88 */
    CU_ASSERT_EQUAL(data64(48), 0);
    CU_ASSERT_EQUAL(data64(56 + 24), UINT64_C(56) << 32);
    CU_ASSERT_EQUAL(data64(88 + 992), UINT64_C(88) << 32);
    CU_ASSERT_EQUAL(vmbus_ring_read(&ring, buf, sizeof buf, &v, &sig), 0);
    CU_ASSERT_EQUAL(v.trailer, 0);
    CU_ASSERT_EQUAL(vmbus_ring_read(&ring, buf, sizeof buf, &v, &sig), 0);
    CU_ASSERT_EQUAL(v.trailer, UINT64_C(56) << 32);
    CU_ASSERT_EQUAL(v.ring_offset, 56);
    CU_ASSERT_EQUAL(vmbus_ring_read(&ring, buf, sizeof buf, &v, &sig), 0);
    CU_ASSERT_EQUAL(v.trailer, UINT64_C(88) << 32);
    CU_ASSERT_EQUAL(v.trans_id, 3);
    teardown();
}

static void
test_ring_carries_xfer_and_gpa_direct_packets_across_the_wrap(void)
{
    bool sig;
    struct vmbus_pkt_view v;
    struct vmbus_xfer_range xr[4] = { { 60, 0 }, { 1514, 1728 },
                                      { 42, 3456 }, { 9000, 5184 } };
    uint64_t pfns[3] = { 0xA0, 0xA1, 0xB7 };
    struct vmbus_gpa_range gr[2] = {
        { .byte_count = 5000, .byte_offset = 2000, .pfn_count = 2,
          .pfns = pfns },
        { .byte_count = 1, .byte_offset = 4095, .pfn_count = 1,
          .pfns = pfns + 2 },
    };
    uint8_t nvsp[28];
    uint32_t bc, bo;

    fill_pattern(nvsp, sizeof nvsp, 0x40);
    setup_ring(true);
    move_indices_to(D - 32);
    struct vmbus_pkt p = vmbus_pkt_xfer_pages(11, 0, 0xcafe, false, xr, 4,
                                              nvsp, 28);
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_write(&ring, &p, &sig), 0);
    p = vmbus_pkt_gpa_direct(12, VMBUS_PKT_FLAG_COMPLETION_REQUESTED, gr, 2,
                             nvsp, 12);
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_write(&ring, &p, &sig), 0);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(&ring),
                    vmbus_xfer_ring_bytes(4, 28)
                    + vmbus_gpa_direct_ring_bytes(2, 3, 12));

    CU_ASSERT_EQUAL_FATAL(vmbus_ring_read(&ring, buf, sizeof buf, &v, &sig),
                          0);
    CU_ASSERT_EQUAL(v.type, VMBUS_PKT_DATA_USING_XFER_PAGES);
    CU_ASSERT_EQUAL(v.trans_id, 11);
    CU_ASSERT_EQUAL(v.xfer_pageset_id, 0xcafe);
    CU_ASSERT_EQUAL(v.range_count, 4);
    for (uint32_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(vmbus_pkt_view_xfer_range(&v, i).byte_count,
                        xr[i].byte_count);
        CU_ASSERT_EQUAL(vmbus_pkt_view_xfer_range(&v, i).byte_offset,
                        xr[i].byte_offset);
    }
    CU_ASSERT_EQUAL(memcmp(v.payload, nvsp, 28), 0);

    CU_ASSERT_EQUAL_FATAL(vmbus_ring_read(&ring, buf, sizeof buf, &v, &sig),
                          0);
    CU_ASSERT_EQUAL(v.type, VMBUS_PKT_DATA_USING_GPA_DIRECT);
    CU_ASSERT_EQUAL(v.flags, VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
    CU_ASSERT_EQUAL(v.pfn_count, 3);
    CU_ASSERT_EQUAL(vmbus_pkt_view_gpa_range(&v, 0, &bc, &bo), 2);
    CU_ASSERT_EQUAL(bc, 5000);
    CU_ASSERT_EQUAL(bo, 2000);
    CU_ASSERT_EQUAL(vmbus_pkt_view_gpa_pfn(&v, 0, 1), 0xA1);
    CU_ASSERT_EQUAL(vmbus_pkt_view_gpa_range(&v, 1, &bc, &bo), 1);
    CU_ASSERT_EQUAL(bo, 4095);
    CU_ASSERT_EQUAL(vmbus_pkt_view_gpa_pfn(&v, 1, 0), 0xB7);
    CU_ASSERT_EQUAL(memcmp(v.payload, nvsp, 12), 0);
    CU_ASSERT_EQUAL(vmbus_ring_read(&ring, buf, sizeof buf, &v, &sig),
                    ENODATA);
    teardown();
}

static void
test_ring_peek_empty_small_buffer_and_outside_batch(void)
{
    bool sig = true;
    struct vmbus_pkt_view v;
    uint8_t small[16];

    setup_ring(true);
    CU_ASSERT_EQUAL(vmbus_ring_peek(&ring, buf, sizeof buf, &v), ENODATA);
    CU_ASSERT_EQUAL(vmbus_ring_read(&ring, buf, sizeof buf, &v, &sig),
                    ENODATA);
    CU_ASSERT_FALSE(sig);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 7, &sig), 0);
    CU_ASSERT_EQUAL(vmbus_ring_peek(&ring, small, sizeof small, &v),
                    EMSGSIZE);
    CU_ASSERT_EQUAL(v.type, 6);
    CU_ASSERT_EQUAL(v.trans_id, 7);
    CU_ASSERT_EQUAL(v.packet_bytes, 48);
    CU_ASSERT_EQUAL(v.ring_bytes, 56);
    /* Peeking outside a batch changes nothing: twice, same packet. */
    CU_ASSERT_EQUAL(vmbus_ring_peek(&ring, buf, sizeof buf, &v), 0);
    CU_ASSERT_EQUAL(vmbus_ring_peek(&ring, buf, sizeof buf, &v), 0);
    CU_ASSERT_EQUAL(v.trans_id, 7);
    CU_ASSERT_EQUAL(vmbus_ring_read_index(&ring), 0);
    CU_ASSERT_EQUAL(vmbus_ring_read(&ring, small, sizeof small, &v, &sig),
                    EMSGSIZE);
    CU_ASSERT_EQUAL(vmbus_ring_read_index(&ring), 0);
    CU_ASSERT_EQUAL(vmbus_ring_read(&ring, buf, sizeof buf, &v, &sig), 0);
    CU_ASSERT_EQUAL(vmbus_ring_read_index(&ring), 56);
    teardown();
}

static void
test_ring_refuses_corrupt_guest_bytes(void)
{
    bool sig;
    struct vmbus_pkt_view v;

    setup_ring(true);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 1, &sig), 0);
    /* len8 claims more than was written. */
    gmem_write32(mem, ring_gpa + PG + 4, 100);
    CU_ASSERT_EQUAL(vmbus_ring_peek(&ring, buf, sizeof buf, &v), EBADMSG);
    gmem_write32(mem, ring_gpa + PG + 4, 6);
    CU_ASSERT_EQUAL(vmbus_ring_peek(&ring, buf, sizeof buf, &v), 0);
    /* offset8 below the descriptor. */
    gmem_write32(mem, ring_gpa + PG, 0x00010006);
    CU_ASSERT_EQUAL(vmbus_ring_peek(&ring, buf, sizeof buf, &v), EBADMSG);
    /* An index outside the data area or off the 8-byte grid. */
    gmem_write32(mem, ring_gpa + 0x04, D);
    CU_ASSERT_EQUAL(vmbus_ring_peek(&ring, buf, sizeof buf, &v), EBADMSG);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 2, &sig), EBADMSG);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(&ring), 0);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_write(&ring), 0);
    gmem_write32(mem, ring_gpa + 0x04, 4);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 2, &sig), EBADMSG);
    teardown();
}

/* --- Ring: pending-send flow control -------------------------------------- */

/* Fills the test ring with seven 1024-byte packets: 1024 bytes free. */
static void
fill_seven(void)
{
    bool sig;

    for (int i = 0; i < 7; i++) {
        CU_ASSERT_EQUAL_FATAL(write_sized(&ring, 1024, (uint64_t)i, &sig), 0);
    }
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_bytes_to_write(&ring), 1024);
}

static void
test_pending_send_signals_once_on_crossing(void)
{
    bool sig;
    struct vmbus_ring_stats s;

    setup_ring(true);
    fill_seven();
    CU_ASSERT_EQUAL(write_sized(&ring, 2048, 9, &sig), EAGAIN);
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, 2048), 0);
    CU_ASSERT_EQUAL(hdr32(0x0C), 2048);
    /* Free 1024 -> 2048: not more than pending yet. */
    CU_ASSERT_FALSE(read_batch(&ring, 1));
    /* 2048 -> 3072: the crossing. */
    CU_ASSERT_TRUE(read_batch(&ring, 1));
    /* 3072 -> 4096: already above, no second signal. */
    CU_ASSERT_FALSE(read_batch(&ring, 1));
    stats(&ring, &s);
    CU_ASSERT_EQUAL(s.pending_send_signals, 1);
    /* Woken, the writer's packet fits now. */
    CU_ASSERT_EQUAL(write_sized(&ring, 2048, 9, &sig), 0);
    vmbus_ring_clear_pending_send(&ring);
    CU_ASSERT_EQUAL(hdr32(0x0C), 0);
    teardown();
}

static void
test_pending_send_one_batch_over_many_packets_signals_once_at_end(void)
{
    bool sig = true;
    struct vmbus_pkt_view v;

    setup_ring(true);
    fill_seven();
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, 2048), 0);
    vmbus_ring_batch_begin(&ring);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL_FATAL(vmbus_ring_peek(&ring, buf, sizeof buf, &v), 0);
        vmbus_ring_advance(&ring);
        CU_ASSERT_EQUAL(vmbus_ring_read_index(&ring), 0);  /* unpublished */
    }
    vmbus_ring_batch_end(&ring, &sig);
    CU_ASSERT_TRUE(sig);                        /* 1024 -> 5120 */
    CU_ASSERT_EQUAL(vmbus_ring_read_index(&ring), 4096);
    CU_ASSERT_FALSE(read_batch(&ring, 3));
    teardown();
}

static void
test_pending_send_boundary_is_strictly_greater(void)
{
    setup_ring(true);
    fill_seven();
    /* After one packet free is exactly 2048: pending 2047 crosses,
     * pending 2048 does not. */
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, 2047), 0);
    CU_ASSERT_TRUE(read_batch(&ring, 1));
    teardown();

    setup_ring(true);
    fill_seven();
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, 2048), 0);
    CU_ASSERT_FALSE(read_batch(&ring, 1));
    teardown();

    /* Free before == pending counts as "not enough": 1024 pending with
     * 1024 free crosses on the first packet read. */
    setup_ring(true);
    fill_seven();
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, 1024), 0);
    CU_ASSERT_TRUE(read_batch(&ring, 1));
    teardown();
}

static void
test_pending_send_no_signal_when_pending_is_zero(void)
{
    struct vmbus_ring_stats s;

    setup_ring(true);
    fill_seven();
    for (int i = 0; i < 7; i++) {
        CU_ASSERT_FALSE(read_batch(&ring, 1));
    }
    stats(&ring, &s);
    CU_ASSERT_EQUAL(s.pending_send_signals, 0);
    teardown();
}

static void
test_pending_send_no_signal_without_feature_bit(void)
{
    struct vmbus_ring_stats s;

    setup_ring(false);
    fill_seven();
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, 2048), 0);
    for (int i = 0; i < 7; i++) {
        CU_ASSERT_FALSE(read_batch(&ring, 1));
    }
    stats(&ring, &s);
    CU_ASSERT_EQUAL(s.pending_send_signals, 0);
    /* Setting the bit in guest memory is what matters. */
    teardown();
    setup_ring(false);
    fill_seven();
    gmem_write32(mem, ring_gpa + 0x40, VMBUS_RING_FEAT_PENDING_SEND_SZ);
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, 2048), 0);
    CU_ASSERT_FALSE(read_batch(&ring, 1));
    CU_ASSERT_TRUE(read_batch(&ring, 1));
    teardown();
}

static void
test_pending_send_ignores_interrupt_mask(void)
{
    setup_ring(true);
    fill_seven();
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, 2048), 0);
    vmbus_ring_begin_read(&ring);
    CU_ASSERT_FALSE(read_batch(&ring, 1));
    CU_ASSERT_TRUE(read_batch(&ring, 1));
    teardown();
}

static void
test_pending_send_refuses_unsatisfiable_size(void)
{
    setup_ring(true);
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, D), EINVAL);
    CU_ASSERT_EQUAL(hdr32(0x0C), 0);
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, D - 1), 0);
    CU_ASSERT_EQUAL(vmbus_ring_pending_send(&ring), D - 1);
    teardown();
}

static void
test_pending_send_batch_reading_nothing_does_not_signal(void)
{
    bool sig = true;

    setup_ring(true);
    fill_seven();
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, 1024), 0);
    vmbus_ring_batch_begin(&ring);
    vmbus_ring_batch_end(&ring, &sig);
    CU_ASSERT_FALSE(sig);
    teardown();
}

/* --- Ring: two views, counters -------------------------------------------- */

static void
test_ring_two_views_share_state_only_through_guest_memory(void)
{
    struct vmbus_ring host;
    struct vmbus_ring_stats gs, hs;
    struct vmbus_pkt_view v;
    bool sig;

    setup_ring(true);
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_attach(&host, mem, ring_gpa,
                                            RING_BYTES), 0);
    CU_ASSERT_TRUE(vmbus_ring_feature_pending_send(&host));
    /* The guest writes; the host sees it. */
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 1, &sig), 0);
    CU_ASSERT_TRUE(sig);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(&host), 56);
    /* The host masks while draining; the guest's write sees the mask. */
    vmbus_ring_begin_read(&host);
    CU_ASSERT_EQUAL(vmbus_ring_read(&host, buf, sizeof buf, &v, &sig), 0);
    CU_ASSERT_EQUAL(v.trans_id, 1);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 2, &sig), 0);
    CU_ASSERT_FALSE(sig);
    CU_ASSERT_EQUAL(vmbus_ring_end_read(&host), 56);
    CU_ASSERT_EQUAL(vmbus_ring_read(&host, buf, sizeof buf, &v, &sig), 0);
    CU_ASSERT_EQUAL(v.trans_id, 2);
    /* Each view counts its own side. */
    stats(&ring, &gs);
    stats(&host, &hs);
    CU_ASSERT_EQUAL(gs.packets_written, 2);
    CU_ASSERT_EQUAL(gs.packets_read, 0);
    CU_ASSERT_EQUAL(hs.packets_written, 0);
    CU_ASSERT_EQUAL(hs.packets_read, 2);
    CU_ASSERT_EQUAL(gs.occupancy_bytes, 0);
    CU_ASSERT_EQUAL(hs.occupancy_bytes, 0);
    teardown();
}

static void
test_ring_counters_are_exact(void)
{
    bool sig;
    struct vmbus_ring_stats s;

    setup_ring(true);
    CU_ASSERT_EQUAL(write_sized(&ring, 56, 1, &sig), 0);    /* signal */
    CU_ASSERT_EQUAL(write_sized(&ring, 1024, 2, &sig), 0);  /* not empty */
    vmbus_ring_begin_read(&ring);
    CU_ASSERT_EQUAL(write_sized(&ring, 32, 3, &sig), 0);    /* masked */
    vmbus_ring_end_read(&ring);
    CU_ASSERT_FALSE(read_batch(&ring, 2));                  /* 1080 bytes */
    CU_ASSERT_EQUAL(write_sized(&ring, 8160, 4, &sig), EAGAIN);
    CU_ASSERT_EQUAL(write_sized(&ring, 6000, 5, &sig), 0);  /* not empty */
    CU_ASSERT_EQUAL(vmbus_ring_set_pending_send(&ring, 2160), 0);
    CU_ASSERT_TRUE(read_batch(&ring, 1));                   /* 2160 -> 2192 */
    stats(&ring, &s);
    CU_ASSERT_EQUAL(s.packets_written, 4);
    CU_ASSERT_EQUAL(s.bytes_written, 56 + 1024 + 32 + 6000);
    CU_ASSERT_EQUAL(s.packets_read, 3);
    CU_ASSERT_EQUAL(s.bytes_read, 56 + 1024 + 32);
    CU_ASSERT_EQUAL(s.signals, 1);
    CU_ASSERT_EQUAL(s.suppressed_not_empty, 2);
    CU_ASSERT_EQUAL(s.suppressed_masked, 1);
    CU_ASSERT_EQUAL(s.eagain, 1);
    CU_ASSERT_EQUAL(s.pending_send_signals, 1);
    CU_ASSERT_EQUAL(s.max_occupancy_bytes, 32 + 6000);
    CU_ASSERT_EQUAL(s.occupancy_bytes, 6000);
    teardown();
}

/* --- Channels ------------------------------------------------------------- */

static struct vmbus_offer
net_offer(uint32_t relid)
{
    struct vmbus_offer o = { .relid = relid, .monitored = true,
                             .monitor_id = 5 };
    for (int i = 0; i < 16; i++) {
        o.if_type[i] = (uint8_t)(0xF0 + i);
        o.if_instance[i] = (uint8_t)i;
    }
    return o;
}

static void
test_channel_open_allocates_two_rings_outbound_first(void)
{
    struct vmbus_channel *a = NULL, *b = NULL;
    struct vmbus_offer o = net_offer(14);

    setup_mem(1024 * PG);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &a), 0);
    CU_ASSERT_EQUAL(vmbus_channel_state(a), VMBUS_CHANNEL_OFFERED);
    CU_ASSERT_PTR_NULL(vmbus_channel_outbound(a));
    CU_ASSERT_PTR_NULL(vmbus_channel_inbound(a));
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_open(a, mem, NULL), 0);
    CU_ASSERT_EQUAL(vmbus_channel_state(a), VMBUS_CHANNEL_OPENED);
    struct vmbus_ring *out = vmbus_channel_outbound(a);
    struct vmbus_ring *in = vmbus_channel_inbound(a);
    CU_ASSERT_FATAL(out && in);
    CU_ASSERT_EQUAL(vmbus_ring_gpa(out), PG);   /* first allocation */
    CU_ASSERT_EQUAL(vmbus_ring_size(out), 512 * 1024);
    CU_ASSERT_EQUAL(vmbus_ring_gpa(in), PG + 512 * 1024);
    CU_ASSERT_EQUAL(vmbus_ring_size(in), 512 * 1024);
    CU_ASSERT_EQUAL(vmbus_ring_data_size(in), 512 * 1024 - 4096);
    CU_ASSERT_TRUE(vmbus_ring_feature_pending_send(out));
    CU_ASSERT_TRUE(vmbus_ring_feature_pending_send(in));

    struct vmbus_open_params prm = { .outbound_bytes = 4 * PG,
                                     .inbound_bytes = 8 * PG,
                                     .no_pending_send_feature = true };
    o.relid = 15;
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &b), 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_open(b, mem, &prm), 0);
    CU_ASSERT_EQUAL(vmbus_ring_gpa(vmbus_channel_outbound(b)),
                    PG + 1024 * 1024);
    CU_ASSERT_EQUAL(vmbus_ring_gpa(vmbus_channel_inbound(b)),
                    PG + 1024 * 1024 + 4 * PG);
    CU_ASSERT_EQUAL(vmbus_ring_size(vmbus_channel_inbound(b)), 8 * PG);
    CU_ASSERT_FALSE(vmbus_ring_feature_pending_send(vmbus_channel_inbound(b)));
    vmbus_channel_destroy(a);
    vmbus_channel_destroy(b);
    teardown();
}

static void
test_channel_state_machine_refuses_wrong_transitions(void)
{
    struct vmbus_channel *ch = NULL;
    struct vmbus_offer o = net_offer(1);

    setup_mem(1024 * PG);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &ch), 0);
    CU_ASSERT_EQUAL(vmbus_channel_close(ch), EINVAL);       /* not open */
    CU_ASSERT_EQUAL(vmbus_channel_open(ch, mem, NULL), 0);
    CU_ASSERT_EQUAL(vmbus_channel_open(ch, mem, NULL), EBUSY);
    CU_ASSERT_EQUAL(vmbus_channel_state(ch), VMBUS_CHANNEL_OPENED);
    CU_ASSERT_EQUAL(vmbus_channel_close(ch), 0);
    CU_ASSERT_EQUAL(vmbus_channel_state(ch), VMBUS_CHANNEL_CLOSED);
    CU_ASSERT_PTR_NULL(vmbus_channel_outbound(ch));
    CU_ASSERT_EQUAL(vmbus_channel_close(ch), EINVAL);
    CU_ASSERT_EQUAL(vmbus_channel_open(ch, mem, NULL), EINVAL);
    CU_ASSERT_EQUAL(vmbus_channel_state(ch), VMBUS_CHANNEL_CLOSED);
    CU_ASSERT_STRING_EQUAL(vmbus_channel_state_name(VMBUS_CHANNEL_OFFERED),
                           "offered");
    CU_ASSERT_STRING_EQUAL(vmbus_channel_state_name(VMBUS_CHANNEL_OPENED),
                           "opened");
    CU_ASSERT_STRING_EQUAL(vmbus_channel_state_name(VMBUS_CHANNEL_CLOSED),
                           "closed");
    vmbus_channel_destroy(ch);
    vmbus_channel_destroy(NULL);
    teardown();
}

static void
test_channel_open_refuses_bad_sizes_and_exhausted_memory(void)
{
    struct vmbus_channel *ch = NULL;
    struct vmbus_offer o = net_offer(1);
    struct vmbus_open_params p = { 0 };

    setup_mem(16 * PG);                         /* 15 allocatable pages */
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &ch), 0);
    p.outbound_bytes = PG;                      /* one page: no data */
    CU_ASSERT_EQUAL(vmbus_channel_open(ch, mem, &p), EINVAL);
    p.outbound_bytes = 3 * PG + 512;
    CU_ASSERT_EQUAL(vmbus_channel_open(ch, mem, &p), EINVAL);
    p.outbound_bytes = 2 * PG;
    CU_ASSERT_EQUAL(vmbus_channel_open(ch, mem, NULL), ENOMEM);  /* 1 MiB */
    CU_ASSERT_EQUAL(vmbus_channel_open(ch, mem, &p), ENOMEM);    /* +512K */
    CU_ASSERT_EQUAL(vmbus_channel_open(ch, NULL, &p), EINVAL);
    CU_ASSERT_EQUAL(vmbus_channel_state(ch), VMBUS_CHANNEL_OFFERED);
    p.inbound_bytes = 13 * PG;                  /* exactly what is left */
    CU_ASSERT_EQUAL(vmbus_channel_open(ch, mem, &p), 0);
    CU_ASSERT_EQUAL(vmbus_ring_gpa(vmbus_channel_inbound(ch)), 3 * PG);
    vmbus_channel_destroy(ch);
    teardown();
}

static void
test_channel_offer_validates_index_and_monitor_id(void)
{
    struct vmbus_channel *ch = NULL;
    struct vmbus_offer o = net_offer(1);

    o.subchannel_index = 1;
    CU_ASSERT_EQUAL(vmbus_channel_offer(&o, &ch), EINVAL);
    CU_ASSERT_PTR_NULL(ch);
    o.subchannel_index = 0;
    o.monitor_id = VMBUS_MONITOR_IDS;
    CU_ASSERT_EQUAL(vmbus_channel_offer(&o, &ch), EINVAL);
    o.monitored = false;                        /* id unused then */
    CU_ASSERT_EQUAL(vmbus_channel_offer(&o, &ch), 0);
    CU_ASSERT_EQUAL(vmbus_channel_get_offer(ch)->relid, 1);
    CU_ASSERT_EQUAL(memcmp(vmbus_channel_get_offer(ch)->if_type, o.if_type,
                           16), 0);
    CU_ASSERT_PTR_NULL(vmbus_channel_primary(ch));
    CU_ASSERT_EQUAL(vmbus_channel_offer(NULL, &ch), EINVAL);
    vmbus_channel_destroy(ch);
}

static void
test_subchannels_get_distinct_rings(void)
{
    struct vmbus_channel *prim = NULL, *sub[4] = { NULL };
    struct vmbus_offer o = net_offer(20);
    struct vmbus_open_params p = { .outbound_bytes = 3 * PG,
                                   .inbound_bytes = 3 * PG };
    bool sig;

    setup_mem(256 * PG);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &prim), 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_open(prim, mem, &p), 0);
    for (uint16_t k = 1; k <= 3; k++) {
        CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer_sub(prim, k, 20 + k, true,
                                                      (uint8_t)(5 + k),
                                                      &sub[k]), 0);
        CU_ASSERT_EQUAL_FATAL(vmbus_channel_open(sub[k], mem, &p), 0);
    }
    /* Eight rings, all different, none overlapping. */
    uint64_t gpas[8];
    struct vmbus_channel *all[4] = { prim, sub[1], sub[2], sub[3] };
    for (int i = 0; i < 4; i++) {
        gpas[2 * i] = vmbus_ring_gpa(vmbus_channel_outbound(all[i]));
        gpas[2 * i + 1] = vmbus_ring_gpa(vmbus_channel_inbound(all[i]));
    }
    for (int i = 0; i < 8; i++) {
        for (int j = 0; j < 8; j++) {
            if (i != j) {
                uint64_t lo = gpas[i] < gpas[j] ? gpas[i] : gpas[j];
                uint64_t hi = gpas[i] < gpas[j] ? gpas[j] : gpas[i];
                CU_ASSERT_TRUE(hi - lo >= 3 * PG);
            }
        }
    }
    /* Traffic on subchannel 2 touches no other ring. */
    CU_ASSERT_EQUAL(write_sized(vmbus_channel_outbound(sub[2]), 56, 1, &sig),
                    0);
    CU_ASSERT_TRUE(sig);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(vmbus_channel_outbound(sub[2])),
                    56);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(vmbus_channel_outbound(sub[1])),
                    0);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(vmbus_channel_outbound(prim)), 0);
    CU_ASSERT_EQUAL(vmbus_ring_bytes_to_read(vmbus_channel_inbound(sub[2])),
                    0);
    /* Identity: inherited ids, own relid, index and monitor id. */
    const struct vmbus_offer *so = vmbus_channel_get_offer(sub[2]);
    CU_ASSERT_EQUAL(so->relid, 22);
    CU_ASSERT_EQUAL(so->subchannel_index, 2);
    CU_ASSERT_EQUAL(so->monitor_id, 7);
    CU_ASSERT_EQUAL(memcmp(so->if_type, o.if_type, 16), 0);
    CU_ASSERT_EQUAL(memcmp(so->if_instance, o.if_instance, 16), 0);
    CU_ASSERT_PTR_EQUAL(vmbus_channel_primary(sub[2]), prim);
    CU_ASSERT_PTR_EQUAL(vmbus_channel_subchannel(prim, 3), sub[3]);
    CU_ASSERT_PTR_NULL(vmbus_channel_subchannel(prim, 4));
    CU_ASSERT_EQUAL(vmbus_channel_subchannel_count(prim), 3);
    vmbus_channel_destroy(prim);                /* frees the subchannels */
    teardown();
}

static void
test_subchannel_offer_rules(void)
{
    struct vmbus_channel *prim = NULL, *s = NULL, *t = NULL;
    struct vmbus_offer o = net_offer(30);
    struct vmbus_open_params p = { .outbound_bytes = 2 * PG,
                                   .inbound_bytes = 2 * PG };

    setup_mem(64 * PG);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &prim), 0);
    CU_ASSERT_EQUAL(vmbus_channel_offer_sub(prim, 1, 31, false, 0, &s),
                    EINVAL);                    /* primary not open */
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_open(prim, mem, &p), 0);
    CU_ASSERT_EQUAL(vmbus_channel_offer_sub(prim, 0, 31, false, 0, &s),
                    EINVAL);                    /* index 0 is the primary */
    CU_ASSERT_EQUAL(vmbus_channel_offer_sub(prim, 1, 31, true,
                                            VMBUS_MONITOR_IDS, &s), EINVAL);
    CU_ASSERT_EQUAL(vmbus_channel_offer_sub(prim, 1, 30, false, 0, &s),
                    EEXIST);                    /* the primary's relid */
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer_sub(prim, 1, 31, false, 0, &s),
                          0);
    CU_ASSERT_EQUAL(vmbus_channel_offer_sub(prim, 1, 32, false, 0, &t),
                    EEXIST);                    /* index taken */
    CU_ASSERT_EQUAL(vmbus_channel_offer_sub(prim, 2, 31, false, 0, &t),
                    EEXIST);                    /* relid taken */
    CU_ASSERT_EQUAL(vmbus_channel_offer_sub(s, 2, 32, false, 0, &t),
                    EINVAL);                    /* a subchannel's sub */
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_EQUAL(vmbus_channel_subchannel_count(prim), 1);
    CU_ASSERT_EQUAL(vmbus_channel_signal_path(s), VMBUS_SIGNAL_HYPERCALL);
    vmbus_channel_destroy(prim);
    teardown();
}

static void
test_closing_primary_closes_its_open_subchannels(void)
{
    struct vmbus_channel *prim = NULL, *a = NULL, *b = NULL;
    struct vmbus_offer o = net_offer(40);
    struct vmbus_open_params p = { .outbound_bytes = 2 * PG,
                                   .inbound_bytes = 2 * PG };

    setup_mem(64 * PG);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &prim), 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_open(prim, mem, &p), 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer_sub(prim, 1, 41, false, 0, &a),
                          0);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer_sub(prim, 2, 42, false, 0, &b),
                          0);
    CU_ASSERT_EQUAL(vmbus_channel_open(a, mem, &p), 0);
    CU_ASSERT_EQUAL(vmbus_channel_close(prim), 0);
    CU_ASSERT_EQUAL(vmbus_channel_state(a), VMBUS_CHANNEL_CLOSED);
    CU_ASSERT_EQUAL(vmbus_channel_state(b), VMBUS_CHANNEL_OFFERED);
    /* b cannot open without its primary; nor can new ones be offered. */
    CU_ASSERT_EQUAL(vmbus_channel_open(b, mem, &p), EINVAL);
    CU_ASSERT_EQUAL(vmbus_channel_state(b), VMBUS_CHANNEL_OFFERED);
    struct vmbus_channel *c = NULL;
    CU_ASSERT_EQUAL(vmbus_channel_offer_sub(prim, 3, 43, false, 0, &c),
                    EINVAL);
    vmbus_channel_destroy(prim);
    teardown();
}

static void
test_channel_signal_path_is_monitor_unless_unmonitored_or_low_latency(void)
{
    struct vmbus_channel *m = NULL, *u = NULL, *l = NULL;
    struct vmbus_offer o = net_offer(50);
    struct vmbus_open_params p = { .outbound_bytes = 2 * PG,
                                   .inbound_bytes = 2 * PG };

    setup_mem(64 * PG);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &m), 0);
    CU_ASSERT_EQUAL(vmbus_channel_signal_path(m), VMBUS_SIGNAL_MONITOR);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_open(m, mem, &p), 0);
    CU_ASSERT_EQUAL(vmbus_channel_signal_path(m), VMBUS_SIGNAL_MONITOR);
    o.monitored = false;
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &u), 0);
    CU_ASSERT_EQUAL(vmbus_channel_signal_path(u), VMBUS_SIGNAL_HYPERCALL);
    o.monitored = true;
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &l), 0);
    p.low_latency = true;
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_open(l, mem, &p), 0);
    CU_ASSERT_EQUAL(vmbus_channel_signal_path(l), VMBUS_SIGNAL_HYPERCALL);
    vmbus_channel_destroy(m);
    vmbus_channel_destroy(u);
    vmbus_channel_destroy(l);
    teardown();
}

static void
test_channel_round_trip_request_and_completion(void)
{
    struct vmbus_channel *ch = NULL;
    struct vmbus_offer o = net_offer(60);
    struct vmbus_ring host_out, host_in;
    struct vmbus_pkt_view v;
    uint8_t req[12] = { 107, 0, 0, 0 }, resp[8] = { 108, 0, 0, 0, 1 };
    bool sig;

    setup_mem(1024 * PG);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_offer(&o, &ch), 0);
    CU_ASSERT_EQUAL_FATAL(vmbus_channel_open(ch, mem, NULL), 0);
    /* The host views the same two rings. */
    struct vmbus_ring *g_out = vmbus_channel_outbound(ch);
    struct vmbus_ring *g_in = vmbus_channel_inbound(ch);
    CU_ASSERT_FATAL(vmbus_ring_attach(&host_out, mem, vmbus_ring_gpa(g_out),
                                      vmbus_ring_size(g_out)) == 0);
    CU_ASSERT_FATAL(vmbus_ring_attach(&host_in, mem, vmbus_ring_gpa(g_in),
                                      vmbus_ring_size(g_in)) == 0);

    struct vmbus_pkt p = vmbus_pkt_inband(
        0x1001, VMBUS_PKT_FLAG_COMPLETION_REQUESTED, req, sizeof req);
    CU_ASSERT_EQUAL(vmbus_ring_write(g_out, &p, &sig), 0);
    CU_ASSERT_TRUE(sig);
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_read(&host_out, buf, sizeof buf, &v,
                                          &sig), 0);
    CU_ASSERT_EQUAL(v.flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED, 1);
    p = vmbus_pkt_comp(v.trans_id, resp, sizeof resp);
    CU_ASSERT_EQUAL(vmbus_ring_write(&host_in, &p, &sig), 0);
    CU_ASSERT_TRUE(sig);
    CU_ASSERT_EQUAL_FATAL(vmbus_ring_read(g_in, buf, sizeof buf, &v, &sig),
                          0);
    CU_ASSERT_EQUAL(v.type, VMBUS_PKT_COMP);
    CU_ASSERT_EQUAL(v.trans_id, 0x1001);
    CU_ASSERT_EQUAL(memcmp(v.payload, resp, sizeof resp), 0);
    vmbus_channel_destroy(ch);
    teardown();
}

/* --- Monitor pages -------------------------------------------------------- */

static void
test_monitor_coalesces_triggers_until_polled(void)
{
    struct vmbus_monitor mon;
    uint32_t ids[VMBUS_MONITOR_IDS];

    CU_ASSERT_EQUAL_FATAL(vmbus_monitor_init(&mon, 0), 0);
    CU_ASSERT_TRUE(vmbus_monitor_trigger(&mon, 5));
    CU_ASSERT_FALSE(vmbus_monitor_trigger(&mon, 70));
    CU_ASSERT_FALSE(vmbus_monitor_trigger(&mon, 5));
    CU_ASSERT_TRUE(vmbus_monitor_is_pending(&mon, 5));
    CU_ASSERT_TRUE(vmbus_monitor_is_pending(&mon, 70));
    CU_ASSERT_FALSE(vmbus_monitor_is_pending(&mon, 6));
    CU_ASSERT_EQUAL(vmbus_monitor_poll_ids(&mon, ids), 2);
    CU_ASSERT_EQUAL(ids[0], 5);
    CU_ASSERT_EQUAL(ids[1], 70);
    CU_ASSERT_FALSE(vmbus_monitor_is_pending(&mon, 5));
    CU_ASSERT_FALSE(vmbus_monitor_is_pending(&mon, 70));
    /* After the poll the next trigger asks for a poll again. */
    CU_ASSERT_TRUE(vmbus_monitor_trigger(&mon, 70));
    CU_ASSERT_EQUAL(vmbus_monitor_poll_ids(&mon, ids), 1);
    CU_ASSERT_EQUAL(ids[0], 70);
    CU_ASSERT_EQUAL(vmbus_monitor_poll_ids(&mon, ids), 0);
}

static void
test_monitor_poll_delivers_in_id_order_across_groups(void)
{
    struct vmbus_monitor mon;
    uint32_t ids[VMBUS_MONITOR_IDS];
    static const uint32_t order[] = { 127, 0, 33, 31, 96, 32 };
    static const uint32_t want[] = { 0, 31, 32, 33, 96, 127 };

    CU_ASSERT_EQUAL_FATAL(vmbus_monitor_init(&mon, 0), 0);
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(vmbus_monitor_trigger(&mon, order[i]), i == 0);
    }
    CU_ASSERT_EQUAL_FATAL(vmbus_monitor_poll_ids(&mon, ids), 6);
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(ids[i], want[i]);
    }
}

struct retrigger {
    struct vmbus_monitor *mon;
    uint32_t seen[8];
    unsigned n;
    bool again;                     /* what the inner trigger returned */
};

static void
retrigger_cb(void *ctx, uint32_t id)
{
    struct retrigger *r = ctx;

    r->seen[r->n++] = id;
    if (id == 3) {
        r->again = vmbus_monitor_trigger(r->mon, 3);
    }
}

static void
test_monitor_trigger_during_poll_is_pending_for_next_poll(void)
{
    struct vmbus_monitor mon;
    struct retrigger r = { .mon = &mon };

    CU_ASSERT_EQUAL_FATAL(vmbus_monitor_init(&mon, 0), 0);
    vmbus_monitor_trigger(&mon, 3);
    vmbus_monitor_trigger(&mon, 9);
    CU_ASSERT_EQUAL(vmbus_monitor_poll(&mon, retrigger_cb, &r), 2);
    CU_ASSERT_EQUAL(r.n, 2);
    CU_ASSERT_EQUAL(r.seen[0], 3);
    CU_ASSERT_EQUAL(r.seen[1], 9);
    CU_ASSERT_TRUE(r.again);                    /* page was clean */
    CU_ASSERT_TRUE(vmbus_monitor_is_pending(&mon, 3));
    CU_ASSERT_FALSE(vmbus_monitor_is_pending(&mon, 9));
    CU_ASSERT_EQUAL(vmbus_monitor_poll(&mon, NULL, NULL), 1);
}

static void
test_monitor_latency_is_a_stored_parameter_per_id(void)
{
    struct vmbus_monitor mon;

    CU_ASSERT_EQUAL(vmbus_monitor_init(&mon, -1), EINVAL);
    CU_ASSERT_EQUAL_FATAL(vmbus_monitor_init(&mon, 100000), 0);
    CU_ASSERT_EQUAL(vmbus_monitor_latency(&mon, 0), 100000);
    CU_ASSERT_EQUAL(vmbus_monitor_latency(&mon, 127), 100000);
    CU_ASSERT_EQUAL(vmbus_monitor_set_latency(&mon, 7, 2500), 0);
    CU_ASSERT_EQUAL(vmbus_monitor_latency(&mon, 7), 2500);
    CU_ASSERT_EQUAL(vmbus_monitor_latency(&mon, 8), 100000);
    CU_ASSERT_EQUAL(vmbus_monitor_set_latency(&mon, VMBUS_MONITOR_IDS, 1),
                    EINVAL);
    CU_ASSERT_EQUAL(vmbus_monitor_set_latency(&mon, 7, -5), EINVAL);
    CU_ASSERT_EQUAL(vmbus_monitor_latency(&mon, 7), 2500);
}

static void
test_monitor_counters_are_exact(void)
{
    struct vmbus_monitor mon;
    struct vmbus_monitor_stats s;

    CU_ASSERT_EQUAL_FATAL(vmbus_monitor_init(&mon, 0), 0);
    vmbus_monitor_trigger(&mon, 1);             /* poll requested */
    vmbus_monitor_trigger(&mon, 1);             /* coalesced */
    vmbus_monitor_trigger(&mon, 2);             /* coalesced */
    vmbus_monitor_poll(&mon, NULL, NULL);       /* 2 delivered */
    vmbus_monitor_poll(&mon, NULL, NULL);       /* empty */
    vmbus_monitor_trigger(&mon, 100);           /* poll requested */
    vmbus_monitor_poll(&mon, NULL, NULL);       /* 1 delivered */
    vmbus_monitor_get_stats(&mon, &s);
    CU_ASSERT_EQUAL(s.triggers, 4);
    CU_ASSERT_EQUAL(s.polls_requested, 2);
    CU_ASSERT_EQUAL(s.coalesced, 2);
    CU_ASSERT_EQUAL(s.polls, 3);
    CU_ASSERT_EQUAL(s.delivered, 3);
}

/* --- Registration ----------------------------------------------------------- */

static const struct cutest_case pkt_cases[] = {
    CUTEST(test_pkt_inband_30_byte_payload_occupies_56_bytes),
    CUTEST(test_pkt_completion_is_sized_like_inband),
    CUTEST(test_pkt_xfer_pages_size_counts_ranges),
    CUTEST(test_pkt_gpa_direct_size_counts_ranges_and_pages),
    CUTEST(test_pkt_gpa_direct_allows_32_page_buffers_not_33),
    CUTEST(test_pkt_size_refuses_invalid_packets),
    CUTEST(test_pkt_encode_lays_out_descriptor_little_endian_with_zero_padding),
    CUTEST(test_pkt_encode_xfer_pages_header_layout),
    CUTEST(test_pkt_encode_gpa_direct_header_layout),
    CUTEST(test_pkt_parse_reads_back_each_type),
    CUTEST(test_pkt_parse_refuses_malformed_bytes),
    CUTEST_END
};

static const struct cutest_case ring_cases[] = {
    CUTEST(test_ring_init_lays_out_header_in_guest_memory),
    CUTEST(test_ring_init_refuses_bad_geometry_and_leaves_ring_untouched),
    CUTEST(test_ring_write_publishes_index_after_copying_packet),
    CUTEST(test_ring_signals_only_on_empty_to_nonempty),
    CUTEST(test_ring_write_during_unpublished_batch_does_not_signal),
    CUTEST(test_ring_no_signal_while_reader_has_masked),
    CUTEST(test_ring_end_read_recheck_reports_data_written_while_masked),
    CUTEST(test_ring_full_write_returns_eagain_and_changes_nothing),
    CUTEST(test_ring_never_becomes_completely_full),
    CUTEST(test_ring_refuses_packet_that_can_never_fit),
    CUTEST(test_ring_packet_wrapping_in_payload_reads_back_byte_identical),
    CUTEST(test_ring_packet_wrapping_in_descriptor_reads_back_byte_identical),
    CUTEST(test_ring_packet_ending_at_data_end_puts_trailer_at_start),
    CUTEST(test_ring_trailer_holds_packet_start_offset_shifted_32),
    CUTEST(test_ring_carries_xfer_and_gpa_direct_packets_across_the_wrap),
    CUTEST(test_ring_peek_empty_small_buffer_and_outside_batch),
    CUTEST(test_ring_refuses_corrupt_guest_bytes),
    CUTEST(test_ring_two_views_share_state_only_through_guest_memory),
    CUTEST(test_ring_counters_are_exact),
    CUTEST_END
};

static const struct cutest_case pending_cases[] = {
    CUTEST(test_pending_send_signals_once_on_crossing),
    CUTEST(test_pending_send_one_batch_over_many_packets_signals_once_at_end),
    CUTEST(test_pending_send_boundary_is_strictly_greater),
    CUTEST(test_pending_send_no_signal_when_pending_is_zero),
    CUTEST(test_pending_send_no_signal_without_feature_bit),
    CUTEST(test_pending_send_ignores_interrupt_mask),
    CUTEST(test_pending_send_refuses_unsatisfiable_size),
    CUTEST(test_pending_send_batch_reading_nothing_does_not_signal),
    CUTEST_END
};

static const struct cutest_case channel_cases[] = {
    CUTEST(test_channel_open_allocates_two_rings_outbound_first),
    CUTEST(test_channel_state_machine_refuses_wrong_transitions),
    CUTEST(test_channel_open_refuses_bad_sizes_and_exhausted_memory),
    CUTEST(test_channel_offer_validates_index_and_monitor_id),
    CUTEST(test_subchannels_get_distinct_rings),
    CUTEST(test_subchannel_offer_rules),
    CUTEST(test_closing_primary_closes_its_open_subchannels),
    CUTEST(test_channel_signal_path_is_monitor_unless_unmonitored_or_low_latency),
    CUTEST(test_channel_round_trip_request_and_completion),
    CUTEST_END
};

static const struct cutest_case monitor_cases[] = {
    CUTEST(test_monitor_coalesces_triggers_until_polled),
    CUTEST(test_monitor_poll_delivers_in_id_order_across_groups),
    CUTEST(test_monitor_trigger_during_poll_is_pending_for_next_poll),
    CUTEST(test_monitor_latency_is_a_stored_parameter_per_id),
    CUTEST(test_monitor_counters_are_exact),
    CUTEST_END
};

CUTEST_MAIN({ "vmbus-packet", pkt_cases }, { "vmbus-ring", ring_cases },
            { "vmbus-pending-send", pending_cases },
            { "vmbus-channel", channel_cases },
            { "vmbus-monitor", monitor_cases })
