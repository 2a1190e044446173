/*
 * metrics.h -- the metrics registry: counters, gauges, time-weighted
 * averages, log-linear histograms and sampled time series, each belonging
 * to a component and carrying a unit and a one-line description.
 *
 * HOW IT WORKS.  A model registers its metrics once, when it is built, and
 * keeps the returned handles; updating a metric is then a few arithmetic
 * operations with no lookup and no allocation.  The registry keeps metrics
 * in registration order, which is the order they are exported in, so
 * results never depend on hash or address order.
 *
 * KINDS.
 *   counter     a uint64 that only grows (frames, exits): metric_add().
 *   gauge       a value set from time to time (ring size): metric_set().
 *   timeavg     a value whose average over simulated time matters
 *               (utilisation, queue length): metric_set() at each change;
 *               the mean is  (1/T) * integral of value(t) dt  over the time
 *               T since the start or the last reset.
 *   histogram   integer samples (latency in ps): metric_record().  Buckets
 *               are log-linear: values below 2^K are exact, and every
 *               power-of-two range [2^e, 2^(e+1)) above is split into 2^K
 *               equal sub-buckets (K = METRICS_HIST_SUB_BITS), so a
 *               bucket's width is at most 1/2^K of its lower edge.
 *               Count, min and max are exact; sum and sum of squares are
 *               doubles (as the results schema stores them); mean and
 *               standard deviation come from Welford's running update,
 *               which stays accurate when the spread is tiny next to the
 *               mean (latencies in ps).  A quantile is read from the
 *               buckets, so it is exact to within one bucket width.
 *
 * EVENTS.  metric_event() sets a gauge and appends the change to its
 * series at once: an exact record of decisions (recorded as a vector like
 * any series; a warm-up reset drops the changes before it, as it drops
 * samples).
 * SERIES.  metrics_sample_every() samples chosen metrics at a fixed
 * simulated-time interval, through a periodic event of the registry's own
 * component ("metrics").  A counter or gauge is sampled as its value; a
 * timeavg as its average over the interval just ended (or since the last
 * reset, if one fell inside it).  The first sample is at now + interval,
 * then every interval.  The sampling event reschedules itself until the
 * next sample would fall past SIM_TIME_MAX, so a run with series must end
 * at a time: sim_run(sim, end), not sim_run(sim, SIM_TIME_MAX).
 *
 * WARM-UP.  metrics_reset() restarts every statistic now: counters and
 * histograms go to zero, time averages restart integrating from now (the
 * current value is kept and holds on), gauges keep their value, series
 * drop their samples and keep only those taken strictly after the reset
 * time (whichever of a reset and a sample due at the same time runs
 * first).  metrics_reset_at() does the same at a given simulated time,
 * through an event of the registry's component.
 *
 * DETERMINISM.  Metrics never schedule anything but their sampling and
 * reset events, whose times depend only on the configuration.  Floating
 * point is used for values only, never to order events.
 *
 * MEMORY.  The registry owns every metric; metrics_destroy() frees them.
 * Registration aborts with a message if memory runs out (the simulator
 * program's policy).
 *
 * NAMES.  Full names are unique when every object has a name of its own;
 * two objects of a scenario given the same name would register the same
 * full name twice.  That is the scenario's error, not a crash: the second
 * metric is registered anyway (metrics_find() returns the first), the
 * first such name is kept for metrics_duplicate(), and the hook of
 * metrics_on_duplicate() is told at once, so the Lua host can name the
 * scenario line and refuse the scenario before it runs.
 */
#ifndef VNETSIM_SIM_METRICS_H
#define VNETSIM_SIM_METRICS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

#define METRICS_HIST_SUB_BITS 4
#define METRICS_HIST_BUCKETS ((65 - METRICS_HIST_SUB_BITS) \
                              << METRICS_HIST_SUB_BITS)

enum metric_kind {
    METRIC_COUNTER,
    METRIC_GAUGE,
    METRIC_TIMEAVG,
    METRIC_HISTOGRAM,
};

struct metrics;
struct metric;

/* A registry for the metrics of 'sim'.  Registers component "metrics". */
struct metrics *metrics_create(struct sim *sim);
void metrics_destroy(struct metrics *reg);      /* accepts NULL */

/* Registration.  'name' is the metric's name within component 'comp'
 * ("utilization"); its full name is the component path, '.', the name.
 * 'unit' ("frames", "ps", "1") and 'description' are copied. */
struct metric *metrics_counter(struct metrics *reg, sim_component_id comp,
                               const char *name, const char *unit,
                               const char *description);
struct metric *metrics_gauge(struct metrics *reg, sim_component_id comp,
                             const char *name, const char *unit,
                             const char *description);
struct metric *metrics_timeavg(struct metrics *reg, sim_component_id comp,
                               const char *name, const char *unit,
                               const char *description, double initial);
struct metric *metrics_histogram(struct metrics *reg, sim_component_id comp,
                                 const char *name, const char *unit,
                                 const char *description);

/* Updates.  metric_add: counters.  metric_set: gauges and time averages
 * (the new value holds from now on).  metric_record: histograms. */
void metric_add(struct metric *m, uint64_t n);
void metric_set(struct metric *m, double value);
void metric_record(struct metric *m, uint64_t value);
/* A gauge that changes at a moment worth recording (a policy moved a
 * queue): sets its value and appends (now, value) to its series at once,
 * whether or not it is sampled, so the results hold every change. */
void metric_event(struct metric *m, double value);

/* Samples 'm' every 'interval' ps from now on into its series.  May be
 * called for several metrics; they share the interval of the first call
 * (a different interval later is an error: EINVAL).  Histograms cannot be
 * sampled (EINVAL). */
int metrics_sample_every(struct metrics *reg, struct metric *m,
                         sim_time_t interval);

/* Warm-up resets (see above).  metrics_reset_at() returns 0, EINVAL for a
 * time in the past, or ENOMEM (nothing scheduled). */
void metrics_reset(struct metrics *reg);
int metrics_reset_at(struct metrics *reg, sim_time_t when);

/* Brings every time average up to now; call before reading results at the
 * end of a run (the accessors below also do it for the metric read). */
void metrics_finish(struct metrics *reg);

/* --- Reading, in registration order ------------------------------------ */

size_t metrics_count(const struct metrics *reg);
struct metric *metrics_at(const struct metrics *reg, size_t i);
struct metric *metrics_find(const struct metrics *reg, const char *full_name);

/* Names registered twice (see NAMES above): the hook called with each
 * such full name, and the first one (NULL while there is none). */
typedef void metrics_dup_fn(void *ctx, const char *full_name);
void metrics_on_duplicate(struct metrics *reg, metrics_dup_fn *fn, void *ctx);
const char *metrics_duplicate(const struct metrics *reg);

enum metric_kind metric_kind(const struct metric *m);
const char *metric_full_name(const struct metric *m);
const char *metric_module(const struct metric *m);  /* component path */
const char *metric_name(const struct metric *m);
const char *metric_unit(const struct metric *m);
const char *metric_description(const struct metric *m);
const char *metric_kind_name(enum metric_kind kind);

/* Counter: the count; gauge: the value; timeavg: the mean from the start
 * (registration or last reset) up to now, or the current value if no time
 * has passed; histogram: sum / count of the samples (NaN when empty). */
double metric_value(const struct metric *m);

/* Histogram summary.  'stddev' is the sample standard deviation (divisor
 * count - 1), 0 for fewer than two samples; 'mean' is 0 when empty. */
struct metric_hist_summary {
    uint64_t count;
    double sum, sumsq;
    uint64_t min, max;          /* 0 when empty */
    double mean, stddev;
};
void metric_hist_summary(const struct metric *m,
                         struct metric_hist_summary *s);

/* Estimates quantile 'q' (0 < q <= 1) from the buckets: the largest value
 * of the bucket holding the ceil(q*count)-th smallest sample (its upper
 * edge - 1), clamped to [min, max].  It never under-estimates the true
 * sample quantile, and over-estimates it by less than one bucket width
 * (exact below 2^(K+1), < 1/2^K relative above).  0 when empty. */
uint64_t metric_hist_quantile(const struct metric *m, double q);

/* Bucket 'i' (0 <= i < METRICS_HIST_BUCKETS): returns its count and
 * stores its lower edge (inclusive) and upper edge (exclusive; UINT64_MAX
 * for the last bucket, whose true edge 2^64 does not fit) where not NULL.
 * metric_hist_bucket_of() is the index of the bucket holding 'value'.
 * A results writer lists the non-empty bins by walking i upward and
 * skipping zero counts: that order is by lower edge. */
uint64_t metric_hist_bucket(const struct metric *m, size_t i,
                            uint64_t *lower, uint64_t *upper);
size_t metric_hist_bucket_of(uint64_t value);

/* Series samples (empty unless sampled): sample 'i' is taken at '*t', after
 * '*event' events had run, with value '*value'. */
size_t metric_series_len(const struct metric *m);
void metric_series_at(const struct metric *m, size_t i, sim_time_t *t,
                      uint64_t *event, double *value);

#endif /* VNETSIM_SIM_METRICS_H */
