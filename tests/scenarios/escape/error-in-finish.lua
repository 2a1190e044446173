-- expect: 4: finish failed
-- An error in a sim.finish hook.
sim.config { duration = "1us" }
sim.finish(function() error("finish failed") end)
