-- vm-synthetic.lua -- two VMs with synthetic NICs on the real switch, for
-- tests/test-vm.sh: UDP from the wire into vm1, bulk TCP from vm1 to the
-- wire, request/response between the wire and vm1, and UDP from vm2 to
-- vm1 through the switch.
local p = sim.params {
  { name = "load", default = "500Mbps", unit = "rate",
    description = "UDP load from the wire into vm1" },
  { name = "posted", default = false, type = "boolean",
    description = "posted interrupts (APIC virtualization)" },
  { name = "monitor", default = false, type = "boolean",
    description = "vm2 signals the host through the monitor page" },
  { name = "bulk", default = true, type = "boolean",
    description = "bulk TCP from vm1 to the wire" },
  { name = "queues", default = 1, type = "integer", min = 1, max = 2,
    description = "vRSS queues of vm1's NIC" },
}
sim.config { duration = "6ms", warmup = "1ms", sample = "1ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 4, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "1us" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = 1, mode = "single", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic)
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof,
                             posted_interrupts = p.posted }
local vm1 = hyp:vm { name = "vm1", vps = 2, lps = { 2, 3 } }
local vm2 = hyp:vm { name = "vm2", vps = 1, lps = { 1 } }
local g1 = guest.new { name = "g1", vm = vm1, switch = sw, nic = "synthetic",
  mac = "02:00:00:00:01:01", ip = "10.0.0.11", host_lp = 0,
  queues = p.queues, profile = prof }
local g2 = guest.new { name = "g2", vm = vm2, switch = sw, nic = "synthetic",
  monitor = p.monitor,
  mac = "02:00:00:00:02:01", ip = "10.0.0.12", host_lp = 1, profile = prof }
local peer = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

traffic.udp { name = "udp", from = peer, to = g1, rate = p.load,
              size = "1514B", flows = 8 }
if p.bulk then
  traffic.tcp { name = "bulk", from = g1, to = peer, flows = 1 }
end
traffic.rr { name = "ping", client = peer, server = g1, request = "128B",
             response = "1KiB", think = "50us" }
traffic.udp { name = "east", from = g2, to = g1, rate = "200Mbps",
              size = "512B", flows = 2 }
