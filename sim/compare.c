/*
 * compare.c -- "vnetsim compare BASE.db NEW.db": did a change move the
 * numbers?
 *
 * WHAT IS COMPARED.  Every run of both databases must be complete (a run
 * that was killed or failed is refused: its numbers mean nothing).  Runs
 * are grouped by configuration -- scenario name and iteration variables --
 * and paired within a group by repetition and seed.  For each pair:
 *
 *   - the fingerprints (a different event sequence), unless
 *     --no-fingerprint;
 *   - every scalar, as MODULE.NAME, and every statistic's mean and count,
 *     as MODULE.NAME:mean and MODULE.NAME:count, within the tolerance of
 *     cmpstat.h (exact by default; --rel-tol, --abs-tol, --tol
 *     PATTERN=REL per metric).
 *
 * When both sides have two or more repetitions of a configuration, each
 * metric's values over the repetitions are compared by Welch's t-test at
 * --level instead (the row shows the two means and p; a metric constant
 * on both sides, where the test says nothing, has its means compared
 * within tolerance), and the fingerprints of the repetitions whose seeds
 * match are compared as above: with different
 * seeds or a changed model a run-by-run threshold says little, a
 * difference of means says whether the change is real.  Runs, metrics and
 * configurations present on one side only are listed, and count as
 * differences.
 *
 * OUTPUT.  A table of the differences, largest relative change first
 * (with --all, the equal values too), then what exists on one side only,
 * then a summary line; or the same rows as CSV or JSON (--format).
 *
 * EXIT.  As diff(1): 0 everything within tolerance, 1 something differs,
 * 2 trouble (bad option, unreadable file, not a results database, an
 * incomplete run).
 */
#include <config.h>
#include "sim/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sim/cmpstat.h"
#include "sim/results.h"

enum { EXIT_SAME = 0, EXIT_DIFFERS = 1, EXIT_TROUBLE = 2 };

static const char compare_usage[] =
    "usage: vnetsim compare BASE.db NEW.db [--rel-tol R] [--abs-tol A]\n"
    "                       [--tol PATTERN=R]... [--level L] [--no-fingerprint]\n"
    "                       [--all] [--format text|csv|json]\n"
    "Compares the runs of two results databases: runs are paired by\n"
    "scenario, iteration variables, repetition and seed; fingerprints,\n"
    "scalars and statistics are compared within tolerance, and with\n"
    "repetitions on both sides by Welch's t-test of the means.\n"
    "  --rel-tol R         relative tolerance, e.g. 0.01 or 1% (default 0)\n"
    "  --abs-tol A         absolute tolerance (default 0)\n"
    "  --tol PATTERN=R     relative tolerance of the metrics matching the\n"
    "                      shell pattern, e.g. 'cpu.lp*.busy=2%' (repeatable;\n"
    "                      the first match wins)\n"
    "  --level L           significance level of the t-test (default 0.01)\n"
    "  --no-fingerprint    do not count different fingerprints\n"
    "  --all               also list the values that are the same\n"
    "  --format F          text (default), csv or json\n"
    "Exit status: 0 same within tolerance, 1 different, 2 trouble.\n";

/* --- Data --------------------------------------------------------------- */

struct metric {
    char *name;
    double value;
};

struct run {
    int64_t id;
    char *config, *itervars, *seed, *fingerprint, *status;
    long repetition;
    struct metric *m;
    size_t n_m;
    bool paired;                /* matched with a run of the other side */
    bool tested;                /* its values went into a t-test */
};

struct side {
    const char *path;
    sqlite3 *db;
    struct run *runs;
    size_t n_runs;
};

enum verdict { V_SAME, V_DIFFERS, V_ONLY_BASE, V_ONLY_NEW };

static const char *const verdict_names[] = {
    [V_SAME] = "same", [V_DIFFERS] = "differs",
    [V_ONLY_BASE] = "only in base", [V_ONLY_NEW] = "only in new",
};

struct row {
    char *run;                  /* configuration and repetition */
    char *metric;
    bool is_text;               /* a fingerprint: btext, ntext */
    char *btext, *ntext;
    double b, n;                /* NAN where absent */
    double p;                   /* t-test p, or NAN */
    enum verdict v;
};

struct opts {
    double rel, abs, level;
    struct cmp_rules rules;
    bool no_fp, all;
    enum { F_TEXT, F_CSV, F_JSON } format;
};

struct result {
    struct row *rows;
    size_t n, cap;
    size_t compared;            /* values compared */
    size_t paired;              /* run pairs and configurations tested */
};

static void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q) {
        fprintf(stderr, "vnetsim compare: out of memory\n");
        exit(EXIT_TROUBLE);
    }
    return q;
}

static char *
xstrdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;

    return memcpy(xrealloc(NULL, n), s ? s : "", n);
}

static char *
xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    s = xrealloc(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static struct row *
add_row(struct result *r, const char *run, const char *metric, enum verdict v)
{
    struct row *w;

    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->rows = xrealloc(r->rows, r->cap * sizeof *r->rows);
    }
    w = &r->rows[r->n++];
    memset(w, 0, sizeof *w);
    w->run = xstrdup(run);
    w->metric = xstrdup(metric);
    w->b = w->n = w->p = NAN;
    w->v = v;
    return w;
}

/* --- Loading ------------------------------------------------------------ */

static int
trouble(const char *path, const char *what)
{
    fprintf(stderr, "vnetsim compare: %s: %s\n", path, what);
    return EXIT_TROUBLE;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? (const char *)t : "";
}

static int
metric_cmp(const void *a_, const void *b_)
{
    const struct metric *a = a_, *b = b_;

    return strcmp(a->name, b->name);
}

static int
load_metrics(struct side *s, struct run *run)
{
    static const char sql[] =
        "SELECT moduleName || '.' || scalarName, scalarValue FROM scalar "
        "WHERE runId = ?1 "
        "UNION ALL SELECT moduleName || '.' || statName || ':mean', statMean "
        "FROM statistic WHERE runId = ?1 "
        "UNION ALL SELECT moduleName || '.' || statName || ':count', "
        "statCount FROM statistic WHERE runId = ?1";
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return trouble(s->path, sqlite3_errmsg(s->db));
    }
    sqlite3_bind_int64(st, 1, run->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (run->n_m == cap) {
            cap = cap ? 2 * cap : 256;
            run->m = xrealloc(run->m, cap * sizeof *run->m);
        }
        run->m[run->n_m].name = xstrdup(col_text(st, 0));
        run->m[run->n_m].value = sqlite3_column_type(st, 1) == SQLITE_NULL
                                 ? NAN : sqlite3_column_double(st, 1);
        run->n_m++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        return trouble(s->path, sqlite3_errmsg(s->db));
    }
    /* Stable order by name (qsort is not stable: ties keep no order, but
     * a run's metric names are unique). */
    if (run->n_m > 1) {
        qsort(run->m, run->n_m, sizeof *run->m, metric_cmp);
    }
    return -1;
}

static char *
run_label(const struct run *r, bool all_reps)
{
    if (all_reps) {
        return xasprintf("%s%s%s", r->config, *r->itervars ? " " : "",
                         r->itervars);
    }
    return xasprintf("%s%s%s #%ld", r->config, *r->itervars ? " " : "",
                     r->itervars, r->repetition);
}

static int
load_side(struct side *s)
{
    static const char sql[] =
        "SELECT r.runId, "
        "(SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND "
        "attrName = ?1), "
        "(SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND "
        "attrName = 'iterationvars'), "
        "(SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND "
        "attrName = 'repetition'), "
        "(SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND "
        "attrName = 'seed'), "
        "(SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND "
        "attrName = 'fingerprint'), "
        "(SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND "
        "attrName = 'status') "
        "FROM run r ORDER BY r.runId";
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc, err;
    FILE *f = fopen(s->path, "rb");

    if (!f) {
        return trouble(s->path, strerror(errno));
    }
    fclose(f);
    if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READONLY, NULL)
        != SQLITE_OK) {
        return trouble(s->path, sqlite3_errmsg(s->db));
    }
    /* A sweep may be writing the file: wait for its lock, as writers do. */
    sqlite3_busy_timeout(s->db, RES_BUSY_TIMEOUT_MS);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        const char *why = sqlite3_errmsg(s->db);
        if (strstr(why, "no such table") || strstr(why, "no such column")
            || strstr(why, "not a database")) {
            return trouble(s->path, "not a vnetsim results database");
        }
        return trouble(s->path, why);
    }
    sqlite3_bind_text(st, 1, "configname", -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct run *r;

        if (s->n_runs == cap) {
            cap = cap ? 2 * cap : 16;
            s->runs = xrealloc(s->runs, cap * sizeof *s->runs);
        }
        r = &s->runs[s->n_runs++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->config = xstrdup(col_text(st, 1));
        r->itervars = xstrdup(col_text(st, 2));
        r->repetition = strtol(col_text(st, 3), NULL, 10);
        r->seed = xstrdup(col_text(st, 4));
        r->fingerprint = xstrdup(col_text(st, 5));
        r->status = xstrdup(col_text(st, 6));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        const char *why = sqlite3_errmsg(s->db);
        return trouble(s->path, strstr(why, "not a database")
                                ? "not a vnetsim results database" : why);
    }
    for (size_t i = 0; i < s->n_runs; i++) {
        struct run *r = &s->runs[i];

        if (strcmp(r->status, "complete")) {
            char *label = run_label(r, false);
            fprintf(stderr, "vnetsim compare: %s: run %" PRId64 " (%s) is "
                    "not complete (status '%s'): compare needs complete "
                    "runs\n", s->path, r->id, label, r->status);
            free(label);
            return EXIT_TROUBLE;
        }
        if ((err = load_metrics(s, r)) >= 0) {
            return err;
        }
    }
    return -1;
}

static void
free_side(struct side *s)
{
    for (size_t i = 0; i < s->n_runs; i++) {
        struct run *r = &s->runs[i];
        for (size_t j = 0; j < r->n_m; j++) {
            free(r->m[j].name);
        }
        free(r->m);
        free(r->config);
        free(r->itervars);
        free(r->seed);
        free(r->fingerprint);
        free(r->status);
    }
    free(s->runs);
    sqlite3_close(s->db);
}

/* --- Comparing ---------------------------------------------------------- */

static bool
same_config(const struct run *a, const struct run *b)
{
    return !strcmp(a->config, b->config) && !strcmp(a->itervars, b->itervars);
}

static void
compare_value(struct result *res, const struct opts *o, const char *label,
              const char *name, double b, double n)
{
    double rel = cmp_rules_rel(&o->rules, name, o->rel);
    bool ok = cmp_within(b, n, o->abs, rel);
    struct row *w;

    res->compared++;
    if (ok && !o->all) {
        return;
    }
    w = add_row(res, label, name, ok ? V_SAME : V_DIFFERS);
    w->b = b;
    w->n = n;
}

/* Walks two name-sorted metric lists; calls back on pairs, lists the
 * names of one side only. */
static void
compare_pair(struct result *res, const struct opts *o, const struct run *b,
             const struct run *n)
{
    char *label = run_label(b, false);
    size_t i = 0, j = 0;

    res->paired++;
    if (!o->no_fp) {
        bool same = !strcmp(b->fingerprint, n->fingerprint);
        res->compared++;
        if (!same || o->all) {
            struct row *w = add_row(res, label, "fingerprint",
                                    same ? V_SAME : V_DIFFERS);
            w->is_text = true;
            w->btext = xstrdup(b->fingerprint);
            w->ntext = xstrdup(n->fingerprint);
        }
    }
    while (i < b->n_m || j < n->n_m) {
        int c = i == b->n_m ? 1 : j == n->n_m ? -1
                : strcmp(b->m[i].name, n->m[j].name);
        if (c == 0) {
            compare_value(res, o, label, b->m[i].name, b->m[i].value,
                          n->m[j].value);
            i++;
            j++;
        } else if (c < 0) {
            add_row(res, label, b->m[i].name, V_ONLY_BASE)->b = b->m[i].value;
            i++;
        } else {
            add_row(res, label, n->m[j].name, V_ONLY_NEW)->n = n->m[j].value;
            j++;
        }
    }
    free(label);
}

/* The runs of configuration 'key' on a side, in run order. */
static size_t
group_of(const struct side *s, const struct run *key, const struct run **out)
{
    size_t k = 0;

    for (size_t i = 0; i < s->n_runs; i++) {
        if (same_config(&s->runs[i], key)) {
            out[k++] = &s->runs[i];
        }
    }
    return k;
}

static double
value_of(const struct run *r, const char *name, bool *found)
{
    struct metric key = { (char *)name, 0 };
    const struct metric *m = r->n_m ? bsearch(&key, r->m, r->n_m,
                                              sizeof *r->m, metric_cmp)
                                    : NULL;

    *found = m != NULL;
    return m ? m->value : NAN;
}

/* Both sides have repetitions of this configuration: a t-test per metric
 * over the union of the metric names. */
static void
compare_group_stats(struct result *res, const struct opts *o,
                    const struct run **bg, size_t nb, const struct run **ng,
                    size_t nn)
{
    char *label = run_label(bg[0], true);
    double *xb = xrealloc(NULL, nb * sizeof *xb);
    double *xn = xrealloc(NULL, nn * sizeof *xn);
    size_t n_all = nb + nn;
    const struct run **all = xrealloc(NULL, n_all * sizeof *all);

    memcpy(all, bg, nb * sizeof *all);
    memcpy(all + nb, ng, nn * sizeof *all);
    res->paired++;
    /* Every name any repetition of either side has, each once (at the
     * first run that has it, base side first); a name only some
     * repetitions have is compared on the values that exist. */
    for (size_t ri = 0; ri < n_all; ri++) {
        const struct run *r = all[ri];
        for (size_t k = 0; k < r->n_m; k++) {
            const char *name = r->m[k].name;
            size_t kb = 0, kn = 0;
            bool found = false;
            double mb, vb, mn, vn, t, df, p;
            struct row *w;

            for (size_t e = 0; e < ri && !found; e++) {
                (void)value_of(all[e], name, &found);
            }
            if (found) {
                continue;               /* done at an earlier run */
            }
            for (size_t i = 0; i < nb; i++) {
                double v = value_of(bg[i], name, &found);
                if (found && !isnan(v)) {
                    xb[kb++] = v;
                }
            }
            for (size_t i = 0; i < nn; i++) {
                double v = value_of(ng[i], name, &found);
                if (found && !isnan(v)) {
                    xn[kn++] = v;
                }
            }
            if (kb < 2 || kn < 2) {
                if (kb == 0 && kn == 0) {
                    continue;       /* NaN everywhere: nothing to test */
                }
                if (kb == 0 || kn == 0) {
                    w = add_row(res, label, name,
                                kb ? V_ONLY_BASE : V_ONLY_NEW);
                    if (kb) {
                        w->b = xb[0];
                    } else {
                        w->n = xn[0];
                    }
                    continue;
                }
                /* One value on a side: compare the means by tolerance. */
                cmp_mean_var(xb, kb, &mb, &vb);
                cmp_mean_var(xn, kn, &mn, &vn);
                compare_value(res, o, label, name, mb, mn);
                continue;
            }
            cmp_mean_var(xb, kb, &mb, &vb);
            cmp_mean_var(xn, kn, &mn, &vn);
            if (vb == 0 && vn == 0) {
                /* Constant on both sides (a count, a bucketed percentile):
                 * the test has nothing to say; the tolerance decides. */
                compare_value(res, o, label, name, mb, mn);
                continue;
            }
            cmp_welch(kb, mb, vb, kn, mn, vn, &t, &df, &p);
            res->compared++;
            if (p >= o->level && !o->all) {
                continue;
            }
            w = add_row(res, label, name, p < o->level ? V_DIFFERS : V_SAME);
            w->b = mb;
            w->n = mn;
            w->p = p;
        }
    }
    free(all);
    free(xb);
    free(xn);
    free(label);
}

static void
compare_sides(struct result *res, const struct opts *o, struct side *base,
              struct side *neu)
{
    size_t max = base->n_runs > neu->n_runs ? base->n_runs : neu->n_runs;
    const struct run **bg = xrealloc(NULL, (max + 1) * sizeof *bg);
    const struct run **ng = xrealloc(NULL, (max + 1) * sizeof *ng);

    for (size_t i = 0; i < base->n_runs; i++) {
        struct run *r = &base->runs[i];
        size_t nb, nn;
        bool first = true;

        /* Each configuration once, at its first run. */
        for (size_t k = 0; k < i; k++) {
            if (same_config(&base->runs[k], r)) {
                first = false;
                break;
            }
        }
        if (!first) {
            continue;
        }
        nb = group_of(base, r, bg);
        nn = group_of(neu, r, ng);
        if (nb >= 2 && nn >= 2) {
            compare_group_stats(res, o, bg, nb, ng, nn);
            /* Every repetition took part in the test, whatever its seed. */
            for (size_t k = 0; k < nb; k++) {
                ((struct run *)bg[k])->tested = true;
            }
            for (size_t k = 0; k < nn; k++) {
                ((struct run *)ng[k])->tested = true;
            }
        }
        /* Pair runs by repetition and seed: the fingerprints always, the
         * values too when there is no t-test. */
        for (size_t a = 0; a < nb; a++) {
            for (size_t b = 0; b < nn; b++) {
                struct run *x = (struct run *)bg[a], *y = (struct run *)ng[b];
                if (y->paired || x->repetition != y->repetition
                    || strcmp(x->seed, y->seed)) {
                    continue;
                }
                x->paired = y->paired = true;
                if (nb >= 2 && nn >= 2) {
                    /* The values went to the t-test: only the
                     * fingerprints here. */
                    struct run xf = *x, yf = *y;
                    xf.n_m = yf.n_m = 0;
                    compare_pair(res, o, &xf, &yf);
                    res->paired--;          /* counted by the group */
                } else {
                    compare_pair(res, o, x, y);
                }
                break;
            }
        }
    }
    for (int side = 0; side < 2; side++) {
        struct side *s = side ? neu : base;
        for (size_t i = 0; i < s->n_runs; i++) {
            if (!s->runs[i].paired && !s->runs[i].tested) {
                char *label = run_label(&s->runs[i], false);
                char *what = xasprintf("run (seed %s)", s->runs[i].seed);
                add_row(res, label, what, side ? V_ONLY_NEW : V_ONLY_BASE);
                free(what);
                free(label);
            }
        }
    }
    free(bg);
    free(ng);
}

/* --- Output ------------------------------------------------------------- */

static double
rel_delta(const struct row *w)
{
    if (w->is_text || isnan(w->b) || isnan(w->n)) {
        return NAN;
    }
    if (w->b == 0) {
        return w->n == 0 ? 0 : INFINITY;
    }
    return (w->n - w->b) / fabs(w->b);
}

/* Order: differences, by |relative change| (fingerprints and infinite
 * changes first), then one-sided rows, then equal ones; ties by run and
 * metric. */
static int
row_rank(const struct row *w)
{
    return w->v == V_DIFFERS ? 0 : w->v == V_SAME ? 2 : 1;
}

static int
row_cmp(const void *a_, const void *b_)
{
    const struct row *a = a_, *b = b_;
    int ra = row_rank(a), rb = row_rank(b), c;

    if (ra != rb) {
        return ra - rb;
    }
    if (ra == 0) {
        double da = a->is_text ? INFINITY : fabs(rel_delta(a));
        double db = b->is_text ? INFINITY : fabs(rel_delta(b));
        if (isnan(da)) {
            da = INFINITY;
        }
        if (isnan(db)) {
            db = INFINITY;
        }
        if (da != db) {
            return da > db ? -1 : 1;
        }
    }
    c = strcmp(a->run, b->run);
    return c ? c : strcmp(a->metric, b->metric);
}

static void
fmt_num(char *buf, size_t size, double v)
{
    if (isnan(v)) {
        snprintf(buf, size, "-");
    } else {
        snprintf(buf, size, "%.6g", v);
    }
}

static void
fmt_rel(char *buf, size_t size, double r)
{
    if (isnan(r)) {
        snprintf(buf, size, "-");
    } else if (isinf(r)) {
        snprintf(buf, size, "%sinf", r > 0 ? "+" : "-");
    } else {
        snprintf(buf, size, "%+.3g%%", 100 * r);
    }
}

static void
row_fields(const struct row *w, char b[32], char n[32], char d[32],
           char r[32], char p[32])
{
    if (w->is_text) {
        snprintf(b, 32, "%s", w->btext);
        snprintf(n, 32, "%s", w->ntext);
        snprintf(d, 32, "-");
        snprintf(r, 32, "-");
    } else {
        fmt_num(b, 32, w->b);
        fmt_num(n, 32, w->n);
        fmt_num(d, 32, isnan(w->b) || isnan(w->n) ? NAN : w->n - w->b);
        fmt_rel(r, 32, rel_delta(w));
    }
    if (isnan(w->p)) {
        snprintf(p, 32, "-");
    } else {
        snprintf(p, 32, "%.3g", w->p);
    }
}

static void
csv_field(const char *s)
{
    bool quote = strpbrk(s, ",\"\n") != NULL;

    if (!quote) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"') {
            putchar('"');
        }
        putchar(*s);
    }
    putchar('"');
}

static void
json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            printf("\\%c", c);
        } else if (c < 0x20) {
            printf("\\u%04x", c);
        } else {
            putchar(c);
        }
    }
    putchar('"');
}

static void
json_number(double v)
{
    if (isnan(v)) {
        fputs("null", stdout);
    } else if (isinf(v)) {
        fputs(v > 0 ? "\"inf\"" : "\"-inf\"", stdout);
    } else {
        printf("%.17g", v);
    }
}

static void
print_rows(const struct result *res, const struct opts *o,
           const struct side *base, const struct side *neu, size_t n_diff,
           size_t n_only)
{
    char b[32], n[32], d[32], r[32], p[32];

    if (o->format == F_CSV) {
        puts("run,metric,base,new,delta,relative,p,verdict");
        for (size_t i = 0; i < res->n; i++) {
            const struct row *w = &res->rows[i];
            row_fields(w, b, n, d, r, p);
            csv_field(w->run);
            putchar(',');
            csv_field(w->metric);
            printf(",%s,%s,%s,%s,%s,%s\n", b, n, d, r, p,
                   verdict_names[w->v]);
        }
        return;
    }
    if (o->format == F_JSON) {
        fputs("{\"base\": ", stdout);
        json_string(base->path);
        printf(", \"base_runs\": %zu, \"new\": ", base->n_runs);
        json_string(neu->path);
        printf(", \"new_runs\": %zu, \"compared\": %zu, \"differences\": "
               "%zu, \"one_sided\": %zu, \"rows\": [", neu->n_runs,
               res->compared, n_diff, n_only);
        for (size_t i = 0; i < res->n; i++) {
            const struct row *w = &res->rows[i];
            fputs(i ? ",\n  {\"run\": " : "\n  {\"run\": ", stdout);
            json_string(w->run);
            fputs(", \"metric\": ", stdout);
            json_string(w->metric);
            fputs(", \"base\": ", stdout);
            if (w->is_text) {
                json_string(w->btext);
                fputs(", \"new\": ", stdout);
                json_string(w->ntext);
            } else {
                json_number(w->b);
                fputs(", \"new\": ", stdout);
                json_number(w->n);
            }
            fputs(", \"relative\": ", stdout);
            json_number(rel_delta(w));
            fputs(", \"p\": ", stdout);
            json_number(w->p);
            fputs(", \"verdict\": ", stdout);
            json_string(verdict_names[w->v]);
            putchar('}');
        }
        puts("\n]}");
        return;
    }
    printf("base %s: %zu run%s; new %s: %zu run%s; %zu compared pairs and "
           "configurations\n", base->path, base->n_runs,
           base->n_runs == 1 ? "" : "s", neu->path, neu->n_runs,
           neu->n_runs == 1 ? "" : "s", res->paired);
    if (res->n) {
        size_t wr = 3, wm = 6;
        for (size_t i = 0; i < res->n; i++) {
            size_t a = strlen(res->rows[i].run), c = strlen(res->rows[i].metric);
            wr = a > wr ? a : wr;
            wm = c > wm ? c : wm;
        }
        printf("%-*s  %-*s  %16s  %16s  %12s  %9s  %8s  %s\n", (int)wr, "run",
               (int)wm, "metric", "base", "new", "delta", "relative", "p",
               "verdict");
        for (size_t i = 0; i < res->n; i++) {
            const struct row *w = &res->rows[i];
            row_fields(w, b, n, d, r, p);
            printf("%-*s  %-*s  %16s  %16s  %12s  %9s  %8s  %s\n", (int)wr,
                   w->run, (int)wm, w->metric, b, n, d, r, p,
                   verdict_names[w->v]);
        }
    }
    printf("%zu of %zu values differ beyond tolerance; %zu present on one "
           "side only\n", n_diff, res->compared, n_only);
}

/* --- The command -------------------------------------------------------- */

enum { OPT_REL = 256, OPT_ABS, OPT_TOL, OPT_LEVEL, OPT_NOFP, OPT_ALL,
       OPT_FORMAT, OPT_HELP };

static int
parse(int argc, char **argv, struct opts *o, const char **bpath,
      const char **npath)
{
    static const struct option longopts[] = {
        { "rel-tol", required_argument, NULL, OPT_REL },
        { "abs-tol", required_argument, NULL, OPT_ABS },
        { "tol", required_argument, NULL, OPT_TOL },
        { "level", required_argument, NULL, OPT_LEVEL },
        { "no-fingerprint", no_argument, NULL, OPT_NOFP },
        { "all", no_argument, NULL, OPT_ALL },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    int c;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        const char *bad = NULL;
        int err;

        switch (c) {
        case OPT_REL:
            bad = cmp_parse_tol(optarg, &o->rel)
                  ? "--rel-tol: expected a number >= 0 or a percentage" : NULL;
            break;
        case OPT_ABS:
            bad = cmp_parse_tol(optarg, &o->abs)
                  ? "--abs-tol: expected a number >= 0" : NULL;
            break;
        case OPT_TOL:
            err = cmp_rules_add(&o->rules, optarg);
            bad = err == EINVAL ? "--tol: expected PATTERN=TOLERANCE, e.g. "
                                  "'cpu.lp*.busy=2%'" : NULL;
            if (err == ENOMEM) {
                fprintf(stderr, "vnetsim compare: out of memory\n");
                return EXIT_TROUBLE;
            }
            break;
        case OPT_LEVEL:
            bad = cmp_parse_tol(optarg, &o->level) || o->level <= 0
                  || o->level >= 1
                  ? "--level: expected a probability between 0 and 1" : NULL;
            break;
        case OPT_NOFP:
            o->no_fp = true;
            break;
        case OPT_ALL:
            o->all = true;
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "text")) {
                o->format = F_TEXT;
            } else if (!strcmp(optarg, "csv")) {
                o->format = F_CSV;
            } else if (!strcmp(optarg, "json")) {
                o->format = F_JSON;
            } else {
                bad = "--format: expected text, csv or json";
            }
            break;
        case OPT_HELP:
            fputs(compare_usage, stdout);
            return EXIT_SAME;
        case ':':
            fprintf(stderr, "vnetsim compare: option '%s' needs a value\n",
                    argv[optind - 1]);
            return EXIT_TROUBLE;
        default:
            fprintf(stderr, "vnetsim compare: unknown option '%s' (try "
                    "'vnetsim compare --help')\n", argv[optind - 1]);
            return EXIT_TROUBLE;
        }
        if (bad) {
            fprintf(stderr, "vnetsim compare: %s, got '%s'\n", bad, optarg);
            return EXIT_TROUBLE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "vnetsim compare: expected BASE.db NEW.db (try "
                "'vnetsim compare --help')\n");
        return EXIT_TROUBLE;
    }
    *bpath = argv[optind];
    *npath = argv[optind + 1];
    return -1;
}

int
vnetsim_compare_main(int argc, char **argv)
{
    struct opts o = { .level = 0.01, .format = F_TEXT };
    struct side base = { 0 }, neu = { 0 };
    struct result res = { 0 };
    size_t n_diff = 0, n_only = 0;
    int rc;

    rc = parse(argc, argv, &o, &base.path, &neu.path);
    if (rc < 0 && (rc = load_side(&base)) < 0 && (rc = load_side(&neu)) < 0) {
        compare_sides(&res, &o, &base, &neu);
        if (res.n > 1) {
            qsort(res.rows, res.n, sizeof *res.rows, row_cmp);
        }
        for (size_t i = 0; i < res.n; i++) {
            n_diff += res.rows[i].v == V_DIFFERS;
            n_only += res.rows[i].v == V_ONLY_BASE
                      || res.rows[i].v == V_ONLY_NEW;
        }
        print_rows(&res, &o, &base, &neu, n_diff, n_only);
        rc = n_diff || n_only ? EXIT_DIFFERS : EXIT_SAME;
        if (fflush(stdout) || ferror(stdout)) {
            fprintf(stderr, "vnetsim compare: cannot write the output\n");
            rc = EXIT_TROUBLE;
        }
    }
    for (size_t i = 0; i < res.n; i++) {
        free(res.rows[i].run);
        free(res.rows[i].metric);
        free(res.rows[i].btext);
        free(res.rows[i].ntext);
    }
    free(res.rows);
    cmp_rules_free(&o.rules);
    free_side(&base);
    free_side(&neu);
    return rc;
}
