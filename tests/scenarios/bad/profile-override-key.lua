-- expect: 3: profile.load: profile xeon-2015.cpu has no 'eoi_cylces' \(did you mean 'eoi_cycles'\?\)
-- An override of a cost the profile does not have.
local prof = profile.load("xeon-2015", { cpu = { eoi_cylces = 300 } })
