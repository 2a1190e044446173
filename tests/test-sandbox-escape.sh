#!/bin/sh
# test-sandbox-escape.sh -- every attempt to get out of the scenario
# sandbox in tests/scenarios/escape/ is refused cleanly by "vnetsim run":
#   * exit status 1 (not 0, not a signal, not an internal error),
#   * exactly one line on stderr, "FILE:LINE: message" (or "FILE: message"
#     when no line applies) matching the pattern of the "-- expect:" line,
#   * no run marked complete in the results database,
#   * nothing written outside the test's directory (/tmp/vnetsim-escaped).
# A scenario may give extra command-line arguments in a "-- args:" line.
# Under the sanitizer build any sanitizer report adds lines to stderr, so
# a memory error or a leak fails the one-line check.  The corpus covers:
# os/io/debug/package, load of bytecode, loadstring/loadfile/dofile,
# string.dump, require outside the allowed places, collectgarbage,
# metatables of handles, finalizers and __close, coroutines and
# callbacks, error objects, endless loops, recursion and memory.
# The checks are in tests/refused.sh.
exec sh "${top_srcdir:-.}/tests/refused.sh" escape 40 "escape attempts"
