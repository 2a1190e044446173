-- lab5-rss.lua -- course lab 5: spreading receive work; RSS and the
-- Toeplitz hash (doc/course/lab5-rss.md).
--
-- A bare-metal host with 8 logical processors and a multi-queue 10 GbE
-- NIC receives UDP at line rate over many flows.  With RSS the NIC
-- computes the Toeplitz hash of each frame's addresses (and, with
-- rss_udp, its UDP ports), looks the low 7 bits up in a 128-entry
-- indirection table, and puts the frame in that queue; each queue
-- interrupts its own processor, whose DPC runs the driver and the host
-- stack.  Every frame of a flow hashes the same, so a flow stays on one
-- processor (no reordering) and many flows spread.
--
-- Parameters: queues (1, 2, 4, 8; swept; 1 means RSS off), flows (UDP
-- flows, distinct source ports, 64), rss_udp (hash the UDP ports too;
-- without it every flow between the same two addresses hashes alike),
-- size (frame size, 256 B), load (share of the line, 100 %), length
-- (simulated time, 10 ms; the short form used by make check is
-- length=3ms).
--
-- What to look at: host.load_sink.goodput_bytes and frames (delivered),
-- cpu.lpN.busy (where the work went), nic0.qN.rx_frames and
-- nic0.qN.interrupts (how the hash spread the frames), nic0.drops.ring_full
-- (frames lost because a queue's processor could not keep up).
local p = sim.params {
  { name = "queues", default = 4, type = "integer", min = 1, max = 8,
    description = "NIC queues (1: no RSS)", sweep = { 1, 2, 4, 8 } },
  { name = "flows", default = 64, type = "integer", min = 1, max = 4096,
    description = "UDP flows (distinct source ports)" },
  { name = "rss_udp", default = true, type = "boolean",
    description = "hash the UDP ports as well as the addresses" },
  { name = "size", default = "256B", unit = "size", min = "64B",
    max = "1514B", description = "frame size (without FCS)" },
  { name = "load", default = "100%", unit = "percent", min = "1%",
    max = "100%", description = "offered load, share of the 10 Gbit/s line" },
  { name = "length", default = "10ms", unit = "time", min = "3ms",
    description = "simulated time of a run" },
}
sim.config { duration = p.length, warmup = "1ms", sample = "500us" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 8, profile = prof }
local ic = apic.new { name = "apic", cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = p.queues, mode = p.queues > 1 and "rss" or "single",
  rss_udp = p.rss_udp, profile = prof }
local me = host.new { name = "host", nic = nic, mac = "02:00:00:00:00:02",
                      ip = "10.0.0.2", profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

traffic.udp { name = "load", from = client, to = me, flows = p.flows,
              rate = 10000000000 * p.load // 1000000, size = p.size }
