-- expect: 7: pnic.new: field 'queue_lps': entry 2 must be an LP number 0..1, got 5
-- A queue aimed at a processor the host does not have.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local l = link.new { name = "wire", rate = "10Gbps" }
local n = pnic.new { name = "nic0", cpu = c, apic = a, link = l, queues = 2,
  mode = "rss", queue_lps = { 0, 5 }, profile = prof }
