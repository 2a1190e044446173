#!/bin/sh
# golden.sh -- every shipped scenario in short form, checked against the
# golden files in tests/golden/ through "vnetsim compare": each golden file
# is a small results database as SQL text (sqlite3 .dump, whose numbers
# round-trip exactly) holding the run's identity and fingerprint and the
# scalars and statistics that carry the answers (delivery, processors,
# exits, latency).  The check runs the short form, keeps the same subset
# of its results, and compares the two exactly; a change that moves them
# fails here, with vnetsim compare's table of what moved.  After an
# intentional change, `make update-golden` rewrites the files (and the
# diff shows what moved, for the commit).
#
#   golden.sh check     (the test; make check runs it)
#   golden.sh update    (make update-golden)
set -eu
mode=${1:-check}
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-golden-XXXXXX)
trap 'rm -rf "$dir"' EXIT

# The short form of each scenario: NAME, then the arguments of vnetsim run.
cases() {
    echo "quickstart -r 3 --until 45ms scenarios/quickstart.lua"
    echo "vmq-compare -p vmq=dynamic -p load=70% --until 130ms scenarios/vmq-compare.lua"
    echo "vmq-compare-none -p vmq=none -p load=70% --until 110ms scenarios/vmq-compare.lua"
    echo "nic-compare -p nic=legacy -p direction=tx -p size=512B --until 12ms scenarios/nic-compare.lua"
    echo "nic-compare-synthetic -p nic=synthetic -p direction=rx -p size=64B --until 12ms scenarios/nic-compare.lua"
    echo "dynamic-load -p vmq=dynamic -p step=20ms --until 100ms scenarios/dynamic-load.lua"
    echo "vm-nics --until 8ms scenarios/vm-nics.lua"
    echo "host-rss -p queues=4 -p load=50% --until 6ms scenarios/host-rss.lua"
    echo "mm1 -p length=5ms scenarios/mm1.lua"
}

# What a run must keep, copied from results database $1 into a new one,
# $2, with only the tables and columns vnetsim compare reads.
keep() {  # FULL.db KEY.db
    rm -f "$2"
    "$sqlite" "$2" "
        CREATE TABLE run (runId INTEGER PRIMARY KEY);
        CREATE TABLE runAttr (runId INTEGER, attrName TEXT, attrValue TEXT);
        CREATE TABLE scalar (runId INTEGER, moduleName TEXT,
                             scalarName TEXT, scalarValue REAL);
        CREATE TABLE statistic (runId INTEGER, moduleName TEXT,
                                statName TEXT, statCount INTEGER,
                                statMean REAL);
        ATTACH '$1' AS f;
        INSERT INTO run SELECT runId FROM f.run;
        INSERT INTO runAttr SELECT runId, attrName, attrValue FROM f.runAttr
            WHERE attrName IN ('configname', 'iterationvars', 'repetition',
                               'seed', 'fingerprint', 'status')
            ORDER BY runId, attrName;
        INSERT INTO scalar SELECT runId, moduleName, scalarName, scalarValue
            FROM f.scalar
            WHERE (moduleName LIKE '%_sink'
                   AND scalarName IN ('frames', 'goodput_bytes', 'lost'))
               OR (moduleName LIKE '%.vmq'
                   AND scalarName IN ('lps_in_use_avg', 'spreads', 'coalesces'))
               OR (moduleName LIKE 'hv.%' AND scalarName LIKE 'exits.%'
                   AND scalarValue > 0)
               OR (moduleName LIKE 'cpu.lp%' AND scalarName = 'busy')
               OR moduleName = 'scenario'
            ORDER BY runId, moduleName, scalarName;
        INSERT INTO statistic SELECT runId, moduleName, statName, statCount,
            statMean FROM f.statistic WHERE statName = 'rtt'
            ORDER BY runId, moduleName;"
}

cases | while read -r name args; do
    # shellcheck disable=SC2086
    set -- $args
    last=$#
    eval "scen=\${$last}"
    argv=""
    i=1
    for a in "$@"; do
        [ $i -lt $last ] && argv="$argv $a"
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    "$vnetsim" run --quiet -o "$dir/$name.db" $argv "$src/$scen"
    keep "$dir/$name.db" "$dir/$name.key.db"
    golden="$src/tests/golden/$name.sql"
    if [ "$mode" = update ]; then
        mkdir -p "$src/tests/golden"
        "$sqlite" "$dir/$name.key.db" .dump > "$golden"
        echo "updated $golden"
        continue
    fi
    if [ ! -f "$golden" ]; then
        echo "FAIL: $name: no golden file $golden (run 'make update-golden')"
        echo x >> "$dir/failed"
        continue
    fi
    "$sqlite" "$dir/$name.golden.db" < "$golden"
    if "$vnetsim" compare "$dir/$name.golden.db" "$dir/$name.key.db" \
            > "$dir/$name.cmp" 2>&1; then
        echo "ok   $name: $(tail -1 "$dir/$name.cmp")"
    else
        echo "FAIL: $name differs from $golden (run 'make update-golden' if the change is intended):"
        head -40 "$dir/$name.cmp"
        echo x >> "$dir/failed"
    fi
done
[ ! -f "$dir/failed" ] || exit 1
