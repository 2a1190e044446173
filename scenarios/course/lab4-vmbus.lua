-- lab4-vmbus.lua -- course lab 4: shared memory and batching; VMBus rings
-- and the synthetic NIC (doc/course/lab4-vmbus.md).
--
-- One virtual machine with the synthetic NIC on a 4-LP host behind the
-- real vmswitch.  A client beyond the wire sends it UDP at a rate that
-- the study raises, and the VM sends UDP back at the same rate.  The NIC
-- is a VMBus channel: two rings in guest memory, one each way.  A writer
-- signals the reader only when a ring goes from empty to non-empty and
-- the reader has not masked it; while the reader drains, it masks.  So
-- the busier the channel, the more packets share one signal: at low load
-- every frame costs a signal and an interrupt, at high load a burst
-- does.
--
-- Parameters: load (UDP to the VM, swept 10 Mbit/s .. 4 Gbit/s), size
-- (frame size, 1514 B), monitor (signal the host through the monitor
-- page instead of a hypercall), length (simulated time, 20 ms; the
-- short form used by make check is length=4ms).
--
-- What to look at, per VM NIC (hv.vm.nic0): rx_frames, tx_frames,
-- signals_to_guest (the host's SignalEvents), signals_to_host (the
-- guest's), interrupts, polls, vsp_runs, inbound_occupancy; the VM's
-- exits (hv.vm.exits.hypercall, hlt); scenario.* holds the per-frame
-- ratios.
local p = sim.params {
  { name = "load", default = "1Gbps", unit = "rate",
    description = "UDP load to the VM",
    sweep = { "10Mbps", "100Mbps", "300Mbps", "1Gbps", "2Gbps", "4Gbps" } },
  { name = "size", default = "1514B", unit = "size", min = "64B",
    max = "1514B", description = "UDP frame size (without FCS)" },
  { name = "monitor", default = false, type = "boolean",
    description = "guest signals the host through the monitor page" },
  { name = "length", default = "20ms", unit = "time", min = "3ms",
    description = "simulated time of a run" },
}
sim.config { duration = p.length, warmup = "2ms", sample = "1ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 4, profile = prof }
local ic = apic.new { name = "apic", cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = 1, mode = "single", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic)
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
local vm = hyp:vm { name = "vm", vps = 1, lps = { 3 } }
local g = guest.new { name = "vm", vm = vm, switch = sw, nic = "synthetic",
  mac = "02:00:00:00:01:01", ip = "10.0.0.11", host_lp = 1,
  monitor = p.monitor, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

traffic.udp { name = "down", from = client, to = g, rate = p.load,
              size = p.size, flows = 4 }
