/*
 * guest.h -- a guest operating system's network stack on a VM's virtual
 * processors, between the guest's NIC driver (the synthetic NIC's client
 * or the legacy NIC's driver) and the application (a traffic endpoint).
 *
 * WHAT IT CHARGES (profile section "guest_stack", doc/models.md
 * section 17):
 *
 *   receive, per batch of n frames and b bytes the driver hands up, in
 *   the driver's context (its DPC or ISR on some VP):
 *         n * rx_frame_cycles + b * copy_kib_cycles / 1024
 *   then each frame goes to the endpoint (the application);
 *
 *   send, per frame, on the stack's send thread (a guest thread on VP
 *   'tx_vp'): tx_frame_cycles + b * copy_kib_cycles / 1024, then the
 *   driver's transmit (struct guest_nic), which charges its own work,
 *   may make exits, and continues the thread when the frame is handed
 *   over.  Each frame is one chain of the thread, so the VP takes
 *   interrupts between frames.  A driver that cannot take the frame yet
 *   (ring full) gives it back (guest_stack_stall) and the thread waits
 *   until the driver says it has room (guest_stack_unstall).
 *
 * All the cycles are guest work: they run on whichever LP runs the VP,
 * charged to the owner "<vm> stack", and are visible as guest time.
 * Like the host stack (models/hoststack.h) it has no sockets and no
 * scheduling of applications: the traffic endpoint plays the
 * application.
 *
 * OWNERSHIP.  Frames handed to guest_stack_receive() and frames the
 * endpoint sends belong to the stack until it hands them on; at
 * destruction it frees what it still holds.
 */
#ifndef VNETSIM_MODELS_GUEST_H
#define VNETSIM_MODELS_GUEST_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/cpu.h"

struct hv_vm;
struct traffic_ep;
struct vsw_pkt;
struct guest_stack;

struct guest_stack_costs {
    uint64_t rx_frame_cycles;
    uint64_t tx_frame_cycles;
    uint64_t copy_kib_cycles;
};

/* The guest's NIC driver, as the stack sees it.  xmit() takes 'pkt'
 * (ownership passes) in guest context 'x' and continues with
 * 'next'('arg') once the frame is handed to the device; 'more' says that
 * the stack has further frames queued (Linux's xmit_more), so a driver
 * may batch. */
struct guest_nic {
    void (*xmit)(void *ctx, struct cpu_exec *x, struct vsw_pkt *pkt,
                 bool more, cpu_step_fn *next, void *arg);
    void *ctx;
};

/* Creates the stack of 'vm' for endpoint 'ep' (it becomes the endpoint's
 * send hook), its send thread on VP 'tx_vp'.  Returns 0 or EINVAL. */
int guest_stack_create(struct hv_vm *vm, uint32_t tx_vp,
                       struct traffic_ep *ep,
                       const struct guest_stack_costs *costs,
                       struct guest_stack **out);
void guest_stack_destroy(struct guest_stack *gs);   /* accepts NULL */

/* Connects the driver frames are sent through. */
void guest_stack_set_nic(struct guest_stack *gs, const struct guest_nic *nic);

/* Flow control for the driver: from inside xmit(), before calling its
 * continuation, guest_stack_stall() gives 'pkt' back (it goes first in the
 * queue again) and the send thread waits; guest_stack_unstall() (when the
 * device has room again) lets it send. */
void guest_stack_stall(struct guest_stack *gs, struct vsw_pkt *pkt);
void guest_stack_unstall(struct guest_stack *gs);

/* The owner the stack charges ("<vm> stack"). */
uint32_t guest_stack_owner(const struct guest_stack *gs);

/* Receives 'n' frames (ownership passes; the array is lent) from the
 * driver running in guest context 'x', then continues with
 * 'done'('done_arg'). */
void guest_stack_receive(struct guest_stack *gs, struct cpu_exec *x,
                         struct vsw_pkt **pkts, size_t n, cpu_step_fn *done,
                         void *done_arg);

#endif /* VNETSIM_MODELS_GUEST_H */
