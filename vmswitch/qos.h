/*
 * qos.h -- token buckets on caller time for libvmswitch's bandwidth
 * policies: a port's maximum bandwidth (egress), its ingress rate limit,
 * and minimum-bandwidth reservations on a shared, oversubscribed link.
 *
 * TIME.  Nothing here reads a clock: every call takes 'now_ns', the
 * caller's time in nanoseconds, which must not go backwards (if it does,
 * the call earns no tokens and the bucket keeps its later time).
 *
 * UNITS AND ROUNDING.  A bucket counts tokens in nanobits (10^-9 bit).  A
 * rate of R bit/s earns exactly R nanobits per nanosecond, and a frame of
 * B bytes costs exactly B * 8 * 10^9 nanobits, so accrual and spending are
 * exact integer arithmetic: there is no rounding anywhere and no drift,
 * however the time is sliced.  The only quantisation is the caller's: a
 * frame is admitted or not at the nanosecond it is offered.  Limits that
 * keep everything inside 64 bits: rates up to VSW_QOS_RATE_MAX (10 Tb/s),
 * bursts up to VSW_QOS_BURST_MAX (1 GiB).  A long idle period cannot
 * overflow: accrual is capped at the burst before it is multiplied out.
 *
 * A BUCKET (struct vsw_qos_bucket) has a rate in bit/s and a burst size in
 * bytes; it starts full.  vsw_qos_bucket_admit() admits a frame if the
 * bucket holds at least the frame's cost, and then takes it; otherwise it
 * takes nothing and the frame does not conform (the caller drops it).  A
 * frame larger than the burst therefore never conforms, so bursts must be
 * at least one maximum-size frame (vsw_qos_default_burst_bytes() gives
 * 10 ms at the rate, at least 1518 bytes).  Rate 0 means "no limit":
 * everything conforms.  Changing the rate keeps the tokens earned so far
 * at the old rate (and clips them to a smaller burst).  The same bucket
 * serves as a port's maximum-bandwidth limiter and as its ingress rate
 * limiter; which bytes a frame counts (with or without the 802.1Q tag,
 * preamble and gap) is the caller's choice, applied consistently.
 *
 * RESERVATIONS (struct vsw_qos_share): a link of capacity C bit/s shared
 * by numbered members (ports), each with an optional minimum reservation
 * r_i, either absolute (bit/s; the sum must not exceed C) or by weight
 * (r_i = floor(C * w_i / sum of weights), rounding down, so the shares
 * never sum above C), as Hyper-V's switch offers in its two bandwidth
 * reservation modes.  The scheme is deliberately simple:
 *   - each member has a reservation bucket at rate r_i; the link has one
 *     bucket at rate C;
 *   - a frame that conforms to its member's reservation bucket is always
 *     admitted (VSW_QOS_RESERVED), and is charged to the link bucket too,
 *     which may go into debt (down to minus one burst) for it;
 *   - any other frame is admitted only if the link bucket can pay for it
 *     (VSW_QOS_SHARED), else dropped (VSW_QOS_DROPPED).
 * So a member sending within its reservation is never dropped, however
 * oversubscribed the link; the rest of the capacity, including the unused
 * part of idle members' reservations, goes to excess traffic first come,
 * first served (no fairness among excess senders is attempted); and over
 * any interval the link admits at most C times the interval plus its burst
 * plus the members' bursts.
 *
 * CONCURRENCY.  Admission writes the bucket: the caller serialises access
 * to each bucket or share (e.g. one lock per port).  Buckets are plain
 * structs so they can be embedded without allocation; treat their fields as
 * private.  A share is allocated once by vsw_qos_share_create() and never
 * allocates afterwards.  Fallible calls return 0 or a positive errno and
 * change nothing on failure.
 */
#ifndef VMSWITCH_QOS_H
#define VMSWITCH_QOS_H 1

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VSW_QOS_RATE_MAX UINT64_C(10000000000000)  /* 10 Tb/s */
#define VSW_QOS_BURST_MAX (UINT64_C(1) << 30)      /* bytes */
#define VSW_QOS_WEIGHT_MAX 10000

/* A token bucket.  Fields are private; embed freely. */
struct vsw_qos_bucket {
    uint64_t rate_bps;          /* 0: no limit */
    uint64_t burst_bytes;
    int64_t tokens_nb;          /* nanobits; negative = debt */
    uint64_t last_ns;           /* time of the last accrual */
};

/* 10 ms at 'rate_bps', rounded up to whole bytes, at least 1518 bytes and
 * at most VSW_QOS_BURST_MAX. */
uint64_t vsw_qos_default_burst_bytes(uint64_t rate_bps);

/* Sets up 'b' full, with 'rate_bps' (0 or 1..VSW_QOS_RATE_MAX) and
 * 'burst_bytes' (1..VSW_QOS_BURST_MAX; ignored for rate 0) at 'now_ns'.
 * Returns 0 or EINVAL ('b' untouched). */
int vsw_qos_bucket_init(struct vsw_qos_bucket *b, uint64_t rate_bps,
                        uint64_t burst_bytes, uint64_t now_ns);

/* Changes the rate and burst of 'b' at 'now_ns': tokens earned until
 * 'now_ns' at the old rate are kept (clipped to the new burst); a bucket
 * that had no limit starts full.  Returns 0 or EINVAL ('b' unchanged). */
int vsw_qos_bucket_set(struct vsw_qos_bucket *b, uint64_t rate_bps,
                       uint64_t burst_bytes, uint64_t now_ns);

/* If a frame of 'size_bytes' conforms at 'now_ns', takes its cost and
 * returns true; otherwise takes nothing and returns false. */
bool vsw_qos_bucket_admit(struct vsw_qos_bucket *b, uint64_t size_bytes,
                          uint64_t now_ns);

/* Would a frame of 'size_bytes' conform at 'now_ns'?  Changes nothing. */
bool vsw_qos_bucket_conforms(const struct vsw_qos_bucket *b,
                             uint64_t size_bytes, uint64_t now_ns);

/* Takes the cost of 'size_bytes' (at most the burst) whether or not it
 * conforms, letting the bucket go into debt down to minus one burst. */
void vsw_qos_bucket_charge(struct vsw_qos_bucket *b, uint64_t size_bytes,
                           uint64_t now_ns);

/* Whole bytes available at 'now_ns' (0 when in debt; UINT64_MAX for no
 * limit).  Changes nothing. */
uint64_t vsw_qos_bucket_available_bytes(const struct vsw_qos_bucket *b,
                                        uint64_t now_ns);

/* Nanoseconds from 'now_ns' until a frame of 'size_bytes' conforms (0 if
 * it does now; rounded up; UINT64_MAX if it never will, being larger than
 * the burst).  Changes nothing. */
uint64_t vsw_qos_bucket_wait_ns(const struct vsw_qos_bucket *b,
                                uint64_t size_bytes, uint64_t now_ns);

/* ---- minimum-bandwidth reservations on a shared link ------------------ */

struct vsw_qos_share;

enum vsw_qos_share_mode {
    VSW_QOS_SHARE_ABSOLUTE,     /* reservations in bit/s */
    VSW_QOS_SHARE_WEIGHT        /* reservations as weights 1..10000 */
};

enum vsw_qos_share_verdict {
    VSW_QOS_RESERVED,           /* admitted within the reservation */
    VSW_QOS_SHARED,             /* admitted from the unreserved capacity */
    VSW_QOS_DROPPED             /* not admitted */
};

/* Creates a share of a link of 'capacity_bps' (1..VSW_QOS_RATE_MAX) with
 * burst 'burst_bytes' (0: default) for members 0..'n_members'-1, none
 * reserving anything, at 'now_ns'.  Returns 0, EINVAL or ENOMEM. */
int vsw_qos_share_create(uint64_t capacity_bps, uint64_t burst_bytes,
                         enum vsw_qos_share_mode mode, uint32_t n_members,
                         uint64_t now_ns, struct vsw_qos_share **sharep);

/* Frees 's'.  Accepts NULL. */
void vsw_qos_share_destroy(struct vsw_qos_share *s);

/* Sets member 'member''s reservation ('reservation': bit/s or weight per
 * the mode; 0 removes it) and its reservation burst ('burst_bytes', 0:
 * default) at 'now_ns'.  In weight mode every member's rate is recomputed.
 * Returns 0, or EINVAL (bad member, weight above VSW_QOS_WEIGHT_MAX, or
 * absolute reservations summing above the capacity) with nothing
 * changed. */
int vsw_qos_share_set_member(struct vsw_qos_share *s, uint32_t member,
                             uint64_t reservation, uint64_t burst_bytes,
                             uint64_t now_ns);

/* The reserved rate of 'member' in bit/s (0 if none or out of range). */
uint64_t vsw_qos_share_reserved_bps(const struct vsw_qos_share *s,
                                    uint32_t member);

/* Decides whether a frame of 'size_bytes' from 'member' (out of range:
 * no reservation) may use the link at 'now_ns', and charges it. */
enum vsw_qos_share_verdict vsw_qos_share_admit(struct vsw_qos_share *s,
                                               uint32_t member,
                                               uint64_t size_bytes,
                                               uint64_t now_ns);

#ifdef __cplusplus
}
#endif

#endif /* VMSWITCH_QOS_H */
