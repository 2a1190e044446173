-- lab7-switch.lua -- course lab 7: inside the switch; the vmswitch
-- pipeline, 802.1Q and MAC learning, with captures to open in Wireshark
-- (doc/course/lab7-switch.md).
--
-- A 4-LP host with the real vmswitch: its external port is the physical
-- NIC, and three more ports are two VMs' synthetic NICs (vm1, vm2) and
-- the host's own virtual NIC (host).  A client beyond the wire talks to
-- vm1; vm1 answers; vm2 and the host only listen.
--
--   * MAC learning.  The switch learns each source MAC on the port it
--     came in by; a frame to a MAC it has not learned is flooded to every
--     other port of its VLAN.  With first=vm, vm1 starts sending to the
--     client before the client has sent anything, so vm1's first frames
--     are flooded (vm2 and the host see them too) until the client's
--     first frame teaches the switch where the client is.
--   * 802.1Q.  The scenario language leaves every switch port in its
--     default mode, untagged (the untagged domain, VLAN 0).  With vlan=N
--     the client tags its frames with VLAN N (on the wire, in the bytes);
--     the NIC moves the tag out of band (VLAN offload), and the switch's
--     ingress stage drops them: an untagged port accepts no tagged frame.
--
-- Parameters: first (client or vm: who sends first), vlan (0: untagged;
-- 1..4094: the client's VLAN), load (UDP each way, 50 Mbit/s), length
-- (simulated time, 10 ms; the short form used by make check is
-- length=3ms).  Run with --pcap to keep the captures: PREFIX-nic0.pcap is
-- the wire (802.1Q tags in the bytes), PREFIX-vsw.PORT.pcap each switch
-- port (tags out of band, not in the bytes).
--
-- What to look at: scenario.vsw.* (frames_in, frames_out, flooded,
-- learned, drops: the switch's own counters), vm1.from_client_sink.frames,
-- client.from_vm1_sink.frames, vm2.rx_frames and host.rx_frames (what
-- flooding gave them), cpu.lpN.owner.vmswitch (the switch's work).
local p = sim.params {
  { name = "first", default = "vm", values = { "client", "vm" },
    description = "who sends first: the client or vm1" },
  { name = "vlan", default = 0, type = "integer", min = 0, max = 4094,
    description = "the client's VLAN (0: untagged)" },
  { name = "load", default = "50Mbps", unit = "rate",
    description = "UDP load each way" },
  { name = "length", default = "10ms", unit = "time", min = "3ms",
    description = "simulated time of a run" },
}
sim.config { duration = p.length, warmup = "0ps", sample = "1ms" }

local prof = profile.load("xeon-2015")
local cpus = cpu.new { name = "cpu", lps = 4, profile = prof }
local ic = apic.new { name = "apic", cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "1us" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = 1, mode = "single", profile = prof }
local sw = vswitch.new { name = "vsw", cpu = cpus, profile = prof }
sw:connect(nic)
local hyp = hypervisor.new { cpu = cpus, apic = ic, profile = prof }
local vm1 = guest.new { name = "vm1", switch = sw, profile = prof,
  vm = hyp:vm { name = "vm1", lps = { 2 } },
  mac = "02:00:00:00:01:01", ip = "10.0.0.11", host_lp = 1 }
local vm2 = guest.new { name = "vm2", switch = sw, profile = prof,
  vm = hyp:vm { name = "vm2", lps = { 3 } },
  mac = "02:00:00:00:01:02", ip = "10.0.0.12", host_lp = 1 }
local me = host.new { name = "host", switch = sw, mac = "02:00:00:00:00:02",
  ip = "10.0.0.2", tx_lp = 1, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1",
  vlan = p.vlan > 0 and p.vlan or nil }

-- The first sender starts at once, the other 1 ms later.
local vm_start = p.first == "vm" and "0ps" or "1ms"
local client_start = p.first == "vm" and "1ms" or "0ps"
traffic.udp { name = "from_client", from = client, to = vm1, rate = p.load,
              size = "800B", flows = 2, start = client_start }
traffic.udp { name = "from_vm1", from = vm1, to = client, rate = p.load,
              size = "800B", flows = 2, start = vm_start }

sim.finish(function()
  local c = sw:counters()
  for _, k in ipairs { "frames_in", "frames_out", "flooded", "learned",
                       "moves", "drops" } do
    sim.scalar("vsw." .. k, c[k], "frames")
  end
end)
