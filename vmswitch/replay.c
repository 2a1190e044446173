/*
 * replay.c -- vswitch-replay: runs captured traffic through libvmswitch.
 *
 *     vswitch-replay -d SWITCH.desc --in PORT=FILE.pcap[ng]...
 *                    [--in-pcapng FILE.pcapng]... -o DIR [--log FILE]
 *
 * Reads a switch description (ports with their 802.1Q mode, ACLs, link-down
 * times; format in doc/vmswitch.md), reads every input capture with
 * libpcap (pcap or pcapng; a multi-interface pcapng given with --in-pcapng
 * is read by the small reader below, because libpcap does not say which
 * interface a frame came from, and its interface I feeds the I+1-th port
 * of the description), merges the frames in timestamp order (ties: by
 * the order of the input options, then by position in the file), and runs each
 * frame alone through vsw_process() with the frame's timestamp as the
 * switch's time.  It writes DIR/PORT.pcap for every port, holding the
 * frames delivered to that port exactly as sent (802.1Q tags in the
 * bytes), and a decision log (DIR/decisions.log unless --log FILE) with
 * one line per input frame:
 *
 *     FRAME TIME_S in=PORT out=PORT:vlan=VID out=PORT:untagged drop=REASON
 *
 * Drop reasons are the switch's own names, found by comparing its drop
 * counters before and after the frame, so a flood that reaches some ports
 * and is filtered on others shows both.  Exit codes: 0 success, 1 input
 * error (a FILE:LINE message for the description), 2 usage error.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmswitch/acl.h"
#include "vmswitch/packet.h"
#include "vmswitch/vswitch.h"

#define MAX_PORTS 64
#define MAX_INPUTS 64

/* How an input error (a bad description or capture) ends the program,
 * after its message: exit status 1.  The fuzz target of the readers
 * (tests/fuzz/fuzz-replay.c) includes this file with REPLAY_FUZZ defined
 * and jumps back into itself instead, so everything the readers allocate
 * must be reachable from their caller when they fail. */
#ifdef REPLAY_FUZZ
static void replay_input_error(void) __attribute__((noreturn));
#else
#define replay_input_error() exit(1)
#endif

struct port {
    char name[64];
    uint32_t id;
    struct vsw_vlan_config vlan;
    uint8_t macs[VSW_NIC_MAX_MACS][6];  /* the NIC's addresses (mac=) */
    unsigned n_macs;
    struct vsw_guards guards;
    long mac_limit;             /* < 0: none */
    pcap_dumper_t *out;
    double linkdown_s;          /* < 0: never */
    bool down;
};

/* One pcapng interface (Interface Description Block) of the section being
 * read: its link type and timestamp resolution. */
struct ng_if {
    uint16_t linktype;
    bool pow2;                  /* resolution 2^-res, else 10^-res */
    uint8_t res;                /* if_tsresol; 6 (microseconds) by default */
};

/* An input: a capture opened by libpcap for one port ('pcap'), or a
 * pcapng file read by ng_next() whose interfaces map to ports ('ng'). */
struct input {
    int port;                   /* index into ports, of the current frame */
    pcap_t *pcap;               /* --in */
    FILE *ng;                   /* --in-pcapng */
    bool ng_swap;               /* section written in the other byte order */
    struct ng_if ifs[MAX_PORTS];
    unsigned n_ifs;
    uint8_t *buf;               /* the current pcapng block */
    size_t buf_cap;
    const char *file;
    struct pcap_pkthdr hdr;
    const u_char *data;
    bool have;
    uint64_t pos;
};

static struct port ports[MAX_PORTS];
static int n_ports;
static pcap_t *dead;            /* for the output dumpers */
#ifndef REPLAY_FUZZ
static FILE *decisions;
#endif
static char *line_buf;          /* the decision line being built */
static size_t line_len, line_cap;

static void line_add(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
line_add(const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        if (!line_buf) {
            line_cap = 256;
            line_buf = malloc(line_cap);
            if (!line_buf) {
                fprintf(stderr, "vswitch-replay: out of memory\n");
                exit(1);
            }
        }
        va_start(ap, fmt);
        n = vsnprintf(line_buf + line_len, line_cap - line_len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < line_cap - line_len) {
            line_len += (size_t)n;
            return;
        }
        line_cap *= 2;
        line_buf = realloc(line_buf, line_cap);
        if (!line_buf) {
            fprintf(stderr, "vswitch-replay: out of memory\n");
            exit(1);
        }
    }
}

static struct pcap_pkthdr cur_hdr;      /* the input frame being replayed */

static void
deliver(void *owner, struct vsw_pkt *const pkts[], size_t n)
{
    struct port *p = owner;

    for (size_t i = 0; i < n; i++) {
        const uint8_t *d = vsw_pkt_data_const(pkts[i]);
        size_t len = vsw_pkt_len(pkts[i]);
        struct pcap_pkthdr h = cur_hdr;

        h.caplen = h.len = (bpf_u_int32)len;
        pcap_dump((u_char *)p->out, &h, d);
        if (len >= 18 && d[12] == 0x81 && d[13] == 0x00) {
            line_add(" out=%s:vlan=%u", p->name,
                     (unsigned)((d[14] << 8 | d[15]) & 0x0fff));
        } else {
            line_add(" out=%s:untagged", p->name);
        }
    }
}

static void
link_changed(void *owner, bool up)
{
    (void)owner;
    (void)up;
}

static const struct vsw_nic_ops nic_ops = { deliver, link_changed };

/* --- The description file ---------------------------------------------- */

static const char *desc_file;
static int desc_line;

/* The longest description line read, with its newline and terminator. */
#define DESC_LINE_MAX 4096

static void desc_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
desc_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: ", desc_file, desc_line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    replay_input_error();
}

static long
num(const char *key, const char *text, long lo, long hi)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi) {
        desc_error("%s: '%s' is not an integer in [%ld, %ld]", key, text,
                   lo, hi);
    }
    return v;
}

/* Parses a MAC address "xx:xx:xx:xx:xx:xx" into 'mac'. */
static void
mac_addr(const char *key, const char *text, uint8_t mac[6])
{
    unsigned b[6];
    char end;

    if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
               &b[4], &b[5], &end) != 6 || strlen(text) != 17) {
        desc_error("%s: '%s' is not a MAC address xx:xx:xx:xx:xx:xx", key,
                   text);
    }
    for (int i = 0; i < 6; i++) {
        mac[i] = (uint8_t)b[i];
    }
}

/* Parses "A,B,C-D" into 's'.  'text' is part of one description line,
 * so it fits the copy. */
static void
vid_list(const char *key, const char *text, struct vsw_vid_set *s)
{
    char copy[DESC_LINE_MAX], *save = NULL;

    snprintf(copy, sizeof copy, "%s", text);
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(t, '-');
        if (dash) {
            *dash = '\0';
            long lo = num(key, t, 1, 4094), hi = num(key, dash + 1, 1, 4094);
            if (lo > hi) {
                desc_error("%s: empty range '%s-%s'", key, t, dash + 1);
            }
            vsw_vid_set_add_range(s, (uint16_t)lo, (uint16_t)hi);
        } else {
            vsw_vid_set_add(s, (uint16_t)num(key, t, 1, 4094));
        }
    }
}

static int
find_port(const char *name)
{
    for (int i = 0; i < n_ports; i++) {
        if (!strcmp(ports[i].name, name)) {
            return i;
        }
    }
    return -1;
}

static void
parse_port(char **tok, int n)
{
    struct port *p;

    if (n < 2) {
        desc_error("port: missing name");
    }
    if (n_ports == MAX_PORTS) {
        desc_error("port '%s': more than %d ports", tok[1], MAX_PORTS);
    }
    if (find_port(tok[1]) >= 0 || strlen(tok[1]) >= sizeof p->name
        || strchr(tok[1], '=') || strchr(tok[1], '/')) {
        desc_error("port: bad or duplicate name '%s'", tok[1]);
    }
    p = &ports[n_ports++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", tok[1]);
    p->linkdown_s = -1;
    p->mac_limit = -1;
    p->vlan.mode = VSW_VLAN_UNTAGGED;
    for (int i = 2; i < n; i++) {
        char *eq = strchr(tok[i], '=');
        const char *k = tok[i], *v;
        if (!eq) {
            desc_error("port '%s': expected KEY=VALUE, got '%s'", p->name,
                       tok[i]);
        }
        *eq = '\0';
        v = eq + 1;
        if (!strcmp(k, "mode")) {
            if (!strncmp(v, "pvlan-", 6)) {
                v += 6;             /* pvlan-isolated is isolated, ... */
            }
            if (!strcmp(v, "untagged")) p->vlan.mode = VSW_VLAN_UNTAGGED;
            else if (!strcmp(v, "access")) p->vlan.mode = VSW_VLAN_ACCESS;
            else if (!strcmp(v, "trunk")) p->vlan.mode = VSW_VLAN_TRUNK;
            else if (!strcmp(v, "isolated") || !strcmp(v, "community")
                     || !strcmp(v, "promiscuous")) {
                p->vlan.mode = VSW_VLAN_PVLAN;
                p->vlan.pvlan = v[0] == 'i' ? VSW_PVLAN_ISOLATED
                                : v[0] == 'c' ? VSW_PVLAN_COMMUNITY
                                : VSW_PVLAN_PROMISCUOUS;
            } else {
                desc_error("mode: '%s' is not untagged, access, trunk, "
                           "isolated, community or promiscuous", v);
            }
        } else if (!strcmp(k, "vid")) {
            p->vlan.access_vid = (uint16_t)num(k, v, 1, 4094);
        } else if (!strcmp(k, "native")) {
            p->vlan.native_vid = (uint16_t)num(k, v, 0, 4094);
        } else if (!strcmp(k, "allowed")) {
            vid_list(k, v, &p->vlan.allowed);
        } else if (!strcmp(k, "primary")) {
            p->vlan.primary_vid = (uint16_t)num(k, v, 1, 4094);
        } else if (!strcmp(k, "secondary")) {
            p->vlan.secondary_vid = (uint16_t)num(k, v, 1, 4094);
        } else if (!strcmp(k, "secondaries")) {
            vid_list(k, v, &p->vlan.secondaries);
        } else if (!strcmp(k, "mac")) {
            char buf[256], *save = NULL;
            snprintf(buf, sizeof buf, "%s", v);
            p->n_macs = 0;
            for (char *t = strtok_r(buf, ",", &save); t;
                 t = strtok_r(NULL, ",", &save)) {
                if (p->n_macs == VSW_NIC_MAX_MACS) {
                    desc_error("mac: more than %d addresses in '%s'",
                               VSW_NIC_MAX_MACS, v);
                }
                mac_addr(k, t, p->macs[p->n_macs++]);
            }
        } else if (!strcmp(k, "guard")) {
            char buf[64], *save = NULL;
            snprintf(buf, sizeof buf, "%s", v);
            for (char *t = strtok_r(buf, ",", &save); t;
                 t = strtok_r(NULL, ",", &save)) {
                if (!strcmp(t, "spoof")) p->guards.mac_spoof = true;
                else if (!strcmp(t, "dhcp")) p->guards.dhcp = true;
                else if (!strcmp(t, "router")) p->guards.router = true;
                else desc_error("guard: '%s' is not spoof, dhcp or router", t);
            }
        } else if (!strcmp(k, "mac-limit")) {
            p->mac_limit = num(k, v, 0, 1000000000);
        } else {
            desc_error("port '%s': unknown key '%s'", p->name, k);
        }
    }
}

static void
parse_acl(struct vsw_switch *sw, char **tok, int n)
{
    struct vsw_acl_rule r;
    enum vsw_acl_dir dir;
    int p, error;

    if (n < 4) {
        desc_error("acl: expected 'acl PORT in|out allow|deny|count ...'");
    }
    if ((p = find_port(tok[1])) < 0) {
        desc_error("acl: unknown port '%s'", tok[1]);
    }
    if (!strcmp(tok[2], "in")) dir = VSW_ACL_IN;
    else if (!strcmp(tok[2], "out")) dir = VSW_ACL_OUT;
    else desc_error("acl: direction '%s' is not in or out", tok[2]);
    vsw_acl_rule_init(&r);
    if (!strcmp(tok[3], "allow")) r.action = VSW_ACL_ALLOW;
    else if (!strcmp(tok[3], "deny")) r.action = VSW_ACL_DENY;
    else if (!strcmp(tok[3], "count")) r.action = VSW_ACL_COUNT;
    else desc_error("acl: action '%s' is not allow, deny or count", tok[3]);
    for (int i = 4; i < n; i++) {
        char *eq = strchr(tok[i], '=');
        const char *k = tok[i], *v;
        if (!eq) {
            desc_error("acl: expected KEY=VALUE, got '%s'", tok[i]);
        }
        *eq = '\0';
        v = eq + 1;
        if (!strcmp(k, "proto")) {
            r.fields |= VSW_ACL_M_IP_PROTO;
            r.ip_proto = !strcmp(v, "tcp") ? 6 : !strcmp(v, "udp") ? 17
                         : !strcmp(v, "icmp") ? 1
                         : (uint8_t)num(k, v, 0, 255);
        } else if (!strcmp(k, "vlan")) {
            r.fields |= VSW_ACL_M_VLAN;
            r.vlan = (uint16_t)num(k, v, 0, 4095);
        } else if (!strcmp(k, "priority")) {
            r.priority = (int32_t)num(k, v, -1000000, 1000000);
        } else if (!strcmp(k, "src-port") || !strcmp(k, "dst-port")) {
            char buf[32];
            snprintf(buf, sizeof buf, "%s", v);
            char *dash = strchr(buf, '-');
            long lo, hi;
            if (dash) {
                *dash = '\0';
                lo = num(k, buf, 0, 65535);
                hi = num(k, dash + 1, 0, 65535);
            } else {
                lo = hi = num(k, buf, 0, 65535);
            }
            if (k[0] == 's') {
                r.fields |= VSW_ACL_M_SRC_PORT;
                r.src_port_min = (uint16_t)lo;
                r.src_port_max = (uint16_t)hi;
            } else {
                r.fields |= VSW_ACL_M_DST_PORT;
                r.dst_port_min = (uint16_t)lo;
                r.dst_port_max = (uint16_t)hi;
            }
        } else {
            desc_error("acl: unknown key '%s'", k);
        }
    }
    error = vsw_acl_add(sw, ports[p].id, dir, &r, NULL);
    if (error) {
        desc_error("acl: rejected by the switch: %s", strerror(error));
    }
}

/* Reads the description from 'f', named 'path' in messages: ports first
 * (created as they come), then ACLs and link-down times, in any order
 * after their port.  The caller closes 'f'. */
static void
read_description_file(struct vsw_switch *sw, FILE *f, const char *path)
{
    char line[DESC_LINE_MAX];

    desc_file = path;
    desc_line = 0;
    while (fgets(line, sizeof line, f)) {
        char *tok[64], *save = NULL;
        int n = 0;

        desc_line++;
        *strchrnul(line, '#') = '\0';
        for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 64;
             t = strtok_r(NULL, " \t\r\n", &save)) {
            tok[n++] = t;
        }
        if (n == 0) {
            continue;
        }
        if (!strcmp(tok[0], "port")) {
            struct vsw_nic_params nic;
            struct port *p;
            int error;

            parse_port(tok, n);
            p = &ports[n_ports - 1];
            memset(&nic, 0, sizeof nic);
            nic.kind = VSW_NIC_VM;
            nic.name = p->name;
            nic.ops = &nic_ops;
            nic.owner = p;
            memcpy(nic.macs, p->macs, sizeof nic.macs);
            nic.n_macs = p->n_macs;
            if ((error = vsw_port_create(sw, p->name, &p->id))
                || (error = vsw_nic_create(sw, p->id, &nic))
                || (error = vsw_nic_connect(sw, p->id))
                || (error = vsw_port_set_vlan(sw, p->id, &p->vlan))
                || (error = vsw_port_set_guards(sw, p->id, &p->guards))
                || (p->mac_limit >= 0
                    && (error = vsw_port_set_mac_limit(sw, p->id,
                                                   (uint32_t)p->mac_limit)))) {
                desc_error("port '%s': rejected by the switch: %s", p->name,
                           strerror(error));
            }
        } else if (!strcmp(tok[0], "acl")) {
            parse_acl(sw, tok, n);
        } else if (!strcmp(tok[0], "linkdown")) {
            int p;
            char *at;
            if (n != 3 || strncmp(tok[2], "at=", 3)) {
                desc_error("linkdown: expected 'linkdown PORT at=SECONDS'");
            }
            if ((p = find_port(tok[1])) < 0) {
                desc_error("linkdown: unknown port '%s'", tok[1]);
            }
            ports[p].linkdown_s = strtod(tok[2] + 3, &at);
            if (at == tok[2] + 3 || *at || ports[p].linkdown_s < 0) {
                desc_error("linkdown: 'at=%s' is not a time in seconds >= 0",
                           tok[2] + 3);
            }
        } else if (!strcmp(tok[0], "static")) {
            uint8_t mac[6];
            int p, error;
            if (n != 4 || strncmp(tok[3], "vlan=", 5)) {
                desc_error("static: expected 'static PORT MAC vlan=N'");
            }
            if ((p = find_port(tok[1])) < 0) {
                desc_error("static: unknown port '%s'", tok[1]);
            }
            mac_addr("static", tok[2], mac);
            error = vsw_static_mac_add(sw, ports[p].id, mac,
                                       (uint16_t)num("vlan", tok[3] + 5, 1,
                                                     4094));
            if (error) {
                desc_error("static: rejected by the switch: %s",
                           strerror(error));
            }
        } else {
            desc_error("unknown statement '%s' (expected port, acl, static "
                       "or linkdown)", tok[0]);
        }
    }
    if (n_ports == 0) {
        desc_line = 0;
        desc_error("no ports");
    }
}

#ifndef REPLAY_FUZZ
static void
read_description(struct vsw_switch *sw, const char *path)
{
    FILE *f = fopen(path, "r");

    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        exit(1);
    }
    read_description_file(sw, f, path);
    fclose(f);
}
#endif

/* --- pcapng with interface ids ----------------------------------------- */

/* HOW IT WORKS.  A pcapng file is a sequence of blocks, each 'type',
 * 'total length', body, 'total length' again, in the byte order of its
 * section (the Section Header Block's magic 0x1A2B3C4D says which).  An
 * Interface Description Block numbers interfaces 0, 1, ... within the
 * section and gives their link type and timestamp resolution; an Enhanced
 * Packet Block names its interface and carries a 64-bit timestamp in that
 * resolution; a Simple Packet Block belongs to interface 0 and has no
 * timestamp (we give it the previous frame's).  Other blocks are skipped.
 * Interface I feeds the I+1-th port of the description. */

#define NG_SHB 0x0A0D0D0Au
#define NG_IDB 1u
#define NG_SPB 3u
#define NG_EPB 6u
#define NG_MAX_BLOCK (64u << 20)

static void ng_error(const struct input *in, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void
ng_error(const struct input *in, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: frame %" PRIu64 ": ", in->file, in->pos + 1);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    replay_input_error();
}

static uint32_t
ng32(const struct input *in, const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return in->ng_swap ? __builtin_bswap32(v) : v;
}

static uint16_t
ng16(const struct input *in, const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, 2);
    return in->ng_swap ? __builtin_bswap16(v) : v;
}

/* Converts 'ticks' of interface 'ifc' to nanoseconds. */
static uint64_t
ng_ticks_ns(const struct ng_if *ifc, uint64_t ticks)
{
    if (ifc->pow2) {                /* res < 64, checked by ng_idb() */
        uint64_t frac = ticks & (((uint64_t)1 << ifc->res) - 1);
        return (ticks >> ifc->res) * 1000000000u
               + (uint64_t)((double)frac * 1e9
                            / (double)((uint64_t)1 << ifc->res));
    }
    uint64_t ns = ticks;
    for (int r = ifc->res; r < 9; r++) {
        ns *= 10;
    }
    for (int r = ifc->res; r > 9; r--) {
        ns /= 10;
    }
    return ns;
}

/* Reads the Interface Description Block 'b' of 'len' bytes of body. */
static void
ng_idb(struct input *in, const uint8_t *b, size_t len)
{
    struct ng_if *ifc;

    if (len < 8) {
        ng_error(in, "interface description block too short");
    }
    if (in->n_ifs == MAX_PORTS) {
        ng_error(in, "more than %d interfaces", MAX_PORTS);
    }
    ifc = &in->ifs[in->n_ifs++];
    ifc->linktype = ng16(in, b);
    ifc->pow2 = false;
    ifc->res = 6;
    for (size_t o = 8; o + 4 <= len;) {
        uint16_t code = ng16(in, b + o), olen = ng16(in, b + o + 2);
        if (code == 0) {
            break;
        }
        if (o + 4 + olen > len) {
            ng_error(in, "interface option runs past its block");
        }
        if (code == 9 && olen >= 1) {       /* if_tsresol */
            ifc->pow2 = b[o + 4] & 0x80;
            ifc->res = b[o + 4] & 0x7f;
            if (ifc->pow2 ? ifc->res > 63 : ifc->res > 19) {
                ng_error(in, "timestamp resolution %s-%u",
                         ifc->pow2 ? "2^" : "10^", ifc->res);
            }
        }
        o += 4 + (((size_t)olen + 3) & ~(size_t)3);
    }
}

/* Reads blocks until the next packet of 'in': sets in->hdr, in->data and
 * in->port and returns true, or returns false at the end of the file.
 * Exits 1 with a message on a malformed file. */
static bool
ng_next(struct input *in)
{
    for (;;) {
        uint8_t head[12];
        uint32_t type, len;
        size_t got = fread(head, 1, 8, in->ng), body;

        if (got == 0 && feof(in->ng)) {
            return false;
        }
        if (got != 8) {
            ng_error(in, "truncated block header");
        }
        memcpy(&type, head, 4);
        if (type == NG_SHB) {
            uint32_t magic;
            if (fread(head + 8, 1, 4, in->ng) != 4) {
                ng_error(in, "truncated section header");
            }
            memcpy(&magic, head + 8, 4);
            if (magic == 0x1A2B3C4Du) {
                in->ng_swap = false;
            } else if (magic == 0x4D3C2B1Au) {
                in->ng_swap = true;
            } else {
                ng_error(in, "bad byte-order magic 0x%08x", magic);
            }
            in->n_ifs = 0;          /* interfaces are numbered per section */
        } else if (!in->buf) {      /* no block read yet */
            ng_error(in, "not a pcapng file (no section header first)");
        }
        type = ng32(in, head);
        len = ng32(in, head + 4);
        if (len < 12 || len % 4 || len > NG_MAX_BLOCK
            || (type == NG_SHB && len < 28)) {
            ng_error(in, "bad block length %u", len);
        }
        body = len - 12;            /* without type, length and length */
        if (in->buf_cap < len) {
            uint8_t *nb = realloc(in->buf, len);
            if (!nb) {
                ng_error(in, "out of memory");
            }
            in->buf = nb;
            in->buf_cap = len;
        }
        if (type == NG_SHB) {       /* the magic is already read */
            if (fread(in->buf, 1, len - 12, in->ng) != len - 12) {
                ng_error(in, "truncated section header");
            }
            continue;
        }
        if (fread(in->buf, 1, len - 8, in->ng) != len - 8) {
            ng_error(in, "truncated block");
        }
        if (type == NG_IDB) {
            ng_idb(in, in->buf, body);
        } else if (type == NG_EPB || type == NG_SPB) {
            uint32_t ifid = 0, caplen, origlen;
            size_t hdr = type == NG_EPB ? 20 : 4;
            uint64_t ns;

            if (body < hdr) {
                ng_error(in, "packet block too short");
            }
            if (type == NG_EPB) {
                ifid = ng32(in, in->buf);
                caplen = ng32(in, in->buf + 12);
                origlen = ng32(in, in->buf + 16);
            } else {
                origlen = ng32(in, in->buf);
                caplen = origlen < body - hdr ? origlen
                                               : (uint32_t)(body - hdr);
            }
            if (caplen > body - hdr) {
                ng_error(in, "captured length %u runs past its block", caplen);
            }
            if (ifid >= in->n_ifs) {
                ng_error(in, "interface %u is not described", ifid);
            }
            if (in->ifs[ifid].linktype != DLT_EN10MB) {
                ng_error(in, "interface %u: link type %u is not Ethernet",
                         ifid, in->ifs[ifid].linktype);
            }
            if ((int)ifid >= n_ports) {
                ng_error(in, "interface %u has no port (the description "
                         "has %d)", ifid, n_ports);
            }
            if (type == NG_EPB) {
                uint64_t ticks = (uint64_t)ng32(in, in->buf + 4) << 32
                                 | ng32(in, in->buf + 8);
                ns = ng_ticks_ns(&in->ifs[ifid], ticks);
                in->hdr.ts.tv_sec = (time_t)(ns / 1000000000u);
                in->hdr.ts.tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
            }                       /* an SPB keeps the previous time */
            in->hdr.caplen = caplen;
            in->hdr.len = origlen;
            in->data = in->buf + hdr;
            in->port = (int)ifid;
            return true;
        }
    }
}

/* --- Replay ------------------------------------------------------------ */

static void
advance(struct input *in)
{
    struct pcap_pkthdr *h;
    int rc;

    if (in->ng) {
        in->have = ng_next(in);
        in->pos += in->have;
        return;
    }
    rc = pcap_next_ex(in->pcap, &h, &in->data);
    in->have = rc == 1;
    if (in->have) {
        in->hdr = *h;
        in->pos++;
    } else if (rc == PCAP_ERROR) {
        fprintf(stderr, "%s: %s\n", in->file, pcap_geterr(in->pcap));
        replay_input_error();
    }
}

static double
ts_seconds(const struct pcap_pkthdr *h)
{
    return (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
}

static uint64_t
ts_ns(const struct pcap_pkthdr *h)
{
    return (uint64_t)h->ts.tv_sec * 1000000000u
           + (uint64_t)h->ts.tv_usec * 1000u;
}

#ifndef REPLAY_FUZZ
static void
usage(FILE *out)
{
    fprintf(out,
        "usage: vswitch-replay -d SWITCH.desc -o DIR [--log FILE]\n"
        "                      (--in PORT=FILE | --in-pcapng FILE)...\n"
        "Runs captured frames through libvmswitch in timestamp order.\n"
        "  -d, --desc FILE       switch description (ports, acl, static,\n"
        "                        linkdown; see doc/vmswitch.md)\n"
        "  -i, --in PORT=FILE    pcap or pcapng frames entering port PORT\n"
        "  -n, --in-pcapng FILE  pcapng whose interface I enters the I+1-th\n"
        "                        port of the description\n"
        "  -o, --output DIR      writes DIR/PORT.pcap for every port\n"
        "  -l, --log FILE        decision log (default DIR/decisions.log)\n"
        "  -h, --help, -V, --version\n"
        "Exit status: 0 success, 1 input error, 2 usage error.\n");
}

int
main(int argc, char **argv)
{
    static const struct option options[] = {
        { "desc", required_argument, NULL, 'd' },
        { "in", required_argument, NULL, 'i' },
        { "in-pcapng", required_argument, NULL, 'n' },
        { "log", required_argument, NULL, 'l' },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct vsw_switch_params sp = { "replay", 1, 65536, 0 };
    struct input inputs[MAX_INPUTS];
    char *in_specs[MAX_INPUTS];
    bool in_ng[MAX_INPUTS];
    int n_inputs = 0, c;
    const char *desc = NULL, *dir = NULL, *log = NULL;
    struct vsw_switch *sw;
    char errbuf[PCAP_ERRBUF_SIZE], path[4096];
    double first_s = -1;
    uint64_t frame_no = 0, last_ns = 0;

    while ((c = getopt_long(argc, argv, "d:i:n:o:l:hV", options, NULL)) != -1) {
        switch (c) {
        case 'd': desc = optarg; break;
        case 'o': dir = optarg; break;
        case 'l': log = optarg; break;
        case 'i':
        case 'n':
            if (n_inputs == MAX_INPUTS) {
                fprintf(stderr, "vswitch-replay: more than %d inputs\n",
                        MAX_INPUTS);
                return 2;
            }
            in_ng[n_inputs] = c == 'n';
            in_specs[n_inputs++] = optarg;
            break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("vswitch-replay (vnetsim) %s\n", PACKAGE_VERSION);
                  return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!desc || !dir || n_inputs == 0 || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (vsw_switch_create(&sp, &sw)) {
        fprintf(stderr, "vswitch-replay: cannot create the switch\n");
        return 1;
    }
    read_description(sw, desc);

    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "%s: %s\n", dir, strerror(errno));
        return 1;
    }
    dead = pcap_open_dead(DLT_EN10MB, 65535);
    for (int i = 0; i < n_ports; i++) {
        if (snprintf(path, sizeof path, "%s/%s.pcap", dir, ports[i].name)
            >= (int)sizeof path) {
            fprintf(stderr, "vswitch-replay: output path too long\n");
            return 2;
        }
        ports[i].out = pcap_dump_open(dead, path);
        if (!ports[i].out) {
            fprintf(stderr, "%s: %s\n", path, pcap_geterr(dead));
            return 1;
        }
    }
    if (snprintf(path, sizeof path, "%s", log ? log : "") >= (int)sizeof path
        || (!log && snprintf(path, sizeof path, "%s/decisions.log", dir)
                    >= (int)sizeof path)) {
        fprintf(stderr, "vswitch-replay: output path too long\n");
        return 2;
    }
    decisions = fopen(path, "w");
    if (!decisions) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return 1;
    }
    for (int i = 0; i < n_inputs; i++) {
        char *eq = strchr(in_specs[i], '=');
        struct input *in = &inputs[i];

        memset(in, 0, sizeof *in);
        if (in_ng[i]) {
            in->file = in_specs[i];
            in->ng = fopen(in->file, "rb");
            if (!in->ng) {
                fprintf(stderr, "%s: %s\n", in->file, strerror(errno));
                return 1;
            }
            advance(in);
            continue;
        }
        if (!eq) {
            fprintf(stderr, "vswitch-replay: --in '%s': expected PORT=FILE\n",
                    in_specs[i]);
            return 2;
        }
        *eq = '\0';
        in->port = find_port(in_specs[i]);
        in->file = eq + 1;
        if (in->port < 0) {
            fprintf(stderr, "vswitch-replay: --in: unknown port '%s'\n",
                    in_specs[i]);
            return 1;
        }
        in->pcap = pcap_open_offline(in->file, errbuf);
        if (!in->pcap) {
            fprintf(stderr, "%s\n", errbuf);
            return 1;
        }
        if (pcap_datalink(in->pcap) != DLT_EN10MB) {
            fprintf(stderr, "%s: link type %d is not Ethernet\n", in->file,
                    pcap_datalink(in->pcap));
            return 1;
        }
        advance(in);
    }

    for (;;) {
        struct input *best = NULL;
        struct vsw_switch_counters before, after;
        struct vsw_pkt *pkt;
        uint64_t now;

        for (int i = 0; i < n_inputs; i++) {
            struct input *in = &inputs[i];
            if (in->have && (!best || ts_ns(&in->hdr) < ts_ns(&best->hdr))) {
                best = in;
            }
        }
        if (!best) {
            break;
        }
        if (first_s < 0) {
            first_s = ts_seconds(&best->hdr);
        }
        for (int i = 0; i < n_ports; i++) {
            if (!ports[i].down && ports[i].linkdown_s >= 0
                && ts_seconds(&best->hdr) - first_s >= ports[i].linkdown_s) {
                vsw_nic_disconnect(sw, ports[i].id);
                ports[i].down = true;
                fprintf(decisions, "# %.6f linkdown %s\n",
                        ts_seconds(&best->hdr), ports[i].name);
            }
        }
        cur_hdr = best->hdr;
        now = ts_ns(&best->hdr);
        now = now < last_ns ? last_ns : now;        /* never backwards */
        last_ns = now;
        line_len = 0;
        line_add("%" PRIu64 " %.6f in=%s", ++frame_no,
                 ts_seconds(&best->hdr), ports[best->port].name);
        vsw_switch_counters(sw, &before);
        pkt = vsw_pkt_from_bytes(best->data, best->hdr.caplen);
        if (!pkt) {
            fprintf(stderr, "vswitch-replay: out of memory\n");
            return 1;
        }
        vsw_process(sw, 0, now, ports[best->port].id, &pkt, 1, NULL);
        vsw_pkt_free(pkt);
        vsw_switch_counters(sw, &after);
        for (int r = 0; r < VSW_DROP_MAX; r++) {
            for (uint64_t k = before.drop[r]; k < after.drop[r]; k++) {
                line_add(" drop=%s", vsw_drop_reason_name(r));
            }
        }
        fprintf(decisions, "%s\n", line_buf);
        advance(best);
    }

    for (int i = 0; i < n_inputs; i++) {
        if (inputs[i].ng) {
            fclose(inputs[i].ng);
            free(inputs[i].buf);
        } else {
            pcap_close(inputs[i].pcap);
        }
    }
    for (int i = 0; i < n_ports; i++) {
        pcap_dump_close(ports[i].out);
    }
    pcap_close(dead);
    free(line_buf);
    vsw_switch_destroy(sw);
    if (fclose(decisions)) {
        fprintf(stderr, "vswitch-replay: writing the decision log: %s\n",
                strerror(errno));
        return 1;
    }
    return 0;
}
#endif /* REPLAY_FUZZ */
