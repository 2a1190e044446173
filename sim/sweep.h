/*
 * sweep.h -- parameter studies: run numbers, iteration variables, seeds
 * and run filters, following OMNeT++'s conventions.  "vnetsim params",
 * "vnetsim run -r N" and "vnetsim sweep" (sim/run.c, sim/lsim-api.c) all
 * number runs, seed them and select them through this module, so the
 * three always agree.  doc/sweeps.md explains the same rules for users.
 *
 * RUN NUMBERS.  A sweep is an ordered list of iteration variables, each a
 * name and n >= 1 values kept as text ("legacy", "50%"), and a repetition
 * count r >= 1.  It has product(n_i) * r runs (just r without variables),
 * numbered 0 .. runs-1 as nested loops: the FIRST variable is the
 * outermost loop and the repetition the innermost.  In mixed radix, the
 * run number is
 *     run = ((i_0 * n_1 + i_1) * n_2 + ... + i_last) * r + repetition
 * where i_k is the index of variable k's value.  With a = {x, y},
 * b = {1, 2, 3} and r = 2: run 0 is (x, 1, rep 0), run 1 is (x, 1, rep 1),
 * run 2 is (x, 2, rep 0), run 6 is (y, 1, rep 0) and run 11 is
 * (y, 3, rep 1).  A sweep of more than SWEEP_MAX_RUNS runs is refused
 * (ERANGE); the product is computed so that it can never overflow, so a
 * variable with SIZE_MAX values is refused too, not wrapped.
 *
 * SEEDS.  The seed of a run is base + run number (seed set "run", the
 * default: every run is independent), or base + repetition (seed set
 * "repetition", OMNeT++'s seed-set = ${repetition}: every point of the
 * study sees the same random numbers, the common-random-numbers
 * technique that makes differences between points less noisy).  The
 * addition wraps modulo 2^64.
 *
 * FILTERS.  The -r option of "vnetsim sweep" selects runs.  A filter is
 * EITHER a run-number list (recognised by its first non-blank character
 * being a digit) OR an expression:
 *     list   := range (',' range)*        range := NUMBER ('..' NUMBER)?
 *     expr   := term ('or' term)*
 *     term   := factor ('and' factor)*
 *     factor := 'not' factor | '(' expr ')' | cond
 *     cond   := NAME OP VALUE             OP := = | == | != | < | <= | > | >=
 * Ranges are inclusive ("7..9" is 7, 8 and 9) and may not run backwards;
 * blanks are allowed between all tokens.  'not' binds tighter than 'and',
 * which binds tighter than 'or'; the keywords are case-insensitive.
 * NAME is an iteration variable, 'run' (the run number) or 'repetition',
 * optionally written with a leading '$' as in OMNeT++ ($load); 'run' and
 * 'repetition' take precedence over a variable of the same name (the
 * scenario layer reserves both).  VALUE is a bare word -- any characters
 * but blanks, parentheses, '"' and the operator characters = ! < > -- or
 * a double-quoted string, which may contain anything but '"'.  A bare
 * 'and', 'or' or 'not' is a keyword, never a value: quote it.
 *   = and == are the same test, and it and != compare TEXT: VALUE is a
 *     glob pattern (fnmatch(3) without flags: * any string, ? any one
 *     character, [...] a set, a backslash quotes the next character)
 *     matched against the whole value text.  "run" and "repetition" are
 *     compared as their decimal text.
 *   < <= > >= compare NUMBERS.  Both sides must be a decimal number
 *     ([+-] digits [. digits], or [+-] . digits; no exponent) followed by
 *     a suffix (the rest of the text, leading blanks skipped, possibly
 *     empty).  The numbers are compared exactly, as decimals (never
 *     rounded through binary floating point), and only when the two
 *     suffixes are byte-for-byte equal; otherwise the condition is false.
 *     So with values "10%" and "90%", load>50% selects "90%", while
 *     load>0.5 and load>50 select nothing.  A VALUE that is not a number
 *     is refused when the filter is parsed.
 * Examples:
 *     3                      0..5                 0, 2, 7..9
 *     nic=legacy and load>=50%          not (repetition=0 or run>10)
 *     $vm=host* or vm="a b"             nic!=s* and (load<20% or load>80%)
 *
 * ERRORS.  sweep_filter_parse() refuses, with EINVAL and one line that
 * quotes the filter and names the offending token and its 1-based column:
 * an empty filter, a dangling operator ("nic=legacy and"), unbalanced
 * parentheses, a backwards range ("5..2"), a run number past 2^64-1, a
 * non-number after an ordering operator, nesting deeper than
 * SWEEP_FILTER_MAX_DEPTH, and anything else that does not fit the
 * grammar.  sweep_filter_check() then refuses, against a given sweep, an
 * unknown variable (suggesting the closest name, sim/suggest.h) and a run
 * number that is not a run of the sweep.  Example messages:
 *     run filter 'nic=legacy and': expected a condition after 'and'
 *         (column 15)
 *     unknown iteration variable 'lod' in run filter (did you mean
 *         'load'?)
 *
 * OWNERSHIP.  struct sweep and its variables and values are owned by the
 * caller; this module only reads them and never keeps a pointer to them
 * past a call.  A struct sweep_filter is owned by whoever parsed it and
 * freed with sweep_filter_free(); it copies everything it needs from the
 * filter text.  Nothing here keeps global state, so every function may be
 * called from several threads on different (or read-only shared) objects.
 *
 * DETERMINISM.  Everything here is integer arithmetic, exact decimal
 * comparison and byte-wise text matching (fnmatch runs in the "C" locale
 * the program never leaves), so the same sweep and filter always give the
 * same runs, in the same order, with the same seeds, on every platform.
 *
 * PRECONDITIONS.  Apart from sweep_count() and the two filter functions
 * that return errors, every function taking a 'const struct sweep *'
 * requires a valid sweep (sweep_count() returns 0) and a run number below
 * its run count, and asserts both (SIM_ASSERT, on in every build).
 */
#ifndef VNETSIM_SIM_SWEEP_H
#define VNETSIM_SIM_SWEEP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest number of runs a sweep may have. */
#define SWEEP_MAX_RUNS 1000000

/* The deepest nesting of parentheses and 'not' a filter may use. */
#define SWEEP_FILTER_MAX_DEPTH 64

/* An iteration variable: 'name' and its 'n_values' values, as text. */
struct sweep_var {
    const char *name;
    const char *const *values;
    size_t n_values;
};

/* A parameter study: 'n_vars' variables, first = outermost loop, each
 * point repeated 'repetitions' times.  Caller-owned; never freed here. */
struct sweep {
    const struct sweep_var *vars;
    size_t n_vars;
    uint32_t repetitions;
};

/* Stores the number of runs of 's' in '*runs' and returns 0; or returns
 * EINVAL (a variable without values, or 0 repetitions; checked first) or
 * ERANGE (more than SWEEP_MAX_RUNS runs), leaving '*runs' unchanged. */
int sweep_count(const struct sweep *s, uint64_t *runs);

/* Splits 'run' into the index of each variable's value (stored in
 * 'value_index', which has s->n_vars entries) and the repetition. */
void sweep_decode(const struct sweep *s, uint64_t run, size_t *value_index,
                  uint32_t *repetition);

/* The run number of the point 'value_index' (s->n_vars entries, each
 * below its variable's n_values) and 'repetition' (< s->repetitions):
 * the inverse of sweep_decode(). */
uint64_t sweep_encode(const struct sweep *s, const size_t *value_index,
                      uint32_t repetition);

/* The index of variable 'var's value in run 'run', without decoding the
 * others (so callers need no array): value_index[var] of sweep_decode(). */
size_t sweep_value_index(const struct sweep *s, uint64_t run, size_t var);

/* The repetition of run 'run' (repetitions are the innermost loop). */
uint32_t sweep_repetition(const struct sweep *s, uint64_t run);

/* The seed of run 'run', whose repetition is 'repetition': base_seed +
 * repetition if 'per_repetition' (seed set "repetition"), else base_seed
 * + run (seed set "run"), modulo 2^64. */
uint64_t sweep_seed(uint64_t base_seed, bool per_repetition, uint64_t run,
                    uint32_t repetition);

/* Writes "nic=legacy, load=50%, repetition=1" for run 'run' into 'buf'
 * like snprintf: at most 'size' bytes including the NUL ('buf' may be
 * NULL when 'size' is 0), returning the length of the whole text, so a
 * return value >= 'size' means it was truncated.  With no variables the
 * text is just "repetition=N". */
size_t sweep_describe(const struct sweep *s, uint64_t run, char *buf,
                      size_t size);

/* A parsed run filter (see FILTERS above). */
struct sweep_filter;

/* Parses 'text' into a new filter stored in '*out' and returns 0.  On
 * error stores NULL in '*out', writes a one-line message into 'err'
 * (at most 'err_size' bytes; 'err' may be NULL if 'err_size' is 0) and
 * returns EINVAL, or ENOMEM. */
int sweep_filter_parse(const char *text, struct sweep_filter **out,
                       char *err, size_t err_size);

/* Checks 'f' against the sweep 's': returns 0, or EINVAL with a message
 * in 'err' if 'f' names a variable that 's' does not have (suggesting the
 * closest name) or a run number that is not a run of 's'.  If 's' itself
 * is invalid, returns sweep_count()'s error with a message.  Changes
 * nothing. */
int sweep_filter_check(const struct sweep_filter *f, const struct sweep *s,
                       char *err, size_t err_size);

/* Whether 'f' selects run 'run' of 's'.  'f' should have passed
 * sweep_filter_check() against 's'; a condition on a variable 's' does
 * not have is false. */
bool sweep_filter_match(const struct sweep_filter *f, const struct sweep *s,
                        uint64_t run);

/* Frees 'f'.  NULL is allowed. */
void sweep_filter_free(struct sweep_filter *f);

#endif /* VNETSIM_SIM_SWEEP_H */
