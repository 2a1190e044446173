/*
 * test-vsw-threads.c -- the switch's concurrency model under load: three
 * data-path threads, each on its own processor index, switch known-unicast
 * frames between their own pairs of ports while a control thread keeps
 * creating and tearing down ports and NICs, adding and removing ACL rules
 * on the busy ports, changing VLAN modes of idle ports and inserting and
 * removing a capture extension.  Afterwards every frame must be accounted
 * for: delivered exactly once, per-processor counters summing to the
 * totals.  Built with -fsanitize=thread (see doc) it must report no race.
 */
#include <config.h>
#include "vmswitch/vswitch.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "vmswitch/acl.h"
#include "vmswitch/packet.h"
#include "tests/cutest.h"
#include "tests/vsw-dummy.h"

#define N_DATA 3
#define FRAMES_PER_THREAD 100000
#define BATCH 8

/* A NIC that several data-path threads may deliver to at once. */
struct mt_nic {
    uint32_t port;
    atomic_ulong frames;
    atomic_ulong bytes;
};

static void
mt_deliver(void *owner, struct vsw_pkt *const pkts[], size_t n)
{
    struct mt_nic *m = owner;

    for (size_t i = 0; i < n; i++) {
        atomic_fetch_add(&m->frames, 1);
        atomic_fetch_add(&m->bytes, vsw_pkt_len(pkts[i]));
    }
}

static const struct vsw_nic_ops mt_ops = { mt_deliver, NULL };

static atomic_ulong captured;

static enum vsw_ext_verdict
count_capture(void *ctx, struct vsw_ext_frame *f)
{
    (void) ctx;
    (void) f;
    atomic_fetch_add(&captured, 1);
    return VSW_EXT_PASS;
}

static const struct vsw_ext_ops capture_ops = { count_capture, NULL };

struct data_thread {
    struct vsw_switch *sw;
    unsigned cpu;
    struct mt_nic *from, *to;
    uint8_t src_n, dst_n;
    uint64_t sent;
    uint64_t bytes;
};

static atomic_bool data_done;

static void *
data_main(void *arg)
{
    struct data_thread *t = arg;
    uint8_t buf[256], src[6], dst[6];
    struct vsw_pkt *pkts[BATCH];
    size_t len;

    dummy_mac(src, t->src_n);
    dummy_mac(dst, t->dst_n);
    len = build_udp(buf, dst, src, 0, 0, 1000 + t->cpu, 2000, 18 + t->cpu);
    for (uint64_t i = 0; i < FRAMES_PER_THREAD / BATCH; i++) {
        struct vsw_work w;
        for (int b = 0; b < BATCH; b++) {
            pkts[b] = make_pkt(buf, len);
        }
        vsw_process(t->sw, t->cpu, 1000 + i, t->from->port, pkts, BATCH, &w);
        for (int b = 0; b < BATCH; b++) {
            vsw_pkt_free(pkts[b]);
        }
        t->sent += BATCH;
        t->bytes += BATCH * len;
    }
    return NULL;
}

struct ctl_thread {
    struct vsw_switch *sw;
    uint32_t busy_ports[2 * N_DATA];
    unsigned rounds;
};

static void *
ctl_main(void *arg)
{
    struct ctl_thread *c = arg;
    struct dummy_nic spare;
    struct vsw_acl_rule rule;
    struct vsw_vlan_config v;

    while (!atomic_load(&data_done)) {
        uint32_t rid, ext;
        uint32_t busy = c->busy_ports[c->rounds % (2 * N_DATA)];

        /* A port that comes and goes. */
        if (dummy_attach(c->sw, &spare, VSW_NIC_VM, 200, true) == 0) {
            memset(&v, 0, sizeof v);
            v.mode = VSW_VLAN_ACCESS;
            v.access_vid = (uint16_t) (1 + c->rounds % 100);
            vsw_port_set_vlan(c->sw, spare.port, &v);
            vsw_nic_disconnect(c->sw, spare.port);
            vsw_nic_delete(c->sw, spare.port);
            vsw_port_teardown(c->sw, spare.port);
        }
        /* An ACL rule on a busy port that allows everything it sees. */
        vsw_acl_rule_init(&rule);
        rule.action = c->rounds % 2 ? VSW_ACL_COUNT : VSW_ACL_ALLOW;
        if (vsw_acl_add(c->sw, busy, VSW_ACL_IN, &rule, &rid) == 0) {
            vsw_acl_remove(c->sw, busy, VSW_ACL_IN, rid);
        }
        if (vsw_ext_insert(c->sw, "cap", VSW_EXT_CAPTURE, &capture_ops,
                           NULL, 0, &ext) == 0) {
            vsw_ext_remove(c->sw, ext);
        }
        c->rounds++;
    }
    return NULL;
}

static void
test_parallel_data_path_with_control_changes_accounts_every_frame(void)
{
    struct vsw_switch_params p = { .max_cpus = 4, .fdb_entries = 1024 };
    struct vsw_switch *sw;
    struct mt_nic nics[2 * N_DATA];
    struct data_thread dt[N_DATA];
    struct ctl_thread ct;
    pthread_t dth[N_DATA], cth;
    uint64_t sent = 0, bytes = 0, delivered = 0;
    struct vsw_switch_counters sc;

    CU_ASSERT_EQUAL_FATAL(vsw_switch_create(&p, &sw), 0);
    memset(&ct, 0, sizeof ct);
    ct.sw = sw;
    for (int i = 0; i < 2 * N_DATA; i++) {
        struct vsw_nic_params np = { .kind = VSW_NIC_VM, .ops = &mt_ops,
                                     .owner = &nics[i], .n_macs = 1 };
        memset(&nics[i], 0, sizeof nics[i]);
        dummy_mac(np.macs[0], (uint8_t) (i + 1));
        CU_ASSERT_EQUAL_FATAL(vsw_port_create(sw, "busy", &nics[i].port), 0);
        CU_ASSERT_EQUAL_FATAL(vsw_nic_create(sw, nics[i].port, &np), 0);
        CU_ASSERT_EQUAL_FATAL(vsw_nic_connect(sw, nics[i].port), 0);
        /* Destinations are static: no flooding, so counts are exact. */
        CU_ASSERT_EQUAL_FATAL(vsw_static_mac_add(sw, nics[i].port, np.macs[0],
                                                 0), 0);
        ct.busy_ports[i] = nics[i].port;
    }
    atomic_store(&data_done, false);
    CU_ASSERT_EQUAL_FATAL(pthread_create(&cth, NULL, ctl_main, &ct), 0);
    for (int t = 0; t < N_DATA; t++) {
        dt[t] = (struct data_thread) {
            .sw = sw, .cpu = (unsigned) t + 1,
            .from = &nics[2 * t], .to = &nics[2 * t + 1],
            .src_n = (uint8_t) (2 * t + 1), .dst_n = (uint8_t) (2 * t + 2),
        };
        CU_ASSERT_EQUAL_FATAL(pthread_create(&dth[t], NULL, data_main,
                                             &dt[t]), 0);
    }
    for (int t = 0; t < N_DATA; t++) {
        pthread_join(dth[t], NULL);
    }
    atomic_store(&data_done, true);
    pthread_join(cth, NULL);

    for (int t = 0; t < N_DATA; t++) {
        struct vsw_port_counters pc;
        struct vsw_nic_counters nc;

        sent += dt[t].sent;
        bytes += dt[t].bytes;
        CU_ASSERT_EQUAL(atomic_load(&dt[t].to->frames), dt[t].sent);
        CU_ASSERT_EQUAL(atomic_load(&dt[t].from->frames), 0);
        CU_ASSERT_EQUAL(vsw_port_counters(sw, dt[t].from->port, &pc), 0);
        CU_ASSERT_EQUAL(pc.rx_frames, dt[t].sent);
        CU_ASSERT_EQUAL(pc.drops, 0);
        CU_ASSERT_EQUAL(vsw_port_counters(sw, dt[t].to->port, &pc), 0);
        CU_ASSERT_EQUAL(pc.tx_frames, dt[t].sent);
        CU_ASSERT_EQUAL(pc.tx_bytes, dt[t].bytes);
        CU_ASSERT_EQUAL(vsw_nic_counters(sw, dt[t].to->port, &nc), 0);
        CU_ASSERT_EQUAL(nc.tx_frames, dt[t].sent);
    }
    for (int i = 0; i < 2 * N_DATA; i++) {
        delivered += atomic_load(&nics[i].frames);
    }
    CU_ASSERT_EQUAL(delivered, sent);
    CU_ASSERT_EQUAL(vsw_switch_counters(sw, &sc), 0);
    CU_ASSERT_EQUAL(sc.frames_in, sent);
    CU_ASSERT_EQUAL(sc.bytes_in, bytes);
    CU_ASSERT_EQUAL(sc.frames_out, sent);
    CU_ASSERT_EQUAL(sc.drops, 0);
    CU_ASSERT_TRUE(ct.rounds > 0);
    vsw_switch_destroy(sw);
}

static const struct cutest_case thread_cases[] = {
    CUTEST(test_parallel_data_path_with_control_changes_accounts_every_frame),
    CUTEST_END
};

CUTEST_MAIN({ "threads", thread_cases })
