/*
 * test-results.c -- the SQLite results recorder (sim/results.h): a run
 * written and read back with plain SQL, many runs per file, the reader
 * API, the run lifecycle (visible at begin, complete only when whole,
 * sticky failures), crash safety of a writer killed mid-run, writers in
 * several processes at once (busy and idle), and every error path giving
 * a clear one-line message.  The error cases are chosen to work as root,
 * whom file modes do not stop.  Files live in a mkdtemp() directory under
 * $TMPDIR (or /tmp), removed after each test.
 */
#include <config.h>
#include "sim/results.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/cutest.h"

static char dir[256];
static char path[300];

/* A fresh temporary directory and database path for each test. */
static void
setup(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, sizeof dir, "%s/vnetsim-results-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.db", dir);
}

static void
teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Runs a one-value query on 'file' through a separate read-only
 * connection and returns its text, "" for no row or NULL (static buffer,
 * overwritten by the next call). */
static const char *
query(const char *file, const char *sql)
{
    static char out[1024];
    sqlite3 *db;
    sqlite3_stmt *st;

    out[0] = '\0';
    CU_ASSERT_EQUAL_FATAL(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY,
                                          NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(out, sizeof out, "SQL ERROR: %s", sqlite3_errmsg(db));
    } else {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            snprintf(out, sizeof out, "%s", sqlite3_column_text(st, 0));
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes one complete run named 'name' with a little of everything and
 * 'points' vector points (value i % 7 at event 10 + i, time i us). */
static void
write_run(struct res_db *db, const char *name, int points)
{
    static const struct res_attr attrs[] = {
        { "seed", "42" }, { "configname", "demo" },
    };
    struct res_run *run;
    struct res_vector *v;
    struct res_statistic s = { .count = 3, .sum = 6, .sqrsum = 14,
                               .min = 1, .max = 3, .is_histogram = true };
    int64_t id;

    CU_ASSERT_EQUAL_FATAL(res_run_begin_attrs(db, name, attrs, 2, &run), 0);
    CU_ASSERT_EQUAL(res_run_itervar(run, "load", "0.5"), 0);
    CU_ASSERT_EQUAL(res_run_config(run, "network", "demo"), 0);
    CU_ASSERT_EQUAL(res_run_config(run, "sim-time-limit", "1s"), 0);
    CU_ASSERT_EQUAL(res_parameter(run, "demo.server", "rate", "1e6"), 0);
    CU_ASSERT_EQUAL(res_scalar(run, "demo.server", "served", 1234.5, &id), 0);
    CU_ASSERT_EQUAL(res_scalar_attr(run, id, "unit", "frames"), 0);
    CU_ASSERT_EQUAL(res_statistic(run, "demo.server", "latency", &s, &id), 0);
    CU_ASSERT_EQUAL(res_statistic_attr(run, id, "unit", "ns"), 0);
    CU_ASSERT_EQUAL(res_histogram_bin(run, id, 0.0, 1), 0);
    CU_ASSERT_EQUAL(res_histogram_bin(run, id, 2.0, 2), 0);
    CU_ASSERT_EQUAL(res_vector(run, "demo.server", "queue", &v), 0);
    CU_ASSERT_EQUAL(res_vector_attr(v, "unit", "frames"), 0);
    for (int i = 0; i < points; i++) {
        CU_ASSERT_EQUAL(res_vector_append(v, 10 + i, sim_us(i), i % 7), 0);
    }
    CU_ASSERT_EQUAL(res_run_attr(run, "fingerprint", "00ff00ff00ff00ff"), 0);
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), 0);
}

/* A checksum over every row that belongs to run 'run_id', in every table,
 * so a test can prove the run was not touched.  Returns a malloc'd string. */
static char *
run_digest(int64_t run_id)
{
    char sql[2048];

    snprintf(sql, sizeof sql,
        "SELECT (SELECT runName || simtimeExp FROM run WHERE runId = %1$lld)"
        " || '|' || (SELECT group_concat(attrName || '=' || attrValue)"
        "   FROM runAttr WHERE runId = %1$lld)"
        " || '|' || (SELECT group_concat(itervarName || itervarValue)"
        "   FROM runItervar WHERE runId = %1$lld)"
        " || '|' || (SELECT group_concat(scalarName || scalarValue)"
        "   FROM scalar WHERE runId = %1$lld)"
        " || '|' || (SELECT group_concat(statName || statCount || statMean)"
        "   FROM statistic WHERE runId = %1$lld)"
        " || '|' || (SELECT count(*) || total(binValue) FROM histogramBin"
        "   JOIN statistic USING (statId) WHERE runId = %1$lld)"
        " || '|' || (SELECT group_concat(vectorName || vectorCount ||"
        "   vectorSum) FROM vector WHERE runId = %1$lld)"
        " || '|' || (SELECT count(*) || ':' || total(value) || ':' ||"
        "   total(simtimeRaw) || ':' || total(eventNumber) FROM vectorData"
        "   JOIN vector USING (vectorId) WHERE runId = %1$lld)",
        (long long)run_id);
    return strdup(query(path, sql));
}

static void
test_run_round_trip_reads_back_with_plain_sql(void)
{
    struct res_db *db;
    char err[256];

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    write_run(db, "demo-0", 10000);
    res_close(db);

    CU_ASSERT_STRING_EQUAL(query(path, "SELECT runId || ' ' || runName ||"
                                 " ' ' || simtimeExp FROM run"),
                           "1 demo-0 -12");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT group_concat(attrName || '='"
                                 " || attrValue, ',') FROM (SELECT * FROM"
                                 " runAttr WHERE runId = 1 ORDER BY rowid)"),
                           "status=complete,seed=42,configname=demo,"
                           "fingerprint=00ff00ff00ff00ff");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT itervarName || '=' ||"
                                 " itervarValue FROM runItervar"
                                 " WHERE runId = 1"), "load=0.5");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT group_concat(configOrder ||"
                                 " ':' || configKey || '=' || configValue,"
                                 " ',') FROM (SELECT * FROM runConfig"
                                 " ORDER BY configOrder)"),
                           "0:network=demo,1:sim-time-limit=1s");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT moduleName || ' ' ||"
                                 " paramName || ' ' || paramValue"
                                 " FROM parameter WHERE runId = 1"),
                           "demo.server rate 1e6");
    /* Attribute rows point at the real scalarId / statId. */
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT moduleName || ' ' ||"
                                 " scalarName || ' ' || scalarValue || ' ' ||"
                                 " attrName || '=' || attrValue FROM scalar"
                                 " JOIN scalarAttr USING (scalarId)"),
                           "demo.server served 1234.5 unit=frames");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT isHistogram || isWeighted ||"
                                 " ' ' || statCount || ' ' || statMean ||"
                                 " ' ' || statStddev || ' ' || statSum ||"
                                 " ' ' || statSqrsum || ' ' || statMin ||"
                                 " ' ' || statMax || ' ' ||"
                                 " quote(statWeights) FROM statistic"),
                           "10 3 2.0 1.0 6.0 14.0 1.0 3.0 NULL");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM statisticAttr"
                                 " JOIN statistic USING (statId)"
                                 " WHERE statName = 'latency'"), "ns");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT group_concat(lowerEdge || ':'"
                                 " || binValue, ',') FROM (SELECT * FROM"
                                 " histogramBin JOIN statistic"
                                 " USING (statId) ORDER BY lowerEdge)"),
                           "0.0:1.0,2.0:2.0");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM vectorAttr"
                                 " JOIN vector USING (vectorId)"
                                 " WHERE vectorName = 'queue'"), "frames");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM vectorData"),
                           "10000");
    /* Values i % 7 for i < 10000: 1428 whole cycles (sum 21, squares 91)
     * and 0..3 (sum 6, squares 14). */
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT vectorCount || ' ' ||"
                                 " vectorMin || ' ' || vectorMax || ' ' ||"
                                 " vectorSum || ' ' || vectorSumSqr || ' ' ||"
                                 " startEventNum || ' ' || endEventNum ||"
                                 " ' ' || startSimtimeRaw || ' ' ||"
                                 " endSimtimeRaw FROM vector"),
                           "10000 0.0 6.0 29994.0 129962.0 10 10009 0"
                           " 9999000000");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT simtimeRaw || ' ' || value"
                                 " FROM vectorData WHERE eventNumber = 11"),
                           "1000000 1.0");
    /* Seconds from picoseconds, as a user would compute them. */
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT max(simtimeRaw) * 1e-12"
                                 " FROM vectorData"), "0.009999");
    CU_ASSERT_STRING_EQUAL(query(path, "PRAGMA foreign_key_check"), "");
    CU_ASSERT_STRING_EQUAL(query(path, "PRAGMA journal_mode"), "wal");
    teardown();
}

static void
test_schema_has_omnetpp6_tables_and_columns(void)
{
    static const struct {
        const char *table, *columns;
    } expect[] = {
        { "run", "runId INTEGER,runName TEXT,simtimeExp INTEGER" },
        { "runAttr", "runId INTEGER,attrName TEXT,attrValue TEXT" },
        { "runItervar", "runId INTEGER,itervarName TEXT,itervarValue TEXT" },
        { "runConfig", "runId INTEGER,configKey TEXT,configValue TEXT,"
                       "configOrder INTEGER" },
        { "parameter", "paramId INTEGER,runId INTEGER,moduleName TEXT,"
                       "paramName TEXT,paramValue TEXT" },
        { "paramAttr", "paramId INTEGER,attrName TEXT,attrValue TEXT" },
        { "scalar", "scalarId INTEGER,runId INTEGER,moduleName TEXT,"
                    "scalarName TEXT,scalarValue REAL" },
        { "scalarAttr", "scalarId INTEGER,attrName TEXT,attrValue TEXT" },
        { "statistic", "statId INTEGER,runId INTEGER,moduleName TEXT,"
                       "statName TEXT,isHistogram INTEGER,isWeighted INTEGER,"
                       "statCount INTEGER,statMean REAL,statStddev REAL,"
                       "statSum REAL,statSqrsum REAL,statMin REAL,"
                       "statMax REAL,statWeights REAL,statWeightedSum REAL,"
                       "statSqrSumWeights REAL,statWeightedSqrSum REAL" },
        { "statisticAttr", "statId INTEGER,attrName TEXT,attrValue TEXT" },
        { "histogramBin", "statId INTEGER,lowerEdge REAL,binValue REAL" },
        { "vector", "vectorId INTEGER,runId INTEGER,moduleName TEXT,"
                    "vectorName TEXT,vectorCount INTEGER,vectorMin REAL,"
                    "vectorMax REAL,vectorSum REAL,vectorSumSqr REAL,"
                    "startEventNum INTEGER,endEventNum INTEGER,"
                    "startSimtimeRaw INTEGER,endSimtimeRaw INTEGER" },
        { "vectorAttr", "vectorId INTEGER,attrName TEXT,attrValue TEXT" },
        { "vectorData", "vectorId INTEGER,eventNumber INTEGER,"
                        "simtimeRaw INTEGER,value REAL" },
    };
    struct res_db *db;
    char err[256], sql[256];

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    res_close(db);
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT group_concat(name || ' ' || type,"
                 " ',') FROM (SELECT * FROM pragma_table_info('%s')"
                 " ORDER BY cid)", expect[i].table);
        CU_ASSERT_STRING_EQUAL(query(path, sql), expect[i].columns);
    }
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM sqlite_master"
                                 " WHERE type = 'table' AND name NOT LIKE"
                                 " 'sqlite_%'"), "14");
    /* Opening again neither duplicates nor fails. */
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM sqlite_master"
                                 " WHERE type = 'table' AND name NOT LIKE"
                                 " 'sqlite_%'"), "14");
    teardown();
}

static void
test_weighted_and_empty_statistics_follow_omnetpp_conventions(void)
{
    struct res_db *db;
    struct res_run *run;
    char err[256];
    /* Values 1 (weight 1) and 3 (weight 3): W = 4, sum w x = 10,
     * sum w^2 = 10, sum w x^2 = 28; mean 2.5; variance
     * (4 * 28 - 100) / (16 - 10) = 2. */
    struct res_statistic w = { .count = 2, .min = 1, .max = 3,
                               .is_weighted = true, .weights = 4,
                               .weighted_sum = 10, .sqr_sum_weights = 10,
                               .weighted_sqr_sum = 28 };
    struct res_statistic empty = { 0 };

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "w", &run), 0);
    CU_ASSERT_EQUAL(res_statistic(run, "m", "w", &w, NULL), 0);
    CU_ASSERT_EQUAL(res_statistic(run, "m", "empty", &empty, NULL), 0);
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), 0);
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT isWeighted || ' ' || statMean"
                                 " || ' ' || round(statStddev * statStddev,"
                                 " 9) || ' ' || quote(statSum) || ' ' ||"
                                 " statWeights || ' ' || statWeightedSum ||"
                                 " ' ' || statSqrSumWeights || ' ' ||"
                                 " statWeightedSqrSum FROM statistic"
                                 " WHERE statName = 'w'"),
                           "1 2.5 2.0 NULL 4.0 10.0 10.0 28.0");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT statCount || ' ' ||"
                                 " quote(statMean) || ' ' || quote(statMin)"
                                 " FROM statistic WHERE statName = 'empty'"),
                           "0 NULL NULL");
    teardown();
}

static void
test_begin_commits_running_run_with_initial_attributes(void)
{
    static const struct res_attr attrs[] = { { "seed", "7" } };
    struct res_db *db;
    struct res_run *run;
    char err[256];

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(res_run_begin_attrs(db, "r", attrs, 1, &run), 0);
    CU_ASSERT_EQUAL(res_run_id(run), 1);
    /* Another connection already sees the run, running, with its seed. */
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT group_concat(attrName || '='"
                                 " || attrValue) FROM runAttr"),
                           "status=running,seed=7");
    /* Later rows wait in the queue until a batch boundary. */
    CU_ASSERT_EQUAL(res_run_attr(run, "scenario", "builtin:demo"), 0);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM runAttr"), "2");
    CU_ASSERT_EQUAL(res_flush(run), 0);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM runAttr"
                                 " WHERE attrName = 'scenario'"),
                           "builtin:demo");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM runAttr"
                                 " WHERE attrName = 'status'"), "running");
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), 0);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM runAttr"
                                 " WHERE attrName = 'status'"), "complete");
    /* "status" belongs to the recorder. */
    static const struct res_attr bad[] = { { "status", "complete" } };
    CU_ASSERT_EQUAL(res_run_begin_attrs(db, "x", bad, 1, &run), EINVAL);
    CU_ASSERT_PTR_NULL(run);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM run"), "1");
    res_close(db);
    teardown();
}

/* res_list_runs() callback: appends "id:name:status;" to a buffer. */
static int
collect_run(void *ctx, int64_t run_id, const char *run_name,
            const char *status)
{
    char *buf = ctx;
    size_t len = strlen(buf);
    snprintf(buf + len, 512 - len, "%lld:%s:%s;", (long long)run_id,
             run_name, status);
    return 0;
}

/* res_list_runs() callback that stops after the first run. */
static int
stop_at_first(void *ctx, int64_t run_id, const char *run_name,
              const char *status)
{
    (void)ctx;
    (void)run_name;
    (void)status;
    return run_id == 1 ? 1234 : 0;
}

static void
test_many_runs_append_to_one_file_and_read_back(void)
{
    struct res_db *db;
    struct res_run *run;
    char err[256];
    char value[64];
    char list[512] = "";
    int64_t n = -1;

    setup();
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "run-%d", i);
        CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
        write_run(db, name, 10);
        res_close(db);
    }
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "run-3", &run), 0);
    CU_ASSERT_EQUAL(res_run_end(run, false, "scenario error"), 0);
    res_close(db);

    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM run"), "4");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM vectorData"),
                           "30");
    CU_ASSERT_EQUAL_FATAL(res_open(path, RES_OPEN_READONLY, &db, err,
                                   sizeof err), 0);
    CU_ASSERT_EQUAL(res_last_run_id(db), 4);
    CU_ASSERT_EQUAL(res_list_runs(db, collect_run, list), 0);
    CU_ASSERT_STRING_EQUAL(list, "1:run-0:complete;2:run-1:complete;"
                           "3:run-2:complete;4:run-3:failed;");
    CU_ASSERT_EQUAL(res_list_runs(db, stop_at_first, NULL), 1234);
    CU_ASSERT_EQUAL(res_read_run_attr(db, 2, "seed", value, sizeof value), 0);
    CU_ASSERT_STRING_EQUAL(value, "42");
    CU_ASSERT_EQUAL(res_read_run_attr(db, 4, "failureReason", value,
                                      sizeof value), 0);
    CU_ASSERT_STRING_EQUAL(value, "scenario error");
    CU_ASSERT_EQUAL(res_read_run_attr(db, 2, "nope", value, sizeof value),
                    ENOENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "nope"));
    CU_ASSERT_EQUAL(res_count_scalars(db, 3, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(res_count_scalars(db, 4, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    res_close(db);
    teardown();
}

static void
test_print_run_summarises_attributes_scalars_statistics_vectors(void)
{
    struct res_db *db;
    char err[256];
    char *text = NULL;
    size_t size = 0;
    FILE *out;

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    write_run(db, "shown", 100);
    res_close(db);
    CU_ASSERT_EQUAL_FATAL(res_open(path, RES_OPEN_READONLY, &db, err,
                                   sizeof err), 0);
    out = open_memstream(&text, &size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(res_print_runs(db, out), 0);
    CU_ASSERT_EQUAL(res_print_run(db, 1, out), 0);
    fclose(out);
    res_close(db);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "complete"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "00ff00ff00ff00ff"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "seed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "load"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "1234.5 frames"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "n=3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "mean=2 "));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "n=100"));
    free(text);
    teardown();
}

static void
test_failed_write_is_sticky_and_run_ends_failed(void)
{
    struct res_db *db;
    struct res_run *run;
    char err[256];

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "bad", &run), 0);
    CU_ASSERT_EQUAL(res_scalar(run, "m", "before", 1, NULL), 0);
    CU_ASSERT_EQUAL(res_run_attr(run, "status", "complete"), EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "status"));
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), path));
    /* Every later write reports the same error and writes nothing. */
    CU_ASSERT_EQUAL(res_scalar(run, "m", "after", 2, NULL), EINVAL);
    CU_ASSERT_EQUAL(res_flush(run), EINVAL);
    /* Asked to complete, the run still ends failed, saying why. */
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "status"));
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM runAttr"
                                 " WHERE attrName = 'status'"), "failed");
    CU_ASSERT_PTR_NOT_NULL(strstr(query(path, "SELECT attrValue FROM runAttr"
                                        " WHERE attrName = 'failureReason'"),
                                  "'status' is set by the recorder"));
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM scalar"), "0");
    teardown();
}

static void
test_vector_close_writes_summary_and_refuses_more_points(void)
{
    struct res_db *db;
    struct res_run *run;
    struct res_vector *a, *b, *empty;
    char err[256];

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "v", &run), 0);
    CU_ASSERT_EQUAL(res_vector(run, "m", "a", &a), 0);
    CU_ASSERT_EQUAL(res_vector(run, "m", "b", &b), 0);
    CU_ASSERT_EQUAL(res_vector(run, "m", "empty", &empty), 0);
    CU_ASSERT_EQUAL(res_vector_append(a, 1, 100, -2.5), 0);
    CU_ASSERT_EQUAL(res_vector_append(a, 2, 100, 4.0), 0);   /* same time */
    CU_ASSERT_EQUAL(res_vector_append(b, 3, 50, 1.0), 0);
    CU_ASSERT_EQUAL(res_vector_close(a), 0);
    CU_ASSERT_EQUAL(res_vector_close(a), 0);                 /* idempotent */
    CU_ASSERT_EQUAL(res_flush(run), 0);
    /* Closed: its summary is written while the run goes on. */
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT vectorCount || ' ' ||"
                                 " vectorMin || ' ' || vectorMax || ' ' ||"
                                 " vectorSum || ' ' || vectorSumSqr || ' ' ||"
                                 " startEventNum || ' ' || endEventNum ||"
                                 " ' ' || startSimtimeRaw || ' ' ||"
                                 " endSimtimeRaw FROM vector"
                                 " WHERE vectorName = 'a'"),
                           "2 -2.5 4.0 1.5 22.25 1 2 100 100");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT quote(vectorCount) FROM"
                                 " vector WHERE vectorName = 'b'"), "NULL");
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), 0);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT vectorCount || ' ' ||"
                                 " startSimtimeRaw FROM vector"
                                 " WHERE vectorName = 'b'"), "1 50");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT vectorCount || ' ' ||"
                                 " quote(vectorMin) || ' ' ||"
                                 " quote(startSimtimeRaw) FROM vector"
                                 " WHERE vectorName = 'empty'"),
                           "0 NULL NULL");

    /* A point after closing, or earlier than the last, fails the run. */
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "v2", &run), 0);
    CU_ASSERT_EQUAL(res_vector(run, "m", "a", &a), 0);
    CU_ASSERT_EQUAL(res_vector_append(a, 5, 500, 1), 0);
    CU_ASSERT_EQUAL(res_vector_append(a, 6, 499, 1), EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "earlier"));
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), EINVAL);
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "v3", &run), 0);
    CU_ASSERT_EQUAL(res_vector(run, "m", "a", &a), 0);
    CU_ASSERT_EQUAL(res_vector_close(a), 0);
    CU_ASSERT_EQUAL(res_vector_append(a, 1, 1, 1), EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "closed"));
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), EINVAL);
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT group_concat(attrValue) FROM"
                                 " runAttr WHERE attrName = 'status'"),
                           "complete,failed,failed");
    teardown();
}

static void
test_writer_killed_mid_run_leaves_file_intact_and_run_incomplete(void)
{
    struct res_db *db;
    char err[256];
    char *before, *after;
    int fds[2];
    pid_t pid;
    char c;

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    write_run(db, "earlier", 5000);
    res_close(db);
    before = run_digest(1);

    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        static const struct res_attr attrs[] = { { "seed", "9" } };
        struct res_run *run;
        struct res_vector *v;
        close(fds[0]);
        if (res_open(path, 0, &db, err, sizeof err)
            || res_run_begin_attrs(db, "killed", attrs, 1, &run)
            || res_vector(run, "m", "v", &v)) {
            _exit(1);
        }
        for (int64_t i = 0;; i++) {
            if (res_vector_append(v, i, i, (double)i)) {
                _exit(1);
            }
            if (i == 3 * RES_BATCH_ROWS) {      /* three batches written */
                c = 'x';
                if (write(fds[1], &c, 1) != 1) {
                    _exit(1);
                }
            }
        }
    }
    close(fds[1]);
    CU_ASSERT_EQUAL(read(fds[0], &c, 1), 1);
    usleep(20000);                  /* let it get into later batches */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(fds[0]);

    CU_ASSERT_STRING_EQUAL(query(path, "PRAGMA integrity_check"), "ok");
    after = run_digest(1);
    CU_ASSERT_STRING_EQUAL(before, after);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT group_concat(attrName || '='"
                                 " || attrValue) FROM runAttr"
                                 " WHERE runId = 2"), "status=running,seed=9");
    /* Whole batches only: the vector row plus its points fill batches. */
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT (SELECT count(*) + 1 FROM"
                                 " vectorData JOIN vector USING (vectorId)"
                                 " WHERE runId = 2) % 4096"), "0");
    CU_ASSERT(atoi(query(path, "SELECT count(*) FROM vectorData JOIN vector"
                         " USING (vectorId) WHERE runId = 2"))
              >= 3 * RES_BATCH_ROWS - 1);
    /* The file takes new runs after the crash. */
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    write_run(db, "later", 10);
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT group_concat(attrValue) FROM"
                                 " runAttr WHERE attrName = 'status'"),
                           "complete,running,complete");
    free(before);
    free(after);
    teardown();
}

static void
test_two_processes_create_and_append_runs_at_once(void)
{
    pid_t pids[2];
    int status;

    setup();
    /* Both start on a file that does not exist yet. */
    for (int k = 0; k < 2; k++) {
        pids[k] = fork();
        CU_ASSERT_FATAL(pids[k] >= 0);
        if (pids[k] == 0) {
            for (int r = 0; r < 5; r++) {
                char name[32], err[256];
                struct res_db *db;
                struct res_run *run;
                struct res_vector *v;
                snprintf(name, sizeof name, "w%d-%d", k, r);
                if (res_open(path, 0, &db, err, sizeof err)) {
                    fprintf(stderr, "%s\n", err);
                    _exit(1);
                }
                if (res_run_begin(db, name, &run)
                    || res_scalar(run, "m", "s", r, NULL)
                    || res_vector(run, "m", "v", &v)) {
                    fprintf(stderr, "%s\n", res_errmsg(db));
                    _exit(2);
                }
                for (int i = 0; i < 20000; i++) {
                    if (res_vector_append(v, i, i, i)) {
                        fprintf(stderr, "%s\n", res_errmsg(db));
                        _exit(3);
                    }
                }
                if (res_run_end(run, true, NULL)) {
                    fprintf(stderr, "%s\n", res_errmsg(db));
                    _exit(4);
                }
                res_close(db);
            }
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        waitpid(pids[k], &status, 0);
        CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM runAttr WHERE"
                                 " attrName='status' AND"
                                 " attrValue='complete'"), "10");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM vectorData"),
                           "200000");
    /* Interleaved batches still belong to the right vector. */
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM vector WHERE"
                                 " vectorCount = 20000 AND vectorCount ="
                                 " (SELECT count(*) FROM vectorData d"
                                 "  WHERE d.vectorId = vector.vectorId)"),
                           "10");
    CU_ASSERT_STRING_EQUAL(query(path, "PRAGMA integrity_check"), "ok");
    teardown();
}

static void
test_idle_writer_does_not_block_another_writer(void)
{
    struct res_db *db;
    struct res_run *run;
    char err[256];
    int go[2], done[2];
    pid_t pid;
    int status;
    char c;
    double t0;

    setup();
    CU_ASSERT_EQUAL_FATAL(pipe(go), 0);
    CU_ASSERT_EQUAL_FATAL(pipe(done), 0);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        /* A sweep worker: begins its run, records a little, then
         * "simulates" (waits) for as long as the parent needs. */
        int64_t id;
        close(go[0]);
        close(done[1]);
        if (res_open(path, 0, &db, err, sizeof err)
            || res_run_begin(db, "slow", &run)
            || res_run_attr(run, "seed", "1")
            || res_scalar(run, "m", "s", 1, &id)
            || res_scalar_attr(run, id, "unit", "B")) {
            _exit(1);
        }
        c = 'x';
        if (write(go[1], &c, 1) != 1 || read(done[0], &c, 1) != 1) {
            _exit(2);
        }
        _exit(res_run_end(run, true, NULL) ? 3 : 0);
    }
    close(go[1]);
    close(done[0]);
    CU_ASSERT_EQUAL(read(go[0], &c, 1), 1);
    t0 = now_s();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    res_set_busy_timeout(db, 200);
    write_run(db, "fast", 10000);
    res_close(db);
    CU_ASSERT(now_s() - t0 < 5.0);
    c = 'x';
    CU_ASSERT_EQUAL(write(done[1], &c, 1), 1);
    waitpid(pid, &status, 0);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(go[0]);
    close(done[1]);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT group_concat(runName || '='"
                                 " || attrValue) FROM run JOIN runAttr"
                                 " USING (runId) WHERE attrName = 'status'"),
                           "slow=complete,fast=complete");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM scalarAttr"
                                 " JOIN scalar USING (scalarId)"
                                 " JOIN run USING (runId)"
                                 " WHERE runName = 'slow'"), "B");
    teardown();
}

static void
test_unopenable_paths_give_clear_errors(void)
{
    struct res_db *db = (struct res_db *)1;
    char err[256];
    char p[400];
    FILE *f;
    sqlite3 *other;

    setup();
    /* A missing directory. */
    snprintf(p, sizeof p, "%s/no/such/dir/r.db", dir);
    CU_ASSERT_EQUAL(res_open(p, 0, &db, err, sizeof err), ENOENT);
    CU_ASSERT_PTR_NULL(db);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, p));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot open"));
    CU_ASSERT_PTR_NULL(strchr(err, '\n'));

    /* A directory. */
    CU_ASSERT_EQUAL(res_open(dir, 0, &db, err, sizeof err), ENOENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, dir));

    /* A file that is not a database is refused and left unchanged. */
    snprintf(p, sizeof p, "%s/text.db", dir);
    f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int i = 0; i < 20; i++) {
        fputs("this is not an SQLite database, just some text.\n", f);
    }
    fclose(f);
    CU_ASSERT_EQUAL(res_open(p, 0, &db, err, sizeof err), EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, p));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an SQLite database"));
    f = fopen(p, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fgetc(f), 't');
    fclose(f);

    /* Reading a file that does not exist does not create it. */
    snprintf(p, sizeof p, "%s/absent.db", dir);
    CU_ASSERT_EQUAL(res_open(p, RES_OPEN_READONLY, &db, err, sizeof err),
                    ENOENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, p));
    CU_ASSERT_EQUAL(access(p, F_OK), -1);

    /* An SQLite database that is not a result file, for reading. */
    snprintf(p, sizeof p, "%s/other.db", dir);
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(p, &other), SQLITE_OK);
    sqlite3_exec(other, "CREATE TABLE t (x)", NULL, NULL, NULL);
    sqlite3_close(other);
    CU_ASSERT_EQUAL(res_open(p, RES_OPEN_READONLY, &db, err, sizeof err),
                    EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a result file"));

    /* One whose "run" table has other columns, for writing. */
    snprintf(p, sizeof p, "%s/alien.db", dir);
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(p, &other), SQLITE_OK);
    sqlite3_exec(other, "CREATE TABLE run (x)", NULL, NULL, NULL);
    sqlite3_close(other);
    CU_ASSERT_EQUAL(res_open(p, 0, &db, err, sizeof err), EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an OMNeT++ 6 result file"));
    teardown();
}

static void
test_read_only_handle_refuses_to_write(void)
{
    struct res_db *db;
    struct res_run *run;
    char err[256];

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    write_run(db, "first", 1);
    res_close(db);
    CU_ASSERT_EQUAL_FATAL(res_open(path, RES_OPEN_READONLY, &db, err,
                                   sizeof err), 0);
    CU_ASSERT_EQUAL(res_run_begin(db, "x", &run), EROFS);
    CU_ASSERT_PTR_NULL(run);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "read-only"));
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), path));
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM run"), "1");
    teardown();
}

static void
test_locked_file_fails_fast_with_clear_message(void)
{
    struct res_db *db;
    struct res_run *run;
    sqlite3 *holder;
    char err[256];
    double t0;

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &holder), SQLITE_OK);
    CU_ASSERT_EQUAL_FATAL(sqlite3_exec(holder, "BEGIN EXCLUSIVE; INSERT INTO"
                                       " run (runName, simtimeExp) VALUES"
                                       " ('holder', -12)", NULL, NULL, NULL),
                          SQLITE_OK);
    res_set_busy_timeout(db, 50);
    t0 = now_s();
    CU_ASSERT_EQUAL(res_run_begin(db, "x", &run), EBUSY);
    CU_ASSERT(now_s() - t0 < 2.0);
    CU_ASSERT_PTR_NULL(run);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "database is locked"));
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), path));
    sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);

    /* Once the lock is gone the same handle works... */
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "x", &run), 0);
    CU_ASSERT_EQUAL(res_scalar(run, "m", "s", 1, NULL), 0);
    /* ...and a batch that meets the lock fails the run, clearly. */
    CU_ASSERT_EQUAL_FATAL(sqlite3_exec(holder, "BEGIN EXCLUSIVE; INSERT INTO"
                                       " run (runName, simtimeExp) VALUES"
                                       " ('holder', -12)", NULL, NULL, NULL),
                          SQLITE_OK);
    CU_ASSERT_EQUAL(res_flush(run), EBUSY);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "locked"));
    sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(holder);
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), EBUSY);
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM runAttr"
                                 " WHERE attrName = 'status'"), "failed");
    CU_ASSERT_PTR_NOT_NULL(strstr(query(path, "SELECT attrValue FROM runAttr"
                                        " WHERE attrName = 'failureReason'"),
                                  "locked"));
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM run"), "1");
    teardown();
}

static void
test_full_database_gives_clear_error_and_keeps_earlier_runs(void)
{
    struct res_db *db;
    struct res_run *run;
    struct res_vector *v;
    char err[256];
    char *before, *after;
    int error = 0;
    int pages;

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    write_run(db, "earlier", 1000);
    before = run_digest(1);
    pages = atoi(query(path, "PRAGMA page_count"));
    CU_ASSERT_FATAL(pages > 0);
    CU_ASSERT_EQUAL(res_set_max_pages(db, (uint32_t)pages + 8), 0);
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "big", &run), 0);
    CU_ASSERT_EQUAL_FATAL(res_vector(run, "m", "v", &v), 0);
    for (int i = 0; i < 1000000 && !error; i++) {
        error = res_vector_append(v, i, i, i);
    }
    CU_ASSERT_EQUAL(error, ENOSPC);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "full"));
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), path));
    CU_ASSERT_EQUAL(res_vector_append(v, 2000000, 2000000, 1), ENOSPC);
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), ENOSPC);
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "PRAGMA integrity_check"), "ok");
    after = run_digest(1);
    CU_ASSERT_STRING_EQUAL(before, after);
    CU_ASSERT_STRING_NOT_EQUAL(query(path, "SELECT attrValue FROM runAttr"
                                     " WHERE runId = 2 AND"
                                     " attrName = 'status'"), "complete");
    /* Without the limit the file takes runs again. */
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    write_run(db, "after", 10);
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM runAttr"
                                 " WHERE runId = 3 AND attrName = 'status'"),
                           "complete");
    free(before);
    free(after);
    teardown();
}

static const struct cutest_case results_cases[] = {
    CUTEST(test_run_round_trip_reads_back_with_plain_sql),
    CUTEST(test_schema_has_omnetpp6_tables_and_columns),
    CUTEST(test_weighted_and_empty_statistics_follow_omnetpp_conventions),
    CUTEST(test_begin_commits_running_run_with_initial_attributes),
    CUTEST(test_many_runs_append_to_one_file_and_read_back),
    CUTEST(test_print_run_summarises_attributes_scalars_statistics_vectors),
    CUTEST(test_failed_write_is_sticky_and_run_ends_failed),
    CUTEST(test_vector_close_writes_summary_and_refuses_more_points),
    CUTEST(test_writer_killed_mid_run_leaves_file_intact_and_run_incomplete),
    CUTEST(test_two_processes_create_and_append_runs_at_once),
    CUTEST(test_idle_writer_does_not_block_another_writer),
    CUTEST(test_unopenable_paths_give_clear_errors),
    CUTEST(test_read_only_handle_refuses_to_write),
    CUTEST(test_locked_file_fails_fast_with_clear_message),
    CUTEST(test_full_database_gives_clear_error_and_keeps_earlier_runs),
    CUTEST_END
};

CUTEST_MAIN({ "results", results_cases })
