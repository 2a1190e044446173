-- expect: 7: hypervisor.new: cpu already has a hypervisor
-- One hypervisor per host.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local h1 = hypervisor.new { cpu = c, apic = a, profile = prof }
local h2 = hypervisor.new { cpu = c, apic = a, profile = prof }
