/*
 * merge.h -- merging results databases: "vnetsim merge OUT.db IN.db...",
 * and the last step of an MPI sweep (sim/mpisweep.c), which merges the
 * databases its ranks wrote.
 *
 * WHAT A MERGE DOES.  Every run of each input is copied into OUT with all
 * its rows -- run, runAttr, runItervar, runConfig, parameter, paramAttr,
 * scalar, scalarAttr, statistic, statisticAttr, histogramBin, vector,
 * vectorAttr, vectorData -- under new ids where OUT's are taken (the rows
 * of one run keep their order).  OUT is created if missing.  Runs are
 * recognised by their identity (sim/runid.h), so merging the same input
 * twice, or two inputs holding the same run, adds each run once:
 *
 *   incoming      in OUT already                 action
 *   complete      the same run, complete, same   skipped ("already
 *                 fingerprint                    present")
 *   complete      the same run, complete, other  CONFLICT: nothing of this
 *                 fingerprint                    input is merged (EEXIST)
 *   complete      same base identity, not        the incomplete run(s) are
 *                 complete                       deleted, this one copied
 *   not complete  same base identity, complete   skipped (the complete run
 *                                                stays)
 *   not complete  the same run name and status   skipped ("already
 *                                                present")
 *   not complete  same base identity, not        the older one is replaced
 *                 complete
 *   anything      nothing matching               copied
 *
 * CRASH SAFETY.  Each input is merged in ONE transaction (BEGIN IMMEDIATE
 * ... COMMIT, WAL journal): a merge killed at any point leaves OUT as it
 * was before that input, with every earlier input whole.  A conflict or
 * any error rolls the current input back; earlier inputs stay merged.
 *
 * ERRORS.  merge_db() returns 0 or a positive errno, with one line in
 * 'err': EINVAL an input is missing, is OUT itself, or is not a vnetsim
 * results database (or OUT is not one); EEXIST a conflict (the line names
 * both files, the run and both fingerprints); EBUSY, ENOSPC, EIO, ENOMEM
 * for trouble with SQLite or the disk.
 */
#ifndef VNETSIM_SIM_MERGE_H
#define VNETSIM_SIM_MERGE_H 1

#include <stddef.h>
#include <stdio.h>

/* What merging one input did, run by run. */
struct merge_stats {
    size_t runs;                /* runs in the input */
    size_t copied;              /* copied as new runs */
    size_t present;             /* already in OUT: skipped */
    size_t replaced;            /* copied over an incomplete run */
    size_t kept;                /* incomplete, a complete run kept instead */
};

/* Merges the 'n_in' files 'in' into 'out', in order, one transaction each.
 * After each input, if 'report' is non-NULL, prints one summary line
 * "IN: N runs: C copied, P already present, R replaced ..." and one line
 * per run replaced or kept out.  'stats' (if non-NULL) receives the sum
 * over the inputs merged.  Returns 0 or an error (see ERRORS). */
int merge_db(const char *out, const char *const *in, size_t n_in,
             FILE *report, struct merge_stats *stats, char *err,
             size_t err_size);

#endif /* VNETSIM_SIM_MERGE_H */
