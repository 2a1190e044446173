/*
 * clock.c -- exact conversions between cycles, work units and simulated
 * time (clock.h).  Products are formed in 128 bits so no intermediate can
 * overflow; results are checked to fit their types.
 */
#include "config.h"

#include "models/clock.h"

#include "sim/log.h"

clock_work_t
clock_work_of_cycles(uint64_t cycles)
{
    SIM_ASSERT(cycles <= CLOCK_MAX_CYCLES);
    return cycles * CLOCK_UNITS_PER_CYCLE;
}

sim_time_t
clock_work_time(clock_work_t work, uint32_t mhz)
{
    SIM_ASSERT(mhz >= 1 && mhz <= CLOCK_MAX_MHZ);
    return (sim_time_t)(work / mhz + (work % mhz != 0));
}

clock_work_t
clock_work_in(sim_time_t elapsed, uint32_t mhz, clock_work_t limit)
{
    SIM_ASSERT(elapsed >= 0);
    SIM_ASSERT(mhz >= 1 && mhz <= CLOCK_MAX_MHZ);
    unsigned __int128 done = (unsigned __int128)(uint64_t)elapsed * mhz;
    return done >= limit ? limit : (clock_work_t)done;
}

sim_time_t
clock_cycles_time(uint64_t cycles, uint32_t mhz)
{
    return clock_work_time(clock_work_of_cycles(cycles), mhz);
}

uint64_t
clock_time_cycles(sim_time_t elapsed, uint32_t mhz)
{
    SIM_ASSERT(elapsed >= 0);
    SIM_ASSERT(mhz >= 1 && mhz <= CLOCK_MAX_MHZ);
    unsigned __int128 units = (unsigned __int128)(uint64_t)elapsed * mhz;
    return (uint64_t)(units / CLOCK_UNITS_PER_CYCLE);
}
