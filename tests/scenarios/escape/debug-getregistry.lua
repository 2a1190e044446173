-- expect: 3: attempt to index a nil value \(global 'debug'\)
-- No debug library, so no registry and no upvalue tricks.
local reg = debug.getregistry()
