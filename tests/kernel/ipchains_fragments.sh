#!/bin/bash
# Fragments (docs/differences.md 1.1). Without MASQ or REDIRECT the table holds nothing that
# makes the kernel track connections, so the chains see fragments as 2.2's did: `-f` matches
# second and later fragments on input, forward and output (forwarded ones), `! -f` the first
# fragment, and a port rule only the first. Locally generated datagrams reach output whole
# (fragmented after it). With a MASQ rule anywhere, conntrack reassembles before input: every
# chain sees whole datagrams and `-f` never matches.
# Every link has MTU 1280; a 3000-byte UDP payload (3008 bytes of IP payload) travels as three
# fragments of 1256, 1256 and 496 bytes: one first fragment, two later ones.
. "$(dirname "$0")/lib.sh"

BACKEND=${IPCHAINS_DIVERT_BACKEND:-nft}
topo_routed
for ns_if in "$CLIENT eth0" "$ROUTER lan0" "$ROUTER wan0" "$SERVER eth0"; do
    set -- $ns_if
    ip -n "$1" link set "$2" mtu 1280
done
udp_server "$SERVER" 7001
udp_server "$ROUTER" 7002

# big_udp NS ADDR PORT SIZE WANT: one datagram of SIZE bytes; WANT is reply:TEXT or timeout.
big_udp() {
    local desc=$1 ns=$2 addr=$3 port=$4 size=$5 want=$6 wait=1 got
    [ "$want" = timeout ] && wait=$NEG_WAIT
    got=$(head -c "$size" /dev/zero | ip netns exec "$ns" timeout 5 \
        socat -b 65536 -t "$wait" -T "$wait" - "UDP4:$addr:$port" 2>/dev/null | head -1)
    got=${got:+reply:$got}
    got=${got:-timeout}
    if [ "$got" = "$want" ]; then
        pass "$desc ($size bytes to $addr:$port: $want)"
        return 0
    fi
    fail "$desc: $size bytes to $addr:$port gave '$got', expected '$want'"
    return 1
}

# ct_count NS: connections conntrack holds in NS (0 while nothing asks for tracking).
ct_count() {
    on "$1" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0
}

# no_conntrack_users DESC: neither nft nor legacy iptables holds anything of ours that needs
# conntrack. want_users DESC: both the nat chain and the ct rules are there.
ct_listing() {
    on "$ROUTER" nft list ruleset >"$T/nft" 2>&1
    on "$ROUTER" iptables-legacy-save >"$T/legacy" 2>/dev/null
}
no_conntrack_users() {
    ct_listing
    if grep -Eq '(^|[[:space:]])ct |type nat' "$T/nft"; then
        fail "$1: nft ruleset has a ct expression or a nat chain"
        show "$T/nft"
    else
        pass "$1: no ct expression, no nat chain in nft"
    fi
    if grep -Eq 'ipchains-.*(conntrack|connmark|CONNMARK|MASQUERADE|REDIRECT)|^:ipchains-~nat' \
        "$T/legacy"; then
        fail "$1: legacy tables hold a conntrack user of ours"
        show "$T/legacy"
    else
        pass "$1: no conntrack match, target or nat chain of ours in legacy iptables"
    fi
}
want_conntrack_users() {
    ct_listing
    if [ "$BACKEND" = legacy ]; then
        on "$ROUTER" iptables-legacy-save -t nat >"$T/nat" 2>/dev/null
        expect_grep "$1: legacy nat chain" '^:ipchains-~nat-out' "$T/nat"
        expect_grep "$1: MASQUERADE executor" '^-A ipchains-.*-j MASQUERADE' "$T/nat"
        expect_grep "$1: conntrack reply match" 'conntrack --ctdir REPLY' "$T/legacy"
    else
        expect_grep "$1: nft nat chain" 'type nat hook postrouting' "$T/nft"
        expect_grep "$1: nft ct reply rule" 'ct direction reply' "$T/nft"
    fi
}

BIG=3000
SMALL=100

# check_chain CHAIN SRC: accounting rules on CHAIN for UDP from SRC: -f, ! -f, a port rule.
acct_rules() {
    local chain=$1 src=$2 port=$3
    ipc "$ROUTER" -A "$chain" -p udp -s "$src" -f
    ipc "$ROUTER" -A "$chain" -p udp -s "$src" ! -f
    ipc "$ROUTER" -A "$chain" -p udp -s "$src" -d 0/0 "$port"
}

# run_cases LABEL LATER: LATER is what the -f rules count per big datagram (2 without
# conntrack, 0 with it). PRE: rules before ours in forward (the MASQ rule).
run_cases() {
    local label=$1 later=$2 pre=("${@:3}") deny_big
    [ "$later" -gt 0 ] && deny_big=timeout || deny_big="reply:udp 7001"

    # input: datagrams to the router itself.
    ipc "$ROUTER" -F input
    acct_rules input "$CLIENT_IP" 7002
    counts_snap "$ROUTER" input
    big_udp "$label input: big datagram arrives" "$CLIENT" "$ROUTER_LAN" 7002 $BIG "reply:udp 7002"
    expect_counts_delta "$label input: -f, ! -f, port rule" "$ROUTER" input "$later" 1 1
    counts_snap "$ROUTER" input
    big_udp "$label input: small datagram" "$CLIENT" "$ROUTER_LAN" 7002 $SMALL "reply:udp 7002"
    expect_counts_delta "$label input: small datagram is no fragment" "$ROUTER" input 0 1 1
    ipc "$ROUTER" -I input -p udp -s "$CLIENT_IP" -f -j DENY
    counts_snap "$ROUTER" input
    big_udp "$label input: -f DENY" "$CLIENT" "$ROUTER_LAN" 7002 $BIG \
        "$([ "$later" -gt 0 ] && echo timeout || echo 'reply:udp 7002')"
    big_udp "$label input: -f DENY lets small datagrams pass" "$CLIENT" "$ROUTER_LAN" 7002 \
        $SMALL "reply:udp 7002"
    # The first fragment passes DENY and reaches the accounting rules; a lost datagram is
    # not sent again.
    expect_counts_delta "$label input: -f DENY counts the later fragments" "$ROUTER" input \
        "$later" 0 2 2
    ipc "$ROUTER" -F input

    # forward: client to server through the router.
    ipc "$ROUTER" -F forward
    local r
    for r in "${pre[@]}"; do eval "ipc \"\$ROUTER\" -A forward $r"; done
    local zeros=()
    for r in "${pre[@]}"; do zeros+=(0); done
    acct_rules forward "$CLIENT_IP" 7001
    counts_snap "$ROUTER" forward
    big_udp "$label forward: big datagram crosses" "$CLIENT" "$SERVER_IP" 7001 $BIG "reply:udp 7001"
    expect_counts_delta "$label forward: -f, ! -f, port rule" "$ROUTER" forward \
        "${zeros[@]}" "$later" 1 1
    ipc "$ROUTER" -I forward -p udp -s "$CLIENT_IP" -f -j DENY
    counts_snap "$ROUTER" forward
    big_udp "$label forward: -f DENY" "$CLIENT" "$SERVER_IP" 7001 $BIG "$deny_big"
    big_udp "$label forward: -f DENY lets small datagrams pass" "$CLIENT" "$SERVER_IP" 7001 \
        $SMALL "reply:udp 7001"
    expect_counts_delta "$label forward: -f DENY counts the later fragments" "$ROUTER" forward \
        "$later" "${zeros[@]}" 0 2 2
    ipc "$ROUTER" -D forward 1

    # output: forwarded fragments as they leave, then the router's own datagrams.
    ipc "$ROUTER" -F output
    acct_rules output "$CLIENT_IP" 7001
    acct_rules output "$ROUTER_WAN" 7001
    counts_snap "$ROUTER" output
    big_udp "$label output: forwarded big datagram" "$CLIENT" "$SERVER_IP" 7001 $BIG \
        "reply:udp 7001"
    big_udp "$label output: local big datagram" "$ROUTER" "$SERVER_IP" 7001 $BIG "reply:udp 7001"
    # Local datagrams are fragmented after the output chain: it sees them whole.
    expect_counts_delta "$label output: forwarded fragments, local datagram whole" "$ROUTER" \
        output "$later" 1 1 0 1 1
    ipc "$ROUTER" -I output -p udp -s "$CLIENT_IP" -f -j DENY
    counts_snap "$ROUTER" output
    big_udp "$label output: -f DENY" "$CLIENT" "$SERVER_IP" 7001 $BIG "$deny_big"
    big_udp "$label output: -f DENY leaves local datagrams alone" "$ROUTER" "$SERVER_IP" 7001 $BIG \
        "reply:udp 7001"
    expect_counts_delta "$label output: -f DENY counts the later fragments" "$ROUTER" output \
        "$later" 0 1 1 0 1 1
    ipc "$ROUTER" -F output
    ipc "$ROUTER" -F forward
}

# ---- without MASQ: no conntrack, fragments as on the wire.
no_conntrack_users "fresh table"
ipc "$ROUTER" -A input -p tcp -d 0/0 80 -j REJECT
ipc "$ROUTER" -P forward DENY
ipc "$ROUTER" -A forward -j ACCEPT
no_conntrack_users "REJECT rule and DENY policy"
ipc "$ROUTER" -F
ipc "$ROUTER" -P forward ACCEPT
ct0=$(ct_count "$ROUTER")
run_cases "no MASQ:" 2
ct1=$(ct_count "$ROUTER")
if [ "$ct1" -eq "$ct0" ]; then
    pass "no MASQ: the router tracked no connection ($ct0 before, $ct1 after)"
else
    fail "no MASQ: the router tracked $((ct1 - ct0)) connections"
fi

# ---- a MASQ rule for another network: conntrack reassembles before every chain.
masq_rule='-s 10.199.9.0/24 -j MASQ'
ipc "$ROUTER" -A forward $masq_rule
want_conntrack_users "first MASQ rule"
ct0=$(ct_count "$ROUTER")
run_cases "MASQ elsewhere:" 0 "$masq_rule"
ct1=$(ct_count "$ROUTER")
if [ "$ct1" -gt "$ct0" ]; then
    pass "MASQ elsewhere: the router tracks connections ($ct0 before, $ct1 after)"
else
    fail "MASQ elsewhere: no connection tracked ($ct0 before, $ct1 after)"
fi

# ---- removing the last MASQ takes the conntrack users away again.
ipc "$ROUTER" -A forward $masq_rule
ipc "$ROUTER" -N m
ipc "$ROUTER" -A m -j MASQ
want_conntrack_users "two MASQ rules"
ipc "$ROUTER" -D forward 1
want_conntrack_users "one MASQ rule left"
ipc "$ROUTER" -F m
no_conntrack_users "last MASQ rule deleted"
ipc "$ROUTER" -P forward MASQ
want_conntrack_users "MASQ policy"
ipc "$ROUTER" -P forward ACCEPT
no_conntrack_users "MASQ policy gone"
# Conntrack entries made meanwhile live on until they time out; new traffic is not tracked,
# and fragments reach the chains again.
run_cases "MASQ removed:" 2

finish
