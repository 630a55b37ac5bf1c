#!/bin/bash
# -t andmask xormask rewrites the TOS byte to (tos & and) ^ xor. Checked where it is visible:
# the receiving namespace counts packets by their raw TOS byte (nft @nh,8,8) before anything
# else sees them.
. "$(dirname "$0")/lib.sh"

topo_pair
counter_add "$PEER" tos10 prerouting -300 @nh,8,8 0x10 icmp type echo-request
counter_add "$PEER" tos08 prerouting -300 @nh,8,8 0x08 icmp type echo-request
counter_add "$HOST" in08 input 300 @nh,8,8 0x08 icmp type echo-request

ipc "$HOST" -A output -p icmp -d 10.199.1.2 -t 01 10
ping_expect "TOS rule keeps the packet flowing" "$HOST" "$PEER_IP" ok
expect_counter "output -t 01 10: the peer receives TOS 0x10" "$PEER" tos10 1

ipc "$HOST" -R output 1 -p icmp -d 10.199.1.2 -t 01 08
ping_expect "replaced TOS rule" "$HOST" "$PEER_IP" ok
expect_counter "output -t 01 08: the peer receives TOS 0x08" "$PEER" tos08 1
expect_counter "and no more 0x10" "$PEER" tos10 1

# The and-mask clears: the peer sends TOS 0x10, input -t 01 08 makes it 0x08.
ipc "$HOST" -A input -p icmp -s 10.199.1.2 -t 01 08
on "$PEER" ping -n -q -c1 -W2 -Q 0x10 "$HOST_IP" >/dev/null &&
    pass "ping with TOS 0x10 answered" || fail "ping -Q 0x10 through an input TOS rule"
expect_counter "input -t 01 08 on TOS 0x10 gives 0x08" "$HOST" in08 1

expect_stdout "-L -v shows the masks" "$HOST" ipchains -L input -v -n <<'EOF'
Chain input (policy ACCEPT: 3 packets, 252 bytes):
 pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
    1    84 -          icmp ------ 0x01 0x08  *                              10.199.1.2           0.0.0.0/0             * ->   *
EOF

finish
