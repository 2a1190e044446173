-- expect:  no run length: set sim.config\{ duration = ... \} or pass --until
-- Nothing says how long to run.
local x = 1
