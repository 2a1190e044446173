-- expect: 6: setmetatable: __gc finalizers are not allowed in a scenario \(they would run outside the instructi
-- A finalizer that keeps making new finalizable objects.
sim.config { duration = "1us" }
local mt = {}
mt.__gc = function() junk = setmetatable({}, mt); sim.now() end
keep = setmetatable({}, mt)
