/*
 * test-hv.c -- models/hv.h on a real cpu and apic: VPs share LPs by the
 * scheduler's slices and weights and every VP switch is charged; a VP
 * with nothing to do halts (one HLT exit) and an interrupt or a DPC wakes
 * it; a virtual interrupt runs the guest ISR and its EOI exits unless the
 * EOI assist or posted interrupts absorb it (never for level-triggered);
 * an intercepted port access goes to the worker process and back with
 * exactly its modelled costs and two context switches; a running VP that
 * is kicked to inject takes an external-interrupt exit, unless interrupts
 * are posted.
 */
#include <config.h>

#include <string.h>

#include "models/apic.h"
#include "models/cpu.h"
#include "models/hv.h"
#include "models/synic.h"
#include "sim/metrics.h"
#include "sim/sim.h"
#include "tests/cutest.h"

#define MHZ 1000                    /* 1 cycle = 1 ns = 1000 ps */
#define NS 1000
#define MS ((sim_time_t)1000000000)     /* 1 ms in ps */

static struct sim *sim;
static struct metrics *reg;
static struct cpu *cpu;
static struct apic *apic;
static struct hv *hv;

static const struct cpu_costs host_costs = {
    .isr_entry_cycles = 10, .isr_exit_cycles = 10, .eoi_cycles = 5,
    .dpc_dispatch_cycles = 7, .context_switch_cycles = 500,
};

static struct hv_config
hv_config(void)
{
    struct hv_config c = {
        .name = "hv",
        .time_slice_ps = 10 * MS,
        .root_vector = 0xf0,
    };
    for (int r = 0; r < HV_EXIT_COUNT; r++) {
        c.costs.exit_cycles[r] = 1000 + (uint64_t)r;    /* tell them apart */
    }
    c.costs.vp_switch_cycles = 5000;
    c.costs.inject_cycles = 100;
    c.costs.intercept_cycles = 300;
    c.costs.vid_cycles = 2000;
    c.costs.kernel_user_cycles = 175;
    return c;
}

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
setup_with(uint32_t lps, const struct hv_config *hc)
{
    struct cpu_config cc = { .name = "cpu", .n_lps = lps, .mhz = MHZ,
                             .costs = host_costs };
    struct apic_config ac = { .name = "apic", .lps = lps };
    static const struct cpu_intc intc = { intc_pending, intc_ack, intc_eoi };

    sim = sim_create();
    reg = metrics_create(sim);
    CU_ASSERT_FATAL(cpu_create(sim, reg, SIM_COMPONENT_ROOT, &cc, &cpu) == 0);
    CU_ASSERT_FATAL(apic_create(sim, reg, SIM_COMPONENT_ROOT, &ac, &apic)
                    == 0);
    cpu_set_intc(cpu, &intc, apic);
    apic_set_notify(apic, apic_notify, cpu);
    CU_ASSERT_FATAL(hv_create(sim, reg, SIM_COMPONENT_ROOT, cpu, apic, hc,
                              &hv) == 0);
}

static void
setup(uint32_t lps)
{
    struct hv_config hc = hv_config();
    setup_with(lps, &hc);
}

static void
teardown(void)
{
    hv_destroy(hv);
    apic_destroy(apic);
    cpu_destroy(cpu);
    metrics_destroy(reg);
    sim_destroy(sim);
}

static const struct cpu_costs guest_costs = {
    .isr_entry_cycles = 20, .isr_exit_cycles = 30, .eoi_cycles = 40,
    .dpc_dispatch_cycles = 50, .context_switch_cycles = 600,
};

static struct hv_vm *
new_vm(const char *name, uint32_t weight, const uint64_t *affinity)
{
    struct hv_vm_config vc = {
        .name = name, .n_vps = 1, .memory_bytes = 1 << 20,
        .weight = weight, .affinity = affinity, .guest_costs = guest_costs,
    };
    struct hv_vm *vm;
    CU_ASSERT_FATAL(hv_vm_create(hv, &vc, &vm) == 0);
    return vm;
}

static double
counter(const char *name)
{
    struct metric *m = metrics_find(reg, name);
    return m ? metric_value(m) : -1;
}

/* --- A CPU-bound guest thread: 100 us pieces forever -------------------- */

struct spinner {
    struct hv_gthread *t;
    uint32_t owner;
    uint64_t pieces;
};

static void spin(struct cpu_exec *x, void *arg);

static void
spin_again(struct cpu_exec *x, void *arg)
{
    struct spinner *s = arg;
    (void)x;
    s->pieces++;
    hv_gthread_wake(s->t, spin, s);     /* runnable again at once */
}

static void
spin(struct cpu_exec *x, void *arg)
{
    struct spinner *s = arg;
    cpu_charge(x, s->owner, 100000, spin_again, s);
}

static void
test_two_cpu_bound_vms_share_one_lp_by_slices(void)
{
    setup(1);
    struct hv_vm *a = new_vm("vma", 100, NULL);
    struct hv_vm *b = new_vm("vmb", 100, NULL);
    struct spinner sa = { .owner = hv_vm_owner(a, "app") };
    struct spinner sb = { .owner = hv_vm_owner(b, "app") };
    sa.t = hv_gthread_create(hv_vm_vp(a, 0), "spin", sa.owner);
    sb.t = hv_gthread_create(hv_vm_vp(b, 0), "spin", sb.owner);
    hv_gthread_wake(sa.t, spin, &sa);
    hv_gthread_wake(sb.t, spin, &sb);
    sim_run(sim, 100 * MS);
    sim_time_t ta = cpu_lp_owner_ps(cpu, 0, sa.owner);
    sim_time_t tb = cpu_lp_owner_ps(cpu, 0, sb.owner);
    /* 100 ms, 10 ms slices: within one slice of an even split. */
    CU_ASSERT(ta > 40 * MS);
    CU_ASSERT(tb > 40 * MS);
    sim_time_t d = ta > tb ? ta - tb : tb - ta;
    CU_ASSERT(d <= 10 * MS);
    /* About one switch per slice, each charged exactly. */
    uint64_t sw = hv_vp_switches(hv);
    CU_ASSERT(sw >= 8 && sw <= 11);
    CU_ASSERT_EQUAL(counter("hv.vp_switches"), (double)sw);
    /* The hypervisor's time: the switches, plus the one context switch
     * of the cpu model into the guest slot's thread at the start. */
    sim_time_t hvt = cpu_lp_owner_ps(cpu, 0, hv_owner(hv));
    CU_ASSERT_EQUAL(hvt, ((sim_time_t)sw * 5000 + 500) * NS);
    /* Never halted: both always had work. */
    CU_ASSERT_EQUAL(hv_vm_exits(a, HV_EXIT_HLT), 0);
    CU_ASSERT_EQUAL(hv_vm_exits(b, HV_EXIT_HLT), 0);
    teardown();
}

static void
test_weights_split_time_in_proportion(void)
{
    setup(1);
    struct hv_vm *a = new_vm("vma", 200, NULL);
    struct hv_vm *b = new_vm("vmb", 100, NULL);
    struct spinner sa = { .owner = hv_vm_owner(a, "app") };
    struct spinner sb = { .owner = hv_vm_owner(b, "app") };
    sa.t = hv_gthread_create(hv_vm_vp(a, 0), "spin", sa.owner);
    sb.t = hv_gthread_create(hv_vm_vp(b, 0), "spin", sb.owner);
    hv_gthread_wake(sa.t, spin, &sa);
    hv_gthread_wake(sb.t, spin, &sb);
    sim_run(sim, 300 * MS);     /* 300 ms */
    double ta = (double)cpu_lp_owner_ps(cpu, 0, sa.owner);
    double tb = (double)cpu_lp_owner_ps(cpu, 0, sb.owner);
    CU_ASSERT(ta / tb > 1.7 && ta / tb < 2.3);
    teardown();
}

static void
test_affinity_keeps_a_vp_off_other_lps(void)
{
    setup(2);
    uint64_t only1 = 2;
    struct hv_vm *a = new_vm("vma", 100, &only1);
    struct spinner sa = { .owner = hv_vm_owner(a, "app") };
    sa.t = hv_gthread_create(hv_vm_vp(a, 0), "spin", sa.owner);
    hv_gthread_wake(sa.t, spin, &sa);
    sim_run(sim, 5 * MS);
    CU_ASSERT_EQUAL(cpu_lp_owner_ps(cpu, 0, sa.owner), 0);
    CU_ASSERT(cpu_lp_owner_ps(cpu, 1, sa.owner) > 4 * MS);
    teardown();
}

/* --- Halting and waking -------------------------------------------------- */

static uint64_t dpc_runs;

static void
guest_dpc_fn(struct cpu_exec *x, void *arg)
{
    (void)arg;
    dpc_runs++;
    cpu_charge(x, *(uint32_t *)arg, 1000, NULL, NULL);
}

static struct cpu_dpc gdpc;
static uint32_t gdpc_owner;
static struct hv_vp *gdpc_vp;

static void
queue_gdpc(struct sim *s, void *ctx)
{
    (void)s;
    (void)ctx;
    hv_vp_queue_dpc(gdpc_vp, &gdpc);
}

static void
test_idle_vp_halts_once_and_a_dpc_wakes_it(void)
{
    setup(1);
    struct hv_vm *a = new_vm("vma", 100, NULL);
    dpc_runs = 0;
    gdpc_owner = hv_vm_owner(a, "kernel");
    gdpc_vp = hv_vm_vp(a, 0);
    cpu_dpc_init(&gdpc, guest_dpc_fn, &gdpc_owner, gdpc_owner);
    sim_schedule_at(sim, 1 * MS, SIM_COMPONENT_ROOT, 0, queue_gdpc, NULL,
                    NULL);
    sim_run(sim, 2 * MS);
    CU_ASSERT_EQUAL(dpc_runs, 1);
    CU_ASSERT_EQUAL(hv_vm_exits(a, HV_EXIT_HLT), 1);
    /* Busy: context switch to the slot + DPC dispatch + DPC + HLT exit. */
    CU_ASSERT_EQUAL(cpu_lp_total_busy_ps(cpu, 0),
                    (sim_time_t)(500 + 50 + 1000 + 1000 + HV_EXIT_HLT) * NS);
    CU_ASSERT_EQUAL(counter("hv.vma.exits.hlt"), 1);
    teardown();
}

/* --- Virtual interrupts and EOI ----------------------------------------- */

static uint64_t isr_runs;

static void
guest_isr(struct cpu_exec *x, void *arg)
{
    uint32_t *owner = arg;
    isr_runs++;
    cpu_charge(x, *owner, 400, NULL, NULL);
}

static struct hv_vm *irq_vm;
static uint8_t irq_vector;
static bool irq_level;

static void
raise_irq(struct sim *s, void *ctx)
{
    (void)s;
    (void)ctx;
    apic_lapic_inject(hv_vm_apic(irq_vm), 0, irq_vector, irq_level);
}

static uint64_t
eoi_exits_for(bool assist, bool posted, bool level)
{
    struct hv_config hc = hv_config();
    hc.eoi_assist = assist;
    hc.posted_interrupts = posted;
    setup_with(1, &hc);
    irq_vm = new_vm("vma", 100, NULL);
    static uint32_t owner;
    owner = hv_vm_owner(irq_vm, "kernel");
    CU_ASSERT(hv_vm_set_isr(irq_vm, 0x50, owner, guest_isr, &owner) == 0);
    irq_vector = 0x50;
    irq_level = level;
    isr_runs = 0;
    sim_schedule_at(sim, 1000 * NS, SIM_COMPONENT_ROOT, 0, raise_irq, NULL,
                    NULL);
    sim_run(sim, 1 * MS);
    CU_ASSERT_EQUAL(isr_runs, 1);
    CU_ASSERT_EQUAL(hv_vm_injections(irq_vm), 1);
    CU_ASSERT(!apic_lapic_isr(hv_vm_apic(irq_vm), 0, 0x50));
    uint64_t n = hv_vm_exits(irq_vm, HV_EXIT_EOI);
    teardown();
    return n;
}

static void
test_eoi_exits_unless_assisted_or_virtualized(void)
{
    CU_ASSERT_EQUAL(eoi_exits_for(false, false, false), 1);
    CU_ASSERT_EQUAL(eoi_exits_for(true, false, false), 0);
    CU_ASSERT_EQUAL(eoi_exits_for(false, true, false), 0);
    /* Level-triggered: the IOAPIC's remote IRR needs the hypervisor. */
    CU_ASSERT_EQUAL(eoi_exits_for(true, false, true), 1);
    CU_ASSERT_EQUAL(eoi_exits_for(false, true, true), 1);
}

static void
test_interrupt_wakes_a_halted_vp_and_runs_the_isr_with_exact_costs(void)
{
    struct hv_config hc = hv_config();
    setup_with(1, &hc);
    irq_vm = new_vm("vma", 100, NULL);
    static uint32_t owner;
    owner = hv_vm_owner(irq_vm, "kernel");
    CU_ASSERT(hv_vm_set_isr(irq_vm, 0x50, owner, guest_isr, &owner) == 0);
    irq_vector = 0x50;
    irq_level = false;
    isr_runs = 0;
    sim_schedule_at(sim, 1000 * NS, SIM_COMPONENT_ROOT, 0, raise_irq, NULL,
                    NULL);
    sim_run(sim, 1 * MS);
    CU_ASSERT_EQUAL(isr_runs, 1);
    /* slot switch 500, inject 100, isr entry 20, body 400, eoi 40 + EOI
     * exit, isr exit 30, then HLT exit. */
    CU_ASSERT_EQUAL(cpu_lp_total_busy_ps(cpu, 0),
                    (sim_time_t)(500 + 100 + 20 + 400 + 40 + 1000 + HV_EXIT_EOI
                                 + 30 + 1000 + HV_EXIT_HLT) * NS);
    CU_ASSERT_EQUAL(hv_vm_exits(irq_vm, HV_EXIT_EXT_INTR), 0);
    teardown();
}

/* A running VP kicked to take an interrupt. */
static uint64_t
ext_exits_for(bool posted)
{
    struct hv_config hc = hv_config();
    hc.posted_interrupts = posted;
    setup_with(1, &hc);
    irq_vm = new_vm("vma", 100, NULL);
    static uint32_t owner;
    static struct spinner sp;
    owner = hv_vm_owner(irq_vm, "kernel");
    CU_ASSERT(hv_vm_set_isr(irq_vm, 0x50, owner, guest_isr, &owner) == 0);
    memset(&sp, 0, sizeof sp);
    sp.owner = hv_vm_owner(irq_vm, "app");
    sp.t = hv_gthread_create(hv_vm_vp(irq_vm, 0), "spin", sp.owner);
    hv_gthread_wake(sp.t, spin, &sp);
    irq_vector = 0x50;
    irq_level = false;
    isr_runs = 0;
    sim_schedule_at(sim, 50000 * NS, SIM_COMPONENT_ROOT, 0, raise_irq, NULL,
                    NULL);
    sim_run(sim, 1 * MS);
    CU_ASSERT_EQUAL(isr_runs, 1);
    uint64_t n = hv_vm_exits(irq_vm, HV_EXIT_EXT_INTR);
    teardown();
    return n;
}

static void
test_kick_of_a_running_vp_exits_unless_posted(void)
{
    CU_ASSERT_EQUAL(ext_exits_for(false), 1);
    CU_ASSERT_EQUAL(ext_exits_for(true), 0);
}

/* An interrupt that arrives while the guest is in its ISR. */
static uint64_t long_isr_runs;

static void
long_isr(struct cpu_exec *x, void *arg)
{
    uint32_t *owner = arg;
    long_isr_runs++;
    cpu_charge(x, *owner, 100000, NULL, NULL);     /* 100 us */
}

static void
raise_second(struct sim *s, void *ctx)
{
    (void)s;
    (void)ctx;
    apic_lapic_inject(hv_vm_apic(irq_vm), 0, 0x60, false);
}

static uint64_t
window_exits_for(bool posted)
{
    struct hv_config hc = hv_config();
    hc.posted_interrupts = posted;
    setup_with(1, &hc);
    irq_vm = new_vm("vma", 100, NULL);
    static uint32_t owner;
    owner = hv_vm_owner(irq_vm, "kernel");
    CU_ASSERT(hv_vm_set_isr(irq_vm, 0x50, owner, long_isr, &owner) == 0);
    CU_ASSERT(hv_vm_set_isr(irq_vm, 0x60, owner, guest_isr, &owner) == 0);
    irq_vector = 0x50;
    irq_level = false;
    long_isr_runs = isr_runs = 0;
    sim_schedule_at(sim, 1000 * NS, SIM_COMPONENT_ROOT, 0, raise_irq, NULL,
                    NULL);
    sim_schedule_at(sim, 50000 * NS, SIM_COMPONENT_ROOT, 0, raise_second,
                    NULL, NULL);
    sim_run(sim, 1 * MS);
    CU_ASSERT_EQUAL(long_isr_runs, 1);
    CU_ASSERT_EQUAL(isr_runs, 1);
    uint64_t n = hv_vm_exits(irq_vm, HV_EXIT_INTR_WINDOW);
    teardown();
    return n;
}

static void
test_interrupt_during_a_guest_isr_takes_a_window_exit_unless_posted(void)
{
    CU_ASSERT_EQUAL(window_exits_for(false), 1);
    CU_ASSERT_EQUAL(window_exits_for(true), 0);
}

/* --- Intercepts ------------------------------------------------------------ */

static uint32_t emu_owner_cycles = 1000;
static uint32_t io_seen;
static uint64_t io_calls;

static void
emulate(void *ctx, struct cpu_exec *x, struct hv_vp *vp, struct hv_io *io,
        cpu_step_fn *done, void *done_arg)
{
    struct hv_vm *vm = ctx;
    (void)vp;
    io_calls++;
    CU_ASSERT_EQUAL(io->addr, 0x1008);
    CU_ASSERT(!io->write);
    io->value = 42;
    cpu_charge(x, hv_vm_vmwp_owner(vm), emu_owner_cycles, done, done_arg);
}

struct reader {
    struct hv_vm *vm;
    struct hv_gthread *t;
    uint32_t owner;
};

static void
read_done(struct cpu_exec *x, void *arg)
{
    struct reader *r = arg;
    io_seen = hv_vp_io_value(hv_exec_vp(hv, x));
    cpu_charge(x, r->owner, 10, NULL, NULL);
}

static void
read_port(struct cpu_exec *x, void *arg)
{
    struct reader *r = arg;
    struct hv_io io = { .reason = HV_EXIT_IO_PORT, .addr = 0x1008,
                        .size = 4 };
    hv_intercept(r->vm, x, &io, read_done, r);
}

static void
test_intercept_goes_through_the_worker_and_back(void)
{
    setup(1);
    struct hv_vm *a = new_vm("vma", 100, NULL);
    struct hv_io_ops ops = { emulate, a };
    hv_vm_set_io(a, &ops);
    static struct reader r;
    r.vm = a;
    r.owner = hv_vm_owner(a, "driver");
    r.t = hv_gthread_create(hv_vm_vp(a, 0), "reader", r.owner);
    io_seen = 0;
    io_calls = 0;
    hv_gthread_wake(r.t, read_port, &r);
    sim_run(sim, 1 * MS);
    CU_ASSERT_EQUAL(io_calls, 1);
    CU_ASSERT_EQUAL(io_seen, 42);
    CU_ASSERT_EQUAL(hv_vm_intercepts(a), 1);
    CU_ASSERT_EQUAL(hv_vm_exits(a, HV_EXIT_IO_PORT), 1);
    CU_ASSERT_EQUAL(counter("hv.vma.intercepts"), 1);
    /* The worker: two kernel/user transitions and the emulation. */
    CU_ASSERT_EQUAL(cpu_lp_owner_ps(cpu, 0, hv_vm_vmwp_owner(a)),
                    (sim_time_t)(2 * 175 + 1000 + 500) * NS);
    /* Slot -> worker -> slot: the LP switched thread three times (the
     * first into the slot, then the two of the intercept). */
    CU_ASSERT_EQUAL(cpu_lp_context_switches(cpu, 0), 3);
    /* VID: the root ISR's entry, body, EOI and exit. */
    CU_ASSERT_EQUAL(cpu_lp_owner_ps(cpu, 0, cpu_owner(cpu, "VID")),
                    (sim_time_t)(10 + 2000 + 5 + 10) * NS);
    teardown();
}

/* --- SignalEvent both ways ------------------------------------------------ */

static uint16_t root_flags_seen[8], guest_flags_seen[8];
static size_t n_root_flags, n_guest_flags;
static uint32_t vmbus_owner, sig_kernel_owner;

static void
root_vmbus_isr(struct cpu_exec *x, void *arg)
{
    (void)arg;
    n_root_flags += synic_scan_flags(hv_root_synic(hv, cpu_exec_lp(x)), 2,
                                     root_flags_seen + n_root_flags, 8);
    cpu_charge(x, vmbus_owner, 300, NULL, NULL);
}

static struct hv_vm *sig_vm;

static void
guest_vmbus_isr(struct cpu_exec *x, void *arg)
{
    (void)arg;
    n_guest_flags += synic_scan_flags(
        hv_vp_synic(hv_exec_vp(hv, x)), 2, guest_flags_seen + n_guest_flags,
        8);
    cpu_charge(x, sig_kernel_owner, 300, NULL, NULL);
}

static void
guest_after_signal(struct cpu_exec *x, void *arg)
{
    (void)x;
    (void)arg;
}

static void
guest_signals(struct cpu_exec *x, void *arg)
{
    (void)arg;
    hv_guest_signal_root(sig_vm, x, 0, 2, 5, guest_after_signal, NULL);
}

static struct cpu_dpc root_dpc;

static void
root_signals(struct cpu_exec *x, void *arg)
{
    (void)arg;
    hv_root_signal_guest(hv, x, sig_vm, 0, 2, 7, NULL, NULL);
}

static void
test_signal_event_reaches_the_root_and_the_guest(void)
{
    setup(1);
    sig_vm = new_vm("vma", 100, NULL);
    n_root_flags = n_guest_flags = 0;
    vmbus_owner = cpu_owner(cpu, "vmbus");
    uint32_t vsp_owner = cpu_owner(cpu, "vsp");
    CU_ASSERT_EQUAL(hv_root_set_sint(hv, 2, 0xf1, vmbus_owner,
                                     root_vmbus_isr, NULL), 0);
    CU_ASSERT_EQUAL(hv_root_set_sint(hv, 0, 0xf2, 0, root_vmbus_isr, NULL),
                    EINVAL);    /* SINT 0 carries intercepts */
    uint32_t k = hv_vm_owner(sig_vm, "kernel");
    sig_kernel_owner = k;
    CU_ASSERT_EQUAL(synic_configure_sint(hv_vp_synic(hv_vm_vp(sig_vm, 0)), 2,
                                         0x52, false, false), 0);
    CU_ASSERT_EQUAL(hv_vm_set_isr(sig_vm, 0x52, k, guest_vmbus_isr, NULL), 0);
    struct hv_gthread *t = hv_gthread_create(hv_vm_vp(sig_vm, 0), "t", k);
    hv_gthread_wake(t, guest_signals, NULL);
    sim_run(sim, 1 * MS);
    CU_ASSERT_EQUAL_FATAL(n_root_flags, 1);
    CU_ASSERT_EQUAL(root_flags_seen[0], 5);
    CU_ASSERT_EQUAL(hv_vm_exits(sig_vm, HV_EXIT_HYPERCALL), 1);
    /* Now the root signals the halted guest from a DPC. */
    cpu_dpc_init(&root_dpc, root_signals, NULL, vsp_owner);
    CU_ASSERT(cpu_queue_dpc(cpu, 0, &root_dpc));
    sim_run(sim, 2 * MS);
    CU_ASSERT_EQUAL_FATAL(n_guest_flags, 1);
    CU_ASSERT_EQUAL(guest_flags_seen[0], 7);
    CU_ASSERT_EQUAL(hv_vm_signals(sig_vm), 2);
    CU_ASSERT_EQUAL(hv_vm_injections(sig_vm), 1);
    teardown();
}

/* --- PostMessage ----------------------------------------------------------- */

static struct synic_message got_msg;
static unsigned root_msgs;

static void
root_msg_isr(struct cpu_exec *x, void *arg)
{
    struct synic *sy = hv_root_synic(hv, cpu_exec_lp(x));
    (void)arg;
    if (!synic_read_message(sy, 3, &got_msg)
        && got_msg.type != SYNIC_MSG_TYPE_NONE) {
        root_msgs++;
        synic_clear_message(sy, 3);
        synic_eom(sy);
    }
    cpu_charge(x, vmbus_owner, 100, NULL, NULL);
}

static int post_result = -1;

static void
posted_back(struct cpu_exec *x, void *arg)
{
    (void)arg;
    post_result = hv_vp_post_result(hv_exec_vp(hv, x));
}

static void
guest_posts(struct cpu_exec *x, void *arg)
{
    static const uint8_t hello[5] = { 'h', 'e', 'l', 'l', 'o' };
    (void)arg;
    hv_guest_post_message(sig_vm, x, 0, 3, 0x42, hello, 5, posted_back,
                          NULL);
}

static void
test_post_message_reaches_the_root_slot_for_a_hypercall(void)
{
    setup(1);
    sig_vm = new_vm("vma", 100, NULL);
    vmbus_owner = cpu_owner(cpu, "vmbus");
    root_msgs = 0;
    post_result = -1;
    memset(&got_msg, 0, sizeof got_msg);
    CU_ASSERT_EQUAL(hv_root_set_sint(hv, 3, 0xf2, vmbus_owner, root_msg_isr,
                                     NULL), 0);
    uint32_t k = hv_vm_owner(sig_vm, "kernel");
    struct hv_gthread *t = hv_gthread_create(hv_vm_vp(sig_vm, 0), "t", k);
    hv_gthread_wake(t, guest_posts, NULL);
    sim_run(sim, 1 * MS);
    CU_ASSERT_EQUAL(post_result, SYNIC_POST_DELIVERED);
    CU_ASSERT_EQUAL(root_msgs, 1);
    CU_ASSERT_EQUAL(got_msg.type, 0x42);
    CU_ASSERT_EQUAL(got_msg.payload_size, 5);
    CU_ASSERT_EQUAL(memcmp(got_msg.payload, "hello", 5), 0);
    CU_ASSERT_EQUAL(hv_vm_exits(sig_vm, HV_EXIT_HYPERCALL), 1);
    teardown();
}

static const struct cutest_case hv_cases[] = {
    CUTEST(test_two_cpu_bound_vms_share_one_lp_by_slices),
    CUTEST(test_weights_split_time_in_proportion),
    CUTEST(test_affinity_keeps_a_vp_off_other_lps),
    CUTEST(test_idle_vp_halts_once_and_a_dpc_wakes_it),
    CUTEST(test_eoi_exits_unless_assisted_or_virtualized),
    CUTEST(test_interrupt_wakes_a_halted_vp_and_runs_the_isr_with_exact_costs),
    CUTEST(test_kick_of_a_running_vp_exits_unless_posted),
    CUTEST(test_interrupt_during_a_guest_isr_takes_a_window_exit_unless_posted),
    CUTEST(test_intercept_goes_through_the_worker_and_back),
    CUTEST(test_signal_event_reaches_the_root_and_the_guest),
    CUTEST(test_post_message_reaches_the_root_slot_for_a_hypercall),
    CUTEST_END
};

CUTEST_MAIN({ "hv", hv_cases })
