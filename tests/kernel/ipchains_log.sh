#!/bin/bash
# -l: the rule is listed with the l flag and logging never changes what happens to the packet
# (ACCEPT passes, DENY drops, an accounting rule just counts). Kernel log lines from a private
# namespace are not visible to the host (nf_log_all_netns), so the text is not checked here;
# the NFLOG copy and its 2.2 "Packet log:" line are checked in ipchains_logd.sh.
. "$(dirname "$0")/lib.sh"

topo_pair
udp_server "$HOST" 7001

ipc "$HOST" -A input -p icmp -l -j ACCEPT
ping_expect "-l ACCEPT passes" "$PEER" "$HOST_IP" ok
ipc "$HOST" -I input 1 -p udp -d 0/0 7001 -l
udp_expect "-l accounting rule passes" "$PEER" "$HOST_IP" 7001 "reply:udp 7001"
ipc "$HOST" -I input 1 -p icmp -s 10.199.1.2 -l -j DENY
ping_expect "-l DENY drops" "$PEER" "$HOST_IP" timeout

expect_stdout "the l flag in the opt column, counters as usual" "$HOST" ipchains -L input -v -n <<'EOF'
Chain input (policy ACCEPT: 1 packets, 34 bytes):
 pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
    1    84 DENY       icmp ----l- 0xFF 0x00  *                              10.199.1.2           0.0.0.0/0             * ->   *
    1    34 -          udp  ----l- 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   7001
    1    84 ACCEPT     icmp ----l- 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   *
EOF
run "$HOST" ipchains-save
expect_grep "ipchains-save keeps -l" '^-A input .*-l' "$T/out"

# Each -l rule logs twice: the kernel's line and the NFLOG group 22 copy for ipchains-logd,
# whose prefix carries the rule number (nft, or legacy LOG/NFLOG targets).
kernel_state "$HOST" "$T/state"
expect_grep "kernel log line kept" 'log prefix "input DENY "|LOG .*--log-prefix "input DENY "' "$T/state"
expect_grep "NFLOG copy with the rule number" \
    'log prefix "input DENY #1" group 22 snaplen 80|NFLOG .*--nflog-prefix +"input DENY #1" --nflog-group 22' "$T/state"
expect_grep "accounting rule numbered #2" 'prefix "input - #2"' "$T/state"

finish
