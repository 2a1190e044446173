/*
 * hvsched.h -- the hypervisor's scheduler of child virtual processors (VPs)
 * on logical processors (LPs): which VP an LP should run next and for how
 * long, where a woken VP should go, and whether it should preempt.
 *
 * WHAT IT IS.  A pure algorithm over integer time.  It keeps no events and
 * charges no cycles: the simulated CPU model (the integrator) calls it at
 * the instants things happen and passes the time in, as picoseconds since
 * the start of the run.  When an LP is free for guest work the integrator
 * asks hvsched_pick() which VP to run and for how long; when the VP halts
 * (HLT), is preempted or reaches the end of its slice it says so with
 * hvsched_stop(); when a VP gets an interrupt to inject it calls
 * hvsched_wake(), which may answer "kick LP n" (an idle LP, or a running
 * one to preempt).  hvsched_is_switch() tells it when running a VP on an
 * LP means loading a different VP than the last one, the only case in
 * which it charges the VP switch cost of the platform profile.
 *
 * THE RULE.  A weighted fair scheduler by virtual time, as Linux's CFS
 * (vruntime, min_vruntime, sleeper credit, wake-up granularity) and the
 * Xen credit scheduler (weights, a boost for waking VCPUs) do it, with the
 * per-VP "relative weight" of Hyper-V's processor settings (1 .. 10000,
 * default 100).  Each VP has a weight w and a virtual time
 *     vt = (run time in ps) * HVSCHED_VT_SCALE / w
 * kept exactly as an integer quotient and a remainder below w, so a VP of
 * the default weight 100 has vt equal to its run time in picoseconds and
 * a VP of weight 200 ages half as fast.  An LP always runs the runnable VP
 * allowed on it with the lowest vt (ties: lowest VP id), for a fixed slice
 * of time_slice_ps.  Over many slices the run times of competing CPU-bound
 * VPs are therefore proportional to their weights, within one slice.
 *
 * SLEEPERS.  A VP accrues no vt while blocked, so after a long sleep its vt
 * would be far below the others' and it would run alone until it caught
 * up.  To prevent that each LP keeps a floor (from 0): a monotonic sample
 * of the lowest vt competing on it -- the VP picked or stopped there and
 * the runnable VPs allowed there that have run since they last woke --
 * taken before and after every pick and after every stop on that LP.  A
 * VP that has not run since it woke ("fresh") competes on LP p with the
 * effective virtual time
 *     eff = max(vt, floor[p] - sleeper_credit)
 * and the first pick that runs it sets its vt to that value.  So a sleeper
 * gets at most sleeper_credit of head start (by default one slice of a
 * weight-100 VP) over the VPs it competes with on that LP, never their
 * accumulated time.  VPs added during a run start fresh at vt 0 and are
 * placed the same way.
 *
 * WAKE-UP.  hvsched_wake() makes a blocked VP runnable and chooses an LP to
 * kick: an idle allowed LP -- the LP the VP last ran on if it is idle
 * (cache affinity, option 'ignore_last_lp' turns this off), else the
 * lowest-numbered one.  With no idle allowed LP and option 'wake_preempt'
 * (on by default), a running LP p whose VP R satisfies
 *     vt_now(R) - eff(woken, p) > wake_granularity
 * is told to preempt: the last LP of the woken VP if it qualifies, else
 * the one where that lead is largest (ties: lowest LP).  vt_now(R) counts
 * R's run since its pick up to the wake instant.  Otherwise the VP waits
 * for the next pick of an LP it may run on.  An LP once kicked is not
 * chosen again by a wake until it picks, so simultaneous wakes spread over
 * the idle LPs.  Preemption on wake is what gives an I/O VP a short
 * interrupt latency next to a CPU-bound one: without it an interrupt waits
 * up to a slice.
 *
 * HAND-OFF.  A VP that stops at a slice end or is preempted stays
 * runnable and its LP picks again; if the LP picks another VP, the one
 * left waiting may be allowed on an idle LP.  The pick then answers that
 * LP (the lowest idle, not yet kicked LP on which some runnable VP may
 * run) as a kick, so no allowed LP idles while a VP waits -- the scheduler
 * is work-conserving as long as the integrator honours every kick.
 *
 * INVARIANTS.
 *   - A VP is BLOCKED, RUNNABLE (waiting) or RUNNING on exactly one LP; an
 *     LP runs at most one VP; a VP runs only on an LP of its affinity.
 *   - vt * w + vt_rem = HVSCHED_VT_SCALE * run_ps + (the sum of the
 *     sleeper clamps' raises, each times w), with 0 <= vt_rem < w: no
 *     rounding ever accumulates.  A VP's vt never decreases; an LP's floor
 *     never decreases.
 *   - Time passed in never goes backwards (across all calls).
 *   - Every tie is broken by the lower id (VP, then LP).  No floating
 *     point, no randomness: the same calls give the same answers.
 *
 * THE INTEGRATOR'S PROTOCOL.  pick on an LP with no VP running; run the
 * VP, charging the VP switch cost if hvsched_is_switch() (asked before the
 * VP stops); at the slice end, at HLT, or when a wake said "preempt",
 * stop it and pick again on the same LP at the same instant.  A kick
 * answered by a wake or a pick must be followed by a pick on that LP (for
 * a preempting kick, after stopping its VP with HVSCHED_STOP_PREEMPTED);
 * the LP then takes the best VP, which need not be the woken one.  A VP
 * whose slice ends may be picked again at once (no switch then).
 *
 * OWNERSHIP.  The scheduler belongs to its creator (hvsched_destroy());
 * it keeps no pointer to anything else and calls nothing out.
 *
 * ERRORS.  Calls taking ids, weights, affinities, options or times
 * validate them and return 0 or a positive errno, leaving the state
 * unchanged on failure.  Queries returning a value assert their ids.
 *
 * OUT OF SCOPE.  Hyper-V's per-VM reserve and limit (capacity caps and
 * guarantees), weight and affinity changes after creation, gang or
 * sibling (core) scheduling, root VPs, idle-time accounting, and any cost:
 * the integrator charges switch costs from the platform profile.
 *
 * SOURCES.  vnetsim's shared/design/ARCHITECTURE.md (packet path step 7:
 * the guest's VP is scheduled by the hypervisor on some physical CPU) and
 * FACTS.md section 7.3 (the hypervisor handles interrupts and redirects
 * them to partitions), 7.5 (a posted interrupt notifies only if the
 * target VP is not running: hvsched_vp_state()), 5 (the VP switch cost
 * rows the integrator charges on a switch).  FACTS.md records no rule of
 * the scheduler itself.  Outside it: Microsoft's "Manage Hyper-V
 * hypervisor scheduler types" calls the classic scheduler a fair-share,
 * preemptive round-robin scheduler; the Hyper-V PowerShell documentation
 * of Set-VMProcessor gives RelativeWeight 1 .. 10000 (Hyper-V Manager
 * shows 100 by default).  The mechanisms (virtual time, floor, sleeper
 * credit, wake-up granularity, hand-off) are this model's design after
 * CFS and Xen credit as their documentation describes them; no code was
 * taken from either.  See doc/models.md, "The hypervisor's VP scheduler".
 */
#ifndef VNETSIM_MODELS_HVSCHED_H
#define VNETSIM_MODELS_HVSCHED_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hvsched;

/* "No VP" / "no LP". */
#define HVSCHED_NONE UINT32_MAX

/* Limits. */
#define HVSCHED_MAX_LPS 4096u
#define HVSCHED_MAX_VPS 65536u
#define HVSCHED_WEIGHT_MIN 1u
#define HVSCHED_WEIGHT_MAX 10000u
#define HVSCHED_WEIGHT_DEFAULT 100u

/* Virtual time units per picosecond of run at weight 1: a VP of the
 * default weight ages one unit per picosecond of run. */
#define HVSCHED_VT_SCALE ((int64_t)HVSCHED_WEIGHT_DEFAULT)

/* The affinity bitmap: bit (lp % 64) of word (lp / 64). */
#define HVSCHED_AFFINITY_WORDS(n_lps) (((size_t)(n_lps) + 63) / 64)

enum hvsched_vp_state {
    HVSCHED_BLOCKED,
    HVSCHED_RUNNABLE,               /* waiting for an LP */
    HVSCHED_RUNNING,
};

/* Why a running VP stops. */
enum hvsched_stop_reason {
    HVSCHED_STOP_BLOCKED,           /* HLT: it waits for a wake */
    HVSCHED_STOP_PREEMPTED,         /* a wake asked for the LP: runnable */
    HVSCHED_STOP_SLICE_END,         /* its slice is used up: runnable */
};

/* Tunables.  Virtual-time quantities are in vt units (picoseconds of run
 * of a weight-100 VP).  Defaults, set by hvsched_create() from the slice
 * T: wake_preempt true, wake_granularity T / 4, sleeper_credit T,
 * ignore_last_lp false. */
struct hvsched_options {
    bool wake_preempt;              /* a woken VP may preempt a running one */
    int64_t wake_granularity;       /* vt lead needed to preempt, >= 0 */
    int64_t sleeper_credit;         /* head start of a woken VP, >= 0 */
    bool ignore_last_lp;            /* wake: no preference for the last LP */
};

/* What hvsched_wake() asks of the integrator. */
struct hvsched_kick {
    uint32_t lp;                    /* LP to kick, or HVSCHED_NONE */
    bool preempt;                   /* the LP runs a VP: stop it (PREEMPTED)
                                     * and pick; false: the LP is idle */
};

/* Counters of one VP, since its creation.  Times are counted when the
 * stretch ends: run at the stop, waiting at the pick. */
struct hvsched_vp_stats {
    int64_t run_ps;                 /* time run */
    uint64_t picks;                 /* times picked to run */
    uint64_t switches_in;           /* picks that were a VP switch */
    uint64_t preemptions;           /* stops with HVSCHED_STOP_PREEMPTED */
    uint64_t slice_ends;            /* stops with HVSCHED_STOP_SLICE_END */
    uint64_t blocks;                /* stops with HVSCHED_STOP_BLOCKED */
    uint64_t wakeups;               /* blocked -> runnable */
    int64_t wait_ps;                /* time runnable but not running */
    int64_t wait_max_ps;            /* longest single wait */
};

/* Counters of one LP, since the scheduler's creation. */
struct hvsched_lp_stats {
    uint64_t picks;                 /* picks that returned a VP */
    uint64_t empty_picks;           /* picks that found nothing to run */
    uint64_t switches;              /* picks of a VP other than the last */
    uint64_t kicks;                 /* kicks while idle (wake, hand-off) */
    uint64_t preempt_kicks;         /* wakes that asked it to preempt */
};

/* Creates a scheduler of 'n_lps' LPs (1 .. HVSCHED_MAX_LPS) giving slices
 * of 'time_slice_ps' (> 0), with the default options and no VP.  Returns 0
 * and stores it in '*out', or EINVAL or ENOMEM ('*out' untouched). */
int hvsched_create(uint32_t n_lps, int64_t time_slice_ps,
                   struct hvsched **out);

/* Frees the scheduler.  Accepts NULL. */
void hvsched_destroy(struct hvsched *s);

/* Copies the options into '*opt'. */
void hvsched_get_options(const struct hvsched *s,
                         struct hvsched_options *opt);

/* Replaces the options (from the next call on).  Returns 0, or EINVAL for
 * a negative granularity or credit (nothing changes). */
int hvsched_set_options(struct hvsched *s,
                        const struct hvsched_options *opt);

/* Adds a VP of 'weight' (HVSCHED_WEIGHT_MIN .. HVSCHED_WEIGHT_MAX) that
 * may run on the LPs set in 'affinity' ('affinity_words' 64-bit words, see
 * HVSCHED_AFFINITY_WORDS; words past n_lps may be given if zero).  Ids are
 * 0, 1, 2 ... in creation order.  The VP starts blocked, fresh, at vt 0.
 * Returns 0 and stores the id in '*id', or EINVAL (weight out of range,
 * no LP set, a bit set for an LP >= n_lps, too many VPs) or ENOMEM; on
 * failure nothing changes. */
int hvsched_add_vp(struct hvsched *s, uint32_t weight,
                   const uint64_t *affinity, size_t affinity_words,
                   uint32_t *id);

/* VP 'vp' has something to do at 'now_ps' (an interrupt to inject).  A
 * blocked VP becomes runnable and fresh, and '*kick' says which LP, if
 * any, should be kicked (see WAKE-UP above).  A runnable or running VP is
 * left as it is, counts nothing, and gets no kick.  Returns 0, or EINVAL
 * (unknown VP, time earlier than a previous call's). */
int hvsched_wake(struct hvsched *s, uint32_t vp, int64_t now_ps,
                 struct hvsched_kick *kick);

/* LP 'lp', with no VP running on it, is free for guest work at 'now_ps'.
 * Stores in '*vp' the runnable VP allowed on 'lp' with the lowest
 * (effective) virtual time, ties to the lowest id, marks it running on
 * 'lp' and stores the slice in '*slice_ps' (always time_slice_ps: there is
 * no minimum granularity, the slice is fixed; the integrator may stop it
 * earlier).  With nothing to run, stores HVSCHED_NONE and 0.
 * '*kick' is the hand-off (see HAND-OFF): an idle LP to kick for a VP left
 * waiting, or HVSCHED_NONE; 'preempt' is always false.  Returns 0, or
 * EINVAL (LP out of range, time earlier than a previous call's) or EBUSY
 * (a VP is running on 'lp'); '*kick' is set only on success. */
int hvsched_pick(struct hvsched *s, uint32_t lp, int64_t now_ps,
                 uint32_t *vp, int64_t *slice_ps,
                 struct hvsched_kick *kick);

/* Running VP 'vp' stops at 'now_ps' for 'reason': its run since the pick
 * is accounted and its virtual time advanced.  BLOCKED leaves it blocked;
 * PREEMPTED and SLICE_END leave it runnable (waiting from 'now_ps').  The
 * LP is then free.  Returns 0, or EINVAL (unknown VP, VP not running,
 * unknown reason, time earlier than a previous call's). */
int hvsched_stop(struct hvsched *s, uint32_t vp, int64_t now_ps,
                 enum hvsched_stop_reason reason);

/* Whether running 'vp' on 'lp' is a VP switch: 'vp' is not the VP that
 * last stopped on 'lp' (or no VP has run on 'lp' yet).  An LP that idled
 * keeps its last VP loaded.  Asserts its ids. */
bool hvsched_is_switch(const struct hvsched *s, uint32_t lp, uint32_t vp);

/* --- Queries (asserting their ids) ----------------------------------- */

uint32_t hvsched_n_lps(const struct hvsched *s);
uint32_t hvsched_n_vps(const struct hvsched *s);
int64_t hvsched_time_slice_ps(const struct hvsched *s);

enum hvsched_vp_state hvsched_vp_state(const struct hvsched *s, uint32_t vp);

/* The LP 'vp' runs on, or HVSCHED_NONE. */
uint32_t hvsched_vp_lp(const struct hvsched *s, uint32_t vp);

/* The LP 'vp' last ran on (running now or before), or HVSCHED_NONE. */
uint32_t hvsched_vp_last_lp(const struct hvsched *s, uint32_t vp);

uint32_t hvsched_vp_weight(const struct hvsched *s, uint32_t vp);

/* Whether 'vp' may run on 'lp' ('lp' beyond the LPs: false). */
bool hvsched_vp_allowed(const struct hvsched *s, uint32_t vp, uint32_t lp);

/* The virtual time of 'vp' as of its last stop or pick (a fresh VP's
 * unclamped value).  Whether it is fresh (woken, not yet run). */
int64_t hvsched_vp_vtime(const struct hvsched *s, uint32_t vp);
bool hvsched_vp_fresh(const struct hvsched *s, uint32_t vp);

/* The VP running on 'lp', or HVSCHED_NONE. */
uint32_t hvsched_lp_vp(const struct hvsched *s, uint32_t lp);

/* The virtual-time floor of 'lp' (see SLEEPERS). */
int64_t hvsched_lp_floor(const struct hvsched *s, uint32_t lp);

/* Copies the counters of a VP / an LP.  Return 0 or EINVAL (unknown id). */
int hvsched_vp_stats(const struct hvsched *s, uint32_t vp,
                     struct hvsched_vp_stats *out);
int hvsched_lp_stats(const struct hvsched *s, uint32_t lp,
                     struct hvsched_lp_stats *out);

/* Name of a stop reason ("blocked", "preempted", "slice_end"). */
const char *hvsched_stop_reason_name(enum hvsched_stop_reason reason);

#endif /* VNETSIM_MODELS_HVSCHED_H */
