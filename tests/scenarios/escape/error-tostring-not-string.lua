-- expect: 3: error object is a table value
-- An error object whose __tostring returns a table.
error(setmetatable({}, { __tostring = function() return {} end }))
