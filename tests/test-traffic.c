/*
 * test-traffic.c -- models/traffic.h: endpoints build frames that parse
 * and checksum correctly; CBR, Poisson and on/off generators send at the
 * instants and rates they promise; sinks count loss, reordering and
 * latency; request/response times round trips over a link pair; the small
 * TCP fills a 10G link and recovers from losses by fast retransmit and by
 * timeout; and everything is deterministic.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/link.h"
#include "models/traffic.h"
#include "sim/metrics.h"
#include "sim/sim.h"
#include "tests/cutest.h"
#include "vmswitch/csum.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/wire.h"

#define G10 UINT64_C(10000000000)

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t ip_a[4] = { 10, 0, 0, 1 };
static const uint8_t ip_b[4] = { 10, 0, 0, 2 };

static struct traffic_ep_config
ep_cfg(const char *name, bool is_a)
{
    struct traffic_ep_config c;

    memset(&c, 0, sizeof c);
    c.name = name;
    memcpy(c.mac, is_a ? mac_a : mac_b, 6);
    memcpy(c.ipv4, is_a ? ip_a : ip_b, 4);
    return c;
}

static struct traffic_flows
flows_to_b(uint16_t port, uint32_t n)
{
    struct traffic_flows f;

    memset(&f, 0, sizeof f);
    memcpy(f.dst.mac, mac_b, 6);
    memcpy(f.dst.ipv4, ip_b, 4);
    f.dst.port = port;
    f.src_port_base = 40000;
    f.n_flows = n;
    f.flow_id_base = 100;
    return f;
}

/* ----------------------------------------------------------------- */
/* A capture: a send hook that keeps every frame and its time. */

struct capture {
    struct sim *sim;
    size_t n;
    struct vsw_pkt *pkt[4096];
    sim_time_t at[4096];
};

static int
capture_send(void *ctx, struct vsw_pkt *pkt)
{
    struct capture *c = ctx;

    if (c->n < 4096) {
        c->pkt[c->n] = pkt;
        c->at[c->n] = sim_now(c->sim);
    } else {
        vsw_pkt_free(pkt);
    }
    c->n++;
    return 0;
}

static void
capture_free(struct capture *c)
{
    for (size_t i = 0; i < c->n && i < 4096; i++) {
        vsw_pkt_free(c->pkt[i]);
    }
    c->n = 0;
}

/* Parses 'pkt' and checks it is a well-formed IPv4 frame with correct
 * checksums. */
static void
assert_frame_valid(struct vsw_pkt *pkt, uint8_t proto,
                   struct vsw_parse_result *pr)
{
    const uint8_t *d = vsw_pkt_data(pkt);

    CU_ASSERT_EQUAL_FATAL(vsw_parse(pkt, pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr->key.ip_version, 4);
    CU_ASSERT_EQUAL(pr->key.ip_proto, proto);
    CU_ASSERT_TRUE(pr->has_l4);
    CU_ASSERT_TRUE(vsw_csum_ipv4_verify(d + pr->l3_ofs, pr->l3_hdr_len));
    CU_ASSERT_EQUAL(vsw_csum_l4_verify(d, vsw_pkt_len(pkt), pr), 0);
    CU_ASSERT_TRUE(vsw_pkt_len(pkt) >= 60);
}

/* ----------------------------------------------------------------- */
/* A link pair: remote A on side 0, remote B on side 1. */

struct pair {
    struct sim *sim;
    struct metrics *reg;
    struct link *link;
    struct traffic_remote *ra, *rb;
    struct traffic_ep *a, *b;
};

static void
pair_init(struct pair *p, uint64_t rate, sim_time_t delay, size_t fifo)
{
    struct link_config lc = { "wire", rate, delay };
    struct traffic_ep_config ca = ep_cfg("hostA", true);
    struct traffic_ep_config cb = ep_cfg("hostB", false);

    memset(p, 0, sizeof *p);
    p->sim = sim_create();
    p->reg = metrics_create(p->sim);
    CU_ASSERT_FATAL(link_create(p->sim, p->reg, 0, &lc, &p->link) == 0);
    CU_ASSERT_FATAL(traffic_remote_create(p->sim, p->reg, 0, &ca, p->link, 0,
                                          fifo, &p->ra) == 0);
    CU_ASSERT_FATAL(traffic_remote_create(p->sim, p->reg, 0, &cb, p->link, 1,
                                          fifo, &p->rb) == 0);
    p->a = traffic_remote_ep(p->ra);
    p->b = traffic_remote_ep(p->rb);
}

static void
pair_fini(struct pair *p)
{
    traffic_remote_destroy(p->ra);
    traffic_remote_destroy(p->rb);
    link_destroy(p->link);
    metrics_destroy(p->reg);
    sim_destroy(p->sim);
}

static double
value(struct metrics *reg, const char *name)
{
    struct metric *m = metrics_find(reg, name);

    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    return metric_value(m);
}

/* ----------------------------------------------------------------- */
/* Endpoints and frames. */

static void
test_traffic_udp_frame_is_complete_with_correct_checksums(void)
{
    struct sim *sim = sim_create();
    struct metrics *reg = metrics_create(sim);
    struct traffic_ep_config c = ep_cfg("a", true);
    struct traffic_ep *ep, *tagged;
    struct traffic_dst dst = { { 0x02, 0, 0, 0, 0, 0x0b }, { 10, 0, 0, 2 },
                               5001 };
    struct traffic_hdr h = { 7, 42, 123456789012345 }, back;
    struct vsw_parse_result pr;
    struct vsw_pkt *pkt;

    CU_ASSERT_FATAL(traffic_ep_create(sim, reg, 0, &c, &ep) == 0);
    c.name = "t";
    c.vlan_present = true;
    c.vlan_id = 42;
    c.vlan_pcp = 5;
    CU_ASSERT_FATAL(traffic_ep_create(sim, reg, 0, &c, &tagged) == 0);
    CU_ASSERT_EQUAL(traffic_udp_min_frame_bytes(ep), 58);
    CU_ASSERT_EQUAL(traffic_udp_min_frame_bytes(tagged), 62);

    const uint32_t sizes[] = { 60, 64, 1514 };
    for (size_t i = 0; i < 3; i++) {
        pkt = traffic_build_udp(ep, &dst, 40001, sizes[i], &h);
        CU_ASSERT_PTR_NOT_NULL_FATAL(pkt);
        CU_ASSERT_EQUAL(vsw_pkt_len(pkt), sizes[i]);
        assert_frame_valid(pkt, VSW_IPPROTO_UDP, &pr);
        CU_ASSERT_EQUAL(memcmp(pr.key.src_mac, mac_a, 6), 0);
        CU_ASSERT_EQUAL(memcmp(pr.key.dst_mac, mac_b, 6), 0);
        CU_ASSERT_EQUAL(memcmp(pr.key.src_ip + 12, ip_a, 4), 0);
        CU_ASSERT_EQUAL(memcmp(pr.key.dst_ip + 12, ip_b, 4), 0);
        CU_ASSERT_EQUAL(pr.key.src_port, 40001);
        CU_ASSERT_EQUAL(pr.key.dst_port, 5001);
        CU_ASSERT_EQUAL(pr.l3_end, sizes[i]);   /* no padding needed */
        CU_ASSERT_TRUE(traffic_hdr_read(vsw_pkt_data(pkt) + pr.payload_ofs,
                                        pr.l3_end - pr.payload_ofs, &back));
        CU_ASSERT_EQUAL(back.flow_id, 7);
        CU_ASSERT_EQUAL(back.seq, 42);
        CU_ASSERT_EQUAL(back.sent_ps, 123456789012345);
        vsw_pkt_free(pkt);
    }
    /* Tagged: 1518 bytes with the tag in the bytes. */
    pkt = traffic_build_udp(tagged, &dst, 40001, 1518, &h);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pkt);
    assert_frame_valid(pkt, VSW_IPPROTO_UDP, &pr);
    CU_ASSERT_EQUAL(pr.n_tags, 1);
    CU_ASSERT_TRUE(pr.key.vlan_present);
    CU_ASSERT_EQUAL(pr.key.vlan_id, 42);
    CU_ASSERT_EQUAL(pr.key.vlan_pcp, 5);
    vsw_pkt_free(pkt);
    /* Too small or too big. */
    CU_ASSERT_PTR_NULL(traffic_build_udp(ep, &dst, 1, 57, &h));
    CU_ASSERT_PTR_NULL(traffic_build_udp(tagged, &dst, 1, 61, &h));
    CU_ASSERT_PTR_NULL(traffic_build_udp(ep, &dst, 1, 9019, &h));
    traffic_ep_destroy(ep);
    traffic_ep_destroy(tagged);
    metrics_destroy(reg);
    sim_destroy(sim);
}

static void
test_traffic_ep_rejects_bad_config(void)
{
    struct sim *sim = sim_create();
    struct metrics *reg = metrics_create(sim);
    struct traffic_ep_config c = ep_cfg("a", true);
    struct traffic_ep *ep;

    c.mac[0] = 0x01;                         /* multicast */
    CU_ASSERT_EQUAL(traffic_ep_create(sim, reg, 0, &c, &ep), EINVAL);
    c = ep_cfg("a", true);
    c.vlan_present = true;
    c.vlan_id = 4096;
    CU_ASSERT_EQUAL(traffic_ep_create(sim, reg, 0, &c, &ep), EINVAL);
    c = ep_cfg("a.b", true);
    CU_ASSERT_EQUAL(traffic_ep_create(sim, reg, 0, &c, &ep), EINVAL);
    metrics_destroy(reg);
    sim_destroy(sim);
}

/* Frames not addressed to the endpoint, to an unbound port, on another
 * VLAN or with a bad checksum are counted and freed. */
static void
test_traffic_ep_counts_unknown_and_bad_checksum_frames(void)
{
    struct sim *sim = sim_create();
    struct metrics *reg = metrics_create(sim);
    struct traffic_ep_config ca = ep_cfg("a", true), cb = ep_cfg("b", false);
    struct traffic_ep *a, *b;
    struct traffic_sink *sink;
    struct traffic_sink_config sc = { "sink", VSW_IPPROTO_UDP, 5001, 100, 1,
                                      0, 0 };
    struct traffic_dst to_b = { { 0x02, 0, 0, 0, 0, 0x0b }, { 10, 0, 0, 2 },
                                5001 };
    struct traffic_hdr h = { 100, 0, 0 };
    struct traffic_sink_stats st;
    struct vsw_pkt *pkt;

    CU_ASSERT_FATAL(traffic_ep_create(sim, reg, 0, &ca, &a) == 0);
    CU_ASSERT_FATAL(traffic_ep_create(sim, reg, 0, &cb, &b) == 0);
    CU_ASSERT_FATAL(traffic_sink_create(b, &sc, &sink) == 0);
    CU_ASSERT_EQUAL(traffic_sink_create(b, &sc, &sink), EADDRINUSE);

    traffic_ep_receive(b, traffic_build_udp(a, &to_b, 1, 100, &h));  /* ok */
    to_b.port = 5002;                                       /* unbound */
    traffic_ep_receive(b, traffic_build_udp(a, &to_b, 1, 100, &h));
    to_b.port = 5001;
    to_b.mac[5] = 0x0c;                                     /* not b's */
    traffic_ep_receive(b, traffic_build_udp(a, &to_b, 1, 100, &h));
    to_b.mac[5] = 0x0b;
    to_b.ipv4[3] = 3;                                       /* not b's IP */
    traffic_ep_receive(b, traffic_build_udp(a, &to_b, 1, 100, &h));
    to_b.ipv4[3] = 2;
    pkt = traffic_build_udp(a, &to_b, 1, 100, &h);
    vsw_pkt_data(pkt)[80] ^= 0x40;                          /* payload */
    traffic_ep_receive(b, pkt);
    pkt = traffic_build_udp(a, &to_b, 1, 100, &h);
    vsw_pkt_data(pkt)[14 + 8] ^= 1;                         /* IPv4 TTL */
    traffic_ep_receive(b, pkt);
    pkt = traffic_build_udp(a, &to_b, 1, 100, &h);
    CU_ASSERT_EQUAL(vsw_pkt_insert_vlan(pkt, 7, 0), 0);     /* tagged */
    traffic_ep_receive(b, pkt);
    pkt = traffic_build_udp(a, &to_b, 1, 100, &h);
    vsw_pkt_set_len(pkt, 20);                               /* malformed */
    traffic_ep_receive(b, pkt);

    CU_ASSERT_DOUBLE_EQUAL(value(reg, "b.rx_frames"), 8, 0);
    CU_ASSERT_DOUBLE_EQUAL(value(reg, "b.rx_unknown"), 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(value(reg, "b.rx_bad_csum"), 2, 0);
    traffic_sink_stats(sink, -1, &st);
    CU_ASSERT_EQUAL(st.frames, 1);
    CU_ASSERT_EQUAL(st.goodput_bytes, 100 - 42);
    traffic_ep_destroy(a);
    traffic_ep_destroy(b);
    metrics_destroy(reg);
    sim_destroy(sim);
}

/* ----------------------------------------------------------------- */
/* CBR. */

/* 1000-byte frames at 3 Gbit/s: the gap is 2,666,666.67 ps, never a
 * whole number; frame n goes at ceil(n * 8000 * 10^12 / 3e9) exactly, so
 * after a million frames the schedule has not drifted by a picosecond. */
static void
test_traffic_cbr_sends_at_exact_instants_without_drift(void)
{
    struct sim *sim = sim_create();
    struct metrics *reg = metrics_create(sim);
    struct traffic_ep_config c = ep_cfg("a", true);
    struct capture *cap = calloc(1, sizeof *cap);
    struct traffic_ep *ep;
    struct traffic_gen *g;
    struct traffic_gen_config gc = {
        .name = "cbr", .kind = TRAFFIC_GEN_CBR,
        .flows = flows_to_b(5001, 4), .frame_bytes = 1000,
        .rate_bps = 3000000000, .start_ps = 1000, .stop_ps = 0,
    };

    cap->sim = sim;
    c.send = capture_send;
    c.send_ctx = cap;
    CU_ASSERT_FATAL(traffic_ep_create(sim, reg, 0, &c, &ep) == 0);
    CU_ASSERT_FATAL(traffic_gen_create(ep, &gc, &g) == 0);
    sim_run(sim, 1000 + 100 * SIM_PS_PER_US);
    /* 100 us at 2.6667 us per frame: frames 0..37 (37 * 2.6667 = 98.67). */
    CU_ASSERT_EQUAL(cap->n, 38);
    for (size_t n = 0; n < cap->n; n++) {
        sim_time_t want = 1000 + (sim_time_t)((n * UINT64_C(8000000000000000)
                                               + 2999999999) / 3000000000);
        struct vsw_parse_result pr;
        struct traffic_hdr h;

        CU_ASSERT_EQUAL(cap->at[n], want);
        CU_ASSERT_EQUAL(traffic_gen_send_time(g, n), want);
        assert_frame_valid(cap->pkt[n], VSW_IPPROTO_UDP, &pr);
        CU_ASSERT_EQUAL(vsw_pkt_len(cap->pkt[n]), 1000);
        /* Flows round-robin, distinct source ports, per-flow sequence. */
        CU_ASSERT_EQUAL(pr.key.src_port, 40000 + n % 4);
        CU_ASSERT_EQUAL(pr.key.dst_port, 5001);
        CU_ASSERT_TRUE(traffic_hdr_read(vsw_pkt_data(cap->pkt[n])
                                        + pr.payload_ofs,
                                        pr.l3_end - pr.payload_ofs, &h));
        CU_ASSERT_EQUAL(h.flow_id, 100 + n % 4);
        CU_ASSERT_EQUAL(h.seq, n / 4);
        CU_ASSERT_EQUAL(h.sent_ps, want);
    }
    CU_ASSERT_EQUAL(traffic_gen_send_time(g, 3000000),
                    1000 + INT64_C(8000000000000));
    capture_free(cap);
    /* Achieved rate over one more millisecond: 375 frames, 3 Gbit/s. */
    {
        size_t before = 38;

        sim_run(sim, 1000 + 100 * SIM_PS_PER_US + SIM_PS_PER_MS);
        CU_ASSERT_EQUAL(traffic_gen_frames(g) - before, 375);
        CU_ASSERT_DOUBLE_EQUAL(value(reg, "a.cbr.bytes"),
                               (double)traffic_gen_frames(g) * 1000, 0);
    }
    capture_free(cap);
    free(cap);
    traffic_ep_destroy(ep);
    metrics_destroy(reg);
    sim_destroy(sim);
}

static void
test_traffic_cbr_respects_start_and_stop(void)
{
    struct sim *sim = sim_create();
    struct metrics *reg = metrics_create(sim);
    struct traffic_ep_config c = ep_cfg("a", true);
    struct capture *cap = calloc(1, sizeof *cap);
    struct traffic_ep *ep;
    struct traffic_gen *g;
    struct traffic_gen_config gc = {
        .name = "cbr", .kind = TRAFFIC_GEN_CBR,
        .flows = flows_to_b(5001, 1), .frame_bytes = 125,
        .rate_bps = 1000000000,                 /* 1 us per frame */
        .start_ps = 10 * SIM_PS_PER_US, .stop_ps = 20 * SIM_PS_PER_US,
    };

    cap->sim = sim;
    c.send = capture_send;
    c.send_ctx = cap;
    CU_ASSERT_FATAL(traffic_ep_create(sim, reg, 0, &c, &ep) == 0);
    CU_ASSERT_FATAL(traffic_gen_create(ep, &gc, &g) == 0);
    sim_run(sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(cap->n, 10);            /* 10, 11, ..., 19 us */
    CU_ASSERT_EQUAL(cap->at[0], 10 * SIM_PS_PER_US);
    CU_ASSERT_EQUAL(cap->at[9], 19 * SIM_PS_PER_US);
    gc.frame_bytes = 59;
    CU_ASSERT_EQUAL(traffic_gen_create(ep, &gc, &g), EINVAL);
    gc.frame_bytes = 100;
    gc.rate_bps = 0;
    CU_ASSERT_EQUAL(traffic_gen_create(ep, &gc, &g), EINVAL);
    capture_free(cap);
    free(cap);
    traffic_ep_destroy(ep);
    metrics_destroy(reg);
    sim_destroy(sim);
}

/* At 10 Gbit/s counted on the wire, 1514-byte frames fill a 10G link
 * exactly: one per 1,230,400 ps, and the FIFO never holds a frame. */
static void
test_traffic_cbr_at_wire_line_rate_fills_a_link_exactly(void)
{
    struct pair p;
    struct traffic_gen *g;
    struct traffic_sink *s;
    struct traffic_sink_config sc = { "sink", VSW_IPPROTO_UDP, 5001, 100, 8,
                                      0, 0 };
    struct traffic_gen_config gc = {
        .name = "cbr", .kind = TRAFFIC_GEN_CBR, .basis = TRAFFIC_RATE_WIRE,
        .flows = flows_to_b(5001, 8), .frame_bytes = 1514, .rate_bps = G10,
        .stop_ps = 10 * SIM_PS_PER_MS,
    };
    struct traffic_sink_stats st;

    pair_init(&p, G10, 500000, 4);
    CU_ASSERT_FATAL(traffic_sink_create(p.b, &sc, &s) == 0);
    CU_ASSERT_FATAL(traffic_gen_create(p.a, &gc, &g) == 0);
    sim_run(p.sim, SIM_TIME_MAX);
    /* ceil(10 ms / 1.2304 us) = 8128 frames. */
    traffic_sink_stats(s, -1, &st);
    CU_ASSERT_EQUAL(st.frames, 8128);
    CU_ASSERT_EQUAL(st.lost, 0);
    CU_ASSERT_EQUAL(st.reordered, 0);
    CU_ASSERT_EQUAL(st.goodput_bytes, 8128 * (1514 - 42));
    CU_ASSERT_DOUBLE_EQUAL(value(p.reg, "hostA.fifo_drops"), 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(value(p.reg, "hostA.fifo_depth"), 0, 0);
    /* Every frame took exactly frame time + delay. */
    {
        struct metric_hist_summary hs;

        metric_hist_summary(traffic_sink_latency(s, -1), &hs);
        CU_ASSERT_EQUAL(hs.min, 1220800 + 500000);
        CU_ASSERT_EQUAL(hs.max, 1220800 + 500000);
        metric_hist_summary(traffic_sink_latency(s, 103), &hs);
        CU_ASSERT_EQUAL(hs.count, 8128 / 8);
    }
    CU_ASSERT_DOUBLE_EQUAL(value(p.reg, "hostB.sink.flow107.frames"),
                           8128 / 8, 0);
    pair_fini(&p);
}

/* ----------------------------------------------------------------- */
/* Poisson and on/off. */

static void
run_poisson(uint64_t seed, uint64_t *frames, sim_time_t *first_times,
            uint64_t *fp)
{
    struct sim *sim = sim_create();
    struct metrics *reg = metrics_create(sim);
    struct traffic_ep_config c = ep_cfg("a", true);
    struct capture *cap = calloc(1, sizeof *cap);
    struct traffic_ep *ep;
    struct traffic_gen *g;
    struct traffic_gen_config gc = {
        .name = "poisson", .kind = TRAFFIC_GEN_POISSON,
        .flows = flows_to_b(5001, 16), .frame_bytes = 1000,
        .rate_bps = 1000000000,                 /* mean gap 8 us */
        .stop_ps = 800 * SIM_PS_PER_MS, .run_seed = seed,
    };

    cap->sim = sim;
    c.send = capture_send;
    c.send_ctx = cap;
    CU_ASSERT_FATAL(traffic_ep_create(sim, reg, 0, &c, &ep) == 0);
    CU_ASSERT_FATAL(traffic_gen_create(ep, &gc, &g) == 0);
    sim_run(sim, SIM_TIME_MAX);
    *frames = traffic_gen_frames(g);
    for (size_t i = 0; i < 16; i++) {
        first_times[i] = cap->at[i];
    }
    *fp = sim_fingerprint(sim);
    capture_free(cap);
    free(cap);
    traffic_ep_destroy(ep);
    metrics_destroy(reg);
    sim_destroy(sim);
}

/* 800 ms at a mean of one frame per 8 us: 100,000 frames expected, with
 * a standard deviation of about 316. */
static void
test_traffic_poisson_mean_rate_within_tolerance_and_deterministic(void)
{
    uint64_t n1, n2, n3, fp1, fp2, fp3;
    sim_time_t t1[16], t2[16], t3[16];

    run_poisson(1, &n1, t1, &fp1);
    run_poisson(1, &n2, t2, &fp2);
    run_poisson(2, &n3, t3, &fp3);
    printf("\n    poisson: %llu and %llu frames (expected 100000)\n",
           (unsigned long long)n1, (unsigned long long)n3);
    CU_ASSERT_TRUE(n1 > 98500 && n1 < 101500);
    CU_ASSERT_TRUE(n3 > 98500 && n3 < 101500);
    CU_ASSERT_EQUAL(n1, n2);
    CU_ASSERT_EQUAL(fp1, fp2);
    CU_ASSERT_EQUAL(memcmp(t1, t2, sizeof t1), 0);
    CU_ASSERT_NOT_EQUAL(fp1, fp3);
    CU_ASSERT_NOT_EQUAL(memcmp(t1, t3, sizeof t1), 0);
    /* Gaps are not all equal (it is not CBR). */
    CU_ASSERT_NOT_EQUAL(t1[1] - t1[0], t1[2] - t1[1]);
}

/* On 100 us at 1 Gbit/s with 1250-byte frames (10 us each), off 300 us:
 * 10 frames per burst, at 0, 10, ..., 90 us of each 400 us period, so the
 * average rate is a quarter of the on-rate. */
static void
test_traffic_onoff_sends_bursts_with_the_configured_duty_cycle(void)
{
    struct sim *sim = sim_create();
    struct metrics *reg = metrics_create(sim);
    struct traffic_ep_config c = ep_cfg("a", true);
    struct capture *cap = calloc(1, sizeof *cap);
    struct traffic_ep *ep;
    struct traffic_gen *g;
    struct traffic_gen_config gc = {
        .name = "onoff", .kind = TRAFFIC_GEN_ONOFF,
        .flows = flows_to_b(5001, 3), .frame_bytes = 1250,
        .rate_bps = 1000000000, .on_ps = 100 * SIM_PS_PER_US,
        .off_ps = 300 * SIM_PS_PER_US, .start_ps = 0,
        .stop_ps = 4 * SIM_PS_PER_MS,
    };

    cap->sim = sim;
    c.send = capture_send;
    c.send_ctx = cap;
    CU_ASSERT_FATAL(traffic_ep_create(sim, reg, 0, &c, &ep) == 0);
    CU_ASSERT_FATAL(traffic_gen_create(ep, &gc, &g) == 0);
    sim_run(sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(cap->n, 100);
    for (size_t n = 0; n < cap->n && n < 100; n++) {
        sim_time_t want = (sim_time_t)(n / 10) * 400 * SIM_PS_PER_US
                          + (sim_time_t)(n % 10) * 10 * SIM_PS_PER_US;

        CU_ASSERT_EQUAL(cap->at[n], want);
        CU_ASSERT_TRUE(cap->at[n] % (400 * SIM_PS_PER_US)
                       < 100 * SIM_PS_PER_US);
    }
    /* Duty: bits sent / (time * on-rate) = 1/4. */
    CU_ASSERT_DOUBLE_EQUAL(100.0 * 1250 * 8 / (4e-3 * 1e9), 0.25, 1e-12);
    /* An on-period that is not a multiple of the gap: 95 us holds frames
     * at 0..90 us, still 10. */
    gc.name = "onoff2";
    gc.on_ps = 95 * SIM_PS_PER_US;
    gc.start_ps = 10 * SIM_PS_PER_MS;
    CU_ASSERT_FATAL(traffic_gen_create(ep, &gc, &g) == 0);
    CU_ASSERT_EQUAL(traffic_gen_send_time(g, 10), 10 * SIM_PS_PER_MS
                                                  + 395 * SIM_PS_PER_US);
    gc.name = "bad";
    gc.off_ps = 0;
    CU_ASSERT_EQUAL(traffic_gen_create(ep, &gc, &g), EINVAL);
    capture_free(cap);
    free(cap);
    traffic_ep_destroy(ep);
    metrics_destroy(reg);
    sim_destroy(sim);
}

/* ----------------------------------------------------------------- */
/* Sinks over a lossy, reordering fake path. */

struct fake_path {
    struct sim *sim;
    struct traffic_ep *to;
    size_t n;                       /* frames seen */
    sim_time_t delay;
};

struct fake_frame {
    struct fake_path *path;
    struct vsw_pkt *pkt;
};

static void
fake_deliver(struct sim *sim, void *ctx)
{
    struct fake_frame *f = ctx;

    traffic_ep_receive(f->path->to, f->pkt);
    free(f);
}

/* Drops frames 3 and 20, delays frame 5 past frames 6 and 7. */
static int
fake_send(void *ctx, struct vsw_pkt *pkt)
{
    struct fake_path *p = ctx;
    struct fake_frame *f;
    size_t k = p->n++;

    if (k == 3 || k == 20) {
        vsw_pkt_free(pkt);
        return 0;
    }
    f = malloc(sizeof *f);
    f->path = p;
    f->pkt = pkt;
    sim_schedule_in(p->sim, p->delay + (k == 5 ? 25 * SIM_PS_PER_US : 0), 0, 0,
                    fake_deliver, f, NULL);
    return 0;
}

static void
test_traffic_sink_counts_loss_reordering_and_latency(void)
{
    struct sim *sim = sim_create();
    struct metrics *reg = metrics_create(sim);
    struct traffic_ep_config ca = ep_cfg("a", true), cb = ep_cfg("b", false);
    struct fake_path path = { sim, NULL, 0, 2 * SIM_PS_PER_US };
    struct traffic_ep *a, *b;
    struct traffic_gen *g;
    struct traffic_sink *s;
    struct traffic_sink_config sc = { "sink", VSW_IPPROTO_UDP, 5001, 100, 1,
                                      0, 0 };
    struct traffic_gen_config gc = {
        .name = "cbr", .kind = TRAFFIC_GEN_CBR,
        .flows = flows_to_b(5001, 1), .frame_bytes = 125,
        .rate_bps = 100000000,                  /* 10 us per frame */
        .stop_ps = 300 * SIM_PS_PER_US,          /* 30 frames */
    };
    struct traffic_sink_stats st, fs;
    struct metric_hist_summary hs;

    ca.send = fake_send;
    ca.send_ctx = &path;
    CU_ASSERT_FATAL(traffic_ep_create(sim, reg, 0, &ca, &a) == 0);
    CU_ASSERT_FATAL(traffic_ep_create(sim, reg, 0, &cb, &b) == 0);
    path.to = b;
    CU_ASSERT_FATAL(traffic_sink_create(b, &sc, &s) == 0);
    CU_ASSERT_FATAL(traffic_gen_create(a, &gc, &g) == 0);

    /* Frame 5 (sent at 50 us) is still out when 6 and 7 arrived: at that
     * point 5 counts as lost. */
    sim_run(sim, 75 * SIM_PS_PER_US);
    traffic_sink_stats(s, -1, &st);
    CU_ASSERT_EQUAL(st.lost, 2);            /* 3, and 5 so far */
    CU_ASSERT_EQUAL(st.reordered, 0);
    sim_run(sim, SIM_TIME_MAX);
    traffic_sink_stats(s, -1, &st);
    traffic_sink_stats(s, 100, &fs);
    CU_ASSERT_EQUAL(st.frames, 28);
    CU_ASSERT_EQUAL(st.lost, 2);            /* 3 and 20 */
    CU_ASSERT_EQUAL(st.reordered, 1);       /* 5 */
    CU_ASSERT_EQUAL(st.goodput_bytes, 28 * (125 - 42));
    CU_ASSERT_EQUAL(memcmp(&st, &fs, sizeof st), 0);
    CU_ASSERT_DOUBLE_EQUAL(value(reg, "b.sink.lost"), 2, 0);
    CU_ASSERT_DOUBLE_EQUAL(value(reg, "b.sink.flow100.reordered"), 1, 0);
    metric_hist_summary(traffic_sink_latency(s, -1), &hs);
    CU_ASSERT_EQUAL(hs.count, 28);
    CU_ASSERT_EQUAL(hs.min, 2 * SIM_PS_PER_US);
    CU_ASSERT_EQUAL(hs.max, 27 * SIM_PS_PER_US);
    traffic_ep_destroy(a);
    traffic_ep_destroy(b);
    metrics_destroy(reg);
    sim_destroy(sim);
}

/* ----------------------------------------------------------------- */
/* Request/response. */

/* Over a 10G link with 1 us of delay, a 200-byte request and a 1000-byte
 * response with 3 us of service: every round trip is
 * frame(200) + delay + service + frame(1000) + delay. */
static void
test_traffic_rr_rtt_is_two_serializations_and_delays_plus_service(void)
{
    struct pair p;
    struct traffic_rr_server *srv;
    struct traffic_rr *rr;
    struct traffic_rr_server_config svc = { "server", 7000,
                                            3 * SIM_PS_PER_US };
    struct traffic_rr_config rc = {
        .name = "client", .flows = flows_to_b(7000, 4),
        .request_bytes = 200, .response_bytes = 1000, .outstanding = 1,
        .think_ps = 0, .start_ps = 0, .stop_ps = SIM_PS_PER_MS,
    };
    struct metric_hist_summary hs;
    sim_time_t rtt = link_frame_time_ps(200, G10) + SIM_PS_PER_US
                     + 3 * SIM_PS_PER_US
                     + link_frame_time_ps(1000, G10) + SIM_PS_PER_US;

    pair_init(&p, G10, SIM_PS_PER_US, 64);
    CU_ASSERT_FATAL(traffic_rr_server_create(p.b, &svc, &srv) == 0);
    rc.flows.n_flows = 1;
    CU_ASSERT_FATAL(traffic_rr_create(p.a, &rc, &rr) == 0);
    sim_run(p.sim, SIM_TIME_MAX);
    metric_hist_summary(traffic_rr_rtt(rr), &hs);
    CU_ASSERT_EQUAL(rtt, 169600 + 1000000 + 3000000 + 809600 + 1000000);
    CU_ASSERT_EQUAL(hs.min, (uint64_t)rtt);
    CU_ASSERT_EQUAL(hs.max, (uint64_t)rtt);
    /* Back to back for 1 ms: ceil(1 ms / rtt) requests. */
    CU_ASSERT_EQUAL(hs.count, (uint64_t)((SIM_PS_PER_MS + rtt - 1) / rtt));
    CU_ASSERT_DOUBLE_EQUAL(value(p.reg, "hostB.server.requests"),
                           (double)hs.count, 0);
    pair_fini(&p);
}

/* Two requests outstanding: the second waits one slot behind the first
 * on the wire and one behind its response, so its RTT is longer by the
 * request's slot time; with think time the rate drops accordingly. */
static void
test_traffic_rr_outstanding_requests_queue_and_think_time_spaces_them(void)
{
    struct pair p;
    struct traffic_rr_server *srv;
    struct traffic_rr *rr;
    struct traffic_rr_server_config svc = { "server", 7000, 0 };
    struct traffic_rr_config rc = {
        .name = "client", .flows = flows_to_b(7000, 1),
        .request_bytes = 100, .response_bytes = 100, .outstanding = 2,
        .think_ps = 10 * SIM_PS_PER_US, .stop_ps = SIM_PS_PER_MS,
    };
    struct metric_hist_summary hs;
    sim_time_t base = 2 * (link_frame_time_ps(100, G10) + 500000);

    pair_init(&p, G10, 500000, 64);
    CU_ASSERT_FATAL(traffic_rr_server_create(p.b, &svc, &srv) == 0);
    CU_ASSERT_FATAL(traffic_rr_create(p.a, &rc, &rr) == 0);
    sim_run(p.sim, SIM_TIME_MAX);
    metric_hist_summary(traffic_rr_rtt(rr), &hs);
    CU_ASSERT_EQUAL(hs.min, (uint64_t)base);
    CU_ASSERT_EQUAL(hs.max, (uint64_t)(base + link_slot_time_ps(100, G10)));
    /* Each slot: a request every rtt + think. */
    CU_ASSERT_TRUE(hs.count >= 2 * (uint64_t)(SIM_PS_PER_MS
                                              / (base + 10 * SIM_PS_PER_US
                                                 + link_slot_time_ps(100,
                                                                     G10))));
    CU_ASSERT_TRUE(hs.count <= 2 * (uint64_t)(SIM_PS_PER_MS
                                              / (base + 10 * SIM_PS_PER_US))
                               + 2);
    pair_fini(&p);
}

/* ----------------------------------------------------------------- */
/* TCP. */

/* Drops, once, the first transmission of data segment 'drop_seg' of the
 * flow on the sender's way out. */
struct tap {
    traffic_send_fn *next;
    void *next_ctx;
    uint32_t mss;
    int64_t drop_seg;
    size_t dropped;
    uint16_t mark_coalesced;    /* stamp data segments with this count */
};

static int
tap_send(void *ctx, struct vsw_pkt *pkt)
{
    struct tap *t = ctx;
    struct vsw_parse_result pr;

    if (t->mark_coalesced && vsw_parse(pkt, &pr) == VSW_PARSE_OK
        && pr.key.ip_proto == VSW_IPPROTO_TCP
        && pr.l3_end > pr.payload_ofs) {
        pkt->oob.rsc_seg_count = t->mark_coalesced;
    }
    if (t->drop_seg >= 0 && vsw_parse(pkt, &pr) == VSW_PARSE_OK
        && pr.key.ip_proto == VSW_IPPROTO_TCP
        && pr.l3_end > pr.payload_ofs) {
        uint32_t seq = vsw_get_be32(vsw_pkt_data(pkt) + pr.l4_ofs + 4);

        if (seq / t->mss == (uint64_t)t->drop_seg) {
            t->drop_seg = -1;
            t->dropped++;
            vsw_pkt_free(pkt);
            return 0;
        }
    }
    return t->next(t->next_ctx, pkt);
}

struct tcp_run {
    struct pair p;
    struct traffic_tcp *tcp;
    struct traffic_sink *sink;
    struct tap tap;
};

static void
tcp_setup(struct tcp_run *r, uint32_t n_flows, uint64_t bytes,
          int64_t drop_seg, uint32_t rwnd, size_t fifo, sim_time_t stop)
{
    /* The minimum RTO is cut to 5 ms to keep the runs short, so the
     * delayed-ACK timeout must be cut below it too (200 us), or a lone
     * last segment would wait for an ACK longer than the RTO. */
    struct traffic_sink_config sc = { "sink", VSW_IPPROTO_TCP, 5201, 100,
                                      n_flows, rwnd, 200 * SIM_PS_PER_US };
    struct traffic_tcp_config tc = {
        .name = "tcp", .flows = flows_to_b(5201, n_flows),
        .bytes_per_flow = bytes, .rto_min_ps = 5 * SIM_PS_PER_MS,
        .stop_ps = stop,
    };

    memset(r, 0, sizeof *r);
    pair_init(&r->p, G10, SIM_PS_PER_US, fifo);
    r->tap.mss = 1460;
    r->tap.drop_seg = drop_seg;
    traffic_ep_get_send(r->p.a, &r->tap.next, &r->tap.next_ctx);
    traffic_ep_set_send(r->p.a, tap_send, &r->tap);
    CU_ASSERT_FATAL(traffic_sink_create(r->p.b, &sc, &r->sink) == 0);
    CU_ASSERT_FATAL(traffic_tcp_create(r->p.a, &tc, &r->tcp) == 0);
}

/* One flow over 10G with a 512 KiB window and a FIFO deep enough: the
 * wire runs full, so goodput is the line rate times 1460 / 1538. */
static void
test_traffic_tcp_bulk_flow_reaches_near_line_rate_on_10g(void)
{
    struct tcp_run r;
    struct traffic_sink_stats a, b;
    struct traffic_tcp_stats ts;
    double gbps, ideal = 10.0 * 1460 / 1538;

    tcp_setup(&r, 1, 0, -1, 512 << 10, 1024, 0);
    sim_run(r.p.sim, 10 * SIM_PS_PER_MS);
    traffic_sink_stats(r.sink, -1, &a);
    sim_run(r.p.sim, 30 * SIM_PS_PER_MS);
    traffic_sink_stats(r.sink, -1, &b);
    traffic_tcp_stats(r.tcp, 0, &ts);
    gbps = (double)(b.goodput_bytes - a.goodput_bytes) * 8 / 20e-3 / 1e9;
    printf("\n    tcp 1 flow, 10G: goodput %.4f Gbit/s (ideal %.4f), "
           "cwnd %llu, srtt %lld ps, retransmits %llu\n", gbps, ideal,
           (unsigned long long)ts.cwnd_bytes, (long long)ts.srtt_ps,
           (unsigned long long)ts.retransmits);
    CU_ASSERT_TRUE(gbps > 0.99 * ideal);
    CU_ASSERT_TRUE(gbps < ideal * 1.001);
    CU_ASSERT_EQUAL(ts.retransmits, 0);
    CU_ASSERT_EQUAL(ts.timeouts, 0);
    CU_ASSERT_DOUBLE_EQUAL(value(r.p.reg, "hostA.fifo_drops"), 0, 0);
    CU_ASSERT_TRUE(value(r.p.reg, "wire.side0.utilization") > 0.99 * 2 / 3);
    pair_fini(&r.p);
}

/* Eight flows with the default 4 MiB window overrun a 256-frame FIFO:
 * losses are repaired and the link stays busy. */
static void
test_traffic_tcp_flows_sharing_a_congested_fifo_keep_the_link_busy(void)
{
    struct tcp_run r;
    struct traffic_sink_stats a, b;
    struct traffic_tcp_stats ts;
    double gbps;

    tcp_setup(&r, 8, 0, -1, 0, 256, 0);
    sim_run(r.p.sim, 20 * SIM_PS_PER_MS);
    traffic_sink_stats(r.sink, -1, &a);
    sim_run(r.p.sim, 60 * SIM_PS_PER_MS);
    traffic_sink_stats(r.sink, -1, &b);
    traffic_tcp_stats(r.tcp, -1, &ts);
    gbps = (double)(b.goodput_bytes - a.goodput_bytes) * 8 / 40e-3 / 1e9;
    printf("\n    tcp 8 flows, 10G, 256-frame FIFO: goodput %.4f Gbit/s, "
           "fifo drops %.0f, fast retransmits %llu, timeouts %llu\n", gbps,
           value(r.p.reg, "hostA.fifo_drops"),
           (unsigned long long)ts.fast_retransmits,
           (unsigned long long)ts.timeouts);
    CU_ASSERT_TRUE(value(r.p.reg, "hostA.fifo_drops") > 0);
    CU_ASSERT_TRUE(ts.fast_retransmits > 0);
    CU_ASSERT_TRUE(gbps > 0.9 * 10.0 * 1460 / 1538);
    pair_fini(&r.p);
}

/* Segment 300 of a 2000-segment transfer is lost: three duplicate ACKs
 * trigger one fast retransmit, no timeout, and every byte arrives. */
static void
test_traffic_tcp_recovers_a_dropped_segment_by_fast_retransmit(void)
{
    struct tcp_run r;
    struct traffic_tcp_stats ts;
    struct traffic_sink_stats ss;
    const uint64_t total = 2000 * 1460;

    tcp_setup(&r, 1, total, 300, 512 << 10, 1024, 0);
    sim_run(r.p.sim, SIM_TIME_MAX);
    traffic_tcp_stats(r.tcp, 0, &ts);
    traffic_sink_stats(r.sink, -1, &ss);
    printf("\n    fast retransmit: done at %lld ps, cwnd %llu, "
           "ssthresh %llu\n", (long long)ts.done_ps,
           (unsigned long long)ts.cwnd_bytes,
           (unsigned long long)ts.ssthresh_bytes);
    CU_ASSERT_EQUAL(r.tap.dropped, 1);
    CU_ASSERT_EQUAL(ts.fast_retransmits, 1);
    CU_ASSERT_EQUAL(ts.timeouts, 0);
    CU_ASSERT_EQUAL(ts.retransmits, 1);
    CU_ASSERT_EQUAL(ts.acked_bytes, total);
    CU_ASSERT_TRUE(ts.done_ps > 0);
    CU_ASSERT_TRUE(ts.done_ps < 5 * SIM_PS_PER_MS);   /* before any RTO */
    CU_ASSERT_EQUAL(ss.goodput_bytes, total);
    CU_ASSERT_TRUE(ss.reordered > 3);       /* arrivals after the hole */
    CU_ASSERT_EQUAL(ss.duplicates, 0);
    /* The window was halved then grew back linearly, below its peak. */
    CU_ASSERT_TRUE(ts.ssthresh_bytes < UINT64_MAX);
    pair_fini(&r.p);
}

/* The last segment of a 50-segment transfer is lost: no later segment
 * makes duplicate ACKs, so only the retransmission timer (5 ms minimum
 * here) recovers it. */
static void
test_traffic_tcp_recovers_a_tail_drop_by_retransmission_timeout(void)
{
    struct tcp_run r;
    struct traffic_tcp_stats ts;
    struct traffic_sink_stats ss;
    const uint64_t total = 50 * 1460 - 700;     /* a short last segment */

    tcp_setup(&r, 1, total, 49, 512 << 10, 1024, 0);
    sim_run(r.p.sim, SIM_TIME_MAX);
    traffic_tcp_stats(r.tcp, 0, &ts);
    traffic_sink_stats(r.sink, -1, &ss);
    printf("\n    tail drop: done at %lld ps after %llu timeout(s), "
           "rto now %lld ps\n", (long long)ts.done_ps,
           (unsigned long long)ts.timeouts, (long long)ts.rto_ps);
    CU_ASSERT_EQUAL(r.tap.dropped, 1);
    CU_ASSERT_EQUAL(ts.timeouts, 1);
    CU_ASSERT_EQUAL(ts.fast_retransmits, 0);
    CU_ASSERT_EQUAL(ts.retransmits, 1);
    CU_ASSERT_EQUAL(ts.acked_bytes, total);
    CU_ASSERT_EQUAL(ss.goodput_bytes, total);
    CU_ASSERT_TRUE(ts.done_ps >= 5 * SIM_PS_PER_MS);
    CU_ASSERT_TRUE(ts.done_ps < 6 * SIM_PS_PER_MS);
    CU_ASSERT_EQUAL(ts.rto_ps, 10 * SIM_PS_PER_MS);  /* backed off */
    pair_fini(&r.p);
}

static void
test_traffic_tcp_sends_no_new_data_after_stop(void)
{
    struct tcp_run r;
    struct traffic_tcp_stats at_stop, end;
    struct traffic_sink_stats ss;

    tcp_setup(&r, 2, 0, -1, 256 << 10, 1024, 2 * SIM_PS_PER_MS);
    sim_run(r.p.sim, 2 * SIM_PS_PER_MS);
    traffic_tcp_stats(r.tcp, -1, &at_stop);
    sim_run(r.p.sim, SIM_TIME_MAX);
    traffic_tcp_stats(r.tcp, -1, &end);
    traffic_sink_stats(r.sink, -1, &ss);
    CU_ASSERT_EQUAL(end.segments, at_stop.segments);
    CU_ASSERT_EQUAL(ss.goodput_bytes, end.acked_bytes);
    CU_ASSERT_TRUE(ss.goodput_bytes > 2e-3 * 9e9 / 8);
    CU_ASSERT_TRUE(end.done_ps == 0);       /* unlimited: never "done" */
    pair_fini(&r.p);
}

/* A frame that receive segment coalescing merged from k segments
 * (CoalescedSegCount = k in its metadata) counts as k segments for the
 * receiver's ACK-every-second-segment rule: marked as 2 each, 200 data
 * frames get about 200 ACKs, where unmarked they get about 100.  (Counted
 * as one, a stream coalesced one frame per interrupt would wait for the
 * delayed-ACK timer every time.) */
static void
test_traffic_tcp_receiver_counts_coalesced_segments_for_acks(void)
{
    double acks[2];

    for (int marked = 0; marked < 2; marked++) {
        struct tcp_run r;
        struct traffic_sink_stats ss;
        const uint64_t total = 200 * 1460;

        tcp_setup(&r, 1, total, -1, 512 << 10, 1024, 0);
        r.tap.mark_coalesced = marked ? 2 : 0;
        sim_run(r.p.sim, SIM_TIME_MAX);
        traffic_sink_stats(r.sink, -1, &ss);
        CU_ASSERT_EQUAL(ss.goodput_bytes, total);
        acks[marked] = value(r.p.reg, "hostB.tx_frames");
        pair_fini(&r.p);
    }
    printf("\n    ACKs for 200 segments: %.0f as sent, %.0f marked as 2 "
           "coalesced each\n", acks[0], acks[1]);
    CU_ASSERT_TRUE(acks[0] >= 95 && acks[0] <= 110);
    CU_ASSERT_TRUE(acks[1] >= 195 && acks[1] <= 201);
}

/* ----------------------------------------------------------------- */
/* Determinism. */

static uint64_t
mixed_run(uint64_t seed, uint64_t *goodput)
{
    struct pair p;
    struct traffic_sink *us, *ts;
    struct traffic_gen *g;
    struct traffic_tcp *t;
    struct traffic_rr *rr;
    struct traffic_rr_server *srv;
    struct traffic_sink_config usc = { "udp", VSW_IPPROTO_UDP, 5001, 100, 4,
                                       0, 0 };
    struct traffic_sink_config tsc = { "tcp", VSW_IPPROTO_TCP, 5201, 200, 2,
                                       0, 0 };
    struct traffic_gen_config gc = {
        .name = "poisson", .kind = TRAFFIC_GEN_POISSON,
        .flows = flows_to_b(5001, 4), .frame_bytes = 700,
        .rate_bps = 2000000000, .run_seed = seed,
    };
    struct traffic_tcp_config tc = {
        .name = "tcp", .flows = flows_to_b(5201, 2),
    };
    struct traffic_rr_server_config svc = { "server", 7000, 2000000 };
    struct traffic_rr_config rc = {
        .name = "rr", .flows = flows_to_b(7000, 2), .request_bytes = 100,
        .response_bytes = 300, .outstanding = 2,
    };
    struct traffic_sink_stats st;
    uint64_t fp;

    tc.flows.src_port_base = 41000;
    tc.flows.flow_id_base = 200;
    rc.flows.src_port_base = 42000;
    pair_init(&p, G10, 2 * SIM_PS_PER_US, 128);
    CU_ASSERT_FATAL(traffic_sink_create(p.b, &usc, &us) == 0);
    CU_ASSERT_FATAL(traffic_sink_create(p.b, &tsc, &ts) == 0);
    CU_ASSERT_FATAL(traffic_rr_server_create(p.b, &svc, &srv) == 0);
    CU_ASSERT_FATAL(traffic_gen_create(p.a, &gc, &g) == 0);
    CU_ASSERT_FATAL(traffic_tcp_create(p.a, &tc, &t) == 0);
    CU_ASSERT_FATAL(traffic_rr_create(p.a, &rc, &rr) == 0);
    sim_run(p.sim, 5 * SIM_PS_PER_MS);
    traffic_sink_stats(ts, -1, &st);
    *goodput = st.goodput_bytes;
    fp = sim_fingerprint(p.sim);
    pair_fini(&p);
    return fp;
}

static void
test_traffic_same_seed_gives_same_fingerprint(void)
{
    uint64_t g1, g2, g3;
    uint64_t f1 = mixed_run(7, &g1), f2 = mixed_run(7, &g2);
    uint64_t f3 = mixed_run(8, &g3);

    CU_ASSERT_EQUAL(f1, f2);
    CU_ASSERT_EQUAL(g1, g2);
    CU_ASSERT_NOT_EQUAL(f1, f3);
    CU_ASSERT_TRUE(g1 > 0);
}

static const struct cutest_case ep_cases[] = {
    CUTEST(test_traffic_udp_frame_is_complete_with_correct_checksums),
    CUTEST(test_traffic_ep_rejects_bad_config),
    CUTEST(test_traffic_ep_counts_unknown_and_bad_checksum_frames),
    CUTEST_END
};

static const struct cutest_case gen_cases[] = {
    CUTEST(test_traffic_cbr_sends_at_exact_instants_without_drift),
    CUTEST(test_traffic_cbr_respects_start_and_stop),
    CUTEST(test_traffic_cbr_at_wire_line_rate_fills_a_link_exactly),
    CUTEST(test_traffic_poisson_mean_rate_within_tolerance_and_deterministic),
    CUTEST(test_traffic_onoff_sends_bursts_with_the_configured_duty_cycle),
    CUTEST(test_traffic_sink_counts_loss_reordering_and_latency),
    CUTEST_END
};

static const struct cutest_case rr_cases[] = {
    CUTEST(test_traffic_rr_rtt_is_two_serializations_and_delays_plus_service),
    CUTEST(test_traffic_rr_outstanding_requests_queue_and_think_time_spaces_them),
    CUTEST_END
};

static const struct cutest_case tcp_cases[] = {
    CUTEST(test_traffic_tcp_bulk_flow_reaches_near_line_rate_on_10g),
    CUTEST(test_traffic_tcp_flows_sharing_a_congested_fifo_keep_the_link_busy),
    CUTEST(test_traffic_tcp_recovers_a_dropped_segment_by_fast_retransmit),
    CUTEST(test_traffic_tcp_recovers_a_tail_drop_by_retransmission_timeout),
    CUTEST(test_traffic_tcp_sends_no_new_data_after_stop),
    CUTEST(test_traffic_tcp_receiver_counts_coalesced_segments_for_acks),
    CUTEST_END
};

static const struct cutest_case det_cases[] = {
    CUTEST(test_traffic_same_seed_gives_same_fingerprint),
    CUTEST_END
};

CUTEST_MAIN({ "endpoint", ep_cases }, { "generators", gen_cases },
            { "request-response", rr_cases }, { "tcp", tcp_cases },
            { "determinism", det_cases })
