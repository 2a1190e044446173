/*
 * hv.h -- the hypervisor: partitions, virtual processors and the way
 * guest work, VM exits, intercepts and virtual interrupts turn into work
 * on the host's logical processors.
 *
 * WHAT IT MODELS.  A Hyper-V style type-1 hypervisor (FACTS.md §7.3) on a
 * host whose processors are a struct cpu and whose interrupt controller is
 * a struct apic.  The root partition's virtual processors run 1:1 on the
 * LPs: everything the cpu model already runs (ISRs, DPCs, the root's
 * threads such as the VM worker processes) is root work.  Child
 * partitions (VMs) have virtual processors (VPs) that a hypervisor
 * scheduler (models/hvsched.h: weights, affinity, a time slice) places on
 * LPs.  Each LP has one "guest slot", a passive-level thread of the cpu
 * model that runs whichever child VP the scheduler gives it; root ISRs and
 * DPCs preempt it as any thread, and the root's own threads share the LP
 * with it through the cpu model's run queue.
 *
 * GUEST WORK uses the cpu model's step convention unchanged: a guest
 * driver's or application's step function receives the host execution
 * context of the guest slot and charges cycles with cpu_charge() to a
 * guest owner, and its chain ends when a step returns without charging.
 * Inside a VP the guest has its own three levels, taken in this order
 * whenever the slot is about to run the VP's next chain:
 *
 *     1. a virtual interrupt its virtual APIC offers: the guest ISR
 *        registered for the vector (hv_vm_set_isr), then the guest's EOI;
 *     2. a guest DPC from the VP's FIFO (hv_vp_queue_dpc);
 *     3. a guest thread from the VP's FIFO run queue (hv_gthread_wake);
 *
 * and when none is left the VP halts (a HLT exit) and blocks until an
 * interrupt is injected.  Guest levels do not preempt each other inside a
 * chain: a virtual interrupt injected while the VP runs is taken at the
 * end of the running chain (guest steps are per-packet sized, so this
 * delays it by at most one step; doc/models.md says more).
 *
 * VM EXITS.  Guest code calls hv_exit() for an exit the hypervisor
 * handles itself (hypercall, MSR, EOI) and hv_intercept() for one it
 * routes to the root (port I/O, MMIO).  Every exit is counted per VM and
 * reason and charges exit_cycles[reason] (the exit, the hypervisor's
 * handling and the entry back, as one round trip) to the "hypervisor"
 * owner on the LP.  The hypervisor itself also exits: HLT when a VP has
 * nothing to do, EOI when the guest completes an interrupt (unless the
 * EOI assist or APIC virtualization absorbs it), external interrupt when
 * a running VP must be kicked to inject, interrupt window when the guest
 * had interrupts disabled.
 *
 * INTERCEPTS (FACTS.md §7.3).  An intercepted access suspends the VP; the
 * hypervisor charges intercept_cycles to build the message and posts it
 * to the root's SynIC on the same LP (a synthetic interrupt of vector
 * root_vector); the root's ISR (owner "VID") charges vid_cycles and hands
 * the access to the VM's worker process: a thread of the VM's VMWP owner
 * pinned to that LP, which pays a kernel-to-user transition
 * (kernel_user_cycles), runs the device emulation the VM registered
 * (struct hv_io_ops), pays the transition back, and completes the access:
 * the VP becomes runnable and, when it runs again, continues with the
 * step the guest gave.  Between the exit and the resumption the LP
 * switches from the guest slot to the worker and back: two context
 * switches of the cpu model.
 *
 * VIRTUAL INTERRUPTS.  Each VM has a virtual APIC (a struct apic with one
 * local APIC per VP and an IOAPIC for legacy INTx lines, no delivery
 * delay): device models raise interrupts in it (hv_vm_apic()), the SynIC
 * injects through apic_lapic_inject().  When a VP's local APIC has a
 * deliverable vector the VP is woken if halted, or kicked if running:
 * without posted interrupts a kick is an external-interrupt exit; with
 * posted interrupts (hv_config.posted_interrupts, APIC virtualization)
 * the running VP takes it without an exit and its edge-triggered EOIs do
 * not exit either.
 *
 * EOI.  After a guest ISR the guest writes EOI.  With APIC virtualization
 * an edge-triggered EOI is virtualized (no exit); with the EOI assist
 * (hv_config.eoi_assist, FACTS.md §7.4) the hypervisor marked the
 * injection "no EOI required" if it was edge-triggered with no
 * lower-priority vector pending, and the EOI costs nothing; otherwise it
 * is an EOI exit.  Level-triggered EOIs always exit: the IOAPIC's remote
 * IRR must be cleared by the hypervisor.
 *
 * DETERMINISM.  VPs, threads and owners are numbered in creation order;
 * every queue is FIFO; the scheduler breaks ties by id.
 *
 * OWNERSHIP.  The hv owns its VMs, their VPs, guest threads, virtual
 * APICs and worker threads; the cpu, apic, simulation and metrics
 * outlive it (destroy the hv first).  Guest DPCs (struct cpu_dpc) belong
 * to the guest model that queues them.  The model allocates while it is
 * built (hv_create, hv_vm_create, hv_gthread_create) and never while it
 * runs.
 */
#ifndef VNETSIM_MODELS_HV_H
#define VNETSIM_MODELS_HV_H 1

#include <stdbool.h>
#include <stdint.h>

#include "models/cpu.h"
#include "sim/sim.h"

struct apic;
struct gmem;
struct metrics;
struct hv;
struct hv_vm;
struct hv_vp;
struct hv_gthread;

/* Why a VP left guest mode. */
enum hv_exit_reason {
    HV_EXIT_IO_PORT,            /* IN/OUT: routed to the root */
    HV_EXIT_MMIO,               /* a device register in memory space: routed */
    HV_EXIT_MSR,                /* RDMSR/WRMSR the hypervisor emulates */
    HV_EXIT_HYPERCALL,          /* VMCALL */
    HV_EXIT_EXT_INTR,           /* a physical interrupt or a kick */
    HV_EXIT_EOI,                /* end of a virtual interrupt */
    HV_EXIT_HLT,                /* the VP has nothing to do */
    HV_EXIT_INTR_WINDOW,        /* the guest re-enabled interrupts */
    HV_EXIT_COUNT
};

const char *hv_exit_reason_name(enum hv_exit_reason r);

/* Cycle costs (profile section "hv", doc/models.md section 10). */
struct hv_costs {
    uint64_t exit_cycles[HV_EXIT_COUNT]; /* exit + handling + entry */
    uint64_t vp_switch_cycles;      /* an LP switches to another VP */
    uint64_t inject_cycles;         /* injecting a virtual interrupt */
    uint64_t signal_event_cycles;   /* HvCallSignalEvent's work */
    uint64_t post_message_cycles;   /* HvCallPostMessage's work */
    uint64_t intercept_cycles;      /* building an intercept message */
    uint64_t vid_cycles;            /* the root kernel's intercept handling */
    uint64_t kernel_user_cycles;    /* one kernel/user transition (VMWP) */
};

struct hv_config {
    const char *name;               /* component name, e.g. "hv" */
    struct hv_costs costs;
    sim_time_t time_slice_ps;       /* the VP scheduler's slice, > 0 */
    uint8_t root_vector;            /* the root's intercept SINT vector */
    bool posted_interrupts;         /* APIC virtualization / posted */
    bool eoi_assist;                /* Hyper-V EOI assist (edge only) */
};

/* Creates the hypervisor of the host made of 'cpu' and 'apic' (which
 * outlive it) under component 'parent'.  Installs the root's intercept
 * ISR for cfg->root_vector on every LP.  Returns 0, EINVAL or ENOMEM. */
int hv_create(struct sim *sim, struct metrics *reg, sim_component_id parent,
              struct cpu *cpu, struct apic *apic,
              const struct hv_config *cfg, struct hv **out);
void hv_destroy(struct hv *hv);                 /* accepts NULL */

/* Ends the timeline slices of the VPs still running (at the end of a
 * run). */
void hv_trace_flush(struct hv *hv);

struct cpu *hv_cpu(const struct hv *hv);
uint32_t hv_owner(const struct hv *hv);         /* the "hypervisor" owner */

/* --- Virtual machines ---------------------------------------------------- */

struct hv_vm_config {
    const char *name;               /* "vm1": component and owner prefix */
    uint32_t n_vps;                 /* 1 .. 64 */
    uint64_t memory_bytes;          /* guest physical memory */
    uint32_t weight;                /* scheduler weight of each VP */
    const uint64_t *affinity;       /* LP bitmap (words of 64), NULL: all */
    /* The guest kernel's own mechanisms (profile section "guest"): ISR
     * entry and exit, EOI (the register write; the exit is separate), DPC
     * dispatch, switching between guest threads. */
    struct cpu_costs guest_costs;
};

/* A guest's emulated devices, run by the VM's worker process. */
struct hv_io {
    enum hv_exit_reason reason;     /* HV_EXIT_IO_PORT or HV_EXIT_MMIO */
    bool write;
    uint64_t addr;                  /* port number or guest physical address */
    uint32_t value;                 /* written value, or the value read */
    uint8_t size;                   /* bytes: 1, 2 or 4 */
};

struct hv_io_ops {
    /* Emulates 'io' for VP 'vp' in the worker thread's context 'x': charges
     * the emulation's cycles on 'x', stores the value of a read in
     * io->value, and ends with cpu_charge(x, ..., done, done_arg) or by
     * calling done(x, done_arg). */
    void (*access)(void *ctx, struct cpu_exec *x, struct hv_vp *vp,
                   struct hv_io *io, cpu_step_fn *done, void *done_arg);
    void *ctx;
};

int hv_vm_create(struct hv *hv, const struct hv_vm_config *cfg,
                 struct hv_vm **out);
const char *hv_vm_name(const struct hv_vm *vm);
uint32_t hv_vm_index(const struct hv_vm *vm);   /* 1, 2, ... (0 is the root) */
uint32_t hv_vm_vp_count(const struct hv_vm *vm);
struct hv_vp *hv_vm_vp(const struct hv_vm *vm, uint32_t i);
struct gmem *hv_vm_memory(const struct hv_vm *vm);
/* The VM's virtual APIC: one local APIC per VP, an IOAPIC for INTx. */
struct apic *hv_vm_apic(const struct hv_vm *vm);
/* The owner of the VM's worker process (VMWP) on the host cpu. */
uint32_t hv_vm_vmwp_owner(const struct hv_vm *vm);
/* Registers (or finds) the guest owner "<vm> <what>", e.g. "vm1 kernel". */
uint32_t hv_vm_owner(struct hv_vm *vm, const char *what);

/* Installs the guest ISR of 'vector' (on every VP of the VM), charged to
 * 'owner'.  Returns 0 or EINVAL. */
int hv_vm_set_isr(struct hv_vm *vm, uint8_t vector, uint32_t owner,
                  cpu_step_fn *isr, void *arg);
/* Sets the emulated devices' handler (one per VM); hv_vm_has_io() tells
 * whether one is set. */
void hv_vm_set_io(struct hv_vm *vm, const struct hv_io_ops *ops);
bool hv_vm_has_io(const struct hv_vm *vm);
struct hv *hv_vm_hv(const struct hv_vm *vm);
/* The VM's component ("hv.vm1"), under which its devices register. */
sim_component_id hv_vm_component(const struct hv_vm *vm);

/* --- Virtual processors and guest work ----------------------------------- */

struct hv_vm *hv_vp_vm(const struct hv_vp *vp);
uint32_t hv_vp_index(const struct hv_vp *vp);
/* The VP a guest step runs on (asserted: 'x' is a guest slot running one). */
struct hv_vp *hv_exec_vp(struct hv *hv, const struct cpu_exec *x);
/* True while 'vp' runs on an LP. */
bool hv_vp_is_running(const struct hv_vp *vp);

/* Queues guest DPC 'dpc' on 'vp' (false if already queued).  Wakes the VP
 * if it is halted. */
bool hv_vp_queue_dpc(struct hv_vp *vp, struct cpu_dpc *dpc);

/* A guest thread on VP 'vp' (threads of a VP run in FIFO order, each until
 * its chain ends). */
struct hv_gthread *hv_gthread_create(struct hv_vp *vp, const char *name,
                                     uint32_t owner);
/* Makes 'gt' runnable with 'entry'('arg'); a wake while it is runnable or
 * running is remembered once (as cpu_thread_wake()). */
void hv_gthread_wake(struct hv_gthread *gt, cpu_step_fn *entry, void *arg);

/* From a guest step of 'vm' running in 'x': a VM exit of 'reason' that the
 * hypervisor handles itself; charges its cost, then continues with
 * 'next'('arg') in guest mode. */
void hv_exit(struct hv_vm *vm, struct cpu_exec *x,
             enum hv_exit_reason reason, cpu_step_fn *next, void *arg);

/* From a guest step of 'vm' running in 'x': an access to an emulated device,
 * intercepted and routed to the root's worker process.  The VP stops;
 * when the access is complete it continues with 'next'('arg'), and
 * hv_vp_io_value() returns the value a read produced. */
void hv_intercept(struct hv_vm *vm, struct cpu_exec *x,
                  const struct hv_io *io, cpu_step_fn *next, void *arg);
uint32_t hv_vp_io_value(const struct hv_vp *vp);

/* --- Synthetic interrupts (models/synic.h) -------------------------------- */

/* The SynIC of the root's VP on 'lp', and of child VP 'vp'.  A guest VP's
 * SynIC raises its vectors in the VM's virtual APIC; the root's raise
 * theirs on the LP's local APIC. */
struct synic *hv_root_synic(const struct hv *hv, uint32_t lp);
struct synic *hv_vp_synic(const struct hv_vp *vp);

/* Configures root SINT 'sint' (not 0: intercepts) with 'vector' on every
 * LP and installs 'isr'('arg') for it, charged to 'owner'.  Returns 0 or
 * EINVAL. */
int hv_root_set_sint(struct hv *hv, unsigned sint, uint8_t vector,
                     uint32_t owner, cpu_step_fn *isr, void *arg);

/* HvCallSignalEvent from a guest step of 'vm' in 'x': a hypercall exit
 * plus signal_event_cycles, after which event flag 'flag' of root SINT
 * 'sint' on LP 'lp' is set (interrupting that LP if it was clear); then
 * 'next'('arg') continues in guest mode. */
void hv_guest_signal_root(struct hv_vm *vm, struct cpu_exec *x, uint32_t lp,
                          unsigned sint, uint32_t flag, cpu_step_fn *next,
                          void *arg);

/* HvCallPostMessage from a guest step of 'vm' in 'x': a hypercall exit
 * plus post_message_cycles, after which the message ('type', 'len' <= 240
 * bytes of 'payload', copied now) is posted to root SINT 'sint' on LP
 * 'lp' (its slot, or its queue if the slot is busy; models/synic.h); the
 * SynIC's result (enum synic_post_result) is then readable with
 * hv_vp_post_result() and 'next'('arg') continues in guest mode. */
void hv_guest_post_message(struct hv_vm *vm, struct cpu_exec *x, uint32_t lp,
                           unsigned sint, uint32_t type, const void *payload,
                           uint32_t len, cpu_step_fn *next, void *arg);
int hv_vp_post_result(const struct hv_vp *vp);

/* HvCallSignalEvent from root work in 'x' toward VP 'vp' of 'vm': charges
 * the hypercall exit and signal_event_cycles to the hypervisor, sets the
 * VP's event flag (which injects the SINT's vector if it was clear), then
 * continues with 'next'('arg'). */
void hv_root_signal_guest(struct hv *hv, struct cpu_exec *x, struct hv_vm *vm,
                          uint32_t vp, unsigned sint, uint32_t flag,
                          cpu_step_fn *next, void *arg);

/* Counters. */
uint64_t hv_vm_signals(const struct hv_vm *vm);  /* SignalEvent both ways */
uint64_t hv_vm_exits(const struct hv_vm *vm, enum hv_exit_reason r);
uint64_t hv_vm_intercepts(const struct hv_vm *vm);
uint64_t hv_vm_injections(const struct hv_vm *vm);
uint64_t hv_vp_switches(const struct hv *hv);

#endif /* VNETSIM_MODELS_HV_H */
