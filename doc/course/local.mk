# doc/course/local.mk -- the course: labs (doc/course/*.md), their
# scenarios (scenarios/course/*.lua) and figures (doc/course/figures/).
#
# `make course-figures` runs the lab scenarios and redraws every figure
# into doc/course/figures/ in the source tree (the PNGs are committed, so
# the labs show them on a code host); the databases, plot data and gnuplot
# scripts stay in results/course/.  tests/test-course.sh runs every lab's
# short form in make check and checks that each figure a lab shows exists
# and is one this target draws.
COURSE_DOCS = doc/course/README.md doc/course/answers.md \
	doc/course/lab1-des.md doc/course/lab2-interrupts.md \
	doc/course/lab3-exits.md doc/course/lab4-vmbus.md \
	doc/course/lab5-rss.md doc/course/lab6-vmq.md \
	doc/course/lab7-switch.md doc/course/lab8-offloads.md
COURSE_SCENARIOS = scenarios/course/lab1-des.lua \
	scenarios/course/lab2-interrupts.lua scenarios/course/lab3-exits.lua \
	scenarios/course/lab4-vmbus.lua scenarios/course/lab5-rss.lua \
	scenarios/course/lab6-vmq.lua scenarios/course/lab7-switch.lua \
	scenarios/course/lab8-offloads.lua
coursescenariosdir = $(pkgdatadir)/scenarios/course
dist_coursescenarios_DATA = $(COURSE_SCENARIOS)
EXTRA_DIST += $(COURSE_DOCS) doc/course/make-figures doc/course/figures

TESTS += tests/test-course.sh
EXTRA_DIST += tests/test-course.sh

.PHONY: course-figures
course-figures: all
	@echo "== course figures (doc/course/figures/) =="
	@VNETSIM=$(abs_builddir)/vnetsim SQLITE3=$(SQLITE3) GNUPLOT='$(GNUPLOT)' \
	    SRCDIR=$(abs_srcdir) WORK=results/course \
	    $(SHELL) $(srcdir)/doc/course/make-figures $(abs_srcdir)/doc/course/figures
