#!/bin/bash
# Processes and threads: a forked child keeps using the socket its parent bound (also after
# the parent closed its copy, as with any socket); several threads read and reinject on one
# socket and a dup of it.
. "$(dirname "$0")/divert_lib.sh"

require_queue
topo_pair
ipc "$HOST" -A output -p ICMP -d "$PEER_IP" -j DIVERT 7601

dv_start "$HOST" fork fork 7601 2
ping_expect "fork: the child reinjects" "$HOST" "$PEER_IP" ok
ping_expect "fork: again" "$HOST" "$PEER_IP" ok
dv_exit "fork: the child handled both and exited 0" fork 0

dv_start "$HOST" fork2 fork 7601 2 parent-closes
ping_expect "fork, parent closed its copy: the child still reinjects" "$HOST" "$PEER_IP" ok
ping_expect "fork, parent closed its copy: again" "$HOST" "$PEER_IP" ok
dv_exit "fork, parent closed its copy: child exited 0" fork2 0

dv_start "$HOST" thr threads 7601 4 200
on "$HOST" ping -n -q -c 200 -i 0.002 -W 1 "$PEER_IP" >"$T/ping" 2>&1
dv_exit "threads: 200 packets through 4 threads" thr 0
expect_grep "threads: every echo answered" ' 200 received' "$T/ping"

finish
