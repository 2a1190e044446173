/*
 * hv.c -- the hypervisor (hv.h): guest slots on the LPs, the guest
 * executive of each VP, exits, intercepts routed to the worker process,
 * and virtual interrupts.
 *
 * THE GUEST SLOT of an LP is a cpu thread whose every chain starts at
 * slot_entry().  slot_entry() decides what the LP does in guest mode next:
 * account the VP that just stopped, pick a VP, charge a VP switch, and
 * start one guest chain of the running VP.  Before it hands the context
 * to guest code it re-arms the thread (a pending wake of itself), so that
 * whenever a guest chain ends, however it ends, the thread comes back to
 * slot_entry() at once, without a context switch.  When there is nothing
 * to run the slot does not re-arm and the thread blocks; hv wakes it when
 * the scheduler hands the LP a VP.
 */
#include "config.h"

#include "models/hv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/apic.h"
#include "models/gmem.h"
#include "models/hvsched.h"
#include "models/synic.h"
#include "sim/log.h"
#include "sim/trace.h"
#include "sim/metrics.h"

#define HV_MAX_VPS 64

enum vp_state {
    VP_HALTED,                  /* blocked until an interrupt or work */
    VP_READY,                   /* waiting for an LP */
    VP_RUNNING,                 /* on slot 'lp' */
    VP_INTERCEPTED,             /* waiting for the root to emulate */
};

struct hv_gthread {
    struct hv_vp *vp;
    char *name;
    uint32_t owner;
    cpu_step_fn *entry;
    void *arg;
    bool active;                /* runnable or running */
    bool wake_pending;
    struct hv_gthread *next;    /* in the VP's run queue */
};

/* What the VP's last chain was, so slot_entry() knows how to finish it. */
enum chain_kind { CHAIN_NONE, CHAIN_ISR, CHAIN_DPC, CHAIN_THREAD };

struct hv_vp {
    struct hv_vm *vm;
    uint32_t index;             /* within the VM */
    uint32_t lane;              /* its timeline lane, or TRACE_LANE_NONE */
    sim_time_t run_begin;       /* when it last started running */
    uint32_t sched_id;          /* in the scheduler */
    enum vp_state state;
    uint32_t lp;                /* while running */
    bool kicked;                /* an interrupt arrived while running */
    bool window;                /* ... while the guest had them disabled */

    /* The guest's levels. */
    struct cpu_dpc *dpc_head, *dpc_tail;
    struct hv_gthread *rq_head, *rq_tail;
    struct hv_gthread *cur_thread, *last_thread;
    enum chain_kind chain;
    uint8_t isr_vector;
    bool eoi_posted;            /* the EOI is virtualized (no exit) */

    struct synic *synic;

    /* An intercepted access in progress. */
    struct hv_io io;
    cpu_step_fn *resume;
    void *resume_arg;
    struct hv_vp *next_icpt;    /* in a root queue */

    /* A SignalEvent or PostMessage hypercall in progress. */
    cpu_step_fn *sig_next;
    void *sig_arg;
    uint32_t sig_lp, sig_flag;
    unsigned sig_sint;
    bool msg_post;                  /* PostMessage, else SignalEvent */
    uint32_t msg_type, msg_len;
    uint8_t msg[240];
    int post_result;
};

struct isr_entry {
    cpu_step_fn *fn;
    void *arg;
    uint32_t owner;
};

/* The VM's worker process on one LP. */
struct vmwp_lp {
    struct hv_vm *vm;
    uint32_t lp;
    struct cpu_thread *thread;
    struct hv_vp *head, *tail;  /* accesses to emulate, FIFO */
    struct hv_vp *cur;
};

struct hv_vm {
    struct hv *hv;
    char *name;
    uint32_t index;
    sim_component_id comp;
    struct hv_vm_config cfg;
    struct gmem *mem;
    struct apic *vapic;
    uint32_t kernel_owner;
    uint32_t vmwp_owner;
    struct hv_vp vps[HV_MAX_VPS];
    struct isr_entry isr[CPU_VECTORS];
    struct hv_io_ops io;
    struct vmwp_lp *vmwp;       /* one per LP */
    struct hv_gthread **threads;    /* every guest thread, to free */
    size_t n_threads;

    uint64_t exits[HV_EXIT_COUNT];
    uint64_t intercepts, injections, signals;
    struct metric *m_exits[HV_EXIT_COUNT];
    struct metric *m_intercepts, *m_injections, *m_signals;
};

struct slot {
    struct hv *hv;
    uint32_t lp;
    struct cpu_thread *thread;
    struct hv_vp *cur;          /* the VP running here, or NULL */
    struct hv_vp *last;         /* the VP that ran here last */
    sim_time_t picked_at;
    sim_time_t slice_ps;
    bool preempt;               /* the scheduler wants the LP for another VP */
    /* The SynIC of the root's VP on this LP: intercept messages arrive in
     * SINT 0's slot (HV_ROOT_SINT), more wait in its queue. */
    struct synic *root_synic;
};

/* The root SINT that carries intercept messages, and the message types
 * (TLFS HV_MESSAGE_TYPE: HvMessageTypeGpaIntercept, ...IoPortIntercept). */
#define HV_ROOT_SINT 0
#define HV_MSG_GPA_INTERCEPT 0x80000001u
#define HV_MSG_IO_PORT_INTERCEPT 0x80010000u

struct hv {
    struct sim *sim;
    struct metrics *reg;
    sim_component_id comp;
    struct cpu *cpu;
    struct apic *apic;
    struct hv_config cfg;
    char *name;
    uint32_t owner;             /* "hypervisor" */
    uint32_t vid_owner;         /* "VID" */
    struct hvsched *sched;
    uint32_t n_lps;
    struct slot *slots;
    struct hv_vm **vms;
    uint32_t n_vms;
    struct hv_vp **by_sched_id; /* scheduler id -> VP */
    uint32_t n_sched;
    uint64_t vp_switches;
    struct metric *m_vp_switches;
};

static const char *const reason_names[HV_EXIT_COUNT] = {
    [HV_EXIT_IO_PORT] = "io_port",
    [HV_EXIT_MMIO] = "mmio",
    [HV_EXIT_MSR] = "msr",
    [HV_EXIT_HYPERCALL] = "hypercall",
    [HV_EXIT_EXT_INTR] = "external_interrupt",
    [HV_EXIT_EOI] = "eoi",
    [HV_EXIT_HLT] = "hlt",
    [HV_EXIT_INTR_WINDOW] = "interrupt_window",
};

const char *
hv_exit_reason_name(enum hv_exit_reason r)
{
    return (unsigned)r < HV_EXIT_COUNT ? reason_names[r] : "unknown";
}

static void slot_entry(struct cpu_exec *x, void *arg);
static void vp_raise(void *ctx, uint8_t vector);

/* Counts an exit of 'vp' (NULL: a VP not known here) and marks it on the
 * VP's timeline lane. */
static void
count_exit(struct hv_vm *vm, struct hv_vp *vp, enum hv_exit_reason r)
{
    struct trace *t = cpu_trace(vm->hv->cpu);

    vm->exits[r]++;
    metric_add(vm->m_exits[r], 1);
    if (t && vp) {
        char what[48];
        snprintf(what, sizeof what, "exit: %s", hv_exit_reason_name(r));
        trace_instant(t, vp->lane, NULL, what, "exit", sim_now(vm->hv->sim));
    }
}

/* --- Scheduling ----------------------------------------------------------- */

/* Wakes the slot of 'lp' if its thread is blocked. */
static void
slot_kick(struct hv *hv, uint32_t lp)
{
    struct slot *s = &hv->slots[lp];

    cpu_thread_wake(s->thread, slot_entry, s);
}

/* Does what the scheduler asks of an LP. */
static void
apply_kick(struct hv *hv, const struct hvsched_kick *kick)
{
    if (kick->lp == HVSCHED_NONE) {
        return;
    }
    if (kick->preempt) {
        /* The LP's VP gives way at the end of its current chain. */
        hv->slots[kick->lp].preempt = true;
    } else {
        slot_kick(hv, kick->lp);
    }
}

/* 'vp' became able to run (from HALTED or INTERCEPTED). */
static void
vp_make_ready(struct hv_vp *vp)
{
    struct hv *hv = vp->vm->hv;
    struct hvsched_kick kick;
    int err;

    SIM_ASSERT(vp->state == VP_HALTED || vp->state == VP_INTERCEPTED);
    vp->state = VP_READY;
    err = hvsched_wake(hv->sched, vp->sched_id, sim_now(hv->sim), &kick);
    SIM_ASSERT(err == 0);
    apply_kick(hv, &kick);
}

/* Takes the running VP off slot 's' for 'reason'. */
static void
slot_stop(struct slot *s, enum hvsched_stop_reason reason)
{
    struct hv_vp *vp = s->cur;
    int err;

    err = hvsched_stop(s->hv->sched, vp->sched_id, sim_now(s->hv->sim),
                       reason);
    SIM_ASSERT(err == 0);
    if (vp->lane != TRACE_LANE_NONE) {
        char what[32];
        snprintf(what, sizeof what, "on lp%u", (unsigned)s->lp);
        trace_span(cpu_trace(s->hv->cpu), vp->lane, NULL, what, "vp",
                   vp->run_begin, sim_now(s->hv->sim));
    }
    if (reason != HVSCHED_STOP_BLOCKED) {
        vp->state = VP_READY;
    }
    s->cur = NULL;
    s->preempt = false;
}

void
hv_trace_flush(struct hv *hv)
{
    struct trace *t = cpu_trace(hv->cpu);

    for (uint32_t i = 0; t && i < hv->n_lps; i++) {
        struct slot *s = &hv->slots[i];
        char what[32];

        if (s->cur && s->cur->lane != TRACE_LANE_NONE) {
            snprintf(what, sizeof what, "on lp%u", (unsigned)s->lp);
            trace_span(t, s->cur->lane, NULL, what, "vp", s->cur->run_begin,
                       sim_now(hv->sim));
            s->cur->run_begin = sim_now(hv->sim);
        }
    }
}

/* --- Virtual interrupts ----------------------------------------------------- */

/* The virtual APIC of 'vm' has something deliverable for VP 'index'. */
static void
vapic_notify(void *ctx, uint32_t index)
{
    struct hv_vm *vm = ctx;
    struct hv_vp *vp = &vm->vps[index];

    switch (vp->state) {
    case VP_HALTED:
        vp_make_ready(vp);
        break;
    case VP_RUNNING:
        /* Taken at the end of the running chain; without posted
         * interrupts the hypervisor forces an exit to inject it, and if
         * the guest is in its ISR (interrupts disabled) it must also ask
         * for an exit when the guest enables them again. */
        vp->kicked = true;
        if (vp->chain == CHAIN_ISR) {
            vp->window = true;
        }
        break;
    case VP_READY:
    case VP_INTERCEPTED:
        break;                  /* injected when it next runs */
    }
}

/* --- Guest chains ----------------------------------------------------------- */

static void
arm(struct slot *s)
{
    cpu_thread_wake(s->thread, slot_entry, s);
}

static void
isr_body(struct cpu_exec *x, void *arg)
{
    struct slot *s = arg;
    struct hv_vp *vp = s->cur;
    const struct isr_entry *e = &vp->vm->isr[vp->isr_vector];

    if (!e->fn) {
        return;                 /* no handler: EOI at the end */
    }
    e->fn(x, e->arg);
}

static void
isr_start(struct cpu_exec *x, void *arg)
{
    struct slot *s = arg;
    struct hv_vp *vp = s->cur;
    const struct isr_entry *e = &vp->vm->isr[vp->isr_vector];
    uint32_t owner = e->fn ? e->owner : vp->vm->kernel_owner;

    cpu_charge(x, owner, vp->vm->cfg.guest_costs.isr_entry_cycles, isr_body,
               s);
}

/* Is a vector of lower priority than 'v' requested or in service? */
static bool
lower_pending(const struct apic *a, uint32_t lp, uint8_t v)
{
    return apic_lapic_any_in_range(a, lp, 16, (unsigned)(v & 0xF0));
}

/* Starts the guest ISR of the vector the virtual APIC offers. */
static void
take_interrupt(struct cpu_exec *x, struct slot *s, struct hv_vp *vp)
{
    struct hv *hv = s->hv;
    struct hv_vm *vm = vp->vm;
    int v = apic_lapic_ack(vm->vapic, vp->index);
    bool level;

    SIM_ASSERT(v >= 0);
    vp->chain = CHAIN_ISR;
    vp->isr_vector = (uint8_t)v;
    level = apic_lapic_tmr(vm->vapic, vp->index, (uint8_t)v);
    /* With APIC virtualization an edge-triggered EOI never exits; with
     * the EOI assist the VP assist page's "No EOI required" bit decides
     * (models/synic.h: set for an edge-triggered injection with nothing of
     * lower priority pending). */
    (void)synic_eoi_assist_on_inject(
        vp->synic, !level, lower_pending(vm->vapic, vp->index, (uint8_t)v));
    vp->eoi_posted = !level && hv->cfg.posted_interrupts;
    vm->injections++;
    metric_add(vm->m_injections, 1);
    if (vp->kicked && !hv->cfg.posted_interrupts) {
        /* The hypervisor kicked the running VP out to inject; if the guest
         * had interrupts disabled, a second exit when it enabled them. */
        uint64_t cycles = hv->cfg.costs.exit_cycles[HV_EXIT_EXT_INTR]
                          + hv->cfg.costs.inject_cycles;
        count_exit(vm, vp, HV_EXIT_EXT_INTR);
        if (vp->window) {
            count_exit(vm, vp, HV_EXIT_INTR_WINDOW);
            cycles += hv->cfg.costs.exit_cycles[HV_EXIT_INTR_WINDOW];
        }
        vp->kicked = false;
        vp->window = false;
        cpu_charge(x, hv->owner, cycles, isr_start, s);
        return;
    }
    vp->kicked = false;
    vp->window = false;
    cpu_charge(x, hv->owner, hv->cfg.costs.inject_cycles, isr_start, s);
}

static void
eoi_done(struct cpu_exec *x, void *arg)
{
    struct slot *s = arg;
    struct hv_vp *vp = s->cur;

    apic_lapic_eoi(vp->vm->vapic, vp->index);
    /* The rest of the ISR's epilogue up to the return. */
    cpu_charge(x, vp->vm->kernel_owner,
               vp->vm->cfg.guest_costs.isr_exit_cycles, NULL, NULL);
}

/* The guest ISR's chain ended: its EOI, then the exit back to what the
 * guest was doing. */
static void
finish_isr(struct cpu_exec *x, struct slot *s, struct hv_vp *vp)
{
    struct hv *hv = s->hv;
    struct hv_vm *vm = vp->vm;
    uint64_t cycles = vm->cfg.guest_costs.eoi_cycles;
    bool exits;

    vp->chain = CHAIN_NONE;
    /* The guest's EOI sequence: the assist bit (btr), then the EOI write,
     * which exits unless absorbed or virtualized. */
    exits = synic_guest_eoi(vp->synic) && !vp->eoi_posted;
    if (exits) {
        count_exit(vm, vp, HV_EXIT_EOI);
        cycles += hv->cfg.costs.exit_cycles[HV_EXIT_EOI];
    }
    cpu_charge(x, exits ? hv->owner : vm->kernel_owner, cycles, eoi_done, s);
}

static void
thread_chain_ended(struct hv_vp *vp)
{
    struct hv_gthread *t = vp->cur_thread;

    vp->cur_thread = NULL;
    if (t->wake_pending) {
        t->wake_pending = false;
        t->next = NULL;
        if (vp->rq_tail) {
            vp->rq_tail->next = t;
        } else {
            vp->rq_head = t;
        }
        vp->rq_tail = t;
    } else {
        t->active = false;
    }
}

static void
halt_done(struct cpu_exec *x, void *arg)
{
    struct slot *s = arg;
    struct hv_vp *vp = s->cur;

    (void)x;
    /* Work may have arrived during the exit itself. */
    if (apic_lapic_pending(vp->vm->vapic, vp->index) >= 0 || vp->dpc_head
        || vp->rq_head) {
        return;                 /* slot_entry() runs it */
    }
    vp->state = VP_HALTED;
    slot_stop(s, HVSCHED_STOP_BLOCKED);
}

static void
dpc_run(struct cpu_exec *x, void *arg)
{
    struct cpu_dpc *d = arg;

    d->fn(x, d->arg);
}

static void
thread_run(struct cpu_exec *x, void *arg)
{
    struct hv_gthread *t = arg;

    t->entry(x, t->arg);
}

/* Runs the VP's next guest chain (the slot is armed). */
static void
run_guest(struct cpu_exec *x, struct slot *s, struct hv_vp *vp)
{
    struct hv_vm *vm = vp->vm;

    if (vp->resume) {
        /* Back from an intercept: continue the chain it interrupted. */
        cpu_step_fn *fn = vp->resume;
        vp->resume = NULL;
        fn(x, vp->resume_arg);
        return;
    }
    if (vp->chain == CHAIN_ISR) {
        finish_isr(x, s, vp);
        return;
    }
    if (apic_lapic_pending(vm->vapic, vp->index) >= 0) {
        take_interrupt(x, s, vp);
        return;
    }
    if (vp->dpc_head) {
        struct cpu_dpc *d = vp->dpc_head;
        vp->dpc_head = d->next;
        if (!vp->dpc_head) {
            vp->dpc_tail = NULL;
        }
        d->next = NULL;
        d->queued = false;
        vp->chain = CHAIN_DPC;
        cpu_charge(x, d->owner, vm->cfg.guest_costs.dpc_dispatch_cycles,
                   dpc_run, d);
        return;
    }
    if (vp->rq_head) {
        struct hv_gthread *t = vp->rq_head;
        uint64_t cycles = 0;
        vp->rq_head = t->next;
        if (!vp->rq_head) {
            vp->rq_tail = NULL;
        }
        t->next = NULL;
        vp->cur_thread = t;
        vp->chain = CHAIN_THREAD;
        if (vp->last_thread && vp->last_thread != t) {
            cycles = vm->cfg.guest_costs.context_switch_cycles;
        }
        vp->last_thread = t;
        cpu_charge(x, t->owner, cycles, thread_run, t);
        return;
    }
    /* Nothing to do: the guest halts. */
    count_exit(vm, vp, HV_EXIT_HLT);
    cpu_charge(x, s->hv->owner, s->hv->cfg.costs.exit_cycles[HV_EXIT_HLT],
               halt_done, s);
}

static void
switch_done(struct cpu_exec *x, void *arg)
{
    (void)x;
    (void)arg;                  /* slot_entry() runs next (armed) */
}

/* The start of every chain of a guest slot. */
static void
slot_entry(struct cpu_exec *x, void *arg)
{
    struct slot *s = arg;
    struct hv *hv = s->hv;
    struct hv_vp *vp = s->cur;
    sim_time_t now = sim_now(hv->sim);

    if (vp && vp->state == VP_INTERCEPTED) {
        slot_stop(s, HVSCHED_STOP_BLOCKED);
        vp = NULL;
    } else if (vp && !vp->resume) {
        /* A guest chain ended: finish its bookkeeping. */
        if (vp->chain == CHAIN_THREAD) {
            thread_chain_ended(vp);
        }
        if (vp->chain != CHAIN_ISR) {
            vp->chain = CHAIN_NONE;
            /* Between chains the VP gives up the LP to a woken VP the
             * scheduler prefers, or at its slice's end. */
            if (s->preempt) {
                slot_stop(s, HVSCHED_STOP_PREEMPTED);
                vp = NULL;
            } else if (now - s->picked_at >= s->slice_ps) {
                slot_stop(s, HVSCHED_STOP_SLICE_END);
                vp = NULL;
            }
        }
    }
    if (!vp) {
        int64_t slice;
        uint32_t id;
        struct hvsched_kick kick;
        int err = hvsched_pick(hv->sched, s->lp, now, &id, &slice, &kick);
        SIM_ASSERT(err == 0);
        apply_kick(hv, &kick);
        if (id == HVSCHED_NONE) {
            return;             /* the thread blocks */
        }
        vp = hv->by_sched_id[id];
        SIM_ASSERT(vp->state == VP_READY);
        vp->state = VP_RUNNING;
        vp->lp = s->lp;
        vp->run_begin = now;
        s->cur = vp;
        s->picked_at = now;
        s->slice_ps = slice;
        arm(s);
        if (s->last && s->last != vp) {
            hv->vp_switches++;
            metric_add(hv->m_vp_switches, 1);
            s->last = vp;
            cpu_charge(x, hv->owner, hv->cfg.costs.vp_switch_cycles,
                       switch_done, s);
            return;
        }
        s->last = vp;
    } else {
        arm(s);
    }
    run_guest(x, s, vp);
}

/* --- Exits and intercepts --------------------------------------------------- */

static struct slot *
exec_slot(struct hv *hv, const struct cpu_exec *x)
{
    struct slot *s = &hv->slots[cpu_exec_lp(x)];

    SIM_ASSERT(cpu_exec_thread(x) == s->thread && s->cur);
    return s;
}

struct hv_vp *
hv_exec_vp(struct hv *hv, const struct cpu_exec *x)
{
    return exec_slot(hv, x)->cur;
}

void
hv_exit(struct hv_vm *vm, struct cpu_exec *x, enum hv_exit_reason reason,
        cpu_step_fn *next, void *arg)
{
    struct hv *hv = vm->hv;
    struct slot *s = exec_slot(hv, x);

    SIM_ASSERT((unsigned)reason < HV_EXIT_COUNT && s->cur->vm == vm);
    count_exit(vm, s->cur, reason);
    cpu_charge(x, hv->owner, hv->cfg.costs.exit_cycles[reason], next, arg);
}

static void
intercept_post(struct cpu_exec *x, void *arg)
{
    struct slot *s = arg;
    struct hv_vp *vp = s->cur;
    uint8_t msg[8];
    enum synic_post_result r;

    (void)x;
    /* The intercept message to the root's VP on this LP: it names the
     * partition and the VP (the access itself stays in the VP's state). */
    vp->state = VP_INTERCEPTED;
    for (int i = 0; i < 4; i++) {
        msg[i] = (uint8_t)(vp->vm->index >> (8 * i));
        msg[4 + i] = (uint8_t)(vp->index >> (8 * i));
    }
    r = synic_post_message(s->root_synic, HV_ROOT_SINT,
                           vp->io.reason == HV_EXIT_MMIO
                               ? HV_MSG_GPA_INTERCEPT
                               : HV_MSG_IO_PORT_INTERCEPT,
                           msg, sizeof msg);
    if (r != SYNIC_POST_DELIVERED && r != SYNIC_POST_QUEUED) {
        sim_fatal("hv: intercept message refused by the root's SynIC (%s)",
                  synic_post_result_name(r));
    }
    /* The chain ends; slot_entry() takes the VP off the LP. */
}

void
hv_intercept(struct hv_vm *vm, struct cpu_exec *x, const struct hv_io *io,
             cpu_step_fn *next, void *arg)
{
    struct hv *hv = vm->hv;
    struct slot *s = exec_slot(hv, x);
    struct hv_vp *vp = s->cur;

    SIM_ASSERT(vp->vm == vm && vm->io.access);
    SIM_ASSERT(io->reason == HV_EXIT_IO_PORT || io->reason == HV_EXIT_MMIO);
    vp->io = *io;
    vp->resume = next;
    vp->resume_arg = arg;
    count_exit(vm, vp, io->reason);
    vm->intercepts++;
    metric_add(vm->m_intercepts, 1);
    cpu_charge(x, hv->owner,
               hv->cfg.costs.exit_cycles[io->reason]
               + hv->cfg.costs.intercept_cycles,
               intercept_post, s);
}

uint32_t
hv_vp_io_value(const struct hv_vp *vp)
{
    return vp->io.value;
}

/* --- The root: VID and the worker process ----------------------------------- */

static void vmwp_entry(struct cpu_exec *x, void *arg);

/* Hands the intercept in the root SynIC's slot to the VM's worker. */
static void
vid_step(struct cpu_exec *x, void *arg)
{
    struct slot *s = arg;
    struct hv *hv = s->hv;
    struct synic_message m;
    struct hv_vp *vp;
    struct vmwp_lp *w;
    uint32_t vmi = 0, vpi = 0;

    (void)x;
    if (synic_read_message(s->root_synic, HV_ROOT_SINT, &m)
        || m.type == SYNIC_MSG_TYPE_NONE) {
        return;
    }
    for (int i = 0; i < 4; i++) {
        vmi |= (uint32_t)m.payload[i] << (8 * i);
        vpi |= (uint32_t)m.payload[4 + i] << (8 * i);
    }
    synic_clear_message(s->root_synic, HV_ROOT_SINT);
    SIM_ASSERT(vmi >= 1 && vmi <= hv->n_vms);
    vp = &hv->vms[vmi - 1]->vps[vpi];
    w = &vp->vm->vmwp[s->lp];
    vp->next_icpt = NULL;
    if (w->tail) {
        w->tail->next_icpt = vp;
    } else {
        w->head = vp;
    }
    w->tail = vp;
    cpu_thread_wake(w->thread, vmwp_entry, w);
    /* End of message: the next queued one (if any) takes the slot and
     * raises the SINT again; the ISR runs again after its EOI. */
    synic_eom(s->root_synic);
}

/* The root's ISR for intercept messages on this LP (the VID driver). */
static void
root_isr(struct cpu_exec *x, void *arg)
{
    struct slot *s = arg;

    cpu_charge(x, s->hv->vid_owner, s->hv->cfg.costs.vid_cycles, vid_step, s);
}

/* The root SynIC raises its SINT: a synthetic interrupt on this LP. */
static void
root_raise(void *ctx, uint8_t vector)
{
    struct slot *s = ctx;

    apic_lapic_inject(s->hv->apic, s->lp, vector, false);
}

static void
vmwp_complete(struct cpu_exec *x, void *arg)
{
    struct vmwp_lp *w = arg;
    struct hv_vp *vp = w->cur;

    w->cur = NULL;
    vp_make_ready(vp);
    vmwp_entry(x, w);           /* the next access, if any */
}

static void
vmwp_back(struct cpu_exec *x, void *arg)
{
    struct vmwp_lp *w = arg;

    /* The completion call into the kernel (VID resumes the VP). */
    cpu_charge(x, w->vm->vmwp_owner, w->vm->hv->cfg.costs.kernel_user_cycles,
               vmwp_complete, w);
}

static void
vmwp_emulate(struct cpu_exec *x, void *arg)
{
    struct vmwp_lp *w = arg;

    w->vm->io.access(w->vm->io.ctx, x, w->cur, &w->cur->io, vmwp_back, w);
}

static void
vmwp_entry(struct cpu_exec *x, void *arg)
{
    struct vmwp_lp *w = arg;
    struct hv_vp *vp = w->head;

    if (!vp) {
        return;                 /* the worker blocks */
    }
    w->head = vp->next_icpt;
    if (!w->head) {
        w->tail = NULL;
    }
    w->cur = vp;
    /* Back to user mode in the worker process. */
    cpu_charge(x, w->vm->vmwp_owner, w->vm->hv->cfg.costs.kernel_user_cycles,
               vmwp_emulate, w);
}

/* --- Guest DPCs and threads ------------------------------------------------- */

/* New guest work for 'vp': a halted VP wakes up. */
static void
vp_work_arrived(struct hv_vp *vp)
{
    if (vp->state == VP_HALTED) {
        vp_make_ready(vp);
    }
}

bool
hv_vp_queue_dpc(struct hv_vp *vp, struct cpu_dpc *dpc)
{
    if (dpc->queued) {
        return false;
    }
    dpc->queued = true;
    dpc->next = NULL;
    if (vp->dpc_tail) {
        vp->dpc_tail->next = dpc;
    } else {
        vp->dpc_head = dpc;
    }
    vp->dpc_tail = dpc;
    vp_work_arrived(vp);
    return true;
}

struct hv_gthread *
hv_gthread_create(struct hv_vp *vp, const char *name, uint32_t owner)
{
    struct hv_gthread *t = calloc(1, sizeof *t);

    if (!t || !(t->name = strdup(name))) {
        free(t);
        sim_out_of_memory("hv");
    }
    t->vp = vp;
    t->owner = owner;
    /* The VM keeps a list of its threads to free them. */
    {
        struct hv_vm *vm = vp->vm;
        size_t n = vm->n_threads;
        struct hv_gthread **v = realloc(vm->threads, (n + 1) * sizeof *v);
        if (!v) {
            sim_out_of_memory("hv");
        }
        v[n] = t;
        vm->threads = v;
        vm->n_threads = n + 1;
    }
    return t;
}

void
hv_gthread_wake(struct hv_gthread *t, cpu_step_fn *entry, void *arg)
{
    struct hv_vp *vp = t->vp;

    t->entry = entry;
    t->arg = arg;
    if (t->active) {
        t->wake_pending = true;
        return;
    }
    t->active = true;
    t->next = NULL;
    if (vp->rq_tail) {
        vp->rq_tail->next = t;
    } else {
        vp->rq_head = t;
    }
    vp->rq_tail = t;
    vp_work_arrived(vp);
}

/* --- Construction ------------------------------------------------------------ */

int
hv_create(struct sim *sim, struct metrics *reg, sim_component_id parent,
          struct cpu *cpu, struct apic *apic, const struct hv_config *cfg,
          struct hv **out)
{
    struct hv *hv;
    char name[64];
    int err = 0;

    *out = NULL;
    if (!sim || !reg || !cpu || !apic || !cfg || !cfg->name || !*cfg->name
        || strchr(cfg->name, '.') || cfg->time_slice_ps <= 0
        || cfg->root_vector < 32) {
        return EINVAL;
    }
    hv = calloc(1, sizeof *hv);
    if (!hv) {
        return ENOMEM;
    }
    hv->sim = sim;
    hv->reg = reg;
    hv->cpu = cpu;
    hv->apic = apic;
    hv->cfg = *cfg;
    hv->n_lps = cpu_lp_count(cpu);
    hv->name = strdup(cfg->name);
    hv->slots = calloc(hv->n_lps, sizeof *hv->slots);
    hv->comp = sim_component_add(sim, parent, cfg->name, &err);
    if (!hv->name || !hv->slots || !hv->comp
        || hvsched_create(hv->n_lps, cfg->time_slice_ps, &hv->sched)) {
        hv_destroy(hv);
        return err ? err : ENOMEM;
    }
    hv->cfg.name = hv->name;
    hv->owner = cpu_owner(cpu, "hypervisor");
    hv->vid_owner = cpu_owner(cpu, "VID");
    hv->m_vp_switches = metrics_counter(reg, hv->comp, "vp_switches",
                                        "switches",
                                        "an LP switched to another VP");
    for (uint32_t lp = 0; lp < hv->n_lps; lp++) {
        struct slot *s = &hv->slots[lp];
        s->hv = hv;
        s->lp = lp;
        snprintf(name, sizeof name, "guest slot %u", lp);
        s->thread = cpu_thread_create(cpu, name, hv->owner, lp);
        struct synic_config sc = { .queue_depth = 1024,
                                   .max_connections = 0 };
        struct synic_ops so = { root_raise };
        if (!s->thread
            || cpu_set_isr(cpu, lp, cfg->root_vector, hv->vid_owner,
                           root_isr, s)
            || synic_create(&sc, &so, s, &s->root_synic)
            || synic_configure_sint(s->root_synic, HV_ROOT_SINT,
                                    cfg->root_vector, false, false)) {
            hv_destroy(hv);
            return ENOMEM;
        }
        synic_set_enabled(s->root_synic, true);
        synic_set_simp(s->root_synic, true);
    }
    *out = hv;
    return 0;
}

static void
vm_free(struct hv_vm *vm)
{
    if (!vm) {
        return;
    }
    for (uint32_t i = 0; i < HV_MAX_VPS; i++) {
        synic_destroy(vm->vps[i].synic);
    }
    for (size_t i = 0; i < vm->n_threads; i++) {
        free(vm->threads[i]->name);
        free(vm->threads[i]);
    }
    free(vm->threads);
    apic_destroy(vm->vapic);
    gmem_destroy(vm->mem);
    free(vm->vmwp);
    free(vm->name);
    free(vm);
}

void
hv_destroy(struct hv *hv)
{
    if (!hv) {
        return;
    }
    for (uint32_t i = 0; i < hv->n_vms; i++) {
        vm_free(hv->vms[i]);
    }
    free(hv->vms);
    free(hv->by_sched_id);
    hvsched_destroy(hv->sched);
    for (uint32_t lp = 0; hv->slots && lp < hv->n_lps; lp++) {
        synic_destroy(hv->slots[lp].root_synic);
    }
    free(hv->slots);
    free(hv->name);
    free(hv);
}

struct cpu *
hv_cpu(const struct hv *hv)
{
    return hv->cpu;
}

uint32_t
hv_owner(const struct hv *hv)
{
    return hv->owner;
}

uint64_t
hv_vp_switches(const struct hv *hv)
{
    return hv->vp_switches;
}

int
hv_vm_create(struct hv *hv, const struct hv_vm_config *cfg,
             struct hv_vm **out)
{
    struct hv_vm *vm;
    struct apic_config ac;
    char name[96];
    int err = 0;

    *out = NULL;
    if (!cfg->name || !*cfg->name || strchr(cfg->name, '.')
        || cfg->n_vps == 0 || cfg->n_vps > HV_MAX_VPS || cfg->weight == 0
        || cfg->memory_bytes < GMEM_PAGE_SIZE
        || cfg->memory_bytes % GMEM_PAGE_SIZE) {
        return EINVAL;
    }
    vm = calloc(1, sizeof *vm);
    if (!vm) {
        return ENOMEM;
    }
    vm->hv = hv;
    vm->cfg = *cfg;
    vm->index = hv->n_vms + 1;
    vm->name = strdup(cfg->name);
    vm->vmwp = calloc(hv->n_lps, sizeof *vm->vmwp);
    if (!vm->name || !vm->vmwp) {
        vm_free(vm);
        return ENOMEM;
    }
    vm->cfg.name = vm->name;
    vm->cfg.affinity = NULL;
    vm->comp = sim_component_add(hv->sim, hv->comp, cfg->name, &err);
    if (!vm->comp) {
        vm_free(vm);
        return err ? err : EINVAL;
    }
    if ((err = gmem_create(cfg->memory_bytes, &vm->mem))) {
        vm_free(vm);
        return err;
    }
    ac = (struct apic_config){
        .name = "vapic",
        .lps = cfg->n_vps,
        .remapping = false,
        .irtes = 0,
        .ioapic_source_id = 0,
        .msi_delivery_ps = 0,
        .ipi_delivery_ps = 0,
    };
    if ((err = apic_create(hv->sim, hv->reg, vm->comp, &ac, &vm->vapic))) {
        vm_free(vm);
        return err;
    }
    apic_set_notify(vm->vapic, vapic_notify, vm);
    {
        struct hv_vm **v = realloc(hv->vms, (hv->n_vms + 1) * sizeof *v);
        struct hv_vp **b = realloc(hv->by_sched_id,
                                   (hv->n_sched + cfg->n_vps) * sizeof *b);
        if (v) {
            hv->vms = v;
        }
        if (b) {
            hv->by_sched_id = b;
        }
        if (!v || !b) {
            vm_free(vm);
            return ENOMEM;
        }
    }
    uint64_t *all = NULL;
    const uint64_t *affinity = cfg->affinity;
    if (!affinity) {
        all = calloc(HVSCHED_AFFINITY_WORDS(hv->n_lps), sizeof *all);
        if (!all) {
            vm_free(vm);
            return ENOMEM;
        }
        for (uint32_t lp = 0; lp < hv->n_lps; lp++) {
            all[lp / 64] |= 1ull << (lp % 64);
        }
        affinity = all;
    }
    for (uint32_t i = 0; i < cfg->n_vps; i++) {
        struct hv_vp *vp = &vm->vps[i];
        struct synic_config sc = { .queue_depth = 16, .max_connections = 0 };
        struct synic_ops so = { vp_raise };
        uint32_t id;
        vp->vm = vm;
        vp->index = i;
        vp->state = VP_HALTED;
        vp->lane = TRACE_LANE_NONE;
        if (cpu_trace(hv->cpu)) {
            char lane[96];
            snprintf(lane, sizeof lane, "%s.vp%u",
                     sim_component_path(hv->sim, vm->comp), (unsigned)i);
            vp->lane = trace_lane(cpu_trace(hv->cpu), lane);
        }
        if (synic_create(&sc, &so, vp, &vp->synic)) {
            free(all);
            vm_free(vm);
            return ENOMEM;
        }
        synic_set_enabled(vp->synic, true);
        synic_set_siefp(vp->synic, true);
        synic_set_simp(vp->synic, true);
        synic_set_vp_assist(vp->synic, hv->cfg.eoi_assist);
        err = hvsched_add_vp(hv->sched, cfg->weight, affinity,
                             HVSCHED_AFFINITY_WORDS(hv->n_lps), &id);
        if (err) {
            free(all);
            vm_free(vm);
            return err;
        }
        SIM_ASSERT(id == hv->n_sched);
        vp->sched_id = id;
        hv->by_sched_id[hv->n_sched++] = vp;
    }
    free(all);
    hv->vms[hv->n_vms++] = vm;
    snprintf(name, sizeof name, "%s kernel", cfg->name);
    vm->kernel_owner = cpu_owner(hv->cpu, name);
    snprintf(name, sizeof name, "%s VMWP", cfg->name);
    vm->vmwp_owner = cpu_owner(hv->cpu, name);
    for (uint32_t lp = 0; lp < hv->n_lps; lp++) {
        struct vmwp_lp *w = &vm->vmwp[lp];
        w->vm = vm;
        w->lp = lp;
        snprintf(name, sizeof name, "%s VMWP %u", cfg->name, lp);
        if (!(w->thread = cpu_thread_create(hv->cpu, name, vm->vmwp_owner,
                                            lp))) {
            return ENOMEM;      /* the VM is registered: hv_destroy frees */
        }
    }
    for (unsigned r = 0; r < HV_EXIT_COUNT; r++) {
        snprintf(name, sizeof name, "exits.%s", reason_names[r]);
        vm->m_exits[r] = metrics_counter(hv->reg, vm->comp, name, "exits",
                                         "VM exits of this reason");
    }
    vm->m_intercepts = metrics_counter(hv->reg, vm->comp, "intercepts",
                                       "intercepts",
                                       "exits routed to the worker process");
    vm->m_injections = metrics_counter(hv->reg, vm->comp, "injections",
                                       "interrupts",
                                       "virtual interrupts injected");
    vm->m_signals = metrics_counter(hv->reg, vm->comp, "signals", "signals",
                                    "HvCallSignalEvent to or from the VM");
    *out = vm;
    return 0;
}

const char *
hv_vm_name(const struct hv_vm *vm)
{
    return vm->name;
}

uint32_t
hv_vm_index(const struct hv_vm *vm)
{
    return vm->index;
}

uint32_t
hv_vm_vp_count(const struct hv_vm *vm)
{
    return vm->cfg.n_vps;
}

struct hv_vp *
hv_vm_vp(const struct hv_vm *vm, uint32_t i)
{
    SIM_ASSERT(i < vm->cfg.n_vps);
    return (struct hv_vp *)&vm->vps[i];
}

struct gmem *
hv_vm_memory(const struct hv_vm *vm)
{
    return vm->mem;
}

struct apic *
hv_vm_apic(const struct hv_vm *vm)
{
    return vm->vapic;
}

uint32_t
hv_vm_vmwp_owner(const struct hv_vm *vm)
{
    return vm->vmwp_owner;
}

uint32_t
hv_vm_owner(struct hv_vm *vm, const char *what)
{
    char name[128];

    snprintf(name, sizeof name, "%s %s", vm->name, what);
    return cpu_owner(vm->hv->cpu, name);
}

int
hv_vm_set_isr(struct hv_vm *vm, uint8_t vector, uint32_t owner,
              cpu_step_fn *isr, void *arg)
{
    if (vector < 32 || owner >= cpu_owner_count(vm->hv->cpu)) {
        return EINVAL;
    }
    vm->isr[vector] = (struct isr_entry){ isr, arg, owner };
    return 0;
}

void
hv_vm_set_io(struct hv_vm *vm, const struct hv_io_ops *ops)
{
    vm->io = *ops;
}

bool
hv_vm_has_io(const struct hv_vm *vm)
{
    return vm->io.access != NULL;
}

struct hv *
hv_vm_hv(const struct hv_vm *vm)
{
    return vm->hv;
}

sim_component_id
hv_vm_component(const struct hv_vm *vm)
{
    return vm->comp;
}

struct hv_vm *
hv_vp_vm(const struct hv_vp *vp)
{
    return vp->vm;
}

uint32_t
hv_vp_index(const struct hv_vp *vp)
{
    return vp->index;
}

bool
hv_vp_is_running(const struct hv_vp *vp)
{
    return vp->state == VP_RUNNING;
}

uint64_t
hv_vm_exits(const struct hv_vm *vm, enum hv_exit_reason r)
{
    return (unsigned)r < HV_EXIT_COUNT ? vm->exits[r] : 0;
}

uint64_t
hv_vm_intercepts(const struct hv_vm *vm)
{
    return vm->intercepts;
}

uint64_t
hv_vm_injections(const struct hv_vm *vm)
{
    return vm->injections;
}

uint64_t
hv_vm_signals(const struct hv_vm *vm)
{
    return vm->signals;
}

/* --- Synthetic interrupts ------------------------------------------------------ */

/* A guest VP's SynIC raises a vector: inject it (edge) in the VP's local
 * APIC of the VM's virtual APIC. */
static void
vp_raise(void *ctx, uint8_t vector)
{
    struct hv_vp *vp = ctx;

    apic_lapic_inject(vp->vm->vapic, vp->index, vector, false);
}

struct synic *
hv_root_synic(const struct hv *hv, uint32_t lp)
{
    SIM_ASSERT(lp < hv->n_lps);
    return hv->slots[lp].root_synic;
}

struct synic *
hv_vp_synic(const struct hv_vp *vp)
{
    return vp->synic;
}

int
hv_root_set_sint(struct hv *hv, unsigned sint, uint8_t vector, uint32_t owner,
                 cpu_step_fn *isr, void *arg)
{
    if (sint == HV_ROOT_SINT || sint >= 16 || vector < 32
        || vector == hv->cfg.root_vector) {
        return EINVAL;
    }
    for (uint32_t lp = 0; lp < hv->n_lps; lp++) {
        if (synic_configure_sint(hv->slots[lp].root_synic, sint, vector,
                                 false, false)
            || cpu_set_isr(hv->cpu, lp, vector, owner, isr, arg)) {
            return EINVAL;
        }
        synic_set_siefp(hv->slots[lp].root_synic, true);
    }
    return 0;
}

/* The hypercall's effect, when its exit and work are done: set the root
 * SynIC's event flag, or post the message; then back to the guest. */
static void
hypercall_done(struct cpu_exec *x, void *arg)
{
    struct hv_vp *vp = arg;
    struct synic *root = vp->vm->hv->slots[vp->sig_lp].root_synic;
    cpu_step_fn *next = vp->sig_next;

    if (vp->msg_post) {
        vp->post_result = (int)synic_post_message(root, vp->sig_sint,
                                                  vp->msg_type, vp->msg,
                                                  vp->msg_len);
    } else {
        (void)synic_signal_event(root, vp->sig_sint, vp->sig_flag);
    }
    vp->sig_next = NULL;
    next(x, vp->sig_arg);
}

/* A guest hypercall toward root SINT 'sint' on 'lp': the exit, 'work'
 * cycles of the hypervisor's, then hypercall_done(). */
static void
hypercall(struct hv_vm *vm, struct cpu_exec *x, uint32_t lp, unsigned sint,
          uint64_t work, cpu_step_fn *next, void *arg)
{
    struct hv *hv = vm->hv;
    struct hv_vp *vp = exec_slot(hv, x)->cur;

    SIM_ASSERT(vp->vm == vm && lp < hv->n_lps && !vp->sig_next);
    vp->sig_lp = lp;
    vp->sig_sint = sint;
    vp->sig_next = next;
    vp->sig_arg = arg;
    count_exit(vm, vp, HV_EXIT_HYPERCALL);
    cpu_charge(x, hv->owner,
               hv->cfg.costs.exit_cycles[HV_EXIT_HYPERCALL] + work,
               hypercall_done, vp);
}

void
hv_guest_signal_root(struct hv_vm *vm, struct cpu_exec *x, uint32_t lp,
                     unsigned sint, uint32_t flag, cpu_step_fn *next,
                     void *arg)
{
    struct hv_vp *vp = exec_slot(vm->hv, x)->cur;

    vp->msg_post = false;
    vp->sig_flag = flag;
    vm->signals++;
    metric_add(vm->m_signals, 1);
    hypercall(vm, x, lp, sint, vm->hv->cfg.costs.signal_event_cycles, next,
              arg);
}

void
hv_guest_post_message(struct hv_vm *vm, struct cpu_exec *x, uint32_t lp,
                      unsigned sint, uint32_t type, const void *payload,
                      uint32_t len, cpu_step_fn *next, void *arg)
{
    struct hv_vp *vp = exec_slot(vm->hv, x)->cur;

    SIM_ASSERT(len <= sizeof vp->msg);
    vp->msg_post = true;
    vp->msg_type = type;
    vp->msg_len = len;
    memcpy(vp->msg, payload, len);
    hypercall(vm, x, lp, sint, vm->hv->cfg.costs.post_message_cycles, next,
              arg);
}

int
hv_vp_post_result(const struct hv_vp *vp)
{
    return vp->post_result;
}

void
hv_root_signal_guest(struct hv *hv, struct cpu_exec *x, struct hv_vm *vm,
                     uint32_t vp, unsigned sint, uint32_t flag,
                     cpu_step_fn *next, void *arg)
{
    SIM_ASSERT(vp < vm->cfg.n_vps);
    /* The flag is set now: the hypercall's effect is what the guest sees,
     * and the root pays for it below. */
    (void)synic_signal_event(vm->vps[vp].synic, sint, flag);
    vm->signals++;
    metric_add(vm->m_signals, 1);
    cpu_charge(x, hv->owner,
               hv->cfg.costs.exit_cycles[HV_EXIT_HYPERCALL]
               + hv->cfg.costs.signal_event_cycles,
               next, arg);
}
