#!/bin/bash
# Chains under random edits: seeded scripts of about a hundred steps over `input`, `output`
# and up to three user chains that jump to each other and are reached from both built-in
# chains (the nft backend then keeps a copy of a user chain per hook, docs/design.md "Chain
# layout"): -N, -X (busy, unknown and all), -F, -Z, -A/-I/-D/-R with jumps (loops refused
# with ELOOP), RETURN, REJECT, -l and marks, -P of both built-in chains (ACCEPT, DENY,
# REJECT), -C and a save/restore round trip, with datagrams in both directions between the
# edits. Every command's exit status and messages, `ipchains -L -v -x -n --line-numbers` of
# all chains at each checkpoint and the final save must be identical on the nft and on the
# legacy backend (random_lib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/random_lib.sh"

USER_CHAINS=(u1 u2 u3)

# target: into T_ a verdict, RETURN or a user chain.
target() {
    pick 10
    if [ "$R" -lt 3 ]; then T_=DENY
    elif [ "$R" -lt 5 ]; then T_=ACCEPT
    elif [ "$R" -lt 6 ]; then T_=REJECT
    elif [ "$R" -lt 7 ]; then T_=RETURN
    else pick 3; T_=${USER_CHAINS[$R]}
    fi
}

# rule_spec CHAIN: one rule spec for CHAIN into SPEC. `input` and the user chains match on
# the peer's addresses as sources, `output` as destinations (a user chain can be reached from
# either).
rule_spec() {
    local chain=$1 dir=-s n
    pick 2
    [ "$chain" = output ] || { [ "$chain" != input ] && [ "$R" = 0 ]; } && dir=-d
    pick 10
    n=$R
    host
    port
    target
    if [ "$n" -lt 4 ]; then SPEC="$dir $H -j $T_"
    elif [ "$n" -lt 6 ]; then SPEC="-p udp $dir 10.199.2.0/29 $P -j $T_"
    elif [ "$n" -lt 7 ]; then SPEC="-p udp -j $T_"
    elif [ "$n" -lt 8 ]; then SPEC="$dir ! $H -p udp -j $T_"
    elif [ "$n" -lt 9 ]; then pick 9; SPEC="$dir $H -m 0x$((1 + R)) -j $T_"
    else SPEC="-i eth0 $dir $H -l -j $T_"
    fi
}

# some_chain: a chain to edit into C, a built-in one half the time.
some_chain() {
    pick 4
    case $R in
    0) C=input ;;
    1) C=output ;;
    *) pick 3; C=${USER_CHAINS[$R]} ;;
    esac
}

# datagram: one datagram line (random_lib.sh), into the host or out of it.
datagram() {
    host
    port
    pick 2
    case $R in
    0) echo "send $H $P" ;;
    *) echo "reply $H $P" ;;
    esac
}

# rule_number CHAIN: a number from 1 to one past the guessed end of CHAIN into I (script's
# `len`).
rule_number() { pick $((len[$1] + 1)); I=$((1 + R)); }

# script SEED: the steps (random_lib.sh). Rule numbers are drawn up to a guess of the
# chain's length: one past the end or a missing chain gives the same error on both backends.
script() {
    RANDOM=$1
    declare -A len=([input]=0 [output]=0 [u1]=0 [u2]=0 [u3]=0)
    local step chain n k policies=(ACCEPT DENY ACCEPT DENY REJECT)
    echo "ipchains -N u1"
    echo "ipchains -N u2"
    echo "ipchains -A input -p udp -j u1"
    echo "ipchains -A output -p udp -j u1"
    len[input]=1
    len[output]=1
    for step in $(seq 100); do
        some_chain
        chain=$C
        pick 100
        n=$R
        if [ "$n" -lt 40 ]; then
            rule_spec "$chain"
            echo "ipchains -A $chain $SPEC"
            len[$chain]=$((len[$chain] + 1))
        elif [ "$n" -lt 52 ]; then
            rule_number "$chain"
            rule_spec "$chain"
            echo "ipchains -I $chain $I $SPEC"
            len[$chain]=$((len[$chain] + 1))
        elif [ "$n" -lt 60 ]; then
            rule_number "$chain"
            echo "ipchains -D $chain $I"
            [ "$I" -le "${len[$chain]}" ] && len[$chain]=$((len[$chain] - 1))
        elif [ "$n" -lt 64 ]; then
            rule_spec "$chain"
            echo "ipchains -D $chain $SPEC"
        elif [ "$n" -lt 70 ]; then
            rule_number "$chain"
            rule_spec "$chain"
            echo "ipchains -R $chain $I $SPEC"
        elif [ "$n" -lt 74 ]; then
            pick 3
            echo "ipchains -N ${USER_CHAINS[$R]}"
        elif [ "$n" -lt 77 ]; then
            pick 3
            k=${USER_CHAINS[$R]}
            echo "ipchains -F $k"
            echo "ipchains -X $k"
            len[$k]=0
        elif [ "$n" -lt 78 ]; then
            echo "ipchains -X"
        elif [ "$n" -lt 81 ]; then
            echo "ipchains -F $chain"
            len[$chain]=0
        elif [ "$n" -lt 84 ]; then
            echo "ipchains -Z $chain"
        elif [ "$n" -lt 85 ]; then
            echo "ipchains -L -Z -v -x -n"
        elif [ "$n" -lt 91 ]; then
            pick 2
            case $R in 0) k=input ;; *) k=output ;; esac
            pick 5
            echo "ipchains -P $k ${policies[$R]}"
        elif [ "$n" -lt 95 ]; then
            host
            port
            echo "ipchains -C input -p udp -s $H 1024 -d 10.199.1.1 $P -i eth0"
        elif [ "$n" -lt 97 ]; then
            echo "restore"
        fi
        after_step "$step"
    done
    echo check
}

differential ${RUNS_SEEDS:-1999 2207 4711 31337}
finish
