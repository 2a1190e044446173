# models/tulip.mk -- (to be filled in by the tulip model).
