-- rows.lua -- a run that writes many rows: 40 metrics sampled as series
-- every microsecond (tests/test-crash-safety.sh kills it while it runs and
-- while it writes).
local p = sim.params {
  { name = "length", default = "2ms", unit = "time", min = "10us",
    description = "simulated time" },
  repetitions = 4,
}
sim.config { duration = p.length, sample = "1us" }
local gauges = {}
for i = 1, 40 do
  gauges[i] = sim.metric { name = "g" .. i, kind = "gauge", series = true,
                           description = "a gauge that moves" }
end
local n = 0
sim.every("100ns", function()
  n = n + 1
  for i = 1, 40 do gauges[i]:set((n * i) % 97) end
end)
sim.finish(function() sim.scalar("ticks", n) end)
