-- expect: 4: the scenario used more than the Lua memory limit of 256 MiB
-- Doubling a string until memory runs out.
local s = "x"
while true do s = s .. s end
