# models/synic.mk -- (to be filled in by the synic model).
