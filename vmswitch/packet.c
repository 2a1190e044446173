/*
 * packet.c -- the packet buffer of packet.h: allocation as one block,
 * deep clones, headroom push and pull, and 802.1Q tag strip and insert
 * that move only the 12 MAC bytes.
 */
#include <config.h>
#include "vmswitch/packet.h"

#include <errno.h>
#include <string.h>

#include "vmswitch/alloc.h"
#include "vmswitch/wire.h"

static void
reset_offsets(struct vsw_pkt *pkt)
{
    pkt->l2_ofs = VSW_PKT_OFS_NONE;
    pkt->l3_ofs = VSW_PKT_OFS_NONE;
    pkt->l4_ofs = VSW_PKT_OFS_NONE;
    pkt->payload_ofs = VSW_PKT_OFS_NONE;
}

struct vsw_pkt *
vsw_pkt_alloc(size_t size, size_t headroom)
{
    struct vsw_pkt *pkt;
    size_t cap = size + headroom;

    if (cap < size || cap > SIZE_MAX - sizeof *pkt) {
        return NULL;
    }
    pkt = vsw_malloc(sizeof *pkt + cap);
    if (!pkt) {
        return NULL;
    }
    memset(pkt, 0, sizeof *pkt);
    pkt->buf = (uint8_t *) (pkt + 1);
    pkt->capacity = cap;
    pkt->headroom = headroom;
    pkt->len = 0;
    pkt->buf_external = false;
    reset_offsets(pkt);
    return pkt;
}

struct vsw_pkt *
vsw_pkt_from_bytes(const void *data, size_t len)
{
    struct vsw_pkt *pkt = vsw_pkt_alloc(len, VSW_PKT_DEFAULT_HEADROOM);

    if (pkt) {
        if (len) {
            memcpy(vsw_pkt_data(pkt), data, len);
        }
        pkt->len = len;
    }
    return pkt;
}

void
vsw_pkt_free(struct vsw_pkt *pkt)
{
    if (pkt) {
        if (pkt->buf_external) {
            vsw_free(pkt->buf);
        }
        vsw_free(pkt);
    }
}

struct vsw_pkt *
vsw_pkt_clone(const struct vsw_pkt *pkt)
{
    size_t headroom = pkt->headroom > VSW_PKT_DEFAULT_HEADROOM
                      ? pkt->headroom : VSW_PKT_DEFAULT_HEADROOM;
    struct vsw_pkt *copy = vsw_pkt_alloc(pkt->len, headroom);

    if (!copy) {
        return NULL;
    }
    if (pkt->len) {
        memcpy(vsw_pkt_data(copy), vsw_pkt_data_const(pkt), pkt->len);
    }
    copy->len = pkt->len;
    copy->l2_ofs = pkt->l2_ofs;
    copy->l3_ofs = pkt->l3_ofs;
    copy->l4_ofs = pkt->l4_ofs;
    copy->payload_ofs = pkt->payload_ofs;
    copy->oob = pkt->oob;
    return copy;
}

uint8_t *
vsw_pkt_push(struct vsw_pkt *pkt, size_t n)
{
    if (n > pkt->headroom) {
        return NULL;
    }
    pkt->headroom -= n;
    pkt->len += n;
    reset_offsets(pkt);
    return vsw_pkt_data(pkt);
}

uint8_t *
vsw_pkt_pull(struct vsw_pkt *pkt, size_t n)
{
    if (n > pkt->len) {
        return NULL;
    }
    pkt->headroom += n;
    pkt->len -= n;
    reset_offsets(pkt);
    return vsw_pkt_data(pkt);
}

uint8_t *
vsw_pkt_put(struct vsw_pkt *pkt, size_t n)
{
    uint8_t *tail;

    if (n > vsw_pkt_tailroom(pkt)) {
        return NULL;
    }
    tail = vsw_pkt_data(pkt) + pkt->len;
    pkt->len += n;
    return tail;
}

int
vsw_pkt_set_len(struct vsw_pkt *pkt, size_t len)
{
    if (len > pkt->capacity - pkt->headroom) {
        return EINVAL;
    }
    pkt->len = len;
    return 0;
}

int
vsw_pkt_strip_vlan(struct vsw_pkt *pkt)
{
    uint8_t *d = vsw_pkt_data(pkt);
    uint16_t tci;

    if (pkt->len < VSW_ETH_HEADER_LEN + VSW_VLAN_HEADER_LEN
        || vsw_get_be16(d + 12) != VSW_ETH_TYPE_VLAN) {
        return EINVAL;
    }
    tci = vsw_get_be16(d + 14);
    pkt->oob.vlan_present = true;
    pkt->oob.vlan_id = tci & VSW_VLAN_VID_MASK;
    pkt->oob.priority = (uint8_t) (tci >> VSW_VLAN_PCP_SHIFT);
    pkt->oob.dei = (tci & VSW_VLAN_DEI) != 0;
    memmove(d + VSW_VLAN_HEADER_LEN, d, 2 * VSW_ETH_ADDR_LEN);
    vsw_pkt_pull(pkt, VSW_VLAN_HEADER_LEN);
    return 0;
}

int
vsw_pkt_insert_vlan(struct vsw_pkt *pkt, uint16_t vid, uint8_t pcp)
{
    uint8_t *d;

    if (pkt->len < 2 * VSW_ETH_ADDR_LEN || vid > VSW_VLAN_VID_MASK
        || pcp > 7) {
        return EINVAL;
    }
    if (pkt->headroom < VSW_VLAN_HEADER_LEN) {
        /* Move to a new buffer with default headroom. */
        size_t cap = VSW_PKT_DEFAULT_HEADROOM + pkt->len;
        uint8_t *nb = vsw_malloc(cap);

        if (!nb) {
            return ENOMEM;
        }
        memcpy(nb + VSW_PKT_DEFAULT_HEADROOM, vsw_pkt_data(pkt), pkt->len);
        if (pkt->buf_external) {
            vsw_free(pkt->buf);
        }
        pkt->buf = nb;
        pkt->buf_external = true;
        pkt->capacity = cap;
        pkt->headroom = VSW_PKT_DEFAULT_HEADROOM;
    }
    d = vsw_pkt_push(pkt, VSW_VLAN_HEADER_LEN);
    memmove(d, d + VSW_VLAN_HEADER_LEN, 2 * VSW_ETH_ADDR_LEN);
    vsw_put_be16(d + 12, VSW_ETH_TYPE_VLAN);
    vsw_put_be16(d + 14, (uint16_t) (pcp << VSW_VLAN_PCP_SHIFT | vid));
    return 0;
}
