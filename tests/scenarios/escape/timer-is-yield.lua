-- expect: 4: attempt to yield from outside a coroutine
-- coroutine.yield itself as the callback.
sim.config { duration = "1ms" }
sim.at("1us", coroutine.yield)
