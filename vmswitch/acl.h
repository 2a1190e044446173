/*
 * acl.h -- ordered access control lists for libvmswitch's ingress and
 * egress policy stages.
 *
 * WHAT A LIST IS.  A struct vsw_acl is an immutable, priority-ordered array
 * of rules plus a default verdict.  Nothing changes a list once built:
 * adding or removing a rule builds a new list from the old one
 * (vsw_acl_with_rule(), vsw_acl_without_rule()), and the old one stays valid
 * until its owner destroys it.  This is the shape read-copy-update wants:
 * the switch builds the new list on the control path, publishes it with one
 * pointer store, and frees the old one once no processor can still be
 * evaluating it.  Evaluation (vsw_acl_eval()) only reads the list, so any
 * number of processors may evaluate the same list at once with no locking.
 * A list knows no direction: a port owns one list for ingress and one for
 * egress, and a rule is written from the point of view of the frame
 * (source, destination), not of the port.
 *
 * ORDER.  Rules are evaluated from the highest priority (a signed 32-bit
 * number) to the lowest; rules with equal priority run in the order they
 * were added.  Each rule gets an id when added, unique within the lineage
 * of lists derived from one vsw_acl_create(), increasing in insertion order
 * and never reused, so the id also names the rule in later versions.
 *
 * MATCHING.  A rule matches when every field selected in its 'fields' mask
 * matches; a rule selecting no field matches every frame.  Fields: source
 * and destination MAC under a mask; VLAN id; ethertype; IP version; source
 * and destination IP prefix (IPv4 or IPv6; an IPv4 prefix only matches IPv4
 * frames and an IPv6 one only IPv6 frames; address bits beyond the prefix
 * length are ignored); IP protocol; source and destination transport port
 * ranges, inclusive (they only match frames that carry ports, i.e. whose
 * input says 'has_ports': TCP, UDP, SCTP, not non-first fragments).  The
 * frame is described by struct vsw_acl_match_input, which the switch fills
 * from the parser's flow key; IPv4 addresses travel in it as IPv4-mapped
 * IPv6 addresses (::ffff:a.b.c.d), as the parser keeps them.
 *
 * ACTIONS.  ALLOW and DENY end the evaluation with that verdict.  COUNT
 * counts the frame and evaluation continues with the next rule.  If no
 * ALLOW or DENY rule matches, the list's default verdict applies (ALLOW
 * unless chosen otherwise at creation).
 *
 * COUNTERS AND WORK.  Lists hold no counters (they are immutable and shared
 * by processors).  The caller passes vsw_acl_eval() an optional array of
 * 64-bit hit counters indexed by rule position, typically one array per
 * processor, and every matching rule (COUNT ones and the final ALLOW or
 * DENY) increments its slot; the caller sums the arrays when read.
 * Positions change when a list is rebuilt: vsw_acl_carry_hits() moves
 * counts from the old layout to the new one by rule id.  The result of an
 * evaluation also says how many rules were examined, for the switch's CPU
 * cost model: evaluation is a linear scan, so cost grows with the position
 * of the first terminal match.
 *
 * MEMORY AND ERRORS.  A list is one allocation.  Building returns 0 or a
 * positive errno (EINVAL for a bad rule, ENOENT for an unknown id, ENOMEM)
 * and never touches the old list; on failure nothing is allocated.
 * Evaluation never allocates and never fails.
 */
#ifndef VMSWITCH_ACL_H
#define VMSWITCH_ACL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_acl;

/* What a rule does when it matches; ALLOW and DENY are also verdicts. */
enum vsw_acl_action {
    VSW_ACL_ALLOW,          /* stop: allow */
    VSW_ACL_DENY,           /* stop: deny */
    VSW_ACL_COUNT           /* count the hit and go on */
};

/* Bits of vsw_acl_rule.fields: which fields a rule matches on. */
enum {
    VSW_ACL_M_SRC_MAC    = 1 << 0,  /* src_mac under src_mac_mask */
    VSW_ACL_M_DST_MAC    = 1 << 1,  /* dst_mac under dst_mac_mask */
    VSW_ACL_M_VLAN       = 1 << 2,  /* vlan (0..4095) */
    VSW_ACL_M_ETHERTYPE  = 1 << 3,  /* ethertype */
    VSW_ACL_M_IP_VERSION = 1 << 4,  /* ip_version (4 or 6) */
    VSW_ACL_M_SRC_IP     = 1 << 5,  /* src_ip prefix */
    VSW_ACL_M_DST_IP     = 1 << 6,  /* dst_ip prefix */
    VSW_ACL_M_IP_PROTO   = 1 << 7,  /* ip_proto */
    VSW_ACL_M_SRC_PORT   = 1 << 8,  /* src_port_min..src_port_max */
    VSW_ACL_M_DST_PORT   = 1 << 9,  /* dst_port_min..dst_port_max */
    VSW_ACL_M_ALL        = (1 << 10) - 1
};

/* An IP prefix.  For version 4, 'addr' holds the 4 address bytes first
 * (network order) and 'len' is 0..32; for version 6, 16 bytes and
 * 0..128. */
struct vsw_acl_prefix {
    uint8_t version;
    uint8_t len;
    uint8_t addr[16];
};

/* One rule.  Start from vsw_acl_rule_init() and set what you need. */
struct vsw_acl_rule {
    int32_t priority;               /* higher runs first */
    enum vsw_acl_action action;
    uint32_t fields;                /* VSW_ACL_M_* */
    uint8_t src_mac[6], src_mac_mask[6];
    uint8_t dst_mac[6], dst_mac_mask[6];
    uint16_t vlan;
    uint16_t ethertype;             /* host byte order */
    uint8_t ip_version;             /* 4 or 6 */
    uint8_t ip_proto;
    struct vsw_acl_prefix src_ip, dst_ip;
    uint16_t src_port_min, src_port_max;   /* inclusive, host order */
    uint16_t dst_port_min, dst_port_max;
};

/* The frame as the ACL sees it (filled by the switch from the parser). */
struct vsw_acl_match_input {
    uint8_t src_mac[6];
    uint8_t dst_mac[6];
    uint16_t vlan;                  /* 0..4095, after VLAN classification */
    uint16_t ethertype;             /* of the payload after any tags */
    uint8_t ip_version;             /* 0 (not IP), 4 or 6 */
    uint8_t ip_proto;               /* if ip_version != 0 */
    bool has_ports;                 /* src_port/dst_port are valid */
    uint16_t src_port, dst_port;    /* host order */
    uint8_t src_ip[16], dst_ip[16]; /* IPv6, or IPv4-mapped ::ffff:a.b.c.d */
};

/* What an evaluation found. */
struct vsw_acl_result {
    enum vsw_acl_action verdict;    /* VSW_ACL_ALLOW or VSW_ACL_DENY */
    bool matched;                   /* a rule (not the default) decided */
    uint32_t rule_id;               /* that rule's id, else 0 */
    uint32_t rule_index;            /* its position, else UINT32_MAX */
    uint32_t rules_evaluated;       /* rules examined (work) */
    uint32_t counted;               /* COUNT rules that matched */
};

/* Fills 'r' with a rule that matches everything and allows, priority 0,
 * with all-ones MAC masks and full port ranges ready for use. */
void vsw_acl_rule_init(struct vsw_acl_rule *r);

/* Helpers that set a prefix and its field bit in 'r'.  'addr' is 4 bytes
 * (IPv4) or 16 bytes (IPv6) in network order. */
void vsw_acl_rule_src_ipv4(struct vsw_acl_rule *r, const uint8_t addr[4],
                           unsigned len);
void vsw_acl_rule_dst_ipv4(struct vsw_acl_rule *r, const uint8_t addr[4],
                           unsigned len);
void vsw_acl_rule_src_ipv6(struct vsw_acl_rule *r, const uint8_t addr[16],
                           unsigned len);
void vsw_acl_rule_dst_ipv6(struct vsw_acl_rule *r, const uint8_t addr[16],
                           unsigned len);

/* Returns 0 if 'r' is a valid rule, else EINVAL: unknown field bits or
 * action, VLAN > 4095, IP version not 4 or 6, prefix length too long for
 * its version, prefixes of two versions or disagreeing with ip_version, or
 * a port range with min > max. */
int vsw_acl_rule_check(const struct vsw_acl_rule *r);

/* Creates an empty list with verdict 'default_verdict' (VSW_ACL_ALLOW or
 * VSW_ACL_DENY).  Returns 0, EINVAL or ENOMEM. */
int vsw_acl_create(enum vsw_acl_action default_verdict, struct vsw_acl **aclp);

/* Frees 'acl'.  Accepts NULL. */
void vsw_acl_destroy(struct vsw_acl *acl);

/* Builds in '*newp' a copy of 'old' (NULL: an empty list that allows by
 * default) with a copy of 'rule' added after every rule of higher or equal
 * priority, and stores the new rule's id in '*rule_id' (may be NULL).
 * 'old' is unchanged.  Returns 0, EINVAL (bad rule) or ENOMEM. */
int vsw_acl_with_rule(const struct vsw_acl *old,
                      const struct vsw_acl_rule *rule,
                      struct vsw_acl **newp, uint32_t *rule_id);

/* Builds in '*newp' a copy of 'old' without rule 'rule_id'.  Returns 0,
 * ENOENT (no such rule; nothing built) or ENOMEM. */
int vsw_acl_without_rule(const struct vsw_acl *old, uint32_t rule_id,
                         struct vsw_acl **newp);

/* Builds in '*newp' a copy of 'old' with default verdict 'v'.  Returns 0,
 * EINVAL or ENOMEM. */
int vsw_acl_with_default(const struct vsw_acl *old, enum vsw_acl_action v,
                         struct vsw_acl **newp);

/* A rule hit counter.  Each slot has one writer (the processor that owns
 * it), which adds with a relaxed load and store (plain moves on x86-64,
 * no locked instruction); any thread may read it with a relaxed load while
 * that writer runs. */
typedef _Atomic uint64_t vsw_acl_hit;

/* Evaluates 'acl' (NULL: empty, allow) on 'in' and fills '*res'.  If
 * 'hits' is not NULL it has vsw_acl_size(acl) counters and the slot of
 * every matching rule is incremented.  Read-only on 'acl'. */
void vsw_acl_eval(const struct vsw_acl *acl,
                  const struct vsw_acl_match_input *in, vsw_acl_hit *hits,
                  struct vsw_acl_result *res);

/* Number of rules in 'acl' (0 for NULL). */
size_t vsw_acl_size(const struct vsw_acl *acl);

/* The default verdict of 'acl' (VSW_ACL_ALLOW for NULL). */
enum vsw_acl_action vsw_acl_default(const struct vsw_acl *acl);

/* Returns the rule at position 'index' (evaluation order) and stores its
 * id in '*rule_id' (may be NULL), or NULL if 'index' is out of range. */
const struct vsw_acl_rule *vsw_acl_rule_at(const struct vsw_acl *acl,
                                           size_t index, uint32_t *rule_id);

/* Finds rule 'rule_id': stores its position in '*index' and returns true,
 * or returns false.  O(log n). */
bool vsw_acl_find(const struct vsw_acl *acl, uint32_t rule_id,
                  size_t *index);

/* Adds the counters 'old_hits' (laid out for 'old') into 'new_hits' (laid
 * out for 'new'), matching rules by id; counts of rules absent from 'new'
 * are dropped.  Either list may be NULL. */
void vsw_acl_carry_hits(const struct vsw_acl *old,
                        const vsw_acl_hit *old_hits,
                        const struct vsw_acl *new_acl, vsw_acl_hit *new_hits);

#ifdef __cplusplus
}
#endif

#endif /* VMSWITCH_ACL_H */
