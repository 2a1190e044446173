# models/apic.mk -- (to be filled in by the apic model).
