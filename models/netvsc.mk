# models/netvsc.mk -- (to be filled in by the netvsc model).
