/*
 * profile.h -- platform profiles: the named sets of costs every model
 * charges, and the "profile" table scenarios load them with.
 *
 * WHY PROFILES.  No model hard-codes a cost.  Every cycle count and every
 * latency a model charges (an ISR entry, a context switch, a VM exit, a
 * byte copied) is a named value of a profile, models/profiles/NAME.lua,
 * and every value there carries a comment citing its source: a section
 * of ../shared/design/FACTS.md, a paper or a datasheet, or a derivation
 * from those, tagged as FACTS.md tags its rows ([V] verified document,
 * [S] secondary source, [R] to recheck, [M] measurement, [D] derived,
 * [A] assumption to calibrate).  A phenomenon the simulator shows can then
 * be traced to the costs it comes from, and a study can vary them.
 *
 * WHAT A PROFILE IS.  A Lua file that returns a table: 'description', then
 * one sub-table per model ("cpu", "apic", "pnic", "memory", ...) mapping a
 * cost name to a value: an integer count of cycles for names ending in
 * "_cycles", or a quantity with a unit ("250ns").  The files are compiled
 * into the program (models/embed.c), so one binary always means one set
 * of costs; `profile.list()` names them.
 *
 * IN A SCENARIO.
 *     local prof = profile.load("xeon-e5-2600v3")
 *     local prof = profile.load("xeon-e5-2600v3", { cpu = { eoi_cycles = 300 } })
 * load() returns a fresh table (a scenario may keep several); an override
 * may only change a value the profile has (an unknown name is an error
 * with a did-you-mean suggestion), and the model that reads the value
 * checks its type and range.  Each model records the values it used among
 * the run's 'parameter' rows (module "PATH.cost", one row per name), so the
 * results say which costs produced them.
 */
#ifndef VNETSIM_MODELS_PROFILE_H
#define VNETSIM_MODELS_PROFILE_H 1

#include <stddef.h>

#include "sim/lsim.h"

/* A file compiled into the program. */
struct embed_file {
    const char *name;               /* "xeon-e5-2600v3" */
    const char *text;
    size_t len;
};

/* The profiles in the program, in name order, ending with a NULL name
 * (generated from models/profiles/ *.lua). */
extern const struct embed_file embedded_profiles[];

/* The profile named 'name', or NULL. */
const struct embed_file *profile_find(const char *name);

/* The binding: the global table "profile" with load() and list(). */
int profile_lua_open(lua_State *L);

/* For model bindings: reads sub-table 'section' of the profile table at
 * stack index 'idx' (a table profile.load() returned) against 'fields'
 * (n of them; they are normally all required, with no default), filling
 * 'out', and records every value as a configuration row of 'module' named
 * "cost.NAME".  Raises a Lua error at the scenario line on a missing
 * section, a missing or bad value, or a value the fields do not know. */
void profile_read(lua_State *L, int idx, const char *section,
                  const char *module, const struct lsim_field *fields,
                  size_t n, struct lsim_value *out);

#endif /* VNETSIM_MODELS_PROFILE_H */
