/*
 * rxfilter.h -- the receive classifier of the physical NIC model: which
 * hardware receive queue a frame from the wire goes to.  It holds the
 * adapter's VMQ filter table and its RSS state (rss.h) and applies the
 * one that the adapter's mode selects.  The NIC model owns one 'struct
 * rxf' per adapter and calls rxf_classify() on every received frame; the
 * queue's ring, interrupt and processor are the NIC model's business.
 *
 * MODES.  As in NDIS, RSS and VMQ exclude each other on one adapter
 * ("*RssOrVmqPreference": bound to TCP/IP the adapter does RSS, bound to
 * the Hyper-V switch it does VMQ).  The adapter is in one of three modes:
 *   RXF_MODE_NONE  every frame goes to the default queue, 0;
 *   RXF_MODE_RSS   the RSS hash and indirection table pick the queue; a
 *                  frame that cannot be hashed goes to queue 0;
 *   RXF_MODE_VMQ   a frame matching a filter goes to that filter's queue,
 *                  any other to the default queue 0.
 * INVARIANT: filters exist only in VMQ mode.  Adding one in another mode
 * fails with EINVAL; leaving VMQ mode while filters remain fails with
 * EBUSY (remove them first, as NDIS frees queues before switching).
 *
 * FILTERS.  A VMQ filter is a destination MAC address (unicast) and a
 * VLAN test, steering to a queue.  The VLAN test follows NDIS
 * ("Setting a Receive Filter on a Virtual Port"):
 *   a VLAN id 1..4094   the frame must carry a tag with that id;
 *   RXF_VLAN_UNTAGGED   the frame must be untagged or carry VLAN id 0
 *                       (NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO);
 *   RXF_VLAN_ANY        no VLAN test: any tag or none (a MAC-only filter).
 * A filter is identified by its (MAC, VLAN test) pair: adding the same
 * pair twice fails with EEXIST whatever the queue.  A frame may match at
 * most one filter with a VLAN id or UNTAGGED test and at most one ANY
 * filter of its MAC; the specific one wins.  So the outcome never depends
 * on the order filters were added.  The VLAN id of a frame is the one the
 * parser reports (the inner, C-tag, id of a double-tagged frame).
 *
 * CAPACITY.  The table holds at most 'max_filters' filters, fixed at
 * creation (at most RXF_MAX_FILTERS); adding one more fails with ENOSPC.
 * Queue numbers are 0 .. n_queues - 1; queue 0 is the default queue,
 * which always exists.  A filter may name queue 0.
 *
 * ERRORS AND DETERMINISM.  Every control call validates its arguments,
 * returns 0 or a positive errno, and leaves the classifier unchanged on
 * error.  rxf_classify() cannot fail: a frame that is too short or
 * malformed simply goes to queue 0.  Lookups scan the filters in a fixed
 * order; nothing depends on addresses, time or randomness.
 */
#ifndef VNETSIM_MODELS_RXFILTER_H
#define VNETSIM_MODELS_RXFILTER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/rss.h"

/* The largest filter table an adapter may have. */
#define RXF_MAX_FILTERS 256

/* The most queues an adapter may have. */
#define RXF_MAX_QUEUES 4096

/* The default queue (NDIS_DEFAULT_RECEIVE_QUEUE_ID). */
#define RXF_DEFAULT_QUEUE 0

/* VLAN tests other than a VLAN id (1 .. 4094). */
#define RXF_VLAN_UNTAGGED 0             /* untagged or VLAN id 0 */
#define RXF_VLAN_ANY 0xffff             /* no VLAN test */

/* The adapter's receive mode. */
enum rxf_mode {
    RXF_MODE_NONE = 0,
    RXF_MODE_RSS,
    RXF_MODE_VMQ
};

/* Why rxf_classify() chose the queue it did. */
enum rxf_reason {
    RXF_BY_FILTER = 0,              /* VMQ: a filter matched */
    RXF_BY_RSS,                     /* RSS: hash and indirection table */
    RXF_DEFAULT_NO_MATCH,           /* VMQ: no filter matched */
    RXF_DEFAULT_NO_HASH,            /* RSS: the frame could not be hashed */
    RXF_DEFAULT_MODE_NONE,          /* neither RSS nor VMQ */
    RXF_REASON_N
};

/* The outcome of classifying one frame. */
struct rxf_verdict {
    uint32_t queue;                 /* the receive queue */
    enum rxf_reason reason;
    struct rss_result rss;          /* RSS mode: the hash for the frame's
                                     * OOB metadata; else "not hashed" */
};

struct rxf;

/* Creates a classifier for an adapter with 'n_queues' receive queues
 * (1 .. RXF_MAX_QUEUES, queue 0 included) and room for 'max_filters'
 * VMQ filters (1 .. RXF_MAX_FILTERS), in RXF_MODE_NONE, with the default
 * RSS configuration (rss_config_init()) and a one-entry indirection
 * table pointing at queue 0.  Stores it in '*out' and returns 0, or
 * returns EINVAL (bad counts) or ENOMEM. */
int rxf_create(uint32_t n_queues, uint32_t max_filters, struct rxf **out);

/* Frees 'x'; NULL is ignored. */
void rxf_destroy(struct rxf *x);

/* The current mode. */
enum rxf_mode rxf_get_mode(const struct rxf *x);

/* Switches to 'mode'.  Returns 0; EINVAL for an unknown mode; EBUSY when
 * leaving RXF_MODE_VMQ with filters installed.  Setting the current mode
 * again is a no-op. */
int rxf_set_mode(struct rxf *x, enum rxf_mode mode);

/* Replaces the RSS configuration with a copy of '*cfg'.  Returns 0 or
 * the rss_config_validate() error.  Allowed in any mode; used in RSS
 * mode. */
int rxf_set_rss_config(struct rxf *x, const struct rss_config *cfg);

/* The current RSS configuration. */
const struct rss_config *rxf_get_rss_config(const struct rxf *x);

/* Replaces the indirection table with a copy of '*tbl'.  Returns 0, or
 * EINVAL if its size is not valid or an entry is not a queue of this
 * adapter (>= n_queues). */
int rxf_set_indirection(struct rxf *x, const struct rss_indirection *tbl);

/* The current indirection table. */
const struct rss_indirection *rxf_get_indirection(const struct rxf *x);

/* Adds the filter ('mac', 'vlan') steering to 'queue'.  Returns 0;
 * EINVAL if not in VMQ mode, 'mac' is a group (multicast or broadcast)
 * or all-zero address, 'vlan' is not 1..4094, RXF_VLAN_UNTAGGED or
 * RXF_VLAN_ANY, or 'queue' >= n_queues; EEXIST if the pair is already a
 * filter; ENOSPC if the table is full. */
int rxf_filter_add(struct rxf *x, const uint8_t mac[6], uint16_t vlan,
                   uint32_t queue);

/* Removes the filter ('mac', 'vlan').  Returns 0 or ENOENT. */
int rxf_filter_remove(struct rxf *x, const uint8_t mac[6], uint16_t vlan);

/* Removes every filter steering to 'queue' (as freeing the queue does)
 * and returns how many there were. */
uint32_t rxf_filter_remove_queue(struct rxf *x, uint32_t queue);

/* Exact lookup of the filter ('mac', 'vlan'): stores its queue in
 * '*queue' (if not NULL) and returns 0, or returns ENOENT. */
int rxf_filter_lookup(const struct rxf *x, const uint8_t mac[6],
                      uint16_t vlan, uint32_t *queue);

/* The number of filters installed. */
uint32_t rxf_filter_count(const struct rxf *x);

/* Frame matching: the queue for a frame to 'dst_mac' that carries a tag
 * with VLAN id 'vlan_id' ('tagged') or none, by the rules of FILTERS.
 * Stores the queue in '*queue' and returns true, or returns false if no
 * filter matches.  For a NIC model that has the tag out of band. */
bool rxf_match(const struct rxf *x, const uint8_t dst_mac[6], bool tagged,
               uint16_t vlan_id, uint32_t *queue);

/* Classifies the 'len' bytes of the Ethernet frame at 'frame' by the
 * rules of MODES, filling '*out' if it is not NULL, and returns the
 * queue. */
uint32_t rxf_classify(const struct rxf *x, const void *frame, size_t len,
                      struct rxf_verdict *out);

/* Returns a static name for 'mode' ("none", "rss", "vmq"), or
 * "unknown". */
const char *rxf_mode_name(enum rxf_mode mode);

/* Returns a static name for 'reason' ("filter", "rss", "no-match",
 * "no-hash", "mode-none"), or "unknown". */
const char *rxf_reason_name(enum rxf_reason reason);

#endif /* VNETSIM_MODELS_RXFILTER_H */
