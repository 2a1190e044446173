# models/tulip.mk -- the legacy network adapter: the DEC 21140A device the
# Hyper-V worker process emulates (models/tulip.c) and the Linux tulip
# guest driver that drives it, one CSR access at a time
# (models/tulip-drv.c); both declared in models/tulip.h.  No Lua binding
# yet.

libmodels_la_SOURCES += models/tulip.h models/tulip.c models/tulip-drv.c

check_PROGRAMS += tests/test-tulip
tests_test_tulip_SOURCES = tests/test-tulip.c
tests_test_tulip_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_tulip_LDADD = $(TEST_MODEL_LIBS)
