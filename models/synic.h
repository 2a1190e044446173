/*
 * synic.h -- the Hyper-V synthetic interrupt controller (SynIC) of one
 * virtual processor (VP): sixteen synthetic interrupt sources, the event
 * flags page, the message page with its queues, the EOM register, the EOI
 * assist bit of the VP assist page, and the two hypercalls that reach them
 * (HvCallSignalEvent and HvCallPostMessage) through a table of connections.
 *
 * WHAT IT IS.  The TLFS describes the SynIC as a virtual local APIC plus
 * extensions.  This module is only the extensions: the local APIC of each
 * VP is an LP of a struct apic (models/apic.h), owned by the integration
 * layer.  When the SynIC decides that a synthetic interrupt source (SINT)
 * interrupts, it calls the 'raise' callback of its struct synic_ops with
 * the SINT's vector, and the caller asserts that vector on the VP's local
 * APIC however it models delivery.  So the SynIC can be tested alone with
 * a fake.  It is pure logic and state: no simulated time, no events, no
 * costs; what happened is told by return values, the callback and the
 * counters (struct synic_counters), and the caller charges cycles.
 *
 * STATE (per VP).
 *   - SCONTROL enable; SIEFP and SIMP enable bits (the page addresses are
 *     not modelled: the pages live here, as bytes).
 *   - 16 SINT registers: vector (16..255), masked, auto-EOI, polling.
 *     At creation and reset every SINT is masked with vector 0, as the
 *     TLFS default 0x10000.
 *   - The SIEF page: 16 SINTs x 256 bytes = 2048 event flags per SINT;
 *     flag n of SINT x is bit (n % 8) of byte x * 256 + n / 8.
 *   - The SIM page: 16 message slots of 256 bytes in the HV_MESSAGE
 *     layout (below), and per SINT a FIFO of messages that could not be
 *     placed because the slot was busy, of at most 'queue_depth' messages
 *     (struct synic_config).
 *   - The VP assist page's enable bit and its "No EOI required" bit.
 *   - A table of connections, each naming a port on this VP: a SINT and,
 *     for an event port, a range of flags (base, count).
 *
 * EVENT FLAGS (TLFS "SynIC Event Flags", FACTS.md 3.3).  Signalling flag
 * n of SINT x sets the flag.  If it was clear, the hypervisor "attempts to
 * notify ... by generating an edge-triggered interrupt": the vector is
 * raised unless the SINT is masked (the interrupt is not generated) or in
 * polling mode ("the effect of unmasking ... except that an actual
 * interrupt is not generated").  If it was already set, nothing happens:
 * repeated signals coalesce until the guest's ISR takes the flags
 * (synic_scan_flags(), the locked AND of the recommended handling).  Two
 * different flags of one SINT signalled before a scan raise twice: each
 * one was clear.  Event flags never fail for lack of buffers.
 *
 * UNMASKING DOES NOT RAISE.  A flag set while its SINT was masked stays
 * set; unmasking later generates nothing, and further signals of that
 * flag coalesce, so the guest must scan after unmasking.  The TLFS makes
 * notification an edge at the clear-to-set transition of the flag (and
 * says an interrupt for a masked SINT "is lost"); nothing in it replays
 * an edge on a SINT register write, so neither does this model.  The same
 * holds for a message written into the slot of a masked SINT.
 *
 * MESSAGES (TLFS "SynIC Messages", FACTS.md 7.4).  A message goes into its
 * SINT's slot if the slot is empty (message type HvMessageTypeNone = 0);
 * the vector is raised (unless masked or polling).  If the slot is busy,
 * the message waits in the SINT's FIFO and the slot's MessagePending flag
 * is set, telling the guest to write EOM after emptying the slot; if the
 * FIFO is full the post fails (SYNIC_POST_EAGAIN; the hypercall returns
 * HV_STATUS_INSUFFICIENT_BUFFERS and the sender retries later).  The FIFO
 * is re-scanned -- its head moved into an empty slot, with an interrupt --
 * on the three events the TLFS names: another message is queued to the
 * SINT, the guest writes EOM (every SINT), and the guest EOIs a vector
 * (the SINTs using that vector).  Messages of one SINT arrive in the order
 * they were posted.
 *
 * HV_MESSAGE LAYOUT (little-endian, 256 bytes).  Offset 0 message type
 * (u32), 4 payload size (u8), 5 flags (u8, bit 0 MessagePending), 6..7
 * reserved, 8 origination id (u64: the port id for posted messages, the
 * sender's partition id for intercepts, 0 for timers), 16..255 payload.
 * This is the order of Linux's struct hv_message_header
 * (include/asm-generic/hyperv-tlfs.h), which runs on Hyper-V; the TLFS
 * datatype page HV_MESSAGE lists the reserved, flags and size fields in
 * the reverse order.  Nothing but synic_sim_page() depends on it.
 *
 * EOI ASSIST (TLFS "EOI Assist", FACTS.md 7.4 and the section 5 row
 * "Hyper-V EOI assist").  The guest EOIs with "btr [assist page], 0; jc
 * NoEoiRequired; wrmsr HV_X64_MSR_EOI".  When the hypervisor injects an
 * interrupt it sets "No EOI required" if the interrupt is edge-triggered
 * and no lower-priority interrupt is pending, and clears it otherwise;
 * when a lower-priority interrupt is requested later it clears it.  No
 * count is kept, so the bit always describes the most recent injection:
 * of two nested interrupts only the first EOI (the inner, higher-priority
 * one) is absorbed, and the second exits.  An absorbed EOI is completed
 * lazily by the hypervisor; telling the local APIC is the caller's job.
 *
 * HYPERCALLS AND CONNECTIONS (TLFS "Ports and Connections",
 * HvCallSignalEvent, HvCallPostMessage).  A sender names a connection id;
 * the connection is bound to a port that selects the target SINT and,
 * for event ports, a base flag number and a flag count; the flag number
 * in HvCallSignalEvent is relative to the base.  This model keeps at each
 * VP the table of the connections whose ports target it, so the caller
 * resolves the target VP and synic_hypercall() resolves the rest.
 * Statuses, checked in this order:
 *   unknown call code                     HV_STATUS_INVALID_HYPERCALL_CODE
 *   connection id not in the table        HV_STATUS_INVALID_CONNECTION_ID
 *   port of the wrong type for the call   HV_STATUS_INVALID_PORT_ID
 *   SignalEvent: flag >= the port's count HV_STATUS_INVALID_PARAMETER
 *   PostMessage: type 0, type with bit 31
 *     set, or payload above 240 bytes     HV_STATUS_INVALID_PARAMETER
 *   SynIC, SIEF (event) or SIM (message)
 *     page disabled; or SignalEvent to a
 *     masked SINT (the flag is still set) HV_STATUS_INVALID_SYNIC_STATE
 *   PostMessage with the FIFO full        HV_STATUS_INSUFFICIENT_BUFFERS
 *   otherwise                             HV_STATUS_SUCCESS
 * Status values (HV_STATUS, 16 bits): Linux include/hyperv/hvgdk_mini.h
 * (SUCCESS 0x0, INVALID_HYPERCALL_CODE 0x2, INVALID_PARAMETER 0x5,
 * INVALID_PORT_ID 0x11, INVALID_CONNECTION_ID 0x12, INSUFFICIENT_BUFFERS
 * 0x13; the older arch/x86/include/uapi/asm/hyperv.h gives 18 and 19 for
 * the last two) and, for INVALID_SYNIC_STATE 0x18, the TLFS-derived
 * headers of VirtualBox (GIM_HV_STATUS_INVALID_SYNIC_STATE) and
 * Mile.HyperV.TLFS.h.  Call codes 0x005C (PostMessage) and 0x005D
 * (SignalEvent): the TLFS hypercall pages and the same Linux header.
 * Which error conditions map to which status: the TLFS hypercall pages.
 * Hypervisor message types (bit 31 set, e.g. the I/O port intercept
 * 0x80010000) can only be sent by the hypervisor: synic_post_message()
 * accepts them, the hypercall refuses them.
 *
 * INVARIANTS.
 *   - A SINT's FIFO holds at most 'queue_depth' messages, none of type 0.
 *   - A SINT has an empty slot and a non-empty FIFO only between
 *     synic_clear_message() (or the enabling of the SynIC or SIM page)
 *     and the next re-scan event: EOM, an EOI of the SINT's vector, or
 *     another post to that SINT -- the window MessagePending exists for.
 *   - The slot's MessagePending flag is set whenever its FIFO is
 *     non-empty.
 *   - 'raise' is called exactly when a counter 'interrupts' is counted:
 *     once per flag that went from clear to set on an unmasked, non-polling
 *     SINT, and once per message written into the slot of such a SINT.
 *
 * CALLBACKS.  'raise' runs inside the call that caused it, after the
 * state is updated, and may call back into this SynIC (a fake guest may
 * take the interrupt at once).  The context pointer is never dereferenced.
 *
 * DETERMINISM.  Re-scans visit SINTs in ascending order; scans return
 * flags in ascending order; nothing depends on addresses or time.
 *
 * OWNERSHIP.  The SynIC belongs to its creator (synic_create(),
 * synic_destroy()).  Payloads are copied in and out; no caller pointer is
 * kept.
 *
 * ERRORS.  Calls carrying values a guest or a sender controls (SINT and
 * flag numbers, message types and sizes, hypercall inputs, SINT
 * configuration, connections) validate them and report a result or a
 * positive errno with state unchanged.  Guest-side consumers
 * (synic_scan_flags(), synic_read_message(), ...) assert their SINT
 * index instead.
 *
 * OUT OF SCOPE.  Synthetic timers and their messages (post them with
 * synic_post_message_from() if needed); HV_ANY_VP ports (the caller picks
 * the VP); VTLs; SVERSION; the SIRBP; the direct hypercalls
 * (HvCallSignalEventDirect, HvCallPostMessageDirect); privileges
 * (HV_STATUS_ACCESS_DENIED); the per-port pool of 16 guest message buffers
 * (approximated by the per-SINT FIFO bound); auto-EOI itself (the caller
 * asks synic_vector_auto_eoi() and skips the EOI).
 *
 * SOURCES.  FACTS.md 3.3 (event flags, SIEF/SIM pages, intercepts as
 * messages), 7.4 (SynIC, EOI assist, message slots, re-scan on message,
 * EOI or EOM), 5 (rows "Hyper-V EOI assist", "Hyper-V APIC MSRs",
 * "Hypercall used for VMBus signal"); the TLFS pages of
 * MicrosoftDocs/Virtualization-Documentation
 * virtualization/hyper-v-on-windows/tlfs/: virtual-interrupts.md,
 * inter-partition-communication.md, datatypes/hv_message.md,
 * hypercalls/HvCallSignalEvent.md, hypercalls/HvCallPostMessage.md.
 */
#ifndef VNETSIM_MODELS_SYNIC_H
#define VNETSIM_MODELS_SYNIC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct synic;

/* Geometry (TLFS). */
#define SYNIC_SINT_COUNT 16u
#define SYNIC_FLAGS_PER_SINT 2048u          /* 256 bytes of flags */
#define SYNIC_PAGE_SIZE 4096u               /* SIEF and SIM pages */
#define SYNIC_MESSAGE_SIZE 256u             /* HV_MESSAGE */
#define SYNIC_MESSAGE_MAX_PAYLOAD 240u      /* bytes */
#define SYNIC_MIN_VECTOR 16u                /* SINT vectors 16..255 */

/* Byte offsets inside a 256-byte message slot (see HV_MESSAGE LAYOUT). */
#define SYNIC_MSG_OFF_TYPE 0u
#define SYNIC_MSG_OFF_SIZE 4u
#define SYNIC_MSG_OFF_FLAGS 5u
#define SYNIC_MSG_OFF_ORIGIN 8u
#define SYNIC_MSG_OFF_PAYLOAD 16u
#define SYNIC_MSG_FLAG_PENDING 0x01u        /* MessagePending */

/* Message types (HV_MESSAGE_TYPE).  Bit 31 marks hypervisor messages. */
#define SYNIC_MSG_TYPE_NONE 0x00000000u
#define SYNIC_MSG_TYPE_HYPERVISOR 0x80000000u
#define SYNIC_MSG_TYPE_X64_IO_PORT_INTERCEPT 0x80010000u

/* Bounds of the creation parameters. */
#define SYNIC_MAX_QUEUE_DEPTH 1024u         /* messages per SINT FIFO */
#define SYNIC_MAX_CONNECTIONS 65536u
#define SYNIC_CONNECTION_ID_MASK 0x00FFFFFFu /* HV_CONNECTION_ID: 24 bits */

/* Hypercall call codes (TLFS; Linux include/hyperv/hvgdk_mini.h). */
enum synic_hypercall {
    SYNIC_HVCALL_POST_MESSAGE = 0x005c,
    SYNIC_HVCALL_SIGNAL_EVENT = 0x005d,
};

/* Hypercall statuses (HV_STATUS; sources in the essay above). */
enum synic_hv_status {
    SYNIC_HV_STATUS_SUCCESS = 0x0000,
    SYNIC_HV_STATUS_INVALID_HYPERCALL_CODE = 0x0002,
    SYNIC_HV_STATUS_INVALID_PARAMETER = 0x0005,
    SYNIC_HV_STATUS_INVALID_PORT_ID = 0x0011,
    SYNIC_HV_STATUS_INVALID_CONNECTION_ID = 0x0012,
    SYNIC_HV_STATUS_INSUFFICIENT_BUFFERS = 0x0013,
    SYNIC_HV_STATUS_INVALID_SYNIC_STATE = 0x0018,
};

/* What synic_signal_event() did. */
enum synic_event_result {
    SYNIC_EVENT_RAISED,         /* flag was clear: set, vector raised */
    SYNIC_EVENT_COALESCED,      /* flag already set: nothing changed */
    SYNIC_EVENT_MASKED,         /* flag was clear: set; SINT masked */
    SYNIC_EVENT_POLLED,         /* flag was clear: set; SINT polling */
    SYNIC_EVENT_DISABLED,       /* SynIC or SIEF page disabled: nothing */
    SYNIC_EVENT_INVALID,        /* SINT or flag out of range: nothing */
};

/* What synic_post_message() did. */
enum synic_post_result {
    SYNIC_POST_DELIVERED,       /* written into the empty slot (vector
                                 * raised unless masked or polling) */
    SYNIC_POST_QUEUED,          /* appended to the SINT's FIFO */
    SYNIC_POST_EAGAIN,          /* FIFO full: dropped, sender retries */
    SYNIC_POST_DISABLED,        /* SynIC or SIM page disabled: nothing */
    SYNIC_POST_INVALID,         /* bad SINT, type 0, payload > 240 */
};

/* The interface to the VP's local APIC. */
struct synic_ops {
    /* Assert 'vector' (edge-triggered) on this VP's local APIC. */
    void (*raise)(void *ctx, uint8_t vector);
};

/* Creation parameters. */
struct synic_config {
    uint32_t queue_depth;       /* FIFO bound per SINT, 0 .. 1024 (0: a
                                 * busy slot refuses every post) */
    uint32_t max_connections;   /* connection table size, 0 .. 65536 */
};

/* A SINT register. */
struct synic_sint {
    uint8_t vector;
    bool masked;
    bool auto_eoi;
    bool polling;
};

/* A message as the guest reads it from its slot. */
struct synic_message {
    uint32_t type;              /* SYNIC_MSG_TYPE_NONE: the slot is empty */
    uint8_t payload_size;       /* bytes, <= 240 */
    bool pending;               /* MessagePending */
    uint64_t origin;            /* origination id (port or partition) */
    uint8_t payload[SYNIC_MESSAGE_MAX_PAYLOAD];
};

/* Port types (HV_PORT_TYPE, the two this model serves). */
enum synic_port_type {
    SYNIC_PORT_MESSAGE,
    SYNIC_PORT_EVENT,
};

/* The port a connection is bound to, on this VP. */
struct synic_port {
    enum synic_port_type type;
    uint8_t sint;               /* 0 .. 15 */
    uint16_t base_flag;         /* event: first flag of the port */
    uint16_t flag_count;        /* event: 1 .. 2048 - base_flag */
    uint32_t port_id;           /* message: written as the origination id */
};

/* A hypercall as the guest issues it (register or memory input). */
struct synic_hypercall_input {
    uint16_t code;              /* enum synic_hypercall */
    uint32_t connection_id;
    uint16_t flag_number;       /* SignalEvent: relative to base_flag */
    uint32_t message_type;      /* PostMessage */
    uint32_t payload_size;      /* PostMessage, bytes */
    const void *payload;        /* PostMessage, payload_size bytes */
};

/* Counters of one SINT. */
struct synic_sint_counters {
    uint64_t events_signalled;  /* signals reaching the SIEF (set or
                                 * coalesced) */
    uint64_t events_coalesced;  /* ... whose flag was already set */
    uint64_t events_masked;     /* ... newly set on a masked SINT */
    uint64_t events_polled;     /* ... newly set on a polling SINT */
    uint64_t messages_posted;   /* posts accepted (delivered or queued) */
    uint64_t messages_queued;   /* ... that had to wait in the FIFO */
    uint64_t messages_dropped;  /* posts refused with EAGAIN */
    uint64_t messages_delivered; /* messages written into the slot, at
                                 * the post or from the FIFO */
    uint64_t interrupts;        /* times the SINT's vector was raised */
};

/* All counters.  Totals are the sums of the per-SINT rows where the
 * field exists there. */
struct synic_counters {
    struct synic_sint_counters sint[SYNIC_SINT_COUNT];
    uint64_t interrupts;        /* 'raise' calls */
    uint64_t refused_disabled;  /* DISABLED results */
    uint64_t invalid;           /* INVALID results */
    uint64_t eoms;              /* EOM writes */
    uint64_t eom_deliveries;    /* messages an EOM moved into a slot */
    uint64_t eoi_rescans;       /* synic_on_eoi() calls */
    uint64_t eoi_deliveries;    /* messages an EOI moved into a slot */
    uint64_t assist_set;        /* injections that set No EOI required */
    uint64_t assist_revoked;    /* bits cleared by a later lower-priority
                                 * request */
    uint64_t eois_absorbed;     /* guest EOIs that did not exit */
    uint64_t eoi_exits;         /* guest EOIs that wrote the EOI MSR */
    uint64_t hypercalls;        /* synic_hypercall() calls */
    uint64_t hypercall_errors;  /* ... returning another status than
                                 * SUCCESS */
};

/* --- Life cycle ------------------------------------------------------ */

/* Creates a SynIC in the reset state (see synic_reset()) calling 'ops'
 * with 'ctx'.  'ops' is copied; ops->raise may be NULL (interrupts are
 * counted and go nowhere).  Returns 0 and stores it in '*out', EINVAL
 * (bounds of 'config'), or ENOMEM; on failure '*out' is untouched. */
int synic_create(const struct synic_config *config,
                 const struct synic_ops *ops, void *ctx,
                 struct synic **out);

/* Frees 's'.  Accepts NULL. */
void synic_destroy(struct synic *s);

/* VP reset: SCONTROL, SIMP, SIEFP and the VP assist page disabled; every
 * SINT masked with vector 0, no auto-EOI, no polling; both pages zeroed;
 * FIFOs emptied; the EOI assist bit clear.  Connections and counters are
 * kept (they are not VP registers). */
void synic_reset(struct synic *s);

/* --- Registers ------------------------------------------------------- */

/* SCONTROL enable, SIEFP enable, SIMP enable, VP assist page enable.
 * Enabling does not re-scan: queued messages wait for the next re-scan
 * event.  Disabling the VP assist page clears the EOI assist bit. */
void synic_set_enabled(struct synic *s, bool enabled);
void synic_set_siefp(struct synic *s, bool enabled);
void synic_set_simp(struct synic *s, bool enabled);
void synic_set_vp_assist(struct synic *s, bool enabled);
bool synic_enabled(const struct synic *s);
bool synic_siefp_enabled(const struct synic *s);
bool synic_simp_enabled(const struct synic *s);
bool synic_vp_assist_enabled(const struct synic *s);

/* Writes SINT 'sint': 'vector', 'masked', 'auto_eoi'; the polling bit is
 * kept.  Unmasking raises nothing (see UNMASKING DOES NOT RAISE).
 * Returns 0, or EINVAL ('sint' >= 16 or 'vector' < 16: the #GP of the
 * MSR write) with nothing changed. */
int synic_configure_sint(struct synic *s, unsigned sint, uint8_t vector,
                         bool masked, bool auto_eoi);

/* Sets the polling bit of SINT 'sint'.  Returns 0 or EINVAL. */
int synic_set_sint_polling(struct synic *s, unsigned sint, bool polling);

/* Reads SINT 'sint' into '*out'.  Returns 0 or EINVAL. */
int synic_get_sint(const struct synic *s, unsigned sint,
                   struct synic_sint *out);

/* True if an unmasked SINT with vector 'vector' has auto-EOI set: the
 * caller then completes the interrupt at delivery and the guest does not
 * EOI it. */
bool synic_vector_auto_eoi(const struct synic *s, uint8_t vector);

/* --- Event flags ----------------------------------------------------- */

/* Signals flag 'flag' (0 .. 2047) of SINT 'sint' (see EVENT FLAGS). */
enum synic_event_result synic_signal_event(struct synic *s, unsigned sint,
                                           unsigned flag);

/* The guest's ISR: atomically takes and clears the set flags of 'sint',
 * storing their numbers in ascending order in 'out' (room for 'cap'), and
 * returns how many it took.  Flags beyond 'cap' stay set for the next
 * scan.  Asserts 'sint' < 16. */
size_t synic_scan_flags(struct synic *s, unsigned sint, uint16_t *out,
                        size_t cap);

/* Tests flag 'flag' of 'sint'; the _and_clear form clears it too (the
 * per-channel test-and-clear of a VMBus driver).  Assert the range. */
bool synic_flag_test(const struct synic *s, unsigned sint, unsigned flag);
bool synic_flag_test_and_clear(struct synic *s, unsigned sint,
                               unsigned flag);

/* Number of set flags of 'sint'.  Asserts 'sint' < 16. */
unsigned synic_flags_pending(const struct synic *s, unsigned sint);

/* --- Messages -------------------------------------------------------- */

/* Posts a message of 'type' with 'len' bytes of 'payload' to SINT 'sint'
 * (see MESSAGES), origination id 0.  Any non-zero type is accepted,
 * hypervisor types included (intercepts).  INVALID: 'sint' >= 16, type 0,
 * 'len' > 240, or 'payload' NULL with 'len' > 0. */
enum synic_post_result synic_post_message(struct synic *s, unsigned sint,
                                          uint32_t type,
                                          const void *payload, size_t len);

/* The same with origination id 'origin' (a port id or a partition id). */
enum synic_post_result synic_post_message_from(struct synic *s,
                                               unsigned sint, uint32_t type,
                                               uint64_t origin,
                                               const void *payload,
                                               size_t len);

/* Reads the slot of 'sint' into '*out'.  Returns 0 if it holds a message,
 * ENOENT if it is empty (then '*out' has type 0 and the slot's pending
 * flag, the rest zero).  Asserts 'sint' < 16. */
int synic_read_message(const struct synic *s, unsigned sint,
                       struct synic_message *out);

/* The guest empties the slot of 'sint': writes HvMessageTypeNone to its
 * type (the other bytes, MessagePending included, are left as they are,
 * as the guest writes only the type).  No re-scan: the guest then writes
 * EOM if MessagePending is set, or EOIs.  Asserts 'sint' < 16. */
void synic_clear_message(struct synic *s, unsigned sint);

/* The MessagePending flag in the slot of 'sint' (valid after the slot is
 * emptied, as the TLFS asks the guest to test it).  Asserts the range. */
bool synic_message_pending(const struct synic *s, unsigned sint);

/* Messages waiting in the FIFO of 'sint'.  Asserts the range. */
unsigned synic_queue_length(const struct synic *s, unsigned sint);

/* A write to the EOM MSR: for every SINT in ascending order whose slot is
 * empty and whose FIFO is not, moves the FIFO's head into the slot and
 * raises the vector (unless masked or polling).  Nothing if the SynIC or
 * the SIM page is disabled.  Returns the number of messages moved. */
unsigned synic_eom(struct synic *s);

/* The guest EOIed 'vector' (an EOI the hypervisor saw): the same re-scan
 * for the SINTs whose vector is 'vector'.  Returns the number moved. */
unsigned synic_on_eoi(struct synic *s, uint8_t vector);

/* The raw pages (SYNIC_PAGE_SIZE bytes each), for tests and for copying
 * into a guest memory model. */
const uint8_t *synic_sief_page(const struct synic *s);
const uint8_t *synic_sim_page(const struct synic *s);

/* --- EOI assist ------------------------------------------------------ */

/* The hypervisor injects an interrupt: sets "No EOI required" if the VP
 * assist page is enabled, the interrupt is 'edge_triggered' and no
 * 'lower_priority_pending' interrupt exists; otherwise clears it (the bit
 * describes the most recent injection only).  Returns the new bit. */
bool synic_eoi_assist_on_inject(struct synic *s, bool edge_triggered,
                                bool lower_priority_pending);

/* A lower-priority interrupt was requested after the injection: clears
 * the bit (counted as revoked if it was set). */
void synic_eoi_assist_lower_requested(struct synic *s);

/* The guest's EOI sequence: btr of the bit, then the EOI MSR write only
 * if the bit was clear.  Returns true if the EOI exits to the hypervisor,
 * false if the assist absorbed it.  The bit is clear afterwards. */
bool synic_guest_eoi(struct synic *s);

/* The "No EOI required" bit now. */
bool synic_eoi_assist_bit(const struct synic *s);

/* --- Connections and hypercalls -------------------------------------- */

/* Binds 'connection_id' (24 bits) to 'port' on this VP.  Returns 0,
 * EINVAL (id above 24 bits, unknown type, 'sint' >= 16, an event port
 * with no flags or flags beyond 2047), EEXIST (id already bound), or
 * ENOSPC (table full); on failure nothing changes. */
int synic_connect_port(struct synic *s, uint32_t connection_id,
                       const struct synic_port *port);

/* Unbinds 'connection_id'.  Messages already queued stay.  Returns 0 or
 * ENOENT. */
int synic_disconnect_port(struct synic *s, uint32_t connection_id);

/* Executes HvCallSignalEvent or HvCallPostMessage aimed at this VP (see
 * HYPERCALLS AND CONNECTIONS for the statuses). */
enum synic_hv_status synic_hypercall(struct synic *s,
                                     const struct synic_hypercall_input *in);

/* --- Counters and names ---------------------------------------------- */

const struct synic_counters *synic_counters(const struct synic *s);

/* "raised", "coalesced", ...; "delivered", "queued", ... */
const char *synic_event_result_name(enum synic_event_result r);
const char *synic_post_result_name(enum synic_post_result r);

#endif /* VNETSIM_MODELS_SYNIC_H */
