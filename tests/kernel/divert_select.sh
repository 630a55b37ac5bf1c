#!/bin/bash
# Two divert sockets in one select() loop (readiness is the kernel's own: the descriptor is the
# queue's netlink socket), and truncation like a raw socket (docs/reference/divert-semantics.md 4).
. "$(dirname "$0")/divert_lib.sh"

require_queue
topo_pair

ipc "$HOST" -A output -p ICMP -d "$PEER_IP" -j DIVERT 7501
ipc "$HOST" -A input -p ICMP -s "$PEER_IP" -j DIVERT 7502
dv_start "$HOST" sel select2 7501 7502 4
ping_expect "select: first ping through both sockets" "$HOST" "$PEER_IP" ok
ping_expect "select: second ping through both sockets" "$HOST" "$PEER_IP" ok
dv_exit "select: four packets handled" sel 0
dv_count "select: two echo requests on the output port" sel '^7501 84$' 2
dv_count "select: two echo replies on the input port" sel '^7502 84$' 2
ipc "$HOST" -F input

dv_start "$HOST" trunc trunc 7501
on "$HOST" ping -n -c2 -i0.2 -W"$NEG_WAIT" "$PEER_IP" >/dev/null 2>&1
dv_exit "truncation: three receives done" trunc 0
cat >"$T/want" <<'EOT'
ready
peek 84
short 20 1
truncflag 84 MSG_TRUNC
EOT
same_text "peek sees the whole packet; a short buffer gets its start; MSG_TRUNC tells the truth" \
    "$T/want" "$T/trunc.out"

finish
