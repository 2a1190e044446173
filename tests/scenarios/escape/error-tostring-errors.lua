-- expect: 5: again
-- An error object whose __tostring raises an error itself.
sim.config { duration = "1ms" }
sim.at("1us", function()
  error(setmetatable({}, { __tostring = function() error("again") end }))
end)
