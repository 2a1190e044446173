/*
 * sim-private.h -- engine internals that tests may reach but models must
 * not.  See sim.h for the public contract and sched.c for the layout.
 */
#ifndef VNETSIM_SIM_SIM_PRIVATE_H
#define VNETSIM_SIM_SIM_PRIVATE_H 1

#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

/* The fingerprint of a simulation that has executed no event. */
#define SIM_FINGERPRINT_INIT UINT64_C(0x243f6a8885a308d3)

/* The SplitMix64 finalizer used by the fingerprint. */
static inline uint64_t
sim_fp_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Folds one executed event into fingerprint 'fp' and returns the result:
 *     fp = mix64(fp ^ (uint64_t)time);
 *     fp = mix64(fp ^ ((uint64_t)comp << 16 | kind)); */
static inline uint64_t
sim_fp_fold(uint64_t fp, sim_time_t time, sim_component_id comp,
            uint16_t kind)
{
    fp = sim_fp_mix64(fp ^ (uint64_t)time);
    return sim_fp_mix64(fp ^ ((uint64_t)comp << 16 | kind));
}

/* Test hook: sets the next internal sequence number, to exercise the
 * renumbering that happens when the 36-bit sequence space runs out. */
void sim_test_set_next_seq(struct sim *sim, uint64_t seq);

/* Test hook: cancelled events whose keys still wait in the queue (lazy
 * cancellation); eagerly removed ones are not counted. */
size_t sim_test_tombstones(const struct sim *sim);

#endif /* VNETSIM_SIM_SIM_PRIVATE_H */
