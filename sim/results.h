/*
 * results.h -- the results recorder: runs, their attributes and their
 * metrics, written to an SQLite file in the OMNeT++ 6 result schema.
 *
 * This module knows SQLite and the schema, nothing else: it does not know
 * the metrics registry (sim/record.h maps metrics onto it) nor scenarios,
 * versions or wall-clock time (sim/runrec.h sets those attributes).
 *
 * SCHEMA.  One file holds many runs.  The tables, columns and column types
 * are those of OMNeT++ 6's SQLite result files: run, runAttr, runItervar,
 * runConfig, parameter, paramAttr, scalar, scalarAttr, statistic,
 * statisticAttr, histogramBin, vector, vectorAttr and vectorData, every
 * child row pointing at its parent with ON DELETE CASCADE.  simtimeExp is
 * -12: every simtimeRaw is a count of picoseconds, exactly vnetsim's
 * sim_time_t, so seconds are simtimeRaw * 1e-12.  Indices on the runId and
 * vectorId columns make per-run queries fast.  OMNeT++'s tools, plain
 * sqlite3, pandas and gnuplot read the files; doc/engine.md lists the
 * columns and gives example queries.
 *
 * HOW WRITING WORKS.  res_run_begin() inserts the run row, the attribute
 * status=running and any initial attributes in ONE transaction and commits
 * it before returning: from then on the run is visible to every reader.
 * Every later write is queued in memory (strings are copied) and the queue
 * is written with prepared statements in one BEGIN IMMEDIATE ... COMMIT
 * transaction when it holds RES_BATCH_ROWS rows, on res_flush() and at
 * res_run_end().  So the file's write lock is held only inside a res_
 * call, for the few milliseconds a batch takes, never while the caller
 * simulates: many processes can append runs to one file at once (the
 * workers of a sweep), each waiting at most the busy timeout (10 s by
 * default) for the others' batches.  Errors of a queued row surface from
 * the call that writes its batch.
 *
 * RUN LIFECYCLE AND CRASH SAFETY.  res_run_end() writes what is queued, the
 * vector summaries, the failure reason if any and finally the new status
 * ("complete" or "failed") in ONE last transaction: the status update is
 * the last write of the run, so a run whose status is "complete" is always
 * whole.  A process killed at any point loses at most its unwritten queue
 * and leaves a file that passes PRAGMA integrity_check (SQLite's write-ahead
 * log makes every commit atomic), earlier runs untouched, and the killed
 * run still saying "running".  Readers must treat any status other than
 * "complete" as an incomplete run.
 *
 * ERRORS.  Functions that can fail return 0 or a positive errno value:
 *     EBUSY    the file is locked by another writer past the busy timeout,
 *     ENOSPC   the disk (or the max_page_count limit) is full,
 *     EROFS    the file or the handle is read-only,
 *     ENOENT   the file cannot be opened or created (missing directory, a
 *              directory, no permission), or a requested row is absent,
 *     EINVAL   not an SQLite database or not a result file, or a bad
 *              argument (a misuse the caller can avoid),
 *     ENOMEM   out of memory,
 *     EIO      anything else SQLite reports.
 * res_errmsg() (or the 'err' buffer of res_open()) then holds one line
 * "FILE: what: cause", e.g. "r.db: writing: database or disk is full".
 * A failed write is sticky: every later write of the same run returns the
 * same error without writing, and res_run_end() can then only mark the run
 * failed (it tries; if even that cannot be written, the run stays
 * "running", which readers also see as incomplete).
 *
 * OWNERSHIP.  A struct res_run and its struct res_vector handles belong to
 * their struct res_db; res_run_end() frees them (res_close() ends a run
 * left open as failed).  One run at a time per res_db.  Strings passed in
 * are copied; the caller keeps ownership.  A handle is not thread-safe.
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
#define RES_BATCH_ROWS 4096             /* queued rows per transaction */
#define RES_BUSY_TIMEOUT_MS 10000       /* default wait for the write lock */

enum {
    RES_OPEN_READONLY = 1 << 0,         /* open an existing file for reading */
};

/* A name/value pair, for res_run_begin_attrs(). */
struct res_attr {
    const char *name;
    const char *value;
};

/* --- Opening ----------------------------------------------------------- */

/* Opens the result file at 'path' and makes sure its schema exists,
 * creating the file unless 'flags' has RES_OPEN_READONLY.  The file uses
 * WAL journaling, foreign keys are enforced and writers wait up to
 * RES_BUSY_TIMEOUT_MS for the write lock.  On success stores the handle in
 * '*out' and returns 0; on failure returns an error (see above), stores
 * NULL and writes a one-line message naming 'path' into 'err' (size
 * 'err_size'). */
int res_open(const char *path, unsigned flags, struct res_db **out,
             char *err, size_t err_size);

/* Closes 'db'.  A run still open is ended as failed ("not ended").
 * Accepts NULL. */
void res_close(struct res_db *db);

/* The last error on 'db' as one line, "FILE: what: cause" ("" if none). */
const char *res_errmsg(const struct res_db *db);

/* How long a writer waits for another process's write lock, in ms. */
void res_set_busy_timeout(struct res_db *db, int timeout_ms);

/* Limits the file to 'pages' database pages (SQLite max_page_count), so
 * tests can make the "disk" full. */
int res_set_max_pages(struct res_db *db, uint32_t pages);

/* --- Writing a run ----------------------------------------------------- */

/* Begins run 'run_name' (OMNeT++ style, e.g. "demo-0-20261123-10:00:00-42")
 * with simtimeExp = RES_SIMTIME_EXP, and commits the run row and the
 * attribute status=running before returning.  res_run_begin_attrs() also
 * commits the 'n_attrs' attributes 'attrs' in that same transaction, so a
 * run that is visible always carries them (seed, scenario...).  "status"
 * is not allowed among them.  On failure nothing is written and '*out' is
 * NULL. */
int res_run_begin(struct res_db *db, const char *run_name,
                  struct res_run **out);
int res_run_begin_attrs(struct res_db *db, const char *run_name,
                        const struct res_attr *attrs, size_t n_attrs,
                        struct res_run **out);

/* The runId column of 'run'. */
int64_t res_run_id(const struct res_run *run);

/* Queue a run attribute (each name once; "status" belongs to begin and end
 * and is refused with EINVAL), an iteration variable, a configuration
 * entry (configOrder counts the calls: 0, 1, 2...) and a module parameter. */
int res_run_attr(struct res_run *run, const char *name, const char *value);
int res_run_itervar(struct res_run *run, const char *name, const char *value);
int res_run_config(struct res_run *run, const char *key, const char *value);
int res_parameter(struct res_run *run, const char *module, const char *name,
                  const char *value);

/* Queue a scalar.  '*id' (if 'id' is non-null) receives a handle for
 * res_scalar_attr(), valid while 'run' is open.  It is NOT the scalarId
 * column, which SQLite assigns when the batch is written. */
int res_scalar(struct res_run *run, const char *module, const char *name,
               double value, int64_t *id);
int res_scalar_attr(struct res_run *run, int64_t scalar_id, const char *name,
                    const char *value);

/* Summary statistics of a sample (the statistic table's fields).  statMean
 * and statStddev (sample standard deviation, n - 1) are computed from
 * count, sum and sqrsum; min and max are ignored if count is 0 (NULL is
 * written); the weight fields are written only if 'is_weighted'. */
struct res_statistic {
    uint64_t count;
    double sum, sqrsum, min, max;
    bool is_histogram;
    bool is_weighted;
    double weights, weighted_sum, sqr_sum_weights, weighted_sqr_sum;
};

/* Queue a statistic; '*id' receives a handle for res_statistic_attr() and
 * res_histogram_bin() (like res_scalar(), not the statId column). */
int res_statistic(struct res_run *run, const char *module, const char *name,
                  const struct res_statistic *s, int64_t *id);
int res_statistic_attr(struct res_run *run, int64_t stat_id,
                       const char *name, const char *value);
/* A histogram bin: 'value' observations from 'lower_edge' up to the next
 * bin's lower edge (OMNeT++ writes -inf for the underflow bin). */
int res_histogram_bin(struct res_run *run, int64_t stat_id, double lower_edge,
                      double value);

/* An output vector, owned by 'run'.  Points must come in non-decreasing
 * time order (EINVAL otherwise).  The summary columns (vectorCount,
 * vectorMin, vectorMax, vectorSum, vectorSumSqr, startEventNum,
 * endEventNum, startSimtimeRaw, endSimtimeRaw) are written by
 * res_vector_close() or, for a vector still open, by res_run_end(); an
 * empty vector gets vectorCount 0 and NULL elsewhere. */
int res_vector(struct res_run *run, const char *module, const char *name,
               struct res_vector **out);
int res_vector_attr(struct res_vector *v, const char *name, const char *value);
int res_vector_append(struct res_vector *v, int64_t event_number,
                      sim_time_t t, double value);
/* Queues the summary of 'v'; appending to it afterwards is EINVAL.  The
 * handle stays valid (and owned by the run) until res_run_end(). */
int res_vector_close(struct res_vector *v);

/* Writes and commits what is queued now (an explicit batch boundary). */
int res_flush(struct res_run *run);

/* Ends 'run': in one transaction writes the queue, the summaries of open
 * vectors and, if 'complete' is false or an earlier write failed, the
 * attribute failureReason ('reason', or the earlier error), and last sets
 * status to "complete" or "failed".  Frees 'run' and its vectors whatever
 * happens; returns the first error met (the sticky one included). */
int res_run_end(struct res_run *run, bool complete, const char *reason);

/* --- Reading ----------------------------------------------------------- */

/* Readers see committed rows only (not another handle's queue). */

/* Called by res_list_runs() once per run, oldest first; 'status' is ""
 * if the run has none.  A non-zero return stops the listing and becomes
 * res_list_runs()'s result. */
typedef int res_run_fn(void *ctx, int64_t run_id, const char *run_name,
                       const char *status);

/* Calls 'fn' with 'ctx' for every run of the file. */
int res_list_runs(struct res_db *db, res_run_fn *fn, void *ctx);

/* Copies attribute 'name' of run 'run_id' into 'buf' (size 'size',
 * truncating).  Returns 0, ENOENT if there is no such attribute, or
 * another error. */
int res_read_run_attr(struct res_db *db, int64_t run_id, const char *name,
                      char *buf, size_t size);

/* Stores the number of scalars of run 'run_id' in '*count'. */
int res_count_scalars(struct res_db *db, int64_t run_id, int64_t *count);

/* The id of the newest run in the file, or 0 if there is none. */
int64_t res_last_run_id(struct res_db *db);

/* Prints one line per run (id, status, events, fingerprint, name). */
int res_print_runs(struct res_db *db, FILE *out);

/* Prints a run's attributes, iteration variables, scalars, statistics and
 * vector summaries. */
int res_print_run(struct res_db *db, int64_t run_id, FILE *out);

#endif /* VNETSIM_SIM_RESULTS_H */
