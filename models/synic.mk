# models/synic.mk -- the Hyper-V synthetic interrupt controller of one
# virtual processor: SINTs, event flags, message slots and their FIFOs,
# EOM, the EOI assist bit, and HvCallSignalEvent / HvCallPostMessage
# through a connection table (models/synic.h).  Pure logic and state; no
# Lua binding yet.

libmodels_la_SOURCES += models/synic.h models/synic.c

check_PROGRAMS += tests/test-synic
tests_test_synic_SOURCES = tests/test-synic.c
tests_test_synic_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_synic_LDADD = $(TEST_MODEL_LIBS)
