-- expect: 8: scenario code ran more than [0-9]+ Lua instructions without returning
-- Sorting a huge table's keys is work done in C: it is charged to the
-- budget pass by pass (and is O(n log n), never quadratic).
sim.config { duration = "1ms" }
local t = {}
for i = 1, 2000000 do t[i] = true end
sim.at("1us", function()
  for k in sorted_pairs(t) do end
end)
