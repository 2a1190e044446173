/*
 * host-lua.c -- the Lua binding of the physical host's hardware models:
 * cpu.new, apic.new, link.new and pnic.new (with its driver), and the
 * glue that wires them (the CPU's interrupt controller is the APIC; a
 * NIC's MSI-X messages go to the APIC, through interrupt remapping when it
 * is on).  The functions are documented in doc/lua-api.md, "Models".
 *
 * Every constructor validates its table in C (lsim_read_table), reads the
 * costs it needs from the profile given (profile_read), records its
 * effective configuration, registers the C object's destructor with the
 * host and returns a handle.  Handles die with the simulation.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/apic.h"
#include "models/bindings.h"
#include "models/clock.h"
#include "models/cpu.h"
#include "models/host-lua.h"
#include "models/link.h"
#include "models/miniport.h"
#include "models/pnic.h"
#include "models/profile.h"
#include "sim/log.h"
#include "sim/lsim.h"
#include "sim/trace.h"
#include "sim/units.h"
#include "vmswitch/packet.h"

#define CLS_CPU "cpu"
#define CLS_APIC "apic"
#define CLS_LINK "link"
#define CLS_PNIC "pnic"

/* --- cpu.new ------------------------------------------------------------- */

static const struct lsim_field cpu_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .def = "cpu",
      .help = "component name" },
    { .name = "lps", .type = LSIM_F_INT, .required = true, .ranged = true,
      .min = 1, .max = CPU_MAX_LPS, .help = "logical processors" },
    { .name = "smt", .type = LSIM_F_BOOL, .def = "false",
      .help = "LPs 2k and 2k+1 are SMT siblings of core k" },
    { .name = "numa_nodes", .type = LSIM_F_INT, .def = "1", .ranged = true,
      .min = 1, .max = 64, .help = "NUMA nodes (equal blocks of LPs)" },
    { .name = "quantum", .type = LSIM_F_UNIT, .unit = UNIT_TIME,
      .def = "0ps", .help = "thread time slice; 0: run until blocked" },
    { .name = "profile", .type = LSIM_F_TABLE, .required = true,
      .help = "a table from profile.load()" },
};
enum { CF_NAME, CF_LPS, CF_SMT, CF_NUMA, CF_QUANTUM, CF_PROFILE, CF_N };

static const struct lsim_field cpu_costs[] = {
    { .name = "frequency", .type = LSIM_F_UNIT, .unit = UNIT_FREQ,
      .required = true, .ranged = true, .min = 1000000,
      .max = (int64_t)CLOCK_MAX_MHZ * 1000000 },
    { .name = "isr_entry_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "isr_exit_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "eoi_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "dpc_dispatch_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "context_switch_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
};
enum { CC_FREQ, CC_ENTRY, CC_EXIT, CC_EOI, CC_DPC, CC_CSW, CC_N };

static void
free_cpu(void *p)
{
    struct host_cpu *c = p;
    cpu_destroy(c->cpu);
    free(c);
}

static void
flush_cpu_trace(void *p)
{
    struct host_cpu *c = p;
    cpu_trace_flush(c->cpu);
}

/* With sim.config{sample}, each LP's busy fraction is a time series too
 * (cpu.lpN busy:vector: the average over each interval). */
static int
start_cpu(struct lsim *h, void *arg, char *err, size_t err_size)
{
    struct host_cpu *hc = arg;
    sim_time_t every = lsim_sample_interval(h);

    if (every > 0 && cpu_sample_busy(hc->cpu, every)) {
        snprintf(err, err_size, "out of memory");
        return ENOMEM;
    }
    return 0;
}

static int
l_cpu_new(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[CF_N], c[CC_N];
    struct host_cpu *hc;

    lsim_read_table(L, 1, "cpu.new", cpu_fields, CF_N, v);
    lua_rawgeti(L, LUA_REGISTRYINDEX, v[CF_PROFILE].ref);
    profile_read(L, -1, "cpu", v[CF_NAME].s, cpu_costs, CC_N, c);
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, v[CF_PROFILE].ref);
    if (c[CC_FREQ].i % 1000000) {
        return lsim_error(L, "cpu.new: the profile's frequency must be a "
                          "whole number of MHz");
    }
    if (v[CF_SMT].i && v[CF_LPS].i % 2) {
        return lsim_error(L, "cpu.new: with smt = true, lps must be even "
                          "(got %" PRId64 ")", v[CF_LPS].i);
    }
    if (v[CF_SMT].i && (v[CF_LPS].i / v[CF_NUMA].i) % 2) {
        return lsim_error(L, "cpu.new: with smt = true, each of the %" PRId64
                          " NUMA nodes must hold whole cores (an even "
                          "number of LPs)", v[CF_NUMA].i);
    }
    if (v[CF_LPS].i % v[CF_NUMA].i) {
        return lsim_error(L, "cpu.new: %" PRId64 " LPs cannot be split into "
                          "%" PRId64 " equal NUMA nodes", v[CF_LPS].i,
                          v[CF_NUMA].i);
    }
    struct cpu_config cfg = {
        .name = v[CF_NAME].s,
        .n_lps = (uint32_t)v[CF_LPS].i,
        .mhz = (uint32_t)(c[CC_FREQ].i / 1000000),
        .smt = v[CF_SMT].i,
        .numa_nodes = (uint32_t)v[CF_NUMA].i,
        .costs = {
            .isr_entry_cycles = (uint64_t)c[CC_ENTRY].i,
            .isr_exit_cycles = (uint64_t)c[CC_EXIT].i,
            .eoi_cycles = (uint64_t)c[CC_EOI].i,
            .dpc_dispatch_cycles = (uint64_t)c[CC_DPC].i,
            .context_switch_cycles = (uint64_t)c[CC_CSW].i,
        },
        .thread_quantum_ps = v[CF_QUANTUM].i,
    };
    hc = calloc(1, sizeof *hc);
    if (!hc) {
        return luaL_error(L, "out of memory");
    }
    int error = cpu_create(lsim_sim(h), lsim_metrics(h), SIM_COMPONENT_ROOT,
                           &cfg, &hc->cpu);
    if (error) {
        free(hc);
        return lsim_error(L, "cpu.new: cannot build '%s' (%s)", cfg.name,
                          strerror(error));
    }
    lsim_on_destroy(L, free_cpu, hc);
    lsim_on_start(L, start_cpu, hc);
    if (lsim_trace(h) && trace_timeline_on(lsim_trace(h))) {
        cpu_set_trace(hc->cpu, lsim_trace(h));
        lsim_on_finish(L, flush_cpu_trace, hc);
    }
    lsim_record_fields(h, cfg.name, cpu_fields, CF_PROFILE, v);
    lsim_push_handle(L, CLS_CPU, hc);
    return 1;
}

static int
l_cpu_lps(lua_State *L)
{
    struct host_cpu *hc = lsim_check_handle(L, 1, CLS_CPU);
    lua_pushinteger(L, cpu_lp_count(hc->cpu));
    return 1;
}

/* cpu:busy(lp) -> fraction of the time since the start LP 'lp' was busy. */
static int
l_cpu_busy(lua_State *L)
{
    struct host_cpu *hc = lsim_check_handle(L, 1, CLS_CPU);
    lua_Integer lp = luaL_checkinteger(L, 2);
    if (lp < 0 || lp >= (lua_Integer)cpu_lp_count(hc->cpu)) {
        return lsim_error(L, "cpu:busy: no LP %lld (the cpu has %u)",
                          (long long)lp, cpu_lp_count(hc->cpu));
    }
    sim_time_t t = cpu_elapsed_ps(hc->cpu);
    lua_pushnumber(L, t ? (double)cpu_lp_total_busy_ps(hc->cpu, (uint32_t)lp)
                          / (double)t : 0.0);
    return 1;
}

/* --- apic.new ------------------------------------------------------------ */

static const struct lsim_field apic_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .def = "apic" },
    { .name = "cpu", .type = LSIM_F_HANDLE, .cls = CLS_CPU, .required = true,
      .help = "the processors whose local APICs these are" },
    { .name = "remapping", .type = LSIM_F_BOOL, .def = "true",
      .help = "interrupt remapping (VT-d) on" },
    { .name = "irtes", .type = LSIM_F_INT, .def = "256", .ranged = true,
      .min = 1, .max = 65536, .help = "interrupt remapping table entries" },
    { .name = "block_compat", .type = LSIM_F_BOOL, .def = "true",
      .help = "with remapping, drop compatibility-format MSIs" },
    { .name = "profile", .type = LSIM_F_TABLE, .required = true },
};
enum { AF_NAME, AF_CPU, AF_REMAP, AF_IRTES, AF_BLOCK, AF_PROFILE, AF_N };

static const struct lsim_field apic_costs[] = {
    { .name = "msi_delivery", .type = LSIM_F_UNIT, .unit = UNIT_TIME,
      .required = true },
    { .name = "ipi_delivery", .type = LSIM_F_UNIT, .unit = UNIT_TIME,
      .required = true },
};

static int
intc_pending(void *ctx, uint32_t lp)
{
    return apic_lapic_pending(ctx, lp);
}

static int
intc_ack(void *ctx, uint32_t lp)
{
    return apic_lapic_ack(ctx, lp);
}

static void
intc_eoi(void *ctx, uint32_t lp)
{
    apic_lapic_eoi(ctx, lp);
}

static void
apic_notify(void *ctx, uint32_t lp)
{
    cpu_interrupt_notify(ctx, lp);
}

static void
free_apic(void *p)
{
    struct host_apic *a = p;
    apic_destroy(a->apic);
    free(a);
}

static int
l_apic_new(lua_State *L)
{
    static const struct cpu_intc ops = { intc_pending, intc_ack, intc_eoi };
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[AF_N], c[2];
    struct host_apic *ha;

    lsim_read_table(L, 1, "apic.new", apic_fields, AF_N, v);
    lua_rawgeti(L, LUA_REGISTRYINDEX, v[AF_PROFILE].ref);
    profile_read(L, -1, "apic", v[AF_NAME].s, apic_costs, 2, c);
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, v[AF_PROFILE].ref);
    struct host_cpu *hc = v[AF_CPU].p;
    if (hc->apic) {
        return lsim_error(L, "apic.new: cpu '%s' already has an APIC",
                          sim_component_path(lsim_sim(h),
                                             cpu_component(hc->cpu)));
    }
    if (!v[AF_REMAP].i && cpu_lp_count(hc->cpu) > 255) {
        return lsim_error(L, "apic.new: %u LPs need x2APIC ids, which MSIs "
                          "can only reach through interrupt remapping: set "
                          "remapping = true", cpu_lp_count(hc->cpu));
    }
    struct apic_config cfg = {
        .name = v[AF_NAME].s,
        .lps = cpu_lp_count(hc->cpu),
        .remapping = v[AF_REMAP].i,
        .irtes = v[AF_REMAP].i ? (uint32_t)v[AF_IRTES].i : 0,
        .block_compat = v[AF_REMAP].i && v[AF_BLOCK].i,
        .msi_delivery_ps = c[0].i,
        .ipi_delivery_ps = c[1].i,
    };
    ha = calloc(1, sizeof *ha);
    if (!ha) {
        return luaL_error(L, "out of memory");
    }
    int error = apic_create(lsim_sim(h), lsim_metrics(h), SIM_COMPONENT_ROOT,
                            &cfg, &ha->apic);
    if (error) {
        free(ha);
        return lsim_error(L, "apic.new: cannot build '%s' (%s)", cfg.name,
                          strerror(error));
    }
    lsim_on_destroy(L, free_apic, ha);
    ha->cpu = hc;
    ha->remapping = cfg.remapping;
    ha->irtes = cfg.irtes;
    hc->apic = ha;
    cpu_set_intc(hc->cpu, &ops, ha->apic);
    apic_set_notify(ha->apic, apic_notify, hc->cpu);
    lsim_record_fields(h, cfg.name, apic_fields, AF_PROFILE, v);
    lsim_push_handle(L, CLS_APIC, ha);
    return 1;
}

/* Reserves 'n' consecutive IRTEs; returns the first. */
static int
irte_alloc(struct host_apic *ha, uint32_t n, uint32_t *first)
{
    if (ha->next_irte + n > ha->irtes) {
        return ENOSPC;
    }
    *first = ha->next_irte;
    ha->next_irte += n;
    return 0;
}

/* --- link.new ------------------------------------------------------------ */

static const struct lsim_field link_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .required = true },
    { .name = "rate", .type = LSIM_F_UNIT, .unit = UNIT_RATE,
      .required = true, .help = "1, 10, 25, 40 or 100 Gbps" },
    { .name = "delay", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "0ps",
      .help = "propagation delay" },
};
enum { LF_NAME, LF_RATE, LF_DELAY, LF_N };

static void
free_link(void *p)
{
    link_destroy(p);
}

static int
l_link_new(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[LF_N];
    struct link *l;

    lsim_read_table(L, 1, "link.new", link_fields, LF_N, v);
    if (!link_rate_valid((uint64_t)v[LF_RATE].i)) {
        char text[48];
        unit_format(UNIT_RATE, v[LF_RATE].i, text, sizeof text);
        return lsim_error(L, "link.new: field 'rate': %s is not an Ethernet "
                          "rate; expected 1Gbps, 10Gbps, 25Gbps, 40Gbps or "
                          "100Gbps", text);
    }
    struct link_config cfg = { v[LF_NAME].s, (uint64_t)v[LF_RATE].i,
                               v[LF_DELAY].i };
    int error = link_create(lsim_sim(h), lsim_metrics(h), SIM_COMPONENT_ROOT,
                            &cfg, &l);
    if (error) {
        return lsim_error(L, "link.new: cannot build '%s' (%s)", cfg.name,
                          strerror(error));
    }
    lsim_on_destroy(L, free_link, l);
    lsim_record_fields(h, cfg.name, link_fields, LF_N, v);
    lsim_push_handle(L, CLS_LINK, l);
    return 1;
}

static int
l_link_set_up(lua_State *L)
{
    struct link *l = lsim_check_handle(L, 1, CLS_LINK);
    luaL_checktype(L, 2, LUA_TBOOLEAN);
    link_set_up(l, lua_toboolean(L, 2));
    return 0;
}

/* --- pnic.new ------------------------------------------------------------ */

static const char *const rx_modes[] = { "single", "rss", "vmq", NULL };
static const char *const itr_modes[] = { "off", "fixed", "adaptive",
                                         "conservative", NULL };

static const struct lsim_field pnic_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .required = true },
    { .name = "cpu", .type = LSIM_F_HANDLE, .cls = CLS_CPU, .required = true },
    { .name = "apic", .type = LSIM_F_HANDLE, .cls = CLS_APIC,
      .required = true },
    { .name = "link", .type = LSIM_F_HANDLE, .cls = CLS_LINK,
      .required = true },
    { .name = "side", .type = LSIM_F_INT, .def = "0", .ranged = true,
      .min = 0, .max = 1, .help = "which end of the link" },
    { .name = "queues", .type = LSIM_F_INT, .def = "1", .ranged = true,
      .min = 1, .max = PNIC_MAX_QUEUES, .help = "queue pairs" },
    { .name = "rx_ring", .type = LSIM_F_INT, .def = "512", .ranged = true,
      .min = PNIC_RING_MIN, .max = PNIC_RING_MAX },
    { .name = "tx_ring", .type = LSIM_F_INT, .def = "512", .ranged = true,
      .min = PNIC_RING_MIN, .max = PNIC_RING_MAX },
    { .name = "mode", .type = LSIM_F_ENUM, .choices = rx_modes,
      .def = "single", .help = "receive classification" },
    { .name = "rss_udp", .type = LSIM_F_BOOL, .def = "false",
      .help = "RSS hashes UDP ports too (NDIS 6.80 UDP hash types)" },
    { .name = "moderation", .type = LSIM_F_ENUM, .choices = itr_modes,
      .def = "conservative", .help = "interrupt moderation" },
    { .name = "moderation_rate", .type = LSIM_F_INT, .def = "8000",
      .ranged = true, .min = ITR_RATE_MIN, .max = ITR_RATE_MAX,
      .help = "interrupts/s, moderation = \"fixed\"" },
    { .name = "rx_csum", .type = LSIM_F_BOOL, .def = "true" },
    { .name = "tx_csum", .type = LSIM_F_BOOL, .def = "true" },
    { .name = "lso", .type = LSIM_F_UNIT, .unit = UNIT_SIZE, .def = "64KiB",
      .ranged = true, .min = 0, .max = 262144,
      .help = "largest LSO super-frame; 0B: no LSO" },
    { .name = "rsc", .type = LSIM_F_BOOL, .def = "false" },
    { .name = "vlan_offload", .type = LSIM_F_BOOL, .def = "true" },
    { .name = "rx_batch", .type = LSIM_F_INT, .def = "64", .ranged = true,
      .min = 1, .max = MINIPORT_MAX_BATCH,
      .help = "frames per indication" },
    { .name = "rx_budget", .type = LSIM_F_INT, .def = "256", .ranged = true,
      .min = 1, .max = 65536, .help = "frames per DPC" },
    { .name = "queue_lps", .type = LSIM_F_TABLE,
      .help = "processor of each queue's interrupt (default 0, 1, ...)" },
    { .name = "source_id", .type = LSIM_F_INT, .def = "256", .ranged = true,
      .min = 0, .max = 65535, .help = "PCI requester id (bus 1, dev 0)" },
    { .name = "profile", .type = LSIM_F_TABLE, .required = true },
};
enum { PF_NAME, PF_CPU, PF_APIC, PF_LINK, PF_SIDE, PF_QUEUES, PF_RXR,
       PF_TXR, PF_MODE, PF_RSS_UDP, PF_ITR, PF_ITR_RATE, PF_RXCSUM, PF_TXCSUM, PF_LSO,
       PF_RSC, PF_VLAN, PF_BATCH, PF_BUDGET, PF_QLPS, PF_SID, PF_PROFILE,
       PF_N };

static const struct lsim_field pnic_costs[] = {
    { .name = "dma_latency", .type = LSIM_F_UNIT, .unit = UNIT_TIME,
      .required = true },
};

static const struct lsim_field miniport_costs[] = {
    { .name = "isr_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "batch_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "rx_frame_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "tx_frame_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "tx_complete_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
    { .name = "doorbell_cycles", .type = LSIM_F_INT, .required = true,
      .ranged = true, .min = 0, .max = 100000000 },
};
enum { MC_ISR, MC_BATCH, MC_RX, MC_TX, MC_TXC, MC_DOORBELL, MC_N };

static void
pnic_msi(void *ctx, uint16_t source_id, uint64_t addr, uint32_t data)
{
    struct host_pnic *hp = ctx;
    int error = apic_msi(hp->apic->apic, source_id, addr, data);
    if (error) {
        sim_fatal("pnic %s: MSI write failed (%s)", hp->name,
                  strerror(error));
    }
}

/* The interrupt router: a remapping entry per queue when remapping is
 * on, a compatibility-format message otherwise. */
static int
pnic_route(void *ctx, uint16_t source_id, uint32_t q, uint32_t lp,
           uint8_t vector, uint64_t *addr, uint32_t *data)
{
    struct host_pnic *hp = ctx;
    struct apic *apic = hp->apic->apic;
    struct apic_msi_msg msg;

    if (hp->apic->remapping) {
        struct apic_irte e = {
            .present = true, .vector = vector, .dest = lp,
            .sid = source_id, .sq = 0, .svt = 1,     /* verify all 16 bits */
        };
        int error = apic_irte_set(apic, hp->irte_base + q, &e);
        if (error) {
            return error;
        }
        msg = apic_msi_remappable((uint16_t)(hp->irte_base + q), false, 0);
    } else {
        msg = apic_msi_compat((uint8_t)lp, vector, false);
        (void)apic_track_vector(apic, lp, vector);
    }
    *addr = msg.addr;
    *data = msg.data;
    return 0;
}

/* Until a stack or switch binds to the NIC, what it receives is dropped
 * (counted by the host binding). */
static void
null_indicate(void *ctx, struct cpu_exec *x, uint32_t q,
              struct vsw_pkt **pkts, size_t n, cpu_step_fn *done,
              void *done_arg)
{
    struct host_pnic *hp = ctx;
    (void)q;
    for (size_t i = 0; i < n; i++) {
        vsw_pkt_free(pkts[i]);
    }
    hp->unbound_drops += n;
    done(x, done_arg);
}

static void
free_pnic(void *p)
{
    struct host_pnic *hp = p;
    miniport_destroy(hp->mp);
    pnic_destroy(hp->nic);
    free(hp->name);
    free(hp);
}

static int
start_pnic(struct lsim *h, void *arg, char *err, size_t err_size)
{
    struct host_pnic *hp = arg;
    (void)h;
    (void)err;
    (void)err_size;
    (void)hp;
    return 0;
}

static int
l_pnic_new(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_value v[PF_N], pc[1], mc[MC_N];
    struct host_pnic *hp;
    uint32_t queue_lp[PNIC_MAX_QUEUES];

    lsim_read_table(L, 1, "pnic.new", pnic_fields, PF_N, v);
    lua_rawgeti(L, LUA_REGISTRYINDEX, v[PF_PROFILE].ref);
    profile_read(L, -1, "pnic", v[PF_NAME].s, pnic_costs, 1, pc);
    char drv[200];
    snprintf(drv, sizeof drv, "%s.driver", v[PF_NAME].s);
    profile_read(L, -1, "miniport", drv, miniport_costs, MC_N, mc);
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, v[PF_PROFILE].ref);

    struct host_cpu *hc = v[PF_CPU].p;
    struct host_apic *ha = v[PF_APIC].p;
    uint32_t nq = (uint32_t)v[PF_QUEUES].i;
    if (ha->cpu != hc) {
        return lsim_error(L, "pnic.new: the apic given is not the cpu's");
    }
    if (strcmp(v[PF_MODE].s, "single") && nq == 1) {
        return lsim_error(L, "pnic.new: mode '%s' needs more than one queue",
                          v[PF_MODE].s);
    }
    if (!strcmp(v[PF_MODE].s, "single") && nq > 1) {
        return lsim_error(L, "pnic.new: %u queues in mode 'single': only "
                          "queue 0 would receive; use mode 'rss' or 'vmq'",
                          nq);
    }
    for (uint32_t i = 0; i < nq; i++) {
        queue_lp[i] = i % cpu_lp_count(hc->cpu);
    }
    if (v[PF_QLPS].ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, v[PF_QLPS].ref);
        if (lua_rawlen(L, -1) != nq) {
            return lsim_error(L, "pnic.new: field 'queue_lps' must list %u "
                              "processors, one per queue; got %u", nq,
                              (unsigned)lua_rawlen(L, -1));
        }
        for (uint32_t i = 0; i < nq; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            int isnum;
            lua_Integer lp = lua_tointegerx(L, -1, &isnum);
            if (!isnum || lp < 0 || lp >= (lua_Integer)cpu_lp_count(hc->cpu)) {
                return lsim_error(L, "pnic.new: field 'queue_lps': entry %u "
                                  "must be an LP number 0..%u, got %s",
                                  i + 1, cpu_lp_count(hc->cpu) - 1,
                                  luaL_tolstring(L, -1, NULL));
            }
            queue_lp[i] = (uint32_t)lp;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        luaL_unref(L, LUA_REGISTRYINDEX, v[PF_QLPS].ref);
    }

    hp = calloc(1, sizeof *hp);
    if (!hp || !(hp->name = strdup(v[PF_NAME].s))) {
        free(hp);
        return luaL_error(L, "out of memory");
    }
    hp->apic = ha;
    hp->cpu = hc;
    lsim_on_destroy(L, free_pnic, hp);
    if (ha->remapping && irte_alloc(ha, nq, &hp->irte_base)) {
        return lsim_error(L, "pnic.new: the APIC's remapping table (%u "
                          "entries) has no room for %u more", ha->irtes, nq);
    }

    struct pnic_config cfg = {
        .name = hp->name,
        .n_queues = nq,
        .rx_ring = (uint32_t)v[PF_RXR].i,
        .tx_ring = (uint32_t)v[PF_TXR].i,
        .dma_latency_ps = pc[0].i,
        .source_id = (uint16_t)v[PF_SID].i,
        .itr_mode = !strcmp(v[PF_ITR].s, "off") ? ITR_OFF
                    : !strcmp(v[PF_ITR].s, "fixed") ? ITR_FIXED
                    : ITR_ADAPTIVE,
        .itr_rate = (uint32_t)v[PF_ITR_RATE].i,
        .itr_conservative = !strcmp(v[PF_ITR].s, "conservative"),
        .rx_csum = v[PF_RXCSUM].i,
        .tx_csum = v[PF_TXCSUM].i,
        .lso_max_bytes = (uint32_t)v[PF_LSO].i,
        .rsc = v[PF_RSC].i,
        .vlan_offload = v[PF_VLAN].i,
    };
    cfg.rx_mode = !strcmp(v[PF_MODE].s, "rss") ? RXF_MODE_RSS
                  : !strcmp(v[PF_MODE].s, "vmq") ? RXF_MODE_VMQ
                  : RXF_MODE_NONE;
    cfg.max_filters = RXF_MAX_FILTERS;
    cfg.rss_udp = v[PF_RSS_UDP].i;
    struct pnic_host host = { pnic_msi, hp };
    int error = pnic_create(lsim_sim(h), lsim_metrics(h), SIM_COMPONENT_ROOT,
                            &cfg, &host, &hp->nic);
    if (error) {
        return lsim_error(L, "pnic.new: cannot build '%s' (%s)", cfg.name,
                          strerror(error));
    }
    error = pnic_attach_link(hp->nic, v[PF_LINK].p, (int)v[PF_SIDE].i);
    if (error) {
        return lsim_error(L, "pnic.new: side %" PRId64 " of the link is "
                          "taken", v[PF_SIDE].i);
    }
    if (lsim_trace(h) && trace_pcap_on(lsim_trace(h))) {
        pnic_set_tap(hp->nic, lsim_trace(h), hp->name);
    }
    struct miniport_config mcfg = {
        .name = drv,
        .costs = {
            .isr_cycles = (uint64_t)mc[MC_ISR].i,
            .batch_cycles = (uint64_t)mc[MC_BATCH].i,
            .rx_frame_cycles = (uint64_t)mc[MC_RX].i,
            .tx_frame_cycles = (uint64_t)mc[MC_TX].i,
            .tx_complete_cycles = (uint64_t)mc[MC_TXC].i,
            .doorbell_cycles = (uint64_t)mc[MC_DOORBELL].i,
        },
        .rx_batch = (uint32_t)v[PF_BATCH].i,
        .rx_budget = (uint32_t)v[PF_BUDGET].i,
        .base_vector = 0x60,
        .queue_lp = queue_lp,
    };
    struct miniport_upper up = { null_indicate, hp };
    struct miniport_irq irq = { pnic_route, hp };
    error = miniport_create(hc->cpu, hp->nic, &mcfg, &up, &irq, &hp->mp);
    if (error) {
        return lsim_error(L, "pnic.new: cannot start the driver of '%s' (%s)",
                          cfg.name, strerror(error));
    }
    lsim_on_start(L, start_pnic, hp);
    lsim_record_fields(h, cfg.name, pnic_fields, PF_QLPS, v);
    lsim_push_handle(L, CLS_PNIC, hp);
    return 1;
}

/* nic:set_queue_lp(q, lp): moves queue q's interrupt to processor lp. */
static int
l_pnic_set_queue_lp(lua_State *L)
{
    struct host_pnic *hp = lsim_check_handle(L, 1, CLS_PNIC);
    lua_Integer q = luaL_checkinteger(L, 2), lp = luaL_checkinteger(L, 3);
    if (q < 0 || q >= (lua_Integer)pnic_queue_count(hp->nic)) {
        return lsim_error(L, "pnic:set_queue_lp: no queue %lld", (long long)q);
    }
    if (lp < 0 || lp >= (lua_Integer)cpu_lp_count(hp->cpu->cpu)) {
        return lsim_error(L, "pnic:set_queue_lp: no LP %lld", (long long)lp);
    }
    int error = miniport_set_queue_lp(hp->mp, (uint32_t)q, (uint32_t)lp);
    if (error) {
        return lsim_error(L, "pnic:set_queue_lp: %s", strerror(error));
    }
    return 0;
}

static int
l_pnic_queue_lp(lua_State *L)
{
    struct host_pnic *hp = lsim_check_handle(L, 1, CLS_PNIC);
    lua_Integer q = luaL_checkinteger(L, 2);
    if (q < 0 || q >= (lua_Integer)pnic_queue_count(hp->nic)) {
        return lsim_error(L, "pnic:queue_lp: no queue %lld", (long long)q);
    }
    lua_pushinteger(L, miniport_queue_lp(hp->mp, (uint32_t)q));
    return 1;
}

/* --- Opening ------------------------------------------------------------- */

int
host_lua_open(lua_State *L)
{
    static const luaL_Reg cpu_methods[] = {
        { "lps", l_cpu_lps }, { "busy", l_cpu_busy }, { NULL, NULL },
    };
    static const luaL_Reg link_methods[] = {
        { "set_up", l_link_set_up }, { NULL, NULL },
    };
    static const luaL_Reg pnic_methods[] = {
        { "set_queue_lp", l_pnic_set_queue_lp },
        { "queue_lp", l_pnic_queue_lp }, { NULL, NULL },
    };
    static const luaL_Reg none[] = { { NULL, NULL } };

    lsim_new_class(L, CLS_CPU, cpu_methods);
    lsim_new_class(L, CLS_APIC, none);
    lsim_new_class(L, CLS_LINK, link_methods);
    lsim_new_class(L, CLS_PNIC, pnic_methods);

    static const struct {
        const char *table;
        lua_CFunction fn;
    } ctors[] = {
        { "cpu", l_cpu_new }, { "apic", l_apic_new }, { "link", l_link_new },
        { "pnic", l_pnic_new },
    };
    for (size_t i = 0; i < sizeof ctors / sizeof ctors[0]; i++) {
        lua_newtable(L);
        lua_pushcfunction(L, ctors[i].fn);
        lua_setfield(L, -2, "new");
        lua_setglobal(L, ctors[i].table);
    }
    return 0;
}
