-- lab8-offloads.lua -- course lab 8: offloads; checksum, LSO and RSC, and
-- what they save (doc/course/lab8-offloads.md).
--
-- A bare-metal host with a one-queue 10 GbE NIC receives bulk TCP from a
-- client beyond the wire (flows connections, as fast as TCP and the
-- host's processor allow).  Everything the host does per frame -- the
-- interrupt, the driver's per-frame work, the stack's per-frame work --
-- is paid once per frame that reaches it; the copy is paid per byte.  An
-- offload that hands the host fewer, larger frames saves the per-frame
-- part:
--
--   rsc     receive segment coalescing: the NIC merges in-order segments
--           of a connection into one large frame between two interrupts
--           (doc/vmswitch-rsc.md); the host sees one frame where the wire
--           carried many;
--   mss     the TCP segment size.  The model's TCP sends one frame per
--           segment and has no LSO path from the scenario language, so
--           this lab shows what LSO saves a sender the other way round:
--           with mss=8960 (jumbo frames) every frame carries six times
--           the data, as an LSO super-frame carries up to 64 KiB;
--   rx_csum receive checksum offload: the NIC checks the IP, TCP and UDP
--           checksums and marks the frame.  The model charges no cycles
--           for checking a checksum in software, so turning it off moves
--           no cycle count: a limit of the model this lab asks about.
--
-- Parameters: rsc (false/true; swept), mss (1460 B; 8960 B for jumbo
-- frames), rx_csum (true), flows (TCP connections, 4), length (simulated
-- time, 20 ms; the short form used by make check is length=5ms).
--
-- What to look at: host.bulk_sink.goodput_bytes (delivered), cpu.lpN.busy
-- (LP 0 receives, LP 1 sends the ACKs), nic0.rsc_coalesced (segments
-- merged), nic0.q0.rx_frames (frames indicated to the driver),
-- nic0.q0.interrupts, cpu.lpN.owner.* (driver and stack).  Cycles per
-- KiB: the sum of cpu.lpN.busy x 2.6 GHz x the 18 ms measured, over the
-- KiB delivered (doc/course/lab8-offloads.md shows the query).
local p = sim.params {
  { name = "rsc", default = false, type = "boolean",
    description = "receive segment coalescing in the NIC",
    sweep = { false, true } },
  { name = "mss", default = "1460B", unit = "size", min = "536B",
    max = "8960B", description = "TCP segment payload" },
  { name = "rx_csum", default = true, type = "boolean",
    description = "receive checksum offload" },
  { name = "flows", default = 4, type = "integer", min = 1, max = 64,
    description = "TCP connections" },
  { name = "length", default = "20ms", unit = "time", min = "3ms",
    description = "simulated time of a run" },
}
sim.config { duration = p.length, warmup = "2ms", sample = "1ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 2, profile = prof }
local ic = apic.new { name = "apic", cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "5us" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = 1, mode = "single", rsc = p.rsc, rx_csum = p.rx_csum,
  profile = prof }
local me = host.new { name = "host", nic = nic, mac = "02:00:00:00:00:02",
                      ip = "10.0.0.2", tx_lp = 1, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

traffic.tcp { name = "bulk", from = client, to = me, flows = p.flows,
              mss = p.mss }
