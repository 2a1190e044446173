-- expect: 3: sim.config: field 'duration': .*did you mean 'ms'
-- Units are case-sensitive: MS is not ms.
sim.config { duration = "5MS" }
