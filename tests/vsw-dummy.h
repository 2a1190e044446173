/*
 * vsw-dummy.h -- in-memory "dummy" NICs and frame builders shared by the
 * switch suites (test-vsw-switch.c, test-vsw-vlan.c, test-vsw-alloc.c,
 * test-vsw-threads.c), as Open vSwitch tests run on dummy ports: a dummy
 * NIC records a copy of every frame delivered to it (bytes and the
 * out-of-band 802.1Q tag) and every link-state change, and time is a plain
 * variable the test advances by hand.
 */
#ifndef VNETSIM_TESTS_VSW_DUMMY_H
#define VNETSIM_TESTS_VSW_DUMMY_H 1

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmswitch/packet.h"
#include "vmswitch/vswitch.h"

#define DUMMY_MAX_FRAMES 64
#define DUMMY_MAX_BYTES 2048

struct dummy_frame {
    uint8_t bytes[DUMMY_MAX_BYTES];
    size_t len;
    bool oob_tagged;       /* an 802.1Q tag out of band */
    uint16_t oob_vid;
    uint8_t oob_pcp;
};

struct dummy_nic {
    uint32_t port;
    struct vsw_nic_params params;
    size_t n_frames;                     /* recorded (at most MAX) */
    uint64_t total_frames;               /* delivered, all of them */
    uint64_t deliver_calls;
    struct dummy_frame frames[DUMMY_MAX_FRAMES];
    int link_events;
    bool link_up;
};

static void
dummy_deliver(void *owner, struct vsw_pkt *const pkts[], size_t n)
{
    struct dummy_nic *d = owner;

    d->deliver_calls++;
    for (size_t i = 0; i < n; i++) {
        const struct vsw_pkt *p = pkts[i];
        d->total_frames++;
        if (d->n_frames < DUMMY_MAX_FRAMES) {
            struct dummy_frame *f = &d->frames[d->n_frames++];
            f->len = vsw_pkt_len(p) < DUMMY_MAX_BYTES ? vsw_pkt_len(p)
                                                      : DUMMY_MAX_BYTES;
            memcpy(f->bytes, vsw_pkt_data_const(p), f->len);
            f->oob_tagged = p->oob.vlan_present;
            f->oob_vid = p->oob.vlan_id;
            f->oob_pcp = p->oob.priority;
        }
    }
}

static void
dummy_link(void *owner, bool up)
{
    struct dummy_nic *d = owner;
    d->link_events++;
    d->link_up = up;
}

static const struct vsw_nic_ops dummy_ops = { dummy_deliver, dummy_link };

static inline void
dummy_clear(struct dummy_nic *d)
{
    d->n_frames = 0;
    d->total_frames = 0;
    d->deliver_calls = 0;
}

/* A MAC address 02:00:00:00:00:'n'. */
static inline void
dummy_mac(uint8_t mac[6], uint8_t n)
{
    static const uint8_t base[6] = { 0x02, 0, 0, 0, 0, 0 };
    memcpy(mac, base, 6);
    mac[5] = n;
}

/* Creates a port with a NIC of 'kind' whose MAC is dummy_mac('mac_n'),
 * connects it (unless !connect) and records everything in 'd'.  Returns
 * the first error. */
static inline int
dummy_attach(struct vsw_switch *sw, struct dummy_nic *d,
             enum vsw_nic_kind kind, uint8_t mac_n, bool connect)
{
    int error;

    memset(d, 0, sizeof *d);
    error = vsw_port_create(sw, "dummy", &d->port);
    if (error) {
        return error;
    }
    d->params.kind = kind;
    d->params.name = "dummy-nic";
    d->params.ops = &dummy_ops;
    d->params.owner = d;
    d->params.n_macs = 1;
    dummy_mac(d->params.macs[0], mac_n);
    error = vsw_nic_create(sw, d->port, &d->params);
    if (!error && connect) {
        error = vsw_nic_connect(sw, d->port);
    }
    return error;
}

/* Builds into 'buf' an Ethernet frame dst -> src, optionally 802.1Q tagged
 * ('tpid' 0 = untagged), carrying a minimal IPv4/UDP datagram from port
 * 'sport' to 'dport' with 'payload' bytes; returns its length. */
static inline size_t
build_udp(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
          uint16_t tpid, uint16_t tci, uint16_t sport, uint16_t dport,
          size_t payload)
{
    size_t off = 0;
    size_t ip_len = 20 + 8 + payload;
    uint32_t sum = 0;

    memcpy(buf, dst, 6);
    memcpy(buf + 6, src, 6);
    off = 12;
    if (tpid) {
        buf[off++] = tpid >> 8;
        buf[off++] = tpid & 0xff;
        buf[off++] = tci >> 8;
        buf[off++] = tci & 0xff;
    }
    buf[off++] = 0x08;
    buf[off++] = 0x00;
    uint8_t *ip = buf + off;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = ip_len >> 8;
    ip[3] = ip_len & 0xff;
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10; ip[13] = 0; ip[14] = 0; ip[15] = src[5];
    ip[16] = 10; ip[17] = 0; ip[18] = 0; ip[19] = dst[5];
    for (int i = 0; i < 20; i += 2) {
        sum += (uint32_t) (ip[i] << 8 | ip[i + 1]);
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    ip[10] = (uint8_t) (~sum >> 8);
    ip[11] = (uint8_t) (~sum & 0xff);
    off += 20;
    uint8_t *udp = buf + off;
    udp[0] = sport >> 8;
    udp[1] = sport & 0xff;
    udp[2] = dport >> 8;
    udp[3] = dport & 0xff;
    udp[4] = (8 + payload) >> 8;
    udp[5] = (8 + payload) & 0xff;
    udp[6] = 0;             /* no UDP checksum (IPv4 allows it) */
    udp[7] = 0;
    off += 8;
    memset(buf + off, 0xab, payload);
    off += payload;
    return off;
}

/* Wraps 'len' bytes of 'bytes' in a new packet; NULL on failure. */
static inline struct vsw_pkt *
make_pkt(const uint8_t *bytes, size_t len)
{
    return vsw_pkt_from_bytes(bytes, len);
}

/* Sends one frame from dummy port 'from' and frees it; returns
 * vsw_process()'s result. */
static inline int
send_frame(struct vsw_switch *sw, unsigned cpu, uint64_t now_ns,
           uint32_t port, const uint8_t *bytes, size_t len,
           struct vsw_work *w)
{
    struct vsw_pkt *p = make_pkt(bytes, len);
    int error;

    if (!p) {
        return -1;
    }
    error = vsw_process(sw, cpu, now_ns, port, &p, 1, w);
    vsw_pkt_free(p);
    return error;
}

/* Sends a UDP frame src_n -> dst_n (dummy MAC numbers; dst_n 0xff =
 * broadcast) from 'port'. */
static inline int
send_udp(struct vsw_switch *sw, uint64_t now_ns, uint32_t port,
         uint8_t src_n, uint8_t dst_n, struct vsw_work *w)
{
    uint8_t buf[256], src[6], dst[6];
    size_t len;

    dummy_mac(src, src_n);
    if (dst_n == 0xff) {
        memset(dst, 0xff, 6);
    } else {
        dummy_mac(dst, dst_n);
    }
    len = build_udp(buf, dst, src, 0, 0, 1000, 2000, 18);
    return send_frame(sw, 0, now_ns, port, buf, len, w);
}

#endif /* VNETSIM_TESTS_VSW_DUMMY_H */
