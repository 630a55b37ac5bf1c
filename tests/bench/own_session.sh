# Sourced by a bench script before it starts any work, with BENCH_NICE set: with the autogroup
# scheduler, a session gets one share of the CPUs among all sessions, however its processes
# are niced; on a machine busy with other work that share, not the code under test, sets the
# rates (the bench's processes then mostly wait for a CPU). So the script re-runs itself in a
# session of its own with autogroup nice BENCH_NICE, for its duration only; an empty
# BENCH_NICE keeps the caller's session and share.
if [ -n "$BENCH_NICE" ] && [ -z "${BENCH_OWN_SESSION:-}" ]; then
    exec env BENCH_OWN_SESSION=1 setsid -w bash "$0" "$@"
fi
if [ -n "$BENCH_NICE" ]; then
    # Without the priority the numbers are still measured, only noisier: warn, go on.
    if [ -w /proc/self/autogroup ]; then
        echo "$BENCH_NICE" 2>/dev/null >/proc/self/autogroup ||
            echo "$(basename "$0" .sh): note: cannot set the autogroup nice, rates will follow the machine's load" >&2
    else
        renice -n "$BENCH_NICE" $$ >/dev/null 2>&1 ||
            echo "$(basename "$0" .sh): note: cannot renice, rates will follow the machine's load" >&2
    fi
fi
