/*
 * run.c -- "vnetsim run", "vnetsim params" and "vnetsim sweep": the
 * commands that execute Lua scenarios (lsim.h) and record them
 * (runrec.h).
 *
 *     vnetsim run SCENARIO.lua [-p NAME=VALUE]... [--seed N] [-r RUN]
 *                 [-o FILE.db] [--until TIME] [--quiet] [--progress]
 *                 [--pcap PREFIX] [--timeline FILE.json] [--log SPEC]
 *     vnetsim params SCENARIO.lua [-p NAME=VALUE]... [-r RUN] [--config]
 *                 [--runs]
 *     vnetsim sweep SCENARIO.lua [-j N] [-r FILTER] [-o FILE.db]
 *                 [-p NAME=VALUE]... [--seed BASE] [--until TIME]
 *                 [--dry-run] [--list] [--quiet]
 *
 * A sweep runs each selected run as its own "vnetsim run" process (so a
 * crash or a runaway scenario costs one run, and runs are independent by
 * construction), at most N at once, all appending to one database.  Runs
 * the database already holds complete (the same run: sim/runid.h) are
 * left out, so a sweep that was interrupted is finished by running it
 * again.  Started by mpirun (a build configured --with-mpi), the sweep is
 * spread over the MPI ranks instead (sim/mpisweep.h).
 *
 * EXIT CODES (cli.h): 0 success; 1 a scenario or input error (the one
 * line on stderr says FILE:LINE and what is wrong); 2 a usage error; 3 an
 * internal error (I/O, database).
 */
#include <config.h>
#include "sim/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "models/bindings.h"
#include "sim/limits.h"
#include "sim/log.h"
#include "sim/lsim.h"
#include "sim/progress.h"
#include "sim/mpisweep.h"
#include "sim/results.h"
#include "sim/runid.h"
#include "sim/runrec.h"
#include "sim/sweep.h"
#include "sim/trace.h"

/* The installed scenario library (require() looks there second). */
#ifndef VNETSIM_SCENARIO_LIBDIR
#define VNETSIM_SCENARIO_LIBDIR NULL
#endif

#define MAX_OVERRIDES 256

/* Options shared by the three commands. */
struct run_opts {
    const char *scenario;
    struct lsim_override overrides[MAX_OVERRIDES];
    size_t n_overrides;
    bool seed_given;
    uint64_t seed;
    bool run_given;
    uint64_t run;
    const char *filter;             /* sweep -r */
    const char *db;
    bool until_given;
    sim_time_t until;
    bool quiet, progress, dry_run, config, runs, list;
    const char *pcap, *timeline, *log;
    int64_t window_from, window_to;     /* --timeline-window; to 0: all */
    unsigned jobs;
    struct run_limits limits;       /* --max-events, --max-wall, --max-memory */
    const char *limit_text[3];      /* ... as given, passed on by sweep */
    uint32_t max_db_pages;          /* --max-db-pages */
    char wall_text[32];             /* "90s" for --max-wall 90 */
};

/* --- Helpers ------------------------------------------------------------- */

static bool
parse_u64(const char *text, uint64_t *out)
{
    char *end;

    if (!*text || *text == '-' || *text == '+') {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || errno) {
        return false;
    }
    *out = v;
    return true;
}

/* Reads 'path' whole.  Returns NULL (errno set) on failure. */
static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f) {
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > ((size_t)64 << 20)) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            char *p = realloc(buf, cap + 1);
            if (!p) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        int e = errno ? errno : EIO;
        free(buf);
        fclose(f);
        errno = e;
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* "scenarios/x.lua" -> "x". */
static void
scenario_config_name(const char *path, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    size_t len;

    base = base ? base + 1 : path;
    len = strlen(base);
    if (len > 4 && !strcmp(base + len - 4, ".lua")) {
        len -= 4;
    }
    snprintf(buf, size, "%.*s", (int)len, base);
}

/* Creates the directory of 'path' if it is missing (one level, as for the
 * default results/NAME.db). */
static void
ensure_parent_dir(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');

    if (!slash || slash == path) {
        return;
    }
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    mkdir(dir, 0777);
}

/* --- Option parsing ------------------------------------------------------ */

enum {
    OPT_SEED = 256, OPT_UNTIL, OPT_QUIET, OPT_PROGRESS, OPT_PCAP,
    OPT_TIMELINE, OPT_WINDOW, OPT_LOG, OPT_DRY_RUN, OPT_CONFIG, OPT_RUNS, OPT_HELP,
    OPT_LIST,
    OPT_MAX_EVENTS, OPT_MAX_WALL, OPT_MAX_MEMORY, OPT_MAX_DB_PAGES,
};

/* The run-limit options, shared by run and sweep (which passes them to
 * each run). */
#define LIMITS_USAGE \
    "  --max-events N     fail the run once it has executed N events\n" \
    "  --max-wall TIME    fail the run after TIME of wall-clock time\n" \
    "                     (seconds, or with a unit: '90s', '500ms')\n" \
    "  --max-memory SIZE  fail the run once the process's resident memory\n" \
    "                     passes SIZE (e.g. '2GiB'); also caps the Lua heap\n" \
    "  --max-db-pages N   let the results file grow to N database pages\n" \
    "                     at most (SQLite max_page_count; a full file fails\n" \
    "                     the run)\n"

static const char run_usage[] =
    "usage: vnetsim run SCENARIO.lua [-p NAME=VALUE]... [--seed N] [-r RUN]\n"
    "                   [-o FILE.db] [--until TIME] [--quiet] [--progress]\n"
    "                   [--pcap PREFIX] [--timeline FILE.json]\n"
    "                   [--timeline-window FROM,TO] [--log SPEC]\n"
    "                   [--max-events N] [--max-wall TIME] [--max-memory SIZE]\n"
    "                   [--max-db-pages N]\n"
    "Runs one run of the scenario and appends it to the results database.\n"
    "  -p NAME=VALUE      set a parameter (see 'vnetsim params')\n"
    "  -r RUN             the run number within the scenario's sweep (0)\n"
    "  --seed N           the run seed (default: derived from the run)\n"
    "  -o FILE.db         results database (default results/NAME.db)\n"
    "  --until TIME       end the run at TIME (e.g. 10ms), overriding\n"
    "                     the scenario's duration\n"
    "  --quiet            no progress line and no summary\n"
    "  --progress         draw the progress line even if stderr is not a\n"
    "                     terminal\n"
    "  --pcap PREFIX      write frames seen at each tap to PREFIX-TAP.pcap\n"
    "  --timeline FILE    write a Chrome/Perfetto trace of the run\n"
    "  --timeline-window FROM,TO\n"
    "                     keep only that span of simulated time in the\n"
    "                     trace, e.g. 10ms,12ms\n"
    "  --log SPEC         log filter, e.g. 'info' or 'warn,scenario=debug'\n"
    LIMITS_USAGE;

static const char params_usage[] =
    "usage: vnetsim params SCENARIO.lua [-p NAME=VALUE]... [-r RUN]\n"
    "                      [--config] [--runs]\n"
    "Lists the scenario's parameters (defaults, units, allowed values,\n"
    "descriptions) and the sweep it defines.\n"
    "  --config           also print every object's effective configuration\n"
    "                     for run RUN with the given -p values\n"
    "  --runs             list every run of the sweep (default: the first 20)\n";

static const char sweep_usage[] =
    "usage: vnetsim sweep SCENARIO.lua [-j N] [-r FILTER] [-o FILE.db]\n"
    "                     [-p NAME=VALUE]... [--seed BASE] [--until TIME]\n"
    "                     [--dry-run] [--list] [--quiet] [--max-events N]\n"
    "                     [--max-wall TIME] [--max-memory SIZE]\n"
    "                     [--max-db-pages N]\n"
    "Runs every run of the scenario's sweep (or those FILTER selects), one\n"
    "process per run, at most N at once (default: the number of CPUs),\n"
    "all into one database.  Runs the database already holds complete are\n"
    "not made again.  Under mpirun (a build configured --with-mpi) the runs\n"
    "are spread over the MPI ranks.\n"
    "  -r FILTER          run numbers ('0..5,9') or a condition on the\n"
    "                     iteration variables ('nic=legacy and load>50%')\n"
    "  --seed BASE        seeds are BASE + run (or + repetition)\n"
    "  --dry-run          list the selected runs, run nothing\n"
    "  --list             print RUN<tab>SEED<tab>VARIABLES per selected run,\n"
    "                     for job arrays and GNU parallel; run nothing\n"
    "each run's limits (a run that passes one fails, the others go on):\n"
    LIMITS_USAGE;

/* Parses the value 'text' of run-limit option 'opt' into 'o'.  Returns
 * NULL, or what the option wants (for the usage error). */
static const char *
parse_limit(int opt, const char *text, struct run_opts *o)
{
    char uerr[200];
    uint64_t n;
    int64_t v;

    switch (opt) {
    case OPT_MAX_EVENTS:
        if (!parse_u64(text, &n) || n < 1) {
            return "--max-events wants a positive number of events";
        }
        o->limits.max_events = n;
        o->limit_text[0] = text;
        return NULL;
    case OPT_MAX_WALL: {
        /* Plain digits are seconds; otherwise a time with a unit. */
        bool plain = parse_u64(text, &n);
        if (plain ? n > UINT64_MAX / 1000 : unit_parse(UNIT_TIME, text, &v,
                                                         uerr, sizeof uerr)) {
            return "--max-wall wants a time such as '90' (seconds), '90s' "
                   "or '500ms'";
        }
        n = plain ? n * 1000 : (uint64_t)(v / 1000000000);
        if (n < 1) {
            return "--max-wall wants at least 1ms";
        }
        o->limits.max_wall_ms = n;
        o->limit_text[1] = text;
        if (plain) {
            snprintf(o->wall_text, sizeof o->wall_text, "%ss", text);
            o->limits.wall_text = o->wall_text;
        } else {
            o->limits.wall_text = text;
        }
        return NULL;
    }
    case OPT_MAX_MEMORY:
        if (unit_parse(UNIT_SIZE, text, &v, uerr, sizeof uerr)
            || v < (1 << 20)) {
            return "--max-memory wants a size of at least 1MiB, such as "
                   "'512MiB' or '2GiB'";
        }
        o->limits.max_memory_bytes = (uint64_t)v;
        o->limits.memory_text = o->limit_text[2] = text;
        return NULL;
    default:
        if (!parse_u64(text, &n) || n < 1 || n > UINT32_MAX) {
            return "--max-db-pages wants a number of pages from 1 to "
                   "4294967295";
        }
        o->max_db_pages = (uint32_t)n;
        return NULL;
    }
}

/* Parses the options of 'cmd' ("run", "params" or "sweep").  Returns -1
 * to go on, or an exit code. */
static int
parse_options(const char *cmd, int argc, char **argv, struct run_opts *o)
{
    static const struct option longopts[] = {
        { "param", required_argument, NULL, 'p' },
        { "run", required_argument, NULL, 'r' },
        { "output", required_argument, NULL, 'o' },
        { "jobs", required_argument, NULL, 'j' },
        { "seed", required_argument, NULL, OPT_SEED },
        { "until", required_argument, NULL, OPT_UNTIL },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "progress", no_argument, NULL, OPT_PROGRESS },
        { "pcap", required_argument, NULL, OPT_PCAP },
        { "timeline", required_argument, NULL, OPT_TIMELINE },
        { "timeline-window", required_argument, NULL, OPT_WINDOW },
        { "log", required_argument, NULL, OPT_LOG },
        { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "config", no_argument, NULL, OPT_CONFIG },
        { "runs", no_argument, NULL, OPT_RUNS },
        { "list", no_argument, NULL, OPT_LIST },
        { "help", no_argument, NULL, OPT_HELP },
        { "max-events", required_argument, NULL, OPT_MAX_EVENTS },
        { "max-wall", required_argument, NULL, OPT_MAX_WALL },
        { "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
        { "max-db-pages", required_argument, NULL, OPT_MAX_DB_PAGES },
        { NULL, 0, NULL, 0 },
    };
    bool is_run = !strcmp(cmd, "run"), is_sweep = !strcmp(cmd, "sweep");
    const char *usage = is_run ? run_usage : is_sweep ? sweep_usage
                                                      : params_usage;
    char uerr[200];
    int c;

    memset(o, 0, sizeof *o);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":p:r:o:j:", longopts, NULL)) != -1) {
        const char *bad = NULL;
        switch (c) {
        case 'p': {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) {
                fprintf(stderr, "vnetsim %s: -p '%s': expected NAME=VALUE\n",
                        cmd, optarg);
                return VNETSIM_EXIT_USAGE;
            }
            if (o->n_overrides == MAX_OVERRIDES) {
                fprintf(stderr, "vnetsim %s: more than %d -p options\n", cmd,
                        MAX_OVERRIDES);
                return VNETSIM_EXIT_USAGE;
            }
            /* Split in place: argv strings are writable. */
            optarg[eq - optarg] = '\0';
            o->overrides[o->n_overrides++] = (struct lsim_override){
                optarg, eq + 1
            };
            break;
        }
        case 'r':
            if (is_sweep) {
                o->filter = optarg;
            } else if (!parse_u64(optarg, &o->run)) {
                bad = "-r wants a run number";
            } else {
                o->run_given = true;
            }
            break;
        case 'o':
            if (!is_run && !is_sweep) {
                goto unknown;
            }
            o->db = optarg;
            break;
        case 'j': {
            uint64_t j;
            if (!is_sweep) {
                goto unknown;
            }
            if (!parse_u64(optarg, &j) || j < 1 || j > 1024) {
                bad = "-j wants a number of jobs from 1 to 1024";
            }
            o->jobs = (unsigned)j;
            break;
        }
        case OPT_SEED:
            if (!strcmp(cmd, "params")) {
                goto unknown;
            }
            if (!parse_u64(optarg, &o->seed)) {
                bad = "--seed wants a non-negative integer";
            }
            o->seed_given = true;
            break;
        case OPT_WINDOW: {
            char *comma = strchr(optarg, ',');
            int64_t from = 0, to = 0;
            if (strcmp(cmd, "run")) {
                goto unknown;
            }
            if (comma) {
                *comma = '\0';
            }
            if (!comma || unit_parse(UNIT_TIME, optarg, &from, uerr,
                                     sizeof uerr)
                || unit_parse(UNIT_TIME, comma + 1, &to, uerr, sizeof uerr)
                || from < 0 || to <= from) {
                if (comma) {
                    *comma = ',';
                }
                fprintf(stderr, "vnetsim %s: --timeline-window: expected "
                        "FROM,TO with FROM < TO, e.g. '10ms,12ms', got '%s'\n",
                        cmd, optarg);
                return VNETSIM_EXIT_USAGE;
            }
            *comma = ',';
            o->window_from = from;
            o->window_to = to;
            break;
        }
        case OPT_UNTIL: {
            int64_t t;
            if (!strcmp(cmd, "params")) {
                goto unknown;
            }
            if (unit_parse(UNIT_TIME, optarg, &t, uerr, sizeof uerr)
                || t <= 0) {
                fprintf(stderr, "vnetsim %s: --until: %s\n", cmd,
                        t <= 0 ? "must be a positive time such as '10ms'"
                               : uerr);
                return VNETSIM_EXIT_USAGE;
            }
            o->until = t;
            o->until_given = true;
            break;
        }
        case OPT_QUIET:
            o->quiet = true;
            break;
        case OPT_PROGRESS:
            if (!is_run) {
                goto unknown;
            }
            o->progress = true;
            break;
        case OPT_PCAP:
        case OPT_TIMELINE:
        case OPT_LOG:
            if (!is_run) {
                goto unknown;
            }
            *(c == OPT_PCAP ? &o->pcap : c == OPT_TIMELINE ? &o->timeline
                                                          : &o->log) = optarg;
            break;
        case OPT_DRY_RUN:
        case OPT_LIST:
            if (!is_sweep) {
                goto unknown;
            }
            *(c == OPT_DRY_RUN ? &o->dry_run : &o->list) = true;
            break;
        case OPT_CONFIG:
        case OPT_RUNS:
            if (strcmp(cmd, "params")) {
                goto unknown;
            }
            *(c == OPT_CONFIG ? &o->config : &o->runs) = true;
            break;
        case OPT_MAX_EVENTS:
        case OPT_MAX_WALL:
        case OPT_MAX_MEMORY:
        case OPT_MAX_DB_PAGES:
            if (!is_run && !is_sweep) {
                goto unknown;
            }
            bad = parse_limit(c, optarg, o);
            break;
        case OPT_HELP:
            fputs(usage, stdout);
            return VNETSIM_EXIT_OK;
        case ':':
            fprintf(stderr, "vnetsim %s: option '%s' needs a value\n", cmd,
                    argv[optind - 1]);
            return VNETSIM_EXIT_USAGE;
        default:
        unknown:
            fprintf(stderr, "vnetsim %s: unknown option '%s' (try 'vnetsim "
                    "%s --help')\n", cmd, argv[optind - 1], cmd);
            return VNETSIM_EXIT_USAGE;
        }
        if (bad) {
            fprintf(stderr, "vnetsim %s: %s, got '%s'\n", cmd, bad, optarg);
            return VNETSIM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "vnetsim %s: missing SCENARIO.lua (try 'vnetsim %s "
                "--help')\n", cmd, cmd);
        return VNETSIM_EXIT_USAGE;
    }
    if (optind + 1 < argc) {
        fprintf(stderr, "vnetsim %s: unexpected argument '%s'\n", cmd,
                argv[optind + 1]);
        return VNETSIM_EXIT_USAGE;
    }
    if (o->window_to && !o->timeline) {
        fprintf(stderr, "vnetsim %s: --timeline-window needs --timeline "
                "FILE.json\n", cmd);
        return VNETSIM_EXIT_USAGE;
    }
    o->scenario = argv[optind];
    if (o->log) {
        char why[200];
        if (sim_log_set_filter(o->log, why, sizeof why)) {
            fprintf(stderr, "vnetsim %s: --log: %s\n", cmd, why);
            return VNETSIM_EXIT_USAGE;
        }
    }
    return -1;
}

/* Creates a host for 'o' and runs the scenario file in it.  Returns -1
 * with '*out' set, or an exit code after printing the error. */
static int
load_scenario(const struct run_opts *o, bool describe, uint64_t run,
              struct lsim **out, char **text_out, size_t *len_out)
{
    struct lsim_options lo = {
        .scenario_path = o->scenario,
        .describe = describe,
        .run_number = run,
        .seed_given = o->seed_given && !describe,
        .seed = o->seed,
        .overrides = o->overrides,
        .n_overrides = o->n_overrides,
        .library_dir = VNETSIM_SCENARIO_LIBDIR,
        .pcap_prefix = describe ? NULL : o->pcap,
        .timeline_path = describe ? NULL : o->timeline,
        .timeline_from = o->window_from,
        .timeline_to = o->window_to,
        .bindings = models_bindings,
        .memory_limit = limits_lua_heap(&o->limits, LSIM_MEMORY_LIMIT_BYTES),
    };
    char err[600];
    size_t len;
    char *text = read_file(o->scenario, &len);
    int error;

    *out = NULL;
    if (!text) {
        fprintf(stderr, "%s: cannot read the scenario: %s\n", o->scenario,
                strerror(errno));
        return VNETSIM_EXIT_INPUT;
    }
    error = lsim_create(&lo, out, err, sizeof err);
    if (error) {
        fprintf(stderr, "%s\n", err);
        free(text);
        return error == ENOMEM ? VNETSIM_EXIT_INTERNAL : VNETSIM_EXIT_INPUT;
    }
    limits_set_host(*out);          /* the watchdog, if armed, sees it */
    error = lsim_load(*out, text, len, err, sizeof err);
    if (error) {
        fprintf(stderr, "%s\n", err);
        limits_disarm();
        lsim_destroy(*out);
        *out = NULL;
        free(text);
        return error == ENOMEM ? VNETSIM_EXIT_INTERNAL : VNETSIM_EXIT_INPUT;
    }
    if (text_out) {
        *text_out = text;
        *len_out = len;
    } else {
        free(text);
    }
    return -1;
}

/* The sweep a loaded host declares, as sweep.h wants it.  The arrays
 * live in 'vars' and 'values' (freed by the caller). */
static void
host_sweep(const struct lsim *h, struct sweep *s, struct sweep_var **vars,
           const char ***values)
{
    size_t n = lsim_sweep_var_count(h), total = 0, k = 0;

    for (size_t i = 0; i < n; i++) {
        total += lsim_sweep_value_count(h, i);
    }
    *vars = calloc(n + 1, sizeof **vars);
    *values = calloc(total + 1, sizeof **values);
    if (!*vars || !*values) {
        fprintf(stderr, "vnetsim: out of memory\n");
        exit(VNETSIM_EXIT_INTERNAL);
    }
    for (size_t i = 0; i < n; i++) {
        size_t m = lsim_sweep_value_count(h, i);
        (*vars)[i].name = lsim_sweep_var_name(h, i);
        (*vars)[i].values = *values + k;
        (*vars)[i].n_values = m;
        for (size_t j = 0; j < m; j++) {
            (*values)[k++] = lsim_sweep_value(h, i, j);
        }
    }
    *s = (struct sweep){ *vars, n, lsim_repetitions(h) };
}

/* "$nic=legacy, $load=50%" (OMNeT++'s iterationvars): the values the
 * swept parameters have in this run, -p overrides included. */
static void
itervars_text(const struct lsim *h, char *buf, size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < lsim_sweep_var_count(h) && len < size; i++) {
        len += (size_t)snprintf(buf + len, size - len, "%s$%s=%s",
                                i ? ", " : "", lsim_sweep_var_name(h, i),
                                lsim_sweep_var_current(h, i));
    }
}

/* --- vnetsim run ----------------------------------------------------------- */

int
vnetsim_run_main(int argc, char **argv)
{
    struct run_opts o;
    struct lsim *h;
    struct runrec rr;
    char *text, err[600] = "", config[200], itervars[1024], db_buf[PATH_MAX];
    size_t len;
    int rc, error;

    rc = parse_options("run", argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    /* The limits watch the scenario's loading too. */
    if (limits_any(&o.limits)
        && limits_arm(&o.limits, NULL, o.scenario, err, sizeof err)) {
        fprintf(stderr, "vnetsim run: %s\n", err);
        return VNETSIM_EXIT_INTERNAL;
    }
    rc = load_scenario(&o, false, o.run, &h, &text, &len);
    if (rc >= 0) {
        return rc;
    }
    if (o.until_given) {
        if (o.until <= lsim_warmup(h)) {
            fprintf(stderr, "vnetsim run: --until must be after the "
                    "scenario's warm-up\n");
            limits_disarm();
            lsim_destroy(h);
            free(text);
            return VNETSIM_EXIT_USAGE;
        }
        lsim_set_duration(h, o.until);
    }
    if (!lsim_duration(h)) {
        fprintf(stderr, "%s: no run length: set sim.config{ duration = ... } "
                "or pass --until\n", o.scenario);
        limits_disarm();
        lsim_destroy(h);
        free(text);
        return VNETSIM_EXIT_INPUT;
    }

    scenario_config_name(o.scenario, config, sizeof config);
    if (!o.db) {
        snprintf(db_buf, sizeof db_buf, "results/%s.db", config);
        o.db = db_buf;
        ensure_parent_dir(o.db);
    }
    itervars_text(h, itervars, sizeof itervars);

    const struct runrec_info info = {
        .config = config, .scenario = o.scenario, .text = text,
        .text_len = len, .seed = lsim_seed(h),
        .run_number = lsim_run_number(h), .repetition = lsim_repetition(h),
        .itervars = itervars, .max_db_pages = o.max_db_pages,
    };
    error = runrec_begin(&rr, o.db, &info, err, sizeof err);
    free(text);
    if (error) {
        fprintf(stderr, "vnetsim run: %s\n", err);
        limits_disarm();
        lsim_destroy(h);
        return VNETSIM_EXIT_INTERNAL;
    }

    /* Run, in slices of simulated time when drawing progress: slicing
     * never changes what runs (sim_run(until) may be resumed). */
    struct sim *sim = lsim_sim(h);
    sim_time_t end = lsim_duration(h);
    bool done = false;
    double wall0 = progress_wall_now();
    struct progress pr;
    progress_init(&pr, stderr, o.progress || progress_wanted(stderr, o.quiet),
                  0, end, wall0);
    sim_time_t step = end / 1000 ? end / 1000 : 1;
    while (!done) {
        sim_time_t until = pr.enabled && sim_now(sim) < end - step
                         ? sim_now(sim) + step : end;
        double t0 = progress_wall_now();
        error = lsim_run(h, until, &done, err, sizeof err);
        if (error) {
            break;
        }
        if (pr.enabled) {
            double t1 = progress_wall_now();
            /* Aim at slices of about 50 ms of wall time. */
            if (t1 - t0 < 0.025 && step < end / 4) {
                step *= 2;
            } else if (t1 - t0 > 0.1 && step > 1) {
                step /= 2;
            }
            progress_update(&pr, sim_now(sim), sim_events_executed(sim), t1);
        }
    }
    progress_finish(&pr);
    if (!error && o.limits.max_events
        && sim_events_executed(sim) > o.limits.max_events) {
        /* The run ended before the watchdog looked (it looks every
         * LIMITS_TICK_MS): the limit holds all the same. */
        snprintf(err, sizeof err, "%s: run stopped: more than %" PRIu64
                 " events (--max-events)", o.scenario, o.limits.max_events);
        error = EINVAL;
    }
    if (!error) {
        error = lsim_finish(h, err, sizeof err);
    }
    /* No limit may interrupt the writing of the results. */
    limits_disarm();
    if (!error) {
        error = lsim_record(h, rr.run);
        if (error) {
            snprintf(err, sizeof err, "%s", res_errmsg(rr.db));
            error = -error;     /* an internal error, not the scenario's */
        }
    }
    if (!error) {
        error = lsim_close_lua(h, err, sizeof err);
    }
    if (!error) {
        char terr[300];
        int e = lsim_close_trace(h, terr, sizeof terr);
        if (e) {
            snprintf(err, sizeof err, "%s", terr);
            error = -e;
        }
    }
    char reason[600];
    snprintf(reason, sizeof reason, "%s", err);
    char end_err[600];
    int e = runrec_end(&rr, sim, error == 0, error ? reason : NULL, end_err,
                       sizeof end_err);
    if (error) {
        fprintf(stderr, "%s\n", reason);
        limits_disarm();
        lsim_destroy(h);
        return error < 0 || error == ENOMEM ? VNETSIM_EXIT_INTERNAL
                                            : VNETSIM_EXIT_INPUT;
    }
    if (e) {
        fprintf(stderr, "vnetsim run: %s\n", end_err);
        limits_disarm();
        lsim_destroy(h);
        return VNETSIM_EXIT_INTERNAL;
    }
    if (!o.quiet) {
        progress_summary(stdout, sim_events_executed(sim),
                         progress_wall_now() - wall0, sim_now(sim),
                         sim_fingerprint(sim), o.db);
    }
    limits_disarm();
    lsim_destroy(h);
    return VNETSIM_EXIT_OK;
}

/* --- vnetsim params ----------------------------------------------------- */

int
vnetsim_params_main(int argc, char **argv)
{
    struct run_opts o;
    struct lsim *h;
    struct sweep s;
    struct sweep_var *vars;
    const char **values;
    uint64_t runs;
    char desc[1024];
    int rc;

    rc = parse_options("params", argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    rc = load_scenario(&o, true, o.run, &h, NULL, NULL);
    if (rc >= 0) {
        return rc;
    }
    lsim_print_params(h, stdout);
    host_sweep(h, &s, &vars, &values);
    if (sweep_count(&s, &runs)) {
        runs = 0;
    }
    printf("\nSweep: ");
    for (size_t i = 0; i < s.n_vars; i++) {
        printf("%s (%zu) x ", s.vars[i].name, s.vars[i].n_values);
    }
    printf("%" PRIu32 " repetition%s = %" PRIu64 " run%s; seed of run k: "
           "%s\n", s.repetitions, s.repetitions == 1 ? "" : "s", runs,
           runs == 1 ? "" : "s", lsim_seedset_repetition(h)
           ? "its repetition number (seedset = repetition)" : "k");
    for (uint64_t k = 0; k < runs && (o.runs || k < 20); k++) {
        sweep_describe(&s, k, desc, sizeof desc);
        printf("  run %" PRIu64 ": %s\n", k, desc);
    }
    if (!o.runs && runs > 20) {
        printf("  ... (%" PRIu64 " more; --runs lists them all)\n",
               runs - 20);
    }
    if (o.config) {
        printf("\n");
        lsim_print_config(h, stdout);
    }
    free(vars);
    free(values);
    lsim_destroy(h);
    return VNETSIM_EXIT_OK;
}

/* --- vnetsim sweep -------------------------------------------------------- */

/* One child run. */
struct job {
    pid_t pid;
    uint64_t run;
    FILE *err;                  /* its stderr, read when it ends */
    double started;
};

static pid_t
spawn_run(const struct run_opts *o, const char *self, uint64_t run,
          uint64_t seed, const char *db, FILE *err)
{
    char run_text[24], seed_text[24], until_text[48];
    const char *args[24 + 2 * MAX_OVERRIDES];
    char pbuf[MAX_OVERRIDES][512];
    size_t n = 0;
    pid_t pid;

    snprintf(run_text, sizeof run_text, "%" PRIu64, run);
    snprintf(seed_text, sizeof seed_text, "%" PRIu64, seed);
    args[n++] = self;
    args[n++] = "run";
    args[n++] = "--quiet";
    args[n++] = "-r";
    args[n++] = run_text;
    args[n++] = "--seed";
    args[n++] = seed_text;
    args[n++] = "-o";
    args[n++] = db;
    if (o->until_given) {
        unit_format(UNIT_TIME, o->until, until_text, sizeof until_text);
        args[n++] = "--until";
        args[n++] = until_text;
    }
    static const char *const limit_opts[3] = {
        "--max-events", "--max-wall", "--max-memory",
    };
    char pages[24];
    for (size_t i = 0; i < 3; i++) {
        if (o->limit_text[i]) {
            args[n++] = limit_opts[i];
            args[n++] = o->limit_text[i];
        }
    }
    if (o->max_db_pages) {
        snprintf(pages, sizeof pages, "%" PRIu32, o->max_db_pages);
        args[n++] = "--max-db-pages";
        args[n++] = pages;
    }
    for (size_t i = 0; i < o->n_overrides; i++) {
        snprintf(pbuf[i], sizeof pbuf[i], "%s=%s", o->overrides[i].name,
                 o->overrides[i].value);
        args[n++] = "-p";
        args[n++] = pbuf[i];
    }
    args[n++] = "--";
    args[n++] = o->scenario;
    args[n] = NULL;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        dup2(fileno(err), STDERR_FILENO);
        execv(self, (char *const *)args);
        fprintf(stderr, "vnetsim sweep: cannot run %s: %s\n", self,
                strerror(errno));
        _exit(VNETSIM_EXIT_INTERNAL);
    }
    return pid;
}

/* True if 'db' has the results schema's run table (a file another
 * process has only begun to create has none yet). */
static bool
has_run_table(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    bool yes = false;

    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE "
                           "type = 'table' AND name = 'run'", -1, &st, NULL)
        == SQLITE_OK) {
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

/* Leaves out of 'selected' ('*n_sel' runs, compacted in place) the runs
 * that the database 'o->db' already holds complete: the same scenario
 * text, run number, seed, parameter values and duration (sim/runid.h).
 * A run with a complete candidate is loaded (declared only, never
 * simulated) to learn its parameter values and duration.  Stores how many
 * were left out in '*skipped'.  Returns -1, or an exit code after printing
 * the error. */
static int
skip_complete(const struct run_opts *o, const char *config,
              const struct sweep *s, bool per_rep, uint64_t *selected,
              uint64_t *n_sel, uint64_t *skipped)
{
    struct runid_list have = { 0 };
    struct stat sb;
    sqlite3 *db = NULL;
    char err[600] = "", sha[65];
    size_t len;
    char *text;
    uint64_t kept = 0;

    *skipped = 0;
    if (stat(o->db, &sb) || sb.st_size == 0) {
        return -1;
    }
    /* Another sweep may be writing the file: wait for its lock as a
     * writer would (RES_BUSY_TIMEOUT_MS) rather than fail at once; and a
     * file it has just created may not hold the schema yet, which means
     * no run is complete in it. */
    if (sqlite3_open_v2(o->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
        && sqlite3_busy_timeout(db, RES_BUSY_TIMEOUT_MS) == SQLITE_OK
        && !has_run_table(db)) {
        sqlite3_close(db);
        return -1;
    }
    if (!db || sqlite3_errcode(db) != SQLITE_OK
        || runid_load(db, "main", &have, err, sizeof err)) {
        fprintf(stderr, "vnetsim sweep: %s: %s\n", o->db,
                err[0] ? err : sqlite3_errmsg(db));
        sqlite3_close(db);
        runid_list_free(&have);
        return VNETSIM_EXIT_INTERNAL;
    }
    sqlite3_close(db);
    text = read_file(o->scenario, &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read the scenario: %s\n", o->scenario,
                strerror(errno));
        runid_list_free(&have);
        return VNETSIM_EXIT_INPUT;
    }
    runrec_sha256_hex(text, len, sha);
    free(text);
    for (uint64_t i = 0; i < *n_sel; i++) {
        uint64_t k = selected[i];
        char run_text[24], seed_text[24];
        bool candidate = false, done = false;
        struct lsim *h;

        snprintf(run_text, sizeof run_text, "%" PRIu64, k);
        snprintf(seed_text, sizeof seed_text, "%" PRIu64,
                 sweep_seed(o->seed, per_rep, k, sweep_repetition(s, k)));
        for (size_t j = 0; j < have.n && !candidate; j++) {
            const struct runid *r = &have.runs[j];
            candidate = runid_complete(r) && !strcmp(r->config, config)
                        && !strcmp(r->sha, sha)
                        && !strcmp(r->runnumber, run_text)
                        && !strcmp(r->seed, seed_text);
        }
        if (candidate && load_scenario(o, true, k, &h, NULL, NULL) < 0) {
            char itervars[1024], dur[64];
            char *settings = NULL;
            bool oom = false;

            itervars_text(h, itervars, sizeof itervars);
            for (size_t p = 0; p < lsim_param_count(h) && !oom; p++) {
                oom = runid_settings_add(&settings, lsim_param_name(h, p),
                                         lsim_param_value(h, p)) != 0;
            }
            unit_format(UNIT_TIME, o->until_given ? o->until
                                                  : lsim_duration(h),
                        dur, sizeof dur);
            oom = oom || runid_settings_add(&settings, "sim.duration", dur);
            for (size_t j = 0; j < have.n && !done && !oom; j++) {
                const struct runid *r = &have.runs[j];
                done = runid_complete(r) && !strcmp(r->config, config)
                       && !strcmp(r->sha, sha)
                       && !strcmp(r->runnumber, run_text)
                       && !strcmp(r->seed, seed_text)
                       && !strcmp(r->itervars, itervars)
                       && !strcmp(r->settings, settings);
            }
            free(settings);
            lsim_destroy(h);
        }
        if (done) {
            (*skipped)++;
        } else {
            selected[kept++] = k;
        }
    }
    *n_sel = kept;
    runid_list_free(&have);
    return -1;
}

/* What the MPI sweep needs to start and describe runs. */
struct sweep_ctx {
    const struct run_opts *o;
    const char *self;
    const struct sweep *s;
};

static pid_t
ctx_spawn(void *ctx, uint64_t run, uint64_t seed, const char *db, FILE *err)
{
    const struct sweep_ctx *c = ctx;

    return spawn_run(c->o, c->self, run, seed, db, err);
}

static void
ctx_describe(void *ctx, uint64_t run, char *buf, size_t size)
{
    const struct sweep_ctx *c = ctx;

    sweep_describe(c->s, run, buf, size);
}

int
vnetsim_sweep_main(int argc, char **argv)
{
    struct run_opts o;
    struct lsim *h = NULL;
    struct sweep s;
    struct sweep_var *vars = NULL;
    const char **values = NULL;
    struct sweep_filter *filter = NULL;
    struct job *jobs = NULL;
    uint64_t runs, *selected = NULL, n_sel = 0;
    char err[600], config[200], self[PATH_MAX], db_buf[PATH_MAX];
    int rc;

    rc = parse_options("sweep", argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    rc = load_scenario(&o, true, 0, &h, NULL, NULL);
    if (rc >= 0) {
        return rc;
    }
    rc = VNETSIM_EXIT_OK;
    /* A swept parameter varies from run to run; pinning it with -p would
     * make every run the same point.  Selecting runs is -r's job. */
    for (size_t i = 0; i < o.n_overrides; i++) {
        for (size_t v = 0; v < lsim_sweep_var_count(h); v++) {
            if (!strcmp(o.overrides[i].name, lsim_sweep_var_name(h, v))) {
                fprintf(stderr, "%s: -p %s=%s: parameter '%s' is swept; "
                        "select runs with -r '%s=%s' instead\n", o.scenario,
                        o.overrides[i].name, o.overrides[i].value,
                        o.overrides[i].name, o.overrides[i].name,
                        o.overrides[i].value);
                rc = VNETSIM_EXIT_INPUT;
                goto out;
            }
        }
    }
    host_sweep(h, &s, &vars, &values);
    if (sweep_count(&s, &runs)) {
        fprintf(stderr, "%s: the sweep has too many runs\n", o.scenario);
        rc = VNETSIM_EXIT_INPUT;
        goto out;
    }
    if (o.filter) {
        if (sweep_filter_parse(o.filter, &filter, err, sizeof err)
            || sweep_filter_check(filter, &s, err, sizeof err)) {
            fprintf(stderr, "vnetsim sweep: -r: %s\n", err);
            rc = VNETSIM_EXIT_USAGE;
            goto out;
        }
    }
    selected = calloc(runs, sizeof *selected);
    if (!selected) {
        fprintf(stderr, "vnetsim sweep: out of memory\n");
        rc = VNETSIM_EXIT_INTERNAL;
        goto out;
    }
    for (uint64_t k = 0; k < runs; k++) {
        if (!filter || sweep_filter_match(filter, &s, k)) {
            selected[n_sel++] = k;
        }
    }

    scenario_config_name(o.scenario, config, sizeof config);
    if (!o.db) {
        snprintf(db_buf, sizeof db_buf, "results/%s.db", config);
        o.db = db_buf;
        if (!o.dry_run) {
            ensure_parent_dir(o.db);
        }
    }
    bool jobs_given = o.jobs != 0;
    if (!o.jobs) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        o.jobs = ncpu > 0 ? (unsigned)ncpu : 1;
    }
    bool per_rep = lsim_seedset_repetition(h);
    int mpi_rank = 0, mpi_size = 1;
    bool mpi = mpisweep_launched(&mpi_rank, &mpi_size);
    if ((o.dry_run || o.list) && mpi_rank != 0) {
        goto out;               /* rank 0 prints the list */
    }
    if (o.list) {
        char desc[1024];
        for (uint64_t i = 0; i < n_sel; i++) {
            uint64_t k = selected[i];
            sweep_describe(&s, k, desc, sizeof desc);
            printf("%" PRIu64 "\t%" PRIu64 "\t%s\n", k,
                   sweep_seed(o.seed, per_rep, k, sweep_repetition(&s, k)),
                   desc);
        }
        goto out;
    }
    if (o.dry_run) {
        char desc[1024];
        printf("%" PRIu64 " of %" PRIu64 " runs selected:\n", n_sel, runs);
        for (uint64_t i = 0; i < n_sel; i++) {
            uint64_t k = selected[i];
            uint32_t rep = sweep_repetition(&s, k);
            sweep_describe(&s, k, desc, sizeof desc);
            printf("  run %" PRIu64 ": %s, seed %" PRIu64 "\n", k, desc,
                   sweep_seed(o.seed, per_rep, k, rep));
        }
        goto out;
    }
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) {
        fprintf(stderr, "vnetsim sweep: cannot find the vnetsim program: %s\n",
                strerror(errno));
        rc = VNETSIM_EXIT_INTERNAL;
        goto out;
    }
    self[sl] = '\0';

    if (mpi && (jobs_given || !mpisweep_library())) {
        if (mpi_rank == 0) {
            fprintf(stderr, "vnetsim sweep: started by mpirun with %d ranks,"
                    " %s\n", mpi_size, jobs_given ? "where -j does not apply:"
                    " each rank makes one run at a time (start one rank per"
                    " processor)" : "but this vnetsim was built without MPI"
                    " (./configure --with-mpi)");
        }
        rc = VNETSIM_EXIT_USAGE;
        goto out;
    }
    /* Leave out the runs the database already holds complete (under MPI,
     * after merging what an earlier job's ranks left behind). */
    uint64_t skipped = 0, n_selected = n_sel;
    if (mpi_rank == 0) {
        if (mpi && mpisweep_merge_leftovers(o.db, o.quiet ? NULL : stdout,
                                            err, sizeof err)) {
            fprintf(stderr, "vnetsim sweep: %s\n", err);
            rc = VNETSIM_EXIT_INTERNAL;
            goto out;
        }
        rc = skip_complete(&o, config, &s, per_rep, selected, &n_sel,
                           &skipped);
        if (rc >= 0) {
            goto out;
        }
        rc = VNETSIM_EXIT_OK;
        if (skipped && !o.quiet) {
            printf("sweep: %" PRIu64 " of the %" PRIu64 " selected run%s "
                   "already complete in %s: not run again\n", skipped,
                   n_selected, n_selected == 1 ? " is" : "s are", o.db);
        }
    }
    if (mpi) {
        struct sweep_ctx ctx = { &o, self, &s };
        uint64_t *seeds = calloc(n_sel + 1, sizeof *seeds);
        if (!seeds) {
            fprintf(stderr, "vnetsim sweep: out of memory\n");
            rc = VNETSIM_EXIT_INTERNAL;
            goto out;
        }
        for (uint64_t i = 0; i < n_sel; i++) {
            seeds[i] = sweep_seed(o.seed, per_rep, selected[i],
                                  sweep_repetition(&s, selected[i]));
        }
        const struct mpisweep_job job = {
            .db = o.db, .runs = selected, .seeds = seeds, .n = n_sel,
            .skipped = skipped, .quiet = o.quiet, .spawn = ctx_spawn,
            .describe = ctx_describe, .ctx = &ctx,
        };
        rc = mpisweep_run(&job);
        free(seeds);
        goto out;
    }

    /* Create the database (schema, WAL) once before the children race. */
    {
        struct res_db *db;
        if (res_open(o.db, 0, &db, err, sizeof err)) {
            fprintf(stderr, "vnetsim sweep: %s\n", err);
            rc = VNETSIM_EXIT_INTERNAL;
            goto out;
        }
        res_close(db);
    }

    jobs = calloc(o.jobs, sizeof *jobs);
    uint64_t next = 0, finished = 0, failed = 0, running = 0;
    double t0 = progress_wall_now();
    if (!jobs) {
        fprintf(stderr, "vnetsim sweep: out of memory\n");
        rc = VNETSIM_EXIT_INTERNAL;
        goto out;
    }
    if (!o.quiet) {
        printf("sweep %s: %" PRIu64 " of %" PRIu64 " runs, %u at a time, "
               "into %s\n", o.scenario, n_sel, runs, o.jobs, o.db);
    }
    while (finished < n_sel) {
        /* Start runs while there are free slots (none after an internal
         * error: then only wait for those running). */
        for (unsigned j = 0; j < o.jobs && next < n_sel
                             && rc != VNETSIM_EXIT_INTERNAL; j++) {
            if (jobs[j].pid) {
                continue;
            }
            uint64_t k = selected[next];
            uint32_t rep = sweep_repetition(&s, k);
            jobs[j].run = k;
            jobs[j].started = progress_wall_now();
            jobs[j].err = tmpfile();
            if (!jobs[j].err) {
                fprintf(stderr, "vnetsim sweep: tmpfile: %s\n",
                        strerror(errno));
                rc = VNETSIM_EXIT_INTERNAL;
                break;
            }
            jobs[j].pid = spawn_run(&o, self, k,
                                    sweep_seed(o.seed, per_rep, k, rep),
                                    o.db, jobs[j].err);
            if (jobs[j].pid < 0) {
                fprintf(stderr, "vnetsim sweep: fork: %s\n", strerror(errno));
                fclose(jobs[j].err);
                jobs[j].pid = 0;
                rc = VNETSIM_EXIT_INTERNAL;
                break;
            }
            next++;
            running++;
        }
        if (!running) {
            break;
        }
        /* Wait for one to end. */
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) {
            fprintf(stderr, "vnetsim sweep: wait: %s\n", strerror(errno));
            rc = VNETSIM_EXIT_INTERNAL;
            break;
        }
        for (unsigned j = 0; j < o.jobs; j++) {
            if (jobs[j].pid != pid) {
                continue;
            }
            int code = WIFEXITED(status) ? WEXITSTATUS(status)
                                         : VNETSIM_EXIT_INTERNAL;
            char desc[1024], line[1024];
            sweep_describe(&s, jobs[j].run, desc, sizeof desc);
            finished++;
            running--;
            if (code) {
                failed++;
                if (rc != VNETSIM_EXIT_INTERNAL) {
                    rc = code == VNETSIM_EXIT_INPUT ? VNETSIM_EXIT_INPUT
                                                    : VNETSIM_EXIT_INTERNAL;
                }
                rewind(jobs[j].err);
                if (!fgets(line, sizeof line, jobs[j].err)) {
                    snprintf(line, sizeof line, "%s\n", WIFSIGNALED(status)
                             ? strsignal(WTERMSIG(status)) : "no message");
                }
                fprintf(stderr, "run %" PRIu64 " (%s) failed: %s",
                        jobs[j].run, desc, line);
            } else if (!o.quiet) {
                printf("[%" PRIu64 "/%" PRIu64 "] run %" PRIu64 " (%s): ok "
                       "in %.2f s\n", finished, n_sel, jobs[j].run, desc,
                       progress_wall_now() - jobs[j].started);
                fflush(stdout);
            }
            fclose(jobs[j].err);
            jobs[j].pid = 0;
        }
    }
    if (!o.quiet) {
        printf("sweep done: %" PRIu64 " of %" PRIu64 " run%s, %" PRIu64
               " ok, %" PRIu64 " failed, %" PRIu64 " already complete, %.1f s,"
               " results in %s\n", finished, n_sel, n_sel == 1 ? "" : "s",
               finished - failed, failed, skipped, progress_wall_now() - t0,
               o.db);
    }

out:
    sweep_filter_free(filter);
    free(jobs);
    free(selected);
    free(vars);
    free(values);
    lsim_destroy(h);
    return rc;
}
