-- expect: 4: -p x=1: the scenario declares no parameters
-- args: -p x=1
-- Run with -p x=1, but nothing is declared.
sim.config { duration = "1ms" }
