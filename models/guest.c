/*
 * guest.c -- a guest's network stack on its VPs (guest.h).
 */
#include "config.h"

#include "models/guest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/hv.h"
#include "models/traffic.h"
#include "sim/log.h"
#include "vmswitch/packet.h"

/* One receive batch in progress (several VPs may receive at once); it
 * owns its frames until it hands them to the endpoint. */
struct rx_batch {
    struct guest_stack *gs;
    struct vsw_pkt **pkts;
    size_t n, cap;
    cpu_step_fn *done;
    void *done_arg;
    struct rx_batch *next_free;
};

struct guest_stack {
    struct hv_vm *vm;
    struct traffic_ep *ep;
    struct guest_stack_costs costs;
    uint32_t owner;
    struct hv_gthread *thread;
    struct guest_nic nic;

    struct vsw_pkt **txq;           /* frames waiting for the send thread */
    size_t tx_head, tx_n, tx_cap;
    bool tx_busy;                   /* the thread is sending */
    bool stalled;                   /* the driver has no room */

    struct rx_batch **pool;
    size_t n_pool;
    struct rx_batch *free_rx;
};

static uint64_t
copy_cycles(const struct guest_stack *gs, uint64_t bytes)
{
    return bytes * gs->costs.copy_kib_cycles / 1024;
}

/* --- Receive ----------------------------------------------------------------- */

static void
rx_deliver(struct cpu_exec *x, void *arg)
{
    struct rx_batch *b = arg;
    struct guest_stack *gs = b->gs;
    cpu_step_fn *done = b->done;
    void *done_arg = b->done_arg;

    for (size_t i = 0; i < b->n; i++) {
        traffic_ep_receive(gs->ep, b->pkts[i]);
    }
    b->n = 0;
    b->next_free = gs->free_rx;
    gs->free_rx = b;
    done(x, done_arg);
}

void
guest_stack_receive(struct guest_stack *gs, struct cpu_exec *x,
                    struct vsw_pkt **pkts, size_t n, cpu_step_fn *done,
                    void *done_arg)
{
    struct rx_batch *b = gs->free_rx;
    uint64_t bytes = 0;

    if (b) {
        gs->free_rx = b->next_free;
    } else {
        struct rx_batch **v = realloc(gs->pool, (gs->n_pool + 1) * sizeof *v);
        if (!v || !(b = calloc(1, sizeof *b))) {
            sim_out_of_memory("guest stack");
        }
        gs->pool = v;
        gs->pool[gs->n_pool++] = b;
        b->gs = gs;
    }
    if (b->cap < n) {
        struct vsw_pkt **v = realloc(b->pkts, n * sizeof *v);
        if (!v) {
            sim_out_of_memory("guest stack");
        }
        b->pkts = v;
        b->cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        b->pkts[i] = pkts[i];
        bytes += vsw_pkt_len(pkts[i]);
    }
    b->n = n;
    b->done = done;
    b->done_arg = done_arg;
    cpu_charge(x, gs->owner,
               gs->costs.rx_frame_cycles * n + copy_cycles(gs, bytes),
               rx_deliver, b);
}

/* --- Send ------------------------------------------------------------------- */

static void tx_step(struct cpu_exec *x, void *arg);

static void
txq_grow(struct guest_stack *gs)
{
    size_t cap = gs->tx_cap ? gs->tx_cap * 2 : 256;
    struct vsw_pkt **v = malloc(cap * sizeof *v);

    if (!v) {
        sim_out_of_memory("guest stack");
    }
    for (size_t i = 0; i < gs->tx_n; i++) {
        v[i] = gs->txq[(gs->tx_head + i) % gs->tx_cap];
    }
    free(gs->txq);
    gs->txq = v;
    gs->tx_head = 0;
    gs->tx_cap = cap;
}

/* After a frame: the chain ends, so the VP may take its interrupts, and
 * the thread runs again for the next frame. */
static void
tx_next(struct cpu_exec *x, void *arg)
{
    struct guest_stack *gs = arg;

    (void)x;
    if (!gs->tx_n || gs->stalled || !gs->nic.xmit) {
        gs->tx_busy = false;
        return;
    }
    hv_gthread_wake(gs->thread, tx_step, gs);
}

static void
tx_to_nic(struct cpu_exec *x, void *arg)
{
    struct guest_stack *gs = arg;
    struct vsw_pkt *pkt = gs->txq[gs->tx_head];

    gs->tx_head = (gs->tx_head + 1) % gs->tx_cap;
    gs->tx_n--;
    gs->nic.xmit(gs->nic.ctx, x, pkt, gs->tx_n > 0, tx_next, gs);
}

static void
tx_step(struct cpu_exec *x, void *arg)
{
    struct guest_stack *gs = arg;

    if (!gs->tx_n || gs->stalled || !gs->nic.xmit) {
        gs->tx_busy = false;
        return;                     /* the thread waits for the next frame */
    }
    gs->tx_busy = true;
    cpu_charge(x, gs->owner,
               gs->costs.tx_frame_cycles
               + copy_cycles(gs, vsw_pkt_len(gs->txq[gs->tx_head])),
               tx_to_nic, gs);
}

void
guest_stack_stall(struct guest_stack *gs, struct vsw_pkt *pkt)
{
    if (gs->tx_n == gs->tx_cap) {
        txq_grow(gs);
    }
    gs->tx_head = (gs->tx_head + gs->tx_cap - 1) % gs->tx_cap;
    gs->txq[gs->tx_head] = pkt;
    gs->tx_n++;
    gs->stalled = true;
}

void
guest_stack_unstall(struct guest_stack *gs)
{
    if (!gs->stalled) {
        return;
    }
    gs->stalled = false;
    if (gs->tx_n && !gs->tx_busy) {
        gs->tx_busy = true;
        hv_gthread_wake(gs->thread, tx_step, gs);
    }
}

static int
send_hook(void *ctx, struct vsw_pkt *pkt)
{
    struct guest_stack *gs = ctx;

    if (gs->tx_n == gs->tx_cap) {
        txq_grow(gs);
    }
    gs->txq[(gs->tx_head + gs->tx_n++) % gs->tx_cap] = pkt;
    if (!gs->tx_busy && !gs->stalled) {
        gs->tx_busy = true;
        hv_gthread_wake(gs->thread, tx_step, gs);
    }
    return 0;
}

/* --- Building ------------------------------------------------------------------ */

int
guest_stack_create(struct hv_vm *vm, uint32_t tx_vp, struct traffic_ep *ep,
                   const struct guest_stack_costs *costs,
                   struct guest_stack **out)
{
    struct guest_stack *gs;

    *out = NULL;
    if (!vm || !ep || !costs || tx_vp >= hv_vm_vp_count(vm)) {
        return EINVAL;
    }
    gs = calloc(1, sizeof *gs);
    if (!gs) {
        return ENOMEM;
    }
    gs->vm = vm;
    gs->ep = ep;
    gs->costs = *costs;
    gs->owner = hv_vm_owner(vm, "stack");
    gs->thread = hv_gthread_create(hv_vm_vp(vm, tx_vp), "send", gs->owner);
    traffic_ep_set_send(ep, send_hook, gs);
    *out = gs;
    return 0;
}

void
guest_stack_set_nic(struct guest_stack *gs, const struct guest_nic *nic)
{
    gs->nic = *nic;
}

uint32_t
guest_stack_owner(const struct guest_stack *gs)
{
    return gs->owner;
}

void
guest_stack_destroy(struct guest_stack *gs)
{
    if (!gs) {
        return;
    }
    while (gs->tx_n) {
        vsw_pkt_free(gs->txq[gs->tx_head]);
        gs->tx_head = (gs->tx_head + 1) % gs->tx_cap;
        gs->tx_n--;
    }
    free(gs->txq);
    for (size_t i = 0; i < gs->n_pool; i++) {
        for (size_t j = 0; j < gs->pool[i]->n; j++) {
            vsw_pkt_free(gs->pool[i]->pkts[j]);
        }
        free(gs->pool[i]->pkts);
        free(gs->pool[i]);
    }
    free(gs->pool);
    free(gs);
}
