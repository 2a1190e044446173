/*
 * apic.c -- the interrupt-controller model of apic.h: local APICs, the
 * IOAPIC, MSI decoding and VT-d interrupt remapping.
 *
 * The file reads top-down in the order an interrupt travels: the delivery
 * records and their events; the local APIC (acceptance into the IRR, the
 * CPU-side pending/ack/EOI, PPR); the remapping unit (IRTE lookup and
 * source-id validation); MSI decoding; the IOAPIC; IPIs; creation.  Every
 * message is resolved into a "route" (deliver to an LP, post to a
 * descriptor, or drop for a named reason) at the instant it is sent, and
 * only the arrival is an event (apic.h, RETARGETING).
 */
#include "config.h"

#include "models/apic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"
#include "sim/metrics.h"

/* --- State ---------------------------------------------------------------- */

/* One local APIC.  The bitmaps hold bit v of vector v in word v / 64. */
struct lapic {
    sim_component_id comp;
    uint64_t irr[4], isr[4], tmr[4];
    uint8_t tpr;
    struct metric *accepted;        /* messages newly set in the IRR */
    struct metric *coalesced;       /* messages whose IRR bit was set */
    struct metric *illegal;         /* received vectors 0..15 */
    struct metric *send_illegal;    /* IPIs with vectors 0..15 refused */
    struct metric *ipi_sent;
    struct metric *vec[256];        /* per-vector acceptances, lazily */
};

/* One IOAPIC input and its redirection entry. */
struct pin {
    struct apic_rte rte;
    bool line;                      /* asserted now */
    bool remote_irr;
};

/* Where a message goes, decided when it is sent. */
enum route_kind { ROUTE_DROP, ROUTE_LAPIC, ROUTE_POSTED };

struct route {
    enum route_kind kind;
    enum apic_drop_reason reason;   /* ROUTE_DROP */
    bool fault_recorded;            /* ROUTE_DROP: FPD did not suppress */
    uint32_t lp;                    /* ROUTE_LAPIC */
    uint8_t vector;                 /* ROUTE_LAPIC, ROUTE_POSTED */
    bool level;                     /* ROUTE_LAPIC: trigger mode */
    uint64_t pda;                   /* ROUTE_POSTED */
};

/* A message in flight: one pending event of the apic component.  Records
 * come from chunks that are never freed before the apic, and return to a
 * free list when their event runs, so steady-state traffic allocates
 * nothing. */
struct delivery {
    struct apic *apic;
    struct delivery *next_free;
    sim_event_id ev;
    bool busy;
    uint8_t kind;                   /* enum apic_event_kind */
    uint8_t vector;
    bool level;
    uint8_t shorthand;              /* APIC_EV_IPI */
    uint32_t lp;                    /* MSG: destination; IPI: source */
    uint32_t dest_lp;               /* IPI with APIC_SHORTHAND_NONE */
    uint64_t pda;                   /* APIC_EV_POSTED */
};

#define CHUNK_RECORDS 64

struct chunk {
    struct chunk *next;
    struct delivery rec[CHUNK_RECORDS];
};

struct apic {
    struct sim *sim;
    struct metrics *metrics;
    sim_component_id comp;
    struct apic_config cfg;         /* 'name' not kept */

    struct lapic *lapics;           /* cfg.lps */
    struct pin *pins;               /* cfg.ioapic_pins */
    struct apic_irte *irt;          /* cfg.irtes, may be NULL */

    apic_notify_fn *notify;
    void *notify_ctx;
    apic_posted_fn *posted_fn;
    void *posted_ctx;

    struct chunk *chunks;
    struct delivery *free_list;

    struct metric *drops[APIC_DROP_N_REASONS];
    struct metric *faults_recorded;
    struct metric *posted;
    struct metric *msi_writes;
    struct metric *ioapic_messages;
};

static const char *const drop_names[APIC_DROP_N_REASONS] = {
    [APIC_DROP_NOT_PRESENT] = "not_present",
    [APIC_DROP_INDEX_RANGE] = "index_range",
    [APIC_DROP_SID_MISMATCH] = "sid_mismatch",
    [APIC_DROP_COMPAT_BLOCKED] = "compat_blocked",
    [APIC_DROP_RESERVED] = "reserved",
    [APIC_DROP_UNSUPPORTED] = "unsupported",
    [APIC_DROP_NO_DESTINATION] = "no_destination",
};

const char *
apic_drop_reason_name(enum apic_drop_reason reason)
{
    SIM_ASSERT((unsigned)reason < APIC_DROP_N_REASONS);
    return drop_names[reason];
}

/* Adds one to 'm', which is NULL when the apic has no metrics registry. */
static void
count(struct metric *m)
{
    if (m) {
        metric_add(m, 1);
    }
}

/* --- 256-bit vector bitmaps ---------------------------------------------- */

static bool
bm_test(const uint64_t bm[4], unsigned v)
{
    return (bm[v >> 6] >> (v & 63)) & 1;
}

static void
bm_set(uint64_t bm[4], unsigned v)
{
    bm[v >> 6] |= UINT64_C(1) << (v & 63);
}

static void
bm_clear(uint64_t bm[4], unsigned v)
{
    bm[v >> 6] &= ~(UINT64_C(1) << (v & 63));
}

/* The highest set vector, or -1 if none. */
static int
bm_highest(const uint64_t bm[4])
{
    for (int w = 3; w >= 0; w--) {
        if (bm[w]) {
            return w * 64 + 63 - __builtin_clzll(bm[w]);
        }
    }
    return -1;
}

/* --- Delivery records and events ----------------------------------------- */

/* A free record, or NULL if memory is exhausted. */
static struct delivery *
delivery_get(struct apic *apic)
{
    if (!apic->free_list) {
        struct chunk *c = calloc(1, sizeof *c);
        if (!c) {
            return NULL;
        }
        c->next = apic->chunks;
        apic->chunks = c;
        for (size_t i = CHUNK_RECORDS; i-- > 0;) {
            c->rec[i].apic = apic;
            c->rec[i].next_free = apic->free_list;
            apic->free_list = &c->rec[i];
        }
    }
    struct delivery *d = apic->free_list;
    apic->free_list = d->next_free;
    d->next_free = NULL;
    return d;
}

static void
delivery_put(struct apic *apic, struct delivery *d)
{
    d->busy = false;
    d->ev = SIM_EVENT_NONE;
    d->next_free = apic->free_list;
    apic->free_list = d;
}

static sim_handler_fn delivery_run;

/* Schedules record 'd' (filled in by the caller) 'delay' ps from now.
 * Returns 0, or ENOMEM with 'd' back on the free list. */
static int
delivery_schedule(struct apic *apic, struct delivery *d, sim_time_t delay)
{
    int error = sim_schedule_in(apic->sim, delay, apic->comp, d->kind,
                                delivery_run, d, &d->ev);
    if (error) {
        SIM_ASSERT(error == ENOMEM);
        delivery_put(apic, d);
        return error;
    }
    d->busy = true;
    return 0;
}

/* --- Per (LP, vector) counters ---------------------------------------------- */

static void
track(struct apic *apic, uint32_t lp, uint8_t vector)
{
    struct lapic *l = &apic->lapics[lp];

    if (!apic->metrics || vector < 16 || l->vec[vector]) {
        return;
    }
    char name[32], desc[96];
    snprintf(name, sizeof name, "vector_0x%02x", (unsigned)vector);
    snprintf(desc, sizeof desc,
             "interrupts of vector 0x%02x accepted into the IRR",
             (unsigned)vector);
    l->vec[vector] = metrics_counter(apic->metrics, l->comp, name,
                                     "interrupts", desc);
}

int
apic_track_vector(struct apic *apic, uint32_t lp, uint8_t vector)
{
    if (lp >= apic->cfg.lps || vector < 16) {
        return EINVAL;
    }
    track(apic, lp, vector);
    return 0;
}

/* --- The local APIC ------------------------------------------------------- */

static uint8_t
ppr_of(const struct lapic *l)
{
    int isrv = bm_highest(l->isr);
    unsigned isr_class = isrv < 0 ? 0 : (unsigned)isrv >> 4;

    return (l->tpr >> 4) >= isr_class ? l->tpr : (uint8_t)(isr_class << 4);
}

static int
pending_of(const struct lapic *l)
{
    int v = bm_highest(l->irr);

    if (v < 0 || ((unsigned)v >> 4) <= (unsigned)(ppr_of(l) >> 4)) {
        return -1;
    }
    return v;
}

/* Calls the notify callback if LP 'lp' has an interrupt to take now. */
static void
maybe_notify(struct apic *apic, uint32_t lp)
{
    if (apic->notify && pending_of(&apic->lapics[lp]) >= 0) {
        apic->notify(apic->notify_ctx, lp);
    }
}

/* A fixed interrupt message of 'vector' arrives at LP 'lp'.  This is the
 * acceptance rule of the SDM: an illegal vector sets the receive-illegal
 * error and is dropped; a vector already requested in the IRR is lost (it
 * coalesces with the one waiting); otherwise the IRR bit is set and the
 * TMR bit records the trigger mode, for the EOI to consult. */
static void
lapic_accept(struct apic *apic, uint32_t lp, uint8_t vector, bool level)
{
    struct lapic *l = &apic->lapics[lp];

    if (vector < 16) {
        count(l->illegal);
        return;
    }
    track(apic, lp, vector);
    if (bm_test(l->irr, vector)) {
        count(l->coalesced);
        return;
    }
    bm_set(l->irr, vector);
    if (level) {
        bm_set(l->tmr, vector);
    } else {
        bm_clear(l->tmr, vector);
    }
    count(l->accepted);
    count(l->vec[vector]);
    maybe_notify(apic, lp);
}

void
apic_lapic_inject(struct apic *apic, uint32_t lp, uint8_t vector, bool level)
{
    SIM_ASSERT(lp < apic->cfg.lps);
    lapic_accept(apic, lp, vector, level);
}

int
apic_lapic_pending(const struct apic *apic, uint32_t lp)
{
    SIM_ASSERT(lp < apic->cfg.lps);
    return pending_of(&apic->lapics[lp]);
}

int
apic_lapic_ack(struct apic *apic, uint32_t lp)
{
    SIM_ASSERT(lp < apic->cfg.lps);
    struct lapic *l = &apic->lapics[lp];
    int v = pending_of(l);

    if (v >= 0) {
        bm_clear(l->irr, (unsigned)v);
        bm_set(l->isr, (unsigned)v);
    }
    return v;
}

void
apic_lapic_eoi(struct apic *apic, uint32_t lp)
{
    SIM_ASSERT(lp < apic->cfg.lps);
    struct lapic *l = &apic->lapics[lp];
    int v = bm_highest(l->isr);

    if (v < 0) {
        return;
    }
    bm_clear(l->isr, (unsigned)v);
    if (bm_test(l->tmr, (unsigned)v)) {
        apic_ioapic_eoi(apic, (uint8_t)v);
    }
    maybe_notify(apic, lp);
}

void
apic_set_tpr(struct apic *apic, uint32_t lp, uint8_t tpr)
{
    SIM_ASSERT(lp < apic->cfg.lps);
    apic->lapics[lp].tpr = tpr;
    maybe_notify(apic, lp);
}

uint8_t
apic_lapic_tpr(const struct apic *apic, uint32_t lp)
{
    SIM_ASSERT(lp < apic->cfg.lps);
    return apic->lapics[lp].tpr;
}

uint8_t
apic_lapic_ppr(const struct apic *apic, uint32_t lp)
{
    SIM_ASSERT(lp < apic->cfg.lps);
    return ppr_of(&apic->lapics[lp]);
}

bool
apic_lapic_irr(const struct apic *apic, uint32_t lp, uint8_t vector)
{
    SIM_ASSERT(lp < apic->cfg.lps);
    return bm_test(apic->lapics[lp].irr, vector);
}

bool
apic_lapic_isr(const struct apic *apic, uint32_t lp, uint8_t vector)
{
    SIM_ASSERT(lp < apic->cfg.lps);
    return bm_test(apic->lapics[lp].isr, vector);
}

bool
apic_lapic_tmr(const struct apic *apic, uint32_t lp, uint8_t vector)
{
    SIM_ASSERT(lp < apic->cfg.lps);
    return bm_test(apic->lapics[lp].tmr, vector);
}

/* The bits of [lo, hi) of word 'w' (vectors w*64 .. w*64+63). */
static uint64_t
range_mask(unsigned w, unsigned lo, unsigned hi)
{
    unsigned a = w * 64, b = a + 64;
    uint64_t m = ~UINT64_C(0);

    if (hi <= a || lo >= b) {
        return 0;
    }
    if (lo > a) {
        m &= ~UINT64_C(0) << (lo - a);
    }
    if (hi < b) {
        m &= ~UINT64_C(0) >> (b - hi);
    }
    return m;
}

bool
apic_lapic_any_in_range(const struct apic *apic, uint32_t lp, unsigned lo,
                        unsigned hi)
{
    const struct lapic *l;

    SIM_ASSERT(lp < apic->cfg.lps && lo <= hi && hi <= 256);
    l = &apic->lapics[lp];
    for (unsigned w = lo / 64; w < 4 && w * 64 < hi; w++) {
        if ((l->irr[w] | l->isr[w]) & range_mask(w, lo, hi)) {
            return true;
        }
    }
    return false;
}

/* --- Routing ------------------------------------------------------------- */

static struct route
route_drop(enum apic_drop_reason reason, bool recorded)
{
    return (struct route){ .kind = ROUTE_DROP, .reason = reason,
                           .fault_recorded = recorded };
}

/* The route of a fixed (or lowest-priority, delivered as fixed) physical
 * interrupt of 'vector' to APIC id 'dest', after checking the delivery
 * mode and destination mode it came with. */
static struct route
route_fixed(const struct apic *apic, uint8_t delivery, bool dest_logical,
            uint32_t dest, uint8_t vector, bool level)
{
    if (delivery == 3 || delivery == 6) {
        return route_drop(APIC_DROP_RESERVED, true);
    }
    if ((delivery != APIC_DELIVERY_FIXED && delivery != APIC_DELIVERY_LOWEST)
        || dest_logical) {
        return route_drop(APIC_DROP_UNSUPPORTED, false);
    }
    if (dest >= apic->cfg.lps) {
        return route_drop(APIC_DROP_NO_DESTINATION, false);
    }
    return (struct route){ .kind = ROUTE_LAPIC, .lp = dest,
                           .vector = vector, .level = level };
}

/* Source-id validation of an IRTE (apic.h, struct apic_irte). */
static bool
sid_ok(const struct apic_irte *e, uint16_t sid)
{
    static const uint16_t sq_mask[4] = { 0xFFFF, 0xFFFB, 0xFFF9, 0xFFF8 };

    switch (e->svt) {
    case 0:
        return true;
    case 1:
        return ((sid ^ e->sid) & sq_mask[e->sq]) == 0;
    case 2: {
        unsigned bus = sid >> 8;
        return bus >= (unsigned)(e->sid >> 8) && bus <= (e->sid & 0xFFu);
    }
    default:
        SIM_ASSERT(!"svt 3 is checked by the caller");
        return false;
    }
}

/* HOW REMAPPING WORKS.  A remappable-format message carries an interrupt
 * index (the handle, plus the subhandle when SHV is set).  The remapping
 * unit checks, in this order, as VT-d does: the index lies inside the
 * table (else an index fault, which no IRTE can suppress); the IRTE is
 * present; its SVT is not the reserved value; the requester id passes the
 * SVT/SQ check.  Faults on a fetched entry are "recorded" unless its FPD
 * bit is set; either way the message is dropped and counted.  A posted
 * entry then routes to its descriptor; a remapped one supplies the
 * destination, vector, trigger and delivery mode, and the message's own
 * fields are ignored. */
static struct route
route_remapped(const struct apic *apic, uint16_t sid, uint32_t index)
{
    if (index >= apic->cfg.irtes) {
        return route_drop(APIC_DROP_INDEX_RANGE, true);
    }
    const struct apic_irte *e = &apic->irt[index];
    if (!e->present) {
        return route_drop(APIC_DROP_NOT_PRESENT, !e->fpd);
    }
    if (e->svt == 3) {
        return route_drop(APIC_DROP_RESERVED, !e->fpd);
    }
    if (!sid_ok(e, sid)) {
        return route_drop(APIC_DROP_SID_MISMATCH, !e->fpd);
    }
    if (e->posted) {
        return (struct route){ .kind = ROUTE_POSTED, .vector = e->vector,
                               .pda = e->pda };
    }
    struct route r = route_fixed(apic, e->delivery, e->dest_logical,
                                 e->dest, e->vector, e->level);
    if (r.kind == ROUTE_DROP && r.reason == APIC_DROP_RESERVED) {
        r.fault_recorded = !e->fpd;
    }
    return r;
}

/* Carries out route 'r': counts a drop now, or schedules the arrival
 * msi_delivery_ps from now.  Returns 0 or ENOMEM (nothing counted). */
static int
route_send(struct apic *apic, const struct route *r)
{
    if (r->kind == ROUTE_DROP) {
        count(apic->drops[r->reason]);
        if (r->reason <= APIC_DROP_RESERVED && r->fault_recorded) {
            count(apic->faults_recorded);
        }
        return 0;
    }
    struct delivery *d = delivery_get(apic);
    if (!d) {
        return ENOMEM;
    }
    d->kind = r->kind == ROUTE_LAPIC ? APIC_EV_MSG : APIC_EV_POSTED;
    d->lp = r->lp;
    d->vector = r->vector;
    d->level = r->level;
    d->pda = r->pda;
    return delivery_schedule(apic, d, apic->cfg.msi_delivery_ps);
}

/* --- MSI ----------------------------------------------------------------- */

/* MSI address bits (Intel SDM vol. 3 "Message Signalled Interrupts"; VT-d
 * "Interrupt Requests in Remappable Format"). */
#define MSI_ADDR_DEST_SHIFT 12          /* compat: bits 19:12 */
#define MSI_ADDR_RH (UINT64_C(1) << 3)  /* compat: redirection hint */
#define MSI_ADDR_DM (UINT64_C(1) << 2)  /* compat: logical destination */
#define MSI_ADDR_IF (UINT64_C(1) << 4)  /* 1: remappable format */
#define MSI_ADDR_SHV (UINT64_C(1) << 3) /* remappable: subhandle valid */
#define MSI_ADDR_H15 (UINT64_C(1) << 2) /* remappable: handle bit 15 */
#define MSI_ADDR_HANDLE_SHIFT 5         /* remappable: handle[14:0] */
#define MSI_DATA_DM_SHIFT 8             /* delivery mode, bits 10:8 */
#define MSI_DATA_LEVEL_ASSERT (1u << 14)
#define MSI_DATA_TRIGGER_LEVEL (1u << 15)

struct apic_msi_msg
apic_msi_compat(uint8_t dest, uint8_t vector, bool level)
{
    struct apic_msi_msg m;

    m.addr = APIC_MSI_ADDR_BASE | (uint64_t)dest << MSI_ADDR_DEST_SHIFT;
    m.data = vector | APIC_DELIVERY_FIXED << MSI_DATA_DM_SHIFT
             | MSI_DATA_LEVEL_ASSERT | (level ? MSI_DATA_TRIGGER_LEVEL : 0);
    return m;
}

struct apic_msi_msg
apic_msi_remappable(uint16_t handle, bool subhandle_valid,
                    uint16_t subhandle)
{
    struct apic_msi_msg m;

    m.addr = APIC_MSI_ADDR_BASE | MSI_ADDR_IF
             | (uint64_t)(handle & 0x7FFF) << MSI_ADDR_HANDLE_SHIFT
             | (handle & 0x8000 ? MSI_ADDR_H15 : 0)
             | (subhandle_valid ? MSI_ADDR_SHV : 0);
    m.data = subhandle_valid ? subhandle : 0;
    return m;
}

/* Decodes an MSI into its route (the address is known to be in range). */
static struct route
route_msi(struct apic *apic, uint16_t sid, uint64_t addr, uint32_t data)
{
    if (addr & MSI_ADDR_IF) {
        if (!apic->cfg.remapping) {
            /* Bit 4 is reserved in the compatibility format. */
            return route_drop(APIC_DROP_RESERVED, false);
        }
        uint32_t index = (uint32_t)(addr >> MSI_ADDR_HANDLE_SHIFT) & 0x7FFF;
        if (addr & MSI_ADDR_H15) {
            index |= 0x8000;
        }
        if (addr & MSI_ADDR_SHV) {
            index += data & 0xFFFF;     /* may pass 65535: out of range */
        }
        return route_remapped(apic, sid, index);
    }
    if (apic->cfg.remapping && apic->cfg.block_compat) {
        return route_drop(APIC_DROP_COMPAT_BLOCKED, true);
    }
    uint32_t dest = (uint32_t)(addr >> MSI_ADDR_DEST_SHIFT) & 0xFF;
    uint8_t delivery = (data >> MSI_DATA_DM_SHIFT) & 7;
    bool level = (data & MSI_DATA_TRIGGER_LEVEL) != 0;
    uint8_t vector = data & 0xFF;

    if (level && !(data & MSI_DATA_LEVEL_ASSERT)) {
        /* A level deassert message: the APIC has nothing to do with it. */
        return route_drop(APIC_DROP_UNSUPPORTED, false);
    }
    struct route r = route_fixed(apic, delivery, (addr & MSI_ADDR_DM) != 0,
                                 dest, vector, level);
    if (r.kind == ROUTE_LAPIC) {
        track(apic, r.lp, r.vector);
    }
    return r;
}

int
apic_msi(struct apic *apic, uint16_t source_id, uint64_t addr,
         uint32_t data)
{
    if ((addr >> 20) != (APIC_MSI_ADDR_BASE >> 20)) {
        return EINVAL;
    }
    struct route r = route_msi(apic, source_id, addr, data);
    int error = route_send(apic, &r);
    if (!error) {
        count(apic->msi_writes);
    }
    return error;
}

int
apic_irte_set(struct apic *apic, uint32_t index,
              const struct apic_irte *irte)
{
    if (index >= apic->cfg.irtes || irte->sq > 3 || irte->svt > 3
        || irte->delivery > 7 || (irte->posted && (irte->pda & 63))) {
        return EINVAL;
    }
    apic->irt[index] = *irte;
    if (irte->present && !irte->posted && irte->dest < apic->cfg.lps) {
        track(apic, irte->dest, irte->vector);
    }
    return 0;
}

int
apic_irte_get(const struct apic *apic, uint32_t index,
              struct apic_irte *irte)
{
    if (index >= apic->cfg.irtes) {
        return EINVAL;
    }
    *irte = apic->irt[index];
    return 0;
}

/* --- IOAPIC -------------------------------------------------------------- */

/* The route of the message a pin with entry 'rte' sends now. */
static struct route
route_pin(struct apic *apic, const struct apic_rte *rte)
{
    if (rte->remappable) {
        return route_remapped(apic, apic->cfg.ioapic_source_id, rte->handle);
    }
    return route_fixed(apic, rte->delivery, false, rte->dest, rte->vector,
                       rte->level);
}

/* Sends the message of a pin with entry 'rte'.  Stores in '*routed'
 * whether it went somewhere (a level entry sets remote IRR only then: the
 * model does not reproduce the hang of a level line whose message faulted).
 * Returns 0 or ENOMEM (nothing sent). */
static int
pin_send(struct apic *apic, const struct apic_rte *rte, bool *routed)
{
    struct route r = route_pin(apic, rte);
    int error = route_send(apic, &r);

    if (!error) {
        count(apic->ioapic_messages);
    }
    *routed = !error && r.kind != ROUTE_DROP;
    return error;
}

int
apic_ioapic_program(struct apic *apic, uint32_t pin,
                    const struct apic_rte *rte)
{
    if (pin >= apic->cfg.ioapic_pins || rte->delivery > 7
        || rte->delivery == 3 || rte->delivery == 6
        || (rte->remappable && !apic->cfg.remapping)) {
        return EINVAL;
    }
    struct pin *p = &apic->pins[pin];
    bool remote_irr = rte->level && p->remote_irr;

    if (!rte->masked && rte->level && p->line && !remote_irr) {
        bool routed;
        int error = pin_send(apic, rte, &routed);
        if (error) {
            return error;
        }
        remote_irr = routed;
    }
    p->rte = *rte;
    p->remote_irr = remote_irr;
    if (!rte->remappable && rte->dest < apic->cfg.lps) {
        track(apic, rte->dest, rte->vector);
    }
    return 0;
}

int
apic_ioapic_set_line(struct apic *apic, uint32_t pin, bool asserted)
{
    if (pin >= apic->cfg.ioapic_pins) {
        return EINVAL;
    }
    struct pin *p = &apic->pins[pin];
    const struct apic_rte *rte = &p->rte;
    bool send = asserted && !rte->masked
                && (rte->level ? !p->remote_irr : !p->line);

    if (send) {
        bool routed;
        int error = pin_send(apic, rte, &routed);
        if (error) {
            return error;
        }
        if (rte->level) {
            p->remote_irr = routed;
        }
    }
    p->line = asserted;
    return 0;
}

void
apic_ioapic_eoi(struct apic *apic, uint8_t vector)
{
    for (uint32_t i = 0; i < apic->cfg.ioapic_pins; i++) {
        struct pin *p = &apic->pins[i];

        if (!p->rte.level || !p->remote_irr || p->rte.vector != vector) {
            continue;
        }
        p->remote_irr = false;
        if (p->line && !p->rte.masked) {
            bool routed;
            int error = pin_send(apic, &p->rte, &routed);
            /* No caller to report ENOMEM to: the simulator's policy for
             * an exhausted heap inside an event is to stop. */
            SIM_ASSERT(error == 0);
            p->remote_irr = routed;
        }
    }
}

bool
apic_ioapic_remote_irr(const struct apic *apic, uint32_t pin)
{
    SIM_ASSERT(pin < apic->cfg.ioapic_pins);
    return apic->pins[pin].remote_irr;
}

/* --- IPIs ---------------------------------------------------------------- */

int
apic_send_ipi(struct apic *apic, uint32_t src_lp,
              enum apic_shorthand shorthand, uint32_t dest_lp,
              uint8_t vector)
{
    if (src_lp >= apic->cfg.lps || (unsigned)shorthand > 3
        || (shorthand == APIC_SHORTHAND_NONE && dest_lp >= apic->cfg.lps)) {
        return EINVAL;
    }
    struct lapic *src = &apic->lapics[src_lp];
    if (vector < 16) {
        count(src->send_illegal);
        return 0;
    }
    struct delivery *d = delivery_get(apic);
    if (!d) {
        return ENOMEM;
    }
    d->kind = APIC_EV_IPI;
    d->lp = src_lp;
    d->dest_lp = dest_lp;
    d->shorthand = (uint8_t)shorthand;
    d->vector = vector;
    d->level = false;
    int error = delivery_schedule(apic, d, apic->cfg.ipi_delivery_ps);
    if (!error) {
        count(src->ipi_sent);
    }
    return error;
}

/* Delivers an IPI to its destinations, in LP order. */
static void
ipi_arrive(struct apic *apic, uint32_t src, enum apic_shorthand sh,
           uint32_t dest, uint8_t vector)
{
    switch (sh) {
    case APIC_SHORTHAND_NONE:
        lapic_accept(apic, dest, vector, false);
        break;
    case APIC_SHORTHAND_SELF:
        lapic_accept(apic, src, vector, false);
        break;
    case APIC_SHORTHAND_ALL_INCL_SELF:
    case APIC_SHORTHAND_ALL_EXCL_SELF:
        for (uint32_t lp = 0; lp < apic->cfg.lps; lp++) {
            if (lp != src || sh == APIC_SHORTHAND_ALL_INCL_SELF) {
                lapic_accept(apic, lp, vector, false);
            }
        }
        break;
    }
}

/* The event of every in-flight message.  The record goes back to the free
 * list before anything is delivered, since delivery calls out (notify, the
 * posted hook) and the callee may send more messages. */
static void
delivery_run(struct sim *sim, void *ctx)
{
    struct delivery *d = ctx;
    struct apic *apic = d->apic;
    struct delivery m = *d;

    (void)sim;
    delivery_put(apic, d);
    switch (m.kind) {
    case APIC_EV_MSG:
        lapic_accept(apic, m.lp, m.vector, m.level);
        break;
    case APIC_EV_IPI:
        ipi_arrive(apic, m.lp, (enum apic_shorthand)m.shorthand, m.dest_lp,
                   m.vector);
        break;
    case APIC_EV_POSTED:
        count(apic->posted);
        if (apic->posted_fn) {
            apic->posted_fn(apic->posted_ctx, m.pda, m.vector);
        }
        break;
    default:
        SIM_ASSERT(!"unknown delivery kind");
    }
}

/* --- Creation ------------------------------------------------------------ */

static bool
config_ok(const struct apic_config *c)
{
    if (!c->name || !c->name[0] || strchr(c->name, '.')) {
        return false;
    }
    if (c->lps < 1 || c->lps > APIC_MAX_LPS
        || c->ioapic_pins > APIC_MAX_PINS
        || c->irtes > APIC_MAX_IRTES || (c->remapping && c->irtes < 1)) {
        return false;
    }
    return c->msi_delivery_ps >= 0 && c->ipi_delivery_ps >= 0;
}

static void
register_metrics(struct apic *apic)
{
    struct metrics *reg = apic->metrics;
    char name[48], desc[128];

    for (int r = 0; r < APIC_DROP_N_REASONS; r++) {
        snprintf(name, sizeof name, "drop_%s", drop_names[r]);
        snprintf(desc, sizeof desc, "interrupt messages dropped: %s%s",
                 drop_names[r],
                 r <= APIC_DROP_RESERVED ? " (remapping fault)" : "");
        apic->drops[r] = metrics_counter(reg, apic->comp, name, "messages",
                                         desc);
    }
    apic->faults_recorded = metrics_counter(
        reg, apic->comp, "faults_recorded", "faults",
        "remapping faults not suppressed by the IRTE's FPD bit");
    apic->posted = metrics_counter(reg, apic->comp, "posted", "interrupts",
                                   "interrupts posted through posted IRTEs");
    apic->msi_writes = metrics_counter(reg, apic->comp, "msi_writes",
                                       "messages", "MSI writes by devices");
    apic->ioapic_messages = metrics_counter(
        reg, apic->comp, "ioapic_messages", "messages",
        "interrupt messages sent by the IOAPIC");
    for (uint32_t lp = 0; lp < apic->cfg.lps; lp++) {
        struct lapic *l = &apic->lapics[lp];
        l->accepted = metrics_counter(reg, l->comp, "accepted", "interrupts",
                                      "interrupts newly set in the IRR");
        l->coalesced = metrics_counter(
            reg, l->comp, "coalesced", "interrupts",
            "interrupts lost because their IRR bit was already set");
        l->illegal = metrics_counter(
            reg, l->comp, "illegal_vector", "interrupts",
            "received interrupts with a vector below 16, dropped");
        l->send_illegal = metrics_counter(
            reg, l->comp, "send_illegal_vector", "IPIs",
            "IPIs refused because their vector is below 16");
        l->ipi_sent = metrics_counter(reg, l->comp, "ipi_sent", "IPIs",
                                      "IPIs sent by this LP");
    }
}

int
apic_create(struct sim *sim, struct metrics *metrics,
            sim_component_id parent, const struct apic_config *config,
            struct apic **out)
{
    if (!config_ok(config)) {
        return EINVAL;
    }
    struct apic *apic = calloc(1, sizeof *apic);
    if (!apic) {
        return ENOMEM;
    }
    apic->sim = sim;
    apic->metrics = metrics;
    apic->cfg = *config;
    apic->cfg.name = NULL;
    if (!apic->cfg.ioapic_pins) {
        apic->cfg.ioapic_pins = APIC_DEFAULT_PINS;
    }
    apic->lapics = calloc(apic->cfg.lps, sizeof *apic->lapics);
    apic->pins = calloc(apic->cfg.ioapic_pins, sizeof *apic->pins);
    if (apic->cfg.irtes) {
        apic->irt = calloc(apic->cfg.irtes, sizeof *apic->irt);
    }
    if (!apic->lapics || !apic->pins || (apic->cfg.irtes && !apic->irt)) {
        apic_destroy(apic);
        return ENOMEM;
    }
    for (uint32_t i = 0; i < apic->cfg.ioapic_pins; i++) {
        apic->pins[i].rte.masked = true;        /* the reset state */
    }

    int error = 0;
    apic->comp = sim_component_add(sim, parent, config->name, &error);
    for (uint32_t lp = 0; !error && lp < apic->cfg.lps; lp++) {
        char name[24];
        snprintf(name, sizeof name, "lapic%u", (unsigned)lp);
        apic->lapics[lp].comp = sim_component_add(sim, apic->comp, name,
                                                  &error);
    }
    if (error) {
        apic_destroy(apic);
        return error;
    }
    if (metrics) {
        register_metrics(apic);
    }
    *out = apic;
    return 0;
}

void
apic_destroy(struct apic *apic)
{
    if (!apic) {
        return;
    }
    while (apic->chunks) {
        struct chunk *c = apic->chunks;
        for (size_t i = 0; i < CHUNK_RECORDS; i++) {
            if (c->rec[i].busy) {
                sim_cancel(apic->sim, c->rec[i].ev);
            }
        }
        apic->chunks = c->next;
        free(c);
    }
    free(apic->irt);
    free(apic->pins);
    free(apic->lapics);
    free(apic);
}

sim_component_id
apic_component(const struct apic *apic)
{
    return apic->comp;
}

void
apic_set_notify(struct apic *apic, apic_notify_fn *fn, void *ctx)
{
    apic->notify = fn;
    apic->notify_ctx = ctx;
}

void
apic_set_posted_hook(struct apic *apic, apic_posted_fn *fn, void *ctx)
{
    apic->posted_fn = fn;
    apic->posted_ctx = ctx;
}
