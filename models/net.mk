# models/net.mk -- (to be filled in by the net model).
