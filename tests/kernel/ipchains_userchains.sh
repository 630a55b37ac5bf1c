#!/bin/bash
# User chains: jump, RETURN (continue after the jumping rule), falling off the end, a verdict
# inside a user chain being final, nested chains returning to their caller; then -F, -X and
# -N with their kernel-side errors (exit 1, exact text).
. "$(dirname "$0")/lib.sh"

require_nft_reject
topo_pair
for p in 7001 7002 7003 7004 7005 7006 7007; do udp_server "$HOST" $p; done

ipc "$HOST" -N udpin
ipc "$HOST" -N deep
ipc "$HOST" -A udpin -p udp -d 0/0 7006:7007 -j deep
ipc "$HOST" -A udpin -p udp -d 0/0 7001 -j RETURN
ipc "$HOST" -A udpin -p udp -d 0/0 7002 -j DENY
ipc "$HOST" -A udpin -p udp -d 0/0 7003 -j ACCEPT
ipc "$HOST" -A udpin -p udp -d 0/0 7006 -j REJECT
ipc "$HOST" -A deep -p udp -d 0/0 7006 -j RETURN
ipc "$HOST" -A deep -p udp -j DENY
ipc "$HOST" -A input -p udp -j udpin
ipc "$HOST" -A input -p udp -d 0/0 7001:7004 -j REJECT

udp_expect "RETURN continues after the jump" "$PEER" "$HOST_IP" 7001 refused
udp_expect "DENY inside a user chain" "$PEER" "$HOST_IP" 7002 timeout
udp_expect "ACCEPT inside a user chain is final" "$PEER" "$HOST_IP" 7003 "reply:udp 7003"
udp_expect "falling off a user chain continues after the jump" "$PEER" "$HOST_IP" 7004 refused
udp_expect "no rule matches: policy" "$PEER" "$HOST_IP" 7005 "reply:udp 7005"
udp_expect "RETURN from a nested chain goes back to its caller" "$PEER" "$HOST_IP" 7006 refused
udp_expect "DENY in a nested chain" "$PEER" "$HOST_IP" 7007 timeout

expect_stdout "-L -n shows reference counts" "$HOST" ipchains -L -n <<'EOF'
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
udpin      udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   *
REJECT     udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7001:7004
Chain forward (policy ACCEPT):
Chain output (policy ACCEPT):
Chain udpin (1 references):
target     prot opt     source                destination           ports
deep       udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7006:7007
RETURN     udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7001
DENY       udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7002
ACCEPT     udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7003
REJECT     udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7006
Chain deep (1 references):
target     prot opt     source                destination           ports
RETURN     udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   7006
DENY       udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   *
EOF

# Errors of the chain commands leave the kernel as it was.
kernel_state "$HOST" "$T/before"
expect_error "-N of an existing chain" 1 "$HOST" ipchains -N udpin <<'EOF'
ipchains: Chain already exists
EOF
expect_error "-N of a built-in chain name" 1 "$HOST" ipchains -N input <<'EOF'
ipchains: Chain already exists
EOF
expect_error "-X of a referenced chain" 1 "$HOST" ipchains -X deep <<'EOF'
ipchains: Device or resource busy
EOF
expect_error "-X of a built-in chain" 1 "$HOST" ipchains -X input <<'EOF'
ipchains: Device or resource busy
EOF
expect_error "-X of a missing chain" 1 "$HOST" ipchains -X nosuch <<'EOF'
ipchains: No chain by that name
EOF
expect_error "-A to a missing chain" 1 "$HOST" ipchains -A nosuch -p udp -j ACCEPT <<'EOF'
ipchains: No target by that name
EOF
expect_error "jump to a missing chain" 1 "$HOST" ipchains -A input -p udp -j nosuch <<'EOF'
ipchains: No target by that name
EOF
kernel_state "$HOST" "$T/after"
same_text "failed chain commands leave the kernel unchanged" "$T/before" "$T/after"

# -F of one chain, then -X once nothing refers to it.
ipc "$HOST" -F input
udp_expect "-F input removes the jump" "$PEER" "$HOST_IP" 7002 "reply:udp 7002"
expect_error "-X of a non-empty chain" 1 "$HOST" ipchains -X udpin <<'EOF'
ipchains: Chain is not empty
EOF
ipc "$HOST" -F udpin
ipc "$HOST" -X udpin
expect_error "deep is no longer referenced but still not empty" 1 "$HOST" ipchains -X deep <<'EOF'
ipchains: Chain is not empty
EOF
ipc "$HOST" -F
expect_stdout "-F with no chain flushed deep too" "$HOST" ipchains -L deep <<'EOF'
Chain deep (0 references):
EOF
ipc "$HOST" -N other
ipc "$HOST" -X
expect_stdout "-X with no chain deletes every user chain" "$HOST" ipchains -L -n <<'EOF'
Chain input (policy ACCEPT):
Chain forward (policy ACCEPT):
Chain output (policy ACCEPT):
EOF
expect_error "-L of a deleted chain" 1 "$HOST" ipchains -L deep <<'EOF'
ipchains: No chain by that name
EOF
udp_expect "everything passes after -F/-X" "$PEER" "$HOST_IP" 7007 "reply:udp 7007"

finish
