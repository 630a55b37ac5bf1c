#!/bin/bash
# The 2.2 firewall API against the command, in ONE run, each in a fresh private network
# namespace: 1,000 setsockopt(IP_FW_APPEND) calls from one process (an old program adding its
# rules, run under divert-run) against 1,000 `ipchains -A` processes adding the same rules
# (an rc.firewall script). Alternating repetitions, medians; prints the time per rule and the
# ratio. The firewall API keeps one backend per process (libdivert/fwapi/backend_cache.h), so
# its cost per rule is the rule's kernel transaction, not the probing of a new backend.
# Usage: BUILD=<build dir> tests/bench/fwapi_cost.sh [rules] [repetitions]
set -eu
BUILD=${BUILD:-$(pwd)}
N=${1:-1000}
REPS=${2:-3}
NS=bench-fwapi-$$
SOCKOPT=$BUILD/libdivert/fwapi/tests/fwapi_sockopt
LIB=$BUILD/.libs/$(sed -n "s/^dlname='\(.*\)'$/\1/p" "$BUILD/libdivert.la")
[ -x "$SOCKOPT" ] || { echo "fwapi_cost: build $SOCKOPT first (make check builds it)" >&2; exit 1; }
cleanup() { ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT
fresh_ns() { cleanup; ip netns add "$NS"; }
now_ns() { date +%s%N; }
addr() { echo "10.$(( ($1 >> 8) & 255 )).$(( $1 & 255 )).1"; }

api_args=()
for ((i = 0; i < N; i++)); do
    [ "$i" -eq 0 ] || api_args+=(";")
    api_args+=(append input DENY "src=$(addr "$i")" smsk=255.255.255.255)
done

time_api() {
    local t0 t1 ok
    fresh_ns
    t0=$(now_ns)
    ok=$(ip netns exec "$NS" env DIVERT_RUN_LIBRARY="$LIB" sh "$BUILD/interceptor/divert-run" \
        "$SOCKOPT" "${api_args[@]}" | grep -c '^ok$')
    t1=$(now_ns)
    [ "$ok" -eq "$N" ] || { echo "fwapi_cost: only $ok of $N calls succeeded" >&2; exit 1; }
    echo $((t1 - t0))
}
time_cmd() {
    local t0 t1 i
    fresh_ns
    t0=$(now_ns)
    for ((i = 0; i < N; i++)); do
        ip netns exec "$NS" "$BUILD/ipchains" -A input -s "$(addr "$i")" -j DENY
    done
    t1=$(now_ns)
    echo $((t1 - t0))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

api=() cmd=()
for ((r = 0; r < REPS; r++)); do
    api+=("$(time_api)")
    cmd+=("$(time_cmd)")
done
a=$(printf '%s\n' "${api[@]}" | median)
c=$(printf '%s\n' "${cmd[@]}" | median)
echo "== firewall API: $N x IP_FW_APPEND from one process against $N x ipchains -A =="
per_rule() { awk -v t="$1" -v n="$N" 'BEGIN { printf "%.1f", t / n / 1000 }'; }
printf 'IP_FW_APPEND  %8s us per rule  (runs: %s ms)\n' "$(per_rule "$a")" \
    "$(printf '%s ' "${api[@]}" | awk '{ for (i = 1; i <= NF; i++) printf "%d ", $i / 1e6 }')"
printf 'ipchains -A   %8s us per rule  (runs: %s ms)\n' "$(per_rule "$c")" \
    "$(printf '%s ' "${cmd[@]}" | awk '{ for (i = 1; i <= NF; i++) printf "%d ", $i / 1e6 }')"
awk -v a="$a" -v c="$c" 'BEGIN { printf "ratio ipchains -A / IP_FW_APPEND: %.1f\n", c / a }'
