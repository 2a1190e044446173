/*
 * lsim.h -- the sandboxed Lua 5.4 host that runs a scenario, and the
 * toolkit model bindings use to offer their objects to scenarios.
 *
 * ONE HOST, ONE SCENARIO, ONE SIMULATION.  lsim_create() makes a Lua state
 * and an empty simulation (engine, metrics registry, trace outputs);
 * lsim_load() runs the scenario file, which declares its parameters and
 * builds objects; lsim_run() runs the simulation; lsim_record() writes
 * everything into a results run; lsim_destroy() closes it all.  The
 * program (run.c) drives these steps; bindings only see lua_State and the
 * helpers below.
 *
 * THE SANDBOX.  A scenario is loaded as text only (a binary chunk is
 * refused), with the chunk named after the file, so every error reads
 * "FILE:LINE: message".  Its environment has the base functions that
 * cannot reach outside (no dofile, loadfile, or binary load), string
 * (without string.dump), table, math (math.random replaced by the run's
 * seeded stream, math.randomseed refused), utf8 and coroutine; no io, os,
 * debug or package.  require() loads only NAME.lua, NAME made of letters,
 * digits, '_' and '.', from the scenario's directory or the installed
 * scenario library, as text, into the same sandbox.  setmetatable()
 * refuses a __gc field (Lua runs finalizers with hooks off, out of the
 * budget's reach), constructor tables are read raw (no metamethod runs
 * scenario code inside a constructor), and the API refuses to schedule
 * or create anything from finish hooks or once the simulation is gone.
 * An instruction budget turns a runaway script or callback into an error
 * at its FILE:LINE (C library work is charged to it by bytes allocated or
 * scanned, and pcall and its kin cannot catch it), and an allocator with
 * a ceiling bounds the memory of
 * the Lua state (C objects the models create are not counted; run limits
 * in limits.h cap the process).  doc/reliability.md lists the escape
 * attempts the tests try.
 *
 * DETERMINISM.  Lua 5.4 seeds its string hash per process, so pairs()
 * visits keys in a different order from run to run: nothing the host or a
 * binding does may depend on it.  Ids and event order come from creation
 * order in C; sorted_pairs(t) gives scenarios a fixed order.
 *
 * HANDLES.  A Lua value standing for a C object is a full userdata holding
 * a pointer (a "box").  Every box of a host dies when lsim_kill_handles()
 * is called, before the simulation is torn down; using a dead box raises a
 * Lua error naming its class, never a crash.  Scenario code cannot run
 * that late (finalizers are refused), but an error in a finalizer would
 * still become a failed run.
 *
 * CONSTRUCTOR TABLES.  Bindings describe the fields of a constructor table
 * with an array of struct lsim_field and read it with lsim_read_table():
 * types, units, ranges, choices and required fields are checked in C, an
 * unknown key is an error with a did-you-mean suggestion, and defaults are
 * filled in.  lsim_record_fields() then files the object's effective
 * configuration, defaults included, for the run's 'parameter' rows.
 *
 * ERRORS.  Functions called from Lua raise errors with luaL_error() or
 * lsim_error(); the message is one line, "FILE:LINE: what is wrong, the
 * value at fault and what was expected".
 */
#ifndef VNETSIM_SIM_LSIM_H
#define VNETSIM_SIM_LSIM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>
#include <lauxlib.h>

#include "sim/sim.h"
#include "sim/units.h"

struct lsim;
struct metrics;
struct res_run;
struct trace;

/* --- Limits ------------------------------------------------------------ */

/* Default bounds (lsim_options overrides them). */
#define LSIM_MEMORY_LIMIT_BYTES ((size_t)256 << 20)     /* the Lua state */
#define LSIM_SCRIPT_BUDGET UINT64_C(200000000)          /* instructions */
#define LSIM_CALLBACK_BUDGET UINT64_C(20000000)         /* per callback */

/* --- Creating and running a host ----------------------------------------- */

/* A model binding: a lua_CFunction that adds its tables (constructors,
 * helpers) to the scenario's globals and returns 0.  The program lists
 * the bindings (models/bindings.c); the host calls each once, in order,
 * after the engine API, in protected mode. */
typedef int lsim_open_fn(lua_State *L);

/* A "-p NAME=VALUE" override. */
struct lsim_override {
    const char *name;
    const char *value;
};

struct lsim_options {
    const char *scenario_path;          /* the file; its name is the chunk */
    bool describe;                      /* declare only: never simulate */
    uint64_t run_number;                /* which run of the sweep (-r) */
    bool seed_given;                    /* --seed */
    uint64_t seed;                      /* ... its value */
    const struct lsim_override *overrides;
    size_t n_overrides;
    const char *library_dir;            /* installed scenario library, or NULL */
    const char *pcap_prefix;            /* --pcap, or NULL */
    const char *timeline_path;          /* --timeline, or NULL */
    int64_t timeline_from, timeline_to; /* --timeline-window; to 0: all */
    size_t memory_limit;                /* 0: LSIM_MEMORY_LIMIT_BYTES */
    uint64_t script_budget;             /* 0: LSIM_SCRIPT_BUDGET */
    uint64_t callback_budget;           /* 0: LSIM_CALLBACK_BUDGET */
    lsim_open_fn *const *bindings;      /* NULL-terminated, or NULL */
};

/* Creates a host for 'opts' (copied; its strings must outlive the host).
 * Returns 0, or an errno with a one-line message in 'err'. */
int lsim_create(const struct lsim_options *opts, struct lsim **out,
                char *err, size_t err_size);

/* Closes the Lua state first (running finalizers, with handles dead), then
 * frees the simulation.  Accepts NULL. */
void lsim_destroy(struct lsim *h);

/* Runs the scenario file.  Returns 0, or EINVAL for a scenario error (one
 * line "FILE:LINE: message" in 'err'), ENOENT if it cannot be read, or
 * ENOMEM. */
int lsim_load(struct lsim *h, const void *text, size_t len,
              char *err, size_t err_size);

/* What a run will do, known after lsim_load(). */
sim_time_t lsim_duration(const struct lsim *h);  /* 0 = not set */
sim_time_t lsim_warmup(const struct lsim *h);
uint64_t lsim_seed(const struct lsim *h);
uint64_t lsim_run_number(const struct lsim *h);
uint32_t lsim_repetition(const struct lsim *h);

/* Sets the run's end time, overriding the scenario's (--until). */
void lsim_set_duration(struct lsim *h, sim_time_t end);

/* Prepares the run (warm-up reset, series sampling) and runs the
 * simulation up to 'until' (at most the run's end).  May be called
 * repeatedly with growing 'until' (the progress display does); returns 0
 * while the run goes on, or EINVAL after a scenario error in a callback
 * (message in 'err').  '*done' becomes true when the run reached its end
 * or sim.stop() was called. */
int lsim_run(struct lsim *h, sim_time_t until, bool *done,
             char *err, size_t err_size);

/* Stops the run because a run limit was reached (limits.h), with the
 * one-line 'msg' (copied, at most 255 bytes): the engine stops after the
 * event it is running, scenario code raises "FILE:LINE: msg" at its next
 * budget check, and lsim_run() then fails with "SCENARIO: msg".  Safe to
 * call from a signal handler (it only stores); the first call wins. */
void lsim_interrupt(struct lsim *h, const char *msg);

/* Runs the scenario's finish hooks (sim.finish).  0 or EINVAL. */
int lsim_finish(struct lsim *h, char *err, size_t err_size);

/* Writes the run's configuration (runConfig, runItervar, parameter rows),
 * metrics and scalars into 'run'.  Returns 0 or the results error. */
int lsim_record(struct lsim *h, struct res_run *run);

/* Kills every handle, then closes the Lua state, running its finalizers.
 * Returns 0, or EINVAL if a finalizer raised an error (message in 'err'):
 * the run must then be marked failed.  The simulation stays readable. */
int lsim_close_lua(struct lsim *h, char *err, size_t err_size);

/* Closes the trace outputs (pcap files, timeline); 0 or the first I/O
 * error, with a one-line message.  lsim_trace() is NULL afterwards. */
int lsim_close_trace(struct lsim *h, char *err, size_t err_size);

struct sim *lsim_sim(const struct lsim *h);
struct metrics *lsim_metrics(const struct lsim *h);
struct trace *lsim_trace(const struct lsim *h);

/* The parameter and sweep declarations, for "vnetsim params" and the sweep
 * driver (lsim-api.c). */
void lsim_print_params(const struct lsim *h, FILE *out);
void lsim_print_config(const struct lsim *h, FILE *out);
size_t lsim_sweep_var_count(const struct lsim *h);
const char *lsim_sweep_var_name(const struct lsim *h, size_t i);
size_t lsim_sweep_value_count(const struct lsim *h, size_t i);
const char *lsim_sweep_value(const struct lsim *h, size_t i, size_t j);
/* The value swept variable 'i' has in this run: the run's point in the
 * sweep, or a -p override of it ("vnetsim run" allows one). */
const char *lsim_sweep_var_current(const struct lsim *h, size_t i);
uint32_t lsim_repetitions(const struct lsim *h);
bool lsim_seedset_repetition(const struct lsim *h);
/* Every declared parameter, in declaration order, with the value it has
 * in this run as text: what lsim_record() writes as the run's runConfig
 * rows (the sweep driver compares them to skip runs already recorded). */
size_t lsim_param_count(const struct lsim *h);
const char *lsim_param_name(const struct lsim *h, size_t i);
const char *lsim_param_value(const struct lsim *h, size_t i);

/* --- For bindings -------------------------------------------------------- */

/* The host running 'L'. */
struct lsim *lsim_from_lua(lua_State *L);

/* Raises a Lua error "FILE:LINE: <message>" at the scenario line that
 * called the current C function. */
int lsim_error(lua_State *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Registers handle class 'cls' (a metatable named 'cls' whose __index is
 * 'methods', NULL-terminated) and ensures __tostring shows it. */
void lsim_new_class(lua_State *L, const char *cls, const luaL_Reg *methods);

/* Pushes a new box of class 'cls' holding 'ptr'. */
void lsim_push_handle(lua_State *L, const char *cls, void *ptr);

/* The pointer in the box at stack index 'idx', which must be of class
 * 'cls' and alive; otherwise raises "bad argument #idx to 'fn' (...)". */
void *lsim_check_handle(lua_State *L, int idx, const char *cls);

/* Makes every box of 'h' dead.  Idempotent. */
void lsim_kill_handles(struct lsim *h);

/* Field types of a constructor table. */
enum lsim_ftype {
    LSIM_F_INT,             /* integer (a float with an integral value too) */
    LSIM_F_NUMBER,          /* any number */
    LSIM_F_STRING,
    LSIM_F_BOOL,
    LSIM_F_UNIT,            /* "5us"-style string or an integer in base units */
    LSIM_F_ENUM,            /* a string among 'choices' */
    LSIM_F_FUNCTION,
    LSIM_F_TABLE,
    LSIM_F_HANDLE,          /* a live box of class 'cls' */
    LSIM_F_ANY,             /* any non-nil value, kept as 'ref' */
};

struct lsim_field {
    const char *name;
    enum lsim_ftype type;
    enum unit_kind unit;            /* LSIM_F_UNIT */
    bool required;
    bool ranged;                    /* check min <= value <= max (INT, UNIT) */
    int64_t min, max;
    const char *const *choices;     /* LSIM_F_ENUM, NULL-terminated */
    const char *cls;                /* LSIM_F_HANDLE */
    const char *def;                /* default, as a user would write it */
    const char *help;               /* one line, for documentation */
};

/* A field's value after lsim_read_table().  Strings are copies owned by the
 * host; 'ref' is a registry reference for functions and tables. */
struct lsim_value {
    bool present;                   /* given, or defaulted */
    bool defaulted;
    int64_t i;                      /* INT, UNIT, BOOL (0/1) */
    double d;                       /* NUMBER */
    const char *s;                  /* STRING, ENUM */
    int ref;                        /* FUNCTION, TABLE, ANY: LUA_NOREF if
                                     * absent; the caller unrefs it */
    void *p;                        /* HANDLE */
};

/* Reads the constructor table at 'idx' for the function named 'what'
 * ("sim.config"), checking it against 'fields' ('n' of them) and filling
 * 'out' ('n' entries).  Raises a Lua error on the first problem. */
void lsim_read_table(lua_State *L, int idx, const char *what,
                     const struct lsim_field *fields, size_t n,
                     struct lsim_value *out);

/* Files configuration rows for the run's 'parameter' table: one value, or
 * every field of a table read by lsim_read_table() (defaults included). */
void lsim_record_config(struct lsim *h, const char *module, const char *name,
                        const char *value);
void lsim_record_fields(struct lsim *h, const char *module,
                        const struct lsim_field *fields, size_t n,
                        const struct lsim_value *values);

/* Model lifecycle.  lsim_on_start(): 'fn' runs once when the run is
 * prepared, before the first event, in registration order (a model starts
 * its generators, samples its series); it returns 0 or an errno with a
 * one-line message in 'err', which fails the run.  lsim_on_destroy():
 * 'fn' frees a C object, in reverse registration order, after the Lua
 * state is closed and before the simulation is freed.  Both raise on
 * ENOMEM. */
typedef int lsim_start_fn(struct lsim *h, void *arg, char *err,
                          size_t err_size);
void lsim_on_start(lua_State *L, lsim_start_fn *fn, void *arg);
void lsim_on_destroy(lua_State *L, void (*fn)(void *arg), void *arg);

/* 'fn' runs once when the run ends (lsim_finish(), after the scenario's
 * finish hooks, before the metrics are read and the trace is closed), in
 * registration order: a model flushes what it buffered. */
void lsim_on_finish(lua_State *L, void (*fn)(void *arg), void *arg);

/* The series sampling interval of sim.config (0: none), for models that
 * offer time series of their metrics. */
sim_time_t lsim_sample_interval(const struct lsim *h);

/* Fails the run from inside the simulation (a model met a state its
 * input made impossible): the first message is kept, the run stops at the
 * end of the current event and is recorded as failed with it. */
void lsim_fail(struct lsim *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A host-owned copy of 's' (freed with the host; raises on ENOMEM). */
const char *lsim_strdup(lua_State *L, const char *s);

#endif /* VNETSIM_SIM_LSIM_H */
