/*
 * queue.h -- the pending-event priority queue of the engine (sim/sched.c):
 * a small 4-ary heap for the near future in front of a calendar of time
 * buckets for the rest.  Internal to libsim.
 *
 * KEYS.  A key is (time, ord) where 'ord' packs the event's sequence number
 * in its high SIMQ_SEQ_BITS bits and the index of its event record in the
 * low SIMQ_IDX_BITS bits.  Sequence numbers are unique, so comparing 'ord'
 * orders equal times first-in, first-out and the record index never decides
 * anything.  Keys compare as one unsigned 128-bit number (time >= 0).
 *
 * HOW IT WORKS.  Invariant: every key with time < 'near_end' is in the
 * near heap, every other key is in a bucket or in the overflow list.  So
 * the top of the near heap, when there is one, is the global minimum.
 * Bucket i (cur <= i < n_buckets) holds the keys with time in
 * [base + i*w, base + (i+1)*w), w a power of two; 'near_end' is
 * base + cur*w.  When the near heap runs dry, bucket 'cur' is moved into it
 * (dropping cancelled keys) and 'cur' advances.  When the buckets run out,
 * the overflow list is redistributed over a fresh calendar sized for about
 * SIMQ_PER_BUCKET keys per bucket, its width estimated from the minimum and
 * a sampled 90th percentile of the overflow times (so a few far-future
 * timers do not stretch it).  Scheduling is an O(1) append for most keys;
 * the heap the run loop works on stays a few dozen keys deep.
 *
 * SMALL QUEUES.  Below SIMQ_SMALL keys the calendar costs more memory than
 * it saves time, so a rebuild of at most SIMQ_SMALL keys puts them all in
 * the heap and sets 'near_end' to UINT64_MAX, above every time
 * (SIM_TIME_MAX included): the queue is a plain heap.  A new queue starts
 * that way.  When the heap grows past SIMQ_SPILL keys, simq_top() spills it
 * into the overflow list and rebuilds a calendar.  Whatever the time
 * distribution, ordering is exact: buckets only decide WHEN keys reach the
 * heap, never their order.
 *
 * REMOVAL.  A push returns where the key was filed: chunk and slot for a
 * list, SIMQ_LOC_NONE for the heap.  The caller keeps it in the record
 * (and a rebuild, which moves every overflow key, updates it there), so
 * simq_remove() can take a key out of its list in O(1), filling the hole
 * with the last key of the list's head chunk.  A location can go stale
 * (the key moved into the heap, or was packed by a filter); simq_remove()
 * then finds another key, or none, in that slot and declines, and the
 * caller cancels lazily instead.  Keys in the heap are never removed
 * early: the heap keeps no positions, which keeps it fast.
 *
 * MEMORY.  Buckets are singly linked lists of 128-byte chunks (7 keys)
 * taken from a pool that grows in slabs and recycles chunks.  The heap grows
 * by an eighth.  Nothing is allocated per event in steady state.
 */
#ifndef VNETSIM_SIM_QUEUE_H
#define VNETSIM_SIM_QUEUE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIMQ_IDX_BITS 28
#define SIMQ_SEQ_BITS 36
#define SIMQ_IDX_MASK ((UINT64_C(1) << SIMQ_IDX_BITS) - 1)
#define SIMQ_SEQ_LIMIT (UINT64_C(1) << SIMQ_SEQ_BITS)
#define SIMQ_PER_BUCKET 32
#define SIMQ_CHUNK_KEYS 7
#define SIMQ_NONE UINT32_MAX
#define SIMQ_SMALL 2048
#define SIMQ_SPILL 8192

struct simq_key {
    int64_t time_ps;            /* event time, >= 0 */
    uint64_t ord;               /* seq << SIMQ_IDX_BITS | record index */
};

struct simq_chunk {
    uint32_t next;              /* next chunk of the list, or SIMQ_NONE */
    uint32_t n;                 /* keys used */
    uint64_t pad;
    struct simq_key keys[SIMQ_CHUNK_KEYS];
};

/* A bucket or the overflow list: a singly linked list of chunks.  Keys go
 * into the head chunk while it has room, else a fresh chunk becomes the
 * head; a removal moves the head chunk's last key into the hole.  Any
 * chunk may be partly filled; the order of keys in a list means nothing
 * (the heap orders them). */
struct simq_list {
    uint32_t head;              /* chunk number, SIMQ_NONE if empty */
};

/* Where a key was filed: chunk << 3 | slot for a list, or SIMQ_LOC_NONE
 * (the heap, or unknown).  A location goes stale when the key moves (a
 * refill, a rebuild, a filter); simq_remove() detects that. */
#define SIMQ_LOC_NONE UINT32_MAX
#define SIMQ_LOC_CHUNK_BITS 29

/* Decides whether a key survives a transfer or a filter; a false answer
 * means the key is dropped (the callback recycles its record). */
typedef bool simq_keep_fn(void *ctx, const struct simq_key *key);

struct simq {
    /* Near heap: heap index k lives at slots[k + 3], 64-byte aligned so the
     * four children of k share one cache line. */
    struct simq_key *slots;
    void *block;
    size_t n;                   /* keys in the near heap */
    size_t cap;

    /* Calendar. */
    uint64_t near_end;          /* keys below go to the heap; UINT64_MAX
                                 * (above every time) in a plain heap */
    int64_t base;
    unsigned shift;             /* w = 1 << shift */
    uint32_t cur, n_buckets;
    struct simq_list *buckets;
    struct simq_list overflow;
    size_t n_far;               /* keys in buckets and overflow */
    size_t spill_at;            /* heap size that turns the calendar on */
    size_t n_overflow;

    /* Chunk pool. */
    struct simq_chunk **slabs;
    uint32_t n_slabs, cap_slabs;
    uint32_t free_chunk;        /* free list, SIMQ_NONE if empty */

    simq_keep_fn *keep;
    void *keep_ctx;
    const size_t *n_dead;       /* keys 'keep' would reject; 0 skips it */

    /* Where the caller's per-key records live ('*pf_base' + index *
     * 'pf_size'); a refill prefetches them, since the keys it moves into
     * the heap will run soon.  Each record keeps its key's location in a
     * uint32_t at byte offset 'loc_off', which a rebuild updates. */
    void *const *pf_base;
    size_t pf_size;
    size_t loc_off;
};

typedef unsigned __int128 simq_u128;

static inline simq_u128
simq_val(const struct simq_key *k)
{
    return (simq_u128)(uint64_t)k->time_ps << 64 | k->ord;
}

static inline uint32_t
simq_idx(const struct simq_key *k)
{
    return (uint32_t)(k->ord & SIMQ_IDX_MASK);
}

#define SIMQ_SLAB_SHIFT 6       /* 64 chunks (8 KiB) per slab */

static inline struct simq_chunk *
simq_chunk(const struct simq *q, uint32_t c)
{
    return &q->slabs[c >> SIMQ_SLAB_SHIFT][c & ((1u << SIMQ_SLAB_SHIFT) - 1)];
}

/* Initialises an empty queue whose transfers consult 'keep', unless
 * '*n_dead' (maintained by the caller) says no key would be rejected. */
void simq_init(struct simq *q, simq_keep_fn *keep, void *keep_ctx,
               const size_t *n_dead, void *const *pf_base, size_t pf_size,
               size_t loc_off);
void simq_free(struct simq *q);

int simq_reserve_slow(struct simq *q, int64_t time_ps);

/* Makes room for one more key at time 'time_ps'.  Returns 0 or ENOMEM
 * (queue unchanged). */
static inline int
simq_reserve(struct simq *q, int64_t time_ps)
{
    if (q->n < q->cap
        && ((uint64_t)time_ps < q->near_end || q->free_chunk != SIMQ_NONE)) {
        return 0;
    }
    return simq_reserve_slow(q, time_ps);
}

/* Bytes allocated for keys and queue structures. */
size_t simq_memory_bytes(const struct simq *q);

/* Keys held, cancelled ones included. */
static inline size_t
simq_count(const struct simq *q)
{
    return q->n + q->n_far;
}

/* ---- the near heap ---- */

/* Moves hole 'k' down to a leaf, always following the smaller child, then
 * places 'key' there and sifts it back up, never above 'k' (Floyd's
 * bottom-up variant: new keys usually belong near the bottom). */
static inline void
simq_heap_sift_down(struct simq *q, size_t k, struct simq_key key)
{
    struct simq_key *s = q->slots + 3;
    size_t n = q->n;
    size_t k0 = k;
    simq_u128 v = simq_val(&key);

    for (;;) {
        size_t c = 4 * k + 1;
        size_t best;

        if (c + 3 < n) {
            /* Branch-free: the comparisons select indices, not values, so
             * unpredictable outcomes cost no mispredicted branches. */
            size_t b12 = c + (simq_val(&s[c + 1]) < simq_val(&s[c]));
            size_t b34 = c + 2 + (simq_val(&s[c + 3]) < simq_val(&s[c + 2]));
            size_t lt = simq_val(&s[b34]) < simq_val(&s[b12]);
            best = b12 + ((b34 - b12) & (0 - lt));
        } else if (c < n) {
            best = c;
            for (size_t i = c + 1; i < n; i++) {
                if (simq_val(&s[i]) < simq_val(&s[best])) {
                    best = i;
                }
            }
        } else {
            break;
        }
        s[k] = s[best];
        k = best;
    }
    while (k > k0) {
        size_t p = (k - 1) / 4;
        if (simq_val(&s[p]) <= v) {
            break;
        }
        s[k] = s[p];
        k = p;
    }
    s[k] = key;
}

static inline void
simq_heap_push(struct simq *q, struct simq_key key)
{
    struct simq_key *s = q->slots + 3;
    simq_u128 v = simq_val(&key);
    size_t k = q->n++;

    while (k > 0) {
        size_t p = (k - 1) / 4;
        if (simq_val(&s[p]) <= v) {
            break;
        }
        s[k] = s[p];
        k = p;
    }
    s[k] = key;
}

/* ---- the whole queue ---- */

uint32_t simq_list_append_slow(struct simq *q, struct simq_list *l,
                               struct simq_key key);
void simq_chunk_release(struct simq *q, struct simq_list *l);
bool simq_refill(struct simq *q);
void simq_spill(struct simq *q);

/* Adds 'key' to list 'l' and returns its location. */
static inline __attribute__((always_inline)) uint32_t
simq_list_append(struct simq *q, struct simq_list *l, struct simq_key key)
{
    if (l->head != SIMQ_NONE) {
        struct simq_chunk *h = simq_chunk(q, l->head);
        if (h->n < SIMQ_CHUNK_KEYS) {
            h->keys[h->n] = key;
            return l->head << 3 | h->n++;
        }
    }
    return simq_list_append_slow(q, l, key);
}

/* Files 'key' (time >= near_end) in its bucket or the overflow list and
 * returns its location. */
static inline __attribute__((always_inline)) uint32_t
simq_far_push(struct simq *q, struct simq_key key)
{
    /* time >= near_end = base + cur * w, so i >= cur: the key belongs to
     * a bucket not yet moved into the heap, or past the calendar. */
    uint64_t i = (uint64_t)(key.time_ps - q->base) >> q->shift;

    q->n_far++;
    if (i < q->n_buckets) {
        return simq_list_append(q, &q->buckets[i], key);
    }
    q->n_overflow++;
    return simq_list_append(q, &q->overflow, key);
}

/* Adds 'key' (time >= the time of every key popped so far) and returns its
 * location; simq_reserve() must have succeeded first. */
static inline uint32_t
simq_push(struct simq *q, struct simq_key key)
{
    if ((uint64_t)key.time_ps < q->near_end) {
        simq_heap_push(q, key);
        return SIMQ_LOC_NONE;
    }
    return simq_far_push(q, key);
}

/* The minimum key, or NULL if the queue is empty.  May move keys from the
 * calendar into the heap (consulting 'keep'). */
static inline const struct simq_key *
simq_top(struct simq *q)
{
    if (q->n > q->spill_at) {
        simq_spill(q);
    }
    if (q->n == 0 && !simq_refill(q)) {
        return NULL;
    }
    return &q->slots[3];
}

/* Removes the minimum key; simq_top() must have returned it. */
static inline void
simq_pop(struct simq *q)
{
    size_t last = --q->n;

    if (last > 0) {
        simq_heap_sift_down(q, 0, q->slots[3 + last]);
    }
}

/* Replaces the minimum key (returned by simq_top()) by 'key' and returns
 * its location; simq_reserve() need not be called. */
static inline uint32_t
simq_replace_top(struct simq *q, struct simq_key key)
{
    if ((uint64_t)key.time_ps < q->near_end) {
        simq_heap_sift_down(q, 0, key);
        return SIMQ_LOC_NONE;
    }
    simq_pop(q);
    return simq_far_push(q, key);
}

/* Removes the key of record 'idx' if location 'loc' still holds it (the
 * queue never holds two keys with one record index, so a match is that
 * key).  Returns false, queue unchanged, if it does not: the key is in the
 * heap or moved since.  When another key moves into the hole, stores its
 * record index in '*moved' (its new location is 'loc'); else SIMQ_NONE. */
static inline bool
simq_remove(struct simq *q, uint32_t loc, uint32_t idx, uint32_t *moved)
{
    struct simq_chunk *ch, *h;
    struct simq_list *l;
    uint32_t slot = loc & 7;
    uint64_t i;

    if (loc == SIMQ_LOC_NONE) {
        return false;
    }
    ch = simq_chunk(q, loc >> 3);
    if (slot >= ch->n || simq_idx(&ch->keys[slot]) != idx) {
        return false;
    }
    /* A key in a list lies in the bucket its time names, or past them. */
    i = (uint64_t)(ch->keys[slot].time_ps - q->base) >> q->shift;
    if (i < q->n_buckets) {
        l = &q->buckets[i];
    } else {
        l = &q->overflow;
        q->n_overflow--;
    }
    q->n_far--;
    h = simq_chunk(q, l->head);
    h->n--;
    if (h == ch && slot == h->n) {
        *moved = SIMQ_NONE;
    } else {
        ch->keys[slot] = h->keys[h->n];
        *moved = simq_idx(&ch->keys[slot]);
    }
    if (h->n == 0) {
        simq_chunk_release(q, l);
    }
    return true;
}

/* Drops every key 'keep' rejects, in linear time. */
void simq_filter(struct simq *q);

/* Rewrites every sequence number as its rank 0 .. n-1 in (time, ord)
 * order, keeping every relative order.  Returns the next free sequence
 * number, or UINT64_MAX on ENOMEM (queue unchanged). */
uint64_t simq_renumber(struct simq *q);

#endif /* VNETSIM_SIM_QUEUE_H */
