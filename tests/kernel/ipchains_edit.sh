#!/bin/bash
# -A, -I (default position 1 and numbered), -R (keeps the old rule's counters, a 2.2 quirk),
# -D by number and by spec (the first equal rule), with the listing order and the traffic
# effect after each step, and the exact errors for positions past the end.
. "$(dirname "$0")/lib.sh"

require_nft_reject
topo_pair
for p in 7001 7002; do udp_server "$HOST" $p; done

ipc "$HOST" -A input -p udp -d 0/0 7001 -j DENY
udp_expect "-A DENY" "$PEER" "$HOST_IP" 7001 timeout
ipc "$HOST" -I input 1 -p udp -d 0/0 7001 -j ACCEPT
udp_expect "-I 1 ACCEPT goes first" "$PEER" "$HOST_IP" 7001 "reply:udp 7001"
ipc "$HOST" -I input -p udp -d 0/0 7002 -j DENY
udp_expect "-I without a number inserts at the head" "$PEER" "$HOST_IP" 7002 timeout
expect_stdout "order after -A, -I 1, -I" "$HOST" ipchains -L input -n <<'EOF'
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
DENY       udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7002
ACCEPT     udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7001
DENY       udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7001
EOF

# -R keeps the counters of the rule it replaces.
udp_probe "$PEER" "$HOST_IP" 7001 "$POS_WAIT" >/dev/null
ipc "$HOST" -R input 2 -p udp -d 0/0 7001 -j REJECT
udp_expect "-R 2 turns ACCEPT into REJECT" "$PEER" "$HOST_IP" 7001 refused
expect_stdout "-R kept the old rule's counters" "$HOST" ipchains -L input -v -x -n --line-numbers <<'EOF'
Chain input (policy ACCEPT: 0 packets, 0 bytes):
num      pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
1           1         34 DENY       udp  ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   7002
2           3        102 REJECT     udp  ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   7001
3           1         34 DENY       udp  ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   7001
EOF

ipc "$HOST" -D input 2
udp_expect "-D 2: the DENY behind it applies again" "$PEER" "$HOST_IP" 7001 timeout
ipc "$HOST" -A input -p udp -d 0/0 7002 -j DENY
ipc "$HOST" -D input -p udp -d 0/0 7002 -j DENY
expect_stdout "-D by spec removes the first equal rule only" "$HOST" ipchains -L input -n <<'EOF'
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
DENY       udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7001
DENY       udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7002
EOF
ipc "$HOST" -D input -p udp -d 0/0 7001 -j DENY
udp_expect "-D by spec: 7001 passes" "$PEER" "$HOST_IP" 7001 "reply:udp 7001"
udp_expect "-D by spec: 7002 still denied" "$PEER" "$HOST_IP" 7002 timeout

kernel_state "$HOST" "$T/before"
expect_error "-D of a spec that matches no rule" 1 "$HOST" \
    ipchains -D input -p udp -d 0/0 7001 -j ACCEPT <<'EOF'
ipchains: bad rule (does a matching rule exist in that chain?)
EOF
expect_error "-D by number past the end (2.2 quirk: ENOENT)" 1 "$HOST" ipchains -D input 5 <<'EOF'
ipchains: No chain by that name
EOF
expect_error "-R past the end" 1 "$HOST" ipchains -R input 5 -p udp -j ACCEPT <<'EOF'
ipchains: bad rule (does a matching rule exist in that chain?)
EOF
expect_error "-I past the end" 1 "$HOST" ipchains -I input 5 -p udp -j ACCEPT <<'EOF'
ipchains: bad rule (does a matching rule exist in that chain?)
EOF
expect_error "-R needs a rule number" 2 "$HOST" ipchains -R input -p udp -j ACCEPT <<'EOF'
ipchains: -R requires a rule number
Try `ipchains -h' or 'ipchains --help' for more information.
EOF
kernel_state "$HOST" "$T/after"
same_text "failed edits leave the kernel unchanged" "$T/before" "$T/after"

# -I at the position just past the end appends; -D 1 of the last rule empties the chain.
ipc "$HOST" -I input 2 -p udp -d 0/0 7001 -j REJECT
udp_expect "-I at count+1 appends" "$PEER" "$HOST_IP" 7001 refused
ipc "$HOST" -D input 1
ipc "$HOST" -D input 1
expect_stdout "chain empty again" "$HOST" ipchains -L input <<'EOF'
Chain input (policy ACCEPT):
EOF
udp_expect "all passes" "$PEER" "$HOST_IP" 7002 "reply:udp 7002"

finish
