-- models/profiles/xeon-2015.lua -- a two-socket server of about 2015
-- (Haswell-EP class Xeon at 2.6 GHz, Windows Server 2012 R2 era), the
-- platform vnetsim's studies use unless a scenario picks another.
--
-- Every value cites its source and is tagged as ../shared/design/FACTS.md
-- tags its rows: [V] verified document, [S] secondary source, [R] to be
-- rechecked against its primary source, [M] measurement, [D] derived from
-- cited rows (the derivation is given), [A] assumption to calibrate.
-- Names ending in _cycles are processor cycles at cpu.frequency; other
-- values are quantities with units.  doc/models.md explains how each
-- model uses them.
return {
  description = "2-socket Haswell-EP class server, 2.6 GHz, WS2012 R2 era",

  cpu = {
    -- [M] FACTS.md §5: the getppid and memcpy rows were measured at 2.6 GHz.
    frequency = "2.6GHz",
    -- [D] FACTS.md §5: a getppid system call, one kernel entry and exit,
    -- costs about 350 cycles at 2.6 GHz [M]; an interrupt gate is a
    -- privilege transition of the same kind: 200 to enter, 150 to leave.
    isr_entry_cycles = 200,
    isr_exit_cycles = 150, -- [D] the other part of the 350 cycles above
    -- [A] one write of the local APIC's EOI register (an x2APIC MSR,
    -- FACTS.md §7.4 lists the MSRs); an uncached register write.
    eoi_cycles = 100,
    -- [A] taking a DPC off the per-processor queue and calling it: a
    -- queue operation and an indirect call, less than a system call.
    dpc_dispatch_cycles = 200,
    -- [S] FACTS.md §5 "Context switch, modern guidance: direct ~ 1 us"
    -- (secondary tutorial), at 2.6 GHz: 2600 cycles.
    context_switch_cycles = 2600,
  },

  apic = {
    -- [A] a device's MSI is a posted PCIe memory write to the local APIC:
    -- a few hundred ns on a server root complex.  No row of FACTS.md
    -- gives it; calibrate against a measured interrupt latency.
    msi_delivery = "250ns",
    -- [A] an IPI between physical processors of one socket; FACTS.md §5
    -- has only virtualized figures (virtual IPI ~5230 cycles [R]), which
    -- include exits; a bare-metal IPI is a fraction of that.
    ipi_delivery = "500ns",
  },

  pnic = {
    -- [A] a descriptor write-back or a frame's DMA into host memory over
    -- PCIe 3.0: a round trip of about a microsecond on a server root
    -- complex.  FACTS.md has no row for it; calibrate.
    dma_latency = "1us",
  },

  miniport = {
    -- The NIC driver's work, per ISR, DPC pass and frame.
    -- [D] reading the interrupt cause and masking the vector: two device
    -- register accesses of about 100 cycles each (see doorbell_cycles).
    isr_cycles = 200,
    -- [A] one NDIS indication call with its bookkeeping, per batch.
    batch_cycles = 400,
    -- [D] FACTS.md §5: 10 GbE line rate with 64-byte frames leaves 134
    -- cycles per frame at 2 GHz [S]; a general-purpose NDIS miniport
    -- (descriptor, buffer and NBL handling, one cache miss on the
    -- descriptor, FACTS.md §5 main memory reference 100 ns [S]) spends a
    -- few times that: 500 cycles.
    rx_frame_cycles = 500,
    -- [A] filling one transmit descriptor and its buffer mapping.
    tx_frame_cycles = 400,
    -- [A] recycling one completed transmit descriptor.
    tx_complete_cycles = 150,
    -- [A] one uncached write to a device register (tail pointer, vector
    -- re-enable); a posted PCIe write does not wait for the device.
    doorbell_cycles = 100,
  },

  stack = {
    -- The host's own TCP/IP stack (scenarios without VMs).
    -- [A] the receive path of one segment (protocol processing, socket
    -- queueing); several times a system call (FACTS.md §5, ~350 cycles).
    rx_frame_cycles = 1500,
    -- [A] the send path of one segment, a little shorter than receive.
    tx_frame_cycles = 1200,
    -- [D] FACTS.md §5: memcpy of a large buffer from memory runs at
    -- 14.4 GB/s per direction [M]; 1 KiB takes 71.1 ns, 185 cycles at
    -- 2.6 GHz.  (Cache-hot copies are 10x faster: 4 KiB in 31 ns [M].)
    copy_kib_cycles = 185,
  },

  vmswitch = {
    -- The switch's work (models/vswhost.h, doc/models.md section 11),
    -- charged from the work record libvmswitch returns for each batch.
    -- [A] entering the data path for a batch: the configuration snapshot,
    -- the forwarding table's read lock, the batch bookkeeping.
    batch_cycles = 400,
    -- [D] per frame, calibrated: the extensible switch's whole per-frame
    -- path -- parsing, VLAN classification, guards, the destination
    -- array, and the NBL's trip through the extension stack on ingress
    -- and egress (the filtering platform extension is on by default) and
    -- back on completion.  No published figure gives it alone; FACTS.md
    -- §1.2 [S] and §1.8 [S] give the whole receive path on one processor:
    -- 3 to 4 Gbit/s of full-size frames, about 290 000 frames/s at
    -- 3.5 Gbit/s, 9000 cycles a frame at 2.6 GHz.  The driver, provider,
    -- copy and signal costs above and below come to about 2600 cycles a
    -- frame at full batches, and this is the rest: 6800 makes
    -- scenarios/vmq-compare.lua with vmq=none deliver 3.5 Gbit/s
    -- (doc/validation.md section 1 shows the run).
    frame_cycles = 6800,
    -- [A] one forwarding-table lookup (a hash and a probe that usually
    -- hits the cache).
    lookup_cycles = 60,
    -- [A] writing a forwarding entry under the table's write lock.
    learn_cycles = 300,
    -- [A] evaluating one ACL rule: a handful of masked compares.
    acl_rule_cycles = 20,
    -- [A] calling one extension.
    ext_call_cycles = 100,
    -- [D] copying a clone: FACTS.md §5 memcpy from memory 14.4 GB/s [M],
    -- 185 cycles per KiB at 2.6 GHz (as stack.copy_kib_cycles).
    copy_kib_cycles = 185,
    -- [A] a software checksum at about 4 bytes per cycle.
    csum_kib_cycles = 256,
    -- [A] building one software-LSO segment (headers, checksums apart).
    segment_cycles = 400,
    -- [A] handing a batch to a destination NIC object.
    deliver_cycles = 200,
  },

  netvsc = {
    -- The synthetic NIC (models/synthnic.h, doc/models.md sections 16
    -- and 17): the guest's netvsc client and the root's provider.  Signals are
    -- hypercalls charged from section hv.
    -- [A] the guest's transmit path for one frame: the RNDIS header and
    -- its per-packet info, send-section bookkeeping (Linux netvsc_send,
    -- FACTS.md §3.4); comparable to a NIC driver's send (miniport
    -- tx_frame_cycles 400) plus the RNDIS encoding.
    vsc_tx_frame_cycles = 700,
    -- [A] the guest's receive path for one frame: parse the RNDIS message
    -- and its info, allocate the frame (netvsc_receive).
    vsc_rx_frame_cycles = 600,
    -- [A] the guest's VMBus ISR: scan the event flags, mask the ring,
    -- schedule the poll.
    vsc_isr_cycles = 300,
    -- [A] the root provider, per frame from the guest: parse the RNDIS
    -- message in the mapped send section, build the switch's frame.
    vsp_tx_frame_cycles = 700,
    -- [A] the root provider, per frame to the guest: the RNDIS header and
    -- the receive-section bookkeeping (the copy is charged apart).
    vsp_rx_frame_cycles = 700,
    -- [A] the root's VMBus ISR: scan the event flags, queue the DPC.
    vsp_isr_cycles = 300,
    -- [A] writing or reading one VMBus packet: the descriptor and the
    -- index update, whose cache line moves between the two sides' cores
    -- (FACTS.md §5: L2 7 ns, main memory 100 ns [S]).
    packet_cycles = 200,
    -- [D] the copies into and out of the shared buffers: the memory rate
    -- of FACTS.md §5 (14.4 GB/s [M]), as stack.copy_kib_cycles.
    copy_kib_cycles = 185,
    -- [A] how long after a guest sets its monitor-page bit the host sees
    -- it (guest.new{monitor = true}).  FACTS.md §9 item 5: the protocol
    -- has a per-channel latency but its default is not verified.
    monitor_latency = "20us",
  },

  legacy = {
    -- The legacy NIC (models/legacynic.h, doc/models.md section 17): the
    -- DEC 21140A emulated in the VM's worker process, and the guest's
    -- tulip driver.  Exits, intercepts and the worker's transitions are
    -- charged from section hv.
    -- [A] the worker's device model for one register access: decode the
    -- intercept, find the device, emulate the register, complete the
    -- access (FACTS.md §7.3 path; no published figure: calibrate).
    emulate_cycles = 3000,
    -- [A] one 32-bit descriptor word read or written by the emulated chip
    -- through the worker's mapping of guest memory.
    desc_cycles = 50,
    -- [A] the worker taking one frame from the switch and running the
    -- chip's receive process.
    rx_frame_cycles = 1500,
    -- [A] the guest driver's instructions around one register access.
    drv_op_cycles = 50,
    -- [A] the guest driver's work for one descriptor (fill, reap, refill).
    drv_frame_cycles = 300,
    -- [D] the chip's DMA copies, done by the worker: the memory rate of
    -- FACTS.md §5 (14.4 GB/s [M]), as stack.copy_kib_cycles.
    copy_kib_cycles = 185,
  },

  vmq = {
    -- The VMQ policy on the host (models/vmqhost.h, doc/models.md
    -- section 18), run as a DPC every evaluation period.
    -- [A] reading every queue's and processor's load and deciding: a loop
    -- over a few dozen queues; calibrate.
    evaluate_cycles = 5000,
    -- [A] moving one queue: rewriting its MSI-X table entry and its
    -- interrupt-remapping entry and invalidating the remapping cache
    -- (FACTS.md §1.4 "Retargeting the MSI-X vector has a cost"; no
    -- published figure).  Calibrate.
    retarget_cycles = 10000,
  },

  hv = {
    -- The hypervisor (models/hv.h, doc/models.md section 10).  Exit costs
    -- are whole round trips: the exit, the hypervisor's handling of that
    -- reason, and the entry back into the guest.
    -- [R] FACTS.md §5: an x86 hypercall round trip under KVM costs about
    -- 1300 cycles (Dall et al., ISCA 2016); the cheapest exit there is.
    exit_hypercall_cycles = 1300,
    -- [D] a port I/O exit is the same round trip; decoding the access
    -- and routing it to the root are charged separately (intercept_cycles
    -- below, and the root's own work).
    exit_io_port_cycles = 1300,
    -- [R] FACTS.md §5: KVM's "interrupt controller trap", an MMIO exit
    -- with instruction decode, about 2384 cycles (Dall et al. 2016).
    exit_mmio_cycles = 2384,
    -- [D] an MSR access the hypervisor emulates: the hypercall round trip.
    exit_msr_cycles = 1300,
    -- [D] an external interrupt or a kick: the hypercall round trip.
    exit_external_interrupt_cycles = 1300,
    -- [R] FACTS.md §5: KVM's virtual IRQ completion (EOI), about 1556
    -- cycles (Dall et al. 2016).
    exit_eoi_cycles = 1556,
    -- [D] HLT: the round trip; the time halted is idle time.
    exit_hlt_cycles = 1300,
    -- [D] an interrupt-window exit: the round trip.
    exit_interrupt_window_cycles = 1300,
    -- [R] FACTS.md §5: a VM switch under KVM, about 4812 cycles (Dall et
    -- al. 2016): saving one VP's state and loading another's.
    vp_switch_cycles = 4812,
    -- [A] writing the interruption information at entry; a few fields of
    -- the VMCS.  Calibrate.
    inject_cycles = 100,
    -- [A] HvCallSignalEvent: set one bit in the target's SIEF page and
    -- decide whether to interrupt (FACTS.md §3.3).  Beyond the exit.
    signal_event_cycles = 300,
    -- [A] HvCallPostMessage: copy a 256-byte message into a SIM slot or
    -- queue it (FACTS.md §3.3, §7.4).  Beyond the exit.
    post_message_cycles = 600,
    -- [A] decoding the intercepted instruction and composing the
    -- intercept message for the root (FACTS.md §7.3).  Calibrate.
    intercept_cycles = 1000,
    -- [A] the root kernel's virtualization driver (VID) taking the
    -- intercept message and dispatching it to the worker process
    -- (FACTS.md §7.3).  Calibrate.
    vid_cycles = 2000,
    -- [D] FACTS.md §5: a system call round trip (getppid) is about 350
    -- cycles at 2.6 GHz [M]; one transition is half of it.
    kernel_user_cycles = 175,
    -- [A] the hypervisor scheduler's time slice.  Not published for
    -- Hyper-V (FACTS.md §9 lists it among the gaps); 10 ms is within the
    -- range of Linux CFS latency targets and Xen credit's 30 ms slice.
    time_slice = "10ms",
  },

  guest = {
    -- A guest kernel's own mechanisms on its virtual processors: the same
    -- processor as the host's, so the same costs (section cpu above).
    isr_entry_cycles = 200,      -- [D] cpu.isr_entry_cycles
    isr_exit_cycles = 150,       -- [D] cpu.isr_exit_cycles
    eoi_cycles = 100,            -- [D] cpu.eoi_cycles (the write itself)
    dpc_dispatch_cycles = 200,   -- [D] cpu.dpc_dispatch_cycles
    context_switch_cycles = 2600, -- [D] cpu.context_switch_cycles
  },

  guest_stack = {
    -- The guest's TCP/IP stack (models/guest.h): the host stack's costs
    -- (section stack), the same processor running the same kind of stack.
    rx_frame_cycles = 1500,      -- [D] stack.rx_frame_cycles
    tx_frame_cycles = 1200,      -- [D] stack.tx_frame_cycles
    copy_kib_cycles = 185,       -- [D] stack.copy_kib_cycles
  },
}
