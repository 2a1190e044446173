/*
 * test-units.c -- exact unit parsing and printing (sim/units.h) and the
 * did-you-mean helper it uses (sim/suggest.h): every suffix of every kind,
 * exact fractions, the int64 boundary of each kind, each error message,
 * the format rule and the format/parse round trip, and the edit distance
 * against a full-table reference.  Needs only sim/units.c and
 * sim/suggest.c; its random numbers come from a local SplitMix64 so that
 * it does not depend on the rest of libsim.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/suggest.h"
#include "sim/units.h"
#include "tests/cutest.h"

#define N_KINDS (UNIT_COUNT + 1)

/* The output value that a failed parse must leave alone. */
#define UNTOUCHED INT64_C(-12345)

static uint64_t
splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Parses 'text', expecting success; returns the value (or UNTOUCHED, which
 * no test expects, on failure). */
static int64_t
parse_ok(enum unit_kind kind, const char *text)
{
    char err[256] = "";
    int64_t v = UNTOUCHED;
    int e = unit_parse(kind, text, &v, err, sizeof err);

    if (e) {
        fprintf(stderr, "\n  unexpected error %d for %s '%s': %s\n", e,
                unit_kind_name(kind), text, err);
    }
    CU_ASSERT_EQUAL(e, 0);
    return v;
}

/* Parses 'text', expecting the error 'want', '*out' untouched and a
 * one-line message that contains 'needle'.  Returns nothing; the message
 * is left in 'msg' if the caller wants to compare all of it. */
static void
parse_bad_msg(enum unit_kind kind, const char *text, int want,
              const char *needle, char *msg, size_t msg_size)
{
    int64_t v = UNTOUCHED;
    int e;

    memset(msg, 'x', msg_size);
    e = unit_parse(kind, text, &v, msg, msg_size);
    CU_ASSERT_EQUAL(e, want);
    CU_ASSERT_EQUAL(v, UNTOUCHED);
    if (!memchr(msg, '\0', msg_size)) {
        CU_FAIL("error message not written or not terminated");
        msg[msg_size - 1] = '\0';
    }
    CU_ASSERT_PTR_NULL(strchr(msg, '\n'));
    if (e != want || !strstr(msg, needle)) {
        fprintf(stderr, "\n  %s '%s': error %d, message '%s' lacks '%s'\n",
                unit_kind_name(kind), text, e, msg, needle);
        CU_FAIL("error message");
    }
}

static void
parse_bad(enum unit_kind kind, const char *text, int want, const char *needle)
{
    char msg[256];
    parse_bad_msg(kind, text, want, needle, msg, sizeof msg);
}

/* Expects the whole message to be 'want'. */
static void
parse_bad_exact(enum unit_kind kind, const char *text, int code,
                const char *want)
{
    char msg[256];
    parse_bad_msg(kind, text, code, "", msg, sizeof msg);
    CU_ASSERT_STRING_EQUAL(msg, want);
    if (strcmp(msg, want)) {
        fprintf(stderr, "\n  got  '%s'\n  want '%s'\n", msg, want);
    }
}

static const char *
fmt(enum unit_kind kind, int64_t value, char *buf, size_t size)
{
    unit_format(kind, value, buf, size);
    return buf;
}

/* -- parsing: every suffix -- */

static void
test_unit_parse_reads_every_time_suffix_in_picoseconds(void)
{
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "7ps"), 7);
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "7ns"), 7000);
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "5us"), INT64_C(5000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "3ms"), INT64_C(3000000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "2s"), INT64_C(2000000000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "0s"), 0);
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "0ps"), 0);
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "0007us"), INT64_C(7000000));
}

static void
test_unit_parse_reads_both_micro_signs_as_us(void)
{
    /* U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU look the same. */
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "5\xc2\xb5s"), INT64_C(5000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "5\xce\xbcs"), INT64_C(5000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "1.5\xc2\xb5s"), INT64_C(1500000));
}

static void
test_unit_parse_reads_every_rate_suffix_in_bits_per_second(void)
{
    CU_ASSERT_EQUAL(parse_ok(UNIT_RATE, "9bps"), 9);
    CU_ASSERT_EQUAL(parse_ok(UNIT_RATE, "9kbps"), 9000);
    CU_ASSERT_EQUAL(parse_ok(UNIT_RATE, "9Kbps"), 9000);
    CU_ASSERT_EQUAL(parse_ok(UNIT_RATE, "100Mbps"), INT64_C(100000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_RATE, "10Gbps"), INT64_C(10000000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_RATE, "1Tbps"), INT64_C(1000000000000));
}

static void
test_unit_parse_reads_decimal_and_binary_sizes_in_bytes(void)
{
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "1500B"), 1500);
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "2kB"), 2000);
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "2KB"), 2000);
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "3MB"), INT64_C(3000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "4GB"), INT64_C(4000000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "5TB"), INT64_C(5000000000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "64KiB"), 65536);
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "2MiB"), INT64_C(2097152));
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "1GiB"), INT64_C(1073741824));
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "1TiB"), INT64_C(1099511627776));
}

static void
test_unit_parse_reads_every_frequency_suffix_in_hertz(void)
{
    CU_ASSERT_EQUAL(parse_ok(UNIT_FREQ, "50Hz"), 50);
    CU_ASSERT_EQUAL(parse_ok(UNIT_FREQ, "8kHz"), 8000);
    CU_ASSERT_EQUAL(parse_ok(UNIT_FREQ, "133MHz"), INT64_C(133000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_FREQ, "2.5GHz"), INT64_C(2500000000));
}

static void
test_unit_parse_reads_percent_as_parts_per_million(void)
{
    CU_ASSERT_EQUAL(parse_ok(UNIT_PERCENT, "80%"), 800000);
    CU_ASSERT_EQUAL(parse_ok(UNIT_PERCENT, "12.5%"), 125000);
    CU_ASSERT_EQUAL(parse_ok(UNIT_PERCENT, "100%"), 1000000);
    CU_ASSERT_EQUAL(parse_ok(UNIT_PERCENT, "150%"), 1500000);  /* allowed */
    CU_ASSERT_EQUAL(parse_ok(UNIT_PERCENT, "0.0001%"), 1);
    CU_ASSERT_EQUAL(parse_ok(UNIT_PERCENT, "0%"), 0);
}

static void
test_unit_parse_reads_count_as_digits_only(void)
{
    char msg[256];

    CU_ASSERT_EQUAL(parse_ok(UNIT_COUNT, "42"), 42);
    CU_ASSERT_EQUAL(parse_ok(UNIT_COUNT, "0"), 0);
    CU_ASSERT_EQUAL(parse_ok(UNIT_COUNT, "007"), 7);
    parse_bad_exact(UNIT_COUNT, "12k", EINVAL,
                    "'12k' is not a count: expected digits only, such as "
                    "'12'");
    parse_bad(UNIT_COUNT, "1.5", EINVAL, "'1.5' is not a count");
    parse_bad(UNIT_COUNT, "1.0", EINVAL, "is not a count");
    parse_bad(UNIT_COUNT, ".5", EINVAL, "is not a count");
    parse_bad(UNIT_COUNT, "", EINVAL, "'' is not a count");
    parse_bad(UNIT_COUNT, "5us", EINVAL, "is not a count");
    parse_bad_msg(UNIT_COUNT, "12%", EINVAL, "digits only", msg, sizeof msg);
}

/* -- parsing: fractions and exactness -- */

static void
test_unit_parse_scales_fractions_exactly(void)
{
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "2.5ns"), 2500);
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "0.001ns"), 1);
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "0.000001us"), 1);
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "1.25s"), INT64_C(1250000000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "0.000000000001s"), 1);
    CU_ASSERT_EQUAL(parse_ok(UNIT_RATE, "2.5Gbps"), INT64_C(2500000000));
    CU_ASSERT_EQUAL(parse_ok(UNIT_RATE, "0.001kbps"), 1);
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "1.5KiB"), 1536);
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "0.5MiB"), 524288);
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "1.5kB"), 1500);
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE, "0.0009765625KiB"), 1);  /* 2^-10 */
    CU_ASSERT_EQUAL(parse_ok(UNIT_FREQ, "0.001kHz"), 1);
    CU_ASSERT_EQUAL(parse_ok(UNIT_FREQ, "1.000000001GHz"),
                    INT64_C(1000000001));
}

static void
test_unit_parse_accepts_any_number_of_exact_fraction_digits(void)
{
    char text[2048];

    /* Trailing zeros never make a value inexact, however many. */
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "1.500000000000000000000000000000"
                             "000000000000000000000000000000s"),
                    INT64_C(1500000000000));
    strcpy(text, "3.");
    memset(text + 2, '0', 2000);
    strcpy(text + 2002, "us");
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, text), INT64_C(3000000));
    /* 2^-40 TiB needs all 40 of its decimals, and is one byte. */
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE,
                             "0.0000000000009094947017729282379150390625TiB"),
                    1);
    CU_ASSERT_EQUAL(parse_ok(UNIT_SIZE,
                             "1.0000000000009094947017729282379150390625TiB"),
                    INT64_C(1099511627777));
}

static void
test_unit_parse_rejects_fraction_below_base_unit(void)
{
    parse_bad_exact(UNIT_TIME, "0.5ps", EINVAL,
                    "'0.5ps' is not a whole number of picoseconds");
    parse_bad(UNIT_TIME, "1.0001ns", EINVAL,
              "'1.0001ns' is not a whole number of picoseconds");
    parse_bad(UNIT_TIME, "0.0000000000001s", EINVAL, "whole number");
    parse_bad(UNIT_TIME, "1.000000000000000000000000000000001s", EINVAL,
              "whole number");
    parse_bad_exact(UNIT_RATE, "0.5bps", EINVAL,
                    "'0.5bps' is not a whole number of bit/s");
    parse_bad_exact(UNIT_SIZE, "1.1B", EINVAL,
                    "'1.1B' is not a whole number of bytes");
    parse_bad(UNIT_SIZE, "0.1KiB", EINVAL, "whole number of bytes");
    /* 2^-41 TiB is half a byte. */
    parse_bad(UNIT_SIZE, "0.00000000000045474735088646411895751953125TiB",
              EINVAL, "whole number of bytes");
    parse_bad(UNIT_FREQ, "0.5Hz", EINVAL, "whole number of Hz");
    parse_bad_exact(UNIT_PERCENT, "0.00001%", EINVAL,
                    "'0.00001%' is not a whole number of parts per million");
}

/* -- parsing: the int64 boundary -- */

static void
test_unit_parse_accepts_int64_max_and_rejects_one_more_in_every_kind(void)
{
    static const struct {
        enum unit_kind kind;
        const char *max, *over;
    } cases[] = {
        { UNIT_TIME, "9223372036854775807ps", "9223372036854775808ps" },
        { UNIT_TIME, "9223372036854775.807ns", "9223372036854775.808ns" },
        { UNIT_TIME, "9223372.036854775807s", "9223372.036854775808s" },
        { UNIT_RATE, "9223372036854775807bps", "9223372036854775808bps" },
        { UNIT_RATE, "9223372.036854775807Tbps",
          "9223372.036854775808Tbps" },
        { UNIT_SIZE, "9223372036854775807B", "9223372036854775808B" },
        { UNIT_SIZE, "9223372.036854775807TB", "9223372.036854775808TB" },
        /* INT64_MAX = 8388608 TiB - 1 B, and 1 B = 2^-40 TiB. */
        { UNIT_SIZE, "8388607.9999999999990905052982270717620849609375TiB",
          "8388608TiB" },
        { UNIT_SIZE, "9007199254740991.9990234375KiB", "9007199254740992KiB" },
        { UNIT_FREQ, "9223372036.854775807GHz", "9223372036.854775808GHz" },
        { UNIT_PERCENT, "922337203685477.5807%", "922337203685477.5808%" },
        { UNIT_COUNT, "9223372036854775807", "9223372036854775808" },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CU_ASSERT_EQUAL(parse_ok(cases[i].kind, cases[i].max), INT64_MAX);
        parse_bad(cases[i].kind, cases[i].over, ERANGE, "is out of range");
    }
}

static void
test_unit_parse_never_wraps_huge_numbers(void)
{
    /* 2^64 and 2^128 would wrap to 0 in 64 or 128 bits. */
    parse_bad(UNIT_TIME, "18446744073709551616ps", ERANGE, "out of range");
    parse_bad(UNIT_TIME, "340282366920938463463374607431768211456ps",
              ERANGE, "out of range");
    parse_bad(UNIT_COUNT, "99999999999999999999999999999999999999999999",
              ERANGE, "out of range");
    parse_bad(UNIT_TIME, "10000000s", ERANGE, "out of range");
    parse_bad(UNIT_SIZE, "16777216TiB", ERANGE, "out of range");
    /* Leading zeros are not magnitude. */
    CU_ASSERT_EQUAL(parse_ok(UNIT_TIME, "000000000000000000000000000000000"
                             "0000000000000001ps"), 1);
}

static void
test_unit_parse_out_of_range_names_the_exact_maximum(void)
{
    int64_t back = 0;

    parse_bad_exact(UNIT_TIME, "99999999999s", ERANGE,
                    "'99999999999s' is out of range: a time is at most "
                    "9223372.036854775807s (about 106.7 days)");
    parse_bad_exact(UNIT_SIZE, "9EiB", EINVAL,
                    "bad unit 'EiB' in '9EiB': expected B, kB, MB, GB, TB, "
                    "KiB, MiB, GiB or TiB (did you mean 'KiB'?)");
    parse_bad_exact(UNIT_SIZE, "9000000TiB", ERANGE,
                    "'9000000TiB' is out of range: a size is at most "
                    "9223372036854775807B (8 EiB less one byte)");
    parse_bad_exact(UNIT_RATE, "10000000Tbps", ERANGE,
                    "'10000000Tbps' is out of range: a rate is at most "
                    "9223372.036854775807Tbps");
    parse_bad_exact(UNIT_FREQ, "10000000000GHz", ERANGE,
                    "'10000000000GHz' is out of range: a frequency is at "
                    "most 9223372036.854775807GHz");
    parse_bad_exact(UNIT_PERCENT, "1000000000000000%", ERANGE,
                    "'1000000000000000%' is out of range: a percentage is "
                    "at most 922337203685477.5807%");
    parse_bad_exact(UNIT_COUNT, "9223372036854775808", ERANGE,
                    "'9223372036854775808' is out of range: a count is at "
                    "most 9223372036854775807");
    /* The figure quoted is itself valid input, and exactly the maximum. */
    CU_ASSERT_EQUAL(unit_parse(UNIT_TIME, "9223372.036854775807s", &back,
                               NULL, 0), 0);
    CU_ASSERT_EQUAL(back, INT64_MAX);
}

/* -- parsing: syntax errors and their messages -- */

static void
test_unit_parse_rejects_missing_unit_with_an_example(void)
{
    parse_bad_exact(UNIT_TIME, "10", EINVAL,
                    "'10' has no unit: expected a time such as '5us' "
                    "(ps, ns, us, ms or s)");
    parse_bad_exact(UNIT_RATE, "10", EINVAL,
                    "'10' has no unit: expected a rate such as '10Gbps' "
                    "(bps, kbps, Mbps, Gbps or Tbps)");
    parse_bad(UNIT_SIZE, "1500", EINVAL,
              "'1500' has no unit: expected a size such as '64KiB' (B, kB");
    parse_bad(UNIT_FREQ, "2.5", EINVAL,
              "'2.5' has no unit: expected a frequency such as '2.5GHz' "
              "(Hz, kHz, MHz or GHz)");
    parse_bad_exact(UNIT_PERCENT, "80", EINVAL,
                    "'80' has no unit: expected a percentage such as '80%'");
}

static void
test_unit_parse_rejects_bad_unit_and_suggests_the_right_case(void)
{
    parse_bad_exact(UNIT_RATE, "10gbps", EINVAL,
                    "bad unit 'gbps' in '10gbps': expected bps, kbps, Mbps, "
                    "Gbps or Tbps (did you mean 'Gbps'?)");
    parse_bad(UNIT_TIME, "5MS", EINVAL, "(did you mean 'ms'?)");
    parse_bad(UNIT_TIME, "5US", EINVAL, "(did you mean 'us'?)");
    parse_bad(UNIT_TIME, "5S", EINVAL, "(did you mean 's'?)");
    parse_bad(UNIT_TIME, "5Ns", EINVAL, "(did you mean 'ns'?)");
    parse_bad(UNIT_RATE, "1MBPS", EINVAL, "(did you mean 'Mbps'?)");
    parse_bad(UNIT_RATE, "1tbps", EINVAL, "(did you mean 'Tbps'?)");
    parse_bad(UNIT_SIZE, "4kib", EINVAL, "(did you mean 'KiB'?)");
    parse_bad(UNIT_SIZE, "4b", EINVAL, "(did you mean 'B'?)");
    parse_bad(UNIT_SIZE, "4mb", EINVAL, "(did you mean 'MB'?)");
    parse_bad(UNIT_FREQ, "2GHZ", EINVAL, "(did you mean 'GHz'?)");
    parse_bad(UNIT_FREQ, "2mhz", EINVAL, "(did you mean 'MHz'?)");
    parse_bad(UNIT_FREQ, "2hz", EINVAL, "(did you mean 'Hz'?)");
}

static void
test_unit_parse_rejects_bad_unit_and_suggests_near_spellings(void)
{
    char msg[256];

    parse_bad(UNIT_RATE, "10Gbsp", EINVAL, "(did you mean 'Gbps'?)");
    parse_bad(UNIT_RATE, "10Gbit", EINVAL, "bad unit 'Gbit' in '10Gbit'");
    parse_bad(UNIT_FREQ, "3GHzz", EINVAL, "(did you mean 'GHz'?)");
    /* Nothing near: the list of suffixes and no guess. */
    parse_bad_msg(UNIT_TIME, "10sec", EINVAL,
                  "bad unit 'sec' in '10sec': expected ps, ns, us, ms or s",
                  msg, sizeof msg);
    CU_ASSERT_PTR_NULL(strstr(msg, "did you mean"));
    parse_bad_exact(UNIT_PERCENT, "80pct", EINVAL,
                    "bad unit 'pct' in '80pct': expected %");
}

static void
test_unit_parse_names_another_kinds_unit(void)
{
    parse_bad_exact(UNIT_TIME, "10Gbps", EINVAL,
                    "bad unit 'Gbps' in '10Gbps': expected ps, ns, us, ms or "
                    "s ('Gbps' is a rate unit, not a time unit)");
    parse_bad(UNIT_RATE, "1500B", EINVAL,
              "('B' is a size unit, not a rate unit)");
    parse_bad(UNIT_FREQ, "5us", EINVAL,
              "('us' is a time unit, not a frequency unit)");
    parse_bad(UNIT_TIME, "50%", EINVAL,
              "('%' is a percentage unit, not a time unit)");
}

static void
test_unit_parse_rejects_whitespace_anywhere(void)
{
    static const char *const texts[] = {
        " 5us", "5 us", "5us ", "5us\n", "\t5us", "5. 5us", "5\r"
    };

    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        parse_bad(UNIT_TIME, texts[i], EINVAL, "contains white space");
    }
    parse_bad_exact(UNIT_TIME, "5 us", EINVAL,
                    "'5 us' contains white space: expected a time with "
                    "nothing around or inside it, such as '5us'");
    parse_bad(UNIT_COUNT, " 12", EINVAL, "contains white space");
}

static void
test_unit_parse_error_quotes_control_bytes_escaped_on_one_line(void)
{
    char text[300];

    parse_bad_exact(UNIT_TIME, "5us\n", EINVAL,
                    "'5us\\n' contains white space: expected a time with "
                    "nothing around or inside it, such as '5us'");
    parse_bad_exact(UNIT_TIME, "5u\x01s", EINVAL,
                    "bad unit 'u\\x01s' in '5u\\x01s': expected ps, ns, us, "
                    "ms or s (did you mean 'us'?)");
    /* A long text is cut at 96 bytes and marked, never split inside a
     * UTF-8 character. */
    memset(text, '7', 200);
    strcpy(text + 200, "xs");
    parse_bad(UNIT_TIME, text, EINVAL,
              "bad unit 'xs' in '7777777777777777777777777777777777777777"
              "77777777777777777777777777777777777777777777777777777777...'");
    memset(text, '7', 95);
    strcpy(text + 95, "\xc2\xb5\xc2\xb5s-and-more-text-to-cut");
    parse_bad(UNIT_TIME, text, EINVAL, "in '777");
    parse_bad(UNIT_TIME, text, EINVAL, "7...': expected");
}

static void
test_unit_parse_rejects_a_sign(void)
{
    parse_bad_exact(UNIT_TIME, "-5us", EINVAL,
                    "'-5us' has a sign: expected a time without one, such "
                    "as '5us'");
    parse_bad(UNIT_TIME, "+5us", EINVAL, "has a sign");
    parse_bad(UNIT_TIME, "-0ps", EINVAL, "has a sign");
    parse_bad(UNIT_PERCENT, "-1%", EINVAL, "has a sign");
    parse_bad(UNIT_COUNT, "-1", EINVAL, "has a sign");
    parse_bad(UNIT_COUNT, "+1", EINVAL, "has a sign");
    /* A sign after the number is a bad unit, not accepted either. */
    parse_bad(UNIT_TIME, "5-us", EINVAL, "bad unit '-us'");
}

static void
test_unit_parse_rejects_an_exponent(void)
{
    parse_bad_exact(UNIT_TIME, "1e3ps", EINVAL,
                    "'1e3ps' has an exponent: write all the digits, as in "
                    "'5us'");
    parse_bad(UNIT_TIME, "1E3ps", EINVAL, "has an exponent");
    parse_bad(UNIT_TIME, "1e-3s", EINVAL, "has an exponent");
    parse_bad(UNIT_TIME, "2.5e+3ns", EINVAL, "has an exponent");
    parse_bad(UNIT_RATE, "1e10bps", EINVAL, "has an exponent");
    parse_bad(UNIT_COUNT, "1e3", EINVAL, "has an exponent");
    /* An 'e' that starts no exponent is just a bad unit. */
    parse_bad(UNIT_TIME, "1eps", EINVAL, "bad unit 'eps'");
}

static void
test_unit_parse_rejects_empty_digits_around_the_point(void)
{
    parse_bad_exact(UNIT_TIME, ".5us", EINVAL,
                    "'.5us' has no digit before the '.': write '0.5us'");
    parse_bad_exact(UNIT_TIME, "5.us", EINVAL,
                    "'5.us' has no digit after the '.': expected a time such "
                    "as '5us'");
    parse_bad(UNIT_TIME, "5.", EINVAL, "no digit after the '.'");
    parse_bad_exact(UNIT_TIME, "us", EINVAL,
                    "'us' is not a time: expected a number and a unit, such "
                    "as '5us' (ps, ns, us, ms or s)");
    parse_bad(UNIT_TIME, "", EINVAL, "'' is not a time");
    parse_bad(UNIT_TIME, ".us", EINVAL, "'.us' is not a time");
    parse_bad(UNIT_TIME, "..5us", EINVAL, "is not a time");
    parse_bad_exact(UNIT_PERCENT, "fast", EINVAL,
                    "'fast' is not a percentage: expected a number and a "
                    "unit, such as '80%'");
    parse_bad(UNIT_PERCENT, "%", EINVAL, "'%' is not a percentage");
    parse_bad(UNIT_TIME, "1.2.3us", EINVAL, "bad unit '.3us'");
    parse_bad(UNIT_TIME, "0x10ps", EINVAL, "bad unit 'x10ps'");
}

static void
test_unit_parse_truncates_error_and_accepts_no_error_buffer(void)
{
    char small[8];
    int64_t v = UNTOUCHED;

    memset(small, 'x', sizeof small);
    CU_ASSERT_EQUAL(unit_parse(UNIT_TIME, "10", &v, small, sizeof small),
                    EINVAL);
    CU_ASSERT_STRING_EQUAL(small, "'10' ha");
    CU_ASSERT_EQUAL(unit_parse(UNIT_TIME, "10", &v, NULL, 0), EINVAL);
    CU_ASSERT_EQUAL(unit_parse(UNIT_TIME, "99999999s", &v, NULL, 0), ERANGE);
    CU_ASSERT_EQUAL(v, UNTOUCHED);
    /* Success does not write the error buffer. */
    memset(small, 'x', sizeof small);
    CU_ASSERT_EQUAL(unit_parse(UNIT_TIME, "10us", &v, small, sizeof small),
                    0);
    CU_ASSERT_EQUAL(v, INT64_C(10000000));
    CU_ASSERT_EQUAL(small[0], 'x');
}

static void
test_unit_parse_rejects_unknown_kind_and_null_text(void)
{
    char msg[256];
    int64_t v = UNTOUCHED;

    CU_ASSERT_EQUAL(unit_parse((enum unit_kind)N_KINDS, "5us", &v, msg,
                               sizeof msg), EINVAL);
    CU_ASSERT_EQUAL(unit_parse((enum unit_kind)-1, "5us", &v, msg,
                               sizeof msg), EINVAL);
    CU_ASSERT_EQUAL(unit_parse(UNIT_TIME, NULL, &v, msg, sizeof msg),
                    EINVAL);
    CU_ASSERT_STRING_EQUAL(msg, "no text: expected a time such as '5us'");
    CU_ASSERT_EQUAL(v, UNTOUCHED);
}

/* -- printing -- */

static void
test_unit_format_chooses_largest_suffix_with_at_most_three_decimals(void)
{
    char b[UNIT_STRLEN];

    CU_ASSERT_STRING_EQUAL(fmt(UNIT_FREQ, INT64_C(2500000000), b, sizeof b),
                           "2.5GHz");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_FREQ, INT64_C(2500000001), b, sizeof b),
                           "2500000.001kHz");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_FREQ, 999, b, sizeof b), "999Hz");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, INT64_C(5000000), b, sizeof b),
                           "5us");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, 7, b, sizeof b), "7ps");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, 999, b, sizeof b), "999ps");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, 1000, b, sizeof b), "1ns");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, 1234, b, sizeof b), "1.234ns");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, 1500, b, sizeof b), "1.5ns");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, INT64_C(1234567), b, sizeof b),
                           "1234.567ns");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, INT64_C(1234000), b, sizeof b),
                           "1.234us");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, INT64_C(1500000000000), b,
                               sizeof b), "1.5s");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, INT64_C(3600000000000000), b,
                               sizeof b), "3600s");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, INT64_MAX, b, sizeof b),
                           "9223372036854775.807ns");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_RATE, INT64_C(10000000000), b, sizeof b),
                           "10Gbps");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_RATE, INT64_C(100000000), b, sizeof b),
                           "100Mbps");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_RATE, INT64_C(1000000000000), b,
                               sizeof b), "1Tbps");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_RATE, 1500, b, sizeof b), "1.5kbps");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_COUNT, 77, b, sizeof b), "77");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_COUNT, INT64_MAX, b, sizeof b),
                           "9223372036854775807");
}

static void
test_unit_format_uses_binary_suffix_for_multiples_of_1024_else_bytes(void)
{
    char b[UNIT_STRLEN];

    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, 65536, b, sizeof b), "64KiB");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, 1024, b, sizeof b), "1KiB");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, 1023, b, sizeof b), "1023B");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, 1500, b, sizeof b), "1500B");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, 1536, b, sizeof b), "1536B");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, 1000000, b, sizeof b),
                           "1000000B");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, INT64_C(3) << 20, b, sizeof b),
                           "3MiB");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, (INT64_C(1) << 30) + 1024, b,
                               sizeof b), "1048577KiB");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, INT64_C(1) << 40, b, sizeof b),
                           "1TiB");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, INT64_C(1) << 50, b, sizeof b),
                           "1024TiB");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_SIZE, INT64_MAX, b, sizeof b),
                           "9223372036854775807B");
}

static void
test_unit_format_writes_percent_with_up_to_four_decimals(void)
{
    char b[UNIT_STRLEN];

    CU_ASSERT_STRING_EQUAL(fmt(UNIT_PERCENT, 800000, b, sizeof b), "80%");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_PERCENT, 125000, b, sizeof b),
                           "12.5%");
    /* 1 ppm needs four decimals (an earlier version looped forever). */
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_PERCENT, 1, b, sizeof b), "0.0001%");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_PERCENT, 125001, b, sizeof b),
                           "12.5001%");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_PERCENT, 1500000, b, sizeof b),
                           "150%");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_PERCENT, INT64_MAX, b, sizeof b),
                           "922337203685477.5807%");
}

static void
test_unit_format_writes_zero_in_the_smallest_suffix(void)
{
    static const char *const want[N_KINDS] = {
        "0ps", "0bps", "0B", "0Hz", "0%", "0"
    };
    char b[UNIT_STRLEN];

    for (int k = 0; k < N_KINDS; k++) {
        CU_ASSERT_STRING_EQUAL(fmt((enum unit_kind)k, 0, b, sizeof b),
                               want[k]);
    }
}

static void
test_unit_format_returns_length_and_truncates_like_snprintf(void)
{
    char b[UNIT_STRLEN], tiny[4];

    CU_ASSERT_EQUAL(unit_format(UNIT_FREQ, INT64_C(2500000000), b, sizeof b),
                    6);
    memset(tiny, 'x', sizeof tiny);
    CU_ASSERT_EQUAL(unit_format(UNIT_FREQ, INT64_C(2500000000), tiny,
                                sizeof tiny), 6);
    CU_ASSERT_STRING_EQUAL(tiny, "2.5");
    CU_ASSERT_EQUAL(unit_format(UNIT_TIME, INT64_C(5000000), NULL, 0), 3);
    /* The longest texts fit UNIT_STRLEN. */
    for (int k = 0; k < N_KINDS; k++) {
        CU_ASSERT(unit_format((enum unit_kind)k, INT64_MAX, NULL, 0)
                  < UNIT_STRLEN);
        CU_ASSERT(unit_format((enum unit_kind)k, INT64_MIN, NULL, 0)
                  < UNIT_STRLEN);
    }
}

static void
test_unit_format_writes_negative_values_with_a_sign_parse_refuses(void)
{
    char b[UNIT_STRLEN];
    int64_t v = UNTOUCHED;

    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, -5000000, b, sizeof b), "-5us");
    CU_ASSERT_STRING_EQUAL(fmt(UNIT_TIME, INT64_MIN, b, sizeof b),
                           "-9223372036854775.808ns");
    CU_ASSERT_EQUAL(unit_parse(UNIT_TIME, "-5us", &v, NULL, 0), EINVAL);
}

/* Checks that 'v' of 'kind' survives format then parse. */
static void
check_round_trip(enum unit_kind kind, int64_t v)
{
    char text[UNIT_STRLEN], err[256] = "";
    int64_t back = UNTOUCHED;
    size_t len = unit_format(kind, v, text, sizeof text);
    int e = unit_parse(kind, text, &back, err, sizeof err);

    if (e || back != v || len != strlen(text)) {
        fprintf(stderr, "\n  %s %" PRId64 " -> '%s' -> %" PRId64 " (%s)\n",
                unit_kind_name(kind), v, text, back, err);
    }
    CU_ASSERT_EQUAL(e, 0);
    CU_ASSERT_EQUAL(back, v);
    CU_ASSERT_EQUAL(len, strlen(text));
}

static void
test_unit_format_then_parse_round_trips(void)
{
    static const int64_t edges[] = {
        0, 1, 9, 10, 999, 1000, 1001, 1023, 1024, 1025, 1536, 9999, 10000,
        65535, 65536, 999999, 1000000, 1000001, INT64_C(1000000000000),
        INT64_C(1099511627776), INT64_C(1) << 62, INT64_MAX - 1, INT64_MAX
    };
    uint64_t state = 20240611;

    for (int k = 0; k < N_KINDS; k++) {
        for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
            check_round_trip((enum unit_kind)k, edges[i]);
        }
        for (int i = 0; i < 20000; i++) {
            uint64_t r = splitmix64(&state);
            int64_t v;
            /* Uniform magnitudes, and values with many trailing zeros in
             * decimal or binary, which are the ones with big suffixes. */
            switch (i % 4) {
            case 0:
                v = (int64_t)(r >> (1 + r % 63));
                break;
            case 1: {
                int64_t p = 1;
                for (int e = (int)(r % 13); e > 0; e--) {
                    p *= 10;
                }
                v = (int64_t)((r >> 40) % 1000000) * p;
                break;
            }
            case 2:
                v = (int64_t)((r >> 44) << (r % 44));
                break;
            default:
                v = (int64_t)(r >> 1);
                break;
            }
            check_round_trip((enum unit_kind)k, v);
        }
    }
}

/* -- kind names -- */

static void
test_unit_kind_names_round_trip_and_unknown_is_einval(void)
{
    static const char *const names[N_KINDS] = {
        "time", "rate", "size", "frequency", "percent", "count"
    };
    static const char *const bases[N_KINDS] = {
        "ps", "bit/s", "B", "Hz", "ppm", ""
    };
    enum unit_kind k;

    for (int i = 0; i < N_KINDS; i++) {
        CU_ASSERT_STRING_EQUAL(unit_kind_name((enum unit_kind)i), names[i]);
        CU_ASSERT_STRING_EQUAL(unit_base_name((enum unit_kind)i), bases[i]);
        k = (enum unit_kind)99;
        CU_ASSERT_EQUAL(unit_kind_from_name(names[i], &k), 0);
        CU_ASSERT_EQUAL(k, (enum unit_kind)i);
    }
    k = UNIT_RATE;
    CU_ASSERT_EQUAL(unit_kind_from_name("seconds", &k), EINVAL);
    CU_ASSERT_EQUAL(unit_kind_from_name("Time", &k), EINVAL);
    CU_ASSERT_EQUAL(unit_kind_from_name("", &k), EINVAL);
    CU_ASSERT_EQUAL(k, UNIT_RATE);
    CU_ASSERT_STRING_EQUAL(unit_kind_name((enum unit_kind)N_KINDS), "?");
    CU_ASSERT_STRING_EQUAL(unit_base_name((enum unit_kind)N_KINDS), "?");
}

/* -- suggest -- */

/* The textbook full-table OSA distance, to check the rolling rows. */
static size_t
reference_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), w = lb + 1, r;
    size_t *d = malloc((la + 1) * w * sizeof *d);

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (size_t i = 0; i <= la; i++) {
        for (size_t j = 0; j <= lb; j++) {
            size_t v;
            if (!i || !j) {
                v = i + j;
            } else {
                size_t cost = a[i - 1] != b[j - 1];
                v = d[(i - 1) * w + j] + 1;
                if (d[i * w + j - 1] + 1 < v) {
                    v = d[i * w + j - 1] + 1;
                }
                if (d[(i - 1) * w + j - 1] + cost < v) {
                    v = d[(i - 1) * w + j - 1] + cost;
                }
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2]
                    && a[i - 2] == b[j - 1]
                    && d[(i - 2) * w + j - 2] + 1 < v) {
                    v = d[(i - 2) * w + j - 2] + 1;
                }
            }
            d[i * w + j] = v;
        }
    }
    r = d[la * w + lb];
    free(d);
    return r;
}

static void
test_suggest_distance_counts_insert_delete_and_substitute(void)
{
    CU_ASSERT_EQUAL(suggest_distance("", ""), 0);
    CU_ASSERT_EQUAL(suggest_distance("abc", ""), 3);
    CU_ASSERT_EQUAL(suggest_distance("", "abc"), 3);
    CU_ASSERT_EQUAL(suggest_distance("same", "same"), 0);
    CU_ASSERT_EQUAL(suggest_distance("cpus", "cpu"), 1);
    CU_ASSERT_EQUAL(suggest_distance("cpu", "cpus"), 1);
    CU_ASSERT_EQUAL(suggest_distance("freq", "frog"), 2);
    CU_ASSERT_EQUAL(suggest_distance("kitten", "sitting"), 3);
    CU_ASSERT_EQUAL(suggest_distance("a", "A"), 1);     /* case counts */
    /* Bytes, not characters: U+00B5 is two bytes. */
    CU_ASSERT_EQUAL(suggest_distance("\xc2\xb5s", "us"), 2);
}

static void
test_suggest_distance_counts_adjacent_transposition_as_one(void)
{
    CU_ASSERT_EQUAL(suggest_distance("Gbsp", "Gbps"), 1);
    CU_ASSERT_EQUAL(suggest_distance("ab", "ba"), 1);
    CU_ASSERT_EQUAL(suggest_distance("warmpu", "warmup"), 1);
    CU_ASSERT_EQUAL(suggest_distance("abcd", "badc"), 2);
    /* Optimal string alignment, not unrestricted Damerau-Levenshtein,
     * which would give 2. */
    CU_ASSERT_EQUAL(suggest_distance("ca", "abc"), 3);
}

static void
test_suggest_distance_has_no_length_limit(void)
{
    char *a = malloc(5001), *b = malloc(5001);

    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    memset(a, 'a', 5000);
    a[5000] = '\0';
    memcpy(b, a, 5001);
    b[2500] = 'b';
    CU_ASSERT_EQUAL(suggest_distance(a, b), 1);
    b[3000] = '\0';
    CU_ASSERT_EQUAL(suggest_distance(a, b), 2001);
    CU_ASSERT_EQUAL(suggest_distance(b, a), 2001);
    memset(b, 'z', 5000);
    b[5000] = '\0';
    CU_ASSERT_EQUAL(suggest_distance(a, b), 5000);
    free(a);
    free(b);
}

static void
test_suggest_distance_matches_the_full_table_reference(void)
{
    uint64_t state = 7;
    char a[90], b[90];

    for (int n = 0; n < 3000; n++) {
        /* Small alphabets make transpositions and repeats common; lengths
         * straddle the 63-byte stack rows. */
        size_t la = splitmix64(&state) % 80, lb = splitmix64(&state) % 80;
        int alpha = 2 + (int)(splitmix64(&state) % 3);
        if (n % 2) {
            la %= 8;
            lb %= 8;
        }
        for (size_t i = 0; i < la; i++) {
            a[i] = (char)('a' + (int)(splitmix64(&state) % (uint64_t)alpha));
        }
        for (size_t i = 0; i < lb; i++) {
            b[i] = (char)('a' + (int)(splitmix64(&state) % (uint64_t)alpha));
        }
        a[la] = b[lb] = '\0';
        size_t want = reference_distance(a, b);
        CU_ASSERT_EQUAL(suggest_distance(a, b), want);
        CU_ASSERT_EQUAL(suggest_distance(b, a), want);
    }
}

static void
test_suggest_closest_picks_near_names_and_nothing_far(void)
{
    static const char *const c[] = { "cpu", "name", "freq" };

    CU_ASSERT_STRING_EQUAL(suggest_closest("cpus", c, 3), "cpu");
    CU_ASSERT_STRING_EQUAL(suggest_closest("nmae", c, 3), "name");
    CU_ASSERT_STRING_EQUAL(suggest_closest("frq", c, 3), "freq");
    CU_ASSERT_PTR_NULL(suggest_closest("zzzz", c, 3));
    CU_ASSERT_PTR_NULL(suggest_closest("zzzz", c, 0));
    CU_ASSERT_PTR_NULL(suggest_closest("", c, 3));
    /* The candidate pointer itself comes back. */
    CU_ASSERT_PTR_EQUAL(suggest_closest("cpus", c, 3), c[0]);
}

static void
test_suggest_closest_allows_a_third_of_the_word_in_edits(void)
{
    static const char *const c[] = { "abcdef" };
    static const char *const s[] = { "xy" };

    CU_ASSERT_STRING_EQUAL(suggest_closest("abcdxy", c, 1), "abcdef");
    CU_ASSERT_PTR_NULL(suggest_closest("abcxyz", c, 1));
    CU_ASSERT_STRING_EQUAL(suggest_closest("abcdefgh", c, 1), "abcdef");
    CU_ASSERT_STRING_EQUAL(suggest_closest("abcdefghi", c, 1), "abcdef");
    CU_ASSERT_PTR_NULL(suggest_closest("abcdefghij", c, 1));
    /* At least one edit, even for a one-letter word. */
    CU_ASSERT_STRING_EQUAL(suggest_closest("x", s, 1), "xy");
    CU_ASSERT_PTR_NULL(suggest_closest("zz", s, 1));
}

static void
test_suggest_closest_prefers_the_same_word_in_another_case(void)
{
    static const char *const units[] = { "bps", "kbps", "Mbps", "Gbps" };
    static const char *const c[] = { "cpu", "name", "freq" };
    static const char *const both[] = { "MS", "ms" };

    /* "bps" is also one edit from "gbps" and comes first. */
    CU_ASSERT_STRING_EQUAL(suggest_closest("gbps", units, 4), "Gbps");
    CU_ASSERT_STRING_EQUAL(suggest_closest("NAME", c, 3), "name");
    /* An exact match beats a case-insensitive one. */
    CU_ASSERT_STRING_EQUAL(suggest_closest("ms", both, 2), "ms");
    CU_ASSERT_STRING_EQUAL(suggest_closest("Ms", both, 2), "MS");
}

static void
test_suggest_closest_breaks_ties_by_order(void)
{
    static const char *const ab[] = { "ab", "ba" };
    static const char *const ba[] = { "ba", "ab" };

    CU_ASSERT_STRING_EQUAL(suggest_closest("aa", ab, 2), "ab");
    CU_ASSERT_STRING_EQUAL(suggest_closest("aa", ba, 2), "ba");
}

static void
test_suggest_closest_falls_back_to_a_name_the_word_begins(void)
{
    static const char *const kinds[] = {
        "counter", "gauge", "timeavg", "histogram"
    };
    static const char *const c[] = { NULL, "counter" };

    CU_ASSERT_STRING_EQUAL(suggest_closest("count", kinds, 4), "counter");
    CU_ASSERT_STRING_EQUAL(suggest_closest("hist", kinds, 4), "histogram");
    CU_ASSERT_PTR_NULL(suggest_closest("co", kinds, 4));   /* too short */
    CU_ASSERT_PTR_NULL(suggest_closest("xyzzy", kinds, 4));
    CU_ASSERT_STRING_EQUAL(suggest_closest("count", c, 2), "counter");
}

static const struct cutest_case parse_cases[] = {
    CUTEST(test_unit_parse_reads_every_time_suffix_in_picoseconds),
    CUTEST(test_unit_parse_reads_both_micro_signs_as_us),
    CUTEST(test_unit_parse_reads_every_rate_suffix_in_bits_per_second),
    CUTEST(test_unit_parse_reads_decimal_and_binary_sizes_in_bytes),
    CUTEST(test_unit_parse_reads_every_frequency_suffix_in_hertz),
    CUTEST(test_unit_parse_reads_percent_as_parts_per_million),
    CUTEST(test_unit_parse_reads_count_as_digits_only),
    CUTEST(test_unit_parse_scales_fractions_exactly),
    CUTEST(test_unit_parse_accepts_any_number_of_exact_fraction_digits),
    CUTEST(test_unit_parse_rejects_fraction_below_base_unit),
    CUTEST(test_unit_parse_accepts_int64_max_and_rejects_one_more_in_every_kind),
    CUTEST(test_unit_parse_never_wraps_huge_numbers),
    CUTEST(test_unit_parse_out_of_range_names_the_exact_maximum),
    CUTEST(test_unit_parse_rejects_missing_unit_with_an_example),
    CUTEST(test_unit_parse_rejects_bad_unit_and_suggests_the_right_case),
    CUTEST(test_unit_parse_rejects_bad_unit_and_suggests_near_spellings),
    CUTEST(test_unit_parse_names_another_kinds_unit),
    CUTEST(test_unit_parse_rejects_whitespace_anywhere),
    CUTEST(test_unit_parse_error_quotes_control_bytes_escaped_on_one_line),
    CUTEST(test_unit_parse_rejects_a_sign),
    CUTEST(test_unit_parse_rejects_an_exponent),
    CUTEST(test_unit_parse_rejects_empty_digits_around_the_point),
    CUTEST(test_unit_parse_truncates_error_and_accepts_no_error_buffer),
    CUTEST(test_unit_parse_rejects_unknown_kind_and_null_text),
    CUTEST_END
};

static const struct cutest_case format_cases[] = {
    CUTEST(test_unit_format_chooses_largest_suffix_with_at_most_three_decimals),
    CUTEST(test_unit_format_uses_binary_suffix_for_multiples_of_1024_else_bytes),
    CUTEST(test_unit_format_writes_percent_with_up_to_four_decimals),
    CUTEST(test_unit_format_writes_zero_in_the_smallest_suffix),
    CUTEST(test_unit_format_returns_length_and_truncates_like_snprintf),
    CUTEST(test_unit_format_writes_negative_values_with_a_sign_parse_refuses),
    CUTEST(test_unit_format_then_parse_round_trips),
    CUTEST(test_unit_kind_names_round_trip_and_unknown_is_einval),
    CUTEST_END
};

static const struct cutest_case suggest_cases[] = {
    CUTEST(test_suggest_distance_counts_insert_delete_and_substitute),
    CUTEST(test_suggest_distance_counts_adjacent_transposition_as_one),
    CUTEST(test_suggest_distance_has_no_length_limit),
    CUTEST(test_suggest_distance_matches_the_full_table_reference),
    CUTEST(test_suggest_closest_picks_near_names_and_nothing_far),
    CUTEST(test_suggest_closest_allows_a_third_of_the_word_in_edits),
    CUTEST(test_suggest_closest_prefers_the_same_word_in_another_case),
    CUTEST(test_suggest_closest_breaks_ties_by_order),
    CUTEST(test_suggest_closest_falls_back_to_a_name_the_word_begins),
    CUTEST_END
};

CUTEST_MAIN({ "units-parse", parse_cases }, { "units-format", format_cases },
            { "suggest", suggest_cases })
