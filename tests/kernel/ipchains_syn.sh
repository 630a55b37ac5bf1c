#!/bin/bash
# -y matches TCP packets with SYN set and ACK and RST clear: it blocks incoming connection
# requests, not the host's own connections (their SYN-ACK answers have ACK set) and not UDP.
. "$(dirname "$0")/lib.sh"

require_nft_reject
topo_pair
tcp_server "$HOST" 8001
udp_server "$HOST" 7001
tcp_server "$PEER" 8002

ipc "$HOST" -A input -p tcp -y -j DENY
tcp_expect "-y DENY: incoming connect blocked" "$PEER" "$HOST_IP" 8001 timeout
udp_expect "-y DENY: UDP unaffected" "$PEER" "$HOST_IP" 7001 "reply:udp 7001"
tcp_expect "-y DENY: the host's own connection works (SYN-ACK passes)" \
    "$HOST" "$PEER_IP" 8002 "reply:tcp 8002"

ipc "$HOST" -R input 1 -p tcp -y -j REJECT
tcp_expect "-y REJECT: incoming connect refused" "$PEER" "$HOST_IP" 8001 refused

ipc "$HOST" -R input 1 -p tcp ! -y -j DENY
tcp_expect "! -y DENY: the host's own connection fails (SYN-ACK dropped)" \
    "$HOST" "$PEER_IP" 8002 timeout

ipc "$HOST" -R input 1 -p tcp -d 0/0 8001 -y -j REJECT
tcp_expect "-y with a port: that port refused" "$PEER" "$HOST_IP" 8001 refused
tcp_expect "-y with a port: the host's connections unaffected" "$HOST" "$PEER_IP" 8002 \
    "reply:tcp 8002"

expect_stdout "-y is listed in the opt column" "$HOST" ipchains -L input -n <<'EOF'
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
REJECT     tcp  -y----  0.0.0.0/0            0.0.0.0/0             * ->   8001
EOF
ipc "$HOST" -R input 1 -p tcp ! -y -j ACCEPT
expect_stdout "! -y is listed as !y" "$HOST" ipchains -L input -n <<'EOF'
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
ACCEPT     tcp  !y----  0.0.0.0/0            0.0.0.0/0             * ->   *
EOF

finish
