-- expect: 3: attempt to call a nil value \(global 'loadstring'\)
-- Lua 5.4 has no loadstring; nothing stands in for it.
local f = loadstring("return 1")
