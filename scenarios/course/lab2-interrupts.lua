-- lab2-interrupts.lua -- course lab 2: interrupts, EOI and interrupt
-- moderation, and its trade-off between latency and CPU time
-- (doc/course/lab2-interrupts.md).
--
-- A bare-metal host with a one-queue 10 GbE NIC.  A client beyond the
-- wire sends it a steady UDP stream and, at the same time, runs
-- request/response (a small request, a small response, then a pause).
-- Every receive completion wants an interrupt: vector 0x60 on processor
-- 0, whose ISR queues the driver's DPC, which hands the frames to the
-- host stack.  Moderation makes the vector wait: after an interrupt it
-- stays quiet for an interval and one interrupt covers what completed
-- meanwhile.  Fewer interrupts cost less CPU; the waiting is latency.
--
-- The interrupt controller's priorities and the EOI are inside the
-- models (models/apic, models/cpu) and have no scenario knob of their
-- own, but their cost does: eoi sets the cycles of the EOI write
-- (profile value cpu.eoi_cycles), paid once per interrupt.
--
-- Parameters: moderation (off, fixed, adaptive, conservative; swept),
-- rate (interrupts/s with fixed, 8000), load (UDP load, 2 Gbit/s), eoi
-- (cycles of an EOI, 100), length (simulated time, 20 ms; the short
-- form used by make check is length=4ms).
--
-- What to look at: nic0.q0.interrupts, cpu.lp0.busy and cpu.lp0.isr,
-- apic.lapic0.vector_0x60, the statistic client.ping.rtt (request to
-- response) and host.udp_sink latency; scenario.interrupts_per_s.
--
--   vnetsim params scenarios/course/lab2-interrupts.lua
--   vnetsim sweep scenarios/course/lab2-interrupts.lua -p length=4ms
local p = sim.params {
  { name = "moderation", default = "adaptive",
    values = { "off", "fixed", "adaptive", "conservative" },
    description = "interrupt moderation of the NIC's vector",
    sweep = { "off", "fixed", "adaptive", "conservative" } },
  { name = "rate", default = 8000, type = "integer", min = 100,
    max = 100000, description = "interrupts/s with moderation=fixed" },
  { name = "load", default = "2Gbps", unit = "rate",
    description = "UDP load towards the host" },
  { name = "eoi", default = 100, type = "integer", min = 0, max = 100000,
    description = "cycles of one EOI write (profile cpu.eoi_cycles)" },
  { name = "length", default = "20ms", unit = "time", min = "2ms",
    description = "simulated time of a run" },
}
sim.config { duration = p.length, warmup = "1ms", sample = "500us" }

local prof = profile.load("xeon-2015", { cpu = { eoi_cycles = p.eoi } })
local cpus = cpu.new { name = "cpu", lps = 2, profile = prof }
local ic = apic.new { name = "apic", cpu = cpus, profile = prof }
local wire = link.new { name = "wire", rate = "10Gbps", delay = "500ns" }
local nic = pnic.new { name = "nic0", cpu = cpus, apic = ic, link = wire,
  queues = 1, mode = "single", moderation = p.moderation,
  moderation_rate = p.rate, profile = prof }
local me = host.new { name = "host", nic = nic, mac = "02:00:00:00:00:02",
                      ip = "10.0.0.2", tx_lp = 1, profile = prof }
local client = traffic.remote { name = "client", link = wire,
  mac = "02:00:00:00:00:01", ip = "10.0.0.1" }

traffic.udp { name = "udp", from = client, to = me, rate = p.load,
              size = "1514B", flows = 16 }
traffic.rr { name = "ping", client = client, server = me,
             request = "64B", response = "64B", think = "50us" }
