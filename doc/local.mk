# doc/local.mk -- documentation shipped in the tarball, its figures, and
# the documentation check.
EXTRA_DIST += doc/README.md doc/engine.md doc/vmswitch.md doc/lua-api.md \
	doc/units.md doc/sweeps.md doc/tracing.md doc/models.md \
	doc/validation.md doc/scenarios.md doc/analysis.md \
	doc/architecture.md doc/glossary.md doc/cli.md doc/vmswitch-rsc.md \
	doc/cluster.md doc/parallel.md doc/reliability.md

# Figures: Graphviz sources and the SVG files rendered from them.  The
# SVGs are committed (so the Markdown shows them on a code host);
# "make doc" re-renders them into the source tree, and scripts/check-docs
# fails when one differs from what its source renders now.
DOC_DIAGRAMS = doc/diagrams/layers doc/diagrams/rx-synthetic \
	doc/diagrams/rx-legacy doc/diagrams/tx doc/diagrams/vmq
EXTRA_DIST += $(DOC_DIAGRAMS:=.dot) $(DOC_DIAGRAMS:=.svg)
DOT = dot
LUA_PROG = lua5.4

.PHONY: doc check-docs
doc:
	@for d in $(DOC_DIAGRAMS); do \
	    $(DOT) -Tsvg $(srcdir)/$$d.dot > $(srcdir)/$$d.svg.tmp && \
	    mv -f $(srcdir)/$$d.svg.tmp $(srcdir)/$$d.svg || exit 1; \
	    echo "  DOT      $$d.svg"; \
	done

# Runs every ```sh block of README.md and doc/**/*.md, resolves every
# link, checks the figures and the reference tables (scripts/check-docs).
check-docs: all
	$(LUA_PROG) $(srcdir)/scripts/check-docs --srcdir $(srcdir) \
	    --builddir $(builddir)

EXTRA_DIST += scripts/check-docs tests/test-docs.sh
TESTS += tests/test-docs.sh

# vswitch-replay(1), installed with the tool (built when libpcap is found).
if HAVE_PCAP
man_MANS = doc/vswitch-replay.1
endif
EXTRA_DIST += doc/vswitch-replay.1
