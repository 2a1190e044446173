-- expect: 10: two objects have the same name: metric 'nic0\..*' would be registered twice
-- Two physical NICs named alike (found by the scenario fuzz target: the
-- metrics registry asserted, and vnetsim aborted).
sim.config { duration = "1ms" }
local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 2, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "1us" }
for i = 1, 2 do
  pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire, queues = 1,
             mode = "single", profile = prof }
end
