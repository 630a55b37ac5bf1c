#!/bin/bash
# Writes that are not reinjections inject new packets (docs/reference/divert-semantics.md 5, 6.3
# [DECISION] 2): outbound with sin_addr 0 or no address (the output chain applies; this socket's own
# DIVERT rules do not, other ports' do), inbound with sin_addr = a local address (arrives on that
# interface), from an unbound socket too; multicast through IP_MULTICAST_IF; the errors of 5.3 and
# 5.4.
. "$(dirname "$0")/divert_lib.sh"

require_queue
[ -c /dev/net/tun ] || skip "tun/tap (/dev/net/tun), which inbound injection uses"
topo_pair

# --- outbound
udp_sink "$PEER" "$PEER_IP" 5000 out
expect_rc "outbound, sendto with sin_addr 0" 0 "$HOST" "$DIVERT_BIN/inject" 7401 out "$HOST_IP" "$PEER_IP" 5000 inj-out
sink_expect "outbound: the peer received it" out inj-out
expect_rc "outbound, write() without an address" 0 "$HOST" "$DIVERT_BIN/inject" 7401 null "$HOST_IP" "$PEER_IP" 5000 inj-null
sink_expect "write(): the peer received it" out inj-null
expect_rc "outbound from an unbound socket" 0 "$HOST" "$DIVERT_BIN/inject" 0 out "$HOST_IP" "$PEER_IP" 5000 inj-unbound
sink_expect "unbound: the peer received it" out inj-unbound

# --- the output chain applies to injected packets; only the writer's own DIVERT rules skip it
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5000 -j DIVERT 7401
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5000 -j DIVERT 7402
dv_start "$HOST" other echo 7402 1
expect_rc "injection past the writer's own DIVERT rule" 0 "$HOST" "$DIVERT_BIN/inject" 7401 out "$HOST_IP" "$PEER_IP" 5000 inj-skip
dv_exit "another port's DIVERT rule still diverted it" other 0
sink_expect "and after reinjection it arrived" out inj-skip
ipc "$HOST" -F output
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5009 -j DENY
run "$HOST" "$DIVERT_BIN/inject" 7401 out "$HOST_IP" "$PEER_IP" 5009 denied
expect_grep "output DENY: sendto fails with EPERM as 2.2's raw output did" '^out EPERM$' "$T/out"
ipc "$HOST" -F output

# --- inbound, as if received on eth0
udp_sink "$HOST" "$HOST_IP" 5001 in
counter_add "$HOST" in_eth0 prerouting -300 iifname eth0 udp dport 5001
expect_rc "inbound, sin_addr = eth0's address" 0 "$HOST" "$DIVERT_BIN/inject" 7401 in "$HOST_IP" "$PEER_IP" "$HOST_IP" 5001 inj-in
sink_expect "inbound: the local socket received it" in inj-in
expect_counter "inbound: it arrived on eth0" "$HOST" in_eth0 1
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5001 -j DENY
expect_rc "inbound, the input chain applies" 0 "$HOST" "$DIVERT_BIN/inject" 7401 in "$HOST_IP" "$PEER_IP" "$HOST_IP" 5001 inj-denied
sleep "$NEG_WAIT"
if grep -q inj-denied "$T/in.sink"; then fail "inbound: input DENY did not apply"
else pass "inbound: input DENY applied"; fi
ipc "$HOST" -F input

# --- inbound through a loopback address: arrives on lo
udp_sink "$HOST" 127.0.0.1 5004 lo
expect_rc "inbound, sin_addr = 127.0.0.1" 0 "$HOST" "$DIVERT_BIN/inject" 7401 in 127.0.0.1 127.0.0.1 127.0.0.1 5004 inj-lo
sink_expect "inbound via loopback: the local socket received it" lo inj-lo

# --- errors (docs/reference/divert-semantics.md 5.3, 5.4)
cat >"$T/want" <<'EOT'
short-packet EINVAL
short-sockaddr EBADRQC
wrong-family EBADRQC
unknown-local EADDRNOTAVAIL
no-route ENETUNREACH
over-mtu EMSGSIZE
over-mtu-in EMSGSIZE
EOT
run "$HOST" "$DIVERT_BIN/inject" 7401 errors "$HOST_IP" "$PEER_IP"
same_text "write errors" "$T/want" "$T/out"

# --- multicast: IP_MULTICAST_IF picks the interface (there is no multicast route)
: >"$T/mc.sink"
ip netns exec "$PEER" socat -u "UDP4-RECV:5003,ip-add-membership=239.1.1.1:eth0,reuseaddr" \
    "OPEN:$T/mc.sink,append" </dev/null >/dev/null 2>&1 &
BG_PIDS+=($!)
wait_listen "$PEER" u 5003
cat >"$T/want" <<'EOT'
mreq 0 errno 0
mreqn 0 errno 0
in_addr 0 errno 0
mcast OK
EOT
run "$HOST" "$DIVERT_BIN/inject" 7401 mcast "$HOST_IP" 239.1.1.1 5003
same_text "IP_MULTICAST_IF: all three forms return 0, errno untouched" "$T/want" "$T/out"
sink_expect "multicast: the group member received it" mc mcast

finish
