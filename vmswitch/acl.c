/*
 * acl.c -- immutable, priority-ordered ACL lists and their evaluation (see
 * acl.h for the semantics).
 *
 * A list is one allocation: a header, the compiled rules in evaluation
 * order, and a permutation of rule positions sorted by id (for id lookups
 * and carrying counters across versions).  A compiled rule keeps the
 * caller's rule for read-back plus the same matches in the form the scan
 * wants: MACs as 48-bit numbers with masks, IP prefixes as two 64-bit
 * value/mask pairs over the IPv4-mapped/IPv6 address.
 */
#include <config.h>
#include "vmswitch/acl.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmswitch/alloc.h"

struct ip_match {
    uint64_t hi, lo;            /* address bits under the mask */
    uint64_t mhi, mlo;          /* mask */
};

struct acl_entry {
    uint32_t fields;
    enum vsw_acl_action action;
    uint64_t smac, smask, dmac, dmask;
    uint16_t vlan, ethertype;
    uint8_t ip_version, ip_proto;
    uint16_t sp_lo, sp_hi, dp_lo, dp_hi;
    struct ip_match sip, dip;
    uint32_t id;
    struct vsw_acl_rule rule;   /* as given, for vsw_acl_rule_at() */
};

struct vsw_acl {
    enum vsw_acl_action default_verdict;
    uint32_t next_id;           /* id of the next rule added */
    uint32_t n;
    uint32_t *by_id;            /* positions sorted by id; inside the block */
    struct acl_entry e[];
};

static inline uint64_t
mac48(const uint8_t m[6])
{
    return ((uint64_t)m[0] << 40) | ((uint64_t)m[1] << 32)
           | ((uint64_t)m[2] << 24) | ((uint64_t)m[3] << 16)
           | ((uint64_t)m[4] << 8) | (uint64_t)m[5];
}

static inline uint64_t
be64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* ---- rules ------------------------------------------------------------ */

void
vsw_acl_rule_init(struct vsw_acl_rule *r)
{
    memset(r, 0, sizeof *r);
    r->action = VSW_ACL_ALLOW;
    memset(r->src_mac_mask, 0xff, 6);
    memset(r->dst_mac_mask, 0xff, 6);
    r->src_port_max = UINT16_MAX;
    r->dst_port_max = UINT16_MAX;
}

static void
set_prefix(struct vsw_acl_prefix *p, uint8_t version, const uint8_t *addr,
           unsigned len)
{
    memset(p, 0, sizeof *p);
    p->version = version;
    p->len = len > 255 ? 255 : (uint8_t)len;   /* rule_check rejects */
    memcpy(p->addr, addr, version == 4 ? 4 : 16);
}

void
vsw_acl_rule_src_ipv4(struct vsw_acl_rule *r, const uint8_t a[4],
                      unsigned len)
{
    set_prefix(&r->src_ip, 4, a, len);
    r->fields |= VSW_ACL_M_SRC_IP;
}

void
vsw_acl_rule_dst_ipv4(struct vsw_acl_rule *r, const uint8_t a[4],
                      unsigned len)
{
    set_prefix(&r->dst_ip, 4, a, len);
    r->fields |= VSW_ACL_M_DST_IP;
}

void
vsw_acl_rule_src_ipv6(struct vsw_acl_rule *r, const uint8_t a[16],
                      unsigned len)
{
    set_prefix(&r->src_ip, 6, a, len);
    r->fields |= VSW_ACL_M_SRC_IP;
}

void
vsw_acl_rule_dst_ipv6(struct vsw_acl_rule *r, const uint8_t a[16],
                      unsigned len)
{
    set_prefix(&r->dst_ip, 6, a, len);
    r->fields |= VSW_ACL_M_DST_IP;
}

static bool
prefix_ok(const struct vsw_acl_prefix *p)
{
    return (p->version == 4 && p->len <= 32)
           || (p->version == 6 && p->len <= 128);
}

int
vsw_acl_rule_check(const struct vsw_acl_rule *r)
{
    uint8_t version = 0;

    if (r->fields & ~(uint32_t)VSW_ACL_M_ALL) {
        return EINVAL;
    }
    if (r->action != VSW_ACL_ALLOW && r->action != VSW_ACL_DENY
        && r->action != VSW_ACL_COUNT) {
        return EINVAL;
    }
    if ((r->fields & VSW_ACL_M_VLAN) && r->vlan > 4095) {
        return EINVAL;
    }
    if (r->fields & VSW_ACL_M_IP_VERSION) {
        if (r->ip_version != 4 && r->ip_version != 6) {
            return EINVAL;
        }
        version = r->ip_version;
    }
    for (int i = 0; i < 2; i++) {
        const struct vsw_acl_prefix *p = i ? &r->dst_ip : &r->src_ip;

        if (!(r->fields & (i ? VSW_ACL_M_DST_IP : VSW_ACL_M_SRC_IP))) {
            continue;
        }
        if (!prefix_ok(p) || (version && p->version != version)) {
            return EINVAL;
        }
        version = p->version;
    }
    if ((r->fields & VSW_ACL_M_SRC_PORT)
        && r->src_port_min > r->src_port_max) {
        return EINVAL;
    }
    if ((r->fields & VSW_ACL_M_DST_PORT)
        && r->dst_port_min > r->dst_port_max) {
        return EINVAL;
    }
    return 0;
}

/* Compiles prefix 'p' to a match over 16-byte (IPv4-mapped) addresses. */
static void
compile_prefix(const struct vsw_acl_prefix *p, struct ip_match *m)
{
    uint8_t addr[16] = { 0 };
    unsigned len;

    if (p->version == 4) {
        addr[10] = addr[11] = 0xff;
        memcpy(addr + 12, p->addr, 4);
        len = 96u + p->len;
    } else {
        memcpy(addr, p->addr, 16);
        len = p->len;
    }
    m->mhi = len == 0 ? 0 : len >= 64 ? UINT64_MAX
             : UINT64_MAX << (64 - len);
    m->mlo = len <= 64 ? 0 : len >= 128 ? UINT64_MAX
             : UINT64_MAX << (128 - len);
    m->hi = be64(addr) & m->mhi;
    m->lo = be64(addr + 8) & m->mlo;
}

static void
compile(const struct vsw_acl_rule *r, uint32_t id, struct acl_entry *e)
{
    memset(e, 0, sizeof *e);
    e->rule = *r;
    e->id = id;
    e->fields = r->fields;
    e->action = r->action;
    e->smask = mac48(r->src_mac_mask);
    e->smac = mac48(r->src_mac) & e->smask;
    e->dmask = mac48(r->dst_mac_mask);
    e->dmac = mac48(r->dst_mac) & e->dmask;
    e->vlan = r->vlan;
    e->ethertype = r->ethertype;
    e->ip_version = r->ip_version;
    e->ip_proto = r->ip_proto;
    e->sp_lo = r->src_port_min;
    e->sp_hi = r->src_port_max;
    e->dp_lo = r->dst_port_min;
    e->dp_hi = r->dst_port_max;
    /* A prefix implies its IP version. */
    if (r->fields & VSW_ACL_M_SRC_IP) {
        compile_prefix(&r->src_ip, &e->sip);
        e->fields |= VSW_ACL_M_IP_VERSION;
        e->ip_version = r->src_ip.version;
    }
    if (r->fields & VSW_ACL_M_DST_IP) {
        compile_prefix(&r->dst_ip, &e->dip);
        e->fields |= VSW_ACL_M_IP_VERSION;
        e->ip_version = r->dst_ip.version;
    }
}

/* ---- building lists --------------------------------------------------- */

/* Allocates a list for 'n' rules with the header fields copied from 'old'
 * (or defaults). */
static struct vsw_acl *
list_alloc(const struct vsw_acl *old, uint32_t n)
{
    size_t size = sizeof(struct vsw_acl) + (size_t)n * sizeof(struct acl_entry)
                  + (size_t)n * sizeof(uint32_t);
    struct vsw_acl *a = vsw_malloc(size);

    if (!a) {
        return NULL;
    }
    a->default_verdict = old ? old->default_verdict : VSW_ACL_ALLOW;
    a->next_id = old ? old->next_id : 1;
    a->n = n;
    a->by_id = (uint32_t *)(void *)&a->e[n];
    return a;
}

static int
by_id_cmp(const void *x_, const void *y_, const struct vsw_acl *a)
{
    uint32_t x = a->e[*(const uint32_t *)x_].id;
    uint32_t y = a->e[*(const uint32_t *)y_].id;

    return x < y ? -1 : x > y;
}

/* Fills a->by_id.  Ids are unique, so insertion sort on a nearly sorted
 * permutation is simple and deterministic. */
static void
index_ids(struct vsw_acl *a)
{
    for (uint32_t i = 0; i < a->n; i++) {
        uint32_t v = i;
        uint32_t j = i;

        while (j > 0 && by_id_cmp(&a->by_id[j - 1], &v, a) > 0) {
            a->by_id[j] = a->by_id[j - 1];
            j--;
        }
        a->by_id[j] = v;
    }
}

int
vsw_acl_create(enum vsw_acl_action default_verdict, struct vsw_acl **aclp)
{
    struct vsw_acl *a;

    if (default_verdict != VSW_ACL_ALLOW && default_verdict != VSW_ACL_DENY) {
        return EINVAL;
    }
    a = list_alloc(NULL, 0);
    if (!a) {
        return ENOMEM;
    }
    a->default_verdict = default_verdict;
    *aclp = a;
    return 0;
}

void
vsw_acl_destroy(struct vsw_acl *a)
{
    vsw_free(a);
}

int
vsw_acl_with_rule(const struct vsw_acl *old, const struct vsw_acl_rule *rule,
                  struct vsw_acl **newp, uint32_t *rule_id)
{
    uint32_t n_old = old ? old->n : 0;
    uint32_t pos, id;
    struct vsw_acl *a;
    int error;

    error = vsw_acl_rule_check(rule);
    if (error) {
        return error;
    }
    id = old ? old->next_id : 1;
    if (id == UINT32_MAX || n_old == UINT32_MAX) {
        return ENOMEM;          /* id space exhausted: cannot happen in
                                 * practice, but never wrap */
    }
    a = list_alloc(old, n_old + 1);
    if (!a) {
        return ENOMEM;
    }
    /* After every rule of higher or equal priority. */
    for (pos = 0; pos < n_old && old->e[pos].rule.priority >= rule->priority;
         pos++) {
        continue;
    }
    if (pos) {
        memcpy(a->e, old->e, pos * sizeof a->e[0]);
    }
    compile(rule, id, &a->e[pos]);
    if (n_old > pos) {
        memcpy(&a->e[pos + 1], &old->e[pos], (n_old - pos) * sizeof a->e[0]);
    }
    a->next_id = id + 1;
    index_ids(a);
    *newp = a;
    if (rule_id) {
        *rule_id = id;
    }
    return 0;
}

int
vsw_acl_without_rule(const struct vsw_acl *old, uint32_t rule_id,
                     struct vsw_acl **newp)
{
    struct vsw_acl *a;
    size_t pos;

    if (!vsw_acl_find(old, rule_id, &pos)) {
        return ENOENT;
    }
    a = list_alloc(old, old->n - 1);
    if (!a) {
        return ENOMEM;
    }
    if (pos) {
        memcpy(a->e, old->e, pos * sizeof a->e[0]);
    }
    if (old->n - 1 > pos) {
        memcpy(&a->e[pos], &old->e[pos + 1],
               (old->n - 1 - pos) * sizeof a->e[0]);
    }
    index_ids(a);
    *newp = a;
    return 0;
}

int
vsw_acl_with_default(const struct vsw_acl *old, enum vsw_acl_action v,
                     struct vsw_acl **newp)
{
    uint32_t n = old ? old->n : 0;
    struct vsw_acl *a;

    if (v != VSW_ACL_ALLOW && v != VSW_ACL_DENY) {
        return EINVAL;
    }
    a = list_alloc(old, n);
    if (!a) {
        return ENOMEM;
    }
    if (n) {
        memcpy(a->e, old->e, n * sizeof a->e[0]);
        memcpy(a->by_id, old->by_id, n * sizeof a->by_id[0]);
    }
    a->default_verdict = v;
    *newp = a;
    return 0;
}

/* ---- evaluation ------------------------------------------------------- */

/* The parsed input in the form the scan compares. */
struct input {
    uint64_t smac, dmac;
    uint64_t sip_hi, sip_lo, dip_hi, dip_lo;
};

static inline bool
ip_matches(const struct ip_match *m, uint64_t hi, uint64_t lo)
{
    return (hi & m->mhi) == m->hi && (lo & m->mlo) == m->lo;
}

static inline bool
entry_matches(const struct acl_entry *e, const struct vsw_acl_match_input *in,
              const struct input *x)
{
    uint32_t f = e->fields;

    if (!f) {
        return true;
    }
    if ((f & VSW_ACL_M_SRC_MAC) && (x->smac & e->smask) != e->smac) {
        return false;
    }
    if ((f & VSW_ACL_M_DST_MAC) && (x->dmac & e->dmask) != e->dmac) {
        return false;
    }
    if ((f & VSW_ACL_M_VLAN) && in->vlan != e->vlan) {
        return false;
    }
    if ((f & VSW_ACL_M_ETHERTYPE) && in->ethertype != e->ethertype) {
        return false;
    }
    if ((f & VSW_ACL_M_IP_VERSION) && in->ip_version != e->ip_version) {
        return false;
    }
    if ((f & VSW_ACL_M_SRC_IP) && !ip_matches(&e->sip, x->sip_hi, x->sip_lo)) {
        return false;
    }
    if ((f & VSW_ACL_M_DST_IP) && !ip_matches(&e->dip, x->dip_hi, x->dip_lo)) {
        return false;
    }
    if ((f & VSW_ACL_M_IP_PROTO)
        && (in->ip_version == 0 || in->ip_proto != e->ip_proto)) {
        return false;
    }
    if (f & (VSW_ACL_M_SRC_PORT | VSW_ACL_M_DST_PORT)) {
        if (!in->has_ports) {
            return false;
        }
        if ((f & VSW_ACL_M_SRC_PORT)
            && (in->src_port < e->sp_lo || in->src_port > e->sp_hi)) {
            return false;
        }
        if ((f & VSW_ACL_M_DST_PORT)
            && (in->dst_port < e->dp_lo || in->dst_port > e->dp_hi)) {
            return false;
        }
    }
    return true;
}

void
vsw_acl_eval(const struct vsw_acl *a, const struct vsw_acl_match_input *in,
             vsw_acl_hit *hits, struct vsw_acl_result *res)
{
    struct input x;

    res->verdict = a ? a->default_verdict : VSW_ACL_ALLOW;
    res->matched = false;
    res->rule_id = 0;
    res->rule_index = UINT32_MAX;
    res->rules_evaluated = 0;
    res->counted = 0;
    if (!a || a->n == 0) {
        return;
    }
    x.smac = mac48(in->src_mac);
    x.dmac = mac48(in->dst_mac);
    x.sip_hi = be64(in->src_ip);
    x.sip_lo = be64(in->src_ip + 8);
    x.dip_hi = be64(in->dst_ip);
    x.dip_lo = be64(in->dst_ip + 8);
    for (uint32_t i = 0; i < a->n; i++) {
        const struct acl_entry *e = &a->e[i];

        if (!entry_matches(e, in, &x)) {
            continue;
        }
        if (hits) {
            atomic_store_explicit(&hits[i], atomic_load_explicit(
                &hits[i], memory_order_relaxed) + 1, memory_order_relaxed);
        }
        if (e->action == VSW_ACL_COUNT) {
            res->counted++;
            continue;
        }
        res->verdict = e->action;
        res->matched = true;
        res->rule_id = e->id;
        res->rule_index = i;
        res->rules_evaluated = i + 1;
        return;
    }
    res->rules_evaluated = a->n;
}

/* ---- inspection ------------------------------------------------------- */

size_t
vsw_acl_size(const struct vsw_acl *a)
{
    return a ? a->n : 0;
}

enum vsw_acl_action
vsw_acl_default(const struct vsw_acl *a)
{
    return a ? a->default_verdict : VSW_ACL_ALLOW;
}

const struct vsw_acl_rule *
vsw_acl_rule_at(const struct vsw_acl *a, size_t index, uint32_t *rule_id)
{
    if (!a || index >= a->n) {
        return NULL;
    }
    if (rule_id) {
        *rule_id = a->e[index].id;
    }
    return &a->e[index].rule;
}

bool
vsw_acl_find(const struct vsw_acl *a, uint32_t rule_id, size_t *index)
{
    size_t lo = 0, hi = a ? a->n : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t pos = a->by_id[mid];
        uint32_t id = a->e[pos].id;

        if (id == rule_id) {
            *index = pos;
            return true;
        }
        if (id < rule_id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

void
vsw_acl_carry_hits(const struct vsw_acl *old, const vsw_acl_hit *old_hits,
                   const struct vsw_acl *new_acl, vsw_acl_hit *new_hits)
{
    if (!old || !new_acl || !old_hits || !new_hits) {
        return;
    }
    for (uint32_t i = 0; i < old->n; i++) {
        size_t pos;

        if (vsw_acl_find(new_acl, old->e[i].id, &pos)) {
            atomic_store_explicit(&new_hits[pos],
                atomic_load_explicit(&new_hits[pos], memory_order_relaxed)
                + atomic_load_explicit(&old_hits[i], memory_order_relaxed),
                memory_order_relaxed);
        }
    }
}
