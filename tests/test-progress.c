/*
 * test-progress.c -- the progress line and the summary (sim/progress.h),
 * driven by a hand-made wall clock and written to in-memory streams:
 * throttling, silence when disabled, the content of the line for known
 * inputs, its width, clearing at the end and the summary text.
 */
#include <config.h>
#include "sim/progress.h"

#include <stdlib.h>
#include <string.h>

#include "tests/cutest.h"

/* An in-memory output stream and what has been written to it. */
struct capture {
    FILE *f;
    char *text;
    size_t len;
};

static void
capture_open(struct capture *c)
{
    c->text = NULL;
    c->len = 0;
    c->f = open_memstream(&c->text, &c->len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c->f);
}

/* Flushes and returns the text written so far. */
static const char *
capture_text(struct capture *c)
{
    fflush(c->f);
    return c->text ? c->text : "";
}

static void
capture_close(struct capture *c)
{
    fclose(c->f);
    free(c->text);
}

static size_t
count(const char *s, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static void
test_progress_redraws_at_most_every_half_second(void)
{
    struct capture c;
    struct progress p;

    capture_open(&c);
    progress_init(&p, c.f, true, 0, sim_ms(10), 10.0);
    /* Nothing in the first half second: short runs never draw. */
    CU_ASSERT_FALSE(progress_update(&p, sim_ms(1), 10, 10.0));
    CU_ASSERT_FALSE(progress_update(&p, sim_ms(1), 10, 10.49));
    CU_ASSERT_EQUAL(strlen(capture_text(&c)), 0);
    CU_ASSERT_TRUE(progress_update(&p, sim_ms(1), 100, 10.5));
    CU_ASSERT_FALSE(progress_update(&p, sim_ms(2), 200, 10.75));
    CU_ASSERT_FALSE(progress_update(&p, sim_ms(2), 200, 10.99));
    CU_ASSERT_TRUE(progress_update(&p, sim_ms(3), 300, 11.0));
    /* A wall clock that stands still or goes back never draws. */
    CU_ASSERT_FALSE(progress_update(&p, sim_ms(4), 400, 11.0));
    CU_ASSERT_FALSE(progress_update(&p, sim_ms(4), 400, 9.0));

    const char *s = capture_text(&c);
    CU_ASSERT_EQUAL(count(s, "\r"), 2);
    CU_ASSERT_EQUAL(count(s, "\033[K"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\r[ 10.0%] sim 1.000 ms / 10.000 ms"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\r[ 30.0%] sim 3.000 ms / 10.000 ms"));
    capture_close(&c);
}

static void
test_progress_disabled_writes_nothing(void)
{
    struct capture c;
    struct progress p;

    capture_open(&c);
    progress_init(&p, c.f, false, 0, sim_ms(10), 0.0);
    CU_ASSERT_FALSE(p.enabled);
    for (int i = 1; i <= 10; i++) {
        CU_ASSERT_FALSE(progress_update(&p, sim_ms(i), (uint64_t)i * 100,
                                        i * 1.0));
    }
    progress_finish(&p);
    CU_ASSERT_EQUAL(strlen(capture_text(&c)), 0);
    /* A NULL stream disables the display too. */
    progress_init(&p, NULL, true, 0, sim_ms(10), 0.0);
    CU_ASSERT_FALSE(p.enabled);
    CU_ASSERT_FALSE(progress_update(&p, sim_ms(1), 1, 5.0));
    progress_finish(&p);
    /* --quiet always wins; a memory stream is no terminal. */
    CU_ASSERT_FALSE(progress_wanted(c.f, true));
    CU_ASSERT_FALSE(progress_wanted(c.f, false));
    CU_ASSERT_FALSE(progress_wanted(stderr, true));
    capture_close(&c);
}

static void
test_progress_line_shows_percent_rates_and_eta(void)
{
    struct progress p;
    char line[PROGRESS_LINE_SIZE];

    /* 4.2 ms of 10 ms simulated in 2 s of wall time with 6.388 M events:
     * 3.194 M ev/s, 2.1 ms/s, and 5.8 ms left at that speed is 2.76 s. */
    progress_init(&p, stderr, true, 0, sim_ms(10), 100.0);
    CU_ASSERT_STRING_EQUAL(progress_format(&p, sim_us(4200), 6388000, 102.0,
                                           line, sizeof line),
                           "[ 42.0%] sim 4.200 ms / 10.000 ms | 3.19 M ev/s"
                           " | 2.10 ms/s | ETA 0:03");
    /* An hour and a half to go. */
    progress_init(&p, stderr, true, 0, sim_s(4), 0.0);
    CU_ASSERT_STRING_EQUAL(progress_format(&p, sim_s(1), 950, 1800.0, line,
                                           sizeof line),
                           "[ 25.0%] sim 1.000 s / 4.000 s | 0.53 ev/s"
                           " | 556 us/s | ETA 1:30:00");
    /* Faster than real time, with an offset start. */
    progress_init(&p, stderr, true, sim_s(10), sim_s(70), 0.0);
    CU_ASSERT_STRING_EQUAL(progress_format(&p, sim_s(40), UINT64_C(2) << 40,
                                           2.0, line, sizeof line),
                           "[ 50.0%] sim 40.000 s / 70.000 s | 1.10 T ev/s"
                           " | 15.0 s/s | ETA 0:02");
}

static void
test_progress_unknowns_are_dashes(void)
{
    struct capture c;
    struct progress p;
    char line[PROGRESS_LINE_SIZE];

    /* No wall time yet, no simulated progress yet. */
    capture_open(&c);
    progress_init(&p, c.f, true, 0, sim_ms(10), 5.0);
    CU_ASSERT_STRING_EQUAL(progress_format(&p, 0, 0, 5.0, line, sizeof line),
                           "[  0.0%] sim 0 s / 10.000 ms | -- ev/s"
                           " | -- s/s | ETA --");
    CU_ASSERT_STRING_EQUAL(progress_format(&p, 0, 7, 6.0, line, sizeof line),
                           "[  0.0%] sim 0 s / 10.000 ms | 7.00 ev/s"
                           " | 0 s/s | ETA --");
    /* Events going backwards carry no information. */
    CU_ASSERT_TRUE(progress_update(&p, sim_ms(1), 1000, 6.0));
    CU_ASSERT_PTR_NOT_NULL(strstr(progress_format(&p, sim_ms(2), 10, 7.0,
                                                  line, sizeof line),
                                  "| -- ev/s |"));
    capture_close(&c);
    /* An unknown end: no percent, no end time, no ETA. */
    progress_init(&p, stderr, true, 0, SIM_TIME_MAX, 0.0);
    CU_ASSERT_STRING_EQUAL(progress_format(&p, sim_us(3), 3000, 1.0, line,
                                           sizeof line),
                           "[  --  ] sim 3.000 us | 3.00 k ev/s"
                           " | 3.00 us/s | ETA --");
    /* A zero-length run is done; so is one past its end. */
    progress_init(&p, stderr, true, sim_ms(5), sim_ms(5), 0.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(progress_format(&p, sim_ms(5), 1, 1.0,
                                                  line, sizeof line),
                                  "[100.0%]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "ETA 0:00"));
    progress_init(&p, stderr, true, 0, sim_ms(5), 0.0);
    CU_ASSERT_STRING_EQUAL(progress_format(&p, sim_ms(6), 1, 1.0, line,
                                           sizeof line),
                           "[100.0%] sim 6.000 ms / 5.000 ms | 1.00 ev/s"
                           " | 6.00 ms/s | ETA 0:00");
    /* 99.99% is not 100%. */
    CU_ASSERT_PTR_NOT_NULL(strstr(progress_format(&p, sim_ms(5) - 1, 1, 1.0,
                                                  line, sizeof line),
                                  "[ 99.9%]"));
}

static void
test_progress_time_units_round_to_three_decimals(void)
{
    struct progress p;
    char line[PROGRESS_LINE_SIZE];
    static const struct {
        sim_time_t t;
        const char *text;
    } cases[] = {
        { 999, "sim 999 ps |" },
        { 1000, "sim 1.000 ns |" },
        { 1234567, "sim 1.235 us |" },
        { 999999499, "sim 999.999 us |" },
        { 999999500, "sim 1.000 ms |" },          /* carries into ms */
        { INT64_C(3600000000000000), "sim 3600.000 s |" },
    };

    progress_init(&p, stderr, true, 0, SIM_TIME_MAX, 0.0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        progress_format(&p, cases[i].t, 0, 1.0, line, sizeof line);
        CU_ASSERT_PTR_NOT_NULL(strstr(line, cases[i].text));
    }
}

static void
test_progress_line_fits_79_columns(void)
{
    struct progress p;
    char line[PROGRESS_LINE_SIZE], small[20];
    const sim_time_t ends[] = {
        1, 999, sim_us(999) + 999999, sim_ms(999) + 999999999,
        sim_s(999), INT64_C(9000000000000000000), SIM_TIME_MAX - 1,
    };
    static const double walls[] = { 0.5, 1e-9, 3.0, 1e6, 1e9 };

    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        for (size_t j = 0; j < sizeof walls / sizeof walls[0]; j++) {
            for (int k = 0; k <= 4; k++) {
                sim_time_t now = ends[i] / 4 * k;

                progress_init(&p, stderr, true, 0, ends[i], 0.0);
                progress_format(&p, now, UINT64_MAX / 3, walls[j], line,
                                sizeof line);
                CU_ASSERT(strlen(line) <= PROGRESS_COLUMNS);
                CU_ASSERT(strlen(line) > 30);
                CU_ASSERT_PTR_NOT_NULL(strstr(line, "ETA "));
            }
        }
    }
    /* The end time is dropped before anything else. */
    progress_init(&p, stderr, true, 0, INT64_C(9000000000000000000), 0.0);
    CU_ASSERT_STRING_EQUAL(progress_format(&p, INT64_C(4500000000000000000),
                                           UINT64_MAX / 3, 1e9, line,
                                           sizeof line),
                           "[ 50.0%] sim 4500000.000 s | 6.15 G ev/s"
                           " | 4.50 ms/s | ETA >999h");
    /* A short buffer truncates without overflowing. */
    progress_format(&p, 0, 0, 1.0, small, sizeof small);
    CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
}

static void
test_progress_finish_clears_only_a_drawn_line(void)
{
    struct capture c;
    struct progress p;

    capture_open(&c);
    progress_init(&p, c.f, true, 0, sim_ms(10), 0.0);
    CU_ASSERT_FALSE(progress_update(&p, sim_ms(1), 1, 0.1));
    progress_finish(&p);
    CU_ASSERT_EQUAL(strlen(capture_text(&c)), 0);   /* nothing drawn */

    progress_init(&p, c.f, true, 0, sim_ms(10), 0.0);
    CU_ASSERT_TRUE(progress_update(&p, sim_ms(1), 1, 1.0));
    progress_finish(&p);
    progress_finish(&p);                            /* harmless */
    CU_ASSERT_FALSE(progress_update(&p, sim_ms(9), 9, 9.0));
    const char *s = capture_text(&c);
    size_t n = strlen(s);
    CU_ASSERT(n > 4 && !strcmp(s + n - 4, "\r\033[K"));
    CU_ASSERT_EQUAL(count(s, "\r"), 2);
    capture_close(&c);
}

static void
test_summary_names_events_time_fingerprint_and_database(void)
{
    struct capture c;

    capture_open(&c);
    progress_summary(c.f, 3199895, 0.1003, sim_s(2),
                     UINT64_C(0x5ca4fbc229143329), "results/demo.db");
    CU_ASSERT_STRING_EQUAL(capture_text(&c),
                           "done: 3199895 events in 0.10 s (31.9 M ev/s), "
                           "simulated 2 s, fingerprint 5ca4fbc229143329, "
                           "results in results/demo.db\n");
    capture_close(&c);

    capture_open(&c);
    progress_summary(c.f, 12, 0.0, sim_us(1500), 0x2a, NULL);
    CU_ASSERT_STRING_EQUAL(capture_text(&c),
                           "done: 12 events in 0.00 s (-- ev/s), simulated "
                           "1.5 ms, fingerprint 000000000000002a\n");
    capture_close(&c);

    capture_open(&c);
    progress_summary(c.f, 950, 2.0, 250 * SIM_PS_PER_NS + 1, 0, "r.db");
    CU_ASSERT_STRING_EQUAL(capture_text(&c),
                           "done: 950 events in 2.00 s (475 ev/s), simulated "
                           "250.001 ns, fingerprint 0000000000000000, "
                           "results in r.db\n");
    capture_close(&c);
}

static const struct cutest_case progress_cases[] = {
    CUTEST(test_progress_redraws_at_most_every_half_second),
    CUTEST(test_progress_disabled_writes_nothing),
    CUTEST(test_progress_line_shows_percent_rates_and_eta),
    CUTEST(test_progress_unknowns_are_dashes),
    CUTEST(test_progress_time_units_round_to_three_decimals),
    CUTEST(test_progress_line_fits_79_columns),
    CUTEST(test_progress_finish_clears_only_a_drawn_line),
    CUTEST(test_summary_names_events_time_fingerprint_and_database),
    CUTEST_END
};

CUTEST_MAIN({ "progress", progress_cases })
