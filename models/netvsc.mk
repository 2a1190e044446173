# models/netvsc.mk -- the synthetic NIC protocol, both ends: the guest's
# client (VSC, Linux netvsc behaviour) and the root's provider (VSP), NVSP
# and RNDIS over an abstract VMBus channel (models/netvsc.h, FACTS.md 3.4).
# models/netvsc-wire.h holds the wire layouts; the tests include it too.

libmodels_la_SOURCES += models/netvsc.h models/netvsc-wire.h \
	models/netvsc-wire.c models/netvsc-vsc.c models/netvsc-vsp.c

check_PROGRAMS += tests/test-netvsc
tests_test_netvsc_SOURCES = tests/test-netvsc.c
tests_test_netvsc_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_netvsc_LDADD = $(TEST_MODEL_LIBS)
