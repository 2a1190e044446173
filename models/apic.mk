# models/apic.mk -- the interrupt-controller model: local APICs, the IOAPIC,
# MSI/MSI-X and VT-d interrupt remapping (models/apic.h,
# doc/models.md section 3).  No Lua binding yet.

libmodels_la_SOURCES += models/apic.h models/apic.c

check_PROGRAMS += tests/test-apic
tests_test_apic_SOURCES = tests/test-apic.c
tests_test_apic_CPPFLAGS = $(TEST_MODEL_CFLAGS)
tests_test_apic_LDADD = $(TEST_MODEL_LIBS)
