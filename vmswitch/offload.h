/*
 * offload.h -- software offloads: what the switch does at egress for a
 * destination NIC that cannot insert checksums or segment LSO super-frames
 * itself (FACTS.md section 7.2, the NDIS rules).
 *
 * CHECKSUMS.  A frame whose OOB metadata requests an IPv4 header, TCP or
 * UDP checksum, sent to a NIC without checksum offload for its IP version,
 * gets the checksums computed in place and the requests cleared.
 *
 * LSO.  A TCP super-frame (oob.lso_mss != 0) sent to a NIC without that
 * LSO version, or whose frame exceeds the NIC's maximum, is cut into
 * segments, new packets the caller owns; the super-frame is left as it
 * was.  Every segment has the L2 header (tags included), the IP header
 * with its options or extension headers, and the TCP header with its
 * options copied unchanged (timestamps not incremented), then exactly
 * 'mss' payload bytes except the last, which has the rest.  Sequence
 * numbers advance by the payload before each segment; IPv4 ids are the
 * super-frame's plus the segment index (mod 2^16); FIN and PSH are set
 * only on the last segment, CWR only on the first; IPv4 total length and
 * IPv6 payload length describe the segment whatever the super-frame held
 * (LSOv1: the whole super-frame, LSOv2: 0); IPv4 header and TCP checksums
 * are computed per segment (the pseudo-header sum the stack left in the
 * TCP checksum field is ignored).  Segments carry the super-frame's OOB
 * metadata with lso_mss 0 and no checksum requests.
 *
 * WORK.  struct vsw_offload_work counts bytes checksummed, bytes copied
 * and segments produced, for the caller's CPU cost model.
 *
 * ERRORS.  ENOMEM when a segment cannot be allocated: segments already
 * made are freed, nothing leaks, the super-frame is unchanged.  EINVAL
 * for a frame that does not parse or is not what its requests say (LSO of
 * a non-TCP frame, a fragment, a checksum request for a protocol the frame
 * does not carry).  EMSGSIZE when more than the caller's maximum segments
 * would be needed.
 */
#ifndef VMSWITCH_OFFLOAD_H
#define VMSWITCH_OFFLOAD_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_pkt;

/* Segments vsw_offload_apply() may be asked to produce at most; a 64 KiB
 * super-frame needs an MSS of 256 bytes or more to fit. */
#define VSW_OFFLOAD_MAX_SEGMENTS 256

/* What the destination NIC does itself. */
struct vsw_offload_caps {
    bool csum_ipv4;                  /* IPv4 header, TCP/UDP over IPv4 */
    bool csum_ipv6;                  /* TCP/UDP over IPv6 */
    uint32_t lso_v1_max_bytes;       /* LSOv1 (IPv4), max frame; 0 = none */
    uint32_t lso_v2_max_bytes;       /* LSOv2 (IPv4/IPv6); 0 = none */
};

/* Work done by the software offloads (added to, never reset). */
struct vsw_offload_work {
    uint64_t bytes_checksummed;
    uint64_t bytes_copied;
    uint64_t segments;
};

/* True if 'pkt' needs software work for a NIC with '*caps': an LSO
 * super-frame the NIC cannot segment, or checksum requests it cannot
 * fill.  Cheap: peeks at the ethertype only. */
bool vsw_offload_needed(const struct vsw_pkt *pkt,
                        const struct vsw_offload_caps *caps);

/* Does the software offloads 'pkt' needs for '*caps'.  Checksums are done
 * in place and '*n_segs' is 0.  An LSO super-frame is segmented into
 * segs[0..*n_segs) (at most 'max_segs' new packets the caller frees) and
 * 'pkt' is unchanged.  Adds the work to '*work' (may be NULL).  Returns 0,
 * ENOMEM, EINVAL or EMSGSIZE; on error '*n_segs' is 0 and no segment is
 * left allocated. */
int vsw_offload_apply(struct vsw_pkt *pkt,
                      const struct vsw_offload_caps *caps,
                      struct vsw_pkt **segs, size_t max_segs,
                      size_t *n_segs, struct vsw_offload_work *work);

/* Segments LSO super-frame 'pkt' with its oob.lso_mss regardless of any
 * NIC; the rest as vsw_offload_apply(). */
int vsw_offload_segment(const struct vsw_pkt *pkt, struct vsw_pkt **segs,
                        size_t max_segs, size_t *n_segs,
                        struct vsw_offload_work *work);

/* Fills the checksums 'pkt' requests in place and clears the requests;
 * the rest as vsw_offload_apply(). */
int vsw_offload_csum(struct vsw_pkt *pkt, struct vsw_offload_work *work);

#ifdef __cplusplus
}
#endif

#endif /* VMSWITCH_OFFLOAD_H */
