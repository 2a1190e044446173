-- expect: 3: too many results to unpack
-- Unpacking more values than a stack can hold.
local x = table.unpack({}, 1, 1 << 30)
