-- expect: 3: require: module name 'lib\.\.binmod' is not allowed \(use letters, digits, '_' and '\.', as in 'lib\.t
-- Empty components ('a..b') are refused.
require("lib..binmod")
