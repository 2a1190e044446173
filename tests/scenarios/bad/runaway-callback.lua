-- expect: 5: scenario code ran more than [0-9]+ Lua instructions
-- A callback that never returns.
sim.config { duration = "1ms" }
sim.at("1us", function()
  while true do end
end)
