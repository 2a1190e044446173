/*
 * legacynic.c -- the legacy NIC in time (legacynic.h).
 *
 * The guest half runs the driver's programs one operation at a time: a
 * memory step (charged from the driver's work record), then the register
 * access as an intercept, whose emulation in the worker runs the device.
 */
#include "config.h"

#include "models/legacynic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/apic.h"
#include "models/cpu.h"
#include "models/gmem.h"
#include "models/guest.h"
#include "models/hv.h"
#include "models/pktvec.h"
#include "models/tulip.h"
#include "models/vswhost.h"
#include "sim/log.h"
#include "sim/metrics.h"
#include "vmswitch/packet.h"

#define LEGACY_IO_BASE 0xec00u      /* the device's 128-byte I/O window */
#define LEGACY_IOAPIC_PIN 11u       /* a PCI INTx line */

struct legacy_nic {
    struct legacy_nic_config cfg;
    char *name;
    struct tulip_dev *dev;
    struct tulip_drv *drv;
    uint32_t port;
    uint32_t drv_owner;             /* "<vm> tulip" */
    uint32_t vmwp_owner;

    /* Guest side: the program in progress and what it delivered. */
    struct tulip_op op;             /* the access being made */
    bool last_op_read;
    cpu_step_fn *prog_next;
    void *prog_arg;
    struct pktvec up;               /* frames for the guest stack */

    /* Worker side: frames the device sent during one emulation. */
    struct pktvec out;
    cpu_step_fn *emu_done;
    void *emu_done_arg;

    /* Worker's receive thread: frames from the switch, FIFO. */
    struct cpu_thread *rx_thread;
    struct pktvec in;
    size_t in_head;
    bool rx_busy;

    struct metric *m_tx_frames, *m_tx_dropped, *m_rx_frames, *m_rx_missed;
    struct metric *m_accesses;
};

static uint64_t
copy_cycles(const struct legacy_nic *nic, uint64_t bytes)
{
    return bytes * nic->cfg.costs.copy_kib_cycles / 1024;
}

/* --- The device's callbacks (worker side) ---------------------------------- */

static void
dev_tx(void *ctx, const uint8_t *frame, size_t len)
{
    struct legacy_nic *nic = ctx;
    struct vsw_pkt *pkt = vsw_pkt_from_bytes(frame, len);

    if (!pkt) {
        sim_out_of_memory("legacy NIC");
    }
    metric_add(nic->m_tx_frames, 1);
    pktvec_push(&nic->out, pkt);
}

static void
dev_irq(void *ctx, bool level)
{
    struct legacy_nic *nic = ctx;

    (void)apic_ioapic_set_line(hv_vm_apic(nic->cfg.vm), LEGACY_IOAPIC_PIN,
                               level);
}

/* The device's work counters, summed for the cost model. */
static uint64_t
dev_work_cycles(const struct legacy_nic *nic,
                const struct tulip_dev_stats *before)
{
    const struct tulip_dev_stats *now = tulip_dev_stats(nic->dev);
    uint64_t words = (now->desc_reads - before->desc_reads) * 4
                     + (now->desc_writes - before->desc_writes);
    uint64_t bytes = (now->dma_read_bytes - before->dma_read_bytes)
                     + (now->dma_write_bytes - before->dma_write_bytes);

    return nic->cfg.costs.desc_cycles * words + copy_cycles(nic, bytes);
}

/* --- Emulation in the worker process ------------------------------------------ */

static void
emu_switched(struct cpu_exec *x, void *arg)
{
    struct legacy_nic *nic = arg;
    cpu_step_fn *done = nic->emu_done;

    done(x, nic->emu_done_arg);
}

static void
emu_after(struct cpu_exec *x, void *arg)
{
    struct legacy_nic *nic = arg;
    size_t n = nic->out.n;

    nic->out.n = 0;
    if (!n) {
        emu_switched(x, nic);
        return;
    }
    /* The worker hands what the chip sent to the switch, in its thread. */
    vswh_process(nic->cfg.sw, x, nic->port, nic->out.v, n, emu_switched, nic);
}

static void
emulate(void *ctx, struct cpu_exec *x, struct hv_vp *vp, struct hv_io *io,
        cpu_step_fn *done, void *done_arg)
{
    struct legacy_nic *nic = ctx;
    struct tulip_dev_stats before = *tulip_dev_stats(nic->dev);
    uint32_t off = (uint32_t)(io->addr - LEGACY_IO_BASE);

    (void)vp;
    SIM_ASSERT(io->addr >= LEGACY_IO_BASE && off < 128);
    metric_add(nic->m_accesses, 1);
    nic->out.n = 0;
    if (io->write) {
        tulip_csr_write(nic->dev, off, io->value);
    } else {
        io->value = tulip_csr_read(nic->dev, off);
    }
    nic->emu_done = done;
    nic->emu_done_arg = done_arg;
    cpu_charge(x, nic->vmwp_owner,
               nic->cfg.costs.emulate_cycles + dev_work_cycles(nic, &before),
               emu_after, nic);
}

/* --- The guest driver's programs ------------------------------------------------ */

static void prog_step(struct cpu_exec *x, void *arg);

static void
prog_finish(struct cpu_exec *x, void *arg)
{
    struct legacy_nic *nic = arg;
    cpu_step_fn *next = nic->prog_next;

    nic->prog_next = NULL;
    if (next) {
        next(x, nic->prog_arg);
    }
}

/* The program ended: the frames it received go up the guest's stack. */
static void
prog_end(struct cpu_exec *x, void *arg)
{
    struct legacy_nic *nic = arg;
    size_t n = nic->up.n;

    nic->up.n = 0;
    if (!n) {
        prog_finish(x, nic);
        return;
    }
    metric_add(nic->m_rx_frames, n);
    guest_stack_receive(nic->cfg.stack, x, nic->up.v, n, prog_finish, nic);
}

static void
drv_rx(void *ctx, const uint8_t *frame, size_t len)
{
    struct legacy_nic *nic = ctx;
    struct vsw_pkt *pkt = vsw_pkt_from_bytes(frame, len);

    if (!pkt) {
        sim_out_of_memory("legacy NIC");
    }
    pktvec_push(&nic->up, pkt);
}

static void
op_done(struct cpu_exec *x, void *arg)
{
    struct legacy_nic *nic = arg;

    if (nic->last_op_read) {
        tulip_drv_complete(nic->drv,
                           hv_vp_io_value(hv_vm_vp(nic->cfg.vm, nic->cfg.vp)));
    }
    prog_step(x, nic);
}

static void
op_issue(struct cpu_exec *x, void *arg)
{
    struct legacy_nic *nic = arg;
    struct hv_io io = {
        .reason = HV_EXIT_IO_PORT,
        .write = nic->op.kind == TULIP_OP_CSR_WRITE,
        .addr = LEGACY_IO_BASE + nic->op.offset,
        .value = nic->op.value,
        .size = 4,
    };

    nic->last_op_read = !io.write;
    hv_intercept(nic->cfg.vm, x, &io, op_done, nic);
}

/* Runs the driver's program: the memory work before the next access, then
 * the access; at the end, the frames received go to the stack. */
static void
prog_step(struct cpu_exec *x, void *arg)
{
    struct legacy_nic *nic = arg;
    const struct tulip_drv_work *w;
    uint64_t cycles;

    tulip_drv_next(nic->drv, &nic->op);
    w = tulip_drv_step_work(nic->drv);
    cycles = nic->cfg.costs.drv_frame_cycles
                 * (w->frames_delivered + w->tx_reaped + w->rx_refilled)
             + copy_cycles(nic, w->bytes_copied);
    if (nic->op.kind == TULIP_OP_NONE) {
        cpu_charge(x, nic->drv_owner, cycles, prog_end, nic);
        return;
    }
    cpu_charge(x, nic->drv_owner, cycles + nic->cfg.costs.drv_op_cycles,
               op_issue, nic);
}

/* The guest's ISR for the chip's INTx line. */
static void
guest_isr(struct cpu_exec *x, void *arg)
{
    struct legacy_nic *nic = arg;

    SIM_ASSERT(!tulip_drv_busy(nic->drv));
    tulip_drv_interrupt(nic->drv);
    nic->prog_next = NULL;
    prog_step(x, nic);
}

/* The guest stack sends a frame through the driver. */
static void
legacy_xmit(void *ctx, struct cpu_exec *x, struct vsw_pkt *pkt, bool more,
            cpu_step_fn *next, void *arg)
{
    struct legacy_nic *nic = ctx;
    int err;

    (void)more;                 /* one poll demand per frame (FACTS §4.3) */
    SIM_ASSERT(!tulip_drv_busy(nic->drv));
    err = tulip_drv_xmit(nic->drv, vsw_pkt_data(pkt), vsw_pkt_len(pkt));
    vsw_pkt_free(pkt);          /* the driver placed the bytes */
    if (err) {
        metric_add(nic->m_tx_dropped, 1);
        next(x, arg);
        return;
    }
    nic->prog_next = next;
    nic->prog_arg = arg;
    prog_step(x, nic);
}

/* --- The worker's receive thread ---------------------------------------------- */

static void
rx_step(struct cpu_exec *x, void *arg)
{
    struct legacy_nic *nic = arg;
    struct tulip_dev_stats before;
    struct vsw_pkt *pkt;
    enum tulip_rx_result r;

    if (nic->in_head == nic->in.n) {
        nic->in_head = nic->in.n = 0;
        nic->rx_busy = false;
        return;                 /* the thread waits */
    }
    pkt = nic->in.v[nic->in_head++];
    before = *tulip_dev_stats(nic->dev);
    r = tulip_receive(nic->dev, vsw_pkt_data(pkt), vsw_pkt_len(pkt));
    if (r == TULIP_RX_MISSED) {
        metric_add(nic->m_rx_missed, 1);
    }
    vsw_pkt_free(pkt);
    cpu_charge(x, nic->vmwp_owner,
               nic->cfg.costs.rx_frame_cycles + dev_work_cycles(nic, &before),
               rx_step, nic);
}

static void
sink_deliver(void *ctx, struct cpu_exec *x, struct vsw_pkt **pkts, size_t n,
             cpu_step_fn *done, void *done_arg)
{
    struct legacy_nic *nic = ctx;

    for (size_t i = 0; i < n; i++) {
        pktvec_push(&nic->in, pkts[i]);
    }
    if (!nic->rx_busy) {
        nic->rx_busy = true;
        cpu_thread_wake(nic->rx_thread, rx_step, nic);
    }
    done(x, done_arg);
}

/* --- Building ------------------------------------------------------------------ */

/* Runs the driver's open program straight against the device: the
 * guest's boot, in zero time. */
static void
open_now(struct legacy_nic *nic)
{
    struct tulip_op op;

    tulip_drv_open(nic->drv);
    for (;;) {
        tulip_drv_next(nic->drv, &op);
        if (op.kind == TULIP_OP_NONE) {
            break;
        }
        if (op.kind == TULIP_OP_CSR_READ) {
            tulip_drv_complete(nic->drv, tulip_csr_read(nic->dev, op.offset));
        } else {
            tulip_csr_write(nic->dev, op.offset, op.value);
        }
    }
}

void
legacy_nic_destroy(struct legacy_nic *nic)
{
    if (!nic) {
        return;
    }
    tulip_drv_destroy(nic->drv);
    tulip_dev_destroy(nic->dev);
    pktvec_free(&nic->up, 0);
    pktvec_free(&nic->out, 0);
    pktvec_free(&nic->in, nic->in_head);
    free(nic->name);
    free(nic);
}

int
legacy_nic_create(struct metrics *reg, const struct legacy_nic_config *cfg,
                  struct legacy_nic **out)
{
    struct legacy_nic *nic;
    struct gmem *mem;
    struct hv *hv;
    struct cpu *cpu;
    struct sim *sim;
    sim_component_id comp;
    char name[160];
    int err;

    *out = NULL;
    if (!cfg->name || !cfg->vm || !cfg->sw || !cfg->mac || !cfg->stack
        || cfg->vp >= hv_vm_vp_count(cfg->vm) || cfg->vector < 32) {
        return EINVAL;
    }
    hv = hv_vm_hv(cfg->vm);
    cpu = hv_cpu(hv);
    if (cfg->host_lp >= cpu_lp_count(cpu)) {
        return EINVAL;
    }
    if (hv_vm_has_io(cfg->vm)) {
        return EBUSY;
    }
    mem = hv_vm_memory(cfg->vm);
    nic = calloc(1, sizeof *nic);
    if (!nic || !(nic->name = strdup(cfg->name))) {
        free(nic);
        return ENOMEM;
    }
    nic->cfg = *cfg;
    nic->cfg.name = nic->name;
    nic->drv_owner = hv_vm_owner(cfg->vm, "tulip");
    nic->vmwp_owner = hv_vm_vmwp_owner(cfg->vm);

    struct tulip_dev_config dc = { .mem = mem, .tx = dev_tx, .irq = dev_irq,
                                   .ctx = nic };
    struct tulip_drv_config vc = { .mem = mem, .rx = drv_rx, .ctx = nic };
    memcpy(vc.mac, cfg->mac, 6);
    if ((err = tulip_dev_create(&dc, &nic->dev))
        || (err = tulip_drv_create(&vc, &nic->drv))) {
        legacy_nic_destroy(nic);
        return err;
    }
    struct apic_rte rte = { .vector = cfg->vector, .dest = cfg->vp,
                            .level = true, .masked = false };
    if ((err = apic_ioapic_program(hv_vm_apic(cfg->vm), LEGACY_IOAPIC_PIN,
                                   &rte))
        || (err = hv_vm_set_isr(cfg->vm, cfg->vector, nic->drv_owner,
                                guest_isr, nic))) {
        legacy_nic_destroy(nic);
        return err;
    }
    open_now(nic);
    if (!tulip_drv_is_open(nic->drv)) {
        legacy_nic_destroy(nic);
        return EPROTO;
    }

    struct vsw_nic_params np = { .kind = VSW_NIC_LEGACY, .n_macs = 1 };
    struct vswh_sink sink = { sink_deliver, nic };
    memcpy(np.macs[0], cfg->mac, 6);
    np.name = nic->name;
    if ((err = vswh_port_add(cfg->sw, nic->name, &np, &sink, &nic->port))) {
        legacy_nic_destroy(nic);
        return err;
    }
    snprintf(name, sizeof name, "%s VMWP rx", hv_vm_name(cfg->vm));
    nic->rx_thread = cpu_thread_create(cpu, name, nic->vmwp_owner,
                                       cfg->host_lp);
    if (!nic->rx_thread) {
        legacy_nic_destroy(nic);
        return ENOMEM;
    }
    struct hv_io_ops io = { emulate, nic };
    hv_vm_set_io(cfg->vm, &io);
    struct guest_nic gn = { legacy_xmit, nic };
    guest_stack_set_nic(cfg->stack, &gn);

    sim = cpu_sim(cpu);
    {
        /* "vm1.nic0" registers as "nic0" under the VM's component. */
        const char *dot = strrchr(nic->name, '.');
        comp = sim_component_add(sim, hv_vm_component(cfg->vm),
                                 dot ? dot + 1 : nic->name, &err);
    }
    if (!comp) {
        legacy_nic_destroy(nic);
        return err ? err : EINVAL;
    }
    nic->m_tx_frames = metrics_counter(reg, comp, "tx_frames", "frames",
                                       "frames the chip sent");
    nic->m_tx_dropped = metrics_counter(reg, comp, "tx_dropped", "frames",
                                        "sends the driver refused");
    nic->m_rx_frames = metrics_counter(reg, comp, "rx_frames", "frames",
                                       "frames delivered to the guest stack");
    nic->m_rx_missed = metrics_counter(reg, comp, "rx_missed", "frames",
                                       "frames the chip had no buffer for");
    nic->m_accesses = metrics_counter(reg, comp, "csr_accesses", "accesses",
                                      "register accesses emulated");
    *out = nic;
    return 0;
}

uint32_t
legacy_nic_port(const struct legacy_nic *nic)
{
    return nic->port;
}
