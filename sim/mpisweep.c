/*
 * mpisweep.c -- the MPI sweep (mpisweep.h): rank 0 dispatches run
 * numbers and runs simulations itself while it waits; the other ranks
 * ask for a run, make it, report, and ask again.
 *
 * PROTOCOL.  A worker sends TAG_READY with a struct report (the run it
 * just finished, if any) to rank 0 and waits.  Rank 0 answers TAG_WORK
 * with {run, seed}, or TAG_STOP when nothing is left (or after an
 * internal error), after which the worker finalises.  Rank 0 ends when
 * every worker was stopped and its own run, if any, ended.  Reports are
 * sent as bytes: all ranks run the same vnetsim binary.
 */
#include <config.h>
#include "sim/mpisweep.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/cli.h"
#include "sim/merge.h"

#ifdef HAVE_MPI
#include <mpi.h>
#endif

/* Reads a non-negative integer environment variable; -1 if it is unset
 * or not a number. */
static long
env_long(const char *name)
{
    const char *v = getenv(name);
    char *end;
    long n;

    if (!v || !*v) {
        return -1;
    }
    n = strtol(v, &end, 10);
    return *end || n < 0 ? -1 : n;
}

bool
mpisweep_launched(int *rank, int *size)
{
    long s = env_long("OMPI_COMM_WORLD_SIZE");
    long r = env_long("OMPI_COMM_WORLD_RANK");

    if (s < 0) {
        s = env_long("PMI_SIZE");
        r = env_long("PMI_RANK");
    }
    *rank = r > 0 && r < INT_MAX ? (int)r : 0;
    *size = s > 0 && s < INT_MAX ? (int)s : 1;
    return s > 1;
}

void
mpisweep_rank_db(const char *out, int rank, char *buf, size_t size)
{
    snprintf(buf, size, "%s.rank-%d", out, rank);
}

/* Deletes a database file with its WAL and shared-memory files. */
static void
remove_db(const char *path)
{
    char aux[PATH_MAX + 8];

    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
mpisweep_merge_leftovers(const char *out, FILE *report, char *err,
                         size_t err_size)
{
    char dir[PATH_MAX], prefix[PATH_MAX];
    const char *slash = strrchr(out, '/');
    char **found = NULL;
    size_t n = 0;
    DIR *d;
    struct dirent *e;
    int error = 0;

    if (slash) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - out + (slash == out)),
                 out);
        snprintf(prefix, sizeof prefix, "%s.rank-", slash + 1);
    } else {
        snprintf(dir, sizeof dir, ".");
        snprintf(prefix, sizeof prefix, "%s.rank-", out);
    }
    d = opendir(dir);
    if (!d) {
        return 0;
    }
    while ((e = readdir(d))) {
        size_t lp = strlen(prefix);
        const char *rest = e->d_name + lp;
        if (strncmp(e->d_name, prefix, lp) || !*rest
            || strspn(rest, "0123456789") != strlen(rest)) {
            continue;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char **f = realloc(found, (n + 1) * sizeof *f);
        if (f) {
            found = f;
            found[n] = malloc(len);
        }
        if (!f || !found[n]) {
            error = ENOMEM;
            snprintf(err, err_size, "out of memory");
            break;
        }
        snprintf(found[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (!error && n) {
        qsort(found, n, sizeof *found, name_cmp);
        if (report) {
            fprintf(report, "sweep: merging %zu rank database%s an earlier "
                    "job left into %s\n", n, n == 1 ? "" : "s", out);
        }
        error = merge_db(out, (const char *const *)found, n, report, NULL,
                         err, err_size);
        for (size_t i = 0; i < n && !error; i++) {
            remove_db(found[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(found[i]);
    }
    free(found);
    return error;
}

#ifndef HAVE_MPI

const char *
mpisweep_library(void)
{
    return NULL;
}

int
mpisweep_run(const struct mpisweep_job *job)
{
    (void)job;
    fprintf(stderr, "vnetsim sweep: this vnetsim was built without MPI "
            "(./configure --with-mpi)\n");
    return VNETSIM_EXIT_USAGE;
}

#else /* HAVE_MPI */

enum { TAG_READY = 1, TAG_WORK = 2, TAG_STOP = 3 };

/* What a rank reports about the run it just made. */
struct report {
    uint64_t run;
    int32_t has;                /* 0 in the first request */
    int32_t code;               /* its exit code (cli.h) */
    double seconds;
    char msg[480];              /* its first line on stderr, if it failed */
};

const char *
mpisweep_library(void)
{
    static char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;

    if (!version[0]) {
        MPI_Get_library_version(version, &len);
        version[strcspn(version, ",\n")] = '\0';
    }
    return version;
}

static double
now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A run in progress in this process. */
struct child {
    pid_t pid;
    uint64_t run;
    FILE *err;
    double started;
};

/* Starts run 'run' into this rank's database.  Returns 0, or an internal
 * error exit code after printing why. */
static int
start(const struct mpisweep_job *job, const char *db, uint64_t run,
      uint64_t seed, struct child *c)
{
    c->run = run;
    c->started = now_s();
    c->err = tmpfile();
    if (!c->err) {
        fprintf(stderr, "vnetsim sweep: tmpfile: %s\n", strerror(errno));
        return VNETSIM_EXIT_INTERNAL;
    }
    c->pid = job->spawn(job->ctx, run, seed, db, c->err);
    if (c->pid < 0) {
        fprintf(stderr, "vnetsim sweep: fork: %s\n", strerror(errno));
        fclose(c->err);
        c->pid = 0;
        return VNETSIM_EXIT_INTERNAL;
    }
    return 0;
}

/* Fills 'r' from the wait status of child 'c' and closes its stderr. */
static void
finish(struct child *c, int status, struct report *r)
{
    memset(r, 0, sizeof *r);
    r->run = c->run;
    r->has = 1;
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : VNETSIM_EXIT_INTERNAL;
    r->seconds = now_s() - c->started;
    if (r->code) {
        rewind(c->err);
        if (!fgets(r->msg, sizeof r->msg, c->err)) {
            snprintf(r->msg, sizeof r->msg, "%s\n", WIFSIGNALED(status)
                     ? strsignal(WTERMSIG(status)) : "no message");
        }
        if (!strchr(r->msg, '\n')) {
            r->msg[sizeof r->msg - 2] = '\n';
            r->msg[sizeof r->msg - 1] = '\0';
        }
    }
    fclose(c->err);
    c->pid = 0;
}

/* A worker: ask, run, report, until told to stop. */
static int
worker(const struct mpisweep_job *job, int rank)
{
    struct report r = { 0 };
    char db[PATH_MAX];

    mpisweep_rank_db(job->db, rank, db, sizeof db);
    for (;;) {
        uint64_t work[2];
        MPI_Status st;
        struct child c = { 0 };
        int status;

        MPI_Send(&r, (int)sizeof r, MPI_BYTE, 0, TAG_READY, MPI_COMM_WORLD);
        MPI_Recv(work, 2, MPI_UINT64_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        if (st.MPI_TAG == TAG_STOP) {
            return VNETSIM_EXIT_OK;
        }
        if (start(job, db, work[0], work[1], &c)) {
            memset(&r, 0, sizeof r);
            r.run = work[0];
            r.has = 1;
            r.code = VNETSIM_EXIT_INTERNAL;
            snprintf(r.msg, sizeof r.msg, "could not start the run on rank "
                     "%d\n", rank);
            continue;
        }
        while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
        }
        finish(&c, status, &r);
    }
}

/* Rank 0's bookkeeping. */
struct dispatch {
    const struct mpisweep_job *job;
    size_t next, finished, failed;
    int rc;
    bool *ran;                  /* per rank: made at least one run */
};

/* Records the end of a run reported by 'rank'. */
static void
record(struct dispatch *d, const struct report *r, int rank)
{
    char desc[1024];

    d->finished++;
    d->ran[rank] = true;
    d->job->describe(d->job->ctx, r->run, desc, sizeof desc);
    if (r->code) {
        d->failed++;
        if (d->rc != VNETSIM_EXIT_INTERNAL) {
            d->rc = r->code == VNETSIM_EXIT_INPUT ? VNETSIM_EXIT_INPUT
                                                  : VNETSIM_EXIT_INTERNAL;
        }
        fprintf(stderr, "run %" PRIu64 " (%s) failed on rank %d: %s",
                r->run, desc, rank, r->msg);
    } else if (!d->job->quiet) {
        printf("[%zu/%zu] run %" PRIu64 " (%s): ok in %.2f s on rank %d\n",
               d->finished, d->job->n, r->run, desc, r->seconds, rank);
        fflush(stdout);
    }
}

/* Rank 0: hand out runs, make some, merge. */
static int
dispatcher(const struct mpisweep_job *job, int size)
{
    struct dispatch d = { .job = job };
    struct child own = { 0 };
    char db[PATH_MAX], err[1200];
    int workers = size - 1;
    double t0 = now_s();

    d.ran = calloc((size_t)size, sizeof *d.ran);
    if (!d.ran) {
        fprintf(stderr, "vnetsim sweep: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, VNETSIM_EXIT_INTERNAL);
    }
    mpisweep_rank_db(job->db, 0, db, sizeof db);
    if (!job->quiet) {
        printf("sweep: %zu run%s on %d MPI ranks, into %s\n", job->n,
               job->n == 1 ? "" : "s", size, job->db);
        fflush(stdout);
    }
    while (workers > 0 || own.pid) {
        bool busy = false;
        int flag = 0;
        MPI_Status st;

        MPI_Iprobe(MPI_ANY_SOURCE, TAG_READY, MPI_COMM_WORLD, &flag, &st);
        if (flag) {
            struct report r;
            int src = st.MPI_SOURCE;
            MPI_Recv(&r, (int)sizeof r, MPI_BYTE, src, TAG_READY,
                     MPI_COMM_WORLD, &st);
            if (r.has) {
                record(&d, &r, src);
            }
            if (d.next < job->n && d.rc != VNETSIM_EXIT_INTERNAL) {
                uint64_t work[2] = { job->runs[d.next], job->seeds[d.next] };
                d.next++;
                MPI_Send(work, 2, MPI_UINT64_T, src, TAG_WORK,
                         MPI_COMM_WORLD);
            } else {
                MPI_Send(NULL, 0, MPI_UINT64_T, src, TAG_STOP,
                         MPI_COMM_WORLD);
                workers--;
            }
            busy = true;
        }
        if (!own.pid && d.next < job->n && d.rc != VNETSIM_EXIT_INTERNAL) {
            int e = start(job, db, job->runs[d.next], job->seeds[d.next],
                          &own);
            d.next++;
            if (e) {
                d.rc = e;
            }
            busy = true;
        }
        if (own.pid) {
            int status;
            pid_t p = waitpid(own.pid, &status, WNOHANG);
            if (p == own.pid) {
                struct report r;
                finish(&own, status, &r);
                record(&d, &r, 0);
                busy = true;
            }
        }
        if (!busy) {
            struct timespec ts = { 0, 2000000 };
            nanosleep(&ts, NULL);
        }
    }

    /* Merge what the ranks wrote, rank by rank. */
    char **files = calloc((size_t)size, sizeof *files);
    size_t n_files = 0;
    int merge_rc = 0;
    if (!files) {
        fprintf(stderr, "vnetsim sweep: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, VNETSIM_EXIT_INTERNAL);
    }
    for (int r = 0; r < size; r++) {
        char path[PATH_MAX];
        struct stat sb;
        mpisweep_rank_db(job->db, r, path, sizeof path);
        if (stat(path, &sb) == 0) {
            files[n_files++] = strdup(path);
        } else if (d.ran[r]) {
            fprintf(stderr, "vnetsim sweep: %s: %s (rank %d made runs into "
                    "it: is the directory of %s shared by all ranks?)\n",
                    path, strerror(errno), r, job->db);
            merge_rc = VNETSIM_EXIT_INTERNAL;
        }
    }
    if (n_files) {
        struct merge_stats ms;
        int e = merge_db(job->db, (const char *const *)files, n_files, NULL,
                         &ms, err, sizeof err);
        if (e) {
            fprintf(stderr, "vnetsim sweep: %s (the rank databases are left "
                    "in place; the next sweep into %s merges them)\n", err,
                    job->db);
            merge_rc = e == EEXIST || e == EINVAL ? VNETSIM_EXIT_INPUT
                                                 : VNETSIM_EXIT_INTERNAL;
        } else {
            for (size_t i = 0; i < n_files; i++) {
                remove_db(files[i]);
            }
        }
    }
    for (size_t i = 0; i < n_files; i++) {
        free(files[i]);
    }
    free(files);
    free(d.ran);
    if (merge_rc && d.rc != VNETSIM_EXIT_INTERNAL) {
        d.rc = merge_rc;
    }
    if (!job->quiet) {
        printf("sweep done: %zu of %zu run%s, %zu ok, %zu failed, %zu already "
               "complete, %.1f s on %d ranks, results in %s\n", d.finished,
               job->n, job->n == 1 ? "" : "s", d.finished - d.failed,
               d.failed, job->skipped, now_s() - t0, size, job->db);
    }
    return d.rc;
}

int
mpisweep_run(const struct mpisweep_job *job)
{
    int rank = 0, size = 1, rc;

    if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
        fprintf(stderr, "vnetsim sweep: MPI_Init failed\n");
        return VNETSIM_EXIT_INTERNAL;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    rc = rank == 0 ? dispatcher(job, size) : worker(job, rank);
    MPI_Finalize();
    return rc;
}

#endif /* HAVE_MPI */
