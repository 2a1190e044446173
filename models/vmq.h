/*
 * vmq.h -- the queue-to-processor policy of the physical NIC bound to a
 * Hyper-V virtual switch: which receive queue each VM NIC gets, and on
 * which logical processor (LP) each queue's interrupt, and so its DPC and
 * the switch work in it, runs.  Three modes: no VMQ, static VMQ (Windows
 * Server 2008 R2) and dynamic VMQ (dVMQ, Windows Server 2012 and later).
 *
 * WHAT IT IS.  A pure algorithm.  It keeps no events, measures nothing and
 * charges no cycles.  The integrator creates it with the host's topology
 * and a configuration, tells it when a VM NIC appears or goes
 * (vmq_nic_add(), vmq_nic_remove()), and in dynamic mode calls
 * vmq_evaluate() once every evaluation period with the loads it measured
 * over that period (per queue and per LP, in parts per million of one LP's
 * time) and the current time in picoseconds.  The answers are decisions
 * (struct vmq_decision: queue, from LP, to LP, reason, load) that the
 * integrator applies -- it installs the VM NIC's MAC/VLAN filter on the
 * queue, retargets the queue's MSI-X vector -- and records as events.  The
 * module's own view of where each queue is changes when it returns a
 * decision: the integrator must apply every decision it is given.
 *
 * TOPOLOGY.  n_lps LPs numbered 0 .. n_lps - 1.  With 'smt', LPs 2k and
 * 2k + 1 are the two hyper-threads of core k (n_lps even); without it, LP
 * k is core k.  Each LP belongs to a NUMA node: given per LP, or n_nodes
 * equal contiguous blocks (LPs 0 .. n/N - 1 on node 0, ...).  The NIC has
 * n_queues VMQ-capable receive queues; queue 0 is the default queue, which
 * always exists and cannot be given to a VM NIC.
 *
 * THE ALLOWED SET (vmq_allowed_lps(), vmq_lp_set()).  The LPs a queue may
 * use, from the RSS keywords that VMQ reuses (*RssBaseProcNumber,
 * *MaxRssProcessors, *RssMaxProcNumber, *NumaNodeId): in ascending order,
 * every LP p with
 *     base_lp <= p <= max_lp,
 *     p even, if 'smt' and 'physical_cores_only' (one LP per core),
 *     node(p) = numa_node, unless numa_node is VMQ_ANY,
 *     p not on core 0, if 'avoid_core0',
 * truncated to its first max_processors members.  If avoiding core 0
 * leaves the set empty, core 0 is allowed after all; if the set is still
 * empty the configuration is refused (EINVAL).  The first LP of the set is
 * the HOME processor: the base processor, unless the base is on core 0
 * and core 0 is avoided, or is an odd sibling that is skipped.  The
 * default queue is served by the home processor in every mode.  The same
 * function gives the processor set of native RSS under the same keywords.
 *
 * QUEUES FOR VM NICS.  Queues are a limited hardware resource handed out
 * first come, first served: vmq_nic_add() gives a new VM NIC the lowest
 * free queue 1 .. n_queues - 1, and when none is free the NIC shares the
 * default queue (and its processor) for as long as it exists.  A queue
 * freed by vmq_nic_remove() goes to the next NIC added; NICs already on
 * the default queue stay there.  The LP a new queue starts on depends on
 * the mode:
 *   VMQ_MODE_NONE     no queue at all: every VM NIC shares the default
 *                     queue.  This is the NIC bound to the switch with VMQ
 *                     off (NDIS gives it neither VMQ nor RSS), so all the
 *                     switch's receive work runs on one LP.
 *   VMQ_MODE_STATIC   each new queue takes the next LP of the allowed set,
 *                     round robin (the k-th queue handed out since creation,
 *                     k = 0, 1, ..., gets allowed[k mod |set|]), and keeps
 *                     it for the VM NIC's life.  vmq_evaluate() never moves
 *                     anything.
 *   VMQ_MODE_DYNAMIC  every queue starts on the home processor; the
 *                     evaluation spreads and coalesces them (below).
 * The allocation is reported as an ASSIGN decision (from VMQ_NONE for a
 * queue that was free; from and to the home LP for the default queue).
 *
 * DYNAMIC VMQ: ONE EVALUATION.  Let U and L be the upper and lower
 * thresholds (ppm, L < U), load[p] the measured load of LP p and ql[q]
 * that of queue q.  Only allowed LPs and allocated queues (the default
 * queue included) take part.  Every move updates the working loads:
 * load[from] -= ql[q] (not below 0), load[to] += ql[q].  A queue is
 * MOVABLE unless it was moved earlier in this evaluation or by an
 * evaluation at time t with now < t + (hysteresis_periods + 1) *
 * period_ps: with the default of one period, a queue moved at t stays put
 * at t + period and may move again at t + 2 * period.
 *
 *   1. SPREAD.  For every allowed LP p, ascending, with load[p] > U: take
 *      its movable queues with ql > 0 in descending ql (ties: lower queue
 *      id), and for each, while load[p] > U and p carries more than one
 *      queue, move it to the best allowed LP t != p with
 *      load[t] + ql[q] <= U, if there is one (else try the next queue).
 *      Largest first sheds the most per move, so the LP gets under U in
 *      the fewest moves the greedy can find; the last queue is never moved
 *      off a hot LP, since one queue is processed by one LP wherever it
 *      goes.  Targets never exceed U, so a target never becomes hot.
 *   2. COALESCE.  Then for every allowed LP p other than home, ascending,
 *      that carries queues, all movable, with load[p] < L: try to empty
 *      it.  Its queues, in descending ql (ties: lower id), go to the home
 *      LP if load[home] + ql[q] <= U, else to the best allowed LP t != p
 *      that carries at least one queue at that moment with
 *      load[t] + ql[q] <= U.  If every queue finds a place, and the moves
 *      do not bring the number of LPs carrying queues down below
 *      min_processors, they stand (COALESCE decisions, and p is free);
 *      otherwise none of them is made.
 *      All or nothing: moving part of an idle LP's queues frees nothing.
 * "Best" target: on the home LP's NUMA node first (the node of the queue's
 * home, where the NIC's receive buffers are); then nearest to the source
 * LP by index distance |t - p|; then the lower index.  Decisions come out
 * in the order they were made.
 *
 * INVARIANTS.
 *   - An allocated queue is on exactly one LP of the allowed set; a free
 *     queue is on none (VMQ_NONE).  Queue 0 is always allocated.
 *   - A VM NIC has exactly one queue: its own (owned by no other NIC) or
 *     the default queue.
 *   - In static mode no queue ever moves; in no-VMQ mode only queue 0 is
 *     allocated.
 *   - In an evaluation a queue moves at most once, so vmq_n_queues()
 *     decisions are always room enough.  No spread target ends above U.
 *   - Times passed to vmq_evaluate() are >= 0 and never go backwards.
 *   - No floating point, no randomness, no address-dependent order: the
 *     same calls give the same decisions.
 *
 * OWNERSHIP.  The object belongs to its creator (vmq_destroy()).  It
 * copies what it needs of the topology and configuration and keeps no
 * pointer to anything of the caller's.
 *
 * ERRORS.  Fallible calls validate their arguments and return 0 or a
 * positive errno, leaving the state unchanged on failure.  Queries assert
 * their queue and LP numbers; a VM NIC id is the caller's data, and an
 * unknown one is answered with VMQ_NONE.
 *
 * SOURCES.  vnetsim's shared/design/FACTS.md: section 1.1 (NDIS VMQ object
 * model: a receive queue per MAC/VLAN filter, queue 0 the default queue
 * that always exists, per-queue processor affinity changed at run time by
 * retargeting the MSI-X entry; VMQ and RSS exclusive on one adapter),
 * 1.2 (no VMQ: one queue, one processor), 1.3 (static VMQ: assignment
 * fixed for the VM's life; Microsoft networking blog "VMQ Deep Dive, 2 of
 * 3"), 1.4 (dVMQ: home processor, scale up above and down below a
 * threshold; the RSS keywords for base and maximum processors, physical
 * cores only with hyper-threading, core 0 best avoided, 16 cores at most;
 * queues first come, first served, the rest on the default queue; patent
 * US 8,984,526 B2 for the upper-threshold rule on the target, the next
 * closest processor, the home processor and the NUMA node preferences;
 * the simulator-ready pseudo-algorithm), 1.5 (the RSS keywords and their
 * defaults), 1.9 (what each mode does) and 9 item 1 (thresholds, period
 * and hysteresis are not published: parameters).  The numeric defaults of
 * U, L, the period and the hysteresis are this model's assumptions [A];
 * see doc/models.md, "VMQ policies".
 */
#ifndef VNETSIM_MODELS_VMQ_H
#define VNETSIM_MODELS_VMQ_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmq;

/* "No queue", "no LP", "no NIC"; and "any" for max_lp and numa_node. */
#define VMQ_NONE UINT32_MAX
#define VMQ_ANY UINT32_MAX

/* The default queue. */
#define VMQ_DEFAULT_QUEUE 0u

/* One LP's whole time, in parts per million. */
#define VMQ_PPM 1000000u

/* Limits. */
#define VMQ_MAX_LPS 4096u
#define VMQ_MAX_NODES 64u
#define VMQ_MAX_QUEUES 4096u
#define VMQ_MAX_HYSTERESIS 1000000u

/* Defaults set by vmq_config_default().  The thresholds, the period and
 * the hysteresis are not published (FACTS.md 9 item 1); these values are
 * assumptions [A]: U at the top of the 0.8 - 0.9 core range FACTS.md
 * suggests; L so that two LPs just under it fit on one under U (2L <= U);
 * the period at the short end of the suggested 100 ms - 1 s; one period
 * of hysteresis.  The others are the documented keyword defaults (16
 * processors) and the performance guide's advice (physical cores only,
 * core 0 avoided). */
#define VMQ_DEFAULT_UPPER_PPM 900000u
#define VMQ_DEFAULT_LOWER_PPM 400000u
#define VMQ_DEFAULT_PERIOD_PS INT64_C(100000000000)     /* 100 ms */
#define VMQ_DEFAULT_HYSTERESIS 1u
#define VMQ_DEFAULT_MAX_PROCESSORS 16u

enum vmq_mode {
    VMQ_MODE_NONE,                  /* no VMQ: everything on queue 0 */
    VMQ_MODE_STATIC,                /* WS2008 R2: fixed round robin */
    VMQ_MODE_DYNAMIC,               /* WS2012+: spread and coalesce */
};

enum vmq_reason {
    VMQ_REASON_ASSIGN,              /* a VM NIC was given a queue */
    VMQ_REASON_SPREAD,              /* moved off an LP above U */
    VMQ_REASON_COALESCE,            /* moved off an LP below L to free it */
};

/* The host, as vmq_create() and vmq_allowed_lps() read it. */
struct vmq_topology {
    uint32_t n_lps;                 /* 1 .. VMQ_MAX_LPS */
    bool smt;                       /* LPs 2k, 2k+1 are core k (n_lps even) */
    const uint32_t *lp_node;        /* NUMA node of each LP (n_lps entries,
                                     * each < n_nodes; siblings on one node),
                                     * or NULL: n_nodes equal contiguous
                                     * blocks (a whole number of cores) */
    uint32_t n_nodes;               /* 1 .. VMQ_MAX_NODES; 0 counts as 1 */
    uint32_t n_queues;              /* VMQ-capable queues with the default
                                     * one, 1 .. VMQ_MAX_QUEUES */
};

/* The policy's settings.  Start from vmq_config_default(). */
struct vmq_config {
    enum vmq_mode mode;             /* default DYNAMIC */
    uint32_t base_lp;               /* *RssBaseProcNumber, < n_lps; 0 */
    uint32_t max_processors;        /* *MaxRssProcessors, >= 1; 16 */
    uint32_t max_lp;                /* *RssMaxProcNumber, base_lp .. n_lps - 1,
                                     * or VMQ_ANY (default) */
    uint32_t numa_node;             /* *NumaNodeId, < n_nodes, or VMQ_ANY
                                     * (default) */
    bool avoid_core0;               /* leave core 0 out of the set; true */
    bool physical_cores_only;       /* with smt, even LPs only; true */
    uint32_t min_processors;        /* dynamic: coalescing keeps at least
                                     * this many LPs carrying queues,
                                     * 1 .. max_processors; 1 */
    uint32_t upper_ppm;             /* U, 1 .. VMQ_PPM; 900000 [A] */
    uint32_t lower_ppm;             /* L, 0 .. U - 1 (0: never coalesce);
                                     * 400000 [A] */
    int64_t period_ps;              /* evaluation period, > 0; 100 ms [A] */
    uint32_t hysteresis_periods;    /* 0 .. VMQ_MAX_HYSTERESIS; 1 [A] */
};

/* A decision for the integrator to apply (and record). */
struct vmq_decision {
    uint32_t queue;
    uint32_t from_lp;               /* VMQ_NONE: the queue was free */
    uint32_t to_lp;
    enum vmq_reason reason;
    uint32_t load_ppm;              /* the queue's load that was measured
                                     * (0 for ASSIGN) */
};

/* The loads of one evaluation period, in ppm of one LP's time (each at
 * most VMQ_PPM).  The queue loads of free queues and the LP loads of LPs
 * outside the allowed set are read (and checked) but not used. */
struct vmq_load {
    const uint32_t *queue_ppm;      /* n_queues entries: the time the
                                     * queue's processing took */
    const uint32_t *lp_ppm;         /* n_lps entries: the LP's busy time,
                                     * all work counted */
};

/* Counters since creation, and two gauges. */
struct vmq_stats {
    uint64_t evaluations;           /* successful vmq_evaluate() calls */
    uint64_t moves;                 /* spreads + coalesces */
    uint64_t spreads;               /* SPREAD decisions */
    uint64_t coalesces;             /* COALESCE decisions */
    uint64_t lps_freed;             /* LPs emptied by coalescing */
    uint64_t hot;                   /* allowed LPs found above U (summed
                                     * over evaluations, dynamic mode) */
    uint64_t hot_left;              /* of those, still above U after
                                     * spreading */
    uint64_t assigns;               /* queues handed to VM NICs */
    uint64_t nics_defaulted;        /* VM NICs added onto the default queue */
    uint32_t nics;                  /* VM NICs now */
    uint32_t nics_on_default;       /* of which share the default queue */
};

/* Fills '*cfg' with the defaults (see struct vmq_config). */
void vmq_config_default(struct vmq_config *cfg);

/* Computes the allowed set of 'topo' under 'cfg' (see THE ALLOWED SET):
 * stores its size in '*n' and its first min(size, 'cap') LPs, ascending,
 * in 'out' ('out' may be NULL when 'cap' is 0).  Usable on its own for the
 * processor set of RSS.  Returns 0, or EINVAL (bad topology or
 * configuration, or an empty set; '*n' untouched). */
int vmq_allowed_lps(const struct vmq_topology *topo,
                    const struct vmq_config *cfg, uint32_t *out,
                    uint32_t cap, uint32_t *n);

/* Creates the policy of a NIC with 'topo' under 'cfg' (NULL: the
 * defaults): queue 0 on the home LP, every other queue free, no VM NIC.
 * Returns 0 and stores it in '*out', or EINVAL (bad topology or
 * configuration, empty allowed set) or ENOMEM ('*out' untouched). */
int vmq_create(const struct vmq_topology *topo, const struct vmq_config *cfg,
               struct vmq **out);

/* Frees it.  Accepts NULL. */
void vmq_destroy(struct vmq *v);

/* A VM NIC 'nic_id' (any value but VMQ_NONE, unique among the current
 * NICs) is created.  Stores its queue in '*queue': the lowest free queue,
 * or VMQ_DEFAULT_QUEUE in no-VMQ mode or when none is free.  If 'assign'
 * is not NULL it receives the ASSIGN decision (for the default queue: from
 * and to its LP, nothing to retarget).  Returns 0, or EINVAL (NULL
 * argument, VMQ_NONE), EEXIST (the id is in use) or ENOMEM. */
int vmq_nic_add(struct vmq *v, uint32_t nic_id, uint32_t *queue,
                struct vmq_decision *assign);

/* VM NIC 'nic_id' goes away; its own queue, if it had one, becomes free
 * (no LP, history forgotten).  Returns 0, EINVAL ('v' NULL) or ENOENT. */
int vmq_nic_remove(struct vmq *v, uint32_t nic_id);

/* One evaluation at 'now_ps' with the loads of the period that ends then
 * (see DYNAMIC VMQ).  Writes the decisions into 'out' (room for 'cap';
 * vmq_n_queues() is always enough) and their number into '*n_out', and
 * takes them as applied.  In no-VMQ and static mode it only checks the
 * arguments and counts the evaluation: no decision.  Returns 0, or EINVAL
 * (NULL argument, 'out' NULL with 'cap' > 0, a load above VMQ_PPM, a
 * negative time or one earlier than the previous evaluation's) or ENOSPC
 * (more decisions than 'cap'); on failure nothing changes and '*n_out'
 * is 0 (if not NULL). */
int vmq_evaluate(struct vmq *v, int64_t now_ps, const struct vmq_load *loads,
                 struct vmq_decision *out, size_t cap, size_t *n_out);

/* --- Queries ----------------------------------------------------------- */

enum vmq_mode vmq_mode(const struct vmq *v);
void vmq_get_config(const struct vmq *v, struct vmq_config *cfg);
uint32_t vmq_n_lps(const struct vmq *v);
uint32_t vmq_n_queues(const struct vmq *v);

/* The evaluation period the integrator should call vmq_evaluate() at. */
int64_t vmq_period_ps(const struct vmq *v);

/* The home LP: the first of the allowed set. */
uint32_t vmq_home_lp(const struct vmq *v);

/* Copies the first min(size, 'cap') LPs of the allowed set, ascending,
 * into 'out' (may be NULL if 'cap' is 0) and returns its size. */
uint32_t vmq_lp_set(const struct vmq *v, uint32_t *out, uint32_t cap);

/* Whether 'lp' is in the allowed set ('lp' beyond the LPs: false). */
bool vmq_lp_allowed(const struct vmq *v, uint32_t lp);

/* The NUMA node of 'lp'. */
uint32_t vmq_lp_node(const struct vmq *v, uint32_t lp);

/* The number of allocated queues on 'lp'. */
uint32_t vmq_lp_n_queues(const struct vmq *v, uint32_t lp);

/* The number of LPs that carry at least one queue. */
uint32_t vmq_lps_in_use(const struct vmq *v);

/* The LP of queue 'q', or VMQ_NONE if it is free. */
uint32_t vmq_queue_lp(const struct vmq *v, uint32_t q);

/* The VM NIC that owns queue 'q', or VMQ_NONE (free, or the default
 * queue, which no NIC owns). */
uint32_t vmq_queue_nic(const struct vmq *v, uint32_t q);

/* Whether an evaluation at 'now_ps' may move queue 'q' under the
 * hysteresis rule (false for a free queue, and for a time before its last
 * move). */
bool vmq_queue_movable(const struct vmq *v, uint32_t q, int64_t now_ps);

/* The queue of VM NIC 'nic_id', or VMQ_NONE for an unknown NIC. */
uint32_t vmq_nic_queue(const struct vmq *v, uint32_t nic_id);

/* Copies the counters. */
void vmq_get_stats(const struct vmq *v, struct vmq_stats *st);

/* Static names: "none", "static", "dynamic"; "assign", "spread",
 * "coalesce".  NULL for a value out of range. */
const char *vmq_mode_name(enum vmq_mode mode);
const char *vmq_reason_name(enum vmq_reason reason);

#endif /* VNETSIM_MODELS_VMQ_H */
