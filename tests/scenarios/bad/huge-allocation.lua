-- expect: 3: the scenario used more than the Lua memory limit of 256 MiB
-- One enormous string.
local s = string.rep("x", 1 << 30)
