#!/bin/bash
# Per-packet cost of connection tracking (docs/differences.md 1.1), in ONE run: UDP packets
# per second through a router namespace whose ipchains ruleset is
#   A: policies only (no MASQ, no REDIRECT: nothing in the table makes the kernel track), or
#   B: the same plus one MASQ rule for an unrelated network (conntrack tracks every packet).
# A and B alternate (A B A B ...); each measurement floods for SECONDS from a client, the
# server counts arrivals with an nft counter of its own (stateless). Medians and B/A ratio, for
# one flow (one conntrack entry) and for FLOWS source ports (FLOWS entries).
# Usage: BUILD=<build dir> SRC=<src dir> tests/bench/conntrack_cost.sh [reps] [seconds]
# (IPCHAINS_DIVERT_BACKEND=legacy measures the legacy backend.)
# Root; private namespaces only.
set -eu
BUILD=${BUILD:-$(pwd)}
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
IPCHAINS=${IPCHAINS:-$BUILD/ipchains}
REPS=${1:-5}
SECONDS_PER=${2:-1}
FLOWS=${FLOWS:-256}
SIZE=${SIZE:-64}
P=bench-ct-$$
CLI=$P-cli RTR=$P-rtr SRV=$P-srv
FLOOD=$BUILD/tests/bench/udp_flood
cleanup() { for n in "$CLI" "$RTR" "$SRV"; do ip netns del "$n" 2>/dev/null || true; done; }
trap cleanup EXIT

mkdir -p "$(dirname "$FLOOD")"
if [ ! -x "$FLOOD" ] || [ "$SRC/tests/bench/udp_flood.c" -nt "$FLOOD" ]; then
    cc -O2 -Wall -o "$FLOOD" "$SRC/tests/bench/udp_flood.c"
fi

for n in "$CLI" "$RTR" "$SRV"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip -n "$CLI" link add eth0 type veth peer name lan0 netns "$RTR"
ip -n "$RTR" link add wan0 type veth peer name eth0 netns "$SRV"
ip -n "$CLI" addr add 10.199.1.2/24 dev eth0
ip -n "$RTR" addr add 10.199.1.1/24 dev lan0
ip -n "$RTR" addr add 10.199.2.1/24 dev wan0
ip -n "$SRV" addr add 10.199.2.2/24 dev eth0
for l in "$CLI eth0" "$RTR lan0" "$RTR wan0" "$SRV eth0"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n "$CLI" route add default via 10.199.1.1
ip -n "$SRV" route add default via 10.199.2.1
ip netns exec "$RTR" sysctl -qw net.ipv4.ip_forward=1
# Static neighbours: no ARP in the measurement.
mac() { ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
ip -n "$CLI" neigh replace 10.199.1.1 lladdr "$(mac "$RTR" lan0)" dev eth0 nud permanent
ip -n "$RTR" neigh replace 10.199.2.2 lladdr "$(mac "$SRV" eth0)" dev wan0 nud permanent
ip netns exec "$SRV" nft -f - <<'EOF'
table ip sink {
    counter got { }
    chain pre { type filter hook prerouting priority 0; udp dport 9 counter name got drop; }
}
EOF

rtr() { ip netns exec "$RTR" "$IPCHAINS" "$@"; }
rtr -P input ACCEPT
rtr -P forward ACCEPT
rtr -P output ACCEPT

arrived() { ip netns exec "$SRV" nft list counter ip sink got | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
# softirq CPU time of the whole machine so far, in clock ticks (/proc/stat).
softirq() { awk '$1 == "cpu" { print $8 }' /proc/stat; }
HZ=$(getconf CLK_TCK)
# measure FLOWS: "PPS NS" = packets per second that reached the server, and CPU nanoseconds
# per arrived packet: the sender's own (user + system) plus the machine's softirq time, where
# the router forwards (veth hands packets over in softirq). Throughput depends on how busy
# the machine is; the CPU cost per packet much less.
measure() {
    local before after sirq0 sirq1 out
    before=$(arrived)
    sirq0=$(softirq)
    out=$(ip netns exec "$CLI" "$FLOOD" 10.199.2.2 9 "$SECONDS_PER" "$1" "$SIZE")
    sirq1=$(softirq)
    after=$(arrived)
    awk -v n=$((after - before)) -v s="$SECONDS_PER" -v cpu="${out#* }" \
        -v sirq=$((sirq1 - sirq0)) -v hz="$HZ" \
        'BEGIN { printf "%d %d", n / s, (cpu + sirq * 1e9 / hz) / (n ? n : 1) }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
# Our nat chain, on either backend (iptables-legacy-save reads only tables that exist).
ct_on() {
    ip netns exec "$RTR" nft list ruleset | grep -q 'type nat' ||
        ip netns exec "$RTR" iptables-legacy-save 2>/dev/null | grep -q '^:ipchains-~nat'
}

echo "== UDP through the router: A = policies only, B = A + one MASQ rule elsewhere (${REPS} x ${SECONDS_PER} s each, alternating) =="
for flows in 1 "$FLOWS"; do
    apps=() bpps=() ans=() bns=()
    for ((i = 0; i < REPS; i++)); do
        rtr -F forward
        ct_on && { echo "policies-only ruleset still has a nat chain" >&2; exit 1; }
        read -r pps ns <<<"$(measure "$flows")"; apps+=("$pps"); ans+=("$ns")
        rtr -A forward -s 10.199.9.0/24 -j MASQ
        ct_on || { echo "MASQ rule brought no nat chain" >&2; exit 1; }
        read -r pps ns <<<"$(measure "$flows")"; bpps+=("$pps"); bns+=("$ns")
    done
    rtr -F forward
    pa=$(median "${apps[@]}") pb=$(median "${bpps[@]}") na=$(median "${ans[@]}") nb=$(median "${bns[@]}")
    printf '%-9s A %8d pkt/s %6d ns/pkt   B %8d pkt/s %6d ns/pkt   B/A: throughput %s, CPU per packet %s\n' \
        "$flows flow$([ "$flows" = 1 ] || echo s)" "$pa" "$na" "$pb" "$nb" \
        "$(awk -v a="$pa" -v b="$pb" 'BEGIN { printf "%.2f", b / a }')" \
        "$(awk -v a="$na" -v b="$nb" 'BEGIN { printf "%.2f", b / a }')"
    echo "          runs A ns/pkt: ${ans[*]}; B ns/pkt: ${bns[*]}"
done
