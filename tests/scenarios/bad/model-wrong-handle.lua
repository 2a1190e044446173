-- expect: 5: apic.new: field 'cpu' must be a cpu handle, got a link handle
-- Passing a link where a cpu is expected.
local prof = profile.load("xeon-2015")
local l = link.new { name = "wire", rate = "10Gbps" }
local a = apic.new { cpu = l, profile = prof }
