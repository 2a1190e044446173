-- expect: 3: attempt to call a nil value \(method 'dump'\)
-- ... also through a string's metatable.
local b = (""):dump()
