/*
 * vmq.c -- the VMQ queue-to-processor policies of vmq.h: the allowed
 * processor set, queue allocation to VM NICs (first come, first served,
 * then the default queue), static round robin, and the dynamic VMQ
 * evaluation (spread above the upper threshold, coalesce below the lower
 * one, with hysteresis).
 *
 * The file reads in this order: state and validation; the allowed set;
 * creation and the VM NICs; the evaluation (a plan made on scratch copies,
 * then committed in one go, so that a failing call changes nothing);
 * queries.  Every choice is a scan in index order with strict
 * comparisons, so ties go to the lower queue or LP without further
 * thought.  The scans are O(queues x LPs) per evaluation at worst, which
 * is nothing next to one period of simulated traffic at the tens of queues
 * and LPs a host has.
 */
#include "config.h"

#include "models/vmq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"

/* --- State --------------------------------------------------------------- */

struct queue {
    uint32_t lp;                    /* VMQ_NONE while free */
    uint32_t nic;                   /* owner; VMQ_NONE for queue 0 or free */
    bool moved;                     /* moved by an evaluation since it was
                                     * allocated */
    int64_t moved_ps;               /* time of that evaluation */
};

struct nic {
    uint32_t id;
    uint32_t queue;
};

struct vmq {
    struct vmq_config cfg;
    uint32_t n_lps;
    uint32_t *node;                 /* [n_lps] NUMA node of each LP */
    uint32_t *allowed;              /* [n_allowed] ascending */
    uint32_t n_allowed;
    bool *is_allowed;               /* [n_lps] */
    uint32_t home;                  /* allowed[0] */
    struct queue *q;                /* [n_queues] */
    uint32_t n_queues;
    struct nic *nics;               /* [n_nics] in creation order */
    uint32_t n_nics;
    uint32_t nic_cap;
    uint64_t rr;                    /* static: queues handed out so far */
    int64_t last_ps;                /* time of the last evaluation, or -1 */
    struct vmq_stats st;

    /* Scratch of one evaluation, allocated once. */
    int64_t *load;                  /* [n_lps] working LP loads */
    uint32_t *plan;                 /* [n_queues] planned LP of each queue */
    bool *moved_now;                /* [n_queues] moved in this evaluation */
    uint32_t *cnt;                  /* [n_lps] queues per LP in the plan */
    uint32_t *list;                 /* [n_queues] queues of one LP, sorted */
    struct vmq_decision *dec;       /* [n_queues] decisions made */
    int64_t *shed;                  /* [n_queues] load taken off the source
                                     * by decision i (to undo it exactly) */
};

static const char *const mode_names[] = {
    [VMQ_MODE_NONE] = "none",
    [VMQ_MODE_STATIC] = "static",
    [VMQ_MODE_DYNAMIC] = "dynamic",
};

static const char *const reason_names[] = {
    [VMQ_REASON_ASSIGN] = "assign",
    [VMQ_REASON_SPREAD] = "spread",
    [VMQ_REASON_COALESCE] = "coalesce",
};

const char *
vmq_mode_name(enum vmq_mode mode)
{
    return (unsigned)mode <= VMQ_MODE_DYNAMIC ? mode_names[mode] : NULL;
}

const char *
vmq_reason_name(enum vmq_reason reason)
{
    return (unsigned)reason <= VMQ_REASON_COALESCE ? reason_names[reason]
                                                   : NULL;
}

void
vmq_config_default(struct vmq_config *cfg)
{
    SIM_ASSERT(cfg != NULL);
    memset(cfg, 0, sizeof *cfg);
    cfg->mode = VMQ_MODE_DYNAMIC;
    cfg->base_lp = 0;
    cfg->max_processors = VMQ_DEFAULT_MAX_PROCESSORS;
    cfg->max_lp = VMQ_ANY;
    cfg->numa_node = VMQ_ANY;
    cfg->avoid_core0 = true;
    cfg->physical_cores_only = true;
    cfg->min_processors = 1;
    cfg->upper_ppm = VMQ_DEFAULT_UPPER_PPM;
    cfg->lower_ppm = VMQ_DEFAULT_LOWER_PPM;
    cfg->period_ps = VMQ_DEFAULT_PERIOD_PS;
    cfg->hysteresis_periods = VMQ_DEFAULT_HYSTERESIS;
}

/* --- Validation ---------------------------------------------------------- */

static uint32_t
n_nodes_of(const struct vmq_topology *t)
{
    return t->n_nodes == 0 ? 1 : t->n_nodes;
}

static bool
topology_ok(const struct vmq_topology *t)
{
    uint32_t nodes;

    if (!t || t->n_lps == 0 || t->n_lps > VMQ_MAX_LPS
        || (t->smt && t->n_lps % 2 != 0)
        || t->n_queues == 0 || t->n_queues > VMQ_MAX_QUEUES) {
        return false;
    }
    nodes = n_nodes_of(t);
    if (nodes > VMQ_MAX_NODES) {
        return false;
    }
    if (!t->lp_node) {
        /* Equal blocks, each a whole number of cores. */
        uint32_t block;

        if (nodes > t->n_lps || t->n_lps % nodes != 0) {
            return false;
        }
        block = t->n_lps / nodes;
        return !t->smt || block % 2 == 0;
    }
    for (uint32_t lp = 0; lp < t->n_lps; lp++) {
        if (t->lp_node[lp] >= nodes) {
            return false;
        }
        if (t->smt && lp % 2 == 1 && t->lp_node[lp] != t->lp_node[lp - 1]) {
            return false;
        }
    }
    return true;
}

static uint32_t
node_of(const struct vmq_topology *t, uint32_t lp)
{
    if (t->lp_node) {
        return t->lp_node[lp];
    }
    return lp / (t->n_lps / n_nodes_of(t));
}

/* Checks 'c' against a valid topology 't'. */
static bool
config_ok(const struct vmq_topology *t, const struct vmq_config *c)
{
    if ((unsigned)c->mode > VMQ_MODE_DYNAMIC || c->base_lp >= t->n_lps
        || c->max_processors == 0
        || (c->max_lp != VMQ_ANY
            && (c->max_lp >= t->n_lps || c->max_lp < c->base_lp))
        || (c->numa_node != VMQ_ANY && c->numa_node >= n_nodes_of(t))
        || c->min_processors == 0 || c->min_processors > c->max_processors
        || c->upper_ppm == 0 || c->upper_ppm > VMQ_PPM
        || c->lower_ppm >= c->upper_ppm
        || c->period_ps <= 0
        || c->hysteresis_periods > VMQ_MAX_HYSTERESIS) {
        return false;
    }
    /* (hysteresis_periods + 1) * period_ps must be representable. */
    return c->period_ps <= INT64_MAX / ((int64_t)c->hysteresis_periods + 1);
}

/* --- The allowed set ----------------------------------------------------- */

/* Scans the LPs of 't' under 'c', with core 0 allowed or not; stores up to
 * 'cap' of them in 'out' (may be NULL if 'cap' is 0) and returns how many
 * there are (at most max_processors). */
static uint32_t
scan_set(const struct vmq_topology *t, const struct vmq_config *c,
         bool avoid_core0, uint32_t *out, uint32_t cap)
{
    uint32_t last = c->max_lp == VMQ_ANY ? t->n_lps - 1 : c->max_lp;
    uint32_t n = 0;

    for (uint32_t lp = c->base_lp; lp <= last && n < c->max_processors;
         lp++) {
        uint32_t core = t->smt ? lp / 2 : lp;

        if (t->smt && c->physical_cores_only && lp % 2 == 1) {
            continue;
        }
        if (c->numa_node != VMQ_ANY && node_of(t, lp) != c->numa_node) {
            continue;
        }
        if (avoid_core0 && core == 0) {
            continue;
        }
        if (n < cap) {
            out[n] = lp;
        }
        n++;
    }
    return n;
}

/* The allowed set, with the fallback to core 0; 0 if empty. */
static uint32_t
allowed_set(const struct vmq_topology *t, const struct vmq_config *c,
            uint32_t *out, uint32_t cap)
{
    uint32_t n = 0;

    if (c->avoid_core0) {
        n = scan_set(t, c, true, out, cap);
    }
    if (n == 0) {
        n = scan_set(t, c, false, out, cap);
    }
    return n;
}

int
vmq_allowed_lps(const struct vmq_topology *topo, const struct vmq_config *cfg,
                uint32_t *out, uint32_t cap, uint32_t *n)
{
    uint32_t size;

    if (!topology_ok(topo) || !cfg || !config_ok(topo, cfg) || !n
        || (!out && cap > 0)) {
        return EINVAL;
    }
    size = allowed_set(topo, cfg, out, cap);
    if (size == 0) {
        return EINVAL;
    }
    *n = size;
    return 0;
}

/* --- Creation and VM NICs ------------------------------------------------ */

void
vmq_destroy(struct vmq *v)
{
    if (!v) {
        return;
    }
    free(v->node);
    free(v->allowed);
    free(v->is_allowed);
    free(v->q);
    free(v->nics);
    free(v->load);
    free(v->plan);
    free(v->moved_now);
    free(v->cnt);
    free(v->list);
    free(v->dec);
    free(v->shed);
    free(v);
}

int
vmq_create(const struct vmq_topology *topo, const struct vmq_config *cfg,
           struct vmq **out)
{
    struct vmq_config def;
    struct vmq *v;
    uint32_t n_allowed;

    if (!cfg) {
        vmq_config_default(&def);
        cfg = &def;
    }
    if (!out || !topology_ok(topo) || !config_ok(topo, cfg)) {
        return EINVAL;
    }
    n_allowed = allowed_set(topo, cfg, NULL, 0);
    if (n_allowed == 0) {
        return EINVAL;
    }
    v = calloc(1, sizeof *v);
    if (!v) {
        return ENOMEM;
    }
    v->cfg = *cfg;
    v->n_lps = topo->n_lps;
    v->n_queues = topo->n_queues;
    v->n_allowed = n_allowed;
    v->last_ps = -1;
    v->node = calloc(v->n_lps, sizeof *v->node);
    v->allowed = calloc(n_allowed, sizeof *v->allowed);
    v->is_allowed = calloc(v->n_lps, sizeof *v->is_allowed);
    v->q = calloc(v->n_queues, sizeof *v->q);
    v->load = calloc(v->n_lps, sizeof *v->load);
    v->plan = calloc(v->n_queues, sizeof *v->plan);
    v->moved_now = calloc(v->n_queues, sizeof *v->moved_now);
    v->cnt = calloc(v->n_lps, sizeof *v->cnt);
    v->list = calloc(v->n_queues, sizeof *v->list);
    v->dec = calloc(v->n_queues, sizeof *v->dec);
    v->shed = calloc(v->n_queues, sizeof *v->shed);
    if (!v->node || !v->allowed || !v->is_allowed || !v->q || !v->load
        || !v->plan || !v->moved_now || !v->cnt || !v->list || !v->dec
        || !v->shed) {
        vmq_destroy(v);
        return ENOMEM;
    }
    for (uint32_t lp = 0; lp < v->n_lps; lp++) {
        v->node[lp] = node_of(topo, lp);
    }
    (void)allowed_set(topo, cfg, v->allowed, n_allowed);
    for (uint32_t i = 0; i < n_allowed; i++) {
        v->is_allowed[v->allowed[i]] = true;
    }
    v->home = v->allowed[0];
    for (uint32_t i = 0; i < v->n_queues; i++) {
        v->q[i].lp = VMQ_NONE;
        v->q[i].nic = VMQ_NONE;
    }
    v->q[VMQ_DEFAULT_QUEUE].lp = v->home;
    *out = v;
    return 0;
}

static struct nic *
find_nic(const struct vmq *v, uint32_t nic_id)
{
    for (uint32_t i = 0; i < v->n_nics; i++) {
        if (v->nics[i].id == nic_id) {
            return &v->nics[i];
        }
    }
    return NULL;
}

/* The lowest free queue, or VMQ_NONE. */
static uint32_t
free_queue(const struct vmq *v)
{
    for (uint32_t i = 1; i < v->n_queues; i++) {
        if (v->q[i].lp == VMQ_NONE) {
            return i;
        }
    }
    return VMQ_NONE;
}

int
vmq_nic_add(struct vmq *v, uint32_t nic_id, uint32_t *queue,
            struct vmq_decision *assign)
{
    struct vmq_decision d;
    uint32_t q = VMQ_NONE;

    if (!v || !queue || nic_id == VMQ_NONE) {
        return EINVAL;
    }
    if (find_nic(v, nic_id)) {
        return EEXIST;
    }
    if (v->n_nics == v->nic_cap) {
        uint32_t cap = v->nic_cap ? v->nic_cap * 2 : 8;
        struct nic *n = realloc(v->nics, (size_t)cap * sizeof *n);

        if (!n) {
            return ENOMEM;
        }
        v->nics = n;
        v->nic_cap = cap;
    }
    if (v->cfg.mode != VMQ_MODE_NONE) {
        q = free_queue(v);
    }
    if (q == VMQ_NONE) {
        q = VMQ_DEFAULT_QUEUE;
        d.from_lp = v->q[q].lp;
        d.to_lp = v->q[q].lp;
        v->st.nics_on_default++;
        v->st.nics_defaulted++;
    } else {
        uint32_t lp = v->home;

        if (v->cfg.mode == VMQ_MODE_STATIC) {
            lp = v->allowed[v->rr % v->n_allowed];
            v->rr++;
        }
        v->q[q].lp = lp;
        v->q[q].nic = nic_id;
        v->q[q].moved = false;
        v->q[q].moved_ps = 0;
        d.from_lp = VMQ_NONE;
        d.to_lp = lp;
        v->st.assigns++;
    }
    d.queue = q;
    d.reason = VMQ_REASON_ASSIGN;
    d.load_ppm = 0;
    v->nics[v->n_nics].id = nic_id;
    v->nics[v->n_nics].queue = q;
    v->n_nics++;
    v->st.nics++;
    *queue = q;
    if (assign) {
        *assign = d;
    }
    return 0;
}

int
vmq_nic_remove(struct vmq *v, uint32_t nic_id)
{
    struct nic *n;
    size_t i;

    if (!v) {
        return EINVAL;
    }
    n = find_nic(v, nic_id);
    if (!n) {
        return ENOENT;
    }
    if (n->queue == VMQ_DEFAULT_QUEUE) {
        SIM_ASSERT(v->st.nics_on_default > 0);
        v->st.nics_on_default--;
    } else {
        struct queue *q = &v->q[n->queue];

        SIM_ASSERT(q->nic == nic_id);
        q->lp = VMQ_NONE;
        q->nic = VMQ_NONE;
        q->moved = false;
        q->moved_ps = 0;
    }
    i = (size_t)(n - v->nics);
    memmove(&v->nics[i], &v->nics[i + 1],
            (v->n_nics - i - 1) * sizeof *v->nics);
    v->n_nics--;
    v->st.nics--;
    return 0;
}

/* --- The evaluation ---------------------------------------------------------
 *
 * HOW IT WORKS.  The evaluation never touches the state until it has
 * finished.  It copies the LP loads into load[], the queues' LPs into
 * plan[] and counts the queues per LP in cnt[]; every move (move_queue())
 * updates those three and appends a decision to dec[], remembering in
 * shed[] how much it really took off the source (a load does not go below
 * zero, so the subtraction is not always ql).  Coalescing an LP is tried
 * as a whole and undone decision by decision if it cannot complete.  At
 * the end the decisions are copied out, if they fit, and only then the
 * queues' LPs, their hysteresis times and the counters are updated.
 */

static int64_t
dist(uint32_t a, uint32_t b)
{
    return a > b ? (int64_t)a - b : (int64_t)b - a;
}

/* Whether 'a' is a better target than 'b' for a queue leaving 'from':
 * the home LP's node first, then nearer to 'from', then lower. */
static bool
better(const struct vmq *v, uint32_t a, uint32_t b, uint32_t from)
{
    bool a_far = v->node[a] != v->node[v->home];
    bool b_far = v->node[b] != v->node[v->home];

    if (a_far != b_far) {
        return !a_far;
    }
    if (dist(a, from) != dist(b, from)) {
        return dist(a, from) < dist(b, from);
    }
    return a < b;
}

/* Whether 'lp' can take 'ql' more and stay at or under U. */
static bool
fits(const struct vmq *v, uint32_t lp, uint32_t ql)
{
    return v->load[lp] + (int64_t)ql <= (int64_t)v->cfg.upper_ppm;
}

/* The best allowed target other than 'from' that fits 'ql' (and carries
 * a queue, if 'in_use_only'), or VMQ_NONE. */
static uint32_t
best_target(const struct vmq *v, uint32_t from, uint32_t ql, bool in_use_only)
{
    uint32_t best = VMQ_NONE;

    for (uint32_t i = 0; i < v->n_allowed; i++) {
        uint32_t t = v->allowed[i];

        if (t == from || !fits(v, t, ql) || (in_use_only && v->cnt[t] == 0)) {
            continue;
        }
        if (best == VMQ_NONE || better(v, t, best, from)) {
            best = t;
        }
    }
    return best;
}

static bool
movable(const struct vmq *v, uint32_t q, int64_t now_ps)
{
    const struct queue *e = &v->q[q];
    int64_t span;

    if (e->lp == VMQ_NONE) {
        return false;
    }
    if (!e->moved) {
        return true;
    }
    span = ((int64_t)v->cfg.hysteresis_periods + 1) * v->cfg.period_ps;
    return now_ps >= e->moved_ps && now_ps - e->moved_ps >= span;
}

/* Fills v->list with the queues planned on 'lp', in descending load (ties:
 * lower id); returns their number. */
static uint32_t
queues_on(struct vmq *v, uint32_t lp, const uint32_t *ql)
{
    uint32_t n = 0;

    for (uint32_t q = 0; q < v->n_queues; q++) {
        uint32_t j;

        if (v->plan[q] != lp) {
            continue;
        }
        /* Insertion: queues arrive in ascending id, so a strict '>' keeps
         * equal loads in id order. */
        for (j = n; j > 0 && ql[q] > ql[v->list[j - 1]]; j--) {
            v->list[j] = v->list[j - 1];
        }
        v->list[j] = q;
        n++;
    }
    return n;
}

/* Plans moving queue 'q' (load 'ql') to 'to' for 'reason'; returns the
 * decision's index. */
static uint32_t
move_queue(struct vmq *v, uint32_t *n_dec, uint32_t q, uint32_t ql,
           uint32_t to, enum vmq_reason reason)
{
    uint32_t from = v->plan[q];
    uint32_t i = *n_dec;
    int64_t shed = v->load[from] < (int64_t)ql ? v->load[from] : (int64_t)ql;

    SIM_ASSERT(i < v->n_queues && !v->moved_now[q] && from != to);
    v->dec[i].queue = q;
    v->dec[i].from_lp = from;
    v->dec[i].to_lp = to;
    v->dec[i].reason = reason;
    v->dec[i].load_ppm = ql;
    v->shed[i] = shed;
    v->load[from] -= shed;
    v->load[to] += ql;
    v->cnt[from]--;
    v->cnt[to]++;
    v->plan[q] = to;
    v->moved_now[q] = true;
    *n_dec = i + 1;
    return i;
}

/* Undoes the last planned decision. */
static void
undo_last(struct vmq *v, uint32_t *n_dec)
{
    uint32_t i, q, from, to;

    SIM_ASSERT(*n_dec > 0);
    i = --*n_dec;
    q = v->dec[i].queue;
    from = v->dec[i].from_lp;
    to = v->dec[i].to_lp;
    v->load[to] -= v->dec[i].load_ppm;
    v->load[from] += v->shed[i];
    v->cnt[to]--;
    v->cnt[from]++;
    v->plan[q] = from;
    v->moved_now[q] = false;
}

static uint32_t
lps_in_plan(const struct vmq *v)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < v->n_allowed; i++) {
        n += v->cnt[v->allowed[i]] > 0;
    }
    return n;
}

static uint32_t
count_hot(const struct vmq *v)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < v->n_allowed; i++) {
        n += v->load[v->allowed[i]] > (int64_t)v->cfg.upper_ppm;
    }
    return n;
}

/* Step 1: spread every LP above U. */
static void
spread(struct vmq *v, int64_t now_ps, const uint32_t *ql, uint32_t *n_dec)
{
    const int64_t upper = v->cfg.upper_ppm;

    for (uint32_t i = 0; i < v->n_allowed; i++) {
        uint32_t p = v->allowed[i];
        uint32_t n;

        if (v->load[p] <= upper) {
            continue;
        }
        n = queues_on(v, p, ql);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t q = v->list[k];
            uint32_t t;

            if (v->load[p] <= upper || v->cnt[p] <= 1) {
                break;
            }
            if (ql[q] == 0 || v->moved_now[q] || !movable(v, q, now_ps)) {
                continue;
            }
            t = best_target(v, p, ql[q], false);
            if (t != VMQ_NONE) {
                (void)move_queue(v, n_dec, q, ql[q], t, VMQ_REASON_SPREAD);
            }
        }
    }
}

/* Step 2: empty every LP other than home below L, all or nothing.
 * Returns the number of LPs freed. */
static uint32_t
coalesce(struct vmq *v, int64_t now_ps, const uint32_t *ql, uint32_t *n_dec)
{
    uint32_t freed = 0;

    for (uint32_t i = 0; i < v->n_allowed; i++) {
        uint32_t p = v->allowed[i];
        uint32_t n, in_use, start = *n_dec;
        bool ok = true;

        if (p == v->home || v->cnt[p] == 0
            || v->load[p] >= (int64_t)v->cfg.lower_ppm) {
            continue;
        }
        n = queues_on(v, p, ql);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t q = v->list[k];

            if (v->moved_now[q] || !movable(v, q, now_ps)) {
                ok = false;
                break;
            }
        }
        if (!ok) {
            continue;
        }
        in_use = lps_in_plan(v);
        for (uint32_t k = 0; k < n && ok; k++) {
            uint32_t q = v->list[k];
            uint32_t t = fits(v, v->home, ql[q])
                ? v->home : best_target(v, p, ql[q], true);

            if (t == VMQ_NONE) {
                ok = false;
            } else {
                (void)move_queue(v, n_dec, q, ql[q], t, VMQ_REASON_COALESCE);
            }
        }
        if (ok) {
            uint32_t after = lps_in_plan(v);

            ok = after >= in_use || after >= v->cfg.min_processors;
        }
        if (!ok) {
            while (*n_dec > start) {
                undo_last(v, n_dec);
            }
            continue;
        }
        SIM_ASSERT(v->cnt[p] == 0);
        freed++;
    }
    return freed;
}

int
vmq_evaluate(struct vmq *v, int64_t now_ps, const struct vmq_load *loads,
             struct vmq_decision *out, size_t cap, size_t *n_out)
{
    uint32_t n_dec = 0, hot = 0, hot_left = 0, freed = 0;

    if (n_out) {
        *n_out = 0;
    }
    if (!v || !loads || !loads->queue_ppm || !loads->lp_ppm || !n_out
        || (!out && cap > 0) || now_ps < 0 || now_ps < v->last_ps) {
        return EINVAL;
    }
    for (uint32_t q = 0; q < v->n_queues; q++) {
        if (loads->queue_ppm[q] > VMQ_PPM) {
            return EINVAL;
        }
    }
    for (uint32_t lp = 0; lp < v->n_lps; lp++) {
        if (loads->lp_ppm[lp] > VMQ_PPM) {
            return EINVAL;
        }
    }

    if (v->cfg.mode == VMQ_MODE_DYNAMIC) {
        memset(v->cnt, 0, v->n_lps * sizeof *v->cnt);
        for (uint32_t lp = 0; lp < v->n_lps; lp++) {
            v->load[lp] = loads->lp_ppm[lp];
        }
        for (uint32_t q = 0; q < v->n_queues; q++) {
            v->plan[q] = v->q[q].lp;
            v->moved_now[q] = false;
            if (v->q[q].lp != VMQ_NONE) {
                v->cnt[v->q[q].lp]++;
            }
        }
        hot = count_hot(v);
        spread(v, now_ps, loads->queue_ppm, &n_dec);
        hot_left = count_hot(v);
        freed = coalesce(v, now_ps, loads->queue_ppm, &n_dec);
        if (n_dec > cap) {
            return ENOSPC;
        }
    }

    /* Commit. */
    for (uint32_t i = 0; i < n_dec; i++) {
        struct queue *e = &v->q[v->dec[i].queue];

        SIM_ASSERT(e->lp == v->dec[i].from_lp);
        e->lp = v->dec[i].to_lp;
        e->moved = true;
        e->moved_ps = now_ps;
        out[i] = v->dec[i];
        if (v->dec[i].reason == VMQ_REASON_SPREAD) {
            v->st.spreads++;
        } else {
            v->st.coalesces++;
        }
        v->st.moves++;
    }
    v->st.evaluations++;
    v->st.hot += hot;
    v->st.hot_left += hot_left;
    v->st.lps_freed += freed;
    v->last_ps = now_ps;
    *n_out = n_dec;
    return 0;
}

/* --- Queries ----------------------------------------------------------- */

enum vmq_mode
vmq_mode(const struct vmq *v)
{
    return v->cfg.mode;
}

void
vmq_get_config(const struct vmq *v, struct vmq_config *cfg)
{
    *cfg = v->cfg;
}

uint32_t
vmq_n_lps(const struct vmq *v)
{
    return v->n_lps;
}

uint32_t
vmq_n_queues(const struct vmq *v)
{
    return v->n_queues;
}

int64_t
vmq_period_ps(const struct vmq *v)
{
    return v->cfg.period_ps;
}

uint32_t
vmq_home_lp(const struct vmq *v)
{
    return v->home;
}

uint32_t
vmq_lp_set(const struct vmq *v, uint32_t *out, uint32_t cap)
{
    SIM_ASSERT(out != NULL || cap == 0);
    for (uint32_t i = 0; i < v->n_allowed && i < cap; i++) {
        out[i] = v->allowed[i];
    }
    return v->n_allowed;
}

bool
vmq_lp_allowed(const struct vmq *v, uint32_t lp)
{
    return lp < v->n_lps && v->is_allowed[lp];
}

uint32_t
vmq_lp_node(const struct vmq *v, uint32_t lp)
{
    SIM_ASSERT(lp < v->n_lps);
    return v->node[lp];
}

uint32_t
vmq_lp_n_queues(const struct vmq *v, uint32_t lp)
{
    uint32_t n = 0;

    SIM_ASSERT(lp < v->n_lps);
    for (uint32_t q = 0; q < v->n_queues; q++) {
        n += v->q[q].lp == lp;
    }
    return n;
}

uint32_t
vmq_lps_in_use(const struct vmq *v)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < v->n_allowed; i++) {
        n += vmq_lp_n_queues(v, v->allowed[i]) > 0;
    }
    return n;
}

uint32_t
vmq_queue_lp(const struct vmq *v, uint32_t q)
{
    SIM_ASSERT(q < v->n_queues);
    return v->q[q].lp;
}

uint32_t
vmq_queue_nic(const struct vmq *v, uint32_t q)
{
    SIM_ASSERT(q < v->n_queues);
    return v->q[q].nic;
}

bool
vmq_queue_movable(const struct vmq *v, uint32_t q, int64_t now_ps)
{
    SIM_ASSERT(q < v->n_queues);
    return movable(v, q, now_ps);
}

uint32_t
vmq_nic_queue(const struct vmq *v, uint32_t nic_id)
{
    const struct nic *n = find_nic(v, nic_id);

    return n ? n->queue : VMQ_NONE;
}

void
vmq_get_stats(const struct vmq *v, struct vmq_stats *st)
{
    *st = v->st;
}
