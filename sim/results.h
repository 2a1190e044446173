/*
 * results.h -- the results recorder: runs, their attributes and their
 * metrics, written to an SQLite file in the OMNeT++ 6 result schema.
 *
 * SCHEMA.  One file holds many runs.  The tables and columns are those of
 * OMNeT++ 6's SQLite result files (run, runAttr, runItervar, runConfig,
 * parameter, paramAttr, scalar, scalarAttr, statistic, statisticAttr,
 * histogramBin, vector, vectorAttr, vectorData), with simtimeExp = -12:
 * every simtimeRaw is a count of picoseconds, exactly vnetsim's sim_time_t.
 * So OMNeT++'s tools, plain sqlite3, pandas and gnuplot read our files.
 * doc/engine.md lists the columns and gives example queries.
 *
 * RUN LIFECYCLE AND CRASH SAFETY.  res_run_begin() inserts the run row and
 * the attribute status=running in one transaction and commits it before
 * returning, so from then on the run is visible.  Data is then written in
 * batches, each batch a transaction of at most RES_BATCH_ROWS rows.
 * res_run_end() writes what is left, the vector summaries and finally
 * status=complete (or failed, with a reason) in ONE last transaction: a run
 * whose status is "complete" is always whole.  A process killed at any
 * point leaves a file that passes PRAGMA integrity_check (SQLite's
 * write-ahead log makes every commit atomic), earlier runs untouched, and
 * the killed run still saying "running".
 *
 * CONCURRENCY.  Several processes may append runs to one file at once (the
 * workers of a sweep): the file uses WAL, writers take the write lock with
 * BEGIN IMMEDIATE and wait up to the busy timeout (10 s by default) for it.
 *
 * ERRORS.  Functions that can fail return 0 or a positive errno value:
 * EBUSY (the file is locked by another writer past the busy timeout),
 * ENOSPC (disk or page limit full), EROFS (read-only file or handle),
 * ENOENT (cannot open or create the file), EINVAL (not a database, or a bad
 * argument), ENOMEM, EIO (anything else).  res_errmsg() then holds one line
 * naming the file and the cause.  After a failed write the run should be
 * ended with res_run_end(run, false, reason), which tries to mark it failed.
 *
 * OWNERSHIP.  A struct res_run and its struct res_vector handles belong to
 * the struct res_db; res_run_end() frees them.  One run at a time per db.
 */
#ifndef VNETSIM_SIM_RESULTS_H
#define VNETSIM_SIM_RESULTS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/simtime.h"

struct res_db;
struct res_run;
struct res_vector;

#define RES_SIMTIME_EXP (-12)           /* simtimeRaw unit: 10^-12 s */
#define RES_BATCH_ROWS 4096             /* rows per data transaction */

enum {
    RES_OPEN_READONLY = 1 << 0,         /* open an existing file for reading */
};

/* Opens (creating if needed, unless RES_OPEN_READONLY) the result file at
 * 'path' and makes sure its schema exists.  On success stores the handle
 * in '*out' and returns 0; on failure returns an error (see above), stores
 * NULL and writes a one-line message into 'err' (size 'err_size'). */
int res_open(const char *path, unsigned flags, struct res_db **out,
             char *err, size_t err_size);

/* Closes 'db'.  A run still open is ended as failed ("not ended").
 * Accepts NULL. */
void res_close(struct res_db *db);

/* The last error on 'db' as one line, "FILE: cause". */
const char *res_errmsg(const struct res_db *db);

/* How long a writer waits for another process's write lock. */
void res_set_busy_timeout(struct res_db *db, int timeout_ms);

/* Limits the file to 'pages' database pages (SQLite max_page_count), for
 * tests of a full disk. */
int res_set_max_pages(struct res_db *db, uint32_t pages);

/* Begins run 'run_name' (OMNeT++ style, e.g. "quickstart-0-20261123-...")
 * and commits it with status=running. */
int res_run_begin(struct res_db *db, const char *run_name,
                  struct res_run **out);
int64_t res_run_id(const struct res_run *run);

/* Run attributes (name/value), iteration variables, configuration entries
 * (kept in the order given) and module parameters. */
int res_run_attr(struct res_run *run, const char *name, const char *value);
int res_run_itervar(struct res_run *run, const char *name, const char *value);
int res_run_config(struct res_run *run, const char *key, const char *value);
int res_parameter(struct res_run *run, const char *module, const char *name,
                  const char *value);

/* A scalar; its id goes to '*id' if non-null, for res_scalar_attr(). */
int res_scalar(struct res_run *run, const char *module, const char *name,
               double value, int64_t *id);
int res_scalar_attr(struct res_run *run, int64_t scalar_id, const char *name,
                    const char *value);

/* Summary statistics of a sample (OMNeT++ field names).  For unweighted
 * statistics the weight fields are ignored. */
struct res_statistic {
    uint64_t count;
    double sum, sqrsum, min, max;       /* min/max ignored if count == 0 */
    bool is_histogram;
    bool is_weighted;
    double weights, weighted_sum, sqr_sum_weights, weighted_sqr_sum;
};

int res_statistic(struct res_run *run, const char *module, const char *name,
                  const struct res_statistic *s, int64_t *id);
int res_statistic_attr(struct res_run *run, int64_t stat_id,
                       const char *name, const char *value);
int res_histogram_bin(struct res_run *run, int64_t stat_id, double lower_edge,
                      double value);

/* An output vector.  Points must come in non-decreasing time order; the
 * summary columns (count, min, max, sum, sum of squares, first and last
 * event and time) are written when the run ends. */
int res_vector(struct res_run *run, const char *module, const char *name,
               struct res_vector **out);
int res_vector_attr(struct res_vector *v, const char *name, const char *value);
int res_vector_append(struct res_vector *v, int64_t event_number,
                      sim_time_t t, double value);

/* Commits what is buffered so far (an explicit batch boundary). */
int res_flush(struct res_run *run);

/* Ends 'run': flushes, writes vector summaries and sets status to
 * "complete" ('complete' true) or "failed" with attribute failureReason =
 * 'reason'.  Frees 'run' whatever happens; returns the first error met. */
int res_run_end(struct res_run *run, bool complete, const char *reason);

/* --- Reading ----------------------------------------------------------- */

/* Copies attribute 'name' of run 'run_id' into 'buf'.  Returns 0, ENOENT
 * if there is no such attribute, or another error. */
int res_read_run_attr(struct res_db *db, int64_t run_id, const char *name,
                      char *buf, size_t size);

/* The id of the newest run in the file, or 0 if there is none. */
int64_t res_last_run_id(struct res_db *db);

/* Prints one line per run (id, name, status, events, fingerprint). */
int res_print_runs(struct res_db *db, FILE *out);

/* Prints a run's attributes, scalars and statistics. */
int res_print_run(struct res_db *db, int64_t run_id, FILE *out);

#endif /* VNETSIM_SIM_RESULTS_H */
