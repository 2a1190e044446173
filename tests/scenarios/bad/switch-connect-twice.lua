-- expect: 9: vswitch:connect: switch 'vsw' already has an external NIC \('nic0'\)
-- A switch has one external NIC.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local sw = vswitch.new { cpu = c, profile = prof }
local n0 = pnic.new { name = "nic0", cpu = c, apic = a, link = link.new { name = "w0", rate = "10Gbps" }, profile = prof }
sw:connect(n0)
sw:connect(pnic.new { name = "nic1", cpu = c, apic = a, link = link.new { name = "w1", rate = "10Gbps" }, profile = prof })
