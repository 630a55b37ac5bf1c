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
#
# RANDOM_DIVERT=1 (by hand, not in ctest: random_lib.sh "DIVERT mode" says why) adds DIVERT
# to input and output.
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

BUILTIN_CHAINS=(input output)
POLICIES=(ACCEPT DENY ACCEPT DENY REJECT)
EDITS=(40 append 52 insert 60 delete 64 delete-spec 70 replace 74 new-chain 77 remove-chain
    78 remove-all 81 flush 84 zero 85 zero-list 91 policy 95 check-rule 97 restore)
[ -n "${RANDOM_DIVERT:-}" ] && EDITS+=(100 divert)
DIVERT_CHAINS=(input output)

random_up() {
    pair_up "$@"
    divert_up "$@"
}

check_rule() {
    host
    port
    echo "ipchains -C input -p udp -s $H 1024 -d 10.199.1.1 $P -i eth0"
}

# script SEED: the steps (random_lib.sh).
script() {
    RANDOM=$1
    declare -A len=([input]=0 [output]=0 [u1]=0 [u2]=0 [u3]=0) diverted=()
    echo "ipchains -N u1"
    echo "ipchains -N u2"
    echo "ipchains -A input -p udp -j u1"
    echo "ipchains -A output -p udp -j u1"
    len[input]=1
    len[output]=1
    edits 100
}

differential ${RUNS_SEEDS:-1999 2207 4711 31337}
finish
