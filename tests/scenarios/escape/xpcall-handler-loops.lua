-- expect: 6: scenario code ran more than [0-9]+ Lua instructions without returning
-- A message handler that never returns, retried for ever.
sim.config { duration = "1ms" }
sim.at("1us", function()
  while true do
    xpcall(error, function() while true do end end)
  end
end)
