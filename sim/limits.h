/*
 * limits.h -- run limits: how many events, how much wall-clock time and how
 * much memory one "vnetsim run" may use (--max-events, --max-wall,
 * --max-memory), enforced by a watchdog so that a run that passes one ends
 * as a failed run with a one-line message instead of running for ever or
 * being killed by the kernel.
 *
 * HOW IT WORKS.  limits_arm() starts an interval timer (ITIMER_REAL,
 * every LIMITS_TICK_MS of wall time) whose SIGALRM handler compares the
 * engine's executed-event count, the wall time since arming and the
 * process's resident set size (/proc/self/statm) with the limits.  When one
 * is passed it calls lsim_interrupt(): the engine stops after the event it
 * is running and scenario code raises an error at its next instruction
 * check, so the run is recorded as "failed" with the limit's message.  The
 * limits are checked, not enforced to the unit: a run may execute up to
 * one tick's worth of events past --max-events, and memory allocated
 * between two ticks is seen at the next one.
 *
 * THE LAST RESORT.  A run stuck inside one C function (a Lua pattern that
 * backtracks for ever, say) never reaches an instruction check.  If the
 * run is still going LIMITS_GRACE_S seconds after a limit was passed, the
 * handler writes the message to stderr and ends the process with exit
 * status 1 (_exit): the run then stays "running" in the database, which
 * every reader treats as incomplete (results.h).
 *
 * The Lua heap has its own exact ceiling (lsim.h); --max-memory lowers it
 * too (limits_lua_heap()).  One set of limits per process: the handler's
 * state is static.  Nothing here changes the event sequence: a run that
 * stays within its limits has the same fingerprint as without them.
 */
#ifndef VNETSIM_SIM_LIMITS_H
#define VNETSIM_SIM_LIMITS_H 1

#include <stddef.h>
#include <stdint.h>

struct lsim;

#define LIMITS_TICK_MS 10           /* watchdog period */
#define LIMITS_GRACE_S 2            /* then a stuck run is ended */

struct run_limits {
    uint64_t max_events;            /* 0: no limit */
    uint64_t max_wall_ms;           /* 0: no limit */
    uint64_t max_memory_bytes;      /* 0: no limit */
    const char *wall_text;          /* the options as given, for messages */
    const char *memory_text;
};

/* True if any limit is set. */
static inline int
limits_any(const struct run_limits *l)
{
    return l->max_events || l->max_wall_ms || l->max_memory_bytes;
}

/* The Lua heap ceiling to give lsim_options.memory_limit for 'l': the
 * smaller of 'default_bytes' and --max-memory (0 if neither applies). */
size_t limits_lua_heap(const struct run_limits *l, size_t default_bytes);

/* Starts watching run 'h' (scenario file 'scenario', for messages), from
 * now.  Returns 0 or an errno with a one-line message in 'err'. */
int limits_arm(const struct run_limits *l, struct lsim *h,
               const char *scenario, char *err, size_t err_size);

/* Points the watchdog at another host (run.c creates the host after it
 * arms, so that loading the scenario is watched too).  NULL: no host yet
 * (only the last resort applies). */
void limits_set_host(struct lsim *h);

/* Stops the watchdog (before the results are written: a limit then cannot
 * interrupt a write).  Safe if it was never armed. */
void limits_disarm(void);

#endif /* VNETSIM_SIM_LIMITS_H */
