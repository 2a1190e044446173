/*
 * cpu.h -- the processor model: logical processors that execute work at
 * three priority levels (interrupt, DPC, thread), charge it in cycles and
 * account every picosecond to a level and an owner.
 *
 * WHAT IT MODELS.  A struct cpu is a package of N logical processors (LPs)
 * running at one clock frequency of F MHz.  Optional SMT pairs LPs 2k and
 * 2k+1 as siblings of core k, and optional NUMA splits the LPs into equal
 * contiguous blocks; both are topology only (for placement policies): a
 * sibling runs at full speed whatever its twin does.  Each LP executes
 * work at three levels, highest first:
 *
 *     CPU_LEVEL_ISR      interrupt service routines, which nest;
 *     CPU_LEVEL_DPC      deferred procedure calls, from a FIFO per LP;
 *     CPU_LEVEL_PASSIVE  threads pinned to the LP, from a FIFO run queue.
 *
 * A higher level preempts a lower one at once.  The preempted piece keeps
 * its remaining work exactly (in work units of 1e-6 cycle, models/clock.h)
 * and resumes when the higher level is done, so cutting work by
 * preemption neither loses nor invents a single unit.
 *
 * WORK IS A CHAIN OF STEPS.  A model gives the CPU work as a step function
 * (cpu_step_fn).  A step runs at the instant its piece of execution starts
 * and takes no simulated time itself; it either calls cpu_charge() exactly
 * once -- "execute this many cycles for this owner, then call that step" --
 * or returns without charging, which ends the chain.  What a model wants to
 * happen after the work (hand a frame on, wake a thread) belongs in the
 * next step, which runs when the cycles have been executed.  A chain runs
 * in an execution context (struct cpu_exec): an ISR frame, the LP's DPC
 * slot or a thread.
 *
 * INTERRUPTS.  The CPU talks to an interrupt controller through struct
 * cpu_intc.  The controller calls cpu_interrupt_notify() when a vector may
 * have become deliverable; the LP then asks pending(), at the same
 * simulated time, through an event of the LP's component.  Whenever the
 * LP is about to start or resume a piece of work it asks pending() again,
 * so the controller alone decides what is deliverable.  It offers only
 * vectors of higher priority than those in service, so an offered vector
 * preempts a running ISR handler: ISRs nest, at most CPU_ISR_DEPTH_MAX
 * deep.  Interrupts are masked while the innermost ISR is in its entry,
 * EOI or exit phase (as from the interrupt gate until the kernel enables
 * them, and from the EOI path until IRET).
 * Taking vector V: ack() (INTA), then in the new ISR frame charge
 * isr_entry_cycles to the handler's owner, run the handler's chain,
 * charge eoi_cycles, call eoi(), charge isr_exit_cycles, pop the frame
 * and resume what was preempted.  A vector without a handler is counted
 * as spurious and EOIed at once, at no cost.
 *
 * DPCs.  cpu_queue_dpc() appends a caller-owned struct cpu_dpc to an LP's
 * queue unless it is already queued (KeInsertQueueDpc semantics).  The LP
 * runs queued DPCs in FIFO order (cpu_queue_dpc_first() puts one at the
 * head) whenever no ISR is active on it: each
 * costs dpc_dispatch_cycles, then its chain.  A DPC is no longer queued
 * once it starts, so its own chain may queue it again.  A DPC queued to an
 * LP that runs passive work or idles starts at once (no IPI latency).
 *
 * THREADS.  cpu_thread_wake() makes a blocked thread runnable (tail of its
 * LP's run queue) with an entry step; waking a thread that is runnable or
 * running records one pending wake (an auto-reset event: several collapse
 * into one), and its chain starts again from the entry step of the latest
 * wake when the current chain ends.  The thread blocks when a chain ends
 * with no pending wake.  Switching an LP to a thread other than the last
 * thread that ran on it first charges context_switch_cycles to the
 * incoming thread's owner.  With a quantum (thread_quantum_ps > 0), a
 * thread that has run for a quantum while others wait on its LP goes to
 * the tail of the run queue, keeping its remaining work; if nobody waits
 * when the quantum expires it simply gets a new one.  Only time spent at
 * passive level (context switch included) uses up a quantum.
 *
 * ACCOUNTING.  Every LP partitions the time since cpu_create() into idle
 * time and busy time, and the busy time by level and by owner, all in
 * integer picoseconds: at any instant, for every LP,
 *     idle + sum over levels of busy == elapsed, and
 *     sum over owners == sum over levels == busy,
 * exactly.  The accessors include the slice running now.  The metrics
 * (doc/models.md section 2) are time averages of the same 0/1 and count values.
 *
 * TIME AND EVENTS.  Each LP has at most one pending event: the end of the
 * slice it runs now (the completion of the piece, or the end of a thread's
 * quantum) or a "kick" at the current time after something changed from
 * outside the LP's own execution (a DPC queued, a thread woken, an
 * interrupt notified).  Preemption cancels the event (O(1)).  Slices end
 * at now + ceil(remaining work / F) ps, computed in integers: no floating
 * point decides the order of events.
 *
 * DETERMINISM.  Every choice depends on the order of calls only: FIFO
 * queues, owners and threads numbered in creation order, events ordered
 * by the engine.  The same scenario gives the same events, fingerprint
 * and metric values.
 *
 * OWNERSHIP AND MEMORY.  The simulation, the metrics registry and the
 * trace outlive the cpu (destroy the cpu first).  The cpu owns its
 * threads (freed by cpu_destroy()) and its metrics' handles (the registry
 * owns the metrics).  struct cpu_dpc is owned by the caller and must stay
 * alive while queued or running.  Owners and threads allocate when
 * created, while the model is built; running work allocates nothing
 * (pieces of work live in the execution contexts, and the ISR stack of an
 * LP has a fixed depth).  Allocation failure in cpu_owner() ends the program with a
 * message (the simulator program's policy); cpu_create() and
 * cpu_thread_create() report it.
 *
 * ERRORS.  Configuration is validated by cpu_create() (EINVAL).  Calls
 * made while running assert their arguments (SIM_ASSERT, always on): the
 * Lua binding validates at the boundary.
 */
#ifndef VNETSIM_MODELS_CPU_H
#define VNETSIM_MODELS_CPU_H 1

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

struct metrics;
struct trace;
struct cpu;
struct cpu_exec;
struct cpu_thread;

/* Levels of execution, lowest first. */
enum cpu_level {
    CPU_LEVEL_PASSIVE,          /* threads */
    CPU_LEVEL_DPC,              /* deferred procedure calls */
    CPU_LEVEL_ISR,              /* interrupt service routines */
};
#define CPU_LEVEL_COUNT 3

/* Deepest ISR nesting on one LP. */
#define CPU_ISR_DEPTH_MAX 16

/* Interrupt vectors are 0 .. CPU_VECTORS - 1. */
#define CPU_VECTORS 256

/* Most LPs in one cpu. */
#define CPU_MAX_LPS 4096

/* Sentinel for "no owner" (never a valid owner id). */
#define CPU_OWNER_NONE UINT32_MAX

/* Cycle costs of the CPU's own mechanisms.  The model hard-codes none of
 * them: the caller takes them from the platform profile (profile keys
 * cpu.isr_entry_cycles etc., doc/models.md section 2). */
struct cpu_costs {
    uint64_t isr_entry_cycles;      /* interrupt entry up to the handler */
    uint64_t isr_exit_cycles;       /* after EOI up to the resumed code */
    uint64_t eoi_cycles;            /* writing the EOI */
    uint64_t dpc_dispatch_cycles;   /* taking one DPC off the queue */
    uint64_t context_switch_cycles; /* switching an LP to another thread */
};

struct cpu_config {
    const char *name;           /* component name: non-empty, no '.' */
    uint32_t n_lps;             /* 1 .. CPU_MAX_LPS */
    uint32_t mhz;               /* 1 .. CLOCK_MAX_MHZ */
    bool smt;                   /* LPs 2k, 2k+1 share core k (n_lps even) */
    uint32_t numa_nodes;        /* 0 or 1: one node; else divides n_lps
                                 * (into whole cores with smt) */
    struct cpu_costs costs;     /* each at most CLOCK_MAX_CYCLES */
    sim_time_t thread_quantum_ps; /* 0: threads run until they block */
};

/* A step of a chain of work, run at simulated time cpu_now() when its
 * piece of execution starts, in execution context 'x'.  It calls
 * cpu_charge() once, or returns without charging to end the chain. */
typedef void cpu_step_fn(struct cpu_exec *x, void *arg);

/* --- The cpu ------------------------------------------------------------- */

/* Builds a cpu described by 'cfg' as component cfg->name under 'parent',
 * with one child component "lpN" per LP, registers its metrics in 'reg'
 * and stores it in '*out'.  Returns 0, EINVAL for an invalid 'cfg' (or a
 * NULL 'sim' or 'reg'), or ENOMEM; on failure '*out' is NULL (components
 * and metrics already registered stay registered). */
int cpu_create(struct sim *sim, struct metrics *reg, sim_component_id parent,
               const struct cpu_config *cfg, struct cpu **out);

/* Cancels the cpu's pending events and frees it and its threads.  Queued
 * DPCs are forgotten (they stay marked queued).  Accepts NULL. */
void cpu_destroy(struct cpu *cpu);

struct sim *cpu_sim(const struct cpu *cpu);
sim_time_t cpu_now(const struct cpu *cpu);
sim_component_id cpu_component(const struct cpu *cpu);
sim_component_id cpu_lp_component(const struct cpu *cpu, uint32_t lp);

/* Topology.  cpu_lp_core(): the core of 'lp' (lp / 2 with SMT, else lp);
 * cpu_lp_sibling(): its SMT twin, or 'lp' itself without SMT;
 * cpu_lp_numa_node(): its node, 0 .. numa_nodes - 1. */
uint32_t cpu_lp_count(const struct cpu *cpu);
uint32_t cpu_mhz(const struct cpu *cpu);
uint32_t cpu_lp_core(const struct cpu *cpu, uint32_t lp);
uint32_t cpu_lp_sibling(const struct cpu *cpu, uint32_t lp);
uint32_t cpu_lp_numa_node(const struct cpu *cpu, uint32_t lp);

/* Registers the owner of work called 'name' (non-empty; copied) and
 * returns its id, or the id it already has (ids count from 0 in
 * registration order).  Creates its metrics.  Must be called before the
 * simulation has executed any event (asserted). */
uint32_t cpu_owner(struct cpu *cpu, const char *name);
uint32_t cpu_owner_count(const struct cpu *cpu);
const char *cpu_owner_name(const struct cpu *cpu, uint32_t owner);

/* Writes a timeline span per contiguous slice of one (owner, level) on an
 * LP to 't' (NULL: stop): name = owner, category = "isr", "dpc" or
 * "passive", on the LP's component.  A span is written when it ends;
 * cpu_trace_flush() writes the spans still open (cut at now), and must be
 * called before the trace is closed. */
void cpu_set_trace(struct cpu *cpu, struct trace *t);
void cpu_trace_flush(struct cpu *cpu);

/* --- Work ---------------------------------------------------------------- */

/* Inside a step: execute 'cycles' (at most CLOCK_MAX_CYCLES) for 'owner'
 * at the context's level, preemptibly, then run 'next'(x, 'arg') -- or, if
 * 'next' is NULL, end the chain.  Must be called at most once per step
 * (asserted). */
void cpu_charge(struct cpu_exec *x, uint32_t owner, uint64_t cycles,
                cpu_step_fn *next, void *arg);

/* The context a step runs in. */
struct cpu *cpu_exec_cpu(const struct cpu_exec *x);
uint32_t cpu_exec_lp(const struct cpu_exec *x);
enum cpu_level cpu_exec_level(const struct cpu_exec *x);
/* The vector an ISR serves (-1 outside ISRs); the thread (NULL outside
 * threads). */
int cpu_exec_vector(const struct cpu_exec *x);
struct cpu_thread *cpu_exec_thread(const struct cpu_exec *x);

/* --- Interrupts ---------------------------------------------------------- */

struct cpu_intc {
    /* The vector LP 'lp' should take now, or -1. */
    int (*pending)(void *ctx, uint32_t lp);
    /* INTA: returns the vector (or -1 if none is deliverable any more)
     * and moves it in service. */
    int (*ack)(void *ctx, uint32_t lp);
    /* End of interrupt for the vector in service of highest priority. */
    void (*eoi)(void *ctx, uint32_t lp);
};

/* Connects the interrupt controller 'ops' (copied; NULL: none, and no
 * interrupts are taken) with its context 'ctx'. */
void cpu_set_intc(struct cpu *cpu, const struct cpu_intc *ops, void *ctx);

/* Tells the cpu that LP 'lp' may have an interrupt to take.  The LP asks
 * pending() at the current time, through an event of its component (or
 * before its next piece of work, if it is executing a step right now). */
void cpu_interrupt_notify(struct cpu *cpu, uint32_t lp);

/* Installs 'isr' (NULL removes it) as the handler of 'vector' on 'lp',
 * owned by 'owner', called with 'arg'.  Returns 0, or EINVAL for a bad
 * LP, vector or owner (nothing changes). */
int cpu_set_isr(struct cpu *cpu, uint32_t lp, int vector, uint32_t owner,
                cpu_step_fn *isr, void *arg);

/* --- DPCs ---------------------------------------------------------------- */

/* A deferred procedure call, owned by the caller.  Treat the members as
 * private, except 'busy_ps', which the caller may read (and reset): the
 * time its chains have run at DPC level, dispatch included, ISRs that
 * preempted them excluded -- the per-queue load a VMQ policy measures.
 * Initialise with cpu_dpc_init(). */
struct cpu_dpc {
    cpu_step_fn *fn;
    void *arg;
    uint32_t owner;
    bool queued;
    struct cpu_dpc *next;       /* in the LP's queue */
    sim_time_t busy_ps;         /* see above */
};

void cpu_dpc_init(struct cpu_dpc *dpc, cpu_step_fn *fn, void *arg,
                  uint32_t owner);

/* Queues 'dpc' on 'lp'.  Returns true, or false (and does nothing) if it
 * is already queued on any LP. */
bool cpu_queue_dpc(struct cpu *cpu, uint32_t lp, struct cpu_dpc *dpc);

/* Samples every LP's busy fraction ("busy") into its series every
 * 'interval' (metrics_sample_every: the average over each interval).
 * Returns 0, EINVAL or ENOMEM. */
int cpu_sample_busy(struct cpu *cpu, sim_time_t interval);

/* The trace cpu_set_trace() gave, or NULL: models running on this CPU
 * (the hypervisor) add their own lanes and instants to its timeline. */
struct trace *cpu_trace(const struct cpu *cpu);

/* As cpu_queue_dpc(), but at the head of the queue, as Windows queues a
 * DPC of high importance (KeSetImportanceDpc): it runs as soon as the DPC
 * in progress ends, ahead of those waiting. */
bool cpu_queue_dpc_first(struct cpu *cpu, uint32_t lp, struct cpu_dpc *dpc);
bool cpu_dpc_is_queued(const struct cpu_dpc *dpc);

/* --- Threads ------------------------------------------------------------- */

/* Creates a blocked thread named 'name' (copied) running 'owner''s passive
 * work, pinned to 'lp'.  Returns NULL if memory is exhausted.  The cpu
 * frees it. */
struct cpu_thread *cpu_thread_create(struct cpu *cpu, const char *name,
                                     uint32_t owner, uint32_t lp);

/* Makes 'thread' runnable with 'entry'('arg') as the first step of its
 * next chain, or records one pending wake if it is runnable or running
 * (see THREADS above). */
void cpu_thread_wake(struct cpu_thread *thread, cpu_step_fn *entry,
                     void *arg);

const char *cpu_thread_name(const struct cpu_thread *thread);
uint32_t cpu_thread_lp(const struct cpu_thread *thread);
/* True if the thread is runnable or running (not blocked). */
bool cpu_thread_is_active(const struct cpu_thread *thread);

/* --- Accounting (exact, since cpu_create(), including the current slice) - */

sim_time_t cpu_elapsed_ps(const struct cpu *cpu);
sim_time_t cpu_lp_busy_ps(const struct cpu *cpu, uint32_t lp,
                          enum cpu_level level);
sim_time_t cpu_lp_total_busy_ps(const struct cpu *cpu, uint32_t lp);
sim_time_t cpu_lp_owner_ps(const struct cpu *cpu, uint32_t lp,
                           uint32_t owner);
sim_time_t cpu_lp_idle_ps(const struct cpu *cpu, uint32_t lp);
/* Whole cycles the LP has executed: floor(busy * F / 10^6). */
uint64_t cpu_lp_busy_cycles(const struct cpu *cpu, uint32_t lp);

/* Counts since cpu_create(). */
uint64_t cpu_lp_interrupts(const struct cpu *cpu, uint32_t lp);
uint64_t cpu_lp_spurious(const struct cpu *cpu, uint32_t lp);
uint64_t cpu_lp_dpcs(const struct cpu *cpu, uint32_t lp);
uint64_t cpu_lp_context_switches(const struct cpu *cpu, uint32_t lp);
/* Current state: DPCs waiting in the queue, ISR nesting depth. */
uint32_t cpu_lp_dpc_queue_len(const struct cpu *cpu, uint32_t lp);
uint32_t cpu_lp_isr_depth(const struct cpu *cpu, uint32_t lp);

const char *cpu_level_name(enum cpu_level level);

#endif /* VNETSIM_MODELS_CPU_H */
