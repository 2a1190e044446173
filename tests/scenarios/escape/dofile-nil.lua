-- expect: 3: dofile is not available in a scenario \(use require\)
-- dofile() with no name would read stdin: refused too.
dofile()
