/*
 * test-clock.c -- models/clock.h: cycles, work units and time convert
 * exactly, and cutting work by preemption loses nothing.
 */
#include <config.h>

#include <stdint.h>

#include "models/clock.h"
#include "tests/cutest.h"

static void
test_clock_cycles_time_rounds_up_to_whole_picoseconds(void)
{
    /* 2600 MHz: one cycle is 384.615... ps. */
    CU_ASSERT_EQUAL(clock_cycles_time(1, 2600), 385);
    CU_ASSERT_EQUAL(clock_cycles_time(13, 2600), 5000);   /* exactly 5 ns */
    CU_ASSERT_EQUAL(clock_cycles_time(2600, 2600), 1000000);
    CU_ASSERT_EQUAL(clock_cycles_time(1000, 1000), 1000000);
    CU_ASSERT_EQUAL(clock_cycles_time(0, 3000), 0);
    CU_ASSERT_EQUAL(clock_cycles_time(CLOCK_MAX_CYCLES, 1),
                    (sim_time_t)CLOCK_MAX_CYCLES * 1000000);
}

static void
test_clock_time_cycles_rounds_down(void)
{
    CU_ASSERT_EQUAL(clock_time_cycles(384, 2600), 0);
    CU_ASSERT_EQUAL(clock_time_cycles(385, 2600), 1);
    CU_ASSERT_EQUAL(clock_time_cycles(1000000, 2600), 2600);
    CU_ASSERT_EQUAL(clock_time_cycles(SIM_TIME_MAX, CLOCK_MAX_MHZ),
                    (uint64_t)((unsigned __int128)SIM_TIME_MAX
                               * CLOCK_MAX_MHZ / 1000000));
}

/* Cutting a piece of work into slices at arbitrary instants and resuming
 * it finishes exactly when running it in one go would. */
static void
test_clock_preempted_work_finishes_when_uninterrupted_work_would(void)
{
    const uint32_t mhz = 2600;
    const uint64_t cycles = 12345;
    const sim_time_t slices[] = { 1, 999, 385, 7, 1000, 123457 };
    clock_work_t left = clock_work_of_cycles(cycles);
    sim_time_t ran = 0;

    for (size_t i = 0; i < sizeof slices / sizeof slices[0] && left; i++) {
        sim_time_t need = clock_work_time(left, mhz);
        sim_time_t t = slices[i] < need ? slices[i] : need;
        left -= clock_work_in(t, mhz, left);
        ran += t;
    }
    ran += clock_work_time(left, mhz);
    CU_ASSERT_EQUAL(ran, clock_cycles_time(cycles, mhz));
}

static void
test_clock_work_in_never_exceeds_what_was_left(void)
{
    clock_work_t w = clock_work_of_cycles(1);

    /* ceil() makes the completion instant do 1000100 units at 2600 MHz,
     * a little more than the 1000000 there were. */
    CU_ASSERT_EQUAL(clock_work_in(clock_work_time(w, 2600), 2600, w), w);
    CU_ASSERT_EQUAL(clock_work_in(0, 2600, w), 0);
    CU_ASSERT_EQUAL(clock_work_in(100, 2600, w), 260000);
}

static const struct cutest_case clock_cases[] = {
    CUTEST(test_clock_cycles_time_rounds_up_to_whole_picoseconds),
    CUTEST(test_clock_time_cycles_rounds_down),
    CUTEST(test_clock_preempted_work_finishes_when_uninterrupted_work_would),
    CUTEST(test_clock_work_in_never_exceeds_what_was_left),
    CUTEST_END
};

CUTEST_MAIN({ "clock", clock_cases })
