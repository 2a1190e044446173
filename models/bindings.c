/*
 * bindings.c -- the model bindings, in installation order (bindings.h).
 */
#include "config.h"

#include "models/bindings.h"

#include "models/host-lua.h"
#include "models/profile.h"

lsim_open_fn *const models_bindings[] = {
    profile_lua_open,                   /* profile.load, profile.list */
    host_lua_open,                      /* cpu, apic, link, pnic */
    vswitch_lua_open,                   /* vswitch */
    hv_lua_open,                        /* hypervisor */
    traffic_lua_open,                   /* host, guest, traffic */
    NULL,
};
