-- expect: 4: sim\.finish: the run has ended \(sim\.finish hooks run after the last event; only sim\.scalar and rea
-- A finish hook that keeps registering finish hooks.
sim.config { duration = "1us" }
local function again() sim.finish(again) end
sim.finish(again)
