/*
 * sweep.c -- run numbering, seeds and run filters (sweep.h).  A filter is
 * parsed once into a small tree (or a list of ranges) by a recursive
 * descent parser, then matched against each run.
 */
#include <config.h>
#include "sim/sweep.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/suggest.h"

/* --- Run numbers ----------------------------------------------------------- */

int
sweep_count(const struct sweep *s, uint64_t *runs)
{
    uint64_t n = s->repetitions;

    if (!s->repetitions) {
        return EINVAL;
    }
    for (size_t i = 0; i < s->n_vars; i++) {
        if (!s->vars[i].n_values) {
            return EINVAL;
        }
        if (s->vars[i].n_values > SWEEP_MAX_RUNS / n) {
            return ERANGE;
        }
        n *= s->vars[i].n_values;
    }
    if (n > SWEEP_MAX_RUNS) {
        return ERANGE;
    }
    *runs = n;
    return 0;
}

void
sweep_decode(const struct sweep *s, uint64_t run, size_t *value_index,
             uint32_t *repetition)
{
    *repetition = (uint32_t)(run % s->repetitions);
    run /= s->repetitions;
    for (size_t i = s->n_vars; i-- > 0;) {
        value_index[i] = (size_t)(run % s->vars[i].n_values);
        run /= s->vars[i].n_values;
    }
}

uint64_t
sweep_encode(const struct sweep *s, const size_t *value_index,
             uint32_t repetition)
{
    uint64_t run = 0;

    for (size_t i = 0; i < s->n_vars; i++) {
        run = run * s->vars[i].n_values + value_index[i];
    }
    return run * s->repetitions + repetition;
}

uint64_t
sweep_seed(uint64_t base_seed, bool per_repetition, uint64_t run,
           uint32_t repetition)
{
    return base_seed + (per_repetition ? repetition : run);
}

size_t
sweep_describe(const struct sweep *s, uint64_t run, char *buf, size_t size)
{
    size_t idx[64], len = 0;
    uint32_t rep;

    if (s->n_vars > 64) {
        return (size_t)snprintf(buf, size, "run %" PRIu64, run);
    }
    sweep_decode(s, run, idx, &rep);
    for (size_t i = 0; i < s->n_vars; i++) {
        int n = snprintf(buf + (len < size ? len : size),
                         len < size ? size - len : 0, "%s=%s, ",
                         s->vars[i].name, s->vars[i].values[idx[i]]);
        len += (size_t)n;
    }
    len += (size_t)snprintf(buf + (len < size ? len : size),
                            len < size ? size - len : 0, "repetition=%" PRIu32,
                            rep);
    return len;
}

/* --- Filters: the tree ------------------------------------------------------ */

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum kind { K_OR, K_AND, K_NOT, K_COND };

struct node {
    enum kind kind;
    struct node *a, *b;         /* operands (b unused for NOT) */
    char *name;                 /* COND: without '$' */
    enum op op;
    char *value;
    size_t column;              /* of the name, for messages */
};

struct range {
    uint64_t lo, hi;
};

struct sweep_filter {
    struct node *root;          /* an expression, or */
    struct range *ranges;       /* a run-number list */
    size_t n_ranges;
};

static void
node_free(struct node *n)
{
    if (n) {
        node_free(n->a);
        node_free(n->b);
        free(n->name);
        free(n->value);
        free(n);
    }
}

void
sweep_filter_free(struct sweep_filter *f)
{
    if (f) {
        node_free(f->root);
        free(f->ranges);
        free(f);
    }
}

/* --- Filters: parsing --------------------------------------------------------- */

enum tok { T_END, T_LPAREN, T_RPAREN, T_OP, T_WORD, T_STRING, T_AND, T_OR,
           T_NOT, T_ERROR };

struct parser {
    const char *text, *p;
    enum tok tok;
    char *word;                 /* T_WORD, T_STRING */
    enum op op;                 /* T_OP */
    size_t column;              /* of the current token, 1-based */
    char *err;
    size_t err_size;
    int error;
};

static int
fail(struct parser *ps, const char *msg)
{
    if (!ps->error) {
        snprintf(ps->err, ps->err_size, "run filter '%s': %s (column %zu)",
                 ps->text, msg, ps->column);
        ps->error = EINVAL;
    }
    return ps->error;
}

static bool
word_char(char c)
{
    return c && !isspace((unsigned char)c) && !strchr("()=!<>\"", c);
}

static void
next(struct parser *ps)
{
    const char *p = ps->p;

    free(ps->word);
    ps->word = NULL;
    while (isspace((unsigned char)*p)) {
        p++;
    }
    ps->column = (size_t)(p - ps->text) + 1;
    if (!*p) {
        ps->tok = T_END;
    } else if (*p == '(' || *p == ')') {
        ps->tok = *p++ == '(' ? T_LPAREN : T_RPAREN;
    } else if (strchr("=!<>", *p)) {
        ps->tok = T_OP;
        if (p[0] == '=' ) {
            ps->op = OP_EQ;
            p += p[1] == '=' ? 2 : 1;
        } else if (p[0] == '!' && p[1] == '=') {
            ps->op = OP_NE;
            p += 2;
        } else if (p[0] == '<') {
            ps->op = p[1] == '=' ? OP_LE : OP_LT;
            p += p[1] == '=' ? 2 : 1;
        } else if (p[0] == '>') {
            ps->op = p[1] == '=' ? OP_GE : OP_GT;
            p += p[1] == '=' ? 2 : 1;
        } else {
            ps->tok = T_ERROR;
            p++;
        }
    } else if (*p == '"') {
        const char *end = strchr(p + 1, '"');
        if (!end) {
            ps->tok = T_ERROR;
            p += strlen(p);
        } else {
            ps->tok = T_STRING;
            ps->word = strndup(p + 1, (size_t)(end - p - 1));
            p = end + 1;
        }
    } else {
        const char *start = p;
        while (word_char(*p)) {
            p++;
        }
        ps->word = strndup(start, (size_t)(p - start));
        ps->tok = !strcasecmp(ps->word, "and") ? T_AND
                : !strcasecmp(ps->word, "or") ? T_OR
                : !strcasecmp(ps->word, "not") ? T_NOT : T_WORD;
    }
    if ((ps->tok == T_WORD || ps->tok == T_STRING) && !ps->word) {
        ps->tok = T_ERROR;
        ps->error = ENOMEM;
    }
    ps->p = p;
}

static struct node *parse_expr(struct parser *ps);

static struct node *
new_node(struct parser *ps, enum kind kind, struct node *a, struct node *b)
{
    struct node *n = calloc(1, sizeof *n);

    if (!n) {
        ps->error = ps->error ? ps->error : ENOMEM;
        node_free(a);
        node_free(b);
        return NULL;
    }
    n->kind = kind;
    n->a = a;
    n->b = b;
    return n;
}

static struct node *
parse_factor(struct parser *ps)
{
    if (ps->tok == T_NOT) {
        next(ps);
        struct node *a = parse_factor(ps);
        return a ? new_node(ps, K_NOT, a, NULL) : NULL;
    }
    if (ps->tok == T_LPAREN) {
        size_t col = ps->column;
        next(ps);
        struct node *a = parse_expr(ps);
        if (!a) {
            return NULL;
        }
        if (ps->tok != T_RPAREN) {
            node_free(a);
            ps->column = col;
            fail(ps, "unbalanced '(': no matching ')'");
            return NULL;
        }
        next(ps);
        return a;
    }
    if (ps->tok != T_WORD) {
        fail(ps, ps->tok == T_END ? "expected a condition such as "
             "'name=value' at the end" : "expected a condition such as "
             "'name=value'");
        return NULL;
    }
    struct node *n = new_node(ps, K_COND, NULL, NULL);
    if (!n) {
        return NULL;
    }
    n->column = ps->column;
    n->name = strdup(ps->word[0] == '$' ? ps->word + 1 : ps->word);
    if (!n->name || !n->name[0]) {
        node_free(n);
        fail(ps, "expected a variable name after '$'");
        return NULL;
    }
    next(ps);
    if (ps->tok != T_OP) {
        node_free(n);
        fail(ps, "expected an operator (= != < <= > >=) after the name");
        return NULL;
    }
    n->op = ps->op;
    next(ps);
    if (ps->tok != T_WORD && ps->tok != T_STRING) {
        node_free(n);
        fail(ps, "expected a value after the operator");
        return NULL;
    }
    n->value = strdup(ps->word);
    if (!n->value) {
        node_free(n);
        ps->error = ENOMEM;
        return NULL;
    }
    next(ps);
    return n;
}

static struct node *
parse_term(struct parser *ps)
{
    struct node *a = parse_factor(ps);

    while (a && ps->tok == T_AND) {
        next(ps);
        struct node *b = parse_factor(ps);
        if (!b) {
            node_free(a);
            if (!ps->error || ps->tok == T_END) {
                fail(ps, "expected a condition after 'and'");
            }
            return NULL;
        }
        a = new_node(ps, K_AND, a, b);
    }
    return a;
}

static struct node *
parse_expr(struct parser *ps)
{
    struct node *a = parse_term(ps);

    while (a && ps->tok == T_OR) {
        next(ps);
        struct node *b = parse_term(ps);
        if (!b) {
            node_free(a);
            return NULL;
        }
        a = new_node(ps, K_OR, a, b);
    }
    return a;
}

/* "0,2,7..9". */
static int
parse_ranges(const char *text, struct sweep_filter *f, char *err,
             size_t err_size)
{
    const char *p = text;

    for (;;) {
        struct range r;
        char *end;
        while (isspace((unsigned char)*p)) {
            p++;
        }
        if (!isdigit((unsigned char)*p)) {
            snprintf(err, err_size, "run filter '%s': expected a run number "
                     "(column %zu)", text, (size_t)(p - text) + 1);
            return EINVAL;
        }
        r.lo = r.hi = strtoull(p, &end, 10);
        p = end;
        if (p[0] == '.' && p[1] == '.') {
            p += 2;
            if (!isdigit((unsigned char)*p)) {
                snprintf(err, err_size, "run filter '%s': expected the end of "
                         "the range after '..' (column %zu)", text,
                         (size_t)(p - text) + 1);
                return EINVAL;
            }
            r.hi = strtoull(p, &end, 10);
            if (r.hi < r.lo) {
                snprintf(err, err_size, "run filter '%s': range %" PRIu64
                         "..%" PRIu64 " is backwards", text, r.lo, r.hi);
                return EINVAL;
            }
            p = end;
        }
        struct range *g = realloc(f->ranges, (f->n_ranges + 1) * sizeof *g);
        if (!g) {
            return ENOMEM;
        }
        f->ranges = g;
        f->ranges[f->n_ranges++] = r;
        while (isspace((unsigned char)*p)) {
            p++;
        }
        if (!*p) {
            return 0;
        }
        if (*p != ',') {
            snprintf(err, err_size, "run filter '%s': expected ',' or the end "
                     "(column %zu)", text, (size_t)(p - text) + 1);
            return EINVAL;
        }
        p++;
    }
}

int
sweep_filter_parse(const char *text, struct sweep_filter **out, char *err,
                   size_t err_size)
{
    struct sweep_filter *f = calloc(1, sizeof *f);
    int error;

    *out = NULL;
    if (!f) {
        return ENOMEM;
    }
    if (strspn(text, "0123456789., \t") == strlen(text)) {
        if (!text[strspn(text, " \t")]) {
            snprintf(err, err_size, "run filter is empty");
            free(f);
            return EINVAL;
        }
        error = parse_ranges(text, f, err, err_size);
    } else {
        struct parser ps = { .text = text, .p = text, .err = err,
                             .err_size = err_size };
        next(&ps);
        f->root = parse_expr(&ps);
        if (f->root && ps.tok != T_END) {
            char msg[200];
            snprintf(msg, sizeof msg, "unexpected '%s'", ps.word ? ps.word
                     : ps.tok == T_RPAREN ? ")" : "operator");
            fail(&ps, msg);
        }
        free(ps.word);
        error = ps.error;
        if (error == ENOMEM) {
            snprintf(err, err_size, "out of memory");
        }
    }
    if (error) {
        sweep_filter_free(f);
        return error;
    }
    *out = f;
    return 0;
}

/* --- Filters: checking and matching ------------------------------------------- */

static const struct sweep_var *
find_var(const struct sweep *s, const char *name, size_t *index)
{
    for (size_t i = 0; i < s->n_vars; i++) {
        if (!strcmp(s->vars[i].name, name)) {
            *index = i;
            return &s->vars[i];
        }
    }
    return NULL;
}

static int
check_node(const struct node *n, const struct sweep *s, char *err,
           size_t err_size)
{
    size_t i;

    if (!n) {
        return 0;
    }
    if (n->kind != K_COND) {
        int e = check_node(n->a, s, err, err_size);
        return e ? e : check_node(n->b, s, err, err_size);
    }
    if (!strcmp(n->name, "run") || !strcmp(n->name, "repetition")
        || find_var(s, n->name, &i)) {
        return 0;
    }
    const char *names[66];
    size_t m = 0;
    for (i = 0; i < s->n_vars && m < 64; i++) {
        names[m++] = s->vars[i].name;
    }
    names[m++] = "run";
    names[m++] = "repetition";
    const char *hint = suggest_closest(n->name, names, m);
    snprintf(err, err_size, "unknown iteration variable '%s' in run filter%s%s%s",
             n->name, hint ? " (did you mean '" : "", hint ? hint : "",
             hint ? "'?)" : "");
    return EINVAL;
}

int
sweep_filter_check(const struct sweep_filter *f, const struct sweep *s,
                   char *err, size_t err_size)
{
    uint64_t runs;

    if (sweep_count(s, &runs)) {
        snprintf(err, err_size, "the sweep is empty or too large");
        return EINVAL;
    }
    for (size_t i = 0; i < f->n_ranges; i++) {
        if (f->ranges[i].hi >= runs) {
            snprintf(err, err_size, "run filter: run %" PRIu64 " is past the "
                     "last run (%" PRIu64 ")", f->ranges[i].hi, runs - 1);
            return EINVAL;
        }
    }
    return check_node(f->root, s, err, err_size);
}

/* Splits "12.5%" into 12.5 and "%"; false if it does not start with a
 * decimal number. */
static bool
number_and_suffix(const char *text, double *v, const char **suffix)
{
    const char *p = text;

    if (*p == '-' || *p == '+') {
        p++;
    }
    if (!isdigit((unsigned char)*p)) {
        return false;
    }
    while (isdigit((unsigned char)*p)) {
        p++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
        }
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", (int)(p - text), text);
    *v = strtod(buf, NULL);
    *suffix = p;
    return true;
}

static bool
match_cond(const struct node *n, const char *actual)
{
    double a, b;
    const char *sa, *sb;

    switch (n->op) {
    case OP_EQ:
        return fnmatch(n->value, actual, 0) == 0;
    case OP_NE:
        return fnmatch(n->value, actual, 0) != 0;
    default:
        if (!number_and_suffix(actual, &a, &sa)
            || !number_and_suffix(n->value, &b, &sb) || strcmp(sa, sb)) {
            return false;
        }
        return n->op == OP_LT ? a < b : n->op == OP_LE ? a <= b
             : n->op == OP_GT ? a > b : a >= b;
    }
}

static bool
match_node(const struct node *n, const struct sweep *s, uint64_t run,
           const size_t *idx, uint32_t rep)
{
    char text[24];
    size_t i;

    switch (n->kind) {
    case K_OR:
        return match_node(n->a, s, run, idx, rep)
               || match_node(n->b, s, run, idx, rep);
    case K_AND:
        return match_node(n->a, s, run, idx, rep)
               && match_node(n->b, s, run, idx, rep);
    case K_NOT:
        return !match_node(n->a, s, run, idx, rep);
    case K_COND:
        if (!strcmp(n->name, "run")) {
            snprintf(text, sizeof text, "%" PRIu64, run);
            return match_cond(n, text);
        }
        if (!strcmp(n->name, "repetition")) {
            snprintf(text, sizeof text, "%" PRIu32, rep);
            return match_cond(n, text);
        }
        if (find_var(s, n->name, &i)) {
            return match_cond(n, s->vars[i].values[idx[i]]);
        }
        return false;
    }
    return false;
}

bool
sweep_filter_match(const struct sweep_filter *f, const struct sweep *s,
                   uint64_t run)
{
    if (!f->root) {
        for (size_t i = 0; i < f->n_ranges; i++) {
            if (run >= f->ranges[i].lo && run <= f->ranges[i].hi) {
                return true;
            }
        }
        return false;
    }
    size_t idx[64];
    uint32_t rep;
    if (s->n_vars > 64) {
        return false;
    }
    sweep_decode(s, run, idx, &rep);
    return match_node(f->root, s, run, idx, rep);
}
