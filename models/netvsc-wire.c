/*
 * netvsc-wire.c -- RNDIS data messages and NVSP message framing shared by
 * the two ends of the synthetic NIC (netvsc-wire.h): a frame's metadata
 * becomes PPI records on the way out and comes back from them on the way
 * in; every offset and length read from the wire is checked first.
 */
#include "config.h"

#include "models/netvsc-wire.h"

#include <string.h>

#include "sim/log.h"
#include "vmswitch/parse.h"

/* --- Writing --------------------------------------------------------------- */

/* Appends one PPI record of 'type' with value 'value' at 'p'; returns its
 * size. */
static uint32_t
put_ppi(uint8_t *p, uint32_t type, uint32_t value)
{
    struct netvsc_rndis_ppi ppi;

    netvsc_put_le32(&ppi.size, (uint32_t) NETVSC_PPI_SIZE);
    netvsc_put_le32(&ppi.type, type);       /* internal bit clear */
    netvsc_put_le32(&ppi.ppi_offset, (uint32_t) sizeof ppi);
    memcpy(p, &ppi, sizeof ppi);
    netvsc_put_le32(p + sizeof ppi, value);
    return (uint32_t) NETVSC_PPI_SIZE;
}

/* The IP version (0, 4, 6) and TCP/UDP header offset of a frame, for the
 * checksum and LSO PPIs (Linux takes them from the skb; here from the
 * bytes). */
static void
frame_l3_l4(const struct vsw_pkt *pkt, uint8_t *ip_version, uint32_t *l4_ofs)
{
    struct vsw_parse_result pr;

    vsw_parse_bytes(vsw_pkt_data_const(pkt), vsw_pkt_len(pkt),
                    pkt->oob.lso_mss ? VSW_PARSE_F_LSO : 0, &pr);
    *ip_version = pr.has_l3 ? pr.key.ip_version : 0;
    *l4_ofs = pr.has_l3 ? pr.l4_ofs : 0;
}

static uint32_t
csum_tx_value(const struct vsw_pkt *pkt)
{
    uint8_t ipv;
    uint32_t l4, v = 0;

    frame_l3_l4(pkt, &ipv, &l4);
    if (ipv == 4) {
        v |= NETVSC_CSUM_TX_IS_IPV4;
    } else if (ipv == 6) {
        v |= NETVSC_CSUM_TX_IS_IPV6;
    }
    if (pkt->oob.tx_csum_tcp) {
        v |= NETVSC_CSUM_TX_TCP;
    }
    if (pkt->oob.tx_csum_udp) {
        v |= NETVSC_CSUM_TX_UDP;
    }
    if (pkt->oob.tx_csum_ip) {
        v |= NETVSC_CSUM_TX_IP_HEADER;
    }
    return v | (l4 & 0x3FFu) << NETVSC_CSUM_TX_TCP_HDR_OFS_SHIFT;
}

static uint32_t
lso_tx_value(const struct vsw_pkt *pkt)
{
    uint8_t ipv;
    uint32_t l4, v;

    frame_l3_l4(pkt, &ipv, &l4);
    v = (pkt->oob.lso_mss & NETVSC_LSO_MSS_MASK)
        | (l4 & 0x3FFu) << NETVSC_LSO_TCP_HDR_OFS_SHIFT;
    if (pkt->oob.lso_version != 1) {
        v |= NETVSC_LSO_TYPE_V2;
        if (ipv == 6) {
            v |= NETVSC_LSO_IPV6;
        }
    }
    return v;
}

static uint32_t
csum_rx_bits(enum vsw_csum_rx r, uint32_t ok, uint32_t failed)
{
    return r == VSW_CSUM_RX_PASSED ? ok : r == VSW_CSUM_RX_FAILED ? failed : 0;
}

uint32_t
netvsc_rndis_data_header(uint8_t *out, const struct vsw_pkt *pkt,
                         enum netvsc_dir dir, uint32_t pad)
{
    const struct vsw_pkt_oob *oob = &pkt->oob;
    uint8_t *ppis = out + NETVSC_RNDIS_PKT_HDR_SIZE;
    uint32_t ppi_len = 0, hdr_len;
    struct netvsc_rndis_hdr h;
    struct netvsc_rndis_packet rp;

    /* PPIs in the order Linux writes them: VLAN, then LSO or checksum. */
    if (oob->vlan_present) {
        ppi_len += put_ppi(ppis + ppi_len, NETVSC_PPI_IEEE_8021Q,
                           netvsc_ppi_vlan_encode(oob->vlan_id, oob->priority,
                                                  oob->dei));
    }
    if (dir == NETVSC_DIR_TO_HOST) {
        if (oob->lso_mss) {
            ppi_len += put_ppi(ppis + ppi_len, NETVSC_PPI_TCP_LARGESEND,
                               lso_tx_value(pkt));
        } else if (oob->tx_csum_ip || oob->tx_csum_tcp || oob->tx_csum_udp) {
            ppi_len += put_ppi(ppis + ppi_len, NETVSC_PPI_TCPIP_CHKSUM,
                               csum_tx_value(pkt));
        }
    } else {
        uint32_t v = csum_rx_bits(oob->rx_csum_tcp, NETVSC_CSUM_RX_TCP_SUCCEEDED,
                                  NETVSC_CSUM_RX_TCP_FAILED)
                     | csum_rx_bits(oob->rx_csum_udp, NETVSC_CSUM_RX_UDP_SUCCEEDED,
                                    NETVSC_CSUM_RX_UDP_FAILED)
                     | csum_rx_bits(oob->rx_csum_ip, NETVSC_CSUM_RX_IP_SUCCEEDED,
                                    NETVSC_CSUM_RX_IP_FAILED);
        if (v) {
            ppi_len += put_ppi(ppis + ppi_len, NETVSC_PPI_TCPIP_CHKSUM, v);
        }
        if (oob->rss_hash) {
            ppi_len += put_ppi(ppis + ppi_len, NETVSC_PPI_NBL_HASH_VALUE,
                               oob->rss_hash);
        }
    }
    hdr_len = (uint32_t) NETVSC_RNDIS_PKT_HDR_SIZE + ppi_len;
    SIM_ASSERT(hdr_len <= NETVSC_RNDIS_DATA_HDR_MAX);

    netvsc_put_le32(&h.msg_type, NETVSC_RNDIS_MSG_PACKET);
    netvsc_put_le32(&h.msg_len, hdr_len + (uint32_t) vsw_pkt_len(pkt) + pad);
    memcpy(out, &h, sizeof h);

    memset(&rp, 0, sizeof rp);
    netvsc_put_le32(&rp.data_offset,
                    (uint32_t) sizeof(struct netvsc_rndis_packet) + ppi_len);
    netvsc_put_le32(&rp.data_len, (uint32_t) vsw_pkt_len(pkt));
    netvsc_put_le32(&rp.per_pkt_info_offset,
                    (uint32_t) sizeof(struct netvsc_rndis_packet));
    netvsc_put_le32(&rp.per_pkt_info_len, ppi_len);
    memcpy(out + sizeof h, &rp, sizeof rp);
    return hdr_len;
}

/* --- Reading --------------------------------------------------------------- */

static enum vsw_csum_rx
csum_rx_result(uint32_t v, uint32_t ok, uint32_t failed)
{
    return (v & failed) ? VSW_CSUM_RX_FAILED
           : (v & ok) ? VSW_CSUM_RX_PASSED : VSW_CSUM_RX_NOT_CHECKED;
}

/* Applies one PPI value to '*d'; false if this direction does not use
 * that type. */
static bool
apply_ppi(struct netvsc_rndis_data *d, enum netvsc_dir dir, uint32_t type,
          uint32_t v)
{
    struct vsw_pkt_oob *oob = &d->oob;

    switch (type) {
    case NETVSC_PPI_IEEE_8021Q:
        oob->vlan_present = true;
        oob->priority = (uint8_t) (v & 7u);
        oob->dei = (v >> 3) & 1u;
        oob->vlan_id = (uint16_t) ((v >> 4) & 0xFFFu);
        return true;
    case NETVSC_PPI_TCPIP_CHKSUM:
        if (dir == NETVSC_DIR_TO_HOST) {
            oob->tx_csum_tcp = (v & NETVSC_CSUM_TX_TCP) != 0;
            oob->tx_csum_udp = (v & NETVSC_CSUM_TX_UDP) != 0;
            oob->tx_csum_ip = (v & NETVSC_CSUM_TX_IP_HEADER) != 0;
        } else {
            oob->rx_csum_tcp = csum_rx_result(v, NETVSC_CSUM_RX_TCP_SUCCEEDED,
                                              NETVSC_CSUM_RX_TCP_FAILED);
            oob->rx_csum_udp = csum_rx_result(v, NETVSC_CSUM_RX_UDP_SUCCEEDED,
                                              NETVSC_CSUM_RX_UDP_FAILED);
            oob->rx_csum_ip = csum_rx_result(v, NETVSC_CSUM_RX_IP_SUCCEEDED,
                                             NETVSC_CSUM_RX_IP_FAILED);
        }
        return true;
    case NETVSC_PPI_TCP_LARGESEND:
        if (dir != NETVSC_DIR_TO_HOST) {
            return false;
        }
        oob->lso_mss = v & NETVSC_LSO_MSS_MASK;
        oob->lso_version = (v & NETVSC_LSO_TYPE_V2) ? 2 : 1;
        return true;
    case NETVSC_PPI_NBL_HASH_VALUE:
        oob->rss_hash = v;
        return true;
    default:
        return false;
    }
}

enum netvsc_rndis_error
netvsc_rndis_parse_data(const uint8_t *msg, uint32_t avail, enum netvsc_dir dir,
                        struct netvsc_rndis_data *out)
{
    struct netvsc_rndis_hdr h;
    struct netvsc_rndis_packet rp;
    uint32_t msg_len, body, d_ofs, d_len, p_ofs, p_len;

    memset(out, 0, sizeof *out);
    if (avail < sizeof h) {
        return NETVSC_RNDIS_ERR_SHORT;
    }
    memcpy(&h, msg, sizeof h);
    if (netvsc_get_le32(&h.msg_type) != NETVSC_RNDIS_MSG_PACKET) {
        return NETVSC_RNDIS_ERR_TYPE;
    }
    msg_len = netvsc_get_le32(&h.msg_len);
    if (msg_len < NETVSC_RNDIS_PKT_HDR_SIZE) {
        return NETVSC_RNDIS_ERR_LENGTH;
    }
    if (msg_len > avail) {
        return NETVSC_RNDIS_ERR_SHORT;
    }
    memcpy(&rp, msg + sizeof h, sizeof rp);
    body = msg_len - (uint32_t) sizeof h;     /* offsets count from here */

    d_ofs = netvsc_get_le32(&rp.data_offset);
    d_len = netvsc_get_le32(&rp.data_len);
    if (d_len == 0 || d_ofs < sizeof rp || d_ofs > body || d_len > body - d_ofs) {
        return NETVSC_RNDIS_ERR_DATA;
    }

    p_ofs = netvsc_get_le32(&rp.per_pkt_info_offset);
    p_len = netvsc_get_le32(&rp.per_pkt_info_len);
    if (p_len) {
        if (p_ofs < sizeof rp || p_ofs > body || p_len > body - p_ofs) {
            return NETVSC_RNDIS_ERR_PPI;
        }
        const uint8_t *p = msg + sizeof h + p_ofs;
        uint32_t left = p_len;
        while (left) {
            struct netvsc_rndis_ppi ppi;
            uint32_t size, type, v_ofs;

            if (left < sizeof ppi) {
                return NETVSC_RNDIS_ERR_PPI;
            }
            memcpy(&ppi, p, sizeof ppi);
            size = netvsc_get_le32(&ppi.size);
            type = netvsc_get_le32(&ppi.type);
            v_ofs = netvsc_get_le32(&ppi.ppi_offset);
            if (size < sizeof ppi || size > left || v_ofs < sizeof ppi
                || v_ofs > size || size - v_ofs < 4) {
                return NETVSC_RNDIS_ERR_PPI;
            }
            out->n_ppi++;
            if ((type & 0x80000000u)
                || !apply_ppi(out, dir, type, netvsc_get_le32(p + v_ofs))) {
                out->n_ppi_unknown++;
            }
            p += size;
            left -= size;
        }
    }

    out->msg_len = msg_len;
    out->data_ofs = (uint32_t) sizeof h + d_ofs;
    out->data_len = d_len;
    return NETVSC_RNDIS_OK;
}

/* --- NVSP ------------------------------------------------------------------ */

void
netvsc_nvsp_encode(uint8_t out[sizeof(struct netvsc_nvsp_msg)], uint32_t type,
                   const void *body, size_t body_len)
{
    SIM_ASSERT(body_len <= NETVSC_NVSP_BODY_SIZE);
    memset(out, 0, sizeof(struct netvsc_nvsp_msg));
    netvsc_put_le32(out, type);
    if (body_len) {
        memcpy(out + sizeof(struct netvsc_nvsp_hdr), body, body_len);
    }
}
