-- expect: 4: sim.at: argument #1 must be a time such as '5us' or a non-negative integer of ps, got -5
-- Times are never negative.
sim.config { duration = "1ms" }
sim.at(-5, function() end)
