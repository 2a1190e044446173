/*
 * runid.h -- who a recorded run is: the identity by which "vnetsim merge"
 * recognises the same run in two results databases, and by which
 * "vnetsim sweep" recognises a run it need not make again.
 *
 * IDENTITY.  Two runs are THE SAME RUN when they agree on
 *     configname, scenarioSha256, runnumber, seed, iterationvars
 * (the BASE identity: attributes every run carries from its first commit,
 * sim/runrec.h) and on their SETTINGS: every runConfig row (parameter =
 * value, in configOrder, -p overrides included) followed by the sim
 * duration (the parameter row sim.duration, which --until changes).  The
 * settings are written only when a run completes, so a run that is not
 * complete has an empty settings text and can only be matched on its base
 * identity.  Same scenario text, run number, seed, parameter values and
 * duration mean, by vnetsim's determinism, the same simulation: the same
 * fingerprint and scalars.  Anything else (run name, datetime, wall time,
 * version) is not part of the identity.
 *
 * SETTINGS TEXT.  "NAME=VALUE\n" per runConfig row in configOrder, then
 * "sim.duration=VALUE\n" ("" when the run has no runConfig and no
 * duration row).  runid_settings_add() builds the same text from values
 * a caller holds (the sweep builds it from a scenario loaded for run K).
 *
 * OWNERSHIP.  A struct runid_list owns its runs and their strings; free it
 * with runid_list_free().  The module keeps no global state.
 */
#ifndef VNETSIM_SIM_RUNID_H
#define VNETSIM_SIM_RUNID_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* One run of a results database, as far as identity goes. */
struct runid {
    int64_t id;                 /* runId in its file */
    char *name;                 /* runName */
    char *status;               /* "complete", "failed", "running" or "" */
    char *config;               /* configname */
    char *sha;                  /* scenarioSha256 */
    char *runnumber;            /* decimal text, as stored */
    char *seed;                 /* decimal text, as stored */
    char *itervars;             /* "$nic=legacy, $load=50%" */
    char *fingerprint;          /* "" unless complete */
    char *settings;             /* see SETTINGS TEXT */
    const char *origin;         /* for messages: the file it came from, if
                                 * not the one it was read from (not owned) */
};

struct runid_list {
    struct runid *runs;
    size_t n, cap;
};

/* Appends every run of the database attached as 'schema' ("main" or an
 * ATTACH name) on 'db' to 'list', in runId order.  Returns 0, or EIO
 * (ENOMEM) with a one-line message in 'err'; 'list' then holds what was
 * read so far. */
int runid_load(sqlite3 *db, const char *schema, struct runid_list *list,
               char *err, size_t err_size);

/* Frees the runs of 'list' and empties it (accepts an empty list). */
void runid_list_free(struct runid_list *list);

/* Removes entry 'i' of 'list', keeping the order of the others. */
void runid_list_remove(struct runid_list *list, size_t i);

/* Appends a copy of 'r' to 'list'.  Returns 0 or ENOMEM. */
int runid_list_add(struct runid_list *list, const struct runid *r);

/* Whether 'r' is complete (status "complete"). */
bool runid_complete(const struct runid *r);

/* Whether 'a' and 'b' have the same base identity. */
bool runid_same_base(const struct runid *a, const struct runid *b);

/* Whether 'a' and 'b' are the same run: same base identity and same
 * settings (meaningful for complete runs). */
bool runid_same_run(const struct runid *a, const struct runid *b);

/* A growing settings text: appends "NAME=VALUE\n" to '*text' (a malloc'd
 * string, or NULL to start one).  Returns 0 or ENOMEM ('*text' kept). */
int runid_settings_add(char **text, const char *name, const char *value);

#endif /* VNETSIM_SIM_RUNID_H */
