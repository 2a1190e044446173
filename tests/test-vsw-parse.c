/*
 * test-vsw-parse.c -- the packet buffer (vmswitch/packet.h) and the frame
 * parser (vmswitch/parse.h): every protocol, IPv4 options and fragments,
 * IPv6 extension chains, QinQ, priority tags, a table of malformed frames
 * each with its own reason, and a truncation sweep in which every prefix
 * of several valid frames is parsed from an exact-size heap copy (so the
 * sanitizers catch any read past the end).
 */
#include <config.h>
#include "vmswitch/parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cutest.h"
#include "vmswitch/acl.h"
#include "vmswitch/alloc.h"
#include "vmswitch/csum.h"
#include "vmswitch/packet.h"
#include "vmswitch/wire.h"

/* ------------------------------------------------------------------ */
/* A frame builder. */

struct fb {
    uint8_t b[4096];
    size_t n;
};

static void
put(struct fb *f, const void *p, size_t n)
{
    if (n) {
        memcpy(f->b + f->n, p, n);
        f->n += n;
    }
}

static void
put8(struct fb *f, uint8_t v)
{
    f->b[f->n++] = v;
}

static void
put16(struct fb *f, uint16_t v)
{
    vsw_put_be16(f->b + f->n, v);
    f->n += 2;
}

static void
put32(struct fb *f, uint32_t v)
{
    vsw_put_be32(f->b + f->n, v);
    f->n += 4;
}

static void
zeros(struct fb *f, size_t n)
{
    memset(f->b + f->n, 0, n);
    f->n += n;
}

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t IP4_A[4] = { 192, 168, 0, 1 };
static const uint8_t IP4_B[4] = { 10, 1, 2, 3 };
static const uint8_t IP6_A[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t IP6_B[16] = { 0xfe, 0x80, [15] = 2 };

/* Ethernet header, 'n_tags' tags (TPID, TCI pairs), then 'type'. */
static void
eth(struct fb *f, const uint16_t *tags, size_t n_tags, uint16_t type)
{
    f->n = 0;
    put(f, MAC_B, 6);
    put(f, MAC_A, 6);
    for (size_t i = 0; i < n_tags; i++) {
        put16(f, tags[2 * i]);
        put16(f, tags[2 * i + 1]);
    }
    put16(f, type);
}

/* IPv4 header with 'opt_len' bytes of options 'opts', fragment field
 * 'frag'; returns its offset (finish with ipv4_done()). */
static size_t
ipv4(struct fb *f, uint8_t proto, const uint8_t *opts, size_t opt_len,
     uint16_t frag)
{
    size_t ofs = f->n;

    put8(f, (uint8_t) (0x40 | (5 + opt_len / 4)));
    put8(f, 0x10);
    put16(f, 0);
    put16(f, 0x1234);
    put16(f, frag);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    put(f, IP4_A, 4);
    put(f, IP4_B, 4);
    put(f, opts, opt_len);
    return ofs;
}

static void
ipv4_done(struct fb *f, size_t ofs)
{
    vsw_put_be16(f->b + ofs + 2, (uint16_t) (f->n - ofs));
    vsw_csum_ipv4_fill(f->b + ofs, (size_t) (f->b[ofs] & 15) * 4);
}

static size_t
ipv6(struct fb *f, uint8_t nxt)
{
    size_t ofs = f->n;

    put32(f, 0x60000000);
    put16(f, 0);
    put8(f, nxt);
    put8(f, 64);
    put(f, IP6_A, 16);
    put(f, IP6_B, 16);
    return ofs;
}

static void
ipv6_done(struct fb *f, size_t ofs)
{
    vsw_put_be16(f->b + ofs + 4, (uint16_t) (f->n - ofs - 40));
}

/* A generic extension header of (len8 + 1) * 8 bytes. */
static void
ext(struct fb *f, uint8_t nxt, uint8_t len8)
{
    put8(f, nxt);
    put8(f, len8);
    zeros(f, (size_t) (len8 + 1) * 8 - 2);
}

static void
frag6(struct fb *f, uint8_t nxt, uint16_t offset8, bool more)
{
    put8(f, nxt);
    put8(f, 0);
    put16(f, (uint16_t) (offset8 << 3 | (more ? 1 : 0)));
    put32(f, 0xabcd);
}

/* A TCP header with the 12 option bytes NOP NOP timestamp when
 * 'options'. */
static size_t
tcp(struct fb *f, uint16_t sport, uint16_t dport, uint8_t flags,
    bool options)
{
    size_t ofs = f->n;

    put16(f, sport);
    put16(f, dport);
    put32(f, 1000);
    put32(f, 2000);
    put8(f, (uint8_t) ((options ? 8 : 5) << 4));
    put8(f, flags);
    put16(f, 65535);
    put16(f, 0);
    put16(f, 0);
    if (options) {
        static const uint8_t ts[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
        put(f, ts, sizeof ts);
    }
    return ofs;
}

static size_t
udp(struct fb *f, uint16_t sport, uint16_t dport, size_t payload)
{
    size_t ofs = f->n;

    put16(f, sport);
    put16(f, dport);
    put16(f, (uint16_t) (8 + payload));
    put16(f, 0);
    for (size_t i = 0; i < payload; i++) {
        put8(f, (uint8_t) i);
    }
    return ofs;
}

static enum vsw_parse_error
parse(const struct fb *f, struct vsw_parse_result *pr)
{
    return vsw_parse_bytes(f->b, f->n, 0, pr);
}

/* ------------------------------------------------------------------ */
/* Valid frames. */

static void
build_ipv4_tcp(struct fb *f, bool ip_opts, bool tcp_opts)
{
    static const uint8_t ra[4] = { 0x94, 4, 0, 0 };   /* router alert */
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_TCP, ra, ip_opts ? 4 : 0, 0);
    tcp(f, 40000, 80, VSW_TCP_ACK | VSW_TCP_PSH, tcp_opts);
    zeros(f, 100);
    ipv4_done(f, ip);
}

static void
test_parse_ipv4_tcp_fills_key_and_offsets(void)
{
    struct fb f;
    struct vsw_parse_result pr;

    build_ipv4_tcp(&f, false, true);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT(!memcmp(pr.key.dst_mac, MAC_B, 6));
    CU_ASSERT(!memcmp(pr.key.src_mac, MAC_A, 6));
    CU_ASSERT_EQUAL(pr.key.ethertype, VSW_ETH_TYPE_IPV4);
    CU_ASSERT_EQUAL(pr.key.ip_version, 4);
    CU_ASSERT_EQUAL(pr.key.ip_proto, VSW_IPPROTO_TCP);
    CU_ASSERT_EQUAL(pr.key.ip_ttl, 64);
    CU_ASSERT_EQUAL(pr.key.ip_tos, 0x10);
    CU_ASSERT_EQUAL(pr.key.src_ip[10], 0xff);
    CU_ASSERT_EQUAL(pr.key.src_ip[11], 0xff);
    CU_ASSERT(!memcmp(pr.key.src_ip + 12, IP4_A, 4));
    CU_ASSERT(!memcmp(pr.key.dst_ip + 12, IP4_B, 4));
    CU_ASSERT(pr.key.has_ports);
    CU_ASSERT_EQUAL(pr.key.src_port, 40000);
    CU_ASSERT_EQUAL(pr.key.dst_port, 80);
    CU_ASSERT_EQUAL(pr.key.tcp_flags, VSW_TCP_ACK | VSW_TCP_PSH);
    CU_ASSERT_EQUAL(pr.key.ip_frag, 0);
    CU_ASSERT_EQUAL(pr.l3_ofs, 14);
    CU_ASSERT_EQUAL(pr.l4_ofs, 34);
    CU_ASSERT_EQUAL(pr.l4_hdr_len, 32);
    CU_ASSERT_EQUAL(pr.payload_ofs, 66);
    CU_ASSERT_EQUAL(pr.l3_end, f.n);
    CU_ASSERT(pr.has_l3 && pr.has_l4);
}

static void
test_parse_ipv4_options_are_skipped(void)
{
    struct fb f;
    struct vsw_parse_result pr;

    build_ipv4_tcp(&f, true, false);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.l3_hdr_len, 24);
    CU_ASSERT_EQUAL(pr.l4_ofs, 38);
    CU_ASSERT_EQUAL(pr.key.dst_port, 80);
    CU_ASSERT(vsw_csum_ipv4_verify(f.b + 14, 24));
}

static void
test_parse_ipv4_padding_after_datagram_is_ignored(void)
{
    struct fb f;
    struct vsw_parse_result pr;
    size_t ip;

    eth(&f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(&f, VSW_IPPROTO_UDP, NULL, 0, 0);
    udp(&f, 1, 2, 2);
    ipv4_done(&f, ip);
    zeros(&f, 60 - f.n);            /* Ethernet minimum */
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.l3_end, 14 + 20 + 10);
    CU_ASSERT_EQUAL(pr.payload_ofs, 42);
}

static void
test_parse_ipv4_first_fragment_has_transport(void)
{
    struct fb f;
    struct vsw_parse_result pr;
    size_t ip;

    eth(&f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(&f, VSW_IPPROTO_UDP, NULL, 0, VSW_IPV4_MF);
    udp(&f, 53, 1024, 100);
    ipv4_done(&f, ip);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.ip_frag, VSW_FRAG_ANY);
    CU_ASSERT(pr.has_l4);
    CU_ASSERT(pr.key.has_ports);
    CU_ASSERT_EQUAL(pr.key.src_port, 53);
}

static void
test_parse_ipv4_later_fragment_has_no_transport(void)
{
    struct fb f;
    struct vsw_parse_result pr;
    size_t ip;

    eth(&f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(&f, VSW_IPPROTO_TCP, NULL, 0, 185);   /* offset 1480 */
    zeros(&f, 3);                   /* not even a TCP header */
    ipv4_done(&f, ip);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.ip_frag, VSW_FRAG_ANY | VSW_FRAG_LATER);
    CU_ASSERT(!pr.has_l4);
    CU_ASSERT(!pr.key.has_ports);
    CU_ASSERT_EQUAL(pr.key.ip_proto, VSW_IPPROTO_TCP);
}

static void
test_parse_ipv4_icmp_type_and_code(void)
{
    struct fb f;
    struct vsw_parse_result pr;
    size_t ip;

    eth(&f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(&f, VSW_IPPROTO_ICMP, NULL, 0, 0);
    put8(&f, 8);
    put8(&f, 0);
    zeros(&f, 6);
    ipv4_done(&f, ip);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT(pr.has_l4);
    CU_ASSERT(!pr.key.has_ports);
    CU_ASSERT_EQUAL(pr.key.icmp_type, 8);
    CU_ASSERT_EQUAL(pr.l4_hdr_len, 8);
}

static void
test_parse_arp_fills_addresses_and_op(void)
{
    struct fb f;
    struct vsw_parse_result pr;

    eth(&f, NULL, 0, VSW_ETH_TYPE_ARP);
    put16(&f, 1);
    put16(&f, 0x0800);
    put8(&f, 6);
    put8(&f, 4);
    put16(&f, VSW_ARP_OP_REQUEST);
    put(&f, MAC_A, 6);
    put(&f, IP4_A, 4);
    zeros(&f, 6);
    put(&f, IP4_B, 4);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.ethertype, VSW_ETH_TYPE_ARP);
    CU_ASSERT_EQUAL(pr.key.ip_version, 0);
    CU_ASSERT_EQUAL(pr.key.arp_op, VSW_ARP_OP_REQUEST);
    CU_ASSERT(!memcmp(pr.key.src_ip + 12, IP4_A, 4));
    CU_ASSERT(!memcmp(pr.key.dst_ip + 12, IP4_B, 4));
    CU_ASSERT(!pr.has_l3);
}

static void
test_parse_unknown_ethertype_stops_after_l2(void)
{
    struct fb f;
    struct vsw_parse_result pr;

    eth(&f, NULL, 0, 0x88b5);
    zeros(&f, 46);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.ethertype, 0x88b5);
    CU_ASSERT_EQUAL(pr.key.ip_version, 0);
    CU_ASSERT(!pr.has_l3);
}

static void
test_parse_8021q_tag_gives_vid_and_pcp(void)
{
    static const uint16_t tag[] = { 0x8100, 5 << 13 | 100 };
    struct fb f;
    struct vsw_parse_result pr;
    size_t ip;

    eth(&f, tag, 1, VSW_ETH_TYPE_IPV4);
    ip = ipv4(&f, VSW_IPPROTO_UDP, NULL, 0, 0);
    udp(&f, 1, 2, 4);
    ipv4_done(&f, ip);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.n_tags, 1);
    CU_ASSERT(pr.key.vlan_present);
    CU_ASSERT_EQUAL(pr.key.vlan_id, 100);
    CU_ASSERT_EQUAL(pr.key.vlan_pcp, 5);
    CU_ASSERT(!pr.key.svlan_present);
    CU_ASSERT_EQUAL(pr.l3_ofs, 18);
    CU_ASSERT_EQUAL(pr.key.ethertype, VSW_ETH_TYPE_IPV4);
}

static void
test_parse_vid0_priority_tag_is_present_with_vid_0(void)
{
    static const uint16_t tag[] = { 0x8100, 3 << 13 };
    struct fb f;
    struct vsw_parse_result pr;

    eth(&f, tag, 1, 0x88b5);
    zeros(&f, 42);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT(pr.key.vlan_present);
    CU_ASSERT_EQUAL(pr.key.vlan_id, 0);
    CU_ASSERT_EQUAL(pr.key.vlan_pcp, 3);
}

static void
test_parse_qinq_outer_stag_is_recognised(void)
{
    static const uint16_t tags[] = { 0x88a8, 200, 0x8100, 2 << 13 | 10 };
    struct fb f;
    struct vsw_parse_result pr;
    size_t ip;

    eth(&f, tags, 2, VSW_ETH_TYPE_IPV4);
    ip = ipv4(&f, VSW_IPPROTO_UDP, NULL, 0, 0);
    udp(&f, 1, 2, 4);
    ipv4_done(&f, ip);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.n_tags, 2);
    CU_ASSERT(pr.key.svlan_present);
    CU_ASSERT_EQUAL(pr.key.svlan_id, 200);
    CU_ASSERT(pr.key.vlan_present);
    CU_ASSERT_EQUAL(pr.key.vlan_id, 10);
    CU_ASSERT_EQUAL(pr.key.vlan_pcp, 2);
    CU_ASSERT_EQUAL(pr.l3_ofs, 22);
    CU_ASSERT(pr.has_l4);
}

static void
test_parse_lone_stag_is_not_a_cvlan(void)
{
    static const uint16_t tag[] = { 0x88a8, 300 };
    struct fb f;
    struct vsw_parse_result pr;

    eth(&f, tag, 1, 0x88b5);
    zeros(&f, 42);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT(pr.key.svlan_present);
    CU_ASSERT_EQUAL(pr.key.svlan_id, 300);
    CU_ASSERT(!pr.key.vlan_present);
}

static void
build_ipv6_udp_ext_chain(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(f, VSW_IPPROTO_HOPOPTS);
    ext(f, VSW_IPPROTO_DSTOPTS, 0);
    ext(f, VSW_IPPROTO_ROUTING, 1);
    ext(f, VSW_IPPROTO_FRAGMENT, 0);
    frag6(f, VSW_IPPROTO_AH, 0, true);
    put8(f, VSW_IPPROTO_UDP);       /* AH, 16 bytes: len (16 / 4) - 2 */
    put8(f, 2);
    zeros(f, 14);
    udp(f, 547, 546, 20);
    ipv6_done(f, ip);
}

static void
test_parse_ipv6_extension_chain_reaches_udp(void)
{
    struct fb f;
    struct vsw_parse_result pr;

    build_ipv6_udp_ext_chain(&f);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.ip_version, 6);
    CU_ASSERT_EQUAL(pr.key.ip_proto, VSW_IPPROTO_UDP);
    CU_ASSERT_EQUAL(pr.l3_hdr_len, 40 + 8 + 8 + 16 + 8 + 16);
    CU_ASSERT_EQUAL(pr.l4_ofs, 14 + 96);
    CU_ASSERT_EQUAL(pr.key.ip_frag, VSW_FRAG_ANY);
    CU_ASSERT_EQUAL(pr.ipv6_frag_ofs, 14 + 40 + 8 + 8 + 16);
    CU_ASSERT(!memcmp(pr.key.src_ip, IP6_A, 16));
    CU_ASSERT(!memcmp(pr.key.dst_ip, IP6_B, 16));
    CU_ASSERT(pr.key.has_ports);
    CU_ASSERT(vsw_parse_is_dhcp_server(&pr));
}

static void
test_parse_ipv6_later_fragment_has_no_transport(void)
{
    struct fb f;
    struct vsw_parse_result pr;
    size_t ip;

    eth(&f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(&f, VSW_IPPROTO_FRAGMENT);
    frag6(&f, VSW_IPPROTO_TCP, 100, false);
    zeros(&f, 5);
    ipv6_done(&f, ip);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.ip_frag, VSW_FRAG_ANY | VSW_FRAG_LATER);
    CU_ASSERT_EQUAL(pr.key.ip_proto, VSW_IPPROTO_TCP);
    CU_ASSERT(!pr.has_l4);
}

static void
test_parse_ipv6_esp_and_no_next_stop_parsing(void)
{
    struct fb f;
    struct vsw_parse_result pr;
    size_t ip;

    eth(&f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(&f, VSW_IPPROTO_DSTOPTS);
    ext(&f, VSW_IPPROTO_ESP, 0);
    zeros(&f, 30);
    ipv6_done(&f, ip);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.ip_proto, VSW_IPPROTO_ESP);
    CU_ASSERT(!pr.has_l4);

    eth(&f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(&f, VSW_IPPROTO_NONE);
    ipv6_done(&f, ip);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.ip_proto, VSW_IPPROTO_NONE);
    CU_ASSERT(!pr.has_l4);
}

static void
test_parse_ipv6_tcp_with_options(void)
{
    struct fb f;
    struct vsw_parse_result pr;
    size_t ip;

    eth(&f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(&f, VSW_IPPROTO_TCP);
    tcp(&f, 22, 50000, VSW_TCP_SYN, true);
    ipv6_done(&f, ip);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.src_port, 22);
    CU_ASSERT_EQUAL(pr.key.tcp_flags, VSW_TCP_SYN);
    CU_ASSERT_EQUAL(pr.l4_hdr_len, 32);
    CU_ASSERT_EQUAL(pr.payload_ofs, f.n);
}

/* An ICMPv6 message of type 'type'. */
static void
build_icmpv6(struct fb *f, uint8_t type)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(f, VSW_IPPROTO_ICMPV6);
    put8(f, type);
    put8(f, 0);
    zeros(f, 14);
    ipv6_done(f, ip);
}

static void
test_parse_router_advert_and_redirect_are_router_messages(void)
{
    static const struct {
        uint8_t type;
        bool router;
    } cases[] = {
        { 134, true }, { 137, true }, { 133, false }, { 135, false },
        { 136, false }, { 128, false },
    };
    struct fb f;
    struct vsw_parse_result pr;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        build_icmpv6(&f, cases[i].type);
        CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
        CU_ASSERT_EQUAL(pr.key.icmp_type, cases[i].type);
        CU_ASSERT_EQUAL(vsw_parse_is_router_msg(&pr), cases[i].router);
        CU_ASSERT(!vsw_parse_is_dhcp_server(&pr));
    }
}

static void
test_parse_dhcp_server_is_udp_67_to_68_only(void)
{
    static const struct {
        uint16_t sport, dport;
        bool server;
    } cases[] = {
        { 67, 68, true }, { 68, 67, false }, { 67, 67, false },
        { 53, 68, false },
    };
    struct fb f;
    struct vsw_parse_result pr;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t ip;

        eth(&f, NULL, 0, VSW_ETH_TYPE_IPV4);
        ip = ipv4(&f, VSW_IPPROTO_UDP, NULL, 0, 0);
        udp(&f, cases[i].sport, cases[i].dport, 8);
        ipv4_done(&f, ip);
        CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
        CU_ASSERT_EQUAL(vsw_parse_is_dhcp_server(&pr), cases[i].server);
        CU_ASSERT(!vsw_parse_is_router_msg(&pr));
    }
}

static void
test_parse_acl_input_copies_key(void)
{
    struct fb f;
    struct vsw_parse_result pr;
    struct vsw_acl_match_input in;

    build_ipv4_tcp(&f, false, false);
    CU_ASSERT_EQUAL_FATAL(parse(&f, &pr), VSW_PARSE_OK);
    vsw_parse_acl_input(&pr, &in);
    CU_ASSERT(!memcmp(in.src_mac, MAC_A, 6));
    CU_ASSERT(!memcmp(in.dst_mac, MAC_B, 6));
    CU_ASSERT_EQUAL(in.ethertype, VSW_ETH_TYPE_IPV4);
    CU_ASSERT_EQUAL(in.ip_version, 4);
    CU_ASSERT_EQUAL(in.ip_proto, VSW_IPPROTO_TCP);
    CU_ASSERT(in.has_ports);
    CU_ASSERT_EQUAL(in.src_port, 40000);
    CU_ASSERT_EQUAL(in.dst_port, 80);
    CU_ASSERT(!memcmp(in.src_ip, pr.key.src_ip, 16));
    CU_ASSERT(!memcmp(in.dst_ip + 12, IP4_B, 4));
    CU_ASSERT_EQUAL(in.vlan, 0);
}

/* ------------------------------------------------------------------ */
/* Malformed frames. */

/* Each case builds a frame and names the reason it must be refused. */
struct bad_case {
    const char *what;
    void (*build)(struct fb *);
    enum vsw_parse_error error;
};

static void
bad_short_eth(struct fb *f)
{
    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    f->n = 13;
}

static void
bad_vlan_cut(struct fb *f)
{
    eth(f, NULL, 0, VSW_ETH_TYPE_VLAN);
    put8(f, 0);
    put8(f, 5);
    put8(f, 0x08);
}

static void
bad_three_tags(struct fb *f)
{
    static const uint16_t tags[] = { 0x88a8, 1, 0x8100, 2, 0x8100, 3 };
    eth(f, tags, 3, VSW_ETH_TYPE_IPV4);
    zeros(f, 40);
}

static void
bad_arp_cut(struct fb *f)
{
    eth(f, NULL, 0, VSW_ETH_TYPE_ARP);
    put16(f, 1);
    put16(f, 0x0800);
    put8(f, 6);
    put8(f, 4);
    put16(f, 1);
    zeros(f, 19);
}

static void
bad_ipv4_cut(struct fb *f)
{
    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    zeros(f, 19);
    f->b[14] = 0x45;
}

static void
bad_ipv4_version(struct fb *f)
{
    build_ipv4_tcp(f, false, false);
    f->b[14] = 0x65;
}

static void
bad_ipv4_ihl(struct fb *f)
{
    build_ipv4_tcp(f, false, false);
    f->b[14] = 0x44;
}

static void
bad_ipv4_ihl_past_end(struct fb *f)
{
    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ipv4(f, VSW_IPPROTO_UDP, NULL, 0, 0);
    f->b[14] = 0x4f;                /* 60 bytes of header, 20 present */
    vsw_put_be16(f->b + 16, 20);
}

static void
bad_ipv4_total_len_short(struct fb *f)
{
    build_ipv4_tcp(f, false, false);
    vsw_put_be16(f->b + 16, 19);
}

static void
bad_ipv4_total_len_long(struct fb *f)
{
    build_ipv4_tcp(f, false, false);
    vsw_put_be16(f->b + 16, (uint16_t) (f->n - 14 + 1));
}

static void
bad_ipv4_option_len(struct fb *f)
{
    static const uint8_t opt[4] = { 0x94, 9, 0, 0 };  /* length 9 > 4 */
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_UDP, opt, 4, 0);
    udp(f, 1, 2, 0);
    ipv4_done(f, ip);
}

static void
bad_ipv4_option_len_one(struct fb *f)
{
    static const uint8_t opt[4] = { 1, 0x44, 1, 0 };  /* length 1 */
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_UDP, opt, 4, 0);
    udp(f, 1, 2, 0);
    ipv4_done(f, ip);
}

static void
bad_ipv4_fragment_past_64k(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_UDP, NULL, 0, 0x1fff);  /* offset 65528 */
    zeros(f, 16);
    ipv4_done(f, ip);
}

static void
bad_ipv6_cut(struct fb *f)
{
    eth(f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ipv6(f, VSW_IPPROTO_NONE);
    f->n--;
}

static void
bad_ipv6_version(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(f, VSW_IPPROTO_NONE);
    ipv6_done(f, ip);
    f->b[14] = 0x40;
}

static void
bad_ipv6_payload_len(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(f, VSW_IPPROTO_UDP);
    udp(f, 1, 2, 4);
    ipv6_done(f, ip);
    f->n--;
}

static void
bad_ipv6_ext_cut(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(f, VSW_IPPROTO_ROUTING);
    put8(f, VSW_IPPROTO_UDP);
    put8(f, 2);                     /* 24 bytes, 8 present */
    zeros(f, 6);
    ipv6_done(f, ip);
}

static void
bad_ipv6_hopopts_second(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(f, VSW_IPPROTO_DSTOPTS);
    ext(f, VSW_IPPROTO_HOPOPTS, 0);
    ext(f, VSW_IPPROTO_NONE, 0);
    ipv6_done(f, ip);
}

static void
bad_ipv6_long_chain(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(f, VSW_IPPROTO_DSTOPTS);
    for (int i = 0; i < VSW_PARSE_MAX_EXT + 1; i++) {
        ext(f, VSW_IPPROTO_DSTOPTS, 0);
    }
    ext(f, VSW_IPPROTO_NONE, 0);
    ipv6_done(f, ip);
}

static void
bad_tcp_cut(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_TCP, NULL, 0, 0);
    zeros(f, 19);
    ipv4_done(f, ip);
}

static void
bad_tcp_doff(struct fb *f)
{
    build_ipv4_tcp(f, false, false);
    f->b[34 + 12] = 4 << 4;
}

static void
bad_tcp_doff_past_end(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_TCP, NULL, 0, 0);
    tcp(f, 1, 2, 0, false);
    f->b[34 + 12] = 6 << 4;
    ipv4_done(f, ip);
}

static void
bad_tcp_option_len(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_TCP, NULL, 0, 0);
    tcp(f, 1, 2, 0, true);
    f->b[34 + 20 + 3] = 13;         /* timestamp length past the header */
    ipv4_done(f, ip);
}

static void
bad_udp_cut(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_UDP, NULL, 0, 0);
    zeros(f, 7);
    ipv4_done(f, ip);
}

static void
bad_udp_len_long(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_UDP, NULL, 0, 0);
    udp(f, 1, 2, 4);
    vsw_put_be16(f->b + 34 + 4, 13);
    ipv4_done(f, ip);
}

static void
bad_udp_len_short(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_UDP, NULL, 0, 0);
    udp(f, 1, 2, 4);
    vsw_put_be16(f->b + 34 + 4, 7);
    ipv4_done(f, ip);
}

static void
bad_icmp_cut(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(f, VSW_IPPROTO_ICMP, NULL, 0, 0);
    zeros(f, 7);
    ipv4_done(f, ip);
}

static void
bad_icmpv6_cut(struct fb *f)
{
    size_t ip;

    eth(f, NULL, 0, VSW_ETH_TYPE_IPV6);
    ip = ipv6(f, VSW_IPPROTO_ICMPV6);
    zeros(f, 3);
    ipv6_done(f, ip);
}

static const struct bad_case bad_cases[] = {
    { "13-byte frame", bad_short_eth, VSW_PARSE_ERR_ETH_TRUNCATED },
    { "tag cut", bad_vlan_cut, VSW_PARSE_ERR_VLAN_TRUNCATED },
    { "three tags", bad_three_tags, VSW_PARSE_ERR_TOO_MANY_TAGS },
    { "ARP cut", bad_arp_cut, VSW_PARSE_ERR_ARP_TRUNCATED },
    { "IPv4 19 bytes", bad_ipv4_cut, VSW_PARSE_ERR_IPV4_TRUNCATED },
    { "IPv4 version 6", bad_ipv4_version, VSW_PARSE_ERR_IPV4_BAD_VERSION },
    { "IPv4 IHL 4", bad_ipv4_ihl, VSW_PARSE_ERR_IPV4_BAD_IHL },
    { "IPv4 IHL 15, 20 bytes", bad_ipv4_ihl_past_end,
      VSW_PARSE_ERR_IPV4_HDR_TRUNCATED },
    { "IPv4 total length < IHL", bad_ipv4_total_len_short,
      VSW_PARSE_ERR_IPV4_BAD_TOTAL_LEN },
    { "IPv4 total length past end", bad_ipv4_total_len_long,
      VSW_PARSE_ERR_IPV4_BAD_TOTAL_LEN },
    { "IPv4 option too long", bad_ipv4_option_len,
      VSW_PARSE_ERR_IPV4_BAD_OPTIONS },
    { "IPv4 option length 1", bad_ipv4_option_len_one,
      VSW_PARSE_ERR_IPV4_BAD_OPTIONS },
    { "IPv4 fragment past 64 KiB", bad_ipv4_fragment_past_64k,
      VSW_PARSE_ERR_IPV4_BAD_FRAGMENT },
    { "IPv6 39 bytes", bad_ipv6_cut, VSW_PARSE_ERR_IPV6_TRUNCATED },
    { "IPv6 version 4", bad_ipv6_version, VSW_PARSE_ERR_IPV6_BAD_VERSION },
    { "IPv6 payload past end", bad_ipv6_payload_len,
      VSW_PARSE_ERR_IPV6_BAD_PAYLOAD_LEN },
    { "IPv6 routing header cut", bad_ipv6_ext_cut,
      VSW_PARSE_ERR_IPV6_EXT_TRUNCATED },
    { "IPv6 hop-by-hop second", bad_ipv6_hopopts_second,
      VSW_PARSE_ERR_IPV6_HOPOPTS_NOT_FIRST },
    { "IPv6 ten ext headers", bad_ipv6_long_chain,
      VSW_PARSE_ERR_IPV6_TOO_MANY_EXT },
    { "TCP 19 bytes", bad_tcp_cut, VSW_PARSE_ERR_TCP_TRUNCATED },
    { "TCP doff 4", bad_tcp_doff, VSW_PARSE_ERR_TCP_BAD_DOFF },
    { "TCP doff past end", bad_tcp_doff_past_end,
      VSW_PARSE_ERR_TCP_HDR_TRUNCATED },
    { "TCP option too long", bad_tcp_option_len,
      VSW_PARSE_ERR_TCP_BAD_OPTIONS },
    { "UDP 7 bytes", bad_udp_cut, VSW_PARSE_ERR_UDP_TRUNCATED },
    { "UDP length past end", bad_udp_len_long, VSW_PARSE_ERR_UDP_BAD_LEN },
    { "UDP length 7", bad_udp_len_short, VSW_PARSE_ERR_UDP_BAD_LEN },
    { "ICMP 7 bytes", bad_icmp_cut, VSW_PARSE_ERR_ICMP_TRUNCATED },
    { "ICMPv6 3 bytes", bad_icmpv6_cut, VSW_PARSE_ERR_ICMPV6_TRUNCATED },
};

static void
test_parse_malformed_frames_give_their_reason(void)
{
    bool seen[VSW_PARSE_N_ERRORS] = { false };

    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        struct fb f;
        struct vsw_parse_result pr;
        enum vsw_parse_error e;

        bad_cases[i].build(&f);
        e = parse(&f, &pr);
        if (e != bad_cases[i].error) {
            fprintf(stderr, "case '%s': got %s, want %s\n", bad_cases[i].what,
                    vsw_parse_error_name(e),
                    vsw_parse_error_name(bad_cases[i].error));
        }
        CU_ASSERT_EQUAL(e, bad_cases[i].error);
        seen[bad_cases[i].error] = true;
    }
    /* Every reason is reachable. */
    for (int e = 1; e < VSW_PARSE_N_ERRORS; e++) {
        CU_ASSERT(seen[e]);
    }
}

static void
test_parse_error_names_are_distinct(void)
{
    for (int a = 0; a < VSW_PARSE_N_ERRORS; a++) {
        const char *na = vsw_parse_error_name((enum vsw_parse_error) a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(na);
        CU_ASSERT_STRING_NOT_EQUAL(na, "unknown");
        for (int b = 0; b < a; b++) {
            CU_ASSERT_STRING_NOT_EQUAL(
                na, vsw_parse_error_name((enum vsw_parse_error) b));
        }
    }
    CU_ASSERT_STRING_EQUAL(vsw_parse_error_name(VSW_PARSE_OK), "ok");
    CU_ASSERT_STRING_EQUAL(
        vsw_parse_error_name((enum vsw_parse_error) VSW_PARSE_N_ERRORS),
        "unknown");
}

/* ------------------------------------------------------------------ */
/* Truncation sweep. */

static void
sweep(const struct fb *f)
{
    struct vsw_parse_result pr;

    CU_ASSERT_EQUAL(vsw_parse_bytes(f->b, f->n, 0, &pr), VSW_PARSE_OK);
    for (size_t n = 0; n < f->n; n++) {
        /* An exact-size heap copy: ASan sees any read past 'n'. */
        uint8_t *copy = malloc(n ? n : 1);
        enum vsw_parse_error e;

        CU_ASSERT_FATAL(copy != NULL);
        memcpy(copy, f->b, n);
        e = vsw_parse_bytes(copy, n, 0, &pr);
        CU_ASSERT((unsigned) e < VSW_PARSE_N_ERRORS);
        if (n < 14) {
            CU_ASSERT_EQUAL(e, VSW_PARSE_ERR_ETH_TRUNCATED);
        }
        e = vsw_parse_bytes(copy, n, VSW_PARSE_F_LSO, &pr);
        CU_ASSERT((unsigned) e < VSW_PARSE_N_ERRORS);
        free(copy);
    }
}

static void
test_parse_every_prefix_of_valid_frames_is_safe(void)
{
    static const uint16_t tags[] = { 0x88a8, 7, 0x8100, 9 };
    struct fb f;
    size_t ip;

    build_ipv4_tcp(&f, true, true);
    sweep(&f);
    build_ipv6_udp_ext_chain(&f);
    sweep(&f);
    build_icmpv6(&f, 134);
    sweep(&f);
    eth(&f, tags, 2, VSW_ETH_TYPE_IPV4);
    ip = ipv4(&f, VSW_IPPROTO_ICMP, NULL, 0, 0);
    zeros(&f, 8);
    ipv4_done(&f, ip);
    sweep(&f);
    test_parse_arp_fills_addresses_and_op();
}

/* A truncated frame never parses as OK with a transport it does not
 * fully contain: for each prefix that parses, the layers lie within it. */
static void
test_parse_offsets_always_lie_within_the_frame(void)
{
    struct fb f;

    build_ipv6_udp_ext_chain(&f);
    for (size_t n = 0; n <= f.n; n++) {
        struct vsw_parse_result pr;
        if (vsw_parse_bytes(f.b, n, 0, &pr) == VSW_PARSE_OK) {
            CU_ASSERT(pr.l3_end <= n);
            CU_ASSERT(pr.payload_ofs <= n);
        }
    }
}

/* ------------------------------------------------------------------ */
/* The packet buffer. */

static void
test_pkt_from_bytes_copies_with_headroom(void)
{
    uint8_t bytes[60];
    struct vsw_pkt *p;

    for (size_t i = 0; i < sizeof bytes; i++) {
        bytes[i] = (uint8_t) i;
    }
    p = vsw_pkt_from_bytes(bytes, sizeof bytes);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(vsw_pkt_len(p), 60);
    CU_ASSERT(!memcmp(vsw_pkt_data_const(p), bytes, 60));
    CU_ASSERT_EQUAL(vsw_pkt_headroom(p), VSW_PKT_DEFAULT_HEADROOM);
    CU_ASSERT_FALSE(p->oob.vlan_present);
    CU_ASSERT_EQUAL(p->oob.lso_mss, 0);
    CU_ASSERT_EQUAL(p->l3_ofs, VSW_PKT_OFS_NONE);
    vsw_pkt_free(p);
    vsw_pkt_free(NULL);
}

static void
test_pkt_push_pull_put_respect_bounds(void)
{
    struct vsw_pkt *p = vsw_pkt_alloc(10, 4);

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(vsw_pkt_len(p), 0);
    CU_ASSERT_PTR_NOT_NULL(vsw_pkt_put(p, 10));
    CU_ASSERT_PTR_NULL(vsw_pkt_put(p, 1));
    CU_ASSERT_PTR_NOT_NULL(vsw_pkt_push(p, 4));
    CU_ASSERT_EQUAL(vsw_pkt_len(p), 14);
    CU_ASSERT_PTR_NULL(vsw_pkt_push(p, 1));
    CU_ASSERT_PTR_NULL(vsw_pkt_pull(p, 15));
    CU_ASSERT_PTR_NOT_NULL(vsw_pkt_pull(p, 14));
    CU_ASSERT_EQUAL(vsw_pkt_len(p), 0);
    CU_ASSERT_EQUAL(vsw_pkt_set_len(p, 1), EINVAL);   /* all headroom */
    CU_ASSERT_PTR_NOT_NULL(vsw_pkt_push(p, 14));
    CU_ASSERT_EQUAL(vsw_pkt_set_len(p, 3), 0);
    CU_ASSERT_EQUAL(vsw_pkt_len(p), 3);
    CU_ASSERT_EQUAL(vsw_pkt_set_len(p, 14), 0);
    CU_ASSERT_EQUAL(vsw_pkt_set_len(p, 15), EINVAL);
    vsw_pkt_free(p);
}

static void
test_pkt_strip_vlan_moves_tag_out_of_band(void)
{
    static const uint16_t tag[] = { 0x8100, 6 << 13 | 0x1000 | 42 };
    struct fb f, g;
    struct vsw_pkt *p;
    size_t ip;

    eth(&f, tag, 1, VSW_ETH_TYPE_IPV4);
    ip = ipv4(&f, VSW_IPPROTO_UDP, NULL, 0, 0);
    udp(&f, 1, 2, 10);
    ipv4_done(&f, ip);
    eth(&g, NULL, 0, VSW_ETH_TYPE_IPV4);
    put(&g, f.b + 18, f.n - 18);

    p = vsw_pkt_from_bytes(f.b, f.n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(vsw_pkt_strip_vlan(p), 0);
    CU_ASSERT_EQUAL(vsw_pkt_len(p), g.n);
    CU_ASSERT(!memcmp(vsw_pkt_data_const(p), g.b, g.n));
    CU_ASSERT(p->oob.vlan_present);
    CU_ASSERT_EQUAL(p->oob.vlan_id, 42);
    CU_ASSERT_EQUAL(p->oob.priority, 6);
    CU_ASSERT(p->oob.dei);
    /* No tag left: EINVAL, nothing changed. */
    CU_ASSERT_EQUAL(vsw_pkt_strip_vlan(p), EINVAL);
    CU_ASSERT_EQUAL(vsw_pkt_len(p), g.n);
    vsw_pkt_free(p);
}

static void
test_pkt_insert_vlan_writes_tag_after_macs(void)
{
    struct fb f;
    struct vsw_pkt *p;
    struct vsw_parse_result pr;
    size_t ip;

    eth(&f, NULL, 0, VSW_ETH_TYPE_IPV4);
    ip = ipv4(&f, VSW_IPPROTO_UDP, NULL, 0, 0);
    udp(&f, 1, 2, 10);
    ipv4_done(&f, ip);
    p = vsw_pkt_from_bytes(f.b, f.n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(vsw_pkt_insert_vlan(p, 4095, 8), EINVAL);
    CU_ASSERT_EQUAL(vsw_pkt_insert_vlan(p, 4096, 0), EINVAL);
    CU_ASSERT_EQUAL(vsw_pkt_insert_vlan(p, 300, 7), 0);
    CU_ASSERT_EQUAL(vsw_pkt_len(p), f.n + 4);
    CU_ASSERT(!memcmp(vsw_pkt_data_const(p), f.b, 12));
    CU_ASSERT_EQUAL(vsw_get_be16(vsw_pkt_data_const(p) + 12), 0x8100);
    CU_ASSERT_EQUAL(vsw_get_be16(vsw_pkt_data_const(p) + 14), 7 << 13 | 300);
    CU_ASSERT(!memcmp(vsw_pkt_data_const(p) + 16, f.b + 12, f.n - 12));
    CU_ASSERT_FALSE(p->oob.vlan_present);
    CU_ASSERT_EQUAL_FATAL(vsw_parse(p, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.key.vlan_id, 300);
    CU_ASSERT_EQUAL(p->l3_ofs, 18);
    CU_ASSERT_EQUAL(p->l4_ofs, 38);
    CU_ASSERT_EQUAL(p->payload_ofs, 46);
    vsw_pkt_free(p);
}

static void
test_pkt_insert_vlan_without_headroom_reallocates(void)
{
    struct fb f;
    struct vsw_pkt *p;

    eth(&f, NULL, 0, 0x88b5);
    zeros(&f, 46);
    p = vsw_pkt_alloc(f.n, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(vsw_pkt_put(p, f.n), f.b, f.n);

    vsw_alloc_fail_after(0);
    CU_ASSERT_EQUAL(vsw_pkt_insert_vlan(p, 5, 0), ENOMEM);
    vsw_alloc_fail_reset();
    CU_ASSERT_EQUAL(vsw_pkt_len(p), f.n);
    CU_ASSERT(!memcmp(vsw_pkt_data_const(p), f.b, f.n));

    CU_ASSERT_EQUAL(vsw_pkt_insert_vlan(p, 5, 0), 0);
    CU_ASSERT_EQUAL(vsw_pkt_insert_vlan(p, 6, 0), 0);   /* a second tag */
    CU_ASSERT_EQUAL(vsw_pkt_len(p), f.n + 8);
    CU_ASSERT_EQUAL(vsw_get_be16(vsw_pkt_data_const(p) + 14), 6);
    CU_ASSERT_EQUAL(vsw_get_be16(vsw_pkt_data_const(p) + 18), 5);
    CU_ASSERT_EQUAL(vsw_pkt_strip_vlan(p), 0);
    CU_ASSERT_EQUAL(p->oob.vlan_id, 6);
    vsw_pkt_free(p);
}

static void
test_pkt_clone_is_deep(void)
{
    uint8_t bytes[64] = { 1, 2, 3 };
    struct vsw_pkt *p = vsw_pkt_from_bytes(bytes, sizeof bytes);
    struct vsw_pkt *c;

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p->oob.vlan_present = true;
    p->oob.vlan_id = 77;
    p->oob.lso_mss = 1448;
    p->oob.cookie = 99;
    c = vsw_pkt_clone(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT(c->buf != p->buf);
    CU_ASSERT_EQUAL(vsw_pkt_len(c), 64);
    CU_ASSERT(!memcmp(vsw_pkt_data_const(c), bytes, 64));
    CU_ASSERT_EQUAL(c->oob.vlan_id, 77);
    CU_ASSERT_EQUAL(c->oob.lso_mss, 1448);
    CU_ASSERT_EQUAL(c->oob.cookie, 99);
    vsw_pkt_data(c)[0] = 0xee;
    CU_ASSERT_EQUAL(vsw_pkt_data_const(p)[0], 1);
    vsw_pkt_free(c);

    vsw_alloc_fail_after(0);
    CU_ASSERT_PTR_NULL(vsw_pkt_clone(p));
    CU_ASSERT_PTR_NULL(vsw_pkt_from_bytes(bytes, 10));
    vsw_alloc_fail_reset();
    vsw_pkt_free(p);
}

static void
test_parse_packet_takes_oob_vlan_and_lso_length_zero(void)
{
    struct fb f;
    struct vsw_pkt *p;
    struct vsw_parse_result pr;

    build_ipv4_tcp(&f, false, false);
    vsw_put_be16(f.b + 16, 0);      /* LSOv2: IP total length 0 */
    p = vsw_pkt_from_bytes(f.b, f.n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(vsw_parse(p, &pr), VSW_PARSE_ERR_IPV4_BAD_TOTAL_LEN);
    CU_ASSERT_EQUAL(p->l3_ofs, VSW_PKT_OFS_NONE);
    p->oob.lso_mss = 100;
    p->oob.lso_version = 2;
    p->oob.vlan_present = true;
    p->oob.vlan_id = 12;
    CU_ASSERT_EQUAL(vsw_parse(p, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.l3_end, f.n);
    CU_ASSERT(pr.key.vlan_present);
    CU_ASSERT_EQUAL(pr.key.vlan_id, 12);
    vsw_pkt_free(p);
}

static const struct cutest_case parse_cases[] = {
    CUTEST(test_parse_ipv4_tcp_fills_key_and_offsets),
    CUTEST(test_parse_ipv4_options_are_skipped),
    CUTEST(test_parse_ipv4_padding_after_datagram_is_ignored),
    CUTEST(test_parse_ipv4_first_fragment_has_transport),
    CUTEST(test_parse_ipv4_later_fragment_has_no_transport),
    CUTEST(test_parse_ipv4_icmp_type_and_code),
    CUTEST(test_parse_arp_fills_addresses_and_op),
    CUTEST(test_parse_unknown_ethertype_stops_after_l2),
    CUTEST(test_parse_8021q_tag_gives_vid_and_pcp),
    CUTEST(test_parse_vid0_priority_tag_is_present_with_vid_0),
    CUTEST(test_parse_qinq_outer_stag_is_recognised),
    CUTEST(test_parse_lone_stag_is_not_a_cvlan),
    CUTEST(test_parse_ipv6_extension_chain_reaches_udp),
    CUTEST(test_parse_ipv6_later_fragment_has_no_transport),
    CUTEST(test_parse_ipv6_esp_and_no_next_stop_parsing),
    CUTEST(test_parse_ipv6_tcp_with_options),
    CUTEST(test_parse_router_advert_and_redirect_are_router_messages),
    CUTEST(test_parse_dhcp_server_is_udp_67_to_68_only),
    CUTEST(test_parse_acl_input_copies_key),
    CUTEST(test_parse_malformed_frames_give_their_reason),
    CUTEST(test_parse_error_names_are_distinct),
    CUTEST(test_parse_every_prefix_of_valid_frames_is_safe),
    CUTEST(test_parse_offsets_always_lie_within_the_frame),
    CUTEST(test_parse_packet_takes_oob_vlan_and_lso_length_zero),
    CUTEST_END
};

static const struct cutest_case pkt_cases[] = {
    CUTEST(test_pkt_from_bytes_copies_with_headroom),
    CUTEST(test_pkt_push_pull_put_respect_bounds),
    CUTEST(test_pkt_strip_vlan_moves_tag_out_of_band),
    CUTEST(test_pkt_insert_vlan_writes_tag_after_macs),
    CUTEST(test_pkt_insert_vlan_without_headroom_reallocates),
    CUTEST(test_pkt_clone_is_deep),
    CUTEST_END
};

CUTEST_MAIN({ "parse", parse_cases }, { "packet", pkt_cases })
