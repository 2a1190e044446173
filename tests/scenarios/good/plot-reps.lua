-- plot-reps.lua -- a small swept study with repetitions, for
-- tests/test-plot.sh: a bare-metal host receiving UDP at two loads, two
-- repetitions each, with per-processor series.
local p = sim.params {
  { name = "load", default = "20%", unit = "percent", min = "1%",
    max = "100%", description = "offered load, share of the 10 Gbit/s line",
    sweep = { "20%", "60%" } },
  repetitions = 2,
}
sim.config { duration = "4ms", warmup = "1ms", sample = "500us" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 2, profile = prof }
local ic = apic.new { name = "apic", cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  side = 0, queues = 2, mode = "rss", rss_udp = true, profile = prof }
local me = host.new { name = "host", nic = nic, mac = "02:00:00:00:00:02",
                      ip = "10.0.0.2", profile = prof }
local client = traffic.remote { name = "client", link = wire, side = 1,
                                mac = "02:00:00:00:00:01", ip = "10.0.0.1" }
traffic.udp { name = "load", from = client, to = me, flows = 16,
              rate = 10000000000 * p.load // 1000000, size = "1514B" }
