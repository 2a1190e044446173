-- expect: 4: bad argument #1 to 'setmetatable' \(table expected, got sim\.metric\)
-- A handle's metatable cannot be replaced...
local m = sim.metric { name = "x", kind = "counter", description = "d" }
setmetatable(m, { __index = function() return print end })
