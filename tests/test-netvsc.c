/*
 * test-netvsc.c -- models/netvsc.h: NVSP/RNDIS wire layouts and bytes;
 * negotiation to the ready state (versions, buffers, section sizes,
 * offloads); the guest's send path (batching with xmit_more, padding,
 * partial copies, GPA-direct LSO, section exhaustion, flow control); the
 * host's receive path (sections, ranges, batching per flush, drops); the
 * completions that recycle both; the work records; determinism.
 *
 * A loopback channel stands in for VMBus: each direction logs a deep copy
 * of every packet sent and delivers them when the test pumps, so neither
 * end is ever re-entered from inside its own send.  A direction can be
 * told to refuse sends (ring full) and, for the guest, to report a ring
 * fill level.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/gmem.h"
#include "models/netvsc-wire.h"
#include "models/netvsc.h"
#include "tests/cutest.h"
#include "vmswitch/packet.h"

#define MEM_SIZE (32u << 20)

/* --- Loopback channel ------------------------------------------------------ */

struct qpkt {
    struct netvsc_vmpkt p;
    uint8_t payload[64];
    struct netvsc_range *ranges;
    struct netvsc_gpa *gpa;
};

struct link {
    struct qpkt **log;              /* every packet sent, in order */
    size_t n, cap, next;            /* next: first not yet delivered */
    size_t limit;                   /* refuse when this many pending */
    bool refuse_all;
    unsigned refused;
    uint32_t ring_free, ring_size;  /* what ring_space reports */
};

static int
link_send(void *ctx, const struct netvsc_vmpkt *p)
{
    struct link *l = ctx;
    struct qpkt *q;

    if (l->refuse_all || (l->limit && l->n - l->next >= l->limit)) {
        l->refused++;
        return EAGAIN;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->log = realloc(l->log, l->cap * sizeof *l->log);
        CU_ASSERT_FATAL(l->log != NULL);
    }
    q = calloc(1, sizeof *q);
    CU_ASSERT_FATAL(q != NULL);
    CU_ASSERT_FATAL(p->payload_len <= sizeof q->payload);
    q->p = *p;
    memcpy(q->payload, p->payload, p->payload_len);
    q->p.payload = q->payload;
    if (p->n_ranges) {
        q->ranges = malloc(p->n_ranges * sizeof *q->ranges);
        memcpy(q->ranges, p->ranges, p->n_ranges * sizeof *q->ranges);
    }
    q->p.ranges = q->ranges;
    if (p->n_gpa) {
        q->gpa = malloc(p->n_gpa * sizeof *q->gpa);
        memcpy(q->gpa, p->gpa, p->n_gpa * sizeof *q->gpa);
    }
    q->p.gpa = q->gpa;
    l->log[l->n++] = q;
    return 0;
}

static void
link_ring_space(void *ctx, uint32_t *free_bytes, uint32_t *ring_size)
{
    struct link *l = ctx;
    *free_bytes = l->ring_free;
    *ring_size = l->ring_size;
}

static const struct netvsc_chan_ops plain_ops = { link_send, NULL };
static const struct netvsc_chan_ops ring_ops = { link_send, link_ring_space };

static void
link_free(struct link *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->log[i]->ranges);
        free(l->log[i]->gpa);
        free(l->log[i]);
    }
    free(l->log);
    memset(l, 0, sizeof *l);
}

/* --- Fixture --------------------------------------------------------------- */

struct frames {
    struct vsw_pkt **v;
    size_t n, cap;
};

static struct {
    struct gmem *mem;
    struct netvsc_vsc *vsc;
    struct netvsc_vsp *vsp;
    struct link g2h, h2g;           /* guest to host, host to guest */
    struct frames host_rx, guest_rx;
    unsigned wakes;
    size_t g2h_mark, h2g_mark;      /* log lengths after bring-up */
    bool reflect;                   /* host sends every frame back */
    unsigned echoes;                /* guest answers this many frames */
} F;

static void
frames_add(struct frames *f, struct vsw_pkt *pkt)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->v = realloc(f->v, f->cap * sizeof *f->v);
        CU_ASSERT_FATAL(f->v != NULL);
    }
    f->v[f->n++] = pkt;
}

static void
host_deliver(void *ctx, struct vsw_pkt *pkt)
{
    frames_add(&F.host_rx, pkt);
    if (F.reflect) {
        CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, pkt), 0);
        CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    }
}

static void
guest_deliver(void *ctx, struct vsw_pkt *pkt)
{
    frames_add(&F.guest_rx, pkt);
    if (F.echoes) {
        F.echoes--;
        CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, pkt, false), 0);
    }
}

static void
on_wake(void *ctx)
{
    F.wakes++;
}

static int
gpadl_lookup(void *ctx, uint32_t id, uint64_t *gpa, uint64_t *size)
{
    struct netvsc_vsc_info info;

    /* The integration's GPADL table: ids 1 and 2 (the VSC's defaults). */
    netvsc_vsc_get_info(F.vsc, &info);
    if (id == 1) {
        *gpa = info.recv_buf_gpa;
        *size = info.recv_buf_size;
        return 0;
    }
    if (id == 2) {
        *gpa = info.send_buf_gpa;
        *size = info.send_buf_size;
        return 0;
    }
    return ENOENT;
}

/* Creates memory and both ends; 'vc' and 'sc' carry the tunables. */
static void
setup_with(struct netvsc_vsc_config vc, struct netvsc_vsp_config sc, bool ring)
{
    memset(&F, 0, sizeof F);
    CU_ASSERT_FATAL(gmem_create(MEM_SIZE, &F.mem) == 0);
    vc.mem = F.mem;
    vc.chan = ring ? &ring_ops : &plain_ops;
    vc.chan_ctx = &F.g2h;
    vc.deliver = guest_deliver;
    vc.wake = on_wake;
    sc.mem = F.mem;
    sc.chan = &plain_ops;
    sc.chan_ctx = &F.h2g;
    sc.deliver = host_deliver;
    sc.gpadl = gpadl_lookup;
    CU_ASSERT_FATAL(netvsc_vsc_create(&vc, &F.vsc) == 0);
    CU_ASSERT_FATAL(netvsc_vsp_create(&sc, &F.vsp) == 0);
}

static void
setup(void)
{
    struct netvsc_vsc_config vc = { 0 };
    struct netvsc_vsp_config sc = { 0 };
    setup_with(vc, sc, false);
}

static void
teardown(void)
{
    netvsc_vsc_destroy(F.vsc);
    netvsc_vsp_destroy(F.vsp);
    gmem_destroy(F.mem);
    link_free(&F.g2h);
    link_free(&F.h2g);
    for (size_t i = 0; i < F.host_rx.n; i++) {
        vsw_pkt_free(F.host_rx.v[i]);
    }
    for (size_t i = 0; i < F.guest_rx.n; i++) {
        vsw_pkt_free(F.guest_rx.v[i]);
    }
    free(F.host_rx.v);
    free(F.guest_rx.v);
    memset(&F, 0, sizeof F);
}

/* Delivers one pending packet of a direction; returns the end's result. */
static int
deliver_one(struct link *l)
{
    const struct qpkt *q = l->log[l->next++];
    return l == &F.g2h ? netvsc_vsp_on_packet(F.vsp, &q->p)
                       : netvsc_vsc_on_packet(F.vsc, &q->p);
}

/* Delivers everything, both ways, until both directions are idle. */
static size_t
pump(void)
{
    size_t n = 0;
    bool any;

    do {
        any = false;
        while (F.g2h.next < F.g2h.n) {
            deliver_one(&F.g2h);
            any = true;
            n++;
        }
        while (F.h2g.next < F.h2g.n) {
            deliver_one(&F.h2g);
            any = true;
            n++;
        }
    } while (any);
    return n;
}

/* Negotiates, returns the control sections, and marks the logs. */
static void
bring_up(void)
{
    CU_ASSERT_FATAL(netvsc_vsc_start(F.vsc) == 0);
    pump();
    CU_ASSERT_FATAL(netvsc_vsc_flush_completions(F.vsc) == 0);
    pump();
    CU_ASSERT_FATAL(netvsc_vsc_state(F.vsc) == NETVSC_VSC_READY);
    CU_ASSERT_FATAL(netvsc_vsp_ready(F.vsp));
    F.g2h_mark = F.g2h.n;
    F.h2g_mark = F.h2g.n;
}

static const struct qpkt *
sent(struct link *l, size_t i)
{
    CU_ASSERT_FATAL(i < l->n);
    return l->log[i];
}

static uint32_t
payload_u32(const struct qpkt *q, size_t ofs)
{
    return netvsc_get_le32(q->payload + ofs);
}

/* --- Frames ---------------------------------------------------------------- */

/* An Ethernet/IPv4 frame of 'len' bytes with a TCP (proto 6) or UDP (17)
 * header and a payload patterned by 'seed'.  'lso_v2' leaves the IPv4
 * total length 0, as an LSOv2 super-frame has it. */
static struct vsw_pkt *
make_frame(size_t len, uint8_t proto, unsigned seed, bool lso_v2)
{
    uint8_t *b = calloc(1, len);
    static const uint8_t mac[12] = { 0x00, 0x15, 0x5d, 0, 0, 1,
                                     0x00, 0x15, 0x5d, 0, 0, 2 };
    struct vsw_pkt *pkt;

    CU_ASSERT_FATAL(b != NULL && len >= 14);
    for (size_t i = 0; i < len; i++) {
        b[i] = (uint8_t) (i * 7 + seed);
    }
    memcpy(b, mac, sizeof mac);
    b[12] = 0x08;
    b[13] = 0x00;
    if (len >= 54) {
        uint8_t *ip = b + 14, *l4 = b + 34;
        size_t tot = lso_v2 ? 0 : len - 14;
        memset(ip, 0, 20);
        ip[0] = 0x45;
        ip[2] = (uint8_t) (tot >> 8);
        ip[3] = (uint8_t) tot;
        ip[8] = 64;
        ip[9] = proto;
        ip[12] = 10; ip[15] = 1;
        ip[16] = 10; ip[19] = 2;
        memset(l4, 0, 20);
        l4[0] = 0x30; l4[1] = 0x39;             /* port 12345 */
        l4[2] = 0x00; l4[3] = 0x50;             /* port 80 */
        if (proto == 6) {
            l4[12] = 0x50;                      /* doff 5 */
            l4[13] = 0x18;                      /* PSH, ACK */
        } else {
            size_t ulen = len - 34;
            l4[4] = (uint8_t) (ulen >> 8);
            l4[5] = (uint8_t) ulen;
        }
    }
    pkt = vsw_pkt_from_bytes(b, len);
    free(b);
    CU_ASSERT_FATAL(pkt != NULL);
    return pkt;
}

static bool
same_bytes(const struct vsw_pkt *a, const struct vsw_pkt *b)
{
    return vsw_pkt_len(a) == vsw_pkt_len(b)
           && memcmp(vsw_pkt_data_const(a), vsw_pkt_data_const(b),
                     vsw_pkt_len(a)) == 0;
}

/* Sends 'n' frames of 'len' bytes, 'more' on all but (if 'last_flush')
 * the last; returns the last result. */
static int
send_n(unsigned n, size_t len, bool more, bool last_flush)
{
    int rc = 0;
    for (unsigned i = 0; i < n; i++) {
        struct vsw_pkt *p = make_frame(len, 6, i, false);
        rc = netvsc_vsc_send(F.vsc, p, more && !(last_flush && i == n - 1));
        vsw_pkt_free(p);
    }
    return rc;
}

/* ======================================================================== */
/* Wire layouts                                                            */

static void
test_wire_struct_sizes_match_hyperv_net_h(void)
{
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp_hdr), 4);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp_init), 8);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp_init_complete), 12);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp1_send_ndis_ver), 8);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp1_send_recv_buf), 6);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp1_recv_buf_section), 16);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp1_send_recv_buf_complete), 24);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp1_send_send_buf), 6);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp1_send_send_buf_complete), 8);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp1_send_rndis_pkt), 12);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp1_send_rndis_pkt_complete), 4);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp2_send_ndis_config), 16);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_nvsp_msg), 40);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_rndis_hdr), 8);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_rndis_packet), 36);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_rndis_ppi), 12);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_rndis_init_req), 16);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_rndis_init_complete), 44);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_rndis_query_req), 20);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_rndis_query_complete), 16);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_rndis_set_req), 20);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_rndis_set_complete), 8);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_ndis_object_header), 4);
    CU_ASSERT_EQUAL(sizeof(struct netvsc_ndis_offload_params), 28);
    CU_ASSERT_EQUAL(offsetof(struct netvsc_ndis_offload_params, flags), 16);
    CU_ASSERT_EQUAL(offsetof(struct netvsc_ndis_offload_params, ip_sec_v2), 20);
    CU_ASSERT_EQUAL(offsetof(struct netvsc_ndis_offload_params, rsc_ip_v4), 22);
    CU_ASSERT_EQUAL(NETVSC_RNDIS_PKT_HDR_SIZE, 44);
    CU_ASSERT_EQUAL(NETVSC_PPI_SIZE, 16);
    CU_ASSERT_EQUAL(_Alignof(struct netvsc_rndis_packet), 1);
    CU_ASSERT_EQUAL(_Alignof(struct netvsc_nvsp_msg), 1);
}

static void
test_wire_nvsp_init_bytes_follow_the_layout(void)
{
    static const uint8_t want[12] = {
        0x01, 0x00, 0x00, 0x00,             /* NVSP_MSG_TYPE_INIT */
        0x01, 0x00, 0x06, 0x00,             /* min 0x60001 */
        0x01, 0x00, 0x06, 0x00,             /* max 0x60001 */
    };
    const struct qpkt *q;

    setup();
    CU_ASSERT_EQUAL(netvsc_vsc_start(F.vsc), 0);
    CU_ASSERT_EQUAL(netvsc_vsc_start(F.vsc), EALREADY);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, 1);
    q = sent(&F.g2h, 0);
    CU_ASSERT_EQUAL(q->p.type, NETVSC_VMPKT_DATA_INBAND);
    CU_ASSERT_EQUAL(q->p.flags, NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED);
    CU_ASSERT_EQUAL(q->p.payload_len, 40);
    CU_ASSERT_EQUAL(memcmp(q->payload, want, sizeof want), 0);
    for (size_t i = sizeof want; i < 40; i++) {
        CU_ASSERT_EQUAL(q->payload[i], 0);
    }
    CU_ASSERT_EQUAL(netvsc_vsc_state(F.vsc), NETVSC_VSC_INIT);
    teardown();
}

static void
test_wire_rndis_packet_header_bytes_follow_the_layout(void)
{
    uint8_t h[NETVSC_RNDIS_DATA_HDR_MAX];
    struct vsw_pkt *p = make_frame(100, 6, 1, false);
    static const uint8_t want[76] = {
        0x01, 0, 0, 0,      0xB0, 0, 0, 0,   /* PACKET, msg_len 176 */
        0x44, 0, 0, 0,      0x64, 0, 0, 0,   /* data_offset 68, data_len 100 */
        0, 0, 0, 0,         0, 0, 0, 0,      /* oob offset, length */
        0, 0, 0, 0,                          /* oob elements */
        0x24, 0, 0, 0,      0x20, 0, 0, 0,   /* ppi offset 36, length 32 */
        0, 0, 0, 0,         0, 0, 0, 0,      /* vc_handle, reserved */
        /* PPI: size 16, IEEE_8021Q_INFO, offset 12, pri 5 vid 100 */
        0x10, 0, 0, 0,      0x06, 0, 0, 0,   0x0C, 0, 0, 0,
        0x45, 0x06, 0, 0,
        /* PPI: size 16, TCPIP_CHKSUM, offset 12, is_ipv4 | tcp |
         * ip_header, tcp_header_offset 34 */
        0x10, 0, 0, 0,      0x00, 0, 0, 0,   0x0C, 0, 0, 0,
        0x15, 0x00, 0x22, 0x00,
    };

    p->oob.vlan_present = true;
    p->oob.vlan_id = 100;
    p->oob.priority = 5;
    p->oob.tx_csum_ip = true;
    p->oob.tx_csum_tcp = true;
    CU_ASSERT_EQUAL(netvsc_rndis_data_header(h, p, NETVSC_DIR_TO_HOST, 0), 76);
    CU_ASSERT_EQUAL(memcmp(h, want, sizeof want), 0);
    /* Padding counts in msg_len only. */
    netvsc_rndis_data_header(h, p, NETVSC_DIR_TO_HOST, 4);
    CU_ASSERT_EQUAL(netvsc_get_le32(h + 4), 180);
    CU_ASSERT_EQUAL(netvsc_get_le32(h + 12), 100);
    vsw_pkt_free(p);
}

static void
test_wire_rx_ppis_round_trip_results_vlan_and_hash(void)
{
    uint8_t m[NETVSC_RNDIS_DATA_HDR_MAX + 200];
    struct vsw_pkt *p = make_frame(200, 17, 3, false);
    struct netvsc_rndis_data d;
    uint32_t hl;

    p->oob.vlan_present = true;
    p->oob.vlan_id = 4095;
    p->oob.priority = 7;
    p->oob.dei = true;
    p->oob.rx_csum_ip = VSW_CSUM_RX_PASSED;
    p->oob.rx_csum_udp = VSW_CSUM_RX_FAILED;
    p->oob.rss_hash = 0xDEADBEEF;
    hl = netvsc_rndis_data_header(m, p, NETVSC_DIR_TO_GUEST, 0);
    CU_ASSERT_EQUAL(hl, 44 + 3 * 16);
    memcpy(m + hl, vsw_pkt_data(p), 200);
    CU_ASSERT_EQUAL(netvsc_rndis_parse_data(m, hl + 200, NETVSC_DIR_TO_GUEST, &d),
                    NETVSC_RNDIS_OK);
    CU_ASSERT_EQUAL(d.msg_len, hl + 200);
    CU_ASSERT_EQUAL(d.data_ofs, hl);
    CU_ASSERT_EQUAL(d.data_len, 200);
    CU_ASSERT_EQUAL(d.n_ppi, 3);
    CU_ASSERT_EQUAL(d.n_ppi_unknown, 0);
    CU_ASSERT(d.oob.vlan_present);
    CU_ASSERT_EQUAL(d.oob.vlan_id, 4095);
    CU_ASSERT_EQUAL(d.oob.priority, 7);
    CU_ASSERT(d.oob.dei);
    CU_ASSERT_EQUAL(d.oob.rx_csum_ip, VSW_CSUM_RX_PASSED);
    CU_ASSERT_EQUAL(d.oob.rx_csum_udp, VSW_CSUM_RX_FAILED);
    CU_ASSERT_EQUAL(d.oob.rx_csum_tcp, VSW_CSUM_RX_NOT_CHECKED);
    CU_ASSERT_EQUAL(d.oob.rss_hash, 0xDEADBEEF);
    /* Checksum PPI value: udp_failed (bit 1) | ip_succeeded (bit 5). */
    CU_ASSERT_EQUAL(netvsc_get_le32(m + 44 + 16 + 12), 0x22);
    vsw_pkt_free(p);
}

/* One malformation of a valid 44 + 16 + 60 byte message per row. */
static void
test_wire_parse_rejects_every_bad_length_and_offset(void)
{
    struct vsw_pkt *p = make_frame(60, 6, 0, false);
    uint8_t good[200], m[200];
    struct netvsc_rndis_data d;
    uint32_t len;
    static const struct {
        uint32_t ofs, value, avail;         /* avail 0: the whole message */
        enum netvsc_rndis_error want;
    } cases[] = {
        { 0, 2, 0, NETVSC_RNDIS_ERR_TYPE },           /* INITIALIZE */
        { 4, 40, 0, NETVSC_RNDIS_ERR_LENGTH },        /* msg_len < 44 */
        { 4, 500, 0, NETVSC_RNDIS_ERR_SHORT },        /* msg_len > avail */
        { 0, 1, 7, NETVSC_RNDIS_ERR_SHORT },          /* no header */
        { 8, 20, 0, NETVSC_RNDIS_ERR_DATA },          /* data inside hdr */
        { 8, 100, 0, NETVSC_RNDIS_ERR_DATA },         /* data past end */
        { 12, 0, 0, NETVSC_RNDIS_ERR_DATA },          /* empty frame */
        { 12, 61, 0, NETVSC_RNDIS_ERR_DATA },         /* one byte too long */
        { 28, 8, 0, NETVSC_RNDIS_ERR_PPI },           /* ppi inside hdr */
        { 32, 200, 0, NETVSC_RNDIS_ERR_PPI },         /* ppi area too long */
        { 32, 8, 0, NETVSC_RNDIS_ERR_PPI },           /* area < one record */
        { 44, 0, 0, NETVSC_RNDIS_ERR_PPI },           /* record size 0 */
        { 44, 32, 0, NETVSC_RNDIS_ERR_PPI },          /* record past area */
        { 52, 14, 0, NETVSC_RNDIS_ERR_PPI },          /* value past record */
        { 52, 4, 0, NETVSC_RNDIS_ERR_PPI },           /* value inside record */
    };

    p->oob.vlan_present = true;
    p->oob.vlan_id = 5;
    len = netvsc_rndis_data_header(good, p, NETVSC_DIR_TO_HOST, 0);
    memcpy(good + len, vsw_pkt_data(p), 60);
    len += 60;
    CU_ASSERT_EQUAL(len, 120);
    CU_ASSERT_EQUAL(netvsc_rndis_parse_data(good, len, NETVSC_DIR_TO_HOST, &d),
                    NETVSC_RNDIS_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(m, good, len);
        netvsc_put_le32(m + cases[i].ofs, cases[i].value);
        CU_ASSERT_EQUAL(netvsc_rndis_parse_data(m, cases[i].avail ? cases[i].avail
                                                                  : len,
                                                NETVSC_DIR_TO_HOST, &d),
                        cases[i].want);
    }
    /* An unknown or internal PPI is skipped and counted, not an error. */
    memcpy(m, good, len);
    netvsc_put_le32(m + 48, 0x80000006u);
    CU_ASSERT_EQUAL(netvsc_rndis_parse_data(m, len, NETVSC_DIR_TO_HOST, &d),
                    NETVSC_RNDIS_OK);
    CU_ASSERT_EQUAL(d.n_ppi_unknown, 1);
    CU_ASSERT(!d.oob.vlan_present);
    vsw_pkt_free(p);
}

static void
test_ring_watermarks_follow_linux_percent_arithmetic(void)
{
    /* 512 KiB ring: ring_size / 10 = 52428. */
    CU_ASSERT_EQUAL(netvsc_ring_avail_percent(524288, 524288), 100);
    CU_ASSERT_EQUAL(netvsc_ring_avail_percent(52428, 524288), 10);
    CU_ASSERT_EQUAL(netvsc_ring_avail_percent(52427, 524288), 9);
    CU_ASSERT(!netvsc_should_stop(52428, 524288));
    CU_ASSERT(netvsc_should_stop(52427, 524288));
    CU_ASSERT(netvsc_should_stop(0, 524288));
    /* Wake above 20 %, or when nothing is outstanding. */
    CU_ASSERT_EQUAL(netvsc_ring_avail_percent(110100, 524288), 21);
    CU_ASSERT(netvsc_should_wake(110100, 524288, 5));
    CU_ASSERT_EQUAL(netvsc_ring_avail_percent(104856, 524288), 20);
    CU_ASSERT(!netvsc_should_wake(104856, 524288, 5));
    CU_ASSERT(netvsc_should_wake(104856, 524288, 0));
    CU_ASSERT(netvsc_should_wake(0, 524288, 0));
}

/* ======================================================================== */
/* Negotiation                                                             */

static void
test_negotiation_reaches_ready_with_v61_and_default_sections(void)
{
    struct netvsc_vsc_info vi;
    struct netvsc_vsp_info si;
    const struct netvsc_vsc_stats *vs;
    static const uint32_t want_types[] = {
        NETVSC_NVSP_MSG_INIT, NETVSC_NVSP_MSG2_SEND_NDIS_CONFIG,
        NETVSC_NVSP_MSG1_SEND_NDIS_VER, NETVSC_NVSP_MSG1_SEND_RECV_BUF,
        NETVSC_NVSP_MSG1_SEND_SEND_BUF, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT,
        NETVSC_NVSP_MSG1_SEND_RNDIS_PKT, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT,
    };

    setup();
    bring_up();
    netvsc_vsc_get_info(F.vsc, &vi);
    CU_ASSERT_EQUAL(vi.state, NETVSC_VSC_READY);
    CU_ASSERT_EQUAL(vi.nvsp_version, 0x60001);
    CU_ASSERT_EQUAL(vi.ndis_version, 0x0006001e);
    CU_ASSERT_EQUAL(vi.send_section_size, 6144);
    CU_ASSERT_EQUAL(vi.send_section_count, 170);     /* 1 MiB / 6144 */
    CU_ASSERT_EQUAL(vi.recv_section_size, 1728);
    CU_ASSERT_EQUAL(vi.recv_section_count, 9709);    /* 16 MiB / 1728 */
    CU_ASSERT_EQUAL(vi.max_pkt, 8);
    CU_ASSERT_EQUAL(vi.pkt_align, 8);
    CU_ASSERT_EQUAL(vi.recv_buf_size, 16u << 20);
    CU_ASSERT_EQUAL(vi.send_buf_size, 1u << 20);
    CU_ASSERT_EQUAL(vi.recv_buf_gpa, GMEM_PAGE_SIZE);   /* first allocation */
    CU_ASSERT_EQUAL(vi.send_buf_gpa, GMEM_PAGE_SIZE + (16u << 20));

    /* The guest's requests, in order; the RNDIS ones GPA direct, control. */
    CU_ASSERT_EQUAL_FATAL(F.g2h_mark, 8 + 3);         /* + 3 completions */
    for (size_t i = 0; i < 8; i++) {
        const struct qpkt *q = sent(&F.g2h, i);
        CU_ASSERT_EQUAL(payload_u32(q, 0), want_types[i]);
        CU_ASSERT_EQUAL(q->p.type, i < 5 ? NETVSC_VMPKT_DATA_INBAND
                                         : NETVSC_VMPKT_DATA_GPA_DIRECT);
        CU_ASSERT_EQUAL(q->p.flags, (i == 1 || i == 2) ? 0
                        : NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED);
        if (i >= 5) {
            CU_ASSERT_EQUAL(payload_u32(q, 4), NETVSC_RNDIS_CHANNEL_CONTROL);
            CU_ASSERT_EQUAL(payload_u32(q, 8), 0xFFFFFFFFu);
            CU_ASSERT_EQUAL(payload_u32(q, 12), 0);
            CU_ASSERT_EQUAL(q->p.n_gpa, 1);
        }
    }
    /* NDIS_CONFIG: mtu 1514, ieee8021q | teaming. */
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, 1), 4), 1514);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, 1), 12), 0x28);
    /* NDIS_VER 6.30; RECV_BUF gpadl 1 id 0xcafe; SEND_BUF gpadl 2 id 0. */
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, 2), 4), 6);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, 2), 8), 30);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, 3), 4), 1);
    CU_ASSERT_EQUAL(netvsc_get_le16(sent(&F.g2h, 3)->payload + 8), 0xcafe);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, 4), 4), 2);
    for (size_t i = 8; i < 11; i++) {
        CU_ASSERT_EQUAL(sent(&F.g2h, i)->p.type, NETVSC_VMPKT_COMP);
    }

    netvsc_vsp_get_info(F.vsp, &si);
    CU_ASSERT(si.ready);
    CU_ASSERT_EQUAL(si.nvsp_version, 0x60001);
    CU_ASSERT_EQUAL(si.ndis_version, 0x0006001e);
    CU_ASSERT_EQUAL(si.mtu, 1514);
    CU_ASSERT_EQUAL(si.capabilities, NETVSC_CAP_IEEE8021Q | NETVSC_CAP_TEAMING);
    CU_ASSERT_EQUAL(si.recv_buf_gpa, vi.recv_buf_gpa);
    CU_ASSERT_EQUAL(si.send_buf_gpa, vi.send_buf_gpa);
    CU_ASSERT_EQUAL(si.recv_section_count, 9709);
    CU_ASSERT_EQUAL(si.send_section_count, 170);
    CU_ASSERT_EQUAL(si.packet_filter, 0x0D);   /* directed|all-multi|bcast */
    CU_ASSERT(si.csum_tx_ipv4 && si.csum_tx_ipv6);
    CU_ASSERT(si.lso_v2_ipv4 && si.lso_v2_ipv6);
    CU_ASSERT_EQUAL(si.offload_params_len, 28);

    /* Everything negotiation borrowed came back. */
    vs = netvsc_vsc_stats(F.vsc);
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);
    CU_ASSERT_EQUAL(vs->slots_in_use, 0);
    CU_ASSERT_EQUAL(vs->sends_outstanding, 0);
    CU_ASSERT_EQUAL(vs->comp_pending, 0);
    CU_ASSERT_EQUAL(vs->rndis_sent, 3);
    CU_ASSERT_EQUAL(vs->rndis_received, 3);
    CU_ASSERT_EQUAL(vs->unexpected, 0);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 0);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->xfers_outstanding, 0);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->unexpected, 0);
    teardown();
}

static void
test_negotiation_picks_highest_version_the_vsp_accepts(void)
{
    struct netvsc_vsc_config vc = { 0 };
    struct netvsc_vsp_config sc = { .max_nvsp_version = NETVSC_NVSP_V5 };
    struct netvsc_vsc_info vi;
    struct netvsc_vsp_info si;

    setup_with(vc, sc, false);
    bring_up();
    /* 6.1 and 6 refused, 5 accepted. */
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, 0), 4), NETVSC_NVSP_V61);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, 1), 4), NETVSC_NVSP_V6);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, 2), 4), NETVSC_NVSP_V5);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.h2g, 0), 12), NETVSC_NVSP_STAT_FAIL);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.h2g, 2), 4), NETVSC_NVSP_V5);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.h2g, 2), 12), NETVSC_NVSP_STAT_SUCCESS);
    netvsc_vsc_get_info(F.vsc, &vi);
    CU_ASSERT_EQUAL(vi.nvsp_version, NETVSC_NVSP_V5);
    CU_ASSERT_EQUAL(vi.ndis_version, NETVSC_NDIS_VERSION_6_30);
    netvsc_vsp_get_info(F.vsp, &si);
    CU_ASSERT_EQUAL(si.offload_params_len, 28);
    teardown();

    /* At NVSP 4: NDIS 6.1, the 22-byte offload parameters, no UDP, no
     * teaming capability. */
    sc.max_nvsp_version = NETVSC_NVSP_V4;
    setup_with(vc, sc, false);
    bring_up();
    netvsc_vsc_get_info(F.vsc, &vi);
    CU_ASSERT_EQUAL(vi.nvsp_version, NETVSC_NVSP_V4);
    CU_ASSERT_EQUAL(vi.ndis_version, NETVSC_NDIS_VERSION_6_1);
    netvsc_vsp_get_info(F.vsp, &si);
    CU_ASSERT_EQUAL(si.offload_params_len, 22);
    CU_ASSERT_EQUAL(si.capabilities, NETVSC_CAP_IEEE8021Q);
    CU_ASSERT(si.csum_tx_ipv4 && si.lso_v2_ipv4);
    teardown();
}

static void
test_negotiation_fails_when_no_version_is_accepted(void)
{
    struct netvsc_vsc_config vc = { .max_nvsp_version = NETVSC_NVSP_V5 };
    struct netvsc_vsp_config sc = { .min_nvsp_version = NETVSC_NVSP_V6 };
    struct vsw_pkt *p;

    setup_with(vc, sc, false);
    CU_ASSERT_EQUAL(netvsc_vsc_start(F.vsc), 0);
    pump();
    CU_ASSERT_EQUAL(netvsc_vsc_state(F.vsc), NETVSC_VSC_FAILED);
    /* 5, 4, 2, 1 tried, nothing else sent. */
    CU_ASSERT_EQUAL(F.g2h.n, 4);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, 3), 4), NETVSC_NVSP_V1);
    CU_ASSERT(!netvsc_vsp_ready(F.vsp));
    p = make_frame(60, 6, 0, false);
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, p, false), ENOTCONN);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, p), ENOTCONN);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->rx_dropped_not_ready, 1);
    vsw_pkt_free(p);
    teardown();
}

static void
test_negotiation_takes_the_host_chosen_send_section_size(void)
{
    struct netvsc_vsc_config vc = { 0 };
    struct netvsc_vsp_config sc = { .send_section_size = 4096,
                                    .max_pkt_per_msg = 4,
                                    .pkt_alignment_factor = 4 };
    struct netvsc_vsc_info vi;

    setup_with(vc, sc, false);
    bring_up();
    netvsc_vsc_get_info(F.vsc, &vi);
    CU_ASSERT_EQUAL(vi.send_section_size, 4096);
    CU_ASSERT_EQUAL(vi.send_section_count, 256);
    CU_ASSERT_EQUAL(vi.max_pkt, 4);
    CU_ASSERT_EQUAL(vi.pkt_align, 16);
    /* A batch now holds 4 frames. */
    send_n(5, 61, true, false);
    CU_ASSERT_EQUAL(F.g2h.n, F.g2h_mark + 1);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark), 12), 4 * 112);
    teardown();
}

static void
test_negotiation_failures_and_bad_configs(void)
{
    struct netvsc_vsc_config vc = { 0 };
    struct netvsc_vsp_config sc = { 0 };
    struct netvsc_vsc *v;
    struct netvsc_vsp *s;

    /* Unknown GPADL: the receive buffer completion fails, VSC FAILED. */
    setup();
    struct netvsc_vsc_config bad = { .recv_gpadl = 77,
                                     .recv_buf_size = 64u << 10,
                                     .send_buf_size = 64u << 10,
                                     .page_slots = 1 };
    netvsc_vsc_destroy(F.vsc);
    bad.mem = F.mem;
    bad.chan = &plain_ops;
    bad.chan_ctx = &F.g2h;
    bad.deliver = guest_deliver;
    CU_ASSERT_FATAL(netvsc_vsc_create(&bad, &F.vsc) == 0);
    CU_ASSERT_EQUAL(netvsc_vsc_start(F.vsc), 0);
    pump();
    CU_ASSERT_EQUAL(netvsc_vsc_state(F.vsc), NETVSC_VSC_FAILED);
    teardown();

    /* Channel refuses the very first INIT. */
    setup();
    F.g2h.refuse_all = true;
    CU_ASSERT_EQUAL(netvsc_vsc_start(F.vsc), EAGAIN);
    CU_ASSERT_EQUAL(netvsc_vsc_state(F.vsc), NETVSC_VSC_FAILED);
    teardown();

    /* Configurations. */
    CU_ASSERT_FATAL(gmem_create(MEM_SIZE, &F.mem) == 0);
    vc.mem = F.mem;
    vc.chan = &plain_ops;
    vc.deliver = guest_deliver;
    vc.mtu = 40;
    CU_ASSERT_EQUAL(netvsc_vsc_create(&vc, &v), EINVAL);
    CU_ASSERT_PTR_NULL(v);
    vc.mtu = 0;
    vc.recv_buf_size = 32u << 20;
    CU_ASSERT_EQUAL(netvsc_vsc_create(&vc, &v), EINVAL);
    vc.recv_buf_size = 31u << 20;         /* 31 + 1 MiB + slots > 32 MiB */
    CU_ASSERT_EQUAL(netvsc_vsc_create(&vc, &v), ENOMEM);
    vc.deliver = NULL;
    vc.recv_buf_size = 0;
    CU_ASSERT_EQUAL(netvsc_vsc_create(&vc, &v), EINVAL);
    sc.mem = F.mem;
    sc.chan = &plain_ops;
    sc.deliver = host_deliver;
    sc.gpadl = gpadl_lookup;
    sc.recv_section_size = 1730;           /* not a multiple of 8 */
    CU_ASSERT_EQUAL(netvsc_vsp_create(&sc, &s), EINVAL);
    sc.recv_section_size = 0;
    sc.min_nvsp_version = NETVSC_NVSP_V6;
    sc.max_nvsp_version = NETVSC_NVSP_V5;
    CU_ASSERT_EQUAL(netvsc_vsp_create(&sc, &s), EINVAL);
    CU_ASSERT_PTR_NULL(s);
    netvsc_vsc_destroy(NULL);
    netvsc_vsp_destroy(NULL);
    gmem_destroy(F.mem);
    memset(&F, 0, sizeof F);
    CU_ASSERT_STRING_EQUAL(netvsc_vsc_state_name(NETVSC_VSC_READY), "ready");
}

/* ======================================================================== */
/* Send                                                                    */

static void
test_send_frame_with_vlan_and_csum_arrives_byte_identical(void)
{
    struct vsw_pkt *p = make_frame(100, 6, 9, false);
    const struct qpkt *q;
    const struct vsw_pkt *r;

    setup();
    bring_up();
    p->oob.vlan_present = true;
    p->oob.vlan_id = 100;
    p->oob.priority = 5;
    p->oob.dei = true;
    p->oob.tx_csum_ip = true;
    p->oob.tx_csum_tcp = true;
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, p, false), 0);

    /* One in-band SEND_RNDIS_PKT, data, section 0, 44 + 32 + 100 bytes. */
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 1);
    q = sent(&F.g2h, F.g2h_mark);
    CU_ASSERT_EQUAL(q->p.type, NETVSC_VMPKT_DATA_INBAND);
    CU_ASSERT_EQUAL(q->p.flags, NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED);
    CU_ASSERT_EQUAL(payload_u32(q, 0), NETVSC_NVSP_MSG1_SEND_RNDIS_PKT);
    CU_ASSERT_EQUAL(payload_u32(q, 4), NETVSC_RNDIS_CHANNEL_DATA);
    CU_ASSERT_EQUAL(payload_u32(q, 8), 0);
    CU_ASSERT_EQUAL(payload_u32(q, 12), 176);
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->sections_in_use, 1);

    pump();
    CU_ASSERT_EQUAL_FATAL(F.host_rx.n, 1);
    r = F.host_rx.v[0];
    CU_ASSERT(same_bytes(r, p));
    CU_ASSERT(r->oob.vlan_present);
    CU_ASSERT_EQUAL(r->oob.vlan_id, 100);
    CU_ASSERT_EQUAL(r->oob.priority, 5);
    CU_ASSERT(r->oob.dei);
    CU_ASSERT(r->oob.tx_csum_ip);
    CU_ASSERT(r->oob.tx_csum_tcp);
    CU_ASSERT(!r->oob.tx_csum_udp);
    CU_ASSERT_EQUAL(r->oob.lso_mss, 0);
    /* The completion came back and freed the section. */
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->sections_in_use, 0);
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->tx_completions, 1);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.h2g, F.h2g_mark), 0),
                    NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.h2g, F.h2g_mark), 4),
                    NETVSC_NVSP_STAT_SUCCESS);
    CU_ASSERT_EQUAL(sent(&F.h2g, F.h2g_mark)->p.trans_id, q->p.trans_id);
    vsw_pkt_free(p);
    teardown();
}

static void
test_send_udp_csum_request_round_trips(void)
{
    struct vsw_pkt *p = make_frame(300, 17, 4, false);

    setup();
    bring_up();
    p->oob.tx_csum_udp = true;
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, p, false), 0);
    pump();
    CU_ASSERT_EQUAL_FATAL(F.host_rx.n, 1);
    CU_ASSERT(same_bytes(F.host_rx.v[0], p));
    CU_ASSERT(F.host_rx.v[0]->oob.tx_csum_udp);
    CU_ASSERT(!F.host_rx.v[0]->oob.tx_csum_tcp);
    CU_ASSERT(!F.host_rx.v[0]->oob.tx_csum_ip);
    CU_ASSERT(!F.host_rx.v[0]->oob.vlan_present);
    vsw_pkt_free(p);
    teardown();
}

static void
test_send_eight_frames_with_more_make_one_send_rndis_pkt(void)
{
    const struct netvsc_vsc_stats *vs;
    const struct qpkt *q;
    struct netvsc_vsc_info vi;

    setup();
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    /* 61-byte frames: 105-byte messages, padded to 112 while batching. */
    CU_ASSERT_EQUAL(send_n(8, 61, true, false), 0);
    CU_ASSERT_EQUAL(F.g2h.n, F.g2h_mark);             /* nothing sent yet */
    netvsc_vsc_get_info(F.vsc, &vi);
    CU_ASSERT_EQUAL(vi.batch_frames, 8);
    CU_ASSERT_EQUAL(vs->sections_in_use, 1);

    /* The 9th opens a new section and sends the full batch. */
    CU_ASSERT_EQUAL(send_n(1, 61, true, false), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 1);
    q = sent(&F.g2h, F.g2h_mark);
    CU_ASSERT_EQUAL(q->p.type, NETVSC_VMPKT_DATA_INBAND);
    CU_ASSERT_EQUAL(payload_u32(q, 8), 0);                /* section 0 */
    CU_ASSERT_EQUAL(payload_u32(q, 12), 8 * 112);
    CU_ASSERT_EQUAL(vs->tx_sends, 1);
    CU_ASSERT_EQUAL(vs->tx_frames, 8);
    CU_ASSERT_EQUAL(vs->sections_in_use, 2);
    netvsc_vsc_get_info(F.vsc, &vi);
    CU_ASSERT_EQUAL(vi.batch_frames, 1);
    /* In section 0 every message's msg_len is padded to 8. */
    for (unsigned i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(gmem_read32(F.mem, vi.send_buf_gpa + i * 112 + 4), 112);
    }

    CU_ASSERT_EQUAL(netvsc_vsc_flush_send(F.vsc), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 2);
    q = sent(&F.g2h, F.g2h_mark + 1);
    CU_ASSERT_EQUAL(payload_u32(q, 8), 1);
    CU_ASSERT_EQUAL(payload_u32(q, 12), 112);
    CU_ASSERT_EQUAL(netvsc_vsc_flush_send(F.vsc), 0);   /* nothing open */
    CU_ASSERT_EQUAL(F.g2h.n, F.g2h_mark + 2);

    pump();
    CU_ASSERT_EQUAL_FATAL(F.host_rx.n, 9);
    for (unsigned i = 0; i < 9; i++) {
        struct vsw_pkt *w = make_frame(61, 6, i == 8 ? 0 : i, false);
        CU_ASSERT(same_bytes(F.host_rx.v[i], w));
        vsw_pkt_free(w);
    }
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);
    CU_ASSERT_EQUAL(vs->tx_copied_frames, 9);
    CU_ASSERT_EQUAL(vs->tx_copy_bytes, 9 * 105);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->tx_msgs, 2);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->tx_frames, 9);
    teardown();
}

static void
test_send_without_more_flushes_at_once_unpadded(void)
{
    struct netvsc_vsc_info vi;

    setup();
    bring_up();
    CU_ASSERT_EQUAL(send_n(1, 61, false, false), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 1);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark), 12), 105);
    netvsc_vsc_get_info(F.vsc, &vi);
    CU_ASSERT_EQUAL(gmem_read32(F.mem, vi.send_buf_gpa + 4), 105);
    CU_ASSERT_EQUAL(vi.batch_frames, 0);

    /* more, more, !more: one message of 112 + 112 + 105. */
    CU_ASSERT_EQUAL(send_n(3, 61, true, true), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 2);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark + 1), 8), 1);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark + 1), 12), 329);
    pump();
    CU_ASSERT_EQUAL(F.host_rx.n, 4);
    teardown();
}

static void
test_send_frame_that_does_not_fit_the_batch_sends_it_first(void)
{
    setup();
    bring_up();
    /* 600-byte frames with more: 644-byte messages padded to 648; a 9th
     * would fit (8 * 648 + 644 + 8 = 5836 < 6144) but max_pkt stops the
     * batch at 8, so the 9th opens a new section. */
    CU_ASSERT_EQUAL(send_n(9, 600, true, false), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 1);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark), 12), 8 * 648);
    netvsc_vsc_flush_send(F.vsc);
    pump();
    CU_ASSERT_EQUAL(F.host_rx.n, 9);
    teardown();

    /* 828-byte frames: 872-byte messages.  Seven fill 6104 bytes; the 8th
     * fits neither whole (6104 + 872 + 8 >= 6144) nor as a header
     * (6104 + 44 >= 6144): the batch of 7 goes, the 8th opens section 1. */
    setup();
    bring_up();
    CU_ASSERT_EQUAL(send_n(8, 828, true, false), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 1);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark), 8), 0);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark), 12), 7 * 872);
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->tx_partial, 0);
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->sections_in_use, 2);
    netvsc_vsc_flush_send(F.vsc);
    pump();
    CU_ASSERT_EQUAL(F.host_rx.n, 8);
    teardown();

    /* 2000-byte frames: 2044 padded to 2048.  The 3rd does not fit whole
     * (4096 + 2044 + 8 = 6148 >= 6144) but its header does: cp_partial. */
    setup();
    bring_up();
    CU_ASSERT_EQUAL(send_n(3, 2000, true, false), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 1);
    CU_ASSERT_EQUAL(sent(&F.g2h, F.g2h_mark)->p.type,
                    NETVSC_VMPKT_DATA_GPA_DIRECT);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark), 12), 2 * 2048 + 44);
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->tx_partial, 1);
    pump();
    CU_ASSERT_EQUAL(F.host_rx.n, 3);
    teardown();
}

static void
test_send_lso_64k_goes_gpa_direct_with_the_right_page_list(void)
{
    struct vsw_pkt *p = make_frame(65536, 6, 5, true);
    struct netvsc_vsc_info vi;
    const struct qpkt *q;
    const struct netvsc_vsc_stats *vs;
    uint64_t base, read0;

    setup();
    bring_up();
    netvsc_vsc_get_info(F.vsc, &vi);
    base = vi.slots_gpa / GMEM_PAGE_SIZE;
    p->oob.lso_mss = 1448;
    p->oob.lso_version = 2;
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, p, false), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 1);
    q = sent(&F.g2h, F.g2h_mark);
    CU_ASSERT_EQUAL(q->p.type, NETVSC_VMPKT_DATA_GPA_DIRECT);
    CU_ASSERT_EQUAL(q->p.flags, NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED);
    CU_ASSERT_EQUAL(payload_u32(q, 4), NETVSC_RNDIS_CHANNEL_DATA);
    read0 = netvsc_vsp_stats(F.vsp)->tx_read_bytes;
    CU_ASSERT_EQUAL(payload_u32(q, 8), 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(payload_u32(q, 12), 0);
    CU_ASSERT_EQUAL_FATAL(q->p.n_gpa, 2);
    /* Range 0: the RNDIS header (44 + LSO PPI 16) at the slot's start. */
    CU_ASSERT_EQUAL(q->gpa[0].byte_offset, 0);
    CU_ASSERT_EQUAL(q->gpa[0].byte_count, 60);
    CU_ASSERT_EQUAL(q->gpa[0].n_pfn, 1);
    CU_ASSERT_EQUAL(q->gpa[0].pfn[0], base);
    /* Range 1: the frame, 256 bytes in, 17 consecutive pages. */
    CU_ASSERT_EQUAL(q->gpa[1].byte_offset, 256);
    CU_ASSERT_EQUAL(q->gpa[1].byte_count, 65536);
    CU_ASSERT_EQUAL_FATAL(q->gpa[1].n_pfn, 17);
    for (unsigned i = 0; i < 17; i++) {
        CU_ASSERT_EQUAL(q->gpa[1].pfn[i], base + i);
    }
    /* The LSO PPI: mss 1448, tcp header at 34, LSOv2, IPv4. */
    CU_ASSERT_EQUAL(gmem_read32(F.mem, vi.slots_gpa + 44 + 4),
                    NETVSC_PPI_TCP_LARGESEND);
    CU_ASSERT_EQUAL(gmem_read32(F.mem, vi.slots_gpa + 44 + 12),
                    1448u | 34u << 20 | 1u << 30);

    vs = netvsc_vsc_stats(F.vsc);
    CU_ASSERT_EQUAL(vs->tx_copy_bytes, 0);
    CU_ASSERT_EQUAL(vs->tx_gpa_frames, 1);
    CU_ASSERT_EQUAL(vs->tx_placed_bytes, 65536);
    CU_ASSERT_EQUAL(vs->slots_in_use, 1);
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);

    pump();
    CU_ASSERT_EQUAL_FATAL(F.host_rx.n, 1);
    CU_ASSERT(same_bytes(F.host_rx.v[0], p));
    CU_ASSERT_EQUAL(F.host_rx.v[0]->oob.lso_mss, 1448);
    CU_ASSERT_EQUAL(F.host_rx.v[0]->oob.lso_version, 2);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->tx_read_bytes - read0, 60 + 65536);
    CU_ASSERT_EQUAL(vs->slots_in_use, 0);

    /* Linux decides by size alone: a super-frame that fits a section is
     * copied like any frame, its LSO PPI with it. */
    struct vsw_pkt *small = make_frame(3000, 6, 7, true);
    small->oob.lso_mss = 1448;
    small->oob.lso_version = 2;
    size_t mark = F.g2h.n;
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, small, false), 0);
    CU_ASSERT_EQUAL(sent(&F.g2h, mark)->p.type, NETVSC_VMPKT_DATA_INBAND);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, mark), 12), 44 + 16 + 3000);
    pump();
    CU_ASSERT_EQUAL_FATAL(F.host_rx.n, 2);
    CU_ASSERT(same_bytes(F.host_rx.v[1], small));
    CU_ASSERT_EQUAL(F.host_rx.v[1]->oob.lso_mss, 1448);
    CU_ASSERT_EQUAL(vs->tx_copy_bytes, 44 + 16 + 3000);
    vsw_pkt_free(small);
    vsw_pkt_free(p);
    teardown();
}

static void
test_send_lsov1_and_ipv6_encode_their_ppi_bits(void)
{
    struct vsw_pkt *p = make_frame(20000, 6, 2, false);
    uint8_t h[NETVSC_RNDIS_DATA_HDR_MAX];
    struct netvsc_rndis_data d;

    p->oob.lso_mss = 1460;
    p->oob.lso_version = 1;
    netvsc_rndis_data_header(h, p, NETVSC_DIR_TO_HOST, 0);
    CU_ASSERT_EQUAL(netvsc_get_le32(h + 56), 1460u | 34u << 20);
    /* An IPv6 frame sets ip_version with LSOv2, is_ipv6 with checksums. */
    uint8_t *b = vsw_pkt_data(p);
    b[12] = 0x86;
    b[13] = 0xDD;
    memset(b + 14, 0, 40);
    b[14] = 0x60;
    b[18] = 0;
    b[19] = 0;                  /* payload length 0: LSO */
    b[20] = 6;                  /* next header TCP */
    b[21] = 64;
    b[54 + 12] = 0x50;
    p->oob.lso_version = 2;
    netvsc_rndis_data_header(h, p, NETVSC_DIR_TO_HOST, 0);
    CU_ASSERT_EQUAL(netvsc_get_le32(h + 56), 1460u | 54u << 20 | 3u << 30);
    p->oob.lso_mss = 0;
    p->oob.tx_csum_tcp = true;
    netvsc_rndis_data_header(h, p, NETVSC_DIR_TO_HOST, 0);
    CU_ASSERT_EQUAL(netvsc_get_le32(h + 56),
                    NETVSC_CSUM_TX_IS_IPV6 | NETVSC_CSUM_TX_TCP | 54u << 16);
    /* Parsed back toward the host. */
    uint8_t m[60 + 60];
    struct vsw_pkt *q = make_frame(60, 6, 0, false);
    q->oob.lso_mss = 9000;
    q->oob.lso_version = 1;
    uint32_t hl = netvsc_rndis_data_header(m, q, NETVSC_DIR_TO_HOST, 0);
    memcpy(m + hl, vsw_pkt_data(q), 60);
    CU_ASSERT_EQUAL(netvsc_rndis_parse_data(m, hl + 60, NETVSC_DIR_TO_HOST, &d),
                    NETVSC_RNDIS_OK);
    CU_ASSERT_EQUAL(d.oob.lso_mss, 9000);
    CU_ASSERT_EQUAL(d.oob.lso_version, 1);
    /* Toward the guest the LSO PPI means nothing. */
    CU_ASSERT_EQUAL(netvsc_rndis_parse_data(m, hl + 60, NETVSC_DIR_TO_GUEST, &d),
                    NETVSC_RNDIS_OK);
    CU_ASSERT_EQUAL(d.oob.lso_mss, 0);
    CU_ASSERT_EQUAL(d.n_ppi_unknown, 1);
    vsw_pkt_free(q);
    vsw_pkt_free(p);
}

static void
test_send_partial_copies_only_the_header_into_the_open_batch(void)
{
    struct vsw_pkt *small = make_frame(61, 6, 1, false);
    struct vsw_pkt *big = make_frame(6000, 6, 2, false);
    struct netvsc_vsc_info vi;
    const struct qpkt *q;
    const struct netvsc_vsc_stats *vs;

    setup();
    bring_up();
    netvsc_vsc_get_info(F.vsc, &vi);
    vs = netvsc_vsc_stats(F.vsc);
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, small, true), 0);
    /* 112 + 6044 + 8 >= 6144 but 112 + 44 < 6144: cp_partial, sent at once
     * even though 'more' is set. */
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, big, true), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 1);
    q = sent(&F.g2h, F.g2h_mark);
    CU_ASSERT_EQUAL(q->p.type, NETVSC_VMPKT_DATA_GPA_DIRECT);
    CU_ASSERT_EQUAL(payload_u32(q, 8), 0);
    CU_ASSERT_EQUAL(payload_u32(q, 12), 112 + 44);
    CU_ASSERT_EQUAL_FATAL(q->p.n_gpa, 1);
    CU_ASSERT_EQUAL(q->gpa[0].byte_offset, 256);
    CU_ASSERT_EQUAL(q->gpa[0].byte_count, 6000);
    CU_ASSERT_EQUAL(q->gpa[0].n_pfn, 2);
    CU_ASSERT_EQUAL(q->gpa[0].pfn[0], vi.slots_gpa / GMEM_PAGE_SIZE);
    /* The header in the section claims the whole frame. */
    CU_ASSERT_EQUAL(gmem_read32(F.mem, vi.send_buf_gpa + 112 + 4), 6044);
    CU_ASSERT_EQUAL(vs->tx_partial, 1);
    CU_ASSERT_EQUAL(vs->tx_copy_bytes, 105 + 44);
    CU_ASSERT_EQUAL(vs->tx_frames, 2);
    netvsc_vsc_get_info(F.vsc, &vi);
    CU_ASSERT_EQUAL(vi.batch_frames, 0);

    pump();
    CU_ASSERT_EQUAL_FATAL(F.host_rx.n, 2);
    CU_ASSERT(same_bytes(F.host_rx.v[0], small));
    CU_ASSERT(same_bytes(F.host_rx.v[1], big));
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);
    CU_ASSERT_EQUAL(vs->slots_in_use, 0);
    vsw_pkt_free(small);
    vsw_pkt_free(big);
    teardown();
}

static void
test_send_completions_free_sections_for_reuse(void)
{
    const struct netvsc_vsc_stats *vs;

    setup();
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    CU_ASSERT_EQUAL(send_n(5, 100, false, false), 0);
    CU_ASSERT_EQUAL(vs->sections_in_use, 5);
    CU_ASSERT_EQUAL(vs->sends_outstanding, 5);
    for (unsigned i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark + i), 8), i);
    }
    pump();
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);
    CU_ASSERT_EQUAL(vs->sends_outstanding, 0);
    CU_ASSERT_EQUAL(vs->tx_completions, 5);
    /* The lowest free section again: 0. */
    size_t mark = F.g2h.n;
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), 0);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, mark), 8), 0);
    /* Many rounds through all 170 sections lose nothing. */
    for (unsigned round = 0; round < 5; round++) {
        CU_ASSERT_EQUAL(send_n(170, 100, false, false), 0);
        pump();
    }
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);
    CU_ASSERT_EQUAL(vs->tx_send_full, 1);   /* 1 + 170 in the first round */
    CU_ASSERT_EQUAL(F.host_rx.n, 6 + 5 * 170);
    teardown();
}

static void
test_send_out_of_sections_falls_back_to_page_list(void)
{
    const struct netvsc_vsc_stats *vs;
    const struct qpkt *q;

    setup();
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    CU_ASSERT_EQUAL(send_n(170, 100, false, false), 0);
    CU_ASSERT_EQUAL(vs->sections_in_use, 170);
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), 0);
    CU_ASSERT_EQUAL(vs->tx_send_full, 1);
    CU_ASSERT_EQUAL(vs->tx_gpa_frames, 1);
    q = sent(&F.g2h, F.g2h.n - 1);
    CU_ASSERT_EQUAL(q->p.type, NETVSC_VMPKT_DATA_GPA_DIRECT);
    CU_ASSERT_EQUAL(payload_u32(q, 8), 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(q->p.n_gpa, 2);
    CU_ASSERT(!netvsc_vsc_stopped(F.vsc));
    pump();
    CU_ASSERT_EQUAL(F.host_rx.n, 171);
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);
    CU_ASSERT_EQUAL(vs->slots_in_use, 0);
    teardown();
}

static void
test_send_out_of_sections_refuses_with_eagain_when_configured(void)
{
    struct netvsc_vsc_config vc = { .no_section_refuses = true };
    struct netvsc_vsp_config sc = { 0 };
    const struct netvsc_vsc_stats *vs;

    setup_with(vc, sc, false);
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    CU_ASSERT_EQUAL(send_n(170, 100, false, false), 0);
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), EAGAIN);
    CU_ASSERT(netvsc_vsc_stopped(F.vsc));
    CU_ASSERT_EQUAL(vs->tx_send_full, 1);
    CU_ASSERT_EQUAL(vs->tx_refused, 1);
    CU_ASSERT_EQUAL(vs->stops, 1);
    CU_ASSERT_EQUAL(vs->sections_in_use, 170);
    CU_ASSERT_EQUAL(F.g2h.n, F.g2h_mark + 170);
    /* Stopped: refused without trying. */
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), EAGAIN);
    CU_ASSERT_EQUAL(vs->tx_refused, 2);
    CU_ASSERT_EQUAL(vs->tx_send_full, 1);
    /* Completions wake the queue once; the retry goes through. */
    pump();
    CU_ASSERT(!netvsc_vsc_stopped(F.vsc));
    CU_ASSERT_EQUAL(F.wakes, 1);
    CU_ASSERT_EQUAL(vs->wakes, 1);
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), 0);
    pump();
    CU_ASSERT_EQUAL(F.host_rx.n, 171);
    teardown();

    /* The last free section holds the open batch (7 x 872 bytes); the 8th
     * frame needs a new section: the batch is sent, so that a completion
     * will come, and the frame is refused. */
    setup_with(vc, sc, false);
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    CU_ASSERT_EQUAL(send_n(169, 100, false, false), 0);
    CU_ASSERT_EQUAL(send_n(7, 828, true, false), 0);
    CU_ASSERT_EQUAL(vs->sections_in_use, 170);
    CU_ASSERT_EQUAL(F.g2h.n, F.g2h_mark + 169);
    CU_ASSERT_EQUAL(send_n(1, 828, true, false), EAGAIN);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 170);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark + 169), 8), 169);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, F.g2h_mark + 169), 12), 7 * 872);
    CU_ASSERT(netvsc_vsc_stopped(F.vsc));
    pump();
    CU_ASSERT(!netvsc_vsc_stopped(F.vsc));
    CU_ASSERT_EQUAL(F.host_rx.n, 176);
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);
    teardown();
}

static void
test_send_channel_full_stops_queue_and_completions_wake_it(void)
{
    const struct netvsc_vsc_stats *vs;

    setup();
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    F.g2h.limit = 3;
    CU_ASSERT_EQUAL(send_n(3, 100, false, false), 0);
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), EAGAIN);
    CU_ASSERT(netvsc_vsc_stopped(F.vsc));
    CU_ASSERT_EQUAL(vs->stops, 1);
    CU_ASSERT_EQUAL(vs->tx_refused, 1);
    CU_ASSERT_EQUAL(vs->sections_in_use, 3);     /* the 4th gave its back */
    CU_ASSERT_EQUAL(vs->tx_frames, 3);
    CU_ASSERT_EQUAL(F.g2h.refused, 1);
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), EAGAIN);
    CU_ASSERT_EQUAL(F.g2h.refused, 1);           /* not even tried */

    /* The first completion wakes it (no ring_space op). */
    while (F.g2h.next < F.g2h.n) {
        deliver_one(&F.g2h);
    }
    CU_ASSERT_EQUAL(F.wakes, 0);
    deliver_one(&F.h2g);
    CU_ASSERT_EQUAL(F.wakes, 1);
    CU_ASSERT(!netvsc_vsc_stopped(F.vsc));
    pump();
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), 0);
    pump();
    CU_ASSERT_EQUAL(F.host_rx.n, 4);
    teardown();
}

static void
test_send_channel_full_keeps_open_batch_and_refuses_frame(void)
{
    struct netvsc_vsc_info vi;
    const struct netvsc_vsc_stats *vs;

    setup();
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), 0);   /* outstanding 1 */
    CU_ASSERT_EQUAL(send_n(2, 100, true, false), 0);    /* open batch */
    F.g2h.refuse_all = true;
    /* A !more frame joins the batch, whose send fails: nothing changes. */
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), EAGAIN);
    netvsc_vsc_get_info(F.vsc, &vi);
    CU_ASSERT_EQUAL(vi.batch_frames, 2);
    CU_ASSERT_EQUAL(vs->sections_in_use, 2);
    CU_ASSERT_EQUAL(vs->tx_frames, 1);
    CU_ASSERT_EQUAL(netvsc_vsc_flush_send(F.vsc), EAGAIN);
    F.g2h.refuse_all = false;
    pump();                     /* the completion wakes the queue */
    CU_ASSERT(!netvsc_vsc_stopped(F.vsc));
    CU_ASSERT_EQUAL(netvsc_vsc_flush_send(F.vsc), 0);
    pump();
    CU_ASSERT_EQUAL(F.host_rx.n, 3);
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);
    teardown();
}

static void
test_send_channel_full_with_nothing_outstanding_drops_with_enospc(void)
{
    const struct netvsc_vsc_stats *vs;

    setup();
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    F.g2h.refuse_all = true;
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), ENOSPC);
    CU_ASSERT(!netvsc_vsc_stopped(F.vsc));
    CU_ASSERT_EQUAL(vs->tx_no_space, 1);
    CU_ASSERT_EQUAL(vs->stops, 1);
    CU_ASSERT_EQUAL(vs->wakes, 1);
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);
    CU_ASSERT_EQUAL(vs->tx_frames, 0);
    teardown();
}

static void
test_send_ring_below_lowater_stops_and_above_hiwater_wakes(void)
{
    struct netvsc_vsc_config vc = { 0 };
    struct netvsc_vsp_config sc = { 0 };
    const struct netvsc_vsc_stats *vs;

    setup_with(vc, sc, true);
    F.g2h.ring_size = 524288;
    F.g2h.ring_free = 524288;
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);

    F.g2h.ring_free = 60000;                    /* 11 %: goes on */
    CU_ASSERT_EQUAL(send_n(2, 100, false, false), 0);
    CU_ASSERT(!netvsc_vsc_stopped(F.vsc));
    F.g2h.ring_free = 52427;                    /* 9 %: sent, then stop */
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), 0);
    CU_ASSERT(netvsc_vsc_stopped(F.vsc));
    CU_ASSERT_EQUAL(vs->stops, 1);
    CU_ASSERT_EQUAL(vs->tx_frames, 3);
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), EAGAIN);

    while (F.g2h.next < F.g2h.n) {
        deliver_one(&F.g2h);
    }
    F.g2h.ring_free = 104856;                   /* 20 %: not enough */
    deliver_one(&F.h2g);
    CU_ASSERT(netvsc_vsc_stopped(F.vsc));
    CU_ASSERT_EQUAL(F.wakes, 0);
    F.g2h.ring_free = 110100;                   /* 21 %, 1 outstanding */
    deliver_one(&F.h2g);
    CU_ASSERT(!netvsc_vsc_stopped(F.vsc));
    CU_ASSERT_EQUAL(F.wakes, 1);
    CU_ASSERT_EQUAL(vs->sends_outstanding, 1);
    pump();

    /* At 20 % with the last send completing, no send is outstanding. */
    F.g2h.ring_free = 52427;
    CU_ASSERT_EQUAL(send_n(1, 100, false, false), 0);
    CU_ASSERT(netvsc_vsc_stopped(F.vsc));
    F.g2h.ring_free = 104856;
    pump();
    CU_ASSERT(!netvsc_vsc_stopped(F.vsc));
    CU_ASSERT_EQUAL(F.wakes, 2);
    CU_ASSERT_EQUAL(vs->stops, 2);
    CU_ASSERT_EQUAL(vs->wakes, 2);
    teardown();
}

static void
test_send_rejects_runt_oversized_and_not_ready(void)
{
    struct vsw_pkt *runt = make_frame(14, 6, 0, false);
    struct vsw_pkt *huge = vsw_pkt_alloc(NETVSC_MAX_FRAME + 1, 0);

    CU_ASSERT_FATAL(huge != NULL);
    CU_ASSERT_EQUAL(vsw_pkt_set_len(huge, NETVSC_MAX_FRAME + 1), 0);
    setup();
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, runt, false), ENOTCONN);
    bring_up();
    vsw_pkt_pull(runt, 1);
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, runt, false), EINVAL);
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, huge, false), EMSGSIZE);
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->tx_invalid, 2);
    CU_ASSERT_EQUAL(F.g2h.n, F.g2h_mark);
    /* The largest frame goes (17 pages, by page list). */
    CU_ASSERT_EQUAL(vsw_pkt_set_len(huge, NETVSC_MAX_FRAME), 0);
    memset(vsw_pkt_data(huge), 0xA5, NETVSC_MAX_FRAME);
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, huge, false), 0);
    pump();
    CU_ASSERT_EQUAL_FATAL(F.host_rx.n, 1);
    CU_ASSERT(same_bytes(F.host_rx.v[0], huge));
    vsw_pkt_free(runt);
    vsw_pkt_free(huge);
    teardown();
}

/* ======================================================================== */
/* Receive                                                                 */

static void
test_receive_n_frames_one_flush_is_one_type7_packet_with_n_ranges(void)
{
    static const size_t lens[5] = { 60, 1514, 200, 61, 1000 };
    struct vsw_pkt *f[5];
    const struct qpkt *q;

    setup();
    bring_up();
    for (unsigned i = 0; i < 5; i++) {
        f[i] = make_frame(lens[i], 6, i, false);
        f[i]->oob.vlan_present = true;
        f[i]->oob.vlan_id = 7;
        f[i]->oob.priority = 1;
        f[i]->oob.rx_csum_ip = VSW_CSUM_RX_PASSED;
        f[i]->oob.rx_csum_tcp = i == 2 ? VSW_CSUM_RX_FAILED : VSW_CSUM_RX_PASSED;
        f[i]->oob.rss_hash = 0x1000 + i;
        CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f[i]), 0);
    }
    CU_ASSERT_EQUAL(F.h2g.n, F.h2g_mark);           /* batched */
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->ranges_pending, 5);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 5);
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    CU_ASSERT_EQUAL_FATAL(F.h2g.n, F.h2g_mark + 1);
    q = sent(&F.h2g, F.h2g_mark);
    CU_ASSERT_EQUAL(q->p.type, NETVSC_VMPKT_DATA_XFER_PAGES);
    CU_ASSERT_EQUAL(q->p.flags, NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED);
    CU_ASSERT_EQUAL(q->p.xfer_pageset_id, 0xcafe);
    CU_ASSERT_EQUAL(payload_u32(q, 0), NETVSC_NVSP_MSG1_SEND_RNDIS_PKT);
    CU_ASSERT_EQUAL(payload_u32(q, 4), NETVSC_RNDIS_CHANNEL_DATA);
    CU_ASSERT_EQUAL_FATAL(q->p.n_ranges, 5);
    /* Negotiation's three RNDIS answers used sections 0..2 and were
     * completed: first fit starts again at 0. */
    for (unsigned i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(q->ranges[i].byte_offset, i * 1728);
        CU_ASSERT_EQUAL(q->ranges[i].byte_count, 44 + 3 * 16 + lens[i]);
    }
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);    /* nothing more */
    CU_ASSERT_EQUAL(F.h2g.n, F.h2g_mark + 1);

    pump();
    CU_ASSERT_EQUAL_FATAL(F.guest_rx.n, 5);
    for (unsigned i = 0; i < 5; i++) {
        const struct vsw_pkt *r = F.guest_rx.v[i];
        CU_ASSERT(same_bytes(r, f[i]));
        CU_ASSERT(r->oob.vlan_present);
        CU_ASSERT_EQUAL(r->oob.vlan_id, 7);
        CU_ASSERT_EQUAL(r->oob.priority, 1);
        CU_ASSERT_EQUAL(r->oob.rx_csum_ip, VSW_CSUM_RX_PASSED);
        CU_ASSERT_EQUAL(r->oob.rx_csum_tcp, f[i]->oob.rx_csum_tcp);
        CU_ASSERT_EQUAL(r->oob.rx_csum_udp, VSW_CSUM_RX_NOT_CHECKED);
        CU_ASSERT_EQUAL(r->oob.rss_hash, 0x1000 + i);
        vsw_pkt_free(f[i]);
    }
    /* One completion queued, not sent. */
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->comp_pending, 1);
    CU_ASSERT_EQUAL(F.g2h.n, F.g2h_mark);
    CU_ASSERT_EQUAL(netvsc_vsc_flush_completions(F.vsc), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 1);
    q = sent(&F.g2h, F.g2h_mark);
    CU_ASSERT_EQUAL(q->p.type, NETVSC_VMPKT_COMP);
    CU_ASSERT_EQUAL(q->p.flags, 0);
    CU_ASSERT_EQUAL(q->p.payload_len, 8);
    CU_ASSERT_EQUAL(payload_u32(q, 0), NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE);
    CU_ASSERT_EQUAL(payload_u32(q, 4), NETVSC_NVSP_STAT_SUCCESS);
    CU_ASSERT_EQUAL(q->p.trans_id, sent(&F.h2g, F.h2g_mark)->p.trans_id);
    pump();
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 0);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->rx_completions, 4);  /* 3 ctl */
    teardown();
}

static void
test_receive_completions_are_batched_until_flush(void)
{
    struct vsw_pkt *f = make_frame(100, 6, 0, false);
    const struct netvsc_vsc_stats *vs;

    setup();
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    for (unsigned i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
        CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    }
    CU_ASSERT_EQUAL(F.h2g.n, F.h2g_mark + 3);
    pump();
    CU_ASSERT_EQUAL(F.guest_rx.n, 3);
    CU_ASSERT_EQUAL(vs->rx_xfer_pkts, 3 + 3);       /* + negotiation */
    CU_ASSERT_EQUAL(vs->comp_pending, 3);
    CU_ASSERT_EQUAL(F.g2h.n, F.g2h_mark);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 3);
    CU_ASSERT_EQUAL(netvsc_vsc_flush_completions(F.vsc), 0);
    CU_ASSERT_EQUAL_FATAL(F.g2h.n, F.g2h_mark + 3);
    for (unsigned i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(sent(&F.g2h, F.g2h_mark + i)->p.trans_id,
                        sent(&F.h2g, F.h2g_mark + i)->p.trans_id);
    }
    CU_ASSERT_EQUAL(vs->comp_pending, 0);
    CU_ASSERT_EQUAL(vs->rx_comp_flushes, 2);        /* bring-up + this */
    pump();
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 0);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->xfers_outstanding, 0);

    /* A refused completion stays queued, in order. */
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    pump();
    F.g2h.refuse_all = true;
    CU_ASSERT_EQUAL(netvsc_vsc_flush_completions(F.vsc), EAGAIN);
    CU_ASSERT_EQUAL(vs->rx_comp_busy, 1);
    CU_ASSERT_EQUAL(vs->comp_pending, 1);
    F.g2h.refuse_all = false;
    CU_ASSERT_EQUAL(netvsc_vsc_flush_completions(F.vsc), 0);
    pump();
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 0);
    vsw_pkt_free(f);
    teardown();
}

static void
test_receive_completions_flush_themselves_past_the_threshold(void)
{
    struct netvsc_vsc_config vc = { .comp_threshold = 4 };
    struct netvsc_vsp_config sc = { 0 };
    struct vsw_pkt *f = make_frame(100, 6, 0, false);
    const struct netvsc_vsc_stats *vs;

    setup_with(vc, sc, false);
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    for (unsigned i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
        CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    }
    while (F.h2g.next < F.h2g.n) {
        deliver_one(&F.h2g);
    }
    /* The 6th found 5 > 4 queued and sent them first. */
    CU_ASSERT_EQUAL(vs->rx_comp_sent, 3 + 5);
    CU_ASSERT_EQUAL(vs->comp_pending, 1);
    CU_ASSERT_EQUAL(F.g2h.n, F.g2h_mark + 5);
    vsw_pkt_free(f);
    teardown();
}

static void
test_receive_large_frame_takes_consecutive_sections(void)
{
    struct vsw_pkt *jumbo = make_frame(9000, 6, 3, false);
    struct vsw_pkt *small = make_frame(100, 6, 4, false);
    const struct qpkt *q;
    uint64_t copy0;

    setup();
    bring_up();
    copy0 = netvsc_vsp_stats(F.vsp)->rx_copy_bytes;
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, jumbo), 0);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, small), 0);
    /* 44 + 9000 = 9044 bytes: ceil(9044 / 1728) = 6 sections, 0..5
     * (first fit; negotiation's sections were completed). */
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 7);
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    q = sent(&F.h2g, F.h2g_mark);
    CU_ASSERT_EQUAL_FATAL(q->p.n_ranges, 2);
    CU_ASSERT_EQUAL(q->ranges[0].byte_offset, 0);
    CU_ASSERT_EQUAL(q->ranges[0].byte_count, 9044);
    CU_ASSERT_EQUAL(q->ranges[1].byte_offset, 6 * 1728);
    CU_ASSERT_EQUAL(q->ranges[1].byte_count, 144);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->rx_copy_bytes - copy0, 9044 + 144);
    pump();
    CU_ASSERT_EQUAL_FATAL(F.guest_rx.n, 2);
    CU_ASSERT(same_bytes(F.guest_rx.v[0], jumbo));
    CU_ASSERT(same_bytes(F.guest_rx.v[1], small));
    netvsc_vsc_flush_completions(F.vsc);
    pump();
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 0);
    /* Completed sections are reused lowest first: a small frame takes 0,
     * the jumbo 1..6, the next small frame 7. */
    F.h2g_mark = F.h2g.n;
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, small), 0);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, jumbo), 0);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, small), 0);
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    q = sent(&F.h2g, F.h2g_mark);
    CU_ASSERT_EQUAL_FATAL(q->p.n_ranges, 3);
    CU_ASSERT_EQUAL(q->ranges[0].byte_offset, 0);
    CU_ASSERT_EQUAL(q->ranges[1].byte_offset, 1 * 1728);
    CU_ASSERT_EQUAL(q->ranges[2].byte_offset, 7 * 1728);
    pump();
    netvsc_vsc_flush_completions(F.vsc);
    pump();
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 0);
    vsw_pkt_free(jumbo);
    vsw_pkt_free(small);
    teardown();
}

static void
test_receive_without_free_section_drops_and_counts(void)
{
    struct netvsc_vsc_config vc = { .recv_buf_size = 64u << 10 };
    struct netvsc_vsp_config sc = { 0 };
    struct vsw_pkt *f = make_frame(100, 6, 0, false);
    struct vsw_pkt *big = make_frame(3000, 6, 0, false);
    const struct netvsc_vsp_stats *ss;

    setup_with(vc, sc, false);
    bring_up();
    ss = netvsc_vsp_stats(F.vsp);
    CU_ASSERT_EQUAL(ss->sections_in_use, 0);
    /* 65536 / 1728 = 37 sections. */
    for (unsigned i = 0; i < 37; i++) {
        CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
    }
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), ENOBUFS);
    CU_ASSERT_EQUAL(ss->rx_dropped_no_section, 1);
    CU_ASSERT_EQUAL(ss->rx_frames, 37);
    CU_ASSERT_EQUAL(ss->sections_in_use, 37);
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    pump();
    CU_ASSERT_EQUAL(F.guest_rx.n, 37);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), ENOBUFS);  /* not completed */
    netvsc_vsc_flush_completions(F.vsc);
    pump();
    CU_ASSERT_EQUAL(ss->sections_in_use, 0);
    CU_ASSERT_EQUAL(ss->rx_dropped_no_section, 2);
    netvsc_vsp_flush(F.vsp);
    pump();
    netvsc_vsc_flush_completions(F.vsc);
    pump();
    CU_ASSERT_EQUAL(ss->sections_in_use, 0);

    /* A 2-section message (44 + 3000 bytes) needs two adjacent free
     * sections.  Fill all 37, one type-7 packet each, then complete every
     * other packet (by hand, as the guest would): 18 free sections, no
     * two adjacent. */
    size_t mark = F.h2g.n;
    for (unsigned i = 0; i < 37; i++) {
        CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
        CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    }
    for (unsigned i = 1; i < 37; i += 2) {
        uint8_t cm[8];
        struct netvsc_vmpkt c = { .type = NETVSC_VMPKT_COMP, .payload = cm,
                                  .payload_len = 8,
                                  .trans_id = sent(&F.h2g, mark + i)->p.trans_id };
        netvsc_put_le32(cm, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE);
        netvsc_put_le32(cm + 4, NETVSC_NVSP_STAT_SUCCESS);
        CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &c), 0);
        CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &c), EPROTO);  /* twice */
    }
    CU_ASSERT_EQUAL(ss->sections_in_use, 37 - 18);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, big), ENOBUFS);
    CU_ASSERT_EQUAL(ss->rx_dropped_no_section, 3);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);   /* one fits */
    CU_ASSERT_EQUAL(ss->sections_in_use, 37 - 17);
    vsw_pkt_free(f);
    vsw_pkt_free(big);
    teardown();
}

static void
test_receive_batch_of_375_ranges_flushes_itself(void)
{
    struct vsw_pkt *f = make_frame(64, 6, 0, false);
    const struct netvsc_vsp_stats *ss;

    setup();
    bring_up();
    ss = netvsc_vsp_stats(F.vsp);
    for (unsigned i = 0; i < 374; i++) {
        CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
    }
    CU_ASSERT_EQUAL(F.h2g.n, F.h2g_mark);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
    CU_ASSERT_EQUAL_FATAL(F.h2g.n, F.h2g_mark + 1);
    CU_ASSERT_EQUAL(sent(&F.h2g, F.h2g_mark)->p.n_ranges, 375);
    CU_ASSERT_EQUAL(ss->ranges_pending, 0);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
    CU_ASSERT_EQUAL(ss->ranges_pending, 1);
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    CU_ASSERT_EQUAL(sent(&F.h2g, F.h2g_mark + 1)->p.n_ranges, 1);
    CU_ASSERT_EQUAL(ss->rx_xfer_pkts, 3 + 2);
    CU_ASSERT_EQUAL(ss->rx_ranges, 3 + 376);
    pump();
    CU_ASSERT_EQUAL(F.guest_rx.n, 376);

    /* A full batch the ring refuses: the next frame is dropped. */
    F.h2g.refuse_all = true;
    for (unsigned i = 0; i < 375; i++) {
        CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
    }
    CU_ASSERT_EQUAL(ss->ranges_pending, 375);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), ENOBUFS);
    CU_ASSERT_EQUAL(ss->rx_dropped_ranges_full, 1);
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), EAGAIN);
    F.h2g.refuse_all = false;
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    CU_ASSERT_EQUAL(ss->ranges_pending, 0);
    vsw_pkt_free(f);
    teardown();
}

static void
test_receive_rejects_bad_xfer_packets(void)
{
    struct vsw_pkt *f = make_frame(100, 6, 0, false);
    const struct netvsc_vsc_stats *vs;
    struct netvsc_vsc_info vi;
    struct qpkt q;
    struct netvsc_range r[2];

    setup();
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    netvsc_vsc_get_info(F.vsc, &vi);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    q = *sent(&F.h2g, F.h2g_mark);
    q.p.payload = q.payload;

    /* Wrong transfer page set: ignored, no completion. */
    q.p.xfer_pageset_id = 0xbeef;
    CU_ASSERT_EQUAL(netvsc_vsc_on_packet(F.vsc, &q.p), EPROTO);
    CU_ASSERT_EQUAL(vs->rx_bad_packets, 1);
    CU_ASSERT_EQUAL(vs->comp_pending, 0);
    /* Not SEND_RNDIS_PKT: likewise. */
    q.p.xfer_pageset_id = 0xcafe;
    netvsc_put_le32(q.payload, NETVSC_NVSP_MSG1_SEND_SEND_BUF);
    CU_ASSERT_EQUAL(netvsc_vsc_on_packet(F.vsc, &q.p), EPROTO);
    CU_ASSERT_EQUAL(vs->rx_bad_packets, 2);
    netvsc_put_le32(q.payload, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT);

    /* A range outside the buffer and a garbage message: completed FAIL,
     * the good range still delivered. */
    r[0] = q.p.ranges[0];
    r[1].byte_offset = vi.recv_buf_size;
    r[1].byte_count = 8;
    q.p.ranges = r;
    q.p.n_ranges = 2;
    CU_ASSERT_EQUAL(netvsc_vsc_on_packet(F.vsc, &q.p), 0);
    CU_ASSERT_EQUAL(vs->rx_malformed, 1);
    CU_ASSERT_EQUAL(F.guest_rx.n, 1);
    r[1].byte_offset = 0;
    r[1].byte_count = 4;
    CU_ASSERT_EQUAL(netvsc_vsc_on_packet(F.vsc, &q.p), 0);
    CU_ASSERT_EQUAL(vs->rx_malformed, 2);
    CU_ASSERT_EQUAL(vs->comp_pending, 2);
    size_t mark = F.g2h.n;
    CU_ASSERT_EQUAL(netvsc_vsc_flush_completions(F.vsc), 0);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, mark), 4), NETVSC_NVSP_STAT_FAIL);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.g2h, mark + 1), 4), NETVSC_NVSP_STAT_FAIL);
    /* The VSP takes the first completion and refuses the repeats. */
    CU_ASSERT_EQUAL(deliver_one(&F.h2g), 0);   /* the real type-7 packet */
    pump();
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 0);
    CU_ASSERT(netvsc_vsp_stats(F.vsp)->unexpected >= 1);
    vsw_pkt_free(f);
    teardown();
}

/* A guest that sends what it should not: the VSP completes with an error
 * and counts, and reads nothing outside guest memory. */
static void
test_vsp_rejects_bad_sections_gpa_and_rndis(void)
{
    struct netvsc_vsc_info vi;
    const struct netvsc_vsp_stats *ss;
    uint8_t msg[40];
    struct netvsc_nvsp1_send_rndis_pkt body;
    struct netvsc_gpa g;
    struct netvsc_vmpkt p = {
        .type = NETVSC_VMPKT_DATA_INBAND,
        .flags = NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED,
        .trans_id = 42,
        .payload = msg,
        .payload_len = sizeof msg,
    };

    setup();
    bring_up();
    netvsc_vsc_get_info(F.vsc, &vi);
    ss = netvsc_vsp_stats(F.vsp);

    /* Section index past the send buffer. */
    netvsc_put_le32(&body.channel_type, 0);
    netvsc_put_le32(&body.send_buf_section_index, 170);
    netvsc_put_le32(&body.send_buf_section_size, 100);
    netvsc_nvsp_encode(msg, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT, &body, sizeof body);
    CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &p), EPROTO);
    CU_ASSERT_EQUAL(ss->tx_malformed, 1);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.h2g, F.h2g_mark), 4), NETVSC_NVSP_STAT_FAIL);
    CU_ASSERT_EQUAL(sent(&F.h2g, F.h2g_mark)->p.trans_id, 42);
    /* Section size past the section. */
    netvsc_put_le32(&body.send_buf_section_index, 0);
    netvsc_put_le32(&body.send_buf_section_size, 6145);
    netvsc_nvsp_encode(msg, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT, &body, sizeof body);
    CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &p), EPROTO);
    CU_ASSERT_EQUAL(ss->tx_malformed, 2);

    /* A page past the end of guest memory. */
    netvsc_put_le32(&body.send_buf_section_index, 0xFFFFFFFFu);
    netvsc_put_le32(&body.send_buf_section_size, 0);
    netvsc_nvsp_encode(msg, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT, &body, sizeof body);
    memset(&g, 0, sizeof g);
    g.byte_count = 100;
    g.n_pfn = 1;
    g.pfn[0] = MEM_SIZE / GMEM_PAGE_SIZE;
    p.type = NETVSC_VMPKT_DATA_GPA_DIRECT;
    p.gpa = &g;
    p.n_gpa = 1;
    CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &p), EPROTO);
    CU_ASSERT_EQUAL(ss->tx_malformed, 3);
    /* A range longer than its pages. */
    g.pfn[0] = 1;
    g.byte_offset = 4000;
    g.byte_count = 200;
    CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &p), EPROTO);
    CU_ASSERT_EQUAL(ss->tx_malformed, 4);

    /* A valid section whose RNDIS message lies about its data length. */
    uint8_t rm[44 + 60];
    struct vsw_pkt *f = make_frame(60, 6, 0, false);
    uint32_t hl = netvsc_rndis_data_header(rm, f, NETVSC_DIR_TO_HOST, 0);
    memcpy(rm + hl, vsw_pkt_data(f), 60);
    netvsc_put_le32(rm + 12, 61);
    gmem_write(F.mem, vi.send_buf_gpa, rm, sizeof rm);
    netvsc_put_le32(&body.send_buf_section_index, 0);
    netvsc_put_le32(&body.send_buf_section_size, sizeof rm);
    netvsc_nvsp_encode(msg, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT, &body, sizeof body);
    p.type = NETVSC_VMPKT_DATA_INBAND;
    p.gpa = NULL;
    p.n_gpa = 0;
    CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &p), EPROTO);
    CU_ASSERT_EQUAL(ss->tx_malformed, 5);
    CU_ASSERT_EQUAL(payload_u32(sent(&F.h2g, F.h2g.n - 1), 4),
                    NETVSC_NVSP_STAT_INVALID_RNDIS_PKT);
    /* Fixed, it is delivered. */
    netvsc_put_le32(rm + 12, 60);
    gmem_write(F.mem, vi.send_buf_gpa, rm, sizeof rm);
    CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &p), 0);
    CU_ASSERT_EQUAL_FATAL(F.host_rx.n, 1);
    CU_ASSERT(same_bytes(F.host_rx.v[0], f));
    CU_ASSERT_EQUAL(payload_u32(sent(&F.h2g, F.h2g.n - 1), 4),
                    NETVSC_NVSP_STAT_SUCCESS);

    /* Unknown completion and short payload. */
    p.type = NETVSC_VMPKT_COMP;
    netvsc_nvsp_encode(msg, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE, NULL, 0);
    p.trans_id = 12345;
    CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &p), EPROTO);
    p.payload_len = 3;
    CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &p), EPROTO);
    /* And the VSC: a completion for nothing it sent. */
    p.payload_len = 40;
    CU_ASSERT_EQUAL(netvsc_vsc_on_packet(F.vsc, &p), EPROTO);
    p.type = NETVSC_VMPKT_DATA_INBAND;
    CU_ASSERT_EQUAL(netvsc_vsc_on_packet(F.vsc, &p), EPROTO);
    vsw_pkt_free(f);
    teardown();
}

static void
test_vsp_answers_query_and_keepalive_and_refuses_unknown_oid(void)
{
    setup();
    bring_up();
    /* Through the VSC's own machinery is not possible (it sends no
     * QUERY), so write the control message into guest memory directly. */
    struct netvsc_vsc_info vi;
    uint8_t m[28 + 4];
    uint8_t msg[40];
    struct netvsc_nvsp1_send_rndis_pkt body;
    struct netvsc_gpa g;
    struct netvsc_vmpkt p = {
        .type = NETVSC_VMPKT_DATA_GPA_DIRECT,
        .flags = NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED,
        .trans_id = 7,
        .payload = msg,
        .payload_len = sizeof msg,
        .gpa = &g,
        .n_gpa = 1,
    };
    static const struct { uint32_t type, oid, want_type, want_status; } cases[] = {
        { NETVSC_RNDIS_MSG_QUERY, 0x00010101, NETVSC_RNDIS_MSG_QUERY_C,
          NETVSC_RNDIS_STATUS_NOT_SUPPORTED },
        { NETVSC_RNDIS_MSG_KEEPALIVE, 0, NETVSC_RNDIS_MSG_KEEPALIVE_C,
          NETVSC_RNDIS_STATUS_SUCCESS },
        { NETVSC_RNDIS_MSG_SET, 0x01010102, NETVSC_RNDIS_MSG_SET_C,
          NETVSC_RNDIS_STATUS_NOT_SUPPORTED },
    };

    netvsc_vsc_get_info(F.vsc, &vi);
    netvsc_put_le32(&body.channel_type, NETVSC_RNDIS_CHANNEL_CONTROL);
    netvsc_put_le32(&body.send_buf_section_index, 0xFFFFFFFFu);
    netvsc_put_le32(&body.send_buf_section_size, 0);
    netvsc_nvsp_encode(msg, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT, &body, sizeof body);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(m, 0, sizeof m);
        netvsc_put_le32(m, cases[i].type);
        netvsc_put_le32(m + 4, sizeof m);
        netvsc_put_le32(m + 8, 900 + (uint32_t) i);   /* req_id */
        netvsc_put_le32(m + 12, cases[i].oid);
        netvsc_put_le32(m + 16, 4);                   /* info_buflen */
        netvsc_put_le32(m + 20, 20);                  /* info_buf_offset */
        gmem_write(F.mem, vi.slots_gpa, m, sizeof m);
        memset(&g, 0, sizeof g);
        g.byte_count = sizeof m;
        g.n_pfn = 1;
        g.pfn[0] = vi.slots_gpa / GMEM_PAGE_SIZE;
        size_t mark = F.h2g.n;
        CU_ASSERT_EQUAL(netvsc_vsp_on_packet(F.vsp, &p), 0);
        /* The answer (type 7) and the completion (type 0xb). */
        CU_ASSERT_EQUAL_FATAL(F.h2g.n, mark + 2);
        const struct qpkt *x = sent(&F.h2g, mark);
        CU_ASSERT_EQUAL(x->p.type, NETVSC_VMPKT_DATA_XFER_PAGES);
        CU_ASSERT_EQUAL(payload_u32(x, 4), NETVSC_RNDIS_CHANNEL_CONTROL);
        uint64_t at = vi.recv_buf_gpa + x->ranges[0].byte_offset;
        CU_ASSERT_EQUAL(gmem_read32(F.mem, at), cases[i].want_type);
        CU_ASSERT_EQUAL(gmem_read32(F.mem, at + 8), 900 + i);
        CU_ASSERT_EQUAL(gmem_read32(F.mem, at + 12), cases[i].want_status);
        CU_ASSERT_EQUAL(sent(&F.h2g, mark + 1)->p.type, NETVSC_VMPKT_COMP);
    }
    /* The VSC ignores answers to requests it did not make (3) and
     * completions of sends it did not make (3). */
    pump();
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->unexpected, 6);
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->rndis_received, 3 + 3);
    CU_ASSERT_EQUAL(netvsc_vsc_state(F.vsc), NETVSC_VSC_READY);
    teardown();
}

/* ======================================================================== */
/* Work records and determinism                                            */

static void
test_work_records_count_copies_messages_and_completions(void)
{
    const struct netvsc_vsc_stats *vs;
    const struct netvsc_vsp_stats *ss;
    struct vsw_pkt *f = make_frame(1000, 6, 0, false);
    uint64_t v_nvsp, s_nvsp, s_copy, s_read;

    setup();
    bring_up();
    vs = netvsc_vsc_stats(F.vsc);
    ss = netvsc_vsp_stats(F.vsp);
    v_nvsp = vs->nvsp_sent;
    s_nvsp = ss->nvsp_sent;
    s_copy = ss->rx_copy_bytes;
    s_read = ss->tx_read_bytes;

    /* Guest to host: 3 frames, one batch. */
    CU_ASSERT_EQUAL(send_n(3, 500, true, true), 0);
    /* Host to guest: 2 frames, one flush. */
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
    CU_ASSERT_EQUAL(netvsc_vsp_receive(F.vsp, f), 0);
    CU_ASSERT_EQUAL(netvsc_vsp_flush(F.vsp), 0);
    pump();
    netvsc_vsc_flush_completions(F.vsc);
    pump();

    CU_ASSERT_EQUAL(vs->tx_frames, 3);
    CU_ASSERT_EQUAL(vs->tx_bytes, 1500);
    CU_ASSERT_EQUAL(vs->tx_copy_bytes, 3 * 544);
    CU_ASSERT_EQUAL(vs->tx_sends, 1);
    CU_ASSERT_EQUAL(vs->tx_completions, 1);
    CU_ASSERT_EQUAL(vs->rndis_sent, 3 + 3);
    CU_ASSERT_EQUAL(vs->nvsp_sent - v_nvsp, 1 + 1);    /* send + completion */
    CU_ASSERT_EQUAL(vs->rx_frames, 2);
    CU_ASSERT_EQUAL(vs->rx_bytes, 2000);
    CU_ASSERT_EQUAL(vs->rx_copy_bytes, 2000);
    CU_ASSERT_EQUAL(vs->rx_comp_sent, 3 + 1);
    CU_ASSERT_EQUAL(vs->rndis_received, 3 + 2);
    CU_ASSERT_EQUAL(ss->tx_msgs, 1);
    CU_ASSERT_EQUAL(ss->tx_frames, 3);
    CU_ASSERT_EQUAL(ss->tx_bytes, 1500);
    CU_ASSERT_EQUAL(ss->tx_read_bytes - s_read, 3 * 544);
    CU_ASSERT_EQUAL(ss->tx_comp_sent, 3 + 1);
    CU_ASSERT_EQUAL(ss->rx_frames, 2);
    CU_ASSERT_EQUAL(ss->rx_copy_bytes - s_copy, 2 * 1044);
    CU_ASSERT_EQUAL(ss->rx_xfer_pkts, 3 + 1);
    CU_ASSERT_EQUAL(ss->rx_completions, 3 + 1);
    CU_ASSERT_EQUAL(ss->nvsp_sent - s_nvsp, 1 + 1);    /* type 7 + completion */
    CU_ASSERT_EQUAL(vs->sections_in_use, 0);
    CU_ASSERT_EQUAL(ss->sections_in_use, 0);
    vsw_pkt_free(f);
    teardown();
}

static void
test_callbacks_may_send_from_inside_delivery(void)
{
    struct vsw_pkt *p = make_frame(300, 17, 6, false);

    setup();
    bring_up();
    F.reflect = true;
    F.echoes = 10;
    p->oob.vlan_present = true;
    p->oob.vlan_id = 9;
    CU_ASSERT_EQUAL(netvsc_vsc_send(F.vsc, p, false), 0);
    pump();
    CU_ASSERT_EQUAL(F.echoes, 0);
    CU_ASSERT_EQUAL_FATAL(F.host_rx.n, 11);
    CU_ASSERT_EQUAL_FATAL(F.guest_rx.n, 11);
    for (size_t i = 0; i < 11; i++) {
        CU_ASSERT(same_bytes(F.host_rx.v[i], p));
        CU_ASSERT(same_bytes(F.guest_rx.v[i], p));
        CU_ASSERT_EQUAL(F.guest_rx.v[i]->oob.vlan_id, 9);
    }
    CU_ASSERT_EQUAL(netvsc_vsc_flush_completions(F.vsc), 0);
    pump();
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->sections_in_use, 0);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 0);
    vsw_pkt_free(p);
    teardown();
}

/* A mixed workload; returns a hash over every packet's bytes and the
 * counters. */
static uint64_t
run_mixed_workload(void)
{
    uint64_t h = 1469598103934665603ull;
    struct vsw_pkt *lso = make_frame(30000, 6, 1, true);

    setup();
    bring_up();
    lso->oob.lso_mss = 1448;
    lso->oob.lso_version = 2;
    for (unsigned r = 0; r < 20; r++) {
        send_n(r % 11, 100 + r * 37, true, true);
        netvsc_vsc_send(F.vsc, lso, r % 2);
        for (unsigned i = 0; i < r % 7; i++) {
            struct vsw_pkt *f = make_frame(64 + 200 * i, 17, r, false);
            netvsc_vsp_receive(F.vsp, f);
            vsw_pkt_free(f);
        }
        netvsc_vsp_flush(F.vsp);
        pump();
        if (r % 3 == 0) {
            netvsc_vsc_flush_completions(F.vsc);
        }
    }
    netvsc_vsc_flush_send(F.vsc);
    netvsc_vsc_flush_completions(F.vsc);
    pump();
    struct link *ls[2] = { &F.g2h, &F.h2g };
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < ls[k]->n; i++) {
            const struct qpkt *q = ls[k]->log[i];
            const uint8_t *b = q->payload;
            for (uint32_t j = 0; j < q->p.payload_len; j++) {
                h = (h ^ b[j]) * 1099511628211ull;
            }
            h = (h ^ q->p.trans_id ^ (uint64_t) q->p.type << 48
                 ^ (uint64_t) q->p.n_ranges << 32 ^ q->p.n_gpa) * 1099511628211ull;
        }
    }
    const uint8_t *vs = (const uint8_t *) netvsc_vsc_stats(F.vsc);
    const uint8_t *ss = (const uint8_t *) netvsc_vsp_stats(F.vsp);
    for (size_t j = 0; j < sizeof(struct netvsc_vsc_stats); j++) {
        h = (h ^ vs[j]) * 1099511628211ull;
    }
    for (size_t j = 0; j < sizeof(struct netvsc_vsp_stats); j++) {
        h = (h ^ ss[j]) * 1099511628211ull;
    }
    CU_ASSERT_EQUAL(netvsc_vsc_stats(F.vsc)->sections_in_use, 0);
    CU_ASSERT_EQUAL(netvsc_vsp_stats(F.vsp)->sections_in_use, 0);
    CU_ASSERT_EQUAL(F.host_rx.n, netvsc_vsc_stats(F.vsc)->tx_frames);
    CU_ASSERT_EQUAL(F.guest_rx.n, netvsc_vsp_stats(F.vsp)->rx_frames);
    vsw_pkt_free(lso);
    teardown();
    return h;
}

static void
test_same_workload_gives_same_packets_and_counters(void)
{
    CU_ASSERT_EQUAL(run_mixed_workload(), run_mixed_workload());
}

/* ======================================================================== */

static const struct cutest_case wire_cases[] = {
    CUTEST(test_wire_struct_sizes_match_hyperv_net_h),
    CUTEST(test_wire_nvsp_init_bytes_follow_the_layout),
    CUTEST(test_wire_rndis_packet_header_bytes_follow_the_layout),
    CUTEST(test_wire_rx_ppis_round_trip_results_vlan_and_hash),
    CUTEST(test_wire_parse_rejects_every_bad_length_and_offset),
    CUTEST(test_ring_watermarks_follow_linux_percent_arithmetic),
    CUTEST_END
};

static const struct cutest_case negotiation_cases[] = {
    CUTEST(test_negotiation_reaches_ready_with_v61_and_default_sections),
    CUTEST(test_negotiation_picks_highest_version_the_vsp_accepts),
    CUTEST(test_negotiation_fails_when_no_version_is_accepted),
    CUTEST(test_negotiation_takes_the_host_chosen_send_section_size),
    CUTEST(test_negotiation_failures_and_bad_configs),
    CUTEST_END
};

static const struct cutest_case send_cases[] = {
    CUTEST(test_send_frame_with_vlan_and_csum_arrives_byte_identical),
    CUTEST(test_send_udp_csum_request_round_trips),
    CUTEST(test_send_eight_frames_with_more_make_one_send_rndis_pkt),
    CUTEST(test_send_without_more_flushes_at_once_unpadded),
    CUTEST(test_send_frame_that_does_not_fit_the_batch_sends_it_first),
    CUTEST(test_send_lso_64k_goes_gpa_direct_with_the_right_page_list),
    CUTEST(test_send_lsov1_and_ipv6_encode_their_ppi_bits),
    CUTEST(test_send_partial_copies_only_the_header_into_the_open_batch),
    CUTEST(test_send_completions_free_sections_for_reuse),
    CUTEST(test_send_out_of_sections_falls_back_to_page_list),
    CUTEST(test_send_out_of_sections_refuses_with_eagain_when_configured),
    CUTEST(test_send_channel_full_stops_queue_and_completions_wake_it),
    CUTEST(test_send_channel_full_keeps_open_batch_and_refuses_frame),
    CUTEST(test_send_channel_full_with_nothing_outstanding_drops_with_enospc),
    CUTEST(test_send_ring_below_lowater_stops_and_above_hiwater_wakes),
    CUTEST(test_send_rejects_runt_oversized_and_not_ready),
    CUTEST_END
};

static const struct cutest_case receive_cases[] = {
    CUTEST(test_receive_n_frames_one_flush_is_one_type7_packet_with_n_ranges),
    CUTEST(test_receive_completions_are_batched_until_flush),
    CUTEST(test_receive_completions_flush_themselves_past_the_threshold),
    CUTEST(test_receive_large_frame_takes_consecutive_sections),
    CUTEST(test_receive_without_free_section_drops_and_counts),
    CUTEST(test_receive_batch_of_375_ranges_flushes_itself),
    CUTEST(test_receive_rejects_bad_xfer_packets),
    CUTEST(test_vsp_rejects_bad_sections_gpa_and_rndis),
    CUTEST(test_vsp_answers_query_and_keepalive_and_refuses_unknown_oid),
    CUTEST_END
};

static const struct cutest_case work_cases[] = {
    CUTEST(test_work_records_count_copies_messages_and_completions),
    CUTEST(test_callbacks_may_send_from_inside_delivery),
    CUTEST(test_same_workload_gives_same_packets_and_counters),
    CUTEST_END
};

CUTEST_MAIN({ "netvsc-wire", wire_cases },
            { "netvsc-negotiation", negotiation_cases },
            { "netvsc-send", send_cases },
            { "netvsc-receive", receive_cases },
            { "netvsc-work", work_cases })
