#!/bin/bash
# -j DIVERT port with real packets and a queue listener (tests/kernel/ipchains_nfqlisten.c):
# nobody bound -> dropped (the rule still counts); a listener sees the packet; a reinjected
# packet continues with the rule after the DIVERT rule (a later counting rule counts, a later
# DENY/REJECT still applies), also inside user chains and across two DIVERT rules; a drop
# verdict consumes it; with --divert-passthrough on, nobody bound = the rule does not match.
# Input, output and forward chains. (docs/reference/divert-semantics.md sections 6.2, 6.3;
# docs/design.md.)
. "$(dirname "$0")/lib.sh"

require_queue
require_nft_reject
topo_pair
REQ="packet proto 1 10.199.1.1 -> 10.199.1.2 len 84"   # the host's echo request

# --- output chain, the host pings the peer
ipc "$HOST" -A output -p ICMP -d 10.199.1.2 -j DIVERT 7001
counts_snap "$HOST" output
ping_expect "nobody bound: the packet is dropped" "$HOST" "$PEER_IP" timeout
expect_counts_delta "nobody bound: the DIVERT rule still counted" "$HOST" output 1

counts_snap "$HOST" output
listen_start "$HOST" 7001 accept 1
ping_expect "listener reinjects: ping answered" "$HOST" "$PEER_IP" ok
listen_expect "the listener saw the echo request" 7001 "$REQ"

ipc "$HOST" -A output -p icmp -d 10.199.1.2
counts_snap "$HOST" output
listen_start "$HOST" 7001 accept 1
ping_expect "reinjected past a counting rule" "$HOST" "$PEER_IP" ok
listen_expect "diverted once" 7001 "$REQ"
expect_counts_delta "the counting rule after DIVERT counted the reinjected packet" "$HOST" output 1 1

ipc "$HOST" -A output -p icmp -d 10.199.1.2 -j DENY
counts_snap "$HOST" output
listen_start "$HOST" 7001 accept 1
ping_expect "a DENY after the DIVERT rule still applies" "$HOST" "$PEER_IP" timeout
listen_expect "diverted before the DENY" 7001 "$REQ"
expect_counts_delta "counted on the way to the DENY" "$HOST" output 1 1 1

ipc "$HOST" -D output 3
counts_snap "$HOST" output
listen_start "$HOST" 7001 drop 1
ping_expect "a drop verdict consumes the packet" "$HOST" "$PEER_IP" timeout
listen_expect "the dropping listener saw it" 7001 "$REQ"
expect_counts_delta "a consumed packet never reaches the rules after DIVERT" "$HOST" output 1 0

# --- pass-through: nobody bound means "this rule does not match"
ipc "$HOST" --divert-passthrough on
counts_snap "$HOST" output
ping_expect "pass-through, nobody bound: the packet passes" "$HOST" "$PEER_IP" ok
expect_counts_delta "pass-through continues with the next rule" "$HOST" output 1 1
ipc "$HOST" -A output -p icmp -d 10.199.1.2 -j DENY
ping_expect "pass-through never skips a later DENY" "$HOST" "$PEER_IP" timeout
ipc "$HOST" -D output 3
listen_start "$HOST" 7001 drop 1
ping_expect "pass-through with a listener bound: diverted as usual" "$HOST" "$PEER_IP" timeout
listen_expect "the listener got it" 7001 "$REQ"
ipc "$HOST" --divert-passthrough off
ping_expect "pass-through off again: dropped" "$HOST" "$PEER_IP" timeout

# --- two DIVERT rules in a row: the packet visits both listeners, in rule order
ipc "$HOST" -F output
ipc "$HOST" -A output -p icmp -d 10.199.1.2 -j DIVERT 7001
ipc "$HOST" -A output -p icmp -d 10.199.1.2 -j DIVERT 7003
listen_start "$HOST" 7001 accept 1
listen_start "$HOST" 7003 accept 1
ping_expect "two DIVERT rules, both reinject" "$HOST" "$PEER_IP" ok
listen_expect "first DIVERT" 7001 "$REQ"
listen_expect "second DIVERT" 7003 "$REQ"
ipc "$HOST" -F output

# --- input chain, DIVERT inside a user chain: the peer pings the host
ipc "$HOST" -N dv
ipc "$HOST" -A dv -p icmp -j DIVERT 7002
ipc "$HOST" -A dv -p icmp -s 10.199.1.2 -j RETURN
ipc "$HOST" -A input -p icmp -j dv
ipc "$HOST" -A input -p icmp -s 10.199.1.2
IN_REQ="packet proto 1 10.199.1.2 -> 10.199.1.1 len 84"
listen_start "$HOST" 7002 accept 1
ping_expect "DIVERT in a user chain on input" "$PEER" "$HOST_IP" ok
listen_expect "input DIVERT saw the peer's request" 7002 "$IN_REQ"
run "$HOST" ipchains -L input -v -x -n
expect_line "resumed in dv, returned, and counted by input's next rule" \
    '       1         84 -          icmp ------ 0xFF 0x00  *                              10.199.1.2           0.0.0.0/0             * ->   *' \
    "$T/out"
ipc "$HOST" -I dv 2 -p icmp -j REJECT
listen_start "$HOST" 7002 accept 1
ping_expect "a REJECT after DIVERT in the user chain answers" "$PEER" "$HOST_IP" \
    "unreach:Destination Port Unreachable"
listen_expect "diverted before the REJECT" 7002 "$IN_REQ"

# --- forward chain on a router: request and reply are both diverted
topo_routed
ipc "$ROUTER" -A forward -p icmp -j DIVERT 7005
listen_start "$ROUTER" 7005 accept 2
ping_expect "forward DIVERT with reinjection" "$CLIENT" "$SERVER_IP" ok
listen_expect "forward DIVERT saw request and reply" 7005 \
    "packet proto 1 10.199.1.2 -> 10.199.2.2 len 84" \
    "packet proto 1 10.199.2.2 -> 10.199.1.2 len 84"

finish
