/*
 * simtime.c -- exact integer conversions between picoseconds, units, bits
 * on a wire and CPU cycles.  The rounding rules are stated in simtime.h.
 */
#include <config.h>
#include "sim/simtime.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

typedef unsigned __int128 u128;

static sim_time_t
scale(int64_t value, int64_t ps_per_unit)
{
    assert(value <= SIM_TIME_MAX / ps_per_unit);
    assert(value >= -(SIM_TIME_MAX / ps_per_unit));
    return value * ps_per_unit;
}

sim_time_t sim_ns(int64_t ns) { return scale(ns, SIM_PS_PER_NS); }
sim_time_t sim_us(int64_t us) { return scale(us, SIM_PS_PER_US); }
sim_time_t sim_ms(int64_t ms) { return scale(ms, SIM_PS_PER_MS); }
sim_time_t sim_s(int64_t s)   { return scale(s, SIM_PS_PER_S); }

/* ceil(num / den), saturating at SIM_TIME_MAX. */
static sim_time_t
ceil_div_sat(u128 num, u128 den)
{
    u128 q = num / den + (num % den != 0);
    return q > (u128)SIM_TIME_MAX ? SIM_TIME_MAX : (sim_time_t)q;
}

sim_time_t
sim_serialization_ps(uint64_t size_bytes, uint64_t rate_bps)
{
    assert(rate_bps > 0);
    return ceil_div_sat((u128)size_bytes * 8u * (u128)SIM_PS_PER_S, rate_bps);
}

sim_time_t
sim_cycles_to_ps(uint64_t cycles, uint32_t freq_mhz)
{
    assert(freq_mhz > 0);
    return ceil_div_sat((u128)cycles * 1000000u, freq_mhz);
}

uint64_t
sim_ps_to_cycles(sim_time_t t, uint32_t freq_mhz)
{
    assert(t >= 0);
    return (uint64_t)((u128)t * freq_mhz / 1000000u);
}

char *
sim_time_format(sim_time_t t, char *buf, size_t size)
{
    const char *sign = "";
    uint64_t mag;

    assert(size >= SIM_TIME_STRLEN);
    if (t < 0) {
        sign = "-";
        mag = (uint64_t)0 - (uint64_t)t;   /* also right for INT64_MIN */
    } else {
        mag = (uint64_t)t;
    }
    snprintf(buf, size, "%s%" PRIu64 ".%012" PRIu64 "s", sign,
             mag / (uint64_t)SIM_PS_PER_S, mag % (uint64_t)SIM_PS_PER_S);
    return buf;
}
