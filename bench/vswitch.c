/*
 * vswitch.c -- bench/vswitch: frames per second through libvmswitch's
 * pipeline on one core.
 *
 * THE WORKLOAD.  A switch with P ports, every port a trunk carrying VLANs
 * 1..V, every NIC taking 802.1Q tags out of band (as NDIS NICs do).  M
 * stations are learned first, by sending one frame from each: station i
 * lives on port 1 + i mod (P-1) in VLAN 1 + i mod V.  Then port 0 sends
 * known-unicast UDP frames of the chosen size to the stations in a
 * scattered order (a multiplicative stride, so consecutive frames hit
 * unrelated FDB buckets), in batches of 64 per vsw_process() call, tagged
 * out of band with the station's VLAN.  With R ACL rules, port 0's ingress
 * ACL holds R rules that match TCP port ranges: none matches the UDP
 * frames, so all R are evaluated for every frame, then the default
 * (allow) applies.  Destination NICs drop what they receive.
 *
 * The frames are built once; before each batch only their out-of-band tag
 * is reset (the pipeline moves tags between bytes and metadata).  Time is
 * measured with CLOCK_MONOTONIC after a warm-up pass.  It prints figures
 * and never fails on speed.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmswitch/acl.h"
#include "vmswitch/packet.h"
#include "vmswitch/vswitch.h"

#define BATCH 64

struct config {
    size_t frame_bytes;         /* Ethernet frame without FCS */
    unsigned ports, vlans;
    uint32_t macs;
    unsigned acl_rules;
    uint64_t frames;            /* timed frames */
};

static uint64_t delivered;

static void
sink_deliver(void *owner, struct vsw_pkt *const pkts[], size_t n)
{
    (void)owner;
    (void)pkts;
    delivered += n;
}

static void
sink_link(void *owner, bool up)
{
    (void)owner;
    (void)up;
}

static const struct vsw_nic_ops sink_ops = { sink_deliver, sink_link };

static void
station_mac(uint8_t mac[6], uint32_t i)
{
    mac[0] = 0x02;
    mac[1] = 0x10;
    mac[2] = (uint8_t)(i >> 24);
    mac[3] = (uint8_t)(i >> 16);
    mac[4] = (uint8_t)(i >> 8);
    mac[5] = (uint8_t)i;
}

/* Writes an untagged Ethernet/IPv4/UDP frame of 'len' bytes (>= 60). */
static void
build_udp(uint8_t *b, size_t len, const uint8_t dst[6], const uint8_t src[6])
{
    size_t ip_len = len - 14;

    memset(b, 0, len);
    memcpy(b, dst, 6);
    memcpy(b + 6, src, 6);
    b[12] = 0x08;                                   /* IPv4 */
    b[14] = 0x45;
    b[16] = (uint8_t)(ip_len >> 8);
    b[17] = (uint8_t)ip_len;
    b[22] = 64;                                     /* TTL */
    b[23] = 17;                                     /* UDP */
    b[26] = 10; b[29] = 1;                          /* 10.0.0.1 */
    b[30] = 10; b[33] = 2;                          /* 10.0.0.2 */
    b[34] = 0x13; b[35] = 0x88;                     /* sport 5000 */
    b[36] = 0x17; b[37] = 0x70;                     /* dport 6000 */
    b[38] = (uint8_t)((ip_len - 20) >> 8);
    b[39] = (uint8_t)(ip_len - 20);
    /* IPv4 header checksum. */
    uint32_t sum = 0;
    for (int i = 14; i < 34; i += 2) {
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    b[24] = (uint8_t)(~sum >> 8);
    b[25] = (uint8_t)~sum;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, int error)
{
    fprintf(stderr, "bench/vswitch: %s: %s\n", what, strerror(error));
    exit(1);
}

/* Runs one configuration and prints its line. */
static void
run(const struct config *c)
{
    struct vsw_switch_params sp = { "bench", 1, c->macs * 2 + 1024,
                                    UINT64_C(3600000000000) };
    struct vsw_switch *sw;
    uint32_t *port_ids = calloc(c->ports, sizeof *port_ids);
    struct vsw_vlan_config vlan;
    uint8_t frame[1514], src[6], dst[6];
    struct vsw_pkt **pkts;
    uint16_t *pkt_vid;
    size_t n_pkts;
    int error;

    if (!port_ids || (error = vsw_switch_create(&sp, &sw))) {
        die("creating the switch", port_ids ? error : ENOMEM);
    }
    memset(&vlan, 0, sizeof vlan);
    vlan.mode = VSW_VLAN_TRUNK;
    vsw_vid_set_add_range(&vlan.allowed, 1, (uint16_t)c->vlans);
    for (unsigned p = 0; p < c->ports; p++) {
        struct vsw_nic_params nic;
        memset(&nic, 0, sizeof nic);
        nic.kind = p == 0 ? VSW_NIC_PHYSICAL : VSW_NIC_VM;
        nic.ops = &sink_ops;
        nic.caps.vlan_oob = true;
        if ((error = vsw_port_create(sw, "p", &port_ids[p]))
            || (error = vsw_nic_create(sw, port_ids[p], &nic))
            || (error = vsw_nic_connect(sw, port_ids[p]))
            || (error = vsw_port_set_vlan(sw, port_ids[p], &vlan))) {
            die("creating ports", error);
        }
    }
    for (unsigned r = 0; r < c->acl_rules; r++) {
        struct vsw_acl_rule rule;
        vsw_acl_rule_init(&rule);
        rule.action = VSW_ACL_DENY;
        rule.fields = VSW_ACL_M_IP_PROTO | VSW_ACL_M_DST_PORT;
        rule.ip_proto = 6;
        rule.dst_port_min = rule.dst_port_max = (uint16_t)(1000 + r);
        if ((error = vsw_acl_add(sw, port_ids[0], VSW_ACL_IN, &rule, NULL))) {
            die("adding ACL rules", error);
        }
    }

    /* Learn every station (and port 0's source address in every VLAN). */
    station_mac(src, 0xffffff);
    for (uint32_t i = 0; i < c->macs; i++) {
        struct vsw_pkt *p;
        unsigned port = 1 + i % (c->ports - 1);
        station_mac(dst, 0xfffffe);
        station_mac(src, i);
        build_udp(frame, 60, dst, src);
        p = vsw_pkt_from_bytes(frame, 60);
        if (!p) {
            die("allocating", ENOMEM);
        }
        p->oob.vlan_present = true;
        p->oob.vlan_id = (uint16_t)(1 + i % c->vlans);
        vsw_process(sw, 0, 1, port_ids[port], &p, 1, NULL);
        vsw_pkt_free(p);
    }

    /* The traffic: a pool of frames to stations in scattered order. */
    n_pkts = c->macs < 4096 ? c->macs : 4096;
    n_pkts = (n_pkts + BATCH - 1) / BATCH * BATCH;
    pkts = calloc(n_pkts, sizeof *pkts);
    pkt_vid = calloc(n_pkts, sizeof *pkt_vid);
    station_mac(src, 0xffffff);
    for (size_t k = 0; k < n_pkts; k++) {
        uint32_t i = (uint32_t)(((uint64_t)k * 2654435761u) % c->macs);
        station_mac(dst, i);
        build_udp(frame, c->frame_bytes, dst, src);
        pkts[k] = vsw_pkt_from_bytes(frame, c->frame_bytes);
        if (!pkts[k]) {
            die("allocating", ENOMEM);
        }
        pkt_vid[k] = (uint16_t)(1 + i % c->vlans);
    }

    /* Warm up with one pass, then time. */
    uint64_t sent = 0, target = n_pkts + c->frames, acl_rules = 0;
    double t0 = 0;
    struct vsw_work w;
    delivered = 0;
    for (size_t k = 0; sent < target; k = (k + BATCH) % n_pkts) {
        if (sent == n_pkts) {
            t0 = now_s();
            delivered = 0;
            acl_rules = 0;
        }
        for (size_t j = 0; j < BATCH; j++) {
            pkts[k + j]->oob.vlan_present = true;
            pkts[k + j]->oob.vlan_id = pkt_vid[k + j];
            pkts[k + j]->oob.priority = 0;
        }
        vsw_process(sw, 0, 2, port_ids[0], &pkts[k], BATCH, &w);
        acl_rules += w.acl_rules;       /* vsw_process() fills, not adds */
        sent += BATCH;
    }
    double dt = now_s() - t0;

    printf("vswitch frame=%zu ports=%u vlans=%u macs=%" PRIu32 " acl=%u "
           "frames_per_s=%.0f ns_per_frame=%.1f delivered=%" PRIu64
           " acl_rules_per_frame=%.1f\n", c->frame_bytes, c->ports, c->vlans,
           c->macs, c->acl_rules, (double)c->frames / dt,
           dt * 1e9 / (double)c->frames, delivered,
           (double)acl_rules / (double)c->frames);
    fflush(stdout);
    for (size_t k = 0; k < n_pkts; k++) {
        vsw_pkt_free(pkts[k]);
    }
    free(pkts);
    free(pkt_vid);
    free(port_ids);
    vsw_switch_destroy(sw);
}

static bool
parse_u64(const char *opt, const char *text, uint64_t lo, uint64_t hi,
          uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v < lo || v > hi) {
        fprintf(stderr, "bench/vswitch: %s: '%s' is not an integer in "
                "[%" PRIu64 ", %" PRIu64 "]\n", opt, text, lo, hi);
        return false;
    }
    *out = v;
    return true;
}

int
main(int argc, char **argv)
{
    static const struct option options[] = {
        { "frame", required_argument, NULL, 'f' },
        { "ports", required_argument, NULL, 'p' },
        { "vlans", required_argument, NULL, 'v' },
        { "macs", required_argument, NULL, 'm' },
        { "acl", required_argument, NULL, 'a' },
        { "frames", required_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct config c = { 64, 2, 1, 1000, 0, 4000000 };
    bool one = false;
    uint64_t v;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        one = one || opt != 'n';
        switch (opt) {
        case 'f':
            if (!parse_u64("--frame", optarg, 60, 1514, &v)) return 2;
            c.frame_bytes = v;
            break;
        case 'p':
            if (!parse_u64("--ports", optarg, 2, 1024, &v)) return 2;
            c.ports = (unsigned)v;
            break;
        case 'v':
            if (!parse_u64("--vlans", optarg, 1, 4094, &v)) return 2;
            c.vlans = (unsigned)v;
            break;
        case 'm':
            if (!parse_u64("--macs", optarg, 1, 10000000, &v)) return 2;
            c.macs = (uint32_t)v;
            break;
        case 'a':
            if (!parse_u64("--acl", optarg, 0, 1024, &v)) return 2;
            c.acl_rules = (unsigned)v;
            break;
        case 'n':
            if (!parse_u64("--frames", optarg, BATCH, UINT64_C(1) << 40, &v))
                return 2;
            c.frames = v / BATCH * BATCH;
            break;
        case 'h':
            printf("usage: bench/vswitch [--frame BYTES] [--ports P] "
                   "[--vlans V] [--macs M] [--acl R] [--frames N]\n"
                   "With no configuration option, runs the standard grid "
                   "(32 lines).\n");
            return 0;
        default:
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "bench/vswitch: unexpected argument '%s'\n",
                argv[optind]);
        return 2;
    }
    if (one) {
        run(&c);
        return 0;
    }
    static const size_t frames[] = { 64, 1514 };
    static const unsigned ports[] = { 2, 64 }, vlans[] = { 1, 100 };
    static const uint32_t macs[] = { 1000, 100000 };
    static const unsigned acls[] = { 0, 32 };
    for (int a = 0; a < 2; a++)
    for (int f = 0; f < 2; f++)
    for (int p = 0; p < 2; p++)
    for (int vl = 0; vl < 2; vl++)
    for (int m = 0; m < 2; m++) {
        c.frame_bytes = frames[f];
        c.ports = ports[p];
        c.vlans = vlans[vl];
        c.macs = macs[m];
        c.acl_rules = acls[a];
        run(&c);
    }
    return 0;
}
