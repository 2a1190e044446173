-- expect: 3: attempt to call a nil value \(field 'dump'\)
-- string.dump is removed.
local b = string.dump(function() return 1 end)
