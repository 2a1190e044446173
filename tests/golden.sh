#!/bin/sh
# golden.sh -- the flagship scenarios in short form, checked against the
# golden files in tests/golden/: each run's fingerprint (the event
# sequence) and its key scalars (to 6 significant digits).  A change that
# moves them fails here; after an intentional change, `make update-golden`
# rewrites the files (and the diff shows what moved, for the commit).
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
status=0

# The short form of each scenario: NAME, then the arguments of vnetsim run.
cases() {
    echo "quickstart -r 3 --until 45ms scenarios/quickstart.lua"
    echo "vmq-compare -p vmq=dynamic -p load=70% --until 130ms scenarios/vmq-compare.lua"
    echo "vmq-compare-none -p vmq=none -p load=70% --until 110ms scenarios/vmq-compare.lua"
    echo "nic-compare -p nic=legacy -p direction=tx -p size=512B --until 12ms scenarios/nic-compare.lua"
    echo "nic-compare-synthetic -p nic=synthetic -p direction=rx -p size=64B --until 12ms scenarios/nic-compare.lua"
    echo "dynamic-load -p vmq=dynamic -p step=20ms --until 100ms scenarios/dynamic-load.lua"
}

# What a run must keep: the fingerprint and the scalars and statistics that
# carry the answers (delivery, processors, exits, latency).
summary() {  # DB
    "$sqlite" "$1" "SELECT 'fingerprint ' || attrValue FROM runAttr WHERE attrName='fingerprint'"
    "$sqlite" -separator ' ' "$1" "SELECT 'scalar', moduleName, scalarName,
        printf('%.6g', scalarValue) FROM scalar
        WHERE (moduleName LIKE '%_sink' AND scalarName IN ('frames', 'goodput_bytes', 'lost'))
           OR (moduleName LIKE '%.vmq' AND scalarName IN ('lps_in_use_avg', 'spreads', 'coalesces'))
           OR (moduleName LIKE 'hv.%' AND scalarName LIKE 'exits.%' AND scalarValue > 0)
           OR (moduleName LIKE 'cpu.lp%' AND scalarName = 'busy')
        ORDER BY moduleName, scalarName"
    "$sqlite" -separator ' ' "$1" "SELECT 'statistic', moduleName, statName, statCount,
        printf('%.6g', statMean) FROM statistic WHERE statName = 'rtt'
        ORDER BY moduleName"
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
    summary "$dir/$name.db" > "$dir/$name.txt"
    golden="$src/tests/golden/$name.txt"
    if [ "$mode" = update ]; then
        cp "$dir/$name.txt" "$golden"
        echo "updated $golden"
    elif ! diff -u "$golden" "$dir/$name.txt" > "$dir/$name.diff" 2>&1; then
        echo "FAIL: $name differs from $golden (run 'make update-golden' if the change is intended):"
        head -40 "$dir/$name.diff"
        echo x >> "$dir/failed"
    else
        echo "ok   $name: $(head -1 "$dir/$name.txt")"
    fi
done
[ ! -f "$dir/failed" ] || exit 1
