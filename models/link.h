/*
 * link.h -- a full-duplex point-to-point Ethernet link: two transmitters,
 * a rate, a propagation delay and an up/down state.
 *
 * HOW IT WORKS.  A link has two sides, 0 and 1.  Whatever is attached to a
 * side (a NIC model, a remote host) hands frames to that side's
 * transmitter with link_send(); each frame arrives at the other side's
 * receive function.  The two directions are independent (full duplex):
 * each has its own transmitter, its own frames in flight and its own
 * metrics.  A transmitter sends one frame at a time; the caller sends only
 * when link_tx_idle() is true and learns that the transmitter has become
 * idle again through its tx_ready function.  There is no queue in the
 * link: queueing belongs to whoever feeds it.
 *
 * TIME, EXACTLY.  A frame of 'len' bytes as held in struct vsw_pkt (the
 * frame without its FCS; 802.1Q tags in the bytes count) occupies the
 * wire for
 *
 *     frame bits = (8 + max(len, 60) + 4) * 8
 *                   preamble+SFD, frame padded to the 60-byte minimum, FCS
 *     slot bits  = frame bits + 12 * 8        (plus the inter-frame gap)
 *
 * and one bit lasts 10^12 / rate ps, a whole number at every rate the link
 * accepts (1, 10, 25, 40 and 100 Gbit/s: 1000, 100, 40, 25 and 10 ps), so
 * every duration is exact.  A frame whose transmission starts at t:
 *
 *     - keeps the transmitter busy until t + slot time; at that instant
 *       the transmitter is idle again and tx_ready is called;
 *     - is delivered (rx_fn) when its last bit, the last bit of the FCS,
 *       arrives: at t + frame time + delay.  The inter-frame gap is idle
 *       time on the wire, so it is not waited for.
 *
 * A 1514-byte frame at 10 Gbit/s: slot = (8+1514+4+12)*8 = 12304 bits =
 * 1,230,400 ps; it is delivered 1,220,800 ps + delay after it started.
 * Frames sent back to back start every slot time, so a direction
 * saturates at exactly the line rate.
 *
 * UP AND DOWN.  A link is created up.  A frame sent while the link is down
 * is dropped at once and counted; the transmitter stays idle (no time
 * passes, tx_ready is not called) and link_send() still returns 0, as a
 * MAC transmitting into a dead wire would.  Taking a link down drops every
 * frame sent but not yet delivered in either direction, including frames
 * still being serialized, and counts them as drops; a transmitter busy at
 * that moment stays busy until the end of its slot and then calls tx_ready
 * as usual.  Bringing the link up again changes nothing else.
 *
 * OWNERSHIP.  link_send() takes ownership of the frame in every case
 * except EBUSY and EINVAL, where the caller keeps it.  rx_fn receives
 * ownership.  Frames still in flight when the link is destroyed are freed.
 * Callbacks may call link_send(), link_set_up() and the predicates on the
 * same link; they must not destroy it.
 *
 * DETERMINISM.  Every event time is an integer computed from the frame
 * length, the rate and the delay; nothing is random.  Equal-time events
 * run in the order they were scheduled (sim.h), so a frame delivered at
 * the same instant as a tx_ready of the other direction is ordered by
 * which was sent first.
 *
 * METRICS.  The link registers a component NAME under its parent and one
 * component per direction, "NAME.side0" (frames sent by side 0, received
 * by side 1) and "NAME.side1", each with:
 *     frames       frames delivered                       (counter)
 *     bytes        bytes of those frames, as in vsw_pkt   (counter)
 *     drops        frames dropped because the link was down (counter)
 *     utilization  1 while the transmitter is busy, else 0 (timeavg)
 */
#ifndef VNETSIM_MODELS_LINK_H
#define VNETSIM_MODELS_LINK_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/metrics.h"
#include "sim/sim.h"

struct vsw_pkt;
struct link;

/* Bytes of preamble and start-of-frame delimiter, minimum frame (without
 * FCS), FCS, and inter-frame gap. */
#define LINK_PREAMBLE_BYTES 8
#define LINK_MIN_FRAME_BYTES 60
#define LINK_FCS_BYTES 4
#define LINK_IFG_BYTES 12

/* Receives frame 'pkt' (ownership passes) at the side 'ctx' was attached
 * to, when its last bit has arrived. */
typedef void link_rx_fn(void *ctx, struct vsw_pkt *pkt);

/* Says that the transmitter of the side 'ctx' was attached to is idle. */
typedef void link_tx_ready_fn(void *ctx);

struct link_config {
    const char *name;           /* component name, no '.' */
    uint64_t rate_bps;          /* 1, 10, 25, 40 or 100 Gbit/s exactly */
    sim_time_t delay_ps;        /* propagation delay, >= 0 */
};

/* True if 'rate_bps' is one of the rates a link accepts. */
bool link_rate_valid(uint64_t rate_bps);

/* Bytes a frame of 'len' bytes (without FCS) occupies on the wire up to
 * the end of its FCS (8 + max(len, 60) + 4), and with the inter-frame gap
 * (12 more). */
uint64_t link_frame_wire_bytes(size_t len);
uint64_t link_slot_wire_bytes(size_t len);

/* The same as durations at 'rate_bps' (a valid rate), in ps. */
sim_time_t link_frame_time_ps(size_t len, uint64_t rate_bps);
sim_time_t link_slot_time_ps(size_t len, uint64_t rate_bps);

/* Creates a link of 'sim' as configured by '*cfg', registering its
 * components under 'parent' and its metrics in 'reg', and stores it in
 * '*out'.  Nothing is attached yet and the link is up.  Returns 0, EINVAL
 * for a rate that is not exactly one of the five, a negative delay or a bad
 * name, or ENOMEM; on failure nothing is created. */
int link_create(struct sim *sim, struct metrics *reg, sim_component_id parent,
                const struct link_config *cfg, struct link **out);

/* Frees 'link' and any frame in flight (no callback is called).  Pending
 * events of the link must not run afterwards: destroy a link only when its
 * simulation will not run again.  Accepts NULL. */
void link_destroy(struct link *link);

/* Attaches 'rx' and 'tx_ready' (either may be NULL) with 'ctx' to side
 * 'side' (0 or 1), replacing what was attached.  Frames arriving at a side
 * with no rx function are freed and counted as delivered. */
void link_attach(struct link *link, unsigned side, link_rx_fn *rx,
                 link_tx_ready_fn *tx_ready, void *ctx);

/* True if side 'side' may send now. */
bool link_tx_idle(const struct link *link, unsigned side);

/* Starts transmitting 'pkt' from side 'side' now.  Returns 0 (ownership
 * passes; a down link drops the frame), EBUSY if the transmitter is busy,
 * EINVAL for a NULL or empty frame, or ENOMEM; on error the caller keeps
 * 'pkt' and nothing changed. */
int link_send(struct link *link, unsigned side, struct vsw_pkt *pkt);

/* Brings the link up or down (see UP AND DOWN above). */
void link_set_up(struct link *link, bool up);
bool link_is_up(const struct link *link);

uint64_t link_rate_bps(const struct link *link);
sim_time_t link_delay_ps(const struct link *link);
sim_component_id link_component(const struct link *link);

/* Frames sent by side 'side' and not yet delivered. */
size_t link_in_flight(const struct link *link, unsigned side);

#endif /* VNETSIM_MODELS_LINK_H */
