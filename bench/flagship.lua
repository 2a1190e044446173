-- bench/flagship.lua -- the flagship benchmark's workload (bench/flagship):
-- a 10 GbE host receiving line-rate 1514-byte UDP frames spread over V VMs
-- with synthetic NICs, dynamic VMQ, L logical processors, metrics on.
local p = sim.params {
  { name = "vms", default = 8, type = "integer", min = 1, max = 256,
    description = "virtual machines" },
  { name = "lps", default = 16, type = "integer", min = 2, max = 256,
    description = "logical processors (SMT pairs)" },
  { name = "duration", default = "1s", unit = "time",
    description = "simulated time" },
}
sim.config { duration = p.duration, warmup = "0ps", sample = "10ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = p.lps, smt = true, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local queues = math.min(p.vms + 1, 64)
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  side = 0, queues = queues, mode = "vmq", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic, { vmq = "dynamic", period = "20ms" })
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1", fifo = 65536 }
for i = 1, p.vms do
  local lp = (2 * i - 1) % p.lps                -- odd LPs: SMT siblings
  local vm = hyp:vm { name = "vm" .. i, vps = 1, lps = { lp },
                      memory = "48MiB" }
  local g = guest.new { name = "g" .. i, vm = vm, switch = sw,
    mac = string.format("02:00:%02x:%02x:01:01", i // 256, i % 256),
    ip = string.format("10.%d.%d.1", 1 + i // 256, i % 256),
    host_lp = (lp + p.lps - 1) % p.lps, profile = prof }
  traffic.udp { name = "udp" .. i, from = client, to = g,
    rate = math.floor(10e9 / p.vms), size = "1514B", flows = 4 }
end
