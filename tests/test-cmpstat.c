/*
 * test-cmpstat.c -- the arithmetic of "vnetsim compare" (sim/cmpstat.h):
 * the tolerance rule, tolerance parsing, per-metric rules and Welch's
 * t-test against a published R result.
 */
#include <config.h>
#include "sim/cmpstat.h"

#include <errno.h>
#include <math.h>

#include "tests/cutest.h"

static void
test_within_is_exact_by_default_and_relative_to_the_base(void)
{
    CU_ASSERT_TRUE(cmp_within(1.0, 1.0, 0, 0));
    CU_ASSERT_FALSE(cmp_within(1.0, nextafter(1.0, 2.0), 0, 0));
    CU_ASSERT_TRUE(cmp_within(100, 102, 0, 0.02));
    CU_ASSERT_FALSE(cmp_within(100, 102.0001, 0, 0.02));
    CU_ASSERT_TRUE(cmp_within(100, 98, 0, 0.02));
    /* Relative to the base, not to the new value. */
    CU_ASSERT_FALSE(cmp_within(98, 100, 0, 0.02));
    /* Absolute and relative add up. */
    CU_ASSERT_TRUE(cmp_within(0, 0.5, 0.5, 0.1));
    CU_ASSERT_TRUE(cmp_within(10, 11.5, 0.5, 0.1));
    CU_ASSERT_FALSE(cmp_within(10, 11.6, 0.5, 0.1));
}

static void
test_within_nan_and_infinity(void)
{
    CU_ASSERT_TRUE(cmp_within(NAN, NAN, 0, 0));
    CU_ASSERT_FALSE(cmp_within(NAN, 1, 1, 1));
    CU_ASSERT_FALSE(cmp_within(1, NAN, 1, 1));
    CU_ASSERT_TRUE(cmp_within(INFINITY, INFINITY, 0, 0));
    CU_ASSERT_FALSE(cmp_within(INFINITY, -INFINITY, 0, 1));
    CU_ASSERT_FALSE(cmp_within(1, INFINITY, 1e300, 1e300));
}

static void
test_parse_tol_numbers_and_percentages(void)
{
    double v = -1;

    CU_ASSERT_EQUAL(cmp_parse_tol("0.02", &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.02, 1e-15);
    CU_ASSERT_EQUAL(cmp_parse_tol("2%", &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.02, 1e-15);
    CU_ASSERT_EQUAL(cmp_parse_tol("0", &v), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(cmp_parse_tol("", &v), EINVAL);
    CU_ASSERT_EQUAL(cmp_parse_tol("-1", &v), EINVAL);
    CU_ASSERT_EQUAL(cmp_parse_tol("2%%", &v), EINVAL);
    CU_ASSERT_EQUAL(cmp_parse_tol("x", &v), EINVAL);
    CU_ASSERT_EQUAL(cmp_parse_tol("1e999", &v), EINVAL);
    CU_ASSERT_EQUAL(cmp_parse_tol("nan", &v), EINVAL);
}

static void
test_rules_first_match_wins_and_star_crosses_dots(void)
{
    struct cmp_rules r = { 0 };

    CU_ASSERT_EQUAL(cmp_rules_add(&r, "cpu.lp*.busy=2%"), 0);
    CU_ASSERT_EQUAL(cmp_rules_add(&r, "cpu.*=10%"), 0);
    CU_ASSERT_EQUAL(cmp_rules_add(&r, "g*.udp*_sink.goodput_bytes=0.001"), 0);
    CU_ASSERT_DOUBLE_EQUAL(cmp_rules_rel(&r, "cpu.lp12.busy", 0), 0.02, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(cmp_rules_rel(&r, "cpu.lp12.dpc", 0), 0.10, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(cmp_rules_rel(&r, "g3.udp3_sink.goodput_bytes", 0),
                           0.001, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(cmp_rules_rel(&r, "nic0.drops", 0.5), 0.5, 1e-15);
    CU_ASSERT_EQUAL(cmp_rules_add(&r, "no-equals"), EINVAL);
    CU_ASSERT_EQUAL(cmp_rules_add(&r, "=1%"), EINVAL);
    CU_ASSERT_EQUAL(cmp_rules_add(&r, "a=b"), EINVAL);
    CU_ASSERT_EQUAL(r.n, 3);
    cmp_rules_free(&r);
    CU_ASSERT_EQUAL(r.n, 0);
}

static void
test_mean_and_sample_variance(void)
{
    static const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
    double m, v;

    cmp_mean_var(x, 8, &m, &v);
    CU_ASSERT_DOUBLE_EQUAL(m, 5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(v, 32.0 / 7, 1e-12);      /* n - 1 */
    cmp_mean_var(x, 1, &m, &v);
    CU_ASSERT_DOUBLE_EQUAL(m, 2, 1e-12);
    CU_ASSERT_EQUAL(v, 0);
}

/* R 4.x, t.test(ts1, ts2) (Welch by default), as published:
 * t = -1.8325, df = 17.9, p-value = 0.08356 (mean(ts1) - mean(ts2); this
 * module takes sample 2 minus sample 1, so t is positive). */
static void
test_welch_matches_r(void)
{
    static const double ts1[] = { 11, 9, 10, 11, 10, 12, 9, 11, 12, 9 };
    static const double ts2[] = { 11, 13, 10, 13, 12, 9, 11, 12, 12, 11 };
    double m1, v1, m2, v2, t, df, p;

    cmp_mean_var(ts1, 10, &m1, &v1);
    cmp_mean_var(ts2, 10, &m2, &v2);
    CU_ASSERT_DOUBLE_EQUAL(m1, 10.4, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(m2, 11.4, 1e-12);
    cmp_welch(10, m1, v1, 10, m2, v2, &t, &df, &p);
    CU_ASSERT_DOUBLE_EQUAL(t, 1.8325, 5e-5);
    CU_ASSERT_DOUBLE_EQUAL(df, 17.9, 0.05);
    CU_ASSERT_DOUBLE_EQUAL(p, 0.08356, 5e-6);
    /* Swapping the samples flips t, not p. */
    cmp_welch(10, m2, v2, 10, m1, v1, &t, &df, &p);
    CU_ASSERT_DOUBLE_EQUAL(t, -1.8325, 5e-5);
    CU_ASSERT_DOUBLE_EQUAL(p, 0.08356, 5e-6);
}

static void
test_welch_equal_samples_and_constants(void)
{
    double t, df, p;

    cmp_welch(5, 3.0, 1.0, 5, 3.0, 1.0, &t, &df, &p);
    CU_ASSERT_EQUAL(t, 0);
    CU_ASSERT_DOUBLE_EQUAL(p, 1, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(df, 8, 1e-12);           /* equal n and v */
    cmp_welch(3, 2.0, 0, 4, 2.0, 0, &t, &df, &p);
    CU_ASSERT_EQUAL(p, 1);
    cmp_welch(3, 2.0, 0, 4, 2.5, 0, &t, &df, &p);
    CU_ASSERT_EQUAL(p, 0);
    CU_ASSERT_TRUE(isinf(t) && t > 0);
    /* Far apart with small spread: significant. */
    cmp_welch(4, 10.0, 0.01, 4, 11.0, 0.01, &t, &df, &p);
    CU_ASSERT_TRUE(p < 1e-4 && df > 5.99 && df < 6.01);    /* t = 14.1 */
}

static const struct cutest_case cases[] = {
    CUTEST(test_within_is_exact_by_default_and_relative_to_the_base),
    CUTEST(test_within_nan_and_infinity),
    CUTEST(test_parse_tol_numbers_and_percentages),
    CUTEST(test_rules_first_match_wins_and_star_crosses_dots),
    CUTEST(test_mean_and_sample_variance),
    CUTEST(test_welch_matches_r),
    CUTEST(test_welch_equal_samples_and_constants),
    CUTEST_END
};

CUTEST_MAIN({ "cmpstat", cases })
