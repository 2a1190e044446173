/*
 * rng.h -- named random-number streams and the distributions drawn from
 * them.
 *
 * HOW IT WORKS.  Every random decision in vnetsim draws from a stream, and
 * every stream has a name: the path of the component that owns it and a
 * stream name ("host0.nic0", "arrivals").  The stream's 256-bit state is
 * seeded from a 64-bit hash of (run seed, component path, stream name), so
 * the numbers a component sees depend only on those three values: adding,
 * removing or reordering other components never perturbs it.  The generator
 * is xoshiro256** 1.0 (Blackman and Vigna), its state filled by SplitMix64
 * from the stream seed as the authors recommend; doc/engine.md gives the
 * exact seeding function and tests/test-rng.c checks both generators
 * against their published reference outputs.
 *
 * DISTRIBUTIONS.  Integers are exact and unbiased (Lemire's multiply and
 * reject).  Reals are built from the top 53 bits of one draw.  Continuous
 * distributions use only +, -, *, / and sqrt (correctly rounded by IEEE 754)
 * plus log, exp and cos from libm; doc/engine.md states what is and is not
 * guaranteed to be bit-identical across compilers and C libraries.  Draws
 * never influence the ORDER of events except through integer results the
 * caller derives, and the same binary always produces the same values.
 *
 * OWNERSHIP.  A struct rng is a plain value: embed it, copy it, no free.
 */
#ifndef VNETSIM_SIM_RNG_H
#define VNETSIM_SIM_RNG_H 1

#include <stdint.h>

struct rng {
    uint64_t s[4];              /* xoshiro256** state; never all zero */
};

/* SplitMix64: advances '*state' and returns the next output. */
uint64_t rng_splitmix64(uint64_t *state);

/* The documented stream-seed hash of (run seed, component path, stream
 * name).  'path' and 'name' are NUL-terminated; "" is allowed. */
uint64_t rng_stream_seed(uint64_t run_seed, const char *path,
                         const char *name);

/* Seeds 'r' directly from a 64-bit value (through SplitMix64). */
void rng_seed(struct rng *r, uint64_t seed);

/* Seeds 'r' as the named stream: rng_seed(r, rng_stream_seed(...)). */
void rng_init_stream(struct rng *r, uint64_t run_seed, const char *path,
                     const char *name);

/* The next raw 64-bit output of xoshiro256**. */
uint64_t rng_next(struct rng *r);

/* Uniform integer in [0, bound), unbiased.  'bound' > 0. */
uint64_t rng_below(struct rng *r, uint64_t bound);

/* Uniform integer in [lo, hi], unbiased.  'lo' <= 'hi'. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);

/* Uniform real in [0, 1), a multiple of 2^-53. */
double rng_uniform01(struct rng *r);

/* Uniform real in [lo, hi). */
double rng_uniform(struct rng *r, double lo, double hi);

/* Exponential with mean 'mean' (> 0). */
double rng_exponential(struct rng *r, double mean);

/* Normal with mean 'mu' and standard deviation 'sigma' (>= 0). */
double rng_normal(struct rng *r, double mu, double sigma);

/* Pareto with scale (minimum) 'xm' > 0 and shape 'alpha' > 0. */
double rng_pareto(struct rng *r, double xm, double alpha);

/* Lognormal: exp(N(mu, sigma)). */
double rng_lognormal(struct rng *r, double mu, double sigma);

#endif /* VNETSIM_SIM_RNG_H */
