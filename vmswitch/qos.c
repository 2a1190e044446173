/*
 * qos.c -- exact integer token buckets and the minimum-reservation share
 * built on them (see qos.h for the semantics and units).
 */
#include <config.h>
#include "vmswitch/qos.h"

#include <errno.h>

#include "vmswitch/alloc.h"

#define NB_PER_BYTE UINT64_C(8000000000)       /* nanobits per byte */

/* Burst in nanobits; at most 2^30 * 8e9 < 2^63. */
static inline int64_t
cap_nb(const struct vsw_qos_bucket *b)
{
    return (int64_t)(b->burst_bytes * NB_PER_BYTE);
}

/* Credits the tokens earned from b->last_ns to 'now'.  Exact: the product
 * elapsed * rate is formed only when it cannot exceed the room left below
 * the cap, so no overflow whatever the idle time. */
static void
refill(struct vsw_qos_bucket *b, uint64_t now)
{
    uint64_t elapsed, room;
    int64_t cap;

    if (now <= b->last_ns) {
        return;
    }
    elapsed = now - b->last_ns;
    b->last_ns = now;
    if (b->rate_bps == 0) {
        return;
    }
    cap = cap_nb(b);
    if (b->tokens_nb >= cap) {
        b->tokens_nb = cap;
        return;
    }
    /* cap - tokens <= 2 * cap < 2^64, computed modulo 2^64 since it may
     * not fit in int64_t. */
    room = (uint64_t)cap - (uint64_t)b->tokens_nb;
    if (elapsed > room / b->rate_bps) {
        b->tokens_nb = cap;
    } else {
        uint64_t add = elapsed * b->rate_bps;  /* <= room */

        if (add <= (uint64_t)INT64_MAX) {
            b->tokens_nb += (int64_t)add;       /* result <= cap */
        } else {
            /* Only from debt: tokens < 0 and the sum is in [0, cap]. */
            b->tokens_nb = (int64_t)(add - (uint64_t)(-b->tokens_nb));
        }
    }
}

static bool
valid(uint64_t rate_bps, uint64_t burst_bytes)
{
    return rate_bps == 0
           || (rate_bps <= VSW_QOS_RATE_MAX && burst_bytes >= 1
               && burst_bytes <= VSW_QOS_BURST_MAX);
}

uint64_t
vsw_qos_default_burst_bytes(uint64_t rate_bps)
{
    /* rate * 0.01 s / 8 bits, rounded up. */
    uint64_t b = rate_bps / 800 + (rate_bps % 800 != 0);

    if (b < 1518) {
        b = 1518;
    }
    return b > VSW_QOS_BURST_MAX ? VSW_QOS_BURST_MAX : b;
}

int
vsw_qos_bucket_init(struct vsw_qos_bucket *b, uint64_t rate_bps,
                    uint64_t burst_bytes, uint64_t now_ns)
{
    if (!valid(rate_bps, burst_bytes)) {
        return EINVAL;
    }
    b->rate_bps = rate_bps;
    b->burst_bytes = rate_bps ? burst_bytes : 0;
    b->tokens_nb = cap_nb(b);
    b->last_ns = now_ns;
    return 0;
}

int
vsw_qos_bucket_set(struct vsw_qos_bucket *b, uint64_t rate_bps,
                   uint64_t burst_bytes, uint64_t now_ns)
{
    bool was_unlimited = b->rate_bps == 0;

    if (!valid(rate_bps, burst_bytes)) {
        return EINVAL;
    }
    refill(b, now_ns);
    b->rate_bps = rate_bps;
    b->burst_bytes = rate_bps ? burst_bytes : 0;
    if (was_unlimited || b->tokens_nb > cap_nb(b)) {
        b->tokens_nb = cap_nb(b);
    }
    return 0;
}

bool
vsw_qos_bucket_admit(struct vsw_qos_bucket *b, uint64_t size_bytes,
                     uint64_t now_ns)
{
    int64_t cost;

    if (b->rate_bps == 0) {
        return true;
    }
    if (size_bytes > b->burst_bytes) {
        return false;
    }
    refill(b, now_ns);
    cost = (int64_t)(size_bytes * NB_PER_BYTE);
    if (b->tokens_nb < cost) {
        return false;
    }
    b->tokens_nb -= cost;
    return true;
}

bool
vsw_qos_bucket_conforms(const struct vsw_qos_bucket *b, uint64_t size_bytes,
                        uint64_t now_ns)
{
    struct vsw_qos_bucket copy = *b;

    return vsw_qos_bucket_admit(&copy, size_bytes, now_ns);
}

void
vsw_qos_bucket_charge(struct vsw_qos_bucket *b, uint64_t size_bytes,
                      uint64_t now_ns)
{
    int64_t cap, cost;

    if (b->rate_bps == 0) {
        return;
    }
    refill(b, now_ns);
    cap = cap_nb(b);
    cost = (int64_t)((size_bytes > b->burst_bytes ? b->burst_bytes
                                                  : size_bytes)
                     * NB_PER_BYTE);
    /* tokens >= -cap and cost <= cap: no overflow. */
    b->tokens_nb -= cost;
    if (b->tokens_nb < -cap) {
        b->tokens_nb = -cap;
    }
}

uint64_t
vsw_qos_bucket_available_bytes(const struct vsw_qos_bucket *b,
                               uint64_t now_ns)
{
    struct vsw_qos_bucket copy = *b;

    if (b->rate_bps == 0) {
        return UINT64_MAX;
    }
    refill(&copy, now_ns);
    return copy.tokens_nb <= 0 ? 0 : (uint64_t)copy.tokens_nb / NB_PER_BYTE;
}

uint64_t
vsw_qos_bucket_wait_ns(const struct vsw_qos_bucket *b, uint64_t size_bytes,
                       uint64_t now_ns)
{
    struct vsw_qos_bucket copy = *b;
    int64_t cost;
    uint64_t need;

    if (b->rate_bps == 0) {
        return 0;
    }
    if (size_bytes > b->burst_bytes) {
        return UINT64_MAX;
    }
    refill(&copy, now_ns);
    cost = (int64_t)(size_bytes * NB_PER_BYTE);
    if (copy.tokens_nb >= cost) {
        return 0;
    }
    need = (uint64_t)cost - (uint64_t)copy.tokens_nb;  /* <= 2 * cap */
    return need / b->rate_bps + (need % b->rate_bps != 0);
}

/* ---- reservations ----------------------------------------------------- */

struct member {
    uint64_t reservation;       /* bit/s or weight, as configured */
    uint64_t burst_bytes;       /* as configured (0: default) */
    struct vsw_qos_bucket bucket;       /* rate 0 here means "none" */
};

struct vsw_qos_share {
    enum vsw_qos_share_mode mode;
    uint64_t capacity_bps;
    uint32_t n_members;
    struct vsw_qos_bucket link;
    struct member m[];
};

int
vsw_qos_share_create(uint64_t capacity_bps, uint64_t burst_bytes,
                     enum vsw_qos_share_mode mode, uint32_t n_members,
                     uint64_t now_ns, struct vsw_qos_share **sharep)
{
    struct vsw_qos_share *s;

    if (capacity_bps < 1 || capacity_bps > VSW_QOS_RATE_MAX
        || burst_bytes > VSW_QOS_BURST_MAX
        || (mode != VSW_QOS_SHARE_ABSOLUTE && mode != VSW_QOS_SHARE_WEIGHT)) {
        return EINVAL;
    }
    if (!burst_bytes) {
        burst_bytes = vsw_qos_default_burst_bytes(capacity_bps);
    }
    s = vsw_calloc(1, sizeof *s + (size_t)n_members * sizeof s->m[0]);
    if (!s) {
        return ENOMEM;
    }
    s->mode = mode;
    s->capacity_bps = capacity_bps;
    s->n_members = n_members;
    vsw_qos_bucket_init(&s->link, capacity_bps, burst_bytes, now_ns);
    for (uint32_t i = 0; i < n_members; i++) {
        vsw_qos_bucket_init(&s->m[i].bucket, 0, 0, now_ns);
    }
    *sharep = s;
    return 0;
}

void
vsw_qos_share_destroy(struct vsw_qos_share *s)
{
    vsw_free(s);
}

/* The rate member 'i' gets, given its configured reservation 'res' and, in
 * weight mode, the total weight 'total'. */
static uint64_t
member_rate(const struct vsw_qos_share *s, uint64_t res, uint64_t total)
{
    if (res == 0) {
        return 0;
    }
    if (s->mode == VSW_QOS_SHARE_ABSOLUTE) {
        return res;
    }
    /* capacity <= 1e13 < 2^44 and weight <= 10^4 < 2^14: no overflow. */
    return s->capacity_bps * res / total;
}

static void
apply_member(struct member *m, uint64_t rate, uint64_t now_ns)
{
    uint64_t burst = m->burst_bytes ? m->burst_bytes
                                    : vsw_qos_default_burst_bytes(rate);
    int error = vsw_qos_bucket_set(&m->bucket, rate, burst, now_ns);

    (void)error;                /* validated by the caller */
}

int
vsw_qos_share_set_member(struct vsw_qos_share *s, uint32_t member,
                         uint64_t reservation, uint64_t burst_bytes,
                         uint64_t now_ns)
{
    uint64_t total = 0;

    if (member >= s->n_members || burst_bytes > VSW_QOS_BURST_MAX
        || (s->mode == VSW_QOS_SHARE_WEIGHT
            && reservation > VSW_QOS_WEIGHT_MAX)) {
        return EINVAL;
    }
    for (uint32_t i = 0; i < s->n_members; i++) {
        total += i == member ? reservation : s->m[i].reservation;
    }
    if (s->mode == VSW_QOS_SHARE_ABSOLUTE && total > s->capacity_bps) {
        return EINVAL;
    }
    s->m[member].reservation = reservation;
    s->m[member].burst_bytes = burst_bytes;
    if (s->mode == VSW_QOS_SHARE_ABSOLUTE) {
        apply_member(&s->m[member], reservation, now_ns);
    } else {
        for (uint32_t i = 0; i < s->n_members; i++) {
            apply_member(&s->m[i], member_rate(s, s->m[i].reservation, total),
                         now_ns);
        }
    }
    return 0;
}

uint64_t
vsw_qos_share_reserved_bps(const struct vsw_qos_share *s, uint32_t member)
{
    return member < s->n_members ? s->m[member].bucket.rate_bps : 0;
}

enum vsw_qos_share_verdict
vsw_qos_share_admit(struct vsw_qos_share *s, uint32_t member,
                    uint64_t size_bytes, uint64_t now_ns)
{
    if (member < s->n_members && s->m[member].bucket.rate_bps
        && vsw_qos_bucket_admit(&s->m[member].bucket, size_bytes, now_ns)) {
        vsw_qos_bucket_charge(&s->link, size_bytes, now_ns);
        return VSW_QOS_RESERVED;
    }
    return vsw_qos_bucket_admit(&s->link, size_bytes, now_ns)
           ? VSW_QOS_SHARED : VSW_QOS_DROPPED;
}
