-- expect: 3: attempt to index a nil value \(global 'io'\)
-- No io library in a scenario.
local f = io.open("/etc/passwd")
