-- expect: 6: no parameter 'lod' \(did you mean 'load'\?\)
-- Reading a parameter that does not exist.
local p = sim.params {
  { name = "load", default = "50%", unit = "percent", description = "offered load" },
}
local x = p.lod
