-- expect: 4: -p load=10%: parameter 'load' is swept; choose a run with -r instead
-- args: -p load=10%
-- Run with -p load=10%: the parameter is swept.
local p = sim.params {
  { name = "load", default = "50%", unit = "percent", description = "offered load", sweep = { "10%", "90%" } },
}
sim.config { duration = "1ms" }
