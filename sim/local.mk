# sim/local.mk -- the event engine (libsim) and the vnetsim program.
#
# libsim knows nothing of models: time, events, components, RNG streams,
# metrics, the SQLite results recorder and logging.  vnetsim is the
# composition root.

noinst_LTLIBRARIES += libsim.la
libsim_la_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS) $(PCAP_CFLAGS)
libsim_la_LIBADD = $(SQLITE_LIBS) $(PCAP_LIBS) $(LIBS)
libsim_la_SOURCES = \
	sim/simtime.h sim/simtime.c \
	sim/log.h sim/log.c

# -- scheduler, queue, components, fingerprint --
libsim_la_SOURCES += sim/sim.h sim/sim-private.h sim/sched.c sim/queue.h sim/queue.c

# -- rng streams, distributions, metrics registry --
libsim_la_SOURCES += sim/rng.h sim/rng.c sim/metrics.h sim/metrics.c

# -- results recorder (SQLite, OMNeT++ 6 schema) --
libsim_la_SOURCES += sim/results.h sim/results.c sim/record.h sim/record.c

# -- exact units, did-you-mean, sweeps and run filters, progress, traces --
libsim_la_SOURCES += sim/units.h sim/units.c sim/suggest.h sim/suggest.c \
	sim/sweep.h sim/sweep.c sim/progress.h sim/progress.c \
	sim/trace.h sim/trace.c

# -- the vnetsim program --
bin_PROGRAMS += vnetsim
vnetsim_CPPFLAGS = $(AM_CPPFLAGS) $(LUA_CFLAGS) $(SQLITE_CFLAGS)
vnetsim_LDADD = libmodels.la libsim.la libvmswitch.la $(LUA_LIBS) \
	$(SQLITE_LIBS) $(LIBS)
vnetsim_SOURCES = sim/main.c sim/cli.h sim/demo.c sim/runrec.h sim/runrec.c \
	sim/run.c sim/compare.c sim/cmpstat.h sim/cmpstat.c sim/script.c \
	sim/lsim.h sim/lsim-private.h sim/lsim.c \
	sim/lsim-api.c sim/runid.h sim/runid.c sim/merge.h sim/merge.c \
	sim/mpisweep.h sim/mpisweep.c sim/limits.h sim/limits.c
vnetsim_CPPFLAGS += -DVNETSIM_SCENARIO_LIBDIR='"$(pkgdatadir)/scenarios"' \
	-DVNETSIM_SRC_SCRIPTS='"$(abs_top_srcdir)/scripts"' \
	-DVNETSIM_LIBEXECDIR='"$(pkglibexecdir)"'

# Scenarios are installed; require() in a scenario also looks there.
scenariosdir = $(pkgdatadir)/scenarios
dist_scenarios_DATA = scenarios/mm1.lua scenarios/host-rss.lua \
	scenarios/vm-nics.lua scenarios/vmq-compare.lua \
	scenarios/nic-compare.lua scenarios/dynamic-load.lua \
	scenarios/quickstart.lua
vnetsim_CPPFLAGS += $(NETTLE_CFLAGS)
vnetsim_LDADD += $(NETTLE_LIBS)
# "vnetsim compare" (sim/compare.c, sim/cmpstat.c): Student's t from the
# GSL.  Analysis, not the engine: libsim does not link it.
vnetsim_CPPFLAGS += $(GSL_CFLAGS)
vnetsim_LDADD += $(GSL_LIBS)
# MPI sweeps (sim/mpisweep.c), with ./configure --with-mpi only.
vnetsim_CPPFLAGS += $(MPI_CFLAGS)
vnetsim_LDADD += $(MPI_LIBS)
