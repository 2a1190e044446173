/*
 * test-vsw-qos.c -- the exact token buckets of vmswitch/qos.h with time
 * advanced by hand: admission counts at a rate, bursts, exact waiting
 * times, long idle periods, rate changes, and minimum reservations on an
 * oversubscribed link.
 */
#include <config.h>
#include "vmswitch/qos.h"

#include <errno.h>

#include "tests/cutest.h"
#include "vmswitch/alloc.h"

#define MS UINT64_C(1000000)
#define US UINT64_C(1000)
#define SEC UINT64_C(1000000000)

static void
test_qos_bucket_admits_exact_count_at_rate(void)
{
    struct vsw_qos_bucket b;
    unsigned admitted = 0;

    /* 1 Mb/s, burst 1500 B, a 1000-byte frame (8000 bits) offered every
     * millisecond from t = 0 to 999 ms.  The bucket starts with 12000
     * bits and earns 1000 per ms; it never fills up again, so exactly
     * floor((12000 + 999 * 1000) / 8000) = 126 frames pass, leaving
     * 3000 bits = 375 bytes. */
    CU_ASSERT_EQUAL_FATAL(vsw_qos_bucket_init(&b, 1000000, 1500, 0), 0);
    for (uint64_t t = 0; t < 1000; t++) {
        admitted += vsw_qos_bucket_admit(&b, 1000, t * MS);
    }
    CU_ASSERT_EQUAL(admitted, 126);
    CU_ASSERT_EQUAL(vsw_qos_bucket_available_bytes(&b, 999 * MS), 375);
}

static void
test_qos_time_slicing_does_not_change_result(void)
{
    struct vsw_qos_bucket a, b;

    /* 3 b/s earns 3 nanobits per ns: 1 byte takes 8e9/3 ns, not an
     * integer.  Earning in 1-ns steps or in one step gives the same. */
    vsw_qos_bucket_init(&a, 3, 1, 0);
    vsw_qos_bucket_init(&b, 3, 1, 0);
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&a, 1, 0));
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&b, 1, 0));
    CU_ASSERT_EQUAL(vsw_qos_bucket_wait_ns(&a, 1, 0), 2666666667);
    for (uint64_t t = 1; t < 2666666667; t += 1000003) {
        CU_ASSERT_FALSE(vsw_qos_bucket_admit(&a, 1, t));
    }
    CU_ASSERT_FALSE(vsw_qos_bucket_admit(&a, 1, 2666666666));
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&a, 1, 2666666667));
    CU_ASSERT_FALSE(vsw_qos_bucket_conforms(&b, 1, 2666666666));
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&b, 1, 2666666667));
    /* Both earned 8000000001 nanobits, capped at the 1-byte burst, and
     * spent it: both are empty. */
    CU_ASSERT_EQUAL(a.tokens_nb, 0);
    CU_ASSERT_EQUAL(b.tokens_nb, 0);
}

static void
test_qos_burst_admits_back_to_back_then_refills(void)
{
    struct vsw_qos_bucket b;
    unsigned n = 0;

    vsw_qos_bucket_init(&b, 8000000, 10000, 0);   /* 1 byte per us */
    while (vsw_qos_bucket_admit(&b, 1000, 5 * SEC)) {
        n++;
    }
    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT_EQUAL(vsw_qos_bucket_wait_ns(&b, 1000, 5 * SEC), 1000 * US);
    CU_ASSERT_FALSE(vsw_qos_bucket_admit(&b, 1000, 5 * SEC + 999 * US));
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&b, 1000, 5 * SEC + 1000 * US));
    /* A frame bigger than the burst never conforms. */
    CU_ASSERT_FALSE(vsw_qos_bucket_admit(&b, 10001, 100 * SEC));
    CU_ASSERT_EQUAL(vsw_qos_bucket_wait_ns(&b, 10001, 100 * SEC), UINT64_MAX);
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&b, 10000, 100 * SEC));
}

static void
test_qos_long_idle_fills_to_burst_without_overflow(void)
{
    struct vsw_qos_bucket b;

    CU_ASSERT_EQUAL_FATAL(vsw_qos_bucket_init(&b, VSW_QOS_RATE_MAX,
                                              VSW_QOS_BURST_MAX, 0), 0);
    vsw_qos_bucket_charge(&b, VSW_QOS_BURST_MAX, 0);
    vsw_qos_bucket_charge(&b, VSW_QOS_BURST_MAX, 0);    /* max debt */
    CU_ASSERT_EQUAL(vsw_qos_bucket_available_bytes(&b, 0), 0);
    CU_ASSERT_EQUAL(vsw_qos_bucket_available_bytes(&b, UINT64_MAX),
                    VSW_QOS_BURST_MAX);
    /* From max debt, 2 bursts' worth of time is needed, exactly. */
    CU_ASSERT_EQUAL(vsw_qos_bucket_wait_ns(&b, VSW_QOS_BURST_MAX, 0),
                    2 * VSW_QOS_BURST_MAX * 8 * SEC / VSW_QOS_RATE_MAX
                    + (2 * VSW_QOS_BURST_MAX * 8 * SEC % VSW_QOS_RATE_MAX
                       != 0));
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&b, VSW_QOS_BURST_MAX,
                                        UINT64_MAX - 1));
    CU_ASSERT_FALSE(vsw_qos_bucket_admit(&b, 1, UINT64_MAX - 1));
    /* A slow bucket idle for ~584 years is just full. */
    vsw_qos_bucket_init(&b, 1, 1, 0);
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&b, 1, 0));
    CU_ASSERT_EQUAL(vsw_qos_bucket_available_bytes(&b, UINT64_MAX), 1);
    /* Time going backwards earns nothing and does not rewind. */
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&b, 1, UINT64_MAX));
    CU_ASSERT_FALSE(vsw_qos_bucket_admit(&b, 1, 5));
}

static void
test_qos_rate_change_keeps_earned_tokens(void)
{
    struct vsw_qos_bucket b;

    vsw_qos_bucket_init(&b, 1000000, 1000, 0);     /* 1 Mb/s */
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&b, 1000, 0));   /* empty */
    /* 4 ms at 1 Mb/s earn 4000 bits; then 2 Mb/s earns 4000 in 2 ms. */
    CU_ASSERT_EQUAL(vsw_qos_bucket_set(&b, 2000000, 1000, 4 * MS), 0);
    CU_ASSERT_EQUAL(vsw_qos_bucket_available_bytes(&b, 4 * MS), 500);
    CU_ASSERT_FALSE(vsw_qos_bucket_conforms(&b, 1000, 6 * MS - 1));
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&b, 1000, 6 * MS));
    /* A smaller burst clips the tokens. */
    vsw_qos_bucket_init(&b, 1000000, 1000, 0);
    CU_ASSERT_EQUAL(vsw_qos_bucket_set(&b, 1000000, 100, 0), 0);
    CU_ASSERT_EQUAL(vsw_qos_bucket_available_bytes(&b, 0), 100);
    /* Lifting the limit admits everything; limiting again starts full. */
    CU_ASSERT_EQUAL(vsw_qos_bucket_set(&b, 0, 0, 1), 0);
    CU_ASSERT_TRUE(vsw_qos_bucket_admit(&b, 1000000, 1));
    CU_ASSERT_EQUAL(vsw_qos_bucket_available_bytes(&b, 1), UINT64_MAX);
    CU_ASSERT_EQUAL(vsw_qos_bucket_set(&b, 1000000, 1500, 2), 0);
    CU_ASSERT_EQUAL(vsw_qos_bucket_available_bytes(&b, 2), 1500);
    /* Invalid settings change nothing. */
    CU_ASSERT_EQUAL(vsw_qos_bucket_set(&b, 1000, 0, 3), EINVAL);
    CU_ASSERT_EQUAL(vsw_qos_bucket_set(&b, VSW_QOS_RATE_MAX + 1, 10, 3),
                    EINVAL);
    CU_ASSERT_EQUAL(vsw_qos_bucket_set(&b, 1000, VSW_QOS_BURST_MAX + 1, 3),
                    EINVAL);
    CU_ASSERT_EQUAL(b.rate_bps, 1000000);
    CU_ASSERT_EQUAL(vsw_qos_bucket_init(&b, 5, 0, 0), EINVAL);
}

static void
test_qos_default_burst_is_10ms_at_least_one_frame(void)
{
    CU_ASSERT_EQUAL(vsw_qos_default_burst_bytes(1000000), 1518);
    CU_ASSERT_EQUAL(vsw_qos_default_burst_bytes(10000000000), 12500000);
    CU_ASSERT_EQUAL(vsw_qos_default_burst_bytes(1000000001), 1250001);
    CU_ASSERT_EQUAL(vsw_qos_default_burst_bytes(VSW_QOS_RATE_MAX),
                    VSW_QOS_BURST_MAX);
}

/* Offers one 1000-byte frame from each of 'n' members every 'gap' ns for
 * one second, member n-1 first, and counts verdicts per member. */
static void
offer(struct vsw_qos_share *s, unsigned n, uint64_t gap, const bool *active,
      unsigned res[][3])
{
    for (uint64_t t = 0; t < SEC; t += gap) {
        for (unsigned i = n; i-- > 0;) {
            if (active[i]) {
                res[i][vsw_qos_share_admit(s, i, 1000, t)]++;
            }
        }
    }
}

static void
test_qos_reserved_member_always_admitted_on_oversubscribed_link(void)
{
    struct vsw_qos_share *s;
    unsigned res[2][3] = { { 0 } };
    const bool both[2] = { true, true };

    /* 10 Mb/s link; member 0 reserves 4 Mb/s; both offer 10 Mb/s. */
    CU_ASSERT_EQUAL_FATAL(vsw_qos_share_create(10000000, 1500,
                                               VSW_QOS_SHARE_ABSOLUTE, 2, 0,
                                               &s), 0);
    CU_ASSERT_EQUAL(vsw_qos_share_set_member(s, 0, 4000000, 1500, 0), 0);
    offer(s, 2, 800 * US, both, res);
    /* Member 0 gets its 4 Mb/s (500 frames, +1 for the initial burst)
     * within the reservation, whatever member 1 does first. */
    CU_ASSERT(res[0][VSW_QOS_RESERVED] >= 500);
    CU_ASSERT(res[0][VSW_QOS_RESERVED] <= 501);
    /* Together they use the link and no more: 10 Mb/s is 1250 frames,
     * plus at most the link and reservation bursts. */
    {
        unsigned total = res[0][VSW_QOS_RESERVED] + res[0][VSW_QOS_SHARED]
                         + res[1][VSW_QOS_SHARED];
        CU_ASSERT(total >= 1245);
        CU_ASSERT(total <= 1253);
    }
    CU_ASSERT_EQUAL(res[1][VSW_QOS_RESERVED], 0);
    CU_ASSERT(res[1][VSW_QOS_DROPPED] > 0);
    vsw_qos_share_destroy(s);
}

static void
test_qos_idle_reservation_is_used_by_others(void)
{
    struct vsw_qos_share *s;
    unsigned res[2][3] = { { 0 } };
    const bool only1[2] = { false, true };

    vsw_qos_share_create(10000000, 1500, VSW_QOS_SHARE_ABSOLUTE, 2, 0, &s);
    vsw_qos_share_set_member(s, 0, 8000000, 0, 0);
    offer(s, 2, 400 * US, only1, res);         /* member 1 offers 20 Mb/s */
    CU_ASSERT(res[1][VSW_QOS_SHARED] >= 1249);
    CU_ASSERT(res[1][VSW_QOS_SHARED] <= 1252);
    vsw_qos_share_destroy(s);
}

static void
test_qos_weights_split_capacity_and_absolute_sum_is_checked(void)
{
    struct vsw_qos_share *s;

    CU_ASSERT_EQUAL_FATAL(vsw_qos_share_create(1000000000, 0,
                                               VSW_QOS_SHARE_WEIGHT, 3, 0,
                                               &s), 0);
    CU_ASSERT_EQUAL(vsw_qos_share_set_member(s, 0, 1, 0, 0), 0);
    CU_ASSERT_EQUAL(vsw_qos_share_reserved_bps(s, 0), 1000000000);
    CU_ASSERT_EQUAL(vsw_qos_share_set_member(s, 1, 2, 0, 0), 0);
    CU_ASSERT_EQUAL(vsw_qos_share_reserved_bps(s, 0), 333333333);  /* down */
    CU_ASSERT_EQUAL(vsw_qos_share_reserved_bps(s, 1), 666666666);
    CU_ASSERT_EQUAL(vsw_qos_share_reserved_bps(s, 2), 0);
    CU_ASSERT_EQUAL(vsw_qos_share_set_member(s, 2, VSW_QOS_WEIGHT_MAX + 1, 0,
                                             0), EINVAL);
    CU_ASSERT_EQUAL(vsw_qos_share_set_member(s, 3, 1, 0, 0), EINVAL);
    CU_ASSERT_EQUAL(vsw_qos_share_set_member(s, 1, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(vsw_qos_share_reserved_bps(s, 0), 1000000000);
    CU_ASSERT_EQUAL(vsw_qos_share_reserved_bps(s, 1), 0);
    vsw_qos_share_destroy(s);

    vsw_qos_share_create(1000, 0, VSW_QOS_SHARE_ABSOLUTE, 2, 0, &s);
    CU_ASSERT_EQUAL(vsw_qos_share_set_member(s, 0, 600, 0, 0), 0);
    CU_ASSERT_EQUAL(vsw_qos_share_set_member(s, 1, 401, 0, 0), EINVAL);
    CU_ASSERT_EQUAL(vsw_qos_share_reserved_bps(s, 1), 0);
    CU_ASSERT_EQUAL(vsw_qos_share_set_member(s, 1, 400, 0, 0), 0);
    CU_ASSERT_EQUAL(vsw_qos_share_reserved_bps(s, 1), 400);
    vsw_qos_share_destroy(s);
    vsw_qos_share_destroy(NULL);

    vsw_alloc_fail_after(0);
    s = NULL;
    CU_ASSERT_EQUAL(vsw_qos_share_create(1000, 0, VSW_QOS_SHARE_ABSOLUTE, 2,
                                         0, &s), ENOMEM);
    vsw_alloc_fail_reset();
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL(vsw_qos_share_create(0, 0, VSW_QOS_SHARE_ABSOLUTE, 2, 0,
                                         &s), EINVAL);
}

static const struct cutest_case qos_cases[] = {
    CUTEST(test_qos_bucket_admits_exact_count_at_rate),
    CUTEST(test_qos_time_slicing_does_not_change_result),
    CUTEST(test_qos_burst_admits_back_to_back_then_refills),
    CUTEST(test_qos_long_idle_fills_to_burst_without_overflow),
    CUTEST(test_qos_rate_change_keeps_earned_tokens),
    CUTEST(test_qos_default_burst_is_10ms_at_least_one_frame),
    CUTEST(test_qos_reserved_member_always_admitted_on_oversubscribed_link),
    CUTEST(test_qos_idle_reservation_is_used_by_others),
    CUTEST(test_qos_weights_split_capacity_and_absolute_sum_is_checked),
    CUTEST_END
};

CUTEST_MAIN({ "qos", qos_cases })
