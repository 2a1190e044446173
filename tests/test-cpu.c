/*
 * test-cpu.c -- models/cpu.h: exact timing of charged work, preemption of
 * threads by DPCs by ISRs with the remaining work kept to the unit, nested
 * interrupts against a fake interrupt controller with APIC-like priority
 * classes, DPC and thread semantics, and exact accounting under a long
 * pseudo-random storm.
 *
 * Most timings use 2600 MHz and cycle counts that are multiples of 13:
 * 13 cycles last exactly 5 ns there, so hand computations stay in whole
 * nanoseconds (2600 cycles = 1 us).
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/clock.h"
#include "models/cpu.h"
#include "sim/log.h"
#include "sim/metrics.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/trace.h"
#include "tests/cutest.h"

#define NS(n) ((sim_time_t)(n) * 1000)
#define MHZ 2600

/* ---- Fixture ------------------------------------------------------------ */

struct fx {
    struct sim *sim;
    struct metrics *reg;
    struct cpu *cpu;
};

static struct cpu_config
base_config(uint32_t n_lps)
{
    struct cpu_config cfg = {
        .name = "cpu0",
        .n_lps = n_lps,
        .mhz = MHZ,
    };
    return cfg;
}

static void
fx_init(struct fx *f, const struct cpu_config *cfg)
{
    f->sim = sim_create();
    f->reg = metrics_create(f->sim);
    f->cpu = NULL;
    SIM_ASSERT(f->sim && f->reg);
    SIM_ASSERT(cpu_create(f->sim, f->reg, SIM_COMPONENT_ROOT, cfg, &f->cpu)
               == 0);
}

static void
fx_fini(struct fx *f)
{
    cpu_destroy(f->cpu);
    metrics_destroy(f->reg);
    sim_destroy(f->sim);
}

/* Runs 'fn'('arg') at 'when', from the test (root component). */
typedef void action_fn(void *arg);
struct action {
    action_fn *fn;
    void *arg;
};

static void
action_event(struct sim *sim, void *ctx)
{
    struct action *a = ctx;

    (void)sim;
    a->fn(a->arg);
}

static void
at(struct fx *f, sim_time_t when, struct action *a)
{
    CU_ASSERT_EQUAL_FATAL(sim_schedule_at(f->sim, when, SIM_COMPONENT_ROOT,
                                          1, action_event, a, NULL), 0);
}

/* A job: one charge of 'cycles' for 'owner', then a step that records
 * when it ran.  Usable as an ISR, DPC or thread entry step. */
struct job {
    uint32_t owner;
    uint64_t cycles;
    int runs;                   /* chains completed */
    int starts;                 /* chains started */
    sim_time_t started_at;
    sim_time_t done_at;
    uint32_t depth_seen;        /* ISR depth when it started */
    int *order;                 /* appends 'id' here when done */
    int *n_order;
    int id;
};

static void
job_done(struct cpu_exec *x, void *arg)
{
    struct job *j = arg;

    j->runs++;
    j->done_at = cpu_now(cpu_exec_cpu(x));
    if (j->order) {
        j->order[(*j->n_order)++] = j->id;
    }
}

static void
job_start(struct cpu_exec *x, void *arg)
{
    struct job *j = arg;
    struct cpu *cpu = cpu_exec_cpu(x);

    j->starts++;
    j->started_at = cpu_now(cpu);
    j->depth_seen = cpu_lp_isr_depth(cpu, cpu_exec_lp(x));
    cpu_charge(x, j->owner, j->cycles, job_done, j);
}

/* ---- A fake interrupt controller ---------------------------------------- */

/* Like a local APIC: a vector's priority class is vector >> 4; pending()
 * offers the highest requested vector whose class is above the class of
 * the highest vector in service; eoi() retires the highest in service. */
#define FAKE_LPS 8
#define FAKE_LOG 4096

struct fake_intc {
    struct cpu *cpu;
    struct {
        bool irr[CPU_VECTORS];
        int isr[CPU_ISR_DEPTH_MAX + 1];
        int n_isr;
    } lp[FAKE_LPS];
    int eoi_vec[FAKE_LOG];
    sim_time_t eoi_at[FAKE_LOG];
    int n_eoi;
    int n_ack;
};

static int
fake_pending(void *ctx, uint32_t lp)
{
    struct fake_intc *c = ctx;
    int in_class = c->lp[lp].n_isr ? c->lp[lp].isr[c->lp[lp].n_isr - 1] >> 4
                                   : -1;

    for (int v = CPU_VECTORS - 1; v >= 0; v--) {
        if (c->lp[lp].irr[v]) {
            return (v >> 4) > in_class ? v : -1;
        }
    }
    return -1;
}

static int
fake_ack(void *ctx, uint32_t lp)
{
    struct fake_intc *c = ctx;
    int v = fake_pending(ctx, lp);

    if (v >= 0) {
        c->lp[lp].irr[v] = false;
        c->lp[lp].isr[c->lp[lp].n_isr++] = v;
        c->n_ack++;
    }
    return v;
}

static void
fake_eoi(void *ctx, uint32_t lp)
{
    struct fake_intc *c = ctx;

    SIM_ASSERT(c->lp[lp].n_isr > 0);
    if (c->n_eoi < FAKE_LOG) {
        c->eoi_vec[c->n_eoi] = c->lp[lp].isr[c->lp[lp].n_isr - 1];
        c->eoi_at[c->n_eoi] = cpu_now(c->cpu);
    }
    c->n_eoi++;
    c->lp[lp].n_isr--;
}

static const struct cpu_intc fake_ops = {
    fake_pending, fake_ack, fake_eoi,
};

static void
fake_attach(struct fake_intc *c, struct cpu *cpu)
{
    memset(c, 0, sizeof *c);
    c->cpu = cpu;
    cpu_set_intc(cpu, &fake_ops, c);
}

static void
fake_raise(struct fake_intc *c, uint32_t lp, int vector)
{
    c->lp[lp].irr[vector] = true;
    cpu_interrupt_notify(c->cpu, lp);
}

/* An action raising a vector. */
struct raise {
    struct fake_intc *intc;
    uint32_t lp;
    int vector;
};

static void
raise_action(void *arg)
{
    struct raise *r = arg;

    fake_raise(r->intc, r->lp, r->vector);
}

/* ---- Timing ------------------------------------------------------------- */

struct queue_dpc {
    struct cpu *cpu;
    uint32_t lp;
    struct cpu_dpc *dpc;
    bool result;
};

static void
queue_dpc_action(void *arg)
{
    struct queue_dpc *q = arg;

    q->result = cpu_queue_dpc(q->cpu, q->lp, q->dpc);
}

struct wake {
    struct cpu_thread *t;
    struct job *job;
};

static void
wake_action(void *arg)
{
    struct wake *w = arg;

    cpu_thread_wake(w->t, job_start, w->job);
}

static void
test_cpu_single_charge_at_2600_mhz_takes_ceil_of_cycles_over_frequency(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct job j1 = { .cycles = 12345 }, j2 = { .cycles = 1 };
    struct cpu_dpc d1, d2;
    struct queue_dpc q1, q2;
    struct action a1 = { queue_dpc_action, &q1 }, a2 = { queue_dpc_action,
                                                        &q2 };

    fx_init(&f, &cfg);
    j1.owner = j2.owner = cpu_owner(f.cpu, "pnic0 driver");
    cpu_dpc_init(&d1, job_start, &j1, j1.owner);
    cpu_dpc_init(&d2, job_start, &j2, j2.owner);
    q1 = (struct queue_dpc){ f.cpu, 0, &d1, false };
    q2 = (struct queue_dpc){ f.cpu, 0, &d2, false };
    at(&f, 0, &a1);
    at(&f, NS(10000), &a2);
    sim_run(f.sim, NS(20000));

    /* 12345e6 units / 2600 = 4748076.9 ps, rounded up; 1 cycle 385 ps. */
    CU_ASSERT_EQUAL(j1.started_at, 0);
    CU_ASSERT_EQUAL(j1.done_at, 4748077);
    CU_ASSERT_EQUAL(j2.done_at, NS(10000) + 385);
    CU_ASSERT_EQUAL(cpu_lp_busy_ps(f.cpu, 0, CPU_LEVEL_DPC), 4748077 + 385);
    CU_ASSERT_EQUAL(cpu_lp_busy_cycles(f.cpu, 0), 12346);
    CU_ASSERT_EQUAL(cpu_lp_dpcs(f.cpu, 0), 2);
    fx_fini(&f);
}

/* A piece cut by preemption at an arbitrary instant finishes exactly when
 * the uninterrupted piece plus the preempting one would. */
static void
test_cpu_preempted_piece_keeps_its_remaining_work_to_the_unit(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct job tj = { .cycles = 12345 }, dj = { .cycles = 777 };
    struct cpu_thread *t;
    struct cpu_dpc d;
    struct queue_dpc q;
    struct wake w;
    struct action aw = { wake_action, &w }, aq = { queue_dpc_action, &q };

    fx_init(&f, &cfg);
    tj.owner = cpu_owner(f.cpu, "VMWP");
    dj.owner = cpu_owner(f.cpu, "vmswitch");
    t = cpu_thread_create(f.cpu, "worker", tj.owner, 0);
    cpu_dpc_init(&d, job_start, &dj, dj.owner);
    w = (struct wake){ t, &tj };
    q = (struct queue_dpc){ f.cpu, 0, &d, false };
    at(&f, 0, &aw);
    at(&f, 1234567, &aq);
    sim_run(f.sim, SIM_TIME_MAX);

    /* At 1234567 ps the thread has done 1234567 * 2600 units; the rest,
     * 9135125800 units, takes 3513510 ps after the DPC's 298847 ps. */
    CU_ASSERT_EQUAL(dj.done_at, 1234567 + 298847);
    CU_ASSERT_EQUAL(tj.done_at, 1234567 + 298847 + 3513510);
    CU_ASSERT_EQUAL(tj.done_at, clock_cycles_time(12345, MHZ)
                                + clock_cycles_time(777, MHZ));
    fx_fini(&f);
}

static void
test_cpu_isr_preempts_dpc_preempts_thread_and_each_resumes_exactly(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct fake_intc intc;
    struct job tj = { .cycles = 13000 };        /* 5 us */
    struct job dj = { .cycles = 5200 };         /* 2 us */
    struct job ij = { .cycles = 1300 };         /* 0.5 us */
    struct cpu_thread *t;
    struct cpu_dpc d;
    struct queue_dpc q;
    struct wake w;
    struct raise r;
    struct action aw = { wake_action, &w }, aq = { queue_dpc_action, &q };
    struct action ar = { raise_action, &r };

    cfg.costs.isr_entry_cycles = 130;           /* 50 ns */
    cfg.costs.eoi_cycles = 26;                  /* 10 ns */
    cfg.costs.isr_exit_cycles = 65;             /* 25 ns */
    cfg.costs.dpc_dispatch_cycles = 52;         /* 20 ns */
    cfg.costs.context_switch_cycles = 260;      /* 100 ns */
    fx_init(&f, &cfg);
    fake_attach(&intc, f.cpu);
    tj.owner = cpu_owner(f.cpu, "guest vm1");
    dj.owner = cpu_owner(f.cpu, "vmswitch");
    ij.owner = cpu_owner(f.cpu, "pnic0 driver");
    t = cpu_thread_create(f.cpu, "vcpu", tj.owner, 0);
    cpu_dpc_init(&d, job_start, &dj, dj.owner);
    CU_ASSERT_EQUAL(cpu_set_isr(f.cpu, 0, 0x40, ij.owner, job_start, &ij), 0);
    w = (struct wake){ t, &tj };
    q = (struct queue_dpc){ f.cpu, 0, &d, false };
    r = (struct raise){ &intc, 0, 0x40 };
    at(&f, 0, &aw);
    at(&f, NS(1000), &aq);
    at(&f, NS(1500), &ar);
    sim_run(f.sim, SIM_TIME_MAX);

    /* Thread: switch 0.1 us then its step; at 1 us 2.6k cycles are done,
     * 10.66k (4.1 us) are left.  DPC from 1 us: dispatch 20 ns, step at
     * 1.02 us; at 1.5 us 1300 cycles are done, 1.52 us left.  ISR from
     * 1.5 us: entry 50 ns, handler step at 1.55, its cycles end at 2.05,
     * EOI written at 2.06, exit done at 2.085.  The DPC ends at 3.605 and
     * the thread at 7.705 us. */
    CU_ASSERT_EQUAL(tj.started_at, NS(100));
    CU_ASSERT_EQUAL(dj.started_at, NS(1020));
    CU_ASSERT_EQUAL(ij.started_at, NS(1550));
    CU_ASSERT_EQUAL(ij.done_at, NS(2050));
    CU_ASSERT_EQUAL(intc.n_eoi, 1);
    CU_ASSERT_EQUAL(intc.eoi_at[0], NS(2060));
    CU_ASSERT_EQUAL(dj.done_at, NS(3605));
    CU_ASSERT_EQUAL(tj.done_at, NS(7705));
    CU_ASSERT_EQUAL(cpu_lp_busy_ps(f.cpu, 0, CPU_LEVEL_ISR), NS(585));
    CU_ASSERT_EQUAL(cpu_lp_busy_ps(f.cpu, 0, CPU_LEVEL_DPC), NS(2020));
    /* The DPC's own time: dispatch and chain, not the ISR that preempted
     * it. */
    CU_ASSERT_EQUAL(d.busy_ps, NS(2020));
    CU_ASSERT_EQUAL(cpu_lp_busy_ps(f.cpu, 0, CPU_LEVEL_PASSIVE), NS(5100));
    CU_ASSERT_EQUAL(cpu_lp_owner_ps(f.cpu, 0, ij.owner), NS(585));
    CU_ASSERT_EQUAL(cpu_lp_idle_ps(f.cpu, 0), 0);
    CU_ASSERT_EQUAL(cpu_lp_interrupts(f.cpu, 0), 1);
    CU_ASSERT_EQUAL(cpu_lp_context_switches(f.cpu, 0), 1);
    fx_fini(&f);
}

static void
test_cpu_higher_class_vector_nests_and_lower_waits_for_eoi(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct fake_intc intc;
    int order[8], n_order = 0;
    struct job a = { .cycles = 2600, .id = 0x30 };  /* 1 us */
    struct job b = { .cycles = 1300, .id = 0x50 };  /* 0.5 us */
    struct job c = { .cycles = 520, .id = 0x41 };   /* 0.2 us */
    struct job d = { .cycles = 260, .id = 0x20 };   /* 0.1 us */
    struct job e = { .cycles = 260, .id = 0x35 };   /* 0.1 us */
    struct job *jobs[] = { &a, &b, &c, &d, &e };
    struct raise r[5];
    struct action act[5];
    const sim_time_t when[5] = { 0, NS(300), NS(400), NS(500), NS(450) };
    const int eoi_expect[5] = { 0x50, 0x41, 0x30, 0x35, 0x20 };

    fx_init(&f, &cfg);
    fake_attach(&intc, f.cpu);
    for (int i = 0; i < 5; i++) {
        jobs[i]->owner = cpu_owner(f.cpu, "pnic0 driver");
        jobs[i]->order = order;
        jobs[i]->n_order = &n_order;
        CU_ASSERT_EQUAL(cpu_set_isr(f.cpu, 0, jobs[i]->id, jobs[i]->owner,
                                    job_start, jobs[i]), 0);
        r[i] = (struct raise){ &intc, 0, jobs[i]->id };
        act[i] = (struct action){ raise_action, &r[i] };
        at(&f, when[i], &act[i]);
    }
    sim_run(f.sim, SIM_TIME_MAX);

    /* 0x30 runs from 0; 0x50 (class 5) nests at 0.3 and ends at 0.8;
     * 0x41 (class 4 < 5) waits for that EOI, then nests above 0x30 until
     * 1.0; 0x30 resumes with 0.7 us left and ends at 1.7; then 0x35 (class
     * 3, same as 0x30, so it had to wait) and last 0x20. */
    CU_ASSERT_EQUAL(b.started_at, NS(300));
    CU_ASSERT_EQUAL(b.depth_seen, 2);
    CU_ASSERT_EQUAL(b.done_at, NS(800));
    CU_ASSERT_EQUAL(c.started_at, NS(800));
    CU_ASSERT_EQUAL(c.depth_seen, 2);
    CU_ASSERT_EQUAL(c.done_at, NS(1000));
    CU_ASSERT_EQUAL(a.done_at, NS(1700));
    CU_ASSERT_EQUAL(e.started_at, NS(1700));
    CU_ASSERT_EQUAL(e.depth_seen, 1);
    CU_ASSERT_EQUAL(e.done_at, NS(1800));
    CU_ASSERT_EQUAL(d.done_at, NS(1900));
    CU_ASSERT_EQUAL_FATAL(intc.n_eoi, 5);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(intc.eoi_vec[i], eoi_expect[i]);
    }
    CU_ASSERT_EQUAL(n_order, 5);
    CU_ASSERT_EQUAL(cpu_lp_isr_depth(f.cpu, 0), 0);
    CU_ASSERT_EQUAL(cpu_lp_busy_ps(f.cpu, 0, CPU_LEVEL_ISR), NS(1900));
    fx_fini(&f);
}

/* Records the EOI count seen when the handler's chain ends. */
struct eoi_probe {
    struct fake_intc *intc;
    uint32_t owner;
    int eois_at_handler_end[8];
    int n;
};

static void
probe_done(struct cpu_exec *x, void *arg)
{
    struct eoi_probe *p = arg;

    (void)x;
    p->eois_at_handler_end[p->n++] = p->intc->n_eoi;
}

static void
probe_isr(struct cpu_exec *x, void *arg)
{
    struct eoi_probe *p = arg;

    cpu_charge(x, p->owner, 1300, probe_done, p);
}

static void
test_cpu_eoi_is_written_once_per_interrupt_after_the_handler(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct fake_intc intc;
    struct eoi_probe p = { 0 };
    struct job tj = { .cycles = 2600 };
    struct cpu_thread *t;
    struct wake w;
    struct raise r[3];
    struct action aw = { wake_action, &w }, ar[3];

    cfg.costs.isr_entry_cycles = 130;           /* 50 ns */
    cfg.costs.eoi_cycles = 26;                  /* 10 ns */
    cfg.costs.isr_exit_cycles = 65;             /* 25 ns */
    fx_init(&f, &cfg);
    fake_attach(&intc, f.cpu);
    p.intc = &intc;
    p.owner = cpu_owner(f.cpu, "pnic0 driver");
    tj.owner = cpu_owner(f.cpu, "VMWP");
    t = cpu_thread_create(f.cpu, "t", tj.owner, 0);
    w = (struct wake){ t, &tj };
    at(&f, 0, &aw);
    CU_ASSERT_EQUAL(cpu_set_isr(f.cpu, 0, 0x61, p.owner, probe_isr, &p), 0);
    for (int i = 0; i < 3; i++) {
        r[i] = (struct raise){ &intc, 0, 0x61 };
        ar[i] = (struct action){ raise_action, &r[i] };
        at(&f, NS(10000) * (i + 1), &ar[i]);
    }
    sim_run(f.sim, SIM_TIME_MAX);

    CU_ASSERT_EQUAL(intc.n_ack, 3);
    CU_ASSERT_EQUAL(intc.n_eoi, 3);
    CU_ASSERT_EQUAL(p.n, 3);
    for (int i = 0; i < 3; i++) {
        /* The handler's chain ends before its own EOI, 10 ns before it. */
        CU_ASSERT_EQUAL(p.eois_at_handler_end[i], i);
        CU_ASSERT_EQUAL(intc.eoi_at[i], NS(10000) * (i + 1) + NS(560));
    }
    /* The thread's 1 us is not preempted (it is over by 10 us). */
    CU_ASSERT_EQUAL(tj.done_at, NS(1000));
    CU_ASSERT_EQUAL(cpu_lp_busy_ps(f.cpu, 0, CPU_LEVEL_ISR), 3 * NS(585));
    CU_ASSERT_EQUAL(cpu_lp_interrupts(f.cpu, 0), 3);
    fx_fini(&f);
}

static void
test_cpu_vector_without_handler_is_counted_spurious_and_eoied(void)
{
    struct cpu_config cfg = base_config(2);
    struct fx f;
    struct fake_intc intc;
    struct raise r;
    struct action ar = { raise_action, &r };

    cfg.costs.isr_entry_cycles = 130;
    fx_init(&f, &cfg);
    fake_attach(&intc, f.cpu);
    r = (struct raise){ &intc, 1, 0x77 };
    at(&f, NS(5), &ar);
    sim_run(f.sim, NS(1000));

    CU_ASSERT_EQUAL(cpu_lp_spurious(f.cpu, 1), 1);
    CU_ASSERT_EQUAL(cpu_lp_interrupts(f.cpu, 1), 0);
    CU_ASSERT_EQUAL(intc.n_eoi, 1);
    CU_ASSERT_EQUAL(intc.eoi_vec[0], 0x77);
    CU_ASSERT_EQUAL(intc.eoi_at[0], NS(5));
    CU_ASSERT_EQUAL(intc.lp[1].n_isr, 0);
    CU_ASSERT_EQUAL(cpu_lp_idle_ps(f.cpu, 1), NS(1000));
    CU_ASSERT_EQUAL(metric_value(metrics_find(f.reg, "cpu0.lp1.spurious")),
                    1.0);
    fx_fini(&f);
}

/* ---- DPCs --------------------------------------------------------------- */

struct requeue {
    struct job job;
    struct cpu_dpc dpc;
    int requeues_left;
    bool requeue_result;
};

static void
requeue_step(struct cpu_exec *x, void *arg)
{
    struct requeue *rq = arg;

    if (rq->requeues_left > 0) {
        rq->requeues_left--;
        rq->requeue_result = cpu_queue_dpc(cpu_exec_cpu(x), cpu_exec_lp(x),
                                           &rq->dpc);
    }
    job_start(x, &rq->job);
}

struct double_queue {
    struct cpu *cpu;
    struct cpu_dpc *dpc;
    bool first, second;
};

static void
double_queue_action(void *arg)
{
    struct double_queue *dq = arg;

    dq->first = cpu_queue_dpc(dq->cpu, 0, dq->dpc);
    dq->second = cpu_queue_dpc(dq->cpu, 0, dq->dpc);
}

static void
test_cpu_queueing_a_queued_dpc_is_a_no_op_but_a_running_one_requeues(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct requeue rq = { .job = { .cycles = 2600 }, .requeues_left = 1 };
    struct double_queue dq;
    struct action a = { double_queue_action, &dq };

    cfg.costs.dpc_dispatch_cycles = 52;
    fx_init(&f, &cfg);
    rq.job.owner = cpu_owner(f.cpu, "pnic0 driver");
    cpu_dpc_init(&rq.dpc, requeue_step, &rq, rq.job.owner);
    dq = (struct double_queue){ f.cpu, &rq.dpc, false, false };
    at(&f, 0, &a);
    sim_run(f.sim, SIM_TIME_MAX);

    CU_ASSERT_TRUE(dq.first);
    CU_ASSERT_FALSE(dq.second);
    /* Once started it is no longer queued: its own step queues it again. */
    CU_ASSERT_TRUE(rq.requeue_result);
    CU_ASSERT_EQUAL(rq.job.runs, 2);
    CU_ASSERT_EQUAL(cpu_lp_dpcs(f.cpu, 0), 2);
    CU_ASSERT_EQUAL(rq.job.done_at, 2 * NS(1020));
    CU_ASSERT_FALSE(cpu_dpc_is_queued(&rq.dpc));
    fx_fini(&f);
}

struct fifo {
    struct cpu *cpu;
    struct cpu_dpc dpc[4];
    struct job job[4];
};

static void
fifo_action(void *arg)
{
    struct fifo *q = arg;

    for (int i = 0; i < 4; i++) {
        CU_ASSERT_TRUE(cpu_queue_dpc(q->cpu, 1, &q->dpc[i]));
    }
    CU_ASSERT_EQUAL(cpu_lp_dpc_queue_len(q->cpu, 1), 4);
}

static void
test_cpu_dpcs_run_in_fifo_order_and_queue_length_is_time_averaged(void)
{
    struct cpu_config cfg = base_config(2);
    struct fx f;
    struct fifo q;
    int order[4], n_order = 0;
    struct action a = { fifo_action, &q };
    uint32_t owner;

    fx_init(&f, &cfg);
    owner = cpu_owner(f.cpu, "vmswitch");
    q.cpu = f.cpu;
    for (int i = 0; i < 4; i++) {
        q.job[i] = (struct job){ .owner = owner, .cycles = 2600,
                                 .order = order, .n_order = &n_order,
                                 .id = i };
        cpu_dpc_init(&q.dpc[i], job_start, &q.job[i], owner);
    }
    at(&f, 0, &a);
    sim_run(f.sim, NS(8000));

    CU_ASSERT_EQUAL_FATAL(n_order, 4);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(order[i], i);
        CU_ASSERT_EQUAL(q.job[i].done_at, NS(1000) * (i + 1));
        /* Each DPC is charged its own microsecond, no more. */
        CU_ASSERT_EQUAL(q.dpc[i].busy_ps, NS(1000));
    }
    /* Queue length 3, 2, 1, 0 for 1 us each, over 8 us: 6/8. */
    metrics_finish(f.reg);
    CU_ASSERT_DOUBLE_EQUAL(
        metric_value(metrics_find(f.reg, "cpu0.lp1.dpc_queue")), 0.75, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(
        metric_value(metrics_find(f.reg, "cpu0.lp1.dpc")), 0.5, 1e-12);
    CU_ASSERT_EQUAL(cpu_lp_dpcs(f.cpu, 0), 0);
    fx_fini(&f);
}

static void
first_action(void *arg)
{
    struct fifo *q = arg;

    CU_ASSERT_TRUE(cpu_queue_dpc_first(q->cpu, 1, &q->dpc[3]));
    CU_ASSERT_FALSE(cpu_queue_dpc_first(q->cpu, 1, &q->dpc[3]));
    CU_ASSERT_EQUAL(cpu_lp_dpc_queue_len(q->cpu, 1), 3);
}

static void
three_action(void *arg)
{
    struct fifo *q = arg;

    for (int i = 0; i < 3; i++) {
        CU_ASSERT_TRUE(cpu_queue_dpc(q->cpu, 1, &q->dpc[i]));
    }
}

static void
test_cpu_a_dpc_queued_first_runs_next_but_does_not_preempt(void)
{
    struct cpu_config cfg = base_config(2);
    struct fx f;
    struct fifo q;
    int order[4], n_order = 0;
    struct action a = { three_action, &q }, b = { first_action, &q };
    const int want[4] = { 0, 3, 1, 2 };
    uint32_t owner;

    fx_init(&f, &cfg);
    owner = cpu_owner(f.cpu, "vmswitch");
    q.cpu = f.cpu;
    for (int i = 0; i < 4; i++) {
        q.job[i] = (struct job){ .owner = owner, .cycles = 2600,
                                 .order = order, .n_order = &n_order,
                                 .id = i };
        cpu_dpc_init(&q.dpc[i], job_start, &q.job[i], owner);
    }
    at(&f, 0, &a);
    at(&f, NS(500), &b);            /* while DPC 0 runs; 1 and 2 wait */
    sim_run(f.sim, NS(8000));

    CU_ASSERT_EQUAL_FATAL(n_order, 4);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(order[i], want[i]);
    }
    CU_ASSERT_EQUAL(q.job[0].done_at, NS(1000));
    CU_ASSERT_EQUAL(q.job[3].done_at, NS(2000));
    CU_ASSERT_EQUAL(q.job[2].done_at, NS(4000));
    fx_fini(&f);
}

/* ---- Threads ------------------------------------------------------------ */

static void
test_cpu_context_switch_is_charged_only_when_the_thread_changes(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct job ja = { .cycles = 2600 }, jb = { .cycles = 2600 };
    struct job ja2 = { .cycles = 2600 };
    struct cpu_thread *ta, *tb;
    struct wake w1, w2, w3;
    struct action a1 = { wake_action, &w1 }, a2 = { wake_action, &w2 };
    struct action a3 = { wake_action, &w3 };
    uint32_t oa, ob;

    cfg.costs.context_switch_cycles = 260;      /* 100 ns */
    fx_init(&f, &cfg);
    oa = cpu_owner(f.cpu, "VMWP");
    ob = cpu_owner(f.cpu, "guest vm1");
    ja.owner = ja2.owner = oa;
    jb.owner = ob;
    ta = cpu_thread_create(f.cpu, "a", oa, 0);
    tb = cpu_thread_create(f.cpu, "b", ob, 0);
    w1 = (struct wake){ ta, &ja };
    w2 = (struct wake){ ta, &ja2 };
    w3 = (struct wake){ tb, &jb };
    at(&f, 0, &a1);             /* a: switch (from nothing), 0.1 - 1.1 */
    at(&f, NS(2000), &a2);      /* a again: no switch, 2.0 - 3.0 */
    at(&f, NS(4000), &a3);      /* b: switch, 4.1 - 5.1 */
    sim_run(f.sim, SIM_TIME_MAX);

    CU_ASSERT_EQUAL(ja.done_at, NS(1100));
    CU_ASSERT_EQUAL(ja2.started_at, NS(2000));
    CU_ASSERT_EQUAL(ja2.done_at, NS(3000));
    CU_ASSERT_EQUAL(jb.started_at, NS(4100));
    CU_ASSERT_EQUAL(jb.done_at, NS(5100));
    CU_ASSERT_EQUAL(cpu_lp_context_switches(f.cpu, 0), 2);
    /* The switch is the incoming thread's owner's time. */
    CU_ASSERT_EQUAL(cpu_lp_owner_ps(f.cpu, 0, oa), NS(2100));
    CU_ASSERT_EQUAL(cpu_lp_owner_ps(f.cpu, 0, ob), NS(1100));
    CU_ASSERT_FALSE(cpu_thread_is_active(ta));
    fx_fini(&f);
}

static void
test_cpu_quantum_rotates_threads_that_share_an_lp(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct job ja = { .cycles = 6500 }, jb = { .cycles = 6500 }; /* 2.5 us */
    struct job jc = { .cycles = 6500 };
    struct cpu_thread *ta, *tb, *tc;
    uint32_t owner;

    cfg.thread_quantum_ps = NS(1000);
    cfg.n_lps = 2;
    fx_init(&f, &cfg);
    owner = cpu_owner(f.cpu, "guest vm1");
    ja.owner = jb.owner = jc.owner = owner;
    ta = cpu_thread_create(f.cpu, "a", owner, 0);
    tb = cpu_thread_create(f.cpu, "b", owner, 0);
    tc = cpu_thread_create(f.cpu, "c", owner, 1);   /* alone on LP 1 */
    cpu_thread_wake(ta, job_start, &ja);
    cpu_thread_wake(tb, job_start, &jb);
    cpu_thread_wake(tc, job_start, &jc);
    sim_run(f.sim, SIM_TIME_MAX);

    /* a 0-1, b 1-2, a 2-3, b 3-4, a 4-4.5, b 4.5-5; c alone runs on. */
    CU_ASSERT_EQUAL(ja.done_at, NS(4500));
    CU_ASSERT_EQUAL(jb.started_at, NS(1000));
    CU_ASSERT_EQUAL(jb.done_at, NS(5000));
    CU_ASSERT_EQUAL(jc.done_at, NS(2500));
    CU_ASSERT_EQUAL(cpu_lp_context_switches(f.cpu, 0), 6);
    CU_ASSERT_EQUAL(cpu_lp_context_switches(f.cpu, 1), 1);
    fx_fini(&f);
}

/* A thread that finds a second thread waiting after it has run alone for
 * 2.3 quanta keeps the 0.7 quantum left, then yields. */
static void
test_cpu_quantum_is_renewed_while_nobody_waits(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct job ja = { .cycles = 13000 }, jb = { .cycles = 2600 };
    struct cpu_thread *ta, *tb;
    struct wake w;
    struct action a = { wake_action, &w };
    uint32_t owner;

    cfg.thread_quantum_ps = NS(1000);
    fx_init(&f, &cfg);
    owner = cpu_owner(f.cpu, "guest vm1");
    ja.owner = jb.owner = owner;
    ta = cpu_thread_create(f.cpu, "a", owner, 0);
    tb = cpu_thread_create(f.cpu, "b", owner, 0);
    cpu_thread_wake(ta, job_start, &ja);
    w = (struct wake){ tb, &jb };
    at(&f, NS(2300), &a);
    sim_run(f.sim, SIM_TIME_MAX);

    CU_ASSERT_EQUAL(jb.started_at, NS(3000));
    CU_ASSERT_EQUAL(jb.done_at, NS(4000));
    CU_ASSERT_EQUAL(ja.done_at, NS(6000));
    fx_fini(&f);
}

static void
test_cpu_wake_of_an_active_thread_reruns_its_entry_once(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct job j = { .cycles = 2600 };
    struct cpu_thread *t;
    struct wake w;
    struct action a0 = { wake_action, &w };
    struct action a1 = { wake_action, &w }, a2 = { wake_action, &w };
    struct action a3 = { wake_action, &w };

    cfg.costs.context_switch_cycles = 260;
    fx_init(&f, &cfg);
    j.owner = cpu_owner(f.cpu, "VMWP");
    t = cpu_thread_create(f.cpu, "t", j.owner, 0);
    w = (struct wake){ t, &j };
    at(&f, 0, &a0);
    at(&f, NS(500), &a1);       /* running: one pending wake */
    at(&f, NS(600), &a2);       /* collapses into the same one */
    at(&f, NS(5000), &a3);      /* blocked again by then: a new chain */
    sim_run(f.sim, NS(4000));

    CU_ASSERT_EQUAL(j.starts, 2);
    CU_ASSERT_EQUAL(j.runs, 2);
    CU_ASSERT_EQUAL(j.done_at, NS(2100));       /* 0.1 + 1 + 1 */
    CU_ASSERT_FALSE(cpu_thread_is_active(t));
    sim_run(f.sim, SIM_TIME_MAX);
    CU_ASSERT_EQUAL(j.runs, 3);
    CU_ASSERT_EQUAL(j.done_at, NS(6000));
    CU_ASSERT_EQUAL(cpu_lp_context_switches(f.cpu, 0), 1);
    fx_fini(&f);
}

/* ---- The storm ---------------------------------------------------------- */

#define STORM_LPS 4
#define STORM_THREADS 3
#define STORM_VECTORS 3

struct storm;

struct storm_dpc {
    struct storm *s;
    struct cpu_dpc dpc;
    uint32_t lp;
};

struct storm {
    struct fx f;
    struct fake_intc intc;
    struct rng rng;
    uint32_t owners[4];
    struct cpu_thread *threads[STORM_LPS][STORM_THREADS];
    struct storm_dpc dpcs[STORM_LPS][2];
    sim_time_t end;
    uint64_t actions;
    uint64_t checks;
    bool broken;
};

static const int storm_vectors[STORM_VECTORS] = { 0x31, 0x52, 0x83 };

static uint64_t
storm_cycles(struct storm *s)
{
    /* Mostly short pieces, sometimes long ones. */
    return rng_below(&s->rng, 8) == 0 ? (uint64_t)rng_range(&s->rng, 1, 30000)
                                      : (uint64_t)rng_range(&s->rng, 0, 900);
}

static void
storm_tail(struct cpu_exec *x, void *arg)
{
    struct storm *s = arg;

    /* Draws are sequenced one per statement: argument evaluation order
     * is unspecified, and the storm must be the same with any compiler. */
    if (rng_below(&s->rng, 3) == 0) {
        uint32_t owner = s->owners[rng_below(&s->rng, 4)];
        uint64_t cycles = storm_cycles(s);

        cpu_charge(x, owner, cycles, NULL, NULL);
    }
}

static void
storm_isr_then(struct cpu_exec *x, void *arg)
{
    struct storm *s = arg;
    uint32_t lp = cpu_exec_lp(x);

    cpu_queue_dpc(cpu_exec_cpu(x), lp, &s->dpcs[lp][rng_below(&s->rng, 2)].dpc);
    storm_tail(x, s);
}

static void
storm_isr(struct cpu_exec *x, void *arg)
{
    struct storm *s = arg;

    CU_ASSERT(cpu_exec_level(x) == CPU_LEVEL_ISR && cpu_exec_vector(x) >= 0);
    cpu_charge(x, s->owners[0], storm_cycles(s), storm_isr_then, s);
}

static void
storm_dpc_then(struct cpu_exec *x, void *arg)
{
    struct storm_dpc *d = arg;
    struct storm *s = d->s;
    uint32_t lp = (uint32_t)rng_below(&s->rng, STORM_LPS);

    struct cpu_thread *t = s->threads[lp][rng_below(&s->rng, STORM_THREADS)];

    cpu_thread_wake(t, storm_tail, s);
    storm_tail(x, s);
}

static void
storm_dpc(struct cpu_exec *x, void *arg)
{
    struct storm_dpc *d = arg;

    CU_ASSERT(cpu_exec_level(x) == CPU_LEVEL_DPC);
    cpu_charge(x, d->s->owners[1], storm_cycles(d->s), storm_dpc_then, d);
}

static void
storm_thread(struct cpu_exec *x, void *arg)
{
    struct storm *s = arg;
    struct cpu_thread *t = cpu_exec_thread(x);

    CU_ASSERT(t != NULL && cpu_thread_lp(t) == cpu_exec_lp(x));
    uint32_t owner = s->owners[2 + rng_below(&s->rng, 2)];
    uint64_t cycles = storm_cycles(s);

    cpu_charge(x, owner, cycles, storm_tail, s);
}

/* Checks the exact identities on every LP. */
static void
storm_check(struct storm *s)
{
    struct cpu *cpu = s->f.cpu;

    for (uint32_t lp = 0; lp < STORM_LPS; lp++) {
        sim_time_t busy = cpu_lp_total_busy_ps(cpu, lp);
        sim_time_t owners = 0;

        for (uint32_t o = 0; o < cpu_owner_count(cpu); o++) {
            owners += cpu_lp_owner_ps(cpu, lp, o);
        }
        if (busy + cpu_lp_idle_ps(cpu, lp) != cpu_elapsed_ps(cpu)
            || owners != busy) {
            s->broken = true;
        }
    }
    s->checks++;
}

static void
storm_check_event(struct sim *sim, void *ctx)
{
    struct storm *s = ctx;

    storm_check(s);
    if (sim_now(sim) + 9973 <= s->end) {
        sim_schedule_in(sim, 9973, SIM_COMPONENT_ROOT, 2, storm_check_event, s,
                        NULL);
    }
}

static void
storm_event(struct sim *sim, void *ctx)
{
    struct storm *s = ctx;
    uint32_t lp = (uint32_t)rng_below(&s->rng, STORM_LPS);

    switch (rng_below(&s->rng, 4)) {
    case 0:
    case 1:
        fake_raise(&s->intc, lp,
                   storm_vectors[rng_below(&s->rng, STORM_VECTORS)]);
        break;
    case 2:
        cpu_queue_dpc(s->f.cpu, lp, &s->dpcs[lp][rng_below(&s->rng, 2)].dpc);
        break;
    default:
        cpu_thread_wake(s->threads[lp][rng_below(&s->rng, STORM_THREADS)],
                        storm_thread, s);
        break;
    }
    s->actions++;
    sim_time_t gap = rng_range(&s->rng, 1, NS(1500));
    if (sim_now(sim) + gap <= s->end) {
        sim_schedule_in(sim, gap, SIM_COMPONENT_ROOT, 3, storm_event, s, NULL);
    }
}

/* Builds and runs a storm of 'end' ps from 'seed'; leaves it for checks. */
static void
storm_run(struct storm *s, uint64_t seed, sim_time_t end)
{
    static const char *const names[4] = {
        "pnic0 driver", "vmswitch", "VMWP", "guest vm1",
    };
    struct cpu_config cfg = base_config(STORM_LPS);

    memset(s, 0, sizeof *s);
    cfg.smt = true;
    cfg.numa_nodes = 2;
    cfg.costs = (struct cpu_costs){ 137, 71, 29, 53, 211 };
    cfg.thread_quantum_ps = NS(3000);
    fx_init(&s->f, &cfg);
    fake_attach(&s->intc, s->f.cpu);
    rng_init_stream(&s->rng, seed, "cpu0", "storm");
    s->end = end;
    for (int o = 0; o < 4; o++) {
        s->owners[o] = cpu_owner(s->f.cpu, names[o]);
    }
    for (uint32_t lp = 0; lp < STORM_LPS; lp++) {
        char name[32];

        /* LP 3 has no handler for 0x83: those are spurious. */
        for (int v = 0; v < STORM_VECTORS - (lp == 3); v++) {
            cpu_set_isr(s->f.cpu, lp, storm_vectors[v], s->owners[0],
                        storm_isr, s);
        }
        for (int d = 0; d < 2; d++) {
            s->dpcs[lp][d] = (struct storm_dpc){ .s = s, .lp = lp };
            cpu_dpc_init(&s->dpcs[lp][d].dpc, storm_dpc, &s->dpcs[lp][d],
                         s->owners[1]);
        }
        for (int t = 0; t < STORM_THREADS; t++) {
            snprintf(name, sizeof name, "t%u.%d", lp, t);
            s->threads[lp][t] = cpu_thread_create(s->f.cpu, name,
                                                  s->owners[2 + t % 2], lp);
        }
    }
    sim_schedule_at(s->f.sim, 0, SIM_COMPONENT_ROOT, 3, storm_event, s, NULL);
    sim_schedule_at(s->f.sim, 0, SIM_COMPONENT_ROOT, 2, storm_check_event, s,
                    NULL);
    sim_run(s->f.sim, end);
    storm_check(s);
}

static void
test_cpu_busy_plus_idle_equals_elapsed_on_every_lp_under_a_storm(void)
{
    static struct storm s;
    struct cpu *cpu;
    uint64_t irqs = 0, spurious = 0, dpcs = 0, switches = 0;

    storm_run(&s, 42, NS(3000000));             /* 3 ms */
    cpu = s.f.cpu;
    CU_ASSERT_FALSE(s.broken);
    CU_ASSERT(s.checks > 300000);
    for (uint32_t lp = 0; lp < STORM_LPS; lp++) {
        sim_time_t levels = 0;

        for (int l = 0; l < CPU_LEVEL_COUNT; l++) {
            levels += cpu_lp_busy_ps(cpu, lp, (enum cpu_level)l);
        }
        CU_ASSERT_EQUAL(levels + cpu_lp_idle_ps(cpu, lp), NS(3000000));
        irqs += cpu_lp_interrupts(cpu, lp);
        spurious += cpu_lp_spurious(cpu, lp);
        dpcs += cpu_lp_dpcs(cpu, lp);
        switches += cpu_lp_context_switches(cpu, lp);
        /* Not idle all the time, not busy all the time. */
        CU_ASSERT(cpu_lp_idle_ps(cpu, lp) > 0);
        CU_ASSERT(cpu_lp_busy_ps(cpu, lp, CPU_LEVEL_ISR) > 0);
        CU_ASSERT(cpu_lp_busy_ps(cpu, lp, CPU_LEVEL_DPC) > 0);
        CU_ASSERT(cpu_lp_busy_ps(cpu, lp, CPU_LEVEL_PASSIVE) > 0);
    }
    CU_ASSERT(irqs > 500 && spurious > 10 && dpcs > 500 && switches > 100);
    if (getenv("TEST_CPU_VERBOSE")) {
        printf("\nstorm: %" PRIu64 " events, %" PRIu64 " interrupts, %" PRIu64
               " spurious, %" PRIu64 " DPCs, %" PRIu64 " switches;"
               " lp0 busy %.3f\n", sim_events_executed(s.f.sim), irqs,
               spurious, dpcs, switches,
               cpu_lp_total_busy_ps(cpu, 0) / (double)NS(3000000));
    }
    /* Let the work drain: every interrupt taken was EOIed exactly once
     * and the identities still hold. */
    sim_run(s.f.sim, SIM_TIME_MAX);
    for (uint32_t lp = 0; lp < STORM_LPS; lp++) {
        CU_ASSERT_EQUAL(cpu_lp_isr_depth(cpu, lp), 0);
        CU_ASSERT_EQUAL(cpu_lp_dpc_queue_len(cpu, lp), 0);
        CU_ASSERT_EQUAL(s.intc.lp[lp].n_isr, 0);
    }
    CU_ASSERT_EQUAL(s.intc.n_eoi, s.intc.n_ack);
    storm_check(&s);
    CU_ASSERT_FALSE(s.broken);
    CU_ASSERT(cpu_elapsed_ps(cpu) > NS(3000000));
    CU_ASSERT_EQUAL(irqs + spurious, (uint64_t)s.intc.n_ack);
    fx_fini(&s.f);
}

static void
test_cpu_time_average_metrics_match_the_exact_accumulators(void)
{
    static struct storm s;
    struct cpu *cpu;
    struct metrics *reg;
    double T = (double)NS(1000000);
    char name[128];

    storm_run(&s, 7, NS(1000000));
    cpu = s.f.cpu;
    reg = s.f.reg;
    metrics_finish(reg);
    for (uint32_t o = 0; o < cpu_owner_count(cpu); o++) {
        sim_time_t sum = 0;

        for (uint32_t lp = 0; lp < STORM_LPS; lp++) {
            sum += cpu_lp_owner_ps(cpu, lp, o);
            snprintf(name, sizeof name, "cpu0.lp%u.owner.%s", lp,
                     cpu_owner_name(cpu, o));
            CU_ASSERT_DOUBLE_EQUAL(metric_value(metrics_find(reg, name)),
                                   cpu_lp_owner_ps(cpu, lp, o) / T, 1e-9);
        }
        snprintf(name, sizeof name, "cpu0.owner.%s", cpu_owner_name(cpu, o));
        CU_ASSERT_DOUBLE_EQUAL(metric_value(metrics_find(reg, name)),
                               sum / T, 1e-9);
    }
    for (uint32_t lp = 0; lp < STORM_LPS; lp++) {
        snprintf(name, sizeof name, "cpu0.lp%u.busy", lp);
        CU_ASSERT_DOUBLE_EQUAL(metric_value(metrics_find(reg, name)),
                               cpu_lp_total_busy_ps(cpu, lp) / T, 1e-9);
        for (int l = 0; l < CPU_LEVEL_COUNT; l++) {
            snprintf(name, sizeof name, "cpu0.lp%u.%s", lp,
                     cpu_level_name((enum cpu_level)l));
            CU_ASSERT_DOUBLE_EQUAL(
                metric_value(metrics_find(reg, name)),
                cpu_lp_busy_ps(cpu, lp, (enum cpu_level)l) / T, 1e-9);
        }
        snprintf(name, sizeof name, "cpu0.lp%u.dpcs", lp);
        CU_ASSERT_EQUAL(metric_value(metrics_find(reg, name)),
                        (double)cpu_lp_dpcs(cpu, lp));
        snprintf(name, sizeof name, "cpu0.lp%u.context_switches", lp);
        CU_ASSERT_EQUAL(metric_value(metrics_find(reg, name)),
                        (double)cpu_lp_context_switches(cpu, lp));
        snprintf(name, sizeof name, "cpu0.lp%u.interrupts", lp);
        CU_ASSERT_EQUAL(metric_value(metrics_find(reg, name)),
                        (double)cpu_lp_interrupts(cpu, lp));
    }
    fx_fini(&s.f);
}

static void
test_cpu_same_storm_twice_gives_the_same_fingerprint(void)
{
    static struct storm a, b, c;
    sim_time_t busy_a[STORM_LPS];

    storm_run(&a, 99, NS(500000));
    for (uint32_t lp = 0; lp < STORM_LPS; lp++) {
        busy_a[lp] = cpu_lp_total_busy_ps(a.f.cpu, lp);
    }
    storm_run(&b, 99, NS(500000));
    storm_run(&c, 100, NS(500000));
    CU_ASSERT_EQUAL(sim_fingerprint(a.f.sim), sim_fingerprint(b.f.sim));
    CU_ASSERT_EQUAL(sim_events_executed(a.f.sim),
                    sim_events_executed(b.f.sim));
    CU_ASSERT_NOT_EQUAL(sim_fingerprint(a.f.sim), sim_fingerprint(c.f.sim));
    for (uint32_t lp = 0; lp < STORM_LPS; lp++) {
        CU_ASSERT_EQUAL(busy_a[lp], cpu_lp_total_busy_ps(b.f.cpu, lp));
    }
    fx_fini(&a.f);
    fx_fini(&b.f);
    fx_fini(&c.f);
}

/* ---- Configuration, topology, timeline ---------------------------------- */

static void
test_cpu_create_rejects_invalid_configurations(void)
{
    struct sim *sim = sim_create();
    struct metrics *reg = metrics_create(sim);
    struct cpu *cpu = (struct cpu *)&cpu;
    struct cpu_config ok = base_config(4), bad;

    bad = ok, bad.name = "";
    CU_ASSERT_EQUAL(cpu_create(sim, reg, 0, &bad, &cpu), EINVAL);
    CU_ASSERT_PTR_NULL(cpu);
    bad = ok, bad.name = "a.b";
    CU_ASSERT_EQUAL(cpu_create(sim, reg, 0, &bad, &cpu), EINVAL);
    bad = ok, bad.n_lps = 0;
    CU_ASSERT_EQUAL(cpu_create(sim, reg, 0, &bad, &cpu), EINVAL);
    bad = ok, bad.mhz = 0;
    CU_ASSERT_EQUAL(cpu_create(sim, reg, 0, &bad, &cpu), EINVAL);
    bad = ok, bad.mhz = CLOCK_MAX_MHZ + 1;
    CU_ASSERT_EQUAL(cpu_create(sim, reg, 0, &bad, &cpu), EINVAL);
    bad = ok, bad.n_lps = 3, bad.smt = true;
    CU_ASSERT_EQUAL(cpu_create(sim, reg, 0, &bad, &cpu), EINVAL);
    bad = ok, bad.numa_nodes = 3;
    CU_ASSERT_EQUAL(cpu_create(sim, reg, 0, &bad, &cpu), EINVAL);
    bad = ok, bad.numa_nodes = 4, bad.smt = true;   /* splits cores */
    CU_ASSERT_EQUAL(cpu_create(sim, reg, 0, &bad, &cpu), EINVAL);
    bad = ok, bad.costs.eoi_cycles = CLOCK_MAX_CYCLES + 1;
    CU_ASSERT_EQUAL(cpu_create(sim, reg, 0, &bad, &cpu), EINVAL);
    bad = ok, bad.thread_quantum_ps = -1;
    CU_ASSERT_EQUAL(cpu_create(sim, reg, 0, &bad, &cpu), EINVAL);
    CU_ASSERT_EQUAL(cpu_create(sim, NULL, 0, &ok, &cpu), EINVAL);
    cpu_destroy(NULL);

    bad = ok, bad.n_lps = 8, bad.smt = true, bad.numa_nodes = 2;
    CU_ASSERT_EQUAL_FATAL(cpu_create(sim, reg, 0, &bad, &cpu), 0);
    CU_ASSERT_EQUAL(cpu_lp_core(cpu, 5), 2);
    CU_ASSERT_EQUAL(cpu_lp_sibling(cpu, 5), 4);
    CU_ASSERT_EQUAL(cpu_lp_sibling(cpu, 6), 7);
    CU_ASSERT_EQUAL(cpu_lp_numa_node(cpu, 3), 0);
    CU_ASSERT_EQUAL(cpu_lp_numa_node(cpu, 4), 1);
    CU_ASSERT_STRING_EQUAL(sim_component_path(sim, cpu_lp_component(cpu, 7)),
                           "cpu0.lp7");
    CU_ASSERT_EQUAL(cpu_owner(cpu, "vmswitch"), 0);
    CU_ASSERT_EQUAL(cpu_owner(cpu, "VMWP"), 1);
    CU_ASSERT_EQUAL(cpu_owner(cpu, "vmswitch"), 0);
    CU_ASSERT_EQUAL(cpu_owner_count(cpu), 2);
    CU_ASSERT_PTR_NOT_NULL(metrics_find(reg, "cpu0.owner.VMWP"));
    CU_ASSERT_PTR_NOT_NULL(metrics_find(reg, "cpu0.lp7.owner.vmswitch"));
    CU_ASSERT_EQUAL(cpu_set_isr(cpu, 8, 0x40, 0, job_start, NULL), EINVAL);
    CU_ASSERT_EQUAL(cpu_set_isr(cpu, 0, 256, 0, job_start, NULL), EINVAL);
    CU_ASSERT_EQUAL(cpu_set_isr(cpu, 0, 0x40, 2, job_start, NULL), EINVAL);
    cpu_destroy(cpu);
    metrics_destroy(reg);
    sim_destroy(sim);
}

static void
test_cpu_timeline_has_a_level_span_and_an_owner_span_per_contiguous_run(void)
{
    struct cpu_config cfg = base_config(1);
    struct fx f;
    struct trace *t;
    char path[] = "/tmp/test-cpu-XXXXXX";
    struct job tj = { .cycles = 13000 }, dj = { .cycles = 2600 };
    struct cpu_thread *th;
    struct cpu_dpc d;
    struct queue_dpc q;
    struct wake w;
    struct action aw = { wake_action, &w }, aq = { queue_dpc_action, &q };
    char buf[8192];
    size_t n;
    int fd, spans = 0;
    FILE *fp;

    fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    CU_ASSERT_EQUAL_FATAL(trace_create(NULL, path, &t, NULL, 0), 0);
    fx_init(&f, &cfg);
    cpu_set_trace(f.cpu, t);
    tj.owner = cpu_owner(f.cpu, "guest vm1");
    dj.owner = cpu_owner(f.cpu, "vmswitch");
    th = cpu_thread_create(f.cpu, "vcpu", tj.owner, 0);
    cpu_dpc_init(&d, job_start, &dj, dj.owner);
    w = (struct wake){ th, &tj };
    q = (struct queue_dpc){ f.cpu, 0, &d, false };
    at(&f, 0, &aw);
    at(&f, NS(1000), &aq);
    sim_run(f.sim, NS(4000));
    cpu_trace_flush(f.cpu);
    CU_ASSERT_EQUAL(trace_close(t, NULL, 0), 0);

    /* thread 0-1, DPC 1-2, thread 2-4 (flushed, still running): three
     * owner slices, each inside a level slice of the same extent. */
    fp = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    unlink(path);
    for (const char *p = buf; (p = strstr(p, "\"ph\":\"X\"")); p++) {
        spans++;
    }
    CU_ASSERT_EQUAL(spans, 6);
    spans = 0;
    for (const char *p = buf; (p = strstr(p, "\"cat\":\"level\"")); p++) {
        spans++;
    }
    CU_ASSERT_EQUAL(spans, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"name\":\"DPC\",\"cat\":\"level\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"name\":\"thread\",\"cat\":\"level\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"name\":\"vmswitch\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"cat\":\"dpc\""));
    fx_fini(&f);
}

static const struct cutest_case timing_cases[] = {
    CUTEST(test_cpu_single_charge_at_2600_mhz_takes_ceil_of_cycles_over_frequency),
    CUTEST(test_cpu_preempted_piece_keeps_its_remaining_work_to_the_unit),
    CUTEST(test_cpu_isr_preempts_dpc_preempts_thread_and_each_resumes_exactly),
    CUTEST_END
};

static const struct cutest_case interrupt_cases[] = {
    CUTEST(test_cpu_higher_class_vector_nests_and_lower_waits_for_eoi),
    CUTEST(test_cpu_eoi_is_written_once_per_interrupt_after_the_handler),
    CUTEST(test_cpu_vector_without_handler_is_counted_spurious_and_eoied),
    CUTEST_END
};

static const struct cutest_case dpc_thread_cases[] = {
    CUTEST(test_cpu_queueing_a_queued_dpc_is_a_no_op_but_a_running_one_requeues),
    CUTEST(test_cpu_dpcs_run_in_fifo_order_and_queue_length_is_time_averaged),
    CUTEST(test_cpu_a_dpc_queued_first_runs_next_but_does_not_preempt),
    CUTEST(test_cpu_context_switch_is_charged_only_when_the_thread_changes),
    CUTEST(test_cpu_quantum_rotates_threads_that_share_an_lp),
    CUTEST(test_cpu_quantum_is_renewed_while_nobody_waits),
    CUTEST(test_cpu_wake_of_an_active_thread_reruns_its_entry_once),
    CUTEST_END
};

static const struct cutest_case accounting_cases[] = {
    CUTEST(test_cpu_busy_plus_idle_equals_elapsed_on_every_lp_under_a_storm),
    CUTEST(test_cpu_time_average_metrics_match_the_exact_accumulators),
    CUTEST(test_cpu_same_storm_twice_gives_the_same_fingerprint),
    CUTEST(test_cpu_create_rejects_invalid_configurations),
    CUTEST(test_cpu_timeline_has_a_level_span_and_an_owner_span_per_contiguous_run),
    CUTEST_END
};

CUTEST_MAIN({ "cpu-timing", timing_cases },
            { "cpu-interrupts", interrupt_cases },
            { "cpu-dpcs-threads", dpc_thread_cases },
            { "cpu-accounting", accounting_cases })
