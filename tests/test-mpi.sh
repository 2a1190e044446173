#!/bin/sh
# test-mpi.sh -- "mpirun -n 2 vnetsim sweep" (a build configured
# --with-mpi, and Open MPI's mpirun; skipped otherwise):
#   * the sweep of scenarios/mm1.lua over 2 ranks records every run once,
#     leaves no rank database behind, and equals "vnetsim sweep -j 2" of
#     the same sweep for "vnetsim compare" (fingerprints, scalars,
#     statistics);
#   * run again, it makes nothing: every run is already complete;
#   * a run that fails is recorded as failed, the others complete, and
#     the sweep exits 1;
#   * rank databases an earlier (killed) job left are merged first, and
#     their complete runs are not made again;
#   * -j under mpirun is refused.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
"$vnetsim" --version | grep -q '^MPI: ' || { echo "SKIP: vnetsim built without MPI (./configure --with-mpi)"; exit 77; }
command -v mpirun >/dev/null 2>&1 || { echo "SKIP: no mpirun"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-mpi-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
count() { "$sqlite" "$1" "SELECT count(*) FROM run"; }
# CI runs as root; Open MPI refuses root unless told.
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
# mpi N ARGS...: vnetsim on N ranks; output in $dir/out, $dir/err, $rc.
mpi() {
    n=$1; shift
    set +e
    timeout 120 mpirun --oversubscribe -n "$n" "$vnetsim" "$@" > "$dir/out" 2> "$dir/err"
    rc=$?
    set -e
}
mm1="$src/scenarios/mm1.lua"

# --- the sweep on 2 ranks equals the local sweep ---
mpi 2 sweep -p length=20ms -o "$dir/mpi.db" "$mm1"
[ "$rc" = 0 ] || { cat "$dir/out" "$dir/err"; fail "mpirun sweep exited $rc"; }
grep -q "^sweep: 6 runs on 2 MPI ranks" "$dir/out" || fail "no MPI report: $(cat "$dir/out")"
[ "$(grep -c '^\[[1-6]/6\] run [0-5] (.*): ok in .* on rank [01]$' "$dir/out")" = 6 ] || fail "run reports: $(cat "$dir/out")"
[ "$(count "$dir/mpi.db")" = 6 ] || fail "MPI sweep: $(count "$dir/mpi.db") runs, expected 6"
[ "$("$sqlite" "$dir/mpi.db" "SELECT count(DISTINCT attrValue) FROM runAttr WHERE attrName = 'runnumber'")" = 6 ] || fail "a run recorded twice"
ls "$dir" | grep -q 'rank-' && fail "rank databases left behind: $(ls "$dir")"
"$vnetsim" sweep --quiet -j 2 -p length=20ms -o "$dir/local.db" "$mm1"
"$vnetsim" compare --all --format csv "$dir/local.db" "$dir/mpi.db" > "$dir/cmp" ||
    { grep -v ',same$' "$dir/cmp"; fail "MPI sweep differs from the local sweep"; }
[ "$(grep -c '^[^,]*,fingerprint,.*,same$' "$dir/cmp")" = 6 ] || fail "fingerprints compared: $(grep -c fingerprint "$dir/cmp")"

# --- run again: nothing to do ---
mpi 2 sweep -p length=20ms -o "$dir/mpi.db" "$mm1"
[ "$rc" = 0 ] || { cat "$dir/out" "$dir/err"; fail "second mpirun sweep exited $rc"; }
grep -q "^sweep: 6 of the 6 selected runs are already complete" "$dir/out" || fail "rerun: $(cat "$dir/out")"
[ "$(count "$dir/mpi.db")" = 6 ] || fail "rerun added runs"

# --- a failed run does not stop the sweep ---
cat > "$dir/half.lua" <<'LUA'
local p = sim.params { { name = "n", default = 1, description = "d", sweep = { 1, 2, 3, 4 } } }
sim.config { duration = "1us" }
if p.n == 2 then sim.at("0ps", function() error("run two fails") end) end
LUA
mpi 2 sweep -o "$dir/half.db" "$dir/half.lua"
[ "$rc" != 0 ] || fail "a sweep with a failed run exited 0"
grep -q "^run 1 (n=2, repetition=0) failed on rank [01]: .*half.lua:3: run two fails" "$dir/err" || fail "failure report: $(cat "$dir/err")"
[ "$("$sqlite" "$dir/half.db" "SELECT group_concat(attrValue, ',') FROM (SELECT attrValue FROM runAttr WHERE attrName = 'status' ORDER BY attrValue)")" = "complete,complete,complete,failed" ] ||
    fail "statuses: $("$sqlite" "$dir/half.db" "SELECT attrValue FROM runAttr WHERE attrName = 'status'")"

# --- leftovers of a killed job are merged, their runs not made again ---
"$vnetsim" sweep --quiet -j 2 -p length=20ms -r 0..2 -o "$dir/left.db.rank-5" "$mm1"
mpi 2 sweep -p length=20ms -o "$dir/left.db" "$mm1"
[ "$rc" = 0 ] || { cat "$dir/out" "$dir/err"; fail "sweep after a killed job exited $rc"; }
grep -q "^sweep: merging 1 rank database an earlier job left into" "$dir/out" || fail "leftovers: $(cat "$dir/out")"
grep -q "^sweep: 3 of the 6 selected runs are already complete" "$dir/out" || fail "leftover runs made again: $(cat "$dir/out")"
[ ! -e "$dir/left.db.rank-5" ] || fail "the leftover rank database was not removed"
"$vnetsim" compare "$dir/local.db" "$dir/left.db" > "$dir/cmp" || { cat "$dir/cmp"; fail "sweep after a killed job differs"; }

# --- -j does not apply ---
mpi 2 sweep -j 2 -p length=20ms -o "$dir/j.db" "$mm1"
[ "$rc" != 0 ] || fail "-j under mpirun was accepted"
grep -q "^vnetsim sweep: started by mpirun with 2 ranks, where -j does not apply" "$dir/err" || fail "-j: $(cat "$dir/err")"
echo "test-mpi: all checks passed"
