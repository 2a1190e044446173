-- expect: 3: stack overflow
-- Unbounded recursion in Lua.
local function f(n) return 1 + f(n + 1) end
f(1)
