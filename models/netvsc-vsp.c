/*
 * netvsc-vsp.c -- the root's end of the synthetic NIC (netvsc.h): answers
 * the guest's NVSP negotiation and RNDIS requests, takes frames out of the
 * guest's send sections and page lists, copies frames into the guest's
 * receive sections and indicates them in batched transfer-page packets,
 * and recycles receive sections on the guest's completions.  FACTS.md
 * 3.2 and 3.4.
 *
 * The file reads: receive-section bookkeeping; sending; the guest-to-host
 * direction (negotiation, SEND_RNDIS_PKT, RNDIS control); the host-to-guest
 * direction (receive, flush, completions); creation.
 */
#include "config.h"

#include "models/netvsc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/netvsc-wire.h"
#include "sim/log.h"

#define NONE UINT32_MAX

/* What the VSP answers in RNDIS INITIALIZE_COMPLETE as max_xfer_size.  The
 * Linux guest does not read it; the value is this model's, not a measured
 * Hyper-V value. */
#define VSP_MAX_XFER_SIZE 0x10000u

/* One outstanding type-7 packet: the chain of section runs it holds. */
struct xfer_rec {
    uint64_t tid;
    uint32_t head;                  /* first section of the first run */
    uint32_t next_free;
    bool in_use;
};

/* A message the channel refused, kept for the next flush. */
struct pend_msg {
    uint64_t tid;
    uint32_t len;
    uint8_t msg[sizeof(struct netvsc_nvsp_msg)];
};

struct netvsc_vsp {
    struct netvsc_vsp_config cfg;

    /* What the guest negotiated. */
    bool inited;
    uint32_t nvsp_version, ndis_version, mtu;
    uint64_t caps;
    bool have_recv, have_send;
    uint64_t recv_gpa, send_gpa;
    uint32_t recv_size, send_size;
    uint32_t recv_section_cnt, send_section_cnt;
    uint16_t recv_id;               /* the guest's xfer_pageset_id */
    bool rndis_inited;
    uint32_t filter;
    bool csum_v4, csum_v6, lso_v4, lso_v6;
    uint32_t offload_len;

    /* Receive sections. */
    uint64_t *recv_map;             /* bit set = section in use */
    uint32_t *sec_next;             /* run chain, at a run's first section */
    uint32_t *sec_run;              /* run length, at a run's first section */
    uint32_t free_hint;             /* no free section below it */

    /* The batch being accumulated. */
    struct netvsc_range *acc;
    uint32_t n_acc;
    uint32_t acc_head, acc_tail;    /* first sections of first/last run */
    bool acc_data;                  /* a frame (not only control) in it */

    /* Outstanding type-7 packets. */
    struct xfer_rec *xfers;
    uint32_t free_xfer;
    uint32_t xfer_gen;

    /* Refused completions. */
    struct pend_msg *pend;
    uint32_t n_pend, cap_pend;

    uint8_t *scratch;               /* message bytes read from the guest */
    size_t scratch_cap;

    struct netvsc_vsp_stats st;
};

/* --- Receive sections --------------------------------------------------------- */

static bool
sec_busy(const struct netvsc_vsp *s, uint32_t i)
{
    return (s->recv_map[i / 64] >> (i % 64)) & 1u;
}

static void
sec_set(struct netvsc_vsp *s, uint32_t i, bool busy)
{
    if (busy) {
        s->recv_map[i / 64] |= UINT64_C(1) << (i % 64);
    } else {
        s->recv_map[i / 64] &= ~(UINT64_C(1) << (i % 64));
    }
}

/* The first free section at or after 'pos', or the section count. */
static uint32_t
next_free(const struct netvsc_vsp *s, uint32_t pos)
{
    uint32_t n = s->recv_section_cnt;

    while (pos < n) {
        uint32_t w = pos / 64;
        uint64_t f = ~s->recv_map[w] & (~UINT64_C(0) << (pos % 64));

        if (f) {
            uint32_t i = w * 64;
            while (!(f & 1u)) {     /* f != 0: at most 63 shifts */
                f >>= 1;
                i++;
            }
            return i < n ? i : n;
        }
        pos = (w + 1) * 64;
    }
    return n;
}

/* Finds 'k' consecutive free sections, the lowest such run (first fit),
 * marks them and returns the first; NONE if there is no such run.
 *
 * WHY FIRST FIT.  Which sections the host picks is not published (FACTS.md
 * section 3.4 gives only their size); the guest copies each frame out and
 * completes the transfer, so it does not care.  Lowest first keeps the
 * sections in use few and low, as a free list reusing the section just
 * completed would -- and keeps the simulator's working set in its cache.
 * 'free_hint' is a lower bound on the lowest free section, so a busy
 * prefix is not rescanned. */
static uint32_t
sections_take(struct netvsc_vsp *s, uint32_t k)
{
    uint32_t n = s->recv_section_cnt;
    uint32_t first = next_free(s, s->free_hint), i = first;

    s->free_hint = first;
    while (i < n && k <= n - i) {
        uint32_t j = 1;

        while (j < k && !sec_busy(s, i + j)) {
            j++;
        }
        if (j == k) {
            for (j = 0; j < k; j++) {
                sec_set(s, i + j, true);
            }
            if (i == first) {
                s->free_hint = i + k;
            }
            s->st.sections_in_use += k;
            s->sec_run[i] = k;
            s->sec_next[i] = NONE;
            return i;
        }
        i = next_free(s, i + j + 1);
    }
    return NONE;
}

/* Frees every run of the chain starting at 'head'. */
static void
sections_free_chain(struct netvsc_vsp *s, uint32_t head)
{
    while (head != NONE) {
        uint32_t next = s->sec_next[head];
        for (uint32_t j = 0; j < s->sec_run[head]; j++) {
            SIM_ASSERT(sec_busy(s, head + j));
            sec_set(s, head + j, false);
        }
        if (head < s->free_hint) {
            s->free_hint = head;
        }
        s->st.sections_in_use -= s->sec_run[head];
        head = next;
    }
}

/* --- Sending ------------------------------------------------------------------ */

static int
chan_send(struct netvsc_vsp *s, const struct netvsc_vmpkt *p)
{
    int rc = s->cfg.chan->send(s->cfg.chan_ctx, p);
    if (rc == 0) {
        s->st.nvsp_sent++;
    }
    return rc;
}

/* Sends completion 'msg' ('len' bytes) for 'tid', or keeps it for the next
 * flush when the channel refuses (or older ones still wait). */
static void
send_completion(struct netvsc_vsp *s, uint64_t tid, const uint8_t *msg,
                uint32_t len)
{
    struct netvsc_vmpkt p = {
        .type = NETVSC_VMPKT_COMP,
        .trans_id = tid,
        .payload = msg,
        .payload_len = len,
    };

    SIM_ASSERT(len <= sizeof(struct netvsc_nvsp_msg));
    if (s->n_pend == 0 && chan_send(s, &p) == 0) {
        return;
    }
    if (s->n_pend == s->cap_pend) {
        uint32_t cap = s->cap_pend ? 2 * s->cap_pend : 16;
        struct pend_msg *np = realloc(s->pend, cap * sizeof *np);
        if (!np) {
            s->st.unexpected++;         /* lost: out of host memory */
            return;
        }
        s->pend = np;
        s->cap_pend = cap;
    }
    s->pend[s->n_pend].tid = tid;
    s->pend[s->n_pend].len = len;
    memcpy(s->pend[s->n_pend].msg, msg, len);
    s->n_pend++;
}

/* Answers an NVSP request with completion 'type' and 'body'. */
static void
reply(struct netvsc_vsp *s, uint64_t tid, uint32_t type, const void *body,
      size_t body_len)
{
    uint8_t msg[sizeof(struct netvsc_nvsp_msg)];

    netvsc_nvsp_encode(msg, type, body, body_len);
    send_completion(s, tid, msg, sizeof msg);
}

static int
send_pending(struct netvsc_vsp *s)
{
    uint32_t i = 0;

    for (; i < s->n_pend; i++) {
        struct netvsc_vmpkt p = {
            .type = NETVSC_VMPKT_COMP,
            .trans_id = s->pend[i].tid,
            .payload = s->pend[i].msg,
            .payload_len = s->pend[i].len,
        };
        if (chan_send(s, &p)) {
            break;
        }
        if (netvsc_get_le32(s->pend[i].msg)
            == NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE) {
            s->st.tx_comp_sent++;
        }
    }
    if (i) {
        memmove(s->pend, s->pend + i, (s->n_pend - i) * sizeof *s->pend);
        s->n_pend -= i;
    }
    return s->n_pend ? EAGAIN : 0;
}

/* --- Host to guest: receive sections, flush ------------------------------- */

/* Copies a message -- 'hdr' then 'data' -- into free sections and adds its
 * range to the batch.  Returns 0, EMSGSIZE or ENOBUFS (counted). */
static int
place(struct netvsc_vsp *s, const uint8_t *hdr, uint32_t hdr_len,
      const uint8_t *data, uint32_t data_len, bool is_data)
{
    uint32_t msg = hdr_len + data_len;
    uint32_t S = s->cfg.recv_section_size;
    uint32_t k = (msg + S - 1) / S;
    uint32_t first;

    if (k > s->recv_section_cnt) {
        s->st.rx_dropped_too_big++;
        return EMSGSIZE;
    }
    if (s->n_acc == s->cfg.max_ranges) {
        netvsc_vsp_flush(s);
        if (s->n_acc == s->cfg.max_ranges) {
            s->st.rx_dropped_ranges_full++;
            return ENOBUFS;
        }
    }
    first = sections_take(s, k);
    if (first == NONE) {
        s->st.rx_dropped_no_section++;
        return ENOBUFS;
    }

    uint64_t gpa = s->recv_gpa + (uint64_t) first * S;
    gmem_write(s->cfg.mem, gpa, hdr, hdr_len);
    if (data_len) {
        gmem_write(s->cfg.mem, gpa + hdr_len, data, data_len);
    }
    s->st.rx_copy_bytes += msg;

    s->acc[s->n_acc].byte_count = msg;
    s->acc[s->n_acc].byte_offset = first * S;
    s->n_acc++;
    if (s->acc_tail == NONE) {
        s->acc_head = first;
    } else {
        s->sec_next[s->acc_tail] = first;
    }
    s->acc_tail = first;
    s->acc_data |= is_data;
    s->st.ranges_pending = s->n_acc;

    if (s->n_acc == s->cfg.max_ranges) {
        netvsc_vsp_flush(s);
    }
    return 0;
}

int
netvsc_vsp_flush(struct netvsc_vsp *s)
{
    struct netvsc_nvsp1_send_rndis_pkt body;
    uint8_t msg[sizeof(struct netvsc_nvsp_msg)];
    uint32_t x;

    if (send_pending(s)) {
        s->st.rx_flush_busy++;
        return EAGAIN;
    }
    if (s->n_acc == 0) {
        return 0;
    }
    x = s->free_xfer;
    SIM_ASSERT(x != NONE);          /* one record per section */
    s->xfer_gen = (s->xfer_gen + 1) & 0x7FFFFFFFu;
    if (s->xfer_gen == 0) {
        s->xfer_gen = 1;
    }

    netvsc_put_le32(&body.channel_type, s->acc_data ? NETVSC_RNDIS_CHANNEL_DATA
                                                    : NETVSC_RNDIS_CHANNEL_CONTROL);
    netvsc_put_le32(&body.send_buf_section_index, NETVSC_NO_SECTION);
    netvsc_put_le32(&body.send_buf_section_size, 0);
    netvsc_nvsp_encode(msg, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT, &body, sizeof body);

    struct netvsc_vmpkt p = {
        .type = NETVSC_VMPKT_DATA_XFER_PAGES,
        .flags = NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED,
        .trans_id = (uint64_t) s->xfer_gen << 32 | x,
        .payload = msg,
        .payload_len = sizeof msg,
        .xfer_pageset_id = s->recv_id,
        .ranges = s->acc,
        .n_ranges = s->n_acc,
    };
    if (chan_send(s, &p)) {
        s->st.rx_flush_busy++;
        return EAGAIN;
    }
    s->free_xfer = s->xfers[x].next_free;
    s->xfers[x].in_use = true;
    s->xfers[x].tid = p.trans_id;
    s->xfers[x].head = s->acc_head;
    s->st.xfers_outstanding++;
    s->st.rx_xfer_pkts++;
    s->st.rx_ranges += s->n_acc;
    s->st.rndis_sent += s->n_acc;
    s->n_acc = 0;
    s->acc_head = s->acc_tail = NONE;
    s->acc_data = false;
    s->st.ranges_pending = 0;
    return 0;
}

int
netvsc_vsp_receive(struct netvsc_vsp *s, const struct vsw_pkt *pkt)
{
    uint8_t hdr[NETVSC_RNDIS_DATA_HDR_MAX];
    uint32_t hdr_len;
    int rc;

    if (!netvsc_vsp_ready(s)) {
        s->st.rx_dropped_not_ready++;
        return ENOTCONN;
    }
    if (vsw_pkt_len(pkt) == 0 || vsw_pkt_len(pkt) > NETVSC_MAX_FRAME) {
        s->st.rx_dropped_too_big++;
        return EMSGSIZE;
    }
    hdr_len = netvsc_rndis_data_header(hdr, pkt, NETVSC_DIR_TO_GUEST, 0);
    rc = place(s, hdr, hdr_len, vsw_pkt_data_const(pkt),
               (uint32_t) vsw_pkt_len(pkt), true);
    if (rc == 0) {
        s->st.rx_frames++;
        s->st.rx_bytes += vsw_pkt_len(pkt);
    }
    return rc;
}

/* The guest completed a type-7 packet: its sections return to the pool. */
static int
on_xfer_complete(struct netvsc_vsp *s, uint64_t tid)
{
    uint32_t x = (uint32_t) tid;

    if (!s->xfers || x >= s->recv_section_cnt || !s->xfers[x].in_use
        || s->xfers[x].tid != tid) {
        return EPROTO;
    }
    sections_free_chain(s, s->xfers[x].head);
    s->xfers[x].in_use = false;
    s->xfers[x].next_free = s->free_xfer;
    s->free_xfer = x;
    s->st.xfers_outstanding--;
    s->st.rx_completions++;
    return 0;
}

/* --- Guest to host: RNDIS control ---------------------------------------- */

/* Sends RNDIS message 'm' ('len' bytes) toward the guest at once. */
static void
respond_rndis(struct netvsc_vsp *s, const uint8_t *m, uint32_t len)
{
    if (place(s, m, len, NULL, 0, false) == 0) {
        netvsc_vsp_flush(s);
    }
}

static void
respond_status(struct netvsc_vsp *s, uint32_t type, uint32_t req_id,
               uint32_t status)
{
    uint8_t m[sizeof(struct netvsc_rndis_hdr)
              + sizeof(struct netvsc_rndis_query_complete)];
    uint32_t len = type == NETVSC_RNDIS_MSG_QUERY_C
                   ? (uint32_t) sizeof m
                   : (uint32_t) (sizeof(struct netvsc_rndis_hdr) + 8);

    memset(m, 0, sizeof m);
    netvsc_put_le32(m, type);
    netvsc_put_le32(m + 4, len);
    netvsc_put_le32(m + 8, req_id);
    netvsc_put_le32(m + 12, status);
    respond_rndis(s, m, len);
}

static void
on_rndis_init(struct netvsc_vsp *s, uint32_t req_id)
{
    uint8_t m[sizeof(struct netvsc_rndis_hdr)
              + sizeof(struct netvsc_rndis_init_complete)];
    struct netvsc_rndis_hdr h;
    struct netvsc_rndis_init_complete c;

    netvsc_put_le32(&h.msg_type, NETVSC_RNDIS_MSG_INIT_C);
    netvsc_put_le32(&h.msg_len, (uint32_t) sizeof m);
    memset(&c, 0, sizeof c);
    netvsc_put_le32(&c.req_id, req_id);
    netvsc_put_le32(&c.status, NETVSC_RNDIS_STATUS_SUCCESS);
    netvsc_put_le32(&c.major_ver, NETVSC_RNDIS_MAJOR_VERSION);
    netvsc_put_le32(&c.minor_ver, NETVSC_RNDIS_MINOR_VERSION);
    netvsc_put_le32(&c.dev_flags, NETVSC_RNDIS_DF_CONNECTIONLESS);
    netvsc_put_le32(&c.medium, NETVSC_RNDIS_MEDIUM_802_3);
    netvsc_put_le32(&c.max_pkt_per_msg, s->cfg.max_pkt_per_msg);
    netvsc_put_le32(&c.max_xfer_size, VSP_MAX_XFER_SIZE);
    netvsc_put_le32(&c.pkt_alignment_factor, s->cfg.pkt_alignment_factor);
    memcpy(m, &h, sizeof h);
    memcpy(m + sizeof h, &c, sizeof c);
    s->rndis_inited = true;
    respond_rndis(s, m, sizeof m);
}

/* An RNDIS SET: the offload parameters and the packet filter are taken;
 * other OIDs are not supported. */
static void
on_rndis_set(struct netvsc_vsp *s, const uint8_t *m, uint32_t msg_len)
{
    struct netvsc_rndis_set_req r;
    uint32_t body = msg_len - (uint32_t) sizeof(struct netvsc_rndis_hdr);
    uint32_t oid, ilen, iofs, status = NETVSC_RNDIS_STATUS_NOT_SUPPORTED;

    if (body < sizeof r) {
        s->st.unexpected++;
        return;
    }
    memcpy(&r, m + sizeof(struct netvsc_rndis_hdr), sizeof r);
    oid = netvsc_get_le32(&r.oid);
    ilen = netvsc_get_le32(&r.info_buflen);
    iofs = netvsc_get_le32(&r.info_buf_offset);
    if (iofs > body || ilen > body - iofs) {
        status = NETVSC_RNDIS_STATUS_INVALID_DATA;
    } else {
        const uint8_t *info = m + sizeof(struct netvsc_rndis_hdr) + iofs;
        if (oid == NETVSC_OID_TCP_OFFLOAD_PARAMETERS) {
            struct netvsc_ndis_offload_params p;
            if (ilen < NETVSC_VERSION_4_OFFLOAD_SIZE
                || info[0] != NETVSC_NDIS_OBJECT_TYPE_DEFAULT) {
                status = NETVSC_RNDIS_STATUS_INVALID_DATA;
            } else {
                memset(&p, 0, sizeof p);
                memcpy(&p, info, ilen < sizeof p ? ilen : sizeof p);
                s->csum_v4 = p.tcp_ip_v4_csum == NETVSC_NDIS_OFFLOAD_TX_RX_ENABLED
                    || p.tcp_ip_v4_csum == NETVSC_NDIS_OFFLOAD_TX_ENABLED_RX_DISABLED;
                s->csum_v6 = p.tcp_ip_v6_csum == NETVSC_NDIS_OFFLOAD_TX_RX_ENABLED
                    || p.tcp_ip_v6_csum == NETVSC_NDIS_OFFLOAD_TX_ENABLED_RX_DISABLED;
                s->lso_v4 = p.lso_v2_ipv4 == NETVSC_NDIS_OFFLOAD_LSOV2_ENABLED;
                s->lso_v6 = p.lso_v2_ipv6 == NETVSC_NDIS_OFFLOAD_LSOV2_ENABLED;
                s->offload_len = ilen;
                status = NETVSC_RNDIS_STATUS_SUCCESS;
            }
        } else if (oid == NETVSC_OID_GEN_CURRENT_PACKET_FILTER) {
            if (ilen < 4) {
                status = NETVSC_RNDIS_STATUS_INVALID_DATA;
            } else {
                s->filter = netvsc_get_le32(info);
                status = NETVSC_RNDIS_STATUS_SUCCESS;
            }
        }
    }
    respond_status(s, NETVSC_RNDIS_MSG_SET_C, netvsc_get_le32(&r.req_id), status);
}

/* One RNDIS control message from the guest.  False if malformed. */
static bool
on_rndis_control(struct netvsc_vsp *s, const uint8_t *m, uint32_t len)
{
    uint32_t type, msg_len, req_id;

    if (len < sizeof(struct netvsc_rndis_hdr) + 4) {
        return false;
    }
    type = netvsc_get_le32(m);
    msg_len = netvsc_get_le32(m + 4);
    if (msg_len > len || msg_len < sizeof(struct netvsc_rndis_hdr) + 4) {
        return false;
    }
    req_id = netvsc_get_le32(m + 8);
    s->st.rndis_received++;
    switch (type) {
    case NETVSC_RNDIS_MSG_INIT:
        if (msg_len < sizeof(struct netvsc_rndis_hdr)
                      + sizeof(struct netvsc_rndis_init_req)) {
            return false;
        }
        on_rndis_init(s, req_id);
        return true;
    case NETVSC_RNDIS_MSG_SET:
        on_rndis_set(s, m, msg_len);
        return true;
    case NETVSC_RNDIS_MSG_QUERY:
        respond_status(s, NETVSC_RNDIS_MSG_QUERY_C, req_id,
                       NETVSC_RNDIS_STATUS_NOT_SUPPORTED);
        return true;
    case NETVSC_RNDIS_MSG_KEEPALIVE:
        respond_status(s, NETVSC_RNDIS_MSG_KEEPALIVE_C, req_id,
                       NETVSC_RNDIS_STATUS_SUCCESS);
        return true;
    case NETVSC_RNDIS_MSG_HALT:
        s->rndis_inited = false;
        s->filter = 0;
        return true;
    default:
        s->st.unexpected++;
        return true;
    }
}

/* --- Guest to host: SEND_RNDIS_PKT ------------------------------------------ */

static bool
scratch_reserve(struct netvsc_vsp *s, size_t n)
{
    if (n <= s->scratch_cap) {
        return true;
    }
    uint8_t *p = realloc(s->scratch, n);
    if (!p) {
        return false;
    }
    s->scratch = p;
    s->scratch_cap = n;
    return true;
}

/* Reads the message bytes of a SEND_RNDIS_PKT -- the section part, then
 * each GPA range in order -- into the scratch buffer.  Returns the length,
 * or 0 if a reference is out of bounds (or nothing is referenced). */
static uint32_t
gather(struct netvsc_vsp *s, const struct netvsc_vmpkt *p, uint32_t sec,
       uint32_t sec_size, bool *no_memory)
{
    uint64_t mem_size = gmem_size(s->cfg.mem);
    uint64_t total = 0;

    *no_memory = false;
    if (sec != NETVSC_NO_SECTION) {
        if (!s->have_send || sec >= s->send_section_cnt
            || sec_size > s->cfg.send_section_size) {
            return 0;
        }
        total += sec_size;
    }
    if (p->type == NETVSC_VMPKT_DATA_GPA_DIRECT) {
        if (!p->gpa || p->n_gpa == 0 || p->n_gpa > NETVSC_MAX_PAGE_BUFFERS) {
            return 0;
        }
        for (uint32_t i = 0; i < p->n_gpa; i++) {
            const struct netvsc_gpa *r = &p->gpa[i];
            if (r->n_pfn == 0 || r->n_pfn > NETVSC_MAX_PAGE_BUFFERS
                || r->byte_offset >= GMEM_PAGE_SIZE || r->byte_count == 0
                || r->byte_count > (uint64_t) r->n_pfn * GMEM_PAGE_SIZE
                                   - r->byte_offset) {
                return 0;
            }
            for (uint32_t j = 0; j < r->n_pfn; j++) {
                if (r->pfn[j] >= mem_size / GMEM_PAGE_SIZE) {
                    return 0;
                }
            }
            total += r->byte_count;
        }
    }
    if (total == 0 || total > UINT32_MAX) {
        return 0;
    }
    if (!scratch_reserve(s, (size_t) total)) {
        *no_memory = true;
        return 0;
    }

    uint32_t at = 0;
    if (sec != NETVSC_NO_SECTION) {
        gmem_read(s->cfg.mem,
                  s->send_gpa + (uint64_t) sec * s->cfg.send_section_size,
                  s->scratch, sec_size);
        at = sec_size;
    }
    for (uint32_t i = 0; p->type == NETVSC_VMPKT_DATA_GPA_DIRECT && i < p->n_gpa;
         i++) {
        const struct netvsc_gpa *r = &p->gpa[i];
        uint32_t left = r->byte_count, ofs = r->byte_offset;
        for (uint32_t j = 0; left; j++) {
            uint32_t chunk = GMEM_PAGE_SIZE - ofs;
            if (chunk > left) {
                chunk = left;
            }
            gmem_read(s->cfg.mem, r->pfn[j] * GMEM_PAGE_SIZE + ofs,
                      s->scratch + at, chunk);
            at += chunk;
            left -= chunk;
            ofs = 0;
        }
    }
    s->st.tx_read_bytes += at;
    return at;
}

/* Parses the data messages of one SEND_RNDIS_PKT and delivers the frames.
 * Returns the NVSP status for the completion. */
static uint32_t
deliver_frames(struct netvsc_vsp *s, const uint8_t *buf, uint32_t len)
{
    uint32_t off = 0;

    while (off < len) {
        struct netvsc_rndis_data d;
        if (netvsc_rndis_parse_data(buf + off, len - off, NETVSC_DIR_TO_HOST, &d)
            != NETVSC_RNDIS_OK) {
            s->st.tx_malformed++;
            return NETVSC_NVSP_STAT_INVALID_RNDIS_PKT;
        }
        s->st.rndis_received++;
        struct vsw_pkt *pkt = vsw_pkt_from_bytes(buf + off + d.data_ofs,
                                                 d.data_len);
        if (!pkt) {
            s->st.tx_no_memory++;
        } else {
            pkt->oob = d.oob;
            s->st.tx_frames++;
            s->st.tx_bytes += d.data_len;
            s->cfg.deliver(s->cfg.deliver_ctx, pkt);
        }
        off += d.msg_len;
    }
    return NETVSC_NVSP_STAT_SUCCESS;
}

static int
on_send_rndis_pkt(struct netvsc_vsp *s, const struct netvsc_vmpkt *p,
                  const uint8_t *body, uint32_t blen)
{
    struct netvsc_nvsp1_send_rndis_pkt r;
    uint32_t status = NETVSC_NVSP_STAT_SUCCESS, len, ch;
    bool no_memory;
    int rc = 0;

    if (blen < sizeof r) {
        return EPROTO;
    }
    memcpy(&r, body, sizeof r);
    ch = netvsc_get_le32(&r.channel_type);
    len = gather(s, p, netvsc_get_le32(&r.send_buf_section_index),
                 netvsc_get_le32(&r.send_buf_section_size), &no_memory);
    if (len == 0) {
        if (no_memory) {
            s->st.tx_no_memory++;
        } else {
            s->st.tx_malformed++;
            rc = EPROTO;
        }
        status = NETVSC_NVSP_STAT_FAIL;
    } else if (ch == NETVSC_RNDIS_CHANNEL_CONTROL) {
        if (!on_rndis_control(s, s->scratch, len)) {
            s->st.tx_malformed++;
            status = NETVSC_NVSP_STAT_INVALID_RNDIS_PKT;
            rc = EPROTO;
        }
    } else if (!s->rndis_inited) {
        s->st.unexpected++;
        status = NETVSC_NVSP_STAT_FAIL;
        rc = EPROTO;
    } else {
        s->st.tx_msgs++;
        status = deliver_frames(s, s->scratch, len);
        if (status != NETVSC_NVSP_STAT_SUCCESS) {
            rc = EPROTO;
        }
    }

    if (p->flags & NETVSC_VMPKT_FLAG_COMPLETION_REQUESTED) {
        uint8_t msg[NETVSC_NVSP_RNDIS_COMPLETE_SIZE];
        netvsc_put_le32(msg, NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE);
        netvsc_put_le32(msg + 4, status);
        uint32_t before = s->n_pend;
        send_completion(s, p->trans_id, msg, sizeof msg);
        if (s->n_pend == before) {
            s->st.tx_comp_sent++;
        } else {
            s->st.tx_comp_busy++;       /* sent by a later flush */
        }
    }
    return rc;
}

/* --- Guest to host: negotiation ------------------------------------------ */

static bool
version_supported(const struct netvsc_vsp *s, uint32_t v)
{
    switch (v) {
    case NETVSC_NVSP_V1: case NETVSC_NVSP_V2: case NETVSC_NVSP_V4:
    case NETVSC_NVSP_V5: case NETVSC_NVSP_V6: case NETVSC_NVSP_V61:
        return v >= s->cfg.min_nvsp_version && v <= s->cfg.max_nvsp_version;
    default:
        return false;
    }
}

static void
on_init(struct netvsc_vsp *s, const struct netvsc_vmpkt *p, const uint8_t *body)
{
    static const uint32_t all[] = {
        NETVSC_NVSP_V61, NETVSC_NVSP_V6, NETVSC_NVSP_V5,
        NETVSC_NVSP_V4, NETVSC_NVSP_V2, NETVSC_NVSP_V1,
    };
    struct netvsc_nvsp_init in;
    struct netvsc_nvsp_init_complete c;
    uint32_t lo, hi, chosen = 0;

    memcpy(&in, body, sizeof in);
    lo = netvsc_get_le32(&in.min_protocol_ver);
    hi = netvsc_get_le32(&in.max_protocol_ver);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (all[i] >= lo && all[i] <= hi && version_supported(s, all[i])) {
            chosen = all[i];
            break;
        }
    }
    memset(&c, 0, sizeof c);
    netvsc_put_le32(&c.negotiated_protocol_ver, chosen);
    netvsc_put_le32(&c.status, chosen ? NETVSC_NVSP_STAT_SUCCESS
                                      : NETVSC_NVSP_STAT_FAIL);
    if (chosen) {
        s->inited = true;
        s->nvsp_version = chosen;
    }
    reply(s, p->trans_id, NETVSC_NVSP_MSG_INIT_COMPLETE, &c, sizeof c);
}

/* Looks GPADL 'id' up and checks it lies in guest memory. */
static bool
lookup_buffer(struct netvsc_vsp *s, uint32_t id, uint64_t *gpa, uint32_t *size)
{
    uint64_t g, n;

    if (s->cfg.gpadl(s->cfg.gpadl_ctx, id, &g, &n) != 0 || n == 0
        || n > UINT32_MAX || g > gmem_size(s->cfg.mem)
        || n > gmem_size(s->cfg.mem) - g) {
        return false;
    }
    *gpa = g;
    *size = (uint32_t) n;
    return true;
}

static void
on_recv_buf(struct netvsc_vsp *s, const struct netvsc_vmpkt *p,
            const uint8_t *body)
{
    struct netvsc_nvsp1_send_recv_buf in;
    struct netvsc_nvsp1_send_recv_buf_complete c;
    uint64_t gpa;
    uint32_t size, cnt, S = s->cfg.recv_section_size;

    memcpy(&in, body, sizeof in);
    memset(&c, 0, sizeof c);
    netvsc_put_le32(&c.status, NETVSC_NVSP_STAT_FAIL);
    if (s->inited && !s->have_recv
        && lookup_buffer(s, netvsc_get_le32(&in.gpadl_handle), &gpa, &size)
        && (cnt = size / S) > 0) {
        s->recv_map = calloc((cnt + 63) / 64, sizeof(uint64_t));
        s->free_hint = 0;
        s->sec_next = calloc(cnt, sizeof(uint32_t));
        s->sec_run = calloc(cnt, sizeof(uint32_t));
        s->xfers = calloc(cnt, sizeof *s->xfers);
        if (s->recv_map && s->sec_next && s->sec_run && s->xfers) {
            s->have_recv = true;
            s->recv_gpa = gpa;
            s->recv_size = size;
            s->recv_section_cnt = cnt;
            s->recv_id = netvsc_get_le16(&in.id);
            s->free_xfer = NONE;
            for (uint32_t i = cnt; i-- > 0;) {
                s->xfers[i].next_free = s->free_xfer;
                s->free_xfer = i;
            }
            netvsc_put_le32(&c.status, NETVSC_NVSP_STAT_SUCCESS);
            netvsc_put_le32(&c.num_sections, 1);
            netvsc_put_le32(&c.sections[0].offset, 0);
            netvsc_put_le32(&c.sections[0].sub_alloc_size, S);
            netvsc_put_le32(&c.sections[0].num_sub_allocs, cnt);
            netvsc_put_le32(&c.sections[0].end_offset, cnt * S);
        } else {
            free(s->recv_map);
            free(s->sec_next);
            free(s->sec_run);
            free(s->xfers);
            s->recv_map = NULL;
            s->sec_next = s->sec_run = NULL;
            s->xfers = NULL;
        }
    }
    reply(s, p->trans_id, NETVSC_NVSP_MSG1_SEND_RECV_BUF_COMPLETE, &c, sizeof c);
}

static void
on_send_buf(struct netvsc_vsp *s, const struct netvsc_vmpkt *p,
            const uint8_t *body)
{
    struct netvsc_nvsp1_send_send_buf in;
    struct netvsc_nvsp1_send_send_buf_complete c;
    uint64_t gpa;
    uint32_t size;

    memcpy(&in, body, sizeof in);
    memset(&c, 0, sizeof c);
    netvsc_put_le32(&c.status, NETVSC_NVSP_STAT_FAIL);
    if (s->inited && !s->have_send
        && lookup_buffer(s, netvsc_get_le32(&in.gpadl_handle), &gpa, &size)
        && size >= s->cfg.send_section_size) {
        s->have_send = true;
        s->send_gpa = gpa;
        s->send_size = size;
        s->send_section_cnt = size / s->cfg.send_section_size;
        netvsc_put_le32(&c.status, NETVSC_NVSP_STAT_SUCCESS);
        netvsc_put_le32(&c.section_size, s->cfg.send_section_size);
    }
    reply(s, p->trans_id, NETVSC_NVSP_MSG1_SEND_SEND_BUF_COMPLETE, &c, sizeof c);
}

/* The minimum body length of each guest request. */
static uint32_t
body_min(uint32_t type)
{
    switch (type) {
    case NETVSC_NVSP_MSG_INIT:
        return sizeof(struct netvsc_nvsp_init);
    case NETVSC_NVSP_MSG1_SEND_NDIS_VER:
        return sizeof(struct netvsc_nvsp1_send_ndis_ver);
    case NETVSC_NVSP_MSG1_SEND_RECV_BUF:
        return sizeof(struct netvsc_nvsp1_send_recv_buf);
    case NETVSC_NVSP_MSG1_SEND_SEND_BUF:
        return sizeof(struct netvsc_nvsp1_send_send_buf);
    case NETVSC_NVSP_MSG1_SEND_RNDIS_PKT:
        return sizeof(struct netvsc_nvsp1_send_rndis_pkt);
    case NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE:
        return sizeof(struct netvsc_nvsp1_send_rndis_pkt_complete);
    case NETVSC_NVSP_MSG2_SEND_NDIS_CONFIG:
        return sizeof(struct netvsc_nvsp2_send_ndis_config);
    default:
        return 0;
    }
}

int
netvsc_vsp_on_packet(struct netvsc_vsp *s, const struct netvsc_vmpkt *p)
{
    uint32_t type, blen;
    const uint8_t *body;
    int rc = 0;

    if (p->payload_len < sizeof(struct netvsc_nvsp_hdr) || !p->payload) {
        s->st.unexpected++;
        return EPROTO;
    }
    type = netvsc_get_le32(p->payload);
    body = p->payload + sizeof(struct netvsc_nvsp_hdr);
    blen = p->payload_len - (uint32_t) sizeof(struct netvsc_nvsp_hdr);
    if (blen < body_min(type)) {
        s->st.unexpected++;
        return EPROTO;
    }

    if (p->type == NETVSC_VMPKT_COMP) {
        if (type != NETVSC_NVSP_MSG1_SEND_RNDIS_PKT_COMPLETE
            || on_xfer_complete(s, p->trans_id)) {
            s->st.unexpected++;
            return EPROTO;
        }
        s->st.nvsp_received++;
        return 0;
    }
    if (p->type == NETVSC_VMPKT_DATA_GPA_DIRECT
        && type != NETVSC_NVSP_MSG1_SEND_RNDIS_PKT) {
        s->st.unexpected++;
        return EPROTO;
    }
    if (p->type != NETVSC_VMPKT_DATA_INBAND
        && p->type != NETVSC_VMPKT_DATA_GPA_DIRECT) {
        s->st.unexpected++;
        return EPROTO;
    }

    s->st.nvsp_received++;
    switch (type) {
    case NETVSC_NVSP_MSG_INIT:
        on_init(s, p, body);
        break;
    case NETVSC_NVSP_MSG2_SEND_NDIS_CONFIG: {
        struct netvsc_nvsp2_send_ndis_config c;
        memcpy(&c, body, sizeof c);
        s->mtu = netvsc_get_le32(&c.mtu);
        s->caps = netvsc_get_le64(&c.capability);
        break;
    }
    case NETVSC_NVSP_MSG1_SEND_NDIS_VER: {
        struct netvsc_nvsp1_send_ndis_ver n;
        memcpy(&n, body, sizeof n);
        s->ndis_version = netvsc_get_le32(&n.ndis_major_ver) << 16
                          | (netvsc_get_le32(&n.ndis_minor_ver) & 0xFFFFu);
        break;
    }
    case NETVSC_NVSP_MSG1_SEND_RECV_BUF:
        on_recv_buf(s, p, body);
        break;
    case NETVSC_NVSP_MSG1_SEND_SEND_BUF:
        on_send_buf(s, p, body);
        break;
    case NETVSC_NVSP_MSG1_SEND_RNDIS_PKT:
        rc = on_send_rndis_pkt(s, p, body, blen);
        break;
    default:
        s->st.unexpected++;
        rc = EPROTO;
        break;
    }
    return rc;
}

/* --- Creation and queries --------------------------------------------------- */

int
netvsc_vsp_create(const struct netvsc_vsp_config *cfg, struct netvsc_vsp **out)
{
    struct netvsc_vsp_config c = *cfg;
    struct netvsc_vsp *s;

    *out = NULL;
    if (!c.mem || !c.chan || !c.chan->send || !c.deliver || !c.gpadl) {
        return EINVAL;
    }
    c.min_nvsp_version = c.min_nvsp_version ? c.min_nvsp_version : NETVSC_NVSP_V1;
    c.max_nvsp_version = c.max_nvsp_version ? c.max_nvsp_version : NETVSC_NVSP_V61;
    c.send_section_size = c.send_section_size ? c.send_section_size
                                              : NETVSC_SEND_SECTION_SIZE;
    c.recv_section_size = c.recv_section_size ? c.recv_section_size
                                              : NETVSC_RECV_SECTION_SIZE;
    c.max_ranges = c.max_ranges ? c.max_ranges : NETVSC_MAX_XFER_RANGES;
    c.max_pkt_per_msg = c.max_pkt_per_msg ? c.max_pkt_per_msg
                                          : NETVSC_RNDIS_MAX_PKT_DEFAULT;
    c.pkt_alignment_factor = c.pkt_alignment_factor ? c.pkt_alignment_factor : 3;
    if (c.min_nvsp_version > c.max_nvsp_version
        || c.send_section_size < 1024 || c.send_section_size % 8
        || c.send_section_size > NETVSC_SEND_BUF_MAX
        || c.recv_section_size < 128 || c.recv_section_size % 8
        || c.recv_section_size > (1u << 20)
        || c.max_ranges > 4096 || c.max_pkt_per_msg > 1024
        || c.pkt_alignment_factor > 12) {
        return EINVAL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        return ENOMEM;
    }
    s->cfg = c;
    s->acc = calloc(c.max_ranges, sizeof *s->acc);
    if (!s->acc) {
        free(s);
        return ENOMEM;
    }
    s->acc_head = s->acc_tail = NONE;
    s->free_xfer = NONE;
    *out = s;
    return 0;
}

void
netvsc_vsp_destroy(struct netvsc_vsp *s)
{
    if (s) {
        free(s->recv_map);
        free(s->sec_next);
        free(s->sec_run);
        free(s->xfers);
        free(s->acc);
        free(s->pend);
        free(s->scratch);
        free(s);
    }
}

bool
netvsc_vsp_ready(const struct netvsc_vsp *s)
{
    return s->have_recv && s->rndis_inited && s->filter != 0;
}

void
netvsc_vsp_get_info(const struct netvsc_vsp *s, struct netvsc_vsp_info *info)
{
    memset(info, 0, sizeof *info);
    info->ready = netvsc_vsp_ready(s);
    info->nvsp_version = s->nvsp_version;
    info->ndis_version = s->ndis_version;
    info->mtu = s->mtu;
    info->capabilities = s->caps;
    info->recv_buf_gpa = s->recv_gpa;
    info->send_buf_gpa = s->send_gpa;
    info->recv_buf_size = s->recv_size;
    info->send_buf_size = s->send_size;
    info->recv_section_count = s->recv_section_cnt;
    info->send_section_count = s->send_section_cnt;
    info->packet_filter = s->filter;
    info->csum_tx_ipv4 = s->csum_v4;
    info->csum_tx_ipv6 = s->csum_v6;
    info->lso_v2_ipv4 = s->lso_v4;
    info->lso_v2_ipv6 = s->lso_v6;
    info->offload_params_len = s->offload_len;
}

const struct netvsc_vsp_stats *
netvsc_vsp_stats(const struct netvsc_vsp *s)
{
    return &s->st;
}
