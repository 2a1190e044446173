/*
 * units.h -- exact parsing and printing of quantities with units, for the
 * scenario language and the command line: "10Gbps", "1500B", "64KiB",
 * "5us", "2.5GHz", "80%".
 *
 * EXACTNESS.  A quantity is parsed into a non-negative int64 in its kind's
 * base unit (picoseconds, bit/s, bytes, Hz, parts per million) with
 * integer arithmetic only: DIGITS[.DIGITS]SUFFIX is scaled by the
 * suffix's power of ten or two and must land on a whole number of the
 * base unit ("2.5ns" is 2500 ps; "0.5ps" is an error, not 0 or 1).  No
 * floating point is involved, so a value means the same on every machine.
 *
 * GRAMMAR.  Digits, an optional '.' followed by digits, then the suffix,
 * with nothing else: no sign, no exponent, no spaces.  Suffixes are
 * case-sensitive; a wrong one is an error that suggests the right one
 * ("5MS" -> did you mean 'ms'?).
 *
 *     kind        base    suffixes
 *     time        ps      ps ns us (µs) ms s
 *     rate        bit/s   bps kbps (Kbps) Mbps Gbps Tbps     powers of 10
 *     size        B       B kB (KB) MB GB TB                  powers of 10
 *                         KiB MiB GiB TiB                     powers of 2
 *     frequency   Hz      Hz kHz MHz GHz
 *     percent     ppm     %            (1% = 10000 ppm)
 *     count       1       none: digits only
 *
 * PRINTING.  unit_format() writes the shortest text that parses back to
 * the same value: the largest suffix whose quotient is exact with at most
 * three fraction digits (2500000000 Hz -> "2.5GHz", 5000000 ps -> "5us").
 * Sizes use binary suffixes for multiples of 1024 ("64KiB"), else bytes
 * ("1500B").
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
    UNIT_PERCENT,           /* parts per million: 1% = 10000 */
    UNIT_COUNT,             /* a plain non-negative integer */
};

/* Parses 'text' as a quantity of 'kind' into '*out' (base unit).  Returns
 * 0, EINVAL (syntax, missing or unknown suffix, not a whole number of the
 * base unit) or ERANGE (more than INT64_MAX); on failure '*out' is
 * untouched and 'err' (size 'err_size') gets one line naming the text and
 * what was expected. */
int unit_parse(enum unit_kind kind, const char *text, int64_t *out,
               char *err, size_t err_size);

/* Writes the shortest exact text for 'value' (>= 0) of 'kind' into 'buf'
 * and returns its length, like snprintf. */
size_t unit_format(enum unit_kind kind, int64_t value, char *buf,
                   size_t size);

/* "time", "rate", "size", "frequency", "percent", "count"; and back
 * (EINVAL for an unknown name). */
const char *unit_kind_name(enum unit_kind kind);
int unit_kind_from_name(const char *name, enum unit_kind *out);

/* "ps", "bit/s", "B", "Hz", "ppm", "". */
const char *unit_base_name(enum unit_kind kind);

#endif /* VNETSIM_SIM_UNITS_H */
