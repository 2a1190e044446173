-- expect: 4: attempt to index a nil value \(local 'os_'\)
-- The os library is not reachable through _G or rawget either.
local os_ = rawget(_G, "os") or _G["os"]
os_.exit(0)
