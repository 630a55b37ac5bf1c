# Shared by the randomized differential suites (nft_runs_random.sh, differential_chains.sh),
# sourced after lib.sh. A suite draws one script per seed (its own `script SEED`), and this
# replays it on the nft and on the legacy backend, each in a fresh host and peer, and compares
# the transcripts byte for byte.
#
# Topology: HOST eth0 10.199.1.1 <-> PEER eth0 10.199.1.2, the peer also holding
# 10.199.2.1-$RANDOM_HOSTS and 10.199.3.1-$RANDOM_PAIRS; both run UDP sinks on 7001-7004
# (no answers and no port unreachables: their timing differs from run to run).
#
# Script steps, one per line:
#   ipchains ARGS        on the host; its stdout, stderr and exit status go to the transcript
#   restore              ipchains-save | ipchains-restore on the host
#   send SOURCE PORT     one datagram from the peer's SOURCE to the host (crosses input)
#   reply DEST PORT      one datagram from the host to the peer's DEST (crosses output)
#   check                `ipchains -L $RANDOM_LISTING -v -x -n --line-numbers` for each chain
#                        of RANDOM_CHECK_CHAINS (empty: all chains at once)
#
# RUNS_SEEDS="a b ..." replays other seeds (a failure names its seed); SHOW=1 prints the
# scripts and the nft transcripts.

command -v iptables-legacy >/dev/null || skip "iptables-legacy (the tool; legacy x_tables)"

RANDOM_HOSTS=${RANDOM_HOSTS:-12}
RANDOM_PAIRS=${RANDOM_PAIRS:-4}
RANDOM_CHECK_CHAINS=${RANDOM_CHECK_CHAINS:-}

# The generators' draws go into variables, never through $(...): bash reseeds RANDOM in every
# subshell, and a seed must give the same script every time.
# pick N: a number from 0 to N-1 into R. host: one of the peer's 10.199.2.x into H.
# port: one of the sinks' ports into P.
pick() { R=$((RANDOM % $1)); }
host() { pick "$RANDOM_HOSTS"; H=10.199.2.$((1 + R)); }
port() { pick 4; P=$((7001 + R)); }

# after_step STEP: 0 to 3 datagrams, each the line of the suite's own `datagram`, then a check
# every tenth step.
after_step() {
    local k sends
    pick 4
    sends=$R
    for ((k = 0; k < sends; k++)); do datagram; done
    [ $(($1 % 10)) -eq 0 ] && echo check
    return 0
}

# replay BACKEND SEED: the transcript of $T/script.SEED goes to $T/BACKEND.SEED, the final
# ipchains-save to $T/BACKEND.SEED.save.
replay() {
    local be=$1 seed=$2 host peer a line chain
    export IPCHAINS_DIVERT_BACKEND=$be
    ns_new host "h$be$seed"
    ns_new peer "p$be$seed"
    veth "$host" eth0 10.199.1.1 "$peer" eth0 10.199.1.2
    ip -n "$host" route add 10.199.0.0/16 dev eth0
    for a in $(seq "$RANDOM_HOSTS"); do ip -n "$peer" addr add "10.199.2.$a/32" dev eth0; done
    for a in $(seq "$RANDOM_PAIRS"); do ip -n "$peer" addr add "10.199.3.$a/32" dev eth0; done
    for a in 7001 7002 7003 7004; do
        udp_server "$host" $a "cat >/dev/null"
        udp_server "$peer" $a "cat >/dev/null"
    done
    # The host handles a datagram from the peer in a softirq that a busy machine can put off
    # past socat's return, and so past the next command, which may change the rules that
    # count it: before each command, wait until the host has received all of them (its input
    # chain runs in the same softirq, right after).
    local received
    received=$(in_receives "$host")
    while read -r line; do
        case $line in
        send\ *) ;;
        *) settle "$host" "$received" ;;
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
            received=$((received + 1))
            ;;
        reply\ *)
            # A denied datagram fails in sendto (EPERM): that is in the counters, not here.
            set -- $line
            on "$host" socat -u - "UDP4-SENDTO:$2:$3,bind=10.199.1.1" <<<"probe" 2>/dev/null
            ;;
        check)
            echo "== check"
            if [ -z "$RANDOM_CHECK_CHAINS" ]; then
                on "$host" ipchains -L -v -x -n --line-numbers 2>&1
            else
                for chain in $RANDOM_CHECK_CHAINS; do
                    on "$host" ipchains -L "$chain" -v -x -n --line-numbers 2>&1
                done
            fi
            ;;
        esac
    done <"$T/script.$seed" >"$T/$be.$seed"
    on "$host" ipchains-save >"$T/$be.$seed.save" 2>&1
    ns_drop "$host"
    ns_drop "$peer"
}

# in_receives NS: the IP datagrams NS has received so far (Ip InReceives, /proc/net/snmp).
in_receives() {
    on "$1" awk '$1 == "Ip:" && $2 ~ /^[0-9]+$/ { print $4 }' /proc/net/snmp
}

# settle NS COUNT: until NS has received COUNT datagrams (at most 10 s; a datagram lost on
# the way then shows up as a difference in the counters).
settle() {
    local i
    for i in $(seq 200); do
        [ "$(in_receives "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
    echo "(the host received $(in_receives "$1") datagrams, $2 were sent)"
}

# ns_drop NS: removes one namespace (and its servers) before the next replay.
ns_drop() {
    local pid
    for pid in $(ip netns pids "$1" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    ip netns del "$1"
}

# differential SEED...: for each seed, the script, both replays and the comparisons; a rule
# that counted a packet shows the comparison is not vacuous.
differential() {
    local seed
    for seed in "$@"; do
        script "$seed" >"$T/script.$seed"
        replay nft "$seed"
        replay legacy "$seed"
        same_text "seed $seed: same exit codes, messages, listings and counters on both backends" \
            "$T/legacy.$seed" "$T/nft.$seed"
        same_text "seed $seed: same ipchains-save on both backends" \
            "$T/legacy.$seed.save" "$T/nft.$seed.save"
        grep -Eq '^ *[0-9]+ +[1-9][0-9]* +[0-9]+ [A-Za-z]' "$T/nft.$seed" &&
            pass "seed $seed: rules counted packets" ||
            fail "seed $seed: no rule ever counted a packet"
        [ -n "${SHOW:-}" ] && cat "$T/script.$seed" "$T/nft.$seed"
        [ -n "${RANDOM_KEEP:-}" ] && mkdir -p "$RANDOM_KEEP" &&
            cp "$T/script.$seed" "$T/nft.$seed" "$T/legacy.$seed" "$RANDOM_KEEP/"
    done
}
