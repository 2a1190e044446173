/*
 * apic.h -- the interrupt-controller model: one local APIC per logical
 * processor (LP), one IOAPIC, MSI/MSI-X messages and VT-d style interrupt
 * remapping, in one object (struct apic) that a host owns.
 *
 * WHAT IT IS.  Devices raise interrupts in two ways: an IOAPIC input pin
 * (apic_ioapic_set_line()) or a memory write to the interrupt address range
 * 0xFEExxxxx (apic_msi()).  Either becomes an interrupt message aimed at one
 * LP's local APIC.  With remapping enabled, a message in the remappable
 * format names an interrupt remapping table entry (IRTE) instead of a
 * destination; the IRTE, validated against the requester's source id,
 * supplies the destination, vector and trigger mode, or sends the interrupt
 * to a posted-interrupt descriptor through a hook (apic_set_posted_hook()).
 * The local APIC keeps the 256-bit IRR, ISR and TMR and the TPR and PPR of
 * the Intel SDM; the CPU model takes interrupts through apic_lapic_pending(),
 * apic_lapic_ack() and apic_lapic_eoi(), and learns that one may be waiting
 * from the notify callback (apic_set_notify()).  This module knows no CPU,
 * device or hypervisor model: they call it, and it calls back only through
 * the two callbacks.
 *
 * INVARIANTS.
 *   - The APIC id of an LP is its index, 0 .. lps-1.
 *   - Vectors 0..15 never reach an IRR: a message carrying one is counted
 *     as an illegal vector by the receiving LP (or by the sending LP for an
 *     IPI) and dropped.
 *   - An interrupt offered by apic_lapic_pending() is the highest vector in
 *     the IRR whose priority class (vector >> 4) is above PPR >> 4, where
 *     PPR = TPR if TPR >> 4 >= ISRV >> 4, else ISRV & 0xF0 (ISRV: highest
 *     in-service vector, 0 if none).
 *   - A message dropped for any reason (remapping fault, unsupported or
 *     reserved encoding, no such destination) is counted under exactly one
 *     reason and delivered nowhere.
 *   - An IOAPIC level-triggered pin sends at most one message while its
 *     remote IRR is set; the EOI of the RTE's vector clears it.
 *
 * TIME.  The model hard-codes no cost.  An MSI (or an IOAPIC message, which
 * is the same upstream write on a modern platform) reaches the local APIC's
 * IRR msi_delivery_ps after it is written; an IPI reaches its destinations
 * ipi_delivery_ps after it is sent.  Both are configuration supplied by the
 * caller (the platform profile).  Everything else -- TPR writes, INTA, EOI,
 * the EOI broadcast to the IOAPIC and the re-delivery decision it triggers
 * -- takes no simulated time here; the CPU model charges the cycles.
 *
 * RETARGETING.  A message is decoded and, when remappable, translated
 * through the IRTE at the instant it is written; only the arrival at the
 * local APIC (or the posting) waits msi_delivery_ps.  So changing an IRTE,
 * or a device's MSI-X table entry, affects the next message only: a message
 * already in flight arrives where it was aimed when written.  Faults are
 * counted at the write, and a faulted message schedules nothing.
 *
 * DETERMINISM.  Deliveries are events of the apic component (kinds in enum
 * apic_event_kind), scheduled in the order of the calls that cause them; an
 * IPI to several LPs is one event that delivers in LP order.  Metrics are
 * registered in a deterministic order: the fixed ones at creation, the per
 * (LP, vector) ones when first targeted (see apic_track_vector()).
 *
 * OWNERSHIP.  The apic belongs to its creator, which destroys it with
 * apic_destroy() (pending deliveries are cancelled).  It keeps pointers to
 * the simulation and the metrics registry, which must outlive it.  Callback
 * contexts are never dereferenced by the model.  Callbacks run inside the
 * apic's calls and events; they may call back into the apic (a CPU model's
 * notify may call apic_lapic_ack() at once), since the model's state is
 * consistent whenever it calls out.
 *
 * ERRORS.  Calls taking values from scenarios or device models (creation,
 * programming, apic_msi(), apic_send_ipi()) validate them and return 0 or a
 * positive errno, leaving state unchanged on failure.  The CPU-side calls
 * (pending, ack, eoi, TPR, queries) assert their LP index instead.
 *
 * OUT OF SCOPE.  Logical destination mode, destination shorthands other
 * than in IPIs, xAPIC broadcast id 0xFF, x2APIC, NMI/SMI/INIT/SIPI/ExtINT
 * delivery modes (messages using them are dropped and counted as
 * unsupported; apic_send_ipi() sends fixed interrupts only), lowest-priority
 * arbitration (delivered as fixed to the named destination), the APIC timer,
 * LVT entries, the ESR register itself (its conditions are counters), EOI
 * broadcast suppression, and the remapping hardware's fault log and
 * invalidation queue.  See doc/models.md section 3.
 */
#ifndef VNETSIM_MODELS_APIC_H
#define VNETSIM_MODELS_APIC_H 1

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

struct metrics;
struct apic;

/* Limits. */
#define APIC_MAX_LPS 4096u          /* APIC ids 0 .. 4095 */
#define APIC_MAX_PINS 240u          /* IOAPIC redirection entries */
#define APIC_DEFAULT_PINS 24u
#define APIC_MAX_IRTES 65536u       /* a 16-bit interrupt index */

/* The interrupt address range: bits 31:20 of an MSI address. */
#define APIC_MSI_ADDR_BASE UINT64_C(0xFEE00000)

/* Delivery modes (MSI data bits 10:8, RTE bits 10:8, IRTE bits 7:5). */
enum apic_delivery {
    APIC_DELIVERY_FIXED = 0,
    APIC_DELIVERY_LOWEST = 1,       /* delivered as fixed (see above) */
    APIC_DELIVERY_SMI = 2,
    APIC_DELIVERY_NMI = 4,
    APIC_DELIVERY_INIT = 5,
    APIC_DELIVERY_EXTINT = 7,       /* 3 and 6 are reserved */
};

/* IPI destination shorthands (ICR bits 19:18). */
enum apic_shorthand {
    APIC_SHORTHAND_NONE = 0,        /* the LP named by 'dest_lp' */
    APIC_SHORTHAND_SELF = 1,
    APIC_SHORTHAND_ALL_INCL_SELF = 2,
    APIC_SHORTHAND_ALL_EXCL_SELF = 3,
};

/* Why a message was dropped.  The first five are the remapping faults of
 * VT-d (fault reasons 0x20-0x26 in the specification's terms); the last two
 * are this model's own. */
enum apic_drop_reason {
    APIC_DROP_NOT_PRESENT,          /* IRTE present bit clear */
    APIC_DROP_INDEX_RANGE,          /* interrupt index beyond the table */
    APIC_DROP_SID_MISMATCH,         /* source-id validation failed */
    APIC_DROP_COMPAT_BLOCKED,       /* compatibility format while blocked */
    APIC_DROP_RESERVED,             /* reserved encoding (message or IRTE) */
    APIC_DROP_UNSUPPORTED,          /* valid, but out of this model's scope */
    APIC_DROP_NO_DESTINATION,       /* no LP has the destination APIC id */
    APIC_DROP_N_REASONS
};

/* Event kinds of the apic component (for fingerprints and traces). */
enum apic_event_kind {
    APIC_EV_MSG = 1,                /* an MSI or IOAPIC message arrives */
    APIC_EV_IPI = 2,                /* an IPI arrives */
    APIC_EV_POSTED = 3,             /* a posted interrupt is posted */
};

/* Creation parameters.  Zeroed fields take the defaults noted. */
struct apic_config {
    const char *name;               /* component name, e.g. "apic" */
    uint32_t lps;                   /* logical processors, 1 .. 4096 */
    uint32_t ioapic_pins;           /* 0 = 24; at most 240 */
    bool remapping;                 /* interrupt remapping enabled */
    uint32_t irtes;                 /* IRTE count, 1 .. 65536 (0 without
                                     * remapping = no table) */
    bool block_compat;              /* with remapping: drop compatibility-
                                     * format messages (VT-d CFI clear) */
    uint16_t ioapic_source_id;      /* requester id of the IOAPIC's
                                     * messages (bus << 8 | dev << 3 | fn) */
    sim_time_t msi_delivery_ps;     /* MSI/IOAPIC write to IRR, >= 0 */
    sim_time_t ipi_delivery_ps;     /* ICR write to remote IRR, >= 0 */
};

/* An IOAPIC redirection table entry as software programs it.  Remote IRR
 * and delivery status are state, not programmed (apic_ioapic_remote_irr()).
 * In the remappable format ('remappable' true, VT-d) 'handle' names the
 * IRTE, 'dest' and 'delivery' are unused, and 'vector' must equal the
 * IRTE's vector, because the EOI that clears remote IRR is matched by
 * vector. */
struct apic_rte {
    uint8_t vector;
    uint8_t delivery;               /* enum apic_delivery */
    uint32_t dest;                  /* destination APIC id (physical) */
    bool level;                     /* trigger mode: true = level */
    bool active_low;                /* polarity: recorded, see doc */
    bool masked;
    bool remappable;                /* interrupt format bit (bit 48) */
    uint16_t handle;                /* IRTE index when remappable */
};

/* An interrupt remapping table entry (Linux include/linux/dmar.h struct
 * irte, both formats).  Remapped format: 'dest', 'vector', 'level',
 * 'delivery' give the interrupt.  Posted format ('posted'): 'vector' is the
 * virtual vector to post and 'pda' the 64-byte aligned address of the
 * posted-interrupt descriptor.  'sid', 'sq' and 'svt' are the source-id
 * validation of both formats:
 *   svt 0  no validation;
 *   svt 1  requester id must equal 'sid', except bits ignored per 'sq':
 *          sq 0 none, sq 1 bit 2, sq 2 bits 2:1, sq 3 bits 2:0;
 *   svt 2  requester bus (id >> 8) must lie in 'sid' >> 8 .. 'sid' & 0xFF;
 *   svt 3  reserved (every message through the entry faults). */
struct apic_irte {
    bool present;
    bool fpd;                       /* fault processing disable */
    bool dest_logical;              /* DM: logical is unsupported */
    bool redir_hint;                /* RH: recorded */
    bool level;                     /* trigger mode: true = level */
    uint8_t delivery;               /* enum apic_delivery */
    uint8_t vector;
    uint32_t dest;                  /* destination APIC id */
    uint16_t sid;
    uint8_t sq;                     /* 0 .. 3 */
    uint8_t svt;                    /* 0 .. 3 */
    bool posted;                    /* IM: posted format */
    bool urgent;                    /* URG (posted): recorded */
    uint64_t pda;                   /* posted descriptor address */
};

/* An MSI as a device writes it. */
struct apic_msi_msg {
    uint64_t addr;
    uint32_t data;
};

/* Called when LP 'lp' may have an interrupt to take now (after a message
 * enters its IRR, after an EOI or TPR write lowers its PPR); only when
 * apic_lapic_pending() would return a vector at that moment. */
typedef void apic_notify_fn(void *ctx, uint32_t lp);

/* Called when a posted IRTE posts 'vector' to the descriptor at 'pda'. */
typedef void apic_posted_fn(void *ctx, uint64_t pda, uint8_t vector);

/* Creates the model under component 'parent' (a component named
 * config->name, with one child "lapicN" per LP), registering its metrics in
 * 'metrics' (may be NULL: no metrics).  Returns 0 and stores the model in
 * '*out', or EINVAL for a bad configuration, or ENOMEM; on failure '*out'
 * is untouched (components already added to the simulation stay, unused). */
int apic_create(struct sim *sim, struct metrics *metrics,
                sim_component_id parent, const struct apic_config *config,
                struct apic **out);

/* Cancels the model's pending events and frees it.  Accepts NULL. */
void apic_destroy(struct apic *apic);

/* The component id of the model. */
sim_component_id apic_component(const struct apic *apic);

/* Sets the notify callback ('fn' NULL: none). */
void apic_set_notify(struct apic *apic, apic_notify_fn *fn, void *ctx);

/* Sets the posted-interrupt hook ('fn' NULL: posted interrupts are counted
 * and go nowhere). */
void apic_set_posted_hook(struct apic *apic, apic_posted_fn *fn, void *ctx);

/* --- The local APIC, CPU side ------------------------------------------ */

/* The vector LP 'lp' should take now, or -1.  No state change. */
int apic_lapic_pending(const struct apic *apic, uint32_t lp);

/* Interrupt acknowledge: moves the vector apic_lapic_pending() offers from
 * IRR to ISR (PPR rises) and returns it, or -1 if none is offered (nothing
 * changes). */
int apic_lapic_ack(struct apic *apic, uint32_t lp);

/* End of interrupt: clears the highest ISR bit.  If that vector's TMR bit
 * is set, broadcasts the EOI to the IOAPIC (apic_ioapic_eoi()).  Notifies
 * if an interrupt is now deliverable.  No effect if nothing is in service. */
void apic_lapic_eoi(struct apic *apic, uint32_t lp);

/* Writes the TPR of 'lp' (all 8 bits kept; only bits 7:4 matter).
 * Notifies if an interrupt is now deliverable. */
void apic_set_tpr(struct apic *apic, uint32_t lp, uint8_t tpr);

/* Sets 'vector' in the IRR of 'lp' now, edge ('level' false) or level
 * triggered, as a message accepted by the local APIC would, without a bus
 * message or its delivery delay: how a hypervisor injects a virtual
 * interrupt into a virtual APIC, or posts a synthetic interrupt to the
 * root's processor.  A vector below 16 is counted as illegal and ignored.
 * Notifies if it is now deliverable. */
void apic_lapic_inject(struct apic *apic, uint32_t lp, uint8_t vector,
                       bool level);

/* Register reads, for CPU models, tests and traces. */
uint8_t apic_lapic_tpr(const struct apic *apic, uint32_t lp);
uint8_t apic_lapic_ppr(const struct apic *apic, uint32_t lp);
bool apic_lapic_irr(const struct apic *apic, uint32_t lp, uint8_t vector);
bool apic_lapic_isr(const struct apic *apic, uint32_t lp, uint8_t vector);
bool apic_lapic_tmr(const struct apic *apic, uint32_t lp, uint8_t vector);

/* Is any vector in [lo, hi) requested (IRR) or in service (ISR) on 'lp'?
 * One word test per 64 vectors. */
bool apic_lapic_any_in_range(const struct apic *apic, uint32_t lp,
                             unsigned lo, unsigned hi);

/* Sends a fixed IPI of 'vector' from 'src_lp' to the LPs chosen by
 * 'shorthand' ('dest_lp' is used only with APIC_SHORTHAND_NONE).  They
 * receive it ipi_delivery_ps from now, edge-triggered.  A vector below 16
 * is counted as a send-illegal-vector error of 'src_lp' and nothing is
 * sent (returns 0: it is the guest's error, not the caller's).  Returns 0,
 * EINVAL for an unknown LP or shorthand, or ENOMEM. */
int apic_send_ipi(struct apic *apic, uint32_t src_lp,
                  enum apic_shorthand shorthand, uint32_t dest_lp,
                  uint8_t vector);

/* --- IOAPIC -------------------------------------------------------------- */

/* Programs redirection entry 'pin'.  Remote IRR is kept, except that
 * programming edge trigger clears it.  If the entry ends up unmasked,
 * level-triggered, its line asserted and remote IRR clear, it delivers at
 * once.  Returns 0, or EINVAL (pin out of range, delivery mode not a
 * defined one, remappable without remapping enabled). */
int apic_ioapic_program(struct apic *apic, uint32_t pin,
                        const struct apic_rte *rte);

/* Sets input 'pin' asserted or not (the device's request, after the
 * board's polarity).  Edge: a message on each rising edge while unmasked.
 * Level: a message while asserted, unmasked and remote IRR clear; sending
 * sets remote IRR.  Returns 0 or EINVAL (pin out of range) or ENOMEM. */
int apic_ioapic_set_line(struct apic *apic, uint32_t pin, bool asserted);

/* An EOI message for 'vector' reaching the IOAPIC: every level-triggered
 * entry with that vector and remote IRR set has remote IRR cleared, and
 * re-delivers if its line is still asserted and it is unmasked.  The local
 * APIC calls it on EOI of a TMR vector; a hypervisor model may call it for
 * a directed EOI. */
void apic_ioapic_eoi(struct apic *apic, uint8_t vector);

/* The remote IRR bit of 'pin' (asserts the pin is in range). */
bool apic_ioapic_remote_irr(const struct apic *apic, uint32_t pin);

/* --- MSI / MSI-X and remapping ------------------------------------------- */

/* A device with requester id 'source_id' writes 'data' to 'addr'.  The
 * message is decoded (and remapped) now and reaches the local APIC, or the
 * posted-interrupt hook, msi_delivery_ps from now; a dropped message is
 * counted by reason now.  Returns 0 (also for a dropped message), EINVAL if
 * 'addr' is not in the interrupt range 0xFEE00000 .. 0xFEEFFFFF (the write
 * is not an interrupt: a device model bug), or ENOMEM (nothing counted,
 * nothing scheduled). */
int apic_msi(struct apic *apic, uint16_t source_id, uint64_t addr,
             uint32_t data);

/* Composes a compatibility-format message: fixed delivery, physical
 * destination 'dest' (an 8-bit xAPIC id), 'vector', edge or level trigger
 * (the level-assert bit is set, as Linux does). */
struct apic_msi_msg apic_msi_compat(uint8_t dest, uint8_t vector,
                                    bool level);

/* Composes a remappable-format message for IRTE 'handle'; with
 * 'subhandle_valid' the entry used is handle + subhandle (the data
 * carries the subhandle, as for multi-message MSI). */
struct apic_msi_msg apic_msi_remappable(uint16_t handle,
                                        bool subhandle_valid,
                                        uint16_t subhandle);

/* Writes IRTE 'index'.  Takes effect for the next message.  Returns 0, or
 * EINVAL (index beyond the table, sq or svt above 3, delivery above 7, a
 * posted entry whose 'pda' is not 64-byte aligned).  Architecturally
 * representable but unusable contents (svt 3, reserved or unsupported
 * delivery modes, logical destination) are accepted and fault or drop when
 * used, as hardware would. */
int apic_irte_set(struct apic *apic, uint32_t index,
                  const struct apic_irte *irte);

/* Reads IRTE 'index' into '*irte'.  Returns 0 or EINVAL. */
int apic_irte_get(const struct apic *apic, uint32_t index,
                  struct apic_irte *irte);

/* Registers the per-(LP, vector) counter "vector_0xVV" of component
 * "lapicN" now, if it is not registered yet, so it exists (at 0) from this
 * point of the run.  Programming an RTE or a remapped IRTE, and writing a
 * compatibility MSI, do this for their target; a vector first seen on
 * acceptance (an IPI) is registered then.  Device models may call it when
 * they program an MSI-X entry.  Returns 0 or EINVAL (unknown LP). */
int apic_track_vector(struct apic *apic, uint32_t lp, uint8_t vector);

/* Name of a drop reason ("not_present", ...): the suffix of its counter. */
const char *apic_drop_reason_name(enum apic_drop_reason reason);

#endif /* VNETSIM_MODELS_APIC_H */
