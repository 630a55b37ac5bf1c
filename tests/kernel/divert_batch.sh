#!/bin/bash
# divert_recv_batch / divert_send_batch (divert.h): the same verdicts as one recvfrom/sendto per
# packet. Unchanged packets written back in order ride batched verdicts, changed ones arrive
# changed (also when the program held so many packets that the library compares them by hash
# rather than against its copy), a lone packet is not held back, and a short buffer gets the
# start of the packet with MSG_TRUNC and the real length.
. "$(dirname "$0")/divert_lib.sh"

require_queue
topo_pair

# --- light load: a single ping through the batch loop is answered at once
ipc "$HOST" -A output -p ICMP -d "$PEER_IP" -j DIVERT 7601
dv_start "$HOST" ping batch 7601 1 echo
ping_expect "a lone packet's verdict is not held back" "$HOST" "$PEER_IP" ok
dv_exit "the program read one packet" ping 0
dv_line "it rode a batched verdict" ping '^received 1 reinjected 1 batched 1$'
ipc "$HOST" -F output

# The bursts come from the peer (a local sender's held packets count against its own socket
# buffer), 1400-byte datagrams on the input chain to a sink on the host.
ipc "$HOST" -A input -p UDP -s "$PEER_IP" -d "$HOST_IP" 9 -j DIVERT 7602
burst() { on "$PEER" "$DIVERT_BIN/batch" send "$HOST_IP" 9 "$1" 1400; }

# sink NAME / unsink: the host's receiver on port 9 (every datagram into $T/NAME.sink), one
# per case; its receive buffer holds a whole burst.
sink() {
    local i
    ip netns exec "$HOST" "$DIVERT_BIN/batch" sink "$HOST_IP" 9 >"$T/$1.sink" 2>"$T/$1.err" &
    SINK_PID=$!
    BG_PIDS+=($!)
    for i in $(seq 100); do
        grep -q '^ready' "$T/$1.err" 2>/dev/null && return 0
        sleep 0.03
    done
    fail "the sink did not come up"
    show "$T/$1.err"
}
unsink() { kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; }

# sink_lines DESC NAME WANT: the sink got WANT datagrams (one line each) within POS_WAIT.
sink_lines() {
    local i got=0
    for i in $(seq $((${POS_WAIT%.*} * 20))); do
        got=$(wc -l <"$T/$2.sink")
        [ "$got" -ge "$3" ] && break
        sleep 0.05
    done
    if [ "$got" -eq "$3" ]; then pass "$1 ($got datagrams)"
    else fail "$1: $got datagrams arrived, expected $3"; fi
}

# --- a burst read and written back in batches, unchanged
sink echo
dv_start "$HOST" echo batch 7602 1000 echo
burst 1000
dv_exit "echo: 1000 packets read" echo 0 10
sink_lines "echo: every datagram arrived" echo 1000
dv_line "echo: all unchanged, in order: batched verdicts" echo '^received 1000 reinjected 1000 batched 1000$'
expect_grep "echo: unchanged bytes" '^p999\.\.\.' "$T/echo.sink"
unsink

# --- changed in the batch
sink upper
dv_start "$HOST" upper batch 7602 200 upper
burst 200
dv_exit "upper: 200 packets read" upper 0 10
sink_lines "upper: every datagram arrived" upper 200
dv_line "upper: none rode a batched verdict" upper '^received 200 reinjected 200 batched 0$'
if grep -q '^p' "$T/upper.sink"; then fail "upper: a datagram arrived unchanged"
else pass "upper: none arrived unchanged"; fi
expect_grep "upper: the change arrived" '^P199\.\.\.' "$T/upper.sink"
unsink

# --- held: 400 x 1400 bytes outgrow the library's copies; unchanged is still unchanged
sink hold
dv_start "$HOST" hold batch 7602 400 hold
burst 400
dv_exit "hold: 400 packets read before any is written" hold 0 10
sink_lines "hold: every datagram arrived" hold 400
dv_line "hold: all recognised as unchanged" hold '^received 400 reinjected 400 batched 400$'
unsink

sink holdedit
dv_start "$HOST" holdedit batch 7602 400 holdedit
burst 400
dv_exit "holdedit: 400 packets read" holdedit 0 10
sink_lines "holdedit: every datagram arrived" holdedit 400
dv_line "holdedit: the changed oldest one did not ride the batch" holdedit '^received 400 reinjected 400 batched 399$'
expect_grep "holdedit: its change arrived" '^P0\.\.\.' "$T/holdedit.sink"
unsink

# --- short buffers
dv_start "$HOST" trunc batch 7602 3 trunc
burst 3
dv_exit "trunc: 3 packets read" trunc 0 10
dv_count "trunc: the start, MSG_TRUNC and the real length" trunc '^len 100 orig 1428 trunc 1$' 3

finish
