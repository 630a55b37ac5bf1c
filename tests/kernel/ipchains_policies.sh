#!/bin/bash
# Built-in chain policies with real traffic through client / router / server:
# input sees every arriving packet, forward only routed ones (REJECT answers host unreachable),
# output every leaving one, forwarded included. DENY or REJECT on output of a locally
# generated packet makes the sending call fail with EPERM.
. "$(dirname "$0")/lib.sh"

require_nft_reject
topo_routed
udp_server "$SERVER" 7001

ping_expect "no rules: client reaches server" "$CLIENT" "$SERVER_IP" ok

# --- input
ipc "$SERVER" -P input DENY
ping_expect "server input DENY: ping dropped" "$CLIENT" "$SERVER_IP" timeout
udp_expect "server input DENY: UDP dropped" "$CLIENT" "$SERVER_IP" 7001 timeout
expect_stdout "-L shows the policy" "$SERVER" ipchains -L input <<'EOF'
Chain input (policy DENY):
EOF
ipc "$SERVER" -P input REJECT
udp_expect "server input REJECT: port unreachable" "$CLIENT" "$SERVER_IP" 7001 refused
ping_expect "server input REJECT: ping answered" "$CLIENT" "$SERVER_IP" \
    "unreach:Destination Port Unreachable"
ipc "$SERVER" -P input ACCEPT
udp_expect "server input ACCEPT again" "$CLIENT" "$SERVER_IP" 7001 "reply:udp 7001"

# --- forward: only routed packets; the router itself stays reachable.
ipc "$ROUTER" -P forward DENY
ping_expect "router forward DENY: routed ping dropped" "$CLIENT" "$SERVER_IP" timeout
ping_expect "router forward DENY: router itself answers" "$CLIENT" "$ROUTER_LAN" ok
ping_expect "router forward DENY: router reaches server" "$ROUTER" "$SERVER_IP" ok
ipc "$ROUTER" -P forward REJECT
ping_expect "router forward REJECT: host unreachable" "$CLIENT" "$SERVER_IP" \
    "unreach:Destination Host Unreachable"
ipc "$ROUTER" -P forward ACCEPT
ping_expect "router forward ACCEPT again" "$CLIENT" "$SERVER_IP" ok

# --- output: forwarded packets pass output too.
ipc "$ROUTER" -P output DENY
ping_expect "router output DENY: forwarded ping dropped" "$CLIENT" "$SERVER_IP" timeout
ipc "$ROUTER" -P output ACCEPT
ping_expect "router output ACCEPT again" "$CLIENT" "$SERVER_IP" ok

# --- output of local packets: the sender's system call fails with EPERM.
ipc "$CLIENT" -P output DENY
expect_icmp_send "client output DENY: ICMP send fails" "$CLIENT" "$SERVER_IP" eperm
udp_expect "client output DENY: UDP send fails" "$CLIENT" "$SERVER_IP" 7001 eperm
ipc "$CLIENT" -P output REJECT
expect_icmp_send "client output REJECT: ICMP send fails" "$CLIENT" "$SERVER_IP" eperm
udp_expect "client output REJECT: UDP send fails" "$CLIENT" "$SERVER_IP" 7001 eperm
ipc "$CLIENT" -P output ACCEPT
expect_icmp_send "client output ACCEPT: ICMP send works" "$CLIENT" "$SERVER_IP" sent
udp_expect "client output ACCEPT: UDP works" "$CLIENT" "$SERVER_IP" 7001 "reply:udp 7001"

# A rule's verdict comes before the policy; RETURN in a built-in chain means "policy".
ipc "$SERVER" -P input DENY
ipc "$SERVER" -A input -p udp -s 10.199.1.2 -j ACCEPT
udp_expect "ACCEPT rule before a DENY policy" "$CLIENT" "$SERVER_IP" 7001 "reply:udp 7001"
ipc "$SERVER" -I input 1 -p udp -j RETURN
udp_expect "RETURN in input applies the policy" "$CLIENT" "$SERVER_IP" 7001 timeout

finish
