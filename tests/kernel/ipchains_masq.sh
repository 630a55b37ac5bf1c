#!/bin/bash
# MASQ in forward (as a rule, in a user chain, and as the forward policy): the server sees the
# router's address instead of the client's, for TCP and UDP, and replies find their way back.
. "$(dirname "$0")/lib.sh"

require_nft_nat
topo_routed
# Each server answers with the peer address it saw.
tcp_server "$SERVER" 80 'echo $SOCAT_PEERADDR'
udp_server "$SERVER" 7001 'echo $SOCAT_PEERADDR'

tcp_expect "no MASQ: server sees the client" "$CLIENT" "$SERVER_IP" 80 "reply:$CLIENT_IP"

ipc "$ROUTER" -A forward -s 10.199.1.0/24 -j MASQ
tcp_expect "MASQ rule: TCP seen from the router" "$CLIENT" "$SERVER_IP" 80 "reply:$ROUTER_WAN"
udp_expect "MASQ rule: UDP seen from the router" "$CLIENT" "$SERVER_IP" 7001 "reply:$ROUTER_WAN"
ping_expect "MASQ rule: ping works" "$CLIENT" "$SERVER_IP" ok

ipc "$ROUTER" -R forward 1 -s 10.199.9.0/24 -j MASQ
tcp_expect "MASQ rule for another source: no translation" "$CLIENT" "$SERVER_IP" 80 \
    "reply:$CLIENT_IP"

ipc "$ROUTER" -F forward
ipc "$ROUTER" -N masq
ipc "$ROUTER" -A masq -p tcp -j MASQ
ipc "$ROUTER" -A forward -s 10.199.1.0/24 -j masq
tcp_expect "MASQ in a user chain" "$CLIENT" "$SERVER_IP" 80 "reply:$ROUTER_WAN"
udp_expect "user chain MASQs TCP only" "$CLIENT" "$SERVER_IP" 7001 "reply:$CLIENT_IP"

ipc "$ROUTER" -F
ipc "$ROUTER" -X
ipc "$ROUTER" -P forward MASQ
tcp_expect "forward policy MASQ" "$CLIENT" "$SERVER_IP" 80 "reply:$ROUTER_WAN"
expect_stdout "policy listed as MASQ" "$ROUTER" ipchains -L forward <<'EOF'
Chain forward (policy MASQ):
EOF
ipc "$ROUTER" -A forward -s 10.199.1.0/24 -p tcp -j ACCEPT
tcp_expect "an ACCEPT rule before the MASQ policy: no translation" "$CLIENT" "$SERVER_IP" 80 \
    "reply:$CLIENT_IP"
ipc "$ROUTER" -F forward
ipc "$ROUTER" -P forward ACCEPT
tcp_expect "policy ACCEPT again: no translation" "$CLIENT" "$SERVER_IP" 80 "reply:$CLIENT_IP"

finish
