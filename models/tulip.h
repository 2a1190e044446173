/*
 * tulip.h -- the legacy network adapter of a Hyper-V generation 1 virtual
 * machine: the DEC 21140A "tulip" Fast Ethernet controller that the worker
 * process emulates (struct tulip_dev), and the Linux tulip driver that a
 * guest runs against it (struct tulip_drv).  Both are pure logic over real
 * bytes: descriptors and buffers live in guest physical memory
 * (models/gmem.h) and frames are real Ethernet frames.  Neither knows time.
 *
 * WHY IT MATTERS.  Every guest access to a CSR of this device is a VM exit,
 * an intercept routed to the root partition and emulation in the
 * user-mode worker process (FACTS.md §4.1, §7.3).  The cost of the legacy
 * adapter is therefore a count of register accesses, and this module makes
 * that count exact: the driver model emits, one at a time, the CSR reads
 * and writes the Linux driver performs, and the device model says what
 * each access did (descriptors fetched, bytes moved, frames sent, the
 * interrupt line).  The integration layer turns each access into an exit
 * and each unit of reported work into cycles through the platform profile.
 *
 * ====================================================================
 * THE DEVICE (tulip.c)
 * ====================================================================
 *
 * REGISTERS (FACTS.md §4.2).  Sixteen 32-bit CSRs at offsets 0x00..0x78,
 * step 8, in a 128-byte I/O window.  tulip_csr_read()/tulip_csr_write()
 * take the offset; an offset that is not a multiple of 8 or lies beyond
 * CSR15 reads all ones, ignores writes, and is counted (bad_accesses).
 *
 *   CSR0  bus mode.  SWR (bit 0) resets the whole device to its power-on
 *         state (see RESET); DSL (bits 2-6) is the descriptor skip length
 *         in longwords used in ring mode; TAP (bits 17-19) is stored and
 *         its period offered by tulip_tap_period_ps().  DBO, BLE, PBL,
 *         CAL and the PCI bits are stored and have no effect: descriptors
 *         and buffers are always little-endian.
 *   CSR1  transmit poll demand (any write; reads return all ones).
 *   CSR2  receive poll demand (any write; reads return all ones).
 *   CSR3  receive list base, CSR4 transmit list base.  A write stores the
 *         address with bits 1:0 cleared and moves the process's current
 *         descriptor to it.
 *   CSR5  status.  Bits 0..16 are write-one-to-clear; RS (17-19), TS
 *         (20-22) and EB (23-25) are read-only and reflect the processes.
 *         NIS (16) and AIS (15) are recomputed after every change by the
 *         interrupt summary rule below, so writing them has no lasting
 *         effect while an enabled source remains.
 *   CSR6  operation mode.  SR (bit 1) and ST (bit 13) start and stop the
 *         receive and transmit processes on their 0->1 and 1->0 edges;
 *         PR (6) passes every frame, PM (7) every multicast.  HP (0), HO
 *         (2) and IF (4) read back the filtering mode the last setup
 *         frame selected; writes to them are ignored.
 *   CSR7  interrupt enable, same layout as CSR5 bits 0..16 (bits above 16
 *         are not stored).  The Linux driver enables 0x0001ebef, the
 *         21140's valid_intrs (FACTS.md §4.1).
 *   CSR8  missed frames: count in bits 0-15, overflow in bit 16; the count
 *         saturates at 0xffff and sets the overflow bit; a read returns
 *         both and clears them.  Writes are ignored.
 *   CSR9  SROM/MII management.  Writes are stored and have no effect;
 *         reads return the constant TULIP_CSR9_READ (all ones: no serial
 *         ROM or PHY answers).  Bit-banged SROM and MDIO are not modelled.
 *   CSR10 and CSR12..CSR15 are stored and read back.  CSR11 is the
 *         general-purpose timer: stored; tulip_gpt_count() and
 *         tulip_gpt_continuous() expose it and tulip_gpt_expire() is called
 *         by the integration when it expires, setting GTE.
 *
 * INTERRUPTS (FACTS.md §4.2, "Interrupt summary rule", after QEMU's
 * tulip_update_int).  With ie = CSR5 & CSR7:
 *   NIS = ie has any of TI, TU, RI, ERI, GTE       (normal summary)
 *   AIS = ie has any of TPS, TJT, LNP/ANC, UNF, RU, RPS, RWT, ETI, LNF, FBE
 *   line = (CSR5 & CSR7 & (NIS | AIS)) != 0         (level-triggered INTx)
 * The configuration flag gte_abnormal moves GTE from the normal to the
 * abnormal group (see doc: the 21140A data book is recalled to do so, and
 * the Linux driver's "too much work" masking assumes it; FACTS.md follows
 * QEMU, which models the 21143).  The irq callback is called with the new
 * level on every change of the line and never otherwise.
 *
 * TRANSMIT PROCESS (FACTS.md §4.2 descriptors, §4.3 QEMU behaviour).
 * States (CSR5.TS): stopped (0), running (1, "fetching descriptor"),
 * suspended (6).  ST 0->1 and a poll demand while suspended run the
 * process from the current descriptor:
 *   1. read the 16-byte descriptor (TDES0..3) at the current address;
 *   2. not owned (TDES0.OWN clear): suspend, set CSR5.TU, stop walking;
 *   3. setup frame (TDES1.SET): read buffer 1 (must be 192 bytes) and load
 *      the address filter (FT1:FT0 = TDES1 bits 28,22 choose perfect,
 *      hash, inverse or hash-only); nothing is transmitted; TDES0 is
 *      written 0x7fffffff (OWN clear), as the 21140 and QEMU do;
 *   4. data: FS starts a frame; buffer 1 (TDES1 bits 0-10 bytes at TDES2)
 *      and, in ring mode, buffer 2 (bits 11-21 at TDES3) are appended; at
 *      LS the frame (at most TULIP_TX_MAX_FRAME bytes, else dropped with
 *      TDES0.ES) is handed to the tx callback; TDES0 is written back with
 *      OWN clear (0: no errors are modelled);
 *   5. TI is set when a completed frame's last descriptor (or a setup
 *      descriptor) has IC;
 *   6. advance: TER (TDES1 bit 25) wraps to CSR4; else chain mode (TCH,
 *      bit 24) follows TDES3; else ring mode steps 16 + 4*DSL bytes.
 * A descriptor without FS while no frame is open is skipped (returned
 * with OWN clear and counted).  The frame handed to the callback carries
 * no FCS and is not padded: the device does not stand on a wire.
 *
 * "STILL RUNNING".  In the default (synchronous) mode the whole walk runs
 * inside the CSR1 write, so the process is running only during that call:
 * a poll demand that arrives meanwhile (from a callback) is ignored and
 * counted (poll_ignored_running), and the walk picks up any descriptors
 * added.  With tx_deferred the process is asynchronous, as an emulator
 * that queues transmit work does it: a poll demand (or ST 0->1, or a TAP
 * poll) only moves a suspended process to running, and the integration
 * advances it with tulip_tx_service(dev, max_frames), frame by frame, when
 * the worker gets to it.  Poll demands while it is running are ignored,
 * so a kick while the ring is still being drained raises no TU; TU is set
 * once, when the walk finally finds a descriptor it does not own
 * (FACTS.md §4.3, last row of the exit table).  The integration calls
 * tulip_tx_service() whenever tulip_tx_running() is true after a CSR
 * write or TAP poll (also after the driver's open, whose ST edge starts
 * the process on the setup frame).
 *
 * RECEIVE PROCESS.  States (CSR5.RS): stopped (0), running and waiting
 * for a frame (3), suspended (4).  SR 0->1 makes it wait (descriptors are
 * fetched when a frame arrives).  tulip_receive(dev, frame, len):
 *   1. len outside [14, TULIP_RX_MAX_FRAME]: TULIP_RX_INVALID;
 *   2. stopped: TULIP_RX_STOPPED (not counted in CSR8);
 *   3. destination refused by the filter: TULIP_RX_FILTERED.  Accepted:
 *      PR; broadcast (always, as QEMU does; the Linux driver also puts
 *      broadcast in every setup frame); multicast with PM; otherwise the
 *      setup frame's filter (no address matches before the first setup
 *      frame);
 *   4. the frame plus its 4-byte FCS (a real CRC-32, as the chip writes
 *      it) must fit in owned descriptors found from the current one
 *      (buffer 1 and, in ring mode, buffer 2 of each; at most
 *      TULIP_RX_MAX_DESCS descriptors, never the same one twice).  If not:
 *      RU is set, the process is suspended, CSR8 counts one missed frame,
 *      nothing is written and the current descriptor does not move:
 *      TULIP_RX_MISSED;
 *   5. otherwise the bytes are written, each used descriptor gets RDES0
 *      with OWN clear, the first FS, the last LS and FL = len + 4 (the
 *      chip counts the CRC; the Linux driver subtracts 4), plus MF for a
 *      multicast destination, FT for an Ethernet type field (> 1500), and
 *      TL|ES when FL > 1518; RI is set and the process waits again:
 *      TULIP_RX_ACCEPTED.
 * A suspended process re-fetches the current descriptor at the next frame
 * (which is how the Linux driver, which never writes CSR2 on a 21140,
 * resumes reception after RU), or at a CSR2 poll demand.
 *
 * DMA.  Every guest-memory access is checked against the memory's size;
 * one outside it is a fatal bus error: FBE is set, EB = 1 (master abort),
 * both processes stop, and only SWR recovers.
 *
 * RESET.  At creation and on SWR: all CSRs 0 (so RS = TS = stopped and no
 * interrupt enabled), current descriptors 0, filter empty, missed count 0,
 * no frame in assembly; the line is recomputed (and falls, with a
 * callback, if it was high).  The work counters are not reset.
 *
 * WORK (struct tulip_dev_stats, for the cost model).  CSR reads and writes
 * per register; descriptor fetches (16 bytes each) and status write-backs
 * (4 bytes each); bytes DMAed from and to guest memory; frames sent,
 * received, missed, filtered, refused; setup frames; poll demands.
 *
 * ====================================================================
 * THE DRIVER (tulip-drv.c)
 * ====================================================================
 *
 * The Linux tulip driver's non-NAPI paths (FACTS.md §4.3; Linux
 * drivers/net/ethernet/dec/tulip/tulip_core.c, interrupt.c, tulip.h) as
 * resumable programs.  The driver never calls the device: it emits
 * operations, and the integration performs each one on the device (one VM
 * exit each), then asks for the next:
 *
 *     tulip_drv_interrupt(drv);                    (or _open, _xmit)
 *     for (;;) {
 *         struct tulip_op op;
 *         tulip_drv_next(drv, &op);                (memory work happens here)
 *         charge(tulip_drv_step_work(drv));        (what it did before op)
 *         if (op.kind == TULIP_OP_NONE) break;
 *         exit ...;
 *         if (op.kind == TULIP_OP_CSR_READ)
 *             tulip_drv_complete(drv, tulip_csr_read(dev, op.offset));
 *         else
 *             tulip_csr_write(dev, op.offset, op.value);
 *     }
 *
 * Memory-only work (descriptor reads and writes in guest memory, frames
 * delivered, bytes copied, buffers replaced) is done between operations
 * and reported by tulip_drv_step_work() for the step that preceded each
 * operation (or the end).
 *
 * PROGRAMS.
 *   open  (tulip_open: tulip_init_ring + tulip_up, 21140 without MII):
 *         rings built in memory (RX: N descriptors owned by the chip, each
 *         with a PKT_BUF_SZ = 1540-byte buffer, RER on the last; TX: 32
 *         descriptors, empty); then W CSR0 = SWR; W CSR0 = csr0
 *         (0x01a08000 by default, the x86 value); W CSR3; W CSR4; the
 *         setup frame (broadcast in entries 0..14, the MAC in entry 15) on
 *         TX entry 0; R CSR6 (tulip_stop_rxtx: nothing to stop); W CSR6 =
 *         csr6|ST (the chip loads the filter); W CSR5 = 0x0001ebef;
 *         W CSR7 = 0x0001ebef; W CSR6 = csr6|SR|ST; R CSR6; W CSR2 = 0.
 *         Eleven accesses.
 *   xmit  (tulip_start_xmit): the frame is placed in the entry's buffer,
 *         TDES1 = len | flags, TDES0 = OWN (memory), then one operation:
 *         W CSR1 = 0.  Flags: FS|LS while fewer than TX_RING/2 are
 *         outstanding; IC|FS|LS at exactly TX_RING/2; FS|LS below
 *         TX_RING-2; IC|FS|LS and the queue stops at TX_RING-2 or more;
 *         IC|FS|LS|TER on the last entry.  tulip_drv_xmit() returns EBUSY
 *         while the queue is stopped.
 *   isr   (tulip_interrupt): R CSR5; not ours (no NIS|AIS): done.  Loop:
 *         W CSR5 = csr5 & 0x0001ffff; RI|RU: receive and refill (memory);
 *         TI|TPS|TU|GTE: reap the TX ring (memory; TPS also restarts the
 *         processes); AIS: RPS reads CSR8 and restarts RX, then
 *         W CSR5 = 0x0800f7ba; GTE: W CSR7 = valid_intrs; too much work
 *         (more than TX_RING frames reaped, RX_RING received or TX_RING
 *         other events): W CSR5 = 0x8001ffff, W CSR7 = (~csr5 &
 *         0x0001ebef)|AIS|GTE, W CSR11 = 0x12, leave; after
 *         max_interrupt_work (25) iterations, leave; else R CSR5 and loop
 *         while it has NIS|AIS.  Then refill (memory) and R CSR8.
 *         One isolated frame either way costs R, W, R, R: four accesses.
 *
 * SERIALISATION.  One program runs at a time, from its start to the NONE
 * operation.  Starting another meanwhile is a model bug and asserts: in
 * the guest, tulip_start_xmit holds the driver lock with interrupts off,
 * so an interrupt that arrives during an xmit program is delivered after
 * it (the integration keeps it pending and calls tulip_drv_interrupt()
 * when tulip_drv_busy() turns false), and the transmit path does not run
 * inside the ISR.
 *
 * NOT MODELLED.  Media selection and the media timer (CSR12 and MDIO
 * traffic), the NAPI build, tulip_down/close, set_rx_mode with
 * multicast lists, transmit timeouts, and running out of receive buffers
 * (a refill always succeeds; a buffer handed to the stack is replaced by
 * "a new one" at the same guest address, and the replacement is counted).
 *
 * OWNERSHIP AND DETERMINISM.  Each object belongs to its creator; the
 * guest memory must outlive it.  Addresses come from gmem_alloc() in
 * creation order.  Callback contexts are never dereferenced.  No
 * allocation after creation, no time, no randomness.
 */
#ifndef VNETSIM_MODELS_TULIP_H
#define VNETSIM_MODELS_TULIP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gmem;

/* --- Register map (FACTS.md §4.2) ---------------------------------------- */

#define TULIP_CSR(n) ((uint32_t)(n) << 3)   /* offset of CSRn */
#define TULIP_NUM_CSRS 16u
#define TULIP_IO_BYTES 128u                 /* size of the I/O window */

#define TULIP_CSR0_SWR 0x00000001u
#define TULIP_CSR0_DSL_SHIFT 2
#define TULIP_CSR0_DSL_MASK 0x1fu
#define TULIP_CSR0_TAP_SHIFT 17
#define TULIP_CSR0_TAP_MASK 0x7u

#define TULIP_CSR5_TI (1u << 0)             /* transmit interrupt */
#define TULIP_CSR5_TPS (1u << 1)            /* transmit process stopped */
#define TULIP_CSR5_TU (1u << 2)             /* transmit buffer unavailable */
#define TULIP_CSR5_TJT (1u << 3)            /* transmit jabber timeout */
#define TULIP_CSR5_LNP (1u << 4)            /* link pass / autoneg done */
#define TULIP_CSR5_UNF (1u << 5)            /* transmit underflow */
#define TULIP_CSR5_RI (1u << 6)             /* receive interrupt */
#define TULIP_CSR5_RU (1u << 7)             /* receive buffer unavailable */
#define TULIP_CSR5_RPS (1u << 8)            /* receive process stopped */
#define TULIP_CSR5_RWT (1u << 9)            /* receive watchdog timeout */
#define TULIP_CSR5_ETI (1u << 10)           /* early transmit interrupt */
#define TULIP_CSR5_GTE (1u << 11)           /* general-purpose timer expired */
#define TULIP_CSR5_LNF (1u << 12)           /* link fail */
#define TULIP_CSR5_FBE (1u << 13)           /* fatal bus error */
#define TULIP_CSR5_ERI (1u << 14)           /* early receive interrupt */
#define TULIP_CSR5_AIS (1u << 15)           /* abnormal interrupt summary */
#define TULIP_CSR5_NIS (1u << 16)           /* normal interrupt summary */
#define TULIP_CSR5_W1C 0x0001ffffu          /* write-one-to-clear bits */
#define TULIP_CSR5_RS_SHIFT 17
#define TULIP_CSR5_TS_SHIFT 20
#define TULIP_CSR5_EB_SHIFT 23
#define TULIP_CSR5_RS_MASK (7u << TULIP_CSR5_RS_SHIFT)
#define TULIP_CSR5_TS_MASK (7u << TULIP_CSR5_TS_SHIFT)
#define TULIP_CSR5_EB_MASK (7u << TULIP_CSR5_EB_SHIFT)

/* Process states as CSR5 shows them (the subset this model enters). */
enum tulip_tx_state {
    TULIP_TS_STOPPED = 0,
    TULIP_TS_RUNNING = 1,                   /* fetching descriptors */
    TULIP_TS_SUSPENDED = 6,                 /* unowned descriptor */
};
enum tulip_rx_state {
    TULIP_RS_STOPPED = 0,
    TULIP_RS_WAITING = 3,                   /* running, waiting for a frame */
    TULIP_RS_SUSPENDED = 4,                 /* no receive buffer */
};

#define TULIP_CSR6_HP (1u << 0)             /* hash/perfect (read-only) */
#define TULIP_CSR6_SR (1u << 1)             /* start/stop receive */
#define TULIP_CSR6_HO (1u << 2)             /* hash-only (read-only) */
#define TULIP_CSR6_IF (1u << 4)             /* inverse filter (read-only) */
#define TULIP_CSR6_PR (1u << 6)             /* promiscuous */
#define TULIP_CSR6_PM (1u << 7)             /* pass all multicast */
#define TULIP_CSR6_ST (1u << 13)            /* start/stop transmit */
#define TULIP_CSR6_RXTX (TULIP_CSR6_SR | TULIP_CSR6_ST)

#define TULIP_CSR7_MASK 0x0001ffffu         /* stored bits of CSR7 */
#define TULIP_CSR8_COUNT_MASK 0xffffu
#define TULIP_CSR8_OVERFLOW (1u << 16)
#define TULIP_CSR9_READ 0xffffffffu         /* what CSR9 reads return */
#define TULIP_CSR11_COUNT_MASK 0xffffu
#define TULIP_CSR11_CON (1u << 16)          /* continuous mode */

/* The 21140's interrupt set (Linux tulip_tbl "valid_intrs", §4.1). */
#define TULIP_21140_VALID_INTRS 0x0001ebefu

/* --- Descriptors (FACTS.md §4.2) ----------------------------------------- */

#define TULIP_DESC_BYTES 16u
#define TULIP_DES0_OWN (1u << 31)

#define TULIP_TDES0_ES (1u << 15)
#define TULIP_TDES0_SETUP_DONE 0x7fffffffu  /* status of a used setup desc */
#define TULIP_TDES1_IC (1u << 31)
#define TULIP_TDES1_LS (1u << 30)
#define TULIP_TDES1_FS (1u << 29)
#define TULIP_TDES1_FT1 (1u << 28)
#define TULIP_TDES1_SET (1u << 27)
#define TULIP_TDES1_AC (1u << 26)
#define TULIP_TDES1_TER (1u << 25)
#define TULIP_TDES1_TCH (1u << 24)
#define TULIP_TDES1_DPD (1u << 23)
#define TULIP_TDES1_FT0 (1u << 22)

#define TULIP_RDES0_FL_SHIFT 16
#define TULIP_RDES0_FL_MASK 0x3fffu
#define TULIP_RDES0_ES (1u << 15)
#define TULIP_RDES0_MF (1u << 10)
#define TULIP_RDES0_FS (1u << 9)
#define TULIP_RDES0_LS (1u << 8)
#define TULIP_RDES0_TL (1u << 7)
#define TULIP_RDES0_FT (1u << 5)
#define TULIP_RDES1_RER (1u << 25)
#define TULIP_RDES1_RCH (1u << 24)

/* Buffer sizes in TDES1/RDES1: buffer 1 in bits 0-10, buffer 2 in 11-21. */
#define TULIP_DES1_SIZE_MASK 0x7ffu
#define TULIP_DES1_SIZE2_SHIFT 11

#define TULIP_SETUP_FRAME_BYTES 192u
#define TULIP_FILTER_ENTRIES 16u
#define TULIP_FCS_BYTES 4u
#define TULIP_TX_MAX_FRAME 2048u            /* assembly buffer, as QEMU's */
#define TULIP_RX_MIN_FRAME 14u
#define TULIP_RX_MAX_FRAME (2048u - TULIP_FCS_BYTES)
#define TULIP_RX_MAX_DESCS 64u              /* descriptors for one frame */

/* ======================================================================== */
/* The device                                                               */
/* ======================================================================== */

struct tulip_dev;

/* Called with each transmitted frame ('len' bytes, no FCS); the bytes are
 * valid during the call only.  May call tulip_receive() (loopback through
 * a switch) and read or write CSRs; a poll demand made meanwhile is
 * ignored, the walk in progress continues. */
typedef void tulip_tx_fn(void *ctx, const uint8_t *frame, size_t len);

/* Called when the interrupt line changes, with its new level. */
typedef void tulip_irq_fn(void *ctx, bool level);

struct tulip_dev_config {
    struct gmem *mem;               /* guest memory; required */
    tulip_tx_fn *tx;                /* NULL: frames are counted, dropped */
    tulip_irq_fn *irq;              /* NULL: poll tulip_irq_level() */
    void *ctx;                      /* for both callbacks */
    bool tx_deferred;               /* see "STILL RUNNING" above */
    bool gte_abnormal;              /* GTE summarised by AIS, not NIS */
};

/* Why tulip_receive() did what it did. */
enum tulip_rx_result {
    TULIP_RX_ACCEPTED,              /* in guest memory, RI set */
    TULIP_RX_FILTERED,              /* destination refused */
    TULIP_RX_MISSED,                /* no room: RU, counted in CSR8 */
    TULIP_RX_STOPPED,               /* receive process stopped */
    TULIP_RX_INVALID,               /* length outside [14, 2044] */
};

/* Work counters.  Monotonic; never reset (not even by SWR). */
struct tulip_dev_stats {
    uint64_t csr_reads[TULIP_NUM_CSRS];
    uint64_t csr_writes[TULIP_NUM_CSRS];
    uint64_t bad_accesses;          /* unaligned or out-of-window offsets */
    uint64_t desc_reads;            /* 16-byte descriptor fetches */
    uint64_t desc_writes;           /* 4-byte status write-backs */
    uint64_t dma_read_bytes;        /* guest memory -> device (TX, setup) */
    uint64_t dma_write_bytes;       /* device -> guest memory (RX + FCS) */
    uint64_t frames_sent, bytes_sent;
    uint64_t frames_received, bytes_received;   /* bytes without FCS */
    uint64_t frames_missed;         /* no owned descriptor (CSR8) */
    uint64_t frames_filtered;
    uint64_t frames_stopped;        /* arrived while RX was stopped */
    uint64_t frames_invalid;
    uint64_t setup_frames;          /* filter loads */
    uint64_t setup_errors;          /* setup descriptor not 192 bytes */
    uint64_t tx_desc_errors;        /* data descriptor without FS */
    uint64_t tx_oversize;           /* frames over TULIP_TX_MAX_FRAME */
    uint64_t tx_suspends;           /* walks ended on an unowned desc (TU) */
    uint64_t poll_demands;          /* CSR1 writes and TAP polls */
    uint64_t poll_ignored_running;  /* ... while the process was running */
    uint64_t poll_ignored_stopped;  /* ... while it was stopped */
    uint64_t rx_poll_demands;       /* CSR2 writes */
    uint64_t soft_resets;
    uint64_t bus_errors;
    uint64_t irq_raises, irq_lowers;
};

/* Creates a device in its power-on state.  Returns 0, EINVAL (no memory
 * given) or ENOMEM. */
int tulip_dev_create(const struct tulip_dev_config *cfg,
                     struct tulip_dev **out);
void tulip_dev_destroy(struct tulip_dev *dev);      /* accepts NULL */

/* A guest register access at 'offset' in the I/O window. */
uint32_t tulip_csr_read(struct tulip_dev *dev, uint32_t offset);
void tulip_csr_write(struct tulip_dev *dev, uint32_t offset, uint32_t value);

/* A frame arriving from the switch ('len' bytes, no FCS). */
enum tulip_rx_result tulip_receive(struct tulip_dev *dev,
                                   const uint8_t *frame, size_t len);

/* Deferred mode: true while the transmit process is running (it has work
 * the integration has not yet asked for).  Always false in synchronous
 * mode outside a CSR1 write. */
bool tulip_tx_running(const struct tulip_dev *dev);

/* Deferred mode: runs the transmit process for at most 'max_frames'
 * frames (a setup frame and a skipped descriptor count as one) and
 * returns how many it handled.  It suspends (setting TU) when it reaches
 * a descriptor it does not own; if it stops at the limit it stays
 * running.  Does nothing unless running.  Usable in synchronous mode too,
 * where it always returns 0. */
size_t tulip_tx_service(struct tulip_dev *dev, size_t max_frames);

/* The transmit automatic polling period selected by CSR0.TAP, in ps; 0
 * when off (FACTS.md §4.2 and §5, de4x5.h: 200 us, 800 us, 1.6 ms,
 * 12.8 us, 25.6 us, 51.2 us, 102.4 us for TAP = 1..7). */
int64_t tulip_tap_period_ps(const struct tulip_dev *dev);

/* The integration's TAP timer fired: a poll demand that is not a CSR
 * access, acting only on a suspended process (the chip polls only then).
 * Returns whether it started the process. */
bool tulip_tap_poll(struct tulip_dev *dev);

/* The general-purpose timer (CSR11): its count and continuous bit, and
 * its expiry (sets CSR5.GTE).  The count's unit is the integration's. */
uint32_t tulip_gpt_count(const struct tulip_dev *dev);
bool tulip_gpt_continuous(const struct tulip_dev *dev);
void tulip_gpt_expire(struct tulip_dev *dev);

/* State, for the integration and tests. */
bool tulip_irq_level(const struct tulip_dev *dev);
enum tulip_tx_state tulip_tx_state(const struct tulip_dev *dev);
enum tulip_rx_state tulip_rx_state(const struct tulip_dev *dev);
uint64_t tulip_tx_current(const struct tulip_dev *dev);     /* GPA */
uint64_t tulip_rx_current(const struct tulip_dev *dev);     /* GPA */
bool tulip_filter_accepts(const struct tulip_dev *dev, const uint8_t dst[6]);
const struct tulip_dev_stats *tulip_dev_stats(const struct tulip_dev *dev);

/* The Ethernet CRC-32 (reflected polynomial 0xedb88320) of 'len' bytes,
 * continuing from 'crc' without pre- or post-inversion.  The FCS of a
 * frame is ~tulip_crc32(0xffffffff, frame, len), sent least significant
 * byte first; the setup frame's hash index is tulip_crc32(0xffffffff,
 * dst, 6) & 0x1ff (Linux ether_crc_le). */
uint32_t tulip_crc32(uint32_t crc, const uint8_t *p, size_t len);

/* ======================================================================== */
/* The guest driver                                                         */
/* ======================================================================== */

struct tulip_drv;

enum tulip_op_kind {
    TULIP_OP_NONE,                  /* the program has finished */
    TULIP_OP_CSR_READ,              /* answer with tulip_drv_complete() */
    TULIP_OP_CSR_WRITE,
};

struct tulip_op {
    enum tulip_op_kind kind;
    uint32_t offset;                /* TULIP_CSR(n) */
    uint32_t value;                 /* CSR_WRITE: the value written */
};

enum tulip_drv_program {
    TULIP_PROG_IDLE,
    TULIP_PROG_OPEN,
    TULIP_PROG_XMIT,
    TULIP_PROG_ISR,
};

/* A frame the driver hands to the guest's stack; the bytes are valid
 * during the call only. */
typedef void tulip_drv_rx_fn(void *ctx, const uint8_t *frame, size_t len);

/* Linux defaults (tulip.h, tulip_core.c). */
#define TULIP_DRV_RX_RING 128u
#define TULIP_DRV_TX_RING 32u
#define TULIP_DRV_PKT_BUF_SZ 1540u          /* 1536 + 4 */
#define TULIP_DRV_CSR0 0x01a08000u          /* x86 default bus mode */
#define TULIP_DRV_COPYBREAK 100u            /* x86 rx_copybreak */
#define TULIP_DRV_MAX_WORK 25u              /* max_interrupt_work */
#define TULIP_DRV_MAX_FRAME 1518u           /* largest frame accepted */

struct tulip_drv_config {
    struct gmem *mem;               /* required: rings and buffers */
    uint8_t mac[6];
    uint32_t rx_ring;               /* 0 = 128; 2 .. 4096 */
    uint32_t tx_ring;               /* 0 = 32; 4 .. 4096 */
    uint32_t csr0;                  /* 0 = TULIP_DRV_CSR0 */
    uint32_t csr6;                  /* mode bits besides SR/ST; 0 default */
    bool promiscuous;               /* sets PR|PM in csr6 */
    uint32_t rx_copybreak;          /* 0 = 100; frames shorter are copied */
    uint32_t max_interrupt_work;    /* 0 = 25 */
    tulip_drv_rx_fn *rx;            /* NULL: frames are counted only */
    void *ctx;
};

/* Memory-only work, for the cost model. */
struct tulip_drv_work {
    uint64_t desc_reads;            /* 32-bit descriptor words read */
    uint64_t desc_writes;           /* 32-bit descriptor words written */
    uint64_t frames_delivered;      /* to the stack (rx callback) */
    uint64_t bytes_delivered;
    uint64_t bytes_copied;          /* copybreak copies (short frames) */
    uint64_t buffers_replaced;      /* receive buffers handed up, renewed */
    uint64_t rx_refilled;           /* descriptors given back to the chip */
    uint64_t tx_reaped;             /* descriptors reclaimed */
    uint64_t bytes_posted;          /* frame bytes placed for transmit */
};

struct tulip_drv_stats {
    uint64_t csr_reads[TULIP_NUM_CSRS];
    uint64_t csr_writes[TULIP_NUM_CSRS];
    uint64_t opens, xmits, isrs;    /* programs started */
    uint64_t isr_not_ours;          /* ISR found no NIS|AIS */
    uint64_t isr_loops;             /* acknowledge-and-handle iterations */
    uint64_t isr_too_much_work;
    uint64_t tx_packets, tx_bytes, tx_errors;
    uint64_t tx_busy;               /* xmit refused: queue stopped */
    uint64_t queue_stops, queue_wakes;
    uint64_t rx_packets, rx_bytes;
    uint64_t rx_errors, rx_length_errors;
    uint64_t rx_missed_errors;      /* from CSR8 on RPS */
    uint64_t rx_dropped;            /* from CSR8 at the end of the ISR */
    struct tulip_drv_work work;     /* totals */
};

/* Creates a driver and allocates its rings, buffers and setup frame in
 * guest memory (deterministic addresses).  Returns 0, EINVAL (bad
 * configuration) or ENOMEM (guest memory exhausted: nothing usable is
 * left behind, but gmem space is not returned). */
int tulip_drv_create(const struct tulip_drv_config *cfg,
                     struct tulip_drv **out);
void tulip_drv_destroy(struct tulip_drv *drv);      /* accepts NULL */

/* Starts the open program.  Asserts the driver is idle and not open. */
void tulip_drv_open(struct tulip_drv *drv);

/* Queues a frame and starts the xmit program (one CSR1 write).  Returns
 * 0; EBUSY when the queue is stopped (nothing changes); EINVAL for a
 * length outside [1, TULIP_DRV_MAX_FRAME]; ENETDOWN before open has
 * finished.  Asserts the driver is idle. */
int tulip_drv_xmit(struct tulip_drv *drv, const uint8_t *frame, size_t len);

/* Starts the interrupt service program.  Asserts the driver is idle and
 * open (see SERIALISATION). */
void tulip_drv_interrupt(struct tulip_drv *drv);

/* The next operation of the running program, after doing the memory work
 * that precedes it; TULIP_OP_NONE when the program ends (the driver is
 * then idle; asking again while idle gives NONE again).  Asserts that the
 * last read has been completed. */
void tulip_drv_next(struct tulip_drv *drv, struct tulip_op *op);

/* The value of the CSR read the last tulip_drv_next() asked for. */
void tulip_drv_complete(struct tulip_drv *drv, uint32_t value);

/* The memory work done by the last tulip_drv_next() call (or by the
 * xmit/open call that started the program, for its first operation). */
const struct tulip_drv_work *tulip_drv_step_work(const struct tulip_drv *drv);

bool tulip_drv_busy(const struct tulip_drv *drv);
enum tulip_drv_program tulip_drv_program(const struct tulip_drv *drv);
bool tulip_drv_is_open(const struct tulip_drv *drv);
bool tulip_drv_queue_stopped(const struct tulip_drv *drv);
uint32_t tulip_drv_tx_outstanding(const struct tulip_drv *drv);
uint64_t tulip_drv_rx_ring_gpa(const struct tulip_drv *drv);
uint64_t tulip_drv_tx_ring_gpa(const struct tulip_drv *drv);
const struct tulip_drv_stats *tulip_drv_stats(const struct tulip_drv *drv);

#endif /* VNETSIM_MODELS_TULIP_H */
