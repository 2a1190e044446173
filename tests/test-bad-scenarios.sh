#!/bin/sh
# test-bad-scenarios.sh -- every broken scenario in tests/scenarios/bad/ is
# refused cleanly by "vnetsim run":
#   * exit status 1 (a scenario or input error: not 0, not a crash or a
#     signal, not an internal error),
#   * exactly one line on stderr, "FILE:LINE: message" matching the
#     pattern in the scenario's "-- expect:" line (or NAME.expect),
#   * no run marked complete in the results database.
# A scenario may give extra command-line arguments in a "-- args:" line.
# Under the sanitizer build, any sanitizer report adds lines to stderr and
# so fails the one-line check.  The checks are in tests/refused.sh.
exec sh "${top_srcdir:-.}/tests/refused.sh" bad 30 "bad scenarios"
