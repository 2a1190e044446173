/*
 * runrec.h -- the program-level run record: opening a results database,
 * beginning a run with the standard attributes every vnetsim run carries,
 * and ending it with the engine's totals.
 *
 * This sits above libsim's recorder (results.h), which knows nothing of
 * scenarios, versions or wall-clock time.  Every command that runs a
 * simulation goes through it so that all runs describe themselves the same
 * way (doc/engine.md, "Run attributes").
 */
#ifndef VNETSIM_SIM_RUNREC_H
#define VNETSIM_SIM_RUNREC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sim/results.h"
#include "sim/sim.h"

struct runrec {
    struct res_db *db;
    struct res_run *run;
    struct timespec started;    /* CLOCK_MONOTONIC at begin */
};

/* Who a run is: the standard attributes it carries. */
struct runrec_info {
    const char *config;         /* configname: the scenario's base name */
    const char *scenario;       /* its path, or "builtin:..." */
    const void *text;           /* the scenario text, for its SHA-256 */
    size_t text_len;
    uint64_t seed;
    uint64_t run_number;        /* OMNeT++ runnumber (the sweep's run) */
    uint32_t repetition;
    const char *itervars;       /* "$nic=legacy, $load=50%" or "" */
    uint32_t max_db_pages;      /* --max-db-pages (0: SQLite's default) */
};

/* Opens 'db_path' and begins a run named "CONFIG-RUNNUMBER-DATE-TIME-PID"
 * with, committed together with the run row: status=running, configname,
 * runnumber, repetition, replication ("#REPETITION"), iterationvars, seed,
 * scenario, scenarioSha256, vnetsimVersion and datetime (ISO 8601 UTC).
 * Returns 0, or an error with a one-line message in 'err'. */
int runrec_begin(struct runrec *rr, const char *db_path,
                 const struct runrec_info *info, char *err, size_t err_size);

/* Ends the run: writes events, simtime, fingerprint and wallSeconds from
 * 'sim' and sets status complete (or failed with 'reason'), then closes
 * the database.  Returns 0 or an errno value with 'err' filled. */
int runrec_end(struct runrec *rr, const struct sim *sim, bool complete,
               const char *reason, char *err, size_t err_size);

/* Writes the lowercase hex SHA-256 of 'len' bytes at 'data' into 'hex'
 * (65 bytes with the NUL). */
void runrec_sha256_hex(const void *data, size_t len, char hex[65]);

#endif /* VNETSIM_SIM_RUNREC_H */
