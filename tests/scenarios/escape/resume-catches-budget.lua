-- expect: 6: scenario code ran more than [0-9]+ Lua instructions without returning
-- coroutine.resume would return the budget's error as a value: it does not.
sim.config { duration = "1ms" }
sim.at("1us", function()
  while true do
    coroutine.resume(coroutine.create(function() while true do end end))
  end
end)
