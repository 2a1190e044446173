-- expect: 9: traffic.udp: endpoint 'client' already has an object named 'load'; give this one another 'name'
-- Two generators of one endpoint would share their metrics' names.
local prof = profile.load("xeon-2015")
local l = link.new { name = "wire", rate = "10Gbps" }
local a = traffic.remote { name = "client", link = l, side = 0, mac = "02:00:00:00:00:01", ip = "10.0.0.1" }
local b = traffic.remote { name = "server", link = l, side = 1, mac = "02:00:00:00:00:02", ip = "10.0.0.2" }
local c = traffic.remote { name = "other", link = link.new { name = "w2", rate = "1Gbps" }, mac = "02:00:00:00:00:03", ip = "10.0.0.3" }
traffic.udp { name = "load", from = a, to = b, rate = "1Mbps" }
traffic.udp { name = "load", from = a, to = c, rate = "1Mbps" }
