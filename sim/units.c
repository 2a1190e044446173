/*
 * units.c -- the unit parser and printer declared in units.h: one table of
 * suffixes per kind, a scanner that gives each kind of mistake its own
 * message, and integer arithmetic in which scaling a fraction can neither
 * overflow nor round.
 */
#include <config.h>
#include "sim/units.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sim/suggest.h"

typedef unsigned __int128 u128;

/* A suffix: its text, how many base units one of it is, and whether
 * unit_format() may write it (aliases and decimal sizes are read only). */
struct suffix {
    const char *text;
    uint64_t scale;
    int decimals;               /* log10(scale) if a power of ten, else -1 */
    bool print;
};

#define SUFFIX_END { NULL, 0, 0, false }

static const struct suffix time_sfx[] = {
    { "ps", 1, 0, true },
    { "ns", UINT64_C(1000), 3, true },
    { "us", UINT64_C(1000000), 6, true },
    { "\xc2\xb5s", UINT64_C(1000000), 6, false },  /* U+00B5 MICRO SIGN */
    { "\xce\xbcs", UINT64_C(1000000), 6, false },  /* U+03BC GREEK MU */
    { "ms", UINT64_C(1000000000), 9, true },
    { "s", UINT64_C(1000000000000), 12, true },
    SUFFIX_END
};
static const struct suffix rate_sfx[] = {
    { "bps", 1, 0, true },
    { "kbps", UINT64_C(1000), 3, true },
    { "Kbps", UINT64_C(1000), 3, false },
    { "Mbps", UINT64_C(1000000), 6, true },
    { "Gbps", UINT64_C(1000000000), 9, true },
    { "Tbps", UINT64_C(1000000000000), 12, true },
    SUFFIX_END
};
static const struct suffix size_sfx[] = {
    { "B", 1, 0, true },
    { "kB", UINT64_C(1000), 3, false },
    { "KB", UINT64_C(1000), 3, false },
    { "MB", UINT64_C(1000000), 6, false },
    { "GB", UINT64_C(1000000000), 9, false },
    { "TB", UINT64_C(1000000000000), 12, false },
    { "KiB", UINT64_C(1) << 10, -1, true },
    { "MiB", UINT64_C(1) << 20, -1, true },
    { "GiB", UINT64_C(1) << 30, -1, true },
    { "TiB", UINT64_C(1) << 40, -1, true },
    SUFFIX_END
};
static const struct suffix freq_sfx[] = {
    { "Hz", 1, 0, true },
    { "kHz", UINT64_C(1000), 3, true },
    { "MHz", UINT64_C(1000000), 6, true },
    { "GHz", UINT64_C(1000000000), 9, true },
    SUFFIX_END
};
static const struct suffix percent_sfx[] = {
    { "%", UINT64_C(10000), 4, true },
    SUFFIX_END
};
static const struct suffix count_sfx[] = {
    { "", 1, 0, true },
    SUFFIX_END
};

/* Everything the messages say about a kind.  'max_sfx' is the suffix in
 * which the largest value is written in an out-of-range message, and
 * 'max_note' an optional gloss on that value. */
static const struct kind_info {
    const char *name;           /* unit_kind_name() */
    const char *noun;           /* "a time is at most ..." */
    const char *base;           /* unit_base_name() */
    const char *base_words;     /* "not a whole number of ..." */
    const char *example;
    const char *expected;       /* the suffixes, aliases left out */
    const struct suffix *sfx;
    const char *max_sfx;
    const char *max_note;
} kinds[] = {
    [UNIT_TIME] = { "time", "time", "ps", "picoseconds", "5us",
                    "ps, ns, us, ms or s", time_sfx, "s",
                    " (about 106.7 days)" },
    [UNIT_RATE] = { "rate", "rate", "bit/s", "bit/s", "10Gbps",
                    "bps, kbps, Mbps, Gbps or Tbps", rate_sfx, "Tbps", "" },
    [UNIT_SIZE] = { "size", "size", "B", "bytes", "64KiB",
                    "B, kB, MB, GB, TB, KiB, MiB, GiB or TiB", size_sfx,
                    "B", " (8 EiB less one byte)" },
    [UNIT_FREQ] = { "frequency", "frequency", "Hz", "Hz", "2.5GHz",
                    "Hz, kHz, MHz or GHz", freq_sfx, "GHz", "" },
    [UNIT_PERCENT] = { "percent", "percentage", "ppm", "parts per million",
                       "80%", "%", percent_sfx, "%", "" },
    [UNIT_COUNT] = { "count", "count", "", "units", "12", "no unit",
                     count_sfx, "", "" },
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

static const struct kind_info *
kind_info(enum unit_kind kind)
{
    return (unsigned)kind < N_KINDS ? &kinds[kind] : NULL;
}

const char *
unit_kind_name(enum unit_kind kind)
{
    const struct kind_info *k = kind_info(kind);
    return k ? k->name : "?";
}

const char *
unit_base_name(enum unit_kind kind)
{
    const struct kind_info *k = kind_info(kind);
    return k ? k->base : "?";
}

int
unit_kind_from_name(const char *name, enum unit_kind *out)
{
    for (size_t i = 0; name && i < N_KINDS; i++) {
        if (!strcmp(name, kinds[i].name)) {
            *out = (enum unit_kind)i;
            return 0;
        }
    }
    return EINVAL;
}

static const struct suffix *
find_suffix(const struct suffix *table, const char *text)
{
    for (const struct suffix *s = table; s->text; s++) {
        if (!strcmp(s->text, text)) {
            return s;
        }
    }
    return NULL;
}

/* Writes 'v' (negative if 'neg') in suffix 's' into 'buf', with the
 * fraction digits that 'v' needs in that suffix, trailing zeros dropped.
 * The caller has made sure the fraction is exact in 's': always for a
 * power of ten, only with no remainder for a binary suffix. */
static size_t
format_in(uint64_t v, bool neg, const struct suffix *s, char *buf,
          size_t size)
{
    uint64_t q = v / s->scale, r = v % s->scale;
    char frac[24] = "";
    int n;

    if (r && s->decimals > 0) {
        /* '.' and the 'decimals' digits of r / scale, trailing zeros
         * dropped; r is not zero, so at least one digit stays. */
        int len = 1 + s->decimals;
        frac[0] = '.';
        for (int i = len - 1; i > 0; i--, r /= 10) {
            frac[i] = (char)('0' + r % 10);
        }
        while (frac[len - 1] == '0') {
            len--;
        }
        frac[len] = '\0';
    }
    n = snprintf(buf, size, "%s%" PRIu64 "%s%s", neg ? "-" : "", q, frac,
                 s->text);
    return n < 0 ? 0 : (size_t)n;
}

/* HOW A SUFFIX IS CHOSEN.  Among the suffixes unit_format() may write,
 * the one with the largest scale that the value reaches (at least 1 of
 * it) and in which it needs at most three fraction digits; a binary size
 * suffix must divide the value exactly.  The smallest printable suffix
 * always qualifies, whatever fraction it needs: that is what lets "%"
 * print 1 ppm as "0.0001%". */
size_t
unit_format(enum unit_kind kind, int64_t value, char *buf, size_t size)
{
    const struct kind_info *k = kind_info(kind);
    bool neg = value < 0;
    uint64_t v = neg ? -(uint64_t)value : (uint64_t)value;
    const struct suffix *best = NULL;

    if (!k) {
        k = &kinds[UNIT_COUNT];
    }
    for (const struct suffix *s = k->sfx; s->text; s++) {
        bool fits;

        if (!s->print) {
            continue;
        }
        if (!best) {
            best = s;           /* the smallest: the table lists it first */
            continue;
        }
        if (s->scale <= best->scale || v < s->scale) {
            continue;
        }
        if (s->decimals < 0) {
            fits = v % s->scale == 0;
        } else if (s->decimals > 3) {
            fits = v % (s->scale / 1000) == 0;
        } else {
            fits = true;
        }
        if (fits) {
            best = s;
        }
    }
    return format_in(v, neg, best, buf, size);
}

#if defined __GNUC__
__attribute__((format(printf, 3, 4)))
#endif
static void
set_error(char *err, size_t err_size, const char *format, ...)
{
    va_list args;

    if (!err || !err_size) {
        return;
    }
    va_start(args, format);
    vsnprintf(err, err_size, format, args);
    va_end(args);
}

/* Bytes of the user's text that a message quotes, and room for them
 * once escaped (4 bytes each, "..." and the terminator). */
#define SHOWN_MAX 96
#define SHOWN_SIZE (4 * SHOWN_MAX + 4)

/* Copies 'text' into 'shown' for quoting in a one-line message: control
 * bytes become C escapes ("\n", "\x01"), so the message stays on one
 * line, and a text longer than SHOWN_MAX bytes is cut, at a UTF-8
 * character boundary, and ends in "...". */
static const char *
show(const char *text, char shown[SHOWN_SIZE])
{
    size_t len = strlen(text), n = len, o = 0;

    if (len > SHOWN_MAX) {
        n = SHOWN_MAX;
        while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80) {
            n--;
        }
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n' || c == '\t' || c == '\r') {
            shown[o++] = '\\';
            shown[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
        } else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            shown[o++] = '\\';
            shown[o++] = 'x';
            shown[o++] = hex[c >> 4];
            shown[o++] = hex[c & 15];
        } else {
            shown[o++] = (char)c;
        }
    }
    if (n < len) {
        memcpy(shown + o, "...", 3);
        o += 3;
    }
    shown[o] = '\0';
    return shown;
}

/* The message for a number with a suffix that 'kind' does not know:
 * another kind's unit is named as such, else the closest of the kind's
 * own suffixes is suggested if one is close enough. */
static void
bad_unit_error(enum unit_kind kind, const char *unit, const char *text,
               char *err, size_t err_size)
{
    const struct kind_info *k = &kinds[kind];
    const char *names[16];
    const char *hint;
    char shown_unit[SHOWN_SIZE], shown_text[SHOWN_SIZE];
    size_t n = 0;

    show(unit, shown_unit);
    show(text, shown_text);

    for (size_t i = 0; i < N_KINDS; i++) {
        if (i != (size_t)kind && i != UNIT_COUNT
            && find_suffix(kinds[i].sfx, unit)) {
            set_error(err, err_size, "bad unit '%s' in '%s': expected %s "
                      "('%s' is a %s unit, not a %s unit)", shown_unit,
                      shown_text, k->expected, shown_unit, kinds[i].noun,
                      k->noun);
            return;
        }
    }
    for (const struct suffix *s = k->sfx; s->text && n < 16; s++) {
        names[n++] = s->text;
    }
    hint = suggest_closest(unit, names, n);
    set_error(err, err_size, "bad unit '%s' in '%s': expected %s%s%s%s",
              shown_unit, shown_text, k->expected,
              hint ? " (did you mean '" : "",
              hint ? hint : "", hint ? "'?)" : "");
}

/* The three arguments for "%s%s%s" that list the suffixes of kind 'k' in
 * parentheses after an example: " (ps, ns, us, ms or s)"; nothing for
 * percent, whose example already shows its only suffix. */
#define LIST_SUFFIXES(kind, k)                                  \
    (kind) == UNIT_PERCENT ? "" : " (",                         \
    (kind) == UNIT_PERCENT ? "" : (k)->expected,                \
    (kind) == UNIT_PERCENT ? "" : ")"

/* HOW IT WORKS.  The text is scanned once, left to right, into an integer
 * part, an optional fraction and a suffix; each way of getting the syntax
 * wrong that people actually write (a space, a sign, '.5', '5.', an
 * exponent, a missing or misspelt unit) is recognised and named.  The
 * value is then computed exactly:
 *
 *     value = whole * scale + (0.f1 f2 ... fn) * scale
 *
 * 'whole' is accumulated in 128 bits and stops growing once it exceeds
 * INT64_MAX (the result is then out of range whatever follows), so a
 * thousand digits cannot wrap it.  The fraction term is the long
 * multiplication of the digit string by 'scale', done from the last digit
 * to the first: each step emits one decimal digit of f * scale below the
 * point, which must be 0 for the result to be exact, and the carry left
 * at the end is the whole-number part.  The carry stays below 'scale'
 * (at most 2^40), so 64 bits suffice and the fraction may have any number
 * of digits. */
int
unit_parse(enum unit_kind kind, const char *text, int64_t *out, char *err,
           size_t err_size)
{
    const struct kind_info *k = kind_info(kind);
    const struct suffix *s;
    const char *p, *frac = NULL, *frac_end = NULL;
    u128 whole = 0, value;
    uint64_t carry = 0;
    bool too_big = false, exact = true;
    char shown[SHOWN_SIZE];

    if (!k) {
        set_error(err, err_size, "unknown kind of quantity %d", (int)kind);
        return EINVAL;
    }
    if (!text) {
        set_error(err, err_size, "no text: expected a %s such as '%s'",
                  k->noun, k->example);
        return EINVAL;
    }
    show(text, shown);
    for (p = text; *p; p++) {
        if (isspace((unsigned char)*p)) {
            set_error(err, err_size, "'%s' contains white space: expected "
                      "a %s with nothing around or inside it, such as '%s'",
                      shown, k->noun, k->example);
            return EINVAL;
        }
    }
    if (text[0] == '-' || text[0] == '+') {
        set_error(err, err_size, "'%s' has a sign: expected a %s without "
                  "one, such as '%s'", shown, k->noun, k->example);
        return EINVAL;
    }

    /* DIGITS */
    for (p = text; isdigit((unsigned char)*p); p++) {
        if (!too_big) {
            whole = whole * 10 + (u128)(*p - '0');
            too_big = whole > (u128)INT64_MAX;
        }
    }
    if (p == text) {
        if (kind == UNIT_COUNT) {
            set_error(err, err_size, "'%s' is not a count: expected digits "
                      "only, such as '12'", shown);
        } else if (*p == '.' && isdigit((unsigned char)p[1])) {
            set_error(err, err_size, "'%s' has no digit before the '.': "
                      "write '0%s'", shown, shown);
        } else {
            set_error(err, err_size, "'%s' is not a %s: expected a number "
                      "and a unit, such as '%s'%s%s%s", shown, k->noun,
                      k->example, LIST_SUFFIXES(kind, k));
        }
        return EINVAL;
    }
    /* [ '.' DIGITS ] */
    if (*p == '.' && kind != UNIT_COUNT) {
        frac = ++p;
        while (isdigit((unsigned char)*p)) {
            p++;
        }
        frac_end = p;
        if (frac == frac_end) {
            set_error(err, err_size, "'%s' has no digit after the '.': "
                      "expected a %s such as '%s'", shown, k->noun,
                      k->example);
            return EINVAL;
        }
    }
    /* No exponent: "1e3", "2.5E-3". */
    if ((*p == 'e' || *p == 'E')
        && (isdigit((unsigned char)p[1])
            || ((p[1] == '-' || p[1] == '+')
                && isdigit((unsigned char)p[2])))) {
        set_error(err, err_size, "'%s' has an exponent: write all the "
                  "digits, as in '%s'", shown, k->example);
        return EINVAL;
    }
    /* SUFFIX */
    s = find_suffix(k->sfx, p);
    if (!s) {
        if (kind == UNIT_COUNT) {
            set_error(err, err_size, "'%s' is not a count: expected digits "
                      "only, such as '12'", shown);
        } else if (!*p) {
            set_error(err, err_size, "'%s' has no unit: expected a %s such "
                      "as '%s'%s%s%s", shown, k->noun, k->example,
                      LIST_SUFFIXES(kind, k));
        } else {
            bad_unit_error(kind, p, text, err, err_size);
        }
        return EINVAL;
    }

    /* The fraction times the scale, from its last digit to its first. */
    for (p = frac_end; frac && p > frac; ) {
        uint64_t t = (uint64_t)(*--p - '0') * s->scale + carry;
        if (t % 10) {
            exact = false;
            break;
        }
        carry = t / 10;
    }
    if (!exact) {
        set_error(err, err_size, "'%s' is not a whole number of %s", shown,
                  k->base_words);
        return EINVAL;
    }
    value = whole * s->scale + carry;
    if (too_big || value > (u128)INT64_MAX) {
        char max[UNIT_STRLEN];
        format_in((uint64_t)INT64_MAX, false, find_suffix(k->sfx, k->max_sfx),
                  max, sizeof max);
        set_error(err, err_size, "'%s' is out of range: a %s is at most "
                  "%s%s", shown, k->noun, max, k->max_note);
        return ERANGE;
    }
    *out = (int64_t)value;
    return 0;
}
