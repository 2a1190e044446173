/*
 * results.c -- the SQLite results recorder declared in results.h.
 *
 * Statements are prepared once per writable handle.  A run keeps a queue
 * of rows (statement, arguments) in memory; flush() writes the whole queue
 * in one BEGIN IMMEDIATE ... COMMIT transaction.  Rows that create a parent
 * (scalar, statistic, vector) learn their SQLite id only when written, so
 * child rows name their parent by a run-local handle (an index) that
 * flush() resolves: a parent is always queued, hence written, before its
 * children.  The status attribute is the one row that changes after it is
 * written: inserted as "running" by res_run_begin_attrs() and updated by
 * the last statement of res_run_end().
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

/* The OMNeT++ 6 result schema: the tables, column names, types and
 * constraints that OMNeT++ 6 creates, plus indices for per-run queries.
 * REAL columns that may hold NaN cannot be NOT NULL, because SQLite stores
 * a NaN as NULL. */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS run ("
    " runId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    " runName TEXT NOT NULL,"
    " simtimeExp INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS runAttr ("
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " attrName TEXT NOT NULL,"
    " attrValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS runItervar ("
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " itervarName TEXT NOT NULL,"
    " itervarValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS runConfig ("
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " configKey TEXT NOT NULL,"
    " configValue TEXT NOT NULL,"
    " configOrder INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS scalar ("
    " scalarId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " moduleName TEXT NOT NULL,"
    " scalarName TEXT NOT NULL,"
    " scalarValue REAL);"
    "CREATE TABLE IF NOT EXISTS scalarAttr ("
    " scalarId INTEGER NOT NULL REFERENCES scalar(scalarId)"
    "  ON DELETE CASCADE,"
    " attrName TEXT NOT NULL,"
    " attrValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS parameter ("
    " paramId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " moduleName TEXT NOT NULL,"
    " paramName TEXT NOT NULL,"
    " paramValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS paramAttr ("
    " paramId INTEGER NOT NULL REFERENCES parameter(paramId)"
    "  ON DELETE CASCADE,"
    " attrName TEXT NOT NULL,"
    " attrValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS statistic ("
    " statId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " moduleName TEXT NOT NULL,"
    " statName TEXT NOT NULL,"
    " isHistogram INTEGER NOT NULL,"
    " isWeighted INTEGER NOT NULL,"
    " statCount INTEGER NOT NULL,"
    " statMean REAL, statStddev REAL, statSum REAL, statSqrsum REAL,"
    " statMin REAL, statMax REAL, statWeights REAL, statWeightedSum REAL,"
    " statSqrSumWeights REAL, statWeightedSqrSum REAL);"
    "CREATE TABLE IF NOT EXISTS statisticAttr ("
    " statId INTEGER NOT NULL REFERENCES statistic(statId)"
    "  ON DELETE CASCADE,"
    " attrName TEXT NOT NULL,"
    " attrValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS histogramBin ("
    " statId INTEGER NOT NULL REFERENCES statistic(statId)"
    "  ON DELETE CASCADE,"
    " lowerEdge REAL NOT NULL,"
    " binValue REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS vector ("
    " vectorId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    " runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,"
    " moduleName TEXT NOT NULL,"
    " vectorName TEXT NOT NULL,"
    " vectorCount INTEGER, vectorMin REAL, vectorMax REAL, vectorSum REAL,"
    " vectorSumSqr REAL, startEventNum INTEGER, endEventNum INTEGER,"
    " startSimtimeRaw INTEGER, endSimtimeRaw INTEGER);"
    "CREATE TABLE IF NOT EXISTS vectorAttr ("
    " vectorId INTEGER NOT NULL REFERENCES vector(vectorId)"
    "  ON DELETE CASCADE,"
    " attrName TEXT NOT NULL,"
    " attrValue TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS vectorData ("
    " vectorId INTEGER NOT NULL REFERENCES vector(vectorId)"
    "  ON DELETE CASCADE,"
    " eventNumber INTEGER NOT NULL,"
    " simtimeRaw INTEGER NOT NULL,"
    " value REAL);"
    "CREATE INDEX IF NOT EXISTS runAttr_runId ON runAttr(runId);"
    "CREATE INDEX IF NOT EXISTS runItervar_runId ON runItervar(runId);"
    "CREATE INDEX IF NOT EXISTS scalar_runId ON scalar(runId);"
    "CREATE INDEX IF NOT EXISTS scalarAttr_scalarId ON scalarAttr(scalarId);"
    "CREATE INDEX IF NOT EXISTS statistic_runId ON statistic(runId);"
    "CREATE INDEX IF NOT EXISTS histogramBin_statId ON histogramBin(statId);"
    "CREATE INDEX IF NOT EXISTS vector_runId ON vector(runId);"
    "CREATE INDEX IF NOT EXISTS vectorData_vectorId ON vectorData(vectorId);";

/* How many tables and indices schema_sql creates, and a query counting
 * those present: when all are, opening needs no write transaction. */
#define SCHEMA_OBJECTS 22
static const char schema_count_sql[] =
    "SELECT count(*) FROM sqlite_master WHERE name IN ("
    "'run','runAttr','runItervar','runConfig','scalar','scalarAttr',"
    "'parameter','paramAttr','statistic','statisticAttr','histogramBin',"
    "'vector','vectorAttr','vectorData','runAttr_runId','runItervar_runId',"
    "'scalar_runId','scalarAttr_scalarId','statistic_runId',"
    "'histogramBin_statId','vector_runId','vectorData_vectorId')";

enum stmt_id {
    ST_RUN, ST_RUN_ATTR, ST_STATUS, ST_ITERVAR, ST_CONFIG, ST_PARAM,
    ST_SCALAR, ST_SCALAR_ATTR, ST_STAT, ST_STAT_ATTR, ST_BIN,
    ST_VECTOR, ST_VECTOR_ATTR, ST_VECTOR_DATA, ST_VECTOR_SUMMARY,
    N_STMTS
};

static const char *const stmt_sql[N_STMTS] = {
    [ST_RUN] = "INSERT INTO run (runName, simtimeExp) VALUES (?1, ?2)",
    [ST_RUN_ATTR] = "INSERT INTO runAttr (runId, attrName, attrValue)"
                    " VALUES (?1, ?2, ?3)",
    [ST_STATUS] = "UPDATE runAttr SET attrValue = ?2"
                  " WHERE runId = ?1 AND attrName = 'status'",
    [ST_ITERVAR] = "INSERT INTO runItervar (runId, itervarName,"
                   " itervarValue) VALUES (?1, ?2, ?3)",
    [ST_CONFIG] = "INSERT INTO runConfig (runId, configKey, configValue,"
                  " configOrder) VALUES (?1, ?2, ?3, ?4)",
    [ST_PARAM] = "INSERT INTO parameter (runId, moduleName, paramName,"
                 " paramValue) VALUES (?1, ?2, ?3, ?4)",
    [ST_SCALAR] = "INSERT INTO scalar (runId, moduleName, scalarName,"
                  " scalarValue) VALUES (?1, ?2, ?3, ?4)",
    [ST_SCALAR_ATTR] = "INSERT INTO scalarAttr (scalarId, attrName,"
                       " attrValue) VALUES (?1, ?2, ?3)",
    [ST_STAT] = "INSERT INTO statistic (runId, moduleName, statName,"
                " isHistogram, isWeighted, statCount, statMean, statStddev,"
                " statSum, statSqrsum, statMin, statMax, statWeights,"
                " statWeightedSum, statSqrSumWeights, statWeightedSqrSum)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                " ?13, ?14, ?15, ?16)",
    [ST_STAT_ATTR] = "INSERT INTO statisticAttr (statId, attrName,"
                     " attrValue) VALUES (?1, ?2, ?3)",
    [ST_BIN] = "INSERT INTO histogramBin (statId, lowerEdge, binValue)"
               " VALUES (?1, ?2, ?3)",
    [ST_VECTOR] = "INSERT INTO vector (runId, moduleName, vectorName)"
                  " VALUES (?1, ?2, ?3)",
    [ST_VECTOR_ATTR] = "INSERT INTO vectorAttr (vectorId, attrName,"
                       " attrValue) VALUES (?1, ?2, ?3)",
    [ST_VECTOR_DATA] = "INSERT INTO vectorData (vectorId, eventNumber,"
                       " simtimeRaw, value) VALUES (?1, ?2, ?3, ?4)",
    [ST_VECTOR_SUMMARY] = "UPDATE vector SET vectorCount = ?2,"
                          " vectorMin = ?3, vectorMax = ?4, vectorSum = ?5,"
                          " vectorSumSqr = ?6, startEventNum = ?7,"
                          " endEventNum = ?8, startSimtimeRaw = ?9,"
                          " endSimtimeRaw = ?10 WHERE vectorId = ?1",
};

/* One queued value.  'type' says how flush() binds it:
 *   'i' int64, 'd' double, 't' text (owned by the queue), 'n' NULL,
 *   'S' scalar handle, 'T' statistic handle, 'V' vector index: the last
 *   three are resolved to the SQLite id their parent row got. */
struct arg {
    char type;
    union {
        int64_t i;
        double d;
        char *t;
    } u;
};

/* One queued row: statement 'st' with 'n' arguments from args[first]. */
struct row {
    enum stmt_id st;
    unsigned n;
    size_t first;
};

struct res_vector {
    struct res_run *run;
    size_t index;               /* in run->vectors, its handle in the queue */
    int64_t id;                 /* vectorId, 0 until its row is written */
    bool closed;                /* summary queued */
    uint64_t count;
    double min, max, sum, sumsqr;
    int64_t first_event, last_event;
    sim_time_t first_time, last_time;
};

/* A growable array of int64: the SQLite ids of scalars or statistics,
 * indexed by handle - 1, 0 until written. */
struct idmap {
    int64_t *ids;
    size_t n, cap;
};

struct res_run {
    struct res_db *db;
    int64_t id;                 /* runId */
    int64_t config_order;
    struct row *rows;           /* the queue */
    size_t n_rows, cap_rows;
    struct arg *args;
    size_t n_args, cap_args;
    struct idmap scalars, stats;
    struct res_vector **vectors;
    size_t n_vectors, cap_vectors;
    bool ending;                /* in res_run_end(): no automatic flush */
    int error;                  /* sticky: the first failed write */
    char failure[512];          /* its message */
};

struct res_db {
    sqlite3 *conn;
    char *path;
    bool readonly;
    sqlite3_stmt *stmts[N_STMTS];
    struct res_run *run;        /* the run being written, if any */
    int busy_ms;                /* the busy timeout */
    char errmsg[512];
};

/* --- Errors ------------------------------------------------------------ */

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

/* Records "PATH: what: cause" for SQLite error 'rc' on 'db' and returns
 * its errno value. */
static int
fail(struct res_db *db, int rc, const char *what)
{
    const char *msg = db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc);

    snprintf(db->errmsg, sizeof db->errmsg, "%s: %s: %s", db->path, what,
             explain(rc, msg));
    return map_error(rc);
}

/* Records "PATH: what: cause" for a failure that is not SQLite's and
 * returns 'error'. */
static int
fail_errno(struct res_db *db, int error, const char *what, const char *cause)
{
    snprintf(db->errmsg, sizeof db->errmsg, "%s: %s: %s", db->path, what,
             cause);
    return error;
}

/* Makes 'error' (whose message is in db->errmsg) the sticky error of
 * 'run' unless it already has one; returns the sticky error. */
static int
poison(struct res_run *run, int error)
{
    if (!run->error) {
        run->error = error;
        snprintf(run->failure, sizeof run->failure, "%s", run->db->errmsg);
    }
    return run->error;
}

/* Returns the sticky error of 'run' (restoring its message), or 0. */
static int
sticky(struct res_run *run)
{
    if (run->error) {
        snprintf(run->db->errmsg, sizeof run->db->errmsg, "%s",
                 run->failure);
    }
    return run->error;
}

const char *
res_errmsg(const struct res_db *db)
{
    return db->errmsg;
}

/* --- Opening and closing ----------------------------------------------- */

static int
exec(struct res_db *db, const char *sql, const char *what)
{
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fail(db, rc, what);
}

void
res_set_busy_timeout(struct res_db *db, int timeout_ms)
{
    db->busy_ms = timeout_ms;
    sqlite3_busy_timeout(db->conn, timeout_ms);
}

/* Switches the file to WAL.  On a new file that needs an exclusive lock,
 * and SQLite answers SQLITE_BUSY at once, without calling the busy
 * handler, while another process (e.g. a second sweep worker creating the
 * same file) holds any lock: so wait here too, up to the busy timeout. */
static int
enable_wal(struct res_db *db)
{
    for (int waited_ms = 0;; waited_ms += 5) {
        int rc = sqlite3_exec(db->conn, "PRAGMA journal_mode = WAL", NULL,
                              NULL, NULL);
        if (rc == SQLITE_OK) {
            return 0;
        }
        if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            || waited_ms >= db->busy_ms) {
            return fail(db, rc, "enabling WAL");
        }
        sqlite3_sleep(5);
    }
}

int
res_set_max_pages(struct res_db *db, uint32_t pages)
{
    char sql[64];

    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %" PRIu32, pages);
    return exec(db, sql, "setting max_page_count");
}

/* Stores the single integer 'sql' returns in '*value'. */
static int
query_int(struct res_db *db, const char *sql, int64_t bind, int64_t *value,
          const char *what)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL);

    if (rc != SQLITE_OK) {
        return fail(db, rc, what);
    }
    if (sqlite3_bind_parameter_count(st) > 0) {
        sqlite3_bind_int64(st, 1, bind);
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *value = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : fail(db, rc, what);
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

/* Creates whatever part of the schema is missing, in one transaction, and
 * prepares the write statements. */
static int
prepare_for_writing(struct res_db *db)
{
    int64_t present = 0;
    int error;

    if ((error = enable_wal(db))
        || (error = exec(db, "PRAGMA synchronous = NORMAL", "open"))
        || (error = exec(db, "PRAGMA foreign_keys = ON", "open"))
        || (error = query_int(db, schema_count_sql, 0, &present, "open"))) {
        return error;
    }
    if (present != SCHEMA_OBJECTS) {
        if ((error = exec(db, "BEGIN IMMEDIATE", "creating the schema"))) {
            return error;
        }
        if ((error = exec(db, schema_sql, "creating the schema"))
            || (error = exec(db, "COMMIT", "creating the schema"))) {
            sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
            return error;
        }
    }
    for (int i = 0; i < N_STMTS; i++) {
        int rc = sqlite3_prepare_v3(db->conn, stmt_sql[i], -1,
                                    SQLITE_PREPARE_PERSISTENT, &db->stmts[i],
                                    NULL);
        if (rc != SQLITE_OK) {
            /* A table of ours exists with other columns. */
            char cause[400];
            snprintf(cause, sizeof cause, "not an OMNeT++ 6 result file (%s)",
                     sqlite3_errmsg(db->conn));
            return fail_errno(db, EINVAL, "open", cause);
        }
    }
    return 0;
}

int
res_open(const char *path, unsigned flags, struct res_db **out, char *err,
         size_t err_size)
{
    struct res_db *db = calloc(1, sizeof *db);
    int64_t present = 0;
    int rc;
    int error = 0;

    *out = NULL;
    if (!db || !(db->path = strdup(path))) {
        free(db);
        snprintf(err, err_size, "%s: open: out of memory", path);
        return ENOMEM;
    }
    db->readonly = flags & RES_OPEN_READONLY;
    rc = sqlite3_open_v2(path, &db->conn, db->readonly
                         ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        error = fail(db, rc, "open");
        goto out;
    }
    sqlite3_extended_result_codes(db->conn, 0);
    res_set_busy_timeout(db, RES_BUSY_TIMEOUT_MS);
    /* Reading the schema proves the file is a database (or empty). */
    if ((error = query_int(db, schema_count_sql, 0, &present, "open"))) {
        goto out;
    }
    if (!db->readonly) {
        error = prepare_for_writing(db);
    } else if (present != SCHEMA_OBJECTS) {
        int64_t has_run = 0;
        error = query_int(db, "SELECT count(*) FROM sqlite_master"
                          " WHERE name IN ('run', 'runAttr')", 0, &has_run,
                          "open");
        if (!error && has_run != 2) {
            error = fail_errno(db, EINVAL, "open",
                               "not a result file (no run table)");
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

/* --- The queue --------------------------------------------------------- */

/* Returns array 'p' (capacity '*cap' elements of 'size' bytes) grown to
 * hold at least 'need' elements, updating '*cap'; NULL if out of memory,
 * with 'p' and '*cap' unchanged. */
static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 64;
    void *q;

    if (need <= *cap) {
        return p;
    }
    while (n < need) {
        n *= 2;
    }
    q = realloc(p, n * size);
    if (q) {
        *cap = n;
    }
    return q;
}

/* Empties the queue of 'run', freeing its strings. */
static void
queue_clear(struct res_run *run)
{
    for (size_t i = 0; i < run->n_args; i++) {
        if (run->args[i].type == 't') {
            free(run->args[i].u.t);
        }
    }
    run->n_rows = 0;
    run->n_args = 0;
}

/* Binds 'n' arguments 'a' to statement 'st' of 'run' (resolving handles),
 * steps it and resets it.  Returns an SQLite result code. */
static int
bind_step(struct res_run *run, sqlite3_stmt *st, const struct arg *a,
          unsigned n)
{
    int rc = SQLITE_OK;

    for (unsigned i = 0; i < n && rc == SQLITE_OK; i++) {
        int col = (int)i + 1;
        int64_t id;

        switch (a[i].type) {
        case 'i':
            rc = sqlite3_bind_int64(st, col, a[i].u.i);
            break;
        case 'd':
            rc = sqlite3_bind_double(st, col, a[i].u.d);
            break;
        case 't':
            rc = sqlite3_bind_text(st, col, a[i].u.t, -1, SQLITE_STATIC);
            break;
        case 'S':
        case 'T':
        case 'V':
            id = a[i].type == 'S' ? run->scalars.ids[a[i].u.i]
                 : a[i].type == 'T' ? run->stats.ids[a[i].u.i]
                 : run->vectors[a[i].u.i]->id;
            SIM_ASSERT(id > 0);     /* parents are written first */
            rc = sqlite3_bind_int64(st, col, id);
            break;
        default:
            rc = sqlite3_bind_null(st, col);
            break;
        }
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Writes the queue of 'run' in one transaction and empties it.  On
 * failure nothing of the queue is written and the error becomes sticky. */
static int
flush(struct res_run *run)
{
    struct res_db *db = run->db;
    int rc = SQLITE_OK;
    int error;

    if (run->n_rows == 0) {
        return 0;
    }
    if ((error = exec(db, "BEGIN IMMEDIATE", "writing"))) {
        queue_clear(run);
        return poison(run, error);
    }
    for (size_t r = 0; r < run->n_rows && rc == SQLITE_OK; r++) {
        const struct row *row = &run->rows[r];
        rc = bind_step(run, db->stmts[row->st], &run->args[row->first],
                       row->n);
        if (rc == SQLITE_OK) {
            int64_t id = sqlite3_last_insert_rowid(db->conn);
            const struct arg *a = &run->args[row->first];
            /* The handle of a parent row is its last argument slot. */
            if (row->st == ST_SCALAR) {
                run->scalars.ids[a[row->n].u.i] = id;
            } else if (row->st == ST_STAT) {
                run->stats.ids[a[row->n].u.i] = id;
            } else if (row->st == ST_VECTOR) {
                run->vectors[a[row->n].u.i]->id = id;
            }
        }
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(db->conn, "COMMIT", NULL, NULL, NULL);
    }
    queue_clear(run);
    if (rc != SQLITE_OK) {
        error = fail(db, rc, "writing");
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
        return poison(run, error);
    }
    return 0;
}

/* Queues statement 'st' with arguments described by 'types' (see struct
 * arg; 'S', 'T' and 'V' take a handle index as int64_t).  If 'extra', one
 * more slot after the arguments holds the handle index 'handle' under
 * which flush() stores the new row's id.  Copies texts.  Returns 0 or
 * ENOMEM with the queue unchanged. */
static int
push(struct res_run *run, enum stmt_id st, int64_t handle, bool extra,
     const char *types, va_list ap)
{
    unsigned n = (unsigned)strlen(types);
    size_t first = run->n_args;
    struct row *rows;
    struct arg *args, *a;

    rows = grow(run->rows, &run->cap_rows, run->n_rows + 1, sizeof *rows);
    if (!rows) {
        return ENOMEM;
    }
    run->rows = rows;
    args = grow(run->args, &run->cap_args, first + n + extra, sizeof *args);
    if (!args) {
        return ENOMEM;
    }
    run->args = args;
    a = &args[first];
    for (unsigned i = 0; i < n; i++) {
        a[i].type = types[i];
        switch (types[i]) {
        case 'd':
            a[i].u.d = va_arg(ap, double);
            break;
        case 't':
            a[i].u.t = strdup(va_arg(ap, const char *));
            if (!a[i].u.t) {
                for (unsigned j = 0; j < i; j++) {
                    if (a[j].type == 't') {
                        free(a[j].u.t);
                    }
                }
                return ENOMEM;
            }
            break;
        case 'n':
            break;
        default:
            a[i].u.i = va_arg(ap, int64_t);
            break;
        }
    }
    if (extra) {
        a[n].type = 'n';
        a[n].u.i = handle;
    }
    run->rows[run->n_rows++] = (struct row){ .st = st, .n = n,
                                             .first = first };
    run->n_args = first + n + extra;
    return 0;
}

/* The one way data enters a run: refuses if the run already failed,
 * queues the row, and writes the batch when it is full (not while the
 * run is ending, whose rows must share one transaction).  'handle' and
 * 'extra' as for push(). */
static int
put_row(struct res_run *run, enum stmt_id st, int64_t handle, bool extra,
        const char *types, ...)
{
    va_list ap;
    int error;

    if ((error = sticky(run))) {
        return error;
    }
    va_start(ap, types);
    error = push(run, st, handle, extra, types, ap);
    va_end(ap);
    if (error) {
        return poison(run, fail_errno(run->db, error, "writing",
                                      "out of memory"));
    }
    if (run->n_rows >= RES_BATCH_ROWS && !run->ending) {
        return flush(run);
    }
    return 0;
}

#define PUT(run, st, ...) put_row((run), (st), 0, false, __VA_ARGS__)

/* Records a misuse by the caller: EINVAL, sticky, with 'cause'. */
static int
misuse(struct res_run *run, const char *cause)
{
    if (run->error) {
        return sticky(run);
    }
    return poison(run, fail_errno(run->db, EINVAL, "writing", cause));
}

/* Allocates the next handle of 'map' (index into it). */
static int
new_handle(struct res_run *run, struct idmap *map, size_t *index)
{
    int64_t *ids = grow(map->ids, &map->cap, map->n + 1, sizeof *ids);

    if (!ids) {
        return poison(run, fail_errno(run->db, ENOMEM, "writing",
                                      "out of memory"));
    }
    map->ids = ids;
    *index = map->n;
    map->ids[map->n++] = 0;
    return 0;
}

/* Checks that 'handle' (as returned to the caller) names an entry of
 * 'map' and stores its index in '*index'. */
static bool
valid_handle(const struct idmap *map, int64_t handle, int64_t *index)
{
    *index = handle - 1;
    return handle >= 1 && (uint64_t)handle <= map->n;
}

/* --- Writing a run ----------------------------------------------------- */

static void
run_free(struct res_run *run)
{
    queue_clear(run);
    for (size_t i = 0; i < run->n_vectors; i++) {
        free(run->vectors[i]);
    }
    free(run->vectors);
    free(run->rows);
    free(run->args);
    free(run->scalars.ids);
    free(run->stats.ids);
    free(run);
}

int
res_run_begin(struct res_db *db, const char *run_name, struct res_run **out)
{
    return res_run_begin_attrs(db, run_name, NULL, 0, out);
}

int
res_run_begin_attrs(struct res_db *db, const char *run_name,
                    const struct res_attr *attrs, size_t n_attrs,
                    struct res_run **out)
{
    struct res_run *run;
    int rc;
    int error;

    *out = NULL;
    SIM_ASSERT(!db->run);
    if (db->readonly) {
        return fail_errno(db, EROFS, "writing", "opened read-only");
    }
    for (size_t i = 0; i < n_attrs; i++) {
        if (!strcmp(attrs[i].name, "status")) {
            return fail_errno(db, EINVAL, "writing",
                              "attribute 'status' is set by the recorder");
        }
    }
    run = calloc(1, sizeof *run);
    if (!run) {
        return fail_errno(db, ENOMEM, "writing", "out of memory");
    }
    run->db = db;
    if ((error = exec(db, "BEGIN IMMEDIATE", "beginning a run"))) {
        free(run);
        return error;
    }
    rc = bind_step(run, db->stmts[ST_RUN], (struct arg[]){
        { 't', { .t = (char *)run_name } },
        { 'i', { .i = RES_SIMTIME_EXP } } }, 2);
    run->id = sqlite3_last_insert_rowid(db->conn);
    for (size_t i = 0; i <= n_attrs && rc == SQLITE_OK; i++) {
        const char *name = i ? attrs[i - 1].name : "status";
        const char *value = i ? attrs[i - 1].value : "running";
        rc = bind_step(run, db->stmts[ST_RUN_ATTR], (struct arg[]){
            { 'i', { .i = run->id } }, { 't', { .t = (char *)name } },
            { 't', { .t = (char *)value } } }, 3);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(db->conn, "COMMIT", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        error = fail(db, rc, "beginning a run");
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
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
        return misuse(run, "attribute 'status' is set by the recorder");
    }
    return PUT(run, ST_RUN_ATTR, "itt", run->id, name, value);
}

int
res_run_itervar(struct res_run *run, const char *name, const char *value)
{
    return PUT(run, ST_ITERVAR, "itt", run->id, name, value);
}

int
res_run_config(struct res_run *run, const char *key, const char *value)
{
    int error = PUT(run, ST_CONFIG, "itti", run->id, key, value,
                    run->config_order);
    run->config_order += !error;
    return error;
}

int
res_parameter(struct res_run *run, const char *module, const char *name,
              const char *value)
{
    return PUT(run, ST_PARAM, "ittt", run->id, module, name, value);
}

int
res_scalar(struct res_run *run, const char *module, const char *name,
           double value, int64_t *id)
{
    size_t index;
    int error;

    if ((error = sticky(run)) || (error = new_handle(run, &run->scalars,
                                                     &index))) {
        return error;
    }
    /* The handle is returned before the batch may be written. */
    if (id) {
        *id = (int64_t)index + 1;
    }
    return put_row(run, ST_SCALAR, (int64_t)index, true, "ittd", run->id,
                   module, name, value);
}

int
res_scalar_attr(struct res_run *run, int64_t scalar_id, const char *name,
                const char *value)
{
    int64_t index;

    if (!valid_handle(&run->scalars, scalar_id, &index)) {
        return misuse(run, "unknown scalar handle");
    }
    return PUT(run, ST_SCALAR_ATTR, "Stt", index, name, value);
}

int
res_statistic(struct res_run *run, const char *module, const char *name,
              const struct res_statistic *s, int64_t *id)
{
    double n = (double)s->count;
    double mean = NAN, stddev = NAN, var;
    size_t index;
    int error;

    if (s->is_weighted) {
        /* Weighted mean and unbiased variance for reliability weights:
         * (W * sum w x^2 - (sum w x)^2) / (W^2 - sum w^2). */
        double w = s->weights, den = w * w - s->sqr_sum_weights;
        if (s->count && w > 0) {
            mean = s->weighted_sum / w;
        }
        if (s->count > 1 && den > 0) {
            var = (w * s->weighted_sqr_sum
                   - s->weighted_sum * s->weighted_sum) / den;
            stddev = sqrt(var > 0 ? var : 0);
        }
    } else {
        if (s->count) {
            mean = s->sum / n;
        }
        if (s->count > 1) {
            var = (s->sqrsum - s->sum * s->sum / n) / (n - 1);
            stddev = sqrt(var > 0 ? var : 0);
        }
    }
    if ((error = sticky(run)) || (error = new_handle(run, &run->stats,
                                                     &index))) {
        return error;
    }
    if (id) {
        *id = (int64_t)index + 1;
    }
    /* As OMNeT++: sum and sqrsum for unweighted statistics, the four
     * weight fields for weighted ones, NULL (NaN) for the others. */
    return put_row(run, ST_STAT, (int64_t)index, true, "ittiiidddddddddd",
                   run->id, module, name, (int64_t)s->is_histogram,
                   (int64_t)s->is_weighted, (int64_t)s->count, mean, stddev,
                   s->is_weighted ? NAN : s->sum,
                   s->is_weighted ? NAN : s->sqrsum,
                   s->count ? s->min : NAN, s->count ? s->max : NAN,
                   s->is_weighted ? s->weights : NAN,
                   s->is_weighted ? s->weighted_sum : NAN,
                   s->is_weighted ? s->sqr_sum_weights : NAN,
                   s->is_weighted ? s->weighted_sqr_sum : NAN);
}

int
res_statistic_attr(struct res_run *run, int64_t stat_id, const char *name,
                   const char *value)
{
    int64_t index;

    if (!valid_handle(&run->stats, stat_id, &index)) {
        return misuse(run, "unknown statistic handle");
    }
    return PUT(run, ST_STAT_ATTR, "Ttt", index, name, value);
}

int
res_histogram_bin(struct res_run *run, int64_t stat_id, double lower_edge,
                  double value)
{
    int64_t index;

    if (!valid_handle(&run->stats, stat_id, &index)) {
        return misuse(run, "unknown statistic handle");
    }
    return PUT(run, ST_BIN, "Tdd", index, lower_edge, value);
}

int
res_vector(struct res_run *run, const char *module, const char *name,
           struct res_vector **out)
{
    struct res_vector *v, **vectors;
    int error;

    *out = NULL;
    if ((error = sticky(run))) {
        return error;
    }
    v = calloc(1, sizeof *v);
    vectors = v ? grow(run->vectors, &run->cap_vectors, run->n_vectors + 1,
                       sizeof *vectors) : NULL;
    if (!vectors) {
        free(v);
        return poison(run, fail_errno(run->db, ENOMEM, "writing",
                                      "out of memory"));
    }
    run->vectors = vectors;
    v->run = run;
    v->index = run->n_vectors;
    run->vectors[run->n_vectors++] = v;
    *out = v;
    return put_row(run, ST_VECTOR, (int64_t)v->index, true, "itt", run->id,
                   module, name);
}

int
res_vector_attr(struct res_vector *v, const char *name, const char *value)
{
    return PUT(v->run, ST_VECTOR_ATTR, "Vtt", (int64_t)v->index, name,
               value);
}

int
res_vector_append(struct res_vector *v, int64_t event_number, sim_time_t t,
                  double value)
{
    int error;

    if (v->closed) {
        return misuse(v->run, "point appended to a closed vector");
    }
    if (v->count && t < v->last_time) {
        return misuse(v->run, "vector point earlier than the previous one");
    }
    error = PUT(v->run, ST_VECTOR_DATA, "Viid", (int64_t)v->index,
                event_number, (int64_t)t, value);
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
res_vector_close(struct res_vector *v)
{
    int error;

    if (v->closed) {
        return 0;
    }
    if (v->count) {
        error = PUT(v->run, ST_VECTOR_SUMMARY, "Viddddiiii",
                    (int64_t)v->index, (int64_t)v->count, v->min, v->max,
                    v->sum, v->sumsqr, v->first_event, v->last_event,
                    (int64_t)v->first_time, (int64_t)v->last_time);
    } else {
        error = PUT(v->run, ST_VECTOR_SUMMARY, "Vinnnnnnnn",
                    (int64_t)v->index, (int64_t)0);
    }
    v->closed = !error;
    return error;
}

int
res_flush(struct res_run *run)
{
    int error = sticky(run);
    return error ? error : flush(run);
}

/* Queues a row at the end of a run even if the run failed: the failure
 * reason and the status must still be attempted. */
static int
push_final(struct res_run *run, enum stmt_id st, const char *types, ...)
{
    va_list ap;
    int error;

    va_start(ap, types);
    error = push(run, st, 0, false, types, ap);
    va_end(ap);
    return error ? fail_errno(run->db, error, "ending the run",
                              "out of memory") : 0;
}

int
res_run_end(struct res_run *run, bool complete, const char *reason)
{
    struct res_db *db = run->db;
    int error = 0;

    run->ending = true;
    for (size_t i = 0; i < run->n_vectors && !run->error; i++) {
        res_vector_close(run->vectors[i]);
    }
    if (run->error) {
        /* The queue is not whole: drop it, keep the first error. */
        error = run->error;
        queue_clear(run);
        complete = false;
        if (!reason) {
            reason = run->failure;
        }
    }
    if (!complete) {
        int e = push_final(run, ST_RUN_ATTR, "itt", run->id, "failureReason",
                           reason ? reason : "unknown");
        error = error ? error : e;
    }
    /* The last write of the run, in the same transaction as the rest. */
    int e = push_final(run, ST_STATUS, "it", run->id,
                       complete ? "complete" : "failed");
    error = error ? error : e;
    run->error = 0;             /* flush() may now write the end rows */
    e = flush(run);
    error = error ? error : e;
    if (error && e == 0 && run->failure[0]) {
        /* The run was marked failed; report what made it fail. */
        snprintf(db->errmsg, sizeof db->errmsg, "%s", run->failure);
    }
    db->run = NULL;
    run_free(run);
    return error;
}

/* --- Reading ----------------------------------------------------------- */

int
res_list_runs(struct res_db *db, res_run_fn *fn, void *ctx)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->conn,
        "SELECT r.runId, r.runName, coalesce((SELECT a.attrValue"
        " FROM runAttr a WHERE a.runId = r.runId AND a.attrName = 'status'"
        " ORDER BY a.rowid LIMIT 1), '') FROM run r ORDER BY r.runId",
        -1, &st, NULL);
    int result = 0;

    if (rc != SQLITE_OK) {
        return fail(db, rc, "reading");
    }
    while (!result && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        result = fn(ctx, sqlite3_column_int64(st, 0),
                    (const char *)sqlite3_column_text(st, 1),
                    (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    if (!result && rc != SQLITE_DONE) {
        result = fail(db, rc, "reading");
    }
    return result;
}

int
res_read_run_attr(struct res_db *db, int64_t run_id, const char *name,
                  char *buf, size_t size)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->conn, "SELECT attrValue FROM runAttr"
                                " WHERE runId = ?1 AND attrName = ?2"
                                " ORDER BY rowid LIMIT 1", -1, &st, NULL);
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
    } else {
        char cause[160];
        snprintf(cause, sizeof cause, "run %" PRId64 " has no attribute '%s'",
                 run_id, name);
        fail_errno(db, ENOENT, "reading", cause);
    }
    sqlite3_finalize(st);
    return error;
}

int
res_count_scalars(struct res_db *db, int64_t run_id, int64_t *count)
{
    return query_int(db, "SELECT count(*) FROM scalar WHERE runId = ?1",
                     run_id, count, "reading");
}

int64_t
res_last_run_id(struct res_db *db)
{
    int64_t id = 0;

    return query_int(db, "SELECT coalesce(max(runId), 0) FROM run", 0, &id,
                     "reading") ? 0 : id;
}

/* Runs 'sql' with 'run_id' bound to ?1 (if it has parameters), printing
 * each row with 'print'. */
static int
query_rows(struct res_db *db, const char *sql, int64_t run_id, FILE *out,
           void (*print)(sqlite3_stmt *, FILE *))
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL);

    if (rc != SQLITE_OK) {
        return fail(db, rc, "reading");
    }
    if (sqlite3_bind_parameter_count(st) > 0) {
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

/* A unit attribute, or "" if absent. */
static const char *
col_unit(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? "" : col_text(st, i);
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
print_pair(sqlite3_stmt *st, FILE *out)
{
    fprintf(out, "  %-22s %s\n", col_text(st, 0), col_text(st, 1));
}

static void
print_scalar(sqlite3_stmt *st, FILE *out)
{
    fprintf(out, "  %-40s %-24s %.9g %s\n", col_text(st, 0), col_text(st, 1),
            sqlite3_column_double(st, 2), col_unit(st, 3));
}

static void
print_stat(sqlite3_stmt *st, FILE *out)
{
    fprintf(out, "  %-40s %-18s n=%-9" PRId64 " mean=%-12.6g stddev=%-12.6g"
            " min=%-12.6g max=%.6g %s\n", col_text(st, 0), col_text(st, 1),
            (int64_t)sqlite3_column_int64(st, 2),
            sqlite3_column_double(st, 3), sqlite3_column_double(st, 4),
            sqlite3_column_double(st, 5), sqlite3_column_double(st, 6),
            col_unit(st, 7));
}

static void
print_vector(sqlite3_stmt *st, FILE *out)
{
    fprintf(out, "  %-40s %-18s n=%-9" PRId64 " min=%-12.6g max=%-12.6g"
            " t=[%.6g s, %.6g s] %s\n", col_text(st, 0), col_text(st, 1),
            (int64_t)sqlite3_column_int64(st, 2),
            sqlite3_column_double(st, 3), sqlite3_column_double(st, 4),
            sqlite3_column_double(st, 5), sqlite3_column_double(st, 6),
            col_unit(st, 7));
}

int
res_print_run(struct res_db *db, int64_t run_id, FILE *out)
{
    int error;

    fprintf(out, "run %" PRId64 " attributes:\n", run_id);
    error = query_rows(db, "SELECT attrName, attrValue FROM runAttr"
                       " WHERE runId = ?1 ORDER BY rowid", run_id, out,
                       print_pair);
    if (!error) {
        fprintf(out, "iteration variables:\n");
        error = query_rows(db, "SELECT itervarName, itervarValue"
                           " FROM runItervar WHERE runId = ?1"
                           " ORDER BY rowid", run_id, out, print_pair);
    }
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
                           " statMean, statStddev, statMin, statMax,"
                           " (SELECT attrValue FROM statisticAttr a WHERE"
                           "  a.statId = s.statId AND attrName = 'unit')"
                           " FROM statistic s WHERE runId = ?1"
                           " ORDER BY statId", run_id, out, print_stat);
    }
    if (!error) {
        fprintf(out, "vectors:\n");
        error = query_rows(db, "SELECT moduleName, vectorName, vectorCount,"
                           " vectorMin, vectorMax, startSimtimeRaw * 1e-12,"
                           " endSimtimeRaw * 1e-12,"
                           " (SELECT attrValue FROM vectorAttr a WHERE"
                           "  a.vectorId = v.vectorId AND attrName = 'unit')"
                           " FROM vector v WHERE runId = ?1"
                           " ORDER BY vectorId", run_id, out, print_vector);
    }
    return error;
}
