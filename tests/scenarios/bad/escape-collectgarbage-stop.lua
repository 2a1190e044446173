-- expect: 3: collectgarbage\('stop'\) is not allowed
-- Stopping the collector is refused.
collectgarbage("stop")
