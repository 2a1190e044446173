# models/cpu.mk -- the processor model: logical processors running
# interrupt, DPC and thread work with exact preemption and accounting
# (models/cpu.h, doc/models.md section 2).

libmodels_la_SOURCES += models/cpu.h models/cpu.c

check_PROGRAMS += tests/test-cpu
tests_test_cpu_SOURCES = tests/test-cpu.c
tests_test_cpu_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_cpu_LDADD = $(TEST_MODEL_LIBS)

