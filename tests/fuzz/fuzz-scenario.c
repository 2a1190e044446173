/*
 * fuzz-scenario.c -- a libFuzzer target over the scenario loader: the
 * input is the text of a scenario, run in the sandboxed Lua host
 * (sim/lsim.h) with every model binding the program offers
 * (models/bindings.c), as "vnetsim run" would, but with tight limits so
 * that no input can run for long:
 *
 *   - the Lua state may use FUZZ_MEMORY bytes and the scenario text
 *     FUZZ_SCRIPT_BUDGET instructions (each callback FUZZ_CALLBACK_BUDGET):
 *     the host's own instruction-count hook turns a longer run into a
 *     scenario error;
 *   - a scenario that loads is simulated for at most FUZZ_SIM_TIME of
 *     simulated time past its warm-up (not at all if the warm-up is longer
 *     than FUZZ_MAX_WARMUP) and about FUZZ_MAX_EVENTS events, in slices of FUZZ_SLICE,
 *     then finished and closed (finalizers run with dead handles).
 *
 * Files: the chunk is named "fuzz.lua", and require() looks beside it
 * (the current directory, read only) and nowhere else; no trace or
 * results file is written.
 *
 * INVARIANTS: no memory error, leak or undefined behaviour (the
 * sanitizers check); a failure of any step is an errno with a message of
 * one non-empty line; a successful load gives a duration >= 0 and a warm-up
 * before it.
 *
 * Built by 'make fuzz' / 'make fuzz-smoke' with libFuzzer; also linked
 * into tests/fuzz/run-corpus-scenario, which replays the seed corpus under
 * 'make check'.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/bindings.h"
#include "sim/lsim.h"
#include "sim/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MEMORY ((size_t)16 << 20)
#define FUZZ_SCRIPT_BUDGET UINT64_C(2000000)
#define FUZZ_CALLBACK_BUDGET UINT64_C(200000)
#define FUZZ_SIM_TIME ((sim_time_t)2000000000)      /* 2 ms */
#define FUZZ_MAX_EVENTS UINT64_C(200000)
#define FUZZ_MAX_WARMUP ((sim_time_t)30000000000)   /* 30 ms */
#define FUZZ_SLICE ((sim_time_t)10000000)           /* 10 us */

/* Aborts unless a failed step left one line in 'err'; with FUZZ_VERBOSE
 * set in the environment, prints it (to see what a corpus does). */
static void
check_error(int error, const char *err)
{
    if (error <= 0 || !err[0] || strchr(err, '\n')) {
        fprintf(stderr, "fuzz-scenario: error %d, message '%s'\n", error,
                err);
        abort();
    }
    if (getenv("FUZZ_VERBOSE")) {
        fprintf(stderr, "fuzz-scenario: %s\n", err);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lsim_options lo = {
        .scenario_path = "fuzz.lua",
        .seed_given = true,
        .seed = 1,
        .memory_limit = FUZZ_MEMORY,
        .script_budget = FUZZ_SCRIPT_BUDGET,
        .callback_budget = FUZZ_CALLBACK_BUDGET,
        .bindings = models_bindings,
    };
    struct lsim *h = NULL;
    char err[600] = "";
    sim_time_t end, now;
    bool done = false;
    int error;

    if (size > 64 * 1024) {
        return 0;
    }
    error = lsim_create(&lo, &h, err, sizeof err);
    if (error) {
        check_error(error, err);
        return 0;
    }
    error = lsim_load(h, data, size, err, sizeof err);
    if (error) {
        check_error(error, err);
        lsim_destroy(h);
        return 0;
    }
    end = lsim_duration(h);
    if (end < 0 || lsim_warmup(h) < 0) {
        abort();
    }
    if (end == 0 || end > lsim_warmup(h) + FUZZ_SIM_TIME) {
        end = lsim_warmup(h) + FUZZ_SIM_TIME;
    }
    lsim_set_duration(h, end);
    done = lsim_warmup(h) > FUZZ_MAX_WARMUP;
    for (now = 0; !done && !error; ) {
        now = end - now > FUZZ_SLICE ? now + FUZZ_SLICE : end;
        error = lsim_run(h, now, &done, err, sizeof err);
        if (sim_events_executed(lsim_sim(h)) > FUZZ_MAX_EVENTS) {
            break;
        }
    }
    if (error) {
        check_error(error, err);
    } else {
        error = lsim_finish(h, err, sizeof err);
        if (error) {
            check_error(error, err);
        }
    }
    error = lsim_close_lua(h, err, sizeof err);
    if (error) {
        check_error(error, err);
    }
    (void) lsim_close_trace(h, err, sizeof err);
    if (getenv("FUZZ_VERBOSE")) {
        fprintf(stderr, "fuzz-scenario: ran to %" PRId64 " ps, %" PRIu64
                " events\n", sim_now(lsim_sim(h)),
                sim_events_executed(lsim_sim(h)));
    }
    lsim_destroy(h);
    return 0;
}
