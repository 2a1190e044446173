-- expect: 3: profile.load: no profile 'xeon-2105' \(did you mean 'xeon-2015'\?\)
-- A misspelt platform profile.
local prof = profile.load("xeon-2105")
