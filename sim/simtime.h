/*
 * simtime.h -- simulated time for vnetsim: an integer count of picoseconds.
 *
 * Every clock in the simulator is a sim_time_t.  A picosecond is fine enough
 * that one bit at 100 Gb/s (10 ps) and one cycle at 5 GHz (200 ps) are exact
 * whole numbers, and a signed 64-bit count still spans 2^63 ps, about 106
 * days of simulated time.  Nothing that decides the order of events is
 * computed in floating point.
 *
 * ROUNDING RULES.  Conversions that produce a duration the simulated
 * hardware must wait for round UP (a frame occupies the wire until its last
 * bit has left; an instruction sequence is not finished until its last cycle
 * has ended).  Conversions that count how much work fits into a duration
 * round DOWN (a CPU that has run for 999 ps at 1 GHz has completed 0 whole
 * cycles, not 1).  Every helper below states which rule it follows, and
 * tests/test-simtime.c checks each one at its boundaries.
 *
 * The helpers use unsigned 128-bit intermediates (a GCC and Clang extension
 * on 64-bit targets) so that products such as bytes * 8 * 10^12 never
 * overflow before the division.  A result that does not fit in sim_time_t
 * saturates at SIM_TIME_MAX, which the scheduler treats as "never".
 */
#ifndef VNETSIM_SIM_SIMTIME_H
#define VNETSIM_SIM_SIMTIME_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time_t;             /* picoseconds */

#define SIM_TIME_MAX INT64_MAX          /* "never": end of simulated time */

#define SIM_PS_PER_NS INT64_C(1000)
#define SIM_PS_PER_US INT64_C(1000000)
#define SIM_PS_PER_MS INT64_C(1000000000)
#define SIM_PS_PER_S  INT64_C(1000000000000)

/* Whole units to picoseconds.  Exact; the caller keeps values in range
 * (|value| below 9.2e6 seconds' worth), which is asserted. */
sim_time_t sim_ns(int64_t ns);
sim_time_t sim_us(int64_t us);
sim_time_t sim_ms(int64_t ms);
sim_time_t sim_s(int64_t s);

/* Picoseconds to whole units, rounding toward zero (C division). */
static inline int64_t sim_to_ns(sim_time_t t) { return t / SIM_PS_PER_NS; }
static inline int64_t sim_to_us(sim_time_t t) { return t / SIM_PS_PER_US; }

/* Seconds as a double, for reports only: never for event ordering. */
static inline double sim_to_seconds(sim_time_t t) { return (double)t / 1e12; }

/* Time to serialise 'size_bytes' bytes at 'rate_bps' bits per second:
 * ceil(size_bytes * 8 * 10^12 / rate_bps) ps.  Rounds up.  'rate_bps' must
 * be positive.  Saturates at SIM_TIME_MAX. */
sim_time_t sim_serialization_ps(uint64_t size_bytes, uint64_t rate_bps);

/* Duration of 'cycles' cycles at 'freq_mhz' MHz:
 * ceil(cycles * 10^6 / freq_mhz) ps.  Rounds up.  Saturates. */
sim_time_t sim_cycles_to_ps(uint64_t cycles, uint32_t freq_mhz);

/* Whole cycles completed in 't' ps at 'freq_mhz' MHz:
 * floor(t * freq_mhz / 10^6).  Rounds down.  't' must be >= 0. */
uint64_t sim_ps_to_cycles(sim_time_t t, uint32_t freq_mhz);

/* Formats 't' into 'buf' as seconds with 12 decimals ("1.000000250000s"),
 * exact for every value.  Returns 'buf'.  'size' must be at least
 * SIM_TIME_STRLEN. */
#define SIM_TIME_STRLEN 32
char *sim_time_format(sim_time_t t, char *buf, size_t size);

#endif /* VNETSIM_SIM_SIMTIME_H */
