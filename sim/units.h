/*
 * units.h -- exact parsing and printing of quantities written with units,
 * for the Lua scenario API and the command line: "10Gbps", "1500B",
 * "64KiB", "5us", "2.5GHz", "80%".  The Lua binding (sim/lsim.c,
 * sim/lsim-api.c) and the option parser (sim/run.c) call it; it calls only
 * sim/suggest.h, for the "did you mean" part of its error messages.
 *
 * EXACTNESS.  A quantity becomes a non-negative int64_t in its kind's base
 * unit (picoseconds, bit/s, bytes, Hz, parts per million) by integer
 * arithmetic only, never floating point, so a scenario means the same
 * thing on every machine.  DIGITS[.DIGITS]SUFFIX is multiplied by the
 * suffix's scale and must land on a whole number of the base unit: "2.5ns"
 * is 2500 ps, "0.5ps" is an error (not 0, not 1).  Any number of fraction
 * digits is accepted as long as the result is exact ("1.500000000000s",
 * or 2^-40 TiB written out in its 40 decimals, which is 1 byte).
 *
 * GRAMMAR.  One or more digits, optionally '.' and one or more digits,
 * then the suffix, and nothing else: no sign, no exponent, no spaces
 * anywhere.  Suffixes are case-sensitive; a wrong one is an error that
 * suggests the right spelling ("5MS": did you mean 'ms'?).
 *
 *     kind        base    suffixes                          scale
 *     time        ps      ps ns us ms s                     powers of 10
 *                         (µs, either U+00B5 or U+03BC, is us)
 *     rate        bit/s   bps kbps Mbps Gbps Tbps (Kbps)    powers of 10
 *     size        B       B kB MB GB TB (KB)                powers of 10
 *                         KiB MiB GiB TiB                   powers of 2
 *     frequency   Hz      Hz kHz MHz GHz                    powers of 10
 *     percent     ppm     %  (1% = 10000 ppm; above 100% is accepted,
 *                         range checks belong to the caller)
 *     count       (none)  no suffix: digits only
 *
 * The largest value of every kind is INT64_MAX base units (for time, about
 * 106.7 days); one more is ERANGE, never a wrapped or saturated value.
 *
 * PRINTING.  unit_format() writes a short text that unit_parse() reads back
 * to exactly the same value:
 *   - time, rate and frequency: the largest suffix in which the value is at
 *     least 1 and has at most three fraction digits, trailing zeros
 *     dropped (2500000000 Hz -> "2.5GHz", 5000000 ps -> "5us", 1234567 ps
 *     -> "1234.567ns", 7 ps -> "7ps");
 *   - size: the largest binary suffix that divides the value exactly,
 *     else plain bytes (65536 -> "64KiB", 1536 -> "1536B", 1500 ->
 *     "1500B"); decimal size suffixes are read but never written;
 *   - percent: "%" with as many fraction digits as needed, at most four
 *     (800000 -> "80%", 1 -> "0.0001%");
 *   - count: the digits.
 * Zero is written in the smallest suffix ("0ps", "0B", "0bps", "0Hz",
 * "0%", "0").
 *
 * ERRORS.  unit_parse() returns 0 or a positive errno and then writes one
 * line (no newline, no "file:line: ", which the caller adds) that quotes
 * the text and says what was expected, for instance
 *     bad unit 'gbps' in '10gbps': expected bps, kbps, Mbps, Gbps or Tbps
 *         (did you mean 'Gbps'?)
 * doc/units.md lists every message.  The module has no state; every
 * function is reentrant.
 */
#ifndef VNETSIM_SIM_UNITS_H
#define VNETSIM_SIM_UNITS_H 1

#include <stddef.h>
#include <stdint.h>

enum unit_kind {
    UNIT_TIME,              /* picoseconds */
    UNIT_RATE,              /* bit/s */
    UNIT_SIZE,              /* bytes */
    UNIT_FREQ,              /* Hz */
    UNIT_PERCENT,           /* parts per million: 1% = 10000 ppm */
    UNIT_COUNT,             /* a plain non-negative integer, no suffix */
};

/* A buffer of UNIT_STRLEN bytes always holds unit_format()'s text, for any
 * kind and any int64_t value. */
#define UNIT_STRLEN 32

/* Parses 'text' as a quantity of 'kind' into '*out', in the kind's base
 * unit.  Returns 0 on success; EINVAL for a syntax error, a missing,
 * unknown or wrongly cased suffix, or a value that is not a whole number
 * of the base unit; ERANGE for a value above INT64_MAX.  On failure
 * '*out' is untouched and 'err' receives a one-line message, truncated to
 * 'err_size' bytes and always terminated; 'err' may be NULL if 'err_size'
 * is 0.  On success 'err' is not written. */
int unit_parse(enum unit_kind kind, const char *text, int64_t *out,
               char *err, size_t err_size);

/* Writes the text for 'value' of 'kind' (rules above) into 'buf' of 'size'
 * bytes, truncating and terminating like snprintf, and returns the length
 * of the whole text (so a result >= 'size' means it was truncated).  'buf'
 * may be NULL if 'size' is 0.  A negative 'value' is written with a
 * leading '-', which unit_parse() refuses: quantities are never negative,
 * and a wrong value should show rather than be clamped. */
size_t unit_format(enum unit_kind kind, int64_t value, char *buf,
                   size_t size);

/* The name of 'kind': "time", "rate", "size", "frequency", "percent" or
 * "count" ("?" for a value outside the enum). */
const char *unit_kind_name(enum unit_kind kind);

/* Sets '*out' to the kind called 'name' (as unit_kind_name() spells it,
 * case-sensitive) and returns 0, or returns EINVAL with '*out' untouched. */
int unit_kind_from_name(const char *name, enum unit_kind *out);

/* The base unit of 'kind': "ps", "bit/s", "B", "Hz", "ppm" or "" for a
 * count ("?" for a value outside the enum). */
const char *unit_base_name(enum unit_kind kind);

#endif /* VNETSIM_SIM_UNITS_H */
