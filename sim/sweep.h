/*
 * sweep.h -- parameter studies: run numbers, iteration variables, seeds
 * and run filters, following OMNeT++'s conventions.
 *
 * RUN NUMBERS.  A sweep is an ordered list of iteration variables (each a
 * name and n >= 1 values, as text) and a repetition count r >= 1.  It has
 * product(n_i) * r runs, numbered 0 .. runs-1 as nested loops: the FIRST
 * variable is the outermost loop and the repetition the innermost.  So
 * with a = {x, y}, b = {1, 2, 3} and r = 2, run 0 is (x, 1, rep 0), run 1
 * is (x, 1, rep 1), run 2 is (x, 2, rep 0) and run 11 is (y, 3, rep 1).
 * More than SWEEP_MAX_RUNS runs is refused.
 *
 * SEEDS.  The seed of a run is base + run number (seed set "run", the
 * default), or base + repetition (seed set "repetition": every point of
 * the study sees the same random numbers -- common random numbers, as
 * OMNeT++'s seed-set = ${repetition}).  uint64 arithmetic wraps.
 *
 * FILTERS (the -r option of "vnetsim sweep").  Either a list of run
 * numbers and inclusive ranges -- "3", "0..5", "0,2,7..9" -- or an
 * expression over the iteration variables:
 *     expr   := term ('or' term)*
 *     term   := factor ('and' factor)*
 *     factor := 'not' factor | '(' expr ')' | NAME OP VALUE
 *     OP     := = == != < <= > >=
 * NAME is a variable, or 'run' (the run number) or 'repetition'; a
 * leading '$' is allowed ($load, as in OMNeT++).  VALUE is a bare word
 * (no spaces or parentheses) or a "double-quoted string".  '=' and '=='
 * (and '!=') compare the value's text, with the glob wildcards * and ?
 * (fnmatch).  The ordering operators compare numbers: both sides must be
 * a decimal number followed by the same suffix ("load>50%" with values
 * "10%", "90%"); otherwise the condition is false.  Keywords are
 * case-insensitive.  Examples:
 *     nic=legacy and load>=50%
 *     not (repetition=0 or run>10)
 *     $vm=host* or vm="a b"
 */
#ifndef VNETSIM_SIM_SWEEP_H
#define VNETSIM_SIM_SWEEP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWEEP_MAX_RUNS 1000000

struct sweep_var {
    const char *name;
    const char *const *values;
    size_t n_values;
};

/* Caller-owned; the module never frees it. */
struct sweep {
    const struct sweep_var *vars;
    size_t n_vars;
    uint32_t repetitions;
};

/* Stores the number of runs.  Returns 0, EINVAL (a variable without
 * values, or no repetitions) or ERANGE (more than SWEEP_MAX_RUNS). */
int sweep_count(const struct sweep *s, uint64_t *runs);

/* Run 'run' -> the index of each variable's value ('value_index' has
 * n_vars entries) and the repetition; and back. */
void sweep_decode(const struct sweep *s, uint64_t run, size_t *value_index,
                  uint32_t *repetition);
uint64_t sweep_encode(const struct sweep *s, const size_t *value_index,
                      uint32_t repetition);

/* The seed of a run (see above). */
uint64_t sweep_seed(uint64_t base_seed, bool per_repetition, uint64_t run,
                    uint32_t repetition);

/* "nic=legacy, load=50%, repetition=1", like snprintf. */
size_t sweep_describe(const struct sweep *s, uint64_t run, char *buf,
                      size_t size);

/* Run filters (see above).  sweep_filter_parse() returns 0, EINVAL with a
 * one-line message naming the offending token and its column, or ENOMEM.
 * sweep_filter_check() refuses names that are not variables of 's' (with
 * a suggestion) and run numbers past its last run. */
struct sweep_filter;
int sweep_filter_parse(const char *text, struct sweep_filter **out,
                       char *err, size_t err_size);
int sweep_filter_check(const struct sweep_filter *f, const struct sweep *s,
                       char *err, size_t err_size);
bool sweep_filter_match(const struct sweep_filter *f, const struct sweep *s,
                        uint64_t run);
void sweep_filter_free(struct sweep_filter *f);

#endif /* VNETSIM_SIM_SWEEP_H */
