/*
 * record.c -- metrics into the results database (see record.h).
 */
#include <config.h>
#include "sim/record.h"

#include <stdio.h>

static int
attrs(struct res_run *run, int64_t id, const struct metric *m,
      int (*put)(struct res_run *, int64_t, const char *, const char *))
{
    int error = put(run, id, "unit", metric_unit(m));
    error = error ? error : put(run, id, "kind",
                                metric_kind_name(metric_kind(m)));
    return error ? error : put(run, id, "description", metric_description(m));
}

static int
record_histogram(struct res_run *run, const struct metric *m)
{
    struct metric_hist_summary s;
    struct res_statistic st = { 0 };
    char name[256];
    int64_t id;
    int error;

    metric_hist_summary(m, &s);
    st.count = s.count;
    st.sum = s.sum;
    st.sqrsum = s.sumsq;
    st.min = (double)s.min;
    st.max = (double)s.max;
    st.is_histogram = true;
    error = res_statistic(run, metric_module(m), metric_name(m), &st, &id);
    error = error ? error : attrs(run, id, m, res_statistic_attr);
    for (size_t i = 0; i < METRICS_HIST_BUCKETS && !error; i++) {
        uint64_t lower;
        uint64_t n = metric_hist_bucket(m, i, &lower, NULL);
        if (n) {
            error = res_histogram_bin(run, id, (double)lower, (double)n);
        }
    }
    static const struct { const char *suffix; double q; } qs[] = {
        { "p50", 0.5 }, { "p99", 0.99 }, { "max", 1.0 },
    };
    for (size_t i = 0; i < 3 && !error && s.count; i++) {
        snprintf(name, sizeof name, "%s:%s", metric_name(m), qs[i].suffix);
        error = res_scalar(run, metric_module(m), name,
                           (double)metric_hist_quantile(m, qs[i].q), &id);
        error = error ? error : res_scalar_attr(run, id, "unit",
                                                metric_unit(m));
    }
    return error;
}

static int
record_series(struct res_run *run, const struct metric *m)
{
    struct res_vector *v;
    char name[256];
    int error;

    snprintf(name, sizeof name, "%s:vector", metric_name(m));
    error = res_vector(run, metric_module(m), name, &v);
    error = error ? error : res_vector_attr(v, "unit", metric_unit(m));
    for (size_t i = 0; i < metric_series_len(m) && !error; i++) {
        sim_time_t t;
        uint64_t event;
        double value;
        metric_series_at(m, i, &t, &event, &value);
        error = res_vector_append(v, (int64_t)event, t, value);
    }
    return error;
}

int
record_metrics(struct metrics *reg, struct res_run *run)
{
    int error = 0;

    metrics_finish(reg);
    for (size_t i = 0; i < metrics_count(reg) && !error; i++) {
        const struct metric *m = metrics_at(reg, i);
        int64_t id;

        if (metric_kind(m) == METRIC_HISTOGRAM) {
            error = record_histogram(run, m);
        } else {
            error = res_scalar(run, metric_module(m), metric_name(m),
                               metric_value(m), &id);
            error = error ? error : attrs(run, id, m, res_scalar_attr);
        }
        if (!error && metric_series_len(m)) {
            error = record_series(run, m);
        }
    }
    return error;
}
