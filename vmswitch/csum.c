/*
 * csum.c -- the Internet checksum helpers of csum.h.  The software
 * offloads (offload.c) use them to fill checksums a NIC cannot; tests and
 * the fuzz target use the verify side.
 */
#include <config.h>
#include "vmswitch/csum.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "vmswitch/parse.h"
#include "vmswitch/wire.h"

/* HOW IT WORKS.  The one's-complement sum of 16-bit words equals the
 * folded one's-complement sum of 32- or 64-bit words (the end-around carry
 * makes the word size irrelevant), and it does not depend on byte order
 * but for a swap of the two bytes of the folded result (RFC 1071, section
 * 2: "byte order independence").  So the loop adds the buffer's 32-bit
 * words as the machine stores them, 16 bytes a round into two 64-bit
 * accumulators (no carry to handle for any buffer under 16 GiB), folds to
 * 16 bits, and swaps the bytes on a little-endian machine to get the sum
 * of big-endian words the callers chain.  The folded sum is non-zero
 * unless every word is zero, whatever the word size, so the result folds
 * to exactly what a word-by-word big-endian sum would. */
static bool
little_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;

    memcpy(&first, &one, 1);
    return first == 1;
}

uint32_t
vsw_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t a0 = 0, a1 = 0, acc;
    uint32_t w32;
    uint16_t w16;

    while (len >= 16) {
        uint64_t x, y;

        memcpy(&x, p, 8);
        memcpy(&y, p + 8, 8);
        a0 += (x & 0xffffffffu) + (x >> 32);
        a1 += (y & 0xffffffffu) + (y >> 32);
        p += 16;
        len -= 16;
    }
    while (len >= 4) {
        memcpy(&w32, p, 4);
        a0 += w32;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        memcpy(&w16, p, 2);
        a0 += w16;
        p += 2;
        len -= 2;
    }
    acc = a0 + a1;
    while (acc >> 16) {
        acc = (acc & 0xffffu) + (acc >> 16);
    }
    if (little_endian()) {
        acc = ((acc & 0xffu) << 8) | (acc >> 8);
    }
    if (len) {                      /* an odd byte: the high half of a word */
        acc += (uint32_t) p[0] << 8;
    }
    acc += sum;
    while (acc >> 32) {
        acc = (acc & 0xffffffffu) + (acc >> 32);
    }
    return (uint32_t) acc;
}

uint16_t
vsw_csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) sum;
}

uint16_t
vsw_csum(const void *data, size_t len)
{
    return vsw_csum_finish(vsw_csum_add(0, data, len));
}

uint16_t
vsw_csum_update16(uint16_t csum, uint16_t old, uint16_t new_)
{
    uint32_t sum = (uint16_t) ~csum;

    sum += (uint16_t) ~old;
    sum += new_;
    return vsw_csum_finish(sum);
}

uint16_t
vsw_csum_update32(uint16_t csum, uint32_t old, uint32_t new_)
{
    csum = vsw_csum_update16(csum, (uint16_t) (old >> 16),
                             (uint16_t) (new_ >> 16));
    return vsw_csum_update16(csum, (uint16_t) old, (uint16_t) new_);
}

uint32_t
vsw_csum_pseudo_ipv4(const uint8_t src[4], const uint8_t dst[4],
                     uint8_t proto, uint32_t l4_len)
{
    uint32_t sum = vsw_csum_add(0, src, 4);

    sum = vsw_csum_add(sum, dst, 4);
    return vsw_csum_add(sum, (const uint8_t[]) {
        0, proto, (uint8_t) (l4_len >> 8), (uint8_t) l4_len }, 4)
           + (l4_len >> 16);
}

uint32_t
vsw_csum_pseudo_ipv6(const uint8_t src[16], const uint8_t dst[16],
                     uint8_t proto, uint32_t l4_len)
{
    uint8_t tail[8];

    vsw_put_be32(tail, l4_len);
    tail[4] = tail[5] = tail[6] = 0;
    tail[7] = proto;
    return vsw_csum_add(vsw_csum_add(vsw_csum_add(0, src, 16), dst, 16),
                        tail, 8);
}

void
vsw_csum_ipv4_fill(uint8_t *ip, size_t hdr_len)
{
    vsw_put_be16(ip + 10, 0);
    vsw_put_be16(ip + 10, vsw_csum(ip, hdr_len));
}

bool
vsw_csum_ipv4_verify(const uint8_t *ip, size_t hdr_len)
{
    return vsw_csum(ip, hdr_len) == 0;
}

/* Finds the transport bytes of a parsed frame for a checksum: offset of
 * the checksum field in '*field', the length in '*l4_len' and the
 * pseudo-header sum in '*sum'.  Returns 0 or EINVAL. */
static int
l4_span(const uint8_t *data, size_t len, const struct vsw_parse_result *pr,
        size_t *field, size_t *l4_len, uint32_t *sum)
{
    const struct vsw_flow_key *k = &pr->key;
    const uint8_t *ip = data + pr->l3_ofs;

    if (!pr->has_l4 || k->ip_frag || pr->l3_end > len
        || pr->l4_ofs > pr->l3_end) {
        return EINVAL;
    }
    if (k->ip_proto == VSW_IPPROTO_TCP) {
        *field = pr->l4_ofs + 16;
        *l4_len = pr->l3_end - pr->l4_ofs;
    } else if (k->ip_proto == VSW_IPPROTO_UDP) {
        *field = pr->l4_ofs + 6;
        *l4_len = vsw_get_be16(data + pr->l4_ofs + 4);
        if (*l4_len > pr->l3_end - pr->l4_ofs) {
            return EINVAL;
        }
    } else {
        return EINVAL;
    }
    if (*field + 2 > pr->l3_end) {
        return EINVAL;
    }
    if (k->ip_version == 4) {
        *sum = vsw_csum_pseudo_ipv4(ip + 12, ip + 16, k->ip_proto,
                                    (uint32_t) *l4_len);
    } else if (k->ip_version == 6) {
        *sum = vsw_csum_pseudo_ipv6(ip + 8, ip + 24, k->ip_proto,
                                    (uint32_t) *l4_len);
    } else {
        return EINVAL;
    }
    return 0;
}

int
vsw_csum_l4_fill(uint8_t *data, size_t len,
                 const struct vsw_parse_result *pr, uint64_t *bytes)
{
    size_t field, l4_len;
    uint32_t sum;
    uint16_t c;
    int error = l4_span(data, len, pr, &field, &l4_len, &sum);

    if (error) {
        return error;
    }
    vsw_put_be16(data + field, 0);
    c = vsw_csum_finish(vsw_csum_add(sum, data + pr->l4_ofs, l4_len));
    if (c == 0 && pr->key.ip_proto == VSW_IPPROTO_UDP) {
        c = 0xffff;
    }
    vsw_put_be16(data + field, c);
    if (bytes) {
        *bytes += l4_len;
    }
    return 0;
}

int
vsw_csum_l4_verify(const uint8_t *data, size_t len,
                   const struct vsw_parse_result *pr)
{
    size_t field, l4_len;
    uint32_t sum;
    int error = l4_span(data, len, pr, &field, &l4_len, &sum);

    if (error) {
        return error;
    }
    if (pr->key.ip_proto == VSW_IPPROTO_UDP
        && vsw_get_be16(data + field) == 0) {
        return pr->key.ip_version == 4 ? 0 : EBADMSG;
    }
    sum = vsw_csum_add(sum, data + pr->l4_ofs, l4_len);
    return vsw_csum_finish(sum) == 0 ? 0 : EBADMSG;
}
