# models/local.mk -- the models of the host and its virtualization layers,
# built on the engine (libsim) and the real switch (libvmswitch).  Each
# model is a fragment of its own (models/NAME.mk) that appends its sources
# to libmodels.la and its tests to check_PROGRAMS.
#
# A model calls another model only through that model's public header, or
# by scheduling an event on it.  The Lua bindings that offer the models to
# scenarios are listed in one place, models/bindings.c, which the vnetsim
# program hands to the Lua host.

noinst_LTLIBRARIES += libmodels.la
libmodels_la_CPPFLAGS = $(AM_CPPFLAGS) $(LUA_CFLAGS)
libmodels_la_LIBADD = libsim.la libvmswitch.la $(LUA_LIBS) $(LIBS)
libmodels_la_SOURCES = models/clock.h models/clock.c

# -- platform profiles: compiled into the program by models/embed --
# Keep PROFILES in name order (profile.list() returns this order).
PROFILES = models/profiles/xeon-2015.lua
EXTRA_DIST += $(PROFILES)
noinst_PROGRAMS += models/embed
models_embed_SOURCES = models/embed.c
libmodels_la_SOURCES += models/profile.h models/profile.c \
	models/bindings.h models/bindings.c
nodist_libmodels_la_SOURCES = models/profiles-builtin.c
BUILT_SOURCES += models/profiles-builtin.c
CLEANFILES += models/profiles-builtin.c
models/profiles-builtin.c: models/embed$(EXEEXT) $(PROFILES)
	$(AM_V_GEN)models/embed$(EXEEXT) $@ $(PROFILES:%=$(srcdir)/%)

# Flags for a model's CUnit suite.
TEST_MODEL_CFLAGS = $(AM_CPPFLAGS) $(CUNIT_CFLAGS) $(LUA_CFLAGS) $(SQLITE_CFLAGS)
TEST_MODEL_LIBS = libmodels.la libsim.la libvmswitch.la $(CUNIT_LIBS) \
	$(LUA_LIBS) $(SQLITE_LIBS) $(LIBS)

# -- the clock: cycles and simulated time, exactly --
check_PROGRAMS += tests/test-clock
tests_test_clock_SOURCES = tests/test-clock.c
tests_test_clock_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_clock_LDADD = $(TEST_MODEL_LIBS)

# -- interrupt moderation (fixed, e1000e-style adaptive) --
libmodels_la_SOURCES += models/itr.h models/itr.c
check_PROGRAMS += tests/test-itr
tests_test_itr_SOURCES = tests/test-itr.c
tests_test_itr_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_itr_LDADD = $(TEST_MODEL_LIBS)

# -- guest physical memory, and a vector of frames --
libmodels_la_SOURCES += models/gmem.h models/gmem.c \
	models/pktvec.h models/pktvec.c

include models/cpu.mk
include models/apic.mk
include models/rss.mk
include models/net.mk
include models/vmbus.mk
include models/hvsched.mk
include models/vmq.mk
include models/synic.mk
include models/tulip.mk
include models/netvsc.mk

# -- the physical NIC, its driver, and the host's own stack --
libmodels_la_SOURCES += models/pnic.h models/pnic.c \
	models/miniport.h models/miniport.c \
	models/hoststack.h models/hoststack.c
check_PROGRAMS += tests/test-pnic
tests_test_pnic_SOURCES = tests/test-pnic.c
tests_test_pnic_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_pnic_LDADD = $(TEST_MODEL_LIBS)

# -- the Lua bindings of the host's models --
libmodels_la_SOURCES += models/host-lua.h models/host-lua.c \
	models/traffic-lua.c models/vswhost-lua.c models/hv-lua.c

# -- the hypervisor --
libmodels_la_SOURCES += models/hv.h models/hv.c
check_PROGRAMS += tests/test-hv
tests_test_hv_SOURCES = tests/test-hv.c
tests_test_hv_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_hv_LDADD = $(TEST_MODEL_LIBS)

# -- a guest's network stack, and the synthetic NIC in time --
libmodels_la_SOURCES += models/guest.h models/guest.c \
	models/synthnic.h models/synthnic.c \
	models/legacynic.h models/legacynic.c

# -- the real switch in the loop, and the VMQ policy on the host --
libmodels_la_SOURCES += models/vswhost.h models/vswhost.c \
	models/vmqhost.h models/vmqhost.c
check_PROGRAMS += tests/test-vswhost
tests_test_vswhost_SOURCES = tests/test-vswhost.c
tests_test_vswhost_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_vswhost_LDADD = $(TEST_MODEL_LIBS)
