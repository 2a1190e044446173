-- expect: 3: sim.params: parameter 'n' is declared twice
-- Two parameters with one name.
local p = sim.params {
  { name = "n", default = 1, description = "d" },
  { name = "n", default = 2, description = "d" },
}
