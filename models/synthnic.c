/*
 * synthnic.c -- the synthetic NIC in time (synthnic.h).
 *
 * Protocol state lives in the two pure ends (netvsc), ring state in guest
 * memory (vmbus); this file moves packets between them at the moments the
 * modelled software runs and charges what it did, measured as the change
 * of the ends' work counters across each call.
 */
#include "config.h"

#include "models/synthnic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/cpu.h"
#include "models/gmem.h"
#include "models/guest.h"
#include "models/hv.h"
#include "models/pktvec.h"
#include "models/netvsc.h"
#include "models/rss.h"
#include "models/synic.h"
#include "models/vmbus.h"
#include "models/vswhost.h"
#include "sim/log.h"
#include "sim/metrics.h"
#include "vmswitch/packet.h"

#define SYNTH_SINT 2                /* VMBus messages and events (Linux) */
#define SYNTH_MAX_VMS 4096
#define SYNTH_PKT_BUF (64 * 1024)   /* largest ring packet read at once */
#define SYNTH_MAX_QUEUES 64         /* VRSS_CHANNEL_MAX (FACTS.md §3.4) */

struct vm_entry {
    struct synth_bus *bus;
    struct hv_vm *vm;
    uint32_t owner;                 /* "<vm> netvsc" */
    uint64_t isr_cycles;            /* the guest VMBus ISR's body */
    struct vmbus_monitor mon;       /* the VM's monitor page */
    struct synth_queue *by_monitor[VMBUS_MONITOR_IDS];
    uint32_t n_monitored;
};

struct synth_bus {
    struct hv *hv;
    uint8_t root_vector, guest_vector;
    uint32_t root_owner;            /* "vmbus" */
    struct synth_queue **by_relid;  /* every queue; relid = index + 1 */
    uint32_t n_nics;                /* queues */
    struct synth_nic **nics;        /* every NIC */
    uint32_t n_parents;
    struct vm_entry **vms;
    uint32_t n_vms;
    uint8_t *pkt_buf;               /* one ring packet being parsed */
};

/* One VMBus channel of a NIC -- the primary or a subchannel (a vRSS
 * queue) -- with its own rings and protocol ends. */
struct synth_queue {
    struct synth_nic *nic;          /* the NIC it belongs to */
    uint32_t index;                 /* 0: the primary channel */
    struct synth_bus *bus;
    struct vm_entry *ve;
    struct synth_nic_config cfg;
    char *name;
    bool owns_channel;              /* the primary: destroys the channel */
    uint32_t relid;
    uint32_t monitor_id;            /* with cfg.monitor_latency_ps > 0 */
    uint32_t port;
    uint32_t vsp_owner;             /* "netvsp" */
    struct vmbus_channel *ch;
    struct vmbus_ring *out, *in;    /* guest->host, host->guest */
    struct netvsc_vsc *vsc;
    struct netvsc_vsp *vsp;
    uint64_t recv_gpa, send_gpa;
    uint32_t recv_size, send_size;

    /* Set by the channel ops during one call into an end. */
    bool sig_host, sig_guest;
    uint64_t pkts_written;

    /* The guest's NAPI poll (one instance at a time). */
    struct cpu_dpc napi;
    struct hv_vp *napi_vp;
    bool napi_running, napi_again;
    bool napi_sig;                  /* this poll must signal the host */
    uint32_t napi_read;
    struct pktvec rx;               /* frames the client delivered */

    /* The provider's DPC (one instance at a time). */
    struct cpu_dpc vsp_dpc;
    bool vsp_running, vsp_again, vsp_sig_guest;
    struct pktvec tx;               /* frames the provider delivered */

    /* A send in progress on the guest's send thread. */
    bool xmit_sig;
    cpu_step_fn *xmit_next;
    void *xmit_arg;

    /* Deliveries from the switch in progress (several LPs at once). */
    struct rx_job **jobs;
    size_t n_jobs;
    struct rx_job *free_jobs;

    struct metric *m_tx_frames, *m_rx_frames, *m_tx_dropped, *m_rx_dropped;
    struct metric *m_sig_host, *m_sig_guest, *m_polls, *m_vsp_runs;
    struct metric *m_tx_stalls, *m_interrupts;
};

/* The NIC: one switch port, one guest driver, and its queues (with vRSS,
 * one VMBus channel per queue; frames are spread by the Toeplitz hash
 * through an indirection table, both ways). */
struct synth_nic {
    struct synth_bus *bus;
    struct synth_nic_config cfg;
    char *name;
    uint32_t port;
    struct synth_queue **q;
    uint32_t n_q;
    struct rss_config rss;
    struct rss_indirection itab;
    struct pktvec *split;           /* per queue, for one delivery */
    struct split_job **jobs;        /* every split job, to free */
    size_t n_jobs;
    struct split_job *free_jobs;
    struct metric *m_in_occ, *m_out_occ;
};

static uint64_t
copy_cycles(const struct synth_queue *nic, uint64_t bytes)
{
    return bytes * nic->cfg.costs.copy_kib_cycles / 1024;
}

/* --- The channel: netvsc packets onto the rings ---------------------------- */

/* Writes 'p' on 'ring'; '*signal' tells whether the writer must signal. */
static int
ring_send(struct vmbus_ring *ring, const struct netvsc_vmpkt *p, bool *signal)
{
    struct vmbus_xfer_range xr[NETVSC_MAX_XFER_RANGES];
    struct vmbus_gpa_range gr[NETVSC_MAX_PAGE_BUFFERS];
    struct vmbus_pkt pkt;
    int err;

    switch (p->type) {
    case NETVSC_VMPKT_DATA_INBAND:
        pkt = vmbus_pkt_inband(p->trans_id, p->flags, p->payload,
                               p->payload_len);
        break;
    case NETVSC_VMPKT_COMP:
        pkt = vmbus_pkt_comp(p->trans_id, p->payload, p->payload_len);
        break;
    case NETVSC_VMPKT_DATA_XFER_PAGES:
        SIM_ASSERT(p->n_ranges <= NETVSC_MAX_XFER_RANGES);
        for (uint32_t i = 0; i < p->n_ranges; i++) {
            xr[i] = (struct vmbus_xfer_range){ p->ranges[i].byte_count,
                                               p->ranges[i].byte_offset };
        }
        pkt = vmbus_pkt_xfer_pages(p->trans_id, p->flags, p->xfer_pageset_id,
                                   false, xr, p->n_ranges, p->payload,
                                   p->payload_len);
        break;
    case NETVSC_VMPKT_DATA_GPA_DIRECT:
        SIM_ASSERT(p->n_gpa <= NETVSC_MAX_PAGE_BUFFERS);
        for (uint32_t i = 0; i < p->n_gpa; i++) {
            gr[i] = (struct vmbus_gpa_range){ p->gpa[i].byte_count,
                                              p->gpa[i].byte_offset,
                                              p->gpa[i].n_pfn,
                                              p->gpa[i].pfn };
        }
        pkt = vmbus_pkt_gpa_direct(p->trans_id, p->flags, gr, p->n_gpa,
                                   p->payload, p->payload_len);
        break;
    default:
        SIM_ASSERT(!"netvsc sent an unknown packet type");
        return EINVAL;
    }
    err = vmbus_ring_write(ring, &pkt, signal);
    return err == EAGAIN ? EAGAIN : err;
}

static int
vsc_chan_send(void *ctx, const struct netvsc_vmpkt *p)
{
    struct synth_queue *nic = ctx;
    bool sig = false;
    int err = ring_send(nic->out, p, &sig);

    if (!err) {
        nic->pkts_written++;
        nic->sig_host |= sig;
    }
    return err;
}

static void
vsc_ring_space(void *ctx, uint32_t *free_bytes, uint32_t *ring_size)
{
    struct synth_queue *nic = ctx;

    *free_bytes = vmbus_ring_bytes_to_write(nic->out);
    *ring_size = vmbus_ring_size(nic->out);
}

static int
vsp_chan_send(void *ctx, const struct netvsc_vmpkt *p)
{
    struct synth_queue *nic = ctx;
    bool sig = false;
    int err = ring_send(nic->in, p, &sig);

    if (!err) {
        nic->pkts_written++;
        nic->sig_guest |= sig;
    }
    return err;
}

static const struct netvsc_chan_ops vsc_chan = { vsc_chan_send,
                                                 vsc_ring_space };
static const struct netvsc_chan_ops vsp_chan = { vsp_chan_send, NULL };

/* Parses the ring packet of 'view' into a netvsc packet and hands it to
 * the VSC ('to_vsc') or the VSP.  Returns the end's result. */
static int
dispatch(struct synth_queue *nic, const struct vmbus_pkt_view *v, bool to_vsc)
{
    struct netvsc_range xr[NETVSC_MAX_XFER_RANGES];
    struct netvsc_gpa gr[NETVSC_MAX_PAGE_BUFFERS];
    struct netvsc_vmpkt p = {
        .type = v->type, .flags = v->flags, .trans_id = v->trans_id,
        .payload = v->payload, .payload_len = v->payload_len,
    };

    if (v->type == NETVSC_VMPKT_DATA_XFER_PAGES) {
        if (v->range_count > NETVSC_MAX_XFER_RANGES) {
            return EPROTO;
        }
        for (uint32_t i = 0; i < v->range_count; i++) {
            struct vmbus_xfer_range r = vmbus_pkt_view_xfer_range(v, i);
            xr[i] = (struct netvsc_range){ r.byte_count, r.byte_offset };
        }
        p.xfer_pageset_id = v->xfer_pageset_id;
        p.ranges = xr;
        p.n_ranges = v->range_count;
    } else if (v->type == NETVSC_VMPKT_DATA_GPA_DIRECT) {
        if (v->range_count > NETVSC_MAX_PAGE_BUFFERS) {
            return EPROTO;
        }
        for (uint32_t i = 0; i < v->range_count; i++) {
            uint32_t n = vmbus_pkt_view_gpa_range(v, i, &gr[i].byte_count,
                                                  &gr[i].byte_offset);
            gr[i].n_pfn = n;
            for (uint32_t j = 0; j < n && j < NETVSC_MAX_PAGE_BUFFERS; j++) {
                gr[i].pfn[j] = vmbus_pkt_view_gpa_pfn(v, i, j);
            }
        }
        p.gpa = gr;
        p.n_gpa = v->range_count;
    }
    return to_vsc ? netvsc_vsc_on_packet(nic->vsc, &p)
                  : netvsc_vsp_on_packet(nic->vsp, &p);
}

/* Reads at most 'max' packets of 'ring' in one batch and dispatches them.
 * Returns the number read; '*signal' from the batch end. */
static uint32_t
drain(struct synth_queue *nic, struct vmbus_ring *ring, bool to_vsc,
      uint32_t max, bool *signal)
{
    struct vmbus_pkt_view v;
    uint32_t n = 0;

    vmbus_ring_batch_begin(ring);
    while (n < max
           && !vmbus_ring_peek(ring, nic->bus->pkt_buf, SYNTH_PKT_BUF, &v)) {
        vmbus_ring_advance(ring);
        n++;
        (void)dispatch(nic, &v, to_vsc);    /* bad packets are counted */
    }
    vmbus_ring_batch_end(ring, signal);
    return n;
}

/* The NIC's rings' occupancy, summed over its queues. */
static void
update_occupancy(struct synth_queue *q)
{
    struct synth_nic *nic = q->nic;
    uint64_t in = 0, out = 0;

    for (uint32_t i = 0; i < nic->n_q; i++) {
        in += vmbus_ring_bytes_to_read(nic->q[i]->in);
        out += vmbus_ring_bytes_to_read(nic->q[i]->out);
    }
    metric_set(nic->m_in_occ, (double)in);
    metric_set(nic->m_out_occ, (double)out);
}

/* --- The guest signals the host: a hypercall, or the monitor page ----------- */

/* The host looks at the VM's monitor page: every set bit becomes an event
 * flag of the root's SynIC on its channel's processor. */
static void
monitor_poll(struct sim *sim, void *ctx)
{
    struct vm_entry *ve = ctx;
    uint32_t ids[VMBUS_MONITOR_IDS];
    uint32_t n = vmbus_monitor_poll_ids(&ve->mon, ids);

    (void)sim;
    for (uint32_t i = 0; i < n; i++) {
        struct synth_queue *nic = ve->by_monitor[ids[i]];
        (void)synic_signal_event(hv_root_synic(ve->bus->hv,
                                               nic->cfg.host_lp),
                                 SYNTH_SINT, nic->relid);
    }
}

/* From guest code in 'x': tells the host that the outbound ring has data,
 * then continues with 'next'('arg'). */
static void
signal_host(struct synth_queue *nic, struct cpu_exec *x, cpu_step_fn *next,
            void *arg)
{
    metric_add(nic->m_sig_host, 1);
    if (nic->cfg.monitor_latency_ps > 0) {
        struct vm_entry *ve = nic->ve;
        if (vmbus_monitor_trigger(&ve->mon, nic->monitor_id)) {
            struct sim *sim = cpu_sim(hv_cpu(ve->bus->hv));
            int err = sim_schedule_in(sim, nic->cfg.monitor_latency_ps,
                                      hv_vm_component(ve->vm), 0,
                                      monitor_poll, ve, NULL);
            if (err) {
                sim_fatal("synthetic NIC: cannot schedule a monitor poll");
            }
        }
        next(x, arg);
        return;
    }
    hv_guest_signal_root(nic->cfg.vm, x, nic->cfg.host_lp, SYNTH_SINT,
                         nic->relid, next, arg);
}

/* --- Guest receive: ISR and NAPI poll ------------------------------------------ */

static void napi_step(struct cpu_exec *x, void *arg);

/* The client's transmit queue woke (a completion freed room). */
static void
vsc_wake(void *ctx)
{
    struct synth_queue *nic = ctx;

    guest_stack_unstall(nic->cfg.stack);
}

static void
vsc_deliver(void *ctx, struct vsw_pkt *pkt)
{
    struct synth_queue *nic = ctx;

    pktvec_push(&nic->rx, pkt);
}

static void
guest_isr(struct cpu_exec *x, void *arg)
{
    struct vm_entry *ve = arg;
    struct synth_bus *bus = ve->bus;
    struct hv_vp *vp = hv_exec_vp(bus->hv, x);
    uint16_t flags[64];
    size_t n;

    while ((n = synic_scan_flags(hv_vp_synic(vp), SYNTH_SINT, flags, 64))) {
        for (size_t i = 0; i < n; i++) {
            struct synth_queue *nic;
            if (flags[i] == 0 || flags[i] > bus->n_nics) {
                continue;
            }
            nic = bus->by_relid[flags[i] - 1];
            if (nic->ve != ve) {
                continue;
            }
            metric_add(nic->m_interrupts, 1);
            /* hv_begin_read: no more interrupts while the poll runs. */
            vmbus_ring_begin_read(nic->in);
            if (nic->napi_running) {
                nic->napi_again = true;
            } else {
                nic->napi_vp = vp;
                hv_vp_queue_dpc(vp, &nic->napi);
            }
        }
    }
    cpu_charge(x, ve->owner, ve->isr_cycles, NULL, NULL);
}

static void
napi_end(struct cpu_exec *x, void *arg)
{
    struct synth_queue *nic = arg;

    (void)x;
    nic->napi_running = false;
    if (nic->napi_read >= nic->cfg.budget || nic->napi_again) {
        nic->napi_again = false;
        hv_vp_queue_dpc(nic->napi_vp, &nic->napi);
        return;
    }
    /* hv_end_read, then the re-check that closes the race. */
    if (vmbus_ring_end_read(nic->in)) {
        vmbus_ring_begin_read(nic->in);
        hv_vp_queue_dpc(nic->napi_vp, &nic->napi);
    }
}

static void
napi_signal(struct cpu_exec *x, void *arg)
{
    struct synth_queue *nic = arg;

    if (nic->napi_sig) {
        nic->napi_sig = false;
        signal_host(nic, x, napi_end, nic);
        return;
    }
    napi_end(x, nic);
}

static void
napi_deliver(struct cpu_exec *x, void *arg)
{
    struct synth_queue *nic = arg;
    size_t n = nic->rx.n;

    nic->rx.n = 0;
    metric_add(nic->m_rx_frames, n);
    if (!n) {
        napi_signal(x, nic);
        return;
    }
    guest_stack_receive(nic->cfg.stack, x, nic->rx.v, n, napi_signal, nic);
}

static void
napi_step(struct cpu_exec *x, void *arg)
{
    struct synth_queue *nic = arg;
    const struct netvsc_vsc_stats *st = netvsc_vsc_stats(nic->vsc);
    uint64_t copied = st->rx_copy_bytes;
    bool sig = false;
    uint64_t cycles;

    nic->napi_running = true;
    nic->napi_again = false;
    nic->pkts_written = 0;
    nic->sig_host = false;
    metric_add(nic->m_polls, 1);
    nic->napi_read = drain(nic, nic->in, true, nic->cfg.budget, &sig);
    /* A blocked host writer waits for room: the batch end says whether it
     * must be signalled (pending_send_sz). */
    nic->sig_host |= sig;
    (void)netvsc_vsc_flush_completions(nic->vsc);
    /* Keep the outcome: the send thread (on another VP, with vRSS) may
     * use sig_host before this poll's chain reaches napi_signal(). */
    nic->napi_sig = nic->sig_host;
    update_occupancy(nic);
    cycles = nic->cfg.costs.packet_cycles
                 * (nic->napi_read + nic->pkts_written)
             + nic->cfg.costs.vsc_rx_frame_cycles * nic->rx.n
             + copy_cycles(nic, st->rx_copy_bytes - copied);
    cpu_charge(x, nic->ve->owner, cycles, napi_deliver, nic);
}

/* --- Guest send ----------------------------------------------------------------- */

static void
xmit_signal(struct cpu_exec *x, void *arg)
{
    struct synth_queue *nic = arg;
    cpu_step_fn *next = nic->xmit_next;
    void *next_arg = nic->xmit_arg;

    if (nic->xmit_sig) {
        nic->xmit_sig = false;
        signal_host(nic, x, next, next_arg);
        return;
    }
    next(x, next_arg);
}

static void
queue_xmit(void *ctx, struct cpu_exec *x, struct vsw_pkt *pkt, bool more,
           cpu_step_fn *next, void *arg)
{
    struct synth_queue *nic = ctx;
    const struct netvsc_vsc_stats *st = netvsc_vsc_stats(nic->vsc);
    uint64_t copied = st->tx_copy_bytes;
    uint64_t cycles;
    int err;

    nic->pkts_written = 0;
    nic->sig_host = false;
    err = netvsc_vsc_send(nic->vsc, pkt, more);
    if (err == EAGAIN) {
        /* The queue is stopped: the stack keeps the frame and waits for
         * the client's wake (a completion freed room). */
        metric_add(nic->m_tx_stalls, 1);
        guest_stack_stall(nic->cfg.stack, pkt);
    } else {
        vsw_pkt_free(pkt);          /* the client copied or mapped it */
        metric_add(err ? nic->m_tx_dropped : nic->m_tx_frames, 1);
    }
    update_occupancy(nic);
    nic->xmit_sig = nic->sig_host;
    nic->xmit_next = next;
    nic->xmit_arg = arg;
    cycles = nic->cfg.costs.vsc_tx_frame_cycles
             + nic->cfg.costs.packet_cycles * nic->pkts_written
             + copy_cycles(nic, st->tx_copy_bytes - copied);
    cpu_charge(x, nic->ve->owner, cycles, xmit_signal, nic);
}

/* --- Root: ISR and the provider's DPC ----------------------------------------- */

static void
root_isr(struct cpu_exec *x, void *arg)
{
    struct synth_bus *bus = arg;
    struct synic *sy = hv_root_synic(bus->hv, cpu_exec_lp(x));
    uint16_t flags[64];
    size_t n;
    uint64_t cycles = 0;

    while ((n = synic_scan_flags(sy, SYNTH_SINT, flags, 64))) {
        for (size_t i = 0; i < n; i++) {
            struct synth_queue *nic;
            if (flags[i] == 0 || flags[i] > bus->n_nics) {
                continue;
            }
            nic = bus->by_relid[flags[i] - 1];
            cycles += nic->cfg.costs.vsp_isr_cycles;
            vmbus_ring_begin_read(nic->out);
            if (nic->vsp_running) {
                nic->vsp_again = true;
            } else {
                cpu_queue_dpc(hv_cpu(bus->hv), cpu_exec_lp(x), &nic->vsp_dpc);
            }
        }
    }
    cpu_charge(x, bus->root_owner, cycles, NULL, NULL);
}

static void
vsp_deliver(void *ctx, struct vsw_pkt *pkt)
{
    struct synth_queue *nic = ctx;

    pktvec_push(&nic->tx, pkt);
}

static void
vsp_end(struct cpu_exec *x, void *arg)
{
    struct synth_queue *nic = arg;

    nic->vsp_running = false;
    if (nic->vsp_again) {
        nic->vsp_again = false;
        cpu_queue_dpc(hv_cpu(nic->bus->hv), cpu_exec_lp(x), &nic->vsp_dpc);
        return;
    }
    if (vmbus_ring_end_read(nic->out)) {
        vmbus_ring_begin_read(nic->out);
        cpu_queue_dpc(hv_cpu(nic->bus->hv), cpu_exec_lp(x), &nic->vsp_dpc);
    }
}

static void
vsp_signal(struct cpu_exec *x, void *arg)
{
    struct synth_queue *nic = arg;

    if (nic->vsp_sig_guest) {
        nic->vsp_sig_guest = false;
        metric_add(nic->m_sig_guest, 1);
        hv_root_signal_guest(nic->bus->hv, x, nic->cfg.vm, nic->cfg.guest_vp,
                             SYNTH_SINT, nic->relid, vsp_end, nic);
        return;
    }
    vsp_end(x, nic);
}

static void
vsp_switch(struct cpu_exec *x, void *arg)
{
    struct synth_queue *nic = arg;
    size_t n = nic->tx.n;

    nic->tx.n = 0;
    if (!n) {
        vsp_signal(x, nic);
        return;
    }
    vswh_process(nic->cfg.sw, x, nic->port, nic->tx.v, n, vsp_signal, nic);
}

static void
vsp_step(struct cpu_exec *x, void *arg)
{
    struct synth_queue *nic = arg;
    uint32_t read;
    bool sig = false;
    uint64_t cycles;

    nic->vsp_running = true;
    nic->vsp_again = false;
    nic->pkts_written = 0;
    nic->sig_guest = false;
    metric_add(nic->m_vsp_runs, 1);
    read = drain(nic, nic->out, false, UINT32_MAX, &sig);
    update_occupancy(nic);
    nic->vsp_sig_guest = nic->sig_guest || sig;
    cycles = nic->cfg.costs.packet_cycles * (read + nic->pkts_written)
             + nic->cfg.costs.vsp_tx_frame_cycles * nic->tx.n;
    cpu_charge(x, nic->vsp_owner, cycles, vsp_switch, nic);
}

/* --- The switch delivers to the VM ---------------------------------------------- */

struct rx_job {
    struct synth_queue *nic;
    bool signal;
    cpu_step_fn *done;
    void *done_arg;
    struct rx_job *next_free;
};

static void
sink_done(struct cpu_exec *x, void *arg)
{
    struct rx_job *j = arg;
    cpu_step_fn *done = j->done;
    void *done_arg = j->done_arg;

    j->next_free = j->nic->free_jobs;
    j->nic->free_jobs = j;
    done(x, done_arg);
}

static void
sink_signal(struct cpu_exec *x, void *arg)
{
    struct rx_job *j = arg;
    struct synth_queue *nic = j->nic;

    if (j->signal) {
        metric_add(nic->m_sig_guest, 1);
        hv_root_signal_guest(nic->bus->hv, x, nic->cfg.vm, nic->cfg.guest_vp,
                             SYNTH_SINT, nic->relid, sink_done, j);
        return;
    }
    sink_done(x, j);
}

static void
queue_deliver(void *ctx, struct cpu_exec *x, struct vsw_pkt **pkts, size_t n,
             cpu_step_fn *done, void *done_arg)
{
    struct synth_queue *nic = ctx;
    const struct netvsc_vsp_stats *st = netvsc_vsp_stats(nic->vsp);
    uint64_t copied = st->rx_copy_bytes;
    struct rx_job *j = nic->free_jobs;
    uint64_t cycles;

    if (j) {
        nic->free_jobs = j->next_free;
    } else {
        struct rx_job **v = realloc(nic->jobs, (nic->n_jobs + 1) * sizeof *v);
        if (!v || !(j = malloc(sizeof *j))) {
            sim_out_of_memory("synthetic NIC");
        }
        nic->jobs = v;
        nic->jobs[nic->n_jobs++] = j;
    }
    nic->pkts_written = 0;
    nic->sig_guest = false;
    for (size_t i = 0; i < n; i++) {
        if (netvsc_vsp_receive(nic->vsp, pkts[i])) {
            metric_add(nic->m_rx_dropped, 1);
        }
        vsw_pkt_free(pkts[i]);
    }
    (void)netvsc_vsp_flush(nic->vsp);
    update_occupancy(nic);
    *j = (struct rx_job){ nic, nic->sig_guest, done, done_arg, NULL };
    cycles = nic->cfg.costs.vsp_rx_frame_cycles * n
             + nic->cfg.costs.packet_cycles * nic->pkts_written
             + copy_cycles(nic, st->rx_copy_bytes - copied);
    cpu_charge(x, nic->vsp_owner, cycles, sink_signal, j);
}

/* --- Building -------------------------------------------------------------------- */

static int
resolve_gpadl(void *ctx, uint32_t gpadl, uint64_t *gpa, uint64_t *size)
{
    struct synth_queue *nic = ctx;
    struct netvsc_vsc_info info;

    netvsc_vsc_get_info(nic->vsc, &info);
    if (gpadl == info.recv_gpadl) {
        *gpa = info.recv_buf_gpa;
        *size = info.recv_buf_size;
        return 0;
    }
    if (gpadl == info.send_gpadl) {
        *gpa = info.send_buf_gpa;
        *size = info.send_buf_size;
        return 0;
    }
    return ENOENT;
}

static void synth_nic_free(struct synth_nic *nic);

static void
nic_free(struct synth_queue *nic)
{
    if (!nic) {
        return;
    }
    netvsc_vsc_destroy(nic->vsc);
    netvsc_vsp_destroy(nic->vsp);
    if (nic->owns_channel) {
        vmbus_channel_destroy(nic->ch);     /* and its subchannels */
    }
    pktvec_free(&nic->rx, 0);
    pktvec_free(&nic->tx, 0);
    for (size_t i = 0; i < nic->n_jobs; i++) {
        free(nic->jobs[i]);
    }
    free(nic->jobs);
    free(nic->name);
    free(nic);
}

int
synth_bus_create(struct hv *hv, uint8_t root_vector, uint8_t guest_vector,
                 struct synth_bus **out)
{
    struct synth_bus *bus;
    int err;

    *out = NULL;
    if (!hv || guest_vector < 32) {
        return EINVAL;
    }
    bus = calloc(1, sizeof *bus);
    if (!bus || !(bus->pkt_buf = malloc(SYNTH_PKT_BUF))) {
        free(bus);
        return ENOMEM;
    }
    bus->hv = hv;
    bus->root_vector = root_vector;
    bus->guest_vector = guest_vector;
    bus->root_owner = cpu_owner(hv_cpu(hv), "vmbus");
    err = hv_root_set_sint(hv, SYNTH_SINT, root_vector, bus->root_owner,
                           root_isr, bus);
    if (err) {
        synth_bus_destroy(bus);
        return err;
    }
    *out = bus;
    return 0;
}

void
synth_bus_destroy(struct synth_bus *bus)
{
    if (!bus) {
        return;
    }
    /* Subchannels first: a primary's channel takes its subchannels. */
    for (uint32_t i = bus->n_nics; i-- > 0;) {
        nic_free(bus->by_relid[i]);
    }
    free(bus->by_relid);
    for (uint32_t i = 0; i < bus->n_parents; i++) {
        synth_nic_free(bus->nics[i]);
    }
    free(bus->nics);
    for (uint32_t i = 0; i < bus->n_vms; i++) {
        free(bus->vms[i]);
    }
    free(bus->vms);
    free(bus->pkt_buf);
    free(bus);
}

/* The bus's record of 'vm', made (and the guest's VMBus SINT and ISR set
 * up) the first time. */
static struct vm_entry *
vm_entry(struct synth_bus *bus, struct hv_vm *vm)
{
    struct vm_entry *ve, **v;

    for (uint32_t i = 0; i < bus->n_vms; i++) {
        if (bus->vms[i]->vm == vm) {
            return bus->vms[i];
        }
    }
    v = realloc(bus->vms, (bus->n_vms + 1) * sizeof *v);
    if (!v) {
        return NULL;
    }
    bus->vms = v;
    if (!(ve = calloc(1, sizeof *ve))) {
        return NULL;
    }
    ve->bus = bus;
    ve->vm = vm;
    ve->owner = hv_vm_owner(vm, "netvsc");
    (void)vmbus_monitor_init(&ve->mon, 0);
    for (uint32_t i = 0; i < hv_vm_vp_count(vm); i++) {
        if (synic_configure_sint(hv_vp_synic(hv_vm_vp(vm, i)), SYNTH_SINT,
                                 bus->guest_vector, false, false)) {
            free(ve);
            return NULL;
        }
    }
    if (hv_vm_set_isr(vm, bus->guest_vector, ve->owner, guest_isr, ve)) {
        free(ve);
        return NULL;
    }
    bus->vms[bus->n_vms++] = ve;
    return ve;
}

/* Moves packets between the two ends until both rings are empty (the
 * negotiation at creation, in zero time). */
static void
pump(struct synth_queue *nic)
{
    bool sig;

    for (int round = 0; round < 1000; round++) {
        uint32_t n = drain(nic, nic->out, false, UINT32_MAX, &sig)
                     + drain(nic, nic->in, true, UINT32_MAX, &sig);
        if (!n) {
            return;
        }
    }
}

/* --- The NIC: queue choice -------------------------------------------------- */

/* The queue of a frame: the Toeplitz hash of its addresses and ports
 * through the indirection table (queue 0 for a frame without a hash). */
static uint32_t
queue_of(const struct synth_nic *nic, const struct vsw_pkt *pkt)
{
    struct rss_result r;

    if (nic->n_q == 1
        || rss_hash_frame(&nic->rss, vsw_pkt_data_const(pkt),
                          vsw_pkt_len(pkt), &r)
        || !r.hashed) {
        return 0;
    }
    return rss_indirect(&nic->itab, r.hash);
}

/* The guest stack sends: on the queue of the frame's flow (Linux picks
 * the subchannel through the host's send indirection table). */
static void
nic_xmit(void *ctx, struct cpu_exec *x, struct vsw_pkt *pkt, bool more,
         cpu_step_fn *next, void *arg)
{
    struct synth_nic *nic = ctx;

    /* xmit_more holds a batch open for the next frame of the same queue;
     * with several queues the next frame may go elsewhere, so each frame
     * is sent at once (its batch would otherwise wait). */
    queue_xmit(nic->q[queue_of(nic, pkt)], x, pkt, more && nic->n_q == 1,
               next, arg);
}

/* The switch delivers: the provider spreads the frames over the queues,
 * then each queue takes its share in turn. */
struct split_job {
    struct synth_nic *nic;
    uint32_t next_q;
    cpu_step_fn *done;
    void *done_arg;
    struct split_job *next_free;
};

static void
split_step(struct cpu_exec *x, void *arg)
{
    struct split_job *j = arg;
    struct synth_nic *nic = j->nic;

    while (j->next_q < nic->n_q && !nic->split[j->next_q].n) {
        j->next_q++;
    }
    if (j->next_q == nic->n_q) {
        cpu_step_fn *done = j->done;
        void *done_arg = j->done_arg;
        j->next_free = nic->free_jobs;
        nic->free_jobs = j;
        done(x, done_arg);
        return;
    }
    struct pktvec *f = &nic->split[j->next_q];
    size_t n = f->n;
    f->n = 0;
    /* queue_deliver() takes the frames before it charges anything. */
    queue_deliver(nic->q[j->next_q++], x, f->v, n, split_step, j);
}

static void
nic_deliver(void *ctx, struct cpu_exec *x, struct vsw_pkt **pkts, size_t n,
            cpu_step_fn *done, void *done_arg)
{
    struct synth_nic *nic = ctx;
    struct split_job *j;

    if (nic->n_q == 1) {
        queue_deliver(nic->q[0], x, pkts, n, done, done_arg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        pktvec_push(&nic->split[queue_of(nic, pkts[i])], pkts[i]);
    }
    if ((j = nic->free_jobs)) {
        nic->free_jobs = j->next_free;
    } else {
        struct split_job **v = realloc(nic->jobs,
                                       (nic->n_jobs + 1) * sizeof *v);
        if (!v || !(j = malloc(sizeof *j))) {
            sim_out_of_memory("synthetic NIC");
        }
        nic->jobs = v;
        nic->jobs[nic->n_jobs++] = j;
    }
    *j = (struct split_job){ nic, 0, done, done_arg, NULL };
    split_step(x, j);
}

/* --- Building ------------------------------------------------------------------ */

static void
synth_nic_free(struct synth_nic *nic)
{
    if (!nic) {
        return;
    }
    for (uint32_t i = 0; nic->split && i < nic->n_q; i++) {
        pktvec_free(&nic->split[i], 0);
    }
    free(nic->split);
    for (size_t i = 0; i < nic->n_jobs; i++) {
        free(nic->jobs[i]);
    }
    free(nic->jobs);
    free(nic->q);
    free(nic->name);
    free(nic);
}

/* Builds queue 'index' of 'nic': its channel (the primary, or subchannel
 * 'index' of it), both protocol ends, the negotiation.  The bus owns it. */
static int
queue_create(struct synth_nic *nic, uint32_t index)
{
    struct synth_bus *bus = nic->bus;
    const struct synth_nic_config *cfg = &nic->cfg;
    struct gmem *mem = hv_vm_memory(cfg->vm);
    uint32_t vps = hv_vm_vp_count(cfg->vm);
    uint32_t lps = cpu_lp_count(hv_cpu(bus->hv));
    struct synth_queue *q;
    char owner[128];
    int err;

    if (bus->n_nics >= 2047) {
        return ENOSPC;
    }
    q = calloc(1, sizeof *q);
    if (!q || !(q->name = strdup(nic->name))) {
        free(q);
        return ENOMEM;
    }
    q->nic = nic;
    q->index = index;
    q->bus = bus;
    q->cfg = *cfg;
    q->cfg.name = q->name;
    q->cfg.guest_vp = (cfg->guest_vp + index) % vps;
    q->cfg.host_lp = (cfg->host_lp + index) % lps;
    q->relid = bus->n_nics + 1;
    if (!(q->ve = vm_entry(bus, cfg->vm))) {
        nic_free(q);
        return ENOMEM;
    }
    q->ve->isr_cycles = cfg->costs.vsc_isr_cycles;
    if (cfg->monitor_latency_ps > 0) {
        if (q->ve->n_monitored >= VMBUS_MONITOR_IDS) {
            nic_free(q);
            return ENOSPC;
        }
        q->monitor_id = q->ve->n_monitored++;
        q->ve->by_monitor[q->monitor_id] = q;
        vmbus_monitor_set_latency(&q->ve->mon, q->monitor_id,
                                  cfg->monitor_latency_ps);
    }
    snprintf(owner, sizeof owner, "%s netvsp", hv_vm_name(cfg->vm));
    q->vsp_owner = cpu_owner(hv_cpu(bus->hv), owner);

    /* The channel: offered by the host, opened by the guest.  A vRSS
     * queue is a subchannel of queue 0's channel. */
    if (index == 0) {
        struct vmbus_offer offer = { 0 };
        offer.relid = q->relid;
        offer.monitored = cfg->monitor_latency_ps > 0;
        offer.monitor_id = (uint8_t)q->monitor_id;
        offer.if_type[0] = 0x63;    /* the synthetic NIC's class, in part */
        offer.if_instance[0] = (uint8_t)q->relid;
        err = vmbus_channel_offer(&offer, &q->ch);
        q->owns_channel = true;
    } else {
        err = vmbus_channel_offer_sub(nic->q[0]->ch, (uint16_t)index,
                                      q->relid, cfg->monitor_latency_ps > 0,
                                      (uint8_t)q->monitor_id, &q->ch);
    }
    if (err || (err = vmbus_channel_open(q->ch, mem, NULL))) {
        nic_free(q);
        return err;
    }
    q->out = vmbus_channel_outbound(q->ch);
    q->in = vmbus_channel_inbound(q->ch);

    /* Both ends of the protocol.  Each queue negotiates its own buffers
     * (real subchannels share the primary's); with several queues they
     * are smaller, so that they fit the VM's memory. */
    struct netvsc_vsc_config vc = {
        .mem = mem, .chan = &vsc_chan, .chan_ctx = q,
        .deliver = vsc_deliver, .deliver_ctx = q,
        .wake = vsc_wake, .wake_ctx = q,
    };
    if (nic->n_q > 1) {
        vc.recv_buf_size = 4u << 20;
        vc.page_slots = 16;
    }
    struct netvsc_vsp_config pc = {
        .mem = mem, .chan = &vsp_chan, .chan_ctx = q,
        .deliver = vsp_deliver, .deliver_ctx = q,
        .gpadl = resolve_gpadl, .gpadl_ctx = q,
    };
    if ((err = netvsc_vsc_create(&vc, &q->vsc))
        || (err = netvsc_vsp_create(&pc, &q->vsp))
        || (err = netvsc_vsc_start(q->vsc))) {
        nic_free(q);
        return err;
    }
    pump(q);
    if (netvsc_vsc_state(q->vsc) != NETVSC_VSC_READY
        || !netvsc_vsp_ready(q->vsp)) {
        nic_free(q);
        return EPROTO;
    }
    cpu_dpc_init(&q->napi, napi_step, q, q->ve->owner);
    cpu_dpc_init(&q->vsp_dpc, vsp_step, q, q->vsp_owner);
    {
        struct synth_queue **v = realloc(bus->by_relid,
                                         (bus->n_nics + 1) * sizeof *v);
        if (!v) {
            nic_free(q);
            return ENOMEM;
        }
        bus->by_relid = v;
        bus->by_relid[bus->n_nics++] = q;
    }
    nic->q[index] = q;
    return 0;
}

int
synth_nic_create(struct synth_bus *bus, struct metrics *reg,
                 const struct synth_nic_config *cfg, struct synth_nic **out)
{
    struct synth_nic *nic;
    struct vsw_nic_params np = { .kind = VSW_NIC_VM, .n_macs = 1 };
    struct vswh_sink sink = { nic_deliver, NULL };
    struct guest_nic gn = { nic_xmit, NULL };
    struct sim *sim;
    sim_component_id comp;
    uint32_t nq = cfg->queues ? cfg->queues : 1;
    int err;

    *out = NULL;
    if (!cfg->name || !cfg->vm || !cfg->sw || !cfg->mac || !cfg->stack
        || cfg->guest_vp >= hv_vm_vp_count(cfg->vm)
        || cfg->host_lp >= cpu_lp_count(hv_cpu(bus->hv))
        || nq > SYNTH_MAX_QUEUES) {
        return EINVAL;
    }
    nic = calloc(1, sizeof *nic);
    if (!nic || !(nic->name = strdup(cfg->name))
        || !(nic->q = calloc(nq, sizeof *nic->q))
        || !(nic->split = calloc(nq, sizeof *nic->split))) {
        synth_nic_free(nic);
        return ENOMEM;
    }
    nic->bus = bus;
    nic->cfg = *cfg;
    nic->cfg.name = nic->name;
    nic->cfg.queues = nq;
    if (!nic->cfg.budget) {
        nic->cfg.budget = NETVSC_NAPI_POLL_WEIGHT;
    }
    nic->n_q = nq;
    rss_config_init(&nic->rss);
    if (rss_indirection_fill(&nic->itab, RSS_INDIRECTION_MAX, nq)) {
        synth_nic_free(nic);
        return EINVAL;
    }
    {
        struct synth_nic **v = realloc(bus->nics,
                                       (bus->n_parents + 1) * sizeof *v);
        if (!v) {
            synth_nic_free(nic);
            return ENOMEM;
        }
        bus->nics = v;
        bus->nics[bus->n_parents++] = nic;  /* the bus frees it */
    }

    sim = cpu_sim(hv_cpu(bus->hv));
    {
        /* "vm1.nic0" registers as "nic0" under the VM's component. */
        const char *dot = strrchr(nic->name, '.');
        comp = sim_component_add(sim, hv_vm_component(cfg->vm),
                                 dot ? dot + 1 : nic->name, &err);
    }
    if (!comp) {
        return err ? err : EINVAL;
    }
    for (uint32_t i = 0; i < nq; i++) {
        if ((err = queue_create(nic, i))) {
            return err;
        }
    }

    /* The switch port, and the guest stack's NIC. */
    memcpy(np.macs[0], cfg->mac, 6);
    np.name = nic->name;
    np.caps.vlan_oob = true;
    np.caps.csum_ipv4 = true;
    np.caps.csum_ipv6 = true;
    sink.ctx = nic;
    if ((err = vswh_port_add(cfg->sw, nic->name, &np, &sink, &nic->port))) {
        return err;
    }
    gn.ctx = nic;
    guest_stack_set_nic(cfg->stack, &gn);

    struct metric *m[10];
    static const char *const names[10][3] = {
        { "tx_frames", "frames", "frames the guest sent" },
        { "rx_frames", "frames", "frames delivered to the guest stack" },
        { "tx_dropped", "frames", "frames the client dropped" },
        { "tx_stalls", "stalls", "sends held back: the queue was stopped" },
        { "rx_dropped", "frames", "frames the provider could not place" },
        { "signals_to_host", "signals", "guest-to-host signals" },
        { "signals_to_guest", "signals", "SignalEvent by the root to the guest" },
        { "polls", "polls", "guest NAPI polls" },
        { "vsp_runs", "runs", "provider DPC runs" },
        { "interrupts", "interrupts",
          "guest interrupts that found this NIC's event flag set" },
    };
    for (int i = 0; i < 10; i++) {
        m[i] = metrics_counter(reg, comp, names[i][0], names[i][1],
                               names[i][2]);
    }
    nic->m_in_occ = metrics_timeavg(reg, comp, "inbound_occupancy", "bytes",
                                    "host-to-guest rings, bytes to read", 0);
    nic->m_out_occ = metrics_timeavg(reg, comp, "outbound_occupancy",
                                     "bytes",
                                     "guest-to-host rings, bytes to read", 0);
    for (uint32_t i = 0; i < nq; i++) {
        struct synth_queue *q = nic->q[i];
        q->port = nic->port;
        q->m_tx_frames = m[0];
        q->m_rx_frames = m[1];
        q->m_tx_dropped = m[2];
        q->m_tx_stalls = m[3];
        q->m_rx_dropped = m[4];
        q->m_sig_host = m[5];
        q->m_sig_guest = m[6];
        q->m_polls = m[7];
        q->m_vsp_runs = m[8];
        q->m_interrupts = m[9];
    }
    *out = nic;
    return 0;
}

uint32_t
synth_nic_port(const struct synth_nic *nic)
{
    return nic->port;
}
