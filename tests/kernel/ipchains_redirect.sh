#!/bin/bash
# REDIRECT in input delivers the packet to a local socket: on the router (transparent proxy
# for routed traffic) and on the destination host itself; port 0 keeps the original port;
# TCP and UDP.
. "$(dirname "$0")/lib.sh"

require_nft_nat
topo_routed
tcp_server "$SERVER" 80 'echo server'
tcp_server "$ROUTER" 8080 'echo router'
tcp_server "$SERVER" 8081 'echo server-8081'
udp_server "$SERVER" 7001 'echo udp-server'
udp_server "$ROUTER" 7081 'echo udp-router'

tcp_expect "no rules: the server answers" "$CLIENT" "$SERVER_IP" 80 "reply:server"

# On the router: connections to server:80 land on the router's 8080 listener.
ipc "$ROUTER" -A input -p tcp -d 10.199.2.2 80 -j REDIRECT 8080
tcp_expect "REDIRECT 8080 on the router" "$CLIENT" "$SERVER_IP" 80 "reply:router"
ping_expect "REDIRECT leaves other traffic alone" "$CLIENT" "$SERVER_IP" ok
ipc "$ROUTER" -A input -p udp -d 10.199.2.2 7001 -j REDIRECT 7081
udp_expect "UDP REDIRECT on the router" "$CLIENT" "$SERVER_IP" 7001 "reply:udp-router"

# Port 0 (no port): the original destination port, on the router.
ipc "$ROUTER" -F input
ipc "$ROUTER" -A input -p tcp -d 10.199.2.2 8080 -j REDIRECT
tcp_expect "REDIRECT without a port keeps the port" "$CLIENT" "$SERVER_IP" 8080 "reply:router"
tcp_expect "the rule's destination port still selects" "$CLIENT" "$SERVER_IP" 80 "reply:server"

# On the destination host itself.
ipc "$ROUTER" -F input
ipc "$SERVER" -A input -p tcp -d 0/0 80 -j REDIRECT 8081
tcp_expect "REDIRECT on the host to a local port" "$CLIENT" "$SERVER_IP" 80 "reply:server-8081"
ipc "$SERVER" -F input
tcp_expect "flushed: back to the real port" "$CLIENT" "$SERVER_IP" 80 "reply:server"

# A REDIRECT behind a jump to a user chain.
ipc "$ROUTER" -N proxy
ipc "$ROUTER" -A proxy -p tcp -d 0/0 80 -j REDIRECT 8080
ipc "$ROUTER" -A input -s 10.199.1.0/24 -j proxy
tcp_expect "REDIRECT in a user chain" "$CLIENT" "$SERVER_IP" 80 "reply:router"

finish
