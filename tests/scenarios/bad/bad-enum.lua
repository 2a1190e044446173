-- expect: 4: sim.metric: field 'kind' must be one of 'counter', 'gauge', 'timeavg' or 'histogram', got 'count' \(did you mean 'counter'\?\)
-- 'count' is not a metric kind.
sim.config { duration = "1ms" }
sim.metric { name = "x", kind = "count", description = "d" }
