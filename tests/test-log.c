/*
 * test-log.c -- the logging filter of sim/log.h: default level, per-
 * component rules where the last match wins, the line format with the
 * simulated time and component path, and rejection of malformed specs
 * with the previous filter left in force.
 */
#include <config.h>
#include "sim/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "tests/cutest.h"

/* Captures log output in memory. */
static char *captured;
static size_t captured_len;
static FILE *capture;

static void
capture_start(void)
{
    capture = open_memstream(&captured, &captured_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(capture);
    sim_log_set_stream(capture);
}

static const char *
capture_text(void)
{
    fflush(capture);
    return captured;
}

static void
capture_stop(void)
{
    sim_log_set_stream(NULL);
    fclose(capture);
    free(captured);
    captured = NULL;
}

static void
test_default_level_hides_debug_and_shows_warn(void)
{
    char why[128];
    struct sim *sim = sim_create();
    sim_component_id cpu = sim_component_add(sim, SIM_COMPONENT_ROOT, "cpu0",
                                             NULL);

    CU_ASSERT_EQUAL(sim_log_set_filter("warn", why, sizeof why), 0);
    capture_start();
    sim_log(sim, cpu, SIM_LOG_DEBUG, "hidden %d", 1);
    sim_log(sim, cpu, SIM_LOG_WARN, "shown %d", 2);
    CU_ASSERT_STRING_EQUAL(capture_text(),
                           "[0.000000000000s] cpu0 warn: shown 2\n");
    capture_stop();
    sim_destroy(sim);
}

static void
test_last_matching_rule_wins(void)
{
    char why[128];
    struct sim *sim = sim_create();
    sim_component_id host = sim_component_add(sim, SIM_COMPONENT_ROOT,
                                              "host0", NULL);
    sim_component_id cpu3 = sim_component_add(sim, host, "cpu3", NULL);
    sim_component_id nic = sim_component_add(sim, host, "nic0", NULL);

    CU_ASSERT_EQUAL(sim_log_set_filter("error,host0.*=debug,*.nic0=warn",
                                       why, sizeof why), 0);
    CU_ASSERT_TRUE(sim_log_enabled(sim, cpu3, SIM_LOG_DEBUG));
    CU_ASSERT_FALSE(sim_log_enabled(sim, cpu3, SIM_LOG_TRACE));
    CU_ASSERT_FALSE(sim_log_enabled(sim, nic, SIM_LOG_INFO));
    CU_ASSERT_TRUE(sim_log_enabled(sim, nic, SIM_LOG_WARN));
    CU_ASSERT_FALSE(sim_log_enabled(sim, host, SIM_LOG_WARN));
    CU_ASSERT_TRUE(sim_log_enabled(sim, host, SIM_LOG_ERROR));
    sim_destroy(sim);
}

static void
test_line_carries_simulated_time_and_path(void)
{
    char why[128];
    struct sim *sim = sim_create();
    sim_component_id host = sim_component_add(sim, SIM_COMPONENT_ROOT,
                                              "host0", NULL);
    sim_component_id cpu = sim_component_add(sim, host, "cpu1", NULL);

    CU_ASSERT_EQUAL(sim_log_set_filter("info", why, sizeof why), 0);
    sim_run(sim, sim_us(3) + 7);        /* empty queue: clock moves */
    capture_start();
    sim_log(sim, cpu, SIM_LOG_INFO, "DPC drained %u frames", 12u);
    CU_ASSERT_STRING_EQUAL(capture_text(), "[0.000003000007s] host0.cpu1 "
                           "info: DPC drained 12 frames\n");
    capture_stop();
    sim_destroy(sim);
}

static void
test_malformed_spec_rejected_and_filter_kept(void)
{
    char why[128] = "";

    CU_ASSERT_EQUAL(sim_log_set_filter("debug", why, sizeof why), 0);
    CU_ASSERT_EQUAL(sim_log_set_filter("info,cpu*=loud", why, sizeof why),
                    EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "'loud'"));
    CU_ASSERT_EQUAL(sim_log_set_filter("=debug", why, sizeof why), EINVAL);
    /* The earlier "debug" filter is still in force. */
    CU_ASSERT_TRUE(sim_log_enabled(NULL, 0, SIM_LOG_DEBUG));
    CU_ASSERT_FALSE(sim_log_enabled(NULL, 0, SIM_LOG_TRACE));
}

static const struct cutest_case log_cases[] = {
    CUTEST(test_default_level_hides_debug_and_shows_warn),
    CUTEST(test_last_matching_rule_wins),
    CUTEST(test_line_carries_simulated_time_and_path),
    CUTEST(test_malformed_spec_rejected_and_filter_kept),
    CUTEST_END
};

CUTEST_MAIN({ "log", log_cases })
