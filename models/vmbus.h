/*
 * vmbus.h -- the VMBus channel model: the two ring buffers of a channel,
 * laid out byte for byte in guest physical memory (models/gmem.h), the
 * packets that travel through them, the rules that decide when a side
 * must interrupt the other, the channel's offer/open/close life cycle with
 * its subchannels, and the monitor page that lets a guest notify the host
 * without a hypercall.  The synthetic NIC (netvsc) and the hypervisor
 * models build on it; it knows neither.
 *
 * WHAT IT IS.  A ring (struct vmbus_ring) is one direction of a channel:
 * a region of guest memory whose first page is a header and whose other
 * pages are a circular data area.  One side writes packets, the other
 * reads them.  Both sides' state lives in the header bytes in guest
 * memory, little-endian, at the offsets of Linux's struct hv_ring_buffer
 * (FACTS.md section 3.1):
 *
 *     0x000  u32 write_index      next byte the writer will write
 *     0x004  u32 read_index       next byte the reader will read
 *     0x008  u32 interrupt_mask   set by the reader while it drains
 *     0x00C  u32 pending_send_sz  set by a blocked writer: bytes it needs
 *     0x040  u32 feature_bits     bit 0: the writer uses pending_send_sz
 *     0x1000 ...                  data area, ring size - 4096 bytes
 *
 * So "the other side" sees exactly what was published, and two
 * struct vmbus_ring values may view the same ring (vmbus_ring_attach()):
 * the guest's and the host's, each with its own counters.  The only state
 * kept in C is the reader's progress inside an unpublished read batch and
 * the counters.
 *
 * PACKETS (FACTS.md 3.2).  A packet is a 16-byte descriptor
 * {u16 type, u16 offset8, u16 len8, u16 flags, u64 trans_id}, an optional
 * type-specific header (transfer-page ranges for type 7, GPA ranges for
 * type 9), the payload, zero padding to a multiple of 8 bytes, and an
 * 8-byte trailer holding (u64)start_offset << 32.  offset8 is the length
 * of descriptor plus type-specific header in 8-byte units, len8 the length
 * of everything but the trailer.  The on-ring size of a packet is
 * therefore round8(header + payload) + 8: an in-band packet with a 30-byte
 * payload occupies 16 + 32 + 8 = 56 bytes (vmbus_pkt_ring_bytes() and the
 * vmbus_*_ring_bytes() helpers).  A packet that crosses the end of the
 * data area is copied in two pieces and reads back byte-identical.
 *
 * SPACE (FACTS.md 3.1).  With data-area size D, write index w and read
 * index r, the free space is D - (w - r) when w >= r, else r - w; the
 * bytes to read are D minus that.  A write of 'total' on-ring bytes fails
 * with EAGAIN when free <= total, so the ring never fills completely (a
 * full ring would have w == r and look empty).
 *
 * SIGNALLING (FACTS.md 3.3).  The model decides; the caller delivers.
 *   Writer: after copying the packet and then publishing write_index, the
 *     writer must signal iff interrupt_mask == 0 and the old write index
 *     equals read_index: the ring went from empty to non-empty.  Later
 *     writes into a non-empty ring, and writes while the reader has
 *     masked, do not signal (counted as suppressed, by reason).
 *   Reader interrupt mask: vmbus_ring_begin_read() sets interrupt_mask
 *     (Linux hv_begin_read); vmbus_ring_end_read() clears it and then
 *     returns the bytes still to read (hv_end_read).  A non-zero answer
 *     means data arrived while masked, without a signal: the caller must
 *     poll again (the re-check after unmask).
 *   Reader flow control: a read batch (vmbus_ring_batch_begin() ..
 *     vmbus_ring_batch_end()) consumes packets privately and publishes
 *     read_index once, at the end (hv_pkt_iter_close).  Then, only if the
 *     ring's feature bit is set and pending_send_sz is non-zero, the
 *     reader must signal the writer iff the free space before the batch
 *     was <= pending_send_sz and the free space now is > pending_send_sz:
 *     once, on the crossing.  interrupt_mask plays no part in that rule.
 *
 * CHANNELS (FACTS.md 3.1, 3.4).  A channel (struct vmbus_channel) is
 * offered (relid, interface type and instance ids, subchannel index,
 * monitor id), then opened, which allocates its two rings in the guest's
 * memory, one region: outbound (guest to host) first, then inbound (host
 * to guest), each 128 pages = 512 KiB unless told otherwise; then closed.
 * Subchannels (multi-queue) are offered on an opened primary, each with
 * its own relid, index and rings.
 *
 * MONITOR PAGES (FACTS.md 3.3).  A monitored channel notifies the host by
 * setting its bit in a trigger group of a monitor page instead of making
 * a hypercall; the host polls the page after a latency.  struct
 * vmbus_monitor holds VMBUS_MONITOR_GROUPS groups of 32 bits.  A trigger
 * returns true when it is the first pending bit (the host must schedule a
 * poll); later triggers coalesce until the poll collects and clears them.
 *
 * TIME AND COST.  None here: the model reports what happened (bytes
 * copied, a signal needed, a poll needed) through return values, out
 * arguments and counters, and the integration layer turns that into time
 * and cycles through the platform profile.  The monitor's latency is
 * stored for that layer, never used here.
 *
 * DETERMINISM.  No randomness, no time, no address-dependent order: ring
 * placement comes from gmem's call-ordered allocator, monitor polls
 * deliver in id order.
 *
 * OWNERSHIP.  struct vmbus_ring and struct vmbus_monitor are plain values
 * the caller embeds and initialises (their definitions are public only so
 * they can be embedded; their fields are private).  They keep a pointer
 * to the gmem, which must outlive them, and allocate nothing.  A channel
 * is allocated by its offer and freed by vmbus_channel_destroy(); a
 * primary owns its subchannels and frees them with itself.  Guest memory
 * given to rings is never returned (gmem has no free).
 *
 * ERRORS.  Calls taking values from scenarios, drivers or guest memory
 * validate them and return 0 or a positive errno, leaving state unchanged
 * on failure: EINVAL (bad argument or wrong life-cycle step), EBUSY
 * (channel already open), EEXIST (subchannel index or relid taken),
 * ENOMEM (no guest memory or no host memory), EAGAIN (ring too full now),
 * EMSGSIZE (packet can never fit, or caller buffer too small), ENODATA
 * (ring empty), EBADMSG (malformed packet in guest memory).  Calls
 * out of order on the caller's side (advancing without a peek, nesting
 * batches) are model bugs and assert.
 *
 * SOURCES.  FACTS.md 3.1 (hv_ring_buffer layout, feature bit, space
 * accounting), 3.2 (vmpacket_descriptor, trailer, packet types, transfer-
 * page and GPA-direct headers, MAX_PAGE_BUFFER_COUNT), 3.3 (signalling
 * rules of hv_ringbuffer_write / hv_signal_on_write, hv_begin_read /
 * hv_end_read, hv_pkt_iter_close; monitor pages and vmbus_set_event), 3.4
 * (ring_size default); all from Linux drivers/hv/ring_buffer.c,
 * drivers/hv/channel.c, drivers/hv/connection.c, include/linux/hyperv.h
 * and the Hyper-V TLFS.  See doc/models.md, the VMBus section.
 */
#ifndef VNETSIM_MODELS_VMBUS_H
#define VNETSIM_MODELS_VMBUS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gmem;

/* --- Constants ------------------------------------------------------------ */

#define VMBUS_RING_HEADER_BYTES 4096u       /* the header page */
#define VMBUS_RING_MIN_BYTES (2u * VMBUS_RING_HEADER_BYTES)
#define VMBUS_RING_DEFAULT_BYTES (128u * 4096u)  /* 512 KiB, FACTS 3.4 */

/* Header field offsets (FACTS.md 3.1). */
#define VMBUS_RING_OFF_WRITE_INDEX 0x00u
#define VMBUS_RING_OFF_READ_INDEX 0x04u
#define VMBUS_RING_OFF_INTERRUPT_MASK 0x08u
#define VMBUS_RING_OFF_PENDING_SEND_SZ 0x0Cu
#define VMBUS_RING_OFF_FEATURE_BITS 0x40u
#define VMBUS_RING_FEAT_PENDING_SEND_SZ 0x1u

#define VMBUS_PKT_DESC_BYTES 16u            /* vmpacket_descriptor */
#define VMBUS_PKT_TRAILER_BYTES 8u          /* prev_indices */
#define VMBUS_PKT_XFER_HDR_BYTES 24u        /* descriptor + pageset fields */
#define VMBUS_PKT_GPA_HDR_BYTES 24u         /* descriptor + reserved + count */
#define VMBUS_PKT_RANGE_BYTES 8u            /* {u32 byte_count, byte_offset} */
#define VMBUS_PKT_PFN_BYTES 8u
#define VMBUS_PAGE_BYTES 4096u              /* a guest page (pfn unit) */
#define VMBUS_MAX_PAGE_BUFFERS 32u          /* MAX_PAGE_BUFFER_COUNT */
#define VMBUS_PKT_MAX_BYTES (65535u * 8u)   /* len8 is 16 bits */

/* Flag of a data packet whose sender wants a VMBUS_PKT_COMP back. */
#define VMBUS_PKT_FLAG_COMPLETION_REQUESTED 0x1u

/* Packet types (vmpacket_descriptor.type, FACTS.md 3.2). */
enum vmbus_pkt_type {
    VMBUS_PKT_SYNCH = 0x1,
    VMBUS_PKT_ADD_XFER_PAGESET = 0x2,
    VMBUS_PKT_RM_XFER_PAGESET = 0x3,
    VMBUS_PKT_ESTABLISH_GPADL = 0x4,
    VMBUS_PKT_TEARDOWN_GPADL = 0x5,
    VMBUS_PKT_DATA_INBAND = 0x6,
    VMBUS_PKT_DATA_USING_XFER_PAGES = 0x7,   /* host to guest receive */
    VMBUS_PKT_DATA_USING_GPADL = 0x8,
    VMBUS_PKT_DATA_USING_GPA_DIRECT = 0x9,   /* guest to host page lists */
    VMBUS_PKT_CANCEL_REQUEST = 0xa,
    VMBUS_PKT_COMP = 0xb,                    /* completion */
    VMBUS_PKT_DATA_USING_ADDITIONAL_PKT = 0xc,
    VMBUS_PKT_ADDITIONAL_DATA = 0xd,
};

/* --- Packets -------------------------------------------------------------- */

/* A range of a transfer page set (type 7): bytes of the receiver's
 * pre-registered buffer. */
struct vmbus_xfer_range {
    uint32_t byte_count;
    uint32_t byte_offset;
};

/* A GPA range (type 9): 'byte_count' bytes starting 'byte_offset' bytes
 * into the first of 'pfn_count' guest pages 'pfns'.  'byte_offset' is
 * below VMBUS_PAGE_BYTES, 'byte_count' is at least 1, and 'pfn_count' is
 * the number of pages the bytes span, ceil((byte_offset + byte_count) /
 * 4096): the receiver derives it from the other two, since the wire does
 * not carry it. */
struct vmbus_gpa_range {
    uint32_t byte_count;
    uint32_t byte_offset;
    uint32_t pfn_count;
    const uint64_t *pfns;
};

/* A packet to write.  Build it with one of the vmbus_pkt_*() builders or
 * by hand.  Only type 7 uses the xfer fields and 'xfer_ranges'; only type
 * 9 uses 'gpa_ranges'; 'range_count' counts whichever applies.  The
 * arrays and 'payload' are read during the call that takes the packet and
 * not kept. */
struct vmbus_pkt {
    uint16_t type;                  /* enum vmbus_pkt_type */
    uint16_t flags;
    uint64_t trans_id;
    uint16_t xfer_pageset_id;       /* type 7 */
    bool sender_owns_set;           /* type 7 */
    uint32_t range_count;           /* types 7 and 9 */
    const struct vmbus_xfer_range *xfer_ranges;     /* type 7 */
    const struct vmbus_gpa_range *gpa_ranges;       /* type 9 */
    const void *payload;
    uint32_t payload_len;
};

/* Builders.  They only fill the struct (no validation: that happens where
 * the packet is sized, encoded or written). */
struct vmbus_pkt vmbus_pkt_inband(uint64_t trans_id, uint16_t flags,
                                  const void *payload, uint32_t len);
struct vmbus_pkt vmbus_pkt_comp(uint64_t trans_id, const void *payload,
                                uint32_t len);
struct vmbus_pkt vmbus_pkt_xfer_pages(uint64_t trans_id, uint16_t flags,
                                      uint16_t pageset_id,
                                      bool sender_owns_set,
                                      const struct vmbus_xfer_range *ranges,
                                      uint32_t range_count,
                                      const void *payload, uint32_t len);
struct vmbus_pkt vmbus_pkt_gpa_direct(uint64_t trans_id, uint16_t flags,
                                      const struct vmbus_gpa_range *ranges,
                                      uint32_t range_count,
                                      const void *payload, uint32_t len);

/* The sizes of a packet, in bytes. */
struct vmbus_pkt_size {
    uint32_t header_bytes;          /* descriptor + type header = offset8*8 */
    uint32_t padding_bytes;         /* zeros after the payload */
    uint32_t packet_bytes;          /* header + payload + padding = len8*8 */
    uint32_t ring_bytes;            /* packet_bytes + trailer */
};

/* Validates 'pkt' and computes its sizes into '*size'.  Returns 0, or
 * EINVAL (type outside 1..0xd; ranges on a type that has none; a type-9
 * range with byte_count 0, byte_offset >= 4096, a pfn_count that is not
 * the pages spanned, or more than VMBUS_MAX_PAGE_BUFFERS pages in all; a
 * NULL array or payload with a non-zero count), or EMSGSIZE (len8 would
 * not fit 16 bits). */
int vmbus_pkt_size(const struct vmbus_pkt *pkt, struct vmbus_pkt_size *size);

/* The on-ring bytes of a packet (header + payload + padding + trailer),
 * for cost models that know only counts: in-band or completion with a
 * 'payload_len' payload; transfer-page with 'range_count' ranges;
 * GPA-direct with 'range_count' ranges of 'pfn_count' pages in all. */
uint64_t vmbus_inband_ring_bytes(uint32_t payload_len);
uint64_t vmbus_xfer_ring_bytes(uint32_t range_count, uint32_t payload_len);
uint64_t vmbus_gpa_direct_ring_bytes(uint32_t range_count,
                                     uint32_t pfn_count,
                                     uint32_t payload_len);

/* Encodes 'pkt' without its trailer (packet_bytes) into 'buf' of 'cap'
 * bytes, as it lies in the ring.  Returns 0, the errors of
 * vmbus_pkt_size(), or EMSGSIZE if 'cap' is too small.  Stores the sizes
 * in '*size' when 'size' is not NULL and the packet is valid. */
int vmbus_pkt_encode(const struct vmbus_pkt *pkt, void *buf, size_t cap,
                     struct vmbus_pkt_size *size);

/* A parsed packet.  'bytes' points at the packet (descriptor first,
 * 'packet_bytes' long) in the buffer given to the parser, and so does
 * 'payload'.  The payload length is what the descriptor says,
 * packet_bytes - header_bytes: it includes the sender's padding, since
 * the wire does not carry the exact length (Linux hv_pkt_datalen). */
struct vmbus_pkt_view {
    uint16_t type;
    uint16_t flags;
    uint64_t trans_id;
    uint32_t header_bytes;          /* offset8 * 8 */
    uint32_t packet_bytes;          /* len8 * 8 */
    uint32_t ring_bytes;            /* packet_bytes + 8 */
    uint32_t ring_offset;           /* start in the data area (from a ring) */
    uint64_t trailer;               /* the trailer word (from a ring) */
    const uint8_t *bytes;
    const uint8_t *payload;
    uint32_t payload_len;
    uint16_t xfer_pageset_id;       /* type 7 */
    bool sender_owns_set;           /* type 7 */
    uint32_t range_count;           /* types 7 and 9 */
    uint32_t pfn_count;             /* type 9: pages over all ranges */
    uint32_t gpa_range_at[VMBUS_MAX_PAGE_BUFFERS]; /* type 9: offsets */
};

/* Parses the packet at 'buf' ('len' bytes available, at least the packet)
 * into '*view' ('trailer' and 'ring_offset' are left 0).  Returns 0, or
 * EBADMSG: fewer than 16 bytes, a type outside 1..0xd, offset8 * 8
 * below 16 or above len8 * 8, len8 * 8 above 'len', or a type 7 / type 9
 * header that does not fit offset8 * 8 or breaks the rules of
 * vmbus_pkt_size(). */
int vmbus_pkt_parse(const void *buf, size_t len, struct vmbus_pkt_view *view);

/* Range 'i' of a parsed type-7 packet (asserts i < range_count). */
struct vmbus_xfer_range vmbus_pkt_view_xfer_range(
    const struct vmbus_pkt_view *view, uint32_t i);

/* Range 'i' of a parsed type-9 packet: stores its byte count and offset
 * and returns its page count (asserts i < range_count). */
uint32_t vmbus_pkt_view_gpa_range(const struct vmbus_pkt_view *view,
                                  uint32_t i, uint32_t *byte_count,
                                  uint32_t *byte_offset);

/* Page 'j' of range 'i' of a parsed type-9 packet (asserted in range). */
uint64_t vmbus_pkt_view_gpa_pfn(const struct vmbus_pkt_view *view,
                                uint32_t i, uint32_t j);

/* --- Rings ---------------------------------------------------------------- */

/* Counters of one view of a ring.  Bytes are on-ring bytes (header,
 * payload, padding and trailer). */
struct vmbus_ring_stats {
    uint64_t packets_written;
    uint64_t bytes_written;
    uint64_t packets_read;
    uint64_t bytes_read;
    uint64_t signals;                 /* writes that must signal */
    uint64_t suppressed_masked;       /* writes not signalling: masked */
    uint64_t suppressed_not_empty;    /* ... ring was not empty */
    uint64_t eagain;                  /* writes refused for lack of room */
    uint64_t pending_send_signals;    /* batch ends that must signal */
    uint32_t max_occupancy_bytes;     /* bytes to read, highest after a write */
    uint32_t occupancy_bytes;         /* bytes to read now (from the header) */
};

/* One direction of a channel.  Fields are private. */
struct vmbus_ring {
    struct gmem *mem;
    uint64_t gpa;                   /* header page */
    uint32_t size_bytes;            /* header + data */
    uint32_t data_bytes;            /* D */
    bool in_batch;
    uint32_t batch_start;           /* published read index at batch begin */
    uint32_t priv_read;             /* reader position inside a batch */
    uint32_t peeked;                /* ring bytes of the last peek, 0: none */
    struct vmbus_ring_stats st;     /* occupancy_bytes unused here */
};

/* Creates a ring of 'size_bytes' at 'gpa' of 'mem': zeroes the header
 * page and sets feature bit 0 if 'feature_pending_send_sz'.  Returns 0 or
 * EINVAL ('size_bytes' not a multiple of 4096 or below two pages, 'gpa'
 * zero or not page-aligned, or the region not inside 'mem'); on failure
 * '*ring' is untouched. */
int vmbus_ring_init(struct vmbus_ring *ring, struct gmem *mem, uint64_t gpa,
                    uint32_t size_bytes, bool feature_pending_send_sz);

/* Views an existing ring (the other side's): the same checks, no write to
 * guest memory, zeroed counters. */
int vmbus_ring_attach(struct vmbus_ring *ring, struct gmem *mem,
                      uint64_t gpa, uint32_t size_bytes);

uint64_t vmbus_ring_gpa(const struct vmbus_ring *ring);
uint32_t vmbus_ring_size(const struct vmbus_ring *ring);      /* whole */
uint32_t vmbus_ring_data_size(const struct vmbus_ring *ring); /* D */

/* The header fields, as published in guest memory. */
uint32_t vmbus_ring_write_index(const struct vmbus_ring *ring);
uint32_t vmbus_ring_read_index(const struct vmbus_ring *ring);
bool vmbus_ring_masked(const struct vmbus_ring *ring);
uint32_t vmbus_ring_pending_send(const struct vmbus_ring *ring);
bool vmbus_ring_feature_pending_send(const struct vmbus_ring *ring);

/* Space from the published indices (FACTS.md 3.1); both 0 if an index
 * in guest memory is unusable (beyond the data area or not a multiple of
 * 8: the ring is corrupt). */
uint32_t vmbus_ring_bytes_to_write(const struct vmbus_ring *ring);
uint32_t vmbus_ring_bytes_to_read(const struct vmbus_ring *ring);

/* The writer.  Copies 'pkt' (descriptor, type header, payload, zero
 * padding, trailer = old write index << 32) at the write index, wrapping
 * at the end of the data area, then publishes the new write index, then
 * stores in '*signal' whether the writer must signal the reader:
 * interrupt_mask == 0 and old write index == read_index.  Returns 0, the
 * errors of vmbus_pkt_size() (counted nowhere), EMSGSIZE if the packet
 * needs the whole data area or more (it could never be written),
 * EBADMSG if the published indices are unusable (a corrupt ring), or
 * EAGAIN if free space <= its ring bytes (counted).  On failure guest
 * memory is unchanged and '*signal' is false. */
int vmbus_ring_write(struct vmbus_ring *ring, const struct vmbus_pkt *pkt,
                     bool *signal);

/* A blocked writer asks to be signalled when more than 'bytes' are free
 * (vmbus_ring_write() of a packet of 'bytes' ring bytes then succeeds).
 * Only meaningful with the feature bit set; stays until cleared.  Returns
 * 0 or EINVAL ('bytes' >= the data area: it could never be satisfied). */
int vmbus_ring_set_pending_send(struct vmbus_ring *ring, uint32_t bytes);
void vmbus_ring_clear_pending_send(struct vmbus_ring *ring);

/* The reader's interrupt mask (Linux hv_begin_read / hv_end_read).
 * begin sets interrupt_mask to 1.  end clears it and then returns the
 * bytes to read from the published indices: non-zero means packets came
 * while masked, without a signal, and the reader must poll again. */
void vmbus_ring_begin_read(struct vmbus_ring *ring);
uint32_t vmbus_ring_end_read(struct vmbus_ring *ring);

/* A read batch.  begin snapshots the published read index; packets are
 * then consumed with vmbus_ring_peek() and vmbus_ring_advance(); end
 * publishes the read index and stores in '*signal' whether the reader
 * must signal the writer (the pending-send rule of the header essay).
 * Nesting batches, or ending none, asserts. */
void vmbus_ring_batch_begin(struct vmbus_ring *ring);
void vmbus_ring_batch_end(struct vmbus_ring *ring, bool *signal);
bool vmbus_ring_in_batch(const struct vmbus_ring *ring);

/* Looks at the next packet: the one at the batch's position inside a
 * batch, else at the published read index.  Copies the packet without
 * its trailer into 'buf' ('cap' bytes, contiguous even if it wrapped in
 * the ring) and parses it into '*view', with 'ring_offset' and 'trailer'
 * set.  Changes no guest memory.  Returns 0; ENODATA if there is nothing
 * to read; EMSGSIZE if 'cap' is below the packet's length (the descriptor
 * fields of '*view' and its sizes are still filled, so a caller can size
 * its buffer); EBADMSG if the bytes are not a packet (framing beyond the
 * bytes to read, or vmbus_pkt_parse() refuses them).  Only a 0 return
 * allows vmbus_ring_advance(). */
int vmbus_ring_peek(struct vmbus_ring *ring, void *buf, size_t cap,
                    struct vmbus_pkt_view *view);

/* Consumes the packet of the last successful peek made inside the
 * current batch (both asserted): moves the batch position past its
 * trailer and counts it.  Nothing is published until the batch ends. */
void vmbus_ring_advance(struct vmbus_ring *ring);

/* One packet as its own batch: begin, peek, advance, end.  Returns what
 * vmbus_ring_peek() returns; '*signal' as vmbus_ring_batch_end() (false
 * when nothing was read).  Must not be called inside a batch. */
int vmbus_ring_read(struct vmbus_ring *ring, void *buf, size_t cap,
                    struct vmbus_pkt_view *view, bool *signal);

/* Copies the counters of this view into '*stats', with occupancy_bytes
 * read from the header now. */
void vmbus_ring_get_stats(const struct vmbus_ring *ring,
                          struct vmbus_ring_stats *stats);

/* --- Monitor pages -------------------------------------------------------- */

#define VMBUS_MONITOR_GROUPS 4u     /* trigger groups of a monitor page */
#define VMBUS_MONITOR_IDS (VMBUS_MONITOR_GROUPS * 32u)

struct vmbus_monitor_stats {
    uint64_t triggers;              /* vmbus_monitor_trigger() calls */
    uint64_t polls_requested;       /* ... that returned true */
    uint64_t coalesced;             /* ... that found something pending */
    uint64_t polls;                 /* vmbus_monitor_poll() calls */
    uint64_t delivered;             /* ids handed out by polls */
};

/* A monitor page: pending bits in groups of 32 (id / 32 = group, id % 32
 * = bit), and a latency per id.  Fields are private. */
struct vmbus_monitor {
    uint32_t pending[VMBUS_MONITOR_GROUPS];
    int64_t latency_ps[VMBUS_MONITOR_IDS];
    struct vmbus_monitor_stats st;
};

/* Called by vmbus_monitor_poll() once per pending id, in id order. */
typedef void vmbus_monitor_fn(void *ctx, uint32_t monitor_id);

/* Clears the monitor and gives every id the latency 'latency_ps' (a
 * parameter for the integration layer: how long the host takes to poll
 * after the first trigger).  Returns 0 or EINVAL ('latency_ps' < 0). */
int vmbus_monitor_init(struct vmbus_monitor *mon, int64_t latency_ps);

/* Sets / reads the latency of one id.  set returns 0 or EINVAL (id out of
 * range or negative latency); the getter asserts the id. */
int vmbus_monitor_set_latency(struct vmbus_monitor *mon, uint32_t monitor_id,
                              int64_t latency_ps);
int64_t vmbus_monitor_latency(const struct vmbus_monitor *mon,
                              uint32_t monitor_id);

/* Sets the bit of 'monitor_id' (asserted < VMBUS_MONITOR_IDS).  Returns
 * true if no bit at all was pending before: the host must schedule a
 * poll.  Otherwise the trigger coalesces with the poll already due. */
bool vmbus_monitor_trigger(struct vmbus_monitor *mon, uint32_t monitor_id);

bool vmbus_monitor_is_pending(const struct vmbus_monitor *mon,
                              uint32_t monitor_id);

/* Collects and clears every pending bit, calling 'fn' (may be NULL) once
 * per pending id in increasing id order.  All bits are cleared before the
 * first call, so a trigger from inside 'fn' is pending for the next poll
 * (and returns true).  Returns the number of ids collected. */
uint32_t vmbus_monitor_poll(struct vmbus_monitor *mon, vmbus_monitor_fn *fn,
                            void *ctx);

/* The same, storing the ids in 'ids' (room for VMBUS_MONITOR_IDS). */
uint32_t vmbus_monitor_poll_ids(struct vmbus_monitor *mon,
                                uint32_t ids[VMBUS_MONITOR_IDS]);

void vmbus_monitor_get_stats(const struct vmbus_monitor *mon,
                             struct vmbus_monitor_stats *stats);

/* --- Channels ------------------------------------------------------------- */

enum vmbus_channel_state {
    VMBUS_CHANNEL_OFFERED,
    VMBUS_CHANNEL_OPENED,
    VMBUS_CHANNEL_CLOSED,
};

/* How a guest notifies the host for a channel (FACTS.md 3.3). */
enum vmbus_signal_path {
    VMBUS_SIGNAL_HYPERCALL,         /* one HvCallSignalEvent fast hypercall */
    VMBUS_SIGNAL_MONITOR,           /* a monitor-page bit, host polls */
};

/* What the host offers.  For a subchannel the interface ids are the
 * primary's (vmbus_channel_offer_sub() copies them). */
struct vmbus_offer {
    uint32_t relid;                 /* child relative id */
    uint8_t if_type[16];            /* interface type id (a GUID's bytes) */
    uint8_t if_instance[16];        /* interface instance id */
    uint16_t subchannel_index;      /* 0: primary */
    bool monitored;                 /* has a monitor id */
    uint8_t monitor_id;             /* < VMBUS_MONITOR_IDS when monitored */
};

/* Options of vmbus_channel_open().  Zeroed = Linux's defaults. */
struct vmbus_open_params {
    uint32_t outbound_bytes;        /* guest to host ring; 0 = 512 KiB */
    uint32_t inbound_bytes;         /* host to guest ring; 0 = 512 KiB */
    bool no_pending_send_feature;   /* leave feature bit 0 clear on both */
    bool low_latency;               /* signal by hypercall even if monitored */
};

struct vmbus_channel;

/* A primary channel is offered: allocates it in state OFFERED with a copy
 * of '*offer'.  Returns 0 and stores it in '*out', or EINVAL (subchannel
 * index not 0, monitor id out of range) or ENOMEM; '*out' is untouched on
 * failure. */
int vmbus_channel_offer(const struct vmbus_offer *offer,
                        struct vmbus_channel **out);

/* Subchannel 'index' of 'primary' is offered with its own 'relid' and
 * monitor id ('monitored', 'monitor_id').  The primary must be OPENED
 * (EINVAL otherwise), 'index' must be >= 1 and 'relid' and 'index' new
 * among the primary and its subchannels (EEXIST).  The primary owns the
 * result.  Returns 0, EINVAL, EEXIST or ENOMEM. */
int vmbus_channel_offer_sub(struct vmbus_channel *primary, uint16_t index,
                            uint32_t relid, bool monitored,
                            uint8_t monitor_id, struct vmbus_channel **out);

/* Frees a primary channel and its subchannels.  Accepts NULL.  Asserts
 * 'ch' is a primary (subchannels go with it). */
void vmbus_channel_destroy(struct vmbus_channel *ch);

/* Opens 'ch' (OFFERED to OPENED): allocates one region of 'mem' for both
 * rings, outbound at its start and inbound after it, and initialises them
 * with the feature bit set unless told not to.  'params' may be NULL.
 * Returns 0; EBUSY if already open; EINVAL if closed (a closed channel is
 * not reopened), if a subchannel's primary is not open, or for ring sizes
 * not multiples of 4096 or below two pages; ENOMEM if the guest memory is
 * exhausted.  State unchanged on failure. */
int vmbus_channel_open(struct vmbus_channel *ch, struct gmem *mem,
                       const struct vmbus_open_params *params);

/* Closes 'ch' (OPENED to CLOSED); closing a primary first closes its open
 * subchannels (as Linux vmbus_close does).  Returns 0 or EINVAL (not
 * open).  The rings' guest memory is not reused. */
int vmbus_channel_close(struct vmbus_channel *ch);

enum vmbus_channel_state vmbus_channel_state(const struct vmbus_channel *ch);
const struct vmbus_offer *vmbus_channel_get_offer(
    const struct vmbus_channel *ch);

/* The rings of an OPENED channel, NULL in any other state.  Outbound is
 * guest to host (the guest writes), inbound host to guest. */
struct vmbus_ring *vmbus_channel_outbound(struct vmbus_channel *ch);
struct vmbus_ring *vmbus_channel_inbound(struct vmbus_channel *ch);

/* The primary of a subchannel (NULL for a primary), and subchannel
 * 'index' of a primary (NULL if none). */
struct vmbus_channel *vmbus_channel_primary(const struct vmbus_channel *ch);
struct vmbus_channel *vmbus_channel_subchannel(
    const struct vmbus_channel *primary, uint16_t index);
uint32_t vmbus_channel_subchannel_count(const struct vmbus_channel *primary);

/* How the guest signals the host on this channel: through the monitor
 * page when the channel is monitored and not opened low-latency, else by
 * hypercall (Linux vmbus_setevent). */
enum vmbus_signal_path vmbus_channel_signal_path(
    const struct vmbus_channel *ch);

const char *vmbus_channel_state_name(enum vmbus_channel_state state);

#endif /* VNETSIM_MODELS_VMBUS_H */
