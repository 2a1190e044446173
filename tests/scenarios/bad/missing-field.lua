-- expect: 4: sim.metric: missing required field 'description'
-- A metric without its description.
sim.config { duration = "1ms" }
sim.metric { name = "x", kind = "counter" }
