-- expect: 8: attempt to yield across a C-call boundary
-- A coroutine yielding from inside an API call (the __tostring of a value
-- sim.log prints): refused, not a corrupted call.
sim.config { duration = "1us" }
local co = coroutine.wrap(function()
  sim.log(setmetatable({}, { __tostring = function() coroutine.yield() end }))
end)
co()
