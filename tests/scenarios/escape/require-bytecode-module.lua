-- expect: 3: require: module 'lib\.binmod' \(\./lib/binmod\.lua\): attempt to load a binary chunk \(mode is 't'\)
-- A module file that holds bytecode is refused like a scenario.
require("lib.binmod")
