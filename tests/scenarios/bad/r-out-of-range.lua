-- expect: 4: -r 99: the scenario has 4 runs \(0..3\)
-- args: -r 99
-- Run with -r 99: the sweep has 2 values x 2 repetitions.
local p = sim.params {
  { name = "load", default = "50%", unit = "percent", description = "offered load", sweep = { "10%", "90%" } },
  repetitions = 2,
}
sim.config { duration = "1ms" }
