-- expect: 4: -p load=120%: 120% is above the maximum 100%
-- args: -p load=120%
-- Run with -p load=120%: above the declared maximum.
local p = sim.params {
  { name = "load", default = "50%", unit = "percent", max = "100%", description = "offered load" },
}
sim.config { duration = "1ms" }
