#!/bin/bash
# ICMP types by name (full, alias, unique prefix, case-insensitive protocol name), by number
# as the "source port", and codes as the "destination port".
. "$(dirname "$0")/lib.sh"

require_nft_reject
topo_pair

# only RULE...: input of the host holds exactly this rule.
only() {
    ipc "$HOST" -F input
    ipc "$HOST" -A input "$@"
}

only -p icmp --icmp-type echo-request -j DENY
ping_expect "echo-request denied: the peer's ping gets nothing" "$PEER" "$HOST_IP" timeout
ping_expect "echo-request rule leaves echo replies: the host's ping works" "$HOST" "$PEER_IP" ok

only -p icmp --icmp-type echo-reply -j DENY
ping_expect "echo-reply denied: the host's ping gets nothing" "$HOST" "$PEER_IP" timeout
ping_expect "echo-reply rule leaves requests: the peer's ping works" "$PEER" "$HOST_IP" ok

only -p ICMP --icmp-type ping -j REJECT
ping_expect "alias 'ping', upper-case ICMP, REJECT" "$PEER" "$HOST_IP" \
    "unreach:Destination Port Unreachable"

only -p icmp --icmp-type echo-req -j DENY
ping_expect "unique prefix echo-req" "$PEER" "$HOST_IP" timeout

only -p icmp -s 0/0 8 -j DENY
ping_expect "type 8 as source port" "$PEER" "$HOST_IP" timeout
only -p icmp -s 0/0 8 -d 0/0 1 -j DENY
ping_expect "type 8 code 1 does not match code 0" "$PEER" "$HOST_IP" ok
only -p icmp -s 0/0 0:7 -j DENY
ping_expect "type range 0:7 leaves type 8" "$PEER" "$HOST_IP" ok

# An ICMP error by name: without the port-unreachable error the peer's UDP probe to a closed
# port times out instead of being refused.
ipc "$HOST" -F input
udp_expect "closed port refused" "$HOST" "$PEER_IP" 7009 refused
only -p icmp --icmp-type port-unreachable -j DENY
udp_expect "port-unreachable denied: the refusal never arrives" "$HOST" "$PEER_IP" 7009 timeout
only -p icmp --icmp-type host-unreachable -j DENY
udp_expect "host-unreachable (other code) leaves port-unreachable" "$HOST" "$PEER_IP" 7009 refused
only -p icmp --icmp-type destination-unreachable -j DENY
udp_expect "destination-unreachable covers every code" "$HOST" "$PEER_IP" 7009 timeout

finish
