-- expect: 8: scenario code ran more than [0-9]+ Lua instructions without returning
-- Full collections of a big heap in a loop: each costs the heap's size.
sim.config { duration = "1ms" }
local t = {}
for i = 1, 300000 do t[i] = { i } end
sim.at("1us", function()
  while true do
    collectgarbage()
  end
end)
