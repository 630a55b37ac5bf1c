#!/bin/bash
# The same rules and the same packets through both backends: every verdict and every counter
# of `ipchains -L -v -x -n` must come out identical. Each backend gets its own pair of
# namespaces, so neither sees the other's state.
. "$(dirname "$0")/lib.sh"

command -v iptables-legacy >/dev/null || skip "iptables-legacy (the tool; legacy x_tables)"

# scenario BACKEND RESULT-FILE
scenario() {
    local be=$1 out=$2 host peer
    export IPCHAINS_DIVERT_BACKEND=$be
    ns_new host "h$be"
    ns_new peer "p$be"
    veth "$host" eth0 10.199.1.1 "$peer" eth0 10.199.1.2
    for p in 7001 7002 7003 7004 7005 7006 7011; do udp_server "$host" $p; done

    ipc "$host" -N udpin
    ipc "$host" -A udpin -p udp -d 0/0 7002 -j DENY
    ipc "$host" -A udpin -p udp -d 0/0 7003 -j REJECT
    ipc "$host" -A udpin -p udp -d 0/0 7004 -j RETURN
    ipc "$host" -A udpin -p udp -s 10.199.1.0/24 -d 0/0 7005 -m 0x5
    ipc "$host" -A input -p udp -j udpin
    ipc "$host" -A input -p udp -d 0/0 7004 -j DENY
    ipc "$host" -A input -p udp -d 0/0 ! 7000:7010 -j DENY
    ipc "$host" -A input -p icmp --icmp-type echo-request -j ACCEPT
    ipc "$host" -A input -p icmp -j ACCEPT
    ipc "$host" -A input -p udp -d 0/0 7001 -j ACCEPT
    ipc "$host" -A input -p udp -d 0/0 7005:7006 -t 0x01 0x10 -j ACCEPT
    ipc "$host" -A input -p udp -d 0/0 7003 -j ACCEPT
    ipc "$host" -P input DENY
    ipc "$host" -A output -p udp -s 0/0 7006 -j DENY
    ipc "$host" -A output -p icmp -d 10.199.1.9 -j REJECT
    ipc "$host" -A output -p icmp -j ACCEPT
    ip -n "$host" route add 10.199.1.9/32 dev eth0

    {
        for p in 7001 7002 7003 7004 7005 7006 7011; do
            echo "udp $p: $(udp_probe "$peer" 10.199.1.1 $p "$NEG_WAIT")"
        done
        ip netns exec "$peer" timeout 5 ping -n -c1 -W"$NEG_WAIT" 10.199.1.1 >/dev/null 2>&1
        echo "ping in: $?"
        echo "icmp out to a REJECTed address: $(icmp_send "$host" 10.199.1.9)"
        echo "listing:"
        on "$host" ipchains -L -v -x -n
    } >"$out" 2>&1
}

scenario nft "$T/nft"
scenario legacy "$T/legacy"
same_text "same verdicts and counters from both backends" "$T/nft" "$T/legacy"
expect_grep "the scenario did something" '^udp 7002: timeout$' "$T/legacy"
[ -n "${SHOW:-}" ] && cat "$T/legacy"
finish
