/*
 * test-metrics.c -- the metrics registry (sim/metrics.h): counters,
 * gauges, time-weighted averages on hand-computed schedules, log-linear
 * histogram buckets and quantiles, sampled series, warm-up resets and
 * registration-order export, including the write into a results run.
 */
#include <config.h>
#include "sim/metrics.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/record.h"
#include "sim/results.h"
#include "tests/cutest.h"

struct fixture {
    struct sim *sim;
    struct metrics *reg;
    sim_component_id host, cpu;
};

static void
fixture_init(struct fixture *f)
{
    f->sim = sim_create();
    f->reg = metrics_create(f->sim);
    f->host = sim_component_add(f->sim, SIM_COMPONENT_ROOT, "host0", NULL);
    f->cpu = sim_component_add(f->sim, f->host, "cpu0", NULL);
}

static void
fixture_done(struct fixture *f)
{
    metrics_destroy(f->reg);
    sim_destroy(f->sim);
}

/* Sets 'm' to 'value' at time 't' (advancing the clock). */
static void
set_at(struct fixture *f, struct metric *m, sim_time_t t, double value)
{
    sim_run(f->sim, t);
    metric_set(m, value);
}

static void
test_counter_and_gauge_hold_values_with_names_and_units(void)
{
    struct fixture f;

    fixture_init(&f);
    struct metric *c = metrics_counter(f.reg, f.cpu, "isr", "interrupts",
                                       "ISRs run");
    struct metric *g = metrics_gauge(f.reg, f.cpu, "freq", "MHz", "clock");
    metric_add(c, 3);
    metric_add(c, 4);
    metric_set(g, 2900);
    CU_ASSERT_EQUAL(metric_value(c), 7.0);
    CU_ASSERT_EQUAL(metric_value(g), 2900.0);
    CU_ASSERT_STRING_EQUAL(metric_full_name(c), "host0.cpu0.isr");
    CU_ASSERT_STRING_EQUAL(metric_module(c), "host0.cpu0");
    CU_ASSERT_STRING_EQUAL(metric_name(c), "isr");
    CU_ASSERT_STRING_EQUAL(metric_unit(g), "MHz");
    CU_ASSERT_STRING_EQUAL(metric_description(c), "ISRs run");
    CU_ASSERT_PTR_EQUAL(metrics_find(f.reg, "host0.cpu0.freq"), g);
    fixture_done(&f);
}

static void
test_gauge_events_record_every_change_at_its_time(void)
{
    struct fixture f;

    fixture_init(&f);
    struct metric *g = metrics_gauge(f.reg, f.cpu, "q3_lp", "LP", "where");
    sim_run(f.sim, 100);
    metric_event(g, 2);
    sim_run(f.sim, 250);
    metric_event(g, 5);
    metric_event(g, 6);         /* two changes at one time: both kept */
    CU_ASSERT_EQUAL(metric_value(g), 6.0);
    CU_ASSERT_EQUAL_FATAL(metric_series_len(g), 3);
    sim_time_t t;
    uint64_t ev;
    double v;
    metric_series_at(g, 0, &t, &ev, &v);
    CU_ASSERT_EQUAL(t, 100);
    CU_ASSERT_EQUAL(v, 2.0);
    metric_series_at(g, 2, &t, &ev, &v);
    CU_ASSERT_EQUAL(t, 250);
    CU_ASSERT_EQUAL(v, 6.0);
    /* A warm-up reset forgets the changes before it. */
    metrics_reset(f.reg);
    CU_ASSERT_EQUAL(metric_series_len(g), 0);
    CU_ASSERT_EQUAL(metric_value(g), 6.0);
    fixture_done(&f);
}

static void
test_timeavg_is_exact_on_hand_computed_schedule(void)
{
    struct fixture f;

    fixture_init(&f);
    struct metric *u = metrics_timeavg(f.reg, f.cpu, "busy", "1", "", 0.0);
    /* 0 on [0,10), 1 on [10,40), 0.5 on [40,100): (30 + 30) / 100. */
    set_at(&f, u, 10, 1.0);
    set_at(&f, u, 40, 0.5);
    sim_run(f.sim, 100);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(u), 0.6, 1e-12);
    /* Reading does not disturb: still 0.6 at 100, then (60 + 50)/200. */
    CU_ASSERT_DOUBLE_EQUAL(metric_value(u), 0.6, 1e-12);
    sim_run(f.sim, 200);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(u), 110.0 / 200.0, 1e-12);
    fixture_done(&f);
}

static void
test_histogram_buckets_are_exact_low_and_log_linear_high(void)
{
    struct fixture f;
    uint64_t lo, hi;

    fixture_init(&f);
    struct metric *h = metrics_histogram(f.reg, f.cpu, "lat", "ps", "");
    /* Exact region: every value below 2^(K+1) = 32 has its own bucket. */
    for (uint64_t v = 0; v < 32; v++) {
        CU_ASSERT_EQUAL(metric_hist_bucket_of(v), v);
    }
    /* [32, 64) splits into 16 buckets of width 2. */
    CU_ASSERT_EQUAL(metric_hist_bucket_of(32), metric_hist_bucket_of(33));
    CU_ASSERT_NOT_EQUAL(metric_hist_bucket_of(33), metric_hist_bucket_of(34));
    /* Every value falls inside its bucket's edges, and buckets tile the
     * line without gaps. */
    uint64_t prev_hi = 0;
    for (size_t i = 0; i < 200; i++) {
        metric_hist_bucket(h, i, &lo, &hi);
        CU_ASSERT_EQUAL(lo, prev_hi);
        CU_ASSERT_EQUAL(metric_hist_bucket_of(lo), i);
        CU_ASSERT_EQUAL(metric_hist_bucket_of(hi - 1), i);
        /* Relative width at most 1/16 above the exact region. */
        if (lo >= 32) {
            CU_ASSERT((hi - lo) * 16 <= lo);
        }
        prev_hi = hi;
    }
    CU_ASSERT(metric_hist_bucket_of(UINT64_MAX) == METRICS_HIST_BUCKETS - 1);
    fixture_done(&f);
}

static void
test_histogram_summary_and_quantiles(void)
{
    struct fixture f;
    struct metric_hist_summary s;

    fixture_init(&f);
    struct metric *h = metrics_histogram(f.reg, f.cpu, "lat", "ps", "");
    for (uint64_t v = 1; v <= 1000; v++) {
        metric_record(h, v * 1000);         /* 1 ns .. 1 us */
    }
    metric_hist_summary(h, &s);
    CU_ASSERT_EQUAL(s.count, 1000);
    CU_ASSERT_EQUAL(s.min, 1000);
    CU_ASSERT_EQUAL(s.max, 1000000);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(h), 500500.0, 1e-6);
    /* Quantiles within one bucket width (1/16) above the true value. */
    uint64_t p50 = metric_hist_quantile(h, 0.5);
    uint64_t p99 = metric_hist_quantile(h, 0.99);
    CU_ASSERT(p50 >= 500000 && p50 <= 500000 + 500000 / 16);
    CU_ASSERT(p99 >= 990000 && p99 <= 1000000);
    CU_ASSERT_EQUAL(metric_hist_quantile(h, 1.0), 1000000);
    fixture_done(&f);
}

static void
test_histogram_bucket_edges_at_powers_of_two(void)
{
    static const struct { uint64_t value; size_t bucket; uint64_t lo, hi; }
    cases[] = {
        { 0, 0, 0, 1 },         { 31, 31, 31, 32 },
        { 32, 32, 32, 34 },     { 33, 32, 32, 34 },
        { 63, 47, 62, 64 },     { 64, 48, 64, 68 },
        { 67, 48, 64, 68 },     { 68, 49, 68, 72 },
        { 127, 63, 124, 128 },  { 128, 64, 128, 136 },
        { 1000, 111, 992, 1024 },
        { UINT64_C(1) << 40, 36 * 16 + 16, UINT64_C(1) << 40,
          (UINT64_C(1) << 40) + (UINT64_C(1) << 36) },
    };
    struct fixture f;
    uint64_t lo, hi;

    fixture_init(&f);
    struct metric *h = metrics_histogram(f.reg, f.cpu, "lat", "ps", "");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CU_ASSERT_EQUAL(metric_hist_bucket_of(cases[i].value),
                        cases[i].bucket);
        metric_hist_bucket(h, cases[i].bucket, &lo, &hi);
        CU_ASSERT_EQUAL(lo, cases[i].lo);
        CU_ASSERT_EQUAL(hi, cases[i].hi);
    }
    /* The last bucket: [31 * 2^59, 2^64), upper edge reported saturated. */
    metric_hist_bucket(h, METRICS_HIST_BUCKETS - 1, &lo, &hi);
    CU_ASSERT_EQUAL(lo, UINT64_C(31) << 59);
    CU_ASSERT_EQUAL(hi, UINT64_MAX);
    /* Recording lands in exactly that bucket. */
    metric_record(h, 67);
    CU_ASSERT_EQUAL(metric_hist_bucket(h, 48, NULL, NULL), 1);
    CU_ASSERT_EQUAL(metric_hist_bucket(h, 49, NULL, NULL), 0);
    fixture_done(&f);
}

static void
test_histogram_quantiles_exact_in_linear_region(void)
{
    struct fixture f;

    fixture_init(&f);
    struct metric *h = metrics_histogram(f.reg, f.cpu, "lat", "ps", "");
    CU_ASSERT_EQUAL(metric_hist_quantile(h, 0.5), 0);      /* empty */
    for (uint64_t v = 20; v >= 1; v--) {
        metric_record(h, v);
    }
    CU_ASSERT_EQUAL(metric_hist_quantile(h, 0.05), 1);
    CU_ASSERT_EQUAL(metric_hist_quantile(h, 0.5), 10);
    CU_ASSERT_EQUAL(metric_hist_quantile(h, 0.51), 11);
    CU_ASSERT_EQUAL(metric_hist_quantile(h, 0.95), 19);
    CU_ASSERT_EQUAL(metric_hist_quantile(h, 1.0), 20);
    /* Above the linear region: 100 is in [96, 100) ... [100, 104) -> 103,
     * clamped to the maximum 100. */
    metric_record(h, 100);
    CU_ASSERT_EQUAL(metric_hist_quantile(h, 1.0), 100);
    fixture_done(&f);
}

static void
test_histogram_mean_and_stddev(void)
{
    struct fixture f;
    struct metric_hist_summary s;
    static const uint64_t xs[] = { 2, 4, 4, 4, 5, 5, 7, 9 };

    fixture_init(&f);
    struct metric *h = metrics_histogram(f.reg, f.cpu, "a", "ps", "");
    struct metric *big = metrics_histogram(f.reg, f.cpu, "b", "ps", "");
    metric_hist_summary(h, &s);
    CU_ASSERT_EQUAL(s.count, 0);
    CU_ASSERT_EQUAL(s.stddev, 0.0);
    for (size_t i = 0; i < 8; i++) {
        metric_record(h, xs[i]);
    }
    /* Mean 5, squared deviations sum to 32: sample variance 32 / 7. */
    metric_hist_summary(h, &s);
    CU_ASSERT_DOUBLE_EQUAL(s.mean, 5.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.stddev, sqrt(32.0 / 7.0), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.sum, 40.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.sumsq, 232.0, 0);
    CU_ASSERT_EQUAL(s.min, 2);
    CU_ASSERT_EQUAL(s.max, 9);
    /* 1 s in ps plus {1, 2, 3}: stddev exactly 1, which sum-of-squares
     * arithmetic (squares near 1e24) would lose entirely. */
    for (uint64_t v = 1; v <= 3; v++) {
        metric_record(big, UINT64_C(1000000000000) + v);
    }
    metric_hist_summary(big, &s);
    CU_ASSERT_DOUBLE_EQUAL(s.mean, 1000000000002.0, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(s.stddev, 1.0, 1e-6);
    fixture_done(&f);
}

static void
test_series_samples_interval_averages_at_exact_times(void)
{
    struct fixture f;
    sim_time_t t;
    uint64_t ev;
    double v;

    fixture_init(&f);
    struct metric *u = metrics_timeavg(f.reg, f.cpu, "busy", "1", "", 0.0);
    struct metric *c = metrics_counter(f.reg, f.cpu, "n", "1", "");
    CU_ASSERT_EQUAL(metrics_sample_every(f.reg, u, 100), 0);
    CU_ASSERT_EQUAL(metrics_sample_every(f.reg, c, 100), 0);
    CU_ASSERT_EQUAL(metrics_sample_every(f.reg, c, 50), EINVAL);
    set_at(&f, u, 50, 1.0);         /* busy half of [0,100) */
    metric_add(c, 2);
    set_at(&f, u, 150, 0.0);        /* busy half of [100,200) */
    sim_run(f.sim, 300);            /* idle [200,300) */
    CU_ASSERT_EQUAL(metric_series_len(u), 3);
    double expect[] = { 0.5, 0.5, 0.0 };
    for (size_t i = 0; i < 3; i++) {
        metric_series_at(u, i, &t, &ev, &v);
        CU_ASSERT_EQUAL(t, (sim_time_t)(100 * (i + 1)));
        CU_ASSERT_DOUBLE_EQUAL(v, expect[i], 1e-12);
    }
    metric_series_at(c, 0, &t, &ev, &v);
    CU_ASSERT_DOUBLE_EQUAL(v, 2.0, 0);
    fixture_done(&f);
}

static void
test_reset_at_warmup_restarts_statistics(void)
{
    struct fixture f;

    fixture_init(&f);
    struct metric *u = metrics_timeavg(f.reg, f.cpu, "busy", "1", "", 1.0);
    struct metric *c = metrics_counter(f.reg, f.cpu, "n", "1", "");
    struct metric *h = metrics_histogram(f.reg, f.cpu, "lat", "ps", "");
    metric_add(c, 5);
    metric_record(h, 7);
    CU_ASSERT_EQUAL(metrics_reset_at(f.reg, 100), 0);
    set_at(&f, u, 150, 0.0);        /* 1 on [100,150), 0 on [150,200) */
    metric_add(c, 1);
    sim_run(f.sim, 200);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(u), 0.5, 1e-12);
    CU_ASSERT_EQUAL(metric_value(c), 1.0);
    CU_ASSERT(isnan(metric_value(h)));
    fixture_done(&f);
}

static void
test_reset_keeps_gauges_and_refuses_the_past(void)
{
    struct fixture f;

    fixture_init(&f);
    struct metric *g = metrics_gauge(f.reg, f.cpu, "freq", "MHz", "");
    struct metric *u = metrics_timeavg(f.reg, f.cpu, "q", "frames", "", 4);
    metric_set(g, 2900);
    sim_run(f.sim, 50);
    metrics_reset(f.reg);           /* now, at 50 */
    CU_ASSERT_EQUAL(metric_value(g), 2900.0);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(u), 4.0, 0);   /* no time yet */
    set_at(&f, u, 60, 2.0);         /* 4 on [50,60), 2 on [60,90) */
    sim_run(f.sim, 90);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(u), (40.0 + 60.0) / 40.0, 1e-12);
    CU_ASSERT_EQUAL(metrics_reset_at(f.reg, 10), EINVAL);
    fixture_done(&f);
}

static void
test_series_keep_only_samples_after_reset_in_either_order(void)
{
    struct fixture f;
    sim_time_t t;
    uint64_t ev;
    double v;

    /* Sampler scheduled first: its sample at 200 runs before the reset at
     * 200 and is dropped by it. */
    fixture_init(&f);
    struct metric *c = metrics_counter(f.reg, f.cpu, "n", "1", "");
    CU_ASSERT_EQUAL(metrics_sample_every(f.reg, c, 100), 0);
    CU_ASSERT_EQUAL(metrics_reset_at(f.reg, 200), 0);
    metric_add(c, 5);
    sim_run(f.sim, 250);
    metric_add(c, 1);
    sim_run(f.sim, 400);
    CU_ASSERT_EQUAL_FATAL(metric_series_len(c), 2);
    metric_series_at(c, 0, &t, &ev, &v);
    CU_ASSERT_EQUAL(t, 300);
    CU_ASSERT_DOUBLE_EQUAL(v, 1.0, 0);
    metric_series_at(c, 1, &t, &ev, &v);
    CU_ASSERT_EQUAL(t, 400);
    fixture_done(&f);

    /* Reset scheduled first: the sample due at 200 sees the reset already
     * done and is skipped; the timeavg's next sample averages [200,300). */
    fixture_init(&f);
    struct metric *u = metrics_timeavg(f.reg, f.cpu, "busy", "1", "", 1.0);
    CU_ASSERT_EQUAL(metrics_reset_at(f.reg, 200), 0);
    CU_ASSERT_EQUAL(metrics_sample_every(f.reg, u, 100), 0);
    set_at(&f, u, 275, 0.0);
    sim_run(f.sim, 300);
    CU_ASSERT_EQUAL_FATAL(metric_series_len(u), 1);
    metric_series_at(u, 0, &t, &ev, &v);
    CU_ASSERT_EQUAL(t, 300);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.75, 1e-12);
    fixture_done(&f);
}

static void
test_series_stop_quietly_at_the_end_of_time(void)
{
    struct fixture f;
    sim_time_t interval = SIM_TIME_MAX / 2 + 1, t;
    uint64_t ev;
    double v;

    /* One sample at 'interval'; the next would be past SIM_TIME_MAX, so
     * sampling stops instead of failing, and the queue drains. */
    fixture_init(&f);
    struct metric *c = metrics_counter(f.reg, f.cpu, "n", "1", "");
    CU_ASSERT_EQUAL(metrics_sample_every(f.reg, c, interval), 0);
    metric_add(c, 3);
    CU_ASSERT_EQUAL(sim_run(f.sim, SIM_TIME_MAX), SIM_STOP_EMPTY);
    CU_ASSERT_EQUAL_FATAL(metric_series_len(c), 1);
    metric_series_at(c, 0, &t, &ev, &v);
    CU_ASSERT_EQUAL(t, interval);
    CU_ASSERT_DOUBLE_EQUAL(v, 3.0, 0);
    CU_ASSERT_EQUAL(sim_pending(f.sim), 0);
    fixture_done(&f);
}

static void
test_iteration_is_registration_order_across_kinds(void)
{
    struct fixture f;
    static const char *const expect[] = {
        "host0.cpu0.z", "host0.cpu0.a", "host0.m", "host0.cpu0.k",
    };
    static const enum metric_kind kinds[] = {
        METRIC_HISTOGRAM, METRIC_COUNTER, METRIC_TIMEAVG, METRIC_GAUGE,
    };

    fixture_init(&f);
    size_t before = metrics_count(f.reg);
    metrics_histogram(f.reg, f.cpu, "z", "ps", "");
    metrics_counter(f.reg, f.cpu, "a", "1", "");
    metrics_timeavg(f.reg, f.host, "m", "1", "", 0);
    metrics_gauge(f.reg, f.cpu, "k", "1", "");
    CU_ASSERT_EQUAL_FATAL(metrics_count(f.reg), before + 4);
    for (size_t i = 0; i < 4; i++) {
        struct metric *m = metrics_at(f.reg, before + i);
        CU_ASSERT_STRING_EQUAL(metric_full_name(m), expect[i]);
        CU_ASSERT_EQUAL(metric_kind(m), kinds[i]);
    }
    CU_ASSERT_PTR_NULL(metrics_at(f.reg, before + 4));
    CU_ASSERT_STRING_EQUAL(metric_kind_name(METRIC_TIMEAVG), "timeavg");
    fixture_done(&f);
}

static void
test_export_follows_registration_order_into_results(void)
{
    struct fixture f;
    struct res_db *db;
    struct res_run *run;
    char dir[] = "/tmp/vnetsim-metrics-XXXXXX", path[64], err[256];
    const char *names[] = { "zeta", "alpha", "mid" };

    fixture_init(&f);
    for (int i = 0; i < 3; i++) {
        metrics_counter(f.reg, f.cpu, names[i], "1", "");
    }
    struct metric *h = metrics_histogram(f.reg, f.cpu, "lat", "ps", "");
    metric_record(h, 10);
    metric_record(h, 1000);
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_STRING_EQUAL(metric_name(metrics_at(f.reg, i)), names[i]);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.db", dir);
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "m", &run), 0);
    CU_ASSERT_EQUAL(record_metrics(f.reg, run), 0);
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), 0);
    res_close(db);

    char cmd[256];
    snprintf(cmd, sizeof cmd, "test \"$(sqlite3 %s \"SELECT group_concat("
             "scalarName) FROM scalar WHERE scalarName NOT LIKE 'lat:%%'\")\""
             " = zeta,alpha,mid", path);
    if (system("command -v sqlite3 >/dev/null") == 0) {
        CU_ASSERT_EQUAL(system(cmd), 0);
        snprintf(cmd, sizeof cmd, "test \"$(sqlite3 %s \"SELECT count(*) "
                 "FROM histogramBin\")\" = 2", path);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }
    unlink(path);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    fixture_done(&f);
}

static void
count_duplicate(void *ctx, const char *full_name)
{
    int *n = ctx;

    CU_ASSERT_STRING_EQUAL(full_name, "host0.cpu0.isr");
    (*n)++;
}

/* Two objects given the same name register one full name twice: no
 * crash; the first metric stays the one found, the name is kept and the
 * hook hears of each repeat. */
static void
test_duplicate_name_is_reported_not_fatal(void)
{
    struct fixture f;
    int calls = 0;

    fixture_init(&f);
    metrics_on_duplicate(f.reg, count_duplicate, &calls);
    struct metric *a = metrics_counter(f.reg, f.cpu, "isr", "", "");
    CU_ASSERT_PTR_NULL(metrics_duplicate(f.reg));
    sim_component_id twin = sim_component_add(f.sim, f.host, "cpu0", NULL);
    struct metric *b = metrics_counter(f.reg, twin, "isr", "", "");
    struct metric *c = metrics_gauge(f.reg, f.cpu, "isr", "", "");
    CU_ASSERT_PTR_NOT_NULL(b);
    CU_ASSERT_PTR_NOT_NULL(c);
    CU_ASSERT_EQUAL(calls, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(metrics_duplicate(f.reg));
    CU_ASSERT_STRING_EQUAL(metrics_duplicate(f.reg), "host0.cpu0.isr");
    CU_ASSERT_PTR_EQUAL(metrics_find(f.reg, "host0.cpu0.isr"), a);
    CU_ASSERT_EQUAL(metrics_count(f.reg), 3);
    fixture_done(&f);
}

static const struct cutest_case metrics_cases[] = {
    CUTEST(test_duplicate_name_is_reported_not_fatal),
    CUTEST(test_counter_and_gauge_hold_values_with_names_and_units),
    CUTEST(test_gauge_events_record_every_change_at_its_time),
    CUTEST(test_timeavg_is_exact_on_hand_computed_schedule),
    CUTEST(test_histogram_buckets_are_exact_low_and_log_linear_high),
    CUTEST(test_histogram_summary_and_quantiles),
    CUTEST(test_histogram_bucket_edges_at_powers_of_two),
    CUTEST(test_histogram_quantiles_exact_in_linear_region),
    CUTEST(test_histogram_mean_and_stddev),
    CUTEST(test_series_samples_interval_averages_at_exact_times),
    CUTEST(test_reset_at_warmup_restarts_statistics),
    CUTEST(test_reset_keeps_gauges_and_refuses_the_past),
    CUTEST(test_series_keep_only_samples_after_reset_in_either_order),
    CUTEST(test_series_stop_quietly_at_the_end_of_time),
    CUTEST(test_iteration_is_registration_order_across_kinds),
    CUTEST(test_export_follows_registration_order_into_results),
    CUTEST_END
};

CUTEST_MAIN({ "metrics", metrics_cases })
