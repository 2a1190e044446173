-- expect: 5: bad argument #1 to 'add' \(sim\.metric expected, got table\)
-- A method called on a table dressed up as a handle.
local m = sim.metric { name = "x", kind = "counter", description = "d" }
local fake = setmetatable({}, { __name = "sim.metric" })
m.add(fake, 1)
