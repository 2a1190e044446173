/*
 * mpisweep.h -- "mpirun -n K vnetsim sweep SCENARIO.lua -o OUT.db": a
 * sweep spread over the ranks of an MPI job (Open MPI), built in with
 * "./configure --with-mpi".  doc/cluster.md is the user's guide.
 *
 * HOW IT WORKS.  Every rank starts the same "vnetsim sweep" command line.
 * Rank 0 is the dispatcher: it merges rank databases an earlier, killed
 * job left behind (OUT.db.rank-N) into OUT.db, leaves out the runs OUT.db
 * already holds complete (sim/runid.h), and hands the other run numbers
 * out one at a time: a rank that finishes a run asks for the next one, so
 * fast and slow runs balance themselves.  Rank 0 runs simulations too
 * while it waits for requests (it polls every 2 ms and never spins).
 * Each run is its own "vnetsim run" process -- the same command line a
 * local "vnetsim sweep" starts, so the results are the same run for run
 * -- and writes into its rank's database OUT.db.rank-N, next to OUT.db;
 * the directory must be one all ranks see (a shared file system, as on
 * any cluster).  A run that fails is recorded as failed and the sweep
 * goes on.  At the end rank 0 merges the rank databases into OUT.db
 * (sim/merge.h) and deletes them.
 *
 * DETERMINISM.  Which rank makes which run, and in which order runs end,
 * depends on timing; what a run records does not: it depends only on the
 * scenario, its run number, its seed and the options, which every rank
 * passes on unchanged.
 *
 * WITHOUT MPI.  The module is built in every configuration; without
 * HAVE_MPI (no --with-mpi), mpisweep_library() is NULL and mpisweep_run()
 * refuses with one line, so the sweep refuses to run under mpirun instead
 * of making every run once per rank.
 */
#ifndef VNETSIM_SIM_MPISWEEP_H
#define VNETSIM_SIM_MPISWEEP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Whether this process was started by mpirun with more than one rank
 * (Open MPI's OMPI_COMM_WORLD_SIZE, or PMI_SIZE); stores its rank (0 if
 * unknown) and the number of ranks. */
bool mpisweep_launched(int *rank, int *size);

/* "Open MPI v4.1.4, ..." in a build with MPI, else NULL. */
const char *mpisweep_library(void);

/* The rank database of rank 'rank' for 'out': "OUT.rank-RANK". */
void mpisweep_rank_db(const char *out, int rank, char *buf, size_t size);

/* Merges rank databases "OUT.rank-N" that an earlier job left next to
 * 'out' into 'out' and deletes them.  Prints what it merged to 'report'
 * (if non-NULL).  Returns 0 or merge_db()'s error with 'err' filled (the
 * files are then left in place). */
int mpisweep_merge_leftovers(const char *out, FILE *report, char *err,
                             size_t err_size);

/* Starts one run: "vnetsim run" for run 'run' with seed 'seed' into 'db',
 * its stderr to 'err'.  Returns the child's pid, or -1 with errno. */
typedef pid_t mpisweep_spawn_fn(void *ctx, uint64_t run, uint64_t seed,
                                const char *db, FILE *err);

/* Writes "nic=legacy, load=50%, repetition=1" for run 'run'. */
typedef void mpisweep_describe_fn(void *ctx, uint64_t run, char *buf,
                                  size_t size);

struct mpisweep_job {
    const char *db;             /* OUT.db */
    const uint64_t *runs;       /* rank 0: the runs to make, in order */
    const uint64_t *seeds;      /* rank 0: their seeds */
    size_t n;                   /* rank 0: how many (others: ignored) */
    size_t skipped;             /* rank 0: runs left out (for the summary) */
    bool quiet;
    mpisweep_spawn_fn *spawn;
    mpisweep_describe_fn *describe;
    void *ctx;
};

/* Initialises MPI, runs the sweep as this rank's part, merges (rank 0)
 * and finalises MPI.  Returns the exit code of this rank (cli.h): rank 0
 * returns 1 if a run failed on a scenario error, 3 on an internal error,
 * as a local sweep does; other ranks 0 unless MPI itself fails. */
int mpisweep_run(const struct mpisweep_job *job);

#endif /* VNETSIM_SIM_MPISWEEP_H */
