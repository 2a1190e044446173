-- expect: 3: loadfile is not available in a scenario \(use require\)
-- loadfile reads any file: refused.
local f = loadfile("/etc/passwd")
