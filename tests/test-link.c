/*
 * test-link.c -- models/link.h: serialization and delivery instants are
 * exact at every rate, the transmitter is busy for the whole slot, a busy
 * transmitter refuses frames, and a down link drops and counts.
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "models/link.h"
#include "sim/metrics.h"
#include "sim/sim.h"
#include "tests/cutest.h"
#include "vmswitch/packet.h"
#include "vmswitch/wire.h"

static const uint64_t rates[] = {
    UINT64_C(1000000000), UINT64_C(10000000000), UINT64_C(25000000000),
    UINT64_C(40000000000), UINT64_C(100000000000),
};
static const sim_time_t ps_per_bit[] = { 1000, 100, 40, 25, 10 };

/* What one side of the link saw. */
struct probe {
    struct sim *sim;
    struct link *link;
    unsigned side;
    sim_time_t rx_at[64];
    size_t rx_len[64];
    size_t n_rx;
    sim_time_t ready_at[64];
    size_t n_ready;
    size_t to_send;             /* frames still to send back to back */
    size_t send_len;
};

static struct vsw_pkt *
frame(size_t len, bool tagged)
{
    struct vsw_pkt *p = vsw_pkt_alloc(len, VSW_PKT_DEFAULT_HEADROOM);
    uint8_t *d = vsw_pkt_put(p, len);

    memset(d, 0, len);
    vsw_put_be16(d + 12, tagged ? VSW_ETH_TYPE_VLAN : VSW_ETH_TYPE_IPV4);
    return p;
}

static void
probe_rx(void *ctx, struct vsw_pkt *pkt)
{
    struct probe *p = ctx;

    if (p->n_rx < 64) {
        p->rx_at[p->n_rx] = sim_now(p->sim);
        p->rx_len[p->n_rx] = vsw_pkt_len(pkt);
    }
    p->n_rx++;
    vsw_pkt_free(pkt);
}

static void
probe_ready(void *ctx)
{
    struct probe *p = ctx;

    if (p->n_ready < 64) {
        p->ready_at[p->n_ready] = sim_now(p->sim);
    }
    p->n_ready++;
    if (p->to_send) {
        p->to_send--;
        CU_ASSERT_EQUAL(link_send(p->link, p->side, frame(p->send_len, false)),
                        0);
    }
}

struct bench {
    struct sim *sim;
    struct metrics *reg;
    struct link *link;
    struct probe p[2];
};

static void
bench_init(struct bench *b, uint64_t rate, sim_time_t delay)
{
    struct link_config cfg = { "l0", rate, delay };

    memset(b, 0, sizeof *b);
    b->sim = sim_create();
    b->reg = metrics_create(b->sim);
    CU_ASSERT_FATAL(link_create(b->sim, b->reg, SIM_COMPONENT_ROOT, &cfg,
                                &b->link) == 0);
    for (unsigned s = 0; s < 2; s++) {
        b->p[s].sim = b->sim;
        b->p[s].link = b->link;
        b->p[s].side = s;
        link_attach(b->link, s, probe_rx, probe_ready, &b->p[s]);
    }
}

static void
bench_fini(struct bench *b)
{
    link_destroy(b->link);
    metrics_destroy(b->reg);
    sim_destroy(b->sim);
}

static double
value(struct bench *b, const char *name)
{
    struct metric *m = metrics_find(b->reg, name);

    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    return metric_value(m);
}

static void
test_link_accepts_exactly_the_five_ethernet_rates(void)
{
    struct sim *sim = sim_create();
    struct metrics *reg = metrics_create(sim);
    struct link *l = NULL;
    const uint64_t bad[] = { 0, 999999999, 2500000000, 50000000000,
                             100000000001, 400000000000 };

    for (size_t i = 0; i < 5; i++) {
        const char *names[] = { "a", "b", "c", "d", "e" };
        struct link_config cfg = { names[i], rates[i], 0 };

        CU_ASSERT_TRUE(link_rate_valid(rates[i]));
        CU_ASSERT_EQUAL(link_create(sim, reg, 0, &cfg, &l), 0);
        link_destroy(l);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct link_config cfg = { "bad", bad[i], 0 };

        CU_ASSERT_FALSE(link_rate_valid(bad[i]));
        CU_ASSERT_EQUAL(link_create(sim, reg, 0, &cfg, &l), EINVAL);
    }
    {
        struct link_config cfg = { "neg", rates[1], -1 };

        CU_ASSERT_EQUAL(link_create(sim, reg, 0, &cfg, &l), EINVAL);
    }
    metrics_destroy(reg);
    sim_destroy(sim);
}

static void
test_link_1514_byte_frame_occupies_1230400_ps_at_10g(void)
{
    CU_ASSERT_EQUAL(link_slot_time_ps(1514, UINT64_C(10000000000)), 1230400);
    CU_ASSERT_EQUAL(link_frame_time_ps(1514, UINT64_C(10000000000)), 1220800);
}

/* For 60, 64, 1514 and a tagged 1518-byte frame at every rate, tx_ready
 * comes exactly one slot after the send and the frame arrives exactly
 * (8 + len + 4) * 8 bit times plus the delay after it. */
static void
test_link_serialization_exact_at_all_rates_and_sizes(void)
{
    const size_t lens[] = { 60, 64, 1514, 1518 };
    const sim_time_t delay = 5000;

    for (size_t r = 0; r < 5; r++) {
        for (size_t i = 0; i < 4; i++) {
            struct bench b;
            sim_time_t slot = (sim_time_t)(8 + lens[i] + 4 + 12) * 8
                              * ps_per_bit[r];
            sim_time_t frame_t = (sim_time_t)(8 + lens[i] + 4) * 8
                                 * ps_per_bit[r];

            bench_init(&b, rates[r], delay);
            CU_ASSERT_EQUAL(link_slot_time_ps(lens[i], rates[r]), slot);
            CU_ASSERT_EQUAL(link_send(b.link, 0, frame(lens[i], i == 3)), 0);
            sim_run(b.sim, SIM_TIME_MAX);
            CU_ASSERT_EQUAL(b.p[0].n_ready, 1);
            CU_ASSERT_EQUAL(b.p[0].ready_at[0], slot);
            CU_ASSERT_EQUAL(b.p[1].n_rx, 1);
            CU_ASSERT_EQUAL(b.p[1].rx_at[0], frame_t + delay);
            CU_ASSERT_EQUAL(b.p[1].rx_len[0], lens[i]);
            CU_ASSERT_EQUAL(b.p[0].n_rx, 0);
            bench_fini(&b);
        }
    }
}

static void
test_link_pads_short_frames_to_60_bytes(void)
{
    struct bench b;

    CU_ASSERT_EQUAL(link_slot_wire_bytes(42), 84);
    CU_ASSERT_EQUAL(link_slot_wire_bytes(59), 84);
    CU_ASSERT_EQUAL(link_slot_wire_bytes(61), 85);
    bench_init(&b, rates[1], 0);
    CU_ASSERT_EQUAL(link_send(b.link, 1, frame(42, false)), 0);
    sim_run(b.sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(b.p[1].ready_at[0], 84 * 8 * 100);
    CU_ASSERT_EQUAL(b.p[0].rx_at[0], 72 * 8 * 100);
    CU_ASSERT_EQUAL(b.p[0].rx_len[0], 42);     /* the bytes are not padded */
    bench_fini(&b);
}

/* Sending from tx_ready keeps the wire busy: frame k starts at k slots,
 * arrives at k slots + frame time + delay, and the utilization is 1. */
static void
test_link_back_to_back_frames_run_at_line_rate(void)
{
    struct bench b;
    const sim_time_t delay = 1000000, slot = 1230400, ft = 1220800;

    bench_init(&b, rates[1], delay);
    b.p[0].to_send = 49;
    b.p[0].send_len = 1514;
    CU_ASSERT_EQUAL(link_send(b.link, 0, frame(1514, false)), 0);
    sim_run(b.sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(b.p[1].n_rx, 50);
    for (size_t k = 0; k < 50; k++) {
        CU_ASSERT_EQUAL(b.p[1].rx_at[k], (sim_time_t)k * slot + ft + delay);
        CU_ASSERT_EQUAL(b.p[0].ready_at[k], (sim_time_t)(k + 1) * slot);
    }
    /* Until the last slot ended the transmitter never idled. */
    CU_ASSERT_DOUBLE_EQUAL(value(&b, "l0.side0.utilization"),
                           (double)(50 * slot) / (double)sim_now(b.sim),
                           1e-12);
    CU_ASSERT_DOUBLE_EQUAL(value(&b, "l0.side0.frames"), 50, 0);
    CU_ASSERT_DOUBLE_EQUAL(value(&b, "l0.side0.bytes"), 50 * 1514, 0);
    CU_ASSERT_DOUBLE_EQUAL(value(&b, "l0.side1.frames"), 0, 0);
    /* Idle for as long again halves it. */
    sim_run(b.sim, 100 * slot);
    CU_ASSERT_EQUAL(sim_now(b.sim), 100 * slot);
    CU_ASSERT_DOUBLE_EQUAL(value(&b, "l0.side0.utilization"), 0.5, 1e-12);
    bench_fini(&b);
}

static void
test_link_directions_are_independent_full_duplex(void)
{
    struct bench b;

    bench_init(&b, rates[4], 2000);
    CU_ASSERT_EQUAL(link_send(b.link, 0, frame(1514, false)), 0);
    CU_ASSERT_EQUAL(link_send(b.link, 1, frame(60, false)), 0);
    CU_ASSERT_FALSE(link_tx_idle(b.link, 0));
    CU_ASSERT_FALSE(link_tx_idle(b.link, 1));
    sim_run(b.sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(b.p[1].rx_at[0], (8 + 1514 + 4) * 8 * 10 + 2000);
    CU_ASSERT_EQUAL(b.p[0].rx_at[0], (8 + 60 + 4) * 8 * 10 + 2000);
    bench_fini(&b);
}

static void
test_link_busy_transmitter_refuses_with_ebusy_until_tx_ready(void)
{
    struct bench b;
    struct vsw_pkt *second = frame(100, false);

    bench_init(&b, rates[0], 0);
    CU_ASSERT_TRUE(link_tx_idle(b.link, 0));
    CU_ASSERT_EQUAL(link_send(b.link, 0, frame(100, false)), 0);
    CU_ASSERT_FALSE(link_tx_idle(b.link, 0));
    CU_ASSERT_EQUAL(link_send(b.link, 0, second), EBUSY);
    /* One picosecond before the slot ends it is still busy... */
    sim_run(b.sim, (8 + 100 + 4 + 12) * 8 * 1000 - 1);
    CU_ASSERT_FALSE(link_tx_idle(b.link, 0));
    CU_ASSERT_EQUAL(b.p[0].n_ready, 0);
    /* ...and idle at its end, after tx_ready. */
    sim_run(b.sim, (8 + 100 + 4 + 12) * 8 * 1000);
    CU_ASSERT_TRUE(link_tx_idle(b.link, 0));
    CU_ASSERT_EQUAL(b.p[0].n_ready, 1);
    CU_ASSERT_EQUAL(link_send(b.link, 0, second), 0);
    CU_ASSERT_EQUAL(link_send(b.link, 0, NULL), EINVAL);
    sim_run(b.sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(b.p[1].n_rx, 2);
    bench_fini(&b);
}

static void
test_link_down_drops_sent_and_in_flight_frames_and_counts_them(void)
{
    struct bench b;
    const sim_time_t delay = 10000000;        /* 10 us: many in flight */

    bench_init(&b, rates[1], delay);
    b.p[0].to_send = 9;
    b.p[0].send_len = 1514;
    CU_ASSERT_EQUAL(link_send(b.link, 0, frame(1514, false)), 0);
    CU_ASSERT_EQUAL(link_send(b.link, 1, frame(60, false)), 0);
    /* After 5 slots, 5 frames (plus the one on the wire) are in flight. */
    sim_run(b.sim, 5 * 1230400 + 1);
    CU_ASSERT_EQUAL(link_in_flight(b.link, 0), 6);
    CU_ASSERT_EQUAL(link_in_flight(b.link, 1), 1);
    link_set_up(b.link, false);
    CU_ASSERT_FALSE(link_is_up(b.link));
    CU_ASSERT_EQUAL(link_in_flight(b.link, 0), 0);
    CU_ASSERT_EQUAL(link_in_flight(b.link, 1), 0);
    CU_ASSERT_DOUBLE_EQUAL(value(&b, "l0.side0.drops"), 6, 0);
    CU_ASSERT_DOUBLE_EQUAL(value(&b, "l0.side1.drops"), 1, 0);
    /* The busy transmitter still finishes its slot and calls tx_ready;
     * the frame sent from there into the down link is dropped at once,
     * and the transmitter, still idle, calls tx_ready no more. */
    sim_run(b.sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(b.p[0].n_ready, 6);
    CU_ASSERT_EQUAL(b.p[1].n_rx, 0);
    CU_ASSERT_EQUAL(b.p[0].n_rx, 0);
    CU_ASSERT_DOUBLE_EQUAL(value(&b, "l0.side0.drops"), 7, 0);
    CU_ASSERT_EQUAL(b.p[0].to_send, 3);
    CU_ASSERT_TRUE(link_tx_idle(b.link, 0));
    CU_ASSERT_DOUBLE_EQUAL(value(&b, "l0.side0.frames"), 0, 0);
    /* Up again, frames flow. */
    b.p[0].to_send = 0;
    link_set_up(b.link, true);
    CU_ASSERT_EQUAL(link_send(b.link, 0, frame(60, false)), 0);
    sim_run(b.sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(b.p[1].n_rx, 1);
    bench_fini(&b);
}

static void
test_link_destroy_frees_frames_in_flight(void)
{
    struct bench b;

    bench_init(&b, rates[2], 1000000);
    CU_ASSERT_EQUAL(link_send(b.link, 0, frame(9000, false)), 0);
    sim_run(b.sim, 100);
    bench_fini(&b);        /* ASan / valgrind would report a leak */
}

static const struct cutest_case link_cases[] = {
    CUTEST(test_link_accepts_exactly_the_five_ethernet_rates),
    CUTEST(test_link_1514_byte_frame_occupies_1230400_ps_at_10g),
    CUTEST(test_link_serialization_exact_at_all_rates_and_sizes),
    CUTEST(test_link_pads_short_frames_to_60_bytes),
    CUTEST(test_link_back_to_back_frames_run_at_line_rate),
    CUTEST(test_link_directions_are_independent_full_duplex),
    CUTEST(test_link_busy_transmitter_refuses_with_ebusy_until_tx_ready),
    CUTEST(test_link_down_drops_sent_and_in_flight_frames_and_counts_them),
    CUTEST(test_link_destroy_frees_frames_in_flight),
    CUTEST_END
};

CUTEST_MAIN({ "link", link_cases })
