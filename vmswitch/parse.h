/*
 * parse.h -- the frame parser of libvmswitch: Ethernet II, 802.1Q tags
 * (an 802.1ad outer tag recognised), ARP, IPv4 with options and fragments,
 * IPv6 with extension headers, TCP, UDP, ICMP and ICMPv6.
 *
 * SAFETY.  The parser never reads outside the 'len' bytes it is given,
 * whatever they hold: every field is read only after a bounds check, and
 * each header length taken from the frame is checked against what is left
 * before it is used.  It never writes to the frame and never allocates.
 *
 * WHAT IS MALFORMED.  A frame is malformed when a header that the frame
 * says is present is truncated or inconsistent (a length field pointing
 * past the data, an IHL below 5, a TCP data offset below 5, bad IPv4 option
 * lengths, too many tags, a hop-by-hop header not first, ...).  Each such
 * frame gets a named reason (enum vsw_parse_error, vsw_parse_error_name()).
 * IPv6 extension headers followed: hop-by-hop (first only), routing,
 * destination options, fragment, AH, and the generic-layout mobility, HIP
 * and shim6 headers (RFC 7045), at most VSW_PARSE_MAX_EXT of them.
 * Unknown ethertypes, unknown IP protocols, ESP and "no next header" are
 * NOT malformed: parsing stops there and the key says how far it got.
 * Bytes after the end of the IP datagram (Ethernet padding) are ignored.
 *
 * FRAGMENTS.  An IPv4 fragment with a non-zero offset, or an IPv6 packet
 * whose fragment header has a non-zero offset, carries no transport header:
 * 'has_l4' is false and the key has no ports.  A first fragment is parsed
 * into its transport header, which must be complete.
 *
 * LSO SUPER-FRAMES.  A TCP super-frame awaiting segmentation may carry an
 * IP length of 0 (LSOv2) or one covering the whole super-frame (LSOv1).
 * With VSW_PARSE_F_LSO (vsw_parse() sets it when the packet's OOB LSO MSS
 * is non-zero) an IPv4 total length or IPv6 payload length of 0 means "to
 * the end of the frame".
 *
 * THE FLOW KEY.  struct vsw_flow_key is what policies match on: MACs,
 * VLAN, ethertype after tags, IP version, addresses (IPv4 as IPv4-mapped
 * IPv6, ::ffff:a.b.c.d, as acl.h wants), protocol, ports (host order),
 * TCP flags, ICMP type and code, and fragment flags.
 */
#ifndef VMSWITCH_PARSE_H
#define VMSWITCH_PARSE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_pkt;
struct vsw_acl_match_input;

/* Why a frame is malformed.  0 is success. */
enum vsw_parse_error {
    VSW_PARSE_OK = 0,
    VSW_PARSE_ERR_ETH_TRUNCATED,     /* shorter than 14 bytes */
    VSW_PARSE_ERR_VLAN_TRUNCATED,    /* a tag without its 4 bytes */
    VSW_PARSE_ERR_TOO_MANY_TAGS,     /* more than two tags */
    VSW_PARSE_ERR_ARP_TRUNCATED,
    VSW_PARSE_ERR_IPV4_TRUNCATED,    /* shorter than 20 bytes */
    VSW_PARSE_ERR_IPV4_BAD_VERSION,
    VSW_PARSE_ERR_IPV4_BAD_IHL,      /* IHL < 5 */
    VSW_PARSE_ERR_IPV4_HDR_TRUNCATED,/* IHL * 4 past the data */
    VSW_PARSE_ERR_IPV4_BAD_TOTAL_LEN,/* < IHL * 4 or past the data */
    VSW_PARSE_ERR_IPV4_BAD_OPTIONS,  /* an option length is wrong */
    VSW_PARSE_ERR_IPV4_BAD_FRAGMENT, /* offset + length beyond 65535 */
    VSW_PARSE_ERR_IPV6_TRUNCATED,    /* shorter than 40 bytes */
    VSW_PARSE_ERR_IPV6_BAD_VERSION,
    VSW_PARSE_ERR_IPV6_BAD_PAYLOAD_LEN, /* past the data */
    VSW_PARSE_ERR_IPV6_EXT_TRUNCATED,
    VSW_PARSE_ERR_IPV6_HOPOPTS_NOT_FIRST,
    VSW_PARSE_ERR_IPV6_TOO_MANY_EXT, /* more than VSW_PARSE_MAX_EXT */
    VSW_PARSE_ERR_TCP_TRUNCATED,     /* shorter than 20 bytes */
    VSW_PARSE_ERR_TCP_BAD_DOFF,      /* data offset < 5 */
    VSW_PARSE_ERR_TCP_HDR_TRUNCATED, /* data offset * 4 past the data */
    VSW_PARSE_ERR_TCP_BAD_OPTIONS,   /* an option length is wrong */
    VSW_PARSE_ERR_UDP_TRUNCATED,     /* shorter than 8 bytes */
    VSW_PARSE_ERR_UDP_BAD_LEN,       /* < 8 or past the data */
    VSW_PARSE_ERR_ICMP_TRUNCATED,
    VSW_PARSE_ERR_ICMPV6_TRUNCATED,
    VSW_PARSE_N_ERRORS
};

/* Extension headers followed before giving up (the limit is a defence
 * against chains built to burn time, not a protocol limit). */
#define VSW_PARSE_MAX_EXT 8

/* Flags for vsw_parse_bytes(). */
#define VSW_PARSE_F_LSO 0x1          /* IP length 0 = to the frame end */

/* Fragment flags of a flow key. */
#define VSW_FRAG_ANY 0x1             /* a fragment (first or later) */
#define VSW_FRAG_LATER 0x2           /* not the first: no transport */

struct vsw_flow_key {
    uint8_t dst_mac[6];
    uint8_t src_mac[6];
    bool vlan_present;               /* tag in the bytes or out of band */
    uint16_t vlan_id;                /* the inner (C-) tag's VID */
    uint8_t vlan_pcp;
    bool svlan_present;              /* an 802.1ad outer tag was seen */
    uint16_t svlan_id;
    uint16_t ethertype;              /* after all tags */
    uint8_t ip_version;              /* 0 (not IP), 4 or 6 */
    uint8_t ip_proto;                /* transport protocol, if IP */
    uint8_t ip_tos;                  /* IPv4 TOS / IPv6 traffic class */
    uint8_t ip_ttl;                  /* IPv4 TTL / IPv6 hop limit */
    uint8_t ip_frag;                 /* VSW_FRAG_* */
    uint8_t src_ip[16];              /* IPv6 or ::ffff:a.b.c.d; ARP too */
    uint8_t dst_ip[16];
    bool has_ports;
    uint16_t src_port, dst_port;     /* host order */
    uint8_t tcp_flags;               /* TCP: the flags byte */
    uint8_t icmp_type, icmp_code;    /* ICMP / ICMPv6 */
    uint16_t arp_op;                 /* ARP: operation, host order */
};

/* Where the layers are and what they are.  Offsets are bytes from the
 * start of the frame; a layer that is absent has offset 0 and length 0. */
struct vsw_parse_result {
    struct vsw_flow_key key;
    uint8_t n_tags;                  /* 802.1Q/802.1ad tags in the bytes */
    uint16_t l3_ofs;                 /* after the tags */
    uint16_t l4_ofs;                 /* after IP options / ext headers */
    uint16_t payload_ofs;            /* after the transport header */
    uint16_t l3_hdr_len;             /* IPv4 IHL*4; IPv6 40 + ext */
    uint16_t l4_hdr_len;             /* TCP doff*4, UDP 8, ICMP 8/4 */
    size_t l3_end;                   /* end of the IP datagram */
    bool has_l3;                     /* IPv4 or IPv6 header parsed */
    bool has_l4;                     /* TCP, UDP or ICMP(v6) parsed */
    uint16_t ipv6_frag_ofs;          /* IPv6 fragment header, else 0 */
};

/* Parses the 'len' bytes at 'data' into '*pr', which is fully written
 * even on error (as far as parsing went).  'flags' is VSW_PARSE_F_*.
 * Returns VSW_PARSE_OK or the reason the frame is malformed. */
enum vsw_parse_error vsw_parse_bytes(const void *data, size_t len,
                                     unsigned flags,
                                     struct vsw_parse_result *pr);

/* Parses packet 'pkt' into '*pr' and records the layer offsets in 'pkt'.
 * A tag carried out of band appears in the key when the bytes have none.
 * Uses VSW_PARSE_F_LSO when pkt->oob.lso_mss is non-zero. */
enum vsw_parse_error vsw_parse(struct vsw_pkt *pkt,
                               struct vsw_parse_result *pr);

/* Returns a static name for 'e' ("ok", "eth-truncated", ...); "unknown"
 * for a value out of range. */
const char *vsw_parse_error_name(enum vsw_parse_error e);

/* Fills the ACL match input '*in' from a parse; 'in->vlan' gets the key's
 * VLAN id (0 when untagged), which a caller may replace with its
 * classification. */
void vsw_parse_acl_input(const struct vsw_parse_result *pr,
                         struct vsw_acl_match_input *in);

/* True for a DHCP server message: UDP/IPv4 from port 67 to port 68, or
 * DHCPv6 UDP/IPv6 from port 547 to port 546. */
bool vsw_parse_is_dhcp_server(const struct vsw_parse_result *pr);

/* True for an ICMPv6 router advertisement (134) or redirect (137). */
bool vsw_parse_is_router_msg(const struct vsw_parse_result *pr);

#ifdef __cplusplus
}
#endif

#endif /* VMSWITCH_PARSE_H */
