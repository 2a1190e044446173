#!/bin/sh
# refused.sh DIR MIN WHAT -- every scenario in tests/scenarios/DIR/ is
# refused cleanly by "vnetsim run" (tests/test-bad-scenarios.sh and
# tests/test-sandbox-escape.sh run it):
#   * exit status 1 (a scenario or input error: not 0, not a crash or a
#     signal, not an internal error),
#   * exactly one line on stderr, "FILE:LINE: message" (or "FILE: message"
#     when no line applies) matching the pattern in the scenario's
#     "-- expect:" line (or NAME.expect),
#   * no run marked complete in the results database,
#   * nothing written outside the test's directory (/tmp/vnetsim-escaped).
# A scenario may give extra command-line arguments in a "-- args:" line.
# Under the sanitizer build, any sanitizer report adds lines to stderr and
# so fails the one-line check.  At least MIN scenarios must be there;
# WHAT names them in the summary.
set -u
vnetsim="${top_builddir:-.}/vnetsim"
bad="${top_srcdir:-.}/tests/scenarios/$1"
min=$2
what=$3
case "$vnetsim" in /*) ;; *) vnetsim="$PWD/$vnetsim" ;; esac
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-refused-XXXXXX)
trap 'rm -rf "$dir"' EXIT
rm -f /tmp/vnetsim-escaped
failures=0 count=0

for f in "$bad"/*.lua; do
    name=$(basename "$f" .lua)
    count=$((count + 1))
    if [ -f "$bad/$name.expect" ]; then
        expect=$(cat "$bad/$name.expect")
        args=""
    else
        expect=$(sed -n '1s/^-- expect: //p' "$f")
        args=$(sed -n '2s/^-- args: //p' "$f")
    fi
    if [ -z "$expect" ]; then
        echo "FAIL $name: no '-- expect:' line"; failures=$((failures + 1)); continue
    fi
    db="$dir/$name.db"
    # Run from the scenario's directory so the chunk name (and so every
    # message) is the short name: Lua abbreviates names over 60 bytes.
    # shellcheck disable=SC2086 # $args holds separate words on purpose
    (cd "$bad" && exec "$vnetsim" run --quiet -o "$db" $args "$name.lua") \
        >"$dir/out" 2>"$dir/err"
    rc=$?
    f="$name.lua"
    lines=$(wc -l <"$dir/err")
    line=$(head -n 1 "$dir/err")
    ok=true
    if [ "$rc" -ne 1 ]; then
        echo "FAIL $name: exit status $rc, expected 1"; ok=false
    fi
    if [ "$lines" -ne 1 ]; then
        echo "FAIL $name: $lines lines on stderr, expected 1:"; sed 's/^/    /' "$dir/err"; ok=false
    fi
    # The message must start with the file and match the pattern.
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
        if [ "$complete" != 0 ]; then
            echo "FAIL $name: a run is marked complete"; ok=false
        fi
    fi
    if $ok; then
        echo "ok   $name: $rest"
    else
        failures=$((failures + 1))
    fi
done
[ -e /tmp/vnetsim-escaped ] && { echo "FAIL: a scenario escaped the sandbox"; failures=$((failures + 1)); }
[ "$count" -ge "$min" ] || { echo "FAIL: only $count $what (at least $min expected)"; failures=$((failures + 1)); }
echo "$count $what, $failures not refused cleanly"
[ "$failures" -eq 0 ]
