/*
 * test-synic.c -- models/synic.h: event flags (raise on clear-to-set,
 * coalescing, masking, polling, scans), message slots and their FIFOs
 * (delivery, queuing, MessagePending, EOM and EOI re-scans, overflow,
 * order, the HV_MESSAGE bytes), the EOI assist bit (edge/level, lower
 * priority pending, nested EOIs), connections and the hypercall statuses,
 * and the counters.
 *
 * A fake local APIC stands in for struct apic: it records every vector
 * the SynIC raises, in order, and can run a hook inside the callback to
 * play a guest that takes the interrupt at once.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "models/synic.h"
#include "tests/cutest.h"

#define DEPTH 4

/* --- Fixture: a SynIC, all enabled, and a fake APIC ------------------- */

struct fake_apic {
    uint8_t raised[64];         /* vectors, in order */
    unsigned n;
    void (*hook)(uint8_t vector);   /* runs inside the callback */
};

static struct synic *syn;
static struct fake_apic lapic;

static void
fake_raise(void *ctx, uint8_t vector)
{
    struct fake_apic *a = ctx;

    if (a->n < 64) {
        a->raised[a->n] = vector;
    }
    a->n++;
    if (a->hook) {
        a->hook(vector);
    }
}

static void
setup_with(uint32_t depth, uint32_t conns)
{
    struct synic_config cfg = { .queue_depth = depth,
                                .max_connections = conns };
    struct synic_ops ops = { .raise = fake_raise };

    memset(&lapic, 0, sizeof lapic);
    syn = NULL;
    CU_ASSERT_FATAL(synic_create(&cfg, &ops, &lapic, &syn) == 0);
    CU_ASSERT_FATAL(syn != NULL);
    synic_set_enabled(syn, true);
    synic_set_siefp(syn, true);
    synic_set_simp(syn, true);
    synic_set_vp_assist(syn, true);
}

static void
setup(void)
{
    setup_with(DEPTH, 8);
}

static void
teardown(void)
{
    synic_destroy(syn);
    syn = NULL;
}

static const struct synic_sint_counters *
sc(unsigned sint)
{
    return &synic_counters(syn)->sint[sint];
}

/* Posts a one-byte message whose payload is 'tag'. */
static enum synic_post_result
post_tag(unsigned sint, uint8_t tag)
{
    return synic_post_message(syn, sint, 0x42, &tag, 1);
}

/* The tag of the message in the slot of 'sint', or -1 if it is empty. */
static int
slot_tag(unsigned sint)
{
    struct synic_message m;

    if (synic_read_message(syn, sint, &m) != 0) {
        return -1;
    }
    CU_ASSERT_EQUAL(m.payload_size, 1);
    return m.payload[0];
}

/* --- Event flags --------------------------------------------------------- */

static void
test_event_first_signal_sets_flag_and_raises_vector(void)
{
    setup();
    CU_ASSERT_EQUAL(synic_configure_sint(syn, 2, 0x51, false, false), 0);
    CU_ASSERT(!synic_flag_test(syn, 2, 5));
    CU_ASSERT_EQUAL(synic_signal_event(syn, 2, 5), SYNIC_EVENT_RAISED);
    CU_ASSERT(synic_flag_test(syn, 2, 5));
    CU_ASSERT_EQUAL(lapic.n, 1);
    CU_ASSERT_EQUAL(lapic.raised[0], 0x51);
    CU_ASSERT_EQUAL(synic_flags_pending(syn, 2), 1);
    CU_ASSERT_EQUAL(sc(2)->events_signalled, 1);
    CU_ASSERT_EQUAL(sc(2)->interrupts, 1);
    CU_ASSERT_EQUAL(synic_counters(syn)->interrupts, 1);
    teardown();
}

static void
test_event_repeat_signal_coalesces_until_scanned_then_raises_again(void)
{
    uint16_t got[4];

    setup();
    synic_configure_sint(syn, 2, 0x51, false, false);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 2, 5), SYNIC_EVENT_RAISED);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 2, 5), SYNIC_EVENT_COALESCED);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 2, 5), SYNIC_EVENT_COALESCED);
    CU_ASSERT_EQUAL(lapic.n, 1);
    CU_ASSERT_EQUAL(synic_scan_flags(syn, 2, got, 4), 1);
    CU_ASSERT_EQUAL(got[0], 5);
    CU_ASSERT(!synic_flag_test(syn, 2, 5));
    CU_ASSERT_EQUAL(synic_signal_event(syn, 2, 5), SYNIC_EVENT_RAISED);
    CU_ASSERT_EQUAL(lapic.n, 2);
    CU_ASSERT_EQUAL(lapic.raised[1], 0x51);
    CU_ASSERT_EQUAL(sc(2)->events_signalled, 4);
    CU_ASSERT_EQUAL(sc(2)->events_coalesced, 2);
    CU_ASSERT_EQUAL(sc(2)->interrupts, 2);
    teardown();
}

static void
test_event_distinct_flags_each_raise_once_until_scanned(void)
{
    uint16_t got[8];

    setup();
    synic_configure_sint(syn, 7, 0x60, false, false);
    /* Each flag was clear: each is an edge of the SINT. */
    CU_ASSERT_EQUAL(synic_signal_event(syn, 7, 700), SYNIC_EVENT_RAISED);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 7, 3), SYNIC_EVENT_RAISED);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 7, 2047), SYNIC_EVENT_RAISED);
    CU_ASSERT_EQUAL(lapic.n, 3);
    /* None raises again before the scan. */
    CU_ASSERT_EQUAL(synic_signal_event(syn, 7, 3), SYNIC_EVENT_COALESCED);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 7, 700), SYNIC_EVENT_COALESCED);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 7, 2047),
                    SYNIC_EVENT_COALESCED);
    CU_ASSERT_EQUAL(lapic.n, 3);
    CU_ASSERT_EQUAL(synic_scan_flags(syn, 7, got, 8), 3);
    CU_ASSERT_EQUAL(got[0], 3);
    CU_ASSERT_EQUAL(got[1], 700);
    CU_ASSERT_EQUAL(got[2], 2047);
    CU_ASSERT_EQUAL(synic_flags_pending(syn, 7), 0);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 7, 700), SYNIC_EVENT_RAISED);
    CU_ASSERT_EQUAL(lapic.n, 4);
    teardown();
}

static void
test_event_masked_sint_sets_flag_and_unmasking_does_not_raise(void)
{
    uint16_t got[2];

    setup();
    CU_ASSERT_EQUAL(synic_configure_sint(syn, 1, 0x70, true, false), 0);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 1, 9), SYNIC_EVENT_MASKED);
    CU_ASSERT(synic_flag_test(syn, 1, 9));
    CU_ASSERT_EQUAL(lapic.n, 0);
    CU_ASSERT_EQUAL(sc(1)->events_masked, 1);
    /* Unmasking replays no edge ... */
    CU_ASSERT_EQUAL(synic_configure_sint(syn, 1, 0x70, false, false), 0);
    CU_ASSERT_EQUAL(lapic.n, 0);
    /* ... and the set flag swallows further signals until scanned. */
    CU_ASSERT_EQUAL(synic_signal_event(syn, 1, 9), SYNIC_EVENT_COALESCED);
    CU_ASSERT_EQUAL(lapic.n, 0);
    CU_ASSERT_EQUAL(synic_scan_flags(syn, 1, got, 2), 1);
    CU_ASSERT_EQUAL(got[0], 9);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 1, 9), SYNIC_EVENT_RAISED);
    CU_ASSERT_EQUAL(lapic.n, 1);
    CU_ASSERT_EQUAL(lapic.raised[0], 0x70);
    CU_ASSERT_EQUAL(sc(1)->interrupts, 1);
    teardown();
}

static void
test_event_default_sint_is_masked_so_nothing_is_raised(void)
{
    struct synic_sint r;

    setup();
    CU_ASSERT_EQUAL(synic_get_sint(syn, 4, &r), 0);
    CU_ASSERT(r.masked);
    CU_ASSERT_EQUAL(r.vector, 0);
    CU_ASSERT(!r.auto_eoi);
    CU_ASSERT(!r.polling);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 4, 0), SYNIC_EVENT_MASKED);
    CU_ASSERT_EQUAL(lapic.n, 0);
    teardown();
}

static void
test_event_polling_sint_sets_flag_without_interrupt(void)
{
    setup();
    synic_configure_sint(syn, 3, 0x44, false, false);
    CU_ASSERT_EQUAL(synic_set_sint_polling(syn, 3, true), 0);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 3, 1), SYNIC_EVENT_POLLED);
    CU_ASSERT(synic_flag_test(syn, 3, 1));
    CU_ASSERT_EQUAL(synic_signal_event(syn, 3, 1), SYNIC_EVENT_COALESCED);
    CU_ASSERT_EQUAL(lapic.n, 0);
    CU_ASSERT_EQUAL(sc(3)->events_polled, 1);
    /* Polling off: the next clear flag raises. */
    synic_set_sint_polling(syn, 3, false);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 3, 2), SYNIC_EVENT_RAISED);
    CU_ASSERT_EQUAL(lapic.n, 1);
    teardown();
}

static void
test_event_disabled_synic_or_sief_page_changes_nothing(void)
{
    setup();
    synic_configure_sint(syn, 0, 0x30, false, false);
    synic_set_enabled(syn, false);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 0, 1), SYNIC_EVENT_DISABLED);
    synic_set_enabled(syn, true);
    synic_set_siefp(syn, false);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 0, 1), SYNIC_EVENT_DISABLED);
    CU_ASSERT(!synic_flag_test(syn, 0, 1));
    CU_ASSERT_EQUAL(lapic.n, 0);
    CU_ASSERT_EQUAL(synic_counters(syn)->refused_disabled, 2);
    CU_ASSERT_EQUAL(sc(0)->events_signalled, 0);
    synic_set_siefp(syn, true);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 0, 1), SYNIC_EVENT_RAISED);
    teardown();
}

static void
test_event_out_of_range_sint_or_flag_is_invalid(void)
{
    setup();
    CU_ASSERT_EQUAL(synic_signal_event(syn, 16, 0), SYNIC_EVENT_INVALID);
    CU_ASSERT_EQUAL(synic_signal_event(syn, 0, 2048), SYNIC_EVENT_INVALID);
    CU_ASSERT_EQUAL(synic_counters(syn)->invalid, 2);
    for (unsigned i = 0; i < SYNIC_PAGE_SIZE; i++) {
        CU_ASSERT_EQUAL_FATAL(synic_sief_page(syn)[i], 0);
    }
    teardown();
}

static void
test_scan_returns_ascending_and_leaves_flags_beyond_capacity(void)
{
    static const unsigned set[] = { 1000, 8, 0, 9, 15, 16 };
    uint16_t got[4];

    setup();
    synic_configure_sint(syn, 5, 0x90, false, false);
    for (unsigned i = 0; i < 6; i++) {
        synic_signal_event(syn, 5, set[i]);
    }
    CU_ASSERT_EQUAL(synic_scan_flags(syn, 5, got, 4), 4);
    CU_ASSERT_EQUAL(got[0], 0);
    CU_ASSERT_EQUAL(got[1], 8);
    CU_ASSERT_EQUAL(got[2], 9);
    CU_ASSERT_EQUAL(got[3], 15);
    CU_ASSERT_EQUAL(synic_flags_pending(syn, 5), 2);
    CU_ASSERT(synic_flag_test(syn, 5, 16));
    CU_ASSERT(synic_flag_test(syn, 5, 1000));
    CU_ASSERT_EQUAL(synic_scan_flags(syn, 5, got, 4), 2);
    CU_ASSERT_EQUAL(got[0], 16);
    CU_ASSERT_EQUAL(got[1], 1000);
    CU_ASSERT_EQUAL(synic_scan_flags(syn, 5, got, 4), 0);
    teardown();
}

static void
test_scan_sees_only_its_own_sint(void)
{
    uint16_t got[4];

    setup();
    synic_configure_sint(syn, 1, 0x31, false, false);
    synic_configure_sint(syn, 2, 0x32, false, false);
    synic_signal_event(syn, 1, 4);
    synic_signal_event(syn, 2, 6);
    CU_ASSERT_EQUAL(synic_scan_flags(syn, 1, got, 4), 1);
    CU_ASSERT_EQUAL(got[0], 4);
    CU_ASSERT(synic_flag_test(syn, 2, 6));
    CU_ASSERT_EQUAL(lapic.n, 2);
    CU_ASSERT_EQUAL(lapic.raised[0], 0x31);
    CU_ASSERT_EQUAL(lapic.raised[1], 0x32);
    teardown();
}

static void
test_sief_flag_n_is_bit_n_mod_8_of_byte_n_div_8(void)
{
    const uint8_t *p;

    setup();
    synic_configure_sint(syn, 3, 0x40, false, false);
    synic_signal_event(syn, 3, 10);
    synic_signal_event(syn, 3, 2047);
    p = synic_sief_page(syn);
    CU_ASSERT_EQUAL(p[3 * 256 + 1], 0x04);
    CU_ASSERT_EQUAL(p[3 * 256 + 255], 0x80);
    CU_ASSERT_EQUAL(p[3 * 256 + 0], 0);
    CU_ASSERT_EQUAL(p[2 * 256 + 1], 0);
    teardown();
}

static void
test_flag_test_and_clear_takes_one_flag(void)
{
    setup();
    synic_configure_sint(syn, 0, 0x30, false, false);
    synic_signal_event(syn, 0, 12);
    synic_signal_event(syn, 0, 13);
    CU_ASSERT(synic_flag_test_and_clear(syn, 0, 12));
    CU_ASSERT(!synic_flag_test_and_clear(syn, 0, 12));
    CU_ASSERT(synic_flag_test(syn, 0, 13));
    CU_ASSERT_EQUAL(synic_signal_event(syn, 0, 12), SYNIC_EVENT_RAISED);
    teardown();
}

/* --- Messages ---------------------------------------------------------- */

static void
test_message_into_empty_slot_is_delivered_and_raises(void)
{
    struct synic_message m;
    const uint8_t data[3] = { 0xAA, 0xBB, 0xCC };

    setup();
    synic_configure_sint(syn, 2, 0x52, false, false);
    CU_ASSERT_EQUAL(synic_post_message(syn, 2, 7, data, 3),
                    SYNIC_POST_DELIVERED);
    CU_ASSERT_EQUAL(lapic.n, 1);
    CU_ASSERT_EQUAL(lapic.raised[0], 0x52);
    CU_ASSERT_EQUAL(synic_read_message(syn, 2, &m), 0);
    CU_ASSERT_EQUAL(m.type, 7);
    CU_ASSERT_EQUAL(m.payload_size, 3);
    CU_ASSERT(!m.pending);
    CU_ASSERT_EQUAL(m.origin, 0);
    CU_ASSERT_EQUAL(memcmp(m.payload, data, 3), 0);
    CU_ASSERT_EQUAL(synic_queue_length(syn, 2), 0);
    CU_ASSERT_EQUAL(sc(2)->messages_posted, 1);
    CU_ASSERT_EQUAL(sc(2)->messages_delivered, 1);
    CU_ASSERT_EQUAL(sc(2)->messages_queued, 0);
    teardown();
}

static void
test_message_into_busy_slot_is_queued_with_pending_flag(void)
{
    setup();
    synic_configure_sint(syn, 2, 0x52, false, false);
    CU_ASSERT_EQUAL(post_tag(2, 1), SYNIC_POST_DELIVERED);
    CU_ASSERT(!synic_message_pending(syn, 2));
    CU_ASSERT_EQUAL(post_tag(2, 2), SYNIC_POST_QUEUED);
    CU_ASSERT_EQUAL(lapic.n, 1);                /* no second edge */
    CU_ASSERT_EQUAL(slot_tag(2), 1);            /* slot untouched */
    CU_ASSERT(synic_message_pending(syn, 2));
    CU_ASSERT_EQUAL(synic_queue_length(syn, 2), 1);
    CU_ASSERT_EQUAL(sc(2)->messages_queued, 1);
    CU_ASSERT_EQUAL(sc(2)->messages_posted, 2);
    CU_ASSERT_EQUAL(sc(2)->messages_delivered, 1);
    teardown();
}

static void
test_eom_after_clear_delivers_next_and_raises(void)
{
    setup();
    synic_configure_sint(syn, 2, 0x52, false, false);
    post_tag(2, 1);
    post_tag(2, 2);
    synic_clear_message(syn, 2);
    CU_ASSERT_EQUAL(slot_tag(2), -1);
    /* The guest tests MessagePending after emptying the slot. */
    CU_ASSERT(synic_message_pending(syn, 2));
    CU_ASSERT_EQUAL(synic_eom(syn), 1);
    CU_ASSERT_EQUAL(slot_tag(2), 2);
    CU_ASSERT(!synic_message_pending(syn, 2));  /* FIFO now empty */
    CU_ASSERT_EQUAL(synic_queue_length(syn, 2), 0);
    CU_ASSERT_EQUAL(lapic.n, 2);
    CU_ASSERT_EQUAL(lapic.raised[1], 0x52);
    CU_ASSERT_EQUAL(synic_counters(syn)->eoms, 1);
    CU_ASSERT_EQUAL(synic_counters(syn)->eom_deliveries, 1);
    CU_ASSERT_EQUAL(sc(2)->messages_delivered, 2);
    teardown();
}

static void
test_eom_with_busy_slot_or_empty_queues_delivers_nothing(void)
{
    setup();
    synic_configure_sint(syn, 2, 0x52, false, false);
    CU_ASSERT_EQUAL(synic_eom(syn), 0);         /* all queues empty */
    post_tag(2, 1);
    post_tag(2, 2);
    CU_ASSERT_EQUAL(synic_eom(syn), 0);         /* slot not emptied */
    CU_ASSERT_EQUAL(slot_tag(2), 1);
    CU_ASSERT_EQUAL(synic_queue_length(syn, 2), 1);
    CU_ASSERT_EQUAL(lapic.n, 1);
    CU_ASSERT_EQUAL(synic_counters(syn)->eoms, 2);
    CU_ASSERT_EQUAL(synic_counters(syn)->eom_deliveries, 0);
    teardown();
}

static void
test_queue_overflow_returns_eagain_and_changes_nothing(void)
{
    setup();
    synic_configure_sint(syn, 6, 0x66, false, false);
    CU_ASSERT_EQUAL(post_tag(6, 0), SYNIC_POST_DELIVERED);
    for (uint8_t i = 1; i <= DEPTH; i++) {
        CU_ASSERT_EQUAL(post_tag(6, i), SYNIC_POST_QUEUED);
    }
    CU_ASSERT_EQUAL(post_tag(6, 99), SYNIC_POST_EAGAIN);
    CU_ASSERT_EQUAL(post_tag(6, 98), SYNIC_POST_EAGAIN);
    CU_ASSERT_EQUAL(synic_queue_length(syn, 6), DEPTH);
    CU_ASSERT_EQUAL(slot_tag(6), 0);
    CU_ASSERT_EQUAL(sc(6)->messages_dropped, 2);
    CU_ASSERT_EQUAL(sc(6)->messages_posted, 1 + DEPTH);
    CU_ASSERT_EQUAL(sc(6)->messages_queued, DEPTH);
    /* After one is consumed, one place frees up. */
    synic_clear_message(syn, 6);
    CU_ASSERT_EQUAL(synic_eom(syn), 1);
    CU_ASSERT_EQUAL(post_tag(6, 5), SYNIC_POST_QUEUED);
    CU_ASSERT_EQUAL(post_tag(6, 6), SYNIC_POST_EAGAIN);
    teardown();
}

static void
test_messages_arrive_in_post_order_with_pending_until_last(void)
{
    setup();
    synic_configure_sint(syn, 9, 0x99, false, false);
    for (uint8_t i = 1; i <= 1 + DEPTH; i++) {
        post_tag(9, i);
    }
    for (uint8_t i = 1; i <= 1 + DEPTH; i++) {
        CU_ASSERT_EQUAL(slot_tag(9), i);
        synic_clear_message(syn, 9);
        CU_ASSERT_EQUAL(synic_message_pending(syn, 9), i < 1 + DEPTH);
        CU_ASSERT_EQUAL(synic_eom(syn), i < 1 + DEPTH ? 1u : 0u);
    }
    CU_ASSERT_EQUAL(slot_tag(9), -1);
    CU_ASSERT_EQUAL(lapic.n, 1 + DEPTH);
    teardown();
}

static void
test_eoi_rescans_only_the_sints_with_that_vector(void)
{
    setup();
    synic_configure_sint(syn, 1, 0x41, false, false);
    synic_configure_sint(syn, 2, 0x42, false, false);
    synic_configure_sint(syn, 3, 0x41, false, false);
    for (unsigned s = 1; s <= 3; s++) {
        post_tag(s, (uint8_t)(10 * s));
        post_tag(s, (uint8_t)(10 * s + 1));
        synic_clear_message(syn, s);
    }
    CU_ASSERT_EQUAL(lapic.n, 3);
    CU_ASSERT_EQUAL(synic_on_eoi(syn, 0x41), 2);
    CU_ASSERT_EQUAL(slot_tag(1), 11);
    CU_ASSERT_EQUAL(slot_tag(2), -1);           /* other vector: waits */
    CU_ASSERT_EQUAL(slot_tag(3), 31);
    CU_ASSERT_EQUAL(lapic.n, 5);
    CU_ASSERT_EQUAL(lapic.raised[3], 0x41);
    CU_ASSERT_EQUAL(lapic.raised[4], 0x41);
    CU_ASSERT_EQUAL(synic_on_eoi(syn, 0x42), 1);
    CU_ASSERT_EQUAL(slot_tag(2), 21);
    CU_ASSERT_EQUAL(synic_counters(syn)->eoi_rescans, 2);
    CU_ASSERT_EQUAL(synic_counters(syn)->eoi_deliveries, 3);
    teardown();
}

static void
test_new_post_after_clear_delivers_queued_head_first(void)
{
    setup();
    synic_configure_sint(syn, 4, 0x74, false, false);
    post_tag(4, 1);
    post_tag(4, 2);
    synic_clear_message(syn, 4);
    /* A new message is a re-scan event: 2 moves in, 3 waits behind. */
    CU_ASSERT_EQUAL(post_tag(4, 3), SYNIC_POST_QUEUED);
    CU_ASSERT_EQUAL(slot_tag(4), 2);
    CU_ASSERT_EQUAL(synic_queue_length(syn, 4), 1);
    CU_ASSERT(synic_message_pending(syn, 4));
    CU_ASSERT_EQUAL(lapic.n, 2);
    synic_clear_message(syn, 4);
    CU_ASSERT_EQUAL(synic_eom(syn), 1);
    CU_ASSERT_EQUAL(slot_tag(4), 3);
    teardown();
}

static void
test_masked_sint_message_is_delivered_without_interrupt(void)
{
    setup();
    synic_configure_sint(syn, 8, 0x88, true, false);
    CU_ASSERT_EQUAL(post_tag(8, 1), SYNIC_POST_DELIVERED);
    CU_ASSERT_EQUAL(post_tag(8, 2), SYNIC_POST_QUEUED);
    CU_ASSERT_EQUAL(lapic.n, 0);
    /* EOM drains the queue of a masked SINT, still silently. */
    synic_clear_message(syn, 8);
    CU_ASSERT_EQUAL(synic_eom(syn), 1);
    CU_ASSERT_EQUAL(slot_tag(8), 2);
    CU_ASSERT_EQUAL(lapic.n, 0);
    /* Unmasking does not replay the lost edge. */
    synic_configure_sint(syn, 8, 0x88, false, false);
    CU_ASSERT_EQUAL(lapic.n, 0);
    CU_ASSERT_EQUAL(sc(8)->messages_delivered, 2);
    CU_ASSERT_EQUAL(sc(8)->interrupts, 0);
    teardown();
}

static void
test_message_invalid_arguments_change_nothing(void)
{
    uint8_t big[SYNIC_MESSAGE_MAX_PAYLOAD + 1] = { 0 };

    setup();
    synic_configure_sint(syn, 0, 0x30, false, false);
    CU_ASSERT_EQUAL(synic_post_message(syn, 0, 0, big, 1),
                    SYNIC_POST_INVALID);
    CU_ASSERT_EQUAL(synic_post_message(syn, 0, 1, big, sizeof big),
                    SYNIC_POST_INVALID);
    CU_ASSERT_EQUAL(synic_post_message(syn, 16, 1, big, 1),
                    SYNIC_POST_INVALID);
    CU_ASSERT_EQUAL(synic_post_message(syn, 0, 1, NULL, 1),
                    SYNIC_POST_INVALID);
    CU_ASSERT_EQUAL(synic_counters(syn)->invalid, 4);
    CU_ASSERT_EQUAL(slot_tag(0), -1);
    CU_ASSERT_EQUAL(lapic.n, 0);
    /* The full 240 bytes and an empty payload are fine. */
    CU_ASSERT_EQUAL(synic_post_message(syn, 0, 1, big, 240),
                    SYNIC_POST_DELIVERED);
    CU_ASSERT_EQUAL(synic_post_message(syn, 0, 1, NULL, 0),
                    SYNIC_POST_QUEUED);
    teardown();
}

static void
test_hypervisor_may_post_intercept_message_types(void)
{
    struct synic_message m;
    uint8_t payload[40] = { 1, 2, 3 };

    setup();
    synic_configure_sint(syn, 0, 0x30, false, false);
    CU_ASSERT_EQUAL(synic_post_message_from(
                        syn, 0, SYNIC_MSG_TYPE_X64_IO_PORT_INTERCEPT,
                        UINT64_C(0x1122334455667788), payload, 40),
                    SYNIC_POST_DELIVERED);
    CU_ASSERT_EQUAL(synic_read_message(syn, 0, &m), 0);
    CU_ASSERT_EQUAL(m.type, 0x80010000u);
    CU_ASSERT_EQUAL(m.origin, UINT64_C(0x1122334455667788));
    CU_ASSERT_EQUAL(m.payload_size, 40);
    CU_ASSERT_EQUAL(m.payload[2], 3);
    teardown();
}

static void
test_disabled_simp_or_synic_refuses_posts_and_holds_queues(void)
{
    setup();
    synic_configure_sint(syn, 1, 0x31, false, false);
    synic_set_simp(syn, false);
    CU_ASSERT_EQUAL(post_tag(1, 1), SYNIC_POST_DISABLED);
    synic_set_simp(syn, true);
    synic_set_enabled(syn, false);
    CU_ASSERT_EQUAL(post_tag(1, 1), SYNIC_POST_DISABLED);
    CU_ASSERT_EQUAL(synic_counters(syn)->refused_disabled, 2);
    CU_ASSERT_EQUAL(slot_tag(1), -1);
    synic_set_enabled(syn, true);
    post_tag(1, 1);
    post_tag(1, 2);
    synic_clear_message(syn, 1);
    /* With the SIM page disabled the message stays queued. */
    synic_set_simp(syn, false);
    CU_ASSERT_EQUAL(synic_eom(syn), 0);
    CU_ASSERT_EQUAL(synic_queue_length(syn, 1), 1);
    synic_set_simp(syn, true);
    CU_ASSERT_EQUAL(slot_tag(1), -1);           /* enabling: no re-scan */
    CU_ASSERT_EQUAL(synic_eom(syn), 1);
    CU_ASSERT_EQUAL(slot_tag(1), 2);
    CU_ASSERT_EQUAL(lapic.n, 2);
    teardown();
}

static void
test_sim_slot_bytes_follow_hv_message_layout(void)
{
    const uint8_t *p;
    uint8_t payload[5] = { 9, 8, 7, 6, 5 };

    setup();
    synic_configure_sint(syn, 3, 0x43, false, false);
    synic_post_message_from(syn, 3, 0x01020304u,
                            UINT64_C(0x0A0B0C0D0E0F1011), payload, 5);
    post_tag(3, 1);                             /* sets MessagePending */
    p = synic_sim_page(syn) + 3 * 256;
    CU_ASSERT_EQUAL(p[0], 0x04);
    CU_ASSERT_EQUAL(p[1], 0x03);
    CU_ASSERT_EQUAL(p[2], 0x02);
    CU_ASSERT_EQUAL(p[3], 0x01);
    CU_ASSERT_EQUAL(p[4], 5);
    CU_ASSERT_EQUAL(p[5], SYNIC_MSG_FLAG_PENDING);
    CU_ASSERT_EQUAL(p[6], 0);
    CU_ASSERT_EQUAL(p[7], 0);
    CU_ASSERT_EQUAL(p[8], 0x11);
    CU_ASSERT_EQUAL(p[15], 0x0A);
    CU_ASSERT_EQUAL(memcmp(p + 16, payload, 5), 0);
    /* Clearing writes only the type. */
    synic_clear_message(syn, 3);
    CU_ASSERT_EQUAL(p[0] | p[1] | p[2] | p[3], 0);
    CU_ASSERT_EQUAL(p[4], 5);
    CU_ASSERT_EQUAL(p[5], SYNIC_MSG_FLAG_PENDING);
    /* Other slots untouched. */
    CU_ASSERT_EQUAL(synic_sim_page(syn)[2 * 256], 0);
    CU_ASSERT_EQUAL(synic_sim_page(syn)[4 * 256], 0);
    teardown();
}

static void
test_zero_depth_fifo_refuses_every_post_to_a_busy_slot(void)
{
    setup_with(0, 0);
    synic_configure_sint(syn, 0, 0x30, false, false);
    CU_ASSERT_EQUAL(post_tag(0, 1), SYNIC_POST_DELIVERED);
    CU_ASSERT_EQUAL(post_tag(0, 2), SYNIC_POST_EAGAIN);
    CU_ASSERT(!synic_message_pending(syn, 0));
    CU_ASSERT_EQUAL(synic_eom(syn), 0);
    synic_clear_message(syn, 0);
    CU_ASSERT_EQUAL(post_tag(0, 3), SYNIC_POST_DELIVERED);
    CU_ASSERT_EQUAL(slot_tag(0), 3);
    teardown();
}

/* A guest that consumes a message as soon as its interrupt arrives. */
static uint8_t consumed[16];
static unsigned n_consumed;

static void
guest_takes_message_at_once(uint8_t vector)
{
    (void)vector;
    int tag = slot_tag(0);
    CU_ASSERT_FATAL(tag >= 0);
    consumed[n_consumed++] = (uint8_t)tag;
    synic_clear_message(syn, 0);
    if (synic_message_pending(syn, 0)) {
        synic_eom(syn);                 /* re-enters and may raise again */
    }
}

static void
test_raise_callback_may_reenter_and_consume_at_once(void)
{
    setup();
    n_consumed = 0;
    synic_configure_sint(syn, 0, 0x30, false, false);
    post_tag(0, 1);
    post_tag(0, 2);             /* queued: the slot still holds 1 */
    post_tag(0, 3);
    CU_ASSERT_EQUAL(n_consumed, 0);
    lapic.hook = guest_takes_message_at_once;
    synic_clear_message(syn, 0);
    /* One EOM: 2 arrives, the guest takes it and EOMs for 3 inside. */
    CU_ASSERT_EQUAL(synic_eom(syn), 1);
    CU_ASSERT_EQUAL(n_consumed, 2);
    CU_ASSERT_EQUAL(consumed[0], 2);
    CU_ASSERT_EQUAL(consumed[1], 3);
    CU_ASSERT_EQUAL(post_tag(0, 4), SYNIC_POST_DELIVERED);
    CU_ASSERT_EQUAL(n_consumed, 3);
    CU_ASSERT_EQUAL(consumed[2], 4);
    CU_ASSERT_EQUAL(slot_tag(0), -1);
    CU_ASSERT_EQUAL(synic_queue_length(syn, 0), 0);
    CU_ASSERT_EQUAL(synic_counters(syn)->eoms, 2);
    teardown();
}

static void
test_reset_clears_pages_and_queues_masks_sints_keeps_connections(void)
{
    struct synic_port port = { .type = SYNIC_PORT_EVENT, .sint = 1,
                               .base_flag = 0, .flag_count = 1 };
    struct synic_sint r;

    setup();
    synic_configure_sint(syn, 1, 0x31, false, true);
    synic_set_sint_polling(syn, 1, true);
    CU_ASSERT_EQUAL(synic_connect_port(syn, 7, &port), 0);
    synic_signal_event(syn, 1, 0);
    post_tag(1, 1);
    post_tag(1, 2);
    synic_eoi_assist_on_inject(syn, true, false);
    synic_reset(syn);
    CU_ASSERT(!synic_enabled(syn));
    CU_ASSERT(!synic_simp_enabled(syn));
    CU_ASSERT(!synic_siefp_enabled(syn));
    CU_ASSERT(!synic_vp_assist_enabled(syn));
    CU_ASSERT(!synic_eoi_assist_bit(syn));
    synic_get_sint(syn, 1, &r);
    CU_ASSERT(r.masked && r.vector == 0 && !r.auto_eoi && !r.polling);
    CU_ASSERT_EQUAL(synic_queue_length(syn, 1), 0);
    for (unsigned i = 0; i < SYNIC_PAGE_SIZE; i++) {
        CU_ASSERT_EQUAL_FATAL(synic_sief_page(syn)[i]
                              | synic_sim_page(syn)[i], 0);
    }
    /* The connection survives; the masked SINT refuses the event. */
    synic_set_enabled(syn, true);
    synic_set_siefp(syn, true);
    CU_ASSERT_EQUAL(synic_hypercall(syn, &(struct synic_hypercall_input){
                        .code = SYNIC_HVCALL_SIGNAL_EVENT,
                        .connection_id = 7 }),
                    SYNIC_HV_STATUS_INVALID_SYNIC_STATE);
    teardown();
}

/* --- EOI assist -------------------------------------------------------- */

static void
test_assist_set_for_edge_with_nothing_lower_pending_absorbs_eoi(void)
{
    setup();
    CU_ASSERT(synic_eoi_assist_on_inject(syn, true, false));
    CU_ASSERT(synic_eoi_assist_bit(syn));
    CU_ASSERT_FALSE(synic_guest_eoi(syn));      /* absorbed: no exit */
    CU_ASSERT(!synic_eoi_assist_bit(syn));      /* the btr cleared it */
    CU_ASSERT_TRUE(synic_guest_eoi(syn));       /* a second EOI exits */
    CU_ASSERT_EQUAL(synic_counters(syn)->assist_set, 1);
    CU_ASSERT_EQUAL(synic_counters(syn)->eois_absorbed, 1);
    CU_ASSERT_EQUAL(synic_counters(syn)->eoi_exits, 1);
    teardown();
}

static void
test_assist_not_set_for_level_triggered_injection(void)
{
    setup();
    CU_ASSERT_FALSE(synic_eoi_assist_on_inject(syn, false, false));
    CU_ASSERT_TRUE(synic_guest_eoi(syn));
    CU_ASSERT_EQUAL(synic_counters(syn)->assist_set, 0);
    CU_ASSERT_EQUAL(synic_counters(syn)->eoi_exits, 1);
    teardown();
}

static void
test_assist_not_set_with_lower_priority_pending(void)
{
    setup();
    CU_ASSERT_FALSE(synic_eoi_assist_on_inject(syn, true, true));
    CU_ASSERT_TRUE(synic_guest_eoi(syn));
    CU_ASSERT_EQUAL(synic_counters(syn)->eois_absorbed, 0);
    teardown();
}

static void
test_assist_absorbs_only_first_of_two_nested_eois(void)
{
    setup();
    /* A is injected; B, of higher priority, nests inside A's handler. */
    CU_ASSERT(synic_eoi_assist_on_inject(syn, true, false));
    CU_ASSERT(synic_eoi_assist_on_inject(syn, true, false));
    CU_ASSERT_FALSE(synic_guest_eoi(syn));      /* B's EOI absorbed */
    CU_ASSERT_TRUE(synic_guest_eoi(syn));       /* A's EOI exits */
    CU_ASSERT_EQUAL(synic_counters(syn)->assist_set, 2);
    CU_ASSERT_EQUAL(synic_counters(syn)->eois_absorbed, 1);
    CU_ASSERT_EQUAL(synic_counters(syn)->eoi_exits, 1);
    teardown();
}

static void
test_assist_bit_follows_most_recent_injection_only(void)
{
    setup();
    CU_ASSERT(synic_eoi_assist_on_inject(syn, true, false));
    /* A level-triggered interrupt nests: its injection clears the bit. */
    CU_ASSERT_FALSE(synic_eoi_assist_on_inject(syn, false, false));
    CU_ASSERT_TRUE(synic_guest_eoi(syn));
    CU_ASSERT_TRUE(synic_guest_eoi(syn));
    CU_ASSERT_EQUAL(synic_counters(syn)->eoi_exits, 2);
    teardown();
}

static void
test_assist_revoked_when_lower_priority_requested_later(void)
{
    setup();
    CU_ASSERT(synic_eoi_assist_on_inject(syn, true, false));
    synic_eoi_assist_lower_requested(syn);
    CU_ASSERT(!synic_eoi_assist_bit(syn));
    synic_eoi_assist_lower_requested(syn);      /* already clear */
    CU_ASSERT_TRUE(synic_guest_eoi(syn));
    CU_ASSERT_EQUAL(synic_counters(syn)->assist_revoked, 1);
    teardown();
}

static void
test_assist_needs_the_vp_assist_page(void)
{
    setup();
    synic_set_vp_assist(syn, false);
    CU_ASSERT_FALSE(synic_eoi_assist_on_inject(syn, true, false));
    CU_ASSERT_TRUE(synic_guest_eoi(syn));
    synic_set_vp_assist(syn, true);
    CU_ASSERT(synic_eoi_assist_on_inject(syn, true, false));
    synic_set_vp_assist(syn, false);            /* disabling clears it */
    CU_ASSERT(!synic_eoi_assist_bit(syn));
    teardown();
}

static void
test_auto_eoi_is_reported_for_unmasked_sints_with_the_vector(void)
{
    setup();
    synic_configure_sint(syn, 0, 0x50, false, true);
    synic_configure_sint(syn, 1, 0x51, false, false);
    synic_configure_sint(syn, 2, 0x52, true, true);
    CU_ASSERT(synic_vector_auto_eoi(syn, 0x50));
    CU_ASSERT(!synic_vector_auto_eoi(syn, 0x51));
    CU_ASSERT(!synic_vector_auto_eoi(syn, 0x52));   /* masked */
    CU_ASSERT(!synic_vector_auto_eoi(syn, 0x53));
    teardown();
}

/* --- Registers, creation ------------------------------------------------ */

static void
test_configure_sint_validates_vector_and_index_and_keeps_polling(void)
{
    struct synic_sint r;

    setup();
    CU_ASSERT_EQUAL(synic_configure_sint(syn, 0, 0x30, false, true), 0);
    CU_ASSERT_EQUAL(synic_set_sint_polling(syn, 0, true), 0);
    CU_ASSERT_EQUAL(synic_configure_sint(syn, 0, 15, false, false), EINVAL);
    CU_ASSERT_EQUAL(synic_configure_sint(syn, 16, 0x40, false, false),
                    EINVAL);
    CU_ASSERT_EQUAL(synic_set_sint_polling(syn, 16, true), EINVAL);
    CU_ASSERT_EQUAL(synic_get_sint(syn, 16, &r), EINVAL);
    CU_ASSERT_EQUAL(synic_get_sint(syn, 0, &r), 0);
    CU_ASSERT_EQUAL(r.vector, 0x30);
    CU_ASSERT(!r.masked && r.auto_eoi && r.polling);
    CU_ASSERT_EQUAL(synic_configure_sint(syn, 0, 0xFF, true, false), 0);
    synic_get_sint(syn, 0, &r);
    CU_ASSERT(r.vector == 0xFF && r.masked && !r.auto_eoi && r.polling);
    CU_ASSERT_EQUAL(synic_configure_sint(syn, 15, 16, false, false), 0);
    teardown();
}

static void
test_create_validates_bounds_and_destroy_accepts_null(void)
{
    struct synic_config cfg = { .queue_depth = SYNIC_MAX_QUEUE_DEPTH + 1 };
    struct synic *s = (struct synic *)&cfg;     /* must stay untouched */

    CU_ASSERT_EQUAL(synic_create(&cfg, NULL, NULL, &s), EINVAL);
    CU_ASSERT_PTR_EQUAL(s, (struct synic *)&cfg);
    cfg.queue_depth = 1;
    cfg.max_connections = SYNIC_MAX_CONNECTIONS + 1;
    CU_ASSERT_EQUAL(synic_create(&cfg, NULL, NULL, &s), EINVAL);
    CU_ASSERT_EQUAL(synic_create(NULL, NULL, NULL, &s), EINVAL);
    /* No ops: interrupts are counted and go nowhere. */
    cfg.max_connections = 0;
    CU_ASSERT_EQUAL(synic_create(&cfg, NULL, NULL, &s), 0);
    synic_set_enabled(s, true);
    synic_set_siefp(s, true);
    synic_configure_sint(s, 0, 0x30, false, false);
    CU_ASSERT_EQUAL(synic_signal_event(s, 0, 0), SYNIC_EVENT_RAISED);
    CU_ASSERT_EQUAL(synic_counters(s)->interrupts, 1);
    synic_destroy(s);
    synic_destroy(NULL);
}

static void
test_result_names(void)
{
    CU_ASSERT_STRING_EQUAL(synic_event_result_name(SYNIC_EVENT_RAISED),
                           "raised");
    CU_ASSERT_STRING_EQUAL(synic_event_result_name(SYNIC_EVENT_COALESCED),
                           "coalesced");
    CU_ASSERT_STRING_EQUAL(synic_event_result_name(SYNIC_EVENT_MASKED),
                           "masked");
    CU_ASSERT_STRING_EQUAL(synic_post_result_name(SYNIC_POST_EAGAIN),
                           "eagain");
    CU_ASSERT_STRING_EQUAL(synic_post_result_name(SYNIC_POST_QUEUED),
                           "queued");
}

/* --- Connections and hypercalls ------------------------------------------ */

static enum synic_hv_status
hv_signal(uint32_t conn, uint16_t flag)
{
    struct synic_hypercall_input in = { .code = SYNIC_HVCALL_SIGNAL_EVENT,
                                        .connection_id = conn,
                                        .flag_number = flag };
    return synic_hypercall(syn, &in);
}

static enum synic_hv_status
hv_post(uint32_t conn, uint32_t type, const void *payload, uint32_t size)
{
    struct synic_hypercall_input in = { .code = SYNIC_HVCALL_POST_MESSAGE,
                                        .connection_id = conn,
                                        .message_type = type,
                                        .payload_size = size,
                                        .payload = payload };
    return synic_hypercall(syn, &in);
}

/* Connection 2: events on SINT 2, flags 64..67; connection 1: messages on
 * SINT 4, port id 0x77. */
static void
setup_ports(void)
{
    struct synic_port ev = { .type = SYNIC_PORT_EVENT, .sint = 2,
                             .base_flag = 64, .flag_count = 4 };
    struct synic_port msg = { .type = SYNIC_PORT_MESSAGE, .sint = 4,
                              .port_id = 0x77 };

    setup();
    synic_configure_sint(syn, 2, 0x52, false, false);
    synic_configure_sint(syn, 4, 0x54, false, false);
    CU_ASSERT_FATAL(synic_connect_port(syn, 2, &ev) == 0);
    CU_ASSERT_FATAL(synic_connect_port(syn, 1, &msg) == 0);
}

static void
test_status_and_call_code_values_match_the_tlfs(void)
{
    CU_ASSERT_EQUAL(SYNIC_HVCALL_POST_MESSAGE, 0x005c);
    CU_ASSERT_EQUAL(SYNIC_HVCALL_SIGNAL_EVENT, 0x005d);
    CU_ASSERT_EQUAL(SYNIC_HV_STATUS_SUCCESS, 0);
    CU_ASSERT_EQUAL(SYNIC_HV_STATUS_INVALID_HYPERCALL_CODE, 2);
    CU_ASSERT_EQUAL(SYNIC_HV_STATUS_INVALID_PARAMETER, 5);
    CU_ASSERT_EQUAL(SYNIC_HV_STATUS_INVALID_PORT_ID, 0x11);
    CU_ASSERT_EQUAL(SYNIC_HV_STATUS_INVALID_CONNECTION_ID, 0x12);
    CU_ASSERT_EQUAL(SYNIC_HV_STATUS_INSUFFICIENT_BUFFERS, 0x13);
    CU_ASSERT_EQUAL(SYNIC_HV_STATUS_INVALID_SYNIC_STATE, 0x18);
}

static void
test_hypercall_signal_event_sets_base_plus_relative_flag(void)
{
    setup_ports();
    CU_ASSERT_EQUAL(hv_signal(2, 3), SYNIC_HV_STATUS_SUCCESS);
    CU_ASSERT(synic_flag_test(syn, 2, 67));
    CU_ASSERT_EQUAL(synic_flags_pending(syn, 2), 1);
    CU_ASSERT_EQUAL(lapic.n, 1);
    CU_ASSERT_EQUAL(lapic.raised[0], 0x52);
    /* Coalesced: still success, no second interrupt. */
    CU_ASSERT_EQUAL(hv_signal(2, 3), SYNIC_HV_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(lapic.n, 1);
    CU_ASSERT_EQUAL(hv_signal(2, 0), SYNIC_HV_STATUS_SUCCESS);
    CU_ASSERT(synic_flag_test(syn, 2, 64));
    CU_ASSERT_EQUAL(synic_counters(syn)->hypercalls, 3);
    CU_ASSERT_EQUAL(synic_counters(syn)->hypercall_errors, 0);
    teardown();
}

static void
test_hypercall_unknown_connection_is_invalid_connection_id(void)
{
    uint8_t b = 1;

    setup_ports();
    CU_ASSERT_EQUAL(hv_signal(3, 0), SYNIC_HV_STATUS_INVALID_CONNECTION_ID);
    CU_ASSERT_EQUAL(hv_post(3, 1, &b, 1),
                    SYNIC_HV_STATUS_INVALID_CONNECTION_ID);
    /* Reserved bits above the 24-bit id name no connection either. */
    CU_ASSERT_EQUAL(hv_signal(0x01000002, 0),
                    SYNIC_HV_STATUS_INVALID_CONNECTION_ID);
    CU_ASSERT_EQUAL(synic_disconnect_port(syn, 2), 0);
    CU_ASSERT_EQUAL(hv_signal(2, 0), SYNIC_HV_STATUS_INVALID_CONNECTION_ID);
    CU_ASSERT_EQUAL(synic_flags_pending(syn, 2), 0);
    CU_ASSERT_EQUAL(lapic.n, 0);
    CU_ASSERT_EQUAL(synic_counters(syn)->hypercall_errors, 4);
    teardown();
}

static void
test_hypercall_flag_beyond_port_count_is_invalid_parameter(void)
{
    setup_ports();
    CU_ASSERT_EQUAL(hv_signal(2, 4), SYNIC_HV_STATUS_INVALID_PARAMETER);
    CU_ASSERT_EQUAL(hv_signal(2, 0xFFFF), SYNIC_HV_STATUS_INVALID_PARAMETER);
    CU_ASSERT(!synic_flag_test(syn, 2, 68));
    CU_ASSERT_EQUAL(synic_flags_pending(syn, 2), 0);
    CU_ASSERT_EQUAL(lapic.n, 0);
    teardown();
}

static void
test_hypercall_bad_message_type_or_size_is_invalid_parameter(void)
{
    uint8_t buf[241] = { 0 };

    setup_ports();
    CU_ASSERT_EQUAL(hv_post(1, 0, buf, 1), SYNIC_HV_STATUS_INVALID_PARAMETER);
    CU_ASSERT_EQUAL(hv_post(1, 0x80000001u, buf, 1),
                    SYNIC_HV_STATUS_INVALID_PARAMETER);
    CU_ASSERT_EQUAL(hv_post(1, 1, buf, 241),
                    SYNIC_HV_STATUS_INVALID_PARAMETER);
    CU_ASSERT_EQUAL(slot_tag(4), -1);
    CU_ASSERT_EQUAL(lapic.n, 0);
    CU_ASSERT_EQUAL(hv_post(1, 0x7FFFFFFFu, buf, 240),
                    SYNIC_HV_STATUS_SUCCESS);
    teardown();
}

static void
test_hypercall_wrong_port_type_is_invalid_port_id(void)
{
    uint8_t b = 1;

    setup_ports();
    CU_ASSERT_EQUAL(hv_signal(1, 0), SYNIC_HV_STATUS_INVALID_PORT_ID);
    CU_ASSERT_EQUAL(hv_post(2, 1, &b, 1), SYNIC_HV_STATUS_INVALID_PORT_ID);
    CU_ASSERT_EQUAL(lapic.n, 0);
    teardown();
}

static void
test_hypercall_unknown_call_code_is_invalid_hypercall_code(void)
{
    struct synic_hypercall_input in = { .code = 0x005e,
                                        .connection_id = 2 };

    setup_ports();
    CU_ASSERT_EQUAL(synic_hypercall(syn, &in),
                    SYNIC_HV_STATUS_INVALID_HYPERCALL_CODE);
    teardown();
}

static void
test_hypercall_post_full_queue_is_insufficient_buffers(void)
{
    uint8_t b = 0;

    setup_ports();
    CU_ASSERT_EQUAL(hv_post(1, 1, &b, 1), SYNIC_HV_STATUS_SUCCESS);
    for (unsigned i = 0; i < DEPTH; i++) {
        CU_ASSERT_EQUAL(hv_post(1, 1, &b, 1), SYNIC_HV_STATUS_SUCCESS);
    }
    CU_ASSERT_EQUAL(hv_post(1, 1, &b, 1),
                    SYNIC_HV_STATUS_INSUFFICIENT_BUFFERS);
    CU_ASSERT_EQUAL(sc(4)->messages_dropped, 1);
    /* The sender retries after the guest has made room. */
    synic_clear_message(syn, 4);
    synic_eom(syn);
    CU_ASSERT_EQUAL(hv_post(1, 1, &b, 1), SYNIC_HV_STATUS_SUCCESS);
    teardown();
}

static void
test_hypercall_masked_sint_or_disabled_pages_is_invalid_synic_state(void)
{
    uint8_t b = 0;

    setup_ports();
    synic_configure_sint(syn, 2, 0x52, true, false);
    CU_ASSERT_EQUAL(hv_signal(2, 1), SYNIC_HV_STATUS_INVALID_SYNIC_STATE);
    CU_ASSERT(synic_flag_test(syn, 2, 65));     /* the flag is set */
    CU_ASSERT_EQUAL(hv_signal(2, 1), SYNIC_HV_STATUS_INVALID_SYNIC_STATE);
    CU_ASSERT_EQUAL(lapic.n, 0);
    synic_configure_sint(syn, 2, 0x52, false, false);
    synic_set_siefp(syn, false);
    CU_ASSERT_EQUAL(hv_signal(2, 2), SYNIC_HV_STATUS_INVALID_SYNIC_STATE);
    CU_ASSERT(!synic_flag_test(syn, 2, 66));
    synic_set_simp(syn, false);
    CU_ASSERT_EQUAL(hv_post(1, 1, &b, 1),
                    SYNIC_HV_STATUS_INVALID_SYNIC_STATE);
    synic_set_simp(syn, true);
    synic_set_enabled(syn, false);
    CU_ASSERT_EQUAL(hv_post(1, 1, &b, 1),
                    SYNIC_HV_STATUS_INVALID_SYNIC_STATE);
    CU_ASSERT_EQUAL(synic_counters(syn)->hypercall_errors, 5);
    teardown();
}

static void
test_hypercall_post_message_carries_port_id_as_origin(void)
{
    struct synic_message m;
    const char text[] = "hello";

    setup_ports();
    CU_ASSERT_EQUAL(hv_post(1, 0x10, text, sizeof text),
                    SYNIC_HV_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(synic_read_message(syn, 4, &m), 0);
    CU_ASSERT_EQUAL(m.type, 0x10);
    CU_ASSERT_EQUAL(m.origin, 0x77);
    CU_ASSERT_EQUAL(m.payload_size, sizeof text);
    CU_ASSERT_STRING_EQUAL((const char *)m.payload, "hello");
    CU_ASSERT_EQUAL(lapic.n, 1);
    CU_ASSERT_EQUAL(lapic.raised[0], 0x54);
    teardown();
}

static void
test_connect_port_validates_and_keeps_ids_unique(void)
{
    struct synic_port ev = { .type = SYNIC_PORT_EVENT, .sint = 0,
                             .base_flag = 2040, .flag_count = 8 };
    struct synic_port p;

    setup_with(DEPTH, 3);
    CU_ASSERT_EQUAL(synic_connect_port(syn, 10, &ev), 0);   /* 2040..2047 */
    p = ev;
    p.flag_count = 9;
    CU_ASSERT_EQUAL(synic_connect_port(syn, 11, &p), EINVAL);
    p = ev;
    p.flag_count = 0;
    CU_ASSERT_EQUAL(synic_connect_port(syn, 11, &p), EINVAL);
    p = ev;
    p.sint = 16;
    CU_ASSERT_EQUAL(synic_connect_port(syn, 11, &p), EINVAL);
    p = ev;
    p.type = (enum synic_port_type)7;
    CU_ASSERT_EQUAL(synic_connect_port(syn, 11, &p), EINVAL);
    CU_ASSERT_EQUAL(synic_connect_port(syn, 0x01000000, &ev), EINVAL);
    CU_ASSERT_EQUAL(synic_connect_port(syn, 10, &ev), EEXIST);
    CU_ASSERT_EQUAL(synic_connect_port(syn, 5, &ev), 0);
    CU_ASSERT_EQUAL(synic_connect_port(syn, 0x00FFFFFF, &ev), 0);
    CU_ASSERT_EQUAL(synic_connect_port(syn, 6, &ev), ENOSPC);
    CU_ASSERT_EQUAL(synic_disconnect_port(syn, 6), ENOENT);
    CU_ASSERT_EQUAL(synic_disconnect_port(syn, 5), 0);
    CU_ASSERT_EQUAL(synic_connect_port(syn, 6, &ev), 0);
    /* Every bound id resolves, the unbound one does not. */
    synic_configure_sint(syn, 0, 0x30, false, false);
    CU_ASSERT_EQUAL(hv_signal(10, 7), SYNIC_HV_STATUS_SUCCESS);
    CU_ASSERT(synic_flag_test(syn, 0, 2047));
    CU_ASSERT_EQUAL(hv_signal(6, 0), SYNIC_HV_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(hv_signal(0x00FFFFFF, 1), SYNIC_HV_STATUS_SUCCESS);
    CU_ASSERT_EQUAL(hv_signal(5, 0), SYNIC_HV_STATUS_INVALID_CONNECTION_ID);
    teardown();
}

static void
test_counters_add_up_over_a_mixed_run(void)
{
    const struct synic_counters *c;
    uint16_t got[4];

    setup_ports();
    hv_signal(2, 0);                    /* raised */
    hv_signal(2, 0);                    /* coalesced */
    hv_signal(2, 1);                    /* raised */
    hv_signal(9, 0);                    /* bad connection */
    synic_scan_flags(syn, 2, got, 4);
    hv_signal(2, 0);                    /* raised */
    for (uint8_t i = 0; i < 7; i++) {   /* 1 delivered, 4 queued, 2 drop */
        hv_post(1, 1, &i, 1);
    }
    synic_clear_message(syn, 4);
    synic_eom(syn);                     /* delivers, raises */
    synic_clear_message(syn, 4);
    synic_on_eoi(syn, 0x54);            /* delivers, raises */
    synic_eoi_assist_on_inject(syn, true, false);
    synic_guest_eoi(syn);
    synic_guest_eoi(syn);

    c = synic_counters(syn);
    CU_ASSERT_EQUAL(c->sint[2].events_signalled, 4);
    CU_ASSERT_EQUAL(c->sint[2].events_coalesced, 1);
    CU_ASSERT_EQUAL(c->sint[2].events_masked, 0);
    CU_ASSERT_EQUAL(c->sint[2].interrupts, 3);
    CU_ASSERT_EQUAL(c->sint[4].messages_posted, 5);
    CU_ASSERT_EQUAL(c->sint[4].messages_queued, 4);
    CU_ASSERT_EQUAL(c->sint[4].messages_dropped, 2);
    CU_ASSERT_EQUAL(c->sint[4].messages_delivered, 3);
    CU_ASSERT_EQUAL(c->sint[4].interrupts, 3);
    CU_ASSERT_EQUAL(c->interrupts, 6);
    CU_ASSERT_EQUAL(lapic.n, 6);
    CU_ASSERT_EQUAL(c->eoms, 1);
    CU_ASSERT_EQUAL(c->eom_deliveries, 1);
    CU_ASSERT_EQUAL(c->eoi_rescans, 1);
    CU_ASSERT_EQUAL(c->eoi_deliveries, 1);
    CU_ASSERT_EQUAL(c->hypercalls, 5 + 7);
    CU_ASSERT_EQUAL(c->hypercall_errors, 1 + 2);
    CU_ASSERT_EQUAL(c->assist_set, 1);
    CU_ASSERT_EQUAL(c->eois_absorbed, 1);
    CU_ASSERT_EQUAL(c->eoi_exits, 1);
    CU_ASSERT_EQUAL(c->invalid, 0);
    CU_ASSERT_EQUAL(c->refused_disabled, 0);
    teardown();
}

/* --- Suites ------------------------------------------------------------ */

static const struct cutest_case event_cases[] = {
    CUTEST(test_event_first_signal_sets_flag_and_raises_vector),
    CUTEST(test_event_repeat_signal_coalesces_until_scanned_then_raises_again),
    CUTEST(test_event_distinct_flags_each_raise_once_until_scanned),
    CUTEST(test_event_masked_sint_sets_flag_and_unmasking_does_not_raise),
    CUTEST(test_event_default_sint_is_masked_so_nothing_is_raised),
    CUTEST(test_event_polling_sint_sets_flag_without_interrupt),
    CUTEST(test_event_disabled_synic_or_sief_page_changes_nothing),
    CUTEST(test_event_out_of_range_sint_or_flag_is_invalid),
    CUTEST(test_scan_returns_ascending_and_leaves_flags_beyond_capacity),
    CUTEST(test_scan_sees_only_its_own_sint),
    CUTEST(test_sief_flag_n_is_bit_n_mod_8_of_byte_n_div_8),
    CUTEST(test_flag_test_and_clear_takes_one_flag),
    CUTEST_END
};

static const struct cutest_case message_cases[] = {
    CUTEST(test_message_into_empty_slot_is_delivered_and_raises),
    CUTEST(test_message_into_busy_slot_is_queued_with_pending_flag),
    CUTEST(test_eom_after_clear_delivers_next_and_raises),
    CUTEST(test_eom_with_busy_slot_or_empty_queues_delivers_nothing),
    CUTEST(test_queue_overflow_returns_eagain_and_changes_nothing),
    CUTEST(test_messages_arrive_in_post_order_with_pending_until_last),
    CUTEST(test_eoi_rescans_only_the_sints_with_that_vector),
    CUTEST(test_new_post_after_clear_delivers_queued_head_first),
    CUTEST(test_masked_sint_message_is_delivered_without_interrupt),
    CUTEST(test_message_invalid_arguments_change_nothing),
    CUTEST(test_hypervisor_may_post_intercept_message_types),
    CUTEST(test_disabled_simp_or_synic_refuses_posts_and_holds_queues),
    CUTEST(test_sim_slot_bytes_follow_hv_message_layout),
    CUTEST(test_zero_depth_fifo_refuses_every_post_to_a_busy_slot),
    CUTEST(test_raise_callback_may_reenter_and_consume_at_once),
    CUTEST(test_reset_clears_pages_and_queues_masks_sints_keeps_connections),
    CUTEST_END
};

static const struct cutest_case assist_cases[] = {
    CUTEST(test_assist_set_for_edge_with_nothing_lower_pending_absorbs_eoi),
    CUTEST(test_assist_not_set_for_level_triggered_injection),
    CUTEST(test_assist_not_set_with_lower_priority_pending),
    CUTEST(test_assist_absorbs_only_first_of_two_nested_eois),
    CUTEST(test_assist_bit_follows_most_recent_injection_only),
    CUTEST(test_assist_revoked_when_lower_priority_requested_later),
    CUTEST(test_assist_needs_the_vp_assist_page),
    CUTEST(test_auto_eoi_is_reported_for_unmasked_sints_with_the_vector),
    CUTEST(test_configure_sint_validates_vector_and_index_and_keeps_polling),
    CUTEST(test_create_validates_bounds_and_destroy_accepts_null),
    CUTEST(test_result_names),
    CUTEST_END
};

static const struct cutest_case hypercall_cases[] = {
    CUTEST(test_status_and_call_code_values_match_the_tlfs),
    CUTEST(test_hypercall_signal_event_sets_base_plus_relative_flag),
    CUTEST(test_hypercall_unknown_connection_is_invalid_connection_id),
    CUTEST(test_hypercall_flag_beyond_port_count_is_invalid_parameter),
    CUTEST(test_hypercall_bad_message_type_or_size_is_invalid_parameter),
    CUTEST(test_hypercall_wrong_port_type_is_invalid_port_id),
    CUTEST(test_hypercall_unknown_call_code_is_invalid_hypercall_code),
    CUTEST(test_hypercall_post_full_queue_is_insufficient_buffers),
    CUTEST(test_hypercall_masked_sint_or_disabled_pages_is_invalid_synic_state),
    CUTEST(test_hypercall_post_message_carries_port_id_as_origin),
    CUTEST(test_connect_port_validates_and_keeps_ids_unique),
    CUTEST(test_counters_add_up_over_a_mixed_run),
    CUTEST_END
};

CUTEST_MAIN({ "synic-events", event_cases },
            { "synic-messages", message_cases },
            { "synic-eoi-assist-registers", assist_cases },
            { "synic-hypercalls", hypercall_cases })
