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
 * from the stream seed as the authors recommend; tests/test-rng.c checks
 * both generators against their published reference outputs.
 *
 * STREAM SEED, exactly (rng_stream_seed):
 *     h    = FNV-1a-64 over the bytes of 'path', one 0x00 byte, then the
 *            bytes of 'name' (offset basis 0xcbf29ce484222325, prime
 *            0x100000001b3; for each byte b: h ^= b, h *= prime);
 *     seed = mix64(mix64(run_seed) ^ h),
 * where mix64 is the SplitMix64 output function:
 *     z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
 *     z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
 *     return z ^ (z >> 31).
 * The 0x00 separator keeps ("ab", "c") and ("a", "bc") apart.  rng_seed()
 * then sets s[0..3] to four successive rng_splitmix64() outputs starting
 * from state = seed (state += 0x9e3779b97f4a7c15, output = mix64(state)).
 *
 * DISTRIBUTIONS.  Integers are exact and unbiased (Lemire's multiply and
 * reject).  Reals are built from the top 53 bits of one draw: u = (x >> 11)
 * * 2^-53 in [0, 1), and u' = ((x >> 11) + 1) * 2^-53 in (0, 1] where a
 * logarithm is taken.  Then:
 *     exponential   -mean * log(u')
 *     normal        mu + sigma * sqrt(-2 log(u1')) * cos(2 pi u2)
 *                   (Box-Muller, two draws per value, the second value of
 *                   the pair is NOT cached: a stream's n-th draw never
 *                   depends on which function made the previous one)
 *     Pareto        xm * exp(-log(u') / alpha)     (= xm * u'^(-1/alpha))
 *     lognormal     exp(normal(mu, sigma))
 * Only +, -, *, / and sqrt (correctly rounded by IEEE 754) plus log, exp
 * and cos from libm are used.  Raw outputs, integers and uniform reals are
 * bit-identical on every compiler and platform; the continuous
 * distributions are bit-identical for the same C library, but another libm
 * may round log, exp or cos differently in the last place (doc/engine.md).
 * Draws never influence the ORDER of events except through integer results
 * the caller derives, and the same binary always produces the same values.
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

/* Uniform real in [lo, hi) for lo < hi: lo + (hi - lo) * rng_uniform01(),
 * with a result rounded up to 'hi' moved to the double just below it.
 * 'lo' == 'hi' returns 'lo'. */
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
