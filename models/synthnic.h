/*
 * synthnic.h -- the synthetic NIC of a VM, end to end: the guest's netvsc
 * client (models/netvsc.h) and the root's provider exchange VMBus packets
 * through a channel's two rings in guest memory (models/vmbus.h),
 * signalled with SynIC event flags and SignalEvent hypercalls (models/hv.h,
 * models/synic.h), and the provider is a port of the real switch
 * (models/vswhost.h).  This file is where those pure models meet time
 * and cycles.
 *
 * RECEIVE (frames the switch sends to the VM), in the root context that
 * switched them -- the processor of the physical NIC's queue, so the VMQ's
 * processor when VMQ steers the VM's frames (FACTS.md §9 item 2):
 *   1. the provider copies each frame into a free receive section of the
 *      guest's receive buffer and writes one transfer-page packet for the
 *      batch on the inbound ring (charged: vsp_rx_frame_cycles per frame,
 *      the copy at copy_kib_cycles, packet_cycles per ring packet, owner
 *      "netvsp");
 *   2. if the ring went from empty to non-empty and the guest had not
 *      masked it (FACTS.md §3.3), the root signals the guest: a
 *      SignalEvent hypercall that sets the channel's event flag in the VP's
 *      SynIC, which injects the VMBus vector if the flag was clear;
 *   3. the guest's VMBus ISR takes the set flags, masks each channel's
 *      inbound ring and schedules its NAPI poll (a guest DPC);
 *   4. the poll reads up to 'budget' packets, the client copies the frames
 *      out of the receive buffer, queues the completions and sends them at
 *      the end of the poll (charged to "<vm> netvsc": packet_cycles per
 *      packet read or written, vsc_rx_frame_cycles per frame and the
 *      copy), hands the frames to the guest stack, signals the host if a
 *      completion made the outbound ring non-empty, and unmasks the ring
 *      and re-checks it (re-polling if data arrived meanwhile).
 *
 * SEND (frames the guest sends), on the guest stack's send thread:
 *   1. the client copies small frames into a send section (batching up to
 *      8 while the stack has more queued) or passes large ones by page
 *      list, and writes one SEND_RNDIS_PKT packet per batch on the
 *      outbound ring (vsc_tx_frame_cycles per frame, the copy,
 *      packet_cycles per packet);
 *   2. on an empty-to-non-empty transition the guest makes a SignalEvent
 *      hypercall to the root's SynIC on the channel's host processor;
 *   3. the root's VMBus ISR there masks the ring and queues the provider's
 *      DPC, which reads every packet, parses the frames out of guest
 *      memory (vsp_tx_frame_cycles each; the host maps guest pages, no
 *      copy), sends the completions, switches the frames (vswh_process),
 *      signals the guest if a completion needs it, and unmasks and
 *      re-checks the ring.
 *
 * THE BUS.  One struct synth_bus per hypervisor owns the root's VMBus SINT
 * (its vector and ISR on every LP) and, per VM, the guest's VMBus SINT and
 * ISR, and maps a channel's relid (its event flag number) to its NIC.
 *
 * NEGOTIATION (NVSP and RNDIS, models/netvsc.h) runs when the NIC is
 * created, in zero simulated time: the rings carry the real messages but
 * no cycles are charged for a guest's boot.
 *
 * MONITOR PAGE.  With monitor_latency_ps > 0 a guest-to-host signal is no
 * hypercall: the guest sets the channel's bit in the VM's monitor page
 * (models/vmbus.h, struct vmbus_monitor) and goes on; the first trigger of
 * a batch makes the host look at the page monitor_latency_ps later, when
 * every set bit becomes an event flag in the root's SynIC on the channel's
 * host processor.  Fewer exits, more latency: the trade-off FACTS.md §3.3
 * describes.
 *
 * METRICS per NIC (component "hv.<vm>.nicN"): frames each way, drops,
 * stalls, signals each way, polls, provider runs, and the time-averaged
 * occupancy of both rings in bytes.
 *
 * vRSS.  With cfg.queues > 1 the NIC has that many queues, each its own
 * channel, rings, protocol ends, guest VP and host processor: received
 * frames are spread by the hash of their addresses and ports, and so are
 * sent ones (as Linux does through the host's send indirection table).
 * Each queue negotiates its own, smaller, buffers; real subchannels
 * share the primary's.
 */
#ifndef VNETSIM_MODELS_SYNTHNIC_H
#define VNETSIM_MODELS_SYNTHNIC_H 1

#include <stdint.h>

struct hv;
struct hv_vm;
struct metrics;
struct vswh;
struct guest_stack;
struct synth_bus;
struct synth_nic;

/* Cycle costs (profile section "netvsc"). */
struct synth_costs {
    uint64_t vsc_tx_frame_cycles;   /* guest client, per frame sent */
    uint64_t vsc_rx_frame_cycles;   /* guest client, per frame received */
    uint64_t vsc_isr_cycles;        /* guest VMBus ISR */
    uint64_t vsp_tx_frame_cycles;   /* root provider, per frame from the guest */
    uint64_t vsp_rx_frame_cycles;   /* root provider, per frame to the guest */
    uint64_t vsp_isr_cycles;        /* root VMBus ISR */
    uint64_t packet_cycles;         /* per VMBus packet written or read */
    uint64_t copy_kib_cycles;       /* copying 1 KiB */
};

/* Creates the bus of 'hv': root VMBus SINT 2 with 'root_vector', guests'
 * SINT 2 with 'guest_vector'.  Returns 0, EINVAL or ENOMEM. */
int synth_bus_create(struct hv *hv, uint8_t root_vector,
                     uint8_t guest_vector, struct synth_bus **out);
void synth_bus_destroy(struct synth_bus *bus);  /* accepts NULL */

struct synth_nic_config {
    const char *name;               /* "vm1.nic0": metrics component */
    struct hv_vm *vm;
    struct vswh *sw;                /* the switch it is a port of */
    const uint8_t *mac;             /* 6 bytes */
    uint32_t guest_vp;              /* the VP the channel interrupts */
    uint32_t host_lp;               /* the root processor it interrupts */
    uint32_t budget;                /* NAPI poll budget, frames (64) */
    /* vRSS: queues, 1 .. 64 (0 = 1).  Queue q is a VMBus channel (q > 0:
     * a subchannel of queue 0's) interrupting VP (guest_vp + q) mod VPs
     * and host LP (host_lp + q) mod LPs; frames are spread over the
     * queues by the Toeplitz hash through a 128-entry indirection table,
     * both ways (FACTS.md §1.8, §3.4). */
    uint32_t queues;
    /* > 0: the guest signals the host through the VM's monitor page
     * instead of a hypercall; the host sees a trigger this long after the
     * first one of a batch (FACTS.md §3.3 "monitor pages"). */
    int64_t monitor_latency_ps;
    struct guest_stack *stack;      /* the guest's stack (receives) */
    struct synth_costs costs;
};

/* Creates a synthetic NIC on 'bus': offers and opens its channel in the
 * VM's memory, builds both protocol ends, negotiates, connects a switch
 * port and becomes the guest stack's NIC.  Returns 0, EINVAL, ENOMEM,
 * EPROTO (negotiation failed) or the switch's error. */
int synth_nic_create(struct synth_bus *bus, struct metrics *reg,
                     const struct synth_nic_config *cfg,
                     struct synth_nic **out);

/* The switch port of the NIC. */
uint32_t synth_nic_port(const struct synth_nic *nic);

#endif /* VNETSIM_MODELS_SYNTHNIC_H */
