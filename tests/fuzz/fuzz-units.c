/*
 * fuzz-units.c -- a libFuzzer target over the unit parser and printer
 * (sim/units.h), which reads every quantity of the command line and of
 * the Lua scenario API.
 *
 * INPUT: byte 0 picks the kind (mod 6); the rest, cut at the first NUL,
 * is the text.  The first eight bytes of the text also make a value for
 * the printer.
 *
 * INVARIANTS (abort on violation):
 *   - a failed parse leaves the output alone and writes a terminated
 *     message of one line (no newline) that fits its buffer;
 *   - a successful parse gives a value >= 0, and the text unit_format()
 *     writes for it fits UNIT_STRLEN and parses back to the same value;
 *   - any int64_t value >= 0 prints to a text that parses back to itself,
 *     and a negative one prints with a '-' that the parser refuses;
 *   - a truncated print writes a terminated prefix of the full text.
 *
 * Built by 'make fuzz' / 'make fuzz-smoke' with libFuzzer; also linked
 * into tests/fuzz/run-corpus-units, which replays the seed corpus under
 * 'make check'.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_KINDS 6
#define UNTOUCHED INT64_C(-777)

/* Aborts unless 'v' of 'kind' prints to a text that fits UNIT_STRLEN,
 * parses back to 'v' and truncates cleanly. */
static void
check_round_trip(enum unit_kind kind, int64_t v)
{
    char buf[UNIT_STRLEN], small[5], err[128];
    size_t n = unit_format(kind, v, buf, sizeof buf);
    int64_t back = UNTOUCHED;

    if (n >= sizeof buf || strlen(buf) != n) {
        abort();
    }
    if (unit_parse(kind, buf, &back, err, sizeof err) || back != v) {
        abort();
    }
    if (unit_format(kind, v, small, sizeof small) != n
        || strlen(small) != (n < sizeof small ? n : sizeof small - 1)
        || strncmp(small, buf, strlen(small))) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum unit_kind kind;
    char *text, err[160];
    int64_t v = UNTOUCHED, raw = 0;
    int e;

    if (size < 1) {
        return 0;
    }
    kind = (enum unit_kind)(data[0] % N_KINDS);
    text = malloc(size);
    if (!text) {
        return 0;
    }
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    memset(err, 'x', sizeof err);
    e = unit_parse(kind, text, &v, err, sizeof err);
    if (e) {
        if ((e != EINVAL && e != ERANGE) || v != UNTOUCHED
            || !memchr(err, '\0', sizeof err) || strchr(err, '\n')
            || !err[0]) {
            abort();
        }
    } else {
        if (v < 0) {
            abort();
        }
        check_round_trip(kind, v);
    }
    /* A NULL message buffer is allowed with size 0. */
    (void) unit_parse(kind, text, &v, NULL, 0);

    /* The printer on a value made of the input's bytes. */
    memcpy(&raw, data + 1, size - 1 < sizeof raw ? size - 1 : sizeof raw);
    if (raw >= 0) {
        check_round_trip(kind, raw);
    } else {
        char buf[UNIT_STRLEN];
        int64_t back = UNTOUCHED;

        if (unit_format(kind, raw, buf, sizeof buf) >= sizeof buf
            || buf[0] != '-'
            || unit_parse(kind, buf, &back, NULL, 0) != EINVAL
            || back != UNTOUCHED) {
            abort();
        }
    }
    free(text);
    return 0;
}
