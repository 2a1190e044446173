-- expect: 5: metric 'g' is a gauge: add\(\) is for counter
-- add() belongs to counters.
sim.config { duration = "1ms" }
local g = sim.metric { name = "g", kind = "gauge", description = "d" }
g:add(1)
