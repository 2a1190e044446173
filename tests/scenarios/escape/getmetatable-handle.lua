-- expect: 4: attempt to index a boolean value
-- ... nor read (it is protected), so __index and __gc cannot be changed.
local m = sim.metric { name = "x", kind = "counter", description = "d" }
getmetatable(m).__gc = function() end
