-- expect: 4: setmetatable: __gc finalizers are not allowed in a scenario \(they would run outside the instructi
-- A finalizer that never returns, run while the Lua state closes.
sim.config { duration = "1us" }
keep = setmetatable({}, {
  __gc = function()
    while true do end
  end,
})
