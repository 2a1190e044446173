-- expect: 3: profile.load: xeon-2015.cpu is a section; override it with a table, got a number
-- Overriding a whole section with a number.
local prof = profile.load("xeon-2015", { cpu = 3 })
