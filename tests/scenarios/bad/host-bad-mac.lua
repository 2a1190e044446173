-- expect: 8: host.new: field 'mac': '02:00:00:00:00' is not a MAC address; expected six hex bytes such as '02:00:00:00:00:01'
-- A MAC address with five bytes.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local l = link.new { name = "wire", rate = "10Gbps" }
local n = pnic.new { name = "nic0", cpu = c, apic = a, link = l, profile = prof }
local h = host.new { name = "h", nic = n, mac = "02:00:00:00:00", ip = "10.0.0.2", profile = prof }
