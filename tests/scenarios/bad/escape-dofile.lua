-- expect: 3: dofile is not available in a scenario \(use require\)
-- dofile reads any file: refused.
dofile("/etc/passwd")
