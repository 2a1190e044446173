/*
 * hoststack.h -- the host's own network stack above its NIC driver, for
 * scenarios without virtual machines: received frames are processed on
 * the processor whose DPC indicated them, and sent frames on a send
 * thread, each charged from the profile (section "stack").
 *
 *   receive, per indicated batch of n frames of b bytes in all, in the
 *   driver's DPC:    n * rx_frame_cycles + b * copy_kib_cycles / 1024
 *                    then each frame goes to the traffic endpoint
 *   send, per frame, on the send thread (passive level, pinned to tx_lp):
 *                    tx_frame_cycles + b * copy_kib_cycles / 1024
 *                    then the driver's send (miniport_send) on the
 *                    queue of the sending processor
 *
 * The copy term is the copy between kernel and application buffers; it
 * is charged at the cold-memory rate because a received frame was just
 * written by DMA and a sent one is read once.  The stack itself is not
 * modelled further (no sockets, no scheduling of applications): the
 * traffic endpoint (models/traffic.h) plays the application.
 */
#ifndef VNETSIM_MODELS_HOSTSTACK_H
#define VNETSIM_MODELS_HOSTSTACK_H 1

#include <stddef.h>
#include <stdint.h>

#include "models/cpu.h"

struct vsw_pkt;
struct cpu;
struct miniport;
struct traffic_ep;
struct hoststack;

struct hoststack_costs {
    uint64_t rx_frame_cycles;       /* TCP/IP receive path, per frame */
    uint64_t tx_frame_cycles;       /* TCP/IP send path, per frame */
    uint64_t copy_kib_cycles;       /* copying 1 KiB from memory */
};

struct hoststack_config {
    const char *name;               /* owner name on the CPU */
    struct hoststack_costs costs;
    uint32_t tx_lp;                 /* processor of the send thread */
};

/* Binds a stack named cfg->name on 'cpu' above driver 'mp' (replacing
 * its upper layer), delivering to and sending for endpoint 'ep' (the
 * stack becomes its send hook).  Returns 0, EINVAL or ENOMEM. */
int hoststack_create(struct cpu *cpu, struct miniport *mp,
                     struct traffic_ep *ep, const struct hoststack_config *cfg,
                     struct hoststack **out);

/* What the stack sends through when it is not bound to a NIC driver
 * directly (the host's virtual NIC on a switch port): send() takes 'pkt'
 * (ownership passes) from the send thread's context 'x', charges its own
 * work and continues with 'next'('arg'). */
struct hoststack_lower {
    void (*send)(void *ctx, struct cpu_exec *x, struct vsw_pkt *pkt,
                 cpu_step_fn *next, void *arg);
    void *ctx;
};

/* As hoststack_create(), above 'lower'; received frames come in through
 * hoststack_indicate(). */
int hoststack_create_on(struct cpu *cpu, const struct hoststack_lower *lower,
                        struct traffic_ep *ep,
                        const struct hoststack_config *cfg,
                        struct hoststack **out);

/* RSS on the host's virtual NIC: from now on hoststack_indicate() spreads
 * frames by their Toeplitz hash (addresses and TCP/UDP ports, the default
 * key) through a 128-entry indirection table over the 'n' processors
 * 'lps' (1 .. 128), each of which receives its share in a DPC of the
 * stack's owner, instead of in the indicating context.  Returns 0,
 * EINVAL or ENOMEM (nothing changes). */
int hoststack_set_rss(struct hoststack *hs, const uint32_t *lps, uint32_t n);

/* Receives 'n' frames (ownership passes; the array is lent) in context
 * 'x': charges the receive path, hands them to the endpoint, then
 * continues with 'done'('done_arg').  With RSS set, queues them to their
 * processors' DPCs and continues at once. */
void hoststack_indicate(struct hoststack *hs, struct cpu_exec *x,
                        struct vsw_pkt **pkts, size_t n, cpu_step_fn *done,
                        void *done_arg);
void hoststack_destroy(struct hoststack *hs);

#endif /* VNETSIM_MODELS_HOSTSTACK_H */
