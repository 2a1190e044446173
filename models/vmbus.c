/*
 * vmbus.c -- the VMBus channel model of vmbus.h: packet encoding and
 * parsing, the ring buffer over guest memory with its signalling rules,
 * monitor pages, and channels with subchannels.
 *
 * The file reads bottom-up: byte-order helpers; packets (sizes, encoding
 * through a "sink" that is either a flat buffer or the ring's data area,
 * parsing); the ring (header fields, space, the writer, the reader's mask,
 * batches and peeks); the monitor page; channels.  Every multi-byte value
 * in guest memory or in an encoded packet is written and read byte by
 * byte, little-endian, so nothing depends on the host's byte order or
 * alignment.
 */
#include "config.h"

#include "models/vmbus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/gmem.h"
#include "sim/log.h"

/* --- Little-endian helpers ------------------------------------------------ */

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void
put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
           | (uint32_t)p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint64_t
round8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

/* Pages spanned by 'count' bytes starting 'offset' bytes into a page. */
static uint64_t
pages_spanned(uint32_t offset, uint32_t count)
{
    return ((uint64_t)offset + count + VMBUS_PAGE_BYTES - 1) / VMBUS_PAGE_BYTES;
}

/* --- Packets: builders and sizes ------------------------------------------ */

struct vmbus_pkt
vmbus_pkt_inband(uint64_t trans_id, uint16_t flags, const void *payload,
                 uint32_t len)
{
    return (struct vmbus_pkt){
        .type = VMBUS_PKT_DATA_INBAND, .flags = flags, .trans_id = trans_id,
        .payload = payload, .payload_len = len,
    };
}

struct vmbus_pkt
vmbus_pkt_comp(uint64_t trans_id, const void *payload, uint32_t len)
{
    return (struct vmbus_pkt){
        .type = VMBUS_PKT_COMP, .trans_id = trans_id,
        .payload = payload, .payload_len = len,
    };
}

struct vmbus_pkt
vmbus_pkt_xfer_pages(uint64_t trans_id, uint16_t flags, uint16_t pageset_id,
                     bool sender_owns_set,
                     const struct vmbus_xfer_range *ranges,
                     uint32_t range_count, const void *payload, uint32_t len)
{
    return (struct vmbus_pkt){
        .type = VMBUS_PKT_DATA_USING_XFER_PAGES, .flags = flags,
        .trans_id = trans_id, .xfer_pageset_id = pageset_id,
        .sender_owns_set = sender_owns_set, .range_count = range_count,
        .xfer_ranges = ranges, .payload = payload, .payload_len = len,
    };
}

struct vmbus_pkt
vmbus_pkt_gpa_direct(uint64_t trans_id, uint16_t flags,
                     const struct vmbus_gpa_range *ranges,
                     uint32_t range_count, const void *payload, uint32_t len)
{
    return (struct vmbus_pkt){
        .type = VMBUS_PKT_DATA_USING_GPA_DIRECT, .flags = flags,
        .trans_id = trans_id, .range_count = range_count,
        .gpa_ranges = ranges, .payload = payload, .payload_len = len,
    };
}

static bool
type_known(uint32_t type)
{
    return type >= VMBUS_PKT_SYNCH && type <= VMBUS_PKT_ADDITIONAL_DATA;
}

int
vmbus_pkt_size(const struct vmbus_pkt *pkt, struct vmbus_pkt_size *size)
{
    uint64_t header = VMBUS_PKT_DESC_BYTES;

    if (!pkt || !type_known(pkt->type)
        || (pkt->payload_len && !pkt->payload)) {
        return EINVAL;
    }
    if (pkt->type == VMBUS_PKT_DATA_USING_XFER_PAGES) {
        if (pkt->range_count && !pkt->xfer_ranges) {
            return EINVAL;
        }
        header = VMBUS_PKT_XFER_HDR_BYTES
                 + (uint64_t)VMBUS_PKT_RANGE_BYTES * pkt->range_count;
    } else if (pkt->type == VMBUS_PKT_DATA_USING_GPA_DIRECT) {
        uint64_t pages = 0;

        if (pkt->range_count && !pkt->gpa_ranges) {
            return EINVAL;
        }
        /* Every range spans at least one page, so the page limit also
         * bounds this loop. */
        for (uint32_t i = 0; i < pkt->range_count; i++) {
            const struct vmbus_gpa_range *g = &pkt->gpa_ranges[i];

            if (g->byte_count == 0 || g->byte_offset >= VMBUS_PAGE_BYTES
                || g->pfn_count != pages_spanned(g->byte_offset, g->byte_count)
                || !g->pfns) {
                return EINVAL;
            }
            pages += g->pfn_count;
            if (pages > VMBUS_MAX_PAGE_BUFFERS) {
                return EINVAL;
            }
        }
        header = VMBUS_PKT_GPA_HDR_BYTES
                 + (uint64_t)VMBUS_PKT_RANGE_BYTES * pkt->range_count
                 + (uint64_t)VMBUS_PKT_PFN_BYTES * pages;
    } else if (pkt->range_count) {
        return EINVAL;
    }

    uint64_t packet = round8(header + pkt->payload_len);
    if (packet > VMBUS_PKT_MAX_BYTES) {
        return EMSGSIZE;
    }
    if (size) {
        size->header_bytes = (uint32_t)header;
        size->padding_bytes = (uint32_t)(packet - header - pkt->payload_len);
        size->packet_bytes = (uint32_t)packet;
        size->ring_bytes = (uint32_t)packet + VMBUS_PKT_TRAILER_BYTES;
    }
    return 0;
}

uint64_t
vmbus_inband_ring_bytes(uint32_t payload_len)
{
    return round8((uint64_t)VMBUS_PKT_DESC_BYTES + payload_len)
           + VMBUS_PKT_TRAILER_BYTES;
}

uint64_t
vmbus_xfer_ring_bytes(uint32_t range_count, uint32_t payload_len)
{
    return round8(VMBUS_PKT_XFER_HDR_BYTES
                  + (uint64_t)VMBUS_PKT_RANGE_BYTES * range_count
                  + payload_len)
           + VMBUS_PKT_TRAILER_BYTES;
}

uint64_t
vmbus_gpa_direct_ring_bytes(uint32_t range_count, uint32_t pfn_count,
                            uint32_t payload_len)
{
    return round8(VMBUS_PKT_GPA_HDR_BYTES
                  + (uint64_t)VMBUS_PKT_RANGE_BYTES * range_count
                  + (uint64_t)VMBUS_PKT_PFN_BYTES * pfn_count + payload_len)
           + VMBUS_PKT_TRAILER_BYTES;
}

/* --- Packets: encoding ---------------------------------------------------- */

/* Where encoded bytes go: a flat buffer, or a ring's data area starting
 * at offset 'pos' and wrapping at its end (two pieces when a run of bytes
 * crosses it). */
struct sink {
    uint8_t *flat;                  /* flat mode when not NULL */
    struct gmem *mem;               /* ring mode */
    uint64_t data_gpa;
    uint32_t data_bytes;
    uint32_t pos;                   /* next byte: flat offset / ring offset */
};

/* Copies 'len' bytes (at most the data area) into the data area of the
 * ring at 'data_gpa' starting at offset 'off', wrapping. */
static void
ring_copy_in(struct gmem *mem, uint64_t data_gpa, uint32_t data_bytes,
             uint32_t off, const uint8_t *src, uint32_t len)
{
    SIM_ASSERT(off < data_bytes && len <= data_bytes);
    uint32_t first = data_bytes - off < len ? data_bytes - off : len;

    gmem_write(mem, data_gpa + off, src, first);
    if (len > first) {
        gmem_write(mem, data_gpa, src + first, len - first);
    }
}

static void
ring_copy_out(const struct gmem *mem, uint64_t data_gpa, uint32_t data_bytes,
              uint32_t off, uint8_t *dst, uint32_t len)
{
    SIM_ASSERT(off < data_bytes && len <= data_bytes);
    uint32_t first = data_bytes - off < len ? data_bytes - off : len;

    gmem_read(mem, data_gpa + off, dst, first);
    if (len > first) {
        gmem_read(mem, data_gpa, dst + first, len - first);
    }
}

static void
sink_put(struct sink *s, const void *src, uint32_t len)
{
    if (len == 0) {
        return;
    }
    if (s->flat) {
        memcpy(s->flat + s->pos, src, len);
        s->pos += len;
    } else {
        ring_copy_in(s->mem, s->data_gpa, s->data_bytes, s->pos, src, len);
        s->pos = (uint32_t)(((uint64_t)s->pos + len) % s->data_bytes);
    }
}

/* Encodes a packet already sized (and so validated) by vmbus_pkt_size(),
 * without its trailer. */
static void
encode(const struct vmbus_pkt *pkt, const struct vmbus_pkt_size *sz,
       struct sink *s)
{
    static const uint8_t zeros[8];
    uint8_t b[16];

    put16(b, pkt->type);
    put16(b + 2, (uint16_t)(sz->header_bytes / 8));
    put16(b + 4, (uint16_t)(sz->packet_bytes / 8));
    put16(b + 6, pkt->flags);
    put64(b + 8, pkt->trans_id);
    sink_put(s, b, VMBUS_PKT_DESC_BYTES);

    if (pkt->type == VMBUS_PKT_DATA_USING_XFER_PAGES) {
        put16(b, pkt->xfer_pageset_id);
        b[2] = pkt->sender_owns_set ? 1 : 0;
        b[3] = 0;
        put32(b + 4, pkt->range_count);
        sink_put(s, b, 8);
        for (uint32_t i = 0; i < pkt->range_count; i++) {
            put32(b, pkt->xfer_ranges[i].byte_count);
            put32(b + 4, pkt->xfer_ranges[i].byte_offset);
            sink_put(s, b, VMBUS_PKT_RANGE_BYTES);
        }
    } else if (pkt->type == VMBUS_PKT_DATA_USING_GPA_DIRECT) {
        put32(b, 0);
        put32(b + 4, pkt->range_count);
        sink_put(s, b, 8);
        for (uint32_t i = 0; i < pkt->range_count; i++) {
            const struct vmbus_gpa_range *g = &pkt->gpa_ranges[i];

            put32(b, g->byte_count);
            put32(b + 4, g->byte_offset);
            sink_put(s, b, VMBUS_PKT_RANGE_BYTES);
            for (uint32_t j = 0; j < g->pfn_count; j++) {
                put64(b, g->pfns[j]);
                sink_put(s, b, VMBUS_PKT_PFN_BYTES);
            }
        }
    }
    sink_put(s, pkt->payload, pkt->payload_len);
    sink_put(s, zeros, sz->padding_bytes);
}

int
vmbus_pkt_encode(const struct vmbus_pkt *pkt, void *buf, size_t cap,
                 struct vmbus_pkt_size *size)
{
    struct vmbus_pkt_size sz;
    int err = vmbus_pkt_size(pkt, &sz);

    if (err) {
        return err;
    }
    if (size) {
        *size = sz;
    }
    if (!buf || cap < sz.packet_bytes) {
        return EMSGSIZE;
    }
    struct sink s = { .flat = buf };
    encode(pkt, &sz, &s);
    SIM_ASSERT(s.pos == sz.packet_bytes);
    return 0;
}

/* --- Packets: parsing ----------------------------------------------------- */

int
vmbus_pkt_parse(const void *buf, size_t len, struct vmbus_pkt_view *view)
{
    const uint8_t *p = buf;

    memset(view, 0, sizeof *view);
    if (!p || len < VMBUS_PKT_DESC_BYTES) {
        return EBADMSG;
    }
    uint32_t header = (uint32_t)get16(p + 2) * 8;
    uint32_t packet = (uint32_t)get16(p + 4) * 8;
    if (header < VMBUS_PKT_DESC_BYTES || header > packet || packet > len
        || !type_known(get16(p))) {
        return EBADMSG;
    }
    view->type = get16(p);
    view->flags = get16(p + 6);
    view->trans_id = get64(p + 8);
    view->header_bytes = header;
    view->packet_bytes = packet;
    view->ring_bytes = packet + VMBUS_PKT_TRAILER_BYTES;
    view->bytes = p;
    view->payload = p + header;
    view->payload_len = packet - header;

    if (view->type == VMBUS_PKT_DATA_USING_XFER_PAGES) {
        if (header < VMBUS_PKT_XFER_HDR_BYTES) {
            return EBADMSG;
        }
        uint32_t count = get32(p + 20);
        if ((uint64_t)VMBUS_PKT_RANGE_BYTES * count
            > header - VMBUS_PKT_XFER_HDR_BYTES) {
            return EBADMSG;
        }
        view->xfer_pageset_id = get16(p + 16);
        view->sender_owns_set = p[18] != 0;
        view->range_count = count;
    } else if (view->type == VMBUS_PKT_DATA_USING_GPA_DIRECT) {
        if (header < VMBUS_PKT_GPA_HDR_BYTES) {
            return EBADMSG;
        }
        uint32_t count = get32(p + 20);
        uint32_t at = VMBUS_PKT_GPA_HDR_BYTES;
        uint32_t pages = 0;
        if (count > VMBUS_MAX_PAGE_BUFFERS) {
            return EBADMSG;
        }
        for (uint32_t i = 0; i < count; i++) {
            if (header - at < VMBUS_PKT_RANGE_BYTES) {
                return EBADMSG;
            }
            uint32_t bc = get32(p + at);
            uint32_t bo = get32(p + at + 4);
            if (bc == 0 || bo >= VMBUS_PAGE_BYTES) {
                return EBADMSG;
            }
            uint64_t n = pages_spanned(bo, bc);
            if (pages + n > VMBUS_MAX_PAGE_BUFFERS
                || n * VMBUS_PKT_PFN_BYTES
                   > header - at - VMBUS_PKT_RANGE_BYTES) {
                return EBADMSG;
            }
            view->gpa_range_at[i] = at;
            pages += (uint32_t)n;
            at += VMBUS_PKT_RANGE_BYTES + (uint32_t)n * VMBUS_PKT_PFN_BYTES;
        }
        view->range_count = count;
        view->pfn_count = pages;
    }
    return 0;
}

struct vmbus_xfer_range
vmbus_pkt_view_xfer_range(const struct vmbus_pkt_view *view, uint32_t i)
{
    SIM_ASSERT(view->type == VMBUS_PKT_DATA_USING_XFER_PAGES
               && i < view->range_count);
    const uint8_t *r = view->bytes + VMBUS_PKT_XFER_HDR_BYTES
                       + (size_t)i * VMBUS_PKT_RANGE_BYTES;
    return (struct vmbus_xfer_range){ .byte_count = get32(r),
                                      .byte_offset = get32(r + 4) };
}

uint32_t
vmbus_pkt_view_gpa_range(const struct vmbus_pkt_view *view, uint32_t i,
                         uint32_t *byte_count, uint32_t *byte_offset)
{
    SIM_ASSERT(view->type == VMBUS_PKT_DATA_USING_GPA_DIRECT
               && i < view->range_count);
    const uint8_t *r = view->bytes + view->gpa_range_at[i];
    uint32_t bc = get32(r), bo = get32(r + 4);

    if (byte_count) {
        *byte_count = bc;
    }
    if (byte_offset) {
        *byte_offset = bo;
    }
    return (uint32_t)pages_spanned(bo, bc);
}

uint64_t
vmbus_pkt_view_gpa_pfn(const struct vmbus_pkt_view *view, uint32_t i,
                       uint32_t j)
{
    uint32_t n = vmbus_pkt_view_gpa_range(view, i, NULL, NULL);

    SIM_ASSERT(j < n);
    return get64(view->bytes + view->gpa_range_at[i] + VMBUS_PKT_RANGE_BYTES
                 + (size_t)j * VMBUS_PKT_PFN_BYTES);
}

/* --- Rings: header and space ---------------------------------------------- */

static uint32_t
hdr_get(const struct vmbus_ring *r, uint32_t off)
{
    return gmem_read32(r->mem, r->gpa + off);
}

static void
hdr_set(struct vmbus_ring *r, uint32_t off, uint32_t v)
{
    gmem_write32(r->mem, r->gpa + off, v);
}

static uint64_t
data_gpa(const struct vmbus_ring *r)
{
    return r->gpa + VMBUS_RING_HEADER_BYTES;
}

/* An index read from guest memory is usable if it lies in the data area
 * on an 8-byte boundary (every packet is a multiple of 8 bytes). */
static bool
index_ok(const struct vmbus_ring *r, uint32_t idx)
{
    return idx < r->data_bytes && idx % 8 == 0;
}

/* Free space for writer index 'w' and reader index 'rd' (FACTS.md 3.1). */
static uint32_t
free_space(uint32_t data_bytes, uint32_t w, uint32_t rd)
{
    return w >= rd ? data_bytes - (w - rd) : rd - w;
}

static int
check_region(struct gmem *mem, uint64_t gpa, uint32_t size_bytes)
{
    if (!mem || size_bytes % VMBUS_RING_HEADER_BYTES
        || size_bytes < VMBUS_RING_MIN_BYTES || gpa == 0
        || gpa % GMEM_PAGE_SIZE) {
        return EINVAL;
    }
    uint64_t msize = gmem_size(mem);
    if (size_bytes > msize || gpa > msize - size_bytes) {
        return EINVAL;
    }
    return 0;
}

int
vmbus_ring_attach(struct vmbus_ring *ring, struct gmem *mem, uint64_t gpa,
                  uint32_t size_bytes)
{
    int err = check_region(mem, gpa, size_bytes);

    if (err) {
        return err;
    }
    memset(ring, 0, sizeof *ring);
    ring->mem = mem;
    ring->gpa = gpa;
    ring->size_bytes = size_bytes;
    ring->data_bytes = size_bytes - VMBUS_RING_HEADER_BYTES;
    return 0;
}

int
vmbus_ring_init(struct vmbus_ring *ring, struct gmem *mem, uint64_t gpa,
                uint32_t size_bytes, bool feature_pending_send_sz)
{
    int err = vmbus_ring_attach(ring, mem, gpa, size_bytes);

    if (err) {
        return err;
    }
    memset(gmem_ptr(mem, gpa, VMBUS_RING_HEADER_BYTES), 0,
           VMBUS_RING_HEADER_BYTES);
    hdr_set(ring, VMBUS_RING_OFF_FEATURE_BITS,
            feature_pending_send_sz ? VMBUS_RING_FEAT_PENDING_SEND_SZ : 0);
    return 0;
}

uint64_t
vmbus_ring_gpa(const struct vmbus_ring *ring)
{
    return ring->gpa;
}

uint32_t
vmbus_ring_size(const struct vmbus_ring *ring)
{
    return ring->size_bytes;
}

uint32_t
vmbus_ring_data_size(const struct vmbus_ring *ring)
{
    return ring->data_bytes;
}

uint32_t
vmbus_ring_write_index(const struct vmbus_ring *ring)
{
    return hdr_get(ring, VMBUS_RING_OFF_WRITE_INDEX);
}

uint32_t
vmbus_ring_read_index(const struct vmbus_ring *ring)
{
    return hdr_get(ring, VMBUS_RING_OFF_READ_INDEX);
}

bool
vmbus_ring_masked(const struct vmbus_ring *ring)
{
    return hdr_get(ring, VMBUS_RING_OFF_INTERRUPT_MASK) != 0;
}

uint32_t
vmbus_ring_pending_send(const struct vmbus_ring *ring)
{
    return hdr_get(ring, VMBUS_RING_OFF_PENDING_SEND_SZ);
}

bool
vmbus_ring_feature_pending_send(const struct vmbus_ring *ring)
{
    return (hdr_get(ring, VMBUS_RING_OFF_FEATURE_BITS)
            & VMBUS_RING_FEAT_PENDING_SEND_SZ) != 0;
}

uint32_t
vmbus_ring_bytes_to_write(const struct vmbus_ring *ring)
{
    uint32_t w = vmbus_ring_write_index(ring);
    uint32_t rd = vmbus_ring_read_index(ring);

    if (!index_ok(ring, w) || !index_ok(ring, rd)) {
        return 0;
    }
    return free_space(ring->data_bytes, w, rd);
}

uint32_t
vmbus_ring_bytes_to_read(const struct vmbus_ring *ring)
{
    uint32_t w = vmbus_ring_write_index(ring);
    uint32_t rd = vmbus_ring_read_index(ring);

    if (!index_ok(ring, w) || !index_ok(ring, rd)) {
        return 0;
    }
    return ring->data_bytes - free_space(ring->data_bytes, w, rd);
}

/* --- Rings: the writer ---------------------------------------------------- */

/*
 * HOW A WRITE WORKS (FACTS.md 3.1-3.3, Linux hv_ringbuffer_write).
 *
 * 1. Size the packet; refuse it if it could never fit (EMSGSIZE) or if the
 *    free space is not strictly larger than its ring bytes (EAGAIN): a
 *    ring filled to the last byte would have write == read and look empty.
 * 2. Copy descriptor, type header, payload, padding and the trailer
 *    (old write index << 32) starting at the old write index, wrapping.
 *    Until step 3 the reader cannot see any of it.
 * 3. Publish the new write index.
 * 4. Decide the signal from what the reader has published *now*: none if
 *    the reader has masked interrupts; else one exactly when the old write
 *    index equals read_index, i.e. the reader had consumed everything and
 *    this write made the ring non-empty.
 */
int
vmbus_ring_write(struct vmbus_ring *ring, const struct vmbus_pkt *pkt,
                 bool *signal)
{
    struct vmbus_pkt_size sz;
    uint32_t d = ring->data_bytes;
    int err;

    *signal = false;
    if ((err = vmbus_pkt_size(pkt, &sz)) != 0) {
        return err;
    }
    if (sz.ring_bytes >= d) {
        return EMSGSIZE;
    }
    uint32_t w = vmbus_ring_write_index(ring);
    uint32_t rd = vmbus_ring_read_index(ring);
    if (!index_ok(ring, w) || !index_ok(ring, rd)) {
        return EBADMSG;
    }
    if (free_space(d, w, rd) <= sz.ring_bytes) {
        ring->st.eagain++;
        return EAGAIN;
    }

    struct sink s = { .mem = ring->mem, .data_gpa = data_gpa(ring),
                      .data_bytes = d, .pos = w };
    uint8_t trailer[8];
    encode(pkt, &sz, &s);
    put64(trailer, (uint64_t)w << 32);
    sink_put(&s, trailer, VMBUS_PKT_TRAILER_BYTES);
    SIM_ASSERT(s.pos == (uint32_t)(((uint64_t)w + sz.ring_bytes) % d));

    hdr_set(ring, VMBUS_RING_OFF_WRITE_INDEX, s.pos);
    ring->st.packets_written++;
    ring->st.bytes_written += sz.ring_bytes;

    rd = vmbus_ring_read_index(ring);
    uint32_t occupancy = d - free_space(d, s.pos, rd);
    if (occupancy > ring->st.max_occupancy_bytes) {
        ring->st.max_occupancy_bytes = occupancy;
    }
    if (vmbus_ring_masked(ring)) {
        ring->st.suppressed_masked++;
    } else if (w == rd) {
        ring->st.signals++;
        *signal = true;
    } else {
        ring->st.suppressed_not_empty++;
    }
    return 0;
}

int
vmbus_ring_set_pending_send(struct vmbus_ring *ring, uint32_t bytes)
{
    if (bytes >= ring->data_bytes) {
        return EINVAL;
    }
    hdr_set(ring, VMBUS_RING_OFF_PENDING_SEND_SZ, bytes);
    return 0;
}

void
vmbus_ring_clear_pending_send(struct vmbus_ring *ring)
{
    hdr_set(ring, VMBUS_RING_OFF_PENDING_SEND_SZ, 0);
}

/* --- Rings: the reader ---------------------------------------------------- */

void
vmbus_ring_begin_read(struct vmbus_ring *ring)
{
    hdr_set(ring, VMBUS_RING_OFF_INTERRUPT_MASK, 1);
}

uint32_t
vmbus_ring_end_read(struct vmbus_ring *ring)
{
    hdr_set(ring, VMBUS_RING_OFF_INTERRUPT_MASK, 0);
    return vmbus_ring_bytes_to_read(ring);
}

void
vmbus_ring_batch_begin(struct vmbus_ring *ring)
{
    SIM_ASSERT(!ring->in_batch);
    ring->in_batch = true;
    ring->batch_start = vmbus_ring_read_index(ring);
    ring->priv_read = ring->batch_start;
    ring->peeked = 0;
}

bool
vmbus_ring_in_batch(const struct vmbus_ring *ring)
{
    return ring->in_batch;
}

/*
 * HOW A BATCH ENDS (FACTS.md 3.3, Linux hv_pkt_iter_close).
 *
 * The reader publishes its new read index, then decides whether a writer
 * blocked for space must be woken.  Never if the ring's writer did not
 * announce the pending-send feature (bit 0 at 0x40), never if
 * pending_send_sz is 0.  Otherwise, with 'now' the free space after the
 * publication and 'before' = now - bytes consumed by this batch (the free
 * space the writer saw when the batch began, as far as the reader can
 * tell), signal only if before <= pending < now: exactly on the crossing,
 * so a long batch, or several batches, wake the writer once.
 */
void
vmbus_ring_batch_end(struct vmbus_ring *ring, bool *signal)
{
    uint32_t d = ring->data_bytes;

    SIM_ASSERT(ring->in_batch);
    *signal = false;
    ring->in_batch = false;
    ring->peeked = 0;
    hdr_set(ring, VMBUS_RING_OFF_READ_INDEX, ring->priv_read);

    if (!vmbus_ring_feature_pending_send(ring)) {
        return;
    }
    uint32_t pending = vmbus_ring_pending_send(ring);
    if (pending == 0) {
        return;
    }
    uint32_t w = vmbus_ring_write_index(ring);
    if (!index_ok(ring, w) || !index_ok(ring, ring->priv_read)
        || !index_ok(ring, ring->batch_start)) {
        return;
    }
    uint32_t now = free_space(d, w, ring->priv_read);
    uint32_t consumed = ring->priv_read >= ring->batch_start
                            ? ring->priv_read - ring->batch_start
                            : d - (ring->batch_start - ring->priv_read);
    if (consumed > now) {
        return;
    }
    uint32_t before = now - consumed;
    if (before > pending || now <= pending) {
        return;
    }
    ring->st.pending_send_signals++;
    *signal = true;
}

int
vmbus_ring_peek(struct vmbus_ring *ring, void *buf, size_t cap,
                struct vmbus_pkt_view *view)
{
    uint32_t d = ring->data_bytes;
    uint8_t desc[VMBUS_PKT_DESC_BYTES];
    uint8_t trailer[VMBUS_PKT_TRAILER_BYTES];

    memset(view, 0, sizeof *view);
    ring->peeked = 0;
    uint32_t pos = ring->in_batch ? ring->priv_read
                                  : vmbus_ring_read_index(ring);
    uint32_t w = vmbus_ring_write_index(ring);
    if (!index_ok(ring, pos) || !index_ok(ring, w)) {
        return EBADMSG;
    }
    uint32_t avail = d - free_space(d, w, pos);
    if (avail == 0) {
        return ENODATA;
    }
    if (avail < VMBUS_PKT_DESC_BYTES + VMBUS_PKT_TRAILER_BYTES) {
        return EBADMSG;
    }
    ring_copy_out(ring->mem, data_gpa(ring), d, pos, desc, sizeof desc);
    uint32_t header = (uint32_t)get16(desc + 2) * 8;
    uint32_t packet = (uint32_t)get16(desc + 4) * 8;
    if (header < VMBUS_PKT_DESC_BYTES || header > packet
        || (uint64_t)packet + VMBUS_PKT_TRAILER_BYTES > avail) {
        return EBADMSG;
    }
    ring_copy_out(ring->mem, data_gpa(ring), d, (pos + packet) % d, trailer,
                  sizeof trailer);
    if (!buf || cap < packet) {
        view->type = get16(desc);
        view->flags = get16(desc + 6);
        view->trans_id = get64(desc + 8);
        view->header_bytes = header;
        view->packet_bytes = packet;
        view->ring_bytes = packet + VMBUS_PKT_TRAILER_BYTES;
        view->payload_len = packet - header;
        view->ring_offset = pos;
        view->trailer = get64(trailer);
        return EMSGSIZE;
    }
    ring_copy_out(ring->mem, data_gpa(ring), d, pos, buf, packet);
    int err = vmbus_pkt_parse(buf, packet, view);
    if (err) {
        return err;
    }
    view->ring_offset = pos;
    view->trailer = get64(trailer);
    ring->peeked = view->ring_bytes;
    return 0;
}

void
vmbus_ring_advance(struct vmbus_ring *ring)
{
    SIM_ASSERT(ring->in_batch && ring->peeked != 0);
    ring->priv_read = (uint32_t)(((uint64_t)ring->priv_read + ring->peeked)
                                 % ring->data_bytes);
    ring->st.packets_read++;
    ring->st.bytes_read += ring->peeked;
    ring->peeked = 0;
}

int
vmbus_ring_read(struct vmbus_ring *ring, void *buf, size_t cap,
                struct vmbus_pkt_view *view, bool *signal)
{
    vmbus_ring_batch_begin(ring);
    int err = vmbus_ring_peek(ring, buf, cap, view);
    if (!err) {
        vmbus_ring_advance(ring);
    }
    vmbus_ring_batch_end(ring, signal);
    return err;
}

void
vmbus_ring_get_stats(const struct vmbus_ring *ring,
                     struct vmbus_ring_stats *stats)
{
    *stats = ring->st;
    stats->occupancy_bytes = vmbus_ring_bytes_to_read(ring);
}

/* --- Monitor pages -------------------------------------------------------- */

int
vmbus_monitor_init(struct vmbus_monitor *mon, int64_t latency_ps)
{
    if (latency_ps < 0) {
        return EINVAL;
    }
    memset(mon, 0, sizeof *mon);
    for (uint32_t i = 0; i < VMBUS_MONITOR_IDS; i++) {
        mon->latency_ps[i] = latency_ps;
    }
    return 0;
}

int
vmbus_monitor_set_latency(struct vmbus_monitor *mon, uint32_t monitor_id,
                          int64_t latency_ps)
{
    if (monitor_id >= VMBUS_MONITOR_IDS || latency_ps < 0) {
        return EINVAL;
    }
    mon->latency_ps[monitor_id] = latency_ps;
    return 0;
}

int64_t
vmbus_monitor_latency(const struct vmbus_monitor *mon, uint32_t monitor_id)
{
    SIM_ASSERT(monitor_id < VMBUS_MONITOR_IDS);
    return mon->latency_ps[monitor_id];
}

static bool
monitor_any_pending(const struct vmbus_monitor *mon)
{
    for (uint32_t g = 0; g < VMBUS_MONITOR_GROUPS; g++) {
        if (mon->pending[g]) {
            return true;
        }
    }
    return false;
}

bool
vmbus_monitor_trigger(struct vmbus_monitor *mon, uint32_t monitor_id)
{
    SIM_ASSERT(monitor_id < VMBUS_MONITOR_IDS);
    bool first = !monitor_any_pending(mon);

    mon->pending[monitor_id / 32] |= UINT32_C(1) << (monitor_id % 32);
    mon->st.triggers++;
    if (first) {
        mon->st.polls_requested++;
    } else {
        mon->st.coalesced++;
    }
    return first;
}

bool
vmbus_monitor_is_pending(const struct vmbus_monitor *mon, uint32_t monitor_id)
{
    SIM_ASSERT(monitor_id < VMBUS_MONITOR_IDS);
    return (mon->pending[monitor_id / 32] >> (monitor_id % 32)) & 1u;
}

uint32_t
vmbus_monitor_poll(struct vmbus_monitor *mon, vmbus_monitor_fn *fn, void *ctx)
{
    uint32_t taken[VMBUS_MONITOR_GROUPS];
    uint32_t n = 0;

    /* Take and clear every group first (the host's exchange of each
     * group with zero), then report, so callbacks see a clean page. */
    for (uint32_t g = 0; g < VMBUS_MONITOR_GROUPS; g++) {
        taken[g] = mon->pending[g];
        mon->pending[g] = 0;
    }
    mon->st.polls++;
    for (uint32_t g = 0; g < VMBUS_MONITOR_GROUPS; g++) {
        for (uint32_t b = 0; b < 32; b++) {
            if ((taken[g] >> b) & 1u) {
                n++;
                mon->st.delivered++;
                if (fn) {
                    fn(ctx, g * 32 + b);
                }
            }
        }
    }
    return n;
}

struct id_list {
    uint32_t *ids;
    uint32_t n;
};

static void
collect_id(void *ctx, uint32_t monitor_id)
{
    struct id_list *l = ctx;

    l->ids[l->n++] = monitor_id;
}

uint32_t
vmbus_monitor_poll_ids(struct vmbus_monitor *mon,
                       uint32_t ids[VMBUS_MONITOR_IDS])
{
    struct id_list l = { .ids = ids, .n = 0 };

    return vmbus_monitor_poll(mon, collect_id, &l);
}

void
vmbus_monitor_get_stats(const struct vmbus_monitor *mon,
                        struct vmbus_monitor_stats *stats)
{
    *stats = mon->st;
}

/* --- Channels ------------------------------------------------------------- */

/*
 * A channel's life: OFFERED (the host announced it) -> OPENED (the guest
 * gave it ring memory) -> CLOSED (terminal; a new offer makes a new
 * channel).  Subchannels hang off their primary in offer order; they can
 * be offered only while the primary is open, open only while it is open,
 * and close with it.
 */
struct vmbus_channel {
    struct vmbus_offer offer;
    enum vmbus_channel_state state;
    bool low_latency;               /* from the open parameters */
    uint64_t region_gpa;            /* both rings, 0 until opened */
    struct vmbus_ring outbound;     /* guest to host */
    struct vmbus_ring inbound;      /* host to guest */
    struct vmbus_channel *primary;  /* NULL for a primary */
    struct vmbus_channel *first_sub, *last_sub;   /* a primary's */
    struct vmbus_channel *next_sub;                /* a subchannel's */
    uint32_t sub_count;
};

static bool
offer_monitor_ok(bool monitored, uint8_t monitor_id)
{
    return !monitored || monitor_id < VMBUS_MONITOR_IDS;
}

int
vmbus_channel_offer(const struct vmbus_offer *offer,
                    struct vmbus_channel **out)
{
    if (!offer || offer->subchannel_index != 0
        || !offer_monitor_ok(offer->monitored, offer->monitor_id)) {
        return EINVAL;
    }
    struct vmbus_channel *ch = calloc(1, sizeof *ch);
    if (!ch) {
        return ENOMEM;
    }
    ch->offer = *offer;
    ch->state = VMBUS_CHANNEL_OFFERED;
    *out = ch;
    return 0;
}

int
vmbus_channel_offer_sub(struct vmbus_channel *primary, uint16_t index,
                        uint32_t relid, bool monitored, uint8_t monitor_id,
                        struct vmbus_channel **out)
{
    if (!primary || primary->primary || index == 0
        || primary->state != VMBUS_CHANNEL_OPENED
        || !offer_monitor_ok(monitored, monitor_id)) {
        return EINVAL;
    }
    if (relid == primary->offer.relid) {
        return EEXIST;
    }
    for (const struct vmbus_channel *s = primary->first_sub; s;
         s = s->next_sub) {
        if (s->offer.subchannel_index == index || s->offer.relid == relid) {
            return EEXIST;
        }
    }
    struct vmbus_channel *ch = calloc(1, sizeof *ch);
    if (!ch) {
        return ENOMEM;
    }
    ch->offer = primary->offer;
    ch->offer.relid = relid;
    ch->offer.subchannel_index = index;
    ch->offer.monitored = monitored;
    ch->offer.monitor_id = monitored ? monitor_id : 0;
    ch->state = VMBUS_CHANNEL_OFFERED;
    ch->primary = primary;
    if (primary->last_sub) {
        primary->last_sub->next_sub = ch;
    } else {
        primary->first_sub = ch;
    }
    primary->last_sub = ch;
    primary->sub_count++;
    *out = ch;
    return 0;
}

void
vmbus_channel_destroy(struct vmbus_channel *ch)
{
    if (!ch) {
        return;
    }
    SIM_ASSERT(!ch->primary);
    struct vmbus_channel *s = ch->first_sub;
    while (s) {
        struct vmbus_channel *next = s->next_sub;
        free(s);
        s = next;
    }
    free(ch);
}

static bool
ring_size_ok(uint32_t bytes)
{
    return bytes % VMBUS_RING_HEADER_BYTES == 0
           && bytes >= VMBUS_RING_MIN_BYTES;
}

int
vmbus_channel_open(struct vmbus_channel *ch, struct gmem *mem,
                   const struct vmbus_open_params *params)
{
    static const struct vmbus_open_params defaults;
    const struct vmbus_open_params *p = params ? params : &defaults;
    uint32_t out_bytes = p->outbound_bytes ? p->outbound_bytes
                                           : VMBUS_RING_DEFAULT_BYTES;
    uint32_t in_bytes = p->inbound_bytes ? p->inbound_bytes
                                         : VMBUS_RING_DEFAULT_BYTES;

    if (ch->state == VMBUS_CHANNEL_OPENED) {
        return EBUSY;
    }
    if (ch->state != VMBUS_CHANNEL_OFFERED || !mem
        || (ch->primary && ch->primary->state != VMBUS_CHANNEL_OPENED)
        || !ring_size_ok(out_bytes) || !ring_size_ok(in_bytes)) {
        return EINVAL;
    }
    uint64_t gpa = gmem_alloc(mem, (uint64_t)out_bytes + in_bytes);
    if (gpa == 0) {
        return ENOMEM;
    }
    bool feature = !p->no_pending_send_feature;
    int err = vmbus_ring_init(&ch->outbound, mem, gpa, out_bytes, feature);
    SIM_ASSERT(err == 0);
    err = vmbus_ring_init(&ch->inbound, mem, gpa + out_bytes, in_bytes,
                          feature);
    SIM_ASSERT(err == 0);
    ch->region_gpa = gpa;
    ch->low_latency = p->low_latency;
    ch->state = VMBUS_CHANNEL_OPENED;
    return 0;
}

int
vmbus_channel_close(struct vmbus_channel *ch)
{
    if (ch->state != VMBUS_CHANNEL_OPENED) {
        return EINVAL;
    }
    for (struct vmbus_channel *s = ch->first_sub; s; s = s->next_sub) {
        if (s->state == VMBUS_CHANNEL_OPENED) {
            s->state = VMBUS_CHANNEL_CLOSED;
        }
    }
    ch->state = VMBUS_CHANNEL_CLOSED;
    return 0;
}

enum vmbus_channel_state
vmbus_channel_state(const struct vmbus_channel *ch)
{
    return ch->state;
}

const struct vmbus_offer *
vmbus_channel_get_offer(const struct vmbus_channel *ch)
{
    return &ch->offer;
}

struct vmbus_ring *
vmbus_channel_outbound(struct vmbus_channel *ch)
{
    return ch->state == VMBUS_CHANNEL_OPENED ? &ch->outbound : NULL;
}

struct vmbus_ring *
vmbus_channel_inbound(struct vmbus_channel *ch)
{
    return ch->state == VMBUS_CHANNEL_OPENED ? &ch->inbound : NULL;
}

struct vmbus_channel *
vmbus_channel_primary(const struct vmbus_channel *ch)
{
    return ch->primary;
}

struct vmbus_channel *
vmbus_channel_subchannel(const struct vmbus_channel *primary, uint16_t index)
{
    for (struct vmbus_channel *s = primary->first_sub; s; s = s->next_sub) {
        if (s->offer.subchannel_index == index) {
            return s;
        }
    }
    return NULL;
}

uint32_t
vmbus_channel_subchannel_count(const struct vmbus_channel *primary)
{
    return primary->sub_count;
}

enum vmbus_signal_path
vmbus_channel_signal_path(const struct vmbus_channel *ch)
{
    return ch->offer.monitored && !ch->low_latency ? VMBUS_SIGNAL_MONITOR
                                                   : VMBUS_SIGNAL_HYPERCALL;
}

const char *
vmbus_channel_state_name(enum vmbus_channel_state state)
{
    switch (state) {
    case VMBUS_CHANNEL_OFFERED:
        return "offered";
    case VMBUS_CHANNEL_OPENED:
        return "opened";
    case VMBUS_CHANNEL_CLOSED:
        return "closed";
    }
    return "?";
}
