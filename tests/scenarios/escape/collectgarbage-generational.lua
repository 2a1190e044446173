-- expect: 3: collectgarbage\('generational'\) is not allowed in a scenario \(allowed: collect, count, step, isrun
-- Switching the collector's mode is refused.
collectgarbage("generational")
