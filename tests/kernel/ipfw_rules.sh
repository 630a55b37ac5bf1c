#!/bin/bash
# ipfw on the ipchains ruleset (docs/ipfw.md), on the backend IPCHAINS_DIVERT_BACKEND names:
# rules added by ipfw land in the kernel with their numbers, `ipchains -L` and `ipfw show`
# agree (counters after real traffic included), a packet an ipfw divert rule selects reaches
# a divert socket with the rule number in sin_port, TEE lets the original go on after its
# rule, delete/flush/zero (of all or of one number) act on the shared ruleset, and bad input
# changes nothing.
. "$(dirname "$0")/divert_lib.sh"

IPFW=${IPFW:-$BUILD/ipfw-divert}
[ -x "$IPFW" ] || die "missing $IPFW"

require_queue
topo_pair
P=7901

# ipfw_ok DESC NS ARGS... <<'EOF': exit 0 and exactly this on stdout, nothing on stderr.
ipfw_ok() {
    local desc=$1 ns=$2
    shift 2
    expect_stdout "$desc" "$ns" "$IPFW" "$@" && [ ! -s "$T/err" ] ||
        { [ -s "$T/err" ] && fail "$desc: stderr" && show "$T/err"; }
}

# --- add with a number: echoed, in input, listed by both commands
ipfw_ok "add 100 divert: echoed in list form" "$HOST" add 100 divert "$P" udp from any to any in <<EOF
00100 divert $P udp from any to any in
EOF
expect_stdout "ipchains -L input -n shows the ipfw rule with its number" "$HOST" ipchains -L input -n <<EOF
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
DIVERT     udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   * => $P (ipfw 100)
EOF
expect_stdout "ipchains -L output -n: nothing (the rule says in)" "$HOST" ipchains -L output -n <<EOF
Chain output (policy ACCEPT):
EOF

# --- a packet the rule selects reaches the divert socket, sin_port = the rule number
udp_sink "$HOST" "$HOST_IP" 5010 in
dv_start "$HOST" d sinport "$P" 1 pass
udp_send "$PEER" "$HOST_IP" 5010 "<ipfw-divert>"
dv_exit "divert socket got the packet the ipfw rule selected" d 0
dv_line "sin_port is the ipfw rule number 100" d "^0 port 100 addr ${HOST_IP//./\\.}\$"
sink_once "written back, it arrives" in "<ipfw-divert>"
# 20 bytes IP + 8 UDP + 13 payload
ipfw_ok "ipfw show: the rule counted the packet once, then input's policy (rule 65535)" "$HOST" show <<EOF
00100 1 41 divert $P udp from any to any in
65535 1 41 allow ip from any to any
EOF
expect_grep "ipchains -L -v -x agrees: 1 packet, 41 bytes" \
    '^ +1 +41 DIVERT ' <(on "$HOST" ipchains -L input -v -x -n)

# --- placement by number; rules added by ipchains appear in ipfw show
ipfw_ok "add 50: placed before 100" "$HOST" add 50 deny udp from any to any 5099 in <<EOF
00050 deny udp from any to any 5099 in
EOF
ipc "$HOST" -A input -p tcp -d "$HOST_IP" 22 -j ACCEPT
ipc "$HOST" -A output -p icmp -j ACCEPT
ipfw_ok "add without a number: highest + 100, both directions" "$HOST" -q add allow ip from any to 10.199.9.0/24 via eth0 <<EOF
EOF
ipfw_ok "ipfw list: number order, ipchains rules with the number before them" "$HOST" list <<EOF
00000 allow icmp from any to any out
00050 deny udp from any to any 5099 in
00100 divert $P udp from any to any in
00100 allow tcp from any to $HOST_IP 22 in
00200 allow ip from any to 10.199.9.0/24 via eth0
65535 allow ip from any to any
EOF
expect_stdout "ipchains -L -n: the same rules, input in number order" "$HOST" ipchains -L -n <<EOF
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
DENY       udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   5099 (ipfw 50)
DIVERT     udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   * => $P (ipfw 100)
ACCEPT     tcp  ------  0.0.0.0/0            $HOST_IP            * ->   22
ACCEPT     all  ------  0.0.0.0/0            10.199.9.0/24         n/a (ipfw 200)
Chain forward (policy ACCEPT):
Chain output (policy ACCEPT):
target     prot opt     source                destination           ports
ACCEPT     icmp ------  0.0.0.0/0            0.0.0.0/0             * ->   *
ACCEPT     all  ------  0.0.0.0/0            10.199.9.0/24         n/a (ipfw 200)
EOF

# --- save/restore keeps the numbers
run "$HOST" ipchains-save
cp "$T/out" "$T/saved"
expect_grep "ipchains-save writes --ipfw-number" "^-A input .* -j DIVERT $P --ipfw-number 100\$" "$T/saved"
on "$HOST" ipchains -F input
on "$HOST" ipchains -F output
on "$HOST" ipchains-restore -f <"$T/saved" >"$T/out" 2>&1 ||
    { fail "ipchains-restore of the saved rules failed"; show "$T/out"; }
ipfw_ok "after save, flush, restore: ipfw list unchanged" "$HOST" list <<EOF
00000 allow icmp from any to any out
00050 deny udp from any to any 5099 in
00100 divert $P udp from any to any in
00100 allow tcp from any to $HOST_IP 22 in
00200 allow ip from any to 10.199.9.0/24 via eth0
65535 allow ip from any to any
EOF

# --- port names
ipfw_ok "divert natd: FreeBSD's natd port 8668" "$HOST" add 300 divert natd udp from any to any domain out <<EOF
00300 divert 8668 udp from any to any 53 out
EOF

# --- bad input: one line naming the word, EX_USAGE, nothing changed
kernel_state "$HOST" "$T/before"
expect_error "a bad action: exit 64, one line naming it" 64 "$HOST" "$IPFW" add 400 frobnicate ip from any to any <<'EOF'
ipfw: invalid action `frobnicate'
EOF
expect_error "delete of a number nobody has: exit 69" 69 "$HOST" "$IPFW" delete 100 4242 <<'EOF'
ipfw: rule 4242 does not exist
EOF
kernel_state "$HOST" "$T/after"
same_text "the refused commands changed nothing (delete 100 4242 is all or nothing)" "$T/before" "$T/after"

# --- delete N removes it everywhere
ipfw_ok "delete 100" "$HOST" delete 100 <<EOF
EOF
expect_grep "ipchains -L input: rule 100 is gone, ipchains' rule stays" \
    '^ACCEPT +tcp' <(on "$HOST" ipchains -L input -n)
if on "$HOST" ipchains -L input -n | grep -q DIVERT; then
    fail "ipchains -L input still shows the DIVERT rule after ipfw delete 100"
else
    pass "ipchains -L input: no DIVERT after ipfw delete 100"
fi
ipfw_ok "ipfw delete 300 (out rule)" "$HOST" -q delete 300 <<EOF
EOF

# --- TEE: nobody bound, the original goes on after the rule; a deny after it applies
on "$HOST" ipchains -F input
udp_sink "$HOST" "$HOST_IP" 5012 tee
udp_sink "$HOST" "$HOST_IP" 5013 teedeny
ipfw_ok "add tee" "$HOST" add 10 tee 7902 udp from any to any 5012-5013 in <<EOF
00010 tee 7902 udp from any to any 5012-5013 in
EOF
ipfw_ok "add deny after the tee" "$HOST" add 20 deny udp from any to any 5013 in <<EOF
00020 deny udp from any to any 5013 in
EOF
expect_stdout "ipchains -L input -n shows TEE" "$HOST" ipchains -L input -n <<EOF
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
TEE        udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   5012:5013 => 7902 (ipfw 10)
DENY       udp  ------  0.0.0.0/0            0.0.0.0/0             * ->   5013 (ipfw 20)
EOF
udp_send "$PEER" "$HOST_IP" 5012 "<tee-pass>"
sink_once "tee with nobody bound: the original arrives" tee "<tee-pass>"
udp_send "$PEER" "$HOST_IP" 5013 "<tee-deny>"
sleep "$NEG_WAIT"
if grep -qF "<tee-deny>" "$T/teedeny.sink"; then
    fail "tee: the deny after the tee rule did not apply"
else
    pass "tee: the packet went on after the tee rule (the deny after it applied)"
fi
ipfw_ok "ipfw show: tee counted 2, deny 1" "$HOST" show <<EOF
00000 0  0 allow icmp from any to any out
00010 2 76 tee 7902 udp from any to any 5012-5013 in
00020 1 38 deny udp from any to any 5013 in
00200 0  0 allow ip from any to 10.199.9.0/24 out xmit eth0
65535 2 79 allow ip from any to any
EOF

# --- zero N, zero, flush
ipfw_ok "zero 10: FreeBSD's line" "$HOST" zero 10 <<EOF
Entry 10 cleared.
EOF
ipfw_ok "ipfw show after zero 10: rule 10 at 0, rule 20 kept its count" "$HOST" show <<EOF
00000 0  0 allow icmp from any to any out
00010 0  0 tee 7902 udp from any to any 5012-5013 in
00020 1 38 deny udp from any to any 5013 in
00200 0  0 allow ip from any to 10.199.9.0/24 out xmit eth0
65535 2 79 allow ip from any to any
EOF
expect_error "zero of a number nobody has: FreeBSD's message, exit 69" 69 "$HOST" "$IPFW" zero 20 4242 <<'EOF'
ipfw: rule 4242: setsockopt(IP_FW_ZERO): Invalid argument
EOF
expect_grep "zero 20 4242 zeroed nothing (rule 20 still counts 1)" '^ +1 +38 DENY ' \
    <(on "$HOST" ipchains -L input -v -x -n)
ipfw_ok "zero" "$HOST" zero <<EOF
Accounting cleared.
EOF
expect_grep "ipchains -L -v -x after zero: tee rule at 0" '^ +0 +0 TEE ' \
    <(on "$HOST" ipchains -L input -v -x -n)
ipc "$HOST" -A forward -j DENY
ipfw_ok "flush" "$HOST" flush <<EOF
Flushed all rules.
EOF
ipfw_ok "ipfw show after flush: only the default rule (the policies; zero left them)" "$HOST" show <<EOF
65535 2 79 allow ip from any to any
EOF
expect_stdout "flush left forward alone" "$HOST" ipchains -L forward -n <<EOF
Chain forward (policy ACCEPT):
target     prot opt     source                destination           ports
DENY       all  ------  0.0.0.0/0            0.0.0.0/0             n/a
EOF

# --- ip6 rules (docs/ipfw.md "IPv6"): nft only, in the `ip6` table of the same name
if [ "${IPCHAINS_DIVERT_BACKEND:-}" = legacy ]; then
    expect_rc "legacy: ipfw add ... ip6 exits 69 (EX_UNAVAILABLE)" 69 "$HOST" \
        "$IPFW" add 100 allow ip6 from any to any
    cp "$T/err" "$T/refusal"
    expect_stdout "legacy: the refusal is one line" "$HOST" cat "$T/refusal" <<EOF
ipfw: IPv6 (ip6) rules need the nft backend; the legacy backend has no ip6tables support
EOF
    ipfw_ok "legacy: nothing was added" "$HOST" show <<EOF
65535 2 79 allow ip from any to any
EOF
else
    ipfw_ok "add 300 divert ip6: echoed" "$HOST" add 300 divert "$P" ip6 from any to 2001:db8::/32 in <<EOF
00300 divert $P ip6 from any to 2001:db8::/32 in
EOF
    ipfw_ok "add 250 allow ip6 with not and via" "$HOST" add 250 allow ip6 from not fe80::/10 to 2001:db8::1 via eth0 <<EOF
00250 allow ip6 from not fe80::/10 to 2001:db8::1 via eth0
EOF
    ipfw_ok "add 260 allow ip (IPv4) between them" "$HOST" -q add 260 allow ip from any to 10.1.0.0/16 out <<EOF
EOF
    ipfw_ok "ipfw show: both families in number order" "$HOST" show <<EOF
00250 0  0 allow ip6 from not fe80::/10 to 2001:db8::1 via eth0
00260 0  0 allow ip from any to 10.1.0.0/16 out
00300 0  0 divert $P ip6 from any to 2001:db8::/32 in
65535 2 79 allow ip from any to any
EOF
    expect_stdout "ipchains -L input -n: ip6 rules with their prefixes, marked ip6" "$HOST" ipchains -L input -n <<EOF
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
ACCEPT     all  ------ !fe80::/10            2001:db8::1/128       n/a (ipfw 250 ip6)
DIVERT     all  ------  ::/0                 2001:db8::/32         n/a => $P (ipfw 300 ip6)
EOF
    run "$HOST" ipchains-save
    cp "$T/out" "$T/saved6"
    expect_grep "ipchains-save: the ip6 rule's save form" \
        "^-A input -s 0\.0\.0\.0/0\.0\.0\.0 -d 0\.0\.0\.0/0\.0\.0\.0 -j DIVERT $P --ipfw-number 300 --ipfw-ip6 ::/0,2001:db8::/32\$" "$T/saved6"
    on "$HOST" nft list table ip6 ipchains >"$T/nft6" 2>&1
    expect_grep "the ip6 table holds the divert rule" 'ip6 daddr 2001:db8::/32 .*queue num' "$T/nft6"
    on "$HOST" nft list table ip ipchains >"$T/nft4" 2>&1
    if grep -q 'ip6 ' "$T/nft4"; then fail "the ip table holds an ip6 match"; show "$T/nft4"
    else pass "the ip table holds no ip6 rule"; fi
    ipfw_ok "delete 250 300: both ip6 rules" "$HOST" delete 250 300 <<EOF
EOF
    ipfw_ok "ipfw show after delete: the IPv4 rule is left" "$HOST" show <<EOF
00260 0  0 allow ip from any to 10.1.0.0/16 out
65535 2 79 allow ip from any to any
EOF
    expect_rc "no ip6 rule left: no ip6 table" 1 "$HOST" nft list table ip6 ipchains
    ipc "$HOST" -F
    run "$HOST" ipchains-restore <"$T/saved6"
    [ "$RC" -eq 0 ] && pass "ipchains-restore reads the ip6 save form" ||
        { fail "ipchains-restore of the save: exit $RC"; show "$T/err"; }
    ipfw_ok "after restore: the same rules" "$HOST" show <<EOF
00250 0  0 allow ip6 from not fe80::/10 to 2001:db8::1 via eth0
00260 0  0 allow ip from any to 10.1.0.0/16 out
00300 0  0 divert $P ip6 from any to 2001:db8::/32 in
65535 2 79 allow ip from any to any
EOF
    ipfw_ok "flush: both families" "$HOST" -q flush <<EOF
EOF
    expect_rc "after flush: no ip6 table" 1 "$HOST" nft list table ip6 ipchains

    # reject on an ip6 rule answers with ICMPv6 port-unreachable; delete restores delivery.
    # lib.sh turns IPv6 off in its namespaces: on for this part, with permanent neighbours.
    for ns in "$HOST" "$PEER"; do
        for k in all default lo eth0; do on "$ns" sysctl -qw "net.ipv6.conf.$k.disable_ipv6=0"; done
    done
    ip -n "$HOST" addr add fd00:199:1::1/64 dev eth0 nodad
    ip -n "$PEER" addr add fd00:199:1::2/64 dev eth0 nodad
    mac_of() { ip -n "$1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
    ip -n "$HOST" neigh replace fd00:199:1::2 lladdr "$(mac_of "$PEER")" dev eth0 nud permanent
    ip -n "$PEER" neigh replace fd00:199:1::1 lladdr "$(mac_of "$HOST")" dev eth0 nud permanent
    expect_rc "IPv6 ping answered before the reject rule" 0 "$PEER" ping -6 -n -c1 -W2 fd00:199:1::1
    ipfw_ok "add 400 reject ip6: echoed" "$HOST" add 400 reject ip6 from any to fd00:199:1::1 in <<EOF
00400 reject ip6 from any to fd00:199:1::1 in
EOF
    on "$HOST" nft list table ip6 ipchains >"$T/nft6" 2>&1
    # nft lists the ip6 family's default, icmpv6 port-unreachable, as a bare `reject`.
    expect_grep "the ip6 table's post chain rejects with icmpv6 port-unreachable" \
        '0x40000000 reject( with icmpv6 (type )?port-unreachable)?$' "$T/nft6"
    expect_rc "IPv6 ping with the reject rule fails" 1 "$PEER" ping -6 -n -c1 -W2 fd00:199:1::1
    expect_grep "the sender got ICMPv6 port unreachable" \
        '^From fd00:199:1::1 .*Destination unreachable: Port unreachable' "$T/out"
    ipfw_ok "ipfw show 400: the rule counted the echo request" "$HOST" show 400 <<EOF
00400 1 104 reject ip6 from any to fd00:199:1::1 in
EOF
    ipfw_ok "delete 400" "$HOST" -q delete 400 <<EOF
EOF
    expect_rc "IPv6 ping answered again after delete" 0 "$PEER" ping -6 -n -c1 -W2 fd00:199:1::1
    expect_rc "no ip6 rule left: no ip6 table" 1 "$HOST" nft list table ip6 ipchains
    for ns in "$HOST" "$PEER"; do on "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
fi

# --- zero N inside a rule run (docs/nftables-mapping.md "Rule runs"): four count rules that
# differ only in the source address; zeroing one member leaves another's count alone
ipfw_ok "four count rules by source address" "$HOST" -q add 30 count ip from "$PEER_IP" to any in <<EOF
EOF
for n in 1 2 3; do on "$HOST" "$IPFW" -q add "3$n" count ip from "10.9.0.$n" to any in; done
if [ "${IPCHAINS_DIVERT_BACKEND:-}" != legacy ]; then
    on "$HOST" nft list table ip ipchains >"$T/nftrun" 2>&1
    expect_grep "nft: the four rules are one run (a set lookup)" 'ip saddr @input-saddr-1' "$T/nftrun"
fi
udp_send "$PEER" "$HOST_IP" 5040 "<run-member>"
sleep 0.3
packets_of() { on "$HOST" "$IPFW" show "$1" | awk '{ print $2 }'; }
got=$(packets_of 30)
[ "$got" = 1 ] && pass "the run member for the peer counted the packet" ||
    fail "rule 30 counted '$got', expected 1"
ipfw_ok "zero 31 (another member)" "$HOST" -q zero 31 <<EOF
EOF
got=$(packets_of 30)
[ "$got" = 1 ] && pass "zero 31 left rule 30's count" || fail "after zero 31 rule 30 counts '$got', expected 1"
ipfw_ok "zero 30" "$HOST" -q zero 30 <<EOF
EOF
got=$(packets_of 30)
[ "$got" = 0 ] && pass "zero 30 zeroed the member" || fail "after zero 30 rule 30 counts '$got', expected 0"
ipfw_ok "flush the run" "$HOST" -q flush <<EOF
EOF

# --- the default rule follows the policies: one line per direction when they differ
ipc "$HOST" -P output DENY
ipfw_ok "ipchains -P output DENY: rule 65535 is allow in, deny out" "$HOST" list 65535 <<EOF
65535 allow ip from any to any in
65535 deny ip from any to any out
EOF
ipc "$HOST" -P output ACCEPT
expect_error "add 65535: the default rule's number, exit 64" 64 "$HOST" "$IPFW" add 65535 deny ip from any to any <<'EOF'
ipfw: rule 65535 is the default rule (the policies of input and output): give 1-65534
EOF

finish
