-- vmq.lua -- four VMs with synthetic NICs behind the real switch on an
-- 8-LP host whose NIC has VMQ queues, for tests/test-vm.sh: the policy
-- (none, static or dynamic) places the VMs' receive queues.
local p = sim.params {
  { name = "vmq", default = "static", values = { "none", "static", "dynamic" },
    description = "VMQ policy" },
  { name = "load", default = "1200Mbps", unit = "rate",
    description = "UDP load to each VM" },
}
sim.config { duration = "30ms", warmup = "2ms", sample = "1ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 8, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "1us" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = p.vmq == "none" and 1 or 5,
  mode = p.vmq == "none" and "single" or "vmq", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic, { vmq = p.vmq, period = "5ms", upper = "80%", lower = "20%" })
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }
for i = 1, 4 do
  local vm = hyp:vm { name = "vm" .. i, vps = 1, lps = { 4 + (i - 1) } }
  local g = guest.new { name = "g" .. i, vm = vm, switch = sw,
    mac = string.format("02:00:00:00:01:%02x", i),
    ip = "10.0.1." .. i, host_lp = 1, profile = prof }
  traffic.udp { name = "udp" .. i, from = client, to = g, rate = p.load,
                size = "1514B", flows = 4 }
end
