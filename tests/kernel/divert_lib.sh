# Harness of the divert-socket suites (tests/kernel/divert_*.sh): lib.sh (namespaces, probes,
# reporting) plus helpers for the legacy-style programs in tests/kernel/divert/, which are
# built against libdivert in the build tree ($BUILD/tests/kernel/divert/<name>).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIVERT_BIN=${DIVERT_BIN:-$BUILD/tests/kernel/divert}
[ -x "$DIVERT_BIN/echo" ] || die "missing $DIVERT_BIN/echo (make check builds the divert programs)"

declare -A DV_PID

# dv_start NS NAME PROG ARGS...: runs a divert program in NS in the background, output in
# $T/NAME.out, and waits until it printed "ready" (bound). PROG may start with "env VAR=..".
dv_start() {
    local ns=$1 name=$2 prog=$3 i
    shift 3
    rm -f "$T/$name.out"
    if [ "$prog" = preload ]; then
        prog=$1
        shift
        ip netns exec "$ns" env LD_PRELOAD="$DIVERT_PRELOAD" "$DIVERT_BIN/$prog" "$@" \
            >"$T/$name.out" 2>&1 &
    else
        ip netns exec "$ns" "$DIVERT_BIN/$prog" "$@" >"$T/$name.out" 2>&1 &
    fi
    DV_PID[$name]=$!
    BG_PIDS+=($!)
    for i in $(seq 100); do
        grep -q '^ready' "$T/$name.out" 2>/dev/null && return 0
        kill -0 "${DV_PID[$name]}" 2>/dev/null || break
        sleep 0.03
    done
    fail "$name did not come up"
    show "$T/$name.out"
    return 1
}

# dv_wait NAME [SECONDS]: waits for the program to exit (default 5 s); DV_RC = its status,
# 124 when it had to be killed.
dv_wait() {
    local pid=${DV_PID[$1]} i
    for i in $(seq $((${2:-5} * 20))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        DV_RC=124
    else
        wait "$pid" 2>/dev/null
        DV_RC=$?
    fi
}

# dv_exit DESC NAME WANT [SECONDS]: the program exits with status WANT.
dv_exit() {
    dv_wait "$2" "${4:-5}"
    if [ "$DV_RC" -eq "$3" ]; then
        pass "$1"
    else
        fail "$1: $2 exited $DV_RC, expected $3"
        show "$T/$2.out"
    fi
}

# dv_line DESC NAME REGEX: the program printed a line matching REGEX (extended).
dv_line() { expect_grep "$1" "$3" "$T/$2.out"; }

# dv_count DESC NAME REGEX WANT: exactly WANT lines match.
dv_count() {
    local got
    got=$(grep -Ec -- "$3" "$T/$2.out")
    if [ "$got" -eq "$4" ]; then
        pass "$1"
    else
        fail "$1: $got lines match /$3/, expected $4"
        show "$T/$2.out"
    fi
}

# udp_sink NS ADDR PORT NAME: a UDP receiver bound to ADDR:PORT writing every datagram it gets
# to $T/NAME.sink (the kernel drops datagrams with a bad checksum before it sees them).
udp_sink() {
    : >"$T/$4.sink"
    ip netns exec "$1" socat -u "UDP4-RECV:$3,bind=$2,reuseaddr" "OPEN:$T/$4.sink,append" \
        </dev/null >/dev/null 2>&1 &
    BG_PIDS+=($!)
    wait_listen "$1" u "$3"
}

# sink_expect DESC NAME TEXT: TEXT arrived at the sink (within POS_WAIT).
sink_expect() {
    local i
    for i in $(seq $((${POS_WAIT%.*} * 20))); do
        grep -qF -- "$3" "$T/$2.sink" && { pass "$1"; return 0; }
        sleep 0.05
    done
    fail "$1: '$3' never arrived"
    show "$T/$2.sink"
    return 1
}

# sink_empty DESC NAME: nothing arrived at the sink (within NEG_WAIT).
sink_empty() {
    sleep "$NEG_WAIT"
    if [ -s "$T/$2.sink" ]; then
        fail "$1: something arrived"
        show "$T/$2.sink"
    else
        pass "$1"
    fi
}

# expect_queued DESC NS QUEUE WANT: the kernel holds WANT packets for QUEUE (none: unbound).
# queued NS QUEUE: packets the kernel holds for QUEUE (none: the queue is not bound).
queued() {
    on "$1" cat /proc/net/netfilter/nfnetlink_queue |
        awk -v q="$2" '$1 == q { print $3; f = 1 } END { if (!f) print "none" }'
}
expect_queued() {
    local got
    got=$(queued "$2" "$3")
    if [ "$got" = "$4" ]; then pass "$1 (queue $3 holds $4)"
    else fail "$1: queue $3 holds '$got', expected '$4'"; fi
}

# sink_once DESC NAME TEXT: TEXT arrived at the sink, exactly once.
sink_once() {
    local got
    sink_expect "$1: arrived" "$2" "$3" || return 1
    sleep 0.1
    got=$(grep -oF -- "$3" "$T/$2.sink" | wc -l)
    if [ "$got" -eq 1 ]; then pass "$1: arrived once"
    else fail "$1: arrived $got times"; show "$T/$2.sink"; fi
}

# udp_send NS ADDR PORT TEXT: one datagram, fire and forget.
udp_send() {
    printf '%s' "$4" | ip netns exec "$1" timeout 5 socat -u - "UDP4-SENDTO:$2:$3" 2>/dev/null
}
