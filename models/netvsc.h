/*
 * netvsc.h -- the Hyper-V synthetic NIC protocol, both ends: the guest's
 * network virtual service client (VSC, the behaviour of Linux netvsc) and
 * the root partition's provider (VSP), exchanging NVSP messages in VMBus
 * packets and RNDIS messages through send and receive buffers that live in
 * the guest's memory (models/gmem.h).  Frames are struct vsw_pkt
 * (vmswitch/packet.h); their out-of-band metadata travels as RNDIS
 * per-packet-info (PPI) records.  FACTS.md sections 3.2 and 3.4.
 *
 * THE CHANNEL.  There is no VMBus ring here.  Each end sends whole VMBus
 * packets (struct netvsc_vmpkt: type 6 in-band, 7 transfer pages, 9 GPA
 * direct, 0xb completion) through struct netvsc_chan_ops, and takes the
 * other end's packets through its on_packet entry.  The integration maps
 * this onto models/vmbus (ring copies, signals) and may use a loopback in
 * tests.  Everything a netvsc_vmpkt points to is valid only during the
 * send() call: the channel copies what it keeps.  send() must not call
 * the other end's on_packet synchronously (queue the packet; deliver it
 * later, as a ring does).
 *
 * NEGOTIATION (netvsc_vsc_start(), then the VSP's answers).  The VSC
 *   1. sends NVSP INIT with min = max = one version, trying its list
 *      61, 6, 5, 4, 2, 1 from its configured maximum down; the first
 *      INIT_COMPLETE with status SUCCESS fixes the version (the VSP
 *      accepts a version it supports and refuses others with FAIL);
 *   2. (version >= 2) sends SEND_NDIS_CONFIG: mtu + 14, capabilities
 *      ieee8021q, and teaming from version 5 (no completion);
 *   3. sends SEND_NDIS_VER: NDIS 6.1 up to version 4, 6.30 after (no
 *      completion);
 *   4. sends SEND_RECV_BUF with the receive buffer's GPADL id (buffer id
 *      0xcafe); the completion gives the receive sections (the VSP
 *      answers one section description: 1728-byte sections, as many as
 *      fit);
 *   5. sends SEND_SEND_BUF with the send buffer's GPADL id; the completion
 *      gives the send section size the host chose (6144 by default);
 *   6. sends RNDIS INITIALIZE (version 1.0, max_xfer_size 0x4000); the
 *      completion gives max packets per message (8) and the alignment
 *      (1 << 3 = 8 bytes) the send path uses;
 *   7. sends RNDIS SET OID_TCP_OFFLOAD_PARAMETERS (IPv4/IPv6 TCP and UDP
 *      checksums TX+RX, LSOv2 IPv4/IPv6; 28 bytes, or 22 without UDP at
 *      NVSP 4 and older), then SET OID_GEN_CURRENT_PACKET_FILTER
 *      (directed, all-multicast, broadcast: rndis_filter_open);
 *   8. is READY.  VLAN tags travel out of band because step 2 announced
 *      ieee8021q.
 * RNDIS control messages go as Linux sends them: GPA direct, channel type
 * 1 (control), no send section; their completions come back through the
 * receive buffer like frames.  A refused version list, a bad completion or
 * a channel error during negotiation puts the VSC in NETVSC_VSC_FAILED.
 *
 * SEND (netvsc_vsc_send(), netvsc.c "Batching/bouncing logic").  Each
 * frame becomes one RNDIS packet message (44-byte header + PPIs + frame).
 * With 'msg' its length, 'used' the bytes already batched in the current
 * section, 'count' the frames batched there, A the alignment (8), S the
 * section size (6144) and max_pkt (8):
 *   - a batch is open and count < max_pkt and used + msg + A < S: append
 *     the message to the batch's section;
 *   - else a batch is open and count < max_pkt and used + header < S
 *     ("cp_partial"): copy only the RNDIS header into the batch's section
 *     and send the batch and this frame at once, as one message whose
 *     page list carries the frame;
 *   - else msg + A < S: send the open batch, take a free section (first
 *     clear bit of the section bitmap) and copy the message into it; if no
 *     section is free, count tx_send_full and send by page list (or refuse
 *     with EAGAIN when the configuration asks for that);
 *   - else (whatever does not fit a section -- in practice every LSO
 *     super-frame; Linux decides by size alone, so a small LSO frame is
 *     copied like any other, and so does this model): send the
 *     open batch, then the message by page list: GPA direct, range 0 the
 *     RNDIS header, range 1 the frame, section index 0xFFFFFFFF.  The frame
 *     bytes are in guest pages (the model places them in a page slot that
 *     stands for the guest stack's own buffer, which is not a driver copy;
 *     NETVSC_SLOT_PAGES pages each).  With no free slot the frame is
 *     refused with EAGAIN and the queue stopped -- the slots stand in for
 *     guest memory Linux does not run out of, so size them generously.
 * A copied message stays in the open batch while 'more' (xmit_more) is
 * true and the queue is not stopped, padded to A; otherwise the batch is
 * sent now: one NVSP SEND_RNDIS_PKT (channel 0, the section index, the
 * bytes used) in a VMBus packet with COMPLETION_REQUESTED -- type 6, or 9
 * when a page list rides along.  So 8 frames sent with 'more' fill one
 * batch, which goes out when the 9th arrives (and opens a new section), or
 * at the first frame sent without 'more', or at netvsc_vsc_flush_send().
 * The completion (type 0xb, same trans_id) frees the section and the page
 * slot.
 *
 * FLOW CONTROL (netvsc_send_pkt, netvsc_sent_pkt).  The ring's free space
 * in percent is free * 10 / (ring_size / 10) (hv_get_avail_to_write_percent;
 * ring_size includes the 4 KiB header page).  Before each send the VSC
 * reads it through the optional ring_space op; after a successful send it
 * stops the queue if it was below 10 % (LOWATER).  A send the channel
 * refuses (EAGAIN) stops the queue and the frame is refused with EAGAIN --
 * unless no send is outstanding, when Linux wakes the queue again and
 * drops the frame (ENOSPC).  A completion wakes a stopped queue when the
 * ring is above 20 % free (HIWATER) or no send is outstanding (or always,
 * without ring_space), and calls the wake callback; the integration then
 * retries.  While stopped, sends are refused with EAGAIN.  A frame refused
 * for want of a section (when so configured) or a page slot also stops the
 * queue until a completion frees one.
 *
 * RECEIVE (netvsc_vsp_receive(), netvsc_vsp_flush(), netvsc_receive).  The
 * VSP copies the RNDIS header, the PPIs (VLAN, checksum results, hash) and
 * the frame into free 1728-byte receive sections -- a 1514-byte frame
 * takes 44 + up to 3 * 16 + 1514 <= 1606 bytes, one section; a longer
 * message takes consecutive sections (next-fit from a rotating cursor) --
 * and accumulates one transfer-page range per frame.  netvsc_vsp_flush()
 * sends them all as one type-7 packet (xfer_pageset_id: the id the guest
 * gave its receive buffer, 0xcafe; an NVSP
 * SEND_RNDIS_PKT payload, COMPLETION_REQUESTED); a batch reaching 375
 * ranges is sent at once.  No free section: the frame is dropped and
 * counted.  The VSC parses each range's message in its receive buffer,
 * copies the frame out into a new vsw_pkt with the PPIs as metadata, hands
 * it to the deliver callback, and queues one completion per type-7 packet
 * (SEND_RNDIS_PKT_COMPLETE, 8 bytes, type 0xb, the packet's trans_id).
 * Completions are sent by netvsc_vsc_flush_completions() (the end of a
 * NAPI poll), or first when more than comp_threshold (64, NAPI_POLL_WEIGHT)
 * are queued.  The VSP returns a packet's sections to the pool on its
 * completion.
 *
 * TX TOWARD THE HOST (the VSP side of SEND).  On SEND_RNDIS_PKT the VSP
 * reads the message bytes -- the send section (index, size) followed by
 * the GPA ranges in order -- from guest memory, parses every RNDIS packet
 * message in them, hands each frame (a new vsw_pkt, metadata from the
 * PPIs) to its deliver callback, and sends the completion.
 *
 * STATE AND OWNERSHIP.  Each end belongs to its creator; destroy accepts
 * NULL.  The VSC allocates its receive buffer, send buffer and page slots
 * in the guest memory it is given (gmem_alloc, page-aligned, in that order)
 * and never frees them (gmem has no free).  Frames passed to send/receive
 * stay the caller's; frames handed to a deliver callback become the
 * callee's (free with vsw_pkt_free()).  Callbacks run inside on_packet;
 * they may call the same end's send, receive and flush entry points (a
 * guest stack answering at once, a switch reflecting a frame) -- the state
 * is consistent whenever the model calls out -- but not its on_packet.
 *
 * INVARIANTS.  A send section is in exactly one of: free, the open batch,
 * an outstanding send; likewise a page slot.  A receive section is free,
 * accumulated, or in one outstanding transfer-page packet.  stats gauges
 * (sections in use, outstanding sends, pending completions) equal the
 * counts of those sets.
 *
 * WORK RECORDS.  Both ends count what the cost model charges: bytes the
 * guest copied into send sections, bytes the host copied into receive
 * sections, bytes the guest copied out of the receive buffer into its
 * frames, RNDIS and NVSP messages, completions sent and received, sections
 * in use, frames refused and dropped (struct netvsc_vsc_stats,
 * struct netvsc_vsp_stats).  No cost constant lives here.
 *
 * DETERMINISM.  No time, no randomness; section choice is by bitmap order
 * (VSC: lowest free; VSP: next fit from a cursor); trans_ids come from
 * counters.
 *
 * ERRORS.  Fallible calls return 0 or a positive errno and leave state
 * unchanged on refusal -- except that a frame refused for want of a send
 * section or page slot first sends the open batch, so that a completion
 * (and a wake) will follow.  Bytes from the other end are validated (lengths,
 * offsets, section indexes, GPA ranges inside guest memory) and bad ones
 * are counted, never trusted; on_packet returns EPROTO for them.
 *
 * OUT OF SCOPE.  Subchannels and vRSS, the send indirection table, VF /
 * data-path switching, RSC over netvsc (NVSP 6.1 rsc capability; 562
 * ranges), buffer revocation and teardown, RNDIS QUERY from the guest
 * (the VSP answers NOT_SUPPORTED), link-status indications, the TX hash
 * PPI, XDP.  The checksum PPI is not sent with LSO (Linux sends LSO info
 * only; LSO implies the checksums).  When the channel refuses to send an
 * open batch, Linux drops the batch; this model keeps it open and refuses
 * the new frame (no silent loss).  See doc/models.md, "Synthetic NIC".
 *
 * SOURCES.  FACTS.md 3.2 (VMBus packet types, transfer-page and GPA-direct
 * layouts, COMPLETION_REQUESTED, 32 page buffers) and 3.4 (NVSP and RNDIS,
 * buffers and limits, send batching, receive batching, stop/wake
 * watermarks); Linux drivers/net/hyperv/hyperv_net.h, netvsc.c
 * (netvsc_connect_vsp, negotiate_nvsp_ver, netvsc_init_buf, netvsc_send,
 * netvsc_copy_to_send_buf, netvsc_send_pkt, netvsc_sent_pkt,
 * netvsc_receive, enq_receive_complete, send_recv_completions),
 * rndis_filter.c, netvsc_drv.c; include/linux/hyperv.h
 * (hv_get_avail_to_write_percent).  Wire layouts: models/netvsc-wire.h.
 */
#ifndef VNETSIM_MODELS_NETVSC_H
#define VNETSIM_MODELS_NETVSC_H 1

#include <stdbool.h>
#include <stdint.h>

#include "models/gmem.h"
#include "vmswitch/packet.h"

/* ------------------------------------------------------------------ */
/* VMBus packets (FACTS.md 3.2). */

#define NETVSC_VMPKT_DATA_INBAND 6u
#define NETVSC_VMPKT_DATA_XFER_PAGES 7u
#define NETVSC_VMPKT_DATA_GPA_DIRECT 9u
#define NETVSC_VMPKT_COMP 0xbu
#define NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED 1u

#define NETVSC_MAX_PAGE_BUFFERS 32u     /* MAX_PAGE_BUFFER_COUNT */
#define NETVSC_RECV_BUFFER_ID 0xcafeu   /* NETVSC_RECEIVE_BUFFER_ID */
#define NETVSC_SEND_BUFFER_ID 0u

/* A transfer-page range: bytes at 'byte_offset' in the receive buffer. */
struct netvsc_range {
    uint32_t byte_count, byte_offset;
};

/* A GPA-direct range: 'byte_count' bytes starting 'byte_offset' into the
 * first of 'n_pfn' guest pages (4 KiB frame numbers). */
struct netvsc_gpa {
    uint32_t byte_count, byte_offset;
    uint64_t pfn[NETVSC_MAX_PAGE_BUFFERS];
    uint32_t n_pfn;
};

/* One VMBus packet between the ends.  'payload' is the NVSP message. */
struct netvsc_vmpkt {
    uint16_t type;                  /* NETVSC_VMPKT_* */
    uint16_t flags;                 /* NETVSC_VMPKT_FLAG_* */
    uint64_t trans_id;
    const uint8_t *payload;
    uint32_t payload_len;
    uint16_t xfer_pageset_id;       /* type 7 */
    const struct netvsc_range *ranges;
    uint32_t n_ranges;
    const struct netvsc_gpa *gpa;   /* type 9 */
    uint32_t n_gpa;
};

struct netvsc_chan_ops {
    /* Sends 'p' to the other end.  Returns 0, or EAGAIN when the ring has
     * no room (nothing sent). */
    int (*send)(void *ctx, const struct netvsc_vmpkt *p);
    /* Optional (VSC only): the outbound ring's free bytes and its size as
     * Linux counts it (header page included).  NULL: the ring is never
     * reported low; only EAGAIN stops the queue. */
    void (*ring_space)(void *ctx, uint32_t *free_bytes, uint32_t *ring_size);
};

/* ------------------------------------------------------------------ */
/* Limits and defaults (FACTS.md 3.4). */

#define NETVSC_SEND_BUF_DEFAULT (1u << 20)          /* 1 MiB */
#define NETVSC_SEND_BUF_MAX (15u << 20)
#define NETVSC_RECV_BUF_DEFAULT (16u << 20)         /* 16 MiB */
#define NETVSC_RECV_BUF_MAX (31u << 20)
#define NETVSC_SEND_SECTION_SIZE 6144u
#define NETVSC_RECV_SECTION_SIZE 1728u
#define NETVSC_RNDIS_MAX_PKT_DEFAULT 8u
#define NETVSC_RNDIS_PKT_ALIGN_DEFAULT 8u
#define NETVSC_MAX_XFER_RANGES 375u                 /* NDIS >= 6.0 */
#define NETVSC_NAPI_POLL_WEIGHT 64u
#define NETVSC_RING_AVAIL_PERCENT_LOWATER 10u
#define NETVSC_RING_AVAIL_PERCENT_HIWATER 20u
#define NETVSC_ETH_HLEN 14u

/* The largest frame either end takes (a 64 KiB LSO super-frame with its
 * Ethernet header and an 802.1Q tag in the bytes fits), bytes. */
#define NETVSC_MAX_FRAME 65600u

/* A page slot standing for a guest stack buffer that a GPA-direct send
 * references: the RNDIS header at its start, the frame at
 * NETVSC_SLOT_FRAME_OFS, 17 pages in all. */
#define NETVSC_SLOT_FRAME_OFS 256u
#define NETVSC_SLOT_PAGES 17u

/* ------------------------------------------------------------------ */
/* Flow-control predicates (netvsc_send_pkt / netvsc_sent_pkt). */

/* Free space in percent as Linux computes it: free * 10 / (ring_size / 10),
 * integer division.  'ring_size' >= 10. */
uint32_t netvsc_ring_avail_percent(uint32_t free_bytes, uint32_t ring_size);

/* True if a send made while the ring had 'free_bytes' free should stop
 * the queue: below NETVSC_RING_AVAIL_PERCENT_LOWATER percent. */
bool netvsc_should_stop(uint32_t free_bytes, uint32_t ring_size);

/* True if a stopped queue may wake after a completion: above
 * NETVSC_RING_AVAIL_PERCENT_HIWATER percent free, or no send outstanding
 * ('sends_outstanding' counted after this completion). */
bool netvsc_should_wake(uint32_t free_bytes, uint32_t ring_size,
                        uint32_t sends_outstanding);

/* Called with a frame one end received; the callee owns 'pkt'. */
typedef void netvsc_deliver_fn(void *ctx, struct vsw_pkt *pkt);

/* ------------------------------------------------------------------ */
/* The guest's client (VSC). */

struct netvsc_vsc;

enum netvsc_vsc_state {
    NETVSC_VSC_IDLE,                /* created, not started */
    NETVSC_VSC_INIT,                /* INIT sent, waiting */
    NETVSC_VSC_RECV_BUF,            /* SEND_RECV_BUF sent */
    NETVSC_VSC_SEND_BUF,            /* SEND_SEND_BUF sent */
    NETVSC_VSC_RNDIS_INIT,          /* RNDIS INITIALIZE sent */
    NETVSC_VSC_RNDIS_OFFLOAD,       /* SET offload parameters sent */
    NETVSC_VSC_RNDIS_FILTER,        /* SET packet filter sent */
    NETVSC_VSC_READY,
    NETVSC_VSC_FAILED,
};

/* Called when a stopped transmit queue wakes. */
typedef void netvsc_wake_fn(void *ctx);

/* Creation parameters.  Zeroed fields take the defaults noted. */
struct netvsc_vsc_config {
    struct gmem *mem;               /* the guest's memory (required) */
    const struct netvsc_chan_ops *chan;   /* required; send required */
    void *chan_ctx;
    netvsc_deliver_fn *deliver;     /* received frames (required) */
    void *deliver_ctx;
    netvsc_wake_fn *wake;           /* optional */
    void *wake_ctx;
    uint32_t max_nvsp_version;      /* highest tried; 0 = 0x60001 */
    uint32_t mtu;                   /* 0 = 1500; 68 .. 65521 */
    uint32_t recv_buf_size;         /* 0 = 16 MiB; 64 KiB .. 31 MiB */
    uint32_t send_buf_size;         /* 0 = 1 MiB; 64 KiB .. 15 MiB */
    uint32_t recv_gpadl;            /* GPADL id of the receive buffer;
                                     * 0 = 1 (the integration's choice) */
    uint32_t send_gpadl;            /* 0 = 2 */
    uint32_t page_slots;            /* GPA-direct slots; 0 = 64 */
    uint32_t comp_threshold;        /* 0 = NETVSC_NAPI_POLL_WEIGHT */
    bool no_csum_offload;           /* do not enable checksum offloads */
    bool no_lso;                    /* do not enable LSOv2 */
    bool no_section_refuses;        /* no free send section: refuse with
                                     * EAGAIN instead of Linux's page-list
                                     * fallback */
};

/* What the VSC counts. */
struct netvsc_vsc_stats {
    /* transmit */
    uint64_t tx_frames;             /* frames accepted by netvsc_vsc_send */
    uint64_t tx_bytes;              /* their frame bytes */
    uint64_t tx_copied_frames;      /* frames copied into a send section */
    uint64_t tx_copy_bytes;         /* bytes the guest copied into send
                                     * sections (RNDIS headers + frames) */
    uint64_t tx_gpa_frames;         /* frames passed by page list */
    uint64_t tx_partial;            /* of which header copied (cp_partial) */
    uint64_t tx_placed_bytes;       /* frame bytes placed in page slots
                                     * (the stack's buffer; not a copy) */
    uint64_t tx_send_full;          /* no free section for a small frame */
    uint64_t tx_refused;            /* sends refused with EAGAIN */
    uint64_t tx_no_space;           /* frames dropped with ENOSPC */
    uint64_t tx_invalid;            /* frames refused as malformed/too big */
    uint64_t tx_sends;              /* SEND_RNDIS_PKT messages (data) */
    uint64_t tx_completions;        /* their completions received */
    uint64_t stops, wakes;
    /* receive */
    uint64_t rx_xfer_pkts;          /* type-7 packets processed */
    uint64_t rx_frames;             /* frames delivered */
    uint64_t rx_bytes;
    uint64_t rx_copy_bytes;         /* bytes copied out of the receive
                                     * buffer into delivered frames */
    uint64_t rx_malformed;          /* ranges or messages that failed */
    uint64_t rx_bad_packets;        /* type-7 packets ignored (bad header) */
    uint64_t rx_no_memory;          /* frames lost: vsw_pkt allocation */
    uint64_t rx_comp_sent;          /* receive completions sent */
    uint64_t rx_comp_flushes;       /* flushes that sent at least one */
    uint64_t rx_comp_busy;          /* completion sends refused (EAGAIN) */
    uint64_t rx_comp_dropped;       /* completion queue full */
    /* messages */
    uint64_t nvsp_sent, nvsp_received;
    uint64_t rndis_sent, rndis_received;    /* data + control */
    uint64_t unexpected;            /* packets/messages ignored */
    /* gauges */
    uint32_t sections_in_use;       /* send sections (batch + outstanding) */
    uint32_t slots_in_use;          /* page slots */
    uint32_t sends_outstanding;     /* queue_sends */
    uint32_t comp_pending;          /* receive completions queued */
};

/* A snapshot of the negotiated parameters. */
struct netvsc_vsc_info {
    enum netvsc_vsc_state state;
    uint32_t nvsp_version, ndis_version;
    uint32_t send_section_size, send_section_count;
    uint32_t recv_section_size, recv_section_count;
    uint32_t max_pkt, pkt_align;
    uint64_t recv_buf_gpa, send_buf_gpa, slots_gpa;
    uint32_t recv_buf_size, send_buf_size;
    uint32_t recv_gpadl, send_gpadl;
    bool stopped;
    uint32_t batch_frames;          /* frames in the open batch */
};

/* Creates a VSC and allocates its buffers in cfg->mem.  Returns 0,
 * EINVAL (a bad configuration) or ENOMEM (host or guest memory). */
int netvsc_vsc_create(const struct netvsc_vsc_config *cfg,
                      struct netvsc_vsc **out);
void netvsc_vsc_destroy(struct netvsc_vsc *vsc);    /* accepts NULL */

/* Starts negotiation (sends the first INIT).  Returns 0, EALREADY if
 * started before, or the channel's error (the VSC is then FAILED). */
int netvsc_vsc_start(struct netvsc_vsc *vsc);

/* Takes one VMBus packet from the VSP.  Returns 0, or EPROTO for a packet
 * that was malformed or unexpected (counted, otherwise ignored). */
int netvsc_vsc_on_packet(struct netvsc_vsc *vsc, const struct netvsc_vmpkt *p);

/* Sends frame 'pkt' (the caller keeps it); 'more' is xmit_more.  Returns
 * 0 (sent or batched), EAGAIN (refused, queue stopped: retry after the
 * wake callback), ENOSPC (dropped: the channel was full with nothing
 * outstanding), ENOTCONN (not READY), EMSGSIZE (longer than
 * NETVSC_MAX_FRAME) or EINVAL (shorter than an Ethernet header). */
int netvsc_vsc_send(struct netvsc_vsc *vsc, const struct vsw_pkt *pkt,
                    bool more);

/* Sends the open batch, if any.  Returns 0, or EAGAIN (kept open). */
int netvsc_vsc_flush_send(struct netvsc_vsc *vsc);

/* Sends the queued receive completions in order.  Returns 0, or EAGAIN
 * when the channel refused one (it and those after it stay queued). */
int netvsc_vsc_flush_completions(struct netvsc_vsc *vsc);

enum netvsc_vsc_state netvsc_vsc_state(const struct netvsc_vsc *vsc);
bool netvsc_vsc_stopped(const struct netvsc_vsc *vsc);
void netvsc_vsc_get_info(const struct netvsc_vsc *vsc,
                         struct netvsc_vsc_info *info);
const struct netvsc_vsc_stats *netvsc_vsc_stats(const struct netvsc_vsc *vsc);
const char *netvsc_vsc_state_name(enum netvsc_vsc_state state);

/* ------------------------------------------------------------------ */
/* The root's provider (VSP). */

struct netvsc_vsp;

/* Resolves GPADL 'gpadl' to the guest-physical range it maps (the model
 * takes a GPADL to be one contiguous range, as gmem allocates).  Returns
 * 0 or ENOENT. */
typedef int netvsc_gpadl_fn(void *ctx, uint32_t gpadl, uint64_t *gpa,
                            uint64_t *size);

struct netvsc_vsp_config {
    struct gmem *mem;               /* the guest's memory (required) */
    const struct netvsc_chan_ops *chan;   /* required; send required */
    void *chan_ctx;
    netvsc_deliver_fn *deliver;     /* frames from the guest (required) */
    void *deliver_ctx;
    netvsc_gpadl_fn *gpadl;         /* required */
    void *gpadl_ctx;
    uint32_t min_nvsp_version;      /* 0 = 2 (NVSP 1) */
    uint32_t max_nvsp_version;      /* 0 = 0x60001 */
    uint32_t send_section_size;     /* 0 = 6144; a multiple of 8 >= 1024 */
    uint32_t recv_section_size;     /* 0 = 1728; a multiple of 8 >= 128 */
    uint32_t max_ranges;            /* per type-7 packet; 0 = 375 */
    uint32_t max_pkt_per_msg;       /* RNDIS INIT answer; 0 = 8 */
    uint32_t pkt_alignment_factor;  /* RNDIS INIT answer; 0 = 3 (8 B) */
};

struct netvsc_vsp_stats {
    /* guest -> host */
    uint64_t tx_msgs;               /* SEND_RNDIS_PKT messages (data) */
    uint64_t tx_frames;             /* frames delivered */
    uint64_t tx_bytes;
    uint64_t tx_read_bytes;         /* bytes read from guest memory (the
                                     * host maps them; not a copy) */
    uint64_t tx_malformed;          /* messages that failed to parse */
    uint64_t tx_no_memory;          /* frames lost: vsw_pkt allocation */
    uint64_t tx_comp_sent;          /* SEND_RNDIS_PKT completions sent */
    uint64_t tx_comp_busy;          /* refused by the channel, retried */
    /* host -> guest */
    uint64_t rx_frames;             /* frames copied toward the guest */
    uint64_t rx_bytes;
    uint64_t rx_copy_bytes;         /* bytes copied into receive sections
                                     * (RNDIS header + PPIs + frame) */
    uint64_t rx_dropped_no_section;
    uint64_t rx_dropped_not_ready;
    uint64_t rx_dropped_too_big;
    uint64_t rx_dropped_ranges_full;    /* a full batch the ring refused */
    uint64_t rx_xfer_pkts;          /* type-7 packets sent */
    uint64_t rx_ranges;             /* ranges in them */
    uint64_t rx_flush_busy;         /* flushes the channel refused */
    uint64_t rx_completions;        /* guest completions received */
    /* messages */
    uint64_t nvsp_sent, nvsp_received;
    uint64_t rndis_sent, rndis_received;
    uint64_t unexpected;            /* packets/messages ignored */
    /* gauges */
    uint32_t sections_in_use;       /* receive sections */
    uint32_t ranges_pending;        /* accumulated, not yet flushed */
    uint32_t xfers_outstanding;     /* type-7 packets not completed */
};

/* What the guest negotiated, as the VSP recorded it. */
struct netvsc_vsp_info {
    bool ready;                     /* RNDIS initialised, filter set */
    uint32_t nvsp_version, ndis_version;
    uint32_t mtu;                   /* from SEND_NDIS_CONFIG */
    uint64_t capabilities;          /* NETVSC_CAP_* bits */
    uint64_t recv_buf_gpa, send_buf_gpa;
    uint32_t recv_buf_size, send_buf_size;
    uint32_t recv_section_count, send_section_count;
    uint32_t packet_filter;         /* NDIS_PACKET_TYPE_* */
    bool csum_tx_ipv4, csum_tx_ipv6, lso_v2_ipv4, lso_v2_ipv6;
    uint32_t offload_params_len;    /* bytes of the last SET */
};

int netvsc_vsp_create(const struct netvsc_vsp_config *cfg,
                      struct netvsc_vsp **out);
void netvsc_vsp_destroy(struct netvsc_vsp *vsp);    /* accepts NULL */

/* Takes one VMBus packet from the VSC.  Returns 0 or EPROTO (counted). */
int netvsc_vsp_on_packet(struct netvsc_vsp *vsp, const struct netvsc_vmpkt *p);

/* Copies frame 'pkt' (the caller keeps it) into receive sections and adds
 * its range to the batch.  Returns 0, or (the frame dropped and counted)
 * ENOTCONN before the guest is ready, EMSGSIZE for a frame longer than
 * NETVSC_MAX_FRAME or the receive buffer, ENOBUFS when no sections are
 * free or a full batch cannot be sent. */
int netvsc_vsp_receive(struct netvsc_vsp *vsp, const struct vsw_pkt *pkt);

/* Sends completions the channel refused earlier, then the accumulated
 * ranges as one type-7 packet.  Returns 0, or EAGAIN (kept for later). */
int netvsc_vsp_flush(struct netvsc_vsp *vsp);

bool netvsc_vsp_ready(const struct netvsc_vsp *vsp);
void netvsc_vsp_get_info(const struct netvsc_vsp *vsp,
                         struct netvsc_vsp_info *info);
const struct netvsc_vsp_stats *netvsc_vsp_stats(const struct netvsc_vsp *vsp);

#endif /* VNETSIM_MODELS_NETVSC_H */
