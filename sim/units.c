/*
 * units.c -- the unit parser and printer declared in units.h: a table of
 * suffixes per kind, and integer arithmetic in 128 bits so that scaling a
 * fraction can neither overflow nor round.
 */
#include <config.h>
#include "sim/units.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sim/suggest.h"

typedef unsigned __int128 u128;

/* A suffix: its text and how many base units one of it is. */
struct suffix {
    const char *text;
    int64_t scale;
    bool print;                 /* unit_format() may use it */
};

static const struct suffix time_sfx[] = {
    { "ps", 1, true }, { "ns", 1000, true }, { "us", 1000000, true },
    { "\xc2\xb5s", 1000000, false }, { "ms", 1000000000, true },
    { "s", 1000000000000, true }, { NULL, 0, false },
};
static const struct suffix rate_sfx[] = {
    { "bps", 1, true }, { "kbps", 1000, true }, { "Kbps", 1000, false },
    { "Mbps", 1000000, true }, { "Gbps", 1000000000, true },
    { "Tbps", 1000000000000, true }, { NULL, 0, false },
};
static const struct suffix size_sfx[] = {
    { "B", 1, true }, { "kB", 1000, false }, { "KB", 1000, false },
    { "MB", 1000000, false }, { "GB", 1000000000, false },
    { "TB", 1000000000000, false }, { "KiB", 1 << 10, true },
    { "MiB", 1 << 20, true }, { "GiB", 1 << 30, true },
    { "TiB", (int64_t)1 << 40, true }, { NULL, 0, false },
};
static const struct suffix freq_sfx[] = {
    { "Hz", 1, true }, { "kHz", 1000, true }, { "MHz", 1000000, true },
    { "GHz", 1000000000, true }, { NULL, 0, false },
};
static const struct suffix percent_sfx[] = {
    { "%", 10000, true }, { NULL, 0, false },
};
static const struct suffix count_sfx[] = {
    { "", 1, true }, { NULL, 0, false },
};

static const struct {
    const char *name, *base, *example, *expected;
    const struct suffix *sfx;
} kinds[] = {
    [UNIT_TIME] = { "time", "ps", "5us", "ps, ns, us, ms or s", time_sfx },
    [UNIT_RATE] = { "rate", "bit/s", "10Gbps",
                    "bps, kbps, Mbps, Gbps or Tbps", rate_sfx },
    [UNIT_SIZE] = { "size", "B", "64KiB",
                    "B, kB, MB, GB, TB, KiB, MiB, GiB or TiB", size_sfx },
    [UNIT_FREQ] = { "frequency", "Hz", "2.5GHz", "Hz, kHz, MHz or GHz",
                    freq_sfx },
    [UNIT_PERCENT] = { "percent", "ppm", "80%", "%", percent_sfx },
    [UNIT_COUNT] = { "count", "", "12", "no unit", count_sfx },
};

static const char *const base_words[] = {
    [UNIT_TIME] = "picoseconds", [UNIT_RATE] = "bit/s",
    [UNIT_SIZE] = "bytes", [UNIT_FREQ] = "Hz",
    [UNIT_PERCENT] = "parts per million", [UNIT_COUNT] = "units",
};

const char *
unit_kind_name(enum unit_kind kind)
{
    return kind <= UNIT_COUNT ? kinds[kind].name : "?";
}

const char *
unit_base_name(enum unit_kind kind)
{
    return kind <= UNIT_COUNT ? kinds[kind].base : "?";
}

int
unit_kind_from_name(const char *name, enum unit_kind *out)
{
    for (int k = UNIT_TIME; k <= UNIT_COUNT; k++) {
        if (!strcmp(name, kinds[k].name)) {
            *out = (enum unit_kind)k;
            return 0;
        }
    }
    return EINVAL;
}

int
unit_parse(enum unit_kind kind, const char *text, int64_t *out,
           char *err, size_t err_size)
{
    const struct suffix *sfx;
    const char *p = text, *frac = NULL;
    u128 whole = 0, part = 0, denom = 1, value;
    size_t n_int = 0, n_frac = 0;

    if (kind > UNIT_COUNT) {
        snprintf(err, err_size, "unknown kind of quantity");
        return EINVAL;
    }
    /* DIGITS */
    for (; isdigit((unsigned char)*p); p++, n_int++) {
        if (whole <= (u128)INT64_MAX) {
            whole = whole * 10 + (u128)(*p - '0');
        }
    }
    /* [. DIGITS] */
    if (*p == '.' && n_int) {
        frac = ++p;
        for (; isdigit((unsigned char)*p); p++, n_frac++) {
            if (n_frac < 30) {
                part = part * 10 + (u128)(*p - '0');
                denom *= 10;
            } else if (*p != '0') {
                n_frac = 99;    /* far too precise: cannot be exact */
            }
        }
    }
    if (!n_int || (frac && !n_frac)) {
        if (kind == UNIT_COUNT) {
            snprintf(err, err_size, "'%s' is not a count: expected digits "
                     "only, such as '12'", text);
        } else {
            snprintf(err, err_size, "'%s' is not a %s: expected a number "
                     "and a unit, such as '%s' (%s)", text, kinds[kind].name,
                     kinds[kind].example, kinds[kind].expected);
        }
        return EINVAL;
    }
    /* SUFFIX */
    for (sfx = kinds[kind].sfx; sfx->text; sfx++) {
        if (!strcmp(p, sfx->text)) {
            break;
        }
    }
    if (!sfx->text) {
        if (kind == UNIT_COUNT) {
            snprintf(err, err_size, "'%s' is not a count: expected digits "
                     "only, such as '12'", text);
            return EINVAL;
        }
        if (!*p) {
            snprintf(err, err_size, "'%s' has no unit: expected a %s such "
                     "as '%s' (%s)", text, kinds[kind].name,
                     kinds[kind].example, kinds[kind].expected);
            return EINVAL;
        }
        const char *names[16];
        size_t n = 0;
        for (const struct suffix *s = kinds[kind].sfx; s->text && n < 16; s++) {
            names[n++] = s->text;
        }
        const char *hint = suggest_closest(p, names, n);
        snprintf(err, err_size, "bad unit '%s' in '%s': expected %s%s%s%s",
                 p, text, kinds[kind].expected, hint ? " (did you mean '" : "",
                 hint ? hint : "", hint ? "'?)" : "");
        return EINVAL;
    }
    /* Scale exactly: whole * scale + part * scale / denom. */
    if (n_frac == 99 || (part * (u128)sfx->scale) % denom) {
        snprintf(err, err_size, "'%s' is not a whole number of %s", text,
                 base_words[kind]);
        return EINVAL;
    }
    value = whole * (u128)sfx->scale + part * (u128)sfx->scale / denom;
    if (whole > (u128)INT64_MAX || value > (u128)INT64_MAX) {
        char max[48];
        unit_format(kind, INT64_MAX, max, sizeof max);
        snprintf(err, err_size, "'%s' is out of range (at most %s)", text,
                 max);
        return ERANGE;
    }
    *out = (int64_t)value;
    return 0;
}

size_t
unit_format(enum unit_kind kind, int64_t value, char *buf, size_t size)
{
    const struct suffix *best = NULL;
    uint64_t v = value < 0 ? 0 : (uint64_t)value;

    if (kind > UNIT_COUNT) {
        return (size_t)snprintf(buf, size, "%" PRIu64, v);
    }
    /* The largest printable suffix with an exact quotient of at most three
     * fraction digits (exact division for binary sizes). */
    for (const struct suffix *s = kinds[kind].sfx; s->text; s++) {
        uint64_t scale = (uint64_t)s->scale;
        if (!s->print || (best && scale <= (uint64_t)best->scale)) {
            continue;
        }
        if (v == 0 && scale != 1) {
            continue;
        }
        if (kind == UNIT_SIZE ? v % scale == 0
            : (scale < 1000 ? v % scale == 0 : v % (scale / 1000) == 0)) {
            if (v / scale > 0 || scale == 1) {
                best = s;
            }
        }
    }
    if (!best) {
        best = kinds[kind].sfx;
    }
    uint64_t scale = (uint64_t)best->scale;
    uint64_t q = v / scale, r = v % scale;
    if (!r) {
        return (size_t)snprintf(buf, size, "%" PRIu64 "%s", q, best->text);
    }
    /* r / scale has at most three decimals: print them, trimmed. */
    uint64_t milli = r / (scale / 1000);
    int digits = 3;
    while (milli % 10 == 0) {
        milli /= 10;
        digits--;
    }
    return (size_t)snprintf(buf, size, "%" PRIu64 ".%0*" PRIu64 "%s", q,
                            digits, milli, best->text);
}
