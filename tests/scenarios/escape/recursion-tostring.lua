-- expect: 4: C stack overflow
-- Recursion through __tostring and tostring.
local t
t = setmetatable({}, { __tostring = function() return tostring(t) end })
print(t)
