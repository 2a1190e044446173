/*
 * results.c -- the SQLite results recorder declared in results.h.
 *
 * Every statement is prepared once per db handle.  Writes go into the
 * currently open transaction, opened on demand with BEGIN IMMEDIATE and
 * committed after RES_BATCH_ROWS rows, on res_flush() and at run end.  The
 * status attribute is the one row that changes after it is written: it is
 * inserted as "running" by res_run_begin() and updated in the last
 * transaction of the run.
 */
#include <config.h>
#include "sim/results.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"

/* The OMNeT++ 6 result schema (column names and types as OMNeT++ defines
 * them), plus indices that make per-run queries fast. */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS run ("
    " runId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    " runName TEXT NOT NULL, simtimeExp INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS runAttr ("
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " attrName TEXT NOT NULL, attrValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS runItervar ("
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " itervarName TEXT NOT NULL, itervarValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS runConfig ("
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " configKey TEXT NOT NULL, configValue TEXT NOT NULL,"
    " configOrder INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS scalar ("
    " scalarId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " moduleName TEXT NOT NULL, scalarName TEXT NOT NULL,"
    " scalarValue REAL);"
    "CREATE TABLE IF NOT EXISTS scalarAttr ("
    " scalarId INTEGER NOT NULL REFERENCES scalar(scalarId) ON DELETE CASCADE,"
    " attrName TEXT NOT NULL, attrValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS parameter ("
    " paramId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " moduleName TEXT NOT NULL, paramName TEXT NOT NULL,"
    " paramValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS paramAttr ("
    " paramId INTEGER NOT NULL REFERENCES parameter(paramId) ON DELETE CASCADE,"
    " attrName TEXT NOT NULL, attrValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS statistic ("
    " statId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " moduleName TEXT NOT NULL, statName TEXT NOT NULL,"
    " isHistogram INTEGER NOT NULL, isWeighted INTEGER NOT NULL,"
    " statCount INTEGER NOT NULL, statMean REAL, statStddev REAL,"
    " statSum REAL, statSqrsum REAL, statMin REAL, statMax REAL,"
    " statWeights REAL, statWeightedSum REAL, statSqrSumWeights REAL,"
    " statWeightedSqrSum REAL);"
    "CREATE TABLE IF NOT EXISTS statisticAttr ("
    " statId INTEGER NOT NULL REFERENCES statistic(statId) ON DELETE CASCADE,"
    " attrName TEXT NOT NULL, attrValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS histogramBin ("
    " statId INTEGER NOT NULL REFERENCES statistic(statId) ON DELETE CASCADE,"
    " lowerEdge REAL NOT NULL, binValue REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS vector ("
    " vectorId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " moduleName TEXT NOT NULL, vectorName TEXT NOT NULL,"
    " vectorCount INTEGER, vectorMin REAL, vectorMax REAL, vectorSum REAL,"
    " vectorSumSqr REAL, startEventNum INTEGER, endEventNum INTEGER,"
    " startSimtimeRaw INTEGER, endSimtimeRaw INTEGER);"
    "CREATE TABLE IF NOT EXISTS vectorAttr ("
    " vectorId INTEGER NOT NULL REFERENCES vector(vectorId) ON DELETE CASCADE,"
    " attrName TEXT NOT NULL, attrValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS vectorData ("
    " vectorId INTEGER NOT NULL REFERENCES vector(vectorId) ON DELETE CASCADE,"
    " eventNumber INTEGER NOT NULL, simtimeRaw INTEGER NOT NULL,"
    " value REAL);"
    "CREATE INDEX IF NOT EXISTS runAttr_runId ON runAttr(runId);"
    "CREATE INDEX IF NOT EXISTS scalar_runId ON scalar(runId);"
    "CREATE INDEX IF NOT EXISTS statistic_runId ON statistic(runId);"
    "CREATE INDEX IF NOT EXISTS vector_runId ON vector(runId);"
    "CREATE INDEX IF NOT EXISTS vectorData_vectorId ON vectorData(vectorId);";

enum stmt_id {
    ST_RUN, ST_RUN_ATTR, ST_STATUS, ST_ITERVAR, ST_CONFIG, ST_PARAM,
    ST_SCALAR, ST_SCALAR_ATTR, ST_STAT, ST_STAT_ATTR, ST_BIN,
    ST_VECTOR, ST_VECTOR_ATTR, ST_VECTOR_DATA, ST_VECTOR_SUMMARY,
    N_STMTS
};

static const char *const stmt_sql[N_STMTS] = {
    [ST_RUN] = "INSERT INTO run (runName, simtimeExp) VALUES (?1, ?2)",
    [ST_RUN_ATTR] = "INSERT INTO runAttr VALUES (?1, ?2, ?3)",
    [ST_STATUS] = "UPDATE runAttr SET attrValue = ?2"
                  " WHERE runId = ?1 AND attrName = 'status'",
    [ST_ITERVAR] = "INSERT INTO runItervar VALUES (?1, ?2, ?3)",
    [ST_CONFIG] = "INSERT INTO runConfig VALUES (?1, ?2, ?3, ?4)",
    [ST_PARAM] = "INSERT INTO parameter (runId, moduleName, paramName,"
                 " paramValue) VALUES (?1, ?2, ?3, ?4)",
    [ST_SCALAR] = "INSERT INTO scalar (runId, moduleName, scalarName,"
                  " scalarValue) VALUES (?1, ?2, ?3, ?4)",
    [ST_SCALAR_ATTR] = "INSERT INTO scalarAttr VALUES (?1, ?2, ?3)",
    [ST_STAT] = "INSERT INTO statistic (runId, moduleName, statName,"
                " isHistogram, isWeighted, statCount, statMean, statStddev,"
                " statSum, statSqrsum, statMin, statMax, statWeights,"
                " statWeightedSum, statSqrSumWeights, statWeightedSqrSum)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                " ?13, ?14, ?15, ?16)",
    [ST_STAT_ATTR] = "INSERT INTO statisticAttr VALUES (?1, ?2, ?3)",
    [ST_BIN] = "INSERT INTO histogramBin VALUES (?1, ?2, ?3)",
    [ST_VECTOR] = "INSERT INTO vector (runId, moduleName, vectorName)"
                  " VALUES (?1, ?2, ?3)",
    [ST_VECTOR_ATTR] = "INSERT INTO vectorAttr VALUES (?1, ?2, ?3)",
    [ST_VECTOR_DATA] = "INSERT INTO vectorData VALUES (?1, ?2, ?3, ?4)",
    [ST_VECTOR_SUMMARY] = "UPDATE vector SET vectorCount = ?2,"
                          " vectorMin = ?3, vectorMax = ?4, vectorSum = ?5,"
                          " vectorSumSqr = ?6, startEventNum = ?7,"
                          " endEventNum = ?8, startSimtimeRaw = ?9,"
                          " endSimtimeRaw = ?10 WHERE vectorId = ?1",
};

struct res_vector {
    struct res_run *run;
    int64_t id;
    uint64_t count;
    double min, max, sum, sumsqr;
    int64_t first_event, last_event;
    sim_time_t first_time, last_time;
};

struct res_run {
    struct res_db *db;
    int64_t id;
    int config_order;
    struct res_vector **vectors;
    size_t n_vectors;
};

struct res_db {
    sqlite3 *conn;
    char *path;
    bool readonly;
    sqlite3_stmt *stmts[N_STMTS];
    bool in_txn;                /* a data transaction is open */
    unsigned rows_in_txn;
    struct res_run *run;        /* the run being written, if any */
    char errmsg[512];
};

/* Maps an SQLite result code to the errno value results.h promises. */
static int
map_error(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return EBUSY;
    case SQLITE_FULL:
        return ENOSPC;
    case SQLITE_READONLY:
        return EROFS;
    case SQLITE_CANTOPEN:
        return ENOENT;
    case SQLITE_NOTADB:
    case SQLITE_MISMATCH:
    case SQLITE_CONSTRAINT:
        return EINVAL;
    case SQLITE_NOMEM:
        return ENOMEM;
    default:
        return EIO;
    }
}

/* A clearer cause than SQLite's message for the common cases. */
static const char *
explain(int rc, const char *sqlite_msg)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "database is locked by another writer (busy timeout expired)";
    case SQLITE_FULL:
        return "database or disk is full";
    case SQLITE_READONLY:
        return "database is read-only";
    case SQLITE_CANTOPEN:
        return "cannot open or create the file (missing directory, "
               "a directory, or no permission)";
    case SQLITE_NOTADB:
        return "file is not an SQLite database";
    default:
        return sqlite_msg;
    }
}

/* Records the error 'rc' of 'db' and returns its errno value. */
static int
fail(struct res_db *db, int rc, const char *what)
{
    const char *msg = db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc);

    snprintf(db->errmsg, sizeof db->errmsg, "%s: %s%s%s", db->path,
             what ? what : "", what ? ": " : "", explain(rc, msg));
    return map_error(rc);
}

const char *
res_errmsg(const struct res_db *db)
{
    return db->errmsg;
}

void
res_set_busy_timeout(struct res_db *db, int timeout_ms)
{
    sqlite3_busy_timeout(db->conn, timeout_ms);
}

static int
exec(struct res_db *db, const char *sql, const char *what)
{
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fail(db, rc, what);
}

int
res_set_max_pages(struct res_db *db, uint32_t pages)
{
    char sql[64];

    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %" PRIu32, pages);
    return exec(db, sql, "setting max_page_count");
}

static void
db_free(struct res_db *db)
{
    for (int i = 0; i < N_STMTS; i++) {
        sqlite3_finalize(db->stmts[i]);
    }
    sqlite3_close(db->conn);
    free(db->path);
    free(db);
}

int
res_open(const char *path, unsigned flags, struct res_db **out, char *err,
         size_t err_size)
{
    struct res_db *db = calloc(1, sizeof *db);
    int open_flags;
    int rc;
    int error = 0;

    *out = NULL;
    if (!db || !(db->path = strdup(path))) {
        free(db);
        snprintf(err, err_size, "%s: out of memory", path);
        return ENOMEM;
    }
    db->readonly = flags & RES_OPEN_READONLY;
    open_flags = db->readonly ? SQLITE_OPEN_READONLY
                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    rc = sqlite3_open_v2(path, &db->conn, open_flags, NULL);
    if (rc != SQLITE_OK) {
        error = fail(db, rc, "open");
        goto out;
    }
    sqlite3_extended_result_codes(db->conn, 0);
    sqlite3_busy_timeout(db->conn, 10000);
    /* Reading the schema proves the file is a database (or empty). */
    rc = sqlite3_exec(db->conn, "SELECT count(*) FROM sqlite_master",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        error = fail(db, rc, "open");
        goto out;
    }
    if (!db->readonly) {
        if ((error = exec(db, "PRAGMA journal_mode = WAL", "enabling WAL"))
            || (error = exec(db, "PRAGMA synchronous = NORMAL", NULL))
            || (error = exec(db, "PRAGMA foreign_keys = ON", NULL))
            || (error = exec(db, "BEGIN IMMEDIATE", "creating schema"))) {
            goto out;
        }
        if ((error = exec(db, schema_sql, "creating schema"))) {
            sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
            goto out;
        }
        if ((error = exec(db, "COMMIT", "creating schema"))) {
            goto out;
        }
        for (int i = 0; i < N_STMTS; i++) {
            rc = sqlite3_prepare_v3(db->conn, stmt_sql[i], -1,
                                    SQLITE_PREPARE_PERSISTENT, &db->stmts[i],
                                    NULL);
            if (rc != SQLITE_OK) {
                error = fail(db, rc, "preparing statements");
                goto out;
            }
        }
    }
out:
    if (error) {
        snprintf(err, err_size, "%s", db->errmsg);
        db_free(db);
        return error;
    }
    *out = db;
    return 0;
}

void
res_close(struct res_db *db)
{
    if (!db) {
        return;
    }
    if (db->run) {
        res_run_end(db->run, false, "not ended");
    }
    db_free(db);
}

/* --- Transactions ------------------------------------------------------ */

static int
txn_begin(struct res_db *db)
{
    if (db->in_txn) {
        return 0;
    }
    int error = exec(db, "BEGIN IMMEDIATE", "starting a transaction");
    if (!error) {
        db->in_txn = true;
        db->rows_in_txn = 0;
    }
    return error;
}

static int
txn_commit(struct res_db *db)
{
    if (!db->in_txn) {
        return 0;
    }
    int error = exec(db, "COMMIT", "committing");
    if (error) {
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
    }
    db->in_txn = false;
    db->rows_in_txn = 0;
    return error;
}

/* Binds the arguments described by 'types' ('i' int64, 'd' double, 't'
 * text, 'n' null) to statement 'id', steps it inside the data transaction
 * and resets it.  Commits the batch when it is full. */
static int
put(struct res_db *db, enum stmt_id id, const char *types, ...)
{
    sqlite3_stmt *st = db->stmts[id];
    va_list ap;
    int rc = SQLITE_OK;
    int error;

    if (db->readonly) {
        snprintf(db->errmsg, sizeof db->errmsg, "%s: opened read-only",
                 db->path);
        return EROFS;
    }
    if ((error = txn_begin(db))) {
        return error;
    }
    va_start(ap, types);
    for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
        switch (types[i]) {
        case 'i':
            rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
            break;
        case 'd':
            rc = sqlite3_bind_double(st, i + 1, va_arg(ap, double));
            break;
        case 't':
            rc = sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
                                   SQLITE_STATIC);
            break;
        default:
            rc = sqlite3_bind_null(st, i + 1);
            break;
        }
    }
    va_end(ap);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_OK) {
        error = fail(db, rc, "writing");
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
        db->in_txn = false;
        return error;
    }
    if (++db->rows_in_txn >= RES_BATCH_ROWS) {
        return txn_commit(db);
    }
    return 0;
}

/* --- Writing a run ----------------------------------------------------- */

int
res_run_begin(struct res_db *db, const char *run_name, struct res_run **out)
{
    struct res_run *run;
    int error;

    *out = NULL;
    SIM_ASSERT(!db->run);
    run = calloc(1, sizeof *run);
    if (!run) {
        return ENOMEM;
    }
    run->db = db;
    if ((error = txn_commit(db))
        || (error = put(db, ST_RUN, "ti", run_name,
                        (int64_t)RES_SIMTIME_EXP))) {
        free(run);
        return error;
    }
    run->id = sqlite3_last_insert_rowid(db->conn);
    if ((error = put(db, ST_RUN_ATTR, "itt", run->id, "status", "running"))
        || (error = txn_commit(db))) {
        free(run);
        return error;
    }
    db->run = run;
    *out = run;
    return 0;
}

int64_t
res_run_id(const struct res_run *run)
{
    return run->id;
}

int
res_run_attr(struct res_run *run, const char *name, const char *value)
{
    if (!strcmp(name, "status")) {
        return EINVAL;          /* owned by begin/end */
    }
    return put(run->db, ST_RUN_ATTR, "itt", run->id, name, value);
}

int
res_run_itervar(struct res_run *run, const char *name, const char *value)
{
    return put(run->db, ST_ITERVAR, "itt", run->id, name, value);
}

int
res_run_config(struct res_run *run, const char *key, const char *value)
{
    return put(run->db, ST_CONFIG, "itti", run->id, key, value,
               (int64_t)run->config_order++);
}

int
res_parameter(struct res_run *run, const char *module, const char *name,
              const char *value)
{
    return put(run->db, ST_PARAM, "ittt", run->id, module, name, value);
}

int
res_scalar(struct res_run *run, const char *module, const char *name,
           double value, int64_t *id)
{
    int error = put(run->db, ST_SCALAR, "ittd", run->id, module, name, value);

    if (!error && id) {
        *id = sqlite3_last_insert_rowid(run->db->conn);
    }
    return error;
}

int
res_scalar_attr(struct res_run *run, int64_t scalar_id, const char *name,
                const char *value)
{
    return put(run->db, ST_SCALAR_ATTR, "itt", scalar_id, name, value);
}

int
res_statistic(struct res_run *run, const char *module, const char *name,
              const struct res_statistic *s, int64_t *id)
{
    double n = (double)s->count;
    double mean = s->count ? s->sum / n : NAN;
    double var = s->count > 1
                 ? (s->sqrsum - s->sum * s->sum / n) / (n - 1) : NAN;
    double stddev = s->count > 1 ? sqrt(var > 0 ? var : 0) : NAN;
    int error;

    error = put(run->db, ST_STAT, "ittiiidddddddddd", run->id, module, name, (int64_t)s->is_histogram,
                (int64_t)s->is_weighted, (int64_t)s->count, mean, stddev,
                s->sum, s->sqrsum, s->count ? s->min : NAN,
                s->count ? s->max : NAN,
                s->is_weighted ? s->weights : NAN,
                s->is_weighted ? s->weighted_sum : NAN,
                s->is_weighted ? s->sqr_sum_weights : NAN,
                s->is_weighted ? s->weighted_sqr_sum : NAN);
    if (!error && id) {
        *id = sqlite3_last_insert_rowid(run->db->conn);
    }
    return error;
}

int
res_statistic_attr(struct res_run *run, int64_t stat_id, const char *name,
                   const char *value)
{
    return put(run->db, ST_STAT_ATTR, "itt", stat_id, name, value);
}

int
res_histogram_bin(struct res_run *run, int64_t stat_id, double lower_edge,
                  double value)
{
    return put(run->db, ST_BIN, "idd", stat_id, lower_edge, value);
}

int
res_vector(struct res_run *run, const char *module, const char *name,
           struct res_vector **out)
{
    struct res_vector *v = calloc(1, sizeof *v);
    struct res_vector **grown;
    int error;

    *out = NULL;
    grown = realloc(run->vectors, (run->n_vectors + 1) * sizeof *grown);
    if (!v || !grown) {
        free(v);
        if (grown) {
            run->vectors = grown;
        }
        return ENOMEM;
    }
    run->vectors = grown;
    if ((error = put(run->db, ST_VECTOR, "itt", run->id, module, name))) {
        free(v);
        return error;
    }
    v->run = run;
    v->id = sqlite3_last_insert_rowid(run->db->conn);
    run->vectors[run->n_vectors++] = v;
    *out = v;
    return 0;
}

int
res_vector_attr(struct res_vector *v, const char *name, const char *value)
{
    return put(v->run->db, ST_VECTOR_ATTR, "itt", v->id, name, value);
}

int
res_vector_append(struct res_vector *v, int64_t event_number, sim_time_t t,
                  double value)
{
    int error = put(v->run->db, ST_VECTOR_DATA, "iiid", v->id, event_number,
                    (int64_t)t, value);
    if (error) {
        return error;
    }
    if (v->count == 0) {
        v->first_event = event_number;
        v->first_time = t;
        v->min = v->max = value;
    }
    v->min = value < v->min ? value : v->min;
    v->max = value > v->max ? value : v->max;
    v->sum += value;
    v->sumsqr += value * value;
    v->last_event = event_number;
    v->last_time = t;
    v->count++;
    return 0;
}

int
res_flush(struct res_run *run)
{
    return txn_commit(run->db);
}

int
res_run_end(struct res_run *run, bool complete, const char *reason)
{
    struct res_db *db = run->db;
    int error = 0;

    for (size_t i = 0; i < run->n_vectors && !error; i++) {
        struct res_vector *v = run->vectors[i];
        if (v->count) {
            error = put(db, ST_VECTOR_SUMMARY, "iiddddiiii", v->id,
                        (int64_t)v->count, v->min, v->max, v->sum, v->sumsqr,
                        v->first_event, v->last_event, (int64_t)v->first_time,
                        (int64_t)v->last_time);
        } else {
            error = put(db, ST_VECTOR_SUMMARY, "iinnnnnnnn", v->id,
                        (int64_t)0);
        }
    }
    if (error) {
        complete = false;
        reason = "writing results failed";
    }
    /* The last transaction: failure reason and the final status. */
    if (!complete) {
        int e = put(db, ST_RUN_ATTR, "itt", run->id, "failureReason",
                    reason ? reason : "unknown");
        error = error ? error : e;
    }
    int e = put(db, ST_STATUS, "it", run->id,
                complete ? "complete" : "failed");
    error = error ? error : e;
    e = txn_commit(db);
    error = error ? error : e;

    for (size_t i = 0; i < run->n_vectors; i++) {
        free(run->vectors[i]);
    }
    free(run->vectors);
    db->run = NULL;
    free(run);
    return error;
}

/* --- Reading ----------------------------------------------------------- */

int
res_read_run_attr(struct res_db *db, int64_t run_id, const char *name,
                  char *buf, size_t size)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->conn, "SELECT attrValue FROM runAttr"
                                " WHERE runId = ?1 AND attrName = ?2",
                                -1, &st, NULL);
    int error = ENOENT;

    if (rc != SQLITE_OK) {
        return fail(db, rc, "reading");
    }
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
        error = 0;
    } else if (rc != SQLITE_DONE) {
        error = fail(db, rc, "reading");
    }
    sqlite3_finalize(st);
    return error;
}

int64_t
res_last_run_id(struct res_db *db)
{
    sqlite3_stmt *st;
    int64_t id = 0;

    if (sqlite3_prepare_v2(db->conn, "SELECT max(runId) FROM run", -1, &st,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
    }
    return id;
}

/* Runs 'sql' with 'run_id' bound to ?1 (if non-negative), printing each row
 * with 'print'. */
static int
query_rows(struct res_db *db, const char *sql, int64_t run_id, FILE *out,
           void (*print)(sqlite3_stmt *, FILE *))
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL);

    if (rc != SQLITE_OK) {
        return fail(db, rc, "reading");
    }
    if (run_id >= 0) {
        sqlite3_bind_int64(st, 1, run_id);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        print(st, out);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(db, rc, "reading");
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "-";
}

static void
print_run_line(sqlite3_stmt *st, FILE *out)
{
    fprintf(out, "%6" PRId64 "  %-9s %12s  %-18s %s\n",
            (int64_t)sqlite3_column_int64(st, 0), col_text(st, 2),
            col_text(st, 3), col_text(st, 4), col_text(st, 1));
}

int
res_print_runs(struct res_db *db, FILE *out)
{
    fprintf(out, "%6s  %-9s %12s  %-18s %s\n", "runId", "status", "events",
            "fingerprint", "runName");
    return query_rows(db,
        "SELECT r.runId, r.runName,"
        " (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId"
        "  AND attrName = 'status'),"
        " (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId"
        "  AND attrName = 'events'),"
        " (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId"
        "  AND attrName = 'fingerprint')"
        " FROM run r ORDER BY r.runId", -1, out, print_run_line);
}

static void
print_attr(sqlite3_stmt *st, FILE *out)
{
    fprintf(out, "  %-22s %s\n", col_text(st, 0), col_text(st, 1));
}

static void
print_scalar(sqlite3_stmt *st, FILE *out)
{
    fprintf(out, "  %-40s %-24s %.9g %s\n", col_text(st, 0), col_text(st, 1),
            sqlite3_column_double(st, 2),
            sqlite3_column_type(st, 3) == SQLITE_NULL ? "" : col_text(st, 3));
}

static void
print_stat(sqlite3_stmt *st, FILE *out)
{
    fprintf(out, "  %-40s %-18s n=%-9" PRId64 " mean=%-12.6g min=%-12.6g "
            "max=%.6g %s\n", col_text(st, 0), col_text(st, 1),
            (int64_t)sqlite3_column_int64(st, 2),
            sqlite3_column_double(st, 3), sqlite3_column_double(st, 4),
            sqlite3_column_double(st, 5),
            sqlite3_column_type(st, 6) == SQLITE_NULL ? "" : col_text(st, 6));
}

int
res_print_run(struct res_db *db, int64_t run_id, FILE *out)
{
    int error;

    fprintf(out, "run %" PRId64 " attributes:\n", run_id);
    error = query_rows(db, "SELECT attrName, attrValue FROM runAttr"
                       " WHERE runId = ?1 ORDER BY rowid", run_id, out,
                       print_attr);
    if (!error) {
        fprintf(out, "scalars:\n");
        error = query_rows(db, "SELECT moduleName, scalarName, scalarValue,"
                           " (SELECT attrValue FROM scalarAttr a WHERE"
                           "  a.scalarId = s.scalarId AND attrName = 'unit')"
                           " FROM scalar s WHERE runId = ?1"
                           " ORDER BY scalarId", run_id, out, print_scalar);
    }
    if (!error) {
        fprintf(out, "statistics:\n");
        error = query_rows(db, "SELECT moduleName, statName, statCount,"
                           " statMean, statMin, statMax,"
                           " (SELECT attrValue FROM statisticAttr a WHERE"
                           "  a.statId = s.statId AND attrName = 'unit')"
                           " FROM statistic s WHERE runId = ?1"
                           " ORDER BY statId", run_id, out, print_stat);
    }
    return error;
}
