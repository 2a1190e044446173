/*
 * traffic-lua.c -- the Lua binding of traffic endpoints and generators:
 * host.new (the host's own stack on a NIC), traffic.remote (a host beyond
 * a link), and traffic.udp, traffic.rr and traffic.tcp between two
 * endpoints (doc/lua-api.md, "Models").  A generator's sink, server or
 * receiver is created on the destination endpoint with a fresh port, so
 * a scenario only says who talks to whom, how much and how.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/bindings.h"
#include "models/host-lua.h"
#include "models/guest.h"
#include "models/hoststack.h"
#include "models/hv.h"
#include "models/synthnic.h"
#include "models/miniport.h"
#include "models/vmqhost.h"
#include "models/vswhost.h"
#include "models/profile.h"
#include "models/traffic.h"
#include "sim/lsim.h"
#include "sim/units.h"
#include "vmswitch/wire.h"

#define CLS_EP "endpoint"
#define CLS_GEN "generator"

/* Behind an "endpoint" handle. */
struct lep {
    struct traffic_ep *ep;
    struct traffic_remote *remote;  /* or NULL */
    struct hoststack *hs;           /* or NULL */
    struct guest_stack *gs;         /* or NULL */
    struct host_vswitch *sw;        /* the switch of its virtual NIC, or NULL */
    uint32_t sw_port;
    uint16_t next_port;             /* next port for a sink or server */
    uint16_t next_src_port;         /* next source port for flows */
    uint32_t next_flow_id;
    uint32_t n_objects;             /* generators etc., for default names */
    const char *name;               /* the endpoint's (host-owned copy) */
    char **used;                    /* names of the objects on it */
    size_t n_used;
};

static void
lep_free_names(struct lep *e)
{
    for (size_t i = 0; i < e->n_used; i++) {
        free(e->used[i]);
    }
    free(e->used);
}

/* Claims object name 'name' (with 'suffix') on endpoint 'e' for
 * function 'what': two objects of one endpoint cannot share a name, since
 * their metrics would. */
static void
claim(lua_State *L, const char *what, struct lep *e, const char *name,
      const char *suffix)
{
    char full[256];
    char **v;

    snprintf(full, sizeof full, "%s%s", name, suffix);
    for (size_t i = 0; i < e->n_used; i++) {
        if (!strcmp(e->used[i], full)) {
            lsim_error(L, "%s: endpoint '%s' already has an object named "
                       "'%s'; give this one another 'name'", what, e->name,
                       full);
        }
    }
    v = realloc(e->used, (e->n_used + 1) * sizeof *v);
    if (!v) {
        luaL_error(L, "out of memory");
    }
    e->used = v;
    if (!(e->used[e->n_used] = strdup(full))) {
        luaL_error(L, "out of memory");
    }
    e->n_used++;
}

/* --- Addresses ----------------------------------------------------------- */

static void
check_mac(lua_State *L, const char *what, const char *text, uint8_t mac[6])
{
    unsigned b[6];
    char end;

    if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
               &b[4], &b[5], &end) != 6 || strlen(text) != 17) {
        lsim_error(L, "%s: field 'mac': '%s' is not a MAC address; expected "
                   "six hex bytes such as '02:00:00:00:00:01'", what, text);
    }
    for (int i = 0; i < 6; i++) {
        mac[i] = (uint8_t)b[i];
    }
    if (mac[0] & 1) {
        lsim_error(L, "%s: field 'mac': '%s' is a group address; an "
                   "endpoint needs an individual one", what, text);
    }
}

static void
check_ipv4(lua_State *L, const char *what, const char *text, uint8_t ip[4])
{
    unsigned b[4];
    char end;

    if (sscanf(text, "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &end) != 4
        || b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255) {
        lsim_error(L, "%s: field 'ip': '%s' is not an IPv4 address such as "
                   "'10.0.0.1'", what, text);
    }
    for (int i = 0; i < 4; i++) {
        ip[i] = (uint8_t)b[i];
    }
}

static struct lep *
new_lep(lua_State *L)
{
    struct lep *e = calloc(1, sizeof *e);
    if (!e) {
        luaL_error(L, "out of memory");
    }
    e->next_port = 5001;
    e->next_src_port = 10000;
    e->next_flow_id = 1;
    return e;
}

/* --- host.new ------------------------------------------------------------ */

static const struct lsim_field host_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .required = true },
    { .name = "nic", .type = LSIM_F_HANDLE, .cls = "pnic",
      .help = "the physical NIC the stack drives directly" },
    { .name = "switch", .type = LSIM_F_HANDLE, .cls = "vswitch",
      .help = "or: a switch, on which the host gets a virtual NIC" },
    { .name = "mac", .type = LSIM_F_STRING, .required = true },
    { .name = "ip", .type = LSIM_F_STRING, .required = true },
    { .name = "vlan", .type = LSIM_F_INT, .ranged = true, .min = 1,
      .max = 4094, .help = "tag frames with this VLAN" },
    { .name = "tx_lp", .type = LSIM_F_INT, .def = "0", .ranged = true,
      .min = 0, .max = 4095, .help = "processor of the send thread" },
    { .name = "rss_lps", .type = LSIM_F_TABLE,
      .help = "with 'switch': RSS on the virtual NIC over these LPs" },
    { .name = "profile", .type = LSIM_F_TABLE, .required = true },
};
enum { HF_NAME, HF_NIC, HF_SWITCH, HF_MAC, HF_IP, HF_VLAN, HF_TXLP, HF_RSS,
       HF_PROFILE, HF_N };

static const struct lsim_field stack_costs[] = {
    { .name = "rx_frame_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "tx_frame_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "copy_kib_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
};

static void
free_host(void *p)
{
    struct lep *e = p;
    lep_free_names(e);
    hoststack_destroy(e->hs);
    traffic_ep_destroy(e->ep);
    free(e);
}

/* The host's virtual NIC on a switch: frames the stack sends enter the
 * switch from its port, in the send thread's context. */
static void
vnic_send(void *ctx, struct cpu_exec *x, struct vsw_pkt *pkt,
          cpu_step_fn *next, void *arg)
{
    struct lep *e = ctx;
    struct vsw_pkt *one[1] = { pkt };

    vswh_process(e->sw->sw, x, e->sw_port, one, 1, next, arg);
}

/* Frames the switch delivers to the host's virtual NIC. */
static void
vnic_deliver(void *ctx, struct cpu_exec *x, struct vsw_pkt **pkts, size_t n,
             cpu_step_fn *done, void *done_arg)
{
    struct lep *e = ctx;

    hoststack_indicate(e->hs, x, pkts, n, done, done_arg);
}

static int
l_host_new(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[HF_N], c[3];
    struct traffic_ep_config cfg = { 0 };
    struct host_pnic *hp;
    struct host_vswitch *hsw;
    struct host_cpu *hc;
    struct lep *e;

    lsim_read_table(L, 1, "host.new", host_fields, HF_N, v);
    hp = v[HF_NIC].present ? v[HF_NIC].p : NULL;
    hsw = v[HF_SWITCH].present ? v[HF_SWITCH].p : NULL;
    if (!hp == !hsw) {
        return lsim_error(L, "host.new: give exactly one of 'nic' (drive a "
                          "physical NIC) and 'switch' (a virtual NIC on a "
                          "switch)");
    }
    hc = hp ? hp->cpu : hsw->cpu;
    lua_rawgeti(L, LUA_REGISTRYINDEX, v[HF_PROFILE].ref);
    char owner[200];
    snprintf(owner, sizeof owner, "%s.stack", v[HF_NAME].s);
    profile_read(L, -1, "stack", owner, stack_costs, 3, c);
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, v[HF_PROFILE].ref);
    if (v[HF_TXLP].i >= (int64_t)cpu_lp_count(hc->cpu)) {
        return lsim_error(L, "host.new: field 'tx_lp': no LP %" PRId64
                          " (the cpu has %u)", v[HF_TXLP].i,
                          cpu_lp_count(hc->cpu));
    }
    if (hp && hp->bound) {
        return lsim_error(L, "host.new: NIC '%s' already has a stack bound "
                          "to it", hp->name);
    }
    cfg.name = v[HF_NAME].s;
    check_mac(L, "host.new", v[HF_MAC].s, cfg.mac);
    check_ipv4(L, "host.new", v[HF_IP].s, cfg.ipv4);
    if (v[HF_VLAN].present) {
        cfg.vlan_present = true;
        cfg.vlan_id = (uint16_t)v[HF_VLAN].i;
    }
    e = new_lep(L);
    e->name = lsim_strdup(L, cfg.name);
    int error = traffic_ep_create(lsim_sim(h), lsim_metrics(h),
                                  SIM_COMPONENT_ROOT, &cfg, &e->ep);
    if (error) {
        free(e);
        return lsim_error(L, "host.new: cannot build '%s' (%s)", cfg.name,
                          strerror(error));
    }
    lsim_on_destroy(L, free_host, e);
    struct hoststack_config scfg = {
        .name = owner,
        .costs = { (uint64_t)c[0].i, (uint64_t)c[1].i, (uint64_t)c[2].i },
        .tx_lp = (uint32_t)v[HF_TXLP].i,
    };
    if (hp) {
        error = hoststack_create(hc->cpu, hp->mp, e->ep, &scfg, &e->hs);
    } else {
        struct hoststack_lower lower = { vnic_send, e };
        error = hoststack_create_on(hc->cpu, &lower, e->ep, &scfg, &e->hs);
    }
    if (error) {
        return lsim_error(L, "host.new: cannot bind the stack (%s)",
                          strerror(error));
    }
    if (hp) {
        hp->bound = true;
    } else {
        struct vsw_nic_params nic = { .kind = VSW_NIC_HOST, .n_macs = 1 };
        struct vswh_sink sink = { vnic_deliver, e };
        memcpy(nic.macs[0], cfg.mac, 6);
        nic.name = cfg.name;
        nic.caps.vlan_oob = true;
        e->sw = hsw;
        error = vswh_port_add(hsw->sw, cfg.name, &nic, &sink, &e->sw_port);
        if (error) {
            return lsim_error(L, "host.new: cannot connect '%s' to switch "
                              "'%s' (%s)", cfg.name, hsw->name,
                              strerror(error));
        }
        /* The host's virtual NIC gets a VMQ queue like a VM's. */
        if (hsw->vmq) {
            error = vmqh_nic_add(hsw->vmq, e->sw_port, cfg.mac);
            if (error && error != ENOSPC) {
                return lsim_error(L, "host.new: the VMQ policy refused '%s' "
                                  "(%s)", cfg.name, strerror(error));
            }
        }
    }
    if (v[HF_RSS].present && v[HF_RSS].ref != LUA_NOREF) {
        uint32_t lps = cpu_lp_count(hc->cpu), set[128];
        lua_rawgeti(L, LUA_REGISTRYINDEX, v[HF_RSS].ref);
        luaL_unref(L, LUA_REGISTRYINDEX, v[HF_RSS].ref);
        lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
        if (hp) {
            return lsim_error(L, "host.new: field 'rss_lps' is RSS on the "
                              "virtual NIC: it needs 'switch', not 'nic' "
                              "(a physical NIC has its own 'mode')");
        }
        if (len < 1 || len > 128) {
            return lsim_error(L, "host.new: field 'rss_lps': give 1 to 128 "
                              "LPs, e.g. {2, 3, 4, 5}");
        }
        for (lua_Integer i = 1; i <= len; i++) {
            lua_rawgeti(L, -1, i);
            int isnum;
            lua_Integer lp = lua_tointegerx(L, -1, &isnum);
            if (!isnum || lp < 0 || lp >= (lua_Integer)lps) {
                return lsim_error(L, "host.new: field 'rss_lps': entry %lld "
                                  "is not an LP of the cpu (0 .. %u)",
                                  (long long)i, lps - 1);
            }
            set[i - 1] = (uint32_t)lp;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (hoststack_set_rss(e->hs, set, (uint32_t)len)) {
            return luaL_error(L, "out of memory");
        }
    }
    lsim_record_fields(h, cfg.name, host_fields, HF_PROFILE, v);
    lsim_push_handle(L, CLS_EP, e);
    return 1;
}

/* --- guest.new: an application in a VM, behind a NIC on a switch ------- */

static const char *const nic_kinds[] = { "synthetic", "legacy", NULL };

static const struct lsim_field guest_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .required = true },
    { .name = "vm", .type = LSIM_F_HANDLE, .cls = "vm", .required = true },
    { .name = "switch", .type = LSIM_F_HANDLE, .cls = "vswitch",
      .required = true, .help = "the switch the VM's NIC is a port of" },
    { .name = "nic", .type = LSIM_F_ENUM, .choices = nic_kinds,
      .def = "synthetic", .help = "synthetic (VMBus) or legacy (21140A)" },
    { .name = "mac", .type = LSIM_F_STRING, .required = true },
    { .name = "ip", .type = LSIM_F_STRING, .required = true },
    { .name = "tx_vp", .type = LSIM_F_INT, .def = "0", .ranged = true,
      .min = 0, .max = 63, .help = "VP of the guest's send thread" },
    { .name = "vp", .type = LSIM_F_INT, .def = "0", .ranged = true,
      .min = 0, .max = 63, .help = "VP the NIC interrupts" },
    { .name = "host_lp", .type = LSIM_F_INT, .def = "0", .ranged = true,
      .min = 0, .max = 4095,
      .help = "root LP the synthetic NIC's channel interrupts, or where "
              "the legacy NIC's worker receives" },
    { .name = "monitor", .type = LSIM_F_BOOL, .def = "false",
      .help = "synthetic NIC: signal the host through the monitor page" },
    { .name = "queues", .type = LSIM_F_INT, .def = "1", .ranged = true,
      .min = 1, .max = 64,
      .help = "synthetic NIC: vRSS queues (VMBus subchannels)" },
    { .name = "profile", .type = LSIM_F_TABLE, .required = true },
};
enum { GF_NAME, GF_VM, GF_SWITCH, GF_NIC, GF_MAC, GF_IP, GF_TXVP, GF_VP,
       GF_HOSTLP, GF_MONITOR, GF_QUEUES, GF_PROFILE, GF_N };

static void
free_guest(void *p)
{
    struct lep *e = p;
    lep_free_names(e);
    guest_stack_destroy(e->gs);
    traffic_ep_destroy(e->ep);
    free(e);
}

static int
l_guest_new(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[GF_N], c[3];
    struct traffic_ep_config cfg = { 0 };
    struct host_vm *hvm;
    struct host_vswitch *hsw;
    uint32_t vps;
    struct lep *e;
    int error;

    lsim_read_table(L, 1, "guest.new", guest_fields, GF_N, v);
    hvm = v[GF_VM].p;
    hsw = v[GF_SWITCH].p;
    vps = hv_vm_vp_count(hvm->vm);
    lua_rawgeti(L, LUA_REGISTRYINDEX, v[GF_PROFILE].ref);
    char owner[200];
    snprintf(owner, sizeof owner, "%s.stack", v[GF_NAME].s);
    profile_read(L, -1, "guest_stack", owner, stack_costs, 3, c);
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, v[GF_PROFILE].ref);
    if (hsw->cpu != hvm->hv->cpu) {
        return lsim_error(L, "guest.new: switch '%s' runs on another cpu "
                          "than the VM's hypervisor", hsw->name);
    }
    if (v[GF_TXVP].i >= (int64_t)vps || v[GF_VP].i >= (int64_t)vps) {
        return lsim_error(L, "guest.new: field '%s': no VP %" PRId64
                          " (the VM has %u)",
                          v[GF_TXVP].i >= (int64_t)vps ? "tx_vp" : "vp",
                          v[GF_TXVP].i >= (int64_t)vps ? v[GF_TXVP].i
                                                        : v[GF_VP].i, vps);
    }
    if (v[GF_HOSTLP].i >= (int64_t)cpu_lp_count(hsw->cpu->cpu)) {
        return lsim_error(L, "guest.new: field 'host_lp': no LP %" PRId64
                          " (the cpu has %u)", v[GF_HOSTLP].i,
                          cpu_lp_count(hsw->cpu->cpu));
    }
    bool legacy = !strcmp(v[GF_NIC].s, "legacy");
    if (legacy && v[GF_VP].i != v[GF_TXVP].i) {
        return lsim_error(L, "guest.new: a legacy NIC interrupts the VP its "
                          "send thread runs on: give 'vp' and 'tx_vp' the "
                          "same value (got %" PRId64 " and %" PRId64 ")",
                          v[GF_VP].i, v[GF_TXVP].i);
    }
    if (legacy && v[GF_QUEUES].i > 1) {
        return lsim_error(L, "guest.new: field 'queues': the legacy NIC has "
                          "one queue; vRSS needs the synthetic NIC");
    }
    if (v[GF_QUEUES].i > (int64_t)vps) {
        return lsim_error(L, "guest.new: field 'queues': %" PRId64 " vRSS "
                          "queues for %u VPs; give at most one per VP",
                          v[GF_QUEUES].i, vps);
    }
    if (legacy && v[GF_MONITOR].i) {
        return lsim_error(L, "guest.new: field 'monitor': only a synthetic "
                          "NIC signals through the monitor page");
    }
    if (legacy && hvm->legacy) {
        return lsim_error(L, "guest.new: VM '%s' has a legacy NIC already "
                          "(one per VM)", hv_vm_name(hvm->vm));
    }
    cfg.name = v[GF_NAME].s;
    check_mac(L, "guest.new", v[GF_MAC].s, cfg.mac);
    check_ipv4(L, "guest.new", v[GF_IP].s, cfg.ipv4);
    e = new_lep(L);
    e->name = lsim_strdup(L, cfg.name);
    error = traffic_ep_create(lsim_sim(h), lsim_metrics(h),
                              SIM_COMPONENT_ROOT, &cfg, &e->ep);
    if (error) {
        free(e);
        return lsim_error(L, "guest.new: cannot build '%s' (%s)", cfg.name,
                          strerror(error));
    }
    lsim_on_destroy(L, free_guest, e);
    struct guest_stack_costs gc = { (uint64_t)c[0].i, (uint64_t)c[1].i,
                                    (uint64_t)c[2].i };
    error = guest_stack_create(hvm->vm, (uint32_t)v[GF_TXVP].i, e->ep, &gc,
                               &e->gs);
    if (error) {
        return lsim_error(L, "guest.new: cannot build the stack (%s)",
                          strerror(error));
    }
    char nic_name[160];
    snprintf(nic_name, sizeof nic_name, "%s.nic%u", hv_vm_name(hvm->vm),
             hvm->n_nics++);
    if (legacy) {
        struct legacy_nic_config lc = {
            .name = nic_name, .vm = hvm->vm, .sw = hsw->sw, .mac = cfg.mac,
            .vp = (uint32_t)v[GF_VP].i, .host_lp = (uint32_t)v[GF_HOSTLP].i,
            .vector = 0x41, .stack = e->gs, .costs = hvm->hv->legacy_costs,
        };
        error = legacy_nic_create(lsim_metrics(h), &lc, &hvm->legacy);
        if (error) {
            return lsim_error(L, "guest.new: cannot build the legacy NIC of "
                              "'%s' (%s)", cfg.name, strerror(error));
        }
        e->sw = hsw;
        e->sw_port = legacy_nic_port(hvm->legacy);
        lsim_record_fields(h, cfg.name, guest_fields, GF_PROFILE, v);
        lsim_push_handle(L, CLS_EP, e);
        return 1;
    }
    struct synth_nic_config nc = {
        .name = nic_name, .vm = hvm->vm, .sw = hsw->sw, .mac = cfg.mac,
        .guest_vp = (uint32_t)v[GF_VP].i,
        .host_lp = (uint32_t)v[GF_HOSTLP].i,
        .stack = e->gs, .costs = hvm->hv->netvsc_costs,
        .monitor_latency_ps = v[GF_MONITOR].i ? hvm->hv->monitor_latency_ps
                                              : 0,
        .queues = (uint32_t)v[GF_QUEUES].i,
    };
    struct synth_nic *sn;
    error = synth_nic_create(hvm->hv->bus, lsim_metrics(h), &nc, &sn);
    if (error) {
        return lsim_error(L, "guest.new: cannot build the synthetic NIC of "
                          "'%s' (%s)", cfg.name, strerror(error));
    }
    e->sw = hsw;
    e->sw_port = synth_nic_port(sn);
    if (hsw->vmq) {
        /* The switch's VMQ policy gives the VM NIC a queue of the NIC. */
        error = vmqh_nic_add(hsw->vmq, e->sw_port, cfg.mac);
        if (error && error != ENOSPC) {
            return lsim_error(L, "guest.new: the VMQ policy refused '%s' "
                              "(%s)", cfg.name, strerror(error));
        }
    }
    lsim_record_fields(h, cfg.name, guest_fields, GF_PROFILE, v);
    lsim_push_handle(L, CLS_EP, e);
    return 1;
}

/* --- traffic.remote ------------------------------------------------------ */

static const struct lsim_field remote_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .required = true },
    { .name = "link", .type = LSIM_F_HANDLE, .cls = "link", .required = true },
    { .name = "side", .type = LSIM_F_INT, .def = "1", .ranged = true,
      .min = 0, .max = 1 },
    { .name = "mac", .type = LSIM_F_STRING, .required = true },
    { .name = "ip", .type = LSIM_F_STRING, .required = true },
    { .name = "vlan", .type = LSIM_F_INT, .ranged = true, .min = 1,
      .max = 4094 },
    { .name = "fifo", .type = LSIM_F_INT, .def = "4096", .ranged = true,
      .min = 1, .max = 1 << 24, .help = "transmit FIFO, frames" },
};
enum { RF_NAME, RF_LINK, RF_SIDE, RF_MAC, RF_IP, RF_VLAN, RF_FIFO, RF_N };

static void
free_remote(void *p)
{
    struct lep *e = p;
    lep_free_names(e);
    traffic_remote_destroy(e->remote);
    free(e);
}

static int
l_remote(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[RF_N];
    struct traffic_ep_config cfg = { 0 };
    struct lep *e;

    lsim_read_table(L, 1, "traffic.remote", remote_fields, RF_N, v);
    cfg.name = v[RF_NAME].s;
    check_mac(L, "traffic.remote", v[RF_MAC].s, cfg.mac);
    check_ipv4(L, "traffic.remote", v[RF_IP].s, cfg.ipv4);
    if (v[RF_VLAN].present) {
        cfg.vlan_present = true;
        cfg.vlan_id = (uint16_t)v[RF_VLAN].i;
    }
    e = new_lep(L);
    e->name = lsim_strdup(L, cfg.name);
    int error = traffic_remote_create(lsim_sim(h), lsim_metrics(h),
                                      SIM_COMPONENT_ROOT, &cfg, v[RF_LINK].p,
                                      (unsigned)v[RF_SIDE].i,
                                      (size_t)v[RF_FIFO].i, &e->remote);
    if (error) {
        free(e);
        return lsim_error(L, "traffic.remote: cannot build '%s' (%s)",
                          cfg.name, strerror(error));
    }
    e->ep = traffic_remote_ep(e->remote);
    lsim_on_destroy(L, free_remote, e);
    lsim_record_fields(h, cfg.name, remote_fields, RF_N, v);
    lsim_push_handle(L, CLS_EP, e);
    return 1;
}

/* --- Generators ---------------------------------------------------------- */

/* The flows from 'src' to a new port of 'dst'. */
static void
new_flows(lua_State *L, const char *what, struct lep *src, struct lep *dst,
          uint32_t n, struct traffic_flows *f)
{
    if ((uint32_t)src->next_src_port + n > 65535 || dst->next_port == 0) {
        lsim_error(L, "%s: out of ports on the endpoints", what);
    }
    memcpy(f->dst.mac, traffic_ep_mac(dst->ep), 6);
    memcpy(f->dst.ipv4, traffic_ep_ipv4(dst->ep), 4);
    f->dst.port = dst->next_port++;
    f->src_port_base = src->next_src_port;
    f->n_flows = n;
    f->flow_id_base = src->next_flow_id;
    src->next_src_port = (uint16_t)(src->next_src_port + n);
    src->next_flow_id += n;
}

/* "udp3" when the scenario gave no name. */
static const char *
object_name(lua_State *L, struct lep *src, const struct lsim_value *name,
            const char *kind)
{
    char buf[64];
    if (name->present) {
        return name->s;
    }
    snprintf(buf, sizeof buf, "%s%u", kind, ++src->n_objects);
    return lsim_strdup(L, buf);
}

/* The two endpoints of a traffic object made by 'what' ("traffic.udp"),
 * given as fields 'a_field' and 'b_field': they must differ; the object's
 * name ('name', or KIND + a number) is claimed on 'a' and, with 'suffix',
 * on 'b' (its sink or server).  Returns the name. */
static const char *
object_pair(lua_State *L, const char *what, struct lep *a, struct lep *b,
            const char *a_field, const char *b_field,
            const struct lsim_value *name, const char *kind,
            const char *suffix)
{
    const char *n;

    if (a == b) {
        lsim_error(L, "%s: '%s' and '%s' are the same endpoint", what,
                   a_field, b_field);
    }
    n = object_name(L, a, name, kind);
    claim(L, what, a, n, "");
    claim(L, what, b, n, suffix);
    return n;
}

static const char *const patterns[] = { "cbr", "poisson", "onoff", NULL };
static const char *const bases[] = { "frame", "wire", NULL };

static const struct lsim_field udp_fields[] = {
    { .name = "name", .type = LSIM_F_STRING },
    { .name = "from", .type = LSIM_F_HANDLE, .cls = CLS_EP, .required = true },
    { .name = "to", .type = LSIM_F_HANDLE, .cls = CLS_EP, .required = true },
    { .name = "rate", .type = LSIM_F_UNIT, .unit = UNIT_RATE,
      .required = true, .ranged = true, .min = 1, .max = INT64_MAX },
    { .name = "size", .type = LSIM_F_UNIT, .unit = UNIT_SIZE, .def = "1514B",
      .ranged = true, .min = 60, .max = TRAFFIC_MAX_FRAME_BYTES,
      .help = "frame size without FCS" },
    { .name = "flows", .type = LSIM_F_INT, .def = "1", .ranged = true,
      .min = 1, .max = 50000 },
    { .name = "pattern", .type = LSIM_F_ENUM, .choices = patterns,
      .def = "cbr" },
    { .name = "basis", .type = LSIM_F_ENUM, .choices = bases,
      .def = "wire", .help = "rate counts frame bits or wire slots" },
    { .name = "on", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "1ms" },
    { .name = "off", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "1ms" },
    { .name = "start", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "0ps" },
    { .name = "stop", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "0ps",
      .help = "0: never" },
};
enum { UF_NAME, UF_FROM, UF_TO, UF_RATE, UF_SIZE, UF_FLOWS, UF_PATTERN,
       UF_BASIS, UF_ON, UF_OFF, UF_START, UF_STOP, UF_N };

static int
l_udp(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[UF_N];
    struct traffic_gen *g;
    struct traffic_sink *sink;

    lsim_read_table(L, 1, "traffic.udp", udp_fields, UF_N, v);
    struct lep *src = v[UF_FROM].p, *dst = v[UF_TO].p;
    const char *name = object_pair(L, "traffic.udp", src, dst, "from", "to",
                                   &v[UF_NAME], "udp", "_sink");
    struct traffic_gen_config cfg = {
        .name = name,
        .kind = !strcmp(v[UF_PATTERN].s, "cbr") ? TRAFFIC_GEN_CBR
                : !strcmp(v[UF_PATTERN].s, "poisson") ? TRAFFIC_GEN_POISSON
                : TRAFFIC_GEN_ONOFF,
        .frame_bytes = (uint32_t)v[UF_SIZE].i,
        .rate_bps = (uint64_t)v[UF_RATE].i,
        .basis = !strcmp(v[UF_BASIS].s, "wire") ? TRAFFIC_RATE_WIRE
                                                : TRAFFIC_RATE_FRAME,
        .start_ps = v[UF_START].i,
        .stop_ps = v[UF_STOP].i,
        .on_ps = v[UF_ON].i,
        .off_ps = v[UF_OFF].i,
        .run_seed = lsim_seed(h),
    };
    new_flows(L, "traffic.udp", src, dst, (uint32_t)v[UF_FLOWS].i,
              &cfg.flows);
    char sname[128];
    snprintf(sname, sizeof sname, "%s_sink", name);
    struct traffic_sink_config scfg = {
        .name = lsim_strdup(L, sname),
        .proto = VSW_IPPROTO_UDP,
        .port = cfg.flows.dst.port,
        .flow_id_base = cfg.flows.flow_id_base,
        .n_flows = 0,
    };
    int error = traffic_sink_create(dst->ep, &scfg, &sink);
    if (!error) {
        error = traffic_gen_create(src->ep, &cfg, &g);
    }
    if (error) {
        return lsim_error(L, "traffic.udp: cannot create '%s' (%s)", name,
                          strerror(error));
    }
    lsim_record_fields(h, name, udp_fields, UF_N, v);
    lsim_push_handle(L, CLS_GEN, g);
    return 1;
}

static const struct lsim_field rr_fields[] = {
    { .name = "name", .type = LSIM_F_STRING },
    { .name = "client", .type = LSIM_F_HANDLE, .cls = CLS_EP,
      .required = true },
    { .name = "server", .type = LSIM_F_HANDLE, .cls = CLS_EP,
      .required = true },
    { .name = "request", .type = LSIM_F_UNIT, .unit = UNIT_SIZE,
      .def = "64B", .ranged = true, .min = 60,
      .max = TRAFFIC_MAX_FRAME_BYTES },
    { .name = "response", .type = LSIM_F_UNIT, .unit = UNIT_SIZE,
      .def = "64B", .ranged = true, .min = 60,
      .max = TRAFFIC_MAX_FRAME_BYTES },
    { .name = "flows", .type = LSIM_F_INT, .def = "1", .ranged = true,
      .min = 1, .max = 50000 },
    { .name = "outstanding", .type = LSIM_F_INT, .def = "1", .ranged = true,
      .min = 1, .max = 1024 },
    { .name = "think", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "0ps" },
    { .name = "service", .type = LSIM_F_UNIT, .unit = UNIT_TIME,
      .def = "0ps", .help = "server time per request" },
    { .name = "start", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "0ps" },
    { .name = "stop", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "0ps" },
};
enum { QF_NAME, QF_CLIENT, QF_SERVER, QF_REQ, QF_RESP, QF_FLOWS, QF_OUT,
       QF_THINK, QF_SERVICE, QF_START, QF_STOP, QF_N };

static int
l_rr(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[QF_N];
    struct traffic_rr_server *srv;
    struct traffic_rr *rr;

    lsim_read_table(L, 1, "traffic.rr", rr_fields, QF_N, v);
    struct lep *cl = v[QF_CLIENT].p, *sv = v[QF_SERVER].p;
    const char *name = object_pair(L, "traffic.rr", cl, sv, "client",
                                   "server", &v[QF_NAME], "rr", "_server");
    struct traffic_rr_config cfg = {
        .name = name,
        .request_bytes = (uint32_t)v[QF_REQ].i,
        .response_bytes = (uint32_t)v[QF_RESP].i,
        .outstanding = (uint32_t)v[QF_OUT].i,
        .think_ps = v[QF_THINK].i,
        .start_ps = v[QF_START].i,
        .stop_ps = v[QF_STOP].i,
    };
    new_flows(L, "traffic.rr", cl, sv, (uint32_t)v[QF_FLOWS].i, &cfg.flows);
    char sname[128];
    snprintf(sname, sizeof sname, "%s_server", name);
    struct traffic_rr_server_config scfg = {
        .name = lsim_strdup(L, sname),
        .port = cfg.flows.dst.port,
        .service_ps = v[QF_SERVICE].i,
    };
    int error = traffic_rr_server_create(sv->ep, &scfg, &srv);
    if (!error) {
        error = traffic_rr_create(cl->ep, &cfg, &rr);
    }
    if (error) {
        return lsim_error(L, "traffic.rr: cannot create '%s' (%s)", name,
                          strerror(error));
    }
    lsim_record_fields(h, name, rr_fields, QF_N, v);
    lsim_push_handle(L, CLS_GEN, rr);
    return 1;
}

static const struct lsim_field tcp_fields[] = {
    { .name = "name", .type = LSIM_F_STRING },
    { .name = "from", .type = LSIM_F_HANDLE, .cls = CLS_EP, .required = true },
    { .name = "to", .type = LSIM_F_HANDLE, .cls = CLS_EP, .required = true },
    { .name = "flows", .type = LSIM_F_INT, .def = "1", .ranged = true,
      .min = 1, .max = 10000 },
    { .name = "mss", .type = LSIM_F_UNIT, .unit = UNIT_SIZE, .def = "1460B",
      .ranged = true, .min = 16, .max = 8960 },
    { .name = "bytes", .type = LSIM_F_UNIT, .unit = UNIT_SIZE, .def = "0B",
      .help = "per flow; 0B: unlimited" },
    { .name = "window", .type = LSIM_F_UNIT, .unit = UNIT_SIZE,
      .def = "4MiB", .ranged = true, .min = 1024, .max = 1 << 30,
      .help = "the receiver's advertised window" },
    { .name = "start", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "0ps" },
    { .name = "stop", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "0ps" },
};
enum { TF_NAME, TF_FROM, TF_TO, TF_FLOWS, TF_MSS, TF_BYTES, TF_WINDOW,
       TF_START, TF_STOP, TF_N };

static int
l_tcp(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[TF_N];
    struct traffic_sink *sink;
    struct traffic_tcp *t;

    lsim_read_table(L, 1, "traffic.tcp", tcp_fields, TF_N, v);
    struct lep *src = v[TF_FROM].p, *dst = v[TF_TO].p;
    const char *name = object_pair(L, "traffic.tcp", src, dst, "from", "to",
                                   &v[TF_NAME], "tcp", "_sink");
    struct traffic_tcp_config cfg = {
        .name = name,
        .mss_bytes = (uint32_t)v[TF_MSS].i,
        .bytes_per_flow = (uint64_t)v[TF_BYTES].i,
        .start_ps = v[TF_START].i,
        .stop_ps = v[TF_STOP].i,
    };
    new_flows(L, "traffic.tcp", src, dst, (uint32_t)v[TF_FLOWS].i,
              &cfg.flows);
    char sname[128];
    snprintf(sname, sizeof sname, "%s_sink", name);
    struct traffic_sink_config scfg = {
        .name = lsim_strdup(L, sname),
        .proto = VSW_IPPROTO_TCP,
        .port = cfg.flows.dst.port,
        .flow_id_base = cfg.flows.flow_id_base,
        .rwnd_bytes = (uint32_t)v[TF_WINDOW].i,
    };
    int error = traffic_sink_create(dst->ep, &scfg, &sink);
    if (!error) {
        error = traffic_tcp_create(src->ep, &cfg, &t);
    }
    if (error) {
        return lsim_error(L, "traffic.tcp: cannot create '%s' (%s)", name,
                          strerror(error));
    }
    lsim_record_fields(h, name, tcp_fields, TF_N, v);
    lsim_push_handle(L, CLS_GEN, t);
    return 1;
}

/* --- Opening ------------------------------------------------------------- */

int
traffic_lua_open(lua_State *L)
{
    static const luaL_Reg none[] = { { NULL, NULL } };
    static const luaL_Reg traffic_fns[] = {
        { "remote", l_remote }, { "udp", l_udp }, { "rr", l_rr },
        { "tcp", l_tcp }, { NULL, NULL },
    };

    lsim_new_class(L, CLS_EP, none);
    lsim_new_class(L, CLS_GEN, none);
    luaL_newlib(L, traffic_fns);
    lua_setglobal(L, "traffic");
    lua_newtable(L);
    lua_pushcfunction(L, l_host_new);
    lua_setfield(L, -2, "new");
    lua_setglobal(L, "host");
    lua_newtable(L);
    lua_pushcfunction(L, l_guest_new);
    lua_setfield(L, -2, "new");
    lua_setglobal(L, "guest");
    return 0;
}
