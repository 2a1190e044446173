/*
 * test-rng.c -- the RNG streams of sim/rng.h: both generators against
 * published reference outputs, the stream-seed rules that make streams
 * independent of each other, unbiased bounded integers, and the first two
 * moments of every distribution.
 */
#include <config.h>
#include "sim/rng.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "tests/cutest.h"

static void
test_splitmix64_matches_reference_outputs(void)
{
    /* SplitMix64 from state 1234567 (the widely published sequence, e.g.
     * Rosetta Code's "Pseudo-random numbers/Splitmix64" task). */
    static const uint64_t expect[] = {
        UINT64_C(6457827717110365317), UINT64_C(3203168211198807973),
        UINT64_C(9817491932198370423), UINT64_C(4593380528125082431),
        UINT64_C(16408922859458223821),
    };
    uint64_t state = 1234567;

    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        CU_ASSERT_EQUAL(rng_splitmix64(&state), expect[i]);
    }
}

static void
test_xoshiro256starstar_matches_reference_outputs(void)
{
    /* xoshiro256** 1.0 from state {1, 2, 3, 4}: the first outputs of the
     * authors' reference C implementation. */
    static const uint64_t expect[] = {
        UINT64_C(11520), UINT64_C(0), UINT64_C(1509978240),
        UINT64_C(1215971899390074240), UINT64_C(1216172134540287360),
        UINT64_C(607988272756665600), UINT64_C(16172922978634559625),
        UINT64_C(8476171486693032832), UINT64_C(10595114339597558777),
        UINT64_C(2904607092377533576),
    };
    struct rng r = { { 1, 2, 3, 4 } };

    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        CU_ASSERT_EQUAL(rng_next(&r), expect[i]);
    }
}

static void
test_same_stream_name_gives_same_sequence(void)
{
    struct rng a, b;

    rng_init_stream(&a, 42, "host0.nic0", "arrivals");
    rng_init_stream(&b, 42, "host0.nic0", "arrivals");
    for (int i = 0; i < 1000; i++) {
        CU_ASSERT_EQUAL(rng_next(&a), rng_next(&b));
    }
}

static void
test_streams_differ_by_seed_path_and_name(void)
{
    uint64_t base = rng_stream_seed(42, "host0.nic0", "arrivals");

    CU_ASSERT_NOT_EQUAL(base, rng_stream_seed(43, "host0.nic0", "arrivals"));
    CU_ASSERT_NOT_EQUAL(base, rng_stream_seed(42, "host0.nic1", "arrivals"));
    CU_ASSERT_NOT_EQUAL(base, rng_stream_seed(42, "host0.nic0", "sizes"));
    /* The separator keeps the path/name boundary. */
    CU_ASSERT_NOT_EQUAL(rng_stream_seed(1, "ab", "c"),
                        rng_stream_seed(1, "a", "bc"));
}

static void
test_other_streams_never_perturb_a_stream(void)
{
    struct rng alone, crowded, other;
    uint64_t first[64];

    rng_init_stream(&alone, 7, "host0.cpu1", "jitter");
    for (int i = 0; i < 64; i++) {
        first[i] = rng_next(&alone);
    }
    /* Create and draw from other streams before and between draws. */
    rng_init_stream(&other, 7, "host0.cpu0", "jitter");
    rng_next(&other);
    rng_init_stream(&crowded, 7, "host0.cpu1", "jitter");
    for (int i = 0; i < 64; i++) {
        rng_init_stream(&other, 7, "host0.extra", "x");
        rng_next(&other);
        CU_ASSERT_EQUAL(rng_next(&crowded), first[i]);
    }
}

static void
test_below_stays_in_range_and_is_unbiased(void)
{
    struct rng r;
    enum { BOUND = 6, N = 600000 };
    uint64_t counts[BOUND] = { 0 };
    double chi2 = 0;

    rng_seed(&r, 99);
    for (int i = 0; i < N; i++) {
        uint64_t v = rng_below(&r, BOUND);
        CU_ASSERT_FATAL(v < BOUND);
        counts[v]++;
    }
    for (int i = 0; i < BOUND; i++) {
        double d = (double)counts[i] - N / BOUND;
        chi2 += d * d / (N / BOUND);
    }
    /* 5 degrees of freedom: P(chi2 > 20.5) < 0.001. */
    CU_ASSERT(chi2 < 20.5);
    /* A bound just above 2^63 is where a plain modulo is most biased:
     * about half the values would land in the low half too often. */
    uint64_t big = (UINT64_C(1) << 63) + (UINT64_C(1) << 62);
    int low = 0;
    for (int i = 0; i < 100000; i++) {
        low += rng_below(&r, big) < big / 2;
    }
    CU_ASSERT(low > 49000 && low < 51000);
}

static void
test_range_covers_both_ends_and_full_span(void)
{
    struct rng r;
    bool seen_lo = false, seen_hi = false;

    rng_seed(&r, 5);
    for (int i = 0; i < 10000; i++) {
        int64_t v = rng_range(&r, -3, 3);
        CU_ASSERT_FATAL(v >= -3 && v <= 3);
        seen_lo |= v == -3;
        seen_hi |= v == 3;
    }
    CU_ASSERT_TRUE(seen_lo && seen_hi);
    (void)rng_range(&r, INT64_MIN, INT64_MAX);      /* no overflow trap */
    CU_ASSERT_EQUAL(rng_range(&r, 17, 17), 17);
}

/* Sample mean and variance of 'n' draws of 'draw'. */
static void
moments(double (*draw)(struct rng *, double, double), double a, double b,
        int n, double *mean, double *var)
{
    struct rng r;
    double sum = 0, sumsq = 0;

    rng_seed(&r, 2026);
    for (int i = 0; i < n; i++) {
        double x = draw(&r, a, b);
        sum += x;
        sumsq += x * x;
    }
    *mean = sum / n;
    *var = sumsq / n - *mean * *mean;
}

static double exp_draw(struct rng *r, double mean, double unused)
{ (void)unused; return rng_exponential(r, mean); }

static void
test_distribution_moments_match_theory(void)
{
    enum { N = 1000000 };
    double m, v;

    /* Tolerances are about 5 standard errors of the estimate, so a wrong
     * formula (say a mean off by 10%) fails while the fixed seed keeps the
     * test deterministic. */
    moments(rng_uniform, 2.0, 6.0, N, &m, &v);
    CU_ASSERT_DOUBLE_EQUAL(m, 4.0, 0.006);
    CU_ASSERT_DOUBLE_EQUAL(v, 16.0 / 12.0, 0.006);

    moments(exp_draw, 3.0, 0, N, &m, &v);
    CU_ASSERT_DOUBLE_EQUAL(m, 3.0, 0.015);
    CU_ASSERT_DOUBLE_EQUAL(v, 9.0, 0.15);

    moments(rng_normal, 10.0, 2.0, N, &m, &v);
    CU_ASSERT_DOUBLE_EQUAL(m, 10.0, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(v, 4.0, 0.03);

    /* Pareto(xm = 1, alpha = 5): mean 5/4, variance 5/48. */
    moments(rng_pareto, 1.0, 5.0, N, &m, &v);
    CU_ASSERT_DOUBLE_EQUAL(m, 1.25, 0.002);
    CU_ASSERT_DOUBLE_EQUAL(v, 5.0 / 48.0, 0.01);

    /* Lognormal(0, 0.5): mean e^(1/8), variance (e^(1/4) - 1) e^(1/4). */
    moments(rng_lognormal, 0.0, 0.5, N, &m, &v);
    CU_ASSERT_DOUBLE_EQUAL(m, exp(0.125), 0.003);
    CU_ASSERT_DOUBLE_EQUAL(v, (exp(0.25) - 1) * exp(0.25), 0.006);
}

static void
test_uniform01_is_in_unit_interval_on_53_bit_grid(void)
{
    struct rng r;

    rng_seed(&r, 11);
    for (int i = 0; i < 100000; i++) {
        double u = rng_uniform01(&r);
        CU_ASSERT_FATAL(u >= 0.0 && u < 1.0);
        CU_ASSERT_FATAL(u * 0x1.0p53 == floor(u * 0x1.0p53));
    }
}

static const struct cutest_case rng_cases[] = {
    CUTEST(test_splitmix64_matches_reference_outputs),
    CUTEST(test_xoshiro256starstar_matches_reference_outputs),
    CUTEST(test_same_stream_name_gives_same_sequence),
    CUTEST(test_streams_differ_by_seed_path_and_name),
    CUTEST(test_other_streams_never_perturb_a_stream),
    CUTEST(test_below_stays_in_range_and_is_unbiased),
    CUTEST(test_range_covers_both_ends_and_full_span),
    CUTEST(test_uniform01_is_in_unit_interval_on_53_bit_grid),
    CUTEST(test_distribution_moments_match_theory),
    CUTEST_END
};

CUTEST_MAIN({ "rng", rng_cases })
