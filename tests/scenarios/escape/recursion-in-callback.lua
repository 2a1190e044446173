-- expect: 5: stack overflow
-- Unbounded recursion in a callback.
sim.config { duration = "1ms" }
sim.at("1us", function()
  local function f(n) return 1 + f(n + 1) end
  f(1)
end)
