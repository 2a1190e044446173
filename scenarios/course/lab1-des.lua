-- lab1-des.lua -- course lab 1: discrete-event simulation, time,
-- determinism and fingerprints (doc/course/lab1-des.md).
--
-- A single server written entirely in the scenario language, with no
-- model: jobs arrive as a Poisson process and are served one at a time,
-- first come first served.  Each arrival and each departure is one event
-- of the engine (a sim.at callback); between two events nothing happens
-- and simulated time jumps.  Service times are exponential (an M/M/1
-- queue) or all equal (M/D/1), and the finish hook records what queueing
-- theory predicts beside what the run measured:
--
--   M/M/1  mean time in system  T = S / (1 - rho)
--   M/D/1  mean time in system  T = S + rho * S / (2 * (1 - rho))
--
-- (S the mean service time; Kleinrock, Queueing Systems vol. 1, ch. 3 and
-- the Pollaczek-Khinchine formula.)  Random numbers come from math.random,
-- which the engine seeds from the run: the same run number and seed give
-- the same events in the same order, hence the same fingerprint; another
-- seed gives other arrival times and another fingerprint.
--
-- Parameters: rho (offered load, swept 30/60/90 %), service (mean service
-- time, 1 us), dist (exponential or constant, swept), length (simulated
-- time, 50 ms; the short form used by make check is length=2ms), three
-- repetitions of each point with different seeds.
--
-- What to look at: scalars scenario.measured.sojourn and
-- scenario.theory.sojourn (ps), scenario.served; the run attributes
-- fingerprint and events; the vector scenario.inSystem:vector.
--
--   vnetsim params scenarios/course/lab1-des.lua
--   vnetsim run scenarios/course/lab1-des.lua -p length=2ms
--   vnetsim sweep scenarios/course/lab1-des.lua -j 2
local p = sim.params {
  { name = "rho", default = "60%", unit = "percent", min = "1%", max = "99%",
    description = "offered load: arrival rate x mean service time",
    sweep = { "30%", "60%", "90%" } },
  { name = "dist", default = "exponential",
    values = { "exponential", "constant" },
    description = "service-time distribution (M/M/1 or M/D/1)",
    sweep = { "exponential", "constant" } },
  { name = "service", default = "1us", unit = "time", min = "1ps",
    description = "mean service time S" },
  { name = "length", default = "50ms", unit = "time", min = "1us",
    description = "simulated time of a run" },
  repetitions = 3,
}

sim.config { duration = p.length, warmup = p.length // 10,
             sample = p.length // 200 }

local served = sim.metric { name = "served", kind = "counter", unit = "jobs",
                            description = "jobs that left the server" }
local in_system = sim.metric { name = "inSystem", kind = "timeavg",
                               unit = "jobs", series = true,
                               description = "jobs waiting or in service" }
local sojourn = sim.metric { name = "sojourn", kind = "histogram", unit = "ps",
                             description = "time from arrival to departure" }

-- Every time is a whole number of picoseconds: the engine has no
-- fractions.  A draw is rounded to the nearest picosecond, at least 1.
local S = p.service
local rho = p.rho / 1e6                  -- the parameter is in ppm
local mean_gap = S / rho

local function draw_gap()
  return math.max(1, math.floor(-mean_gap * math.log(1 - math.random()) + 0.5))
end
local function draw_service()
  if p.dist == "constant" then
    return S
  end
  return math.max(1, math.floor(-S * math.log(1 - math.random()) + 0.5))
end

local waiting, first, last = {}, 1, 0    -- arrival times, in FIFO order

local departure
local function serve(now)
  sim.at(now + draw_service(), departure)
end

function departure(now)
  sojourn:record(now - waiting[first])
  waiting[first] = nil
  first = first + 1
  served:add()
  in_system:set(last - first + 1)
  if first <= last then
    serve(now)
  else
    first, last = 1, 0                   -- empty: reuse the slots
  end
end

local function arrival(now)
  last = last + 1
  waiting[last] = now
  in_system:set(last - first + 1)
  if last == first then
    serve(now)
  end
  sim.at(now + draw_gap(), arrival)
end

sim.at(draw_gap(), arrival)

sim.finish(function()
  local T
  if p.dist == "constant" then
    T = S + rho * S / (2 * (1 - rho))
  else
    T = S / (1 - rho)
  end
  sim.scalar("theory.sojourn", T, "ps")
  sim.scalar("measured.sojourn", sojourn:value(), "ps")
end)
