/*
 * trace.h -- the run's trace outputs: packet captures (--pcap PREFIX) and a
 * timeline (--timeline FILE.json).
 *
 * Both are write-only views of a run.  Nothing here reads the simulation
 * or feeds anything back into it, so turning tracing on or off cannot
 * change what runs, its results or its fingerprint.  Both stream to their
 * files through stdio as events arrive: memory stays bounded however long
 * the run is.
 *
 * PCAP.  A tap is a point on the packet path that a model chooses to
 * expose ("host0.pnic0.rx", "vswitch.port3.out").  Each tap is its own
 * classic libpcap file named PREFIX-TAP.pcap, created the first time a
 * model asks for the tap with trace_tap().  The files use the nanosecond
 * variant of the format: magic 0xa1b23c4d, version 2.4, thiszone 0,
 * sigfigs 0, snaplen 65535 unless stated, link type 1 (Ethernet), all in
 * the host's byte order, which the magic number lets readers detect.
 * Each record's time is the simulated time TRUNCATED to whole nanoseconds
 * (1999 ps is written as 1 ns): the format has no finer resolution, and
 * truncation keeps records in the order they were written.  Wireshark,
 * tshark, tcpdump and libpcap read the files.
 *
 * A model looks its tap up once, when it is built, and keeps the pointer:
 *
 *     nic->rx_tap = trace_tap(trace, "host0.pnic0.rx");
 *     ...
 *     if (nic->rx_tap) {
 *         trace_pcap_write(nic->rx_tap, sim_now(sim), frame, len);
 *     }
 *
 * trace_tap() returns NULL when pcap tracing is off, so an untraced run
 * pays one test of a pointer per frame.  Every open tap keeps a file
 * open.
 *
 * TIMELINE.  The Trace Event Format that ui.perfetto.dev and
 * chrome://tracing read: one JSON object
 *
 *     {"traceEvents":[ EVENT, ... ],
 *      "displayTimeUnit":"ns", "otherData":{ ... }}
 *
 * The run is process 1 ("vnetsim"); every component is a thread of it
 * whose tid is the component id, named after the component's path by a
 * "thread_name" metadata event written the first time the id appears.
 * Spans ("ph":"X") have a start and a duration, instants ("ph":"i", thread
 * scope) a time, counters ("ph":"C") a time and an integer value.  Times
 * ("ts", "dur") are SIMULATED microseconds, printed exactly from
 * picoseconds as an integer and 6 decimals (1234567 ps is 1.234567),
 * without floating point.  (The file is exact; viewers keep what their
 * own clocks hold: Perfetto rounds to whole nanoseconds.)  Events are
 * written in the order of the calls, which need not be the order of their
 * times: viewers sort them.  trace_close() writes the closing part, so
 * the file is valid JSON even with no events; a run that dies before it
 * leaves a truncated file.
 *
 * Names, categories and paths are copied into JSON strings with '"', '\'
 * and control characters escaped (\u00XX) and any byte that is not part of
 * well-formed UTF-8 replaced by U+FFFD, so the file is valid whatever the
 * strings hold.
 *
 * ERRORS.  Opening fails early where it can: trace_create() creates the
 * timeline file and checks that the pcap prefix's directory exists.  After
 * that, the first I/O error of each file is kept (the file then takes no
 * more output) and the first error of all is returned by trace_close(),
 * with a one-line message naming the file:
 *     "trace.pcap: cannot open: No such file or directory"
 *     "out/t.json: cannot write: No space left on device"
 */
#ifndef VNETSIM_SIM_TRACE_H
#define VNETSIM_SIM_TRACE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/simtime.h"

#define TRACE_PCAP_MAGIC_NS 0xa1b23c4du     /* nanosecond timestamps */
#define TRACE_PCAP_VERSION_MAJOR 2
#define TRACE_PCAP_VERSION_MINOR 4
#define TRACE_PCAP_SNAPLEN 65535            /* the default snaplen */
#define TRACE_PCAP_LINKTYPE_ETHERNET 1
#define TRACE_PCAP_HEADER_SIZE 24           /* bytes of the file header */
#define TRACE_PCAP_RECORD_SIZE 16           /* bytes of a record header */

/* Longest tap name accepted, in bytes. */
#define TRACE_TAP_NAME_MAX 128

struct trace;
struct trace_pcap;

/* --- One pcap file ------------------------------------------------------- */

/* Creates (or truncates) 'path' and writes the file header with 'snaplen'
 * (0 means TRACE_PCAP_SNAPLEN).  On success stores the new file in '*out'
 * and returns 0; otherwise stores NULL, returns an errno value and writes
 * "PATH: cannot open: REASON" to 'err' ('err_size' bytes; 'err' may be
 * NULL). */
int trace_pcap_open(const char *path, uint32_t snaplen,
                    struct trace_pcap **out, char *err, size_t err_size);

/* Appends the 'len'-byte 'frame' (NULL only if 'len' is 0) seen at
 * simulated time 't' (>= 0, asserted), truncated to whole nanoseconds.
 * The record keeps min(len, snaplen) bytes and the original length
 * (saturated at UINT32_MAX).  Returns 0, or the file's first I/O error,
 * after which nothing more is written. */
int trace_pcap_write(struct trace_pcap *p, sim_time_t t, const void *frame,
                     size_t len);

/* Flushes and closes 'p' and frees it.  Returns 0, or the file's first
 * error with "PATH: cannot write: REASON" in 'err' (may be NULL).  Accepts
 * NULL. */
int trace_pcap_close(struct trace_pcap *p, char *err, size_t err_size);

/* --- The run's trace: taps and the timeline ------------------------------ */

/* Creates the run's trace into '*out'.  'pcap_prefix' (NULL: no captures)
 * is the start of every capture's path; its directory must exist.
 * 'timeline_path' (NULL: no timeline) is created now.  With both NULL the
 * trace exists but every call on it does nothing.  Returns 0, or an errno
 * value with a one-line message in 'err' (may be NULL) and '*out' NULL. */
int trace_create(const char *pcap_prefix, const char *timeline_path,
                 struct trace **out, char *err, size_t err_size);

/* Whether captures, or the timeline, are being written.  False for a NULL
 * 't'.  A model may test these before building costly names. */
bool trace_pcap_on(const struct trace *t);
bool trace_timeline_on(const struct trace *t);

/* The capture of the tap named 'tap_name': 1 to TRACE_TAP_NAME_MAX bytes
 * of [A-Za-z0-9_.-].  The file PREFIX-TAP.pcap is opened on the first
 * call for a name; later calls return the same pointer, which stays valid
 * until trace_close().  Returns NULL, with errno set, when:
 *     0       pcap tracing is off, or 't' is NULL;
 *     EINVAL  'tap_name' is not a valid name (nothing is recorded);
 *     ENOMEM  out of memory (recorded);
 *     other   the file could not be opened (recorded; later calls for the
 *             same name return NULL without trying again).
 * A recorded error is returned by trace_close(). */
struct trace_pcap *trace_tap(struct trace *t, const char *tap_name);

/* Timeline events on behalf of component 'comp', whose path 'comp_path'
 * names its thread the first time 'comp' appears (NULL: "component N",
 * "": "(root)").  'name' is the event's label; 'category' (NULL: none)
 * lets viewers filter.  A span covers ['begin', 'end'] (0 <= begin <=
 * end, asserted); an instant happens at 'when' (>= 0); a counter sets the
 * value of the series named "COMP_PATH.NAME" (the format keeps counters
 * per process, so the path keeps components apart) to 'value' from 'when'
 * on.  Each returns 0, or the timeline's first I/O error.  No-ops
 * returning 0 when the timeline is off or 't' is NULL. */
int trace_span(struct trace *t, uint32_t comp, const char *comp_path,
               const char *name, const char *category, sim_time_t begin,
               sim_time_t end);
int trace_instant(struct trace *t, uint32_t comp, const char *comp_path,
                  const char *name, const char *category, sim_time_t when);
int trace_counter(struct trace *t, uint32_t comp, const char *comp_path,
                  const char *name, sim_time_t when, int64_t value);

/* Lanes that are not components (a virtual processor): trace_lane()
 * names a new one at once and returns its id, to pass as 'comp' to the
 * calls above (its 'comp_path' is then ignored); TRACE_LANE_NONE when the
 * timeline is off, which the calls above skip.  Lane ids start at
 * TRACE_LANE_BASE, above any component id. */
#define TRACE_LANE_BASE 0x40000000u
#define TRACE_LANE_NONE 0xFFFFFFFFu
uint32_t trace_lane(struct trace *t, const char *name);

/* Keeps only [from, to] in the timeline (vnetsim run --timeline-window):
 * spans outside are dropped and spans across an edge are clipped to it;
 * instants and counters outside are dropped.  The default is everything
 * (0 to SIM_TIME_MAX). */
void trace_set_window(struct trace *t, sim_time_t from, sim_time_t to);

/* Terminates the timeline's JSON, flushes and closes every file and frees
 * 't' (its taps die with it).  Returns 0, or the first error recorded by
 * any output with its one-line message in 'err' (may be NULL).  Accepts
 * NULL. */
int trace_close(struct trace *t, char *err, size_t err_size);

#endif /* VNETSIM_SIM_TRACE_H */
