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
RTR=$P-rtr
. "$SRC/tests/bench/udp_path.sh"
trap 'path_down "$P"' EXIT

udp_flood_build
path_up "$P"

rtr() { ip netns exec "$RTR" "$IPCHAINS" "$@"; }
rtr -P input ACCEPT
rtr -P forward ACCEPT
rtr -P output ACCEPT

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
        read -r pps ns <<<"$(path_measure "$P" "$flows" "$SECONDS_PER" "$SIZE")"; apps+=("$pps"); ans+=("$ns")
        rtr -A forward -s 10.199.9.0/24 -j MASQ
        ct_on || { echo "MASQ rule brought no nat chain" >&2; exit 1; }
        read -r pps ns <<<"$(path_measure "$P" "$flows" "$SECONDS_PER" "$SIZE")"; bpps+=("$pps"); bns+=("$ns")
    done
    rtr -F forward
    pa=$(median "${apps[@]}") pb=$(median "${bpps[@]}") na=$(median "${ans[@]}") nb=$(median "${bns[@]}")
    printf '%-9s A %8d pkt/s %6d ns/pkt   B %8d pkt/s %6d ns/pkt   B/A: throughput %s, CPU per packet %s\n' \
        "$flows flow$([ "$flows" = 1 ] || echo s)" "$pa" "$na" "$pb" "$nb" \
        "$(ratio "$pb" "$pa")" "$(ratio "$nb" "$na")"
    echo "          runs A ns/pkt: ${ans[*]}; B ns/pkt: ${bns[*]}"
done
