/*
 * test-pnic.c -- models/pnic.h on a real link with a fake host: receive
 * classification to queues, DMA and MSI-X timing to the picosecond, the
 * vector's auto-mask and moderation, ring overflow, VLAN strip and
 * checksum results, LSO and VLAN insertion on transmit, descriptor
 * completion, and VMQ filters.
 */
#include <config.h>

#include <string.h>

#include "models/link.h"
#include "models/pnic.h"
#include "models/rss.h"
#include "sim/metrics.h"
#include "sim/sim.h"
#include "tests/cutest.h"
#include "vmswitch/csum.h"
#include "vmswitch/offload.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"
#include "vmswitch/wire.h"

#define DMA_PS 1000000              /* 1 us */

static bool setup_rsc;              /* the next setup() turns RSC on */

/* --- A fake host: records MSI-X messages --------------------------------- */

struct msg {
    sim_time_t t;
    uint64_t addr;
    uint32_t data;
};

static struct msg msgs[1024];
static size_t n_msgs;

static void
fake_msi(void *ctx, uint16_t sid, uint64_t addr, uint32_t data)
{
    struct sim *sim = ctx;
    (void)sid;
    if (n_msgs < 1024) {
        msgs[n_msgs++] = (struct msg){ sim_now(sim), addr, data };
    }
}

/* --- The far end of the link: counts and keeps what the NIC sent --------- */

static struct vsw_pkt *sent[512];
static size_t n_sent;

static void
far_rx(void *ctx, struct vsw_pkt *pkt)
{
    (void)ctx;
    if (n_sent < 512) {
        sent[n_sent++] = pkt;
    } else {
        vsw_pkt_free(pkt);
    }
}

/* --- Frames -------------------------------------------------------------- */

static const uint8_t nic_mac[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0, 1 };

/* An Ethernet/IPv4/UDP frame of 'len' bytes from port 'sport', with
 * correct checksums (optionally a VLAN tag, or a corrupted UDP sum). */
static struct vsw_pkt *
udp_frame(size_t len, uint16_t sport, int vlan, bool bad_csum)
{
    uint8_t d[2048] = { 0 };
    size_t l2 = vlan ? 18 : 14;
    memcpy(d, nic_mac, 6);
    memcpy(d + 6, peer_mac, 6);
    if (vlan) {
        d[12] = 0x81;
        d[13] = 0x00;
        d[14] = (uint8_t)(vlan >> 8);
        d[15] = (uint8_t)vlan;
        d[16] = 0x08;
    } else {
        d[12] = 0x08;
    }
    uint8_t *ip = d + l2;
    size_t iplen = len - l2;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(iplen >> 8);
    ip[3] = (uint8_t)iplen;
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, (uint8_t[]){ 10, 0, 0, 1 }, 4);
    memcpy(ip + 16, (uint8_t[]){ 10, 0, 0, 2 }, 4);
    vsw_csum_ipv4_fill(ip, 20);
    uint8_t *udp = ip + 20;
    udp[0] = (uint8_t)(sport >> 8);
    udp[1] = (uint8_t)sport;
    udp[2] = 0x13;
    udp[3] = 0x89;
    udp[4] = (uint8_t)((iplen - 20) >> 8);
    udp[5] = (uint8_t)(iplen - 20);
    for (size_t i = 8; i < iplen - 20; i++) {
        udp[i] = (uint8_t)i;
    }
    struct vsw_parse_result pr;
    CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(d, len, 0, &pr), VSW_PARSE_OK);
    CU_ASSERT_EQUAL(vsw_csum_l4_fill(d, len, &pr, NULL), 0);
    if (bad_csum) {
        udp[6] ^= 0x55;
    }
    return vsw_pkt_from_bytes(d, len);
}

/* A TCP super-frame of 'payload' bytes with LSO 'mss' (LSOv2). */
static struct vsw_pkt *
lso_frame(size_t payload, uint32_t mss)
{
    static uint8_t d[70000];
    size_t len = 14 + 20 + 20 + payload;
    memset(d, 0, len);
    memcpy(d, peer_mac, 6);
    memcpy(d + 6, nic_mac, 6);
    d[12] = 0x08;
    uint8_t *ip = d + 14;
    ip[0] = 0x45;
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, (uint8_t[]){ 10, 0, 0, 2 }, 4);
    memcpy(ip + 16, (uint8_t[]){ 10, 0, 0, 1 }, 4);
    uint8_t *tcp = ip + 20;
    tcp[0] = 0x27;
    tcp[1] = 0x10;
    tcp[2] = 0x13;
    tcp[3] = 0x89;
    tcp[7] = 1;                             /* seq 1 */
    tcp[12] = 0x50;                         /* data offset 5 */
    tcp[13] = VSW_TCP_ACK | VSW_TCP_PSH;
    tcp[14] = 0xff;
    for (size_t i = 0; i < payload; i++) {
        tcp[20 + i] = (uint8_t)(i * 13);
    }
    struct vsw_pkt *pkt = vsw_pkt_from_bytes(d, len);
    pkt->oob.lso_mss = mss;
    pkt->oob.lso_version = 2;
    return pkt;
}

/* --- Fixture ------------------------------------------------------------- */

struct fix {
    struct sim *sim;
    struct metrics *reg;
    struct link *link;
    struct pnic *nic;
};

static void
setup(struct fix *f, uint32_t queues, enum rxf_mode mode, enum itr_mode itr,
      uint32_t rx_ring)
{
    struct pnic_config cfg = {
        .name = "nic0", .n_queues = queues, .rx_ring = rx_ring,
        .tx_ring = 64, .dma_latency_ps = DMA_PS, .source_id = 0x100,
        .rx_mode = mode, .max_filters = 16, .itr_mode = itr,
        .itr_rate = 8000, .rx_csum = true, .tx_csum = true,
        .lso_max_bytes = 65536, .vlan_offload = true, .rsc = setup_rsc,
    };
    struct link_config lc = { "wire", UINT64_C(10000000000), 0 };

    n_msgs = 0;
    n_sent = 0;
    f->sim = sim_create();
    f->reg = metrics_create(f->sim);
    CU_ASSERT_EQUAL_FATAL(link_create(f->sim, f->reg, SIM_COMPONENT_ROOT, &lc,
                                      &f->link), 0);
    struct pnic_host host = { fake_msi, f->sim };
    CU_ASSERT_EQUAL_FATAL(pnic_create(f->sim, f->reg, SIM_COMPONENT_ROOT,
                                      &cfg, &host, &f->nic), 0);
    CU_ASSERT_EQUAL_FATAL(pnic_attach_link(f->nic, f->link, 0), 0);
    link_attach(f->link, 1, far_rx, NULL, NULL);
    for (uint32_t q = 0; q < queues; q++) {
        pnic_msix_program(f->nic, q, 0xfee00000u | q << 12, 0x60 + q);
        pnic_rx_post(f->nic, q, rx_ring);
        pnic_irq_enable(f->nic, q);
    }
}

static void
teardown(struct fix *f)
{
    for (size_t i = 0; i < n_sent; i++) {
        vsw_pkt_free(sent[i]);
    }
    n_sent = 0;
    pnic_destroy(f->nic);
    link_destroy(f->link);
    metrics_destroy(f->reg);
    sim_destroy(f->sim);
}

/* Sends 'pkt' from the far end at time 'at'. */
struct inject {
    struct fix *f;
    struct vsw_pkt *pkt;
};

static void
do_inject(struct sim *sim, void *ctx)
{
    struct inject *in = ctx;
    (void)sim;
    CU_ASSERT_EQUAL(link_send(in->f->link, 1, in->pkt), 0);
}

static void
inject_at(struct fix *f, struct inject *in, sim_time_t at,
          struct vsw_pkt *pkt)
{
    *in = (struct inject){ f, pkt };
    CU_ASSERT_EQUAL(sim_schedule_at(f->sim, at, SIM_COMPONENT_ROOT, 0,
                                    do_inject, in, NULL), 0);
}

static size_t
reap_all(struct fix *f, uint32_t q)
{
    struct vsw_pkt *out[64];
    size_t n = pnic_rx_reap(f->nic, q, out, 64);
    for (size_t i = 0; i < n; i++) {
        vsw_pkt_free(out[i]);
    }
    return n;
}

/* --- Tests --------------------------------------------------------------- */

static void
test_pnic_frame_is_reapable_after_wire_time_and_dma_then_interrupts(void)
{
    struct fix f;
    struct inject in;

    setup(&f, 1, RXF_MODE_NONE, ITR_OFF, 64);
    inject_at(&f, &in, 0, udp_frame(1514, 1000, 0, false));
    /* Last bit in at 1514+4+8 bytes... (the link's rule), DMA 1 us. */
    sim_time_t arrive = link_frame_time_ps(1514, UINT64_C(10000000000));
    sim_run(f.sim, arrive + DMA_PS - 1);
    CU_ASSERT_EQUAL(pnic_rx_pending(f.nic, 0), 0);
    CU_ASSERT_EQUAL(n_msgs, 0);
    sim_run(f.sim, arrive + DMA_PS);
    CU_ASSERT_EQUAL(pnic_rx_pending(f.nic, 0), 1);
    CU_ASSERT_EQUAL_FATAL(n_msgs, 1);
    CU_ASSERT_EQUAL(msgs[0].t, arrive + DMA_PS);
    CU_ASSERT_EQUAL(msgs[0].addr, 0xfee00000u);
    CU_ASSERT_EQUAL(msgs[0].data, 0x60);
    CU_ASSERT_EQUAL(reap_all(&f, 0), 1);
    CU_ASSERT_EQUAL(pnic_rx_frames(f.nic, 0), 1);
    teardown(&f);
}

static void
test_pnic_vector_stays_masked_until_the_driver_enables_it(void)
{
    struct fix f;
    struct inject in[3];

    setup(&f, 1, RXF_MODE_NONE, ITR_OFF, 64);
    for (int i = 0; i < 3; i++) {
        inject_at(&f, &in[i], i * 2000000, udp_frame(200, 1000, 0, false));
    }
    sim_run(f.sim, 10000000);
    CU_ASSERT_EQUAL(n_msgs, 1);             /* auto-masked after the first */
    CU_ASSERT_EQUAL(pnic_rx_pending(f.nic, 0), 3);
    reap_all(&f, 0);
    pnic_irq_enable(f.nic, 0);              /* nothing pending: no message */
    CU_ASSERT_EQUAL(n_msgs, 1);
    struct inject more;
    inject_at(&f, &more, 20000000, udp_frame(200, 1000, 0, false));
    sim_run(f.sim, 30000000);
    CU_ASSERT_EQUAL(n_msgs, 2);
    reap_all(&f, 0);
    teardown(&f);
}

static void
test_pnic_fixed_moderation_spaces_interrupts_by_the_interval(void)
{
    struct fix f;
    struct inject in[40];

    setup(&f, 1, RXF_MODE_NONE, ITR_FIXED, 64);   /* 8000/s: 125 us */
    for (int i = 0; i < 40; i++) {
        inject_at(&f, &in[i], (sim_time_t)i * 10000000, /* every 10 us */
                  udp_frame(100, 1000, 0, false));
    }
    /* The driver re-enables at once after every interrupt. */
    for (sim_time_t t = 0; t < 500000000; t += 1000000) {
        sim_run(f.sim, t);
        reap_all(&f, 0);
        pnic_irq_enable(f.nic, 0);
    }
    CU_ASSERT(n_msgs >= 3 && n_msgs <= 5);
    for (size_t i = 1; i < n_msgs; i++) {
        CU_ASSERT(msgs[i].t - msgs[i - 1].t >= 125000000);
    }
    teardown(&f);
}

static void
test_pnic_full_ring_drops_and_counts(void)
{
    struct fix f;
    struct inject in[12];

    setup(&f, 1, RXF_MODE_NONE, ITR_OFF, 8);
    for (int i = 0; i < 12; i++) {
        inject_at(&f, &in[i], (sim_time_t)i * 1000000,
                  udp_frame(100, 1000, 0, false));
    }
    sim_run(f.sim, 100000000);
    CU_ASSERT_EQUAL(pnic_rx_pending(f.nic, 0), 8);
    CU_ASSERT_EQUAL(pnic_drops(f.nic, PNIC_DROP_RING_FULL), 4);
    CU_ASSERT_EQUAL(reap_all(&f, 0), 8);
    CU_ASSERT_EQUAL(pnic_rx_post(f.nic, 0, 100), 8);  /* only 8 fit */
    teardown(&f);
}

static void
test_pnic_rss_spreads_flows_by_the_toeplitz_hash_and_table(void)
{
    struct fix f;
    struct inject in[32];
    uint32_t expect[4] = { 0 };
    struct rss_config rc;

    rss_config_init(&rc);
    setup(&f, 4, RXF_MODE_RSS, ITR_OFF, 64);
    for (int i = 0; i < 32; i++) {
        struct vsw_pkt *p = udp_frame(100, (uint16_t)(2000 + i), 0, false);
        struct rss_result r;
        CU_ASSERT_EQUAL(rss_hash_frame(&rc, vsw_pkt_data_const(p),
                                       vsw_pkt_len(p), &r), 0);
        /* Default types have no UDP: the 2-tuple hash, same for all. */
        CU_ASSERT(r.hashed);
        expect[(r.hash & 127) % 4]++;
        inject_at(&f, &in[i], (sim_time_t)i * 1000000, p);
    }
    sim_run(f.sim, 100000000);
    for (uint32_t q = 0; q < 4; q++) {
        CU_ASSERT_EQUAL(pnic_rx_pending(f.nic, q), expect[q]);
        struct vsw_pkt *out[64];
        size_t n = pnic_rx_reap(f.nic, q, out, 64);
        for (size_t i = 0; i < n; i++) {
            CU_ASSERT_EQUAL(out[i]->oob.rss_type, RSS_HASH_IPV4);
            vsw_pkt_free(out[i]);
        }
    }
    teardown(&f);
}

static void
test_pnic_rss_udp_hashes_ports_and_spreads_udp_flows(void)
{
    struct fix f;
    struct inject in[32];
    uint32_t used = 0;

    setup(&f, 4, RXF_MODE_RSS, ITR_OFF, 64);
    pnic_destroy(f.nic);
    struct pnic_config cfg = {
        .name = "nic1", .n_queues = 4, .rx_ring = 64, .tx_ring = 64,
        .dma_latency_ps = DMA_PS, .rx_mode = RXF_MODE_RSS,
        .max_filters = 1, .rss_udp = true, .itr_mode = ITR_OFF,
    };
    struct pnic_host host = { fake_msi, f.sim };
    CU_ASSERT_EQUAL_FATAL(pnic_create(f.sim, f.reg, SIM_COMPONENT_ROOT, &cfg,
                                      &host, &f.nic), 0);
    link_destroy(f.link);
    struct link_config lc = { "wire1", UINT64_C(10000000000), 0 };
    CU_ASSERT_EQUAL_FATAL(link_create(f.sim, f.reg, SIM_COMPONENT_ROOT, &lc,
                                      &f.link), 0);
    CU_ASSERT_EQUAL_FATAL(pnic_attach_link(f.nic, f.link, 0), 0);
    for (uint32_t q = 0; q < 4; q++) {
        pnic_rx_post(f.nic, q, 64);
    }
    for (int i = 0; i < 32; i++) {
        inject_at(&f, &in[i], (sim_time_t)i * 1000000,
                  udp_frame(100, (uint16_t)(2000 + i), 0, false));
    }
    sim_run(f.sim, 100000000);
    for (uint32_t q = 0; q < 4; q++) {
        used += pnic_rx_pending(f.nic, q) > 0;
        struct vsw_pkt *out[64];
        size_t n = pnic_rx_reap(f.nic, q, out, 64);
        for (size_t i = 0; i < n; i++) {
            CU_ASSERT_EQUAL(out[i]->oob.rss_type, RSS_HASH_UDP_IPV4);
            vsw_pkt_free(out[i]);
        }
    }
    CU_ASSERT(used >= 3);                   /* 32 flows over 4 queues */
    teardown(&f);
}

static void
test_pnic_strips_vlan_and_reports_checksums(void)
{
    struct fix f;
    struct inject in[2];
    struct vsw_pkt *out[4];

    setup(&f, 1, RXF_MODE_NONE, ITR_OFF, 64);
    inject_at(&f, &in[0], 0, udp_frame(300, 1000, 42, false));
    inject_at(&f, &in[1], 1000000, udp_frame(300, 1000, 0, true));
    sim_run(f.sim, 10000000);
    CU_ASSERT_EQUAL_FATAL(pnic_rx_reap(f.nic, 0, out, 4), 2);
    CU_ASSERT(out[0]->oob.vlan_present);
    CU_ASSERT_EQUAL(out[0]->oob.vlan_id, 42);
    CU_ASSERT_EQUAL(vsw_pkt_len(out[0]), 296);
    CU_ASSERT_EQUAL(out[0]->oob.rx_csum_ip, VSW_CSUM_RX_PASSED);
    CU_ASSERT_EQUAL(out[0]->oob.rx_csum_udp, VSW_CSUM_RX_PASSED);
    CU_ASSERT_FALSE(out[1]->oob.vlan_present);
    CU_ASSERT_EQUAL(out[1]->oob.rx_csum_udp, VSW_CSUM_RX_FAILED);
    vsw_pkt_free(out[0]);
    vsw_pkt_free(out[1]);
    teardown(&f);
}

static void
test_pnic_segments_lso_and_completes_the_descriptor_once(void)
{
    struct fix f;

    setup(&f, 1, RXF_MODE_NONE, ITR_OFF, 64);
    struct vsw_pkt *p = lso_frame(4000, 1448);
    p->oob.vlan_present = true;
    p->oob.vlan_id = 7;
    CU_ASSERT_EQUAL(pnic_tx_post(f.nic, 0, p), 0);
    CU_ASSERT_EQUAL(pnic_tx_free(f.nic, 0), 63);
    sim_run(f.sim, 100000000);
    CU_ASSERT_EQUAL_FATAL(n_sent, 3);              /* 1448 + 1448 + 1104 */
    size_t payload = 0;
    for (size_t i = 0; i < n_sent; i++) {
        struct vsw_parse_result pr;
        const uint8_t *d = vsw_pkt_data_const(sent[i]);
        CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(d, vsw_pkt_len(sent[i]), 0,
                                              &pr), VSW_PARSE_OK);
        CU_ASSERT(pr.key.vlan_present);            /* tag inserted */
        CU_ASSERT_EQUAL(pr.key.vlan_id, 7);
        CU_ASSERT(vsw_csum_ipv4_verify(d + pr.l3_ofs, pr.l3_hdr_len));
        CU_ASSERT_EQUAL(vsw_csum_l4_verify(d, vsw_pkt_len(sent[i]), &pr), 0);
        payload += pr.l3_end - pr.payload_ofs;
    }
    CU_ASSERT_EQUAL(payload, 4000);
    CU_ASSERT_EQUAL(n_msgs, 1);                     /* one completion */
    CU_ASSERT_EQUAL(pnic_tx_reap(f.nic, 0), 1);
    CU_ASSERT_EQUAL(pnic_tx_free(f.nic, 0), 64);
    CU_ASSERT_EQUAL(pnic_tx_frames(f.nic, 0), 3);
    teardown(&f);
}

static void
test_pnic_vmq_filter_steers_a_mac_to_its_queue(void)
{
    struct fix f;
    struct inject in[2];

    setup(&f, 4, RXF_MODE_VMQ, ITR_OFF, 64);
    CU_ASSERT_EQUAL(rxf_filter_add(pnic_rxf(f.nic), nic_mac, RXF_VLAN_ANY,
                                   3), 0);
    inject_at(&f, &in[0], 0, udp_frame(100, 1000, 0, false));
    struct vsw_pkt *other = udp_frame(100, 1000, 0, false);
    vsw_pkt_data(other)[5] = 9;                      /* another MAC */
    inject_at(&f, &in[1], 1000000, other);
    sim_run(f.sim, 10000000);
    CU_ASSERT_EQUAL(pnic_rx_pending(f.nic, 3), 1);
    CU_ASSERT_EQUAL(pnic_rx_pending(f.nic, 0), 1);   /* default queue */
    reap_all(&f, 0);
    reap_all(&f, 3);
    teardown(&f);
}

static void
test_pnic_rsc_coalesces_in_order_segments_until_the_interrupt(void)
{
    struct fix f;
    struct inject in[VSW_OFFLOAD_MAX_SEGMENTS];
    struct vsw_pkt *segs[VSW_OFFLOAD_MAX_SEGMENTS];
    size_t n;

    setup_rsc = true;
    setup(&f, 1, RXF_MODE_NONE, ITR_FIXED, 64);    /* 125 us quiet time */
    setup_rsc = false;
    struct vsw_pkt *sf = lso_frame(8 * 1448, 1448);
    /* Addressed to the NIC this time. */
    memcpy(vsw_pkt_data(sf), nic_mac, 6);
    memcpy(vsw_pkt_data(sf) + 6, peer_mac, 6);
    CU_ASSERT_EQUAL_FATAL(vsw_offload_segment(sf, segs,
                                              VSW_OFFLOAD_MAX_SEGMENTS, &n,
                                              NULL), 0);
    vsw_pkt_free(sf);
    CU_ASSERT_EQUAL_FATAL(n, 8);
    /* A first frame fires the vector at once; the next eight arrive
     * during the quiet time and coalesce. */
    struct inject first;
    inject_at(&f, &first, 0, udp_frame(100, 1000, 0, false));
    for (size_t i = 0; i < n; i++) {
        segs[i]->oob = (struct vsw_pkt_oob){ 0 };
        inject_at(&f, &in[i], 10000000 + (sim_time_t)i * 2000000, segs[i]);
    }
    sim_run(f.sim, 50000000);
    CU_ASSERT_EQUAL(reap_all(&f, 0), 1);           /* the UDP frame */
    pnic_irq_enable(f.nic, 0);
    sim_run(f.sim, 400000000);
    struct vsw_pkt *out[16];
    CU_ASSERT_EQUAL_FATAL(pnic_rx_reap(f.nic, 0, out, 16), 1);
    CU_ASSERT_EQUAL(out[0]->oob.rsc_seg_count, 8);
    struct vsw_parse_result pr;
    const uint8_t *d = vsw_pkt_data_const(out[0]);
    CU_ASSERT_EQUAL_FATAL(vsw_parse_bytes(d, vsw_pkt_len(out[0]), 0, &pr),
                          VSW_PARSE_OK);
    CU_ASSERT_EQUAL(pr.l3_end - pr.payload_ofs, 8 * 1448);
    CU_ASSERT_EQUAL(vsw_csum_l4_verify(d, vsw_pkt_len(out[0]), &pr), 0);
    vsw_pkt_free(out[0]);
    teardown(&f);
}

static void
test_pnic_link_down_drops_frames(void)
{
    struct fix f;
    struct inject in;

    setup(&f, 1, RXF_MODE_NONE, ITR_OFF, 64);
    link_set_up(f.link, false);
    CU_ASSERT_EQUAL(pnic_tx_post(f.nic, 0, udp_frame(100, 1, 0, false)), 0);
    inject_at(&f, &in, 0, udp_frame(100, 1000, 0, false));
    sim_run(f.sim, 10000000);
    CU_ASSERT_EQUAL(n_sent, 0);
    CU_ASSERT_EQUAL(pnic_rx_pending(f.nic, 0), 0);
    CU_ASSERT(pnic_drops(f.nic, PNIC_DROP_LINK_DOWN) >= 1);
    teardown(&f);
}

static const struct cutest_case pnic_cases[] = {
    CUTEST(test_pnic_frame_is_reapable_after_wire_time_and_dma_then_interrupts),
    CUTEST(test_pnic_vector_stays_masked_until_the_driver_enables_it),
    CUTEST(test_pnic_fixed_moderation_spaces_interrupts_by_the_interval),
    CUTEST(test_pnic_full_ring_drops_and_counts),
    CUTEST(test_pnic_rss_spreads_flows_by_the_toeplitz_hash_and_table),
    CUTEST(test_pnic_rss_udp_hashes_ports_and_spreads_udp_flows),
    CUTEST(test_pnic_strips_vlan_and_reports_checksums),
    CUTEST(test_pnic_segments_lso_and_completes_the_descriptor_once),
    CUTEST(test_pnic_vmq_filter_steers_a_mac_to_its_queue),
    CUTEST(test_pnic_rsc_coalesces_in_order_segments_until_the_interrupt),
    CUTEST(test_pnic_link_down_drops_frames),
    CUTEST_END
};

CUTEST_MAIN({ "pnic", pnic_cases })
