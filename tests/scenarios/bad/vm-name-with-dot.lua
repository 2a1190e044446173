-- expect: 7: hypervisor:vm: field 'name': 'web.1' may not contain '.' or spaces
-- VM names become component names.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local hyp = hypervisor.new { cpu = c, apic = a, profile = prof }
local vm = hyp:vm { name = "web.1" }
