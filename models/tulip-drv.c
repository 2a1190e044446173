/*
 * tulip-drv.c -- the Linux tulip guest driver of tulip.h as resumable
 * programs that emit one CSR access at a time.  It touches guest memory
 * (its rings and buffers) directly and the device only through the
 * operations it hands to the integration.
 *
 * HOW A PROGRAM RUNS.  A program is a state machine: 'pc' names the next
 * state, and tulip_drv_next() runs states until one emits an operation
 * (and names its continuation) or the program ends.  A read's
 * continuation runs only after tulip_drv_complete() has supplied the
 * value.  The two helpers of the Linux driver that several paths share,
 * tulip_stop_rxtx() and tulip_start_rxtx() (tulip.h in Linux), are
 * subroutines with a two-entry return stack (restart = stop, then start).
 *
 * The memory-only work of the Linux functions (tulip_init_ring, the
 * descriptor fill in tulip_start_xmit, tulip_rx, tulip_refill_rx, the TX
 * reap loop of tulip_interrupt) is done by the states that stand where
 * Linux does it, and counted in 'step'.
 */
#include "config.h"

#include "models/tulip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/gmem.h"
#include "sim/log.h"

/* The Linux driver's bit names for CSR5 (tulip.h enum status_bits). */
#define TX_INTR TULIP_CSR5_TI
#define TX_DIED TULIP_CSR5_TPS
#define TX_NOBUF TULIP_CSR5_TU
#define TX_JABBER TULIP_CSR5_TJT
#define TX_UNDERFLOW TULIP_CSR5_UNF
#define RX_INTR TULIP_CSR5_RI
#define RX_NOBUF TULIP_CSR5_RU
#define RX_DIED TULIP_CSR5_RPS
#define TIMER_INT TULIP_CSR5_GTE
#define ABNORMAL_INTR TULIP_CSR5_AIS
#define NORMAL_INTR TULIP_CSR5_NIS

#define ACK_MASK 0x0001ffffu            /* non-NAPI acknowledge */
#define CLEAR_ERRORS 0x0800f7bau        /* "included undocumented ones" */
#define ACK_ALL 0x8001ffffu             /* too much work */
#define TIMER_RELOAD 0x12u              /* CSR11 after too much work */
#define STOP_POLLS 130u                 /* tulip_stop_rxtx: 1300/10 */

/* TDES1 flags of tulip_start_xmit. */
#define FLAG_NO_IC 0x60000000u          /* FS|LS */
#define FLAG_IC 0xe0000000u             /* IC|FS|LS */
#define SETUP_TDES1 (TULIP_TDES1_SET | TULIP_SETUP_FRAME_BYTES)

/* RDES0 bits tulip_rx checks (tulip.h enum desc_status_bits). */
#define RX_LENGTH_OVER_2047 0x38000010u
#define RX_DESC_DESC_ERR 0x4000u
#define RX_DESC_RUNT 0x0800u
#define RX_DESC_COLLISION 0x0040u
#define RX_DESC_CRC_ERROR 0x0002u
#define RX_WHOLE_PKT 0x0300u
#define RX_MAX_PKT 1518

enum tx_kind { TX_EMPTY, TX_SETUP, TX_DATA };

enum pc {
    PC_END,
    /* open */
    PC_OPEN_INIT, PC_OPEN_RESET, PC_OPEN_CSR0, PC_OPEN_CSR3, PC_OPEN_CSR4,
    PC_OPEN_STOP, PC_OPEN_TXON, PC_OPEN_CSR5, PC_OPEN_CSR7, PC_OPEN_START,
    PC_OPEN_CSR2, PC_OPEN_DONE,
    /* xmit */
    PC_XMIT_KICK,
    /* interrupt */
    PC_ISR_READ, PC_ISR_CHECK, PC_ISR_ACK, PC_ISR_WORK, PC_ISR_ABNORMAL,
    PC_ISR_UNF_KICK, PC_ISR_RPS, PC_ISR_RPS_READ, PC_ISR_CLEAR,
    PC_ISR_TIMER, PC_ISR_LIMITS, PC_ISR_TM_CSR7, PC_ISR_TM_CSR11,
    PC_ISR_REREAD, PC_ISR_LOOP, PC_ISR_AFTER, PC_ISR_MISSED,
    /* subroutines */
    PC_STOP, PC_STOP_CHECK, PC_STOP_POLL, PC_STOP_POLL_CHECK,
    PC_START, PC_START_READ, PC_RETURN,
};

struct tulip_drv {
    struct tulip_drv_config cfg;    /* defaults filled in */
    struct gmem *mem;
    uint64_t rx_ring, tx_ring;      /* descriptor rings */
    uint64_t rx_bufs, tx_bufs;      /* buffers, one per entry */
    uint64_t setup;                 /* the setup frame */
    uint32_t rx_size, tx_size;

    /* Ring indices, free-running as in Linux. */
    uint32_t cur_rx, dirty_rx, cur_tx, dirty_tx;
    bool *rx_has_buf;               /* false once handed up, until refill */
    uint8_t *tx_kind;               /* enum tx_kind per entry */
    uint16_t *tx_len;
    uint32_t csr6;                  /* tp->csr6 */
    bool open, queue_stopped;

    /* The running program. */
    enum tulip_drv_program prog;
    enum pc pc;
    enum pc ret[2];
    unsigned sp;
    bool awaiting;                  /* a read awaits its value */
    uint32_t value;                 /* the last read's value */
    uint32_t csr5;                  /* the ISR's copy */
    uint32_t rx_done, tx_done, other_done;
    uint32_t work_left;
    uint32_t stop_polls;

    struct tulip_drv_work step;     /* since the last operation */
    struct tulip_drv_work last;     /* reported for the last operation */
    struct tulip_drv_stats stats;
};

/* --- Helpers -------------------------------------------------------------- */

static uint64_t
rx_desc(const struct tulip_drv *drv, uint32_t entry)
{
    return drv->rx_ring + (uint64_t)entry * TULIP_DESC_BYTES;
}

static uint64_t
tx_desc(const struct tulip_drv *drv, uint32_t entry)
{
    return drv->tx_ring + (uint64_t)entry * TULIP_DESC_BYTES;
}

static uint32_t
desc_read(struct tulip_drv *drv, uint64_t gpa)
{
    drv->step.desc_reads++;
    return gmem_read32(drv->mem, gpa);
}

static void
desc_write(struct tulip_drv *drv, uint64_t gpa, uint32_t v)
{
    drv->step.desc_writes++;
    gmem_write32(drv->mem, gpa, v);
}

static void
work_add(struct tulip_drv_work *to, const struct tulip_drv_work *w)
{
    to->desc_reads += w->desc_reads;
    to->desc_writes += w->desc_writes;
    to->frames_delivered += w->frames_delivered;
    to->bytes_delivered += w->bytes_delivered;
    to->bytes_copied += w->bytes_copied;
    to->buffers_replaced += w->buffers_replaced;
    to->rx_refilled += w->rx_refilled;
    to->tx_reaped += w->tx_reaped;
    to->bytes_posted += w->bytes_posted;
}

static void
emit_write(struct tulip_drv *drv, struct tulip_op *op, uint32_t offset,
           uint32_t value, enum pc next)
{
    op->kind = TULIP_OP_CSR_WRITE;
    op->offset = offset;
    op->value = value;
    drv->stats.csr_writes[offset / 8]++;
    drv->pc = next;
}

static void
emit_read(struct tulip_drv *drv, struct tulip_op *op, uint32_t offset,
          enum pc next)
{
    op->kind = TULIP_OP_CSR_READ;
    op->offset = offset;
    op->value = 0;
    drv->stats.csr_reads[offset / 8]++;
    drv->awaiting = true;
    drv->pc = next;
}

static void
call(struct tulip_drv *drv, enum pc sub, enum pc ret)
{
    SIM_ASSERT(drv->sp < 2);
    drv->ret[drv->sp++] = ret;
    drv->pc = sub;
}

/* tulip_restart_rxtx: stop, which returns into start, which returns to
 * 'ret'. */
static void
call_restart(struct tulip_drv *drv, enum pc ret)
{
    SIM_ASSERT(drv->sp == 0);
    drv->ret[drv->sp++] = ret;
    call(drv, PC_STOP, PC_START);
}

/* --- Memory-only work ----------------------------------------------------- */

/* tulip_init_ring: RX descriptors owned by the chip with a buffer each,
 * RER on the last, buffer 2 pointing at the next descriptor as Linux
 * writes it (unused: its size is 0 and RCH is clear); TX descriptors
 * empty. */
static void
init_rings(struct tulip_drv *drv)
{
    for (uint32_t i = 0; i < drv->rx_size; i++) {
        uint64_t d = rx_desc(drv, i);
        bool last = i == drv->rx_size - 1;
        desc_write(drv, d + 4, TULIP_DRV_PKT_BUF_SZ
                               | (last ? TULIP_RDES1_RER : 0));
        desc_write(drv, d + 8, (uint32_t)(drv->rx_bufs
                                          + (uint64_t)i * TULIP_DRV_PKT_BUF_SZ));
        desc_write(drv, d + 12, (uint32_t)(last ? drv->rx_ring
                                                : rx_desc(drv, i + 1)));
        desc_write(drv, d, TULIP_DES0_OWN);
        drv->rx_has_buf[i] = true;
    }
    for (uint32_t i = 0; i < drv->tx_size; i++) {
        uint64_t d = tx_desc(drv, i);
        bool last = i == drv->tx_size - 1;
        desc_write(drv, d, 0);
        desc_write(drv, d + 12, (uint32_t)(last ? drv->tx_ring
                                                : tx_desc(drv, i + 1)));
        drv->tx_kind[i] = TX_EMPTY;
    }
    drv->cur_rx = drv->dirty_rx = 0;
    drv->cur_tx = drv->dirty_tx = 0;
}

/* tulip_up's setup frame: every entry broadcast, the last our address,
 * each 16-bit half written twice, on TX entry cur_tx. */
static void
post_setup_frame(struct tulip_drv *drv)
{
    uint8_t b[TULIP_SETUP_FRAME_BYTES];
    const uint8_t *m = drv->cfg.mac;
    uint32_t entry = drv->cur_tx % drv->tx_size;

    memset(b, 0xff, sizeof b);
    for (unsigned k = 0; k < 3; k++) {
        uint8_t *w = b + 15 * 12 + 4 * k;
        w[0] = w[2] = m[2 * k];
        w[1] = w[3] = m[2 * k + 1];
    }
    gmem_write(drv->mem, drv->setup, b, sizeof b);
    drv->tx_kind[entry] = TX_SETUP;
    drv->tx_len[entry] = 0;
    desc_write(drv, tx_desc(drv, entry) + 4, SETUP_TDES1);
    desc_write(drv, tx_desc(drv, entry) + 8, (uint32_t)drv->setup);
    desc_write(drv, tx_desc(drv, entry), TULIP_DES0_OWN);
    drv->cur_tx++;
}

/* tulip_rx (non-NAPI): hand every completed descriptor to the stack, at
 * most as many as the ring holds.  Returns the number handled. */
static uint32_t
do_rx(struct tulip_drv *drv)
{
    uint32_t entry = drv->cur_rx % drv->rx_size;
    int64_t limit = (int64_t)(uint32_t)(drv->dirty_rx + drv->rx_size
                                        - drv->cur_rx);
    uint32_t received = 0;

    for (;;) {
        uint32_t status = desc_read(drv, rx_desc(drv, entry));
        if (status & TULIP_DES0_OWN) {
            break;
        }
        if (--limit < 0) {
            break;
        }
        int pkt_len = (int)((status >> 16) & 0x7ff) - 4;
        uint32_t check = RX_LENGTH_OVER_2047 | RX_DESC_CRC_ERROR
                         | RX_DESC_COLLISION | RX_DESC_RUNT | RX_DESC_DESC_ERR
                         | RX_WHOLE_PKT;
        if ((status & check) != RX_WHOLE_PKT || pkt_len > RX_MAX_PKT
            || pkt_len <= 0) {
            if ((status & (RX_LENGTH_OVER_2047 | RX_WHOLE_PKT))
                != RX_WHOLE_PKT) {
                if ((status & 0xffff) != 0x7fff) {
                    drv->stats.rx_length_errors++;
                }
            } else {
                drv->stats.rx_errors++;
                if (pkt_len > RX_MAX_PKT || pkt_len <= 0
                    || (status & RX_DESC_RUNT)) {
                    drv->stats.rx_length_errors++;
                }
            }
        } else {
            size_t len = (size_t)pkt_len;
            uint64_t buf = drv->rx_bufs + (uint64_t)entry * TULIP_DRV_PKT_BUF_SZ;
            const uint8_t *bytes = gmem_ptr(drv->mem, buf, len);
            if (len < drv->cfg.rx_copybreak) {
                drv->step.bytes_copied += len;      /* small skb, copy */
            } else {
                drv->rx_has_buf[entry] = false;     /* skb goes up */
            }
            drv->step.frames_delivered++;
            drv->step.bytes_delivered += len;
            drv->stats.rx_packets++;
            drv->stats.rx_bytes += len;
            if (drv->cfg.rx) {
                drv->cfg.rx(drv->cfg.ctx, bytes, len);
            }
        }
        received++;
        drv->cur_rx++;
        entry = drv->cur_rx % drv->rx_size;
    }
    return received;
}

/* tulip_refill_rx: give every used descriptor back, with a new buffer if
 * its old one went up the stack. */
static void
refill_rx(struct tulip_drv *drv)
{
    for (; drv->cur_rx - drv->dirty_rx > 0; drv->dirty_rx++) {
        uint32_t entry = drv->dirty_rx % drv->rx_size;
        uint64_t d = rx_desc(drv, entry);
        if (!drv->rx_has_buf[entry]) {
            drv->rx_has_buf[entry] = true;
            drv->step.buffers_replaced++;
            desc_write(drv, d + 8, (uint32_t)(drv->rx_bufs
                                   + (uint64_t)entry * TULIP_DRV_PKT_BUF_SZ));
        }
        desc_write(drv, d, TULIP_DES0_OWN);
        drv->step.rx_refilled++;
    }
}

/* The TX reap loop of tulip_interrupt.  Returns the data frames reaped. */
static uint32_t
reap_tx(struct tulip_drv *drv)
{
    uint32_t dirty = drv->dirty_tx;
    uint32_t tx = 0;

    for (; drv->cur_tx - dirty > 0; dirty++) {
        uint32_t entry = dirty % drv->tx_size;
        uint32_t status = desc_read(drv, tx_desc(drv, entry));
        if (status & TULIP_DES0_OWN) {
            break;                      /* not sent yet */
        }
        drv->step.tx_reaped++;
        if (drv->tx_kind[entry] != TX_DATA) {
            drv->tx_kind[entry] = TX_EMPTY;     /* the setup frame */
            continue;
        }
        if (status & TULIP_TDES0_ES) {
            drv->stats.tx_errors++;
        } else {
            drv->stats.tx_packets++;
            drv->stats.tx_bytes += drv->tx_len[entry];
        }
        drv->tx_kind[entry] = TX_EMPTY;
        tx++;
    }
    if (drv->cur_tx - dirty < drv->tx_size - 2 && drv->queue_stopped) {
        drv->queue_stopped = false;
        drv->stats.queue_wakes++;
    }
    drv->dirty_tx = dirty;
    return tx;
}

/* --- The programs --------------------------------------------------------- */

/* Runs states until one emits an operation (true) or the program ends
 * (false). */
static bool
run(struct tulip_drv *drv, struct tulip_op *op)
{
    const uint32_t valid = TULIP_21140_VALID_INTRS;

    for (;;) {
        switch (drv->pc) {
        case PC_END:
            return false;

        /* ---- open: tulip_open -> tulip_init_ring, tulip_up ---- */
        case PC_OPEN_INIT:
            init_rings(drv);
            drv->pc = PC_OPEN_RESET;
            break;
        case PC_OPEN_RESET:
            emit_write(drv, op, TULIP_CSR(0), TULIP_CSR0_SWR, PC_OPEN_CSR0);
            return true;
        case PC_OPEN_CSR0:
            emit_write(drv, op, TULIP_CSR(0), drv->cfg.csr0, PC_OPEN_CSR3);
            return true;
        case PC_OPEN_CSR3:
            emit_write(drv, op, TULIP_CSR(3), (uint32_t)drv->rx_ring,
                       PC_OPEN_CSR4);
            return true;
        case PC_OPEN_CSR4:
            emit_write(drv, op, TULIP_CSR(4), (uint32_t)drv->tx_ring,
                       PC_OPEN_STOP);
            return true;
        case PC_OPEN_STOP:
            drv->cur_rx = drv->dirty_rx = 0;
            drv->cur_tx = drv->dirty_tx = 0;
            post_setup_frame(drv);
            call(drv, PC_STOP, PC_OPEN_TXON);
            break;
        case PC_OPEN_TXON:
            emit_write(drv, op, TULIP_CSR(6), drv->csr6 | TULIP_CSR6_ST,
                       PC_OPEN_CSR5);
            return true;
        case PC_OPEN_CSR5:
            emit_write(drv, op, TULIP_CSR(5), valid, PC_OPEN_CSR7);
            return true;
        case PC_OPEN_CSR7:
            emit_write(drv, op, TULIP_CSR(7), valid, PC_OPEN_START);
            return true;
        case PC_OPEN_START:
            call(drv, PC_START, PC_OPEN_CSR2);
            break;
        case PC_OPEN_CSR2:
            emit_write(drv, op, TULIP_CSR(2), 0, PC_OPEN_DONE);
            return true;
        case PC_OPEN_DONE:
            drv->open = true;
            drv->queue_stopped = false;
            drv->pc = PC_END;
            break;

        /* ---- xmit: tulip_start_xmit's poll demand ---- */
        case PC_XMIT_KICK:
            emit_write(drv, op, TULIP_CSR(1), 0, PC_END);
            return true;

        /* ---- interrupt: tulip_interrupt, non-NAPI ---- */
        case PC_ISR_READ:
            emit_read(drv, op, TULIP_CSR(5), PC_ISR_CHECK);
            return true;
        case PC_ISR_CHECK:
            drv->csr5 = drv->value;
            if (!(drv->csr5 & (NORMAL_INTR | ABNORMAL_INTR))) {
                drv->stats.isr_not_ours++;
                drv->pc = PC_END;
                break;
            }
            drv->pc = PC_ISR_ACK;
            break;
        case PC_ISR_ACK:
            drv->stats.isr_loops++;
            emit_write(drv, op, TULIP_CSR(5), drv->csr5 & ACK_MASK,
                       PC_ISR_WORK);
            return true;
        case PC_ISR_WORK:
            if (drv->csr5 & (RX_INTR | RX_NOBUF)) {
                drv->rx_done += do_rx(drv);
                refill_rx(drv);
            }
            drv->pc = PC_ISR_ABNORMAL;
            if (drv->csr5 & (TX_NOBUF | TX_DIED | TX_INTR | TIMER_INT)) {
                drv->tx_done += reap_tx(drv);
                if (drv->csr5 & TX_DIED) {
                    call_restart(drv, PC_ISR_ABNORMAL);
                }
            }
            break;
        case PC_ISR_ABNORMAL:
            if (!(drv->csr5 & ABNORMAL_INTR)) {
                drv->pc = PC_ISR_TIMER;
                break;
            }
            if (drv->csr5 == 0xffffffffu) {
                drv->pc = PC_ISR_AFTER;         /* the device is gone */
                break;
            }
            if (drv->csr5 & TX_JABBER) {
                drv->stats.tx_errors++;
            }
            drv->pc = PC_ISR_RPS;
            if (drv->csr5 & TX_UNDERFLOW) {
                if ((drv->csr6 & 0xc000u) != 0xc000u) {
                    drv->csr6 += 0x4000u;       /* raise the threshold */
                } else {
                    drv->csr6 |= 0x00200000u;   /* store and forward */
                }
                call_restart(drv, PC_ISR_UNF_KICK);
            }
            break;
        case PC_ISR_UNF_KICK:
            emit_write(drv, op, TULIP_CSR(1), 0, PC_ISR_RPS);
            return true;
        case PC_ISR_RPS:
            if (drv->csr5 & RX_DIED) {
                emit_read(drv, op, TULIP_CSR(8), PC_ISR_RPS_READ);
                return true;
            }
            drv->pc = PC_ISR_CLEAR;
            break;
        case PC_ISR_RPS_READ:
            drv->stats.rx_missed_errors += drv->value & 0xffffu;
            drv->stats.rx_errors++;
            call(drv, PC_START, PC_ISR_CLEAR);
            break;
        case PC_ISR_CLEAR:
            drv->other_done++;
            emit_write(drv, op, TULIP_CSR(5), CLEAR_ERRORS, PC_ISR_TIMER);
            return true;
        case PC_ISR_TIMER:
            if (drv->csr5 & TIMER_INT) {
                drv->other_done++;
                emit_write(drv, op, TULIP_CSR(7), valid, PC_ISR_LIMITS);
                return true;
            }
            drv->pc = PC_ISR_LIMITS;
            break;
        case PC_ISR_LIMITS:
            if (drv->tx_done > drv->tx_size || drv->rx_done > drv->rx_size
                || drv->other_done > drv->tx_size) {
                drv->stats.isr_too_much_work++;
                emit_write(drv, op, TULIP_CSR(5), ACK_ALL, PC_ISR_TM_CSR7);
                return true;
            }
            drv->pc = --drv->work_left == 0 ? PC_ISR_AFTER : PC_ISR_REREAD;
            break;
        case PC_ISR_TM_CSR7:
            emit_write(drv, op, TULIP_CSR(7),
                       ((~drv->csr5) & valid) | ABNORMAL_INTR | TIMER_INT,
                       PC_ISR_TM_CSR11);
            return true;
        case PC_ISR_TM_CSR11:
            emit_write(drv, op, TULIP_CSR(11), TIMER_RELOAD, PC_ISR_AFTER);
            return true;
        case PC_ISR_REREAD:
            emit_read(drv, op, TULIP_CSR(5), PC_ISR_LOOP);
            return true;
        case PC_ISR_LOOP:
            drv->csr5 = drv->value;
            drv->pc = (drv->csr5 & (NORMAL_INTR | ABNORMAL_INTR))
                      ? PC_ISR_ACK : PC_ISR_AFTER;
            break;
        case PC_ISR_AFTER:
            refill_rx(drv);
            emit_read(drv, op, TULIP_CSR(8), PC_ISR_MISSED);
            return true;
        case PC_ISR_MISSED: {
            uint32_t missed = drv->value & 0x1ffffu;
            if (missed) {
                drv->stats.rx_dropped += (missed & 0x10000u) ? 0x10000u
                                                            : missed;
            }
            drv->pc = PC_END;
            break;
        }

        /* ---- tulip_stop_rxtx ---- */
        case PC_STOP:
            emit_read(drv, op, TULIP_CSR(6), PC_STOP_CHECK);
            return true;
        case PC_STOP_CHECK:
            if (!(drv->value & TULIP_CSR6_RXTX)) {
                drv->pc = PC_RETURN;
                break;
            }
            drv->stop_polls = STOP_POLLS;
            emit_write(drv, op, TULIP_CSR(6), drv->value & ~TULIP_CSR6_RXTX,
                       PC_STOP_POLL);
            return true;
        case PC_STOP_POLL:
            if (--drv->stop_polls == 0) {
                drv->pc = PC_RETURN;
                break;
            }
            emit_read(drv, op, TULIP_CSR(5), PC_STOP_POLL_CHECK);
            return true;
        case PC_STOP_POLL_CHECK:
            drv->pc = (drv->value & (TULIP_CSR5_TS_MASK | TULIP_CSR5_RS_MASK))
                      ? PC_STOP_POLL : PC_RETURN;
            break;

        /* ---- tulip_start_rxtx ---- */
        case PC_START:
            emit_write(drv, op, TULIP_CSR(6), drv->csr6 | TULIP_CSR6_RXTX,
                       PC_START_READ);
            return true;
        case PC_START_READ:
            emit_read(drv, op, TULIP_CSR(6), PC_RETURN);
            return true;

        case PC_RETURN:
            SIM_ASSERT(drv->sp > 0);
            drv->pc = drv->ret[--drv->sp];
            break;
        }
    }
}

/* --- Public interface ----------------------------------------------------- */

static void
start(struct tulip_drv *drv, enum tulip_drv_program prog, enum pc pc)
{
    SIM_ASSERT(drv->prog == TULIP_PROG_IDLE);
    drv->prog = prog;
    drv->pc = pc;
    drv->sp = 0;
    drv->awaiting = false;
}

void
tulip_drv_open(struct tulip_drv *drv)
{
    SIM_ASSERT(!drv->open);
    start(drv, TULIP_PROG_OPEN, PC_OPEN_INIT);
    drv->stats.opens++;
}

int
tulip_drv_xmit(struct tulip_drv *drv, const uint8_t *frame, size_t len)
{
    SIM_ASSERT(drv->prog == TULIP_PROG_IDLE);
    if (!drv->open) {
        return ENETDOWN;
    }
    if (len < 1 || len > TULIP_DRV_MAX_FRAME) {
        return EINVAL;
    }
    if (drv->queue_stopped) {
        drv->stats.tx_busy++;
        return EBUSY;
    }

    uint32_t entry = drv->cur_tx % drv->tx_size;
    uint32_t outstanding = drv->cur_tx - drv->dirty_tx;
    uint64_t buf = drv->tx_bufs + (uint64_t)entry * TULIP_DRV_PKT_BUF_SZ;
    uint32_t flag;

    SIM_ASSERT(drv->tx_kind[entry] == TX_EMPTY);
    gmem_write(drv->mem, buf, frame, len);
    drv->step.bytes_posted += len;
    drv->tx_kind[entry] = TX_DATA;
    drv->tx_len[entry] = (uint16_t)len;
    desc_write(drv, tx_desc(drv, entry) + 8, (uint32_t)buf);

    if (outstanding < drv->tx_size / 2) {
        flag = FLAG_NO_IC;
    } else if (outstanding == drv->tx_size / 2) {
        flag = FLAG_IC;
    } else if (outstanding < drv->tx_size - 2) {
        flag = FLAG_NO_IC;
    } else {
        flag = FLAG_IC;                 /* leave room, stop the queue */
        drv->queue_stopped = true;
        drv->stats.queue_stops++;
    }
    if (entry == drv->tx_size - 1) {
        flag = FLAG_IC | TULIP_TDES1_TER;
    }
    desc_write(drv, tx_desc(drv, entry) + 4, (uint32_t)len | flag);
    desc_write(drv, tx_desc(drv, entry), TULIP_DES0_OWN);
    drv->cur_tx++;
    drv->stats.xmits++;
    start(drv, TULIP_PROG_XMIT, PC_XMIT_KICK);
    return 0;
}

void
tulip_drv_interrupt(struct tulip_drv *drv)
{
    SIM_ASSERT(drv->open);
    start(drv, TULIP_PROG_ISR, PC_ISR_READ);
    drv->rx_done = drv->tx_done = drv->other_done = 0;
    drv->work_left = drv->cfg.max_interrupt_work;
    drv->stats.isrs++;
}

void
tulip_drv_next(struct tulip_drv *drv, struct tulip_op *op)
{
    SIM_ASSERT(!drv->awaiting);
    if (drv->prog == TULIP_PROG_IDLE) {
        op->kind = TULIP_OP_NONE;
        op->offset = 0;
        op->value = 0;
        memset(&drv->last, 0, sizeof drv->last);
        return;
    }
    if (!run(drv, op)) {
        op->kind = TULIP_OP_NONE;
        op->offset = 0;
        op->value = 0;
        drv->prog = TULIP_PROG_IDLE;
    }
    drv->last = drv->step;
    work_add(&drv->stats.work, &drv->step);
    memset(&drv->step, 0, sizeof drv->step);
}

void
tulip_drv_complete(struct tulip_drv *drv, uint32_t value)
{
    SIM_ASSERT(drv->awaiting);
    drv->awaiting = false;
    drv->value = value;
}

const struct tulip_drv_work *
tulip_drv_step_work(const struct tulip_drv *drv)
{
    return &drv->last;
}

bool
tulip_drv_busy(const struct tulip_drv *drv)
{
    return drv->prog != TULIP_PROG_IDLE;
}

enum tulip_drv_program
tulip_drv_program(const struct tulip_drv *drv)
{
    return drv->prog;
}

bool
tulip_drv_is_open(const struct tulip_drv *drv)
{
    return drv->open;
}

bool
tulip_drv_queue_stopped(const struct tulip_drv *drv)
{
    return drv->queue_stopped;
}

uint32_t
tulip_drv_tx_outstanding(const struct tulip_drv *drv)
{
    return drv->cur_tx - drv->dirty_tx;
}

uint64_t
tulip_drv_rx_ring_gpa(const struct tulip_drv *drv)
{
    return drv->rx_ring;
}

uint64_t
tulip_drv_tx_ring_gpa(const struct tulip_drv *drv)
{
    return drv->tx_ring;
}

const struct tulip_drv_stats *
tulip_drv_stats(const struct tulip_drv *drv)
{
    return &drv->stats;
}

/* --- Creation ------------------------------------------------------------- */

int
tulip_drv_create(const struct tulip_drv_config *cfg, struct tulip_drv **out)
{
    struct tulip_drv *drv;
    struct tulip_drv_config c;

    *out = NULL;
    if (!cfg || !cfg->mem) {
        return EINVAL;
    }
    c = *cfg;
    c.rx_ring = c.rx_ring ? c.rx_ring : TULIP_DRV_RX_RING;
    c.tx_ring = c.tx_ring ? c.tx_ring : TULIP_DRV_TX_RING;
    c.csr0 = c.csr0 ? c.csr0 : TULIP_DRV_CSR0;
    c.rx_copybreak = c.rx_copybreak ? c.rx_copybreak : TULIP_DRV_COPYBREAK;
    c.max_interrupt_work = c.max_interrupt_work ? c.max_interrupt_work
                                                : TULIP_DRV_MAX_WORK;
    if (c.rx_ring < 2 || c.rx_ring > 4096 || c.tx_ring < 4
        || c.tx_ring > 4096 || (c.csr0 & TULIP_CSR0_SWR)
        || (c.csr6 & TULIP_CSR6_RXTX)) {
        return EINVAL;
    }
    if (c.promiscuous) {
        c.csr6 |= TULIP_CSR6_PR | TULIP_CSR6_PM;
    }

    drv = calloc(1, sizeof *drv);
    if (!drv) {
        return ENOMEM;
    }
    drv->cfg = c;
    drv->mem = c.mem;
    drv->rx_size = c.rx_ring;
    drv->tx_size = c.tx_ring;
    drv->csr6 = c.csr6;
    drv->rx_has_buf = calloc(c.rx_ring, sizeof *drv->rx_has_buf);
    drv->tx_kind = calloc(c.tx_ring, sizeof *drv->tx_kind);
    drv->tx_len = calloc(c.tx_ring, sizeof *drv->tx_len);
    if (!drv->rx_has_buf || !drv->tx_kind || !drv->tx_len) {
        tulip_drv_destroy(drv);
        return ENOMEM;
    }

    /* Rings, buffers and the setup frame, in this order.  Descriptor
     * addresses are 32-bit: everything must lie below 4 GiB. */
    drv->rx_ring = gmem_alloc(c.mem, (uint64_t)c.rx_ring * TULIP_DESC_BYTES);
    drv->tx_ring = gmem_alloc(c.mem, (uint64_t)c.tx_ring * TULIP_DESC_BYTES);
    drv->rx_bufs = gmem_alloc(c.mem, (uint64_t)c.rx_ring * TULIP_DRV_PKT_BUF_SZ);
    drv->tx_bufs = gmem_alloc(c.mem, (uint64_t)c.tx_ring * TULIP_DRV_PKT_BUF_SZ);
    drv->setup = gmem_alloc(c.mem, TULIP_SETUP_FRAME_BYTES);
    if (!drv->rx_ring || !drv->tx_ring || !drv->rx_bufs || !drv->tx_bufs
        || !drv->setup) {
        tulip_drv_destroy(drv);
        return ENOMEM;
    }
    if (drv->setup + TULIP_SETUP_FRAME_BYTES > UINT64_C(0x100000000)) {
        tulip_drv_destroy(drv);
        return EINVAL;
    }
    *out = drv;
    return 0;
}

void
tulip_drv_destroy(struct tulip_drv *drv)
{
    if (drv) {
        free(drv->rx_has_buf);
        free(drv->tx_kind);
        free(drv->tx_len);
        free(drv);
    }
}
