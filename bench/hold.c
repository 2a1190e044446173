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
 * CHURN.  With --churn, the model also keeps 64 "retransmit timers", each
 * armed 10 P ahead.  Every hold event picks one timer uniformly, cancels it
 * and re-arms it (as a transport re-arms its timer on every packet), so
 * most timers are cancelled long before they fire.  A firing timer does
 * nothing; it is re-armed the next time it is picked.
 *
 * MEASUREMENT.  The model runs max(N, 10^6) events untimed to reach steady
 * state, then M events timed with clock_gettime(CLOCK_MONOTONIC).  The line
 * printed is
 *     hold pending=N events_per_s=X bytes_per_pending=Y workload=W ...
 * where Y = sim_queue_memory_bytes() / sim_pending() at the end.  Without
 * arguments it prints the standard table.  It never fails on speed; bad
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

#define N_TIMERS 64

struct hold {
    struct rng rng;
    double mean_ps;
    sim_time_t grain_ps;
    uint64_t stop_at;           /* sim_events_executed() to stop at */
    bool churn;
    sim_event_id timers[N_TIMERS];
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
    if (h->churn) {
        unsigned t = (unsigned)rng_below(&h->rng, N_TIMERS);

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
        sim_time_t grain_ps, bool churn)
{
    struct sim *sim = sim_create();
    struct hold h = { .mean_ps = mean_ps, .grain_ps = grain_ps,
                      .churn = churn };
    uint64_t warm = pending > 1000000 ? pending : 1000000;
    const char *workload = "custom";
    double t0, t1, rate;

    if (!sim) {
        fprintf(stderr, "hold: out of memory\n");
        return 1;
    }
    rng_init_stream(&h.rng, 1, "", "hold");
    for (uint64_t i = 0; i < pending; i++) {
        if (sim_schedule_in(sim, draw(&h), 1, 0, hold_fn, &h, NULL)) {
            fprintf(stderr, "hold: out of memory at %" PRIu64 " events\n",
                    i);
            sim_destroy(sim);
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
           "bytes_per_pending=%.1f workload=%s%s mean_ps=%.0f grain_ps=%"
           PRId64 " events=%" PRIu64 " fingerprint=0x%016" PRIx64 "\n",
           pending, rate,
           (double)sim_queue_memory_bytes(sim) / (double)sim_pending(sim),
           workload, churn ? "+churn" : "", mean_ps, grain_ps, events,
           sim_fingerprint(sim));
    fflush(stdout);
    sim_destroy(sim);
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
            "[--mean-ps P] [--grain-ps G] [--churn])\n", what);
    return 2;
}

int
main(int argc, char *argv[])
{
    uint64_t pending = 100000, events = 5000000, mean = 100000, grain = 1000;
    bool churn = false;

    if (argc == 1) {
        static const struct { uint64_t n; uint64_t mean, grain; bool churn; }
        table[] = {
            { 1000, 100000, 1000, false },
            { 10000, 100000, 1000, false },
            { 100000, 100000, 1000, false },
            { 1000000, 100000, 1000, false },
            { 100000, 1000000000, 1, false },
            { 1000000, 1000000000, 1, false },
            { 10000, 100000, 1000, true },
            { 1000000, 100000, 1000, true },
        };
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
            if (run_one(table[i].n, 5000000, (double)table[i].mean,
                        (sim_time_t)table[i].grain, table[i].churn)) {
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
    return run_one(pending, events, (double)mean, (sim_time_t)grain, churn)
        ? 1 : 0;
}
