# models/net.mk -- the network edge: the point-to-point Ethernet link
# (models/link.h) and the traffic endpoints, generators and sinks
# (models/traffic.h).  doc/models.md section 4 describes both.

libmodels_la_SOURCES += models/link.h models/link.c \
	models/traffic.h models/traffic-private.h models/traffic.c \
	models/traffic-tcp.c

check_PROGRAMS += tests/test-link tests/test-traffic
tests_test_link_SOURCES = tests/test-link.c
tests_test_link_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_link_LDADD = $(TEST_MODEL_LIBS)
tests_test_traffic_SOURCES = tests/test-traffic.c
tests_test_traffic_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_traffic_LDADD = $(TEST_MODEL_LIBS)
