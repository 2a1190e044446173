/*
 * progress.h -- the run's progress line and its end-of-run summary.
 *
 * On a terminal, one line on stderr is redrawn in place at most twice a
 * second of wall time:
 *     [ 42.0%] sim 4.200 ms / 10.000 ms | 3.10 M ev/s | 0.42 sim-ms/s | ETA 0:12
 * (simulated time and percent of the run's end, events per wall second,
 * simulated time per wall second, estimated wall time left).  It is
 * cleared at the end.  It draws nothing when disabled: the caller enables
 * it only when stderr is a terminal and --quiet was not given
 * (progress_wanted), or when forced (--progress).
 *
 * The wall clock is passed in by the caller (progress_wall_now() reads
 * CLOCK_MONOTONIC), so the display is testable and never touches the
 * simulation: it cannot change what runs.
 */
#ifndef VNETSIM_SIM_PROGRESS_H
#define VNETSIM_SIM_PROGRESS_H 1

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/simtime.h"

/* Redraw at most this often (wall seconds). */
#define PROGRESS_INTERVAL_S 0.5

struct progress {
    FILE *out;
    bool enabled;
    bool drawn;                 /* a line is on the screen */
    sim_time_t start, end;      /* the run's simulated span */
    double wall_start, wall_last;
    uint64_t events_start;
};

/* True if a progress line should be drawn on 'f' by default: it is a
 * terminal and 'quiet' is false. */
bool progress_wanted(FILE *f, bool quiet);

void progress_init(struct progress *p, FILE *out, bool enabled,
                   sim_time_t start, sim_time_t end, double wall_now);

/* Redraws the line if enabled and at least PROGRESS_INTERVAL_S passed
 * since the last draw; returns whether it drew. */
bool progress_update(struct progress *p, sim_time_t now, uint64_t events,
                     double wall_now);

/* Formats the line for the given state into 'buf' (at most 79 columns). */
void progress_format(const struct progress *p, sim_time_t now,
                     uint64_t events, double wall_now, char *buf,
                     size_t size);

/* Clears the line if one was drawn. */
void progress_finish(struct progress *p);

/* The one-line summary:
 *   done: 3199895 events in 0.10 s (31.9 M ev/s), simulated 2 s,
 *   fingerprint 5ca4fbc229143329, results in results/demo.db */
void progress_summary(FILE *out, uint64_t events, double wall_s,
                      sim_time_t simtime, uint64_t fingerprint,
                      const char *db_path);

/* CLOCK_MONOTONIC in seconds. */
double progress_wall_now(void);

#endif /* VNETSIM_SIM_PROGRESS_H */
