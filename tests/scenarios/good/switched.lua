-- switched.lua -- the host reaches the wire through the real vmswitch:
-- its own virtual NIC is a port of a switch whose external port is the
-- physical NIC.  UDP to the host, bulk TCP from it and request/response,
-- for tests/test-host.sh.
local p = sim.params {
  { name = "load", default = "2Gbps", unit = "rate",
    description = "UDP load towards the host" },
  { name = "rss", default = false, type = "boolean",
    description = "RSS on the host's virtual NIC over LPs 0-2" },
}
sim.config { duration = "5ms", warmup = "1ms", sample = "500us" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 4, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "1us" }
-- A NIC bound to the switch gets no RSS (NDIS): one queue here.
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = 1, mode = "single", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic)
local me = host.new { name = "host", switch = sw, mac = "02:00:00:00:00:02",
                      rss_lps = p.rss and { 0, 1, 2 } or nil,
                      ip = "10.0.0.2", tx_lp = 3, profile = prof }
local peer = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

traffic.udp { name = "udp", from = peer, to = me, rate = p.load,
              size = "1514B", flows = 64 }
traffic.tcp { name = "bulk", from = me, to = peer, flows = 2 }
traffic.rr { name = "ping", client = peer, server = me, request = "128B",
             response = "1KiB", think = "20us" }

sim.finish(function()
  local c = sw:counters()
  sim.scalar("vsw.frames_in", c.frames_in, "frames")
  sim.scalar("vsw.flooded", c.flooded, "frames")
  sim.scalar("vsw.drops", c.drops, "frames")
end)
