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
    sim_component_id cpu;
};

static void
fixture_init(struct fixture *f)
{
    f->sim = sim_create();
    f->reg = metrics_create(f->sim);
    sim_component_id host = sim_component_add(f->sim, SIM_COMPONENT_ROOT,
                                              "host0", NULL);
    f->cpu = sim_component_add(f->sim, host, "cpu0", NULL);
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

static const struct cutest_case metrics_cases[] = {
    CUTEST(test_counter_and_gauge_hold_values_with_names_and_units),
    CUTEST(test_timeavg_is_exact_on_hand_computed_schedule),
    CUTEST(test_histogram_buckets_are_exact_low_and_log_linear_high),
    CUTEST(test_histogram_summary_and_quantiles),
    CUTEST(test_series_samples_interval_averages_at_exact_times),
    CUTEST(test_reset_at_warmup_restarts_statistics),
    CUTEST(test_export_follows_registration_order_into_results),
    CUTEST_END
};

CUTEST_MAIN({ "metrics", metrics_cases })
