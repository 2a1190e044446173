-- expect: 3: attempt to index a nil value \(global 'debug'\)
-- No debug library.
debug.sethook()
