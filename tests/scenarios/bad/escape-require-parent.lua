-- expect: 3: require: module name '..secret' is not allowed
-- ... and no way up the tree.
require("..secret")
