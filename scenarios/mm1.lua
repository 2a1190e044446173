-- mm1.lua -- an M/M/1 queue written entirely in the scenario language.
--
-- It needs no model: jobs arrive as a Poisson process (exponential gaps
-- drawn from math.random, which is the run's seeded stream), wait in a
-- FIFO and are served one at a time with exponential service times.  With
-- rho = lambda/mu < 1, queueing theory (Kleinrock, Queueing Systems vol. 1,
-- ch. 3) gives utilisation rho, mean number in system rho/(1-rho) and mean
-- time in system 1/(mu-lambda); the finish hook records those beside the
-- measured values.  It shows the engine half of the Lua API: parameters
-- and a sweep, sim.config, sim.at callbacks, metrics and scalars.
--
--   vnetsim params scenarios/mm1.lua
--   vnetsim run scenarios/mm1.lua -p rho=50%
--   vnetsim sweep scenarios/mm1.lua -j 2

local p = sim.params {
  { name = "rho", default = "80%", unit = "percent", min = "1%", max = "99%",
    description = "offered load lambda/mu",
    sweep = { "50%", "80%", "90%" } },
  { name = "service", default = "1us", unit = "time", min = "1ns",
    description = "mean service time 1/mu" },
  { name = "length", default = "100ms", unit = "time", min = "1ms",
    description = "simulated time of a run" },
  repetitions = 2,
}

sim.config { duration = p.length, warmup = p.length // 20,
             sample = p.length // 100 }

local arrived = sim.metric { name = "arrived", kind = "counter", unit = "jobs",
                             description = "jobs that arrived" }
local served = sim.metric { name = "served", kind = "counter", unit = "jobs",
                            description = "jobs that left the server" }
local busy = sim.metric { name = "utilization", kind = "timeavg", unit = "1",
                          description = "fraction of time the server works",
                          series = true }
local in_system = sim.metric { name = "inSystem", kind = "timeavg",
                               unit = "jobs", series = true,
                               description = "jobs waiting or in service" }
local sojourn = sim.metric { name = "sojourn", kind = "histogram", unit = "ps",
                             description = "time from arrival to departure" }

-- Rates in jobs per picosecond; times are whole picoseconds (>= 1).
local rho = p.rho / 1000000           -- the parameter is in ppm
local mean_service = p.service
local mean_gap = mean_service / rho

local function exponential(mean)
  return math.max(1, math.floor(-mean * math.log(1 - math.random()) + 0.5))
end

local queue, head, tail = {}, 1, 0    -- arrival times, FIFO

local depart
local function start_service(now)
  busy:set(1)
  sim.at(now + exponential(mean_service), depart)
end

function depart(now)
  local t = queue[head]
  queue[head] = nil
  head = head + 1
  served:add()
  sojourn:record(now - t)
  in_system:set(tail - head + 1)
  if head <= tail then
    start_service(now)
  else
    busy:set(0)
  end
end

local function arrive(now)
  tail = tail + 1
  queue[tail] = now
  arrived:add()
  in_system:set(tail - head + 1)
  if tail == head then
    start_service(now)
  end
  sim.at(now + exponential(mean_gap), arrive)
end

sim.at(exponential(mean_gap), arrive)

sim.finish(function()
  local mu = 1 / mean_service
  local lambda = rho * mu
  sim.scalar("theory.utilization", rho, "1")
  sim.scalar("theory.inSystem", rho / (1 - rho), "jobs")
  sim.scalar("theory.sojourn", 1 / (mu - lambda), "ps")
end)
