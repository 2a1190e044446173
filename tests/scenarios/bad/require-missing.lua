-- expect: 3: require: module 'nosuch.module' not found
-- A module that is not there.
require("nosuch.module")
