/*
 * policy.c -- glue between the switch and the policy tables it composes:
 * reference-counted ACL tables (acl.h) with per-processor hit counters,
 * and a port's QoS token buckets (qos.h).  The tables themselves are the
 * ACL and QoS modules'; this file only owns their lifetime inside the
 * switch's snapshots.
 */
#include <config.h>
#include "vmswitch/vswitch-private.h"

#include <errno.h>
#include <string.h>

#include "vmswitch/alloc.h"

/* Wraps 'acl' (taken over) in a new box with zeroed hit counters.  Counts
 * are not carried from 'old': the data path may still be adding to the old
 * counters after this copy, and those late hits would be lost anyway; so
 * rule hit counts restart whenever a port's list changes (documented at
 * VSW_CTL_ACL_HITS).
 * Returns 0 or ENOMEM ('acl' destroyed). */
static int
box_new(struct vsw_acl *acl, unsigned max_cpus,
        struct acl_box **boxp)
{
    struct acl_box *box = vsw_calloc(1, sizeof *box);
    size_t n = vsw_acl_size(acl);

    if (box) {
        box->stride = n ? n : 1;
        box->hits = vsw_calloc((size_t) max_cpus * box->stride,
                               sizeof *box->hits);
    }
    if (!box || !box->hits) {
        vsw_free(box);
        vsw_acl_destroy(acl);
        return ENOMEM;
    }
    box->refs = 1;
    box->acl = acl;
    *boxp = box;
    return 0;
}

int
vsw_acl_box_add(const struct acl_box *old, const struct vsw_acl_rule *rule,
                unsigned max_cpus, struct acl_box **boxp, uint32_t *rule_id)
{
    struct vsw_acl *acl;
    uint32_t id;
    int error;

    error = vsw_acl_with_rule(old ? old->acl : NULL, rule, &acl, &id);
    if (!error) {
        error = box_new(acl, max_cpus, boxp);
    }
    if (!error) {
        *rule_id = id;
    }
    return error;
}

int
vsw_acl_box_remove(const struct acl_box *old, uint32_t rule_id,
                   unsigned max_cpus, struct acl_box **boxp)
{
    struct vsw_acl *acl;
    int error;

    if (!old) {
        return ENOENT;
    }
    error = vsw_acl_without_rule(old->acl, rule_id, &acl);
    return error ? error : box_new(acl, max_cpus, boxp);
}

bool
vsw_acl_box_has(const struct acl_box *box, uint32_t rule_id)
{
    size_t index;
    return box && vsw_acl_find(box->acl, rule_id, &index);
}

size_t
vsw_acl_box_count(const struct acl_box *box)
{
    return box ? vsw_acl_size(box->acl) : 0;
}

void
vsw_acl_box_unref(struct acl_box *box)
{
    if (box && --box->refs == 0) {
        vsw_acl_destroy(box->acl);
        vsw_free(box->hits);
        vsw_free(box);
    }
}

bool
vsw_port_qos_valid(const struct vsw_qos_config *q)
{
    return q->max_bps <= VSW_QOS_RATE_MAX
           && q->reserve_bps <= VSW_QOS_RATE_MAX
           && q->ingress_bps <= VSW_QOS_RATE_MAX
           && q->max_burst_bytes <= VSW_QOS_BURST_MAX
           && q->ingress_burst_bytes <= VSW_QOS_BURST_MAX
           && (!q->max_bps || q->reserve_bps <= q->max_bps);
}

static void
bucket_reset(struct vsw_qos_bucket *b, uint64_t rate_bps, uint64_t burst)
{
    if (!burst) {
        burst = vsw_qos_default_burst_bytes(rate_bps);
    }
    if (vsw_qos_bucket_init(b, rate_bps, burst, 0)) {
        vsw_qos_bucket_init(b, 0, 1, 0);   /* unreachable if validated */
    }
}

/* Restarts the port's token buckets, full, for configuration 'q'. */
void
vsw_port_qos_reset(struct port_rt *rt, const struct vsw_qos_config *q)
{
    pthread_mutex_lock(&rt->qos_lock);
    bucket_reset(&rt->max_bucket, q->max_bps, q->max_burst_bytes);
    bucket_reset(&rt->reserve_bucket, q->reserve_bps, q->max_burst_bytes);
    bucket_reset(&rt->in_bucket, q->ingress_bps, q->ingress_burst_bytes);
    pthread_mutex_unlock(&rt->qos_lock);
}
