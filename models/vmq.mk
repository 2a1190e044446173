# models/vmq.mk -- the VMQ policies of the physical NIC bound to the
# virtual switch: no VMQ, static VMQ (WS2008 R2) and dynamic VMQ (WS2012+),
# which queue a VM NIC gets and which processor serves each queue
# (models/vmq.h).  A pure algorithm: the caller passes loads and the time
# in and applies the decisions.  No Lua binding yet.

libmodels_la_SOURCES += models/vmq.h models/vmq.c

check_PROGRAMS += tests/test-vmq
tests_test_vmq_SOURCES = tests/test-vmq.c
tests_test_vmq_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_vmq_LDADD = $(TEST_MODEL_LIBS)
