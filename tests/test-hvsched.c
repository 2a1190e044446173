/*
 * test-hvsched.c -- models/hvsched.h: weighted fair sharing by virtual
 * time (equal and unequal weights, exact remainders), affinity, wake-up
 * placement (last LP, lowest idle LP, kicked LPs), sleeper placement
 * against the LP floor, wake-up preemption and its granularity, VP switch
 * detection, the counters, argument checking, and a pseudo-random run on
 * four LPs checked for invariants and determinism.
 *
 * The tests play the integrator: they call pick, stop and wake at
 * instants they choose, in picoseconds, with a slice T of 1 us so that
 * fractions of a slice are whole numbers.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "models/hvsched.h"
#include "tests/cutest.h"

#define T INT64_C(1000000)          /* the slice, ps */
#define NONE HVSCHED_NONE
#define LP(n) (UINT64_C(1) << (n))

static struct hvsched *s;
static struct hvsched_kick handoff;     /* the last pick's kick */

/* --- Helpers: the integrator's calls, asserting they succeed ------------- */

static void
mk(uint32_t n_lps)
{
    s = NULL;
    CU_ASSERT_FATAL(hvsched_create(n_lps, T, &s) == 0);
    CU_ASSERT_FATAL(s != NULL);
}

static void
done(void)
{
    hvsched_destroy(s);
    s = NULL;
}

static uint32_t
add(uint32_t weight, uint64_t mask)
{
    uint32_t id = 12345;

    CU_ASSERT_FATAL(hvsched_add_vp(s, weight, &mask, 1, &id) == 0);
    return id;
}

static uint32_t
pick(uint32_t lp, int64_t now)
{
    uint32_t vp = 777;
    int64_t slice = -1;

    handoff.lp = 888;
    handoff.preempt = true;
    CU_ASSERT_FATAL(hvsched_pick(s, lp, now, &vp, &slice, &handoff) == 0);
    CU_ASSERT_EQUAL(slice, vp == NONE ? 0 : T);
    CU_ASSERT(!handoff.preempt);
    CU_ASSERT(handoff.lp == NONE || handoff.lp < hvsched_n_lps(s));
    if (vp != NONE) {
        CU_ASSERT(hvsched_vp_allowed(s, vp, lp));
        CU_ASSERT_EQUAL(hvsched_vp_state(s, vp), HVSCHED_RUNNING);
        CU_ASSERT_EQUAL(hvsched_vp_lp(s, vp), lp);
        CU_ASSERT_EQUAL(hvsched_lp_vp(s, lp), vp);
    }
    return vp;
}

static void
stop(uint32_t vp, int64_t now, enum hvsched_stop_reason reason)
{
    CU_ASSERT_FATAL(hvsched_stop(s, vp, now, reason) == 0);
}

static struct hvsched_kick
wake(uint32_t vp, int64_t now)
{
    struct hvsched_kick k = { 999, true };

    CU_ASSERT_FATAL(hvsched_wake(s, vp, now, &k) == 0);
    return k;
}

static struct hvsched_vp_stats
vst(uint32_t vp)
{
    struct hvsched_vp_stats st;

    CU_ASSERT_FATAL(hvsched_vp_stats(s, vp, &st) == 0);
    return st;
}

static struct hvsched_lp_stats
lst(uint32_t lp)
{
    struct hvsched_lp_stats st;

    CU_ASSERT_FATAL(hvsched_lp_stats(s, lp, &st) == 0);
    return st;
}

static void
set_preempt(bool on, int64_t granularity)
{
    struct hvsched_options o;

    hvsched_get_options(s, &o);
    o.wake_preempt = on;
    o.wake_granularity = granularity;
    CU_ASSERT_FATAL(hvsched_set_options(s, &o) == 0);
}

/* Runs 'vp' alone on 'lp' for 'n' whole slices from 'from' (picked at
 * from, from+T, ..., stopped at slice ends); it stays runnable. */
static void
run_alone(uint32_t lp, uint32_t vp, int64_t from, int n)
{
    for (int i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(pick(lp, from + i * T), vp);
        stop(vp, from + (i + 1) * T, HVSCHED_STOP_SLICE_END);
    }
}

/* --- Creation and arguments ---------------------------------------------- */

static void
test_create_refuses_bad_sizes_and_sets_default_options(void)
{
    struct hvsched *x = (struct hvsched *)&x;   /* must stay untouched */
    struct hvsched_options o;

    CU_ASSERT_EQUAL(hvsched_create(0, T, &x), EINVAL);
    CU_ASSERT_EQUAL(hvsched_create(HVSCHED_MAX_LPS + 1, T, &x), EINVAL);
    CU_ASSERT_EQUAL(hvsched_create(4, 0, &x), EINVAL);
    CU_ASSERT_EQUAL(hvsched_create(4, -T, &x), EINVAL);
    CU_ASSERT(x == (struct hvsched *)&x);

    CU_ASSERT_EQUAL_FATAL(hvsched_create(HVSCHED_MAX_LPS, T, &x), 0);
    CU_ASSERT_EQUAL(hvsched_n_lps(x), HVSCHED_MAX_LPS);
    hvsched_destroy(x);

    mk(3);
    CU_ASSERT_EQUAL(hvsched_n_lps(s), 3);
    CU_ASSERT_EQUAL(hvsched_n_vps(s), 0);
    CU_ASSERT_EQUAL(hvsched_time_slice_ps(s), T);
    hvsched_get_options(s, &o);
    CU_ASSERT(o.wake_preempt);
    CU_ASSERT_EQUAL(o.wake_granularity, T / 4);
    CU_ASSERT_EQUAL(o.sleeper_credit, T);
    CU_ASSERT(!o.ignore_last_lp);
    for (uint32_t p = 0; p < 3; p++) {
        CU_ASSERT_EQUAL(hvsched_lp_vp(s, p), NONE);
        CU_ASSERT_EQUAL(hvsched_lp_floor(s, p), 0);
    }
    done();
    hvsched_destroy(NULL);
}

static void
test_add_vp_refuses_bad_weight_and_affinity_and_changes_nothing(void)
{
    uint64_t all = LP(0) | LP(1) | LP(2), none = 0, beyond = LP(3);
    uint64_t two[2] = { LP(1), 0 }, two_bad[2] = { LP(1), 1 };
    uint32_t id = 4242;

    mk(3);
    CU_ASSERT_EQUAL(hvsched_add_vp(s, 0, &all, 1, &id), EINVAL);
    CU_ASSERT_EQUAL(hvsched_add_vp(s, HVSCHED_WEIGHT_MAX + 1, &all, 1, &id),
                    EINVAL);
    CU_ASSERT_EQUAL(hvsched_add_vp(s, 100, &none, 1, &id), EINVAL);
    CU_ASSERT_EQUAL(hvsched_add_vp(s, 100, &all, 0, &id), EINVAL);
    CU_ASSERT_EQUAL(hvsched_add_vp(s, 100, NULL, 1, &id), EINVAL);
    CU_ASSERT_EQUAL(hvsched_add_vp(s, 100, &beyond, 1, &id), EINVAL);
    CU_ASSERT_EQUAL(hvsched_add_vp(s, 100, two_bad, 2, &id), EINVAL);
    CU_ASSERT_EQUAL(id, 4242);
    CU_ASSERT_EQUAL(hvsched_n_vps(s), 0);

    /* Ids in creation order; extra zero words and both weight limits are
     * accepted. */
    CU_ASSERT_EQUAL(hvsched_add_vp(s, HVSCHED_WEIGHT_MIN, &all, 1, &id), 0);
    CU_ASSERT_EQUAL(id, 0);
    CU_ASSERT_EQUAL(hvsched_add_vp(s, HVSCHED_WEIGHT_MAX, two, 2, &id), 0);
    CU_ASSERT_EQUAL(id, 1);
    CU_ASSERT_EQUAL(hvsched_add_vp(s, HVSCHED_WEIGHT_DEFAULT, &beyond, 1,
                                   &id), EINVAL);
    CU_ASSERT_EQUAL(id, 1);
    CU_ASSERT_EQUAL(hvsched_n_vps(s), 2);
    CU_ASSERT_EQUAL(hvsched_vp_weight(s, 0), 1);
    CU_ASSERT_EQUAL(hvsched_vp_weight(s, 1), 10000);
    CU_ASSERT(!hvsched_vp_allowed(s, 1, 0));
    CU_ASSERT(hvsched_vp_allowed(s, 1, 1));
    CU_ASSERT(!hvsched_vp_allowed(s, 1, 2));
    CU_ASSERT(!hvsched_vp_allowed(s, 0, 3));    /* no such LP */
    done();
}

static void
test_affinity_beyond_the_first_word_is_honoured(void)
{
    uint64_t mask[2] = { 0, LP(70 - 64) };
    uint64_t bad[2] = { 0, LP(72 - 64) };
    uint32_t id;

    mk(72);
    CU_ASSERT_EQUAL(hvsched_add_vp(s, 100, bad, 2, &id), EINVAL);
    CU_ASSERT_EQUAL_FATAL(hvsched_add_vp(s, 100, mask, 2, &id), 0);
    CU_ASSERT(hvsched_vp_allowed(s, id, 70));
    CU_ASSERT(!hvsched_vp_allowed(s, id, 6));
    CU_ASSERT_EQUAL(wake(id, 0).lp, 70);
    CU_ASSERT_EQUAL(pick(6, 0), NONE);
    CU_ASSERT_EQUAL(pick(70, 0), id);
    done();
}

static void
test_vps_start_blocked_fresh_at_virtual_time_zero(void)
{
    struct hvsched_vp_stats st;
    uint32_t a;

    mk(2);
    a = add(100, LP(0) | LP(1));
    CU_ASSERT_EQUAL(hvsched_vp_state(s, a), HVSCHED_BLOCKED);
    CU_ASSERT(hvsched_vp_fresh(s, a));
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, a), 0);
    CU_ASSERT_EQUAL(hvsched_vp_lp(s, a), NONE);
    CU_ASSERT_EQUAL(hvsched_vp_last_lp(s, a), NONE);
    st = vst(a);
    CU_ASSERT_EQUAL(st.run_ps, 0);
    CU_ASSERT_EQUAL(st.picks, 0);
    CU_ASSERT_EQUAL(st.wakeups, 0);
    /* A blocked VP is never picked. */
    CU_ASSERT_EQUAL(pick(0, 0), NONE);
    CU_ASSERT_EQUAL(lst(0).empty_picks, 1);
    done();
}

static void
test_calls_refuse_unknown_ids_busy_lp_and_time_going_back(void)
{
    struct hvsched_kick k;
    struct hvsched_options o;
    struct hvsched_vp_stats vs;
    struct hvsched_lp_stats ls;
    uint32_t a, b, vp = 5;
    int64_t slice = 5;

    mk(2);
    a = add(100, LP(0) | LP(1));
    b = add(100, LP(0) | LP(1));
    CU_ASSERT_EQUAL(hvsched_wake(s, 2, 0, &k), EINVAL);
    CU_ASSERT_EQUAL(hvsched_wake(s, a, -1, &k), EINVAL);
    CU_ASSERT_EQUAL(hvsched_pick(s, 2, 0, &vp, &slice, &k), EINVAL);
    CU_ASSERT_EQUAL(vp, 5);
    CU_ASSERT_EQUAL(hvsched_stop(s, 7, 0, HVSCHED_STOP_BLOCKED), EINVAL);
    CU_ASSERT_EQUAL(hvsched_stop(s, a, 0, HVSCHED_STOP_BLOCKED), EINVAL);
    CU_ASSERT_EQUAL(vst(a).blocks, 0);

    wake(a, 100);
    CU_ASSERT_EQUAL(pick(0, 100), a);
    /* Busy LP, unknown reason, time before the last call. */
    CU_ASSERT_EQUAL(hvsched_pick(s, 0, 200, &vp, &slice, &k), EBUSY);
    CU_ASSERT_EQUAL(hvsched_stop(s, a, 200, (enum hvsched_stop_reason)7),
                    EINVAL);
    CU_ASSERT_EQUAL(hvsched_stop(s, a, 99, HVSCHED_STOP_BLOCKED), EINVAL);
    CU_ASSERT_EQUAL(hvsched_wake(s, b, 99, &k), EINVAL);
    CU_ASSERT_EQUAL(hvsched_pick(s, 1, 99, &vp, &slice, &k), EINVAL);
    CU_ASSERT_EQUAL(hvsched_vp_state(s, a), HVSCHED_RUNNING);
    CU_ASSERT_EQUAL(hvsched_vp_state(s, b), HVSCHED_BLOCKED);
    CU_ASSERT_EQUAL(vst(b).wakeups, 0);
    /* A runnable VP that is not running cannot be stopped. */
    wake(b, 150);
    CU_ASSERT_EQUAL(hvsched_stop(s, b, 150, HVSCHED_STOP_PREEMPTED), EINVAL);
    stop(a, 300, HVSCHED_STOP_BLOCKED);
    CU_ASSERT_EQUAL(vst(a).run_ps, 200);

    hvsched_get_options(s, &o);
    o.wake_granularity = -1;
    CU_ASSERT_EQUAL(hvsched_set_options(s, &o), EINVAL);
    o.wake_granularity = 0;
    o.sleeper_credit = -1;
    CU_ASSERT_EQUAL(hvsched_set_options(s, &o), EINVAL);
    hvsched_get_options(s, &o);
    CU_ASSERT_EQUAL(o.wake_granularity, T / 4);
    CU_ASSERT_EQUAL(o.sleeper_credit, T);

    CU_ASSERT_EQUAL(hvsched_vp_stats(s, 2, &vs), EINVAL);
    CU_ASSERT_EQUAL(hvsched_lp_stats(s, 2, &ls), EINVAL);
    CU_ASSERT_STRING_EQUAL(hvsched_stop_reason_name(HVSCHED_STOP_BLOCKED),
                           "blocked");
    CU_ASSERT_STRING_EQUAL(hvsched_stop_reason_name(HVSCHED_STOP_PREEMPTED),
                           "preempted");
    CU_ASSERT_STRING_EQUAL(hvsched_stop_reason_name(HVSCHED_STOP_SLICE_END),
                           "slice_end");
    done();
}

/* --- Fair sharing -------------------------------------------------------- */

static void
test_equal_weights_alternate_every_slice_with_equal_run_time(void)
{
    struct hvsched_vp_stats sa, sb;
    uint32_t a, b;

    mk(1);
    a = add(100, LP(0));
    b = add(100, LP(0));
    CU_ASSERT_EQUAL(wake(a, 0).lp, 0);
    CU_ASSERT_EQUAL(wake(b, 0).lp, NONE);       /* LP 0 already kicked */
    for (int i = 0; i < 100; i++) {
        uint32_t v = pick(0, i * T);
        CU_ASSERT_EQUAL(v, i % 2 == 0 ? a : b);
        CU_ASSERT(hvsched_is_switch(s, 0, v));
        stop(v, (i + 1) * T, HVSCHED_STOP_SLICE_END);
    }
    sa = vst(a);
    sb = vst(b);
    CU_ASSERT_EQUAL(sa.run_ps, 50 * T);
    CU_ASSERT_EQUAL(sb.run_ps, 50 * T);
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, a), 50 * T);
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, b), 50 * T);
    CU_ASSERT_EQUAL(sa.picks, 50);
    CU_ASSERT_EQUAL(sa.switches_in, 50);
    CU_ASSERT_EQUAL(sa.slice_ends, 50);
    CU_ASSERT_EQUAL(sa.wakeups, 1);
    /* a waited T before each pick but the first, b before every pick. */
    CU_ASSERT_EQUAL(sa.wait_ps, 49 * T);
    CU_ASSERT_EQUAL(sb.wait_ps, 50 * T);
    CU_ASSERT_EQUAL(sa.wait_max_ps, T);
    CU_ASSERT_EQUAL(sb.wait_max_ps, T);
    CU_ASSERT_EQUAL(lst(0).switches, 100);
    CU_ASSERT_EQUAL(lst(0).picks, 100);
    done();
}

static void
test_weights_200_to_100_give_two_to_one_run_time(void)
{
    int64_t run_a = 0, run_b = 0;
    int in_row_b = 0;
    uint32_t a, b;

    mk(1);
    a = add(200, LP(0));
    b = add(100, LP(0));
    wake(a, 0);
    wake(b, 0);
    for (int i = 0; i < 300; i++) {
        uint32_t v = pick(0, i * T);
        stop(v, (i + 1) * T, HVSCHED_STOP_SLICE_END);
        if (v == a) {
            run_a += T;
            in_row_b = 0;
        } else {
            run_b += T;
            CU_ASSERT(++in_row_b == 1);         /* b never twice in a row */
        }
        /* Within one slice of the exact 2:1 split at every step. */
        CU_ASSERT(run_a - 2 * run_b <= 2 * T && 2 * run_b - run_a <= 2 * T);
    }
    CU_ASSERT_EQUAL(vst(a).run_ps, 200 * T);
    CU_ASSERT_EQUAL(vst(b).run_ps, 100 * T);
    CU_ASSERT_EQUAL(run_a, 200 * T);
    /* Weight 200 ages half as fast: equal virtual times at the end. */
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, a), 100 * T);
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, b), 100 * T);
    done();
}

static void
test_three_weights_share_in_proportion(void)
{
    uint32_t v[3];
    static const uint32_t w[3] = { 300, 200, 100 };

    mk(1);
    for (int i = 0; i < 3; i++) {
        v[i] = add(w[i], LP(0));
        wake(v[i], 0);
    }
    for (int i = 0; i < 600; i++) {
        stop(pick(0, i * T), (i + 1) * T, HVSCHED_STOP_SLICE_END);
    }
    CU_ASSERT_EQUAL(vst(v[0]).run_ps, 300 * T);
    CU_ASSERT_EQUAL(vst(v[1]).run_ps, 200 * T);
    CU_ASSERT_EQUAL(vst(v[2]).run_ps, 100 * T);
    done();
}

static void
test_virtual_time_is_exact_across_many_short_runs(void)
{
    uint32_t v;
    int64_t t = 0;

    mk(1);
    v = add(3, LP(0));                  /* 100 / 3 units per ps */
    wake(v, 0);
    for (int i = 1; i <= 300; i++) {
        CU_ASSERT_EQUAL(pick(0, t), v);
        t += 1;
        stop(v, t, HVSCHED_STOP_SLICE_END);
        if (i == 1) {
            CU_ASSERT_EQUAL(hvsched_vp_vtime(s, v), 33);
        } else if (i == 2) {
            CU_ASSERT_EQUAL(hvsched_vp_vtime(s, v), 66);
        } else if (i == 3) {
            CU_ASSERT_EQUAL(hvsched_vp_vtime(s, v), 100);
        }
    }
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, v), 10000);
    CU_ASSERT_EQUAL(vst(v).run_ps, 300);
    done();
}

static void
test_lone_vp_is_picked_again_at_slice_end_without_a_switch(void)
{
    uint32_t v;

    mk(1);
    v = add(100, LP(0));
    wake(v, 0);
    run_alone(0, v, 0, 5);
    CU_ASSERT_EQUAL(vst(v).picks, 5);
    CU_ASSERT_EQUAL(vst(v).switches_in, 1);
    CU_ASSERT_EQUAL(vst(v).wait_ps, 0);
    CU_ASSERT_EQUAL(lst(0).switches, 1);
    CU_ASSERT(!hvsched_is_switch(s, 0, v));
    done();
}

/* --- Affinity and wake-up placement -------------------------------------- */

static void
test_vp_is_never_picked_on_a_forbidden_lp(void)
{
    /* v0 {0}, v1 {0,1}, v2 {2,3}, v3 {all}, v4 {3}, v5 {1} weight 300. */
    static const uint64_t masks[6] = {
        LP(0), LP(0) | LP(1), LP(2) | LP(3), 0xF, LP(3), LP(1),
    };
    static const uint32_t weights[6] = { 100, 100, 100, 100, 100, 300 };
    uint64_t seen[6] = { 0 };
    uint32_t v[6];

    mk(4);
    for (int i = 0; i < 6; i++) {
        v[i] = add(weights[i], masks[i]);
        wake(v[i], 0);
    }
    for (int round = 0; round < 200; round++) {
        uint32_t running[4];
        for (uint32_t p = 0; p < 4; p++) {
            running[p] = pick(p, round * T);
            CU_ASSERT_FATAL(running[p] != NONE);
            CU_ASSERT(masks[running[p]] & LP(p));
            seen[running[p]] |= LP(p);
        }
        for (uint32_t p = 0; p < 4; p++) {
            stop(running[p], (round + 1) * T, HVSCHED_STOP_SLICE_END);
        }
    }
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(seen[i] & ~masks[i], 0);
        CU_ASSERT(vst(v[i]).run_ps > 0);       /* and nobody starves */
    }
    CU_ASSERT_EQUAL(seen[0], LP(0));
    CU_ASSERT_EQUAL(seen[4], LP(3));
    done();

    /* An LP none of the runnable VPs may use stays idle. */
    mk(3);
    v[0] = add(100, LP(2));
    wake(v[0], 0);
    CU_ASSERT_EQUAL(pick(0, 0), NONE);
    CU_ASSERT_EQUAL(pick(1, 0), NONE);
    CU_ASSERT_EQUAL(hvsched_vp_state(s, v[0]), HVSCHED_RUNNABLE);
    CU_ASSERT_EQUAL(pick(2, 0), v[0]);
    CU_ASSERT_EQUAL(lst(0).empty_picks, 1);
    CU_ASSERT_EQUAL(lst(1).empty_picks, 1);
    done();
}

static void
test_wake_kicks_last_lp_if_idle_else_lowest_idle_allowed_lp(void)
{
    struct hvsched_options o;
    struct hvsched_kick k;
    uint32_t v, w;

    mk(4);
    v = add(100, LP(1) | LP(2) | LP(3));        /* never LP 0 */
    w = add(100, LP(1));

    /* Never ran: the lowest idle allowed LP, though LP 0 is idle too. */
    k = wake(v, 0);
    CU_ASSERT_EQUAL(k.lp, 1);
    CU_ASSERT(!k.preempt);
    CU_ASSERT_EQUAL(lst(1).kicks, 1);
    /* The integrator may run it elsewhere; the kicked LP then finds
     * nothing, and its kick is spent. */
    CU_ASSERT_EQUAL(pick(3, 0), v);
    CU_ASSERT_EQUAL(pick(1, 0), NONE);
    stop(v, 10, HVSCHED_STOP_BLOCKED);
    CU_ASSERT_EQUAL(hvsched_vp_last_lp(s, v), 3);

    /* The last LP is idle: it is preferred (cache affinity). */
    k = wake(v, 20);
    CU_ASSERT_EQUAL(k.lp, 3);
    CU_ASSERT(!k.preempt);
    CU_ASSERT_EQUAL(pick(3, 20), v);
    stop(v, 30, HVSCHED_STOP_BLOCKED);

    /* Unless the preference is off. */
    hvsched_get_options(s, &o);
    o.ignore_last_lp = true;
    CU_ASSERT_EQUAL_FATAL(hvsched_set_options(s, &o), 0);
    CU_ASSERT_EQUAL(wake(v, 40).lp, 1);
    CU_ASSERT_EQUAL(pick(1, 40), v);
    stop(v, 50, HVSCHED_STOP_BLOCKED);
    o.ignore_last_lp = false;
    CU_ASSERT_EQUAL_FATAL(hvsched_set_options(s, &o), 0);

    /* The last LP (1) is busy: the lowest idle allowed LP instead, and an
     * idle LP wins over preempting the last one. */
    CU_ASSERT_EQUAL(wake(w, 60).lp, 1);
    CU_ASSERT_EQUAL(pick(1, 60), w);
    k = wake(v, 70);
    CU_ASSERT_EQUAL(k.lp, 2);
    CU_ASSERT(!k.preempt);
    CU_ASSERT_EQUAL(lst(0).kicks, 0);
    CU_ASSERT_EQUAL(lst(1).preempt_kicks, 0);
    done();
}

static void
test_simultaneous_wakes_spread_over_idle_lps(void)
{
    struct hvsched_kick k;
    uint32_t a, b, c;

    mk(2);
    a = add(100, LP(0) | LP(1));
    b = add(100, LP(0) | LP(1));
    c = add(100, LP(0) | LP(1));
    CU_ASSERT_EQUAL(wake(a, 0).lp, 0);
    CU_ASSERT_EQUAL(wake(b, 0).lp, 1);
    k = wake(c, 0);                         /* both LPs already kicked */
    CU_ASSERT_EQUAL(k.lp, NONE);
    CU_ASSERT(!k.preempt);
    CU_ASSERT_EQUAL(pick(0, 0), a);         /* all equal: lowest id */
    CU_ASSERT_EQUAL(pick(1, 0), b);
    CU_ASSERT_EQUAL(hvsched_vp_state(s, c), HVSCHED_RUNNABLE);
    CU_ASSERT_EQUAL(lst(0).kicks, 1);
    CU_ASSERT_EQUAL(lst(1).kicks, 1);
    /* At the slice end c gets an LP and waited exactly one slice. */
    stop(a, T, HVSCHED_STOP_SLICE_END);
    CU_ASSERT_EQUAL(pick(0, T), c);
    CU_ASSERT_EQUAL(vst(c).wait_ps, T);
    done();
}

static void
test_vp_left_waiting_by_a_pick_is_handed_to_an_idle_lp(void)
{
    struct hvsched_kick k;
    uint32_t a, b;

    mk(2);
    a = add(100, LP(0) | LP(1));
    b = add(100, LP(0));                    /* only LP 0 */
    wake(a, 0);
    run_alone(0, a, 0, 10);                 /* LP 1 idles: nothing waits */
    CU_ASSERT_EQUAL(lst(1).kicks, 0);
    CU_ASSERT_EQUAL(pick(0, 10 * T), a);
    CU_ASSERT_EQUAL(handoff.lp, NONE);
    k = wake(b, 10 * T + T / 2);
    CU_ASSERT_EQUAL(k.lp, 0);               /* LP 1 idles, but b can't */
    CU_ASSERT(k.preempt);
    stop(a, 10 * T + T / 2, HVSCHED_STOP_PREEMPTED);
    CU_ASSERT_EQUAL(pick(0, 10 * T + T / 2), b);
    CU_ASSERT_EQUAL(handoff.lp, 1);         /* a may run on idle LP 1 */
    CU_ASSERT_EQUAL(lst(1).kicks, 1);
    CU_ASSERT_EQUAL(pick(1, 10 * T + T / 2), a);
    CU_ASSERT_EQUAL(handoff.lp, NONE);
    CU_ASSERT_EQUAL(vst(a).wait_ps, 0);
    done();
}

static void
test_wake_of_runnable_or_running_vp_changes_nothing(void)
{
    struct hvsched_kick k;
    uint32_t a, b;

    mk(1);
    a = add(100, LP(0));
    b = add(100, LP(0));
    wake(a, 0);
    wake(b, 0);
    CU_ASSERT_EQUAL(pick(0, 0), a);
    k = wake(a, T / 2);
    CU_ASSERT_EQUAL(k.lp, NONE);
    CU_ASSERT(!k.preempt);
    k = wake(b, T / 2);
    CU_ASSERT_EQUAL(k.lp, NONE);
    CU_ASSERT_EQUAL(vst(a).wakeups, 1);
    CU_ASSERT_EQUAL(vst(b).wakeups, 1);
    CU_ASSERT_EQUAL(hvsched_vp_state(s, a), HVSCHED_RUNNING);
    CU_ASSERT_EQUAL(hvsched_vp_state(s, b), HVSCHED_RUNNABLE);
    /* b's wait still counts from its real wake, not the repeated one. */
    stop(a, T, HVSCHED_STOP_SLICE_END);
    CU_ASSERT_EQUAL(pick(0, T), b);
    CU_ASSERT_EQUAL(vst(b).wait_ps, T);
    done();
}

/* --- Sleepers ------------------------------------------------------------ */

static void
test_long_sleeper_gets_one_slice_then_alternates(void)
{
    uint32_t h, z;

    mk(1);
    set_preempt(false, 0);
    h = add(100, LP(0));
    z = add(100, LP(0));
    wake(h, 0);
    run_alone(0, h, 0, 99);
    CU_ASSERT_EQUAL(pick(0, 99 * T), h);
    /* The sleeper wakes after 99.5 slices of h running alone. */
    CU_ASSERT_EQUAL(wake(z, 99 * T + T / 2).lp, NONE);
    stop(h, 100 * T, HVSCHED_STOP_SLICE_END);
    CU_ASSERT_EQUAL(hvsched_lp_floor(s, 0), 100 * T);
    /* Placed one credit (T) behind the floor, not at its own 0. */
    CU_ASSERT_EQUAL(pick(0, 100 * T), z);
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, z), 99 * T);
    CU_ASSERT(!hvsched_vp_fresh(s, z));
    CU_ASSERT_EQUAL(vst(z).wait_ps, T / 2);
    stop(z, 101 * T, HVSCHED_STOP_SLICE_END);
    for (int i = 1; i < 20; i++) {
        uint32_t v = pick(0, (100 + i) * T);
        CU_ASSERT_EQUAL(v, i % 2 == 1 ? h : z);
        stop(v, (101 + i) * T, HVSCHED_STOP_SLICE_END);
    }
    CU_ASSERT_EQUAL(vst(h).run_ps, 110 * T);
    CU_ASSERT_EQUAL(vst(z).run_ps, 10 * T);
    done();
}

static void
test_sleeper_with_unbounded_credit_runs_alone_until_caught_up(void)
{
    struct hvsched_options o;
    uint32_t h, z;

    /* The same run without the clamp: this is what the floor prevents. */
    mk(1);
    set_preempt(false, 0);
    hvsched_get_options(s, &o);
    o.sleeper_credit = INT64_MAX;
    CU_ASSERT_EQUAL_FATAL(hvsched_set_options(s, &o), 0);
    h = add(100, LP(0));
    z = add(100, LP(0));
    wake(h, 0);
    run_alone(0, h, 0, 100);
    wake(z, 100 * T);
    for (int i = 0; i < 100; i++) {
        CU_ASSERT_EQUAL(pick(0, (100 + i) * T), z);
        stop(z, (101 + i) * T, HVSCHED_STOP_SLICE_END);
    }
    CU_ASSERT_EQUAL(pick(0, 200 * T), h);       /* tie at 100 T: lower id */
    done();
}

static void
test_floor_outlives_an_idle_period(void)
{
    uint32_t h, z;

    mk(1);
    set_preempt(false, 0);
    h = add(100, LP(0));
    z = add(100, LP(0));
    wake(h, 0);
    run_alone(0, h, 0, 49);
    CU_ASSERT_EQUAL(pick(0, 49 * T), h);
    stop(h, 50 * T, HVSCHED_STOP_BLOCKED);
    /* Nobody runs for a long time; the floor keeps h's time. */
    CU_ASSERT_EQUAL(hvsched_lp_floor(s, 0), 50 * T);
    CU_ASSERT_EQUAL(wake(z, 1000 * T).lp, 0);
    CU_ASSERT_EQUAL(pick(0, 1000 * T), z);
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, z), 49 * T);
    CU_ASSERT_EQUAL(wake(h, 1000 * T + T / 2).lp, NONE);
    stop(z, 1001 * T, HVSCHED_STOP_SLICE_END);
    /* Both at 50 T: h (lower id) runs after z's single slice. */
    CU_ASSERT_EQUAL(pick(0, 1001 * T), h);
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, h), 50 * T);
    done();
}

static void
test_idle_lp_places_a_sleeper_against_the_vps_waiting_for_it(void)
{
    uint32_t a, b, c;

    /* LP 1 never ran (floor 0) when a, preempted on LP 0 at vt 10.5 T, and
     * the sleeper c (vt 0, allowed on LP 1 only) both wait for it. */
    mk(2);
    a = add(100, LP(0) | LP(1));
    b = add(100, LP(0));
    c = add(100, LP(1));
    wake(a, 0);
    run_alone(0, a, 0, 10);
    CU_ASSERT_EQUAL(pick(0, 10 * T), a);
    CU_ASSERT(wake(b, 10 * T + T / 2).preempt);
    stop(a, 10 * T + T / 2, HVSCHED_STOP_PREEMPTED);
    CU_ASSERT_EQUAL(pick(0, 10 * T + T / 2), b);
    CU_ASSERT_EQUAL(handoff.lp, 1);
    CU_ASSERT_EQUAL(wake(c, 10 * T + T / 2).lp, NONE);     /* LP 1 kicked */
    CU_ASSERT_EQUAL(hvsched_lp_floor(s, 1), 0);
    /* The pick first learns a's time: c is placed one credit behind it,
     * runs one slice, and a follows. */
    CU_ASSERT_EQUAL(pick(1, 10 * T + T / 2), c);
    CU_ASSERT_EQUAL(hvsched_lp_floor(s, 1), 10 * T + T / 2);
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, c), 9 * T + T / 2);
    stop(c, 11 * T + T / 2, HVSCHED_STOP_SLICE_END);
    CU_ASSERT_EQUAL(pick(1, 11 * T + T / 2), a);
    done();
}

static void
test_vp_added_during_a_run_starts_near_the_floor(void)
{
    uint32_t h, late;

    mk(1);
    set_preempt(false, 0);
    h = add(100, LP(0));
    wake(h, 0);
    run_alone(0, h, 0, 10);
    late = add(100, LP(0));
    CU_ASSERT_EQUAL(wake(late, 10 * T).lp, 0);
    CU_ASSERT_EQUAL(pick(0, 10 * T), late);
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, late), 9 * T);
    stop(late, 11 * T, HVSCHED_STOP_SLICE_END);
    CU_ASSERT_EQUAL(pick(0, 11 * T), h);
    done();
}

/* --- Wake-up preemption -------------------------------------------------- */

/* One LP: h runs ten slices and is picked again at 10 T (vt 10 T, floor
 * 10 T); i (never ran, vt 0) wakes at 10.5 T, when h's vt is 10.5 T and
 * i's effective vt 9 T: a lead of 1.5 T.  Returns the kick. */
static struct hvsched_kick
hog_then_wake(bool preempt, int64_t granularity, uint32_t *h, uint32_t *i)
{
    mk(1);
    set_preempt(preempt, granularity);
    *h = add(100, LP(0));
    *i = add(100, LP(0));
    wake(*h, 0);
    run_alone(0, *h, 0, 10);
    CU_ASSERT_EQUAL(pick(0, 10 * T), *h);
    return wake(*i, 10 * T + T / 2);
}

static void
test_woken_vp_preempts_when_ahead_by_more_than_granularity(void)
{
    struct hvsched_kick k;
    uint32_t h, i;

    k = hog_then_wake(true, T / 4, &h, &i);
    CU_ASSERT_EQUAL(k.lp, 0);
    CU_ASSERT(k.preempt);
    CU_ASSERT_EQUAL(lst(0).preempt_kicks, 1);
    stop(h, 10 * T + T / 2, HVSCHED_STOP_PREEMPTED);
    CU_ASSERT_EQUAL(pick(0, 10 * T + T / 2), i);
    CU_ASSERT_EQUAL(vst(i).wait_ps, 0);
    CU_ASSERT_EQUAL(vst(h).preemptions, 1);
    CU_ASSERT_EQUAL(hvsched_vp_state(s, h), HVSCHED_RUNNABLE);
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, h), 10 * T + T / 2);
    done();
}

static void
test_wake_preemption_needs_a_lead_strictly_above_granularity(void)
{
    struct hvsched_kick k;
    uint32_t h, i;

    k = hog_then_wake(true, T + T / 2, &h, &i);     /* lead == gran */
    CU_ASSERT_EQUAL(k.lp, NONE);
    CU_ASSERT(!k.preempt);
    CU_ASSERT_EQUAL(lst(0).preempt_kicks, 0);
    done();
    k = hog_then_wake(true, T + T / 2 - 1, &h, &i);
    CU_ASSERT_EQUAL(k.lp, 0);
    CU_ASSERT(k.preempt);
    done();
}

static void
test_without_wake_preemption_woken_vp_waits_for_the_slice_end(void)
{
    struct hvsched_kick k;
    uint32_t h, i;

    k = hog_then_wake(false, 0, &h, &i);
    CU_ASSERT_EQUAL(k.lp, NONE);
    CU_ASSERT(!k.preempt);
    stop(h, 11 * T, HVSCHED_STOP_SLICE_END);
    CU_ASSERT_EQUAL(pick(0, 11 * T), i);
    CU_ASSERT_EQUAL(hvsched_vp_vtime(s, i), 10 * T);
    CU_ASSERT_EQUAL(vst(i).wait_ps, T / 2);
    CU_ASSERT_EQUAL(vst(i).wait_max_ps, T / 2);
    CU_ASSERT_EQUAL(vst(h).preemptions, 0);
    done();
}

static void
test_io_vp_preempts_a_hog_at_every_wake_and_never_waits(void)
{
    struct hvsched_vp_stats sh, si;
    struct hvsched_lp_stats sl;
    uint32_t h, i;
    int64_t t = 10 * T;

    /* h runs 10 slices, then i wakes every T/2 (a quarter slice into each
     * period), runs T/20 and halts again. */
    mk(1);
    h = add(100, LP(0));
    i = add(100, LP(0));
    wake(h, 0);
    run_alone(0, h, 0, 10);
    CU_ASSERT_EQUAL(pick(0, t), h);
    for (int c = 0; c < 10; c++) {
        int64_t w = t + T / 4;
        struct hvsched_kick k = wake(i, w);
        CU_ASSERT_EQUAL(k.lp, 0);
        CU_ASSERT(k.preempt);
        stop(h, w, HVSCHED_STOP_PREEMPTED);
        CU_ASSERT_EQUAL(pick(0, w), i);
        CU_ASSERT(hvsched_is_switch(s, 0, i));
        stop(i, w + T / 20, HVSCHED_STOP_BLOCKED);
        CU_ASSERT_EQUAL(pick(0, w + T / 20), h);
        t += T / 2;
    }
    sh = vst(h);
    si = vst(i);
    sl = lst(0);
    CU_ASSERT_EQUAL(si.wait_ps, 0);
    CU_ASSERT_EQUAL(si.wait_max_ps, 0);
    CU_ASSERT_EQUAL(si.wakeups, 10);
    CU_ASSERT_EQUAL(si.picks, 10);
    CU_ASSERT_EQUAL(si.switches_in, 10);
    CU_ASSERT_EQUAL(si.blocks, 10);
    CU_ASSERT_EQUAL(si.run_ps, 10 * (T / 20));
    CU_ASSERT_EQUAL(sh.preemptions, 10);
    CU_ASSERT_EQUAL(sh.slice_ends, 10);
    CU_ASSERT_EQUAL(sh.picks, 21);
    CU_ASSERT_EQUAL(sh.switches_in, 11);
    CU_ASSERT_EQUAL(sh.wait_ps, 10 * (T / 20));
    CU_ASSERT_EQUAL(sh.wait_max_ps, T / 20);
    /* h is still running: its last stretch is not counted yet. */
    CU_ASSERT_EQUAL(sh.run_ps, 10 * T + T / 4 + 9 * (T / 2 - T / 20));
    CU_ASSERT_EQUAL(sl.picks, 31);
    CU_ASSERT_EQUAL(sl.switches, 21);
    CU_ASSERT_EQUAL(sl.kicks, 1);
    CU_ASSERT_EQUAL(sl.preempt_kicks, 10);
    CU_ASSERT_EQUAL(sl.empty_picks, 0);
    done();
}

/* Two LPs: h0 (weight 100, LP 0) and h1 (weight 50, LP 1) each run four
 * slices and are picked again at 4 T (floors 4 T and 8 T); i, allowed on
 * both, wakes at 4.5 T.  Leads: LP 0 4.5 T - 3 T = 1.5 T, LP 1 9 T - 7 T =
 * 2 T.  With 'ran_on_lp0' i first ran (for 0 ps) on LP 0 at time 0. */
static struct hvsched_kick
two_hogs_then_wake(bool ran_on_lp0, bool ignore_last)
{
    struct hvsched_options o;
    uint32_t h0, h1, i;

    mk(2);
    hvsched_get_options(s, &o);
    o.ignore_last_lp = ignore_last;
    CU_ASSERT_FATAL(hvsched_set_options(s, &o) == 0);
    h0 = add(100, LP(0));
    h1 = add(50, LP(1));
    i = add(100, LP(0) | LP(1));
    if (ran_on_lp0) {
        CU_ASSERT_EQUAL(wake(i, 0).lp, 0);
        CU_ASSERT_EQUAL(pick(0, 0), i);
        stop(i, 0, HVSCHED_STOP_BLOCKED);
    }
    CU_ASSERT_EQUAL(wake(h0, 0).lp, 0);
    CU_ASSERT_EQUAL(wake(h1, 0).lp, 1);
    for (int n = 0; n <= 4; n++) {
        CU_ASSERT_EQUAL(pick(0, n * T), h0);
        CU_ASSERT_EQUAL(pick(1, n * T), h1);
        if (n < 4) {
            stop(h0, (n + 1) * T, HVSCHED_STOP_SLICE_END);
            stop(h1, (n + 1) * T, HVSCHED_STOP_SLICE_END);
        }
    }
    CU_ASSERT_EQUAL(hvsched_lp_floor(s, 0), 4 * T);
    CU_ASSERT_EQUAL(hvsched_lp_floor(s, 1), 8 * T);
    return wake(i, 4 * T + T / 2);
}

static void
test_wake_preempts_last_lp_if_it_qualifies_else_the_largest_lead(void)
{
    struct hvsched_kick k;

    k = two_hogs_then_wake(false, false);       /* never ran: largest lead */
    CU_ASSERT_EQUAL(k.lp, 1);
    CU_ASSERT(k.preempt);
    done();
    k = two_hogs_then_wake(true, false);        /* last LP qualifies */
    CU_ASSERT_EQUAL(k.lp, 0);
    CU_ASSERT(k.preempt);
    done();
    k = two_hogs_then_wake(true, true);         /* preference off */
    CU_ASSERT_EQUAL(k.lp, 1);
    CU_ASSERT(k.preempt);
    done();
}

static void
test_lp_asked_to_preempt_is_not_asked_again_before_it_picks(void)
{
    struct hvsched_kick k;
    uint32_t h, i, j;

    k = hog_then_wake(true, T / 4, &h, &i);
    CU_ASSERT(k.preempt);
    j = add(100, LP(0));
    k = wake(j, 10 * T + T / 2);
    CU_ASSERT_EQUAL(k.lp, NONE);
    CU_ASSERT_EQUAL(lst(0).preempt_kicks, 1);
    stop(h, 10 * T + T / 2, HVSCHED_STOP_PREEMPTED);
    /* Both fresh, both placed at floor - credit: the lower id first. */
    CU_ASSERT_EQUAL(pick(0, 10 * T + T / 2), i);
    CU_ASSERT_EQUAL(hvsched_vp_state(s, j), HVSCHED_RUNNABLE);
    done();
}

/* --- VP switches and counters -------------------------------------------- */

static void
test_is_switch_only_when_another_vp_last_ran_on_the_lp(void)
{
    uint32_t a, b;

    mk(2);
    a = add(100, LP(0) | LP(1));
    b = add(100, LP(0) | LP(1));
    CU_ASSERT(hvsched_is_switch(s, 0, a));      /* nothing loaded yet */
    CU_ASSERT(hvsched_is_switch(s, 0, b));
    wake(a, 0);
    CU_ASSERT_EQUAL(pick(0, 0), a);
    CU_ASSERT(hvsched_is_switch(s, 0, a));      /* asked while a runs */
    stop(a, T / 2, HVSCHED_STOP_BLOCKED);
    CU_ASSERT(!hvsched_is_switch(s, 0, a));
    CU_ASSERT(hvsched_is_switch(s, 0, b));
    CU_ASSERT(hvsched_is_switch(s, 1, a));      /* per LP */

    /* The LP idled; a comes back to it: still loaded, no switch. */
    CU_ASSERT_EQUAL(wake(a, T).lp, 0);
    CU_ASSERT_EQUAL(pick(0, T), a);
    CU_ASSERT(!hvsched_is_switch(s, 0, a));
    stop(a, 2 * T, HVSCHED_STOP_SLICE_END);
    CU_ASSERT_EQUAL(pick(0, 2 * T), a);
    stop(a, 2 * T + T / 2, HVSCHED_STOP_BLOCKED);
    CU_ASSERT_EQUAL(vst(a).picks, 3);
    CU_ASSERT_EQUAL(vst(a).switches_in, 1);
    CU_ASSERT_EQUAL(lst(0).switches, 1);

    CU_ASSERT_EQUAL(wake(b, 3 * T).lp, 0);
    CU_ASSERT_EQUAL(pick(0, 3 * T), b);
    CU_ASSERT(hvsched_is_switch(s, 0, b));
    stop(b, 3 * T + T / 2, HVSCHED_STOP_BLOCKED);
    CU_ASSERT(hvsched_is_switch(s, 0, a));
    CU_ASSERT(!hvsched_is_switch(s, 0, b));
    CU_ASSERT_EQUAL(vst(b).switches_in, 1);
    CU_ASSERT_EQUAL(lst(0).switches, 2);
    CU_ASSERT_EQUAL(lst(1).switches, 0);
    CU_ASSERT_EQUAL(vst(a).run_ps, T / 2 + T + T / 2);
    CU_ASSERT_EQUAL(vst(a).blocks, 2);
    CU_ASSERT_EQUAL(vst(a).slice_ends, 1);
    CU_ASSERT_EQUAL(vst(a).wakeups, 2);
    done();
}

/* --- A pseudo-random run: invariants and determinism -----------------------
 *
 * A small integrator on 4 LPs with 8 VPs of mixed weights and affinities:
 * each VP computes bursts and sleeps of pseudo-random length; it halts at
 * the end of a burst and is woken when its sleep ends.  The integrator
 * picks at once on a kicked LP and stops a preempted VP at once.  After
 * every call it checks: the picked VP may run on the LP; no LP is idle
 * while a VP allowed on it is runnable (work conservation); the run time
 * the scheduler accounts equals the integrator's.  It returns a hash of
 * every decision.
 */

#define S_LPS 4
#define S_VPS 8

struct storm {
    uint64_t rng;
    uint64_t hash;
    int64_t end[S_LPS];             /* running VP's stop instant */
    bool blocks_at_end[S_LPS];
    int64_t burst_left[S_VPS];      /* work left in the current burst */
    int64_t wake_at[S_VPS];         /* blocked: when it wakes */
    int64_t started[S_VPS];         /* running: since */
    int64_t run[S_VPS];             /* integrator's own accounting */
    uint64_t handoffs;              /* kicks answered by picks */
};

static uint64_t
storm_rand(struct storm *st, uint64_t n)
{
    st->rng = st->rng * UINT64_C(6364136223846793005)
              + UINT64_C(1442695040888963407);
    return (st->rng >> 33) % n;
}

static void
storm_mix(struct storm *st, uint64_t x)
{
    st->hash = (st->hash ^ x) * UINT64_C(1099511628211);
}

static void storm_pick(struct storm *st, uint32_t lp, int64_t now);

/* Sets up the run of what 'lp' picked, then follows the pick's hand-off
 * kick, if any. */
static void
storm_picked(struct storm *st, uint32_t lp, uint32_t vp, int64_t now)
{
    struct hvsched_kick k = handoff;

    storm_mix(st, (uint64_t)now);
    storm_mix(st, lp);
    storm_mix(st, vp);
    storm_mix(st, k.lp);
    st->end[lp] = INT64_MAX;
    if (vp == NONE) {
        CU_ASSERT_EQUAL(k.lp, NONE);
        return;
    }
    storm_mix(st, hvsched_is_switch(s, lp, vp));
    st->started[vp] = now;
    if (st->burst_left[vp] <= T) {
        st->end[lp] = now + st->burst_left[vp];
        st->blocks_at_end[lp] = true;
    } else {
        st->end[lp] = now + T;
        st->blocks_at_end[lp] = false;
    }
    if (k.lp != NONE) {
        CU_ASSERT_EQUAL(hvsched_lp_vp(s, k.lp), NONE);
        st->handoffs++;
        storm_pick(st, k.lp, now);
    }
}

static void
storm_pick(struct storm *st, uint32_t lp, int64_t now)
{
    uint32_t vp = pick(lp, now);

    storm_picked(st, lp, vp, now);
}

static void
storm_stop(struct storm *st, uint32_t lp, int64_t now,
           enum hvsched_stop_reason reason)
{
    uint32_t vp = hvsched_lp_vp(s, lp);

    CU_ASSERT_FATAL(vp != NONE);
    stop(vp, now, reason);
    st->run[vp] += now - st->started[vp];
    st->burst_left[vp] -= now - st->started[vp];
    if (reason == HVSCHED_STOP_BLOCKED) {
        st->burst_left[vp] = 1 + (int64_t)storm_rand(st, 3 * T);
        st->wake_at[vp] = now + (int64_t)storm_rand(st, 4 * T);
    }
}

static void
storm_check(struct storm *st)
{
    for (uint32_t p = 0; p < S_LPS; p++) {
        if (hvsched_lp_vp(s, p) != NONE) {
            continue;
        }
        for (uint32_t v = 0; v < S_VPS; v++) {
            CU_ASSERT(!(hvsched_vp_state(s, v) == HVSCHED_RUNNABLE
                        && hvsched_vp_allowed(s, v, p)));
        }
    }
    for (uint32_t v = 0; v < S_VPS; v++) {
        CU_ASSERT_EQUAL(vst(v).run_ps, st->run[v]);
    }
}

static uint64_t
storm_run(bool preempt)
{
    static const uint64_t masks[S_VPS] = {
        0xF, LP(0), LP(1) | LP(2), 0xF, LP(3), LP(2) | LP(3), 0xF, LP(0),
    };
    static const uint32_t weights[S_VPS] = {
        100, 200, 50, 100, 300, 1, 10000, 100,
    };
    struct storm st;
    int64_t now = 0, total_run = 0;

    memset(&st, 0, sizeof st);
    st.rng = 42;
    st.hash = UINT64_C(14695981039346656037);
    mk(S_LPS);
    set_preempt(preempt, T / 4);
    for (uint32_t v = 0; v < S_VPS; v++) {
        add(weights[v], masks[v]);
        st.burst_left[v] = 1 + (int64_t)storm_rand(&st, 3 * T);
        st.wake_at[v] = (int64_t)storm_rand(&st, T);
    }
    for (uint32_t p = 0; p < S_LPS; p++) {
        st.end[p] = INT64_MAX;
    }

    for (int step = 0; step < 20000; step++) {
        int64_t next = INT64_MAX;
        uint32_t who = NONE;
        bool is_lp = false;

        /* The earliest event; ties: LPs first, by number, then VPs. */
        for (uint32_t p = 0; p < S_LPS; p++) {
            if (st.end[p] < next) {
                next = st.end[p];
                who = p;
                is_lp = true;
            }
        }
        for (uint32_t v = 0; v < S_VPS; v++) {
            if (hvsched_vp_state(s, v) == HVSCHED_BLOCKED
                && st.wake_at[v] < next) {
                next = st.wake_at[v];
                who = v;
                is_lp = false;
            }
        }
        CU_ASSERT_FATAL(who != NONE);
        CU_ASSERT_FATAL(next >= now);
        now = next;
        if (is_lp) {
            storm_stop(&st, who, now, st.blocks_at_end[who]
                       ? HVSCHED_STOP_BLOCKED : HVSCHED_STOP_SLICE_END);
            storm_pick(&st, who, now);
        } else {
            struct hvsched_kick k = wake(who, now);
            storm_mix(&st, k.lp);
            storm_mix(&st, k.preempt);
            if (k.lp != NONE) {
                CU_ASSERT(hvsched_vp_allowed(s, who, k.lp));
                CU_ASSERT_EQUAL(hvsched_lp_vp(s, k.lp) != NONE, k.preempt);
                CU_ASSERT(preempt || !k.preempt);
                if (k.preempt) {
                    storm_stop(&st, k.lp, now, HVSCHED_STOP_PREEMPTED);
                }
                storm_pick(&st, k.lp, now);
            }
        }
        storm_check(&st);
    }

    /* Totals agree between VPs and LPs. */
    {
        uint64_t vp_picks = 0, vp_sw = 0, lp_picks = 0, lp_sw = 0;
        uint64_t pre = 0, pre_kicks = 0;
        for (uint32_t v = 0; v < S_VPS; v++) {
            struct hvsched_vp_stats x = vst(v);
            vp_picks += x.picks;
            vp_sw += x.switches_in;
            pre += x.preemptions;
            total_run += x.run_ps;
            CU_ASSERT(x.picks > 0);
            CU_ASSERT(x.wait_max_ps <= x.wait_ps);
        }
        for (uint32_t p = 0; p < S_LPS; p++) {
            struct hvsched_lp_stats y = lst(p);
            lp_picks += y.picks;
            lp_sw += y.switches;
            pre_kicks += y.preempt_kicks;
        }
        CU_ASSERT_EQUAL(vp_picks, lp_picks);
        CU_ASSERT_EQUAL(vp_sw, lp_sw);
        CU_ASSERT_EQUAL(pre, pre_kicks);
        CU_ASSERT(preempt ? pre > 0 : pre == 0);
        CU_ASSERT(total_run <= now * S_LPS);
        CU_ASSERT(st.handoffs > 0);
    }
    done();
    return st.hash;
}

static void
test_random_run_keeps_invariants_and_repeats_exactly(void)
{
    uint64_t a = storm_run(true), b = storm_run(true);
    uint64_t c = storm_run(false);

    CU_ASSERT_EQUAL(a, b);
    CU_ASSERT_NOT_EQUAL(a, c);      /* the option changes the decisions */
}

static const struct cutest_case api_cases[] = {
    CUTEST(test_create_refuses_bad_sizes_and_sets_default_options),
    CUTEST(test_add_vp_refuses_bad_weight_and_affinity_and_changes_nothing),
    CUTEST(test_affinity_beyond_the_first_word_is_honoured),
    CUTEST(test_vps_start_blocked_fresh_at_virtual_time_zero),
    CUTEST(test_calls_refuse_unknown_ids_busy_lp_and_time_going_back),
    CUTEST_END
};

static const struct cutest_case fair_cases[] = {
    CUTEST(test_equal_weights_alternate_every_slice_with_equal_run_time),
    CUTEST(test_weights_200_to_100_give_two_to_one_run_time),
    CUTEST(test_three_weights_share_in_proportion),
    CUTEST(test_virtual_time_is_exact_across_many_short_runs),
    CUTEST(test_lone_vp_is_picked_again_at_slice_end_without_a_switch),
    CUTEST_END
};

static const struct cutest_case place_cases[] = {
    CUTEST(test_vp_is_never_picked_on_a_forbidden_lp),
    CUTEST(test_wake_kicks_last_lp_if_idle_else_lowest_idle_allowed_lp),
    CUTEST(test_simultaneous_wakes_spread_over_idle_lps),
    CUTEST(test_vp_left_waiting_by_a_pick_is_handed_to_an_idle_lp),
    CUTEST(test_wake_of_runnable_or_running_vp_changes_nothing),
    CUTEST_END
};

static const struct cutest_case sleeper_cases[] = {
    CUTEST(test_long_sleeper_gets_one_slice_then_alternates),
    CUTEST(test_sleeper_with_unbounded_credit_runs_alone_until_caught_up),
    CUTEST(test_floor_outlives_an_idle_period),
    CUTEST(test_idle_lp_places_a_sleeper_against_the_vps_waiting_for_it),
    CUTEST(test_vp_added_during_a_run_starts_near_the_floor),
    CUTEST_END
};

static const struct cutest_case preempt_cases[] = {
    CUTEST(test_woken_vp_preempts_when_ahead_by_more_than_granularity),
    CUTEST(test_wake_preemption_needs_a_lead_strictly_above_granularity),
    CUTEST(test_without_wake_preemption_woken_vp_waits_for_the_slice_end),
    CUTEST(test_io_vp_preempts_a_hog_at_every_wake_and_never_waits),
    CUTEST(test_wake_preempts_last_lp_if_it_qualifies_else_the_largest_lead),
    CUTEST(test_lp_asked_to_preempt_is_not_asked_again_before_it_picks),
    CUTEST_END
};

static const struct cutest_case misc_cases[] = {
    CUTEST(test_is_switch_only_when_another_vp_last_ran_on_the_lp),
    CUTEST(test_random_run_keeps_invariants_and_repeats_exactly),
    CUTEST_END
};

CUTEST_MAIN({ "hvsched-api", api_cases }, { "hvsched-fair", fair_cases },
            { "hvsched-placement", place_cases },
            { "hvsched-sleepers", sleeper_cases },
            { "hvsched-preemption", preempt_cases },
            { "hvsched-switch-storm", misc_cases })
