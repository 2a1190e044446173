/*
 * cmpstat.c -- tolerances and Welch's t-test for "vnetsim compare"
 * (cmpstat.h).
 */
#include <config.h>
#include "sim/cmpstat.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

bool
cmp_within(double b, double n, double abs_tol, double rel_tol)
{
    if (isnan(b) || isnan(n)) {
        return isnan(b) && isnan(n);
    }
    if (b == n) {
        return true;                /* equal infinities included */
    }
    if (isinf(b) || isinf(n)) {
        return false;
    }
    return fabs(n - b) <= abs_tol + rel_tol * fabs(b);
}

int
cmp_parse_tol(const char *text, double *out)
{
    char *end;
    double v;

    if (!text || !*text) {
        return EINVAL;
    }
    errno = 0;
    v = strtod(text, &end);
    if (end == text || errno) {
        return EINVAL;
    }
    if (*end == '%') {
        v /= 100;
        end++;
    }
    if (*end || !isfinite(v) || v < 0) {
        return EINVAL;
    }
    *out = v;
    return 0;
}

int
cmp_rules_add(struct cmp_rules *r, const char *spec)
{
    const char *eq = spec ? strrchr(spec, '=') : NULL;
    struct cmp_rule *v;
    double rel;
    char *pat;

    if (!eq || eq == spec || cmp_parse_tol(eq + 1, &rel)) {
        return EINVAL;
    }
    pat = malloc((size_t)(eq - spec) + 1);
    v = realloc(r->v, (r->n + 1) * sizeof *v);
    if (!pat || !v) {
        free(pat);
        if (v) {
            r->v = v;
        }
        return ENOMEM;
    }
    memcpy(pat, spec, (size_t)(eq - spec));
    pat[eq - spec] = '\0';
    r->v = v;
    r->v[r->n].pattern = pat;
    r->v[r->n].rel = rel;
    r->n++;
    return 0;
}

double
cmp_rules_rel(const struct cmp_rules *r, const char *name, double dflt)
{
    for (size_t i = 0; i < r->n; i++) {
        if (fnmatch(r->v[i].pattern, name, 0) == 0) {
            return r->v[i].rel;
        }
    }
    return dflt;
}

void
cmp_rules_free(struct cmp_rules *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].pattern);
    }
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

void
cmp_mean_var(const double *x, size_t n, double *mean, double *var)
{
    double m = 0, s = 0;

    /* Welford's update: one pass, no cancellation for large means. */
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - m;
        m += d / (double)(i + 1);
        s += d * (x[i] - m);
    }
    *mean = m;
    *var = n > 1 ? s / (double)(n - 1) : 0;
}

void
cmp_welch(size_t n1, double m1, double v1, size_t n2, double m2, double v2,
          double *t, double *df, double *p)
{
    double a = v1 / (double)n1, b = v2 / (double)n2, se2 = a + b;

    if (se2 == 0) {
        *t = m1 == m2 ? 0 : (m2 > m1 ? INFINITY : -INFINITY);
        *df = (double)(n1 + n2 - 2);
        *p = m1 == m2 ? 1 : 0;
        return;
    }
    *t = (m2 - m1) / sqrt(se2);
    *df = se2 * se2 / (a * a / (double)(n1 - 1) + b * b / (double)(n2 - 1));
    *p = 2 * gsl_cdf_tdist_Q(fabs(*t), *df);
    if (*p > 1) {
        *p = 1;
    }
}
