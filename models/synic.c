/*
 * synic.c -- the synthetic interrupt controller of one VP (synic.h).
 *
 * The file follows synic.h: the state and its byte helpers; the SINT
 * registers; event flags; the message slots, their FIFOs and the re-scan
 * that EOM, EOI and new posts share; the EOI assist bit; connections and
 * the hypercall dispatcher; creation.  The two pages are kept as bytes in
 * their architectural layout, so what a guest would read is exactly what
 * synic_sief_page() and synic_sim_page() return.  Every path that raises
 * an interrupt goes through raise_sint(), after the state is final.
 */
#include "config.h"

#include "models/synic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"

/* --- State ------------------------------------------------------------ */

/* A message waiting in a FIFO. */
struct qmsg {
    uint32_t type;
    uint8_t size;
    uint64_t origin;
    uint8_t payload[SYNIC_MESSAGE_MAX_PAYLOAD];
};

/* A bounded FIFO in a ring of 'depth' records. */
struct fifo {
    struct qmsg *ring;
    uint32_t head;
    uint32_t len;
};

/* A connection: the table is kept sorted by 'id'. */
struct conn {
    uint32_t id;
    struct synic_port port;
};

struct synic {
    struct synic_ops ops;
    void *ctx;
    uint32_t depth;

    bool scontrol;
    bool siefp;
    bool simp;
    bool vp_assist;
    bool no_eoi_required;

    struct synic_sint sint[SYNIC_SINT_COUNT];
    uint8_t sief[SYNIC_PAGE_SIZE];
    uint8_t sim[SYNIC_PAGE_SIZE];
    struct fifo fifo[SYNIC_SINT_COUNT];
    struct qmsg *storage;           /* SINT_COUNT * depth records */

    struct conn *conns;
    uint32_t n_conns;
    uint32_t max_conns;

    struct synic_counters c;
};

/* Little-endian accessors of the pages. */
static uint32_t
get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
           | (uint32_t)p[3] << 24;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t
get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void
put_le64(uint8_t *p, uint64_t v)
{
    put_le32(p, (uint32_t)v);
    put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t *
slot(struct synic *s, unsigned sint)
{
    return s->sim + (size_t)sint * SYNIC_MESSAGE_SIZE;
}

static const uint8_t *
slot_c(const struct synic *s, unsigned sint)
{
    return s->sim + (size_t)sint * SYNIC_MESSAGE_SIZE;
}

static bool
slot_empty(const struct synic *s, unsigned sint)
{
    return get_le32(slot_c(s, sint) + SYNIC_MSG_OFF_TYPE)
           == SYNIC_MSG_TYPE_NONE;
}

/* --- Interrupts ------------------------------------------------------- */

/* The edge of SINT 'sint': raised unless masked or polling.  Called last
 * on every path, when the state is final (the callback may re-enter). */
static void
raise_sint(struct synic *s, unsigned sint)
{
    const struct synic_sint *r = &s->sint[sint];

    if (r->masked || r->polling) {
        return;
    }
    s->c.sint[sint].interrupts++;
    s->c.interrupts++;
    if (s->ops.raise) {
        s->ops.raise(s->ctx, r->vector);
    }
}

/* --- Registers ------------------------------------------------------- */

void
synic_reset(struct synic *s)
{
    s->scontrol = false;
    s->siefp = false;
    s->simp = false;
    s->vp_assist = false;
    s->no_eoi_required = false;
    for (unsigned i = 0; i < SYNIC_SINT_COUNT; i++) {
        s->sint[i] = (struct synic_sint){ .vector = 0, .masked = true };
        s->fifo[i].head = 0;
        s->fifo[i].len = 0;
    }
    memset(s->sief, 0, sizeof s->sief);
    memset(s->sim, 0, sizeof s->sim);
}

void
synic_set_enabled(struct synic *s, bool enabled)
{
    s->scontrol = enabled;
}

void
synic_set_siefp(struct synic *s, bool enabled)
{
    s->siefp = enabled;
}

void
synic_set_simp(struct synic *s, bool enabled)
{
    s->simp = enabled;
}

void
synic_set_vp_assist(struct synic *s, bool enabled)
{
    s->vp_assist = enabled;
    if (!enabled) {
        s->no_eoi_required = false;
    }
}

bool
synic_enabled(const struct synic *s)
{
    return s->scontrol;
}

bool
synic_siefp_enabled(const struct synic *s)
{
    return s->siefp;
}

bool
synic_simp_enabled(const struct synic *s)
{
    return s->simp;
}

bool
synic_vp_assist_enabled(const struct synic *s)
{
    return s->vp_assist;
}

int
synic_configure_sint(struct synic *s, unsigned sint, uint8_t vector,
                     bool masked, bool auto_eoi)
{
    if (sint >= SYNIC_SINT_COUNT || vector < SYNIC_MIN_VECTOR) {
        return EINVAL;
    }
    s->sint[sint].vector = vector;
    s->sint[sint].masked = masked;
    s->sint[sint].auto_eoi = auto_eoi;
    return 0;
}

int
synic_set_sint_polling(struct synic *s, unsigned sint, bool polling)
{
    if (sint >= SYNIC_SINT_COUNT) {
        return EINVAL;
    }
    s->sint[sint].polling = polling;
    return 0;
}

int
synic_get_sint(const struct synic *s, unsigned sint, struct synic_sint *out)
{
    if (sint >= SYNIC_SINT_COUNT) {
        return EINVAL;
    }
    *out = s->sint[sint];
    return 0;
}

bool
synic_vector_auto_eoi(const struct synic *s, uint8_t vector)
{
    for (unsigned i = 0; i < SYNIC_SINT_COUNT; i++) {
        const struct synic_sint *r = &s->sint[i];
        if (!r->masked && r->auto_eoi && r->vector == vector) {
            return true;
        }
    }
    return false;
}

/* --- Event flags ------------------------------------------------------ */

static uint8_t *
flag_byte(struct synic *s, unsigned sint, unsigned flag)
{
    return &s->sief[(size_t)sint * (SYNIC_FLAGS_PER_SINT / 8) + flag / 8];
}

static const uint8_t *
flag_byte_c(const struct synic *s, unsigned sint, unsigned flag)
{
    return &s->sief[(size_t)sint * (SYNIC_FLAGS_PER_SINT / 8) + flag / 8];
}

/* HOW A SIGNAL IS DECIDED.  Out-of-range arguments and a disabled SynIC
 * or SIEF page change nothing.  A set flag coalesces.  A clear flag is
 * set, and only then may the SINT's edge be generated: masked and polling
 * SINTs keep the flag without an interrupt. */
enum synic_event_result
synic_signal_event(struct synic *s, unsigned sint, unsigned flag)
{
    struct synic_sint_counters *sc;
    uint8_t *byte;
    uint8_t bit;

    if (sint >= SYNIC_SINT_COUNT || flag >= SYNIC_FLAGS_PER_SINT) {
        s->c.invalid++;
        return SYNIC_EVENT_INVALID;
    }
    if (!s->scontrol || !s->siefp) {
        s->c.refused_disabled++;
        return SYNIC_EVENT_DISABLED;
    }
    sc = &s->c.sint[sint];
    sc->events_signalled++;
    byte = flag_byte(s, sint, flag);
    bit = (uint8_t)(1u << (flag % 8));
    if (*byte & bit) {
        sc->events_coalesced++;
        return SYNIC_EVENT_COALESCED;
    }
    *byte |= bit;
    if (s->sint[sint].masked) {
        sc->events_masked++;
        return SYNIC_EVENT_MASKED;
    }
    if (s->sint[sint].polling) {
        sc->events_polled++;
        return SYNIC_EVENT_POLLED;
    }
    raise_sint(s, sint);
    return SYNIC_EVENT_RAISED;
}

size_t
synic_scan_flags(struct synic *s, unsigned sint, uint16_t *out, size_t cap)
{
    size_t n = 0;
    uint8_t *flags = flag_byte(s, sint, 0);

    SIM_ASSERT(sint < SYNIC_SINT_COUNT);
    SIM_ASSERT(out != NULL || cap == 0);
    /* Eight bytes at a time: most of the 256 are zero. */
    for (unsigned w = 0; w < SYNIC_FLAGS_PER_SINT / 64 && n < cap; w++) {
        uint64_t word;

        memcpy(&word, flags + w * 8, 8);
        if (word == 0) {
            continue;
        }
        for (unsigned b = w * 8; b < w * 8 + 8 && n < cap; b++) {
            uint8_t *byte = &flags[b];
            for (unsigned i = 0; i < 8 && *byte != 0 && n < cap; i++) {
                uint8_t bit = (uint8_t)(1u << i);
                if (*byte & bit) {
                    *byte &= (uint8_t)~bit;
                    out[n++] = (uint16_t)(b * 8 + i);
                }
            }
        }
    }
    return n;
}

bool
synic_flag_test(const struct synic *s, unsigned sint, unsigned flag)
{
    SIM_ASSERT(sint < SYNIC_SINT_COUNT && flag < SYNIC_FLAGS_PER_SINT);
    return (*flag_byte_c(s, sint, flag) >> (flag % 8)) & 1u;
}

bool
synic_flag_test_and_clear(struct synic *s, unsigned sint, unsigned flag)
{
    uint8_t *byte;
    uint8_t bit;

    SIM_ASSERT(sint < SYNIC_SINT_COUNT && flag < SYNIC_FLAGS_PER_SINT);
    byte = flag_byte(s, sint, flag);
    bit = (uint8_t)(1u << (flag % 8));
    if (!(*byte & bit)) {
        return false;
    }
    *byte &= (uint8_t)~bit;
    return true;
}

unsigned
synic_flags_pending(const struct synic *s, unsigned sint)
{
    unsigned n = 0;

    SIM_ASSERT(sint < SYNIC_SINT_COUNT);
    for (unsigned b = 0; b < SYNIC_FLAGS_PER_SINT / 8; b++) {
        for (uint8_t v = *flag_byte_c(s, sint, b * 8); v; v &= v - 1) {
            n++;
        }
    }
    return n;
}

/* --- Messages ---------------------------------------------------------- */

/* Writes 'm' into the slot of 'sint' with MessagePending = 'pending'.
 * Only the payload bytes the message carries are copied, as the TLFS
 * allows; the rest of the slot keeps its old bytes. */
static void
slot_write(struct synic *s, unsigned sint, const struct qmsg *m,
           bool pending)
{
    uint8_t *p = slot(s, sint);

    put_le32(p + SYNIC_MSG_OFF_TYPE, m->type);
    p[SYNIC_MSG_OFF_SIZE] = m->size;
    p[SYNIC_MSG_OFF_FLAGS] = pending ? SYNIC_MSG_FLAG_PENDING : 0;
    p[6] = 0;
    p[7] = 0;
    put_le64(p + SYNIC_MSG_OFF_ORIGIN, m->origin);
    memcpy(p + SYNIC_MSG_OFF_PAYLOAD, m->payload, m->size);
}

static void
set_pending(struct synic *s, unsigned sint)
{
    slot(s, sint)[SYNIC_MSG_OFF_FLAGS] |= SYNIC_MSG_FLAG_PENDING;
}

/* THE RE-SCAN.  If delivery is possible (SynIC and SIM page enabled), the
 * slot of 'sint' is empty and its FIFO is not, the FIFO's head moves into
 * the slot (MessagePending set if more wait) and the SINT's edge is
 * generated.  Returns true if a message moved. */
static bool
rescan_sint(struct synic *s, unsigned sint)
{
    struct fifo *f = &s->fifo[sint];
    struct qmsg m;

    if (!s->scontrol || !s->simp || f->len == 0 || !slot_empty(s, sint)) {
        return false;
    }
    m = f->ring[f->head];
    f->head = (f->head + 1) % s->depth;
    f->len--;
    slot_write(s, sint, &m, f->len > 0);
    s->c.sint[sint].messages_delivered++;
    raise_sint(s, sint);
    return true;
}

/* HOW A POST IS DECIDED.  After validation and the enable checks, the
 * SINT is re-scanned first (a new message is one of the TLFS's re-scan
 * events, and doing it before placing the new one keeps the FIFO order
 * and frees a FIFO place before fullness is judged).  Then an empty slot
 * takes the message; a busy one queues it behind the others, or refuses
 * it when the FIFO is full. */
enum synic_post_result
synic_post_message_from(struct synic *s, unsigned sint, uint32_t type,
                        uint64_t origin, const void *payload, size_t len)
{
    struct synic_sint_counters *sc;
    struct fifo *f;
    struct qmsg m;

    if (sint >= SYNIC_SINT_COUNT || type == SYNIC_MSG_TYPE_NONE
        || len > SYNIC_MESSAGE_MAX_PAYLOAD || (payload == NULL && len > 0)) {
        s->c.invalid++;
        return SYNIC_POST_INVALID;
    }
    if (!s->scontrol || !s->simp) {
        s->c.refused_disabled++;
        return SYNIC_POST_DISABLED;
    }
    sc = &s->c.sint[sint];
    f = &s->fifo[sint];
    m.type = type;
    m.size = (uint8_t)len;
    m.origin = origin;
    if (len > 0) {
        memcpy(m.payload, payload, len);
    }

    rescan_sint(s, sint);
    if (slot_empty(s, sint) && f->len == 0) {
        sc->messages_posted++;
        sc->messages_delivered++;
        slot_write(s, sint, &m, false);
        raise_sint(s, sint);
        return SYNIC_POST_DELIVERED;
    }
    if (f->len >= s->depth) {
        sc->messages_dropped++;
        return SYNIC_POST_EAGAIN;
    }
    f->ring[(f->head + f->len) % s->depth] = m;
    f->len++;
    set_pending(s, sint);
    sc->messages_posted++;
    sc->messages_queued++;
    return SYNIC_POST_QUEUED;
}

enum synic_post_result
synic_post_message(struct synic *s, unsigned sint, uint32_t type,
                   const void *payload, size_t len)
{
    return synic_post_message_from(s, sint, type, 0, payload, len);
}

int
synic_read_message(const struct synic *s, unsigned sint,
                   struct synic_message *out)
{
    const uint8_t *p;

    SIM_ASSERT(sint < SYNIC_SINT_COUNT);
    p = slot_c(s, sint);
    memset(out, 0, sizeof *out);
    out->pending = (p[SYNIC_MSG_OFF_FLAGS] & SYNIC_MSG_FLAG_PENDING) != 0;
    out->type = get_le32(p + SYNIC_MSG_OFF_TYPE);
    if (out->type == SYNIC_MSG_TYPE_NONE) {
        return ENOENT;
    }
    out->payload_size = p[SYNIC_MSG_OFF_SIZE];
    if (out->payload_size > SYNIC_MESSAGE_MAX_PAYLOAD) {
        out->payload_size = SYNIC_MESSAGE_MAX_PAYLOAD;
    }
    out->origin = get_le64(p + SYNIC_MSG_OFF_ORIGIN);
    memcpy(out->payload, p + SYNIC_MSG_OFF_PAYLOAD, out->payload_size);
    return 0;
}

void
synic_clear_message(struct synic *s, unsigned sint)
{
    SIM_ASSERT(sint < SYNIC_SINT_COUNT);
    put_le32(slot(s, sint) + SYNIC_MSG_OFF_TYPE, SYNIC_MSG_TYPE_NONE);
}

bool
synic_message_pending(const struct synic *s, unsigned sint)
{
    SIM_ASSERT(sint < SYNIC_SINT_COUNT);
    return (slot_c(s, sint)[SYNIC_MSG_OFF_FLAGS] & SYNIC_MSG_FLAG_PENDING)
           != 0;
}

unsigned
synic_queue_length(const struct synic *s, unsigned sint)
{
    SIM_ASSERT(sint < SYNIC_SINT_COUNT);
    return s->fifo[sint].len;
}

unsigned
synic_eom(struct synic *s)
{
    unsigned moved = 0;

    s->c.eoms++;
    for (unsigned i = 0; i < SYNIC_SINT_COUNT; i++) {
        if (rescan_sint(s, i)) {
            moved++;
        }
    }
    s->c.eom_deliveries += moved;
    return moved;
}

unsigned
synic_on_eoi(struct synic *s, uint8_t vector)
{
    unsigned moved = 0;

    s->c.eoi_rescans++;
    for (unsigned i = 0; i < SYNIC_SINT_COUNT; i++) {
        if (s->sint[i].vector == vector && rescan_sint(s, i)) {
            moved++;
        }
    }
    s->c.eoi_deliveries += moved;
    return moved;
}

const uint8_t *
synic_sief_page(const struct synic *s)
{
    return s->sief;
}

const uint8_t *
synic_sim_page(const struct synic *s)
{
    return s->sim;
}

/* --- EOI assist -------------------------------------------------------- */

bool
synic_eoi_assist_on_inject(struct synic *s, bool edge_triggered,
                           bool lower_priority_pending)
{
    s->no_eoi_required = s->vp_assist && edge_triggered
                         && !lower_priority_pending;
    if (s->no_eoi_required) {
        s->c.assist_set++;
    }
    return s->no_eoi_required;
}

void
synic_eoi_assist_lower_requested(struct synic *s)
{
    if (s->no_eoi_required) {
        s->no_eoi_required = false;
        s->c.assist_revoked++;
    }
}

bool
synic_guest_eoi(struct synic *s)
{
    bool was_set = s->no_eoi_required;

    s->no_eoi_required = false;
    if (was_set) {
        s->c.eois_absorbed++;
        return false;
    }
    s->c.eoi_exits++;
    return true;
}

bool
synic_eoi_assist_bit(const struct synic *s)
{
    return s->no_eoi_required;
}

/* --- Connections and hypercalls --------------------------------------- */

/* The index of the first connection whose id is >= 'id'. */
static uint32_t
conn_lower_bound(const struct synic *s, uint32_t id)
{
    uint32_t lo = 0, hi = s->n_conns;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->conns[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static const struct conn *
conn_find(const struct synic *s, uint32_t id)
{
    uint32_t i = conn_lower_bound(s, id);

    return i < s->n_conns && s->conns[i].id == id ? &s->conns[i] : NULL;
}

int
synic_connect_port(struct synic *s, uint32_t connection_id,
                   const struct synic_port *port)
{
    uint32_t i;

    if (connection_id & ~SYNIC_CONNECTION_ID_MASK
        || port->sint >= SYNIC_SINT_COUNT) {
        return EINVAL;
    }
    switch (port->type) {
    case SYNIC_PORT_MESSAGE:
        break;
    case SYNIC_PORT_EVENT:
        if (port->flag_count == 0
            || (uint32_t)port->base_flag + port->flag_count
               > SYNIC_FLAGS_PER_SINT) {
            return EINVAL;
        }
        break;
    default:
        return EINVAL;
    }
    i = conn_lower_bound(s, connection_id);
    if (i < s->n_conns && s->conns[i].id == connection_id) {
        return EEXIST;
    }
    if (s->n_conns >= s->max_conns) {
        return ENOSPC;
    }
    memmove(&s->conns[i + 1], &s->conns[i],
            (size_t)(s->n_conns - i) * sizeof s->conns[0]);
    s->conns[i].id = connection_id;
    s->conns[i].port = *port;
    s->n_conns++;
    return 0;
}

int
synic_disconnect_port(struct synic *s, uint32_t connection_id)
{
    uint32_t i = conn_lower_bound(s, connection_id);

    if (i >= s->n_conns || s->conns[i].id != connection_id) {
        return ENOENT;
    }
    memmove(&s->conns[i], &s->conns[i + 1],
            (size_t)(s->n_conns - i - 1) * sizeof s->conns[0]);
    s->n_conns--;
    return 0;
}

static enum synic_hv_status
hv_signal_event(struct synic *s, const struct synic_port *port,
                uint16_t flag_number)
{
    enum synic_event_result r;

    if (port->type != SYNIC_PORT_EVENT) {
        return SYNIC_HV_STATUS_INVALID_PORT_ID;
    }
    if (flag_number >= port->flag_count) {
        return SYNIC_HV_STATUS_INVALID_PARAMETER;
    }
    r = synic_signal_event(s, port->sint,
                           (unsigned)port->base_flag + flag_number);
    /* The port's range was checked against the SIEF when it was bound. */
    SIM_ASSERT(r != SYNIC_EVENT_INVALID);
    switch (r) {
    case SYNIC_EVENT_DISABLED:
    case SYNIC_EVENT_MASKED:
        return SYNIC_HV_STATUS_INVALID_SYNIC_STATE;
    case SYNIC_EVENT_COALESCED:
        /* Masked is a state of the SINT, not of the flag. */
        return s->sint[port->sint].masked
               ? SYNIC_HV_STATUS_INVALID_SYNIC_STATE
               : SYNIC_HV_STATUS_SUCCESS;
    case SYNIC_EVENT_RAISED:
    case SYNIC_EVENT_POLLED:
    case SYNIC_EVENT_INVALID:
        break;
    }
    return SYNIC_HV_STATUS_SUCCESS;
}

static enum synic_hv_status
hv_post_message(struct synic *s, const struct synic_port *port,
                const struct synic_hypercall_input *in)
{
    enum synic_post_result r;

    if (port->type != SYNIC_PORT_MESSAGE) {
        return SYNIC_HV_STATUS_INVALID_PORT_ID;
    }
    if (in->message_type == SYNIC_MSG_TYPE_NONE
        || (in->message_type & SYNIC_MSG_TYPE_HYPERVISOR)
        || in->payload_size > SYNIC_MESSAGE_MAX_PAYLOAD
        || (in->payload == NULL && in->payload_size > 0)) {
        return SYNIC_HV_STATUS_INVALID_PARAMETER;
    }
    r = synic_post_message_from(s, port->sint, in->message_type,
                                port->port_id, in->payload,
                                in->payload_size);
    SIM_ASSERT(r != SYNIC_POST_INVALID);        /* validated above */
    switch (r) {
    case SYNIC_POST_EAGAIN:
        return SYNIC_HV_STATUS_INSUFFICIENT_BUFFERS;
    case SYNIC_POST_DISABLED:
        return SYNIC_HV_STATUS_INVALID_SYNIC_STATE;
    case SYNIC_POST_DELIVERED:
    case SYNIC_POST_QUEUED:
    case SYNIC_POST_INVALID:
        break;
    }
    return SYNIC_HV_STATUS_SUCCESS;
}

enum synic_hv_status
synic_hypercall(struct synic *s, const struct synic_hypercall_input *in)
{
    enum synic_hv_status st;
    const struct conn *c = NULL;

    s->c.hypercalls++;
    if (in->code != SYNIC_HVCALL_POST_MESSAGE
        && in->code != SYNIC_HVCALL_SIGNAL_EVENT) {
        st = SYNIC_HV_STATUS_INVALID_HYPERCALL_CODE;
    } else if (!(c = conn_find(s, in->connection_id))) {
        st = SYNIC_HV_STATUS_INVALID_CONNECTION_ID;
    } else if (in->code == SYNIC_HVCALL_SIGNAL_EVENT) {
        st = hv_signal_event(s, &c->port, in->flag_number);
    } else {
        st = hv_post_message(s, &c->port, in);
    }
    if (st != SYNIC_HV_STATUS_SUCCESS) {
        s->c.hypercall_errors++;
    }
    return st;
}

/* --- Counters and names ------------------------------------------------ */

const struct synic_counters *
synic_counters(const struct synic *s)
{
    return &s->c;
}

const char *
synic_event_result_name(enum synic_event_result r)
{
    switch (r) {
    case SYNIC_EVENT_RAISED: return "raised";
    case SYNIC_EVENT_COALESCED: return "coalesced";
    case SYNIC_EVENT_MASKED: return "masked";
    case SYNIC_EVENT_POLLED: return "polled";
    case SYNIC_EVENT_DISABLED: return "disabled";
    case SYNIC_EVENT_INVALID: return "invalid";
    }
    return "?";
}

const char *
synic_post_result_name(enum synic_post_result r)
{
    switch (r) {
    case SYNIC_POST_DELIVERED: return "delivered";
    case SYNIC_POST_QUEUED: return "queued";
    case SYNIC_POST_EAGAIN: return "eagain";
    case SYNIC_POST_DISABLED: return "disabled";
    case SYNIC_POST_INVALID: return "invalid";
    }
    return "?";
}

/* --- Creation ---------------------------------------------------------- */

int
synic_create(const struct synic_config *config, const struct synic_ops *ops,
             void *ctx, struct synic **out)
{
    struct synic *s;

    if (!config || config->queue_depth > SYNIC_MAX_QUEUE_DEPTH
        || config->max_connections > SYNIC_MAX_CONNECTIONS) {
        return EINVAL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        return ENOMEM;
    }
    if (config->queue_depth > 0) {
        s->storage = calloc((size_t)SYNIC_SINT_COUNT * config->queue_depth,
                            sizeof *s->storage);
        if (!s->storage) {
            free(s);
            return ENOMEM;
        }
    }
    if (config->max_connections > 0) {
        s->conns = calloc(config->max_connections, sizeof *s->conns);
        if (!s->conns) {
            free(s->storage);
            free(s);
            return ENOMEM;
        }
    }
    if (ops) {
        s->ops = *ops;
    }
    s->ctx = ctx;
    s->depth = config->queue_depth;
    s->max_conns = config->max_connections;
    for (unsigned i = 0; i < SYNIC_SINT_COUNT; i++) {
        s->fifo[i].ring = s->storage
                          ? s->storage + (size_t)i * config->queue_depth
                          : NULL;
    }
    synic_reset(s);
    *out = s;
    return 0;
}

void
synic_destroy(struct synic *s)
{
    if (!s) {
        return;
    }
    free(s->conns);
    free(s->storage);
    free(s);
}
