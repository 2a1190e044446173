#!/bin/sh
# test-course.sh -- every lab of the course (doc/course/) in its short
# form, checking that what the lab teaches shows in the runs:
#   lab 1  the same run and seed give the same fingerprint and scalars,
#          another repetition or --seed another fingerprint; the measured
#          mean time in system is near queueing theory's;
#   lab 2  moderation off takes more interrupts, costs more CPU and gives
#          a shorter request/response time than fixed moderation; a dearer
#          EOI costs more ISR time;
#   lab 3  the legacy NIC makes more than 3 port-I/O exits per frame, each
#          an intercept, and an EOI exit per injection; the synthetic NIC
#          none, and fewer exits per frame of every kind together; the
#          timeline holds as many port-I/O exits as the counter;
#   lab 4  the synthetic NIC signals the guest less per frame at high load
#          than at low load (batching), and every frame arrives;
#   lab 5  one queue works one processor; four queues spread the frames
#          evenly over four processors and deliver more; without the UDP
#          hash type, flows that differ only in ports share one queue;
#   lab 6  at low load dynamic VMQ uses fewer processors than static for
#          the same delivery, and more at high load than at low;
#   lab 7  a frame to an unlearned MAC floods (vm2 and the host receive
#          it); after learning nothing floods; a tagged frame on the
#          untagged external port is dropped, so its source is never
#          learned; the wire capture holds 802.1Q tags with the client's
#          VLAN and the switch port captures none (and tshark, if there,
#          reads the VLAN ids);
#   lab 8  RSC and a larger MSS cut the cycles per received byte while
#          delivering as much;
#   and every figure a lab shows exists in doc/course/figures/ and is one
#   that `make course-figures` (doc/course/make-figures) draws.
set -eu
vnetsim="${top_builddir:-.}/vnetsim"
src="${top_srcdir:-.}"
sqlite="${SQLITE3:-sqlite3}"
tshark="${TSHARK:-tshark}"
command -v "$sqlite" >/dev/null 2>&1 || { echo "SKIP: no sqlite3"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-course-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
q() { "$sqlite" "$1" "$2"; }
lab() { echo "$src/scenarios/course/$1.lua"; }
run() {  # DB SCENARIO ARGS...
    db=$1; scen=$2; shift 2
    "$vnetsim" run --quiet -o "$dir/$db.db" "$@" "$(lab "$scen")" ||
        fail "$scen $*: run failed"
}
# scalar DB RUN MODULE NAME: one scalar of a run (empty if absent)
scalar() {
    q "$dir/$1.db" "SELECT scalarValue FROM scalar WHERE runId=$2 AND moduleName='$3' AND scalarName='$4'"
}
# sumof DB RUN MODULE-LIKE NAME: the sum of a scalar over modules
sumof() {
    q "$dir/$1.db" "SELECT coalesce(sum(scalarValue), 0) FROM scalar WHERE runId=$2 AND moduleName LIKE '$3' AND scalarName='$4'"
}
stat() {  # DB RUN MODULE NAME: a statistic's mean
    q "$dir/$1.db" "SELECT statMean FROM statistic WHERE runId=$2 AND moduleName='$3' AND statName='$4'"
}
fp() { q "$dir/$1.db" "SELECT attrValue FROM runAttr WHERE runId=$2 AND attrName='fingerprint'"; }
check() {  # MESSAGE AWK-CONDITION VAR=VALUE...
    msg=$1; cond=$2; shift 2
    awk "$@" "BEGIN { exit !($cond) }" || fail "$msg"
}

# --- lab 1: events, time, determinism, fingerprints ---
run l1 lab1-des -p length=2ms -p rho=30%
run l1 lab1-des -p length=2ms -p rho=30%
run l1 lab1-des -p length=2ms -p rho=30% -r 1
run l1 lab1-des -p length=2ms -p rho=30% --seed 7
[ "$(fp l1 1)" = "$(fp l1 2)" ] || fail "lab 1: same run, different fingerprints"
rows() { q "$dir/l1.db" "SELECT moduleName, scalarName, quote(scalarValue) FROM scalar WHERE runId=$1 ORDER BY scalarId"; }
[ "$(rows 1)" = "$(rows 2)" ] || fail "lab 1: same run, different scalars"
[ "$(fp l1 1)" != "$(fp l1 3)" ] || fail "lab 1: repetition 1 has repetition 0's fingerprint"
[ "$(fp l1 1)" != "$(fp l1 4)" ] || fail "lab 1: --seed 7 has seed 0's fingerprint"
t=$(scalar l1 1 scenario theory.sojourn)
m=$(scalar l1 1 scenario measured.sojourn)
check "lab 1: measured mean time in system $m ps, theory $t ps" \
    'm > 0.75 * t && m < 1.25 * t' -v m="$m" -v t="$t"
echo "ok   lab 1: fingerprint $(fp l1 1) twice, $(fp l1 3) and $(fp l1 4) with other seeds; T = $m ps (theory $t)"

# --- lab 2: interrupts and moderation ---
run l2 lab2-interrupts -p length=4ms -p moderation=off
run l2 lab2-interrupts -p length=4ms -p moderation=fixed
run l2 lab2-interrupts -p length=4ms -p moderation=off -p eoi=2000
i_off=$(scalar l2 1 nic0.q0 interrupts); i_fix=$(scalar l2 2 nic0.q0 interrupts)
b_off=$(scalar l2 1 cpu.lp0 busy); b_fix=$(scalar l2 2 cpu.lp0 busy)
r_off=$(stat l2 1 client.ping rtt); r_fix=$(stat l2 2 client.ping rtt)
check "lab 2: interrupts off $i_off, fixed $i_fix" 'a > 4 * b && b > 0' -v a="$i_off" -v b="$i_fix"
check "lab 2: busy off $b_off, fixed $b_fix" 'a > b' -v a="$b_off" -v b="$b_fix"
check "lab 2: RTT off $r_off, fixed $r_fix" 'a > 0 && a < b' -v a="$r_off" -v b="$r_fix"
[ "$(scalar l2 1 apic.lapic0 vector_0x60)" = "$i_off" ] || fail "lab 2: vector 0x60 taken a different number of times than the queue interrupted"
s1=$(scalar l2 1 cpu.lp0 isr); s3=$(scalar l2 3 cpu.lp0 isr)
check "lab 2: ISR time with eoi=100 $s1, eoi=2000 $s3" 'b > 2 * a' -v a="$s1" -v b="$s3"
echo "ok   lab 2: interrupts $i_off vs $i_fix, busy $b_off vs $b_fix, RTT $r_off vs $r_fix ps"

# --- lab 3: exits, legacy vs synthetic ---
run l3 lab3-exits -p length=6ms -p nic=legacy --timeline "$dir/l3.json" --timeline-window 2ms,6ms
run l3 lab3-exits -p length=6ms -p nic=synthetic
frames() { echo "$(scalar l3 "$1" vm rx_frames) $(scalar l3 "$1" vm tx_frames)" | awk '{ print $1 + $2 }'; }
fl=$(frames 1); fs=$(frames 2)
io=$(scalar l3 1 hv.vm exits.io_port)
check "lab 3: legacy $io port exits for $fl frames" 'f > 10 && io > 3 * f' -v io="$io" -v f="$fl"
[ "$(scalar l3 1 hv.vm intercepts)" = "$io" ] || fail "lab 3: legacy port exits are not all intercepts"
[ "$(scalar l3 1 hv.vm exits.eoi)" != 0.0 ] || fail "lab 3: legacy NIC made no EOI exit"
[ "$(scalar l3 2 hv.vm exits.io_port)" = 0.0 ] || fail "lab 3: synthetic NIC made port exits"
el=$(q "$dir/l3.db" "SELECT sum(scalarValue) FROM scalar WHERE runId=1 AND moduleName='hv.vm' AND scalarName LIKE 'exits.%'")
es=$(q "$dir/l3.db" "SELECT sum(scalarValue) FROM scalar WHERE runId=2 AND moduleName='hv.vm' AND scalarName LIKE 'exits.%'")
check "lab 3: exits per frame legacy $el/$fl, synthetic $es/$fs" \
    'fs > 10 && es / fs < el / fl / 2' -v el="$el" -v fl="$fl" -v es="$es" -v fs="$fs"
tl=$(grep -c '"name":"exit: io_port"' "$dir/l3.json" || true)
[ "$tl" = "${io%.0}" ] || fail "lab 3: $tl port exits on the timeline, $io counted"
echo "ok   lab 3: legacy $io port exits for $fl frames; exits per frame $el/$fl vs $es/$fs"

# --- lab 4: VMBus batching ---
run l4 lab4-vmbus -p length=4ms -p load=10Mbps
run l4 lab4-vmbus -p length=4ms -p load=4Gbps
sig() { q "$dir/l4.db" "SELECT (SELECT scalarValue FROM scalar WHERE runId=$1 AND moduleName='hv.vm.nic0' AND scalarName='signals_to_guest') / (SELECT scalarValue FROM scalar WHERE runId=$1 AND moduleName='hv.vm.nic0' AND scalarName='rx_frames')"; }
lo=$(sig 1); hi=$(sig 2)
check "lab 4: signals per frame at 10 Mbit/s $lo, at 4 Gbit/s $hi" 'lo >= 0.9 && hi < lo / 4' -v lo="$lo" -v hi="$hi"
for r in 1 2; do
    [ "$(scalar l4 $r vm.down_sink lost)" = 0.0 ] || fail "lab 4: run $r lost frames"
done
echo "ok   lab 4: signals to the guest per frame $lo at 10 Mbit/s, $hi at 4 Gbit/s"

# --- lab 5: RSS ---
run l5 lab5-rss -p length=3ms -p queues=1
run l5 lab5-rss -p length=3ms -p queues=4
run l5 lab5-rss -p length=3ms -p queues=4 -p rss_udp=false
busy_lps() { q "$dir/l5.db" "SELECT count(*) FROM scalar WHERE runId=$1 AND moduleName LIKE 'cpu.lp%' AND scalarName='busy' AND scalarValue > 0.1"; }
[ "$(busy_lps 1)" = 1 ] || fail "lab 5: one queue kept $(busy_lps 1) processors busy"
[ "$(busy_lps 2)" = 4 ] || fail "lab 5: four queues kept $(busy_lps 2) processors busy"
d1=$(scalar l5 1 host.load_sink frames); d4=$(scalar l5 2 host.load_sink frames)
check "lab 5: delivered with 1 queue $d1, with 4 $d4" 'b > 2 * a && a > 0' -v a="$d1" -v b="$d4"
spread=$(q "$dir/l5.db" "SELECT min(scalarValue) / max(scalarValue) FROM scalar WHERE runId=2 AND moduleName LIKE 'nic0.q%' AND scalarName='rx_frames'")
check "lab 5: the hash spread 4 queues unevenly (min/max $spread)" 's > 0.8' -v s="$spread"
used=$(q "$dir/l5.db" "SELECT count(*) FROM scalar WHERE runId=3 AND moduleName LIKE 'nic0.q%' AND scalarName='rx_frames' AND scalarValue > 0")
[ "$used" = 1 ] || fail "lab 5: without the UDP hash, $used queues received"
echo "ok   lab 5: 1 queue delivered $d1 frames on 1 processor, 4 queues $d4 on 4"

# --- lab 6: VMQ policies ---
for v in static dynamic; do
    run l6 lab6-vmq -p length=60ms -p period=5ms -p vmq=$v -p load=10%
done
run l6 lab6-vmq -p length=60ms -p period=5ms -p vmq=dynamic -p load=100%
ls=$(scalar l6 1 nic0.vmq lps_in_use_avg); ld=$(scalar l6 2 nic0.vmq lps_in_use_avg)
lh=$(scalar l6 3 nic0.vmq lps_in_use_avg)
check "lab 6: processors at 10 %: static $ls, dynamic $ld" 'd < s' -v s="$ls" -v d="$ld"
check "lab 6: dynamic processors at 10 % $ld, at 100 % $lh" 'h > d' -v d="$ld" -v h="$lh"
gs=$(sumof l6 1 'g%_sink' goodput_bytes); gd=$(sumof l6 2 'g%_sink' goodput_bytes)
check "lab 6: delivered at 10 %: static $gs, dynamic $gd" 's > 0 && d > 0.98 * s' -v s="$gs" -v d="$gd"
echo "ok   lab 6: processors at 10 %: static $ls, dynamic $ld; dynamic at 100 %: $lh"

# --- lab 7: the switch ---
run l7 lab7-switch -p length=3ms -p first=client
run l7 lab7-switch -p length=3ms -p first=vm
run l7 lab7-switch -p length=3ms -p vlan=42 --pcap "$dir/cap"
[ "$(scalar l7 1 scenario vsw.flooded)" = 0.0 ] || fail "lab 7: flooding after the client spoke first"
[ "$(scalar l7 1 vm2 rx_frames)" = 0.0 ] || fail "lab 7: vm2 received frames not for it"
fl=$(scalar l7 2 scenario vsw.flooded); v2=$(scalar l7 2 vm2 rx_frames)
check "lab 7: vm spoke first: flooded $fl, vm2 got $v2" 'f > 0 && v == f' -v f="$fl" -v v="$v2"
[ "$(scalar l7 2 scenario vsw.learned)" = 2.0 ] || fail "lab 7: the switch did not learn both stations"
dr=$(scalar l7 3 scenario vsw.drops); sent=$(scalar l7 3 client tx_frames)
check "lab 7: VLAN 42: $dr drops of $sent tagged frames" 'd == s && s > 0' -v d="$dr" -v s="$sent"
[ "$(scalar l7 3 vm1.from_client_sink frames)" = 0.0 ] || fail "lab 7: a tagged frame reached vm1"
[ "$(scalar l7 3 scenario vsw.learned)" = 1.0 ] || fail "lab 7: the switch learned a dropped frame's source"
# 802.1Q tags in the bytes: the client's source MAC followed by TPID 0x8100
tags() { od -An -v -tx1 "$1" | tr -s ' \n' '  ' | grep -o '02 00 00 00 00 01 81 00 00 2a' | wc -l; }
[ "$(tags "$dir/cap-nic0.pcap")" = "${sent%.0}" ] ||
    fail "lab 7: the wire capture has $(tags "$dir/cap-nic0.pcap") frames tagged VLAN 42, the client sent $sent"
for f in "$dir"/cap-vsw.*.pcap; do
    n=$(od -An -v -tx1 "$f" | tr -s ' \n' '  ' | grep -o '02 00 00 00 00 01 81 00' | wc -l)
    [ "$n" = 0 ] || fail "lab 7: switch port capture $f has 802.1Q tags in its bytes"
done
if command -v "$tshark" >/dev/null 2>&1; then
    ids=$("$tshark" -r "$dir/cap-nic0.pcap" -Y vlan -T fields -e vlan.id 2>/dev/null | sort -u)
    [ "$ids" = 42 ] || fail "lab 7: tshark reads VLAN ids '$ids' in the wire capture"
    n=$("$tshark" -r "$dir/cap-vsw.external.pcap" -Y vlan 2>/dev/null | wc -l)
    [ "$n" = 0 ] || fail "lab 7: tshark finds $n tagged frames in the external port's capture"
    echo "     tshark reads VLAN 42 on the wire and no tag at the switch port"
else
    echo "note: no tshark, the captures' VLAN ids were not read with it"
fi
echo "ok   lab 7: $fl frames flooded before learning; $dr tagged frames dropped at ingress"

# --- lab 8: offloads ---
run l8 lab8-offloads -p length=5ms -p rsc=false
run l8 lab8-offloads -p length=5ms -p rsc=true
run l8 lab8-offloads -p length=5ms -p rsc=false -p mss=8960B
cpb() {  # processor-seconds busy per delivered byte, x 1e9
    q "$dir/l8.db" "SELECT (SELECT sum(scalarValue) FROM scalar WHERE runId=$1 AND moduleName LIKE 'cpu.lp%' AND scalarName='busy') * 1e9 / (SELECT scalarValue FROM scalar WHERE runId=$1 AND moduleName='host.bulk_sink' AND scalarName='goodput_bytes')"
}
c0=$(cpb 1); cr=$(cpb 2); cj=$(cpb 3)
check "lab 8: busy per byte without RSC $c0, with $cr" 'r < a / 2' -v a="$c0" -v r="$cr"
check "lab 8: busy per byte with MSS 1460 $c0, with 8960 $cj" 'j < a / 2' -v a="$c0" -v j="$cj"
g0=$(scalar l8 1 host.bulk_sink goodput_bytes); gr=$(scalar l8 2 host.bulk_sink goodput_bytes)
check "lab 8: delivered without RSC $g0, with $gr" 'r > 0.25 * a' -v a="$g0" -v r="$gr"
[ "$(scalar l8 2 nic0 rsc_coalesced)" != 0.0 ] || fail "lab 8: RSC merged nothing"
echo "ok   lab 8: busy per byte (x1e9) $c0 plain, $cr with RSC, $cj with MSS 8960"

# --- the figures ---
listed=$(sh "$src/doc/course/make-figures" --list)
for md in "$src"/doc/course/*.md; do
    for f in $(grep -o 'figures/[A-Za-z0-9_.-]*\.png' "$md" | sort -u); do
        [ -f "$src/doc/course/$f" ] || fail "$(basename "$md") shows $f, which does not exist"
        echo "$listed" | grep -qx "${f#figures/}" ||
            fail "$(basename "$md") shows $f, which make course-figures does not draw"
    done
done
for f in $listed; do
    [ -f "$src/doc/course/figures/$f" ] || fail "make course-figures draws $f, not in doc/course/figures/"
done
echo "PASS: the course's labs show what they teach"
