/*
 * test-vsw-acl.c -- the ordered ACL lists of vmswitch/acl.h: each match
 * field at its boundaries (MAC masks, IPv4 and IPv6 prefix edges, port
 * range ends), priority order with insertion-order ties, count-and-continue,
 * default verdicts, immutability across rebuilds, per-position hit
 * counters carried by id, work accounting and allocation failure.
 */
#include <config.h>
#include "vmswitch/acl.h"

#include <errno.h>
#include <string.h>

#include "tests/cutest.h"
#include "vmswitch/alloc.h"

/* A TCP/IPv4 frame 10.1.2.3:1234 -> 192.168.0.9:80 on VLAN 7. */
static struct vsw_acl_match_input
tcp4(void)
{
    struct vsw_acl_match_input in;
    static const uint8_t s[6] = { 0x02, 0, 0, 0, 0, 0x01 };
    static const uint8_t d[6] = { 0x02, 0, 0, 0, 0, 0x02 };

    memset(&in, 0, sizeof in);
    memcpy(in.src_mac, s, 6);
    memcpy(in.dst_mac, d, 6);
    in.vlan = 7;
    in.ethertype = 0x0800;
    in.ip_version = 4;
    in.ip_proto = 6;
    in.has_ports = true;
    in.src_port = 1234;
    in.dst_port = 80;
    in.src_ip[10] = in.src_ip[11] = 0xff;
    in.src_ip[12] = 10; in.src_ip[13] = 1; in.src_ip[14] = 2;
    in.src_ip[15] = 3;
    in.dst_ip[10] = in.dst_ip[11] = 0xff;
    in.dst_ip[12] = 192; in.dst_ip[13] = 168; in.dst_ip[14] = 0;
    in.dst_ip[15] = 9;
    return in;
}

/* A UDP/IPv6 frame 2001:db8::1 -> 2001:db8:0:1::2, port 53. */
static struct vsw_acl_match_input
udp6(void)
{
    struct vsw_acl_match_input in = tcp4();
    static const uint8_t s[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                   0, 0, 0, 0, 0, 0, 0, 1 };
    static const uint8_t d[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
                                   0, 0, 0, 0, 0, 0, 0, 2 };

    in.ethertype = 0x86dd;
    in.ip_version = 6;
    in.ip_proto = 17;
    in.dst_port = 53;
    memcpy(in.src_ip, s, 16);
    memcpy(in.dst_ip, d, 16);
    return in;
}

/* Builds a list holding only 'r' (default allow). */
static struct vsw_acl *
one_rule(const struct vsw_acl_rule *r)
{
    struct vsw_acl *a = NULL;

    CU_ASSERT_FATAL(vsw_acl_with_rule(NULL, r, &a, NULL) == 0);
    return a;
}

/* Does a list holding only 'r' (action DENY) deny 'in'? */
static bool
denies(struct vsw_acl_rule r, const struct vsw_acl_match_input *in)
{
    struct vsw_acl *a;
    struct vsw_acl_result res;

    r.action = VSW_ACL_DENY;
    a = one_rule(&r);
    vsw_acl_eval(a, in, NULL, &res);
    vsw_acl_destroy(a);
    return res.verdict == VSW_ACL_DENY;
}

static void
test_acl_empty_list_allows_and_default_is_configurable(void)
{
    struct vsw_acl_match_input in = tcp4();
    struct vsw_acl_result res;
    struct vsw_acl *a, *b;

    vsw_acl_eval(NULL, &in, NULL, &res);
    CU_ASSERT_EQUAL(res.verdict, VSW_ACL_ALLOW);
    CU_ASSERT_FALSE(res.matched);
    CU_ASSERT_EQUAL(res.rules_evaluated, 0);
    CU_ASSERT_EQUAL(res.rule_index, UINT32_MAX);

    CU_ASSERT_EQUAL_FATAL(vsw_acl_create(VSW_ACL_DENY, &a), 0);
    vsw_acl_eval(a, &in, NULL, &res);
    CU_ASSERT_EQUAL(res.verdict, VSW_ACL_DENY);
    CU_ASSERT_FALSE(res.matched);
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_default(a, VSW_ACL_ALLOW, &b), 0);
    vsw_acl_eval(b, &in, NULL, &res);
    CU_ASSERT_EQUAL(res.verdict, VSW_ACL_ALLOW);
    CU_ASSERT_EQUAL(vsw_acl_default(a), VSW_ACL_DENY);   /* unchanged */
    CU_ASSERT_EQUAL(vsw_acl_with_default(a, VSW_ACL_COUNT, &b), EINVAL);
    CU_ASSERT_EQUAL(vsw_acl_create(VSW_ACL_COUNT, &b), EINVAL);
    vsw_acl_destroy(b);
    vsw_acl_destroy(a);
    vsw_acl_destroy(NULL);
}

static void
test_acl_rule_with_no_fields_matches_everything(void)
{
    struct vsw_acl_rule r;
    struct vsw_acl_match_input in = tcp4();

    vsw_acl_rule_init(&r);
    CU_ASSERT_TRUE(denies(r, &in));
    memset(&in, 0, sizeof in);
    CU_ASSERT_TRUE(denies(r, &in));
}

static void
test_acl_ipv4_prefix_boundaries(void)
{
    struct vsw_acl_match_input in = tcp4();
    struct vsw_acl_rule r;
    static const uint8_t net[4] = { 10, 1, 2, 0 };
    static const uint8_t host[4] = { 10, 1, 2, 3 };
    static const uint8_t other[4] = { 10, 1, 3, 0 };

    vsw_acl_rule_init(&r);
    vsw_acl_rule_src_ipv4(&r, net, 24);
    CU_ASSERT_TRUE(denies(r, &in));         /* 10.1.2.3 in 10.1.2.0/24 */
    vsw_acl_rule_src_ipv4(&r, other, 24);
    CU_ASSERT_FALSE(denies(r, &in));        /* not in 10.1.3.0/24 */
    vsw_acl_rule_src_ipv4(&r, other, 23);
    CU_ASSERT_TRUE(denies(r, &in));         /* in 10.1.2.0/23 */
    vsw_acl_rule_src_ipv4(&r, host, 32);
    CU_ASSERT_TRUE(denies(r, &in));
    vsw_acl_rule_src_ipv4(&r, net, 32);
    CU_ASSERT_FALSE(denies(r, &in));
    vsw_acl_rule_src_ipv4(&r, net, 31);     /* 10.1.2.0/31: .0 and .1 */
    CU_ASSERT_FALSE(denies(r, &in));
    vsw_acl_rule_src_ipv4(&r, (const uint8_t[4]) { 10, 1, 2, 2 }, 31);
    CU_ASSERT_TRUE(denies(r, &in));         /* 10.1.2.2/31: .2 and .3 */
    vsw_acl_rule_src_ipv4(&r, net, 30);
    CU_ASSERT_TRUE(denies(r, &in));
    vsw_acl_rule_src_ipv4(&r, other, 0);    /* 0.0.0.0/0: any IPv4 */
    CU_ASSERT_TRUE(denies(r, &in));
    /* Host bits beyond the length are ignored. */
    vsw_acl_rule_src_ipv4(&r, host, 24);
    in.src_ip[15] = 200;
    CU_ASSERT_TRUE(denies(r, &in));
    /* The last address of the /24 and the first of the next. */
    in.src_ip[15] = 255;
    CU_ASSERT_TRUE(denies(r, &in));
    in.src_ip[14] = 3;
    in.src_ip[15] = 0;
    CU_ASSERT_FALSE(denies(r, &in));
    /* Destination prefix. */
    in = tcp4();
    vsw_acl_rule_init(&r);
    vsw_acl_rule_dst_ipv4(&r, (const uint8_t[4]) { 192, 168, 0, 0 }, 16);
    CU_ASSERT_TRUE(denies(r, &in));
    vsw_acl_rule_dst_ipv4(&r, (const uint8_t[4]) { 192, 169, 0, 0 }, 16);
    CU_ASSERT_FALSE(denies(r, &in));
}

static void
test_acl_ipv4_prefix_never_matches_ipv6_and_vice_versa(void)
{
    struct vsw_acl_match_input v4 = tcp4(), v6 = udp6();
    struct vsw_acl_rule r;
    static const uint8_t any6[16] = { 0 };

    vsw_acl_rule_init(&r);
    vsw_acl_rule_src_ipv4(&r, (const uint8_t[4]) { 0, 0, 0, 0 }, 0);
    CU_ASSERT_TRUE(denies(r, &v4));
    CU_ASSERT_FALSE(denies(r, &v6));
    /* An IPv6 frame carrying a v4-mapped address is still IPv6. */
    memcpy(v6.src_ip, v4.src_ip, 16);
    CU_ASSERT_FALSE(denies(r, &v6));
    vsw_acl_rule_init(&r);
    vsw_acl_rule_src_ipv6(&r, any6, 0);
    CU_ASSERT_TRUE(denies(r, &v6));
    CU_ASSERT_FALSE(denies(r, &v4));
}

static void
test_acl_ipv6_prefix_boundaries(void)
{
    struct vsw_acl_match_input in = udp6();
    struct vsw_acl_rule r;
    uint8_t p[16];

    memcpy(p, in.dst_ip, 16);               /* 2001:db8:0:1::2 */
    vsw_acl_rule_init(&r);
    vsw_acl_rule_dst_ipv6(&r, p, 128);
    CU_ASSERT_TRUE(denies(r, &in));
    p[15] = 3;
    vsw_acl_rule_dst_ipv6(&r, p, 128);
    CU_ASSERT_FALSE(denies(r, &in));
    vsw_acl_rule_dst_ipv6(&r, p, 127);      /* ::2 and ::3 */
    CU_ASSERT_TRUE(denies(r, &in));
    /* 2001:db8::/64 excludes 2001:db8:0:1::, /63 includes it. */
    memset(p, 0, 16);
    p[0] = 0x20; p[1] = 0x01; p[2] = 0x0d; p[3] = 0xb8;
    vsw_acl_rule_dst_ipv6(&r, p, 64);
    CU_ASSERT_FALSE(denies(r, &in));
    vsw_acl_rule_dst_ipv6(&r, p, 63);
    CU_ASSERT_TRUE(denies(r, &in));
    vsw_acl_rule_dst_ipv6(&r, p, 32);
    CU_ASSERT_TRUE(denies(r, &in));
    /* A length that is not a multiple of 8 inside the low half. */
    memcpy(p, in.dst_ip, 16);
    p[15] = 0x7f;                           /* differs from ::2 in bit 121+ */
    vsw_acl_rule_dst_ipv6(&r, p, 120);
    CU_ASSERT_TRUE(denies(r, &in));
    vsw_acl_rule_dst_ipv6(&r, p, 121);
    CU_ASSERT_TRUE(denies(r, &in));         /* 0x7f vs 0x02: bit 0 same */
    vsw_acl_rule_dst_ipv6(&r, p, 122);
    CU_ASSERT_FALSE(denies(r, &in));
}

static void
test_acl_port_ranges_are_inclusive_and_need_ports(void)
{
    struct vsw_acl_match_input in = tcp4();        /* dst port 80 */
    struct vsw_acl_rule r;

    vsw_acl_rule_init(&r);
    r.fields = VSW_ACL_M_DST_PORT;
    r.dst_port_min = 80;
    r.dst_port_max = 80;
    CU_ASSERT_TRUE(denies(r, &in));
    r.dst_port_min = 81;
    r.dst_port_max = 100;
    CU_ASSERT_FALSE(denies(r, &in));
    r.dst_port_min = 1;
    r.dst_port_max = 79;
    CU_ASSERT_FALSE(denies(r, &in));
    r.dst_port_max = 80;
    CU_ASSERT_TRUE(denies(r, &in));
    r.fields = VSW_ACL_M_SRC_PORT;
    r.src_port_min = 1024;
    r.src_port_max = 65535;
    CU_ASSERT_TRUE(denies(r, &in));
    r.src_port_min = 1235;
    CU_ASSERT_FALSE(denies(r, &in));
    /* A frame without ports (ICMP, later fragment) never matches. */
    r.src_port_min = 0;
    in.has_ports = false;
    CU_ASSERT_FALSE(denies(r, &in));
}

static void
test_acl_mac_vlan_ethertype_and_protocol_fields(void)
{
    struct vsw_acl_match_input in = tcp4();
    struct vsw_acl_rule r;

    vsw_acl_rule_init(&r);
    r.fields = VSW_ACL_M_SRC_MAC;
    memcpy(r.src_mac, in.src_mac, 6);
    CU_ASSERT_TRUE(denies(r, &in));
    r.src_mac[5] ^= 0x10;
    CU_ASSERT_FALSE(denies(r, &in));
    r.src_mac_mask[5] = 0x0f;               /* ignore the differing bit */
    CU_ASSERT_TRUE(denies(r, &in));
    /* OUI match on the destination. */
    vsw_acl_rule_init(&r);
    r.fields = VSW_ACL_M_DST_MAC;
    memcpy(r.dst_mac, (const uint8_t[6]) { 0x02, 0, 0, 9, 9, 9 }, 6);
    memcpy(r.dst_mac_mask, (const uint8_t[6]) { 0xff, 0xff, 0xff, 0, 0, 0 },
           6);
    CU_ASSERT_TRUE(denies(r, &in));

    vsw_acl_rule_init(&r);
    r.fields = VSW_ACL_M_VLAN;
    r.vlan = 7;
    CU_ASSERT_TRUE(denies(r, &in));
    r.vlan = 8;
    CU_ASSERT_FALSE(denies(r, &in));

    vsw_acl_rule_init(&r);
    r.fields = VSW_ACL_M_ETHERTYPE;
    r.ethertype = 0x0806;
    CU_ASSERT_FALSE(denies(r, &in));
    r.ethertype = 0x0800;
    CU_ASSERT_TRUE(denies(r, &in));

    vsw_acl_rule_init(&r);
    r.fields = VSW_ACL_M_IP_PROTO;
    r.ip_proto = 6;
    CU_ASSERT_TRUE(denies(r, &in));
    r.ip_proto = 17;
    CU_ASSERT_FALSE(denies(r, &in));
    /* A non-IP frame has no protocol, whatever the field holds. */
    r.ip_proto = 0;
    in.ip_version = 0;
    in.ip_proto = 0;
    CU_ASSERT_FALSE(denies(r, &in));

    vsw_acl_rule_init(&r);
    r.fields = VSW_ACL_M_IP_VERSION;
    r.ip_version = 6;
    in = udp6();
    CU_ASSERT_TRUE(denies(r, &in));
    in = tcp4();
    CU_ASSERT_FALSE(denies(r, &in));
}

static void
test_acl_higher_priority_first_ties_keep_insertion_order(void)
{
    struct vsw_acl_match_input in = tcp4();
    struct vsw_acl_rule r;
    struct vsw_acl_result res;
    struct vsw_acl *a, *b, *c, *d;
    uint32_t id_allow, id_deny, id_low, id;

    vsw_acl_rule_init(&r);
    r.priority = 10;
    r.action = VSW_ACL_ALLOW;
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(NULL, &r, &a, &id_allow), 0);
    r.action = VSW_ACL_DENY;        /* same priority, added later */
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(a, &r, &b, &id_deny), 0);
    r.priority = -5;
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(b, &r, &c, &id_low), 0);
    CU_ASSERT(id_allow < id_deny && id_deny < id_low);

    vsw_acl_eval(c, &in, NULL, &res);
    CU_ASSERT_EQUAL(res.verdict, VSW_ACL_ALLOW);
    CU_ASSERT_EQUAL(res.rule_id, id_allow);
    CU_ASSERT_EQUAL(res.rule_index, 0);
    CU_ASSERT_EQUAL(res.rules_evaluated, 1);

    /* A higher-priority rule added last runs first. */
    r.priority = 100;
    r.action = VSW_ACL_DENY;
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(c, &r, &d, &id), 0);
    vsw_acl_eval(d, &in, NULL, &res);
    CU_ASSERT_EQUAL(res.verdict, VSW_ACL_DENY);
    CU_ASSERT_EQUAL(res.rule_id, id);
    CU_ASSERT_EQUAL(res.rule_index, 0);
    {
        uint32_t got;
        CU_ASSERT_PTR_NOT_NULL(vsw_acl_rule_at(d, 0, &got));
        CU_ASSERT_EQUAL(got, id);
        vsw_acl_rule_at(d, 1, &got);
        CU_ASSERT_EQUAL(got, id_allow);
        vsw_acl_rule_at(d, 2, &got);
        CU_ASSERT_EQUAL(got, id_deny);
        vsw_acl_rule_at(d, 3, &got);
        CU_ASSERT_EQUAL(got, id_low);
        CU_ASSERT_EQUAL(vsw_acl_rule_at(d, 3, NULL)->priority, -5);
        CU_ASSERT_PTR_NULL(vsw_acl_rule_at(d, 4, NULL));
    }
    /* Older versions are untouched. */
    CU_ASSERT_EQUAL(vsw_acl_size(a), 1);
    CU_ASSERT_EQUAL(vsw_acl_size(c), 3);
    CU_ASSERT_EQUAL(vsw_acl_size(d), 4);
    vsw_acl_destroy(a);
    vsw_acl_destroy(b);
    vsw_acl_destroy(c);
    vsw_acl_destroy(d);
}

static void
test_acl_count_rules_count_and_continue(void)
{
    struct vsw_acl_match_input in = tcp4();
    struct vsw_acl_rule r;
    struct vsw_acl_result res;
    struct vsw_acl *a, *b, *c, *d;
    vsw_acl_hit hits[4] = { 0 };

    vsw_acl_rule_init(&r);
    r.priority = 30;
    r.action = VSW_ACL_COUNT;
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(NULL, &r, &a, NULL), 0);
    r.priority = 20;
    r.fields = VSW_ACL_M_IP_PROTO;
    r.ip_proto = 17;                /* UDP only: does not match */
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(a, &r, &b, NULL), 0);
    r.priority = 10;
    r.fields = VSW_ACL_M_IP_PROTO;
    r.ip_proto = 6;
    r.action = VSW_ACL_DENY;
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(b, &r, &c, NULL), 0);
    r.priority = 0;
    r.fields = 0;
    r.action = VSW_ACL_COUNT;       /* after the deny: never reached */
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(c, &r, &d, NULL), 0);

    vsw_acl_eval(d, &in, hits, &res);
    vsw_acl_eval(d, &in, hits, &res);
    CU_ASSERT_EQUAL(res.verdict, VSW_ACL_DENY);
    CU_ASSERT_EQUAL(res.rule_index, 2);
    CU_ASSERT_EQUAL(res.rules_evaluated, 3);
    CU_ASSERT_EQUAL(res.counted, 1);
    CU_ASSERT_EQUAL(hits[0], 2);
    CU_ASSERT_EQUAL(hits[1], 0);
    CU_ASSERT_EQUAL(hits[2], 2);
    CU_ASSERT_EQUAL(hits[3], 0);

    /* A UDP frame is counted twice and falls through to the default. */
    in = udp6();
    memset(hits, 0, sizeof hits);
    vsw_acl_eval(d, &in, hits, &res);
    CU_ASSERT_EQUAL(res.verdict, VSW_ACL_ALLOW);
    CU_ASSERT_FALSE(res.matched);
    CU_ASSERT_EQUAL(res.counted, 3);
    CU_ASSERT_EQUAL(res.rules_evaluated, 4);
    CU_ASSERT_EQUAL(hits[0], 1);
    CU_ASSERT_EQUAL(hits[1], 1);
    CU_ASSERT_EQUAL(hits[2], 0);
    CU_ASSERT_EQUAL(hits[3], 1);
    vsw_acl_destroy(a);
    vsw_acl_destroy(b);
    vsw_acl_destroy(c);
    vsw_acl_destroy(d);
}

static void
test_acl_remove_by_id_and_carry_hits_by_id(void)
{
    struct vsw_acl_match_input in = tcp4();
    struct vsw_acl_rule r;
    struct vsw_acl_result res;
    struct vsw_acl *a, *b, *c, *d;
    uint32_t id1, id2, id3;
    vsw_acl_hit hits_c[3] = { 0 }, hits_d[2] = { 0 };
    size_t pos;

    vsw_acl_rule_init(&r);
    r.action = VSW_ACL_COUNT;
    r.priority = 3;
    vsw_acl_with_rule(NULL, &r, &a, &id1);
    r.priority = 2;
    vsw_acl_with_rule(a, &r, &b, &id2);
    r.priority = 1;
    r.action = VSW_ACL_DENY;
    vsw_acl_with_rule(b, &r, &c, &id3);
    vsw_acl_eval(c, &in, hits_c, &res);
    CU_ASSERT_TRUE(vsw_acl_find(c, id2, &pos));
    CU_ASSERT_EQUAL(pos, 1);

    CU_ASSERT_EQUAL_FATAL(vsw_acl_without_rule(c, id2, &d), 0);
    CU_ASSERT_EQUAL(vsw_acl_without_rule(c, 999, &a), ENOENT);
    CU_ASSERT_EQUAL(vsw_acl_without_rule(NULL, id1, &a), ENOENT);
    CU_ASSERT_EQUAL(vsw_acl_size(d), 2);
    CU_ASSERT_FALSE(vsw_acl_find(d, id2, &pos));
    CU_ASSERT_TRUE(vsw_acl_find(d, id3, &pos));
    CU_ASSERT_EQUAL(pos, 1);
    vsw_acl_carry_hits(c, hits_c, d, hits_d);
    CU_ASSERT_EQUAL(hits_d[0], 1);          /* id1 */
    CU_ASSERT_EQUAL(hits_d[1], 1);          /* id3 */
    /* Ids are never reused after a removal. */
    {
        struct vsw_acl *e;
        uint32_t id4;
        vsw_acl_with_rule(d, &r, &e, &id4);
        CU_ASSERT(id4 > id3);
        vsw_acl_destroy(e);
    }
    vsw_acl_destroy(a);
    vsw_acl_destroy(b);
    vsw_acl_destroy(c);
    vsw_acl_destroy(d);
}

static void
test_acl_invalid_rules_are_rejected(void)
{
    struct vsw_acl_rule r;
    struct vsw_acl *a = NULL;

    vsw_acl_rule_init(&r);
    r.fields = VSW_ACL_M_VLAN;
    r.vlan = 4096;
    CU_ASSERT_EQUAL(vsw_acl_with_rule(NULL, &r, &a, NULL), EINVAL);
    vsw_acl_rule_init(&r);
    r.fields = 1u << 20;
    CU_ASSERT_EQUAL(vsw_acl_rule_check(&r), EINVAL);
    vsw_acl_rule_init(&r);
    r.action = (enum vsw_acl_action)7;
    CU_ASSERT_EQUAL(vsw_acl_rule_check(&r), EINVAL);
    vsw_acl_rule_init(&r);
    vsw_acl_rule_src_ipv4(&r, (const uint8_t[4]) { 1, 2, 3, 4 }, 33);
    CU_ASSERT_EQUAL(vsw_acl_rule_check(&r), EINVAL);
    vsw_acl_rule_init(&r);
    vsw_acl_rule_src_ipv6(&r, (const uint8_t[16]) { 0 }, 129);
    CU_ASSERT_EQUAL(vsw_acl_rule_check(&r), EINVAL);
    vsw_acl_rule_init(&r);
    vsw_acl_rule_src_ipv4(&r, (const uint8_t[4]) { 1, 2, 3, 4 }, 8);
    vsw_acl_rule_dst_ipv6(&r, (const uint8_t[16]) { 0 }, 8);
    CU_ASSERT_EQUAL(vsw_acl_rule_check(&r), EINVAL);
    vsw_acl_rule_init(&r);
    vsw_acl_rule_src_ipv4(&r, (const uint8_t[4]) { 1, 2, 3, 4 }, 8);
    r.fields |= VSW_ACL_M_IP_VERSION;
    r.ip_version = 6;
    CU_ASSERT_EQUAL(vsw_acl_rule_check(&r), EINVAL);
    r.ip_version = 4;
    CU_ASSERT_EQUAL(vsw_acl_rule_check(&r), 0);
    vsw_acl_rule_init(&r);
    r.fields = VSW_ACL_M_DST_PORT;
    r.dst_port_min = 10;
    r.dst_port_max = 9;
    CU_ASSERT_EQUAL(vsw_acl_rule_check(&r), EINVAL);
    CU_ASSERT_PTR_NULL(a);
}

static void
test_acl_alloc_failure_gives_enomem_and_keeps_old_list(void)
{
    struct vsw_acl_match_input in = tcp4();
    struct vsw_acl_rule r;
    struct vsw_acl_result res;
    struct vsw_acl *a, *b = NULL;
    uint32_t id;

    vsw_acl_rule_init(&r);
    r.action = VSW_ACL_DENY;
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(NULL, &r, &a, &id), 0);
    vsw_alloc_fail_after(0);
    CU_ASSERT_EQUAL(vsw_acl_with_rule(a, &r, &b, NULL), ENOMEM);
    CU_ASSERT_EQUAL(vsw_acl_without_rule(a, id, &b), ENOMEM);
    CU_ASSERT_EQUAL(vsw_acl_with_default(a, VSW_ACL_DENY, &b), ENOMEM);
    CU_ASSERT_EQUAL(vsw_acl_create(VSW_ACL_DENY, &b), ENOMEM);
    vsw_alloc_fail_reset();
    CU_ASSERT_PTR_NULL(b);
    CU_ASSERT_EQUAL(vsw_acl_size(a), 1);
    vsw_acl_eval(a, &in, NULL, &res);
    CU_ASSERT_EQUAL(res.verdict, VSW_ACL_DENY);
    vsw_acl_destroy(a);
}

static void
test_acl_rules_evaluated_grows_with_match_position(void)
{
    struct vsw_acl_match_input in = tcp4();
    struct vsw_acl_rule r;
    struct vsw_acl_result res;
    struct vsw_acl *a = NULL, *b;

    /* 32 rules on other VLANs, then one that matches. */
    vsw_acl_rule_init(&r);
    r.fields = VSW_ACL_M_VLAN;
    r.action = VSW_ACL_DENY;
    for (int i = 0; i < 32; i++) {
        r.vlan = (uint16_t)(100 + i);
        CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(a, &r, &b, NULL), 0);
        vsw_acl_destroy(a);
        a = b;
    }
    vsw_acl_eval(a, &in, NULL, &res);
    CU_ASSERT_EQUAL(res.rules_evaluated, 32);
    CU_ASSERT_EQUAL(res.verdict, VSW_ACL_ALLOW);
    r.vlan = 7;
    r.priority = -1;
    CU_ASSERT_EQUAL_FATAL(vsw_acl_with_rule(a, &r, &b, NULL), 0);
    vsw_acl_eval(b, &in, NULL, &res);
    CU_ASSERT_EQUAL(res.rules_evaluated, 33);
    CU_ASSERT_EQUAL(res.verdict, VSW_ACL_DENY);
    CU_ASSERT_EQUAL(res.rule_index, 32);
    vsw_acl_destroy(a);
    vsw_acl_destroy(b);
}

static const struct cutest_case acl_cases[] = {
    CUTEST(test_acl_empty_list_allows_and_default_is_configurable),
    CUTEST(test_acl_rule_with_no_fields_matches_everything),
    CUTEST(test_acl_ipv4_prefix_boundaries),
    CUTEST(test_acl_ipv4_prefix_never_matches_ipv6_and_vice_versa),
    CUTEST(test_acl_ipv6_prefix_boundaries),
    CUTEST(test_acl_port_ranges_are_inclusive_and_need_ports),
    CUTEST(test_acl_mac_vlan_ethertype_and_protocol_fields),
    CUTEST(test_acl_higher_priority_first_ties_keep_insertion_order),
    CUTEST(test_acl_count_rules_count_and_continue),
    CUTEST(test_acl_remove_by_id_and_carry_hits_by_id),
    CUTEST(test_acl_invalid_rules_are_rejected),
    CUTEST(test_acl_alloc_failure_gives_enomem_and_keeps_old_list),
    CUTEST(test_acl_rules_evaluated_grows_with_match_position),
    CUTEST_END
};

CUTEST_MAIN({ "acl", acl_cases })
