-- expect: 5: sim\.metric: missing required field 'description'
-- A constructor table whose __index calls the API again: fields are read
-- raw, so the metamethod never runs and the missing field is reported.
sim.config { duration = "1us" }
sim.metric(setmetatable({ name = "x", kind = "counter" }, { __index = function(t, k)
  sim.metric { name = "y" .. k, kind = "counter", description = "d" }
  return "d"
end }))
