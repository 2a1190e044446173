/*
 * log.h -- leveled logging with a per-component filter, and assertions that
 * stay on in release builds.
 *
 * Every message is one line on the log stream (stderr by default):
 *
 *     [0.000001250000s] host0.cpu3 debug: DPC drained 12 frames
 *
 * prefixed by the simulated time of the simulation that logs it and the
 * path of the component.  Which messages appear is decided by a filter
 * spec such as "info,host0.cpu*=debug,*.nic0=trace": a default level, then
 * comma-separated PATTERN=LEVEL rules matched with fnmatch(3) against the
 * component path; the LAST matching rule wins.  The filter is process-wide
 * (one vnetsim process runs one simulation).  Logging never changes what a
 * simulation does, so it cannot affect fingerprints or results.
 */
#ifndef VNETSIM_SIM_LOG_H
#define VNETSIM_SIM_LOG_H 1

#include <stdbool.h>
#include <stdio.h>

#include "sim/sim.h"

enum sim_log_level {
    SIM_LOG_ERROR,
    SIM_LOG_WARN,
    SIM_LOG_INFO,
    SIM_LOG_DEBUG,
    SIM_LOG_TRACE,
};

/* Parses and installs filter 'spec' (see above).  Returns 0, or EINVAL
 * (leaving the current filter unchanged) and writes a one-line reason to
 * 'why' (size 'why_size') if it is malformed, or ENOMEM. */
int sim_log_set_filter(const char *spec, char *why, size_t why_size);

/* Sends log lines to 'stream' (NULL restores stderr). */
void sim_log_set_stream(FILE *stream);

/* Parses a level name ("error", "warn", "info", "debug", "trace").
 * Returns true and stores it in '*level' on success. */
bool sim_log_level_from_name(const char *name, enum sim_log_level *level);
const char *sim_log_level_name(enum sim_log_level level);

/* True if a message at 'level' from 'comp' would be printed. */
bool sim_log_enabled(const struct sim *sim, sim_component_id comp,
                     enum sim_log_level level);

/* Logs a printf-style message from component 'comp' of 'sim' ('sim' may be
 * NULL for messages outside any simulation: no time, no path). */
void sim_log(const struct sim *sim, sim_component_id comp,
             enum sim_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* SIM_ASSERT(cond): checked in every build, NDEBUG or not.  On failure it
 * prints "FILE:LINE: assertion failed: COND" and aborts. */
#define SIM_ASSERT(cond)                                                \
    ((cond) ? (void)0 : sim_assert_fail(__FILE__, __LINE__, #cond))

_Noreturn void sim_assert_fail(const char *file, int line, const char *cond);

/* The simulator program's answer to a failure it cannot recover from
 * inside an event, such as memory running out: prints "vnetsim: MESSAGE"
 * on stderr and exits with status 3 (internal error).  Models call it
 * where the library code (vmswitch) would return ENOMEM. */
_Noreturn void sim_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* The simulator program's answer to memory running out where it cannot
 * be returned as ENOMEM: prints the one line "vnetsim: out of memory
 * (WHAT)" on stderr and exits with status 3 (internal error), never a
 * crash.  'what' names what was being allocated ("pnic", "metrics
 * registry").  An assertion whose text starts with "out of memory" (the
 * event queue reports its growth failing so) ends the same way. */
_Noreturn void sim_out_of_memory(const char *what);

#endif /* VNETSIM_SIM_LOG_H */
