#!/bin/bash
# Benchmarks for the ipchains command family against plain nft, in ONE run, in a private
# network namespace each. Prints ratios; the targets (issue 2) are:
#   ipchains -A, one process per rule  <= 1.25 x  nft add rule    (rules 1-100 and 2901-3000)
#   ipchains-restore of 10,000 rules    <= 1.50 x  nft -f          (equivalent ruleset)
# Usage: BUILD=<build dir> tests/bench/ipchains_vs_nft.sh [rules-before-window]
set -eu
BUILD=${BUILD:-$(pwd)}
IPCHAINS=${IPCHAINS:-$BUILD/ipchains}
RESTORE=${IPCHAINS_RESTORE:-$BUILD/ipchains-restore}
WINDOW_START=${1:-2900}
NS=bench-ipc-$$
cleanup() { ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT

now_ns() { date +%s%N; }
in_ns() { ip netns exec "$NS" "$@"; }
fresh_ns() { cleanup; ip netns add "$NS"; }

# Rule i, the same filter in both syntaxes: source host, TCP destination port, accept.
addr() { echo "10.$(( ($1 >> 16) & 255 )).$(( ($1 >> 8) & 255 )).$(( $1 & 255 ))"; }
ipc_rule() { echo "-A input -s $(addr "$1") -p tcp -d 0.0.0.0/0 $(( 1000 + $1 % 50000 )) -j ACCEPT"; }
nft_rule() { echo "add rule ip bench input ip saddr $(addr "$1") tcp dport $(( 1000 + $1 % 50000 )) counter accept"; }

nft_setup() { in_ns nft "add table ip bench; add chain ip bench input { type filter hook prerouting priority -150; }"; }

# Time N single-rule processes starting at rule $2; prints nanoseconds.
time_ipchains_window() {
    local from=$1 n=$2 t0 t1 i
    t0=$(now_ns)
    for ((i = from; i < from + n; i++)); do in_ns "$IPCHAINS" $(ipc_rule "$i"); done
    t1=$(now_ns); echo $((t1 - t0))
}
time_nft_window() {
    local from=$1 n=$2 t0 t1 i
    t0=$(now_ns)
    for ((i = from; i < from + n; i++)); do in_ns nft "$(nft_rule "$i")"; done
    t1=$(now_ns); echo $((t1 - t0))
}
# Fill rules [0, n) quickly, outside the timed window.
fill_ipchains() {
    local n=$1 f; f=$(mktemp)
    { echo ":input ACCEPT"; for ((i = 0; i < n; i++)); do ipc_rule "$i"; done; } >"$f"
    in_ns "$RESTORE" <"$f" >/dev/null; rm -f "$f"
}
fill_nft() {
    local n=$1 f; f=$(mktemp)
    for ((i = 0; i < n; i++)); do nft_rule "$i"; done >"$f"
    in_ns nft -f "$f"; rm -f "$f"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

report() {  # name ours theirs target
    local r; r=$(ratio "$2" "$3")
    local verdict; verdict=$(awk -v r="$r" -v t="$4" 'BEGIN { print (r <= t) ? "ok" : "OVER TARGET" }')
    printf '%-44s ipchains %8.1f ms   nft %8.1f ms   ratio %sx (target <= %sx) %s\n' \
        "$1" "$(awk -v x="$2" 'BEGIN{print x/1e6}')" "$(awk -v x="$3" 'BEGIN{print x/1e6}')" "$r" "$4" "$verdict"
}

echo "== ipchains -A vs nft add rule, one process per rule =="
fresh_ns; ours=$(time_ipchains_window 0 100)
fresh_ns; nft_setup; theirs=$(time_nft_window 0 100)
report "rules 1-100" "$ours" "$theirs" 1.25

fresh_ns; fill_ipchains "$WINDOW_START"; ours=$(time_ipchains_window "$WINDOW_START" 100)
fresh_ns; nft_setup; fill_nft "$WINDOW_START"; theirs=$(time_nft_window "$WINDOW_START" 100)
report "rules $((WINDOW_START + 1))-$((WINDOW_START + 100))" "$ours" "$theirs" 1.25

echo "== ipchains-restore vs nft -f, 10,000 rules =="
f_ipc=$(mktemp); f_nft=$(mktemp)
{ echo ":input ACCEPT"; for ((i = 0; i < 10000; i++)); do ipc_rule "$i"; done; } >"$f_ipc"
{ echo "add table ip bench"; echo "add chain ip bench input { type filter hook prerouting priority -150; }"
  for ((i = 0; i < 10000; i++)); do nft_rule "$i"; done; } >"$f_nft"
fresh_ns; t0=$(now_ns); in_ns "$RESTORE" <"$f_ipc" >/dev/null; t1=$(now_ns); ours=$((t1 - t0))
fresh_ns; t0=$(now_ns); in_ns nft -f "$f_nft"; t1=$(now_ns); theirs=$((t1 - t0))
rm -f "$f_ipc" "$f_nft"
report "restore 10,000 rules" "$ours" "$theirs" 1.50
