/*
 * sched.c -- the event engine of sim.h: event records, scheduling,
 * cancellation, the run loop, the fingerprint and the component registry.
 * The priority queue of pending keys lives in queue.h/queue.c.
 *
 * HOW IT WORKS.  Every scheduled event owns a 24-byte record in one
 * contiguous array (records are named by index, never by pointer, so the
 * array may move when it grows, by a sixteenth).  Free records form a LIFO
 * list threaded through their 'ctx' field.  The queue (queue.h: a small
 * heap in front of a calendar of buckets) holds a 16-byte key per event:
 * its time and 'ord' = sequence number << 28 | record index.
 *
 * RECORD.  'ctx', 'comp', 'kind', a 16-bit handler number 'fn' (handler
 * pointers are interned in a per-simulation table; number 0 marks a free
 * record, or a cancelled one still referenced by a key), a 32-bit
 * generation 'gen' and 'loc', where the queue filed the key (queue.h).
 * An event id is gen << 28 | index.  'gen' is bumped whenever the record's
 * event stops being pending (it runs or is cancelled), so a record holds a
 * pending event exactly when its 'gen' equals the one in the id.  Records
 * whose generation reaches 2^32 - 1 are retired instead of reused (24
 * bytes lost per 4 billion reuses of one record), so an id is never handed
 * out twice.  Invariant: the queue never holds two keys naming one record.
 *
 * CANCELLATION is eager where it is cheap and lazy elsewhere.  A key filed
 * in a calendar bucket or the overflow list (most of them in a large
 * queue) is removed at once by simq_remove(), which 'loc' makes O(1), and
 * the record is recycled.  A key in the heap (a small queue, or the near
 * future of a large one) or one whose 'loc' went stale stays queued: the
 * record becomes a tombstone (fn = 0) until the key reaches the top, or
 * until tombstones pass a quarter of all keys, when simq_filter() drops
 * them all in linear time.  So the queue never holds more than 4/3 of the
 * pending events (plus a constant), in practice much less, and each
 * cancellation costs O(1) amortized.
 *
 * RUN LOOP.  The event at the top is copied out, its record freed and its
 * handler called while its key stays at the top ("consumed").  The first
 * event the handler schedules then replaces the top key with one sift-down,
 * instead of a pop plus a push (when it falls in the heap's range); if the
 * handler schedules nothing, the key is popped afterwards.  The run loop
 * asserts that time never goes backwards.  settle() performs that
 * deferred pop before anything that needs a clean heap.  Events at
 * SIM_TIME_MAX ("never") stay queued: when one reaches the top of a run
 * until SIM_TIME_MAX, the run ends as if the queue were empty.
 *
 * SEQUENCE NUMBERS take 36 bits of a key.  When they run out (after 2^36
 * schedules) the heap is sorted and renumbered by rank, which keeps every
 * relative order; ids do not depend on sequence numbers.
 */
#include <config.h>
#include "sim/sim.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"
#include "sim/queue.h"
#include "sim/sim-private.h"

#define GEN_LIMIT UINT32_MAX
#define NO_RECORD UINT32_MAX
#define MIN_REC_GROWTH 64
#define FN_LIMIT 65535
#define COMPACT_MIN 64

struct rec {
    void *ctx;                  /* handler context, or next free index */
    uint32_t gen;               /* generation, 1 .. GEN_LIMIT */
    uint32_t loc;               /* where the key was filed (queue.h) */
    uint32_t comp;
    uint16_t kind;
    uint16_t fn;                /* index into fns; 0 = free or cancelled */
};

_Static_assert(sizeof(struct rec) == 24, "an event record is 24 bytes");

struct sim {
    sim_time_t now;
    struct simq q;
    bool consumed;              /* top key belongs to the running event */
    bool running;               /* inside sim_run() */
    bool stop;
    uint64_t next_seq;
    size_t tombstones;          /* cancelled keys still in the heap */

    struct rec *recs;
    uint32_t n_recs, cap_recs;
    uint32_t free_head;

    sim_handler_fn **fns;       /* fns[0] unused */
    uint32_t n_fns, cap_fns;
    uint16_t *fn_hash;          /* open addressing, 0 = empty */
    uint32_t fn_hash_mask;
    sim_handler_fn *last_fn;
    uint16_t last_fn_idx;

    uint64_t executed;
    uint64_t fingerprint;

    char **paths;
    uint32_t n_comps, cap_comps;
};

/* ---- creation ---- */

static simq_keep_fn keep_live;

struct sim *
sim_create(void)
{
    struct sim *sim = calloc(1, sizeof *sim);

    if (!sim) {
        return NULL;
    }
    simq_init(&sim->q, keep_live, sim, &sim->tombstones,
              (void *const *)&sim->recs, sizeof(struct rec),
              offsetof(struct rec, loc));
    sim->free_head = NO_RECORD;
    sim->fingerprint = SIM_FINGERPRINT_INIT;
    sim->n_fns = 1;
    sim->paths = malloc(4 * sizeof *sim->paths);
    if (sim->paths) {
        sim->paths[0] = strdup("");
    }
    if (!sim->paths || !sim->paths[0]) {
        free(sim->paths);
        free(sim);
        return NULL;
    }
    sim->n_comps = 1;
    sim->cap_comps = 4;
    return sim;
}

void
sim_destroy(struct sim *sim)
{
    if (!sim) {
        return;
    }
    simq_free(&sim->q);
    free(sim->recs);
    free(sim->fns);
    free(sim->fn_hash);
    for (uint32_t i = 0; i < sim->n_comps; i++) {
        free(sim->paths[i]);
    }
    free(sim->paths);
    free(sim);
}

sim_time_t
sim_now(const struct sim *sim)
{
    return sim->now;
}

/* ---- records ---- */

static inline void
rec_release(struct sim *sim, uint32_t idx)
{
    struct rec *r = &sim->recs[idx];

    r->gen++;
    r->fn = 0;
    if (r->gen == GEN_LIMIT) {
        return;                 /* retired: its ids are all used up */
    }
    r->ctx = (void *)(uintptr_t)sim->free_head;
    sim->free_head = idx;
}

/* Returns a free record index, or NO_RECORD if memory is exhausted. */
static inline uint32_t
rec_alloc(struct sim *sim)
{
    uint32_t idx = sim->free_head;

    if (idx != NO_RECORD) {
        sim->free_head = (uint32_t)(uintptr_t)sim->recs[idx].ctx;
        return idx;
    }
    if (sim->n_recs == sim->cap_recs) {
        uint64_t cap = (uint64_t)sim->cap_recs
            + (sim->cap_recs / 16 > MIN_REC_GROWTH ? sim->cap_recs / 16
                                                   : MIN_REC_GROWTH);
        struct rec *recs;

        if (cap > SIMQ_IDX_MASK + 1) {
            cap = SIMQ_IDX_MASK + 1;
        }
        if (cap <= sim->cap_recs) {
            return NO_RECORD;
        }
        recs = realloc(sim->recs, cap * sizeof *recs);
        if (!recs) {
            return NO_RECORD;
        }
        sim->recs = recs;
        sim->cap_recs = (uint32_t)cap;
    }
    idx = sim->n_recs++;
    sim->recs[idx].gen = 1;
    return idx;
}

static int fn_grow(struct sim *sim);

/* Returns the interned number of handler 'fn', or 0 on ENOMEM. */
static uint16_t
fn_intern(struct sim *sim, sim_handler_fn *fn)
{
    uint32_t h;

    if (fn == sim->last_fn) {
        return sim->last_fn_idx;
    }
    if (sim->fn_hash) {
        h = (uint32_t)(((uintptr_t)fn * UINT64_C(0x9e3779b97f4a7c15)) >> 40);
        for (;; h++) {
            uint16_t i = sim->fn_hash[h & sim->fn_hash_mask];
            if (!i) {
                break;
            }
            if (sim->fns[i] == fn) {
                sim->last_fn = fn;
                sim->last_fn_idx = i;
                return i;
            }
        }
    }
    if (sim->n_fns >= FN_LIMIT
        || ((sim->n_fns + 1) * 2 > sim->fn_hash_mask + 1 && fn_grow(sim))) {
        return 0;
    }
    uint16_t idx = (uint16_t)sim->n_fns++;
    sim->fns[idx] = fn;
    h = (uint32_t)(((uintptr_t)fn * UINT64_C(0x9e3779b97f4a7c15)) >> 40);
    while (sim->fn_hash[h & sim->fn_hash_mask]) {
        h++;
    }
    sim->fn_hash[h & sim->fn_hash_mask] = idx;
    sim->last_fn = fn;
    sim->last_fn_idx = idx;
    return idx;
}

static int
fn_grow(struct sim *sim)
{
    uint32_t size = sim->fn_hash ? (sim->fn_hash_mask + 1) * 2 : 64;
    uint16_t *hash = calloc(size, sizeof *hash);
    sim_handler_fn **fns = realloc(sim->fns, size * sizeof *fns);

    if (!hash || !fns) {
        free(hash);
        if (fns) {
            sim->fns = fns;
        }
        return ENOMEM;
    }
    sim->fns = fns;
    for (uint32_t i = 1; i < sim->n_fns; i++) {
        uint32_t h = (uint32_t)(((uintptr_t)fns[i]
                                 * UINT64_C(0x9e3779b97f4a7c15)) >> 40);
        while (hash[h & (size - 1)]) {
            h++;
        }
        hash[h & (size - 1)] = (uint16_t)i;
    }
    free(sim->fn_hash);
    sim->fn_hash = hash;
    sim->fn_hash_mask = size - 1;
    return 0;
}

/* ---- queue maintenance ---- */

/* The queue's filter: drops the key of a cancelled event (a tombstone,
 * whose generation was bumped at cancel time) and recycles its record. */
static bool
keep_live(void *sim_, const struct simq_key *key)
{
    struct sim *sim = sim_;
    uint32_t idx = simq_idx(key);
    struct rec *r = &sim->recs[idx];

    if (r->fn != 0) {
        return true;
    }
    if (r->gen < GEN_LIMIT) {
        r->ctx = (void *)(uintptr_t)sim->free_head;
        sim->free_head = idx;
    }
    sim->tombstones--;
    return false;
}

/* Performs the deferred pop of a consumed top key. */
static inline void
settle(struct sim *sim)
{
    if (sim->consumed) {
        sim->consumed = false;
        simq_pop(&sim->q);
    }
}

static void
compact(struct sim *sim)
{
    settle(sim);
    simq_filter(&sim->q);
    SIM_ASSERT(sim->tombstones == 0);
}

/* ---- scheduling ---- */

int
sim_schedule_at(struct sim *sim, sim_time_t when, sim_component_id comp,
                uint16_t kind, sim_handler_fn *fn, void *ctx,
                sim_event_id *id)
{
    struct simq_key key;
    uint16_t fn_idx;
    uint32_t idx;
    struct rec *r;

    if (when < sim->now || !fn) {
        return EINVAL;
    }
    fn_idx = fn_intern(sim, fn);
    if (!fn_idx) {
        return ENOMEM;
    }
    if (simq_reserve(&sim->q, when)) {
        return ENOMEM;
    }
    idx = rec_alloc(sim);
    if (idx == NO_RECORD) {
        return ENOMEM;
    }
    if (sim->next_seq >= SIMQ_SEQ_LIMIT) {
        settle(sim);
        if (sim->tombstones) {
            compact(sim);
        }
        sim->next_seq = simq_renumber(&sim->q);
        if (sim->next_seq == UINT64_MAX) {
            sim->next_seq = SIMQ_SEQ_LIMIT;
            rec_release(sim, idx);
            return ENOMEM;
        }
        if (simq_reserve(&sim->q, when)) {
            rec_release(sim, idx);
            return ENOMEM;
        }
    }
    r = &sim->recs[idx];
    r->ctx = ctx;
    r->comp = comp;
    r->kind = kind;
    r->fn = fn_idx;
    key.time_ps = when;
    key.ord = sim->next_seq++ << SIMQ_IDX_BITS | idx;
    if (sim->consumed) {
        sim->consumed = false;
        r->loc = simq_replace_top(&sim->q, key);
    } else {
        r->loc = simq_push(&sim->q, key);
    }
    if (id) {
        *id = (uint64_t)r->gen << SIMQ_IDX_BITS | idx;
    }
    return 0;
}

int
sim_schedule_in(struct sim *sim, sim_time_t delay, sim_component_id comp,
                uint16_t kind, sim_handler_fn *fn, void *ctx,
                sim_event_id *id)
{
    if (delay < 0 || delay > SIM_TIME_MAX - sim->now) {
        return EINVAL;
    }
    return sim_schedule_at(sim, sim->now + delay, comp, kind, fn, ctx, id);
}

/* Returns the record of pending event 'id', or NULL. */
static inline struct rec *
pending_rec(const struct sim *sim, sim_event_id id)
{
    uint64_t idx = id & SIMQ_IDX_MASK;
    struct rec *r;

    if (idx >= sim->n_recs) {
        return NULL;
    }
    r = &sim->recs[idx];
    return r->gen == id >> SIMQ_IDX_BITS && r->fn ? r : NULL;
}

bool
sim_cancel(struct sim *sim, sim_event_id id)
{
    struct rec *r = pending_rec(sim, id);
    uint32_t idx = (uint32_t)(id & SIMQ_IDX_MASK), moved;

    if (!r) {
        return false;
    }
    if (simq_remove(&sim->q, r->loc, idx, &moved)) {
        /* Eager: the key was still where it was filed. */
        if (moved != SIMQ_NONE) {
            sim->recs[moved].loc = r->loc;
        }
        rec_release(sim, idx);
        return true;
    }
    r->fn = 0;
    r->gen++;
    sim->tombstones++;
    if (sim->tombstones > COMPACT_MIN
        && sim->tombstones * 4 > simq_count(&sim->q)) {
        compact(sim);
    }
    return true;
}

bool
sim_is_pending(const struct sim *sim, sim_event_id id)
{
    return pending_rec(sim, id) != NULL;
}

/* ---- running ---- */

enum sim_stop_reason
sim_run(struct sim *sim, sim_time_t until)
{
    struct simq *q = &sim->q;
    /* The last time that may run: events at SIM_TIME_MAX never do. */
    sim_time_t last = until < SIM_TIME_MAX ? until : SIM_TIME_MAX - 1;

    SIM_ASSERT(!sim->running);
    sim->running = true;
    sim->stop = false;
    for (;;) {
        const struct simq_key *top;
        uint32_t idx;
        struct rec *r;
        sim_handler_fn *fn;
        void *ctx;

        settle(sim);
        top = simq_top(q);
        if (!top) {
            if (until != SIM_TIME_MAX && until > sim->now) {
                sim->now = until;
            }
            sim->running = false;
            return SIM_STOP_EMPTY;
        }
        idx = simq_idx(top);
        r = &sim->recs[idx];
        if (r->fn == 0) {
            /* A cancelled event reached the top: recycle its record. */
            if (r->gen < GEN_LIMIT) {
                r->ctx = (void *)(uintptr_t)sim->free_head;
                sim->free_head = idx;
            }
            sim->tombstones--;
            simq_pop(q);
            continue;
        }
        if (top->time_ps > last) {
            if (top->time_ps == SIM_TIME_MAX && until == SIM_TIME_MAX) {
                /* Only "never" events are left: they do not run. */
                sim->running = false;
                return SIM_STOP_EMPTY;
            }
            if (until > sim->now) {
                sim->now = until;
            }
            sim->running = false;
            return SIM_STOP_UNTIL;
        }
        SIM_ASSERT(top->time_ps >= sim->now);
        sim->now = top->time_ps;
        sim->fingerprint = sim_fp_fold(sim->fingerprint, sim->now, r->comp,
                                       r->kind);
        sim->executed++;
        fn = sim->fns[r->fn];
        ctx = r->ctx;
        rec_release(sim, idx);
        sim->consumed = true;
        fn(sim, ctx);
        if (sim->stop) {
            settle(sim);
            sim->running = false;
            return SIM_STOP_REQUESTED;
        }
        if (!sim->consumed && q->n > 0) {
            /* Warm the record of the next event while we loop. */
            __builtin_prefetch(&sim->recs[simq_idx(&q->slots[3])]);
        }
    }
}

void
sim_stop(struct sim *sim)
{
    sim->stop = true;
}

size_t
sim_pending(const struct sim *sim)
{
    return simq_count(&sim->q) - sim->tombstones - (sim->consumed ? 1 : 0);
}

uint64_t
sim_events_executed(const struct sim *sim)
{
    return sim->executed;
}

uint64_t
sim_fingerprint(const struct sim *sim)
{
    return sim->fingerprint;
}

size_t
sim_queue_memory_bytes(const struct sim *sim)
{
    return simq_memory_bytes(&sim->q)
        + (size_t)sim->cap_recs * sizeof(struct rec);
}

size_t
sim_test_tombstones(const struct sim *sim)
{
    return sim->tombstones;
}

void
sim_test_set_next_seq(struct sim *sim, uint64_t seq)
{
    SIM_ASSERT(seq <= SIMQ_SEQ_LIMIT && seq >= sim->next_seq);
    sim->next_seq = seq;
}

/* ---- components ---- */

sim_component_id
sim_component_add(struct sim *sim, sim_component_id parent,
                  const char *name, int *error)
{
    const char *ppath;
    size_t plen, nlen;
    char *path;

    if (!name || !*name || strchr(name, '.') || parent >= sim->n_comps
        || sim->n_comps == UINT32_MAX) {
        if (error) {
            *error = EINVAL;
        }
        return 0;
    }
    if (sim->n_comps == sim->cap_comps) {
        char **paths = realloc(sim->paths,
                               (size_t)sim->cap_comps * 2 * sizeof *paths);
        if (!paths) {
            goto nomem;
        }
        sim->paths = paths;
        sim->cap_comps *= 2;
    }
    ppath = sim->paths[parent];
    plen = strlen(ppath);
    nlen = strlen(name);
    path = malloc(plen + 1 + nlen + 1);
    if (!path) {
        goto nomem;
    }
    if (plen) {
        memcpy(path, ppath, plen);
        path[plen++] = '.';
    }
    memcpy(path + plen, name, nlen + 1);
    sim->paths[sim->n_comps] = path;
    return sim->n_comps++;

nomem:
    if (error) {
        *error = ENOMEM;
    }
    return 0;
}

const char *
sim_component_path(const struct sim *sim, sim_component_id comp)
{
    return comp < sim->n_comps ? sim->paths[comp] : NULL;
}

size_t
sim_component_count(const struct sim *sim)
{
    return sim->n_comps;
}
