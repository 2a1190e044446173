/*
 * host-lua.h -- what the bindings of the host's models share: the C
 * objects behind the "cpu", "apic", "link" and "pnic" handles, so that a
 * binding of a layer above (the host stack, the switch) can reach the
 * processors and the NIC driver a handle stands for.
 */
#ifndef VNETSIM_MODELS_HOST_LUA_H
#define VNETSIM_MODELS_HOST_LUA_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/cpu.h"
#include "models/legacynic.h"
#include "models/synthnic.h"
#include "sim/lsim.h"

struct apic;
struct cpu;
struct miniport;
struct pnic;

struct host_apic;
struct host_hv;
struct hv;
struct hv_vm;
struct synth_bus;

/* Behind a "cpu" handle. */
struct host_cpu {
    struct cpu *cpu;
    struct host_apic *apic;         /* set by apic.new */
    struct host_hv *hv;             /* set by hypervisor.new */
};

/* Behind an "apic" handle. */
struct host_apic {
    struct apic *apic;
    struct host_cpu *cpu;
    bool remapping;
    uint32_t irtes, next_irte;      /* remapping entries handed out */
};

/* Behind a "pnic" handle: the NIC and its driver. */
struct host_pnic {
    char *name;
    struct pnic *nic;
    struct miniport *mp;
    struct host_cpu *cpu;
    struct host_apic *apic;
    uint32_t irte_base;             /* queue q uses IRTE irte_base + q */
    uint64_t unbound_drops;         /* received while nothing was bound */
    bool bound;                     /* a stack or switch is bound */
};

struct vswh;
struct vmqh;

/* Behind a "vswitch" handle (vswhost-lua.c). */
struct host_vswitch {
    char *name;
    struct vswh *sw;
    struct host_cpu *cpu;
    struct host_pnic *ext;          /* the external NIC, or NULL */
    uint32_t ext_port;
    struct vmqh *vmq;               /* its VMQ policy (set by connect) */
    uint64_t vmq_evaluate_cycles;   /* profile section "vmq" */
    uint64_t vmq_retarget_cycles;
};

struct host_vm;

/* Behind a "hypervisor" handle (hv-lua.c). */
struct host_hv {
    char *name;
    struct hv *hv;
    struct synth_bus *bus;
    struct host_cpu *cpu;
    struct host_apic *apic;
    struct cpu_costs guest_costs;   /* profile section "guest" */
    struct synth_costs netvsc_costs; /* profile section "netvsc" */
    int64_t monitor_latency_ps;     /* netvsc.monitor_latency */
    struct legacy_costs legacy_costs; /* profile section "legacy" */
    struct host_vm **vms;
    size_t n_vms;
};

/* Behind a "vm" handle. */
struct host_vm {
    struct hv_vm *vm;
    struct host_hv *hv;
    uint32_t n_nics;                /* for default NIC names */
    struct legacy_nic *legacy;      /* its legacy NIC, or NULL */
};

/* The bindings (bindings.c lists them): cpu, apic, link, pnic
 * (host-lua.c); host, guest, traffic (traffic-lua.c); vswitch
 * (vswhost-lua.c); hypervisor (hv-lua.c). */
int host_lua_open(lua_State *L);
int traffic_lua_open(lua_State *L);
int vswitch_lua_open(lua_State *L);
int hv_lua_open(lua_State *L);

#endif /* VNETSIM_MODELS_HOST_LUA_H */
