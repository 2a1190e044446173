/*
 * miniport.c -- the NIC driver's ISR, DPC and send path (miniport.h).
 *
 * THE DPC, STEP BY STEP (each arrow is a cpu_charge() whose next step
 * continues the chain):
 *   pass:     reap send completions and up to rx_batch received frames;
 *             charge batch + per-frame + per-completion cycles
 *   -> up:    indicate the frames to the upper layer, which charges its
 *             own work and continues with 'refill'
 *   -> refill: post as many receive descriptors as were reaped, plus any
 *             backlogged sends the freed transmit descriptors allow;
 *             charge one doorbell
 *   -> next:  more frames and budget left: another pass; frames left but
 *             no budget: queue the DPC again; nothing left: charge a
 *             doorbell to re-enable the vector, and end.
 */
#include "config.h"

#include "models/miniport.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"
#include "vmswitch/packet.h"

struct mp_queue {
    struct miniport *mp;
    uint32_t index;
    uint32_t lp;
    struct cpu_dpc dpc;
    uint32_t budget_left;           /* frames this DPC may still take */
    struct vsw_pkt *batch[MINIPORT_MAX_BATCH];
    size_t n_batch;

    /* Software backlog of sends while the ring is full. */
    struct vsw_pkt **backlog;
    size_t bl_head, bl_n, bl_cap;
};

/* A send in progress: the charge runs, then the frame is posted. */
struct mp_send {
    struct miniport *mp;
    uint32_t q;
    struct vsw_pkt *pkt;
    cpu_step_fn *next;
    void *arg;
    bool in_use;
    struct mp_send *free_next;
};

struct miniport {
    struct cpu *cpu;
    struct pnic *nic;
    struct miniport_config cfg;
    struct miniport_upper upper;
    struct miniport_irq irq;
    uint32_t owner;
    uint32_t n_queues;
    struct mp_queue *q;
    struct mp_send *free_sends;
    struct mp_send **pool;          /* every send ever allocated */
    size_t n_pool, cap_pool;
};

/* --- Sends --------------------------------------------------------------- */

static void
backlog_push(struct mp_queue *q, struct vsw_pkt *pkt)
{
    if (q->bl_n == q->bl_cap) {
        size_t cap = q->bl_cap ? q->bl_cap * 2 : 64;
        struct vsw_pkt **v = malloc(cap * sizeof *v);
        if (!v) {
            sim_out_of_memory("miniport");
        }
        for (size_t i = 0; i < q->bl_n; i++) {
            v[i] = q->backlog[(q->bl_head + i) % q->bl_cap];
        }
        free(q->backlog);
        q->backlog = v;
        q->bl_head = 0;
        q->bl_cap = cap;
    }
    q->backlog[(q->bl_head + q->bl_n++) % q->bl_cap] = pkt;
}

/* Posts backlogged frames while the transmit ring has room. */
static void
backlog_drain(struct mp_queue *q)
{
    while (q->bl_n && pnic_tx_free(q->mp->nic, q->index)) {
        struct vsw_pkt *pkt = q->backlog[q->bl_head];
        q->bl_head = (q->bl_head + 1) % q->bl_cap;
        q->bl_n--;
        SIM_ASSERT(pnic_tx_post(q->mp->nic, q->index, pkt) == 0);
    }
}

static void
send_posted(struct cpu_exec *x, void *arg)
{
    struct mp_send *s = arg;
    struct miniport *mp = s->mp;
    struct mp_queue *q = &mp->q[s->q];
    cpu_step_fn *next = s->next;
    void *next_arg = s->arg;

    if (q->bl_n || pnic_tx_post(mp->nic, s->q, s->pkt) == ENOSPC) {
        backlog_push(q, s->pkt);    /* keep the order of the frames */
    }
    s->in_use = false;
    s->free_next = mp->free_sends;
    mp->free_sends = s;
    if (next) {
        next(x, next_arg);
    }
}

void
miniport_send(struct miniport *mp, struct cpu_exec *x, uint32_t q,
              struct vsw_pkt *pkt, cpu_step_fn *next, void *arg)
{
    struct mp_send *s = mp->free_sends;

    SIM_ASSERT(q < mp->n_queues);
    if (s) {
        mp->free_sends = s->free_next;
    } else {
        if (mp->n_pool == mp->cap_pool) {
            size_t cap = mp->cap_pool ? mp->cap_pool * 2 : 16;
            struct mp_send **v = realloc(mp->pool, cap * sizeof *v);
            if (!v) {
                sim_out_of_memory("miniport");
            }
            mp->pool = v;
            mp->cap_pool = cap;
        }
        if (!(s = malloc(sizeof *s))) {
            sim_out_of_memory("miniport");
        }
        mp->pool[mp->n_pool++] = s;
    }
    *s = (struct mp_send){ mp, q, pkt, next, arg, true, NULL };
    cpu_charge(x, mp->owner,
               mp->cfg.costs.tx_frame_cycles + mp->cfg.costs.doorbell_cycles,
               send_posted, s);
}

/* --- Receive: ISR and DPC ------------------------------------------------ */

static void dpc_pass(struct cpu_exec *x, void *arg);

static void
isr_done(struct cpu_exec *x, void *arg)
{
    struct mp_queue *q = arg;

    /* Queue the DPC where the ISR ran (NDIS: on the current processor). */
    (void)cpu_queue_dpc(q->mp->cpu, cpu_exec_lp(x), &q->dpc);
}

static void
isr(struct cpu_exec *x, void *arg)
{
    struct mp_queue *q = arg;

    pnic_irq_disable(q->mp->nic, q->index);
    cpu_charge(x, q->mp->owner, q->mp->cfg.costs.isr_cycles, isr_done, q);
}

static void
dpc_next(struct cpu_exec *x, void *arg)
{
    struct mp_queue *q = arg;
    struct miniport *mp = q->mp;

    if (pnic_rx_pending(mp->nic, q->index) && q->budget_left) {
        dpc_pass(x, q);
        return;
    }
    if (pnic_rx_pending(mp->nic, q->index)) {
        /* Out of budget: let other DPCs run, then come back -- on the
         * queue's processor, which a retarget may have changed (NDIS: the
         * miniport processes a queue on its new processor from then on),
         * so a queue that never runs dry still moves. */
        (void)cpu_queue_dpc(mp->cpu, q->lp, &q->dpc);
        return;
    }
    /* Done: re-enable the vector (one register write). */
    pnic_irq_enable(mp->nic, q->index);
    cpu_charge(x, mp->owner, mp->cfg.costs.doorbell_cycles, NULL, NULL);
}

static void
dpc_refill(struct cpu_exec *x, void *arg)
{
    struct mp_queue *q = arg;
    struct miniport *mp = q->mp;

    (void)pnic_rx_post(mp->nic, q->index, mp->cfg.rx_batch);
    backlog_drain(q);
    cpu_charge(x, mp->owner, mp->cfg.costs.doorbell_cycles, dpc_next, q);
}

static void
dpc_indicate(struct cpu_exec *x, void *arg)
{
    struct mp_queue *q = arg;
    struct miniport *mp = q->mp;
    size_t n = q->n_batch;

    q->n_batch = 0;
    if (!n) {
        dpc_refill(x, q);
        return;
    }
    mp->upper.indicate(mp->upper.ctx, x, q->index, q->batch, n, dpc_refill,
                       q);
}

static void
dpc_pass(struct cpu_exec *x, void *arg)
{
    struct mp_queue *q = arg;
    struct miniport *mp = q->mp;
    const struct miniport_costs *c = &mp->cfg.costs;
    size_t max = mp->cfg.rx_batch < q->budget_left ? mp->cfg.rx_batch
                                                   : q->budget_left;
    uint32_t done = pnic_tx_reap(mp->nic, q->index);

    q->n_batch = pnic_rx_reap(mp->nic, q->index, q->batch, max);
    q->budget_left -= (uint32_t)q->n_batch;
    cpu_charge(x, mp->owner,
               c->batch_cycles + c->rx_frame_cycles * q->n_batch
               + c->tx_complete_cycles * done,
               dpc_indicate, q);
}

static void
dpc(struct cpu_exec *x, void *arg)
{
    struct mp_queue *q = arg;

    q->budget_left = q->mp->cfg.rx_budget;
    dpc_pass(x, q);
}

/* --- Queue placement ----------------------------------------------------- */

int
miniport_set_queue_lp(struct miniport *mp, uint32_t qi, uint32_t lp)
{
    uint64_t addr;
    uint32_t data;
    struct mp_queue *q;
    uint8_t vector;

    if (qi >= mp->n_queues || lp >= cpu_lp_count(mp->cpu)) {
        return EINVAL;
    }
    q = &mp->q[qi];
    vector = (uint8_t)(mp->cfg.base_vector + qi);
    int error = mp->irq.route(mp->irq.ctx, pnic_config(mp->nic)->source_id,
                              qi, lp, vector, &addr, &data);
    if (error) {
        return error;
    }
    error = cpu_set_isr(mp->cpu, lp, vector, mp->owner, isr, q);
    if (error) {
        return error;
    }
    pnic_msix_program(mp->nic, qi, addr, data);
    q->lp = lp;
    return 0;
}

uint32_t
miniport_queue_lp(const struct miniport *mp, uint32_t q)
{
    SIM_ASSERT(q < mp->n_queues);
    return mp->q[q].lp;
}

/* --- Building ------------------------------------------------------------ */

int
miniport_create(struct cpu *cpu, struct pnic *nic,
                const struct miniport_config *cfg,
                const struct miniport_upper *upper,
                const struct miniport_irq *irq, struct miniport **out)
{
    struct miniport *mp;
    uint32_t nq = pnic_queue_count(nic);

    *out = NULL;
    if (!cfg->name || !*cfg->name || !cfg->queue_lp || !upper->indicate
        || !irq->route || cfg->rx_batch < 1
        || cfg->rx_batch > MINIPORT_MAX_BATCH || cfg->rx_budget < 1
        || cfg->base_vector < 32 || (unsigned)cfg->base_vector + nq > 256) {
        return EINVAL;
    }
    for (uint32_t i = 0; i < nq; i++) {
        if (cfg->queue_lp[i] >= cpu_lp_count(cpu)) {
            return EINVAL;
        }
    }
    mp = calloc(1, sizeof *mp);
    if (!mp || !(mp->q = calloc(nq, sizeof *mp->q))) {
        free(mp);
        return ENOMEM;
    }
    mp->cpu = cpu;
    mp->nic = nic;
    mp->cfg = *cfg;
    mp->cfg.queue_lp = NULL;
    mp->upper = *upper;
    mp->irq = *irq;
    mp->n_queues = nq;
    mp->owner = cpu_owner(cpu, cfg->name);
    for (uint32_t i = 0; i < nq; i++) {
        struct mp_queue *q = &mp->q[i];
        q->mp = mp;
        q->index = i;
        cpu_dpc_init(&q->dpc, dpc, q, mp->owner);
        int error = miniport_set_queue_lp(mp, i, cfg->queue_lp[i]);
        if (error) {
            miniport_destroy(mp);
            return error;
        }
        (void)pnic_rx_post(nic, i, UINT32_MAX);
        pnic_irq_enable(nic, i);
    }
    *out = mp;
    return 0;
}

void
miniport_destroy(struct miniport *mp)
{
    if (!mp) {
        return;
    }
    for (uint32_t i = 0; i < mp->n_queues; i++) {
        struct mp_queue *q = &mp->q[i];
        for (size_t j = 0; j < q->n_batch; j++) {
            vsw_pkt_free(q->batch[j]);
        }
        while (q->bl_n) {
            vsw_pkt_free(q->backlog[q->bl_head]);
            q->bl_head = (q->bl_head + 1) % q->bl_cap;
            q->bl_n--;
        }
        free(q->backlog);
    }
    for (size_t i = 0; i < mp->n_pool; i++) {
        if (mp->pool[i]->in_use) {
            vsw_pkt_free(mp->pool[i]->pkt);
        }
        free(mp->pool[i]);
    }
    free(mp->pool);
    free(mp->q);
    free(mp);
}

void
miniport_set_upper(struct miniport *mp, const struct miniport_upper *upper)
{
    SIM_ASSERT(upper->indicate);
    mp->upper = *upper;
}

sim_time_t
miniport_queue_busy_ps(const struct miniport *mp, uint32_t q)
{
    SIM_ASSERT(q < mp->n_queues);
    return mp->q[q].dpc.busy_ps;
}

uint32_t
miniport_queue_count(const struct miniport *mp)
{
    return mp->n_queues;
}

struct cpu *
miniport_cpu(const struct miniport *mp)
{
    return mp->cpu;
}

uint32_t
miniport_owner(const struct miniport *mp)
{
    return mp->owner;
}

size_t
miniport_backlog(const struct miniport *mp, uint32_t q)
{
    SIM_ASSERT(q < mp->n_queues);
    return mp->q[q].bl_n;
}
