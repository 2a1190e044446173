/*
 * vswitch.h -- libvmswitch's switch: the vswitch, vport and NIC objects,
 * the one control entry point (vsw_ctl) and the packet pipeline
 * (vsw_process).  This is the library's main public header; the frame
 * (packet.h), parser (parse.h), offloads (offload.h) and tables (fdb.h,
 * acl.h, qos.h) it composes have their own.
 *
 * OBJECTS.  As in Hyper-V's VMSWITCH, a switch has ports (vports) and a
 * port has at most one NIC.  A port exists before its NIC and outlives it:
 *
 *     port create -> NIC create -> NIC connect (link up) -> NIC update ...
 *       -> NIC disconnect (link down) -> NIC delete -> port teardown
 *
 * Tearing down a port whose NIC exists (connected or not) fails with EBUSY;
 * deleting a connected NIC fails with EBUSY.  Connect and disconnect call
 * the NIC's link-state callback (link up / link down) after the change is
 * published.  Disconnect flushes every address learned on the port.  Port
 * ids are positive, assigned in creation order and never reused within a
 * switch, so a stale forwarding entry can never point to a new port.
 *
 * NIC KINDS.  A NIC is a physical NIC (the protocol edge to the wire), a
 * host virtual NIC (miniport), a VM NIC (VMBus) or a legacy NIC (emulated,
 * direct I/O).  The owner of a NIC supplies an ops table (deliver a batch of
 * frames, link-state change), an opaque owner context and the NIC's offload
 * capabilities.  The pipeline never branches on the kind: only on the
 * capabilities, which decide whether the switch inserts 802.1Q tags into
 * the bytes and computes checksums or segments LSO frames in software.
 * There is no switch "type": vsw_switch_kind() derives external / internal
 * / private from the kinds of the NICs currently connected.
 *
 * THE CONTROL PLANE is vsw_ctl(switch, command, argument), the IOCTL shape:
 * one entry point, a command code and a command-specific struct with "in"
 * and "out" fields, so Lua, tests and a future daemon drive the switch the
 * same way.  The typed wrappers below (vsw_port_create(), ...) only fill
 * the struct and call vsw_ctl().  Every command either succeeds or returns
 * a positive errno and changes nothing: EINVAL for invalid arguments,
 * ENOENT for an unknown port, EBUSY for a lifecycle violation, EEXIST for a
 * duplicate, ENOMEM when an allocation fails.  Configuration commands never
 * block on the data path.
 *
 * THE PIPELINE.  vsw_process() takes a batch of frames indicated by the NIC
 * of one source port and runs each through numbered stages (see the essay
 * in pipeline.c):
 *
 *   ingress     1 accept: source port connected, frame well formed
 *               2 VLAN: strip the tag into the out-of-band metadata,
 *                 classify (port mode, priority tags are untagged) and
 *                 filter
 *               3 guards: MAC spoofing, DHCP server, router advertisement
 *               4 ingress ACL, 5 ingress rate limit
 *               6 ingress extensions (capture, filter), in order
 *   forwarding  7 learn (MAC, VLAN) -> port, 8 look up the destination
 *                 (a configured address of a VM, legacy or host NIC on
 *                 the frame's VLAN first, then the learned table) or
 *                 flood within the VLAN, never back to the ingress port,
 *               9 forwarding extensions choose or exclude destinations,
 *              10 mirror destinations are added
 *   egress     11 per destination: VLAN membership and tagging, egress
 *                 ACL, QoS (maximum bandwidth), egress extensions in
 *                 reverse order, software offloads the NIC lacks
 *              12 delivery through the destination NIC's ops
 *
 * Every frame that does not reach a destination is dropped with a named
 * reason (enum vsw_drop_reason), counted per port and per reason.
 *
 * 802.1Q.  Tags travel out of band inside the switch (struct vsw_pkt's
 * OOB VLAN id and priority), as NDIS carries Ieee8021QNetBufferListInfo: a
 * tag in the bytes is stripped at ingress, and inserted at egress into the
 * bytes only for a NIC that cannot take it out of band.  A port's mode
 * decides classification and membership:
 *
 *   mode          ingress untagged/prio  ingress tagged V     egress frame in VLAN V
 *   UNTAGGED      VLAN 0                 dropped              V = 0: untagged
 *   ACCESS A      VLAN A                 V = A ok, else drop  V = A: untagged
 *   TRUNK N, set  VLAN N (0 if none)     V in set or N ok     V = N: untagged;
 *                                                             V in set: tagged V
 *   PVLAN (P, S)  isolated/community: S  V = S ok             isolated: P;
 *                 promiscuous: P         (promiscuous: V = P) community: P, S;
 *                                                             promiscuous: P and
 *                                                             its secondaries
 *                                                             (all untagged)
 *
 * VLAN 0 is the untagged domain.  A priority-tagged frame (VID 0) counts as
 * untagged for membership but keeps its priority (PCP) out of band.  All
 * VLANs of one private VLAN share one learning domain (the primary VID),
 * so a promiscuous port finds an isolated host's address.
 *
 * COUNTERS are kept per processor: vsw_process() takes the index 'cpu' of
 * the processor it runs on (below the switch's max_cpus) and only ever
 * writes that processor's slot, with plain loads and stores (relaxed atomic
 * accesses that compile to ordinary moves: no locked instructions).  Reads
 * (VSW_CTL_*_COUNTERS) sum the slots.
 *
 * CONCURRENCY.  Data-path calls (vsw_process) may run in parallel threads
 * provided no two run with the same 'cpu' at once.  Control calls
 * (vsw_ctl) are serialised by a switch mutex and may run in parallel with
 * the data path.  The configuration (ports, NICs, VLAN modes, guards, ACLs,
 * QoS settings, mirrors, extensions) is an immutable snapshot: vsw_ctl
 * builds a new one, publishes it with one pointer store (release) and
 * retires the old one.  vsw_process marks its processor's epoch slot busy,
 * loads the pointer (acquire) and uses that snapshot for the whole batch;
 * a retired snapshot is freed by a later vsw_ctl once every processor has
 * been idle or has entered a newer epoch since it was retired (a simple
 * quiescent-state RCU; the control plane never waits).  State the data
 * path writes lives outside the snapshot: per-processor counters, QoS
 * token buckets (one small lock per port, only when QoS is configured) and
 * the forwarding database, guarded by a writer-preferring readers-writer
 * lock: lookups and vsw_fdb_learn_needed() run under the read lock, taken
 * once per batch, and the write lock is taken only to learn a new
 * station, a station move, or a refresh that is due (refreshes are skipped
 * for 1/256 of the aging time), so the known-unicast path writes no shared
 * memory but one lock word per batch.  Why a lock rather than
 * per-processor learning queues: a reply must find the station its
 * request just taught, on any processor.  NIC deliver callbacks run on the
 * data-path thread with no switch lock held (they may call vsw_ctl());
 * extension callbacks run with the FDB read lock held and must call
 * neither vsw_ctl() nor vsw_process().
 *
 * MEMORY.  vsw_process() borrows the caller's frames: it may change them
 * (tag stripped, then inserted; checksums filled in) and delivers the
 * original to one destination, but never frees them.  Clones for extra
 * destinations and software-LSO segments belong to the switch and are freed
 * when the NIC's deliver callback returns; a NIC that keeps a frame copies
 * it.  No allocation failure aborts: the data path drops the frame with
 * VSW_DROP_NOMEM.
 *
 * WORK ACCOUNTING.  Every vsw_process() call fills a struct vsw_work with
 * what it did (frames parsed, table lookups, learns, ACL rules evaluated,
 * bytes copied for clones, bytes checksummed, segments produced, extension
 * calls, frames delivered and dropped), which a CPU model turns into
 * cycles.  The numbers depend only on the frames and the configuration.
 */
#ifndef VMSWITCH_VSWITCH_H
#define VMSWITCH_VSWITCH_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vsw_switch;
struct vsw_pkt;

/* ------------------------------------------------------------------ */
/* Limits. */

#define VSW_MAX_CPUS 256          /* largest max_cpus */
#define VSW_NIC_MAX_MACS 8        /* configured MAC addresses per NIC */
#define VSW_MAX_EXTENSIONS 16     /* extensions per switch */
#define VSW_NAME_MAX 32           /* bytes of a port or NIC name, NUL included */
#define VSW_VID_MAX 4094          /* largest usable VLAN id */

/* ------------------------------------------------------------------ */
/* Drop reasons. */

/* Why a frame (or one copy of it) was dropped.  Counted per switch, per
 * port (the ingress port for stages 1-10, the destination port for stage
 * 11-12) and per reason. */
enum vsw_drop_reason {
    VSW_DROP_NONE = 0,
    VSW_DROP_NO_PORT,             /* source port unknown */
    VSW_DROP_LINK_DOWN,           /* source or destination NIC not connected */
    VSW_DROP_MALFORMED,           /* the parser rejected the frame */
    VSW_DROP_BAD_SOURCE_MAC,      /* group or all-zero source address */
    VSW_DROP_STAG,                /* 802.1ad service tag: not switched */
    VSW_DROP_VLAN_TAGGED,         /* tagged frame on a port that takes none */
    VSW_DROP_VLAN_INGRESS,        /* VID not allowed on the ingress port */
    VSW_DROP_VLAN_EGRESS,         /* destination not a member of the VLAN */
    VSW_DROP_PVLAN_ISOLATION,     /* private VLAN isolation */
    VSW_DROP_MAC_SPOOF,           /* source MAC not the NIC's (guard on) */
    VSW_DROP_DHCP_GUARD,          /* DHCP server message from a guarded port */
    VSW_DROP_ROUTER_GUARD,        /* RA or redirect from a guarded port */
    VSW_DROP_ACL_INGRESS,         /* denied by an ingress ACL rule */
    VSW_DROP_RATE_LIMIT,          /* over the ingress rate limit */
    VSW_DROP_EXT_INGRESS,         /* dropped by an ingress extension */
    VSW_DROP_MAC_LIMIT,           /* new source beyond the port's limit */
    VSW_DROP_LEARN_DENIED,        /* source statically bound to another port */
    VSW_DROP_OWN_PORT,            /* destination learned on the ingress port */
    VSW_DROP_NO_DESTINATION,      /* flooded, but no other port in the VLAN */
    VSW_DROP_EXT_FORWARD,         /* a forwarding extension excluded it */
    VSW_DROP_ACL_EGRESS,          /* denied by an egress ACL rule */
    VSW_DROP_QOS,                 /* over the destination's maximum bandwidth */
    VSW_DROP_EXT_EGRESS,          /* dropped by an egress extension */
    VSW_DROP_OFFLOAD,             /* software checksum/LSO impossible */
    VSW_DROP_NOMEM,               /* an allocation failed */
    VSW_DROP_MAX
};

/* Returns a constant lower-case name for 'r' ("vlan-ingress", ...), or
 * "unknown" for a value out of range. */
const char *vsw_drop_reason_name(enum vsw_drop_reason r);

/* ------------------------------------------------------------------ */
/* NICs. */

enum vsw_nic_kind {
    VSW_NIC_PHYSICAL,    /* protocol edge: the wire */
    VSW_NIC_HOST,        /* host virtual NIC (miniport) */
    VSW_NIC_VM,          /* VM NIC over VMBus */
    VSW_NIC_LEGACY,      /* emulated NIC (direct I/O) */
    VSW_NIC_KIND_MAX
};

const char *vsw_nic_kind_name(enum vsw_nic_kind k);

/* What a NIC does itself on frames the switch delivers to it.  A NIC
 * without a capability gets the work done in software by the switch. */
struct vsw_nic_caps {
    bool csum_ipv4;            /* fills IPv4 header + TCP/UDP checksums */
    bool csum_ipv6;            /* fills TCP/UDP-over-IPv6 checksums */
    uint32_t lso_v1_max_bytes; /* LSOv1 (IPv4) max super-frame, 0 = none */
    uint32_t lso_v2_max_bytes; /* LSOv2 (IPv4/IPv6) max, 0 = none */
    bool vlan_oob;             /* takes the 802.1Q tag out of band */
};

/* Delivers 'n' frames to a NIC's owner 'owner'.  The frames are lent for
 * the duration of the call only; a NIC that keeps one copies it.  Called
 * on the data-path thread, from inside vsw_process(), with no switch lock
 * held: it may call vsw_ctl() (the batch in progress keeps the
 * configuration it started with) or vsw_process() for another port. */
typedef void vsw_nic_deliver_fn(void *owner, struct vsw_pkt *const pkts[],
                                size_t n);

/* Reports the link state of a NIC to its owner: true after connect, false
 * after disconnect.  Called by vsw_ctl() after the change is published
 * and the control mutex released, so it may itself call vsw_ctl(). */
typedef void vsw_nic_link_fn(void *owner, bool link_up);

struct vsw_nic_ops {
    vsw_nic_deliver_fn *deliver;    /* required */
    vsw_nic_link_fn *link_changed;  /* optional */
};

enum vsw_switch_kind {
    VSW_SWITCH_PRIVATE,   /* only VM (or legacy) NICs connected, or none */
    VSW_SWITCH_INTERNAL,  /* a host virtual NIC, no physical NIC */
    VSW_SWITCH_EXTERNAL   /* a physical NIC connected */
};

const char *vsw_switch_kind_name(enum vsw_switch_kind k);

/* ------------------------------------------------------------------ */
/* Port configuration. */

enum vsw_vlan_mode {
    VSW_VLAN_UNTAGGED,       /* the default: the untagged domain (VLAN 0) */
    VSW_VLAN_ACCESS,         /* one VLAN, untagged on the port */
    VSW_VLAN_TRUNK,          /* allowed set tagged + native VLAN untagged */
    VSW_VLAN_PVLAN           /* private VLAN */
};

enum vsw_pvlan_kind {
    VSW_PVLAN_ISOLATED,      /* talks to promiscuous ports only */
    VSW_PVLAN_COMMUNITY,     /* to its community and promiscuous ports */
    VSW_PVLAN_PROMISCUOUS    /* to every port of the private VLAN */
};

/* A set of VLAN ids 0..4095 as a bitmap. */
struct vsw_vid_set {
    uint64_t bits[4096 / 64];
};

void vsw_vid_set_clear(struct vsw_vid_set *s);
void vsw_vid_set_add(struct vsw_vid_set *s, uint16_t vid);
void vsw_vid_set_add_range(struct vsw_vid_set *s, uint16_t lo, uint16_t hi);
bool vsw_vid_set_contains(const struct vsw_vid_set *s, uint16_t vid);

/* A port's 802.1Q configuration.  VIDs are 1..4094 unless stated. */
struct vsw_vlan_config {
    enum vsw_vlan_mode mode;
    uint16_t access_vid;           /* ACCESS */
    uint16_t native_vid;           /* TRUNK: 0 = the untagged domain */
    struct vsw_vid_set allowed;    /* TRUNK: VIDs carried tagged */
    enum vsw_pvlan_kind pvlan;     /* PVLAN */
    uint16_t primary_vid;          /* PVLAN */
    uint16_t secondary_vid;        /* PVLAN isolated/community */
    struct vsw_vid_set secondaries;/* PVLAN promiscuous: its secondaries */
};

/* Source-port security policies (all off by default). */
struct vsw_guards {
    bool mac_spoof;     /* source MAC must be one of the NIC's MACs */
    bool dhcp;          /* drop DHCP/DHCPv6 server messages */
    bool router;        /* drop ICMPv6 RA/redirect and ICMP redirect */
};

/* Port mirroring: copies of frames received on ('ingress') and/or sent to
 * ('egress') this port also go to port 'dest' (0 = off), as they are on
 * the wire here (with their VLAN tag out of band), bypassing the mirror
 * port's VLAN, ACL and QoS policies. */
struct vsw_mirror {
    uint32_t dest;
    bool ingress;
    bool egress;
};

/* Bandwidth policies of a port, in bits per second (0 = none) and burst
 * bytes (0 = a default of 10 ms at the rate, at least one 1518-byte frame).
 * 'max_bps' limits traffic sent to the port's NIC (egress); 'reserve_bps'
 * is a minimum guaranteed to it: frames within the reservation pass the
 * maximum-bandwidth check even when it is exhausted; 'ingress_bps' limits
 * traffic the NIC sends into the switch. */
struct vsw_qos_config {
    uint64_t max_bps;
    uint64_t max_burst_bytes;
    uint64_t reserve_bps;
    uint64_t ingress_bps;
    uint64_t ingress_burst_bytes;
};

/* ------------------------------------------------------------------ */
/* Counters (sums over processors). */

struct vsw_port_counters {
    uint64_t rx_frames;        /* frames the port's NIC sent into the switch */
    uint64_t rx_bytes;
    uint64_t tx_frames;        /* frames delivered to the port's NIC */
    uint64_t tx_bytes;
    uint64_t flooded;          /* frames from this port flooded */
    uint64_t drops;            /* all reasons */
    uint64_t drop[VSW_DROP_MAX];
};

struct vsw_nic_counters {
    uint64_t rx_frames, rx_bytes;   /* sent into the switch by the NIC */
    uint64_t tx_frames, tx_bytes;   /* delivered to the NIC */
    uint64_t deliver_calls;         /* calls of ops->deliver */
};

struct vsw_switch_counters {
    uint64_t frames_in, bytes_in;
    uint64_t frames_out, bytes_out;
    uint64_t flooded, learned, moves;
    uint64_t drops;
    uint64_t drop[VSW_DROP_MAX];
};

/* ------------------------------------------------------------------ */
/* Work accounting. */

/* What one vsw_process() call did; zeroed at the start of the call. */
struct vsw_work {
    uint64_t frames_in;          /* frames handed in (injected ones too) */
    uint64_t frames_parsed;      /* parser runs */
    uint64_t lookups;            /* FDB lookups (learn checks included) */
    uint64_t learns;             /* FDB writes (new station, move, refresh) */
    uint64_t acl_rules;          /* ACL rules evaluated */
    uint64_t bytes_copied;       /* bytes copied to clone frames */
    uint64_t bytes_checksummed;  /* bytes summed by software checksums */
    uint64_t segments;           /* segments produced by software LSO */
    uint64_t ext_calls;          /* extension callbacks invoked */
    uint64_t frames_delivered;   /* frames handed to NICs */
    uint64_t frames_dropped;     /* frame copies dropped (any reason) */
    uint64_t deliver_calls;      /* NIC deliver callbacks */
};

/* ------------------------------------------------------------------ */
/* Extensions. */

enum vsw_ext_kind {
    VSW_EXT_CAPTURE,     /* inspects; cannot change or drop */
    VSW_EXT_FILTER,      /* may drop, modify, clone and inject */
    VSW_EXT_FORWARD      /* may also choose or exclude destinations */
};

enum vsw_ext_dir { VSW_EXT_INGRESS, VSW_EXT_EGRESS };

enum vsw_ext_verdict { VSW_EXT_PASS, VSW_EXT_DROP };

/* What an extension callback sees.  'pkt' is the frame (tag out of band);
 * a capture extension must not change it.  On ingress 'dst_port' is 0; on
 * egress it is the destination.  Helpers below act on it. */
struct vsw_ext_frame {
    enum vsw_ext_dir dir;
    uint32_t src_port;
    uint32_t dst_port;
    uint16_t vlan;           /* the VLAN the frame was classified into */
    unsigned cpu;
    uint64_t now_ns;
    struct vsw_pkt *pkt;
    void *internal_;         /* the pipeline's; do not touch */
};

/* Called once per frame on ingress (stage 6; forwarding extensions at
 * stage 9 with destinations chosen) and once per destination copy on
 * egress (stage 11).  The return value is ignored for capture extensions.
 * Callbacks run on data-path threads with the FDB read lock held: they
 * must call neither vsw_ctl() nor vsw_process(). */
typedef enum vsw_ext_verdict vsw_ext_fn(void *ctx, struct vsw_ext_frame *f);

struct vsw_ext_ops {
    vsw_ext_fn *ingress;     /* optional */
    vsw_ext_fn *egress;      /* optional */
};

/* Forwarding extensions, at ingress stage 9: the destination list.
 * vsw_ext_dest_count()/vsw_ext_dest_get() read it; vsw_ext_dest_add()
 * adds a port (returns 0, EEXIST, ENOENT (no such port), ENOSPC or
 * EPERM if the extension is not a forwarding one or this is egress);
 * vsw_ext_dest_exclude() removes one (0 or ENOENT). */
size_t vsw_ext_dest_count(const struct vsw_ext_frame *f);
uint32_t vsw_ext_dest_get(const struct vsw_ext_frame *f, size_t i);
int vsw_ext_dest_add(struct vsw_ext_frame *f, uint32_t port);
int vsw_ext_dest_exclude(struct vsw_ext_frame *f, uint32_t port);

/* Filter and forwarding extensions: queues 'pkt' (which must not be the
 * frame being processed; the switch takes ownership and frees it) to
 * enter the ingress pipeline from port 'src_port' once the current batch
 * has been switched, meeting only the ingress extensions after the
 * injecting one (all of them when injected on egress, as a frame modified
 * on egress must go through ingress again).  Typically 'pkt' is a modified
 * clone (clone-and-modify).  Returns 0, EINVAL, EPERM for a capture
 * extension, or ENOSPC (more than 32 injected frames in this call; 'pkt'
 * is freed). */
int vsw_ext_inject(struct vsw_ext_frame *f, struct vsw_pkt *pkt,
                   uint32_t src_port);

/* ------------------------------------------------------------------ */
/* Switch lifecycle (not configuration: these are not vsw_ctl commands). */

struct vsw_switch_params {
    const char *name;          /* optional */
    unsigned max_cpus;         /* 1..VSW_MAX_CPUS */
    uint32_t fdb_entries;      /* FDB capacity; 0 = 8192 */
    uint64_t aging_ns;         /* 0 = 300 s */
};

/* Creates a switch with no ports.  Returns 0 and stores it in '*swp', or
 * EINVAL / ENOMEM with nothing allocated. */
int vsw_switch_create(const struct vsw_switch_params *p,
                      struct vsw_switch **swp);

/* Frees 'sw' with its ports, NICs, extensions and tables, without calling
 * any NIC or extension callback.  No data-path call may be in progress.
 * Accepts NULL. */
void vsw_switch_destroy(struct vsw_switch *sw);

/* The derived switch kind, from the NICs connected now. */
enum vsw_switch_kind vsw_switch_kind(const struct vsw_switch *sw);

unsigned vsw_switch_max_cpus(const struct vsw_switch *sw);

/* ------------------------------------------------------------------ */
/* The control plane: commands and their argument structs. */

enum vsw_ctl_cmd {
    VSW_CTL_PORT_CREATE,        /* struct vsw_ctl_port_create */
    VSW_CTL_PORT_TEARDOWN,      /* struct vsw_ctl_port */
    VSW_CTL_NIC_CREATE,         /* struct vsw_ctl_nic_create */
    VSW_CTL_NIC_CONNECT,        /* struct vsw_ctl_port */
    VSW_CTL_NIC_UPDATE,         /* struct vsw_ctl_nic_update */
    VSW_CTL_NIC_DISCONNECT,     /* struct vsw_ctl_port */
    VSW_CTL_NIC_DELETE,         /* struct vsw_ctl_port */
    VSW_CTL_PORT_SET_VLAN,      /* struct vsw_ctl_port_vlan */
    VSW_CTL_PORT_SET_GUARDS,    /* struct vsw_ctl_port_guards */
    VSW_CTL_PORT_SET_MAC_LIMIT, /* struct vsw_ctl_port_mac_limit */
    VSW_CTL_PORT_SET_MIRROR,    /* struct vsw_ctl_port_mirror */
    VSW_CTL_PORT_SET_QOS,       /* struct vsw_ctl_port_qos */
    VSW_CTL_ACL_ADD,            /* struct vsw_ctl_acl_add */
    VSW_CTL_ACL_REMOVE,         /* struct vsw_ctl_acl_remove */
    VSW_CTL_ACL_HITS,           /* struct vsw_ctl_acl_hits */
    VSW_CTL_FDB_ADD_STATIC,     /* struct vsw_ctl_fdb_static */
    VSW_CTL_FDB_REMOVE,         /* struct vsw_ctl_fdb_static */
    VSW_CTL_FDB_FLUSH,          /* struct vsw_ctl_fdb_flush */
    VSW_CTL_FDB_AGE,            /* struct vsw_ctl_fdb_age */
    VSW_CTL_FDB_DUMP,           /* struct vsw_ctl_fdb_dump */
    VSW_CTL_SET_AGING,          /* struct vsw_ctl_aging */
    VSW_CTL_EXT_INSERT,         /* struct vsw_ctl_ext_insert */
    VSW_CTL_EXT_REMOVE,         /* struct vsw_ctl_ext_remove */
    VSW_CTL_PORT_LIST,          /* struct vsw_ctl_port_list */
    VSW_CTL_PORT_GET,           /* struct vsw_ctl_port_info */
    VSW_CTL_SWITCH_COUNTERS,    /* struct vsw_switch_counters (out) */
    VSW_CTL_PORT_COUNTERS,      /* struct vsw_ctl_port_counters */
    VSW_CTL_NIC_COUNTERS,       /* struct vsw_ctl_nic_counters */
    VSW_CTL_EXT_LIST,           /* struct vsw_ctl_ext_list */
    VSW_CTL_CMD_MAX
};

const char *vsw_ctl_cmd_name(enum vsw_ctl_cmd cmd);

/* The one control entry point.  Returns 0 or a positive errno; on error
 * nothing changed (see THE CONTROL PLANE). */
int vsw_ctl(struct vsw_switch *sw, enum vsw_ctl_cmd cmd, void *arg);

struct vsw_ctl_port_create {
    const char *name;          /* in, optional (copied, truncated) */
    uint32_t port_id;          /* out */
};

struct vsw_ctl_port {
    uint32_t port_id;          /* in */
};

struct vsw_nic_params {
    enum vsw_nic_kind kind;
    const char *name;                  /* optional (copied) */
    const struct vsw_nic_ops *ops;     /* required, must outlive the NIC */
    void *owner;                       /* passed to the ops */
    struct vsw_nic_caps caps;
    uint8_t macs[VSW_NIC_MAX_MACS][6]; /* the NIC's unicast addresses */
    unsigned n_macs;                   /* 0..VSW_NIC_MAX_MACS */
};

struct vsw_ctl_nic_create {
    uint32_t port_id;                  /* in */
    struct vsw_nic_params nic;         /* in */
};

/* NIC update: new capabilities and addresses (kind, ops and owner stay). */
struct vsw_ctl_nic_update {
    uint32_t port_id;
    struct vsw_nic_caps caps;
    uint8_t macs[VSW_NIC_MAX_MACS][6];
    unsigned n_macs;
};

struct vsw_ctl_port_vlan {
    uint32_t port_id;
    struct vsw_vlan_config vlan;
};

struct vsw_ctl_port_guards {
    uint32_t port_id;
    struct vsw_guards guards;
};

struct vsw_ctl_port_mac_limit {
    uint32_t port_id;
    uint32_t limit;            /* learned addresses; UINT32_MAX = none */
};

struct vsw_ctl_port_mirror {
    uint32_t port_id;
    struct vsw_mirror mirror;
};

struct vsw_ctl_port_qos {
    uint32_t port_id;
    struct vsw_qos_config qos;
};

enum vsw_acl_dir { VSW_ACL_IN, VSW_ACL_OUT };

struct vsw_acl_rule;   /* acl.h */

/* Adds a copy of 'rule' to the port's ingress or egress ACL; its id (for
 * removal) comes back in 'rule_id'. */
struct vsw_ctl_acl_add {
    uint32_t port_id;
    enum vsw_acl_dir dir;
    const struct vsw_acl_rule *rule;
    uint32_t rule_id;          /* out */
};

struct vsw_ctl_acl_remove {
    uint32_t port_id;
    enum vsw_acl_dir dir;
    uint32_t rule_id;
};

/* Reads how many frames matched rule 'rule_id' of a port's ACL (any
 * action: allow, deny or count), summed over processors.  Counts restart
 * at zero when the port's list in that direction changes. */
struct vsw_ctl_acl_hits {
    uint32_t port_id;
    enum vsw_acl_dir dir;
    uint32_t rule_id;
    uint64_t hits;             /* out */
};

struct vsw_ctl_fdb_static {
    uint32_t port_id;          /* in (ignored by FDB_REMOVE) */
    uint8_t mac[6];
    uint16_t vlan;             /* 0..4095: the learning VLAN */
};

enum vsw_fdb_flush_scope { VSW_FLUSH_ALL, VSW_FLUSH_PORT, VSW_FLUSH_VLAN };

struct vsw_ctl_fdb_flush {
    enum vsw_fdb_flush_scope scope;
    uint32_t port_id;          /* VSW_FLUSH_PORT */
    uint16_t vlan;             /* VSW_FLUSH_VLAN */
    size_t removed;            /* out */
};

/* Removes expired learned entries at 'now_ns'. */
struct vsw_ctl_fdb_age {
    uint64_t now_ns;
    size_t removed;            /* out */
    uint64_t next_expiry_ns;   /* out: when to call again (UINT64_MAX: never) */
};

struct vsw_fdb_entry_info;     /* fdb.h */

/* Copies the visible entries at 'now_ns', sorted by (VLAN, MAC), into
 * 'entries' (room for 'cap'); 'n' is the number of entries (if > 'cap',
 * ENOSPC is returned and 'n' says how many are needed). */
struct vsw_ctl_fdb_dump {
    uint64_t now_ns;
    struct vsw_fdb_entry_info *entries;
    size_t cap;
    size_t n;                  /* out */
};

struct vsw_ctl_aging {
    uint64_t aging_ns;         /* >= 1 */
};

struct vsw_ctl_ext_insert {
    const char *name;          /* optional (copied) */
    enum vsw_ext_kind kind;
    const struct vsw_ext_ops *ops;   /* must outlive the extension */
    void *ctx;
    int order;                 /* ascending on ingress, descending on egress;
                                * equal orders keep insertion order */
    uint32_t ext_id;           /* out */
};

struct vsw_ctl_ext_remove {
    uint32_t ext_id;
};

struct vsw_ext_info {
    uint32_t ext_id;
    char name[VSW_NAME_MAX];
    enum vsw_ext_kind kind;
    int order;
};

/* The extensions in pipeline order (ingress order). */
struct vsw_ctl_ext_list {
    struct vsw_ext_info *exts;   /* in: room for 'cap' */
    size_t cap;
    size_t n;                    /* out (ENOSPC if > cap) */
};

struct vsw_ctl_port_list {
    uint32_t *ids;             /* in: room for 'cap' ids (may be NULL if 0) */
    size_t cap;
    size_t n;                  /* out: number of ports (ENOSPC if > cap) */
};

enum vsw_nic_state {
    VSW_NIC_NONE,              /* no NIC on the port */
    VSW_NIC_CREATED,           /* created, link down */
    VSW_NIC_CONNECTED          /* link up */
};

/* Everything configured on a port (out, except 'port_id'). */
struct vsw_ctl_port_info {
    uint32_t port_id;
    char name[VSW_NAME_MAX];
    struct vsw_vlan_config vlan;
    struct vsw_guards guards;
    struct vsw_mirror mirror;
    struct vsw_qos_config qos;
    uint32_t mac_limit;
    size_t n_acl_in, n_acl_out;       /* rules */
    enum vsw_nic_state nic_state;
    enum vsw_nic_kind nic_kind;
    char nic_name[VSW_NAME_MAX];
    struct vsw_nic_caps nic_caps;
    uint8_t nic_macs[VSW_NIC_MAX_MACS][6];
    unsigned n_nic_macs;
};

struct vsw_ctl_port_counters {
    uint32_t port_id;
    struct vsw_port_counters c;  /* out */
};

struct vsw_ctl_nic_counters {
    uint32_t port_id;
    struct vsw_nic_counters c;   /* out: ENOENT if the port has no NIC */
};

/* ------------------------------------------------------------------ */
/* Typed wrappers: each fills its struct and calls vsw_ctl(). */

int vsw_port_create(struct vsw_switch *sw, const char *name,
                    uint32_t *port_id);
int vsw_port_teardown(struct vsw_switch *sw, uint32_t port_id);
int vsw_nic_create(struct vsw_switch *sw, uint32_t port_id,
                   const struct vsw_nic_params *nic);
int vsw_nic_connect(struct vsw_switch *sw, uint32_t port_id);
int vsw_nic_update(struct vsw_switch *sw, uint32_t port_id,
                   const struct vsw_nic_caps *caps,
                   const uint8_t (*macs)[6], unsigned n_macs);
int vsw_nic_disconnect(struct vsw_switch *sw, uint32_t port_id);
int vsw_nic_delete(struct vsw_switch *sw, uint32_t port_id);
int vsw_port_set_vlan(struct vsw_switch *sw, uint32_t port_id,
                      const struct vsw_vlan_config *vlan);
int vsw_port_set_guards(struct vsw_switch *sw, uint32_t port_id,
                        const struct vsw_guards *g);
int vsw_port_set_mac_limit(struct vsw_switch *sw, uint32_t port_id,
                           uint32_t limit);
int vsw_port_set_mirror(struct vsw_switch *sw, uint32_t port_id,
                        const struct vsw_mirror *m);
int vsw_port_set_qos(struct vsw_switch *sw, uint32_t port_id,
                     const struct vsw_qos_config *q);
int vsw_port_get(struct vsw_switch *sw, uint32_t port_id,
                 struct vsw_ctl_port_info *info);
int vsw_acl_add(struct vsw_switch *sw, uint32_t port_id, enum vsw_acl_dir dir,
                const struct vsw_acl_rule *rule, uint32_t *rule_id);
int vsw_acl_remove(struct vsw_switch *sw, uint32_t port_id,
                   enum vsw_acl_dir dir, uint32_t rule_id);
int vsw_acl_hits(struct vsw_switch *sw, uint32_t port_id,
                 enum vsw_acl_dir dir, uint32_t rule_id, uint64_t *hits);
int vsw_static_mac_add(struct vsw_switch *sw, uint32_t port_id,
                           const uint8_t mac[6], uint16_t vlan);
int vsw_static_mac_remove(struct vsw_switch *sw, const uint8_t mac[6],
                       uint16_t vlan);
int vsw_set_aging(struct vsw_switch *sw, uint64_t aging_ns);
int vsw_ext_insert(struct vsw_switch *sw, const char *name,
                   enum vsw_ext_kind kind, const struct vsw_ext_ops *ops,
                   void *ctx, int order, uint32_t *ext_id);
int vsw_ext_remove(struct vsw_switch *sw, uint32_t ext_id);
int vsw_switch_counters(struct vsw_switch *sw, struct vsw_switch_counters *c);
int vsw_port_counters(struct vsw_switch *sw, uint32_t port_id,
                      struct vsw_port_counters *c);
int vsw_nic_counters(struct vsw_switch *sw, uint32_t port_id,
                     struct vsw_nic_counters *c);

/* ------------------------------------------------------------------ */
/* The data path. */

/* Runs 'n' frames 'pkts' indicated by the NIC of port 'src_port' through
 * the pipeline on processor 'cpu' at caller time 'now_ns' (never smaller
 * than in an earlier call), delivering copies to destination NICs and
 * filling '*work' (may be NULL).  Returns 0, or EINVAL ('cpu' out of range
 * or a NULL frame; nothing done).  Frame fates are reported through NIC
 * deliveries and counters, never through the return value. */
int vsw_process(struct vsw_switch *sw, unsigned cpu, uint64_t now_ns,
                uint32_t src_port, struct vsw_pkt *const pkts[], size_t n,
                struct vsw_work *work);

#ifdef __cplusplus
}
#endif

#endif /* VMSWITCH_VSWITCH_H */
