-- expect: 7: sim\.every: the run has ended \(sim\.finish hooks run after the last event; only sim\.scalar and read
-- A to-be-closed variable in a finish hook whose __close schedules a timer
-- after the last event: refused, not silently dropped.
sim.config { duration = "1us" }
sim.finish(function()
  local x <close> = setmetatable({}, { __close = function()
    sim.every("1us", function() end)
  end })
end)
