#!/bin/bash
# Accounting rules (no -j) count real packets and bytes; -L -v -x prints them exactly and the
# policy counters count what fell off the chain; -Z zeroes rule counters of one chain or all,
# never policy counters; -L -Z lists, then zeroes; counts above 99999 get K units without -x.
. "$(dirname "$0")/lib.sh"

topo_pair
ipc "$HOST" -A input -s 10.199.1.2 -p icmp
ipc "$HOST" -A output -d 10.199.1.2 -p icmp

# Three echo requests of 84 bytes in, three replies out.
on "$PEER" ping -n -q -c3 -i0.2 -W2 "$HOST_IP" >/dev/null
[ $? -eq 0 ] && pass "accounting rules do not stop traffic" || fail "ping with accounting rules"

expect_stdout "-L input -v -x -n after 3 pings" "$HOST" ipchains -L input -v -x -n <<'EOF'
Chain input (policy ACCEPT: 3 packets, 252 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       3        252 -          icmp ------ 0xFF 0x00  *                              10.199.1.2           0.0.0.0/0             * ->   *
EOF
expect_stdout "-L output -v -x -n after 3 pings" "$HOST" ipchains -L output -v -x -n <<'EOF'
Chain output (policy ACCEPT: 3 packets, 252 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       3        252 -          icmp ------ 0xFF 0x00  *                              0.0.0.0/0            10.199.1.2            * ->   *
EOF

ipc "$HOST" -Z input
expect_stdout "-Z input zeroes the rule, not the policy" "$HOST" ipchains -L input -v -x -n <<'EOF'
Chain input (policy ACCEPT: 3 packets, 252 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       0          0 -          icmp ------ 0xFF 0x00  *                              10.199.1.2           0.0.0.0/0             * ->   *
EOF
expect_stdout "-Z input leaves output alone" "$HOST" ipchains -L output -v -x -n <<'EOF'
Chain output (policy ACCEPT: 3 packets, 252 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       3        252 -          icmp ------ 0xFF 0x00  *                              0.0.0.0/0            10.199.1.2            * ->   *
EOF

# -L -Z prints the counters as they were, then they read 0.
expect_stdout "-L -Z lists the counters before zeroing" "$HOST" ipchains -L -Z -v -x -n <<'EOF'
Chain input (policy ACCEPT: 3 packets, 252 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       0          0 -          icmp ------ 0xFF 0x00  *                              10.199.1.2           0.0.0.0/0             * ->   *
Chain forward (policy ACCEPT: 0 packets, 0 bytes):
Chain output (policy ACCEPT: 3 packets, 252 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       3        252 -          icmp ------ 0xFF 0x00  *                              0.0.0.0/0            10.199.1.2            * ->   *
EOF
expect_stdout "after -L -Z every rule counter is 0, policies kept" "$HOST" ipchains -L -v -x -n <<'EOF'
Chain input (policy ACCEPT: 3 packets, 252 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       0          0 -          icmp ------ 0xFF 0x00  *                              10.199.1.2           0.0.0.0/0             * ->   *
Chain forward (policy ACCEPT: 0 packets, 0 bytes):
Chain output (policy ACCEPT: 3 packets, 252 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       0          0 -          icmp ------ 0xFF 0x00  *                              0.0.0.0/0            10.199.1.2            * ->   *
EOF
expect_error "-L -Z with a chain is refused" 2 "$HOST" ipchains -L input -Z <<'EOF'
ipchains: -L with -Z does not allow chain to be specified
Try `ipchains -h' or 'ipchains --help' for more information.
EOF

# 80 echo requests of 1400 bytes: 112000 bytes, shown as 112K without -x.
on "$PEER" ping -n -q -c80 -i0.005 -s1372 -W2 "$HOST_IP" >/dev/null
expect_stdout "-L -v -n rounds big counts to K" "$HOST" ipchains -L input -v -n <<'EOF'
Chain input (policy ACCEPT: 83 packets, 112252 bytes):
 pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
   80  112K -          icmp ------ 0xFF 0x00  *                              10.199.1.2           0.0.0.0/0             * ->   *
EOF

# Counters count matches of every rule kind, including jumps, and only real matches.
ipc "$HOST" -F
ipc "$HOST" -N acct
ipc "$HOST" -A input -p icmp -j acct
ipc "$HOST" -A input -p udp
ipc "$HOST" -A acct -p icmp --icmp-type echo-request
on "$PEER" ping -n -q -c2 -i0.2 -W2 "$HOST_IP" >/dev/null
expect_stdout "jump and user-chain rules count, others do not" "$HOST" ipchains -L -v -x -n <<'EOF'
Chain input (policy ACCEPT: 85 packets, 112420 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       2        168 acct       icmp ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   *
       0          0 -          udp  ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   *
Chain forward (policy ACCEPT: 0 packets, 0 bytes):
Chain output (policy ACCEPT: 85 packets, 112420 bytes):
Chain acct (1 references):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       2        168 -          icmp ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             8 ->   *
EOF

# A user chain reached from input and from output counts both directions; its counts stay
# when a jump to it goes or comes back (each hook runs a copy of the chain of its own).
ipc "$HOST" -F
ipc "$HOST" -X
ipc "$HOST" -N both
ipc "$HOST" -A both -p icmp
ipc "$HOST" -A input -p icmp -j both
ipc "$HOST" -A output -p icmp -j both
both_counts() {
    local want=$1 desc=$2 got
    got=$(on "$HOST" ipchains -L both -v -x -n | awk 'NR == 3 { print $1, $2 }')
    [ "$got" = "$want" ] && pass "$desc" || fail "$desc: chain both counts '$got', want '$want'"
}
on "$PEER" ping -n -q -c2 -i0.2 -W2 "$HOST_IP" >/dev/null
both_counts "4 336" "2 echo requests in and 2 replies out, counted in one rule"
ipc "$HOST" -F input
both_counts "4 336" "-F input: the requests counted through input stay"
ipc "$HOST" -A input -p icmp -j both
on "$PEER" ping -n -q -c1 -W2 "$HOST_IP" >/dev/null
both_counts "6 504" "the jump from input back, one more ping"
# The first REJECT changes how the legacy backend writes the output copy's other rules.
ipc "$HOST" -A both -p icmp -d 10.199.1.99 -j REJECT
both_counts "6 504" "a first REJECT appended: both copies' counts stay"
ipc "$HOST" -D output 1
both_counts "6 504" "-D of output's jump: the replies counted through output stay"
ipc "$HOST" -I output 1 -p icmp -j both
ipc "$HOST" -D input 1
both_counts "6 504" "output's jump back, input's gone: still every count"

finish
