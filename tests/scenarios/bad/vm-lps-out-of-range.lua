-- expect: 7: hypervisor:vm: field 'lps': entry 2 is not an LP of the cpu \(0 .. 1\)
-- A VM pinned to a processor the host does not have.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local hyp = hypervisor.new { cpu = c, apic = a, profile = prof }
local vm = hyp:vm { name = "vm1", lps = { 1, 7 } }
