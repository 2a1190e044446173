/*
 * hv-lua.c -- the "hypervisor" binding: the hypervisor on a host's
 * processors and interrupt controller, and its virtual machines.
 *
 *   local hyp = hypervisor.new{ cpu = cpus, apic = ic, profile = p,
 *                               eoi_assist = true, posted_interrupts = false }
 *   local vm1 = hyp:vm{ name = "vm1", vps = 2, memory = "64MiB",
 *                       weight = 100, lps = {2, 3} }
 *   vm1:exits("hlt")            -- exits of a reason so far
 *
 * Guests with NICs are built by guest.new (traffic-lua.c), which needs the
 * VM handle and a switch.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "models/apic.h"
#include "models/cpu.h"
#include "models/host-lua.h"
#include "models/hv.h"
#include "models/profile.h"
#include "models/synthnic.h"
#include "sim/lsim.h"
#include "sim/units.h"

#define CLS_HV "hypervisor"
#define CLS_VM "vm"

/* Vectors the hypervisor uses on the host's LPs, and the guests' VMBus
 * vector (Linux's HYPERVISOR_CALLBACK_VECTOR). */
#define ROOT_INTERCEPT_VECTOR 0xf0
#define ROOT_VMBUS_VECTOR 0xf1
#define GUEST_VMBUS_VECTOR 0xf3

static const struct lsim_field hv_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .def = "hv" },
    { .name = "cpu", .type = LSIM_F_HANDLE, .cls = "cpu", .required = true },
    { .name = "apic", .type = LSIM_F_HANDLE, .cls = "apic", .required = true },
    { .name = "eoi_assist", .type = LSIM_F_BOOL, .def = "true",
      .help = "Hyper-V EOI assist for edge-triggered interrupts" },
    { .name = "posted_interrupts", .type = LSIM_F_BOOL, .def = "false",
      .help = "APIC virtualization: interrupts without exits" },
    { .name = "profile", .type = LSIM_F_TABLE, .required = true },
};
enum { HVF_NAME, HVF_CPU, HVF_APIC, HVF_EOI, HVF_POSTED, HVF_PROFILE, HVF_N };

#define CYC(n) { .name = n, .type = LSIM_F_INT, .required = true, \
                 .ranged = true, .min = 0, .max = 100000000 }
static const struct lsim_field hv_costs[] = {
    CYC("exit_io_port_cycles"), CYC("exit_mmio_cycles"),
    CYC("exit_msr_cycles"), CYC("exit_hypercall_cycles"),
    CYC("exit_external_interrupt_cycles"), CYC("exit_eoi_cycles"),
    CYC("exit_hlt_cycles"), CYC("exit_interrupt_window_cycles"),
    CYC("vp_switch_cycles"), CYC("inject_cycles"),
    CYC("signal_event_cycles"), CYC("post_message_cycles"),
    CYC("intercept_cycles"), CYC("vid_cycles"), CYC("kernel_user_cycles"),
    { .name = "time_slice", .type = LSIM_F_UNIT, .unit = UNIT_TIME,
      .required = true, .ranged = true, .min = 1,
      .max = INT64_C(3600000000000000) },
};
#define N_HV_COSTS (sizeof hv_costs / sizeof hv_costs[0])

static const struct lsim_field guest_costs[] = {
    CYC("isr_entry_cycles"), CYC("isr_exit_cycles"), CYC("eoi_cycles"),
    CYC("dpc_dispatch_cycles"), CYC("context_switch_cycles"),
};
#define N_GUEST_COSTS (sizeof guest_costs / sizeof guest_costs[0])

static const struct lsim_field netvsc_costs[] = {
    CYC("vsc_tx_frame_cycles"), CYC("vsc_rx_frame_cycles"),
    CYC("vsc_isr_cycles"), CYC("vsp_tx_frame_cycles"),
    CYC("vsp_rx_frame_cycles"), CYC("vsp_isr_cycles"), CYC("packet_cycles"),
    CYC("copy_kib_cycles"),
    { .name = "monitor_latency", .type = LSIM_F_UNIT, .unit = UNIT_TIME,
      .required = true, .ranged = true, .min = 1,
      .max = INT64_C(1000000000000) },
};
#define N_NETVSC_COSTS (sizeof netvsc_costs / sizeof netvsc_costs[0])

static const struct lsim_field legacy_costs[] = {
    CYC("emulate_cycles"), CYC("desc_cycles"), CYC("rx_frame_cycles"),
    CYC("drv_op_cycles"), CYC("drv_frame_cycles"), CYC("copy_kib_cycles"),
};
#define N_LEGACY_COSTS (sizeof legacy_costs / sizeof legacy_costs[0])
#undef CYC

static void
free_hv(void *p)
{
    struct host_hv *hh = p;

    for (size_t i = 0; i < hh->n_vms; i++) {
        legacy_nic_destroy(hh->vms[i]->legacy);
        free(hh->vms[i]);
    }
    free(hh->vms);
    synth_bus_destroy(hh->bus);
    hv_destroy(hh->hv);
    free(hh->name);
    free(hh);
}

/* The VPs still running when the run ends close their timeline slices. */
static void
flush_hv_trace(void *arg)
{
    struct host_hv *hh = arg;

    hv_trace_flush(hh->hv);
}

static int
l_hypervisor_new(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[HVF_N], c[N_HV_COSTS], g[N_GUEST_COSTS],
        n[N_NETVSC_COSTS], lc[N_LEGACY_COSTS];
    struct host_hv *hh;
    struct hv_config cfg = { 0 };
    char owner[160];
    int err;

    lsim_read_table(L, 1, "hypervisor.new", hv_fields, HVF_N, v);
    lua_rawgeti(L, LUA_REGISTRYINDEX, v[HVF_PROFILE].ref);
    snprintf(owner, sizeof owner, "%s.cost", v[HVF_NAME].s);
    profile_read(L, -1, "hv", owner, hv_costs, N_HV_COSTS, c);
    snprintf(owner, sizeof owner, "%s.guest", v[HVF_NAME].s);
    profile_read(L, -1, "guest", owner, guest_costs, N_GUEST_COSTS, g);
    snprintf(owner, sizeof owner, "%s.netvsc", v[HVF_NAME].s);
    profile_read(L, -1, "netvsc", owner, netvsc_costs, N_NETVSC_COSTS, n);
    snprintf(owner, sizeof owner, "%s.legacy", v[HVF_NAME].s);
    profile_read(L, -1, "legacy", owner, legacy_costs, N_LEGACY_COSTS, lc);
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, v[HVF_PROFILE].ref);

    struct host_cpu *hc = v[HVF_CPU].p;
    struct host_apic *ha = v[HVF_APIC].p;
    if (ha->cpu != hc) {
        return lsim_error(L, "hypervisor.new: the apic belongs to another "
                          "cpu");
    }
    if (hc->hv) {
        return lsim_error(L, "hypervisor.new: cpu already has a hypervisor");
    }
    for (int r = 0; r < HV_EXIT_COUNT; r++) {
        /* hv_costs lists the exits in enum hv_exit_reason's order. */
        cfg.costs.exit_cycles[r] = (uint64_t)c[r].i;
    }
    cfg.costs.vp_switch_cycles = (uint64_t)c[8].i;
    cfg.costs.inject_cycles = (uint64_t)c[9].i;
    cfg.costs.signal_event_cycles = (uint64_t)c[10].i;
    cfg.costs.post_message_cycles = (uint64_t)c[11].i;
    cfg.costs.intercept_cycles = (uint64_t)c[12].i;
    cfg.costs.vid_cycles = (uint64_t)c[13].i;
    cfg.costs.kernel_user_cycles = (uint64_t)c[14].i;
    cfg.time_slice_ps = c[15].i;
    cfg.name = v[HVF_NAME].s;
    cfg.root_vector = ROOT_INTERCEPT_VECTOR;
    cfg.eoi_assist = v[HVF_EOI].i != 0;
    cfg.posted_interrupts = v[HVF_POSTED].i != 0;

    hh = calloc(1, sizeof *hh);
    if (!hh || !(hh->name = strdup(v[HVF_NAME].s))) {
        free(hh);
        return luaL_error(L, "out of memory");
    }
    hh->cpu = hc;
    hh->apic = ha;
    hh->guest_costs = (struct cpu_costs){
        (uint64_t)g[0].i, (uint64_t)g[1].i, (uint64_t)g[2].i,
        (uint64_t)g[3].i, (uint64_t)g[4].i,
    };
    hh->netvsc_costs = (struct synth_costs){
        (uint64_t)n[0].i, (uint64_t)n[1].i, (uint64_t)n[2].i,
        (uint64_t)n[3].i, (uint64_t)n[4].i, (uint64_t)n[5].i,
        (uint64_t)n[6].i, (uint64_t)n[7].i,
    };
    hh->monitor_latency_ps = n[8].i;
    hh->legacy_costs = (struct legacy_costs){
        (uint64_t)lc[0].i, (uint64_t)lc[1].i, (uint64_t)lc[2].i,
        (uint64_t)lc[3].i, (uint64_t)lc[4].i, (uint64_t)lc[5].i,
    };
    err = hv_create(lsim_sim(h), lsim_metrics(h), SIM_COMPONENT_ROOT, hc->cpu,
                    ha->apic, &cfg, &hh->hv);
    if (!err) {
        err = synth_bus_create(hh->hv, ROOT_VMBUS_VECTOR, GUEST_VMBUS_VECTOR,
                               &hh->bus);
    }
    if (err) {
        free_hv(hh);
        return lsim_error(L, "hypervisor.new: cannot build '%s' (%s)",
                          v[HVF_NAME].s, strerror(err));
    }
    hc->hv = hh;
    lsim_on_destroy(L, free_hv, hh);
    lsim_on_finish(L, flush_hv_trace, hh);
    lsim_record_fields(h, v[HVF_NAME].s, hv_fields, HVF_PROFILE, v);
    lsim_push_handle(L, CLS_HV, hh);
    return 1;
}

/* --- hyp:vm{...} ------------------------------------------------------------ */

static const struct lsim_field vm_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .required = true },
    { .name = "vps", .type = LSIM_F_INT, .def = "1", .ranged = true,
      .min = 1, .max = 64, .help = "virtual processors" },
    { .name = "memory", .type = LSIM_F_UNIT, .unit = UNIT_SIZE,
      .def = "64MiB", .ranged = true, .min = 32 << 20,
      .max = INT64_C(1) << 36, .help = "guest memory (holds the NIC buffers)" },
    { .name = "weight", .type = LSIM_F_INT, .def = "100", .ranged = true,
      .min = 1, .max = 10000, .help = "scheduler weight of each VP" },
    { .name = "lps", .type = LSIM_F_TABLE,
      .help = "the LPs its VPs may run on (default: all)" },
};
enum { VMF_NAME, VMF_VPS, VMF_MEM, VMF_WEIGHT, VMF_LPS, VMF_N };

/* VMs per hypervisor: Hyper-V's documented maximum of running virtual
 * machines per host.  Each VM costs about 0.6 MB of simulator memory with
 * a synthetic NIC (doc/reliability.md), so 1024 fit in under 1 GB. */
#define HV_LUA_MAX_VMS 1024

static int
l_hv_vm(lua_State *L)
{
    struct host_hv *hh = lsim_check_handle(L, 1, CLS_HV);
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[VMF_N];
    uint64_t affinity[CPU_MAX_LPS / 64] = { 0 };
    uint32_t n_lps = cpu_lp_count(hh->cpu->cpu);
    struct hv_vm_config cfg = { 0 };
    struct host_vm *hvm, **vv;
    int err;

    lsim_read_table(L, 2, "hypervisor:vm", vm_fields, VMF_N, v);
    if (strchr(v[VMF_NAME].s, '.') || strchr(v[VMF_NAME].s, ' ')) {
        return lsim_error(L, "hypervisor:vm: field 'name': '%s' may not "
                          "contain '.' or spaces", v[VMF_NAME].s);
    }
    if (v[VMF_MEM].i % 4096) {
        return lsim_error(L, "hypervisor:vm: field 'memory': %" PRId64
                          " bytes is not a whole number of 4 KiB pages",
                          v[VMF_MEM].i);
    }
    if (v[VMF_LPS].present && v[VMF_LPS].ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, v[VMF_LPS].ref);
        lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
        if (len == 0) {
            return lsim_error(L, "hypervisor:vm: field 'lps': an empty list; "
                              "give the LPs the VM may run on, e.g. {0, 1}");
        }
        for (lua_Integer i = 1; i <= len; i++) {
            lua_rawgeti(L, -1, i);
            int isnum;
            lua_Integer lp = lua_tointegerx(L, -1, &isnum);
            if (!isnum || lp < 0 || lp >= (lua_Integer)n_lps) {
                return lsim_error(L, "hypervisor:vm: field 'lps': entry %lld "
                                  "is not an LP of the cpu (0 .. %u)",
                                  (long long)i, n_lps - 1);
            }
            affinity[lp / 64] |= UINT64_C(1) << (lp % 64);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        luaL_unref(L, LUA_REGISTRYINDEX, v[VMF_LPS].ref);
        cfg.affinity = affinity;
    }
    if (hh->n_vms >= HV_LUA_MAX_VMS) {
        return lsim_error(L, "hypervisor:vm: '%s' would be VM number %zu; "
                          "a hypervisor runs at most %d VMs (Hyper-V's limit "
                          "of running VMs per host)", v[VMF_NAME].s,
                          hh->n_vms + 1, HV_LUA_MAX_VMS);
    }
    for (size_t i = 0; i < hh->n_vms; i++) {
        if (!strcmp(hv_vm_name(hh->vms[i]->vm), v[VMF_NAME].s)) {
            return lsim_error(L, "hypervisor:vm: a VM named '%s' exists "
                              "already", v[VMF_NAME].s);
        }
    }
    cfg.name = v[VMF_NAME].s;
    cfg.n_vps = (uint32_t)v[VMF_VPS].i;
    cfg.memory_bytes = (uint64_t)v[VMF_MEM].i;
    cfg.weight = (uint32_t)v[VMF_WEIGHT].i;
    cfg.guest_costs = hh->guest_costs;
    hvm = calloc(1, sizeof *hvm);
    vv = realloc(hh->vms, (hh->n_vms + 1) * sizeof *vv);
    if (vv) {
        hh->vms = vv;
    }
    if (!hvm || !vv) {
        free(hvm);
        return luaL_error(L, "out of memory");
    }
    err = hv_vm_create(hh->hv, &cfg, &hvm->vm);
    if (err == ENOMEM) {
        char size[UNIT_STRLEN];
        free(hvm);
        unit_format(UNIT_SIZE, v[VMF_MEM].i, size, sizeof size);
        /* Ends in ": out of memory", so the program reports it as
         * memory running out (exit 3), naming the value to lower. */
        return lsim_error(L, "hypervisor:vm: cannot build '%s' with memory "
                          "= %s (guest memory is allocated for real; give "
                          "it less): out of memory", cfg.name, size);
    }
    if (err) {
        free(hvm);
        return lsim_error(L, "hypervisor:vm: cannot build '%s' (%s)",
                          cfg.name, strerror(err));
    }
    hvm->hv = hh;
    hh->vms[hh->n_vms++] = hvm;
    lsim_record_fields(h, cfg.name, vm_fields, VMF_N, v);
    lsim_push_handle(L, CLS_VM, hvm);
    return 1;
}

/* vm:exits(reason) -> count so far */
static int
l_vm_exits(lua_State *L)
{
    struct host_vm *hvm = lsim_check_handle(L, 1, CLS_VM);
    const char *r = luaL_checkstring(L, 2);

    for (int i = 0; i < HV_EXIT_COUNT; i++) {
        if (!strcmp(r, hv_exit_reason_name(i))) {
            lua_pushinteger(L, (lua_Integer)hv_vm_exits(hvm->vm, i));
            return 1;
        }
    }
    return lsim_error(L, "vm:exits: '%s' is not an exit reason (io_port, "
                      "mmio, msr, hypercall, external_interrupt, eoi, hlt, "
                      "interrupt_window)", r);
}

int
hv_lua_open(lua_State *L)
{
    static const luaL_Reg hv_methods[] = {
        { "vm", l_hv_vm }, { NULL, NULL },
    };
    static const luaL_Reg vm_methods[] = {
        { "exits", l_vm_exits }, { NULL, NULL },
    };

    lsim_new_class(L, CLS_HV, hv_methods);
    lsim_new_class(L, CLS_VM, vm_methods);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, l_hypervisor_new);
    lua_setfield(L, -2, "new");
    lua_setglobal(L, "hypervisor");
    return 0;
}
