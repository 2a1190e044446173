/*
 * vswhost.c -- the switch in the loop (vswhost.h).
 *
 * A call's deliveries are kept in a struct batch: every (port, frame)
 * pair in the order the switch delivered them.  The frames handed in are
 * marked through their OOB cookie (saved and restored) with their index,
 * so a delivery of an original is recognised in O(1) and passed on
 * without a copy; a second delivery of the same frame, a flood copy or a
 * software-LSO segment is cloned, because the switch lends them only for
 * the duration of the callback.
 */
#include "config.h"

#include "models/vswhost.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/miniport.h"
#include "models/pnic.h"
#include "sim/log.h"
#include "sim/trace.h"
#include "vmswitch/packet.h"

struct port {
    struct vswh *sw;
    uint32_t id;
    char name[VSW_NAME_MAX];
    struct vswh_sink sink;
    struct trace_pcap *tap;         /* or NULL */
};

struct entry {
    struct port *port;
    struct vsw_pkt *pkt;
};

struct batch {
    struct vswh *sw;
    struct entry *v;
    size_t n, cap, pos;
    struct vsw_pkt **group;         /* the frames of one sink call */
    size_t group_cap;
    cpu_step_fn *next;
    void *arg;
    struct batch *next_free;
};

/* Frames the switch sends to the uplink: one send job per sink call, since
 * several LPs may send through it at once. */
struct send_job {
    struct vswh *sw;
    struct vsw_pkt **pkts;
    size_t n, cap, i;
    cpu_step_fn *done;
    void *done_arg;
    struct send_job *next_free;
};

struct vswh {
    struct cpu *cpu;
    struct vsw_switch *vsw;
    char name[VSW_NAME_MAX];
    struct trace *trace;            /* captures, or NULL */
    struct vswh_costs costs;
    uint32_t owner;
    struct port **ports;
    size_t n_ports;
    struct batch **pool;
    size_t n_pool;
    struct batch *free_batches;

    /* The uplink (vswh_connect_uplink), and its send jobs. */
    struct pnic *up_nic;
    struct miniport *up_mp;
    uint32_t up_port;
    struct send_job **jobs;
    size_t n_jobs;
    struct send_job *free_jobs;

    /* The call in progress (vsw_process runs synchronously). */
    struct batch *cur;
    struct vsw_pkt *const *cur_in;
    bool *claimed;
    size_t claimed_cap, cur_n;
};

static const struct vsw_nic_ops nic_ops;

uint64_t
vswh_cycles(const struct vswh_costs *c, const struct vsw_work *w)
{
    return c->batch_cycles + c->frame_cycles * w->frames_in
           + c->lookup_cycles * w->lookups + c->learn_cycles * w->learns
           + c->acl_rule_cycles * w->acl_rules
           + c->ext_call_cycles * w->ext_calls
           + c->copy_kib_cycles * w->bytes_copied / 1024
           + c->csum_kib_cycles * w->bytes_checksummed / 1024
           + c->segment_cycles * w->segments
           + c->deliver_cycles * w->deliver_calls;
}

static void *
grow(void *v, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 16;

    if (need <= *cap) {
        return v;
    }
    while (c < need) {
        c *= 2;
    }
    v = realloc(v, c * size);
    if (!v) {
        sim_out_of_memory("vmswitch host");
    }
    *cap = c;
    return v;
}

static void
capture(const struct port *p, const struct vsw_pkt *pkt)
{
    if (p->tap) {
        trace_pcap_write(p->tap, cpu_now(p->sw->cpu), vsw_pkt_data_const(pkt),
                         vsw_pkt_len(pkt));
    }
}

static void
open_tap(struct port *p)
{
    char tap[2 * VSW_NAME_MAX + 2];

    snprintf(tap, sizeof tap, "%s.%s", p->sw->name, p->name);
    p->tap = p->sw->trace ? trace_tap(p->sw->trace, tap) : NULL;
}

void
vswh_set_tap(struct vswh *sw, struct trace *t)
{
    sw->trace = t;
    for (size_t i = 0; i < sw->n_ports; i++) {
        open_tap(sw->ports[i]);
    }
}

static struct port *
port_by_id(const struct vswh *sw, uint32_t id)
{
    for (size_t i = 0; i < sw->n_ports; i++) {
        if (sw->ports[i]->id == id) {
            return sw->ports[i];
        }
    }
    return NULL;
}

/* The switch delivers to one of our ports. */
static void
on_deliver(void *owner, struct vsw_pkt *const pkts[], size_t n)
{
    struct port *p = owner;
    struct vswh *sw = p->sw;
    struct batch *b = sw->cur;

    SIM_ASSERT(b);
    b->v = grow(b->v, &b->cap, b->n + n, sizeof *b->v);
    for (size_t i = 0; i < n; i++) {
        struct vsw_pkt *pkt = pkts[i];
        uint64_t k = pkt->oob.cookie;
        if (k < sw->cur_n && sw->cur_in[k] == pkt && !sw->claimed[k]) {
            sw->claimed[k] = true;
        } else if (!(pkt = vsw_pkt_clone(pkts[i]))) {
            sim_out_of_memory("vmswitch host");
        }
        b->v[b->n++] = (struct entry){ p, pkt };
        capture(p, pkt);
    }
}

static const struct vsw_nic_ops nic_ops = { .deliver = on_deliver };

static void dispatch(struct cpu_exec *x, void *arg);

static void
batch_done(struct cpu_exec *x, struct batch *b)
{
    cpu_step_fn *next = b->next;
    void *arg = b->arg;

    b->n = 0;
    b->pos = 0;
    b->next_free = b->sw->free_batches;
    b->sw->free_batches = b;
    if (next) {
        next(x, arg);
    }
}

/* Hands the next destination's frames to its sink. */
static void
dispatch(struct cpu_exec *x, void *arg)
{
    struct batch *b = arg;
    struct port *p;
    size_t k = 0;

    while (b->pos < b->n && !b->v[b->pos].port) {
        b->pos++;               /* taken by an earlier group */
    }
    if (b->pos == b->n) {
        batch_done(x, b);
        return;
    }
    p = b->v[b->pos].port;
    b->group = grow(b->group, &b->group_cap, b->n - b->pos, sizeof *b->group);
    for (size_t i = b->pos; i < b->n; i++) {
        if (b->v[i].port == p) {
            b->group[k++] = b->v[i].pkt;
            b->v[i].port = NULL;
        }
    }
    p->sink.deliver(p->sink.ctx, x, b->group, k, dispatch, b);
}

void
vswh_process(struct vswh *sw, struct cpu_exec *x, uint32_t src_port,
             struct vsw_pkt **pkts, size_t n, cpu_step_fn *next, void *arg)
{
    struct batch *b = sw->free_batches;
    struct vsw_work work;
    uint64_t *cookies;
    uint64_t now_ns = (uint64_t)(cpu_now(sw->cpu) / 1000);
    int err;

    if (b) {
        sw->free_batches = b->next_free;
    } else {
        struct batch **v = realloc(sw->pool, (sw->n_pool + 1) * sizeof *v);
        if (!v || !(b = calloc(1, sizeof *b))) {
            sim_out_of_memory("vmswitch host");
        }
        sw->pool = v;
        sw->pool[sw->n_pool++] = b;
        b->sw = sw;
    }
    b->next = next;
    b->arg = arg;
    b->n = 0;
    b->pos = 0;

    sw->claimed = grow(sw->claimed, &sw->claimed_cap, n + 1,
                       sizeof *sw->claimed);
    cookies = malloc((n + 1) * sizeof *cookies);
    if (!cookies) {
        sim_out_of_memory("vmswitch host");
    }
    if (sw->trace) {
        struct port *src = port_by_id(sw, src_port);
        for (size_t i = 0; src && i < n; i++) {
            capture(src, pkts[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        cookies[i] = pkts[i]->oob.cookie;
        pkts[i]->oob.cookie = i;
        sw->claimed[i] = false;
    }
    sw->cur = b;
    sw->cur_in = pkts;
    sw->cur_n = n;
    err = vsw_process(sw->vsw, cpu_exec_lp(x), now_ns, src_port, pkts, n,
                      &work);
    SIM_ASSERT(err == 0);
    sw->cur = NULL;
    sw->cur_in = NULL;
    sw->cur_n = 0;
    for (size_t i = 0; i < n; i++) {
        pkts[i]->oob.cookie = cookies[i];
        if (!sw->claimed[i]) {
            vsw_pkt_free(pkts[i]);      /* dropped by the switch */
        }
    }
    free(cookies);
    cpu_charge(x, sw->owner, vswh_cycles(&sw->costs, &work), dispatch, b);
}

int
vswh_create(struct cpu *cpu, const char *name, const struct vswh_costs *costs,
            struct vswh **out)
{
    struct vsw_switch_params p = { 0 };
    struct vswh *sw;
    int err;

    *out = NULL;
    if (!cpu || !costs || !name || !*name) {
        return EINVAL;
    }
    sw = calloc(1, sizeof *sw);
    if (!sw) {
        return ENOMEM;
    }
    p.name = name;
    p.max_cpus = cpu_lp_count(cpu) < VSW_MAX_CPUS ? cpu_lp_count(cpu)
                                                  : VSW_MAX_CPUS;
    if (cpu_lp_count(cpu) > VSW_MAX_CPUS) {
        free(sw);
        return EINVAL;
    }
    if ((err = vsw_switch_create(&p, &sw->vsw))) {
        free(sw);
        return err;
    }
    sw->cpu = cpu;
    sw->costs = *costs;
    snprintf(sw->name, sizeof sw->name, "%s", name);
    sw->owner = cpu_owner(cpu, "vmswitch");
    *out = sw;
    return 0;
}

void
vswh_destroy(struct vswh *sw)
{
    if (!sw) {
        return;
    }
    vsw_switch_destroy(sw->vsw);
    for (size_t i = 0; i < sw->n_pool; i++) {
        struct batch *b = sw->pool[i];
        /* A run cut short may leave frames waiting for their sink. */
        for (size_t j = b->pos; j < b->n; j++) {
            if (b->v[j].port) {
                vsw_pkt_free(b->v[j].pkt);
            }
        }
        free(b->v);
        free(b->group);
        free(b);
    }
    free(sw->pool);
    for (size_t i = 0; i < sw->n_jobs; i++) {
        struct send_job *j = sw->jobs[i];
        for (size_t k = j->i; k < j->n; k++) {
            vsw_pkt_free(j->pkts[k]);
        }
        free(j->pkts);
        free(j);
    }
    free(sw->jobs);
    for (size_t i = 0; i < sw->n_ports; i++) {
        free(sw->ports[i]);
    }
    free(sw->ports);
    free(sw->claimed);
    free(sw);
}

struct vsw_switch *
vswh_switch(const struct vswh *sw)
{
    return sw->vsw;
}

int
vswh_port_add(struct vswh *sw, const char *port_name,
              const struct vsw_nic_params *nic, const struct vswh_sink *sink,
              uint32_t *port_id)
{
    struct vsw_ctl_port_create pc = { .name = port_name };
    struct vsw_ctl_nic_create nc;
    struct vsw_ctl_port cp;
    struct port *p, **v;
    int err;

    if (!sink || !sink->deliver) {
        return EINVAL;
    }
    p = calloc(1, sizeof *p);
    v = realloc(sw->ports, (sw->n_ports + 1) * sizeof *v);
    if (v) {
        sw->ports = v;
    }
    if (!p || !v) {
        free(p);
        return ENOMEM;
    }
    if ((err = vsw_ctl(sw->vsw, VSW_CTL_PORT_CREATE, &pc))) {
        free(p);
        return err;
    }
    nc.port_id = pc.port_id;
    nc.nic = *nic;
    nc.nic.ops = &nic_ops;
    nc.nic.owner = p;
    cp.port_id = pc.port_id;
    if ((err = vsw_ctl(sw->vsw, VSW_CTL_NIC_CREATE, &nc))
        || (err = vsw_ctl(sw->vsw, VSW_CTL_NIC_CONNECT, &cp))) {
        free(p);
        return err;
    }
    p->sw = sw;
    p->id = pc.port_id;
    p->sink = *sink;
    snprintf(p->name, sizeof p->name, "%s", port_name ? port_name : "port");
    open_tap(p);
    sw->ports[sw->n_ports++] = p;
    *port_id = pc.port_id;
    return 0;
}

/* --- The uplink ------------------------------------------------------------ */

static void
uplink_send_next(struct cpu_exec *x, void *arg)
{
    struct send_job *j = arg;
    struct vswh *sw = j->sw;

    if (j->i == j->n) {
        cpu_step_fn *done = j->done;
        void *done_arg = j->done_arg;
        j->n = j->i = 0;
        j->next_free = sw->free_jobs;
        sw->free_jobs = j;
        done(x, done_arg);
        return;
    }
    uint32_t q = cpu_exec_lp(x) % pnic_queue_count(sw->up_nic);
    struct vsw_pkt *pkt = j->pkts[j->i++];
    miniport_send(sw->up_mp, x, q, pkt, uplink_send_next, j);
}

static void
uplink_deliver(void *ctx, struct cpu_exec *x, struct vsw_pkt **pkts,
               size_t n, cpu_step_fn *done, void *done_arg)
{
    struct vswh *sw = ctx;
    struct send_job *j = sw->free_jobs;

    if (j) {
        sw->free_jobs = j->next_free;
    } else {
        struct send_job **v = realloc(sw->jobs, (sw->n_jobs + 1) * sizeof *v);
        if (!v || !(j = calloc(1, sizeof *j))) {
            sim_out_of_memory("vmswitch host");
        }
        sw->jobs = v;
        sw->jobs[sw->n_jobs++] = j;
        j->sw = sw;
    }
    if (j->cap < n) {
        struct vsw_pkt **p = realloc(j->pkts, n * sizeof *p);
        if (!p) {
            sim_out_of_memory("vmswitch host");
        }
        j->pkts = p;
        j->cap = n;
    }
    memcpy(j->pkts, pkts, n * sizeof *pkts);
    j->n = n;
    j->i = 0;
    j->done = done;
    j->done_arg = done_arg;
    uplink_send_next(x, j);
}

/* The driver indicates received frames to the switch. */
static void
uplink_indicate(void *ctx, struct cpu_exec *x, uint32_t q,
                struct vsw_pkt **pkts, size_t n, cpu_step_fn *done,
                void *done_arg)
{
    struct vswh *sw = ctx;

    (void)q;
    vswh_process(sw, x, sw->up_port, pkts, n, done, done_arg);
}

int
vswh_connect_uplink(struct vswh *sw, struct pnic *nic, struct miniport *mp,
                    const char *name, uint32_t *port)
{
    struct vsw_nic_params p = { .kind = VSW_NIC_PHYSICAL };
    struct vswh_sink sink = { uplink_deliver, sw };
    struct miniport_upper up = { uplink_indicate, sw };
    int err;

    if (sw->up_nic) {
        return EBUSY;
    }
    p.name = name;
    p.caps.csum_ipv4 = true;
    p.caps.csum_ipv6 = true;
    p.caps.lso_v1_max_bytes = 65536;
    p.caps.lso_v2_max_bytes = 65536;
    p.caps.vlan_oob = true;
    if ((err = vswh_port_add(sw, "external", &p, &sink, &sw->up_port))) {
        return err;
    }
    sw->up_nic = nic;
    sw->up_mp = mp;
    miniport_set_upper(mp, &up);
    *port = sw->up_port;
    return 0;
}
