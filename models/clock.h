/*
 * clock.h -- processor cycles and simulated time, converted exactly.
 *
 * A processor runs at a whole number of MHz, f: it retires f cycles per
 * microsecond, so one cycle lasts 10^6 / f picoseconds, which is rarely a
 * whole number (2600 MHz: 384.615... ps).  Rounding each piece of work to
 * whole picoseconds would lose or invent time every time work is cut by a
 * preemption.  Instead work is counted in WORK UNITS of one millionth of a
 * cycle: running for t ps at f MHz does exactly t * f units, and W units
 * of work take ceil(W / f) ps.  Nothing is ever rounded except the
 * completion instant, and the remaining work after a preemption is kept
 * to the unit:
 *
 *     remaining = W - t * f                   (exact, integers)
 *     done at   = now + ceil(remaining / f)   (the only rounding)
 *
 * Limits: work up to CLOCK_MAX_CYCLES cycles per piece; frequencies 1 .. CLOCK_MAX_MHZ.  Callers validate at the Lua
 * boundary; these functions assert.
 */
#ifndef VNETSIM_MODELS_CLOCK_H
#define VNETSIM_MODELS_CLOCK_H 1

#include <stdint.h>

#include "sim/simtime.h"

/* Work units per cycle. */
#define CLOCK_UNITS_PER_CYCLE UINT64_C(1000000)

/* The largest piece of work, in cycles: its units fit in 63 bits, so even
 * at 1 MHz its duration fits in a sim_time_t (an hour at 2.5 GHz). */
#define CLOCK_MAX_CYCLES UINT64_C(9000000000000)

/* The highest clock frequency accepted, in MHz (100 GHz). */
#define CLOCK_MAX_MHZ UINT32_C(100000)

/* Work, in units of one millionth of a cycle. */
typedef uint64_t clock_work_t;

/* 'cycles' of work, in units. */
clock_work_t clock_work_of_cycles(uint64_t cycles);

/* The time 'work' takes at 'mhz': ceil(work / mhz) ps. */
sim_time_t clock_work_time(clock_work_t work, uint32_t mhz);

/* The work done in 'elapsed' ps at 'mhz': elapsed * mhz units, capped at
 * 'limit' (the work that was left, so a completion instant rounded up
 * never yields more work than there was). */
clock_work_t clock_work_in(sim_time_t elapsed, uint32_t mhz, clock_work_t limit);

/* The time 'cycles' take at 'mhz', rounded up: ceil(cycles * 10^6 / mhz). */
sim_time_t clock_cycles_time(uint64_t cycles, uint32_t mhz);

/* Whole cycles elapsed in 'elapsed' ps at 'mhz', rounded down. */
uint64_t clock_time_cycles(sim_time_t elapsed, uint32_t mhz);

#endif /* VNETSIM_MODELS_CLOCK_H */
