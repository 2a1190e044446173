/*
 * limits.c -- the run-limit watchdog declared in limits.h: an interval
 * timer and a SIGALRM handler that only reads counters and clocks, stores
 * flags (lsim_interrupt()) and, as a last resort, write()s and _exit()s --
 * all async-signal-safe.  The messages are composed when arming, so the
 * handler formats nothing.
 */
#include <config.h>
#include "sim/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sim/cli.h"
#include "sim/lsim.h"

/* The watchdog's state: written before the timer starts, read by the
 * handler. */
static struct {
    struct run_limits l;
    struct lsim *volatile h;
    struct timespec start;
    long page_size;
    volatile sig_atomic_t armed;
    volatile sig_atomic_t hit;      /* a limit was passed ... */
    struct timespec hit_at;         /* ... at this time */
    char msg_events[200], msg_wall[200], msg_memory[200];
    char last_words[600];           /* the last-resort line, with '\n' */
    size_t last_len;
    struct sigaction old_action;
} w;

size_t
limits_lua_heap(const struct run_limits *l, size_t default_bytes)
{
    if (l->max_memory_bytes && l->max_memory_bytes < default_bytes) {
        return (size_t)l->max_memory_bytes;
    }
    return 0;
}

static int64_t
ms_since(const struct timespec *t0, const struct timespec *t1)
{
    return (int64_t)(t1->tv_sec - t0->tv_sec) * 1000
           + (t1->tv_nsec - t0->tv_nsec) / 1000000;
}

/* The resident set size in bytes, read from /proc/self/statm (its second
 * field, in pages) with open/read/close only; 0 if unknown. */
static uint64_t
resident_bytes(void)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    ssize_t n;
    uint64_t pages = 0;
    size_t i = 0;

    if (fd < 0) {
        return 0;
    }
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        return 0;
    }
    buf[n] = '\0';
    while (buf[i] && buf[i] != ' ') {           /* skip "size" */
        i++;
    }
    while (buf[i] == ' ') {
        i++;
    }
    while (buf[i] >= '0' && buf[i] <= '9') {
        pages = pages * 10 + (uint64_t)(buf[i++] - '0');
    }
    return pages * (uint64_t)w.page_size;
}

/* Notes that limit 'msg' was passed at 'now' and stops the run. */
static void
trip(const char *msg, const struct timespec *now)
{
    w.hit_at = *now;
    w.hit = 1;
    if (w.h) {
        lsim_interrupt(w.h, msg);
    }
}

static void
on_alarm(int sig)
{
    struct timespec now;
    int saved = errno;

    (void)sig;
    if (!w.armed) {
        errno = saved;
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (w.hit) {
        if (ms_since(&w.hit_at, &now) >= LIMITS_GRACE_S * 1000) {
            ssize_t r = write(STDERR_FILENO, w.last_words, w.last_len);
            (void)r;
            _exit(VNETSIM_EXIT_INPUT);
        }
        if (w.h) {
            /* Again: sim_run() clears a stop that came just before it. */
            sim_stop(lsim_sim(w.h));
        }
        errno = saved;
        return;
    }
    struct lsim *h = w.h;
    if (w.l.max_events && h
        && sim_events_executed(lsim_sim(h)) > w.l.max_events) {
        trip(w.msg_events, &now);
    } else if (w.l.max_wall_ms
               && (uint64_t)ms_since(&w.start, &now) >= w.l.max_wall_ms) {
        trip(w.msg_wall, &now);
    } else if (w.l.max_memory_bytes
               && resident_bytes() >= w.l.max_memory_bytes) {
        trip(w.msg_memory, &now);
    }
    errno = saved;
}

int
limits_arm(const struct run_limits *l, struct lsim *h, const char *scenario,
           char *err, size_t err_size)
{
    struct sigaction sa;
    struct itimerval it = {
        { 0, LIMITS_TICK_MS * 1000 }, { 0, LIMITS_TICK_MS * 1000 },
    };

    limits_disarm();
    memset(&w, 0, sizeof w);
    w.l = *l;
    w.h = h;
    w.page_size = sysconf(_SC_PAGESIZE);
    snprintf(w.msg_events, sizeof w.msg_events, "run stopped: more than %"
             PRIu64 " events (--max-events)", l->max_events);
    snprintf(w.msg_wall, sizeof w.msg_wall, "run stopped: it ran for more "
             "than %s of wall-clock time (--max-wall)",
             l->wall_text ? l->wall_text : "the limit");
    snprintf(w.msg_memory, sizeof w.msg_memory, "run stopped: its resident "
             "memory passed %s (--max-memory)",
             l->memory_text ? l->memory_text : "the limit");
    /* One line for all limits: the handler cannot format. */
    w.last_len = (size_t)snprintf(w.last_words, sizeof w.last_words,
        "%s: a run limit (--max-events, --max-wall or --max-memory) was "
        "passed and the run did not stop within %d s (stuck inside one C "
        "function call?): process ended, the run is left incomplete\n",
        scenario, LIMITS_GRACE_S);
    if (w.last_len >= sizeof w.last_words) {
        w.last_len = sizeof w.last_words - 1;
        w.last_words[w.last_len - 1] = '\n';
    }
    clock_gettime(CLOCK_MONOTONIC, &w.start);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, &w.old_action)
        || setitimer(ITIMER_REAL, &it, NULL)) {
        int e = errno;
        snprintf(err, err_size, "cannot start the run-limit watchdog: %s",
                 strerror(e));
        return e;
    }
    w.armed = 1;
    return 0;
}

void
limits_set_host(struct lsim *h)
{
    w.h = h;
}

void
limits_disarm(void)
{
    struct itimerval off;

    if (!w.armed) {
        return;
    }
    memset(&off, 0, sizeof off);
    setitimer(ITIMER_REAL, &off, NULL);
    w.armed = 0;
    sigaction(SIGALRM, &w.old_action, NULL);
    w.h = NULL;
}
