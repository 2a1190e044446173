/*
 * vswhost-lua.c -- the "vswitch" binding: a real vmswitch on the host's
 * processors (models/vswhost.h), the physical NIC bound to it as its
 * external port, and ports for the host's own virtual NIC (host.new with
 * 'switch') and, later, the VMs' NICs.
 *
 *   local sw = vswitch.new{ name = "vsw", cpu = cpu, profile = p }
 *   sw:connect(nic)            -- the physical NIC becomes the external port
 *   sw:counters()              -- { frames_in = ..., flooded = ..., drops = ... }
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "models/host-lua.h"
#include "models/pnic.h"
#include "models/profile.h"
#include "models/rxfilter.h"
#include "models/vmqhost.h"
#include "models/vswhost.h"
#include "sim/lsim.h"
#include "sim/trace.h"
#include "sim/units.h"

#define CLS_VSWITCH "vswitch"

static const struct lsim_field vswitch_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .def = "vsw" },
    { .name = "cpu", .type = LSIM_F_HANDLE, .cls = "cpu", .required = true },
    { .name = "profile", .type = LSIM_F_TABLE, .required = true },
};
enum { VF_NAME, VF_CPU, VF_PROFILE, VF_N };

static const struct lsim_field cost_fields[] = {
#define COST(n) { .name = n, .type = LSIM_F_INT, .required = true, \
                  .ranged = true, .min = 0, .max = 100000000 }
    COST("batch_cycles"), COST("frame_cycles"), COST("lookup_cycles"),
    COST("learn_cycles"), COST("acl_rule_cycles"), COST("ext_call_cycles"),
    COST("copy_kib_cycles"), COST("csum_kib_cycles"), COST("segment_cycles"),
    COST("deliver_cycles"),
#undef COST
};
#define N_COSTS (sizeof cost_fields / sizeof cost_fields[0])

static const struct lsim_field vmq_cost_fields[] = {
    { .name = "evaluate_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "retarget_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
};

static void
free_vswitch(void *p)
{
    struct host_vswitch *hs = p;

    vmqh_destroy(hs->vmq);
    vswh_destroy(hs->sw);
    free(hs->name);
    free(hs);
}

static int
l_vswitch_new(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[VF_N], c[N_COSTS];
    struct host_vswitch *hs;
    struct vswh_costs costs;
    char owner[160];
    int err;

    lsim_read_table(L, 1, "vswitch.new", vswitch_fields, VF_N, v);
    snprintf(owner, sizeof owner, "%s.cost", v[VF_NAME].s);
    lua_rawgeti(L, LUA_REGISTRYINDEX, v[VF_PROFILE].ref);
    profile_read(L, -1, "vmswitch", owner, cost_fields, N_COSTS, c);
    struct lsim_value vc[2];
    snprintf(owner, sizeof owner, "%s.vmq", v[VF_NAME].s);
    profile_read(L, -1, "vmq", owner, vmq_cost_fields, 2, vc);
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, v[VF_PROFILE].ref);
    costs = (struct vswh_costs){
        (uint64_t)c[0].i, (uint64_t)c[1].i, (uint64_t)c[2].i,
        (uint64_t)c[3].i, (uint64_t)c[4].i, (uint64_t)c[5].i,
        (uint64_t)c[6].i, (uint64_t)c[7].i, (uint64_t)c[8].i,
        (uint64_t)c[9].i,
    };
    hs = calloc(1, sizeof *hs);
    if (!hs || !(hs->name = strdup(v[VF_NAME].s))) {
        free(hs);
        return luaL_error(L, "out of memory");
    }
    hs->cpu = v[VF_CPU].p;
    hs->vmq_evaluate_cycles = (uint64_t)vc[0].i;
    hs->vmq_retarget_cycles = (uint64_t)vc[1].i;
    err = vswh_create(hs->cpu->cpu, hs->name, &costs, &hs->sw);
    if (err) {
        free(hs->name);
        free(hs);
        return lsim_error(L, "vswitch.new: cannot build '%s' (%s)",
                          v[VF_NAME].s, strerror(err));
    }
    lsim_on_destroy(L, free_vswitch, hs);
    if (lsim_trace(h) && trace_pcap_on(lsim_trace(h))) {
        vswh_set_tap(hs->sw, lsim_trace(h));
    }
    lsim_record_fields(h, v[VF_NAME].s, vswitch_fields, VF_PROFILE, v);
    lsim_push_handle(L, CLS_VSWITCH, hs);
    return 1;
}

/* --- The external port ----------------------------------------------------- */

/* sw:connect(nic [, { vmq = ..., ... }]) */
static const char *const vmq_modes[] = { "none", "static", "dynamic", NULL };

static const struct lsim_field connect_fields[] = {
    { .name = "vmq", .type = LSIM_F_ENUM, .choices = vmq_modes,
      .help = "none | static | dynamic; default: dynamic for a NIC in mode "
              "'vmq', none for one in mode 'single'" },
    { .name = "base", .type = LSIM_F_INT, .def = "0", .ranged = true,
      .min = 0, .max = 4095, .help = "base processor (*RssBaseProcNumber)" },
    { .name = "max", .type = LSIM_F_INT, .def = "16", .ranged = true,
      .min = 1, .max = 4096, .help = "processors at most (*MaxRssProcessors)" },
    { .name = "avoid_core0", .type = LSIM_F_BOOL, .def = "true",
      .help = "leave core 0 out of the processor set" },
    { .name = "physical_only", .type = LSIM_F_BOOL, .def = "true",
      .help = "with SMT, physical cores only (even LPs)" },
    { .name = "upper", .type = LSIM_F_UNIT, .unit = UNIT_PERCENT,
      .def = "90%", .ranged = true, .min = 1, .max = 1000000,
      .help = "dynamic: spread queues off a processor busier than this" },
    { .name = "lower", .type = LSIM_F_UNIT, .unit = UNIT_PERCENT,
      .def = "40%", .ranged = true, .min = 0, .max = 999999,
      .help = "dynamic: coalesce queues off a processor idler than this" },
    { .name = "period", .type = LSIM_F_UNIT, .unit = UNIT_TIME,
      .def = "100ms", .ranged = true, .min = 1000000,
      .max = INT64_C(3600000000000000), .help = "dynamic: evaluation period" },
    { .name = "hysteresis", .type = LSIM_F_INT, .def = "1", .ranged = true,
      .min = 0, .max = 1000, .help = "dynamic: periods a moved queue stays" },
};
enum { CF_VMQ, CF_BASE, CF_MAX, CF_CORE0, CF_PHYS, CF_UPPER, CF_LOWER,
       CF_PERIOD, CF_HYST, CF_N };

static int
l_vswitch_connect(lua_State *L)
{
    struct host_vswitch *hs = lsim_check_handle(L, 1, CLS_VSWITCH);
    struct host_pnic *hp = lsim_check_handle(L, 2, "pnic");
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value o[CF_N];
    enum rxf_mode mode = pnic_config(hp->nic)->rx_mode;
    struct vmqh_config vcfg;
    int err;

    if (lua_isnoneornil(L, 3)) {
        lua_settop(L, 2);
        lua_newtable(L);
    }
    lsim_read_table(L, 3, "vswitch:connect", connect_fields, CF_N, o);
    if (hs->ext) {
        return lsim_error(L, "vswitch:connect: switch '%s' already has an "
                          "external NIC ('%s')", hs->name, hs->ext->name);
    }
    if (hp->bound) {
        return lsim_error(L, "vswitch:connect: NIC '%s' is already bound to "
                          "a stack or switch", hp->name);
    }
    if (hp->cpu != hs->cpu) {
        return lsim_error(L, "vswitch:connect: NIC '%s' is on another cpu",
                          hp->name);
    }
    if (mode == RXF_MODE_RSS) {
        return lsim_error(L, "vswitch:connect: NIC '%s' is in mode 'rss', but "
                          "a NIC bound to the switch gets no RSS (NDIS); use "
                          "mode 'vmq' or 'single'", hp->name);
    }
    const char *policy = o[CF_VMQ].present ? o[CF_VMQ].s
                         : mode == RXF_MODE_VMQ ? "dynamic" : "none";
    if (strcmp(policy, "none") && mode != RXF_MODE_VMQ) {
        return lsim_error(L, "vswitch:connect: field 'vmq': '%s' VMQ needs "
                          "NIC '%s' in mode 'vmq' with several queues",
                          policy, hp->name);
    }
    if (o[CF_LOWER].i >= o[CF_UPPER].i) {
        return lsim_error(L, "vswitch:connect: field 'lower' must be below "
                          "'upper'");
    }
    if (o[CF_BASE].i >= (int64_t)cpu_lp_count(hs->cpu->cpu)) {
        return lsim_error(L, "vswitch:connect: field 'base': no LP %" PRId64
                          " (the cpu has %u)", o[CF_BASE].i,
                          cpu_lp_count(hs->cpu->cpu));
    }
    vmq_config_default(&vcfg.policy);
    vcfg.policy.mode = !strcmp(policy, "static") ? VMQ_MODE_STATIC
                       : !strcmp(policy, "dynamic") ? VMQ_MODE_DYNAMIC
                       : VMQ_MODE_NONE;
    vcfg.policy.base_lp = (uint32_t)o[CF_BASE].i;
    vcfg.policy.max_processors = (uint32_t)o[CF_MAX].i;
    vcfg.policy.avoid_core0 = o[CF_CORE0].i != 0;
    vcfg.policy.physical_cores_only = o[CF_PHYS].i != 0;
    vcfg.policy.upper_ppm = (uint32_t)o[CF_UPPER].i;
    vcfg.policy.lower_ppm = (uint32_t)o[CF_LOWER].i;
    vcfg.policy.period_ps = o[CF_PERIOD].i;
    vcfg.policy.hysteresis_periods = (uint32_t)o[CF_HYST].i;
    vcfg.evaluate_cycles = hs->vmq_evaluate_cycles;
    vcfg.retarget_cycles = hs->vmq_retarget_cycles;

    err = vmqh_create(hs->cpu->cpu, hp->nic, hp->mp, lsim_metrics(h),
                      pnic_component(hp->nic), &vcfg, &hs->vmq);
    if (err) {
        return lsim_error(L, "vswitch:connect: the VMQ policy of '%s': %s "
                          "(check 'base', 'max' and the processors left "
                          "once core 0 and SMT siblings are set aside)",
                          hp->name, strerror(err));
    }
    err = vswh_connect_uplink(hs->sw, hp->nic, hp->mp, hp->name,
                              &hs->ext_port);
    if (err) {
        return lsim_error(L, "vswitch:connect: %s", strerror(err));
    }
    hp->bound = true;
    hs->ext = hp;
    lsim_record_fields(h, hp->name, connect_fields, CF_N, o);
    return 0;
}

/* sw:counters() -> table of the switch's counters */
static int
l_vswitch_counters(lua_State *L)
{
    struct host_vswitch *hs = lsim_check_handle(L, 1, CLS_VSWITCH);
    struct vsw_switch_counters c;

    if (vsw_ctl(vswh_switch(hs->sw), VSW_CTL_SWITCH_COUNTERS, &c)) {
        return lsim_error(L, "vswitch:counters: cannot read them");
    }
    lua_createtable(L, 0, 8);
#define F(name) lua_pushinteger(L, (lua_Integer)c.name); \
                lua_setfield(L, -2, #name)
    F(frames_in);
    F(bytes_in);
    F(frames_out);
    F(bytes_out);
    F(flooded);
    F(learned);
    F(moves);
    F(drops);
#undef F
    return 1;
}

int
vswitch_lua_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "connect", l_vswitch_connect },
        { "counters", l_vswitch_counters },
        { NULL, NULL },
    };

    lsim_new_class(L, CLS_VSWITCH, methods);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, l_vswitch_new);
    lua_setfield(L, -2, "new");
    lua_setglobal(L, "vswitch");
    return 0;
}
