-- vmq-compare.lua -- receive processing of N virtual machines on a 10 GbE
-- host under the three VMQ policies (doc/validation.md, doc/models.md
-- section 18).
--
-- A client beyond the wire sends UDP to every VM (many flows each; the
-- offered load is a share of the 10 Gbit/s line, split evenly), and
-- optionally one TCP flow per VM.  The host has 8 cores with SMT (16 LPs);
-- the VMs run on the odd LPs, so the even LPs -- the only ones VMQ uses
-- with SMT on -- carry the root's receive processing.
--
--   none     the NIC bound to the switch has no VMQ and no RSS: every
--            frame is processed on one processor, which caps throughput;
--   static   one queue per VM (while queues last) on a fixed processor,
--            round robin: as many processors busy as queues, at any load;
--   dynamic  queues start on the home processor and spread when it gets
--            hot, coalesce back when load falls: few processors at low
--            load, as many as needed at high load.
--
-- What to look at (vnetsim run, then sqlite3 results/vmq-compare.db):
--   gN.udpN_sink.goodput_bytes      what each VM received
--   nic0.vmq.lps_in_use_avg         processors carrying receive queues
--   cpu.lpN.busy                    where the time went
--   nic0.vmq.qN_lp:vector           every decision of the policy, in time
--
--   vnetsim sweep scenarios/vmq-compare.lua -j 2     (3 policies x 4 loads)
local p = sim.params {
  { name = "vmq", default = "dynamic", values = { "none", "static", "dynamic" },
    description = "VMQ policy", sweep = { "none", "static", "dynamic" } },
  { name = "load", default = "70%", unit = "percent", min = "1%",
    max = "100%", description = "offered UDP load, share of the line",
    sweep = { "10%", "40%", "70%", "100%" } },
  { name = "vms", default = 8, type = "integer", min = 1, max = 64,
    description = "virtual machines" },
  { name = "queues", default = 9, type = "integer", min = 2, max = 64,
    description = "NIC queues, the default queue included" },
  { name = "tcp", default = false, type = "boolean",
    description = "also one TCP flow from the client to each VM" },
  { name = "period", default = "10ms", unit = "time",
    description = "dynamic VMQ's evaluation period" },
}
sim.config { duration = "200ms", warmup = "100ms", sample = "5ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 16, smt = true, profile = prof }
local ic = apic.new { cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  side = 0, queues = p.vmq == "none" and 1 or p.queues,
  mode = p.vmq == "none" and "single" or "vmq", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic, { vmq = p.vmq, period = p.period })
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

local share = 10e9 * p.load / 1e6 / p.vms          -- bit/s per VM
for i = 1, p.vms do
  local lp = 1 + 2 * ((i - 1) % 8)                  -- odd LPs: SMT siblings
  local vm = hyp:vm { name = "vm" .. i, vps = 1, lps = { lp } }
  local g = guest.new { name = "g" .. i, vm = vm, switch = sw,
    mac = string.format("02:00:00:00:01:%02x", i),
    ip = string.format("10.0.1.%d", i), host_lp = lp - 1, profile = prof }
  traffic.udp { name = "udp" .. i, from = client, to = g,
    rate = math.floor(share), size = "1514B", flows = 8 }
  if p.tcp then
    traffic.tcp { name = "tcp" .. i, from = client, to = g, flows = 1 }
  end
end
