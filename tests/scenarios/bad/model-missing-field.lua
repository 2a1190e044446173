-- expect: 3: cpu.new: missing required field 'lps'
-- A model constructor without a required field.
local c = cpu.new { profile = profile.load("xeon-2015") }
