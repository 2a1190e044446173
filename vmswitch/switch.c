/*
 * switch.c -- the switch objects and the control plane: switch lifecycle,
 * configuration snapshots and their reclamation, every vsw_ctl() command
 * and its typed wrapper, and counter reads.  The data path is in
 * pipeline.c, the 802.1Q policy in vlan.c, ACL/QoS glue in policy.c and
 * extension helpers in ext.c.
 *
 * THE SHAPE OF A COMMAND.  Every configuration command follows the same
 * four steps, so that a failure anywhere leaves the switch as it was:
 *
 *   1. validate the argument against the current snapshot (EINVAL,
 *      ENOENT, EBUSY, ...);
 *   2. make every allocation: a copy of the snapshot, new runtime objects,
 *      a new ACL table (ENOMEM: free what was made, return);
 *   3. change the copy and publish it (cannot fail);
 *   4. side effects that cannot fail: FDB flushes, token bucket resets,
 *      and, after the control mutex is released, the NIC's link callback.
 *
 * FDB commands change the FDB (under its write lock) instead of the
 * snapshot; the FDB itself never changes on failure.
 */
#include <config.h>
#include "vmswitch/vswitch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmswitch/alloc.h"
#include "vmswitch/vswitch-private.h"

/* ------------------------------------------------------------------ */
/* Names. */

static const char *const drop_names[VSW_DROP_MAX] = {
    [VSW_DROP_NONE] = "none",
    [VSW_DROP_NO_PORT] = "no-port",
    [VSW_DROP_LINK_DOWN] = "link-down",
    [VSW_DROP_MALFORMED] = "malformed",
    [VSW_DROP_BAD_SOURCE_MAC] = "bad-source-mac",
    [VSW_DROP_STAG] = "stag",
    [VSW_DROP_VLAN_TAGGED] = "vlan-tagged",
    [VSW_DROP_VLAN_INGRESS] = "vlan-ingress",
    [VSW_DROP_VLAN_EGRESS] = "vlan-egress",
    [VSW_DROP_PVLAN_ISOLATION] = "pvlan-isolation",
    [VSW_DROP_MAC_SPOOF] = "mac-spoof",
    [VSW_DROP_DHCP_GUARD] = "dhcp-guard",
    [VSW_DROP_ROUTER_GUARD] = "router-guard",
    [VSW_DROP_ACL_INGRESS] = "acl-ingress",
    [VSW_DROP_RATE_LIMIT] = "rate-limit",
    [VSW_DROP_EXT_INGRESS] = "ext-ingress",
    [VSW_DROP_MAC_LIMIT] = "mac-limit",
    [VSW_DROP_LEARN_DENIED] = "learn-denied",
    [VSW_DROP_OWN_PORT] = "own-port",
    [VSW_DROP_NO_DESTINATION] = "no-destination",
    [VSW_DROP_EXT_FORWARD] = "ext-forward",
    [VSW_DROP_ACL_EGRESS] = "acl-egress",
    [VSW_DROP_QOS] = "qos",
    [VSW_DROP_EXT_EGRESS] = "ext-egress",
    [VSW_DROP_OFFLOAD] = "offload",
    [VSW_DROP_NOMEM] = "nomem",
};

const char *
vsw_drop_reason_name(enum vsw_drop_reason r)
{
    return (unsigned) r < VSW_DROP_MAX && drop_names[r] ? drop_names[r]
                                                          : "unknown";
}

const char *
vsw_nic_kind_name(enum vsw_nic_kind k)
{
    static const char *const names[] = { "physical", "host", "vm", "legacy" };
    return (unsigned) k < VSW_NIC_KIND_MAX ? names[k] : "unknown";
}

const char *
vsw_switch_kind_name(enum vsw_switch_kind k)
{
    static const char *const names[] = { "private", "internal", "external" };
    return (unsigned) k <= VSW_SWITCH_EXTERNAL ? names[k] : "unknown";
}

const char *
vsw_ctl_cmd_name(enum vsw_ctl_cmd cmd)
{
    static const char *const names[VSW_CTL_CMD_MAX] = {
        "port-create", "port-teardown", "nic-create", "nic-connect",
        "nic-update", "nic-disconnect", "nic-delete", "port-set-vlan",
        "port-set-guards", "port-set-mac-limit", "port-set-mirror",
        "port-set-qos", "acl-add", "acl-remove", "acl-hits", "fdb-add-static",
        "fdb-remove", "fdb-flush", "fdb-age", "fdb-dump", "set-aging",
        "ext-insert", "ext-remove", "port-list", "port-get",
        "switch-counters", "port-counters", "nic-counters", "ext-list",
    };
    return (unsigned) cmd < VSW_CTL_CMD_MAX && names[cmd] ? names[cmd]
                                                : "unknown";
}

/* ------------------------------------------------------------------ */
/* Cache-aligned arrays.  vsw_malloc() promises only malloc's alignment,
 * so per-processor arrays are over-allocated and aligned by hand; the raw
 * pointer is kept just before the aligned block. */

static void *
aligned_calloc(size_t n, size_t size)
{
    size_t bytes;
    unsigned char *raw, *p;

    if (size && n > (SIZE_MAX - 2 * VSW_CACHE_LINE) / size) {
        return NULL;
    }
    bytes = n * size + VSW_CACHE_LINE + sizeof(void *);
    raw = vsw_calloc(1, bytes);
    if (!raw) {
        return NULL;
    }
    p = raw + sizeof(void *);
    p += (VSW_CACHE_LINE - (uintptr_t) p % VSW_CACHE_LINE) % VSW_CACHE_LINE;
    memcpy(p - sizeof(void *), &raw, sizeof raw);
    return p;
}

static void
aligned_free(void *p)
{
    void *raw;

    if (p) {
        memcpy(&raw, (unsigned char *) p - sizeof(void *), sizeof raw);
        vsw_free(raw);
    }
}

/* ------------------------------------------------------------------ */
/* Runtime objects. */

static struct port_rt *
port_rt_new(unsigned max_cpus)
{
    struct port_rt *rt = vsw_calloc(1, sizeof *rt);

    if (!rt) {
        return NULL;
    }
    rt->pcpu = aligned_calloc(max_cpus, sizeof *rt->pcpu);
    if (!rt->pcpu || pthread_mutex_init(&rt->qos_lock, NULL)) {
        aligned_free(rt->pcpu);
        vsw_free(rt);
        return NULL;
    }
    rt->refs = 1;
    return rt;
}

static void
port_rt_unref(struct port_rt *rt)
{
    if (rt && --rt->refs == 0) {
        pthread_mutex_destroy(&rt->qos_lock);
        aligned_free(rt->pcpu);
        vsw_free(rt);
    }
}

static struct nic_rt *
nic_rt_new(unsigned max_cpus)
{
    struct nic_rt *rt = vsw_calloc(1, sizeof *rt);

    if (!rt) {
        return NULL;
    }
    rt->pcpu = aligned_calloc(max_cpus, sizeof *rt->pcpu);
    if (!rt->pcpu) {
        vsw_free(rt);
        return NULL;
    }
    rt->refs = 1;
    return rt;
}

static void
nic_rt_unref(struct nic_rt *rt)
{
    if (rt && --rt->refs == 0) {
        aligned_free(rt->pcpu);
        vsw_free(rt);
    }
}

/* ------------------------------------------------------------------ */
/* Snapshots. */

/* Slots of the NIC-address index of a snapshot with room for 'n_ports':
 * at most half full when every NIC has every address. */
static size_t
nic_addr_slots(size_t n_ports)
{
    size_t need = 2 * n_ports * VSW_NIC_MAX_MACS, n = 16;

    while (n < need) {
        n *= 2;
    }
    return n;
}

/* A snapshot with room for 'n_ports' ports, its NIC-address index empty.
 * The header is the caller's to fill (cfg_clone() copies it, keeping the
 * index pointer and mask this function set). */
static struct vsw_cfg *
cfg_alloc(size_t n_ports)
{
    size_t slots = nic_addr_slots(n_ports);
    struct vsw_cfg *cfg = vsw_malloc(sizeof(struct vsw_cfg)
                                     + n_ports * sizeof(struct vsw_port)
                                     + slots * sizeof(struct vsw_nic_addr));

    if (cfg) {
        cfg->nic_addr = (struct vsw_nic_addr *) (void *) &cfg->ports[n_ports];
        cfg->nic_addr_mask = (uint32_t) (slots - 1);
        memset(cfg->nic_addr, 0, slots * sizeof *cfg->nic_addr);
    }
    return cfg;
}

static uint32_t
nic_addr_hash(const uint8_t mac[6])
{
    uint64_t v = 0;

    memcpy(&v, mac, 6);
    v *= UINT64_C(0x9E3779B97F4A7C15);     /* Fibonacci hashing */
    return (uint32_t) (v >> 32);
}

/* Rebuilds 'cfg''s NIC-address index from its ports: every configured
 * unicast address of every NIC that is not the physical one.  When two
 * NICs share an address the port with the lower id keeps it. */
static void
nic_addr_build(struct vsw_cfg *cfg)
{
    memset(cfg->nic_addr, 0, ((size_t) cfg->nic_addr_mask + 1)
                             * sizeof *cfg->nic_addr);
    for (size_t i = 0; i < cfg->n_ports; i++) {
        const struct vsw_port *p = &cfg->ports[i];

        if (p->nic_state == VSW_NIC_NONE || p->nic.kind == VSW_NIC_PHYSICAL) {
            continue;
        }
        for (unsigned m = 0; m < p->nic.n_macs; m++) {
            uint32_t h = nic_addr_hash(p->nic.macs[m]);
            struct vsw_nic_addr *e;

            for (;; h++) {
                e = &cfg->nic_addr[h & cfg->nic_addr_mask];
                if (e->port == 0 || !memcmp(e->mac, p->nic.macs[m], 6)) {
                    break;
                }
            }
            if (e->port == 0) {
                memcpy(e->mac, p->nic.macs[m], 6);
                e->port = p->id;
            }
        }
    }
}

uint32_t
vsw_cfg_nic_addr(const struct vsw_cfg *cfg, const uint8_t mac[6])
{
    for (uint32_t h = nic_addr_hash(mac);; h++) {
        const struct vsw_nic_addr *e = &cfg->nic_addr[h & cfg->nic_addr_mask];

        if (e->port == 0 || !memcmp(e->mac, mac, 6)) {
            return e->port;
        }
    }
}

static void
port_ref(struct vsw_port *p)
{
    p->rt->refs++;
    if (p->nic_rt) {
        p->nic_rt->refs++;
    }
    for (int d = 0; d < 2; d++) {
        if (p->acl[d]) {
            p->acl[d]->refs++;
        }
    }
}

static void
port_unref(struct vsw_port *p)
{
    port_rt_unref(p->rt);
    nic_rt_unref(p->nic_rt);
    for (int d = 0; d < 2; d++) {
        vsw_acl_box_unref(p->acl[d]);
    }
}

/* Returns a copy of 'old' without the port 'skip_id' (0: none) and with
 * room for 'extra' more ports, taking references on everything the kept
 * ports hold; NULL on allocation failure. */
static struct vsw_cfg *
cfg_clone(const struct vsw_cfg *old, size_t extra, uint32_t skip_id)
{
    struct vsw_cfg *cfg = cfg_alloc(old->n_ports + extra);

    if (!cfg) {
        return NULL;
    }
    struct vsw_nic_addr *idx = cfg->nic_addr;
    uint32_t mask = cfg->nic_addr_mask;

    memcpy(cfg, old, sizeof *cfg);
    cfg->nic_addr = idx;
    cfg->nic_addr_mask = mask;
    cfg->retired_next = NULL;
    cfg->retired_epoch = 0;
    cfg->n_ports = 0;
    for (size_t i = 0; i < old->n_ports; i++) {
        if (old->ports[i].id != skip_id) {
            struct vsw_port *p = &cfg->ports[cfg->n_ports++];
            *p = old->ports[i];
            p->nic.name = p->nic_name;
            port_ref(p);
        }
    }
    return cfg;
}

static void
cfg_free(struct vsw_cfg *cfg)
{
    if (cfg) {
        for (size_t i = 0; i < cfg->n_ports; i++) {
            port_unref(&cfg->ports[i]);
        }
        vsw_free(cfg);
    }
}

static struct vsw_cfg *
cfg_current(const struct vsw_switch *sw)
{
    return atomic_load_explicit((_Atomic(struct vsw_cfg *) *) &sw->cfg,
                                memory_order_acquire);
}

static struct vsw_port *
cfg_port_mut(struct vsw_cfg *cfg, uint32_t id)
{
    size_t lo = 0, hi = cfg->n_ports;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cfg->ports[mid].id == id) {
            return &cfg->ports[mid];
        } else if (cfg->ports[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const struct vsw_port *
vsw_cfg_port(const struct vsw_cfg *cfg, uint32_t id)
{
    return cfg_port_mut((struct vsw_cfg *) cfg, id);
}

/* Frees every retired snapshot no processor can still hold. */
static void
reclaim(struct vsw_switch *sw)
{
    struct vsw_cfg **pp = &sw->retired;

    while (*pp) {
        struct vsw_cfg *cfg = *pp;
        bool busy = false;

        for (unsigned c = 0; c < sw->max_cpus && !busy; c++) {
            uint64_t e = atomic_load(&sw->slots[c].epoch);
            busy = e != 0 && e < cfg->retired_epoch;
        }
        if (busy) {
            pp = &cfg->retired_next;
        } else {
            *pp = cfg->retired_next;
            cfg_free(cfg);
        }
    }
}

/* Makes 'cfg' current and retires the previous snapshot.
 *
 * HOW IT WORKS.  The store of the new pointer precedes the epoch bump in
 * the single total order of sequentially consistent operations.  A
 * processor entering vsw_process() reads the epoch, publishes it in its
 * slot and then reads the pointer, all sequentially consistent: if it read
 * the new epoch it will read the new pointer; if reclaim() sees its slot
 * at 0 it either has not stored it yet (and will read the new pointer) or
 * has left (its release store of 0 orders its last use before the free). */
static void
publish(struct vsw_switch *sw, struct vsw_cfg *cfg)
{
    struct vsw_cfg *old = atomic_load(&sw->cfg);

    nic_addr_build(cfg);
    atomic_store(&sw->cfg, cfg);
    old->retired_epoch = atomic_fetch_add(&sw->epoch, 1) + 1;
    old->retired_next = sw->retired;
    sw->retired = old;
    reclaim(sw);
}

/* ------------------------------------------------------------------ */
/* Switch lifecycle. */

/* The FDB lock prefers writers where the C library allows it: data-path
 * threads hold the read lock for a whole batch, and a learner or the
 * control plane must not starve behind a stream of overlapping batches. */
static int
init_fdb_lock(pthread_rwlock_t *lock)
{
    pthread_rwlockattr_t attr;
    int error;

    if (pthread_rwlockattr_init(&attr)) {
        return ENOMEM;
    }
#ifdef __GLIBC__
    pthread_rwlockattr_setkind_np(&attr,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
    error = pthread_rwlock_init(lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    return error;
}

int
vsw_switch_create(const struct vsw_switch_params *p, struct vsw_switch **swp)
{
    struct vsw_switch *sw;
    struct vsw_cfg *cfg;
    uint32_t fdb_entries;
    uint64_t aging_ns;
    int error;

    if (!p || !swp || p->max_cpus < 1 || p->max_cpus > VSW_MAX_CPUS
        || p->fdb_entries > VSW_FDB_MAX_ENTRIES) {
        return EINVAL;
    }
    fdb_entries = p->fdb_entries ? p->fdb_entries : 8192;
    aging_ns = p->aging_ns ? p->aging_ns : UINT64_C(300000000000);

    sw = vsw_calloc(1, sizeof *sw);
    if (!sw) {
        return ENOMEM;
    }
    snprintf(sw->name, sizeof sw->name, "%s", p->name ? p->name : "vswitch");
    sw->max_cpus = p->max_cpus;
    sw->next_port_id = 1;
    sw->next_ext_id = 1;
    atomic_init(&sw->epoch, 1);

    error = ENOMEM;
    cfg = cfg_alloc(0);
    sw->slots = aligned_calloc(sw->max_cpus, sizeof *sw->slots);
    sw->pcpu = aligned_calloc(sw->max_cpus, sizeof *sw->pcpu);
    if (!cfg || !sw->slots || !sw->pcpu) {
        goto fail;
    }
    {
        struct vsw_nic_addr *idx = cfg->nic_addr;
        uint32_t mask = cfg->nic_addr_mask;

        memset(cfg, 0, sizeof *cfg);
        cfg->nic_addr = idx;
        cfg->nic_addr_mask = mask;
    }
    vsw_vlan_compute_fids(cfg);
    error = vsw_fdb_create(fdb_entries, aging_ns, &sw->fdb);
    if (error) {
        goto fail;
    }
    vsw_fdb_set_refresh_interval(sw->fdb, aging_ns / 256);
    if (pthread_mutex_init(&sw->ctl_lock, NULL)) {
        error = ENOMEM;
        goto fail_fdb;
    }
    if (init_fdb_lock(&sw->fdb_lock)) {
        error = ENOMEM;
        pthread_mutex_destroy(&sw->ctl_lock);
        goto fail_fdb;
    }
    atomic_init(&sw->cfg, cfg);
    *swp = sw;
    return 0;

fail_fdb:
    vsw_fdb_destroy(sw->fdb);
fail:
    vsw_free(cfg);
    aligned_free(sw->slots);
    aligned_free(sw->pcpu);
    vsw_free(sw);
    return error;
}

void
vsw_switch_destroy(struct vsw_switch *sw)
{
    if (!sw) {
        return;
    }
    while (sw->retired) {
        struct vsw_cfg *cfg = sw->retired;
        sw->retired = cfg->retired_next;
        cfg_free(cfg);
    }
    cfg_free(atomic_load(&sw->cfg));
    vsw_fdb_destroy(sw->fdb);
    pthread_rwlock_destroy(&sw->fdb_lock);
    pthread_mutex_destroy(&sw->ctl_lock);
    aligned_free(sw->slots);
    aligned_free(sw->pcpu);
    vsw_free(sw);
}

static enum vsw_switch_kind
kind_of(const struct vsw_cfg *cfg)
{
    if (cfg->n_connected[VSW_NIC_PHYSICAL]) {
        return VSW_SWITCH_EXTERNAL;
    }
    if (cfg->n_connected[VSW_NIC_HOST]) {
        return VSW_SWITCH_INTERNAL;
    }
    return VSW_SWITCH_PRIVATE;
}

enum vsw_switch_kind
vsw_switch_kind(const struct vsw_switch *sw)
{
    /* Under the control mutex: a concurrent vsw_ctl() may free the
     * snapshot it replaces. */
    pthread_mutex_t *lock = (pthread_mutex_t *) &sw->ctl_lock;
    enum vsw_switch_kind k;

    pthread_mutex_lock(lock);
    k = kind_of(cfg_current(sw));
    pthread_mutex_unlock(lock);
    return k;
}

unsigned
vsw_switch_max_cpus(const struct vsw_switch *sw)
{
    return sw->max_cpus;
}

/* ------------------------------------------------------------------ */
/* Commands. */

/* A link callback to run once the control mutex is released. */
struct link_event {
    vsw_nic_link_fn *fn;
    void *owner;
    bool up;
};

static bool
mac_is_unicast(const uint8_t mac[6])
{
    static const uint8_t zero[6];
    return !(mac[0] & 1) && memcmp(mac, zero, 6);
}

static bool
macs_valid(const uint8_t (*macs)[6], unsigned n)
{
    if (n > VSW_NIC_MAX_MACS) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        if (!mac_is_unicast(macs[i])) {
            return false;
        }
    }
    return true;
}

static bool
caps_valid(const struct vsw_nic_caps *c)
{
    return c->lso_v1_max_bytes <= 262144 && c->lso_v2_max_bytes <= 262144;
}

/* Looks up 'id' in the current snapshot; NULL if absent. */
static const struct vsw_port *
cur_port(const struct vsw_switch *sw, uint32_t id)
{
    return id ? vsw_cfg_port(cfg_current(sw), id) : NULL;
}

static void
fdb_write_lock(struct vsw_switch *sw)
{
    pthread_rwlock_wrlock(&sw->fdb_lock);
}

static void
fdb_unlock(struct vsw_switch *sw)
{
    pthread_rwlock_unlock(&sw->fdb_lock);
}

static void
fdb_flush_port(struct vsw_switch *sw, uint32_t port_id)
{
    fdb_write_lock(sw);
    vsw_fdb_flush_port(sw->fdb, port_id);
    fdb_unlock(sw);
}

static int
ctl_port_create(struct vsw_switch *sw, struct vsw_ctl_port_create *a)
{
    const struct vsw_cfg *cur = cfg_current(sw);
    struct vsw_cfg *cfg;
    struct vsw_port *p;
    struct port_rt *rt;

    if (sw->next_port_id == UINT32_MAX) {
        return ENOSPC;
    }
    cfg = cfg_clone(cur, 1, 0);
    rt = port_rt_new(sw->max_cpus);
    if (!cfg || !rt) {
        cfg_free(cfg);
        port_rt_unref(rt);
        return ENOMEM;
    }
    p = &cfg->ports[cfg->n_ports++];
    memset(p, 0, sizeof *p);
    p->id = sw->next_port_id++;
    snprintf(p->name, sizeof p->name, "%s", a->name ? a->name : "");
    p->vlan.mode = VSW_VLAN_UNTAGGED;
    p->mac_limit = VSW_FDB_NO_LIMIT;
    p->rt = rt;
    p->nic_state = VSW_NIC_NONE;
    p->nic.name = p->nic_name;
    a->port_id = p->id;
    publish(sw, cfg);
    return 0;
}

/* Removes the static FDB entries that point to 'port_id'.  Allocates a
 * temporary array; on ENOMEM nothing changed. */
static int
remove_port_statics(struct vsw_switch *sw, uint32_t port_id)
{
    struct vsw_fdb_port_counts pc;
    struct vsw_fdb_entry_info *e;
    size_t n = 0;

    vsw_fdb_port_counts(sw->fdb, port_id, &pc);
    if (!pc.statics) {
        return 0;
    }
    vsw_fdb_snapshot(sw->fdb, UINT64_MAX, NULL, 0, &n);
    e = vsw_calloc(n ? n : 1, sizeof *e);
    if (!e) {
        return ENOMEM;
    }
    if (!vsw_fdb_snapshot(sw->fdb, UINT64_MAX, e, n, &n)) {
        for (size_t i = 0; i < n; i++) {
            if (e[i].is_static && e[i].port == port_id) {
                vsw_fdb_remove(sw->fdb, e[i].mac, e[i].vlan);
            }
        }
    }
    vsw_free(e);
    return 0;
}

static int
ctl_port_teardown(struct vsw_switch *sw, const struct vsw_ctl_port *a)
{
    const struct vsw_port *old = cur_port(sw, a->port_id);
    struct vsw_cfg *cfg;
    int error;

    if (!old) {
        return ENOENT;
    }
    if (old->nic_state != VSW_NIC_NONE) {
        return EBUSY;
    }
    cfg = cfg_clone(cfg_current(sw), 0, a->port_id);
    if (!cfg) {
        return ENOMEM;
    }
    fdb_write_lock(sw);
    error = remove_port_statics(sw, a->port_id);
    if (!error) {
        vsw_fdb_flush_port(sw->fdb, a->port_id);
        vsw_fdb_set_port_limit(sw->fdb, a->port_id, VSW_FDB_NO_LIMIT);
    }
    fdb_unlock(sw);
    if (error) {
        cfg_free(cfg);
        return error;
    }
    vsw_vlan_compute_fids(cfg);   /* removing a port cannot conflict */
    publish(sw, cfg);
    return 0;
}

/* Clones the current snapshot for a change to port 'id'; stores the copy
 * of the port in '*pp'.  Returns 0, ENOENT or ENOMEM. */
static int
clone_for_port(struct vsw_switch *sw, uint32_t id, struct vsw_cfg **cfgp,
               struct vsw_port **pp)
{
    struct vsw_cfg *cfg;

    if (!cur_port(sw, id)) {
        return ENOENT;
    }
    cfg = cfg_clone(cfg_current(sw), 0, 0);
    if (!cfg) {
        return ENOMEM;
    }
    *cfgp = cfg;
    *pp = cfg_port_mut(cfg, id);
    return 0;
}

static int
ctl_nic_create(struct vsw_switch *sw, const struct vsw_ctl_nic_create *a)
{
    const struct vsw_nic_params *n = &a->nic;
    const struct vsw_port *old = cur_port(sw, a->port_id);
    struct vsw_cfg *cfg;
    struct vsw_port *p;
    struct nic_rt *rt;

    if (!old) {
        return ENOENT;
    }
    if ((unsigned) n->kind >= VSW_NIC_KIND_MAX || !n->ops || !n->ops->deliver
        || !macs_valid(n->macs, n->n_macs) || !caps_valid(&n->caps)) {
        return EINVAL;
    }
    if (old->nic_state != VSW_NIC_NONE) {
        return EEXIST;
    }
    if (clone_for_port(sw, a->port_id, &cfg, &p)) {
        return ENOMEM;
    }
    rt = nic_rt_new(sw->max_cpus);
    if (!rt) {
        cfg_free(cfg);
        return ENOMEM;
    }
    p->nic = *n;
    snprintf(p->nic_name, sizeof p->nic_name, "%s", n->name ? n->name : "");
    p->nic.name = p->nic_name;
    p->nic_rt = rt;
    p->nic_state = VSW_NIC_CREATED;
    publish(sw, cfg);
    return 0;
}

static int
ctl_nic_link(struct vsw_switch *sw, const struct vsw_ctl_port *a, bool up,
             struct link_event *ev)
{
    const struct vsw_port *old = cur_port(sw, a->port_id);
    struct vsw_cfg *cfg;
    struct vsw_port *p;

    if (!old) {
        return ENOENT;
    }
    if (old->nic_state == VSW_NIC_NONE) {
        return ENOENT;
    }
    if (up ? old->nic_state == VSW_NIC_CONNECTED
           : old->nic_state == VSW_NIC_CREATED) {
        return EALREADY;
    }
    if (clone_for_port(sw, a->port_id, &cfg, &p)) {
        return ENOMEM;
    }
    p->nic_state = up ? VSW_NIC_CONNECTED : VSW_NIC_CREATED;
    if (up) {
        cfg->n_connected[p->nic.kind]++;
    } else {
        cfg->n_connected[p->nic.kind]--;
    }
    publish(sw, cfg);
    if (!up) {
        fdb_flush_port(sw, a->port_id);
    }
    ev->fn = p->nic.ops->link_changed;
    ev->owner = p->nic.owner;
    ev->up = up;
    return 0;
}

static int
ctl_nic_update(struct vsw_switch *sw, const struct vsw_ctl_nic_update *a)
{
    const struct vsw_port *old = cur_port(sw, a->port_id);
    struct vsw_cfg *cfg;
    struct vsw_port *p;

    if (!old || old->nic_state == VSW_NIC_NONE) {
        return ENOENT;
    }
    if (!macs_valid(a->macs, a->n_macs) || !caps_valid(&a->caps)) {
        return EINVAL;
    }
    if (clone_for_port(sw, a->port_id, &cfg, &p)) {
        return ENOMEM;
    }
    p->nic.caps = a->caps;
    memcpy(p->nic.macs, a->macs, sizeof p->nic.macs);
    p->nic.n_macs = a->n_macs;
    publish(sw, cfg);
    return 0;
}

static int
ctl_nic_delete(struct vsw_switch *sw, const struct vsw_ctl_port *a)
{
    const struct vsw_port *old = cur_port(sw, a->port_id);
    struct vsw_cfg *cfg;
    struct vsw_port *p;

    if (!old || old->nic_state == VSW_NIC_NONE) {
        return ENOENT;
    }
    if (old->nic_state == VSW_NIC_CONNECTED) {
        return EBUSY;
    }
    if (clone_for_port(sw, a->port_id, &cfg, &p)) {
        return ENOMEM;
    }
    nic_rt_unref(p->nic_rt);         /* the old snapshot still holds it */
    p->nic_rt = NULL;
    p->nic_state = VSW_NIC_NONE;
    memset(&p->nic, 0, sizeof p->nic);
    memset(p->nic_name, 0, sizeof p->nic_name);
    p->nic.name = p->nic_name;
    publish(sw, cfg);
    return 0;
}

static int
ctl_port_set_vlan(struct vsw_switch *sw, const struct vsw_ctl_port_vlan *a)
{
    struct vsw_cfg *cfg;
    struct vsw_port *p;
    int error;

    if (!cur_port(sw, a->port_id)) {
        return ENOENT;
    }
    if (!vsw_vlan_config_valid(&a->vlan)) {
        return EINVAL;
    }
    error = clone_for_port(sw, a->port_id, &cfg, &p);
    if (error) {
        return error;
    }
    p->vlan = a->vlan;
    if (!vsw_vlan_compute_fids(cfg)) {
        cfg_free(cfg);
        return EINVAL;
    }
    publish(sw, cfg);
    /* What was learned in the old VLANs is stale. */
    fdb_flush_port(sw, a->port_id);
    return 0;
}

static int
ctl_port_set_guards(struct vsw_switch *sw, const struct vsw_ctl_port_guards *a)
{
    struct vsw_cfg *cfg;
    struct vsw_port *p;
    int error = clone_for_port(sw, a->port_id, &cfg, &p);

    if (error) {
        return error;
    }
    p->guards = a->guards;
    publish(sw, cfg);
    return 0;
}

static int
ctl_port_set_mac_limit(struct vsw_switch *sw,
                       const struct vsw_ctl_port_mac_limit *a)
{
    struct vsw_cfg *cfg;
    struct vsw_port *p;
    int error = clone_for_port(sw, a->port_id, &cfg, &p);

    if (error) {
        return error;
    }
    fdb_write_lock(sw);
    error = vsw_fdb_set_port_limit(sw->fdb, a->port_id, a->limit);
    fdb_unlock(sw);
    if (error) {
        cfg_free(cfg);
        return error;
    }
    p->mac_limit = a->limit;
    publish(sw, cfg);
    return 0;
}

static int
ctl_port_set_mirror(struct vsw_switch *sw, const struct vsw_ctl_port_mirror *a)
{
    struct vsw_cfg *cfg;
    struct vsw_port *p;
    int error;

    if (!cur_port(sw, a->port_id)) {
        return ENOENT;
    }
    if (a->mirror.dest == a->port_id
        || (a->mirror.dest && !cur_port(sw, a->mirror.dest))) {
        return EINVAL;
    }
    error = clone_for_port(sw, a->port_id, &cfg, &p);
    if (error) {
        return error;
    }
    p->mirror = a->mirror;
    publish(sw, cfg);
    return 0;
}

static int
ctl_port_set_qos(struct vsw_switch *sw, const struct vsw_ctl_port_qos *a)
{
    struct vsw_cfg *cfg;
    struct vsw_port *p;
    int error;

    if (!cur_port(sw, a->port_id)) {
        return ENOENT;
    }
    if (!vsw_port_qos_valid(&a->qos)) {
        return EINVAL;
    }
    error = clone_for_port(sw, a->port_id, &cfg, &p);
    if (error) {
        return error;
    }
    p->qos = a->qos;
    publish(sw, cfg);
    vsw_port_qos_reset(p->rt, &p->qos);
    return 0;
}

static int
ctl_acl_add(struct vsw_switch *sw, struct vsw_ctl_acl_add *a)
{
    struct vsw_cfg *cfg;
    struct vsw_port *p;
    struct acl_box *box;
    int error;

    if (!cur_port(sw, a->port_id)) {
        return ENOENT;
    }
    if ((a->dir != VSW_ACL_IN && a->dir != VSW_ACL_OUT) || !a->rule
        || vsw_acl_rule_check(a->rule)) {
        return EINVAL;
    }
    error = clone_for_port(sw, a->port_id, &cfg, &p);
    if (error) {
        return error;
    }
    error = vsw_acl_box_add(p->acl[a->dir], a->rule, sw->max_cpus, &box,
                            &a->rule_id);
    if (error) {
        cfg_free(cfg);
        return error;
    }
    vsw_acl_box_unref(p->acl[a->dir]);   /* the old snapshot holds it */
    p->acl[a->dir] = box;
    publish(sw, cfg);
    return 0;
}

static int
ctl_acl_remove(struct vsw_switch *sw, const struct vsw_ctl_acl_remove *a)
{
    const struct vsw_port *old = cur_port(sw, a->port_id);
    struct vsw_cfg *cfg;
    struct vsw_port *p;
    struct acl_box *box;
    int error;

    if (!old) {
        return ENOENT;
    }
    if (a->dir != VSW_ACL_IN && a->dir != VSW_ACL_OUT) {
        return EINVAL;
    }
    if (!vsw_acl_box_has(old->acl[a->dir], a->rule_id)) {
        return ENOENT;
    }
    error = clone_for_port(sw, a->port_id, &cfg, &p);
    if (error) {
        return error;
    }
    error = vsw_acl_box_remove(p->acl[a->dir], a->rule_id, sw->max_cpus,
                               &box);
    if (error) {
        cfg_free(cfg);
        return error;
    }
    vsw_acl_box_unref(p->acl[a->dir]);
    p->acl[a->dir] = box;
    publish(sw, cfg);
    return 0;
}

/* Sums rule 'a->rule_id''s hit counters over every processor.  Reads with
 * relaxed loads, so it may run while the data path counts. */
static int
ctl_acl_hits(struct vsw_switch *sw, struct vsw_ctl_acl_hits *a)
{
    const struct vsw_port *p = cur_port(sw, a->port_id);
    const struct acl_box *box;
    size_t pos;

    if (!p) {
        return ENOENT;
    }
    if (a->dir != VSW_ACL_IN && a->dir != VSW_ACL_OUT) {
        return EINVAL;
    }
    box = p->acl[a->dir];
    if (!box || !vsw_acl_find(box->acl, a->rule_id, &pos)) {
        return ENOENT;
    }
    a->hits = 0;
    for (unsigned cpu = 0; cpu < sw->max_cpus; cpu++) {
        a->hits += atomic_load_explicit(&box->hits[cpu * box->stride + pos],
                                        memory_order_relaxed);
    }
    return 0;
}

static int
ctl_fdb_static(struct vsw_switch *sw, const struct vsw_ctl_fdb_static *a,
               bool add)
{
    int error;

    if (a->vlan > VSW_FDB_VLAN_MAX || !mac_is_unicast(a->mac)) {
        return EINVAL;
    }
    if (add && !cur_port(sw, a->port_id)) {
        return ENOENT;
    }
    fdb_write_lock(sw);
    error = add ? vsw_fdb_add_static(sw->fdb, a->mac, a->vlan, a->port_id)
                : vsw_fdb_remove(sw->fdb, a->mac, a->vlan);
    fdb_unlock(sw);
    return error;
}

static int
ctl_fdb_flush(struct vsw_switch *sw, struct vsw_ctl_fdb_flush *a)
{
    size_t n;

    switch (a->scope) {
    case VSW_FLUSH_ALL:
        break;
    case VSW_FLUSH_PORT:
        if (!cur_port(sw, a->port_id)) {
            return ENOENT;
        }
        break;
    case VSW_FLUSH_VLAN:
        if (a->vlan > VSW_FDB_VLAN_MAX) {
            return EINVAL;
        }
        break;
    default:
        return EINVAL;
    }
    fdb_write_lock(sw);
    n = a->scope == VSW_FLUSH_ALL ? vsw_fdb_flush_all(sw->fdb)
        : a->scope == VSW_FLUSH_PORT ? vsw_fdb_flush_port(sw->fdb, a->port_id)
        : vsw_fdb_flush_vlan(sw->fdb, a->vlan);
    fdb_unlock(sw);
    a->removed = n;
    return 0;
}

static int
ctl_fdb_age(struct vsw_switch *sw, struct vsw_ctl_fdb_age *a)
{
    fdb_write_lock(sw);
    a->removed = vsw_fdb_age(sw->fdb, a->now_ns, 0);
    a->next_expiry_ns = vsw_fdb_next_expiry_ns(sw->fdb);
    fdb_unlock(sw);
    return 0;
}

static int
ctl_fdb_dump(struct vsw_switch *sw, struct vsw_ctl_fdb_dump *a)
{
    int error;

    if (a->cap && !a->entries) {
        return EINVAL;
    }
    pthread_rwlock_rdlock(&sw->fdb_lock);
    error = vsw_fdb_snapshot(sw->fdb, a->now_ns, a->entries, a->cap, &a->n);
    fdb_unlock(sw);
    return error;
}

static int
ctl_set_aging(struct vsw_switch *sw, const struct vsw_ctl_aging *a)
{
    int error;

    if (a->aging_ns < 1) {
        return EINVAL;
    }
    fdb_write_lock(sw);
    error = vsw_fdb_set_aging(sw->fdb, a->aging_ns);
    if (!error) {
        vsw_fdb_set_refresh_interval(sw->fdb, a->aging_ns == UINT64_MAX
                                              ? 0 : a->aging_ns / 256);
    }
    fdb_unlock(sw);
    return error;
}

static int
ctl_ext_insert(struct vsw_switch *sw, struct vsw_ctl_ext_insert *a)
{
    const struct vsw_cfg *cur = cfg_current(sw);
    struct vsw_cfg *cfg;
    struct vsw_ext *e;
    size_t pos;

    if (!a->ops || (unsigned) a->kind > VSW_EXT_FORWARD
        || (!a->ops->ingress && !a->ops->egress)) {
        return EINVAL;
    }
    if (cur->n_ext >= VSW_MAX_EXTENSIONS) {
        return ENOSPC;
    }
    cfg = cfg_clone(cur, 0, 0);
    if (!cfg) {
        return ENOMEM;
    }
    /* After every extension of equal or lower order. */
    for (pos = 0; pos < cfg->n_ext && cfg->ext[pos].order <= a->order; pos++) {
        continue;
    }
    memmove(&cfg->ext[pos + 1], &cfg->ext[pos],
            (cfg->n_ext - pos) * sizeof cfg->ext[0]);
    cfg->n_ext++;
    e = &cfg->ext[pos];
    memset(e, 0, sizeof *e);
    e->id = sw->next_ext_id++;
    snprintf(e->name, sizeof e->name, "%s", a->name ? a->name : "");
    e->kind = a->kind;
    e->ops = a->ops;
    e->ctx = a->ctx;
    e->order = a->order;
    a->ext_id = e->id;
    publish(sw, cfg);
    return 0;
}

static int
ctl_ext_remove(struct vsw_switch *sw, const struct vsw_ctl_ext_remove *a)
{
    const struct vsw_cfg *cur = cfg_current(sw);
    struct vsw_cfg *cfg;
    size_t pos;

    for (pos = 0; pos < cur->n_ext && cur->ext[pos].id != a->ext_id; pos++) {
        continue;
    }
    if (pos == cur->n_ext) {
        return ENOENT;
    }
    cfg = cfg_clone(cur, 0, 0);
    if (!cfg) {
        return ENOMEM;
    }
    memmove(&cfg->ext[pos], &cfg->ext[pos + 1],
            (cfg->n_ext - pos - 1) * sizeof cfg->ext[0]);
    cfg->n_ext--;
    publish(sw, cfg);
    return 0;
}

static int
ctl_ext_list(struct vsw_switch *sw, struct vsw_ctl_ext_list *a)
{
    const struct vsw_cfg *cur = cfg_current(sw);

    if (a->cap && !a->exts) {
        return EINVAL;
    }
    a->n = cur->n_ext;
    if (cur->n_ext > a->cap) {
        return ENOSPC;
    }
    for (size_t i = 0; i < cur->n_ext; i++) {
        struct vsw_ext_info *x = &a->exts[i];
        memset(x, 0, sizeof *x);
        x->ext_id = cur->ext[i].id;
        memcpy(x->name, cur->ext[i].name, sizeof x->name);
        x->kind = cur->ext[i].kind;
        x->order = cur->ext[i].order;
    }
    return 0;
}

static int
ctl_port_list(struct vsw_switch *sw, struct vsw_ctl_port_list *a)
{
    const struct vsw_cfg *cur = cfg_current(sw);

    if (a->cap && !a->ids) {
        return EINVAL;
    }
    a->n = cur->n_ports;
    if (cur->n_ports > a->cap) {
        return ENOSPC;
    }
    for (size_t i = 0; i < cur->n_ports; i++) {
        a->ids[i] = cur->ports[i].id;
    }
    return 0;
}

static int
ctl_port_get(struct vsw_switch *sw, struct vsw_ctl_port_info *a)
{
    const struct vsw_port *p = cur_port(sw, a->port_id);

    if (!p) {
        return ENOENT;
    }
    memset(a, 0, sizeof *a);
    a->port_id = p->id;
    memcpy(a->name, p->name, sizeof a->name);
    a->vlan = p->vlan;
    a->guards = p->guards;
    a->mirror = p->mirror;
    a->qos = p->qos;
    a->mac_limit = p->mac_limit;
    a->n_acl_in = vsw_acl_box_count(p->acl[VSW_ACL_IN]);
    a->n_acl_out = vsw_acl_box_count(p->acl[VSW_ACL_OUT]);
    a->nic_state = p->nic_state;
    if (p->nic_state != VSW_NIC_NONE) {
        a->nic_kind = p->nic.kind;
        memcpy(a->nic_name, p->nic_name, sizeof a->nic_name);
        a->nic_caps = p->nic.caps;
        memcpy(a->nic_macs, p->nic.macs, sizeof a->nic_macs);
        a->n_nic_macs = p->nic.n_macs;
    }
    return 0;
}

static void
read_switch_counters(const struct vsw_switch *sw, struct vsw_switch_counters *c)
{
    memset(c, 0, sizeof *c);
    for (unsigned i = 0; i < sw->max_cpus; i++) {
        const struct switch_pcpu *s = &sw->pcpu[i];
        c->frames_in += ctr_get(&s->frames_in);
        c->bytes_in += ctr_get(&s->bytes_in);
        c->frames_out += ctr_get(&s->frames_out);
        c->bytes_out += ctr_get(&s->bytes_out);
        c->flooded += ctr_get(&s->flooded);
        c->learned += ctr_get(&s->learned);
        c->moves += ctr_get(&s->moves);
        c->drops += ctr_get(&s->drops);
        for (int r = 0; r < VSW_DROP_MAX; r++) {
            c->drop[r] += ctr_get(&s->drop[r]);
        }
    }
}

static int
ctl_port_counters(struct vsw_switch *sw, struct vsw_ctl_port_counters *a)
{
    const struct vsw_port *p = cur_port(sw, a->port_id);
    struct vsw_port_counters *c = &a->c;

    if (!p) {
        return ENOENT;
    }
    memset(c, 0, sizeof *c);
    for (unsigned i = 0; i < sw->max_cpus; i++) {
        const struct port_pcpu *s = &p->rt->pcpu[i];
        c->rx_frames += ctr_get(&s->rx_frames);
        c->rx_bytes += ctr_get(&s->rx_bytes);
        c->tx_frames += ctr_get(&s->tx_frames);
        c->tx_bytes += ctr_get(&s->tx_bytes);
        c->flooded += ctr_get(&s->flooded);
        c->drops += ctr_get(&s->drops);
        for (int r = 0; r < VSW_DROP_MAX; r++) {
            c->drop[r] += ctr_get(&s->drop[r]);
        }
    }
    return 0;
}

static int
ctl_nic_counters(struct vsw_switch *sw, struct vsw_ctl_nic_counters *a)
{
    const struct vsw_port *p = cur_port(sw, a->port_id);
    struct vsw_nic_counters *c = &a->c;

    if (!p || !p->nic_rt) {
        return ENOENT;
    }
    memset(c, 0, sizeof *c);
    for (unsigned i = 0; i < sw->max_cpus; i++) {
        const struct nic_pcpu *s = &p->nic_rt->pcpu[i];
        c->rx_frames += ctr_get(&s->rx_frames);
        c->rx_bytes += ctr_get(&s->rx_bytes);
        c->tx_frames += ctr_get(&s->tx_frames);
        c->tx_bytes += ctr_get(&s->tx_bytes);
        c->deliver_calls += ctr_get(&s->deliver_calls);
    }
    return 0;
}

static int
dispatch(struct vsw_switch *sw, enum vsw_ctl_cmd cmd, void *arg,
         struct link_event *ev)
{
    switch (cmd) {
    case VSW_CTL_PORT_CREATE:
        return ctl_port_create(sw, arg);
    case VSW_CTL_PORT_TEARDOWN:
        return ctl_port_teardown(sw, arg);
    case VSW_CTL_NIC_CREATE:
        return ctl_nic_create(sw, arg);
    case VSW_CTL_NIC_CONNECT:
        return ctl_nic_link(sw, arg, true, ev);
    case VSW_CTL_NIC_UPDATE:
        return ctl_nic_update(sw, arg);
    case VSW_CTL_NIC_DISCONNECT:
        return ctl_nic_link(sw, arg, false, ev);
    case VSW_CTL_NIC_DELETE:
        return ctl_nic_delete(sw, arg);
    case VSW_CTL_PORT_SET_VLAN:
        return ctl_port_set_vlan(sw, arg);
    case VSW_CTL_PORT_SET_GUARDS:
        return ctl_port_set_guards(sw, arg);
    case VSW_CTL_PORT_SET_MAC_LIMIT:
        return ctl_port_set_mac_limit(sw, arg);
    case VSW_CTL_PORT_SET_MIRROR:
        return ctl_port_set_mirror(sw, arg);
    case VSW_CTL_PORT_SET_QOS:
        return ctl_port_set_qos(sw, arg);
    case VSW_CTL_ACL_ADD:
        return ctl_acl_add(sw, arg);
    case VSW_CTL_ACL_REMOVE:
        return ctl_acl_remove(sw, arg);
    case VSW_CTL_ACL_HITS:
        return ctl_acl_hits(sw, arg);
    case VSW_CTL_FDB_ADD_STATIC:
        return ctl_fdb_static(sw, arg, true);
    case VSW_CTL_FDB_REMOVE:
        return ctl_fdb_static(sw, arg, false);
    case VSW_CTL_FDB_FLUSH:
        return ctl_fdb_flush(sw, arg);
    case VSW_CTL_FDB_AGE:
        return ctl_fdb_age(sw, arg);
    case VSW_CTL_FDB_DUMP:
        return ctl_fdb_dump(sw, arg);
    case VSW_CTL_SET_AGING:
        return ctl_set_aging(sw, arg);
    case VSW_CTL_EXT_INSERT:
        return ctl_ext_insert(sw, arg);
    case VSW_CTL_EXT_REMOVE:
        return ctl_ext_remove(sw, arg);
    case VSW_CTL_PORT_LIST:
        return ctl_port_list(sw, arg);
    case VSW_CTL_PORT_GET:
        return ctl_port_get(sw, arg);
    case VSW_CTL_SWITCH_COUNTERS:
        read_switch_counters(sw, arg);
        return 0;
    case VSW_CTL_PORT_COUNTERS:
        return ctl_port_counters(sw, arg);
    case VSW_CTL_NIC_COUNTERS:
        return ctl_nic_counters(sw, arg);
    case VSW_CTL_EXT_LIST:
        return ctl_ext_list(sw, arg);
    case VSW_CTL_CMD_MAX:
        break;
    }
    return EINVAL;
}

int
vsw_ctl(struct vsw_switch *sw, enum vsw_ctl_cmd cmd, void *arg)
{
    struct link_event ev = { NULL, NULL, false };
    int error;

    if (!sw || !arg || (unsigned) cmd >= VSW_CTL_CMD_MAX) {
        return EINVAL;
    }
    pthread_mutex_lock(&sw->ctl_lock);
    reclaim(sw);
    error = dispatch(sw, cmd, arg, &ev);
    pthread_mutex_unlock(&sw->ctl_lock);
    if (!error && ev.fn) {
        ev.fn(ev.owner, ev.up);
    }
    return error;
}

/* ------------------------------------------------------------------ */
/* Typed wrappers. */

int
vsw_port_create(struct vsw_switch *sw, const char *name, uint32_t *port_id)
{
    struct vsw_ctl_port_create a = { .name = name };
    int error = vsw_ctl(sw, VSW_CTL_PORT_CREATE, &a);

    if (!error && port_id) {
        *port_id = a.port_id;
    }
    return error;
}

static int
port_cmd(struct vsw_switch *sw, enum vsw_ctl_cmd cmd, uint32_t port_id)
{
    struct vsw_ctl_port a = { .port_id = port_id };
    return vsw_ctl(sw, cmd, &a);
}

int
vsw_port_teardown(struct vsw_switch *sw, uint32_t port_id)
{
    return port_cmd(sw, VSW_CTL_PORT_TEARDOWN, port_id);
}

int
vsw_nic_create(struct vsw_switch *sw, uint32_t port_id,
               const struct vsw_nic_params *nic)
{
    struct vsw_ctl_nic_create a = { .port_id = port_id };

    if (!nic) {
        return EINVAL;
    }
    a.nic = *nic;
    return vsw_ctl(sw, VSW_CTL_NIC_CREATE, &a);
}

int
vsw_nic_connect(struct vsw_switch *sw, uint32_t port_id)
{
    return port_cmd(sw, VSW_CTL_NIC_CONNECT, port_id);
}

int
vsw_nic_update(struct vsw_switch *sw, uint32_t port_id,
               const struct vsw_nic_caps *caps, const uint8_t (*macs)[6],
               unsigned n_macs)
{
    struct vsw_ctl_nic_update a = { .port_id = port_id };

    if (!caps || n_macs > VSW_NIC_MAX_MACS || (n_macs && !macs)) {
        return EINVAL;
    }
    a.caps = *caps;
    if (n_macs) {
        memcpy(a.macs, macs, n_macs * sizeof macs[0]);
    }
    a.n_macs = n_macs;
    return vsw_ctl(sw, VSW_CTL_NIC_UPDATE, &a);
}

int
vsw_nic_disconnect(struct vsw_switch *sw, uint32_t port_id)
{
    return port_cmd(sw, VSW_CTL_NIC_DISCONNECT, port_id);
}

int
vsw_nic_delete(struct vsw_switch *sw, uint32_t port_id)
{
    return port_cmd(sw, VSW_CTL_NIC_DELETE, port_id);
}

int
vsw_port_set_vlan(struct vsw_switch *sw, uint32_t port_id,
                  const struct vsw_vlan_config *vlan)
{
    struct vsw_ctl_port_vlan a = { .port_id = port_id };

    if (!vlan) {
        return EINVAL;
    }
    a.vlan = *vlan;
    return vsw_ctl(sw, VSW_CTL_PORT_SET_VLAN, &a);
}

int
vsw_port_set_guards(struct vsw_switch *sw, uint32_t port_id,
                    const struct vsw_guards *g)
{
    struct vsw_ctl_port_guards a = { .port_id = port_id };

    if (!g) {
        return EINVAL;
    }
    a.guards = *g;
    return vsw_ctl(sw, VSW_CTL_PORT_SET_GUARDS, &a);
}

int
vsw_port_set_mac_limit(struct vsw_switch *sw, uint32_t port_id,
                       uint32_t limit)
{
    struct vsw_ctl_port_mac_limit a = { .port_id = port_id, .limit = limit };
    return vsw_ctl(sw, VSW_CTL_PORT_SET_MAC_LIMIT, &a);
}

int
vsw_port_set_mirror(struct vsw_switch *sw, uint32_t port_id,
                    const struct vsw_mirror *m)
{
    struct vsw_ctl_port_mirror a = { .port_id = port_id };

    if (!m) {
        return EINVAL;
    }
    a.mirror = *m;
    return vsw_ctl(sw, VSW_CTL_PORT_SET_MIRROR, &a);
}

int
vsw_port_set_qos(struct vsw_switch *sw, uint32_t port_id,
                 const struct vsw_qos_config *q)
{
    struct vsw_ctl_port_qos a = { .port_id = port_id };

    if (!q) {
        return EINVAL;
    }
    a.qos = *q;
    return vsw_ctl(sw, VSW_CTL_PORT_SET_QOS, &a);
}

int
vsw_port_get(struct vsw_switch *sw, uint32_t port_id,
             struct vsw_ctl_port_info *info)
{
    if (!info) {
        return EINVAL;
    }
    info->port_id = port_id;
    return vsw_ctl(sw, VSW_CTL_PORT_GET, info);
}

int
vsw_acl_add(struct vsw_switch *sw, uint32_t port_id, enum vsw_acl_dir dir,
            const struct vsw_acl_rule *rule, uint32_t *rule_id)
{
    struct vsw_ctl_acl_add a = { .port_id = port_id, .dir = dir,
                                 .rule = rule };
    int error = vsw_ctl(sw, VSW_CTL_ACL_ADD, &a);

    if (!error && rule_id) {
        *rule_id = a.rule_id;
    }
    return error;
}

int
vsw_acl_remove(struct vsw_switch *sw, uint32_t port_id, enum vsw_acl_dir dir,
               uint32_t rule_id)
{
    struct vsw_ctl_acl_remove a = { .port_id = port_id, .dir = dir,
                                    .rule_id = rule_id };
    return vsw_ctl(sw, VSW_CTL_ACL_REMOVE, &a);
}

int
vsw_acl_hits(struct vsw_switch *sw, uint32_t port_id, enum vsw_acl_dir dir,
             uint32_t rule_id, uint64_t *hits)
{
    struct vsw_ctl_acl_hits a = { .port_id = port_id, .dir = dir,
                                  .rule_id = rule_id };
    int error = vsw_ctl(sw, VSW_CTL_ACL_HITS, &a);

    if (!error) {
        *hits = a.hits;
    }
    return error;
}

int
vsw_static_mac_add(struct vsw_switch *sw, uint32_t port_id,
                   const uint8_t mac[6], uint16_t vlan)
{
    struct vsw_ctl_fdb_static a = { .port_id = port_id, .vlan = vlan };

    if (!mac) {
        return EINVAL;
    }
    memcpy(a.mac, mac, 6);
    return vsw_ctl(sw, VSW_CTL_FDB_ADD_STATIC, &a);
}

int
vsw_static_mac_remove(struct vsw_switch *sw, const uint8_t mac[6],
                      uint16_t vlan)
{
    struct vsw_ctl_fdb_static a = { .vlan = vlan };

    if (!mac) {
        return EINVAL;
    }
    memcpy(a.mac, mac, 6);
    return vsw_ctl(sw, VSW_CTL_FDB_REMOVE, &a);
}

int
vsw_set_aging(struct vsw_switch *sw, uint64_t aging_ns)
{
    struct vsw_ctl_aging a = { .aging_ns = aging_ns };
    return vsw_ctl(sw, VSW_CTL_SET_AGING, &a);
}

int
vsw_ext_insert(struct vsw_switch *sw, const char *name,
               enum vsw_ext_kind kind, const struct vsw_ext_ops *ops,
               void *ctx, int order, uint32_t *ext_id)
{
    struct vsw_ctl_ext_insert a = { .name = name, .kind = kind, .ops = ops,
                                    .ctx = ctx, .order = order };
    int error = vsw_ctl(sw, VSW_CTL_EXT_INSERT, &a);

    if (!error && ext_id) {
        *ext_id = a.ext_id;
    }
    return error;
}

int
vsw_ext_remove(struct vsw_switch *sw, uint32_t ext_id)
{
    struct vsw_ctl_ext_remove a = { .ext_id = ext_id };
    return vsw_ctl(sw, VSW_CTL_EXT_REMOVE, &a);
}

int
vsw_switch_counters(struct vsw_switch *sw, struct vsw_switch_counters *c)
{
    return vsw_ctl(sw, VSW_CTL_SWITCH_COUNTERS, c);
}

int
vsw_port_counters(struct vsw_switch *sw, uint32_t port_id,
                  struct vsw_port_counters *c)
{
    struct vsw_ctl_port_counters a = { .port_id = port_id };
    int error;

    if (!c) {
        return EINVAL;
    }
    error = vsw_ctl(sw, VSW_CTL_PORT_COUNTERS, &a);
    if (!error) {
        *c = a.c;
    }
    return error;
}

int
vsw_nic_counters(struct vsw_switch *sw, uint32_t port_id,
                 struct vsw_nic_counters *c)
{
    struct vsw_ctl_nic_counters a = { .port_id = port_id };
    int error;

    if (!c) {
        return EINVAL;
    }
    error = vsw_ctl(sw, VSW_CTL_NIC_COUNTERS, &a);
    if (!error) {
        *c = a.c;
    }
    return error;
}
