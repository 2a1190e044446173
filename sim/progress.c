/*
 * progress.c -- the progress line and the end-of-run summary described in
 * progress.h.  Only the formatting is interesting: every field has a
 * bounded width, so the line fits in PROGRESS_COLUMNS for every realistic
 * run and a fallback shortens it for the others.  The percent and the
 * simulated times are computed in integers from picoseconds; rates and
 * the ETA are estimates and use doubles.
 */
#include <config.h>
#include "sim/progress.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

bool
progress_wanted(FILE *f, bool quiet)
{
    return !quiet && f && isatty(fileno(f));
}

double
progress_wall_now(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts)) {
        return 0;
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
progress_init(struct progress *p, FILE *out, bool enabled, sim_time_t start,
              sim_time_t end, double wall_now)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->enabled = enabled && out;
    p->start = start;
    p->end = end;
    p->wall_start = wall_now;
    p->wall_last = wall_now;
}

/* --- Field formatting ---------------------------------------------------- */

/* Formats 't' ps into 'buf' as a number in the largest unit of ps, ns, us,
 * ms and s that keeps it below 1000 after rounding to 3 decimals (half up):
 * "4.200 ms", "999 ps", "3600.000 s".  Picoseconds have no decimals; zero
 * is "0 s".  With 'trim', trailing zeros of the decimals and a bare point
 * are dropped ("4.2 ms", "2 s"). */
static void
format_time(sim_time_t t, bool trim, char *buf, size_t size)
{
    static const struct {
        const char *unit;
        uint64_t ps;
    } units[] = {
        { "ns", 1000u }, { "us", 1000000u }, { "ms", 1000000000u },
        { "s", UINT64_C(1000000000000) },
    };
    const char *sign = t < 0 ? "-" : "";
    uint64_t mag = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    uint64_t whole = 0, frac = 0;
    size_t i;

    if (mag == 0) {
        snprintf(buf, size, "0 s");
        return;
    }
    if (mag < 1000) {
        snprintf(buf, size, "%s%" PRIu64 " ps", sign, mag);
        return;
    }
    for (i = 0; i < sizeof units / sizeof units[0]; i++) {
        uint64_t u = units[i].ps;

        /* (mag % u) * 1000 < 10^15: no overflow. */
        whole = mag / u;
        frac = ((mag % u) * 1000 + u / 2) / u;
        if (frac == 1000) {
            whole++;
            frac = 0;
        }
        if (whole < 1000) {
            break;
        }
    }
    if (i == sizeof units / sizeof units[0]) {
        i--;                    /* seconds have no upper bound */
    }
    if (!trim) {
        snprintf(buf, size, "%s%" PRIu64 ".%03" PRIu64 " %s", sign, whole,
                 frac, units[i].unit);
    } else if (frac == 0) {
        snprintf(buf, size, "%s%" PRIu64 " %s", sign, whole, units[i].unit);
    } else {
        char digits[8];

        snprintf(digits, sizeof digits, "%03u", (unsigned)frac);
        for (int k = 2; k > 0 && digits[k] == '0'; k--) {
            digits[k] = '\0';
        }
        snprintf(buf, size, "%s%" PRIu64 ".%s %s", sign, whole, digits,
                 units[i].unit);
    }
}

/* Formats 'v' (finite, >= 0) with 3 significant figures into 'num' and
 * returns its SI prefix ("" for none): 31940000 gives "31.9" and "M".
 * Prefixes below "" are used only if 'allow_sub' (for a time rate: "2.10"
 * "m" makes 2.10 ms/s).  Zero is "0" with no prefix. */
static const char *
format_si(double v, bool allow_sub, char *num, size_t size)
{
    static const char *const prefixes[] = {
        "p", "n", "u", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y",
    };
    const int n_prefixes = (int)(sizeof prefixes / sizeof prefixes[0]);
    int i = allow_sub ? 0 : 4;
    double s = v;

    if (!(v > 0)) {
        snprintf(num, size, "0");
        return "";
    }
    for (int k = i; k < 4; k++) {
        s *= 1000.0;            /* start from pico */
    }
    /* Step up while the value would print with 4 digits. */
    while (s >= 999.5 && i + 1 < n_prefixes) {
        s /= 1000.0;
        i++;
    }
    snprintf(num, size, "%.*f", s < 9.995 ? 2 : s < 99.95 ? 1 : 0, s);
    return prefixes[i];
}

/* Formats an ETA of 'secs' wall seconds: "m:ss" below an hour, "h:mm:ss"
 * from there, ">999h" beyond 999 hours. */
static void
format_eta(double secs, char *buf, size_t size)
{
    if (!(secs < 999.0 * 3600 + 3599.5)) {
        snprintf(buf, size, ">999h");
        return;
    }
    unsigned left = secs > 0 ? (unsigned)(secs + 0.5) : 0;
    if (left >= 3600) {
        snprintf(buf, size, "%u:%02u:%02u", left / 3600, left / 60 % 60,
                 left % 60);
    } else {
        snprintf(buf, size, "%u:%02u", left / 60, left % 60);
    }
}

/* --- The line ------------------------------------------------------------ */

char *
progress_format(const struct progress *p, sim_time_t now, uint64_t events,
                double wall_now, char *buf, size_t size)
{
    char pct[24], t_now[32], t_end[40], rate[40], speed[40], eta[32];
    char line[256];
    bool end_known = p->end != SIM_TIME_MAX && p->end >= p->start;
    double wall = wall_now - p->wall_start;
    __int128 done = (__int128)now - p->start;      /* ps since start */
    __int128 span = (__int128)p->end - p->start;
    int len;

    assert(size > 0);

    /* Share done, in tenths of a percent, rounded down so that 100.0%
     * means done. */
    if (!end_known) {
        snprintf(pct, sizeof pct, "[  --  ]");
    } else {
        int permille = span == 0 || done >= span ? 1000
                     : done <= 0 ? 0 : (int)(done * 1000 / span);
        snprintf(pct, sizeof pct, "[%3d.%d%%]", permille / 10, permille % 10);
    }

    format_time(now, false, t_now, sizeof t_now);
    t_end[0] = '\0';
    if (end_known) {
        char e[32];

        format_time(p->end, false, e, sizeof e);
        snprintf(t_end, sizeof t_end, " / %s", e);
    }

    /* Rates: whole-run averages; unknown until the wall clock moved. */
    if (wall > 0 && events >= p->events_last) {
        char num[32];
        const char *pre = format_si((double)events / wall, false, num,
                                    sizeof num);
        snprintf(rate, sizeof rate, "%s %s%sev/s", num, pre, *pre ? " " : "");
    } else {
        snprintf(rate, sizeof rate, "-- ev/s");
    }
    if (wall > 0) {
        char num[32];
        double sim_s = done > 0 ? (double)done / 1e12 : 0;
        const char *pre = format_si(sim_s / wall, true, num, sizeof num);
        snprintf(speed, sizeof speed, "%s %ss/s", num, pre);
    } else {
        snprintf(speed, sizeof speed, "-- s/s");
    }

    /* ETA: the rest of the span at the average speed so far. */
    if (end_known && (span == 0 || done >= span)) {
        snprintf(eta, sizeof eta, "0:00");
    } else if (end_known && wall > 0 && done > 0) {
        format_eta(wall * ((double)(span - done) / (double)done), eta,
                   sizeof eta);
    } else {
        snprintf(eta, sizeof eta, "--");
    }

    len = snprintf(line, sizeof line, "%s sim %s%s | %s | %s | ETA %s", pct,
                   t_now, t_end, rate, speed, eta);
    if (len > PROGRESS_COLUMNS) {
        /* Only for absurd spans: the end time goes first. */
        len = snprintf(line, sizeof line, "%s sim %s | %s | %s | ETA %s",
                       pct, t_now, rate, speed, eta);
    }
    if (len > PROGRESS_COLUMNS) {
        line[PROGRESS_COLUMNS] = '\0';
    }
    snprintf(buf, size, "%s", line);
    return buf;
}

bool
progress_update(struct progress *p, sim_time_t now, uint64_t events,
                double wall_now)
{
    bool draw = p->enabled && !p->finished
                && wall_now - p->wall_last >= PROGRESS_INTERVAL_S;

    if (draw) {
        char line[PROGRESS_LINE_SIZE];

        progress_format(p, now, events, wall_now, line, sizeof line);
        fprintf(p->out, "\r%s\033[K", line);
        fflush(p->out);
        p->drawn = true;
        p->wall_last = wall_now;
    }
    if (events > p->events_last) {
        p->events_last = events;
    }
    return draw;
}

void
progress_finish(struct progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
        p->drawn = false;
    }
    p->finished = true;
}

/* --- The summary --------------------------------------------------------- */

void
progress_summary(FILE *out, uint64_t events, double wall_s,
                 sim_time_t simtime, uint64_t fingerprint, const char *db_path)
{
    char rate[48], t[32];

    if (wall_s > 0) {
        char num[32];
        const char *pre = format_si((double)events / wall_s, false, num,
                                    sizeof num);
        snprintf(rate, sizeof rate, "%s %s%sev/s", num, pre, *pre ? " " : "");
    } else {
        snprintf(rate, sizeof rate, "-- ev/s");
    }
    format_time(simtime, true, t, sizeof t);
    fprintf(out, "done: %" PRIu64 " events in %.2f s (%s), simulated %s, "
            "fingerprint %016" PRIx64 "%s%s\n", events,
            wall_s > 0 ? wall_s : 0.0, rate, t, fingerprint,
            db_path ? ", results in " : "", db_path ? db_path : "");
}
