/*
 * replay.c -- vswitch-replay: runs captured traffic through libvmswitch.
 *
 *     vswitch-replay -d SWITCH.desc --in PORT=FILE.pcap[ng]... -o DIR
 *
 * Reads a switch description (ports with their 802.1Q mode, ACLs, link-down
 * times; format in doc/vmswitch.md), reads every input capture with
 * libpcap (pcap or pcapng), merges the frames in timestamp order (ties: by
 * the order of --in options, then by position in the file), and runs each
 * frame alone through vsw_process() with the frame's timestamp as the
 * switch's time.  It writes DIR/PORT.pcap for every port, holding the
 * frames delivered to that port exactly as sent (802.1Q tags in the
 * bytes), and DIR/decisions.log with one line per input frame:
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmswitch/acl.h"
#include "vmswitch/packet.h"
#include "vmswitch/vswitch.h"

#define MAX_PORTS 64
#define MAX_INPUTS 64

struct port {
    char name[64];
    uint32_t id;
    struct vsw_vlan_config vlan;
    pcap_dumper_t *out;
    double linkdown_s;          /* < 0: never */
    bool down;
};

struct input {
    int port;                   /* index into ports */
    pcap_t *pcap;
    const char *file;
    struct pcap_pkthdr hdr;
    const u_char *data;
    bool have;
    uint64_t pos;
};

static struct port ports[MAX_PORTS];
static int n_ports;
static pcap_t *dead;            /* for the output dumpers */
static FILE *decisions;
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
    exit(1);
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

/* Parses "A,B,C-D" into 's'. */
static void
vid_list(const char *key, const char *text, struct vsw_vid_set *s)
{
    char *copy = strdup(text), *save = NULL;

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
    free(copy);
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

/* Reads the description: ports first (created as they come), then ACLs
 * and link-down times, in any order after their port. */
static void
read_description(struct vsw_switch *sw, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];

    desc_file = path;
    desc_line = 0;
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        exit(1);
    }
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
            if ((error = vsw_port_create(sw, p->name, &p->id))
                || (error = vsw_nic_create(sw, p->id, &nic))
                || (error = vsw_nic_connect(sw, p->id))
                || (error = vsw_port_set_vlan(sw, p->id, &p->vlan))) {
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
        } else {
            desc_error("unknown statement '%s' (expected port, acl or "
                       "linkdown)", tok[0]);
        }
    }
    fclose(f);
    if (n_ports == 0) {
        desc_line = 0;
        desc_error("no ports");
    }
}

/* --- Replay ------------------------------------------------------------ */

static void
advance(struct input *in)
{
    struct pcap_pkthdr *h;
    int rc = pcap_next_ex(in->pcap, &h, &in->data);

    in->have = rc == 1;
    if (in->have) {
        in->hdr = *h;
        in->pos++;
    } else if (rc == PCAP_ERROR) {
        fprintf(stderr, "%s: %s\n", in->file, pcap_geterr(in->pcap));
        exit(1);
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

static void
usage(FILE *out)
{
    fprintf(out,
        "usage: vswitch-replay -d SWITCH.desc --in PORT=FILE... -o DIR\n"
        "Runs captured frames through libvmswitch; writes DIR/PORT.pcap per\n"
        "port and DIR/decisions.log (see doc/vmswitch.md).\n");
}

int
main(int argc, char **argv)
{
    static const struct option options[] = {
        { "desc", required_argument, NULL, 'd' },
        { "in", required_argument, NULL, 'i' },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct vsw_switch_params sp = { "replay", 1, 65536, 0 };
    struct input inputs[MAX_INPUTS];
    char *in_specs[MAX_INPUTS];
    int n_inputs = 0, c;
    const char *desc = NULL, *dir = NULL;
    struct vsw_switch *sw;
    char errbuf[PCAP_ERRBUF_SIZE], path[4096];
    double first_s = -1;
    uint64_t frame_no = 0, last_ns = 0;

    while ((c = getopt_long(argc, argv, "d:i:o:h", options, NULL)) != -1) {
        switch (c) {
        case 'd': desc = optarg; break;
        case 'o': dir = optarg; break;
        case 'i':
            if (n_inputs == MAX_INPUTS) {
                fprintf(stderr, "vswitch-replay: more than %d inputs\n",
                        MAX_INPUTS);
                return 2;
            }
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
            fprintf(stderr, "vswitch-replay: -o: path too long\n");
            return 2;
        }
        ports[i].out = pcap_dump_open(dead, path);
        if (!ports[i].out) {
            fprintf(stderr, "%s: %s\n", path, pcap_geterr(dead));
            return 1;
        }
    }
    if (snprintf(path, sizeof path, "%s/decisions.log", dir)
        >= (int)sizeof path) {
        fprintf(stderr, "vswitch-replay: -o: path too long\n");
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
        pcap_close(inputs[i].pcap);
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
