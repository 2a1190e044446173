/*
 * progress.h -- the run's progress line and its end-of-run summary.
 *
 * THE LINE.  While a run is going, one line on a terminal (stderr) is
 * redrawn in place ("\r" LINE "\033[K") at most every PROGRESS_INTERVAL_S
 * seconds of wall time:
 *
 *     [ 42.0%] sim 4.200 ms / 10.000 ms | 31.9 M ev/s | 2.10 ms/s | ETA 0:03
 *
 * that is: the share of the run's simulated span done, the simulated time
 * reached and the run's end time, events executed per wall second,
 * simulated time advanced per wall second, and the estimated wall time
 * left (m:ss, h:mm:ss from one hour on, ">999h" beyond).  The rates and
 * the ETA are averages over the whole run so far (since progress_init), so
 * they settle instead of jumping with every slice.  Anything not known
 * yet is shown as "--": the ETA before simulated time has moved, the rates
 * while the wall clock has not advanced, the events rate when the event
 * count went backwards (a count that decreases carries no information),
 * the percent when the end is unknown (SIM_TIME_MAX or before the start;
 * then the " / END" part is left out too).  A run whose end equals its
 * start is 100% done.  Simulated time past the end is shown as it is, at
 * 100.0% with ETA 0:00.  The line never exceeds PROGRESS_COLUMNS columns:
 * for extreme values the " / END" part is dropped first.
 *
 * The first draw happens PROGRESS_INTERVAL_S after progress_init, so a
 * short run never draws, and progress_finish() then has nothing to clear.
 * progress_finish() erases a drawn line ("\r\033[K") and leaves the cursor
 * at the start of the empty line, so the summary or an error message
 * printed next starts in column 0.
 *
 * WHEN IT IS ON.  The caller decides: the usual rule is "stderr is a
 * terminal and --quiet was not given" (progress_wanted()), and --progress
 * forces it.  A disabled display writes nothing at all.
 *
 * THE SUMMARY.  progress_summary() prints one line, independent of the
 * display (the caller leaves it out for --quiet):
 *
 *     done: 3199895 events in 0.10 s (31.9 M ev/s), simulated 2 s,
 *     fingerprint 5ca4fbc229143329, results in results/demo.db
 *
 * (on one line).  Simulated time there is rounded to 3 decimals of its
 * unit with trailing zeros dropped ("2 s", "1.5 ms", "250 ns").
 *
 * TIME AND DETERMINISM.  Progress never reads a clock itself: the caller
 * passes the wall time in (seconds from CLOCK_MONOTONIC, for which
 * progress_wall_now() is a convenience), so the display is testable with a
 * hand-made clock.  Nothing here touches the simulation, so the display
 * cannot change what runs or any fingerprint.  Output errors on the
 * display stream are ignored: a progress line is never worth failing a
 * run for.
 */
#ifndef VNETSIM_SIM_PROGRESS_H
#define VNETSIM_SIM_PROGRESS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/simtime.h"

/* The line is redrawn at most this often (wall seconds). */
#define PROGRESS_INTERVAL_S 0.5

/* The line is at most this many columns wide (a terminal of 80 columns
 * keeps the cursor off the last column, so nothing wraps). */
#define PROGRESS_COLUMNS 79

/* Buffer size that always holds a formatted line. */
#define PROGRESS_LINE_SIZE (PROGRESS_COLUMNS + 1)

/* The display's state.  The caller embeds it (there is nothing to free)
 * and may read 'enabled'; the other members are private to progress.c. */
struct progress {
    FILE *out;                  /* where the line goes, not owned */
    bool enabled;               /* false: write nothing, ever */
    bool drawn;                 /* a line is on the screen now */
    bool finished;              /* progress_finish() was called */
    sim_time_t start, end;      /* the run's simulated span */
    double wall_start;          /* wall seconds at progress_init */
    double wall_last;           /* wall seconds of the last draw or init */
    uint64_t events_last;       /* highest event count seen */
};

/* True if a progress line should be drawn on 'f' by default: 'quiet' is
 * false and 'f' is a terminal (isatty). */
bool progress_wanted(FILE *f, bool quiet);

/* Starts a display on 'out' for a run that goes from simulated time
 * 'start' to 'end' (SIM_TIME_MAX if unknown), at wall time 'wall_now'
 * seconds.  Writes nothing.  With 'enabled' false every later call is a
 * no-op. */
void progress_init(struct progress *p, FILE *out, bool enabled,
                   sim_time_t start, sim_time_t end, double wall_now);

/* Reports that simulated time is 'now' and 'events' events have run in
 * total, at wall time 'wall_now'.  Redraws the line if the display is
 * enabled, not finished, and at least PROGRESS_INTERVAL_S has passed
 * since the last draw (or since progress_init for the first one).
 * Returns whether it drew. */
bool progress_update(struct progress *p, sim_time_t now, uint64_t events,
                     double wall_now);

/* Formats the line for the given state into 'buf' ('size' bytes; at least
 * PROGRESS_LINE_SIZE avoids truncation), without any terminal control
 * characters, at most PROGRESS_COLUMNS columns.  Changes nothing in 'p'
 * and works whether or not the display is enabled.  Returns 'buf'. */
char *progress_format(const struct progress *p, sim_time_t now,
                      uint64_t events, double wall_now, char *buf,
                      size_t size);

/* Ends the display: erases the line if one is drawn.  Later updates draw
 * nothing.  Calling it again is harmless. */
void progress_finish(struct progress *p);

/* Prints the one-line summary shown above to 'out': 'events' events in
 * 'wall_s' wall seconds, 'simtime' simulated, the run's 'fingerprint' as
 * 16 hex digits and the results database 'db_path' (the ", results in
 * ..." part is left out if 'db_path' is NULL). */
void progress_summary(FILE *out, uint64_t events, double wall_s,
                      sim_time_t simtime, uint64_t fingerprint,
                      const char *db_path);

/* Seconds of CLOCK_MONOTONIC, for the 'wall_now' arguments above. */
double progress_wall_now(void);

#endif /* VNETSIM_SIM_PROGRESS_H */
