/*
 * runrec.c -- standard run attributes around the results recorder (see
 * runrec.h).  SHA-256 comes from nettle.
 */
#include <config.h>
#include "sim/runrec.h"

#include <errno.h>
#include <inttypes.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

void
runrec_sha256_hex(const void *data, size_t len, char hex[65])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];

    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++) {
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    }
}

int
runrec_begin(struct runrec *rr, const char *db_path,
             const struct runrec_info *info, char *err, size_t err_size)
{
    char when[32], stamp[32], name[256], seed_text[24], sha[65];
    char runnumber[24], repetition[16], replication[24];
    time_t now = time(NULL);
    struct tm tm;
    int error;

    memset(rr, 0, sizeof *rr);
    clock_gettime(CLOCK_MONOTONIC, &rr->started);
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H:%M:%S", &tm);
    snprintf(name, sizeof name, "%s-%" PRIu64 "-%s-%ld", info->config,
             info->run_number, stamp, (long)getpid());
    snprintf(seed_text, sizeof seed_text, "%" PRIu64, info->seed);
    snprintf(runnumber, sizeof runnumber, "%" PRIu64, info->run_number);
    snprintf(repetition, sizeof repetition, "%" PRIu32, info->repetition);
    snprintf(replication, sizeof replication, "#%" PRIu32, info->repetition);
    runrec_sha256_hex(info->text, info->text_len, sha);

    error = res_open(db_path, 0, &rr->db, err, err_size);
    if (error) {
        return error;
    }
    if (info->max_db_pages
        && (error = res_set_max_pages(rr->db, info->max_db_pages))) {
        snprintf(err, err_size, "%s", res_errmsg(rr->db));
        res_close(rr->db);
        rr->db = NULL;
        return error;
    }
    {
        /* Committed with the run row: a visible run always carries them. */
        const struct res_attr attrs[] = {
            { "configname", info->config }, { "runnumber", runnumber },
            { "repetition", repetition }, { "replication", replication },
            { "iterationvars", info->itervars ? info->itervars : "" },
            { "seed", seed_text },
            { "scenario", info->scenario }, { "scenarioSha256", sha },
            { "vnetsimVersion", PACKAGE_VERSION }, { "datetime", when },
        };
        error = res_run_begin_attrs(rr->db, name, attrs,
                                    sizeof attrs / sizeof attrs[0], &rr->run);
    }
    if (error) {
        snprintf(err, err_size, "%s", res_errmsg(rr->db));
    }
    if (error) {
        res_close(rr->db);
        rr->db = NULL;
    }
    return error;
}

int
runrec_end(struct runrec *rr, const struct sim *sim, bool complete,
           const char *reason, char *err, size_t err_size)
{
    char text[64];
    struct timespec end;
    double wall;
    int error = 0;

    clock_gettime(CLOCK_MONOTONIC, &end);
    wall = (double)(end.tv_sec - rr->started.tv_sec)
           + (double)(end.tv_nsec - rr->started.tv_nsec) / 1e9;

    snprintf(text, sizeof text, "%016" PRIx64, sim_fingerprint(sim));
    error = res_run_attr(rr->run, "fingerprint", text);
    snprintf(text, sizeof text, "%" PRIu64, sim_events_executed(sim));
    error = error ? error : res_run_attr(rr->run, "events", text);
    sim_time_format(sim_now(sim), text, sizeof text);
    text[strlen(text) - 1] = '\0';          /* drop the 's' */
    error = error ? error : res_run_attr(rr->run, "simtime", text);
    snprintf(text, sizeof text, "%.3f", wall);
    error = error ? error : res_run_attr(rr->run, "wallSeconds", text);
    {
        /* The process's peak resident memory so far (Linux: KiB). */
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0) {
            snprintf(text, sizeof text, "%ld", ru.ru_maxrss);
            error = error ? error : res_run_attr(rr->run, "peakRssKiB", text);
        }
    }
    if (error) {
        snprintf(err, err_size, "%s", res_errmsg(rr->db));
    }
    int e = res_run_end(rr->run, complete && !error, error
                        ? "could not write run totals" : reason);
    if (e && !error) {
        error = e;
        snprintf(err, err_size, "%s", res_errmsg(rr->db));
    }
    rr->run = NULL;
    res_close(rr->db);
    rr->db = NULL;
    return error;
}
