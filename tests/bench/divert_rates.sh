#!/bin/bash
# libdivert benchmark (issue 3), in ONE run: UDP packet rates from a sender namespace to a
# receiver namespace over a veth pair, 64- and 1400-byte payloads, with
#   (a) no queue at all (baseline),
#   (b) the reference: a minimal libnetfilter_queue loop, one NF_ACCEPT verdict per packet,
#   (c) the classic 2.2 divert loop (recvfrom + sendto) linked against libdivert,
#   (d) the same loop through divert.h's batch API,
# then the memory of a divert socket and the heap calls per packet of (c) and (d).
# Targets: (c)/(b) >= 1.3 (at least 0.90), (d)/(b) >= 1.5, RSS per socket < 2 MiB,
# 0 allocations per packet. Method and results: tests/bench/README.md.
#
# The DIVERT rule sits on the sender's output path (`ipchains -A output -p udp -j DIVERT
# 5000`, in the sender's namespace); (b), (c) and (d) all listen on that same rule, so they
# differ only in the user-space loop.
#
# Usage: BUILD=<build dir> tests/bench/divert_rates.sh     (root; private namespaces only)
# Environment: DIVERT_BENCH_COUNT (packets timed per run, default 100000),
# DIVERT_BENCH_WARMUP (packets before the clock starts, default 10000), DIVERT_BENCH_REPS
# (default 3), DIVERT_BENCH_NICE (see below, default -10), DIVERT_BENCH_PROFILE=1 (also
# system calls and user-space instructions per packet of the loops: where the time goes;
# needs perf and valgrind, adds about a minute).
set -eu
BUILD=${BUILD:-$(pwd)}
BUILD=$(cd "$BUILD" && pwd)
BIN=$BUILD/tests/bench
IPCHAINS=${IPCHAINS:-$BUILD/ipchains}
PRELOAD=$BIN/.libs/divert_malloc_count.so
COUNT=${DIVERT_BENCH_COUNT:-100000}
WARMUP=${DIVERT_BENCH_WARMUP:-10000}
REPS=${DIVERT_BENCH_REPS:-3}
SIZES="64 1400"
MODES="a b c d"
QUEUE=5000
UDP_PORT=9000
TX_ADDR=10.251.0.1
RX_ADDR=10.251.0.2
# Upper bounds only, so a broken run cannot hang the bench; a run takes a few seconds.
SEND_LIMIT=60
RECV_TIMEOUT=5

die() { echo "divert_rates: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (it creates private network namespaces)"
for p in divert_send divert_recv divert_nfq divert_classic divert_batch divert_mem; do
    [ -x "$BIN/$p" ] || die "missing $BIN/$p (make bench builds it)"
done
[ -x "$IPCHAINS" ] || die "missing $IPCHAINS"

# A session of its own with autogroup nice DIVERT_BENCH_NICE (default -10; empty keeps the
# caller's session): tests/bench/own_session.sh.
BENCH_NICE=${DIVERT_BENCH_NICE--10}
. "$(dirname "$0")/own_session.sh"

TX=benchdivert-tx-$$
RX=benchdivert-rx-$$
T=$(mktemp -d /tmp/benchdivert.XXXXXX)
PIDS=()

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "$TX" 2>/dev/null || true
    ip netns del "$RX" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT

ip netns add "$TX"
ip netns add "$RX"
ip -n "$TX" link add bdv-tx type veth peer name bdv-rx netns "$RX"
ip -n "$TX" addr add "$TX_ADDR/24" dev bdv-tx
ip -n "$RX" addr add "$RX_ADDR/24" dev bdv-rx
for ns in "$TX" "$RX"; do ip -n "$ns" link set lo up; done
ip -n "$TX" link set bdv-tx up
ip -n "$RX" link set bdv-rx up
# One round trip makes the neighbour entry, so no run starts by waiting for ARP.
ip netns exec "$TX" ping -c 1 -W 2 "$RX_ADDR" >/dev/null || die "no connectivity over the veth pair"

# start NAME NS PROG ARGS...: background process, output in $T/NAME.out; waits for "ready"
# when the program prints one (all but the sender do).
start() {
    local name=$1 ns=$2
    shift 2
    ip netns exec "$ns" "$@" >"$T/$name.out" 2>&1 &
    PIDS+=($!)
    eval "PID_$name=$!"
    [ "$name" = send ] && return 0
    for _ in $(seq 200); do
        grep -q '^ready' "$T/$name.out" 2>/dev/null && return 0
        kill -0 "$!" 2>/dev/null || break
        sleep 0.02
    done
    cat "$T/$name.out" >&2
    die "$name did not come up"
}

stop() {  # NAME: SIGTERM and wait (the loops print their totals on the way out)
    local pid kids
    eval "pid=\${PID_$1:-}"
    [ -n "$pid" ] || return 0
    # A loop under perf or strace gets the signal itself: strace ignores SIGTERM while it
    # runs a command, and perf killed first would not write its counts.
    kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
    # shellcheck disable=SC2086
    kill ${kids:-$pid} 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    eval "PID_$1="
}

rule_on() { ip netns exec "$TX" "$IPCHAINS" -A output -p udp -j DIVERT "$QUEUE"; }
rule_off() { ip netns exec "$TX" "$IPCHAINS" -F output; }

queue_prog() {  # MODE -> the queue listener's command line
    case $1 in
    b) echo "$BIN/divert_nfq $QUEUE" ;;
    c) echo "$BIN/divert_classic $QUEUE" ;;
    d) echo "$BIN/divert_batch $QUEUE" ;;
    esac
}

# run_case MODE SIZE: received packets per second in PPS (no subshell: die must reach the
# cleanup of this shell).
run_case() {
    local mode=$1 size=$2 pps seen
    if [ "$mode" != a ]; then
        # shellcheck disable=SC2046
        start queue "$TX" $(queue_prog "$mode")
    fi
    start recv "$RX" "$BIN/divert_recv" "$RX_ADDR" "$UDP_PORT" "$WARMUP" "$COUNT" "$RECV_TIMEOUT"
    start send "$TX" "$BIN/divert_send" "$RX_ADDR" "$UDP_PORT" "$size" "$SEND_LIMIT"
    wait "$PID_recv" || { cat "$T/recv.out" "$T/queue.out" >&2 2>/dev/null; die "($mode) ${size} B: receiver failed"; }
    PID_recv=
    stop send
    stop queue
    pps=$(awk '$1 == "pps" { print $2 }' "$T/recv.out")
    [ -n "$pps" ] || die "($mode) ${size} B: no rate in $(cat "$T/recv.out")"
    CPU_SEND=$(per_packet "$T/send.out" sent)
    CPU_RECV=$(awk '$1 == "pps" { printf "%.2f", $10 / $8 }' "$T/recv.out")
    CPU_QUEUE=-
    RSS_QUEUE=-
    if [ "$mode" != a ]; then
        # Every counted packet must have crossed the queue loop, or this was a baseline run.
        seen=$(awk '$1 == "packets" { print $2 }' "$T/queue.out")
        [ "${seen:-0}" -ge $((WARMUP + COUNT)) ] ||
            die "($mode) ${size} B: the queue loop saw ${seen:-no} packets: $(cat "$T/queue.out")"
        CPU_QUEUE=$(per_packet "$T/queue.out" packets)
        RSS_QUEUE=$(awk '$1 == "packets" && $5 == "maxrss_kib" { print $6 }' "$T/queue.out")
    fi
    PPS=$pps
}

# per_packet FILE KEY: microseconds of CPU per packet from a "KEY <n> cpu_us <t>" line.
per_packet() { awk -v k="$2" '$1 == k && $2 > 0 { printf "%.2f", $4 / $2 }' "$1"; }

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() {  # RATIO TARGET [MINIMUM]
    awk -v r="$1" -v t="$2" -v m="${3:-}" 'BEGIN {
        if (r >= t) print "ok"
        else if (m != "" && r >= m) print "below target, above minimum " m
        else print "BELOW TARGET" }'
}

echo "== libdivert: UDP packet rates, sender ns -> receiver ns over veth, DIVERT on the sender's output =="
echo "   $REPS repetitions of $COUNT packets after $WARMUP warm-up, received packets/s, $(nproc) CPUs," \
    "load average $(cut -d' ' -f1 /proc/loadavg)${DIVERT_BENCH_NICE:+, bench session nice $DIVERT_BENCH_NICE}"
declare -A R CS CQ CR RQ
for _ in $(seq "$REPS"); do
    for size in $SIZES; do
        # Modes interleave, so load from elsewhere on the machine spreads over all four.
        for mode in $MODES; do
            if [ "$mode" = b ]; then rule_on; fi
            run_case "$mode" "$size"
            R[$mode,$size]="${R[$mode,$size]:-} $PPS"
            CS[$mode,$size]="${CS[$mode,$size]:-} $CPU_SEND"
            CQ[$mode,$size]="${CQ[$mode,$size]:-} $CPU_QUEUE"
            CR[$mode,$size]="${CR[$mode,$size]:-} $CPU_RECV"
            RQ[$mode,$size]="${RQ[$mode,$size]:-} $RSS_QUEUE"
        done
        rule_off
    done
done

declare -A M
printf '%-8s %-34s %-34s %-34s %-34s\n' payload "(a) no queue" "(b) nfq reference" "(c) classic divert" "(d) divert batch"
for size in $SIZES; do
    line=$(printf '%-8s' "$size B")
    for mode in $MODES; do
        # shellcheck disable=SC2086
        M[$mode,$size]=$(median ${R[$mode,$size]})
        line+=$(printf ' %-34s' "${M[$mode,$size]} (${R[$mode,$size]# })")
    done
    echo "$line"
done
echo "-- ratios (medians)"
for size in $SIZES; do
    r=$(ratio "${M[c,$size]}" "${M[b,$size]}")
    printf '%-8s (c)/(b) %s  target >= 1.3: %s\n' "$size B" "$r" "$(verdict "$r" 1.3 0.90)"
    r=$(ratio "${M[d,$size]}" "${M[b,$size]}")
    printf '%-8s (d)/(b) %s  target >= 1.5: %s\n' "$size B" "$r" "$(verdict "$r" 1.5)"
    printf '%-8s (b)/(a) %s  (c)/(a) %s  (d)/(a) %s\n' "$size B" \
        "$(ratio "${M[b,$size]}" "${M[a,$size]}")" "$(ratio "${M[c,$size]}" "${M[a,$size]}")" \
        "$(ratio "${M[d,$size]}" "${M[a,$size]}")"
done

# CPU time per packet does not depend on how much of the machine the bench got, so it
# tells a slower loop from a busier machine.
echo "-- CPU microseconds per packet, user + system (medians): sender / queue loop / receiver"
for size in $SIZES; do
    line=$(printf '%-8s' "$size B")
    for mode in $MODES; do
        # shellcheck disable=SC2086
        line+=$(printf ' (%s) %5s / %5s / %5s ' "$mode" "$(median ${CS[$mode,$size]})" \
            "$(median ${CQ[$mode,$size]})" "$(median ${CR[$mode,$size]})")
    done
    echo "$line"
done
for size in $SIZES; do
    # shellcheck disable=SC2086
    b=$(median ${CQ[b,$size]}) c=$(median ${CQ[c,$size]}) d=$(median ${CQ[d,$size]})
    printf '%-8s queue loop CPU per packet, reference over divert: (b)/(c) %s  (b)/(d) %s\n' \
        "$size B" "$(ratio "$b" "$c")" "$(ratio "$b" "$d")"
done

echo "== libdivert: memory per divert socket (RSS after socket+bind minus before) =="
ip netns exec "$TX" "$BIN/divert_mem" 6000 8 >"$T/mem.out" || die "divert_mem: $(cat "$T/mem.out")"
first=$(awk '$1 == "first" { print $2 }' "$T/mem.out")
each=$(awk '$1 == "each" { print $2 }' "$T/mem.out")
awk -v f="$first" -v e="$each" 'BEGIN {
    printf "first socket %.1f KiB, each further socket %.1f KiB (average of 8)  target < 2048 KiB: %s\n",
        f / 1024, e / 1024, (f < 2097152 && e < 2097152) ? "ok" : "OVER TARGET" }'
# The same in steady state, whole process: the loops' peak RSS after the timed runs (copies of
# packets, receive buffers, the window), against the reference loop's.
for size in $SIZES; do
    # shellcheck disable=SC2086
    printf '%-8s queue loop peak RSS (medians): (b) %s KiB  (c) %s KiB  (d) %s KiB\n' "$size B" \
        "$(median ${RQ[b,$size]})" "$(median ${RQ[c,$size]})" "$(median ${RQ[d,$size]})"
done

echo "== libdivert: heap calls per packet in steady state (LD_PRELOAD counter, 64 B) =="
# The loop reads the counter at packet WARMUP and again after COUNT more packets.
heap_run() {  # MODE LABEL
    local line
    rule_on
    # shellcheck disable=SC2046
    start queue "$TX" env LD_PRELOAD="$PRELOAD" $(queue_prog "$1") "$WARMUP" "$COUNT"
    start recv "$RX" "$BIN/divert_recv" "$RX_ADDR" "$UDP_PORT" "$WARMUP" "$COUNT" "$RECV_TIMEOUT"
    start send "$TX" "$BIN/divert_send" "$RX_ADDR" "$UDP_PORT" 64 "$SEND_LIMIT"
    wait "$PID_recv" || die "($1) heap run: receiver failed"
    PID_recv=
    stop send
    stop queue
    rule_off
    line=$(grep '^allocs' "$T/queue.out") || die "($1) heap run: no counts: $(cat "$T/queue.out")"
    echo "$line" | awk -v l="$2" '{
        printf "%-20s %d allocations, %d frees over %d packets: %.4f allocations/packet  target 0: %s\n",
            l, $2, $4, $6, $2 / $6, ($2 == 0) ? "ok" : "ALLOCATES" }'
}
heap_run c "(c) classic divert"
heap_run d "(d) divert batch"

if [ "${DIVERT_BENCH_PROFILE:-0}" = 1 ]; then
    # Where the queue loop's time goes, per packet: system calls (perf counting the syscall
    # tracepoints: no slow-down that would change how full the queue runs) and user-space
    # instructions inside the loop's library calls only (callgrind, collection toggled on in
    # them, so start-up and bind are left out).
    command -v valgrind >/dev/null || die "DIVERT_BENCH_PROFILE=1 needs valgrind"
    SYSCALLS="sendmsg sendto sendmmsg recvfrom recvmsg recvmmsg"
    events=$(for sc in $SYSCALLS; do printf 'syscalls:sys_enter_%s,' "$sc"; done)
    events=${events%,}
    perf stat -e "$events" -- true >/dev/null 2>&1 ||
        die "DIVERT_BENCH_PROFILE=1 needs perf with the syscall tracepoints"
    PROFILE_PACKETS=${DIVERT_BENCH_PROFILE_PACKETS:-20000}
    toggles() {
        case $1 in
        b) echo "--toggle-collect=mnl_socket_recvfrom --toggle-collect=mnl_cb_run" ;;
        c) echo "--toggle-collect=recvfrom --toggle-collect=sendto" ;;
        d) echo "--toggle-collect=divert_recv_batch --toggle-collect=divert_send_batch" ;;
        esac
    }
    profile_run() {  # MODE SIZE TOOL-COMMAND...: one loop under a tool; sets PROFILED
        local mode=$1 size=$2
        shift 2
        rule_on
        # shellcheck disable=SC2046
        start queue "$TX" "$@" $(queue_prog "$mode")
        start recv "$RX" "$BIN/divert_recv" "$RX_ADDR" "$UDP_PORT" 0 "$PROFILE_PACKETS" 30
        start send "$TX" "$BIN/divert_send" "$RX_ADDR" "$UDP_PORT" "$size" "$SEND_LIMIT"
        wait "$PID_recv" || true
        PID_recv=
        stop send
        stop queue
        rule_off
        PROFILED=$(awk '$1 == "packets" { print $2 }' "$T/queue.out")
        [ "${PROFILED:-0}" -gt 0 ] || die "($mode) profile: no packets: $(cat "$T/queue.out")"
    }
    for size in $SIZES; do
        echo "== profile, $size B: per packet, system calls (perf) and user-space instructions (callgrind) =="
        for mode in b c d; do
            PROFILE_PACKETS=$((PROFILE_PACKETS * 5)) profile_run "$mode" "$size" \
                perf stat -x, -o "$T/perf.$mode" -e "$events" --
            sc=$(awk -F, -v p="$PROFILED" '$3 ~ /sys_enter_/ && $1 > 0 { sub(".*sys_enter_", "", $3)
                    printf "%s %.2f  ", $3, $1 / p }' "$T/perf.$mode")
            # shellcheck disable=SC2046
            profile_run "$mode" "$size" valgrind --tool=callgrind --callgrind-out-file="$T/cg.$mode" \
                $(toggles "$mode")
            ir=$(callgrind_annotate "$T/cg.$mode" 2>/dev/null |
                awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
            printf '(%s) syscalls/packet: %s\n    instructions/packet: %s; the heaviest functions:\n' \
                "$mode" "$sc" "$(awk -v i="$ir" -v p="$PROFILED" 'BEGIN { printf "%.0f", i / p }')"
            # "2,942 (62.49%)  dir/file.cpp:function(args) [dir/object]" -> "2942 function [object]"
            callgrind_annotate "$T/cg.$mode" 2>/dev/null |
                awk -v p="$PROFILED" '/file:function/ { on = 1; next }
                    on && /^ *[0-9,]+ / && n < 6 { v = $1; gsub(",", "", v)
                        line = $0; sub(/^ *[0-9,]+ +(\( *[0-9.]+%\) +)?/, "", line)
                        sub(/^[^:]*:/, "", line); sub(/\([^()]*\) \[/, " [", line)
                        sub(/\[.*\//, "[", line)
                        printf "      %7.0f  %s\n", v / p, line; n++ }'
        done
    done
fi
