/*
 * wire.h -- the wire formats libvmswitch reads and writes: Ethernet II,
 * 802.1Q / 802.1ad tags, ARP, IPv4, IPv6 and its extension headers, TCP,
 * UDP, ICMP and ICMPv6, with the constants that go with them.
 *
 * BYTE ORDER AND ALIGNMENT LIVE IN THE TYPE.  A multi-byte field on the
 * wire is a vsw_be16 or vsw_be32: a struct of bytes in network order,
 * read with vsw_get_be16() / vsw_get_be32() and written with
 * vsw_put_be16() / vsw_put_be32(), which take the field's address.  It cannot be used as a number by
 * mistake (the compiler refuses 'h->tot_len + 1'), and because it is made
 * of bytes every wire struct has alignment 1: a frame may start at any
 * address (an IPv4 header after a 14-byte Ethernet header, a TCP header
 * after IPv4 options) and overlaying a struct on it is always legal, even
 * under -fsanitize=alignment.  This is Open vSwitch's ovs_be16 and
 * ovs_16aligned_be32 idea taken one step further.
 *
 * SIZES.  Every struct has a _Static_assert on its wire size, so a padding
 * mistake fails the build, not a capture.
 *
 * What the structs do NOT do is validate: overlaying one on a buffer says
 * nothing about whether the bytes are there.  parse.h validates every
 * length before anything reads past the Ethernet header.
 */
#ifndef VMSWITCH_WIRE_H
#define VMSWITCH_WIRE_H 1

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Network-order integers. */

typedef struct { uint8_t b[2]; } vsw_be16;
typedef struct { uint8_t b[4]; } vsw_be32;

_Static_assert(sizeof(vsw_be16) == 2 && _Alignof(vsw_be16) == 1, "be16");
_Static_assert(sizeof(vsw_be32) == 4 && _Alignof(vsw_be32) == 1, "be32");

/* The accessors take a pointer to the field (or to any byte in a
 * frame), so they work on wire structs ('vsw_get_be16(&ip->tot_len)') and
 * on raw offsets ('vsw_get_be16(d + 12)') alike. */
static inline uint16_t
vsw_get_be16(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t) (b[0] << 8 | b[1]);
}

static inline uint32_t
vsw_get_be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16
           | (uint32_t) b[2] << 8 | b[3];
}

static inline void
vsw_put_be16(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t) (v >> 8);
    b[1] = (uint8_t) v;
}

static inline void
vsw_put_be32(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t) (v >> 24);
    b[1] = (uint8_t) (v >> 16);
    b[2] = (uint8_t) (v >> 8);
    b[3] = (uint8_t) v;
}

/* Network-order constants for static initialisers. */
#define VSW_BE16_INIT(v) { { (uint8_t) ((v) >> 8), (uint8_t) (v) } }

/* ------------------------------------------------------------------ */
/* Ethernet and 802.1Q / 802.1ad. */

#define VSW_ETH_ADDR_LEN 6
#define VSW_ETH_HEADER_LEN 14
#define VSW_ETH_MIN_LEN 60         /* without FCS */
#define VSW_VLAN_HEADER_LEN 4

/* Ethertypes (and tag protocol identifiers). */
#define VSW_ETH_TYPE_MIN 0x0600    /* smaller values are 802.3 lengths */
#define VSW_ETH_TYPE_8023 0x05ff   /* what the flow key says for those */
#define VSW_ETH_TYPE_IPV4 0x0800
#define VSW_ETH_TYPE_ARP 0x0806
#define VSW_ETH_TYPE_VLAN 0x8100   /* 802.1Q C-tag */
#define VSW_ETH_TYPE_IPV6 0x86dd
#define VSW_ETH_TYPE_SVLAN 0x88a8  /* 802.1ad S-tag */
#define VSW_ETH_TYPE_QINQ_OLD 0x9100 /* pre-standard S-tag */

struct vsw_eth_hdr {
    uint8_t dst[VSW_ETH_ADDR_LEN];
    uint8_t src[VSW_ETH_ADDR_LEN];
    vsw_be16 type;
};
_Static_assert(sizeof(struct vsw_eth_hdr) == VSW_ETH_HEADER_LEN, "eth");

/* An 802.1Q or 802.1ad tag as it follows the addresses: the TPID (which
 * takes the place of the ethertype), the TCI, then the encapsulated
 * ethertype (or the next tag's TPID). */
struct vsw_vlan_tag {
    vsw_be16 tpid;
    vsw_be16 tci;
};
_Static_assert(sizeof(struct vsw_vlan_tag) == VSW_VLAN_HEADER_LEN, "vlan");

/* TCI fields: PCP (3 bits), DEI (1 bit), VID (12 bits). */
#define VSW_VLAN_PCP_SHIFT 13
#define VSW_VLAN_PCP_MASK 0xe000
#define VSW_VLAN_DEI 0x1000
#define VSW_VLAN_VID_MASK 0x0fff

/* ------------------------------------------------------------------ */
/* ARP (RFC 826), the Ethernet / IPv4 form. */

#define VSW_ARP_HTYPE_ETH 1
#define VSW_ARP_FIXED_LEN 8        /* struct vsw_arp_hdr */
#define VSW_ARP_OP_REQUEST 1
#define VSW_ARP_OP_REPLY 2

/* The fixed part every ARP packet has. */
struct vsw_arp_hdr {
    vsw_be16 htype;
    vsw_be16 ptype;
    uint8_t hlen;
    uint8_t plen;
    vsw_be16 op;
};
_Static_assert(sizeof(struct vsw_arp_hdr) == 8, "arp");

/* ARP for Ethernet addresses and IPv4 protocol addresses. */
struct vsw_arp_eth_ipv4 {
    struct vsw_arp_hdr hdr;
    uint8_t sha[VSW_ETH_ADDR_LEN];
    uint8_t spa[4];
    uint8_t tha[VSW_ETH_ADDR_LEN];
    uint8_t tpa[4];
};
_Static_assert(sizeof(struct vsw_arp_eth_ipv4) == 28, "arp eth ipv4");

/* ------------------------------------------------------------------ */
/* IP protocol numbers (IPv4 protocol, IPv6 next header). */

#define VSW_IPPROTO_HOPOPTS 0
#define VSW_IPPROTO_ICMP 1
#define VSW_IPPROTO_TCP 6
#define VSW_IPPROTO_UDP 17
#define VSW_IPPROTO_ROUTING 43
#define VSW_IPPROTO_FRAGMENT 44
#define VSW_IPPROTO_ESP 50
#define VSW_IPPROTO_AH 51
#define VSW_IPPROTO_ICMPV6 58
#define VSW_IPPROTO_NONE 59
#define VSW_IPPROTO_DSTOPTS 60
#define VSW_IPPROTO_MOBILITY 135
#define VSW_IPPROTO_HIP 139
#define VSW_IPPROTO_SHIM6 140

/* ------------------------------------------------------------------ */
/* IPv4 (RFC 791). */

#define VSW_IPV4_HEADER_LEN 20        /* without options */
#define VSW_IPV4_MAX_HEADER_LEN 60

struct vsw_ipv4_hdr {
    uint8_t ver_ihl;               /* version (4) << 4 | IHL in 32-bit words */
    uint8_t tos;                   /* DSCP << 2 | ECN */
    vsw_be16 tot_len;              /* header + payload, bytes */
    vsw_be16 id;
    vsw_be16 frag_off;             /* flags | offset in 8-byte units */
    uint8_t ttl;
    uint8_t proto;
    vsw_be16 csum;
    uint8_t src[4];
    uint8_t dst[4];
};
_Static_assert(sizeof(struct vsw_ipv4_hdr) == VSW_IPV4_HEADER_LEN, "ipv4");

#define VSW_IPV4_DF 0x4000         /* don't fragment */
#define VSW_IPV4_MF 0x2000         /* more fragments */
#define VSW_IPV4_FRAG_OFF_MASK 0x1fff

/* IPv4 option types with no length byte. */
#define VSW_IPV4_OPT_EOL 0
#define VSW_IPV4_OPT_NOP 1

/* ------------------------------------------------------------------ */
/* IPv6 (RFC 8200). */

#define VSW_IPV6_HEADER_LEN 40

struct vsw_ipv6_hdr {
    vsw_be32 ver_tc_flow;          /* version 6 << 28 | class << 20 | label */
    vsw_be16 payload_len;          /* bytes after this header */
    uint8_t next_hdr;
    uint8_t hop_limit;
    uint8_t src[16];
    uint8_t dst[16];
};
_Static_assert(sizeof(struct vsw_ipv6_hdr) == VSW_IPV6_HEADER_LEN, "ipv6");

/* The generic layout shared by hop-by-hop options, routing, destination
 * options (and mobility, HIP, shim6: RFC 7045): total length is
 * (len + 1) * 8 bytes. */
struct vsw_ipv6_ext_hdr {
    uint8_t next_hdr;
    uint8_t len;                   /* 8-byte units, not counting the first 8 */
};
_Static_assert(sizeof(struct vsw_ipv6_ext_hdr) == 2, "ipv6 ext");

/* The fragment header (always 8 bytes). */
struct vsw_ipv6_frag_hdr {
    uint8_t next_hdr;
    uint8_t reserved;
    vsw_be16 frag_off;             /* offset in 8-byte units << 3 | M */
    vsw_be32 id;
};
_Static_assert(sizeof(struct vsw_ipv6_frag_hdr) == 8, "ipv6 frag");

#define VSW_IPV6_FRAG_OFF_MASK 0xfff8
#define VSW_IPV6_FRAG_MORE 0x0001

/* The authentication header (RFC 4302): total length is (len + 2) * 4. */
struct vsw_ipv6_ah_hdr {
    uint8_t next_hdr;
    uint8_t len;                   /* 4-byte units, minus 2 */
    vsw_be16 reserved;
    vsw_be32 spi;
    vsw_be32 seq;
};
_Static_assert(sizeof(struct vsw_ipv6_ah_hdr) == 12, "ah");

/* ------------------------------------------------------------------ */
/* TCP (RFC 9293), UDP (RFC 768). */

#define VSW_TCP_HEADER_LEN 20         /* without options */
#define VSW_TCP_MAX_HEADER_LEN 60

struct vsw_tcp_hdr {
    vsw_be16 src;
    vsw_be16 dst;
    vsw_be32 seq;
    vsw_be32 ack;
    vsw_be16 off_flags;            /* data offset << 12 | flags (9 bits) */
    vsw_be16 window;
    vsw_be16 csum;
    vsw_be16 urg;
};
_Static_assert(sizeof(struct vsw_tcp_hdr) == VSW_TCP_HEADER_LEN, "tcp");

#define VSW_TCP_FIN 0x001
#define VSW_TCP_SYN 0x002
#define VSW_TCP_RST 0x004
#define VSW_TCP_PSH 0x008
#define VSW_TCP_ACK 0x010
#define VSW_TCP_URG 0x020
#define VSW_TCP_ECE 0x040
#define VSW_TCP_CWR 0x080
#define VSW_TCP_NS 0x100
#define VSW_TCP_FLAGS_MASK 0x1ff

/* TCP option kinds. */
#define VSW_TCP_OPT_EOL 0
#define VSW_TCP_OPT_NOP 1
#define VSW_TCP_OPT_MSS 2
#define VSW_TCP_OPT_WSCALE 3
#define VSW_TCP_OPT_SACK_PERM 4
#define VSW_TCP_OPT_TIMESTAMP 8

#define VSW_UDP_HEADER_LEN 8

struct vsw_udp_hdr {
    vsw_be16 src;
    vsw_be16 dst;
    vsw_be16 len;                  /* header + payload, bytes */
    vsw_be16 csum;
};
_Static_assert(sizeof(struct vsw_udp_hdr) == VSW_UDP_HEADER_LEN, "udp");

/* DHCP (RFC 2131) and DHCPv6 (RFC 8415) ports. */
#define VSW_DHCP_SERVER_PORT 67
#define VSW_DHCP_CLIENT_PORT 68
#define VSW_DHCPV6_CLIENT_PORT 546
#define VSW_DHCPV6_SERVER_PORT 547

/* ------------------------------------------------------------------ */
/* ICMP (RFC 792) and ICMPv6 (RFC 4443). */

/* Every ICMP message starts with these 8 bytes; 'rest' is message
 * specific (echo id and sequence, redirect gateway, ...).  ICMPv6 defines
 * only the first 4 as its header. */
#define VSW_ICMP_HEADER_LEN 8
#define VSW_ICMPV6_HEADER_LEN 4    /* type, code, checksum (RFC 4443) */

struct vsw_icmp_hdr {
    uint8_t type;
    uint8_t code;
    vsw_be16 csum;
    vsw_be32 rest;
};
_Static_assert(sizeof(struct vsw_icmp_hdr) == VSW_ICMP_HEADER_LEN, "icmp");

#define VSW_ICMP_ECHO_REPLY 0
#define VSW_ICMP_REDIRECT 5
#define VSW_ICMP_ECHO_REQUEST 8
#define VSW_ICMP_ROUTER_ADVERT 9
#define VSW_ICMP_ROUTER_SOLICIT 10

#define VSW_ICMPV6_ECHO_REQUEST 128
#define VSW_ICMPV6_ECHO_REPLY 129
#define VSW_ICMPV6_ROUTER_SOLICIT 133
#define VSW_ICMPV6_ROUTER_ADVERT 134
#define VSW_ICMPV6_NEIGHBOR_SOLICIT 135
#define VSW_ICMPV6_NEIGHBOR_ADVERT 136
#define VSW_ICMPV6_REDIRECT 137

#ifdef __cplusplus
}
#endif

#endif /* VMSWITCH_WIRE_H */
