/*
 * test-vsw-switch.c -- the switch of libvmswitch (vmswitch/vswitch.h) on
 * dummy NICs with time frozen and advanced by hand: object lifecycle and
 * the control entry point, learning and forwarding, guards, mirroring,
 * extensions, per-processor counters and the work record.  VLAN behaviour
 * has its own table-driven suite (test-vsw-vlan.c).
 */
#include <config.h>
#include "vmswitch/vswitch.h"

#include <errno.h>
#include <string.h>

#include "vmswitch/acl.h"
#include "vmswitch/fdb.h"
#include "tests/cutest.h"
#include "tests/vsw-dummy.h"

#define SEC UINT64_C(1000000000)

static struct vsw_switch *
new_switch(unsigned cpus)
{
    struct vsw_switch_params p = { .name = "t", .max_cpus = cpus,
                                   .fdb_entries = 1024, .aging_ns = 300 * SEC };
    struct vsw_switch *sw = NULL;

    CU_ASSERT_EQUAL_FATAL(vsw_switch_create(&p, &sw), 0);
    return sw;
}

/* ------------------------------------------------------------------ */
/* Lifecycle and control plane. */

static void
test_lifecycle_full_sequence_succeeds(void)
{
    struct vsw_switch *sw = new_switch(1);
    struct dummy_nic d;
    struct vsw_ctl_port_info info;
    struct vsw_nic_caps caps = { .csum_ipv4 = true };

    CU_ASSERT_EQUAL(dummy_attach(sw, &d, VSW_NIC_VM, 1, false), 0);
    CU_ASSERT_EQUAL(vsw_port_get(sw, d.port, &info), 0);
    CU_ASSERT_EQUAL(info.nic_state, VSW_NIC_CREATED);
    CU_ASSERT_EQUAL(vsw_nic_connect(sw, d.port), 0);
    CU_ASSERT_EQUAL(vsw_port_get(sw, d.port, &info), 0);
    CU_ASSERT_EQUAL(info.nic_state, VSW_NIC_CONNECTED);
    CU_ASSERT_EQUAL(vsw_nic_update(sw, d.port, &caps, d.params.macs, 1), 0);
    CU_ASSERT_EQUAL(vsw_port_get(sw, d.port, &info), 0);
    CU_ASSERT_TRUE(info.nic_caps.csum_ipv4);
    CU_ASSERT_EQUAL(vsw_nic_disconnect(sw, d.port), 0);
    CU_ASSERT_EQUAL(vsw_nic_delete(sw, d.port), 0);
    CU_ASSERT_EQUAL(vsw_port_get(sw, d.port, &info), 0);
    CU_ASSERT_EQUAL(info.nic_state, VSW_NIC_NONE);
    CU_ASSERT_EQUAL(vsw_port_teardown(sw, d.port), 0);
    CU_ASSERT_EQUAL(vsw_port_get(sw, d.port, &info), ENOENT);
    vsw_switch_destroy(sw);
}

static void
test_teardown_with_nic_is_ebusy(void)
{
    struct vsw_switch *sw = new_switch(1);
    struct dummy_nic d;

    CU_ASSERT_EQUAL(dummy_attach(sw, &d, VSW_NIC_VM, 1, true), 0);
    CU_ASSERT_EQUAL(vsw_port_teardown(sw, d.port), EBUSY);
    CU_ASSERT_EQUAL(vsw_nic_delete(sw, d.port), EBUSY);
    CU_ASSERT_EQUAL(vsw_nic_disconnect(sw, d.port), 0);
    CU_ASSERT_EQUAL(vsw_port_teardown(sw, d.port), EBUSY);   /* NIC exists */
    CU_ASSERT_EQUAL(vsw_nic_delete(sw, d.port), 0);
    CU_ASSERT_EQUAL(vsw_port_teardown(sw, d.port), 0);
    vsw_switch_destroy(sw);
}

static void
test_lifecycle_order_violations_fail(void)
{
    struct vsw_switch *sw = new_switch(1);
    struct dummy_nic d;
    uint32_t port;

    CU_ASSERT_EQUAL(vsw_port_create(sw, "p", &port), 0);
    CU_ASSERT_EQUAL(vsw_nic_connect(sw, port), ENOENT);
    CU_ASSERT_EQUAL(vsw_nic_disconnect(sw, port), ENOENT);
    CU_ASSERT_EQUAL(vsw_nic_delete(sw, port), ENOENT);
    CU_ASSERT_EQUAL(dummy_attach(sw, &d, VSW_NIC_VM, 1, true), 0);
    CU_ASSERT_EQUAL(vsw_nic_connect(sw, d.port), EALREADY);
    CU_ASSERT_EQUAL(vsw_nic_create(sw, d.port, &d.params), EEXIST);
    CU_ASSERT_EQUAL(vsw_nic_connect(sw, 999), ENOENT);
    vsw_switch_destroy(sw);
}

static void
test_port_ids_are_never_reused(void)
{
    struct vsw_switch *sw = new_switch(1);
    uint32_t a, b, c;

    CU_ASSERT_EQUAL(vsw_port_create(sw, "a", &a), 0);
    CU_ASSERT_EQUAL(vsw_port_create(sw, "b", &b), 0);
    CU_ASSERT_EQUAL(vsw_port_teardown(sw, b), 0);
    CU_ASSERT_EQUAL(vsw_port_create(sw, "c", &c), 0);
    CU_ASSERT_TRUE(a > 0 && b > a && c > b);
    vsw_switch_destroy(sw);
}

static void
test_link_callback_reports_connect_and_disconnect(void)
{
    struct vsw_switch *sw = new_switch(1);
    struct dummy_nic d;

    CU_ASSERT_EQUAL(dummy_attach(sw, &d, VSW_NIC_HOST, 1, false), 0);
    CU_ASSERT_EQUAL(d.link_events, 0);
    CU_ASSERT_EQUAL(vsw_nic_connect(sw, d.port), 0);
    CU_ASSERT_EQUAL(d.link_events, 1);
    CU_ASSERT_TRUE(d.link_up);
    CU_ASSERT_EQUAL(vsw_nic_disconnect(sw, d.port), 0);
    CU_ASSERT_EQUAL(d.link_events, 2);
    CU_ASSERT_FALSE(d.link_up);
    /* A failed command reports nothing. */
    CU_ASSERT_EQUAL(vsw_nic_disconnect(sw, d.port), EALREADY);
    CU_ASSERT_EQUAL(d.link_events, 2);
    vsw_switch_destroy(sw);
}

static void
test_switch_kind_derived_from_connected_nics(void)
{
    struct vsw_switch *sw = new_switch(1);
    struct dummy_nic vm, host, phys;

    CU_ASSERT_EQUAL(vsw_switch_kind(sw), VSW_SWITCH_PRIVATE);
    CU_ASSERT_EQUAL(dummy_attach(sw, &vm, VSW_NIC_VM, 1, true), 0);
    CU_ASSERT_EQUAL(vsw_switch_kind(sw), VSW_SWITCH_PRIVATE);
    CU_ASSERT_EQUAL(dummy_attach(sw, &host, VSW_NIC_HOST, 2, true), 0);
    CU_ASSERT_EQUAL(vsw_switch_kind(sw), VSW_SWITCH_INTERNAL);
    /* Created but not connected: does not count. */
    CU_ASSERT_EQUAL(dummy_attach(sw, &phys, VSW_NIC_PHYSICAL, 3, false), 0);
    CU_ASSERT_EQUAL(vsw_switch_kind(sw), VSW_SWITCH_INTERNAL);
    CU_ASSERT_EQUAL(vsw_nic_connect(sw, phys.port), 0);
    CU_ASSERT_EQUAL(vsw_switch_kind(sw), VSW_SWITCH_EXTERNAL);
    CU_ASSERT_STRING_EQUAL(vsw_switch_kind_name(vsw_switch_kind(sw)),
                           "external");
    CU_ASSERT_EQUAL(vsw_nic_disconnect(sw, phys.port), 0);
    CU_ASSERT_EQUAL(vsw_switch_kind(sw), VSW_SWITCH_INTERNAL);
    CU_ASSERT_EQUAL(vsw_nic_disconnect(sw, host.port), 0);
    CU_ASSERT_EQUAL(vsw_switch_kind(sw), VSW_SWITCH_PRIVATE);
    vsw_switch_destroy(sw);
}

/* Every field of every port, for "changed nothing" checks. */
static void
port_infos(struct vsw_switch *sw, struct vsw_ctl_port_info *out, size_t cap,
           size_t *n)
{
    uint32_t ids[16];
    struct vsw_ctl_port_list l = { .ids = ids, .cap = 16 };

    CU_ASSERT_EQUAL_FATAL(vsw_ctl(sw, VSW_CTL_PORT_LIST, &l), 0);
    CU_ASSERT_FATAL(l.n <= cap);
    memset(out, 0, cap * sizeof *out);
    for (size_t i = 0; i < l.n; i++) {
        CU_ASSERT_EQUAL(vsw_port_get(sw, ids[i], &out[i]), 0);
    }
    *n = l.n;
}

static void
test_ctl_invalid_arguments_change_nothing(void)
{
    struct vsw_switch *sw = new_switch(1);
    struct dummy_nic a, b;
    struct vsw_ctl_port_info before[8], after[8];
    size_t nb, na;
    struct vsw_vlan_config v;
    struct vsw_nic_params np;
    struct vsw_mirror m = { .dest = 0, .ingress = true };
    struct vsw_acl_rule rule;
    uint8_t group[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
    struct vsw_qos_config q;

    CU_ASSERT_EQUAL(dummy_attach(sw, &a, VSW_NIC_VM, 1, true), 0);
    CU_ASSERT_EQUAL(dummy_attach(sw, &b, VSW_NIC_VM, 2, false), 0);
    port_infos(sw, before, 8, &nb);

    CU_ASSERT_EQUAL(vsw_ctl(sw, VSW_CTL_CMD_MAX, &v), EINVAL);
    CU_ASSERT_EQUAL(vsw_ctl(sw, VSW_CTL_PORT_CREATE, NULL), EINVAL);

    memset(&v, 0, sizeof v);
    v.mode = VSW_VLAN_ACCESS;
    v.access_vid = 4095;                            /* reserved */
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, a.port, &v), EINVAL);
    v.access_vid = 0;
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, a.port, &v), EINVAL);
    v.mode = (enum vsw_vlan_mode) 42;
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, a.port, &v), EINVAL);
    memset(&v, 0, sizeof v);
    v.mode = VSW_VLAN_PVLAN;
    v.pvlan = VSW_PVLAN_ISOLATED;
    v.primary_vid = 100;
    v.secondary_vid = 100;                          /* == primary */
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, a.port, &v), EINVAL);

    np = b.params;
    np.ops = NULL;
    CU_ASSERT_EQUAL(vsw_nic_create(sw, a.port, &np), EINVAL);
    np = b.params;
    memcpy(np.macs[0], group, 6);                   /* group address */
    CU_ASSERT_EQUAL(vsw_nic_update(sw, a.port, &np.caps, np.macs, 1), EINVAL);
    np.n_macs = VSW_NIC_MAX_MACS + 1;
    CU_ASSERT_EQUAL(vsw_nic_update(sw, a.port, &np.caps, np.macs,
                                   np.n_macs), EINVAL);
    np = b.params;
    np.kind = VSW_NIC_KIND_MAX;
    CU_ASSERT_EQUAL(vsw_nic_create(sw, 999, &np), ENOENT);

    m.dest = a.port;                                /* itself */
    CU_ASSERT_EQUAL(vsw_port_set_mirror(sw, a.port, &m), EINVAL);
    m.dest = 999;                                   /* no such port */
    CU_ASSERT_EQUAL(vsw_port_set_mirror(sw, a.port, &m), EINVAL);

    vsw_acl_rule_init(&rule);
    rule.fields = VSW_ACL_M_VLAN;
    rule.vlan = 5000;
    CU_ASSERT_EQUAL(vsw_acl_add(sw, a.port, VSW_ACL_IN, &rule, NULL), EINVAL);
    vsw_acl_rule_init(&rule);
    CU_ASSERT_EQUAL(vsw_acl_add(sw, a.port, (enum vsw_acl_dir) 7, &rule,
                                NULL), EINVAL);
    CU_ASSERT_EQUAL(vsw_acl_remove(sw, a.port, VSW_ACL_IN, 12345), ENOENT);

    CU_ASSERT_EQUAL(vsw_static_mac_add(sw, a.port, group, 1), EINVAL);
    CU_ASSERT_EQUAL(vsw_set_aging(sw, 0), EINVAL);
    CU_ASSERT_EQUAL(vsw_ext_insert(sw, "x", VSW_EXT_FILTER, NULL, NULL, 0,
                                   NULL), EINVAL);
    memset(&q, 0, sizeof q);
    q.reserve_bps = 2000;
    q.max_bps = 1000;                               /* reserve > max */
    CU_ASSERT_EQUAL(vsw_port_set_qos(sw, a.port, &q), EINVAL);

    port_infos(sw, after, 8, &na);
    CU_ASSERT_EQUAL(na, nb);
    CU_ASSERT_EQUAL(memcmp(before, after, nb * sizeof before[0]), 0);
    vsw_switch_destroy(sw);
}

static void
test_names_of_enums(void)
{
    CU_ASSERT_STRING_EQUAL(vsw_drop_reason_name(VSW_DROP_OWN_PORT),
                           "own-port");
    CU_ASSERT_STRING_EQUAL(vsw_drop_reason_name(VSW_DROP_MAX), "unknown");
    CU_ASSERT_STRING_EQUAL(vsw_nic_kind_name(VSW_NIC_LEGACY), "legacy");
    CU_ASSERT_STRING_EQUAL(vsw_ctl_cmd_name(VSW_CTL_NIC_CONNECT),
                           "nic-connect");
    for (int r = 0; r < VSW_DROP_MAX; r++) {
        CU_ASSERT_STRING_NOT_EQUAL(vsw_drop_reason_name(r), "unknown");
    }
    for (int c = 0; c < VSW_CTL_CMD_MAX; c++) {
        CU_ASSERT_STRING_NOT_EQUAL(vsw_ctl_cmd_name(c), "unknown");
    }
}

/* ------------------------------------------------------------------ */
/* Learning and forwarding. */

/* A switch with 'n' connected VM NICs whose MACs are dummy_mac(i + 1). */
static struct vsw_switch *
rig(struct dummy_nic *nics, int n, unsigned cpus)
{
    struct vsw_switch *sw = new_switch(cpus);

    for (int i = 0; i < n; i++) {
        CU_ASSERT_EQUAL_FATAL(dummy_attach(sw, &nics[i], VSW_NIC_VM,
                                           (uint8_t) (i + 1), true), 0);
    }
    return sw;
}

static void
clear_all(struct dummy_nic *nics, int n)
{
    for (int i = 0; i < n; i++) {
        dummy_clear(&nics[i]);
    }
}

static uint64_t
port_drop(struct vsw_switch *sw, uint32_t port, enum vsw_drop_reason r)
{
    struct vsw_port_counters pc;

    CU_ASSERT_EQUAL(vsw_port_counters(sw, port, &pc), 0);
    return pc.drop[r];
}

static void
test_unknown_unicast_floods_then_learned_goes_to_one_port(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    struct vsw_work w;

    /* Stations 0x21 and 0x22 live behind ports 1 and 2 (bridges there);
     * no NIC has their addresses, so the switch must learn them.
     * 0x21 -> 0x22, unknown: flooded to 2 and 3, never back to 1. */
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 0x21, 0x22, &w), 0);
    CU_ASSERT_EQUAL(n[0].n_frames, 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames, 1);
    CU_ASSERT_EQUAL(w.learns, 1);
    /* 0x22 -> 0x21: 0x21 was learned, so only port 1 gets it. */
    clear_all(n, 3);
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[1].port, 0x22, 0x21, &w), 0);
    CU_ASSERT_EQUAL(n[0].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames, 0);
    /* 0x21 -> 0x22 again: now known. */
    clear_all(n, 3);
    CU_ASSERT_EQUAL(send_udp(sw, 3, n[0].port, 0x21, 0x22, &w), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames, 0);
    CU_ASSERT_EQUAL(w.learns, 0);           /* refresh not due */
    vsw_switch_destroy(sw);
}

static void
test_nic_address_goes_to_its_port_unlearned(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    struct vsw_switch_counters sc;

    /* NIC 2 never sent a frame, yet its configured address is known. */
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 0x21, 2, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames, 0);
    CU_ASSERT_EQUAL(vsw_switch_counters(sw, &sc), 0);
    CU_ASSERT_EQUAL(sc.flooded, 0);
    /* A station on port 3 claiming NIC 2's address is learned there, but
     * the configured address still wins: no traffic is stolen. */
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[2].port, 2, 0xff, NULL), 0);
    clear_all(n, 3);
    CU_ASSERT_EQUAL(send_udp(sw, 3, n[0].port, 0x21, 2, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames, 0);
    /* A frame to a NIC's own address from its own port is not reflected. */
    clear_all(n, 3);
    CU_ASSERT_EQUAL(send_udp(sw, 4, n[1].port, 2, 2, NULL), 0);
    CU_ASSERT_EQUAL(n[0].n_frames + n[1].n_frames + n[2].n_frames, 0);
    CU_ASSERT_EQUAL(port_drop(sw, n[1].port, VSW_DROP_OWN_PORT), 1);
    vsw_switch_destroy(sw);
}

static void
test_nic_address_follows_nic_lifecycle(void)
{
    struct dummy_nic n[3], late;
    struct vsw_switch *sw = rig(n, 3, 1);
    uint8_t macs[2][6];
    struct vsw_nic_caps caps = { 0 };

    /* A NIC created later is known from its creation on. */
    CU_ASSERT_EQUAL(dummy_attach(sw, &late, VSW_NIC_LEGACY, 9, true), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 0x21, 9, NULL), 0);
    CU_ASSERT_EQUAL(late.n_frames, 1);
    CU_ASSERT_EQUAL(n[1].n_frames + n[2].n_frames, 0);
    /* An update replaces the addresses: 2 is gone (flooded), 0x30 and
     * 0x31 arrive at NIC 2's port. */
    dummy_mac(macs[0], 0x30);
    dummy_mac(macs[1], 0x31);
    CU_ASSERT_EQUAL(vsw_nic_update(sw, n[1].port, &caps, macs, 2), 0);
    clear_all(n, 3);
    dummy_clear(&late);
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[0].port, 0x21, 0x31, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames + late.n_frames, 0);
    clear_all(n, 3);
    CU_ASSERT_EQUAL(send_udp(sw, 3, n[0].port, 0x21, 2, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames, 1);          /* flooded */
    /* The physical NIC's own address is not a destination the switch
     * knows: frames to it flood like any unknown station's. */
    vsw_switch_destroy(sw);
    sw = rig(n, 2, 1);
    CU_ASSERT_EQUAL(dummy_attach(sw, &late, VSW_NIC_PHYSICAL, 9, true), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 4, n[0].port, 0x21, 9, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(late.n_frames, 1);
    vsw_switch_destroy(sw);
}

static void
test_broadcast_never_reflected_to_ingress(void)
{
    struct dummy_nic n[4];
    struct vsw_switch *sw = rig(n, 4, 1);
    struct vsw_switch_counters sc;

    CU_ASSERT_EQUAL(send_udp(sw, 1, n[2].port, 3, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(n[0].n_frames, 1);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames, 0);
    CU_ASSERT_EQUAL(n[3].n_frames, 1);
    CU_ASSERT_EQUAL(vsw_switch_counters(sw, &sc), 0);
    CU_ASSERT_EQUAL(sc.flooded, 1);
    CU_ASSERT_EQUAL(sc.frames_out, 3);
    vsw_switch_destroy(sw);
}

static void
test_frame_to_station_on_own_port_dropped(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);

    /* Station 7 lives behind port 1 (a bridge there). */
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 7, 0xff, NULL), 0);
    clear_all(n, 3);
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[0].port, 1, 7, NULL), 0);
    CU_ASSERT_EQUAL(n[0].n_frames + n[1].n_frames + n[2].n_frames, 0);
    CU_ASSERT_EQUAL(port_drop(sw, n[0].port, VSW_DROP_OWN_PORT), 1);
    vsw_switch_destroy(sw);
}

static void
test_disconnect_flushes_learned_addresses(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    struct vsw_fdb_entry_info e[8];
    struct vsw_ctl_fdb_dump d = { .now_ns = 10, .entries = e, .cap = 8 };

    CU_ASSERT_EQUAL(send_udp(sw, 1, n[1].port, 2, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[2].port, 3, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(vsw_ctl(sw, VSW_CTL_FDB_DUMP, &d), 0);
    CU_ASSERT_EQUAL(d.n, 2);
    CU_ASSERT_EQUAL(vsw_nic_disconnect(sw, n[1].port), 0);
    CU_ASSERT_EQUAL(vsw_ctl(sw, VSW_CTL_FDB_DUMP, &d), 0);
    CU_ASSERT_EQUAL(d.n, 1);
    CU_ASSERT_EQUAL(e[0].port, n[2].port);
    /* A frame to the gone station floods, and skips the link-down port. */
    clear_all(n, 3);
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[0].port, 1, 2, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 0);
    CU_ASSERT_EQUAL(n[2].n_frames, 1);
    /* A frame from a link-down port is dropped. */
    CU_ASSERT_EQUAL(send_udp(sw, 3, n[1].port, 2, 1, NULL), 0);
    CU_ASSERT_EQUAL(port_drop(sw, n[1].port, VSW_DROP_LINK_DOWN), 1);
    vsw_switch_destroy(sw);
}

static void
test_station_move_updates_port(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    struct vsw_switch_counters sc;

    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 9, 0xff, NULL), 0);
    /* Station 9 moves behind port 2. */
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[1].port, 9, 0xff, NULL), 0);
    clear_all(n, 3);
    CU_ASSERT_EQUAL(send_udp(sw, 3, n[2].port, 3, 9, NULL), 0);
    CU_ASSERT_EQUAL(n[0].n_frames, 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(vsw_switch_counters(sw, &sc), 0);
    CU_ASSERT_EQUAL(sc.moves, 1);
    vsw_switch_destroy(sw);
}

static void
test_aging_expires_station_at_exact_time(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    struct vsw_ctl_fdb_age age;
    uint64_t t0 = 5 * SEC;

    CU_ASSERT_EQUAL(vsw_set_aging(sw, 10 * SEC), 0);
    CU_ASSERT_EQUAL(send_udp(sw, t0, n[1].port, 0x22, 0xff, NULL), 0);
    /* Still known 1 ns before the aging time. */
    clear_all(n, 3);
    CU_ASSERT_EQUAL(send_udp(sw, t0 + 10 * SEC - 1, n[0].port, 1, 0x22, NULL), 0);
    CU_ASSERT_EQUAL(n[2].n_frames, 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    /* Gone at exactly the aging time: flooded. */
    clear_all(n, 3);
    CU_ASSERT_EQUAL(send_udp(sw, t0 + 10 * SEC, n[0].port, 1, 0x22, NULL), 0);
    CU_ASSERT_EQUAL(n[2].n_frames, 1);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    age.now_ns = t0 + 10 * SEC;
    CU_ASSERT_EQUAL(vsw_ctl(sw, VSW_CTL_FDB_AGE, &age), 0);
    CU_ASSERT_EQUAL(age.removed, 1);
    vsw_switch_destroy(sw);
}

static void
test_address_limit_drops_new_stations(void)
{
    struct dummy_nic n[2];
    struct vsw_switch *sw = rig(n, 2, 1);

    CU_ASSERT_EQUAL(vsw_port_set_mac_limit(sw, n[0].port, 2), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 10, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 11, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 12, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 2);
    CU_ASSERT_EQUAL(port_drop(sw, n[0].port, VSW_DROP_MAC_LIMIT), 1);
    /* Known stations still pass. */
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[0].port, 10, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 3);
    vsw_switch_destroy(sw);
}

static void
test_static_entry_pins_station(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    uint8_t mac[6];

    dummy_mac(mac, 2);
    CU_ASSERT_EQUAL(vsw_static_mac_add(sw, n[1].port, mac, 0), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 1, 2, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames, 0);
    /* Someone else claiming that address is refused. */
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[2].port, 2, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(port_drop(sw, n[2].port, VSW_DROP_LEARN_DENIED), 1);
    vsw_switch_destroy(sw);
}

/* ------------------------------------------------------------------ */
/* Guards. */

static void
test_mac_spoof_guard_drops_foreign_source(void)
{
    struct dummy_nic n[2];
    struct vsw_switch *sw = rig(n, 2, 1);
    struct vsw_guards g = { .mac_spoof = true };

    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 42, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);          /* guard off */
    CU_ASSERT_EQUAL(vsw_port_set_guards(sw, n[0].port, &g), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[0].port, 42, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(port_drop(sw, n[0].port, VSW_DROP_MAC_SPOOF), 1);
    CU_ASSERT_EQUAL(send_udp(sw, 3, n[0].port, 1, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 2);          /* its own MAC passes */
    vsw_switch_destroy(sw);
}

static void
test_dhcp_guard_drops_server_replies_only(void)
{
    struct dummy_nic n[2];
    struct vsw_switch *sw = rig(n, 2, 1);
    struct vsw_guards g = { .dhcp = true };
    uint8_t buf[400], src[6], bc[6];
    size_t len;

    CU_ASSERT_EQUAL(vsw_port_set_guards(sw, n[0].port, &g), 0);
    dummy_mac(src, 1);
    memset(bc, 0xff, 6);
    /* A DHCP server reply (67 -> 68) with a BOOTREPLY op and the magic
     * cookie. */
    len = build_udp(buf, bc, src, 0, 0, 67, 68, 240);
    buf[14 + 20 + 8] = 2;                               /* op: reply */
    buf[14 + 20 + 8 + 236] = 99;
    buf[14 + 20 + 8 + 237] = 130;
    buf[14 + 20 + 8 + 238] = 83;
    buf[14 + 20 + 8 + 239] = 99;
    CU_ASSERT_EQUAL(send_frame(sw, 0, 1, n[0].port, buf, len, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 0);
    CU_ASSERT_EQUAL(port_drop(sw, n[0].port, VSW_DROP_DHCP_GUARD), 1);
    /* A client request (68 -> 67) passes. */
    len = build_udp(buf, bc, src, 0, 0, 68, 67, 240);
    buf[14 + 20 + 8] = 1;
    buf[14 + 20 + 8 + 236] = 99;
    buf[14 + 20 + 8 + 237] = 130;
    buf[14 + 20 + 8 + 238] = 83;
    buf[14 + 20 + 8 + 239] = 99;
    CU_ASSERT_EQUAL(send_frame(sw, 0, 2, n[0].port, buf, len, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    vsw_switch_destroy(sw);
}

/* An IPv6 ICMPv6 message of 'type' from dummy MAC 'src_n' to all nodes. */
static size_t
build_icmp6(uint8_t *buf, uint8_t src_n, uint8_t type)
{
    static const uint8_t dst[6] = { 0x33, 0x33, 0, 0, 0, 1 };
    uint8_t *ip = buf + 14, *icmp = buf + 14 + 40;
    size_t plen = 16;
    uint32_t sum = 0;

    dummy_mac(buf + 6, src_n);
    memcpy(buf, dst, 6);
    buf[12] = 0x86;
    buf[13] = 0xdd;
    memset(ip, 0, 40);
    ip[0] = 0x60;
    ip[4] = 0;
    ip[5] = (uint8_t) plen;
    ip[6] = 58;
    ip[7] = 255;
    ip[8] = 0xfe;
    ip[9] = 0x80;
    ip[23] = src_n;                             /* fe80::src_n */
    ip[24] = 0xff;
    ip[25] = 0x02;
    ip[39] = 1;                                 /* ff02::1 */
    memset(icmp, 0, plen);
    icmp[0] = type;
    /* Checksum over the pseudo-header and the message. */
    for (int i = 8; i < 40; i += 2) {
        sum += (uint32_t) (ip[i] << 8 | ip[i + 1]);
    }
    sum += (uint32_t) plen + 58;
    for (size_t i = 0; i < plen; i += 2) {
        sum += (uint32_t) (icmp[i] << 8 | icmp[i + 1]);
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    icmp[2] = (uint8_t) (~sum >> 8);
    icmp[3] = (uint8_t) (~sum & 0xff);
    return 14 + 40 + plen;
}

static void
test_router_guard_drops_advertisements_and_redirects(void)
{
    struct dummy_nic n[2];
    struct vsw_switch *sw = rig(n, 2, 1);
    struct vsw_guards g = { .router = true };
    uint8_t buf[256];
    size_t len;

    CU_ASSERT_EQUAL(vsw_port_set_guards(sw, n[0].port, &g), 0);
    len = build_icmp6(buf, 1, 134);                   /* RA */
    CU_ASSERT_EQUAL(send_frame(sw, 0, 1, n[0].port, buf, len, NULL), 0);
    len = build_icmp6(buf, 1, 137);                   /* redirect */
    CU_ASSERT_EQUAL(send_frame(sw, 0, 2, n[0].port, buf, len, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 0);
    CU_ASSERT_EQUAL(port_drop(sw, n[0].port, VSW_DROP_ROUTER_GUARD), 2);
    len = build_icmp6(buf, 1, 133);                   /* RS passes */
    CU_ASSERT_EQUAL(send_frame(sw, 0, 3, n[0].port, buf, len, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    vsw_switch_destroy(sw);
}

/* ------------------------------------------------------------------ */
/* ACL and QoS. */

static void
test_ingress_and_egress_acl_deny(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    struct vsw_acl_rule r;
    struct vsw_work w;
    uint32_t id;

    vsw_acl_rule_init(&r);
    r.action = VSW_ACL_DENY;
    r.fields = VSW_ACL_M_IP_PROTO | VSW_ACL_M_DST_PORT;
    r.ip_proto = 17;
    r.dst_port_min = r.dst_port_max = 2000;
    CU_ASSERT_EQUAL(vsw_acl_add(sw, n[0].port, VSW_ACL_IN, &r, &id), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 1, 0xff, &w), 0);
    CU_ASSERT_EQUAL(n[1].n_frames + n[2].n_frames, 0);
    CU_ASSERT_EQUAL(w.acl_rules, 1);
    CU_ASSERT_EQUAL(port_drop(sw, n[0].port, VSW_DROP_ACL_INGRESS), 1);
    CU_ASSERT_EQUAL(vsw_acl_remove(sw, n[0].port, VSW_ACL_IN, id), 0);
    /* The same rule on port 3's egress only stops that copy. */
    CU_ASSERT_EQUAL(vsw_acl_add(sw, n[2].port, VSW_ACL_OUT, &r, &id), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[0].port, 1, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames, 0);
    CU_ASSERT_EQUAL(port_drop(sw, n[2].port, VSW_DROP_ACL_EGRESS), 1);
    vsw_switch_destroy(sw);
}

static void
test_acl_hits_count_every_match_summed_over_cpus(void)
{
    struct dummy_nic n[2];
    struct vsw_switch *sw = rig(n, 2, 2);
    struct vsw_acl_rule r;
    uint8_t buf[256], src[6], dst[6];
    uint32_t count_id, other_id;
    uint64_t hits = 99;
    size_t len;

    vsw_acl_rule_init(&r);
    r.action = VSW_ACL_COUNT;
    r.fields = VSW_ACL_M_IP_PROTO;
    r.ip_proto = 17;
    CU_ASSERT_EQUAL(vsw_acl_add(sw, n[0].port, VSW_ACL_IN, &r, &count_id), 0);
    r.ip_proto = 6;                     /* never matches UDP */
    CU_ASSERT_EQUAL(vsw_acl_add(sw, n[0].port, VSW_ACL_IN, &r, &other_id), 0);
    CU_ASSERT_EQUAL(vsw_acl_hits(sw, n[0].port, VSW_ACL_IN, count_id, &hits),
                    0);
    CU_ASSERT_EQUAL(hits, 0);

    dummy_mac(src, 1);
    dummy_mac(dst, 2);
    len = build_udp(buf, dst, src, 0, 0, 1000, 2000, 18);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(send_frame(sw, 0, 1, n[0].port, buf, len, NULL), 0);
    }
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(send_frame(sw, 1, 2, n[0].port, buf, len, NULL), 0);
    }
    /* Counting never blocks: every frame still went through. */
    CU_ASSERT_EQUAL(n[1].n_frames, 5);
    CU_ASSERT_EQUAL(vsw_acl_hits(sw, n[0].port, VSW_ACL_IN, count_id, &hits),
                    0);
    CU_ASSERT_EQUAL(hits, 5);
    CU_ASSERT_EQUAL(vsw_acl_hits(sw, n[0].port, VSW_ACL_IN, other_id, &hits),
                    0);
    CU_ASSERT_EQUAL(hits, 0);
    CU_ASSERT_EQUAL(vsw_acl_hits(sw, n[0].port, VSW_ACL_OUT, count_id,
                                 &hits), ENOENT);
    CU_ASSERT_EQUAL(vsw_acl_hits(sw, n[0].port, (enum vsw_acl_dir) 9,
                                 count_id, &hits), EINVAL);
    CU_ASSERT_EQUAL(vsw_acl_hits(sw, 4242, VSW_ACL_IN, count_id, &hits),
                    ENOENT);
    vsw_switch_destroy(sw);
}

static void
test_qos_max_bandwidth_and_ingress_limit(void)
{
    struct dummy_nic n[2];
    struct vsw_switch *sw = rig(n, 2, 1);
    /* 1 Mb/s with a 1518-byte burst: one 60-byte frame costs 480 us. */
    struct vsw_qos_config q = { .max_bps = 1000000, .max_burst_bytes = 1518 };
    int delivered = 0;

    CU_ASSERT_EQUAL(vsw_port_set_qos(sw, n[1].port, &q), 0);
    for (int i = 0; i < 30; i++) {
        CU_ASSERT_EQUAL(send_udp(sw, 1000, n[0].port, 1, 0xff, NULL), 0);
    }
    delivered = (int) n[1].n_frames;
    CU_ASSERT_EQUAL(delivered, 1518 / 60);          /* the burst */
    CU_ASSERT_EQUAL(port_drop(sw, n[1].port, VSW_DROP_QOS),
                    (uint64_t) (30 - delivered));
    /* Time refills the bucket: 480 us later one more fits. */
    CU_ASSERT_EQUAL(send_udp(sw, 1000 + 480000, n[0].port, 1, 0xff, NULL), 0);
    CU_ASSERT_EQUAL((int) n[1].n_frames, delivered + 1);

    q = (struct vsw_qos_config) { .ingress_bps = 1000000,
                                  .ingress_burst_bytes = 120 };
    CU_ASSERT_EQUAL(vsw_port_set_qos(sw, n[0].port, &q), 0);
    dummy_clear(&n[1]);
    q = (struct vsw_qos_config) { 0 };
    CU_ASSERT_EQUAL(vsw_port_set_qos(sw, n[1].port, &q), 0);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(send_udp(sw, 2 * SEC, n[0].port, 1, 0xff, NULL), 0);
    }
    CU_ASSERT_EQUAL(n[1].n_frames, 2);
    CU_ASSERT_EQUAL(port_drop(sw, n[0].port, VSW_DROP_RATE_LIMIT), 3);
    vsw_switch_destroy(sw);
}

/* ------------------------------------------------------------------ */
/* Mirroring. */

static void
test_mirror_copies_ingress_and_egress_frames(void)
{
    struct dummy_nic n[4];
    struct vsw_switch *sw = rig(n, 4, 1);
    struct vsw_mirror m = { .ingress = true };
    uint8_t mac[6];

    /* Port 4 is the monitor, on its own VLAN so it hears nothing else. */
    struct vsw_vlan_config v = { .mode = VSW_VLAN_ACCESS, .access_vid = 99 };
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, n[3].port, &v), 0);
    dummy_mac(mac, 2);
    CU_ASSERT_EQUAL(vsw_static_mac_add(sw, n[1].port, mac, 0), 0);
    m.dest = n[3].port;
    CU_ASSERT_EQUAL(vsw_port_set_mirror(sw, n[0].port, &m), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 1, 2, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(n[3].n_frames, 1);              /* ingress copy */
    CU_ASSERT_EQUAL(memcmp(n[3].frames[0].bytes, n[1].frames[0].bytes,
                           n[1].frames[0].len), 0);
    /* Egress mirroring of port 3: frames sent to it are copied too. */
    m.ingress = false;
    m.egress = true;
    CU_ASSERT_EQUAL(vsw_port_set_mirror(sw, n[2].port, &m), 0);
    m = (struct vsw_mirror) { 0 };
    CU_ASSERT_EQUAL(vsw_port_set_mirror(sw, n[0].port, &m), 0);
    clear_all(n, 4);
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[1].port, 2, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(n[0].n_frames, 1);
    CU_ASSERT_EQUAL(n[2].n_frames, 1);
    CU_ASSERT_EQUAL(n[3].n_frames, 1);              /* one copy, not two */
    vsw_switch_destroy(sw);
}

/* ------------------------------------------------------------------ */
/* Extensions. */

struct ext_log {
    char calls[64][16];
    int n;
    int drop_from_port;        /* filter: drop frames from this port */
    uint32_t redirect_to;      /* forward: send everything here only */
    struct vsw_switch *sw;
    bool inject_done;
};

static void
log_call(struct ext_log *l, const char *what)
{
    if (l->n < 64) {
        snprintf(l->calls[l->n++], sizeof l->calls[0], "%s", what);
    }
}

static enum vsw_ext_verdict
cap_in(void *ctx, struct vsw_ext_frame *f)
{
    log_call(ctx, "cap-in");
    return VSW_EXT_DROP;       /* ignored: capture cannot drop */
}

static enum vsw_ext_verdict
cap_out(void *ctx, struct vsw_ext_frame *f)
{
    log_call(ctx, "cap-out");
    return VSW_EXT_PASS;
}

static enum vsw_ext_verdict
filt_in(void *ctx, struct vsw_ext_frame *f)
{
    struct ext_log *l = ctx;

    log_call(l, "filt-in");
    return f->src_port == (uint32_t) l->drop_from_port ? VSW_EXT_DROP
                                                        : VSW_EXT_PASS;
}

static enum vsw_ext_verdict
filt_out(void *ctx, struct vsw_ext_frame *f)
{
    log_call(ctx, "filt-out");
    return VSW_EXT_PASS;
}

static enum vsw_ext_verdict
fwd_in(void *ctx, struct vsw_ext_frame *f)
{
    struct ext_log *l = ctx;

    log_call(l, "fwd-in");
    if (l->redirect_to) {
        while (vsw_ext_dest_count(f)) {
            vsw_ext_dest_exclude(f, vsw_ext_dest_get(f, 0));
        }
        CU_ASSERT_EQUAL(vsw_ext_dest_add(f, l->redirect_to), 0);
    }
    return VSW_EXT_PASS;
}

static const struct vsw_ext_ops cap_ops = { cap_in, cap_out };
static const struct vsw_ext_ops filt_ops = { filt_in, filt_out };
static const struct vsw_ext_ops fwd_ops = { fwd_in, NULL };

static void
test_extensions_run_in_order_ingress_up_egress_down(void)
{
    struct dummy_nic n[2];
    struct vsw_switch *sw = rig(n, 2, 1);
    struct ext_log l;
    struct vsw_work w;
    uint32_t ids[3];

    memset(&l, 0, sizeof l);
    l.drop_from_port = -1;
    /* Inserted out of order; the order numbers decide. */
    CU_ASSERT_EQUAL(vsw_ext_insert(sw, "fwd", VSW_EXT_FORWARD, &fwd_ops, &l,
                                   30, &ids[2]), 0);
    CU_ASSERT_EQUAL(vsw_ext_insert(sw, "cap", VSW_EXT_CAPTURE, &cap_ops, &l,
                                   10, &ids[0]), 0);
    CU_ASSERT_EQUAL(vsw_ext_insert(sw, "filt", VSW_EXT_FILTER, &filt_ops, &l,
                                   20, &ids[1]), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 1, 0xff, &w), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);           /* capture's DROP ignored */
    CU_ASSERT_EQUAL_FATAL(l.n, 5);
    CU_ASSERT_STRING_EQUAL(l.calls[0], "cap-in");
    CU_ASSERT_STRING_EQUAL(l.calls[1], "filt-in");
    CU_ASSERT_STRING_EQUAL(l.calls[2], "fwd-in");
    CU_ASSERT_STRING_EQUAL(l.calls[3], "filt-out");
    CU_ASSERT_STRING_EQUAL(l.calls[4], "cap-out");
    CU_ASSERT_EQUAL(w.ext_calls, 5);
    /* Removing one takes it out of the path. */
    CU_ASSERT_EQUAL(vsw_ext_remove(sw, ids[1]), 0);
    CU_ASSERT_EQUAL(vsw_ext_remove(sw, ids[1]), ENOENT);
    l.n = 0;
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[0].port, 1, 0xff, &w), 0);
    CU_ASSERT_EQUAL(l.n, 3);
    vsw_switch_destroy(sw);
}

static void
test_filter_extension_drops_and_forwarding_extension_redirects(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    struct ext_log l;
    uint32_t id;

    memset(&l, 0, sizeof l);
    l.drop_from_port = (int) n[1].port;
    CU_ASSERT_EQUAL(vsw_ext_insert(sw, "filt", VSW_EXT_FILTER, &filt_ops, &l,
                                   1, &id), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[1].port, 2, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(n[0].n_frames + n[2].n_frames, 0);
    CU_ASSERT_EQUAL(port_drop(sw, n[1].port, VSW_DROP_EXT_INGRESS), 1);
    CU_ASSERT_EQUAL(vsw_ext_remove(sw, id), 0);

    /* A forwarding extension sends a broadcast to port 3 only. */
    l.redirect_to = n[2].port;
    CU_ASSERT_EQUAL(vsw_ext_insert(sw, "fwd", VSW_EXT_FORWARD, &fwd_ops, &l,
                                   1, &id), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[0].port, 1, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 0);
    CU_ASSERT_EQUAL(n[2].n_frames, 1);
    vsw_switch_destroy(sw);
}

/* A filter that clones each frame from port 1 the first time, rewrites
 * the clone's destination to station 3 and injects it. */
static enum vsw_ext_verdict
inject_in(void *ctx, struct vsw_ext_frame *f)
{
    struct ext_log *l = ctx;
    struct vsw_pkt *copy;

    if (l->inject_done) {
        return VSW_EXT_PASS;
    }
    l->inject_done = true;
    copy = vsw_pkt_clone(f->pkt);
    CU_ASSERT_FATAL(copy != NULL);
    dummy_mac(vsw_pkt_data(copy), 3);
    CU_ASSERT_EQUAL(vsw_ext_inject(f, copy, f->src_port), 0);
    return VSW_EXT_DROP;      /* the original is replaced */
}

static const struct vsw_ext_ops inject_ops = { inject_in, NULL };

static void
test_filter_extension_clone_modify_inject(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    struct ext_log l;
    uint8_t mac[6];
    struct vsw_work w;

    memset(&l, 0, sizeof l);
    dummy_mac(mac, 2);
    CU_ASSERT_EQUAL(vsw_static_mac_add(sw, n[1].port, mac, 0), 0);
    dummy_mac(mac, 3);
    CU_ASSERT_EQUAL(vsw_static_mac_add(sw, n[2].port, mac, 0), 0);
    CU_ASSERT_EQUAL(vsw_ext_insert(sw, "inj", VSW_EXT_FILTER, &inject_ops, &l,
                                   1, NULL), 0);
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 1, 2, &w), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 0);
    CU_ASSERT_EQUAL(n[2].n_frames, 1);
    CU_ASSERT_EQUAL(w.frames_in, 2);                 /* original + injected */
    CU_ASSERT_EQUAL(w.frames_dropped, 1);
    CU_ASSERT_EQUAL(w.frames_delivered, 1);
    vsw_switch_destroy(sw);
}


/* A NIC whose deliver callback reconfigures the switch: disconnects,
 * deletes and tears down another port while the batch that reaches it is
 * still being delivered.  The old snapshot must stay valid until the
 * batch ends (ASan would catch a use after free). */
struct reentrant {
    struct dummy_nic nic;
    struct vsw_switch *sw;
    uint32_t victim;
    int calls;
};

static void
reentrant_deliver(void *owner, struct vsw_pkt *const pkts[], size_t n)
{
    struct reentrant *r = owner;

    r->calls++;
    dummy_deliver(&r->nic, pkts, n);
    if (r->calls == 1) {
        CU_ASSERT_EQUAL(vsw_nic_disconnect(r->sw, r->victim), 0);
        CU_ASSERT_EQUAL(vsw_nic_delete(r->sw, r->victim), 0);
        CU_ASSERT_EQUAL(vsw_port_teardown(r->sw, r->victim), 0);
    }
}

static const struct vsw_nic_ops reentrant_ops = { reentrant_deliver, NULL };

static void
test_ctl_from_deliver_callback_keeps_batch_snapshot_valid(void)
{
    struct dummy_nic n[2], victim;
    struct vsw_switch *sw = rig(n, 2, 1);
    struct reentrant r;
    struct vsw_nic_params np;
    uint32_t port;

    memset(&r, 0, sizeof r);
    r.sw = sw;
    CU_ASSERT_EQUAL(vsw_port_create(sw, "re", &port), 0);
    np = n[0].params;
    np.ops = &reentrant_ops;
    np.owner = &r;
    dummy_mac(np.macs[0], 40);
    CU_ASSERT_EQUAL(vsw_nic_create(sw, port, &np), 0);
    CU_ASSERT_EQUAL(vsw_nic_connect(sw, port), 0);
    CU_ASSERT_EQUAL(dummy_attach(sw, &victim, VSW_NIC_VM, 41, true), 0);
    r.victim = victim.port;
    /* Broadcast from 1 reaches 2, the reentrant NIC, then the victim: the
     * victim is torn down between the two deliveries, and still gets the
     * frame of the batch that began before (one snapshot per batch). */
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[0].port, 1, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(r.calls, 1);
    CU_ASSERT_EQUAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL(victim.n_frames, 1);
    /* The next batch sees the new configuration. */
    CU_ASSERT_EQUAL(send_udp(sw, 2, n[0].port, 1, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(r.calls, 2);
    CU_ASSERT_EQUAL(victim.n_frames, 1);
    vsw_switch_destroy(sw);
}


/* ------------------------------------------------------------------ */
/* Software offloads. */

/* Builds an IPv4/TCP frame dst <- src with 'payload' bytes and the
 * checksum fields zero; returns its length. */
static size_t
build_tcp(uint8_t *buf, uint8_t src_n, uint8_t dst_n, size_t payload)
{
    uint8_t *ip = buf + 14, *tcp = buf + 34;
    size_t ip_len = 20 + 20 + payload;

    dummy_mac(buf, dst_n);
    dummy_mac(buf + 6, src_n);
    buf[12] = 0x08;
    buf[13] = 0x00;
    memset(ip, 0, 40);
    ip[0] = 0x45;
    ip[2] = (uint8_t) (ip_len >> 8);
    ip[3] = (uint8_t) ip_len;
    ip[8] = 64;
    ip[9] = 6;
    ip[12] = 10; ip[15] = src_n;
    ip[16] = 10; ip[19] = dst_n;
    tcp[1] = 80;
    tcp[3] = 81;
    tcp[7] = 1;                 /* seq 1 */
    tcp[12] = 5 << 4;
    tcp[13] = 0x18;             /* PSH|ACK */
    tcp[14] = 0xff;
    for (size_t i = 0; i < payload; i++) {
        buf[54 + i] = (uint8_t) i;
    }
    return 54 + payload;
}

/* The RFC 1071 sum of 'len' bytes plus 'sum', folded, not inverted. */
static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += (uint32_t) (p[i] << 8 | p[i + 1]);
    }
    if (len & 1) {
        sum += (uint32_t) p[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

/* True if the IPv4 header and TCP checksums of frame 'f' verify. */
static bool
tcp_csums_ok(const uint8_t *f, size_t len)
{
    const uint8_t *ip = f + 14;
    size_t ip_len = (size_t) (ip[2] << 8 | ip[3]);
    uint32_t ps;

    if (sum16(ip, 20, 0) != 0xffff || 14 + ip_len > len) {
        return false;
    }
    ps = sum16(ip + 12, 8, 0) + 6 + (uint32_t) (ip_len - 20);
    return sum16(ip + 20, ip_len - 20, ps) == 0xffff;
}

static void
test_software_checksum_for_nic_without_offload(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    struct vsw_nic_caps caps = { .csum_ipv4 = true };
    struct vsw_pkt *pkt;
    uint8_t buf[256];
    struct vsw_work w;
    size_t len;

    /* Port 3 does checksums itself; port 2 does not. */
    CU_ASSERT_EQUAL(vsw_nic_update(sw, n[2].port, &caps, n[2].params.macs,
                                   1), 0);
    len = build_tcp(buf, 1, 0xff, 100);
    memset(buf, 0xff, 6);                       /* broadcast */
    pkt = make_pkt(buf, len);
    CU_ASSERT_FATAL(pkt != NULL);
    pkt->oob.tx_csum_ip = true;
    pkt->oob.tx_csum_tcp = true;
    CU_ASSERT_EQUAL(vsw_process(sw, 0, 1, n[0].port, &pkt, 1, &w), 0);
    vsw_pkt_free(pkt);
    CU_ASSERT_EQUAL_FATAL(n[1].n_frames, 1);
    CU_ASSERT_EQUAL_FATAL(n[2].n_frames, 1);
    CU_ASSERT_TRUE(tcp_csums_ok(n[1].frames[0].bytes, n[1].frames[0].len));
    CU_ASSERT_FALSE(tcp_csums_ok(n[2].frames[0].bytes, n[2].frames[0].len));
    CU_ASSERT_TRUE(w.bytes_checksummed >= 120);
    vsw_switch_destroy(sw);
}

static void
test_software_lso_segments_for_nic_without_lso(void)
{
    struct dummy_nic n[2];
    struct vsw_switch *sw = rig(n, 2, 1);
    struct vsw_pkt *pkt;
    uint8_t buf[2048];
    struct vsw_work w;
    size_t len, total = 0;

    len = build_tcp(buf, 1, 2, 1000);
    pkt = make_pkt(buf, len);
    CU_ASSERT_FATAL(pkt != NULL);
    pkt->oob.lso_mss = 400;
    pkt->oob.lso_version = 1;
    CU_ASSERT_EQUAL(vsw_process(sw, 0, 1, n[0].port, &pkt, 1, &w), 0);
    vsw_pkt_free(pkt);
    CU_ASSERT_EQUAL(w.segments, 3);
    CU_ASSERT_EQUAL(w.frames_delivered, 3);
    CU_ASSERT_EQUAL(w.deliver_calls, 1);
    CU_ASSERT_EQUAL_FATAL(n[1].n_frames, 3);
    for (size_t i = 0; i < 3; i++) {
        const struct dummy_frame *f = &n[1].frames[i];
        CU_ASSERT_TRUE(tcp_csums_ok(f->bytes, f->len));
        total += f->len - 54;
    }
    CU_ASSERT_EQUAL(n[1].frames[0].len, 54 + 400);
    CU_ASSERT_EQUAL(n[1].frames[2].len, 54 + 200);
    CU_ASSERT_EQUAL(total, 1000);
    vsw_switch_destroy(sw);
}

/* ------------------------------------------------------------------ */
/* Counters and work. */

static void
test_counters_summed_across_cpus(void)
{
    struct dummy_nic n[2];
    struct vsw_switch *sw = rig(n, 2, 4);
    struct vsw_port_counters pc;
    struct vsw_nic_counters nc;
    struct vsw_switch_counters sc;
    uint8_t buf[256], src[6], dst[6];
    size_t len;

    dummy_mac(src, 1);
    dummy_mac(dst, 2);
    len = build_udp(buf, dst, src, 0, 0, 1, 2, 20);
    for (unsigned cpu = 0; cpu < 4; cpu++) {
        for (unsigned i = 0; i <= cpu; i++) {
            CU_ASSERT_EQUAL(send_frame(sw, cpu, 1, n[0].port, buf, len, NULL),
                            0);
        }
    }
    CU_ASSERT_EQUAL(send_frame(sw, 4, 1, n[0].port, buf, len, NULL), EINVAL);
    CU_ASSERT_EQUAL(vsw_port_counters(sw, n[0].port, &pc), 0);
    CU_ASSERT_EQUAL(pc.rx_frames, 10);
    CU_ASSERT_EQUAL(pc.rx_bytes, 10 * len);
    CU_ASSERT_EQUAL(vsw_port_counters(sw, n[1].port, &pc), 0);
    CU_ASSERT_EQUAL(pc.tx_frames, 10);
    CU_ASSERT_EQUAL(vsw_nic_counters(sw, n[1].port, &nc), 0);
    CU_ASSERT_EQUAL(nc.tx_frames, 10);
    CU_ASSERT_EQUAL(nc.deliver_calls, 10);
    CU_ASSERT_EQUAL(vsw_nic_counters(sw, n[0].port, &nc), 0);
    CU_ASSERT_EQUAL(nc.rx_frames, 10);
    CU_ASSERT_EQUAL(vsw_switch_counters(sw, &sc), 0);
    CU_ASSERT_EQUAL(sc.frames_in, 10);
    CU_ASSERT_EQUAL(sc.frames_out, 10);
    CU_ASSERT_EQUAL(sc.bytes_out, 10 * len);
    vsw_switch_destroy(sw);
}

static void
test_work_record_counts_batch(void)
{
    struct dummy_nic n[3];
    struct vsw_switch *sw = rig(n, 3, 1);
    struct vsw_pkt *pkts[4];
    uint8_t buf[256], src[6], dst[6];
    struct vsw_work w;
    size_t len;

    /* Station 2 known; 4 frames 1 -> 2 in one batch. */
    CU_ASSERT_EQUAL(send_udp(sw, 1, n[1].port, 2, 0xff, NULL), 0);
    clear_all(n, 3);
    dummy_mac(src, 1);
    dummy_mac(dst, 2);
    len = build_udp(buf, dst, src, 0, 0, 1000, 2000, 18);  /* as send_udp */
    for (int i = 0; i < 4; i++) {
        pkts[i] = make_pkt(buf, len);
    }
    CU_ASSERT_EQUAL(vsw_process(sw, 0, 2, n[0].port, pkts, 4, &w), 0);
    for (int i = 0; i < 4; i++) {
        vsw_pkt_free(pkts[i]);
    }
    CU_ASSERT_EQUAL(w.frames_in, 4);
    CU_ASSERT_EQUAL(w.frames_parsed, 4);
    CU_ASSERT_EQUAL(w.lookups, 12);  /* learn check, table, NIC address */
    CU_ASSERT_EQUAL(w.learns, 1);            /* station 1 is new */
    CU_ASSERT_EQUAL(w.frames_delivered, 4);
    CU_ASSERT_EQUAL(w.deliver_calls, 1);     /* one batch to one NIC */
    CU_ASSERT_EQUAL(w.frames_dropped, 0);
    CU_ASSERT_EQUAL(w.bytes_copied, 0);
    CU_ASSERT_EQUAL(n[1].deliver_calls, 1);
    CU_ASSERT_EQUAL(n[1].n_frames, 4);
    /* A broadcast to two ports costs one clone. */
    CU_ASSERT_EQUAL(send_udp(sw, 3, n[0].port, 1, 0xff, &w), 0);
    CU_ASSERT_EQUAL(w.bytes_copied, len);
    CU_ASSERT_EQUAL(w.frames_delivered, 2);
    vsw_switch_destroy(sw);
}

static void
test_malformed_frame_dropped_with_reason(void)
{
    struct dummy_nic n[2];
    struct vsw_switch *sw = rig(n, 2, 1);
    uint8_t buf[256], src[6], bc[6];
    size_t len;

    dummy_mac(src, 1);
    memset(bc, 0xff, 6);
    len = build_udp(buf, bc, src, 0, 0, 1, 2, 20);
    buf[14] = 0x44;                           /* IPv4 IHL 4: malformed */
    CU_ASSERT_EQUAL(send_frame(sw, 0, 1, n[0].port, buf, len, NULL), 0);
    CU_ASSERT_EQUAL(send_frame(sw, 0, 1, n[0].port, buf, 10, NULL), 0);
    CU_ASSERT_EQUAL(n[1].n_frames, 0);
    CU_ASSERT_EQUAL(port_drop(sw, n[0].port, VSW_DROP_MALFORMED), 2);
    /* A group source address is never switched. */
    len = build_udp(buf, bc, bc, 0, 0, 1, 2, 20);
    CU_ASSERT_EQUAL(send_frame(sw, 0, 1, n[0].port, buf, len, NULL), 0);
    CU_ASSERT_EQUAL(port_drop(sw, n[0].port, VSW_DROP_BAD_SOURCE_MAC), 1);
    /* An unknown source port. */
    CU_ASSERT_EQUAL(send_frame(sw, 0, 1, 999, buf, len, NULL), 0);
    {
        struct vsw_switch_counters sc;
        CU_ASSERT_EQUAL(vsw_switch_counters(sw, &sc), 0);
        CU_ASSERT_EQUAL(sc.drop[VSW_DROP_NO_PORT], 1);
        CU_ASSERT_EQUAL(sc.drops, 4);
    }
    vsw_switch_destroy(sw);
}

static const struct cutest_case lifecycle_cases[] = {
    CUTEST(test_lifecycle_full_sequence_succeeds),
    CUTEST(test_teardown_with_nic_is_ebusy),
    CUTEST(test_lifecycle_order_violations_fail),
    CUTEST(test_port_ids_are_never_reused),
    CUTEST(test_link_callback_reports_connect_and_disconnect),
    CUTEST(test_switch_kind_derived_from_connected_nics),
    CUTEST(test_ctl_invalid_arguments_change_nothing),
    CUTEST(test_names_of_enums),
    CUTEST_END
};

static const struct cutest_case forwarding_cases[] = {
    CUTEST(test_unknown_unicast_floods_then_learned_goes_to_one_port),
    CUTEST(test_nic_address_goes_to_its_port_unlearned),
    CUTEST(test_nic_address_follows_nic_lifecycle),
    CUTEST(test_broadcast_never_reflected_to_ingress),
    CUTEST(test_frame_to_station_on_own_port_dropped),
    CUTEST(test_disconnect_flushes_learned_addresses),
    CUTEST(test_station_move_updates_port),
    CUTEST(test_aging_expires_station_at_exact_time),
    CUTEST(test_address_limit_drops_new_stations),
    CUTEST(test_static_entry_pins_station),
    CUTEST(test_malformed_frame_dropped_with_reason),
    CUTEST_END
};

static const struct cutest_case policy_cases[] = {
    CUTEST(test_mac_spoof_guard_drops_foreign_source),
    CUTEST(test_dhcp_guard_drops_server_replies_only),
    CUTEST(test_router_guard_drops_advertisements_and_redirects),
    CUTEST(test_ingress_and_egress_acl_deny),
    CUTEST(test_acl_hits_count_every_match_summed_over_cpus),
    CUTEST(test_qos_max_bandwidth_and_ingress_limit),
    CUTEST(test_mirror_copies_ingress_and_egress_frames),
    CUTEST_END
};

static const struct cutest_case extension_cases[] = {
    CUTEST(test_extensions_run_in_order_ingress_up_egress_down),
    CUTEST(test_filter_extension_drops_and_forwarding_extension_redirects),
    CUTEST(test_filter_extension_clone_modify_inject),
    CUTEST_END
};

static const struct cutest_case offload_cases[] = {
    CUTEST(test_software_checksum_for_nic_without_offload),
    CUTEST(test_software_lso_segments_for_nic_without_lso),
    CUTEST_END
};

static const struct cutest_case accounting_cases[] = {
    CUTEST(test_counters_summed_across_cpus),
    CUTEST(test_work_record_counts_batch),
    CUTEST(test_ctl_from_deliver_callback_keeps_batch_snapshot_valid),
    CUTEST_END
};

CUTEST_MAIN({ "lifecycle", lifecycle_cases },
            { "forwarding", forwarding_cases },
            { "policy", policy_cases },
            { "extensions", extension_cases },
            { "offloads", offload_cases },
            { "accounting", accounting_cases })
