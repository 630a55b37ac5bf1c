#!/bin/bash
# No injection loops (divert(7), Writing): a write without a reinjection cookie is a new
# packet, and on its pass through the chains it skips every DIVERT rule of the writing
# socket's own port, whatever sin_port holds (htons(port) as the HOWTO wrote it, 0, the port
# in host order): inbound on the input chain, on the forward chain, outbound on the output
# chain, and a diverted packet written back changed with a zeroed sin_zero. Other ports'
# DIVERT rules still apply; after one of them diverted it and its program wrote it back, later
# rules, the writer's own included, see it again. inject_own reads its own socket for 0.5 s
# after writing and reports what came back ("looped N"); it writes that back, so the packet
# still arrives once.
. "$(dirname "$0")/divert_lib.sh"

require_queue
[ -c /dev/net/tun ] || skip "tun/tap (/dev/net/tun), which inbound injection uses"
topo_pair
P=7701
Q=7702

# own NAME NS ARGS...: runs inject_own ARGS in NS, output in $T/NAME.out.
own() {
    local name=$1 ns=$2
    shift 2
    ip netns exec "$ns" timeout 10 "$DIVERT_BIN/inject_own" "$@" >"$T/$name.out" 2>&1
}

# --- a. inbound injection, the writer's own input DIVERT rule
udp_sink "$HOST" "$HOST_IP" 5001 in
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5001 -j DIVERT "$P"
dv_start "$HOST" inreal echo "$P" 1
udp_send "$PEER" "$HOST_IP" 5001 "<in-real>"
dv_exit "input: the rule diverts real traffic to $P" inreal 0
sink_once "input: real traffic after reinjection" in "<in-real>"
for how in net zero host; do
    own "in-$how" "$HOST" "$P" in "$HOST_IP" "$PEER_IP" "$HOST_IP" 5001 "$how" "<in-$how>"
    dv_line "inbound, sin_port $how: not diverted back to the writer" "in-$how" '^looped 0$'
    sink_once "inbound, sin_port $how" in "<in-$how>"
done

# other ports' DIVERT rules apply, after the writer's own rule and before it
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5001 -j DIVERT "$Q"
dv_start "$HOST" q1 echo "$Q" 1
own in-q1 "$HOST" "$P" in "$HOST_IP" "$PEER_IP" "$HOST_IP" 5001 net "<in-q1>"
dv_line "inbound, own rule then $Q's: not diverted back to the writer" in-q1 '^looped 0$'
dv_exit "inbound, own rule then $Q's: $Q's rule diverted it" q1 0
sink_once "inbound, own rule then $Q's" in "<in-q1>"
ipc "$HOST" -D input 1
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5001 -j DIVERT "$P"
dv_start "$HOST" q2 echo "$Q" 1
own in-q2 "$HOST" "$P" in "$HOST_IP" "$PEER_IP" "$HOST_IP" 5001 net "<in-q2>"
# divert(7) Loops: once another program wrote it back, later rules, the writer's own
# included, see it again (once: inject_own writes it back with its cookie)
dv_line "inbound, $Q's rule then own: back to the writer once after $Q reinjected it" in-q2 \
    '^looped 1$'
dv_exit "inbound, $Q's rule then own: $Q's rule diverted it" q2 0
sink_once "inbound, $Q's rule then own" in "<in-q2>"
ipc "$HOST" -F input

# --- c. outbound injection, the writer's own output DIVERT rule (regression)
udp_sink "$PEER" "$PEER_IP" 5000 out
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5000 -j DIVERT "$P"
dv_start "$HOST" outreal echo "$P" 1
udp_send "$HOST" "$PEER_IP" 5000 "<out-real>"
dv_exit "output: the rule diverts real traffic to $P" outreal 0
sink_once "output: real traffic after reinjection" out "<out-real>"
for how in net zero host; do
    own "out-$how" "$HOST" "$P" out "$HOST_IP" "$PEER_IP" 5000 "$how" "<out-$how>"
    dv_line "outbound, sin_port $how: not diverted back to the writer" "out-$how" '^looped 0$'
    sink_once "outbound, sin_port $how" out "<out-$how>"
done
ipc "$HOST" -I output 1 -p UDP -d "$PEER_IP" 5000 -j DIVERT "$Q"
dv_start "$HOST" q3 echo "$Q" 1
own out-q3 "$HOST" "$P" out "$HOST_IP" "$PEER_IP" 5000 net "<out-q3>"
dv_line "outbound, $Q's rule then own: back to the writer once after $Q reinjected it" out-q3 \
    '^looped 1$'
dv_exit "outbound, $Q's rule then own: $Q's rule diverted it" q3 0
sink_once "outbound, $Q's rule then own" out "<out-q3>"
ipc "$HOST" -D output 1

# --- d. a diverted packet written back changed, sin_zero zeroed: a new packet, no loop
dv_start "$HOST" mod-out inject_own "$P" modify keep "<mod-out>"
udp_send "$HOST" "$PEER_IP" 5000 "<orig-out>"
dv_exit "output, changed copy: inject_own ran" mod-out 0
dv_line "output, changed copy: not diverted back to the writer" mod-out '^looped 0$'
sink_once "output, changed copy" out "<mod-out>"
ipc "$HOST" -F output

udp_sink "$HOST" "$HOST_IP" 5003 mod
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5003 -j DIVERT "$P"
for how in keep net; do
    dv_start "$HOST" "mod-$how" inject_own "$P" modify "$how" "<mod-$how>"
    udp_send "$PEER" "$HOST_IP" 5003 "<orig-$how>"
    dv_exit "input, changed copy, sin_port $how: inject_own ran" "mod-$how" 0
    dv_line "input, changed copy, sin_port $how: diverted on the way in" "mod-$how" '^diverted in '
    dv_line "input, changed copy, sin_port $how: not diverted back to the writer" "mod-$how" \
        '^looped 0$'
    sink_once "input, changed copy, sin_port $how" mod "<mod-$how>"
    if grep -qF "<orig-$how>" "$T/mod.sink"; then
        fail "input, changed copy, sin_port $how: the original arrived too"
    else
        pass "input, changed copy, sin_port $how: the original did not arrive"
    fi
done
ipc "$HOST" -F input

# --- b. forward: injected inbound on the router, a datagram from the client to the server
topo_routed
udp_sink "$SERVER" "$SERVER_IP" 5002 fwd
ipc "$ROUTER" -A forward -p UDP -s "$CLIENT_IP" -d "$SERVER_IP" 5002 -j DIVERT "$P"
dv_start "$ROUTER" fwdreal echo "$P" 1
udp_send "$CLIENT" "$SERVER_IP" 5002 "<fwd-real>"
dv_exit "forward: the rule diverts real traffic to $P" fwdreal 0
sink_once "forward: real traffic after reinjection" fwd "<fwd-real>"
for how in net zero host; do
    own "fwd-$how" "$ROUTER" "$P" in "$ROUTER_LAN" "$CLIENT_IP" "$SERVER_IP" 5002 "$how" \
        "<fwd-$how>"
    dv_line "forward, sin_port $how: not diverted back to the writer" "fwd-$how" '^looped 0$'
    sink_once "forward, sin_port $how" fwd "<fwd-$how>"
done

finish
