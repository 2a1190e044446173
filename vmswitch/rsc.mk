# vmswitch/rsc.mk -- (to be filled in: receive segment coalescing).
