-- expect: 3: sim.params: parameter 'load': default: 150% is above the maximum 100%
-- The default breaks the declared range.
sim.params {
  { name = "load", default = "150%", unit = "percent", max = "100%",
    description = "offered load" },
}
