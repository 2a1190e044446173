-- expect: 5: resulting string too large
-- A callback that asks for a huge string.
sim.config { duration = "1ms" }
sim.at("1us", function()
  local s = ("x"):rep(1 << 31)
end)
