-- expect: 4: the scenario used more than the Lua memory limit of 256 MiB
-- A table that grows without bound.
local t = {}
for i = 1, 1 << 40 do t[i] = i end
