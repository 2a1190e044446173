/*
 * test-vsw-fdb.c -- the MAC learning table of vmswitch/fdb.h: learning and
 * lookup per (MAC, VLAN), aging with time advanced by hand, station moves,
 * static entries, per-port limits, fair eviction, flushes, deterministic
 * dumps, allocation failure, a 1e5-entry fill, and a randomized comparison
 * against a naive reference model.
 */
#include <config.h>
#include "vmswitch/fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cutest.h"
#include "vmswitch/alloc.h"

#define SEC UINT64_C(1000000000)
#define AGING (300 * SEC)

/* A locally administered unicast MAC numbered 'n'. */
static void
mac_n(uint8_t mac[6], uint32_t n)
{
    mac[0] = 0x02;
    mac[1] = 0x00;
    mac[2] = (uint8_t)(n >> 24);
    mac[3] = (uint8_t)(n >> 16);
    mac[4] = (uint8_t)(n >> 8);
    mac[5] = (uint8_t)n;
}

static struct vsw_fdb *
new_fdb(uint32_t max, uint64_t aging)
{
    struct vsw_fdb *f = NULL;

    CU_ASSERT_FATAL(vsw_fdb_create(max, aging, &f) == 0);
    return f;
}

/* Returns the port 'mac_n(n)' maps to on 'vlan' at 'now', or -1. */
static int64_t
port_of(const struct vsw_fdb *f, uint32_t n, uint16_t vlan, uint64_t now)
{
    uint8_t mac[6];
    uint32_t port;

    mac_n(mac, n);
    return vsw_fdb_lookup(f, mac, vlan, now, &port) ? (int64_t)port : -1;
}

static enum vsw_fdb_learn_result
learn(struct vsw_fdb *f, uint32_t n, uint16_t vlan, uint32_t port,
      uint64_t now)
{
    uint8_t mac[6];

    mac_n(mac, n);
    return vsw_fdb_learn(f, mac, vlan, port, now);
}

static void
test_fdb_learn_then_lookup_returns_port(void)
{
    struct vsw_fdb *f = new_fdb(16, AGING);

    CU_ASSERT_EQUAL(port_of(f, 1, 0, 0), -1);
    CU_ASSERT_EQUAL(learn(f, 1, 0, 7, 0), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, 0), 7);
    CU_ASSERT_EQUAL(port_of(f, 2, 0, 0), -1);
    CU_ASSERT_EQUAL(learn(f, 1, 0, 7, 5), VSW_FDB_REFRESHED);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 1);
    /* Port numbers are opaque: the largest one works too. */
    CU_ASSERT_EQUAL(learn(f, 2, 0, UINT32_MAX, 5), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(port_of(f, 2, 0, 5), (int64_t)UINT32_MAX);
    vsw_fdb_destroy(f);
    vsw_fdb_destroy(NULL);
}

static void
test_fdb_same_mac_in_two_vlans_is_two_entries(void)
{
    struct vsw_fdb *f = new_fdb(16, AGING);

    CU_ASSERT_EQUAL(learn(f, 1, 10, 1, 0), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(learn(f, 1, 20, 2, 0), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 2);
    CU_ASSERT_EQUAL(port_of(f, 1, 10, 0), 1);
    CU_ASSERT_EQUAL(port_of(f, 1, 20, 0), 2);
    CU_ASSERT_EQUAL(port_of(f, 1, 30, 0), -1);
    /* Not a station move: each VLAN keeps its own port. */
    CU_ASSERT_EQUAL(learn(f, 1, 20, 2, 1), VSW_FDB_REFRESHED);
    CU_ASSERT_EQUAL(port_of(f, 1, 10, 1), 1);
    CU_ASSERT_EQUAL(vsw_fdb_flush_vlan(f, 10), 1);
    CU_ASSERT_EQUAL(port_of(f, 1, 10, 1), -1);
    CU_ASSERT_EQUAL(port_of(f, 1, 20, 1), 2);
    vsw_fdb_destroy(f);
}

static void
test_fdb_entry_valid_at_aging_minus_one_gone_at_aging(void)
{
    struct vsw_fdb *f = new_fdb(16, AGING);
    const uint64_t t0 = 1000;

    learn(f, 1, 0, 3, t0);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, t0 + AGING - 1), 3);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, t0 + AGING), -1);
    /* Expired but not yet removed: still counted, invisible to dumps. */
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 1);
    CU_ASSERT_EQUAL(vsw_fdb_age(f, t0 + AGING - 1, 0), 0);
    CU_ASSERT_EQUAL(vsw_fdb_age(f, t0 + AGING, 0), 1);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 0);
    vsw_fdb_destroy(f);
}

static void
test_fdb_refresh_extends_life(void)
{
    struct vsw_fdb *f = new_fdb(16, AGING);

    learn(f, 1, 0, 3, 0);
    CU_ASSERT_EQUAL(learn(f, 1, 0, 3, 100 * SEC), VSW_FDB_REFRESHED);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, AGING), 3);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, 100 * SEC + AGING - 1), 3);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, 100 * SEC + AGING), -1);
    /* Learning an expired station again makes it new. */
    CU_ASSERT_EQUAL(learn(f, 1, 0, 3, 100 * SEC + AGING), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, 100 * SEC + AGING), 3);
    vsw_fdb_destroy(f);
}

static void
test_fdb_refresh_interval_skips_early_refresh(void)
{
    struct vsw_fdb *f = new_fdb(16, AGING);
    uint8_t mac[6];

    mac_n(mac, 1);
    vsw_fdb_set_refresh_interval(f, SEC);
    learn(f, 1, 0, 3, 0);
    CU_ASSERT_FALSE(vsw_fdb_learn_needed(f, mac, 0, 3, SEC - 1));
    CU_ASSERT_EQUAL(learn(f, 1, 0, 3, SEC - 1), VSW_FDB_REFRESHED);
    /* The skipped refresh did not extend the entry's life... */
    CU_ASSERT_EQUAL(port_of(f, 1, 0, AGING), -1);
    /* ...a due one does. */
    CU_ASSERT_TRUE(vsw_fdb_learn_needed(f, mac, 0, 3, SEC));
    learn(f, 1, 0, 3, SEC);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, AGING + SEC - 1), 3);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, AGING + SEC), -1);
    vsw_fdb_destroy(f);
}

static void
test_fdb_station_move_updates_port(void)
{
    struct vsw_fdb *f = new_fdb(16, AGING);
    struct vsw_fdb_port_counts c;
    struct vsw_fdb_stats st;

    learn(f, 1, 5, 1, 0);
    CU_ASSERT_EQUAL(learn(f, 1, 5, 2, 10), VSW_FDB_MOVED);
    CU_ASSERT_EQUAL(port_of(f, 1, 5, 10), 2);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 1);
    vsw_fdb_port_counts(f, 1, &c);
    CU_ASSERT_EQUAL(c.learned, 0);
    vsw_fdb_port_counts(f, 2, &c);
    CU_ASSERT_EQUAL(c.learned, 1);
    /* The move reset the age. */
    CU_ASSERT_EQUAL(port_of(f, 1, 5, 10 + AGING - 1), 2);
    vsw_fdb_get_stats(f, &st);
    CU_ASSERT_EQUAL(st.moves, 1);
    CU_ASSERT_EQUAL(st.inserts, 1);
    CU_ASSERT_EQUAL(st.learns, 2);
    /* Flushing the old port no longer affects the station. */
    CU_ASSERT_EQUAL(vsw_fdb_flush_port(f, 1), 0);
    CU_ASSERT_EQUAL(port_of(f, 1, 5, 10), 2);
    vsw_fdb_destroy(f);
}

static void
test_fdb_static_entries_never_overwritten_or_aged(void)
{
    struct vsw_fdb *f = new_fdb(16, AGING);
    uint8_t mac[6];
    struct vsw_fdb_port_counts c;

    mac_n(mac, 9);
    CU_ASSERT_EQUAL(vsw_fdb_add_static(f, mac, 1, 4), 0);
    CU_ASSERT_EQUAL(learn(f, 9, 1, 5, 0), VSW_FDB_DENIED_STATIC);
    CU_ASSERT_EQUAL(learn(f, 9, 1, 4, 0), VSW_FDB_STATIC);
    CU_ASSERT_EQUAL(port_of(f, 9, 1, 0), 4);
    CU_ASSERT_EQUAL(port_of(f, 9, 1, 100 * AGING), 4);
    CU_ASSERT_EQUAL(vsw_fdb_age(f, 100 * AGING, 0), 0);
    CU_ASSERT_EQUAL(vsw_fdb_flush_port(f, 4), 0);
    CU_ASSERT_EQUAL(vsw_fdb_flush_all(f), 0);
    CU_ASSERT_EQUAL(port_of(f, 9, 1, 100 * AGING), 4);
    vsw_fdb_port_counts(f, 4, &c);
    CU_ASSERT_EQUAL(c.statics, 1);
    CU_ASSERT_EQUAL(c.learned, 0);
    /* The operator may re-point it; only remove deletes it. */
    CU_ASSERT_EQUAL(vsw_fdb_add_static(f, mac, 1, 6), 0);
    CU_ASSERT_EQUAL(port_of(f, 9, 1, 0), 6);
    vsw_fdb_port_counts(f, 4, &c);
    CU_ASSERT_EQUAL(c.statics, 0);
    CU_ASSERT_EQUAL(vsw_fdb_remove(f, mac, 1), 0);
    CU_ASSERT_EQUAL(vsw_fdb_remove(f, mac, 1), ENOENT);
    CU_ASSERT_EQUAL(port_of(f, 9, 1, 0), -1);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 0);
    vsw_fdb_destroy(f);
}

static void
test_fdb_add_static_converts_learned_entry(void)
{
    struct vsw_fdb *f = new_fdb(16, AGING);
    uint8_t mac[6];
    struct vsw_fdb_port_counts c;

    mac_n(mac, 3);
    learn(f, 3, 0, 1, 0);
    CU_ASSERT_EQUAL(vsw_fdb_add_static(f, mac, 0, 1), 0);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 1);
    vsw_fdb_port_counts(f, 1, &c);
    CU_ASSERT_EQUAL(c.learned, 0);
    CU_ASSERT_EQUAL(c.statics, 1);
    CU_ASSERT_EQUAL(port_of(f, 3, 0, 10 * AGING), 1);
    vsw_fdb_destroy(f);
}

static void
test_fdb_group_address_and_bad_vlan_not_learned(void)
{
    struct vsw_fdb *f = new_fdb(16, AGING);
    uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
    uint8_t ok[6];

    mac_n(ok, 1);
    CU_ASSERT_EQUAL(vsw_fdb_learn(f, bcast, 0, 1, 0), VSW_FDB_DENIED_INVALID);
    CU_ASSERT_EQUAL(vsw_fdb_learn(f, mcast, 0, 1, 0), VSW_FDB_DENIED_INVALID);
    CU_ASSERT_EQUAL(vsw_fdb_learn(f, ok, 4096, 1, 0), VSW_FDB_DENIED_INVALID);
    CU_ASSERT_EQUAL(vsw_fdb_learn(f, ok, 4095, 1, 0), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(vsw_fdb_add_static(f, mcast, 0, 1), EINVAL);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 1);
    CU_ASSERT_STRING_EQUAL(vsw_fdb_learn_result_name(VSW_FDB_DENIED_INVALID),
                           "denied-invalid");
    vsw_fdb_destroy(f);
}

static void
test_fdb_port_limit_denies_new_addresses_and_moves(void)
{
    struct vsw_fdb *f = new_fdb(64, AGING);
    struct vsw_fdb_port_counts c;

    CU_ASSERT_EQUAL(vsw_fdb_set_port_limit(f, 1, 2), 0);
    CU_ASSERT_EQUAL(learn(f, 1, 0, 1, 0), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(learn(f, 2, 0, 1, 0), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(learn(f, 3, 0, 1, 0), VSW_FDB_DENIED_LIMIT);
    CU_ASSERT_EQUAL(port_of(f, 3, 0, 0), -1);
    /* Known stations still refresh. */
    CU_ASSERT_EQUAL(learn(f, 2, 0, 1, 1), VSW_FDB_REFRESHED);
    /* A move onto the full port is refused and the entry left alone. */
    CU_ASSERT_EQUAL(learn(f, 4, 0, 2, 0), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(learn(f, 4, 0, 1, 1), VSW_FDB_DENIED_LIMIT);
    CU_ASSERT_EQUAL(port_of(f, 4, 0, 1), 2);
    /* Static entries do not count toward the limit. */
    {
        uint8_t mac[6];
        mac_n(mac, 5);
        CU_ASSERT_EQUAL(vsw_fdb_add_static(f, mac, 0, 1), 0);
    }
    vsw_fdb_port_counts(f, 1, &c);
    CU_ASSERT_EQUAL(c.learned, 2);
    CU_ASSERT_EQUAL(c.statics, 1);
    CU_ASSERT_EQUAL(c.limit, 2);
    /* Once one ages out, the port learns again. */
    CU_ASSERT_EQUAL(vsw_fdb_age(f, AGING, 0), 2);   /* mac 1 and mac 4 */
    CU_ASSERT_EQUAL(learn(f, 3, 0, 1, AGING), VSW_FDB_NEW);
    /* Limit 0 disables learning; lifting the limit restores it. */
    CU_ASSERT_EQUAL(vsw_fdb_set_port_limit(f, 7, 0), 0);
    CU_ASSERT_EQUAL(learn(f, 8, 0, 7, AGING), VSW_FDB_DENIED_LIMIT);
    CU_ASSERT_EQUAL(vsw_fdb_set_port_limit(f, 7, VSW_FDB_NO_LIMIT), 0);
    CU_ASSERT_EQUAL(learn(f, 8, 0, 7, AGING), VSW_FDB_NEW);
    vsw_fdb_destroy(f);
}

static void
test_fdb_lowering_limit_removes_oldest_first(void)
{
    struct vsw_fdb *f = new_fdb(64, AGING);

    for (uint32_t i = 0; i < 5; i++) {
        learn(f, i, 0, 1, i);
    }
    learn(f, 0, 0, 1, 10);              /* 0 is now the most recent */
    CU_ASSERT_EQUAL(vsw_fdb_set_port_limit(f, 1, 2), 0);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 2);
    CU_ASSERT_EQUAL(port_of(f, 4, 0, 10), 1);
    CU_ASSERT_EQUAL(port_of(f, 0, 0, 10), 1);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, 10), -1);
    vsw_fdb_destroy(f);
}

static void
test_fdb_full_table_evicts_lru_of_port_with_most_entries(void)
{
    struct vsw_fdb *f = new_fdb(6, AGING);
    struct vsw_fdb_stats st;

    /* Port 1 holds 4 entries (10..13), port 2 holds 2 (20, 21). */
    learn(f, 10, 0, 1, 1);
    learn(f, 20, 0, 2, 2);
    learn(f, 11, 0, 1, 3);
    learn(f, 12, 0, 1, 4);
    learn(f, 21, 0, 2, 5);
    learn(f, 13, 0, 1, 6);
    learn(f, 10, 0, 1, 7);              /* refresh: 11 is now port 1's LRU */
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 6);
    /* A new station on port 2 evicts port 1's least recently learned. */
    CU_ASSERT_EQUAL(learn(f, 22, 0, 2, 8), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(port_of(f, 11, 0, 8), -1);
    CU_ASSERT_EQUAL(port_of(f, 10, 0, 8), 1);
    CU_ASSERT_EQUAL(port_of(f, 20, 0, 8), 2);
    /* Now 3 and 3: the tie goes to the lower port number. */
    CU_ASSERT_EQUAL(learn(f, 23, 0, 2, 9), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(port_of(f, 12, 0, 9), -1);
    /* Port 2 has 4 now: it loses its own oldest. */
    CU_ASSERT_EQUAL(learn(f, 14, 0, 1, 10), VSW_FDB_NEW);
    CU_ASSERT_EQUAL(port_of(f, 20, 0, 10), -1);
    vsw_fdb_get_stats(f, &st);
    CU_ASSERT_EQUAL(st.evictions, 3);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 6);
    vsw_fdb_destroy(f);
}

static void
test_fdb_table_full_of_static_entries_refuses_learning(void)
{
    struct vsw_fdb *f = new_fdb(2, AGING);
    uint8_t mac[6];

    mac_n(mac, 1);
    CU_ASSERT_EQUAL(vsw_fdb_add_static(f, mac, 0, 1), 0);
    mac_n(mac, 2);
    CU_ASSERT_EQUAL(vsw_fdb_add_static(f, mac, 0, 1), 0);
    mac_n(mac, 3);
    CU_ASSERT_FALSE(vsw_fdb_learn_needed(f, mac, 0, 1, 0));
    CU_ASSERT_EQUAL(learn(f, 3, 0, 1, 0), VSW_FDB_FULL);
    CU_ASSERT_EQUAL(vsw_fdb_add_static(f, mac, 0, 1), ENOSPC);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 2);
    vsw_fdb_destroy(f);
}

static void
test_fdb_flush_port_removes_only_that_ports_learned_entries(void)
{
    struct vsw_fdb *f = new_fdb(64, AGING);
    uint8_t mac[6];

    for (uint32_t i = 0; i < 10; i++) {
        learn(f, i, (uint16_t)(i % 3), 1 + i % 2, 0);
    }
    mac_n(mac, 100);
    vsw_fdb_add_static(f, mac, 0, 1);
    CU_ASSERT_EQUAL(vsw_fdb_flush_port(f, 1), 5);
    CU_ASSERT_EQUAL(vsw_fdb_flush_port(f, 1), 0);
    CU_ASSERT_EQUAL(vsw_fdb_flush_port(f, 99), 0);
    for (uint32_t i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(port_of(f, i, (uint16_t)(i % 3), 0),
                        i % 2 ? 2 : -1);
    }
    CU_ASSERT_EQUAL(port_of(f, 100, 0, 0), 1);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 6);
    vsw_fdb_destroy(f);
}

static void
test_fdb_flush_vlan_and_flush_all_keep_static(void)
{
    struct vsw_fdb *f = new_fdb(64, AGING);
    uint8_t mac[6];

    for (uint32_t i = 0; i < 12; i++) {
        learn(f, i, (uint16_t)(i % 3), 1, 0);
    }
    mac_n(mac, 50);
    vsw_fdb_add_static(f, mac, 1, 2);
    CU_ASSERT_EQUAL(vsw_fdb_flush_vlan(f, 1), 4);
    CU_ASSERT_EQUAL(vsw_fdb_flush_vlan(f, 4096), 0);
    CU_ASSERT_EQUAL(port_of(f, 50, 1, 0), 2);
    CU_ASSERT_EQUAL(port_of(f, 0, 0, 0), 1);
    CU_ASSERT_EQUAL(vsw_fdb_flush_all(f), 8);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 1);
    vsw_fdb_clear(f);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 0);
    CU_ASSERT_EQUAL(port_of(f, 50, 1, 0), -1);
    /* Still usable after clear. */
    CU_ASSERT_EQUAL(learn(f, 1, 0, 1, 0), VSW_FDB_NEW);
    vsw_fdb_destroy(f);
}

static void
test_fdb_age_bounded_work_resumes_and_next_expiry(void)
{
    struct vsw_fdb *f = new_fdb(64, AGING);

    CU_ASSERT_EQUAL(vsw_fdb_next_expiry_ns(f), UINT64_MAX);
    for (uint32_t i = 0; i < 10; i++) {
        learn(f, i, 0, i % 3, 100 + i);
    }
    CU_ASSERT_EQUAL(vsw_fdb_next_expiry_ns(f), 100 + AGING);
    /* At 100 + AGING + 4, entries learned at 100..104 are expired. */
    CU_ASSERT_EQUAL(vsw_fdb_age(f, 100 + AGING + 4, 2), 2);
    CU_ASSERT_EQUAL(vsw_fdb_age(f, 100 + AGING + 4, 2), 2);
    CU_ASSERT_EQUAL(vsw_fdb_age(f, 100 + AGING + 4, 2), 1);
    CU_ASSERT_EQUAL(vsw_fdb_age(f, 100 + AGING + 4, 2), 0);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 5);
    CU_ASSERT_EQUAL(vsw_fdb_next_expiry_ns(f), 105 + AGING);
    CU_ASSERT_EQUAL(vsw_fdb_age(f, UINT64_MAX, 0), 5);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 0);
    /* Aging time changes apply at once; "never" never expires. */
    learn(f, 1, 0, 1, 0);
    CU_ASSERT_EQUAL(vsw_fdb_set_aging(f, 0), EINVAL);
    CU_ASSERT_EQUAL(vsw_fdb_set_aging(f, 10), 0);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, 10), -1);
    CU_ASSERT_EQUAL(vsw_fdb_set_aging(f, VSW_FDB_AGING_NEVER), 0);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, UINT64_MAX), 1);
    CU_ASSERT_EQUAL(vsw_fdb_age(f, UINT64_MAX, 0), 0);
    CU_ASSERT_EQUAL(vsw_fdb_next_expiry_ns(f), UINT64_MAX);
    vsw_fdb_destroy(f);
}

static void
test_fdb_dump_sorted_by_vlan_then_mac(void)
{
    struct vsw_fdb *f = new_fdb(64, AGING);
    struct vsw_fdb_entry_info out[8];
    size_t n;
    static const uint32_t macs[] = { 0x0500, 0x0001, 0x0300, 0x0002 };
    static const uint16_t vlans[] = { 2, 2, 1, 1 };

    for (size_t i = 0; i < 4; i++) {
        learn(f, macs[i], vlans[i], (uint32_t)i, 10);
    }
    learn(f, 0x0700, 3, 9, 0);          /* expires first */
    CU_ASSERT_EQUAL(vsw_fdb_snapshot(f, AGING, out, 2, &n), ENOSPC);
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_EQUAL(vsw_fdb_snapshot(f, AGING, out, 8, &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    CU_ASSERT_EQUAL(out[0].vlan, 1);
    CU_ASSERT_EQUAL(out[0].mac[5], 0x02);
    CU_ASSERT_EQUAL(out[1].vlan, 1);
    CU_ASSERT_EQUAL(out[1].mac[4], 0x03);
    CU_ASSERT_EQUAL(out[2].vlan, 2);
    CU_ASSERT_EQUAL(out[2].mac[5], 0x01);
    CU_ASSERT_EQUAL(out[2].port, 1);
    CU_ASSERT_EQUAL(out[2].learned_ns, 10);
    CU_ASSERT_FALSE(out[2].is_static);
    CU_ASSERT_EQUAL(out[3].mac[4], 0x05);
    vsw_fdb_destroy(f);
}

struct collect {
    uint32_t ports[8];
    size_t n;
};

static int
collect_cb(const struct vsw_fdb_entry_info *e, void *aux)
{
    struct collect *c = aux;

    c->ports[c->n++] = e->port;
    return c->n == 3 ? 42 : 0;
}

static void
test_fdb_foreach_in_order_and_stops_on_nonzero(void)
{
    struct vsw_fdb *f = new_fdb(64, AGING);
    struct collect c = { { 0 }, 0 };

    for (uint32_t i = 5; i > 0; i--) {
        learn(f, i, 0, i, 0);
    }
    CU_ASSERT_EQUAL(vsw_fdb_foreach(f, 0, collect_cb, &c), 42);
    CU_ASSERT_EQUAL(c.n, 3);
    CU_ASSERT_EQUAL(c.ports[0], 1);
    CU_ASSERT_EQUAL(c.ports[1], 2);
    CU_ASSERT_EQUAL(c.ports[2], 3);
    vsw_alloc_fail_after(0);
    c.n = 0;
    CU_ASSERT_EQUAL(vsw_fdb_foreach(f, 0, collect_cb, &c), ENOMEM);
    CU_ASSERT_EQUAL(c.n, 0);
    vsw_alloc_fail_reset();
    vsw_fdb_destroy(f);
}

/* A counting allocator, to prove that failed calls leak nothing. */
static long live_blocks;

static void *
count_malloc(size_t size, void *aux)
{
    void *p = malloc(size);
    (void)aux;
    live_blocks += p != NULL;
    return p;
}

static void *
count_realloc(void *p, size_t size, void *aux)
{
    void *q = realloc(p, size);
    (void)aux;
    live_blocks += (p == NULL && q != NULL);
    return q;
}

static void
count_free(void *p, void *aux)
{
    (void)aux;
    live_blocks -= p != NULL;
    free(p);
}

static const struct vsw_allocator counting = {
    count_malloc, count_realloc, count_free, NULL
};

static void
test_fdb_create_alloc_failure_gives_enomem_and_leaks_nothing(void)
{
    struct vsw_fdb *f;
    int error = ENOMEM;
    uint64_t n;

    vsw_set_allocator(&counting);
    live_blocks = 0;
    for (n = 0; n < 100 && error == ENOMEM; n++) {
        f = NULL;
        vsw_alloc_fail_after(n);
        error = vsw_fdb_create(1000, AGING, &f);
        vsw_alloc_fail_reset();
        if (error == ENOMEM) {
            CU_ASSERT_PTR_NULL(f);
            CU_ASSERT_EQUAL(live_blocks, 0);
        }
    }
    CU_ASSERT_EQUAL(error, 0);
    CU_ASSERT(n > 1);                   /* at least one failure was tried */
    CU_ASSERT(live_blocks > 0);
    vsw_fdb_destroy(f);
    CU_ASSERT_EQUAL(live_blocks, 0);
    vsw_set_allocator(NULL);

    CU_ASSERT_EQUAL(vsw_fdb_create(0, AGING, &f), EINVAL);
    CU_ASSERT_EQUAL(vsw_fdb_create(10, 0, &f), EINVAL);
    CU_ASSERT_EQUAL(vsw_fdb_create(VSW_FDB_MAX_ENTRIES + 1, AGING, &f),
                    EINVAL);
}

static void
test_fdb_port_limit_alloc_failure_leaves_table_unchanged(void)
{
    struct vsw_fdb *f = new_fdb(4, AGING);
    struct vsw_fdb_port_counts c;
    int error = ENOMEM;
    uint32_t port;

    for (uint32_t i = 0; i < 4; i++) {
        learn(f, i, 0, i, 0);
    }
    /* The first max_entries limited ports need more records than
     * preallocated: sweep failures on each. */
    for (port = 100; port < 110; port++) {
        error = ENOMEM;
        for (uint64_t n = 0; n < 10 && error == ENOMEM; n++) {
            vsw_alloc_fail_after(n);
            error = vsw_fdb_set_port_limit(f, port, 1);
            vsw_alloc_fail_reset();
            if (error == ENOMEM) {
                vsw_fdb_port_counts(f, port, &c);
                CU_ASSERT_EQUAL(c.limit, VSW_FDB_NO_LIMIT);
                CU_ASSERT_EQUAL(vsw_fdb_count(f), 4);
            }
        }
        CU_ASSERT_EQUAL(error, 0);
    }
    for (uint32_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(port_of(f, i, 0, 0), i);
    }
    for (port = 100; port < 110; port++) {
        vsw_fdb_port_counts(f, port, &c);
        CU_ASSERT_EQUAL(c.limit, 1);
    }
    /* Learning on every limited port and on new ones still works. */
    for (port = 100; port < 110; port++) {
        learn(f, port, 1, port, 1);
    }
    CU_ASSERT_EQUAL(vsw_fdb_count(f), 4);
    CU_ASSERT_EQUAL(port_of(f, 109, 1, 1), 109);
    vsw_fdb_destroy(f);
}

static void
test_fdb_hash_seed_only_while_empty(void)
{
    struct vsw_fdb *f = new_fdb(16, AGING);

    CU_ASSERT_EQUAL(vsw_fdb_set_hash_seed(f, 12345), 0);
    learn(f, 1, 0, 1, 0);
    CU_ASSERT_EQUAL(vsw_fdb_set_hash_seed(f, 6789), EBUSY);
    CU_ASSERT_EQUAL(port_of(f, 1, 0, 0), 1);
    vsw_fdb_destroy(f);
}

static void
test_fdb_fill_1e5_entries_and_look_all_up(void)
{
    const uint32_t n = 100000;
    struct vsw_fdb *f = new_fdb(n, AGING);
    struct vsw_fdb_stats st;
    uint32_t wrong = 0;

    for (uint32_t i = 0; i < n; i++) {
        if (learn(f, i * 2654435761u, (uint16_t)(i % 100), i % 64, i)
            != VSW_FDB_NEW) {
            wrong++;
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(vsw_fdb_count(f), n);
    for (uint32_t i = 0; i < n; i++) {
        if (port_of(f, i * 2654435761u, (uint16_t)(i % 100), n)
            != (int64_t)(i % 64)) {
            wrong++;
        }
        if (port_of(f, i * 2654435761u, (uint16_t)(i % 100 + 100), n)
            != -1) {
            wrong++;
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    /* One more station evicts exactly one. */
    CU_ASSERT_EQUAL(learn(f, 7, 3000, 1, n), VSW_FDB_NEW);
    vsw_fdb_get_stats(f, &st);
    CU_ASSERT_EQUAL(st.evictions, 1);
    CU_ASSERT_EQUAL(vsw_fdb_flush_all(f), n);
    vsw_fdb_destroy(f);
}

/*
 * A naive reference model of the documented semantics, checked against
 * the real table over a long pseudo-random run on a small, crowded table
 * (collisions, evictions, moves, limits, aging, flushes).
 */
#define REF_MAX 48
#define REF_MACS 96
#define REF_PORTS 5

struct ref_entry {
    bool used, is_static;
    uint32_t mac;
    uint16_t vlan;
    uint32_t port;
    uint64_t learned;
    uint64_t touch;             /* LRU order within a port */
};

struct ref {
    struct ref_entry e[REF_MAX];
    uint32_t limit[REF_PORTS];
    uint64_t aging, touch;
};

static struct ref_entry *
ref_find(struct ref *r, uint32_t mac, uint16_t vlan)
{
    for (int i = 0; i < REF_MAX; i++) {
        if (r->e[i].used && r->e[i].mac == mac && r->e[i].vlan == vlan) {
            return &r->e[i];
        }
    }
    return NULL;
}

static bool
ref_expired(const struct ref *r, const struct ref_entry *e, uint64_t now)
{
    return !e->is_static && now >= e->learned
           && now - e->learned >= r->aging;
}

static uint32_t
ref_learned(const struct ref *r, uint32_t port)
{
    uint32_t n = 0;

    for (int i = 0; i < REF_MAX; i++) {
        n += r->e[i].used && !r->e[i].is_static && r->e[i].port == port;
    }
    return n;
}

static struct ref_entry *
ref_free_slot(struct ref *r, bool *evicted, bool *full)
{
    uint32_t best_port = 0, best_n = 0;
    struct ref_entry *victim = NULL;

    *evicted = *full = false;
    for (int i = 0; i < REF_MAX; i++) {
        if (!r->e[i].used) {
            return &r->e[i];
        }
    }
    for (uint32_t p = 0; p < REF_PORTS; p++) {
        uint32_t n = ref_learned(r, p);
        if (n > best_n) {
            best_n = n;
            best_port = p;
        }
    }
    if (best_n == 0) {
        *full = true;
        return NULL;
    }
    for (int i = 0; i < REF_MAX; i++) {
        struct ref_entry *e = &r->e[i];
        if (e->used && !e->is_static && e->port == best_port
            && (!victim || e->touch < victim->touch)) {
            victim = e;
        }
    }
    victim->used = false;
    *evicted = true;
    return victim;
}

static enum vsw_fdb_learn_result
ref_learn(struct ref *r, uint32_t mac, uint16_t vlan, uint32_t port,
          uint64_t now)
{
    struct ref_entry *e = ref_find(r, mac, vlan);
    bool evicted, full;

    if (e) {
        bool was_expired = ref_expired(r, e, now);
        if (e->is_static) {
            return e->port == port ? VSW_FDB_STATIC : VSW_FDB_DENIED_STATIC;
        }
        if (e->port == port) {
            if (was_expired || now > e->learned) {
                e->learned = now;
                e->touch = ++r->touch;
            }
            return was_expired ? VSW_FDB_NEW : VSW_FDB_REFRESHED;
        }
        if (ref_learned(r, port) >= r->limit[port]) {
            return VSW_FDB_DENIED_LIMIT;
        }
        e->port = port;
        e->learned = now;
        e->touch = ++r->touch;
        return was_expired ? VSW_FDB_NEW : VSW_FDB_MOVED;
    }
    if (ref_learned(r, port) >= r->limit[port]) {
        return VSW_FDB_DENIED_LIMIT;
    }
    e = ref_free_slot(r, &evicted, &full);
    if (full) {
        return VSW_FDB_FULL;
    }
    *e = (struct ref_entry) { true, false, mac, vlan, port, now,
                              ++r->touch };
    return VSW_FDB_NEW;
}

static uint64_t lcg_state;

static uint32_t
lcg(void)
{
    lcg_state = lcg_state * UINT64_C(6364136223846793005)
                + UINT64_C(1442695040888963407);
    return (uint32_t)(lcg_state >> 33);
}

static void
test_fdb_matches_reference_model_on_random_operations(void)
{
    struct vsw_fdb *f = new_fdb(REF_MAX, 150);
    struct ref *r = calloc(1, sizeof *r);
    uint64_t now = 0;
    uint32_t mismatches = 0;

    CU_ASSERT_FATAL(r != NULL);
    r->aging = 150;
    for (int p = 0; p < REF_PORTS; p++) {
        r->limit[p] = VSW_FDB_NO_LIMIT;
    }
    lcg_state = 42;
    for (int step = 0; step < 200000; step++) {
        uint32_t op = lcg() % 1000;
        uint32_t mac = lcg() % REF_MACS;
        uint16_t vlan = (uint16_t)(lcg() % 2);
        uint32_t port = lcg() % REF_PORTS;
        uint8_t m[6];

        mac_n(m, mac);
        now += lcg() % 7;
        if (op < 700) {
            enum vsw_fdb_learn_result want = ref_learn(r, mac, vlan, port,
                                                       now);
            mismatches += vsw_fdb_learn(f, m, vlan, port, now) != want;
        } else if (op < 900) {
            struct ref_entry *e = ref_find(r, mac, vlan);
            int64_t want = e && !ref_expired(r, e, now) ? (int64_t)e->port : -1;
            int64_t got = port_of(f, mac, vlan, now);
            if (got != want) {
                fprintf(stderr, "lookup %u/%u at %llu: got %lld want %lld\n",
                        mac, vlan, (unsigned long long)now, (long long)got,
                        (long long)want);
            }
            mismatches += got != want;
        } else if (op < 930) {
            size_t want = 0;
            for (int i = 0; i < REF_MAX; i++) {
                if (r->e[i].used && ref_expired(r, &r->e[i], now)) {
                    r->e[i].used = false;
                    want++;
                }
            }
            mismatches += vsw_fdb_age(f, now, 0) != want;
        } else if (op < 940) {
            size_t want = 0;
            for (int i = 0; i < REF_MAX; i++) {
                if (r->e[i].used && !r->e[i].is_static
                    && r->e[i].port == port) {
                    r->e[i].used = false;
                    want++;
                }
            }
            mismatches += vsw_fdb_flush_port(f, port) != want;
        } else if (op < 960) {
            struct ref_entry *e = ref_find(r, mac, vlan);
            int want = e ? 0 : ENOENT;
            if (e) {
                e->used = false;
            }
            mismatches += vsw_fdb_remove(f, m, vlan) != want;
        } else if (op < 975) {
            struct ref_entry *e = ref_find(r, mac, vlan);
            bool evicted, full;
            int want = 0;
            if (e) {
                e->is_static = true;
                e->port = port;
                e->learned = 0;
            } else {
                e = ref_free_slot(r, &evicted, &full);
                if (full) {
                    want = ENOSPC;
                } else {
                    *e = (struct ref_entry) { true, true, mac, vlan, port,
                                              0, 0 };
                }
            }
            mismatches += vsw_fdb_add_static(f, m, vlan, port) != want;
        } else {
            uint32_t limit = lcg() % 4 == 0 ? VSW_FDB_NO_LIMIT : lcg() % 12;
            r->limit[port] = limit;
            /* Trim the oldest down to the limit. */
            while (ref_learned(r, port) > limit) {
                struct ref_entry *victim = NULL;
                for (int i = 0; i < REF_MAX; i++) {
                    struct ref_entry *e = &r->e[i];
                    if (e->used && !e->is_static && e->port == port
                        && (!victim || e->touch < victim->touch)) {
                        victim = e;
                    }
                }
                victim->used = false;
            }
            mismatches += vsw_fdb_set_port_limit(f, port, limit) != 0;
        }
        {
            size_t want = 0;
            for (int i = 0; i < REF_MAX; i++) {
                want += r->e[i].used;
            }
            mismatches += vsw_fdb_count(f) != want;
        }
        if (mismatches) {
            fprintf(stderr, "first mismatch at step %d (op %u)\n", step, op);
            break;
        }
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    /* The run really exercised the interesting paths. */
    {
        struct vsw_fdb_stats st;
        vsw_fdb_get_stats(f, &st);
        CU_ASSERT(st.evictions > 100);
        CU_ASSERT(st.moves > 100);
        CU_ASSERT(st.denied_limit > 100);
        CU_ASSERT(st.denied_static > 100);
        CU_ASSERT(st.expirations > 100);
        CU_ASSERT(st.flushed > 100);
    }
    free(r);
    vsw_fdb_destroy(f);
}

static void
test_fdb_same_operations_give_identical_dumps(void)
{
    struct vsw_fdb *a = new_fdb(32, 500);
    struct vsw_fdb *b = new_fdb(32, 500);
    struct vsw_fdb_entry_info da[32], db[32];
    size_t na, nb;
    uint64_t now = 0;

    for (int round = 0; round < 2; round++) {
        struct vsw_fdb *f = round ? b : a;
        lcg_state = 7;
        now = 0;
        for (int i = 0; i < 5000; i++) {
            uint8_t m[6];
            mac_n(m, lcg() % 100);
            now += lcg() % 3;
            vsw_fdb_learn(f, m, (uint16_t)(lcg() % 3), lcg() % 6, now);
            if (i % 97 == 0) {
                vsw_fdb_age(f, now, 3);
            }
        }
    }
    CU_ASSERT_EQUAL(vsw_fdb_snapshot(a, now, da, 32, &na), 0);
    CU_ASSERT_EQUAL(vsw_fdb_snapshot(b, now, db, 32, &nb), 0);
    CU_ASSERT_EQUAL(na, nb);
    CU_ASSERT(na > 0);
    CU_ASSERT_EQUAL(memcmp(da, db, na * sizeof da[0]), 0);
    vsw_fdb_destroy(a);
    vsw_fdb_destroy(b);
}

static const struct cutest_case fdb_cases[] = {
    CUTEST(test_fdb_learn_then_lookup_returns_port),
    CUTEST(test_fdb_same_mac_in_two_vlans_is_two_entries),
    CUTEST(test_fdb_entry_valid_at_aging_minus_one_gone_at_aging),
    CUTEST(test_fdb_refresh_extends_life),
    CUTEST(test_fdb_refresh_interval_skips_early_refresh),
    CUTEST(test_fdb_station_move_updates_port),
    CUTEST(test_fdb_static_entries_never_overwritten_or_aged),
    CUTEST(test_fdb_add_static_converts_learned_entry),
    CUTEST(test_fdb_group_address_and_bad_vlan_not_learned),
    CUTEST(test_fdb_port_limit_denies_new_addresses_and_moves),
    CUTEST(test_fdb_lowering_limit_removes_oldest_first),
    CUTEST(test_fdb_full_table_evicts_lru_of_port_with_most_entries),
    CUTEST(test_fdb_table_full_of_static_entries_refuses_learning),
    CUTEST(test_fdb_flush_port_removes_only_that_ports_learned_entries),
    CUTEST(test_fdb_flush_vlan_and_flush_all_keep_static),
    CUTEST(test_fdb_age_bounded_work_resumes_and_next_expiry),
    CUTEST(test_fdb_dump_sorted_by_vlan_then_mac),
    CUTEST(test_fdb_foreach_in_order_and_stops_on_nonzero),
    CUTEST(test_fdb_create_alloc_failure_gives_enomem_and_leaks_nothing),
    CUTEST(test_fdb_port_limit_alloc_failure_leaves_table_unchanged),
    CUTEST(test_fdb_hash_seed_only_while_empty),
    CUTEST(test_fdb_fill_1e5_entries_and_look_all_up),
    CUTEST(test_fdb_matches_reference_model_on_random_operations),
    CUTEST(test_fdb_same_operations_give_identical_dumps),
    CUTEST_END
};

CUTEST_MAIN({ "fdb", fdb_cases })
