#!/bin/sh
# test-report.sh -- "vnetsim report" end to end:
#   * a sweep's report: DIR/index.html lists every run with its
#     fingerprint (as the database has it) and every parameter, shows the
#     standard plots as SVG, and refers only to files it wrote in DIR (no
#     network, no path outside DIR);
#   * a one-run database gets a page too;
#   * a missing database, an incomplete run, no -o: exit 1 or 2, one line.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
command -v "${GNUPLOT:-gnuplot}" >/dev/null 2>&1 || { echo "SKIP: no gnuplot"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-report-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
expect() {
    want=$1; shift
    set +e
    "$@" > "$dir/out" 2> "$dir/err"
    got=$?
    set -e
    [ "$got" = "$want" ] || { cat "$dir/out" "$dir/err"; fail "exit $got, expected $want: $*"; }
}
# refs PAGE DIR: every src= and href= of PAGE names a file in DIR
refs() {
    grep -o '\(src\|href\)="[^"]*"' "$1" | sed 's/^[a-z]*="//; s/"$//' > "$dir/refs"
    while read -r f; do
        case $f in */*|*:*|"") fail "$1 refers to '$f', outside its directory" ;; esac
        [ -s "$2/$f" ] || fail "$1 refers to '$f', which it did not write"
    done < "$dir/refs"
    cat "$dir/refs"
}

"$vnetsim" sweep --quiet -o "$dir/q.db" "$src/scenarios/quickstart.lua"
expect 0 "$vnetsim" report "$dir/q.db" -o "$dir/r" --title "Quickstart & friends"
[ "$(cat "$dir/out")" = "$dir/r/index.html" ] || fail "report did not name its page: $(cat "$dir/out")"
page="$dir/r/index.html"
refs "$page" "$dir/r" > "$dir/refs.list"
n=$(wc -l < "$dir/refs.list")
[ "$n" = 6 ] || fail "expected the six standard plots, the page refers to $n files"
grep -qi "http" "$page" && fail "the page refers to the network"
grep -q "<title>Quickstart &amp; friends</title>" "$page" || fail "title not escaped"
for fp in $("$sqlite" "$dir/q.db" "SELECT attrValue FROM runAttr WHERE attrName = 'fingerprint'"); do
    grep -q "<td class=\"fp\">$fp</td>" "$page" || fail "fingerprint $fp missing"
done
[ "$(grep -c '^<tr><td class="num">' "$page")" = 4 ] || fail "not one row per run"
grep -q "<tr><td><code>vmq</code></td>" "$page" || fail "parameter vmq missing"
grep -q "<tr><td><code>load</code></td>" "$page" || fail "parameter load missing"
head -1 "$page" | grep -q "^<!DOCTYPE html>$" || fail "not HTML"
tail -1 "$page" | grep -q "^</html>$" || fail "page not finished"

# one run
"$vnetsim" run --quiet -o "$dir/one.db" --until 8ms "$src/scenarios/nic-compare.lua"
expect 0 "$vnetsim" report "$dir/one.db" -o "$dir/one"
refs "$dir/one/index.html" "$dir/one" > /dev/null
[ "$(grep -c '^<tr><td class="num">' "$dir/one/index.html")" = 1 ] || fail "one run: rows"

# trouble
expect 1 "$vnetsim" report "$dir/none.db" -o "$dir/x"
grep -q "none.db: cannot read it$" "$dir/err" || fail "missing db: $(cat "$dir/err")"
cp "$dir/q.db" "$dir/i.db"
"$sqlite" "$dir/i.db" "UPDATE runAttr SET attrValue = 'running' WHERE runId = 2 AND attrName = 'status'"
expect 1 "$vnetsim" report "$dir/i.db" -o "$dir/x"
grep -q "i.db: run 2 (status 'running') is not complete: report needs complete runs$" "$dir/err" || fail "incomplete: $(cat "$dir/err")"
expect 2 "$vnetsim" report "$dir/q.db"
expect 2 "$vnetsim" report "$dir/q.db" -o "$dir/x" --bogus
expect 0 "$vnetsim" report --help
echo "PASS: vnetsim report"
