# scripts/local.mk -- helper scripts shipped in the tarball.
EXTRA_DIST += scripts/bootstrap scripts/demo-plots
