#!/bin/bash
# fork() while other threads create divert sockets and inject on them never hangs (divert(7),
# The descriptor): eight threads in pairs, each pair opening and binding a fresh socket,
# both threads injecting on it at once (outbound and inbound, so their first injections race)
# and closing it, in a loop, while the main thread forks children (each injects once on a
# fresh socket) for 5 s. Three runs, each must print "done" within 30 s (the first hang ends
# the suite). A lock-order inversion between a socket's mutex and the registry lock (the
# loser of two first injections racing each other, against fork's prepare handler) shows up
# within a few thousand forks.
. "$(dirname "$0")/divert_lib.sh"

require_queue
[ -c /dev/net/tun ] || skip "tun/tap (/dev/net/tun), which inbound injection uses"
topo_pair

for run in 1 2 3; do
    dv_start "$HOST" "fork$run" fork_inject 8000 8 100000 5 "$HOST_IP" "$PEER_IP" 5000 || continue
    dv_wait "fork$run" 30
    if [ "$DV_RC" -eq 124 ]; then
        fail "run $run: no \"done\" within 30 s (hung)"
        show "$T/fork$run.out"
        # hung children of the killed program: they live only in our namespace
        for pid in $(ip netns pids "$HOST" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        break
    fi
    dv_line "run $run: printed $(grep -m1 '^done ' "$T/fork$run.out" || echo 'no done line')" \
        "fork$run" '^done forks [1-9][0-9]* '
    dv_line "run $run: every child's injection succeeded" "fork$run" '^done .* failed 0 '
    dv_line "run $run: every thread's injection succeeded" "fork$run" '^done .* errors 0 '
done

# The same under helgrind (smaller: valgrind runs it some 50 times slower): no lock-order
# inversion anywhere in the library (libdivert/README.md "Locks"), and it still finishes.
# Helgrind's other reports are about C++ atomics and static initialisation, which it does not
# model; only lock order is asserted.
fork_bin="$BUILD/tests/kernel/divert/.libs/fork_inject"
[ -x "$fork_bin" ] || fork_bin="$BUILD/tests/kernel/divert/fork_inject"
run "$HOST" env LD_LIBRARY_PATH="$BUILD/.libs" timeout 120 valgrind --tool=helgrind \
    "$fork_bin" 8400 4 30 10 "$HOST_IP" "$PEER_IP" 5000
if [ "$RC" -eq 0 ] && grep -q '^done forks [1-9]' "$T/out"; then
    pass "helgrind: fork_inject finished ($(grep -m1 '^done' "$T/out"))"
else
    fail "helgrind: fork_inject exited $RC"
    show "$T/out"
fi
inversions=$(grep -c 'lock order .* violated' "$T/err")
if [ "$inversions" -eq 0 ] && grep -q 'ERROR SUMMARY' "$T/err"; then
    pass "helgrind: no lock-order inversion"
else
    fail "helgrind: $inversions lock-order inversions"
    grep -A14 'lock order' "$T/err" | head -60 | sed 's/^/    | /'
fi

finish
