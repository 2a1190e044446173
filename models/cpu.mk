# models/cpu.mk -- (to be filled in by the cpu model).
