#!/bin/bash
# The socket calls themselves (docs/reference/divert-semantics.md 2, 3): socket options and names a
# raw socket would give, bind errors ([DECISION] EADDRINUSE / EINVAL, port 0 picks one), descriptor
# copies (dup, dup2, F_DUPFD), O_NONBLOCK by fcntl and by socket type flags, the port released when
# the last copy closes, EPERM without CAP_NET_ADMIN/CAP_NET_RAW.
. "$(dirname "$0")/divert_lib.sh"

require_queue
topo_pair
cat >"$T/want" <<'EOT'
socket OK
SO_TYPE 3 SO_PROTOCOL 254 SO_DOMAIN 2
fstat-socket OK
bind-short-len EINVAL
bind-inet6 EAFNOSUPPORT
bind OK
getsockname 1
rebind EINVAL
bind-taken EADDRINUSE
bind-other OK
bind-0 OK picked yes
getpeername ENOTCONN
recv-dontwait EAGAIN
select-idle 0
IP_MULTICAST_IF 0 errno 0
dup 1 dup2 1 F_DUPFD 1 F_DUPFD_CLOEXEC 1
read-nonblock EAGAIN
after-close-original 1
closed-fd EBADF
still-bound EADDRINUSE
released OK
type-flags 1 1
no-caps EPERM
EOT
run "$HOST" "$DIVERT_BIN/sockapi" 7701
same_text "socket API behaviour" "$T/want" "$T/out"
[ -s "$T/err" ] && { fail "sockapi wrote to stderr"; show "$T/err"; }

# A port held by a process that is not ours is EADDRINUSE too (the queue belongs to its socket).
dv_start "$HOST" holder echo 7702 1
run "$HOST" "$DIVERT_BIN/echo" 7702 1
expect_grep "a port bound by another process: EADDRINUSE" '^bind: Address already in use$' "$T/err"

# Out of memory inside the library: -1/ENOMEM, never a C++ exception in a C program, no
# descriptor leaked, and everything works again once memory is back (libdivert(3) ERRORS):
# also a bind that failed leaves the socket free to bind.
FAILMALLOC="$BUILD/tests/kernel/divert/.libs/failmalloc.so"
cat >"$T/want" <<'EOT'
socket ENOMEM
divert_open ENOMEM
bind ENOMEM
first-recv-in-thread ENOMEM
descriptors-leaked 0
socket-after OK
divert_open-after OK
bind-after OK
recv-after EAGAIN
EOT
run "$HOST" env LD_PRELOAD="$FAILMALLOC" "$DIVERT_BIN/nomem" 7703
[ "$RC" -eq 0 ] || { fail "nomem exited $RC"; show "$T/err"; }
same_text "out of memory: -1/ENOMEM from every call, nothing leaked, then normal" "$T/want" "$T/out"

finish
