/*
 * record.h -- writes a metrics registry into a results run: the one place
 * that knows both metrics.h and results.h.
 *
 * MAPPING (module = the metric's component path, name = the metric name):
 *   counter, gauge, timeavg  -> scalar, with attributes unit, kind and
 *                               description
 *   histogram                -> statistic (isHistogram = 1) with the
 *                               non-empty buckets as histogramBin rows
 *                               (lowerEdge = bucket lower edge), plus
 *                               scalars NAME:p50, NAME:p99, NAME:max
 *   sampled series           -> vector NAME:vector with its samples
 */
#ifndef VNETSIM_SIM_RECORD_H
#define VNETSIM_SIM_RECORD_H 1

#include "sim/metrics.h"
#include "sim/results.h"

/* Writes every metric of 'reg' (in registration order) into 'run'.
 * Returns 0 or the results recorder's error. */
int record_metrics(struct metrics *reg, struct res_run *run);

#endif /* VNETSIM_SIM_RECORD_H */
