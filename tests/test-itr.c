/*
 * test-itr.c -- models/itr.h: fixed and adaptive interrupt moderation
 * intervals, and the e1000e class rules as a table of cases.
 */
#include <config.h>

#include "models/itr.h"
#include "tests/cutest.h"

static void
test_itr_off_has_no_interval_and_fixed_rate_gives_exact_interval(void)
{
    struct itr itr;

    itr_init(&itr, ITR_OFF, 0, false);
    CU_ASSERT_EQUAL(itr_interval(&itr), 0);
    itr_init(&itr, ITR_FIXED, 8000, false);
    CU_ASSERT_EQUAL(itr_interval(&itr), 125000000);       /* 125 us */
    itr_init(&itr, ITR_FIXED, ITR_RATE_MAX, false);
    CU_ASSERT_EQUAL(itr_interval(&itr), 10000000);        /* 10 us */
    itr_fired(&itr);
    CU_ASSERT_EQUAL(itr_interval(&itr), 10000000);        /* unchanged */
}

/* Each row: class before, packets, bytes, class after. */
static void
test_itr_adaptive_classes_follow_the_e1000e_table(void)
{
    static const struct {
        enum itr_class from;
        uint64_t p, b;
        enum itr_class to;
    } rows[] = {
        { ITR_LOWEST_LATENCY, 1, 9000, ITR_BULK_LATENCY },   /* TSO/jumbo */
        { ITR_LOWEST_LATENCY, 4, 600, ITR_LOW_LATENCY },
        { ITR_LOWEST_LATENCY, 5, 600, ITR_LOWEST_LATENCY },
        { ITR_LOWEST_LATENCY, 4, 512, ITR_LOWEST_LATENCY },
        { ITR_LOW_LATENCY, 20, 30000, ITR_BULK_LATENCY },    /* 1500 B each */
        { ITR_LOW_LATENCY, 9, 10800, ITR_BULK_LATENCY },     /* few packets */
        { ITR_LOW_LATENCY, 200, 12800, ITR_LOWEST_LATENCY }, /* many small */
        { ITR_LOW_LATENCY, 20, 12000, ITR_LOW_LATENCY },     /* 600 B, 20 */
        { ITR_LOW_LATENCY, 4, 9000, ITR_BULK_LATENCY },      /* 2250 B each */
        { ITR_LOW_LATENCY, 2, 128, ITR_LOWEST_LATENCY },
        { ITR_LOW_LATENCY, 3, 128, ITR_LOW_LATENCY },
        { ITR_BULK_LATENCY, 40, 60000, ITR_LOW_LATENCY },
        { ITR_BULK_LATENCY, 20, 30000, ITR_BULK_LATENCY },
        { ITR_BULK_LATENCY, 3, 5999, ITR_LOW_LATENCY },
        { ITR_BULK_LATENCY, 3, 6000, ITR_BULK_LATENCY },
        { ITR_BULK_LATENCY, 0, 0, ITR_BULK_LATENCY },        /* no work */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        CU_ASSERT_EQUAL(itr_next_class(rows[i].from, rows[i].p, rows[i].b),
                        rows[i].to);
    }
}

static void
test_itr_adaptive_drops_to_bulk_at_once_and_climbs_by_quarters(void)
{
    struct itr itr;

    itr_init(&itr, ITR_ADAPTIVE, 0, false);
    CU_ASSERT_EQUAL(itr.rate, ITR_RATE_LOW);
    itr_account(&itr, 20, 30000);                   /* bulk traffic */
    itr_fired(&itr);
    CU_ASSERT_EQUAL(itr.rate, ITR_RATE_BULK);
    CU_ASSERT_EQUAL(itr_interval(&itr), 250000000);  /* 250 us */
    itr_account(&itr, 3, 300);                       /* a trickle */
    itr_fired(&itr);
    CU_ASSERT_EQUAL(itr.cls, ITR_LOW_LATENCY);
    CU_ASSERT_EQUAL(itr.rate, 4000 + 5000);          /* + 20000/4 */
    itr_account(&itr, 3, 300);
    itr_fired(&itr);
    CU_ASSERT_EQUAL(itr.rate, 14000);
    itr_account(&itr, 3, 300);
    itr_fired(&itr);
    CU_ASSERT_EQUAL(itr.rate, 19000);
    itr_account(&itr, 3, 300);
    itr_fired(&itr);
    CU_ASSERT_EQUAL(itr.rate, 20000);
    CU_ASSERT_EQUAL(itr.changes, 5);
}

static void
test_itr_conservative_mode_never_uses_the_lowest_class(void)
{
    struct itr plain, cons;

    itr_init(&plain, ITR_ADAPTIVE, 0, false);
    itr_init(&cons, ITR_ADAPTIVE, 0, true);
    for (int i = 0; i < 10; i++) {
        itr_account(&plain, 1, 64);
        itr_account(&cons, 1, 64);
        itr_fired(&plain);
        itr_fired(&cons);
    }
    CU_ASSERT_EQUAL(plain.cls, ITR_LOWEST_LATENCY);
    CU_ASSERT_EQUAL(plain.rate, ITR_RATE_LOWEST);
    CU_ASSERT_EQUAL(cons.cls, ITR_LOW_LATENCY);
    CU_ASSERT_EQUAL(cons.rate, ITR_RATE_LOW);
}

static const struct cutest_case itr_cases[] = {
    CUTEST(test_itr_off_has_no_interval_and_fixed_rate_gives_exact_interval),
    CUTEST(test_itr_adaptive_classes_follow_the_e1000e_table),
    CUTEST(test_itr_adaptive_drops_to_bulk_at_once_and_climbs_by_quarters),
    CUTEST(test_itr_conservative_mode_never_uses_the_lowest_class),
    CUTEST_END
};

CUTEST_MAIN({ "itr", itr_cases })
