/*
 * hvsched.c -- the VP scheduler of hvsched.h: weighted fair sharing of
 * logical processors by virtual time, with sleeper placement, wake-up
 * placement and wake-up preemption.
 *
 * The file reads in the order of a VP's life: state and accessors; the
 * virtual-time arithmetic (exact quotient and remainder); the per-LP floor
 * and a fresh VP's effective virtual time; pick; stop; wake; creation and
 * the VPs.  Every choice is a linear scan in id order with a strict "<", so
 * ties go to the lowest id without further thought.  The scans are
 * O(VPs) or O(LPs) per call, which is nothing next to the simulation
 * around them at the tens of VPs and LPs a host has.
 */
#include "config.h"

#include "models/hvsched.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"

/* --- State --------------------------------------------------------------- */

struct vp {
    enum hvsched_vp_state state;
    uint32_t weight;
    uint32_t lp;                    /* RUNNING: its LP; else HVSCHED_NONE */
    uint32_t last_lp;               /* LP of its latest pick, or NONE */
    bool fresh;                     /* woken (or created), not yet run */
    int64_t vt;                     /* virtual time, whole units */
    int64_t vt_rem;                 /* remainder, 0 <= vt_rem < weight */
    int64_t since_ps;               /* RUNNING: pick instant; RUNNABLE:
                                     * instant it began waiting */
    struct hvsched_vp_stats st;
};

struct lp {
    uint32_t running;               /* VP running here, or NONE */
    uint32_t last;                  /* VP that last stopped here, or NONE */
    bool kicked;                    /* a wake or hand-off kicked it; cleared
                                     * by its next pick */
    int64_t floor;                  /* monotonic min vt competing here,
                                     * from 0 */
    uint32_t *vps;                  /* the VPs allowed here, ascending id */
    uint32_t n_vps, cap_vps;
    struct hvsched_lp_stats st;
};

struct hvsched {
    uint32_t n_lps;
    size_t words;                   /* affinity words per VP */
    int64_t slice_ps;
    int64_t now_ps;                 /* latest time passed in */
    struct hvsched_options opt;
    struct lp *lps;                 /* n_lps */
    struct vp *vps;                 /* n_vps, room for vp_cap */
    uint64_t *aff;                  /* words per VP, room for aff_cap VPs */
    uint32_t n_vps;
    uint32_t vp_cap;
    uint32_t aff_cap;
};

static const char *const reason_names[] = {
    [HVSCHED_STOP_BLOCKED] = "blocked",
    [HVSCHED_STOP_PREEMPTED] = "preempted",
    [HVSCHED_STOP_SLICE_END] = "slice_end",
};

const char *
hvsched_stop_reason_name(enum hvsched_stop_reason reason)
{
    SIM_ASSERT((unsigned)reason <= HVSCHED_STOP_SLICE_END);
    return reason_names[reason];
}

static bool
allowed(const struct hvsched *s, uint32_t vp, uint32_t lp)
{
    return (s->aff[(size_t)vp * s->words + lp / 64] >> (lp % 64)) & 1u;
}

/* Bit 'lp' of an affinity bitmap of 'words' words (0 past its end). */
static bool
aff_bit(const uint64_t *aff, size_t words, uint32_t lp)
{
    return lp / 64 < words && (aff[lp / 64] >> (lp % 64)) & 1u;
}

/* Validates a time passed in: never before a previous call's. */
static bool
time_ok(const struct hvsched *s, int64_t now_ps)
{
    return now_ps >= s->now_ps;
}

/* --- Virtual time ----------------------------------------------------------
 *
 * vt advances by run_ps * SCALE / w.  The division is carried exactly:
 * vt_rem keeps what did not make a whole unit, and joins the next run, so
 * a VP that runs 1 ps a million times ages exactly as one that runs a
 * million ps once.
 */

/* The largest run accounted in one piece: run_ps * SCALE + remainder must
 * fit in 63 bits (about 25 hours of simulated time). */
#define MAX_RUN_PS \
    ((INT64_MAX - (int64_t)HVSCHED_WEIGHT_MAX) / HVSCHED_VT_SCALE)

/* The virtual time 'v' would have after running 'run_ps' more, and the
 * new remainder in '*rem'. */
static int64_t
vt_after(const struct vp *v, int64_t run_ps, int64_t *rem)
{
    int64_t total, inc;

    SIM_ASSERT(run_ps >= 0 && run_ps <= MAX_RUN_PS);
    total = run_ps * HVSCHED_VT_SCALE + v->vt_rem;
    inc = total / (int64_t)v->weight;
    SIM_ASSERT(v->vt <= INT64_MAX - inc);
    *rem = total % (int64_t)v->weight;
    return v->vt + inc;
}

/* --- Floors and effective virtual time -------------------------------------
 *
 * HOW IT WORKS.  floor[lp] follows, from below and never backwards, the
 * lowest virtual time of what competes on the LP: the VP running there (or
 * the one that has just stopped there, whatever it does next) and the
 * runnable VPs allowed there that are not fresh (a fresh VP's vt is stale
 * by definition: that is what the floor is there to correct).  It is
 * sampled before and after every pick and after every stop on the LP
 * (before a pick, so that an LP that has been idle first learns the time
 * of the VPs now waiting for it).  If nothing competes,
 * the floor keeps its value, so a VP that wakes after everybody slept is
 * still placed against the time the others reached (CFS's min_vruntime
 * does the same per run queue).
 */

/* Samples the floor of 'lp', counting VP 'also' (the VP just picked or
 * stopped there, or HVSCHED_NONE). */
static void
floor_update(struct hvsched *s, uint32_t lp, uint32_t also)
{
    struct lp *l = &s->lps[lp];
    bool found = also != HVSCHED_NONE;
    int64_t low = found ? s->vps[also].vt : 0;

    for (uint32_t k = 0; k < l->n_vps; k++) {
        const struct vp *v = &s->vps[l->vps[k]];
        if (v->state == HVSCHED_RUNNABLE && !v->fresh
            && (!found || v->vt < low)) {
            low = v->vt;
            found = true;
        }
    }
    if (found && low > l->floor) {
        l->floor = low;
    }
}

/* The virtual time 'vp' competes with on 'lp': its own, or for a fresh VP
 * at least floor - sleeper_credit. */
static int64_t
effective_vt(const struct hvsched *s, uint32_t vp, uint32_t lp)
{
    const struct vp *v = &s->vps[vp];
    const struct lp *l = &s->lps[lp];

    if (v->fresh && l->floor > s->opt.sleeper_credit
        && l->floor - s->opt.sleeper_credit > v->vt) {
        return l->floor - s->opt.sleeper_credit;
    }
    return v->vt;
}

/* --- Pick ---------------------------------------------------------------- */

/* After a pick: the lowest idle, unkicked LP on which a VP left waiting
 * may run, or HVSCHED_NONE.  (Only the VP that stopped just before the
 * pick can be such a VP, if the integrator follows the protocol; the scan
 * does not rely on it.) */
static uint32_t
handoff_lp(const struct hvsched *s)
{
    for (uint32_t p = 0; p < s->n_lps; p++) {
        const struct lp *l = &s->lps[p];
        if (l->running != HVSCHED_NONE || l->kicked) {
            continue;
        }
        for (uint32_t k = 0; k < l->n_vps; k++) {
            if (s->vps[l->vps[k]].state == HVSCHED_RUNNABLE) {
                return p;
            }
        }
    }
    return HVSCHED_NONE;
}

int
hvsched_pick(struct hvsched *s, uint32_t lp, int64_t now_ps, uint32_t *vp,
             int64_t *slice_ps, struct hvsched_kick *kick)
{
    uint32_t best = HVSCHED_NONE;
    int64_t best_vt = 0;
    struct lp *l;
    struct vp *v;
    int64_t waited;

    if (lp >= s->n_lps || !time_ok(s, now_ps)) {
        return EINVAL;
    }
    l = &s->lps[lp];
    if (l->running != HVSCHED_NONE) {
        return EBUSY;
    }
    s->now_ps = now_ps;
    l->kicked = false;

    /* 1. The runnable VP allowed here with the lowest effective vt,
     *    fresh VPs placed against the floor of the competition now. */
    floor_update(s, lp, HVSCHED_NONE);
    for (uint32_t k = 0; k < l->n_vps; k++) {
        uint32_t i = l->vps[k];
        if (s->vps[i].state == HVSCHED_RUNNABLE) {
            int64_t e = effective_vt(s, i, lp);
            if (best == HVSCHED_NONE || e < best_vt) {
                best = i;
                best_vt = e;
            }
        }
    }
    kick->lp = HVSCHED_NONE;
    kick->preempt = false;
    if (best == HVSCHED_NONE) {
        l->st.empty_picks++;
        *vp = HVSCHED_NONE;
        *slice_ps = 0;
        return 0;
    }

    /* 2. Place it (the sleeper clamp, remainder kept) and account the
     *    wait that ends here. */
    v = &s->vps[best];
    v->vt = best_vt;
    v->fresh = false;
    waited = now_ps - v->since_ps;
    v->st.wait_ps += waited;
    if (waited > v->st.wait_max_ps) {
        v->st.wait_max_ps = waited;
    }

    /* 3. Run it here. */
    v->st.picks++;
    l->st.picks++;
    if (l->last != best) {
        v->st.switches_in++;
        l->st.switches++;
    }
    v->state = HVSCHED_RUNNING;
    v->lp = lp;
    v->last_lp = lp;
    v->since_ps = now_ps;
    l->running = best;
    floor_update(s, lp, best);

    /* 4. A VP left waiting that an idle LP could run: hand it over. */
    kick->lp = handoff_lp(s);
    if (kick->lp != HVSCHED_NONE) {
        s->lps[kick->lp].kicked = true;
        s->lps[kick->lp].st.kicks++;
    }

    *vp = best;
    *slice_ps = s->slice_ps;
    return 0;
}

/* --- Stop ---------------------------------------------------------------- */

int
hvsched_stop(struct hvsched *s, uint32_t vp, int64_t now_ps,
             enum hvsched_stop_reason reason)
{
    struct vp *v;
    struct lp *l;
    int64_t run, rem;

    if (vp >= s->n_vps || !time_ok(s, now_ps)
        || (unsigned)reason > HVSCHED_STOP_SLICE_END) {
        return EINVAL;
    }
    v = &s->vps[vp];
    if (v->state != HVSCHED_RUNNING) {
        return EINVAL;
    }
    s->now_ps = now_ps;
    l = &s->lps[v->lp];

    run = now_ps - v->since_ps;
    v->vt = vt_after(v, run, &rem);
    v->vt_rem = rem;
    v->st.run_ps += run;

    switch (reason) {
    case HVSCHED_STOP_BLOCKED:
        v->state = HVSCHED_BLOCKED;
        v->st.blocks++;
        break;
    case HVSCHED_STOP_PREEMPTED:
        v->state = HVSCHED_RUNNABLE;
        v->st.preemptions++;
        break;
    case HVSCHED_STOP_SLICE_END:
        v->state = HVSCHED_RUNNABLE;
        v->st.slice_ends++;
        break;
    }
    v->since_ps = now_ps;
    l->running = HVSCHED_NONE;
    l->last = vp;
    floor_update(s, v->lp, vp);
    v->lp = HVSCHED_NONE;
    return 0;
}

/* --- Wake ------------------------------------------------------------------
 *
 * HOW IT WORKS.  Three stages, the first that finds an LP wins:
 *   1. an idle allowed LP (nothing running, not already kicked): the VP's
 *      last LP if it is one of them (unless 'ignore_last_lp'), else the
 *      lowest-numbered;
 *   2. with 'wake_preempt', a running allowed LP (not already kicked)
 *      whose VP is ahead of the woken one by more than the granularity:
 *      the VP's last LP if it qualifies (same option), else the largest
 *      lead, ties to the lowest LP;
 *   3. none: the VP waits for a pick.
 * The running VP's vt is taken as of 'now', counting its current run.
 */

int
hvsched_wake(struct hvsched *s, uint32_t vp, int64_t now_ps,
             struct hvsched_kick *kick)
{
    struct vp *v;
    uint32_t target = HVSCHED_NONE;
    bool preempt = false;

    if (vp >= s->n_vps || !time_ok(s, now_ps)) {
        return EINVAL;
    }
    s->now_ps = now_ps;
    kick->lp = HVSCHED_NONE;
    kick->preempt = false;
    v = &s->vps[vp];
    if (v->state != HVSCHED_BLOCKED) {
        return 0;
    }
    v->state = HVSCHED_RUNNABLE;
    v->fresh = true;
    v->since_ps = now_ps;
    v->st.wakeups++;

    /* 1. An idle LP. */
    for (uint32_t p = 0; p < s->n_lps; p++) {
        const struct lp *l = &s->lps[p];
        if (l->running == HVSCHED_NONE && !l->kicked && allowed(s, vp, p)) {
            if (target == HVSCHED_NONE) {
                target = p;
            }
            if (p == v->last_lp && !s->opt.ignore_last_lp) {
                target = p;
                break;
            }
        }
    }

    /* 2. A running LP to preempt. */
    if (target == HVSCHED_NONE && s->opt.wake_preempt) {
        int64_t best_lead = 0;
        for (uint32_t p = 0; p < s->n_lps; p++) {
            const struct lp *l = &s->lps[p];
            const struct vp *r;
            int64_t rem, now_vt, lead;
            if (l->running == HVSCHED_NONE || l->kicked
                || !allowed(s, vp, p)) {
                continue;
            }
            r = &s->vps[l->running];
            now_vt = vt_after(r, now_ps - r->since_ps, &rem);
            lead = now_vt - effective_vt(s, vp, p);
            if (lead <= s->opt.wake_granularity) {
                continue;
            }
            if (p == v->last_lp && !s->opt.ignore_last_lp) {
                target = p;
                break;
            }
            if (target == HVSCHED_NONE || lead > best_lead) {
                target = p;
                best_lead = lead;
            }
        }
        preempt = target != HVSCHED_NONE;
    }

    if (target != HVSCHED_NONE) {
        struct lp *l = &s->lps[target];
        l->kicked = true;
        if (preempt) {
            l->st.preempt_kicks++;
        } else {
            l->st.kicks++;
        }
        kick->lp = target;
        kick->preempt = preempt;
    }
    return 0;
}

bool
hvsched_is_switch(const struct hvsched *s, uint32_t lp, uint32_t vp)
{
    SIM_ASSERT(lp < s->n_lps && vp < s->n_vps);
    return s->lps[lp].last != vp;
}

/* --- Creation and VPs ---------------------------------------------------- */

int
hvsched_create(uint32_t n_lps, int64_t time_slice_ps, struct hvsched **out)
{
    struct hvsched *s;

    if (n_lps == 0 || n_lps > HVSCHED_MAX_LPS || time_slice_ps <= 0) {
        return EINVAL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        return ENOMEM;
    }
    s->lps = calloc(n_lps, sizeof *s->lps);
    if (!s->lps) {
        free(s);
        return ENOMEM;
    }
    for (uint32_t p = 0; p < n_lps; p++) {
        s->lps[p].running = HVSCHED_NONE;
        s->lps[p].last = HVSCHED_NONE;
    }
    s->n_lps = n_lps;
    s->words = HVSCHED_AFFINITY_WORDS(n_lps);
    s->slice_ps = time_slice_ps;
    s->opt.wake_preempt = true;
    s->opt.wake_granularity = time_slice_ps / 4;
    s->opt.sleeper_credit = time_slice_ps;
    s->opt.ignore_last_lp = false;
    *out = s;
    return 0;
}

void
hvsched_destroy(struct hvsched *s)
{
    if (!s) {
        return;
    }
    for (uint32_t p = 0; p < s->n_lps; p++) {
        free(s->lps[p].vps);
    }
    free(s->aff);
    free(s->vps);
    free(s->lps);
    free(s);
}

void
hvsched_get_options(const struct hvsched *s, struct hvsched_options *opt)
{
    *opt = s->opt;
}

int
hvsched_set_options(struct hvsched *s, const struct hvsched_options *opt)
{
    if (opt->wake_granularity < 0 || opt->sleeper_credit < 0) {
        return EINVAL;
    }
    s->opt = *opt;
    return 0;
}

/* Makes room for one more VP.  On failure the VPs are unchanged (an array
 * that did grow is kept, with its old capacity). */
static int
grow(struct hvsched *s)
{
    uint32_t cap;

    if (s->n_vps < s->vp_cap && s->n_vps < s->aff_cap) {
        return 0;
    }
    cap = s->n_vps < 8 ? 8 : s->n_vps * 2;
    if (cap > HVSCHED_MAX_VPS) {
        cap = HVSCHED_MAX_VPS;
    }
    if (s->vp_cap < cap) {
        struct vp *vps = realloc(s->vps, (size_t)cap * sizeof *vps);
        if (!vps) {
            return ENOMEM;
        }
        s->vps = vps;
        s->vp_cap = cap;
    }
    if (s->aff_cap < cap) {
        uint64_t *aff = realloc(s->aff, (size_t)cap * s->words * sizeof *aff);
        if (!aff) {
            return ENOMEM;
        }
        s->aff = aff;
        s->aff_cap = cap;
    }
    return 0;
}

int
hvsched_add_vp(struct hvsched *s, uint32_t weight, const uint64_t *affinity,
               size_t affinity_words, uint32_t *id)
{
    bool any = false;
    struct vp *v;
    int err;

    if (weight < HVSCHED_WEIGHT_MIN || weight > HVSCHED_WEIGHT_MAX
        || !affinity || s->n_vps >= HVSCHED_MAX_VPS) {
        return EINVAL;
    }
    for (size_t w = 0; w < affinity_words; w++) {
        uint64_t valid;
        if (w >= s->words) {
            valid = 0;
        } else if (w == s->words - 1 && s->n_lps % 64 != 0) {
            valid = (UINT64_C(1) << (s->n_lps % 64)) - 1;
        } else {
            valid = UINT64_MAX;
        }
        if (affinity[w] & ~valid) {
            return EINVAL;                  /* an LP out of range */
        }
        any = any || affinity[w] != 0;
    }
    if (!any) {
        return EINVAL;
    }
    err = grow(s);
    if (err) {
        return err;
    }
    /* Room in every allowed LP's list first, so nothing changes on
     * failure. */
    for (uint32_t p = 0; p < s->n_lps; p++) {
        struct lp *l = &s->lps[p];
        if (aff_bit(affinity, affinity_words, p) && l->n_vps == l->cap_vps) {
            uint32_t cap = l->cap_vps ? 2 * l->cap_vps : 8;
            uint32_t *grown = realloc(l->vps, cap * sizeof *grown);
            if (!grown) {
                return ENOMEM;
            }
            l->vps = grown;
            l->cap_vps = cap;
        }
    }
    for (uint32_t p = 0; p < s->n_lps; p++) {
        if (aff_bit(affinity, affinity_words, p)) {
            s->lps[p].vps[s->lps[p].n_vps++] = s->n_vps;
        }
    }

    for (size_t w = 0; w < s->words; w++) {
        s->aff[(size_t)s->n_vps * s->words + w] =
            w < affinity_words ? affinity[w] : 0;
    }
    v = &s->vps[s->n_vps];
    memset(v, 0, sizeof *v);
    v->state = HVSCHED_BLOCKED;
    v->weight = weight;
    v->lp = HVSCHED_NONE;
    v->last_lp = HVSCHED_NONE;
    v->fresh = true;
    *id = s->n_vps++;
    return 0;
}

/* --- Queries ------------------------------------------------------------- */

uint32_t
hvsched_n_lps(const struct hvsched *s)
{
    return s->n_lps;
}

uint32_t
hvsched_n_vps(const struct hvsched *s)
{
    return s->n_vps;
}

int64_t
hvsched_time_slice_ps(const struct hvsched *s)
{
    return s->slice_ps;
}

static const struct vp *
vp_of(const struct hvsched *s, uint32_t vp)
{
    SIM_ASSERT(vp < s->n_vps);
    return &s->vps[vp];
}

enum hvsched_vp_state
hvsched_vp_state(const struct hvsched *s, uint32_t vp)
{
    return vp_of(s, vp)->state;
}

uint32_t
hvsched_vp_lp(const struct hvsched *s, uint32_t vp)
{
    return vp_of(s, vp)->lp;
}

uint32_t
hvsched_vp_last_lp(const struct hvsched *s, uint32_t vp)
{
    return vp_of(s, vp)->last_lp;
}

uint32_t
hvsched_vp_weight(const struct hvsched *s, uint32_t vp)
{
    return vp_of(s, vp)->weight;
}

bool
hvsched_vp_allowed(const struct hvsched *s, uint32_t vp, uint32_t lp)
{
    (void)vp_of(s, vp);
    return lp < s->n_lps && allowed(s, vp, lp);
}

int64_t
hvsched_vp_vtime(const struct hvsched *s, uint32_t vp)
{
    return vp_of(s, vp)->vt;
}

bool
hvsched_vp_fresh(const struct hvsched *s, uint32_t vp)
{
    return vp_of(s, vp)->fresh;
}

uint32_t
hvsched_lp_vp(const struct hvsched *s, uint32_t lp)
{
    SIM_ASSERT(lp < s->n_lps);
    return s->lps[lp].running;
}

int64_t
hvsched_lp_floor(const struct hvsched *s, uint32_t lp)
{
    SIM_ASSERT(lp < s->n_lps);
    return s->lps[lp].floor;
}

int
hvsched_vp_stats(const struct hvsched *s, uint32_t vp,
                 struct hvsched_vp_stats *out)
{
    if (vp >= s->n_vps) {
        return EINVAL;
    }
    *out = s->vps[vp].st;
    return 0;
}

int
hvsched_lp_stats(const struct hvsched *s, uint32_t lp,
                 struct hvsched_lp_stats *out)
{
    if (lp >= s->n_lps) {
        return EINVAL;
    }
    *out = s->lps[lp].st;
    return 0;
}
