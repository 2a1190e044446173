-- expect: 3: bad argument #1 to 'collectgarbage' \(string expected, got table\)
-- A non-string option is an error, not a crash.
collectgarbage({})
