-- expect: 3: require: module name 'lib/\.\./\.\./etc/passwd' is not allowed \(use letters, digits, '_' and '\.', as 
-- A path inside a module name is refused.
require("lib/../../etc/passwd")
