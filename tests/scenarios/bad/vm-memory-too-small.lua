-- expect: 7: hypervisor:vm: field 'memory'
-- A VM too small to hold its synthetic NIC's buffers.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local hyp = hypervisor.new { cpu = c, apic = a, profile = prof }
local vm = hyp:vm { name = "vm1", memory = "1MiB" }
