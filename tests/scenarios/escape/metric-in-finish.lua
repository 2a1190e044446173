-- expect: 5: sim\.metric: the run has ended \(sim\.finish hooks run after the last event; only sim\.scalar and rea
-- A metric created after the run has ended would record nothing.
sim.config { duration = "1us" }
sim.finish(function()
  sim.metric { name = "late", kind = "counter", description = "d" }
end)
