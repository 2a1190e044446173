-- expect: 6: attempt to index a nil value \(local 'x'\)
-- A callback that fails at run time.
sim.config { duration = "1ms" }
sim.every("10us", function()
  local x = nil
  return x.y
end)
