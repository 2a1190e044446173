#!/bin/sh
# test-replay.sh -- vswitch-replay end to end: generated captures on three
# ports run through the switch; the decision log must show the 802.1Q
# behaviour (flood scope, tagging on the trunk, disallowed VLAN, ACL,
# link down), a two-interface pcapng through --in-pcapng and --log, error
# messages and exit codes; if tshark is installed it must find every output frame
# well formed with correct IPv4/TCP/UDP checksums.
set -eu
b="${top_builddir:-.}"
[ -x "$b/vswitch-replay" ] || { echo "SKIP: vswitch-replay not built (no libpcap)"; exit 77; }
dir=$(mktemp -d /tmp/vnetsim-replay-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/out/decisions.log" ] && cat "$dir/out/decisions.log"; exit 1; }

"$b/tests/gen-traffic" "$dir" || fail "gen-traffic"
cat > "$dir/switch.desc" <<'DESC'
# Three VMs and an uplink trunk.
port vm1 mode=access vid=10
port vm2 mode=access vid=10
port vm3 mode=access vid=20
port up  mode=trunk allowed=10,20 native=1
acl vm1 in deny proto=udp dst-port=23
linkdown vm2 at=0.6
DESC
"$b/vswitch-replay" -d "$dir/switch.desc" --in vm1="$dir/vm1.pcap" \
    --in vm3="$dir/vm3.pcap" --in up="$dir/up.pcap" -o "$dir/out" ||
    fail "vswitch-replay exited $?"
log="$dir/out/decisions.log"
expect() {      # FRAME_NO, exact rest of the line after the time
    line=$(grep "^$1 " "$log" | cut -d' ' -f3-)
    [ "$line" = "$2" ] || fail "frame $1: got '$line', expected '$2'"
}
expect 1 "in=vm1 out=vm2:untagged out=up:vlan=10"
expect 2 "in=up out=vm1:untagged"
expect 3 "in=vm1 out=up:vlan=10"
expect 4 "in=up drop=vlan-ingress"
expect 5 "in=vm3 out=up:vlan=20"
expect 6 "in=vm1 drop=acl-ingress"
expect 7 "in=up out=vm1:untagged"
grep -q "linkdown vm2" "$log" || fail "no linkdown line"
line8=$(grep "^8 " "$log" | cut -d' ' -f3-)
case "$line8" in
    "in=vm1 out=up:vlan=10"*) ;;
    *) fail "frame 8 after link down: '$line8'" ;;
esac
case "$line8" in *"out=vm2"*) fail "frame 8 reached a port whose link is down" ;; esac

# Bad description: FILE:LINE naming the value, exit 1.
printf 'port a mode=trunk allowed=10,5000\n' > "$dir/bad.desc"
set +e
err=$("$b/vswitch-replay" -d "$dir/bad.desc" --in a="$dir/vm1.pcap" -o "$dir/o2" 2>&1); rc=$?
set -e
[ "$rc" = 1 ] || fail "bad description exited $rc"
case "$err" in "$dir/bad.desc:1: allowed: '5000'"*) ;; *) fail "bad message: $err" ;; esac

# Usage errors exit 2; --help and --version exit 0.
set +e
"$b/vswitch-replay" -d "$dir/switch.desc" >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || fail "missing -o/--in exited $rc"
"$b/vswitch-replay" --bogus >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || fail "unknown option exited $rc"
set -e
"$b/vswitch-replay" --help | grep -q -- --in-pcapng || fail "--help"
"$b/vswitch-replay" --version | grep -q vswitch-replay || fail "--version"

# More bad descriptions, each naming its value.
bad() {         # DESCRIPTION-LINE, expected message start after FILE:LINE:
    printf 'port a mode=access vid=10\n%s\n' "$1" > "$dir/bad.desc"
    set +e
    err=$("$b/vswitch-replay" -d "$dir/bad.desc" --in a="$dir/vm1.pcap" -o "$dir/o2" 2>&1); rc=$?
    set -e
    [ "$rc" = 1 ] || fail "'$1' exited $rc"
    case "$err" in "$dir/bad.desc:2: $2"*) ;; *) fail "'$1': bad message: $err" ;; esac
}
bad "port b mode=hub" "mode: 'hub'"
bad "port b mac=02:00:00:00:00" "mac: '02:00:00:00:00'"
bad "static a 02:00:00:00:00:01 vlan=4095" "vlan: '4095'"
bad "acl b in deny" "acl: unknown port 'b'"
bad "linkdown a at=soon" "linkdown: 'at=soon'"
bad "frobnicate a" "unknown statement 'frobnicate'"

# A two-interface pcapng: interface I enters the I+1-th port, frames are
# merged across interfaces by time (interface 1 has ns timestamps), and
# --log puts the decision log where asked.
cat > "$dir/ng.desc" <<'DESC'
port a mode=access vid=10 mac=02:00:00:00:00:01 guard=spoof
port t mode=trunk allowed=10 native=1
port p mode=pvlan-isolated primary=100 secondary=101
DESC
"$b/vswitch-replay" -d "$dir/ng.desc" --in-pcapng "$dir/multi.pcapng" \
    -o "$dir/ng" --log "$dir/ng.log" || fail "pcapng replay exited $?"
[ ! -e "$dir/ng/decisions.log" ] || fail "--log ignored"
exp_ng="1 2.500000 in=t out=a:untagged
2 3.000000 in=a out=t:vlan=10
3 3.250000 in=t drop=vlan-ingress"
[ "$(cat "$dir/ng.log")" = "$exp_ng" ] || { cat "$dir/ng.log"; fail "pcapng decisions"; }
printf 'port a mode=access vid=10\n' > "$dir/one.desc"
set +e
err=$("$b/vswitch-replay" -d "$dir/one.desc" --in-pcapng "$dir/multi.pcapng" -o "$dir/o3" 2>&1); rc=$?
set -e
[ "$rc" = 1 ] || fail "pcapng interface without a port exited $rc"
case "$err" in *"interface 1 has no port"*) ;; *) fail "bad message: $err" ;; esac

# tshark: no malformed frame, no bad checksum, counts match the log.
if [ -n "${TSHARK:-}" ] && [ -x "$TSHARK" ]; then
    for p in vm1 vm2 vm3 up ng/a ng/t ng/p; do
        case $p in
            ng/*) f="$dir/$p.pcap"; l="$dir/ng.log"; p=${p#ng/} ;;
            *) f="$dir/out/$p.pcap"; l=$log ;;
        esac
        n=$("$TSHARK" -n -r "$f" 2>/dev/null | wc -l)
        want=$(grep -o "out=$p:" "$l" | wc -l)
        [ "$n" = "$want" ] || fail "$p.pcap has $n frames, log says $want"
        bad=$("$TSHARK" -n -r "$f" -o ip.check_checksum:TRUE \
              -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
              -Y '_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0' \
              2>/dev/null | wc -l)
        [ "$bad" = 0 ] || fail "tshark flags $bad frames in $p.pcap"
    done
    echo "tshark: all output frames well formed with good checksums"
else
    echo "tshark not installed: checksum verification skipped"
fi
echo "PASS: vswitch-replay"
