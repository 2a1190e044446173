/*
 * vmqhost.c -- a VMQ policy on a host (vmqhost.h).
 */
#include "config.h"

#include "models/vmqhost.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/cpu.h"
#include "models/miniport.h"
#include "models/pnic.h"
#include "models/rxfilter.h"
#include "sim/log.h"
#include "sim/metrics.h"
#include "sim/trace.h"

struct vmqh {
    struct cpu *cpu;
    struct pnic *nic;
    struct miniport *mp;
    struct vmqh_config cfg;
    struct vmq *v;
    sim_component_id comp;
    uint32_t owner;                 /* "vmq" */
    uint32_t n_q, n_lps;

    /* Dynamic: the evaluation DPC and the loads of the last period. */
    struct cpu_dpc dpc;
    sim_time_t *q_busy_last, *lp_busy_last;
    uint32_t *q_ppm, *lp_ppm;
    struct vmq_decision *dec;
    size_t n_dec;

    struct metric **m_q_lp;         /* per queue */
    struct metric *m_lps, *m_lps_avg;
    struct metric *m_spreads, *m_coalesces, *m_assigns, *m_default;
};

static uint32_t
ppm(sim_time_t busy, sim_time_t period)
{
    uint64_t v = (uint64_t)busy * VMQ_PPM / (uint64_t)period;

    return v > VMQ_PPM ? VMQ_PPM : (uint32_t)v;
}

static void
note_lps(struct vmqh *h)
{
    double n = (double)vmq_lps_in_use(h->v);

    if (metric_value(h->m_lps) != n) {
        metric_event(h->m_lps, n);
    }
    metric_set(h->m_lps_avg, n);
}

/* Puts queue 'q' on 'lp' (its MSI-X vector, hence its DPC). */
static void
place(struct vmqh *h, uint32_t q, uint32_t lp)
{
    int err = miniport_set_queue_lp(h->mp, q, lp);

    if (err) {
        sim_fatal("vmq: cannot move queue %u to LP %u (%s)", q, lp,
                  strerror(err));
    }
    metric_event(h->m_q_lp[q], (double)lp);
    if (cpu_trace(h->cpu)) {
        char what[48];
        snprintf(what, sizeof what, "queue %u -> lp%u", (unsigned)q,
                 (unsigned)lp);
        trace_instant(cpu_trace(h->cpu), h->comp,
                      sim_component_path(cpu_sim(h->cpu), h->comp), what,
                      "vmq", cpu_now(h->cpu));
    }
}

/* --- Dynamic VMQ: the evaluation ------------------------------------------ */

static void
evaluate_done(struct cpu_exec *x, void *arg)
{
    struct vmqh *h = arg;

    (void)x;
    for (size_t i = 0; i < h->n_dec; i++) {
        const struct vmq_decision *d = &h->dec[i];
        place(h, d->queue, d->to_lp);
        metric_add(d->reason == VMQ_REASON_SPREAD ? h->m_spreads
                                                  : h->m_coalesces, 1);
    }
    note_lps(h);
}

static void
evaluate(struct cpu_exec *x, void *arg)
{
    struct vmqh *h = arg;
    sim_time_t period = vmq_period_ps(h->v);
    struct vmq_load load = { h->q_ppm, h->lp_ppm };
    int err;

    for (uint32_t q = 0; q < h->n_q; q++) {
        sim_time_t b = miniport_queue_busy_ps(h->mp, q);
        h->q_ppm[q] = ppm(b - h->q_busy_last[q], period);
        h->q_busy_last[q] = b;
    }
    for (uint32_t lp = 0; lp < h->n_lps; lp++) {
        sim_time_t b = cpu_lp_total_busy_ps(h->cpu, lp);
        h->lp_ppm[lp] = ppm(b - h->lp_busy_last[lp], period);
        h->lp_busy_last[lp] = b;
    }
    err = vmq_evaluate(h->v, cpu_now(h->cpu), &load, h->dec, h->n_q,
                       &h->n_dec);
    SIM_ASSERT(err == 0);
    /* The decisions take effect when the evaluation's work is done. */
    cpu_charge(x, h->owner,
               h->cfg.evaluate_cycles + h->cfg.retarget_cycles * h->n_dec,
               evaluate_done, h);
}

static void
tick(struct sim *sim, void *arg)
{
    struct vmqh *h = arg;
    int err;

    /* High importance, at the head of the home processor's DPC queue
     * [A]: a saturated home processor is when the evaluation matters
     * most, and behind a queue of receive DPCs it would run late. */
    (void)cpu_queue_dpc_first(h->cpu, vmq_home_lp(h->v), &h->dpc);
    err = sim_schedule_in(sim, vmq_period_ps(h->v), h->comp, 0, tick, h,
                          NULL);
    SIM_ASSERT(err == 0);
}

/* --- Building ------------------------------------------------------------------ */

void
vmqh_destroy(struct vmqh *h)
{
    if (!h) {
        return;
    }
    vmq_destroy(h->v);
    free(h->q_busy_last);
    free(h->lp_busy_last);
    free(h->q_ppm);
    free(h->lp_ppm);
    free(h->dec);
    free(h->m_q_lp);
    free(h);
}

int
vmqh_create(struct cpu *cpu, struct pnic *nic, struct miniport *mp,
            struct metrics *reg, sim_component_id parent,
            const struct vmqh_config *cfg, struct vmqh **out)
{
    struct vmq_topology topo = { 0 };
    struct vmqh *h;
    struct sim *sim = cpu_sim(cpu);
    uint32_t *node;
    bool smt;
    int err;

    *out = NULL;
    h = calloc(1, sizeof *h);
    if (!h) {
        return ENOMEM;
    }
    h->cpu = cpu;
    h->nic = nic;
    h->mp = mp;
    h->cfg = *cfg;
    h->n_q = pnic_queue_count(nic);
    h->n_lps = cpu_lp_count(cpu);
    if (cfg->policy.mode != VMQ_MODE_NONE && h->n_q < 2) {
        free(h);
        return EINVAL;
    }
    /* The host's topology, as the CPU model has it. */
    node = calloc(h->n_lps, sizeof *node);
    if (!node) {
        free(h);
        return ENOMEM;
    }
    smt = h->n_lps > 1 && cpu_lp_sibling(cpu, 0) != 0;
    for (uint32_t lp = 0; lp < h->n_lps; lp++) {
        node[lp] = cpu_lp_numa_node(cpu, lp);
        if (node[lp] + 1 > topo.n_nodes) {
            topo.n_nodes = node[lp] + 1;
        }
    }
    topo.n_lps = h->n_lps;
    topo.smt = smt;
    topo.lp_node = node;
    topo.n_queues = h->n_q;
    err = vmq_create(&topo, &cfg->policy, &h->v);
    free(node);
    if (err) {
        free(h);
        return err;
    }
    h->q_busy_last = calloc(h->n_q, sizeof *h->q_busy_last);
    h->lp_busy_last = calloc(h->n_lps, sizeof *h->lp_busy_last);
    h->q_ppm = calloc(h->n_q, sizeof *h->q_ppm);
    h->lp_ppm = calloc(h->n_lps, sizeof *h->lp_ppm);
    h->dec = calloc(h->n_q, sizeof *h->dec);
    h->m_q_lp = calloc(h->n_q, sizeof *h->m_q_lp);
    if (!h->q_busy_last || !h->lp_busy_last || !h->q_ppm || !h->lp_ppm
        || !h->dec || !h->m_q_lp) {
        vmqh_destroy(h);
        return ENOMEM;
    }
    h->comp = sim_component_add(sim, parent, "vmq", &err);
    if (!h->comp) {
        vmqh_destroy(h);
        return err ? err : EINVAL;
    }
    h->owner = cpu_owner(cpu, "vmq");
    for (uint32_t q = 0; q < h->n_q; q++) {
        char name[32];
        snprintf(name, sizeof name, "q%u_lp", q);
        h->m_q_lp[q] = metrics_gauge(reg, h->comp, name, "LP",
                                     "processor of the queue's interrupt "
                                     "(every change recorded)");
    }
    h->m_lps = metrics_gauge(reg, h->comp, "lps_in_use", "LPs",
                             "processors carrying queues (every change "
                             "recorded)");
    h->m_lps_avg = metrics_timeavg(reg, h->comp, "lps_in_use_avg", "LPs",
                                   "processors carrying queues, time "
                                   "average", 0);
    h->m_spreads = metrics_counter(reg, h->comp, "spreads", "moves",
                                   "queues moved off a loaded processor");
    h->m_coalesces = metrics_counter(reg, h->comp, "coalesces", "moves",
                                     "queues moved back at low load");
    h->m_assigns = metrics_counter(reg, h->comp, "assigns", "queues",
                                   "queues given to VM NICs");
    h->m_default = metrics_counter(reg, h->comp, "nics_on_default", "NICs",
                                   "VM NICs sharing the default queue");

    /* The receive filter: none, or VMQ (never RSS on a switch's NIC). */
    err = rxf_set_mode(pnic_rxf(nic), cfg->policy.mode == VMQ_MODE_NONE
                                          ? RXF_MODE_NONE
                                          : RXF_MODE_VMQ);
    if (err) {
        vmqh_destroy(h);
        return err;
    }
    place(h, 0, vmq_queue_lp(h->v, 0));
    note_lps(h);
    if (cfg->policy.mode == VMQ_MODE_DYNAMIC) {
        cpu_dpc_init(&h->dpc, evaluate, h, h->owner);
        err = sim_schedule_in(sim, vmq_period_ps(h->v), h->comp, 0, tick, h,
                              NULL);
        if (err) {
            vmqh_destroy(h);
            return err;
        }
    }
    *out = h;
    return 0;
}

int
vmqh_nic_add(struct vmqh *h, uint32_t nic_id, const uint8_t mac[6])
{
    struct vmq_decision d;
    uint32_t q;
    int err = vmq_nic_add(h->v, nic_id, &q, &d);

    if (err) {
        return err;
    }
    if (q == VMQ_DEFAULT_QUEUE) {
        metric_add(h->m_default, 1);
        return 0;
    }
    err = rxf_filter_add(pnic_rxf(h->nic), mac, RXF_VLAN_ANY, q);
    if (err) {
        (void)vmq_nic_remove(h->v, nic_id);
        return err;
    }
    metric_add(h->m_assigns, 1);
    place(h, q, d.to_lp);
    note_lps(h);
    return 0;
}

uint32_t
vmqh_nic_queue(const struct vmqh *h, uint32_t nic_id)
{
    return vmq_nic_queue(h->v, nic_id);
}

uint32_t
vmqh_queue_lp(const struct vmqh *h, uint32_t q)
{
    return vmq_queue_lp(h->v, q);
}

const struct vmq *
vmqh_policy(const struct vmqh *h)
{
    return h->v;
}
