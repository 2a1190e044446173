-- expect: 4: the scenario used more than the Lua memory limit of 256 MiB
-- Coroutines without end: each holds a Lua stack, all count.
local t = {}
for i = 1, 1 << 30 do t[i] = coroutine.create(print) end
