#!/bin/sh
# test-oom.sh -- memory running out is one clear line and exit status 3,
# never a crash.  "vnetsim run" goes under an address-space limit
# (ulimit -v, no LD_PRELOAD) at several sizes, so that allocation fails
# in different places: building the quickstart's models (a binding's
# ENOMEM), and a scenario scheduling a million callbacks (the Lua
# state, the callbacks' C records, the event queue).  Each run must exit
# 0 (the limit was enough) or 3 with exactly one line on stderr,
# "vnetsim: out of memory (...)"; a signal (SIGSEGV, SIGABRT), exit 1 or
# any other output fails.  At least one run per scenario must hit the
# limit, and both scenarios must pass without one.  Skips (77) in a
# sanitizer build (AddressSanitizer needs far more address space than
# any limit here) and where ulimit -v is not available.
set -u
b="${top_builddir:-.}"
src="${top_srcdir:-.}"
if grep -q '^SAN_CFLAGS = .*-fsanitize' "$b/Makefile" 2>/dev/null; then
    echo "SKIP: sanitizer build"; exit 77
fi
(ulimit -v 1000000) 2>/dev/null || { echo "SKIP: no ulimit -v"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-oom-XXXXXX)
trap 'rm -rf "$dir"' EXIT
failures=0

cat > "$dir/timers.lua" <<'LUA'
-- A million callbacks, each its own C record, registry entry and event.
sim.config { duration = "1ms" }
local function f() end
for i = 1, 1000000 do sim.at(i, f) end
LUA

# run LIMIT_KIB NAME ARGS...: one run under the limit ("none": no limit);
# prints its exit status on stdout.
run() {
    limit=$1; name=$2; shift 2
    rm -f "$dir/o.db"
    (
        [ "$limit" = none ] || ulimit -v "$limit"
        exec "$b/vnetsim" run --quiet -o "$dir/o.db" "$@"
    ) >"$dir/out" 2>"$dir/err"
    rc=$?
    lines=$(wc -l <"$dir/err")
    line=$(head -n 1 "$dir/err")
    case "$rc:$lines:$line" in
    0:0:) ;;
    "3:1:vnetsim: out of memory ("*")") ;;
    *)
        echo "FAIL $name under ulimit -v $limit: exit $rc, stderr:"
        sed 's/^/    /' "$dir/err"
        failures=$((failures + 1)) ;;
    esac
    [ "$limit" = none ] && [ "$rc" != 0 ] && {
        echo "FAIL $name does not run without a limit"
        failures=$((failures + 1)); }
    echo "  $name, ulimit -v $limit: exit $rc ${line:+($line)}" >&2
    echo "$rc" >"$dir/rc"
}

for s in quickstart timers; do
    hit=0
    for limit in none 40000 100000 180000 270000 340000; do
        if [ $s = quickstart ]; then
            run $limit $s --until 31ms "$src/scenarios/quickstart.lua"
        else
            run $limit $s "$dir/timers.lua"
        fi
        [ "$(cat "$dir/rc")" = 3 ] && hit=$((hit + 1))
    done
    if [ $hit = 0 ]; then
        echo "FAIL $s: no limit made memory run out"
        failures=$((failures + 1))
    fi
done
[ $failures = 0 ] || exit 1
echo "every out-of-memory exit was one line and status 3"
