-- expect: 3: attempt to load a binary chunk \(mode is 't'\)
-- Bytecode is refused, whatever mode is asked for.
local f = assert(load("\27LuaT\0\25\147\13\10\26\10", "x", "b"))
