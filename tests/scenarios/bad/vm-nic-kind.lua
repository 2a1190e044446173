-- expect: 8: guest.new: field 'nic'.*e1000
-- A NIC kind the simulator does not have.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local sw = vswitch.new { cpu = c, profile = prof }
local vm = hypervisor.new { cpu = c, apic = a, profile = prof }:vm { name = "v" }
local g = guest.new { name = "g", vm = vm, switch = sw, nic = "e1000",
  mac = "02:00:00:00:00:05", ip = "10.0.0.5", profile = prof }
