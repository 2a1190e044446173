# bench/local.mk -- benchmarks.  They print figures and never fail on speed;
# "make bench" builds and runs them all, "make demo" runs bench/hold.

# -- bench/hold: the classic hold model on the engine's public API --

# -- bench/vswitch: frames per second through libvmswitch --
