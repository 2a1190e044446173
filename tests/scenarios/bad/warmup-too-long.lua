-- expect: 3: sim.config: warmup 2ms must be shorter than duration 1ms
-- The warm-up outlasts the run.
sim.config { duration = "1ms", warmup = "2ms" }
