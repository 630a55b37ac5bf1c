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
# chains at each checkpoint must be identical (random_lib.sh).
. "$(dirname "$0")/random_lib.sh"

RANDOM_CHECK_CHAINS="input blk"

# The rules each chain holds, as the generator last left them, so that numbers and rules
# given to -I, -D, -R point into the chain (mostly: one draw in ten is one past the end).
declare -a CHAIN_input CHAIN_blk

verdict() { pick 3; case $R in 0) V=ACCEPT ;; *) V=DENY ;; esac; }

# rule_spec CHAIN: one rule spec (without the chain) into SPEC, most of them members of runs.
rule_spec() {
    local chain=$1 n ifs=(eth0 eth1 ppp+ eth+)
    pick 100
    n=$R
    host
    verdict
    port
    pick "$RANDOM_PAIRS"
    local pair=10.199.3.$((1 + R))
    if [ "$n" -lt 36 ]; then SPEC="-s $H -j $V"
    elif [ "$n" -lt 44 ]; then pick 3; SPEC="-s 10.199.2.$((4 * R))/30 -j DENY"
    elif [ "$n" -lt 56 ]; then SPEC="-p udp -d 0/0 $P -j $V"
    elif [ "$n" -lt 68 ]; then SPEC="-p udp -s $pair -d 0/0 $P -j $V"
    elif [ "$n" -lt 74 ]; then pick 4; SPEC="-i ${ifs[$R]} -p udp -d 0/0 7004 -j DENY"
    elif [ "$n" -lt 79 ]; then SPEC="-s ! $H -p udp -d 0/0 7003 -j DENY"
    elif [ "$n" -lt 83 ]; then pick 9; SPEC="-s $H -m 0x$((1 + R)) -j ACCEPT"
    elif [ "$n" -lt 86 ]; then SPEC="-s $H -l -j DENY"
    elif [ "$n" -lt 91 ]; then SPEC="-s $H -j REJECT"
    elif [ "$chain" = blk ]; then SPEC="-s $H -j RETURN"
    else SPEC="-s $H -p udp -d 0/0 7002 -j $V"
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

# datagram: one datagram line (random_lib.sh) into the host, a quarter of them from the
# senders of the host . port rules.
datagram() {
    host
    port
    pick 4
    [ "$R" -eq 0 ] && { pick "$RANDOM_PAIRS"; H=10.199.3.$((1 + R)); }
    echo "send $H $P"
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
    local step chain len n spec i k policies=(ACCEPT DENY ACCEPT DENY REJECT)
    for step in $(seq 100); do
        pick 2
        case $R in 0) chain=blk ;; *) chain=input ;; esac
        local -n rules=CHAIN_$chain
        len=${#rules[@]}
        pick 100
        n=$R
        # An edit of input may remove the jump; without it blk would count nothing more.
        if ! printf '%s\n' "${CHAIN_input[@]}" | grep -qx -- '-p udp -j blk' && [ "$n" -lt 25 ]; then
            echo "ipchains -I input 1 -p udp -j blk"
            chain_insert input 0 "-p udp -j blk"
        elif [ "$n" -lt 44 ]; then
            rule_spec "$chain"
            echo "ipchains -A $chain $SPEC"
            chain_insert "$chain" "$len" "$SPEC"
        elif [ "$n" -lt 58 ]; then
            pick $((len + 1))
            i=$((1 + R))
            rule_spec "$chain"
            echo "ipchains -I $chain $i $SPEC"
            chain_insert "$chain" $((i - 1)) "$SPEC"
        elif [ "$n" -lt 68 ]; then
            pick $((len + len / 9 + 1))
            i=$((1 + R))
            echo "ipchains -D $chain $i"
            [ "$i" -le "$len" ] && chain_delete "$chain" $((i - 1))
        elif [ "$n" -lt 74 ] && [ "$len" -gt 0 ]; then
            # The first rule equal to a random one of the chain, as -D deletes it.
            pick "$len"
            spec=${rules[$R]}
            echo "ipchains -D $chain $spec"
            for k in "${!rules[@]}"; do
                [ "${rules[$k]}" = "$spec" ] && { chain_delete "$chain" "$k"; break; }
            done
        elif [ "$n" -lt 84 ] && [ "$len" -gt 0 ]; then
            pick "$len"
            i=$((1 + R))
            rule_spec "$chain"
            echo "ipchains -R $chain $i $SPEC"
            rules[$((i - 1))]=$SPEC
        elif [ "$n" -lt 88 ]; then
            host
            port
            echo "ipchains -C input -p udp -s $H 1024 -d 10.199.1.1 $P -i eth0"
        elif [ "$n" -lt 90 ]; then echo "ipchains -Z $chain"
        elif [ "$n" -lt 91 ]; then echo "ipchains -L -Z -v -x -n"
        elif [ "$n" -lt 95 ]; then
            # ACCEPT and DENY: the base chain's own policy; REJECT: a policy rule (another form).
            pick 5
            echo "ipchains -P input ${policies[$R]}"
        elif [ "$n" -lt 96 ] && [ "$chain" = blk ]; then
            echo "ipchains -F blk"
            CHAIN_blk=()
        elif [ "$n" -lt 97 ]; then
            echo "restore"  # ipchains-save | ipchains-restore: the same rules, counters zeroed
        fi
        after_step "$step"
    done
    echo check
}

differential ${RUNS_SEEDS:-1999 2207 4711 31337}
finish
