/*
 * hold.c -- the classic "hold" benchmark of the event engine, over the
 * public API of sim/sim.h only.
 *
 * MODEL.  N events are pending.  Each executed event schedules one new
 * event at now + an exponential increment (mean P picoseconds, drawn from
 * the rng stream "hold" of run seed 1, truncated down to a multiple of the
 * grain G), so the population stays at N.  Workload A (P = 100 ns, G = 1 ns)
 * produces many equal times; workload B (P = 1 ms, G = 1 ps) almost none.
 *
 * CHURN.  With --churn, the model also keeps T "retransmit timers"
 * (--timers T, default 64), each armed 10 P ahead.  Every hold event picks
 * one timer uniformly, cancels it and re-arms it (as a transport re-arms
 * its timer on every packet), so most timers are cancelled long before
 * they fire.  A firing timer does nothing; it is re-armed the next time it
 * is picked.  The timers count as pending events in bytes_per_pending.
 *
 * MEASUREMENT.  The model runs max(N, 10^6) events untimed to reach steady
 * state, then M events timed with clock_gettime(CLOCK_MONOTONIC).  The line
 * printed is
 *     hold pending=N events_per_s=X bytes_per_pending=Y workload=W ...
 * where Y = sim_queue_memory_bytes() / sim_pending() at the end.  Without
 * arguments it prints the standard table: workload A at 10^3 .. 10^6
 * pending, B at 10^5 and 10^6, and A+churn at 10^4 and 10^6 with 64
 * timers and at 10^5 with 10^5 timers.  It never fails on speed; bad
 * arguments give a one-line error and exit status 2.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/rng.h"
#include "sim/sim.h"

struct hold {
    struct rng rng;
    double mean_ps;
    sim_time_t grain_ps;
    uint64_t stop_at;           /* sim_events_executed() to stop at */
    uint64_t n_timers;          /* 0 without --churn */
    sim_event_id *timers;
};

static void
timer_fn(struct sim *sim, void *ctx)
{
    (void)sim;
    (void)ctx;
}

/* An increment: exponential, truncated down to a multiple of the grain. */
static sim_time_t
draw(struct hold *h)
{
    sim_time_t d = (sim_time_t)rng_exponential(&h->rng, h->mean_ps);

    return d - d % h->grain_ps;
}

static void
hold_fn(struct sim *sim, void *ctx)
{
    struct hold *h = ctx;

    if (sim_schedule_in(sim, draw(h), 1, 0, hold_fn, h, NULL)) {
        fprintf(stderr, "hold: scheduling failed\n");
        exit(1);
    }
    if (h->n_timers) {
        uint64_t t = rng_below(&h->rng, h->n_timers);

        sim_cancel(sim, h->timers[t]);
        if (sim_schedule_in(sim, (sim_time_t)(10 * h->mean_ps), 2, 1,
                            timer_fn, NULL, &h->timers[t])) {
            fprintf(stderr, "hold: scheduling failed\n");
            exit(1);
        }
    }
    if (sim_events_executed(sim) >= h->stop_at) {
        sim_stop(sim);
    }
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
run_one(uint64_t pending, uint64_t events, double mean_ps,
        sim_time_t grain_ps, uint64_t n_timers)
{
    struct sim *sim = sim_create();
    struct hold h = { .mean_ps = mean_ps, .grain_ps = grain_ps,
                      .n_timers = n_timers };
    uint64_t warm = pending > 1000000 ? pending : 1000000;
    const char *workload = "custom";
    double t0, t1, rate;

    /* calloc: every timer starts as SIM_EVENT_NONE (cancel is a no-op). */
    h.timers = calloc(n_timers ? n_timers : 1, sizeof *h.timers);
    if (!sim || !h.timers) {
        fprintf(stderr, "hold: out of memory\n");
        sim_destroy(sim);
        free(h.timers);
        return 1;
    }
    rng_init_stream(&h.rng, 1, "", "hold");
    for (uint64_t i = 0; i < pending; i++) {
        if (sim_schedule_in(sim, draw(&h), 1, 0, hold_fn, &h, NULL)) {
            fprintf(stderr, "hold: out of memory at %" PRIu64 " events\n",
                    i);
            sim_destroy(sim);
            free(h.timers);
            return 1;
        }
    }
    h.stop_at = warm;
    sim_run(sim, SIM_TIME_MAX);
    h.stop_at = sim_events_executed(sim) + events;
    t0 = now_s();
    sim_run(sim, SIM_TIME_MAX);
    t1 = now_s();
    rate = (double)events / (t1 - t0);

    if (mean_ps == 100000 && grain_ps == 1000) {
        workload = "A";
    } else if (mean_ps == 1e9 && grain_ps == 1) {
        workload = "B";
    }
    printf("hold pending=%" PRIu64 " events_per_s=%.0f "
           "bytes_per_pending=%.1f workload=%s%s", pending, rate,
           (double)sim_queue_memory_bytes(sim) / (double)sim_pending(sim),
           workload, n_timers ? "+churn" : "");
    if (n_timers) {
        printf(" timers=%" PRIu64, n_timers);
    }
    printf(" mean_ps=%.0f grain_ps=%" PRId64 " events=%" PRIu64
           " fingerprint=0x%016" PRIx64 "\n", mean_ps, grain_ps, events,
           sim_fingerprint(sim));
    fflush(stdout);
    sim_destroy(sim);
    free(h.timers);
    return 0;
}

static bool
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;
    double d;

    if (!s || !*s || *s == '-') {
        return false;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (*end) {
        /* Accept "1e6" style too. */
        d = strtod(s, &end);
        if (*end || d != d || d < 0 || d > 1.8e19) {
            return false;
        }
        v = (unsigned long long)d;
        if ((double)v != d) {
            return false;
        }
    } else if (errno) {
        return false;
    }
    if (v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static int
usage_error(const char *what)
{
    fprintf(stderr, "hold: %s (usage: hold [--pending N] [--events M] "
            "[--mean-ps P] [--grain-ps G] [--churn [--timers T]])\n", what);
    return 2;
}

int
main(int argc, char *argv[])
{
    uint64_t pending = 100000, events = 5000000, mean = 100000, grain = 1000;
    uint64_t timers = 64;
    bool churn = false, timers_given = false;

    if (argc == 1) {
        static const struct { uint64_t n, mean, grain, timers; }
        table[] = {
            { 1000, 100000, 1000, 0 },
            { 10000, 100000, 1000, 0 },
            { 100000, 100000, 1000, 0 },
            { 1000000, 100000, 1000, 0 },
            { 100000, 1000000000, 1, 0 },
            { 1000000, 1000000000, 1, 0 },
            { 10000, 100000, 1000, 64 },
            { 1000000, 100000, 1000, 64 },
            { 100000, 100000, 1000, 100000 },
        };
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
            if (run_one(table[i].n, 5000000, (double)table[i].mean,
                        (sim_time_t)table[i].grain, table[i].timers)) {
                return 1;
            }
        }
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(a, "--churn")) {
            churn = true;
            continue;
        } else if (!strcmp(a, "--pending")) {
            if (!parse_u64(v, 1, 100000000, &pending)) {
                return usage_error("--pending needs an integer in "
                                   "1..100000000");
            }
        } else if (!strcmp(a, "--events")) {
            if (!parse_u64(v, 1, UINT64_C(1) << 40, &events)) {
                return usage_error("--events needs a positive integer");
            }
        } else if (!strcmp(a, "--mean-ps")) {
            if (!parse_u64(v, 1, UINT64_C(1) << 50, &mean)) {
                return usage_error("--mean-ps needs a positive integer");
            }
        } else if (!strcmp(a, "--timers")) {
            if (!parse_u64(v, 1, 100000000, &timers)) {
                return usage_error("--timers needs an integer in "
                                   "1..100000000");
            }
            timers_given = true;
        } else if (!strcmp(a, "--grain-ps")) {
            if (!parse_u64(v, 1, UINT64_C(1) << 50, &grain)) {
                return usage_error("--grain-ps needs a positive integer");
            }
        } else {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown argument '%s'", a);
            return usage_error(msg);
        }
        i++;
    }
    if (timers_given && !churn) {
        return usage_error("--timers needs --churn");
    }
    return run_one(pending, events, (double)mean, (sim_time_t)grain,
                   churn ? timers : 0) ? 1 : 0;
}
