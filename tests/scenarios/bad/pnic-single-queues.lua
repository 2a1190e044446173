-- expect: 7: pnic.new: 4 queues in mode 'single': only queue 0 would receive; use mode 'rss' or 'vmq'
-- Several queues but no way to spread frames over them.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local l = link.new { name = "wire", rate = "10Gbps" }
local n = pnic.new { name = "nic0", cpu = c, apic = a, link = l, queues = 4, profile = prof }
