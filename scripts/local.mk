# scripts/local.mk -- helper scripts shipped in the tarball.
EXTRA_DIST += scripts/bootstrap scripts/demo-plots

# The scripts behind vnetsim's own commands ("vnetsim plot", "vnetsim
# report"), installed where sim/script.c looks for them.
dist_pkglibexec_SCRIPTS = scripts/vnetsim-plot scripts/vnetsim-report
# ... and what they source (not executable on its own).
scriptlibdir = $(pkglibexecdir)
dist_scriptlib_DATA = scripts/vnetsim-db.sh
