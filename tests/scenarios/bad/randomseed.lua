-- expect: 3: math.randomseed is not available
-- The run's seed decides math.random.
math.randomseed(42)
