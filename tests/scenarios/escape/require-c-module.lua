-- expect: 3: require: module 'lsqlite3' not found \(looked for \./lsqlite3\.lua
-- A C module name resolves to NAME.lua only, never a shared object.
require("lsqlite3")
