-- expect: 3: attempt to index a nil value \(global 'package'\)
-- No package library, so no loadlib.
package.loadlib("libc.so.6", "system")
