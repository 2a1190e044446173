-- expect: 4: metric 'x' asks for a series but sim.config has no 'sample' interval
-- A series needs a sampling interval.
sim.config { duration = "1ms" }
sim.metric { name = "x", kind = "gauge", description = "d", series = true }
