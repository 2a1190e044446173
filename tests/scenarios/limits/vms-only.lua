-- vms-only.lua -- asks for 100000 VMs on one hypervisor (no NICs, the
-- smallest guest memory): refused at the 1025th, Hyper-V's limit per
-- host (tests/test-limits.sh).
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
  local vm = hyp:vm { name = "vm" .. i, vps = 1, lps = { 2 }, memory = "32MiB" }
end
