-- expect: 5: error object is a nil value
-- A callback that raises nil.
sim.config { duration = "1ms" }
sim.at("1us", function()
  error(nil)
end)
