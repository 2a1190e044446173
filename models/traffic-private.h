/*
 * traffic-private.h -- what traffic.c (endpoints, remote hosts, UDP
 * generators, sinks, request/response) and traffic-tcp.c (the TCP sender
 * and receiver) share.  Not for other modules: they use traffic.h.
 */
#ifndef VNETSIM_MODELS_TRAFFIC_PRIVATE_H
#define VNETSIM_MODELS_TRAFFIC_PRIVATE_H 1

#include "models/traffic.h"

#include "sim/metrics.h"
#include "sim/sim.h"

/* Event kinds of the traffic components, for the fingerprint. */
enum {
    TRAFFIC_EV_GEN_SEND = 1,
    TRAFFIC_EV_RR_REPLY,
    TRAFFIC_EV_RR_NEXT,
    TRAFFIC_EV_TCP_START,
    TRAFFIC_EV_TCP_RTO,
    TRAFFIC_EV_TCP_DELACK,
};

/* Something an endpoint owns and frees when it is destroyed. */
struct traffic_owned {
    void (*destroy)(void *obj);
    void *obj;
};

struct traffic_binding {
    uint8_t proto;
    uint16_t lo, hi;
    traffic_rx_fn *fn;
    void *ctx;
};

struct traffic_ep {
    struct sim *sim;
    struct metrics *reg;
    sim_component_id comp;
    uint8_t mac[6];
    uint8_t ipv4[4];
    bool vlan_present;
    uint16_t vlan_id;
    uint8_t vlan_pcp;
    traffic_send_fn *send;
    void *send_ctx;
    uint16_t ip_id;                 /* next IPv4 identification */

    struct traffic_binding *binds;
    size_t n_binds;
    struct traffic_owned *owned;
    size_t n_owned;

    struct metric *m_tx_frames, *m_tx_bytes, *m_tx_failed;
    struct metric *m_rx_frames, *m_rx_unknown, *m_rx_bad_csum;
};

/* Per-flow and total figures of a sink, with their metrics. */
struct sink_acct {
    struct traffic_sink_stats st;
    uint64_t next_seq;              /* UDP: next expected sequence */
    struct metric *m_frames, *m_goodput, *m_lost, *m_reordered, *m_dups;
    struct metric *m_latency;
};

struct tcp_conn;

struct traffic_sink {
    struct traffic_ep *ep;
    sim_component_id comp;
    uint8_t proto;
    uint16_t port;
    uint32_t flow_id_base, n_flows;
    uint32_t rwnd_bytes;
    sim_time_t delack_ps;
    struct sink_acct total;
    struct sink_acct *flows;        /* n_flows of them */
    struct tcp_conn **conns;        /* TCP: one per sending flow */
    size_t n_conns;
};

/* Bytes of the Ethernet header (with the tag if 'ep' has a VLAN). */
size_t traffic_l2_bytes(const struct traffic_ep *ep);

/* Builds a frame from 'ep' to 'dst_mac'/'dst_ip' of IP protocol 'proto'
 * with a transport header (UDP 8 bytes, or TCP 20 bytes from '*tcp', whose
 * checksum is filled in) and 'payload_bytes' of payload, of which the
 * first 'hdr_len' bytes are copied from 'hdr' and the rest are zero.
 * Frames below 60 bytes are padded.  NULL on allocation failure. */
struct traffic_tcp_fields {
    uint32_t seq, ack;
    uint16_t flags, window;
};
struct vsw_pkt *traffic_build(const struct traffic_ep *ep,
                              const uint8_t dst_mac[6],
                              const uint8_t dst_ip[4], uint8_t proto,
                              uint16_t sport, uint16_t dport,
                              const struct traffic_tcp_fields *tcp,
                              size_t payload_bytes, const uint8_t *hdr,
                              size_t hdr_len);

/* Writes '*h' as the 16 header bytes at 'p'. */
void traffic_hdr_write(uint8_t *p, const struct traffic_hdr *h);

/* Registers 'obj' for destruction with 'ep'.  0 or ENOMEM. */
int traffic_ep_own(struct traffic_ep *ep, void (*destroy)(void *), void *obj);

/* The accounting of flow id 'flow_id' of 's', or NULL. */
struct sink_acct *traffic_sink_flow(struct traffic_sink *s, uint32_t flow_id);

/* Counts a data frame of a flow's accounting 'a' (may be NULL) and of the
 * totals: 'goodput' bytes delivered, latency 'lat_ps' if >= 0. */
void traffic_sink_count(struct traffic_sink *s, struct sink_acct *a,
                        uint64_t goodput, sim_time_t lat_ps,
                        bool reordered, bool duplicate);

/* The TCP receiver: handles a TCP segment arriving at sink 's'. */
void traffic_tcp_receive(struct traffic_sink *s, struct vsw_pkt *pkt,
                         const struct vsw_parse_result *pr);

/* Frees the TCP receiver state of sink 's'. */
void traffic_tcp_sink_free(struct traffic_sink *s);

/* Validates a flow set against endpoint 'ep'. */
bool traffic_flows_valid(const struct traffic_flows *f);

#endif /* VNETSIM_MODELS_TRAFFIC_PRIVATE_H */
