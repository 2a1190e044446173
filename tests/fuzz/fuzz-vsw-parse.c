/*
 * fuzz-vsw-parse.c -- a libFuzzer target over libvmswitch's frame code:
 * the parser (parse.h) on arbitrary bytes, with and without the LSO
 * length rule; checksum verification (csum.h) of whatever parsed; the
 * packet buffer's tag strip and insert (packet.h); and software offloads
 * (offload.h): checksum insertion and LSO segmentation with an MSS taken
 * from the input, every segment of which must parse and carry correct
 * IPv4 and TCP checksums.  Any broken invariant aborts.
 *
 * Built with -fsanitize=fuzzer by configure --enable-fuzzing; also linked
 * into tests/fuzz/run-corpus, which replays the seed corpus under
 * 'make check'.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmswitch/csum.h"
#include "vmswitch/offload.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/acl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_SEGS 64

/* Aborts unless 'pr', a successful parse of 'size' bytes, lies inside
 * them. */
static void
check_bounds(const struct vsw_parse_result *pr, size_t size)
{
    if (pr->l3_ofs > size || pr->l3_end > size
        || (pr->has_l3 && pr->l4_ofs > pr->l3_end)
        || (pr->has_l4 && pr->payload_ofs > pr->l3_end)) {
        abort();
    }
}

static void
check_parsed(const uint8_t *data, size_t size,
             const struct vsw_parse_result *pr)
{
    struct vsw_acl_match_input in;

    check_bounds(pr, size);
    if (pr->has_l3 && pr->key.ip_version == 4) {
        (void) vsw_csum_ipv4_verify(data + pr->l3_ofs, pr->l3_hdr_len);
    }
    (void) vsw_csum_l4_verify(data, size, pr);
    vsw_parse_acl_input(pr, &in);
    (void) vsw_parse_is_dhcp_server(pr);
    (void) vsw_parse_is_router_msg(pr);
}

static void
check_segments(struct vsw_pkt *pkt)
{
    struct vsw_pkt *segs[FUZZ_MAX_SEGS];
    struct vsw_offload_work w = { 0 };
    size_t n = 0;

    if (vsw_offload_segment(pkt, segs, FUZZ_MAX_SEGS, &n, &w)) {
        if (n) {
            abort();
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *d = vsw_pkt_data_const(segs[i]);
        size_t len = vsw_pkt_len(segs[i]);
        struct vsw_parse_result pr;

        /* A segment of at most 64 KiB of IP must be a valid frame. */
        if (len <= 65535) {
            if (vsw_parse_bytes(d, len, 0, &pr) || !pr.has_l4
                || vsw_csum_l4_verify(d, len, &pr)
                || (pr.key.ip_version == 4
                    && !vsw_csum_ipv4_verify(d + pr.l3_ofs,
                                             pr.l3_hdr_len))) {
                abort();
            }
        }
        vsw_pkt_free(segs[i]);
    }
    if (w.segments != n) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsw_parse_result pr;
    struct vsw_pkt *pkt;
    uint8_t ctl = size ? data[size / 2] : 0;       /* checksum requests */
    uint8_t mss_byte = size ? data[size - 1] : 0;  /* LSO MSS */

    if (vsw_parse_bytes(data, size, 0, &pr) == VSW_PARSE_OK) {
        check_parsed(data, size, &pr);
    }
    if (vsw_parse_bytes(data, size, VSW_PARSE_F_LSO, &pr) == VSW_PARSE_OK) {
        check_bounds(&pr, size);
    }

    pkt = vsw_pkt_from_bytes(data, size);
    if (!pkt) {
        return 0;
    }
    /* Tags: strip moves one out of band, insert puts one back. */
    if (vsw_pkt_strip_vlan(pkt) == 0
        && vsw_pkt_insert_vlan(pkt, pkt->oob.vlan_id, pkt->oob.priority)) {
        abort();
    }
    if (vsw_parse(pkt, &pr) == VSW_PARSE_OK) {
        check_bounds(&pr, vsw_pkt_len(pkt));
    }

    /* Software checksums, requests chosen by the control byte. */
    pkt->oob.tx_csum_ip = ctl & 1;
    pkt->oob.tx_csum_tcp = (ctl & 2) != 0;
    pkt->oob.tx_csum_udp = (ctl & 4) != 0;
    if (vsw_offload_csum(pkt, NULL) == 0 && vsw_parse(pkt, &pr) == 0
        && pr.has_l4 && (ctl & 6) && vsw_csum_l4_verify(
               vsw_pkt_data_const(pkt), vsw_pkt_len(pkt), &pr)) {
        abort();
    }

    /* LSO with an MSS from the input. */
    pkt->oob.lso_mss = 16 + (uint32_t) mss_byte * 16;
    pkt->oob.lso_version = 2;
    check_segments(pkt);

    vsw_pkt_free(pkt);
    return 0;
}
