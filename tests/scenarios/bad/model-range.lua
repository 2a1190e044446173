-- expect: 3: cpu.new: field 'lps' .*0.*
-- Zero processors.
local c = cpu.new { lps = 0, profile = profile.load("xeon-2015") }
