#!/bin/bash
# `make install DESTDIR=<stage>` puts every file where docs/packaging.md says (commands in
# sbin, divert-run in bin, libdivert with its soname and symbol versions, headers with the
# compat <linux/ip_fw.h> off the default include path, libdivert.pc, man pages 1/3/7/8, docs,
# bash completion), all under the configured prefix and libdir and nothing outside the stage;
# `make uninstall DESTDIR=<stage>` then leaves no file behind, only shared empty directories.
# No root, no kernel. Usage: BUILD=<build tree> SRC=<source tree> install_layout.sh
. "$(dirname "$0")/install_lib.sh"

# Where the build tree installs (configure's --prefix, --libdir, ...).
dirs=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s --no-print-directory -C "$BUILD" packaging-print-dirs) || {
    fail "cannot ask $BUILD/Makefile for the installation directories"; finish; }
eval "$dirs"
: "${prefix:?}" "${bindir:?}" "${sbindir:?}" "${libdir:?}" "${includedir:?}" "${mandir:?}"
: "${docdir:?}" "${pkgconfigdir:?}" "${bashcompletiondir:?}"
# The boot files (boot/local.am) may go outside the prefix: the systemd unit directory and
# $(sysconfdir)/init.d (Debian: /lib/systemd/system, /etc/init.d).
boot_dirs=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s --no-print-directory -C "$BUILD" boot-print-dirs | grep -E '^(systemdsystemunitdir|initdir)=') ||
    { fail "cannot ask $BUILD/Makefile for the boot directories"; finish; }
eval "$boot_dirs"
: "${systemdsystemunitdir:?}" "${initdir:?}"

# Files written outside the stage would land in the real install directories: look there for
# anything newer than this marker afterwards.
touch "$T/marker"
sleep 1
stage_install
S=$STAGE

# ---- layout
for cmd in ipchains ipchains-save ipchains-restore ipchains-translate; do
    [ -x "$S$sbindir/$cmd" ] && [ ! -L "$S$sbindir/$cmd" ] && pass "sbin: $cmd" ||
        fail "no executable $sbindir/$cmd"
    [ -e "$S$bindir/$cmd" ] && fail "$cmd also in bindir"
done
[ -x "$S$bindir/divert-run" ] && pass "bin: divert-run" || fail "no executable $bindir/divert-run"
# ipfw (docs/ipfw.md "Installation"): the program under its own name, `ipfw` a link to it in
# an empty stage.
[ -x "$S$sbindir/ipfw-divert" ] && [ ! -L "$S$sbindir/ipfw-divert" ] && pass "sbin: ipfw-divert" ||
    fail "no executable $sbindir/ipfw-divert"
[ "$(readlink "$S$sbindir/ipfw")" = ipfw-divert ] && pass "sbin: ipfw -> ipfw-divert" ||
    fail "$sbindir/ipfw is not a link to ipfw-divert"

dlname=$(sed -n "s/^dlname='\(.*\)'$/\1/p" "$BUILD/libdivert.la")
real=$(sed -n "s/^library_names='\([^ ]*\) .*/\1/p" "$BUILD/libdivert.la")
[ "$dlname" = libdivert.so.1 ] && pass "libtool: soname libdivert.so.1" ||
    fail "libtool dlname is '$dlname', expected libdivert.so.1 (package libdivert1)"
[ -f "$S$libdir/$real" ] && [ ! -L "$S$libdir/$real" ] && pass "lib: $real" ||
    fail "no $libdir/$real"
[ "$(readlink "$S$libdir/$dlname")" = "$real" ] && pass "lib: $dlname -> $real" ||
    fail "$libdir/$dlname is not a link to $real"
[ -L "$S$libdir/libdivert.so" ] && [ -e "$S$libdir/libdivert.so" ] &&
    pass "lib: libdivert.so development link" || fail "no $libdir/libdivert.so link"
ls "$S$libdir"/libdivert.a >/dev/null 2>&1 && fail "static libdivert.a installed"
soname=$(readelf -d "$S$libdir/$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "$dlname" ] && pass "ELF: DT_SONAME $soname" ||
    fail "ELF DT_SONAME is '$soname', expected $dlname"

# Symbol versions: the API versioned, the hooked libc names unversioned (a versioned
# definition would never interpose on glibc's socket@GLIBC_2.2.5), no C++ internals.
nm -D --defined-only "$S$libdir/$real" | awk '$2 != "A" { print $3 }' >"$T/exports"
grep -qx 'divert_open@@LIBDIVERT_1.0' "$T/exports" && pass "exports: divert_open@@LIBDIVERT_1.0" ||
    { fail "divert_open is not versioned LIBDIVERT_1.0"; show "$T/exports"; }
for sym in socket bind recvfrom sendto setsockopt; do
    grep -qx "$sym" "$T/exports" && pass "exports: $sym unversioned" ||
        fail "$sym not exported unversioned: $(grep "^$sym\b" "$T/exports")"
done
if grep -E '^(_Z|__cxx|_ZT)|^divert_fwapi_' "$T/exports" >"$T/leaks"; then
    fail "C++ internals exported:"; show "$T/leaks"
else
    pass "exports: no C++ or internal symbols"
fi

[ -f "$S$includedir/divert.h" ] && pass "include: divert.h" || fail "no $includedir/divert.h"
for h in linux/ip_fw.h linux/ip_fwchains.h netinet/ip_fw.h netinet/in.h sys/socket.h; do
    [ -f "$S$includedir/divert-compat/$h" ] && pass "include: divert-compat/$h" ||
        fail "no $includedir/divert-compat/$h"
    # On the default path it would shadow the kernel's uapi headers for every program.
    [ -e "$S$includedir/$h" ] && fail "$h on the default include path ($includedir/$h)"
done

pc=$S$pkgconfigdir/libdivert.pc
[ "$pkgconfigdir" = "$libdir/pkgconfig" ] && [ -f "$pc" ] && pass "pkg-config: $pkgconfigdir/libdivert.pc" ||
    fail "no libdivert.pc in $libdir/pkgconfig"
cflags=$(pkg-config --cflags libdivert)
libs=$(pkg-config --libs libdivert)
case " $cflags " in
*" -I$S$includedir/divert-compat "*) pass "pkg-config --cflags: -I$includedir/divert-compat" ;;
*) fail "pkg-config --cflags lacks the compat include dir: $cflags" ;;
esac
case " $libs " in
*" -ldivert "*) pass "pkg-config --libs: -ldivert" ;;
*) fail "pkg-config --libs: $libs" ;;
esac
for var in libdir includedir; do
    got=$(PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=$var libdivert)
    [ "$got" = "${!var}" ] && pass "libdivert.pc: $var=$got" ||
        fail "libdivert.pc: $var is '$got', configured ${!var}"
done
lib=$("$S$bindir/divert-run" --print-library)
[ "$lib" = "$libdir/$dlname" ] && pass "divert-run preloads $libdir/$dlname" ||
    fail "divert-run --print-library: '$lib', expected $libdir/$dlname"

# Man pages: every page the build installs, in the directory of its section.
pages=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s --no-print-directory -C "$BUILD" docs-print-man-pages)
sections=
for rel in $pages; do
    base=${rel##*/}
    sec=${base##*.}
    sections="$sections $sec"
    [ -f "$S$mandir/man$sec/$base" ] && pass "man: man$sec/$base" || fail "no $mandir/man$sec/$base"
done
for sec in 1 3 7 8; do
    case " $sections " in *" $sec "*) ;; *) fail "no man page in section $sec" ;; esac
done

for doc in migration.md differences.md nftables-mapping.md porting.md; do
    [ -s "$S$docdir/$doc" ] && pass "doc: $docdir/$doc" || fail "no $docdir/$doc"
done

comp=$S$bashcompletiondir/ipchains
if [ -f "$comp" ] && bash -n "$comp" &&
    bash -c '. "$1" && complete -p ipchains' _ "$comp" >/dev/null 2>&1; then
    pass "bash completion: $bashcompletiondir/ipchains defines a completion for ipchains"
else
    fail "bash completion $bashcompletiondir/ipchains missing or broken"
fi

# Everything under the prefix (--libdir, --mandir... may point elsewhere only if configured so).
outside=$(cd "$S" && find . ! -type d | sed 's|^\.||' | while read -r f; do
    case $f in "$prefix"/* | "$libdir"/* | "$includedir"/* | "$mandir"/* | "$docdir"/* | \
        "$systemdsystemunitdir"/* | "$initdir"/*) ;;
    *) echo "$f" ;; esac
done)
[ -z "$outside" ] && pass "every file under the configured directories" ||
    fail "files outside the configured directories: $outside"

# DESTDIR respected: nothing of ours appeared in the real directories during the install.
real_new=$(find "$sbindir" "$bindir" "$libdir" "$includedir" -maxdepth 1 -newer "$T/marker" \
    \( -name 'ipchains*' -o -name 'libdivert*' -o -name 'divert*' \) 2>/dev/null)
[ -z "$real_new" ] && pass "DESTDIR: nothing written to $prefix itself" ||
    fail "written outside DESTDIR: $real_new"

# ---- uninstall
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -C "$BUILD" uninstall DESTDIR="$S" >"$T/uninstall.log" 2>&1; then
    pass "make uninstall DESTDIR=<stage>"
else
    fail "make uninstall"
    tail -20 "$T/uninstall.log" | show /dev/stdin
fi
left=$(cd "$S" && find . ! -type d)
[ -z "$left" ] && pass "uninstall: no file or link left" || fail "uninstall left: $left"
nonempty=$(cd "$S" && find . -mindepth 1 -type d ! -empty | while read -r d; do
    [ -n "$(find "$d" ! -type d)" ] && echo "$d"; done)
[ -z "$nonempty" ] || fail "uninstall: directories still holding files: $nonempty"
# Only shared directories may stay (automake never removes them); ours must be gone.
for own in "$includedir/divert-compat" "$docdir"; do
    [ -e "$S$own" ] && fail "uninstall left our own directory $own" ||
        pass "uninstall: $own removed"
done
echo "# empty shared directories left (as every automake package leaves them):"
(cd "$S" && find . -mindepth 1 -type d -empty | sed 's|^\.|#   |' | sort)

finish
