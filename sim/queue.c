/*
 * queue.c -- the cold half of the event queue of queue.h: growth of the
 * near heap and of the chunk pool, the calendar (far pushes, refills and
 * rebuilds), filtering of cancelled keys and sequence renumbering.  The hot
 * heap operations are inline in queue.h so sched.c's run loop inlines them.
 */
#include <config.h>
#include "sim/queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"

#define ALIGN_BYTES 64
#define MIN_GROWTH 64
#define SLAB_CHUNKS (1u << SIMQ_SLAB_SHIFT)
#define MIN_BUCKETS 16
#define MAX_BUCKETS (1u << 22)
#define SAMPLE 64

void
simq_init(struct simq *q, simq_keep_fn *keep, void *keep_ctx,
          const size_t *n_dead, void *const *pf_base, size_t pf_size,
          size_t loc_off)
{
    memset(q, 0, sizeof *q);
    q->overflow.head = SIMQ_NONE;
    q->free_chunk = SIMQ_NONE;
    q->keep = keep;
    q->keep_ctx = keep_ctx;
    q->n_dead = n_dead;
    q->pf_base = pf_base;
    q->pf_size = pf_size;
    q->loc_off = loc_off;
    q->near_end = UINT64_MAX;
    q->spill_at = SIMQ_SPILL;
}

void
simq_free(struct simq *q)
{
    free(q->block);
    free(q->buckets);
    for (uint32_t i = 0; i < q->n_slabs; i++) {
        free(q->slabs[i]);
    }
    free(q->slabs);
    simq_init(q, q->keep, q->keep_ctx, q->n_dead, q->pf_base, q->pf_size,
              q->loc_off);
}

/* Grows the heap to hold at least 'need' keys.  Returns 0 or ENOMEM. */
static int
heap_grow(struct simq *q, size_t need)
{
    size_t cap, bytes, old_off, new_off;
    void *block;
    uintptr_t base;

    if (need <= q->cap) {
        return 0;
    }
    cap = q->cap + (q->cap / 8 > MIN_GROWTH ? q->cap / 8 : MIN_GROWTH);
    if (cap < need) {
        cap = need;
    }
    if (cap > SIZE_MAX / sizeof(struct simq_key) - 8) {
        return ENOMEM;
    }
    /* Room for 3 leading pad slots plus alignment slack. */
    bytes = (cap + 3) * sizeof(struct simq_key) + ALIGN_BYTES;
    old_off = q->block ? (size_t)((char *)q->slots - (char *)q->block) : 0;
    block = realloc(q->block, bytes);
    if (!block) {
        return ENOMEM;
    }
    base = ((uintptr_t)block + ALIGN_BYTES - 1)
           & ~(uintptr_t)(ALIGN_BYTES - 1);
    new_off = (size_t)((char *)base - (char *)block);
    if (q->block && q->n && old_off != new_off) {
        /* realloc kept the bytes but not the alignment offset. */
        memmove((char *)block + new_off, (char *)block + old_off,
                (q->n + 3) * sizeof(struct simq_key));
    }
    q->block = block;
    q->slots = (struct simq_key *)base;
    q->cap = cap;
    return 0;
}

/* Adds a slab of chunks to the free list.  Returns 0 or ENOMEM. */
static int
pool_grow(struct simq *q)
{
    struct simq_chunk *slab;
    uint32_t first;

    /* Chunk numbers must fit a location (SIMQ_LOC_CHUNK_BITS). */
    if (q->n_slabs >= (UINT32_C(1) << (SIMQ_LOC_CHUNK_BITS - SIMQ_SLAB_SHIFT))
                      - 1) {
        return ENOMEM;
    }
    if (q->n_slabs == q->cap_slabs) {
        uint32_t cap = q->cap_slabs ? q->cap_slabs * 2 : 16;
        struct simq_chunk **slabs = realloc(q->slabs, cap * sizeof *slabs);
        if (!slabs) {
            return ENOMEM;
        }
        q->slabs = slabs;
        q->cap_slabs = cap;
    }
    slab = malloc(SLAB_CHUNKS * sizeof *slab);
    if (!slab) {
        return ENOMEM;
    }
    first = q->n_slabs << SIMQ_SLAB_SHIFT;
    q->slabs[q->n_slabs++] = slab;
    for (uint32_t i = SLAB_CHUNKS; i-- > 0;) {
        slab[i].next = q->free_chunk;
        slab[i].n = 0;          /* free chunks hold no key (simq_remove) */
        q->free_chunk = first + i;
    }
    return 0;
}

int
simq_reserve_slow(struct simq *q, int64_t time_ps)
{
    if (q->n >= q->cap && heap_grow(q, q->n + 1)) {
        return ENOMEM;
    }
    if ((uint64_t)time_ps >= q->near_end && q->free_chunk == SIMQ_NONE
        && pool_grow(q)) {
        return ENOMEM;
    }
    return 0;
}

size_t
simq_memory_bytes(const struct simq *q)
{
    size_t bytes = 0;

    if (q->block) {
        bytes += (q->cap + 3) * sizeof(struct simq_key) + ALIGN_BYTES;
    }
    bytes += (size_t)q->n_slabs * SLAB_CHUNKS * sizeof(struct simq_chunk);
    bytes += (size_t)q->cap_slabs * sizeof(struct simq_chunk *);
    bytes += (size_t)q->n_buckets * sizeof(struct simq_list);
    return bytes;
}

/* Returns chunk 'c' to the pool.  Its 'n' becomes 0, so that a stale
 * location pointing into it matches no key. */
static void
chunk_free(struct simq *q, uint32_t c)
{
    struct simq_chunk *ch = simq_chunk(q, c);

    ch->n = 0;
    ch->next = q->free_chunk;
    q->free_chunk = c;
}

/* Unlinks the (empty) head chunk of list 'l' and returns it to the pool. */
void
simq_chunk_release(struct simq *q, struct simq_list *l)
{
    uint32_t c = l->head;

    l->head = simq_chunk(q, c)->next;
    chunk_free(q, c);
}

/* The slow path of simq_list_append(): the head chunk is full or absent,
 * so a fresh chunk becomes the head.  Needs a free chunk; the caller
 * guarantees one (simq_reserve()) or the pool grows, aborting on
 * exhaustion.  Returns the key's location. */
uint32_t
simq_list_append_slow(struct simq *q, struct simq_list *l,
                      struct simq_key key)
{
    if (q->free_chunk == SIMQ_NONE && pool_grow(q)) {
        sim_assert_fail(__FILE__, __LINE__,
                        "out of memory growing the event queue");
    }
    uint32_t c = q->free_chunk;
    struct simq_chunk *ch = simq_chunk(q, c);

    q->free_chunk = ch->next;
    ch->next = l->head;
    ch->n = 1;
    ch->keys[0] = key;
    l->head = c;
    return c << 3;
}

static uint64_t
near_end_of(const struct simq *q)
{
    return (uint64_t)q->base + ((uint64_t)q->cur << q->shift);
}

static unsigned
log2_ceil(uint64_t x)
{
    unsigned s = 0;

    while (s < 63 && (UINT64_C(1) << s) < x) {
        s++;
    }
    return s;
}

static int
cmp_time(const void *a_, const void *b_)
{
    int64_t a = *(const int64_t *)a_, b = *(const int64_t *)b_;

    return a < b ? -1 : a > b;
}

/* Spreads the overflow list over a fresh calendar.  Only called when the
 * heap and every bucket are empty. */
static void
rebuild(struct simq *q)
{
    struct simq_list old = q->overflow;
    size_t n = q->n_overflow;
    int64_t sample[SAMPLE];
    size_t n_sample = 0, stride = n / SAMPLE + 1, seen = 0;
    int64_t lo = INT64_MAX, p90;
    uint64_t buckets, span, width;
    unsigned bshift;

    for (uint32_t c = old.head; c != SIMQ_NONE; c = simq_chunk(q, c)->next) {
        struct simq_chunk *ch = simq_chunk(q, c);
        for (uint32_t i = 0; i < ch->n; i++, seen++) {
            int64_t t = ch->keys[i].time_ps;
            if (t < lo) {
                lo = t;
            }
            if (seen % stride == 0 && n_sample < SAMPLE) {
                sample[n_sample++] = t;
            }
        }
    }
    qsort(sample, n_sample, sizeof sample[0], cmp_time);
    p90 = sample[n_sample * 9 / 10];

    if (n <= SIMQ_SMALL) {
        /* Small: everything goes to the heap, which then takes every key
         * but those at SIM_TIME_MAX. */
        if (heap_grow(q, n)) {
            sim_assert_fail(__FILE__, __LINE__,
                            "out of memory growing the event heap");
        }
        q->cur = q->n_buckets;
        q->near_end = UINT64_MAX;
        q->spill_at = SIMQ_SPILL;
        q->overflow.head = SIMQ_NONE;
        q->n_overflow = 0;
        q->n_far = 0;
        for (uint32_t c = old.head; c != SIMQ_NONE;) {
            struct simq_chunk *ch = simq_chunk(q, c);
            uint32_t next = ch->next;

            for (uint32_t i = 0; i < ch->n; i++) {
                simq_push(q, ch->keys[i]);
            }
            chunk_free(q, c);
            c = next;
        }
        return;
    }
    q->spill_at = SIZE_MAX;
    buckets = n / SIMQ_PER_BUCKET;
    buckets = buckets < MIN_BUCKETS ? MIN_BUCKETS
              : buckets > MAX_BUCKETS ? MAX_BUCKETS : buckets;
    /* Round down: fuller buckets waste less of their last chunk. */
    bshift = log2_ceil(buckets + 1) - 1;
    buckets = UINT64_C(1) << bshift;
    /* The sampled 90% of the keys should fill 90% of the buckets. */
    span = (uint64_t)(p90 - lo);
    width = span / (buckets - buckets / 10) + 1;
    q->shift = log2_ceil(width);
    if (q->shift > 63 - bshift) {
        q->shift = 63 - bshift;
    }
    if (buckets != q->n_buckets) {
        struct simq_list *b = realloc(q->buckets, buckets * sizeof *b);
        if (!b) {
            sim_assert_fail(__FILE__, __LINE__,
                            "out of memory growing the event calendar");
        }
        q->buckets = b;
        q->n_buckets = (uint32_t)buckets;
    }
    for (uint32_t i = 0; i < q->n_buckets; i++) {
        q->buckets[i].head = SIMQ_NONE;
    }
    q->base = lo;
    q->cur = 0;
    q->near_end = (uint64_t)lo;
    q->overflow.head = SIMQ_NONE;
    q->n_overflow = 0;
    q->n_far = 0;

    /* Move the keys chunk by chunk, freeing each chunk before its keys are
     * appended, so the move needs no more chunks than it frees.  Each
     * key's record learns its new location, so that cancelling it stays
     * eager (simq_remove()). */
    char *recs = *q->pf_base;
    for (uint32_t c = old.head; c != SIMQ_NONE;) {
        struct simq_chunk *ch = simq_chunk(q, c);
        struct simq_key keys[SIMQ_CHUNK_KEYS];
        uint32_t k = ch->n, next = ch->next;

        memcpy(keys, ch->keys, k * sizeof keys[0]);
        chunk_free(q, c);
        for (uint32_t i = 0; i < k; i++) {
            __builtin_prefetch(recs + (size_t)simq_idx(&keys[i]) * q->pf_size
                               + q->loc_off, 1);
        }
        for (uint32_t i = 0; i < k; i++) {
            uint32_t loc = simq_far_push(q, keys[i]);

            *(uint32_t *)(recs + (size_t)simq_idx(&keys[i]) * q->pf_size
                          + q->loc_off) = loc;
        }
        c = next;
    }
}

bool
simq_refill(struct simq *q)
{
    while (q->n == 0) {
        if (q->n_far == 0) {
            return false;
        }
        if (q->cur >= q->n_buckets) {
            rebuild(q);
            continue;
        }

        /* Move bucket 'cur' into the heap, dropping cancelled keys. */
        struct simq_list *l = &q->buckets[q->cur];
        uint32_t c = l->head;

        l->head = SIMQ_NONE;
        q->cur++;
        q->near_end = near_end_of(q);
        while (c != SIMQ_NONE) {
            struct simq_chunk *ch = simq_chunk(q, c);
            uint32_t next = ch->next;

            if (heap_grow(q, q->n + ch->n)) {
                sim_assert_fail(__FILE__, __LINE__,
                                "out of memory growing the event heap");
            }
            q->n_far -= ch->n;
            if (*q->n_dead == 0) {
                const char *recs = *q->pf_base;
                for (uint32_t i = 0; i < ch->n; i++) {
                    __builtin_prefetch(recs + (size_t)simq_idx(&ch->keys[i])
                                       * q->pf_size);
                    simq_heap_push(q, ch->keys[i]);
                }
            } else {
                const char *recs = *q->pf_base;
                for (uint32_t i = 0; i < ch->n; i++) {
                    __builtin_prefetch(recs + (size_t)simq_idx(&ch->keys[i])
                                       * q->pf_size);
                }
                for (uint32_t i = 0; i < ch->n; i++) {
                    if (q->keep(q->keep_ctx, &ch->keys[i])) {
                        simq_heap_push(q, ch->keys[i]);
                    }
                }
            }
            chunk_free(q, c);
            c = next;
        }
    }
    return true;
}

/* Moves the heap of a small queue into the overflow list and spreads it
 * over a fresh calendar. */
void
simq_spill(struct simq *q)
{
    const struct simq_key *s = q->slots + 3;

    for (size_t i = 0; i < q->n; i++) {
        q->n_far++;
        q->n_overflow++;
        simq_list_append(q, &q->overflow, s[i]);
    }
    q->n = 0;

    /* Give back the big heap: the calendar keeps it small. */
    free(q->block);
    q->block = NULL;
    q->slots = NULL;
    q->cap = 0;
    if (heap_grow(q, 256)) {
        sim_assert_fail(__FILE__, __LINE__,
                        "out of memory growing the event heap");
    }
    rebuild(q);
}

/* Keeps the keys of list 'l' that 'keep' accepts, packing them. */
static size_t
list_filter(struct simq *q, struct simq_list *l)
{
    uint32_t wc = l->head, c = l->head;
    uint32_t wn = 0;
    size_t kept = 0;

    if (c == SIMQ_NONE) {
        return 0;
    }
    while (c != SIMQ_NONE) {
        struct simq_chunk *ch = simq_chunk(q, c);
        for (uint32_t i = 0; i < ch->n; i++) {
            if (q->keep(q->keep_ctx, &ch->keys[i])) {
                struct simq_chunk *w = simq_chunk(q, wc);
                if (wn == SIMQ_CHUNK_KEYS) {
                    w->n = wn;
                    wc = w->next;
                    w = simq_chunk(q, wc);
                    wn = 0;
                }
                w->keys[wn++] = ch->keys[i];
                kept++;
            }
        }
        c = ch->next;
    }
    /* 'wc' is the last chunk written; free the rest. */
    struct simq_chunk *w = simq_chunk(q, wc);
    uint32_t rest = w->next;

    w->n = wn;
    w->next = SIMQ_NONE;
    while (rest != SIMQ_NONE) {
        uint32_t next = simq_chunk(q, rest)->next;
        chunk_free(q, rest);
        rest = next;
    }
    if (kept == 0) {
        chunk_free(q, l->head);
        l->head = SIMQ_NONE;
    }
    return kept;
}

void
simq_filter(struct simq *q)
{
    size_t n = 0;
    struct simq_key *s = q->slots + 3;

    for (size_t i = 0; i < q->n; i++) {
        if (q->keep(q->keep_ctx, &s[i])) {
            s[n++] = s[i];
        }
    }
    q->n = n;
    if (n > 1) {
        for (size_t k = (n - 2) / 4 + 1; k-- > 0;) {
            simq_heap_sift_down(q, k, s[k]);
        }
    }
    q->n_far = 0;
    for (uint32_t b = q->cur; b < q->n_buckets; b++) {
        q->n_far += list_filter(q, &q->buckets[b]);
    }
    q->n_overflow = list_filter(q, &q->overflow);
    q->n_far += q->n_overflow;
}

static int
key_cmp(const void *a_, const void *b_)
{
    simq_u128 a = simq_val(a_), b = simq_val(b_);

    return a < b ? -1 : a > b;
}

/* Appends every key of list 'l' to 'out' and frees its chunks. */
static size_t
list_drain(struct simq *q, struct simq_list *l, struct simq_key *out)
{
    size_t n = 0;

    for (uint32_t c = l->head; c != SIMQ_NONE;) {
        struct simq_chunk *ch = simq_chunk(q, c);
        uint32_t next = ch->next;

        memcpy(out + n, ch->keys, ch->n * sizeof *out);
        n += ch->n;
        chunk_free(q, c);
        c = next;
    }
    l->head = SIMQ_NONE;
    return n;
}

uint64_t
simq_renumber(struct simq *q)
{
    size_t total = simq_count(q), n;
    struct simq_key *all = malloc((total + 1) * sizeof *all);

    if (!all) {
        return UINT64_MAX;
    }
    memcpy(all, q->slots + 3, q->n * sizeof *all);
    n = q->n;
    for (uint32_t b = q->cur; b < q->n_buckets; b++) {
        n += list_drain(q, &q->buckets[b], all + n);
    }
    n += list_drain(q, &q->overflow, all + n);
    SIM_ASSERT(n == total);
    qsort(all, n, sizeof *all, key_cmp);
    q->n = 0;
    q->n_far = 0;
    q->n_overflow = 0;
    /* Re-pushing packs the lists, so no more chunks are needed. */
    for (size_t i = 0; i < n; i++) {
        all[i].ord = (uint64_t)i << SIMQ_IDX_BITS
                     | (all[i].ord & SIMQ_IDX_MASK);
        simq_push(q, all[i]);
    }
    free(all);
    return n;
}
