/*
 * test-vswhost.c -- models/vswhost.h: the real switch inside the
 * simulation.  Frames switched from a DPC reach their destination's sink
 * only after the switch's cycles have run; the cycles are the profile's
 * formula over the work record; a flooded frame reaches every other port
 * once (the original without a copy, the others cloned); a dropped frame
 * is freed; the per-processor counters are indexed by the LP that ran the
 * switch; and a run cut short frees what is in flight.
 */
#include <config.h>

#include <string.h>

#include "models/clock.h"
#include "models/cpu.h"
#include "models/vswhost.h"
#include "sim/metrics.h"
#include "sim/sim.h"
#include "tests/cutest.h"
#include "vmswitch/packet.h"

#define MHZ 1000                    /* 1 cycle = 1 ns */

static struct sim *sim;
static struct metrics *reg;
static struct cpu *cpu;
static struct vswh *sw;

struct sink {
    struct vsw_pkt *got[64];
    sim_time_t at[64];
    size_t n, calls;
};
static struct sink sinks[3];
static uint32_t ports[3];

static const struct vswh_costs costs = {
    .batch_cycles = 1000,
    .frame_cycles = 100,
    .lookup_cycles = 10,
    .learn_cycles = 20,
    .acl_rule_cycles = 1,
    .ext_call_cycles = 1,
    .copy_kib_cycles = 1024,        /* 1 cycle per byte copied */
    .csum_kib_cycles = 0,
    .segment_cycles = 0,
    .deliver_cycles = 50,
};

static void
sink_deliver(void *ctx, struct cpu_exec *x, struct vsw_pkt **pkts, size_t n,
             cpu_step_fn *done, void *done_arg)
{
    struct sink *s = ctx;

    s->calls++;
    for (size_t i = 0; i < n; i++) {
        if (s->n < 64) {
            s->at[s->n] = cpu_now(cpu);
            s->got[s->n++] = pkts[i];
        } else {
            vsw_pkt_free(pkts[i]);
        }
    }
    done(x, done_arg);
}

static const uint8_t macs[3][6] = {
    { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 }, { 2, 0, 0, 0, 0, 3 },
};

static void
setup(void)
{
    struct cpu_config cc = { .name = "cpu", .n_lps = 2, .mhz = MHZ };

    memset(sinks, 0, sizeof sinks);
    sim = sim_create();
    reg = metrics_create(sim);
    CU_ASSERT_FATAL(cpu_create(sim, reg, SIM_COMPONENT_ROOT, &cc, &cpu) == 0);
    CU_ASSERT_FATAL(vswh_create(cpu, "sw", &costs, &sw) == 0);
    for (int i = 0; i < 3; i++) {
        struct vsw_nic_params nic = { .kind = VSW_NIC_VM, .n_macs = 1 };
        struct vswh_sink sk = { sink_deliver, &sinks[i] };
        char name[8] = { 'p', (char)('0' + i), 0 };
        memcpy(nic.macs[0], macs[i], 6);
        nic.caps.vlan_oob = true;
        CU_ASSERT_FATAL(vswh_port_add(sw, name, &nic, &sk, &ports[i]) == 0);
    }
}

static void
teardown(void)
{
    for (int i = 0; i < 3; i++) {
        for (size_t j = 0; j < sinks[i].n; j++) {
            vsw_pkt_free(sinks[i].got[j]);
        }
    }
    vswh_destroy(sw);
    cpu_destroy(cpu);
    metrics_destroy(reg);
    sim_destroy(sim);
}

static struct vsw_pkt *
frame(int from, const uint8_t *dst, size_t len)
{
    uint8_t d[1514] = { 0 };

    memcpy(d, dst, 6);
    memcpy(d + 6, macs[from], 6);
    d[12] = 0x88;                   /* a local experimental ethertype */
    d[13] = 0xb5;
    for (size_t i = 14; i < len; i++) {
        d[i] = (uint8_t)i;
    }
    return vsw_pkt_from_bytes(d, len);
}

/* A DPC that switches a prepared batch from 'src' on the LP it runs on. */
static struct vsw_pkt *batch[8];
static size_t batch_n;
static uint32_t batch_src;
static sim_time_t done_at;

static void
after(struct cpu_exec *x, void *arg)
{
    (void)x;
    (void)arg;
    done_at = cpu_now(cpu);
}

static void
dpc_fn(struct cpu_exec *x, void *arg)
{
    (void)arg;
    vswh_process(sw, x, batch_src, batch, batch_n, after, NULL);
}

static struct cpu_dpc dpc;

static void
run_batch(uint32_t lp, int src)
{
    batch_src = ports[src];
    done_at = -1;
    cpu_dpc_init(&dpc, dpc_fn, NULL, cpu_owner(cpu, "driver"));
    CU_ASSERT(cpu_queue_dpc(cpu, lp, &dpc));
    sim_run(sim, SIM_TIME_MAX);
}

static void
test_unicast_arrives_after_the_switch_cycles(void)
{
    setup();
    /* The switch knows its VM NICs' addresses: no flooding, no learning
     * needed. */
    batch[0] = frame(1, macs[0], 100);
    batch_n = 1;
    run_batch(0, 1);
    CU_ASSERT_EQUAL(sinks[0].n, 1);
    CU_ASSERT_EQUAL(sinks[2].n, 0);
    /* Now a unicast 0 -> 1. */
    sim_time_t t0 = sim_now(sim);
    batch[0] = frame(0, macs[1], 200);
    batch_n = 1;
    run_batch(0, 0);
    CU_ASSERT_EQUAL_FATAL(sinks[1].n, 1);
    CU_ASSERT_EQUAL(sinks[2].n, 0);     /* nothing more */
    CU_ASSERT_EQUAL(vsw_pkt_len(sinks[1].got[0]), 200);
    CU_ASSERT_EQUAL(sinks[1].got[0]->buf[sinks[1].got[0]->headroom + 150],
                    150);
    /* dpc dispatch 0 + the switch's cycles, then the sink: the frame
     * arrives exactly when the switch's work is done. */
    /* Delivery time - start = the switch's cycles (1 ns each). */
    sim_time_t cycles = (sinks[1].at[0] - t0) / 1000;
    CU_ASSERT(cycles >= (sim_time_t)(costs.batch_cycles + costs.frame_cycles
                                     + costs.deliver_cycles));
    CU_ASSERT(cycles < 2000);
    CU_ASSERT_EQUAL(done_at, sinks[1].at[0]);
    teardown();
}

static void
test_cycles_follow_the_formula(void)
{
    struct vsw_work w = {
        .frames_in = 3, .lookups = 4, .learns = 2, .acl_rules = 5,
        .ext_calls = 6, .bytes_copied = 2048, .bytes_checksummed = 1024,
        .segments = 7, .deliver_calls = 2,
    };
    struct vswh_costs c = {
        .batch_cycles = 1000, .frame_cycles = 100, .lookup_cycles = 10,
        .learn_cycles = 20, .acl_rule_cycles = 3, .ext_call_cycles = 4,
        .copy_kib_cycles = 185, .csum_kib_cycles = 256, .segment_cycles = 300,
        .deliver_cycles = 50,
    };
    CU_ASSERT_EQUAL(vswh_cycles(&c, &w),
                    1000 + 300 + 40 + 40 + 15 + 24 + 370 + 256 + 2100 + 100);
}

static void
test_flood_gives_each_other_port_one_copy(void)
{
    setup();
    uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    batch[0] = frame(0, bcast, 300);
    struct vsw_pkt *orig = batch[0];
    batch_n = 1;
    run_batch(1, 0);
    CU_ASSERT_EQUAL(sinks[0].n, 0);
    CU_ASSERT_EQUAL_FATAL(sinks[1].n, 1);
    CU_ASSERT_EQUAL_FATAL(sinks[2].n, 1);
    /* One of them is the frame handed in, the other a copy. */
    CU_ASSERT((sinks[1].got[0] == orig) != (sinks[2].got[0] == orig));
    CU_ASSERT_EQUAL(memcmp(vsw_pkt_data(sinks[1].got[0]),
                           vsw_pkt_data(sinks[2].got[0]), 300), 0);
    /* The switch's counters were kept in LP 1's slot and sum up. */
    struct vsw_switch_counters c;
    CU_ASSERT_EQUAL(vsw_ctl(vswh_switch(sw), VSW_CTL_SWITCH_COUNTERS, &c), 0);
    CU_ASSERT_EQUAL(c.frames_in, 1);
    CU_ASSERT_EQUAL(c.flooded, 1);
    /* The switch's time was charged to "vmswitch" on LP 1 only. */
    uint32_t o = cpu_owner(cpu, "vmswitch");
    CU_ASSERT(cpu_lp_owner_ps(cpu, 1, o) > 0);
    CU_ASSERT_EQUAL(cpu_lp_owner_ps(cpu, 0, o), 0);
    teardown();
}

static void
test_dropped_frame_is_freed_and_nothing_delivered(void)
{
    setup();
    /* A frame with a group source address is malformed for the switch. */
    uint8_t d[64] = { 0 };
    memcpy(d, macs[1], 6);
    d[6] = 0x01;                    /* multicast source */
    d[12] = 0x88;
    d[13] = 0xb5;
    batch[0] = vsw_pkt_from_bytes(d, 64);
    batch_n = 1;
    run_batch(0, 0);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(sinks[i].n, 0);
    }
    CU_ASSERT(done_at > 0);         /* the caller still continues */
    teardown();                     /* ASan: nothing leaked */
}

static void
test_batch_keeps_order_per_destination(void)
{
    setup();
    batch[0] = frame(1, macs[0], 60);   /* teach 1 */
    batch[1] = frame(2, macs[0], 60);   /* teach 2 (from port 2) */
    batch_n = 1;
    run_batch(0, 1);
    batch[0] = batch[1];
    run_batch(0, 2);
    for (int i = 0; i < 3; i++) {
        for (size_t j = 0; j < sinks[i].n; j++) {
            vsw_pkt_free(sinks[i].got[j]);
        }
        sinks[i].n = sinks[i].calls = 0;
    }
    /* Port 0 sends to 1, 2, 1, 2, 1: two sink calls, order kept. */
    for (int k = 0; k < 5; k++) {
        batch[k] = frame(0, macs[1 + k % 2], 100 + (size_t)k);
    }
    batch_n = 5;
    run_batch(0, 0);
    CU_ASSERT_EQUAL(sinks[1].calls, 1);
    CU_ASSERT_EQUAL(sinks[2].calls, 1);
    CU_ASSERT_EQUAL_FATAL(sinks[1].n, 3);
    CU_ASSERT_EQUAL_FATAL(sinks[2].n, 2);
    CU_ASSERT_EQUAL(vsw_pkt_len(sinks[1].got[0]), 100);
    CU_ASSERT_EQUAL(vsw_pkt_len(sinks[1].got[1]), 102);
    CU_ASSERT_EQUAL(vsw_pkt_len(sinks[1].got[2]), 104);
    CU_ASSERT_EQUAL(vsw_pkt_len(sinks[2].got[0]), 101);
    CU_ASSERT_EQUAL(vsw_pkt_len(sinks[2].got[1]), 103);
    /* Port 1's frames arrived before port 2's (first delivered first). */
    CU_ASSERT(sinks[1].at[0] <= sinks[2].at[0]);
    teardown();
}

static void
test_run_cut_short_frees_frames_in_flight(void)
{
    setup();
    uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    batch[0] = frame(0, bcast, 300);
    batch_n = 1;
    batch_src = ports[0];
    cpu_dpc_init(&dpc, dpc_fn, NULL, cpu_owner(cpu, "driver"));
    CU_ASSERT(cpu_queue_dpc(cpu, 0, &dpc));
    sim_run(sim, 500000);           /* 500 ns: inside the switch's cycles */
    CU_ASSERT_EQUAL(sinks[1].n + sinks[2].n, 0);
    teardown();                     /* ASan: the two copies are freed */
}

static const struct cutest_case cases[] = {
    CUTEST(test_unicast_arrives_after_the_switch_cycles),
    CUTEST(test_cycles_follow_the_formula),
    CUTEST(test_flood_gives_each_other_port_one_copy),
    CUTEST(test_dropped_frame_is_freed_and_nothing_delivered),
    CUTEST(test_batch_keeps_order_per_destination),
    CUTEST(test_run_cut_short_frees_frames_in_flight),
    CUTEST_END
};

CUTEST_MAIN({ "vswhost", cases })
