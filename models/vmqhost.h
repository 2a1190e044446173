/*
 * vmqhost.h -- a VMQ policy (models/vmq.h) running on a host: it steers
 * each VM NIC's frames to its own receive queue of the physical NIC bound
 * to the switch, places the queues' interrupts on processors, and, for
 * dynamic VMQ, re-evaluates the placement every period from measured
 * loads (FACTS.md §1.2-1.4).
 *
 * MECHANISM.
 *   none     the NIC's receive filter is off (no VMQ, no RSS: the NDIS rule
 *            for a NIC bound to the switch); every frame arrives on queue
 *            0, whose interrupt and DPC are on the policy's home LP.
 *   static   each VM NIC, as it is created, gets the lowest free queue (a
 *            VMQ filter on its MAC address), first come first served, on
 *            the next processor of the allowed set round robin; the rest
 *            share queue 0.  Fixed for the VM's life.
 *   dynamic  queues are given out the same way but all start on the home
 *            processor.  Every period a DPC on the home processor (owner
 *            "vmq") measures the load of each queue (the time its DPC ran:
 *            the driver, the switch and the VM NICs' providers, all of
 *            which run in it) and of each processor, asks the policy, and
 *            retargets the MSI-X vectors of the queues it moves
 *            (miniport_set_queue_lp).  A frame already in flight to the old
 *            processor is still processed there: frames of one queue may be
 *            reordered for a moment, as NDIS allows.
 *
 * COSTS (profile section "vmq"): the evaluation, evaluate_cycles, plus
 * retarget_cycles per queue moved, charged in that DPC.
 *
 * RESULTS.  Component "<nic>.vmq": counters spreads, coalesces, assigns,
 * nics_on_default; gauges qN_lp (the processor of queue N) and lps_in_use,
 * recorded at every change with the time of the decision (a vector per
 * gauge: the policy's decisions as events); lps_in_use_avg, the time
 * average.
 */
#ifndef VNETSIM_MODELS_VMQHOST_H
#define VNETSIM_MODELS_VMQHOST_H 1

#include <stdint.h>

#include "models/vmq.h"
#include "sim/sim.h"

struct cpu;
struct metrics;
struct miniport;
struct pnic;
struct vmqh;

struct vmqh_config {
    struct vmq_config policy;
    uint64_t evaluate_cycles;
    uint64_t retarget_cycles;
};

/* Puts 'nic' (driven by 'mp' on 'cpu') under the policy: sets its receive
 * filter mode and places queue 0.  Registers its metrics under component
 * 'parent' (the NIC's).  Returns 0, EINVAL (a bad configuration, or a
 * VMQ mode on a NIC with one queue) or ENOMEM. */
int vmqh_create(struct cpu *cpu, struct pnic *nic, struct miniport *mp,
                struct metrics *reg, sim_component_id parent,
                const struct vmqh_config *cfg, struct vmqh **out);
void vmqh_destroy(struct vmqh *h);              /* accepts NULL */

/* A VM NIC with address 'mac' joins: the policy gives it a queue (or the
 * default one) and the NIC steers its frames there.  Returns 0, EEXIST,
 * ENOSPC (the NIC's filter table is full: it shares queue 0) or ENOMEM. */
int vmqh_nic_add(struct vmqh *h, uint32_t nic_id, const uint8_t mac[6]);

/* The queue of VM NIC 'nic_id', and the processor of queue 'q'. */
uint32_t vmqh_nic_queue(const struct vmqh *h, uint32_t nic_id);
uint32_t vmqh_queue_lp(const struct vmqh *h, uint32_t q);
const struct vmq *vmqh_policy(const struct vmqh *h);

#endif /* VNETSIM_MODELS_VMQHOST_H */
