/*
 * lsim.c -- the Lua host's machinery: the state and its sandbox, the
 * memory ceiling and instruction budget, error messages with FILE:LINE,
 * require() from allowed places only, sorted_pairs, handles and
 * constructor tables.  The scenario API itself ('sim', 'units') is in
 * lsim-api.c; lsim.h states the design.
 */
#include <config.h>
#include "sim/lsim.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

#include "sim/lsim-private.h"
#include "sim/metrics.h"
#include "sim/suggest.h"
#include "sim/trace.h"

/* The instruction-count hook fires every HOOK_STEP VM instructions. */
#define HOOK_STEP 1000

/* Work done in C is charged to the instruction budget at one instruction
 * per LSIM_WORK_BYTES bytes allocated, scanned (string.find, match,
 * gmatch, gsub, utf8.len) or collected (collectgarbage): otherwise a loop
 * of a few instructions around one big C call ("while true do
 * string.rep('x', 5e7) end") would run for days within the budget. */
#define LSIM_WORK_BYTES 8

static void budget_hook(lua_State *L, lua_Debug *ar);

/* Adds 'n' instructions of C work to the budget in use.  If that spends
 * the budget, the hook is made to fire at the next instruction (instead
 * of up to HOOK_STEP later, which for a loop around one big C call can be
 * minutes).  lua_sethook() only stores, so this is safe from the
 * allocator. */
static void
charge(struct lsim *h, uint64_t n)
{
    h->used += n;
    if (h->used > h->budget && h->L) {
        lua_sethook(h->L, budget_hook, LUA_MASKCOUNT, 1);
    }
}

/* Registry keys. */
#define REG_LOADED "vnetsim.loaded"         /* require() cache */
#define LOADING_SENTINEL "vnetsim.loading"

/* --- Small utilities ----------------------------------------------------- */

struct lsim *
lsim_from_lua(lua_State *L)
{
    return *(struct lsim **)lua_getextraspace(L);
}

void *
lsim_grow(lua_State *L, void *array, size_t *cap, size_t n, size_t elem_size)
{
    if (n < *cap) {
        return array;
    }
    size_t new_cap = *cap ? *cap * 2 : 8;
    void *p = realloc(array, new_cap * elem_size);
    if (!p) {
        luaL_error(L, "out of memory");
    }
    *cap = new_cap;
    return p;
}

char *
lsim_xstrdup(lua_State *L, const char *s)
{
    char *copy = strdup(s ? s : "");
    if (!copy) {
        luaL_error(L, "out of memory");
    }
    return copy;
}

const char *
lsim_strdup(lua_State *L, const char *s)
{
    struct lsim *h = lsim_from_lua(L);
    h->strings = lsim_grow(L, h->strings, &h->cap_strings, h->n_strings,
                           sizeof *h->strings);
    char *copy = lsim_xstrdup(L, s);
    h->strings[h->n_strings++] = copy;
    return copy;
}

static void one_line(char *buf, size_t size, const char *msg);

void
lsim_on_start(lua_State *L, lsim_start_fn *fn, void *arg)
{
    struct lsim *h = lsim_from_lua(L);
    h->starts = lsim_grow(L, h->starts, &h->cap_starts, h->n_starts,
                          sizeof *h->starts);
    h->starts[h->n_starts++] = (struct lsim_start){ fn, arg };
}

void
lsim_on_destroy(lua_State *L, void (*fn)(void *arg), void *arg)
{
    struct lsim *h = lsim_from_lua(L);
    h->destroys = lsim_grow(L, h->destroys, &h->cap_destroys, h->n_destroys,
                            sizeof *h->destroys);
    h->destroys[h->n_destroys++] = (struct lsim_destroy){ fn, arg };
}

void
lsim_on_finish(lua_State *L, void (*fn)(void *arg), void *arg)
{
    struct lsim *h = lsim_from_lua(L);
    h->finishes = lsim_grow(L, h->finishes, &h->cap_finishes, h->n_finishes,
                            sizeof *h->finishes);
    h->finishes[h->n_finishes++] = (struct lsim_destroy){ fn, arg };
}

sim_time_t
lsim_sample_interval(const struct lsim *h)
{
    return h->sample;
}

void
lsim_fail(struct lsim *h, const char *fmt, ...)
{
    char msg[sizeof h->err];
    va_list ap;

    if (h->failed) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    one_line(h->err, sizeof h->err, msg);
    h->failed = true;
    sim_stop(h->sim);
}

void
lsim_interrupt(struct lsim *h, const char *msg)
{
    size_t i = 0;

    if (h->interrupt) {
        return;
    }
    /* No snprintf: this runs in a signal handler. */
    for (; msg[i] && i + 1 < sizeof h->interrupt_msg; i++) {
        h->interrupt_msg[i] = msg[i];
    }
    h->interrupt_msg[i] = '\0';
    h->interrupt = 1;
    sim_stop(h->sim);
}

const char *
lsim_suggest(const char *word, const char *const *cands, size_t n)
{
    return suggest_closest(word, cands, n);
}

/* Copies 'msg' into 'buf' as one line: newlines and tabs become spaces. */
static void
one_line(char *buf, size_t size, const char *msg)
{
    size_t i = 0;

    if (!size) {
        return;
    }
    for (; msg[i] && i + 1 < size; i++) {
        char c = msg[i];
        buf[i] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    buf[i] = '\0';
}

/* True if 'msg' starts with a Lua position "SOURCE:LINE: ". */
static bool
has_position(const char *msg)
{
    for (size_t i = 1; msg[i] && i < 300; i++) {
        if (msg[i] == ':' && isdigit((unsigned char)msg[i + 1])) {
            size_t j = i + 1;
            while (isdigit((unsigned char)msg[j])) {
                j++;
            }
            if (msg[j] == ':') {
                return true;
            }
        }
        if (msg[i] == '\n') {
            break;
        }
    }
    return false;
}

/* Stores "SOURCE:LINE:" of the innermost Lua function on the stack of 'L'
 * into 'buf', or "" if there is none. */
static void
innermost_position(lua_State *L, char *buf, size_t size)
{
    lua_Debug ar;

    buf[0] = '\0';
    for (int level = 0; level < 50 && lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(buf, size, "%s:%d:", ar.short_src, ar.currentline);
            return;
        }
    }
}

/* The metrics registry's duplicate hook: notes where the scenario was when
 * an object took a name already in use. */
static void
note_duplicate(void *ctx, const char *full_name)
{
    struct lsim *h = ctx;

    (void)full_name;
    if (!h->dup_where[0] && h->L) {
        innermost_position(h->L, h->dup_where, sizeof h->dup_where);
    }
}

int
lsim_check_names(struct lsim *h, char *err, size_t err_size)
{
    const char *dup = metrics_duplicate(h->metrics);
    char msg[700];

    if (!dup) {
        return 0;
    }
    if (h->dup_where[0]) {
        snprintf(msg, sizeof msg, "%s two objects have the same name: "
                 "metric '%s' would be registered twice (give each object "
                 "a name of its own)", h->dup_where, dup);
    } else {
        snprintf(msg, sizeof msg, "%s: two objects have the same name: "
                 "metric '%s' would be registered twice (give each object "
                 "a name of its own)", h->opts.scenario_path, dup);
    }
    one_line(err, err_size, msg);
    return EINVAL;
}

int
lsim_error(lua_State *L, const char *fmt, ...)
{
    char msg[1024];
    va_list args;

    /* vsnprintf, not lua_pushvfstring: the full printf language. */
    va_start(args, fmt);
    vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    luaL_where(L, 1);
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    return lua_error(L);
}

/* --- Memory ceiling ------------------------------------------------------- */

/* The allocator of every host's Lua state: realloc with a ceiling.  When a
 * request would pass it, the host notes where the script was (so the error
 * can name FILE:LINE, which Lua does not report for memory errors) and the
 * allocation fails; Lua then raises its memory error. */
static void *
lsim_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct lsim *h = ud;
    size_t old = ptr ? osize : 0;

    if (nsize == 0) {
        free(ptr);
        h->mem_used -= old;
        return NULL;
    }
    if (nsize > old && nsize - old > h->mem_limit - h->mem_used) {
        if (!h->mem_exceeded && h->L) {
            innermost_position(h->L, h->mem_where, sizeof h->mem_where);
        }
        h->mem_exceeded = true;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p) {
        h->mem_used = h->mem_used - old + nsize;
        if (nsize > old) {
            /* C library work counts against the instruction budget too
             * (string.rep, .., table.concat, string.format... allocate
             * what they build): one instruction per LSIM_WORK_BYTES. */
            charge(h, (nsize - old) / LSIM_WORK_BYTES);
        }
    } else if (!h->mem_where[0] && h->L) {
        /* The machine's memory ran out, not the ceiling: note where. */
        innermost_position(h->L, h->mem_where, sizeof h->mem_where);
    }
    return p;
}

/* --- Instruction budget --------------------------------------------------- */

static void
budget_hook(lua_State *L, lua_Debug *ar)
{
    struct lsim *h = lsim_from_lua(L);

    h->used += HOOK_STEP;
    if (h->interrupt && !h->budget_exceeded) {
        /* A run limit (lsim_interrupt()) was reached: stop the script
         * where it is, with the limit's message. */
        lua_getinfo(L, "Sl", ar);
        h->budget_exceeded = true;
        snprintf(h->err, sizeof h->err, "%s:%d: %s", ar->short_src,
                 ar->currentline, h->interrupt_msg);
    }
    if (h->used <= h->budget && !h->budget_exceeded) {
        return;
    }
    if (!h->budget_exceeded) {
        lua_getinfo(L, "Sl", ar);
        h->budget_exceeded = true;
        snprintf(h->err, sizeof h->err,
                 "%s:%d: scenario code ran more than %" PRIu64 " Lua "
                 "instructions without returning (an endless loop?)",
                 ar->short_src, ar->currentline, h->budget);
    }
    lua_pushstring(L, h->err);
    lua_error(L);
}

/* --- Protected calls ------------------------------------------------------ */

/* The message handler of every call into scenario code: turns any error
 * value into one string that starts with FILE:LINE. */
static int
message_handler(lua_State *L)
{
    const char *msg;

    if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER) {
        msg = lua_tostring(L, 1);
    } else if (luaL_callmeta(L, 1, "__tostring")
               && lua_type(L, -1) == LUA_TSTRING) {
        msg = lua_tostring(L, -1);
    } else {
        msg = lua_pushfstring(L, "error object is a %s value",
                              luaL_typename(L, 1));
    }
    if (!has_position(msg)) {
        char where[200];
        innermost_position(L, where, sizeof where);
        if (!where[0] && lsim_from_lua(L)->cb_where) {
            /* No Lua function on the stack: the callback is a C function
             * (coroutine.yield, a coroutine.wrap function).  Name the
             * place that registered it. */
            size_t n;
            snprintf(where, sizeof where, "%s", lsim_from_lua(L)->cb_where);
            n = strlen(where);
            while (n > 0 && where[n - 1] == ' ') {
                where[--n] = '\0';
            }
        }
        if (where[0]) {
            msg = lua_pushfstring(L, "%s %s", where, msg);
        }
    }
    lua_pushstring(L, msg);
    return 1;
}

/* True if 'msg', a scenario error, says that memory ran out rather than
 * that the scenario is wrong: a binding reports a model's ENOMEM as
 * "... (Cannot allocate memory)" (strerror) or "FILE:LINE: out of
 * memory", and Lua as "not enough memory".  The program then exits 3
 * (internal), not 1. */
static bool
is_oom_message(const char *msg)
{
    const char *nomem = strerror(ENOMEM);
    size_t len = msg ? strlen(msg) : 0, n = strlen(nomem);
    static const char oom[] = ": out of memory";

    return msg && ((len >= n + 2 && msg[len - n - 2] == '('
                    && !strncmp(msg + len - n - 1, nomem, n)
                    && msg[len - 1] == ')')
                   || (len >= sizeof oom - 1
                       && !strcmp(msg + len - (sizeof oom - 1), oom))
                   || !strcmp(msg, "not enough memory"));
}

int
lsim_pcall(struct lsim *h, int nargs, int nresults, uint64_t budget,
           char *err, size_t err_size)
{
    lua_State *L = h->L;
    int base = lua_gettop(L) - nargs;
    int status;

    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    h->budget = budget;
    h->used = 0;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_STEP);
    status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    if (h->budget_exceeded) {
        if (status == LUA_OK) {
            lua_pop(L, nresults);
        } else {
            lua_pop(L, 1);
        }
        one_line(err, err_size, h->err);
        return EINVAL;
    }
    if (h->mem_exceeded) {
        if (status == LUA_OK) {
            lua_pop(L, nresults);
        } else {
            lua_pop(L, 1);
        }
        char msg[400];
        snprintf(msg, sizeof msg, "%s%sthe scenario used more than the "
                 "Lua memory limit of %zu MiB", h->mem_where,
                 h->mem_where[0] ? " " : "", h->mem_limit >> 20);
        one_line(err, err_size, msg);
        return EINVAL;
    }
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        int error = status == LUA_ERRMEM || is_oom_message(msg) ? ENOMEM
                                                                 : EINVAL;
        if (error == ENOMEM) {
            char m[700];
            if (status == LUA_ERRMEM) {
                snprintf(m, sizeof m, "vnetsim: out of memory (%s%sthe Lua "
                         "state)", h->mem_where, h->mem_where[0] ? " " : "");
            } else {
                snprintf(m, sizeof m, "vnetsim: out of memory (%s)", msg);
            }
            one_line(err, err_size, m);
        } else {
            one_line(err, err_size, msg ? msg : "unknown error");
        }
        lua_pop(L, 1);
        return error;
    }
    return 0;
}

/* --- The sandbox ---------------------------------------------------------- */

/* load(chunk [, chunkname [, mode [, env]]]), text only. */
static int
l_load(lua_State *L)
{
    int nargs = lua_gettop(L);

    lua_settop(L, 4);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushliteral(L, "t");
    if (nargs >= 4) {
        lua_pushvalue(L, 4);
    }
    lua_call(L, nargs >= 4 ? 4 : 3, LUA_MULTRET);
    return lua_gettop(L) - 4;
}

static int
l_collectgarbage(lua_State *L)
{
    static const char *const allowed[] = {
        "collect", "count", "step", "isrunning", NULL
    };
    const char *opt = luaL_optstring(L, 1, "collect");

    for (size_t i = 0; allowed[i]; i++) {
        if (!strcmp(opt, allowed[i])) {
            struct lsim *h = lsim_from_lua(L);
            if (!strcmp(opt, "collect") || !strcmp(opt, "step")) {
                charge(h, h->mem_used / LSIM_WORK_BYTES);
            }
            lua_pushvalue(L, lua_upvalueindex(1));
            lua_insert(L, 1);
            lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
            return lua_gettop(L);
        }
    }
    return lsim_error(L, "collectgarbage('%s') is not allowed in a scenario "
                      "(allowed: collect, count, step, isrunning)", opt);
}

/* setmetatable(t, mt), refusing a metatable with a __gc field.  Lua runs
 * finalizers with debug hooks switched off, so a finalizer would escape
 * the instruction budget (an endless loop in __gc hangs the program), and
 * it could run after the simulation is gone.  Lua marks an object for
 * finalization only when setmetatable() sees __gc, so adding __gc to the
 * metatable afterwards has no effect. */
static int
l_setmetatable(lua_State *L)
{
    int t = lua_type(L, 2);

    /* The checks of the original, so that errors name 'setmetatable'. */
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) {
            return lsim_error(L, "setmetatable: __gc finalizers are not "
                              "allowed in a scenario (they would run outside "
                              "the instruction budget; use sim.finish)");
        }
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* The continuation of l_guarded(): once the budget is spent (or a run
 * limit was reached) nothing may catch that error, so the result of the
 * guarded call is replaced by the error again. */
static int
guarded_done(lua_State *L, int status, lua_KContext ctx)
{
    struct lsim *h = lsim_from_lua(L);

    (void)status;
    (void)ctx;
    if (h->budget_exceeded) {
        lua_pushstring(L, h->err);
        return lua_error(L);
    }
    return lua_gettop(L);
}

/* pcall, xpcall, coroutine.resume and coroutine.close (the original is
 * upvalue 1): as the original, but an exhausted instruction budget is not
 * caught, so "while true do pcall(loop) end" cannot run for ever.  A
 * continuation keeps them yieldable. */
static int
l_guarded(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_callk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, guarded_done);
    return guarded_done(L, LUA_OK, 0);
}

/* Raises the budget's error now if the budget is spent: for C functions
 * that charge work, since one call may be a whole loop's body. */
static void
budget_check(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);

    if (h->used > h->budget && !h->budget_exceeded) {
        lua_Debug ar;
        h->budget_exceeded = true;
        if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
            snprintf(h->err, sizeof h->err, "%s:%d: scenario code ran more "
                     "than %" PRIu64 " Lua instructions without returning "
                     "(an endless loop?)", ar.short_src, ar.currentline,
                     h->budget);
        }
    }
    if (h->budget_exceeded) {
        lua_pushstring(L, h->err);
        lua_error(L);
    }
}

/* How a library function wrapped by l_charged() costs: by the length of
 * the string it scans, by the length of the table it shifts, or by the
 * comparisons a sort makes. */
enum charge_kind { CHARGE_SCAN, CHARGE_SHIFT, CHARGE_SORT, CHARGE_MOVE };

/* A library function (upvalue 1) whose work in C does not allocate, so
 * lsim_alloc() cannot charge it: string.find, match, gmatch, gsub,
 * utf8.len, utf8.offset and tonumber (CHARGE_SCAN: a byte per
 * LSIM_WORK_BYTES of the string), table.insert and table.remove
 * (CHARGE_SHIFT: a table length), table.sort (CHARGE_SORT: n log2 n) and
 * table.move (CHARGE_MOVE: the elements moved).  The charge is made, and
 * the budget checked, before the call.  A pattern that backtracks costs
 * more than its string's length; only --max-wall bounds that. */
static int
l_charged(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    uint64_t cost = 0;
    size_t len = 0;

    switch ((enum charge_kind)lua_tointeger(L, lua_upvalueindex(2))) {
    case CHARGE_SCAN:
        if (lua_type(L, 1) == LUA_TSTRING) {
            lua_tolstring(L, 1, &len);
        }
        cost = len / LSIM_WORK_BYTES;
        break;
    case CHARGE_SHIFT:
    case CHARGE_SORT:
        if (lua_type(L, 1) == LUA_TTABLE) {
            cost = (uint64_t)lua_rawlen(L, 1);
        }
        if (lua_tointeger(L, lua_upvalueindex(2)) == CHARGE_SORT) {
            uint64_t bits = 1;
            while (bits < 64 && (UINT64_C(1) << bits) < cost) {
                bits++;
            }
            cost *= bits;
        }
        break;
    case CHARGE_MOVE:
        if (lua_isinteger(L, 2) && lua_isinteger(L, 3)
            && lua_tointeger(L, 3) >= lua_tointeger(L, 2)) {
            /* e - f + 1 without overflow (table.move checks it too). */
            cost = (uint64_t)lua_tointeger(L, 3)
                   - (uint64_t)lua_tointeger(L, 2) + 1;
        }
        break;
    }
    charge(h, cost);
    budget_check(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    if (lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0) != LUA_OK) {
        /* Called from C, the original cannot find its own name for
         * "bad argument #1 to '?'": put it back (upvalue 3). */
        const char *msg = lua_tostring(L, -1);
        const char *q = msg && lua_type(L, -1) == LUA_TSTRING
                        ? strstr(msg, " to '?'") : NULL;
        if (q && !strncmp(msg, "bad argument #", 14)) {
            lua_pushfstring(L, "%s to '%s'%s", lua_pushlstring(L, msg,
                            (size_t)(q - msg)), lua_tostring(L,
                            lua_upvalueindex(3)), q + 7);
        }
        return lua_error(L);
    }
    return lua_gettop(L);
}

/* Replaces field 'name' of the table on top of the stack by l_charged()
 * around it. */
static void
wrap_charged(lua_State *L, const char *name, enum charge_kind kind)
{
    lua_getfield(L, -1, name);
    lua_pushinteger(L, kind);
    lua_pushstring(L, name);
    lua_pushcclosure(L, l_charged, 3);
    lua_setfield(L, -2, name);
}

/* The message handler xpcall() is given in place of the scenario's
 * (upvalue 1).  An error raised by the budget hook leaves Lua's hooks off
 * until the enclosing pcall ends, and the message handler runs before
 * that: a handler that loops would then run for ever.  So once the budget
 * is spent the scenario's handler is not called. */
static int
xpcall_handler(lua_State *L)
{
    if (lsim_from_lua(L)->budget_exceeded) {
        lua_settop(L, 1);
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* xpcall(f, msgh, ...): l_guarded() with the message handler wrapped. */
static int
l_xpcall(lua_State *L)
{
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, xpcall_handler, 1);
    lua_replace(L, 2);
    return l_guarded(L);
}

static int
l_disabled(lua_State *L)
{
    return lsim_error(L, "%s", lua_tostring(L, lua_upvalueindex(1)));
}

/* True if 'name' is a module name require() accepts. */
static bool
module_name_ok(const char *name)
{
    bool start = true;

    if (!*name) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (*p == '.') {
            if (start) {
                return false;
            }
            start = true;
        } else if (isalpha((unsigned char)*p) || *p == '_'
                   || (!start && isdigit((unsigned char)*p))) {
            start = false;
        } else {
            return false;
        }
    }
    return !start;
}

/* Reads the whole file 'path' into a Lua string on the stack; false (and
 * nothing pushed) if it cannot be opened. */
static bool
push_file(lua_State *L, const char *path)
{
    FILE *f = fopen(path, "rb");
    luaL_Buffer b;
    size_t n;

    if (!f) {
        return false;
    }
    luaL_buffinit(L, &b);
    do {
        char *p = luaL_prepbuffer(&b);
        n = fread(p, 1, LUAL_BUFFERSIZE, f);
        luaL_addsize(&b, n);
    } while (n == LUAL_BUFFERSIZE);
    fclose(f);
    luaL_pushresult(&b);
    return true;
}

/* require(NAME): NAME.lua (dots become '/') from the scenario's directory,
 * then from the installed scenario library; text only, same sandbox,
 * loaded once. */
static int
l_require(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    const char *name = luaL_checkstring(L, 1);
    const char *dirs[2] = { h->dir, h->opts.library_dir };
    char rel[256], path[1024];
    size_t len;

    if (!module_name_ok(name) || strlen(name) >= sizeof rel - 5) {
        return lsim_error(L, "require: module name '%s' is not allowed "
                          "(use letters, digits, '_' and '.', as in "
                          "'lib.topology'; paths are not accepted)", name);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, REG_LOADED);
    lua_getfield(L, -1, name);
    if (lua_type(L, -1) == LUA_TLIGHTUSERDATA) {
        return lsim_error(L, "require: module '%s' requires itself "
                          "(circular require)", name);
    }
    if (!lua_isnil(L, -1)) {
        return 1;
    }
    lua_pop(L, 1);
    snprintf(rel, sizeof rel, "%s", name);
    for (char *p = rel; *p; p++) {
        if (*p == '.') {
            *p = '/';
        }
    }
    for (size_t i = 0; i < 2; i++) {
        if (!dirs[i]) {
            continue;
        }
        snprintf(path, sizeof path, "%s/%s.lua", dirs[i], rel);
        if (!push_file(L, path)) {
            continue;
        }
        const char *text = lua_tolstring(L, -1, &len);
        lua_pushfstring(L, "@%s", path);
        if (luaL_loadbufferx(L, text, len, lua_tostring(L, -1), "t")
            != LUA_OK) {
            const char *msg = lua_tostring(L, -1);
            if (msg && !strncmp(msg, path, strlen(path))) {
                return lua_error(L);        /* "PATH:LINE: ..." already */
            }
            return lsim_error(L, "require: module '%s' (%s): %s", name, path,
                              msg ? msg : "cannot be loaded");
        }
        lua_pushlightuserdata(L, (void *)LOADING_SENTINEL);
        lua_setfield(L, -5, name);
        lua_pushstring(L, name);
        lua_call(L, 1, 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_pushboolean(L, 1);
        }
        lua_pushvalue(L, -1);
        lua_setfield(L, -5, name);
        return 1;
    }
    if (h->opts.library_dir) {
        return lsim_error(L, "require: module '%s' not found (looked for "
                          "%s/%s.lua and %s/%s.lua)", name, h->dir, rel,
                          h->opts.library_dir, rel);
    }
    return lsim_error(L, "require: module '%s' not found (looked for "
                      "%s/%s.lua)", name, h->dir, rel);
}

/* Orders two keys for sorted_pairs: numbers (ascending) before strings
 * (byte order); anything else cannot be ordered. */
static int
key_compare(lua_State *L, int a, int b)
{
    int ta = lua_type(L, a), tb = lua_type(L, b);

    if (ta != tb) {
        return ta == LUA_TNUMBER ? -1 : 1;
    }
    if (ta == LUA_TNUMBER) {
        return lua_compare(L, a, b, LUA_OPLT) ? -1
             : lua_compare(L, b, a, LUA_OPLT) ? 1 : 0;
    }
    size_t la, lb;
    const char *sa = lua_tolstring(L, a, &la), *sb = lua_tolstring(L, b, &lb);
    int c = memcmp(sa, sb, la < lb ? la : lb);
    return c ? c : (la < lb ? -1 : la > lb);
}

static int
sorted_next(lua_State *L)
{
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(3)) + 1;

    lua_pushinteger(L, i);
    lua_replace(L, lua_upvalueindex(3));
    if (lua_geti(L, lua_upvalueindex(2), i) == LUA_TNIL) {
        return 1;
    }
    lua_pushvalue(L, -1);
    lua_gettable(L, lua_upvalueindex(1));
    return 2;
}

/* sorted_pairs(t): like pairs(t) but in a fixed order (see key_compare).
 * The keys are copied into an array and merge-sorted bottom-up between it
 * and a scratch array: O(n log n) comparisons, so a table of a million
 * keys takes about a second (an insertion sort took minutes for 100000,
 * inside one C call the instruction budget could not see).  Each pass is
 * charged to the budget. */
static int
l_sorted_pairs(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);
    lua_Integer n = 0;
    int src = 2, dst = 3;

    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_newtable(L);                            /* 2: the keys */
    lua_newtable(L);                            /* 3: scratch */
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        int t = lua_type(L, -1);
        if (t != LUA_TNUMBER && t != LUA_TSTRING) {
            return lsim_error(L, "sorted_pairs: cannot order a key of type "
                              "%s (only numbers and strings)",
                              luaL_typename(L, -1));
        }
        lua_pushvalue(L, -1);
        lua_seti(L, 2, ++n);
    }
    for (lua_Integer width = 1; width < n; width *= 2) {
        for (lua_Integer lo = 1; lo <= n; lo += 2 * width) {
            lua_Integer mid = lo + width < n + 1 ? lo + width : n + 1;
            lua_Integer hi = lo + 2 * width < n + 1 ? lo + 2 * width : n + 1;
            lua_Integer i = lo, j = mid;
            for (lua_Integer k = lo; k < hi; k++) {
                if (i < mid && j < hi) {
                    lua_geti(L, src, i);
                    lua_geti(L, src, j);
                    if (key_compare(L, -2, -1) <= 0) {
                        lua_pop(L, 1);
                        i++;
                    } else {
                        lua_remove(L, -2);
                        j++;
                    }
                } else {
                    lua_geti(L, src, i < mid ? i++ : j++);
                }
                lua_seti(L, dst, k);
            }
        }
        charge(h, (uint64_t)n);
        budget_check(L);
        int tmp = src;
        src = dst;
        dst = tmp;
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, src);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, sorted_next, 3);
    return 1;
}

/* Records the warnings Lua emits (an error inside a __gc finalizer is one);
 * the host turns them into a failed run.  The sandbox has no warn(), so
 * every warning comes from the runtime. */
static void
warn_function(void *ud, const char *msg, int tocont)
{
    struct lsim *h = ud;
    size_t n = strlen(msg);

    if (h->warn_len + n >= sizeof h->warn) {
        n = sizeof h->warn - 1 - h->warn_len;
    }
    memcpy(h->warn + h->warn_len, msg, n);
    h->warn_len += n;
    h->warn[h->warn_len] = '\0';
    if (!tocont && !h->failed) {
        /* "error in __gc (MESSAGE)" -> MESSAGE */
        const char *open = strchr(h->warn, '(');
        size_t len = strlen(h->warn);
        if (!strncmp(h->warn, "error in ", 9) && open
            && h->warn[len - 1] == ')') {
            h->warn[len - 1] = '\0';
            one_line(h->err, sizeof h->err, open + 1);
        } else {
            one_line(h->err, sizeof h->err, h->warn);
        }
        h->failed = true;
    }
    if (!tocont) {
        h->warn_len = 0;
    }
}

/* Opens the allowed libraries into the globals and removes or replaces
 * everything that could reach outside the scenario. */
static void
open_sandbox(lua_State *L)
{
    static const struct { const char *name; lua_CFunction open; } libs[] = {
        { LUA_GNAME, luaopen_base }, { LUA_STRLIBNAME, luaopen_string },
        { LUA_TABLIBNAME, luaopen_table }, { LUA_MATHLIBNAME, luaopen_math },
        { LUA_UTF8LIBNAME, luaopen_utf8 }, { LUA_COLIBNAME, luaopen_coroutine },
    };
    static const struct { const char *name, *why; } gone[] = {
        { "dofile", "dofile is not available in a scenario (use require)" },
        { "loadfile", "loadfile is not available in a scenario (use require)" },
        { "warn", "warn is not available in a scenario (use print)" },
    };

    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        luaL_requiref(L, libs[i].name, libs[i].open, 1);
        lua_pop(L, 1);
    }
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        lua_pushstring(L, gone[i].why);
        lua_pushcclosure(L, l_disabled, 1);
        lua_setglobal(L, gone[i].name);
    }

    /* load: text only; collectgarbage: harmless options only.  Each
     * wrapper holds the original as its upvalue, out of the scenario's
     * reach. */
    lua_getglobal(L, "load");
    lua_pushcclosure(L, l_load, 1);
    lua_setglobal(L, "load");
    lua_getglobal(L, "collectgarbage");
    lua_pushcclosure(L, l_collectgarbage, 1);
    lua_setglobal(L, "collectgarbage");
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, l_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
    lua_getglobal(L, "pcall");
    lua_pushcclosure(L, l_guarded, 1);
    lua_setglobal(L, "pcall");
    lua_getglobal(L, "xpcall");
    lua_pushcclosure(L, l_xpcall, 1);
    lua_setglobal(L, "xpcall");
    lua_getglobal(L, LUA_COLIBNAME);
    lua_getfield(L, -1, "resume");
    lua_pushcclosure(L, l_guarded, 1);
    lua_setfield(L, -2, "resume");
    lua_getfield(L, -1, "close");
    lua_pushcclosure(L, l_guarded, 1);
    lua_setfield(L, -2, "close");
    lua_pop(L, 1);
    lua_register(L, "require", l_require);
    lua_register(L, "sorted_pairs", l_sorted_pairs);

    /* string.dump would make bytecode; strings reach the string table
     * through their metatable, so remove it there.  The scanning
     * functions are charged to the budget. */
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    wrap_charged(L, "find", CHARGE_SCAN);
    wrap_charged(L, "match", CHARGE_SCAN);
    wrap_charged(L, "gmatch", CHARGE_SCAN);
    wrap_charged(L, "gsub", CHARGE_SCAN);
    lua_pop(L, 1);
    lua_getglobal(L, LUA_UTF8LIBNAME);
    wrap_charged(L, "len", CHARGE_SCAN);
    wrap_charged(L, "offset", CHARGE_SCAN);
    lua_pop(L, 1);
    lua_getglobal(L, LUA_TABLIBNAME);
    wrap_charged(L, "insert", CHARGE_SHIFT);
    wrap_charged(L, "remove", CHARGE_SHIFT);
    wrap_charged(L, "sort", CHARGE_SORT);
    wrap_charged(L, "move", CHARGE_MOVE);
    lua_pop(L, 1);
    lua_pushglobaltable(L);
    wrap_charged(L, "tonumber", CHARGE_SCAN);
    lua_pop(L, 1);

    /* math.random is the run's stream; math.randomseed is refused. */
    lua_getglobal(L, LUA_MATHLIBNAME);
    lua_pushcfunction(L, lsim_math_random);
    lua_setfield(L, -2, "random");
    lua_pushstring(L, "math.randomseed is not available: the run's seed "
                   "(--seed, or the run number) decides math.random");
    lua_pushcclosure(L, l_disabled, 1);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);

    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_LOADED);
}

/* --- Handles -------------------------------------------------------------- */

struct box {
    void *ptr;
};

static int
box_tostring(lua_State *L)
{
    struct lsim *h = lsim_from_lua(L);

    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__name");
    lua_pushstring(L, h->handles_dead ? " (dead)" : "");
    lua_concat(L, 2);
    return 1;
}

void
lsim_new_class(lua_State *L, const char *cls, const luaL_Reg *methods)
{
    luaL_newmetatable(L, cls);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, box_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

void
lsim_push_handle(lua_State *L, const char *cls, void *ptr)
{
    struct box *b = lua_newuserdatauv(L, sizeof *b, 0);

    b->ptr = ptr;
    luaL_setmetatable(L, cls);
}

void *
lsim_check_handle(lua_State *L, int idx, const char *cls)
{
    struct lsim *h = lsim_from_lua(L);
    struct box *b = luaL_testudata(L, idx, cls);

    if (!b) {
        /* Not luaL_typeerror(): it names a table by its metatable's
         * __name, so a table dressed up as a handle would read "sim.metric
         * expected, got sim.metric". */
        const char *got = luaL_typename(L, idx);
        if (lua_type(L, idx) == LUA_TUSERDATA
            && luaL_getmetafield(L, idx, "__name") == LUA_TSTRING) {
            got = lua_tostring(L, -1);
        }
        luaL_argerror(L, idx, lua_pushfstring(L, "%s expected, got %s", cls,
                                              got));
    }
    if (h->handles_dead) {
        luaL_argerror(L, idx, lua_pushfstring(L, "%s handle used after its "
                                              "simulation ended", cls));
    }
    return b->ptr;
}

void
lsim_kill_handles(struct lsim *h)
{
    h->handles_dead = true;
}

/* --- Constructor tables ---------------------------------------------------- */

static const char *
ftype_expected(const struct lsim_field *f, char *buf, size_t size)
{
    switch (f->type) {
    case LSIM_F_INT:
        return "an integer";
    case LSIM_F_NUMBER:
        return "a number";
    case LSIM_F_STRING:
        return "a string";
    case LSIM_F_BOOL:
        return "a boolean";
    case LSIM_F_UNIT:
        snprintf(buf, size, "a %s such as '%s' or an integer of %s",
                 unit_kind_name(f->unit),
                 f->unit == UNIT_TIME ? "5us" : f->unit == UNIT_RATE
                 ? "10Gbps" : f->unit == UNIT_SIZE ? "64KiB"
                 : f->unit == UNIT_FREQ ? "2.5GHz" : f->unit == UNIT_PERCENT
                 ? "80%" : "12", unit_base_name(f->unit));
        return buf;
    case LSIM_F_ENUM:
        return "a string";
    case LSIM_F_FUNCTION:
        return "a function";
    case LSIM_F_TABLE:
        return "a table";
    case LSIM_F_HANDLE:
        snprintf(buf, size, "a %s handle", f->cls);
        return buf;
    case LSIM_F_ANY:
        return "a value";
    }
    return "a value";
}

/* Appends "a, b or c" of the NULL-terminated 'choices' to buffer 'b'. */
static void
push_choices(lua_State *L, const char *const *choices)
{
    luaL_Buffer b;

    luaL_buffinit(L, &b);
    for (size_t i = 0; choices[i]; i++) {
        if (i) {
            luaL_addstring(&b, choices[i + 1] ? ", " : " or ");
        }
        luaL_addchar(&b, '\'');
        luaL_addstring(&b, choices[i]);
        luaL_addchar(&b, '\'');
    }
    luaL_pushresult(&b);
}

/* Converts the value on top of the stack for field 'f' into 'v', raising
 * an error that names 'what' and the field.  Pops the value. */
static void
read_field(lua_State *L, const char *what, const struct lsim_field *f,
           struct lsim_value *v)
{
    char buf[160], uerr[200];
    int t = lua_type(L, -1);
    int isnum;

    v->present = true;
    switch (f->type) {
    case LSIM_F_INT:
        v->i = lua_tointegerx(L, -1, &isnum);
        if (t != LUA_TNUMBER || !isnum) {
            goto bad_type;
        }
        break;
    case LSIM_F_NUMBER:
        if (t != LUA_TNUMBER) {
            goto bad_type;
        }
        v->d = lua_tonumber(L, -1);
        break;
    case LSIM_F_BOOL:
        if (t != LUA_TBOOLEAN) {
            goto bad_type;
        }
        v->i = lua_toboolean(L, -1);
        break;
    case LSIM_F_STRING:
    case LSIM_F_ENUM:
        if (t != LUA_TSTRING) {
            goto bad_type;
        }
        v->s = lsim_strdup(L, lua_tostring(L, -1));
        if (f->type == LSIM_F_ENUM) {
            size_t n = 0;
            while (f->choices[n] && strcmp(f->choices[n], v->s)) {
                n++;
            }
            if (!f->choices[n]) {
                const char *hint;
                for (n = 0; f->choices[n]; n++) {
                }
                hint = lsim_suggest(v->s, f->choices, n);
                push_choices(L, f->choices);
                lsim_error(L, "%s: field '%s' must be one of %s, got '%s'%s%s%s",
                           what, f->name, lua_tostring(L, -1), v->s,
                           hint ? " (did you mean '" : "", hint ? hint : "",
                           hint ? "'?)" : "");
            }
        }
        break;
    case LSIM_F_UNIT:
        if (t == LUA_TSTRING) {
            if (unit_parse(f->unit, lua_tostring(L, -1), &v->i, uerr,
                           sizeof uerr)) {
                lsim_error(L, "%s: field '%s': %s", what, f->name, uerr);
            }
        } else {
            v->i = lua_tointegerx(L, -1, &isnum);
            if (t != LUA_TNUMBER || !isnum) {
                goto bad_type;
            }
            if (v->i < 0) {
                lsim_error(L, "%s: field '%s' must not be negative, got %"
                           PRId64, what, f->name, v->i);
            }
        }
        break;
    case LSIM_F_FUNCTION:
        if (t != LUA_TFUNCTION) {
            goto bad_type;
        }
        lua_pushvalue(L, -1);
        v->ref = luaL_ref(L, LUA_REGISTRYINDEX);
        break;
    case LSIM_F_TABLE:
        if (t != LUA_TTABLE) {
            goto bad_type;
        }
        lua_pushvalue(L, -1);
        v->ref = luaL_ref(L, LUA_REGISTRYINDEX);
        break;
    case LSIM_F_HANDLE:
        if (!luaL_testudata(L, -1, f->cls)) {
            goto bad_type;
        }
        v->p = lsim_check_handle(L, lua_gettop(L), f->cls);
        break;
    case LSIM_F_ANY:
        lua_pushvalue(L, -1);
        v->ref = luaL_ref(L, LUA_REGISTRYINDEX);
        break;
    }
    if (f->ranged && (f->type == LSIM_F_INT || f->type == LSIM_F_UNIT)
        && (v->i < f->min || v->i > f->max)) {
        char lo[48], hi[48], val[48];
        if (f->type == LSIM_F_UNIT) {
            unit_format(f->unit, f->min, lo, sizeof lo);
            unit_format(f->unit, f->max, hi, sizeof hi);
            unit_format(f->unit, v->i, val, sizeof val);
        } else {
            snprintf(lo, sizeof lo, "%" PRId64, f->min);
            snprintf(hi, sizeof hi, "%" PRId64, f->max);
            snprintf(val, sizeof val, "%" PRId64, v->i);
        }
        if (f->max == INT64_MAX) {
            lsim_error(L, "%s: field '%s' must be at least %s, got %s",
                       what, f->name, lo, val);
        }
        lsim_error(L, "%s: field '%s' must be between %s and %s, got %s",
                   what, f->name, lo, hi, val);
    }
    lua_pop(L, 1);
    return;

bad_type:
    if (t == LUA_TNUMBER && f->type == LSIM_F_INT) {
        lsim_error(L, "%s: field '%s' must be an integer, got %s", what,
                   f->name, lua_tostring(L, -1));
    }
    if (t == LUA_TUSERDATA && luaL_getmetafield(L, -1, "__name")
        == LUA_TSTRING) {
        /* Another kind of handle: name its class. */
        lsim_error(L, "%s: field '%s' must be %s, got a %s handle", what,
                   f->name, ftype_expected(f, buf, sizeof buf),
                   lua_tostring(L, -1));
    }
    lsim_error(L, "%s: field '%s' must be %s, got %s", what, f->name,
               ftype_expected(f, buf, sizeof buf), luaL_typename(L, -1));
}

void
lsim_read_table(lua_State *L, int idx, const char *what,
                const struct lsim_field *fields, size_t n,
                struct lsim_value *out)
{
    char unknown[80] = "";
    bool positional = false;
    lua_Integer first_pos = 0;

    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) {
        lsim_error(L, "%s expects a table of named fields, got %s", what,
                   luaL_typename(L, idx));
    }

    /* Unknown keys.  pairs() order varies from run to run, so the key
     * reported is chosen by a fixed rule: the smallest positional index,
     * else the smallest unknown name in byte order. */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            lua_Integer k = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
            if (!positional || k < first_pos) {
                first_pos = k;
            }
            positional = true;
            continue;
        }
        const char *key = lua_tostring(L, -1);
        size_t i = 0;
        while (i < n && strcmp(fields[i].name, key)) {
            i++;
        }
        if (i == n && (!unknown[0] || strcmp(key, unknown) < 0)) {
            snprintf(unknown, sizeof unknown, "%s", key);
        }
    }
    if (positional) {
        lsim_error(L, "%s: unexpected positional value%s%s (fields are named, "
                   "as in %s{ %s = ... })", what, first_pos ? " #" : "",
                   first_pos ? lua_pushfstring(L, "%I", first_pos) : "",
                   what, n ? fields[0].name : "name");
    }
    if (unknown[0]) {
        const char *names[64];
        size_t m = n < 64 ? n : 64;
        for (size_t i = 0; i < m; i++) {
            names[i] = fields[i].name;
        }
        const char *hint = lsim_suggest(unknown, names, m);
        if (hint) {
            lsim_error(L, "%s: unknown field '%s' (did you mean '%s'?)", what,
                       unknown, hint);
        }
        lsim_error(L, "%s: unknown field '%s'", what, unknown);
    }

    for (size_t i = 0; i < n; i++) {
        const struct lsim_field *f = &fields[i];
        struct lsim_value *v = &out[i];

        memset(v, 0, sizeof *v);
        v->ref = LUA_NOREF;
        /* Raw: a metamethod of the table must not run scenario code (and
         * so re-enter the API) in the middle of a constructor. */
        lua_pushstring(L, f->name);
        lua_rawget(L, idx);
        if (!lua_isnil(L, -1)) {
            read_field(L, what, f, v);
            continue;
        }
        lua_pop(L, 1);
        if (f->required) {
            lsim_error(L, "%s: missing required field '%s'%s%s", what,
                       f->name, f->help ? " -- " : "", f->help ? f->help : "");
        }
        if (f->def) {
            lua_pushstring(L, f->def);
            if (f->type == LSIM_F_INT) {
                lua_pushinteger(L, strtoll(f->def, NULL, 10));
                lua_remove(L, -2);
            } else if (f->type == LSIM_F_BOOL) {
                lua_pushboolean(L, !strcmp(f->def, "true"));
                lua_remove(L, -2);
            } else if (f->type == LSIM_F_NUMBER) {
                lua_pushnumber(L, strtod(f->def, NULL));
                lua_remove(L, -2);
            }
            read_field(L, what, f, v);
            v->defaulted = true;
        }
    }
}

void
lsim_record_config(struct lsim *h, const char *module, const char *name,
                   const char *value)
{
    lua_State *L = h->L;

    h->rows = lsim_grow(L, h->rows, &h->cap_rows, h->n_rows, sizeof *h->rows);
    struct lsim_cfg_row *r = &h->rows[h->n_rows];
    r->module = lsim_xstrdup(L, module);
    r->name = lsim_xstrdup(L, name);
    r->value = lsim_xstrdup(L, value);
    h->n_rows++;
}

void
lsim_record_fields(struct lsim *h, const char *module,
                   const struct lsim_field *fields, size_t n,
                   const struct lsim_value *values)
{
    for (size_t i = 0; i < n; i++) {
        const struct lsim_field *f = &fields[i];
        const struct lsim_value *v = &values[i];
        char text[64];
        const char *value = text;

        if (!v->present) {
            continue;
        }
        switch (f->type) {
        case LSIM_F_INT:
            snprintf(text, sizeof text, "%" PRId64, v->i);
            break;
        case LSIM_F_NUMBER:
            snprintf(text, sizeof text, "%.17g", v->d);
            break;
        case LSIM_F_BOOL:
            value = v->i ? "true" : "false";
            break;
        case LSIM_F_STRING:
        case LSIM_F_ENUM:
            value = v->s;
            break;
        case LSIM_F_UNIT:
            unit_format(f->unit, v->i, text, sizeof text);
            break;
        case LSIM_F_FUNCTION:
        case LSIM_F_TABLE:
        case LSIM_F_HANDLE:
        case LSIM_F_ANY:
            continue;
        }
        lsim_record_config(h, module, f->name, value);
    }
}

/* --- Creating and destroying ---------------------------------------------- */

int
lsim_create(const struct lsim_options *opts, struct lsim **out,
            char *err, size_t err_size)
{
    struct lsim *h = calloc(1, sizeof *h);
    int error = 0;

    *out = NULL;
    if (!h) {
        snprintf(err, err_size, "out of memory");
        return ENOMEM;
    }
    h->opts = *opts;
    h->mem_limit = opts->memory_limit ? opts->memory_limit
                                      : LSIM_MEMORY_LIMIT_BYTES;
    if (!h->opts.script_budget) {
        h->opts.script_budget = LSIM_SCRIPT_BUDGET;
    }
    if (!h->opts.callback_budget) {
        h->opts.callback_budget = LSIM_CALLBACK_BUDGET;
    }
    h->repetitions = 1;

    /* The scenario's directory, for require(). */
    const char *slash = strrchr(opts->scenario_path, '/');
    h->dir = slash ? strndup(opts->scenario_path,
                             (size_t)(slash - opts->scenario_path) + (slash == opts->scenario_path))
                   : strdup(".");
    h->sim = sim_create();
    h->metrics = h->sim ? metrics_create(h->sim) : NULL;
    if (!h->dir || !h->sim || !h->metrics) {
        snprintf(err, err_size, "out of memory");
        lsim_destroy(h);
        return ENOMEM;
    }
    metrics_on_duplicate(h->metrics, note_duplicate, h);
    h->comp = sim_component_add(h->sim, SIM_COMPONENT_ROOT, "scenario",
                                &error);
    if (!h->comp) {
        snprintf(err, err_size, "out of memory");
        lsim_destroy(h);
        return ENOMEM;
    }
    error = trace_create(opts->pcap_prefix, opts->timeline_path, &h->trace,
                         err, err_size);
    if (error) {
        lsim_destroy(h);
        return error;
    }
    if (opts->timeline_to > 0) {
        trace_set_window(h->trace, opts->timeline_from, opts->timeline_to);
    }

    h->L = lua_newstate(lsim_alloc, h);
    if (!h->L) {
        snprintf(err, err_size, "out of memory");
        lsim_destroy(h);
        return ENOMEM;
    }
    *(struct lsim **)lua_getextraspace(h->L) = h;
    lua_setwarnf(h->L, warn_function, h);
    lua_sethook(h->L, budget_hook, LUA_MASKCOUNT, HOOK_STEP);
    h->budget = h->opts.script_budget;

    open_sandbox(h->L);
    lsim_open_api(h->L);
    for (size_t i = 0; opts->bindings && opts->bindings[i]; i++) {
        lua_pushcfunction(h->L, opts->bindings[i]);
        if (lua_pcall(h->L, 0, 0, 0) != LUA_OK) {
            snprintf(err, err_size, "cannot open a model binding: %s",
                     lua_tostring(h->L, -1));
            lsim_destroy(h);
            return ENOMEM;
        }
    }
    *out = h;
    return 0;
}

int
lsim_close_lua(struct lsim *h, char *err, size_t err_size)
{
    if (h->L) {
        lsim_kill_handles(h);
        h->budget = h->opts.callback_budget;
        h->used = 0;
        lua_close(h->L);
        h->L = NULL;
    }
    if (h->failed) {
        one_line(err, err_size, h->err);
        return EINVAL;
    }
    return 0;
}

void
lsim_destroy(struct lsim *h)
{
    char ignored[8];

    if (!h) {
        return;
    }
    if (h->L) {
        lsim_kill_handles(h);
        lua_close(h->L);
        h->L = NULL;
    }
    for (size_t i = h->n_destroys; i-- > 0;) {
        h->destroys[i].fn(h->destroys[i].arg);
    }
    free(h->destroys);
    free(h->finishes);
    free(h->starts);
    lsim_close_trace(h, ignored, sizeof ignored);
    lsim_free_api(h);
    for (size_t i = 0; i < h->n_rows; i++) {
        free(h->rows[i].module);
        free(h->rows[i].name);
        free(h->rows[i].value);
    }
    free(h->rows);
    for (size_t i = 0; i < h->n_strings; i++) {
        free(h->strings[i]);
    }
    free(h->strings);
    metrics_destroy(h->metrics);
    sim_destroy(h->sim);
    free(h->dir);
    free(h);
}

int
lsim_load(struct lsim *h, const void *text, size_t len, char *err,
          size_t err_size)
{
    lua_State *L = h->L;
    char chunk[1100];
    int status;

    if (len >= 4 && !memcmp(text, LUA_SIGNATURE, 4)) {
        snprintf(err, err_size, "%s:1: this is a precompiled Lua chunk; "
                 "scenarios must be Lua source text", h->opts.scenario_path);
        return EINVAL;
    }
    snprintf(chunk, sizeof chunk, "@%s", h->opts.scenario_path);
    status = luaL_loadbufferx(L, text, len, chunk, "t");
    if (status != LUA_OK) {
        one_line(err, err_size, lua_tostring(L, -1));
        lua_pop(L, 1);
        return status == LUA_ERRMEM ? ENOMEM : EINVAL;
    }
    status = lsim_pcall(h, 0, 0, h->opts.script_budget, err, err_size);
    if (status) {
        return status;
    }
    /* Settle the declarations: a scenario without sim.params still has to
     * account for -p and -r. */
    lua_pushcfunction(L, lsim_settle);
    status = lsim_pcall(h, 0, 0, h->opts.script_budget, err, err_size);
    return status ? status : lsim_check_names(h, err, err_size);
}

int
lsim_close_trace(struct lsim *h, char *err, size_t err_size)
{
    int error = trace_close(h->trace, err, err_size);

    h->trace = NULL;
    return error;
}

struct sim *
lsim_sim(const struct lsim *h)
{
    return h->sim;
}

struct metrics *
lsim_metrics(const struct lsim *h)
{
    return h->metrics;
}

struct trace *
lsim_trace(const struct lsim *h)
{
    return h->trace;
}
