# models/vmbus.mk -- the VMBus channel model: ring buffers laid out in guest
# memory, packets, signalling rules, channels with subchannels, monitor
# pages (models/vmbus.h, doc/models.md, the VMBus section).  Also the unit
# tests of guest physical memory (models/gmem.h), which the rings live in.
# No Lua binding yet.

libmodels_la_SOURCES += models/vmbus.h models/vmbus.c

check_PROGRAMS += tests/test-vmbus
tests_test_vmbus_SOURCES = tests/test-vmbus.c
tests_test_vmbus_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_vmbus_LDADD = $(TEST_MODEL_LIBS)

check_PROGRAMS += tests/test-gmem
tests_test_gmem_SOURCES = tests/test-gmem.c
tests_test_gmem_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_gmem_LDADD = $(TEST_MODEL_LIBS)
