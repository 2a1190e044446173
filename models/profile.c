/*
 * profile.c -- loading platform profiles into a scenario and reading them
 * from model bindings (profile.h).  A profile's text is compiled into the
 * program; load() runs it in the scenario's sandbox, copies the table it
 * returns and applies the scenario's overrides, checking each against
 * what the profile has.
 */
#include "config.h"

#include "models/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/suggest.h"

const struct embed_file *
profile_find(const char *name)
{
    for (const struct embed_file *f = embedded_profiles; f->name; f++) {
        if (!strcmp(f->name, name)) {
            return f;
        }
    }
    return NULL;
}

/* The names of the string keys of the table at 'idx', sorted, as a new
 * Lua array on the stack (so that checking and copying never depend on
 * the order pairs() happens to visit keys in). */
static void
push_sorted_keys(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_newtable(L);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            lsim_error(L, "profile: keys must be names, got a %s",
                       luaL_typename(L, -1));
        }
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, ++n);
    }
    /* Insertion sort: profiles have tens of keys. */
    for (lua_Integer i = 2; i <= n; i++) {
        for (lua_Integer j = i; j > 1; j--) {
            lua_rawgeti(L, -1, j - 1);
            lua_rawgeti(L, -2, j);
            if (strcmp(lua_tostring(L, -2), lua_tostring(L, -1)) <= 0) {
                lua_pop(L, 2);
                break;
            }
            lua_rawseti(L, -3, j - 1);
            lua_rawseti(L, -2, j);
        }
    }
}

/* Copies the table at 'src' (values: numbers, strings, booleans and
 * tables of those) into a new table on the stack. */
static void
push_copy(lua_State *L, int src, int depth)
{
    src = lua_absindex(L, src);
    if (depth > 4) {
        lsim_error(L, "profile: tables nested too deep");
    }
    lua_newtable(L);
    push_sorted_keys(L, src);
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);                       /* key */
        lua_pushvalue(L, -1);
        lua_rawget(L, src);                          /* key value */
        if (lua_istable(L, -1)) {
            push_copy(L, -1, depth + 1);
            lua_remove(L, -2);
        }
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);
}

/* Applies the overrides at 'ov' to the profile copy at 'dst', named
 * 'path' in messages ("xeon.cpu"): every key must exist in 'dst'; a table
 * overrides a table key by key. */
static void
apply_overrides(lua_State *L, int dst, int ov, const char *path)
{
    dst = lua_absindex(L, dst);
    ov = lua_absindex(L, ov);
    push_sorted_keys(L, ov);
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        const char *key = lua_tostring(L, -1);
        lua_pushvalue(L, -1);
        int t = lua_rawget(L, dst);
        if (t == LUA_TNIL) {
            const char *names[128];
            size_t m = 0;
            push_sorted_keys(L, dst);
            size_t total = lua_rawlen(L, -1);
            for (size_t j = 1; j <= total && m < 128; j++) {
                lua_rawgeti(L, -1, (lua_Integer)j);
                names[m++] = lua_tostring(L, -1);
                lua_pop(L, 1);
            }
            const char *hint = suggest_closest(key, names, m);
            lsim_error(L, "profile.load: profile %s has no '%s'%s%s%s", path,
                       key, hint ? " (did you mean '" : "",
                       hint ? hint : "", hint ? "'?)" : "");
        }
        lua_pushvalue(L, -2);
        lua_rawget(L, ov);                           /* key old new */
        if (t == LUA_TTABLE) {
            if (!lua_istable(L, -1)) {
                lsim_error(L, "profile.load: %s.%s is a section; override "
                           "it with a table, got a %s", path, key,
                           luaL_typename(L, -1));
            }
            char sub[200];
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            apply_overrides(L, -2, -1, sub);
            lua_pop(L, 3);
            continue;
        }
        if (lua_type(L, -1) != LUA_TNUMBER && lua_type(L, -1) != LUA_TSTRING) {
            lsim_error(L, "profile.load: %s.%s must be a number or a "
                       "quantity such as '250ns', got a %s", path, key,
                       luaL_typename(L, -1));
        }
        lua_remove(L, -2);                           /* key new */
        lua_rawset(L, dst);
    }
    lua_pop(L, 1);
}

/* profile.load(NAME [, OVERRIDES]) -> a fresh table. */
static int
l_load(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const struct embed_file *f = profile_find(name);
    char chunk[200];

    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
    }
    if (!f) {
        const char *names[64];
        size_t n = 0, len = 0;
        char list[512] = "";
        for (const struct embed_file *p = embedded_profiles;
             p->name && n < 64; p++) {
            names[n++] = p->name;
            len += (size_t)snprintf(list + len, len < sizeof list
                                    ? sizeof list - len : 0, "%s%s",
                                    n > 1 ? ", " : "", p->name);
        }
        const char *hint = suggest_closest(name, names, n);
        if (hint) {
            return lsim_error(L, "profile.load: no profile '%s' (did you mean "
                              "'%s'?)", name, hint);
        }
        return lsim_error(L, "profile.load: no profile '%s' (there are: %s)",
                          name, list);
    }
    snprintf(chunk, sizeof chunk, "=profiles/%s.lua", f->name);
    if (luaL_loadbufferx(L, f->text, f->len, chunk, "t") != LUA_OK) {
        return lua_error(L);
    }
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1)) {
        return lsim_error(L, "profile.load: profile '%s' did not return a "
                          "table", name);
    }
    push_copy(L, -1, 0);
    if (!lua_isnoneornil(L, 2)) {
        apply_overrides(L, -1, 2, name);
    }
    lua_pushstring(L, f->name);
    lua_setfield(L, -2, "name");
    return 1;
}

/* profile.list() -> { "name", ... } in name order. */
static int
l_list(lua_State *L)
{
    lua_Integer i = 0;

    lua_newtable(L);
    for (const struct embed_file *f = embedded_profiles; f->name; f++) {
        lua_pushstring(L, f->name);
        lua_rawseti(L, -2, ++i);
    }
    return 1;
}

int
profile_lua_open(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "load", l_load }, { "list", l_list }, { NULL, NULL },
    };
    luaL_newlib(L, fns);
    lua_setglobal(L, "profile");
    return 0;
}

void
profile_read(lua_State *L, int idx, const char *section, const char *module,
             const struct lsim_field *fields, size_t n,
             struct lsim_value *out)
{
    char what[200], rowmod[300];
    const char *pname;

    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) {
        lsim_error(L, "%s: 'profile' must be a table from profile.load(), "
                   "got a %s", module, luaL_typename(L, idx));
    }
    lua_getfield(L, idx, "name");
    pname = lua_isstring(L, -1) ? lua_tostring(L, -1) : "?";
    snprintf(what, sizeof what, "profile '%s' section '%s'", pname, section);
    lua_pop(L, 1);
    if (lua_getfield(L, idx, section) != LUA_TTABLE) {
        lsim_error(L, "%s: profile '%s' has no section '%s' (the %s model "
                   "needs it)", module, pname, section, section);
    }
    lsim_read_table(L, -1, what, fields, n, out);
    lua_pop(L, 1);
    snprintf(rowmod, sizeof rowmod, "%s.cost", module);
    lsim_record_fields(lsim_from_lua(L), rowmod, fields, n, out);
}
