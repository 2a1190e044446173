/*
 * test-apic.c -- models/apic.h: local APIC priority, acceptance and EOI;
 * the IOAPIC's edge and level pins; MSI formats; interrupt remapping with
 * its faults, source-id validation, posting and retargeting; IPIs; exact
 * delivery latencies and the metrics.
 *
 * A fake CPU stands in for the CPU model: it counts notify callbacks and,
 * when asked to, takes every offered interrupt at once (apic_lapic_ack()),
 * recording the order it took them in.  Time is advanced by hand with
 * sim_run().
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "models/apic.h"
#include "sim/metrics.h"
#include "sim/sim.h"
#include "tests/cutest.h"

#define MSI_PS 500
#define IPI_PS 1500
#define DEV_SID 0x0310          /* bus 3, device 2, function 0 */
#define IOAPIC_SID 0xF0F8

/* --- Fixture: a simulation, an apic with 4 LPs, a fake CPU ---------------- */

struct fake_cpu {
    unsigned notified[4];       /* notify callbacks per LP */
    sim_time_t last_notify[4];
    bool auto_ack;              /* take interrupts as soon as offered */
    int taken[32];              /* vectors taken, in order (all LPs) */
    size_t n_taken;
};

static struct sim *sim;
static struct metrics *reg;
static struct apic *apic;
static struct fake_cpu cpu;

static void
cpu_notify(void *ctx, uint32_t lp)
{
    struct fake_cpu *c = ctx;

    CU_ASSERT_FATAL(lp < 4);
    CU_ASSERT(apic_lapic_pending(apic, lp) >= 0);
    c->notified[lp]++;
    c->last_notify[lp] = sim_now(sim);
    while (c->auto_ack) {
        int v = apic_lapic_ack(apic, lp);
        if (v < 0) {
            break;
        }
        if (c->n_taken < 32) {
            c->taken[c->n_taken++] = v;
        }
    }
}

struct posted_log {
    unsigned calls;
    uint64_t pda;
    uint8_t vector;
    sim_time_t at;
};
static struct posted_log posted;

static void
posted_hook(void *ctx, uint64_t pda, uint8_t vector)
{
    struct posted_log *p = ctx;

    p->calls++;
    p->pda = pda;
    p->vector = vector;
    p->at = sim_now(sim);
}

static struct apic_config
default_config(void)
{
    return (struct apic_config){
        .name = "apic",
        .lps = 4,
        .remapping = true,
        .irtes = 256,
        .block_compat = false,
        .ioapic_source_id = IOAPIC_SID,
        .msi_delivery_ps = MSI_PS,
        .ipi_delivery_ps = IPI_PS,
    };
}

static void
setup_with(const struct apic_config *cfg)
{
    memset(&cpu, 0, sizeof cpu);
    memset(&posted, 0, sizeof posted);
    sim = sim_create();
    CU_ASSERT_FATAL(sim != NULL);
    reg = metrics_create(sim);
    CU_ASSERT_FATAL(reg != NULL);
    apic = NULL;
    CU_ASSERT_FATAL(apic_create(sim, reg, SIM_COMPONENT_ROOT, cfg, &apic)
                    == 0);
    apic_set_notify(apic, cpu_notify, &cpu);
    apic_set_posted_hook(apic, posted_hook, &posted);
}

static void
setup(void)
{
    struct apic_config cfg = default_config();
    setup_with(&cfg);
}

static void
teardown(void)
{
    apic_destroy(apic);
    metrics_destroy(reg);
    sim_destroy(sim);
    apic = NULL;
    reg = NULL;
    sim = NULL;
}

/* The value of counter 'name' (full name), or -1 if not registered. */
static double
counter(const char *name)
{
    struct metric *m = metrics_find(reg, name);
    return m ? metric_value(m) : -1;
}

/* Raises 'vector' on 'lp' through a compatibility MSI and lets it arrive. */
static void
raise_now(uint32_t lp, uint8_t vector, bool level)
{
    struct apic_msi_msg m = apic_msi_compat((uint8_t)lp, vector, level);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    sim_run(sim, sim_now(sim) + MSI_PS);
}

static bool
irr_empty(uint32_t lp)
{
    for (unsigned v = 0; v < 256; v++) {
        if (apic_lapic_irr(apic, lp, (uint8_t)v)) {
            return false;
        }
    }
    return true;
}

static bool
all_irr_empty(void)
{
    for (uint32_t lp = 0; lp < 4; lp++) {
        if (!irr_empty(lp)) {
            return false;
        }
    }
    return true;
}

static struct apic_irte
irte_remapped(uint32_t dest, uint8_t vector)
{
    return (struct apic_irte){ .present = true, .dest = dest,
                               .vector = vector,
                               .delivery = APIC_DELIVERY_FIXED };
}

/* --- Local APIC priority ----------------------------------------------- */

static void
test_lapic_higher_class_is_offered_first(void)
{
    setup();
    raise_now(0, 0x41, false);
    raise_now(0, 0x81, false);
    raise_now(0, 0x61, false);
    CU_ASSERT_EQUAL(cpu.notified[0], 3);
    CU_ASSERT_EQUAL(apic_lapic_pending(apic, 0), 0x81);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 0), 0x81);
    CU_ASSERT(apic_lapic_isr(apic, 0, 0x81));
    CU_ASSERT(!apic_lapic_irr(apic, 0, 0x81));
    CU_ASSERT_EQUAL(apic_lapic_ppr(apic, 0), 0x80);
    /* 0x61 and 0x41 are below the in-service class now. */
    CU_ASSERT_EQUAL(apic_lapic_pending(apic, 0), -1);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 0), -1);
    apic_lapic_eoi(apic, 0);
    CU_ASSERT_EQUAL(apic_lapic_pending(apic, 0), 0x61);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 0), 0x61);
    apic_lapic_eoi(apic, 0);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 0), 0x41);
    apic_lapic_eoi(apic, 0);
    CU_ASSERT_EQUAL(apic_lapic_pending(apic, 0), -1);
    CU_ASSERT_EQUAL(apic_lapic_ppr(apic, 0), 0);
    /* Other LPs saw nothing. */
    CU_ASSERT_EQUAL(cpu.notified[1] + cpu.notified[2] + cpu.notified[3], 0);
    teardown();
}

static void
test_lapic_equal_or_lower_class_is_held_until_eoi(void)
{
    setup();
    raise_now(0, 0x55, false);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 0), 0x55);
    unsigned before = cpu.notified[0];
    raise_now(0, 0x5A, false);          /* same class, higher vector */
    raise_now(0, 0x42, false);          /* lower class */
    CU_ASSERT_EQUAL(cpu.notified[0], before);   /* nothing deliverable */
    CU_ASSERT(apic_lapic_irr(apic, 0, 0x5A));
    CU_ASSERT_EQUAL(apic_lapic_pending(apic, 0), -1);
    apic_lapic_eoi(apic, 0);
    CU_ASSERT_EQUAL(cpu.notified[0], before + 1);
    CU_ASSERT_EQUAL(apic_lapic_pending(apic, 0), 0x5A);
    teardown();
}

static void
test_lapic_tpr_masks_classes_at_or_below_it(void)
{
    setup();
    apic_set_tpr(apic, 0, 0x5F);
    CU_ASSERT_EQUAL(apic_lapic_tpr(apic, 0), 0x5F);
    CU_ASSERT_EQUAL(apic_lapic_ppr(apic, 0), 0x5F);
    raise_now(0, 0x5E, false);
    CU_ASSERT_EQUAL(cpu.notified[0], 0);
    CU_ASSERT_EQUAL(apic_lapic_pending(apic, 0), -1);
    raise_now(0, 0x60, false);
    CU_ASSERT_EQUAL(cpu.notified[0], 1);
    CU_ASSERT_EQUAL(apic_lapic_pending(apic, 0), 0x60);
    apic_set_tpr(apic, 0, 0x60);        /* masks class 6 too */
    CU_ASSERT_EQUAL(apic_lapic_pending(apic, 0), -1);
    CU_ASSERT_EQUAL(cpu.notified[0], 1);
    apic_set_tpr(apic, 0, 0x00);        /* lowering it notifies */
    CU_ASSERT_EQUAL(cpu.notified[0], 2);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 0), 0x60);
    /* TPR above the in-service class sets PPR; below it, the class does. */
    apic_set_tpr(apic, 0, 0x23);
    CU_ASSERT_EQUAL(apic_lapic_ppr(apic, 0), 0x60);
    apic_set_tpr(apic, 0, 0x73);
    CU_ASSERT_EQUAL(apic_lapic_ppr(apic, 0), 0x73);
    apic_set_tpr(apic, 0, 0x6A);        /* same class: TPR, all 8 bits */
    CU_ASSERT_EQUAL(apic_lapic_ppr(apic, 0), 0x6A);
    teardown();
}

static void
test_lapic_eoi_clears_highest_in_service_vector_and_notifies(void)
{
    setup();
    raise_now(2, 0x41, false);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 2), 0x41);
    raise_now(2, 0x91, false);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 2), 0x91);     /* nested */
    raise_now(2, 0x71, false);                         /* held */
    unsigned before = cpu.notified[2];
    apic_lapic_eoi(apic, 2);
    CU_ASSERT(!apic_lapic_isr(apic, 2, 0x91));
    CU_ASSERT(apic_lapic_isr(apic, 2, 0x41));
    CU_ASSERT_EQUAL(apic_lapic_ppr(apic, 2), 0x40);
    CU_ASSERT_EQUAL(cpu.notified[2], before + 1);
    CU_ASSERT_EQUAL(cpu.last_notify[2], sim_now(sim));
    /* An EOI with nothing deliverable afterwards does not notify. */
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 2), 0x71);
    apic_lapic_eoi(apic, 2);
    apic_lapic_eoi(apic, 2);
    CU_ASSERT_EQUAL(cpu.notified[2], before + 1);
    CU_ASSERT_EQUAL(apic_lapic_ppr(apic, 2), 0);
    apic_lapic_eoi(apic, 2);            /* nothing in service: no effect */
    CU_ASSERT_EQUAL(apic_lapic_ppr(apic, 2), 0);
    teardown();
}

/* A CPU that takes interrupts as soon as offered and ends them at given
 * times: 0x30 arrives first and is taken; 0x50 preempts it (nested); 0x40
 * arrives while 0x50 is in service and waits; when 0x50 ends, 0x40 (above
 * the still in-service 0x30) is taken before 0x30 resumes. */
static void
eoi_lp0(struct sim *s, void *ctx)
{
    (void)s;
    (void)ctx;
    apic_lapic_eoi(apic, 0);
}

static void
test_lapic_nested_acceptance_follows_priority(void)
{
    setup();
    cpu.auto_ack = true;
    const uint8_t vectors[] = { 0x30, 0x50, 0x40 };
    const struct apic_msi_msg m[] = {
        apic_msi_compat(0, vectors[0], false),
        apic_msi_compat(0, vectors[1], false),
        apic_msi_compat(0, vectors[2], false),
    };
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m[0].addr, m[0].data), 0);
    sim_run(sim, 10000);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m[1].addr, m[1].data), 0);
    sim_run(sim, 20000);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m[2].addr, m[2].data), 0);
    sim_run(sim, 30000);
    CU_ASSERT_EQUAL(cpu.n_taken, 2);
    CU_ASSERT(apic_lapic_irr(apic, 0, 0x40));
    sim_schedule_at(sim, 40000, SIM_COMPONENT_ROOT, 0, eoi_lp0, NULL, NULL);
    sim_run(sim, 45000);
    CU_ASSERT_EQUAL_FATAL(cpu.n_taken, 3);
    CU_ASSERT_EQUAL(cpu.taken[0], 0x30);
    CU_ASSERT_EQUAL(cpu.taken[1], 0x50);
    CU_ASSERT_EQUAL(cpu.taken[2], 0x40);
    CU_ASSERT(apic_lapic_isr(apic, 0, 0x30));
    CU_ASSERT(apic_lapic_isr(apic, 0, 0x40));
    CU_ASSERT(!apic_lapic_isr(apic, 0, 0x50));
    /* Two more EOIs end 0x40, then 0x30. */
    apic_lapic_eoi(apic, 0);
    CU_ASSERT(!apic_lapic_isr(apic, 0, 0x40));
    CU_ASSERT(apic_lapic_isr(apic, 0, 0x30));
    apic_lapic_eoi(apic, 0);
    CU_ASSERT(!apic_lapic_isr(apic, 0, 0x30));
    teardown();
}

static void
test_lapic_edge_interrupt_coalesces_while_irr_bit_set(void)
{
    setup();
    struct apic_msi_msg m = apic_msi_compat(1, 0x70, false);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    sim_run(sim, MSI_PS);
    CU_ASSERT_EQUAL(counter("apic.lapic1.accepted"), 1);
    CU_ASSERT_EQUAL(counter("apic.lapic1.coalesced"), 1);
    CU_ASSERT_EQUAL(counter("apic.lapic1.vector_0x70"), 1);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 1), 0x70);
    /* In service, not requested: the next one is accepted again. */
    raise_now(1, 0x70, false);
    CU_ASSERT_EQUAL(counter("apic.lapic1.accepted"), 2);
    CU_ASSERT(apic_lapic_irr(apic, 1, 0x70));
    CU_ASSERT(apic_lapic_isr(apic, 1, 0x70));
    CU_ASSERT_EQUAL(counter("apic.lapic1.coalesced"), 1);
    teardown();
}

static void
test_lapic_inject_sets_irr_at_once_with_its_trigger_mode(void)
{
    setup();
    apic_lapic_inject(apic, 2, 0x61, true);
    /* No bus message: pending at once, without running the simulation. */
    CU_ASSERT_EQUAL(sim_now(sim), 0);
    CU_ASSERT_EQUAL(cpu.notified[2], 1);
    CU_ASSERT(apic_lapic_irr(apic, 2, 0x61));
    CU_ASSERT(apic_lapic_tmr(apic, 2, 0x61));
    CU_ASSERT_EQUAL(apic_lapic_pending(apic, 2), 0x61);
    apic_lapic_inject(apic, 2, 0x61, true);
    CU_ASSERT_EQUAL(counter("apic.lapic2.coalesced"), 1);
    apic_lapic_inject(apic, 2, 0x0f, false);
    CU_ASSERT_EQUAL(counter("apic.lapic2.illegal_vector"), 1);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 2), 0x61);
    apic_lapic_inject(apic, 3, 0x62, false);
    CU_ASSERT(!apic_lapic_tmr(apic, 3, 0x62));
    teardown();
}

static void
test_lapic_any_in_range_sees_irr_and_isr_across_word_edges(void)
{
    setup();
    CU_ASSERT(!apic_lapic_any_in_range(apic, 1, 16, 256));
    apic_lapic_inject(apic, 1, 0x40, false);     /* 64: first of word 1 */
    CU_ASSERT(!apic_lapic_any_in_range(apic, 1, 16, 0x40));
    CU_ASSERT(apic_lapic_any_in_range(apic, 1, 16, 0x41));
    CU_ASSERT(apic_lapic_any_in_range(apic, 1, 0x40, 0x41));
    CU_ASSERT(!apic_lapic_any_in_range(apic, 1, 0x41, 256));
    CU_ASSERT(!apic_lapic_any_in_range(apic, 1, 0x40, 0x40));   /* empty */
    CU_ASSERT(!apic_lapic_any_in_range(apic, 0, 16, 256));      /* other LP */
    /* In service after the ack: still seen; gone after the EOI. */
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 1), 0x40);
    CU_ASSERT(!apic_lapic_irr(apic, 1, 0x40));
    CU_ASSERT(apic_lapic_any_in_range(apic, 1, 0x3f, 0x80));
    apic_lapic_inject(apic, 1, 0xff, false);     /* last vector */
    CU_ASSERT(apic_lapic_any_in_range(apic, 1, 0xc0, 256));
    CU_ASSERT(!apic_lapic_any_in_range(apic, 1, 0x41, 0xff));
    apic_lapic_eoi(apic, 1);
    CU_ASSERT(!apic_lapic_any_in_range(apic, 1, 16, 0xff));
    teardown();
}

static void
test_lapic_illegal_vectors_are_counted_and_dropped(void)
{
    setup();
    for (unsigned v = 0; v < 16; v++) {
        raise_now(3, (uint8_t)v, false);
    }
    raise_now(3, 16, false);            /* 16 is the first legal one */
    CU_ASSERT_EQUAL(counter("apic.lapic3.illegal_vector"), 16);
    CU_ASSERT_EQUAL(counter("apic.lapic3.accepted"), 1);
    CU_ASSERT(apic_lapic_irr(apic, 3, 16));
    for (unsigned v = 0; v < 16; v++) {
        CU_ASSERT(!apic_lapic_irr(apic, 3, (uint8_t)v));
    }
    /* An IPI with an illegal vector is refused by its sender. */
    CU_ASSERT_EQUAL(apic_send_ipi(apic, 2, APIC_SHORTHAND_NONE, 3, 15), 0);
    CU_ASSERT_EQUAL(sim_pending(sim), 0);
    CU_ASSERT_EQUAL(counter("apic.lapic2.send_illegal_vector"), 1);
    CU_ASSERT_EQUAL(counter("apic.lapic2.ipi_sent"), 0);
    CU_ASSERT_EQUAL(apic_track_vector(apic, 0, 15), EINVAL);
    teardown();
}

/* --- IOAPIC ---------------------------------------------------------------- */

static struct apic_rte
rte_fixed(uint32_t dest, uint8_t vector, bool level)
{
    return (struct apic_rte){ .vector = vector, .dest = dest,
                              .delivery = APIC_DELIVERY_FIXED,
                              .level = level };
}

static void
test_ioapic_level_delivers_once_while_remote_irr_set(void)
{
    setup();
    struct apic_rte r = rte_fixed(1, 0x60, true);
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 5, &r), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 5, true), 0);
    CU_ASSERT(apic_ioapic_remote_irr(apic, 5));
    sim_run(sim, 10000);
    CU_ASSERT(apic_lapic_irr(apic, 1, 0x60));
    CU_ASSERT(apic_lapic_tmr(apic, 1, 0x60));
    /* Still asserted, asserted again, toggled: no second message. */
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 5, true), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 5, false), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 5, true), 0);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 1), 0x60);
    sim_run(sim, 20000);
    CU_ASSERT_EQUAL(counter("apic.ioapic_messages"), 1);
    CU_ASSERT_EQUAL(counter("apic.lapic1.accepted"), 1);
    CU_ASSERT(!apic_lapic_irr(apic, 1, 0x60));
    /* The EOI of an edge-triggered 0x60 elsewhere is not broadcast, so it
     * does not clear the pin's remote IRR. */
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 5, false), 0);
    raise_now(0, 0x60, false);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 0), 0x60);
    apic_lapic_eoi(apic, 0);
    CU_ASSERT(apic_ioapic_remote_irr(apic, 5));
    /* The level one's EOI does; an edge 0x60 accepted later on the same LP
     * clears the TMR bit the level one had set. */
    CU_ASSERT(apic_lapic_tmr(apic, 1, 0x60));
    apic_lapic_eoi(apic, 1);
    CU_ASSERT(!apic_ioapic_remote_irr(apic, 5));
    raise_now(1, 0x60, false);
    CU_ASSERT(apic_lapic_irr(apic, 1, 0x60));
    CU_ASSERT(!apic_lapic_tmr(apic, 1, 0x60));
    /* Reprogramming the entry as level keeps remote IRR; as edge clears
     * it. */
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 5, true), 0);
    CU_ASSERT(apic_ioapic_remote_irr(apic, 5));
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 5, &r), 0);
    CU_ASSERT(apic_ioapic_remote_irr(apic, 5));
    r.level = false;
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 5, &r), 0);
    CU_ASSERT(!apic_ioapic_remote_irr(apic, 5));
    teardown();
}

static void
test_ioapic_level_redelivers_after_eoi_while_still_asserted(void)
{
    setup();
    struct apic_rte r = rte_fixed(1, 0x60, true);
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 5, &r), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 5, true), 0);
    sim_run(sim, 10000);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 1), 0x60);
    apic_lapic_eoi(apic, 1);            /* the handler did not clear it */
    CU_ASSERT(apic_ioapic_remote_irr(apic, 5));  /* set again at once */
    CU_ASSERT(!apic_lapic_irr(apic, 1, 0x60));
    sim_run(sim, 10000 + MSI_PS);
    CU_ASSERT(apic_lapic_irr(apic, 1, 0x60));
    CU_ASSERT_EQUAL(cpu.last_notify[1], 10000 + MSI_PS);
    CU_ASSERT_EQUAL(counter("apic.ioapic_messages"), 2);
    CU_ASSERT_EQUAL(counter("apic.lapic1.accepted"), 2);
    teardown();
}

static void
test_ioapic_level_not_redelivered_after_deassert(void)
{
    setup();
    struct apic_rte r = rte_fixed(1, 0x60, true);
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 5, &r), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 5, true), 0);
    sim_run(sim, 10000);
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 1), 0x60);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 5, false), 0);
    apic_lapic_eoi(apic, 1);
    CU_ASSERT(!apic_ioapic_remote_irr(apic, 5));
    sim_run(sim, 20000);
    CU_ASSERT(!apic_lapic_irr(apic, 1, 0x60));
    CU_ASSERT_EQUAL(counter("apic.ioapic_messages"), 1);
    /* The next assertion delivers again. */
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 5, true), 0);
    sim_run(sim, 30000);
    CU_ASSERT(apic_lapic_irr(apic, 1, 0x60));
    teardown();
}

static void
test_ioapic_edge_delivers_on_rising_edge_only(void)
{
    setup();
    struct apic_rte r = rte_fixed(0, 0x38, false);
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 2, &r), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 2, true), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 2, true), 0);   /* no edge */
    CU_ASSERT(!apic_ioapic_remote_irr(apic, 2));
    sim_run(sim, 10000);
    CU_ASSERT_EQUAL(counter("apic.ioapic_messages"), 1);
    CU_ASSERT(apic_lapic_irr(apic, 0, 0x38));
    CU_ASSERT(!apic_lapic_tmr(apic, 0, 0x38));
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 0), 0x38);
    apic_lapic_eoi(apic, 0);            /* edge: no effect on the pin */
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 2, false), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 2, true), 0);
    sim_run(sim, 20000);
    CU_ASSERT_EQUAL(counter("apic.ioapic_messages"), 2);
    CU_ASSERT(apic_lapic_irr(apic, 0, 0x38));
    teardown();
}

static void
test_ioapic_masked_entry_delivers_nothing(void)
{
    setup();
    /* Pins start masked (the reset state). */
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 0, true), 0);
    struct apic_rte e = rte_fixed(0, 0x38, false);
    e.masked = true;
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 1, &e), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 1, true), 0);
    struct apic_rte l = rte_fixed(2, 0x68, true);
    l.masked = true;
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 3, &l), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 3, true), 0);
    sim_run(sim, 10000);
    CU_ASSERT(all_irr_empty());
    CU_ASSERT_EQUAL(counter("apic.ioapic_messages"), 0);
    CU_ASSERT(!apic_ioapic_remote_irr(apic, 3));
    /* Unmasking: the edge that came while masked is lost; the level line
     * still asserted delivers. */
    e.masked = false;
    l.masked = false;
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 1, &e), 0);
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 3, &l), 0);
    CU_ASSERT(apic_ioapic_remote_irr(apic, 3));
    sim_run(sim, 20000);
    CU_ASSERT(irr_empty(0));
    CU_ASSERT(apic_lapic_irr(apic, 2, 0x68));
    CU_ASSERT_EQUAL(counter("apic.ioapic_messages"), 1);
    teardown();
}

static void
test_ioapic_remappable_entry_goes_through_irte(void)
{
    setup();
    struct apic_irte ir = irte_remapped(3, 0x66);
    ir.level = true;
    ir.svt = 1;
    ir.sid = IOAPIC_SID;
    CU_ASSERT_EQUAL(apic_irte_set(apic, 17, &ir), 0);
    struct apic_rte r = { .vector = 0x66, .level = true,
                          .remappable = true, .handle = 17 };
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 9, &r), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 9, true), 0);
    sim_run(sim, 10000);
    CU_ASSERT(apic_lapic_irr(apic, 3, 0x66));
    CU_ASSERT(apic_lapic_tmr(apic, 3, 0x66));
    CU_ASSERT_EQUAL(apic_lapic_ack(apic, 3), 0x66);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 9, false), 0);
    apic_lapic_eoi(apic, 3);
    CU_ASSERT(!apic_ioapic_remote_irr(apic, 9));
    /* The IOAPIC's requester id is validated like a device's. */
    ir.sid = IOAPIC_SID ^ 0x0100;
    CU_ASSERT_EQUAL(apic_irte_set(apic, 17, &ir), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 9, true), 0);
    CU_ASSERT(!apic_ioapic_remote_irr(apic, 9));
    sim_run(sim, 20000);
    CU_ASSERT(irr_empty(3));
    CU_ASSERT_EQUAL(counter("apic.drop_sid_mismatch"), 1);
    teardown();
}

static void
test_ioapic_program_refuses_bad_entries(void)
{
    setup();
    struct apic_rte r = rte_fixed(0, 0x40, false);
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 24, &r), EINVAL);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 24, true), EINVAL);
    r.delivery = 3;
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 0, &r), EINVAL);
    r.delivery = 8;
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 0, &r), EINVAL);
    teardown();

    struct apic_config cfg = default_config();
    cfg.remapping = false;
    cfg.irtes = 0;
    cfg.ioapic_pins = 48;
    setup_with(&cfg);
    struct apic_rte h = { .vector = 0x40, .remappable = true };
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 47, &h), EINVAL);
    struct apic_rte f = rte_fixed(0, 0x40, false);
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 47, &f), 0);
    struct apic_irte ir = irte_remapped(0, 0x40);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 0, &ir), EINVAL);  /* no table */
    teardown();
}

/* --- MSI formats ---------------------------------------------------------- */

static void
test_msi_compat_decode_gives_dest_vector_and_trigger(void)
{
    setup();
    struct apic_msi_msg m = apic_msi_compat(2, 0xA3, true);
    CU_ASSERT_EQUAL(m.addr, UINT64_C(0xFEE02000));
    CU_ASSERT_EQUAL(m.data, 0xC0A3u);     /* trigger | assert | vector */
    struct apic_msi_msg e = apic_msi_compat(3, 0x41, false);
    CU_ASSERT_EQUAL(e.addr, UINT64_C(0xFEE03000));
    CU_ASSERT_EQUAL(e.data, 0x4041u);

    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, e.addr, e.data), 0);
    sim_run(sim, 10000);
    CU_ASSERT(apic_lapic_irr(apic, 2, 0xA3));
    CU_ASSERT(apic_lapic_tmr(apic, 2, 0xA3));
    CU_ASSERT(apic_lapic_irr(apic, 3, 0x41));
    CU_ASSERT(!apic_lapic_tmr(apic, 3, 0x41));
    CU_ASSERT(irr_empty(0) && irr_empty(1));
    /* Lowest priority is delivered as fixed to the named destination; the
     * redirection hint is ignored in physical mode. */
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, UINT64_C(0xFEE01008),
                             0x4100u | 0x52), 0);
    sim_run(sim, 20000);
    CU_ASSERT(apic_lapic_irr(apic, 1, 0x52));
    CU_ASSERT_EQUAL(counter("apic.msi_writes"), 3);
    teardown();
}

static void
test_msi_remappable_composer_encodes_handle_and_subhandle(void)
{
    struct apic_msi_msg m = apic_msi_remappable(0x8123, false, 0);
    /* handle[14:0] = 0x123 in bits 19:5, bit 4 set, handle[15] in bit 2 */
    CU_ASSERT_EQUAL(m.addr, UINT64_C(0xFEE00000) | (0x123u << 5) | 0x10
                            | 0x4);
    CU_ASSERT_EQUAL(m.data, 0u);
    m = apic_msi_remappable(0x7FFF, true, 5);
    CU_ASSERT_EQUAL(m.addr, UINT64_C(0xFEEFFFE0) | 0x10 | 0x8);
    CU_ASSERT_EQUAL(m.data, 5u);
}

static void
test_msi_outside_interrupt_range_is_refused(void)
{
    setup();
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, UINT64_C(0xFED00000), 0x41),
                    EINVAL);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, UINT64_C(0x1FEE00000), 0x41),
                    EINVAL);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, UINT64_C(0xFEF00000), 0x41),
                    EINVAL);
    CU_ASSERT_EQUAL(sim_pending(sim), 0);
    CU_ASSERT_EQUAL(counter("apic.msi_writes"), 0);
    teardown();
}

static void
test_msi_compat_unsupported_encodings_are_dropped(void)
{
    setup();
    /* Logical destination mode, NMI, INIT, a reserved delivery mode, a
     * level deassert message, a destination with no LP. */
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, UINT64_C(0xFEE01004), 0x4041),
                    0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, UINT64_C(0xFEE01000),
                             0x4000 | 4u << 8 | 0x41), 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, UINT64_C(0xFEE01000),
                             0x4000 | 5u << 8 | 0x41), 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, UINT64_C(0xFEE01000),
                             0x4000 | 3u << 8 | 0x41), 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, UINT64_C(0xFEE01000), 0x8041),
                    0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, UINT64_C(0xFEE09000), 0x4041),
                    0);
    CU_ASSERT_EQUAL(sim_pending(sim), 0);
    sim_run(sim, 10000);
    CU_ASSERT(all_irr_empty());
    CU_ASSERT_EQUAL(counter("apic.drop_unsupported"), 4);
    CU_ASSERT_EQUAL(counter("apic.drop_reserved"), 1);
    CU_ASSERT_EQUAL(counter("apic.drop_no_destination"), 1);
    teardown();
}

/* --- Interrupt remapping -------------------------------------------------- */

static void
test_remap_delivers_with_irte_vector_and_dest_not_the_message(void)
{
    setup();
    struct apic_irte ir = irte_remapped(2, 0xB1);
    ir.level = true;
    CU_ASSERT_EQUAL(apic_irte_set(apic, 40, &ir), 0);
    struct apic_irte back;
    CU_ASSERT_EQUAL(apic_irte_get(apic, 40, &back), 0);
    CU_ASSERT_EQUAL(back.vector, 0xB1);
    CU_ASSERT_EQUAL(back.dest, 2);
    /* The message names only the handle; its data bits mean nothing. */
    struct apic_msi_msg m = apic_msi_remappable(40, false, 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, 0x4041), 0);
    sim_run(sim, 10000);
    CU_ASSERT(apic_lapic_irr(apic, 2, 0xB1));
    CU_ASSERT(apic_lapic_tmr(apic, 2, 0xB1));
    CU_ASSERT(irr_empty(0) && irr_empty(1) && irr_empty(3));
    CU_ASSERT(!apic_lapic_irr(apic, 2, 0x41));
    /* With SHV, the entry is handle + subhandle. */
    struct apic_irte ir2 = irte_remapped(1, 0xC4);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 43, &ir2), 0);
    m = apic_msi_remappable(40, true, 3);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    sim_run(sim, 20000);
    CU_ASSERT(apic_lapic_irr(apic, 1, 0xC4));
    CU_ASSERT(!apic_lapic_tmr(apic, 1, 0xC4));
    teardown();

    /* A full 16-bit table: handle bit 15 travels in address bit 2. */
    struct apic_config cfg = default_config();
    cfg.irtes = APIC_MAX_IRTES;
    setup_with(&cfg);
    struct apic_irte hi = irte_remapped(3, 0xD5);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 0x8005, &hi), 0);
    m = apic_msi_remappable(0x8005, false, 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    m = apic_msi_remappable(0xFFFF, false, 0);      /* not present */
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    sim_run(sim, 10000);
    CU_ASSERT(apic_lapic_irr(apic, 3, 0xD5));
    CU_ASSERT_EQUAL(counter("apic.drop_not_present"), 1);
    teardown();
}

static void
test_remap_compat_format_passes_when_not_blocked(void)
{
    setup();
    raise_now(1, 0x44, false);
    CU_ASSERT(apic_lapic_irr(apic, 1, 0x44));
    teardown();
}

static void
test_remap_every_fault_reason_is_counted_and_nothing_delivered(void)
{
    struct apic_config cfg = default_config();
    cfg.block_compat = true;
    setup_with(&cfg);

    struct apic_irte ok = irte_remapped(0, 0x50);
    struct apic_irte absent = ok;
    absent.present = false;
    struct apic_irte absent_fpd = absent;
    absent_fpd.fpd = true;
    struct apic_irte sid = ok;
    sid.svt = 1;
    sid.sid = DEV_SID + 1;
    struct apic_irte svt3 = ok;
    svt3.svt = 3;
    struct apic_irte dlv = ok;
    dlv.delivery = 6;
    struct apic_irte nmi = ok;
    nmi.delivery = APIC_DELIVERY_NMI;
    struct apic_irte logical = ok;
    logical.dest_logical = true;
    struct apic_irte nodest = ok;
    nodest.dest = 4;
    CU_ASSERT_EQUAL(apic_irte_set(apic, 1, &absent), 0);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 2, &absent_fpd), 0);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 3, &sid), 0);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 4, &svt3), 0);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 5, &dlv), 0);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 6, &nmi), 0);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 7, &logical), 0);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 8, &nodest), 0);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 255, &ok), 0);

    struct { uint16_t handle; bool shv; uint16_t sub; } msgs[] = {
        { 1, false, 0 },        /* not present */
        { 2, false, 0 },        /* not present, FPD: counted, not recorded */
        { 256, false, 0 },      /* index range */
        { 0xFFFF, false, 0 },   /* index range, handle[15] set */
        { 255, true, 1 },       /* index range through the subhandle */
        { 0xFFFF, true, 0xFFFF }, /* index past 16 bits */
        { 3, false, 0 },        /* SID mismatch */
        { 4, false, 0 },        /* reserved SVT */
        { 5, false, 0 },        /* reserved delivery mode */
        { 6, false, 0 },        /* NMI: unsupported */
        { 7, false, 0 },        /* logical: unsupported */
        { 8, false, 0 },        /* no such LP */
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        struct apic_msi_msg m = apic_msi_remappable(msgs[i].handle,
                                                    msgs[i].shv, msgs[i].sub);
        CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    }
    struct apic_msi_msg c = apic_msi_compat(0, 0x50, false);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, c.addr, c.data), 0);
    CU_ASSERT_EQUAL(sim_pending(sim), 0);       /* nothing in flight */
    sim_run(sim, 10000);

    CU_ASSERT(all_irr_empty());
    CU_ASSERT_EQUAL(cpu.notified[0] + cpu.notified[1] + cpu.notified[2]
                    + cpu.notified[3], 0);
    CU_ASSERT_EQUAL(posted.calls, 0);
    CU_ASSERT_EQUAL(counter("apic.drop_not_present"), 2);
    CU_ASSERT_EQUAL(counter("apic.drop_index_range"), 4);
    CU_ASSERT_EQUAL(counter("apic.drop_sid_mismatch"), 1);
    CU_ASSERT_EQUAL(counter("apic.drop_compat_blocked"), 1);
    CU_ASSERT_EQUAL(counter("apic.drop_reserved"), 2);
    CU_ASSERT_EQUAL(counter("apic.drop_unsupported"), 2);
    CU_ASSERT_EQUAL(counter("apic.drop_no_destination"), 1);
    /* Ten remapping faults, one suppressed by FPD. */
    CU_ASSERT_EQUAL(counter("apic.faults_recorded"), 9);
    CU_ASSERT_EQUAL(counter("apic.lapic0.accepted"), 0);

    /* The good entry still works. */
    struct apic_msi_msg m = apic_msi_remappable(255, false, 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    sim_run(sim, 20000);
    CU_ASSERT(apic_lapic_irr(apic, 0, 0x50));
    teardown();

    /* A remappable message with remapping off hits a reserved bit. */
    cfg = default_config();
    cfg.remapping = false;
    setup_with(&cfg);
    m = apic_msi_remappable(0, false, 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    sim_run(sim, 10000);
    CU_ASSERT(all_irr_empty());
    CU_ASSERT_EQUAL(counter("apic.drop_reserved"), 1);
    teardown();
}

/* Source-id validation, as a table of (svt, sq, sid in the IRTE, the
 * requester's id, delivered?). */
static void
test_remap_sid_validation_modes(void)
{
    static const struct {
        uint8_t svt, sq;
        uint16_t irte_sid, requester;
        bool delivered;
    } cases[] = {
        { 0, 0, 0x0000, 0xABCD, true },         /* no validation */
        { 1, 0, 0x0310, 0x0310, true },         /* all 16 bits */
        { 1, 0, 0x0310, 0x0311, false },
        { 1, 0, 0x0310, 0x0314, false },
        { 1, 1, 0x0310, 0x0314, true },         /* ignore bit 2 */
        { 1, 1, 0x0310, 0x0312, false },
        { 1, 2, 0x0310, 0x0316, true },         /* ignore bits 2:1 */
        { 1, 2, 0x0310, 0x0311, false },
        { 1, 3, 0x0310, 0x0317, true },         /* ignore bits 2:0 */
        { 1, 3, 0x0310, 0x0318, false },        /* another device */
        { 1, 3, 0x0310, 0x0410, false },        /* another bus */
        { 2, 0, 0x0305, 0x0310, true },         /* bus 3 in 3..5 */
        { 2, 0, 0x0305, 0x05FF, true },         /* bus 5 in 3..5 */
        { 2, 0, 0x0305, 0x0610, false },        /* bus 6 */
        { 2, 0, 0x0305, 0x0210, false },        /* bus 2 */
        { 2, 3, 0x0404, 0x0400, true },         /* SQ ignored with SVT 2 */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup();
        struct apic_irte ir = irte_remapped(1, 0x77);
        ir.svt = cases[i].svt;
        ir.sq = cases[i].sq;
        ir.sid = cases[i].irte_sid;
        CU_ASSERT_EQUAL(apic_irte_set(apic, 9, &ir), 0);
        struct apic_msi_msg m = apic_msi_remappable(9, false, 0);
        CU_ASSERT_EQUAL(apic_msi(apic, cases[i].requester, m.addr, m.data),
                        0);
        sim_run(sim, 10000);
        if (apic_lapic_irr(apic, 1, 0x77) != cases[i].delivered) {
            fprintf(stderr, "case %zu: svt %u sq %u sid %04x req %04x\n", i,
                    cases[i].svt, cases[i].sq, cases[i].irte_sid,
                    cases[i].requester);
            CU_FAIL("source-id validation");
        }
        CU_ASSERT_EQUAL(counter("apic.drop_sid_mismatch"),
                        cases[i].delivered ? 0 : 1);
        teardown();
    }
}

static void
test_remap_posted_irte_calls_the_hook(void)
{
    setup();
    struct apic_irte ir = { .present = true, .posted = true, .urgent = true,
                            .vector = 0x92,
                            .pda = UINT64_C(0x12345678C0) };
    CU_ASSERT_EQUAL(apic_irte_set(apic, 12, &ir), 0);
    sim_run(sim, 1000);
    struct apic_msi_msg m = apic_msi_remappable(12, false, 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    sim_run(sim, 1000 + MSI_PS - 1);
    CU_ASSERT_EQUAL(posted.calls, 0);
    sim_run(sim, 1000 + MSI_PS);
    CU_ASSERT_EQUAL(posted.calls, 1);
    CU_ASSERT_EQUAL(posted.pda, UINT64_C(0x12345678C0));
    CU_ASSERT_EQUAL(posted.vector, 0x92);
    CU_ASSERT_EQUAL(posted.at, 1000 + MSI_PS);
    CU_ASSERT_EQUAL(counter("apic.posted"), 1);
    CU_ASSERT(all_irr_empty());
    /* A descriptor address must be 64-byte aligned. */
    ir.pda += 8;
    CU_ASSERT_EQUAL(apic_irte_set(apic, 12, &ir), EINVAL);
    teardown();
}

static void
test_remap_retargeting_moves_the_next_interrupt_not_the_one_in_flight(void)
{
    setup();
    struct apic_irte ir = irte_remapped(0, 0x61);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 30, &ir), 0);
    struct apic_msi_msg m = apic_msi_remappable(30, false, 0);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    sim_run(sim, MSI_PS / 2);           /* in flight */
    ir.dest = 3;
    CU_ASSERT_EQUAL(apic_irte_set(apic, 30, &ir), 0);
    sim_run(sim, MSI_PS);
    CU_ASSERT(apic_lapic_irr(apic, 0, 0x61));
    CU_ASSERT(irr_empty(3));
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    sim_run(sim, 2 * MSI_PS);
    CU_ASSERT(apic_lapic_irr(apic, 3, 0x61));
    CU_ASSERT_EQUAL(counter("apic.lapic0.accepted"), 1);
    CU_ASSERT_EQUAL(counter("apic.lapic3.accepted"), 1);
    teardown();
}

static void
test_remap_irte_set_refuses_unrepresentable_entries(void)
{
    setup();
    struct apic_irte ir = irte_remapped(0, 0x40);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 256, &ir), EINVAL);
    CU_ASSERT_EQUAL(apic_irte_get(apic, 256, &ir), EINVAL);
    ir.sq = 4;
    CU_ASSERT_EQUAL(apic_irte_set(apic, 0, &ir), EINVAL);
    ir.sq = 0;
    ir.svt = 4;
    CU_ASSERT_EQUAL(apic_irte_set(apic, 0, &ir), EINVAL);
    ir.svt = 0;
    ir.delivery = 8;
    CU_ASSERT_EQUAL(apic_irte_set(apic, 0, &ir), EINVAL);
    teardown();
}

/* --- IPIs ------------------------------------------------------------------- */

static void
test_ipi_shorthands_choose_destinations(void)
{
    static const struct {
        enum apic_shorthand sh;
        uint32_t dest;
        bool to[4];
    } cases[] = {
        { APIC_SHORTHAND_NONE, 3, { false, false, false, true } },
        { APIC_SHORTHAND_SELF, 3, { false, true, false, false } },
        { APIC_SHORTHAND_ALL_INCL_SELF, 0, { true, true, true, true } },
        { APIC_SHORTHAND_ALL_EXCL_SELF, 0, { true, false, true, true } },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup();
        CU_ASSERT_EQUAL(apic_send_ipi(apic, 1, cases[i].sh, cases[i].dest,
                                      0xF2), 0);
        CU_ASSERT_EQUAL(sim_pending(sim), 1);
        sim_run(sim, 10000);
        for (uint32_t lp = 0; lp < 4; lp++) {
            CU_ASSERT_EQUAL(apic_lapic_irr(apic, lp, 0xF2), cases[i].to[lp]);
            CU_ASSERT_EQUAL(cpu.notified[lp], cases[i].to[lp] ? 1u : 0u);
            CU_ASSERT(!apic_lapic_tmr(apic, lp, 0xF2));
        }
        CU_ASSERT_EQUAL(counter("apic.lapic1.ipi_sent"), 1);
        teardown();
    }
}

static void
test_ipi_refuses_unknown_lp_or_shorthand(void)
{
    setup();
    CU_ASSERT_EQUAL(apic_send_ipi(apic, 4, APIC_SHORTHAND_SELF, 0, 0x40),
                    EINVAL);
    CU_ASSERT_EQUAL(apic_send_ipi(apic, 0, APIC_SHORTHAND_NONE, 4, 0x40),
                    EINVAL);
    CU_ASSERT_EQUAL(apic_send_ipi(apic, 0, (enum apic_shorthand)4, 0, 0x40),
                    EINVAL);
    /* 'dest_lp' is not looked at with a shorthand. */
    CU_ASSERT_EQUAL(apic_send_ipi(apic, 0, APIC_SHORTHAND_SELF, 99, 0x40),
                    0);
    CU_ASSERT_EQUAL(counter("apic.lapic0.ipi_sent"), 1);
    teardown();
}

/* --- Time ------------------------------------------------------------------ */

static void
test_delivery_latency_is_exact_in_ps(void)
{
    struct apic_config cfg = default_config();
    cfg.msi_delivery_ps = 1234;
    cfg.ipi_delivery_ps = 4321;
    setup_with(&cfg);
    sim_run(sim, 1000);

    struct apic_msi_msg m = apic_msi_compat(0, 0x41, false);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    CU_ASSERT_EQUAL(apic_send_ipi(apic, 0, APIC_SHORTHAND_NONE, 1, 0x42), 0);
    struct apic_rte r = rte_fixed(2, 0x43, false);
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 0, &r), 0);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 0, true), 0);

    sim_run(sim, 1000 + 1233);
    CU_ASSERT(all_irr_empty());
    sim_run(sim, 1000 + 1234);
    CU_ASSERT(apic_lapic_irr(apic, 0, 0x41));
    CU_ASSERT(apic_lapic_irr(apic, 2, 0x43));
    CU_ASSERT_EQUAL(cpu.last_notify[0], 2234);
    CU_ASSERT_EQUAL(cpu.last_notify[2], 2234);
    sim_run(sim, 1000 + 4320);
    CU_ASSERT(!apic_lapic_irr(apic, 1, 0x42));
    sim_run(sim, 1000 + 4321);
    CU_ASSERT(apic_lapic_irr(apic, 1, 0x42));
    CU_ASSERT_EQUAL(cpu.last_notify[1], 5321);
    teardown();

    /* Zero latency: delivered by an event at the same instant. */
    cfg.msi_delivery_ps = 0;
    setup_with(&cfg);
    CU_ASSERT_EQUAL(apic_msi(apic, DEV_SID, m.addr, m.data), 0);
    CU_ASSERT(irr_empty(0));
    sim_run(sim, 0);
    CU_ASSERT(apic_lapic_irr(apic, 0, 0x41));
    teardown();
}

/* --- Metrics and lifecycle ------------------------------------------------ */

static void
test_metrics_per_vector_counters_appear_when_first_targeted(void)
{
    setup();
    CU_ASSERT_EQUAL(counter("apic.lapic1.vector_0x31"), -1);
    struct apic_rte r = rte_fixed(1, 0x31, false);
    CU_ASSERT_EQUAL(apic_ioapic_program(apic, 4, &r), 0);
    CU_ASSERT_EQUAL(counter("apic.lapic1.vector_0x31"), 0);
    struct apic_irte ir = irte_remapped(2, 0xE0);
    CU_ASSERT_EQUAL(apic_irte_set(apic, 0, &ir), 0);
    CU_ASSERT_EQUAL(counter("apic.lapic2.vector_0xe0"), 0);
    CU_ASSERT_EQUAL(apic_track_vector(apic, 3, 0x99), 0);
    CU_ASSERT_EQUAL(counter("apic.lapic3.vector_0x99"), 0);
    CU_ASSERT_EQUAL(apic_track_vector(apic, 4, 0x99), EINVAL);
    /* An IPI vector is registered when first accepted. */
    CU_ASSERT_EQUAL(apic_send_ipi(apic, 0, APIC_SHORTHAND_NONE, 0, 0xFD), 0);
    CU_ASSERT_EQUAL(counter("apic.lapic0.vector_0xfd"), -1);
    sim_run(sim, 10000);
    CU_ASSERT_EQUAL(counter("apic.lapic0.vector_0xfd"), 1);
    CU_ASSERT_EQUAL(apic_ioapic_set_line(apic, 4, true), 0);
    sim_run(sim, 20000);
    CU_ASSERT_EQUAL(counter("apic.lapic1.vector_0x31"), 1);
    teardown();
}

static void
test_create_refuses_bad_configs_and_destroy_cancels_events(void)
{
    struct sim *s = sim_create();
    struct apic *a = NULL;
    struct apic_config cfg = default_config();

    cfg.lps = 0;
    CU_ASSERT_EQUAL(apic_create(s, NULL, 0, &cfg, &a), EINVAL);
    cfg = default_config();
    cfg.lps = APIC_MAX_LPS + 1;
    CU_ASSERT_EQUAL(apic_create(s, NULL, 0, &cfg, &a), EINVAL);
    cfg = default_config();
    cfg.irtes = 0;
    CU_ASSERT_EQUAL(apic_create(s, NULL, 0, &cfg, &a), EINVAL);
    cfg = default_config();
    cfg.irtes = APIC_MAX_IRTES + 1;
    CU_ASSERT_EQUAL(apic_create(s, NULL, 0, &cfg, &a), EINVAL);
    cfg = default_config();
    cfg.ioapic_pins = APIC_MAX_PINS + 1;
    CU_ASSERT_EQUAL(apic_create(s, NULL, 0, &cfg, &a), EINVAL);
    cfg = default_config();
    cfg.name = "a.b";
    CU_ASSERT_EQUAL(apic_create(s, NULL, 0, &cfg, &a), EINVAL);
    cfg = default_config();
    cfg.msi_delivery_ps = -1;
    CU_ASSERT_EQUAL(apic_create(s, NULL, 0, &cfg, &a), EINVAL);
    CU_ASSERT_PTR_NULL(a);
    apic_destroy(NULL);

    /* Without a metrics registry the model still works. */
    cfg = default_config();
    cfg.irtes = APIC_MAX_IRTES;
    CU_ASSERT_EQUAL_FATAL(apic_create(s, NULL, 0, &cfg, &a), 0);
    CU_ASSERT_STRING_EQUAL(sim_component_path(s, apic_component(a)),
                           "apic");
    struct apic_msi_msg m = apic_msi_compat(0, 0x41, false);
    for (int i = 0; i < 100; i++) {     /* more than one chunk of records */
        CU_ASSERT_EQUAL(apic_msi(a, DEV_SID, m.addr, m.data), 0);
    }
    CU_ASSERT_EQUAL(apic_send_ipi(a, 0, APIC_SHORTHAND_ALL_INCL_SELF, 0,
                                  0x50), 0);
    CU_ASSERT_EQUAL(sim_pending(s), 101);
    apic_destroy(a);
    CU_ASSERT_EQUAL(sim_pending(s), 0);
    sim_destroy(s);
}

/* Two identical runs execute the same events: same fingerprint. */
static uint64_t
run_mixed_workload(void)
{
    setup();
    cpu.auto_ack = true;
    struct apic_rte r = rte_fixed(1, 0x60, true);
    apic_ioapic_program(apic, 5, &r);
    struct apic_irte ir = irte_remapped(2, 0x70);
    apic_irte_set(apic, 1, &ir);
    for (int i = 0; i < 20; i++) {
        struct apic_msi_msg m = apic_msi_remappable(1, false, 0);
        apic_msi(apic, DEV_SID, m.addr, m.data);
        apic_send_ipi(apic, (uint32_t)i % 4, APIC_SHORTHAND_ALL_EXCL_SELF, 0,
                      (uint8_t)(0x80 + i));
        apic_ioapic_set_line(apic, 5, i % 3 != 0);
        sim_run(sim, sim_now(sim) + 700);
        for (uint32_t lp = 0; lp < 4; lp++) {
            apic_lapic_eoi(apic, lp);
        }
    }
    sim_run(sim, sim_now(sim) + 10000);
    uint64_t fp = sim_fingerprint(sim);
    CU_ASSERT(sim_events_executed(sim) > 40);
    teardown();
    return fp;
}

static void
test_same_workload_gives_same_fingerprint(void)
{
    CU_ASSERT_EQUAL(run_mixed_workload(), run_mixed_workload());
}

static const struct cutest_case lapic_cases[] = {
    CUTEST(test_lapic_higher_class_is_offered_first),
    CUTEST(test_lapic_equal_or_lower_class_is_held_until_eoi),
    CUTEST(test_lapic_tpr_masks_classes_at_or_below_it),
    CUTEST(test_lapic_eoi_clears_highest_in_service_vector_and_notifies),
    CUTEST(test_lapic_nested_acceptance_follows_priority),
    CUTEST(test_lapic_edge_interrupt_coalesces_while_irr_bit_set),
    CUTEST(test_lapic_inject_sets_irr_at_once_with_its_trigger_mode),
    CUTEST(test_lapic_any_in_range_sees_irr_and_isr_across_word_edges),
    CUTEST(test_lapic_illegal_vectors_are_counted_and_dropped),
    CUTEST_END
};

static const struct cutest_case ioapic_cases[] = {
    CUTEST(test_ioapic_level_delivers_once_while_remote_irr_set),
    CUTEST(test_ioapic_level_redelivers_after_eoi_while_still_asserted),
    CUTEST(test_ioapic_level_not_redelivered_after_deassert),
    CUTEST(test_ioapic_edge_delivers_on_rising_edge_only),
    CUTEST(test_ioapic_masked_entry_delivers_nothing),
    CUTEST(test_ioapic_remappable_entry_goes_through_irte),
    CUTEST(test_ioapic_program_refuses_bad_entries),
    CUTEST_END
};

static const struct cutest_case msi_cases[] = {
    CUTEST(test_msi_compat_decode_gives_dest_vector_and_trigger),
    CUTEST(test_msi_remappable_composer_encodes_handle_and_subhandle),
    CUTEST(test_msi_outside_interrupt_range_is_refused),
    CUTEST(test_msi_compat_unsupported_encodings_are_dropped),
    CUTEST_END
};

static const struct cutest_case remap_cases[] = {
    CUTEST(test_remap_delivers_with_irte_vector_and_dest_not_the_message),
    CUTEST(test_remap_compat_format_passes_when_not_blocked),
    CUTEST(test_remap_every_fault_reason_is_counted_and_nothing_delivered),
    CUTEST(test_remap_sid_validation_modes),
    CUTEST(test_remap_posted_irte_calls_the_hook),
    CUTEST(test_remap_retargeting_moves_the_next_interrupt_not_the_one_in_flight),
    CUTEST(test_remap_irte_set_refuses_unrepresentable_entries),
    CUTEST_END
};

static const struct cutest_case misc_cases[] = {
    CUTEST(test_ipi_shorthands_choose_destinations),
    CUTEST(test_ipi_refuses_unknown_lp_or_shorthand),
    CUTEST(test_delivery_latency_is_exact_in_ps),
    CUTEST(test_metrics_per_vector_counters_appear_when_first_targeted),
    CUTEST(test_create_refuses_bad_configs_and_destroy_cancels_events),
    CUTEST(test_same_workload_gives_same_fingerprint),
    CUTEST_END
};

CUTEST_MAIN({ "apic-lapic", lapic_cases }, { "apic-ioapic", ioapic_cases },
            { "apic-msi", msi_cases }, { "apic-remap", remap_cases },
            { "apic-ipi-time-metrics", misc_cases })
