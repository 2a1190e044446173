-- expect: 3: sim.config: unexpected positional value #1
-- Fields are named.
sim.config { "1ms" }
