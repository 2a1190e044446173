/*
 * lsim-api.c -- the engine half of the scenario API: the global tables
 * 'sim' (parameters and sweeps, run control, timers, scenario metrics and
 * scalars) and 'units' (exact unit parsing), plus math.random.  Model
 * bindings add their own tables beside these.  doc/lua-api.md documents
 * every function; lsim.h states the host's design.
 *
 * PARAMETERS.  sim.params{...} declares every parameter at once and
 * returns their values for this run.  A value comes from, in order: the
 * sweep (the run number picks one value of each swept parameter), a "-p"
 * override, or the default.  Everything that depends on the run number or
 * the seed is settled there, so sim.params must be the first sim call; a
 * scenario that never calls it is settled at its first sim call or when
 * it returns (lsim_settle).
 */
#include <config.h>
#include "sim/lsim.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"
#include "sim/lsim-private.h"
#include "sim/metrics.h"
#include "sim/record.h"
#include "sim/results.h"
#include "sim/sweep.h"
#include "sim/trace.h"

/* At most this many swept parameters. */
#define SWEEP_VARS_MAX 64

/* Event kinds of component "scenario". */
enum { KIND_AT = 1, KIND_EVERY = 2 };

#define CLS_TIMER "sim.timer"
#define CLS_METRIC "sim.metric"

static const char *const ptype_names[] = {
    [LSIM_P_INTEGER] = "integer", [LSIM_P_NUMBER] = "number",
    [LSIM_P_STRING] = "string", [LSIM_P_BOOLEAN] = "boolean",
    [LSIM_P_UNIT] = "unit",
};

/* --- Parameter values ---------------------------------------------------- */

/* What a value of 'p' looks like, for error messages. */
static const char *
ptype_expected(const struct lsim_param *p)
{
    switch (p->type) {
    case LSIM_P_INTEGER:
        return "an integer";
    case LSIM_P_NUMBER:
        return "a number";
    case LSIM_P_STRING:
        return "a string";
    case LSIM_P_BOOLEAN:
        return "true or false";
    case LSIM_P_UNIT:
        return unit_kind_name(p->unit);
    }
    return "a value";
}

/* Parses 'text' as a value of 'p' into 'v' (which takes a copy of the
 * text).  On failure raises "<context>: <reason>". */
static void
parse_pvalue(lua_State *L, const struct lsim_param *p, const char *text,
             struct lsim_pvalue *v, const char *context)
{
    char uerr[200], *end;

    memset(v, 0, sizeof *v);
    switch (p->type) {
    case LSIM_P_INTEGER:
        errno = 0;
        v->i = strtoll(text, &end, 10);
        if (!*text || *end || errno) {
            lsim_error(L, "%s: '%s' is not an integer", context, text);
        }
        break;
    case LSIM_P_NUMBER:
        errno = 0;
        v->d = strtod(text, &end);
        if (!*text || *end || errno || !isfinite(v->d)) {
            lsim_error(L, "%s: '%s' is not a finite number", context, text);
        }
        break;
    case LSIM_P_BOOLEAN:
        if (!strcmp(text, "true") || !strcmp(text, "yes")
            || !strcmp(text, "on") || !strcmp(text, "1")) {
            v->i = 1;
        } else if (!strcmp(text, "false") || !strcmp(text, "no")
                   || !strcmp(text, "off") || !strcmp(text, "0")) {
            v->i = 0;
        } else {
            lsim_error(L, "%s: '%s' is not a boolean (true or false)",
                       context, text);
        }
        break;
    case LSIM_P_UNIT:
        if (unit_parse(p->unit, text, &v->i, uerr, sizeof uerr)) {
            lsim_error(L, "%s: %s", context, uerr);
        }
        break;
    case LSIM_P_STRING:
        break;
    }
    v->text = lsim_xstrdup(L, text);
}

/* Converts the Lua value at 'idx' to the text of a value of 'p' and parses
 * it into 'v'. */
static void
lua_to_pvalue(lua_State *L, int idx, const struct lsim_param *p,
              struct lsim_pvalue *v, const char *context)
{
    char buf[64];
    const char *text = buf;

    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
        text = lua_tostring(L, idx);
        break;
    case LUA_TBOOLEAN:
        text = lua_toboolean(L, idx) ? "true" : "false";
        break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            lua_Integer n = lua_tointeger(L, idx);
            if (p->type == LSIM_P_UNIT) {
                if (n < 0) {
                    lsim_error(L, "%s: %s must not be negative", context,
                               lua_tostring(L, idx));
                }
                unit_format(p->unit, n, buf, sizeof buf);
            } else {
                snprintf(buf, sizeof buf, "%lld", (long long)n);
            }
        } else {
            snprintf(buf, sizeof buf, "%.17g", lua_tonumber(L, idx));
        }
        break;
    default:
        lsim_error(L, "%s must be %s, got %s", context, ptype_expected(p),
                   luaL_typename(L, idx));
    }
    if (p->type == LSIM_P_STRING && lua_type(L, idx) != LUA_TSTRING) {
        lsim_error(L, "%s must be a string, got %s", context,
                   luaL_typename(L, idx));
    }
    parse_pvalue(L, p, text, v, context);
}

static int
pvalue_cmp(const struct lsim_param *p, const struct lsim_pvalue *a,
           const struct lsim_pvalue *b)
{
    switch (p->type) {
    case LSIM_P_NUMBER:
        return (a->d > b->d) - (a->d < b->d);
    case LSIM_P_STRING:
        return strcmp(a->text, b->text);
    default:
        return (a->i > b->i) - (a->i < b->i);
    }
}

/* Checks 'v' against the range and allowed values of 'p'. */
static void
check_pvalue(lua_State *L, const struct lsim_param *p,
             const struct lsim_pvalue *v, const char *context)
{
    if (p->has_min && pvalue_cmp(p, v, &p->min) < 0) {
        lsim_error(L, "%s: %s is below the minimum %s", context, v->text,
                   p->min.text);
    }
    if (p->has_max && pvalue_cmp(p, v, &p->max) > 0) {
        lsim_error(L, "%s: %s is above the maximum %s", context, v->text,
                   p->max.text);
    }
    if (p->n_choices) {
        const char *names[64];
        size_t n = p->n_choices < 64 ? p->n_choices : 64;
        for (size_t i = 0; i < p->n_choices; i++) {
            if (!pvalue_cmp(p, v, &p->choices[i])) {
                return;
            }
        }
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (size_t i = 0; i < n; i++) {
            names[i] = p->choices[i].text;
            luaL_addstring(&b, i ? ", " : "");
            luaL_addstring(&b, names[i]);
        }
        luaL_pushresult(&b);
        const char *hint = lsim_suggest(v->text, names, n);
        lsim_error(L, "%s: '%s' is not one of %s%s%s%s", context, v->text,
                   lua_tostring(L, -1), hint ? " (did you mean '" : "",
                   hint ? hint : "", hint ? "'?)" : "");
    }
}

static void
free_pvalue(struct lsim_pvalue *v)
{
    free(v->text);
    v->text = NULL;
}

/* --- Settling: run number, overrides, seed --------------------------------- */

static struct lsim_param *
find_param(struct lsim *h, const char *name)
{
    for (size_t i = 0; i < h->n_params; i++) {
        if (!strcmp(h->params[i].name, name)) {
            return &h->params[i];
        }
    }
    return NULL;
}

/* Applies the run number, the -p overrides and the seed, once the
 * parameters are known.  Raises on a bad -r or -p. */
static void
settle(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    struct sweep_var vars[SWEEP_VARS_MAX];
    struct sweep s;
    size_t idx[SWEEP_VARS_MAX];
    uint64_t runs;
    char context[300];

    h->declared = true;

    /* The sweep and this run's point in it. */
    for (size_t k = 0; k < h->n_swept; k++) {
        struct lsim_param *p = &h->params[h->swept[k]];
        const char **values = (const char **)lua_newuserdatauv(
            L, p->n_sweep * sizeof *values, 0);
        for (size_t j = 0; j < p->n_sweep; j++) {
            values[j] = p->sweep[j].text;
        }
        vars[k] = (struct sweep_var){ p->name, values, p->n_sweep };
    }
    s = (struct sweep){ vars, h->n_swept, h->repetitions };
    if (sweep_count(&s, &runs)) {
        lsim_error(L, "sim.params: the sweep has more than %d runs",
                   SWEEP_MAX_RUNS);
    }
    if (h->opts.run_number >= runs) {
        lsim_error(L, "-r %" PRIu64 ": the scenario has %" PRIu64 " run%s "
                   "(0..%" PRIu64 ")", h->opts.run_number, runs,
                   runs == 1 ? "" : "s", runs - 1);
    }
    sweep_decode(&s, h->opts.run_number, idx, &h->repetition);
    for (size_t k = 0; k < h->n_swept; k++) {
        struct lsim_param *p = &h->params[h->swept[k]];
        p->value = p->sweep[idx[k]];
        p->source = LSIM_FROM_SWEEP;
    }

    /* -p overrides, in command-line order (the last one wins). */
    for (size_t i = 0; i < h->opts.n_overrides; i++) {
        const struct lsim_override *o = &h->opts.overrides[i];
        struct lsim_param *p = find_param(h, o->name);

        snprintf(context, sizeof context, "-p %s=%s", o->name, o->value);
        if (!p) {
            const char *names[256];
            size_t n = h->n_params < 256 ? h->n_params : 256;
            for (size_t j = 0; j < n; j++) {
                names[j] = h->params[j].name;
            }
            const char *hint = lsim_suggest(o->name, names, n);
            if (!h->n_params) {
                lsim_error(L, "%s: the scenario declares no parameters",
                           context);
            }
            lsim_error(L, "%s: no parameter '%s'%s%s%s", context, o->name,
                       hint ? " (did you mean '" : "", hint ? hint : "",
                       hint ? "'?)" : "");
        }
        struct lsim_pvalue v;
        parse_pvalue(L, p, o->value, &v, context);
        if (p->source == LSIM_FROM_OVERRIDE) {
            free_pvalue(&p->value);
        }
        p->value = v;
        p->source = LSIM_FROM_OVERRIDE;
        check_pvalue(L, p, &p->value, context);
    }

    h->seed = h->opts.seed_given
            ? h->opts.seed
            : sweep_seed(0, h->seedset_repetition, h->opts.run_number,
                         h->repetition);
    rng_init_stream(&h->math_rng, h->seed, "scenario", "math.random");
}

int
lsim_settle(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);

    if (!h->declared) {
        settle(L);
    }
    return 0;
}

/* Every API function but sim.params starts here.  'fn' is its name, for
 * the error raised when the simulation is gone (the Lua state is
 * closing); the functions that add to the run ('later' true: timers,
 * metrics, finish hooks) are also refused once the run has ended (from a
 * sim.finish hook), where they would silently do nothing. */
static struct lsim *
api_enter_phase(lua_State *L, const char *fn, bool later)
{
    struct lsim *h = lsim_from_lua(L);

    if (h->handles_dead) {
        lsim_error(L, "%s: the simulation has ended", fn);
    }
    if (later && h->finishing) {
        lsim_error(L, "%s: the run has ended (sim.finish hooks run after "
                   "the last event; only sim.scalar and reading metrics "
                   "make sense there)", fn);
    }
    if (!h->declared) {
        settle(L);
    }
    return h;
}

static struct lsim *
api_enter(lua_State *L, const char *fn)
{
    return api_enter_phase(L, fn, false);
}

/* --- sim.params ------------------------------------------------------------ */

static bool
identifier_ok(const char *s)
{
    if (!*s || !(((*s | 32) >= 'a' && (*s | 32) <= 'z') || *s == '_')) {
        return false;
    }
    for (; *s; s++) {
        if (!(((*s | 32) >= 'a' && (*s | 32) <= 'z') || *s == '_'
              || (*s >= '0' && *s <= '9'))) {
            return false;
        }
    }
    return true;
}

static const struct lsim_field param_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .required = true,
      .help = "the parameter's name, as -p NAME=VALUE uses it" },
    { .name = "default", .type = LSIM_F_ANY, .required = true },
    { .name = "description", .type = LSIM_F_STRING, .required = true,
      .help = "one line saying what it means" },
    { .name = "unit", .type = LSIM_F_STRING },
    { .name = "type", .type = LSIM_F_STRING },
    { .name = "min", .type = LSIM_F_ANY },
    { .name = "max", .type = LSIM_F_ANY },
    { .name = "values", .type = LSIM_F_TABLE },
    { .name = "sweep", .type = LSIM_F_TABLE },
};
enum { PF_NAME, PF_DEFAULT, PF_DESCRIPTION, PF_UNIT, PF_TYPE, PF_MIN, PF_MAX,
       PF_VALUES, PF_SWEEP, PF_N };

/* Reads the array at registry reference 'ref' into values of 'p', stored
 * in '*list_out' (owned by 'p' from the start, so nothing leaks when a bad
 * entry raises an error). */
static void
read_value_list(lua_State *L, int ref, const struct lsim_param *p,
                const char *field, struct lsim_pvalue **list_out,
                size_t *n_out)
{
    struct lsim_pvalue *list;
    char context[200];
    lua_Integer n;

    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    n = (lua_Integer)lua_rawlen(L, -1);
    if (n == 0) {
        lsim_error(L, "sim.params: parameter '%s': '%s' must be a non-empty "
                   "list of values", p->name, field);
    }
    list = calloc((size_t)n, sizeof *list);
    if (!list) {
        luaL_error(L, "out of memory");
    }
    *list_out = list;
    *n_out = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        snprintf(context, sizeof context, "sim.params: parameter '%s': %s[%d]",
                 p->name, field, (int)i);
        lua_rawgeti(L, -1, i);
        if (lua_isnil(L, -1)) {
            lsim_error(L, "%s is missing (a list has no holes)", context);
        }
        lua_to_pvalue(L, -1, p, &list[i - 1], context);
        lua_pop(L, 1);
        (*n_out)++;
    }
    lua_pop(L, 1);
}

/* __index of the parameter table: only called for a name that has no
 * value, which is an error. */
static int
params_index(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    const char *key = lua_tostring(L, 2);
    const char *names[256];
    size_t n = h->n_params < 256 ? h->n_params : 256;

    for (size_t i = 0; i < n; i++) {
        names[i] = h->params[i].name;
    }
    const char *hint = key ? lsim_suggest(key, names, n) : NULL;
    return lsim_error(L, "no parameter '%s'%s%s%s", key ? key : "?",
                      hint ? " (did you mean '" : "", hint ? hint : "",
                      hint ? "'?)" : "");
}

static int
params_newindex(lua_State *L)
{
    return lsim_error(L, "the parameter table is read-only; declare "
                      "parameters in sim.params");
}

static void
push_pvalue(lua_State *L, const struct lsim_param *p)
{
    switch (p->type) {
    case LSIM_P_INTEGER:
    case LSIM_P_UNIT:
        lua_pushinteger(L, p->value.i);
        break;
    case LSIM_P_NUMBER:
        lua_pushnumber(L, p->value.d);
        break;
    case LSIM_P_BOOLEAN:
        lua_pushboolean(L, (int)p->value.i);
        break;
    case LSIM_P_STRING:
        lua_pushstring(L, p->value.text);
        break;
    }
}

static int
l_params(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    lua_Integer n;

    if (h->params_called) {
        return lsim_error(L, "sim.params may be called only once");
    }
    if (h->declared) {
        return lsim_error(L, "sim.params must come before every other sim "
                          "function and math.random (the run number and "
                          "seed are settled by then)");
    }
    h->params_called = true;
    luaL_checktype(L, 1, LUA_TTABLE);

    /* Keys: the list of parameter tables, 'repetitions' and 'seedset'.
     * Report unknown names in byte order, whatever pairs() does. */
    {
        char unknown[80] = "";
        lua_pushnil(L);
        while (lua_next(L, 1)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) == LUA_TSTRING) {
                const char *k = lua_tostring(L, -1);
                if (strcmp(k, "repetitions") && strcmp(k, "seedset")
                    && (!unknown[0] || strcmp(k, unknown) < 0)) {
                    snprintf(unknown, sizeof unknown, "%s", k);
                }
            } else if (!lua_isinteger(L, -1)) {
                return lsim_error(L, "sim.params: unexpected key of type %s",
                                  luaL_typename(L, -1));
            }
        }
        if (unknown[0]) {
            static const char *const top[] = { "repetitions", "seedset" };
            const char *hint = lsim_suggest(unknown, top, 2);
            return lsim_error(L, "sim.params: unknown field '%s'%s%s%s "
                              "(parameters go in the list: sim.params{ "
                              "{ name = ..., default = ..., description = "
                              "... }, ... })", unknown,
                              hint ? " (did you mean '" : "",
                              hint ? hint : "", hint ? "'?)" : "");
        }
    }
    lua_getfield(L, 1, "repetitions");
    if (!lua_isnil(L, -1)) {
        int isnum;
        lua_Integer r = lua_tointegerx(L, -1, &isnum);
        if (!isnum || r < 1 || r > SWEEP_MAX_RUNS) {
            return lsim_error(L, "sim.params: 'repetitions' must be an "
                              "integer from 1 to %d, got %s", SWEEP_MAX_RUNS,
                              luaL_tolstring(L, -1, NULL));
        }
        h->repetitions = (uint32_t)r;
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "seedset");
    if (!lua_isnil(L, -1)) {
        const char *ss = lua_tostring(L, -1);
        if (lua_type(L, -1) != LUA_TSTRING
            || (strcmp(ss, "run") && strcmp(ss, "repetition"))) {
            return lsim_error(L, "sim.params: 'seedset' must be 'run' or "
                              "'repetition', got %s",
                              luaL_tolstring(L, -1, NULL));
        }
        h->seedset_repetition = !strcmp(ss, "repetition");
    }
    lua_pop(L, 1);

    n = (lua_Integer)lua_rawlen(L, 1);
    if (n > 256) {
        return lsim_error(L, "sim.params: at most 256 parameters");
    }
    h->params = calloc((size_t)n + 1, sizeof *h->params);
    h->swept = calloc((size_t)n + 1, sizeof *h->swept);
    if (!h->params || !h->swept) {
        return luaL_error(L, "out of memory");
    }
    for (lua_Integer i = 1; i <= n; i++) {
        struct lsim_value v[PF_N];
        struct lsim_param *p = &h->params[h->n_params];
        char what[64], context[200];

        snprintf(what, sizeof what, "sim.params: entry #%d", (int)i);
        if (lua_rawgeti(L, 1, i) != LUA_TTABLE) {
            return lsim_error(L, "%s must be a table { name = ..., default "
                              "= ..., description = ... }, got %s", what,
                              luaL_typename(L, -1));
        }
        lsim_read_table(L, -1, what, param_fields, PF_N, v);
        lua_pop(L, 1);
        h->n_params++;                  /* owned by h from here */
        p->name = lsim_xstrdup(L, v[PF_NAME].s);
        p->description = lsim_xstrdup(L, v[PF_DESCRIPTION].s);
        if (!identifier_ok(p->name) || !strcmp(p->name, "repetition")
            || !strcmp(p->name, "run")) {
            return lsim_error(L, "%s: name '%s' is not allowed (letters, "
                              "digits and '_', not starting with a digit; "
                              "'run' and 'repetition' are reserved)", what,
                              p->name);
        }
        for (size_t j = 0; j + 1 < h->n_params; j++) {
            if (!strcmp(h->params[j].name, p->name)) {
                return lsim_error(L, "sim.params: parameter '%s' is "
                                  "declared twice", p->name);
            }
        }

        /* The type: a unit, an explicit type, or the default's type. */
        if (v[PF_UNIT].present) {
            if (unit_kind_from_name(v[PF_UNIT].s, &p->unit)) {
                return lsim_error(L, "sim.params: parameter '%s': unknown "
                                  "unit '%s' (expected time, rate, size, "
                                  "frequency, percent or count)", p->name,
                                  v[PF_UNIT].s);
            }
            p->type = LSIM_P_UNIT;
        } else if (v[PF_TYPE].present) {
            size_t t = 0;
            while (t < LSIM_P_UNIT && strcmp(ptype_names[t], v[PF_TYPE].s)) {
                t++;
            }
            if (t == LSIM_P_UNIT) {
                return lsim_error(L, "sim.params: parameter '%s': unknown "
                                  "type '%s' (expected integer, number, "
                                  "string or boolean; or give a unit)",
                                  p->name, v[PF_TYPE].s);
            }
            p->type = (enum lsim_ptype)t;
        } else {
            lua_rawgeti(L, LUA_REGISTRYINDEX, v[PF_DEFAULT].ref);
            switch (lua_type(L, -1)) {
            case LUA_TNUMBER:
                p->type = lua_isinteger(L, -1) ? LSIM_P_INTEGER
                                               : LSIM_P_NUMBER;
                break;
            case LUA_TBOOLEAN:
                p->type = LSIM_P_BOOLEAN;
                break;
            case LUA_TSTRING:
                p->type = LSIM_P_STRING;
                break;
            default:
                return lsim_error(L, "sim.params: parameter '%s': default "
                                  "must be a number, string or boolean, got "
                                  "%s", p->name, luaL_typename(L, -1));
            }
            lua_pop(L, 1);
        }

        if (v[PF_MIN].present || v[PF_MAX].present) {
            if (p->type == LSIM_P_STRING || p->type == LSIM_P_BOOLEAN) {
                return lsim_error(L, "sim.params: parameter '%s': min and "
                                  "max apply to numbers and units only",
                                  p->name);
            }
        }
        if (v[PF_MIN].present) {
            snprintf(context, sizeof context, "sim.params: parameter '%s': "
                     "min", p->name);
            lua_rawgeti(L, LUA_REGISTRYINDEX, v[PF_MIN].ref);
            lua_to_pvalue(L, -1, p, &p->min, context);
            lua_pop(L, 1);
            p->has_min = true;
        }
        if (v[PF_MAX].present) {
            snprintf(context, sizeof context, "sim.params: parameter '%s': "
                     "max", p->name);
            lua_rawgeti(L, LUA_REGISTRYINDEX, v[PF_MAX].ref);
            lua_to_pvalue(L, -1, p, &p->max, context);
            lua_pop(L, 1);
            p->has_max = true;
        }
        if (v[PF_VALUES].present) {
            read_value_list(L, v[PF_VALUES].ref, p, "values", &p->choices,
                            &p->n_choices);
        }
        snprintf(context, sizeof context, "sim.params: parameter '%s': "
                 "default", p->name);
        lua_rawgeti(L, LUA_REGISTRYINDEX, v[PF_DEFAULT].ref);
        lua_to_pvalue(L, -1, p, &p->def, context);
        lua_pop(L, 1);
        check_pvalue(L, p, &p->def, context);
        p->value = p->def;
        if (v[PF_SWEEP].present) {
            if (h->n_swept == SWEEP_VARS_MAX) {
                return lsim_error(L, "sim.params: at most %d swept "
                                  "parameters", SWEEP_VARS_MAX);
            }
            read_value_list(L, v[PF_SWEEP].ref, p, "sweep", &p->sweep,
                            &p->n_sweep);
            for (size_t j = 0; j < p->n_sweep; j++) {
                snprintf(context, sizeof context, "sim.params: parameter "
                         "'%s': sweep[%zu]", p->name, j + 1);
                check_pvalue(L, p, &p->sweep[j], context);
                for (size_t k = 0; k < j; k++) {
                    if (!pvalue_cmp(p, &p->sweep[j], &p->sweep[k])) {
                        return lsim_error(L, "%s: '%s' repeats sweep[%zu]",
                                          context, p->sweep[j].text, k + 1);
                    }
                }
            }
            h->swept[h->n_swept++] = h->n_params - 1;
        }
        for (size_t f = 0; f < PF_N; f++) {
            if (v[f].ref != LUA_NOREF) {
                luaL_unref(L, LUA_REGISTRYINDEX, v[f].ref);
            }
        }
    }
    settle(L);

    /* The values, in a table that refuses unknown names. */
    lua_createtable(L, 0, (int)h->n_params);
    for (size_t i = 0; i < h->n_params; i++) {
        push_pvalue(L, &h->params[i]);
        lua_setfield(L, -2, h->params[i].name);
    }
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, params_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, params_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    return 1;
}

/* --- sim.config ------------------------------------------------------------- */

static const struct lsim_field config_fields[] = {
    { .name = "duration", .type = LSIM_F_UNIT, .unit = UNIT_TIME,
      .ranged = true, .min = 1, .max = INT64_MAX - 1,
      .help = "simulated time the run lasts" },
    { .name = "warmup", .type = LSIM_F_UNIT, .unit = UNIT_TIME, .def = "0ps",
      .help = "statistics are reset at this time" },
    { .name = "sample", .type = LSIM_F_UNIT, .unit = UNIT_TIME,
      .ranged = true, .min = 1, .max = INT64_MAX - 1,
      .help = "interval of time series" },
};

static int
l_config(lua_State *L)
{
    struct lsim *h = api_enter(L, "sim.config");
    struct lsim_value v[3];

    if (h->config_called) {
        return lsim_error(L, "sim.config may be called only once");
    }
    lsim_read_table(L, 1, "sim.config", config_fields, 3, v);
    h->config_called = true;
    h->duration = v[0].present ? v[0].i : 0;
    h->warmup = v[1].i;
    h->sample = v[2].present ? v[2].i : 0;
    if (h->duration && h->warmup >= h->duration) {
        char w[48], d[48];
        unit_format(UNIT_TIME, h->warmup, w, sizeof w);
        unit_format(UNIT_TIME, h->duration, d, sizeof d);
        return lsim_error(L, "sim.config: warmup %s must be shorter than "
                          "duration %s", w, d);
    }
    return 0;
}

/* --- Time arguments ---------------------------------------------------------- */

/* Reads a time argument ("5us" or integer ps) at 'arg' of function 'fn'. */
static sim_time_t
check_time(lua_State *L, int arg, const char *fn)
{
    char uerr[200];
    int64_t t;
    int isnum;

    if (lua_type(L, arg) == LUA_TSTRING) {
        if (unit_parse(UNIT_TIME, lua_tostring(L, arg), &t, uerr,
                       sizeof uerr)) {
            lsim_error(L, "%s: argument #%d: %s", fn, arg, uerr);
        }
        return t;
    }
    t = lua_tointegerx(L, arg, &isnum);
    if (lua_type(L, arg) != LUA_TNUMBER || !isnum || t < 0) {
        lsim_error(L, "%s: argument #%d must be a time such as '5us' or a "
                   "non-negative integer of ps, got %s", fn, arg,
                   lua_type(L, arg) == LUA_TNUMBER ? lua_tostring(L, arg)
                                                   : luaL_typename(L, arg));
    }
    return t;
}

/* --- Timers ------------------------------------------------------------------- */

static void
timer_fire(struct sim *sim, void *ctx)
{
    struct lsim_timer *t = ctx;
    struct lsim *h = t->h;
    lua_State *L = h->L;

    t->ev = SIM_EVENT_NONE;
    if (h->failed || !L) {
        return;
    }
    if (t->interval_ps && sim_now(sim) <= SIM_TIME_MAX - t->interval_ps) {
        if (sim_schedule_in(sim, t->interval_ps, h->comp, KIND_EVERY,
                            timer_fire, t, &t->ev)) {
            snprintf(h->err, sizeof h->err, "%s out of memory", t->where);
            h->failed = true;
            sim_stop(sim);
            return;
        }
    }
    trace_instant(h->trace, h->comp, "scenario",
                  t->interval_ps ? "sim.every" : "sim.at", "callback",
                  sim_now(sim));
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->fn_ref);
    lua_pushinteger(L, sim_now(sim));
    h->in_callback = true;
    h->cb_where = t->where;
    if (lsim_pcall(h, 1, 0, h->opts.callback_budget, h->err,
                   sizeof h->err)) {
        h->failed = true;
        sim_stop(sim);
    }
    h->cb_where = NULL;
    h->in_callback = false;
}

static struct lsim_timer *
new_timer(lua_State *L, int fn_arg, sim_time_t interval)
{
    struct lsim *h = lsim_from_lua(L);
    struct lsim_timer *t;
    char where[200];

    luaL_checktype(L, fn_arg, LUA_TFUNCTION);
    h->timers = lsim_grow(L, h->timers, &h->cap_timers, h->n_timers,
                          sizeof *h->timers);
    t = calloc(1, sizeof *t);
    if (!t) {
        luaL_error(L, "out of memory");
    }
    h->timers[h->n_timers++] = t;
    t->h = h;
    t->interval_ps = interval;
    t->fn_ref = LUA_NOREF;
    luaL_where(L, 1);
    snprintf(where, sizeof where, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    t->where = lsim_xstrdup(L, where);
    lua_pushvalue(L, fn_arg);
    t->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return t;
}

/* sim.at(time, fn): calls fn(now) once at absolute time 'time'. */
static int
l_at(lua_State *L)
{
    struct lsim *h = api_enter_phase(L, "sim.at", true);
    sim_time_t when = check_time(L, 1, "sim.at");
    struct lsim_timer *t;

    if (when < sim_now(h->sim)) {
        char a[48], b[48];
        unit_format(UNIT_TIME, when, a, sizeof a);
        unit_format(UNIT_TIME, sim_now(h->sim), b, sizeof b);
        return lsim_error(L, "sim.at: time %s is in the past (now is %s)",
                          a, b);
    }
    if (when >= SIM_TIME_MAX) {
        return lsim_error(L, "sim.at: time is too large");
    }
    t = new_timer(L, 2, 0);
    if (sim_schedule_at(h->sim, when, h->comp, KIND_AT, timer_fire, t,
                        &t->ev)) {
        return luaL_error(L, "out of memory");
    }
    lsim_push_handle(L, CLS_TIMER, t);
    return 1;
}

/* sim.every(interval, fn [, start]): calls fn(now) at 'start' (default:
 * now + interval), then every 'interval'. */
static int
l_every(lua_State *L)
{
    struct lsim *h = api_enter_phase(L, "sim.every", true);
    sim_time_t interval = check_time(L, 1, "sim.every");
    sim_time_t start;
    struct lsim_timer *t;

    if (interval <= 0) {
        return lsim_error(L, "sim.every: the interval must be positive");
    }
    if (lua_isnoneornil(L, 3)) {
        if (sim_now(h->sim) > SIM_TIME_MAX - 1 - interval) {
            return lsim_error(L, "sim.every: the interval is too large");
        }
        start = sim_now(h->sim) + interval;
    } else {
        start = check_time(L, 3, "sim.every");
        if (start < sim_now(h->sim) || start >= SIM_TIME_MAX) {
            return lsim_error(L, "sim.every: the start time is in the past "
                              "or too large");
        }
    }
    t = new_timer(L, 2, interval);
    if (sim_schedule_at(h->sim, start, h->comp, KIND_EVERY, timer_fire, t,
                        &t->ev)) {
        return luaL_error(L, "out of memory");
    }
    lsim_push_handle(L, CLS_TIMER, t);
    return 1;
}

/* timer:cancel(): true if it was pending. */
static int
l_timer_cancel(lua_State *L)
{
    struct lsim_timer *t = lsim_check_handle(L, 1, CLS_TIMER);
    bool was = sim_cancel(t->h->sim, t->ev);

    t->ev = SIM_EVENT_NONE;
    t->interval_ps = 0;
    lua_pushboolean(L, was);
    return 1;
}

/* --- Scenario metrics -------------------------------------------------------- */

static const char *const metric_kinds[] = {
    "counter", "gauge", "timeavg", "histogram", NULL
};

static const struct lsim_field metric_fields[] = {
    { .name = "name", .type = LSIM_F_STRING, .required = true },
    { .name = "kind", .type = LSIM_F_ENUM, .choices = metric_kinds,
      .required = true },
    { .name = "unit", .type = LSIM_F_STRING, .def = "" },
    { .name = "description", .type = LSIM_F_STRING, .required = true },
    { .name = "series", .type = LSIM_F_BOOL, .def = "false" },
};

static int
l_metric(lua_State *L)
{
    struct lsim *h = api_enter_phase(L, "sim.metric", true);
    struct lsim_value v[5];
    struct metric *m = NULL;
    char full[300], where[200];

    lsim_read_table(L, 1, "sim.metric", metric_fields, 5, v);
    for (const char *c = v[0].s; *c; c++) {
        if (*c == ' ' || *c == '\t' || *c == '\n') {
            return lsim_error(L, "sim.metric: name '%s' must not contain "
                              "spaces", v[0].s);
        }
    }
    if (!*v[0].s) {
        return lsim_error(L, "sim.metric: name must not be empty");
    }
    snprintf(full, sizeof full, "scenario.%s", v[0].s);
    if (metrics_find(h->metrics, full)) {
        return lsim_error(L, "sim.metric: a metric named '%s' already "
                          "exists", v[0].s);
    }
    switch (v[1].s[0]) {
    case 'c':
        m = metrics_counter(h->metrics, h->comp, v[0].s, v[2].s, v[3].s);
        break;
    case 'g':
        m = metrics_gauge(h->metrics, h->comp, v[0].s, v[2].s, v[3].s);
        break;
    case 't':
        m = metrics_timeavg(h->metrics, h->comp, v[0].s, v[2].s, v[3].s, 0);
        break;
    default:
        m = metrics_histogram(h->metrics, h->comp, v[0].s, v[2].s, v[3].s);
        break;
    }
    if (!m) {
        return luaL_error(L, "out of memory");
    }
    if (v[4].i && metric_kind(m) == METRIC_HISTOGRAM) {
        return lsim_error(L, "sim.metric: a histogram cannot have a series "
                          "(series sample counters, gauges and timeavgs)");
    }
    luaL_where(L, 1);
    snprintf(where, sizeof where, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    h->smetrics = lsim_grow(L, h->smetrics, &h->cap_smetrics, h->n_smetrics,
                            sizeof *h->smetrics);
    h->smetrics[h->n_smetrics++] = (struct lsim_smetric){
        m, v[4].i != 0, lsim_xstrdup(L, where)
    };
    lsim_push_handle(L, CLS_METRIC, m);
    return 1;
}

static struct metric *
check_metric_kind(lua_State *L, const char *method, enum metric_kind want,
                  enum metric_kind also)
{
    struct metric *m = lsim_check_handle(L, 1, CLS_METRIC);
    enum metric_kind k = metric_kind(m);

    if (k != want && k != also) {
        lsim_error(L, "metric '%s' is a %s: %s() is for %s%s%s", metric_name(m),
                   metric_kind_name(k), method, metric_kind_name(want),
                   want != also ? " and " : "",
                   want != also ? metric_kind_name(also) : "");
    }
    return m;
}

static uint64_t
check_count(lua_State *L, int arg, const char *method)
{
    int isnum;
    lua_Integer n = lua_tointegerx(L, arg, &isnum);

    if (!isnum || n < 0) {
        lsim_error(L, "%s: argument must be a non-negative integer, got %s",
                   method, lua_type(L, arg) == LUA_TNUMBER
                   ? lua_tostring(L, arg) : luaL_typename(L, arg));
    }
    return (uint64_t)n;
}

static int
l_metric_add(lua_State *L)
{
    struct metric *m = check_metric_kind(L, "add", METRIC_COUNTER,
                                         METRIC_COUNTER);
    metric_add(m, lua_isnoneornil(L, 2) ? 1 : check_count(L, 2, "add"));
    return 0;
}

static int
l_metric_set(lua_State *L)
{
    struct metric *m = check_metric_kind(L, "set", METRIC_GAUGE,
                                         METRIC_TIMEAVG);
    double v = luaL_checknumber(L, 2);

    if (!isfinite(v)) {
        return lsim_error(L, "set: the value must be finite");
    }
    metric_set(m, v);
    return 0;
}

static int
l_metric_record(lua_State *L)
{
    struct metric *m = check_metric_kind(L, "record", METRIC_HISTOGRAM,
                                         METRIC_HISTOGRAM);
    metric_record(m, check_count(L, 2, "record"));
    return 0;
}

static int
l_metric_value(lua_State *L)
{
    struct metric *m = lsim_check_handle(L, 1, CLS_METRIC);

    lua_pushnumber(L, metric_value(m));
    return 1;
}

/* --- Scalars, finish, stop, now, log, info --------------------------------------- */

static int
l_scalar(lua_State *L)
{
    struct lsim *h = api_enter(L, "sim.scalar");
    const char *name = luaL_checkstring(L, 1);
    double value = luaL_checknumber(L, 2);
    const char *unit = luaL_optstring(L, 3, "");

    for (size_t i = 0; i < h->n_scalars; i++) {
        if (!strcmp(h->scalars[i].name, name)) {
            return lsim_error(L, "sim.scalar: '%s' is already recorded",
                              name);
        }
    }
    for (size_t i = 0; i < h->n_smetrics; i++) {
        if (!strcmp(metric_name(h->smetrics[i].m), name)) {
            return lsim_error(L, "sim.scalar: '%s' is the name of a metric",
                              name);
        }
    }
    h->scalars = lsim_grow(L, h->scalars, &h->cap_scalars, h->n_scalars,
                           sizeof *h->scalars);
    h->scalars[h->n_scalars] = (struct lsim_scalar){
        lsim_xstrdup(L, name), NULL, value
    };
    h->n_scalars++;
    h->scalars[h->n_scalars - 1].unit = lsim_xstrdup(L, unit);
    return 0;
}

static int
l_finish(lua_State *L)
{
    struct lsim *h = api_enter_phase(L, "sim.finish", true);

    luaL_checktype(L, 1, LUA_TFUNCTION);
    h->finish_refs = lsim_grow(L, h->finish_refs, &h->cap_finish,
                               h->n_finish, sizeof *h->finish_refs);
    lua_pushvalue(L, 1);
    h->finish_refs[h->n_finish++] = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

static int
l_stop(lua_State *L)
{
    struct lsim *h = api_enter(L, "sim.stop");

    if (!h->in_callback) {
        return lsim_error(L, "sim.stop: only a sim.at or sim.every callback "
                          "can stop the run");
    }
    h->stopped = true;
    sim_stop(h->sim);
    return 0;
}

static int
l_now(lua_State *L)
{
    struct lsim *h = api_enter(L, "sim.now");

    lua_pushinteger(L, sim_now(h->sim));
    return 1;
}

static int
l_log(lua_State *L)
{
    struct lsim *h = api_enter(L, "sim.log");
    int n = lua_gettop(L);
    luaL_Buffer b;

    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
        if (i < n) {
            luaL_addchar(&b, ' ');
        }
    }
    luaL_pushresult(&b);
    sim_log(h->sim, h->comp, SIM_LOG_INFO, "%s", lua_tostring(L, -1));
    return 0;
}

static int
l_info(lua_State *L)
{
    struct lsim *h = api_enter(L, "sim.info");

    lua_createtable(L, 0, 5);
    lua_pushinteger(L, (lua_Integer)h->opts.run_number);
    lua_setfield(L, -2, "run");
    lua_pushinteger(L, h->repetition);
    lua_setfield(L, -2, "repetition");
    lua_pushinteger(L, (lua_Integer)h->seed);
    lua_setfield(L, -2, "seed");
    lua_pushstring(L, h->opts.scenario_path);
    lua_setfield(L, -2, "scenario");
    lua_pushboolean(L, h->opts.describe);
    lua_setfield(L, -2, "describe");
    return 1;
}

/* --- math.random ---------------------------------------------------------------- */

/* math.random(), math.random(m), math.random(m, n), as Lua's, but drawn
 * from the run's stream (scenario, math.random). */
int
lsim_math_random(lua_State *L)
{
    struct lsim *h = api_enter(L, "math.random");
    lua_Integer lo, hi;

    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, rng_uniform01(&h->math_rng));
        return 1;
    case 1:
        lo = 1;
        hi = luaL_checkinteger(L, 1);
        if (hi == 0) {
            lua_pushinteger(L, (lua_Integer)rng_next(&h->math_rng));
            return 1;
        }
        break;
    case 2:
        lo = luaL_checkinteger(L, 1);
        hi = luaL_checkinteger(L, 2);
        break;
    default:
        return lsim_error(L, "math.random: at most 2 arguments");
    }
    if (lo > hi) {
        return lsim_error(L, "math.random: interval [%lld, %lld] is empty",
                          (long long)lo, (long long)hi);
    }
    lua_pushinteger(L, rng_range(&h->math_rng, lo, hi));
    return 1;
}

/* --- units ------------------------------------------------------------------------ */

static int
l_units_parse(lua_State *L)
{
    enum unit_kind kind = (enum unit_kind)lua_tointeger(L, lua_upvalueindex(1));
    const char *text = luaL_checkstring(L, 1);
    char uerr[200];
    int64_t v;

    if (unit_parse(kind, text, &v, uerr, sizeof uerr)) {
        return lsim_error(L, "units.%s: %s", unit_kind_name(kind), uerr);
    }
    lua_pushinteger(L, v);
    return 1;
}

static int
l_units_format(lua_State *L)
{
    const char *kname = luaL_checkstring(L, 1);
    lua_Integer v = luaL_checkinteger(L, 2);
    enum unit_kind kind;
    char buf[64];

    if (unit_kind_from_name(kname, &kind)) {
        return lsim_error(L, "units.format: unknown kind '%s' (time, rate, "
                          "size, frequency, percent or count)", kname);
    }
    if (v < 0) {
        return lsim_error(L, "units.format: value must not be negative");
    }
    unit_format(kind, v, buf, sizeof buf);
    lua_pushstring(L, buf);
    return 1;
}

/* --- Opening -------------------------------------------------------------------- */

void
lsim_open_api(lua_State *L)
{
    static const luaL_Reg sim_fns[] = {
        { "params", l_params }, { "config", l_config }, { "at", l_at },
        { "every", l_every }, { "metric", l_metric }, { "scalar", l_scalar },
        { "finish", l_finish }, { "stop", l_stop }, { "now", l_now },
        { "log", l_log }, { "info", l_info }, { NULL, NULL },
    };
    static const luaL_Reg timer_methods[] = {
        { "cancel", l_timer_cancel }, { NULL, NULL },
    };
    static const luaL_Reg metric_methods[] = {
        { "add", l_metric_add }, { "set", l_metric_set },
        { "record", l_metric_record }, { "value", l_metric_value },
        { NULL, NULL },
    };

    lsim_new_class(L, CLS_TIMER, timer_methods);
    lsim_new_class(L, CLS_METRIC, metric_methods);
    luaL_newlib(L, sim_fns);
    lua_setglobal(L, "sim");

    lua_newtable(L);
    for (int k = UNIT_TIME; k <= UNIT_COUNT; k++) {
        lua_pushinteger(L, k);
        lua_pushcclosure(L, l_units_parse, 1);
        lua_setfield(L, -2, unit_kind_name((enum unit_kind)k));
    }
    lua_pushcfunction(L, l_units_format);
    lua_setfield(L, -2, "format");
    lua_setglobal(L, "units");
}

/* --- Running ---------------------------------------------------------------------- */

static int
prepare(struct lsim *h, char *err, size_t err_size)
{
    if (!h->duration) {
        snprintf(err, err_size, "%s: no run length: set sim.config{ duration "
                 "= ... } or pass --until", h->opts.scenario_path);
        return EINVAL;
    }
    if (h->warmup >= h->duration) {
        char w[48], d[48];
        unit_format(UNIT_TIME, h->warmup, w, sizeof w);
        unit_format(UNIT_TIME, h->duration, d, sizeof d);
        snprintf(err, err_size, "%s: the run ends at %s, not after its "
                 "warm-up %s", h->opts.scenario_path, d, w);
        return EINVAL;
    }
    if (h->warmup > 0 && metrics_reset_at(h->metrics, h->warmup)) {
        snprintf(err, err_size, "out of memory");
        return ENOMEM;
    }
    for (size_t i = 0; i < h->n_smetrics; i++) {
        if (!h->smetrics[i].series) {
            continue;
        }
        if (!h->sample) {
            snprintf(err, err_size, "%smetric '%s' asks for a series but "
                     "sim.config has no 'sample' interval",
                     h->smetrics[i].where, metric_name(h->smetrics[i].m));
            return EINVAL;
        }
        if (metrics_sample_every(h->metrics, h->smetrics[i].m, h->sample)) {
            snprintf(err, err_size, "out of memory");
            return ENOMEM;
        }
    }
    for (size_t i = 0; i < h->n_starts; i++) {
        int error = h->starts[i].fn(h, h->starts[i].arg, err, err_size);
        if (error) {
            return error;
        }
    }
    if (lsim_check_names(h, err, err_size)) {
        return EINVAL;          /* a model started under a taken name */
    }
    h->prepared = true;
    return 0;
}

int
lsim_run(struct lsim *h, sim_time_t until, bool *done, char *err,
         size_t err_size)
{
    int error;

    *done = false;
    if (!h->prepared && (error = prepare(h, err, err_size))) {
        return error;
    }
    if (until > h->duration) {
        until = h->duration;
    }
    if (!h->interrupt) {
        sim_run(h->sim, until);
    }
    if (h->interrupt && !h->failed) {
        /* A run limit stopped the engine between two events. */
        h->failed = true;
        snprintf(h->err, sizeof h->err, "%s: %s", h->opts.scenario_path,
                 h->interrupt_msg);
    }
    if (h->failed) {
        snprintf(err, err_size, "%s", h->err);
        return EINVAL;
    }
    *done = h->stopped || until >= h->duration;
    return 0;
}

int
lsim_finish(struct lsim *h, char *err, size_t err_size)
{
    h->finishing = true;
    for (size_t i = 0; i < h->n_finish; i++) {
        lua_rawgeti(h->L, LUA_REGISTRYINDEX, h->finish_refs[i]);
        /* The message stays in h->err too: a failed host keeps its
         * reason there for lsim_close_lua(). */
        int error = lsim_pcall(h, 0, 0, h->opts.callback_budget, h->err,
                               sizeof h->err);
        if (error) {
            h->failed = true;
            snprintf(err, err_size, "%s", h->err);
            return error;
        }
    }
    for (size_t i = 0; i < h->n_finishes; i++) {
        h->finishes[i].fn(h->finishes[i].arg);
    }
    metrics_finish(h->metrics);
    return 0;
}

int
lsim_record(struct lsim *h, struct res_run *run)
{
    char text[64];
    int error = 0;

    for (size_t k = 0; k < h->n_swept && !error; k++) {
        const struct lsim_param *p = &h->params[h->swept[k]];
        error = res_run_itervar(run, p->name, p->value.text);
    }
    for (size_t i = 0; i < h->n_params && !error; i++) {
        error = res_run_config(run, h->params[i].name,
                               h->params[i].value.text);
    }
    unit_format(UNIT_TIME, h->duration, text, sizeof text);
    error = error ? error : res_parameter(run, "sim", "duration", text);
    unit_format(UNIT_TIME, h->warmup, text, sizeof text);
    error = error ? error : res_parameter(run, "sim", "warmup", text);
    unit_format(UNIT_TIME, h->sample, text, sizeof text);
    error = error ? error : res_parameter(run, "sim", "sample", text);
    snprintf(text, sizeof text, "%" PRIu64, h->seed);
    error = error ? error : res_parameter(run, "sim", "seed", text);
    for (size_t i = 0; i < h->n_rows && !error; i++) {
        error = res_parameter(run, h->rows[i].module, h->rows[i].name,
                              h->rows[i].value);
    }
    error = error ? error : record_metrics(h->metrics, run);
    for (size_t i = 0; i < h->n_scalars && !error; i++) {
        int64_t id;
        error = res_scalar(run, "scenario", h->scalars[i].name,
                           h->scalars[i].value, &id);
        if (!error && h->scalars[i].unit[0]) {
            error = res_scalar_attr(run, id, "unit", h->scalars[i].unit);
        }
    }
    return error;
}

/* --- Queries for the program ---------------------------------------------------------- */

sim_time_t
lsim_duration(const struct lsim *h)
{
    return h->duration;
}

sim_time_t
lsim_warmup(const struct lsim *h)
{
    return h->warmup;
}

void
lsim_set_duration(struct lsim *h, sim_time_t end)
{
    h->duration = end;
}

uint64_t
lsim_seed(const struct lsim *h)
{
    return h->seed;
}

uint64_t
lsim_run_number(const struct lsim *h)
{
    return h->opts.run_number;
}

uint32_t
lsim_repetition(const struct lsim *h)
{
    return h->repetition;
}

size_t
lsim_sweep_var_count(const struct lsim *h)
{
    return h->n_swept;
}

const char *
lsim_sweep_var_name(const struct lsim *h, size_t i)
{
    return h->params[h->swept[i]].name;
}

size_t
lsim_sweep_value_count(const struct lsim *h, size_t i)
{
    return h->params[h->swept[i]].n_sweep;
}

const char *
lsim_sweep_value(const struct lsim *h, size_t i, size_t j)
{
    return h->params[h->swept[i]].sweep[j].text;
}

const char *
lsim_sweep_var_current(const struct lsim *h, size_t i)
{
    return h->params[h->swept[i]].value.text;
}

uint32_t
lsim_repetitions(const struct lsim *h)
{
    return h->repetitions;
}

bool
lsim_seedset_repetition(const struct lsim *h)
{
    return h->seedset_repetition;
}

size_t
lsim_param_count(const struct lsim *h)
{
    return h->n_params;
}

const char *
lsim_param_name(const struct lsim *h, size_t i)
{
    return h->params[i].name;
}

const char *
lsim_param_value(const struct lsim *h, size_t i)
{
    return h->params[i].value.text;
}

static void
print_value_list(FILE *out, const struct lsim_pvalue *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s%s", i ? ", " : "", v[i].text);
    }
}

void
lsim_print_params(const struct lsim *h, FILE *out)
{
    fprintf(out, "Parameters of %s (override with -p NAME=VALUE):\n",
            h->opts.scenario_path);
    if (!h->n_params) {
        fprintf(out, "  (none)\n");
    }
    for (size_t i = 0; i < h->n_params; i++) {
        const struct lsim_param *p = &h->params[i];
        fprintf(out, "  %s\n      %s\n      type: %s", p->name,
                p->description, p->type == LSIM_P_UNIT
                ? unit_kind_name(p->unit) : ptype_names[p->type]);
        if (p->type == LSIM_P_UNIT) {
            fprintf(out, " (base unit %s)", unit_base_name(p->unit));
        }
        fprintf(out, "; default: %s", p->def.text);
        if (p->has_min && p->has_max) {
            fprintf(out, "; range: %s .. %s", p->min.text, p->max.text);
        } else if (p->has_min) {
            fprintf(out, "; at least %s", p->min.text);
        } else if (p->has_max) {
            fprintf(out, "; at most %s", p->max.text);
        }
        fprintf(out, "\n");
        if (p->n_choices) {
            fprintf(out, "      allowed: ");
            print_value_list(out, p->choices, p->n_choices);
            fprintf(out, "\n");
        }
        if (p->n_sweep) {
            fprintf(out, "      swept over: ");
            print_value_list(out, p->sweep, p->n_sweep);
            fprintf(out, "\n");
        }
    }
}

void
lsim_print_config(const struct lsim *h, FILE *out)
{
    char text[64];

    fprintf(out, "Effective configuration of run %" PRIu64 " (seed %" PRIu64
            "):\n", h->opts.run_number, h->seed);
    for (size_t i = 0; i < h->n_params; i++) {
        const struct lsim_param *p = &h->params[i];
        fprintf(out, "  %s = %s%s\n", p->name, p->value.text,
                p->source == LSIM_FROM_SWEEP ? "   (sweep)"
                : p->source == LSIM_FROM_OVERRIDE ? "   (-p)" : "");
    }
    unit_format(UNIT_TIME, h->duration, text, sizeof text);
    fprintf(out, "  sim.duration = %s\n", h->duration ? text : "(unset)");
    unit_format(UNIT_TIME, h->warmup, text, sizeof text);
    fprintf(out, "  sim.warmup = %s\n", text);
    unit_format(UNIT_TIME, h->sample, text, sizeof text);
    fprintf(out, "  sim.sample = %s\n", h->sample ? text : "(none)");
    for (size_t i = 0; i < h->n_rows; i++) {
        fprintf(out, "  %s.%s = %s\n", h->rows[i].module, h->rows[i].name,
                h->rows[i].value);
    }
}

/* --- Freeing ------------------------------------------------------------------------- */

void
lsim_free_api(struct lsim *h)
{
    for (size_t i = 0; i < h->n_params; i++) {
        struct lsim_param *p = &h->params[i];
        if (p->source == LSIM_FROM_OVERRIDE) {
            free_pvalue(&p->value);
        }
        free(p->name);
        free(p->description);
        free_pvalue(&p->min);
        free_pvalue(&p->max);
        free_pvalue(&p->def);
        for (size_t j = 0; j < p->n_choices; j++) {
            free_pvalue(&p->choices[j]);
        }
        free(p->choices);
        for (size_t j = 0; j < p->n_sweep; j++) {
            free_pvalue(&p->sweep[j]);
        }
        free(p->sweep);
    }
    free(h->params);
    free(h->swept);
    for (size_t i = 0; i < h->n_timers; i++) {
        free(h->timers[i]->where);
        free(h->timers[i]);
    }
    free(h->timers);
    for (size_t i = 0; i < h->n_smetrics; i++) {
        free(h->smetrics[i].where);
    }
    free(h->smetrics);
    for (size_t i = 0; i < h->n_scalars; i++) {
        free(h->scalars[i].name);
        free(h->scalars[i].unit);
    }
    free(h->scalars);
    free(h->finish_refs);
}
