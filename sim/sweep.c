/*
 * sweep.c -- run numbering, seeds and run filters (sweep.h).
 *
 * Run numbers are mixed-radix integers, the repetition the least
 * significant digit.  A filter is parsed once, by recursive descent, into
 * either a list of inclusive ranges or a small tree ('and' and 'or' nodes
 * hold any number of operands, so long chains do not make the tree deep),
 * and is then matched against each run.  Names in the tree are resolved
 * against a sweep only when it is checked or matched, so one parsed filter
 * can serve any sweep.  Suggestions for misspelt names come from
 * sim/suggest.h, the same "did you mean" the scenario layer uses.
 */
#include <config.h>
#include "sim/sweep.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/log.h"
#include "sim/suggest.h"

/* --- Bounded text output ------------------------------------------------- */

/* An snprintf-like destination: 'len' counts every byte asked for, even
 * those that did not fit, so it ends as snprintf's return value. */
struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void out_printf(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
out_printf(struct out *o, const char *fmt, ...)
{
    bool room = o->len < o->size;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(room ? o->buf + o->len : NULL, room ? o->size - o->len : 0,
                  fmt, ap);
    va_end(ap);
    if (n > 0) {
        o->len += (size_t)n;
    }
}

/* --- Run numbers ----------------------------------------------------------- */

/* Every variable is checked for values before any product is formed, so
 * an empty variable is EINVAL even in a sweep that is also too large.
 * The product is kept <= SWEEP_MAX_RUNS at every step by testing
 * n_values > SWEEP_MAX_RUNS / n before multiplying, which cannot
 * overflow (n >= 1 throughout). */
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
    }
    if (n > SWEEP_MAX_RUNS) {
        return ERANGE;
    }
    for (size_t i = 0; i < s->n_vars; i++) {
        if (s->vars[i].n_values > SWEEP_MAX_RUNS / n) {
            return ERANGE;
        }
        n *= s->vars[i].n_values;
    }
    *runs = n;
    return 0;
}

/* Asserts that 's' is a valid sweep and 'run' one of its runs. */
static void
assert_run(const struct sweep *s, uint64_t run)
{
    uint64_t runs = 0;

    SIM_ASSERT(sweep_count(s, &runs) == 0);
    SIM_ASSERT(run < runs);
}

/* value_index[var] of run 'run', for a sweep and run already asserted:
 * the digit of weight r * n_{var+1} * ... * n_last.  That weight divides
 * the run count, so it cannot overflow. */
static size_t
value_index(const struct sweep *s, uint64_t run, size_t var)
{
    uint64_t weight = s->repetitions;

    for (size_t j = var + 1; j < s->n_vars; j++) {
        weight *= s->vars[j].n_values;
    }
    return (size_t)(run / weight % s->vars[var].n_values);
}

void
sweep_decode(const struct sweep *s, uint64_t run, size_t *value_index_out,
             uint32_t *repetition)
{
    assert_run(s, run);
    *repetition = (uint32_t)(run % s->repetitions);
    run /= s->repetitions;
    for (size_t i = s->n_vars; i-- > 0;) {
        value_index_out[i] = (size_t)(run % s->vars[i].n_values);
        run /= s->vars[i].n_values;
    }
}

uint64_t
sweep_encode(const struct sweep *s, const size_t *value_index_in,
             uint32_t repetition)
{
    uint64_t run = 0, runs = 0;

    SIM_ASSERT(sweep_count(s, &runs) == 0);
    SIM_ASSERT(repetition < s->repetitions);
    for (size_t i = 0; i < s->n_vars; i++) {
        SIM_ASSERT(value_index_in[i] < s->vars[i].n_values);
        run = run * s->vars[i].n_values + value_index_in[i];
    }
    return run * s->repetitions + repetition;
}

size_t
sweep_value_index(const struct sweep *s, uint64_t run, size_t var)
{
    assert_run(s, run);
    SIM_ASSERT(var < s->n_vars);
    return value_index(s, run, var);
}

uint32_t
sweep_repetition(const struct sweep *s, uint64_t run)
{
    assert_run(s, run);
    return (uint32_t)(run % s->repetitions);
}

uint64_t
sweep_seed(uint64_t base_seed, bool per_repetition, uint64_t run,
           uint32_t repetition)
{
    return base_seed + (per_repetition ? (uint64_t)repetition : run);
}

size_t
sweep_describe(const struct sweep *s, uint64_t run, char *buf, size_t size)
{
    struct out o = { buf, size, 0 };

    assert_run(s, run);
    if (size) {
        buf[0] = '\0';
    }
    for (size_t i = 0; i < s->n_vars; i++) {
        out_printf(&o, "%s=%s, ", s->vars[i].name,
                   s->vars[i].values[value_index(s, run, i)]);
    }
    out_printf(&o, "repetition=%" PRIu64, run % s->repetitions);
    return o.len;
}

/* --- Exact decimal numbers with a suffix ----------------------------------- */

/* A number as text: the digits without leading zeros of the integer part
 * and trailing zeros of the fraction, so equal values look equal. */
struct decimal {
    bool negative;              /* never set for zero */
    const char *int_digits;
    size_t n_int;
    const char *frac_digits;
    size_t n_frac;
    const char *suffix;         /* the rest, leading blanks skipped */
};

/* Parses "[+-] digits [. digits]" or "[+-] . digits" at the start of
 * 'text', then the suffix.  Returns false if 'text' does not start with a
 * number. */
static bool
decimal_parse(const char *text, struct decimal *d)
{
    const char *p = text;

    d->negative = false;
    if (*p == '+' || *p == '-') {
        d->negative = *p++ == '-';
    }
    d->int_digits = p;
    while (isdigit((unsigned char)*p)) {
        p++;
    }
    d->n_int = (size_t)(p - d->int_digits);
    d->frac_digits = p;
    d->n_frac = 0;
    if (*p == '.') {
        d->frac_digits = ++p;
        while (isdigit((unsigned char)*p)) {
            p++;
        }
        d->n_frac = (size_t)(p - d->frac_digits);
    }
    if (d->n_int + d->n_frac == 0) {
        return false;
    }
    while (d->n_int && *d->int_digits == '0') {
        d->int_digits++;
        d->n_int--;
    }
    while (d->n_frac && d->frac_digits[d->n_frac - 1] == '0') {
        d->n_frac--;
    }
    if (!d->n_int && !d->n_frac) {
        d->negative = false;
    }
    while (isspace((unsigned char)*p)) {
        p++;
    }
    d->suffix = p;
    return true;
}

/* -1, 0 or 1 as 'a' is below, equal to or above 'b' (suffixes ignored). */
static int
decimal_cmp(const struct decimal *a, const struct decimal *b)
{
    int m = 0;

    if (a->negative != b->negative) {
        return a->negative ? -1 : 1;
    }
    if (a->n_int != b->n_int) {
        m = a->n_int < b->n_int ? -1 : 1;
    } else {
        m = memcmp(a->int_digits, b->int_digits, a->n_int);
        for (size_t i = 0; !m && (i < a->n_frac || i < b->n_frac); i++) {
            char da = i < a->n_frac ? a->frac_digits[i] : '0';
            char db = i < b->n_frac ? b->frac_digits[i] : '0';
            m = da - db;
        }
        m = (m > 0) - (m < 0);
    }
    return a->negative ? -m : m;
}

/* --- Filters: the tree ----------------------------------------------------- */

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum kind { K_OR, K_AND, K_NOT, K_COND };

struct node {
    enum kind kind;
    struct node **kids;         /* OR, AND: n_kids >= 2; NOT: 1 */
    size_t n_kids;
    char *name;                 /* COND: without the '$' */
    enum op op;                 /* COND */
    char *value;                /* COND: without quotes */
};

struct range {
    uint64_t lo, hi;            /* inclusive, lo <= hi */
    size_t lo_column, hi_column;
};

struct sweep_filter {
    char *text;                 /* a copy, for messages */
    struct node *root;          /* an expression, or NULL and */
    struct range *ranges;       /* a run-number list */
    size_t n_ranges;
};

static void
node_free(struct node *n)
{
    if (n) {
        for (size_t i = 0; i < n->n_kids; i++) {
            node_free(n->kids[i]);
        }
        free(n->kids);
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
        free(f->text);
        free(f);
    }
}

/* --- Filters: messages ----------------------------------------------------- */

/* Writes "run filter 'TEXT': MESSAGE (column N)" into 'err'. */
static void fail_at(const char *text, const char *at, char *err,
                    size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
fail_at(const char *text, const char *at, char *err, size_t err_size,
        const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, err_size, "run filter '%s': %s (column %zu)", text, msg,
             (size_t)(at - text) + 1);
}

/* "'TOKEN'" (shortened past 40 bytes) or "the end", for messages. */
static const char *
token_name(const char *start, size_t len, char *buf, size_t size)
{
    if (!len) {
        return "the end";
    }
    if (len > 40) {
        snprintf(buf, size, "'%.37s...'", start);
    } else {
        snprintf(buf, size, "'%.*s'", (int)len, start);
    }
    return buf;
}

/* --- Filters: run-number lists --------------------------------------------- */

/* The length of the "word" at 'p' in a run list, for messages: up to the
 * next blank or comma, at least one byte unless at the end. */
static size_t
list_word(const char *p)
{
    size_t n = 0;

    if (*p == ',') {
        return 1;
    }
    while (p[n] && !isspace((unsigned char)p[n]) && p[n] != ',') {
        n++;
    }
    return n;
}

static const char *
skip_blanks(const char *p)
{
    while (isspace((unsigned char)*p)) {
        p++;
    }
    return p;
}

/* Reads the decimal run number at '*p' (a digit) and moves past it.
 * Returns false if it exceeds 2^64-1. */
static bool
read_run_number(const char **p, uint64_t *v)
{
    *v = 0;
    for (; isdigit((unsigned char)**p); (*p)++) {
        unsigned d = (unsigned)(**p - '0');
        if (*v > (UINT64_MAX - d) / 10) {
            return false;
        }
        *v = *v * 10 + d;
    }
    return true;
}

/* "0, 2, 7..9". */
static int
parse_list(const char *text, struct sweep_filter *f, char *err,
           size_t err_size)
{
    const char *p = text;
    bool after = false;
    char tb[48];

    for (;;) {
        struct range r;
        const char *lo_at;

        p = skip_blanks(p);
        if (!isdigit((unsigned char)*p)) {
            fail_at(text, p, err, err_size, "expected a run number%s, "
                    "found %s", after ? " after ','" : "",
                    token_name(p, list_word(p), tb, sizeof tb));
            return EINVAL;
        }
        lo_at = p;
        if (!read_run_number(&p, &r.lo)) {
            fail_at(text, lo_at, err, err_size, "run number %s is too large",
                    token_name(lo_at, (size_t)(p - lo_at) + strspn(p,
                               "0123456789"), tb, sizeof tb));
            return EINVAL;
        }
        r.hi = r.lo;
        r.lo_column = r.hi_column = (size_t)(lo_at - text) + 1;
        p = skip_blanks(p);
        if (p[0] == '.' && p[1] == '.') {
            const char *hi_at = skip_blanks(p + 2);
            if (!isdigit((unsigned char)*hi_at)) {
                fail_at(text, hi_at, err, err_size, "expected a run number "
                        "after '..', found %s",
                        token_name(hi_at, list_word(hi_at), tb, sizeof tb));
                return EINVAL;
            }
            p = hi_at;
            if (!read_run_number(&p, &r.hi)) {
                fail_at(text, hi_at, err, err_size, "run number %s is too "
                        "large", token_name(hi_at, (size_t)(p - hi_at)
                        + strspn(p, "0123456789"), tb, sizeof tb));
                return EINVAL;
            }
            if (r.hi < r.lo) {
                fail_at(text, lo_at, err, err_size, "bad range '%.*s': it "
                        "ends before it starts", (int)(p - lo_at), lo_at);
                return EINVAL;
            }
            r.hi_column = (size_t)(hi_at - text) + 1;
            p = skip_blanks(p);
        }
        struct range *g = realloc(f->ranges, (f->n_ranges + 1) * sizeof *g);
        if (!g) {
            return ENOMEM;
        }
        f->ranges = g;
        f->ranges[f->n_ranges++] = r;
        if (!*p) {
            return 0;
        }
        if (*p != ',') {
            bool word = isalpha((unsigned char)*p) || *p == '$' || *p == '(';
            fail_at(text, p, err, err_size, "expected ',', '..' or the end, "
                    "found %s%s", token_name(p, list_word(p), tb, sizeof tb),
                    word ? "; a filter is either a run-number list or an "
                    "expression (in an expression write run=N)" : "");
            return EINVAL;
        }
        after = true;
        p++;
    }
}

/* --- Filters: expressions -------------------------------------------------- */

enum tok { T_END, T_LPAREN, T_RPAREN, T_OP, T_WORD, T_STRING, T_AND, T_OR,
           T_NOT, T_BAD };

/* The lexer reads one token ahead.  'start' and 'len' delimit the current
 * token in the text (a string with its quotes); 'prev' and 'prev_len' the
 * one before it, so a message can say what a missing piece should follow.
 * The first error is kept: later failures of the unwinding parser do not
 * overwrite it. */
struct parser {
    const char *text;
    const char *p;              /* the next unread byte */
    enum tok tok;
    const char *start;
    size_t len;
    enum op op;                 /* T_OP */
    const char *prev;           /* NULL before the first token */
    size_t prev_len;
    int depth;                  /* parentheses and 'not' now open */
    char *err;
    size_t err_size;
    int error;
};

static void fail(struct parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct parser *ps, const char *at, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    if (ps->error) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail_at(ps->text, at, ps->err, ps->err_size, "%s", msg);
    ps->error = EINVAL;
}

static void
oom(struct parser *ps)
{
    if (!ps->error) {
        snprintf(ps->err, ps->err_size, "out of memory");
        ps->error = ENOMEM;
    }
}

/* The current token's name for messages ("'and'", "the end"). */
static const char *
cur_name(const struct parser *ps, char *buf, size_t size)
{
    return token_name(ps->start, ps->tok == T_END ? 0 : ps->len, buf, size);
}

static bool
word_char(char c)
{
    return c && !isspace((unsigned char)c) && !strchr("()\"=!<>", c);
}

static bool
keyword(const char *s, size_t len, const char *kw)
{
    return len == strlen(kw) && !strncasecmp(s, kw, len);
}

static void
next(struct parser *ps)
{
    const char *p = skip_blanks(ps->p);

    ps->prev = ps->start;
    ps->prev_len = ps->len;
    ps->start = p;
    if (!*p) {
        ps->tok = T_END;
    } else if (*p == '(' || *p == ')') {
        ps->tok = *p++ == '(' ? T_LPAREN : T_RPAREN;
    } else if (strchr("=!<>", *p)) {
        ps->tok = T_OP;
        switch (*p++) {
        case '=':
            ps->op = OP_EQ;
            p += *p == '=';
            break;
        case '!':
            ps->op = OP_NE;
            if (*p == '=') {
                p++;
            } else {
                ps->tok = T_BAD;
            }
            break;
        case '<':
            ps->op = *p == '=' ? OP_LE : OP_LT;
            p += *p == '=';
            break;
        default:
            ps->op = *p == '=' ? OP_GE : OP_GT;
            p += *p == '=';
            break;
        }
    } else if (*p == '"') {
        const char *close = strchr(p + 1, '"');
        if (!close) {
            fail(ps, p, "unterminated string: no closing '\"'");
            ps->tok = T_BAD;
            p += strlen(p);
        } else {
            ps->tok = T_STRING;
            p = close + 1;
        }
    } else {
        while (word_char(*p)) {
            p++;
        }
        size_t n = (size_t)(p - ps->start);
        ps->tok = keyword(ps->start, n, "and") ? T_AND
                : keyword(ps->start, n, "or") ? T_OR
                : keyword(ps->start, n, "not") ? T_NOT : T_WORD;
    }
    ps->len = (size_t)(p - ps->start);
    ps->p = p;
}

static struct node *
new_node(struct parser *ps, enum kind kind)
{
    struct node *n = calloc(1, sizeof *n);

    if (!n) {
        oom(ps);
        return NULL;
    }
    n->kind = kind;
    return n;
}

/* Appends 'kid' to 'n' (an OR, AND or NOT node); frees 'kid' and returns
 * false when out of memory. */
static bool
add_kid(struct parser *ps, struct node *n, struct node *kid)
{
    struct node **k = realloc(n->kids, (n->n_kids + 1) * sizeof *k);

    if (!k) {
        node_free(kid);
        oom(ps);
        return false;
    }
    n->kids = k;
    n->kids[n->n_kids++] = kid;
    return true;
}

static bool
is_identifier(const char *s, size_t len)
{
    if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_')) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) {
            return false;
        }
    }
    return true;
}

/* cond := NAME OP VALUE, the current token being the NAME word. */
static struct node *
parse_cond(struct parser *ps)
{
    const char *name_at = ps->start, *name = ps->start, *op_at;
    size_t name_len = ps->len, op_len;
    char tb[48];
    struct node *n;

    if (*name == '$') {
        name++;
        name_len--;
    }
    if (!is_identifier(name, name_len)) {
        if (!name_len) {
            fail(ps, name_at, "expected a variable name after '$'");
        } else if (isdigit((unsigned char)*name)) {
            fail(ps, name_at, "'%.*s' is not a variable name; a filter is "
                 "either a run-number list or an expression (in an "
                 "expression write run=N)", (int)ps->len, ps->start);
        } else {
            fail(ps, name_at, "'%.*s' is not a variable name (letters, "
                 "digits and '_', not starting with a digit)", (int)ps->len,
                 ps->start);
        }
        return NULL;
    }
    next(ps);
    if (ps->tok != T_OP) {
        fail(ps, ps->start, "expected an operator (= == != < <= > >=) after "
             "'%.*s', found %s", (int)(name + name_len - name_at), name_at,
             cur_name(ps, tb, sizeof tb));
        return NULL;
    }
    op_at = ps->start;
    op_len = ps->len;
    n = new_node(ps, K_COND);
    if (!n) {
        return NULL;
    }
    n->op = ps->op;
    n->name = strndup(name, name_len);
    next(ps);
    if (ps->tok == T_AND || ps->tok == T_OR || ps->tok == T_NOT) {
        fail(ps, ps->start, "expected a value after '%.*s', found the keyword "
             "'%.*s' (write \"%.*s\" to mean the word)", (int)op_len, op_at,
             (int)ps->len, ps->start, (int)ps->len, ps->start);
    } else if (ps->tok != T_WORD && ps->tok != T_STRING) {
        fail(ps, ps->start, "expected a value after '%.*s', found %s",
             (int)op_len, op_at, cur_name(ps, tb, sizeof tb));
    }
    if (ps->error) {
        node_free(n);
        return NULL;
    }
    n->value = ps->tok == T_WORD ? strndup(ps->start, ps->len)
             : strndup(ps->start + 1, ps->len - 2);
    if (!n->name || !n->value) {
        node_free(n);
        oom(ps);
        return NULL;
    }
    if (n->op != OP_EQ && n->op != OP_NE) {
        struct decimal d;
        if (!decimal_parse(n->value, &d)) {
            fail(ps, ps->start, "expected a number after '%.*s', found %s "
                 "(< <= > >= compare numbers such as 50%% or 1.5ms)",
                 (int)op_len, op_at, cur_name(ps, tb, sizeof tb));
            node_free(n);
            return NULL;
        }
    }
    next(ps);
    return n;
}

static struct node *parse_expr(struct parser *ps);

/* factor := 'not' factor | '(' expr ')' | cond */
static struct node *
parse_factor(struct parser *ps)
{
    char tb[48], pb[48];

    if (ps->error) {
        return NULL;
    }
    if ((ps->tok == T_NOT || ps->tok == T_LPAREN)
        && ps->depth >= SWEEP_FILTER_MAX_DEPTH) {
        fail(ps, ps->start, "nested too deeply (more than %d levels of "
             "parentheses and 'not')", SWEEP_FILTER_MAX_DEPTH);
        return NULL;
    }
    if (ps->tok == T_NOT) {
        struct node *n = new_node(ps, K_NOT), *a;
        if (!n) {
            return NULL;
        }
        next(ps);
        ps->depth++;
        a = parse_factor(ps);
        ps->depth--;
        if (!a || !add_kid(ps, n, a)) {
            node_free(n);
            return NULL;
        }
        return n;
    }
    if (ps->tok == T_LPAREN) {
        const char *open_at = ps->start;
        struct node *a;

        next(ps);
        ps->depth++;
        a = parse_expr(ps);
        ps->depth--;
        if (!a) {
            return NULL;
        }
        if (ps->tok != T_RPAREN) {
            if (ps->tok == T_END) {
                fail(ps, open_at, "unbalanced '(': no matching ')'");
            } else {
                fail(ps, ps->start, "expected 'and', 'or' or ')', found %s",
                     cur_name(ps, tb, sizeof tb));
            }
            node_free(a);
            return NULL;
        }
        next(ps);
        return a;
    }
    if (ps->tok == T_WORD) {
        return parse_cond(ps);
    }
    if (!ps->prev) {
        fail(ps, ps->start, "expected a condition such as 'name=value', "
             "found %s", cur_name(ps, tb, sizeof tb));
    } else if (ps->tok == T_END) {
        fail(ps, ps->start, "expected a condition after %s",
             token_name(ps->prev, ps->prev_len, pb, sizeof pb));
    } else {
        fail(ps, ps->start, "expected a condition after %s, found %s",
             token_name(ps->prev, ps->prev_len, pb, sizeof pb),
             cur_name(ps, tb, sizeof tb));
    }
    return NULL;
}

/* One level of "a OP b OP c" for OP = 'and' (term, of factors) or 'or'
 * (expr, of terms), as one node with all the operands. */
static struct node *
parse_chain(struct parser *ps, enum tok op_tok, enum kind kind,
            struct node *(*operand)(struct parser *))
{
    struct node *first = operand(ps), *n;

    if (!first || ps->tok != op_tok) {
        return first;
    }
    n = new_node(ps, kind);
    if (!n || !add_kid(ps, n, first)) {
        if (!n) {
            node_free(first);
        }
        node_free(n);
        return NULL;
    }
    while (ps->tok == op_tok) {
        struct node *b;
        next(ps);
        b = operand(ps);
        if (!b || !add_kid(ps, n, b)) {
            node_free(n);
            return NULL;
        }
    }
    return n;
}

static struct node *
parse_term(struct parser *ps)
{
    return parse_chain(ps, T_AND, K_AND, parse_factor);
}

static struct node *
parse_expr(struct parser *ps)
{
    return parse_chain(ps, T_OR, K_OR, parse_term);
}

static int
parse_expression(const char *text, struct sweep_filter *f, char *err,
                 size_t err_size)
{
    struct parser ps = { .text = text, .p = text, .err = err,
                         .err_size = err_size };
    char tb[48];

    next(&ps);
    f->root = parse_expr(&ps);
    if (f->root && ps.tok == T_RPAREN) {
        fail(&ps, ps.start, "unbalanced ')': no matching '('");
    } else if (f->root && ps.tok != T_END) {
        fail(&ps, ps.start, "expected 'and', 'or' or the end, found %s",
             cur_name(&ps, tb, sizeof tb));
    }
    return ps.error;
}

int
sweep_filter_parse(const char *text, struct sweep_filter **out, char *err,
                   size_t err_size)
{
    const char *first = skip_blanks(text);
    struct sweep_filter *f;
    int error;

    *out = NULL;
    if (!*first) {
        snprintf(err, err_size, "run filter is empty: give run numbers such "
                 "as '0..5,9' or a condition such as 'nic=legacy'");
        return EINVAL;
    }
    f = calloc(1, sizeof *f);
    if (!f || !(f->text = strdup(text))) {
        free(f);
        snprintf(err, err_size, "out of memory");
        return ENOMEM;
    }
    if (isdigit((unsigned char)*first)) {
        error = parse_list(text, f, err, err_size);
        if (error == ENOMEM) {
            snprintf(err, err_size, "out of memory");
        }
    } else {
        error = parse_expression(text, f, err, err_size);
    }
    if (error) {
        sweep_filter_free(f);
        return error;
    }
    *out = f;
    return 0;
}

/* --- Filters: checking and matching ---------------------------------------- */

static bool
find_var(const struct sweep *s, const char *name, size_t *index)
{
    for (size_t i = 0; i < s->n_vars; i++) {
        if (!strcmp(s->vars[i].name, name)) {
            *index = i;
            return true;
        }
    }
    return false;
}

static bool
builtin_name(const char *name)
{
    return !strcmp(name, "run") || !strcmp(name, "repetition");
}

/* The message for an unknown name: the closest known name if there is
 * one, else the list of names. */
static void
unknown_name(const char *name, const struct sweep *s, char *err,
             size_t err_size)
{
    struct out o = { err, err_size, 0 };
    size_t n = s->n_vars + 2;
    const char **names = malloc(n * sizeof *names);
    const char *hint = NULL;

    if (err_size) {
        err[0] = '\0';
    }
    out_printf(&o, "unknown iteration variable '%s' in run filter", name);
    if (!names) {
        return;
    }
    for (size_t i = 0; i < s->n_vars; i++) {
        names[i] = s->vars[i].name;
    }
    names[n - 2] = "run";
    names[n - 1] = "repetition";
    hint = suggest_closest(name, names, n);
    if (hint) {
        out_printf(&o, " (did you mean '%s'?)", hint);
    } else {
        out_printf(&o, " (known names: ");
        for (size_t i = 0; i < n; i++) {
            out_printf(&o, "%s%s", i ? ", " : "", names[i]);
        }
        out_printf(&o, ")");
    }
    free(names);
}

/* The first name in 'n', left to right, that 's' does not know. */
static const char *
first_unknown(const struct node *n, const struct sweep *s)
{
    size_t i;

    if (n->kind == K_COND) {
        return builtin_name(n->name) || find_var(s, n->name, &i) ? NULL
               : n->name;
    }
    for (size_t k = 0; k < n->n_kids; k++) {
        const char *name = first_unknown(n->kids[k], s);
        if (name) {
            return name;
        }
    }
    return NULL;
}

int
sweep_filter_check(const struct sweep_filter *f, const struct sweep *s,
                   char *err, size_t err_size)
{
    uint64_t runs = 0;
    int error = sweep_count(s, &runs);

    if (error) {
        snprintf(err, err_size, "run filter '%s': the sweep is %s", f->text,
                 error == ERANGE ? "too large" : "empty");
        return error;
    }
    for (size_t i = 0; i < f->n_ranges; i++) {
        const struct range *r = &f->ranges[i];
        if (r->hi >= runs) {
            bool lo_out = r->lo >= runs;
            fail_at(f->text, f->text + (lo_out ? r->lo_column
                                                : r->hi_column) - 1,
                    err, err_size, "there is no run %" PRIu64 "; the sweep "
                    "has %" PRIu64 " run%s (%s%" PRIu64 ")",
                    lo_out ? r->lo : r->hi, runs, runs == 1 ? "" : "s",
                    runs == 1 ? "" : "0..", runs - 1);
            return EINVAL;
        }
    }
    if (f->root) {
        const char *name = first_unknown(f->root, s);
        if (name) {
            unknown_name(name, s, err, err_size);
            return EINVAL;
        }
    }
    return 0;
}

/* One condition against the text 'actual'. */
static bool
match_cond(const struct node *n, const char *actual)
{
    struct decimal a, b;
    int c;

    switch (n->op) {
    case OP_EQ:
        return fnmatch(n->value, actual, 0) == 0;
    case OP_NE:
        return fnmatch(n->value, actual, 0) != 0;
    default:
        if (!decimal_parse(actual, &a) || !decimal_parse(n->value, &b)
            || strcmp(a.suffix, b.suffix)) {
            return false;
        }
        c = decimal_cmp(&a, &b);
        return n->op == OP_LT ? c < 0 : n->op == OP_LE ? c <= 0
             : n->op == OP_GT ? c > 0 : c >= 0;
    }
}

static bool
match_node(const struct node *n, const struct sweep *s, uint64_t run)
{
    char text[24];
    size_t i;

    switch (n->kind) {
    case K_OR:
        for (size_t k = 0; k < n->n_kids; k++) {
            if (match_node(n->kids[k], s, run)) {
                return true;
            }
        }
        return false;
    case K_AND:
        for (size_t k = 0; k < n->n_kids; k++) {
            if (!match_node(n->kids[k], s, run)) {
                return false;
            }
        }
        return true;
    case K_NOT:
        return !match_node(n->kids[0], s, run);
    case K_COND:
        if (!strcmp(n->name, "run")) {
            snprintf(text, sizeof text, "%" PRIu64, run);
            return match_cond(n, text);
        }
        if (!strcmp(n->name, "repetition")) {
            snprintf(text, sizeof text, "%" PRIu64, run % s->repetitions);
            return match_cond(n, text);
        }
        if (find_var(s, n->name, &i)) {
            return match_cond(n, s->vars[i].values[value_index(s, run, i)]);
        }
        return false;
    }
    return false;
}

bool
sweep_filter_match(const struct sweep_filter *f, const struct sweep *s,
                   uint64_t run)
{
    assert_run(s, run);
    if (f->root) {
        return match_node(f->root, s, run);
    }
    for (size_t i = 0; i < f->n_ranges; i++) {
        if (run >= f->ranges[i].lo && run <= f->ranges[i].hi) {
            return true;
        }
    }
    return false;
}
