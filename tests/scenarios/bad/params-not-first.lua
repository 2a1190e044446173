-- expect: 4: sim.params must come before every other sim function
-- Parameters must be declared first.
sim.config { duration = "1ms" }
local p = sim.params { { name = "n", default = 1, description = "d" } }
