-- expect:  a run limit \(--max-events, --max-wall or --max-memory\) was passed and the run did not stop within [0-9]+ s
-- args: --max-wall 1
-- A pattern that backtracks for ever inside one C call: the instruction
-- budget cannot see it; --max-wall ends the run.
-- The instruction budget does not count C functions, so this is stopped
-- by the wall-clock limit.
sim.config { duration = "1us" }
local s = string.rep("a", 50000)
local r = s:find(".-.-.-.-.-b")
