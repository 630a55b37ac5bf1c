#!/bin/bash
# Changed packets written back (docs/reference/divert-semantics.md 5.2, 6.3): destination port and
# address rewritten, payload grown, on the way out and on the way in. The programs fix the UDP
# checksum themselves and leave a wrong IP checksum and total length for the library to fix; a
# receiving socket only sees datagrams whose checksums are right.
. "$(dirname "$0")/divert_lib.sh"

require_queue
topo_pair
ip -n "$PEER" addr add 10.199.1.3/24 dev eth0

# --- outgoing: port
udp_sink "$PEER" "$PEER_IP" 5001 port
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5000 -j DIVERT 7201
dv_start "$HOST" port rewrite 7201 1 port 5001
udp_send "$HOST" "$PEER_IP" 5000 hello-port
dv_exit "port: the program rewrote one datagram" port 0
sink_expect "port: the datagram arrived at port 5001" port hello-port

# --- outgoing: destination address
udp_sink "$PEER" 10.199.1.3 5000 addr
dv_start "$HOST" addr rewrite 7201 1 addr 10.199.1.3
udp_send "$HOST" "$PEER_IP" 5000 hello-addr
dv_exit "addr: the program rewrote one datagram" addr 0
sink_expect "addr: the datagram arrived at 10.199.1.3" addr hello-addr

# --- outgoing: a longer packet than was diverted
udp_sink "$PEER" "$PEER_IP" 5000 grow
dv_start "$HOST" grow rewrite 7201 1 grow +grown-by-the-divert-program
udp_send "$HOST" "$PEER_IP" 5000 hello
dv_exit "grow: the program appended to one datagram" grow 0
dv_line "grow: it wrote 28 bytes more than it read" grow '^0 rewrote 61 bytes$'
sink_expect "grow: the receiver got the longer payload" grow hello+grown-by-the-divert-program
ipc "$HOST" -F output

# --- incoming: port, on the input chain
udp_sink "$HOST" "$HOST_IP" 5005 inport
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5004 -j DIVERT 7202
dv_start "$HOST" inport rewrite 7202 1 port 5005
udp_send "$PEER" "$HOST_IP" 5004 hello-in
dv_exit "incoming: the program rewrote one datagram" inport 0
sink_expect "incoming: delivered to port 5005" inport hello-in

finish
