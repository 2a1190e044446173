/*
 * traffic.h -- application-level traffic: endpoints that build and
 * receive real Ethernet/IPv4/UDP and TCP frames, generators that send
 * them (constant bit rate, Poisson, on/off, request/response, bulk TCP),
 * and sinks that measure what arrives.
 *
 * ENDPOINTS.  A struct traffic_ep is a network stack reduced to what
 * traffic needs: a name, a MAC, an IPv4 address, an optional 802.1Q VLAN
 * id, and a SEND HOOK, a function that takes a finished frame.  The
 * endpoint never knows what is behind the hook: a link (traffic_remote
 * below, a host beyond the wire), a NIC model of a guest VM, or a test's
 * fake path.  Frames arrive through traffic_ep_receive(), which checks
 * them the way a host stack would (destination MAC and VLAN, destination
 * IPv4 address, IPv4 header and TCP/UDP checksums unless the frame's
 * out-of-band metadata says a NIC verified them) and hands them to
 * whatever is bound to the (protocol, destination port); anything else
 * is counted as unknown and freed.
 *
 * FRAMES.  Every frame an endpoint builds is complete and correct:
 * Ethernet II (with an 802.1Q tag in the bytes if the endpoint has a
 * VLAN), IPv4 (20 bytes, DF, TTL 64, header checksum), then UDP or TCP
 * with its checksum over the IPv4 pseudo-header.  Frames shorter than 60
 * bytes (TCP ACKs) are padded with zeros after the IP datagram, as a NIC
 * pads them.  The transport payload starts with a TRAFFIC HEADER of 16
 * bytes, big-endian:
 *
 *     0   flow id        u32   which flow (unique per generator flow)
 *     4   sequence       u32   UDP: frame number within the flow, from 0;
 *                              TCP: segment number (offset / MSS)
 *     8   send time      u64   ps, when the frame was built and sent
 *
 * A request of request/response traffic has 4 more bytes, the size of the
 * response frame to send back; a response echoes the request's header.
 * The rest of the payload is zero.  The smallest untagged UDP frame is
 * therefore 14 + 20 + 8 + 16 = 58 bytes; generators accept frame sizes
 * from 60 bytes.
 *
 * FLOWS.  A generator runs 'n_flows' flows between its source endpoint
 * and one destination (MAC, IPv4, port); flow i has source port
 * src_port_base + i and flow id flow_id_base + i, so the flows have
 * distinct 5-tuples and RSS spreads them.  Frame-based generators visit
 * the flows round-robin: frame n of the generator belongs to flow
 * n mod n_flows.
 *
 * TIME.  Rates are integer bits per second.  By default a rate counts the
 * bits of the frame as held in struct vsw_pkt (no preamble, padding, FCS
 * or gap); TRAFFIC_RATE_WIRE counts the whole slot on an Ethernet wire
 * (link_slot_wire_bytes()), so 10 Gbit/s on the wire is line rate.  A
 * constant-rate schedule never accumulates a rounded gap: the n-th frame
 * since the start goes at start + ceil(n * bits * 10^12 / rate) ps,
 * computed exactly in 128-bit integers.  A generator sends nothing before
 * its start and nothing at or after its stop (0: never stops).
 *
 * DETERMINISM.  The only randomness is the Poisson generator's, drawn
 * from the named stream (run seed, generator component path, "arrivals")
 * of sim/rng.h.  Everything else is integer arithmetic on configuration
 * and simulated time.
 *
 * OWNERSHIP.  An endpoint owns everything created on it (generators,
 * sinks, servers, TCP flows) and frees them in traffic_ep_destroy(); a
 * traffic_remote owns its endpoint.  Pending events of these objects must
 * not run after they are destroyed: destroy them only when the simulation
 * will not run again.  The send hook takes ownership of every frame it is
 * given, whether it returns 0 or an error (a drop, which the endpoint
 * counts).  traffic_ep_receive() takes ownership of its frame.
 *
 * METRICS.  An endpoint NAME registers component NAME under its parent
 * with counters tx_frames, tx_bytes, tx_failed (the hook refused),
 * rx_frames, rx_unknown (no binding, not for us, malformed) and
 * rx_bad_csum.  Generators, sinks, servers and TCP senders are child
 * components of their endpoint; their metrics are listed with their
 * constructors and in doc/models.md section 4.
 *
 * Constructors validate their configuration (EINVAL) since scenarios
 * reach them; everything else asserts.
 */
#ifndef VNETSIM_MODELS_TRAFFIC_H
#define VNETSIM_MODELS_TRAFFIC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/metrics.h"
#include "sim/sim.h"

struct link;
struct vsw_pkt;
struct vsw_parse_result;

struct traffic_ep;
struct traffic_remote;
struct traffic_gen;
struct traffic_sink;
struct traffic_rr_server;
struct traffic_rr;
struct traffic_tcp;

/* Bytes of the traffic header, and of a request's. */
#define TRAFFIC_HDR_BYTES 16
#define TRAFFIC_REQ_HDR_BYTES 20

/* The largest frame a generator builds (a 9000-byte jumbo IP datagram
 * with a tagged Ethernet header). */
#define TRAFFIC_MAX_FRAME_BYTES 9018

/* ----------------------------------------------------------------- */
/* Endpoints. */

/* Takes frame 'pkt' (ownership passes in every case).  Returns 0 if it
 * accepted it, or an errno if it dropped it. */
typedef int traffic_send_fn(void *ctx, struct vsw_pkt *pkt);

/* Receives a frame bound to it; 'pr' is its parse.  The endpoint keeps
 * ownership of 'pkt' and frees it after the call. */
typedef void traffic_rx_fn(void *ctx, struct vsw_pkt *pkt,
                           const struct vsw_parse_result *pr);

struct traffic_ep_config {
    const char *name;               /* component name, no '.' */
    uint8_t mac[6];
    uint8_t ipv4[4];                /* network order */
    bool vlan_present;              /* tag frames, accept only this VLAN */
    uint16_t vlan_id;               /* 0..4095 */
    uint8_t vlan_pcp;               /* 0..7 */
    traffic_send_fn *send;          /* may be set later */
    void *send_ctx;
};

/* Creates an endpoint.  Returns 0, EINVAL (bad name, VLAN or PCP; a
 * multicast MAC) or ENOMEM. */
int traffic_ep_create(struct sim *sim, struct metrics *reg,
                      sim_component_id parent,
                      const struct traffic_ep_config *cfg,
                      struct traffic_ep **out);

/* Frees 'ep' and everything created on it.  Accepts NULL. */
void traffic_ep_destroy(struct traffic_ep *ep);

/* Replaces the send hook. */
void traffic_ep_set_send(struct traffic_ep *ep, traffic_send_fn *send,
                         void *ctx);

/* Reads the send hook (to interpose a tap or a lossy path in front of
 * it). */
void traffic_ep_get_send(const struct traffic_ep *ep, traffic_send_fn **send,
                         void **ctx);

/* Hands a frame the endpoint built to its send hook and counts it. */
int traffic_ep_send(struct traffic_ep *ep, struct vsw_pkt *pkt);

/* Takes frame 'pkt' arriving at 'ep' (see ENDPOINTS). */
void traffic_ep_receive(struct traffic_ep *ep, struct vsw_pkt *pkt);

/* Binds destination ports 'lo'..'hi' of IP protocol 'proto'
 * (VSW_IPPROTO_UDP or VSW_IPPROTO_TCP) to 'fn'.  Returns 0, EINVAL, or
 * EADDRINUSE if a port in the range is already bound. */
int traffic_ep_bind(struct traffic_ep *ep, uint8_t proto, uint16_t lo,
                    uint16_t hi, traffic_rx_fn *fn, void *ctx);

struct sim *traffic_ep_sim(const struct traffic_ep *ep);
struct metrics *traffic_ep_metrics(const struct traffic_ep *ep);
sim_component_id traffic_ep_component(const struct traffic_ep *ep);
const uint8_t *traffic_ep_mac(const struct traffic_ep *ep);
const uint8_t *traffic_ep_ipv4(const struct traffic_ep *ep);

/* Where a generator sends. */
struct traffic_dst {
    uint8_t mac[6];
    uint8_t ipv4[4];
    uint16_t port;
};

/* The contents of a traffic header. */
struct traffic_hdr {
    uint32_t flow_id;
    uint32_t seq;
    sim_time_t sent_ps;
};

/* Builds a UDP frame of exactly 'frame_bytes' bytes (at least the
 * headers plus TRAFFIC_HDR_BYTES, at most TRAFFIC_MAX_FRAME_BYTES) from
 * 'ep' port 'src_port' to 'dst', carrying '*h'.  Returns NULL for a bad
 * size or on allocation failure. */
struct vsw_pkt *traffic_build_udp(const struct traffic_ep *ep,
                                  const struct traffic_dst *dst,
                                  uint16_t src_port, uint32_t frame_bytes,
                                  const struct traffic_hdr *h);

/* Reads the traffic header at the start of a transport payload of 'len'
 * bytes.  False if the payload is shorter than the header. */
bool traffic_hdr_read(const uint8_t *payload, size_t len,
                      struct traffic_hdr *h);

/* The smallest UDP frame 'ep' can build (58 untagged, 62 tagged). */
uint32_t traffic_udp_min_frame_bytes(const struct traffic_ep *ep);

/* ----------------------------------------------------------------- */
/* A remote host: an endpoint on one side of a link. */

/* Creates endpoint '*ep_cfg' (its send hook is ignored) on side 'side' of
 * 'link', with a transmit FIFO of 'fifo_frames' (>= 1) frames.  The FIFO
 * feeds the link whenever its transmitter is idle, as an infinitely fast
 * NIC would; a frame sent to a full FIFO is dropped and counted.  The
 * remote attaches itself to the link side.  Component: the endpoint's,
 * with extra metrics fifo_drops (counter) and fifo_depth (timeavg,
 * frames waiting, not counting the one on the wire).  Returns 0, EINVAL or
 * ENOMEM. */
int traffic_remote_create(struct sim *sim, struct metrics *reg,
                          sim_component_id parent,
                          const struct traffic_ep_config *ep_cfg,
                          struct link *link, unsigned side,
                          size_t fifo_frames, struct traffic_remote **out);
void traffic_remote_destroy(struct traffic_remote *r);   /* accepts NULL */
struct traffic_ep *traffic_remote_ep(const struct traffic_remote *r);

/* ----------------------------------------------------------------- */
/* Frame generators: constant bit rate, Poisson and on/off UDP. */

struct traffic_flows {
    struct traffic_dst dst;         /* destination MAC, IPv4, port */
    uint16_t src_port_base;         /* flow i: source port base + i */
    uint32_t n_flows;               /* >= 1, base + n - 1 <= 65535 */
    uint32_t flow_id_base;          /* flow i: id base + i */
};

enum traffic_gen_kind {
    TRAFFIC_GEN_CBR,                /* frame n at start + n * gap */
    TRAFFIC_GEN_POISSON,            /* exponential gaps, mean = gap */
    TRAFFIC_GEN_ONOFF,              /* CBR during 'on', silent 'off' */
};

enum traffic_rate_basis {
    TRAFFIC_RATE_FRAME,             /* bits of the frame (vsw_pkt len) */
    TRAFFIC_RATE_WIRE,              /* bits of its Ethernet slot */
};

struct traffic_gen_config {
    const char *name;               /* component name under the ep */
    enum traffic_gen_kind kind;
    struct traffic_flows flows;
    uint32_t frame_bytes;           /* each frame, as in vsw_pkt, >= 60 */
    uint64_t rate_bps;              /* CBR rate, Poisson mean, on-rate */
    enum traffic_rate_basis basis;
    sim_time_t start_ps;            /* first frame at or after */
    sim_time_t stop_ps;             /* none at or after; 0: never */
    sim_time_t on_ps, off_ps;       /* ONOFF: burst and silence, > 0 */
    uint64_t run_seed;              /* POISSON: the run's seed */
};

/* Creates a generator sending from 'src' and schedules its first frame.
 * Metrics on component EP.NAME: frames, bytes (sent) and send_failed
 * (counters).  Returns 0, EINVAL or ENOMEM. */
int traffic_gen_create(struct traffic_ep *src,
                       const struct traffic_gen_config *cfg,
                       struct traffic_gen **out);

/* Frames sent so far. */
uint64_t traffic_gen_frames(const struct traffic_gen *g);

/* The instant of frame 'n' (from 0) of a CBR generator, or of frame 'n'
 * of the schedule an on/off generator follows. */
sim_time_t traffic_gen_send_time(const struct traffic_gen *g, uint64_t n);

/* ----------------------------------------------------------------- */
/* Sinks. */

struct traffic_sink_config {
    const char *name;               /* component name under the ep */
    uint8_t proto;                  /* VSW_IPPROTO_UDP or _TCP */
    uint16_t port;                  /* destination port it listens on */
    uint32_t flow_id_base;          /* per-flow metrics for these ids */
    uint32_t n_flows;               /* 0: totals only */
    /* TCP receiver (see traffic_tcp below). */
    uint32_t rwnd_bytes;            /* advertised window; 0: 4 MiB */
    sim_time_t delack_ps;           /* delayed-ACK timeout; 0: 40 ms */
};

struct traffic_sink_stats {
    uint64_t frames;                /* data frames received */
    uint64_t goodput_bytes;         /* payload bytes delivered */
    uint64_t lost;                  /* UDP: sequence gaps not filled */
    uint64_t reordered;             /* arrived after a later one */
    uint64_t duplicates;            /* TCP: data already received */
};

/* Creates a sink on 'ep' listening on (proto, port).  UDP: every frame
 * with a traffic header counts, its payload bytes are goodput, and the
 * per-flow sequence gives loss and reordering.  TCP: the sink is the
 * receiving half of the TCP flows (ACKs, see TCP below); goodput is the
 * bytes delivered in order.  Metrics on EP.NAME (totals) and on
 * EP.NAME.flowID (per flow id, for the configured ids): frames,
 * goodput_bytes, reordered, duplicates (counters), lost (gauge), latency
 * (histogram, one-way, ps).  Returns 0, EINVAL, EADDRINUSE or ENOMEM. */
int traffic_sink_create(struct traffic_ep *ep,
                        const struct traffic_sink_config *cfg,
                        struct traffic_sink **out);

/* Reads the totals ('flow_id' < 0) or one flow's figures.  A flow id the
 * sink keeps no per-flow figures for reads as zeros. */
void traffic_sink_stats(const struct traffic_sink *s, int64_t flow_id,
                        struct traffic_sink_stats *st);

/* The one-way latency histogram of the totals or of a flow (NULL for a
 * flow without per-flow figures). */
struct metric *traffic_sink_latency(const struct traffic_sink *s,
                                    int64_t flow_id);

/* ----------------------------------------------------------------- */
/* Request/response. */

struct traffic_rr_server_config {
    const char *name;
    uint16_t port;                  /* UDP port it serves */
    sim_time_t service_ps;          /* from request arrival to reply */
};

/* Creates a server on 'ep': each request is answered after 'service_ps'
 * (every request independently: an infinite server) with a response
 * frame of the size the request asks for, echoing its traffic header.
 * Metrics on EP.NAME: requests, responses (counters).  Returns 0, EINVAL,
 * EADDRINUSE or ENOMEM. */
int traffic_rr_server_create(struct traffic_ep *ep,
                             const struct traffic_rr_server_config *cfg,
                             struct traffic_rr_server **out);

struct traffic_rr_config {
    const char *name;
    struct traffic_flows flows;     /* dst.port is the server's */
    uint32_t request_bytes;         /* request frame size, >= 60 */
    uint32_t response_bytes;        /* response frame size, >= 60 */
    uint32_t outstanding;           /* requests in flight per flow, >= 1 */
    sim_time_t think_ps;            /* from a response to the next request */
    sim_time_t start_ps, stop_ps;   /* no request after stop; 0: never */
};

/* Creates a client on 'ep': at start each flow sends 'outstanding'
 * requests; each response is timed (now - the echoed send time) and,
 * unless stopped, followed 'think_ps' later by the next request of that
 * flow.  A lost request or response is not retried: its slot stays empty.
 * Binds the flows' source ports.  Metrics on EP.NAME: requests, responses
 * (counters), rtt (histogram, ps).  Returns 0, EINVAL, EADDRINUSE or
 * ENOMEM. */
int traffic_rr_create(struct traffic_ep *ep,
                      const struct traffic_rr_config *cfg,
                      struct traffic_rr **out);

struct metric *traffic_rr_rtt(const struct traffic_rr *rr);

/* ----------------------------------------------------------------- */
/* TCP-like bulk flows (doc/models.md section 4, "TCP").
 *
 * A small TCP sender, one per flow, against the TCP sink's receiver.  The
 * connection is taken as established at the start (no handshake, both
 * initial sequence numbers 0, no options; the window field is read as if
 * a window scale of 7 had been negotiated).  Segments carry 'mss_bytes' of
 * payload (the last one of a finite transfer may be shorter).  The rules
 * follow RFC 5681 (slow start, congestion avoidance, fast retransmit and
 * fast recovery), RFC 6582 (NewReno partial acknowledgments) and RFC 6298
 * (the retransmission timer), with the receiver acknowledging every second
 * full segment or after the delayed-ACK timeout, and at once for
 * out-of-order data. */

struct traffic_tcp_config {
    const char *name;
    struct traffic_flows flows;     /* dst.port: the TCP sink's port */
    uint32_t mss_bytes;             /* 0: 1460; 16 .. 8960 */
    uint64_t bytes_per_flow;        /* 0: unlimited */
    uint32_t initial_window_segs;   /* 0: RFC 5681's rule */
    sim_time_t rto_min_ps;          /* 0: 200 ms */
    sim_time_t rto_initial_ps;      /* 0: 1 s (RFC 6298) */
    sim_time_t start_ps;
    sim_time_t stop_ps;             /* no new data after; 0: never */
};

struct traffic_tcp_stats {
    uint64_t segments;              /* data segments sent */
    uint64_t retransmits;           /* of which retransmissions */
    uint64_t fast_retransmits;      /* entries into fast recovery */
    uint64_t timeouts;              /* retransmission timer expiries */
    uint64_t acked_bytes;           /* cumulatively acknowledged */
    uint64_t cwnd_bytes;            /* now */
    uint64_t ssthresh_bytes;        /* now */
    sim_time_t srtt_ps, rto_ps;     /* now (srtt 0: no sample yet) */
    sim_time_t done_ps;             /* finite transfer fully acked, or 0 */
};

/* Creates the flows on 'src'.  Metrics on EP.NAME: segments, retransmits,
 * fast_retransmits, timeouts, acked_bytes (counters, all flows).  Returns
 * 0, EINVAL, EADDRINUSE or ENOMEM. */
int traffic_tcp_create(struct traffic_ep *src,
                       const struct traffic_tcp_config *cfg,
                       struct traffic_tcp **out);

/* Reads flow 'i' (0 .. n_flows - 1), or the sum of the flows' counters
 * for 'i' < 0 (the momentary fields then come from flow 0). */
void traffic_tcp_stats(const struct traffic_tcp *t, int64_t i,
                       struct traffic_tcp_stats *st);

#endif /* VNETSIM_MODELS_TRAFFIC_H */
