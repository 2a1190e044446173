/*
 * gen-traffic.c -- writes the small captures tests/test-replay.sh feeds to
 * vswitch-replay: one pcap per ingress port in directory argv[1], with
 * ARP, IPv4 TCP and UDP and IPv6 UDP frames, tagged and untagged, without
 * payload (so tshark has nothing above TCP/UDP to dissect), all with
 * correct checksums (filled by libvmswitch's csum helpers after parsing).
 * It also writes multi.pcapng, a pcapng file with two interfaces (the
 * second with nanosecond timestamps) for vswitch-replay --in-pcapng.
 * Station n has MAC 02:00:00:00:00:n.
 */
#include <config.h>

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmswitch/csum.h"
#include "vmswitch/packet.h"
#include "vmswitch/parse.h"

struct out {
    pcap_dumper_t *d;
};

static pcap_t *dead;

static void
mac(uint8_t *m, int n)
{
    static const uint8_t base[6] = { 2, 0, 0, 0, 0, 0 };
    memcpy(m, base, 6);
    m[5] = (uint8_t)n;
}

/* Builds a frame: dst, src (0xff dst = broadcast), optional 802.1Q tag
 * 'vid' (0 = none), then 'kind': 'a' ARP, 'u' IPv4/UDP to 'dport',
 * 't' IPv4/TCP to 'dport', '6' IPv6/UDP.  Returns its length. */
static size_t
build(uint8_t *f, int dst, int src, int vid, char kind, int dport)
{
    size_t o = 12, len;

    if (dst == 0xff) memset(f, 0xff, 6); else mac(f, dst);
    mac(f + 6, src);
    if (vid) {
        f[o++] = 0x81; f[o++] = 0x00;
        f[o++] = (uint8_t)(vid >> 8); f[o++] = (uint8_t)vid;
    }
    if (kind == 'a') {
        static const uint8_t arp[] = { 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1 };
        memcpy(f + o, arp, sizeof arp);
        o += sizeof arp;
        mac(f + o, src); o += 6;
        f[o++] = 10; f[o++] = 0; f[o++] = 0; f[o++] = (uint8_t)src;
        memset(f + o, 0, 6); o += 6;
        f[o++] = 10; f[o++] = 0; f[o++] = 0; f[o++] = 99;
        len = o < 60 ? 60 : o;
        memset(f + o, 0, len - o);
        return len;
    }
    if (kind == '6') {
        size_t pl = 8;
        f[o++] = 0x86; f[o++] = 0xdd;
        uint8_t *ip = f + o;
        memset(ip, 0, 40);
        ip[0] = 0x60; ip[4] = 0; ip[5] = (uint8_t)pl; ip[6] = 17; ip[7] = 64;
        ip[8] = 0xfe; ip[9] = 0x80; ip[23] = (uint8_t)src;
        ip[24] = 0xfe; ip[25] = 0x80; ip[39] = (uint8_t)dst;
        o += 40;
        uint8_t *u = f + o;
        memset(u, 0, pl);
        u[0] = 0x13; u[1] = 0x88; u[2] = (uint8_t)(dport >> 8);
        u[3] = (uint8_t)dport; u[5] = (uint8_t)pl;
        for (size_t i = 8; i < pl; i++) u[i] = (uint8_t)i;
        len = o + pl;
    } else {
        size_t l4 = kind == 't' ? 20 : 8;      /* no payload to dissect */
        f[o++] = 0x08; f[o++] = 0x00;
        uint8_t *ip = f + o;
        memset(ip, 0, 20);
        ip[0] = 0x45; ip[2] = (uint8_t)((20 + l4) >> 8);
        ip[3] = (uint8_t)(20 + l4); ip[8] = 64; ip[9] = kind == 't' ? 6 : 17;
        ip[12] = 10; ip[15] = (uint8_t)src; ip[16] = 10;
        ip[19] = (uint8_t)(dst == 0xff ? 255 : dst);
        o += 20;
        uint8_t *l = f + o;
        memset(l, 0, l4);
        l[0] = 0x13; l[1] = 0x88; l[2] = (uint8_t)(dport >> 8);
        l[3] = (uint8_t)dport;
        if (kind == 't') {
            l[7] = 1; l[12] = 5 << 4; l[13] = 0x18; l[14] = 0xff;
        } else {
            l[4] = (uint8_t)(l4 >> 8); l[5] = (uint8_t)l4;
        }
        for (size_t i = (kind == 't' ? 20 : 8); i < l4; i++) l[i] = (uint8_t)i;
        vsw_csum_ipv4_fill(ip, 20);
        len = o + l4;
    }
    if (len < 60) {                     /* Ethernet padding */
        memset(f + len, 0, 60 - len);
    }
    struct vsw_parse_result pr;
    if (vsw_parse_bytes(f, len, 0, &pr) || vsw_csum_l4_fill(f, len, &pr, NULL)) {
        fprintf(stderr, "gen-traffic: built an unparsable frame\n");
        return 0;
    }
    return len < 60 ? 60 : len;
}

static void
emit(pcap_dumper_t *d, double t, int dst, int src, int vid, char kind,
     int dport)
{
    uint8_t f[256];
    struct pcap_pkthdr h;
    size_t len = build(f, dst, src, vid, kind, dport);

    h.ts.tv_sec = (time_t)t;
    h.ts.tv_usec = (suseconds_t)((t - (double)(time_t)t) * 1e6 + 0.5);
    h.caplen = h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)d, &h, f);
}

/* Writes one pcapng block: 'type', 'body' of 'len' bytes (padded to 4),
 * in host byte order. */
static void
ng_block(FILE *f, uint32_t type, const void *body, size_t len)
{
    static const uint8_t pad[4];
    uint32_t total = (uint32_t)(12 + ((len + 3) & ~(size_t)3));

    fwrite(&type, 4, 1, f);
    fwrite(&total, 4, 1, f);
    fwrite(body, 1, len, f);
    fwrite(pad, 1, (4 - len % 4) % 4, f);
    fwrite(&total, 4, 1, f);
}

/* Writes an Enhanced Packet Block on interface 'ifid' at 'ticks'. */
static void
ng_packet(FILE *f, uint32_t ifid, uint64_t ticks, int dst, int src, int vid,
          char kind, int dport)
{
    uint8_t b[20 + 256];
    uint32_t w[5];
    size_t len = build(b + 20, dst, src, vid, kind, dport);

    w[0] = ifid;
    w[1] = (uint32_t)(ticks >> 32);
    w[2] = (uint32_t)ticks;
    w[3] = w[4] = (uint32_t)len;
    memcpy(b, w, sizeof w);
    ng_block(f, 6, b, 20 + len);
}

/* multi.pcapng: interface 0 (microseconds) and 1 (nanoseconds), frames
 * out of order across interfaces so the tool must merge them. */
static int
write_pcapng(const char *dir)
{
    char path[4096];
    FILE *f;
    uint32_t shb[4] = { 0x1A2B3C4Du, 0x00000001u, 0xffffffffu, 0xffffffffu };
    uint8_t idb0[8] = { 1, 0, 0, 0, 0, 0, 1, 0 };   /* Ethernet, 65536 */
    uint8_t idb1[16] = { 1, 0, 0, 0, 0, 0, 1, 0,
                         9, 0, 1, 0, 9, 0, 0, 0 };  /* if_tsresol 10^-9 */

    if (*(const uint8_t *)&shb[1] == 0) {   /* big-endian host */
        idb0[0] = idb1[0] = 0; idb0[1] = idb1[1] = 1;
        idb0[6] = idb1[6] = 0; idb0[5] = idb1[5] = 1;
        idb1[8] = 0; idb1[9] = 9; idb1[10] = 0; idb1[11] = 1;
    }
    snprintf(path, sizeof path, "%s/multi.pcapng", dir);
    if (!(f = fopen(path, "wb"))) {
        perror(path);
        return 1;
    }
    shb[1] = 1;                             /* version 1.0 */
    ng_block(f, 0x0A0D0D0Au, shb, sizeof shb);
    ng_block(f, 1, idb0, sizeof idb0);
    ng_block(f, 1, idb1, sizeof idb1);
    /* 1: interface 1 at 2.5 s: station 0xaa on VLAN 10 broadcasts. */
    ng_packet(f, 1, 2500000000u, 0xff, 0xaa, 10, 'u', 40101);
    /* 2: interface 0 at 3.0 s: station 1 answers 0xaa, known on the trunk. */
    ng_packet(f, 0, 3000000u, 0xaa, 1, 0, 't', 40102);
    /* 3: interface 1 at 3.25 s: VLAN 20 is not allowed on the trunk. */
    ng_packet(f, 1, 3250000000u, 1, 0xaa, 20, '6', 40103);
    if (fclose(f)) {
        perror(path);
        return 1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    char path[4096];
    pcap_dumper_t *vm1, *vm3, *up;

    if (argc != 2) {
        fprintf(stderr, "usage: gen-traffic DIR\n");
        return 2;
    }
    dead = pcap_open_dead(DLT_EN10MB, 65535);
    snprintf(path, sizeof path, "%s/vm1.pcap", argv[1]);
    vm1 = pcap_dump_open(dead, path);
    snprintf(path, sizeof path, "%s/vm3.pcap", argv[1]);
    vm3 = pcap_dump_open(dead, path);
    snprintf(path, sizeof path, "%s/up.pcap", argv[1]);
    up = pcap_dump_open(dead, path);
    if (!vm1 || !vm3 || !up) {
        fprintf(stderr, "gen-traffic: %s\n", pcap_geterr(dead));
        return 1;
    }
    /* Frame numbers in the merged order, as test-replay.sh expects. */
    emit(vm1, 1.0, 0xff, 1, 0, 'a', 0);       /* 1 ARP broadcast, VLAN 10 */
    emit(up, 1.1, 1, 0xaa, 10, 'u', 40002);   /* 2 up -> vm1 tagged 10 */
    emit(vm1, 1.2, 0xaa, 1, 0, 't', 40003);   /* 3 vm1 -> aa, learned on up */
    emit(up, 1.3, 1, 0xaa, 30, 'u', 40004);   /* 4 VLAN 30 not allowed */
    emit(vm3, 1.4, 0xff, 3, 0, 'u', 40005);   /* 5 vm3 broadcast, VLAN 20 */
    emit(vm1, 1.5, 0xaa, 1, 0, 'u', 23);      /* 6 denied by the ACL */
    emit(up, 1.55, 1, 0xaa, 10, '6', 40007);  /* 7 IPv6 UDP up -> vm1 */
    emit(vm1, 1.7, 0xff, 1, 0, 'u', 9);       /* 8 after vm2 link down */
    pcap_dump_close(vm1);
    pcap_dump_close(vm3);
    pcap_dump_close(up);
    pcap_close(dead);
    return write_pcapng(argv[1]);
}
