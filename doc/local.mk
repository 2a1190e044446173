# doc/local.mk -- documentation shipped in the tarball.
EXTRA_DIST += doc/README.md doc/engine.md doc/vmswitch.md doc/lua-api.md \
	doc/units.md doc/sweeps.md doc/tracing.md doc/models.md \
	doc/validation.md doc/scenarios.md doc/analysis.md \
	doc/reliability.md
