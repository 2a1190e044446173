/*
 * test-trace.c -- the trace outputs of sim/trace.h, read back from the
 * files they write: pcap file and record headers byte for byte,
 * truncation to the snaplen and to nanoseconds, tap naming and refusal,
 * tracing off, and the JSON timeline (exact text, exact microseconds,
 * escaping, one thread name per component, validity checked by a small
 * JSON parser here and by python3 when it is installed).  Files go to a
 * fresh directory under /tmp that is removed at the end.
 */
#include <config.h>
#include "sim/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/cutest.h"

static char dir[64];

/* The scratch directory, created on first use. */
static const char *
scratch(void)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/vnetsim-trace-XXXXXX");
        if (!mkdtemp(dir)) {
            dir[0] = '\0';
        }
    }
    CU_ASSERT_FATAL(dir[0] != '\0');
    return dir;
}

/* Reads the file at 'path' into a malloc'ed, NUL-terminated buffer and
 * stores its length in '*len'. */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Appends 'v' in host byte order. */
static unsigned char *
put32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4);
    return p + 4;
}

static unsigned char *
put16(unsigned char *p, uint16_t v)
{
    memcpy(p, &v, 2);
    return p + 2;
}

/* The 24 header bytes a pcap file with 'snaplen' must start with. */
static void
expected_header(unsigned char *h, uint32_t snaplen)
{
    unsigned char *p = h;

    p = put32(p, 0xa1b23c4d);
    p = put16(p, 2);
    p = put16(p, 4);
    p = put32(p, 0);            /* thiszone */
    p = put32(p, 0);            /* sigfigs */
    p = put32(p, snaplen);
    put32(p, 1);                /* Ethernet */
}

static bool
host_is_little_endian(void)
{
    uint16_t one = 1;
    unsigned char b;

    memcpy(&b, &one, 1);
    return b == 1;
}

static bool
have_program(const char *name)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/* --- pcap ---------------------------------------------------------------- */

static void
test_pcap_header_is_exact(void)
{
    struct trace_pcap *p;
    unsigned char want[24];
    char path[128], err[200];
    size_t n;

    snprintf(path, sizeof path, "%s/h.pcap", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_pcap_open(path, 1514, &p, err, sizeof err),
                          0);
    CU_ASSERT_EQUAL(trace_pcap_close(p, err, sizeof err), 0);
    char *buf = slurp(path, &n);
    expected_header(want, 1514);
    CU_ASSERT_EQUAL(n, 24);
    CU_ASSERT_EQUAL(memcmp(buf, want, sizeof want), 0);
    if (host_is_little_endian()) {
        static const unsigned char le[24] = {
            0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0xea, 0x05, 0, 0, 1, 0, 0, 0,
        };
        CU_ASSERT_EQUAL(memcmp(buf, le, sizeof le), 0);
    }
    free(buf);
}

static void
test_pcap_records_are_exact_and_truncated_to_snaplen(void)
{
    struct trace_pcap *p;
    unsigned char frame[100], want[24 + 16 + 60 + 16 + 64 + 16], *w;
    char path[128], err[200];
    size_t n;

    for (int i = 0; i < 100; i++) {
        frame[i] = (unsigned char)(i * 7 + 1);
    }
    snprintf(path, sizeof path, "%s/r.pcap", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_pcap_open(path, 64, &p, err, sizeof err), 0);
    /* 1.5 s + 123456789 ps: 1 s, 500123456 ns; the last 789 ps drop. */
    CU_ASSERT_EQUAL(trace_pcap_write(p, INT64_C(1500123456789), frame, 60),
                    0);
    /* 100 bytes with a snaplen of 64: 64 kept, 100 recorded. */
    CU_ASSERT_EQUAL(trace_pcap_write(p, INT64_C(2000000000000), frame, 100),
                    0);
    /* An empty frame is a record with no data. */
    CU_ASSERT_EQUAL(trace_pcap_write(p, INT64_C(2000000000000), NULL, 0), 0);
    CU_ASSERT_EQUAL(trace_pcap_close(p, err, sizeof err), 0);

    expected_header(want, 64);
    w = want + 24;
    w = put32(w, 1);
    w = put32(w, 500123456);
    w = put32(w, 60);
    w = put32(w, 60);
    memcpy(w, frame, 60);
    w += 60;
    w = put32(w, 2);
    w = put32(w, 0);
    w = put32(w, 64);
    w = put32(w, 100);
    memcpy(w, frame, 64);
    w += 64;
    w = put32(w, 2);
    w = put32(w, 0);
    w = put32(w, 0);
    w = put32(w, 0);
    CU_ASSERT_EQUAL_FATAL((size_t)(w - want), sizeof want);

    char *buf = slurp(path, &n);
    CU_ASSERT_EQUAL(n, sizeof want);
    CU_ASSERT_EQUAL(memcmp(buf, want, sizeof want), 0);
    free(buf);
}

static void
test_pcap_times_truncate_picoseconds_to_nanoseconds(void)
{
    static const struct {
        sim_time_t t;
        uint32_t sec, nsec;
    } cases[] = {
        { 0, 0, 0 },
        { 999, 0, 0 },                          /* below 1 ns */
        { 1000, 0, 1 },
        { 1999, 0, 1 },                         /* truncated, not rounded */
        { INT64_C(999999999999), 0, 999999999 },
        { INT64_C(1000000000000), 1, 0 },
        { INT64_C(86400000000000999), 86400, 0 },
        { INT64_MAX, 9223372, 36854775 },       /* the end of time */
    };
    const size_t n_cases = sizeof cases / sizeof cases[0];
    struct trace_pcap *p;
    char path[128], err[200];
    unsigned char byte = 0xab;
    size_t n;

    snprintf(path, sizeof path, "%s/t.pcap", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_pcap_open(path, 0, &p, err, sizeof err), 0);
    for (size_t i = 0; i < n_cases; i++) {
        CU_ASSERT_EQUAL(trace_pcap_write(p, cases[i].t, &byte, 1), 0);
    }
    CU_ASSERT_EQUAL(trace_pcap_close(p, err, sizeof err), 0);

    unsigned char *buf = (unsigned char *)slurp(path, &n);
    unsigned char want[24];
    expected_header(want, 65535);               /* snaplen 0: default */
    CU_ASSERT_EQUAL(memcmp(buf, want, 24), 0);
    CU_ASSERT_EQUAL_FATAL(n, 24 + n_cases * 17);
    for (size_t i = 0; i < n_cases; i++) {
        unsigned char *r = buf + 24 + i * 17;
        uint32_t sec, nsec;

        memcpy(&sec, r, 4);
        memcpy(&nsec, r + 4, 4);
        CU_ASSERT_EQUAL(sec, cases[i].sec);
        CU_ASSERT_EQUAL(nsec, cases[i].nsec);
        CU_ASSERT_EQUAL(r[16], 0xab);
    }
    free(buf);
}

static void
test_pcap_is_read_by_tshark(void)
{
    struct trace_pcap *p;
    unsigned char frame[60] = {
        0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5,
    };
    char path[128], cmd[512], err[200], out[256] = "";
    FILE *f;

    if (!have_program("tshark")) {
        fprintf(stderr, "(tshark not found: check not run) ");
        return;
    }
    snprintf(path, sizeof path, "%s/w.pcap", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_pcap_open(path, 0, &p, err, sizeof err), 0);
    CU_ASSERT_EQUAL(trace_pcap_write(p, INT64_C(3000000123456), frame, 60),
                    0);
    CU_ASSERT_EQUAL(trace_pcap_close(p, err, sizeof err), 0);
    snprintf(cmd, sizeof cmd, "tshark -r %s -T fields -e frame.time_epoch "
             "-e frame.len -e eth.type 2>/dev/null", path);
    f = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    if (!fgets(out, sizeof out, f)) {
        out[0] = '\0';
    }
    CU_ASSERT_EQUAL(pclose(f), 0);
    /* 3 s and 123 ns (456 ps truncated away), 60 bytes, EtherType 88b5. */
    CU_ASSERT_STRING_EQUAL(out, "3.000000123\t60\t0x88b5\n");
}

static void
test_pcap_open_failure_names_the_file(void)
{
    struct trace_pcap *p = (struct trace_pcap *)&p;
    char err[200];

    CU_ASSERT_EQUAL(trace_pcap_open("/nonexistent/dir/trace.pcap", 0, &p,
                                    err, sizeof err), ENOENT);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_STRING_EQUAL(err, "/nonexistent/dir/trace.pcap: cannot open: "
                           "No such file or directory");
    /* No message buffer is fine too. */
    CU_ASSERT_EQUAL(trace_pcap_open("/nonexistent/x.pcap", 0, &p, NULL, 0),
                    ENOENT);
    CU_ASSERT_EQUAL(trace_pcap_close(NULL, NULL, 0), 0);
}

static void
test_pcap_write_error_is_reported_at_close(void)
{
    struct trace_pcap *p;
    unsigned char frame[1500] = { 0 };
    char err[200];
    int e = 0;

    if (access("/dev/full", W_OK)) {
        fprintf(stderr, "(no /dev/full: check not run) ");
        return;
    }
    CU_ASSERT_EQUAL_FATAL(trace_pcap_open("/dev/full", 0, &p, err,
                                          sizeof err), 0);
    for (int i = 0; i < 100 && !e; i++) {
        e = trace_pcap_write(p, i, frame, sizeof frame);
    }
    CU_ASSERT_EQUAL(e, ENOSPC);                 /* once stdio flushed */
    CU_ASSERT_EQUAL(trace_pcap_write(p, 0, frame, 1), ENOSPC); /* sticky */
    CU_ASSERT_EQUAL(trace_pcap_close(p, err, sizeof err), ENOSPC);
    CU_ASSERT_STRING_EQUAL(err, "/dev/full: cannot write: "
                           "No space left on device");
}

/* --- Taps ---------------------------------------------------------------- */

static void
test_taps_are_named_after_the_prefix_and_opened_once(void)
{
    struct trace *t;
    char prefix[128], path[192], err[200];
    unsigned char frame[14] = { 1, 2, 3 };
    size_t n;

    snprintf(prefix, sizeof prefix, "%s/run", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_create(prefix, NULL, &t, err, sizeof err), 0);
    CU_ASSERT_TRUE(trace_pcap_on(t));
    CU_ASSERT_FALSE(trace_timeline_on(t));
    struct trace_pcap *a = trace_tap(t, "host0.pnic0-rx");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(errno, 0);
    struct trace_pcap *b = trace_tap(t, "vswitch.port_3.out");
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_EQUAL(a, b);
    CU_ASSERT_PTR_EQUAL(trace_tap(t, "host0.pnic0-rx"), a);
    CU_ASSERT_EQUAL(trace_pcap_write(a, 1000, frame, sizeof frame), 0);
    CU_ASSERT_EQUAL(trace_pcap_write(trace_tap(t, "host0.pnic0-rx"), 2000,
                                     frame, sizeof frame), 0);
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), 0);

    snprintf(path, sizeof path, "%s-host0.pnic0-rx.pcap", prefix);
    char *buf = slurp(path, &n);
    CU_ASSERT_EQUAL(n, 24 + 2 * (16 + 14));     /* both frames, one file */
    free(buf);
    snprintf(path, sizeof path, "%s-vswitch.port_3.out.pcap", prefix);
    buf = slurp(path, &n);
    CU_ASSERT_EQUAL(n, 24);
    free(buf);
}

static void
test_tap_refuses_bad_names(void)
{
    static const char *const bad[] = {
        "", "../escape", "a/b", "a b", "tap\n", "caf\xc3\xa9", "x*", "%s",
    };
    struct trace *t;
    char prefix[128], path[192], err[200], longname[TRACE_TAP_NAME_MAX + 2];
    struct stat st;

    snprintf(prefix, sizeof prefix, "%s/bad", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_create(prefix, NULL, &t, err, sizeof err), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        CU_ASSERT_PTR_NULL(trace_tap(t, bad[i]));
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    errno = 0;
    CU_ASSERT_PTR_NULL(trace_tap(t, NULL));
    CU_ASSERT_EQUAL(errno, EINVAL);
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';       /* one byte too long */
    CU_ASSERT_PTR_NULL(trace_tap(t, longname));
    longname[sizeof longname - 2] = '\0';       /* just right */
    CU_ASSERT_PTR_NOT_NULL(trace_tap(t, longname));
    /* A refused name is the caller's bug, not an output error. */
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s-a b.pcap", prefix);
    CU_ASSERT_NOT_EQUAL(stat(path, &st), 0);
}

static void
test_tap_open_failure_is_reported_at_close(void)
{
    struct trace *t;
    char prefix[128], path[192], err[300], want[300];

    /* A directory where the capture should go cannot be opened. */
    snprintf(prefix, sizeof prefix, "%s/clash", scratch());
    snprintf(path, sizeof path, "%s-x.pcap", prefix);
    CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(trace_create(prefix, NULL, &t, err, sizeof err), 0);
    errno = 0;
    CU_ASSERT_PTR_NULL(trace_tap(t, "x"));
    CU_ASSERT_EQUAL(errno, EISDIR);
    errno = 0;
    CU_ASSERT_PTR_NULL(trace_tap(t, "x"));      /* remembered, not retried */
    CU_ASSERT_EQUAL(errno, EISDIR);
    CU_ASSERT_PTR_NOT_NULL(trace_tap(t, "y"));  /* others still work */
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), EISDIR);
    snprintf(want, sizeof want, "%s: cannot open: Is a directory", path);
    CU_ASSERT_STRING_EQUAL(err, want);
    rmdir(path);
}

static void
test_trace_create_refuses_a_missing_pcap_directory(void)
{
    struct trace *t = (struct trace *)&t;
    char err[200];

    CU_ASSERT_EQUAL(trace_create("/nonexistent/run", NULL, &t, err,
                                 sizeof err), ENOENT);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_STRING_EQUAL(err, "/nonexistent/run-*.pcap: cannot open: "
                           "No such file or directory");
    CU_ASSERT_EQUAL(trace_create("/etc/passwd/x", NULL, &t, err, sizeof err),
                    ENOTDIR);
    CU_ASSERT_EQUAL(trace_create(NULL, "/nonexistent/t.json", &t, err,
                                 sizeof err), ENOENT);
    CU_ASSERT_STRING_EQUAL(err, "/nonexistent/t.json: cannot open: "
                           "No such file or directory");
    /* A bare prefix lives in the current directory, which exists. */
    CU_ASSERT_EQUAL(trace_create("run", NULL, &t, err, sizeof err), 0);
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), 0);
}

static void
test_trace_off_has_no_taps_and_ignores_events(void)
{
    struct trace *t;
    char err[200];

    CU_ASSERT_EQUAL_FATAL(trace_create(NULL, NULL, &t, err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(t);
    CU_ASSERT_FALSE(trace_pcap_on(t));
    CU_ASSERT_FALSE(trace_timeline_on(t));
    errno = EINVAL;
    CU_ASSERT_PTR_NULL(trace_tap(t, "host0.rx"));
    CU_ASSERT_EQUAL(errno, 0);                  /* off, not an error */
    CU_ASSERT_EQUAL(trace_span(t, 1, "a", "n", "c", 0, 10), 0);
    CU_ASSERT_EQUAL(trace_instant(t, 1, "a", "n", NULL, 5), 0);
    CU_ASSERT_EQUAL(trace_counter(t, 1, "a", "n", 5, 42), 0);
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), 0);
    /* A NULL trace behaves the same. */
    CU_ASSERT_PTR_NULL(trace_tap(NULL, "host0.rx"));
    CU_ASSERT_FALSE(trace_pcap_on(NULL));
    CU_ASSERT_EQUAL(trace_span(NULL, 1, "a", "n", "c", 0, 10), 0);
    CU_ASSERT_EQUAL(trace_instant(NULL, 1, "a", "n", "c", 0), 0);
    CU_ASSERT_EQUAL(trace_counter(NULL, 1, "a", "n", 0, 1), 0);
    CU_ASSERT_EQUAL(trace_close(NULL, err, sizeof err), 0);
}

/* --- A small JSON checker ------------------------------------------------ */

/* A recursive-descent recogniser of RFC 8259 JSON: each function consumes
 * one value from '*s' and returns false at the first error. */
static bool json_value(const char **s, int depth);

static void
json_ws(const char **s)
{
    while (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r') {
        (*s)++;
    }
}

static bool
json_str(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;

    if (*p++ != '"') {
        return false;
    }
    while (*p != '"') {
        if (*p < 0x20) {
            return false;                       /* includes the final NUL */
        }
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i]) {
                        return false;
                    }
                }
                p += 4;
            } else if (!*p || !strchr("\"\\/bfnrt", *p)) {
                return false;
            }
        }
        p++;
    }
    *s = (const char *)p + 1;
    return true;
}

static bool
json_num(const char **s)
{
    const char *p = *s;

    if (*p == '-') {
        p++;
    }
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    } else {
        return false;
    }
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9')) {
            return false;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') {
            p++;
        }
        if (!(*p >= '0' && *p <= '9')) {
            return false;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    *s = p;
    return true;
}

/* An object (open '{', close '}') or array ('[' and ']'). */
static bool
json_container(const char **s, char open, char close, int depth)
{
    if (**s != open || depth > 64) {
        return false;
    }
    (*s)++;
    json_ws(s);
    if (**s == close) {
        (*s)++;
        return true;
    }
    for (;;) {
        if (open == '{') {
            if (!json_str(s)) {
                return false;
            }
            json_ws(s);
            if (*(*s)++ != ':') {
                return false;
            }
        }
        if (!json_value(s, depth + 1)) {
            return false;
        }
        json_ws(s);
        if (**s == close) {
            (*s)++;
            return true;
        }
        if (*(*s)++ != ',') {
            return false;
        }
        json_ws(s);
    }
}

static bool
json_value(const char **s, int depth)
{
    json_ws(s);
    switch (**s) {
    case '{':
        return json_container(s, '{', '}', depth);
    case '[':
        return json_container(s, '[', ']', depth);
    case '"':
        return json_str(s);
    case 't':
    case 'f':
    case 'n':
        for (const char *lit = **s == 't' ? "true" : **s == 'f' ? "false"
                                                                : "null";
             *lit; lit++, (*s)++) {
            if (**s != *lit) {
                return false;
            }
        }
        return true;
    default:
        return json_num(s);
    }
}

/* Whether 'text' is exactly one JSON value. */
static bool
json_valid(const char *text)
{
    const char *s = text;

    if (!json_value(&s, 0)) {
        return false;
    }
    json_ws(&s);
    return *s == '\0';
}

/* Checks the file at 'path' with python3's json module, if there is a
 * python3. */
static void
assert_python_parses(const char *path)
{
    char cmd[512];

    if (!have_program("python3")) {
        fprintf(stderr, "(python3 not found: check not run) ");
        return;
    }
    snprintf(cmd, sizeof cmd, "python3 -c 'import json,sys; "
             "json.load(open(sys.argv[1], encoding=\"utf-8\"))' %s", path);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void
test_json_checker_knows_json(void)
{
    CU_ASSERT_TRUE(json_valid("{\"a\":[1,-2.5e3,\"x\\u00e9\\n\",true,null,"
                              "{}],\"b\":{\"c\":0.000001}}"));
    CU_ASSERT_TRUE(json_valid(" [ ] "));
    CU_ASSERT_FALSE(json_valid("{\"a\":1,}"));
    CU_ASSERT_FALSE(json_valid("[1,]"));
    CU_ASSERT_FALSE(json_valid("[01]"));
    CU_ASSERT_FALSE(json_valid("[1.]"));
    CU_ASSERT_FALSE(json_valid("[\"a\tb\"]"));
    CU_ASSERT_FALSE(json_valid("[\"\\x\"]"));
    CU_ASSERT_FALSE(json_valid("{\"a\" 1}"));
    CU_ASSERT_FALSE(json_valid("[1] [2]"));
    CU_ASSERT_FALSE(json_valid("[\"open"));
    CU_ASSERT_FALSE(json_valid(""));
}

/* --- The timeline -------------------------------------------------------- */

static void
test_timeline_text_is_exact(void)
{
    struct trace *t;
    char path[128], err[200];
    size_t n;

    snprintf(path, sizeof path, "%s/exact.json", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_create(NULL, path, &t, err, sizeof err), 0);
    CU_ASSERT_TRUE(trace_timeline_on(t));
    CU_ASSERT_FALSE(trace_pcap_on(t));
    CU_ASSERT_EQUAL(trace_span(t, 3, "host0.cpu1", "dpc", "cpu", 1234567,
                               2234568), 0);
    CU_ASSERT_EQUAL(trace_instant(t, 3, "host0.cpu1", "irq", NULL, 5), 0);
    CU_ASSERT_EQUAL(trace_counter(t, 4, "vswitch", "queue", sim_us(1), -7),
                    0);
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), 0);

    char *text = slurp(path, &n);
    CU_ASSERT_STRING_EQUAL(text,
        "{\"traceEvents\":[\n"
        "{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\","
        "\"args\":{\"name\":\"vnetsim\"}},\n"
        "{\"ph\":\"M\",\"pid\":1,\"tid\":3,\"name\":\"thread_name\","
        "\"args\":{\"name\":\"host0.cpu1\"}},\n"
        "{\"pid\":1,\"tid\":3,\"ph\":\"X\",\"name\":\"dpc\",\"cat\":\"cpu\","
        "\"ts\":1.234567,\"dur\":1.000001},\n"
        "{\"pid\":1,\"tid\":3,\"ph\":\"i\",\"s\":\"t\",\"name\":\"irq\","
        "\"ts\":0.000005},\n"
        "{\"ph\":\"M\",\"pid\":1,\"tid\":4,\"name\":\"thread_name\","
        "\"args\":{\"name\":\"vswitch\"}},\n"
        "{\"pid\":1,\"tid\":4,\"ph\":\"C\",\"name\":\"vswitch.queue\","
        "\"ts\":1.000000,\"args\":{\"value\":-7}}\n"
        "],\n"
        "\"displayTimeUnit\":\"ns\",\n"
        "\"otherData\":{\"generator\":\"vnetsim " PACKAGE_VERSION "\","
        "\"clock\":\"simulated time; ts and dur in microseconds\","
        "\"events\":3}}\n");
    CU_ASSERT_TRUE(json_valid(text));
    free(text);
    assert_python_parses(path);
}

static void
test_timeline_lanes_and_window(void)
{
    struct trace *t;
    char path[128], err[200];
    uint32_t lane;
    size_t n;

    snprintf(path, sizeof path, "%s/window.json", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_create(NULL, path, &t, err, sizeof err), 0);
    lane = trace_lane(t, "hv.vm1.vp0");
    CU_ASSERT_EQUAL(lane, TRACE_LANE_BASE);
    CU_ASSERT_EQUAL(trace_lane(t, "hv.vm1.vp1"), TRACE_LANE_BASE + 1);
    trace_set_window(t, sim_us(10), sim_us(20));
    /* before, across the start, inside, across the end, after */
    CU_ASSERT_EQUAL(trace_span(t, lane, NULL, "a", "vp", sim_us(1), sim_us(2)), 0);
    CU_ASSERT_EQUAL(trace_span(t, lane, NULL, "b", "vp", sim_us(5), sim_us(12)), 0);
    CU_ASSERT_EQUAL(trace_instant(t, lane, NULL, "c", "exit", sim_us(15)), 0);
    CU_ASSERT_EQUAL(trace_instant(t, lane, NULL, "early", "exit", sim_us(9)), 0);
    CU_ASSERT_EQUAL(trace_span(t, lane, NULL, "d", "vp", sim_us(18), sim_us(25)), 0);
    CU_ASSERT_EQUAL(trace_span(t, lane, NULL, "e", "vp", sim_us(21), sim_us(22)), 0);
    CU_ASSERT_EQUAL(trace_counter(t, 2, "x", "q", sim_us(30), 1), 0);
    /* a lane of a timeline that is off is skipped */
    CU_ASSERT_EQUAL(trace_span(t, TRACE_LANE_NONE, NULL, "f", NULL, 0, 1), 0);
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), 0);

    char *text = slurp(path, &n);
    CU_ASSERT_STRING_EQUAL(text,
        "{\"traceEvents\":[\n"
        "{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\","
        "\"args\":{\"name\":\"vnetsim\"}},\n"
        "{\"ph\":\"M\",\"pid\":1,\"tid\":1073741824,\"name\":\"thread_name\","
        "\"args\":{\"name\":\"hv.vm1.vp0\"}},\n"
        "{\"ph\":\"M\",\"pid\":1,\"tid\":1073741825,\"name\":\"thread_name\","
        "\"args\":{\"name\":\"hv.vm1.vp1\"}},\n"
        "{\"pid\":1,\"tid\":1073741824,\"ph\":\"X\",\"name\":\"b\",\"cat\":\"vp\","
        "\"ts\":10.000000,\"dur\":2.000000},\n"
        "{\"pid\":1,\"tid\":1073741824,\"ph\":\"i\",\"s\":\"t\",\"name\":\"c\","
        "\"cat\":\"exit\",\"ts\":15.000000},\n"
        "{\"pid\":1,\"tid\":1073741824,\"ph\":\"X\",\"name\":\"d\",\"cat\":\"vp\","
        "\"ts\":18.000000,\"dur\":2.000000}\n"
        "],\n"
        "\"displayTimeUnit\":\"ns\",\n"
        "\"otherData\":{\"generator\":\"vnetsim " PACKAGE_VERSION "\","
        "\"clock\":\"simulated time; ts and dur in microseconds\","
        "\"events\":3}}\n");
    CU_ASSERT_TRUE(json_valid(text));
    free(text);
}

static void
test_timeline_times_are_exact_microseconds(void)
{
    static const struct {
        sim_time_t ps;
        const char *text;
    } cases[] = {
        { 0, "\"ts\":0.000000}" },
        { 1, "\"ts\":0.000001}" },
        { 999999, "\"ts\":0.999999}" },
        { 1000000, "\"ts\":1.000000}" },
        { 1234567, "\"ts\":1.234567}" },
        { INT64_C(1000000000000), "\"ts\":1000000.000000}" },
        { INT64_MAX, "\"ts\":9223372036854.775807}" },
    };
    struct trace *t;
    char path[128], err[200];
    size_t n;

    snprintf(path, sizeof path, "%s/times.json", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_create(NULL, path, &t, err, sizeof err), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CU_ASSERT_EQUAL(trace_instant(t, 0, "", "tick", NULL, cases[i].ps),
                        0);
    }
    /* A zero-length span and one that lasts all of time. */
    CU_ASSERT_EQUAL(trace_span(t, 0, "", "nil", NULL, 7, 7), 0);
    CU_ASSERT_EQUAL(trace_span(t, 0, "", "all", NULL, 0, INT64_MAX), 0);
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), 0);

    char *text = slurp(path, &n);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(text, cases[i].text));
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"ts\":0.000007,\"dur\":0.000000}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"ts\":0.000000,"
                                  "\"dur\":9223372036854.775807}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"args\":{\"name\":\"(root)\"}"));
    CU_ASSERT_TRUE(json_valid(text));
    free(text);
}

static void
test_timeline_escapes_strings(void)
{
    struct trace *t;
    char path[128], err[200];
    size_t n;

    snprintf(path, sizeof path, "%s/escape.json", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_create(NULL, path, &t, err, sizeof err), 0);
    CU_ASSERT_EQUAL(trace_instant(t, 1, "a\"b\\c", "say \"hi\"", "back\\slash",
                                  0), 0);
    CU_ASSERT_EQUAL(trace_instant(t, 1, "ignored", "tab\there\nnl\x01\x1f\x7f",
                                  NULL, 0), 0);
    /* Well-formed UTF-8 passes; broken bytes become U+FFFD. */
    CU_ASSERT_EQUAL(trace_instant(t, 1, "", "caf\xc3\xa9 \xe2\x82\xac", NULL,
                                  0), 0);
    CU_ASSERT_EQUAL(trace_instant(t, 1, "", "x\xff\xc3(\xed\xa0\x80\xc0\xaf"
                                  "\xf4\x90\x80\x80\xe2\x82", NULL, 0), 0);
    CU_ASSERT_EQUAL(trace_counter(t, 2, "q\"", "n\\", 0, 1), 0);
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), 0);

    char *text = slurp(path, &n);
    CU_ASSERT_PTR_NOT_NULL(strstr(text,
                                  "\"args\":{\"name\":\"a\\\"b\\\\c\"}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"name\":\"say \\\"hi\\\"\","
                                  "\"cat\":\"back\\\\slash\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"name\":\"tab\\u0009here\\u000anl"
                                  "\\u0001\\u001f\\u007f\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text,
                                  "\"name\":\"caf\xc3\xa9 \xe2\x82\xac\""));
    /* 0xff; a lead byte before '('; a surrogate (3 bytes); an overlong
     * '/' (2 bytes); above U+10FFFF (4 bytes); a truncated sequence at
     * the end (2 bytes): one U+FFFD per byte. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"name\":\"x\\ufffd\\ufffd("
                                  "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
                                  "\\ufffd\\ufffd\\ufffd\\ufffd"
                                  "\\ufffd\\ufffd\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"name\":\"q\\\".n\\\\\""));
    CU_ASSERT_TRUE(json_valid(text));
    free(text);
    assert_python_parses(path);
}

static void
test_timeline_names_each_component_once(void)
{
    struct trace *t;
    char path[128], err[200];
    size_t n;

    snprintf(path, sizeof path, "%s/names.json", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_create(NULL, path, &t, err, sizeof err), 0);
    for (int i = 0; i < 50; i++) {
        CU_ASSERT_EQUAL(trace_span(t, 7, "host0.nic0", "tx", "nic", i, i + 1),
                        0);
        CU_ASSERT_EQUAL(trace_instant(t, 100000, "far.away", "x", NULL, i),
                        0);
        CU_ASSERT_EQUAL(trace_counter(t, 9, NULL, "depth", i, i), 0);
    }
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), 0);

    char *text = slurp(path, &n);
    size_t names = 0;
    for (const char *p = strstr(text, "thread_name"); p;
         p = strstr(p + 1, "thread_name")) {
        names++;
    }
    CU_ASSERT_EQUAL(names, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"tid\":7,\"name\":\"thread_name\","
                                  "\"args\":{\"name\":\"host0.nic0\"}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"tid\":100000,\"name\":"
                                  "\"thread_name\",\"args\":{\"name\":"
                                  "\"far.away\"}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text,
                                  "\"args\":{\"name\":\"component 9\"}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"ph\":\"C\",\"name\":\"depth\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"events\":150}"));
    CU_ASSERT_TRUE(json_valid(text));
    free(text);
}

static void
test_empty_timeline_is_valid_json(void)
{
    struct trace *t;
    char path[128], err[200];
    size_t n;

    snprintf(path, sizeof path, "%s/empty.json", scratch());
    CU_ASSERT_EQUAL_FATAL(trace_create(NULL, path, &t, err, sizeof err), 0);
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), 0);
    char *text = slurp(path, &n);
    CU_ASSERT_TRUE(json_valid(text));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"events\":0}"));
    CU_ASSERT_PTR_NULL(strstr(text, "thread_name"));
    free(text);
    assert_python_parses(path);
}

static void
test_timeline_write_error_is_reported_at_close(void)
{
    struct trace *t;
    char err[200];
    int e = 0;

    if (access("/dev/full", W_OK)) {
        fprintf(stderr, "(no /dev/full: check not run) ");
        return;
    }
    CU_ASSERT_EQUAL_FATAL(trace_create(NULL, "/dev/full", &t, err,
                                       sizeof err), 0);
    for (int i = 0; i < 10000 && !e; i++) {
        e = trace_span(t, 1, "c", "a fairly long span name", "cat", i,
                       i + 1);
    }
    CU_ASSERT_EQUAL(e, ENOSPC);
    CU_ASSERT_EQUAL(trace_instant(t, 1, "c", "n", NULL, 0), ENOSPC);
    CU_ASSERT_EQUAL(trace_close(t, err, sizeof err), ENOSPC);
    CU_ASSERT_STRING_EQUAL(err, "/dev/full: cannot write: "
                           "No space left on device");
}

static const struct cutest_case pcap_cases[] = {
    CUTEST(test_pcap_header_is_exact),
    CUTEST(test_pcap_records_are_exact_and_truncated_to_snaplen),
    CUTEST(test_pcap_times_truncate_picoseconds_to_nanoseconds),
    CUTEST(test_pcap_is_read_by_tshark),
    CUTEST(test_pcap_open_failure_names_the_file),
    CUTEST(test_pcap_write_error_is_reported_at_close),
    CUTEST(test_taps_are_named_after_the_prefix_and_opened_once),
    CUTEST(test_tap_refuses_bad_names),
    CUTEST(test_tap_open_failure_is_reported_at_close),
    CUTEST(test_trace_create_refuses_a_missing_pcap_directory),
    CUTEST(test_trace_off_has_no_taps_and_ignores_events),
    CUTEST_END
};

static const struct cutest_case timeline_cases[] = {
    CUTEST(test_json_checker_knows_json),
    CUTEST(test_timeline_text_is_exact),
    CUTEST(test_timeline_lanes_and_window),
    CUTEST(test_timeline_times_are_exact_microseconds),
    CUTEST(test_timeline_escapes_strings),
    CUTEST(test_timeline_names_each_component_once),
    CUTEST(test_empty_timeline_is_valid_json),
    CUTEST(test_timeline_write_error_is_reported_at_close),
    CUTEST_END
};

int
main(void)
{
    static const struct cutest_suite suites[] = {
        { "pcap", pcap_cases },
        { "timeline", timeline_cases },
        { NULL, NULL },
    };
    int rc = cutest_run(suites);

    if (dir[0]) {
        char cmd[128];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "could not remove %s\n", dir);
        }
    }
    return rc;
}
