/*
 * offload.c -- software checksum insertion and LSO segmentation (see
 * offload.h for the rules).  Called by the pipeline's egress stage
 * (pipeline.c) for destination NICs without the hardware offload; uses
 * the parser (parse.h) to find headers and csum.h to fill checksums.
 */
#include <config.h>
#include "vmswitch/offload.h"

#include <errno.h>
#include <string.h>

#include "vmswitch/csum.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/wire.h"

/* Returns the ethertype of 'pkt' after up to two tags, or 0. */
static uint16_t
peek_ethertype(const struct vsw_pkt *pkt)
{
    const uint8_t *d = vsw_pkt_data_const(pkt);
    size_t len = vsw_pkt_len(pkt);
    size_t ofs = 12;

    for (int i = 0; i < 3; i++) {
        uint16_t type;

        if (len < ofs + 2) {
            return 0;
        }
        type = vsw_get_be16(d + ofs);
        if (type != VSW_ETH_TYPE_VLAN && type != VSW_ETH_TYPE_SVLAN
            && type != VSW_ETH_TYPE_QINQ_OLD) {
            return type;
        }
        ofs += VSW_VLAN_HEADER_LEN;
    }
    return 0;
}

bool
vsw_offload_needed(const struct vsw_pkt *pkt,
                   const struct vsw_offload_caps *caps)
{
    const struct vsw_pkt_oob *oob = &pkt->oob;
    uint16_t type;

    if (oob->lso_mss) {
        uint32_t max = oob->lso_version == 2 ? caps->lso_v2_max_bytes
                                             : caps->lso_v1_max_bytes;
        if (oob->lso_version != 2
            && peek_ethertype(pkt) != VSW_ETH_TYPE_IPV4) {
            return true;               /* LSOv1 is IPv4 only */
        }
        return !max || vsw_pkt_len(pkt) > max;
    }
    if (!oob->tx_csum_ip && !oob->tx_csum_tcp && !oob->tx_csum_udp) {
        return false;
    }
    type = peek_ethertype(pkt);
    if (type == VSW_ETH_TYPE_IPV4) {
        return !caps->csum_ipv4;
    }
    if (type == VSW_ETH_TYPE_IPV6) {
        return !caps->csum_ipv6;
    }
    return true;
}

int
vsw_offload_csum(struct vsw_pkt *pkt, struct vsw_offload_work *work)
{
    struct vsw_pkt_oob *oob = &pkt->oob;
    struct vsw_parse_result pr;
    uint8_t *d = vsw_pkt_data(pkt);
    uint64_t bytes = 0;

    if (vsw_parse(pkt, &pr)) {
        return EINVAL;
    }
    /* Check every request before changing a byte. */
    if ((oob->tx_csum_ip && pr.key.ip_version != 4)
        || (oob->tx_csum_tcp
            && (!pr.has_l4 || pr.key.ip_proto != VSW_IPPROTO_TCP
                || pr.key.ip_frag))
        || (oob->tx_csum_udp
            && (!pr.has_l4 || pr.key.ip_proto != VSW_IPPROTO_UDP
                || pr.key.ip_frag))) {
        return EINVAL;
    }
    if (oob->tx_csum_ip) {
        vsw_csum_ipv4_fill(d + pr.l3_ofs, pr.l3_hdr_len);
        bytes += pr.l3_hdr_len;
    }
    if ((oob->tx_csum_tcp || oob->tx_csum_udp)
        && vsw_csum_l4_fill(d, vsw_pkt_len(pkt), &pr, &bytes)) {
        return EINVAL;                 /* not reached: checked above */
    }
    oob->tx_csum_ip = oob->tx_csum_tcp = oob->tx_csum_udp = false;
    if (work) {
        work->bytes_checksummed += bytes;
    }
    return 0;
}

int
vsw_offload_segment(const struct vsw_pkt *pkt, struct vsw_pkt **segs,
                    size_t max_segs, size_t *n_segs,
                    struct vsw_offload_work *work)
{
    const uint8_t *d = vsw_pkt_data_const(pkt);
    struct vsw_parse_result pr;
    size_t mss = pkt->oob.lso_mss;
    size_t hdr, payload, n, l3, l4;
    uint64_t checksummed = 0, copied = 0;
    uint32_t seq0;
    uint16_t id0 = 0;
    uint8_t flags0;
    bool v4;

    *n_segs = 0;
    if (!mss || vsw_parse_bytes(d, vsw_pkt_len(pkt), VSW_PARSE_F_LSO, &pr)
        || !pr.has_l4 || pr.key.ip_proto != VSW_IPPROTO_TCP
        || pr.key.ip_frag) {
        return EINVAL;
    }
    v4 = pr.key.ip_version == 4;
    l3 = pr.l3_ofs;
    l4 = pr.l4_ofs;
    hdr = pr.payload_ofs;
    payload = pr.l3_end - hdr;
    n = payload ? (payload + mss - 1) / mss : 1;
    if (n > max_segs) {
        return EMSGSIZE;
    }
    seq0 = vsw_get_be32(d + l4 + 4);
    flags0 = d[l4 + 13];
    if (v4) {
        id0 = vsw_get_be16(d + l3 + 4);
    }

    for (size_t i = 0; i < n; i++) {
        size_t off = i * mss;
        size_t plen = payload - off < mss ? payload - off : mss;
        struct vsw_parse_result spr = pr;
        struct vsw_pkt *s = vsw_pkt_alloc(hdr + plen,
                                          VSW_PKT_DEFAULT_HEADROOM);
        uint8_t *sd;
        uint8_t f = flags0;

        if (!s) {
            for (size_t j = 0; j < i; j++) {
                vsw_pkt_free(segs[j]);
                segs[j] = NULL;
            }
            return ENOMEM;
        }
        sd = vsw_pkt_data(s);
        memcpy(sd, d, hdr);
        memcpy(sd + hdr, d + hdr + off, plen);
        s->len = hdr + plen;
        s->oob = pkt->oob;
        s->oob.lso_mss = 0;
        s->oob.lso_version = 0;
        s->oob.tx_csum_ip = s->oob.tx_csum_tcp = s->oob.tx_csum_udp = false;
        copied += hdr + plen;

        if (v4) {
            vsw_put_be16(sd + l3 + 2, (uint16_t) (hdr + plen - l3));
            vsw_put_be16(sd + l3 + 4, (uint16_t) (id0 + i));
            vsw_csum_ipv4_fill(sd + l3, pr.l3_hdr_len);
            checksummed += pr.l3_hdr_len;
        } else {
            vsw_put_be16(sd + l3 + 4, (uint16_t) (hdr + plen - l3
                                                  - VSW_IPV6_HEADER_LEN));
        }
        vsw_put_be32(sd + l4 + 4, (uint32_t) (seq0 + off));
        if (i + 1 < n) {
            f &= (uint8_t) ~(VSW_TCP_FIN | VSW_TCP_PSH);
        }
        if (i > 0) {
            f &= (uint8_t) ~VSW_TCP_CWR;
        }
        sd[l4 + 13] = f;
        spr.l3_end = hdr + plen;
        vsw_csum_l4_fill(sd, s->len, &spr, &checksummed);
        segs[i] = s;
    }
    *n_segs = n;
    if (work) {
        work->bytes_checksummed += checksummed;
        work->bytes_copied += copied;
        work->segments += n;
    }
    return 0;
}

int
vsw_offload_apply(struct vsw_pkt *pkt, const struct vsw_offload_caps *caps,
                  struct vsw_pkt **segs, size_t max_segs, size_t *n_segs,
                  struct vsw_offload_work *work)
{
    (void) caps;
    *n_segs = 0;
    if (pkt->oob.lso_mss) {
        return vsw_offload_segment(pkt, segs, max_segs, n_segs, work);
    }
    return vsw_offload_csum(pkt, work);
}
