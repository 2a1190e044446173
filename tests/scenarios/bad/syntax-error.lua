-- expect: 3: unexpected symbol near '='
-- A stray '='.
local x = = 1
