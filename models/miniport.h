/*
 * miniport.h -- the physical NIC's driver: its interrupt service routine,
 * its DPC, and its send path, as work the CPU model executes and charges.
 *
 * WHAT IT MODELS.  An NDIS miniport driving a multi-queue NIC with one
 * MSI-X vector per queue (FACTS.md §1.5, "RSS with MSI-X"): the NIC
 * interrupts the processor its queue's message targets and masks the
 * vector; the ISR queues the queue's DPC on the processor it runs on;
 * the DPC reaps completed receive and send descriptors, indicates the
 * received frames to the driver above (the vmswitch, or the host's own
 * stack) in batches, posts fresh receive descriptors, and finally
 * re-enables the vector.  A queue with more work than one DPC may do
 * (rx_budget frames) queues its DPC again instead of re-enabling, so
 * other DPCs on that processor get their turn.
 *
 * EVERY STEP COSTS CYCLES from the platform profile (struct
 * miniport_costs, profile section "miniport"), charged to the driver's
 * owner on the CPU:
 *
 *   ISR       isr_cycles                        (plus the CPU's own entry,
 *                                                EOI and exit costs)
 *   DPC pass  batch_cycles + rx_frame_cycles * frames
 *             + tx_complete_cycles * completions + doorbell_cycles
 *   send      tx_frame_cycles + doorbell_cycles per frame
 *
 * then the upper layer charges its own work for each indicated batch in
 * the same DPC (struct miniport_upper).
 *
 * QUEUE TO PROCESSOR.  Queue q's messages carry vector base_vector + q and
 * go to the processor miniport_set_queue_lp() chose (at first queue_lp[q]
 * of the configuration).  Moving a queue reprograms its MSI-X entry
 * through the interrupt router (struct miniport_irq: compatibility format
 * or an interrupt-remapping entry, decided by the platform) and installs
 * the ISR on the new processor; a message already in flight still reaches
 * the old processor, whose ISR stays installed, so nothing is lost (but
 * frames may be processed out of order for a moment, as NDIS allows for
 * RSS rebalancing, FACTS.md §1.5).  A DPC that runs out of budget queues
 * itself again on the queue's processor, so a queue that never runs dry
 * (and so never interrupts again) moves too.
 *
 * OWNERSHIP.  Received frames pass to the upper layer with each
 * indication.  Frames given to miniport_send() belong to the driver: it
 * posts them to the NIC, or holds them in a software backlog while the
 * transmit ring is full (posting them as completions free descriptors).
 */
#ifndef VNETSIM_MODELS_MINIPORT_H
#define VNETSIM_MODELS_MINIPORT_H 1

#include <stddef.h>
#include <stdint.h>

#include "models/cpu.h"
#include "models/pnic.h"

struct metrics;
struct miniport;
struct vsw_pkt;

/* Cycle costs (profile section "miniport"). */
struct miniport_costs {
    uint64_t isr_cycles;            /* driver ISR body */
    uint64_t batch_cycles;          /* per DPC pass: the indication call */
    uint64_t rx_frame_cycles;       /* per received frame: descriptor, NBL */
    uint64_t tx_frame_cycles;       /* per frame sent: descriptor fill */
    uint64_t tx_complete_cycles;    /* per completed send */
    uint64_t doorbell_cycles;       /* one device register (MMIO) write */
};

/* The layer above: the vmswitch's protocol edge, or the host stack. */
struct miniport_upper {
    /* 'n' frames of queue 'q' (ownership passes), indicated from the DPC
     * running in 'x'.  The upper layer charges its work on 'x' and ends
     * with cpu_charge(x, ..., done, done_arg) or by calling done(x,
     * done_arg) itself. */
    void (*indicate)(void *ctx, struct cpu_exec *x, uint32_t q,
                     struct vsw_pkt **pkts, size_t n, cpu_step_fn *done,
                     void *done_arg);
    void *ctx;
};

/* Aims an MSI-X message at processor 'lp' with 'vector' for queue 'q' of
 * the device 'source_id': fills the message's address and data (and
 * programs whatever the platform needs, e.g. a remapping entry).  Returns
 * 0 or an errno. */
struct miniport_irq {
    int (*route)(void *ctx, uint16_t source_id, uint32_t q, uint32_t lp,
                 uint8_t vector, uint64_t *addr, uint32_t *data);
    void *ctx;
};

#define MINIPORT_MAX_BATCH 256

struct miniport_config {
    const char *name;               /* owner name on the CPU, e.g. "nic0 driver" */
    struct miniport_costs costs;
    uint32_t rx_batch;              /* frames per indication, 1 .. MINIPORT_MAX_BATCH */
    uint32_t rx_budget;             /* frames per DPC before yielding */
    uint8_t base_vector;            /* queue q uses base_vector + q */
    const uint32_t *queue_lp;       /* initial processor of each queue */
};

/* Creates the driver of 'nic' on 'cpu' (both outlive it): registers its
 * owner, installs its ISRs, routes every queue's vector, posts every
 * receive descriptor and enables the vectors.  Returns 0, EINVAL (bad
 * configuration: a processor out of range, vectors past 255, ...), or the
 * router's error. */
int miniport_create(struct cpu *cpu, struct pnic *nic,
                    const struct miniport_config *cfg,
                    const struct miniport_upper *upper,
                    const struct miniport_irq *irq, struct miniport **out);
void miniport_destroy(struct miniport *mp);

/* Moves queue 'q''s interrupt (and so its DPC) to processor 'lp'.
 * Returns 0, EINVAL, or the router's error (nothing changes then). */
int miniport_set_queue_lp(struct miniport *mp, uint32_t q, uint32_t lp);
uint32_t miniport_queue_lp(const struct miniport *mp, uint32_t q);

/* The time queue 'q''s DPC has run since the driver was created (its
 * receive processing and everything the upper layer charges in it: the
 * switch, the VM NICs' providers), ps.  A VMQ policy's load measure. */
sim_time_t miniport_queue_busy_ps(const struct miniport *mp, uint32_t q);

/* Sends 'pkt' on queue 'q' from work running in 'x': charges
 * tx_frame_cycles + doorbell_cycles on 'x' as part of the caller's step
 * chain, then continues with 'next'(x, 'arg').  The driver owns 'pkt'. */
void miniport_send(struct miniport *mp, struct cpu_exec *x, uint32_t q,
                   struct vsw_pkt *pkt, cpu_step_fn *next, void *arg);

/* Binds the layer above (replacing the one given at creation), as a
 * protocol binds to a miniport. */
void miniport_set_upper(struct miniport *mp,
                        const struct miniport_upper *upper);

uint32_t miniport_owner(const struct miniport *mp);
uint32_t miniport_queue_count(const struct miniport *mp);
struct cpu *miniport_cpu(const struct miniport *mp);
/* Frames waiting in the software backlog of queue 'q'. */
size_t miniport_backlog(const struct miniport *mp, uint32_t q);

#endif /* VNETSIM_MODELS_MINIPORT_H */
