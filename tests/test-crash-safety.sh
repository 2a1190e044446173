#!/bin/sh
# test-crash-safety.sh -- the results database survives what can happen to
# the process writing it (doc/reliability.md, "Crash safety"):
#   * kill -9 at 20 pseudo-random points of a run (fixed seed; both while
#     it simulates and while it writes its rows) into a file that holds
#     earlier complete runs: after each kill PRAGMA integrity_check is ok,
#     every row of the earlier runs is unchanged, the killed run is not
#     "complete", and compare and plot refuse the file with one line;
#     a later run still appends to it;
#   * a full disk (--max-db-pages, and a real 1 MiB tmpfs when we are
#     root and may mount): one-line error, non-zero exit, earlier runs
#     intact, the failed run not complete;
#   * two sweeps (-j 2 each) and two runs writing one file at once: every
#     run present and complete, no "database is locked".
set -u
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
case "$vnetsim" in /*) ;; *) vnetsim="$PWD/$vnetsim" ;; esac
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-crash-XXXXXX)
mnt=""
cleanup() {
    [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
rows="$src/tests/scenarios/crash/rows.lua"
db="$dir/r.db"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
now() { date +%s.%N; }

# Every row that belongs to runs 1 .. $1, table by table, in a fixed order.
dump_runs() {
    "$sqlite" "$2" <<SQL
SELECT 'run', * FROM run WHERE runId <= $1 ORDER BY runId;
SELECT 'runAttr', * FROM runAttr WHERE runId <= $1 ORDER BY rowid;
SELECT 'runItervar', * FROM runItervar WHERE runId <= $1 ORDER BY rowid;
SELECT 'runConfig', * FROM runConfig WHERE runId <= $1 ORDER BY rowid;
SELECT 'parameter', * FROM parameter WHERE runId <= $1 ORDER BY paramId;
SELECT 'scalar', * FROM scalar WHERE runId <= $1 ORDER BY scalarId;
SELECT 'scalarAttr', a.* FROM scalarAttr a JOIN scalar s USING (scalarId)
  WHERE s.runId <= $1 ORDER BY a.rowid;
SELECT 'statistic', * FROM statistic WHERE runId <= $1 ORDER BY statId;
SELECT 'histogramBin', b.* FROM histogramBin b JOIN statistic s USING (statId)
  WHERE s.runId <= $1 ORDER BY b.rowid;
SELECT 'vector', * FROM vector WHERE runId <= $1 ORDER BY vectorId;
SELECT 'vectorAttr', a.* FROM vectorAttr a JOIN vector v USING (vectorId)
  WHERE v.runId <= $1 ORDER BY a.rowid;
SELECT 'vectorData', d.* FROM vectorData d JOIN vector v USING (vectorId)
  WHERE v.runId <= $1 ORDER BY d.rowid;
SQL
}
status_of() {
    "$sqlite" "$1" "SELECT coalesce((SELECT attrValue FROM runAttr WHERE runId = $2 AND attrName = 'status'), 'none')"
}
integrity() {
    r=$("$sqlite" "$1" "PRAGMA integrity_check" 2>&1)
    [ "$r" = ok ] || fail "$2: integrity_check says: $r"
}
max_run() { "$sqlite" "$1" "SELECT coalesce(max(runId), 0) FROM run"; }

# --- 1. kill -9 at 20 points -------------------------------------------
"$vnetsim" run --quiet -o "$db" -p length=200us --seed 1 "$rows" || fail "earlier run 1"
"$vnetsim" run --quiet -o "$db" -p length=200us --seed 2 "$rows" || fail "earlier run 2"
dump_runs 2 "$db" >"$dir/earlier.txt"
[ "$(grep -c '^vectorData' "$dir/earlier.txt")" -gt 1000 ] || fail "the earlier runs hold too few rows"
# How long a whole run takes here (the sanitizer build is slower).
t0=$(now)
"$vnetsim" run --quiet -o "$dir/timing.db" -p length=8ms "$rows" || fail "timing run"
t1=$(now)
span=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')
echo "a whole run takes $span s; killing at 20 points within it"
# 20 delays spread over the run, from a fixed seed: the same every time.
delays=$(awk -v span="$span" 'BEGIN { srand(20261123);
    for (i = 0; i < 20; i++) printf "%.3f\n", span * (0.02 + 0.93 * (i + rand()) / 20) }')
killed=0 before=2 i=0 plotted=0
for d in $delays; do
    i=$((i + 1))
    "$vnetsim" run --quiet -o "$db" -p length=8ms --seed $((100 + i)) "$rows" 2>/dev/null &
    pid=$!
    sleep "$d"
    if kill -9 "$pid" 2>/dev/null; then
        killed=$((killed + 1))
    fi
    wait "$pid" 2>/dev/null
    integrity "$db" "kill $i (after $d s)"
    dump_runs 2 "$db" >"$dir/now.txt"
    cmp -s "$dir/earlier.txt" "$dir/now.txt" || fail "kill $i: the earlier runs changed"
    last=$(max_run "$db")
    if [ "$last" -gt "$before" ]; then
        st=$(status_of "$db" "$last")
        if [ "$st" = complete ]; then
            # The run ended before the kill: then it must be whole.
            n=$("$sqlite" "$db" "SELECT count(*) FROM vector WHERE runId = $last")
            [ "$n" = 40 ] || fail "kill $i: run $last is complete with $n vectors"
        else
            [ "$st" = running ] || fail "kill $i: killed run $last has status '$st'"
            # compare and plot refuse a file with an incomplete run.
            "$vnetsim" compare "$db" "$dir/timing.db" >"$dir/out" 2>"$dir/err"
            rc=$?
            [ "$rc" = 2 ] || fail "kill $i: compare exits $rc on an incomplete run"
            [ "$(wc -l <"$dir/err")" = 1 ] && grep -q "not complete" "$dir/err" \
                || fail "kill $i: compare's message: $(cat "$dir/err")"
            if command -v gnuplot >/dev/null 2>&1 && [ "$plotted" = 0 ]; then
                plotted=1
                "$vnetsim" plot "$db" -o "$dir/p.png" >"$dir/out" 2>"$dir/err"
                rc=$?
                [ "$rc" = 1 ] || fail "kill $i: plot exits $rc on an incomplete run"
                [ "$(wc -l <"$dir/err")" = 1 ] && grep -q "is not complete" "$dir/err" \
                    || fail "kill $i: plot's message: $(cat "$dir/err")"
            fi
        fi
        before=$last
    fi
done
echo "killed $killed of 20 runs before they ended"
[ "$killed" -ge 12 ] || fail "only $killed runs were killed mid-run (the delays miss the run)"
# The file still takes new runs.
"$vnetsim" run --quiet -o "$db" -p length=200us --seed 3 "$rows" || fail "a run after the kills"
[ "$(status_of "$db" "$(max_run "$db")")" = complete ] || fail "the run after the kills is not complete"
integrity "$db" "after the kills"

# --- 2. a full disk ------------------------------------------------------
full_disk() {    # $1: the database, $2: what, then extra options
    fdb=$1 what=$2; shift 2
    dump_runs 2 "$fdb" >"$dir/full-before.txt"
    last=$(max_run "$fdb")
    "$vnetsim" run --quiet -o "$fdb" -p length=8ms "$@" "$rows" >"$dir/out" 2>"$dir/err"
    rc=$?
    [ "$rc" != 0 ] || fail "$what: the run succeeded"
    [ "$(wc -l <"$dir/err")" = 1 ] || { fail "$what: not one line:"; cat "$dir/err"; }
    grep -q "database or disk is full" "$dir/err" || fail "$what: message: $(cat "$dir/err")"
    echo "$what: exit $rc: $(cat "$dir/err")"
    integrity "$fdb" "$what"
    dump_runs 2 "$fdb" >"$dir/full-after.txt"
    cmp -s "$dir/full-before.txt" "$dir/full-after.txt" || fail "$what: the earlier runs changed"
    new=$(max_run "$fdb")
    if [ "$new" -gt "$last" ]; then
        st=$(status_of "$fdb" "$new")
        [ "$st" != complete ] || fail "$what: the failed run is complete"
        echo "$what: the run that hit it has status '$st'"
    fi
}
fdb="$dir/full.db"
"$vnetsim" run --quiet -o "$fdb" -p length=20us --seed 1 "$rows" || fail "full: earlier run 1"
"$vnetsim" run --quiet -o "$fdb" -p length=20us --seed 2 "$rows" || fail "full: earlier run 2"
pages=$("$sqlite" "$fdb" "PRAGMA page_count")
full_disk "$fdb" "max_page_count" --max-db-pages $((pages + 30))
# The limit holds only for that run: the file takes the next one.
"$vnetsim" run --quiet -o "$fdb" -p length=20us --seed 4 "$rows" || fail "a run after the full disk"

if [ "$(id -u)" = 0 ] && mkdir "$dir/small" && mount -t tmpfs -o size=1m tmpfs "$dir/small" 2>/dev/null; then
    mnt="$dir/small"
    "$vnetsim" run --quiet -o "$mnt/t.db" -p length=10us --seed 1 "$rows" || fail "tmpfs: earlier run 1"
    "$vnetsim" run --quiet -o "$mnt/t.db" -p length=10us --seed 2 "$rows" || fail "tmpfs: earlier run 2"
    full_disk "$mnt/t.db" "tmpfs of 1 MiB"
    umount "$mnt" && mnt=""
else
    echo "skipped the real full file system: not root, or mount -t tmpfs is not allowed here"
fi

# --- 3. concurrent writers -----------------------------------------------
cdb="$dir/c.db"
"$vnetsim" sweep --quiet -j 2 -o "$cdb" -p length=1ms "$rows" 2>"$dir/s1.err" &
p1=$!
# (The second sweep has seeds of its own: a sweep leaves out runs the
# database already holds complete, so the same runs could be skipped.)
"$vnetsim" sweep --quiet -j 2 -o "$cdb" -p length=1ms --seed 100 "$rows" 2>"$dir/s2.err" &
p2=$!
"$vnetsim" run --quiet -o "$cdb" -p length=1ms --seed 7 "$rows" 2>"$dir/r1.err" &
p3=$!
"$vnetsim" run --quiet -o "$cdb" -p length=1ms --seed 8 "$rows" 2>"$dir/r2.err" &
p4=$!
for p in $p1 $p2 $p3 $p4; do
    wait "$p" || fail "a concurrent writer (pid $p) failed"
done
cat "$dir/s1.err" "$dir/s2.err" "$dir/r1.err" "$dir/r2.err" >"$dir/all.err"
grep -qi "locked" "$dir/all.err" && fail "database is locked: $(cat "$dir/all.err")"
runs=$("$sqlite" "$cdb" "SELECT count(*) FROM run")
complete=$("$sqlite" "$cdb" "SELECT count(*) FROM runAttr WHERE attrName = 'status' AND attrValue = 'complete'")
vectors=$("$sqlite" "$cdb" "SELECT count(*) FROM vector")
[ "$runs" = 10 ] || fail "concurrent writers: $runs runs, expected 10"
[ "$complete" = 10 ] || fail "concurrent writers: $complete complete runs, expected 10"
[ "$vectors" = 400 ] || fail "concurrent writers: $vectors vectors, expected 400"
# The same seed is the same simulation, whoever wrote at the same time.
fps=$("$sqlite" "$cdb" "SELECT max(n) FROM (SELECT count(DISTINCT f.attrValue) AS n
    FROM runAttr f JOIN runAttr s ON s.runId = f.runId
    WHERE f.attrName = 'fingerprint' AND s.attrName = 'seed' GROUP BY s.attrValue)")
[ "$fps" = 1 ] || fail "concurrent writers: one seed gave $fps fingerprints"
integrity "$cdb" "concurrent writers"
echo "concurrent writers: $runs runs, $complete complete, $vectors vectors"

[ "$failures" -eq 0 ] && echo "crash safety: all checks passed"
[ "$failures" -eq 0 ]
