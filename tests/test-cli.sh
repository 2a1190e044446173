#!/bin/sh
# test-cli.sh -- "vnetsim run", "params" and "sweep" end to end, on the
# engine-only scenario tests/scenarios/good/load.lua:
#   * --help, --version, usage errors exit 2 with one line;
#   * a run records a complete run with its attributes, itervars, config
#     and parameter rows, metrics and scalars;
#   * determinism: the same run twice gives the same fingerprint and
#     identical rows (apart from wall-clock attributes); another seed or
#     run does not;
#   * -p overrides reach the run; --until overrides the duration;
#   * params lists the parameters and the sweep with its run count;
#   * sweep runs every run (run numbers, itervars, seeds), -r filters, and
#     -j 2 gives the same rows as -j 1;
#   * the progress line is off when stderr is not a terminal, and slicing
#     the run for --progress changes nothing.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
scen="${top_srcdir:-.}/tests/scenarios/good/load.lua"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-cli-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
q() { "$sqlite" "$1" "$2"; }

# --- usage ---
"$vnetsim" --help | grep -q '^  run ' || fail "--help lists no run command"
"$vnetsim" --version | grep -q '^vnetsim ' || fail "--version"
"$vnetsim" run --help | grep -q -- '--timeline' || fail "run --help"
for args in "run" "run --bogus $scen" "run -r x $scen" "run --until 5 $scen" \
            "sweep -j 0 $scen" "params $scen extra" "run -p noequals $scen"; do
    set +e
    # shellcheck disable=SC2086
    "$vnetsim" $args >/dev/null 2>"$dir/err"; rc=$?
    set -e
    [ "$rc" = 2 ] || fail "'vnetsim $args' exited $rc, expected 2"
    [ "$(wc -l <"$dir/err")" = 1 ] || fail "'vnetsim $args' printed more than one line"
done
set +e
"$vnetsim" run /nonexistent.lua 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 1 ] || fail "a missing scenario exited $rc"
grep -q "^/nonexistent.lua: cannot read the scenario" "$dir/err" || fail "missing-file message"

# --- one run ---
db="$dir/one.db"
"$vnetsim" run -o "$db" -r 3 "$scen" >"$dir/out" 2>"$dir/err" || fail "run exited $?"
[ ! -s "$dir/err" ] || fail "stderr not empty without a terminal: $(cat "$dir/err")"
grep -q '^done: [0-9]* events in .* fingerprint [0-9a-f]\{16\}, results in ' "$dir/out" || fail "no summary line"
attr() { q "$1" "SELECT attrValue FROM runAttr WHERE runId=$2 AND attrName='$3'"; }
[ "$(attr "$db" 1 status)" = complete ] || fail "run not complete"
[ "$(attr "$db" 1 runnumber)" = 3 ] || fail "runnumber"
[ "$(attr "$db" 1 repetition)" = 1 ] || fail "repetition of run 3"
[ "$(attr "$db" 1 seed)" = 3 ] || fail "seed of run 3"
[ "$(attr "$db" 1 iterationvars)" = '$rate=1Gbps' ] || fail "iterationvars: $(attr "$db" 1 iterationvars)"
[ "$(attr "$db" 1 configname)" = load ] || fail "configname"
[ "$(q "$db" "SELECT itervarName || '=' || itervarValue FROM runItervar")" = "rate=1Gbps" ] || fail "runItervar"
[ "$(q "$db" "SELECT group_concat(configKey || '=' || configValue, ' ') FROM (SELECT * FROM runConfig ORDER BY configOrder)")" = \
  "rate=1Gbps frame=1500B mode=steady scale=1.5 verbose=false" ] || fail "runConfig: $(q "$db" "SELECT * FROM runConfig")"
[ "$(q "$db" "SELECT paramValue FROM parameter WHERE moduleName='sim' AND paramName='duration'")" = 3ms ] || fail "sim.duration parameter row"
[ "$(q "$db" "SELECT count(*) FROM vector WHERE vectorName IN ('frames:vector','level:vector')")" = 2 ] || fail "series vectors"
[ "$(q "$db" "SELECT scalarValue FROM scalar WHERE scalarName='ticks'")" = 3.0 ] || fail "ticks scalar (timer cancelled at 2ms: 0.5, 1, 1.5 ms)"
# The load doubles... by 1.5 after 1 ms: the level's time average is known.
awk -v l="$(q "$db" "SELECT scalarValue FROM scalar WHERE scalarName='level'")" \
    'BEGIN { exit !(l > 1.34 && l < 1.36) }' || fail "level average (1 for 0.9 ms, 1.5 for 2 ms of the 2.9 ms measured)"

# --- determinism ---
"$vnetsim" run --quiet -o "$db" -r 3 "$scen"
"$vnetsim" run --quiet -o "$db" -r 3 --seed 99 "$scen"
"$vnetsim" run --quiet -o "$db" -r 3 --progress "$scen" 2>"$dir/progress"
[ "$(attr "$db" 1 fingerprint)" = "$(attr "$db" 2 fingerprint)" ] || fail "same run, different fingerprint"
[ "$(attr "$db" 1 fingerprint)" != "$(attr "$db" 3 fingerprint)" ] || fail "another seed, same fingerprint"
[ "$(attr "$db" 1 fingerprint)" = "$(attr "$db" 4 fingerprint)" ] || fail "--progress changed the fingerprint"
rows() {
    q "$db" "SELECT moduleName, scalarName, quote(scalarValue) FROM scalar WHERE runId=$1 ORDER BY scalarId;
             SELECT v.vectorName, d.eventNumber, d.simtimeRaw, quote(d.value) FROM vectorData d JOIN vector v USING (vectorId) WHERE v.runId=$1 ORDER BY v.vectorId, d.rowid;
             SELECT attrName, attrValue FROM runAttr WHERE runId=$1 AND attrName NOT IN ('datetime', 'wallSeconds', 'peakRssKiB') ORDER BY attrName;
             SELECT moduleName, paramName, paramValue FROM parameter WHERE runId=$1 ORDER BY paramId"
}
[ "$(rows 1)" = "$(rows 2)" ] || fail "same run, different rows"
[ "$(rows 1)" = "$(rows 4)" ] || fail "--progress changed the rows"

# --- -p and --until ---
"$vnetsim" run --quiet -o "$dir/p.db" -p frame=9000B -p mode=burst --until 1ms "$scen"
[ "$(q "$dir/p.db" "SELECT configValue FROM runConfig WHERE configKey='frame'")" = 9000B ] || fail "-p frame"
[ "$(q "$dir/p.db" "SELECT configValue FROM runConfig WHERE configKey='mode'")" = burst ] || fail "-p mode"
[ "$(attr "$dir/p.db" 1 simtime)" = 0.001000000000 ] || fail "--until: simtime $(attr "$dir/p.db" 1 simtime)"
# -p on a swept parameter: "run" pins it (and tags the run with it),
# "sweep" refuses it and points at -r.
"$vnetsim" run --quiet -o "$dir/p.db" -p rate=5Gbps --until 1ms "$scen"
[ "$(q "$dir/p.db" "SELECT itervarValue FROM runItervar WHERE runId=2 AND itervarName='rate'")" = 5Gbps ] || fail "-p on a swept parameter: runItervar"
[ "$(attr "$dir/p.db" 2 iterationvars)" = '$rate=5Gbps' ] || fail "-p on a swept parameter: iterationvars $(attr "$dir/p.db" 2 iterationvars)"
set +e
"$vnetsim" sweep --quiet -o "$dir/p.db" -p rate=5Gbps "$scen" 2>"$dir/err"; rc=$?
set -e
[ $rc = 1 ] || fail "sweep -p on a swept parameter exited $rc"
grep -q "load.lua: -p rate=5Gbps: parameter 'rate' is swept; select runs with -r 'rate=5Gbps' instead" "$dir/err" || fail "sweep -p swept: $(cat "$dir/err")"

# --- params ---
"$vnetsim" params "$scen" >"$dir/params"
grep -q '^  rate$' "$dir/params" || fail "params: rate"
grep -q 'allowed: steady, burst' "$dir/params" || fail "params: allowed values"
grep -q '^Sweep: rate (3) x 2 repetitions = 6 runs' "$dir/params" || fail "params: sweep"
grep -q '^  run 5: rate=10Gbps, repetition=1$' "$dir/params" || fail "params: run 5"
"$vnetsim" params --config -r 4 -p mode=burst "$scen" | grep -q '^  mode = burst   (-p)$' || fail "params --config"

# --- sweep ---
"$vnetsim" sweep --quiet -j 1 -o "$dir/s1.db" "$scen"
"$vnetsim" sweep --quiet -j 2 -o "$dir/s2.db" "$scen"
[ "$(q "$dir/s1.db" "SELECT count(*) FROM run")" = 6 ] || fail "sweep: 6 runs"
[ "$(q "$dir/s1.db" "SELECT count(*) FROM runAttr WHERE attrName='status' AND attrValue='complete'")" = 6 ] || fail "sweep: all complete"
sweeprows() {
    q "$1" "SELECT r.attrValue, a.attrName, a.attrValue FROM runAttr a JOIN runAttr r ON r.runId = a.runId AND r.attrName = 'runnumber'
            WHERE a.attrName NOT IN ('datetime', 'wallSeconds', 'peakRssKiB') ORDER BY CAST(r.attrValue AS INTEGER), a.attrName;
            SELECT r.attrValue, s.moduleName, s.scalarName, quote(s.scalarValue) FROM scalar s JOIN runAttr r ON r.runId = s.runId AND r.attrName = 'runnumber'
            ORDER BY CAST(r.attrValue AS INTEGER), s.scalarName;
            SELECT r.attrValue, i.itervarName, i.itervarValue FROM runItervar i JOIN runAttr r ON r.runId = i.runId AND r.attrName = 'runnumber'
            ORDER BY CAST(r.attrValue AS INTEGER)"
}
[ "$(sweeprows "$dir/s1.db")" = "$(sweeprows "$dir/s2.db")" ] || fail "-j 2 rows differ from -j 1"
sweeprows "$dir/s1.db" | grep -q '^4|seed|4$' || fail "sweep: seed of run 4"
# A sweep run equals the same run made alone.
[ "$(q "$dir/s1.db" "SELECT a.attrValue FROM runAttr a JOIN runAttr r ON r.runId=a.runId AND r.attrName='runnumber' AND r.attrValue='3' WHERE a.attrName='fingerprint'")" = \
  "$(attr "$db" 1 fingerprint)" ] || fail "sweep run 3 differs from 'run -r 3'"
"$vnetsim" sweep --quiet -o "$dir/s3.db" -r 'rate>=1Gbps and repetition=0' "$scen"
[ "$(q "$dir/s3.db" "SELECT group_concat(attrValue, ',') FROM (SELECT attrValue FROM runAttr WHERE attrName='runnumber' ORDER BY CAST(attrValue AS INTEGER))")" = "2,4" ] || fail "-r filter selected the wrong runs"
"$vnetsim" sweep --dry-run -r '0..1,5' "$scen" | grep -c '^  run ' | grep -qx 3 || fail "--dry-run with a run list"
set +e
"$vnetsim" sweep --dry-run -r 'rte=1Gbps' "$scen" 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "bad filter exited $rc"
grep -q "unknown iteration variable 'rte' in run filter (did you mean 'rate'?)" "$dir/err" || fail "filter suggestion: $(cat "$dir/err")"

# A failing run in a sweep: reported, the others complete, exit 1.
cat >"$dir/half.lua" <<'LUA'
local p = sim.params { { name = "n", default = 1, description = "d", sweep = { 1, 2 } } }
sim.config { duration = "1us" }
if p.n == 2 then sim.at("0ps", function() error("run two fails") end) end
LUA
set +e
"$vnetsim" sweep --quiet -j 2 -o "$dir/half.db" "$dir/half.lua" 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 1 ] || fail "a sweep with a failed run exited $rc"
grep -q "^run 1 (n=2, repetition=0) failed: .*half.lua:3: run two fails" "$dir/err" || fail "sweep failure report: $(cat "$dir/err")"
[ "$(q "$dir/half.db" "SELECT group_concat(attrValue, ',') FROM (SELECT attrValue FROM runAttr WHERE attrName='status' ORDER BY attrValue)")" = "complete,failed" ] || fail "sweep statuses"
echo "test-cli: all checks passed"
