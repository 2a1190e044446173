-- expect: 3: the scenario used more than the Lua memory limit of 256 MiB
-- string.rep with a separator, past the memory limit.
local s = string.rep("x", 1 << 28, "yy")
