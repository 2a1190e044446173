/*
 * trace.c -- pcap captures and the JSON timeline described in trace.h.
 *
 * Every output is a stdio stream with a sticky error: the first failure of
 * a write is kept, the stream takes no more output, and the error is
 * reported once, with the file's name, by trace_close().  The registry of
 * taps is a plain array searched by name, because models look their taps
 * up once when they are built, never per frame.
 */
#include <config.h>
#include "sim/trace.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

/* The libpcap file header and record header, in host byte order.  Only
 * fixed-width members, so the layout has no padding (checked below). */
/* A capture file, written through libpcap: a "dead" handle that says
 * the link type, snapshot length and nanosecond timestamps, and a dumper
 * on a stdio stream we own, so write errors can be seen (ferror) and
 * reported with the file's name. */
struct trace_pcap {
    pcap_t *dead;
    pcap_dumper_t *dumper;
    FILE *f;
    char *path;
    uint32_t snaplen;
    int error;                  /* first I/O error, 0 if none */
};

struct tap {
    char *name;
    struct trace_pcap *pcap;    /* NULL if it could not be opened */
    int error;                  /* why 'pcap' is NULL */
};

struct trace {
    /* Captures: on if 'pcap_prefix' is not NULL. */
    char *pcap_prefix;
    struct tap *taps;
    size_t n_taps, taps_alloc;
    int tap_error;              /* first failure to open a tap */
    char *tap_errmsg;

    /* The timeline: on if 'timeline' is not NULL. */
    FILE *timeline;
    char *timeline_path;
    int timeline_error;         /* first I/O error, 0 if none */
    uint64_t n_events;          /* events written, metadata excluded */
    uint8_t *named;             /* bitmap of component ids named so far */
    size_t named_bytes;
    uint32_t n_lanes;           /* lanes of trace_lane(), named at once */
    sim_time_t win_from, win_to;        /* what the timeline keeps */
};

/* Writes the printf-style message to 'err' if there is room for it. */
static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;

    if (!err || !err_size) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

/* The error of a failed stdio call, never 0. */
static int
io_errno(void)
{
    return errno ? errno : EIO;
}

/* --- pcap files ---------------------------------------------------------- */

int
trace_pcap_open(const char *path, uint32_t snaplen, struct trace_pcap **out,
                char *err, size_t err_size)
{
    struct trace_pcap *p = calloc(1, sizeof *p);

    *out = NULL;
    if (!p || !(p->path = strdup(path))) {
        free(p);
        set_err(err, err_size, "%s: cannot open: %s", path, strerror(ENOMEM));
        return ENOMEM;
    }
    p->snaplen = snaplen ? snaplen : TRACE_PCAP_SNAPLEN;
    p->dead = pcap_open_dead_with_tstamp_precision(
        TRACE_PCAP_LINKTYPE_ETHERNET, (int)p->snaplen,
        PCAP_TSTAMP_PRECISION_NANO);
    if (!p->dead) {
        set_err(err, err_size, "%s: cannot open: %s", path, strerror(ENOMEM));
        free(p->path);
        free(p);
        return ENOMEM;
    }
    p->f = fopen(path, "wb");
    if (!p->f) {
        int e = errno ? errno : EIO;

        set_err(err, err_size, "%s: cannot open: %s", path, strerror(e));
        pcap_close(p->dead);
        free(p->path);
        free(p);
        return e;
    }
    /* The dumper writes the file header now and owns the stream. */
    errno = 0;
    p->dumper = pcap_dump_fopen(p->dead, p->f);
    if (!p->dumper) {
        int e = errno ? errno : EIO;

        set_err(err, err_size, "%s: cannot open: %s", path,
                pcap_geterr(p->dead));
        fclose(p->f);
        pcap_close(p->dead);
        free(p->path);
        free(p);
        return e;
    }
    if (ferror(p->f)) {
        p->error = io_errno();
    }
    *out = p;
    return 0;
}

int
trace_pcap_write(struct trace_pcap *p, sim_time_t t, const void *frame,
                 size_t len)
{
    struct pcap_pkthdr hdr;
    uint64_t ns;

    assert(t >= 0);
    assert(frame || len == 0);
    if (p->error) {
        return p->error;
    }
    /* Truncated, not rounded, to nanoseconds.  2^63 ps is 9.2e6 s, so the
     * seconds always fit.  With nanosecond precision libpcap reads the
     * sub-second field as nanoseconds. */
    ns = (uint64_t)t / 1000u;
    hdr.ts.tv_sec = (time_t)(ns / 1000000000u);
    hdr.ts.tv_usec = (suseconds_t)(ns % 1000000000u);
    hdr.caplen = len < p->snaplen ? (uint32_t)len : p->snaplen;
    hdr.len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    errno = 0;
    pcap_dump((u_char *)p->dumper, &hdr, frame);
    if (ferror(p->f)) {
        p->error = io_errno();
    }
    return p->error;
}

int
trace_pcap_close(struct trace_pcap *p, char *err, size_t err_size)
{
    int error;

    if (!p) {
        return 0;
    }
    error = p->error;
    errno = 0;
    if (pcap_dump_flush(p->dumper) && !error) {
        error = io_errno();
    }
    pcap_dump_close(p->dumper);         /* closes the stream too */
    pcap_close(p->dead);
    if (error) {
        set_err(err, err_size, "%s: cannot write: %s", p->path,
                strerror(error));
    }
    free(p->path);
    free(p);
    return error;
}

/* --- The run's trace ----------------------------------------------------- */

/* Checks that the directory part of 'prefix' (everything up to its last
 * '/', or "." without one) is a directory we can create files in. */
static int
check_prefix_dir(const char *prefix)
{
    const char *slash = strrchr(prefix, '/');
    char *dir;
    struct stat st;
    int error = 0;

    if (!slash) {
        dir = strdup(".");
    } else if (slash == prefix) {
        dir = strdup("/");
    } else {
        dir = strndup(prefix, (size_t)(slash - prefix));
    }
    if (!dir) {
        return ENOMEM;
    }
    if (stat(dir, &st)) {
        error = errno;
    } else if (!S_ISDIR(st.st_mode)) {
        error = ENOTDIR;
    } else if (access(dir, W_OK | X_OK)) {
        error = errno;
    }
    free(dir);
    return error;
}

/* Writes the JSON text of the characters of 's' (without quotes): '"', '\'
 * and control characters escaped, malformed UTF-8 replaced by U+FFFD. */
static void
json_chars(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        unsigned c = *p;
        size_t n = 0;

        if (c < 0x80) {
            n = 1;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = (p[1] & 0xc0) == 0x80 ? 2 : 0;
        } else if (c >= 0xe0 && c <= 0xef) {
            /* No overlong forms (E0 80..9F) and no surrogates (ED A0..BF). */
            unsigned lo = c == 0xe0 ? 0xa0 : 0x80;
            unsigned hi = c == 0xed ? 0x9f : 0xbf;
            n = p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
        } else if (c >= 0xf0 && c <= 0xf4) {
            /* No overlong forms (F0 80..8F), nothing above U+10FFFF. */
            unsigned lo = c == 0xf0 ? 0x90 : 0x80;
            unsigned hi = c == 0xf4 ? 0x8f : 0xbf;
            n = p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80
                && (p[3] & 0xc0) == 0x80 ? 4 : 0;
        }
        /* The continuation tests stop at the terminating NUL, which is
         * never a continuation byte, so nothing past it is read. */
        if (n == 0) {
            fputs("\\ufffd", f);
            p++;
        } else if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc((int)c, f);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c);
            p++;
        } else {
            fwrite(p, 1, n, f);
            p += n;
        }
    }
}

/* Writes 's' as a JSON string. */
static void
json_string(FILE *f, const char *s)
{
    fputc('"', f);
    json_chars(f, s);
    fputc('"', f);
}

/* Writes 'ps' picoseconds (>= 0) as microseconds, exactly: "1.234567". */
static void
json_us(FILE *f, sim_time_t ps)
{
    assert(ps >= 0);
    fprintf(f, "%" PRIu64 ".%06" PRIu64, (uint64_t)ps / 1000000u,
            (uint64_t)ps % 1000000u);
}

int
trace_create(const char *pcap_prefix, const char *timeline_path,
             struct trace **out, char *err, size_t err_size)
{
    struct trace *t = calloc(1, sizeof *t);
    int error;

    *out = NULL;
    if (!t) {
        set_err(err, err_size, "out of memory");
        return ENOMEM;
    }
    t->win_to = SIM_TIME_MAX;
    if (pcap_prefix) {
        error = check_prefix_dir(pcap_prefix);
        if (error) {
            set_err(err, err_size, "%s-*.pcap: cannot open: %s", pcap_prefix,
                    strerror(error));
            free(t);
            return error;
        }
        t->pcap_prefix = strdup(pcap_prefix);
        if (!t->pcap_prefix) {
            set_err(err, err_size, "out of memory");
            free(t);
            return ENOMEM;
        }
    }
    if (timeline_path) {
        t->timeline_path = strdup(timeline_path);
        if (!t->timeline_path) {
            set_err(err, err_size, "out of memory");
            trace_close(t, NULL, 0);
            return ENOMEM;
        }
        t->timeline = fopen(timeline_path, "w");
        if (!t->timeline) {
            error = errno ? errno : EIO;
            set_err(err, err_size, "%s: cannot open: %s", timeline_path,
                    strerror(error));
            trace_close(t, NULL, 0);
            return error;
        }
        /* The process is named at once, so even an empty timeline has one
         * event. */
        fputs("{\"traceEvents\":[\n"
              "{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\","
              "\"args\":{\"name\":\"vnetsim\"}}", t->timeline);
    }
    *out = t;
    return 0;
}

bool
trace_pcap_on(const struct trace *t)
{
    return t && t->pcap_prefix;
}

bool
trace_timeline_on(const struct trace *t)
{
    return t && t->timeline;
}

/* --- Taps ---------------------------------------------------------------- */

static bool
tap_name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > TRACE_TAP_NAME_MAX) {
        return false;
    }
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789_.-") == n;
}

/* Records 'error' with its message as the first failure of a tap, unless
 * one is recorded already. */
static void
record_tap_error(struct trace *t, int error, const char *msg)
{
    if (!t->tap_error) {
        t->tap_error = error;
        t->tap_errmsg = strdup(msg);    /* NULL: trace_close makes one */
    }
}

struct trace_pcap *
trace_tap(struct trace *t, const char *tap_name)
{
    struct tap *tap;
    char *path;
    char msg[512];
    int error;

    if (!trace_pcap_on(t)) {
        errno = 0;
        return NULL;
    }
    if (!tap_name || !tap_name_ok(tap_name)) {
        errno = EINVAL;
        return NULL;
    }
    for (size_t i = 0; i < t->n_taps; i++) {
        if (!strcmp(t->taps[i].name, tap_name)) {
            errno = t->taps[i].error;
            return t->taps[i].pcap;
        }
    }

    /* A new tap: make room, then open PREFIX-NAME.pcap. */
    if (t->n_taps == t->taps_alloc) {
        size_t n = t->taps_alloc ? 2 * t->taps_alloc : 8;
        struct tap *taps = realloc(t->taps, n * sizeof *taps);

        if (!taps) {
            record_tap_error(t, ENOMEM, "pcap taps: out of memory");
            errno = ENOMEM;
            return NULL;
        }
        t->taps = taps;
        t->taps_alloc = n;
    }
    tap = &t->taps[t->n_taps];
    memset(tap, 0, sizeof *tap);
    tap->name = strdup(tap_name);
    path = malloc(strlen(t->pcap_prefix) + strlen(tap_name) + sizeof "-.pcap");
    if (!tap->name || !path) {
        free(tap->name);
        free(path);
        record_tap_error(t, ENOMEM, "pcap taps: out of memory");
        errno = ENOMEM;
        return NULL;
    }
    sprintf(path, "%s-%s.pcap", t->pcap_prefix, tap_name);
    error = trace_pcap_open(path, 0, &tap->pcap, msg, sizeof msg);
    free(path);
    if (error) {
        tap->error = error;
        record_tap_error(t, error, msg);
    }
    t->n_taps++;
    errno = error;
    return tap->pcap;
}

/* --- Timeline events ----------------------------------------------------- */

/* Marks component 'comp' as named; returns false if it already was.  Sets
 * the timeline's error to ENOMEM (and returns false) if the bitmap cannot
 * grow.  Component ids are small dense integers (sim.h), so a bitmap
 * indexed by id stays small. */
static bool
first_appearance(struct trace *t, uint32_t comp)
{
    size_t byte = comp / 8;
    uint8_t bit = (uint8_t)(1u << (comp % 8));

    if (byte >= t->named_bytes) {
        size_t n = t->named_bytes ? t->named_bytes : 16;
        uint8_t *named;

        while (n <= byte) {
            n *= 2;
        }
        named = realloc(t->named, n);
        if (!named) {
            t->timeline_error = ENOMEM;
            return false;
        }
        memset(named + t->named_bytes, 0, n - t->named_bytes);
        t->named = named;
        t->named_bytes = n;
    }
    if (t->named[byte] & bit) {
        return false;
    }
    t->named[byte] |= bit;
    return true;
}

/* Starts an event of component 'comp': names the component's thread the
 * first time it appears, then writes the opening of the event up to and
 * including "tid":N.  Returns false (write nothing more) if the timeline
 * is off or has failed. */
static bool
begin_event(struct trace *t, uint32_t comp, const char *comp_path)
{
    if (!trace_timeline_on(t) || t->timeline_error) {
        return false;
    }
    if (comp < TRACE_LANE_BASE && first_appearance(t, comp)) {
        fprintf(t->timeline, ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":%" PRIu32
                ",\"name\":\"thread_name\",\"args\":{\"name\":", comp);
        if (!comp_path) {
            fprintf(t->timeline, "\"component %" PRIu32 "\"", comp);
        } else {
            json_string(t->timeline, *comp_path ? comp_path : "(root)");
        }
        fputs("}}", t->timeline);
    }
    if (t->timeline_error) {
        return false;
    }
    fprintf(t->timeline, ",\n{\"pid\":1,\"tid\":%" PRIu32, comp);
    return true;
}

/* Writes the "name" and, if there is one, the "cat" member. */
static void
name_and_category(FILE *f, const char *name, const char *category)
{
    fputs(",\"name\":", f);
    json_string(f, name ? name : "");
    if (category) {
        fputs(",\"cat\":", f);
        json_string(f, category);
    }
}

/* Ends an event and returns the timeline's error state. */
static int
end_event(struct trace *t)
{
    fputc('}', t->timeline);
    t->n_events++;
    if (ferror(t->timeline) && !t->timeline_error) {
        t->timeline_error = io_errno();
    }
    return t->timeline_error;
}

/* What the timeline calls return when they write nothing. */
static int
skipped(const struct trace *t)
{
    return trace_timeline_on(t) ? t->timeline_error : 0;
}

uint32_t
trace_lane(struct trace *t, const char *name)
{
    uint32_t lane;

    if (!trace_timeline_on(t) || t->timeline_error) {
        return TRACE_LANE_NONE;
    }
    lane = TRACE_LANE_BASE + t->n_lanes++;
    fprintf(t->timeline, ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":%" PRIu32
            ",\"name\":\"thread_name\",\"args\":{\"name\":", lane);
    json_string(t->timeline, name ? name : "");
    fputs("}}", t->timeline);
    if (ferror(t->timeline) && !t->timeline_error) {
        t->timeline_error = io_errno();
    }
    return lane;
}

void
trace_set_window(struct trace *t, sim_time_t from, sim_time_t to)
{
    assert(from >= 0 && to >= from);
    if (t) {
        t->win_from = from;
        t->win_to = to;
    }
}

int
trace_span(struct trace *t, uint32_t comp, const char *comp_path,
           const char *name, const char *category, sim_time_t begin,
           sim_time_t end)
{
    assert(begin >= 0 && end >= begin);
    if (comp == TRACE_LANE_NONE) {
        return skipped(t);
    }
    if (t && (end < t->win_from || begin > t->win_to)) {
        return skipped(t);             /* outside the window */
    }
    if (t && begin < t->win_from) {
        begin = t->win_from;           /* clipped to it */
    }
    if (t && end > t->win_to) {
        end = t->win_to;
    }
    if (!begin_event(t, comp, comp_path)) {
        return skipped(t);
    }
    fputs(",\"ph\":\"X\"", t->timeline);
    name_and_category(t->timeline, name, category);
    fputs(",\"ts\":", t->timeline);
    json_us(t->timeline, begin);
    fputs(",\"dur\":", t->timeline);
    json_us(t->timeline, end - begin);
    return end_event(t);
}

int
trace_instant(struct trace *t, uint32_t comp, const char *comp_path,
              const char *name, const char *category, sim_time_t when)
{
    assert(when >= 0);
    if (comp == TRACE_LANE_NONE
        || (t && (when < t->win_from || when > t->win_to))) {
        return skipped(t);
    }
    if (!begin_event(t, comp, comp_path)) {
        return skipped(t);
    }
    fputs(",\"ph\":\"i\",\"s\":\"t\"", t->timeline);
    name_and_category(t->timeline, name, category);
    fputs(",\"ts\":", t->timeline);
    json_us(t->timeline, when);
    return end_event(t);
}

int
trace_counter(struct trace *t, uint32_t comp, const char *comp_path,
              const char *name, sim_time_t when, int64_t value)
{
    assert(when >= 0);
    if (t && (when < t->win_from || when > t->win_to)) {
        return skipped(t);
    }
    if (!begin_event(t, comp, comp_path)) {
        return skipped(t);
    }
    /* "PATH.NAME": counters belong to the process in this format. */
    fputs(",\"ph\":\"C\",\"name\":\"", t->timeline);
    if (comp_path && *comp_path) {
        json_chars(t->timeline, comp_path);
        fputc('.', t->timeline);
    }
    json_chars(t->timeline, name ? name : "");
    fputs("\",\"ts\":", t->timeline);
    json_us(t->timeline, when);
    fprintf(t->timeline, ",\"args\":{\"value\":%" PRId64 "}", value);
    return end_event(t);
}

/* --- Closing ------------------------------------------------------------- */

/* Closes the timeline after writing the end of the JSON object.  Returns
 * its first error, with a message in 'err'. */
static int
close_timeline(struct trace *t, char *err, size_t err_size)
{
    int error = t->timeline_error;

    if (!error) {
        fprintf(t->timeline, "\n],\n\"displayTimeUnit\":\"ns\",\n"
                "\"otherData\":{\"generator\":\"vnetsim %s\","
                "\"clock\":\"simulated time; ts and dur in microseconds\","
                "\"events\":%" PRIu64 "}}\n", PACKAGE_VERSION, t->n_events);
        if (ferror(t->timeline)) {
            error = io_errno();
        }
    }
    errno = 0;
    if (fclose(t->timeline) && !error) {
        error = io_errno();
    }
    t->timeline = NULL;
    if (error) {
        set_err(err, err_size, "%s: cannot write: %s", t->timeline_path,
                strerror(error));
    }
    return error;
}

int
trace_close(struct trace *t, char *err, size_t err_size)
{
    int error = 0;

    if (!t) {
        return 0;
    }
    if (t->tap_error) {
        error = t->tap_error;
        if (t->tap_errmsg) {
            set_err(err, err_size, "%s", t->tap_errmsg);
        } else {
            set_err(err, err_size, "%s-*.pcap: %s", t->pcap_prefix,
                    strerror(error));
        }
    }
    for (size_t i = 0; i < t->n_taps; i++) {
        char msg[512];
        int e = trace_pcap_close(t->taps[i].pcap, msg, sizeof msg);

        if (e && !error) {
            error = e;
            set_err(err, err_size, "%s", msg);
        }
        free(t->taps[i].name);
    }
    if (t->timeline) {
        char msg[512];
        int e = close_timeline(t, msg, sizeof msg);

        if (e && !error) {
            error = e;
            set_err(err, err_size, "%s", msg);
        }
    }
    free(t->taps);
    free(t->tap_errmsg);
    free(t->pcap_prefix);
    free(t->timeline_path);
    free(t->named);
    free(t);
    return error;
}
