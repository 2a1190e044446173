-- lab6-vmq.lua -- course lab 6: VMQ; none vs static vs dynamic under
-- steady and changing load (doc/course/lab6-vmq.md).
--
-- Eight VMs with synthetic NICs on a 16-LP host (8 cores with SMT)
-- behind a 10 GbE NIC bound to the vmswitch.  A client sends UDP to every
-- VM.  Which processor does the root's receive work for each VM -- the
-- NIC's DPC, the switch, the copy into the VM's ring -- is what the VMQ
-- policy decides:
--
--   none     the NIC has one queue: every frame is processed on one
--            processor, whatever the load;
--   static   one hardware queue per VM, each on its own processor, fixed
--            when the queue is made (round robin over the allowed LPs);
--   dynamic  the queues start on one home processor and the policy,
--            every period, moves a queue off a processor that is busier
--            than 'upper' and gathers queues back when processors are
--            less busy than 'lower'.
--
-- The VMs run on the odd LPs; with SMT on, VMQ uses only the even LPs
-- (one per core), so the root's work and the VMs' never share an LP.
--
-- Parameters: vmq (none, static, dynamic; swept), load (share of the
-- line, split evenly over the VMs; swept 10/40/70/100 %), pattern
-- (steady: the load all the time; steps: 10, 40, 80, 100, 80, 40, 10 %
-- of the line, each for length/7, the load parameter unused), period
-- (dynamic VMQ's evaluation period, 10 ms), length (simulated time,
-- 200 ms; the first half is warm-up with pattern=steady; the short form
-- used by make check is length=60ms period=5ms).
--
-- What to look at: nic0.vmq.lps_in_use_avg (processors carrying queues,
-- time average), nic0.vmq.lps_in_use:vector and nic0.vmq.qN_lp:vector
-- (every decision of the policy), gN.udpN_sink.goodput_bytes (what each
-- VM got), cpu.lpN.busy and cpu.lpN.busy:vector.
local p = sim.params {
  { name = "vmq", default = "dynamic", values = { "none", "static", "dynamic" },
    description = "VMQ policy", sweep = { "none", "static", "dynamic" } },
  { name = "load", default = "40%", unit = "percent", min = "1%",
    max = "100%", description = "offered load, share of the line",
    sweep = { "10%", "40%", "70%", "100%" } },
  { name = "pattern", default = "steady", values = { "steady", "steps" },
    description = "steady load, or steps up to 100 % and back" },
  { name = "period", default = "10ms", unit = "time",
    description = "dynamic VMQ's evaluation period" },
  { name = "length", default = "200ms", unit = "time", min = "20ms",
    description = "simulated time of a run" },
}
local vms = 8
local levels = { 10, 40, 80, 100, 80, 40, 10 }        -- % of the line
local steady = p.pattern == "steady"
local step = p.length // #levels
sim.config { duration = steady and p.length or step * #levels,
             warmup = steady and p.length // 2 or "0ps", sample = "5ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 16, smt = true, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = p.vmq == "none" and 1 or vms + 1,
  mode = p.vmq == "none" and "single" or "vmq", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic, { vmq = p.vmq, period = p.period })
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

for i = 1, vms do
  local lp = 2 * i - 1                                -- odd LPs
  local vm = hyp:vm { name = "vm" .. i, vps = 1, lps = { lp } }
  local g = guest.new { name = "g" .. i, vm = vm, switch = sw,
    mac = string.format("02:00:00:00:01:%02x", i),
    ip = string.format("10.0.1.%d", i), host_lp = lp - 1, profile = prof }
  if steady then
    traffic.udp { name = "udp" .. i, from = client, to = g,
      rate = 10000000000 * p.load // 1000000 // vms, size = "1514B",
      flows = 8 }
  else
    for k, level in ipairs(levels) do
      traffic.udp { name = string.format("udp%d_%d", i, k), from = client,
        to = g, rate = 10000000000 * level // 100 // vms, size = "1514B",
        flows = 8, start = step * (k - 1), stop = step * k }
    end
  end
end
