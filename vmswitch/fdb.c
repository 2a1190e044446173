/*
 * fdb.c -- the forwarding database (MAC learning table) of libvmswitch; the
 * design, semantics and concurrency rules are in fdb.h.
 *
 * Memory layout, all allocated by vsw_fdb_create():
 *
 *   slots[]      the hash index: open addressing, linear probing, at least
 *                twice as many slots as entries.  A slot holds everything a
 *                lookup needs (packed key, port, learn time), so a lookup
 *                reads nothing else.
 *   entries[]    one per possible entry; never moves, so it is what the
 *                per-port LRU lists link (by index).  Holds the index of its
 *                slot, which backward-shift deletion keeps up to date.
 *   recs[]       per-port bookkeeping: learned/static counts, limit, LRU
 *                list of learned entries (oldest at head), position in the
 *                eviction heap.  Found through port_slots[] (open
 *                addressing by port number).  A record exists while its
 *                port has entries or a limit.
 *   heap[]       max-heap of port records by (learned count desc, port
 *                asc): heap[0] is the port fair eviction takes from.
 *
 * Invariant on records: recs_cap >= max_entries + n_limited, so a record is
 * always available when an entry needs one (distinct ports with entries <=
 * entries <= max_entries; records without entries exist only for limited
 * ports).  Code that moves an entry between ports releases the old record
 * before acquiring the new one.
 */
#include <config.h>
#include "vmswitch/fdb.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmswitch/alloc.h"

#define NONE UINT32_MAX
#define SLOT_STATIC (UINT32_C(1) << 31)
#define SLOT_ENTRY_MASK (SLOT_STATIC - 1)
#define KEY_USED (UINT64_C(1) << 63)

/* One hash-index slot.  'key' is 0 when empty, else KEY_USED | MAC << 12 |
 * VLAN, the MAC in network byte order as a 48-bit number, so comparing
 * keys within a VLAN compares MACs bytewise. */
struct slot {
    uint64_t key;
    uint64_t learned_ns;        /* 0 for static entries */
    uint32_t port;
    uint32_t entry;             /* entry index | SLOT_STATIC */
};

struct entry {
    uint32_t slot;              /* NONE when the entry is free */
    uint32_t prev, next;        /* port LRU list; 'next' chains free ones */
    uint32_t rec;               /* port record */
};

struct port_rec {
    uint32_t port;
    uint32_t n_learned, n_static;
    uint32_t limit;
    uint32_t head, tail;        /* LRU of learned entries, oldest first */
    uint32_t heap_pos;          /* NONE when the record is free */
    uint32_t prev, next;        /* records in use, creation order; 'next'
                                 * chains free ones */
};

struct vsw_fdb {
    uint32_t max_entries;
    uint32_t n_entries;
    uint64_t aging_ns;
    uint64_t refresh_ns;
    uint64_t seed;

    struct slot *slots;
    uint32_t slot_mask;

    struct entry *entries;
    uint32_t free_entry;

    struct port_rec *recs;
    uint32_t recs_cap;
    uint32_t free_rec;
    uint32_t rec_head, rec_tail;        /* records in use */
    uint32_t n_limited;
    uint32_t *port_slots;
    uint32_t port_mask;
    uint32_t *heap;
    uint32_t n_heap;
    uint32_t age_cursor;                /* record vsw_fdb_age() resumes at */

    struct vsw_fdb_stats stats;
};

/* ---- keys and hashing ------------------------------------------------- */

static inline uint64_t
mix64(uint64_t k)
{
    /* MurmurHash3's 64-bit finalizer: fixed, fast, good avalanche. */
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    k *= UINT64_C(0xc4ceb9fe1a85ec53);
    k ^= k >> 33;
    return k;
}

static inline uint64_t
mac_to_u64(const uint8_t mac[6])
{
    return ((uint64_t)mac[0] << 40) | ((uint64_t)mac[1] << 32)
           | ((uint64_t)mac[2] << 24) | ((uint64_t)mac[3] << 16)
           | ((uint64_t)mac[4] << 8) | (uint64_t)mac[5];
}

static inline uint64_t
make_key(const uint8_t mac[6], uint16_t vlan)
{
    return KEY_USED | (mac_to_u64(mac) << 12) | vlan;
}

static inline uint16_t key_vlan(uint64_t key) { return key & 0xfff; }
static inline uint64_t key_mac(uint64_t key)
{
    return (key >> 12) & UINT64_C(0xffffffffffff);
}

static inline uint32_t
slot_home(const struct vsw_fdb *f, uint64_t key)
{
    return (uint32_t)mix64(key ^ f->seed) & f->slot_mask;
}

static inline bool
valid_key(const uint8_t mac[6], uint16_t vlan)
{
    return vlan <= VSW_FDB_VLAN_MAX && !(mac[0] & 1);
}

/* Finds 'key'.  Returns its slot index, or NONE after storing in '*empty'
 * the empty slot where it would be inserted. */
static inline uint32_t
find_slot(const struct vsw_fdb *f, uint64_t key, uint32_t *empty)
{
    uint32_t i = slot_home(f, key);

    for (;;) {
        uint64_t k = f->slots[i].key;
        if (k == key) {
            return i;
        }
        if (k == 0) {
            if (empty) {
                *empty = i;
            }
            return NONE;
        }
        i = (i + 1) & f->slot_mask;
    }
}

static inline bool
slot_is_static(const struct slot *s)
{
    return (s->entry & SLOT_STATIC) != 0;
}

/* Is the learned entry in 's' expired at 'now'? */
static inline bool
expired(const struct vsw_fdb *f, const struct slot *s, uint64_t now)
{
    return !slot_is_static(s)
           && f->aging_ns != VSW_FDB_AGING_NEVER
           && now >= s->learned_ns
           && now - s->learned_ns >= f->aging_ns;
}

/* Is a refresh of the learned entry in 's' due at 'now'? */
static inline bool
refresh_due(const struct vsw_fdb *f, const struct slot *s, uint64_t now)
{
    return now > s->learned_ns && now - s->learned_ns >= f->refresh_ns;
}

/* Empties slot 'i' by backward-shift deletion: later members of the same
 * probe run move back so that no probe sequence is broken and no tombstone
 * is needed.  Moved slots get their entry's back-pointer updated. */
static void
slot_delete(struct vsw_fdb *f, uint32_t i)
{
    uint32_t j = i;

    for (;;) {
        uint32_t home;

        j = (j + 1) & f->slot_mask;
        if (f->slots[j].key == 0) {
            break;
        }
        home = slot_home(f, f->slots[j].key);
        /* Slot j may stay if its home lies cyclically in (i, j]. */
        if (i <= j ? (i < home && home <= j) : (i < home || home <= j)) {
            continue;
        }
        f->slots[i] = f->slots[j];
        f->entries[f->slots[i].entry & SLOT_ENTRY_MASK].slot = i;
        i = j;
    }
    memset(&f->slots[i], 0, sizeof f->slots[i]);
}

/* ---- port records ----------------------------------------------------- */

static inline uint32_t
port_home(const struct vsw_fdb *f, uint32_t port)
{
    return (uint32_t)mix64(port) & f->port_mask;
}

/* Returns the record of 'port' or NONE. */
static uint32_t
rec_find(const struct vsw_fdb *f, uint32_t port)
{
    uint32_t i = port_home(f, port);

    for (;;) {
        uint32_t r = f->port_slots[i];
        if (r == NONE) {
            return NONE;
        }
        if (f->recs[r].port == port) {
            return r;
        }
        i = (i + 1) & f->port_mask;
    }
}

static void
port_slot_insert(uint32_t *port_slots, uint32_t mask, uint32_t home,
                 uint32_t r)
{
    uint32_t i = home;

    while (port_slots[i] != NONE) {
        i = (i + 1) & mask;
    }
    port_slots[i] = r;
}

static void
port_slot_delete(struct vsw_fdb *f, uint32_t r)
{
    uint32_t i = port_home(f, f->recs[r].port);
    uint32_t j;

    while (f->port_slots[i] != r) {
        i = (i + 1) & f->port_mask;
    }
    j = i;
    for (;;) {
        uint32_t home;

        j = (j + 1) & f->port_mask;
        if (f->port_slots[j] == NONE) {
            break;
        }
        home = port_home(f, f->recs[f->port_slots[j]].port);
        if (i <= j ? (i < home && home <= j) : (i < home || home <= j)) {
            continue;
        }
        f->port_slots[i] = f->port_slots[j];
        i = j;
    }
    f->port_slots[i] = NONE;
}

/* Heap order: more learned entries first, then lower port number. */
static inline bool
heap_above(const struct vsw_fdb *f, uint32_t a, uint32_t b)
{
    const struct port_rec *ra = &f->recs[a];
    const struct port_rec *rb = &f->recs[b];

    return ra->n_learned > rb->n_learned
           || (ra->n_learned == rb->n_learned && ra->port < rb->port);
}

static inline void
heap_set(struct vsw_fdb *f, uint32_t pos, uint32_t r)
{
    f->heap[pos] = r;
    f->recs[r].heap_pos = pos;
}

static void
heap_fix(struct vsw_fdb *f, uint32_t pos)
{
    uint32_t r = f->heap[pos];

    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (!heap_above(f, r, f->heap[parent])) {
            break;
        }
        heap_set(f, pos, f->heap[parent]);
        pos = parent;
    }
    for (;;) {
        uint32_t c = 2 * pos + 1;
        if (c >= f->n_heap) {
            break;
        }
        if (c + 1 < f->n_heap && heap_above(f, f->heap[c + 1], f->heap[c])) {
            c++;
        }
        if (!heap_above(f, f->heap[c], r)) {
            break;
        }
        heap_set(f, pos, f->heap[c]);
        pos = c;
    }
    heap_set(f, pos, r);
}

/* Returns the record of 'port', creating it if needed (never fails: see
 * the invariant at the top of the file). */
static uint32_t
rec_get(struct vsw_fdb *f, uint32_t port)
{
    uint32_t r = rec_find(f, port);
    struct port_rec *pr;

    if (r != NONE) {
        return r;
    }
    r = f->free_rec;
    assert(r != NONE);
    pr = &f->recs[r];
    f->free_rec = pr->next;
    pr->port = port;
    pr->n_learned = 0;
    pr->n_static = 0;
    pr->limit = VSW_FDB_NO_LIMIT;
    pr->head = pr->tail = NONE;
    pr->prev = f->rec_tail;
    pr->next = NONE;
    if (f->rec_tail != NONE) {
        f->recs[f->rec_tail].next = r;
    } else {
        f->rec_head = r;
    }
    f->rec_tail = r;
    port_slot_insert(f->port_slots, f->port_mask, port_home(f, port), r);
    f->n_heap++;
    heap_set(f, f->n_heap - 1, r);
    heap_fix(f, f->n_heap - 1);
    return r;
}

/* Frees record 'r' if it no longer has entries or a limit. */
static void
rec_maybe_release(struct vsw_fdb *f, uint32_t r)
{
    struct port_rec *pr = &f->recs[r];
    uint32_t pos, last;

    if (pr->n_learned || pr->n_static || pr->limit != VSW_FDB_NO_LIMIT) {
        return;
    }
    port_slot_delete(f, r);

    pos = pr->heap_pos;
    last = f->heap[--f->n_heap];
    if (last != r) {
        heap_set(f, pos, last);
        heap_fix(f, pos);
    }
    pr->heap_pos = NONE;

    if (f->age_cursor == r) {
        f->age_cursor = pr->next;
    }
    if (pr->prev != NONE) {
        f->recs[pr->prev].next = pr->next;
    } else {
        f->rec_head = pr->next;
    }
    if (pr->next != NONE) {
        f->recs[pr->next].prev = pr->prev;
    } else {
        f->rec_tail = pr->prev;
    }
    pr->next = f->free_rec;
    f->free_rec = r;
}

static void
lru_append(struct vsw_fdb *f, uint32_t r, uint32_t e)
{
    struct port_rec *pr = &f->recs[r];

    f->entries[e].prev = pr->tail;
    f->entries[e].next = NONE;
    if (pr->tail != NONE) {
        f->entries[pr->tail].next = e;
    } else {
        pr->head = e;
    }
    pr->tail = e;
}

static void
lru_unlink(struct vsw_fdb *f, uint32_t r, uint32_t e)
{
    struct port_rec *pr = &f->recs[r];
    struct entry *en = &f->entries[e];

    if (en->prev != NONE) {
        f->entries[en->prev].next = en->next;
    } else {
        pr->head = en->next;
    }
    if (en->next != NONE) {
        f->entries[en->next].prev = en->prev;
    } else {
        pr->tail = en->prev;
    }
}

/* Attaches entry 'e' to the record of 'port' as learned (at the LRU tail)
 * or static. */
static void
attach(struct vsw_fdb *f, uint32_t e, uint32_t port, bool is_static)
{
    uint32_t r = rec_get(f, port);

    f->entries[e].rec = r;
    if (is_static) {
        f->recs[r].n_static++;
    } else {
        lru_append(f, r, e);
        f->recs[r].n_learned++;
        heap_fix(f, f->recs[r].heap_pos);
    }
}

/* Detaches entry 'e' from its port record, releasing the record if it is
 * left unused. */
static void
detach(struct vsw_fdb *f, uint32_t e, bool is_static)
{
    uint32_t r = f->entries[e].rec;

    if (is_static) {
        f->recs[r].n_static--;
    } else {
        lru_unlink(f, r, e);
        f->recs[r].n_learned--;
        heap_fix(f, f->recs[r].heap_pos);
    }
    f->entries[e].rec = NONE;
    rec_maybe_release(f, r);
}

/* ---- entries ---------------------------------------------------------- */

/* Removes entry 'e' completely. */
static void
entry_remove(struct vsw_fdb *f, uint32_t e)
{
    uint32_t si = f->entries[e].slot;
    bool is_static = slot_is_static(&f->slots[si]);

    detach(f, e, is_static);
    slot_delete(f, si);
    f->entries[e].slot = NONE;
    f->entries[e].next = f->free_entry;
    f->free_entry = e;
    f->n_entries--;
}

/* Inserts a new entry for 'key' at empty slot 'si'.  The table must not be
 * full. */
static void
entry_insert(struct vsw_fdb *f, uint32_t si, uint64_t key, uint32_t port,
             bool is_static, uint64_t now)
{
    uint32_t e = f->free_entry;
    struct slot *s = &f->slots[si];

    assert(e != NONE && f->n_entries < f->max_entries);
    f->free_entry = f->entries[e].next;
    f->entries[e].slot = si;
    s->key = key;
    s->learned_ns = is_static ? 0 : now;
    s->port = port;
    s->entry = e | (is_static ? SLOT_STATIC : 0);
    attach(f, e, port, is_static);
    f->n_entries++;
    f->stats.inserts++;
}

/* Can fair eviction free an entry? */
static bool
can_evict(const struct vsw_fdb *f)
{
    return f->n_heap > 0 && f->recs[f->heap[0]].n_learned > 0;
}

/* Evicts the least-recently-learned entry of the port with the most
 * learned entries.  Returns false if there is none. */
static bool
evict_one(struct vsw_fdb *f)
{
    if (!can_evict(f)) {
        return false;
    }
    entry_remove(f, f->recs[f->heap[0]].head);
    f->stats.evictions++;
    return true;
}

/* Re-points the learned entry in slot 'si' to 'port' at time 'now'. */
static void
entry_move(struct vsw_fdb *f, uint32_t si, uint32_t port, uint64_t now)
{
    struct slot *s = &f->slots[si];
    uint32_t e = s->entry & SLOT_ENTRY_MASK;

    detach(f, e, false);
    attach(f, e, port, false);
    s->port = port;
    s->learned_ns = now;
}

/* Is 'port' at its learned-address limit? */
static bool
at_limit(const struct vsw_fdb *f, uint32_t port)
{
    uint32_t r = rec_find(f, port);

    return r != NONE && f->recs[r].n_learned >= f->recs[r].limit;
}

/* ---- creation --------------------------------------------------------- */

static uint32_t
pow2_at_least(uint64_t n)
{
    uint64_t p = 16;

    while (p < n) {
        p <<= 1;
    }
    return (uint32_t)p;
}

/* Puts 'f' (arrays allocated, sizes set) in the empty state. */
static void
reset(struct vsw_fdb *f)
{
    memset(f->slots, 0, (size_t)(f->slot_mask + 1) * sizeof *f->slots);
    for (uint32_t i = 0; i < f->max_entries; i++) {
        f->entries[i].slot = NONE;
        f->entries[i].rec = NONE;
        f->entries[i].prev = NONE;
        f->entries[i].next = i + 1 < f->max_entries ? i + 1 : NONE;
    }
    f->free_entry = 0;
    f->n_entries = 0;
    for (uint32_t i = 0; i < f->recs_cap; i++) {
        f->recs[i].heap_pos = NONE;
        f->recs[i].next = i + 1 < f->recs_cap ? i + 1 : NONE;
    }
    f->free_rec = 0;
    f->rec_head = f->rec_tail = NONE;
    f->n_limited = 0;
    for (uint32_t i = 0; i <= f->port_mask; i++) {
        f->port_slots[i] = NONE;
    }
    f->n_heap = 0;
    f->age_cursor = NONE;
}

static bool
valid_aging(uint64_t aging_ns)
{
    return aging_ns >= 1;
}

int
vsw_fdb_create(uint32_t max_entries, uint64_t aging_ns,
               struct vsw_fdb **fdbp)
{
    struct vsw_fdb *f;
    uint32_t n_slots, n_port_slots;

    if (max_entries < 1 || max_entries > VSW_FDB_MAX_ENTRIES
        || !valid_aging(aging_ns) || !fdbp) {
        return EINVAL;
    }
    n_slots = pow2_at_least(2 * (uint64_t)max_entries);
    n_port_slots = n_slots;             /* recs_cap == max_entries */

    f = vsw_calloc(1, sizeof *f);
    if (!f) {
        return ENOMEM;
    }
    f->max_entries = max_entries;
    f->aging_ns = aging_ns;
    f->slot_mask = n_slots - 1;
    f->recs_cap = max_entries;
    f->port_mask = n_port_slots - 1;
    f->slots = vsw_calloc(n_slots, sizeof *f->slots);
    f->entries = vsw_calloc(max_entries, sizeof *f->entries);
    f->recs = vsw_calloc(f->recs_cap, sizeof *f->recs);
    f->port_slots = vsw_calloc(n_port_slots, sizeof *f->port_slots);
    f->heap = vsw_calloc(f->recs_cap, sizeof *f->heap);
    if (!f->slots || !f->entries || !f->recs || !f->port_slots || !f->heap) {
        vsw_fdb_destroy(f);
        return ENOMEM;
    }
    reset(f);
    *fdbp = f;
    return 0;
}

void
vsw_fdb_destroy(struct vsw_fdb *f)
{
    if (f) {
        vsw_free(f->slots);
        vsw_free(f->entries);
        vsw_free(f->recs);
        vsw_free(f->port_slots);
        vsw_free(f->heap);
        vsw_free(f);
    }
}

int
vsw_fdb_set_aging(struct vsw_fdb *f, uint64_t aging_ns)
{
    if (!valid_aging(aging_ns)) {
        return EINVAL;
    }
    f->aging_ns = aging_ns;
    return 0;
}

uint64_t
vsw_fdb_get_aging(const struct vsw_fdb *f)
{
    return f->aging_ns;
}

void
vsw_fdb_set_refresh_interval(struct vsw_fdb *f, uint64_t refresh_ns)
{
    f->refresh_ns = refresh_ns;
}

int
vsw_fdb_set_hash_seed(struct vsw_fdb *f, uint64_t seed)
{
    if (f->n_entries) {
        return EBUSY;
    }
    f->seed = seed;
    return 0;
}

/* ---- learning and lookup ---------------------------------------------- */

const char *
vsw_fdb_learn_result_name(enum vsw_fdb_learn_result r)
{
    switch (r) {
    case VSW_FDB_NEW: return "new";
    case VSW_FDB_REFRESHED: return "refreshed";
    case VSW_FDB_MOVED: return "moved";
    case VSW_FDB_STATIC: return "static";
    case VSW_FDB_DENIED_STATIC: return "denied-static";
    case VSW_FDB_DENIED_LIMIT: return "denied-limit";
    case VSW_FDB_DENIED_INVALID: return "denied-invalid";
    case VSW_FDB_FULL: return "full";
    }
    return "unknown";
}

/*
 * HOW LEARNING WORKS.  One probe finds the key or the empty slot where it
 * would go.  A found static entry is never touched.  A found learned entry
 * on the same port is refreshed (its time set to 'now' and the entry moved
 * to the tail of its port's LRU list) unless the refresh is not yet due; on
 * another port it is moved, if that port is under its limit.  An expired
 * entry is relearned as if new.  A missing key needs the port under its
 * limit and a free entry; if the table is full, fair eviction frees one and
 * the key is probed again, since deletion may have shifted slots.
 */
enum vsw_fdb_learn_result
vsw_fdb_learn(struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan,
              uint32_t port, uint64_t now)
{
    uint64_t key;
    uint32_t si, empty = NONE;

    f->stats.learns++;
    if (!valid_key(mac, vlan)) {
        f->stats.denied_invalid++;
        return VSW_FDB_DENIED_INVALID;
    }
    key = make_key(mac, vlan);
    si = find_slot(f, key, &empty);
    if (si != NONE) {
        struct slot *s = &f->slots[si];
        bool was_expired;

        if (slot_is_static(s)) {
            if (s->port == port) {
                return VSW_FDB_STATIC;
            }
            f->stats.denied_static++;
            return VSW_FDB_DENIED_STATIC;
        }
        was_expired = expired(f, s, now);
        if (s->port == port) {
            if (was_expired || refresh_due(f, s, now)) {
                uint32_t e = s->entry & SLOT_ENTRY_MASK;
                uint32_t r = f->entries[e].rec;

                s->learned_ns = now;
                if (f->recs[r].tail != e) {
                    lru_unlink(f, r, e);
                    lru_append(f, r, e);
                }
            }
            if (was_expired) {
                f->stats.inserts++;
                return VSW_FDB_NEW;
            }
            f->stats.refreshes++;
            return VSW_FDB_REFRESHED;
        }
        if (at_limit(f, port)) {
            f->stats.denied_limit++;
            return VSW_FDB_DENIED_LIMIT;
        }
        entry_move(f, si, port, now);
        if (was_expired) {
            f->stats.inserts++;
            return VSW_FDB_NEW;
        }
        f->stats.moves++;
        return VSW_FDB_MOVED;
    }

    if (at_limit(f, port)) {
        f->stats.denied_limit++;
        return VSW_FDB_DENIED_LIMIT;
    }
    if (f->n_entries >= f->max_entries) {
        if (!evict_one(f)) {
            f->stats.full++;
            return VSW_FDB_FULL;
        }
        si = find_slot(f, key, &empty);
        assert(si == NONE);
    }
    entry_insert(f, empty, key, port, false, now);
    return VSW_FDB_NEW;
}

bool
vsw_fdb_learn_needed(const struct vsw_fdb *f, const uint8_t mac[6],
                     uint16_t vlan, uint32_t port, uint64_t now)
{
    uint32_t si;

    if (!valid_key(mac, vlan)) {
        return false;
    }
    si = find_slot(f, make_key(mac, vlan), NULL);
    if (si != NONE) {
        const struct slot *s = &f->slots[si];

        if (slot_is_static(s)) {
            return false;
        }
        if (s->port == port) {
            return expired(f, s, now) || refresh_due(f, s, now);
        }
        return !at_limit(f, port);
    }
    if (at_limit(f, port)) {
        return false;
    }
    return f->n_entries < f->max_entries || can_evict(f);
}

bool
vsw_fdb_lookup(const struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan,
               uint64_t now, uint32_t *port)
{
    uint32_t si;

    if (vlan > VSW_FDB_VLAN_MAX) {
        return false;
    }
    si = find_slot(f, make_key(mac, vlan), NULL);
    if (si == NONE || expired(f, &f->slots[si], now)) {
        return false;
    }
    *port = f->slots[si].port;
    return true;
}

/* ---- static entries and removal --------------------------------------- */

int
vsw_fdb_add_static(struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan,
                   uint32_t port)
{
    uint64_t key;
    uint32_t si, empty = NONE;

    if (!valid_key(mac, vlan)) {
        return EINVAL;
    }
    key = make_key(mac, vlan);
    si = find_slot(f, key, &empty);
    if (si != NONE) {
        struct slot *s = &f->slots[si];
        uint32_t e = s->entry & SLOT_ENTRY_MASK;
        bool was_static = slot_is_static(s);

        if (was_static && s->port == port) {
            return 0;
        }
        /* Releasing the old record first keeps the record invariant. */
        detach(f, e, was_static);
        attach(f, e, port, true);
        s->port = port;
        s->learned_ns = 0;
        s->entry = e | SLOT_STATIC;
        return 0;
    }
    if (f->n_entries >= f->max_entries) {
        if (!evict_one(f)) {
            return ENOSPC;
        }
        si = find_slot(f, key, &empty);
        assert(si == NONE);
    }
    entry_insert(f, empty, key, port, true, 0);
    return 0;
}

int
vsw_fdb_remove(struct vsw_fdb *f, const uint8_t mac[6], uint16_t vlan)
{
    uint32_t si;

    if (vlan > VSW_FDB_VLAN_MAX) {
        return ENOENT;
    }
    si = find_slot(f, make_key(mac, vlan), NULL);
    if (si == NONE) {
        return ENOENT;
    }
    entry_remove(f, f->slots[si].entry & SLOT_ENTRY_MASK);
    f->stats.removals++;
    return 0;
}

/* ---- limits ----------------------------------------------------------- */

/* Grows the record arrays to at least 'need' records.  All-or-nothing:
 * returns ENOMEM with the table unchanged. */
static int
grow_recs(struct vsw_fdb *f, uint32_t need)
{
    uint32_t cap = f->recs_cap * 2 > need ? f->recs_cap * 2 : need;
    uint32_t n_ps = pow2_at_least(2 * (uint64_t)cap);
    struct port_rec *recs = vsw_calloc(cap, sizeof *recs);
    uint32_t *heap = vsw_calloc(cap, sizeof *heap);
    uint32_t *ps = vsw_calloc(n_ps, sizeof *ps);

    if (!recs || !heap || !ps) {
        vsw_free(recs);
        vsw_free(heap);
        vsw_free(ps);
        return ENOMEM;
    }
    memcpy(recs, f->recs, f->recs_cap * sizeof *recs);
    memcpy(heap, f->heap, f->n_heap * sizeof *heap);
    /* The new records join the free list in index order. */
    for (uint32_t i = f->recs_cap; i < cap; i++) {
        recs[i].heap_pos = NONE;
        recs[i].next = i + 1 < cap ? i + 1 : f->free_rec;
    }
    f->free_rec = f->recs_cap;
    for (uint32_t i = 0; i < n_ps; i++) {
        ps[i] = NONE;
    }
    vsw_free(f->recs);
    vsw_free(f->heap);
    vsw_free(f->port_slots);
    f->recs = recs;
    f->heap = heap;
    f->port_slots = ps;
    f->port_mask = n_ps - 1;
    f->recs_cap = cap;
    /* Rehash in the fixed order of the in-use list. */
    for (uint32_t r = f->rec_head; r != NONE; r = f->recs[r].next) {
        port_slot_insert(ps, f->port_mask, port_home(f, f->recs[r].port), r);
    }
    return 0;
}

int
vsw_fdb_set_port_limit(struct vsw_fdb *f, uint32_t port, uint32_t limit)
{
    uint32_t r = rec_find(f, port);

    if (limit == VSW_FDB_NO_LIMIT) {
        if (r != NONE && f->recs[r].limit != VSW_FDB_NO_LIMIT) {
            f->recs[r].limit = VSW_FDB_NO_LIMIT;
            f->n_limited--;
            rec_maybe_release(f, r);
        }
        return 0;
    }
    if (r == NONE || f->recs[r].limit == VSW_FDB_NO_LIMIT) {
        uint64_t need = (uint64_t)f->max_entries + f->n_limited + 1;

        if (need > UINT32_MAX / 4) {
            return ENOMEM;
        }
        if (need > f->recs_cap) {
            int error = grow_recs(f, (uint32_t)need);
            if (error) {
                return error;
            }
        }
        r = rec_get(f, port);
        f->n_limited++;
    }
    f->recs[r].limit = limit;
    while (f->recs[r].n_learned > limit) {
        entry_remove(f, f->recs[r].head);
        f->stats.flushed++;
    }
    return 0;
}

/* ---- aging and flushing ----------------------------------------------- */

size_t
vsw_fdb_age(struct vsw_fdb *f, uint64_t now, size_t max_removals)
{
    size_t removed = 0;
    uint32_t start, r;

    if (f->aging_ns == VSW_FDB_AGING_NEVER || f->rec_head == NONE) {
        return 0;
    }
    start = f->age_cursor != NONE ? f->age_cursor : f->rec_head;
    r = start;
    /* Visit each record in use once, in creation order, starting at the
     * cursor and wrapping.  Ports visited are never released except the
     * current one, whose successor is fetched before it can be. */
    for (uint32_t visited = 0, n = f->n_heap; visited < n; visited++) {
        uint32_t next = f->recs[r].next != NONE ? f->recs[r].next
                                                : f->rec_head;

        while (f->recs[r].n_learned > 0) {
            uint32_t e = f->recs[r].head;
            uint32_t n_left = f->recs[r].n_learned;

            if (!expired(f, &f->slots[f->entries[e].slot], now)) {
                break;
            }
            if (max_removals && removed == max_removals) {
                f->age_cursor = r;
                return removed;
            }
            entry_remove(f, e);
            f->stats.expirations++;
            removed++;
            if (n_left == 1) {
                break;          /* 'r' may have been released */
            }
        }
        if (next == r) {
            break;              /* wrapped onto itself: it was the only one */
        }
        r = next;
    }
    f->age_cursor = NONE;
    return removed;
}

uint64_t
vsw_fdb_next_expiry_ns(const struct vsw_fdb *f)
{
    uint64_t best = UINT64_MAX;

    if (f->aging_ns == VSW_FDB_AGING_NEVER) {
        return UINT64_MAX;
    }
    for (uint32_t r = f->rec_head; r != NONE; r = f->recs[r].next) {
        if (f->recs[r].head != NONE) {
            const struct slot *s
                = &f->slots[f->entries[f->recs[r].head].slot];
            uint64_t t = s->learned_ns > UINT64_MAX - f->aging_ns
                         ? UINT64_MAX : s->learned_ns + f->aging_ns;
            if (t < best) {
                best = t;
            }
        }
    }
    return best;
}

size_t
vsw_fdb_flush_port(struct vsw_fdb *f, uint32_t port)
{
    uint32_t r = rec_find(f, port);
    size_t n;

    if (r == NONE) {
        return 0;
    }
    /* Count first: the record may be released by the last removal. */
    n = f->recs[r].n_learned;
    for (size_t i = 0; i < n; i++) {
        entry_remove(f, f->recs[r].head);
    }
    f->stats.flushed += n;
    return n;
}

/* Removes learned entries on 'vlan', or on every VLAN if 'vlan' is -1,
 * walking entries (which never move) in index order. */
static size_t
flush_learned(struct vsw_fdb *f, int vlan)
{
    size_t n = 0;

    for (uint32_t e = 0; e < f->max_entries && f->n_entries; e++) {
        uint32_t si = f->entries[e].slot;

        if (si != NONE && !slot_is_static(&f->slots[si])
            && (vlan < 0 || key_vlan(f->slots[si].key) == vlan)) {
            entry_remove(f, e);
            n++;
        }
    }
    f->stats.flushed += n;
    return n;
}

size_t
vsw_fdb_flush_vlan(struct vsw_fdb *f, uint16_t vlan)
{
    return vlan <= VSW_FDB_VLAN_MAX ? flush_learned(f, vlan) : 0;
}

size_t
vsw_fdb_flush_all(struct vsw_fdb *f)
{
    return flush_learned(f, -1);
}

void
vsw_fdb_clear(struct vsw_fdb *f)
{
    f->stats.flushed += f->n_entries;
    reset(f);
}

/* ---- inspection ------------------------------------------------------- */

size_t
vsw_fdb_count(const struct vsw_fdb *f)
{
    return f->n_entries;
}

uint32_t
vsw_fdb_capacity(const struct vsw_fdb *f)
{
    return f->max_entries;
}

void
vsw_fdb_port_counts(const struct vsw_fdb *f, uint32_t port,
                    struct vsw_fdb_port_counts *c)
{
    uint32_t r = rec_find(f, port);

    if (r == NONE) {
        c->learned = 0;
        c->statics = 0;
        c->limit = VSW_FDB_NO_LIMIT;
    } else {
        c->learned = f->recs[r].n_learned;
        c->statics = f->recs[r].n_static;
        c->limit = f->recs[r].limit;
    }
}

void
vsw_fdb_get_stats(const struct vsw_fdb *f, struct vsw_fdb_stats *s)
{
    *s = f->stats;
}

void
vsw_fdb_clear_stats(struct vsw_fdb *f)
{
    memset(&f->stats, 0, sizeof f->stats);
}

static int
info_cmp(const void *a_, const void *b_)
{
    const struct vsw_fdb_entry_info *a = a_;
    const struct vsw_fdb_entry_info *b = b_;

    if (a->vlan != b->vlan) {
        return a->vlan < b->vlan ? -1 : 1;
    }
    return memcmp(a->mac, b->mac, 6);
}

int
vsw_fdb_snapshot(const struct vsw_fdb *f, uint64_t now,
                 struct vsw_fdb_entry_info *out, size_t out_cap, size_t *n)
{
    size_t k = 0;

    for (uint32_t e = 0; e < f->max_entries; e++) {
        const struct slot *s;
        uint64_t mac;

        if (f->entries[e].slot == NONE) {
            continue;
        }
        s = &f->slots[f->entries[e].slot];
        if (expired(f, s, now)) {
            continue;
        }
        if (k < out_cap) {
            struct vsw_fdb_entry_info *o = &out[k];

            memset(o, 0, sizeof *o);    /* padding too: dumps compare */
            mac = key_mac(s->key);
            for (int i = 0; i < 6; i++) {
                o->mac[i] = (uint8_t)(mac >> (40 - 8 * i));
            }
            o->vlan = key_vlan(s->key);
            o->port = s->port;
            o->is_static = slot_is_static(s);
            o->learned_ns = s->learned_ns;
        }
        k++;
    }
    *n = k;
    if (k > out_cap) {
        return ENOSPC;
    }
    /* Keys are unique, so this order is total and qsort's instability
     * cannot show. */
    if (k > 1) {
        qsort(out, k, sizeof *out, info_cmp);
    }
    return 0;
}

int
vsw_fdb_foreach(const struct vsw_fdb *f, uint64_t now,
                vsw_fdb_foreach_cb *cb, void *aux)
{
    struct vsw_fdb_entry_info *v;
    size_t n;
    int error;

    v = vsw_calloc(f->n_entries ? f->n_entries : 1, sizeof *v);
    if (!v) {
        return ENOMEM;
    }
    error = vsw_fdb_snapshot(f, now, v, f->n_entries, &n);
    assert(!error);
    for (size_t i = 0; i < n && !error; i++) {
        error = cb(&v[i], aux);
    }
    vsw_free(v);
    return error;
}
