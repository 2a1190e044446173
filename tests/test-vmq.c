/*
 * test-vmq.c -- models/vmq.h: the allowed processor set (base, maximum
 * count and number, physical cores only, core 0 avoided and its fallback,
 * NUMA node), queue allocation to VM NICs (lowest free queue, then the
 * default queue), no-VMQ mode, static round robin, and dynamic VMQ:
 * everything starts on the home LP, spreading above the upper threshold
 * (largest first, targets kept at or under it, home NUMA node then nearest
 * then lower LP, never the last queue), coalescing below the lower one
 * (home first, then an LP in use, all or nothing, min_processors),
 * hysteresis, the counters, argument checking, and a pseudo-random run
 * checked for invariants and determinism.
 *
 * The tests play the integrator: they add VM NICs, set the loads of a
 * period by hand (in ppm of one LP) and call vmq_evaluate() at multiples
 * of the period P.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "models/vmq.h"
#include "tests/cutest.h"

#define P VMQ_DEFAULT_PERIOD_PS
#define K(x) ((uint32_t)(x) * 1000u)    /* x thousandths of an LP, ppm */
#define NONE VMQ_NONE
#define MAXQ 16
#define MAXLP 16

static struct vmq *v;
static uint32_t qppm[MAXQ];
static uint32_t lpppm[MAXLP];
static struct vmq_decision dec[MAXQ];
static size_t n_dec;

/* --- Helpers ------------------------------------------------------------- */

static struct vmq_topology
topo(uint32_t n_lps, bool smt, uint32_t n_nodes, uint32_t n_queues)
{
    struct vmq_topology t;

    memset(&t, 0, sizeof t);
    t.n_lps = n_lps;
    t.smt = smt;
    t.lp_node = NULL;
    t.n_nodes = n_nodes;
    t.n_queues = n_queues;
    return t;
}

/* Dynamic, core 0 allowed (so the home LP is 0), thresholds U and L. */
static struct vmq_config
flat_cfg(uint32_t upper, uint32_t lower)
{
    struct vmq_config c;

    vmq_config_default(&c);
    c.avoid_core0 = false;
    c.upper_ppm = upper;
    c.lower_ppm = lower;
    return c;
}

static void
mk(const struct vmq_topology *t, const struct vmq_config *c)
{
    v = NULL;
    CU_ASSERT_FATAL(vmq_create(t, c, &v) == 0);
    CU_ASSERT_FATAL(v != NULL);
    memset(qppm, 0, sizeof qppm);
    memset(lpppm, 0, sizeof lpppm);
    n_dec = 0;
}

/* Eight LPs 0..7 without SMT on one node, eight queues, home LP 0. */
static void
mk_flat8(uint32_t upper, uint32_t lower, uint32_t hysteresis)
{
    struct vmq_topology t = topo(8, false, 1, 8);
    struct vmq_config c = flat_cfg(upper, lower);

    c.hysteresis_periods = hysteresis;
    mk(&t, &c);
}

static void
done(void)
{
    vmq_destroy(v);
    v = NULL;
}

static uint32_t
add(uint32_t nic)
{
    uint32_t q = 12345;

    CU_ASSERT_FATAL(vmq_nic_add(v, nic, &q, NULL) == 0);
    return q;
}

/* Makes queues 1 .. n allocated: adds NIC 100 + q for every free queue
 * q, which gets it (the lowest free queue). */
static void
add_n(uint32_t n)
{
    for (uint32_t q = 1; q <= n; q++) {
        if (vmq_queue_lp(v, q) == NONE) {
            CU_ASSERT_EQUAL_FATAL(add(100 + q), q);
        }
    }
}

static void
loads_zero(void)
{
    memset(qppm, 0, sizeof qppm);
    memset(lpppm, 0, sizeof lpppm);
}

static void
eval(int64_t now)
{
    struct vmq_load l = { qppm, lpppm };

    n_dec = 999;
    memset(dec, 0xA5, sizeof dec);
    CU_ASSERT_FATAL(vmq_evaluate(v, now, &l, dec, MAXQ, &n_dec) == 0);
}

static void
check_dec(size_t i, uint32_t q, uint32_t from, uint32_t to,
          enum vmq_reason reason, uint32_t load)
{
    CU_ASSERT_FATAL(i < n_dec);
    CU_ASSERT_EQUAL(dec[i].queue, q);
    CU_ASSERT_EQUAL(dec[i].from_lp, from);
    CU_ASSERT_EQUAL(dec[i].to_lp, to);
    CU_ASSERT_EQUAL(dec[i].reason, reason);
    CU_ASSERT_EQUAL(dec[i].load_ppm, load);
}

static void
check_set(const struct vmq_topology *t, const struct vmq_config *c,
          const uint32_t *want, uint32_t n_want)
{
    uint32_t got[MAXLP + 1];
    uint32_t n = 999;

    memset(got, 0xFF, sizeof got);
    CU_ASSERT_FATAL(vmq_allowed_lps(t, c, got, MAXLP, &n) == 0);
    CU_ASSERT_EQUAL_FATAL(n, n_want);
    for (uint32_t i = 0; i < n_want; i++) {
        CU_ASSERT_EQUAL(got[i], want[i]);
    }
}

/* --- Configuration and the allowed set -------------------------------- */

static void
test_config_defaults_are_documented_values(void)
{
    struct vmq_config c;

    memset(&c, 0x5A, sizeof c);
    vmq_config_default(&c);
    CU_ASSERT_EQUAL(c.mode, VMQ_MODE_DYNAMIC);
    CU_ASSERT_EQUAL(c.base_lp, 0);
    CU_ASSERT_EQUAL(c.max_processors, 16);
    CU_ASSERT_EQUAL(c.max_lp, VMQ_ANY);
    CU_ASSERT_EQUAL(c.numa_node, VMQ_ANY);
    CU_ASSERT(c.avoid_core0);
    CU_ASSERT(c.physical_cores_only);
    CU_ASSERT_EQUAL(c.min_processors, 1);
    CU_ASSERT_EQUAL(c.upper_ppm, 900000);
    CU_ASSERT_EQUAL(c.lower_ppm, 400000);
    CU_ASSERT_EQUAL(c.period_ps, INT64_C(100000000000));
    CU_ASSERT_EQUAL(c.hysteresis_periods, 1);
}

static void
test_create_with_null_config_takes_the_defaults(void)
{
    struct vmq_topology t = topo(8, true, 1, 4);
    struct vmq_config c;
    uint32_t set[4];

    mk(&t, NULL);
    vmq_get_config(v, &c);
    CU_ASSERT_EQUAL(c.mode, VMQ_MODE_DYNAMIC);
    CU_ASSERT_EQUAL(c.upper_ppm, VMQ_DEFAULT_UPPER_PPM);
    CU_ASSERT_EQUAL(vmq_mode(v), VMQ_MODE_DYNAMIC);
    CU_ASSERT_EQUAL(vmq_period_ps(v), VMQ_DEFAULT_PERIOD_PS);
    CU_ASSERT_EQUAL(vmq_n_lps(v), 8);
    CU_ASSERT_EQUAL(vmq_n_queues(v), 4);
    CU_ASSERT_EQUAL(vmq_lp_set(v, set, 4), 3);
    CU_ASSERT_EQUAL(set[0], 2);
    CU_ASSERT_EQUAL(set[1], 4);
    CU_ASSERT_EQUAL(set[2], 6);
    CU_ASSERT_EQUAL(vmq_home_lp(v), 2);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 0), 2);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), NONE);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 3), NONE);
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 1);
    done();
}

static void
test_set_with_smt_takes_even_lps_as_the_performance_guide_says(void)
{
    struct vmq_topology t = topo(8, true, 1, 4);
    struct vmq_config c;
    static const uint32_t all[] = { 0, 2, 4, 6 };
    static const uint32_t no0[] = { 2, 4, 6 };

    vmq_config_default(&c);
    c.avoid_core0 = false;
    check_set(&t, &c, all, 4);          /* "cores 0, 2, 4, and 6" */
    c.avoid_core0 = true;
    check_set(&t, &c, no0, 3);
}

static void
test_set_without_physical_cores_only_takes_siblings(void)
{
    struct vmq_topology t = topo(8, true, 1, 4);
    struct vmq_config c;
    static const uint32_t want[] = { 2, 3, 4, 5, 6, 7 };
    static const uint32_t want_all[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

    vmq_config_default(&c);
    c.physical_cores_only = false;
    check_set(&t, &c, want, 6);         /* core 0 = LPs 0 and 1 avoided */
    c.avoid_core0 = false;
    check_set(&t, &c, want_all, 8);
}

static void
test_set_without_smt_avoids_lp0_only(void)
{
    struct vmq_topology t = topo(4, false, 1, 4);
    struct vmq_config c;
    static const uint32_t want[] = { 1, 2, 3 };

    vmq_config_default(&c);             /* physical_cores_only is moot */
    check_set(&t, &c, want, 3);
}

static void
test_set_respects_base_max_processors_and_max_lp(void)
{
    struct vmq_topology t = topo(16, true, 1, 4);
    struct vmq_config c;
    static const uint32_t from3[] = { 4, 6, 8, 10, 12, 14 };
    static const uint32_t two[] = { 4, 6 };
    static const uint32_t upto9[] = { 4, 6, 8 };

    vmq_config_default(&c);
    c.base_lp = 3;                      /* an odd sibling: skipped */
    check_set(&t, &c, from3, 6);
    c.max_processors = 2;
    check_set(&t, &c, two, 2);
    c.max_processors = 16;
    c.max_lp = 9;
    check_set(&t, &c, upto9, 3);
}

static void
test_set_counts_max_processors_after_leaving_core0_out(void)
{
    struct vmq_topology t = topo(16, true, 1, 4);
    struct vmq_config c;
    static const uint32_t want[] = { 2, 4, 6 };

    vmq_config_default(&c);
    c.max_processors = 3;
    check_set(&t, &c, want, 3);
}

static void
test_set_falls_back_to_core0_when_nothing_else_is_left(void)
{
    struct vmq_topology one_core = topo(2, true, 1, 2);
    struct vmq_topology one_lp = topo(1, false, 1, 2);
    struct vmq_config c;
    static const uint32_t zero[] = { 0 };

    vmq_config_default(&c);
    check_set(&one_core, &c, zero, 1);
    check_set(&one_lp, &c, zero, 1);
    c.max_lp = 1;                       /* LPs 0..1 of a bigger host */
    one_core = topo(8, true, 1, 2);
    check_set(&one_core, &c, zero, 1);
    mk(&one_core, &c);
    CU_ASSERT_EQUAL(vmq_home_lp(v), 0);
    done();
}

static void
test_set_keeps_to_the_numa_node_in_blocks_and_per_lp(void)
{
    struct vmq_topology t = topo(16, true, 2, 4);
    struct vmq_topology il = topo(8, false, 2, 4);
    static const uint32_t nodes[8] = { 0, 0, 1, 1, 0, 0, 1, 1 };
    struct vmq_config c;
    static const uint32_t node1[] = { 8, 10, 12, 14 };
    static const uint32_t il1[] = { 2, 3, 6, 7 };

    vmq_config_default(&c);
    c.numa_node = 1;
    check_set(&t, &c, node1, 4);
    mk(&t, &c);
    CU_ASSERT_EQUAL(vmq_home_lp(v), 8);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 0), 8);
    CU_ASSERT_EQUAL(vmq_lp_node(v, 7), 0);
    CU_ASSERT_EQUAL(vmq_lp_node(v, 8), 1);
    CU_ASSERT(vmq_lp_allowed(v, 12));
    CU_ASSERT(!vmq_lp_allowed(v, 13));
    CU_ASSERT(!vmq_lp_allowed(v, 6));
    CU_ASSERT(!vmq_lp_allowed(v, 16));
    done();

    il.lp_node = nodes;
    check_set(&il, &c, il1, 4);
    mk(&il, &c);
    CU_ASSERT_EQUAL(vmq_lp_node(v, 5), 0);
    CU_ASSERT_EQUAL(vmq_lp_node(v, 6), 1);
    done();
}

static void
test_allowed_lps_reports_the_size_beyond_cap(void)
{
    struct vmq_topology t = topo(16, false, 1, 4);
    struct vmq_config c;
    uint32_t out[3] = { 77, 77, 77 };
    uint32_t n = 0;

    vmq_config_default(&c);
    CU_ASSERT_EQUAL(vmq_allowed_lps(&t, &c, out, 2, &n), 0);
    CU_ASSERT_EQUAL(n, 15);
    CU_ASSERT_EQUAL(out[0], 1);
    CU_ASSERT_EQUAL(out[1], 2);
    CU_ASSERT_EQUAL(out[2], 77);
    n = 0;
    CU_ASSERT_EQUAL(vmq_allowed_lps(&t, &c, NULL, 0, &n), 0);
    CU_ASSERT_EQUAL(n, 15);
    mk(&t, &c);
    CU_ASSERT_EQUAL(vmq_lp_set(v, NULL, 0), 15);
    done();
}

static void
expect_bad_topology(struct vmq_topology t)
{
    struct vmq *w = (struct vmq *)&t;   /* any non-NULL marker */
    struct vmq_config c;
    uint32_t n = 4242;

    vmq_config_default(&c);
    CU_ASSERT_EQUAL(vmq_create(&t, NULL, &w), EINVAL);
    CU_ASSERT_PTR_EQUAL(w, (struct vmq *)&t);
    CU_ASSERT_EQUAL(vmq_create(&t, &c, &w), EINVAL);
    CU_ASSERT_PTR_EQUAL(w, (struct vmq *)&t);
    CU_ASSERT_EQUAL(vmq_allowed_lps(&t, &c, NULL, 0, &n), EINVAL);
    CU_ASSERT_EQUAL(n, 4242);
}

static void
test_create_rejects_bad_topologies(void)
{
    static const uint32_t bad_node[4] = { 0, 0, 2, 2 };
    static const uint32_t split_core[4] = { 0, 1, 1, 1 };
    struct vmq_topology t;
    struct vmq *w = NULL;

    expect_bad_topology(topo(0, false, 1, 4));
    expect_bad_topology(topo(VMQ_MAX_LPS + 1, false, 1, 4));
    expect_bad_topology(topo(7, true, 1, 4));               /* odd, SMT */
    expect_bad_topology(topo(8, false, 1, 0));              /* no queue */
    expect_bad_topology(topo(8, false, 1, VMQ_MAX_QUEUES + 1));
    expect_bad_topology(topo(8, false, 3, 4));      /* 3 does not divide */
    expect_bad_topology(topo(8, false, 16, 4));     /* more nodes than LPs */
    expect_bad_topology(topo(8, true, 8, 4));       /* a node per LP, SMT */
    expect_bad_topology(topo(VMQ_MAX_NODES * 2, false, VMQ_MAX_NODES + 1,
                             4));
    t = topo(4, false, 2, 4);
    t.lp_node = bad_node;                           /* node 2 of 2 */
    expect_bad_topology(t);
    t = topo(4, true, 2, 4);
    t.lp_node = split_core;                         /* LPs 0, 1 split */
    expect_bad_topology(t);
    CU_ASSERT_EQUAL(vmq_create(NULL, NULL, &w), EINVAL);
    t = topo(4, false, 1, 4);
    CU_ASSERT_EQUAL(vmq_create(&t, NULL, NULL), EINVAL);
    /* Zero nodes count as one. */
    t = topo(4, false, 0, 4);
    CU_ASSERT_EQUAL(vmq_create(&t, NULL, &w), 0);
    CU_ASSERT_EQUAL(vmq_lp_node(w, 3), 0);
    vmq_destroy(w);
}

static void
test_create_rejects_bad_configs(void)
{
    struct vmq_topology t = topo(8, false, 2, 4);
    struct vmq_config c;
    struct vmq *w;
    uint32_t n = 4242;
    int cases = 0;

    for (int k = 0;; k++) {
        vmq_config_default(&c);
        switch (k) {
        case 0: c.mode = (enum vmq_mode)3; break;
        case 1: c.base_lp = 8; break;
        case 2: c.max_processors = 0; break;
        case 3: c.max_lp = 8; break;
        case 4: c.base_lp = 5; c.max_lp = 4; break;
        case 5: c.numa_node = 2; break;
        case 6: c.min_processors = 0; break;
        case 7: c.max_processors = 2; c.min_processors = 3; break;
        case 8: c.upper_ppm = 0; c.lower_ppm = 0; break;
        case 9: c.upper_ppm = VMQ_PPM + 1; break;
        case 10: c.lower_ppm = c.upper_ppm; break;
        case 11: c.period_ps = 0; break;
        case 12: c.period_ps = -1; break;
        case 13: c.hysteresis_periods = VMQ_MAX_HYSTERESIS + 1; break;
        case 14: c.period_ps = INT64_MAX / 2 + 1; break;    /* 2P overflows */
        case 15: c.numa_node = 0; c.base_lp = 4; break;     /* empty set */
        default: goto out;
        }
        w = (struct vmq *)&c;
        CU_ASSERT_EQUAL(vmq_create(&t, &c, &w), EINVAL);
        CU_ASSERT_PTR_EQUAL(w, (struct vmq *)&c);
        CU_ASSERT_EQUAL(vmq_allowed_lps(&t, &c, NULL, 0, &n), EINVAL);
        CU_ASSERT_EQUAL(n, 4242);
        cases++;
    }
out:
    CU_ASSERT_EQUAL(cases, 16);
    /* The limits themselves are accepted. */
    vmq_config_default(&c);
    c.upper_ppm = VMQ_PPM;
    c.lower_ppm = 0;
    c.hysteresis_periods = VMQ_MAX_HYSTERESIS;
    c.period_ps = INT64_MAX / ((int64_t)VMQ_MAX_HYSTERESIS + 1);
    c.max_lp = 7;
    c.min_processors = 16;
    CU_ASSERT_EQUAL(vmq_create(&t, &c, &w), 0);
    vmq_destroy(w);
    CU_ASSERT_EQUAL(vmq_allowed_lps(&t, NULL, NULL, 0, &n), EINVAL);
    CU_ASSERT_EQUAL(vmq_allowed_lps(&t, &c, NULL, 0, NULL), EINVAL);
    CU_ASSERT_EQUAL(vmq_allowed_lps(&t, &c, NULL, 1, &n), EINVAL);
    vmq_destroy(NULL);
}

/* --- Queues for VM NICs -------------------------------------------------- */

static void
test_nics_get_the_lowest_free_queue_then_share_the_default_queue(void)
{
    struct vmq_topology t = topo(8, false, 1, 4);
    struct vmq_config c = flat_cfg(900000, 400000);
    struct vmq_stats st;

    mk(&t, &c);
    CU_ASSERT_EQUAL(add(500), 1);
    CU_ASSERT_EQUAL(add(7), 2);
    CU_ASSERT_EQUAL(add(900), 3);
    CU_ASSERT_EQUAL(add(3), 0);         /* out of queues */
    CU_ASSERT_EQUAL(add(4), 0);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 500), 1);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 7), 2);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 900), 3);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 3), 0);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 4), 0);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 8), NONE);
    CU_ASSERT_EQUAL(vmq_queue_nic(v, 0), NONE);
    CU_ASSERT_EQUAL(vmq_queue_nic(v, 1), 500);
    CU_ASSERT_EQUAL(vmq_queue_nic(v, 2), 7);
    CU_ASSERT_EQUAL(vmq_queue_nic(v, 3), 900);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.nics, 5);
    CU_ASSERT_EQUAL(st.nics_on_default, 2);
    CU_ASSERT_EQUAL(st.nics_defaulted, 2);
    CU_ASSERT_EQUAL(st.assigns, 3);
    done();
}

static void
test_nic_add_reports_the_assign_decision(void)
{
    struct vmq_topology t = topo(8, true, 1, 2);
    struct vmq_decision d;
    uint32_t q = 99;

    mk(&t, NULL);                       /* home LP 2 */
    memset(&d, 0xEE, sizeof d);
    CU_ASSERT_EQUAL(vmq_nic_add(v, 1, &q, &d), 0);
    CU_ASSERT_EQUAL(q, 1);
    CU_ASSERT_EQUAL(d.queue, 1);
    CU_ASSERT_EQUAL(d.from_lp, NONE);
    CU_ASSERT_EQUAL(d.to_lp, 2);
    CU_ASSERT_EQUAL(d.reason, VMQ_REASON_ASSIGN);
    CU_ASSERT_EQUAL(d.load_ppm, 0);
    memset(&d, 0xEE, sizeof d);
    CU_ASSERT_EQUAL(vmq_nic_add(v, 2, &q, &d), 0);
    CU_ASSERT_EQUAL(q, 0);              /* the default queue, shared */
    CU_ASSERT_EQUAL(d.queue, 0);
    CU_ASSERT_EQUAL(d.from_lp, 2);
    CU_ASSERT_EQUAL(d.to_lp, 2);
    CU_ASSERT_EQUAL(d.reason, VMQ_REASON_ASSIGN);
    CU_ASSERT_EQUAL(d.load_ppm, 0);
    done();
}

static void
test_nic_add_rejects_duplicates_and_bad_arguments(void)
{
    struct vmq_topology t = topo(8, false, 1, 4);
    struct vmq_stats st;
    uint32_t q = 55;

    mk(&t, NULL);
    CU_ASSERT_EQUAL(add(10), 1);
    CU_ASSERT_EQUAL(vmq_nic_add(v, 10, &q, NULL), EEXIST);
    CU_ASSERT_EQUAL(vmq_nic_add(v, NONE, &q, NULL), EINVAL);
    CU_ASSERT_EQUAL(vmq_nic_add(v, 11, NULL, NULL), EINVAL);
    CU_ASSERT_EQUAL(vmq_nic_add(NULL, 11, &q, NULL), EINVAL);
    CU_ASSERT_EQUAL(q, 55);
    CU_ASSERT_EQUAL(vmq_nic_remove(v, 11), ENOENT);
    CU_ASSERT_EQUAL(vmq_nic_remove(NULL, 10), EINVAL);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.nics, 1);
    CU_ASSERT_EQUAL(st.assigns, 1);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 2), NONE);
    CU_ASSERT_EQUAL(add(11), 2);
    done();
}

static void
test_removed_nic_frees_its_queue_for_the_next_nic_only(void)
{
    struct vmq_topology t = topo(8, false, 1, 3);
    struct vmq_config c = flat_cfg(900000, 400000);
    struct vmq_stats st;

    mk(&t, &c);
    CU_ASSERT_EQUAL(add(1), 1);
    CU_ASSERT_EQUAL(add(2), 2);
    CU_ASSERT_EQUAL(add(3), 0);
    CU_ASSERT_EQUAL(add(4), 0);
    CU_ASSERT_EQUAL(vmq_nic_remove(v, 1), 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), NONE);
    CU_ASSERT_EQUAL(vmq_queue_nic(v, 1), NONE);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 1), NONE);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 3), 0);    /* stays on the default */
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 4), 0);
    CU_ASSERT_EQUAL(add(5), 1);                 /* the freed queue */
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 0);
    CU_ASSERT_EQUAL(vmq_nic_remove(v, 3), 0);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.nics, 3);
    CU_ASSERT_EQUAL(st.nics_on_default, 1);
    CU_ASSERT_EQUAL(st.nics_defaulted, 2);
    CU_ASSERT_EQUAL(st.assigns, 3);
    CU_ASSERT_EQUAL(vmq_nic_remove(v, 3), ENOENT);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 4), 0);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 2), 2);
    CU_ASSERT_EQUAL(vmq_nic_queue(v, 5), 1);
    done();
}

static void
test_no_vmq_mode_puts_every_nic_on_the_default_queue(void)
{
    struct vmq_topology t = topo(8, true, 1, 8);
    struct vmq_config c;
    struct vmq_decision d;
    struct vmq_stats st;
    uint32_t q = 9;

    vmq_config_default(&c);
    c.mode = VMQ_MODE_NONE;
    c.base_lp = 4;
    mk(&t, &c);
    CU_ASSERT_EQUAL(vmq_home_lp(v), 4);
    for (uint32_t nic = 1; nic <= 10; nic++) {
        CU_ASSERT_EQUAL(vmq_nic_add(v, nic, &q, &d), 0);
        CU_ASSERT_EQUAL(q, 0);
        CU_ASSERT_EQUAL(d.from_lp, 4);
        CU_ASSERT_EQUAL(d.to_lp, 4);
    }
    for (uint32_t i = 1; i < 8; i++) {
        CU_ASSERT_EQUAL(vmq_queue_lp(v, i), NONE);
    }
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 0), 4);
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 1);
    CU_ASSERT_EQUAL(vmq_lp_n_queues(v, 4), 1);
    qppm[0] = VMQ_PPM;
    lpppm[4] = VMQ_PPM;
    eval(P);
    CU_ASSERT_EQUAL(n_dec, 0);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.nics, 10);
    CU_ASSERT_EQUAL(st.nics_on_default, 10);
    CU_ASSERT_EQUAL(st.assigns, 0);
    CU_ASSERT_EQUAL(st.evaluations, 1);
    CU_ASSERT_EQUAL(st.hot, 0);
    done();
}

/* --- Static VMQ ---------------------------------------------------------- */

static void
test_static_assigns_round_robin_over_physical_cores_avoiding_core0(void)
{
    struct vmq_topology t = topo(8, true, 1, 8);
    struct vmq_config c;
    static const uint32_t want[8] = { 2, 2, 4, 6, 2, 4, 6, 2 };

    vmq_config_default(&c);
    c.mode = VMQ_MODE_STATIC;
    mk(&t, &c);
    add_n(7);
    for (uint32_t q = 0; q < 8; q++) {
        CU_ASSERT_EQUAL(vmq_queue_lp(v, q), want[q]);
    }
    CU_ASSERT_EQUAL(vmq_lp_n_queues(v, 2), 4);
    CU_ASSERT_EQUAL(vmq_lp_n_queues(v, 4), 2);
    CU_ASSERT_EQUAL(vmq_lp_n_queues(v, 6), 2);
    CU_ASSERT_EQUAL(vmq_lp_n_queues(v, 0), 0);
    CU_ASSERT_EQUAL(vmq_lp_n_queues(v, 3), 0);
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 3);
    CU_ASSERT_EQUAL(add(200), 0);       /* out of queues: default, LP 2 */
    done();
}

static void
test_static_round_robin_respects_base_and_max_processors(void)
{
    struct vmq_topology t = topo(16, true, 1, 8);
    struct vmq_config c;
    static const uint32_t want[6] = { 6, 6, 8, 10, 6, 8 };

    vmq_config_default(&c);
    c.mode = VMQ_MODE_STATIC;
    c.base_lp = 6;
    c.max_processors = 3;
    mk(&t, &c);
    add_n(5);
    for (uint32_t q = 0; q < 6; q++) {
        CU_ASSERT_EQUAL(vmq_queue_lp(v, q), want[q]);
    }
    done();
}

static void
test_static_round_robin_includes_core0_when_allowed(void)
{
    struct vmq_topology t = topo(8, true, 1, 8);
    struct vmq_config c;
    static const uint32_t want[6] = { 0, 0, 2, 4, 6, 0 };

    vmq_config_default(&c);
    c.mode = VMQ_MODE_STATIC;
    c.avoid_core0 = false;
    mk(&t, &c);
    add_n(5);
    for (uint32_t q = 0; q < 6; q++) {
        CU_ASSERT_EQUAL(vmq_queue_lp(v, q), want[q]);
    }
    done();
}

static void
test_static_reused_queue_takes_the_next_processor_in_turn(void)
{
    struct vmq_topology t = topo(8, true, 1, 4);
    struct vmq_config c;
    struct vmq_decision d;
    uint32_t q;

    vmq_config_default(&c);
    c.mode = VMQ_MODE_STATIC;
    mk(&t, &c);                         /* set 2, 4, 6 */
    add_n(3);                           /* queues 1..3 on 2, 4, 6 */
    CU_ASSERT_EQUAL(vmq_nic_remove(v, 102), 0);
    CU_ASSERT_EQUAL(vmq_nic_add(v, 200, &q, &d), 0);
    CU_ASSERT_EQUAL(q, 2);
    CU_ASSERT_EQUAL(d.from_lp, NONE);
    CU_ASSERT_EQUAL(d.to_lp, 2);        /* 4th queue handed out: set[0] */
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 2), 2);
    done();
}

static void
test_static_mode_never_moves_a_queue(void)
{
    struct vmq_topology t = topo(8, false, 1, 4);
    struct vmq_config c = flat_cfg(500000, 400000);
    struct vmq_stats st;

    c.mode = VMQ_MODE_STATIC;
    c.max_processors = 1;               /* everything on LP 0 */
    mk(&t, &c);
    add_n(3);
    qppm[1] = K(300);
    qppm[2] = K(300);
    qppm[3] = K(300);
    lpppm[0] = VMQ_PPM;
    eval(P);
    CU_ASSERT_EQUAL(n_dec, 0);
    eval(3 * P);
    CU_ASSERT_EQUAL(n_dec, 0);
    for (uint32_t q = 0; q < 4; q++) {
        CU_ASSERT_EQUAL(vmq_queue_lp(v, q), 0);
    }
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.evaluations, 2);
    CU_ASSERT_EQUAL(st.moves, 0);
    CU_ASSERT_EQUAL(st.hot, 0);
    done();
}

/* --- Dynamic VMQ: spreading ---------------------------------------------- */

static void
test_dynamic_queues_all_start_on_the_home_processor(void)
{
    struct vmq_topology t = topo(16, true, 1, 8);
    struct vmq_config c;

    vmq_config_default(&c);
    c.base_lp = 4;
    mk(&t, &c);
    add_n(7);
    for (uint32_t q = 0; q < 8; q++) {
        CU_ASSERT_EQUAL(vmq_queue_lp(v, q), 4);
        CU_ASSERT(vmq_queue_movable(v, q, 0));
    }
    CU_ASSERT_EQUAL(vmq_lp_n_queues(v, 4), 8);
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 1);
    done();
}

static void
test_spread_sheds_largest_queues_until_the_lp_is_under_upper(void)
{
    struct vmq_stats st;

    mk_flat8(K(500), 0, 1);
    add_n(5);
    qppm[1] = K(400);
    qppm[2] = K(300);
    qppm[3] = K(200);
    qppm[4] = K(100);
    lpppm[0] = VMQ_PPM;
    eval(P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 2);
    /* q1 fits on LP 1 (400); then LP 0 is at 600, still hot; q2 would
     * take LP 1 to 700, so it goes to LP 2; LP 0 is then at 300. */
    check_dec(0, 1, 0, 1, VMQ_REASON_SPREAD, K(400));
    check_dec(1, 2, 0, 2, VMQ_REASON_SPREAD, K(300));
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 1);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 2), 2);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 3), 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 4), 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 5), 0);
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 3);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.spreads, 2);
    CU_ASSERT_EQUAL(st.moves, 2);
    CU_ASSERT_EQUAL(st.coalesces, 0);
    CU_ASSERT_EQUAL(st.hot, 1);
    CU_ASSERT_EQUAL(st.hot_left, 0);
    CU_ASSERT_EQUAL(st.evaluations, 1);
    done();
}

static void
test_spread_tries_a_smaller_queue_when_the_largest_fits_nowhere(void)
{
    struct vmq_topology t = topo(8, false, 1, 8);
    struct vmq_config c = flat_cfg(K(900), 0);

    c.max_processors = 2;               /* LPs 0 and 1 */
    mk(&t, &c);
    add_n(3);
    qppm[1] = K(500);
    qppm[2] = K(150);
    qppm[3] = K(100);
    lpppm[0] = VMQ_PPM;
    lpppm[1] = K(700);
    lpppm[2] = 0;                       /* outside the set: never a target */
    eval(P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 2, 0, 1, VMQ_REASON_SPREAD, K(150));
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 3), 0);
    done();
}

static void
test_spread_target_may_reach_upper_but_never_exceed_it(void)
{
    struct vmq_topology t = topo(8, false, 1, 8);
    struct vmq_config c = flat_cfg(K(900), 0);
    struct vmq_stats st;

    c.max_processors = 2;
    mk(&t, &c);
    add_n(2);
    qppm[1] = K(150);
    qppm[2] = K(150);
    lpppm[0] = VMQ_PPM;
    lpppm[1] = K(750) + 1;              /* 750.001 + 150 > 900 */
    eval(P);
    CU_ASSERT_EQUAL(n_dec, 0);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.hot, 1);
    CU_ASSERT_EQUAL(st.hot_left, 1);
    lpppm[1] = K(750);                  /* exactly 900 after the move */
    eval(2 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 0, 1, VMQ_REASON_SPREAD, K(150));   /* tie: lower id */
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.hot, 2);
    CU_ASSERT_EQUAL(st.hot_left, 1);
    done();
}

static void
test_spread_leaves_an_lp_exactly_at_upper_alone(void)
{
    struct vmq_stats st;

    mk_flat8(K(900), 0, 1);
    add_n(2);
    qppm[1] = K(450);
    qppm[2] = K(450);
    lpppm[0] = K(900);
    eval(P);
    CU_ASSERT_EQUAL(n_dec, 0);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.hot, 0);
    lpppm[0] = K(900) + 1;
    eval(2 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 0, 1, VMQ_REASON_SPREAD, K(450));
    done();
}

static void
test_spread_never_moves_the_last_queue_off_a_hot_lp(void)
{
    struct vmq_stats st;

    mk_flat8(K(900), 0, 1);
    qppm[0] = K(100);                   /* the default queue alone */
    lpppm[0] = VMQ_PPM;
    eval(P);
    CU_ASSERT_EQUAL(n_dec, 0);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.hot_left, 1);
    /* With a second queue of equal load, the lower id (the default
     * queue, which moves like any other in dynamic mode) goes. */
    add_n(1);
    qppm[1] = K(100);
    eval(2 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 0, 0, 1, VMQ_REASON_SPREAD, K(100));
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 0), 1);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 0);
    done();
}

static void
test_spread_does_not_move_queues_without_load(void)
{
    mk_flat8(K(900), 0, 1);
    add_n(2);
    lpppm[0] = VMQ_PPM;                 /* busy with other work */
    eval(P);
    CU_ASSERT_EQUAL(n_dec, 0);
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 1);
    done();
}

static void
test_spread_prefers_the_home_numa_node_then_the_nearest_lp(void)
{
    static const uint32_t nodes[8] = { 0, 1, 0, 1, 0, 1, 0, 1 };
    struct vmq_topology t = topo(8, false, 2, 8);
    struct vmq_config c = flat_cfg(K(500), 0);

    t.lp_node = nodes;
    mk(&t, &c);
    add_n(3);
    qppm[1] = K(300);
    qppm[2] = K(300);
    qppm[3] = K(300);
    lpppm[0] = VMQ_PPM;
    eval(P);
    /* LP 1 is nearer but on node 1: q1 goes to LP 2, q2 to LP 4. */
    CU_ASSERT_EQUAL_FATAL(n_dec, 2);
    check_dec(0, 1, 0, 2, VMQ_REASON_SPREAD, K(300));
    check_dec(1, 2, 0, 4, VMQ_REASON_SPREAD, K(300));
    done();

    /* Node 0 full: the nearest LPs of node 1. */
    mk(&t, &c);
    add_n(3);
    qppm[1] = K(300);
    qppm[2] = K(300);
    qppm[3] = K(300);
    lpppm[0] = VMQ_PPM;
    lpppm[2] = K(450);
    lpppm[4] = K(450);
    lpppm[6] = K(450);
    eval(P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 2);
    check_dec(0, 1, 0, 1, VMQ_REASON_SPREAD, K(300));
    check_dec(1, 2, 0, 3, VMQ_REASON_SPREAD, K(300));
    done();
}

static void
test_spread_from_a_middle_lp_breaks_distance_ties_to_the_lower_lp(void)
{
    struct vmq_stats st;

    mk_flat8(K(500), 0, 0);             /* no hysteresis */
    add_n(4);
    /* Period 1: q1 -> LP 1, q2 -> LP 2 (LP 1 would reach 600). */
    qppm[1] = K(300);
    qppm[2] = K(300);
    qppm[3] = K(300);
    qppm[4] = K(100);
    lpppm[0] = VMQ_PPM;
    eval(P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 2);
    check_dec(0, 1, 0, 1, VMQ_REASON_SPREAD, K(300));
    check_dec(1, 2, 0, 2, VMQ_REASON_SPREAD, K(300));
    /* Period 2: q3 -> LP 2 (with q2, idle), q4 -> LP 3. */
    loads_zero();
    qppm[0] = K(100);
    qppm[1] = K(450);
    qppm[3] = K(450);
    qppm[4] = K(450);
    lpppm[0] = VMQ_PPM;
    lpppm[1] = K(450);
    eval(2 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 2);
    check_dec(0, 3, 0, 2, VMQ_REASON_SPREAD, K(450));
    check_dec(1, 4, 0, 3, VMQ_REASON_SPREAD, K(450));
    /* Period 3: LP 2 hot with q2 and q3; LPs 1 and 3 are both one away
     * and both fit: LP 1.  Then q3 is LP 2's last queue and stays. */
    loads_zero();
    qppm[1] = K(100);
    qppm[2] = K(300);
    qppm[3] = K(300);
    qppm[4] = K(100);
    lpppm[1] = K(100);
    lpppm[2] = VMQ_PPM;
    lpppm[3] = K(100);
    eval(3 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 2, 2, 1, VMQ_REASON_SPREAD, K(300));
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.spreads, 5);
    CU_ASSERT_EQUAL(st.hot, 3);
    CU_ASSERT_EQUAL(st.hot_left, 1);
    done();
}

static void
test_spread_handles_several_hot_lps_in_ascending_order(void)
{
    struct vmq_stats st;

    mk_flat8(K(600), 0, 0);
    add_n(4);
    qppm[1] = K(500);
    qppm[2] = K(500);
    lpppm[0] = VMQ_PPM;
    eval(P);                            /* q1 -> LP 1 */
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 0, 1, VMQ_REASON_SPREAD, K(500));
    /* q2 is still on LP 0 with q0, q3, q4; q1 alone on LP 1.  Next
     * period both LP 0 and LP 1 are hot; LP 1 has one queue only. */
    loads_zero();
    qppm[1] = K(700);
    qppm[2] = K(300);
    qppm[3] = K(300);
    lpppm[0] = VMQ_PPM;
    lpppm[1] = K(700);
    eval(2 * P);
    /* LP 0: q2 -> LP 2? LP 1 is at 700 (no); LP 2 is free: yes; LP 0 at
     * 700 still hot; q3 -> LP 2 would make 600 (fits, dist 2) -- LP 2 is
     * the nearest that fits. */
    CU_ASSERT_EQUAL_FATAL(n_dec, 2);
    check_dec(0, 2, 0, 2, VMQ_REASON_SPREAD, K(300));
    check_dec(1, 3, 0, 2, VMQ_REASON_SPREAD, K(300));
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 1);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.hot, 3);         /* LP 0; then LPs 0 and 1 */
    CU_ASSERT_EQUAL(st.hot_left, 1);    /* LP 1: one queue, stays */
    done();
}

/* --- Dynamic VMQ: coalescing --------------------------------------------- */

/* Moves q1 to LP 1 at time P (U 900, LP 0 at 1000 with q1 500, q0 100). */
static void
spread_q1_to_lp1(void)
{
    add_n(1);
    qppm[0] = K(100);
    qppm[1] = K(500);
    lpppm[0] = VMQ_PPM;
    eval(P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 0, 1, VMQ_REASON_SPREAD, K(500));
    loads_zero();
}

static void
test_coalesce_moves_a_quiet_lps_queues_back_home(void)
{
    struct vmq_stats st;

    mk_flat8(K(900), K(400), 0);
    spread_q1_to_lp1();
    qppm[1] = K(100);
    lpppm[0] = K(100);
    lpppm[1] = K(100);
    eval(2 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 1, 0, VMQ_REASON_COALESCE, K(100));
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 0);
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 1);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.coalesces, 1);
    CU_ASSERT_EQUAL(st.spreads, 1);
    CU_ASSERT_EQUAL(st.moves, 2);
    CU_ASSERT_EQUAL(st.lps_freed, 1);
    done();
}

static void
test_coalesce_needs_load_strictly_below_lower(void)
{
    mk_flat8(K(900), K(400), 0);
    spread_q1_to_lp1();
    qppm[1] = K(400);
    lpppm[1] = K(400);
    eval(2 * P);
    CU_ASSERT_EQUAL(n_dec, 0);
    lpppm[1] = K(400) - 1;
    eval(3 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 1, 0, VMQ_REASON_COALESCE, K(400));
    done();
}

static void
test_coalesce_goes_to_an_lp_in_use_when_home_would_exceed_upper(void)
{
    mk_flat8(K(900), K(400), 0);
    spread_q1_to_lp1();
    add_n(2);                           /* q2, q3 on LP 0 */
    /* Period 2: LP 1 is full, so q2 goes to LP 2. */
    qppm[2] = K(450);
    qppm[3] = K(100);
    qppm[1] = K(800);
    lpppm[0] = VMQ_PPM;
    lpppm[1] = K(800);
    eval(2 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 2, 0, 2, VMQ_REASON_SPREAD, K(450));
    /* Period 3: LP 2 is quiet; home at 850 cannot take q2 (950); LP 1,
     * in use at 600, can (700).  LP 3, idle, is not a coalescing
     * target. */
    loads_zero();
    qppm[1] = K(600);
    qppm[2] = K(100);
    qppm[3] = K(100);
    lpppm[0] = K(850);
    lpppm[1] = K(600);
    lpppm[2] = K(100);
    eval(3 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 2, 2, 1, VMQ_REASON_COALESCE, K(100));
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 2);
    done();
}

static void
test_coalesce_makes_no_move_that_would_exceed_upper(void)
{
    struct vmq_stats st;

    mk_flat8(K(900), K(400), 0);
    spread_q1_to_lp1();
    qppm[1] = K(100);
    lpppm[0] = K(850);                  /* 850 + 100 > 900 */
    lpppm[1] = K(100);
    eval(2 * P);
    CU_ASSERT_EQUAL(n_dec, 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 1);
    lpppm[0] = K(800);                  /* exactly 900 */
    eval(3 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 1, 0, VMQ_REASON_COALESCE, K(100));
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.lps_freed, 1);
    done();
}

/* U 500, L 200, no hysteresis; two periods leave q0 on LP 0, q1 on LP 1,
 * q2 and q3 on LP 2, q4 on LP 3 (as in the distance-tie test). */
static void
four_lps_in_use(void)
{
    mk_flat8(K(500), K(200), 0);
    add_n(4);
    qppm[1] = K(300);
    qppm[2] = K(300);
    qppm[3] = K(300);
    qppm[4] = K(100);
    lpppm[0] = VMQ_PPM;
    eval(P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 2);
    loads_zero();
    qppm[0] = K(100);
    qppm[1] = K(450);
    qppm[3] = K(450);
    qppm[4] = K(450);
    lpppm[0] = VMQ_PPM;
    lpppm[1] = K(450);
    eval(2 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 2);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 3), 2);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 4), 3);
    loads_zero();
    qppm[0] = K(100);
    qppm[1] = K(300);
    qppm[2] = K(150);
    qppm[3] = K(150);
    qppm[4] = K(100);
    lpppm[0] = K(100);
    lpppm[1] = K(300);
    lpppm[2] = K(300);
    lpppm[3] = K(100);                  /* the only LP below L */
}

static void
test_coalesce_prefers_home_over_a_nearer_lp_in_use(void)
{
    four_lps_in_use();
    eval(3 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 4, 3, 0, VMQ_REASON_COALESCE, K(100));
    done();

    /* Home too busy: the nearest LP in use (LP 2 at distance 1, before
     * LP 1 at distance 2; LPs 4..7 are idle, not in use). */
    four_lps_in_use();
    lpppm[0] = K(450);
    eval(3 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 4, 3, 2, VMQ_REASON_COALESCE, K(100));
    done();
}

static void
test_coalesce_is_all_or_nothing_per_lp(void)
{
    mk_flat8(K(900), K(400), 0);
    spread_q1_to_lp1();
    add_n(2);                           /* q2, q3 on LP 0 */
    /* Period 2: q2 joins q1 on LP 1. */
    qppm[1] = K(100);
    qppm[2] = K(350);
    qppm[3] = K(350);
    qppm[0] = K(300);
    lpppm[0] = VMQ_PPM;
    lpppm[1] = K(100);
    eval(2 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 2, 0, 1, VMQ_REASON_SPREAD, K(350));
    /* Period 3: LP 1 quiet (q1 200, q2 150).  Home at 650 takes q1 (850)
     * but not then q2 (1000), and no other LP is in use: neither moves. */
    loads_zero();
    qppm[1] = K(200);
    qppm[2] = K(150);
    lpppm[0] = K(650);
    lpppm[1] = K(350);
    eval(3 * P);
    CU_ASSERT_EQUAL(n_dec, 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 1);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 2), 1);
    /* Period 4: home at 500 takes both, larger first. */
    lpppm[0] = K(500);
    eval(4 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 2);
    check_dec(0, 1, 1, 0, VMQ_REASON_COALESCE, K(200));
    check_dec(1, 2, 1, 0, VMQ_REASON_COALESCE, K(150));
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 1);
    done();
}

static void
test_coalesce_keeps_min_processors_in_use(void)
{
    struct vmq_topology t = topo(8, false, 1, 8);
    struct vmq_config c = flat_cfg(K(900), K(400));
    struct vmq_stats st;

    c.hysteresis_periods = 0;
    c.min_processors = 2;
    mk(&t, &c);
    /* q1 -> LP 1, then q2 -> LP 2. */
    spread_q1_to_lp1();
    add_n(2);
    qppm[1] = K(800);
    qppm[2] = K(450);
    lpppm[0] = VMQ_PPM;
    lpppm[1] = K(800);
    eval(2 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 2, 0, 2, VMQ_REASON_SPREAD, K(450));
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 3);
    /* All quiet: LP 1 may be freed (3 -> 2 LPs), LP 2 may not (2 -> 1). */
    loads_zero();
    qppm[1] = K(100);
    qppm[2] = K(100);
    lpppm[0] = K(100);
    lpppm[1] = K(100);
    lpppm[2] = K(100);
    eval(3 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 1, 0, VMQ_REASON_COALESCE, K(100));
    CU_ASSERT_EQUAL(vmq_lps_in_use(v), 2);
    eval(4 * P);
    CU_ASSERT_EQUAL(n_dec, 0);
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.lps_freed, 1);
    done();
}

static void
test_coalesce_never_empties_the_home_lp(void)
{
    mk_flat8(K(900), K(400), 0);
    spread_q1_to_lp1();
    qppm[0] = K(10);
    qppm[1] = K(600);
    lpppm[0] = K(10);                   /* home quiet, LP 1 busy */
    lpppm[1] = K(600);
    eval(2 * P);
    CU_ASSERT_EQUAL(n_dec, 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 0), 0);
    done();
}

static void
test_lower_threshold_zero_disables_coalescing(void)
{
    mk_flat8(K(900), 0, 0);
    spread_q1_to_lp1();
    eval(2 * P);                        /* every load 0 */
    CU_ASSERT_EQUAL(n_dec, 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 1);
    done();
}

static void
test_queue_moves_at_most_once_per_evaluation(void)
{
    mk_flat8(K(900), K(400), 0);
    add_n(2);
    qppm[0] = K(100);
    qppm[1] = K(200);
    lpppm[0] = VMQ_PPM;
    eval(P);
    /* q1 lands on LP 1 at 200, below L, but is not coalesced back in the
     * same evaluation. */
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 0, 1, VMQ_REASON_SPREAD, K(200));
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 1);
    done();
}

/* --- Hysteresis ---------------------------------------------------------- */

static void
test_hysteresis_holds_a_moved_queue_for_one_period_by_default(void)
{
    mk_flat8(K(900), K(400), VMQ_DEFAULT_HYSTERESIS);
    spread_q1_to_lp1();
    CU_ASSERT(!vmq_queue_movable(v, 1, P));
    CU_ASSERT(!vmq_queue_movable(v, 1, 3 * P - 1));
    CU_ASSERT(vmq_queue_movable(v, 1, 3 * P));
    CU_ASSERT(vmq_queue_movable(v, 0, P));
    CU_ASSERT(!vmq_queue_movable(v, 1, P - 1));     /* before its move */
    CU_ASSERT(!vmq_queue_movable(v, 5, 10 * P));    /* free */
    qppm[1] = K(100);
    lpppm[0] = K(100);
    lpppm[1] = K(100);
    eval(2 * P);                        /* one period after: held */
    CU_ASSERT_EQUAL(n_dec, 0);
    eval(3 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 1, 0, VMQ_REASON_COALESCE, K(100));
    done();
}

static void
test_hysteresis_of_two_periods_holds_twice_and_zero_holds_nothing(void)
{
    mk_flat8(K(900), K(400), 2);
    spread_q1_to_lp1();
    qppm[1] = K(100);
    lpppm[1] = K(100);
    eval(2 * P);
    CU_ASSERT_EQUAL(n_dec, 0);
    eval(3 * P);
    CU_ASSERT_EQUAL(n_dec, 0);
    eval(4 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 1, 0, VMQ_REASON_COALESCE, K(100));
    done();

    mk_flat8(K(900), K(400), 0);
    spread_q1_to_lp1();
    CU_ASSERT(!vmq_queue_movable(v, 1, 2 * P - 1));
    CU_ASSERT(vmq_queue_movable(v, 1, 2 * P));
    qppm[1] = K(100);
    lpppm[1] = K(100);
    eval(2 * P - 1);                    /* less than a period: held */
    CU_ASSERT_EQUAL(n_dec, 0);
    eval(2 * P);
    CU_ASSERT_EQUAL(n_dec, 1);
    done();
}

static void
test_hysteresis_also_holds_spreading(void)
{
    mk_flat8(K(900), K(400), 1);
    spread_q1_to_lp1();                 /* q1 -> LP 1 at P */
    /* At 3P q1 is quiet and coalesces home: moved again at 3P. */
    qppm[1] = K(100);
    lpppm[0] = K(100);
    lpppm[1] = K(100);
    eval(3 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 1, 0, VMQ_REASON_COALESCE, K(100));
    /* At 4P LP 0 is hot; q1 is the largest but held, so q0 goes. */
    loads_zero();
    qppm[0] = K(100);
    qppm[1] = K(500);
    lpppm[0] = VMQ_PPM;
    eval(4 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 0, 0, 1, VMQ_REASON_SPREAD, K(100));
    /* At 5P, with q2 beside it on LP 0, q1 may go again. */
    add_n(2);
    loads_zero();
    qppm[0] = K(100);
    qppm[1] = K(500);
    qppm[2] = K(100);
    lpppm[0] = VMQ_PPM;
    lpppm[1] = K(100);
    eval(5 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 1, 0, 1, VMQ_REASON_SPREAD, K(500));
    done();
}

static void
test_frozen_queue_keeps_its_lp_from_being_coalesced(void)
{
    mk_flat8(K(900), K(400), 1);
    spread_q1_to_lp1();                 /* q1 moved at P */
    add_n(2);
    /* At 3P, q2 joins q1 on LP 1. */
    qppm[0] = K(100);
    qppm[2] = K(400);
    qppm[1] = K(100);
    lpppm[0] = VMQ_PPM;
    lpppm[1] = K(100);
    eval(3 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 1);
    check_dec(0, 2, 0, 1, VMQ_REASON_SPREAD, K(400));
    /* At 4P LP 1 is quiet; q1 may move, q2 is held: LP 1 stays whole. */
    loads_zero();
    qppm[1] = K(100);
    qppm[2] = K(100);
    lpppm[1] = K(200);
    eval(4 * P);
    CU_ASSERT_EQUAL(n_dec, 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 1);
    eval(5 * P);
    CU_ASSERT_EQUAL_FATAL(n_dec, 2);
    check_dec(0, 1, 1, 0, VMQ_REASON_COALESCE, K(100));
    check_dec(1, 2, 1, 0, VMQ_REASON_COALESCE, K(100));
    done();
}

static void
test_freed_and_reused_queue_starts_home_without_history(void)
{
    struct vmq_decision d;
    uint32_t q = 0;

    mk_flat8(K(900), K(400), 5);
    spread_q1_to_lp1();
    CU_ASSERT(!vmq_queue_movable(v, 1, 2 * P));
    CU_ASSERT_EQUAL(vmq_nic_remove(v, 101), 0);
    CU_ASSERT_EQUAL(vmq_lp_n_queues(v, 1), 0);
    CU_ASSERT_EQUAL(vmq_nic_add(v, 300, &q, &d), 0);
    CU_ASSERT_EQUAL(q, 1);
    CU_ASSERT_EQUAL(d.from_lp, NONE);
    CU_ASSERT_EQUAL(d.to_lp, 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 0);
    CU_ASSERT(vmq_queue_movable(v, 1, 2 * P));
    done();
}

/* --- Arguments and atomicity --------------------------------------------- */

static void
test_evaluate_rejects_bad_arguments_and_changes_nothing(void)
{
    struct vmq_load l = { qppm, lpppm };
    struct vmq_load no_q = { NULL, lpppm };
    struct vmq_load no_lp = { qppm, NULL };
    struct vmq_stats st;
    size_t n = 77;

    mk_flat8(K(500), 0, 0);
    add_n(2);
    qppm[1] = K(300);
    qppm[2] = K(300);
    lpppm[0] = VMQ_PPM;
    CU_ASSERT_EQUAL(vmq_evaluate(v, P, NULL, dec, MAXQ, &n), EINVAL);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(vmq_evaluate(v, P, &no_q, dec, MAXQ, &n), EINVAL);
    CU_ASSERT_EQUAL(vmq_evaluate(v, P, &no_lp, dec, MAXQ, &n), EINVAL);
    CU_ASSERT_EQUAL(vmq_evaluate(v, P, &l, NULL, 1, &n), EINVAL);
    CU_ASSERT_EQUAL(vmq_evaluate(v, P, &l, dec, MAXQ, NULL), EINVAL);
    CU_ASSERT_EQUAL(vmq_evaluate(NULL, P, &l, dec, MAXQ, &n), EINVAL);
    CU_ASSERT_EQUAL(vmq_evaluate(v, -1, &l, dec, MAXQ, &n), EINVAL);
    qppm[7] = VMQ_PPM + 1;              /* a free queue's load: checked */
    CU_ASSERT_EQUAL(vmq_evaluate(v, P, &l, dec, MAXQ, &n), EINVAL);
    qppm[7] = 0;
    lpppm[7] = VMQ_PPM + 1;
    CU_ASSERT_EQUAL(vmq_evaluate(v, P, &l, dec, MAXQ, &n), EINVAL);
    lpppm[7] = 0;
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.evaluations, 0);
    CU_ASSERT_EQUAL(vmq_queue_lp(v, 1), 0);
    /* A clean evaluation, then time may stand still but not go back. */
    CU_ASSERT_EQUAL(vmq_evaluate(v, 2 * P, &l, dec, MAXQ, &n), 0);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(vmq_evaluate(v, 2 * P - 1, &l, dec, MAXQ, &n), EINVAL);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(vmq_evaluate(v, 2 * P, &l, dec, MAXQ, &n), 0);
    CU_ASSERT_EQUAL(n, 0);              /* LP 0 has only q0 left */
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.evaluations, 2);
    done();
}

static void
test_evaluate_without_room_for_the_decisions_changes_nothing(void)
{
    struct vmq_load l = { qppm, lpppm };
    struct vmq_stats st;
    size_t n = 77;

    mk_flat8(K(500), 0, 1);
    add_n(5);
    qppm[1] = K(400);
    qppm[2] = K(300);
    qppm[3] = K(200);
    qppm[4] = K(100);
    lpppm[0] = VMQ_PPM;
    CU_ASSERT_EQUAL(vmq_evaluate(v, P, &l, dec, 1, &n), ENOSPC);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(vmq_evaluate(v, P, &l, NULL, 0, &n), ENOSPC);
    for (uint32_t q = 0; q < 6; q++) {
        CU_ASSERT_EQUAL(vmq_queue_lp(v, q), 0);
        CU_ASSERT(vmq_queue_movable(v, q, P));
    }
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.evaluations, 0);
    CU_ASSERT_EQUAL(st.moves, 0);
    CU_ASSERT_EQUAL(st.hot, 0);
    CU_ASSERT_EQUAL(vmq_evaluate(v, P, &l, dec, 2, &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    n_dec = n;
    check_dec(0, 1, 0, 1, VMQ_REASON_SPREAD, K(400));
    check_dec(1, 2, 0, 2, VMQ_REASON_SPREAD, K(300));
    done();
}

static void
test_names(void)
{
    CU_ASSERT_STRING_EQUAL(vmq_mode_name(VMQ_MODE_NONE), "none");
    CU_ASSERT_STRING_EQUAL(vmq_mode_name(VMQ_MODE_STATIC), "static");
    CU_ASSERT_STRING_EQUAL(vmq_mode_name(VMQ_MODE_DYNAMIC), "dynamic");
    CU_ASSERT_PTR_NULL(vmq_mode_name((enum vmq_mode)3));
    CU_ASSERT_STRING_EQUAL(vmq_reason_name(VMQ_REASON_ASSIGN), "assign");
    CU_ASSERT_STRING_EQUAL(vmq_reason_name(VMQ_REASON_SPREAD), "spread");
    CU_ASSERT_STRING_EQUAL(vmq_reason_name(VMQ_REASON_COALESCE),
                           "coalesce");
    CU_ASSERT_PTR_NULL(vmq_reason_name((enum vmq_reason)3));
}

/* --- A pseudo-random run: invariants and determinism --------------------- */

#define RUN_LPS 16
#define RUN_QUEUES 12
#define RUN_EVALS 400

static uint64_t lcg;

static uint32_t
rnd(uint32_t n)
{
    lcg = lcg * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (uint32_t)((lcg >> 33) % n);
}

/* Runs the scenario on a new object; stores every decision in 'log' (room
 * for RUN_EVALS * RUN_QUEUES) and returns their number. */
static size_t
random_run(struct vmq_decision *log, uint32_t final_lp[RUN_QUEUES])
{
    struct vmq_topology t = topo(RUN_LPS, true, 2, RUN_QUEUES);
    struct vmq_config c;
    struct vmq_stats st;
    int64_t moved_at[RUN_QUEUES];
    uint64_t spreads = 0, coalesces = 0;
    size_t total = 0;
    uint32_t next_nic = 1000;

    vmq_config_default(&c);
    c.upper_ppm = K(800);
    c.lower_ppm = K(300);
    mk(&t, &c);                         /* set 2, 4, ..., 14; home 2 */
    lcg = 42;
    for (uint32_t i = 0; i < 10; i++) {
        (void)add(next_nic++);
    }
    for (uint32_t q = 0; q < RUN_QUEUES; q++) {
        moved_at[q] = INT64_MIN / 2;
    }
    for (uint32_t e = 1; e <= RUN_EVALS; e++) {
        int64_t now = (int64_t)e * P;
        int64_t load[RUN_LPS];

        if (e % 50 == 0) {              /* a VM NIC goes, another comes */
            uint32_t victim = 1000 + rnd(next_nic - 1000);
            uint32_t q = vmq_nic_queue(v, victim);

            if (q != NONE && vmq_nic_remove(v, victim) == 0 && q != 0) {
                moved_at[q] = INT64_MIN / 2;
            }
            (void)add(next_nic++);
        }
        loads_zero();
        for (uint32_t q = 0; q < RUN_QUEUES; q++) {
            uint32_t lp = vmq_queue_lp(v, q);

            if (lp == NONE) {
                qppm[q] = rnd(2) ? rnd(K(1000)) : 0;    /* ignored */
                continue;
            }
            qppm[q] = rnd(K(400));
            lpppm[lp] += qppm[q];
        }
        for (uint32_t lp = 0; lp < RUN_LPS; lp++) {
            lpppm[lp] += rnd(K(200));
            if (lpppm[lp] > VMQ_PPM) {
                lpppm[lp] = VMQ_PPM;
            }
            load[lp] = lpppm[lp];
        }
        eval(now);
        for (size_t i = 0; i < n_dec; i++) {
            uint32_t q = dec[i].queue;

            /* Each decision starts where the queue is, ends in the set,
             * respects the hysteresis and keeps the target under U. */
            CU_ASSERT_FATAL(q < RUN_QUEUES);
            CU_ASSERT(vmq_lp_allowed(v, dec[i].to_lp));
            CU_ASSERT(dec[i].from_lp != dec[i].to_lp);
            CU_ASSERT(now - moved_at[q] >= 2 * P);
            CU_ASSERT_EQUAL(dec[i].load_ppm, qppm[q]);
            load[dec[i].from_lp] -= load[dec[i].from_lp] < qppm[q]
                ? load[dec[i].from_lp] : qppm[q];
            load[dec[i].to_lp] += qppm[q];
            CU_ASSERT(load[dec[i].to_lp] <= K(800));
            moved_at[q] = now;
            if (dec[i].reason == VMQ_REASON_SPREAD) {
                spreads++;
            } else {
                CU_ASSERT_EQUAL(dec[i].reason, VMQ_REASON_COALESCE);
                coalesces++;
            }
            log[total++] = dec[i];
        }
        for (uint32_t q = 0; q < RUN_QUEUES; q++) {
            uint32_t lp = vmq_queue_lp(v, q);

            CU_ASSERT(lp == NONE || vmq_lp_allowed(v, lp));
        }
        CU_ASSERT(vmq_queue_lp(v, 0) != NONE);
    }
    vmq_get_stats(v, &st);
    CU_ASSERT_EQUAL(st.spreads, spreads);
    CU_ASSERT_EQUAL(st.coalesces, coalesces);
    CU_ASSERT_EQUAL(st.moves, total);
    CU_ASSERT_EQUAL(st.evaluations, RUN_EVALS);
    CU_ASSERT(spreads > 10);            /* the run exercises both */
    CU_ASSERT(coalesces > 10);
    for (uint32_t q = 0; q < RUN_QUEUES; q++) {
        final_lp[q] = vmq_queue_lp(v, q);
    }
    done();
    return total;
}

static void
test_random_run_keeps_invariants_and_repeats_exactly(void)
{
    static struct vmq_decision a[RUN_EVALS * RUN_QUEUES];
    static struct vmq_decision b[RUN_EVALS * RUN_QUEUES];
    uint32_t fa[RUN_QUEUES], fb[RUN_QUEUES];
    size_t na, nb;

    na = random_run(a, fa);
    nb = random_run(b, fb);
    CU_ASSERT_EQUAL_FATAL(na, nb);
    for (size_t i = 0; i < na; i++) {
        CU_ASSERT_EQUAL(a[i].queue, b[i].queue);
        CU_ASSERT_EQUAL(a[i].from_lp, b[i].from_lp);
        CU_ASSERT_EQUAL(a[i].to_lp, b[i].to_lp);
        CU_ASSERT_EQUAL(a[i].reason, b[i].reason);
        CU_ASSERT_EQUAL(a[i].load_ppm, b[i].load_ppm);
    }
    CU_ASSERT_EQUAL(memcmp(fa, fb, sizeof fa), 0);
}

/* --- Suites ------------------------------------------------------------- */

static const struct cutest_case set_cases[] = {
    CUTEST(test_config_defaults_are_documented_values),
    CUTEST(test_create_with_null_config_takes_the_defaults),
    CUTEST(test_set_with_smt_takes_even_lps_as_the_performance_guide_says),
    CUTEST(test_set_without_physical_cores_only_takes_siblings),
    CUTEST(test_set_without_smt_avoids_lp0_only),
    CUTEST(test_set_respects_base_max_processors_and_max_lp),
    CUTEST(test_set_counts_max_processors_after_leaving_core0_out),
    CUTEST(test_set_falls_back_to_core0_when_nothing_else_is_left),
    CUTEST(test_set_keeps_to_the_numa_node_in_blocks_and_per_lp),
    CUTEST(test_allowed_lps_reports_the_size_beyond_cap),
    CUTEST(test_create_rejects_bad_topologies),
    CUTEST(test_create_rejects_bad_configs),
    CUTEST(test_names),
    CUTEST_END
};

static const struct cutest_case nic_cases[] = {
    CUTEST(test_nics_get_the_lowest_free_queue_then_share_the_default_queue),
    CUTEST(test_nic_add_reports_the_assign_decision),
    CUTEST(test_nic_add_rejects_duplicates_and_bad_arguments),
    CUTEST(test_removed_nic_frees_its_queue_for_the_next_nic_only),
    CUTEST(test_no_vmq_mode_puts_every_nic_on_the_default_queue),
    CUTEST(test_static_assigns_round_robin_over_physical_cores_avoiding_core0),
    CUTEST(test_static_round_robin_respects_base_and_max_processors),
    CUTEST(test_static_round_robin_includes_core0_when_allowed),
    CUTEST(test_static_reused_queue_takes_the_next_processor_in_turn),
    CUTEST(test_static_mode_never_moves_a_queue),
    CUTEST_END
};

static const struct cutest_case dyn_cases[] = {
    CUTEST(test_dynamic_queues_all_start_on_the_home_processor),
    CUTEST(test_spread_sheds_largest_queues_until_the_lp_is_under_upper),
    CUTEST(test_spread_tries_a_smaller_queue_when_the_largest_fits_nowhere),
    CUTEST(test_spread_target_may_reach_upper_but_never_exceed_it),
    CUTEST(test_spread_leaves_an_lp_exactly_at_upper_alone),
    CUTEST(test_spread_never_moves_the_last_queue_off_a_hot_lp),
    CUTEST(test_spread_does_not_move_queues_without_load),
    CUTEST(test_spread_prefers_the_home_numa_node_then_the_nearest_lp),
    CUTEST(test_spread_from_a_middle_lp_breaks_distance_ties_to_the_lower_lp),
    CUTEST(test_spread_handles_several_hot_lps_in_ascending_order),
    CUTEST(test_coalesce_moves_a_quiet_lps_queues_back_home),
    CUTEST(test_coalesce_needs_load_strictly_below_lower),
    CUTEST(test_coalesce_goes_to_an_lp_in_use_when_home_would_exceed_upper),
    CUTEST(test_coalesce_makes_no_move_that_would_exceed_upper),
    CUTEST(test_coalesce_prefers_home_over_a_nearer_lp_in_use),
    CUTEST(test_coalesce_is_all_or_nothing_per_lp),
    CUTEST(test_coalesce_keeps_min_processors_in_use),
    CUTEST(test_coalesce_never_empties_the_home_lp),
    CUTEST(test_lower_threshold_zero_disables_coalescing),
    CUTEST(test_queue_moves_at_most_once_per_evaluation),
    CUTEST_END
};

static const struct cutest_case hyst_cases[] = {
    CUTEST(test_hysteresis_holds_a_moved_queue_for_one_period_by_default),
    CUTEST(test_hysteresis_of_two_periods_holds_twice_and_zero_holds_nothing),
    CUTEST(test_hysteresis_also_holds_spreading),
    CUTEST(test_frozen_queue_keeps_its_lp_from_being_coalesced),
    CUTEST(test_freed_and_reused_queue_starts_home_without_history),
    CUTEST(test_evaluate_rejects_bad_arguments_and_changes_nothing),
    CUTEST(test_evaluate_without_room_for_the_decisions_changes_nothing),
    CUTEST(test_random_run_keeps_invariants_and_repeats_exactly),
    CUTEST_END
};

CUTEST_MAIN({ "vmq-set", set_cases }, { "vmq-nics", nic_cases },
            { "vmq-dynamic", dyn_cases }, { "vmq-hysteresis", hyst_cases });
