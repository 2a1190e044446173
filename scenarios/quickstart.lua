-- quickstart.lua -- the two questions vnetsim answers, small enough to run
-- in a second or two (README, doc/validation.md).
--
-- Four VMs with synthetic NICs receive UDP from a client beyond a 10 GbE
-- wire, under static or dynamic VMQ: static VMQ holds a processor per
-- queue at any load, dynamic VMQ uses few at low load and spreads at high
-- load, for the same throughput.  A fifth VM has the emulated legacy NIC
-- and a sixth a synthetic one; the client runs request/response with both:
-- the legacy NIC's exits show in its latency and in the root's CPU time.
--
-- What to look at (vnetsim run, then sqlite3 results/quickstart.db):
--   nic0.vmq.lps_in_use_avg                  processors carrying queues
--   gN.udpN_sink.goodput_bytes                what the four VMs received
--   statistic client.rr_legacy.rtt and client.rr_synthetic.rtt
--   hv.legacy.exits.io_port, hv.fast.exits.*  exits by reason
--
--   vnetsim sweep scenarios/quickstart.lua       (2 policies x 2 loads)
local p = sim.params {
  { name = "vmq", default = "dynamic", values = { "static", "dynamic" },
    description = "VMQ policy", sweep = { "static", "dynamic" } },
  { name = "load", default = "20%", unit = "percent", min = "1%",
    max = "100%", description = "offered UDP load, share of the line",
    sweep = { "20%", "80%" } },
}
sim.config { duration = "60ms", warmup = "30ms", sample = "5ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 12, smt = true, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  side = 0, queues = 7, mode = "vmq", moderation = "off", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic, { vmq = p.vmq, period = "5ms" })
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

for i = 1, 4 do
  local lp = 2 * i - 1
  local vm = hyp:vm { name = "vm" .. i, vps = 1, lps = { lp } }
  local g = guest.new { name = "g" .. i, vm = vm, switch = sw,
    mac = string.format("02:00:00:00:01:%02x", i),
    ip = string.format("10.0.1.%d", i), host_lp = lp - 1, profile = prof }
  traffic.udp { name = "udp" .. i, from = client, to = g,
    rate = math.floor(10e9 * p.load / 1e6 / 4), size = "1514B", flows = 8 }
end

local legacy_vm = hyp:vm { name = "legacy", vps = 1, lps = { 9 } }
local fast_vm = hyp:vm { name = "fast", vps = 1, lps = { 11 } }
local legacy = guest.new { name = "legacy", vm = legacy_vm, switch = sw,
  nic = "legacy", mac = "02:00:00:00:02:01", ip = "10.0.2.1", host_lp = 0,
  profile = prof }
local fast = guest.new { name = "fast", vm = fast_vm, switch = sw,
  nic = "synthetic", mac = "02:00:00:00:02:02", ip = "10.0.2.2",
  host_lp = 0, profile = prof }
traffic.rr { name = "rr_legacy", client = client, server = legacy,
             request = "128B", response = "512B", think = "100us" }
traffic.rr { name = "rr_synthetic", client = client, server = fast,
             request = "128B", response = "512B", think = "100us" }
