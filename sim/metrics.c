/*
 * metrics.c -- the metrics registry of metrics.h.
 *
 * Metrics live in one array of pointers in registration order.  A
 * time-weighted average keeps (value, time of last change, integral since
 * start); the integral is advanced lazily, whenever the value changes or
 * is read, so an update costs one multiply-add.
 */
#include <config.h>
#include "sim/metrics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"

#define SUB_BITS METRICS_HIST_SUB_BITS
#define SUB_COUNT (UINT64_C(1) << SUB_BITS)

struct sample {
    sim_time_t t;
    uint64_t event;
    double value;
};

struct metric {
    struct metrics *reg;
    enum metric_kind kind;
    char *full_name;            /* "host0.cpu3.utilization" */
    const char *name;           /* points into full_name */
    char *module;               /* "host0.cpu3" */
    char *unit;
    char *description;

    uint64_t count;             /* counter; histogram sample count */
    double value;               /* gauge, timeavg current value */

    /* Time average: integral of value dt (value * ps) since 'start'. */
    sim_time_t start, last_change;
    double integral;
    /* Interval average for series: integral at the previous sample. */
    double integral_at_sample;
    sim_time_t time_at_sample;

    /* Histogram. */
    uint64_t *buckets;
    double sum, sumsq;
    double mean, m2;            /* Welford: running mean, sum of squared
                                 * deviations from it */
    uint64_t min, max;

    /* Series. */
    bool sampled;
    struct sample *samples;
    size_t n_samples, cap_samples;
};

struct metrics {
    struct sim *sim;
    sim_component_id comp;
    struct metric **all;
    size_t n, cap;
    /* An index of 'all' by full name: open addressing, linear probing,
     * at most half full (lookups only; the order of 'all' is the order). */
    struct metric **index;
    size_t index_cap;
    sim_time_t interval;        /* 0 = no sampling scheduled */
    bool was_reset;             /* 'reset_time' is meaningful */
    sim_time_t reset_time;      /* time of the last reset */
    char *duplicate;            /* the first full name registered twice */
    metrics_dup_fn *dup_fn;     /* told of each one */
    void *dup_ctx;
};

enum { EV_SAMPLE = 1, EV_RESET = 2 };

static uint64_t
name_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);    /* FNV-1a */

    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    }
    return h;
}

static void
index_put(struct metric **index, size_t cap, struct metric *m)
{
    size_t i = (size_t)name_hash(m->full_name) & (cap - 1);

    while (index[i]) {
        i = (i + 1) & (cap - 1);
    }
    index[i] = m;
}

/* Adds 'm' to the name index, doubling it to stay at most half full. */
static void
index_add(struct metrics *reg, struct metric *m)
{
    if (2 * (reg->n + 1) > reg->index_cap) {
        size_t cap = reg->index_cap ? 2 * reg->index_cap : 64;
        struct metric **v = calloc(cap, sizeof *v);
        if (!v) {
            sim_out_of_memory("metrics registry");
        }
        for (size_t i = 0; i < reg->n; i++) {
            index_put(v, cap, reg->all[i]);
        }
        free(reg->index);
        reg->index = v;
        reg->index_cap = cap;
    }
    index_put(reg->index, reg->index_cap, m);
}

static void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        sim_out_of_memory("metrics registry");
    }
    return p;
}

static char *
xstrdup(const char *s)
{
    char *p = xcalloc(strlen(s) + 1, 1);
    return strcpy(p, s);
}

struct metrics *
metrics_create(struct sim *sim)
{
    struct metrics *reg = xcalloc(1, sizeof *reg);

    reg->sim = sim;
    reg->comp = sim_component_add(sim, SIM_COMPONENT_ROOT, "metrics", NULL);
    SIM_ASSERT(reg->comp != 0);
    return reg;
}

void
metrics_destroy(struct metrics *reg)
{
    if (!reg) {
        return;
    }
    for (size_t i = 0; i < reg->n; i++) {
        struct metric *m = reg->all[i];
        free(m->full_name);
        free(m->module);
        free(m->unit);
        free(m->description);
        free(m->buckets);
        free(m->samples);
        free(m);
    }
    free(reg->all);
    free(reg->index);
    free(reg->duplicate);
    free(reg);
}

static struct metric *
add(struct metrics *reg, enum metric_kind kind, sim_component_id comp,
    const char *name, const char *unit, const char *description)
{
    const char *path = sim_component_path(reg->sim, comp);
    struct metric *m;
    size_t len;

    SIM_ASSERT(path != NULL);
    SIM_ASSERT(name[0] != '\0');
    m = xcalloc(1, sizeof *m);
    m->reg = reg;
    m->kind = kind;
    len = strlen(path) + 1 + strlen(name) + 1;
    m->full_name = xcalloc(len, 1);
    snprintf(m->full_name, len, "%s%s%s", path, *path ? "." : "", name);
    m->name = m->full_name + strlen(path) + (*path ? 1 : 0);
    m->module = xstrdup(path);
    m->unit = xstrdup(unit ? unit : "");
    m->description = xstrdup(description ? description : "");
    m->start = m->last_change = m->time_at_sample = sim_now(reg->sim);
    if (metrics_find(reg, m->full_name)) {
        /* Two objects given the same name: the caller's input is at
         * fault, and the host reports it (metrics_duplicate()). */
        if (!reg->duplicate) {
            reg->duplicate = xstrdup(m->full_name);
        }
        if (reg->dup_fn) {
            reg->dup_fn(reg->dup_ctx, m->full_name);
        }
    }
    index_add(reg, m);
    if (reg->n == reg->cap) {
        reg->cap = reg->cap ? 2 * reg->cap : 16;
        reg->all = realloc(reg->all, reg->cap * sizeof *reg->all);
        if (!reg->all) {
            sim_out_of_memory("metrics registry");
        }
    }
    reg->all[reg->n++] = m;
    return m;
}

struct metric *
metrics_counter(struct metrics *reg, sim_component_id comp, const char *name,
                const char *unit, const char *description)
{
    return add(reg, METRIC_COUNTER, comp, name, unit, description);
}

struct metric *
metrics_gauge(struct metrics *reg, sim_component_id comp, const char *name,
              const char *unit, const char *description)
{
    return add(reg, METRIC_GAUGE, comp, name, unit, description);
}

struct metric *
metrics_timeavg(struct metrics *reg, sim_component_id comp, const char *name,
                const char *unit, const char *description, double initial)
{
    struct metric *m = add(reg, METRIC_TIMEAVG, comp, name, unit,
                           description);
    m->value = initial;
    return m;
}

struct metric *
metrics_histogram(struct metrics *reg, sim_component_id comp,
                  const char *name, const char *unit,
                  const char *description)
{
    struct metric *m = add(reg, METRIC_HISTOGRAM, comp, name, unit,
                           description);
    m->buckets = xcalloc(METRICS_HIST_BUCKETS, sizeof *m->buckets);
    return m;
}

void
metric_add(struct metric *m, uint64_t n)
{
    SIM_ASSERT(m->kind == METRIC_COUNTER);
    m->count += n;
}

/* Brings the integral of a time average up to 'now'. */
static void
advance(struct metric *m, sim_time_t now)
{
    if (now > m->last_change) {
        m->integral += m->value * (double)(now - m->last_change);
        m->last_change = now;
    }
}

void
metric_set(struct metric *m, double value)
{
    if (m->kind == METRIC_TIMEAVG) {
        advance(m, sim_now(m->reg->sim));
    } else {
        SIM_ASSERT(m->kind == METRIC_GAUGE);
    }
    m->value = value;
}

/* LOG-LINEAR BUCKETS.  For v < 2^(K+1) the index is v itself.  Above,
 * with e = floor(log2 v) and shift = e - K, the top K+1 bits of v,
 * v >> shift, lie in [2^K, 2^(K+1)); the index is shift * 2^K + (v >>
 * shift), which continues the exact range without a gap. */
size_t
metric_hist_bucket_of(uint64_t value)
{
    int e;

    if (value < (SUB_COUNT << 1)) {
        return (size_t)value;
    }
    e = 63 - __builtin_clzll(value);
    return (size_t)((uint64_t)(e - SUB_BITS) * SUB_COUNT
                    + (value >> (e - SUB_BITS)));
}

uint64_t
metric_hist_bucket(const struct metric *m, size_t i, uint64_t *lower,
                   uint64_t *upper)
{
    uint64_t lo, width;

    SIM_ASSERT(m->kind == METRIC_HISTOGRAM && i < METRICS_HIST_BUCKETS);
    if (i < (SUB_COUNT << 1)) {
        lo = i;
        width = 1;
    } else {
        unsigned shift = (unsigned)(i >> SUB_BITS) - 1;
        uint64_t mant = i - (uint64_t)shift * SUB_COUNT;
        lo = mant << shift;
        width = UINT64_C(1) << shift;
    }
    if (lower) {
        *lower = lo;
    }
    if (upper) {
        /* The last bucket's upper edge is 2^64: report UINT64_MAX. */
        *upper = lo + width < lo ? UINT64_MAX : lo + width;
    }
    return m->buckets[i];
}

void
metric_record(struct metric *m, uint64_t value)
{
    double v = (double)value;

    SIM_ASSERT(m->kind == METRIC_HISTOGRAM);
    m->buckets[metric_hist_bucket_of(value)]++;
    if (m->count == 0 || value < m->min) {
        m->min = value;
    }
    if (m->count == 0 || value > m->max) {
        m->max = value;
    }
    m->count++;
    m->sum += v;
    m->sumsq += v * v;
    /* Welford's update: no cancellation between two large sums. */
    double d = v - m->mean;
    m->mean += d / (double)m->count;
    m->m2 += d * (v - m->mean);
}

/* --- Series and resets -------------------------------------------------- */

static void
push_sample(struct metric *m, sim_time_t t, uint64_t event, double value)
{
    if (m->n_samples == m->cap_samples) {
        m->cap_samples = m->cap_samples ? 2 * m->cap_samples : 64;
        m->samples = realloc(m->samples, m->cap_samples * sizeof *m->samples);
        if (!m->samples) {
            sim_out_of_memory("metrics registry");
        }
    }
    m->samples[m->n_samples++] = (struct sample){ t, event, value };
}

void
metric_event(struct metric *m, double value)
{
    struct sim *sim = m->reg->sim;

    SIM_ASSERT(m->kind == METRIC_GAUGE);
    m->value = value;
    push_sample(m, sim_now(sim), sim_events_executed(sim), value);
}

static void
on_sample(struct sim *sim, void *reg_)
{
    struct metrics *reg = reg_;
    sim_time_t now = sim_now(sim);
    uint64_t event = sim_events_executed(sim);

    /* A reset at this very time ran first: the interval since it is empty
     * and the series keep only samples strictly after a reset. */
    for (size_t i = 0; i < reg->n && !(reg->was_reset
                                       && reg->reset_time == now); i++) {
        struct metric *m = reg->all[i];
        double v;

        if (!m->sampled) {
            continue;
        }
        switch (m->kind) {
        case METRIC_COUNTER:
            v = (double)m->count;
            break;
        case METRIC_TIMEAVG:
            advance(m, now);
            v = now > m->time_at_sample
                ? (m->integral - m->integral_at_sample)
                  / (double)(now - m->time_at_sample)
                : m->value;
            m->integral_at_sample = m->integral;
            m->time_at_sample = now;
            break;
        default:
            v = m->value;
            break;
        }
        push_sample(m, now, event, v);
    }
    /* The next sample, unless it would fall past the end of simulated
     * time (then sampling simply stops: there is no later time to sample
     * at).  Running out of memory here aborts, as registration does. */
    if (reg->interval <= SIM_TIME_MAX - now) {
        int error = sim_schedule_in(sim, reg->interval, reg->comp, EV_SAMPLE,
                                    on_sample, reg, NULL);
        SIM_ASSERT(error == 0);
    }
}

int
metrics_sample_every(struct metrics *reg, struct metric *m,
                     sim_time_t interval)
{
    if (m->kind == METRIC_HISTOGRAM || interval <= 0
        || (reg->interval && interval != reg->interval)) {
        return EINVAL;
    }
    m->sampled = true;
    if (!reg->interval) {
        int error = sim_schedule_in(reg->sim, interval, reg->comp, EV_SAMPLE,
                                    on_sample, reg, NULL);
        if (error) {
            return error;
        }
        reg->interval = interval;
    }
    return 0;
}

void
metrics_reset(struct metrics *reg)
{
    sim_time_t now = sim_now(reg->sim);

    reg->was_reset = true;
    reg->reset_time = now;
    for (size_t i = 0; i < reg->n; i++) {
        struct metric *m = reg->all[i];

        m->count = 0;
        m->integral = m->integral_at_sample = 0;
        m->start = m->last_change = m->time_at_sample = now;
        m->sum = m->sumsq = 0;
        m->mean = m->m2 = 0;
        m->min = m->max = 0;
        m->n_samples = 0;
        if (m->buckets) {
            memset(m->buckets, 0, METRICS_HIST_BUCKETS * sizeof *m->buckets);
        }
    }
}

static void
on_reset(struct sim *sim, void *reg)
{
    (void)sim;
    metrics_reset(reg);
}

int
metrics_reset_at(struct metrics *reg, sim_time_t when)
{
    return sim_schedule_at(reg->sim, when, reg->comp, EV_RESET, on_reset,
                           reg, NULL);
}

void
metrics_finish(struct metrics *reg)
{
    for (size_t i = 0; i < reg->n; i++) {
        if (reg->all[i]->kind == METRIC_TIMEAVG) {
            advance(reg->all[i], sim_now(reg->sim));
        }
    }
}

/* --- Reading ------------------------------------------------------------ */

size_t metrics_count(const struct metrics *reg) { return reg->n; }

struct metric *
metrics_at(const struct metrics *reg, size_t i)
{
    return i < reg->n ? reg->all[i] : NULL;
}

void
metrics_on_duplicate(struct metrics *reg, metrics_dup_fn *fn, void *ctx)
{
    reg->dup_fn = fn;
    reg->dup_ctx = ctx;
}

const char *
metrics_duplicate(const struct metrics *reg)
{
    return reg->duplicate;
}

struct metric *
metrics_find(const struct metrics *reg, const char *full_name)
{
    size_t i;

    if (!reg->index_cap) {
        return NULL;
    }
    i = (size_t)name_hash(full_name) & (reg->index_cap - 1);
    while (reg->index[i]) {
        if (!strcmp(reg->index[i]->full_name, full_name)) {
            return reg->index[i];
        }
        i = (i + 1) & (reg->index_cap - 1);
    }
    return NULL;
}

enum metric_kind metric_kind(const struct metric *m) { return m->kind; }
const char *metric_full_name(const struct metric *m) { return m->full_name; }
const char *metric_module(const struct metric *m) { return m->module; }
const char *metric_name(const struct metric *m) { return m->name; }
const char *metric_unit(const struct metric *m) { return m->unit; }
const char *
metric_description(const struct metric *m)
{
    return m->description;
}

const char *
metric_kind_name(enum metric_kind kind)
{
    static const char *const names[] = {
        "counter", "gauge", "timeavg", "histogram"
    };
    return (unsigned)kind < 4 ? names[kind] : "?";
}

double
metric_value(const struct metric *m)
{
    switch (m->kind) {
    case METRIC_COUNTER:
        return (double)m->count;
    case METRIC_GAUGE:
        return m->value;
    case METRIC_TIMEAVG: {
        sim_time_t now = sim_now(m->reg->sim);
        double integral = m->integral
                          + m->value * (double)(now - m->last_change);
        return now > m->start ? integral / (double)(now - m->start)
                              : m->value;
    }
    case METRIC_HISTOGRAM:
        return m->count ? m->sum / (double)m->count : NAN;
    }
    return NAN;
}

void
metric_hist_summary(const struct metric *m, struct metric_hist_summary *s)
{
    SIM_ASSERT(m->kind == METRIC_HISTOGRAM);
    s->count = m->count;
    s->sum = m->sum;
    s->sumsq = m->sumsq;
    s->min = m->min;
    s->max = m->max;
    s->mean = m->mean;
    s->stddev = m->count > 1 ? sqrt(m->m2 / (double)(m->count - 1)) : 0.0;
}

uint64_t
metric_hist_quantile(const struct metric *m, double q)
{
    uint64_t rank, seen = 0;

    SIM_ASSERT(m->kind == METRIC_HISTOGRAM && q > 0 && q <= 1);
    if (m->count == 0) {
        return 0;
    }
    rank = (uint64_t)ceil(q * (double)m->count);
    rank = rank < 1 ? 1 : rank > m->count ? m->count : rank;
    for (size_t i = 0; i < METRICS_HIST_BUCKETS; i++) {
        seen += m->buckets[i];
        if (seen >= rank) {
            uint64_t upper;
            metric_hist_bucket(m, i, NULL, &upper);
            upper = upper == UINT64_MAX ? upper : upper - 1;
            return upper < m->min ? m->min : upper > m->max ? m->max : upper;
        }
    }
    return m->max;
}

size_t metric_series_len(const struct metric *m) { return m->n_samples; }

void
metric_series_at(const struct metric *m, size_t i, sim_time_t *t,
                 uint64_t *event, double *value)
{
    SIM_ASSERT(i < m->n_samples);
    *t = m->samples[i].t;
    *event = m->samples[i].event;
    *value = m->samples[i].value;
}
