-- expect: 3: sim.config: field 'duration' must be a time such as '5us' or an integer of ps, got boolean
-- A boolean where a time belongs.
sim.config { duration = true }
