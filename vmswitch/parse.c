/*
 * parse.c -- the frame parser of parse.h.  One pass from the Ethernet
 * header inwards; every read is preceded by a bounds check against the
 * frame length or, inside an IP datagram, against the datagram's end.
 * Used by the pipeline (pipeline.c) at ingress and by the software
 * offloads (offload.c) to find the headers they rewrite.
 */
#include <config.h>
#include "vmswitch/parse.h"

#include <string.h>

#include "vmswitch/acl.h"
#include "vmswitch/packet.h"
#include "vmswitch/wire.h"

static const char *const error_names[VSW_PARSE_N_ERRORS] = {
    [VSW_PARSE_OK] = "ok",
    [VSW_PARSE_ERR_ETH_TRUNCATED] = "eth-truncated",
    [VSW_PARSE_ERR_VLAN_TRUNCATED] = "vlan-truncated",
    [VSW_PARSE_ERR_TOO_MANY_TAGS] = "too-many-tags",
    [VSW_PARSE_ERR_ARP_TRUNCATED] = "arp-truncated",
    [VSW_PARSE_ERR_IPV4_TRUNCATED] = "ipv4-truncated",
    [VSW_PARSE_ERR_IPV4_BAD_VERSION] = "ipv4-bad-version",
    [VSW_PARSE_ERR_IPV4_BAD_IHL] = "ipv4-bad-ihl",
    [VSW_PARSE_ERR_IPV4_HDR_TRUNCATED] = "ipv4-header-truncated",
    [VSW_PARSE_ERR_IPV4_BAD_TOTAL_LEN] = "ipv4-bad-total-length",
    [VSW_PARSE_ERR_IPV4_BAD_OPTIONS] = "ipv4-bad-options",
    [VSW_PARSE_ERR_IPV4_BAD_FRAGMENT] = "ipv4-bad-fragment",
    [VSW_PARSE_ERR_IPV6_TRUNCATED] = "ipv6-truncated",
    [VSW_PARSE_ERR_IPV6_BAD_VERSION] = "ipv6-bad-version",
    [VSW_PARSE_ERR_IPV6_BAD_PAYLOAD_LEN] = "ipv6-bad-payload-length",
    [VSW_PARSE_ERR_IPV6_EXT_TRUNCATED] = "ipv6-ext-truncated",
    [VSW_PARSE_ERR_IPV6_HOPOPTS_NOT_FIRST] = "ipv6-hopopts-not-first",
    [VSW_PARSE_ERR_IPV6_TOO_MANY_EXT] = "ipv6-too-many-ext",
    [VSW_PARSE_ERR_TCP_TRUNCATED] = "tcp-truncated",
    [VSW_PARSE_ERR_TCP_BAD_DOFF] = "tcp-bad-data-offset",
    [VSW_PARSE_ERR_TCP_HDR_TRUNCATED] = "tcp-header-truncated",
    [VSW_PARSE_ERR_TCP_BAD_OPTIONS] = "tcp-bad-options",
    [VSW_PARSE_ERR_UDP_TRUNCATED] = "udp-truncated",
    [VSW_PARSE_ERR_UDP_BAD_LEN] = "udp-bad-length",
    [VSW_PARSE_ERR_ICMP_TRUNCATED] = "icmp-truncated",
    [VSW_PARSE_ERR_ICMPV6_TRUNCATED] = "icmpv6-truncated",
};

const char *
vsw_parse_error_name(enum vsw_parse_error e)
{
    return (unsigned) e < VSW_PARSE_N_ERRORS ? error_names[e] : "unknown";
}

/* Writes IPv4 address 'a' as ::ffff:a.b.c.d into 'out'. */
static void
ipv4_mapped(uint8_t out[16], const uint8_t a[4])
{
    memset(out, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    memcpy(out + 12, a, 4);
}

/* Checks a type-length-value option list of 'len' bytes at 'p' in which
 * kind 0 ends the list and kind 1 is one byte (IPv4 and TCP options). */
static bool
options_ok(const uint8_t *p, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint8_t kind = p[i];
        if (kind == 0) {
            return true;
        }
        if (kind == 1) {
            i++;
            continue;
        }
        if (len - i < 2 || p[i + 1] < 2 || p[i + 1] > len - i) {
            return false;
        }
        i += p[i + 1];
    }
    return true;
}

/* Parses the transport header at pr->l4_ofs, which must end by
 * pr->l3_end, for IP version 'ver' and protocol 'proto'. */
static enum vsw_parse_error
parse_l4(const uint8_t *d, struct vsw_parse_result *pr, uint8_t ver,
         uint8_t proto)
{
    struct vsw_flow_key *k = &pr->key;
    size_t l4 = pr->l4_ofs;
    size_t avail = pr->l3_end - l4;
    const uint8_t *p = d + l4;
    size_t hl;

    switch (proto) {
    case VSW_IPPROTO_TCP:
        if (avail < VSW_TCP_HEADER_LEN) {
            return VSW_PARSE_ERR_TCP_TRUNCATED;
        }
        hl = (size_t) (p[12] >> 4) * 4;
        if (hl < VSW_TCP_HEADER_LEN) {
            return VSW_PARSE_ERR_TCP_BAD_DOFF;
        }
        if (hl > avail) {
            return VSW_PARSE_ERR_TCP_HDR_TRUNCATED;
        }
        if (!options_ok(p + VSW_TCP_HEADER_LEN, hl - VSW_TCP_HEADER_LEN)) {
            return VSW_PARSE_ERR_TCP_BAD_OPTIONS;
        }
        k->has_ports = true;
        k->src_port = vsw_get_be16(p);
        k->dst_port = vsw_get_be16(p + 2);
        k->tcp_flags = p[13];
        break;

    case VSW_IPPROTO_UDP: {
        uint16_t ulen;

        if (avail < VSW_UDP_HEADER_LEN) {
            return VSW_PARSE_ERR_UDP_TRUNCATED;
        }
        ulen = vsw_get_be16(p + 4);
        if (ulen < VSW_UDP_HEADER_LEN || ulen > avail) {
            return VSW_PARSE_ERR_UDP_BAD_LEN;
        }
        hl = VSW_UDP_HEADER_LEN;
        k->has_ports = true;
        k->src_port = vsw_get_be16(p);
        k->dst_port = vsw_get_be16(p + 2);
        break;
    }

    case VSW_IPPROTO_ICMP:
        if (ver != 4) {
            return VSW_PARSE_OK;
        }
        if (avail < VSW_ICMP_HEADER_LEN) {
            return VSW_PARSE_ERR_ICMP_TRUNCATED;
        }
        hl = VSW_ICMP_HEADER_LEN;
        k->icmp_type = p[0];
        k->icmp_code = p[1];
        break;

    case VSW_IPPROTO_ICMPV6:
        if (ver != 6) {
            return VSW_PARSE_OK;
        }
        if (avail < VSW_ICMPV6_HEADER_LEN) {
            return VSW_PARSE_ERR_ICMPV6_TRUNCATED;
        }
        hl = VSW_ICMPV6_HEADER_LEN;
        k->icmp_type = p[0];
        k->icmp_code = p[1];
        break;

    default:
        return VSW_PARSE_OK;          /* unknown transport: stop */
    }
    pr->has_l4 = true;
    pr->l4_hdr_len = (uint16_t) hl;
    pr->payload_ofs = (uint16_t) (l4 + hl);
    return VSW_PARSE_OK;
}

static enum vsw_parse_error
parse_ipv4(const uint8_t *d, size_t len, unsigned flags,
           struct vsw_parse_result *pr)
{
    struct vsw_flow_key *k = &pr->key;
    size_t ofs = pr->l3_ofs;
    size_t avail = len - ofs;
    const uint8_t *ip = d + ofs;
    size_t ihl, tot, frag_ofs;
    uint16_t frag;

    if (avail < VSW_IPV4_HEADER_LEN) {
        return VSW_PARSE_ERR_IPV4_TRUNCATED;
    }
    if (ip[0] >> 4 != 4) {
        return VSW_PARSE_ERR_IPV4_BAD_VERSION;
    }
    ihl = (size_t) (ip[0] & 0x0f) * 4;
    if (ihl < VSW_IPV4_HEADER_LEN) {
        return VSW_PARSE_ERR_IPV4_BAD_IHL;
    }
    if (ihl > avail) {
        return VSW_PARSE_ERR_IPV4_HDR_TRUNCATED;
    }
    tot = vsw_get_be16(ip + 2);
    if (tot == 0 && (flags & VSW_PARSE_F_LSO)) {
        tot = avail;
    }
    if (tot < ihl || tot > avail) {
        return VSW_PARSE_ERR_IPV4_BAD_TOTAL_LEN;
    }
    if (!options_ok(ip + VSW_IPV4_HEADER_LEN, ihl - VSW_IPV4_HEADER_LEN)) {
        return VSW_PARSE_ERR_IPV4_BAD_OPTIONS;
    }
    frag = vsw_get_be16(ip + 6);
    frag_ofs = (size_t) (frag & VSW_IPV4_FRAG_OFF_MASK) * 8;
    if (frag_ofs + (tot - ihl) > 65535) {
        return VSW_PARSE_ERR_IPV4_BAD_FRAGMENT;
    }

    k->ip_version = 4;
    k->ip_tos = ip[1];
    k->ip_ttl = ip[8];
    k->ip_proto = ip[9];
    ipv4_mapped(k->src_ip, ip + 12);
    ipv4_mapped(k->dst_ip, ip + 16);
    if (frag_ofs || (frag & VSW_IPV4_MF)) {
        k->ip_frag = VSW_FRAG_ANY | (frag_ofs ? VSW_FRAG_LATER : 0);
    }
    pr->has_l3 = true;
    pr->l3_hdr_len = (uint16_t) ihl;
    pr->l3_end = ofs + tot;
    pr->l4_ofs = (uint16_t) (ofs + ihl);
    if (k->ip_frag & VSW_FRAG_LATER) {
        return VSW_PARSE_OK;
    }
    return parse_l4(d, pr, 4, k->ip_proto);
}

static enum vsw_parse_error
parse_ipv6(const uint8_t *d, size_t len, unsigned flags,
           struct vsw_parse_result *pr)
{
    struct vsw_flow_key *k = &pr->key;
    size_t ofs = pr->l3_ofs;
    size_t avail = len - ofs;
    const uint8_t *ip = d + ofs;
    size_t plen, end, p;
    unsigned n_ext = 0;
    uint8_t nxt;

    if (avail < VSW_IPV6_HEADER_LEN) {
        return VSW_PARSE_ERR_IPV6_TRUNCATED;
    }
    if (ip[0] >> 4 != 6) {
        return VSW_PARSE_ERR_IPV6_BAD_VERSION;
    }
    plen = vsw_get_be16(ip + 4);
    if (plen == 0 && (flags & VSW_PARSE_F_LSO)) {
        plen = avail - VSW_IPV6_HEADER_LEN;
    }
    if (plen > avail - VSW_IPV6_HEADER_LEN) {
        return VSW_PARSE_ERR_IPV6_BAD_PAYLOAD_LEN;
    }
    end = ofs + VSW_IPV6_HEADER_LEN + plen;

    k->ip_version = 6;
    k->ip_tos = (uint8_t) (vsw_get_be16(ip) >> 4);
    k->ip_ttl = ip[7];
    memcpy(k->src_ip, ip + 8, 16);
    memcpy(k->dst_ip, ip + 24, 16);
    pr->has_l3 = true;
    pr->l3_end = end;

    nxt = ip[6];
    p = ofs + VSW_IPV6_HEADER_LEN;
    for (;;) {
        size_t hl;

        switch (nxt) {
        case VSW_IPPROTO_HOPOPTS:
            if (n_ext) {
                return VSW_PARSE_ERR_IPV6_HOPOPTS_NOT_FIRST;
            }
            /* fall through */
        case VSW_IPPROTO_ROUTING:
        case VSW_IPPROTO_DSTOPTS:
        case VSW_IPPROTO_MOBILITY:
        case VSW_IPPROTO_HIP:
        case VSW_IPPROTO_SHIM6:
        case VSW_IPPROTO_FRAGMENT:
        case VSW_IPPROTO_AH:
            break;
        default:
            goto done;
        }
        if (++n_ext > VSW_PARSE_MAX_EXT) {
            return VSW_PARSE_ERR_IPV6_TOO_MANY_EXT;
        }
        if (end - p < 8) {
            return VSW_PARSE_ERR_IPV6_EXT_TRUNCATED;
        }
        if (nxt == VSW_IPPROTO_FRAGMENT) {
            uint16_t offlg = vsw_get_be16(d + p + 2);
            pr->ipv6_frag_ofs = (uint16_t) p;
            k->ip_frag = VSW_FRAG_ANY;
            if (offlg & VSW_IPV6_FRAG_OFF_MASK) {
                k->ip_frag |= VSW_FRAG_LATER;
            }
            hl = 8;
        } else if (nxt == VSW_IPPROTO_AH) {
            hl = ((size_t) d[p + 1] + 2) * 4;
        } else {
            hl = ((size_t) d[p + 1] + 1) * 8;
        }
        if (hl > end - p) {
            return VSW_PARSE_ERR_IPV6_EXT_TRUNCATED;
        }
        nxt = d[p];
        p += hl;
        if (k->ip_frag & VSW_FRAG_LATER) {
            break;
        }
    }
done:
    k->ip_proto = nxt;
    pr->l4_ofs = (uint16_t) p;
    pr->l3_hdr_len = (uint16_t) (p - ofs);
    if (k->ip_frag & VSW_FRAG_LATER) {
        return VSW_PARSE_OK;
    }
    return parse_l4(d, pr, 6, nxt);
}

static bool
is_tpid(uint16_t type)
{
    return type == VSW_ETH_TYPE_VLAN || type == VSW_ETH_TYPE_SVLAN
           || type == VSW_ETH_TYPE_QINQ_OLD;
}

enum vsw_parse_error
vsw_parse_bytes(const void *data, size_t len, unsigned flags,
                struct vsw_parse_result *pr)
{
    const uint8_t *d = data;
    struct vsw_flow_key *k = &pr->key;
    uint16_t tpid[2] = { 0, 0 }, tci[2] = { 0, 0 };
    unsigned n_tags = 0;
    uint16_t type;
    size_t ofs;

    memset(pr, 0, sizeof *pr);
    if (len < VSW_ETH_HEADER_LEN) {
        return VSW_PARSE_ERR_ETH_TRUNCATED;
    }
    memcpy(k->dst_mac, d, 6);
    memcpy(k->src_mac, d + 6, 6);
    type = vsw_get_be16(d + 12);
    ofs = VSW_ETH_HEADER_LEN;

    /* Tags: at most two, the outer one an S-tag when there are two. */
    while (is_tpid(type)) {
        if (n_tags == 2) {
            return VSW_PARSE_ERR_TOO_MANY_TAGS;
        }
        if (len - ofs < VSW_VLAN_HEADER_LEN) {
            return VSW_PARSE_ERR_VLAN_TRUNCATED;
        }
        tpid[n_tags] = type;
        tci[n_tags] = vsw_get_be16(d + ofs);
        pr->n_tags = (uint8_t) ++n_tags;
        type = vsw_get_be16(d + ofs + 2);
        ofs += VSW_VLAN_HEADER_LEN;
    }
    if (n_tags == 2 || (n_tags == 1 && tpid[0] != VSW_ETH_TYPE_VLAN)) {
        k->svlan_present = true;
        k->svlan_id = tci[0] & VSW_VLAN_VID_MASK;
    }
    if (n_tags == 2 || (n_tags == 1 && tpid[0] == VSW_ETH_TYPE_VLAN)) {
        uint16_t inner = tci[n_tags - 1];
        k->vlan_present = true;
        k->vlan_id = inner & VSW_VLAN_VID_MASK;
        k->vlan_pcp = (uint8_t) (inner >> VSW_VLAN_PCP_SHIFT);
    }
    k->ethertype = type;
    pr->l3_ofs = (uint16_t) ofs;

    switch (type) {
    case VSW_ETH_TYPE_ARP: {
        const uint8_t *a = d + ofs;
        size_t need;

        if (len - ofs < VSW_ARP_FIXED_LEN) {
            return VSW_PARSE_ERR_ARP_TRUNCATED;
        }
        need = VSW_ARP_FIXED_LEN + 2 * ((size_t) a[4] + a[5]);
        if (len - ofs < need) {
            return VSW_PARSE_ERR_ARP_TRUNCATED;
        }
        k->arp_op = vsw_get_be16(a + 6);
        if (vsw_get_be16(a) == VSW_ARP_HTYPE_ETH
            && vsw_get_be16(a + 2) == VSW_ETH_TYPE_IPV4
            && a[4] == 6 && a[5] == 4) {
            ipv4_mapped(k->src_ip, a + 14);
            ipv4_mapped(k->dst_ip, a + 24);
        }
        return VSW_PARSE_OK;
    }
    case VSW_ETH_TYPE_IPV4:
        return parse_ipv4(d, len, flags, pr);
    case VSW_ETH_TYPE_IPV6:
        return parse_ipv6(d, len, flags, pr);
    default:
        return VSW_PARSE_OK;
    }
}

enum vsw_parse_error
vsw_parse(struct vsw_pkt *pkt, struct vsw_parse_result *pr)
{
    unsigned flags = pkt->oob.lso_mss ? VSW_PARSE_F_LSO : 0;
    enum vsw_parse_error e;

    e = vsw_parse_bytes(vsw_pkt_data_const(pkt), vsw_pkt_len(pkt), flags,
                        pr);
    if (!pr->key.vlan_present && pkt->oob.vlan_present) {
        pr->key.vlan_present = true;
        pr->key.vlan_id = pkt->oob.vlan_id;
        pr->key.vlan_pcp = pkt->oob.priority;
    }
    if (e) {
        pkt->l2_ofs = pkt->l3_ofs = pkt->l4_ofs = pkt->payload_ofs
            = VSW_PKT_OFS_NONE;
        return e;
    }
    pkt->l2_ofs = 0;
    pkt->l3_ofs = pr->l3_ofs;
    pkt->l4_ofs = pr->has_l3 ? pr->l4_ofs : VSW_PKT_OFS_NONE;
    pkt->payload_ofs = pr->has_l4 ? pr->payload_ofs : VSW_PKT_OFS_NONE;
    return VSW_PARSE_OK;
}

void
vsw_parse_acl_input(const struct vsw_parse_result *pr,
                    struct vsw_acl_match_input *in)
{
    const struct vsw_flow_key *k = &pr->key;

    memset(in, 0, sizeof *in);
    memcpy(in->src_mac, k->src_mac, 6);
    memcpy(in->dst_mac, k->dst_mac, 6);
    in->vlan = k->vlan_present ? k->vlan_id : 0;
    in->ethertype = k->ethertype;
    in->ip_version = k->ip_version;
    if (k->ip_version) {
        in->ip_proto = k->ip_proto;
        memcpy(in->src_ip, k->src_ip, 16);
        memcpy(in->dst_ip, k->dst_ip, 16);
    }
    in->has_ports = k->has_ports;
    if (k->has_ports) {
        in->src_port = k->src_port;
        in->dst_port = k->dst_port;
    }
}

bool
vsw_parse_is_dhcp_server(const struct vsw_parse_result *pr)
{
    const struct vsw_flow_key *k = &pr->key;

    if (!k->has_ports || k->ip_proto != VSW_IPPROTO_UDP) {
        return false;
    }
    if (k->ip_version == 4) {
        return k->src_port == VSW_DHCP_SERVER_PORT
               && k->dst_port == VSW_DHCP_CLIENT_PORT;
    }
    return k->ip_version == 6 && k->src_port == VSW_DHCPV6_SERVER_PORT
           && k->dst_port == VSW_DHCPV6_CLIENT_PORT;
}

bool
vsw_parse_is_router_msg(const struct vsw_parse_result *pr)
{
    const struct vsw_flow_key *k = &pr->key;

    return k->ip_version == 6 && pr->has_l4
           && k->ip_proto == VSW_IPPROTO_ICMPV6
           && (k->icmp_type == VSW_ICMPV6_ROUTER_ADVERT
               || k->icmp_type == VSW_ICMPV6_REDIRECT);
}
