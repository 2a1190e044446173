-- expect: 7: inner callback failed
-- A callback that resumes a coroutine that registers a callback and fails
-- inside it: the error comes back as the callback's error.
sim.config { duration = "1ms" }
sim.at("1us", function()
  local co = coroutine.wrap(function()
    sim.at("2us", function() error("inner callback failed") end)
    coroutine.yield()
  end)
  co()
end)
