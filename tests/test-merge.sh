#!/bin/sh
# test-merge.sh -- "vnetsim merge OUT.db IN.db..." end to end, on the
# M/M/1 sweep of scenarios/mm1.lua (6 runs, 20 ms each):
#   * the two halves of a sweep merged equal the whole sweep for
#     "vnetsim compare" (exit 0), and OUT holds every row of every table
#     of both inputs (the rows compared one by one, run by run);
#   * merging the same file again, or the whole sweep made by another
#     process, adds nothing ("already present");
#   * the same run with another fingerprint is a conflict: exit 1, one
#     line naming both files, and nothing of that input merged, while the
#     inputs before it stay merged;
#   * a complete run replaces an incomplete (half-written) one, and an
#     incomplete run is not copied over a complete one;
#   * a merge killed half-way (kill -9) leaves OUT as it was, whole, and
#     merging again then copies the run;
#   * a missing file, a text file, another SQLite database, OUT itself as
#     an input, and a bad command line are refused with one line.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-merge-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
q() { "$sqlite" "$1" "$2"; }
# expect CODE CMD...: runs CMD, keeps stdout in $dir/out and stderr in
# $dir/err, and checks the exit code.
expect() {
    want=$1; shift
    set +e
    "$@" > "$dir/out" 2> "$dir/err"
    got=$?
    set -e
    [ "$got" = "$want" ] || { cat "$dir/out" "$dir/err"; fail "exit $got, expected $want: $*"; }
}
# rows DB: every row of every table, with runName in place of runId and
# without the ids SQLite assigned, sorted: two files hold the same runs
# with the same rows exactly when their dumps are equal.
rows() {
    q "$1" "
SELECT 'run', runName, simtimeExp FROM run;
SELECT 'attr', r.runName, attrName, attrValue FROM runAttr JOIN run r USING (runId);
SELECT 'itervar', r.runName, itervarName, itervarValue FROM runItervar JOIN run r USING (runId);
SELECT 'config', r.runName, configKey, configValue, configOrder FROM runConfig JOIN run r USING (runId);
SELECT 'param', r.runName, p.moduleName, p.paramName, p.paramValue, a.attrName, a.attrValue
  FROM parameter p JOIN run r USING (runId) LEFT JOIN paramAttr a USING (paramId);
SELECT 'scalar', r.runName, s.moduleName, s.scalarName, quote(s.scalarValue), a.attrName, a.attrValue
  FROM scalar s JOIN run r USING (runId) LEFT JOIN scalarAttr a USING (scalarId);
SELECT 'stat', r.runName, s.moduleName, s.statName, s.isHistogram, s.isWeighted, s.statCount,
  quote(s.statMean), quote(s.statStddev), quote(s.statSum), quote(s.statSqrsum), quote(s.statMin),
  quote(s.statMax), quote(s.statWeights), quote(s.statWeightedSum), quote(s.statSqrSumWeights),
  quote(s.statWeightedSqrSum) FROM statistic s JOIN run r USING (runId);
SELECT 'statattr', r.runName, s.statName, a.attrName, a.attrValue
  FROM statisticAttr a JOIN statistic s USING (statId) JOIN run r USING (runId);
SELECT 'bin', r.runName, s.statName, quote(b.lowerEdge), quote(b.binValue)
  FROM histogramBin b JOIN statistic s USING (statId) JOIN run r USING (runId);
SELECT 'vector', r.runName, v.moduleName, v.vectorName, v.vectorCount, quote(v.vectorMin),
  quote(v.vectorMax), quote(v.vectorSum), quote(v.vectorSumSqr), v.startEventNum, v.endEventNum,
  v.startSimtimeRaw, v.endSimtimeRaw FROM vector v JOIN run r USING (runId);
SELECT 'vecattr', r.runName, v.vectorName, a.attrName, a.attrValue
  FROM vectorAttr a JOIN vector v USING (vectorId) JOIN run r USING (runId);
SELECT 'point', r.runName, v.moduleName, v.vectorName, d.eventNumber, d.simtimeRaw, quote(d.value)
  FROM vectorData d JOIN vector v USING (vectorId) JOIN run r USING (runId);
" | LC_ALL=C sort
}
count() { q "$1" "SELECT count(*) FROM run"; }

mm1="$src/scenarios/mm1.lua"
"$vnetsim" sweep --quiet -j 2 -p length=20ms -o "$dir/full.db" "$mm1"
"$vnetsim" sweep --quiet -j 2 -p length=20ms -r 0..2 -o "$dir/h1.db" "$mm1"
"$vnetsim" sweep --quiet -j 2 -p length=20ms -r 3..5 -o "$dir/h2.db" "$mm1"

# --- two halves make the whole ---
expect 0 "$vnetsim" merge "$dir/m.db" "$dir/h1.db" "$dir/h2.db"
grep -q "h1.db: 3 runs: 3 copied, 0 already present$" "$dir/out" || fail "merge report: $(cat "$dir/out")"
grep -q "h2.db: 3 runs: 3 copied, 0 already present$" "$dir/out" || fail "merge report: $(cat "$dir/out")"
[ "$(count "$dir/m.db")" = 6 ] || fail "merged: $(count "$dir/m.db") runs, expected 6"
expect 0 "$vnetsim" compare "$dir/full.db" "$dir/m.db"
{ rows "$dir/h1.db"; rows "$dir/h2.db"; } | LC_ALL=C sort > "$dir/in.rows"
rows "$dir/m.db" > "$dir/m.rows"
[ "$(grep -c '^point|' "$dir/m.rows")" -gt 100 ] || fail "the merged file has too few vector points"
[ "$(grep -c '^bin|' "$dir/m.rows")" -gt 10 ] || fail "the merged file has too few histogram bins"
cmp -s "$dir/in.rows" "$dir/m.rows" || { diff "$dir/in.rows" "$dir/m.rows" | head; fail "merged rows differ from the inputs' rows"; }
[ "$(q "$dir/m.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
[ -z "$(q "$dir/m.db" 'PRAGMA foreign_key_check')" ] || fail "foreign_key_check"

# --- the same runs again add nothing ---
expect 0 "$vnetsim" merge "$dir/m.db" "$dir/h1.db"
grep -q "h1.db: 3 runs: 0 copied, 3 already present$" "$dir/out" || fail "merge twice: $(cat "$dir/out")"
expect 0 "$vnetsim" merge "$dir/m.db" "$dir/full.db"
grep -q "full.db: 6 runs: 0 copied, 6 already present$" "$dir/out" || fail "the same runs from another sweep: $(cat "$dir/out")"
rows "$dir/m.db" | cmp -s - "$dir/m.rows" || fail "merging the same runs again changed the file"
expect 0 "$vnetsim" merge --quiet "$dir/m.db" "$dir/h2.db"
[ ! -s "$dir/out" ] || fail "--quiet printed: $(cat "$dir/out")"
# another parameter value is another run, even with the same run number
"$vnetsim" run --quiet -r 0 -p length=10ms -o "$dir/other.db" "$mm1"
expect 0 "$vnetsim" merge "$dir/m.db" "$dir/other.db"
grep -q "other.db: 1 run: 1 copied" "$dir/out" || fail "another length: $(cat "$dir/out")"
[ "$(count "$dir/m.db")" = 7 ] || fail "another length was not copied"

# --- conflict: the same run with another fingerprint ---
cp "$dir/h1.db" "$dir/c.db"
"$vnetsim" run --quiet -r 0 -p length=5ms -o "$dir/c.db" "$mm1"
q "$dir/c.db" "UPDATE runAttr SET attrValue = '0123456789abcdef' WHERE attrName = 'fingerprint' AND runId = (SELECT runId FROM runAttr WHERE attrName = 'runnumber' AND attrValue = '1')"
"$vnetsim" run --quiet -r 1 -p length=5ms -o "$dir/n.db" "$mm1"
before=$(rows "$dir/m.db")
expect 1 "$vnetsim" merge "$dir/m.db" "$dir/n.db" "$dir/c.db"
[ "$(wc -l < "$dir/err")" = 1 ] || fail "conflict: more than one line: $(cat "$dir/err")"
grep -q "c.db: run 1 of mm1 (\$rho=50%, seed 1) has fingerprint [0-9a-f]\{16\} in .*m.db but 0123456789abcdef here: the same run gave different results; .*c.db not merged$" "$dir/err" ||
    fail "conflict message: $(cat "$dir/err")"
# n.db, before the conflicting input, is merged; nothing of c.db is
[ "$(count "$dir/m.db")" = 8 ] || fail "conflict: $(count "$dir/m.db") runs, expected 7 + n.db's 1"
[ "$(q "$dir/m.db" "SELECT count(*) FROM parameter WHERE moduleName = 'sim' AND paramName = 'duration' AND paramValue = '5ms'")" = 1 ] ||
    fail "conflict: c.db's 5 ms run was merged, or n.db's was not"
[ "$(q "$dir/m.db" "SELECT count(*) FROM runAttr WHERE attrValue = '0123456789abcdef'")" = 0 ] || fail "conflicting run merged"
# the conflict names the input it came from when that is not OUT
expect 1 "$vnetsim" merge "$dir/fresh.db" "$dir/h1.db" "$dir/c.db"
grep -q "in .*h1.db but 0123456789abcdef here" "$dir/err" || fail "conflict origin: $(cat "$dir/err")"

# --- incomplete runs ---
# p.db: h2 with run 3 half-written (still 'running', scalars lost)
cp "$dir/h2.db" "$dir/p.db"
q "$dir/p.db" "UPDATE runAttr SET attrValue = 'running' WHERE attrName = 'status' AND runId = (SELECT runId FROM runAttr WHERE attrName = 'runnumber' AND attrValue = '3');
DELETE FROM scalar WHERE runId = (SELECT runId FROM runAttr WHERE attrName = 'runnumber' AND attrValue = '3');
DELETE FROM runConfig WHERE runId = (SELECT runId FROM runAttr WHERE attrName = 'runnumber' AND attrValue = '3')"
expect 0 "$vnetsim" merge "$dir/i.db" "$dir/p.db"
[ "$(q "$dir/i.db" "SELECT count(*) FROM runAttr WHERE attrName = 'status' AND attrValue = 'running'")" = 1 ] || fail "incomplete run not copied"
expect 0 "$vnetsim" merge "$dir/i.db" "$dir/h2.db"
grep -q "h2.db: 3 runs: 0 copied, 2 already present, 1 replaced an incomplete run$" "$dir/out" || fail "replace report: $(cat "$dir/out")"
grep -q "run 3 of mm1 (\$rho=80%, seed 3) (complete) replaces the running one$" "$dir/out" || fail "replace line: $(cat "$dir/out")"
[ "$(count "$dir/i.db")" = 3 ] || fail "replace: $(count "$dir/i.db") runs, expected 3"
expect 0 "$vnetsim" compare "$dir/h2.db" "$dir/i.db"
rows "$dir/i.db" > "$dir/i.rows"
rows "$dir/h2.db" | cmp -s - "$dir/i.rows" || fail "the replacing run's rows differ"
expect 0 "$vnetsim" merge "$dir/i.db" "$dir/p.db"
grep -q "p.db: 3 runs: 0 copied, 2 already present, 1 incomplete not copied$" "$dir/out" || fail "keep report: $(cat "$dir/out")"
grep -q "run 3 of mm1 .* (running): not copied, .*i.db holds it complete$" "$dir/out" || fail "keep line: $(cat "$dir/out")"
rows "$dir/i.db" | cmp -s - "$dir/i.rows" || fail "an incomplete run changed a complete one"

# --- a merge killed half-way leaves OUT as it was ---
# big.db: one run with 600,000 vector points, so merging takes a while
"$vnetsim" run --quiet -r 0 -p length=12ms -o "$dir/big.db" "$mm1"
q "$dir/big.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600000)
INSERT INTO vectorData (vectorId, eventNumber, simtimeRaw, value)
SELECT (SELECT min(vectorId) FROM vector), 1000000 + i, 100000000000 + i, i FROM n"
cp "$dir/h1.db" "$dir/k.db"
rows "$dir/k.db" > "$dir/k.rows"
"$vnetsim" merge --quiet "$dir/k.db" "$dir/big.db" &
pid=$!
sleep 0.3
if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    [ "$(q "$dir/k.db" 'PRAGMA integrity_check')" = ok ] || fail "killed merge: integrity_check"
    rows "$dir/k.db" | cmp -s - "$dir/k.rows" || fail "a killed merge left part of its input in OUT"
else
    wait "$pid"
    echo "note: the merge ended before it could be killed"
fi
expect 0 "$vnetsim" merge "$dir/k.db" "$dir/big.db"
grep -q "big.db: 1 run: 1 copied" "$dir/out" || fail "merge after a killed one: $(cat "$dir/out")"
[ "$(q "$dir/k.db" "SELECT count(*) FROM vectorData")" = "$(( $(q "$dir/h1.db" "SELECT count(*) FROM vectorData") + $(q "$dir/big.db" "SELECT count(*) FROM vectorData") ))" ] ||
    fail "merge after a killed one: vector points missing"

# --- refusals: one line, exit 1 (input) or 2 (usage) ---
cp "$dir/m.db" "$dir/m.copy"
expect 1 "$vnetsim" merge "$dir/m.db" "$dir/missing.db"
[ "$(cat "$dir/err")" = "vnetsim merge: $dir/missing.db: No such file or directory" ] || fail "missing: $(cat "$dir/err")"
echo "not a database" > "$dir/t.db"
expect 1 "$vnetsim" merge "$dir/m.db" "$dir/t.db"
grep -q "^vnetsim merge: $dir/t.db: not a vnetsim results database$" "$dir/err" || fail "text file: $(cat "$dir/err")"
"$sqlite" "$dir/e.db" "CREATE TABLE x (y)"
expect 1 "$vnetsim" merge "$dir/m.db" "$dir/e.db"
grep -q "^vnetsim merge: $dir/e.db: not a vnetsim results database (no table 'run')$" "$dir/err" || fail "other database: $(cat "$dir/err")"
expect 1 "$vnetsim" merge "$dir/e.db" "$dir/h1.db"
grep -q "^vnetsim merge: $dir/e.db: not a vnetsim results database (no table 'run')$" "$dir/err" || fail "other database as OUT: $(cat "$dir/err")"
[ "$(q "$dir/e.db" "SELECT count(*) FROM sqlite_master")" = 1 ] || fail "merge changed a database that is not a results database"
expect 1 "$vnetsim" merge "$dir/m.db" "$dir/h1.db" "$dir/m.db"
grep -q "^vnetsim merge: $dir/m.db: this is the output database itself$" "$dir/err" || fail "OUT as input: $(cat "$dir/err")"
cmp -s "$dir/m.db" "$dir/m.copy" || fail "a refused merge changed OUT"
for args in "" "$dir/m.db" "--bogus $dir/m.db $dir/h1.db"; do
    # shellcheck disable=SC2086
    expect 2 "$vnetsim" merge $args
    [ "$(wc -l < "$dir/err")" = 1 ] || fail "'merge $args': more than one line"
done
expect 0 "$vnetsim" merge --help
grep -q "^usage: vnetsim merge OUT.db IN.db" "$dir/out" || fail "--help"
echo "test-merge: all checks passed"
