-- vm-legacy.lua -- a VM with the legacy NIC (an emulated DEC 21140A) on
-- the real switch, for tests/test-vm.sh: UDP from the wire into the VM,
-- UDP from the VM to the wire, request/response, and UDP from the legacy
-- VM to a second VM with a synthetic NIC.
local p = sim.params {
  { name = "load", default = "20Mbps", unit = "rate",
    description = "UDP load each way" },
}
sim.config { duration = "20ms", warmup = "2ms", sample = "2ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 3, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "1us" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = 1, mode = "single", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic)
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
local vm1 = hyp:vm { name = "vm1", vps = 1, lps = { 1 } }
local g1 = guest.new { name = "g1", vm = vm1, switch = sw, nic = "legacy",
  mac = "02:00:00:00:01:01", ip = "10.0.0.11", host_lp = 0, profile = prof }
local vm2 = hyp:vm { name = "vm2", vps = 1, lps = { 2 } }
local g2 = guest.new { name = "g2", vm = vm2, switch = sw, nic = "synthetic",
  mac = "02:00:00:00:02:01", ip = "10.0.0.12", host_lp = 2, profile = prof }
local peer = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

traffic.udp { name = "in", from = peer, to = g1, rate = p.load,
              size = "1000B", flows = 2 }
traffic.udp { name = "out", from = g1, to = peer, rate = p.load,
              size = "1000B", flows = 2 }
traffic.rr { name = "ping", client = peer, server = g1, request = "128B",
             response = "512B", think = "200us" }
traffic.udp { name = "east", from = g1, to = g2, rate = "5Mbps",
              size = "600B", flows = 1 }
