-- expect: 7: setmetatable: __gc finalizers are not allowed in a scenario
-- A finalizer that would touch a metric after the run.  Finalizers are
-- refused outright (Lua runs them with hooks off, outside the instruction
-- budget), so no scenario code can run once the handles are dead.
sim.config { duration = "1us" }
local m = sim.metric { name = "x", kind = "counter", description = "d" }
keep = setmetatable({}, {
  __gc = function()
    m:add(1)
  end,
})
