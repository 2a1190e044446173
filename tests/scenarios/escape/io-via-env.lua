-- expect: 3: attempt to index a nil value \(global 'io'\)
-- Nor io through _ENV.
local f = _ENV.io.open("/etc/passwd")
