-- expect: 7: host.new: field 'rss_lps' is RSS on the virtual NIC: it needs 'switch', not 'nic' \(a physical NIC has its own 'mode'\)
-- RSS over LPs is for the host's virtual NIC on a switch.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local n = pnic.new { name = "nic0", cpu = c, apic = a, link = link.new { name = "w", rate = "10Gbps" }, profile = prof }
local h = host.new { name = "h", nic = n, rss_lps = { 0, 1 },
  mac = "02:00:00:00:00:05", ip = "10.0.0.5", profile = prof }
