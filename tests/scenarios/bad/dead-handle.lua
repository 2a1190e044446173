-- expect: 9: calling 'add' on bad self \(sim.metric handle used after its simulation ended\)
-- A finalizer that touches a metric after the run.
sim.config { duration = "1us" }
local m = sim.metric { name = "x", kind = "counter", description = "d" }
-- The finalizer runs when the Lua state closes, after the simulation:
-- the handle is dead by then.
keep = setmetatable({}, {
  __gc = function()
    m:add(1)
  end,
})
