#!/bin/bash
# IPv6 on divert sockets (docs/divert.7 "IPv6"), with the FreeBSD-style programs built
# against a staged install: the socket receives IPv6 packets whole from its queue (version
# nibble 6), and writes them back and injects them both ways, with the payload length and
# the UDP checksum fixed in changed packets (the programs clear it; 0 is no valid IPv6 UDP
# checksum, so the receiver would drop an unfixed one). The rule core has no IPv6 rules yet:
# fw6_divert installs an ip6tables-legacy NFQUEUE rule as a compiled DIVERT rule would behave
# (skipping the writer's own injections, docs/design.md "Mark bits").
. "$(dirname "$0")/divert_freebsd_lib.sh"

require_queue
command -v ip6tables-legacy >/dev/null || die "missing ip6tables-legacy (tools/run.sh installs iptables)"
topo_pair
P=7902
stage_and_build divecho teepcap
# lib.sh turns IPv6 off in its namespaces; this suite needs it.
for ns in "$HOST" "$PEER"; do
    for k in all default lo eth0; do on "$ns" sysctl -qw "net.ipv6.conf.$k.disable_ipv6=0"; done
done
HOST6=fd00:199:1::1
PEER6=fd00:199:1::2
ip -n "$HOST" addr add "$HOST6/64" dev eth0 nodad
ip -n "$PEER" addr add "$PEER6/64" dev eth0 nodad
HEX_ETH0=6574683000000000

# fw6_divert NS in|out PORT DST DPORT: UDP to DST:DPORT, coming in (prerouting) or going out
# (output), queued to PORT unless it is PORT's own injection.
fw6_divert() {
    local skip=$(((3 << 28) | (($3 & 0xfff) << 16))) chain=OUTPUT
    [ "$2" = in ] && chain=PREROUTING
    on "$1" ip6tables-legacy -t mangle -A "$chain" -p udp -d "$4" --dport "$5" \
        -m mark ! --mark "$skip/0x7fff0000" -j NFQUEUE --queue-num "$3" ||
        fail "ip6tables-legacy refused the rule"
}
fw6_flush() { on "$1" ip6tables-legacy -t mangle -F; }

# udp6_sink NS ADDR PORT NAME: as udp_sink, over IPv6.
udp6_sink() {
    : >"$T/$4.sink"
    ip netns exec "$1" socat -u "UDP6-RECV:$3,bind=[$2],reuseaddr" "OPEN:$T/$4.sink,append" \
        </dev/null >/dev/null 2>&1 &
    BG_PIDS+=($!)
    wait_listen "$1" u "$3"
}
udp6_send() {
    printf '%s' "$4" | ip netns exec "$1" timeout 5 socat -u - "UDP6-SENDTO:[$2]:$3" 2>/dev/null
}

# --- outgoing
udp6_sink "$PEER" "$PEER6" 5020 out
on "$HOST" ping -6 -c1 -W2 "$PEER6" >/dev/null 2>&1  # neighbour discovery before the rules
fw6_divert "$HOST" out "$P" "$PEER6" 5020
dv_start "$HOST" outpass divecho -c 1 "$P"
udp6_send "$HOST" "$PEER6" 5020 "v6-out-pass-x"
dv_exit "IPv6 outgoing: one packet" outpass 0
dv_line "IPv6 outgoing: whole packet, version 6, INADDR_ANY" outpass \
    '^0 port 0 addr 0\.0\.0\.0 zero - hex 0000000000000000 v6 len 61$'
dv_line "IPv6 outgoing, written back: not diverted again" outpass '^extra 0$'
sink_once "IPv6 outgoing, written back as read" out "v6-out-pass-x"

dv_start "$HOST" outany divecho -c 1 -w any "$P"
udp6_send "$HOST" "$PEER6" 5020 "v6-out-any-x"
dv_exit "IPv6 outgoing, changed: one packet" outany 0
dv_line "IPv6 outgoing, changed (injected): not diverted again" outany '^extra 0$'
sink_once "IPv6 outgoing, changed: sent out with a valid UDP checksum" out "v6-out-any-X"

dv_start "$HOST" outinet divecho -i -c 1 -w rewrite "$P"
udp6_send "$HOST" "$PEER6" 5020 "v6-out-inet-x"
dv_exit "IPv6 outgoing, IPPROTO_DIVERT, changed: one packet" outinet 0
dv_line "IPv6 outgoing, IPPROTO_DIVERT, changed reinjection: not diverted again" outinet '^extra 0$'
sink_once "IPv6 outgoing, changed reinjection (verdict with payload) arrives" out "v6-out-inet-X"

dv_start "$HOST" tee teepcap -w -c 2 "$P" "$T/tee6.pcap"
udp6_send "$HOST" "$PEER6" 5020 "v6-tee-1"
udp6_send "$HOST" "$PEER6" 5020 "v6-tee-2"
dv_exit "IPv6 tee-to-pcap: two packets" tee 0
sink_once "IPv6 tee-to-pcap: packet 1 passed" out "v6-tee-1"
sink_once "IPv6 tee-to-pcap: packet 2 passed" out "v6-tee-2"
tcpdump -nr "$T/tee6.pcap" >"$T/tee6dump.out" 2>&1
dv_count "IPv6 tee-to-pcap: tcpdump reads two IPv6 UDP packets" tee6dump \
    "IP6 ${HOST6}\\.[0-9]+ > ${PEER6}\\.5020: UDP, length 8" 2

# --- incoming
fw6_flush "$HOST"
udp6_sink "$HOST" "$HOST6" 5021 in
fw6_divert "$HOST" in "$P" "$HOST6" 5021
dv_start "$HOST" inpass divecho -c 1 "$P"
udp6_send "$PEER" "$HOST6" 5021 "v6-in-pass-x"
dv_exit "IPv6 incoming: one packet" inpass 0
dv_line "IPv6 incoming: version 6, eth0's IPv4 address, eth0 in sin_zero" inpass \
    "^0 port 0 addr ${HOST_IP//./\\.} zero eth0 hex $HEX_ETH0 v6 len 60\$"
sink_once "IPv6 incoming, written back as read" in "v6-in-pass-x"

for mode in rewrite byname; do
    dv_start "$HOST" "in$mode" divecho -c 1 -w "$mode" "$P"
    udp6_send "$PEER" "$HOST6" 5021 "v6-in-$mode-x"
    dv_exit "IPv6 incoming, $mode: one packet" "in$mode" 0
    dv_line "IPv6 incoming, $mode (injected on eth0): not diverted again" "in$mode" '^extra 0$'
    sink_once "IPv6 incoming, $mode: the changed packet arrives" in "v6-in-$mode-X"
    never_arrived "IPv6 incoming, $mode: the original does not" in "v6-in-$mode-x"
done

dv_start "$HOST" ininet divecho -i -c 1 -w rewrite "$P"
udp6_send "$PEER" "$HOST6" 5021 "v6-in-inet-x"
dv_exit "IPv6 incoming, IPPROTO_DIVERT, changed: one packet" ininet 0
sink_once "IPv6 incoming, changed reinjection arrives" in "v6-in-inet-X"

finish
