-- mixed.lua -- mixed traffic through one host NIC, for tests/test-host.sh:
-- UDP to the host over many flows, bulk TCP from the host, and
-- request/response, on a VLAN, with RSS over four queues.
local p = sim.params {
  { name = "queues", default = 4, type = "integer", min = 1, max = 8,
    description = "NIC queue pairs" },
  { name = "load", default = "2Gbps", unit = "rate",
    description = "UDP load towards the host" },
  { name = "size", default = "1514B", unit = "size",
    description = "UDP frame size" },
}
sim.config { duration = "5ms", warmup = "1ms", sample = "500us" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 4, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "1us" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = p.queues, mode = p.queues > 1 and "rss" or "single",
  rss_udp = true, profile = prof }
local me = host.new { name = "host", nic = nic, mac = "02:00:00:00:00:02",
                      ip = "10.0.0.2", vlan = 42, tx_lp = 3, profile = prof }
local peer = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1", vlan = 42 }

traffic.udp { name = "udp", from = peer, to = me, rate = p.load,
              size = p.size, flows = 64 }
traffic.tcp { name = "bulk", from = me, to = peer, flows = 2 }
traffic.rr { name = "ping", client = peer, server = me, request = "128B",
             response = "1KiB", think = "20us" }
