/*
 * test-results.c -- the SQLite results recorder (sim/results.h): a run
 * written and read back with plain SQL, many runs per file, crash safety
 * of a writer killed mid-run, two writers at once, and every error path
 * giving a clear message (checked as root, which file modes do not stop).
 */
#include <config.h>
#include "sim/results.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/cutest.h"

static char dir[64];
static char path[128];

/* A fresh temporary directory and database path for each test. */
static void
setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/vnetsim-results-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.db", dir);
}

static void
teardown(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Runs a one-value query on 'file' and returns its text (static buffer). */
static const char *
query(const char *file, const char *sql)
{
    static char out[256];
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

/* Writes one complete run named 'name' with a little of everything. */
static void
write_run(struct res_db *db, const char *name, int points)
{
    struct res_run *run;
    struct res_vector *v;
    struct res_statistic s = { .count = 3, .sum = 6, .sqrsum = 14,
                               .min = 1, .max = 3, .is_histogram = true };
    int64_t id;

    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, name, &run), 0);
    CU_ASSERT_EQUAL(res_run_attr(run, "seed", "42"), 0);
    CU_ASSERT_EQUAL(res_run_itervar(run, "load", "0.5"), 0);
    CU_ASSERT_EQUAL(res_run_config(run, "network", "demo"), 0);
    CU_ASSERT_EQUAL(res_run_config(run, "sim-time-limit", "1s"), 0);
    CU_ASSERT_EQUAL(res_parameter(run, "demo.server", "rate", "1e6"), 0);
    CU_ASSERT_EQUAL(res_scalar(run, "demo.server", "served", 1234.5, &id), 0);
    CU_ASSERT_EQUAL(res_scalar_attr(run, id, "unit", "frames"), 0);
    CU_ASSERT_EQUAL(res_statistic(run, "demo.server", "latency", &s, &id), 0);
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

static void
test_run_round_trip_reads_back_with_plain_sql(void)
{
    struct res_db *db;
    char err[256];

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    write_run(db, "demo-0", 10000);
    res_close(db);

    CU_ASSERT_STRING_EQUAL(query(path, "SELECT simtimeExp FROM run"), "-12");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM runAttr WHERE"
                                 " attrName='status'"), "complete");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT itervarValue FROM runItervar"
                                 " WHERE itervarName='load'"), "0.5");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT group_concat(configKey) FROM"
                                 " (SELECT configKey FROM runConfig ORDER BY"
                                 " configOrder)"), "network,sim-time-limit");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT paramValue FROM parameter"),
                           "1e6");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT scalarValue || ' ' ||"
                                 " attrValue FROM scalar JOIN scalarAttr"
                                 " USING (scalarId)"), "1234.5 frames");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT statCount||' '||statMean||' '"
                                 "||statStddev||' '||statMin||' '||statMax"
                                 " FROM statistic"), "3 2.0 1.0 1.0 3.0");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT sum(binValue) FROM"
                                 " histogramBin"), "3.0");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM vectorData"),
                           "10000");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT vectorCount||' '||vectorMin||"
                                 "' '||vectorMax||' '||startEventNum||' '||"
                                 "endEventNum||' '||startSimtimeRaw||' '||"
                                 "endSimtimeRaw FROM vector"),
                           "10000 0.0 6.0 10 10009 0 9999000000");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT simtimeRaw FROM vectorData"
                                 " WHERE eventNumber = 11"), "1000000");
    teardown();
}

static void
test_many_runs_append_to_one_file(void)
{
    struct res_db *db;
    char err[256];
    char value[64];

    setup();
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "run-%d", i);
        CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
        write_run(db, name, 10);
        res_close(db);
    }
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM run"), "3");
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT count(*) FROM runAttr WHERE"
                                 " attrName='status' AND"
                                 " attrValue='complete'"), "3");
    CU_ASSERT_EQUAL_FATAL(res_open(path, RES_OPEN_READONLY, &db, err,
                                   sizeof err), 0);
    CU_ASSERT_EQUAL(res_last_run_id(db), 3);
    CU_ASSERT_EQUAL(res_read_run_attr(db, 2, "seed", value, sizeof value), 0);
    CU_ASSERT_STRING_EQUAL(value, "42");
    CU_ASSERT_EQUAL(res_read_run_attr(db, 2, "nope", value, sizeof value),
                    ENOENT);
    res_close(db);
    teardown();
}

static void
test_failed_run_is_marked_failed_with_reason(void)
{
    struct res_db *db;
    struct res_run *run;
    char err[256];

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "bad", &run), 0);
    CU_ASSERT_EQUAL(res_run_attr(run, "status", "complete"), EINVAL);
    CU_ASSERT_EQUAL(res_run_end(run, false, "scenario error"), 0);
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT group_concat(attrValue, '/')"
                                 " FROM runAttr WHERE attrName IN"
                                 " ('status', 'failureReason')"),
                           "failed/scenario error");
    teardown();
}

/* Checksum of every row of run 1, to prove it is untouched. */
static char *
run1_digest(void)
{
    return strdup(query(path,
        "SELECT count(*) || ':' || total(value) || ':' || total(simtimeRaw)"
        " || ':' || (SELECT group_concat(attrName || '=' || attrValue)"
        "   FROM runAttr WHERE runId = 1)"
        " FROM vectorData JOIN vector USING (vectorId) WHERE runId = 1"));
}

static void
test_writer_killed_mid_run_leaves_file_intact_and_run_incomplete(void)
{
    struct res_db *db;
    char err[256];
    char *before, *after;
    int fds[2];
    pid_t pid;

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    write_run(db, "earlier", 5000);
    res_close(db);
    before = run1_digest();

    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        struct res_run *run;
        struct res_vector *v;
        close(fds[0]);
        if (res_open(path, 0, &db, err, sizeof err)
            || res_run_begin(db, "killed", &run)
            || res_vector(run, "m", "v", &v)) {
            _exit(1);
        }
        for (int64_t i = 0;; i++) {
            if (res_vector_append(v, i, i, (double)i)) {
                _exit(1);
            }
            if (i == 3 * RES_BATCH_ROWS) {
                char c = 'x';
                if (write(fds[1], &c, 1) != 1) {
                    _exit(1);
                }
            }
        }
    }
    close(fds[1]);
    char c;
    CU_ASSERT_EQUAL(read(fds[0], &c, 1), 1);
    usleep(20000);                  /* let it get into later batches */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(fds[0]);

    CU_ASSERT_STRING_EQUAL(query(path, "PRAGMA integrity_check"), "ok");
    after = run1_digest();
    CU_ASSERT_STRING_EQUAL(before, after);
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT attrValue FROM runAttr WHERE"
                                 " runId = 2 AND attrName = 'status'"),
                           "running");
    /* Whole batches only: the killed run's rows are a multiple of them. */
    CU_ASSERT_STRING_EQUAL(query(path, "SELECT (SELECT count(*) FROM"
                                 " vectorData JOIN vector USING (vectorId)"
                                 " WHERE runId = 2) % 4096"), "4095");
    free(before);
    free(after);
    teardown();
}

static void
test_two_processes_append_runs_at_once(void)
{
    pid_t pids[2];
    int status;
    char err[256];
    struct res_db *db;

    setup();
    /* Create the schema first so both children start from one file. */
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    res_close(db);
    for (int k = 0; k < 2; k++) {
        pids[k] = fork();
        if (pids[k] == 0) {
            for (int r = 0; r < 5; r++) {
                char name[32];
                struct res_run *run;
                struct res_vector *v;
                snprintf(name, sizeof name, "w%d-%d", k, r);
                if (res_open(path, 0, &db, err, sizeof err)
                    || res_run_begin(db, name, &run)
                    || res_vector(run, "m", "v", &v)) {
                    _exit(1);
                }
                for (int i = 0; i < 20000; i++) {
                    if (res_vector_append(v, i, i, i)) {
                        _exit(2);
                    }
                }
                if (res_run_end(run, true, NULL)) {
                    _exit(3);
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
    teardown();
}

static void
test_unopenable_paths_give_clear_errors(void)
{
    struct res_db *db = (struct res_db *)1;
    char err[256];
    char p[192];
    FILE *f;

    setup();
    snprintf(p, sizeof p, "%s/no/such/dir/r.db", dir);
    CU_ASSERT_EQUAL(res_open(p, 0, &db, err, sizeof err), ENOENT);
    CU_ASSERT_PTR_NULL(db);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, p));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot open"));

    CU_ASSERT_EQUAL(res_open(dir, 0, &db, err, sizeof err), ENOENT);

    snprintf(p, sizeof p, "%s/text.db", dir);
    f = fopen(p, "w");
    fputs("this is not an SQLite database, just some text that is long "
          "enough to have a header........................................"
          "...............................................................",
          f);
    fclose(f);
    CU_ASSERT_EQUAL(res_open(p, 0, &db, err, sizeof err), EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an SQLite database"));
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
    res_close(db);
    CU_ASSERT_EQUAL_FATAL(res_open(path, RES_OPEN_READONLY, &db, err,
                                   sizeof err), 0);
    CU_ASSERT_EQUAL(res_run_begin(db, "x", &run), EROFS);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "read-only"));
    res_close(db);
    teardown();
}

static void
test_locked_file_fails_fast_with_clear_message(void)
{
    struct res_db *db;
    struct res_run *run;
    sqlite3 *holder;
    char err[256];

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &holder), SQLITE_OK);
    CU_ASSERT_EQUAL_FATAL(sqlite3_exec(holder, "BEGIN EXCLUSIVE", NULL, NULL,
                                       NULL), SQLITE_OK);
    res_set_busy_timeout(db, 50);
    CU_ASSERT_EQUAL(res_run_begin(db, "x", &run), EBUSY);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "locked"));
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), path));
    sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(holder);
    /* Once the lock is gone the same handle works. */
    CU_ASSERT_EQUAL(res_run_begin(db, "x", &run), 0);
    CU_ASSERT_EQUAL(res_run_end(run, true, NULL), 0);
    res_close(db);
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

    setup();
    CU_ASSERT_EQUAL_FATAL(res_open(path, 0, &db, err, sizeof err), 0);
    write_run(db, "earlier", 1000);
    before = run1_digest();
    CU_ASSERT_EQUAL(res_set_max_pages(db, 60), 0);
    CU_ASSERT_EQUAL_FATAL(res_run_begin(db, "big", &run), 0);
    CU_ASSERT_EQUAL_FATAL(res_vector(run, "m", "v", &v), 0);
    for (int i = 0; i < 1000000 && !error; i++) {
        error = res_vector_append(v, i, i, i);
    }
    CU_ASSERT_EQUAL(error, ENOSPC);
    CU_ASSERT_PTR_NOT_NULL(strstr(res_errmsg(db), "full"));
    res_run_end(run, false, "disk full");
    res_close(db);
    CU_ASSERT_STRING_EQUAL(query(path, "PRAGMA integrity_check"), "ok");
    after = run1_digest();
    CU_ASSERT_STRING_EQUAL(before, after);
    CU_ASSERT_STRING_NOT_EQUAL(query(path, "SELECT attrValue FROM runAttr"
                                     " WHERE runId = 2 AND"
                                     " attrName = 'status'"), "complete");
    free(before);
    free(after);
    teardown();
}

static const struct cutest_case results_cases[] = {
    CUTEST(test_run_round_trip_reads_back_with_plain_sql),
    CUTEST(test_many_runs_append_to_one_file),
    CUTEST(test_failed_run_is_marked_failed_with_reason),
    CUTEST(test_writer_killed_mid_run_leaves_file_intact_and_run_incomplete),
    CUTEST(test_two_processes_append_runs_at_once),
    CUTEST(test_unopenable_paths_give_clear_errors),
    CUTEST(test_read_only_handle_refuses_to_write),
    CUTEST(test_locked_file_fails_fast_with_clear_message),
    CUTEST(test_full_database_gives_clear_error_and_keeps_earlier_runs),
    CUTEST_END
};

CUTEST_MAIN({ "results", results_cases })
