-- expect: 8: host.new: give exactly one of 'nic' \(drive a physical NIC\) and 'switch' \(a virtual NIC on a switch\)
-- The host's stack drives a NIC or sits on a switch, not both.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local l = link.new { name = "wire", rate = "10Gbps" }
local n = pnic.new { name = "nic0", cpu = c, apic = a, link = l, profile = prof }
local h = host.new { name = "h", nic = n, switch = vswitch.new { cpu = c, profile = prof },
  mac = "02:00:00:00:00:05", ip = "10.0.0.5", profile = prof }
