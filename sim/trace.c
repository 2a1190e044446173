/*
 * trace.c -- pcap files and the JSON timeline (trace.h).
 */
#include <config.h>
#include "sim/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct trace_pcap {
    FILE *f;
    char *path;
    uint32_t snaplen;
    int error;
};

struct tap {
    char *name;
    struct trace_pcap *pcap;
};

struct trace {
    char *pcap_prefix;
    struct tap *taps;
    size_t n_taps;
    int tap_error;
    char tap_err[300];

    FILE *timeline;
    char *timeline_path;
    bool first_event;
    uint8_t *named;             /* components already named (bitmap) */
    size_t named_bytes;
    int timeline_error;
};

/* --- pcap ------------------------------------------------------------- */

int
trace_pcap_open(const char *path, uint32_t snaplen, struct trace_pcap **out,
                char *err, size_t err_size)
{
    struct trace_pcap *p = calloc(1, sizeof *p);
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } hdr = { TRACE_PCAP_MAGIC_NS, 2, 4, 0, 0, snaplen,
              TRACE_PCAP_LINKTYPE_ETHERNET };

    *out = NULL;
    if (!p || !(p->path = strdup(path))) {
        free(p);
        snprintf(err, err_size, "%s: out of memory", path);
        return ENOMEM;
    }
    p->snaplen = snaplen;
    p->f = fopen(path, "wb");
    if (!p->f) {
        int e = errno;
        snprintf(err, err_size, "%s: cannot create: %s", path, strerror(e));
        free(p->path);
        free(p);
        return e;
    }
    if (fwrite(&hdr, sizeof hdr, 1, p->f) != 1) {
        p->error = errno ? errno : EIO;
    }
    *out = p;
    return 0;
}

int
trace_pcap_write(struct trace_pcap *p, sim_time_t t, const void *frame,
                 size_t len)
{
    uint64_t ns = t < 0 ? 0 : (uint64_t)t / 1000;
    uint32_t caplen = len < p->snaplen ? (uint32_t)len : p->snaplen;
    uint32_t rec[4] = {
        (uint32_t)(ns / 1000000000u), (uint32_t)(ns % 1000000000u), caplen,
        len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
    };

    if (p->error) {
        return p->error;
    }
    if (fwrite(rec, sizeof rec, 1, p->f) != 1
        || (caplen && fwrite(frame, caplen, 1, p->f) != 1)) {
        p->error = errno ? errno : EIO;
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
    if (fclose(p->f) && !error) {
        error = errno ? errno : EIO;
    }
    if (error) {
        snprintf(err, err_size, "%s: writing: %s", p->path, strerror(error));
    }
    free(p->path);
    free(p);
    return error;
}

/* --- The run's trace ---------------------------------------------------- */

int
trace_create(const char *pcap_prefix, const char *timeline_path,
             struct trace **out, char *err, size_t err_size)
{
    struct trace *t = calloc(1, sizeof *t);

    *out = NULL;
    if (!t) {
        snprintf(err, err_size, "out of memory");
        return ENOMEM;
    }
    if (pcap_prefix && !(t->pcap_prefix = strdup(pcap_prefix))) {
        free(t);
        snprintf(err, err_size, "out of memory");
        return ENOMEM;
    }
    if (timeline_path) {
        t->timeline_path = strdup(timeline_path);
        t->timeline = t->timeline_path ? fopen(timeline_path, "w") : NULL;
        if (!t->timeline) {
            int e = t->timeline_path ? errno : ENOMEM;
            snprintf(err, err_size, "%s: cannot create: %s", timeline_path,
                     strerror(e));
            free(t->timeline_path);
            free(t->pcap_prefix);
            free(t);
            return e;
        }
        fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":"
              "\"vnetsim " PACKAGE_VERSION "\",\"timeUnit\":\"simulated "
              "microseconds\"},\"traceEvents\":[", t->timeline);
        t->first_event = true;
    }
    *out = t;
    return 0;
}

static bool
tap_name_ok(const char *name)
{
    if (!*name) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'
              || *p == '-')) {
            return false;
        }
    }
    return true;
}

struct trace_pcap *
trace_tap(struct trace *t, const char *tap_name)
{
    char path[4096];

    if (!t || !t->pcap_prefix || !tap_name_ok(tap_name)) {
        return NULL;
    }
    for (size_t i = 0; i < t->n_taps; i++) {
        if (!strcmp(t->taps[i].name, tap_name)) {
            return t->taps[i].pcap;
        }
    }
    struct tap *taps = realloc(t->taps, (t->n_taps + 1) * sizeof *taps);
    if (!taps) {
        return NULL;
    }
    t->taps = taps;
    struct tap *tap = &t->taps[t->n_taps];
    tap->name = strdup(tap_name);
    if (!tap->name) {
        return NULL;
    }
    snprintf(path, sizeof path, "%s-%s.pcap", t->pcap_prefix, tap_name);
    char err[300];
    int e = trace_pcap_open(path, TRACE_PCAP_SNAPLEN, &tap->pcap, err,
                            sizeof err);
    if (e && !t->tap_error) {
        t->tap_error = e;
        snprintf(t->tap_err, sizeof t->tap_err, "%s", err);
    }
    t->n_taps++;
    return tap->pcap;
}

/* Writes 's' as a JSON string. */
static void
json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', f);
            fputc(*p, f);
        } else if (*p < 0x20) {
            fprintf(f, "\\u%04x", *p);
        } else {
            fputc(*p, f);
        }
    }
    fputc('"', f);
}

/* Writes picoseconds as microseconds, exactly: "1.234567". */
static void
json_us(FILE *f, sim_time_t ps)
{
    uint64_t v = ps < 0 ? 0 : (uint64_t)ps;
    fprintf(f, "%" PRIu64 ".%06" PRIu64, v / 1000000, v % 1000000);
}

/* Starts an event object: the separator, and the thread name the first
 * time 'comp' appears. */
static bool
begin_event(struct trace *t, uint32_t comp, const char *comp_path)
{
    if (!t || !t->timeline || t->timeline_error) {
        return false;
    }
    size_t byte = comp / 8;
    if (byte >= t->named_bytes) {
        size_t n = (byte + 1) * 2;
        uint8_t *g = realloc(t->named, n);
        if (!g) {
            t->timeline_error = ENOMEM;
            return false;
        }
        memset(g + t->named_bytes, 0, n - t->named_bytes);
        t->named = g;
        t->named_bytes = n;
    }
    if (!(t->named[byte] & (1u << (comp % 8)))) {
        t->named[byte] |= (uint8_t)(1u << (comp % 8));
        fprintf(t->timeline, "%s\n{\"ph\":\"M\",\"pid\":1,\"tid\":%" PRIu32
                ",\"name\":\"thread_name\",\"args\":{\"name\":",
                t->first_event ? "" : ",", comp);
        json_string(t->timeline, comp_path && *comp_path ? comp_path
                                                         : "(root)");
        fputs("}}", t->timeline);
        t->first_event = false;
    }
    fprintf(t->timeline, "%s\n{\"pid\":1,\"tid\":%" PRIu32 ",",
            t->first_event ? "" : ",", comp);
    t->first_event = false;
    return true;
}

static int
end_event(struct trace *t)
{
    fputs("}", t->timeline);
    if (ferror(t->timeline) && !t->timeline_error) {
        t->timeline_error = errno ? errno : EIO;
    }
    return t->timeline_error;
}

int
trace_span(struct trace *t, uint32_t comp, const char *comp_path,
           const char *name, const char *category, sim_time_t begin,
           sim_time_t end)
{
    if (!begin_event(t, comp, comp_path)) {
        return t ? t->timeline_error : 0;
    }
    fputs("\"ph\":\"X\",\"name\":", t->timeline);
    json_string(t->timeline, name);
    fputs(",\"cat\":", t->timeline);
    json_string(t->timeline, category ? category : "");
    fputs(",\"ts\":", t->timeline);
    json_us(t->timeline, begin);
    fputs(",\"dur\":", t->timeline);
    json_us(t->timeline, end > begin ? end - begin : 0);
    return end_event(t);
}

int
trace_instant(struct trace *t, uint32_t comp, const char *comp_path,
              const char *name, const char *category, sim_time_t when)
{
    if (!begin_event(t, comp, comp_path)) {
        return t ? t->timeline_error : 0;
    }
    fputs("\"ph\":\"i\",\"s\":\"t\",\"name\":", t->timeline);
    json_string(t->timeline, name);
    fputs(",\"cat\":", t->timeline);
    json_string(t->timeline, category ? category : "");
    fputs(",\"ts\":", t->timeline);
    json_us(t->timeline, when);
    return end_event(t);
}

int
trace_counter(struct trace *t, uint32_t comp, const char *comp_path,
              const char *name, sim_time_t when, int64_t value)
{
    if (!begin_event(t, comp, comp_path)) {
        return t ? t->timeline_error : 0;
    }
    fputs("\"ph\":\"C\",\"name\":", t->timeline);
    json_string(t->timeline, name);
    fputs(",\"ts\":", t->timeline);
    json_us(t->timeline, when);
    fprintf(t->timeline, ",\"args\":{\"value\":%" PRId64 "}", value);
    return end_event(t);
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
        snprintf(err, err_size, "%s", t->tap_err);
    }
    for (size_t i = 0; i < t->n_taps; i++) {
        char e_msg[300];
        int e = trace_pcap_close(t->taps[i].pcap, e_msg, sizeof e_msg);
        if (e && !error) {
            error = e;
            snprintf(err, err_size, "%s", e_msg);
        }
        free(t->taps[i].name);
    }
    free(t->taps);
    if (t->timeline) {
        fputs("\n]}\n", t->timeline);
        int e = t->timeline_error;
        if (fclose(t->timeline) && !e) {
            e = errno ? errno : EIO;
        }
        if (e && !error) {
            error = e;
            snprintf(err, err_size, "%s: writing: %s", t->timeline_path,
                     strerror(e));
        }
    }
    free(t->timeline_path);
    free(t->named);
    free(t->pcap_prefix);
    free(t);
    return error;
}
