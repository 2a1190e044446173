-- expect: 6: cannot resume dead coroutine
-- A callback that is a finished coroutine.wrap function.
sim.config { duration = "1ms" }
local f = coroutine.wrap(function() end)
f()
sim.at("1us", f)
