-- expect: 4: apic.new: 300 LPs need x2APIC ids, which MSIs can only reach through interrupt remapping: set remapping = true
-- Too many processors for 8-bit APIC ids without remapping.
local prof = profile.load("xeon-2015")
local a = apic.new { cpu = cpu.new { lps = 300, profile = prof }, remapping = false, profile = prof }
