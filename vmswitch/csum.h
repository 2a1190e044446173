/*
 * csum.h -- Internet checksums (RFC 1071) for libvmswitch: sums, folding,
 * incremental update (RFC 1624), IPv4 and IPv6 pseudo-headers, and fill or
 * verify of IPv4 header, TCP and UDP checksums of a parsed frame.
 *
 * NUMBERS.  A sum is the one's-complement sum of the data taken as
 * big-endian 16-bit words, kept unfolded in a uint32_t.  A checksum is a
 * host-order uint16_t whose big-endian encoding (vsw_put_be16()) is what
 * goes on the wire; RFC 1071's example bytes 00 01 f2 03 f4 f5 f6 f7 sum
 * to 0xddf2 and have checksum 0x220d.
 *
 * CHUNKS.  vsw_csum_add() may be chained over several buffers as long as
 * every buffer but the last has an even length.
 *
 * These functions never allocate and never read outside what they are
 * given.
 */
#ifndef VMSWITCH_CSUM_H
#define VMSWITCH_CSUM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_parse_result;

/* Adds the 'len' bytes at 'data' to 'sum' and returns the new sum. */
uint32_t vsw_csum_add(uint32_t sum, const void *data, size_t len);

/* Folds 'sum' to 16 bits (not complemented). */
uint16_t vsw_csum_fold(uint32_t sum);

/* Returns the checksum for 'sum': its folded one's complement. */
static inline uint16_t
vsw_csum_finish(uint32_t sum)
{
    return (uint16_t) ~vsw_csum_fold(sum);
}

/* Returns the checksum of the 'len' bytes at 'data'. */
uint16_t vsw_csum(const void *data, size_t len);

/* Returns checksum 'csum' updated for a 16-bit field changing from 'old'
 * to 'new' (RFC 1624, eqn. 3). */
uint16_t vsw_csum_update16(uint16_t csum, uint16_t old, uint16_t new_);

/* The same for a 32-bit field. */
uint16_t vsw_csum_update32(uint16_t csum, uint32_t old, uint32_t new_);

/* Returns the sum of the IPv4 pseudo-header for addresses 'src' and 'dst'
 * (4 bytes each, network order), protocol 'proto' and transport length
 * 'l4_len'. */
uint32_t vsw_csum_pseudo_ipv4(const uint8_t src[4], const uint8_t dst[4],
                              uint8_t proto, uint32_t l4_len);

/* The same for IPv6 (16-byte addresses). */
uint32_t vsw_csum_pseudo_ipv6(const uint8_t src[16], const uint8_t dst[16],
                              uint8_t proto, uint32_t l4_len);

/* Computes and stores the checksum of the IPv4 header of 'hdr_len' bytes
 * at 'ip' (IHL * 4, at least 20). */
void vsw_csum_ipv4_fill(uint8_t *ip, size_t hdr_len);

/* True if the IPv4 header of 'hdr_len' bytes at 'ip' has a correct
 * checksum. */
bool vsw_csum_ipv4_verify(const uint8_t *ip, size_t hdr_len);

/* Computes and stores the TCP or UDP checksum of frame 'data' of 'len'
 * bytes parsed as '*pr'; UDP over IPv4 sends a computed 0 as 0xffff.  The
 * transport data runs from pr->l4_ofs to pr->l3_end.  Adds the bytes summed
 * to '*bytes' if it is not NULL.  Returns 0, or EINVAL if the frame is not
 * a complete (unfragmented) TCP or UDP datagram. */
int vsw_csum_l4_fill(uint8_t *data, size_t len,
                     const struct vsw_parse_result *pr, uint64_t *bytes);

/* Checks the TCP or UDP checksum of a parsed frame.  Returns 0 if it is
 * correct (or, for UDP over IPv4, absent: 0), EBADMSG if wrong, EINVAL if
 * the frame is not a complete TCP or UDP datagram. */
int vsw_csum_l4_verify(const uint8_t *data, size_t len,
                       const struct vsw_parse_result *pr);

#ifdef __cplusplus
}
#endif

#endif /* VMSWITCH_CSUM_H */
