# models/hvsched.mk -- the hypervisor's scheduler of virtual processors on
# logical processors: weighted fair sharing by virtual time, affinity,
# wake-up placement and preemption (models/hvsched.h).  A pure algorithm:
# the caller passes the time in.  No Lua binding yet.

libmodels_la_SOURCES += models/hvsched.h models/hvsched.c

check_PROGRAMS += tests/test-hvsched
tests_test_hvsched_SOURCES = tests/test-hvsched.c
tests_test_hvsched_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_hvsched_LDADD = $(TEST_MODEL_LIBS)
