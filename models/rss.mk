# models/rss.mk -- receive classification in the physical NIC model: RSS
# (Toeplitz hash, NDIS hash types, indirection table; models/rss.h) and the
# VMQ filter table with the mode-selecting classifier (models/rxfilter.h).
# Both are pure C, built on libvmswitch's frame parser; doc/models.md section 6.

libmodels_la_SOURCES += models/rss.h models/rss.c \
	models/rxfilter.h models/rxfilter.c

check_PROGRAMS += tests/test-rss
tests_test_rss_SOURCES = tests/test-rss.c
tests_test_rss_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_rss_LDADD = $(TEST_MODEL_LIBS)
