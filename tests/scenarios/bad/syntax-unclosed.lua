-- expect: 4: '}' expected \(to close '\{' at line 3\) near <eof>
-- The table is never closed.
sim.config { duration = "1ms"
