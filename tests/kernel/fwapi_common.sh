# Shared by tests/kernel/fwapi_*.sh: the kernel harness (lib.sh) plus the libdivert pieces.
# Programs are run the way an old binary is: unmodified, under divert-run, which preloads
# the build tree's libdivert (DIVERT_RUN_LIBRARY).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIVERT_RUN=$BUILD/interceptor/divert-run
[ -x "$DIVERT_RUN" ] || die "missing $DIVERT_RUN (build the tree first)"
_dlname=$(sed -n "s/^dlname='\(.*\)'$/\1/p" "$BUILD/libdivert.la" 2>/dev/null)
[ -n "$_dlname" ] && [ -e "$BUILD/.libs/$_dlname" ] || die "missing libdivert in $BUILD/.libs"
DIVERT_RUN_LIBRARY=$BUILD/.libs/$_dlname
export DIVERT_RUN_LIBRARY
SOCKOPT=$BUILD/libdivert/fwapi/tests/fwapi_sockopt
[ -x "$SOCKOPT" ] || die "missing $SOCKOPT (make check builds it)"

# fw NS CALL [; CALL...]: 2.2 setsockopt calls in one preloaded process; one line per call.
fw() {
    local ns=$1
    shift
    ip netns exec "$ns" "$DIVERT_RUN" "$SOCKOPT" "$@"
}

# expect_fw DESC NS CALLS... <<'EOF' ... EOF: the calls answer exactly these lines.
expect_fw() {
    local desc=$1
    shift
    expect_stdout "$desc" "$1" "$DIVERT_RUN" "$SOCKOPT" "${@:2}"
}
