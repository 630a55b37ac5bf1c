#!/bin/bash
# ACCEPT, DENY and REJECT on input, seen from the sender: DENY is silence, REJECT answers with
# ICMP port unreachable (UDP: "Connection refused"; TCP: refused connect; ping: "Destination
# Port Unreachable", since echo requests are queries and do get an error). First match wins.
. "$(dirname "$0")/lib.sh"

require_nft_reject
topo_pair
for p in 7001 7002 7003; do udp_server "$HOST" $p; done
for p in 8001 8002; do tcp_server "$HOST" $p; done

ping_expect "no rules: ping passes" "$PEER" "$HOST_IP" ok
udp_expect "no rules: UDP answered" "$PEER" "$HOST_IP" 7003 "reply:udp 7003"
udp_expect "no rules: closed UDP port refused by the stack" "$PEER" "$HOST_IP" 7009 refused

# The fixed layout costs a base chain only where something needs it (docs/design.md "Chain
# layout"): policies alone are the three hook chains; the first REJECT of a hook brings that
# hook's post chain (nft) or its executor in filter (legacy), the last one takes it away.
# layout_expect DESC WANT: WANT "none" (policies only) or "reject-input" (input rejects).
layout_expect() {
    local desc=$1 want=$2 got
    if [ "${IPCHAINS_DIVERT_BACKEND:-auto}" = legacy ]; then
        on "$HOST" iptables-legacy-save >"$T/layout" 2>&1
        got=$(grep -c '^:ipchains-~\(in\|fwd\|out\)-exec ' "$T/layout")
        grep -q '^:ipchains-~in-exec ' "$T/layout" && got="$got in"
        [ "$want" = none ] && want=0 || want="1 in"
    else
        on "$HOST" nft list table ip ipchains >"$T/layout" 2>&1
        got="$(grep -c 'type [a-z]* hook' "$T/layout") $(grep -o 'chain ~[a-z]*-post-[0-9]*' "$T/layout" | tr '\n' ' ')"
        [ "$want" = none ] && want="3 " || want="4 chain ~in-post-1 "
    fi
    if [ "$got" = "$want" ]; then pass "$desc"; else fail "$desc: got '$got', expected '$want'"; show "$T/layout"; fi
}
ipc "$HOST" -P input DENY
ipc "$HOST" -P input ACCEPT
layout_expect "policies only: the hook chains, nothing else" none
if [ "${IPCHAINS_DIVERT_BACKEND:-auto}" != legacy ]; then
    # No jump into an empty chain, and no rule at all: each policy is its hook chain's own,
    # counted by the chain.
    n=$(grep -c 'jump\|goto' "$T/layout")
    [ "$n" = 0 ] && pass "policies only: no jump" || { fail "policies only: $n jumps"; show "$T/layout"; }
    n=$(grep -c 'counter\|accept$\|drop$' "$T/layout")
    [ "$n" = 0 ] && pass "policies only: no rule" || { fail "policies only: $n rules"; show "$T/layout"; }
fi

ipc "$HOST" -A input -p udp -d 0/0 7001 -j ACCEPT
ipc "$HOST" -A input -p udp -d 0/0 7002 -j DENY
layout_expect "no REJECT yet: no post chain" none
ipc "$HOST" -A input -p udp -d 0/0 7003 -j REJECT
layout_expect "the first REJECT brings the input post chain" reject-input
ipc "$HOST" -A input -p tcp -d 0/0 8001 -j DENY
ipc "$HOST" -A input -p tcp -d 0/0 8002 -j REJECT
ipc "$HOST" -A input -p icmp --icmp-type echo-request -j REJECT

udp_expect "ACCEPT" "$PEER" "$HOST_IP" 7001 "reply:udp 7001"
udp_expect "DENY is silent" "$PEER" "$HOST_IP" 7002 timeout
udp_expect "REJECT answers port unreachable" "$PEER" "$HOST_IP" 7003 refused
tcp_expect "DENY of a TCP SYN: connect hangs" "$PEER" "$HOST_IP" 8001 timeout
tcp_expect "REJECT of a TCP SYN: connection refused" "$PEER" "$HOST_IP" 8002 refused
ping_expect "REJECT of an echo request answers" "$PEER" "$HOST_IP" \
    "unreach:Destination Port Unreachable"

# The peer's answer from port 7002 arrives with destination port = the host's ephemeral port:
# the rule on destination port 7002 must not catch it.
udp_server "$PEER" 7002
udp_expect "a destination-port rule ignores answers from that port" "$HOST" "$PEER_IP" 7002 \
    "reply:udp 7002"

# The first matching rule decides: an ACCEPT in front overrides the DENY/REJECT rules.
ipc "$HOST" -I input 1 -p udp -s 10.199.1.2 -j ACCEPT
udp_expect "earlier ACCEPT wins over DENY" "$PEER" "$HOST_IP" 7002 "reply:udp 7002"
udp_expect "earlier ACCEPT wins over REJECT" "$PEER" "$HOST_IP" 7003 "reply:udp 7003"

# Deleting REJECTs one by one: the post chain stays while one is left.
ipc "$HOST" -D input 1
ipc "$HOST" -D input -p icmp --icmp-type echo-request -j REJECT
ipc "$HOST" -D input -p tcp -d 0/0 8002 -j REJECT
layout_expect "one REJECT left: the post chain stays" reject-input
udp_expect "the REJECT left still answers port unreachable" "$PEER" "$HOST_IP" 7003 refused
ipc "$HOST" -D input -p udp -d 0/0 7003 -j REJECT
layout_expect "deleting the last REJECT takes the post chain away" none
udp_expect "no REJECT: UDP answered" "$PEER" "$HOST_IP" 7003 "reply:udp 7003"

ipc "$HOST" -F input
udp_expect "-F input: DENY gone" "$PEER" "$HOST_IP" 7002 "reply:udp 7002"
ping_expect "-F input: REJECT gone" "$PEER" "$HOST_IP" ok

# A REJECT policy is a REJECT too.
ipc "$HOST" -P input REJECT
layout_expect "-P input REJECT brings the input post chain" reject-input
ping_expect "REJECT policy answers" "$PEER" "$HOST_IP" "unreach:Destination Port Unreachable"
ipc "$HOST" -P input ACCEPT
layout_expect "-P input ACCEPT takes it away" none
ping_expect "ACCEPT policy again" "$PEER" "$HOST_IP" ok

finish
