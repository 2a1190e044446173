-- expect: 4: C stack overflow
-- Recursion through a metamethod (C stack).
local t = setmetatable({}, {})
getmetatable(t).__index = function(s, k) return s[k .. "x"] end
local v = t.a
