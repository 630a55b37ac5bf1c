#!/bin/bash
# Rule runs under random edits (docs/nftables-mapping.md "Rule runs"). For each seed, one
# script of about a hundred steps is drawn once: -A, -I, -D (by number and by rule), -R, -C,
# -Z, -L -Z, -P (ACCEPT, DENY, REJECT), -F and a save/restore round trip, over hosts,
# networks, udp ports, host . port pairs, interfaces, inversions, marks, -l, REJECT and
# RETURN, in `input` and in a user chain `blk` that input jumps to, with known datagrams from
# members between the edits. The nft backend compiles the runs to set lookups and verdict
# maps and takes its fast paths (an -A onto a run is one element, -P a chain update); the
# legacy backend has one kernel rule per ipchains rule. The script is replayed on both: every
# command's exit status, stdout and stderr, and `ipchains -L -v -x -n --line-numbers` of both
# chains at each checkpoint must be identical.
#
# RUNS_SEEDS="a b ..." replays other seeds (the failure names the seed); SHOW=1 prints the
# transcripts.
. "$(dirname "$0")/lib.sh"

command -v iptables-legacy >/dev/null || skip "iptables-legacy (the tool; legacy x_tables)"

SEEDS=${RUNS_SEEDS:-"1999 2207 4711 31337"}
HOSTS=12     # 10.199.2.1-12: senders, and the hosts the rules name
PAIRS=4      # 10.199.3.1-4: senders of the host . port rules

# The rules each chain holds, as the generator last left them, so that numbers and rules
# given to -I, -D, -R point into the chain (mostly: one draw in ten is one past the end).
declare -a CHAIN_input CHAIN_blk

pick() { echo $((RANDOM % $1)); }
verdict() { case $(pick 3) in 0) echo ACCEPT ;; *) echo DENY ;; esac; }
host() { echo "10.199.2.$((1 + $(pick $HOSTS)))"; }

# One rule spec (without the chain), most of them members of runs.
rule_spec() {
    local chain=$1 n
    n=$(pick 100)
    if [ "$n" -lt 36 ]; then echo "-s $(host) -j $(verdict)"
    elif [ "$n" -lt 44 ]; then echo "-s 10.199.2.$((4 * $(pick 3)))/30 -j DENY"
    elif [ "$n" -lt 56 ]; then echo "-p udp -d 0/0 $((7001 + $(pick 4))) -j $(verdict)"
    elif [ "$n" -lt 68 ]; then
        echo "-p udp -s 10.199.3.$((1 + $(pick $PAIRS))) -d 0/0 $((7001 + $(pick 4))) -j $(verdict)"
    elif [ "$n" -lt 74 ]; then
        local ifs=(eth0 eth1 ppp+ eth+)
        echo "-i ${ifs[$(pick 4)]} -p udp -d 0/0 7004 -j DENY"
    elif [ "$n" -lt 79 ]; then echo "-s ! $(host) -p udp -d 0/0 7003 -j DENY"
    elif [ "$n" -lt 83 ]; then echo "-s $(host) -m 0x$((1 + $(pick 9))) -j ACCEPT"
    elif [ "$n" -lt 86 ]; then echo "-s $(host) -l -j DENY"
    elif [ "$n" -lt 91 ]; then echo "-s $(host) -j REJECT"
    elif [ "$chain" = blk ]; then echo "-s $(host) -j RETURN"
    else echo "-s $(host) -p udp -d 0/0 7002 -j $(verdict)"
    fi
}

# chain_insert CHAIN INDEX SPEC / chain_delete CHAIN INDEX: the generator's copy (0-based).
chain_insert() {
    local -n c=CHAIN_$1
    c=("${c[@]:0:$2}" "$3" "${c[@]:$2}")
}
chain_delete() {
    local -n c=CHAIN_$1
    c=("${c[@]:0:$2}" "${c[@]:$(($2 + 1))}")
}

# script SEED: the steps, one per line: `ipchains ARGS`, `restore`, `send SOURCE PORT` or
# `check`.
script() {
    RANDOM=$1
    CHAIN_input=()
    CHAIN_blk=()
    echo "ipchains -N blk"
    echo "ipchains -A input -p udp -j blk"
    chain_insert input 0 "-p udp -j blk"
    local step chain len n spec i k
    for step in $(seq 100); do
        case $(pick 2) in 0) chain=blk ;; *) chain=input ;; esac
        local -n rules=CHAIN_$chain
        len=${#rules[@]}
        n=$(pick 100)
        # An edit of input may remove the jump; without it blk would count nothing more.
        if ! printf '%s\n' "${CHAIN_input[@]}" | grep -qx -- '-p udp -j blk' && [ "$n" -lt 25 ]; then
            echo "ipchains -I input 1 -p udp -j blk"
            chain_insert input 0 "-p udp -j blk"
        elif [ "$n" -lt 44 ]; then
            spec=$(rule_spec "$chain")
            echo "ipchains -A $chain $spec"
            chain_insert "$chain" "$len" "$spec"
        elif [ "$n" -lt 58 ]; then
            i=$((1 + $(pick $((len + 1)))))
            spec=$(rule_spec "$chain")
            echo "ipchains -I $chain $i $spec"
            chain_insert "$chain" $((i - 1)) "$spec"
        elif [ "$n" -lt 68 ]; then
            i=$((1 + $(pick $((len + len / 9 + 1)))))
            echo "ipchains -D $chain $i"
            [ "$i" -le "$len" ] && chain_delete "$chain" $((i - 1))
        elif [ "$n" -lt 74 ] && [ "$len" -gt 0 ]; then
            # The first rule equal to a random one of the chain, as -D deletes it.
            spec=${rules[$(pick "$len")]}
            echo "ipchains -D $chain $spec"
            for k in "${!rules[@]}"; do
                [ "${rules[$k]}" = "$spec" ] && { chain_delete "$chain" "$k"; break; }
            done
        elif [ "$n" -lt 84 ] && [ "$len" -gt 0 ]; then
            i=$((1 + $(pick "$len")))
            spec=$(rule_spec "$chain")
            echo "ipchains -R $chain $i $spec"
            rules[$((i - 1))]=$spec
        elif [ "$n" -lt 88 ]; then
            echo "ipchains -C input -p udp -s $(host) 1024 -d 10.199.1.1 $((7001 + $(pick 4))) -i eth0"
        elif [ "$n" -lt 90 ]; then echo "ipchains -Z $chain"
        elif [ "$n" -lt 91 ]; then echo "ipchains -L -Z -v -x -n"
        elif [ "$n" -lt 95 ]; then
            # ACCEPT and DENY: the base chain's own policy; REJECT: a policy rule (another form).
            local policies=(ACCEPT DENY ACCEPT DENY REJECT)
            echo "ipchains -P input ${policies[$(pick 5)]}"
        elif [ "$n" -lt 96 ] && [ "$chain" = blk ]; then
            echo "ipchains -F blk"
            CHAIN_blk=()
        elif [ "$n" -lt 97 ]; then
            echo "restore"  # ipchains-save | ipchains-restore: the same rules, counters zeroed
        fi
        for k in $(seq "$(pick 4)"); do
            case $(pick 4) in
            0) echo "send 10.199.3.$((1 + $(pick $PAIRS))) $((7001 + $(pick 4)))" ;;
            *) echo "send $(host) $((7001 + $(pick 4)))" ;;
            esac
        done
        [ $((step % 10)) -eq 0 ] && echo check
    done
    echo check
}

# replay BACKEND SEED: a fresh host and peer, then the seed's script; the transcript goes to
# $T/BACKEND.SEED, the final ipchains-save to $T/BACKEND.SEED.save.
replay() {
    local be=$1 seed=$2 host peer a line
    export IPCHAINS_DIVERT_BACKEND=$be
    ns_new host "h$be$seed"
    ns_new peer "p$be$seed"
    veth "$host" eth0 10.199.1.1 "$peer" eth0 10.199.1.2
    ip -n "$host" route add 10.199.0.0/16 dev eth0
    for a in $(seq $HOSTS); do ip -n "$peer" addr add "10.199.2.$a/32" dev eth0; done
    for a in $(seq $PAIRS); do ip -n "$peer" addr add "10.199.3.$a/32" dev eth0; done
    # No answers and no port unreachables: an answer's timing differs from run to run.
    for a in 7001 7002 7003 7004; do udp_server "$host" $a "cat >/dev/null"; done
    # A datagram is counted before socat returns (veth delivers in the sender's softirq); the
    # pause before a command that reads or zeroes counters only makes sure of it.
    local sent=0
    while read -r line; do
        case $line in
        *-Z* | check) [ "$sent" -eq 1 ] && sleep 0.2; sent=0 ;;
        esac
        case $line in
        ipchains\ *)
            echo "\$ $line"
            # shellcheck disable=SC2086
            on "$host" $line 2>&1
            echo "-> $?"
            ;;
        restore)
            echo "\$ ipchains-save | ipchains-restore"
            on "$host" ipchains-save 2>/dev/null | on "$host" ipchains-restore 2>&1
            echo "-> $?"
            ;;
        send\ *)
            set -- $line
            on "$peer" socat -u - "UDP4-SENDTO:10.199.1.1:$3,bind=$2" <<<"probe"
            sent=1
            ;;
        check)
            echo "== check"
            on "$host" ipchains -L input -v -x -n --line-numbers 2>&1
            on "$host" ipchains -L blk -v -x -n --line-numbers 2>&1
            ;;
        esac
    done <"$T/script.$seed" >"$T/$be.$seed"
    on "$host" ipchains-save >"$T/$be.$seed.save" 2>&1
    ns_drop "$host"
    ns_drop "$peer"
}

# ns_drop NS: removes one namespace (and its servers) before the next replay.
ns_drop() {
    local pid
    for pid in $(ip netns pids "$1" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    ip netns del "$1"
}

for seed in $SEEDS; do
    script "$seed" >"$T/script.$seed"
    replay nft "$seed"
    replay legacy "$seed"
    same_text "seed $seed: same exit codes, messages, listings and counters on both backends" \
        "$T/legacy.$seed" "$T/nft.$seed"
    same_text "seed $seed: same ipchains-save on both backends" \
        "$T/legacy.$seed.save" "$T/nft.$seed.save"
    # Not a vacuous comparison: members counted packets, and runs took the fast paths' shapes.
    grep -Eq '^ *[0-9]+ +[1-9][0-9]* +[0-9]+ (DENY|ACCEPT) ' "$T/nft.$seed" &&
        pass "seed $seed: rules counted packets" ||
        fail "seed $seed: no rule ever counted a packet"
    [ -n "${SHOW:-}" ] && cat "$T/script.$seed" "$T/nft.$seed"
done
finish
