/*
 * test-simtime.c -- the integer time helpers of sim/simtime.h: exact unit
 * conversions and the stated rounding rule of each helper at its
 * boundaries.
 */
#include <config.h>
#include "sim/simtime.h"

#include <string.h>

#include "tests/cutest.h"

static void
test_units_are_exact_picoseconds(void)
{
    CU_ASSERT_EQUAL(sim_ns(1), 1000);
    CU_ASSERT_EQUAL(sim_us(3), 3000000);
    CU_ASSERT_EQUAL(sim_ms(2), INT64_C(2000000000));
    CU_ASSERT_EQUAL(sim_s(1), INT64_C(1000000000000));
    CU_ASSERT_EQUAL(sim_s(-4), INT64_C(-4000000000000));
    CU_ASSERT_EQUAL(sim_to_ns(sim_ns(123456)), 123456);
    CU_ASSERT_EQUAL(sim_to_us(1999999), 1);     /* toward zero */
    CU_ASSERT_EQUAL(sim_to_us(-1999999), -1);
}

static void
test_serialization_exact_and_rounds_up(void)
{
    /* 1 byte at 100 Gb/s is 80 ps exactly. */
    CU_ASSERT_EQUAL(sim_serialization_ps(1, UINT64_C(100000000000)), 80);
    /* 84 bytes (64 + preamble 8 + IFG 12) at 10 Gb/s: 67.2 ns. */
    CU_ASSERT_EQUAL(sim_serialization_ps(84, UINT64_C(10000000000)), 67200);
    /* 1 byte at 3 b/s: 8/3 s = 2.666...e12 ps, rounded up. */
    CU_ASSERT_EQUAL(sim_serialization_ps(1, 3), INT64_C(2666666666667));
    CU_ASSERT_EQUAL(sim_serialization_ps(0, 1000), 0);
    /* A product far beyond 2^64 before division is still exact. */
    CU_ASSERT_EQUAL(sim_serialization_ps(UINT64_C(1) << 40,
                                         UINT64_C(1) << 40),
                    INT64_C(8000000000000));
    /* Beyond 2^63 ps saturates to "never". */
    CU_ASSERT_EQUAL(sim_serialization_ps(UINT64_MAX, 1), SIM_TIME_MAX);
}

static void
test_cycles_round_up_to_time_and_down_from_time(void)
{
    /* 1 cycle at 3000 MHz = 333.33 ps -> 334 ps (rounds up). */
    CU_ASSERT_EQUAL(sim_cycles_to_ps(1, 3000), 334);
    CU_ASSERT_EQUAL(sim_cycles_to_ps(3, 3000), 1000);
    CU_ASSERT_EQUAL(sim_cycles_to_ps(2500, 2500), 1000000);
    /* 999 ps at 1 GHz completes 0 whole cycles; 1000 ps completes 1. */
    CU_ASSERT_EQUAL(sim_ps_to_cycles(999, 1000), 0);
    CU_ASSERT_EQUAL(sim_ps_to_cycles(1000, 1000), 1);
    CU_ASSERT_EQUAL(sim_ps_to_cycles(sim_s(1), 3000), UINT64_C(3000000000));
    /* Round trip never loses a cycle: time for N cycles holds N cycles. */
    for (uint64_t n = 0; n < 5000; n += 7) {
        CU_ASSERT_EQUAL(sim_ps_to_cycles(sim_cycles_to_ps(n, 2900), 2900), n);
    }
    CU_ASSERT_EQUAL(sim_cycles_to_ps(UINT64_MAX, 1), SIM_TIME_MAX);
}

static void
test_format_is_exact_seconds(void)
{
    char buf[SIM_TIME_STRLEN];

    CU_ASSERT_STRING_EQUAL(sim_time_format(0, buf, sizeof buf),
                           "0.000000000000s");
    CU_ASSERT_STRING_EQUAL(sim_time_format(sim_us(1) + 250, buf, sizeof buf),
                           "0.000001000250s");
    CU_ASSERT_STRING_EQUAL(sim_time_format(-sim_s(2) - 1, buf, sizeof buf),
                           "-2.000000000001s");
    CU_ASSERT_STRING_EQUAL(sim_time_format(SIM_TIME_MAX, buf, sizeof buf),
                           "9223372.036854775807s");
    CU_ASSERT_STRING_EQUAL(sim_time_format(INT64_MIN, buf, sizeof buf),
                           "-9223372.036854775808s");
}

static const struct cutest_case time_cases[] = {
    CUTEST(test_units_are_exact_picoseconds),
    CUTEST(test_serialization_exact_and_rounds_up),
    CUTEST(test_cycles_round_up_to_time_and_down_from_time),
    CUTEST(test_format_is_exact_seconds),
    CUTEST_END
};

CUTEST_MAIN({ "simtime", time_cases })
