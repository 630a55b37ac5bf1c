#!/bin/bash
# -m sets the packet mark (absolute) or adds to it (+n / -n), on input and output; the mark is
# checked by counters of our own (table ip kobs) hooked after ipchains' chains, on the low 16
# bits (the upper bits are the implementation's, docs/design.md "Mark bits"), and in -L -v.
. "$(dirname "$0")/lib.sh"

topo_pair
counter_add "$HOST" out5 postrouting 300 meta mark and 0xffff == 0x5
counter_add "$HOST" out7 postrouting 300 meta mark and 0xffff == 0x7
counter_add "$HOST" in16 input 300 meta mark and 0xffff == 0x10
counter_add "$HOST" in19 input 300 meta mark and 0xffff == 0x13

ipc "$HOST" -A output -p icmp -d 10.199.1.2 -m 5
ping_expect "a mark rule does not change the verdict" "$HOST" "$PEER_IP" ok
expect_counter "-m 5 on output: the packet leaves with mark 5" "$HOST" out5 1

ipc "$HOST" -A output -p icmp -d 10.199.1.2 -m +2
ping_expect "two mark rules" "$HOST" "$PEER_IP" ok
expect_counter "-m 5 then -m +2: mark 7" "$HOST" out7 1
expect_counter "and no longer 5" "$HOST" out5 1

ipc "$HOST" -A input -p icmp -s 10.199.1.2 -m 0x10
ping_expect "input mark rule" "$PEER" "$HOST_IP" ok
expect_counter "-m 0x10 on input: the packet arrives with mark 0x10" "$HOST" in16 1
# +3 on 0x10: addition and OR agree (docs/differences.md 3.3: nft can only OR).
ipc "$HOST" -A input -p icmp -s 10.199.1.2 -m +3
ping_expect "input mark rules" "$PEER" "$HOST_IP" ok
expect_counter "-m 0x10 then -m +3: mark 0x13" "$HOST" in19 1

# (the output rules also match the host's echo replies to the peer's two pings)
expect_stdout "-L -v shows absolute and relative marks" "$HOST" ipchains -L output -v -x -n <<'EOF'
Chain output (policy ACCEPT: 4 packets, 336 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       4        336 -          icmp ------ 0xFF 0x00  *          0x5                   0.0.0.0/0            10.199.1.2            * ->   *
       3        252 -          icmp ------ 0xFF 0x00  *          0x2                   0.0.0.0/0            10.199.1.2            * ->   *
EOF

finish
