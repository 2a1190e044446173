/*
 * test-sched.c -- the event engine of sim/sim.h: ordering by (time,
 * sequence), first-in-first-out ties, cancellation in every state, refusal
 * of the past, run-until and sim_stop(), pooled memory, components, the
 * fingerprint, and a randomized differential test against a simple
 * reference scheduler (FIFO buckets per time value).
 */
#include <config.h>
#include "sim/sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/queue.h"
#include "sim/sim-private.h"
#include "tests/cutest.h"

/* A trace of executed events: each handler appends its tag. */
#define TRACE_MAX 64
static int trace[TRACE_MAX];
static size_t trace_len;
static sim_time_t trace_time[TRACE_MAX];

static void
trace_reset(void)
{
    trace_len = 0;
}

static void
record(struct sim *sim, void *ctx)
{
    if (trace_len < TRACE_MAX) {
        trace_time[trace_len] = sim_now(sim);
        trace[trace_len++] = (int)(intptr_t)ctx;
    }
}

static int
at(struct sim *sim, sim_time_t t, int tag, sim_event_id *id)
{
    return sim_schedule_at(sim, t, SIM_COMPONENT_ROOT, 0, record,
                           (void *)(intptr_t)tag, id);
}

static void
test_events_run_in_time_order(void)
{
    struct sim *sim = sim_create();

    trace_reset();
    CU_ASSERT_EQUAL(at(sim, 30, 3, NULL), 0);
    CU_ASSERT_EQUAL(at(sim, 10, 1, NULL), 0);
    CU_ASSERT_EQUAL(at(sim, 20, 2, NULL), 0);
    CU_ASSERT_EQUAL(sim_pending(sim), 3);
    CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
    CU_ASSERT_EQUAL(trace_len, 3);
    CU_ASSERT_EQUAL(trace[0], 1);
    CU_ASSERT_EQUAL(trace[1], 2);
    CU_ASSERT_EQUAL(trace[2], 3);
    CU_ASSERT_EQUAL(trace_time[0], 10);
    CU_ASSERT_EQUAL(trace_time[2], 30);
    CU_ASSERT_EQUAL(sim_now(sim), 30);
    CU_ASSERT_EQUAL(sim_events_executed(sim), 3);
    CU_ASSERT_EQUAL(sim_pending(sim), 0);
    sim_destroy(sim);
}

static void
test_equal_times_run_in_scheduling_order(void)
{
    struct sim *sim = sim_create();

    trace_reset();
    for (int i = 0; i < 40; i++) {
        /* Interleave two times so the heap really reorders. */
        CU_ASSERT_EQUAL(at(sim, i % 2 ? 5 : 7, i, NULL), 0);
    }
    sim_run(sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(trace_len, 40);
    for (int i = 0; i < 20; i++) {
        CU_ASSERT_EQUAL(trace[i], 2 * i + 1);
        CU_ASSERT_EQUAL(trace[20 + i], 2 * i);
    }
    sim_destroy(sim);
}

/* Handler that schedules two events at the current time: they must run
 * after everything already scheduled for now, in order. */
static void
spawn_now(struct sim *sim, void *ctx)
{
    int tag = (int)(intptr_t)ctx;

    record(sim, ctx);
    if (tag < 10) {
        CU_ASSERT_EQUAL(sim_schedule_in(sim, 0, 0, 0, spawn_now,
                                        (void *)(intptr_t)(tag * 10 + 10),
                                        NULL), 0);
        CU_ASSERT_EQUAL(sim_schedule_in(sim, 0, 0, 0, spawn_now,
                                        (void *)(intptr_t)(tag * 10 + 11),
                                        NULL), 0);
    }
}

/* Ties whose keys lived in different structures (the plain heap before
 * the calendar existed, buckets, the overflow list, the near-future heap)
 * and were scheduled from outside and from inside handlers still run in
 * scheduling order. */
#define TIE_T 3000000

static void
filler(struct sim *sim, void *ctx)
{
    (void)sim;
    (void)ctx;
}

static void
tie_adder(struct sim *sim, void *ctx)
{
    at(sim, TIE_T, (int)(intptr_t)ctx, NULL);
}

static void
test_equal_times_stay_fifo_across_queue_structures(void)
{
    struct sim *sim = sim_create();
    uint64_t x = 12345;
    int tag = 0;

    trace_reset();
    for (int i = 0; i < 8; i++) {
        at(sim, TIE_T, tag++, NULL);            /* plain heap */
    }
    for (int i = 0; i < 20000; i++) {
        x = sim_fp_mix64(x);
        sim_schedule_at(sim, 1 + (sim_time_t)(x % 1000000), 0, 0, filler,
                        NULL, NULL);
    }
    CU_ASSERT_EQUAL(sim_run(sim, 0), SIM_STOP_UNTIL);  /* builds calendar */
    for (int i = 0; i < 8; i++) {
        at(sim, TIE_T, tag++, NULL);            /* past the calendar */
    }
    for (int i = 0; i < 8; i++) {
        sim_schedule_at(sim, 500000, 0, 0, tie_adder,
                        (void *)(intptr_t)tag++, NULL);
    }
    for (int i = 0; i < 20000; i++) {
        x = sim_fp_mix64(x);
        sim_schedule_at(sim, 1000000 + (sim_time_t)(x % 1900000), 0, 0,
                        filler, NULL, NULL);
    }
    for (int i = 0; i < 8; i++) {
        sim_schedule_at(sim, TIE_T - 1, 0, 0, tie_adder,
                        (void *)(intptr_t)tag++, NULL);
    }
    CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
    CU_ASSERT_EQUAL(trace_len, 32);
    for (size_t i = 0; i < trace_len; i++) {
        CU_ASSERT_EQUAL(trace[i], (int)i);
        CU_ASSERT_EQUAL(trace_time[i], TIE_T);
    }
    sim_destroy(sim);
}

static void
test_ties_scheduled_from_handlers_are_fifo(void)
{
    struct sim *sim = sim_create();

    trace_reset();
    sim_schedule_at(sim, 100, 0, 0, spawn_now, (void *)(intptr_t)1, NULL);
    sim_schedule_at(sim, 100, 0, 0, spawn_now, (void *)(intptr_t)2, NULL);
    sim_run(sim, SIM_TIME_MAX);
    /* 1, 2, children of 1 (20, 21), children of 2 (30, 31). */
    CU_ASSERT_EQUAL(trace_len, 6);
    CU_ASSERT_EQUAL(trace[0], 1);
    CU_ASSERT_EQUAL(trace[1], 2);
    CU_ASSERT_EQUAL(trace[2], 20);
    CU_ASSERT_EQUAL(trace[3], 21);
    CU_ASSERT_EQUAL(trace[4], 30);
    CU_ASSERT_EQUAL(trace[5], 31);
    CU_ASSERT_EQUAL(sim_now(sim), 100);
    sim_destroy(sim);
}

static void
test_cancel_pending_event_removes_it(void)
{
    struct sim *sim = sim_create();
    sim_event_id a, b;

    trace_reset();
    at(sim, 10, 1, &a);
    at(sim, 20, 2, &b);
    CU_ASSERT_NOT_EQUAL(a, SIM_EVENT_NONE);
    CU_ASSERT_NOT_EQUAL(a, b);
    CU_ASSERT_TRUE(sim_is_pending(sim, a));
    CU_ASSERT_TRUE(sim_cancel(sim, a));
    CU_ASSERT_FALSE(sim_is_pending(sim, a));
    CU_ASSERT_EQUAL(sim_pending(sim), 1);
    CU_ASSERT_FALSE(sim_cancel(sim, a));        /* double cancel */
    sim_run(sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(trace_len, 1);
    CU_ASSERT_EQUAL(trace[0], 2);
    CU_ASSERT_EQUAL(sim_events_executed(sim), 1);
    sim_destroy(sim);
}

static void
test_cancel_none_and_already_run_are_noops(void)
{
    struct sim *sim = sim_create();
    sim_event_id a;

    trace_reset();
    CU_ASSERT_FALSE(sim_cancel(sim, SIM_EVENT_NONE));
    CU_ASSERT_FALSE(sim_is_pending(sim, SIM_EVENT_NONE));
    CU_ASSERT_FALSE(sim_cancel(sim, (sim_event_id)12345 << 28 | 77));
    at(sim, 10, 1, &a);
    sim_run(sim, SIM_TIME_MAX);
    CU_ASSERT_FALSE(sim_is_pending(sim, a));
    CU_ASSERT_FALSE(sim_cancel(sim, a));
    CU_ASSERT_EQUAL(trace_len, 1);
    sim_destroy(sim);
}

static sim_event_id self_id;
static bool self_cancel_result = true;

static void
cancel_self(struct sim *sim, void *ctx)
{
    CU_ASSERT_FALSE(sim_is_pending(sim, self_id));
    self_cancel_result = sim_cancel(sim, self_id);
    record(sim, ctx);
}

static void
test_self_cancel_while_running_is_noop(void)
{
    struct sim *sim = sim_create();

    trace_reset();
    sim_schedule_at(sim, 5, 0, 0, cancel_self, (void *)(intptr_t)9, &self_id);
    at(sim, 6, 10, NULL);
    sim_run(sim, SIM_TIME_MAX);
    CU_ASSERT_FALSE(self_cancel_result);
    CU_ASSERT_EQUAL(trace_len, 2);
    CU_ASSERT_EQUAL(trace[1], 10);
    sim_destroy(sim);
}

static void
test_stale_id_cannot_cancel_reused_record(void)
{
    struct sim *sim = sim_create();
    sim_event_id old, fresh;

    trace_reset();
    at(sim, 10, 1, &old);
    CU_ASSERT_TRUE(sim_cancel(sim, old));
    sim_run(sim, SIM_TIME_MAX);                 /* recycles the record */
    at(sim, 20, 2, &fresh);
    /* Same record slot, new generation. */
    CU_ASSERT_EQUAL(old & SIMQ_IDX_MASK, fresh & SIMQ_IDX_MASK);
    CU_ASSERT_NOT_EQUAL(old, fresh);
    CU_ASSERT_FALSE(sim_cancel(sim, old));
    CU_ASSERT_TRUE(sim_is_pending(sim, fresh));
    sim_run(sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(trace_len, 1);
    CU_ASSERT_EQUAL(trace[0], 2);
    sim_destroy(sim);
}

static void
test_ids_are_unique_across_many_reuses(void)
{
    struct sim *sim = sim_create();
    sim_event_id prev = SIM_EVENT_NONE, id;

    for (int i = 0; i < 1000; i++) {
        at(sim, i, i, &id);
        CU_ASSERT_TRUE(id > prev);   /* generation grows on one record */
        prev = id;
        sim_run(sim, SIM_TIME_MAX);
    }
    sim_destroy(sim);
}

static void
test_schedule_in_past_is_rejected_with_nothing_scheduled(void)
{
    struct sim *sim = sim_create();
    sim_event_id id = 42;

    trace_reset();
    sim_run(sim, 100);
    CU_ASSERT_EQUAL(sim_now(sim), 100);
    CU_ASSERT_EQUAL(at(sim, 99, 1, &id), EINVAL);
    CU_ASSERT_EQUAL(id, 42);
    CU_ASSERT_EQUAL(sim_schedule_in(sim, -1, 0, 0, record, NULL, &id),
                    EINVAL);
    CU_ASSERT_EQUAL(sim_schedule_in(sim, SIM_TIME_MAX, 0, 0, record, NULL,
                                    &id), EINVAL);
    CU_ASSERT_EQUAL(sim_pending(sim), 0);
    CU_ASSERT_EQUAL(at(sim, 100, 1, &id), 0);   /* now itself is fine */
    CU_ASSERT_EQUAL(sim_pending(sim), 1);
    sim_run(sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(trace_len, 1);
    sim_destroy(sim);
}

static void
test_run_until_runs_events_at_until_and_advances_clock(void)
{
    struct sim *sim = sim_create();

    trace_reset();
    at(sim, 10, 1, NULL);
    at(sim, 20, 2, NULL);
    at(sim, 30, 3, NULL);
    CU_ASSERT_EQUAL(sim_run(sim, 20), SIM_STOP_UNTIL);
    CU_ASSERT_EQUAL(trace_len, 2);
    CU_ASSERT_EQUAL(sim_now(sim), 20);
    CU_ASSERT_EQUAL(sim_run(sim, 25), SIM_STOP_UNTIL);
    CU_ASSERT_EQUAL(trace_len, 2);
    CU_ASSERT_EQUAL(sim_now(sim), 25);
    CU_ASSERT_EQUAL(sim_run(sim, 1000), SIM_STOP_EMPTY);   /* continues */
    CU_ASSERT_EQUAL(trace_len, 3);
    CU_ASSERT_EQUAL(sim_now(sim), 1000);
    CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
    CU_ASSERT_EQUAL(sim_now(sim), 1000);
    CU_ASSERT_EQUAL(sim_run(sim, 500), SIM_STOP_EMPTY);    /* never back */
    CU_ASSERT_EQUAL(sim_now(sim), 1000);
    sim_destroy(sim);
}

/* SIM_TIME_MAX means "never", in a small queue (a plain heap) and in a
 * large one (the calendar): such events are pending and cancellable but
 * do not run, and a run until SIM_TIME_MAX ends as if the queue were
 * empty, with the clock at the last real event. */
static void
test_events_at_time_max_never_run_but_stay_pending(void)
{
    static const size_t sizes[] = { 2, 3000, 20000 };

    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        struct sim *sim = sim_create();
        sim_event_id first = SIM_EVENT_NONE, id;
        bool ok = true;

        trace_reset();
        for (size_t i = 0; i < sizes[k]; i++) {
            ok &= at(sim, SIM_TIME_MAX, 9, i ? &id : &first) == 0;
            ok &= at(sim, (sim_time_t)(i % 7), 1, NULL) == 0;
        }
        CU_ASSERT_TRUE(ok);
        CU_ASSERT_TRUE(sim_is_pending(sim, first));
        CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
        CU_ASSERT_EQUAL(sim_events_executed(sim), sizes[k]);
        CU_ASSERT_EQUAL(sim_now(sim),
                        sizes[k] < 7 ? (sim_time_t)sizes[k] - 1 : 6);
        CU_ASSERT_EQUAL(sim_pending(sim), sizes[k]);
        CU_ASSERT_TRUE(sim_cancel(sim, first));
        CU_ASSERT_EQUAL(sim_pending(sim), sizes[k] - 1);
        /* Running again neither runs them nor moves the clock. */
        CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
        CU_ASSERT_EQUAL(sim_run(sim, 1000), SIM_STOP_UNTIL);
        CU_ASSERT_EQUAL(sim_now(sim), 1000);
        CU_ASSERT_EQUAL(sim_events_executed(sim), sizes[k]);
        /* New events still run before them. */
        CU_ASSERT_EQUAL(at(sim, 2000, 2, NULL), 0);
        CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
        CU_ASSERT_EQUAL(sim_now(sim), 2000);
        CU_ASSERT_EQUAL(sim_events_executed(sim), sizes[k] + 1);
        sim_destroy(sim);
    }
}

static void
stopper(struct sim *sim, void *ctx)
{
    record(sim, ctx);
    sim_stop(sim);
}

static void
test_sim_stop_returns_after_current_handler(void)
{
    struct sim *sim = sim_create();

    trace_reset();
    at(sim, 10, 1, NULL);
    sim_schedule_at(sim, 20, 0, 0, stopper, (void *)(intptr_t)2, NULL);
    at(sim, 20, 3, NULL);
    at(sim, 30, 4, NULL);
    CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_MAX), SIM_STOP_REQUESTED);
    CU_ASSERT_EQUAL(trace_len, 2);
    CU_ASSERT_EQUAL(sim_now(sim), 20);
    CU_ASSERT_EQUAL(sim_pending(sim), 2);
    CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
    CU_ASSERT_EQUAL(trace_len, 4);
    CU_ASSERT_EQUAL(trace[2], 3);
    sim_destroy(sim);
}

/* A hold model with a re-armed timer per event, for memory checks. */
struct holder {
    uint64_t x;
    sim_event_id timers[16];
    uint64_t left;
};

static uint64_t
lcg(uint64_t *x)
{
    *x = *x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *x >> 33;
}

static void
timer_fn(struct sim *sim, void *ctx)
{
    (void)sim;
    (void)ctx;
}

static void
hold_fn(struct sim *sim, void *ctx)
{
    struct holder *h = ctx;
    unsigned t = (unsigned)(lcg(&h->x) % 16);

    if (h->left == 0) {
        return;
    }
    h->left--;
    sim_cancel(sim, h->timers[t]);
    sim_schedule_in(sim, 1000 + (sim_time_t)(lcg(&h->x) % 1000), 0, 1,
                    timer_fn, NULL, &h->timers[t]);
    sim_schedule_in(sim, (sim_time_t)(lcg(&h->x) % 64), 0, 0, hold_fn, h,
                    NULL);
}

static void
test_pooled_memory_is_stable_at_constant_population(void)
{
    struct sim *sim = sim_create();
    struct holder h = { .x = 1, .left = UINT64_MAX };
    size_t mem1, mem2;

    for (int i = 0; i < 500; i++) {
        sim_schedule_in(sim, i, 0, 0, hold_fn, &h, NULL);
    }
    sim_run(sim, 200000);
    mem1 = sim_queue_memory_bytes(sim);
    CU_ASSERT_TRUE(mem1 > 0);
    for (int cycle = 0; cycle < 20; cycle++) {
        sim_run(sim, sim_now(sim) + 100000);
        mem2 = sim_queue_memory_bytes(sim);
        CU_ASSERT_EQUAL(mem2, mem1);
    }
    CU_ASSERT_TRUE(sim_events_executed(sim) > 1000000);
    CU_ASSERT_TRUE(sim_pending(sim) >= 500 && sim_pending(sim) <= 516);
    /* Bounded: cancelled timers are compacted away. */
    CU_ASSERT_TRUE(mem1 <= 516 * 200);
    sim_destroy(sim);
}

static void
test_heavy_cancellation_keeps_memory_bounded(void)
{
    struct sim *sim = sim_create();
    sim_event_id id = SIM_EVENT_NONE;
    size_t peak = 0;
    bool ok = true;

    at(sim, SIM_TIME_MAX, 0, NULL);
    for (int i = 0; i < 1000000; i++) {
        ok &= i == 0 || sim_cancel(sim, id);
        ok &= at(sim, 1000 + i, 1, &id) == 0;
        if (sim_queue_memory_bytes(sim) > peak) {
            peak = sim_queue_memory_bytes(sim);
        }
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(sim_pending(sim), 2);
    CU_ASSERT_TRUE(peak < 20000);
    sim_destroy(sim);
}

static void
test_fifo_survives_sequence_renumbering(void)
{
    struct sim *sim = sim_create();

    trace_reset();
    at(sim, 50, 1, NULL);
    at(sim, 40, 0, NULL);
    sim_test_set_next_seq(sim, SIMQ_SEQ_LIMIT - 2);
    at(sim, 50, 2, NULL);
    at(sim, 50, 3, NULL);               /* renumbers here */
    at(sim, 50, 4, NULL);
    at(sim, 40, 5, NULL);
    sim_run(sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(trace_len, 6);
    CU_ASSERT_EQUAL(trace[0], 0);
    CU_ASSERT_EQUAL(trace[1], 5);
    for (int i = 2; i < 6; i++) {
        CU_ASSERT_EQUAL(trace[i], i - 1);
    }
    sim_destroy(sim);
}

static void
test_components_have_dotted_paths_in_creation_order(void)
{
    struct sim *sim = sim_create();
    int error = 0;
    sim_component_id host, cpu, nic, bad;

    CU_ASSERT_EQUAL(sim_component_count(sim), 1);
    CU_ASSERT_STRING_EQUAL(sim_component_path(sim, SIM_COMPONENT_ROOT), "");
    host = sim_component_add(sim, SIM_COMPONENT_ROOT, "host0", &error);
    cpu = sim_component_add(sim, host, "cpu3", &error);
    nic = sim_component_add(sim, host, "nic0", &error);
    CU_ASSERT_EQUAL(host, 1);
    CU_ASSERT_EQUAL(cpu, 2);
    CU_ASSERT_EQUAL(nic, 3);
    CU_ASSERT_STRING_EQUAL(sim_component_path(sim, host), "host0");
    CU_ASSERT_STRING_EQUAL(sim_component_path(sim, cpu), "host0.cpu3");
    CU_ASSERT_STRING_EQUAL(sim_component_path(sim, nic), "host0.nic0");
    CU_ASSERT_EQUAL(sim_component_add(sim, host, "cpu3", NULL), 4);
    CU_ASSERT_PTR_NULL(sim_component_path(sim, 99));

    bad = sim_component_add(sim, host, "", &error);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(error, EINVAL);
    error = 0;
    CU_ASSERT_EQUAL(sim_component_add(sim, host, "a.b", &error), 0);
    CU_ASSERT_EQUAL(error, EINVAL);
    error = 0;
    CU_ASSERT_EQUAL(sim_component_add(sim, 77, "x", &error), 0);
    CU_ASSERT_EQUAL(error, EINVAL);
    CU_ASSERT_EQUAL(sim_component_count(sim), 5);
    for (int i = 0; i < 100; i++) {
        CU_ASSERT_EQUAL(sim_component_add(sim, cpu, "t", NULL),
                        (sim_component_id)(5 + i));
    }
    CU_ASSERT_STRING_EQUAL(sim_component_path(sim, 104), "host0.cpu3.t");
    sim_destroy(sim);
}

/* Runs three events and returns the fingerprint. */
static uint64_t
fp_of(sim_time_t t2, uint16_t kind2, bool swap)
{
    struct sim *sim = sim_create();
    uint64_t fp;

    sim_component_add(sim, 0, "a", NULL);
    sim_schedule_at(sim, 10, 1, 7, record, NULL, NULL);
    if (swap) {
        sim_schedule_at(sim, t2, 0, 3, record, NULL, NULL);
        sim_schedule_at(sim, t2, 1, kind2, record, NULL, NULL);
    } else {
        sim_schedule_at(sim, t2, 1, kind2, record, NULL, NULL);
        sim_schedule_at(sim, t2, 0, 3, record, NULL, NULL);
    }
    trace_reset();
    sim_run(sim, SIM_TIME_MAX);
    fp = sim_fingerprint(sim);
    sim_destroy(sim);
    return fp;
}

static void
test_fingerprint_follows_documented_function(void)
{
    struct sim *sim = sim_create();
    uint64_t expect = SIM_FINGERPRINT_INIT;

    CU_ASSERT_EQUAL(sim_fingerprint(sim), SIM_FINGERPRINT_INIT);
    CU_ASSERT_EQUAL(sim_fp_mix64(0), 0);
    CU_ASSERT_EQUAL(sim_fp_mix64(1), UINT64_C(0x5692161d100b05e5));
    sim_schedule_at(sim, 10, 0, 7, record, NULL, NULL);
    sim_schedule_at(sim, 5, 0, 3, record, NULL, NULL);
    sim_run(sim, SIM_TIME_MAX);
    expect = sim_fp_mix64(expect ^ 5);
    expect = sim_fp_mix64(expect ^ 3);
    expect = sim_fp_mix64(expect ^ 10);
    expect = sim_fp_mix64(expect ^ 7);
    CU_ASSERT_EQUAL(sim_fingerprint(sim), expect);
    sim_destroy(sim);
}

static void
test_fingerprint_changes_with_time_kind_and_order(void)
{
    uint64_t base = fp_of(20, 5, false);

    CU_ASSERT_EQUAL(fp_of(20, 5, false), base);
    CU_ASSERT_NOT_EQUAL(fp_of(21, 5, false), base);
    CU_ASSERT_NOT_EQUAL(fp_of(20, 6, false), base);
    CU_ASSERT_NOT_EQUAL(fp_of(20, 5, true), base);
}

/* ---- randomized differential test ---- */

/* Every event's decisions derive from its tag alone, so the engine and the
 * reference make the same choices as long as they run the same order.  The
 * engine runs first and records its order; the reference, a FIFO bucket
 * per time value, replays the same model and compares. */
#define DIFF_INITIAL 100000
#define DIFF_TOTAL 600000

static struct diff {
    sim_time_t *time;           /* per tag */
    bool *done;                 /* per tag: ran or cancelled */
    uint32_t n_tags;
    uint32_t *order;            /* tags the engine executed */
    uint32_t n_order;
    uint64_t cancels;           /* successful cancels */
    bool mismatch;
    struct sim *sim;
    sim_event_id *ids;
    uint32_t **bucket;
    uint32_t *bucket_len, *bucket_cap;
    sim_time_t n_buckets;
} D;

static uint64_t
mix(uint64_t x)
{
    return sim_fp_mix64(x + UINT64_C(0x9e3779b97f4a7c15));
}

static void diff_engine_fn(struct sim *sim, void *ctx);

static void
ref_put(uint32_t tag, sim_time_t t)
{
    if (t >= D.n_buckets) {
        sim_time_t n = t * 2 + 16;
        D.bucket = realloc(D.bucket, (size_t)n * sizeof *D.bucket);
        D.bucket_len = realloc(D.bucket_len, (size_t)n * sizeof(uint32_t));
        D.bucket_cap = realloc(D.bucket_cap, (size_t)n * sizeof(uint32_t));
        for (sim_time_t i = D.n_buckets; i < n; i++) {
            D.bucket[i] = NULL;
            D.bucket_len[i] = D.bucket_cap[i] = 0;
        }
        D.n_buckets = n;
    }
    if (D.bucket_len[t] == D.bucket_cap[t]) {
        D.bucket_cap[t] = D.bucket_cap[t] * 2 + 4;
        D.bucket[t] = realloc(D.bucket[t],
                              D.bucket_cap[t] * sizeof(uint32_t));
    }
    D.bucket[t][D.bucket_len[t]++] = tag;
}

static void
new_tag(sim_time_t t, bool engine)
{
    uint32_t tag = D.n_tags++;

    D.time[tag] = t;
    D.done[tag] = false;
    if (engine) {
        if (sim_schedule_at(D.sim, t, (sim_component_id)(tag % 5),
                            (uint16_t)(tag % 3), diff_engine_fn,
                            (void *)(uintptr_t)tag, &D.ids[tag])) {
            D.mismatch = true;
        }
    } else {
        ref_put(tag, t);
    }
}

/* The decisions of event 'tag' running at 'now': up to two children a
 * few picoseconds later (many ties), and a cancel of a random earlier tag
 * one time in three (possibly itself, possibly already done). */
static void
act(uint32_t tag, sim_time_t now, bool engine)
{
    uint64_t r = mix(tag);
    unsigned children = (unsigned)(r % 4);

    if (children == 3) {
        children = 1;
    }
    for (unsigned c = 0; c < children && D.n_tags < DIFF_TOTAL; c++) {
        r = mix(r);
        new_tag(now + (sim_time_t)(r % 16), engine);
    }
    r = mix(r);
    if (r % 3 == 0) {
        uint32_t victim = (uint32_t)(mix(r) % D.n_tags);
        bool expect = !D.done[victim];

        if (engine && sim_cancel(D.sim, D.ids[victim]) != expect) {
            D.mismatch = true;
        }
        if (expect) {
            D.done[victim] = true;
            D.cancels += engine;
        }
    }
}

static void
diff_engine_fn(struct sim *sim, void *ctx)
{
    uint32_t tag = (uint32_t)(uintptr_t)ctx;

    if (D.done[tag] || sim_now(sim) != D.time[tag]) {
        D.mismatch = true;
    }
    D.done[tag] = true;
    D.order[D.n_order++] = tag;
    act(tag, sim_now(sim), true);
}

static void
diff_start(bool engine)
{
    D.n_tags = 0;
    for (uint32_t i = 0; i < DIFF_INITIAL; i++) {
        new_tag((sim_time_t)(mix(i ^ UINT64_C(1) << 40) % 2000), engine);
    }
    /* Cancel a tenth of the initial population up front. */
    for (uint32_t i = 0; i < DIFF_INITIAL / 10; i++) {
        uint32_t victim = (uint32_t)(mix(i ^ UINT64_C(3) << 40)
                                     % DIFF_INITIAL);
        bool expect = !D.done[victim];

        if (engine && sim_cancel(D.sim, D.ids[victim]) != expect) {
            D.mismatch = true;
        }
        D.done[victim] = true;
    }
}

static void
test_differential_against_reference_with_ties_and_cancels(void)
{
    uint32_t k = 0;

    memset(&D, 0, sizeof D);
    D.time = calloc(DIFF_TOTAL, sizeof *D.time);
    D.done = calloc(DIFF_TOTAL, sizeof *D.done);
    D.order = calloc(DIFF_TOTAL, sizeof *D.order);
    D.ids = calloc(DIFF_TOTAL, sizeof *D.ids);
    CU_ASSERT_PTR_NOT_NULL_FATAL(D.ids);
    D.sim = sim_create();

    diff_start(true);
    CU_ASSERT_EQUAL(sim_run(D.sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
    CU_ASSERT_FALSE(D.mismatch);
    CU_ASSERT_EQUAL(sim_events_executed(D.sim), D.n_order);
    CU_ASSERT_TRUE(D.n_tags > 4 * DIFF_INITIAL);
    CU_ASSERT_TRUE(D.cancels > 10000);

    diff_start(false);
    for (sim_time_t t = 0; t < D.n_buckets && !D.mismatch; t++) {
        /* The bucket may grow while it is processed (zero delays). */
        for (uint32_t i = 0; i < D.bucket_len[t] && !D.mismatch; i++) {
            uint32_t tag = D.bucket[t][i];
            if (D.done[tag]) {
                continue;
            }
            D.done[tag] = true;
            if (k >= D.n_order || D.order[k] != tag) {
                D.mismatch = true;
                break;
            }
            k++;
            act(tag, t, false);
        }
    }
    CU_ASSERT_FALSE(D.mismatch);
    CU_ASSERT_EQUAL(k, D.n_order);

    sim_destroy(D.sim);
    for (sim_time_t t = 0; t < D.n_buckets; t++) {
        free(D.bucket[t]);
    }
    free(D.time);
    free(D.done);
    free(D.order);
    free(D.ids);
    free(D.bucket);
    free(D.bucket_len);
    free(D.bucket_cap);
}

/* ---- sorted reference with extreme times ---- */

#define WIDE_N 60000

struct wide_ev {
    sim_time_t time;
    uint32_t seq;
    bool cancelled;
    sim_event_id id;
};

static struct wide_ev *wide;
static uint32_t *wide_order;
static uint32_t wide_ran;

static void
wide_fn(struct sim *sim, void *ctx)
{
    (void)sim;
    wide_order[wide_ran++] = (uint32_t)(uintptr_t)ctx;
}

static int
wide_cmp(const void *a_, const void *b_)
{
    const struct wide_ev *a = &wide[*(const uint32_t *)a_];
    const struct wide_ev *b = &wide[*(const uint32_t *)b_];

    if (a->time != b->time) {
        return a->time < b->time ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Times mix dense ties, a wide spread, far outliers and SIM_TIME_MAX;
 * scheduling happens in three rounds between partial runs, sequence
 * numbers are renumbered midway, and a fifth of the events is cancelled.
 * The executed order must equal the survivors sorted by (time, seq),
 * those at SIM_TIME_MAX ("never") excepted: they stay pending. */
static void
test_wide_time_spread_matches_sorted_reference(void)
{
    struct sim *sim = sim_create();
    uint32_t *expect = calloc(WIDE_N, sizeof *expect);
    uint32_t n_expect = 0, n = 0, n_never = 0;
    bool ok = true;

    wide = calloc(WIDE_N, sizeof *wide);
    wide_order = calloc(WIDE_N, sizeof *wide_order);
    wide_ran = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(wide_order);
    for (int round = 0; round < 3; round++) {
        sim_time_t now = sim_now(sim);

        if (round == 1) {
            sim_test_set_next_seq(sim, SIMQ_SEQ_LIMIT - 5000);
        }
        for (uint32_t i = 0; i < WIDE_N / 3; i++, n++) {
            uint64_t r = mix(n ^ UINT64_C(7) << 50);
            sim_time_t t;

            switch (r % 8) {
            case 0: t = now + (sim_time_t)(mix(r) % 4); break;
            case 1: t = SIM_TIME_MAX; break;
            case 2:
                t = now + (sim_time_t)(mix(r) % (UINT64_C(1) << 61));
                break;
            default: t = now + (sim_time_t)(mix(r) % 100000); break;
            }
            wide[n].time = t;
            wide[n].seq = n;
            ok &= sim_schedule_at(sim, t, 0, 0, wide_fn, (void *)(uintptr_t)n,
                                  &wide[n].id) == 0;
            if (mix(r ^ 1) % 5 == 0) {
                uint32_t v = (uint32_t)(mix(r ^ 2) % (n + 1));
                bool pending = !wide[v].cancelled
                    && sim_is_pending(sim, wide[v].id);
                ok &= sim_cancel(sim, wide[v].id) == pending;
                if (pending) {
                    wide[v].cancelled = true;
                }
            }
        }
        sim_run(sim, now + 50000);
        ok &= sim_now(sim) == now + 50000;
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
    for (uint32_t i = 0; i < n; i++) {
        if (wide[i].cancelled) {
            continue;
        }
        if (wide[i].time == SIM_TIME_MAX) {
            n_never++;          /* "never": stays pending, does not run */
        } else {
            expect[n_expect++] = i;
        }
    }
    CU_ASSERT_TRUE(n_never > 1000);
    CU_ASSERT_EQUAL(sim_pending(sim), n_never);
    /* Events that ran before a later round was scheduled are already in
     * place: a stable sort by (time, seq) of all survivors is the order. */
    qsort(expect, n_expect, sizeof *expect, wide_cmp);
    CU_ASSERT_EQUAL(wide_ran, n_expect);
    CU_ASSERT_EQUAL(memcmp(expect, wide_order,
                           n_expect * sizeof *expect), 0);
    sim_destroy(sim);
    free(expect);
    free(wide);
    free(wide_order);
}

/* Keys filed in calendar buckets and the overflow list are cancelled
 * eagerly (removed at once, the record recycled, no tombstone), in any
 * order, with holes filled from the head chunk of the same list; keys
 * already in the heap fall back to lazy tombstones.  Either way the
 * survivors run in (time, seq) order. */
#define BUCKET_OLD 20000
#define BUCKET_NEW 40000

static void
test_cancel_in_calendar_buckets_is_eager_and_keeps_order(void)
{
    struct sim *sim = sim_create();
    uint32_t total = BUCKET_OLD + 2 * BUCKET_NEW;
    uint32_t *expect = calloc(total, sizeof *expect);
    uint32_t *victims = calloc(BUCKET_NEW, sizeof *victims);
    uint32_t n = 0, n_expect = 0;
    bool ok = true;

    wide = calloc(total, sizeof *wide);
    wide_order = calloc(total, sizeof *wide_order);
    wide_ran = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(wide_order);
    CU_ASSERT_PTR_NOT_NULL_FATAL(victims);
    for (; n < BUCKET_OLD; n++) {
        wide[n].time = 1 + (sim_time_t)(mix(n) % 1000000);
        wide[n].seq = n;
        ok &= sim_schedule_at(sim, wide[n].time, 0, 0, wide_fn,
                              (void *)(uintptr_t)n, &wide[n].id) == 0;
    }
    /* Looking at the top spills the heap into a calendar. */
    CU_ASSERT_EQUAL(sim_run(sim, 0), SIM_STOP_UNTIL);
    CU_ASSERT_EQUAL(wide_ran, 0);
    for (uint32_t i = 0; i < BUCKET_NEW; i++, n++) {
        /* Past the heap's range (the first bucket): a quarter inside the
         * calendar's span, the rest past it (the overflow list). */
        wide[n].time = 500000 + (sim_time_t)(mix(n) % 2000000);
        wide[n].seq = n;
        ok &= sim_schedule_at(sim, wide[n].time, 0, 0, wide_fn,
                              (void *)(uintptr_t)n, &wide[n].id) == 0;
    }
    /* Cancel three quarters of the new keys in random order, scheduling
     * a replacement after every other cancel (it reuses the record). */
    for (uint32_t i = 0; i < BUCKET_NEW; i++) {
        victims[i] = BUCKET_OLD + i;
    }
    for (uint32_t i = BUCKET_NEW - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(mix(i ^ UINT64_C(5) << 40) % (i + 1));
        uint32_t t = victims[i];

        victims[i] = victims[j];
        victims[j] = t;
    }
    for (uint32_t i = 0; i < BUCKET_NEW * 3 / 4; i++) {
        uint32_t v = victims[i];

        ok &= sim_cancel(sim, wide[v].id);
        ok &= !sim_cancel(sim, wide[v].id);
        wide[v].cancelled = true;
        if (i % 2 == 0) {
            wide[n].time = 500000 + (sim_time_t)(mix(n) % 2000000);
            wide[n].seq = n;
            ok &= sim_schedule_at(sim, wide[n].time, 0, 0, wide_fn,
                                  (void *)(uintptr_t)n, &wide[n].id) == 0;
            n++;
        }
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(sim_test_tombstones(sim), 0);
    /* The keys the rebuild moved into buckets had their locations
     * updated: eager too, except those already moved into the heap (the
     * earliest), which become tombstones. */
    for (uint32_t i = 0; i < BUCKET_OLD; i += 2) {
        if (wide[i].time > 100000) {
            ok &= sim_cancel(sim, wide[i].id);
            wide[i].cancelled = true;
        }
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(sim_test_tombstones(sim), 0);
    for (uint32_t i = 0; i < BUCKET_OLD; i++) {
        if (wide[i].time < 1000) {
            ok &= sim_cancel(sim, wide[i].id);
            wide[i].cancelled = true;
        }
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_TRUE(sim_test_tombstones(sim) > 0);
    CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
    CU_ASSERT_EQUAL(sim_pending(sim), 0);
    CU_ASSERT_EQUAL(sim_test_tombstones(sim), 0);
    for (uint32_t i = 0; i < n; i++) {
        if (!wide[i].cancelled) {
            expect[n_expect++] = i;
        }
    }
    qsort(expect, n_expect, sizeof *expect, wide_cmp);
    CU_ASSERT_EQUAL(wide_ran, n_expect);
    CU_ASSERT_EQUAL(memcmp(expect, wide_order,
                           n_expect * sizeof *expect), 0);
    sim_destroy(sim);
    free(expect);
    free(victims);
    free(wide);
    free(wide_order);
}

static const struct cutest_case ordering_cases[] = {
    CUTEST(test_events_run_in_time_order),
    CUTEST(test_equal_times_run_in_scheduling_order),
    CUTEST(test_ties_scheduled_from_handlers_are_fifo),
    CUTEST(test_equal_times_stay_fifo_across_queue_structures),
    CUTEST(test_fifo_survives_sequence_renumbering),
    CUTEST(test_schedule_in_past_is_rejected_with_nothing_scheduled),
    CUTEST(test_run_until_runs_events_at_until_and_advances_clock),
    CUTEST(test_sim_stop_returns_after_current_handler),
    CUTEST(test_events_at_time_max_never_run_but_stay_pending),
    CUTEST_END
};

static const struct cutest_case cancel_cases[] = {
    CUTEST(test_cancel_pending_event_removes_it),
    CUTEST(test_cancel_none_and_already_run_are_noops),
    CUTEST(test_self_cancel_while_running_is_noop),
    CUTEST(test_stale_id_cannot_cancel_reused_record),
    CUTEST(test_ids_are_unique_across_many_reuses),
    CUTEST(test_heavy_cancellation_keeps_memory_bounded),
    CUTEST(test_pooled_memory_is_stable_at_constant_population),
    CUTEST_END
};

static const struct cutest_case misc_cases[] = {
    CUTEST(test_components_have_dotted_paths_in_creation_order),
    CUTEST(test_fingerprint_follows_documented_function),
    CUTEST(test_fingerprint_changes_with_time_kind_and_order),
    CUTEST(test_differential_against_reference_with_ties_and_cancels),
    CUTEST(test_wide_time_spread_matches_sorted_reference),
    CUTEST(test_cancel_in_calendar_buckets_is_eager_and_keeps_order),
    CUTEST_END
};

CUTEST_MAIN({ "ordering", ordering_cases }, { "cancel", cancel_cases },
            { "misc", misc_cases })
