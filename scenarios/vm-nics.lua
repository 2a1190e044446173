-- vm-nics.lua -- two virtual machines on one host, one with the synthetic
-- NIC (VMBus, netvsc) and one with the legacy NIC (an emulated DEC 21140A),
-- behind the real vmswitch.
--
-- A client beyond a 10 GbE link sends the same UDP load to both VMs and
-- runs request/response with each.  Every frame to or from the legacy VM
-- costs port-I/O exits routed to the VM's worker process (5 to send one
-- frame, 4 to receive one, fewer under load); the synthetic NIC costs at
-- most a hypercall and an interrupt per burst.  The difference is what
-- the processors spend and the latency the applications see.
--
-- What to look at (vnetsim run, then sqlite3 results/vm-nics.db):
--   hv.legacy.exits.io_port, hv.synthetic.exits.hypercall   exits by reason
--   hv.<vm>.injections, hv.<vm>.exits.eoi                    interrupts
--   cpu.lpN.owner.<vm> VMWP, .VID, .hypervisor               where time went
--   statistic client.rr_legacy.rtt, client.rr_synthetic.rtt   latency
--   legacy.udp_sink.frames, synthetic.udp_sink.frames        delivered
--
--   vnetsim params scenarios/vm-nics.lua
--   vnetsim sweep scenarios/vm-nics.lua -j 2
local p = sim.params {
  { name = "load", default = "20Mbps", unit = "rate",
    description = "UDP load to each VM", sweep = { "5Mbps", "20Mbps" } },
  { name = "size", default = "1000B", unit = "size", min = "64B",
    max = "1514B", description = "UDP frame size (without FCS)" },
  { name = "posted", default = false, type = "boolean",
    description = "posted interrupts (APIC virtualization)" },
  { name = "moderation", default = "off",
    values = { "off", "fixed", "adaptive", "conservative" },
    description = "interrupt moderation of the physical NIC (with it on, "
                  .. "its delay hides part of the difference)" },
}

sim.config { duration = "20ms", warmup = "2ms", sample = "2ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 4, profile = prof }
local ic = apic.new { name = "apic", cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  side = 0, queues = 1, mode = "single", moderation = p.moderation,
  profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic)
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof,
                             posted_interrupts = p.posted }

local synth_vm = hyp:vm { name = "synthetic", vps = 1, lps = { 2 } }
local legacy_vm = hyp:vm { name = "legacy", vps = 1, lps = { 3 } }
local synthetic = guest.new { name = "synthetic", vm = synth_vm,
  switch = sw, nic = "synthetic", mac = "02:00:00:00:01:01",
  ip = "10.0.0.11", host_lp = 1, profile = prof }
local legacy = guest.new { name = "legacy", vm = legacy_vm, switch = sw,
  nic = "legacy", mac = "02:00:00:00:02:01", ip = "10.0.0.12",
  host_lp = 1, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

for _, vm in ipairs { synthetic, legacy } do
  local which = vm == synthetic and "synthetic" or "legacy"
  traffic.udp { name = "udp_" .. which, from = client, to = vm,
                rate = p.load, size = p.size, flows = 4 }
  traffic.rr { name = "rr_" .. which, client = client, server = vm,
               request = "128B", response = "512B", think = "200us" }
end
