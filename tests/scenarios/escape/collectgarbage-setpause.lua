-- expect: 3: collectgarbage\('setpause'\) is not allowed in a scenario \(allowed: collect, count, step, isrunning
-- Tuning the collector (5.3 names) is refused.
collectgarbage("setpause", 1000)
