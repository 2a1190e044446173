/*
 * bindings.h -- the list of model bindings the vnetsim program hands to
 * its Lua host (struct lsim_options.bindings): the one place that knows
 * which models a scenario can build.  Adding a model means adding its
 * open function to models/bindings.c.
 */
#ifndef VNETSIM_MODELS_BINDINGS_H
#define VNETSIM_MODELS_BINDINGS_H 1

#include "sim/lsim.h"

/* NULL-terminated, in the order the tables are installed. */
extern lsim_open_fn *const models_bindings[];

#endif /* VNETSIM_MODELS_BINDINGS_H */
