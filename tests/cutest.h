/*
 * cutest.h -- the glue between CUnit and automake's test driver, shared by
 * every suite in tests/.
 *
 * A suite file defines its tests as plain 'static void test_xxx(void)'
 * functions, lists them in a CUTEST_SUITE table and ends with
 * CUTEST_MAIN(...).  The program runs every suite in basic mode (one line
 * per test in the .log file) and exits with:
 *     0   all assertions passed,
 *     1+  the number of failed assertions, capped at 76 so it never
 *         collides with the driver's special codes,
 *     77  the whole program skipped (cutest_skip()),
 *     99  a hard error (CUnit could not be set up).
 */
#ifndef VNETSIM_TESTS_CUTEST_H
#define VNETSIM_TESTS_CUTEST_H 1

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#define CUTEST_EXIT_SKIP 77
#define CUTEST_EXIT_HARD 99

struct cutest_case {
    const char *name;
    CU_TestFunc fn;
};

struct cutest_suite {
    const char *name;
    const struct cutest_case *cases;    /* terminated by { NULL, NULL } */
};

#define CUTEST(fn) { #fn, fn }
#define CUTEST_END { NULL, NULL }

/* Exits the test program as "skipped", saying why on stderr. */
static inline void
cutest_skip(const char *why)
{
    fprintf(stderr, "SKIP: %s\n", why);
    exit(CUTEST_EXIT_SKIP);
}

static inline int
cutest_run(const struct cutest_suite *suites)
{
    unsigned failures;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return CUTEST_EXIT_HARD;
    }
    for (const struct cutest_suite *s = suites; s->name; s++) {
        CU_pSuite suite = CU_add_suite(s->name, NULL, NULL);
        if (!suite) {
            CU_cleanup_registry();
            return CUTEST_EXIT_HARD;
        }
        for (const struct cutest_case *c = s->cases; c->name; c++) {
            if (!CU_add_test(suite, c->name, c->fn)) {
                CU_cleanup_registry();
                return CUTEST_EXIT_HARD;
            }
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (CU_basic_run_tests() != CUE_SUCCESS) {
        CU_cleanup_registry();
        return CUTEST_EXIT_HARD;
    }
    failures = CU_get_number_of_failures();
    if (CU_get_number_of_tests_failed() > 0 && failures == 0) {
        failures = 1;
    }
    CU_cleanup_registry();
    return failures > 76 ? 76 : (int)failures;
}

/* Defines main() running the NULL-terminated suite list given. */
#define CUTEST_MAIN(...)                                                \
    int main(void)                                                      \
    {                                                                   \
        static const struct cutest_suite suites_[] = {                  \
            __VA_ARGS__, { NULL, NULL }                                 \
        };                                                              \
        return cutest_run(suites_);                                     \
    }

#endif /* VNETSIM_TESTS_CUTEST_H */
