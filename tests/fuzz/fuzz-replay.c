/*
 * fuzz-replay.c -- a libFuzzer target over vswitch-replay's input readers
 * (vmswitch/replay.c, included here with REPLAY_FUZZ so that its static
 * readers are reachable and an input error jumps back here instead of
 * exiting): the switch description parser, the program's own pcapng
 * reader (--in-pcapng) and libpcap's reader (--in), each frame then run
 * through the switch the description built, as the program does.
 *
 * INPUT: the description text, a NUL byte, then the capture bytes.
 * Without a NUL the whole input is the capture and the description is a
 * fixed two-port one.  The capture is read twice: by ng_next() as a
 * multi-interface pcapng file, and by libpcap (pcap or pcapng) as the
 * input of the first port.  At most MAX_FRAMES frames are replayed per
 * reader.
 *
 * INVARIANTS: no memory error, leak or undefined behaviour (the
 * sanitizers check); an input error is a message and a jump, never a
 * crash; the readers never return a frame longer than its block.
 *
 * Built by 'make fuzz' / 'make fuzz-smoke' with libFuzzer; also linked
 * into tests/fuzz/run-corpus-replay, which replays the seed corpus under
 * 'make check'.
 */
#define REPLAY_FUZZ 1
#include "vmswitch/replay.c"

#include <setjmp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES 256

static jmp_buf bail;

static void
replay_input_error(void)
{
    longjmp(bail, 1);
}

static const char default_desc[] =
    "port a mode=trunk allowed=10,20 native=1\n"
    "port b mode=access vid=10 guard=spoof,dhcp mac-limit=4\n"
    "acl b in deny proto=udp dst-port=67-68\n";

/* Runs the frame of 'in' through 'sw', as vswitch-replay's main loop
 * does, and logs its decisions into the line buffer. */
static void
replay_one(struct vsw_switch *sw, struct input *in, uint64_t *last_ns)
{
    struct vsw_switch_counters before, after;
    struct vsw_pkt *pkt;
    uint64_t now = ts_ns(&in->hdr);

    if (in->ng && (in->data < in->buf
                   || in->hdr.caplen > in->buf_cap
                   || (size_t)(in->data - in->buf)
                      > in->buf_cap - in->hdr.caplen)) {
        abort();        /* a frame must lie inside its block */
    }
    now = now < *last_ns ? *last_ns : now;
    *last_ns = now;
    cur_hdr = in->hdr;
    line_len = 0;
    line_add("%.6f in=%s", ts_seconds(&in->hdr), ports[in->port].name);
    vsw_switch_counters(sw, &before);
    pkt = vsw_pkt_from_bytes(in->data, in->hdr.caplen);
    if (!pkt) {
        return;
    }
    vsw_process(sw, 0, now, ports[in->port].id, &pkt, 1, NULL);
    vsw_pkt_free(pkt);
    vsw_switch_counters(sw, &after);
    for (int r = 0; r < VSW_DROP_MAX; r++) {
        for (uint64_t k = before.drop[r]; k < after.drop[r]; k++) {
            line_add(" drop=%s", vsw_drop_reason_name(r));
        }
    }
}

/* Reads the description 'text' of 'len' bytes into 'sw'; false after an
 * input error. */
static bool
read_desc(struct vsw_switch *sw, const char *text, size_t len)
{
    static FILE *f;             /* static: intact after the jump */

    f = fmemopen((void *)text, len, "r");
    if (!f) {
        return false;
    }
    if (setjmp(bail)) {
        fclose(f);
        return false;
    }
    read_description_file(sw, f, "fuzz.desc");
    fclose(f);
    return true;
}

/* Replays up to MAX_FRAMES frames of 'in', opened, until its end or an
 * input error. */
static void
replay_input(struct vsw_switch *sw, struct input *in)
{
    uint64_t last_ns = 0;
    int frames = 0;

    if (setjmp(bail)) {
        return;
    }
    advance(in);
    while (in->have && frames++ < MAX_FRAMES) {
        replay_one(sw, in, &last_ns);
        advance(in);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsw_switch_params sp = { "fuzz", 1, 4096, 0 };
    const uint8_t *nul = memchr(data, 0, size);
    const char *desc_text = default_desc;
    size_t desc_len = sizeof default_desc - 1;
    const uint8_t *cap = data;
    size_t cap_len = size;
    struct vsw_switch *sw = NULL;
    pcap_dumper_t *sink;
    FILE *sinkf, *f;
    struct input in;
    char errbuf[PCAP_ERRBUF_SIZE];

    if (nul) {
        desc_text = (const char *)data;
        desc_len = (size_t)(nul - data);
        cap = nul + 1;
        cap_len = size - desc_len - 1;
    }
    n_ports = 0;
    if (vsw_switch_create(&sp, &sw)) {
        abort();
    }
    if (!dead) {
        dead = pcap_open_dead(DLT_EN10MB, 65535);
    }
    sinkf = fopen("/dev/null", "wb");
    sink = sinkf ? pcap_dump_fopen(dead, sinkf) : NULL;
    if (!sink) {
        abort();
    }
    if (desc_len == 0 || !read_desc(sw, desc_text, desc_len)
        || cap_len == 0) {
        goto out;
    }
    for (int i = 0; i < n_ports; i++) {
        ports[i].out = sink;
    }

    /* The pcapng reader of --in-pcapng. */
    memset(&in, 0, sizeof in);
    in.file = "fuzz.pcapng";
    in.ng = fmemopen((void *)cap, cap_len, "rb");
    if (in.ng) {
        replay_input(sw, &in);
        fclose(in.ng);
        free(in.buf);
    }

    /* libpcap's reader of --in, on the first port. */
    memset(&in, 0, sizeof in);
    in.file = "fuzz.pcap";
    f = fmemopen((void *)cap, cap_len, "rb");
    in.pcap = f ? pcap_fopen_offline(f, errbuf) : NULL;   /* owns 'f' */
    if (in.pcap) {
        if (pcap_datalink(in.pcap) == DLT_EN10MB) {
            replay_input(sw, &in);
        }
        pcap_close(in.pcap);
    } else if (f) {
        fclose(f);
    }

out:
    pcap_dump_close(sink);
    vsw_switch_destroy(sw);
    free(line_buf);
    line_buf = NULL;
    line_len = line_cap = 0;
    return 0;
}
