/*
 * test-vsw-vlan.c -- the 802.1Q behaviour of the switch as tables of
 * cases, the way Open vSwitch tests VLAN handling: every port mode x
 * untagged / priority-tagged (VID 0) / tagged with an allowed VID / tagged
 * with a disallowed VID, on ingress and on egress, each row stating the
 * result (forwarded with tag X, forwarded untagged, or dropped with reason
 * R), then the private VLAN isolation matrix.  The table in vswitch.h is
 * the specification these rows check.
 *
 * The rig: the port under test and an "observer" trunk port carrying
 * every VLAN (native: the untagged domain).  Both NICs take no tag out of
 * band, so a tag the switch sends is visible in the bytes.
 */
#include <config.h>
#include "vmswitch/vswitch.h"

#include <errno.h>
#include <string.h>

#include "tests/cutest.h"
#include "tests/vsw-dummy.h"

enum mode_id {
    M_UNTAGGED,
    M_ACCESS10,          /* access VLAN 10 */
    M_TRUNK_N5,          /* trunk {10, 20}, native 5 */
    M_TRUNK_N0,          /* trunk {10}, native: the untagged domain */
    M_ISOLATED,          /* private VLAN 100, isolated secondary 101 */
    M_COMMUNITY,         /* private VLAN 100, community secondary 102 */
    M_PROMISCUOUS        /* private VLAN 100, secondaries 101 and 102 */
};

static const char *const mode_names[] = {
    "untagged", "access10", "trunk{10,20}/n5", "trunk{10}/n0",
    "pvlan-isolated", "pvlan-community", "pvlan-promiscuous",
};

static void
mode_config(enum mode_id m, struct vsw_vlan_config *v)
{
    memset(v, 0, sizeof *v);
    switch (m) {
    case M_UNTAGGED:
        v->mode = VSW_VLAN_UNTAGGED;
        break;
    case M_ACCESS10:
        v->mode = VSW_VLAN_ACCESS;
        v->access_vid = 10;
        break;
    case M_TRUNK_N5:
        v->mode = VSW_VLAN_TRUNK;
        v->native_vid = 5;
        vsw_vid_set_add(&v->allowed, 10);
        vsw_vid_set_add(&v->allowed, 20);
        break;
    case M_TRUNK_N0:
        v->mode = VSW_VLAN_TRUNK;
        vsw_vid_set_add(&v->allowed, 10);
        break;
    case M_ISOLATED:
    case M_COMMUNITY:
        v->mode = VSW_VLAN_PVLAN;
        v->pvlan = m == M_ISOLATED ? VSW_PVLAN_ISOLATED : VSW_PVLAN_COMMUNITY;
        v->primary_vid = 100;
        v->secondary_vid = m == M_ISOLATED ? 101 : 102;
        break;
    case M_PROMISCUOUS:
        v->mode = VSW_VLAN_PVLAN;
        v->pvlan = VSW_PVLAN_PROMISCUOUS;
        v->primary_vid = 100;
        vsw_vid_set_add(&v->secondaries, 101);
        vsw_vid_set_add(&v->secondaries, 102);
        break;
    }
}

enum frame_kind {
    F_UNTAGGED,
    F_PRIORITY,          /* VID 0, PCP 5 */
    F_TAGGED             /* VID 'vid', PCP 3 */
};

enum expect {
    X_UNTAGGED,
    X_TAGGED,
    X_DROPPED
};

struct vlan_case {
    enum mode_id mode;
    enum frame_kind frame;
    uint16_t vid;                /* F_TAGGED */
    enum expect expect;
    uint16_t tag;                /* X_TAGGED: the VID sent */
    uint8_t pcp;                 /* X_TAGGED: the priority sent */
    enum vsw_drop_reason reason; /* X_DROPPED */
};

/* Frames entering the port under test, seen at the observer trunk. */
static const struct vlan_case ingress_cases[] = {
    { M_UNTAGGED, F_UNTAGGED, 0, X_UNTAGGED, 0, 0, 0 },
    { M_UNTAGGED, F_PRIORITY, 0, X_UNTAGGED, 0, 0, 0 },
    { M_UNTAGGED, F_TAGGED, 10, X_DROPPED, 0, 0, VSW_DROP_VLAN_TAGGED },
    { M_UNTAGGED, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_TAGGED },

    { M_ACCESS10, F_UNTAGGED, 0, X_TAGGED, 10, 0, 0 },
    { M_ACCESS10, F_PRIORITY, 0, X_TAGGED, 10, 5, 0 },
    { M_ACCESS10, F_TAGGED, 10, X_TAGGED, 10, 3, 0 },
    { M_ACCESS10, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_INGRESS },

    { M_TRUNK_N5, F_UNTAGGED, 0, X_TAGGED, 5, 0, 0 },
    { M_TRUNK_N5, F_PRIORITY, 0, X_TAGGED, 5, 5, 0 },
    { M_TRUNK_N5, F_TAGGED, 10, X_TAGGED, 10, 3, 0 },
    { M_TRUNK_N5, F_TAGGED, 20, X_TAGGED, 20, 3, 0 },
    { M_TRUNK_N5, F_TAGGED, 5, X_TAGGED, 5, 3, 0 },
    { M_TRUNK_N5, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_INGRESS },

    { M_TRUNK_N0, F_UNTAGGED, 0, X_UNTAGGED, 0, 0, 0 },
    { M_TRUNK_N0, F_PRIORITY, 0, X_UNTAGGED, 0, 0, 0 },
    { M_TRUNK_N0, F_TAGGED, 10, X_TAGGED, 10, 3, 0 },
    { M_TRUNK_N0, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_INGRESS },

    { M_ISOLATED, F_UNTAGGED, 0, X_TAGGED, 101, 0, 0 },
    { M_ISOLATED, F_PRIORITY, 0, X_TAGGED, 101, 5, 0 },
    { M_ISOLATED, F_TAGGED, 101, X_TAGGED, 101, 3, 0 },
    { M_ISOLATED, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_INGRESS },

    { M_COMMUNITY, F_UNTAGGED, 0, X_TAGGED, 102, 0, 0 },
    { M_COMMUNITY, F_PRIORITY, 0, X_TAGGED, 102, 5, 0 },
    { M_COMMUNITY, F_TAGGED, 102, X_TAGGED, 102, 3, 0 },
    { M_COMMUNITY, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_INGRESS },

    { M_PROMISCUOUS, F_UNTAGGED, 0, X_TAGGED, 100, 0, 0 },
    { M_PROMISCUOUS, F_PRIORITY, 0, X_TAGGED, 100, 5, 0 },
    { M_PROMISCUOUS, F_TAGGED, 100, X_TAGGED, 100, 3, 0 },
    { M_PROMISCUOUS, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_INGRESS },
};

/* Frames the observer sends to the port under test (unicast to its
 * statically bound address), seen at the port under test. */
static const struct vlan_case egress_cases[] = {
    { M_UNTAGGED, F_UNTAGGED, 0, X_UNTAGGED, 0, 0, 0 },
    { M_UNTAGGED, F_PRIORITY, 0, X_UNTAGGED, 0, 0, 0 },
    { M_UNTAGGED, F_TAGGED, 10, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_UNTAGGED, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },

    { M_ACCESS10, F_UNTAGGED, 0, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_ACCESS10, F_PRIORITY, 0, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_ACCESS10, F_TAGGED, 10, X_UNTAGGED, 0, 0, 0 },
    { M_ACCESS10, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },

    { M_TRUNK_N5, F_UNTAGGED, 0, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_TRUNK_N5, F_PRIORITY, 0, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_TRUNK_N5, F_TAGGED, 5, X_UNTAGGED, 0, 0, 0 },
    { M_TRUNK_N5, F_TAGGED, 10, X_TAGGED, 10, 3, 0 },
    { M_TRUNK_N5, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },

    { M_TRUNK_N0, F_UNTAGGED, 0, X_UNTAGGED, 0, 0, 0 },
    { M_TRUNK_N0, F_PRIORITY, 0, X_UNTAGGED, 0, 0, 0 },
    { M_TRUNK_N0, F_TAGGED, 10, X_TAGGED, 10, 3, 0 },
    { M_TRUNK_N0, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },

    { M_ISOLATED, F_UNTAGGED, 0, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_ISOLATED, F_PRIORITY, 0, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_ISOLATED, F_TAGGED, 100, X_UNTAGGED, 0, 0, 0 },
    { M_ISOLATED, F_TAGGED, 101, X_DROPPED, 0, 0, VSW_DROP_PVLAN_ISOLATION },
    { M_ISOLATED, F_TAGGED, 102, X_DROPPED, 0, 0, VSW_DROP_PVLAN_ISOLATION },
    { M_ISOLATED, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },

    { M_COMMUNITY, F_UNTAGGED, 0, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_COMMUNITY, F_PRIORITY, 0, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_COMMUNITY, F_TAGGED, 100, X_UNTAGGED, 0, 0, 0 },
    { M_COMMUNITY, F_TAGGED, 102, X_UNTAGGED, 0, 0, 0 },
    { M_COMMUNITY, F_TAGGED, 101, X_DROPPED, 0, 0, VSW_DROP_PVLAN_ISOLATION },
    { M_COMMUNITY, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },

    { M_PROMISCUOUS, F_UNTAGGED, 0, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_PROMISCUOUS, F_PRIORITY, 0, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
    { M_PROMISCUOUS, F_TAGGED, 100, X_UNTAGGED, 0, 0, 0 },
    { M_PROMISCUOUS, F_TAGGED, 101, X_UNTAGGED, 0, 0, 0 },
    { M_PROMISCUOUS, F_TAGGED, 102, X_UNTAGGED, 0, 0, 0 },
    { M_PROMISCUOUS, F_TAGGED, 30, X_DROPPED, 0, 0, VSW_DROP_VLAN_EGRESS },
};

struct rig {
    struct vsw_switch *sw;
    struct dummy_nic dut;        /* the port under test, MAC ...:01 */
    struct dummy_nic obs;        /* the observer trunk, MAC ...:02 */
    struct dummy_nic pvlan_anchor;  /* makes the PVLAN domain exist */
};

static void
rig_setup(struct rig *r, enum mode_id m)
{
    struct vsw_switch_params p = { .max_cpus = 1 };
    struct vsw_vlan_config v;

    CU_ASSERT_EQUAL_FATAL(vsw_switch_create(&p, &r->sw), 0);
    CU_ASSERT_EQUAL_FATAL(dummy_attach(r->sw, &r->dut, VSW_NIC_VM, 1, true),
                          0);
    CU_ASSERT_EQUAL_FATAL(dummy_attach(r->sw, &r->obs, VSW_NIC_PHYSICAL, 2,
                                       true), 0);
    mode_config(m, &v);
    CU_ASSERT_EQUAL_FATAL(vsw_port_set_vlan(r->sw, r->dut.port, &v), 0);
    memset(&v, 0, sizeof v);
    v.mode = VSW_VLAN_TRUNK;
    vsw_vid_set_add_range(&v.allowed, 1, VSW_VID_MAX);
    CU_ASSERT_EQUAL_FATAL(vsw_port_set_vlan(r->sw, r->obs.port, &v), 0);
    /* A promiscuous port (created, not connected) binds 101 and 102 to
     * the private VLAN 100 whatever the mode under test. */
    CU_ASSERT_EQUAL_FATAL(dummy_attach(r->sw, &r->pvlan_anchor, VSW_NIC_VM, 3,
                                       false), 0);
    mode_config(M_PROMISCUOUS, &v);
    CU_ASSERT_EQUAL_FATAL(vsw_port_set_vlan(r->sw, r->pvlan_anchor.port, &v),
                          0);
}

/* Builds the frame of kind 'k' (VID 'vid') from dummy MAC 'src_n' to
 * 'dst' into 'buf'. */
static size_t
case_frame(uint8_t *buf, enum frame_kind k, uint16_t vid, uint8_t src_n,
           const uint8_t dst[6])
{
    uint8_t src[6];

    dummy_mac(src, src_n);
    switch (k) {
    case F_UNTAGGED:
        return build_udp(buf, dst, src, 0, 0, 1, 2, 20);
    case F_PRIORITY:
        return build_udp(buf, dst, src, 0x8100, 5 << 13, 1, 2, 20);
    case F_TAGGED:
        return build_udp(buf, dst, src, 0x8100, (uint16_t) (3 << 13 | vid),
                         1, 2, 20);
    }
    return 0;
}

/* Checks what 'nic' received against case 'c'; 'dropped_on' is the port
 * whose drop counter must name the reason. */
static void
check_case(const char *dir, size_t row, const struct vlan_case *c,
           struct rig *r, struct dummy_nic *nic, uint32_t dropped_on)
{
    struct vsw_port_counters pc;
    bool ok;

    CU_ASSERT_EQUAL(vsw_port_counters(r->sw, dropped_on, &pc), 0);
    switch (c->expect) {
    case X_UNTAGGED:
        ok = nic->n_frames == 1 && nic->frames[0].bytes[12] == 0x08
             && nic->frames[0].bytes[13] == 0x00 && !nic->frames[0].oob_tagged;
        break;
    case X_TAGGED:
        ok = nic->n_frames == 1 && nic->frames[0].bytes[12] == 0x81
             && nic->frames[0].bytes[13] == 0x00
             && ((nic->frames[0].bytes[14] & 0x0f) << 8
                 | nic->frames[0].bytes[15]) == c->tag
             && nic->frames[0].bytes[14] >> 5 == c->pcp
             && nic->frames[0].bytes[16] == 0x08;
        break;
    case X_DROPPED:
    default:
        ok = nic->n_frames == 0 && pc.drop[c->reason] == 1 && pc.drops == 1;
        break;
    }
    if (!ok) {
        fprintf(stderr, "%s row %zu (%s, frame %d vid %u): got %zu frames",
                dir, row, mode_names[c->mode], (int) c->frame, c->vid,
                nic->n_frames);
        if (nic->n_frames) {
            fprintf(stderr, " bytes[12..15]=%02x%02x %02x%02x",
                    nic->frames[0].bytes[12], nic->frames[0].bytes[13],
                    nic->frames[0].bytes[14], nic->frames[0].bytes[15]);
        }
        for (int i = 0; i < VSW_DROP_MAX; i++) {
            if (pc.drop[i]) {
                fprintf(stderr, " drop %s=%llu", vsw_drop_reason_name(i),
                        (unsigned long long) pc.drop[i]);
            }
        }
        fprintf(stderr, "\n");
    }
    CU_ASSERT_TRUE(ok);
}

static void
test_vlan_ingress_matrix(void)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    for (size_t i = 0; i < sizeof ingress_cases / sizeof ingress_cases[0];
         i++) {
        const struct vlan_case *c = &ingress_cases[i];
        struct rig r;
        uint8_t buf[256];
        size_t len;

        rig_setup(&r, c->mode);
        len = case_frame(buf, c->frame, c->vid, 1, bcast);
        CU_ASSERT_EQUAL(send_frame(r.sw, 0, 1000, r.dut.port, buf, len, NULL),
                        0);
        check_case("ingress", i, c, &r, &r.obs, r.dut.port);
        vsw_switch_destroy(r.sw);
    }
}

static void
test_vlan_egress_matrix(void)
{
    for (size_t i = 0; i < sizeof egress_cases / sizeof egress_cases[0];
         i++) {
        const struct vlan_case *c = &egress_cases[i];
        struct rig r;
        uint8_t buf[256], dut_mac[6];
        uint16_t vlan = c->frame == F_TAGGED ? c->vid : 0;
        uint16_t fid = vlan == 101 || vlan == 102 ? 100 : vlan;
        size_t len;

        rig_setup(&r, c->mode);
        dummy_mac(dut_mac, 1);
        CU_ASSERT_EQUAL(vsw_static_mac_add(r.sw, r.dut.port, dut_mac, fid), 0);
        len = case_frame(buf, c->frame, c->vid, 2, dut_mac);
        CU_ASSERT_EQUAL(send_frame(r.sw, 0, 1000, r.obs.port, buf, len, NULL),
                        0);
        check_case("egress", i, c, &r, &r.dut, r.dut.port);
        vsw_switch_destroy(r.sw);
    }
}

static void
test_vlan_flood_stays_in_vlan(void)
{
    struct vsw_switch_params p = { .max_cpus = 1 };
    struct vsw_switch *sw;
    struct dummy_nic a10, b10, c20, u;
    struct vsw_vlan_config v;

    CU_ASSERT_EQUAL_FATAL(vsw_switch_create(&p, &sw), 0);
    CU_ASSERT_EQUAL(dummy_attach(sw, &a10, VSW_NIC_VM, 1, true), 0);
    CU_ASSERT_EQUAL(dummy_attach(sw, &b10, VSW_NIC_VM, 2, true), 0);
    CU_ASSERT_EQUAL(dummy_attach(sw, &c20, VSW_NIC_VM, 3, true), 0);
    CU_ASSERT_EQUAL(dummy_attach(sw, &u, VSW_NIC_VM, 4, true), 0);
    mode_config(M_ACCESS10, &v);
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, a10.port, &v), 0);
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, b10.port, &v), 0);
    v.access_vid = 20;
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, c20.port, &v), 0);

    CU_ASSERT_EQUAL(send_udp(sw, 1, a10.port, 1, 0xff, NULL), 0);
    CU_ASSERT_EQUAL(b10.n_frames, 1);
    CU_ASSERT_EQUAL(c20.n_frames, 0);
    CU_ASSERT_EQUAL(u.n_frames, 0);
    CU_ASSERT_EQUAL(a10.n_frames, 0);
    /* Unknown unicast floods the same way. */
    CU_ASSERT_EQUAL(send_udp(sw, 2, a10.port, 1, 77, NULL), 0);
    CU_ASSERT_EQUAL(b10.n_frames, 2);
    CU_ASSERT_EQUAL(c20.n_frames + u.n_frames + a10.n_frames, 0);
    vsw_switch_destroy(sw);
}

/* Who hears a broadcast from whom in one private VLAN: iso1, iso2 isolated
 * (101); comA1, comA2 community 102; comB community 103; prom promiscuous
 * (101, 102, 103); trunk carries 100-103 tagged. */
static void
test_pvlan_isolation_matrix(void)
{
    enum { ISO1, ISO2, COMA1, COMA2, COMB, PROM, TRUNK, N };
    static const char *const names[N] = {
        "iso1", "iso2", "comA1", "comA2", "comB", "prom", "trunk"
    };
    /* hears[from][to] */
    static const bool hears[N][N] = {
        /*            iso1 iso2 comA1 comA2 comB prom trunk */
        [ISO1]  = { 0,   0,   0,    0,    0,   1,   1 },
        [ISO2]  = { 0,   0,   0,    0,    0,   1,   1 },
        [COMA1] = { 0,   0,   0,    1,    0,   1,   1 },
        [COMA2] = { 0,   0,   1,    0,    0,   1,   1 },
        [COMB]  = { 0,   0,   0,    0,    0,   1,   1 },
        [PROM]  = { 1,   1,   1,    1,    1,   0,   1 },
        [TRUNK] = { 1,   1,   1,    1,    1,   1,   0 },
    };
    struct vsw_switch_params p = { .max_cpus = 1 };
    struct vsw_switch *sw;
    struct dummy_nic nic[N];
    struct vsw_vlan_config v;

    CU_ASSERT_EQUAL_FATAL(vsw_switch_create(&p, &sw), 0);
    for (int i = 0; i < N; i++) {
        CU_ASSERT_EQUAL_FATAL(dummy_attach(sw, &nic[i], VSW_NIC_VM,
                                           (uint8_t) (i + 1), true), 0);
        memset(&v, 0, sizeof v);
        v.mode = VSW_VLAN_PVLAN;
        v.primary_vid = 100;
        switch (i) {
        case ISO1: case ISO2:
            v.pvlan = VSW_PVLAN_ISOLATED;
            v.secondary_vid = 101;
            break;
        case COMA1: case COMA2:
            v.pvlan = VSW_PVLAN_COMMUNITY;
            v.secondary_vid = 102;
            break;
        case COMB:
            v.pvlan = VSW_PVLAN_COMMUNITY;
            v.secondary_vid = 103;
            break;
        case PROM:
            v.pvlan = VSW_PVLAN_PROMISCUOUS;
            vsw_vid_set_add_range(&v.secondaries, 101, 103);
            break;
        case TRUNK:
            v.mode = VSW_VLAN_TRUNK;
            vsw_vid_set_add_range(&v.allowed, 100, 103);
            break;
        }
        CU_ASSERT_EQUAL_FATAL(vsw_port_set_vlan(sw, nic[i].port, &v), 0);
    }
    for (int from = 0; from < N; from++) {
        uint8_t buf[256], src[6], bc[6];
        size_t len;

        for (int i = 0; i < N; i++) {
            dummy_clear(&nic[i]);
        }
        dummy_mac(src, (uint8_t) (from + 1));
        memset(bc, 0xff, 6);
        len = build_udp(buf, bc, src, from == TRUNK ? 0x8100 : 0,
                        from == TRUNK ? 100 : 0, 1, 2, 20);
        CU_ASSERT_EQUAL(send_frame(sw, 0, 1, nic[from].port, buf, len, NULL),
                        0);
        for (int to = 0; to < N; to++) {
            if ((nic[to].n_frames == 1) != hears[from][to]) {
                fprintf(stderr, "pvlan: %s -> %s: got %zu\n", names[from],
                        names[to], nic[to].n_frames);
            }
            CU_ASSERT_EQUAL(nic[to].n_frames == 1, hears[from][to]);
        }
    }
    /* Learning is shared by the private VLAN: the promiscuous port finds
     * an isolated host's address, so its unicast is not flooded. */
    for (int i = 0; i < N; i++) {
        dummy_clear(&nic[i]);
    }
    CU_ASSERT_EQUAL(send_udp(sw, 2, nic[PROM].port, PROM + 1, ISO1 + 1, NULL),
                    0);
    CU_ASSERT_EQUAL(nic[ISO1].n_frames, 1);
    CU_ASSERT_EQUAL(nic[ISO2].n_frames, 0);
    CU_ASSERT_EQUAL(nic[TRUNK].n_frames, 0);
    /* An isolated host cannot reach another by unicast either. */
    CU_ASSERT_EQUAL(send_udp(sw, 3, nic[ISO2].port, ISO2 + 1, ISO1 + 1, NULL),
                    0);
    CU_ASSERT_EQUAL(nic[ISO1].n_frames, 1);
    {
        struct vsw_port_counters pc;
        CU_ASSERT_EQUAL(vsw_port_counters(sw, nic[ISO1].port, &pc), 0);
        CU_ASSERT_EQUAL(pc.drop[VSW_DROP_PVLAN_ISOLATION], 1);
    }
    vsw_switch_destroy(sw);
}

static void
test_pvlan_conflicting_secondary_rejected(void)
{
    struct vsw_switch_params p = { .max_cpus = 1 };
    struct vsw_switch *sw;
    uint32_t a, b;
    struct vsw_vlan_config v;

    CU_ASSERT_EQUAL_FATAL(vsw_switch_create(&p, &sw), 0);
    CU_ASSERT_EQUAL(vsw_port_create(sw, "a", &a), 0);
    CU_ASSERT_EQUAL(vsw_port_create(sw, "b", &b), 0);
    mode_config(M_ISOLATED, &v);                 /* 100/101 */
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, a, &v), 0);
    v.primary_vid = 200;                         /* 101 under another */
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, b, &v), EINVAL);
    v.primary_vid = 101;                         /* a secondary as primary */
    v.secondary_vid = 300;
    CU_ASSERT_EQUAL(vsw_port_set_vlan(sw, b, &v), EINVAL);
    vsw_switch_destroy(sw);
}

static void
test_oob_nic_gets_tag_out_of_band(void)
{
    struct rig r;
    uint8_t buf[256], bc[6];
    struct vsw_nic_caps caps = { .vlan_oob = true };
    size_t len;

    rig_setup(&r, M_ACCESS10);
    CU_ASSERT_EQUAL(vsw_nic_update(r.sw, r.obs.port, &caps, r.obs.params.macs,
                                   1), 0);
    memset(bc, 0xff, 6);
    len = case_frame(buf, F_PRIORITY, 0, 1, bc);
    CU_ASSERT_EQUAL(send_frame(r.sw, 0, 1, r.dut.port, buf, len, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(r.obs.n_frames, 1);
    CU_ASSERT_EQUAL(r.obs.frames[0].bytes[12], 0x08);   /* untagged bytes */
    CU_ASSERT_TRUE(r.obs.frames[0].oob_tagged);
    CU_ASSERT_EQUAL(r.obs.frames[0].oob_vid, 10);
    CU_ASSERT_EQUAL(r.obs.frames[0].oob_pcp, 5);
    vsw_switch_destroy(r.sw);
}

static void
test_stacked_and_service_tags_dropped(void)
{
    struct rig r;
    uint8_t buf[256], bc[6], src[6];
    struct vsw_port_counters pc;
    size_t len;

    rig_setup(&r, M_TRUNK_N0);
    memset(bc, 0xff, 6);
    dummy_mac(src, 1);
    len = build_udp(buf, bc, src, 0x88a8, 10, 1, 2, 20);
    CU_ASSERT_EQUAL(send_frame(r.sw, 0, 1, r.dut.port, buf, len, NULL), 0);
    CU_ASSERT_EQUAL(r.obs.n_frames, 0);
    CU_ASSERT_EQUAL(vsw_port_counters(r.sw, r.dut.port, &pc), 0);
    CU_ASSERT_EQUAL(pc.drop[VSW_DROP_STAG], 1);
    vsw_switch_destroy(r.sw);
}

static const struct cutest_case vlan_cases[] = {
    CUTEST(test_vlan_ingress_matrix),
    CUTEST(test_vlan_egress_matrix),
    CUTEST(test_vlan_flood_stays_in_vlan),
    CUTEST(test_pvlan_isolation_matrix),
    CUTEST(test_pvlan_conflicting_secondary_rejected),
    CUTEST(test_oob_nic_gets_tag_out_of_band),
    CUTEST(test_stacked_and_service_tags_dropped),
    CUTEST_END
};

CUTEST_MAIN({ "vlan", vlan_cases })
