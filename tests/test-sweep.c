/*
 * test-sweep.c -- parameter studies (sim/sweep.h): run counts and the
 * limit, the nested-loop order of run numbers and its inverse, both seed
 * sets, run descriptions, and run filters -- every grammar form, every
 * parse error with its exact message, matching (run lists, text and
 * globs, exact numeric comparisons, precedence) and the check against a
 * sweep with its did-you-mean.
 */
#include <config.h>
#include "sim/sweep.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/cutest.h"

/* The study most tests use: nic {legacy, synthetic, sriov} x load {10%,
 * 90%} x 3 repetitions = 18 runs.  Run k is nic = k / 6, load = k / 3 % 2,
 * repetition = k % 3. */
static const char *const nics[] = { "legacy", "synthetic", "sriov" };
static const char *const loads[] = { "10%", "90%" };
static const struct sweep_var vars[] = {
    { "nic", nics, 3 }, { "load", loads, 2 },
};
static const struct sweep sw = { vars, 2, 3 };

/* One variable of awkward numbers, one repetition: run k is value k. */
static const char *const xs[] = {
    "-2", "-0.5", "0", "0.50", "3", "10", "1e3", "abc", "7%", "1.5 ms",
};
static const struct sweep_var xvar[] = { { "x", xs, 10 } };
static const struct sweep numbers = { xvar, 1, 1 };

/* --- Run counts ------------------------------------------------------------ */

static void
test_count_is_product_of_value_counts_times_repetitions(void)
{
    uint64_t runs = 0;
    struct sweep none = { NULL, 0, 4 };

    CU_ASSERT_EQUAL(sweep_count(&sw, &runs), 0);
    CU_ASSERT_EQUAL(runs, 18);
    CU_ASSERT_EQUAL(sweep_count(&numbers, &runs), 0);
    CU_ASSERT_EQUAL(runs, 10);
    /* No variables at all: just the repetitions. */
    CU_ASSERT_EQUAL(sweep_count(&none, &runs), 0);
    CU_ASSERT_EQUAL(runs, 4);
}

static void
test_count_allows_exactly_max_runs_and_refuses_one_more(void)
{
    const char *const one[] = { "x" };
    struct sweep_var thousand[2] = { { "a", one, 1000 }, { "b", one, 1000 } };
    struct sweep limit = { thousand, 2, 1 };
    struct sweep over = { thousand, 2, 2 };
    struct sweep reps_only = { NULL, 0, SWEEP_MAX_RUNS };
    struct sweep reps_over = { NULL, 0, SWEEP_MAX_RUNS + 1 };
    uint64_t runs = 0;

    CU_ASSERT_EQUAL(sweep_count(&limit, &runs), 0);
    CU_ASSERT_EQUAL(runs, SWEEP_MAX_RUNS);
    CU_ASSERT_EQUAL(sweep_count(&reps_only, &runs), 0);
    CU_ASSERT_EQUAL(runs, SWEEP_MAX_RUNS);
    runs = 7;
    CU_ASSERT_EQUAL(sweep_count(&over, &runs), ERANGE);
    CU_ASSERT_EQUAL(sweep_count(&reps_over, &runs), ERANGE);
    CU_ASSERT_EQUAL(runs, 7);                   /* unchanged on error */
}

static void
test_count_refuses_products_that_would_overflow(void)
{
    const char *const one[] = { "x" };
    /* 2^32 * 2^32 is 0 modulo 2^64, and SIZE_MAX * 2 wraps to SIZE_MAX-1:
     * a naive product would accept both. */
    struct sweep_var wrap0[2] = {
        { "a", one, (size_t)1 << 32 }, { "b", one, (size_t)1 << 32 },
    };
    struct sweep_var wrap1[2] = { { "a", one, SIZE_MAX }, { "b", one, 2 } };
    struct sweep s0 = { wrap0, 2, 1 };
    struct sweep s1 = { wrap1, 2, UINT32_MAX };
    struct sweep s2 = { NULL, 0, UINT32_MAX };
    uint64_t runs = 0;

    CU_ASSERT_EQUAL(sweep_count(&s0, &runs), ERANGE);
    CU_ASSERT_EQUAL(sweep_count(&s1, &runs), ERANGE);
    CU_ASSERT_EQUAL(sweep_count(&s2, &runs), ERANGE);
}

static void
test_count_refuses_empty_variable_and_zero_repetitions(void)
{
    const char *const one[] = { "x" };
    struct sweep_var empty[2] = { { "a", one, SIZE_MAX }, { "e", one, 0 } };
    struct sweep zero_rep = { vars, 2, 0 };
    struct sweep no_values = { &empty[1], 1, 1 };
    struct sweep both = { empty, 2, 1 };        /* also too large */
    uint64_t runs = 7;

    CU_ASSERT_EQUAL(sweep_count(&zero_rep, &runs), EINVAL);
    CU_ASSERT_EQUAL(sweep_count(&no_values, &runs), EINVAL);
    CU_ASSERT_EQUAL(sweep_count(&both, &runs), EINVAL);
    CU_ASSERT_EQUAL(runs, 7);
}

/* --- Run numbers ----------------------------------------------------------- */

static void
test_decode_nests_first_variable_outermost_repetition_innermost(void)
{
    static const size_t expect[][3] = {
        /* nic, load, repetition */
        { 0, 0, 0 }, { 0, 0, 1 }, { 0, 0, 2 },
        { 0, 1, 0 }, { 0, 1, 1 }, { 0, 1, 2 },
        { 1, 0, 0 }, { 1, 0, 1 }, { 1, 0, 2 },
        { 1, 1, 0 },
    };
    size_t idx[2];
    uint32_t rep;

    for (uint64_t run = 0; run < 10; run++) {
        sweep_decode(&sw, run, idx, &rep);
        CU_ASSERT_EQUAL(idx[0], expect[run][0]);
        CU_ASSERT_EQUAL(idx[1], expect[run][1]);
        CU_ASSERT_EQUAL(rep, expect[run][2]);
    }
    sweep_decode(&sw, 17, idx, &rep);           /* the last run */
    CU_ASSERT_EQUAL(idx[0], 2);
    CU_ASSERT_EQUAL(idx[1], 1);
    CU_ASSERT_EQUAL(rep, 2);
}

static void
test_encode_inverts_decode_for_every_run(void)
{
    size_t idx[2];
    uint32_t rep;
    uint64_t next = 0;

    /* Walking the nested loops in order gives run numbers 0, 1, 2, ... */
    for (size_t n = 0; n < 3; n++) {
        for (size_t l = 0; l < 2; l++) {
            for (uint32_t r = 0; r < 3; r++) {
                size_t point[2] = { n, l };
                CU_ASSERT_EQUAL(sweep_encode(&sw, point, r), next);
                next++;
            }
        }
    }
    for (uint64_t run = 0; run < 18; run++) {
        sweep_decode(&sw, run, idx, &rep);
        CU_ASSERT_EQUAL(sweep_encode(&sw, idx, rep), run);
        CU_ASSERT_EQUAL(sweep_value_index(&sw, run, 0), idx[0]);
        CU_ASSERT_EQUAL(sweep_value_index(&sw, run, 1), idx[1]);
        CU_ASSERT_EQUAL(sweep_repetition(&sw, run), rep);
    }
}

static void
test_sweep_without_variables_numbers_repetitions_only(void)
{
    struct sweep none = { NULL, 0, 4 };
    uint32_t rep = 99;

    sweep_decode(&none, 3, NULL, &rep);
    CU_ASSERT_EQUAL(rep, 3);
    CU_ASSERT_EQUAL(sweep_encode(&none, NULL, 2), 2);
}

/* --- Seeds ----------------------------------------------------------------- */

static void
test_seed_set_run_gives_every_run_its_own_seed(void)
{
    size_t idx[2];
    uint32_t rep;

    for (uint64_t run = 0; run < 18; run++) {
        sweep_decode(&sw, run, idx, &rep);
        CU_ASSERT_EQUAL(sweep_seed(1000, false, run, rep), 1000 + run);
    }
    CU_ASSERT_EQUAL(sweep_seed(0, false, 7, 1), 7);
}

static void
test_seed_set_repetition_shares_seeds_across_points(void)
{
    size_t idx[2];
    uint32_t rep;

    /* Runs 1, 4, 7, ..., 16 are repetition 1 of the six points. */
    for (uint64_t run = 0; run < 18; run++) {
        sweep_decode(&sw, run, idx, &rep);
        CU_ASSERT_EQUAL(sweep_seed(1000, true, run, rep), 1000 + run % 3);
    }
    CU_ASSERT_EQUAL(sweep_seed(100, true, 7, 1), 101);
}

static void
test_seed_wraps_modulo_2_to_the_64(void)
{
    CU_ASSERT_EQUAL(sweep_seed(UINT64_MAX, false, 2, 0), 1);
    CU_ASSERT_EQUAL(sweep_seed(UINT64_MAX - 1, true, 5, 3), 1);
}

/* --- Descriptions ---------------------------------------------------------- */

static void
test_describe_lists_values_in_order_then_repetition(void)
{
    char buf[128];
    struct sweep none = { NULL, 0, 4 };

    CU_ASSERT_EQUAL(sweep_describe(&sw, 10, buf, sizeof buf),
                    strlen("nic=synthetic, load=90%, repetition=1"));
    CU_ASSERT_STRING_EQUAL(buf, "nic=synthetic, load=90%, repetition=1");
    sweep_describe(&sw, 0, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "nic=legacy, load=10%, repetition=0");
    sweep_describe(&none, 2, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "repetition=2");
}

static void
test_describe_truncates_like_snprintf(void)
{
    char buf[8];
    size_t full = strlen("nic=synthetic, load=90%, repetition=1");

    memset(buf, 'Z', sizeof buf);
    CU_ASSERT_EQUAL(sweep_describe(&sw, 10, buf, sizeof buf), full);
    CU_ASSERT_STRING_EQUAL(buf, "nic=syn");
    /* Size 0 writes nothing and accepts NULL, for measuring. */
    CU_ASSERT_EQUAL(sweep_describe(&sw, 10, NULL, 0), full);
    /* Exactly one byte short loses only the last character. */
    char fit[64];
    sweep_describe(&sw, 10, fit, full);
    CU_ASSERT_STRING_EQUAL(fit, "nic=synthetic, load=90%, repetition=");
}

/* --- Filters: helpers ------------------------------------------------------ */

/* The runs of 's' that 'text' selects, as "a,b,c", or "error: MESSAGE"
 * if it does not parse or check. */
static const char *
select_runs(const struct sweep *s, const char *text)
{
    static char out[512];
    struct sweep_filter *f = NULL;
    char err[300];
    size_t len = 0;
    uint64_t runs = 0;

    out[0] = '\0';
    if (sweep_filter_parse(text, &f, err, sizeof err)
        || sweep_filter_check(f, s, err, sizeof err)) {
        sweep_filter_free(f);
        snprintf(out, sizeof out, "error: %s", err);
        return out;
    }
    CU_ASSERT_FATAL(sweep_count(s, &runs) == 0);
    for (uint64_t run = 0; run < runs; run++) {
        if (sweep_filter_match(f, s, run)) {
            len += (size_t)snprintf(out + len, sizeof out - len, "%s%u",
                                    len ? "," : "", (unsigned)run);
        }
    }
    sweep_filter_free(f);
    return out;
}

static const char *
selected(const char *text)
{
    return select_runs(&sw, text);
}

/* The message sweep_filter_parse() gives for 'text', which must fail
 * with EINVAL and store NULL. */
static const char *
parse_error(const char *text)
{
    static char err[300];
    struct sweep_filter *f = (struct sweep_filter *)&f;   /* not NULL */

    strcpy(err, "(no message)");
    CU_ASSERT_EQUAL(sweep_filter_parse(text, &f, err, sizeof err), EINVAL);
    CU_ASSERT_PTR_NULL(f);
    return err;
}

/* --- Filters: run-number lists --------------------------------------------- */

static void
test_filter_run_list_selects_numbers_and_inclusive_ranges(void)
{
    CU_ASSERT_STRING_EQUAL(selected("3"), "3");
    CU_ASSERT_STRING_EQUAL(selected("0..5"), "0,1,2,3,4,5");
    CU_ASSERT_STRING_EQUAL(selected("0,2,7..9"), "0,2,7,8,9");
    CU_ASSERT_STRING_EQUAL(selected("5..5"), "5");
    CU_ASSERT_STRING_EQUAL(selected("17"), "17");
}

static void
test_filter_run_list_allows_blanks_overlaps_and_any_order(void)
{
    CU_ASSERT_STRING_EQUAL(selected(" 16..17 , 7 ,0 .. 2 "), "0,1,2,7,16,17");
    CU_ASSERT_STRING_EQUAL(selected("3..6,4..5,4"), "3,4,5,6");
}

static void
test_filter_run_list_errors_name_token_and_column(void)
{
    CU_ASSERT_STRING_EQUAL(parse_error("5..2"), "run filter '5..2': bad range "
                           "'5..2': it ends before it starts (column 1)");
    CU_ASSERT_STRING_EQUAL(parse_error("0, 5 .. 2"), "run filter '0, 5 .. 2': "
                           "bad range '5 .. 2': it ends before it starts "
                           "(column 4)");
    CU_ASSERT_STRING_EQUAL(parse_error("1,,2"), "run filter '1,,2': expected "
                           "a run number after ',', found ',' (column 3)");
    CU_ASSERT_STRING_EQUAL(parse_error("1,"), "run filter '1,': expected a "
                           "run number after ',', found the end (column 3)");
    CU_ASSERT_STRING_EQUAL(parse_error("2..x"), "run filter '2..x': expected "
                           "a run number after '..', found 'x' (column 4)");
    CU_ASSERT_STRING_EQUAL(parse_error("1.5"), "run filter '1.5': expected "
                           "',', '..' or the end, found '.5' (column 2)");
    CU_ASSERT_STRING_EQUAL(parse_error("0 1"), "run filter '0 1': expected "
                           "',', '..' or the end, found '1' (column 3)");
    CU_ASSERT_STRING_EQUAL(parse_error("3 or nic=sriov"), "run filter '3 or "
                           "nic=sriov': expected ',', '..' or the end, found "
                           "'or'; a filter is either a run-number list or an "
                           "expression (in an expression write run=N) "
                           "(column 3)");
    CU_ASSERT_STRING_EQUAL(parse_error("18446744073709551616"), "run filter "
                           "'18446744073709551616': run number "
                           "'18446744073709551616' is too large (column 1)");
}

static void
test_filter_run_list_accepts_largest_run_number(void)
{
    struct sweep_filter *f = NULL;
    char err[200];

    CU_ASSERT_EQUAL(sweep_filter_parse("0..18446744073709551615", &f, err,
                                       sizeof err), 0);
    CU_ASSERT_TRUE(f && sweep_filter_match(f, &sw, 17));
    sweep_filter_free(f);
}

static void
test_filter_check_refuses_run_numbers_past_the_last_run(void)
{
    struct sweep one = { NULL, 0, 1 };

    CU_ASSERT_STRING_EQUAL(selected("18"), "error: run filter '18': there is "
                           "no run 18; the sweep has 18 runs (0..17) "
                           "(column 1)");
    CU_ASSERT_STRING_EQUAL(selected("0, 3..99"), "error: run filter "
                           "'0, 3..99': there is no run 99; the sweep has 18 "
                           "runs (0..17) (column 7)");
    CU_ASSERT_STRING_EQUAL(selected("20..30"), "error: run filter '20..30': "
                           "there is no run 20; the sweep has 18 runs "
                           "(0..17) (column 1)");
    CU_ASSERT_STRING_EQUAL(select_runs(&one, "1"), "error: run filter '1': "
                           "there is no run 1; the sweep has 1 run (0) "
                           "(column 1)");
}

/* --- Filters: expressions, parsing ----------------------------------------- */

static void
test_filter_empty_is_refused(void)
{
    static const char msg[] = "run filter is empty: give run numbers such as "
        "'0..5,9' or a condition such as 'nic=legacy'";

    CU_ASSERT_STRING_EQUAL(parse_error(""), msg);
    CU_ASSERT_STRING_EQUAL(parse_error(" \t\n"), msg);
}

static void
test_filter_dangling_keyword_is_refused_at_the_end(void)
{
    CU_ASSERT_STRING_EQUAL(parse_error("nic=legacy and"), "run filter "
                           "'nic=legacy and': expected a condition after "
                           "'and' (column 15)");
    CU_ASSERT_STRING_EQUAL(parse_error("nic=legacy OR "), "run filter "
                           "'nic=legacy OR ': expected a condition after "
                           "'OR' (column 15)");
    CU_ASSERT_STRING_EQUAL(parse_error("not"), "run filter 'not': expected a "
                           "condition after 'not' (column 4)");
    CU_ASSERT_STRING_EQUAL(parse_error("and nic=legacy"), "run filter 'and "
                           "nic=legacy': expected a condition such as "
                           "'name=value', found 'and' (column 1)");
    CU_ASSERT_STRING_EQUAL(parse_error("nic=legacy and or load=10%"), "run "
                           "filter 'nic=legacy and or load=10%': expected a "
                           "condition after 'and', found 'or' (column 16)");
}

static void
test_filter_dangling_comparison_is_refused(void)
{
    CU_ASSERT_STRING_EQUAL(parse_error("nic="), "run filter 'nic=': expected "
                           "a value after '=', found the end (column 5)");
    CU_ASSERT_STRING_EQUAL(parse_error("nic legacy"), "run filter 'nic "
                           "legacy': expected an operator (= == != < <= > >=) "
                           "after 'nic', found 'legacy' (column 5)");
    CU_ASSERT_STRING_EQUAL(parse_error("$nic"), "run filter '$nic': expected "
                           "an operator (= == != < <= > >=) after '$nic', "
                           "found the end (column 5)");
    CU_ASSERT_STRING_EQUAL(parse_error("nic!legacy"), "run filter "
                           "'nic!legacy': expected an operator (= == != < <= "
                           "> >=) after 'nic', found '!' (column 4)");
    CU_ASSERT_STRING_EQUAL(parse_error("nic=and"), "run filter 'nic=and': "
                           "expected a value after '=', found the keyword "
                           "'and' (write \"and\" to mean the word) "
                           "(column 5)");
    CU_ASSERT_STRING_EQUAL(parse_error("nic=(x)"), "run filter 'nic=(x)': "
                           "expected a value after '=', found '(' "
                           "(column 5)");
}

static void
test_filter_unbalanced_parentheses_are_refused(void)
{
    CU_ASSERT_STRING_EQUAL(parse_error("(nic=legacy"), "run filter "
                           "'(nic=legacy': unbalanced '(': no matching ')' "
                           "(column 1)");
    CU_ASSERT_STRING_EQUAL(parse_error("nic=legacy)"), "run filter "
                           "'nic=legacy)': unbalanced ')': no matching '(' "
                           "(column 11)");
    CU_ASSERT_STRING_EQUAL(parse_error("((run=1) or run=2"), "run filter "
                           "'((run=1) or run=2': unbalanced '(': no matching "
                           "')' (column 1)");
    CU_ASSERT_STRING_EQUAL(parse_error("()"), "run filter '()': expected a "
                           "condition after '(', found ')' (column 2)");
    CU_ASSERT_STRING_EQUAL(parse_error("(nic=legacy nic=sriov)"), "run "
                           "filter '(nic=legacy nic=sriov)': expected 'and', "
                           "'or' or ')', found 'nic' (column 13)");
}

static void
test_filter_garbage_is_refused(void)
{
    CU_ASSERT_STRING_EQUAL(parse_error("nic=a b"), "run filter 'nic=a b': "
                           "expected 'and', 'or' or the end, found 'b' "
                           "(column 7)");
    CU_ASSERT_STRING_EQUAL(parse_error("nic=a=b"), "run filter 'nic=a=b': "
                           "expected 'and', 'or' or the end, found '=' "
                           "(column 6)");
    CU_ASSERT_STRING_EQUAL(parse_error("nic=\"legacy"), "run filter "
                           "'nic=\"legacy': unterminated string: no closing "
                           "'\"' (column 5)");
    CU_ASSERT_STRING_EQUAL(parse_error("nic-x=1"), "run filter 'nic-x=1': "
                           "'nic-x' is not a variable name (letters, digits "
                           "and '_', not starting with a digit) (column 1)");
    CU_ASSERT_STRING_EQUAL(parse_error("$=1"), "run filter '$=1': expected a "
                           "variable name after '$' (column 1)");
    CU_ASSERT_STRING_EQUAL(parse_error("run=1 or 3"), "run filter 'run=1 or "
                           "3': '3' is not a variable name; a filter is "
                           "either a run-number list or an expression (in an "
                           "expression write run=N) (column 10)");
    CU_ASSERT_STRING_EQUAL(parse_error("\"nic\"=legacy"), "run filter "
                           "'\"nic\"=legacy': expected a condition such as "
                           "'name=value', found '\"nic\"' (column 1)");
    CU_ASSERT_STRING_EQUAL(parse_error("load>high"), "run filter "
                           "'load>high': expected a number after '>', found "
                           "'high' (< <= > >= compare numbers such as 50% or "
                           "1.5ms) (column 6)");
}

static void
test_filter_nesting_is_limited(void)
{
    char text[4 * SWEEP_FILTER_MAX_DEPTH + 32];
    struct sweep_filter *f = NULL;
    char err[300];
    size_t n = 0;

    /* SWEEP_FILTER_MAX_DEPTH levels are fine... */
    for (int i = 0; i < SWEEP_FILTER_MAX_DEPTH; i++) {
        text[n++] = '(';
    }
    n += (size_t)sprintf(text + n, "run=1");
    for (int i = 0; i < SWEEP_FILTER_MAX_DEPTH; i++) {
        text[n++] = ')';
    }
    text[n] = '\0';
    CU_ASSERT_EQUAL(sweep_filter_parse(text, &f, err, sizeof err), 0);
    CU_ASSERT_TRUE(f && sweep_filter_match(f, &sw, 1));
    sweep_filter_free(f);
    /* ...one more is not, and 'not' counts as a level too. */
    memmove(text + 4, text, n + 1);
    memcpy(text, "not ", 4);
    CU_ASSERT(strstr(parse_error(text), "nested too deeply (more than 64 "
                     "levels of parentheses and 'not') (column 68)") != NULL);
}

static void
test_filter_error_message_fits_any_buffer(void)
{
    struct sweep_filter *f = NULL;
    char small[12];

    CU_ASSERT_EQUAL(sweep_filter_parse("nic=", &f, small, sizeof small),
                    EINVAL);
    CU_ASSERT_STRING_EQUAL(small, "run filter ");
    CU_ASSERT_EQUAL(sweep_filter_parse("nic=", &f, NULL, 0), EINVAL);
    CU_ASSERT_EQUAL(sweep_filter_parse("", &f, NULL, 0), EINVAL);
    CU_ASSERT_EQUAL(sweep_filter_parse("9..1", &f, NULL, 0), EINVAL);
    CU_ASSERT_PTR_NULL(f);
}

static void
test_filter_keeps_its_own_copy_of_the_text(void)
{
    char text[32] = "nic=sriov and repetition=0";
    struct sweep_filter *f = NULL;
    char err[200];

    CU_ASSERT_EQUAL_FATAL(sweep_filter_parse(text, &f, err, sizeof err), 0);
    memset(text, 'x', sizeof text - 1);
    CU_ASSERT_TRUE(sweep_filter_match(f, &sw, 12));
    CU_ASSERT_FALSE(sweep_filter_match(f, &sw, 13));
    sweep_filter_free(f);
    sweep_filter_free(NULL);
}

/* --- Filters: expressions, matching ---------------------------------------- */

static void
test_filter_equality_compares_value_text(void)
{
    CU_ASSERT_STRING_EQUAL(selected("nic=sriov"), "12,13,14,15,16,17");
    CU_ASSERT_STRING_EQUAL(selected("nic==sriov"), "12,13,14,15,16,17");
    CU_ASSERT_STRING_EQUAL(selected("$nic = \"sriov\""), "12,13,14,15,16,17");
    CU_ASSERT_STRING_EQUAL(selected("nic!=legacy and load=10% and "
                                    "repetition=0"), "6,12");
    CU_ASSERT_STRING_EQUAL(selected("nic=SRIOV"), "");   /* case counts */
    CU_ASSERT_STRING_EQUAL(selected("nic=sri"), "");     /* whole text */
    CU_ASSERT_STRING_EQUAL(selected("nic=\"\""), "");
    /* Numbers are text to '=': "0.50" is not "0.5". */
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x=0.5"), "");
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x=0.50"), "3");
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x=\"1.5 ms\""), "9");
}

static void
test_filter_equality_matches_globs(void)
{
    CU_ASSERT_STRING_EQUAL(selected("nic=s* and repetition=0"), "6,9,12,15");
    CU_ASSERT_STRING_EQUAL(selected("nic!=s*"), "0,1,2,3,4,5");
    CU_ASSERT_STRING_EQUAL(selected("load=?0% and nic=legacy"),
                           "0,1,2,3,4,5");
    CU_ASSERT_STRING_EQUAL(selected("load=1?? and nic=legacy"), "0,1,2");
    CU_ASSERT_STRING_EQUAL(selected("load=1?"), "");
    CU_ASSERT_STRING_EQUAL(selected("load=[9]*"), "3,4,5,9,10,11,15,16,17");
    CU_ASSERT_STRING_EQUAL(selected("repetition=[02] and nic=l*"), "0,2,3,5");
    CU_ASSERT_STRING_EQUAL(selected("run=1?"), "10,11,12,13,14,15,16,17");
    CU_ASSERT_STRING_EQUAL(selected("nic=*"), selected("0..17"));
    /* A backslash makes a wildcard literal. */
    CU_ASSERT_STRING_EQUAL(selected("load=10\\*"), "");
}

static void
test_filter_ordering_compares_numbers_with_equal_suffixes(void)
{
    CU_ASSERT_STRING_EQUAL(selected("load>50% and repetition=0"), "3,9,15");
    CU_ASSERT_STRING_EQUAL(selected("load<=10% and run>=15"), "");
    CU_ASSERT_STRING_EQUAL(selected("load>=10% and nic=legacy"), "0,1,2,3,4,5");
    CU_ASSERT_STRING_EQUAL(selected("run<2"), "0,1");
    CU_ASSERT_STRING_EQUAL(selected("run>15"), "16,17");
    CU_ASSERT_STRING_EQUAL(selected("repetition>=2 and nic=legacy"), "2,5");
    /* A different suffix, or none, never compares. */
    CU_ASSERT_STRING_EQUAL(selected("load>50"), "");
    CU_ASSERT_STRING_EQUAL(selected("load<0.5"), "");
    CU_ASSERT_STRING_EQUAL(selected("load<50ms"), "");
    /* A value that is not a number is never ordered. */
    CU_ASSERT_STRING_EQUAL(selected("nic>5"), "");
    CU_ASSERT_STRING_EQUAL(selected("nic<5"), "");
}

static void
test_filter_ordering_is_exact_decimal_arithmetic(void)
{
    /* xs: -2 -0.5 0 0.50 3 10 1e3 abc 7% "1.5 ms" (runs 0..9) */
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x<0"), "0,1");
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x>-1"), "1,2,3,4,5");
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x>=0.5 and x<=0.5000"), "3");
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x<=-0"), "0,1,2");
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x>=+.5"), "3,4,5");
    /* 10 sorts after 3 (numbers, not text), and 1e3 is 1 with suffix
     * "e3", not a thousand. */
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x>3"), "5");
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x>=1e3"), "6");
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x<2e3"), "6");
    /* Twenty nines: a double would round this up to 3 and drop "3". */
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers,
                                       "x>2.99999999999999999999"), "4,5");
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x<10%"), "8");
    /* Blanks between number and suffix do not count. */
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x<2ms"), "9");
    CU_ASSERT_STRING_EQUAL(select_runs(&numbers, "x>\"1 ms\""), "9");
}

static void
test_filter_and_binds_tighter_than_or(void)
{
    CU_ASSERT_STRING_EQUAL(selected("run=0 or run=1 and repetition=2"), "0");
    CU_ASSERT_STRING_EQUAL(selected("run=1 and repetition=2 or run=0"), "0");
    CU_ASSERT_STRING_EQUAL(selected("nic=legacy and load=90% or nic=sriov and "
                                    "load=10%"), "3,4,5,12,13,14");
}

static void
test_filter_not_binds_tighter_than_and(void)
{
    CU_ASSERT_STRING_EQUAL(selected("not nic=legacy and not nic=synthetic "
                                    "and repetition=0"), "12,15");
    CU_ASSERT_STRING_EQUAL(selected("not run>0"), "0");
    CU_ASSERT_STRING_EQUAL(selected("not not run=4"), "4");
    CU_ASSERT_STRING_EQUAL(selected("not run<16 or run=0"), "0,16,17");
}

static void
test_filter_parentheses_override_precedence(void)
{
    CU_ASSERT_STRING_EQUAL(selected("(run=0 or run=2) and repetition=2"), "2");
    CU_ASSERT_STRING_EQUAL(selected("not (run>0)"), "0");
    CU_ASSERT_STRING_EQUAL(selected("not (nic=legacy or nic=synthetic) and "
                                    "repetition=0"), "12,15");
    CU_ASSERT_STRING_EQUAL(selected("nic=legacy and (load=90% or "
                                    "repetition=0)"), "0,3,4,5");
    CU_ASSERT_STRING_EQUAL(selected("((((run=7))))"), "7");
}

static void
test_filter_keywords_are_case_insensitive_and_dollar_is_optional(void)
{
    CU_ASSERT_STRING_EQUAL(selected("NOT $nic=legacy AND $load=10% Or "
                                    "run=0"), selected("not nic=legacy and "
                                    "load=10% or run=0"));
    CU_ASSERT_STRING_EQUAL(selected("$run=3 aNd $repetition=0"), "3");
    /* Blanks are optional around operators and parentheses. */
    CU_ASSERT_STRING_EQUAL(selected("(run<1)or(run>16)"), "0,17");
}

static void
test_filter_long_chains_match(void)
{
    char text[8192];
    size_t n = 0;

    /* 500 alternatives: one node, not a 500-deep tree. */
    for (int i = 0; i < 500; i++) {
        n += (size_t)snprintf(text + n, sizeof text - n, "%srun=%d",
                              i ? " or " : "", i + 5);
    }
    CU_ASSERT_STRING_EQUAL(selected(text), "5,6,7,8,9,10,11,12,13,14,15,16,"
                           "17");
}

/* --- Filters: checking against a sweep ------------------------------------- */

static void
test_filter_check_suggests_closest_variable(void)
{
    CU_ASSERT_STRING_EQUAL(selected("lod=10%"), "error: unknown iteration "
                           "variable 'lod' in run filter (did you mean "
                           "'load'?)");
    CU_ASSERT_STRING_EQUAL(selected("nic=legacy and $lod>10%"), "error: "
                           "unknown iteration variable 'lod' in run filter "
                           "(did you mean 'load'?)");
    CU_ASSERT_STRING_EQUAL(selected("repetiton=0"), "error: unknown iteration "
                           "variable 'repetiton' in run filter (did you mean "
                           "'repetition'?)");
    /* The first unknown name from the left is the one reported. */
    CU_ASSERT_STRING_EQUAL(selected("not (nix=a or lod=b)"), "error: unknown "
                           "iteration variable 'nix' in run filter (did you "
                           "mean 'nic'?)");
}

static void
test_filter_check_lists_names_when_nothing_is_close(void)
{
    struct sweep none = { NULL, 0, 2 };

    CU_ASSERT_STRING_EQUAL(selected("bandwidth=1"), "error: unknown iteration "
                           "variable 'bandwidth' in run filter (known names: "
                           "nic, load, run, repetition)");
    CU_ASSERT_STRING_EQUAL(select_runs(&none, "nic=legacy"), "error: unknown "
                           "iteration variable 'nic' in run filter (known "
                           "names: run, repetition)");
    CU_ASSERT_STRING_EQUAL(select_runs(&none, "repetition=1"), "1");
}

static void
test_filter_check_refuses_invalid_sweep(void)
{
    struct sweep zero_rep = { vars, 2, 0 };
    struct sweep_filter *f = NULL;
    char err[200];

    CU_ASSERT_EQUAL_FATAL(sweep_filter_parse("run=1", &f, err, sizeof err), 0);
    CU_ASSERT_EQUAL(sweep_filter_check(f, &zero_rep, err, sizeof err),
                    EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "run filter 'run=1': the sweep is empty");
    CU_ASSERT_EQUAL(sweep_filter_check(f, &sw, err, sizeof err), 0);
    sweep_filter_free(f);
}

static void
test_filter_unknown_variable_is_false_when_not_checked(void)
{
    struct sweep_filter *f = NULL;
    char err[200];

    CU_ASSERT_EQUAL_FATAL(sweep_filter_parse("lod=10% or run=4", &f, err,
                                             sizeof err), 0);
    CU_ASSERT_FALSE(sweep_filter_match(f, &sw, 0));
    CU_ASSERT_TRUE(sweep_filter_match(f, &sw, 4));
    sweep_filter_free(f);
}

static const struct cutest_case run_cases[] = {
    CUTEST(test_count_is_product_of_value_counts_times_repetitions),
    CUTEST(test_count_allows_exactly_max_runs_and_refuses_one_more),
    CUTEST(test_count_refuses_products_that_would_overflow),
    CUTEST(test_count_refuses_empty_variable_and_zero_repetitions),
    CUTEST(test_decode_nests_first_variable_outermost_repetition_innermost),
    CUTEST(test_encode_inverts_decode_for_every_run),
    CUTEST(test_sweep_without_variables_numbers_repetitions_only),
    CUTEST(test_seed_set_run_gives_every_run_its_own_seed),
    CUTEST(test_seed_set_repetition_shares_seeds_across_points),
    CUTEST(test_seed_wraps_modulo_2_to_the_64),
    CUTEST(test_describe_lists_values_in_order_then_repetition),
    CUTEST(test_describe_truncates_like_snprintf),
    CUTEST_END
};

static const struct cutest_case filter_parse_cases[] = {
    CUTEST(test_filter_run_list_selects_numbers_and_inclusive_ranges),
    CUTEST(test_filter_run_list_allows_blanks_overlaps_and_any_order),
    CUTEST(test_filter_run_list_errors_name_token_and_column),
    CUTEST(test_filter_run_list_accepts_largest_run_number),
    CUTEST(test_filter_check_refuses_run_numbers_past_the_last_run),
    CUTEST(test_filter_empty_is_refused),
    CUTEST(test_filter_dangling_keyword_is_refused_at_the_end),
    CUTEST(test_filter_dangling_comparison_is_refused),
    CUTEST(test_filter_unbalanced_parentheses_are_refused),
    CUTEST(test_filter_garbage_is_refused),
    CUTEST(test_filter_nesting_is_limited),
    CUTEST(test_filter_error_message_fits_any_buffer),
    CUTEST(test_filter_keeps_its_own_copy_of_the_text),
    CUTEST_END
};

static const struct cutest_case filter_match_cases[] = {
    CUTEST(test_filter_equality_compares_value_text),
    CUTEST(test_filter_equality_matches_globs),
    CUTEST(test_filter_ordering_compares_numbers_with_equal_suffixes),
    CUTEST(test_filter_ordering_is_exact_decimal_arithmetic),
    CUTEST(test_filter_and_binds_tighter_than_or),
    CUTEST(test_filter_not_binds_tighter_than_and),
    CUTEST(test_filter_parentheses_override_precedence),
    CUTEST(test_filter_keywords_are_case_insensitive_and_dollar_is_optional),
    CUTEST(test_filter_long_chains_match),
    CUTEST(test_filter_check_suggests_closest_variable),
    CUTEST(test_filter_check_lists_names_when_nothing_is_close),
    CUTEST(test_filter_check_refuses_invalid_sweep),
    CUTEST(test_filter_unknown_variable_is_false_when_not_checked),
    CUTEST_END
};

CUTEST_MAIN({ "sweep: runs, seeds, descriptions", run_cases },
            { "sweep: filter parsing", filter_parse_cases },
            { "sweep: filter matching and checking", filter_match_cases })
