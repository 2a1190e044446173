/*
 * cpu.c -- the processor model (cpu.h): logical processors executing
 * chains of work at ISR, DPC and passive level, with exact preemption and
 * exact time accounting.  It converts cycles to time through models/clock.h
 * and talks to an interrupt controller (models/apic, or a test's fake)
 * only through struct cpu_intc.
 */
#include "config.h"

#include "models/cpu.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/clock.h"
#include "sim/log.h"
#include "sim/metrics.h"
#include "sim/trace.h"

/* Event kinds on an LP's component. */
enum {
    EV_SLICE_END = 1,           /* the running slice is over */
    EV_KICK = 2,                /* something changed: look again */
};

enum exec_kind {
    EXEC_ISR,
    EXEC_DPC,
    EXEC_THREAD,
};

/* Where a context is in its life; each phase ends with "chain done". */
enum exec_phase {
    PH_ISR_ENTRY,               /* charging isr_entry_cycles */
    PH_ISR_HANDLER,             /* the handler's chain */
    PH_ISR_EOI,                 /* charging eoi_cycles, then eoi() */
    PH_ISR_EXIT,                /* charging isr_exit_cycles, then pop */
    PH_DPC_DISPATCH,            /* charging dpc_dispatch_cycles */
    PH_DPC_RUN,                 /* the DPC's chain */
    PH_THREAD_RUN,              /* the thread's chain */
};

/* A piece of work: what is left of it, and for whom. */
struct piece {
    uint32_t owner;
    clock_work_t rem;           /* work units still to execute */
};

struct cpu_exec {
    struct cpu *cpu;
    struct lp *lp;
    enum exec_kind kind;
    enum cpu_level level;
    enum exec_phase phase;
    bool has_piece;             /* 'piece' and 'next' are the chain's state */
    bool in_step;               /* a step of this context is running */
    bool charged;               /* ... and has called cpu_charge() */
    struct piece piece;
    cpu_step_fn *next;          /* NULL: the chain ends after the piece */
    void *next_arg;
    /* ISR and DPC: the chain's first step, its argument and owner, taken
     * when the context starts. */
    cpu_step_fn *entry;
    void *entry_arg;
    uint32_t entry_owner;
    int vector;                 /* ISR: the vector served, else -1 */
    struct cpu_thread *thread;  /* thread: itself, else NULL */
};

enum thread_state {
    TH_BLOCKED,
    TH_READY,                   /* in the LP's run queue */
    TH_RUNNING,                 /* the LP's current thread */
};

struct cpu_thread {
    struct cpu_exec x;
    char *name;
    uint32_t owner;
    uint32_t lp;
    enum thread_state state;
    bool wake_pending;
    cpu_step_fn *entry;         /* first step of the next chain */
    void *entry_arg;
    sim_time_t quantum_used_ps; /* passive time in the current quantum */
    struct cpu_thread *runq_next;
    struct cpu_thread *all_next;
};

struct isr_handler {
    cpu_step_fn *fn;
    void *arg;
    uint32_t owner;
};

/*
 * One logical processor.
 *
 * INVARIANTS.  At most one event is pending ('ev').  Outside lp_dispatch(),
 * 'run' is the piece executing since 'last_ps' (NULL: idle since then),
 * and that event is the end of its slice or a kick at the current time.
 * Accumulators cover [cpu->t0, last_ps] exactly; settling adds the time
 * since 'last_ps' to the running piece's level and owner (or to idle) and
 * takes the work done out of the piece.  The "shown" state (m_busy,
 * m_level, m_owner) is what the metrics and the open timeline span say,
 * and equals the running piece's level and owner after every dispatch.
 */
struct lp {
    struct cpu *cpu;
    uint32_t index;
    sim_component_id comp;
    sim_event_id ev;
    sim_time_t ev_time;

    struct cpu_exec isr[CPU_ISR_DEPTH_MAX];
    uint32_t isr_depth;
    struct isr_handler handlers[CPU_VECTORS];

    struct cpu_exec dpc_x;
    bool dpc_active;
    struct cpu_dpc *cur_dpc;            /* the DPC dpc_x runs, or NULL */
    struct cpu_dpc *dpcq_head, *dpcq_tail;
    uint32_t dpcq_len;

    struct cpu_thread *cur_thread;      /* RUNNING, possibly preempted */
    struct cpu_thread *last_thread;     /* the last one switched to */
    struct cpu_thread *runq_head, *runq_tail;
    bool switch_pending;                /* charge switch_piece first */
    struct piece switch_piece;

    struct piece *run;
    enum cpu_level run_level;
    struct cpu_thread *run_thread;      /* whose quantum 'run' uses */
    sim_time_t last_ps;

    sim_time_t busy_ps[CPU_LEVEL_COUNT];
    sim_time_t idle_ps;
    sim_time_t *owner_ps;               /* [n_owners] */
    uint64_t interrupts, spurious, dpcs, switches;

    bool m_busy;
    enum cpu_level m_level;
    uint32_t m_owner;
    sim_time_t span_begin_ps;
    sim_time_t level_begin_ps;      /* the timeline's level span */
    struct metric *m_busy_avg;
    struct metric *m_level_avg[CPU_LEVEL_COUNT];
    struct metric *m_dpc_queue;
    struct metric *m_interrupts, *m_spurious, *m_dpcs, *m_switches;
    struct metric **m_owner_avg;        /* [n_owners] */
};

struct owner {
    char *name;
    uint32_t n_busy;            /* LPs busy for this owner now */
    struct metric *m_busy;
};

struct cpu {
    struct sim *sim;
    struct metrics *reg;
    sim_component_id comp;
    uint32_t n_lps;
    uint32_t mhz;
    bool smt;
    uint32_t numa_nodes;
    struct cpu_costs costs;
    sim_time_t quantum_ps;
    sim_time_t t0;

    bool has_intc;
    struct cpu_intc intc;
    void *intc_ctx;

    struct owner *owners;
    uint32_t n_owners;

    struct lp *lps;
    struct lp *dispatching;     /* the LP inside lp_dispatch(), if any */
    struct trace *trace;
    struct cpu_thread *threads; /* every thread, newest first */
};

static const char *const level_names[CPU_LEVEL_COUNT] = {
    "passive", "dpc", "isr",
};

const char *
cpu_level_name(enum cpu_level level)
{
    SIM_ASSERT((unsigned)level < CPU_LEVEL_COUNT);
    return level_names[level];
}

static void *
xrealloc(void *p, size_t n, size_t size)
{
    void *q = n ? realloc(p, n * size) : p;

    if (n && !q) {
        sim_out_of_memory("cpu");
    }
    return q;
}

static char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n, 1), s, n);
}

static struct lp *
lp_of(const struct cpu *cpu, uint32_t lp)
{
    SIM_ASSERT(lp < cpu->n_lps);
    return &cpu->lps[lp];
}

/* ---- Accounting, metrics and the timeline ------------------------------ */

/* Brings 'lp''s accumulators up to now (see struct lp). */
static void
lp_settle(struct lp *lp)
{
    struct cpu *cpu = lp->cpu;
    sim_time_t now = sim_now(cpu->sim);
    sim_time_t dt = now - lp->last_ps;

    SIM_ASSERT(dt >= 0);
    if (dt == 0) {
        return;
    }
    if (lp->run) {
        lp->busy_ps[lp->run_level] += dt;
        lp->owner_ps[lp->run->owner] += dt;
        if (lp->run_level == CPU_LEVEL_DPC && lp->cur_dpc) {
            lp->cur_dpc->busy_ps += dt;
        }
        lp->run->rem -= clock_work_in(dt, cpu->mhz, lp->run->rem);
        if (lp->run_thread && cpu->quantum_ps > 0) {
            struct cpu_thread *t = lp->run_thread;

            t->quantum_used_ps += dt;
            if (!lp->runq_head) {
                /* Nobody waited: every expired quantum was renewed. */
                t->quantum_used_ps %= cpu->quantum_ps;
            }
            SIM_ASSERT(t->quantum_used_ps <= cpu->quantum_ps);
        }
    } else {
        lp->idle_ps += dt;
    }
    lp->last_ps = now;
}

static void
emit_span(struct lp *lp, sim_time_t end)
{
    struct cpu *cpu = lp->cpu;

    if (cpu->trace && lp->m_busy && end > lp->span_begin_ps) {
        trace_span(cpu->trace, lp->comp, sim_component_path(cpu->sim, lp->comp),
                   cpu->owners[lp->m_owner].name, level_names[lp->m_level],
                   lp->span_begin_ps, end);
    }
}

/* The timeline's outer slice: the level the LP ran at (ISR, DPC or
 * thread) from 'level_begin_ps' to 'end'; the owners' slices nest in it. */
static void
emit_level_span(struct lp *lp, sim_time_t end)
{
    static const char *const names[CPU_LEVEL_COUNT] = {
        "thread", "DPC", "ISR",
    };
    struct cpu *cpu = lp->cpu;

    if (cpu->trace && lp->m_busy && end > lp->level_begin_ps) {
        trace_span(cpu->trace, lp->comp,
                   sim_component_path(cpu->sim, lp->comp),
                   names[lp->m_level], "level", lp->level_begin_ps, end);
    }
}

static void
owner_busy_add(struct lp *lp, uint32_t owner, int delta)
{
    struct owner *o = &lp->cpu->owners[owner];

    o->n_busy = (uint32_t)((int64_t)o->n_busy + delta);
    SIM_ASSERT(o->n_busy <= lp->cpu->n_lps);
    metric_set(o->m_busy, o->n_busy);
    metric_set(lp->m_owner_avg[owner], delta > 0);
}

/* Shows 'lp' as busy at 'level' for 'owner' (CPU_OWNER_NONE: idle) from
 * now on: updates the time-average metrics and the timeline span. */
static void
lp_show(struct lp *lp, enum cpu_level level, uint32_t owner)
{
    bool busy = owner != CPU_OWNER_NONE;
    bool level_changed = busy != lp->m_busy
                         || (busy && level != lp->m_level);
    bool owner_changed = busy != lp->m_busy
                         || (busy && owner != lp->m_owner);

    if (!level_changed && !owner_changed) {
        return;
    }
    emit_span(lp, sim_now(lp->cpu->sim));
    if (level_changed) {
        emit_level_span(lp, sim_now(lp->cpu->sim));
        lp->level_begin_ps = sim_now(lp->cpu->sim);
    }
    lp->span_begin_ps = sim_now(lp->cpu->sim);
    if (busy != lp->m_busy) {
        metric_set(lp->m_busy_avg, busy);
    }
    if (level_changed) {
        if (lp->m_busy) {
            metric_set(lp->m_level_avg[lp->m_level], 0);
        }
        if (busy) {
            metric_set(lp->m_level_avg[level], 1);
        }
    }
    if (owner_changed) {
        if (lp->m_busy) {
            owner_busy_add(lp, lp->m_owner, -1);
        }
        if (busy) {
            owner_busy_add(lp, owner, +1);
        }
    }
    lp->m_busy = busy;
    lp->m_level = busy ? level : CPU_LEVEL_PASSIVE;
    lp->m_owner = owner;
}

/* ---- Events ------------------------------------------------------------- */

static void lp_dispatch(struct lp *lp);

static void
lp_event(struct sim *sim, void *ctx)
{
    struct lp *lp = ctx;

    (void)sim;
    lp->ev = SIM_EVENT_NONE;
    lp_dispatch(lp);
}

static void
lp_schedule(struct lp *lp, sim_time_t when, uint16_t kind)
{
    int error;

    SIM_ASSERT(lp->ev == SIM_EVENT_NONE);
    error = sim_schedule_at(lp->cpu->sim, when, lp->comp, kind, lp_event, lp,
                            &lp->ev);
    SIM_ASSERT(error == 0);
    lp->ev_time = when;
}

/* Something changed on 'lp' from outside its own execution: make it look
 * again at the current time.  Inside its own dispatch the loop looks again
 * anyway. */
static void
lp_poke(struct lp *lp)
{
    struct cpu *cpu = lp->cpu;
    sim_time_t now = sim_now(cpu->sim);

    if (cpu->dispatching == lp) {
        return;
    }
    if (lp->ev != SIM_EVENT_NONE) {
        if (lp->ev_time == now) {
            return;             /* it will look at now anyway */
        }
        sim_cancel(cpu->sim, lp->ev);
        lp->ev = SIM_EVENT_NONE;
    }
    lp_schedule(lp, now, EV_KICK);
}

/* ---- Execution contexts --------------------------------------------------- */

static void
exec_init(struct cpu_exec *x, struct lp *lp, enum exec_kind kind,
          enum cpu_level level)
{
    memset(x, 0, sizeof *x);
    x->cpu = lp->cpu;
    x->lp = lp;
    x->kind = kind;
    x->level = level;
    x->vector = -1;
}

/* Gives 'x' a piece of 'cycles' for 'owner' after which its chain (or
 * phase) is done.  For the CPU's own costs. */
static void
exec_charge_internal(struct cpu_exec *x, uint32_t owner, uint64_t cycles)
{
    SIM_ASSERT(!x->has_piece);
    x->has_piece = true;
    x->piece.owner = owner;
    x->piece.rem = clock_work_of_cycles(cycles);
    x->next = NULL;
    x->next_arg = NULL;
}

static void exec_chain_done(struct cpu_exec *x);

/* Runs step 'fn'('arg') in 'x'; if it charges nothing, the chain is done. */
static void
exec_step(struct cpu_exec *x, cpu_step_fn *fn, void *arg)
{
    SIM_ASSERT(fn != NULL && !x->has_piece && !x->in_step);
    x->in_step = true;
    x->charged = false;
    fn(x, arg);
    x->in_step = false;
    if (!x->charged) {
        exec_chain_done(x);
    }
}

/* The chain (or the CPU's own phase) of 'x' has ended: move on. */
static void
exec_chain_done(struct cpu_exec *x)
{
    struct lp *lp = x->lp;
    struct cpu *cpu = lp->cpu;
    struct cpu_thread *t;

    switch (x->phase) {
    case PH_ISR_ENTRY:
        x->phase = PH_ISR_HANDLER;
        exec_step(x, x->entry, x->entry_arg);
        break;
    case PH_ISR_HANDLER:
        x->phase = PH_ISR_EOI;
        exec_charge_internal(x, x->entry_owner, cpu->costs.eoi_cycles);
        break;
    case PH_ISR_EOI:
        x->phase = PH_ISR_EXIT;
        if (cpu->has_intc) {
            cpu->intc.eoi(cpu->intc_ctx, lp->index);
        }
        exec_charge_internal(x, x->entry_owner, cpu->costs.isr_exit_cycles);
        break;
    case PH_ISR_EXIT:
        SIM_ASSERT(lp->isr_depth > 0 && x == &lp->isr[lp->isr_depth - 1]);
        x->vector = -1;
        lp->isr_depth--;
        break;
    case PH_DPC_DISPATCH:
        x->phase = PH_DPC_RUN;
        exec_step(x, x->entry, x->entry_arg);
        break;
    case PH_DPC_RUN:
        lp->dpc_active = false;
        lp->cur_dpc = NULL;
        break;
    case PH_THREAD_RUN:
        t = x->thread;
        if (t->wake_pending) {
            /* Stays current; the loop starts its next chain. */
            t->wake_pending = false;
        } else {
            SIM_ASSERT(lp->cur_thread == t);
            t->state = TH_BLOCKED;
            lp->cur_thread = NULL;
        }
        break;
    }
}

/* Takes an interrupt on 'lp' if the controller offers one.  Returns true
 * if the LP's state changed (an ISR frame was pushed, or a spurious vector
 * was EOIed). */
static bool
lp_take_interrupt(struct lp *lp)
{
    struct cpu *cpu = lp->cpu;
    const struct isr_handler *h;
    struct cpu_exec *x;
    int v;

    /* Interrupts are masked during an ISR's entry, EOI and exit (from the
     * interrupt gate until the kernel enables them, and from the EOI path
     * until IRET). */
    if (!cpu->has_intc || lp->isr_depth >= CPU_ISR_DEPTH_MAX
        || (lp->isr_depth > 0
            && lp->isr[lp->isr_depth - 1].phase != PH_ISR_HANDLER)
        || cpu->intc.pending(cpu->intc_ctx, lp->index) < 0) {
        return false;
    }
    v = cpu->intc.ack(cpu->intc_ctx, lp->index);
    if (v < 0) {
        return false;
    }
    SIM_ASSERT(v < CPU_VECTORS);
    h = &lp->handlers[v];
    if (!h->fn) {
        lp->spurious++;
        metric_add(lp->m_spurious, 1);
        cpu->intc.eoi(cpu->intc_ctx, lp->index);
        return true;
    }
    lp->interrupts++;
    metric_add(lp->m_interrupts, 1);
    if (cpu->trace) {
        char what[32];
        snprintf(what, sizeof what, "interrupt 0x%02x", (unsigned)v);
        trace_instant(cpu->trace, lp->comp,
                      sim_component_path(cpu->sim, lp->comp), what,
                      "interrupt", sim_now(cpu->sim));
    }
    x = &lp->isr[lp->isr_depth++];
    SIM_ASSERT(!x->has_piece && !x->in_step);
    x->phase = PH_ISR_ENTRY;
    x->vector = v;
    x->entry = h->fn;
    x->entry_arg = h->arg;
    x->entry_owner = h->owner;
    exec_charge_internal(x, h->owner, cpu->costs.isr_entry_cycles);
    return true;
}

/* True if the running thread 't' has just completed a piece (its next
 * step, or the end of its chain, is due now). */
static bool
thread_at_boundary(const struct cpu_thread *t)
{
    const struct lp *lp = t->x.lp;

    if (lp->switch_pending) {
        return lp->switch_piece.rem == 0;
    }
    return !t->x.has_piece || t->x.piece.rem == 0;
}

/* The context that runs next on 'lp' below any interrupt to take: the
 * innermost ISR, else the running or next DPC, else the current or next
 * thread (applying the quantum), else NULL (idle). */
static struct cpu_exec *
lp_select(struct lp *lp)
{
    struct cpu *cpu = lp->cpu;
    struct cpu_thread *t;

    if (lp->isr_depth > 0) {
        return &lp->isr[lp->isr_depth - 1];
    }
    if (lp->dpc_active) {
        return &lp->dpc_x;
    }
    if (lp->dpcq_head) {
        struct cpu_dpc *dpc = lp->dpcq_head;
        struct cpu_exec *x = &lp->dpc_x;

        lp->dpcq_head = dpc->next;
        if (!lp->dpcq_head) {
            lp->dpcq_tail = NULL;
        }
        dpc->next = NULL;
        dpc->queued = false;
        lp->dpcq_len--;
        metric_set(lp->m_dpc_queue, lp->dpcq_len);
        lp->dpcs++;
        metric_add(lp->m_dpcs, 1);
        lp->dpc_active = true;
        lp->cur_dpc = dpc;
        x->phase = PH_DPC_DISPATCH;
        x->entry = dpc->fn;
        x->entry_arg = dpc->arg;
        x->entry_owner = dpc->owner;
        exec_charge_internal(x, dpc->owner, cpu->costs.dpc_dispatch_cycles);
        return x;
    }

    t = lp->cur_thread;
    if (t && cpu->quantum_ps > 0 && lp->runq_head
        && t->quantum_used_ps >= cpu->quantum_ps && !thread_at_boundary(t)) {
        /* Quantum end with others waiting: to the tail, work kept.  (A
         * piece that completed exactly at the quantum's end first runs its
         * next step, which is part of the work just done.) */
        t->state = TH_READY;
        t->runq_next = NULL;
        lp->runq_tail->runq_next = t;
        lp->runq_tail = t;
        lp->cur_thread = NULL;
        lp->switch_pending = false;
        t = NULL;
    }
    if (!t && lp->runq_head) {
        t = lp->runq_head;
        lp->runq_head = t->runq_next;
        if (!lp->runq_head) {
            lp->runq_tail = NULL;
        }
        t->runq_next = NULL;
        t->state = TH_RUNNING;
        t->quantum_used_ps = 0;
        lp->cur_thread = t;
        lp->switch_pending = false;
        if (lp->last_thread != t) {
            lp->last_thread = t;
            lp->switch_pending = true;
            lp->switch_piece.owner = t->owner;
            lp->switch_piece.rem =
                clock_work_of_cycles(cpu->costs.context_switch_cycles);
            lp->switches++;
            metric_add(lp->m_switches, 1);
        }
    }
    return t ? &t->x : NULL;
}

/* Starts a slice of 'p' at 'level' on 'lp': it ends when the piece is
 * done or, for a thread with others waiting, when its quantum is. */
static void
lp_start_slice(struct lp *lp, struct piece *p, enum cpu_level level,
               struct cpu_thread *t)
{
    struct cpu *cpu = lp->cpu;
    sim_time_t d = clock_work_time(p->rem, cpu->mhz);

    SIM_ASSERT(d > 0);
    if (t && cpu->quantum_ps > 0 && lp->runq_head) {
        sim_time_t left = cpu->quantum_ps - t->quantum_used_ps;

        SIM_ASSERT(left > 0);
        if (left < d) {
            d = left;
        }
    }
    lp->run = p;
    lp->run_level = level;
    lp->run_thread = t;
    lp_show(lp, level, p->owner);
    lp_schedule(lp, sim_now(cpu->sim) + d, EV_SLICE_END);
}

/*
 * HOW AN LP RUNS.  Every event of an LP lands here.  Settle the accounts
 * up to now (which takes the work done out of the piece that ran), then
 * loop: take an interrupt if the controller offers one; pick the context
 * of highest level; if its piece has work left, start a slice of it and
 * stop; otherwise the piece is complete, so run the context's next step
 * (or end its chain) and look again.  Steps run inside the loop, so
 * whatever they change on this LP (a DPC queued, a thread woken, an
 * interrupt raised) is seen before the next piece starts, at the same
 * simulated time: that is preemption "at once".  A preempted piece simply
 * is not picked; its remaining work waits in its context.
 */
static void
lp_dispatch(struct lp *lp)
{
    struct cpu *cpu = lp->cpu;

    SIM_ASSERT(cpu->dispatching == NULL && lp->ev == SIM_EVENT_NONE);
    cpu->dispatching = lp;
    lp_settle(lp);
    lp->run = NULL;
    lp->run_thread = NULL;
    for (;;) {
        struct cpu_exec *x;

        if (lp_take_interrupt(lp)) {
            continue;
        }
        x = lp_select(lp);
        if (!x) {
            lp_show(lp, CPU_LEVEL_PASSIVE, CPU_OWNER_NONE);
            break;
        }
        if (x->kind == EXEC_THREAD && lp->switch_pending) {
            if (lp->switch_piece.rem > 0) {
                lp_start_slice(lp, &lp->switch_piece, CPU_LEVEL_PASSIVE,
                               x->thread);
                break;
            }
            lp->switch_pending = false;
            continue;
        }
        if (!x->has_piece) {
            /* A thread about to start a chain. */
            SIM_ASSERT(x->kind == EXEC_THREAD);
            exec_step(x, x->thread->entry, x->thread->entry_arg);
            continue;
        }
        if (x->piece.rem > 0) {
            lp_start_slice(lp, &x->piece, x->level,
                           x->kind == EXEC_THREAD ? x->thread : NULL);
            break;
        }
        x->has_piece = false;
        if (x->next) {
            exec_step(x, x->next, x->next_arg);
        } else {
            exec_chain_done(x);
        }
    }
    cpu->dispatching = NULL;
}

/* ---- The cpu -------------------------------------------------------------- */

static bool
config_valid(const struct cpu_config *cfg)
{
    const struct cpu_costs *c = &cfg->costs;
    uint32_t nodes = cfg->numa_nodes ? cfg->numa_nodes : 1;

    if (!cfg->name || !cfg->name[0] || strchr(cfg->name, '.')
        || cfg->n_lps < 1 || cfg->n_lps > CPU_MAX_LPS
        || cfg->mhz < 1 || cfg->mhz > CLOCK_MAX_MHZ
        || (cfg->smt && cfg->n_lps % 2 != 0)
        || nodes > cfg->n_lps || cfg->n_lps % nodes != 0
        || (cfg->smt && (cfg->n_lps / nodes) % 2 != 0)
        || cfg->thread_quantum_ps < 0) {
        return false;
    }
    return c->isr_entry_cycles <= CLOCK_MAX_CYCLES
           && c->isr_exit_cycles <= CLOCK_MAX_CYCLES
           && c->eoi_cycles <= CLOCK_MAX_CYCLES
           && c->dpc_dispatch_cycles <= CLOCK_MAX_CYCLES
           && c->context_switch_cycles <= CLOCK_MAX_CYCLES;
}

static void
lp_register_metrics(struct cpu *cpu, struct lp *lp)
{
    static const char *const level_desc[CPU_LEVEL_COUNT] = {
        "fraction of time the LP runs threads",
        "fraction of time the LP runs DPCs",
        "fraction of time the LP runs interrupt service routines",
    };
    struct metrics *reg = cpu->reg;

    lp->m_busy_avg = metrics_timeavg(reg, lp->comp, "busy", "1",
                                     "fraction of time the LP is busy", 0);
    for (int l = CPU_LEVEL_COUNT - 1; l >= 0; l--) {
        lp->m_level_avg[l] = metrics_timeavg(reg, lp->comp, level_names[l],
                                             "1", level_desc[l], 0);
    }
    lp->m_dpc_queue = metrics_timeavg(reg, lp->comp, "dpc_queue", "DPCs",
                                      "DPCs waiting in the LP's queue", 0);
    lp->m_interrupts = metrics_counter(reg, lp->comp, "interrupts",
                                       "interrupts",
                                       "interrupts taken with a handler");
    lp->m_spurious = metrics_counter(reg, lp->comp, "spurious", "interrupts",
                                     "interrupts taken without a handler");
    lp->m_dpcs = metrics_counter(reg, lp->comp, "dpcs", "DPCs",
                                 "DPCs started");
    lp->m_switches = metrics_counter(reg, lp->comp, "context_switches",
                                     "switches",
                                     "switches to another thread");
}

int
cpu_create(struct sim *sim, struct metrics *reg, sim_component_id parent,
           const struct cpu_config *cfg, struct cpu **out)
{
    struct cpu *cpu;
    int error = 0;

    *out = NULL;
    if (!sim || !reg || !cfg || !config_valid(cfg)) {
        return EINVAL;
    }
    cpu = calloc(1, sizeof *cpu);
    if (!cpu) {
        return ENOMEM;
    }
    cpu->lps = calloc(cfg->n_lps, sizeof *cpu->lps);
    if (!cpu->lps) {
        free(cpu);
        return ENOMEM;
    }
    cpu->sim = sim;
    cpu->reg = reg;
    cpu->n_lps = cfg->n_lps;
    cpu->mhz = cfg->mhz;
    cpu->smt = cfg->smt;
    cpu->numa_nodes = cfg->numa_nodes ? cfg->numa_nodes : 1;
    cpu->costs = cfg->costs;
    cpu->quantum_ps = cfg->thread_quantum_ps;
    cpu->t0 = sim_now(sim);
    cpu->comp = sim_component_add(sim, parent, cfg->name, &error);
    if (!cpu->comp) {
        cpu_destroy(cpu);
        return error ? error : EINVAL;
    }
    for (uint32_t i = 0; i < cpu->n_lps; i++) {
        struct lp *lp = &cpu->lps[i];
        char name[24];

        snprintf(name, sizeof name, "lp%" PRIu32, i);
        lp->cpu = cpu;
        lp->index = i;
        lp->comp = sim_component_add(sim, cpu->comp, name, &error);
        if (!lp->comp) {
            cpu_destroy(cpu);
            return error ? error : EINVAL;
        }
        lp->last_ps = cpu->t0;
        lp->m_owner = CPU_OWNER_NONE;
        for (int k = 0; k < CPU_ISR_DEPTH_MAX; k++) {
            exec_init(&lp->isr[k], lp, EXEC_ISR, CPU_LEVEL_ISR);
        }
        exec_init(&lp->dpc_x, lp, EXEC_DPC, CPU_LEVEL_DPC);
        lp_register_metrics(cpu, lp);
    }
    *out = cpu;
    return 0;
}

void
cpu_destroy(struct cpu *cpu)
{
    if (!cpu) {
        return;
    }
    for (uint32_t i = 0; i < cpu->n_lps; i++) {
        struct lp *lp = &cpu->lps[i];

        if (lp->ev != SIM_EVENT_NONE) {
            sim_cancel(cpu->sim, lp->ev);
        }
        free(lp->owner_ps);
        free(lp->m_owner_avg);
    }
    for (struct cpu_thread *t = cpu->threads, *next; t; t = next) {
        next = t->all_next;
        free(t->name);
        free(t);
    }
    for (uint32_t o = 0; o < cpu->n_owners; o++) {
        free(cpu->owners[o].name);
    }
    free(cpu->owners);
    free(cpu->lps);
    free(cpu);
}

struct sim *
cpu_sim(const struct cpu *cpu)
{
    return cpu->sim;
}

sim_time_t
cpu_now(const struct cpu *cpu)
{
    return sim_now(cpu->sim);
}

sim_component_id
cpu_component(const struct cpu *cpu)
{
    return cpu->comp;
}

sim_component_id
cpu_lp_component(const struct cpu *cpu, uint32_t lp)
{
    return lp_of(cpu, lp)->comp;
}

uint32_t
cpu_lp_count(const struct cpu *cpu)
{
    return cpu->n_lps;
}

uint32_t
cpu_mhz(const struct cpu *cpu)
{
    return cpu->mhz;
}

uint32_t
cpu_lp_core(const struct cpu *cpu, uint32_t lp)
{
    SIM_ASSERT(lp < cpu->n_lps);
    return cpu->smt ? lp / 2 : lp;
}

uint32_t
cpu_lp_sibling(const struct cpu *cpu, uint32_t lp)
{
    SIM_ASSERT(lp < cpu->n_lps);
    return cpu->smt ? lp ^ 1u : lp;
}

uint32_t
cpu_lp_numa_node(const struct cpu *cpu, uint32_t lp)
{
    SIM_ASSERT(lp < cpu->n_lps);
    return lp / (cpu->n_lps / cpu->numa_nodes);
}

uint32_t
cpu_owner(struct cpu *cpu, const char *name)
{
    struct owner *o;
    char mname[256];
    uint32_t id;

    SIM_ASSERT(name && name[0]);
    for (id = 0; id < cpu->n_owners; id++) {
        if (strcmp(cpu->owners[id].name, name) == 0) {
            return id;
        }
    }
    SIM_ASSERT(sim_events_executed(cpu->sim) == 0);
    SIM_ASSERT(cpu->n_owners < CPU_OWNER_NONE);
    cpu->owners = xrealloc(cpu->owners, id + 1, sizeof *cpu->owners);
    o = &cpu->owners[id];
    o->name = xstrdup(name);
    o->n_busy = 0;
    snprintf(mname, sizeof mname, "owner.%s", name);
    o->m_busy = metrics_timeavg(cpu->reg, cpu->comp, mname, "LPs",
                                "LPs busy for this owner", 0);
    for (uint32_t i = 0; i < cpu->n_lps; i++) {
        struct lp *lp = &cpu->lps[i];

        lp->owner_ps = xrealloc(lp->owner_ps, id + 1, sizeof *lp->owner_ps);
        lp->owner_ps[id] = 0;
        lp->m_owner_avg = xrealloc(lp->m_owner_avg, id + 1,
                                   sizeof *lp->m_owner_avg);
        lp->m_owner_avg[id] = metrics_timeavg(cpu->reg, lp->comp, mname, "1",
                                              "fraction of time the LP is "
                                              "busy for this owner", 0);
    }
    cpu->n_owners = id + 1;
    return id;
}

uint32_t
cpu_owner_count(const struct cpu *cpu)
{
    return cpu->n_owners;
}

const char *
cpu_owner_name(const struct cpu *cpu, uint32_t owner)
{
    SIM_ASSERT(owner < cpu->n_owners);
    return cpu->owners[owner].name;
}

void
cpu_set_trace(struct cpu *cpu, struct trace *t)
{
    cpu->trace = t;
}

void
cpu_trace_flush(struct cpu *cpu)
{
    sim_time_t now = sim_now(cpu->sim);

    for (uint32_t i = 0; i < cpu->n_lps; i++) {
        struct lp *lp = &cpu->lps[i];

        emit_span(lp, now);
        emit_level_span(lp, now);
        lp->span_begin_ps = now;
        lp->level_begin_ps = now;
    }
}

/* ---- Work --------------------------------------------------------------- */

void
cpu_charge(struct cpu_exec *x, uint32_t owner, uint64_t cycles,
           cpu_step_fn *next, void *arg)
{
    SIM_ASSERT(x->in_step && !x->charged);
    SIM_ASSERT(owner < x->cpu->n_owners);
    SIM_ASSERT(cycles <= CLOCK_MAX_CYCLES);
    x->charged = true;
    x->has_piece = true;
    x->piece.owner = owner;
    x->piece.rem = clock_work_of_cycles(cycles);
    x->next = next;
    x->next_arg = arg;
}

struct cpu *
cpu_exec_cpu(const struct cpu_exec *x)
{
    return x->cpu;
}

uint32_t
cpu_exec_lp(const struct cpu_exec *x)
{
    return x->lp->index;
}

enum cpu_level
cpu_exec_level(const struct cpu_exec *x)
{
    return x->level;
}

int
cpu_exec_vector(const struct cpu_exec *x)
{
    return x->vector;
}

struct cpu_thread *
cpu_exec_thread(const struct cpu_exec *x)
{
    return x->thread;
}

/* ---- Interrupts ----------------------------------------------------------- */

void
cpu_set_intc(struct cpu *cpu, const struct cpu_intc *ops, void *ctx)
{
    if (ops) {
        SIM_ASSERT(ops->pending && ops->ack && ops->eoi);
        cpu->intc = *ops;
        cpu->intc_ctx = ctx;
        cpu->has_intc = true;
    } else {
        memset(&cpu->intc, 0, sizeof cpu->intc);
        cpu->intc_ctx = NULL;
        cpu->has_intc = false;
    }
}

void
cpu_interrupt_notify(struct cpu *cpu, uint32_t lp)
{
    lp_poke(lp_of(cpu, lp));
}

int
cpu_set_isr(struct cpu *cpu, uint32_t lp, int vector, uint32_t owner,
            cpu_step_fn *isr, void *arg)
{
    struct isr_handler *h;

    if (lp >= cpu->n_lps || vector < 0 || vector >= CPU_VECTORS
        || (isr && owner >= cpu->n_owners)) {
        return EINVAL;
    }
    h = &cpu->lps[lp].handlers[vector];
    h->fn = isr;
    h->arg = isr ? arg : NULL;
    h->owner = isr ? owner : CPU_OWNER_NONE;
    return 0;
}

/* ---- DPCs ----------------------------------------------------------------- */

void
cpu_dpc_init(struct cpu_dpc *dpc, cpu_step_fn *fn, void *arg, uint32_t owner)
{
    SIM_ASSERT(fn != NULL);
    dpc->fn = fn;
    dpc->arg = arg;
    dpc->owner = owner;
    dpc->queued = false;
    dpc->next = NULL;
    dpc->busy_ps = 0;
}

bool
cpu_queue_dpc(struct cpu *cpu, uint32_t lp_index, struct cpu_dpc *dpc)
{
    struct lp *lp = lp_of(cpu, lp_index);

    SIM_ASSERT(dpc->owner < cpu->n_owners);
    if (dpc->queued) {
        return false;
    }
    dpc->queued = true;
    dpc->next = NULL;
    if (lp->dpcq_tail) {
        lp->dpcq_tail->next = dpc;
    } else {
        lp->dpcq_head = dpc;
    }
    lp->dpcq_tail = dpc;
    lp->dpcq_len++;
    metric_set(lp->m_dpc_queue, lp->dpcq_len);
    lp_poke(lp);
    return true;
}

struct trace *
cpu_trace(const struct cpu *cpu)
{
    return cpu->trace;
}

int
cpu_sample_busy(struct cpu *cpu, sim_time_t interval)
{
    for (uint32_t i = 0; i < cpu->n_lps; i++) {
        int err = metrics_sample_every(cpu->reg, cpu->lps[i].m_busy_avg,
                                       interval);
        if (err) {
            return err;
        }
    }
    return 0;
}

bool
cpu_queue_dpc_first(struct cpu *cpu, uint32_t lp_index, struct cpu_dpc *dpc)
{
    struct lp *lp = lp_of(cpu, lp_index);

    SIM_ASSERT(dpc->owner < cpu->n_owners);
    if (dpc->queued) {
        return false;
    }
    dpc->queued = true;
    dpc->next = lp->dpcq_head;
    lp->dpcq_head = dpc;
    if (!lp->dpcq_tail) {
        lp->dpcq_tail = dpc;
    }
    lp->dpcq_len++;
    metric_set(lp->m_dpc_queue, lp->dpcq_len);
    lp_poke(lp);
    return true;
}

bool
cpu_dpc_is_queued(const struct cpu_dpc *dpc)
{
    return dpc->queued;
}

/* ---- Threads -------------------------------------------------------------- */

struct cpu_thread *
cpu_thread_create(struct cpu *cpu, const char *name, uint32_t owner,
                  uint32_t lp)
{
    struct cpu_thread *t;

    SIM_ASSERT(name && owner < cpu->n_owners && lp < cpu->n_lps);
    t = calloc(1, sizeof *t);
    if (!t) {
        return NULL;
    }
    t->name = malloc(strlen(name) + 1);
    if (!t->name) {
        free(t);
        return NULL;
    }
    strcpy(t->name, name);
    exec_init(&t->x, &cpu->lps[lp], EXEC_THREAD, CPU_LEVEL_PASSIVE);
    t->x.thread = t;
    t->x.phase = PH_THREAD_RUN;
    t->owner = owner;
    t->lp = lp;
    t->state = TH_BLOCKED;
    t->all_next = cpu->threads;
    cpu->threads = t;
    return t;
}

void
cpu_thread_wake(struct cpu_thread *t, cpu_step_fn *entry, void *arg)
{
    struct lp *lp = t->x.lp;

    SIM_ASSERT(entry != NULL);
    t->entry = entry;
    t->entry_arg = arg;
    if (t->state != TH_BLOCKED) {
        t->wake_pending = true;
        return;
    }
    /* Settle first: a quantum is renewed only while nobody waits. */
    lp_settle(lp);
    t->state = TH_READY;
    t->runq_next = NULL;
    if (lp->runq_tail) {
        lp->runq_tail->runq_next = t;
    } else {
        lp->runq_head = t;
    }
    lp->runq_tail = t;
    lp_poke(lp);
}

const char *
cpu_thread_name(const struct cpu_thread *t)
{
    return t->name;
}

uint32_t
cpu_thread_lp(const struct cpu_thread *t)
{
    return t->lp;
}

bool
cpu_thread_is_active(const struct cpu_thread *t)
{
    return t->state != TH_BLOCKED;
}

/* ---- Accounting ----------------------------------------------------------- */

/* Time since 'lp' last settled: it belongs to the running piece, or to
 * idle. */
static sim_time_t
lp_unsettled(const struct lp *lp)
{
    return sim_now(lp->cpu->sim) - lp->last_ps;
}

sim_time_t
cpu_elapsed_ps(const struct cpu *cpu)
{
    return sim_now(cpu->sim) - cpu->t0;
}

sim_time_t
cpu_lp_busy_ps(const struct cpu *cpu, uint32_t lp_index, enum cpu_level level)
{
    const struct lp *lp = lp_of(cpu, lp_index);

    SIM_ASSERT((unsigned)level < CPU_LEVEL_COUNT);
    return lp->busy_ps[level]
           + (lp->run && lp->run_level == level ? lp_unsettled(lp) : 0);
}

sim_time_t
cpu_lp_total_busy_ps(const struct cpu *cpu, uint32_t lp)
{
    sim_time_t sum = 0;

    for (int l = 0; l < CPU_LEVEL_COUNT; l++) {
        sum += cpu_lp_busy_ps(cpu, lp, (enum cpu_level)l);
    }
    return sum;
}

sim_time_t
cpu_lp_owner_ps(const struct cpu *cpu, uint32_t lp_index, uint32_t owner)
{
    const struct lp *lp = lp_of(cpu, lp_index);

    SIM_ASSERT(owner < cpu->n_owners);
    return lp->owner_ps[owner]
           + (lp->run && lp->run->owner == owner ? lp_unsettled(lp) : 0);
}

sim_time_t
cpu_lp_idle_ps(const struct cpu *cpu, uint32_t lp_index)
{
    const struct lp *lp = lp_of(cpu, lp_index);

    return lp->idle_ps + (lp->run ? 0 : lp_unsettled(lp));
}

uint64_t
cpu_lp_busy_cycles(const struct cpu *cpu, uint32_t lp)
{
    return clock_time_cycles(cpu_lp_total_busy_ps(cpu, lp), cpu->mhz);
}

uint64_t
cpu_lp_interrupts(const struct cpu *cpu, uint32_t lp)
{
    return lp_of(cpu, lp)->interrupts;
}

uint64_t
cpu_lp_spurious(const struct cpu *cpu, uint32_t lp)
{
    return lp_of(cpu, lp)->spurious;
}

uint64_t
cpu_lp_dpcs(const struct cpu *cpu, uint32_t lp)
{
    return lp_of(cpu, lp)->dpcs;
}

uint64_t
cpu_lp_context_switches(const struct cpu *cpu, uint32_t lp)
{
    return lp_of(cpu, lp)->switches;
}

uint32_t
cpu_lp_dpc_queue_len(const struct cpu *cpu, uint32_t lp)
{
    return lp_of(cpu, lp)->dpcq_len;
}

uint32_t
cpu_lp_isr_depth(const struct cpu *cpu, uint32_t lp)
{
    return lp_of(cpu, lp)->isr_depth;
}
