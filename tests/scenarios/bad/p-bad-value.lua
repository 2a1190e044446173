-- expect: 4: -p load=fast: .*'fast'
-- args: -p load=fast
-- Run with -p load=fast: not a percentage.
local p = sim.params {
  { name = "load", default = "50%", unit = "percent", description = "offered load" },
}
sim.config { duration = "1ms" }
