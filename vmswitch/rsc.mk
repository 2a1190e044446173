# vmswitch/rsc.mk -- receive segment coalescing (vmswitch/rsc.h): the
# engine in libvmswitch and its CUnit suite.  Included from
# vmswitch/local.mk.

libvmswitch_la_SOURCES += vmswitch/rsc.c
vmswitchinclude_HEADERS += vmswitch/rsc.h

check_PROGRAMS += tests/test-vsw-rsc
tests_test_vsw_rsc_SOURCES = tests/test-vsw-rsc.c
tests_test_vsw_rsc_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_rsc_LDADD = $(TEST_VSW_LIBS)

EXTRA_DIST += doc/vmswitch-rsc.md
