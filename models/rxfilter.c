/*
 * rxfilter.c -- the NIC's receive classifier (rxfilter.h): the mode, the
 * VMQ filter table and the RSS state, and rxf_classify() which applies
 * them to a frame.  Hashing and indirection are rss.c's; the frame is
 * parsed once, by libvmswitch's parser, for both.
 */
#include "config.h"

#include "models/rxfilter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/log.h"
#include "vmswitch/parse.h"

/* One VMQ filter. */
struct rxf_filter {
    uint8_t mac[6];                 /* unicast destination MAC */
    uint16_t vlan;                  /* 1..4094, RXF_VLAN_UNTAGGED or _ANY */
    uint32_t queue;                 /* < n_queues */
};

/* INVARIANTS: n_filters <= max_filters; n_filters == 0 unless mode is
 * RXF_MODE_VMQ; filter[0 .. n_filters) are distinct (mac, vlan) pairs in
 * the order they were added; every queue number stored (filters and
 * indirection entries) is < n_queues; 'hash_tbl' was built from
 * rss.key. */
struct rxf {
    enum rxf_mode mode;
    uint32_t n_queues;
    uint32_t max_filters;
    uint32_t n_filters;
    struct rss_config rss;
    struct rss_indirection ind;
    struct rss_toeplitz_table hash_tbl;
    struct rxf_filter filter[];     /* 'max_filters' slots */
};

int
rxf_create(uint32_t n_queues, uint32_t max_filters, struct rxf **out)
{
    struct rxf *x;

    SIM_ASSERT(out != NULL);
    *out = NULL;
    if (n_queues < 1 || n_queues > RXF_MAX_QUEUES
        || max_filters < 1 || max_filters > RXF_MAX_FILTERS) {
        return EINVAL;
    }
    x = calloc(1, sizeof *x + (size_t) max_filters * sizeof x->filter[0]);
    if (!x) {
        return ENOMEM;
    }
    x->mode = RXF_MODE_NONE;
    x->n_queues = n_queues;
    x->max_filters = max_filters;
    rss_config_init(&x->rss);
    rss_indirection_init(&x->ind);
    rss_toeplitz_table_init(&x->hash_tbl, x->rss.key);
    *out = x;
    return 0;
}

void
rxf_destroy(struct rxf *x)
{
    free(x);
}

enum rxf_mode
rxf_get_mode(const struct rxf *x)
{
    SIM_ASSERT(x != NULL);
    return x->mode;
}

int
rxf_set_mode(struct rxf *x, enum rxf_mode mode)
{
    SIM_ASSERT(x != NULL);
    if (mode != RXF_MODE_NONE && mode != RXF_MODE_RSS
        && mode != RXF_MODE_VMQ) {
        return EINVAL;
    }
    if (mode != x->mode && x->n_filters > 0) {
        SIM_ASSERT(x->mode == RXF_MODE_VMQ);
        return EBUSY;
    }
    x->mode = mode;
    return 0;
}

int
rxf_set_rss_config(struct rxf *x, const struct rss_config *cfg)
{
    int error;

    SIM_ASSERT(x != NULL && cfg != NULL);
    error = rss_config_validate(cfg);
    if (error) {
        return error;
    }
    if (memcmp(x->rss.key, cfg->key, RSS_KEY_SIZE)) {
        rss_toeplitz_table_init(&x->hash_tbl, cfg->key);
    }
    x->rss = *cfg;
    return 0;
}

const struct rss_config *
rxf_get_rss_config(const struct rxf *x)
{
    SIM_ASSERT(x != NULL);
    return &x->rss;
}

int
rxf_set_indirection(struct rxf *x, const struct rss_indirection *tbl)
{
    SIM_ASSERT(x != NULL && tbl != NULL);
    if (!rss_indirection_size_ok(tbl->size)) {
        return EINVAL;
    }
    for (uint32_t i = 0; i < tbl->size; i++) {
        if (tbl->entry[i] >= x->n_queues) {
            return EINVAL;
        }
    }
    return rss_indirection_set(&x->ind, tbl->entry, tbl->size);
}

const struct rss_indirection *
rxf_get_indirection(const struct rxf *x)
{
    SIM_ASSERT(x != NULL);
    return &x->ind;
}

/* ------------------------------------------------------------------ */
/* The filter table. */

static bool
vlan_test_ok(uint16_t vlan)
{
    return vlan == RXF_VLAN_UNTAGGED || vlan == RXF_VLAN_ANY
           || (vlan >= 1 && vlan <= 4094);
}

static bool
unicast_mac_ok(const uint8_t mac[6])
{
    static const uint8_t zero[6];

    return !(mac[0] & 0x01) && memcmp(mac, zero, 6) != 0;
}

/* The index of filter ('mac', 'vlan'), or x->n_filters if absent. */
static uint32_t
find(const struct rxf *x, const uint8_t mac[6], uint16_t vlan)
{
    uint32_t i;

    for (i = 0; i < x->n_filters; i++) {
        if (x->filter[i].vlan == vlan && !memcmp(x->filter[i].mac, mac, 6)) {
            break;
        }
    }
    return i;
}

int
rxf_filter_add(struct rxf *x, const uint8_t mac[6], uint16_t vlan,
               uint32_t queue)
{
    struct rxf_filter *f;

    SIM_ASSERT(x != NULL && mac != NULL);
    if (x->mode != RXF_MODE_VMQ || !unicast_mac_ok(mac)
        || !vlan_test_ok(vlan) || queue >= x->n_queues) {
        return EINVAL;
    }
    if (find(x, mac, vlan) < x->n_filters) {
        return EEXIST;
    }
    if (x->n_filters == x->max_filters) {
        return ENOSPC;
    }
    f = &x->filter[x->n_filters++];
    memcpy(f->mac, mac, 6);
    f->vlan = vlan;
    f->queue = queue;
    return 0;
}

/* Removes filter 'i', keeping the others in insertion order. */
static void
remove_at(struct rxf *x, uint32_t i)
{
    SIM_ASSERT(i < x->n_filters);
    memmove(&x->filter[i], &x->filter[i + 1],
            (x->n_filters - i - 1) * sizeof x->filter[0]);
    x->n_filters--;
}

int
rxf_filter_remove(struct rxf *x, const uint8_t mac[6], uint16_t vlan)
{
    uint32_t i;

    SIM_ASSERT(x != NULL && mac != NULL);
    i = find(x, mac, vlan);
    if (i == x->n_filters) {
        return ENOENT;
    }
    remove_at(x, i);
    return 0;
}

uint32_t
rxf_filter_remove_queue(struct rxf *x, uint32_t queue)
{
    uint32_t removed = 0;

    SIM_ASSERT(x != NULL);
    for (uint32_t i = 0; i < x->n_filters;) {
        if (x->filter[i].queue == queue) {
            remove_at(x, i);
            removed++;
        } else {
            i++;
        }
    }
    return removed;
}

int
rxf_filter_lookup(const struct rxf *x, const uint8_t mac[6], uint16_t vlan,
                  uint32_t *queue)
{
    uint32_t i;

    SIM_ASSERT(x != NULL && mac != NULL);
    i = find(x, mac, vlan);
    if (i == x->n_filters) {
        return ENOENT;
    }
    if (queue) {
        *queue = x->filter[i].queue;
    }
    return 0;
}

uint32_t
rxf_filter_count(const struct rxf *x)
{
    SIM_ASSERT(x != NULL);
    return x->n_filters;
}

bool
rxf_match(const struct rxf *x, const uint8_t dst_mac[6], bool tagged,
          uint16_t vlan_id, uint32_t *queue)
{
    bool any = false;
    uint32_t any_queue = RXF_DEFAULT_QUEUE;

    SIM_ASSERT(x != NULL && dst_mac != NULL && queue != NULL);
    for (uint32_t i = 0; i < x->n_filters; i++) {
        const struct rxf_filter *f = &x->filter[i];

        if (memcmp(f->mac, dst_mac, 6)) {
            continue;
        }
        if (f->vlan == RXF_VLAN_ANY) {
            /* Pairs are unique: at most one ANY filter per MAC. */
            any = true;
            any_queue = f->queue;
        } else if (f->vlan == RXF_VLAN_UNTAGGED
                   ? !tagged || vlan_id == 0
                   : tagged && vlan_id == f->vlan) {
            *queue = f->queue;      /* a specific test wins */
            return true;
        }
    }
    if (any) {
        *queue = any_queue;
    }
    return any;
}

/* ------------------------------------------------------------------ */
/* Classification. */

/* True if the parser got through the Ethernet header and its tags, so the
 * key's MAC addresses and VLAN are those of the frame. */
static bool
l2_parsed(enum vsw_parse_error err)
{
    return err != VSW_PARSE_ERR_ETH_TRUNCATED
           && err != VSW_PARSE_ERR_VLAN_TRUNCATED
           && err != VSW_PARSE_ERR_TOO_MANY_TAGS;
}

uint32_t
rxf_classify(const struct rxf *x, const void *frame, size_t len,
             struct rxf_verdict *out)
{
    struct rxf_verdict v;
    struct vsw_parse_result pr;
    enum vsw_parse_error err;
    int error;

    SIM_ASSERT(x != NULL);
    SIM_ASSERT(frame != NULL || len == 0);
    memset(&v, 0, sizeof v);
    v.queue = RXF_DEFAULT_QUEUE;
    v.rss.why = RSS_NO_HASH_TYPE_DISABLED;
    err = vsw_parse_bytes(frame, len, 0, &pr);

    switch (x->mode) {
    case RXF_MODE_VMQ:
        v.reason = RXF_DEFAULT_NO_MATCH;
        if (l2_parsed(err)
            && rxf_match(x, pr.key.dst_mac, pr.key.vlan_present,
                         pr.key.vlan_id, &v.queue)) {
            v.reason = RXF_BY_FILTER;
        }
        break;

    case RXF_MODE_RSS:
        error = rss_hash_parsed(&x->rss, &x->hash_tbl, frame, err, &pr,
                                &v.rss);
        SIM_ASSERT(error == 0);     /* the config was validated when set */
        if (v.rss.hashed) {
            v.queue = rss_indirect(&x->ind, v.rss.hash);
            v.reason = RXF_BY_RSS;
        } else {
            v.reason = RXF_DEFAULT_NO_HASH;
        }
        break;

    case RXF_MODE_NONE:
    default:
        v.reason = RXF_DEFAULT_MODE_NONE;
        break;
    }
    SIM_ASSERT(v.queue < x->n_queues);
    if (out) {
        *out = v;
    }
    return v.queue;
}

const char *
rxf_mode_name(enum rxf_mode mode)
{
    switch (mode) {
    case RXF_MODE_NONE:
        return "none";
    case RXF_MODE_RSS:
        return "rss";
    case RXF_MODE_VMQ:
        return "vmq";
    }
    return "unknown";
}

const char *
rxf_reason_name(enum rxf_reason reason)
{
    static const char *const names[RXF_REASON_N] = {
        [RXF_BY_FILTER] = "filter",
        [RXF_BY_RSS] = "rss",
        [RXF_DEFAULT_NO_MATCH] = "no-match",
        [RXF_DEFAULT_NO_HASH] = "no-hash",
        [RXF_DEFAULT_MODE_NONE] = "mode-none",
    };

    if ((unsigned) reason >= RXF_REASON_N) {
        return "unknown";
    }
    return names[reason];
}
