-- expect: 9: guest.new: field 'queues': 4 vRSS queues for 2 VPs; give at most one per VP
-- vRSS spreads a NIC's queues over the VM's processors, one each.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local sw = vswitch.new { cpu = c, profile = prof }
local hyp = hypervisor.new { cpu = c, apic = a, profile = prof }
local vm = hyp:vm { name = "vm1", vps = 2 }
local g = guest.new { name = "g", vm = vm, switch = sw, queues = 4,
  mac = "02:00:00:00:00:05", ip = "10.0.0.5", profile = prof }
