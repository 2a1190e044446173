# models/vmbus.mk -- (to be filled in by the vmbus model).
