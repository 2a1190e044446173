#!/bin/sh
# test-compare.sh -- "vnetsim compare" end to end:
#   * a database compared with a copy of itself: exit 0, nothing listed;
#   * an injected change to one scalar: exit 1, that metric listed as
#     differing with its base and new values; a tolerance that covers it
#     (--rel-tol, or --tol on a pattern) passes, one that does not fails;
#   * a changed fingerprint differs (not with --no-fingerprint);
#   * a run on one side only is listed and differs;
#   * a run that is not complete, a missing file, a file that is not a
#     results database and a bad option: exit 2 with one clear line;
#   * CSV has its header and one line per row; JSON is valid;
#   * repetitions on both sides (scenarios/mm1.lua, two per load) are
#     compared by Welch's t-test: other seeds give p values, a copy is
#     the same.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-compare-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
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

nic="$src/scenarios/nic-compare.lua"
"$vnetsim" run --quiet -o "$dir/a.db" --until 8ms -p nic=legacy -p direction=tx "$nic"
"$vnetsim" run --quiet -o "$dir/a.db" --until 8ms -p nic=synthetic "$nic"
cp "$dir/a.db" "$dir/b.db"

# identical: exit 0, no row
expect 0 "$vnetsim" compare "$dir/a.db" "$dir/b.db"
grep -q "^0 of [1-9][0-9]* values differ beyond tolerance; 0 present on one side only$" "$dir/out" ||
    fail "identical databases: $(cat "$dir/out")"
[ "$(wc -l < "$dir/out")" = 2 ] || fail "identical databases listed rows"

# one scalar changed by 1 %
"$sqlite" "$dir/b.db" "UPDATE scalar SET scalarValue = scalarValue * 1.01 WHERE runId = 2 AND moduleName = 'g.rx_sink' AND scalarName = 'frames'"
expect 1 "$vnetsim" compare "$dir/a.db" "$dir/b.db"
grep -q "nic-compare .*g.rx_sink.frames .* +1% *- *differs$" "$dir/out" ||
    fail "the changed scalar is not listed: $(cat "$dir/out")"
grep -q "^1 of " "$dir/out" || fail "not exactly one difference: $(cat "$dir/out")"
expect 0 "$vnetsim" compare --rel-tol 1.5% "$dir/a.db" "$dir/b.db"
expect 1 "$vnetsim" compare --rel-tol 0.5% "$dir/a.db" "$dir/b.db"
expect 0 "$vnetsim" compare --tol 'g.rx_sink.*=0.02' "$dir/a.db" "$dir/b.db"
expect 1 "$vnetsim" compare --tol 'g.tx*=0.02' "$dir/a.db" "$dir/b.db"
expect 1 "$vnetsim" compare --tol 'g.rx_sink.*=0.005' --rel-tol 5% "$dir/a.db" "$dir/b.db"
expect 0 "$vnetsim" compare --abs-tol 1000 "$dir/a.db" "$dir/b.db"

# formats
expect 1 "$vnetsim" compare --format csv "$dir/a.db" "$dir/b.db"
[ "$(head -1 "$dir/out")" = "run,metric,base,new,delta,relative,p,verdict" ] || fail "CSV header: $(head -1 "$dir/out")"
[ "$(wc -l < "$dir/out")" = 2 ] || fail "CSV: expected one row"
expect 1 "$vnetsim" compare --format json --all "$dir/a.db" "$dir/b.db"
[ "$("$sqlite" :memory: "SELECT json_valid(readfile('$dir/out'))")" = 1 ] || fail "JSON is not valid: $(cat "$dir/out")"
[ "$("$sqlite" :memory: "SELECT json_extract(readfile('$dir/out'), '\$.differences')")" = 1 ] || fail "JSON: differences"
[ "$("$sqlite" :memory: "SELECT json_array_length(readfile('$dir/out'), '\$.rows') > 100")" = 1 ] || fail "JSON --all: too few rows"

# a fingerprint changed
cp "$dir/a.db" "$dir/f.db"
"$sqlite" "$dir/f.db" "UPDATE runAttr SET attrValue = '0123456789abcdef' WHERE runId = 1 AND attrName = 'fingerprint'"
expect 1 "$vnetsim" compare "$dir/a.db" "$dir/f.db"
grep -q "fingerprint .*0123456789abcdef .*differs$" "$dir/out" || fail "fingerprint not listed: $(cat "$dir/out")"
expect 0 "$vnetsim" compare --no-fingerprint "$dir/a.db" "$dir/f.db"

# a run on one side only
cp "$dir/a.db" "$dir/c.db"
"$vnetsim" run --quiet -o "$dir/c.db" --until 8ms -p size=64B "$nic"
expect 1 "$vnetsim" compare "$dir/a.db" "$dir/c.db"
grep -q "size=64B.* run (seed .*only in new$" "$dir/out" || fail "one-sided run: $(cat "$dir/out")"
grep -q "1 present on one side only$" "$dir/out" || fail "one-sided count: $(cat "$dir/out")"

# trouble: exit 2 and one line
cp "$dir/a.db" "$dir/i.db"
"$sqlite" "$dir/i.db" "UPDATE runAttr SET attrValue = 'running' WHERE runId = 2 AND attrName = 'status'"
expect 2 "$vnetsim" compare "$dir/a.db" "$dir/i.db"
grep -q "i.db: run 2 (nic-compare .*) is not complete (status 'running'): compare needs complete runs$" "$dir/err" ||
    fail "incomplete run: $(cat "$dir/err")"
[ "$(wc -l < "$dir/err")" = 1 ] || fail "incomplete run: more than one line"
expect 2 "$vnetsim" compare "$dir/a.db" "$dir/missing.db"
grep -q "missing.db: No such file or directory$" "$dir/err" || fail "missing file: $(cat "$dir/err")"
echo "not a database" > "$dir/t.db"
expect 2 "$vnetsim" compare "$dir/t.db" "$dir/a.db"
grep -q "t.db: not a vnetsim results database$" "$dir/err" || fail "text file: $(cat "$dir/err")"
"$sqlite" "$dir/e.db" "CREATE TABLE x (y)"
expect 2 "$vnetsim" compare "$dir/e.db" "$dir/a.db"
grep -q "e.db: not a vnetsim results database$" "$dir/err" || fail "other database: $(cat "$dir/err")"
expect 2 "$vnetsim" compare "$dir/a.db"
expect 2 "$vnetsim" compare --rel-tol -1 "$dir/a.db" "$dir/b.db"
grep -q "rel-tol: expected a number >= 0 or a percentage, got '-1'$" "$dir/err" || fail "bad tolerance: $(cat "$dir/err")"
expect 2 "$vnetsim" compare --tol nopattern "$dir/a.db" "$dir/b.db"
expect 2 "$vnetsim" compare --format xml "$dir/a.db" "$dir/b.db"
expect 2 "$vnetsim" compare --level 1.5 "$dir/a.db" "$dir/b.db"
expect 2 "$vnetsim" compare --bogus "$dir/a.db" "$dir/b.db"
expect 0 "$vnetsim" compare --help
grep -q "^usage: vnetsim compare BASE.db NEW.db" "$dir/out" || fail "--help"

# repetitions: Welch's t-test
mm1="$src/scenarios/mm1.lua"
"$vnetsim" sweep --quiet -o "$dir/r1.db" -p length=20ms "$mm1"
"$vnetsim" sweep --quiet -o "$dir/r2.db" -p length=20ms --seed 100 "$mm1"
expect 0 "$vnetsim" compare "$dir/r1.db" "$dir/r1.db"
grep -q "3 compared pairs and configurations" "$dir/out" || fail "t-test groups: $(cat "$dir/out")"
set +e
"$vnetsim" compare --all --no-fingerprint --format csv "$dir/r1.db" "$dir/r2.db" > "$dir/out"
set -e
# every row of a t-test has a p value, and other seeds pair no run
# (one row per load, whose p -- the 7th field -- is a number)
n=$(awk -F, '$2 == "scenario.inSystem" && $7 ~ /^[0-9]/' "$dir/out" | wc -l)
[ "$n" = 3 ] || fail "t-test rows for scenario.inSystem: $n, expected 3: $(cat "$dir/out")"
grep -q "only in" "$dir/out" && fail "repetitions with other seeds reported as one-sided"
# a metric only some repetitions have is still compared: drop
# scenario.inSystem from every repetition 0, change it in a repetition 1
rep0="runId IN (SELECT runId FROM runAttr WHERE attrName = 'repetition' AND attrValue = '0')"
cp "$dir/r1.db" "$dir/r3.db"
cp "$dir/r1.db" "$dir/r4.db"
for d in r3 r4; do
    "$sqlite" "$dir/$d.db" "DELETE FROM scalar WHERE $rep0 AND moduleName = 'scenario' AND scalarName = 'inSystem'"
done
"$sqlite" "$dir/r4.db" "UPDATE scalar SET scalarValue = scalarValue * 1.5 WHERE NOT $rep0 AND moduleName = 'scenario' AND scalarName = 'inSystem'"
expect 0 "$vnetsim" compare "$dir/r3.db" "$dir/r3.db"
expect 1 "$vnetsim" compare "$dir/r3.db" "$dir/r4.db"
[ "$(grep -c ' scenario.inSystem .* differs$' "$dir/out")" = 3 ] ||
    fail "a metric only repetition 1 has: $(cat "$dir/out")"
echo "PASS: vnetsim compare"
