#!/bin/bash
# -s / -d with dotted and bit-count masks, non-contiguous masks, mask 0 and `!`, checked on
# the server with senders of different addresses: the client 10.199.1.2 (routed) and the
# router 10.199.2.1. The server has a second address 10.199.2.3.
. "$(dirname "$0")/lib.sh"

topo_routed
ip -n "$SERVER" addr add 10.199.2.3/24 dev eth0

# check RULE... : replaces input with one DENY rule for ICMP, then the four pings decide.
# Expected results: client->.2 client->.3 router->.2 router->.3
check() {
    local want=($1) desc=$2
    shift 2
    ipc "$SERVER" -F input
    ipc "$SERVER" -A input -p icmp "$@" -j DENY || return
    ping_expect "$desc: client -> .2" "$CLIENT" 10.199.2.2 "${want[0]}"
    ping_expect "$desc: client -> .3" "$CLIENT" 10.199.2.3 "${want[1]}"
    ping_expect "$desc: router -> .2" "$ROUTER" 10.199.2.2 "${want[2]}"
    ping_expect "$desc: router -> .3" "$ROUTER" 10.199.2.3 "${want[3]}"
}

T_=timeout
check "$T_ $T_ ok ok" "-s dotted mask" -s 10.199.1.0/255.255.255.0
check "$T_ $T_ ok ok" "-s bit count" -s 10.199.1.0/24
check "$T_ $T_ ok ok" "-s host address" -s 10.199.1.2
check "ok ok $T_ $T_" "-s inverted" -s ! 10.199.1.0/24
check "ok $T_ ok $T_" "-d host" -d 10.199.2.3
check "$T_ ok $T_ ok" "-d inverted /32" -d ! 10.199.2.3/32
check "$T_ ok ok ok" "-s and -d together" -s 10.199.1.0/24 -d 10.199.2.2
# 10.199.x.2 only: matches the client (10.199.1.2), not the router (10.199.2.1)
check "$T_ $T_ ok ok" "non-contiguous mask" -s 10.199.7.2/255.255.0.255
# mask 0 ignores the address
check "$T_ $T_ $T_ $T_" "mask 0 means anywhere" -s 10.1.2.3/0
# the address is ANDed with the mask
check "$T_ $T_ ok ok" "host bits under the mask are ignored" -s 10.199.1.77/24

expect_stdout "the listing shows the masked address" "$SERVER" ipchains -L input -n <<'EOF'
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
DENY       icmp ------  10.199.1.0/24        0.0.0.0/0             * ->   *
EOF
ipc "$SERVER" -R input 1 -p icmp -s 10.199.7.2/255.255.0.255 -d ! 10.199.2.3 -j DENY
expect_stdout "non-contiguous masks are listed in dotted form" "$SERVER" ipchains -L input -n <<'EOF'
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
DENY       icmp ------  10.199.0.2/255.255.0.255 !10.199.2.3            * ->   *
EOF

finish
