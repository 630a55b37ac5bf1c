#!/bin/bash
# Rule runs (docs/nftables-mapping.md "Rule runs"): a blocklist-shaped ruleset, which the nft
# backend compiles to set lookups, must behave and count exactly like the legacy backend's
# one kernel rule per ipchains rule. Runs over addresses, udp ports, input interfaces and
# network . port concatenations, and a verdict map of accepted and denied hosts. Known packets from members of the runs, then -C, -R, -I,
# -D, -A, -L -Z, -Z and a save/restore round trip; `ipchains -L -v -x -n --line-numbers`
# after each step must be identical on both backends.
. "$(dirname "$0")/lib.sh"

command -v iptables-legacy >/dev/null || skip "iptables-legacy (the tool; legacy x_tables)"

# blocklist: 5 udp port rules, 200 hosts, 4 networks (the hosts' run, now with intervals),
# a network covering the hosts (it splits the run), then an ICMP rule.
blocklist() {
    echo ":input ACCEPT"
    echo ":forward ACCEPT"
    echo ":output ACCEPT"
    for i in 1 2 3 4 5; do
        echo "-A input -s 10.199.6.$i/255.255.255.255 -d 0.0.0.0/0.0.0.0 7001:7001 -p 17 -j ACCEPT"
    done
    for i in $(seq 200); do
        echo "-A input -s 10.199.2.$i/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j DENY"
    done
    for n in 10.199.4.0/255.255.255.0 10.199.5.0/255.255.255.0 172.16.0.0/255.240.0.0 \
        192.168.0.0/255.255.0.0 10.199.2.0/255.255.255.0 10.199.8.0/255.255.255.0 \
        10.199.9.0/255.255.255.0 10.199.10.0/255.255.255.0; do
        echo "-A input -s $n -d 0.0.0.0/0.0.0.0 -j DENY"
    done
    echo "-A input -s 10.199.7.0/255.255.255.0 -d 0.0.0.0/0.0.0.0 -p 1 -j ACCEPT"
}

# pings NS SOURCE COUNT: COUNT echo requests from SOURCE (an address of NS's eth0).
pings() {
    on "$1" timeout 5 ping -n -q -c "$3" -i 0.05 -W 0.3 -I "$2" 10.199.1.1 >/dev/null 2>&1
    return 0
}

# udp_from NS SOURCE PORT: one datagram from SOURCE (an address of NS's eth0) to the host.
udp_from() {
    on "$1" socat -u - "UDP4-SENDTO:10.199.1.1:$3,bind=$2" <<<"probe"
}

# services: runs over other fields, in a chain of their own: udp ports and a port range,
# input interfaces, hosts that are accepted or denied (a verdict map), and "udp from network N
# to port P" (a concatenation); -i ppp+ joins the interface run, -i eth+ (a wildcard that
# covers members) ends it.
services() {
    local p i n
    for p in 7002 7003 7010:7019 7030; do
        echo "-A svc -p udp -d 0/0 $p -j DENY"
    done
    for i in eth5 eth6 eth0 ppp+ eth7 eth+ eth8; do
        echo "-A svc -i $i -p udp -d 0/0 7040 -j DENY"
    done
    for i in lo dummy0 et+ ppp0; do
        echo "-A svc -i $i -p udp -d 0/0 7045 -j DENY"
    done
    for h in 10.199.2.5:DENY 10.199.2.17:ACCEPT 10.199.2.200:DENY 10.199.4.9:ACCEPT \
        10.199.9.1:DENY; do
        echo "-A svc -i eth0 -p udp -s ${h%:*} -d 0/0 7060 -j ${h#*:}"
    done
    for n in 10.199.2.0/24 10.199.4.0/24 10.199.9.0/24; do
        for p in 7050 7051; do echo "-A svc -p udp -s $n -d 0/0 $p -j DENY"; done
    done
}

# scenario BACKEND RESULT-FILE
scenario() {
    local be=$1 out=$2 host peer a
    export IPCHAINS_DIVERT_BACKEND=$be
    ns_new host "h$be"
    ns_new peer "p$be"
    veth "$host" eth0 10.199.1.1 "$peer" eth0 10.199.1.2
    ip -n "$host" route add 10.199.0.0/16 dev eth0
    for a in 10.199.2.5 10.199.2.17 10.199.2.200 10.199.4.9 10.199.7.3 10.199.6.3 10.199.9.1; do
        ip -n "$peer" addr add "$a/32" dev eth0
    done
    # No answer: an answer to a sender gone meanwhile would come back as an ICMP error whose
    # timing differs from run to run.
    udp_server "$host" 7001 "cat >/dev/null"
    blocklist >"$T/rules.$be"
    run "$host" ipchains-restore <"$T/rules.$be"
    [ "$RC" -eq 0 ] || { fail "$be: ipchains-restore -> exit $RC"; show "$T/err"; }

    local step=0
    listing() {
        step=$((step + 1))
        echo "== $step: $*"
        on "$host" ipchains -L input -v -x -n --line-numbers
    }
    {
        pings "$peer" 10.199.2.5 1
        pings "$peer" 10.199.2.17 2
        pings "$peer" 10.199.2.200 3
        pings "$peer" 10.199.4.9 2
        pings "$peer" 10.199.9.1 1
        pings "$peer" 10.199.7.3 1
        on "$peer" socat -u - "UDP4-SENDTO:10.199.1.1:7001,bind=10.199.6.3" <<<"probe"
        sleep 0.2
        listing "after traffic"
        echo "-C: $(on "$host" ipchains -C input -p icmp -s 10.199.2.17 -d 10.199.1.1 \
            --icmp-type echo-request -i eth0 2>&1)"
        echo "-C: $(on "$host" ipchains -C input -p icmp -s 10.199.7.3 -d 10.199.1.1 \
            --icmp-type echo-request -i eth0 2>&1)"
        on "$host" ipchains -R input 10 -s 10.199.2.250 -j DENY 2>&1
        pings "$peer" 10.199.2.5 1
        listing "-R of a member; its old host passes"
        on "$host" ipchains -D input 8 2>&1
        listing "-D of a member"
        on "$host" ipchains -I input 50 -s 10.199.2.251 -j DENY 2>&1
        on "$host" ipchains -A input -s 10.199.2.252 -j DENY 2>&1
        pings "$peer" 10.199.2.17 1
        listing "-I into the run, -A after it"
        on "$host" ipchains -D input -s 10.199.2.17 -j DENY 2>&1
        pings "$peer" 10.199.2.17 1
        listing "-D by rule: 10.199.2.17 now meets the covering network"
        echo "== -L -Z"
        on "$host" ipchains -L -Z -v -x -n | sed -n '1,12p'
        listing "after -L -Z"
        pings "$peer" 10.199.2.200 2
        on "$host" ipchains -Z input 2>&1
        pings "$peer" 10.199.4.9 1
        listing "-Z, then one packet"
        # A user chain ending in a run: -A of one more host extends it (on nft, one element
        # through the append fast path); a host the run covers and a network after hosts do not.
        on "$host" ipchains -N blk
        for a in 1 2 3 4 5; do on "$host" ipchains -A blk -s 10.199.3.$a -j DENY; done
        on "$host" ipchains -A blk -s 10.199.3.6 -j DENY
        on "$host" ipchains -A blk -s 10.199.3.6 -j DENY
        on "$host" ipchains -A blk -s 10.199.3.7 -j DENY
        on "$host" ipchains -A blk -s 10.199.3.8 -j DENY -i eth0
        echo "== blk"
        on "$host" ipchains -L blk -v -x -n --line-numbers
        # Port, interface and concatenation runs: packets that hit members, then -A (the
        # concatenation's fast path), -D and -R of members, -C, -Z.
        on "$host" ipchains -N svc
        services | while read -r line; do on "$host" ipchains $line; done
        on "$host" ipchains -I input 1 -p udp -j svc
        udp_from "$peer" 10.199.6.3 7003
        udp_from "$peer" 10.199.6.3 7015
        udp_from "$peer" 10.199.6.3 7019
        udp_from "$peer" 10.199.6.3 7040
        udp_from "$peer" 10.199.6.3 7045
        udp_from "$peer" 10.199.4.9 7051
        udp_from "$peer" 10.199.9.1 7050
        udp_from "$peer" 10.199.9.1 7050
        udp_from "$peer" 10.199.2.17 7060
        udp_from "$peer" 10.199.9.1 7060
        udp_from "$peer" 10.199.9.1 7060
        sleep 0.2
        echo "== svc after traffic"
        on "$host" ipchains -L svc -v -x -n --line-numbers
        on "$host" ipchains -A svc -p udp -s 10.199.7.0/24 -d 0/0 7050 -j DENY
        udp_from "$peer" 10.199.7.3 7050
        sleep 0.2
        [ "$be" = nft ] && on "$host" nft list table ip ipchains >"$T/nft-svc"
        on "$host" ipchains -D svc 2
        on "$host" ipchains -R svc 5 -i eth9 -p udp -d 0/0 7040 -j DENY
        udp_from "$peer" 10.199.6.3 7030
        udp_from "$peer" 10.199.2.5 7051
        sleep 0.2
        echo "-C: $(on "$host" ipchains -C svc -p udp -s 10.199.4.9 1024 -d 10.199.1.1 7051 -i eth0 2>&1)"
        echo "-C: $(on "$host" ipchains -C svc -p udp -s 10.199.6.3 1024 -d 10.199.1.1 7012 -i eth0 2>&1)"
        echo "== svc after -A, -D, -R"
        on "$host" ipchains -L svc -v -x -n --line-numbers
        on "$host" ipchains -Z svc
        udp_from "$peer" 10.199.9.1 7051
        sleep 0.2
        echo "== svc after -Z and one packet"
        on "$host" ipchains -L svc -v -x -n --line-numbers
        on "$host" ipchains-save >"$T/save1.$be" 2>/dev/null
        on "$host" ipchains -F input
        on "$host" ipchains-restore <"$T/save1.$be" 2>&1
        on "$host" ipchains-save >"$T/save2.$be" 2>/dev/null
        echo "== save/restore round trip: $(cmp -s "$T/save1.$be" "$T/save2.$be" && echo same)"
        cat "$T/save2.$be"
    } >"$out" 2>&1
    if [ "$be" = nft ]; then
        on "$host" nft list table ip ipchains >"$T/nft-table"
        expect_grep "the hosts are a set lookup" 'ip saddr @input-saddr-[0-9]* drop' "$T/nft-table"
        expect_grep "the udp port rules are a set lookup" 'udp dport 7001 ip saddr @input-saddr-1 accept' "$T/nft-table"
        on "$host" nft list set ip ipchains blk-saddr-1 >"$T/nft-blk"
        expect_grep "the 6th host of blk is an element of its run" \
            '10.199.3.6 counter packets 0 bytes 0 comment "#6 -A blk -s 10.199.3.6/' "$T/nft-blk"
        expect_grep "the udp ports are a set lookup" 'udp dport @svc-dport-1 drop' "$T/nft-svc"
        expect_grep "the interfaces are a set lookup" 'iifname @svc-iif-1 drop' "$T/nft-svc"
        expect_grep "accepted and denied hosts are a verdict map" \
            'udp dport 7060 iifname "eth0" ip saddr vmap @svc-saddr-vmap-1' "$T/nft-svc"
        expect_grep "an accepting member counts in the map" \
            '10.199.2.17 counter packets 1 bytes 34 comment "#2 .* : accept' "$T/nft-svc"
        expect_grep "a denying member counts in the map" \
            '10.199.9.1 counter packets 2 bytes 68 comment "#5 .* : drop' "$T/nft-svc"
        expect_grep "network . port is a concatenated set lookup" \
            'ip saddr . udp dport @svc-saddr-dport-1 drop' "$T/nft-svc"
        expect_grep "the port range is an element with its counter" \
            '7010-7019 counter packets 2 bytes 68 ' "$T/nft-svc"
        expect_grep "eth0 is an element with its counter" \
            '"eth0" counter packets 1 bytes 34 ' "$T/nft-svc"
        expect_grep "the wildcard et+ counts eth0's packet" \
            '"et\*" counter packets 1 bytes 34 comment "#3 ' "$T/nft-svc"
        expect_grep "the wildcard ppp+ is an element" \
            '"ppp\*" counter packets 0 bytes 0 comment "#4 ' "$T/nft-svc"
        expect_grep "network . port elements count their packets" \
            '10.199.9.0/24 . 7050 counter packets 2 bytes 68 ' "$T/nft-svc"
        expect_grep "the appended network . port is an element" \
            '10.199.7.0/24 . 7050 counter packets 1 bytes 34 comment "#7 ' "$T/nft-svc"
        # A set named as an older version named runs, looked up by a rule of input: the next
        # command rebuilds the chains and deletes it.
        on "$host" nft add set ip ipchains input-run1 '{ type ipv4_addr; }'
        on "$host" nft insert rule ip ipchains input ip saddr @input-run1 drop
        on "$host" ipchains -A output -s 10.199.3.99 -j DENY
        [ $? -eq 0 ] && ! on "$host" nft list sets ip | grep -q 'set input-run1 ' &&
            ! on "$host" nft list chain ip ipchains input | grep -q '@input-run1' &&
            pass "a set of the old naming and its lookup are gone after one command" ||
            { fail "the old set stayed"; on "$host" nft list table ip ipchains | show /dev/stdin; }
        local n
        n=$(sed -n '/^\tchain input {/,/^\t}/p' "$T/nft-table" | grep -c 'comment "')
        [ "$n" -le 8 ] && pass "input holds $n nft rules for 214 ipchains rules" ||
            { fail "input holds $n nft rules"; show "$T/nft-table"; }
    fi
}

# set_handle NS SET: the handle nft gives the set (a new one when the set was recreated).
set_handle() {
    on "$1" nft -a list set ip ipchains "$2" | sed -n 's/.*set .* { # handle \([0-9]*\)$/\1/p'
}

# unsize_set NS: replaces input's run set by the same set without a size (the lookup rule
# too, which the kernel would not let go of the set), as a version before sizes made it.
unsize_set() {
    local rule
    rule=$(on "$1" nft -a list chain ip ipchains input |
        sed -n 's/.*"ipchains-run:input-saddr-1" # handle \([0-9]*\)$/\1/p')
    {
        echo "delete rule ip ipchains input handle $rule"
        echo "delete set ip ipchains input-saddr-1"
        on "$1" nft list set ip ipchains input-saddr-1 | grep -Ev '^[[:space:]]*size [0-9]+$'
        echo 'add rule ip ipchains input ip saddr @input-saddr-1 drop' \
            'comment "ipchains-run:input-saddr-1"'
    } >"$T/unsized.nft"
    on "$1" nft -f "$T/unsized.nft" 2>&1 | show /dev/stdin
    on "$1" nft list set ip ipchains input-saddr-1 | grep -Eq '^[[:space:]]*size ' &&
        fail "unsize_set: the set still has a size"
}

# recreated_with_size NS WHAT ARGS...: makes input's run set unsized (unsize_set), runs
# `ipchains ARGS...`, and checks that the set was recreated with its size, 64; the set's
# listing is then in $T/sized-now.
recreated_with_size() {
    local ns=$1 what=$2 old
    shift 2
    unsize_set "$ns"
    old=$(set_handle "$ns" input-saddr-1)
    ipc "$ns" "$@"
    on "$ns" nft list set ip ipchains input-saddr-1 >"$T/sized-now"
    expect_grep "$what on a set without size gives it its size" '^[[:space:]]*size 64$' \
        "$T/sized-now"
    [ "$(set_handle "$ns" input-saddr-1)" != "$old" ] &&
        pass "$what recreated the set without size" || fail "$what left the set without size"
}

# A run of hosts is a hash set with a size (docs/nftables-mapping.md "Rule runs"): 32 members
# fit in 64; -A of a 33rd rebuilds the set with 128 and every member's counter; a 34th is one
# more element of it; deleting back to 32 members rebuilds it with 64.
sized() {
    local host peer a h32 h33 h34
    export IPCHAINS_DIVERT_BACKEND=nft
    ns_new host hsz
    ns_new peer psz
    veth "$host" eth0 10.199.1.1 "$peer" eth0 10.199.1.2
    ip -n "$host" route add 10.199.0.0/16 dev eth0
    for a in 1 2 32 34; do ip -n "$peer" addr add "10.199.20.$a/32" dev eth0; done
    {
        echo ":input ACCEPT"
        echo ":forward ACCEPT"
        echo ":output ACCEPT"
        for a in $(seq 32); do
            echo "-A input -s 10.199.20.$a/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j DENY"
        done
    } >"$T/sized"
    run "$host" ipchains-restore <"$T/sized"
    [ "$RC" -eq 0 ] || { fail "sized: ipchains-restore -> exit $RC"; show "$T/err"; }
    pings "$peer" 10.199.20.1 1
    pings "$peer" 10.199.20.2 2
    pings "$peer" 10.199.20.32 3
    sleep 0.2
    on "$host" nft list set ip ipchains input-saddr-1 >"$T/sized-set32"
    expect_grep "32 hosts: a set of size 64" '^[[:space:]]*size 64$' "$T/sized-set32"
    on "$host" ipchains -L input -v -x -n >"$T/sized-L32"
    h32=$(set_handle "$host" input-saddr-1)

    ipc "$host" -A input -s 10.199.20.33 -j DENY
    on "$host" nft list set ip ipchains input-saddr-1 >"$T/sized-set33"
    h33=$(set_handle "$host" input-saddr-1)
    expect_grep "33 hosts: the set is rebuilt with size 128" '^[[:space:]]*size 128$' \
        "$T/sized-set33"
    [ -n "$h32" ] && [ -n "$h33" ] && [ "$h32" != "$h33" ] &&
        pass "the 33rd host recreated the set (handle $h32 -> $h33)" ||
        fail "the 33rd host did not recreate the set (handle '$h32' -> '$h33')"
    [ "$(grep -o 'comment "#[0-9]* ' "$T/sized-set33" | sort -u | wc -l)" -eq 33 ] &&
        pass "the rebuilt set has all 33 members" ||
        { fail "the rebuilt set lacks members"; show "$T/sized-set33"; }
    expect_grep "the rebuilt set kept the 1st member's counter" \
        '10\.199\.20\.1 counter packets 1 bytes 84 comment "#1 ' "$T/sized-set33"
    expect_grep "the rebuilt set kept the 2nd member's counter" \
        '10\.199\.20\.2 counter packets 2 bytes 168 comment "#2 ' "$T/sized-set33"
    expect_grep "the rebuilt set kept the 32nd member's counter" \
        '10\.199\.20\.32 counter packets 3 bytes 252 comment "#32 ' "$T/sized-set33"
    on "$host" ipchains -L input -v -x -n | head -n -1 >"$T/sized-L33"
    same_text "-L -v -x shows the 32 old rules as before the rebuild" "$T/sized-L32" \
        "$T/sized-L33"

    ipc "$host" -A input -s 10.199.20.34 -j DENY
    pings "$peer" 10.199.20.34 2
    pings "$peer" 10.199.20.32 1
    sleep 0.2
    on "$host" nft list set ip ipchains input-saddr-1 >"$T/sized-set34"
    h34=$(set_handle "$host" input-saddr-1)
    [ -n "$h34" ] && [ "$h33" = "$h34" ] && grep -Eq '^[[:space:]]*size 128$' "$T/sized-set34" &&
        pass "the 34th host is one more element of the same set" ||
        {
            fail "the 34th host is no element of the same size-128 set ('$h33' -> '$h34')"
            show "$T/sized-set34"
        }
    expect_grep "the 34th member counts its packets" \
        '10\.199\.20\.34 counter packets 2 bytes 168 comment "#34 ' "$T/sized-set34"
    expect_grep "the 32nd member counts on in the rebuilt set" \
        '10\.199\.20\.32 counter packets 4 bytes 336 comment "#32 ' "$T/sized-set34"

    ipc "$host" -D input 34
    ipc "$host" -D input 33
    on "$host" nft list set ip ipchains input-saddr-1 >"$T/sized-set32b"
    expect_grep "back to 32 hosts: size 64 again" '^[[:space:]]*size 64$' "$T/sized-set32b"
    expect_grep "the shrunk set kept the 32nd member's counter" \
        '10\.199\.20\.32 counter packets 4 bytes 336 comment "#32 ' "$T/sized-set32b"
    on "$host" ipchains-save >"$T/sized-save" 2>/dev/null
    [ "$(grep -c '^-A input -s 10\.199\.20\.' "$T/sized-save")" -eq 32 ] &&
        pass "ipchains-save lists the 32 hosts" || { fail "ipchains-save"; show "$T/sized-save"; }

    # The same set without a size, as a version before sizes made it, is recreated with its
    # size by the next command (counters kept): by the full commit of a -D, and by an -A whose
    # fast path finds the kernel's set without the size it would have.
    recreated_with_size "$host" "-D" -D input 32
    expect_grep "the recreated set kept the 2nd member's counter" \
        '10\.199\.20\.2 counter packets 2 bytes 168 comment "#2 ' "$T/sized-now"
    recreated_with_size "$host" "-A" -A input -s 10.199.20.40 -j DENY
    expect_grep "the recreated set kept the 1st member's counter" \
        '10\.199\.20\.1 counter packets 1 bytes 84 comment "#1 ' "$T/sized-now"
    expect_grep "the appended host is the 32nd member" \
        '10\.199\.20\.40 counter packets 0 bytes 0 comment "#32 ' "$T/sized-now"

    # Ports and exact interface names are hash sets with a size too.
    local p i
    ipc "$host" -N ports
    for p in 7101 7102 7103 7104; do ipc "$host" -A ports -p udp -d 0/0 "$p" -j DENY; done
    for i in eth1 eth2 eth0 eth3; do ipc "$host" -A ports -i "$i" -p udp -d 0/0 7105 -j DENY; done
    ipc "$host" -I input 1 -p udp -j ports
    udp_from "$peer" 10.199.20.1 7103
    udp_from "$peer" 10.199.20.1 7105
    sleep 0.2
    on "$host" nft list set ip ipchains ports-dport-1 >"$T/sized-ports"
    on "$host" nft list set ip ipchains ports-iif-1 >"$T/sized-ifaces"
    expect_grep "a set of ports has a size" '^[[:space:]]*size 64$' "$T/sized-ports"
    expect_grep "a port member counts in the sized set" \
        '7103 counter packets 1 bytes 34 comment "#3 ' "$T/sized-ports"
    expect_grep "a set of interface names has a size" '^[[:space:]]*size 64$' "$T/sized-ifaces"
    expect_grep "an interface member counts in the sized set" \
        '"eth0" counter packets 1 bytes 34 comment "#3 ' "$T/sized-ifaces"
}

scenario nft "$T/nft"
scenario legacy "$T/legacy"
same_text "same listings, counters, -C answers and saves on both backends" "$T/legacy" "$T/nft"
sized
expect_grep "the members counted their packets" '^10 *1 *84 DENY .*10.199.2.5 ' "$T/legacy"
expect_grep "the round trip kept the ruleset" 'round trip: same' "$T/nft"
[ -n "${SHOW:-}" ] && cat "$T/nft"
finish
