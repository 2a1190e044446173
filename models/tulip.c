/*
 * tulip.c -- the DEC 21140A device of tulip.h: registers, the transmit and
 * receive processes over descriptors in guest memory, the address filter
 * and the interrupt line.  The guest driver model is in tulip-drv.c.
 *
 * The file reads in the order a guest meets the device: state and reset;
 * the interrupt summary; guest-memory access with its bus-error check; the
 * address filter and the setup frame; the transmit process; the receive
 * process; the register file; creation.
 */
#include "config.h"

#include "models/tulip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/gmem.h"
#include "sim/log.h"

/* --- State ---------------------------------------------------------------- */

enum filter_mode {
    FILTER_PERFECT,                 /* FT1:FT0 = 00 */
    FILTER_HASH,                    /* 01: multicast hashed, one perfect */
    FILTER_INVERSE,                 /* 10: refuse the 16 addresses */
    FILTER_HASH_ONLY,               /* 11: every address hashed */
};

/* A descriptor as fetched: its address and its four words. */
struct desc {
    uint64_t addr;
    uint32_t w0, w1, w2, w3;
};

struct tulip_dev {
    struct tulip_dev_config cfg;
    uint64_t mem_size;              /* bytes of guest memory */

    uint32_t csr[TULIP_NUM_CSRS];   /* CSR5 holds the state fields too */
    uint32_t csr9_written;          /* stored, never read back */
    uint32_t missed;                /* CSR8 count, saturating */
    bool missed_overflow;
    bool level;                     /* the interrupt line */
    bool bus_dead;                  /* fatal bus error until SWR */

    uint64_t tx_cur, rx_cur;        /* current descriptor addresses */
    bool tx_walking;                /* inside tx_walk() */
    uint32_t epoch;                 /* bumped by every reset */

    /* Frame being assembled by the transmit process. */
    bool tx_open;
    bool tx_overflow;
    size_t tx_len;
    uint8_t tx_frame[TULIP_TX_MAX_FRAME];

    /* Receive staging: the frame and its FCS. */
    uint8_t rx_frame[TULIP_RX_MAX_FRAME + TULIP_FCS_BYTES];

    /* The address filter. */
    bool filter_loaded;
    enum filter_mode filter_mode;
    uint8_t perfect[TULIP_FILTER_ENTRIES][6];
    uint8_t hash_table[64];         /* 512 bits, bit i = byte i/8, i%8 */

    struct tulip_dev_stats stats;
};

static const uint8_t broadcast_addr[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* --- CRC-32 --------------------------------------------------------------- */

/* The reflected Ethernet polynomial, four bits at a time. */
static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu,
    0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
    0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
    0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t
tulip_crc32(uint32_t crc, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ crc_nibble[crc & 0xf];
        crc = (crc >> 4) ^ crc_nibble[crc & 0xf];
    }
    return crc;
}

/* --- Process states ------------------------------------------------------- */

static enum tulip_tx_state
ts(const struct tulip_dev *d)
{
    return (enum tulip_tx_state)((d->csr[5] & TULIP_CSR5_TS_MASK)
                                 >> TULIP_CSR5_TS_SHIFT);
}

static enum tulip_rx_state
rs(const struct tulip_dev *d)
{
    return (enum tulip_rx_state)((d->csr[5] & TULIP_CSR5_RS_MASK)
                                 >> TULIP_CSR5_RS_SHIFT);
}

static void
set_ts(struct tulip_dev *d, enum tulip_tx_state s)
{
    d->csr[5] = (d->csr[5] & ~TULIP_CSR5_TS_MASK)
                | ((uint32_t)s << TULIP_CSR5_TS_SHIFT);
}

static void
set_rs(struct tulip_dev *d, enum tulip_rx_state s)
{
    d->csr[5] = (d->csr[5] & ~TULIP_CSR5_RS_MASK)
                | ((uint32_t)s << TULIP_CSR5_RS_SHIFT);
}

/* --- The interrupt line --------------------------------------------------- */

/* Recomputes NIS and AIS from the enabled sources and the line from them
 * (tulip.h, INTERRUPTS), calling the irq callback if the line changed.
 * Every public entry point that may change CSR5 or CSR7 ends here. */
static void
update_irq(struct tulip_dev *d)
{
    uint32_t normal = TULIP_CSR5_TI | TULIP_CSR5_TU | TULIP_CSR5_RI
                      | TULIP_CSR5_ERI;
    uint32_t abnormal = TULIP_CSR5_TPS | TULIP_CSR5_TJT | TULIP_CSR5_LNP
                        | TULIP_CSR5_UNF | TULIP_CSR5_RU | TULIP_CSR5_RPS
                        | TULIP_CSR5_RWT | TULIP_CSR5_ETI | TULIP_CSR5_LNF
                        | TULIP_CSR5_FBE;
    if (d->cfg.gte_abnormal) {
        abnormal |= TULIP_CSR5_GTE;
    } else {
        normal |= TULIP_CSR5_GTE;
    }

    uint32_t ie = d->csr[5] & d->csr[7];
    d->csr[5] &= ~(TULIP_CSR5_NIS | TULIP_CSR5_AIS);
    if (ie & normal) {
        d->csr[5] |= TULIP_CSR5_NIS;
    }
    if (ie & abnormal) {
        d->csr[5] |= TULIP_CSR5_AIS;
    }

    bool level = (d->csr[5] & d->csr[7]
                  & (TULIP_CSR5_NIS | TULIP_CSR5_AIS)) != 0;
    if (level == d->level) {
        return;
    }
    d->level = level;
    if (level) {
        d->stats.irq_raises++;
    } else {
        d->stats.irq_lowers++;
    }
    if (d->cfg.irq) {
        d->cfg.irq(d->cfg.ctx, level);
    }
}

/* --- Reset ---------------------------------------------------------------- */

/* Power-on state (tulip.h, RESET); the caller recomputes the line. */
static void
reset_state(struct tulip_dev *d)
{
    memset(d->csr, 0, sizeof d->csr);
    d->csr9_written = 0;
    d->missed = 0;
    d->missed_overflow = false;
    d->tx_cur = 0;
    d->rx_cur = 0;
    d->tx_open = false;
    d->tx_overflow = false;
    d->tx_len = 0;
    d->bus_dead = false;
    d->filter_loaded = false;
    d->filter_mode = FILTER_PERFECT;
    memset(d->perfect, 0, sizeof d->perfect);
    memset(d->hash_table, 0, sizeof d->hash_table);
    d->epoch++;
}

/* --- Guest memory (DMA) --------------------------------------------------- */

static bool
dma_ok(const struct tulip_dev *d, uint64_t gpa, size_t len)
{
    return gpa <= d->mem_size && len <= d->mem_size - gpa;
}

/* A DMA outside guest memory: the master abort stops both processes until
 * a software reset (tulip.h, DMA). */
static void
bus_error(struct tulip_dev *d)
{
    d->stats.bus_errors++;
    d->bus_dead = true;
    d->csr[5] = (d->csr[5] & ~TULIP_CSR5_EB_MASK) | TULIP_CSR5_FBE
                | (1u << TULIP_CSR5_EB_SHIFT);
    set_ts(d, TULIP_TS_STOPPED);
    set_rs(d, TULIP_RS_STOPPED);
    d->tx_open = false;
}

static bool
desc_fetch(struct tulip_dev *d, uint64_t addr, struct desc *out)
{
    uint8_t b[TULIP_DESC_BYTES];

    if (!dma_ok(d, addr, sizeof b)) {
        bus_error(d);
        return false;
    }
    gmem_read(d->cfg.mem, addr, b, sizeof b);
    d->stats.desc_reads++;
    out->addr = addr;
    out->w0 = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16
              | (uint32_t)b[3] << 24;
    out->w1 = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16
              | (uint32_t)b[7] << 24;
    out->w2 = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16
              | (uint32_t)b[11] << 24;
    out->w3 = (uint32_t)b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16
              | (uint32_t)b[15] << 24;
    return true;
}

/* Writes a descriptor's status word (its address was fetched, so it lies
 * inside guest memory). */
static void
desc_status_write(struct tulip_dev *d, uint64_t addr, uint32_t status)
{
    gmem_write32(d->cfg.mem, addr, status);
    d->stats.desc_writes++;
}

static bool
dma_read(struct tulip_dev *d, uint64_t gpa, void *dst, size_t len)
{
    if (!dma_ok(d, gpa, len)) {
        bus_error(d);
        return false;
    }
    gmem_read(d->cfg.mem, gpa, dst, len);
    d->stats.dma_read_bytes += len;
    return true;
}

/* The next descriptor after 'x': TER/RER (bit 25) wraps to the list base,
 * else TCH/RCH (bit 24) chains through the fourth word, else ring mode
 * skips DSL longwords (FACTS.md §4.2). */
static uint64_t
desc_next(const struct tulip_dev *d, const struct desc *x, uint32_t base)
{
    if (x->w1 & TULIP_TDES1_TER) {
        return base;
    }
    if (x->w1 & TULIP_TDES1_TCH) {
        return x->w3 & ~3u;
    }
    uint32_t dsl = (d->csr[0] >> TULIP_CSR0_DSL_SHIFT) & TULIP_CSR0_DSL_MASK;
    return (x->addr + TULIP_DESC_BYTES + 4u * dsl) & 0xfffffffcu;
}

/* --- The address filter --------------------------------------------------- */

static bool
hash_hit(const struct tulip_dev *d, const uint8_t dst[6])
{
    uint32_t i = tulip_crc32(0xffffffffu, dst, 6) & 0x1ffu;
    return (d->hash_table[i / 8] >> (i % 8)) & 1u;
}

static bool
perfect_hit(const struct tulip_dev *d, const uint8_t dst[6], unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (memcmp(d->perfect[i], dst, 6) == 0) {
            return true;
        }
    }
    return false;
}

bool
tulip_filter_accepts(const struct tulip_dev *d, const uint8_t dst[6])
{
    bool multicast = dst[0] & 1u;

    if (d->csr[6] & TULIP_CSR6_PR) {
        return true;
    }
    if (memcmp(dst, broadcast_addr, 6) == 0) {
        return true;
    }
    if (multicast && (d->csr[6] & TULIP_CSR6_PM)) {
        return true;
    }
    if (!d->filter_loaded) {
        return false;
    }
    switch (d->filter_mode) {
    case FILTER_PERFECT:
        return perfect_hit(d, dst, TULIP_FILTER_ENTRIES);
    case FILTER_INVERSE:
        return !perfect_hit(d, dst, TULIP_FILTER_ENTRIES);
    case FILTER_HASH:
        return multicast ? hash_hit(d, dst) : perfect_hit(d, dst, 1);
    case FILTER_HASH_ONLY:
        return hash_hit(d, dst);
    }
    return false;
}

/* Loads the filter from a 192-byte setup frame 'b'.  Every longword
 * carries 16 bits in its low half (little-endian bytes 0 and 1).  Perfect
 * and inverse: 16 addresses of three longwords each.  Hash: longwords
 * 0..31 hold the 512-bit table, bit i in longword i/16 at i%16; the one
 * perfect address of hash mode sits in longwords 39..41 (byte 156, where
 * the Linux driver puts it). */
static void
load_filter(struct tulip_dev *d, const uint8_t *b, enum filter_mode mode)
{
    d->filter_mode = mode;
    d->filter_loaded = true;
    memset(d->perfect, 0, sizeof d->perfect);
    memset(d->hash_table, 0, sizeof d->hash_table);
    if (mode == FILTER_PERFECT || mode == FILTER_INVERSE) {
        for (unsigned i = 0; i < TULIP_FILTER_ENTRIES; i++) {
            const uint8_t *e = b + 12u * i;
            uint8_t mac[6] = { e[0], e[1], e[4], e[5], e[8], e[9] };
            memcpy(d->perfect[i], mac, 6);
        }
        return;
    }
    for (unsigned k = 0; k < 32; k++) {
        d->hash_table[2 * k] = b[4 * k];
        d->hash_table[2 * k + 1] = b[4 * k + 1];
    }
    if (mode == FILTER_HASH) {
        const uint8_t *e = b + 156;
        uint8_t mac[6] = { e[0], e[1], e[4], e[5], e[8], e[9] };
        memcpy(d->perfect[0], mac, 6);
    }
}

/* The read-only CSR6 bits that show the filtering mode. */
static uint32_t
filter_mode_bits(const struct tulip_dev *d)
{
    switch (d->filter_mode) {
    case FILTER_PERFECT:
        return 0;
    case FILTER_HASH:
        return TULIP_CSR6_HP;
    case FILTER_INVERSE:
        return TULIP_CSR6_IF;
    case FILTER_HASH_ONLY:
        return TULIP_CSR6_HP | TULIP_CSR6_HO;
    }
    return 0;
}

/* A setup descriptor: load the filter if the buffer is 192 bytes. */
static bool
tx_setup(struct tulip_dev *d, const struct desc *x)
{
    uint8_t b[TULIP_SETUP_FRAME_BYTES];
    uint32_t size = x->w1 & TULIP_DES1_SIZE_MASK;

    if (size != TULIP_SETUP_FRAME_BYTES) {
        d->stats.setup_errors++;
        return true;
    }
    if (!dma_read(d, x->w2, b, sizeof b)) {
        return false;
    }
    enum filter_mode mode = (enum filter_mode)(
        ((x->w1 & TULIP_TDES1_FT1) ? 2 : 0)
        | ((x->w1 & TULIP_TDES1_FT0) ? 1 : 0));
    load_filter(d, b, mode);
    d->stats.setup_frames++;
    return true;
}

/* --- The transmit process ------------------------------------------------- */

/* Appends 'len' bytes at 'gpa' to the frame in assembly; an overflow
 * marks the frame for dropping.  Returns false on a bus error. */
static bool
tx_gather(struct tulip_dev *d, uint64_t gpa, uint32_t len)
{
    if (len == 0) {
        return true;
    }
    if (d->tx_overflow || len > TULIP_TX_MAX_FRAME - d->tx_len) {
        d->tx_overflow = true;          /* the rest is not read */
        return true;
    }
    if (!dma_read(d, gpa, d->tx_frame + d->tx_len, len)) {
        return false;
    }
    d->tx_len += len;
    return true;
}

/* HOW THE WALK WORKS.  From the current descriptor, handle owned
 * descriptors one at a time (tulip.h, TRANSMIT PROCESS) until one is not
 * owned (suspend, TU) or 'max_frames' units are done (stay running).  The
 * frame is handed to the tx callback after its descriptor is written back
 * and the current pointer has moved, so the device is consistent during
 * the callback; a reset or ST 1->0 made from inside the callback ends the
 * walk. */
static size_t
tx_walk(struct tulip_dev *d, size_t max_frames)
{
    size_t done = 0;
    uint32_t epoch = d->epoch;

    SIM_ASSERT(!d->tx_walking);
    d->tx_walking = true;
    while (ts(d) == TULIP_TS_RUNNING && done < max_frames) {
        struct desc x;
        if (!desc_fetch(d, d->tx_cur, &x)) {
            break;
        }
        if (!(x.w0 & TULIP_DES0_OWN)) {
            set_ts(d, TULIP_TS_SUSPENDED);
            d->csr[5] |= TULIP_CSR5_TU;
            d->stats.tx_suspends++;
            break;
        }

        bool send = false, interrupt = false;
        uint32_t status = 0;
        if (x.w1 & TULIP_TDES1_SET) {
            if (!tx_setup(d, &x)) {
                break;
            }
            status = TULIP_TDES0_SETUP_DONE;
            interrupt = x.w1 & TULIP_TDES1_IC;
            done++;
        } else {
            if (x.w1 & TULIP_TDES1_FS) {
                if (d->tx_open) {
                    d->stats.tx_desc_errors++;      /* unfinished frame */
                }
                d->tx_open = true;
                d->tx_overflow = false;
                d->tx_len = 0;
            }
            if (!d->tx_open) {
                d->stats.tx_desc_errors++;
                done++;
            } else {
                uint32_t size1 = x.w1 & TULIP_DES1_SIZE_MASK;
                uint32_t size2 = (x.w1 >> TULIP_DES1_SIZE2_SHIFT)
                                 & TULIP_DES1_SIZE_MASK;
                if (!tx_gather(d, x.w2, size1)) {
                    break;
                }
                if (!(x.w1 & TULIP_TDES1_TCH) && !tx_gather(d, x.w3, size2)) {
                    break;
                }
                if (x.w1 & TULIP_TDES1_LS) {
                    d->tx_open = false;
                    interrupt = x.w1 & TULIP_TDES1_IC;
                    if (d->tx_overflow) {
                        d->stats.tx_oversize++;
                        status = TULIP_TDES0_ES;
                    } else {
                        send = d->tx_len > 0;
                    }
                    done++;
                }
            }
        }

        desc_status_write(d, x.addr, status);
        d->tx_cur = desc_next(d, &x, d->csr[4]);
        if (interrupt) {
            d->csr[5] |= TULIP_CSR5_TI;
        }
        if (send) {
            d->stats.frames_sent++;
            d->stats.bytes_sent += d->tx_len;
            if (d->cfg.tx) {
                d->cfg.tx(d->cfg.ctx, d->tx_frame, d->tx_len);
                if (d->epoch != epoch) {
                    break;
                }
            }
        }
    }
    d->tx_walking = false;
    return done;
}

/* A poll demand (CSR1, TAP, or ST 0->1 from stopped).  Returns whether it
 * started the process. */
static bool
tx_kick(struct tulip_dev *d)
{
    switch (ts(d)) {
    case TULIP_TS_STOPPED:
        d->stats.poll_ignored_stopped++;
        return false;
    case TULIP_TS_RUNNING:
        d->stats.poll_ignored_running++;
        return false;
    case TULIP_TS_SUSPENDED:
        break;
    }
    set_ts(d, TULIP_TS_RUNNING);
    if (!d->cfg.tx_deferred) {
        tx_walk(d, SIZE_MAX);
    }
    return true;
}

bool
tulip_tx_running(const struct tulip_dev *d)
{
    return ts(d) == TULIP_TS_RUNNING && !d->tx_walking;
}

size_t
tulip_tx_service(struct tulip_dev *d, size_t max_frames)
{
    if (ts(d) != TULIP_TS_RUNNING || d->tx_walking) {
        return 0;
    }
    size_t n = tx_walk(d, max_frames);
    update_irq(d);
    return n;
}

bool
tulip_tap_poll(struct tulip_dev *d)
{
    if (ts(d) != TULIP_TS_SUSPENDED) {
        return false;
    }
    d->stats.poll_demands++;
    bool started = tx_kick(d);
    update_irq(d);
    return started;
}

int64_t
tulip_tap_period_ps(const struct tulip_dev *d)
{
    static const int64_t period_ps[8] = {
        0,                      /* off */
        200000000,              /* 200 us */
        800000000,              /* 800 us */
        1600000000,             /* 1.6 ms */
        12800000,               /* 12.8 us */
        25600000,               /* 25.6 us */
        51200000,               /* 51.2 us */
        102400000,              /* 102.4 us */
    };
    return period_ps[(d->csr[0] >> TULIP_CSR0_TAP_SHIFT) & TULIP_CSR0_TAP_MASK];
}

/* --- The receive process -------------------------------------------------- */

/* Room for 'need' bytes in the owned descriptors from the current one.
 * Fills 'v' (up to TULIP_RX_MAX_DESCS) and returns how many are needed, 0
 * if there is no room (or a bus error, which the caller sees in RS). */
static size_t
rx_plan(struct tulip_dev *d, size_t need, struct desc *v)
{
    uint64_t addr = d->rx_cur;
    size_t n = 0;

    while (n < TULIP_RX_MAX_DESCS) {
        for (size_t i = 0; i < n; i++) {
            if (v[i].addr == addr) {
                return 0;       /* back where we started: ring too small */
            }
        }
        if (!desc_fetch(d, addr, &v[n])) {
            return 0;
        }
        const struct desc *x = &v[n];
        if (!(x->w0 & TULIP_DES0_OWN)) {
            return 0;
        }
        size_t room = x->w1 & TULIP_DES1_SIZE_MASK;
        if (!(x->w1 & TULIP_RDES1_RCH)) {
            room += (x->w1 >> TULIP_DES1_SIZE2_SHIFT) & TULIP_DES1_SIZE_MASK;
        }
        n++;
        if (room >= need) {
            return n;
        }
        need -= room;
        addr = desc_next(d, x, d->csr[3]);
    }
    return 0;
}

/* Writes 'len' bytes of 'src' into buffer 'gpa' of size 'size' and
 * returns how many it wrote (0 and a bus error if out of memory). */
static size_t
rx_put(struct tulip_dev *d, uint64_t gpa, size_t size, const uint8_t *src,
       size_t len, bool *ok)
{
    size_t n = len < size ? len : size;
    if (n == 0) {
        return 0;
    }
    if (!dma_ok(d, gpa, n)) {
        bus_error(d);
        *ok = false;
        return 0;
    }
    gmem_write(d->cfg.mem, gpa, src, n);
    d->stats.dma_write_bytes += n;
    return n;
}

static void
rx_miss(struct tulip_dev *d)
{
    d->csr[5] |= TULIP_CSR5_RU;
    set_rs(d, TULIP_RS_SUSPENDED);
    d->stats.frames_missed++;
    if (d->missed == TULIP_CSR8_COUNT_MASK) {
        d->missed_overflow = true;
    } else {
        d->missed++;
    }
}

enum tulip_rx_result
tulip_receive(struct tulip_dev *d, const uint8_t *frame, size_t len)
{
    struct desc v[TULIP_RX_MAX_DESCS];

    if (len < TULIP_RX_MIN_FRAME || len > TULIP_RX_MAX_FRAME) {
        d->stats.frames_invalid++;
        return TULIP_RX_INVALID;
    }
    if (rs(d) == TULIP_RS_STOPPED) {
        d->stats.frames_stopped++;
        return TULIP_RX_STOPPED;
    }
    if (!tulip_filter_accepts(d, frame)) {
        d->stats.frames_filtered++;
        return TULIP_RX_FILTERED;
    }

    /* 1. The frame and its FCS, little-endian, as the chip stores them. */
    size_t total = len + TULIP_FCS_BYTES;
    uint32_t fcs = ~tulip_crc32(0xffffffffu, frame, len);
    memcpy(d->rx_frame, frame, len);
    for (unsigned i = 0; i < TULIP_FCS_BYTES; i++) {
        d->rx_frame[len + i] = (uint8_t)(fcs >> (8 * i));
    }

    /* 2. Find the room, or miss the frame. */
    size_t n = rx_plan(d, total, v);
    if (n == 0) {
        if (rs(d) != TULIP_RS_STOPPED) {        /* not a bus error */
            rx_miss(d);
        }
        update_irq(d);
        return rs(d) == TULIP_RS_STOPPED ? TULIP_RX_STOPPED : TULIP_RX_MISSED;
    }

    /* 3. Copy and close the descriptors. */
    uint32_t last = TULIP_RDES0_LS
                    | (uint32_t)total << TULIP_RDES0_FL_SHIFT;
    if (frame[0] & 1u) {
        last |= TULIP_RDES0_MF;
    }
    if (((uint32_t)frame[12] << 8 | frame[13]) > 1500) {
        last |= TULIP_RDES0_FT;
    }
    if (total > 1518) {
        last |= TULIP_RDES0_TL | TULIP_RDES0_ES;
    }
    size_t off = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        const struct desc *x = &v[i];
        size_t size1 = x->w1 & TULIP_DES1_SIZE_MASK;
        size_t size2 = (x->w1 & TULIP_RDES1_RCH) ? 0
                       : (x->w1 >> TULIP_DES1_SIZE2_SHIFT) & TULIP_DES1_SIZE_MASK;
        off += rx_put(d, x->w2, size1, d->rx_frame + off, total - off, &ok);
        if (ok) {
            off += rx_put(d, x->w3, size2, d->rx_frame + off, total - off, &ok);
        }
        if (!ok) {
            break;
        }
        uint32_t status = (i == 0 ? TULIP_RDES0_FS : 0)
                          | (i == n - 1 ? last : 0);
        desc_status_write(d, x->addr, status);
        d->rx_cur = desc_next(d, x, d->csr[3]);
    }
    if (!ok) {
        update_irq(d);
        return TULIP_RX_STOPPED;
    }
    SIM_ASSERT(off == total);
    set_rs(d, TULIP_RS_WAITING);
    d->csr[5] |= TULIP_CSR5_RI;
    d->stats.frames_received++;
    d->stats.bytes_received += len;
    update_irq(d);
    return TULIP_RX_ACCEPTED;
}

/* CSR2: a suspended process re-fetches its current descriptor. */
static void
rx_poll(struct tulip_dev *d)
{
    struct desc x;

    d->stats.rx_poll_demands++;
    if (rs(d) != TULIP_RS_SUSPENDED) {
        return;
    }
    if (desc_fetch(d, d->rx_cur, &x) && (x.w0 & TULIP_DES0_OWN)) {
        set_rs(d, TULIP_RS_WAITING);
    }
}

/* --- The general-purpose timer -------------------------------------------- */

uint32_t
tulip_gpt_count(const struct tulip_dev *d)
{
    return d->csr[11] & TULIP_CSR11_COUNT_MASK;
}

bool
tulip_gpt_continuous(const struct tulip_dev *d)
{
    return d->csr[11] & TULIP_CSR11_CON;
}

void
tulip_gpt_expire(struct tulip_dev *d)
{
    d->csr[5] |= TULIP_CSR5_GTE;
    update_irq(d);
}

/* --- Registers ------------------------------------------------------------ */

/* The CSR index of 'offset', or -1 for an offset outside the map. */
static int
csr_index(uint32_t offset)
{
    if (offset % 8 != 0 || offset >= TULIP_CSR(TULIP_NUM_CSRS)) {
        return -1;
    }
    return (int)(offset / 8);
}

uint32_t
tulip_csr_read(struct tulip_dev *d, uint32_t offset)
{
    int n = csr_index(offset);
    uint32_t v;

    if (n < 0) {
        d->stats.bad_accesses++;
        return 0xffffffffu;
    }
    d->stats.csr_reads[n]++;
    switch (n) {
    case 1:
    case 2:
        return 0xffffffffu;         /* write-only poll demands */
    case 6:
        return (d->csr[6] & ~(TULIP_CSR6_HP | TULIP_CSR6_HO | TULIP_CSR6_IF))
               | filter_mode_bits(d);
    case 8:
        v = d->missed | (d->missed_overflow ? TULIP_CSR8_OVERFLOW : 0);
        d->missed = 0;
        d->missed_overflow = false;
        return v;
    case 9:
        return TULIP_CSR9_READ;
    default:
        return d->csr[n];
    }
}

static void
write_csr6(struct tulip_dev *d, uint32_t value)
{
    uint32_t old = d->csr[6];

    d->csr[6] = value & ~(TULIP_CSR6_HP | TULIP_CSR6_HO | TULIP_CSR6_IF);
    if ((old ^ value) & TULIP_CSR6_SR) {
        if (value & TULIP_CSR6_SR) {
            if (!d->bus_dead) {
                set_rs(d, TULIP_RS_WAITING);
            }
        } else if (rs(d) != TULIP_RS_STOPPED) {
            set_rs(d, TULIP_RS_STOPPED);
            d->csr[5] |= TULIP_CSR5_RPS;
        }
    }
    if ((old ^ value) & TULIP_CSR6_ST) {
        if (value & TULIP_CSR6_ST) {
            if (!d->bus_dead) {
                /* Starting runs the process like a poll demand. */
                set_ts(d, TULIP_TS_RUNNING);
                if (!d->cfg.tx_deferred && !d->tx_walking) {
                    tx_walk(d, SIZE_MAX);
                }
            }
        } else if (ts(d) != TULIP_TS_STOPPED) {
            set_ts(d, TULIP_TS_STOPPED);
            d->csr[5] |= TULIP_CSR5_TPS;
            d->tx_open = false;
        }
    }
}

void
tulip_csr_write(struct tulip_dev *d, uint32_t offset, uint32_t value)
{
    int n = csr_index(offset);

    if (n < 0) {
        d->stats.bad_accesses++;
        return;
    }
    d->stats.csr_writes[n]++;
    switch (n) {
    case 0:
        if (value & TULIP_CSR0_SWR) {
            reset_state(d);
            d->stats.soft_resets++;
        } else {
            d->csr[0] = value;
        }
        break;
    case 1:
        d->stats.poll_demands++;
        tx_kick(d);
        break;
    case 2:
        rx_poll(d);
        break;
    case 3:
        d->csr[3] = value & ~3u;
        d->rx_cur = d->csr[3];
        break;
    case 4:
        d->csr[4] = value & ~3u;
        d->tx_cur = d->csr[4];
        break;
    case 5:
        d->csr[5] &= ~(value & TULIP_CSR5_W1C);
        break;
    case 6:
        write_csr6(d, value);
        break;
    case 7:
        d->csr[7] = value & TULIP_CSR7_MASK;
        break;
    case 8:
        break;                      /* read-only */
    case 9:
        d->csr9_written = value;
        break;
    default:
        d->csr[n] = value;
        break;
    }
    update_irq(d);
}

/* --- Queries -------------------------------------------------------------- */

bool
tulip_irq_level(const struct tulip_dev *d)
{
    return d->level;
}

enum tulip_tx_state
tulip_tx_state(const struct tulip_dev *d)
{
    return ts(d);
}

enum tulip_rx_state
tulip_rx_state(const struct tulip_dev *d)
{
    return rs(d);
}

uint64_t
tulip_tx_current(const struct tulip_dev *d)
{
    return d->tx_cur;
}

uint64_t
tulip_rx_current(const struct tulip_dev *d)
{
    return d->rx_cur;
}

const struct tulip_dev_stats *
tulip_dev_stats(const struct tulip_dev *d)
{
    return &d->stats;
}

/* --- Creation ------------------------------------------------------------- */

int
tulip_dev_create(const struct tulip_dev_config *cfg, struct tulip_dev **out)
{
    struct tulip_dev *d;

    *out = NULL;
    if (!cfg || !cfg->mem) {
        return EINVAL;
    }
    d = calloc(1, sizeof *d);
    if (!d) {
        return ENOMEM;
    }
    d->cfg = *cfg;
    d->mem_size = gmem_size(cfg->mem);
    reset_state(d);
    *out = d;
    return 0;
}

void
tulip_dev_destroy(struct tulip_dev *d)
{
    free(d);
}
