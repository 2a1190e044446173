/*
 * legacynic.h -- the legacy NIC of a VM, end to end: a DEC 21140A
 * (models/tulip.h) emulated in the VM's worker process, driven by the
 * Linux tulip driver model in the guest, every register access an
 * intercepted exit (models/hv.h), and the device a direct-I/O port of the
 * real switch (models/vswhost.h).  FACTS.md §4 and §7.3.
 *
 * TRANSMIT, on the guest stack's send thread:
 *   1. the driver writes a descriptor in guest memory (guest work:
 *      drv_frame_cycles) and kicks the chip with a CSR1 write;
 *   2. that write is an I/O-port exit routed to the root (hv_intercept:
 *      exit, intercept message, VID, the worker's kernel/user transitions,
 *      two context switches), and the worker emulates it: the chip walks
 *      its ring, reads the frame out of guest memory and hands it to the
 *      switch -- in the worker's thread, on that LP (emulate_cycles per
 *      access, desc_cycles per descriptor word, the copy at
 *      copy_kib_cycles, then the switch's own cycles);
 *   3. the walk ends at a descriptor the chip does not own and sets TU, so
 *      the line rises and the guest takes an interrupt (below) whose ISR
 *      makes 4 more accesses: 5 exits for one isolated frame (FACTS.md
 *      §4.3).
 *
 * RECEIVE (frames the switch sends to the VM):
 *   1. the switch hands them to the worker: its receive thread (owner
 *      "<vm> VMWP") copies each into an owned receive descriptor's buffer
 *      (rx_frame_cycles + the copy), which sets RI and raises the INTx line;
 *   2. the line goes through the VM's virtual IOAPIC (level-triggered) to
 *      the VP; the guest ISR runs the driver's interrupt program -- read
 *      CSR5, acknowledge it, process the rings in memory, read CSR5 again,
 *      read CSR8: 4 exits -- and hands the frames to the guest stack;
 *   3. its EOI exits (level-triggered; the hypervisor clears the IOAPIC's
 *      remote IRR).
 *
 * The chip's open sequence runs at creation in zero time.  One legacy NIC
 * per VM; the guest's interrupt VP is the one its send thread runs on (the
 * driver's programs are serialised by its lock in Linux; here by running
 * on one VP).
 */
#ifndef VNETSIM_MODELS_LEGACYNIC_H
#define VNETSIM_MODELS_LEGACYNIC_H 1

#include <stdint.h>

struct hv_vm;
struct metrics;
struct vswh;
struct guest_stack;
struct legacy_nic;

/* Cycle costs (profile section "legacy"). */
struct legacy_costs {
    uint64_t emulate_cycles;        /* worker: one register access */
    uint64_t desc_cycles;           /* worker: one descriptor word */
    uint64_t rx_frame_cycles;       /* worker: receiving one frame */
    uint64_t drv_op_cycles;         /* guest driver around one access */
    uint64_t drv_frame_cycles;      /* guest driver: one frame's descriptor */
    uint64_t copy_kib_cycles;       /* copying 1 KiB */
};

struct legacy_nic_config {
    const char *name;               /* "vm1.nic0": metrics component */
    struct hv_vm *vm;
    struct vswh *sw;
    const uint8_t *mac;
    uint32_t vp;                    /* interrupt VP (= the send thread's) */
    uint32_t host_lp;               /* the worker's receive thread */
    uint8_t vector;                 /* the guest's INTx vector */
    struct guest_stack *stack;
    struct legacy_costs costs;
};

/* Builds the NIC: the device and the driver in the VM's memory, the
 * driver opened, the VM's I/O handler, the virtual IOAPIC pin, the
 * guest ISR, a switch port, and the guest stack's NIC.  Returns 0,
 * EINVAL, EBUSY (the VM has a legacy NIC already), ENOMEM or the
 * switch's error.  The VM's memory and the hv own nothing of it: free it
 * with legacy_nic_destroy() before them. */
int legacy_nic_create(struct metrics *reg, const struct legacy_nic_config *cfg,
                      struct legacy_nic **out);
void legacy_nic_destroy(struct legacy_nic *nic);    /* accepts NULL */

uint32_t legacy_nic_port(const struct legacy_nic *nic);

#endif /* VNETSIM_MODELS_LEGACYNIC_H */
