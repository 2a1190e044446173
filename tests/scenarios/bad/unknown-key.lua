-- expect: 3: sim.config: unknown field 'warmpu' \(did you mean 'warmup'\?\)
-- A misspelt field name.
sim.config { duration = "1ms", warmpu = "1us" }
