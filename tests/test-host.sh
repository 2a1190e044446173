#!/bin/sh
# test-host.sh -- the host's models end to end through Lua scenarios:
#   * determinism: tests/scenarios/good/mixed.lua (UDP, TCP and
#     request/response on a VLAN through an RSS NIC) run twice gives the
#     same fingerprint and identical scalar rows;
#   * every frame delivered: what the client sent the host received
#     (apart from those still in flight at the end);
#   * processors are never more than fully busy, and idle ones are idle;
#   * RSS spreads receive work: with minimum frames at line rate the host
#     delivers more than 3x as much with 4 queues as with 1, and with 1
#     queue only processor 0 works;
#   * the host behind the real switch (tests/scenarios/good/switched.lua):
#     deterministic, every UDP frame delivered, no switch drops, and the
#     switch's work charged to processors as owner "vmswitch";
#   * RSS on the host's virtual NIC spreads the stack's receive work over
#     its processors without losing or reordering a flow;
#   * a run cut short mid-flight frees every frame it still holds (a
#     leak fails the sanitizer build);
#   * moving a queue's interrupt to another processor mid-run moves the
#     interrupts (through the remapping table) and loses no frame;
#   * the timeline has ISR, DPC and passive spans;
#   * the capture (--pcap) is a nanosecond Ethernet pcap in which tshark
#     finds no malformed frame and no bad IP, TCP or UDP checksum
#     (skipped without tshark).
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
tshark="${TSHARK:-tshark}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-host-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
q() { "$sqlite" "$1" "$2"; }
scalar() {  # DB MODULE NAME
    q "$1" "SELECT scalarValue FROM scalar WHERE moduleName='$2' AND scalarName='$3'"
}
mixed="$src/tests/scenarios/good/mixed.lua"

# --- determinism ---
"$vnetsim" run --quiet -o "$dir/a.db" "$mixed"
"$vnetsim" run --quiet -o "$dir/a.db" "$mixed"
fp() { q "$1" "SELECT attrValue FROM runAttr WHERE runId=$2 AND attrName='fingerprint'"; }
[ "$(fp "$dir/a.db" 1)" = "$(fp "$dir/a.db" 2)" ] || fail "same run, different fingerprints"
rows() { q "$dir/a.db" "SELECT moduleName, scalarName, quote(scalarValue) FROM scalar WHERE runId=$1 ORDER BY scalarId"; }
[ "$(rows 1)" = "$(rows 2)" ] || fail "same run, different scalars"
[ "$(q "$dir/a.db" "SELECT count(*) FROM scalar WHERE runId=1")" -gt 100 ] || fail "too few scalars"

# --- delivery and processors ---
sent=$(scalar "$dir/a.db" client.udp frames | head -1)
got=$(scalar "$dir/a.db" host.udp_sink frames | head -1)
awk -v s="$sent" -v g="$got" 'BEGIN { exit !(s > 100 && g >= s - 5 && g <= s + 5) }' ||
    fail "UDP: client sent $sent, host received $got"
[ "$(scalar "$dir/a.db" client.ping responses | head -1)" != 0.0 ] || fail "no responses"
[ "$(scalar "$dir/a.db" client.bulk_sink goodput_bytes | head -1)" != 0.0 ] || fail "no TCP goodput"
over=$(q "$dir/a.db" "SELECT count(*) FROM scalar WHERE runId=1 AND scalarName='busy' AND scalarValue > 1.0")
[ "$over" = 0 ] || fail "$over processors more than fully busy"

# --- RSS spreads the work ---
rss="$src/scenarios/host-rss.lua"
for n in 1 4; do
    "$vnetsim" run --quiet -o "$dir/q$n.db" -p queues=$n -p load=100% -p size=64B --until 6ms "$rss"
done
g1=$(scalar "$dir/q1.db" host.load_sink frames)
g4=$(scalar "$dir/q4.db" host.load_sink frames)
awk -v a="$g1" -v b="$g4" 'BEGIN { exit !(a > 0 && b > 3 * a) }' ||
    fail "RSS: 1 queue delivered $g1 frames, 4 queues $g4 (expected more than 3x)"
[ "$(scalar "$dir/q1.db" cpu.lp0 busy)" = 1.0 ] || fail "1 queue: processor 0 not saturated"
[ "$(scalar "$dir/q1.db" cpu.lp1 busy)" = 0.0 ] || fail "1 queue: processor 1 worked"
[ "$(scalar "$dir/q1.db" nic0 drops.ring_full)" != 0.0 ] || fail "1 queue: no ring overflow at line rate"

# --- the host behind the real switch ---
sws="$src/tests/scenarios/good/switched.lua"
"$vnetsim" run --quiet -o "$dir/sw.db" "$sws"
"$vnetsim" run --quiet -o "$dir/sw.db" "$sws"
[ "$(fp "$dir/sw.db" 1)" = "$(fp "$dir/sw.db" 2)" ] || fail "switched: same run, different fingerprints"
sent=$(scalar "$dir/sw.db" client.udp frames | head -1)
got=$(scalar "$dir/sw.db" host.udp_sink frames | head -1)
lat=$(scalar "$dir/sw.db" host.udp_sink latency:max | head -1)
# in flight at the end: at most the frames sent within the largest
# latency (the measured window is 4 ms)
awk -v s="$sent" -v g="$got" -v l="$lat" 'BEGIN { a = s * (l / 1e12) / 0.004 + 3
    exit !(s > 100 && g >= s - a && g <= s + 5) }' ||
    fail "switched: client sent $sent, host received $got (latency up to $lat ps)"
[ "$(scalar "$dir/sw.db" host.udp_sink lost | head -1)" = 0.0 ] || fail "switched: frames lost"
[ "$(scalar "$dir/sw.db" client.ping responses | head -1)" != 0.0 ] || fail "switched: no responses"
[ "$(scalar "$dir/sw.db" client.bulk_sink goodput_bytes | head -1)" != 0.0 ] || fail "switched: no TCP goodput"
[ "$(scalar "$dir/sw.db" scenario vsw.drops | head -1)" = 0.0 ] || fail "switched: the switch dropped frames"
swt=$(q "$dir/sw.db" "SELECT count(*) FROM scalar WHERE runId=1 AND moduleName LIKE 'cpu.lp%' AND scalarName='owner.vmswitch' AND scalarValue > 0")
[ "$swt" -gt 0 ] || fail "switched: no processor time charged to the switch"

# RSS on the host's virtual NIC spreads its receive processing over LPs 0-2
"$vnetsim" run --quiet -o "$dir/swr.db" -p rss=true "$sws"
spread=$(q "$dir/swr.db" "SELECT count(*) FROM scalar WHERE runId=1 AND moduleName IN ('cpu.lp0','cpu.lp1','cpu.lp2') AND scalarName='owner.host.stack' AND scalarValue > 0.01")
[ "$spread" -ge 2 ] || fail "host vNIC RSS: the stack ran on $spread of LPs 0-2"
[ "$(scalar "$dir/swr.db" host.udp_sink lost | head -1)" = 0.0 ] || fail "host vNIC RSS: frames lost"
[ "$(scalar "$dir/swr.db" host.udp_sink reordered | head -1)" = 0.0 ] || fail "host vNIC RSS: a flow reordered"

# --- a run cut short mid-flight frees every frame it still holds ---
# (frames in rings, DMA, driver batches and host-stack indications; the
# sanitizer build in CI turns a leak into a failure here)
for u in 2100us 2345us 4321us; do
    "$vnetsim" run --quiet -o "$dir/cut.db" -p queues=3 -p load=100% --until $u "$rss" ||
        fail "run cut at $u failed"
done

# --- moving a queue's interrupt (MSI-X retargeting through remapping) ---
"$vnetsim" run --quiet -o "$dir/r.db" "$src/tests/scenarios/good/retarget.lua"
for lp in 0 1; do
    n=$(scalar "$dir/r.db" "apic.lapic$lp" vector_0x60)
    awk -v n="$n" 'BEGIN { exit !(n >= 3) }' || fail "retarget: LP $lp took $n interrupts"
done
[ "$(scalar "$dir/r.db" client.udp frames)" = "$(scalar "$dir/r.db" host.udp_sink frames)" ] ||
    fail "retarget: frames lost"
[ "$(scalar "$dir/r.db" host.udp_sink lost)" = 0.0 ] || fail "retarget: sink saw loss"

# --- timeline ---
"$vnetsim" run --quiet -o "$dir/t.db" --until 2ms --timeline "$dir/t.json" "$mixed"
for cat in isr dpc passive; do
    grep -q "\"cat\":\"$cat\"" "$dir/t.json" || fail "timeline has no $cat span"
done

# --- capture ---
"$vnetsim" run --quiet -o "$dir/c.db" --until 3ms --pcap "$dir/cap" "$mixed"
[ -s "$dir/cap-nic0.pcap" ] || fail "no capture written"
if command -v "$tshark" >/dev/null 2>&1; then
    total=$("$tshark" -r "$dir/cap-nic0.pcap" 2>/dev/null | wc -l)
    bad=$("$tshark" -r "$dir/cap-nic0.pcap" -o ip.check_checksum:TRUE \
          -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
          -Y '_ws.malformed || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad"' \
          2>/dev/null | wc -l)
    [ "$total" -gt 1000 ] || fail "capture has only $total frames"
    [ "$bad" = 0 ] || fail "tshark found $bad malformed frames or bad checksums"
    kinds=$("$tshark" -r "$dir/cap-nic0.pcap" -T fields -e ip.proto 2>/dev/null | sort -u | tr '\n' ' ')
    [ "$kinds" = "17 6 " ] || fail "capture protocols: $kinds"
    echo "capture: $total frames, 0 bad"
else
    echo "note: no tshark, capture contents not checked"
fi
echo "PASS: host models end to end"
