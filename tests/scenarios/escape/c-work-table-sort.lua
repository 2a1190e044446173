-- expect: 7: scenario code ran more than [0-9]+ Lua instructions without returning
-- Sorting a big array in a loop: each sort is charged n log n.
sim.config { duration = "1ms" }
local t = {}
for i = 1, 200000 do t[i] = (i * 7919) % 200003 end
sim.at("1us", function()
  while true do table.sort(t) end
end)
