-- load.lua -- a small engine-only scenario for tests/test-cli.sh: a swept
-- parameter with repetitions, callbacks that change the load over time,
-- scenario metrics with series, math.random, sorted_pairs and a scalar
-- from a finish hook.
local p = sim.params {
  { name = "rate", default = "1Gbps", unit = "rate", min = "1Mbps",
    description = "offered load", sweep = { "100Mbps", "1Gbps", "10Gbps" } },
  { name = "frame", default = "1500B", unit = "size", min = "64B",
    max = "9KiB", description = "frame size" },
  { name = "mode", default = "steady", values = { "steady", "burst" },
    description = "arrival pattern" },
  { name = "scale", default = 1.5, type = "number", min = 0.5, max = 4,
    description = "multiplier of the load after 1 ms" },
  { name = "verbose", default = false, description = "print while running" },
  repetitions = 2,
}

sim.config { duration = "3ms", warmup = "100us", sample = "250us" }

local frames = sim.metric { name = "frames", kind = "counter", unit = "frames",
                            description = "frames offered", series = true }
local level = sim.metric { name = "level", kind = "timeavg", unit = "1",
                           description = "load multiplier in force",
                           series = true }
local gaps = sim.metric { name = "gap", kind = "histogram", unit = "ps",
                          description = "time between frames" }

-- The gap between frames at the configured rate, in ps.
local gap = p.frame * 8 * 1000000000000 // p.rate
local factor = 1
level:set(factor)

local function send(now)
  frames:add()
  local g = gap // factor
  if p.mode == "burst" then
    g = math.random(1, 2 * g)
  else
    g = g + math.random(0, g // 10)
  end
  gaps:record(g)
  sim.at(now + g, send)
end
sim.at(0, send)

-- The load changes over time: deterministic, like everything else.
sim.at("1ms", function() factor = p.scale; level:set(factor) end)
local ticks = 0
local t = sim.every("500us", function(now)
  ticks = ticks + 1
  if p.verbose then print(now, frames:value()) end
end)
sim.at("2ms", function() t:cancel() end)

local order = {}
for k in sorted_pairs({ zeta = 1, alpha = 2, [3] = 3, [1] = 4 }) do
  order[#order + 1] = tostring(k)
end
assert(table.concat(order, ",") == "1,3,alpha,zeta", table.concat(order, ","))
order = {}
for k, v in sorted_pairs({ b = 1, a = 2, [3] = "x", [1] = "y", [2.5] = "z",
                           aa = 5, [-1] = 0 }) do
  order[#order + 1] = tostring(k) .. "=" .. tostring(v)
end
assert(table.concat(order, ",") == "-1=0,1=y,2.5=z,3=x,a=2,aa=5,b=1",
       table.concat(order, ","))
local many, prev, count = {}, nil, 0
for i = 1, 5000 do many[(i * 37) % 5003] = i end
for k in sorted_pairs(many) do
  assert(prev == nil or prev < k, "sorted_pairs out of order")
  prev, count = k, count + 1
end
assert(count == 5000)

sim.finish(function()
  sim.scalar("ticks", ticks, "1")
  sim.scalar("offeredBytes", frames:value() * p.frame, "B")
end)
