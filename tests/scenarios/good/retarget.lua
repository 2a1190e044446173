-- retarget.lua -- moving a NIC queue's interrupt to another processor
-- while traffic flows (tests/test-host.sh): queue 0 interrupts LP 0 for
-- the first 2 ms, then LP 1; no frame is lost on the way.
sim.config { duration = "4ms" }
local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 2, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "1us" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
                       profile = prof }
local me = host.new { name = "host", nic = nic, mac = "02:00:00:00:00:02",
                      ip = "10.0.0.2", profile = prof }
local peer = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }
traffic.udp { name = "udp", from = peer, to = me, rate = "2Gbps",
              stop = "3500us" }
sim.at("2ms", function()
  assert(nic:queue_lp(0) == 0)
  nic:set_queue_lp(0, 1)
  assert(nic:queue_lp(0) == 1)
end)
