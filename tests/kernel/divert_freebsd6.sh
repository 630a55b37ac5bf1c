#!/bin/bash
# IPv6 on divert sockets (docs/divert.7 "IPv6") with the rules an IPv6 FreeBSD setup script
# adds: `ipfw add N divert|tee PORT ip6 from any to DST in|out` (docs/ipfw.md "IPv6"), on
# the nft backend (the legacy one refuses ip6 rules: ipfw_rules.sh). FreeBSD-style programs
# built against a staged install receive IPv6 packets whole from the queue (version nibble
# 6) with the rule number in sin_port, write them back and inject them both ways, with the
# payload length and the UDP checksum fixed in changed packets (the programs clear it; 0 is
# no valid IPv6 UDP checksum, so the receiver would drop an unfixed one). A written-back
# packet resumes after its rule (count rules before and after it count it once); a tee rule
# hands copies over and lets the originals go on; `ipfw delete N` stops the diverting.
. "$(dirname "$0")/divert_freebsd_lib.sh"

require_queue
[ "${IPCHAINS_DIVERT_BACKEND:-}" != legacy ] ||
    die "divert_freebsd6 needs the nft backend (ip6 rules live in the ip6 table)"
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
# Permanent neighbours: no neighbour solicitation to the rules' addresses, so the only packets
# the `ip6 from any to ADDR` rules (any protocol) select are the test's own UDP datagrams.
mac_of() { ip -n "$1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
ip -n "$HOST" neigh replace "$PEER6" lladdr "$(mac_of "$PEER")" dev eth0 nud permanent
ip -n "$PEER" neigh replace "$HOST6" lladdr "$(mac_of "$HOST")" dev eth0 nud permanent

# fw6 NS ARGS...: one ipfw command that must succeed.
fw6() { on "$1" "$IPFW" -q "${@:2}" || fail "ipfw ${*:2}: refused"; }
# show6 NS N: the packet count of rule N in `ipfw show N` (one line: both directions summed).
show6() { on "$1" "$IPFW" show "$2" | awk '{ print $2 }'; }

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

# --- outgoing: count 50, divert 100, count 150
udp6_sink "$PEER" "$PEER6" 5020 out
fw6 "$HOST" add 50 count ip6 from any to "$PEER6" out
fw6 "$HOST" add 100 divert "$P" ip6 from any to "$PEER6" out
fw6 "$HOST" add 150 count ip6 from any to "$PEER6" out
dv_start "$HOST" outpass divecho -c 1 "$P"
udp6_send "$HOST" "$PEER6" 5020 "v6-out-pass-x"
dv_exit "IPv6 outgoing: one packet" outpass 0
dv_line "IPv6 outgoing: whole packet, version 6, rule 100 in sin_port, INADDR_ANY" outpass \
    '^0 port 100 addr 0\.0\.0\.0 zero - hex 0000000000000000 v6 len 61$'
dv_line "IPv6 outgoing, written back: not diverted again" outpass '^extra 0$'
sink_once "IPv6 outgoing, written back as read" out "v6-out-pass-x"
got=$(show6 "$HOST" 50)
[ "$got" = 1 ] && pass "IPv6 written back: the rule before the divert rule counted it once" ||
    fail "IPv6 written back: rule 50 counted $got packets, expected 1 (resumed at the top?)"
got=$(show6 "$HOST" 150)
[ "$got" = 1 ] && pass "IPv6 written back: resumed after the divert rule (rule 150 counted 1)" ||
    fail "IPv6 written back: rule 150 counted $got packets, expected 1"

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

# --- ipfw tee on IPv6: copies to the program, the originals go on at once
fw6 "$HOST" delete 100
fw6 "$HOST" add 100 tee "$P" ip6 from any to "$PEER6" out
dv_start "$HOST" teeonly teepcap -c 2 "$P" "$T/teeonly6.pcap"
udp6_send "$HOST" "$PEER6" 5020 "v6-teed-1"
udp6_send "$HOST" "$PEER6" 5020 "v6-teed-2"
dv_exit "IPv6 tee: two copies read, none written back" teeonly 0
sink_once "IPv6 tee: original 1 passed without a write-back" out "v6-teed-1"
sink_once "IPv6 tee: original 2 passed without a write-back" out "v6-teed-2"
tcpdump -nr "$T/teeonly6.pcap" >"$T/teeonly6dump.out" 2>&1
dv_count "IPv6 tee: the pcap holds the two copies" teeonly6dump \
    "IP6 ${HOST6}\\.[0-9]+ > ${PEER6}\\.5020: UDP, length 9" 2

dv_start "$HOST" teewb divecho -c 1 "$P"
udp6_send "$HOST" "$PEER6" 5020 "v6-teewb-x"
dv_exit "IPv6 tee, copy written back: one packet" teewb 0
dv_line "IPv6 tee: rule 100 in sin_port" teewb '^0 port 100 addr 0\.0\.0\.0 .* v6 len 58$'
dv_line "IPv6 tee, copy written back: not teed again" teewb '^extra 0$'
sink_expect "IPv6 tee, copy written back: arrived" out "v6-teewb-x"
sleep 0.3
got=$(grep -oF -- "v6-teewb-x" "$T/out.sink" | wc -l)
[ "$got" -eq 2 ] && pass "IPv6 tee, copy written back: original and copy both arrive (2)" ||
    fail "IPv6 tee, copy written back: arrived $got times, expected 2"

# --- incoming: divert 200
fw6 "$HOST" flush
udp6_sink "$HOST" "$HOST6" 5021 in
fw6 "$HOST" add 200 divert "$P" ip6 from any to "$HOST6" in
dv_start "$HOST" inpass divecho -c 1 "$P"
udp6_send "$PEER" "$HOST6" 5021 "v6-in-pass-x"
dv_exit "IPv6 incoming: one packet" inpass 0
dv_line "IPv6 incoming: version 6, rule 200, eth0's IPv4 address, eth0 in sin_zero" inpass \
    "^0 port 200 addr ${HOST_IP//./\\.} zero eth0 hex $HEX_ETH0 v6 len 60\$"
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

# --- ipfw delete: the rule is gone from the ip6 table and packets stop being diverted
udp6_send "$PEER" "$HOST6" 5021 "v6-in-unbound-x"
never_arrived "IPv6 divert rule with nobody bound: the packet is dropped" in "v6-in-unbound-x"
fw6 "$HOST" delete 200
udp6_send "$PEER" "$HOST6" 5021 "v6-in-deleted-x"
sink_once "after ipfw delete 200: delivered, not diverted" in "v6-in-deleted-x"
if on "$HOST" nft list table ip6 ipchains >/dev/null 2>&1; then
    fail "after deleting the last ip6 rule the ip6 table is still there"
else
    pass "after deleting the last ip6 rule the ip6 table is gone"
fi

# --- a protocol and a port over IPv6 (docs/ipfw.md "IPv6"): only UDP to port 5022 is diverted
udp6_sink "$HOST" "$HOST6" 5022 port22
udp6_sink "$HOST" "$HOST6" 5023 port23
on "$HOST" "$IPFW" add 300 divert "$P" udp from any to "$HOST6" 5022 in >"$T/added" 2>&1
expect_stdout "ipfw add ... udp from any to ADDR6 PORT: echoed in the ip6 option form" "$HOST" \
    cat "$T/added" <<EOF
00300 divert $P ip6 from any to $HOST6 proto udp dst-port 5022 in
EOF
on "$HOST" nft list table ip6 ipchains >"$T/nft6p" 2>&1
expect_grep "the ip6 table matches the UDP destination port" 'udp dport 5022 .*queue' "$T/nft6p"
udp6_send "$PEER" "$HOST6" 5023 "v6-port23-x"
sink_once "UDP to another port (5023): not diverted, delivered" port23 "v6-port23-x"
udp6_send "$PEER" "$HOST6" 5022 "v6-port22-unbound-x"
never_arrived "UDP to 5022 with nobody bound: diverted, so dropped" port22 "v6-port22-unbound-x"
dv_start "$HOST" udpport divecho -c 1 "$P"
udp6_send "$PEER" "$HOST6" 5023 "v6-port23-y"
udp6_send "$PEER" "$HOST6" 5022 "v6-port22-x"
dv_exit "UDP to 5022 reaches the divert socket (5023 does not: one packet)" udpport 0
dv_line "UDP to 5022: rule 300 in sin_port, version 6" udpport '^0 port 300 addr .* v6 len 59$'
dv_line "UDP to 5023 was not diverted (nothing after the one packet)" udpport '^extra 0$'
sink_once "UDP to 5022, written back: delivered" port22 "v6-port22-x"
sink_once "UDP to 5023 with the program bound: delivered directly" port23 "v6-port23-y"
fw6 "$HOST" flush

# --- one rule number, both families (docs/divert.7 "FreeBSD semantics"): rule 400 diverts an
# IPv4 and an IPv6 packet; the program reads both, then writes both back changed. Each resumes
# after its own family's rule 400 (the version nibble picks the site), so each family's count
# rule 450 counts its packet once.
udp_sink "$PEER" "$PEER_IP" 5030 fam4
udp6_sink "$PEER" "$PEER6" 5031 fam6
fw6 "$HOST" add 400 divert "$P" ip from any to "$PEER_IP" out
fw6 "$HOST" add 400 divert "$P" ip6 from any to "$PEER6" out
fw6 "$HOST" add 450 count ip from any to "$PEER_IP" out
fw6 "$HOST" add 450 count ip6 from any to "$PEER6" out
dv_start "$HOST" fam divecho -h -c 2 -w any "$P"
udp_send "$HOST" "$PEER_IP" 5030 "fam-v4-x"
sleep 0.3
udp6_send "$HOST" "$PEER6" 5031 "fam-v6-x"
dv_exit "rule 400 of both families: two packets held, then written back" fam 0
dv_line "the IPv4 packet came first, rule 400" fam '^0 port 400 addr 0\.0\.0\.0 .* v4 '
dv_line "the IPv6 packet came second, rule 400" fam '^1 port 400 addr 0\.0\.0\.0 .* v6 '
dv_line "written back: neither diverted again" fam '^extra 0$'
sink_once "IPv4 written back after the IPv6 one was read: delivered" fam4 "fam-v4-X"
sink_once "IPv6 written back: delivered" fam6 "fam-v6-X"
on "$HOST" "$IPFW" show 450 >"$T/show450" 2>&1
got=$(awk '$0 !~ / ip6 / { print $2 }' "$T/show450")
[ "$got" = 1 ] && pass "IPv4 resumed after its own rule 400 (IPv4 rule 450 counted 1)" ||
    { fail "IPv4 rule 450 counted '$got', expected 1 (resumed at the IPv6 rule's site?)"; show "$T/show450"; }
got=$(awk '/ ip6 / { print $2 }' "$T/show450")
[ "$got" = 1 ] && pass "IPv6 resumed after its own rule 400 (IPv6 rule 450 counted 1)" ||
    { fail "IPv6 rule 450 counted '$got', expected 1"; show "$T/show450"; }
fw6 "$HOST" flush

finish
