/*
 * packet.h -- struct vsw_pkt, the frame buffer libvmswitch switches, and
 * its out-of-band metadata.
 *
 * THE BUFFER.  A packet owns one buffer of 'capacity' bytes; the frame is
 * the 'len' bytes starting 'headroom' bytes into it.  The free space in
 * front of the frame (the headroom) lets the switch insert an 802.1Q tag
 * at egress by moving only the 12 MAC bytes, never the payload; stripping
 * a tag at ingress likewise moves the 12 MAC bytes forward.  A packet made
 * by vsw_pkt_alloc() or vsw_pkt_from_bytes() is one allocation (the struct
 * followed by the buffer).  If an insertion finds no headroom, the packet
 * moves to a new, larger buffer (a second allocation) with
 * VSW_PKT_DEFAULT_HEADROOM in front; that is the only reallocation.
 *
 * LAYER OFFSETS.  'l2_ofs', 'l3_ofs', 'l4_ofs' and 'payload_ofs' are byte
 * offsets from the start of the frame, written by vsw_parse(), or
 * VSW_PKT_OFS_NONE.  Any change to the bytes' layout (push, pull, tag
 * strip or insert) resets them to VSW_PKT_OFS_NONE; parse again.
 *
 * OUT-OF-BAND METADATA.  'oob' carries what NDIS carries in a
 * NET_BUFFER_LIST's info array rather than in the bytes: the 802.1Q tag
 * (Ieee8021QNetBufferListInfo: priority, DEI, VLAN id), checksum offload
 * requests on transmit and results on receive
 * (TcpIpChecksumNetBufferListInfo), the LSO MSS and version
 * (TcpLargeSendNetBufferListInfo), what receive segment coalescing did
 * (TcpRecvSegCoalesceInfo, RscTcpTimestampDelta), the RSS hash and its
 * type, the switch port and NIC the frame came from, and a cookie for the
 * owner.  The library reads and writes it directly; callers may too.  A
 * fresh packet has all of it zero: untagged, no offload requested, not
 * checked, no LSO, not coalesced.
 *
 * OWNERSHIP AND THREADS.  A packet has one owner at a time and no locks;
 * vsw_pkt_free() accepts NULL.  Allocation goes through vmswitch/alloc.h,
 * so tests can make it fail; nothing here aborts on failure.
 */
#ifndef VMSWITCH_PACKET_H
#define VMSWITCH_PACKET_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Headroom vsw_pkt_from_bytes() and vsw_pkt_clone() leave, bytes. */
#define VSW_PKT_DEFAULT_HEADROOM 32

/* A layer offset that is not known. */
#define VSW_PKT_OFS_NONE UINT16_MAX

/* A receive checksum result, as a NIC reports it. */
enum vsw_csum_rx {
    VSW_CSUM_RX_NOT_CHECKED = 0,    /* the stack must check it itself */
    VSW_CSUM_RX_PASSED,
    VSW_CSUM_RX_FAILED
};

/* The out-of-band metadata of a frame. */
struct vsw_pkt_oob {
    /* 802.1Q tag, when not in the bytes. */
    bool vlan_present;              /* the three fields below are valid */
    uint16_t vlan_id;               /* 0..4095 (0: priority tag only) */
    uint8_t priority;               /* PCP, 0..7 */
    bool dei;                       /* drop eligible */

    /* Transmit checksum requests: the NIC (or the switch's software
     * offload for a NIC that cannot) fills these checksums. */
    bool tx_csum_ip;                /* IPv4 header checksum */
    bool tx_csum_tcp;               /* TCP checksum (IPv4 or IPv6) */
    bool tx_csum_udp;               /* UDP checksum (IPv4 or IPv6) */

    /* Receive checksum results. */
    enum vsw_csum_rx rx_csum_ip;
    enum vsw_csum_rx rx_csum_tcp;
    enum vsw_csum_rx rx_csum_udp;

    /* Large send offload: TCP payload bytes per segment, 0 = not a
     * super-frame; version 1 (IPv4 only, IP total length covers the whole
     * super-frame) or 2 (IPv4 or IPv6, IP length 0). */
    uint32_t lso_mss;
    uint8_t lso_version;

    /* Receive segment coalescing (vmswitch/rsc.h), as NDIS reports it in
     * TcpRecvSegCoalesceInfo and RscTcpTimestampDelta: set on a frame built
     * by coalescing, 0 on every other frame. */
    uint16_t rsc_seg_count;         /* CoalescedSegCount: data segments */
    uint16_t rsc_dup_ack_count;     /* DupAckCount */
    uint32_t rsc_ts_delta;          /* RscTcpTimestampDelta: last TSval
                                     * minus first, mod 2^32 */

    /* Receive side scaling. */
    uint32_t rss_hash;
    uint32_t rss_type;              /* caller-defined hash type bits */

    /* Where the frame came from (set by the switch at ingress). */
    uint32_t src_port;
    uint32_t src_nic;

    /* The owner's, never read by the library. */
    uint64_t cookie;
};

struct vsw_pkt {
    uint8_t *buf;                   /* start of the owned buffer */
    size_t capacity;                /* bytes in 'buf' */
    size_t headroom;                /* offset of the frame in 'buf' */
    size_t len;                     /* bytes of the frame */
    bool buf_external;              /* 'buf' is a separate allocation */

    uint16_t l2_ofs, l3_ofs, l4_ofs, payload_ofs;  /* see above */

    struct vsw_pkt_oob oob;
};

/* Allocates a packet with room for a frame of 'size' bytes after
 * 'headroom' bytes; its length is 0 and its metadata zero.  Returns NULL
 * on allocation failure or overflow. */
struct vsw_pkt *vsw_pkt_alloc(size_t size, size_t headroom);

/* Returns a new packet holding a copy of the 'len' bytes at 'data', with
 * VSW_PKT_DEFAULT_HEADROOM; NULL on allocation failure. */
struct vsw_pkt *vsw_pkt_from_bytes(const void *data, size_t len);

/* Frees 'pkt' and its buffer; NULL is ignored. */
void vsw_pkt_free(struct vsw_pkt *pkt);

/* Returns a deep copy of 'pkt' (bytes, offsets, metadata) with at least
 * VSW_PKT_DEFAULT_HEADROOM; NULL on allocation failure. */
struct vsw_pkt *vsw_pkt_clone(const struct vsw_pkt *pkt);

static inline uint8_t *
vsw_pkt_data(struct vsw_pkt *pkt)
{
    return pkt->buf + pkt->headroom;
}

static inline const uint8_t *
vsw_pkt_data_const(const struct vsw_pkt *pkt)
{
    return pkt->buf + pkt->headroom;
}

static inline size_t
vsw_pkt_len(const struct vsw_pkt *pkt)
{
    return pkt->len;
}

/* Bytes free in front of / behind the frame. */
static inline size_t
vsw_pkt_headroom(const struct vsw_pkt *pkt)
{
    return pkt->headroom;
}

static inline size_t
vsw_pkt_tailroom(const struct vsw_pkt *pkt)
{
    return pkt->capacity - pkt->headroom - pkt->len;
}

/* Grows the frame by 'n' bytes at the front, taken from the headroom, and
 * returns the new start (the new bytes are not initialised).  Returns NULL
 * and changes nothing if the headroom is shorter than 'n'. */
uint8_t *vsw_pkt_push(struct vsw_pkt *pkt, size_t n);

/* Removes 'n' bytes from the front of the frame, returning them to the
 * headroom, and returns the new start.  Returns NULL and changes nothing if
 * the frame is shorter than 'n'. */
uint8_t *vsw_pkt_pull(struct vsw_pkt *pkt, size_t n);

/* Appends 'n' bytes at the end (uninitialised) and returns a pointer to
 * them; NULL, nothing changed, if the tailroom is shorter. */
uint8_t *vsw_pkt_put(struct vsw_pkt *pkt, size_t n);

/* Sets the frame length to 'len' (at most what the buffer holds after the
 * headroom); returns 0 or EINVAL, nothing changed. */
int vsw_pkt_set_len(struct vsw_pkt *pkt, size_t len);

/* Removes the outermost 802.1Q (TPID 0x8100) tag from the bytes and
 * records it out of band (vlan_present, vlan_id, priority, dei).  Returns
 * 0, or EINVAL (frame shorter than 18 bytes or no 802.1Q tag after the
 * source MAC) with nothing changed. */
int vsw_pkt_strip_vlan(struct vsw_pkt *pkt);

/* Inserts an 802.1Q tag with VLAN id 'vid' (0..4095) and priority 'pcp'
 * (0..7) after the source MAC, using the headroom when there is some.  The
 * out-of-band metadata is left alone: the caller says where the tag lives.
 * Returns 0, EINVAL (frame shorter than 12 bytes, bad 'vid' or 'pcp') or
 * ENOMEM, with nothing changed on failure. */
int vsw_pkt_insert_vlan(struct vsw_pkt *pkt, uint16_t vid, uint8_t pcp);

#ifdef __cplusplus
}
#endif

#endif /* VMSWITCH_PACKET_H */
