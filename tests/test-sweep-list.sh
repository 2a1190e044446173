#!/bin/sh
# test-sweep-list.sh -- "vnetsim sweep --list" prints exactly the runs
# "vnetsim sweep" makes:
#   * one line per run, RUN <tab> SEED <tab> VARIABLES, nothing else, in
#     run order, for scenarios/mm1.lua (seed set "run") and a scenario
#     with seedset = "repetition" and two swept variables;
#   * the run numbers, seeds and variables equal the runnumber, seed,
#     iterationvars and repetition attributes of the runs the sweep
#     records, with and without --seed BASE and a -r filter;
#   * the list agrees with --dry-run; --list is a sweep option only.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-list-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
tab=$(printf '\t')

# recorded DB: "RUN SEED VARIABLES" per run of DB, as --list writes them
# (iterationvars "$a=1, $b=x" and repetition R become "a=1, b=x,
# repetition=R"), sorted by run number.
recorded() {
    "$sqlite" -separator "$tab" "$1" "SELECT
        (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND attrName = 'runnumber'),
        (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND attrName = 'seed'),
        replace((SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND attrName = 'iterationvars'), '\$', '')
        || (CASE WHEN (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND attrName = 'iterationvars') = ''
                 THEN '' ELSE ', ' END)
        || 'repetition=' || (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND attrName = 'repetition')
        FROM run r" | sort -n
}
# check NAME LIST DB: the list equals the runs the sweep recorded.
check() {
    recorded "$3" > "$dir/rec"
    [ -s "$2" ] || fail "$1: empty list"
    cmp -s "$2" "$dir/rec" || { diff "$2" "$dir/rec"; fail "$1: --list differs from the runs the sweep made"; }
}

# --- mm1: seed = run, one variable, two repetitions ---
mm1="$src/scenarios/mm1.lua"
"$vnetsim" sweep --list -p length=20ms "$mm1" > "$dir/l1"
[ "$(wc -l < "$dir/l1")" = 6 ] || fail "mm1: $(wc -l < "$dir/l1") lines, expected 6"
[ "$(sed -n 4p "$dir/l1")" = "3${tab}3${tab}rho=80%, repetition=1" ] || fail "mm1 line 4: $(sed -n 4p "$dir/l1")"
[ "$(cut -f1 "$dir/l1" | tr '\n' ' ')" = "0 1 2 3 4 5 " ] || fail "run numbers: $(cut -f1 "$dir/l1")"
"$vnetsim" sweep --quiet -j 2 -p length=20ms -o "$dir/s1.db" "$mm1"
check "mm1" "$dir/l1" "$dir/s1.db"

# --seed BASE and a filter
"$vnetsim" sweep --list --seed 100 -r 'rho>=80%' "$mm1" > "$dir/l2"
[ "$(cut -f1,2 "$dir/l2" | tr '\n\t' ' :')" = "2:102 3:103 4:104 5:105 " ] || fail "--seed 100 -r: $(cat "$dir/l2")"
"$vnetsim" sweep --quiet -j 2 -p length=20ms --seed 100 -r 'rho>=80%' -o "$dir/s2.db" "$mm1"
check "mm1 --seed 100 -r" "$dir/l2" "$dir/s2.db"

# --- seedset = repetition, two variables ---
cat > "$dir/crn.lua" <<'LUA'
local p = sim.params {
  { name = "mode", default = "a", description = "mode", sweep = { "a", "b" } },
  { name = "n", default = 1, description = "count", sweep = { 1, 2, 3 } },
  repetitions = 2, seedset = "repetition",
}
sim.config { duration = "1us" }
sim.scalar("x", p.n * math.random(1000))
LUA
"$vnetsim" sweep --list --seed 7 "$dir/crn.lua" > "$dir/l3"
[ "$(wc -l < "$dir/l3")" = 12 ] || fail "crn: $(wc -l < "$dir/l3") lines, expected 12"
[ "$(sed -n 10p "$dir/l3")" = "9${tab}8${tab}mode=b, n=2, repetition=1" ] || fail "crn line 10: $(sed -n 10p "$dir/l3")"
[ "$(cut -f2 "$dir/l3" | sort -u | tr '\n' ' ')" = "7 8 " ] || fail "crn seeds: $(cut -f2 "$dir/l3")"
"$vnetsim" sweep --quiet -j 2 --seed 7 -o "$dir/s3.db" "$dir/crn.lua"
check "seedset = repetition" "$dir/l3" "$dir/s3.db"

# --- --list agrees with --dry-run ---
"$vnetsim" sweep --dry-run --seed 7 "$dir/crn.lua" | sed -n 's/^  run \([0-9]*\): \(.*\), seed \([0-9]*\)$/\1\t\3\t\2/p' > "$dir/dry"
cmp -s "$dir/dry" "$dir/l3" || { diff "$dir/dry" "$dir/l3"; fail "--list and --dry-run disagree"; }

# --- only sweep has --list ---
set +e
"$vnetsim" run --list "$mm1" > /dev/null 2> "$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "run --list exited $rc, expected 2"
grep -q "unknown option '--list'" "$dir/err" || fail "run --list: $(cat "$dir/err")"
echo "test-sweep-list: all checks passed"
