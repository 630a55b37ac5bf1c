#!/bin/bash
# Diverted packets written back unchanged go on their way (docs/reference/divert-semantics.md 4,
# 6.3): output chain (outgoing, sin_addr 0), input chain (incoming, sin_addr = the receiving
# interface's first address), forward chain (incoming), a program run under LD_PRELOAD instead of
# linked, and a TCP transfer large enough to need batched verdicts and to meet segmentation offload
# (the program must see MTU-sized packets with complete checksums).
. "$(dirname "$0")/divert_lib.sh"

require_queue
topo_pair

# --- output chain: the HOWTO's own example (ipchains -A output ... -j DIVERT, interceptor)
ipc "$HOST" -A output -p ICMP -d "$PEER_IP" -j DIVERT 7101
dv_start "$HOST" out echo 7101 2
ping_expect "output: reinjected echo request answered" "$HOST" "$PEER_IP" ok
ping_expect "output: second one too" "$HOST" "$PEER_IP" ok
dv_exit "output: the program saw both" out 0
dv_count "output: outgoing, sin_addr 0.0.0.0, whole 84-byte packet" out '^[01] out 0\.0\.0\.0 84 1$' 2
ipc "$HOST" -F output

# --- input chain: echo replies arriving on eth0
ipc "$HOST" -A input -p ICMP -s "$PEER_IP" -j DIVERT 7102
dv_start "$HOST" in echo 7102 1
ping_expect "input: reinjected echo reply delivered" "$HOST" "$PEER_IP" ok
dv_exit "input: the program saw it" in 0
dv_line "input: incoming, sin_addr = eth0's address" in "^0 in $HOST_IP 84 1\$"
ipc "$HOST" -F input

# --- the same program, not linked with libdivert, under LD_PRELOAD (divert-run's way)
DIVERT_PRELOAD=$(sed -n "s/^dlname='\(.*\)'$/\1/p" "$BUILD/libdivert.la")
DIVERT_PRELOAD="$BUILD/.libs/$DIVERT_PRELOAD"
ipc "$HOST" -A output -p ICMP -d "$PEER_IP" -j DIVERT 7103
dv_start "$HOST" pre preload echo_plain 7103 1
ping_expect "LD_PRELOAD: reinjected echo request answered" "$HOST" "$PEER_IP" ok
dv_exit "LD_PRELOAD: the plain program used the divert socket" pre 0
ipc "$HOST" -F output

# --- TCP, 4 MiB: many packets in flight, GSO on the sender's side
tcp_server "$PEER" 7000 "head -c 4194304 /dev/zero"
ipc "$HOST" -A output -p TCP -d "$PEER_IP" -j DIVERT 7104
ipc "$HOST" -A input -p TCP -s "$PEER_IP" -j DIVERT 7104
dv_start "$HOST" tcp echo 7104 100000000
got=$(ip netns exec "$HOST" timeout 20 socat -u "TCP4:$PEER_IP:7000" - | wc -c)
if [ "$got" -eq 4194304 ]; then pass "TCP: 4 MiB through the divert socket intact"
else fail "TCP: got $got of 4194304 bytes"; fi
seen=$(wc -l <"$T/tcp.out")
if [ "$seen" -gt 3000 ]; then pass "TCP: the program saw every segment ($seen packets)"
else fail "TCP: the program saw only $seen packets"; fi
big=$(awk '$4 > 1500 { n++ } END { print n + 0 }' "$T/tcp.out")
if [ "$big" -eq 0 ]; then pass "TCP: no packet above the 1500-byte MTU (no GSO super-packets)"
else fail "TCP: $big packets above the MTU"; fi
kill "${DV_PID[tcp]}" 2>/dev/null
ipc "$HOST" -F output
ipc "$HOST" -F input

# --- forward chain: the router diverts what it forwards
topo_routed
ipc "$ROUTER" -A forward -p ICMP -s "$CLIENT_IP" -j DIVERT 7105
dv_start "$ROUTER" fwd echo 7105 1
ping_expect "forward: reinjected, forwarded, answered" "$CLIENT" "$SERVER_IP" ok
dv_exit "forward: the router's program saw it" fwd 0
dv_line "forward: reported incoming, sin_addr = the arrival interface's address" fwd "^0 in $ROUTER_LAN 84 1\$"

finish
