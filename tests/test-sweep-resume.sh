#!/bin/sh
# test-sweep-resume.sh -- "vnetsim sweep -o OUT.db" leaves out the runs
# OUT.db already holds complete, and only those:
#   * a sweep run again adds no run and says so;
#   * a sweep that lost runs (deleted here; a failed or killed run is not
#     complete either) makes exactly the missing ones, and the result
#     equals a fresh sweep for "vnetsim compare";
#   * another parameter value, another --until, another --seed or a
#     changed scenario text are other runs: they are made.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-resume-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
count() { "$sqlite" "$1" "SELECT count(*) FROM run"; }
cp "$src/scenarios/mm1.lua" "$dir/mm1.lua"
mm1="$dir/mm1.lua"
db="$dir/s.db"

"$vnetsim" sweep --quiet -j 2 -p length=20ms -o "$db" "$mm1"
[ "$(count "$db")" = 6 ] || fail "first sweep: $(count "$db") runs"
"$vnetsim" sweep -j 2 -p length=20ms -o "$db" "$mm1" > "$dir/out"
grep -q "^sweep: 6 of the 6 selected runs are already complete in $db: not run again$" "$dir/out" || fail "rerun report: $(cat "$dir/out")"
grep -q "^sweep done: 0 of 0 runs, .* 6 already complete" "$dir/out" || fail "rerun summary: $(cat "$dir/out")"
[ "$(count "$db")" = 6 ] || fail "rerun added runs: $(count "$db")"

# lose runs 1 and 4 (one failed, one killed half-way)
"$sqlite" "$db" "PRAGMA foreign_keys = ON;
UPDATE runAttr SET attrValue = 'failed' WHERE attrName = 'status' AND runId = (SELECT runId FROM runAttr WHERE attrName = 'runnumber' AND attrValue = '1');
UPDATE runAttr SET attrValue = 'running' WHERE attrName = 'status' AND runId = (SELECT runId FROM runAttr WHERE attrName = 'runnumber' AND attrValue = '4')"
"$vnetsim" sweep -j 2 -p length=20ms -o "$db" "$mm1" > "$dir/out"
grep -q "^sweep: 4 of the 6 selected runs are already complete" "$dir/out" || fail "resume report: $(cat "$dir/out")"
[ "$(grep -c '^\[[0-9]/2\] run [14] ' "$dir/out")" = 2 ] || fail "resume did not make runs 1 and 4: $(cat "$dir/out")"
[ "$(count "$db")" = 8 ] || fail "resume: $(count "$db") runs, expected 6 + 2"
# the complete runs alone equal a fresh sweep
"$sqlite" "$db" "PRAGMA foreign_keys = ON; DELETE FROM run WHERE runId IN (SELECT runId FROM runAttr WHERE attrName = 'status' AND attrValue != 'complete')"
"$vnetsim" sweep --quiet -j 2 -p length=20ms -o "$dir/fresh.db" "$mm1"
"$vnetsim" compare "$dir/fresh.db" "$db" > "$dir/out" || { cat "$dir/out"; fail "resumed sweep differs from a fresh one"; }

# other runs are made
"$vnetsim" sweep --quiet -j 2 -p length=10ms -r 0 -o "$db" "$mm1"
[ "$(count "$db")" = 7 ] || fail "another -p value was skipped"
"$vnetsim" sweep --quiet -j 2 -p length=20ms --until 15ms -r 0 -o "$db" "$mm1"
[ "$(count "$db")" = 8 ] || fail "another --until was skipped"
"$vnetsim" sweep --quiet -j 2 -p length=20ms --seed 9 -r 0 -o "$db" "$mm1"
[ "$(count "$db")" = 9 ] || fail "another --seed was skipped"
# each of them, run again, is skipped
"$vnetsim" sweep --quiet -j 2 -p length=10ms -r 0 -o "$db" "$mm1"
"$vnetsim" sweep --quiet -j 2 -p length=20ms --until 15ms -r 0 -o "$db" "$mm1"
"$vnetsim" sweep --quiet -j 2 -p length=20ms --seed 9 -r 0 -o "$db" "$mm1"
[ "$(count "$db")" = 9 ] || fail "a run made again: $(count "$db") runs, expected 9"
echo "-- an edit" >> "$mm1"
"$vnetsim" sweep --quiet -j 2 -p length=20ms -r 0 -o "$db" "$mm1"
[ "$(count "$db")" = 10 ] || fail "a changed scenario was skipped"
echo "test-sweep-resume: all checks passed"
