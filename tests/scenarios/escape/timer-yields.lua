-- expect: 5: attempt to yield from outside a coroutine
-- A timer callback that yields: there is no coroutine to yield to.
sim.config { duration = "1ms" }
sim.at("1us", function()
  coroutine.yield(1)
end)
