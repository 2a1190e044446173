#!/bin/sh
# test-plot.sh -- "vnetsim plot" end to end (skipped without gnuplot):
#   * with no --kind, the standard plots of a quickstart sweep: throughput,
#     cpu-owner (whose owners add up to the processors busy),
#     cpu, cpu-time, exits and latency, each a PNG of the default size
#     (800x500, read from its header) with its .dat and .gp beside it, and
#     the .gp redraws the image;
#   * --kind with .svg and .pdf, and --size: the requested format and size;
#   * repetitions (tests/scenarios/good/plot-reps.lua): one point per load
#     with its repetition count, drawn with error bars;
#   * a missing database, an incomplete run, a bad kind, extension or
#     size, a run that does not exist: a clear line and exit 1 or 2.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
command -v "${GNUPLOT:-gnuplot}" >/dev/null 2>&1 || { echo "SKIP: no gnuplot"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-plot-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
expect() {
    want=$1; shift
    set +e
    "$@" > "$dir/out" 2> "$dir/err"
    got=$?
    set -e
    [ "$got" = "$want" ] || { cat "$dir/out" "$dir/err"; fail "exit $got, expected $want: $*"; }
}
# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk (bytes 17-24).
png_size() {
    [ "$(head -c 8 "$1" | od -An -c | tr -d ' \n')" = '211PNG\r\n032\n' ] || { echo "not-png"; return; }
    od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d\n", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'
}

"$vnetsim" sweep --quiet -o "$dir/q.db" "$src/scenarios/quickstart.lua"
expect 0 "$vnetsim" plot "$dir/q.db" -o "$dir/p/q.png"
for k in throughput cpu cpu-owner cpu-time exits latency; do
    for f in "$dir/p/q-$k.png" "$dir/p/q-$k.dat" "$dir/p/q-$k.gp"; do
        [ -s "$f" ] || fail "no $f"
    done
    [ "$(png_size "$dir/p/q-$k.png")" = 800x500 ] || fail "q-$k.png is $(png_size "$dir/p/q-$k.png")"
done
[ "$(grep -c '^  ' "$dir/out")" = 6 ] || fail "expected six plots listed: $(cat "$dir/out")"
# every busy moment has an owner: the owners add up to the processors busy
a=$(awk '/^# all owners$/ { f = 1; next } f && $1 == 80 { printf "%.6f", $2; exit }' "$dir/p/q-cpu-owner.dat")
b=$(awk '/^# quickstart vmq=dynamic$/ { f = 1; next } f && $1 == 80 { printf "%.6f", $2; exit }' "$dir/p/q-cpu.dat")
grep -q "^set title 'Processors busy by owner: quickstart vmq=dynamic'$" "$dir/p/q-cpu-owner.gp" ||
    grep -q "^set title 'Processors busy by owner: quickstart vmq=static'$" "$dir/p/q-cpu-owner.gp" || fail "cpu-owner title"
if grep -q "owner: quickstart vmq=dynamic'" "$dir/p/q-cpu-owner.gp"; then
    [ -n "$a" ] && [ "$a" = "$b" ] || fail "owners add up to $a, processors busy $b"
fi
expect 0 "$vnetsim" plot "$dir/q.db" -o "$dir/p/o.png" --kind cpu-owner --series 'quickstart vmq=dynamic'
a=$(awk '/^# all owners$/ { f = 1; next } f && $1 == 80 { printf "%.6f", $2; exit }' "$dir/p/o.dat")
[ -n "$a" ] && [ "$a" = "$b" ] || fail "owners of vmq=dynamic add up to $a, processors busy $b"
grep -q "^# vmswitch$" "$dir/p/o.dat" || fail "no vmswitch owner"
expect 1 "$vnetsim" plot "$dir/q.db" -o "$dir/p/o.png" --kind cpu-owner --series nosuch
grep -q "^set xlabel 'load (%)'$" "$dir/p/q-throughput.gp" || fail "throughput x label"
grep -q "^set ylabel 'delivered (Gbit/s)'$" "$dir/p/q-throughput.gp" || fail "throughput y label"
grep -q "title 'quickstart vmq=dynamic'" "$dir/p/q-throughput.gp" || fail "a series per VMQ policy"
grep -q "^# quickstart vmq=static$" "$dir/p/q-cpu.dat" || fail "cpu data"
grep -q "hypercall" "$dir/p/q-exits.dat" || fail "exits by reason"
# the data is the database's: the static policy at 80 % delivered what
# the sinks say
want=$("$sqlite" "$dir/q.db" "SELECT printf('%.6f', sum(s.scalarValue) * 8 / 0.030 / 1e9) FROM scalar s
    JOIN runItervar a ON a.runId = s.runId AND a.itervarName = 'vmq' AND a.itervarValue = 'static'
    JOIN runItervar b ON b.runId = s.runId AND b.itervarName = 'load' AND b.itervarValue = '80%'
    WHERE s.moduleName LIKE '%_sink' AND s.scalarName = 'goodput_bytes'")
got=$(awk '/^# quickstart vmq=static$/ { f = 1; next } f && $1 == 80 { printf "%.6f", $2; exit }' "$dir/p/q-throughput.dat")
[ "$want" = "$got" ] || fail "throughput of static at 80 %: plotted $got, database $want"
# the script redraws its image
rm "$dir/p/q-cpu.png"
(cd "$dir/p" && "${GNUPLOT:-gnuplot}" q-cpu.gp) || fail "q-cpu.gp does not run"
[ "$(png_size "$dir/p/q-cpu.png")" = 800x500 ] || fail "q-cpu.gp did not redraw"

# formats and sizes
expect 0 "$vnetsim" plot "$dir/q.db" -o "$dir/p/t.svg" --kind throughput --size 640x480
grep -q 'viewBox="0 0 640 480"' "$dir/p/t.svg" || fail "SVG size"
r=$("$sqlite" "$dir/q.db" "SELECT a.runId FROM runItervar a JOIN runItervar b ON b.runId = a.runId
    WHERE a.itervarName = 'vmq' AND a.itervarValue = 'static' AND b.itervarName = 'load' AND b.itervarValue = '80%'")
expect 0 "$vnetsim" plot "$dir/q.db" -o "$dir/p/c.pdf" --kind cpu-time --run "$r"
[ "$(head -c 4 "$dir/p/c.pdf")" = "%PDF" ] || fail "PDF"
grep -q "^set title 'Processor utilisation over time: quickstart vmq=static, load=80% #0'$" "$dir/p/c.gp" || fail "cpu-time of run $r: $(grep title "$dir/p/c.gp")"
expect 0 "$vnetsim" plot "$dir/q.db" -o "$dir/p/w.png" --kind latency --size 1000x300
[ "$(png_size "$dir/p/w.png")" = 1000x300 ] || fail "--size: $(png_size "$dir/p/w.png")"

# repetitions: one point per load, n = 2, error bars
"$vnetsim" sweep --quiet -o "$dir/r.db" "$src/tests/scenarios/good/plot-reps.lua"
expect 0 "$vnetsim" plot "$dir/r.db" -o "$dir/p/r.png" --kind throughput
[ "$(grep -c ' 2$' "$dir/p/r.dat")" = 2 ] || fail "repetitions: $(cat "$dir/p/r.dat")"
grep -q "with yerrorlines" "$dir/p/r.gp" || fail "repetitions without error bars"

# trouble
expect 1 "$vnetsim" plot "$dir/none.db" -o "$dir/p/x.png"
grep -q "none.db: cannot read it$" "$dir/err" || fail "missing db: $(cat "$dir/err")"
cp "$dir/q.db" "$dir/i.db"
"$sqlite" "$dir/i.db" "UPDATE runAttr SET attrValue = 'running' WHERE runId = 3 AND attrName = 'status'"
expect 1 "$vnetsim" plot "$dir/i.db" -o "$dir/p/x.png"
grep -q "i.db: run 3 (status 'running') is not complete: plot needs complete runs$" "$dir/err" || fail "incomplete: $(cat "$dir/err")"
[ "$(wc -l < "$dir/err")" = 1 ] || fail "incomplete: more than one line"
expect 2 "$vnetsim" plot "$dir/q.db" -o "$dir/p/x.png" --kind pie
expect 2 "$vnetsim" plot "$dir/q.db" -o "$dir/p/x.gif"
expect 2 "$vnetsim" plot "$dir/q.db" -o "$dir/p/x.png" --size 10x10
expect 2 "$vnetsim" plot "$dir/q.db"
expect 1 "$vnetsim" plot "$dir/q.db" -o "$dir/p/x.png" --kind cpu-time --run 99
expect 1 "$vnetsim" plot "$dir/q.db" -o "$dir/p/x.png" --x nosuch
grep -q "no iteration variable 'nosuch'" "$dir/err" || fail "--x: $(cat "$dir/err")"
expect 0 "$vnetsim" plot --help
echo "PASS: vnetsim plot"
