-- nic-compare.lua -- one virtual machine, its NIC either synthetic (VMBus,
-- netvsc) or legacy (an emulated DEC 21140A), sending or receiving UDP at
-- a given frame size as fast as it can, plus request/response latency
-- (doc/validation.md, doc/models.md section 17).
--
-- The synthetic NIC moves frames through shared rings and signals at
-- most once per burst; the legacy NIC makes a port-I/O exit, an intercept
-- to the root and user-mode emulation for every register access: 5 per
-- frame sent and 4 per interrupt (FACTS.md §4.3).  The difference shows in
-- the cycles per frame, the throughput the VM reaches, and the latency.
--
-- What to look at (vnetsim run, then sqlite3 results/nic-compare.db):
--   client.rx_sink / vm.rx_sink goodput_bytes   throughput each way
--   hv.vm.exits.*, hv.vm.intercepts               exits by reason
--   cpu.lpN.owner.*                               cycles by component
--   statistic client.rr.rtt                       request/response time
--
--   vnetsim sweep scenarios/nic-compare.lua -j 2     (2 NICs x 3 sizes x 2 directions)
local p = sim.params {
  { name = "nic", default = "synthetic", values = { "legacy", "synthetic" },
    description = "the VM's NIC", sweep = { "legacy", "synthetic" } },
  { name = "size", default = "1514B", unit = "size", min = "64B",
    max = "1514B", description = "UDP frame size (without FCS)",
    sweep = { "64B", "512B", "1514B" } },
  { name = "direction", default = "rx", values = { "rx", "tx" },
    description = "rx: the VM receives; tx: the VM sends",
    sweep = { "rx", "tx" } },
  { name = "load", default = "10Gbps", unit = "rate",
    description = "offered UDP load (line rate: the most the VM can do; "
                  .. "request/response then includes queueing)" },
}
sim.config { duration = "30ms", warmup = "5ms", sample = "1ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 4, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  side = 0, queues = 1, mode = "single", moderation = "off", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic)
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
local vm = hyp:vm { name = "vm", vps = 1, lps = { 3 } }
local g = guest.new { name = "g", vm = vm, switch = sw, nic = p.nic,
  mac = "02:00:00:00:01:01", ip = "10.0.0.11", host_lp = 2, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

if p.direction == "rx" then
  traffic.udp { name = "rx", from = client, to = g, rate = p.load,
                size = p.size, flows = 4 }
else
  traffic.udp { name = "tx", from = g, to = client, rate = p.load,
                size = p.size, flows = 4 }
end
traffic.rr { name = "rr", client = client, server = g, request = "128B",
             response = "512B", think = "200us" }
