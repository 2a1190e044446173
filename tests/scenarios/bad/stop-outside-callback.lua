-- expect: 3: sim.stop: only a sim.at or sim.every callback can stop the run
-- sim.stop() while building.
sim.stop()
