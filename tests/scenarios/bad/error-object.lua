-- expect: 3: error object is a table value
-- An error whose value is not a string.
error({ code = 7 })
