-- expect: 4: bad argument #1 to 'cancel' \(sim\.timer expected, got no value\)
-- A method called with no self at all.
local t = sim.at("1ns", function() end)
t.cancel()
