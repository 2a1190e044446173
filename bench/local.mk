# bench/local.mk -- benchmarks.  They print figures and never fail on speed;
# "make bench" builds and runs them all, then bench/flagship (a script
# timing vnetsim on bench/flagship.lua).

# -- bench/hold: the classic hold model on the engine's public API --
EXTRA_PROGRAMS += bench/hold
BENCHES += bench/hold$(EXEEXT)
bench_hold_SOURCES = bench/hold.c
bench_hold_CPPFLAGS = $(AM_CPPFLAGS)
bench_hold_LDADD = libsim.la $(LIBS)

# -- bench/vswitch: frames per second through libvmswitch --
EXTRA_PROGRAMS += bench/vswitch
BENCHES += bench/vswitch$(EXEEXT)
bench_vswitch_SOURCES = bench/vswitch.c
bench_vswitch_LDADD = libvmswitch.la $(LIBS)

# -- bench/flagship: the flagship workload through the whole simulator --
EXTRA_DIST += bench/flagship bench/flagship.lua
