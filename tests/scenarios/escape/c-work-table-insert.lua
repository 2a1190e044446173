-- expect: 7: scenario code ran more than [0-9]+ Lua instructions without returning
-- Inserting at the front of a big array shifts it all: charged per element.
sim.config { duration = "1ms" }
local t = {}
for i = 1, 1000000 do t[i] = i end
sim.at("1us", function()
  while true do table.insert(t, 1, 0); table.remove(t, 1) end
end)
