#!/bin/bash
# Replies to masqueraded connections skip the forward chain and still pass input and output,
# as in 2.2 (docs/reference/ipchains-commands.md section 3): the classic rc.firewall
#   ipchains -P forward DENY; ipchains -A forward -s <lan> -j MASQ
# works without a rule for the replies, and new connections from outside stay denied.
# Replies to connections translated by someone else's NAT still go through forward.
# IPCHAINS_DIVERT_BACKEND=legacy runs the same checks on the legacy backend.
. "$(dirname "$0")/lib.sh"

require_nft_nat
topo_routed
tcp_server "$SERVER" 80 'echo $SOCAT_PEERADDR'
udp_server "$SERVER" 7001 'echo $SOCAT_PEERADDR'
tcp_server "$CLIENT" 22 'echo client'

ipc "$ROUTER" -P forward DENY
ipc "$ROUTER" -A forward -s 10.199.1.0/24 -j MASQ
tcp_expect "rc.firewall: TCP through the masquerading router" "$CLIENT" "$SERVER_IP" 80 \
    "reply:$ROUTER_WAN"
udp_expect "rc.firewall: UDP through the masquerading router" "$CLIENT" "$SERVER_IP" 7001 \
    "reply:$ROUTER_WAN"
ping_expect "rc.firewall: ping through the masquerading router" "$CLIENT" "$SERVER_IP" ok
tcp_expect "rc.firewall: a new connection from outside is denied" "$SERVER" "$CLIENT_IP" 22 \
    timeout
ping_expect "rc.firewall: a ping from outside is denied" "$SERVER" "$CLIENT_IP" timeout

# Where the echo reply went: input (to the router's address, before de-masquerading) and
# output (to the client) see it, forward does not.
ipc "$ROUTER" -A input -p icmp -d "$ROUTER_WAN" --icmp-type echo-reply
ipc "$ROUTER" -I forward 1 -p icmp -d 10.199.1.0/24
ipc "$ROUTER" -A output -p icmp -d "$CLIENT_IP" --icmp-type echo-reply
counts_snap "$ROUTER" input
ping_expect "counting: ping through the masquerading router" "$CLIENT" "$SERVER_IP" ok
expect_counts_delta "the reply passed input" "$ROUTER" input 1
counts_snap "$ROUTER" output
ping_expect "counting again" "$CLIENT" "$SERVER_IP" ok
expect_counts_delta "the reply passed output" "$ROUTER" output 1
counts_snap "$ROUTER" forward
ping_expect "counting a third time" "$CLIENT" "$SERVER_IP" ok
expect_counts_delta "forward saw the request (MASQ rule) but not the reply" "$ROUTER" forward 0 1

# Output still decides about the replies.
ipc "$ROUTER" -A output -p icmp -d "$CLIENT_IP" -j DENY
ping_expect "an output DENY drops the replies" "$CLIENT" "$SERVER_IP" timeout
ipc "$ROUTER" -D output -p icmp -d "$CLIENT_IP" -j DENY
ping_expect "output DENY removed" "$CLIENT" "$SERVER_IP" ok

# The requests of a masqueraded connection still traverse forward, every packet: without the
# MASQ rule the policy denies the next request, established connection or not.
ipc "$ROUTER" -F forward
ping_expect "MASQ rule gone: the requests are denied again" "$CLIENT" "$SERVER_IP" timeout

# A connection masqueraded by another table (docker-like): its replies are not ours to wave
# through, forward's policy applies to them.
on "$ROUTER" nft -f - <<'EOF' || die "cannot load the foreign NAT table"
table ip kforeign {
    chain post { type nat hook postrouting priority 100; ip saddr 10.199.1.0/24 masquerade; }
}
EOF
ipc "$ROUTER" -A forward -s 10.199.1.0/24 -j ACCEPT
ping_expect "foreign masquerade: replies meet forward's DENY policy" "$CLIENT" "$SERVER_IP" \
    timeout
ipc "$ROUTER" -A forward -d 10.199.1.0/24 -j ACCEPT
ping_expect "foreign masquerade: a forward rule admits the replies" "$CLIENT" "$SERVER_IP" ok

finish
