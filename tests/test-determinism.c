/*
 * test-determinism.c -- a simulation is a pure function of its seed: a
 * randomized workload driven by rng streams (sim/rng.h), with ties,
 * cancellations and several components, gives the same fingerprint and
 * event count every time it runs with one seed, and a different
 * fingerprint with another seed.
 */
#include <config.h>
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/rng.h"
#include "tests/cutest.h"

#define N_NODES 16
#define N_TIMERS 4

struct node {
    struct sim *sim;
    sim_component_id comp;
    struct rng rng;
    sim_event_id timers[N_TIMERS];
};

static void
timer_fn(struct sim *sim, void *ctx)
{
    struct node *n = ctx;

    /* A firing timer re-arms itself in slot 0. */
    sim_schedule_in(sim, (sim_time_t)rng_below(&n->rng, 5000) * 1000,
                    n->comp, 2, timer_fn, n, &n->timers[0]);
}

static void
packet_fn(struct sim *sim, void *ctx)
{
    struct node *n = ctx;
    sim_time_t gap = (sim_time_t)rng_exponential(&n->rng, 200000.0);
    unsigned t = (unsigned)rng_below(&n->rng, N_TIMERS);

    /* A 1 ns grain makes equal times common. */
    gap -= gap % 1000;
    sim_schedule_in(sim, gap, n->comp, (uint16_t)rng_below(&n->rng, 3),
                    packet_fn, n, NULL);
    /* Re-arm one timer, as a transport does on every packet. */
    sim_cancel(sim, n->timers[t]);
    sim_schedule_in(sim, sim_us(1) + (sim_time_t)rng_below(&n->rng, 1000),
                    n->comp, 1, timer_fn, n, &n->timers[t]);
}

struct outcome {
    uint64_t fingerprint;
    uint64_t events;
};

static struct outcome
run_workload(uint64_t seed)
{
    struct sim *sim = sim_create();
    struct node nodes[N_NODES];
    sim_component_id host = sim_component_add(sim, SIM_COMPONENT_ROOT,
                                              "host0", NULL);
    struct outcome o;

    for (int i = 0; i < N_NODES; i++) {
        char name[16];

        snprintf(name, sizeof name, "nic%d", i);
        nodes[i].sim = sim;
        nodes[i].comp = sim_component_add(sim, host, name, NULL);
        rng_init_stream(&nodes[i].rng, seed,
                        sim_component_path(sim, nodes[i].comp), "packets");
        for (int t = 0; t < N_TIMERS; t++) {
            nodes[i].timers[t] = SIM_EVENT_NONE;
        }
        for (int k = 0; k < 64; k++) {
            sim_schedule_in(sim, (sim_time_t)rng_below(&nodes[i].rng, 100)
                            * 1000, nodes[i].comp, 0, packet_fn, &nodes[i],
                            NULL);
        }
    }
    CU_ASSERT_EQUAL(sim_run(sim, sim_ms(1)), SIM_STOP_UNTIL);
    o.fingerprint = sim_fingerprint(sim);
    o.events = sim_events_executed(sim);
    sim_destroy(sim);
    return o;
}

static void
test_same_seed_gives_same_fingerprint_and_count(void)
{
    struct outcome a = run_workload(42);
    struct outcome b = run_workload(42);

    CU_ASSERT_TRUE(a.events > 50000);
    CU_ASSERT_EQUAL(a.events, b.events);
    CU_ASSERT_EQUAL(a.fingerprint, b.fingerprint);
}

static void
test_other_seed_gives_other_fingerprint(void)
{
    struct outcome a = run_workload(42);
    struct outcome b = run_workload(43);

    CU_ASSERT_NOT_EQUAL(a.fingerprint, b.fingerprint);
}

static const struct cutest_case determinism_cases[] = {
    CUTEST(test_same_seed_gives_same_fingerprint_and_count),
    CUTEST(test_other_seed_gives_other_fingerprint),
    CUTEST_END
};

CUTEST_MAIN({ "determinism", determinism_cases })
