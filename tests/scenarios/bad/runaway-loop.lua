-- expect: 4: scenario code ran more than [0-9]+ Lua instructions without returning \(an endless loop\?\)
-- A loop that never ends.
local n = 0
while true do n = n + 1 end
