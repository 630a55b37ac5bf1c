#!/bin/bash
# Cost of ipchains-restore on the legacy backend against iptables-legacy-restore loading the
# equivalent ruleset (same addresses, ports and verdicts, each rule with the comment ours
# carries), N rules into a fresh namespace. Compared by CPU time (user+sys, best of 3): wall
# time on a shared machine mostly measures the neighbours. Goal: ratio <= IPTC_COST_RATIO
# (1.5). docs/backends.md "Costs" says where the time goes. A benchmark (make bench), not a
# test: it prints the ratio and flags it when over the goal.
. "$(dirname "$0")/../kernel/lib.sh"

command -v iptables-legacy-restore >/dev/null || skip "iptables-legacy-restore (legacy x_tables)"
N=${IPTC_COST_RULES:-10000}
LIMIT=${IPTC_COST_RATIO:-1.5}

{
    echo ":input ACCEPT"
    echo ":forward ACCEPT"
    echo ":output ACCEPT"
    for ((i = 0; i < N; i++)); do
        echo "-A input -s 10.$((i >> 8 & 255)).$((i & 255)).1/255.255.255.255 -d 0.0.0.0/0.0.0.0 $((1000 + i % 5000)) -p 6 -j ACCEPT"
    done
} >"$T/rules.ipc"
{
    echo "*mangle"
    echo ":PREROUTING ACCEPT [0:0]"
    echo ":IN - [0:0]"
    echo "-A PREROUTING -j IN"
    for ((i = 0; i < N; i++)); do
        a="10.$((i >> 8 & 255)).$((i & 255)).1"
        p=$((1000 + i % 5000))
        echo "-A IN -s $a/32 -p tcp -m tcp --dport $p -m comment --comment \"-A input -s $a/255.255.255.255 -d 0.0.0.0/0.0.0.0 $p -p 6 -j ACCEPT\" -j ACCEPT"
    done
    echo "COMMIT"
} >"$T/rules.ipt"

# cpu_ms NS CMD... <FILE: CPU milliseconds of CMD (children of a fresh shell).
cpu_ms() {
    local ns=$1 file=$2
    shift 2
    # `times` must not run in a pipeline: a subshell has no children of its own.
    ip netns exec "$ns" bash -c '
        "$@" <"$0" >/dev/null 2>&1 || exit 1
        times >"$0.times"
    ' "$file" "$@" || return 1
    tail -1 "$file.times" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/);
                                   printf "%d\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }'
}

best() { sort -n | head -1; }

ns_new A ipt
ns_new B ipc
ipt=$(for i in 1 2 3; do on "$A" iptables-legacy -t mangle -F; on "$A" iptables-legacy -t mangle -X
        cpu_ms "$A" "$T/rules.ipt" iptables-legacy-restore; done | best)
ipc=$(for i in 1 2 3; do IPCHAINS_DIVERT_BACKEND=legacy cpu_ms "$B" "$T/rules.ipc" ipchains-restore -f; done | best)
echo "# $N rules: iptables-legacy-restore ${ipt} ms CPU, ipchains-restore (legacy) ${ipc} ms CPU"

got=$(IPCHAINS_DIVERT_BACKEND=legacy on "$B" ipchains -L input -n | grep -c '^ACCEPT')
if [ "$got" -eq "$N" ]; then pass "all $N rules restored"; else fail "restored $got of $N rules"; fi
# A floor of 10 ms keeps a near-zero reference from deciding the outcome.
[ "$ipt" -lt 10 ] && ipt=10
if awk -v a="$ipc" -v b="$ipt" -v l="$LIMIT" 'BEGIN { exit !(a <= b * l) }'; then
    pass "ipchains-restore within ${LIMIT}x of iptables-legacy-restore ($ipc ms vs $ipt ms)"
else
    fail "ipchains-restore takes $(awk -v a="$ipc" -v b="$ipt" 'BEGIN { printf "%.1f", a / b }')x the CPU of iptables-legacy-restore ($ipc ms vs $ipt ms), limit ${LIMIT}x"
fi
finish
