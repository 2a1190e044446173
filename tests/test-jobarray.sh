#!/bin/sh
# test-jobarray.sh -- a sweep made the way a Slurm job array or GNU
# parallel makes it (doc/cluster.md), equal to a local sweep:
#   * every line of "vnetsim sweep --list" becomes one "vnetsim run -r RUN
#     --seed SEED" into a database of its own, picked by a task index as
#     a job array does (SLURM_ARRAY_TASK_ID = line number - 1);
#   * "vnetsim merge" of those databases and "vnetsim sweep -j 2" of the
#     same sweep are the same for "vnetsim compare" (fingerprints and
#     every scalar and statistic), with the default seeds and with
#     --seed BASE;
#   * a task run twice (a requeued array task) is merged once.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-array-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mm1="$src/scenarios/mm1.lua"

# task LIST ID OUTDIR [SWEEP OPTIONS]: what one array task does.
task() {
    list=$1; id=$2; out=$3; shift 3
    line=$(sed -n "$((id + 1))p" "$list")
    run=$(printf '%s\n' "$line" | cut -f1)
    seed=$(printf '%s\n' "$line" | cut -f2)
    "$vnetsim" run --quiet -r "$run" --seed "$seed" "$@" \
        -o "$out/run-$run.db" "$mm1"
}

for base in "" 100; do
    seedopt=${base:+--seed $base}
    mkdir -p "$dir/parts$base"
    # shellcheck disable=SC2086
    "$vnetsim" sweep --list $seedopt "$mm1" > "$dir/list$base"
    n=$(wc -l < "$dir/list$base")
    [ "$n" = 6 ] || fail "--list: $n runs, expected 6"
    i=0
    while [ $i -lt "$n" ]; do
        SLURM_ARRAY_TASK_ID=$i task "$dir/list$base" $i "$dir/parts$base" -p length=20ms
        i=$((i + 1))
    done
    # a requeued task makes its run again, into its database
    task "$dir/list$base" 2 "$dir/parts$base" -p length=20ms
    "$vnetsim" merge --quiet "$dir/array$base.db" "$dir/parts$base"/run-*.db
    [ "$("$sqlite" "$dir/array$base.db" "SELECT count(*) FROM run")" = 6 ] ||
        fail "merged job array ($base): $("$sqlite" "$dir/array$base.db" "SELECT count(*) FROM run") runs, expected 6"
    # shellcheck disable=SC2086
    "$vnetsim" sweep --quiet -j 2 $seedopt -p length=20ms -o "$dir/sweep$base.db" "$mm1"
    set +e
    "$vnetsim" compare --all --format csv "$dir/sweep$base.db" "$dir/array$base.db" > "$dir/cmp"; rc=$?
    set -e
    [ "$rc" = 0 ] || { grep -v ',same$' "$dir/cmp"; fail "job array ($base) differs from the local sweep"; }
    [ "$(grep -c '^[^,]*,fingerprint,.*,same$' "$dir/cmp")" = 6 ] || fail "fingerprints compared: $(grep -c fingerprint "$dir/cmp")"
done
# the seed reached the runs: base 100 gave other fingerprints
fps() { "$sqlite" "$1" "SELECT attrValue FROM runAttr WHERE attrName = 'fingerprint' ORDER BY 1"; }
fps "$dir/array100.db" > "$dir/fps100"
[ -z "$(fps "$dir/array.db" | grep -Fx -f "$dir/fps100")" ] || fail "--seed 100 gave runs of the default seeds"
echo "test-jobarray: all checks passed"
