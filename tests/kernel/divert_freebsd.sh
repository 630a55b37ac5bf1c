#!/bin/bash
# FreeBSD divert(4) semantics on IPv4 (docs/divert.7 "FreeBSD semantics", "Metadata"), with
# FreeBSD-style programs built against a staged install: PF_DIVERT sockets and the
# regression-test shape of bind; sin_port = rule number, sin_addr = receiving interface's
# address or INADDR_ANY, sin_zero = interface name; written back as read, changed with the
# address as read, with another address and the name, with the address alone, with
# INADDR_ANY; the IPPROTO_DIVERT switch (environment, setsockopt); DIVERT_METADATA control
# messages and their absence; a tee-to-pcap tool; ipfw TEE; every other socket family
# untouched. The rules are added with `ipfw`, as a FreeBSD setup script adds them.
. "$(dirname "$0")/divert_freebsd_lib.sh"

require_queue
topo_pair
P=7901
stage_and_build regress divecho families teepcap
ETH0=$(ifindex "$HOST" eth0)
HEX_ETH0=6574683000000000  # "eth0" and NULs

# --- the socket API
expect_rc "regression shape: create/bind/EADDRINUSE/close" 0 "$HOST" "$DIVERT_BIN/regress" "$P"
expect_grep "second socket on a taken port: EADDRINUSE" '^ok same_port_eaddrinuse$' "$T/out"
expect_grep "the port is free again after close" '^ok same_port_after_close$' "$T/out"

run "$HOST" "$DIVERT_BIN/families"
if [ "$RC" -eq 0 ]; then pass "every other family and type: libdivert's socket() is the kernel's"
else fail "families exited $RC"; show "$T/out"; fi
expect_grep "AF_XDP (44) is a real XDP socket" '^xdp real domain 44 type 3 protocol 0$' "$T/out"
expect_grep "PF_DIVERT without libdivert: the kernel refuses it" \
    '^divert kernel Address family not supported by protocol$' "$T/out"
expect_grep "PF_DIVERT with libdivert: a divert socket" \
    '^divert libdivert domain 254 type 3 protocol 0$' "$T/out"

# --- incoming, written back as read
udp_sink "$HOST" "$HOST_IP" 5010 in
fw_divert "$HOST" 1 in "$P" udp "$HOST_IP" 5010
dv_start "$HOST" inpass divecho -c 1 "$P"
udp_send "$PEER" "$HOST_IP" 5010 "in-pass-x"
dv_exit "incoming: divecho handled one packet" inpass 0
dv_line "incoming: rule 1, eth0's address, eth0 in sin_zero" inpass \
    "^0 port 1 addr ${HOST_IP//./\\.} zero eth0 hex $HEX_ETH0 v4 len 37\$"
dv_line "incoming, written back as read: not diverted again" inpass '^extra 0$'
sink_once "incoming, written back as read" in "in-pass-x"

# --- incoming, changed: a new packet coming in on the interface, after rule 1
for mode in rewrite byname byaddr; do
    dv_start "$HOST" "in$mode" divecho -c 1 -w "$mode" "$P"
    udp_send "$PEER" "$HOST_IP" 5010 "in-$mode-x"
    dv_exit "incoming, $mode: divecho handled one packet" "in$mode" 0
    dv_line "incoming, $mode: written back, not diverted again" "in$mode" '^extra 0$'
    sink_once "incoming, $mode: the changed packet arrives" in "in-$mode-X"
    never_arrived "incoming, $mode: the original does not" in "in-$mode-x"
done

# --- outgoing
udp_sink "$PEER" "$PEER_IP" 5011 out
fw_flush "$HOST"
fw_divert "$HOST" 1 out "$P" udp "$PEER_IP" 5011
dv_start "$HOST" outpass divecho -c 1 "$P"
udp_send "$HOST" "$PEER_IP" 5011 "out-pass-x"
dv_exit "outgoing: divecho handled one packet" outpass 0
dv_line "outgoing: rule 1, INADDR_ANY, no interface name" outpass \
    '^0 port 1 addr 0\.0\.0\.0 zero - hex 0000000000000000 v4 len 38$'
dv_line "outgoing, written back as read: not diverted again" outpass '^extra 0$'
sink_once "outgoing, written back as read" out "out-pass-x"

dv_start "$HOST" outany divecho -c 1 -w any "$P"
udp_send "$HOST" "$PEER_IP" 5011 "out-any-x"
dv_exit "outgoing, changed: divecho handled one packet" outany 0
dv_line "outgoing, changed, INADDR_ANY: not diverted again" outany '^extra 0$'
sink_once "outgoing, changed, INADDR_ANY: sent out" out "out-any-X"
never_arrived "outgoing, changed: the original is not sent" out "out-any-x"

# --- IPPROTO_DIVERT sockets: 2.2's sin_zero unless switched
fw_flush "$HOST"
fw_divert "$HOST" 1 in "$P" udp "$HOST_IP" 5010
dv_start "$HOST" inet divecho -i -c 1 "$P"
udp_send "$PEER" "$HOST_IP" 5010 "inet-x"
dv_exit "IPPROTO_DIVERT: divecho handled one packet" inet 0
if grep -Eq '^0 port 1 addr [0-9.]+ zero .* hex [0-9a-f]{16} v4' "$T/inet.out" &&
    ! grep -q "hex $HEX_ETH0" "$T/inet.out"; then
    pass "IPPROTO_DIVERT by default: sin_zero is 2.2's cookie, not a name"
else
    fail "IPPROTO_DIVERT by default: sin_zero"
    show "$T/inet.out"
fi
sink_once "IPPROTO_DIVERT by default: reinjected" in "inet-x"

LIBDIVERT_SEMANTICS=freebsd dv_start "$HOST" inetenv divecho -i -c 1 "$P"
udp_send "$PEER" "$HOST_IP" 5010 "inetenv-x"
dv_exit "IPPROTO_DIVERT, LIBDIVERT_SEMANTICS=freebsd: one packet" inetenv 0
dv_line "IPPROTO_DIVERT, LIBDIVERT_SEMANTICS=freebsd: eth0 in sin_zero" inetenv \
    "^0 port 1 addr ${HOST_IP//./\\.} zero eth0 hex $HEX_ETH0 v4"
sink_once "IPPROTO_DIVERT, LIBDIVERT_SEMANTICS=freebsd: reinjected" in "inetenv-x"

dv_start "$HOST" inetopt divecho -i -s -c 1 -w byaddr "$P"
udp_send "$PEER" "$HOST_IP" 5010 "inetopt-x"
dv_exit "IPPROTO_DIVERT, DIVERT_SEMANTICS option: one packet" inetopt 0
dv_line "IPPROTO_DIVERT, DIVERT_SEMANTICS option: eth0 in sin_zero" inetopt \
    "^0 port 1 addr ${HOST_IP//./\\.} zero eth0 hex $HEX_ETH0 v4"
sink_once "IPPROTO_DIVERT, DIVERT_SEMANTICS option: changed packet arrives" in "inetopt-X"

expect_rc "LIBDIVERT_SEMANTICS=bogus: socket() fails" 1 "$HOST" \
    env LIBDIVERT_SEMANTICS=bogus "$DIVERT_BIN/divecho" -i "$P"
expect_grep "LIBDIVERT_SEMANTICS=bogus: EINVAL" 'socket: Invalid argument' "$T/err"

# --- metadata by recvmsg
dv_start "$HOST" metain divecho -m -c 1 "$P"
udp_send "$PEER" "$HOST_IP" 5010 "meta-in-x"
dv_exit "metadata, incoming: one packet" metain 0
dv_line "metadata, incoming: in = eth0's index" metain "^cmsg in $ETH0\$"
dv_line "metadata, incoming: out = 0" metain '^cmsg out 0$'
# ipchains' input chain hooks prerouting, its output chain postrouting (docs/design.md).
dv_line "metadata, incoming: hook prerouting" metain '^cmsg hook 0$'
dv_line "metadata, incoming: the RESUME stamp in the mark" metain '^cmsg mark 0x1[0-9a-f]{3}0000$'
dv_line "metadata, incoming: rule 1" metain '^cmsg rule 1$'
dv_count "metadata, incoming: no uid (no local socket yet)" metain '^cmsg uid' 0
sink_once "metadata, incoming: reinjected" in "meta-in-x"

dv_start "$HOST" plainmsg divecho -r -c 1 "$P"
udp_send "$PEER" "$HOST_IP" 5010 "plain-x"
dv_exit "recvmsg without DIVERT_METADATA: one packet" plainmsg 0
dv_line "recvmsg without DIVERT_METADATA: no control messages" plainmsg '^cmsg none$'
dv_count "recvmsg without DIVERT_METADATA: nothing else" plainmsg '^cmsg (in|out|hook|mark|rule)' 0

fw_flush "$HOST"
fw_divert "$HOST" 1 out "$P" udp "$PEER_IP" 5011
dv_start "$HOST" metaout divecho -m -c 1 "$P"
printf 'meta-out-x' | ip netns exec "$HOST" setpriv --reuid=65534 --regid=65534 --clear-groups \
    timeout 5 socat -u - "UDP4-SENDTO:$PEER_IP:5011" 2>/dev/null
dv_exit "metadata, outgoing: one packet" metaout 0
dv_line "metadata, outgoing: in = 0" metaout '^cmsg in 0$'
dv_line "metadata, outgoing: out = eth0's index" metaout "^cmsg out $ETH0\$"
# The output chain hooks postrouting in nft, OUTPUT in the legacy tables (docs/backends.md).
OUT_HOOK=4
[ "${IPCHAINS_DIVERT_BACKEND:-}" = legacy ] && OUT_HOOK=3
dv_line "metadata, outgoing: hook of the output chain" metaout "^cmsg hook $OUT_HOOK\$"
dv_line "metadata, outgoing: the sender's uid" metaout '^cmsg uid 65534$'
dv_line "metadata, outgoing: the sender's gid" metaout '^cmsg gid 65534$'
dv_line "metadata, outgoing: rule 1" metaout '^cmsg rule 1$'
sink_once "metadata, outgoing: sent" out "meta-out-x"

# --- tee to pcap (a divert rule: the tool writes each packet back)
dv_start "$HOST" tee teepcap -w -c 3 "$P" "$T/tee.pcap"
for i in 1 2 3; do udp_send "$HOST" "$PEER_IP" 5011 "tee-$i-x"; done
dv_exit "teepcap: three packets" tee 0
for i in 1 2 3; do sink_once "teepcap: packet $i passed" out "tee-$i-x"; done
tcpdump -nr "$T/tee.pcap" >"$T/tcpdump.out" 2>&1
dv_count "teepcap: tcpdump reads three UDP packets to the peer" tcpdump \
    "IP ${HOST_IP//./\\.}\\.[0-9]+ > ${PEER_IP//./\\.}\\.5011: UDP, length 7" 3

# --- TEE: the original goes on at once, the program gets a copy
fw_flush "$HOST"
fw_tee "$HOST" 1 out "$P" udp "$PEER_IP" 5011
dv_start "$HOST" teeonly teepcap -c 3 "$P" "$T/teeonly.pcap"
for i in 1 2 3; do udp_send "$HOST" "$PEER_IP" 5011 "teed-$i-x"; done
dv_exit "tee: three copies read, none written back" teeonly 0
for i in 1 2 3; do sink_once "tee: original $i passed without a write-back" out "teed-$i-x"; done
tcpdump -nr "$T/teeonly.pcap" >"$T/teedump.out" 2>&1
dv_count "tee: the pcap holds the three copies" teedump \
    "IP ${HOST_IP//./\\.}\\.[0-9]+ > ${PEER_IP//./\\.}\\.5011: UDP, length 8" 3

dv_start "$HOST" teewb divecho -c 1 "$P"
udp_send "$HOST" "$PEER_IP" 5011 "teewb-x"
dv_exit "tee, copy written back: one packet" teewb 0
dv_line "tee, copy written back: not teed again" teewb '^extra 0$'
sink_expect "tee, copy written back: arrived" out "teewb-x"
sleep 0.3
got=$(grep -oF -- "teewb-x" "$T/out.sink" | wc -l)
[ "$got" -eq 2 ] && pass "tee, copy written back: original and copy both arrive (2)" ||
    fail "tee, copy written back: arrived $got times, expected 2"

finish
