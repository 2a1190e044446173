/*
 * hoststack.c -- the host stack (hoststack.h): the receive indication and
 * the send thread.
 */
#include "config.h"

#include "models/hoststack.h"

#include <errno.h>
#include <stdlib.h>

#include "models/cpu.h"
#include "models/miniport.h"
#include "models/traffic.h"
#include "models/pktvec.h"
#include "models/rss.h"
#include "sim/log.h"
#include "vmswitch/packet.h"

/* One indication in progress (several processors may indicate at once).
 * It owns its frames from indicate() until deliver() hands them on; it
 * keeps its own copy of the pointers, because the driver reuses its batch
 * array as soon as the indication is done. */
struct indication {
    struct hoststack *hs;
    struct vsw_pkt **pkts;          /* owned frames, 'n' of them */
    size_t n, cap;
    cpu_step_fn *done;
    void *done_arg;
    struct indication *next_free;
};

struct hoststack {
    struct cpu *cpu;
    struct miniport *mp;            /* NULL when bound to 'lower' */
    struct hoststack_lower lower;
    struct traffic_ep *ep;
    struct hoststack_config cfg;
    uint32_t owner;
    struct cpu_thread *thread;

    /* Frames the application handed over, waiting for the send thread. */
    struct vsw_pkt **txq;
    size_t tx_head, tx_n, tx_cap;

    struct indication **pool;       /* every indication allocated */
    size_t n_pool, cap_pool;
    struct indication *free_ind;

    /* RSS on the virtual NIC (hoststack_set_rss), or n_rss == 0. */
    struct rss_config rss;
    struct rss_indirection itab;
    struct rss_lp *rss_lps;
    uint32_t n_rss;
};

/* One processor of RSS: frames waiting for its DPC, and the batch the DPC
 * is indicating (swapped, so new frames queue behind). */
struct rss_lp {
    struct hoststack *hs;
    uint32_t lp;
    struct cpu_dpc dpc;
    struct pktvec wait, busy;
};

static uint64_t
copy_cycles(const struct hoststack *hs, uint64_t bytes)
{
    return bytes * hs->cfg.costs.copy_kib_cycles / 1024;
}

/* --- Receive ------------------------------------------------------------- */

static void
deliver(struct cpu_exec *x, void *arg)
{
    struct indication *ind = arg;
    struct hoststack *hs = ind->hs;

    for (size_t i = 0; i < ind->n; i++) {
        traffic_ep_receive(hs->ep, ind->pkts[i]);
    }
    ind->n = 0;
    cpu_step_fn *done = ind->done;
    void *done_arg = ind->done_arg;
    ind->next_free = hs->free_ind;
    hs->free_ind = ind;
    done(x, done_arg);
}

static void
indicate(void *ctx, struct cpu_exec *x, uint32_t q, struct vsw_pkt **pkts,
         size_t n, cpu_step_fn *done, void *done_arg)
{
    struct hoststack *hs = ctx;
    struct indication *ind = hs->free_ind;
    uint64_t bytes = 0;

    (void)q;
    if (ind) {
        hs->free_ind = ind->next_free;
    } else {
        if (hs->n_pool == hs->cap_pool) {
            size_t cap = hs->cap_pool ? hs->cap_pool * 2 : 8;
            struct indication **v = realloc(hs->pool, cap * sizeof *v);
            if (!v) {
                sim_out_of_memory("host stack");
            }
            hs->pool = v;
            hs->cap_pool = cap;
        }
        if (!(ind = calloc(1, sizeof *ind))) {
            sim_out_of_memory("host stack");
        }
        hs->pool[hs->n_pool++] = ind;
    }
    if (ind->cap < n) {
        struct vsw_pkt **v = realloc(ind->pkts, n * sizeof *v);
        if (!v) {
            sim_out_of_memory("host stack");
        }
        ind->pkts = v;
        ind->cap = n;
    }
    ind->hs = hs;
    ind->n = n;
    ind->done = done;
    ind->done_arg = done_arg;
    ind->next_free = NULL;
    for (size_t i = 0; i < n; i++) {
        ind->pkts[i] = pkts[i];
        bytes += vsw_pkt_len(pkts[i]);
    }
    cpu_charge(x, hs->owner,
               hs->cfg.costs.rx_frame_cycles * n + copy_cycles(hs, bytes),
               deliver, ind);
}

/* --- Send ---------------------------------------------------------------- */

static void tx_step(struct cpu_exec *x, void *arg);

static void
tx_to_driver(struct cpu_exec *x, void *arg)
{
    struct hoststack *hs = arg;
    struct vsw_pkt *pkt = hs->txq[hs->tx_head];
    uint32_t q = hs->mp ? cpu_exec_lp(x) % miniport_queue_count(hs->mp) : 0;

    hs->tx_head = (hs->tx_head + 1) % hs->tx_cap;
    hs->tx_n--;
    if (!hs->mp) {
        hs->lower.send(hs->lower.ctx, x, pkt, tx_step, hs);
        return;
    }
    miniport_send(hs->mp, x, q, pkt, tx_step, hs);
}

static void
tx_step(struct cpu_exec *x, void *arg)
{
    struct hoststack *hs = arg;

    if (!hs->tx_n) {
        return;                     /* block until the next frame */
    }
    struct vsw_pkt *pkt = hs->txq[hs->tx_head];
    cpu_charge(x, hs->owner,
               hs->cfg.costs.tx_frame_cycles
               + copy_cycles(hs, vsw_pkt_len(pkt)),
               tx_to_driver, hs);
}

static int
send_hook(void *ctx, struct vsw_pkt *pkt)
{
    struct hoststack *hs = ctx;

    if (hs->tx_n == hs->tx_cap) {
        size_t cap = hs->tx_cap ? hs->tx_cap * 2 : 256;
        struct vsw_pkt **v = malloc(cap * sizeof *v);
        if (!v) {
            sim_out_of_memory("host stack");
        }
        for (size_t i = 0; i < hs->tx_n; i++) {
            v[i] = hs->txq[(hs->tx_head + i) % hs->tx_cap];
        }
        free(hs->txq);
        hs->txq = v;
        hs->tx_head = 0;
        hs->tx_cap = cap;
    }
    hs->txq[(hs->tx_head + hs->tx_n++) % hs->tx_cap] = pkt;
    if (hs->tx_n == 1) {
        cpu_thread_wake(hs->thread, tx_step, hs);
    }
    return 0;
}

/* --- Building ------------------------------------------------------------ */

static int
stack_new(struct cpu *cpu, struct traffic_ep *ep,
          const struct hoststack_config *cfg, struct hoststack **out)
{
    struct hoststack *hs;

    *out = NULL;
    if (!cfg->name || !*cfg->name || cfg->tx_lp >= cpu_lp_count(cpu)) {
        return EINVAL;
    }
    hs = calloc(1, sizeof *hs);
    if (!hs) {
        return ENOMEM;
    }
    hs->cpu = cpu;
    hs->ep = ep;
    hs->cfg = *cfg;
    hs->cfg.name = NULL;
    hs->owner = cpu_owner(cpu, cfg->name);
    hs->thread = cpu_thread_create(cpu, cfg->name, hs->owner, cfg->tx_lp);
    if (!hs->thread) {
        free(hs);
        return ENOMEM;
    }
    traffic_ep_set_send(ep, send_hook, hs);
    *out = hs;
    return 0;
}

int
hoststack_create(struct cpu *cpu, struct miniport *mp, struct traffic_ep *ep,
                 const struct hoststack_config *cfg, struct hoststack **out)
{
    int err = stack_new(cpu, ep, cfg, out);

    if (!err) {
        struct miniport_upper up = { indicate, *out };
        (*out)->mp = mp;
        miniport_set_upper(mp, &up);
    }
    return err;
}

int
hoststack_create_on(struct cpu *cpu, const struct hoststack_lower *lower,
                    struct traffic_ep *ep, const struct hoststack_config *cfg,
                    struct hoststack **out)
{
    int err;

    if (!lower || !lower->send) {
        *out = NULL;
        return EINVAL;
    }
    err = stack_new(cpu, ep, cfg, out);
    if (!err) {
        (*out)->lower = *lower;
    }
    return err;
}

static void
rss_dpc_done(struct cpu_exec *x, void *arg)
{
    (void)x;
    (void)arg;
}

static void
rss_dpc(struct cpu_exec *x, void *arg)
{
    struct rss_lp *l = arg;
    struct pktvec t = l->busy;

    if (!l->wait.n) {
        return;
    }
    /* Take the waiting frames; new ones queue behind (the indication
     * owns these from now on). */
    l->busy = l->wait;
    l->wait = t;
    l->wait.n = 0;
    indicate(l->hs, x, 0, l->busy.v, l->busy.n, rss_dpc_done, l);
    l->busy.n = 0;
}

int
hoststack_set_rss(struct hoststack *hs, const uint32_t *lps, uint32_t n)
{
    struct rss_lp *v;

    if (n < 1 || n > RSS_INDIRECTION_MAX || hs->n_rss) {
        return EINVAL;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (lps[i] >= cpu_lp_count(hs->cpu)) {
            return EINVAL;
        }
    }
    if (!(v = calloc(n, sizeof *v))) {
        return ENOMEM;
    }
    rss_config_init(&hs->rss);
    hs->rss.hash_types |= RSS_HASH_UDP_IPV4 | RSS_HASH_UDP_IPV6;
    (void)rss_indirection_fill(&hs->itab, RSS_INDIRECTION_MAX, n);
    for (uint32_t i = 0; i < n; i++) {
        v[i].hs = hs;
        v[i].lp = lps[i];
        cpu_dpc_init(&v[i].dpc, rss_dpc, &v[i], hs->owner);
    }
    hs->rss_lps = v;
    hs->n_rss = n;
    return 0;
}

void
hoststack_indicate(struct hoststack *hs, struct cpu_exec *x,
                   struct vsw_pkt **pkts, size_t n, cpu_step_fn *done,
                   void *done_arg)
{
    if (!hs->n_rss) {
        indicate(hs, x, 0, pkts, n, done, done_arg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct rss_result r;
        uint32_t k = 0;
        if (!rss_hash_frame(&hs->rss, vsw_pkt_data_const(pkts[i]),
                            vsw_pkt_len(pkts[i]), &r) && r.hashed) {
            k = rss_indirect(&hs->itab, r.hash);
        }
        struct rss_lp *l = &hs->rss_lps[k];
        pktvec_push(&l->wait, pkts[i]);
        (void)cpu_queue_dpc(hs->cpu, l->lp, &l->dpc);
    }
    done(x, done_arg);
}

void
hoststack_destroy(struct hoststack *hs)
{
    if (!hs) {
        return;
    }
    while (hs->tx_n) {
        vsw_pkt_free(hs->txq[hs->tx_head]);
        hs->tx_head = (hs->tx_head + 1) % hs->tx_cap;
        hs->tx_n--;
    }
    free(hs->txq);
    for (size_t i = 0; i < hs->n_pool; i++) {
        /* An indication cut short by the end of the run still owns frames. */
        for (size_t j = 0; j < hs->pool[i]->n; j++) {
            vsw_pkt_free(hs->pool[i]->pkts[j]);
        }
        free(hs->pool[i]->pkts);
        free(hs->pool[i]);
    }
    free(hs->pool);
    for (uint32_t i = 0; i < hs->n_rss; i++) {
        pktvec_free(&hs->rss_lps[i].wait, 0);
        pktvec_free(&hs->rss_lps[i].busy, 0);   /* empty: indicated */
    }
    free(hs->rss_lps);
    free(hs);
}
