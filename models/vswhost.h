/*
 * vswhost.h -- the real switch in the loop: runs libvmswitch (vmswitch/
 * vswitch.h) inside the simulation, on whichever logical processor
 * indicates frames to it, and turns the work it reports into cycles.
 *
 * WHAT IT DOES.  The switch library switches real frames and knows
 * nothing of time.  A vswh wraps one struct vsw_switch and gives each of
 * its ports a sink: the model that receives the frames the switch sends
 * to the port's NIC (the physical NIC's driver, the host's stack, a VM's
 * synthetic NIC provider, a legacy NIC's worker process).  A model that
 * has frames for the switch calls vswh_process() from the step it runs
 * in, on some LP:
 *
 *   1. vsw_process() runs the pipeline now, with the LP as the switch's
 *      processor index (its per-processor counters are indexed by LP) and
 *      the simulated time in ns; every delivery is collected (the frame
 *      handed in is passed on as it is, extra copies are cloned);
 *   2. the work record (struct vsw_work) becomes cycles through the
 *      profile (section "vmswitch", struct vswh_costs), charged to the
 *      "vmswitch" owner on that LP;
 *   3. when they have been executed, each destination's sink gets its
 *      frames, one call per destination port in the order the switch
 *      first delivered to it, chained in the same execution context; then
 *      the caller's continuation runs.
 *
 * So the switch's decisions take effect when its cycles are done, and
 * frames switched on different LPs at once are kept apart (each call has
 * its own delivery record).
 *
 * COSTS (doc/models.md section 11):
 *
 *   cycles = batch_cycles
 *          + frame_cycles    * frames_in
 *          + lookup_cycles   * lookups        + learn_cycles * learns
 *          + acl_rule_cycles * acl_rules      + ext_call_cycles * ext_calls
 *          + copy_kib_cycles * bytes_copied / 1024
 *          + csum_kib_cycles * bytes_checksummed / 1024
 *          + segment_cycles  * segments       + deliver_cycles * deliver_calls
 *
 * OWNERSHIP.  Frames given to vswh_process() belong to the vswh; frames
 * given to a sink belong to the sink.  A frame the switch drops is freed.
 * The vswh owns the switch; the cpu outlives it.
 */
#ifndef VNETSIM_MODELS_VSWHOST_H
#define VNETSIM_MODELS_VSWHOST_H 1

#include <stddef.h>
#include <stdint.h>

#include "models/cpu.h"
#include "vmswitch/vswitch.h"

struct metrics;
struct miniport;
struct pnic;
struct trace;
struct vswh;

/* Cycle costs (profile section "vmswitch"). */
struct vswh_costs {
    uint64_t batch_cycles;
    uint64_t frame_cycles;
    uint64_t lookup_cycles;
    uint64_t learn_cycles;
    uint64_t acl_rule_cycles;
    uint64_t ext_call_cycles;
    uint64_t copy_kib_cycles;
    uint64_t csum_kib_cycles;
    uint64_t segment_cycles;
    uint64_t deliver_cycles;
};

/* Where a port's frames go.  deliver() receives 'n' frames (ownership
 * passes; the array itself is lent until done is called) in execution
 * context 'x', charges its own work, and ends with cpu_charge(x, ...,
 * done, done_arg) or by calling done(x, done_arg). */
struct vswh_sink {
    void (*deliver)(void *ctx, struct cpu_exec *x, struct vsw_pkt **pkts,
                    size_t n, cpu_step_fn *done, void *done_arg);
    void *ctx;
};

/* Creates a switch named 'name' on 'cpu' (max_cpus = its LPs).  Returns
 * 0, EINVAL or ENOMEM. */
int vswh_create(struct cpu *cpu, const char *name,
                const struct vswh_costs *costs, struct vswh **out);
void vswh_destroy(struct vswh *sw);             /* accepts NULL */

/* The library's switch, for configuration (vsw_ctl) and counters. */
struct vsw_switch *vswh_switch(const struct vswh *sw);

/* Creates a port with a NIC described by 'nic' (its ops and owner are the
 * vswh's own: leave them NULL) whose frames go to 'sink', and connects
 * it.  Stores the port id in '*port'.  Returns 0 or the switch's errno. */
int vswh_port_add(struct vswh *sw, const char *port_name,
                  const struct vsw_nic_params *nic,
                  const struct vswh_sink *sink, uint32_t *port);

/* Makes the physical NIC 'nic', driven by 'mp', the switch's external
 * port (its uplink), named 'name': the driver's DPCs indicate received
 * frames to the switch (replacing the driver's upper layer), and frames
 * the switch sends to the port go to the driver's send, frame by frame,
 * on the queue of the LP that switched them (modulo the NIC's queues).
 * The NIC's offloads (checksums, LSO, VLAN out of band) are its
 * capabilities on the port.  Stores the port in '*port'.  Returns 0 or the
 * switch's errno. */
int vswh_connect_uplink(struct vswh *sw, struct pnic *nic,
                        struct miniport *mp, const char *name,
                        uint32_t *port);

/* Switches 'n' frames from port 'src_port' in context 'x' (see above),
 * then continues with 'next'('arg'). */
void vswh_process(struct vswh *sw, struct cpu_exec *x, uint32_t src_port,
                  struct vsw_pkt **pkts, size_t n, cpu_step_fn *next,
                  void *arg);

/* Captures every port's traffic to 't' (NULL: stop): the frames a port's
 * NIC sends into the switch and the frames the switch delivers to it, in
 * the tap "<switch name>.<port name>" (one pcap per port, both
 * directions, at the simulated time the switch handles them).  Ports
 * added later get their tap when they are added. */
void vswh_set_tap(struct vswh *sw, struct trace *t);

/* Cycles the work record 'w' costs. */
uint64_t vswh_cycles(const struct vswh_costs *c, const struct vsw_work *w);

#endif /* VNETSIM_MODELS_VSWHOST_H */
