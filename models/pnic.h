/*
 * pnic.h -- the physical NIC: queues with descriptor rings, receive
 * classification (VMQ filters, RSS), one MSI-X vector per queue with
 * interrupt moderation, and the offloads, between a link and a driver.
 *
 * WHAT IT MODELS.  The hardware of a multi-queue server NIC (an Intel
 * 82599-class 10 GbE part; 1/10/25/40/100 Gbit/s by its link), not its
 * driver: the driver is software that runs on the CPU model
 * (models/miniport.h) and talks to the NIC only through the calls below,
 * as a real driver talks through registers and descriptors.
 *
 * RECEIVE, STAGE BY STAGE (a frame whose last bit arrived from the link):
 *   1. Link down: dropped (PNIC_DROP_LINK_DOWN).
 *   2. Capture: the frame as on the wire goes to the NIC's pcap tap.
 *   3. Classification (models/rxfilter.h), on the frame as it came off
 *      the wire: a VMQ filter on (destination MAC, VLAN) picks the VM's
 *      queue; else, in RSS mode, the Toeplitz hash and the indirection
 *      table pick a queue (the hash goes to the metadata); else queue 0.
 *      RSS and VMQ exclude each other.
 *   4. VLAN strip (if enabled): an 802.1Q tag moves to the frame's
 *      out-of-band metadata (FACTS.md §7.1: NDIS carries 802.1Q out of
 *      band).
 *   5. Checksum validation (if enabled): the IPv4 header and TCP/UDP
 *      checksums are checked and the results (passed / failed) written to
 *      the metadata; a frame is never dropped for a bad checksum
 *      (FACTS.md §7.2: the stack decides).
 *   6. Ring: the queue's receive ring must have a descriptor the driver
 *      posted; if not, the frame is dropped (PNIC_DROP_RING_FULL).  The
 *      descriptor is taken now.
 *   7. RSC (if enabled): TCP segments of one connection coalesce
 *      (vmswitch/rsc.h) until the queue's interrupt fires, which flushes
 *      them; each coalesced frame still uses one descriptor.
 *   8. DMA: dma_latency_ps later the frame is in host memory and its
 *      descriptor is complete: the driver can reap it.
 *   9. Interrupt: the queue's vector fires when moderation allows
 *      (models/itr.h), unless the driver masked it.
 *
 * TRANSMIT.  The driver posts a frame to a queue's transmit ring
 * (pnic_tx_post); dma_latency_ps later the NIC has fetched it; then the
 * offloads run -- LSO segmentation (vsw_offload_segment), checksum
 * insertion (vsw_offload_csum), VLAN tag insertion from the metadata --
 * and the frames join the NIC's transmit FIFO, which feeds the link
 * whenever it is idle (queues are served round-robin, one frame at a
 * time).  When the last frame of a posted packet has left, its descriptor
 * completes and the queue's vector fires as on receive.
 *
 * INTERRUPTS.  Queue q raises MSI-X table entry q, a message (address,
 * data) the driver programs with pnic_msix_program() and may reprogram at
 * any time to move the queue to another processor (retargeting); the
 * next message goes to the new target.  A fired vector is masked until the
 * driver re-enables it (the auto-mask of MSI-X NICs; NDIS: the NIC "does
 * not interrupt that CPU again until the driver re-enables its
 * interrupt", FACTS.md §1.5).  Moderation: after firing, the vector stays
 * quiet for the moderation interval; work that completes meanwhile is
 * signalled at the end of it.  Messages leave through the host hook
 * (struct pnic_host.msi), which the interrupt controller model receives
 * (apic_msi), with the NIC's PCI requester id as source id for remapping.
 *
 * OWNERSHIP.  Frames are struct vsw_pkt.  The NIC owns a received frame
 * until pnic_rx_reap() hands it to the driver, and a posted transmit frame
 * until its completion (it frees it then).  The NIC frees what it drops.
 *
 * TIME AND DETERMINISM.  Every delay is an integer of ps; events belong to
 * the NIC's component (queues have components "qN" for their metrics).
 * The order of everything follows arrival order and queue numbers.
 */
#ifndef VNETSIM_MODELS_PNIC_H
#define VNETSIM_MODELS_PNIC_H 1

#include <stdbool.h>
#include <stdint.h>

#include "models/itr.h"
#include "models/rxfilter.h"
#include "sim/sim.h"

struct link;
struct metrics;
struct trace;
struct vsw_pkt;
struct pnic;

/* Limits. */
#define PNIC_MAX_QUEUES 64
#define PNIC_RING_MIN 8
#define PNIC_RING_MAX 8192

/* Why the NIC dropped a frame. */
enum pnic_drop {
    PNIC_DROP_LINK_DOWN,            /* received or sent while the link is down */
    PNIC_DROP_RING_FULL,            /* no receive descriptor posted */
    PNIC_DROP_MALFORMED,            /* transmit offload refused the frame */
    PNIC_DROP_COUNT
};

struct pnic_config {
    const char *name;               /* component name */
    uint32_t n_queues;              /* 1 .. PNIC_MAX_QUEUES queue pairs */
    uint32_t rx_ring;               /* descriptors per receive ring */
    uint32_t tx_ring;               /* descriptors per transmit ring */
    sim_time_t dma_latency_ps;      /* descriptor + data transfer */
    uint16_t source_id;             /* PCI requester id (bus:dev.fn) */

    /* Receive classification: none, RSS (default key and hash types, a
     * 128-entry table spread round-robin over the queues) or VMQ (the
     * driver adds filters through pnic_rxf()). */
    enum rxf_mode rx_mode;
    uint32_t max_filters;           /* VMQ filters, 1 .. RXF_MAX_FILTERS */
    bool rss_udp;                   /* also hash UDP ports (NDIS 6.80's
                                     * UDP_IPV4/UDP_IPV6 types); without
                                     * it UDP gets the address-only hash */

    /* Moderation of every queue's vector. */
    enum itr_mode itr_mode;
    uint32_t itr_rate;              /* ITR_FIXED: interrupts/s */
    bool itr_conservative;          /* ITR_ADAPTIVE */

    /* Offloads. */
    bool rx_csum;                   /* validate checksums on receive */
    bool tx_csum;                   /* insert checksums on transmit */
    uint32_t lso_max_bytes;         /* largest LSO super-frame; 0: no LSO */
    bool rsc;                       /* coalesce received TCP segments */
    bool vlan_offload;              /* strip on receive, insert on send */
};

/* What the NIC calls on the host side. */
struct pnic_host {
    /* The NIC's memory write of an MSI-X message. */
    void (*msi)(void *ctx, uint16_t source_id, uint64_t addr, uint32_t data);
    void *ctx;
};

/* Creates the NIC described by 'cfg' (copied) as component cfg->name
 * under 'parent', registers its metrics, and stores it in '*out'.
 * Returns 0, EINVAL for a bad configuration, or ENOMEM. */
int pnic_create(struct sim *sim, struct metrics *reg, sim_component_id parent,
                const struct pnic_config *cfg, const struct pnic_host *host,
                struct pnic **out);

/* Frees the NIC and every frame it holds.  Accepts NULL. */
void pnic_destroy(struct pnic *nic);

/* Connects the NIC to side 'side' of 'l'.  Returns 0, or EBUSY if already
 * connected. */
int pnic_attach_link(struct pnic *nic, struct link *l, int side);

/* Sends a copy of every frame seen on the wire (both directions) to 'tap'
 * (NULL: none). */
void pnic_set_tap(struct pnic *nic, struct trace *t, const char *tap_name);

const struct pnic_config *pnic_config(const struct pnic *nic);
sim_component_id pnic_component(const struct pnic *nic);
uint32_t pnic_queue_count(const struct pnic *nic);

/* --- Receive classification (the driver programs it) ------------------- */

/* The filter table and RSS state; the driver adds VMQ filters, rewrites
 * the indirection table, and so on (models/rxfilter.h). */
struct rxf *pnic_rxf(struct pnic *nic);

/* --- Interrupts ---------------------------------------------------------- */

/* Programs MSI-X table entry 'q' with the message 'addr', 'data'.  Takes
 * effect for the next message. */
void pnic_msix_program(struct pnic *nic, uint32_t q, uint64_t addr,
                       uint32_t data);

/* Unmasks queue q's vector: if work completed while it was masked, the
 * vector fires as soon as moderation allows. */
void pnic_irq_enable(struct pnic *nic, uint32_t q);

/* Masks it (the driver's ISR does, though firing auto-masks anyway). */
void pnic_irq_disable(struct pnic *nic, uint32_t q);

/* --- Receive ------------------------------------------------------------- */

/* Posts 'n' more receive descriptors on queue 'q' (at most the ring's
 * free space; returns how many were posted). */
uint32_t pnic_rx_post(struct pnic *nic, uint32_t q, uint32_t n);

/* Hands over up to 'max' completed received frames of queue 'q' in
 * arrival order into 'out' (the caller owns them) and returns how many.
 * Their descriptors become free for pnic_rx_post(). */
size_t pnic_rx_reap(struct pnic *nic, uint32_t q, struct vsw_pkt **out,
                    size_t max);

/* Completed received frames waiting on queue 'q'. */
uint32_t pnic_rx_pending(const struct pnic *nic, uint32_t q);

/* --- Transmit ------------------------------------------------------------ */

/* Posts 'pkt' on queue 'q''s transmit ring (the NIC owns it from now on).
 * Returns 0, or ENOSPC if the ring is full (the caller keeps 'pkt'). */
int pnic_tx_post(struct pnic *nic, uint32_t q, struct vsw_pkt *pkt);

/* Takes the count of completed transmit descriptors of queue 'q' (they
 * become free) and returns it. */
uint32_t pnic_tx_reap(struct pnic *nic, uint32_t q);

/* Free transmit descriptors of queue 'q'. */
uint32_t pnic_tx_free(const struct pnic *nic, uint32_t q);

/* --- Counters ------------------------------------------------------------ */

uint64_t pnic_drops(const struct pnic *nic, enum pnic_drop why);
uint64_t pnic_rx_frames(const struct pnic *nic, uint32_t q);
uint64_t pnic_tx_frames(const struct pnic *nic, uint32_t q);
uint64_t pnic_interrupts(const struct pnic *nic, uint32_t q);
const char *pnic_drop_name(enum pnic_drop why);

#endif /* VNETSIM_MODELS_PNIC_H */
