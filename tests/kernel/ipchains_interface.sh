#!/bin/bash
# -i on the router: the arriving interface for input, the leaving one for forward and output;
# a trailing + is a prefix wildcard, a name without it must match exactly; ! inverts.
. "$(dirname "$0")/lib.sh"

topo_routed

# input: arriving interface
ipc "$ROUTER" -A input -i lan+ -p icmp -j DENY
ping_expect "input -i lan+ catches the client side" "$CLIENT" "$ROUTER_LAN" timeout
ping_expect "input -i lan+ leaves the server side" "$SERVER" "$ROUTER_WAN" ok
ipc "$ROUTER" -R input 1 -i lan -p icmp -j DENY
ping_expect "input -i lan (no +) does not match lan0" "$CLIENT" "$ROUTER_LAN" ok
ipc "$ROUTER" -R input 1 -i lan0 -p icmp -j DENY
ping_expect "input -i lan0 matches exactly" "$CLIENT" "$ROUTER_LAN" timeout
ipc "$ROUTER" -R input 1 -i ! lan0 -p icmp -j DENY
ping_expect "input -i ! lan0 lets the client in" "$CLIENT" "$ROUTER_LAN" ok
ping_expect "input -i ! lan0 stops the server" "$SERVER" "$ROUTER_WAN" timeout
ipc "$ROUTER" -F input

# forward: the leaving interface. The server counts the echo requests that reach it.
counter_add "$SERVER" req prerouting -300 icmp type echo-request
ipc "$ROUTER" -A forward -i wan+ -p icmp -j DENY
ping_expect "forward -i wan+ stops client -> server" "$CLIENT" "$SERVER_IP" timeout
expect_counter "the request never reached the server" "$SERVER" req 0
ipc "$ROUTER" -R forward 1 -i lan+ -p icmp -j DENY
ping_expect "forward -i lan+ stops the answer (it leaves on lan0)" "$CLIENT" "$SERVER_IP" timeout
expect_counter "the request (leaving on wan0) was forwarded" "$SERVER" req 1
ipc "$ROUTER" -F forward
ping_expect "forward flushed" "$CLIENT" "$SERVER_IP" ok

# output: leaving interface, for local and forwarded packets
ipc "$ROUTER" -A output -i lan+ -p icmp -j DENY
expect_icmp_send "output -i lan+ stops the router's own packets to the client" \
    "$ROUTER" "$CLIENT_IP" eperm
expect_icmp_send "output -i lan+ leaves packets to the server" "$ROUTER" "$SERVER_IP" sent
ping_expect "output -i lan+ stops forwarded server -> client" "$SERVER" "$CLIENT_IP" timeout
ipc "$ROUTER" -F output
ping_expect "all passes after -F" "$SERVER" "$CLIENT_IP" ok

# A rule for an interface that does not exist yet is accepted and matches nothing.
ipc "$ROUTER" -A input -i ppp0 -p icmp -j DENY
ping_expect "a rule for a missing interface matches nothing" "$CLIENT" "$ROUTER_LAN" ok

finish
