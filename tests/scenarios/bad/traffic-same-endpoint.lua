-- expect: 5: traffic.udp: 'from' and 'to' are the same endpoint
-- Traffic from an endpoint to itself.
local l = link.new { name = "wire", rate = "10Gbps" }
local r = traffic.remote { name = "r", link = l, mac = "02:00:00:00:00:01", ip = "10.0.0.1" }
traffic.udp { from = r, to = r, rate = "1Gbps" }
