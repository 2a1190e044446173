-- expect: 3: C stack overflow
-- A chunk nested too deep for the parser.
local f, err = load(string.rep("(", 100000) .. "1" .. string.rep(")", 100000))
error(err, 0)
