-- expect: 6: scenario code ran more than [0-9]+ Lua instructions without returning
-- A loop of a few instructions around one big C call: the C work (bytes
-- allocated) counts against the budget.
sim.config { duration = "1ms" }
sim.at("1us", function()
  while true do local s = string.rep("x", 5000000) end
end)
