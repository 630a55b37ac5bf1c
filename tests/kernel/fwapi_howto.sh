#!/bin/bash
# The mini-HOWTO's interceptor, unmodified (our equivalent of it, interceptor/legacy/), run
# under divert-run: built with -DFIREWALL it installs "-A output -p ICMP -j DIVERT <port>"
# through IP_FW_APPEND, sees the ICMP packets HOST sends, with -DREINJECT puts them back (the
# peer's pings are answered), and removes its rule with IP_FW_DELETE from its SIGINT handler.
# Then the same for the modern interceptor (interceptor/interceptor.c, linked with libdivert).
. "$(dirname "$0")/fwapi_common.sh"
require_queue

LEGACY_SRC=$SRC/interceptor/legacy/howto_interceptor.c
MODERN=$BUILD/interceptor/interceptor
[ -x "$MODERN" ] || die "missing $MODERN (build the tree first)"

# The recipe of docs/porting.md, against the source tree's headers; not linked with
# libdivert: divert-run preloads it, as for a binary from 1999.
build_legacy() {
    local out=$1
    shift
    ${CC:-cc} -D_GNU_SOURCE "$@" -I"$SRC/libdivert/include" -o "$out" "$LEGACY_SRC" \
        2>"$T/cc.err" || { show "$T/cc.err"; die "cannot build $LEGACY_SRC $*"; }
}
build_legacy "$T/howto" -DREINJECT -DFIREWALL
build_legacy "$T/howto-noreinject" -DFIREWALL

topo_pair
PORT=1234

# start_prog NAME CMD...: runs CMD in HOST in the background, output in $T/NAME.out; waits
# until it is reading its divert socket.
start_prog() {
    local name=$1 i
    shift
    ip netns exec "$HOST" "$@" >"$T/$name.out" 2>&1 &
    PROG_PID=$!
    BG_PIDS+=("$PROG_PID")
    for i in $(seq 100); do
        grep -qi 'waiting for' "$T/$name.out" 2>/dev/null && return 0
        kill -0 "$PROG_PID" 2>/dev/null || break
        sleep 0.05
    done
    show "$T/$name.out"
    die "$name did not start"
}

# stop_prog NAME: SIGINT, then the exit status in PROG_RC (124 when it had to be killed).
stop_prog() {
    local i
    kill -INT "$PROG_PID"
    for i in $(seq 100); do
        kill -0 "$PROG_PID" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$PROG_PID" 2>/dev/null; then
        kill -KILL "$PROG_PID"
        wait "$PROG_PID" 2>/dev/null
        PROG_RC=124
    else
        wait "$PROG_PID"
        PROG_RC=$?
    fi
}

divert_rules() { on "$HOST" ipchains -L output -n | grep -c "^DIVERT .* => $PORT\$"; }

# ---- the legacy program, reinjecting
start_prog howto "$DIVERT_RUN" "$T/howto" "$PORT"
expect_line "legacy: rule installed through IP_FW_APPEND" "$T/howto: rule installed" "$T/howto.out"
[ "$(divert_rules)" = 1 ] && pass "legacy: ipchains -L shows its DIVERT $PORT rule" ||
    fail "legacy: no DIVERT $PORT rule in ipchains -L output"
on "$HOST" ipchains-save >"$T/save" 2>/dev/null
expect_line "legacy: the rule is the HOWTO's (ICMP, TOS cleared)" \
    "-A output -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -p 1 -j DIVERT $PORT -t 0x00 0x00" "$T/save"
ping_expect "legacy: replies are diverted and reinjected" "$PEER" "$HOST_IP" ok
sleep 0.2
expect_line "legacy: saw the echo reply's source" "$T/howto: from $HOST_IP" "$T/howto.out"
expect_line "legacy: saw the echo reply's destination" "$T/howto: to $PEER_IP" "$T/howto.out"
expect_line "legacy: outgoing packet, interface address 0.0.0.0" \
    "$T/howto: interface address 0.0.0.0" "$T/howto.out"
expect_line "legacy: protocol" "$T/howto: protocol 1" "$T/howto.out"
expect_grep "legacy: reinjected the whole packet" "^$T/howto: reinjected 84 bytes$" "$T/howto.out"
stop_prog howto
[ "$PROG_RC" -eq 0 ] && pass "legacy: SIGINT handler exits 0" ||
    { fail "legacy: exit status $PROG_RC after SIGINT"; show "$T/howto.out"; }
expect_line "legacy: rule removed through IP_FW_DELETE" "$T/howto: rule removed" "$T/howto.out"
[ "$(divert_rules)" = 0 ] && pass "legacy: no DIVERT rule left" ||
    fail "legacy: DIVERT rule still listed after SIGINT"
ping_expect "legacy gone: pings answered without diversion" "$PEER" "$HOST_IP" ok

# ---- the legacy program without -DREINJECT: diversion takes the packet out of the stack
start_prog noreinject "$DIVERT_RUN" "$T/howto-noreinject" "$PORT"
ping_expect "no reinjection: the diverted replies never leave" "$PEER" "$HOST_IP" timeout
expect_line "no reinjection: the program still saw the reply" \
    "$T/howto-noreinject: from $HOST_IP" "$T/noreinject.out"
stop_prog noreinject
[ "$(divert_rules)" = 0 ] && pass "no reinjection: rule removed on SIGINT" ||
    fail "no reinjection: DIVERT rule left behind"

# ---- the modern interceptor: flags instead of -D, rule removed from the main loop
start_prog modern "$MODERN" -r -f "$PORT"
[ "$(divert_rules)" = 1 ] && pass "interceptor -f: rule installed" ||
    fail "interceptor -f: no DIVERT rule"
on "$HOST" ipchains-save >"$T/save" 2>/dev/null
expect_line "interceptor -f: its rule leaves TOS alone" \
    "-A output -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -p 1 -j DIVERT $PORT" "$T/save"
ping_expect "interceptor -r: replies reinjected" "$PEER" "$HOST_IP" ok
sleep 0.2
expect_grep "interceptor: displayed the packet" "Source address: $HOST_IP\$" "$T/modern.out"
expect_grep "interceptor: reinjected it" "84 bytes reinjected\.\$" "$T/modern.out"
stop_prog modern
[ "$PROG_RC" -eq 0 ] && pass "interceptor: exits 0 on SIGINT" ||
    { fail "interceptor: exit status $PROG_RC"; show "$T/modern.out"; }
[ "$(divert_rules)" = 0 ] && pass "interceptor: rule removed on SIGINT" ||
    fail "interceptor: DIVERT rule left behind"
finish
