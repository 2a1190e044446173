/*
 * fdb.h -- the forwarding database of libvmswitch: which port a station
 * (MAC address) was last seen on, per VLAN.
 *
 * The switch's forwarding stage learns the source address of every frame it
 * accepts and looks up the destination address to choose between unicast
 * forwarding and flooding.  This module is that table and nothing else: it
 * knows no switch, port object, frame or clock, and depends on libc only
 * (plus vmswitch/alloc.h).
 *
 * THE KEY.  An entry is keyed by (MAC, VLAN id): the same station on two
 * VLANs is two independent entries, which may point to different ports, age
 * separately and are flushed separately.  VLAN ids are 0..4095 (the 12-bit
 * 802.1Q VID; an untagged switch uses 0).  The value is a port number, an
 * opaque uint32_t chosen by the caller.  The table never dereferences it,
 * never validates it against a port list and never calls back into the
 * switch; it only compares port numbers for equality and groups entries by
 * them.  Multicast and broadcast source addresses are never learned.
 *
 * TIME.  The table never reads a clock.  Every call that cares about time
 * takes 'now_ns', a caller-supplied count of nanoseconds on any epoch, and
 * the caller must never pass a smaller value than before.  A learned entry
 * learned (or last refreshed) at time L is visible to lookups while
 * now_ns - L < aging_ns and invisible from now_ns = L + aging_ns on: with an
 * aging time of 300 s it is still there at L + 300 s - 1 ns and gone at
 * exactly L + 300 s.  An expired entry stops being returned at once, but it
 * keeps its slot until vsw_fdb_age() removes it, the table evicts it, or the
 * station is learned again.  Static entries never expire.  If 'now_ns' ever
 * goes backwards, entries learned "in the future" are treated as brand new.
 *
 * LEARNING.  vsw_fdb_learn() reports exactly what it did (enum
 * vsw_fdb_learn_result): a new entry, a refresh of an existing one, a station
 * move (the station now lives on another port: the entry is updated in place
 * and its port changes), or a refusal.  Learning never overwrites a static
 * entry, never exceeds a port's address limit (a station move onto a port at
 * its limit is refused too, and the old entry is left as it was), and never
 * learns a group address.  Learning a station whose entry had expired counts
 * as new.  To make the common case (a known station sending again on the
 * same port) cheap, a refresh that comes less than 'refresh_ns' after the
 * previous one is skipped entirely (no write, no list motion), as Open
 * vSwitch does: with refresh_ns = 0 (the default) every learn refreshes, and
 * with refresh_ns = R an entry may expire up to R earlier than aging_ns after
 * the last frame.
 *
 * EVICTION AND LIMITS.  The table holds at most 'max_entries' entries,
 * learned and static together, all allocated at creation.  When it is full
 * and a new station must be learned, it evicts fairly, as OVS's
 * mac-learning does: the least-recently-learned entry of the port that has
 * the most learned entries (ties go to the lowest port number).  So one
 * port flooding the table with forged source addresses mostly evicts its
 * own entries.  Static entries are never evicted; a table full of static
 * entries refuses to learn (VSW_FDB_FULL).  Independently, each port may
 * have a limit on its number of learned entries (default: none); a port at
 * its limit learns no new station (VSW_FDB_DENIED_LIMIT) until some of its
 * entries age out or are flushed.  Static entries do not count toward the
 * limit.
 *
 * STATIC ENTRIES are configuration: vsw_fdb_add_static() installs or
 * replaces one (turning a learned entry into a static one if present, and
 * evicting a learned entry fairly if the table is full); only
 * vsw_fdb_remove() and vsw_fdb_clear() delete them.  The flush operations
 * (per port on link down, per VLAN, all) remove learned entries only.
 *
 * DETERMINISM.  The hash function is fixed (a 64-bit finalizer over the
 * packed key, optionally mixed with a caller-chosen seed), so the same
 * sequence of calls gives the same table, the same evictions and the same
 * results on every run and every host.  Nothing observable depends on hash
 * order: dumps are sorted by (VLAN, MAC), aging walks ports in a fixed order,
 * and eviction order is defined above.  A fixed public hash can be attacked
 * with colliding addresses; the per-port limit, the fixed capacity and the
 * seed (vsw_fdb_set_hash_seed(), which a deployment may draw from a secret
 * or a named random stream) bound the damage.
 *
 * COST.  Entries, the hash index (open addressing, linear probing, load
 * factor at most 1/2, backward-shift deletion so there are no tombstones)
 * and the per-port bookkeeping are preallocated by vsw_fdb_create(), so
 * learning and lookup never allocate and cost O(1) expected, independent of
 * the number of entries.  A lookup reads one 24-byte index slot per probe
 * and nothing else.  A refresh moves the entry to the tail of its port's LRU
 * list; a new entry or a move also updates a max-heap of ports by learned
 * count (O(log ports)).  Aging costs O(ports + entries removed); flushing a
 * port costs O(its entries); flushing a VLAN costs O(max_entries).
 *
 * WORK ACCOUNTING.  For the switch's CPU cost model: one vsw_fdb_lookup() is
 * one table lookup; one vsw_fdb_learn() is one table lookup plus, when it
 * returns VSW_FDB_NEW or VSW_FDB_MOVED, one insert or update.  The writer-side
 * totals (inserts, moves, evictions, expirations, ...) are kept in struct
 * vsw_fdb_stats.  Lookups write nothing, not even a counter.
 *
 * CONCURRENCY.  A table is single-writer and has no internal locking: the
 * caller serialises every call that takes a non-const 'struct vsw_fdb *'
 * (learn, add/remove, age, flush, configuration).  Calls that take a const
 * table (vsw_fdb_lookup(), vsw_fdb_learn_needed(), counts, dumps) only read,
 * so any number of them may run in parallel with each other, but not with a
 * writer: a writer moves index slots in place.  A switch that learns on the
 * data path can therefore use a readers-writer lock, checking
 * vsw_fdb_learn_needed() under the read lock and taking the write lock only
 * when it returns true (new station, move, or refresh due), which with a
 * nonzero refresh interval is rare for established stations.
 *
 * ERRORS.  Fallible calls return 0 or a positive errno value and leave the
 * table unchanged on failure.  Allocation happens only in vsw_fdb_create(),
 * vsw_fdb_set_port_limit() (which may grow the per-port bookkeeping) and
 * vsw_fdb_foreach(); all of them return ENOMEM on failure, never abort.
 */
#ifndef VMSWITCH_FDB_H
#define VMSWITCH_FDB_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_fdb;

/* The largest table vsw_fdb_create() accepts (entries). */
#define VSW_FDB_MAX_ENTRIES (UINT32_C(1) << 28)

/* An aging time that never expires learned entries. */
#define VSW_FDB_AGING_NEVER UINT64_MAX

/* A per-port limit meaning "no limit" (the default). */
#define VSW_FDB_NO_LIMIT UINT32_MAX

/* The largest VLAN id (12 bits). */
#define VSW_FDB_VLAN_MAX 4095

/* What vsw_fdb_learn() did. */
enum vsw_fdb_learn_result {
    VSW_FDB_NEW,            /* A new entry was created (perhaps after a fair
                             * eviction, see stats.evictions). */
    VSW_FDB_REFRESHED,      /* Known on this port; its age was reset (or the
                             * refresh was skipped as not yet due). */
    VSW_FDB_MOVED,          /* Station move: the entry now points to the new
                             * port and its age was reset. */
    VSW_FDB_STATIC,         /* A static entry already maps it to this port;
                             * nothing to learn. */
    VSW_FDB_DENIED_STATIC,  /* A static entry maps it to another port;
                             * static entries are never overwritten. */
    VSW_FDB_DENIED_LIMIT,   /* The port is at its address limit. */
    VSW_FDB_DENIED_INVALID, /* Group (multicast/broadcast) address or
                             * VLAN id above 4095: never learned. */
    VSW_FDB_FULL            /* Table full and nothing evictable (all
                             * entries static). */
};

/* Returns a constant name for 'r' ("new", "moved", "denied-limit", ...). */
const char *vsw_fdb_learn_result_name(enum vsw_fdb_learn_result r);

/* Writer-side totals since creation (or vsw_fdb_clear_stats()). */
struct vsw_fdb_stats {
    uint64_t learns;          /* vsw_fdb_learn() calls */
    uint64_t inserts;         /* entries created (learned or static) */
    uint64_t refreshes;       /* learns that reset an entry's age */
    uint64_t moves;           /* station moves */
    uint64_t denied_static;   /* VSW_FDB_DENIED_STATIC results */
    uint64_t denied_limit;    /* VSW_FDB_DENIED_LIMIT results */
    uint64_t denied_invalid;  /* VSW_FDB_DENIED_INVALID results */
    uint64_t full;            /* VSW_FDB_FULL results */
    uint64_t evictions;       /* learned entries evicted to make room */
    uint64_t expirations;     /* entries removed by vsw_fdb_age() */
    uint64_t flushed;         /* entries removed by flush/clear/limit */
    uint64_t removals;        /* entries removed by vsw_fdb_remove() */
};

/* One entry as seen by a dump. */
struct vsw_fdb_entry_info {
    uint8_t mac[6];
    uint16_t vlan;
    uint32_t port;
    bool is_static;
    uint64_t learned_ns;      /* time of last learn or refresh; 0 if static */
};

/* Per-port numbers of entries. */
struct vsw_fdb_port_counts {
    uint32_t learned;         /* learned entries, expired ones included
                               * until removed */
    uint32_t statics;         /* static entries */
    uint32_t limit;           /* learned-address limit or VSW_FDB_NO_LIMIT */
};

/* Creates a table for at most 'max_entries' (1..VSW_FDB_MAX_ENTRIES)
 * entries whose learned entries expire 'aging_ns' (>= 1, or
 * VSW_FDB_AGING_NEVER) after their last refresh.  All memory is allocated
 * here.  On success stores the new table in '*fdbp' and returns 0; returns
 * EINVAL for bad arguments or ENOMEM, leaving '*fdbp' untouched and nothing
 * allocated. */
int vsw_fdb_create(uint32_t max_entries, uint64_t aging_ns,
                   struct vsw_fdb **fdbp);

/* Frees 'fdb' and everything in it.  Accepts NULL. */
void vsw_fdb_destroy(struct vsw_fdb *fdb);

/* Changes the aging time ('aging_ns' >= 1 or VSW_FDB_AGING_NEVER); it
 * applies at once to every learned entry.  Returns 0 or EINVAL. */
int vsw_fdb_set_aging(struct vsw_fdb *fdb, uint64_t aging_ns);
uint64_t vsw_fdb_get_aging(const struct vsw_fdb *fdb);

/* Sets the minimum interval between two refreshes of an entry by
 * vsw_fdb_learn() (default 0: every learn refreshes).  See LEARNING. */
void vsw_fdb_set_refresh_interval(struct vsw_fdb *fdb, uint64_t refresh_ns);

/* Mixes 'seed' into the hash function.  Only allowed while the table is
 * empty: returns 0, or EBUSY (nothing changed) if it holds entries. */
int vsw_fdb_set_hash_seed(struct vsw_fdb *fdb, uint64_t seed);

/* Learns that 'mac' on VLAN 'vlan' was seen on port 'port' at 'now_ns', and
 * says what that did.  Never allocates. */
enum vsw_fdb_learn_result vsw_fdb_learn(struct vsw_fdb *fdb,
                                        const uint8_t mac[6], uint16_t vlan,
                                        uint32_t port, uint64_t now_ns);

/* Returns true if vsw_fdb_learn() with the same arguments would change the
 * table (new entry, move, due refresh, eviction), false if it would be a
 * no-op (skipped refresh, static match, or a refusal that changes nothing
 * but counters).  Read-only: see CONCURRENCY. */
bool vsw_fdb_learn_needed(const struct vsw_fdb *fdb, const uint8_t mac[6],
                          uint16_t vlan, uint32_t port, uint64_t now_ns);

/* Looks up 'mac' on VLAN 'vlan' at time 'now_ns'.  If a static or an
 * unexpired learned entry exists, stores its port in '*port' and returns
 * true; otherwise returns false and leaves '*port' alone.  Read-only. */
bool vsw_fdb_lookup(const struct vsw_fdb *fdb, const uint8_t mac[6],
                    uint16_t vlan, uint64_t now_ns, uint32_t *port);

/* Installs a static entry mapping ('mac', 'vlan') to 'port', replacing a
 * learned or static entry for the same key.  If the key is new and the
 * table is full, evicts a learned entry fairly.  Returns 0, EINVAL (group
 * address or VLAN > 4095) or ENOSPC (table full of static entries;
 * nothing changed). */
int vsw_fdb_add_static(struct vsw_fdb *fdb, const uint8_t mac[6],
                       uint16_t vlan, uint32_t port);

/* Removes the entry for ('mac', 'vlan'), learned or static, expired or
 * not.  Returns 0 or ENOENT. */
int vsw_fdb_remove(struct vsw_fdb *fdb, const uint8_t mac[6], uint16_t vlan);

/* Sets the maximum number of learned entries on 'port' ('limit', or
 * VSW_FDB_NO_LIMIT to lift it).  If the port already holds more, its
 * least-recently-learned entries are removed down to the limit (counted in
 * stats.flushed).  May allocate per-port bookkeeping: returns 0 or ENOMEM
 * (nothing changed). */
int vsw_fdb_set_port_limit(struct vsw_fdb *fdb, uint32_t port,
                           uint32_t limit);

/* Removes learned entries that have expired at 'now_ns', oldest first
 * within each port, ports visited in a fixed order.  If 'max_removals' is
 * nonzero, stops after removing that many (a later call continues where
 * this one stopped).  Returns the number removed. */
size_t vsw_fdb_age(struct vsw_fdb *fdb, uint64_t now_ns, size_t max_removals);

/* Returns the earliest time at which some learned entry will expire
 * (possibly already past), or UINT64_MAX if none ever will: the time at
 * which a simulator should next call vsw_fdb_age().  O(ports). */
uint64_t vsw_fdb_next_expiry_ns(const struct vsw_fdb *fdb);

/* Remove every learned entry on 'port' (link down, NIC disconnect), on
 * 'vlan', or everywhere.  Static entries stay.  Return the number
 * removed. */
size_t vsw_fdb_flush_port(struct vsw_fdb *fdb, uint32_t port);
size_t vsw_fdb_flush_vlan(struct vsw_fdb *fdb, uint16_t vlan);
size_t vsw_fdb_flush_all(struct vsw_fdb *fdb);

/* Removes every entry, static ones included, and every port limit. */
void vsw_fdb_clear(struct vsw_fdb *fdb);

/* Number of entries held (learned, expired-but-not-removed, static). */
size_t vsw_fdb_count(const struct vsw_fdb *fdb);
uint32_t vsw_fdb_capacity(const struct vsw_fdb *fdb);

/* Fills '*c' with the counts and limit of 'port' (zeros and
 * VSW_FDB_NO_LIMIT for a port the table does not know). */
void vsw_fdb_port_counts(const struct vsw_fdb *fdb, uint32_t port,
                         struct vsw_fdb_port_counts *c);

void vsw_fdb_get_stats(const struct vsw_fdb *fdb, struct vsw_fdb_stats *s);
void vsw_fdb_clear_stats(struct vsw_fdb *fdb);

/* Copies the visible entries at 'now_ns' (static and unexpired learned)
 * into 'out', sorted by (VLAN, MAC), and stores their number in '*n'.
 * Needs no allocation.  Returns 0, or ENOSPC if there are more than
 * 'out_cap' (then '*n' is the number needed and 'out' is unspecified). */
int vsw_fdb_snapshot(const struct vsw_fdb *fdb, uint64_t now_ns,
                     struct vsw_fdb_entry_info *out, size_t out_cap,
                     size_t *n);

/* Calls 'cb' for each visible entry at 'now_ns' in (VLAN, MAC) order until
 * it returns nonzero.  Allocates a temporary array.  Returns 0, ENOMEM
 * (no call made), or the first nonzero value 'cb' returned.  'cb' must not
 * modify the table. */
typedef int vsw_fdb_foreach_cb(const struct vsw_fdb_entry_info *e, void *aux);
int vsw_fdb_foreach(const struct vsw_fdb *fdb, uint64_t now_ns,
                    vsw_fdb_foreach_cb *cb, void *aux);

#ifdef __cplusplus
}
#endif

#endif /* VMSWITCH_FDB_H */
