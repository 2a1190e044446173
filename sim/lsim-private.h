/*
 * lsim-private.h -- the insides of the Lua host, shared by lsim.c (the
 * state, sandbox, limits, handles and constructor tables) and lsim-api.c
 * (the scenario API: the 'sim' and 'units' tables).  Nothing outside those
 * two files includes it.
 */
#ifndef VNETSIM_SIM_LSIM_PRIVATE_H
#define VNETSIM_SIM_LSIM_PRIVATE_H 1

#include "sim/lsim.h"

#include <signal.h>

#include "sim/rng.h"

/* A parameter's type. */
enum lsim_ptype {
    LSIM_P_INTEGER,
    LSIM_P_NUMBER,
    LSIM_P_STRING,
    LSIM_P_BOOLEAN,
    LSIM_P_UNIT,                    /* integer in the base unit of 'unit' */
};

/* A parsed parameter value. */
struct lsim_pvalue {
    char *text;                     /* as written (or formatted from Lua) */
    int64_t i;                      /* INTEGER, UNIT, BOOLEAN */
    double d;                       /* NUMBER */
};

/* A declared parameter (sim.params).  Declaration order is kept. */
struct lsim_param {
    char *name;
    char *description;
    enum lsim_ptype type;
    enum unit_kind unit;
    bool has_min, has_max;
    struct lsim_pvalue min, max;
    struct lsim_pvalue *choices;    /* allowed values, or none */
    size_t n_choices;
    struct lsim_pvalue def;
    struct lsim_pvalue *sweep;      /* swept values, or none */
    size_t n_sweep;
    struct lsim_pvalue value;       /* effective (points into def, sweep or
                                     * an override: see 'source') */
    enum { LSIM_FROM_DEFAULT, LSIM_FROM_OVERRIDE, LSIM_FROM_SWEEP } source;
    char *override_text;
};

/* A 'parameter' row: an object's effective configuration. */
struct lsim_cfg_row {
    char *module, *name, *value;
};

/* A sim.at / sim.every timer. */
struct lsim_timer {
    struct lsim *h;
    int fn_ref;
    sim_time_t interval_ps;         /* 0 for sim.at */
    sim_event_id ev;
    char *where;                    /* "FILE:LINE:" of its creation */
};

/* A scenario metric (sim.metric) and a scenario scalar (sim.scalar). */
struct lsim_smetric {
    struct metric *m;
    bool series;
    char *where;
};
struct lsim_scalar {
    char *name, *unit;
    double value;
};

struct lsim {
    struct lsim_options opts;
    lua_State *L;
    struct sim *sim;
    struct metrics *metrics;
    struct trace *trace;
    sim_component_id comp;          /* component "scenario" */
    char *dir;                      /* the scenario's directory */

    /* Limits (lsim.c). */
    size_t mem_used, mem_limit;
    bool mem_exceeded;
    char mem_where[200];
    char dup_where[200];            /* FILE:LINE: of the first object whose
                                     * name was taken (metrics_on_duplicate) */
    uint64_t budget, used;
    bool budget_exceeded;
    bool handles_dead;
    volatile sig_atomic_t interrupt;    /* lsim_interrupt() was called */
    char interrupt_msg[256];            /* ... with this message */

    /* Declarations (lsim-api.c). */
    bool declared;                  /* parameters settled (sim.params or not) */
    bool params_called;
    struct lsim_param *params;
    size_t n_params;
    size_t *swept;                  /* indices into params, sweep order */
    size_t n_swept;
    uint32_t repetitions;
    bool seedset_repetition;
    uint32_t repetition;
    uint64_t seed;
    struct rng math_rng;

    /* sim.config. */
    bool config_called;
    sim_time_t duration, warmup, sample;

    /* Objects and rows. */
    struct lsim_cfg_row *rows;
    size_t n_rows, cap_rows;
    struct lsim_timer **timers;
    size_t n_timers, cap_timers;
    struct lsim_smetric *smetrics;
    size_t n_smetrics, cap_smetrics;
    struct lsim_scalar *scalars;
    size_t n_scalars, cap_scalars;
    int *finish_refs;
    size_t n_finish, cap_finish;
    char **strings;                 /* lsim_strdup() copies */
    size_t n_strings, cap_strings;
    struct lsim_start { lsim_start_fn *fn; void *arg; } *starts;
    size_t n_starts, cap_starts;
    struct lsim_destroy { void (*fn)(void *); void *arg; } *destroys,
        *finishes;
    size_t n_destroys, cap_destroys, n_finishes, cap_finishes;

    /* Running. */
    bool prepared, in_callback, stopped, failed;
    bool finishing;                 /* in lsim_finish() or later */
    const char *cb_where;           /* "FILE:LINE:" of the running timer */
    char err[512];                  /* the first scenario error */
    char warn[512];                 /* a warning being assembled */
    size_t warn_len;
};

/* lsim.c */
int lsim_pcall(struct lsim *h, int nargs, int nresults, uint64_t budget,
               char *err, size_t err_size);
void *lsim_grow(lua_State *L, void *array, size_t *cap, size_t n,
                size_t elem_size);
char *lsim_xstrdup(lua_State *L, const char *s);
const char *lsim_suggest(const char *word, const char *const *cands,
                         size_t n);

/* lsim-api.c */
void lsim_open_api(lua_State *L);
int lsim_math_random(lua_State *L);
int lsim_settle(lua_State *L);
/* EINVAL with a one-line message if two objects were given the same name
 * (the metrics registry saw a full name twice), else 0. */
int lsim_check_names(struct lsim *h, char *err, size_t err_size);
void lsim_free_api(struct lsim *h);

#endif /* VNETSIM_SIM_LSIM_PRIVATE_H */
