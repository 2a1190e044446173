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
set -u
vnetsim="${top_builddir:-.}/vnetsim"
esc="${top_srcdir:-.}/tests/scenarios/escape"
case "$vnetsim" in /*) ;; *) vnetsim="$PWD/$vnetsim" ;; esac
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-escape-XXXXXX)
trap 'rm -rf "$dir"' EXIT
rm -f /tmp/vnetsim-escaped
failures=0 count=0

for f in "$esc"/*.lua; do
    name=$(basename "$f" .lua)
    count=$((count + 1))
    expect=$(sed -n '1s/^-- expect: //p' "$f")
    args=$(sed -n '2s/^-- args: //p' "$f")
    if [ -z "$expect" ]; then
        echo "FAIL $name: no '-- expect:' line"; failures=$((failures + 1)); continue
    fi
    db="$dir/$name.db"
    # shellcheck disable=SC2086 # $args holds separate words on purpose
    (cd "$esc" && exec "$vnetsim" run --quiet -o "$db" $args "$name.lua") \
        >"$dir/out" 2>"$dir/err"
    rc=$?
    f="$name.lua"
    lines=$(wc -l <"$dir/err")
    line=$(head -n 1 "$dir/err")
    ok=true
    [ "$rc" -eq 1 ] || { echo "FAIL $name: exit status $rc, expected 1"; ok=false; }
    if [ "$lines" -ne 1 ]; then
        echo "FAIL $name: $lines lines on stderr, expected 1:"; sed 's/^/    /' "$dir/err" | head -20; ok=false
    fi
    case "$line" in
    "$f:"*) ;;
    *) echo "FAIL $name: message does not start with '$f:': $line"; ok=false ;;
    esac
    rest=${line#"$f:"}
    if ! printf '%s\n' "$rest" | grep -Eq -- "^$expect"; then
        echo "FAIL $name: message does not match"; echo "    got:      $rest"; echo "    expected: $expect"; ok=false
    fi
    if [ -f "$db" ]; then
        complete=$("$sqlite" "$db" "SELECT count(*) FROM runAttr WHERE attrName='status' AND attrValue='complete'")
        [ "$complete" = 0 ] || { echo "FAIL $name: a run is marked complete"; ok=false; }
    fi
    if $ok; then echo "ok   $name: $rest"; else failures=$((failures + 1)); fi
done
[ -e /tmp/vnetsim-escaped ] && { echo "FAIL: a scenario escaped the sandbox"; failures=$((failures + 1)); }
[ "$count" -ge 40 ] || { echo "FAIL: only $count escape scenarios (at least 40 expected)"; failures=$((failures + 1)); }
echo "$count escape attempts, $failures not refused cleanly"
[ "$failures" -eq 0 ]
