/*
 * merge.c -- merging results databases (merge.h) and the "vnetsim merge"
 * command.
 *
 * HOW IT WORKS.  OUT is opened (and created with the schema) through the
 * recorder, sim/results.h, then again as a plain SQLite connection with
 * foreign keys on, so that deleting a run deletes all its rows.  Each
 * input is checked (a regular file, not OUT, an SQLite database with every
 * table of the schema), ATTACHed as "src", and its runs are read with
 * their identities (sim/runid.h).  Inside one BEGIN IMMEDIATE transaction
 * each input run is matched against OUT's runs (kept in memory and
 * updated as runs are copied or deleted) and copied with INSERT ...
 * SELECT, table by table.  Ids: a parent table's rows get id + delta,
 * where delta puts the run's smallest id just above OUT's largest, so ids
 * stay unique and children follow their parents without a lookup.
 */
#include <config.h>
#include "sim/merge.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "sim/cli.h"
#include "sim/results.h"
#include "sim/runid.h"

/* The tables a vnetsim results database has (sim/results.c). */
static const char *const tables[] = {
    "run", "runAttr", "runItervar", "runConfig", "parameter", "paramAttr",
    "scalar", "scalarAttr", "statistic", "statisticAttr", "histogramBin",
    "vector", "vectorAttr", "vectorData",
};

/* Tables holding one row per run attribute: runId and these columns. */
static const char *const run_children[][2] = {
    { "runAttr", "attrName, attrValue" },
    { "runItervar", "itervarName, itervarValue" },
    { "runConfig", "configKey, configValue, configOrder" },
};

/* Tables with their own id, keyed by runId, and their child tables. */
struct owned {
    const char *table, *id, *cols;
    const char *kids[2][2];     /* table, columns after the id */
};

static const struct owned owned[] = {
    { "parameter", "paramId", "moduleName, paramName, paramValue",
      { { "paramAttr", "attrName, attrValue" } } },
    { "scalar", "scalarId", "moduleName, scalarName, scalarValue",
      { { "scalarAttr", "attrName, attrValue" } } },
    { "statistic", "statId", "moduleName, statName, isHistogram, isWeighted,"
      " statCount, statMean, statStddev, statSum, statSqrsum, statMin,"
      " statMax, statWeights, statWeightedSum, statSqrSumWeights,"
      " statWeightedSqrSum",
      { { "statisticAttr", "attrName, attrValue" },
        { "histogramBin", "lowerEdge, binValue" } } },
    { "vector", "vectorId", "moduleName, vectorName, vectorCount, vectorMin,"
      " vectorMax, vectorSum, vectorSumSqr, startEventNum, endEventNum,"
      " startSimtimeRaw, endSimtimeRaw",
      { { "vectorAttr", "attrName, attrValue" },
        { "vectorData", "eventNumber, simtimeRaw, value" } } },
};

/* Maps an SQLite result code to an errno value. */
static int
map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return EBUSY;
    case SQLITE_FULL:
        return ENOSPC;
    case SQLITE_NOMEM:
        return ENOMEM;
    case SQLITE_NOTADB:
        return EINVAL;
    default:
        return EIO;
    }
}

/* Runs 'sql' with ?1 = 'a', ?2 = 'b', ?3 = 'c' (those it has), stepping
 * to the end.  Stores the first column of the last row, if any, in
 * '*value'.  Returns an SQLite result code. */
static int
run_sql(sqlite3 *db, const char *sql, int64_t a, int64_t b, int64_t c,
        int64_t *value)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    int n;

    if (rc != SQLITE_OK) {
        return rc;
    }
    n = sqlite3_bind_parameter_count(st);
    if (n >= 1) {
        sqlite3_bind_int64(st, 1, a);
    }
    if (n >= 2) {
        sqlite3_bind_int64(st, 2, b);
    }
    if (n >= 3) {
        sqlite3_bind_int64(st, 3, c);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (value) {
            *value = sqlite3_column_int64(st, 0);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Formats 'fmt' into a fresh SQL string and runs it as run_sql(). */
static int
run_fmt(sqlite3 *db, int64_t a, int64_t b, int64_t c, int64_t *value,
        const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
run_fmt(sqlite3 *db, int64_t a, int64_t b, int64_t c, int64_t *value,
        const char *fmt, ...)
{
    va_list ap;
    char *sql;
    int rc;

    va_start(ap, fmt);
    sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    if (!sql) {
        return SQLITE_NOMEM;
    }
    rc = run_sql(db, sql, a, b, c, value);
    sqlite3_free(sql);
    return rc;
}

/* Copies run 'src_id' of "src" into "main" with all its rows; stores its
 * new runId in '*new_id'.  Returns an SQLite result code. */
static int
copy_run(sqlite3 *db, int64_t src_id, int64_t *new_id)
{
    int rc = run_sql(db, "INSERT INTO main.run (runName, simtimeExp)"
                     " SELECT runName, simtimeExp FROM src.run"
                     " WHERE runId = ?1", src_id, 0, 0, NULL);

    if (rc != SQLITE_OK) {
        return rc;
    }
    *new_id = sqlite3_last_insert_rowid(db);
    for (size_t i = 0; i < sizeof run_children / sizeof run_children[0]
                       && rc == SQLITE_OK; i++) {
        rc = run_fmt(db, src_id, *new_id, 0, NULL,
                     "INSERT INTO main.%s (runId, %s) SELECT ?2, %s"
                     " FROM src.%s WHERE runId = ?1 ORDER BY rowid",
                     run_children[i][0], run_children[i][1],
                     run_children[i][1], run_children[i][0]);
    }
    for (size_t i = 0; i < sizeof owned / sizeof owned[0] && rc == SQLITE_OK;
         i++) {
        const struct owned *t = &owned[i];
        int64_t top = 0, low = 0;

        rc = run_fmt(db, 0, 0, 0, &top, "SELECT coalesce(max(%s), 0)"
                     " FROM main.%s", t->id, t->table);
        if (rc == SQLITE_OK) {
            rc = run_fmt(db, src_id, 0, 0, &low, "SELECT coalesce(min(%s),"
                         " 0) FROM src.%s WHERE runId = ?1", t->id,
                         t->table);
        }
        if (rc == SQLITE_OK) {
            rc = run_fmt(db, src_id, *new_id, top + 1 - low, NULL,
                         "INSERT INTO main.%s (%s, runId, %s) SELECT"
                         " %s + ?3, ?2, %s FROM src.%s WHERE runId = ?1"
                         " ORDER BY %s", t->table, t->id, t->cols, t->id,
                         t->cols, t->table, t->id);
        }
        for (size_t k = 0; k < 2 && t->kids[k][0] && rc == SQLITE_OK; k++) {
            rc = run_fmt(db, src_id, *new_id, top + 1 - low, NULL,
                         "INSERT INTO main.%s (%s, %s) SELECT %s + ?3, %s"
                         " FROM src.%s WHERE %s IN (SELECT %s FROM src.%s"
                         " WHERE runId = ?1) ORDER BY rowid",
                         t->kids[k][0], t->id, t->kids[k][1], t->id,
                         t->kids[k][1], t->kids[k][0], t->id, t->id,
                         t->table);
        }
    }
    return rc;
}

/* "run 3 of mm1 ($rho=80%, seed 3)", for messages. */
static void
describe(const struct runid *r, char *buf, size_t size)
{
    snprintf(buf, size, "run %s of %s (%s%sseed %s)", r->runnumber,
             *r->config ? r->config : "?", r->itervars,
             *r->itervars ? ", " : "", r->seed);
}

/* Whether 'path' names an existing regular file; else a message. */
static bool
check_input(const char *path, const struct stat *out_st, bool out_exists,
            char *err, size_t err_size)
{
    struct stat st;

    if (stat(path, &st)) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, err_size, "%s: not a regular file", path);
        return false;
    }
    if (out_exists && st.st_dev == out_st->st_dev
        && st.st_ino == out_st->st_ino) {
        snprintf(err, err_size, "%s: this is the output database itself",
                 path);
        return false;
    }
    return true;
}

/* Checks that the database attached as 'schema' has every table of a
 * results database. */
static int
check_schema(sqlite3 *db, const char *schema, const char *path, char *err,
             size_t err_size)
{
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        int64_t n = 0;
        int rc = run_fmt(db, 0, 0, 0, &n, "SELECT count(*) FROM"
                         " %s.sqlite_master WHERE type = 'table' AND"
                         " name = '%s'", schema, tables[i]);
        if (rc != SQLITE_OK || n != 1) {
            snprintf(err, err_size, "%s: not a vnetsim results database%s%s"
                     "%s", path, rc == SQLITE_OK ? " (no table '" : "",
                     rc == SQLITE_OK ? tables[i] : "",
                     rc == SQLITE_OK ? "')" : "");
            return (rc & 0xff) == SQLITE_NOTADB || rc == SQLITE_OK ? EINVAL
                                                                 : map_rc(rc);
        }
    }
    return 0;
}

/* What to do with an input run, given OUT's runs. */
enum action { A_COPY, A_PRESENT, A_REPLACE, A_KEEP, A_CONFLICT };

static enum action
decide(const struct runid_list *outs, const struct runid *r, size_t *match)
{
    bool complete = runid_complete(r);

    for (size_t i = 0; i < outs->n; i++) {
        const struct runid *o = &outs->runs[i];
        if (!runid_same_base(o, r) || !runid_complete(o)) {
            continue;
        }
        *match = i;
        if (!complete) {
            return A_KEEP;
        }
        if (runid_same_run(o, r)) {
            return strcmp(o->fingerprint, r->fingerprint) ? A_CONFLICT
                                                           : A_PRESENT;
        }
    }
    for (size_t i = 0; i < outs->n; i++) {
        const struct runid *o = &outs->runs[i];
        if (runid_same_base(o, r) && !runid_complete(o)) {
            *match = i;
            return !complete && !strcmp(o->name, r->name)
                   && !strcmp(o->status, r->status) ? A_PRESENT : A_REPLACE;
        }
    }
    return A_COPY;
}

/* Merges the input attached as "src" inside one transaction. */
static int
merge_one(sqlite3 *db, const char *out, const char *in,
          struct runid_list *outs, FILE *report, struct merge_stats *st,
          char *err, size_t err_size)
{
    struct runid_list ins = { 0 };
    int rc, error;
    char what[512], lines[4][700];
    size_t n_lines = 0, extra = 0;

    error = runid_load(db, "src", &ins, err, err_size);
    if (error) {
        runid_list_free(&ins);
        return error;
    }
    rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    for (size_t i = 0; i < ins.n && rc == SQLITE_OK; i++) {
        struct runid *r = &ins.runs[i];
        size_t m = 0;
        int64_t new_id = 0;
        enum action a = decide(outs, r, &m);

        st->runs++;
        describe(r, what, sizeof what);
        if (a == A_CONFLICT) {
            const struct runid *o = &outs->runs[m];
            snprintf(err, err_size, "%s: %s has fingerprint %s in %s but %s"
                     " here: the same run gave different results; %s not"
                     " merged", in, what, o->fingerprint,
                     o->origin ? o->origin : out, r->fingerprint, in);
            error = EEXIST;
            break;
        }
        if (a == A_PRESENT) {
            st->present++;
            continue;
        }
        if (a == A_KEEP) {
            st->kept++;
            if (n_lines < 4) {
                snprintf(lines[n_lines++], sizeof lines[0], "  %s (%s): not"
                         " copied, %s holds it complete", what,
                         *r->status ? r->status : "no status", out);
            } else {
                extra++;
            }
            continue;
        }
        if (a == A_REPLACE) {
            const struct runid *o = &outs->runs[m];
            if (n_lines < 4) {
                snprintf(lines[n_lines++], sizeof lines[0], "  %s (%s)"
                         " replaces the %s one", what,
                         *r->status ? r->status : "no status",
                         *o->status ? o->status : "incomplete");
            } else {
                extra++;
            }
            rc = run_sql(db, "DELETE FROM main.run WHERE runId = ?1", o->id,
                         0, 0, NULL);
            runid_list_remove(outs, m);
            if (rc != SQLITE_OK) {
                break;
            }
            st->replaced++;
        } else {
            st->copied++;
        }
        rc = copy_run(db, r->id, &new_id);
        if (rc == SQLITE_OK) {
            r->id = new_id;
            r->origin = in;
            if (runid_list_add(outs, r)) {
                rc = SQLITE_NOMEM;
            }
        }
    }
    if (!error && rc == SQLITE_OK) {
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    if (!error && rc != SQLITE_OK) {
        snprintf(err, err_size, "%s: merging %s: %s", out, in,
                 rc == SQLITE_FULL ? "database or disk is full"
                 : sqlite3_errmsg(db));
        error = map_rc(rc);
    }
    if (error) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    } else if (report) {
        fprintf(report, "%s: %zu run%s", in, ins.n, ins.n == 1 ? "" : "s");
        fprintf(report, ": %zu copied, %zu already present", st->copied,
                st->present);
        if (st->replaced) {
            fprintf(report, ", %zu replaced an incomplete run", st->replaced);
        }
        if (st->kept) {
            fprintf(report, ", %zu incomplete not copied", st->kept);
        }
        fprintf(report, "\n");
        for (size_t i = 0; i < n_lines; i++) {
            fprintf(report, "%s\n", lines[i]);
        }
        if (extra) {
            fprintf(report, "  ... and %zu more\n", extra);
        }
    }
    runid_list_free(&ins);
    return error;
}

int
merge_db(const char *out, const char *const *in, size_t n_in, FILE *report,
         struct merge_stats *stats, char *err, size_t err_size)
{
    struct runid_list outs = { 0 };
    struct res_db *rdb;
    struct stat out_st;
    sqlite3 *db = NULL;
    int error;

    if (stats) {
        memset(stats, 0, sizeof *stats);
    }
    /* Check every input exists before touching OUT. */
    bool out_exists = stat(out, &out_st) == 0;
    for (size_t i = 0; i < n_in; i++) {
        if (!check_input(in[i], &out_st, out_exists, err, err_size)) {
            return EINVAL;
        }
    }
    /* An existing OUT must be a results database: res_open() would add
     * the schema to any SQLite file. */
    if (out_exists && out_st.st_size > 0) {
        int rc = sqlite3_open_v2(out, &db, SQLITE_OPEN_READONLY, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_busy_timeout(db, RES_BUSY_TIMEOUT_MS);
        }
        error = rc == SQLITE_OK ? check_schema(db, "main", out, err, err_size)
                                : EINVAL;
        if (rc != SQLITE_OK) {
            snprintf(err, err_size, "%s: not a vnetsim results database",
                     out);
        }
        sqlite3_close(db);
        db = NULL;
        if (error) {
            return error;
        }
    }
    /* Create OUT with the schema (WAL, indices). */
    error = res_open(out, 0, &rdb, err, err_size);
    if (error) {
        return error;
    }
    res_close(rdb);
    int rc = sqlite3_open_v2(out, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, RES_BUSY_TIMEOUT_MS);
        rc = sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        snprintf(err, err_size, "%s: open: %s", out,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return map_rc(rc);
    }
    error = runid_load(db, "main", &outs, err, err_size);
    for (size_t i = 0; i < n_in && !error; i++) {
        struct merge_stats one = { 0 };
        sqlite3_stmt *st;

        rc = sqlite3_prepare_v2(db, "ATTACH ?1 AS src", -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(st, 1, in[i], -1, SQLITE_STATIC);
            rc = sqlite3_step(st);
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
            sqlite3_finalize(st);
        }
        if ((rc & 0xff) == SQLITE_NOTADB) {
            snprintf(err, err_size, "%s: not a vnetsim results database",
                     in[i]);
            error = EINVAL;
            break;
        }
        if (rc != SQLITE_OK) {
            snprintf(err, err_size, "%s: cannot open: %s", in[i],
                     sqlite3_errmsg(db));
            error = map_rc(rc);
            break;
        }
        error = check_schema(db, "src", in[i], err, err_size);
        if (!error) {
            error = merge_one(db, out, in[i], &outs, report, &one, err,
                              err_size);
        }
        sqlite3_exec(db, "DETACH src", NULL, NULL, NULL);
        if (stats && !error) {
            stats->runs += one.runs;
            stats->copied += one.copied;
            stats->present += one.present;
            stats->replaced += one.replaced;
            stats->kept += one.kept;
        }
    }
    runid_list_free(&outs);
    sqlite3_close(db);
    return error;
}

/* --- vnetsim merge -------------------------------------------------------- */

static const char merge_usage[] =
    "usage: vnetsim merge OUT.db IN.db... [--quiet]\n"
    "Copies every run of the IN databases, with all its rows, into OUT\n"
    "(created if missing), one transaction per input.  A run OUT already\n"
    "holds (same scenario, run number, seed, parameters) is not copied\n"
    "again; a complete run replaces an incomplete one; the same run with\n"
    "another fingerprint is a conflict (exit 1, that input not merged).\n"
    "  --quiet            no summary lines\n";

int
vnetsim_merge_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool quiet = false;
    char err[1200];
    int c, error;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(merge_usage, stdout);
            return VNETSIM_EXIT_OK;
        default:
            fprintf(stderr, "vnetsim merge: unknown option '%s' (try "
                    "'vnetsim merge --help')\n", argv[optind - 1]);
            return VNETSIM_EXIT_USAGE;
        }
    }
    if (argc - optind < 2) {
        fprintf(stderr, "vnetsim merge: expected OUT.db and at least one "
                "IN.db (try 'vnetsim merge --help')\n");
        return VNETSIM_EXIT_USAGE;
    }
    error = merge_db(argv[optind], (const char *const *)argv + optind + 1,
                     (size_t)(argc - optind - 1), quiet ? NULL : stdout,
                     NULL, err, sizeof err);
    if (error) {
        fprintf(stderr, "vnetsim merge: %s\n", err);
        return error == EINVAL || error == EEXIST || error == ENOENT
               ? VNETSIM_EXIT_INPUT : VNETSIM_EXIT_INTERNAL;
    }
    return VNETSIM_EXIT_OK;
}
