/*
 * pipeline.c -- the data path of the switch: vsw_process() and the
 * extension helpers.  It reads one configuration snapshot per batch (see
 * vswitch-private.h), applies the 802.1Q policy of vlan.c, and composes
 * the parser (parse.h), the forwarding database (fdb.h), ACLs (acl.h),
 * token buckets (qos.h) and software offloads (offload.h).
 *
 * THE STAGES, per frame, each of which either passes the frame on or
 * drops it with a named reason (drop()):
 *
 *   ingress (source-port policies; drops counted on the source port)
 *     1. accept     source port exists and its NIC is connected; the
 *                   frame parses; its source address is a unicast one
 *     2. vlan       a tag in the bytes moves out of band; the port's mode
 *                   classifies the frame into a VLAN or drops it
 *     3. guards     MAC spoofing, DHCP server, router advertisement
 *     4. acl        the port's ingress ACL
 *     5. rate       the port's ingress token bucket
 *     6. extensions capture and filter extensions, ascending order
 *   forwarding
 *     7. learn      (source MAC, learning VLAN) -> source port
 *     8. look up    a configured address of a VM, legacy or host NIC on
 *                   the frame's VLAN, else a learned station: one
 *                   destination (its own port: dropped, never
 *                   reflected); group or unknown: flood to every other
 *                   connected member of the VLAN
 *     9. extensions forwarding extensions add or exclude destinations
 *    10. mirror     mirror ports of the source and of each destination
 *   egress (per destination; drops counted on the destination port)
 *    11. policies   link, VLAN membership and tag, egress ACL, QoS
 *                   maximum bandwidth, egress extensions (descending
 *                   order), software checksum and LSO for what the NIC
 *                   cannot do
 *    12. deliver    batched per destination NIC, in order
 *
 * COPIES.  The caller's frame goes to the last destination; every other
 * destination gets a clone taken before any egress change, so egress
 * policies of one destination never leak into another's copy.
 */
#include <config.h>
#include "vmswitch/vswitch.h"

#include <errno.h>
#include <string.h>

#include "vmswitch/alloc.h"
#include "vmswitch/offload.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/vswitch-private.h"

/* Frames waiting for delivery before a flush. */
#define OUTQ_MAX 256
/* Frames extensions may inject per vsw_process() call. */
#define INJECT_MAX 32
/* Destinations held on the stack; more are allocated. */
#define DESTS_STACK 64

struct outq_entry {
    const struct vsw_port *port;
    struct vsw_pkt *pkt;
    bool owned;            /* the switch frees it after delivery */
};

struct inject_entry {
    struct vsw_pkt *pkt;
    uint32_t src_port;
    size_t ext_start;      /* first ingress extension it meets */
};

/* One destination of a frame. */
struct dest {
    const struct vsw_port *port;
    bool mirror;           /* a mirror copy: bypasses VLAN, ACL, QoS */
};

/* The state of one vsw_process() call. */
struct call {
    struct vsw_switch *sw;
    const struct vsw_cfg *cfg;
    unsigned cpu;
    uint64_t now;
    struct vsw_work *w;
    struct switch_pcpu *swc;
    bool fdb_read;         /* this call holds the FDB read lock */

    size_t n_out;
    struct outq_entry out[OUTQ_MAX];

    size_t n_inj;
    struct inject_entry inj[INJECT_MAX];
};

/* One frame through the stages. */
struct frame {
    struct call *c;
    const struct vsw_port *src;
    struct vsw_pkt *pkt;
    bool owned;
    size_t ext_start;

    struct vsw_parse_result pr;    /* the parse of the untagged frame */
    uint16_t vlan;                 /* classified VLAN */
    uint16_t fid;                  /* its learning VLAN */
    uint8_t pcp;
    uint8_t dst_mac[6], src_mac[6];

    struct dest *dests;
    size_t n_dests, cap_dests;
    bool dests_changed_by_ext;
    struct dest dest_stack[DESTS_STACK];
};

/* What vsw_ext_frame.internal_ points to. */
struct ext_ctx {
    struct frame *f;
    size_t ext_index;
    enum vsw_ext_kind kind;
    bool forwarding_stage;
};

/* ------------------------------------------------------------------ */
/* Counting. */

static struct port_pcpu *
port_ctr(const struct call *c, const struct vsw_port *p)
{
    return &p->rt->pcpu[c->cpu];
}

/* Drops one copy of a frame for 'reason', counting it on the switch and
 * on 'port' (may be NULL). */
static void
count_drop(struct call *c, const struct vsw_port *port,
           enum vsw_drop_reason reason)
{
    ctr_add(&c->swc->drops, 1);
    ctr_add(&c->swc->drop[reason], 1);
    if (port) {
        struct port_pcpu *pc = port_ctr(c, port);
        ctr_add(&pc->drops, 1);
        ctr_add(&pc->drop[reason], 1);
    }
    c->w->frames_dropped++;
}

static void
free_if_owned(struct vsw_pkt *pkt, bool owned)
{
    if (owned) {
        vsw_pkt_free(pkt);
    }
}

/* The FDB read lock is taken at the first lookup of a batch and kept
 * until the batch needs the write lock, delivers frames (a NIC callback
 * may call vsw_ctl()) or ends: one lock round trip per batch, not per
 * frame, on the known-unicast path. */
static void
fdb_read_begin(struct call *c)
{
    if (!c->fdb_read) {
        pthread_rwlock_rdlock(&c->sw->fdb_lock);
        c->fdb_read = true;
    }
}

static void
fdb_read_end(struct call *c)
{
    if (c->fdb_read) {
        pthread_rwlock_unlock(&c->sw->fdb_lock);
        c->fdb_read = false;
    }
}

/* ------------------------------------------------------------------ */
/* Delivery. */

/* Delivers every queued frame, one NIC call per destination port with its
 * frames in queue order; destinations in order of first appearance. */
static void
flush_out(struct call *c)
{
    struct vsw_pkt *batch[OUTQ_MAX];
    bool done[OUTQ_MAX];

    fdb_read_end(c);
    memset(done, 0, c->n_out * sizeof done[0]);
    for (size_t i = 0; i < c->n_out; i++) {
        const struct vsw_port *p = c->out[i].port;
        struct nic_pcpu *nc = &p->nic_rt->pcpu[c->cpu];
        struct port_pcpu *pc = port_ctr(c, p);
        size_t n = 0;

        if (done[i]) {
            continue;
        }
        for (size_t j = i; j < c->n_out; j++) {
            if (!done[j] && c->out[j].port == p) {
                uint64_t len = vsw_pkt_len(c->out[j].pkt);
                batch[n++] = c->out[j].pkt;
                done[j] = true;
                ctr_add(&pc->tx_frames, 1);
                ctr_add(&pc->tx_bytes, len);
                ctr_add(&nc->tx_frames, 1);
                ctr_add(&nc->tx_bytes, len);
                ctr_add(&c->swc->frames_out, 1);
                ctr_add(&c->swc->bytes_out, len);
            }
        }
        ctr_add(&nc->deliver_calls, 1);
        c->w->deliver_calls++;
        c->w->frames_delivered += n;
        p->nic.ops->deliver(p->nic.owner, batch, n);
    }
    for (size_t i = 0; i < c->n_out; i++) {
        free_if_owned(c->out[i].pkt, c->out[i].owned);
    }
    c->n_out = 0;
}

static void
enqueue(struct call *c, const struct vsw_port *port, struct vsw_pkt *pkt,
        bool owned)
{
    if (c->n_out == OUTQ_MAX) {
        flush_out(c);
    }
    c->out[c->n_out++] = (struct outq_entry) { port, pkt, owned };
}

/* ------------------------------------------------------------------ */
/* Helpers. */

static bool
mac_is_group(const uint8_t mac[6])
{
    return mac[0] & 1;
}

static bool
mac_is_zero(const uint8_t mac[6])
{
    static const uint8_t zero[6];
    return !memcmp(mac, zero, 6);
}

static bool
port_connected(const struct vsw_port *p)
{
    return p && p->nic_state == VSW_NIC_CONNECTED;
}

static void
fill_acl_input(const struct frame *f, struct vsw_acl_match_input *in)
{
    vsw_parse_acl_input(&f->pr, in);
    in->vlan = f->vlan;
}

/* Evaluates the ACL of 'p' in direction 'dir'; true if allowed. */
static bool
acl_allows(struct frame *f, const struct vsw_port *p, enum vsw_acl_dir dir)
{
    const struct acl_box *box = p->acl[dir];
    struct vsw_acl_match_input in;
    struct vsw_acl_result res;

    if (!box || !vsw_acl_size(box->acl)) {
        return vsw_acl_default(box ? box->acl : NULL) == VSW_ACL_ALLOW;
    }
    fill_acl_input(f, &in);
    vsw_acl_eval(box->acl, &in, box->hits + (size_t) f->c->cpu * box->stride,
                 &res);
    f->c->w->acl_rules += res.rules_evaluated;
    return res.verdict == VSW_ACL_ALLOW;
}

static int
dest_add(struct frame *f, const struct vsw_port *p, bool mirror)
{
    for (size_t i = 0; i < f->n_dests; i++) {
        if (f->dests[i].port == p) {
            return EEXIST;
        }
    }
    if (f->n_dests == f->cap_dests) {
        size_t cap = f->cap_dests * 2;
        struct dest *d = vsw_calloc(cap, sizeof *d);
        if (!d) {
            return ENOMEM;
        }
        memcpy(d, f->dests, f->n_dests * sizeof *d);
        if (f->dests != f->dest_stack) {
            vsw_free(f->dests);
        }
        f->dests = d;
        f->cap_dests = cap;
    }
    f->dests[f->n_dests++] = (struct dest) { p, mirror };
    return 0;
}

static bool
dest_remove(struct frame *f, const struct vsw_port *p)
{
    for (size_t i = 0; i < f->n_dests; i++) {
        if (f->dests[i].port == p) {
            memmove(&f->dests[i], &f->dests[i + 1],
                    (f->n_dests - i - 1) * sizeof f->dests[0]);
            f->n_dests--;
            return true;
        }
    }
    return false;
}

/* Calls extension 'i' of the snapshot for frame 'f'; returns its verdict
 * as the pipeline must honour it (capture extensions always pass). */
static enum vsw_ext_verdict
call_ext(struct frame *f, size_t i, enum vsw_ext_dir dir, uint32_t dst_port,
         struct vsw_pkt *pkt, bool forwarding_stage)
{
    const struct vsw_ext *e = &f->c->cfg->ext[i];
    vsw_ext_fn *fn = dir == VSW_EXT_INGRESS ? e->ops->ingress : e->ops->egress;
    struct ext_ctx x = { f, i, e->kind, forwarding_stage };
    struct vsw_ext_frame ef = {
        .dir = dir, .src_port = f->src->id, .dst_port = dst_port,
        .vlan = f->vlan, .cpu = f->c->cpu, .now_ns = f->c->now,
        .pkt = pkt, .internal_ = &x,
    };
    enum vsw_ext_verdict v;

    if (!fn) {
        return VSW_EXT_PASS;
    }
    f->c->w->ext_calls++;
    v = fn(e->ctx, &ef);
    return e->kind == VSW_EXT_CAPTURE ? VSW_EXT_PASS : v;
}

/* ------------------------------------------------------------------ */
/* Ingress: stages 1-6. */

/* Stage 2, first half: moves an 802.1Q tag from the bytes to the
 * out-of-band metadata.  Returns the drop reason, or VSW_DROP_NONE. */
static enum vsw_drop_reason
strip_tag(struct frame *f)
{
    struct vsw_pkt *pkt = f->pkt;
    const uint8_t *d = vsw_pkt_data_const(pkt);
    size_t len = vsw_pkt_len(pkt);
    uint16_t tpid;

    if (len < 14) {
        return VSW_DROP_MALFORMED;
    }
    tpid = (uint16_t) (d[12] << 8 | d[13]);
    if (tpid == 0x88a8 || tpid == 0x9100) {
        return VSW_DROP_STAG;
    }
    if (tpid == 0x8100) {
        if (pkt->oob.vlan_present) {
            return VSW_DROP_STAG;      /* tagged out of band and in band */
        }
        if (vsw_pkt_strip_vlan(pkt)) {
            return VSW_DROP_MALFORMED;
        }
        d = vsw_pkt_data_const(pkt);
        tpid = (uint16_t) (d[12] << 8 | d[13]);
        if (tpid == 0x8100 || tpid == 0x88a8 || tpid == 0x9100) {
            return VSW_DROP_STAG;      /* stacked tags are not switched */
        }
    }
    return VSW_DROP_NONE;
}

static bool
src_mac_allowed(const struct vsw_port *p, const uint8_t mac[6])
{
    for (unsigned i = 0; i < p->nic.n_macs; i++) {
        if (!memcmp(p->nic.macs[i], mac, 6)) {
            return true;
        }
    }
    return false;
}

static enum vsw_drop_reason
ingress(struct frame *f)
{
    struct call *c = f->c;
    const struct vsw_port *src = f->src;
    enum vsw_drop_reason r;
    bool tagged;

    /* 1. Accept. */
    if (!port_connected(src)) {
        return VSW_DROP_LINK_DOWN;
    }

    /* 2. VLAN: strip, parse, classify. */
    r = strip_tag(f);
    if (r) {
        return r;
    }
    c->w->frames_parsed++;
    if (vsw_parse(f->pkt, &f->pr)) {
        return VSW_DROP_MALFORMED;
    }
    memcpy(f->dst_mac, vsw_pkt_data_const(f->pkt), 6);
    memcpy(f->src_mac, vsw_pkt_data_const(f->pkt) + 6, 6);
    if (mac_is_group(f->src_mac) || mac_is_zero(f->src_mac)) {
        return VSW_DROP_BAD_SOURCE_MAC;
    }
    tagged = f->pkt->oob.vlan_present && f->pkt->oob.vlan_id != 0;
    f->pcp = f->pkt->oob.vlan_present ? f->pkt->oob.priority : 0;
    r = vsw_vlan_ingress(&src->vlan, tagged, f->pkt->oob.vlan_id, &f->vlan);
    if (r) {
        return r;
    }
    f->fid = c->cfg->fid[f->vlan];
    /* Inside the switch the tag is out of band and says the VLAN. */
    f->pkt->oob.vlan_present = f->vlan != 0 || f->pcp != 0;
    f->pkt->oob.vlan_id = f->vlan;
    f->pkt->oob.priority = f->pcp;

    /* 3. Guards. */
    if (src->guards.mac_spoof && !src_mac_allowed(src, f->src_mac)) {
        return VSW_DROP_MAC_SPOOF;
    }
    if (src->guards.dhcp && vsw_parse_is_dhcp_server(&f->pr)) {
        return VSW_DROP_DHCP_GUARD;
    }
    if (src->guards.router && vsw_parse_is_router_msg(&f->pr)) {
        return VSW_DROP_ROUTER_GUARD;
    }

    /* 4. Ingress ACL. */
    if (!acl_allows(f, src, VSW_ACL_IN)) {
        return VSW_DROP_ACL_INGRESS;
    }

    /* 5. Ingress rate limit. */
    if (src->qos.ingress_bps) {
        bool ok;
        pthread_mutex_lock(&src->rt->qos_lock);
        ok = vsw_qos_bucket_admit(&src->rt->in_bucket, vsw_pkt_len(f->pkt),
                                  c->now);
        pthread_mutex_unlock(&src->rt->qos_lock);
        if (!ok) {
            return VSW_DROP_RATE_LIMIT;
        }
    }

    /* 6. Capture and filter extensions, in ascending order. */
    for (size_t i = f->ext_start; i < c->cfg->n_ext; i++) {
        if (c->cfg->ext[i].kind != VSW_EXT_FORWARD
            && call_ext(f, i, VSW_EXT_INGRESS, 0, f->pkt, false)
               == VSW_EXT_DROP) {
            return VSW_DROP_EXT_INGRESS;
        }
    }
    return VSW_DROP_NONE;
}

/* ------------------------------------------------------------------ */
/* Forwarding: stages 7-10. */

/* 7 and 8, the table part: learns the source and looks up the
 * destination.  Stores in '*dst_port' the destination's port and returns
 * true if it is a known unicast station; sets '*r' to a drop reason or
 * VSW_DROP_NONE.
 *
 * HOW IT WORKS.  Under the batch's read lock (fdb_read_begin()), both
 * probes run:
 * vsw_fdb_learn_needed() says whether learning would write, which for an
 * established station it does not (refreshes are skipped for 1/256 of the
 * aging time), a lookup of the source confirms it is bound to this port,
 * and the destination is looked up.  Only a new station, a move, a due
 * refresh or a refusal (to learn its exact reason) takes the write lock. */
static bool
learn_and_lookup(struct frame *f, uint32_t *dst_port, enum vsw_drop_reason *r)
{
    struct call *c = f->c;
    struct vsw_switch *sw = c->sw;
    enum vsw_fdb_learn_result lr;
    bool known_here, found = false;
    uint32_t port;

    *r = VSW_DROP_NONE;
    fdb_read_begin(c);
    known_here = !vsw_fdb_learn_needed(sw->fdb, f->src_mac, f->fid,
                                       f->src->id, c->now)
                 && vsw_fdb_lookup(sw->fdb, f->src_mac, f->fid, c->now, &port)
                 && port == f->src->id;
    if (!mac_is_group(f->dst_mac)) {
        found = vsw_fdb_lookup(sw->fdb, f->dst_mac, f->fid, c->now, dst_port);
        c->w->lookups++;
    }
    c->w->lookups++;
    if (known_here) {
        return found;
    }

    fdb_read_end(c);
    pthread_rwlock_wrlock(&sw->fdb_lock);
    lr = vsw_fdb_learn(sw->fdb, f->src_mac, f->fid, f->src->id, c->now);
    pthread_rwlock_unlock(&sw->fdb_lock);
    switch (lr) {
    case VSW_FDB_NEW:
        c->w->learns++;
        ctr_add(&c->swc->learned, 1);
        break;
    case VSW_FDB_MOVED:
        c->w->learns++;
        ctr_add(&c->swc->moves, 1);
        break;
    case VSW_FDB_REFRESHED:
        c->w->learns++;
        break;
    case VSW_FDB_STATIC:
    case VSW_FDB_FULL:                 /* forwarded, just not learned */
        break;
    case VSW_FDB_DENIED_STATIC:
        *r = VSW_DROP_LEARN_DENIED;
        break;
    case VSW_FDB_DENIED_LIMIT:
        *r = VSW_DROP_MAC_LIMIT;
        break;
    case VSW_FDB_DENIED_INVALID:
        *r = VSW_DROP_BAD_SOURCE_MAC;
        break;
    }
    return found;
}

/* 8, the configured part: a unicast destination that is the configured
 * address of a NIC on a port that is a member of the frame's VLAN goes to
 * that port, whatever the forwarding database says -- the switch knows
 * its VM and host NICs' addresses, so their traffic is never flooded and
 * a learned entry cannot steal it.  Stores the port in '*dst_port'. */
static bool
nic_address(struct frame *f, uint32_t *dst_port)
{
    uint32_t id = vsw_cfg_nic_addr(f->c->cfg, f->dst_mac);
    const struct vsw_port *p;
    bool tagged;

    f->c->w->lookups++;
    if (!id) {
        return false;
    }
    p = vsw_cfg_port(f->c->cfg, id);
    if (!p || !vsw_vlan_egress(&p->vlan, f->vlan, &tagged)) {
        return false;
    }
    *dst_port = id;
    return true;
}

/* 8. Chooses the destinations: the known station's port, or a flood. */
static enum vsw_drop_reason
lookup(struct frame *f, bool found, uint32_t port)
{
    struct call *c = f->c;
    const struct vsw_cfg *cfg = c->cfg;

    if (found) {
        const struct vsw_port *p;

        if (port == f->src->id) {
            return VSW_DROP_OWN_PORT;
        }
        p = vsw_cfg_port(cfg, port);
        if (port_connected(p)) {
            /* Membership is checked, and a drop named, at egress. */
            return dest_add(f, p, false) == ENOMEM ? VSW_DROP_NOMEM
                                                   : VSW_DROP_NONE;
        }
        /* A stale entry (port gone or link down): flood. */
    }

    /* Flood within the VLAN, never back to the ingress port. */
    ctr_add(&port_ctr(c, f->src)->flooded, 1);
    ctr_add(&c->swc->flooded, 1);
    for (size_t i = 0; i < cfg->n_ports; i++) {
        const struct vsw_port *p = &cfg->ports[i];
        bool tagged;

        if (p != f->src && port_connected(p)
            && vsw_vlan_egress(&p->vlan, f->vlan, &tagged)
            && dest_add(f, p, false) == ENOMEM) {
            return VSW_DROP_NOMEM;
        }
    }
    return VSW_DROP_NONE;
}

static enum vsw_drop_reason
forward(struct frame *f)
{
    struct call *c = f->c;
    const struct vsw_cfg *cfg = c->cfg;
    enum vsw_drop_reason r;
    uint32_t dst_port = 0;
    size_t n_before;
    bool found;

    /* 7. Learn, and 8. look up or flood. */
    found = learn_and_lookup(f, &dst_port, &r);
    if (r) {
        return r;
    }
    if (!mac_is_group(f->dst_mac)) {
        found = nic_address(f, &dst_port) || found;
    }
    r = lookup(f, found, dst_port);
    if (r) {
        return r;
    }
    n_before = f->n_dests;

    /* 9. Forwarding extensions choose or exclude destinations. */
    for (size_t i = f->ext_start; i < cfg->n_ext; i++) {
        if (cfg->ext[i].kind == VSW_EXT_FORWARD
            && call_ext(f, i, VSW_EXT_INGRESS, 0, f->pkt, true)
               == VSW_EXT_DROP) {
            return VSW_DROP_EXT_FORWARD;
        }
    }
    if (!f->n_dests) {
        return n_before || f->dests_changed_by_ext ? VSW_DROP_EXT_FORWARD
                                                   : VSW_DROP_NO_DESTINATION;
    }

    /* 10. Mirrors: of the source (ingress) and of each destination
     * (egress). */
    if (f->src->mirror.dest && f->src->mirror.ingress) {
        const struct vsw_port *m = vsw_cfg_port(cfg, f->src->mirror.dest);
        if (m && m != f->src && dest_add(f, m, true) == ENOMEM) {
            return VSW_DROP_NOMEM;
        }
    }
    for (size_t i = 0, n = f->n_dests; i < n; i++) {
        const struct vsw_port *d = f->dests[i].port;
        if (!f->dests[i].mirror && d->mirror.dest && d->mirror.egress) {
            const struct vsw_port *m = vsw_cfg_port(cfg, d->mirror.dest);
            if (m && m != f->src && dest_add(f, m, true) == ENOMEM) {
                return VSW_DROP_NOMEM;
            }
        }
    }
    return VSW_DROP_NONE;
}

/* ------------------------------------------------------------------ */
/* Egress: stages 11-12. */

/* Puts the frame's tag where NIC 'p' wants it: out of band, or in the
 * bytes for a NIC that cannot take it out of band. */
static enum vsw_drop_reason
place_tag(struct vsw_pkt *pkt, const struct vsw_port *p, bool tagged,
          uint16_t vid, uint8_t pcp)
{
    if (p->nic.caps.vlan_oob) {
        pkt->oob.vlan_present = tagged || pcp != 0;
        pkt->oob.vlan_id = tagged ? vid : 0;
        pkt->oob.priority = pcp;
        return VSW_DROP_NONE;
    }
    pkt->oob.vlan_present = false;
    pkt->oob.vlan_id = 0;
    pkt->oob.priority = pcp;
    if (tagged) {
        int error = vsw_pkt_insert_vlan(pkt, vid, pcp);
        return error == ENOMEM ? VSW_DROP_NOMEM
               : error ? VSW_DROP_MALFORMED : VSW_DROP_NONE;
    }
    return VSW_DROP_NONE;
}

/* Software offloads the destination NIC lacks; queues the result. */
static void
offload_and_enqueue(struct frame *f, const struct vsw_port *p,
                    struct vsw_pkt *pkt, bool owned)
{
    struct call *c = f->c;
    struct vsw_offload_work ow;
    struct vsw_offload_caps caps = {
        .csum_ipv4 = p->nic.caps.csum_ipv4,
        .csum_ipv6 = p->nic.caps.csum_ipv6,
        .lso_v1_max_bytes = p->nic.caps.lso_v1_max_bytes,
        .lso_v2_max_bytes = p->nic.caps.lso_v2_max_bytes,
    };
    struct vsw_pkt *segs[VSW_OFFLOAD_MAX_SEGMENTS];
    size_t n_segs = 0;
    int error;

    memset(&ow, 0, sizeof ow);
    if (!vsw_offload_needed(pkt, &caps)) {
        enqueue(c, p, pkt, owned);
        return;
    }
    error = vsw_offload_apply(pkt, &caps, segs, VSW_OFFLOAD_MAX_SEGMENTS,
                              &n_segs, &ow);
    c->w->bytes_checksummed += ow.bytes_checksummed;
    c->w->bytes_copied += ow.bytes_copied;
    c->w->segments += ow.segments;
    if (error) {
        count_drop(c, p, error == ENOMEM ? VSW_DROP_NOMEM : VSW_DROP_OFFLOAD);
        free_if_owned(pkt, owned);
        return;
    }
    if (!n_segs) {
        enqueue(c, p, pkt, owned);     /* done in place */
        return;
    }
    for (size_t i = 0; i < n_segs; i++) {
        enqueue(c, p, segs[i], true);
    }
    free_if_owned(pkt, owned);
}

/* 11-12 for one destination copy 'pkt' ('owned' if the switch's). */
static void
egress(struct frame *f, const struct dest *d, struct vsw_pkt *pkt, bool owned)
{
    struct call *c = f->c;
    const struct vsw_port *p = d->port;
    const struct vsw_cfg *cfg = c->cfg;
    enum vsw_drop_reason r = VSW_DROP_NONE;
    bool tagged = f->vlan != 0;

    if (!port_connected(p)) {
        r = VSW_DROP_LINK_DOWN;
        goto drop;
    }
    if (!d->mirror) {
        /* VLAN membership and tag. */
        if (!vsw_vlan_egress(&p->vlan, f->vlan, &tagged)) {
            r = p->vlan.mode == VSW_VLAN_PVLAN
                    && cfg->fid[p->vlan.primary_vid] == f->fid
                ? VSW_DROP_PVLAN_ISOLATION : VSW_DROP_VLAN_EGRESS;
            goto drop;
        }
        if (!acl_allows(f, p, VSW_ACL_OUT)) {
            r = VSW_DROP_ACL_EGRESS;
            goto drop;
        }
        if (p->qos.max_bps) {
            uint64_t len = vsw_pkt_len(pkt);
            bool ok;

            pthread_mutex_lock(&p->rt->qos_lock);
            ok = p->qos.reserve_bps
                 && vsw_qos_bucket_admit(&p->rt->reserve_bucket, len, c->now);
            if (ok) {
                vsw_qos_bucket_charge(&p->rt->max_bucket, len, c->now);
            } else {
                ok = vsw_qos_bucket_admit(&p->rt->max_bucket, len, c->now);
            }
            pthread_mutex_unlock(&p->rt->qos_lock);
            if (!ok) {
                r = VSW_DROP_QOS;
                goto drop;
            }
        }
    }
    /* Egress extensions, in descending order. */
    for (size_t i = cfg->n_ext; i-- > 0;) {
        if (call_ext(f, i, VSW_EXT_EGRESS, p->id, pkt, false)
            == VSW_EXT_DROP) {
            r = VSW_DROP_EXT_EGRESS;
            goto drop;
        }
    }
    r = place_tag(pkt, p, tagged, f->vlan, f->pcp);
    if (r) {
        goto drop;
    }
    offload_and_enqueue(f, p, pkt, owned);
    return;

drop:
    count_drop(c, p, r);
    free_if_owned(pkt, owned);
}

/* ------------------------------------------------------------------ */
/* One frame. */

static void
process_frame(struct call *c, const struct vsw_port *src, struct vsw_pkt *pkt,
              bool owned, size_t ext_start)
{
    struct frame f;
    enum vsw_drop_reason r;
    uint64_t len = vsw_pkt_len(pkt);

    /* Field by field: 'pr' is written by the parser, the MACs and VLAN by
     * stage 2, and a memset of the whole struct costs more than the rest
     * of a known-unicast frame's ingress. */
    f.c = c;
    f.src = src;
    f.pkt = pkt;
    f.owned = owned;
    f.ext_start = ext_start;
    f.vlan = 0;
    f.fid = 0;
    f.pcp = 0;
    f.dests = f.dest_stack;
    f.n_dests = 0;
    f.cap_dests = DESTS_STACK;
    f.dests_changed_by_ext = false;

    c->w->frames_in++;
    ctr_add(&c->swc->frames_in, 1);
    ctr_add(&c->swc->bytes_in, len);
    if (!src) {
        count_drop(c, NULL, VSW_DROP_NO_PORT);
        free_if_owned(pkt, owned);
        return;
    }
    ctr_add(&port_ctr(c, src)->rx_frames, 1);
    ctr_add(&port_ctr(c, src)->rx_bytes, len);
    if (src->nic_rt) {
        ctr_add(&src->nic_rt->pcpu[c->cpu].rx_frames, 1);
        ctr_add(&src->nic_rt->pcpu[c->cpu].rx_bytes, len);
    }
    pkt->oob.src_port = src->id;

    r = ingress(&f);
    if (!r) {
        r = forward(&f);
    }
    if (r) {
        count_drop(c, src, r);
        free_if_owned(pkt, owned);
    } else {
        /* Clones first, from the unmodified frame; the frame itself goes
         * to the last destination. */
        for (size_t i = 0; i + 1 < f.n_dests; i++) {
            struct vsw_pkt *copy = vsw_pkt_clone(pkt);
            if (!copy) {
                count_drop(c, f.dests[i].port, VSW_DROP_NOMEM);
                continue;
            }
            c->w->bytes_copied += vsw_pkt_len(copy);
            egress(&f, &f.dests[i], copy, true);
        }
        egress(&f, &f.dests[f.n_dests - 1], pkt, owned);
    }
    if (f.dests != f.dest_stack) {
        vsw_free(f.dests);
    }
}

/* ------------------------------------------------------------------ */
/* The entry point. */

int
vsw_process(struct vsw_switch *sw, unsigned cpu, uint64_t now_ns,
            uint32_t src_port, struct vsw_pkt *const pkts[], size_t n,
            struct vsw_work *work)
{
    struct vsw_work scratch;
    struct call *c;
    struct call call_storage;
    _Atomic uint64_t *slot;
    bool nested;

    if (!sw || cpu >= sw->max_cpus || (n && !pkts)) {
        return EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!pkts[i]) {
            return EINVAL;
        }
    }
    c = &call_storage;
    c->sw = sw;
    c->cpu = cpu;
    c->now = now_ns;
    c->w = work ? work : &scratch;
    memset(c->w, 0, sizeof *c->w);
    c->swc = &sw->pcpu[cpu];
    c->n_out = 0;
    c->n_inj = 0;
    c->fdb_read = false;

    /* Enter: publish the epoch, then read the snapshot (see publish() in
     * switch.c).  A nested call (from a deliver callback) keeps the outer
     * call's slot. */
    slot = &sw->slots[cpu].epoch;
    nested = atomic_load_explicit(slot, memory_order_relaxed) != 0;
    if (!nested) {
        atomic_store(slot, atomic_load(&sw->epoch));
    }
    c->cfg = atomic_load(&sw->cfg);

    {
        const struct vsw_port *src = vsw_cfg_port(c->cfg, src_port);
        for (size_t i = 0; i < n; i++) {
            process_frame(c, src, pkts[i], false, 0);
        }
    }
    /* Frames injected by extensions, in order; they may inject more. */
    for (size_t i = 0; i < c->n_inj; i++) {
        struct inject_entry *e = &c->inj[i];
        process_frame(c, vsw_cfg_port(c->cfg, e->src_port), e->pkt, true,
                      e->ext_start);
    }
    flush_out(c);
    fdb_read_end(c);

    if (!nested) {
        atomic_store_explicit(slot, 0, memory_order_release);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Extension helpers. */

static struct ext_ctx *
ext_ctx(const struct vsw_ext_frame *ef)
{
    return ef->internal_;
}

size_t
vsw_ext_dest_count(const struct vsw_ext_frame *ef)
{
    struct ext_ctx *x = ext_ctx(ef);
    return x->forwarding_stage ? x->f->n_dests : 0;
}

uint32_t
vsw_ext_dest_get(const struct vsw_ext_frame *ef, size_t i)
{
    struct ext_ctx *x = ext_ctx(ef);
    return x->forwarding_stage && i < x->f->n_dests ? x->f->dests[i].port->id
                                                    : 0;
}

int
vsw_ext_dest_add(struct vsw_ext_frame *ef, uint32_t port)
{
    struct ext_ctx *x = ext_ctx(ef);
    const struct vsw_port *p;
    int error;

    if (x->kind != VSW_EXT_FORWARD || !x->forwarding_stage) {
        return EPERM;
    }
    p = vsw_cfg_port(x->f->c->cfg, port);
    if (!p || p == x->f->src) {
        return ENOENT;
    }
    error = dest_add(x->f, p, false);
    if (!error) {
        x->f->dests_changed_by_ext = true;
    }
    return error == ENOMEM ? ENOSPC : error;
}

int
vsw_ext_dest_exclude(struct vsw_ext_frame *ef, uint32_t port)
{
    struct ext_ctx *x = ext_ctx(ef);
    const struct vsw_port *p;

    if (x->kind != VSW_EXT_FORWARD || !x->forwarding_stage) {
        return EPERM;
    }
    p = vsw_cfg_port(x->f->c->cfg, port);
    if (!p || !dest_remove(x->f, p)) {
        return ENOENT;
    }
    x->f->dests_changed_by_ext = true;
    return 0;
}

int
vsw_ext_inject(struct vsw_ext_frame *ef, struct vsw_pkt *pkt,
               uint32_t src_port)
{
    struct ext_ctx *x = ext_ctx(ef);
    struct call *c = x->f->c;

    if (!pkt || pkt == ef->pkt) {
        return EINVAL;
    }
    if (x->kind == VSW_EXT_CAPTURE) {
        return EPERM;
    }
    if (c->n_inj == INJECT_MAX) {
        vsw_pkt_free(pkt);
        return ENOSPC;
    }
    c->inj[c->n_inj++] = (struct inject_entry) {
        pkt, src_port,
        ef->dir == VSW_EXT_INGRESS ? x->ext_index + 1 : 0,
    };
    return 0;
}
