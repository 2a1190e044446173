-- dynamic-load.lua -- the offered load rises and falls over simulated
-- time, and the VMQ policy follows it -- or does not (doc/validation.md,
-- doc/models.md section 18).
--
-- Eight VMs on a 16-LP SMT host receive UDP whose total rate steps through
-- 10%, 40%, 80%, 100%, 80%, 40% and 10% of the 10 Gbit/s line.  Dynamic
-- VMQ starts every queue on its home processor, spreads them as the
-- processor gets hot and coalesces them as the load falls; static VMQ
-- holds its processors whatever the load.
--
-- What to look at (vnetsim run, then sqlite3 results/dynamic-load.db):
--   nic0.vmq.lps_in_use:vector      processors carrying queues, every change
--   nic0.vmq.qN_lp:vector           every move of every queue
--   cpu.lpN.busy:vector             per-processor load over time (sampled)
--   gN.*_sink.goodput_bytes         what each VM received
--
--   vnetsim sweep scenarios/dynamic-load.lua -j 2     (static, dynamic)
local p = sim.params {
  { name = "vmq", default = "dynamic", values = { "static", "dynamic" },
    description = "VMQ policy", sweep = { "static", "dynamic" } },
  { name = "step", default = "100ms", unit = "time",
    description = "how long each load level lasts" },
  { name = "period", default = "10ms", unit = "time",
    description = "dynamic VMQ's evaluation period" },
}
local levels = { 10, 40, 80, 100, 80, 40, 10 }      -- % of the line
local vms = 8
sim.config { duration = p.step * #levels, warmup = "0ps", sample = "5ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 16, smt = true, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  side = 0, queues = vms + 1, mode = "vmq", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic, { vmq = p.vmq, period = p.period })
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

for i = 1, vms do
  local lp = 2 * i - 1                              -- odd LPs: SMT siblings
  local vm = hyp:vm { name = "vm" .. i, vps = 1, lps = { lp } }
  local g = guest.new { name = "g" .. i, vm = vm, switch = sw,
    mac = string.format("02:00:00:00:01:%02x", i),
    ip = string.format("10.0.1.%d", i), host_lp = lp - 1, profile = prof }
  for k, level in ipairs(levels) do
    traffic.udp { name = string.format("udp%d_%d", i, k), from = client,
      to = g, rate = math.floor(10e9 * level / 100 / vms), size = "1514B",
      flows = 8, start = p.step * (k - 1), stop = p.step * k }
  end
end
