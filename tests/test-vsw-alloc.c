/*
 * test-vsw-alloc.c -- the switch never aborts and never half-applies a
 * command on allocation failure.  For every control operation, every
 * allocation it makes fails in turn (vsw_alloc_fail_after(0), (1), (2),
 * ... until the operation succeeds), as SQLite's test_malloc.c does --
 * every command code of vsw_ctl(), the reads included, which a test
 * checks against VSW_CTL_CMD_MAX; each
 * failure must return ENOMEM and leave the switch exactly as it was
 * (compared by a dump of ports, NICs, VLAN configuration, guards, QoS,
 * mirrors, ACL sizes, extensions and the FDB), and the switch must still
 * forward.  The data path, for its part, drops with VSW_DROP_NOMEM.
 */
#include <config.h>
#include "vmswitch/vswitch.h"

#include <errno.h>
#include <string.h>

#include "vmswitch/acl.h"
#include "vmswitch/alloc.h"
#include "vmswitch/fdb.h"
#include "tests/cutest.h"
#include "tests/vsw-dummy.h"

#define MAX_PORTS 8
#define MAX_FDB 32
#define MAX_EXT 4

struct dump {
    size_t n_ports;
    struct vsw_ctl_port_info ports[MAX_PORTS];
    size_t n_fdb;
    struct vsw_fdb_entry_info fdb[MAX_FDB];
    size_t n_ext;
    struct vsw_ext_info ext[MAX_EXT];
};

static void
take_dump(struct vsw_switch *sw, struct dump *d)
{
    uint32_t ids[MAX_PORTS];
    struct vsw_ctl_port_list pl = { .ids = ids, .cap = MAX_PORTS };
    struct vsw_ctl_fdb_dump fd;
    struct vsw_ctl_ext_list el;

    memset(d, 0, sizeof *d);
    CU_ASSERT_EQUAL_FATAL(vsw_ctl(sw, VSW_CTL_PORT_LIST, &pl), 0);
    d->n_ports = pl.n;
    for (size_t i = 0; i < pl.n; i++) {
        CU_ASSERT_EQUAL(vsw_port_get(sw, ids[i], &d->ports[i]), 0);
    }
    fd = (struct vsw_ctl_fdb_dump) { .now_ns = 100, .entries = d->fdb,
                                     .cap = MAX_FDB };
    CU_ASSERT_EQUAL_FATAL(vsw_ctl(sw, VSW_CTL_FDB_DUMP, &fd), 0);
    d->n_fdb = fd.n;
    el = (struct vsw_ctl_ext_list) { .exts = d->ext, .cap = MAX_EXT };
    CU_ASSERT_EQUAL_FATAL(vsw_ctl(sw, VSW_CTL_EXT_LIST, &el), 0);
    d->n_ext = el.n;
}

/* Compares two dumps field by field (no padding bytes involved). */
static bool
dumps_equal(const struct dump *x, const struct dump *y)
{
    if (x->n_ports != y->n_ports || x->n_fdb != y->n_fdb
        || x->n_ext != y->n_ext
        || memcmp(x->ports, y->ports, sizeof x->ports)) {
        return false;
    }
    for (size_t i = 0; i < x->n_fdb; i++) {
        const struct vsw_fdb_entry_info *e = &x->fdb[i], *f = &y->fdb[i];
        if (memcmp(e->mac, f->mac, 6) || e->vlan != f->vlan
            || e->port != f->port || e->is_static != f->is_static
            || e->learned_ns != f->learned_ns) {
            return false;
        }
    }
    for (size_t i = 0; i < x->n_ext; i++) {
        const struct vsw_ext_info *e = &x->ext[i], *f = &y->ext[i];
        if (e->ext_id != f->ext_id || strcmp(e->name, f->name)
            || e->kind != f->kind || e->order != f->order) {
            return false;
        }
    }
    return true;
}

/* The switch under test: two witness ports that always forward A -> B,
 * and a port X that the operations work on. */
struct sweep {
    struct vsw_switch *sw;
    struct dummy_nic a, b;
    struct dummy_nic x;          /* params reused for X's NIC */
    uint32_t x_port;
    uint32_t rule_id;
    uint32_t ext_id;
};

static enum vsw_ext_verdict
pass_ext(void *ctx, struct vsw_ext_frame *f)
{
    (void) ctx;
    (void) f;
    return VSW_EXT_PASS;
}

static const struct vsw_ext_ops pass_ops = { pass_ext, pass_ext };

static int op_port_create(struct sweep *s)
{ return vsw_port_create(s->sw, "x", &s->x_port); }

static int op_nic_create(struct sweep *s)
{ return vsw_nic_create(s->sw, s->x_port, &s->x.params); }

static int op_nic_connect(struct sweep *s)
{ return vsw_nic_connect(s->sw, s->x_port); }

static int op_nic_update(struct sweep *s)
{
    struct vsw_nic_caps caps = { .csum_ipv4 = true, .vlan_oob = true };
    return vsw_nic_update(s->sw, s->x_port, &caps, s->x.params.macs, 1);
}

static int op_set_vlan(struct sweep *s)
{
    struct vsw_vlan_config v;

    memset(&v, 0, sizeof v);
    v.mode = VSW_VLAN_TRUNK;
    vsw_vid_set_add_range(&v.allowed, 1, 10);
    return vsw_port_set_vlan(s->sw, s->x_port, &v);
}

static int op_set_guards(struct sweep *s)
{
    struct vsw_guards g = { .mac_spoof = true, .dhcp = true, .router = true };
    return vsw_port_set_guards(s->sw, s->x_port, &g);
}

static int op_set_mac_limit(struct sweep *s)
{ return vsw_port_set_mac_limit(s->sw, s->x_port, 3); }

static int op_set_mirror(struct sweep *s)
{
    struct vsw_mirror m = { .dest = s->b.port, .ingress = true };
    return vsw_port_set_mirror(s->sw, s->x_port, &m);
}

static int op_set_qos(struct sweep *s)
{
    struct vsw_qos_config q = { .max_bps = 1000000000 };
    return vsw_port_set_qos(s->sw, s->x_port, &q);
}

static int op_acl_add(struct sweep *s)
{
    struct vsw_acl_rule r;

    vsw_acl_rule_init(&r);
    r.action = VSW_ACL_COUNT;
    return vsw_acl_add(s->sw, s->x_port, VSW_ACL_IN, &r, &s->rule_id);
}

static int op_acl_add_second(struct sweep *s)
{
    struct vsw_acl_rule r;
    uint32_t id;

    vsw_acl_rule_init(&r);
    r.priority = 5;
    return vsw_acl_add(s->sw, s->x_port, VSW_ACL_IN, &r, &id);
}

static int op_acl_remove(struct sweep *s)
{ return vsw_acl_remove(s->sw, s->x_port, VSW_ACL_IN, s->rule_id); }

static int op_static_add(struct sweep *s)
{
    uint8_t mac[6];
    dummy_mac(mac, 50);
    return vsw_static_mac_add(s->sw, s->x_port, mac, 3);
}

static int op_static_remove(struct sweep *s)
{
    uint8_t mac[6];
    dummy_mac(mac, 50);
    return vsw_static_mac_remove(s->sw, mac, 3);
}

static int op_static_add_again(struct sweep *s)
{
    uint8_t mac[6];
    dummy_mac(mac, 51);
    return vsw_static_mac_add(s->sw, s->x_port, mac, 0);
}

static int op_flush(struct sweep *s)
{
    struct vsw_ctl_fdb_flush f = { .scope = VSW_FLUSH_PORT,
                                   .port_id = s->x_port };
    return vsw_ctl(s->sw, VSW_CTL_FDB_FLUSH, &f);
}

static int op_set_aging(struct sweep *s)
{ return vsw_set_aging(s->sw, UINT64_C(60000000000)); }

static int op_ext_insert(struct sweep *s)
{
    return vsw_ext_insert(s->sw, "pass", VSW_EXT_FILTER, &pass_ops, NULL, 1,
                          &s->ext_id);
}

static int op_ext_remove(struct sweep *s)
{ return vsw_ext_remove(s->sw, s->ext_id); }

/* The commands that read (they may allocate a snapshot, and must then
 * fail cleanly as well). */
static int op_acl_hits(struct sweep *s)
{
    struct vsw_ctl_acl_hits h = { .port_id = s->x_port, .dir = VSW_ACL_IN,
                                  .rule_id = s->rule_id };
    return vsw_ctl(s->sw, VSW_CTL_ACL_HITS, &h);
}

static int op_flush_vlan(struct sweep *s)
{
    struct vsw_ctl_fdb_flush f = { .scope = VSW_FLUSH_VLAN, .vlan = 3 };
    return vsw_ctl(s->sw, VSW_CTL_FDB_FLUSH, &f);
}

static int op_fdb_age(struct sweep *s)
{
    struct vsw_ctl_fdb_age a = { .now_ns = 100 };
    return vsw_ctl(s->sw, VSW_CTL_FDB_AGE, &a);
}

static int op_fdb_dump(struct sweep *s)
{
    struct vsw_fdb_entry_info e[MAX_FDB];
    struct vsw_ctl_fdb_dump d = { .now_ns = 100, .entries = e,
                                  .cap = MAX_FDB };
    return vsw_ctl(s->sw, VSW_CTL_FDB_DUMP, &d);
}

static int op_port_list(struct sweep *s)
{
    uint32_t ids[MAX_PORTS];
    struct vsw_ctl_port_list l = { .ids = ids, .cap = MAX_PORTS };
    return vsw_ctl(s->sw, VSW_CTL_PORT_LIST, &l);
}

static int op_port_get(struct sweep *s)
{
    struct vsw_ctl_port_info i = { .port_id = s->x_port };
    return vsw_ctl(s->sw, VSW_CTL_PORT_GET, &i);
}

static int op_switch_counters(struct sweep *s)
{
    struct vsw_switch_counters c;
    return vsw_ctl(s->sw, VSW_CTL_SWITCH_COUNTERS, &c);
}

static int op_port_counters(struct sweep *s)
{
    struct vsw_ctl_port_counters c = { .port_id = s->x_port };
    return vsw_ctl(s->sw, VSW_CTL_PORT_COUNTERS, &c);
}

static int op_nic_counters(struct sweep *s)
{
    struct vsw_ctl_nic_counters c = { .port_id = s->x_port };
    return vsw_ctl(s->sw, VSW_CTL_NIC_COUNTERS, &c);
}

static int op_ext_list(struct sweep *s)
{
    struct vsw_ext_info e[MAX_EXT];
    struct vsw_ctl_ext_list l = { .exts = e, .cap = MAX_EXT };
    return vsw_ctl(s->sw, VSW_CTL_EXT_LIST, &l);
}

static int op_flush_all(struct sweep *s)
{
    struct vsw_ctl_fdb_flush f = { .scope = VSW_FLUSH_ALL };
    return vsw_ctl(s->sw, VSW_CTL_FDB_FLUSH, &f);
}

static int op_nic_disconnect(struct sweep *s)
{ return vsw_nic_disconnect(s->sw, s->x_port); }

static int op_nic_delete(struct sweep *s)
{ return vsw_nic_delete(s->sw, s->x_port); }

static int op_port_teardown(struct sweep *s)
{ return vsw_port_teardown(s->sw, s->x_port); }

/* Every command of the control plane, in an order where each finds what
 * it works on; 'cmd' is the command it exercises (the sweep checks that
 * none is missing). */
struct op {
    const char *name;
    enum vsw_ctl_cmd cmd;
    int (*fn)(struct sweep *);
};

static const struct op ops[] = {
    { "port-create", VSW_CTL_PORT_CREATE, op_port_create },
    { "nic-create", VSW_CTL_NIC_CREATE, op_nic_create },
    { "nic-connect", VSW_CTL_NIC_CONNECT, op_nic_connect },
    { "nic-update", VSW_CTL_NIC_UPDATE, op_nic_update },
    { "port-set-vlan", VSW_CTL_PORT_SET_VLAN, op_set_vlan },
    { "port-set-guards", VSW_CTL_PORT_SET_GUARDS, op_set_guards },
    { "port-set-mac-limit", VSW_CTL_PORT_SET_MAC_LIMIT, op_set_mac_limit },
    { "port-set-mirror", VSW_CTL_PORT_SET_MIRROR, op_set_mirror },
    { "port-set-qos", VSW_CTL_PORT_SET_QOS, op_set_qos },
    { "acl-add", VSW_CTL_ACL_ADD, op_acl_add },
    { "acl-add-second", VSW_CTL_ACL_ADD, op_acl_add_second },
    { "acl-hits", VSW_CTL_ACL_HITS, op_acl_hits },
    { "acl-remove", VSW_CTL_ACL_REMOVE, op_acl_remove },
    { "fdb-add-static", VSW_CTL_FDB_ADD_STATIC, op_static_add },
    { "fdb-dump", VSW_CTL_FDB_DUMP, op_fdb_dump },
    { "fdb-remove", VSW_CTL_FDB_REMOVE, op_static_remove },
    { "fdb-add-static-again", VSW_CTL_FDB_ADD_STATIC, op_static_add_again },
    { "fdb-flush", VSW_CTL_FDB_FLUSH, op_flush },
    { "fdb-flush-vlan", VSW_CTL_FDB_FLUSH, op_flush_vlan },
    { "fdb-age", VSW_CTL_FDB_AGE, op_fdb_age },
    { "set-aging", VSW_CTL_SET_AGING, op_set_aging },
    { "ext-insert", VSW_CTL_EXT_INSERT, op_ext_insert },
    { "ext-list", VSW_CTL_EXT_LIST, op_ext_list },
    { "port-list", VSW_CTL_PORT_LIST, op_port_list },
    { "port-get", VSW_CTL_PORT_GET, op_port_get },
    { "switch-counters", VSW_CTL_SWITCH_COUNTERS, op_switch_counters },
    { "port-counters", VSW_CTL_PORT_COUNTERS, op_port_counters },
    { "nic-counters", VSW_CTL_NIC_COUNTERS, op_nic_counters },
    { "ext-remove", VSW_CTL_EXT_REMOVE, op_ext_remove },
    { "nic-disconnect", VSW_CTL_NIC_DISCONNECT, op_nic_disconnect },
    { "nic-delete", VSW_CTL_NIC_DELETE, op_nic_delete },
    { "port-teardown", VSW_CTL_PORT_TEARDOWN, op_port_teardown },
    { "fdb-flush-all", VSW_CTL_FDB_FLUSH, op_flush_all },
};

/* The sweep below covers every command code: a command added to the
 * control plane without an operation here fails this test. */
static void
test_sweep_covers_every_control_command(void)
{
    for (int cmd = 0; cmd < VSW_CTL_CMD_MAX; cmd++) {
        bool found = false;

        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            found |= ops[i].cmd == (enum vsw_ctl_cmd)cmd;
        }
        if (!found) {
            fprintf(stderr, "no allocation-failure sweep of %s\n",
                    vsw_ctl_cmd_name((enum vsw_ctl_cmd)cmd));
        }
        CU_ASSERT_TRUE(found);
    }
}

/* A -> B still works: B's address is static, so exactly one frame. */
static bool
still_forwards(struct sweep *s)
{
    uint64_t before = s->b.total_frames;     /* n_frames stops at 64 */

    send_udp(s->sw, 100, s->a.port, 1, 2, NULL);
    return s->b.total_frames == before + 1;
}

static void
test_every_control_allocation_failure_is_enomem_and_changes_nothing(void)
{
    struct vsw_switch_params p = { .max_cpus = 2, .fdb_entries = 64 };
    struct sweep s;
    uint8_t mac_b[6];
    size_t total_failures = 0;

    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL_FATAL(vsw_switch_create(&p, &s.sw), 0);
    CU_ASSERT_EQUAL_FATAL(dummy_attach(s.sw, &s.a, VSW_NIC_VM, 1, true), 0);
    CU_ASSERT_EQUAL_FATAL(dummy_attach(s.sw, &s.b, VSW_NIC_VM, 2, true), 0);
    dummy_mac(mac_b, 2);
    CU_ASSERT_EQUAL_FATAL(vsw_static_mac_add(s.sw, s.b.port, mac_b, 0), 0);
    s.x.params = s.a.params;
    s.x.params.owner = &s.x;
    dummy_mac(s.x.params.macs[0], 9);

    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        int error = ENOMEM;
        uint64_t k;

        for (k = 0; k < 64; k++) {
            struct dump before, after;

            take_dump(s.sw, &before);
            vsw_alloc_fail_after(k);
            error = ops[i].fn(&s);
            vsw_alloc_fail_reset();
            if (error != ENOMEM) {
                break;
            }
            total_failures++;
            take_dump(s.sw, &after);
            if (!dumps_equal(&before, &after)) {
                fprintf(stderr, "%s: allocation %llu failed and changed "
                        "the switch\n", ops[i].name, (unsigned long long) k);
            }
            CU_ASSERT_TRUE(dumps_equal(&before, &after));
            CU_ASSERT_TRUE(still_forwards(&s));
        }
        if (error) {
            fprintf(stderr, "%s: error %d after %llu failures\n", ops[i].name,
                    error, (unsigned long long) k);
        }
        CU_ASSERT_EQUAL(error, 0);
        if (!still_forwards(&s)) {
            fprintf(stderr, "%s: the switch stopped forwarding\n",
                    ops[i].name);
            CU_FAIL("still forwards");
        }
    }
    /* Most commands allocate at least a snapshot. */
    CU_ASSERT_TRUE(total_failures >= 15);
    vsw_switch_destroy(s.sw);
}

static void
test_switch_create_allocation_failures_leak_nothing(void)
{
    struct vsw_switch_params p = { .max_cpus = 4 };
    struct vsw_switch *sw = NULL;
    int error = ENOMEM;

    for (uint64_t k = 0; k < 64 && error == ENOMEM; k++) {
        vsw_alloc_fail_after(k);
        error = vsw_switch_create(&p, &sw);
        vsw_alloc_fail_reset();
    }
    CU_ASSERT_EQUAL(error, 0);
    vsw_switch_destroy(sw);
}

static void
test_data_path_clone_failure_drops_with_nomem(void)
{
    struct vsw_switch_params p = { .max_cpus = 1 };
    struct vsw_switch *sw;
    struct dummy_nic a, b, c;
    struct vsw_switch_counters sc;
    struct vsw_pkt *pkt;
    uint8_t buf[256], src[6], bc[6];
    struct vsw_work w;
    size_t len;

    CU_ASSERT_EQUAL_FATAL(vsw_switch_create(&p, &sw), 0);
    CU_ASSERT_EQUAL(dummy_attach(sw, &a, VSW_NIC_VM, 1, true), 0);
    CU_ASSERT_EQUAL(dummy_attach(sw, &b, VSW_NIC_VM, 2, true), 0);
    CU_ASSERT_EQUAL(dummy_attach(sw, &c, VSW_NIC_VM, 3, true), 0);
    dummy_mac(src, 1);
    memset(bc, 0xff, 6);
    len = build_udp(buf, bc, src, 0, 0, 1, 2, 20);
    pkt = make_pkt(buf, len);
    CU_ASSERT_FATAL(pkt != NULL);
    vsw_alloc_fail_after(0);
    CU_ASSERT_EQUAL(vsw_process(sw, 0, 1, a.port, &pkt, 1, &w), 0);
    vsw_alloc_fail_reset();
    vsw_pkt_free(pkt);
    /* Two destinations: the clone for the first failed, the original went
     * to the second. */
    CU_ASSERT_EQUAL(b.n_frames + c.n_frames, 1);
    CU_ASSERT_EQUAL(w.frames_delivered, 1);
    CU_ASSERT_EQUAL(w.frames_dropped, 1);
    CU_ASSERT_EQUAL(vsw_switch_counters(sw, &sc), 0);
    CU_ASSERT_EQUAL(sc.drop[VSW_DROP_NOMEM], 1);
    vsw_switch_destroy(sw);
}

static const struct cutest_case alloc_cases[] = {
    CUTEST(test_sweep_covers_every_control_command),
    CUTEST(test_every_control_allocation_failure_is_enomem_and_changes_nothing),
    CUTEST(test_switch_create_allocation_failures_leak_nothing),
    CUTEST(test_data_path_clone_failure_drops_with_nomem),
    CUTEST_END
};

CUTEST_MAIN({ "alloc", alloc_cases })
