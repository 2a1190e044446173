-- expect: 5: scenario code ran more than [0-9]+ Lua instructions without returning \(an endless loop\?\)
-- An error object whose __tostring never returns.
sim.config { duration = "1ms" }
sim.at("1us", function()
  error(setmetatable({}, { __tostring = function() while true do end end }))
end)
