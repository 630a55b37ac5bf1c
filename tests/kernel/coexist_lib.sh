# Shared part of tests/kernel/coexist_*.sh: ipchains next to other firewalls in one namespace.
# Sourced after lib.sh. The "others": a firewalld-like nft table (inet), docker-like chains
# through iptables-nft (tables ip filter / ip nat), and legacy iptables rules in filter, nat,
# mangle and raw. Our commands must leave every one of their objects exactly as it was.

command -v iptables-legacy >/dev/null || skip "iptables-legacy (the tool; legacy x_tables)"
command -v iptables-nft >/dev/null || die "missing tool 'iptables-nft'"

# foreign_setup NS
foreign_setup() {
    on "$1" nft -f - <<'NFT' || die "cannot load the firewalld-like table"
table inet fwd_like {
    chain raw_PREROUTING {
        type filter hook prerouting priority raw; policy accept;
        udp dport 7002 accept
    }
    chain filter_INPUT {
        type filter hook input priority filter + 10; policy accept;
        iifname "lo" accept
        udp dport 7009 drop
        jump filter_INPUT_ZONES
    }
    chain filter_INPUT_ZONES {
        iifname "eth0" goto filter_IN_public
    }
    chain filter_IN_public {
        meta l4proto icmp accept
    }
}
NFT
    on "$1" iptables-nft -N DOCKER-USER &&
        on "$1" iptables-nft -A DOCKER-USER -j RETURN &&
        on "$1" iptables-nft -A FORWARD -j DOCKER-USER &&
        on "$1" iptables-nft -t nat -N DOCKER &&
        on "$1" iptables-nft -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER &&
        on "$1" iptables-nft -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE ||
        die "cannot add the docker-like iptables-nft chains"
    on "$1" iptables-legacy -N FOREIGN &&
        on "$1" iptables-legacy -A FOREIGN -p udp --dport 7008 -j DROP &&
        on "$1" iptables-legacy -A INPUT -j FOREIGN &&
        on "$1" iptables-legacy -A FORWARD -s 192.0.2.0/24 -j DROP &&
        on "$1" iptables-legacy -t nat -A POSTROUTING -o eth9 -j MASQUERADE &&
        on "$1" iptables-legacy -t mangle -N FMANGLE &&
        on "$1" iptables-legacy -t mangle -A FMANGLE -p udp --dport 7007 -j RETURN &&
        on "$1" iptables-legacy -t mangle -A PREROUTING -j FMANGLE &&
        on "$1" iptables-legacy -t mangle -A POSTROUTING -o eth9 -j RETURN &&
        on "$1" iptables-legacy -t raw -A PREROUTING -p udp --dport 7006 -j RETURN ||
        die "cannot add the legacy rules"
}

# foreign_state NS FILE: everything that is not ours, without counter values.
#   nft: the whole ruleset minus `table ip <IPCHAINS_DIVERT_TABLE>`;
#   legacy: iptables-legacy-save minus our chains and our jump rules.
foreign_state() {
    local ours=${IPCHAINS_DIVERT_TABLE:-ipchains}
    {
        on "$1" nft list ruleset |
            awk -v t="table ip $ours {" '$0 == t { skip = 1 } !skip { print } skip && $0 == "}" { skip = 0 }'
        on "$1" iptables-legacy-save | grep -v '^#' | grep -v -- "$ours-"
    } | sed -e 's/packets [0-9]* bytes [0-9]*//' -e 's/\[[0-9]*:[0-9]*\]//' >"$2"
}

# coexist_run BACKEND: the whole scenario with IPCHAINS_DIVERT_BACKEND=BACKEND.
coexist_run() {
    export IPCHAINS_DIVERT_BACKEND=$1
    topo_pair
    for p in 7001 7002 7003 7008 7009; do udp_server "$HOST" $p; done
    foreign_setup "$HOST"
    foreign_state "$HOST" "$T/before"

    # -A, -I, -N, -P, a user chain, REJECT, DIVERT (resume chains), then a restore.
    ipc "$HOST" -N udpin
    ipc "$HOST" -A udpin -p udp -d 0/0 7002 -j DENY
    ipc "$HOST" -A input -p udp -j udpin
    ipc "$HOST" -A input -p udp -d 0/0 7003 -j REJECT
    ipc "$HOST" -I input 1 -p udp -d 0/0 7008 -j ACCEPT
    ipc "$HOST" -A input -p udp -d 0/0 7009 -j ACCEPT
    ipc "$HOST" -A input -p tcp -d 0/0 7010 -j DIVERT 7010
    ipc "$HOST" -P forward DENY
    ipc "$HOST" -A output -p icmp -j ACCEPT
    foreign_state "$HOST" "$T/after-add"
    same_text "$1: -A/-I/-N/-P leave the other firewalls alone" "$T/before" "$T/after-add"

    if [ "$1" = legacy ]; then
        on "$HOST" iptables-legacy-save -t mangle >"$T/mangle"
        expect_grep "legacy: our jump is the first rule of mangle PREROUTING" \
            '^-A PREROUTING -j ipchains-~in-hook$' "$T/mangle"
        if [ "$(grep -m1 '^-A PREROUTING' "$T/mangle")" = "-A PREROUTING -j ipchains-~in-hook" ]; then
            pass "legacy: our jump comes before the foreign ones"
        else
            fail "legacy: mangle PREROUTING does not start with our jump"
            show "$T/mangle"
        fi
        if on "$HOST" nft list table ip ipchains >/dev/null 2>&1; then
            fail "legacy: an nft table ip ipchains appeared"
        else
            pass "legacy: nothing of ours in nftables"
        fi
    else
        on "$HOST" iptables-legacy-save >"$T/legacy"
        if grep -q 'ipchains-' "$T/legacy"; then
            fail "nft: legacy tables hold something of ours"
            show "$T/legacy"
        else
            pass "nft: nothing of ours in legacy iptables"
        fi
    fi

    # Verdicts across tables: an ACCEPT is final only for the table that gives it.
    udp_expect "$1: no rule of ours, nobody drops" "$PEER" "$HOST_IP" 7001 "reply:udp 7001"
    udp_expect "$1: our DENY holds although another table accepted first" \
        "$PEER" "$HOST_IP" 7002 timeout
    udp_expect "$1: our REJECT" "$PEER" "$HOST_IP" 7003 refused
    udp_expect "$1: we accept, a legacy filter rule of someone else drops" \
        "$PEER" "$HOST_IP" 7008 timeout
    udp_expect "$1: we accept, the firewalld-like nft table drops" \
        "$PEER" "$HOST_IP" 7009 timeout
    ping_expect "$1: ICMP accepted by everyone" "$PEER" "$HOST_IP" ok

    cat >"$T/rules" <<'RULES'
:input ACCEPT
:forward ACCEPT
:output ACCEPT
-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 7003 -p 17 -j DENY
RULES
    run "$HOST" ipchains-restore -f <"$T/rules"
    [ "$RC" -eq 0 ] || { fail "$1: ipchains-restore -f exited $RC"; show "$T/err"; }
    foreign_state "$HOST" "$T/after-restore"
    same_text "$1: ipchains-restore leaves the other firewalls alone" "$T/before" "$T/after-restore"
    udp_expect "$1: restored rule applies" "$PEER" "$HOST_IP" 7003 timeout

    ipc "$HOST" -Z
    ipc "$HOST" -F
    ipc "$HOST" -X
    ipc "$HOST" -P forward ACCEPT
    foreign_state "$HOST" "$T/after-flush"
    same_text "$1: -Z/-F/-X/-P leave the other firewalls alone" "$T/before" "$T/after-flush"
    udp_expect "$1: after -F the foreign drop still applies" "$PEER" "$HOST_IP" 7008 timeout
    udp_expect "$1: after -F nothing of ours drops" "$PEER" "$HOST_IP" 7003 "reply:udp 7003"
}
