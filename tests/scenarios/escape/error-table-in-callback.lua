-- expect: 5: error object is a table value
-- A callback that raises a table.
sim.config { duration = "1ms" }
sim.every("1us", function()
  error({ code = 1 })
end)
