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
check_PROGRAMS += tests/test-sched
tests_test_sched_SOURCES = tests/test-sched.c
tests_test_sched_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_sched_LDADD = $(TEST_SIM_LIBS)
check_PROGRAMS += tests/test-log
tests_test_log_SOURCES = tests/test-log.c
tests_test_log_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_log_LDADD = $(TEST_SIM_LIBS)

# -- engine: rng and metrics --

# -- engine: results recorder --
check_PROGRAMS += tests/test-results
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
noinst_HEADERS += tests/vsw-dummy.h
check_PROGRAMS += tests/test-vsw-switch
tests_test_vsw_switch_SOURCES = tests/test-vsw-switch.c
tests_test_vsw_switch_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_switch_LDADD = $(TEST_VSW_LIBS)
check_PROGRAMS += tests/test-vsw-vlan
tests_test_vsw_vlan_SOURCES = tests/test-vsw-vlan.c
tests_test_vsw_vlan_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_vlan_LDADD = $(TEST_VSW_LIBS)
check_PROGRAMS += tests/test-vsw-alloc
tests_test_vsw_alloc_SOURCES = tests/test-vsw-alloc.c
tests_test_vsw_alloc_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_alloc_LDADD = $(TEST_VSW_LIBS)
check_PROGRAMS += tests/test-vsw-threads
tests_test_vsw_threads_SOURCES = tests/test-vsw-threads.c
tests_test_vsw_threads_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_threads_LDADD = $(TEST_VSW_LIBS)

TESTS += $(check_PROGRAMS)
