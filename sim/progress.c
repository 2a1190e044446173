/*
 * progress.c -- the progress line and summary (progress.h).
 */
#include <config.h>
#include "sim/progress.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

bool
progress_wanted(FILE *f, bool quiet)
{
    return !quiet && isatty(fileno(f));
}

double
progress_wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
progress_init(struct progress *p, FILE *out, bool enabled, sim_time_t start,
              sim_time_t end, double wall_now)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->enabled = enabled;
    p->start = start;
    p->end = end;
    p->wall_start = wall_now;
    p->wall_last = wall_now;
}

/* "4.200 ms": a time with a unit and 3 decimals. */
static void
format_time(sim_time_t t, char *buf, size_t size)
{
    static const struct { const char *unit; double ps; } units[] = {
        { "s", 1e12 }, { "ms", 1e9 }, { "us", 1e6 }, { "ns", 1e3 },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if ((double)t >= units[i].ps) {
            snprintf(buf, size, "%.3f %s", (double)t / units[i].ps,
                     units[i].unit);
            return;
        }
    }
    snprintf(buf, size, "%" PRId64 " ps", t);
}

/* "3.10 M": a rate with k/M/G. */
static void
format_rate(double v, char *buf, size_t size)
{
    if (v >= 1e9) {
        snprintf(buf, size, "%.2f G", v / 1e9);
    } else if (v >= 1e6) {
        snprintf(buf, size, "%.2f M", v / 1e6);
    } else if (v >= 1e3) {
        snprintf(buf, size, "%.2f k", v / 1e3);
    } else {
        snprintf(buf, size, "%.0f ", v);
    }
}

void
progress_format(const struct progress *p, sim_time_t now, uint64_t events,
                double wall_now, char *buf, size_t size)
{
    char t_now[32], t_end[32], rate[48], speed[48], eta[32];
    double wall = wall_now - p->wall_start;
    double span = (double)(p->end - p->start);
    double done = span > 0 ? (double)(now - p->start) / span : 1.0;

    if (done < 0) {
        done = 0;
    } else if (done > 1) {
        done = 1;
    }
    format_time(now, t_now, sizeof t_now);
    format_time(p->end, t_end, sizeof t_end);
    if (wall > 0) {
        char r[32];
        format_rate((double)events / wall, r, sizeof r);
        snprintf(rate, sizeof rate, "%sev/s", r);
        format_time((sim_time_t)((double)(now - p->start) / wall), speed,
                    sizeof speed);
        strncat(speed, "/s", sizeof speed - strlen(speed) - 1);
    } else {
        snprintf(rate, sizeof rate, "-- ev/s");
        snprintf(speed, sizeof speed, "--/s");
    }
    if (wall > 0 && done > 0 && done < 1) {
        long left = (long)(wall * (1 - done) / done + 0.5);
        if (left >= 3600) {
            snprintf(eta, sizeof eta, "%ld:%02ld:%02ld", left / 3600,
                     left / 60 % 60, left % 60);
        } else {
            snprintf(eta, sizeof eta, "%ld:%02ld", left / 60, left % 60);
        }
    } else {
        snprintf(eta, sizeof eta, done >= 1 ? "0:00" : "--");
    }
    snprintf(buf, size, "[%5.1f%%] sim %s / %s | %s | %s | ETA %s",
             done * 100, t_now, t_end, rate, speed, eta);
    if (strlen(buf) > 79 && size > 79) {
        buf[79] = '\0';
    }
}

bool
progress_update(struct progress *p, sim_time_t now, uint64_t events,
                double wall_now)
{
    char line[128];

    if (!p->enabled || (p->drawn && wall_now - p->wall_last
                                    < PROGRESS_INTERVAL_S)
        || (!p->drawn && wall_now - p->wall_start < PROGRESS_INTERVAL_S)) {
        return false;
    }
    progress_format(p, now, events, wall_now, line, sizeof line);
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
    p->drawn = true;
    p->wall_last = wall_now;
    return true;
}

void
progress_finish(struct progress *p)
{
    if (p->enabled && p->drawn) {
        fprintf(p->out, "\r\033[K");
        fflush(p->out);
        p->drawn = false;
    }
}

void
progress_summary(FILE *out, uint64_t events, double wall_s,
                 sim_time_t simtime, uint64_t fingerprint, const char *db_path)
{
    char rate[32], t[48];

    format_rate(wall_s > 0 ? (double)events / wall_s : 0, rate, sizeof rate);
    format_time(simtime, t, sizeof t);
    fprintf(out, "done: %" PRIu64 " events in %.2f s (%sev/s), simulated %s, "
            "fingerprint %016" PRIx64 ", results in %s\n", events, wall_s,
            rate, t, fingerprint, db_path);
}
