/*
 * rsc.h -- receive segment coalescing (RSC): in-order TCP segments of one
 * connection merged into one large segment before the stack sees them, so
 * that the stack (and the switch in front of it) handles one header where
 * it would have handled many.  The inverse of the LSO segmenter in
 * offload.h.  A physical NIC model uses it as hardware RSC, flushing at the
 * end of every receive batch; the switch uses it as software RSC at ingress
 * from an external NIC, as the Windows Server 2019 vSwitch does (FACTS.md
 * sections 1.9 and 7.2).  doc/vmswitch-rsc.md has the rules with their
 * NDIS sources.
 *
 * CONTEXTS.  An engine tracks at most 'max_contexts' open single coalesced
 * units (SCUs), one per TCP connection, keyed by IP version, addresses and
 * ports.  A context is opened by a segment that may coalesce and whose
 * connection has none; it holds the frame being built.  A context ends
 * (its SCU is finalized and emitted) when a segment of its connection
 * cannot join it, or at vsw_rsc_flush().  When every context is taken, a
 * segment of another connection is emitted alone (reason NO_CONTEXT): an
 * open context is never evicted to make room, so a flush at the end of
 * each receive batch is what frees them.  Open contexts are kept in the
 * order they were opened; a flush emits them in that order.
 *
 * HOW A SEGMENT IS JUDGED.  vsw_rsc_add() goes through numbered stages:
 *   1. Parse.  A frame that is not a parsable TCP segment is emitted at
 *      once, untouched (non-TCP frames, malformed frames, IPv4 fragments
 *      after the first, which carry no ports).
 *   2. Look up the connection's context.
 *   3. Segment exceptions (NDIS exceptions 2 to 6): a bad or unchecked
 *      checksum, a TCP flag other than ACK, PSH, ECE and CWR, a TCP option
 *      other than the timestamp (NOP and EOL padding allowed), IPv4 options
 *      or IPv6 extension headers, an IPv4 fragment.  The connection's
 *      context, if any, is finalized and emitted, then the segment alone.
 *   4. No context: open one with the segment, or emit it alone if none is
 *      free (NDIS exception 1).
 *   5. Context rules: a segment whose L2 header, IP header fields that
 *      must agree (DSCP or traffic class, DF, flow label, TCP option
 *      layout) or metadata (VLAN, source port and NIC) differ from the
 *      SCU's, whose ECN field or ECE/CWR flags differ (exception 8), that
 *      is out of sequence (SEG.SEQ != H.NXT), whose ACK goes backwards,
 *      whose timestamp goes backwards (mod 2^32), that is a pure ACK that
 *      is neither a duplicate ACK nor a window update, a duplicate ACK
 *      after data, data after a duplicate ACK, or that would take the SCU
 *      past 'max_ip_bytes' (exception 7), finalizes the context and opens
 *      a new one with the segment.  A duplicate ACK with 'coalesce_dup_acks'
 *      off (the NDIS "duplicate ACK exemption") finalizes the context and
 *      is emitted alone.
 *   6. Absorb: an in-sequence data segment's payload is appended; a window
 *      update (a pure ACK with the SCU's ACK number and another window)
 *      changes the window; a duplicate ACK joining an SCU without data
 *      counts in DupAckCount.  The absorbed frame is freed.
 * Every exception is counted by its reason (enum vsw_rsc_reason).
 *
 * THE COALESCED FRAME.  An SCU to which nothing was added is emitted as
 * the frame that opened it, byte for byte, with no RSC metadata.  Otherwise
 * the SCU is the first segment's headers (sequence number, IPv4 id) with:
 * the payloads in order; IPv4 total length or IPv6 payload length covering
 * them; the least TTL or hop limit seen; the last segment's ACK number,
 * window and timestamp (TSval and TSecr); PSH if any segment had it; the
 * IPv4 header and TCP checksums recomputed; Ethernet padding dropped.  Its
 * metadata is the first segment's with rx checksums PASSED, and
 * oob.rsc_seg_count (CoalescedSegCount: data segments, window updates and
 * duplicate ACKs not counted), oob.rsc_dup_ack_count (DupAckCount) and
 * oob.rsc_ts_delta (RscTcpTimestampDelta: last TSval minus first, mod 2^32)
 * set.
 *
 * OWNERSHIP.  vsw_rsc_add() takes the packet when it returns 0: it is
 * absorbed (and freed), held in a context, or handed to the emit callback.
 * The callback owns every packet it is given and must not call back into
 * the engine that called it.  On error the caller keeps the packet.
 * vsw_rsc_destroy() frees held packets without emitting them.
 *
 * MEMORY.  A context holds the packet that opened it and appends payloads
 * in its tailroom when there is enough; otherwise, once per SCU, the SCU
 * moves to a new packet big enough for 'max_ip_bytes' (the only allocation
 * after creation).  If that fails vsw_rsc_add() returns ENOMEM and nothing
 * has changed: no frame emitted, freed or absorbed, no statistic counted.
 *
 * WORK.  struct vsw_rsc_work counts bytes copied and checksummed, segments
 * absorbed and frames emitted, for the caller's CPU cost model, as struct
 * vsw_offload_work does for LSO.
 *
 * TIME AND THREADS.  The engine has no clock: the caller decides when to
 * flush.  Its output depends only on its input.  An engine has no locks;
 * use one per receive queue (one per CPU).
 */
#ifndef VMSWITCH_RSC_H
#define VMSWITCH_RSC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_pkt;
struct vsw_rsc;

/* Contexts when the configuration says 0. */
#define VSW_RSC_DEFAULT_CONTEXTS 64

/* The largest legal IP datagram (RFC 791 section 3.1), and so the
 * largest SCU, bytes of IP header and payload. */
#define VSW_RSC_MAX_IP_BYTES 65535

/* Why a segment ended coalescing for its connection.  The number after
 * "exception" is the one in NDIS "Exception Conditions that Terminate
 * Coalescing"; "rules" are from "Rules for Coalescing TCP/IP Segments";
 * "IP headers" from "Updating the IP Headers for Coalesced Segments". */
enum vsw_rsc_reason {
    VSW_RSC_EXC_NO_CONTEXT,     /* exception 1: every context is open */
    VSW_RSC_EXC_CSUM_BAD,       /* exception 2: rx checksum failed */
    VSW_RSC_EXC_CSUM_UNCHECKED, /* exception 2: not checked by the NIC,
                                 * and software verification is off */
    VSW_RSC_EXC_TCP_FLAGS,      /* exception 3: SYN, FIN, RST, URG, NS or
                                 * a reserved bit */
    VSW_RSC_EXC_TCP_OPTIONS,    /* exception 4: an option other than the
                                 * timestamp (or timestamps not coalesced) */
    VSW_RSC_EXC_IP_OPTIONS,     /* exception 5: IPv4 options, IPv6
                                 * extension headers */
    VSW_RSC_EXC_IP_FRAGMENT,    /* exception 6: an IPv4 fragment */
    VSW_RSC_EXC_MAX_SIZE,       /* exception 7: the SCU would be too big */
    VSW_RSC_EXC_ECN,            /* exception 8: ECN field or ECE/CWR
                                 * changed */
    VSW_RSC_EXC_OUT_OF_ORDER,   /* rules: SEG.SEQ != H.NXT */
    VSW_RSC_EXC_ACK_BEHIND,     /* rules: SEG.ACK before H.ACK */
    VSW_RSC_EXC_PURE_ACK,       /* rules: a pure ACK that is neither a
                                 * duplicate ACK nor a window update */
    VSW_RSC_EXC_DUP_ACK,        /* rules: a duplicate ACK after data, data
                                 * after a duplicate ACK, or any duplicate
                                 * ACK under the exemption */
    VSW_RSC_EXC_TIMESTAMP,      /* rules: TSval or TSecr went backwards */
    VSW_RSC_EXC_HEADER,         /* IP headers: a field that must agree
                                 * differs (L2, DSCP, DF, flow label, TCP
                                 * option layout, VLAN or source metadata) */
    VSW_RSC_N_REASONS
};

/* Returns a static name for 'r' ("no-context", ...); "unknown" for a
 * value out of range. */
const char *vsw_rsc_reason_name(enum vsw_rsc_reason r);

/* How an engine coalesces.  All zero is a sensible default. */
struct vsw_rsc_config {
    uint32_t max_contexts;      /* open SCUs at most; 0: the default */
    uint32_t max_ip_bytes;      /* SCU IP header + payload at most, 68 ..
                                 * VSW_RSC_MAX_IP_BYTES; 0: the maximum */
    bool no_timestamps;         /* do not coalesce segments carrying the
                                 * TCP timestamp option (NDIS leaves it to
                                 * the implementation) */
    bool coalesce_dup_acks;     /* count duplicate ACKs into an SCU without
                                 * data (DupAckCount) instead of using the
                                 * duplicate ACK exemption */
    bool verify_unchecked;      /* verify in software the checksums of
                                 * frames whose rx results say not checked,
                                 * instead of not coalescing them */
};

/* Work done (added to, never reset), for a CPU cost model. */
struct vsw_rsc_work {
    uint64_t bytes_copied;      /* payload appended, SCUs moved */
    uint64_t bytes_checksummed; /* finalization and software verification */
    uint64_t segments_absorbed; /* frames merged into an SCU */
    uint64_t frames_emitted;    /* frames handed to the emit callback */
};

/* Statistics since creation.  The first four are NDIS_RSC_STATISTICS_INFO
 * (OID_TCP_RSC_STATISTICS). */
struct vsw_rsc_stats {
    uint64_t coalesced_pkts;    /* segments absorbed into an SCU */
    uint64_t coalesced_octets;  /* TCP payload bytes of those */
    uint64_t coalesce_events;   /* SCUs emitted with something absorbed */
    uint64_t aborts;            /* exceptions other than MAX_SIZE */
    uint64_t exceptions[VSW_RSC_N_REASONS];
    uint64_t tcp_segments;      /* TCP segments given to vsw_rsc_add() */
    uint64_t passed;            /* frames emitted at stage 1 */
};

/* Receives one frame the engine emits, in order; takes ownership of
 * 'pkt'.  'aux' is what was given to vsw_rsc_create(). */
typedef void vsw_rsc_emit_fn(void *aux, struct vsw_pkt *pkt);

/* Creates an engine configured by '*config' (NULL: all defaults) that
 * emits through 'emit' with 'aux', and stores it in '*rscp'.  Returns 0,
 * EINVAL (a bad 'max_ip_bytes') or ENOMEM; '*rscp' is NULL on error. */
int vsw_rsc_create(const struct vsw_rsc_config *config,
                   vsw_rsc_emit_fn *emit, void *aux, struct vsw_rsc **rscp);

/* Frees 'rsc' and the packets its open contexts hold, without emitting
 * them; NULL is ignored. */
void vsw_rsc_destroy(struct vsw_rsc *rsc);

/* Gives received frame 'pkt' to 'rsc', which absorbs it, holds it, or
 * emits it and/or SCUs it ends (see above).  Adds the work to '*work' (may
 * be NULL).  Returns 0 (the engine owns 'pkt') or ENOMEM (the caller keeps
 * 'pkt'; the engine, 'pkt' and '*work' are unchanged and nothing was
 * emitted). */
int vsw_rsc_add(struct vsw_rsc *rsc, struct vsw_pkt *pkt,
                struct vsw_rsc_work *work);

/* Finalizes and emits every open SCU, oldest first, leaving no context
 * open; the NIC calls it at the end of a receive batch.  Never fails. */
void vsw_rsc_flush(struct vsw_rsc *rsc, struct vsw_rsc_work *work);

/* Returns the number of open contexts. */
size_t vsw_rsc_n_open(const struct vsw_rsc *rsc);

/* Copies the statistics of 'rsc' to '*stats'. */
void vsw_rsc_get_stats(const struct vsw_rsc *rsc,
                       struct vsw_rsc_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* VMSWITCH_RSC_H */
