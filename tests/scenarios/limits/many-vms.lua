-- many-vms.lua -- 100000 VMs, each with a synthetic NIC on the switch:
-- about 0.6 MB of simulator memory each, so --max-memory stops it long
-- before the limit of 1024 VMs does (tests/test-limits.sh).
local p = sim.params {
  { name = "vms", default = 100000, type = "integer", min = 1,
    description = "virtual machines to create" },
}
sim.config { duration = "10us" }
local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 4, profile = prof }
local ic = apic.new { name = "apic", cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  side = 0, queues = 1, mode = "single", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic)
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
for i = 1, p.vms do
  local vm = hyp:vm { name = "vm" .. i, vps = 1, lps = { 2 } }
  guest.new { name = "vm" .. i, vm = vm, switch = sw, nic = "synthetic",
    mac = string.format("02:00:%02x:%02x:%02x:01", i >> 16 & 255, i >> 8 & 255, i & 255),
    ip = "10.0.0.11", host_lp = 1, profile = prof }
end
