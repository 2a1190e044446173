-- expect: 3: require: module name '/etc/passwd' is not allowed
-- require takes module names, not paths.
require("/etc/passwd")
