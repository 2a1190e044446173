/*
 * itr.h -- interrupt moderation for one NIC interrupt vector: when may the
 * NIC interrupt again?
 *
 * A NIC that interrupted at every received frame would spend a processor
 * on interrupt entry and exit alone at 10 Gbit/s (14.88 Mpps of minimum
 * frames, FACTS.md §5).  Moderation bounds the interrupt rate: after an
 * interrupt, the vector stays quiet for an interval, and whatever arrived
 * in between is signalled by one interrupt at its end.  Three modes:
 *
 *   off        every event interrupts at once (interval 0);
 *   fixed      at most R interrupts per second: interval = 10^12 / R ps;
 *   adaptive   the interval follows the traffic, as Intel's e1000e driver
 *              sets it in its dynamic modes (FACTS.md §5,
 *              InterruptThrottleRate 1 "dynamic" and 3 "dynamic
 *              conservative", the latter being the default).
 *
 * THE ADAPTIVE RULE (the thresholds of e1000e's e1000_update_itr and
 * e1000_set_itr in Linux drivers/net/ethernet/intel/e1000e/netdev.c).
 * At every interrupt, the packets p and bytes b since the previous one
 * move a latency class:
 *
 *   lowest (70000 int/s):  b/p > 8000 -> bulk;  p < 5 and b > 512 -> low
 *   low    (20000 int/s):  if b > 10000:  b/p > 8000 -> bulk;
 *                                         p < 10 or b/p > 1200 -> bulk;
 *                                         p > 35 -> lowest
 *                          else:  b/p > 2000 -> bulk;
 *                                 p <= 2 and b < 512 -> lowest
 *   bulk   (4000 int/s):   if b > 25000: p > 35 -> low
 *                          else: b < 6000 -> low
 *
 * Conservative mode never uses the lowest class (it becomes low).  When
 * the class asks for a higher rate than the current one, the rate rises
 * by at most a quarter of the target per interrupt (rate' = min(rate +
 * target/4, target)), biasing the vector towards bulk; a lower rate is
 * taken at once.  The interval is 10^12 / rate ps, rounded down.  The
 * starting rate is the low class's (20000 int/s), as the driver starts.
 *
 * Everything is integer arithmetic on counts; no floating point.
 */
#ifndef VNETSIM_MODELS_ITR_H
#define VNETSIM_MODELS_ITR_H 1

#include <stdbool.h>
#include <stdint.h>

#include "sim/simtime.h"

enum itr_mode {
    ITR_OFF,
    ITR_FIXED,
    ITR_ADAPTIVE,
};

enum itr_class {
    ITR_LOWEST_LATENCY,             /* 70000 int/s */
    ITR_LOW_LATENCY,                /* 20000 int/s */
    ITR_BULK_LATENCY,               /* 4000 int/s */
};

/* The rates of the classes, interrupts per second (e1000e). */
#define ITR_RATE_LOWEST 70000u
#define ITR_RATE_LOW 20000u
#define ITR_RATE_BULK 4000u

/* The range a fixed rate may take (e1000e InterruptThrottleRate explicit
 * values, FACTS.md §5). */
#define ITR_RATE_MIN 100u
#define ITR_RATE_MAX 100000u

struct itr {
    enum itr_mode mode;
    bool conservative;              /* adaptive: no lowest class */
    uint32_t rate;                  /* current interrupts/s (0 when off) */
    enum itr_class cls;
    uint64_t packets, bytes;        /* since the last interrupt */
    uint64_t changes;               /* rate changes made (adaptive) */
};

/* Initialises 'itr' for 'mode'; 'fixed_rate' (ITR_RATE_MIN..MAX) is used
 * by ITR_FIXED only, 'conservative' by ITR_ADAPTIVE only. */
void itr_init(struct itr *itr, enum itr_mode mode, uint32_t fixed_rate,
              bool conservative);

/* The quiet interval after an interrupt, ps: 0 when off. */
sim_time_t itr_interval(const struct itr *itr);

/* Counts work signalled by the next interrupt. */
void itr_account(struct itr *itr, uint64_t packets, uint64_t bytes);

/* An interrupt fires: adaptive mode moves the class and the rate from the
 * work counted since the previous one; the counters restart. */
void itr_fired(struct itr *itr);

/* The class the adaptive rule moves 'cls' to after 'packets' and 'bytes'
 * (exposed for tests and documentation). */
enum itr_class itr_next_class(enum itr_class cls, uint64_t packets,
                              uint64_t bytes);

const char *itr_mode_name(enum itr_mode mode);

#endif /* VNETSIM_MODELS_ITR_H */
