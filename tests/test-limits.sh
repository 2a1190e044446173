#!/bin/sh
# test-limits.sh -- run limits (doc/reliability.md, "Run limits"):
#   * --max-events, --max-wall and --max-memory end a run that passes them
#     with one line "SCENARIO: run stopped: ..." on stderr, exit status 1,
#     and the run recorded as "failed" with that line as its
#     failureReason (for --max-memory while loading: no run is recorded,
#     as for any scenario error then);
#   * a run within its limits is the same simulation as without them
#     (same fingerprint and events);
#   * sweep passes the limits to each run: every run that passes one
#     fails with the message, the sweep exits 1;
#   * --max-memory also lowers the Lua heap ceiling;
#   * a scenario asking for 100000 VMs is refused at the 1025th with the
#     file, line and value; with --max-memory it stops early;
#   * bad values are usage errors (exit 2).
set -u
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
case "$vnetsim" in /*) ;; *) vnetsim="$PWD/$vnetsim" ;; esac
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-limits-XXXXXX)
trap 'rm -rf "$dir"' EXIT
mm1="$src/scenarios/mm1.lua"
lim="$src/tests/scenarios/limits"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
attr() { "$sqlite" "$1" "SELECT attrValue FROM runAttr WHERE runId = $2 AND attrName = '$3'"; }
last() { "$sqlite" "$1" "SELECT max(runId) FROM run"; }
# refused WHAT PATTERN CMD...: exit 1 and one line on stderr matching PATTERN.
refused() {
    what=$1 pattern=$2; shift 2
    "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    [ "$rc" = 1 ] || fail "$what: exit $rc, expected 1"
    [ "$(wc -l <"$dir/err")" = 1 ] || { fail "$what: not one line on stderr:"; cat "$dir/err"; }
    grep -Eq -- "$pattern" "$dir/err" || fail "$what: message: $(cat "$dir/err")"
    echo "$what: $(cat "$dir/err")"
}
# recorded_failed WHAT DB: the newest run is failed with stderr's line.
recorded_failed() {
    id=$(last "$2")
    [ "$(attr "$2" "$id" status)" = failed ] || fail "$1: run $id is '$(attr "$2" "$id" status)', expected failed"
    [ "$(attr "$2" "$id" failureReason)" = "$(cat "$dir/err")" ] || fail "$1: failureReason '$(attr "$2" "$id" failureReason)'"
}

db="$dir/l.db"
# --- --max-events ---
refused "max-events" "^$mm1: run stopped: more than 5000 events \(--max-events\)$" \
    "$vnetsim" run --quiet -o "$db" -p length=100ms --max-events 5000 "$mm1"
recorded_failed "max-events" "$db"
ev=$(attr "$db" "$(last "$db")" events)
[ "$ev" -gt 5000 ] || fail "max-events: the run stopped at $ev events, not after 5000"

# --- within the limits: the same simulation ---
"$vnetsim" run --quiet -o "$db" -p length=5ms --seed 3 "$mm1" || fail "plain run"
a=$(last "$db")
"$vnetsim" run --quiet -o "$db" -p length=5ms --seed 3 --max-events 100000000 \
    --max-wall 600 --max-memory 4GiB "$mm1" || fail "run within limits"
b=$(last "$db")
[ "$(attr "$db" "$a" status)" = complete ] && [ "$(attr "$db" "$b" status)" = complete ] \
    || fail "runs within their limits are not complete"
[ "$(attr "$db" "$a" fingerprint)" = "$(attr "$db" "$b" fingerprint)" ] \
    || fail "limits changed the fingerprint"
[ "$(attr "$db" "$a" events)" = "$(attr "$db" "$b" events)" ] || fail "limits changed the events"
# A limit at exactly the events a run executes is not passed.
n=$(attr "$db" "$a" events)
"$vnetsim" run --quiet -o "$db" -p length=5ms --seed 3 --max-events "$n" "$mm1" \
    || fail "--max-events equal to the run's events failed it"

# --- --max-wall ---
t0=$(date +%s)
refused "max-wall" "^$mm1: run stopped: it ran for more than 1s of wall-clock time \(--max-wall\)$" \
    "$vnetsim" run --quiet -o "$db" -p length=1000s --max-wall 1 "$mm1"
t1=$(date +%s)
recorded_failed "max-wall" "$db"
[ $((t1 - t0)) -le 4 ] || fail "max-wall 1: the run took $((t1 - t0)) s"

# --- sweep passes them on ---
"$vnetsim" sweep --quiet -j 2 -o "$dir/s.db" -r 0..3 -p length=100ms --max-events 5000 "$mm1" \
    >"$dir/out" 2>"$dir/err"
rc=$?
[ "$rc" = 1 ] || fail "sweep with --max-events: exit $rc, expected 1"
[ "$(grep -c 'run stopped: more than 5000 events' "$dir/err")" = 4 ] \
    || { fail "sweep with --max-events: messages:"; cat "$dir/err"; }
[ "$("$sqlite" "$dir/s.db" "SELECT count(*) FROM runAttr WHERE attrName = 'status' AND attrValue = 'failed'")" = 4 ] \
    || fail "sweep with --max-events: not 4 failed runs"

# --- --max-memory ---
# The Lua heap ceiling follows --max-memory; under the sanitizer build the
# process's resident memory may pass 64 MiB first, which is as good.
refused "max-memory (Lua heap)" "^[^:]+:4: (the scenario used more than the Lua memory limit of 64 MiB|run stopped: its resident memory passed 64MiB \(--max-memory\))$" \
    "$vnetsim" run --quiet -o "$db" --max-memory 64MiB "$src/tests/scenarios/bad/table-bomb.lua"
refused "max-memory (model objects)" "many-vms\.lua:[0-9]+: run stopped: its resident memory passed 150MiB \(--max-memory\)$" \
    "$vnetsim" run --quiet -o "$db" --max-memory 150MiB "$lim/many-vms.lua"

# --- 100000 VMs ---
refused "100000 VMs" "vms-only\.lua:19: hypervisor:vm: 'vm1025' would be VM number 1025; a hypervisor runs at most 1024 VMs" \
    "$vnetsim" run --quiet -o "$db" "$lim/vms-only.lua"

# --- bad values ---
for bad in "--max-events 0" "--max-events x" "--max-wall 0" "--max-wall soon" \
           "--max-memory 10" "--max-memory 1Gb" "--max-db-pages 0"; do
    # shellcheck disable=SC2086 # two words on purpose
    "$vnetsim" run --quiet -o "$db" $bad "$mm1" >"$dir/out" 2>"$dir/err"
    rc=$?
    [ "$rc" = 2 ] || fail "'$bad': exit $rc, expected 2"
    [ "$(wc -l <"$dir/err")" = 1 ] || fail "'$bad': not one line"
done
# No run is left incomplete by any of this.
"$sqlite" "$db" "SELECT count(*) FROM runAttr WHERE attrName = 'status' AND attrValue = 'running'" \
    | grep -qx 0 || fail "a run was left 'running'"

[ "$failures" -eq 0 ] && echo "run limits: all checks passed"
[ "$failures" -eq 0 ]
