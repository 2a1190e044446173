-- expect: 5: sim\.at: the run has ended \(sim\.finish hooks run after the last event; only sim\.scalar and reading
-- A timer scheduled from a finish hook would never fire.
sim.config { duration = "1us" }
sim.finish(function()
  sim.at("2us", function() end)
end)
