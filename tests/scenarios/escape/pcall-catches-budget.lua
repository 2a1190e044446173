-- expect: 6: scenario code ran more than [0-9]+ Lua instructions without returning
-- An endless loop inside pcall, inside an endless loop: the budget's error
-- cannot be caught, so the callback still ends.
sim.config { duration = "1ms" }
sim.at("1us", function()
  while true do pcall(pcall, function() while true do end end) end
end)
