/*
 * demo.c -- "vnetsim demo": a small built-in workload that exercises the
 * whole engine (events, components, RNG streams, metrics, the results
 * database) and checks itself against queueing theory.
 *
 * THE MODEL.  An M/M/1 queue: jobs arrive as a Poisson process of rate
 * lambda (exponential inter-arrival times from stream "demo.source" /
 * "arrivals"), wait in a FIFO, and are served one at a time with
 * exponential service times of mean 1/mu (stream "demo.server" /
 * "service").  With rho = lambda/mu < 1, theory gives
 *     utilisation  = rho
 *     mean number in system  L = rho / (1 - rho)
 *     mean time in system    W = 1 / (mu - lambda)
 * (Kleinrock, Queueing Systems vol. 1, ch. 3).  The run records the
 * measured values beside these, so a reader sees the simulator agree with
 * the textbook, and the test suite checks that it does.
 *
 * Times are drawn in picoseconds as doubles and rounded to the nearest
 * whole picosecond, at least 1 ps.
 */
#include <config.h>
#include "sim/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/log.h"
#include "sim/metrics.h"
#include "sim/record.h"
#include "sim/results.h"
#include "sim/rng.h"
#include "sim/runrec.h"
#include "sim/sim.h"

struct demo_params {
    uint64_t seed;
    double rho;                 /* offered load, 0 < rho < 1 */
    int64_t service_ns;         /* mean service time */
    int64_t until_us;           /* simulated duration */
    int64_t warmup_us;          /* statistics reset at this time */
    int64_t sample_us;          /* series interval */
};

struct mm1 {
    struct sim *sim;
    sim_component_id source, server;
    struct rng arrivals, service;
    double mean_interarrival_ps, mean_service_ps;

    sim_time_t *fifo;           /* arrival times of jobs in the system */
    size_t head, n, cap;

    struct metric *arrived, *served, *busy, *in_system, *sojourn;
};

enum { EV_ARRIVAL = 1, EV_DEPARTURE = 2 };

static sim_time_t
draw_ps(struct rng *r, double mean_ps)
{
    double x = rng_exponential(r, mean_ps);
    sim_time_t t = (sim_time_t)llround(x);
    return t < 1 ? 1 : t;
}

static void on_departure(struct sim *sim, void *ctx);

static void
start_service(struct mm1 *q)
{
    metric_set(q->busy, 1.0);
    sim_schedule_in(q->sim, draw_ps(&q->service, q->mean_service_ps),
                    q->server, EV_DEPARTURE, on_departure, q, NULL);
}

static void
on_arrival(struct sim *sim, void *ctx)
{
    struct mm1 *q = ctx;

    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 1024;
        sim_time_t *fifo = calloc(cap, sizeof *fifo);
        if (!fifo) {
            sim_out_of_memory("demo queue");
        }
        for (size_t i = 0; i < q->n; i++) {
            fifo[i] = q->fifo[(q->head + i) % q->cap];
        }
        free(q->fifo);
        q->fifo = fifo;
        q->head = 0;
        q->cap = cap;
    }
    q->fifo[(q->head + q->n) % q->cap] = sim_now(sim);
    q->n++;
    metric_add(q->arrived, 1);
    metric_set(q->in_system, (double)q->n);
    if (q->n == 1) {
        start_service(q);
    }
    sim_schedule_in(sim, draw_ps(&q->arrivals, q->mean_interarrival_ps),
                    q->source, EV_ARRIVAL, on_arrival, q, NULL);
}

static void
on_departure(struct sim *sim, void *ctx)
{
    struct mm1 *q = ctx;
    sim_time_t arrived = q->fifo[q->head];

    q->head = (q->head + 1) % q->cap;
    q->n--;
    metric_add(q->served, 1);
    metric_record(q->sojourn, (uint64_t)(sim_now(sim) - arrived));
    metric_set(q->in_system, (double)q->n);
    if (q->n > 0) {
        start_service(q);
    } else {
        metric_set(q->busy, 0.0);
    }
}

/* The workload's description: its "scenario text" for scenarioSha256. */
static void
describe(const struct demo_params *p, char *buf, size_t size)
{
    snprintf(buf, size, "builtin:mm1 rho=%.17g service_ns=%" PRId64
             " until_us=%" PRId64 " warmup_us=%" PRId64 " sample_us=%" PRId64,
             p->rho, p->service_ns, p->until_us, p->warmup_us, p->sample_us);
}

static int
run_demo(const struct demo_params *p, const char *db_path, bool quiet)
{
    struct sim *sim = sim_create();
    struct metrics *reg;
    struct mm1 q = { 0 };
    struct runrec rr;
    char text[256], err[512];
    int error;

    if (!sim) {
        fprintf(stderr, "vnetsim demo: out of memory\n");
        return VNETSIM_EXIT_INTERNAL;
    }
    describe(p, text, sizeof text);
    const struct runrec_info info = {
        .config = "demo", .scenario = "builtin:mm1", .text = text,
        .text_len = strlen(text), .seed = p->seed,
    };
    error = runrec_begin(&rr, db_path, &info, err, sizeof err);
    if (error) {
        fprintf(stderr, "vnetsim demo: %s\n", err);
        sim_destroy(sim);
        return VNETSIM_EXIT_INTERNAL;
    }

    reg = metrics_create(sim);
    q.sim = sim;
    sim_component_id demo = sim_component_add(sim, SIM_COMPONENT_ROOT,
                                              "demo", NULL);
    q.source = sim_component_add(sim, demo, "source", NULL);
    q.server = sim_component_add(sim, demo, "server", NULL);
    rng_init_stream(&q.arrivals, p->seed, "demo.source", "arrivals");
    rng_init_stream(&q.service, p->seed, "demo.server", "service");
    q.mean_service_ps = (double)sim_ns(p->service_ns);
    q.mean_interarrival_ps = q.mean_service_ps / p->rho;
    q.arrived = metrics_counter(reg, q.source, "arrived", "jobs",
                                "jobs that arrived");
    q.served = metrics_counter(reg, q.server, "served", "jobs",
                               "jobs whose service completed");
    q.busy = metrics_timeavg(reg, q.server, "utilization", "1",
                             "fraction of time the server is busy", 0.0);
    q.in_system = metrics_timeavg(reg, q.server, "inSystem", "jobs",
                                  "jobs waiting or in service", 0.0);
    q.sojourn = metrics_histogram(reg, q.server, "sojourn", "ps",
                                  "time from arrival to departure");
    metrics_sample_every(reg, q.busy, sim_us(p->sample_us));
    metrics_sample_every(reg, q.in_system, sim_us(p->sample_us));
    if (p->warmup_us > 0) {
        metrics_reset_at(reg, sim_us(p->warmup_us));
    }
    sim_schedule_in(sim, draw_ps(&q.arrivals, q.mean_interarrival_ps),
                    q.source, EV_ARRIVAL, on_arrival, &q, NULL);

    sim_run(sim, sim_us(p->until_us));

    /* Theory, recorded beside the measurements. */
    double mu = 1.0 / q.mean_service_ps, lambda = p->rho * mu;
    double theory_l = p->rho / (1 - p->rho);
    double theory_w = 1.0 / (mu - lambda);
    struct metric *t_util = metrics_gauge(reg, demo, "theory.utilization",
                                          "1", "M/M/1 theory: rho");
    struct metric *t_l = metrics_gauge(reg, demo, "theory.inSystem", "jobs",
                                       "M/M/1 theory: rho/(1-rho)");
    struct metric *t_w = metrics_gauge(reg, demo, "theory.sojourn", "ps",
                                       "M/M/1 theory: 1/(mu-lambda)");
    metric_set(t_util, p->rho);
    metric_set(t_l, theory_l);
    metric_set(t_w, theory_w);

    char name[32], value[64];
    error = res_run_itervar(rr.run, "rho", (snprintf(value, sizeof value,
                                                     "%g", p->rho), value));
    for (int i = 0; !error && i < 4; i++) {
        static const char *const keys[] = {
            "service_ns", "until_us", "warmup_us", "sample_us"
        };
        const int64_t vals[] = {
            p->service_ns, p->until_us, p->warmup_us, p->sample_us
        };
        snprintf(name, sizeof name, "%s", keys[i]);
        snprintf(value, sizeof value, "%" PRId64, vals[i]);
        error = res_parameter(rr.run, "demo", name, value);
    }
    error = error ? error : record_metrics(reg, rr.run);
    if (error) {
        snprintf(err, sizeof err, "%s", res_errmsg(rr.db));
        runrec_end(&rr, sim, false, "writing metrics failed", text,
                   sizeof text);
        fprintf(stderr, "vnetsim demo: %s\n", err);
    } else {
        error = runrec_end(&rr, sim, true, NULL, err, sizeof err);
        if (error) {
            fprintf(stderr, "vnetsim demo: %s\n", err);
        }
    }

    if (!error && !quiet) {
        printf("M/M/1, rho=%.2f, mean service %" PRId64 " ns, %" PRId64
               " us simulated (%" PRId64 " us warm-up), seed %" PRIu64 "\n",
               p->rho, p->service_ns, p->until_us, p->warmup_us, p->seed);
        printf("  %-22s %14s %14s\n", "", "measured", "theory");
        printf("  %-22s %14.4f %14.4f\n", "utilization",
               metric_value(q.busy), p->rho);
        printf("  %-22s %14.4f %14.4f\n", "mean jobs in system",
               metric_value(q.in_system), theory_l);
        printf("  %-22s %14.1f %14.1f\n", "mean sojourn (ns)",
               metric_value(q.sojourn) / 1e3, theory_w / 1e3);
        printf("  events %" PRIu64 ", fingerprint %016" PRIx64
               ", results in %s\n", sim_events_executed(sim),
               sim_fingerprint(sim), db_path);
    }
    metrics_destroy(reg);
    free(q.fifo);
    sim_destroy(sim);
    return error ? VNETSIM_EXIT_INTERNAL : VNETSIM_EXIT_OK;
}

static int
show(const char *db_path)
{
    struct res_db *db;
    char err[512];
    int error = res_open(db_path, RES_OPEN_READONLY, &db, err, sizeof err);

    if (error) {
        fprintf(stderr, "vnetsim demo: %s\n", err);
        return VNETSIM_EXIT_INPUT;
    }
    error = res_print_runs(db, stdout);
    if (!error && res_last_run_id(db) > 0) {
        printf("\n");
        error = res_print_run(db, res_last_run_id(db), stdout);
    }
    if (error) {
        fprintf(stderr, "vnetsim demo: %s\n", res_errmsg(db));
    }
    res_close(db);
    return error ? VNETSIM_EXIT_INTERNAL : VNETSIM_EXIT_OK;
}

static void
usage(FILE *out)
{
    fprintf(out,
        "usage: vnetsim demo [-o FILE.db] [--seed N] [--rho X] "
        "[--service-ns N]\n"
        "                    [--until-us N] [--warmup-us N] "
        "[--sample-us N] [--quiet]\n"
        "       vnetsim demo --show [-o FILE.db]\n\n"
        "Runs the built-in M/M/1 workload and appends one run to FILE.db\n"
        "(default results/demo.db); --show prints what the file holds.\n"
        "Defaults: --seed 1 --rho 0.8 --service-ns 1000 --until-us 2000000\n"
        "          --warmup-us 10000 --sample-us 10000\n");
}

/* Parses a whole decimal integer in [lo, hi] or reports the option. */
static bool
parse_int(const char *opt, const char *text, int64_t lo, int64_t hi,
          int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi) {
        fprintf(stderr, "vnetsim demo: %s: '%s' is not an integer in "
                "[%" PRId64 ", %" PRId64 "]\n", opt, text, lo, hi);
        return false;
    }
    *out = v;
    return true;
}

int
vnetsim_demo_main(int argc, char **argv)
{
    static const struct option options[] = {
        { "output", required_argument, NULL, 'o' },
        { "seed", required_argument, NULL, 's' },
        { "rho", required_argument, NULL, 'r' },
        { "service-ns", required_argument, NULL, 'S' },
        { "until-us", required_argument, NULL, 'u' },
        { "warmup-us", required_argument, NULL, 'w' },
        { "sample-us", required_argument, NULL, 'i' },
        { "show", no_argument, NULL, 'x' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct demo_params p = { 1, 0.8, 1000, 2000000, 10000, 10000 };
    const char *db_path = "results/demo.db";
    bool do_show = false, quiet = false;
    int64_t v;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        switch (c) {
        case 'o':
            db_path = optarg;
            break;
        case 's':
            if (!parse_int("--seed", optarg, 0, INT64_MAX, &v)) {
                return VNETSIM_EXIT_USAGE;
            }
            p.seed = (uint64_t)v;
            break;
        case 'r': {
            char *end;
            p.rho = strtod(optarg, &end);
            if (end == optarg || *end || !(p.rho > 0 && p.rho < 1)) {
                fprintf(stderr, "vnetsim demo: --rho: '%s' is not a number "
                        "in (0, 1)\n", optarg);
                return VNETSIM_EXIT_USAGE;
            }
            break;
        }
        case 'S':
            if (!parse_int("--service-ns", optarg, 1, INT64_C(1000000000),
                           &p.service_ns)) {
                return VNETSIM_EXIT_USAGE;
            }
            break;
        case 'u':
            if (!parse_int("--until-us", optarg, 1, INT64_C(1000000000000),
                           &p.until_us)) {
                return VNETSIM_EXIT_USAGE;
            }
            break;
        case 'w':
            if (!parse_int("--warmup-us", optarg, 0, INT64_C(1000000000000),
                           &p.warmup_us)) {
                return VNETSIM_EXIT_USAGE;
            }
            break;
        case 'i':
            if (!parse_int("--sample-us", optarg, 1, INT64_C(1000000000000),
                           &p.sample_us)) {
                return VNETSIM_EXIT_USAGE;
            }
            break;
        case 'x':
            do_show = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage(stdout);
            return VNETSIM_EXIT_OK;
        default:
            usage(stderr);
            return VNETSIM_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "vnetsim demo: unexpected argument '%s'\n",
                argv[optind]);
        return VNETSIM_EXIT_USAGE;
    }
    if (p.warmup_us >= p.until_us) {
        fprintf(stderr, "vnetsim demo: --warmup-us %" PRId64 " must be less "
                "than --until-us %" PRId64 "\n", p.warmup_us, p.until_us);
        return VNETSIM_EXIT_USAGE;
    }
    return do_show ? show(db_path) : run_demo(&p, db_path, quiet);
}
