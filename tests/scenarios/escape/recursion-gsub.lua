-- expect: 3: C stack overflow
-- Recursion through a C function calling Lua (string.gsub).
local function f(s) return (s:gsub(".", f)) end
f("ab")
