-- expect: 7: scenario code ran more than [0-9]+ Lua instructions without returning
-- A plain find over a long string allocates nothing: the bytes it scans
-- count against the budget.
sim.config { duration = "1ms" }
local s = string.rep("x", 10000000)
sim.at("1us", function()
  while true do s:find("y", 1, true) end
end)
