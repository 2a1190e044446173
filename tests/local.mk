# tests/local.mk -- CUnit suites, one program per module, run by automake's
# parallel test driver.  A suite exits with its failure count (0 = pass),
# 77 to skip, 99 for a hard error; see tests/cutest.h.

TEST_SIM_LIBS = libsim.la $(CUNIT_LIBS) $(SQLITE_LIBS) $(LIBS)
TEST_SIM_CFLAGS = $(AM_CPPFLAGS) $(CUNIT_CFLAGS) $(SQLITE_CFLAGS)
TEST_VSW_LIBS = libvmswitch.la $(CUNIT_LIBS) $(LIBS)
TEST_VSW_CFLAGS = $(AM_CPPFLAGS) $(CUNIT_CFLAGS)
noinst_HEADERS += tests/cutest.h

# -- engine: time helpers and logging --
check_PROGRAMS += tests/test-simtime
tests_test_simtime_SOURCES = tests/test-simtime.c
tests_test_simtime_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_simtime_LDADD = $(TEST_SIM_LIBS)

# -- engine: scheduler, components, fingerprint, determinism --

# -- engine: rng and metrics --

# -- engine: results recorder --
EXTRA_PROGRAMS += tests/test-results # PENDING sched.c
tests_test_results_SOURCES = tests/test-results.c
tests_test_results_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_results_LDADD = $(TEST_SIM_LIBS)

# -- vmswitch: frames --

# -- vmswitch: fdb, ACL, QoS --
check_PROGRAMS += tests/test-vsw-fdb
tests_test_vsw_fdb_SOURCES = tests/test-vsw-fdb.c
tests_test_vsw_fdb_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_fdb_LDADD = $(TEST_VSW_LIBS)
check_PROGRAMS += tests/test-vsw-acl
tests_test_vsw_acl_SOURCES = tests/test-vsw-acl.c
tests_test_vsw_acl_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_acl_LDADD = $(TEST_VSW_LIBS)
check_PROGRAMS += tests/test-vsw-qos
tests_test_vsw_qos_SOURCES = tests/test-vsw-qos.c
tests_test_vsw_qos_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_qos_LDADD = $(TEST_VSW_LIBS)

# -- vmswitch: switch, pipeline, VLAN --

TESTS += $(check_PROGRAMS)
