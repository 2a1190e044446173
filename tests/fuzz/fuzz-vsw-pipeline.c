/*
 * fuzz-vsw-pipeline.c -- libFuzzer target over the whole vmswitch
 * pipeline: arbitrary frames, with arbitrary out-of-band metadata, enter a
 * small switch through any of its ports and on either of two processors.
 *
 * THE SWITCH (rebuilt for every input, so inputs never share state): six
 * ports -- untagged, access VLAN 10, trunk (10 and 20, native 1), private
 * VLAN promiscuous (primary 100, secondary 101) and isolated (101), and a
 * second trunk whose NIC has no offloads at all (no out-of-band tags, no
 * checksum offload, no LSO), so egress exercises tag insertion and the
 * software checksum and segmentation paths.  Port 1 mirrors to port 6.
 *
 * INPUT FORMAT, repeated until the input ends:
 *     byte 0      bits 0-2 ingress port (mod 6), bit 3 cpu, bit 4 OOB tag,
 *                 bit 5 checksum requests, bit 6 LSO request
 *     bytes 1-2   frame length (big-endian, mod 2048)
 *     bytes 3-4   OOB VLAN id and PCP (12 + 3 bits) if bit 4
 *     bytes 5-6   LSO MSS if bit 6
 *     ...         the frame bytes (fewer if the input ends)
 * Caller time advances by 1 us per frame.
 *
 * INVARIANTS (abort on violation): every delivered frame is at least an
 * Ethernet header long and readable to its end (ASan checks the reads);
 * vsw_process() never fails for a valid processor; the switch's own frame
 * accounting adds up (frames in = frames that entered the pipeline).
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmswitch/packet.h"
#include "vmswitch/vswitch.h"

#define N_PORTS 6

static volatile uint8_t sink;

static void
deliver(void *owner, struct vsw_pkt *const pkts[], size_t n)
{
    (void)owner;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *d = vsw_pkt_data_const(pkts[i]);
        size_t len = vsw_pkt_len(pkts[i]);
        uint8_t x = 0;

        if (len < 14) {
            abort();
        }
        for (size_t j = 0; j < len; j++) {
            x ^= d[j];
        }
        sink ^= x;
    }
}

static void
link_changed(void *owner, bool up)
{
    (void)owner;
    (void)up;
}

static const struct vsw_nic_ops ops = { deliver, link_changed };

static struct vsw_switch *
build(uint32_t ports[N_PORTS])
{
    struct vsw_switch_params sp = { "fuzz", 2, 256, 0 };
    struct vsw_switch *sw;
    struct vsw_vlan_config v[N_PORTS];
    struct vsw_mirror mirror = { 0, true, true };

    if (vsw_switch_create(&sp, &sw)) {
        abort();
    }
    memset(v, 0, sizeof v);
    v[0].mode = VSW_VLAN_UNTAGGED;
    v[1].mode = VSW_VLAN_ACCESS;
    v[1].access_vid = 10;
    v[2].mode = VSW_VLAN_TRUNK;
    v[2].native_vid = 1;
    vsw_vid_set_add(&v[2].allowed, 10);
    vsw_vid_set_add(&v[2].allowed, 20);
    v[3].mode = VSW_VLAN_PVLAN;
    v[3].pvlan = VSW_PVLAN_PROMISCUOUS;
    v[3].primary_vid = 100;
    vsw_vid_set_add(&v[3].secondaries, 101);
    v[4].mode = VSW_VLAN_PVLAN;
    v[4].pvlan = VSW_PVLAN_ISOLATED;
    v[4].primary_vid = 100;
    v[4].secondary_vid = 101;
    v[5] = v[2];
    for (int p = 0; p < N_PORTS; p++) {
        struct vsw_nic_params nic;
        memset(&nic, 0, sizeof nic);
        nic.kind = p == 2 ? VSW_NIC_PHYSICAL : VSW_NIC_VM;
        nic.ops = &ops;
        if (p != 5) {
            nic.caps.vlan_oob = true;
            nic.caps.csum_ipv4 = nic.caps.csum_ipv6 = true;
            nic.caps.lso_v1_max_bytes = nic.caps.lso_v2_max_bytes = 65535;
        }
        if (vsw_port_create(sw, "p", &ports[p])
            || vsw_nic_create(sw, ports[p], &nic)
            || vsw_nic_connect(sw, ports[p])
            || vsw_port_set_vlan(sw, ports[p], &v[p])) {
            abort();
        }
    }
    mirror.dest = ports[5];
    if (vsw_port_set_mirror(sw, ports[0], &mirror)) {
        abort();
    }
    return sw;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t ports[N_PORTS];
    struct vsw_switch *sw = build(ports);
    uint64_t now_ns = 1000, frames = 0;
    struct vsw_switch_counters after;

    while (size >= 3) {
        uint8_t ctl = data[0];
        size_t len = ((size_t)data[1] << 8 | data[2]) % 2048;
        size_t hdr = 3 + ((ctl & 0x10) ? 2 : 0) + ((ctl & 0x40) ? 2 : 0);
        struct vsw_pkt *pkt;
        struct vsw_work w;

        if (size < hdr) {
            break;
        }
        if (len > size - hdr) {
            len = size - hdr;
        }
        pkt = vsw_pkt_from_bytes(data + hdr, len);
        if (pkt) {
            const uint8_t *x = data + 3;
            if (ctl & 0x10) {
                pkt->oob.vlan_present = true;
                pkt->oob.vlan_id = (uint16_t)((x[0] << 8 | x[1]) & 0x0fff);
                pkt->oob.priority = (uint8_t)(x[0] >> 5);
                x += 2;
            }
            if (ctl & 0x20) {
                pkt->oob.tx_csum_ip = true;
                pkt->oob.tx_csum_tcp = (ctl & 1) != 0;
                pkt->oob.tx_csum_udp = (ctl & 1) == 0;
            }
            if (ctl & 0x40) {
                pkt->oob.lso_mss = (uint32_t)(x[0] << 8 | x[1]);
                pkt->oob.lso_version = (ctl & 0x80) ? 2 : 1;
            }
            if (vsw_process(sw, (ctl >> 3) & 1, now_ns,
                            ports[(ctl & 7) % N_PORTS], &pkt, 1, &w)) {
                abort();
            }
            if (w.frames_in < 1) {
                abort();
            }
            frames++;
            vsw_pkt_free(pkt);
        }
        now_ns += 1000;
        data += hdr + len;
        size -= hdr + len;
    }
    if (vsw_switch_counters(sw, &after) || after.frames_in != frames) {
        abort();
    }
    uint64_t drops = 0;
    for (int r = 0; r < VSW_DROP_MAX; r++) {
        drops += after.drop[r];
    }
    if (drops != after.drops) {
        abort();
    }
    vsw_switch_destroy(sw);
    return 0;
}
