-- expect: 4: -p lod=5%: no parameter 'lod' \(did you mean 'load'\?\)
-- args: -p lod=5%
-- Run with -p lod=5%: a misspelt parameter name.
local p = sim.params {
  { name = "load", default = "50%", unit = "percent", description = "offered load" },
}
sim.config { duration = "1ms" }
