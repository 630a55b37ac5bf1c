# Shared by the randomized differential suites (nft_runs_random.sh, differential_chains.sh,
# differential_forward.sh), which source it alone: it brings lib.sh, or in DIVERT mode (below)
# divert_lib.sh, which includes it. A suite draws one script per seed (its own
# `script SEED`), and this replays it on the nft and on the legacy backend, each in fresh
# namespaces, and compares the transcripts byte for byte.
#
# Default topology: HOST eth0 10.199.1.1 <-> PEER eth0 10.199.1.2, the peer also holding
# 10.199.2.1-$RANDOM_HOSTS and 10.199.3.1-$RANDOM_PAIRS; both run UDP sinks on 7001-7004
# (no answers and no port unreachables: their timing differs from run to run).
#
# Script steps, one per line:
#   ipchains ARGS        in IPC_NS (the host); its stdout, stderr and exit status go to
#                        the transcript
#   restore              ipchains-save | ipchains-restore in IPC_NS
#   check                `ipchains -L -v -x -n --line-numbers` for each chain of
#                        RANDOM_CHECK_CHAINS (empty: all chains at once), then `extra_check`
# and the traffic lines of the topology, by default:
#   send SOURCE PORT     one datagram from the peer's SOURCE to the host (crosses input)
#   reply DEST PORT      one datagram from the host to the peer's DEST (crosses output)
#
# RUNS_SEEDS="a b ..." replays other seeds (a failure names its seed); SHOW=1 prints the
# scripts and the nft transcripts.

if [ -n "${RANDOM_DIVERT:-}" ]; then
    . "$(dirname "${BASH_SOURCE[0]}")/divert_lib.sh"
    require_queue
else
    . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fi

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

# Edits of chains, as differential_chains.sh and differential_forward.sh draw them. The suite
# defines USER_CHAINS, BUILTIN_CHAINS, POLICIES, `rule_spec CHAIN` (a rule spec into SPEC),
# `check_rule` (one `-C` line) and EDITS: pairs of a cumulative weight out of 100 and an edit
# kind of `edit` below, or a kind K of its own that its function `K_edit CHAIN` writes (past
# the last weight: no edit). Rule numbers are drawn up to a guess of
# the chain's length, the caller's `len` (one past the end, or a missing chain, gives the same
# error on both backends).

# edit_kind: one kind drawn from EDITS into KIND ("" for none).
edit_kind() {
    local i
    pick 100
    KIND=
    for ((i = 0; i < ${#EDITS[@]}; i += 2)); do
        [ "$R" -lt "${EDITS[i]}" ] && { KIND=${EDITS[i + 1]}; return 0; }
    done
    return 0
}

# edits STEPS: STEPS edits of a chain the suite's `some_chain` draws (into C), each followed
# by its datagrams, then a last check.
edits() {
    local step
    for step in $(seq "$1"); do
        some_chain
        edit_kind
        edit "$KIND" "$C"
        after_step "$step"
    done
    echo check
}

# rule_number CHAIN: a number from 1 to one past the guessed end of CHAIN into I.
rule_number() { pick $((len[$1] + 1)); I=$((1 + R)); }

# edit KIND CHAIN: the script lines of one edit of CHAIN (or of the chains, for -N, -X, -P).
edit() {
    local kind=$1 chain=$2 k
    case $kind in
    append)
        rule_spec "$chain"
        echo "ipchains -A $chain $SPEC"
        len[$chain]=$((len[$chain] + 1))
        ;;
    insert)
        rule_number "$chain"
        rule_spec "$chain"
        echo "ipchains -I $chain $I $SPEC"
        len[$chain]=$((len[$chain] + 1))
        ;;
    delete)
        rule_number "$chain"
        echo "ipchains -D $chain $I"
        [ "$I" -le "${len[$chain]}" ] && len[$chain]=$((len[$chain] - 1))
        ;;
    delete-spec)
        rule_spec "$chain"
        echo "ipchains -D $chain $SPEC"
        ;;
    replace)
        rule_number "$chain"
        rule_spec "$chain"
        echo "ipchains -R $chain $I $SPEC"
        ;;
    new-chain)
        pick ${#USER_CHAINS[@]}
        echo "ipchains -N ${USER_CHAINS[$R]}"
        ;;
    remove-chain)
        pick ${#USER_CHAINS[@]}
        k=${USER_CHAINS[$R]}
        echo "ipchains -F $k"
        echo "ipchains -X $k"
        len[$k]=0
        ;;
    remove-all) echo "ipchains -X" ;;
    flush)
        echo "ipchains -F $chain"
        len[$chain]=0
        ;;
    zero) echo "ipchains -Z $chain" ;;
    zero-list) echo "ipchains -L -Z -v -x -n" ;;
    policy)
        pick ${#BUILTIN_CHAINS[@]}
        k=${BUILTIN_CHAINS[$R]}
        pick ${#POLICIES[@]}
        echo "ipchains -P $k ${POLICIES[$R]}"
        ;;
    check-rule) check_rule ;;
    restore) echo restore ;;
    "") ;;
    *) "${kind}_edit" "$chain" ;;  # a kind of the suite's own
    esac
    return 0
}

# A suite's topology, replaceable by defining these after sourcing this file:
#   random_up BACKEND SEED  creates the namespaces, starts the sinks, sets IPC_NS (where
#                           ipchains runs) and RANDOM_NS (what random_down removes)
#   traffic WORD ARGS...    carries out one traffic line, and adds to RECEIVED the datagrams
#                           IPC_NS receives of it
#   extra_check             anything a check prints after the listing (default: nothing)
#   extra_settle            waits, after `settle`, for what else must be done before a
#                           command (default: `divert_settle`, below)
# The defaults are the host/peer pair above, with the `send` and `reply` lines.
random_up() { pair_up "$@"; }

pair_up() {
    local a host peer
    ns_new host "h$1$2"
    ns_new peer "p$1$2"
    veth "$host" eth0 10.199.1.1 "$peer" eth0 10.199.1.2
    ip -n "$host" route add 10.199.0.0/16 dev eth0
    for a in $(seq "$RANDOM_HOSTS"); do ip -n "$peer" addr add "10.199.2.$a/32" dev eth0; done
    for a in $(seq "$RANDOM_PAIRS"); do ip -n "$peer" addr add "10.199.3.$a/32" dev eth0; done
    for a in 7001 7002 7003 7004; do
        udp_server "$host" $a "cat >/dev/null"
        udp_server "$peer" $a "cat >/dev/null"
    done
    IPC_NS=$host
    PEER_NS=$peer
    RANDOM_NS=("$host" "$peer")
}

traffic() {
    case $1 in
    send) send_datagram "$PEER_NS" "$2" 10.199.1.1 "$3"; RECEIVED=$((RECEIVED + 1)) ;;
    # A denied datagram fails in sendto (EPERM): that is in the counters, not here.
    reply) send_datagram "$IPC_NS" 10.199.1.1 "$2" "$3" 2>/dev/null ;;
    esac
}

# send_datagram NS SOURCE DEST PORT: one small UDP datagram from NS, from its address SOURCE
# ("": the one its route gives).
send_datagram() { on "$1" socat -u - "UDP4-SENDTO:$3:$4${2:+,bind=$2}" <<<"probe"; }

extra_check() { :; }
extra_settle() { divert_settle; }

random_down() {
    local ns
    for ns in "${RANDOM_NS[@]}"; do ns_drop "$ns"; done
}

# DIVERT mode (RANDOM_DIVERT=1, with divert_lib.sh sourced at the top of this file): a
# divert program (tests/kernel/divert/echo) in IPC_NS, bound to DIVERT_PORT, writes every
# packet back, and the edit kind `divert` inserts `-p udp -j DIVERT $DIVERT_PORT` at a random
# place of one of the suite's DIVERT_CHAINS, at most once per chain and script (the script's
# `diverted`), so no packet meets two DIVERT rules on one hook (docs/backends.md "Where legacy
# differs from nft": the legacy backend resumes a packet once per hook). The program goes on
# after a failed write, as the HOWTO example does: on a busy machine it can write a packet back
# after the packet's lifetime, and that write, an injection, fails with EPERM when a rule after
# the DIVERT rule denies the packet (divert(7)); the counters are the same either way.
# By hand only, not in ctest: of about 190 replay pairs so far one differed, seed 11 of
# differential_chains.sh run beside a full build, where the legacy replay's input policy
# counted one 62-byte packet more that no `-p udp` rule had matched. It has not come back in
# any rerun of that seed, and its cause is not known. Until resume site ids were kept
# (docs/design.md "Resume site ids"), a packet held across an edit could resume after the
# wrong rule, one possible cause; the 33 pairs replayed since (differential_chains.sh seeds
# 11-13 and 46-65, differential_forward.sh 44-53) were identical. If a replay differs, the ICMP
# counters printed with the difference (icmp_counts) show whether such a packet was an ICMP
# message.
DIVERT_PORT=7100

# divert_up BACKEND SEED: the divert program, in DIVERT mode (random_up calls it).
divert_up() {
    [ -n "${RANDOM_DIVERT:-}" ] || return 0
    dv_start "$IPC_NS" "divert$1$2" echo "$DIVERT_PORT" 1000000000 keep
}

# divert_settle: in DIVERT mode, until the divert queue is empty in two reads 50 ms apart (at
# most 10 s), so every diverted packet has been written back and counted on.
divert_settle() {
    local i
    [ -n "${RANDOM_DIVERT:-}" ] || return 0
    for i in $(seq 200); do
        [ "$(queued "$IPC_NS" "$DIVERT_PORT")" = 0 ] && sleep 0.05 &&
            [ "$(queued "$IPC_NS" "$DIVERT_PORT")" = 0 ] && return 0
        sleep 0.05
    done
    echo "(queue $DIVERT_PORT still holds $(queued "$IPC_NS" "$DIVERT_PORT") packets)"
}

# divert_edit: the one DIVERT rule of a chain of DIVERT_CHAINS, unless that chain has had one
# in this script.
divert_edit() {
    local k
    pick ${#DIVERT_CHAINS[@]}
    k=${DIVERT_CHAINS[$R]}
    [ -n "${diverted[$k]:-}" ] && return 0
    diverted[$k]=1
    rule_number "$k"
    echo "ipchains -I $k $I -p udp -j DIVERT $DIVERT_PORT"
    len[$k]=$((len[$k] + 1))
}

# replay BACKEND SEED: the transcript of $T/script.SEED goes to $T/BACKEND.SEED, the final
# ipchains-save to $T/BACKEND.SEED.save.
replay() {
    local be=$1 seed=$2 line chain
    export IPCHAINS_DIVERT_BACKEND=$be
    random_up "$be" "$seed"
    # IPC_NS handles a datagram in a softirq that a busy machine can put off past socat's
    # return, and so past the next command, which may change the rules that count it: before
    # each command and check, wait until IPC_NS has received all of them (its input chain
    # runs in the same softirq, right after).
    RECEIVED=$(in_receives "$IPC_NS")
    while read -r line; do
        case $line in
        ipchains\ * | restore | check)
            settle "$IPC_NS" "$RECEIVED"
            extra_settle
            ;;
        esac
        case $line in
        ipchains\ *)
            echo "\$ $line"
            # shellcheck disable=SC2086
            on "$IPC_NS" $line 2>&1
            echo "-> $?"
            ;;
        restore)
            echo "\$ ipchains-save | ipchains-restore"
            on "$IPC_NS" ipchains-save 2>/dev/null | on "$IPC_NS" ipchains-restore 2>&1
            echo "-> $?"
            ;;
        check)
            echo "== check"
            if [ -z "$RANDOM_CHECK_CHAINS" ]; then
                on "$IPC_NS" ipchains -L -v -x -n --line-numbers 2>&1
            else
                for chain in $RANDOM_CHECK_CHAINS; do
                    on "$IPC_NS" ipchains -L "$chain" -v -x -n --line-numbers 2>&1
                done
            fi
            extra_check
            ;;
        *)
            # shellcheck disable=SC2086
            traffic $line
            ;;
        esac
    done <"$T/script.$seed" >"$T/$be.$seed"
    on "$IPC_NS" ipchains-save >"$T/$be.$seed.save" 2>&1
    icmp_counts "$IPC_NS" >"$T/$be.$seed.icmp"
    random_down
}

# icmp_counts NS: the nonzero ICMP counters of NS (/proc/net/snmp), NAME=VALUE on one line
# ("none" without any), printed when the replays differ: an ICMP message that only one replay
# sent or received is a packet outside the script's traffic, which the transcripts alone do
# not show.
icmp_counts() {
    on "$1" awk '$1 == "Icmp:" {
                     if (!h) { split($0, name); h = 1; next }
                     for (i = 2; i <= NF; i++)
                         if ($i != 0) { out = out sep name[i] "=" $i; sep = " " }
                 }
                 END { print (out == "" ? "none" : out) }' /proc/net/snmp
}

# in_receives NS: the IP datagrams NS has received so far (Ip InReceives, /proc/net/snmp).
in_receives() {
    on "$1" awk '$1 == "Ip:" && $2 ~ /^[0-9]+$/ { print $4 }' /proc/net/snmp
}

# settle NS COUNT: until NS has received COUNT datagrams (at most 10 s; a datagram lost on
# the way then shows up as a difference in the counters).
settle() {
    local i n
    for i in $(seq 200); do
        # Empty when `ip netns exec` failed (seen once, under load): the next try reads it.
        n=$(in_receives "$1")
        [ "${n:-0}" -ge "$2" ] && return 0
        sleep 0.05
    done
    echo "($1 received $(in_receives "$1") datagrams, $2 were sent)"
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
            "$T/legacy.$seed" "$T/nft.$seed" ||
            echo "    ICMP counters where ipchains ran: legacy $(cat "$T/legacy.$seed.icmp");" \
                "nft $(cat "$T/nft.$seed.icmp")"
        same_text "seed $seed: same ipchains-save on both backends" \
            "$T/legacy.$seed.save" "$T/nft.$seed.save"
        grep -Eq '^ *[0-9]+ +[1-9][0-9]* +[0-9]+ [A-Za-z]' "$T/nft.$seed" &&
            pass "seed $seed: rules counted packets" ||
            fail "seed $seed: no rule ever counted a packet"
        [ -n "${SHOW:-}" ] && cat "$T/script.$seed" "$T/nft.$seed"
        [ -n "${RANDOM_KEEP:-}" ] && mkdir -p "$RANDOM_KEEP" &&
            cp "$T/script.$seed" "$T/nft.$seed" "$T/legacy.$seed" "$T"/*."$seed".icmp \
                "$RANDOM_KEEP/" &&
            cp "$T/divertnft$seed.out" "$T/divertlegacy$seed.out" "$RANDOM_KEEP/" 2>/dev/null
    done
}
