-- expect: 3: link.new: field 'rate': 3Gbps is not an Ethernet rate; expected 1Gbps, 10Gbps, 25Gbps, 40Gbps or 100Gbps
-- A link speed Ethernet does not have.
local l = link.new { name = "wire", rate = "3Gbps" }
