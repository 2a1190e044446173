-- expect: 3: attempt to index a nil value \(global 'os'\)
-- No os library in a scenario.
os.execute("touch /tmp/vnetsim-escaped")
