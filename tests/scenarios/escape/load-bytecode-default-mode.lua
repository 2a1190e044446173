-- expect: 4: attempt to load a binary chunk \(mode is 't'\)
-- A binary chunk string, with load's default mode: refused.
local f = load("\27LuaT\0\25\147\13\10\26\10\4\8\8\120\86")
assert(f, select(2, load("\27LuaT\0\25\147\13\10\26\10\4\8\8\120\86")))
