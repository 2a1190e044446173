-- expect: 5: sim.at: time 1us is in the past \(now is 2us\)
-- Scheduling before now.
sim.config { duration = "1ms" }
sim.at("2us", function()
  sim.at("1us", function() end)
end)
