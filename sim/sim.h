/*
 * sim.h -- the vnetsim event engine: one simulation, its clock, its event
 * queue, its components and its fingerprint.
 *
 * HOW IT WORKS.  A simulation owns a clock (sim_now()) and a queue of
 * pending events.  An event is a handler function, a context pointer, the
 * simulated time at which it fires, the component it belongs to and a small
 * "kind" number chosen by that component.  sim_run() repeatedly removes the
 * earliest event, advances the clock to its time and calls its handler.
 * Handlers schedule further events; that is the whole simulation.
 *
 * ORDERING.  Events are totally ordered by (time, sequence number), where
 * the sequence number counts sim_schedule_*() calls on this simulation.
 * Events at equal times therefore run in the order they were scheduled
 * (first in, first out), whatever the queue's internal structure.  The clock
 * never goes backwards; scheduling before sim_now() is refused (EINVAL).
 * SIM_TIME_MAX means "never" (simtime.h saturates to it): an event at
 * SIM_TIME_MAX may be scheduled, is pending and can be cancelled, but
 * never runs.
 *
 * DETERMINISM.  The order above depends only on the sequence of calls the
 * simulation makes, never on addresses, wall-clock time or hash order.  The
 * fingerprint folds (time, component id, kind) of every executed event into
 * a 64-bit hash; two runs that executed the same events in the same order
 * have the same fingerprint.  Exactly (doc/engine.md):
 *
 *     fp = 0x243f6a8885a308d3;                        (no event yet)
 *     for each executed event, in order:
 *         fp = mix64(fp ^ (uint64_t)time);
 *         fp = mix64(fp ^ ((uint64_t)comp << 16 | kind));
 *     mix64(z): z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9;
 *               z = (z ^ z >> 27) * 0x94d049bb133111eb;
 *               return z ^ z >> 31;         (the SplitMix64 finalizer)
 *
 * CANCELLATION.  sim_schedule_*() hands back a sim_event_id.  Cancelling a
 * pending event removes it; cancelling an event that already ran, was
 * already cancelled, or is running right now is a harmless no-op that
 * returns false.  Ids are never reused within a simulation's lifetime (a
 * generation counter guards recycled records), so a stale id cannot cancel
 * somebody else's event.
 *
 * MEMORY.  Event records come from pools that grow in chunks and are reused;
 * in steady state, scheduling and running events performs no malloc.  A
 * pending event costs about 40-48 bytes (a 24-byte record and a 16-byte
 * queue key, plus slack).  Cancelling usually frees both at once; events
 * cancelled while in the queue's near-future heap linger as tombstones,
 * never more than a quarter of the queue.  Handlers run with the engine in
 * a consistent state: they may schedule, cancel (themselves included) and
 * stop freely, but not call sim_run() recursively.  At most 65535 distinct
 * handler functions may be used per simulation (ENOMEM beyond).
 *
 * COMPONENTS.  Every model object registers a component with a name under a
 * parent ("host0" then "cpu3" gives "host0.cpu3").  Component ids are
 * assigned in creation order starting at 1; id 0 is the root (the
 * simulation itself, path "").
 */
#ifndef VNETSIM_SIM_SIM_H
#define VNETSIM_SIM_SIM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/simtime.h"

struct sim;

/* A handle to a scheduled event, for sim_cancel().  0 is never a valid id
 * (SIM_EVENT_NONE), so a zero-initialised variable means "no event". */
typedef uint64_t sim_event_id;
#define SIM_EVENT_NONE ((sim_event_id)0)

typedef uint32_t sim_component_id;
#define SIM_COMPONENT_ROOT ((sim_component_id)0)

/* An event handler.  Runs with sim_now() equal to the event's time. */
typedef void sim_handler_fn(struct sim *sim, void *ctx);

/* Why sim_run() returned. */
enum sim_stop_reason {
    SIM_STOP_EMPTY,         /* no event left that can run */
    SIM_STOP_UNTIL,         /* next event is later than 'until' */
    SIM_STOP_REQUESTED,     /* a handler called sim_stop() */
};

/* Creates an empty simulation at time 0.  Returns NULL only if memory is
 * exhausted. */
struct sim *sim_create(void);

/* Frees 'sim' and every pending event (their handlers are not called).
 * Accepts NULL. */
void sim_destroy(struct sim *sim);

/* The current simulated time. */
sim_time_t sim_now(const struct sim *sim);

/* Schedules 'fn(sim, ctx)' at absolute time 'when', on behalf of component
 * 'comp' with the component-defined 'kind'.  Stores the new event's id in
 * '*id' if 'id' is non-null.  Returns 0, or EINVAL if 'when' is before
 * sim_now() or 'fn' is NULL, or ENOMEM (on failure nothing is scheduled and
 * '*id' is untouched). */
int sim_schedule_at(struct sim *sim, sim_time_t when, sim_component_id comp,
                    uint16_t kind, sim_handler_fn *fn, void *ctx,
                    sim_event_id *id);

/* Same, 'delay' picoseconds from now.  EINVAL if 'delay' < 0 or now +
 * 'delay' would pass SIM_TIME_MAX. */
int sim_schedule_in(struct sim *sim, sim_time_t delay, sim_component_id comp,
                    uint16_t kind, sim_handler_fn *fn, void *ctx,
                    sim_event_id *id);

/* Cancels event 'id'.  Returns true if it was pending and is now removed;
 * false (and no effect) for SIM_EVENT_NONE, an event that already ran or is
 * running, or one already cancelled. */
bool sim_cancel(struct sim *sim, sim_event_id id);

/* True if event 'id' is still pending. */
bool sim_is_pending(const struct sim *sim, sim_event_id id);

/* Runs events in order until the queue is empty, the next event is later
 * than 'until', or a handler calls sim_stop().  Events exactly at 'until'
 * do run, except at SIM_TIME_MAX: when only events at SIM_TIME_MAX are left
 * the queue counts as empty (they stay pending).  When it returns
 * SIM_STOP_EMPTY or SIM_STOP_UNTIL and 'until' is not SIM_TIME_MAX, the
 * clock is advanced to 'until' (sim_now() == until), even if no event
 * ran -- unless 'until' is already in the past, when the
 * clock stays where it is (it never goes backwards).  After
 * SIM_STOP_REQUESTED the clock is the time of the handler that stopped.
 * May be called again to continue; must not be called from a handler. */
enum sim_stop_reason sim_run(struct sim *sim, sim_time_t until);

/* Asks sim_run() to return after the current handler. */
void sim_stop(struct sim *sim);

/* Number of pending events, and of events executed so far. */
size_t sim_pending(const struct sim *sim);
uint64_t sim_events_executed(const struct sim *sim);

/* The fingerprint of every event executed so far (doc/engine.md). */
uint64_t sim_fingerprint(const struct sim *sim);

/* Bytes of engine memory currently allocated for event records and queue
 * structures (for the memory-per-pending-event figure of bench/hold). */
size_t sim_queue_memory_bytes(const struct sim *sim);

/* Registers a component named 'name' under 'parent'.  'name' must be
 * non-empty and contain no '.'; names need not be unique among siblings.
 * Returns the new id (> 0), or 0 with errno-style EINVAL/ENOMEM stored in
 * '*error' if 'error' is non-null. */
sim_component_id sim_component_add(struct sim *sim, sim_component_id parent,
                                   const char *name, int *error);

/* The full dotted path of 'comp' ("host0.cpu3"; "" for the root), owned by
 * the simulation.  NULL for an unknown id. */
const char *sim_component_path(const struct sim *sim, sim_component_id comp);

/* Number of components including the root. */
size_t sim_component_count(const struct sim *sim);

#endif /* VNETSIM_SIM_SIM_H */
