#!/bin/bash
# A diverted packet that is never written back is gone (divert(7) "Packet lifetime"), and
# nothing a program does or suffers leaves packets stuck in the kernel queue: with the lifetime
# off, packets it holds sit in a bounded window (the oldest is dropped beyond it), close() drops
# them, and so does being killed; the port is free again at once.
. "$(dirname "$0")/divert_lib.sh"

require_queue
topo_pair

ipc "$HOST" -A output -p ICMP -d "$PEER_IP" -j DIVERT 7301

# --- read and never written back; with the lifetime off (LIBDIVERT_LIFETIME_MS=0) the packet
# stays queued until the program dies or closes (divert_lifetime.sh covers the lifetime)
LIBDIVERT_LIFETIME_MS=0 dv_start "$HOST" hold drop 7301 1 hold
ping_expect "not reinjected: no reply" "$HOST" "$PEER_IP" timeout
dv_line "the program read it" hold '^done 1$'
expect_queued "held (lifetime 0): the packet waits in the window" "$HOST" 7301 1

# --- killed while holding it: the queue goes away with the socket, the port is free
kill -9 "${DV_PID[hold]}"
dv_wait hold
expect_queued "killed: nothing left queued" "$HOST" 7301 none
dv_start "$HOST" again echo 7301 1
ping_expect "killed: a new program binds the port at once and reinjects" "$HOST" "$PEER_IP" ok
dv_exit "the new program saw the packet" again 0

# --- close() drops what the program still held
LIBDIVERT_LIFETIME_MS=0 dv_start "$HOST" closer drop 7301 1 close
ping_expect "close: no reply" "$HOST" "$PEER_IP" timeout
expect_queued "close: the held packet is gone, the queue unbound" "$HOST" 7301 none
kill "${DV_PID[closer]}"
dv_wait closer

# --- a program that reads much and writes nothing: the window stays bounded. (The burst comes
# from the peer: a local sender's held packets count against its own socket buffer.)
ipc "$HOST" -A input -p UDP -s "$PEER_IP" -d "$HOST_IP" 9 -j DIVERT 7301
LIBDIVERT_LIFETIME_MS=0 dv_start "$HOST" win drop 7301 1100 stats
on "$PEER" bash -c 'exec 3>/dev/udp/$0/9; for i in $(seq 1100); do printf x >&3; done' "$HOST_IP"
dv_exit "window: 1100 packets read" win 0 10
dv_line "window: the 76 oldest beyond 1024 were dropped" win '^received 1100 window_drops 76$'

finish
