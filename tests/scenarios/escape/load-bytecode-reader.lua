-- expect: 6: attempt to load a binary chunk \(mode is 't'\)
-- A binary chunk handed over piece by piece by a reader function.
local parts = { "\27", "Lua", "T\0\25\147\13\10\26\10" }
local i = 0
local f, err = load(function() i = i + 1; return parts[i] end, "x", "bt")
error(err)
