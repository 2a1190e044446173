/*
 * trace.h -- the run's trace outputs: packet captures (--pcap PREFIX) and
 * a timeline (--timeline FILE.json).
 *
 * PCAP.  Each named tap (a point on the packet path a model chooses to
 * expose: "host0.pnic0.rx", "vswitch.port3.out") is its own classic
 * libpcap file, PREFIX-TAP.pcap, opened on first use, with NANOSECOND
 * timestamps (magic 0xa1b23c4d, version 2.4, link type 1 = Ethernet),
 * written in host byte order as the format allows.  Simulated times are
 * picoseconds; they are truncated to whole nanoseconds.  Wireshark and
 * tshark read the files.  When pcap tracing is off, trace_tap() returns
 * NULL and a model writes nothing: `if (tap) trace_pcap_write(...)`.
 *
 * TIMELINE.  The Trace Event Format JSON that ui.perfetto.dev and
 * chrome://tracing read: {"traceEvents":[...],"displayTimeUnit":"ns"}.
 * Every component is a thread (tid = its id, named after its path by a
 * metadata event the first time it appears) of process 1; spans ("X"),
 * instants ("i") and counters ("C") carry simulated times in microseconds
 * printed exactly from picoseconds (6 decimals, integer arithmetic).
 * Events are streamed to the file, so memory stays constant.
 *
 * Neither output can change a simulation: writing is all they do.  The
 * first I/O error is kept and reported by trace_close().
 */
#ifndef VNETSIM_SIM_TRACE_H
#define VNETSIM_SIM_TRACE_H 1

#include <stddef.h>
#include <stdint.h>

#include "sim/simtime.h"

#define TRACE_PCAP_SNAPLEN 65535
#define TRACE_PCAP_MAGIC_NS 0xa1b23c4du
#define TRACE_PCAP_LINKTYPE_ETHERNET 1

struct trace;
struct trace_pcap;

/* --- One pcap file ---------------------------------------------------- */

/* Creates 'path' and writes the file header.  Returns 0 or an errno with
 * a one-line message in 'err'. */
int trace_pcap_open(const char *path, uint32_t snaplen,
                    struct trace_pcap **out, char *err, size_t err_size);

/* Appends one frame seen at time 't': min(len, snaplen) bytes are kept,
 * the original length is recorded.  Returns 0 or the first I/O error. */
int trace_pcap_write(struct trace_pcap *p, sim_time_t t, const void *frame,
                     size_t len);

/* Flushes and closes; returns 0 or the first error.  Accepts NULL. */
int trace_pcap_close(struct trace_pcap *p, char *err, size_t err_size);

/* --- The run's trace: taps and the timeline ---------------------------- */

/* 'pcap_prefix' and 'timeline_path' may each be NULL (that output off).
 * Returns 0, or an errno with a one-line message (the timeline file is
 * created here, so a bad path fails early). */
int trace_create(const char *pcap_prefix, const char *timeline_path,
                 struct trace **out, char *err, size_t err_size);

/* The tap named 'tap_name' ([A-Za-z0-9_.-]+), opened on first use; NULL
 * when pcap tracing is off, for a bad name, or if the file cannot be
 * created (the error is reported by trace_close()). */
struct trace_pcap *trace_tap(struct trace *t, const char *tap_name);

/* Timeline events of component 'comp' (path 'comp_path').  No-ops
 * returning 0 when the timeline is off or 't' is NULL. */
int trace_span(struct trace *t, uint32_t comp, const char *comp_path,
               const char *name, const char *category, sim_time_t begin,
               sim_time_t end);
int trace_instant(struct trace *t, uint32_t comp, const char *comp_path,
                  const char *name, const char *category, sim_time_t when);
int trace_counter(struct trace *t, uint32_t comp, const char *comp_path,
                  const char *name, sim_time_t when, int64_t value);

/* Terminates the JSON, closes every file and frees 't'.  Returns 0 or the
 * first error of any output, with a one-line message.  Accepts NULL. */
int trace_close(struct trace *t, char *err, size_t err_size);

#endif /* VNETSIM_SIM_TRACE_H */
