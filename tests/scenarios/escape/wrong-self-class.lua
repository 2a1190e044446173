-- expect: 6: bad argument #1 to 'add' \(sim\.metric expected, got sim\.timer\)
-- A method called on a handle of another class.
sim.config { duration = "1us" }
local m = sim.metric { name = "x", kind = "counter", description = "d" }
local t = sim.at("1ns", function() end)
m.add(t, 1)
