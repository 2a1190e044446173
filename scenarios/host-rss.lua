-- host-rss.lua -- receive-side scaling on a bare-metal host.
--
-- A client beyond a 10 GbE link sends UDP to the host over many flows.
-- The host's NIC spreads the flows over its queues with RSS (Toeplitz
-- hash, 128-entry indirection table); each queue interrupts its own
-- processor, whose DPC runs the driver and the host stack.  With one
-- queue every frame is processed on processor 0; with more, the work
-- spreads -- and throughput stops being capped by one processor.
--
-- What to look at (vnetsim run, then sqlite3 results/host-rss.db):
--   host.rx_frames / client-side frames sent    delivered fraction
--   cpu.lpN.busy                                 per-processor utilisation
--   nic0.qN.interrupts                           interrupts per queue
--   nic0.drops.ring_full                         receive-ring overflows
--
--   vnetsim params scenarios/host-rss.lua
--   vnetsim sweep scenarios/host-rss.lua -j 2
local p = sim.params {
  { name = "queues", default = 4, type = "integer", min = 1, max = 8,
    description = "NIC queue pairs (1: no RSS)", sweep = { 1, 2, 4, 8 } },
  { name = "load", default = "50%", unit = "percent", min = "1%",
    max = "100%", description = "offered load, share of the 10 Gbit/s line",
    sweep = { "25%", "50%", "100%" } },
  { name = "size", default = "1514B", unit = "size", min = "64B",
    max = "1514B", description = "frame size (without FCS)" },
  { name = "flows", default = 64, type = "integer", min = 1, max = 4096,
    description = "UDP flows (distinct source ports)" },
  { name = "moderation", default = "conservative",
    values = { "off", "fixed", "adaptive", "conservative" },
    description = "interrupt moderation of the NIC's vectors" },
}

sim.config { duration = "20ms", warmup = "2ms", sample = "1ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 8, profile = prof }
local ic = apic.new { name = "apic", cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new {
  name = "nic0", cpu = cpus, apic = ic, link = wire, side = 0,
  queues = p.queues, mode = p.queues > 1 and "rss" or "single",
  -- The flows differ only in their UDP ports: hash the ports too (NDIS
  -- 6.80's UDP hash types), or every flow would land in one queue.
  rss_udp = true,
  moderation = p.moderation, profile = prof,
}
local me = host.new { name = "host", nic = nic, mac = "02:00:00:00:00:02",
                      ip = "10.0.0.2", profile = prof }
local client = traffic.remote { name = "client", link = wire, side = 1,
                                mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

-- The offered load in bit/s on the wire: load is in ppm of 10 Gbit/s.
traffic.udp { name = "load", from = client, to = me, flows = p.flows,
              rate = 10000000000 * p.load // 1000000, size = p.size }
