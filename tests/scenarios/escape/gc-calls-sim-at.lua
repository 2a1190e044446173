-- expect: 4: setmetatable: __gc finalizers are not allowed in a scenario \(they would run outside the instructi
-- A finalizer that schedules a timer after the simulation has ended.
sim.config { duration = "1us" }
keep = setmetatable({}, {
  __gc = function()
    sim.at("2us", function() end)
  end,
})
