#!/bin/sh
# test-demo.sh -- "vnetsim demo" end to end: the M/M/1 workload agrees with
# queueing theory, records a complete run, is deterministic (same seed:
# same fingerprint and byte-identical scalar rows; another seed: another
# fingerprint), and rejects bad input with a one-line error and exit 2.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-demo-XXXXXX)
trap 'rm -rf "$dir"' EXIT
db="$dir/demo.db"
fail() { echo "FAIL: $*"; exit 1; }

run() { "$vnetsim" demo --quiet -o "$db" --until-us 300000 "$@"; }
run --seed 7 || fail "demo run exited $?"
run --seed 7 || fail "second demo run exited $?"
run --seed 8 || fail "third demo run exited $?"

q() { "$sqlite" "$db" "$1"; }
attr() { q "SELECT attrValue FROM runAttr WHERE runId=$1 AND attrName='$2'"; }
scalar() { q "SELECT scalarValue FROM scalar WHERE runId=$1 AND scalarName='$2'"; }

[ "$(q 'SELECT count(*) FROM run')" = 3 ] || fail "expected 3 runs"
for r in 1 2 3; do
    [ "$(attr $r status)" = complete ] || fail "run $r not complete"
done
[ "$(q 'SELECT DISTINCT simtimeExp FROM run')" = -12 ] || fail "simtimeExp"

# Theory: rho = 0.8, L = 4, W = 5000 ns.  Tolerances are several standard
# errors for 300 ms of simulated time.
awk -v u="$(scalar 1 utilization)" -v l="$(scalar 1 inSystem)" \
    'BEGIN { exit !(u > 0.78 && u < 0.82 && l > 3.6 && l < 4.4) }' ||
    fail "M/M/1 disagrees with theory: util=$(scalar 1 utilization) L=$(scalar 1 inSystem)"

# Determinism: runs 1 and 2 are identical, run 3 differs.
[ "$(attr 1 fingerprint)" = "$(attr 2 fingerprint)" ] || fail "same seed, different fingerprint"
[ "$(attr 1 fingerprint)" != "$(attr 3 fingerprint)" ] || fail "different seed, same fingerprint"
rows() { q "SELECT moduleName, scalarName, quote(scalarValue) FROM scalar WHERE runId=$1 ORDER BY scalarId"; }
[ "$(rows 1)" = "$(rows 2)" ] || fail "same seed, different scalar rows"
vec() { q "SELECT group_concat(simtimeRaw || ':' || quote(value)) FROM vectorData JOIN vector USING (vectorId) WHERE runId=$1"; }
[ "$(vec 1)" = "$(vec 2)" ] || fail "same seed, different vector rows"
[ -n "$(vec 1)" ] || fail "no series recorded"

# Bad input: one line on stderr, exit 2, nothing written.
before=$(q 'SELECT count(*) FROM run')
set +e
err=$("$vnetsim" demo -o "$db" --rho 1.5 2>&1 >/dev/null); rc=$?
set -e
[ "$rc" = 2 ] || fail "--rho 1.5 exited $rc, expected 2"
[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || fail "error is not one line: $err"
case "$err" in *"'1.5'"*) ;; *) fail "error does not name the value: $err" ;; esac
[ "$(q 'SELECT count(*) FROM run')" = "$before" ] || fail "a bad command wrote a run"

# An unwritable database path: exit 3 with the path in the message.
set +e
err=$("$vnetsim" demo --quiet -o "$dir/missing/dir/x.db" 2>&1); rc=$?
set -e
[ "$rc" = 3 ] || fail "bad path exited $rc, expected 3"
case "$err" in *"$dir/missing/dir/x.db"*) ;; *) fail "error lacks the path: $err" ;; esac

# --show prints the runs.
"$vnetsim" demo --show -o "$db" | grep -q "complete" || fail "--show"
echo "PASS: demo agrees with theory, deterministic, bad input rejected"
