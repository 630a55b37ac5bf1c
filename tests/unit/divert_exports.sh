#!/bin/sh
# libdivert exports exactly the hooked libc names (unversioned, so they interpose on glibc's)
# and the divert_* API (versioned LIBDIVERT_1.0); nothing of the C++ core leaks.
# Usage: divert_exports.sh BUILD-DIR
build=${1:-.}
dlname=$(sed -n "s/^dlname='\(.*\)'$/\1/p" "$build/libdivert.la")
lib="$build/.libs/$dlname"
[ -f "$lib" ] || { echo "FAIL - no $lib"; exit 1; }
want=$(mktemp) got=$(mktemp)
trap 'rm -f "$want" "$got"' EXIT
cat >"$want" <<'EOT'
__read_chk
__recv_chk
__recvfrom_chk
bind
close
divert_flush@@LIBDIVERT_1.0
divert_get_stats@@LIBDIVERT_1.0
divert_open@@LIBDIVERT_1.0
divert_recv_batch@@LIBDIVERT_1.0
divert_send_batch@@LIBDIVERT_1.0
dup
dup2
dup3
fcntl
fcntl64
getpeername
getsockname
getsockopt
read
readv
recv
recvfrom
recvmsg
send
sendmsg
sendto
setsockopt
socket
write
writev
EOT
nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | LC_ALL=C sort >"$got"
if cmp -s "$want" "$got"; then
    echo "PASS - libdivert exports exactly $(wc -l <"$want") symbols"
    exit 0
fi
echo "FAIL - libdivert's exports differ (diff expected actual):"
diff -u "$want" "$got"
exit 1
