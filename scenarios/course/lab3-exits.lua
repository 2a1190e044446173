-- lab3-exits.lua -- course lab 3: the cost of a VM exit; the emulated
-- legacy NIC, exit by exit, on a timeline (doc/course/lab3-exits.md).
--
-- One virtual machine on a 4-LP host, behind the real vmswitch, with
-- either the legacy NIC (an emulated DEC 21140A: every register access
-- of its driver is a port-I/O exit that the hypervisor routes to the
-- VM's worker process in the root) or the synthetic NIC (VMBus rings in
-- shared memory: at most a hypercall and an interrupt per burst).  A
-- client beyond the wire runs request/response with the VM and sends it
-- a light UDP stream, light enough that frames arrive one by one and
-- every exit of every frame can be seen.
--
-- Parameters: nic (legacy or synthetic; swept), load (UDP to the VM,
-- 10 Mbit/s), size (UDP frame size, 1000 B), posted (posted interrupts),
-- length (simulated time, 20 ms; the short form used by make check is
-- length=6ms).  Run it with --timeline to see the exits on the VM's
-- virtual-processor lane (hv.vm.vp0), e.g.
--   vnetsim run scenarios/course/lab3-exits.lua -p nic=legacy \
--       --timeline lab3.json --timeline-window 5ms,6ms
--
-- What to look at: hv.vm.exits.* (io_port, eoi, hypercall, hlt,
-- external_interrupt), hv.vm.intercepts, hv.vm.injections, the VM's
-- frames (vm.rx_frames, vm.tx_frames), cpu.lpN.owner.* (hypervisor, VID,
-- "vm VMWP", "vm tulip", "vm netvsc"), statistic client.rr.rtt.
local p = sim.params {
  { name = "nic", default = "legacy", values = { "legacy", "synthetic" },
    description = "the VM's network adapter",
    sweep = { "legacy", "synthetic" } },
  { name = "load", default = "10Mbps", unit = "rate",
    description = "UDP load to the VM" },
  { name = "size", default = "1000B", unit = "size", min = "64B",
    max = "1514B", description = "UDP frame size (without FCS)" },
  { name = "posted", default = false, type = "boolean",
    description = "posted interrupts (APIC virtualization)" },
  { name = "length", default = "20ms", unit = "time", min = "3ms",
    description = "simulated time of a run" },
}
sim.config { duration = p.length, warmup = "2ms", sample = "1ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 4, profile = prof }
local ic = apic.new { name = "apic", cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = 1, mode = "single", moderation = "off", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic)
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof,
                             posted_interrupts = p.posted }
local vm = hyp:vm { name = "vm", vps = 1, lps = { 3 } }
local g = guest.new { name = "vm", vm = vm, switch = sw, nic = p.nic,
  mac = "02:00:00:00:01:01", ip = "10.0.0.11", host_lp = 1,
  profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

traffic.udp { name = "udp", from = client, to = g, rate = p.load,
              size = p.size, flows = 4 }
traffic.rr { name = "rr", client = client, server = g,
             request = "128B", response = "512B", think = "200us" }
