/*
 * cmpstat.h -- the arithmetic of "vnetsim compare": when two values are
 * the same within a tolerance, which tolerance applies to a metric, and
 * whether two sets of repetitions have different means.
 *
 * TOLERANCE.  A new value n is within tolerance of a base value b when
 *
 *     |n - b| <= abs + rel * |b|
 *
 * (the rule of numpy.isclose and of OMNeT++'s scavetool-style checks, with
 * the base as the reference).  Two NaNs are the same; a NaN and a number
 * are not; equal infinities are the same.  The defaults are 0 and 0:
 * exact, which is what a deterministic simulator promises for the same
 * binary, scenario and seed.
 *
 * PER-METRIC TOLERANCES.  A rule "PATTERN=REL" gives the relative
 * tolerance of the metrics whose full name (MODULE.NAME, e.g.
 * "cpu.lp3.busy") matches the shell pattern PATTERN (fnmatch(3), so '*'
 * also matches dots).  The first matching rule, in the order given, wins;
 * metrics no rule matches use the global tolerance.  REL is a plain
 * number ("0.02") or a percentage ("2%").
 *
 * DIFFERENCE OF MEANS.  With repetitions on both sides, Welch's t-test
 * (Welch 1947) compares the means without assuming equal variances:
 *
 *     t  = (m2 - m1) / sqrt(v1/n1 + v2/n2)
 *     df = (v1/n1 + v2/n2)^2 / ((v1/n1)^2/(n1-1) + (v2/n2)^2/(n2-1))
 *
 * with sample variances v (n - 1 in the denominator); the two-sided p is
 * 2 * P(T_df > |t|), from the GSL's Student t distribution.  When both
 * variances are zero the samples are constants: p is 1 if the means are
 * equal and 0 otherwise.
 */
#ifndef VNETSIM_SIM_CMPSTAT_H
#define VNETSIM_SIM_CMPSTAT_H 1

#include <stdbool.h>
#include <stddef.h>

/* Is 'n' within 'abs_tol' + 'rel_tol' * |'b'| of 'b' (NaN rules above)? */
bool cmp_within(double b, double n, double abs_tol, double rel_tol);

/* Parses a relative tolerance: "0.02", "2%" (>= 0, finite).  Returns 0 and
 * stores it, or EINVAL. */
int cmp_parse_tol(const char *text, double *out);

/* Per-metric tolerances: an ordered list of PATTERN=REL rules. */
struct cmp_rule {
    char *pattern;
    double rel;
};

struct cmp_rules {
    struct cmp_rule *v;
    size_t n;
};

/* Adds "PATTERN=REL" to 'r'.  Returns 0, EINVAL (no '=', empty pattern,
 * bad REL) or ENOMEM. */
int cmp_rules_add(struct cmp_rules *r, const char *spec);

/* The relative tolerance of metric 'name': the first matching rule's, or
 * 'dflt'. */
double cmp_rules_rel(const struct cmp_rules *r, const char *name, double dflt);

void cmp_rules_free(struct cmp_rules *r);

/* Mean and sample variance of 'n' values (variance 0 when n < 2). */
void cmp_mean_var(const double *x, size_t n, double *mean, double *var);

/* Welch's two-sided test of samples 1 and 2 given as counts, means and
 * sample variances (n1, n2 >= 2).  Stores t, the degrees of freedom and
 * the two-sided p-value. */
void cmp_welch(size_t n1, double m1, double v1, size_t n2, double m2,
               double v2, double *t, double *df, double *p);

#endif /* VNETSIM_SIM_CMPSTAT_H */
