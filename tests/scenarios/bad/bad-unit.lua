-- expect: 3: sim.config: field 'duration': .*'10sec'
-- 'sec' is not a time unit.
sim.config { duration = "10sec" }
