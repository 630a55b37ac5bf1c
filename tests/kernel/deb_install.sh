#!/bin/bash
# The Debian packages as a user gets them: built with dpkg-buildpackage from the dist tree
# (what the tarball holds, not the checkout), checked with lintian, installed with dpkg -i;
# then the interceptor example is compiled against the installed libdivert-dev exactly as
# libdivert(3) says (cc interceptor.c $(pkg-config --cflags --libs libdivert)) and diverts
# pings in private network namespaces through the installed ipchains; iptables keeps working
# beside it. The packages are purged at the end (also on failure), leaving dpkg as it was.
#
# Root only (dpkg -i, namespaces); takes minutes (a full package build, parallel=2).
# Usage: BUILD=<build tree> SRC=<source tree> deb_install.sh
# DEB_KEEP=1 keeps the built .deb files in $DEB_KEEP_DIR (default /tmp/ipchains-debs).
# The commands under test come from the packages, installed halfway through (PATH is set
# then); the build tree is only the source of the dist tree, so lib.sh must not require it.
IPCHAINS=/bin/true IPCHAINS_SAVE=/bin/true IPCHAINS_RESTORE=/bin/true
. "$(dirname "$0")/lib.sh"

PACKAGES="ipchains libdivert1 libdivert-dev ipchains-divert-doc ipfw-divert"
PORT=7301

for tool in dpkg-buildpackage dpkg-checkbuilddeps dh pkg-config cc; do
    command -v "$tool" >/dev/null ||
        die "missing tool '$tool' (apt-get install dpkg-dev debhelper pkg-config gcc)"
done
# Purging packages someone installed on purpose would not leave the machine as it was.
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
    case $status in "" | not-installed | config-files) ;;
    *) die "package $p is already installed ($status): remove it first, this test purges it" ;;
    esac
done

installed=0
purge_packages() {
    [ "$installed" -eq 1 ] || return 0
    # shellcheck disable=SC2086
    dpkg -P $PACKAGES >"$T/purge.log" 2>&1
    installed=0
}
trap 'purge_packages; cleanup' EXIT

# ---- build from the dist tree
version=$(cd "$SRC" && dpkg-parsechangelog -S Version)
tree=$T/src/ipchains-divert-$version
mkdir -p "$T/src"
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s -C "$BUILD" distdir distdir="$tree" >"$T/distdir.log" 2>&1; then
    pass "dist tree of $version"
else
    show "$T/distdir.log"
    die "make distdir failed"
fi
if (cd "$tree" && dpkg-checkbuilddeps) >"$T/deps.log" 2>&1; then
    pass "debian/control: build dependencies installed"
else
    show "$T/deps.log"
    die "unmet build dependencies (apt-get build-dep $SRC)"
fi
start=$SECONDS
if (cd "$tree" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
    pass "dpkg-buildpackage -us -uc -b ($((SECONDS - start)) s)"
else
    tail -40 "$T/build.log" | show /dev/stdin
    die "dpkg-buildpackage failed"
fi
grep -q "kernel suites skipped\|-LE 'kernel|rpm'" "$T/build.log" &&
    pass "package build ran the tests without the kernel suites" ||
    fail "package build: no sign of ctest -LE 'kernel|rpm' in the log"
arch=$(dpkg --print-architecture)
declare -A DEB
for p in $PACKAGES; do
    a=$arch
    [ "$p" = ipchains-divert-doc ] && a=all
    DEB[$p]=$T/src/${p}_${version}_$a.deb
    [ -f "${DEB[$p]}" ] && pass "built ${DEB[$p]##*/}" || die "no ${DEB[$p]##*/}"
done
if [ -n "${DEB_KEEP:-}" ]; then
    mkdir -p "${DEB_KEEP_DIR:=/tmp/ipchains-debs}" && cp "$T"/src/*.deb "$DEB_KEEP_DIR"/
fi

# ---- what each package holds and needs
contents() { dpkg-deb -c "${DEB[$1]}" | awk '{ print $6 }' | sed 's|^\./|/|'; }
has() {
    if contents "$1" | grep -qE "$2"; then pass "$1 holds $3"
    else fail "$1 lacks $3"; fi
}
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
has ipchains '^/usr/sbin/ipchains$' /usr/sbin/ipchains
has ipchains '^/usr/sbin/ipchains-restore$' /usr/sbin/ipchains-restore
has ipchains '^/usr/bin/divert-run$' /usr/bin/divert-run
has ipchains '^/usr/share/man/man8/ipchains\.8\.gz$' "ipchains(8)"
has ipchains '^/usr/share/bash-completion/completions/ipchains$' "the bash completion"
has ipchains '^/usr/sbin/ipchains-logd$' /usr/sbin/ipchains-logd
has ipchains '^/lib/systemd/system/ipchains-logd\.service$' "ipchains-logd.service"
has ipchains '^/usr/share/man/man8/ipchains-logd\.8\.gz$' "ipchains-logd(8)"
mkdir -p "$T/ctl/ipchains"
dpkg-deb -e "${DEB[ipchains]}" "$T/ctl/ipchains"
grep -q 'ipchains-logd\.service' "$T/ctl/ipchains/postinst" 2>/dev/null &&
    pass "ipchains: postinst enables ipchains-logd.service (dh_installsystemd)" ||
    fail "ipchains: postinst does not handle ipchains-logd.service"
has libdivert1 "^/usr/lib/$ma/libdivert\.so\.1$" "libdivert.so.1"
has libdivert-dev "^/usr/lib/$ma/libdivert\.so$" "the libdivert.so link"
has libdivert-dev "^/usr/lib/$ma/pkgconfig/libdivert\.pc$" libdivert.pc
has libdivert-dev '^/usr/include/divert-compat/linux/ip_fw\.h$' "the compat <linux/ip_fw.h>"
has libdivert-dev '^/usr/include/divert-compat/netinet/in\.h$' "the compat <netinet/in.h>"
has libdivert-dev '^/usr/include/divert-compat/sys/socket\.h$' "the compat <sys/socket.h>"
has libdivert-dev '^/usr/share/man/man3/libdivert\.3\.gz$' "libdivert(3)"
has ipchains-divert-doc '^/usr/share/doc/ipchains-divert/migration\.md' migration.md
has ipfw-divert '^/usr/sbin/ipfw-divert$' /usr/sbin/ipfw-divert
has ipfw-divert '^/usr/sbin/ipfw$' "the /usr/sbin/ipfw link"
has ipfw-divert '^/usr/share/man/man8/ipfw\.8\.gz$' "ipfw(8)"
if contents ipchains | grep -q '/ipfw'; then fail "ipchains holds an ipfw file"
else pass "ipchains holds no ipfw file (ipfw is in ipfw-divert only)"; fi
# Policy 8.2: nothing in the library package whose name does not change with the soname.
other=$(contents libdivert1 | grep -v '/$' | grep -vE "^/usr/lib/$ma/libdivert\.so\.1|^/usr/share/doc/libdivert1/")
[ -z "$other" ] && pass "libdivert1 holds only the library" || fail "libdivert1 also holds: $other"
dpkg-deb -f "${DEB[ipchains]}" Depends | grep -q "libdivert1 (= $version)" &&
    pass "ipchains depends on libdivert1 (= $version) (divert-run)" ||
    fail "ipchains Depends: $(dpkg-deb -f "${DEB[ipchains]}" Depends)"
dpkg-deb -f "${DEB[libdivert-dev]}" Depends | grep -q "libdivert1 (= $version)" &&
    pass "libdivert-dev depends on libdivert1 (= $version)" ||
    fail "libdivert-dev Depends: $(dpkg-deb -f "${DEB[libdivert-dev]}" Depends)"
for lib in libmnl0 libnftnl11 libip4tc2 libc6; do
    dpkg-deb -f "${DEB[ipchains]}" Depends | grep -q "$lib" &&
        pass "ipchains: shlibs dependency on $lib" || fail "ipchains does not depend on $lib"
done
mkdir -p "$T/ctl"
dpkg-deb -e "${DEB[libdivert1]}" "$T/ctl/libdivert1"
if [ -f "$T/ctl/libdivert1/symbols" ] && grep -q ' divert_open@LIBDIVERT_1.0 ' "$T/ctl/libdivert1/symbols" &&
    ! grep -q '_Z' "$T/ctl/libdivert1/symbols"; then
    pass "libdivert1: symbols file with versioned divert_* and no C++ symbols"
else
    fail "libdivert1: symbols control file missing or wrong"
    [ -f "$T/ctl/libdivert1/symbols" ] && show "$T/ctl/libdivert1/symbols"
fi
grep -q 'triggers\|ldconfig' "$T/ctl/libdivert1/triggers" 2>/dev/null &&
    pass "libdivert1: ldconfig trigger" || fail "libdivert1: no ldconfig trigger"

if command -v lintian >/dev/null; then
    (cd "$T/src" && lintian --no-tag-display-limit ./*.changes) >"$T/lintian.log" 2>&1
    if grep -q '^E: ' "$T/lintian.log"; then
        fail "lintian reports errors:"
        grep '^E: ' "$T/lintian.log" | show /dev/stdin
    else
        pass "lintian: no errors ($(grep -c '^W: ' "$T/lintian.log") warnings)"
    fi
else
    echo "# lintian not installed: not run"
fi

# ---- install
iptables_before=$(iptables --version 2>&1)
alt_before=$(update-alternatives --query iptables 2>&1)
[ -e /usr/sbin/ipchains ] && die "/usr/sbin/ipchains exists before the install: $(dpkg -S /usr/sbin/ipchains 2>&1)"
installed=1
# shellcheck disable=SC2086
if dpkg -i "${DEB[libdivert1]}" "${DEB[ipchains]}" "${DEB[libdivert-dev]}" \
    "${DEB[ipchains-divert-doc]}" "${DEB[ipfw-divert]}" >"$T/install.log" 2>&1; then
    pass "dpkg -i of the five packages"
else
    show "$T/install.log"
    die "dpkg -i failed"
fi
[ "$(dpkg -S /usr/sbin/ipchains 2>/dev/null)" = "ipchains: /usr/sbin/ipchains" ] &&
    pass "dpkg -S /usr/sbin/ipchains: only our package" || fail "dpkg -S: $(dpkg -S /usr/sbin/ipchains 2>&1)"
# (/lib is /usr/lib on a merged-/usr system: ld.so may name either.)
ldconfig -p | grep -qE "libdivert\.so\.1 .*=> (/usr)?/lib/$ma/libdivert\.so\.1\$" &&
    pass "ldconfig knows libdivert.so.1" || fail "libdivert.so.1 not in the ld.so cache"
[ "$(pkg-config --modversion libdivert 2>&1)" = "$version" ] &&
    pass "pkg-config --modversion libdivert: $version" || fail "pkg-config: $(pkg-config --modversion libdivert 2>&1)"
[ "$(/usr/bin/divert-run --print-library)" = "/usr/lib/$ma/libdivert.so.1" ] &&
    pass "divert-run preloads /usr/lib/$ma/libdivert.so.1" || fail "divert-run: $(/usr/bin/divert-run --print-library)"
man -w ipchains 2>/dev/null | grep -q '^/usr/share/man/man8/ipchains.8.gz$' &&
    pass "man -w ipchains finds the installed page" || echo "# man -w ipchains: not found (man-db missing?)"

# iptables is untouched: same version, same alternatives, still lists (in a private namespace).
[ "$(iptables --version 2>&1)" = "$iptables_before" ] && pass "iptables --version unchanged: $iptables_before" ||
    fail "iptables --version changed: $(iptables --version 2>&1)"
[ "$(update-alternatives --query iptables 2>&1)" = "$alt_before" ] &&
    pass "iptables alternatives unchanged" || fail "iptables alternatives changed"

# ---- the example, built as a user builds it
example=/usr/share/doc/libdivert-dev/examples/interceptor.c
[ -f "$example" ] || { [ -f "$example.gz" ] && zcat "$example.gz" >"$T/interceptor.c" && example=$T/interceptor.c; }
[ -f "$example" ] && pass "example installed: $example" || die "no interceptor.c in libdivert-dev's examples"
# shellcheck disable=SC2046
if cc -Wall -Wextra -Werror "$example" $(pkg-config --cflags --libs libdivert) \
    -o "$T/interceptor" >"$T/cc.log" 2>&1; then
    pass "cc interceptor.c \$(pkg-config --cflags --libs libdivert)"
else
    show "$T/cc.log"
    die "the example does not build against the installed package"
fi
ldd "$T/interceptor" | grep -qE "libdivert\.so\.1 => (/usr)?/lib/$ma/libdivert\.so\.1 " &&
    pass "interceptor links the installed libdivert.so.1" || fail "ldd: $(ldd "$T/interceptor" | grep divert)"

# ---- diverted pings through the installed commands
PATH=/usr/sbin:/usr/bin:$PATH
[ "$(command -v ipchains)" = /usr/sbin/ipchains ] && pass "ipchains runs from /usr/sbin" ||
    fail "ipchains resolves to $(command -v ipchains)"
topo_pair
on "$HOST" nft add table inet deb-neighbour
on "$HOST" nft add chain inet deb-neighbour c '{ type filter hook output priority 10; }'
on "$HOST" nft add rule inet deb-neighbour c counter
on "$HOST" nft list table inet deb-neighbour >"$T/neighbour.before"
ipc "$HOST" -A output -p icmp -j DIVERT "$PORT"
ip netns exec "$HOST" "$T/interceptor" -r -n 2 "$PORT" >"$T/icpt.out" 2>&1 &
ICPT=$!
BG_PIDS+=("$ICPT")
for _ in $(seq 100); do
    grep -q 'Waiting for data' "$T/icpt.out" && break
    kill -0 "$ICPT" 2>/dev/null || break
    sleep 0.05
done
grep -q 'Waiting for data' "$T/icpt.out" || { show "$T/icpt.out"; die "interceptor did not start"; }
ping_expect "diverted echo request reinjected and answered" "$HOST" "$PEER_IP" ok
ping_expect "second one too" "$HOST" "$PEER_IP" ok
for _ in $(seq 60); do kill -0 "$ICPT" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$ICPT" 2>/dev/null; then
    kill "$ICPT"
    fail "interceptor -n 2 still running after two diverted pings"
else
    wait "$ICPT"
    rc=$?
    [ "$rc" -eq 0 ] && pass "interceptor exited 0 after two packets" || fail "interceptor exit status $rc"
fi
n=$(grep -c "Source address: $HOST_IP\$" "$T/icpt.out")
[ "$n" -eq 2 ] && pass "interceptor showed both diverted packets" ||
    { fail "interceptor showed $n packets from $HOST_IP"; show "$T/icpt.out"; }
grep -q '84 bytes reinjected\.$' "$T/icpt.out" && pass "interceptor reinjected them" ||
    { fail "interceptor did not reinject"; show "$T/icpt.out"; }
on "$HOST" ipchains -L output -n >"$T/list"
grep -q "DIVERT" "$T/list" && pass "ipchains -L shows the DIVERT rule" || { fail "ipchains -L:"; show "$T/list"; }
# The installed ipfw on the same ruleset (docs/ipfw.md).
[ "$(command -v ipfw)" = /usr/sbin/ipfw ] && pass "ipfw runs from /usr/sbin" ||
    fail "ipfw resolves to $(command -v ipfw)"
on "$HOST" ipfw -q add 300 deny udp from any to any 9 out
on "$HOST" ipchains -L output -n >"$T/list"
grep -q "(ipfw 300)" "$T/list" && pass "ipchains -L shows the rule the installed ipfw added" ||
    { fail "ipchains -L after ipfw add 300:"; show "$T/list"; }

# Our table beside the neighbour's: the neighbour's table unchanged (rules and handles).
on "$HOST" nft list tables >"$T/tables"
grep -qx 'table ip ipchains' "$T/tables" && pass "rules live in table ip ipchains" ||
    { fail "no table ip ipchains"; show "$T/tables"; }
on "$HOST" nft list table inet deb-neighbour | sed 's/packets [0-9]* bytes [0-9]*//' >"$T/neighbour.after"
sed -i 's/packets [0-9]* bytes [0-9]*//' "$T/neighbour.before"
cmp -s "$T/neighbour.before" "$T/neighbour.after" && pass "another nft table left alone" ||
    { fail "the neighbour table changed"; diff "$T/neighbour.before" "$T/neighbour.after" | show /dev/stdin; }
if command -v iptables-legacy >/dev/null; then
    on "$HOST" iptables-legacy -L -n >"$T/legacy" 2>&1 && pass "iptables-legacy -L still works" ||
        { fail "iptables-legacy -L"; show "$T/legacy"; }
fi
on "$HOST" iptables -L -n >"$T/ipt" 2>&1 && pass "iptables -L still works" ||
    { fail "iptables -L"; show "$T/ipt"; }
ipc "$HOST" -F output

# ---- purge: nothing of ours left
purge_packages
grep -q 'error' "$T/purge.log" && { fail "dpkg -P reported errors"; show "$T/purge.log"; }
left=
for p in $PACKAGES; do
    s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
    case $s in "" | not-installed) ;; *) left="$left $p($s)" ;; esac
done
[ -z "$left" ] && pass "dpkg -P: packages gone" || fail "still known to dpkg:$left"
left=
for f in /usr/sbin/ipchains /usr/bin/divert-run "/usr/lib/$ma/libdivert.so.1" /usr/include/divert-compat \
    /usr/share/doc/ipchains-divert "/usr/lib/$ma/pkgconfig/libdivert.pc"; do
    [ -e "$f" ] && left="$left $f"
done
[ -z "$left" ] && pass "no file of ours left after purge" || fail "left after purge:$left"
[ "$(iptables --version 2>&1)" = "$iptables_before" ] && pass "iptables --version still $iptables_before" ||
    fail "iptables changed after purge"

finish
