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
check_PROGRAMS += tests/test-determinism
tests_test_determinism_SOURCES = tests/test-determinism.c
tests_test_determinism_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_determinism_LDADD = $(TEST_SIM_LIBS)

# -- engine: rng and metrics --
check_PROGRAMS += tests/test-rng
tests_test_rng_SOURCES = tests/test-rng.c
tests_test_rng_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_rng_LDADD = $(TEST_SIM_LIBS)
check_PROGRAMS += tests/test-metrics
tests_test_metrics_SOURCES = tests/test-metrics.c
tests_test_metrics_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_metrics_LDADD = $(TEST_SIM_LIBS)

# -- compare: tolerances and Welch's t-test --
check_PROGRAMS += tests/test-cmpstat
tests_test_cmpstat_SOURCES = tests/test-cmpstat.c sim/cmpstat.c
tests_test_cmpstat_CPPFLAGS = $(TEST_SIM_CFLAGS) $(GSL_CFLAGS)
tests_test_cmpstat_LDADD = $(TEST_SIM_LIBS) $(GSL_LIBS)

# -- engine: results recorder --
check_PROGRAMS += tests/test-results
tests_test_results_SOURCES = tests/test-results.c
tests_test_results_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_results_LDADD = $(TEST_SIM_LIBS)

# -- engine: units, sweeps and filters, progress and traces --
check_PROGRAMS += tests/test-units tests/test-sweep tests/test-trace \
	tests/test-progress
tests_test_units_SOURCES = tests/test-units.c
tests_test_units_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_units_LDADD = $(TEST_SIM_LIBS)
tests_test_sweep_SOURCES = tests/test-sweep.c
tests_test_sweep_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_sweep_LDADD = $(TEST_SIM_LIBS)
tests_test_trace_SOURCES = tests/test-trace.c
tests_test_trace_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_trace_LDADD = $(TEST_SIM_LIBS)
tests_test_progress_SOURCES = tests/test-progress.c
tests_test_progress_CPPFLAGS = $(TEST_SIM_CFLAGS)
tests_test_progress_LDADD = $(TEST_SIM_LIBS)

# -- vmswitch: frames --
check_PROGRAMS += tests/test-vsw-parse
tests_test_vsw_parse_SOURCES = tests/test-vsw-parse.c
tests_test_vsw_parse_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_parse_LDADD = $(TEST_VSW_LIBS)
check_PROGRAMS += tests/test-vsw-csum
tests_test_vsw_csum_SOURCES = tests/test-vsw-csum.c
tests_test_vsw_csum_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_csum_LDADD = $(TEST_VSW_LIBS)
check_PROGRAMS += tests/test-vsw-lso
tests_test_vsw_lso_SOURCES = tests/test-vsw-lso.c
tests_test_vsw_lso_CPPFLAGS = $(TEST_VSW_CFLAGS)
tests_test_vsw_lso_LDADD = $(TEST_VSW_LIBS)
# The parser fuzz target: its seed corpus runs once under make check
# (tests/fuzz/run-corpus); the libFuzzer binary needs configure
# --enable-fuzzing (clang) and 'make tests/fuzz/fuzz-vsw-parse'.
check_PROGRAMS += tests/fuzz/run-corpus
tests_fuzz_run_corpus_SOURCES = tests/fuzz/run-corpus.c \
	tests/fuzz/fuzz-vsw-parse.c
tests_fuzz_run_corpus_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_run_corpus_LDADD = libvmswitch.la $(LIBS)
EXTRA_PROGRAMS += tests/fuzz/fuzz-vsw-parse
tests_fuzz_fuzz_vsw_parse_SOURCES = tests/fuzz/fuzz-vsw-parse.c \
	vmswitch/packet.c vmswitch/parse.c vmswitch/csum.c vmswitch/offload.c \
	vmswitch/alloc.c
tests_fuzz_fuzz_vsw_parse_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_fuzz_vsw_parse_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_vsw_parse_LDFLAGS = $(FUZZ_CFLAGS)
# The pipeline fuzz target: the same driver replays its corpus.
check_PROGRAMS += tests/fuzz/run-corpus-pipeline
tests_fuzz_run_corpus_pipeline_SOURCES = tests/fuzz/run-corpus.c \
	tests/fuzz/fuzz-vsw-pipeline.c
tests_fuzz_run_corpus_pipeline_CPPFLAGS = $(AM_CPPFLAGS) \
	-DCORPUS_NAME='"vsw-pipeline"'
tests_fuzz_run_corpus_pipeline_LDADD = libvmswitch.la $(LIBS)
EXTRA_PROGRAMS += tests/fuzz/fuzz-vsw-pipeline
tests_fuzz_fuzz_vsw_pipeline_SOURCES = tests/fuzz/fuzz-vsw-pipeline.c \
	vmswitch/alloc.c vmswitch/packet.c vmswitch/parse.c vmswitch/csum.c \
	vmswitch/offload.c vmswitch/fdb.c vmswitch/acl.c vmswitch/qos.c \
	vmswitch/switch.c vmswitch/vlan.c vmswitch/policy.c vmswitch/pipeline.c
tests_fuzz_fuzz_vsw_pipeline_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_fuzz_vsw_pipeline_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_vsw_pipeline_LDFLAGS = $(FUZZ_CFLAGS)
# The replay, units, scenario and compare targets: the same driver
# replays each one's corpus (tests/fuzz/corpus/NAME/) under make check.
check_PROGRAMS += tests/fuzz/run-corpus-replay
tests_fuzz_run_corpus_replay_SOURCES = tests/fuzz/run-corpus.c \
	tests/fuzz/fuzz-replay.c
tests_fuzz_run_corpus_replay_CPPFLAGS = $(AM_CPPFLAGS) $(PCAP_CFLAGS) \
	-DCORPUS_NAME='"replay"'
tests_fuzz_run_corpus_replay_LDADD = libvmswitch.la $(PCAP_LIBS) $(LIBS)
check_PROGRAMS += tests/fuzz/run-corpus-units
tests_fuzz_run_corpus_units_SOURCES = tests/fuzz/run-corpus.c \
	tests/fuzz/fuzz-units.c
tests_fuzz_run_corpus_units_CPPFLAGS = $(AM_CPPFLAGS) -DCORPUS_NAME='"units"'
tests_fuzz_run_corpus_units_LDADD = libsim.la $(LIBS)
check_PROGRAMS += tests/fuzz/run-corpus-scenario
tests_fuzz_run_corpus_scenario_SOURCES = tests/fuzz/run-corpus.c \
	tests/fuzz/fuzz-scenario.c sim/lsim.c sim/lsim-api.c
tests_fuzz_run_corpus_scenario_CPPFLAGS = $(AM_CPPFLAGS) $(LUA_CFLAGS) \
	-DCORPUS_NAME='"scenario"'
tests_fuzz_run_corpus_scenario_LDADD = libmodels.la libsim.la libvmswitch.la \
	$(LUA_LIBS) $(SQLITE_LIBS) $(LIBS)
check_PROGRAMS += tests/fuzz/run-corpus-compare
tests_fuzz_run_corpus_compare_SOURCES = tests/fuzz/run-corpus.c \
	tests/fuzz/fuzz-compare.c sim/compare.c sim/cmpstat.c
tests_fuzz_run_corpus_compare_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS) \
	$(GSL_CFLAGS) -DCORPUS_NAME='"compare"'
tests_fuzz_run_corpus_compare_LDADD = $(SQLITE_LIBS) $(GSL_LIBS) $(LIBS)
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/fuzz-replay.c \
	tests/fuzz/fuzz-units.c tests/fuzz/fuzz-scenario.c \
	tests/fuzz/fuzz-compare.c
# 'make fuzz' and 'make fuzz-smoke' build and run every target: see the
# end of this file.

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

# -- the program: the built-in demo end to end --
TESTS += tests/test-demo.sh
EXTRA_DIST += tests/test-demo.sh

# -- the program: Lua scenarios (run, params, sweep) and broken scenarios --
TESTS += tests/test-cli.sh tests/test-bad-scenarios.sh tests/test-manpage.sh \
	tests/test-vm.sh tests/test-compare.sh tests/test-plot.sh \
	tests/test-report.sh tests/test-timeline.sh \
	tests/test-profiles.sh tests/test-host.sh
EXTRA_DIST += tests/test-cli.sh tests/test-bad-scenarios.sh \
	tests/test-manpage.sh tests/test-profiles.sh tests/test-host.sh \
	tests/test-vm.sh tests/test-compare.sh tests/test-plot.sh \
	tests/test-report.sh tests/test-timeline.sh \
	tests/scenarios

# -- scale-out: merge, sweep --list, resuming sweeps, job arrays, MPI
# (test-mpi.sh skips unless vnetsim was configured --with-mpi) --
TESTS += tests/test-merge.sh tests/test-sweep-list.sh \
	tests/test-sweep-resume.sh tests/test-jobarray.sh tests/test-mpi.sh
EXTRA_DIST += tests/test-merge.sh tests/test-sweep-list.sh \
	tests/test-sweep-resume.sh tests/test-jobarray.sh tests/test-mpi.sh

# -- reliability: sandbox escapes, crash safety and full disks, run limits
# (doc/reliability.md) --
TESTS += tests/test-sandbox-escape.sh tests/test-crash-safety.sh \
	tests/test-limits.sh
EXTRA_DIST += tests/refused.sh tests/test-sandbox-escape.sh tests/test-crash-safety.sh \
	tests/test-limits.sh

# -- vmswitch: vswitch-replay on generated captures (tshark if present) --
if HAVE_PCAP
noinst_PROGRAMS += tests/gen-traffic
tests_gen_traffic_SOURCES = tests/gen-traffic.c
tests_gen_traffic_CPPFLAGS = $(AM_CPPFLAGS) $(PCAP_CFLAGS)
tests_gen_traffic_LDADD = libvmswitch.la $(PCAP_LIBS)
else
EXTRA_DIST += tests/gen-traffic.c
endif
TESTS += tests/test-replay.sh
EXTRA_DIST += tests/test-replay.sh

# -- the program: memory running out is "vnetsim: out of memory", exit 3 --
TESTS += tests/test-oom.sh
EXTRA_DIST += tests/test-oom.sh

# -- fuzzing and thread sanitizer targets --
# Neither needs a configure option: each compiles its program straight from
# the sources with clang and the sanitizer flags, into its own directory of
# the build tree, and skips with a message when clang is missing.  Both
# rely on GNU make ($(filter), $(addprefix)); see configure.ac.
sanitizer_lib_srcs = $(filter %.c,$(libvmswitch_la_SOURCES))

# 'make fuzz' builds every libFuzzer target in FUZZ_TARGETS with
# $(FUZZ_CC) -fsanitize=fuzzer,address,undefined into tests/fuzz/bin/
# (objects in tests/fuzz/obj/, rebuilt when any header changes), copies
# its seed corpus tests/fuzz/corpus/NAME/ into tests/fuzz/work/NAME/
# (build tree; earlier findings there are kept) and runs it on that copy
# for $(FUZZ_SECONDS) seconds.  New inputs stay in the copy, crash inputs
# go to tests/fuzz/work/NAME-crash-*; the source corpus is never written.
# A finding (crash, leak, sanitizer report, an input slower than
# FUZZ_TIMEOUT seconds, more than 2 GiB) fails the target.
# Example: make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS=scenario
# 'make fuzz-smoke' is the same for FUZZ_SMOKE_SECONDS each (CI).
FUZZ_CC = clang
FUZZ_SECONDS = 30
FUZZ_SMOKE_SECONDS = 20
FUZZ_TIMEOUT = 10
FUZZ_TARGETS = vsw-parse vsw-pipeline replay units scenario compare
FUZZ_FLAGS = -std=c11 -g -O1 -ffp-contract=off \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CPPFLAGS = -I$(top_builddir) -I$(top_srcdir) $(LUA_CFLAGS) \
	$(SQLITE_CFLAGS) $(PCAP_CFLAGS) $(NETTLE_CFLAGS) $(GSL_CFLAGS)
FUZZ_OBJ = tests/fuzz/obj
fuzz_objs = $(addprefix $(FUZZ_OBJ)/,$(patsubst %.c,%.o,$(filter %.c,$(1))))
# What each target links besides its own file.
fuzz_vmswitch_srcs = $(sanitizer_lib_srcs)
fuzz_sim_srcs = $(filter %.c,$(libsim_la_SOURCES))
fuzz_models_srcs = $(filter %.c,$(libmodels_la_SOURCES)) \
	$(nodist_libmodels_la_SOURCES)
FUZZ_SRCS_vsw_parse = $(fuzz_vmswitch_srcs)
FUZZ_SRCS_vsw_pipeline = $(fuzz_vmswitch_srcs)
FUZZ_SRCS_replay = $(fuzz_vmswitch_srcs)
FUZZ_SRCS_units = sim/units.c sim/suggest.c
FUZZ_SRCS_scenario = sim/lsim.c sim/lsim-api.c $(fuzz_models_srcs) \
	$(fuzz_sim_srcs) $(fuzz_vmswitch_srcs)
FUZZ_SRCS_compare = sim/compare.c sim/cmpstat.c
FUZZ_LIBS_replay = $(PCAP_LIBS)
FUZZ_LIBS_scenario = $(LUA_LIBS) $(SQLITE_LIBS) $(PCAP_LIBS) -lm -lpthread
FUZZ_LIBS_compare = $(SQLITE_LIBS) $(GSL_LIBS) -lm
FUZZ_BINS = $(FUZZ_TARGETS:%=tests/fuzz/bin/fuzz-%)
fuzz_headers = $(wildcard $(top_srcdir)/sim/*.h $(top_srcdir)/vmswitch/*.h \
	$(top_srcdir)/models/*.h) $(top_builddir)/config.h
fuzz_compile = $(MKDIR_P) $(@D) && \
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_CPPFLAGS) -c $< -o $@
fuzz_link = $(MKDIR_P) $(@D) && $(FUZZ_CC) $(FUZZ_FLAGS) $^ -o $@
$(FUZZ_OBJ)/%.o: $(top_srcdir)/%.c $(fuzz_headers)
	$(AM_V_CC)$(fuzz_compile)
$(FUZZ_OBJ)/%.o: %.c $(fuzz_headers)
	$(AM_V_CC)$(fuzz_compile)
# The replay target includes vmswitch/replay.c.
$(FUZZ_OBJ)/tests/fuzz/fuzz-replay.o: $(top_srcdir)/vmswitch/replay.c
tests/fuzz/bin/fuzz-vsw-parse: $(call fuzz_objs,tests/fuzz/fuzz-vsw-parse.c $(FUZZ_SRCS_vsw_parse))
	$(AM_V_CCLD)$(fuzz_link)
tests/fuzz/bin/fuzz-vsw-pipeline: $(call fuzz_objs,tests/fuzz/fuzz-vsw-pipeline.c $(FUZZ_SRCS_vsw_pipeline))
	$(AM_V_CCLD)$(fuzz_link)
tests/fuzz/bin/fuzz-replay: $(call fuzz_objs,tests/fuzz/fuzz-replay.c $(FUZZ_SRCS_replay))
	$(AM_V_CCLD)$(fuzz_link) $(FUZZ_LIBS_replay)
tests/fuzz/bin/fuzz-units: $(call fuzz_objs,tests/fuzz/fuzz-units.c $(FUZZ_SRCS_units))
	$(AM_V_CCLD)$(fuzz_link)
tests/fuzz/bin/fuzz-scenario: $(call fuzz_objs,tests/fuzz/fuzz-scenario.c $(FUZZ_SRCS_scenario))
	$(AM_V_CCLD)$(fuzz_link) $(FUZZ_LIBS_scenario)
tests/fuzz/bin/fuzz-compare: $(call fuzz_objs,tests/fuzz/fuzz-compare.c $(FUZZ_SRCS_compare))
	$(AM_V_CCLD)$(fuzz_link) $(FUZZ_LIBS_compare)
.PHONY: fuzz fuzz-smoke fuzz-bins
fuzz-bins: $(FUZZ_BINS)
fuzz-smoke:
	@$(MAKE) $(AM_MAKEFLAGS) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)
fuzz:
	@if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
	  echo "make fuzz: $(FUZZ_CC) not found, skipped (set FUZZ_CC)"; \
	  exit 0; \
	fi; \
	$(MAKE) $(AM_MAKEFLAGS) fuzz-bins || exit 1; \
	for t in $(FUZZ_TARGETS); do \
	  bin=tests/fuzz/bin/fuzz-$$t; work=tests/fuzz/work/$$t; \
	  $(MKDIR_P) $$work && \
	  cp $(top_srcdir)/tests/fuzz/corpus/$$t/* $$work/ && \
	  chmod u+w $$work/* || exit 1; \
	  echo "make fuzz: running $$bin for $(FUZZ_SECONDS) s on $$work" \
	    "(`ls $$work | wc -l` inputs)"; \
	  $$bin -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	    -rss_limit_mb=2048 -close_fd_mask=2 -print_final_stats=1 \
	    -artifact_prefix=$$work-crash- $$work 2>$$work.log; \
	  rc=$$?; \
	  if test $$rc -ne 0; then \
	    tail -n 40 $$work.log; \
	    echo "make fuzz: fuzz-$$t FAILED (exit $$rc), see $$work.log"; \
	    exit 1; \
	  fi; \
	  echo "make fuzz: fuzz-$$t: no finding;" \
	    "`grep '^Done' $$work.log`" \
	    "(`sed -n 's/^stat::average_exec_per_sec: *//p' $$work.log`" \
	    "exec/s); corpus copy now `ls $$work | wc -l` inputs;" \
	    "log $$work.log"; \
	done

# 'make check-tsan' builds tests/test-vsw-threads.c and every libvmswitch
# source with $(TSAN_CC) -fsanitize=thread into tests/tsan/ and runs it;
# any race report fails the target (exit 66).
TSAN_CC = clang
tsan_srcs = $(sanitizer_lib_srcs) tests/test-vsw-threads.c
.PHONY: check-tsan
check-tsan:
	@command -v $(TSAN_CC) >/dev/null 2>&1 || \
	  { echo "check-tsan: $(TSAN_CC) not found, skipped"; exit 0; }; \
	$(MKDIR_P) tests/tsan && \
	$(TSAN_CC) -std=c11 -g -O1 -fsanitize=thread -I$(top_builddir) \
	  -I$(top_srcdir) $(CUNIT_CFLAGS) \
	  $(addprefix $(top_srcdir)/,$(tsan_srcs)) \
	  -o tests/tsan/test-vsw-threads $(CUNIT_LIBS) -lpthread && \
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
	  tests/tsan/test-vsw-threads && echo "check-tsan: no data race reported"

# 'make check-valgrind': the quickstart's short form and compare under
# valgrind's memcheck (tests/valgrind.sh); any memory error or definitely
# lost block fails.  Not in make check (about 15 s).
EXTRA_DIST += tests/valgrind.sh
.PHONY: check-valgrind
check-valgrind: all
	@top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  $(SHELL) $(srcdir)/tests/valgrind.sh

# 'make check-determinism-builds': vnetsim built four ways from the
# tarball (gcc -O0 and -O2, clang -O2, clang with ASan and UBSan) must give
# the same fingerprints and numbers on the quickstart and nic-compare
# (scripts/determinism-builds).  Several minutes: not in make check.
EXTRA_DIST += scripts/determinism-builds
.PHONY: check-determinism-builds
check-determinism-builds:
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  SQLITE3='$(SQLITE3)' $(SHELL) $(srcdir)/scripts/determinism-builds

# The sanitizer builds are directories, which CLEANFILES cannot remove.
clean-local: clean-sanitizers
.PHONY: clean-sanitizers
clean-sanitizers:
	-rm -rf tests/tsan tests/fuzz/bin tests/fuzz/obj tests/fuzz/work \
	  _build/determinism

TESTS += $(check_PROGRAMS)

# -- the flagship scenarios, short form, against their golden files --
TESTS += tests/golden.sh
EXTRA_DIST += tests/golden.sh tests/golden
.PHONY: update-golden
update-golden: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	SQLITE3='$(SQLITE3)' $(SHELL) $(srcdir)/tests/golden.sh update
