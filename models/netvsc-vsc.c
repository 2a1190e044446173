/*
 * netvsc-vsc.c -- the guest's end of the synthetic NIC (netvsc.h): NVSP
 * and RNDIS negotiation, the send path with its send-buffer batching and
 * page-list fallback, transmit flow control, and the receive path with its
 * batched completions.  Linux drivers/net/hyperv/netvsc.c and
 * rndis_filter.c are the behaviour followed (FACTS.md 3.4).
 *
 * The file reads in the order a device comes up and carries traffic:
 * bookkeeping (bitmaps, send records); sending VMBus packets;
 * negotiation; the send path; completions; the receive path; creation.
 */
#include "config.h"

#include "models/netvsc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/netvsc-wire.h"
#include "sim/log.h"

#define NONE UINT32_MAX

/* trans_ids: control requests carry bit 63 and their NVSP type; data sends
 * carry a generation in bits 32..62 and the send record's index below. */
#define TID_CONTROL (UINT64_C(1) << 63)

/* Versions tried, highest first (netvsc_connect_vsp's ver_list). */
static const uint32_t nvsp_versions[] = {
    NETVSC_NVSP_V61, NETVSC_NVSP_V6, NETVSC_NVSP_V5,
    NETVSC_NVSP_V4, NETVSC_NVSP_V2, NETVSC_NVSP_V1,
};
#define N_VERSIONS (sizeof nvsp_versions / sizeof nvsp_versions[0])

#define SLOT_BYTES ((uint64_t) NETVSC_SLOT_PAGES * GMEM_PAGE_SIZE)

/* One outstanding SEND_RNDIS_PKT: what its completion frees. */
struct send_rec {
    uint64_t tid;
    uint32_t section;               /* NONE if no send section */
    uint32_t slot;                  /* NONE if no page slot */
    uint32_t frames;
    uint32_t next_free;
    bool in_use;
    bool control;
};

/* The open batch (Linux's multi_send_data): frames copied into one
 * section and not yet sent. */
struct batch {
    bool open;
    uint32_t section;
    uint32_t used;                  /* bytes, padding included */
    uint32_t count;                 /* frames */
    uint64_t bytes;                 /* frame bytes */
    uint64_t copy_bytes;            /* bytes copied into the section */
};

/* A queued receive completion. */
struct rx_comp {
    uint64_t tid;
    uint32_t status;
};

struct netvsc_vsc {
    struct netvsc_vsc_config cfg;
    enum netvsc_vsc_state state;
    unsigned ver_idx;               /* version being tried */
    uint32_t nvsp_version, ndis_version;

    uint64_t recv_gpa, send_gpa, slots_gpa;
    uint32_t recv_size, send_size;
    uint32_t recv_section_size, recv_section_cnt;
    uint32_t send_section_size, send_section_cnt;
    uint32_t max_pkt, pkt_align;

    uint64_t *send_map;             /* bit set = section taken */
    uint64_t *slot_map;             /* bit set = slot taken */

    struct send_rec *recs;
    uint32_t n_recs, free_rec;
    uint32_t tid_gen;

    struct batch batch;

    struct rx_comp *comp;           /* ring of comp_cap, one slot unused */
    uint32_t comp_cap, comp_first, comp_next;

    uint32_t rndis_req_id;          /* id of the outstanding request */
    bool stopped;
    struct netvsc_vsc_stats st;
};

/* --- Predicates -------------------------------------------------------------- */

uint32_t
netvsc_ring_avail_percent(uint32_t free_bytes, uint32_t ring_size)
{
    SIM_ASSERT(ring_size >= 10);
    return (uint32_t) ((uint64_t) free_bytes * 10 / (ring_size / 10));
}

bool
netvsc_should_stop(uint32_t free_bytes, uint32_t ring_size)
{
    return netvsc_ring_avail_percent(free_bytes, ring_size)
           < NETVSC_RING_AVAIL_PERCENT_LOWATER;
}

bool
netvsc_should_wake(uint32_t free_bytes, uint32_t ring_size,
                   uint32_t sends_outstanding)
{
    return netvsc_ring_avail_percent(free_bytes, ring_size)
           > NETVSC_RING_AVAIL_PERCENT_HIWATER || sends_outstanding < 1;
}

/* --- Bitmaps and records ------------------------------------------------------ */

static uint32_t
words_for(uint32_t bits)
{
    return (bits + 63) / 64;
}

/* Takes the lowest clear bit of 'map' (n bits); NONE if all are set. */
static uint32_t
bitmap_take(uint64_t *map, uint32_t n)
{
    for (uint32_t w = 0; w < words_for(n); w++) {
        if (map[w] == UINT64_MAX) {
            continue;
        }
        for (uint32_t b = 0; b < 64; b++) {
            uint32_t i = w * 64 + b;
            if (i >= n) {
                return NONE;
            }
            if (!(map[w] & (UINT64_C(1) << b))) {
                map[w] |= UINT64_C(1) << b;
                return i;
            }
        }
    }
    return NONE;
}

static void
bitmap_clear(uint64_t *map, uint32_t i)
{
    SIM_ASSERT(map[i / 64] & (UINT64_C(1) << (i % 64)));
    map[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

static uint32_t
section_take(struct netvsc_vsc *v)
{
    uint32_t s = bitmap_take(v->send_map, v->send_section_cnt);
    if (s != NONE) {
        v->st.sections_in_use++;
    }
    return s;
}

static void
section_put(struct netvsc_vsc *v, uint32_t s)
{
    bitmap_clear(v->send_map, s);
    v->st.sections_in_use--;
}

static uint32_t
slot_take(struct netvsc_vsc *v)
{
    uint32_t s = bitmap_take(v->slot_map, v->cfg.page_slots);
    if (s != NONE) {
        v->st.slots_in_use++;
    }
    return s;
}

static void
slot_put(struct netvsc_vsc *v, uint32_t s)
{
    bitmap_clear(v->slot_map, s);
    v->st.slots_in_use--;
}

static uint64_t
slot_gpa(const struct netvsc_vsc *v, uint32_t slot)
{
    return v->slots_gpa + slot * SLOT_BYTES;
}

static uint64_t
section_gpa(const struct netvsc_vsc *v, uint32_t section)
{
    return v->send_gpa + (uint64_t) section * v->send_section_size;
}

/* A GPA-direct range for 'len' bytes at 'gpa' (contiguous guest pages). */
static void
gpa_range(struct netvsc_gpa *r, uint64_t gpa, uint32_t len)
{
    uint64_t first = gpa / GMEM_PAGE_SIZE;
    uint64_t last = (gpa + len - 1) / GMEM_PAGE_SIZE;

    SIM_ASSERT(len > 0 && last - first < NETVSC_MAX_PAGE_BUFFERS);
    memset(r, 0, sizeof *r);
    r->byte_count = len;
    r->byte_offset = (uint32_t) (gpa % GMEM_PAGE_SIZE);
    r->n_pfn = (uint32_t) (last - first + 1);
    for (uint32_t i = 0; i < r->n_pfn; i++) {
        r->pfn[i] = first + i;
    }
}

/* --- Sending VMBus packets --------------------------------------------------- */

static void
fail(struct netvsc_vsc *v)
{
    v->state = NETVSC_VSC_FAILED;
}

static int
chan_send(struct netvsc_vsc *v, const struct netvsc_vmpkt *p)
{
    int rc = v->cfg.chan->send(v->cfg.chan_ctx, p);
    if (rc == 0) {
        v->st.nvsp_sent++;
    }
    return rc;
}

/* Sends NVSP message 'type' in band. */
static int
send_inband(struct netvsc_vsc *v, uint32_t type, const void *body,
            size_t body_len, bool want_completion)
{
    uint8_t msg[sizeof(struct netvsc_nvsp_msg)];
    struct netvsc_vmpkt p = {
        .type = NETVSC_VMPKT_DATA_INBAND,
        .flags = want_completion ? NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED : 0,
        .trans_id = TID_CONTROL | type,
        .payload = msg,
        .payload_len = sizeof msg,
    };

    netvsc_nvsp_encode(msg, type, body, body_len);
    return chan_send(v, &p);
}

/* Takes a free send record; NONE if none (a model bug: there is one per
 * section and slot). */
static uint32_t
rec_take(struct netvsc_vsc *v)
{
    uint32_t i = v->free_rec;

    SIM_ASSERT(i != NONE);
    v->free_rec = v->recs[i].next_free;
    v->tid_gen = (v->tid_gen + 1) & 0x7FFFFFFFu;
    if (v->tid_gen == 0) {
        v->tid_gen = 1;
    }
    memset(&v->recs[i], 0, sizeof v->recs[i]);
    v->recs[i].tid = (uint64_t) v->tid_gen << 32 | i;
    v->recs[i].section = NONE;
    v->recs[i].slot = NONE;
    return i;
}

static void
rec_put(struct netvsc_vsc *v, uint32_t i)
{
    v->recs[i].in_use = false;
    v->recs[i].next_free = v->free_rec;
    v->free_rec = i;
}

/* Sends one NVSP SEND_RNDIS_PKT: section 'section' with 'section_bytes'
 * (NONE, 0 for none) and 'n_gpa' page ranges.  On success records what the
 * completion frees ('slot' too), counts the send and stops the queue if
 * the ring was low before it (netvsc_send_pkt).  Returns the channel's
 * result; nothing is recorded on failure. */
static int
send_rndis_pkt(struct netvsc_vsc *v, uint32_t channel_type, uint32_t section,
               uint32_t section_bytes, const struct netvsc_gpa *gpa,
               uint32_t n_gpa, uint32_t slot, uint32_t frames)
{
    struct netvsc_nvsp1_send_rndis_pkt body;
    uint8_t msg[sizeof(struct netvsc_nvsp_msg)];
    bool low = false;
    uint32_t r = rec_take(v);
    int rc;

    netvsc_put_le32(&body.channel_type, channel_type);
    netvsc_put_le32(&body.send_buf_section_index, section);
    netvsc_put_le32(&body.send_buf_section_size,
                    section == NONE ? 0 : section_bytes);
    netvsc_nvsp_encode(msg, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT, &body, sizeof body);

    struct netvsc_vmpkt p = {
        .type = n_gpa ? NETVSC_VMPKT_DATA_GPA_DIRECT : NETVSC_VMPKT_DATA_INBAND,
        .flags = NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED,
        .trans_id = v->recs[r].tid,
        .payload = msg,
        .payload_len = sizeof msg,
        .gpa = n_gpa ? gpa : NULL,
        .n_gpa = n_gpa,
    };

    if (v->cfg.chan->ring_space) {
        uint32_t free_bytes, ring_size;
        v->cfg.chan->ring_space(v->cfg.chan_ctx, &free_bytes, &ring_size);
        low = netvsc_should_stop(free_bytes, ring_size);
    }
    rc = chan_send(v, &p);
    if (rc) {
        rec_put(v, r);
        return rc;
    }
    v->recs[r].in_use = true;
    v->recs[r].section = section;
    v->recs[r].slot = slot;
    v->recs[r].frames = frames;
    v->recs[r].control = channel_type == NETVSC_RNDIS_CHANNEL_CONTROL;
    v->st.sends_outstanding++;
    v->st.rndis_sent += frames ? frames : 1;
    if (!v->recs[r].control) {
        v->st.tx_sends++;
    }
    if (low && !v->stopped) {
        v->stopped = true;
        v->st.stops++;
    }
    return 0;
}

/* The channel refused a frame's send: stop the queue; with nothing
 * outstanding no completion would wake it, so Linux wakes it at once and
 * drops the frame (ENOSPC). */
static int
refuse_full(struct netvsc_vsc *v)
{
    if (v->st.sends_outstanding < 1) {
        v->st.stops++;
        v->st.wakes++;
        v->stopped = false;
        v->st.tx_no_space++;
        return ENOSPC;
    }
    if (!v->stopped) {
        v->stopped = true;
        v->st.stops++;
    }
    v->st.tx_refused++;
    return EAGAIN;
}

static int send_batch(struct netvsc_vsc *v);

/* Refuses a frame for want of a section or slot: stop until a completion
 * frees one.  An open batch is sent first, so that one is coming. */
static int
refuse_no_buffer(struct netvsc_vsc *v)
{
    send_batch(v);
    if (!v->stopped) {
        v->stopped = true;
        v->st.stops++;
    }
    v->st.tx_refused++;
    return EAGAIN;
}

/* Sends the open batch.  Returns 0 or the channel's error (batch kept). */
static int
send_batch(struct netvsc_vsc *v)
{
    struct batch *b = &v->batch;
    int rc;

    if (!b->open) {
        return 0;
    }
    rc = send_rndis_pkt(v, NETVSC_RNDIS_CHANNEL_DATA, b->section, b->used,
                        NULL, 0, NONE, b->count);
    if (rc) {
        return rc;
    }
    v->st.tx_frames += b->count;
    v->st.tx_bytes += b->bytes;
    v->st.tx_copied_frames += b->count;
    v->st.tx_copy_bytes += b->copy_bytes;
    memset(b, 0, sizeof *b);
    return 0;
}

/* Sends RNDIS control message 'msg' ('len' bytes) as Linux does: the
 * message in guest memory (a page slot), GPA direct, channel 1. */
static int
send_control(struct netvsc_vsc *v, const uint8_t *msg, uint32_t len)
{
    struct netvsc_gpa r;
    uint32_t slot = slot_take(v);
    int rc;

    if (slot == NONE) {
        return ENOBUFS;
    }
    SIM_ASSERT(len <= GMEM_PAGE_SIZE);
    gmem_write(v->cfg.mem, slot_gpa(v, slot), msg, len);
    gpa_range(&r, slot_gpa(v, slot), len);
    rc = send_rndis_pkt(v, NETVSC_RNDIS_CHANNEL_CONTROL, NONE, 0, &r, 1, slot, 0);
    if (rc) {
        slot_put(v, slot);
    }
    return rc;
}

/* --- Negotiation -------------------------------------------------------------- */

static int
send_init(struct netvsc_vsc *v)
{
    struct netvsc_nvsp_init body;
    uint32_t ver = nvsp_versions[v->ver_idx];

    netvsc_put_le32(&body.min_protocol_ver, ver);
    netvsc_put_le32(&body.max_protocol_ver, ver);
    v->state = NETVSC_VSC_INIT;
    return send_inband(v, NETVSC_NVSP_MSG_INIT, &body, sizeof body, true);
}

int
netvsc_vsc_start(struct netvsc_vsc *v)
{
    int rc;

    if (v->state != NETVSC_VSC_IDLE) {
        return EALREADY;
    }
    v->ver_idx = 0;
    while (nvsp_versions[v->ver_idx] > v->cfg.max_nvsp_version) {
        v->ver_idx++;
    }
    rc = send_init(v);
    if (rc) {
        fail(v);
    }
    return rc;
}

/* After INIT_COMPLETE: NDIS config, NDIS version, receive buffer
 * (netvsc_connect_vsp, netvsc_init_buf). */
static int
after_init(struct netvsc_vsc *v)
{
    int rc;

    if (v->nvsp_version >= NETVSC_NVSP_V2) {
        struct netvsc_nvsp2_send_ndis_config cfg;
        uint64_t caps = NETVSC_CAP_IEEE8021Q;

        if (v->nvsp_version >= NETVSC_NVSP_V5) {
            caps |= NETVSC_CAP_TEAMING;
        }
        netvsc_put_le32(&cfg.mtu, v->cfg.mtu + NETVSC_ETH_HLEN);
        netvsc_put_le32(&cfg.reserved, 0);
        netvsc_put_le64(&cfg.capability, caps);
        rc = send_inband(v, NETVSC_NVSP_MSG2_SEND_NDIS_CONFIG, &cfg, sizeof cfg,
                         false);
        if (rc) {
            return rc;
        }
    }

    struct netvsc_nvsp1_send_ndis_ver nv;
    v->ndis_version = v->nvsp_version <= NETVSC_NVSP_V4
                      ? NETVSC_NDIS_VERSION_6_1 : NETVSC_NDIS_VERSION_6_30;
    netvsc_put_le32(&nv.ndis_major_ver, v->ndis_version >> 16);
    netvsc_put_le32(&nv.ndis_minor_ver, v->ndis_version & 0xFFFFu);
    rc = send_inband(v, NETVSC_NVSP_MSG1_SEND_NDIS_VER, &nv, sizeof nv, false);
    if (rc) {
        return rc;
    }

    struct netvsc_nvsp1_send_recv_buf rb;
    netvsc_put_le32(&rb.gpadl_handle, v->cfg.recv_gpadl);
    netvsc_put_le16(&rb.id, NETVSC_RECV_BUFFER_ID);
    v->state = NETVSC_VSC_RECV_BUF;
    return send_inband(v, NETVSC_NVSP_MSG1_SEND_RECV_BUF, &rb, sizeof rb, true);
}

static int
on_init_complete(struct netvsc_vsc *v, const uint8_t *body, uint32_t len)
{
    struct netvsc_nvsp_init_complete c;

    if (v->state != NETVSC_VSC_INIT || len < sizeof c) {
        return EPROTO;
    }
    memcpy(&c, body, sizeof c);
    if (netvsc_get_le32(&c.status) == NETVSC_NVSP_STAT_SUCCESS) {
        v->nvsp_version = nvsp_versions[v->ver_idx];
        if (after_init(v)) {
            fail(v);
        }
        return 0;
    }
    if (++v->ver_idx == N_VERSIONS || send_init(v)) {
        fail(v);
    }
    return 0;
}

static int
on_recv_buf_complete(struct netvsc_vsc *v, const uint8_t *body, uint32_t len)
{
    struct netvsc_nvsp1_send_recv_buf_complete c;
    uint32_t size, cnt;

    if (v->state != NETVSC_VSC_RECV_BUF || len < sizeof c) {
        return EPROTO;
    }
    memcpy(&c, body, sizeof c);
    size = netvsc_get_le32(&c.sections[0].sub_alloc_size);
    cnt = netvsc_get_le32(&c.sections[0].num_sub_allocs);
    if (netvsc_get_le32(&c.status) != NETVSC_NVSP_STAT_SUCCESS
        || netvsc_get_le32(&c.num_sections) != 1
        || netvsc_get_le32(&c.sections[0].offset) != 0
        || size < NETVSC_RNDIS_PKT_HDR_SIZE + NETVSC_ETH_HLEN || cnt == 0
        || (uint64_t) size * cnt > v->recv_size) {
        fail(v);
        return 0;
    }
    v->recv_section_size = size;
    v->recv_section_cnt = cnt;
    /* One completion slot per section, plus the one a ring leaves empty
     * (recv_completion_cnt). */
    v->comp_cap = cnt + 1;
    v->comp = calloc(v->comp_cap, sizeof *v->comp);
    if (!v->comp) {
        fail(v);
        return 0;
    }

    struct netvsc_nvsp1_send_send_buf sb;
    netvsc_put_le32(&sb.gpadl_handle, v->cfg.send_gpadl);
    netvsc_put_le16(&sb.id, NETVSC_SEND_BUFFER_ID);
    v->state = NETVSC_VSC_SEND_BUF;
    if (send_inband(v, NETVSC_NVSP_MSG1_SEND_SEND_BUF, &sb, sizeof sb, true)) {
        fail(v);
    }
    return 0;
}

/* Sends an RNDIS SET of 'oid' with 'info' ('info_len' bytes). */
static int
send_rndis_set(struct netvsc_vsc *v, uint32_t oid, const void *info,
               uint32_t info_len)
{
    uint8_t m[64];
    struct netvsc_rndis_hdr h;
    struct netvsc_rndis_set_req s;
    uint32_t len = (uint32_t) (sizeof h + sizeof s) + info_len;

    SIM_ASSERT(len <= sizeof m);
    v->rndis_req_id++;
    netvsc_put_le32(&h.msg_type, NETVSC_RNDIS_MSG_SET);
    netvsc_put_le32(&h.msg_len, len);
    netvsc_put_le32(&s.req_id, v->rndis_req_id);
    netvsc_put_le32(&s.oid, oid);
    netvsc_put_le32(&s.info_buflen, info_len);
    netvsc_put_le32(&s.info_buf_offset, (uint32_t) sizeof s);
    netvsc_put_le32(&s.dev_vc_handle, 0);
    memcpy(m, &h, sizeof h);
    memcpy(m + sizeof h, &s, sizeof s);
    memcpy(m + sizeof h + sizeof s, info, info_len);
    return send_control(v, m, len);
}

static int
send_rndis_init(struct netvsc_vsc *v)
{
    uint8_t m[sizeof(struct netvsc_rndis_hdr)
              + sizeof(struct netvsc_rndis_init_req)];
    struct netvsc_rndis_hdr h;
    struct netvsc_rndis_init_req r;

    v->rndis_req_id++;
    netvsc_put_le32(&h.msg_type, NETVSC_RNDIS_MSG_INIT);
    netvsc_put_le32(&h.msg_len, (uint32_t) sizeof m);
    netvsc_put_le32(&r.req_id, v->rndis_req_id);
    netvsc_put_le32(&r.major_ver, NETVSC_RNDIS_MAJOR_VERSION);
    netvsc_put_le32(&r.minor_ver, NETVSC_RNDIS_MINOR_VERSION);
    netvsc_put_le32(&r.max_xfer_size, NETVSC_RNDIS_INIT_MAX_XFER);
    memcpy(m, &h, sizeof h);
    memcpy(m + sizeof h, &r, sizeof r);
    v->state = NETVSC_VSC_RNDIS_INIT;
    return send_control(v, m, sizeof m);
}

static int
on_send_buf_complete(struct netvsc_vsc *v, const uint8_t *body, uint32_t len)
{
    struct netvsc_nvsp1_send_send_buf_complete c;
    uint32_t size;

    if (v->state != NETVSC_VSC_SEND_BUF || len < sizeof c) {
        return EPROTO;
    }
    memcpy(&c, body, sizeof c);
    size = netvsc_get_le32(&c.section_size);
    if (netvsc_get_le32(&c.status) != NETVSC_NVSP_STAT_SUCCESS
        || size < NETVSC_RNDIS_DATA_HDR_MAX || size > v->send_size) {
        fail(v);
        return 0;
    }
    v->send_section_size = size;
    v->send_section_cnt = v->send_size / size;
    v->send_map = calloc(words_for(v->send_section_cnt), sizeof(uint64_t));
    v->n_recs = v->send_section_cnt + v->cfg.page_slots;
    v->recs = calloc(v->n_recs, sizeof *v->recs);
    if (!v->send_map || !v->recs) {
        fail(v);
        return 0;
    }
    v->free_rec = NONE;
    for (uint32_t i = v->n_recs; i-- > 0;) {
        rec_put(v, i);
    }
    if (send_rndis_init(v)) {
        fail(v);
    }
    return 0;
}

/* The offload parameters a Linux guest sets (rndis_netdev_set_hwcaps). */
static uint32_t
offload_params(const struct netvsc_vsc *v, uint8_t *out)
{
    struct netvsc_ndis_offload_params p;
    uint32_t len = v->nvsp_version <= NETVSC_NVSP_V4
                   ? NETVSC_VERSION_4_OFFLOAD_SIZE : (uint32_t) sizeof p;
    uint8_t csum = v->cfg.no_csum_offload ? NETVSC_NDIS_OFFLOAD_TX_RX_DISABLED
                                          : NETVSC_NDIS_OFFLOAD_TX_RX_ENABLED;
    uint8_t lso = v->cfg.no_lso ? NETVSC_NDIS_OFFLOAD_LSOV2_DISABLED
                                : NETVSC_NDIS_OFFLOAD_LSOV2_ENABLED;

    memset(&p, 0, sizeof p);
    p.header.type = NETVSC_NDIS_OBJECT_TYPE_DEFAULT;
    p.header.revision = NETVSC_NDIS_OFFLOAD_PARAMETERS_REVISION_3;
    netvsc_put_le16(&p.header.size, (uint16_t) len);
    p.ip_v4_csum = csum;
    p.tcp_ip_v4_csum = csum;
    p.tcp_ip_v6_csum = csum;
    if (v->nvsp_version > NETVSC_NVSP_V4) {
        /* UDP checksum offload only beyond NVSP 4. */
        p.udp_ip_v4_csum = csum;
        p.udp_ip_v6_csum = csum;
    }
    p.lso_v2_ipv4 = lso;
    p.lso_v2_ipv6 = lso;
    memcpy(out, &p, len);
    return len;
}

/* An RNDIS completion arrived in the receive buffer. */
static bool
on_rndis_control(struct netvsc_vsc *v, const uint8_t *m, uint32_t len)
{
    struct netvsc_rndis_hdr h;
    uint32_t type, msg_len, req_id, status;

    memcpy(&h, m, sizeof h);
    type = netvsc_get_le32(&h.msg_type);
    msg_len = netvsc_get_le32(&h.msg_len);
    if (msg_len > len || msg_len < sizeof h + 8) {
        return false;
    }
    req_id = netvsc_get_le32(m + sizeof h);
    status = netvsc_get_le32(m + sizeof h + 4);
    if (req_id != v->rndis_req_id) {
        v->st.unexpected++;
        return true;
    }

    if (type == NETVSC_RNDIS_MSG_INIT_C && v->state == NETVSC_VSC_RNDIS_INIT) {
        struct netvsc_rndis_init_complete c;
        if (msg_len < sizeof h + sizeof c) {
            return false;
        }
        memcpy(&c, m + sizeof h, sizeof c);
        uint32_t factor = netvsc_get_le32(&c.pkt_alignment_factor);
        if (status != NETVSC_RNDIS_STATUS_SUCCESS || factor > 12) {
            fail(v);
            return true;
        }
        v->max_pkt = netvsc_get_le32(&c.max_pkt_per_msg);
        if (v->max_pkt == 0) {
            v->max_pkt = 1;
        }
        v->pkt_align = 1u << factor;
        uint8_t info[sizeof(struct netvsc_ndis_offload_params)];
        uint32_t ilen = offload_params(v, info);
        v->state = NETVSC_VSC_RNDIS_OFFLOAD;
        if (send_rndis_set(v, NETVSC_OID_TCP_OFFLOAD_PARAMETERS, info, ilen)) {
            fail(v);
        }
    } else if (type == NETVSC_RNDIS_MSG_SET_C
               && v->state == NETVSC_VSC_RNDIS_OFFLOAD) {
        uint8_t filter[4];
        if (status != NETVSC_RNDIS_STATUS_SUCCESS) {
            fail(v);
            return true;
        }
        netvsc_put_le32(filter, NETVSC_NDIS_PACKET_TYPE_DIRECTED
                                | NETVSC_NDIS_PACKET_TYPE_ALL_MULTICAST
                                | NETVSC_NDIS_PACKET_TYPE_BROADCAST);
        v->state = NETVSC_VSC_RNDIS_FILTER;
        if (send_rndis_set(v, NETVSC_OID_GEN_CURRENT_PACKET_FILTER, filter,
                           sizeof filter)) {
            fail(v);
        }
    } else if (type == NETVSC_RNDIS_MSG_SET_C
               && v->state == NETVSC_VSC_RNDIS_FILTER) {
        if (status != NETVSC_RNDIS_STATUS_SUCCESS) {
            fail(v);
        } else {
            v->state = NETVSC_VSC_READY;
        }
    } else {
        v->st.unexpected++;
    }
    return true;
}

/* --- The send path ---------------------------------------------------------- */

/* How a frame goes (netvsc_send). */
enum send_mode {
    MODE_COPY_BATCH,                /* append to the open batch */
    MODE_PARTIAL,                   /* header into the batch, frame by pages */
    MODE_COPY_NEW,                  /* copy into a new section */
    MODE_PAGES,                     /* header and frame by pages */
};

int
netvsc_vsc_send(struct netvsc_vsc *v, const struct vsw_pkt *pkt, bool more)
{
    struct batch *b = &v->batch;
    uint8_t hdr[NETVSC_RNDIS_DATA_HDR_MAX];
    uint32_t len = (uint32_t) vsw_pkt_len(pkt);
    uint32_t hdr_len, msg, sec = NONE, slot = NONE;
    uint32_t S = v->send_section_size, A = v->pkt_align;
    enum send_mode mode;
    bool try_batch, xmit_more;
    int rc;

    if (v->state != NETVSC_VSC_READY) {
        return ENOTCONN;
    }
    if (vsw_pkt_len(pkt) < NETVSC_ETH_HLEN) {
        v->st.tx_invalid++;
        return EINVAL;
    }
    if (vsw_pkt_len(pkt) > NETVSC_MAX_FRAME) {
        v->st.tx_invalid++;
        return EMSGSIZE;
    }
    if (v->stopped) {
        v->st.tx_refused++;
        return EAGAIN;
    }

    hdr_len = netvsc_rndis_data_header(hdr, pkt, NETVSC_DIR_TO_HOST, 0);
    msg = hdr_len + len;

    /* 1. Choose (the four cases of the "batching/bouncing logic"). */
    try_batch = b->open && b->count < v->max_pkt;
    if (try_batch && b->used + msg + A < S) {
        mode = MODE_COPY_BATCH;
    } else if (try_batch && b->used + hdr_len < S) {
        mode = MODE_PARTIAL;
    } else if (msg + A < S) {
        mode = MODE_COPY_NEW;
    } else {
        mode = MODE_PAGES;
    }

    /* 2. Take what the frame needs; a refusal changes nothing but the
     *    open batch, which it sends (refuse_no_buffer). */
    if (mode == MODE_COPY_NEW) {
        sec = section_take(v);
        if (sec == NONE) {
            v->st.tx_send_full++;
            if (v->cfg.no_section_refuses) {
                return refuse_no_buffer(v);
            }
            mode = MODE_PAGES;
        }
    }
    if (mode == MODE_PARTIAL || mode == MODE_PAGES) {
        slot = slot_take(v);
        if (slot == NONE) {
            return refuse_no_buffer(v);
        }
    }

    /* 3. A frame that does not join the open batch sends it first. */
    if ((mode == MODE_COPY_NEW || mode == MODE_PAGES) && b->open) {
        rc = send_batch(v);
        if (rc) {
            if (sec != NONE) {
                section_put(v, sec);
            }
            if (slot != NONE) {
                slot_put(v, slot);
            }
            return refuse_full(v);
        }
    }

    /* Keep aggregating only if more is coming, the frame went whole into
     * the section and the queue is not stopped. */
    xmit_more = more && mode != MODE_PARTIAL && !v->stopped;

    /* 4. Place and send. */
    if (mode == MODE_COPY_BATCH || mode == MODE_COPY_NEW) {
        struct batch saved = *b;
        uint32_t pad = 0;

        if (mode == MODE_COPY_NEW) {
            memset(b, 0, sizeof *b);
            b->open = true;
            b->section = sec;
        }
        if (xmit_more && msg % A) {
            pad = A - msg % A;
            netvsc_put_le32(hdr + 4, msg + pad);
        }
        uint64_t dst = section_gpa(v, b->section) + b->used;
        gmem_write(v->cfg.mem, dst, hdr, hdr_len);
        gmem_write(v->cfg.mem, dst + hdr_len, vsw_pkt_data_const(pkt), len);
        if (pad) {
            static const uint8_t zeros[8];
            gmem_write(v->cfg.mem, dst + msg, zeros, pad);
        }
        b->used += msg + pad;
        b->count++;
        b->bytes += len;
        b->copy_bytes += msg;
        if (xmit_more) {
            return 0;
        }
        rc = send_batch(v);
        if (rc) {
            if (mode == MODE_COPY_NEW) {
                section_put(v, sec);
            }
            *b = saved;
            return refuse_full(v);
        }
        return 0;
    }

    /* By pages: the frame is in a page slot, the header in the batch's
     * section (partial) or in front of the frame's slot. */
    struct netvsc_gpa r[2];
    uint32_t n_gpa = 0;
    uint64_t sgpa = slot_gpa(v, slot);

    gmem_write(v->cfg.mem, sgpa + NETVSC_SLOT_FRAME_OFS,
               vsw_pkt_data_const(pkt), len);
    if (mode == MODE_PARTIAL) {
        gmem_write(v->cfg.mem, section_gpa(v, b->section) + b->used, hdr,
                   hdr_len);
        gpa_range(&r[n_gpa++], sgpa + NETVSC_SLOT_FRAME_OFS, len);
        rc = send_rndis_pkt(v, NETVSC_RNDIS_CHANNEL_DATA, b->section,
                            b->used + hdr_len, r, n_gpa, slot, b->count + 1);
        if (rc) {
            slot_put(v, slot);
            return refuse_full(v);
        }
        v->st.tx_frames += b->count + 1;
        v->st.tx_bytes += b->bytes + len;
        v->st.tx_copied_frames += b->count;
        v->st.tx_copy_bytes += b->copy_bytes + hdr_len;
        v->st.tx_gpa_frames++;
        v->st.tx_partial++;
        v->st.tx_placed_bytes += len;
        memset(b, 0, sizeof *b);
        return 0;
    }

    gmem_write(v->cfg.mem, sgpa, hdr, hdr_len);
    gpa_range(&r[n_gpa++], sgpa, hdr_len);
    gpa_range(&r[n_gpa++], sgpa + NETVSC_SLOT_FRAME_OFS, len);
    rc = send_rndis_pkt(v, NETVSC_RNDIS_CHANNEL_DATA, NONE, 0, r, n_gpa, slot, 1);
    if (rc) {
        slot_put(v, slot);
        return refuse_full(v);
    }
    v->st.tx_frames++;
    v->st.tx_bytes += len;
    v->st.tx_gpa_frames++;
    v->st.tx_placed_bytes += len;
    return 0;
}

int
netvsc_vsc_flush_send(struct netvsc_vsc *v)
{
    if (send_batch(v)) {
        if (v->st.sends_outstanding > 0 && !v->stopped) {
            v->stopped = true;
            v->st.stops++;
        }
        return EAGAIN;
    }
    return 0;
}

/* --- Completions of our sends --------------------------------------------- */

static int
on_send_complete(struct netvsc_vsc *v, uint64_t tid)
{
    uint32_t i = (uint32_t) tid;
    struct send_rec *r;

    if ((tid & TID_CONTROL) || i >= v->n_recs || !v->recs[i].in_use
        || v->recs[i].tid != tid) {
        return EPROTO;
    }
    r = &v->recs[i];
    if (r->section != NONE) {
        section_put(v, r->section);
    }
    if (r->slot != NONE) {
        slot_put(v, r->slot);
    }
    if (!r->control) {
        v->st.tx_completions++;
    }
    rec_put(v, i);
    v->st.sends_outstanding--;

    if (v->stopped) {
        bool wake = true;
        if (v->cfg.chan->ring_space) {
            uint32_t free_bytes, ring_size;
            v->cfg.chan->ring_space(v->cfg.chan_ctx, &free_bytes, &ring_size);
            wake = netvsc_should_wake(free_bytes, ring_size,
                                      v->st.sends_outstanding);
        }
        if (wake) {
            v->stopped = false;
            v->st.wakes++;
            if (v->cfg.wake) {
                v->cfg.wake(v->cfg.wake_ctx);
            }
        }
    }
    return 0;
}

static int
on_completion(struct netvsc_vsc *v, const struct netvsc_vmpkt *p)
{
    uint32_t type;
    const uint8_t *body = p->payload + sizeof(struct netvsc_nvsp_hdr);
    uint32_t blen;

    if (p->payload_len < sizeof(struct netvsc_nvsp_hdr)) {
        return EPROTO;
    }
    type = netvsc_get_le32(p->payload);
    blen = p->payload_len - (uint32_t) sizeof(struct netvsc_nvsp_hdr);
    switch (type) {
    case NETVSC_NVSP_MSG_INIT_COMPLETE:
        return on_init_complete(v, body, blen);
    case NETVSC_NVSP_MSG1_SEND_RECV_BUF_COMPLETE:
        return on_recv_buf_complete(v, body, blen);
    case NETVSC_NVSP_MSG1_SEND_SEND_BUF_COMPLETE:
        return on_send_buf_complete(v, body, blen);
    case NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE:
        if (blen < sizeof(struct netvsc_nvsp1_send_rndis_pkt_complete)) {
            return EPROTO;
        }
        return on_send_complete(v, p->trans_id);
    default:
        return EPROTO;
    }
}

/* --- The receive path ------------------------------------------------------- */

int
netvsc_vsc_flush_completions(struct netvsc_vsc *v)
{
    bool sent = false;

    while (v->comp_first != v->comp_next) {
        const struct rx_comp *c = &v->comp[v->comp_first];
        uint8_t msg[NETVSC_NVSP_RNDIS_COMPLETE_SIZE];
        struct netvsc_vmpkt p = {
            .type = NETVSC_VMPKT_COMP,
            .trans_id = c->tid,
            .payload = msg,
            .payload_len = sizeof msg,
        };

        netvsc_put_le32(msg, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE);
        netvsc_put_le32(msg + 4, c->status);
        if (chan_send(v, &p)) {
            v->st.rx_comp_busy++;
            if (sent) {
                v->st.rx_comp_flushes++;
            }
            return EAGAIN;
        }
        sent = true;
        v->st.rx_comp_sent++;
        v->st.comp_pending--;
        if (++v->comp_first == v->comp_cap) {
            v->comp_first = 0;
        }
    }
    if (sent) {
        v->st.rx_comp_flushes++;
    }
    return 0;
}

/* enq_receive_complete: flush first when more than the threshold are
 * queued; a full ring loses the completion (counted). */
static void
queue_completion(struct netvsc_vsc *v, uint64_t tid, uint32_t status)
{
    if (v->st.comp_pending > v->cfg.comp_threshold) {
        netvsc_vsc_flush_completions(v);
    }
    if (v->st.comp_pending + 1 >= v->comp_cap) {
        v->st.rx_comp_dropped++;
        return;
    }
    v->comp[v->comp_next].tid = tid;
    v->comp[v->comp_next].status = status;
    if (++v->comp_next == v->comp_cap) {
        v->comp_next = 0;
    }
    v->st.comp_pending++;
}

/* One range: an RNDIS message at 'm' of 'len' bytes in the receive
 * buffer.  Returns false if it failed (the completion reports FAIL). */
static bool
receive_message(struct netvsc_vsc *v, const uint8_t *m, uint32_t len)
{
    struct netvsc_rndis_data d;
    uint32_t type;

    if (len < sizeof(struct netvsc_rndis_hdr)) {
        v->st.rx_malformed++;
        return false;
    }
    type = netvsc_get_le32(m);
    v->st.rndis_received++;
    if (type != NETVSC_RNDIS_MSG_PACKET) {
        if (type == NETVSC_RNDIS_MSG_INDICATE) {
            return true;
        }
        if (!on_rndis_control(v, m, len)) {
            v->st.rx_malformed++;
            return false;
        }
        return true;
    }
    if (v->state != NETVSC_VSC_READY) {
        v->st.unexpected++;
        return true;
    }
    if (netvsc_rndis_parse_data(m, len, NETVSC_DIR_TO_GUEST, &d)
        != NETVSC_RNDIS_OK) {
        v->st.rx_malformed++;
        return false;
    }
    struct vsw_pkt *pkt = vsw_pkt_from_bytes(m + d.data_ofs, d.data_len);
    if (!pkt) {
        v->st.rx_no_memory++;
        return true;
    }
    pkt->oob = d.oob;
    v->st.rx_frames++;
    v->st.rx_bytes += d.data_len;
    v->st.rx_copy_bytes += d.data_len;
    v->cfg.deliver(v->cfg.deliver_ctx, pkt);
    return true;
}

/* netvsc_receive: a transfer-page packet. */
static int
on_xfer_pages(struct netvsc_vsc *v, const struct netvsc_vmpkt *p)
{
    uint32_t status = NETVSC_NVSP_STAT_SUCCESS;

    if (!v->comp || p->payload_len < sizeof(struct netvsc_nvsp_hdr)
        || netvsc_get_le32(p->payload) != NETVSC_NVSP_MSG1_SEND_RNDIS_PKT
        || p->xfer_pageset_id != NETVSC_RECV_BUFFER_ID
        || (p->n_ranges && !p->ranges)) {
        v->st.rx_bad_packets++;
        return EPROTO;
    }
    v->st.nvsp_received++;
    for (uint32_t i = 0; i < p->n_ranges; i++) {
        uint32_t ofs = p->ranges[i].byte_offset;
        uint32_t cnt = p->ranges[i].byte_count;

        if (ofs > v->recv_size || cnt > v->recv_size - ofs || cnt == 0) {
            v->st.rx_malformed++;
            status = NETVSC_NVSP_STAT_FAIL;
            continue;
        }
        const uint8_t *m = gmem_ptr(v->cfg.mem, v->recv_gpa + ofs, cnt);
        if (!receive_message(v, m, cnt)) {
            status = NETVSC_NVSP_STAT_FAIL;
        }
    }
    v->st.rx_xfer_pkts++;
    queue_completion(v, p->trans_id, status);
    return 0;
}

int
netvsc_vsc_on_packet(struct netvsc_vsc *v, const struct netvsc_vmpkt *p)
{
    int rc;

    if (p->payload_len && !p->payload) {
        v->st.unexpected++;
        return EPROTO;
    }
    switch (p->type) {
    case NETVSC_VMPKT_COMP:
        rc = on_completion(v, p);
        if (rc == 0) {
            v->st.nvsp_received++;
        }
        break;
    case NETVSC_VMPKT_DATA_XFER_PAGES:
        return on_xfer_pages(v, p);
    default:
        /* In-band host messages (indirection table, VF) are out of scope. */
        rc = EPROTO;
        break;
    }
    if (rc) {
        v->st.unexpected++;
    }
    return rc;
}

/* --- Creation and queries --------------------------------------------------- */

int
netvsc_vsc_create(const struct netvsc_vsc_config *cfg, struct netvsc_vsc **out)
{
    struct netvsc_vsc *v;
    struct netvsc_vsc_config c = *cfg;

    *out = NULL;
    if (!c.mem || !c.chan || !c.chan->send || !c.deliver) {
        return EINVAL;
    }
    c.max_nvsp_version = c.max_nvsp_version ? c.max_nvsp_version : NETVSC_NVSP_V61;
    c.mtu = c.mtu ? c.mtu : 1500;
    c.recv_buf_size = c.recv_buf_size ? c.recv_buf_size : NETVSC_RECV_BUF_DEFAULT;
    c.send_buf_size = c.send_buf_size ? c.send_buf_size : NETVSC_SEND_BUF_DEFAULT;
    c.recv_gpadl = c.recv_gpadl ? c.recv_gpadl : 1;
    c.send_gpadl = c.send_gpadl ? c.send_gpadl : 2;
    c.page_slots = c.page_slots ? c.page_slots : 64;
    c.comp_threshold = c.comp_threshold ? c.comp_threshold
                                        : NETVSC_NAPI_POLL_WEIGHT;
    if (c.max_nvsp_version < NETVSC_NVSP_V1 || c.mtu < 68 || c.mtu > 65521
        || c.recv_buf_size < (64u << 10) || c.recv_buf_size > NETVSC_RECV_BUF_MAX
        || c.send_buf_size < (64u << 10) || c.send_buf_size > NETVSC_SEND_BUF_MAX
        || c.page_slots > 4096 || c.comp_threshold > (1u << 20)) {
        return EINVAL;
    }

    v = calloc(1, sizeof *v);
    if (!v) {
        return ENOMEM;
    }
    v->cfg = c;
    v->state = NETVSC_VSC_IDLE;
    v->recv_size = c.recv_buf_size;
    v->send_size = c.send_buf_size;
    v->max_pkt = NETVSC_RNDIS_MAX_PKT_DEFAULT;
    v->pkt_align = NETVSC_RNDIS_PKT_ALIGN_DEFAULT;
    v->free_rec = NONE;
    v->slot_map = calloc(words_for(c.page_slots), sizeof(uint64_t));
    if (!v->slot_map) {
        free(v);
        return ENOMEM;
    }
    /* Guest memory: receive buffer, send buffer, page slots, in order. */
    v->recv_gpa = gmem_alloc(c.mem, c.recv_buf_size);
    v->send_gpa = v->recv_gpa ? gmem_alloc(c.mem, c.send_buf_size) : 0;
    v->slots_gpa = v->send_gpa ? gmem_alloc(c.mem, c.page_slots * SLOT_BYTES) : 0;
    if (!v->slots_gpa) {
        free(v->slot_map);
        free(v);
        return ENOMEM;
    }
    *out = v;
    return 0;
}

void
netvsc_vsc_destroy(struct netvsc_vsc *v)
{
    if (v) {
        free(v->send_map);
        free(v->slot_map);
        free(v->recs);
        free(v->comp);
        free(v);
    }
}

enum netvsc_vsc_state
netvsc_vsc_state(const struct netvsc_vsc *v)
{
    return v->state;
}

bool
netvsc_vsc_stopped(const struct netvsc_vsc *v)
{
    return v->stopped;
}

void
netvsc_vsc_get_info(const struct netvsc_vsc *v, struct netvsc_vsc_info *info)
{
    memset(info, 0, sizeof *info);
    info->state = v->state;
    info->nvsp_version = v->nvsp_version;
    info->ndis_version = v->ndis_version;
    info->send_section_size = v->send_section_size;
    info->send_section_count = v->send_section_cnt;
    info->recv_section_size = v->recv_section_size;
    info->recv_section_count = v->recv_section_cnt;
    info->max_pkt = v->max_pkt;
    info->pkt_align = v->pkt_align;
    info->recv_buf_gpa = v->recv_gpa;
    info->send_buf_gpa = v->send_gpa;
    info->slots_gpa = v->slots_gpa;
    info->recv_buf_size = v->recv_size;
    info->send_buf_size = v->send_size;
    info->recv_gpadl = v->cfg.recv_gpadl;
    info->send_gpadl = v->cfg.send_gpadl;
    info->stopped = v->stopped;
    info->batch_frames = v->batch.count;
}

const struct netvsc_vsc_stats *
netvsc_vsc_stats(const struct netvsc_vsc *v)
{
    return &v->st;
}

const char *
netvsc_vsc_state_name(enum netvsc_vsc_state s)
{
    static const char *const names[] = {
        "idle", "init", "recv-buf", "send-buf", "rndis-init",
        "rndis-offload", "rndis-filter", "ready", "failed",
    };
    return (unsigned) s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}
