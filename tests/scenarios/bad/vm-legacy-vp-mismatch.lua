-- expect: 9: guest.new: a legacy NIC interrupts the VP its send thread runs on: give 'vp' and 'tx_vp' the same value \(got 1 and 0\)
-- The legacy NIC's driver programs are serialised on one VP.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpu = c, profile = prof }
local sw = vswitch.new { cpu = c, profile = prof }
local hyp = hypervisor.new { cpu = c, apic = a, profile = prof }
local vm = hyp:vm { name = "vm1", vps = 2 }
local g = guest.new { name = "g", vm = vm, switch = sw, nic = "legacy",
  mac = "02:00:00:00:00:05", ip = "10.0.0.5", vp = 1, tx_vp = 0,
  profile = prof }
