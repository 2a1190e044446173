/*
 * rng.c -- xoshiro256** streams seeded through SplitMix64, and the
 * distributions of rng.h.
 *
 * Both generators are the published algorithms of Blackman and Vigna
 * (xoshiro256** 1.0) and Steele, Lea and Flood (SplitMix64), written here
 * from their definitions; tests/test-rng.c checks them against published
 * reference outputs.
 */
#include <config.h>
#include "sim/rng.h"

#include <math.h>

#include "sim/log.h"

/* The SplitMix64 output function (a bijective 64-bit mixer). */
static uint64_t
mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t
rng_splitmix64(uint64_t *state)
{
    *state += UINT64_C(0x9e3779b97f4a7c15);
    return mix64(*state);
}

/* FNV-1a, 64-bit, over 'n' bytes continuing from 'h'. */
static uint64_t
fnv1a(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

/* STREAM SEED.  h = FNV-1a-64 (offset basis 0xcbf29ce484222325) over the
 * bytes of 'path', one 0x00 byte, and the bytes of 'name'; the stream seed
 * is mix64(mix64(run_seed) ^ h).  The separator keeps ("ab", "c") and
 * ("a", "bc") apart; the outer mix spreads a one-bit change of run seed or
 * name over every bit. */
uint64_t
rng_stream_seed(uint64_t run_seed, const char *path, const char *name)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    size_t n_path = 0, n_name = 0;

    while (path[n_path]) {
        n_path++;
    }
    while (name[n_name]) {
        n_name++;
    }
    h = fnv1a(h, path, n_path);
    h = fnv1a(h, "", 1);
    h = fnv1a(h, name, n_name);
    return mix64(mix64(run_seed) ^ h);
}

void
rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        r->s[i] = rng_splitmix64(&seed);
    }
    /* Four consecutive SplitMix64 outputs are never all zero (the output
     * function is a bijection of four distinct inputs). */
    SIM_ASSERT(r->s[0] | r->s[1] | r->s[2] | r->s[3]);
}

void
rng_init_stream(struct rng *r, uint64_t run_seed, const char *path,
                const char *name)
{
    rng_seed(r, rng_stream_seed(run_seed, path, name));
}

static inline uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Lemire's nearly divisionless method: the high word of x * bound is
 * uniform in [0, bound) once the low word is outside the biased zone
 * [0, 2^64 mod bound), which is rejected. */
uint64_t
rng_below(struct rng *r, uint64_t bound)
{
    unsigned __int128 m;
    uint64_t low;

    SIM_ASSERT(bound > 0);
    m = (unsigned __int128)rng_next(r) * bound;
    low = (uint64_t)m;
    if (low < bound) {
        uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            m = (unsigned __int128)rng_next(r) * bound;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

int64_t
rng_range(struct rng *r, int64_t lo, int64_t hi)
{
    uint64_t span;

    SIM_ASSERT(lo <= hi);
    span = (uint64_t)hi - (uint64_t)lo;
    if (span == UINT64_MAX) {
        return (int64_t)rng_next(r);
    }
    return (int64_t)((uint64_t)lo + rng_below(r, span + 1));
}

double
rng_uniform01(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* lo + (hi - lo) * u can round up to exactly 'hi' when u is just below 1;
 * such a result is replaced by the largest double below 'hi' so the
 * interval stays half-open (nextafter is exact, not a libm approximation). */
double
rng_uniform(struct rng *r, double lo, double hi)
{
    double x = lo + (hi - lo) * rng_uniform01(r);

    return x < hi || !(lo < hi) ? x : nextafter(hi, lo);
}

/* A uniform real in (0, 1]: the 53-bit grid shifted up by one step, so a
 * logarithm of it is always finite. */
static double
uniform_open0(struct rng *r)
{
    return (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* Inversion: -mean * ln(u) with u in (0, 1].  (log is markedly cheaper
 * than log1p, and this sits on the hot path of every traffic source.) */
double
rng_exponential(struct rng *r, double mean)
{
    SIM_ASSERT(mean > 0);
    return -mean * log(uniform_open0(r));
}

/* Box-Muller, one value per call (no hidden cached second value, so a
 * stream's n-th draw never depends on which function drew the (n-1)-th). */
double
rng_normal(struct rng *r, double mu, double sigma)
{
    double u1 = uniform_open0(r);
    double u2 = rng_uniform01(r);

    SIM_ASSERT(sigma >= 0);
    return mu + sigma * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Inversion: xm * u^(-1/alpha), u in (0, 1]. */
double
rng_pareto(struct rng *r, double xm, double alpha)
{
    SIM_ASSERT(xm > 0 && alpha > 0);
    return xm * exp(-log(uniform_open0(r)) / alpha);
}

double
rng_lognormal(struct rng *r, double mu, double sigma)
{
    return exp(rng_normal(r, mu, sigma));
}
