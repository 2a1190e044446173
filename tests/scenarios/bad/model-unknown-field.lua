-- expect: 5: apic.new: unknown field 'cpus' \(did you mean 'cpu'\?\)
-- A misspelt field of a model constructor.
local prof = profile.load("xeon-2015")
local c = cpu.new { lps = 2, profile = prof }
local a = apic.new { cpus = c, profile = prof }
