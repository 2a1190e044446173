#!/bin/sh
# test-timeline.sh -- the Chrome/Perfetto timeline (vnetsim run --timeline),
# read back with sqlite3's JSON functions:
#   * valid JSON; a lane named for each logical processor and each virtual
#     processor;
#   * on a processor's lane, level slices (ISR, DPC, thread) with the
#     owners' slices nested inside, slices of one lane never partially
#     overlapping, and each kind's slices in time order;
#   * on a VP's lane, its running slices and an instant for every exit
#     (the legacy NIC's port I/O among them); interrupts as instants on the
#     processors' lanes; the dynamic VMQ policy's moves on its lane;
#   * --timeline-window keeps only that span of time (slices clipped);
#     a bad window, or one without --timeline, is a usage error.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-timeline-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# load JSON DB: the events of a timeline as a table ev(i, ph, tid, name,
# cat, ts, dur, lane), i the file order, lane the tid's name.
load() {
    "$sqlite" "$2" "
        CREATE TABLE ev AS SELECT CAST(key AS INTEGER) AS i,
            json_extract(value, '\$.ph') AS ph, json_extract(value, '\$.tid') AS tid,
            json_extract(value, '\$.name') AS name, json_extract(value, '\$.cat') AS cat,
            json_extract(value, '\$.ts') AS ts, json_extract(value, '\$.dur') AS dur
        FROM json_each(readfile('$1'), '\$.traceEvents');
        CREATE TABLE lane AS SELECT json_extract(value, '\$.tid') AS tid, json_extract(value, '\$.args.name') AS name
            FROM json_each(readfile('$1'), '\$.traceEvents')
            WHERE json_extract(value, '\$.ph') = 'M' AND json_extract(value, '\$.name') = 'thread_name';"
}
q() { "$sqlite" "$1" "$2"; }

leg="$src/tests/scenarios/good/vm-legacy.lua"
"$vnetsim" run --quiet -o "$dir/l.db" --timeline "$dir/l.json" --timeline-window 4ms,6ms "$leg"
[ "$(q :memory: "SELECT json_valid(readfile('$dir/l.json'))")" = 1 ] || fail "not valid JSON"
load "$dir/l.json" "$dir/t.db"
for l in cpu.lp0 cpu.lp1 cpu.lp2 hv.vm1.vp0 hv.vm2.vp0; do
    [ "$(q "$dir/t.db" "SELECT count(*) FROM lane WHERE name = '$l'")" = 1 ] || fail "no lane $l"
done
# the window: everything within [4000, 6000] us
bad=$(q "$dir/t.db" "SELECT count(*) FROM ev WHERE ph != 'M' AND (ts < 4000 - 1e-6 OR ts + coalesce(dur, 0) > 6000 + 1e-6)")
[ "$bad" = 0 ] || fail "$bad events outside the window"
# processors: level slices, owners nested inside them
[ "$(q "$dir/t.db" "SELECT count(*) FROM ev WHERE cat = 'level' AND name IN ('ISR', 'DPC', 'thread')")" -gt 10 ] || fail "no level slices"
orphans=$(q "$dir/t.db" "SELECT count(*) FROM ev o WHERE o.ph = 'X' AND o.cat IN ('isr', 'dpc', 'passive')
    AND NOT EXISTS (SELECT 1 FROM ev l WHERE l.tid = o.tid AND l.cat = 'level'
                    AND l.ts <= o.ts + 1e-6 AND o.ts + o.dur <= l.ts + l.dur + 1e-6)")
[ "$orphans" = 0 ] || fail "$orphans owner slices outside every level slice"
# no partial overlap on a lane
partial=$(q "$dir/t.db" "SELECT count(*) FROM ev a JOIN ev b ON a.tid = b.tid AND a.i != b.i
    WHERE a.ph = 'X' AND b.ph = 'X' AND a.ts < b.ts - 1e-6
      AND b.ts < a.ts + a.dur - 1e-6 AND a.ts + a.dur < b.ts + b.dur - 1e-6")
[ "$partial" = 0 ] || fail "$partial pairs of slices partially overlap"
# each kind of slice in time order on its lane (file order = time order)
back=$(q "$dir/t.db" "SELECT count(*) FROM ev a JOIN ev b ON a.tid = b.tid
    AND (a.cat = 'level') = (b.cat = 'level') AND b.i > a.i
    WHERE a.ph = 'X' AND b.ph = 'X' AND b.ts < a.ts + a.dur - 1e-6")
[ "$back" = 0 ] || fail "$back slices start before an earlier one of their kind ends"
# VPs: running slices and exits; interrupts on processors
[ "$(q "$dir/t.db" "SELECT count(*) FROM ev e JOIN lane l USING (tid) WHERE l.name = 'hv.vm1.vp0' AND e.cat = 'vp' AND e.name LIKE 'on lp%'")" -gt 0 ] ||
    fail "no running slice of hv.vm1.vp0"
io=$(q "$dir/t.db" "SELECT count(*) FROM ev e JOIN lane l USING (tid) WHERE l.name = 'hv.vm1.vp0' AND e.ph = 'i' AND e.cat = 'exit' AND e.name = 'exit: io_port'")
[ "$io" -gt 0 ] || fail "no port I/O exit on the legacy VM's VP"
[ "$(q "$dir/t.db" "SELECT count(*) FROM ev e JOIN lane l USING (tid) WHERE l.name LIKE 'cpu.lp%' AND e.ph = 'i' AND e.cat = 'interrupt' AND e.name LIKE 'interrupt 0x%'")" -gt 0 ] ||
    fail "no interrupt instant"
# every port I/O exit of the window is on the timeline: the count agrees
# with a run of the same scenario cut at the window's edges
"$vnetsim" run --quiet -o "$dir/a.db" --until 4ms "$leg"
"$vnetsim" run --quiet -o "$dir/b.db" --until 6ms "$leg"
a=$(q "$dir/a.db" "SELECT scalarValue FROM scalar WHERE moduleName = 'hv.vm1' AND scalarName = 'exits.io_port'")
b=$(q "$dir/b.db" "SELECT scalarValue FROM scalar WHERE moduleName = 'hv.vm1' AND scalarName = 'exits.io_port'")
awk -v a="$a" -v b="$b" -v n="$io" 'BEGIN { d = b - a; exit !(n >= d - 1 && n <= d + 1) }' ||
    fail "the timeline has $io port I/O exits in [4, 6] ms; the counters say $b - $a"

# VMQ moves
"$vnetsim" run --quiet -o "$dir/v.db" --timeline "$dir/v.json" -p vmq=dynamic "$src/tests/scenarios/good/vmq.lua"
load "$dir/v.json" "$dir/v.t.db"
moves=$(q "$dir/v.t.db" "SELECT count(*) FROM ev e JOIN lane l USING (tid) WHERE l.name = 'nic0.vmq' AND e.cat = 'vmq' AND e.name LIKE 'queue % -> lp%'")
spreads=$(q "$dir/v.db" "SELECT sum(scalarValue) FROM scalar WHERE moduleName = 'nic0.vmq' AND scalarName IN ('spreads', 'coalesces', 'assigns')")
awk -v m="$moves" -v s="$spreads" 'BEGIN { exit !(m > 0 && m >= s) }' || fail "VMQ moves on the timeline: $moves, decisions $spreads"

# usage errors
set +e
"$vnetsim" run --quiet -o "$dir/x.db" --timeline "$dir/x.json" --timeline-window 3ms,2ms "$leg" 2> "$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "timeline-window: expected FROM,TO" "$dir/err" || fail "bad window: $rc $(cat "$dir/err")"
set +e
"$vnetsim" run --quiet -o "$dir/x.db" --timeline-window 1ms,2ms "$leg" 2> "$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "needs --timeline" "$dir/err" || fail "window without timeline: $rc $(cat "$dir/err")"
echo "PASS: the timeline"
