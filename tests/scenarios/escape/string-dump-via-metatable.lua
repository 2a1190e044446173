-- expect: 4: attempt to call a nil value \(local 'dump'\)
-- string.dump is gone from the string metatable's __index as well.
local dump = getmetatable("").__index.dump
dump(print)
