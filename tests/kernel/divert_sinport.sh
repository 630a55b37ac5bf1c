#!/bin/bash
# sin_port of a received packet (divert(7), Reading): the 1-based position of the DIVERT rule
# within its chain, in host byte order: rule 1 of output, rule 3 of input, rule 2 of a user
# chain reached from input. Passing the address back unchanged resumes after that rule (the
# rules before it and the DIVERT rule see the packet once, the ones after it once, a DENY
# after it still applies); zeroing the whole address makes the write an outbound injection,
# which still arrives and is not diverted to the writer again.
. "$(dirname "$0")/divert_lib.sh"

require_queue
topo_pair
P=7801

# --- output, DIVERT at position 1
udp_sink "$PEER" "$PEER_IP" 5010 out
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5010 -j DIVERT "$P"
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5010
counts_snap "$HOST" output
dv_start "$HOST" out sinport "$P" 1 pass
udp_send "$HOST" "$PEER_IP" 5010 "<out-pass>"
dv_exit "output: sinport handled one packet" out 0
dv_line "output rule 1: sin_port 1, sin_addr 0.0.0.0" out '^0 port 1 addr 0\.0\.0\.0$'
dv_line "output, passed back: not diverted again" out '^extra 0$'
sink_once "output, passed back unchanged" out "<out-pass>"
expect_counts_delta "output, passed back: each rule counted it once" "$HOST" output 1 1

dv_start "$HOST" outz sinport "$P" 1 zero
udp_send "$HOST" "$PEER_IP" 5010 "<out-zero>"
dv_exit "output, zeroed: sinport handled one packet" outz 0
dv_line "output rule 1 (zero): sin_port 1" outz '^0 port 1 addr 0\.0\.0\.0$'
dv_line "output, written with a zeroed address: not diverted to the writer again" outz \
    '^extra 0$'
sink_once "output, written with a zeroed address (outbound injection)" out "<out-zero>"
ipc "$HOST" -F output

# --- input, DIVERT at position 3 behind two counting rules; a DENY for one flow after it
udp_sink "$HOST" "$HOST_IP" 5011 in
udp_sink "$HOST" "$HOST_IP" 5012 deny
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5011:5012
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5011:5012
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5011:5012 -j DIVERT "$P"
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5012 -j DENY
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5011:5012

counts_snap "$HOST" input
dv_start "$HOST" in sinport "$P" 1 pass
udp_send "$PEER" "$HOST_IP" 5011 "<in-pass>"
dv_exit "input: sinport handled one packet" in 0
dv_line "input rule 3: sin_port 3, sin_addr eth0's" in "^0 port 3 addr ${HOST_IP//./\\.}\$"
dv_line "input, passed back: not diverted again" in '^extra 0$'
sink_once "input, passed back unchanged" in "<in-pass>"
expect_counts_delta "input, passed back: rules before and after DIVERT counted it once" \
    "$HOST" input 1 1 1 0 1

counts_snap "$HOST" input
dv_start "$HOST" indeny sinport "$P" 1 pass
udp_send "$PEER" "$HOST_IP" 5012 "<in-deny>"
dv_exit "input, second flow: sinport handled one packet" indeny 0
dv_line "input rule 3, second flow: sin_port 3" indeny "^0 port 3 addr ${HOST_IP//./\\.}\$"
sleep "$NEG_WAIT"
if grep -qF "<in-deny>" "$T/deny.sink"; then
    fail "input, passed back: the DENY right after the DIVERT rule did not apply"
else
    pass "input, passed back: the DENY right after the DIVERT rule applied"
fi
expect_counts_delta "input, second flow: counted once up to the DENY" "$HOST" input 1 1 1 1 0
ipc "$HOST" -F input

# --- a user chain reached from input, DIVERT at its position 2
udp_sink "$HOST" "$HOST_IP" 5013 sub
ipc "$HOST" -N sub
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5013 -j sub
ipc "$HOST" -A sub -p UDP -d "$HOST_IP" 5013
ipc "$HOST" -A sub -p UDP -d "$HOST_IP" 5013 -j DIVERT "$P"
ipc "$HOST" -A sub -p UDP -d "$HOST_IP" 5013
counts_snap "$HOST" sub
dv_start "$HOST" sub sinport "$P" 1 pass
udp_send "$PEER" "$HOST_IP" 5013 "<sub-pass>"
dv_exit "user chain: sinport handled one packet" sub 0
dv_line "user chain rule 2: sin_port 2" sub "^0 port 2 addr ${HOST_IP//./\\.}\$"
dv_line "user chain, passed back: not diverted again" sub '^extra 0$'
sink_once "user chain, passed back unchanged" sub "<sub-pass>"
expect_counts_delta "user chain, passed back: each rule counted it once" "$HOST" sub 1 1 1

finish
