/*
 * vswitch-private.h -- the insides of the switch shared by switch.c (objects,
 * control plane, snapshots), vlan.c (802.1Q classification and membership),
 * pipeline.c (the data path) and ext.c (extensions).  Not installed.
 *
 * THE SNAPSHOT.  Everything vsw_ctl() configures lives in one immutable
 * 'struct vsw_cfg', allocated as a single block (ports inline, sorted by
 * id).  vsw_ctl() copies the current one, changes the copy, publishes it
 * with one atomic pointer store and retires the old one; vsw_process()
 * reads whichever snapshot was current when its batch began.  Objects that
 * outlive a snapshot or are shared by several (per-port runtime state with
 * counters and token buckets, per-NIC counters, ACL tables) are separately
 * allocated and reference counted; the counts change only under the
 * control mutex (snapshot copy and snapshot free), never on the data path.
 *
 * RECLAMATION.  Each processor slot holds 0 while no vsw_process() runs on
 * it, or the global epoch it read on entry.  Publishing a snapshot bumps
 * the epoch to E and retires the old snapshot tagged E; it can be freed
 * once every slot is 0 or >= E (every processor that might hold it has
 * left).  vsw_ctl() tries that at every call; vsw_switch_destroy() frees
 * everything.
 */
#ifndef VMSWITCH_VSWITCH_PRIVATE_H
#define VMSWITCH_VSWITCH_PRIVATE_H 1

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>

#include "vmswitch/vswitch.h"
#include "vmswitch/acl.h"
#include "vmswitch/fdb.h"
#include "vmswitch/qos.h"

#define VSW_CACHE_LINE 64

/* A counter written by one processor with a plain load and store (relaxed
 * atomics compile to ordinary moves) and read by the control plane. */
typedef _Atomic uint64_t vsw_ctr;

static inline void
ctr_add(vsw_ctr *c, uint64_t v)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
                          memory_order_relaxed);
}

static inline uint64_t
ctr_get(const vsw_ctr *c)
{
    return atomic_load_explicit((vsw_ctr *) c, memory_order_relaxed);
}

/* One processor's counters of a port. */
struct port_pcpu {
    alignas(VSW_CACHE_LINE) vsw_ctr rx_frames;
    vsw_ctr rx_bytes, tx_frames, tx_bytes, flooded, drops;
    vsw_ctr drop[VSW_DROP_MAX];
};

struct nic_pcpu {
    alignas(VSW_CACHE_LINE) vsw_ctr rx_frames;
    vsw_ctr rx_bytes, tx_frames, tx_bytes, deliver_calls;
};

struct switch_pcpu {
    alignas(VSW_CACHE_LINE) vsw_ctr frames_in;
    vsw_ctr bytes_in, frames_out, bytes_out, flooded, learned, moves, drops;
    vsw_ctr drop[VSW_DROP_MAX];
};

/* Runtime state of a port that outlives snapshots: counters and QoS token
 * buckets (guarded by 'qos_lock', taken only when a bucket is configured).
 * Reference counted by the snapshots that hold the port. */
struct port_rt {
    unsigned refs;
    struct port_pcpu *pcpu;        /* [max_cpus] */
    pthread_mutex_t qos_lock;
    struct vsw_qos_bucket max_bucket;     /* egress maximum bandwidth */
    struct vsw_qos_bucket reserve_bucket; /* egress reservation */
    struct vsw_qos_bucket in_bucket;      /* ingress limit */
};

/* A NIC's counters; a new NIC gets new ones. */
struct nic_rt {
    unsigned refs;
    struct nic_pcpu *pcpu;         /* [max_cpus] */
};

/* An immutable ACL table shared by snapshots, with per-processor hit
 * counters ('hits[cpu * stride + rule position]', written by the data path
 * of that processor only). */
struct acl_box {
    unsigned refs;
    struct vsw_acl *acl;
    size_t stride;
    vsw_acl_hit *hits;
};

struct vsw_port {
    uint32_t id;
    char name[VSW_NAME_MAX];
    struct vsw_vlan_config vlan;
    struct vsw_guards guards;
    struct vsw_mirror mirror;
    struct vsw_qos_config qos;
    uint32_t mac_limit;
    struct acl_box *acl[2];        /* VSW_ACL_IN, VSW_ACL_OUT; may be NULL */
    struct port_rt *rt;

    /* The NIC. */
    enum vsw_nic_state nic_state;
    struct vsw_nic_params nic;     /* 'name' points to 'nic_name' */
    char nic_name[VSW_NAME_MAX];
    struct nic_rt *nic_rt;         /* NULL iff nic_state == VSW_NIC_NONE */
};

struct vsw_ext {
    uint32_t id;
    char name[VSW_NAME_MAX];
    enum vsw_ext_kind kind;
    const struct vsw_ext_ops *ops;
    void *ctx;
    int order;
};

/* One slot of a snapshot's index of configured NIC addresses (port 0:
 * empty; port ids start at 1). */
struct vsw_nic_addr {
    uint8_t mac[6];
    uint32_t port;
};

struct vsw_cfg {
    struct vsw_cfg *retired_next;
    uint64_t retired_epoch;

    size_t n_ext;
    struct vsw_ext ext[VSW_MAX_EXTENSIONS];   /* sorted by order */
    unsigned n_connected[VSW_NIC_KIND_MAX];

    /* The learning VLAN (filtering database id) of each VLAN: the primary
     * VID for the secondaries of a private VLAN, the VID itself
     * otherwise. */
    uint16_t fid[4096];

    /* The configured unicast addresses of every NIC but the physical
     * one, by address: an open-addressing table with linear probing,
     * built by publish() and stored after ports[] in the same
     * allocation (vsw_cfg_nic_addr()). */
    struct vsw_nic_addr *nic_addr;
    uint32_t nic_addr_mask;        /* slots - 1, a power of two minus 1 */

    size_t n_ports;
    struct vsw_port ports[];       /* sorted by id */
};

struct cpu_slot {
    alignas(VSW_CACHE_LINE) _Atomic uint64_t epoch;
};

struct vsw_switch {
    char name[VSW_NAME_MAX];
    unsigned max_cpus;

    _Atomic(struct vsw_cfg *) cfg;
    _Atomic uint64_t epoch;
    struct cpu_slot *slots;            /* [max_cpus] */
    struct vsw_cfg *retired;           /* oldest last */

    pthread_mutex_t ctl_lock;          /* serialises vsw_ctl() */
    uint32_t next_port_id;
    uint32_t next_ext_id;

    pthread_rwlock_t fdb_lock;
    struct vsw_fdb *fdb;

    struct switch_pcpu *pcpu;          /* [max_cpus] */
};

/* switch.c */
/* The port whose NIC is configured with unicast address 'mac' (not the
 * physical NIC's), or 0. */
uint32_t vsw_cfg_nic_addr(const struct vsw_cfg *cfg, const uint8_t mac[6]);
const struct vsw_port *vsw_cfg_port(const struct vsw_cfg *, uint32_t id);

/* policy.c: ACL tables and QoS buckets. */
int vsw_acl_box_add(const struct acl_box *, const struct vsw_acl_rule *,
                    unsigned max_cpus, struct acl_box **, uint32_t *rule_id);
int vsw_acl_box_remove(const struct acl_box *, uint32_t rule_id,
                       unsigned max_cpus, struct acl_box **);
bool vsw_acl_box_has(const struct acl_box *, uint32_t rule_id);
size_t vsw_acl_box_count(const struct acl_box *);
void vsw_acl_box_unref(struct acl_box *);
bool vsw_port_qos_valid(const struct vsw_qos_config *);
void vsw_port_qos_reset(struct port_rt *, const struct vsw_qos_config *);

/* vlan.c: 802.1Q policy, see the table in vswitch.h. */
bool vsw_vlan_config_valid(const struct vsw_vlan_config *);
enum vsw_drop_reason vsw_vlan_ingress(const struct vsw_vlan_config *,
                                      bool tagged, uint16_t vid,
                                      uint16_t *vlan);
bool vsw_vlan_egress(const struct vsw_vlan_config *, uint16_t vlan,
                     bool *tagged);
bool vsw_vlan_compute_fids(struct vsw_cfg *);

#endif /* VMSWITCH_VSWITCH_PRIVATE_H */
