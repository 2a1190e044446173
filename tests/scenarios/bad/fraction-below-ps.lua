-- expect: 3: sim.config: field 'duration': .*'0.5ps'.*whole number
-- Half a picosecond cannot be represented.
sim.config { duration = "0.5ps" }
