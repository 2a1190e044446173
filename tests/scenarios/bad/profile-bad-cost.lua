-- expect: 4: profile 'xeon-2015' section 'cpu': field 'eoi_cycles' must be an integer.*
-- A cost overridden with a value of the wrong kind.
local prof = profile.load("xeon-2015", { cpu = { eoi_cycles = "fast" } })
local c = cpu.new { lps = 2, profile = prof }
