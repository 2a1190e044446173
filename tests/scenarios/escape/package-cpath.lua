-- expect: 3: attempt to index a nil value \(global 'package'\)
-- No package table: no cpath, no searchers.
package.cpath = "/tmp/?.so"
