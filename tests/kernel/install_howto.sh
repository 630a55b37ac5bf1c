#!/bin/bash
# A 1999 divert program builds unchanged against the INSTALLED libdivert: make install into a
# stage, then `cc -DREINJECT -DFIREWALL prog.c $(pkg-config --cflags --libs libdivert)`,
# exactly as its README said to build it (plus pkg-config). See docs/porting.md.
# Usage: BUILD=<build tree> SRC=<source tree> install_howto.sh
. "$(dirname "$0")/install_lib.sh"
stage_install

LEGACY=$SRC/interceptor/legacy/howto_interceptor.c
MODERN=$SRC/interceptor/interceptor.c
PC_FLAGS=$(pkg-config --cflags --libs libdivert)

# build DESC OUTPUT CC-ARGS...: must compile and link without any error.
build() {
    local desc=$1 out=$2
    shift 2
    if "$@" -o "$out" >"$T/cc.log" 2>&1; then
        pass "$desc"
        [ -s "$T/cc.log" ] && grep -E 'warning' "$T/cc.log" | sed 's/^/    # /'
        return 0
    fi
    fail "$desc"
    show "$T/cc.log"
    return 1
}

# shellcheck disable=SC2086
build "legacy program, cc -DREINJECT -DFIREWALL + pkg-config" "$T/legacy" \
    $CC -DREINJECT -DFIREWALL "$LEGACY" $PC_FLAGS
# GCC 14 makes these three diagnostics errors by default; the pkg-config flags
# (-D_GNU_SOURCE, and the header declaring inet_ntoa) must keep the program clean of them.
# shellcheck disable=SC2086
build "legacy program under GCC 14's default errors" "$T/legacy14" \
    $CC -DREINJECT -DFIREWALL -Werror=implicit-function-declaration \
    -Werror=incompatible-pointer-types -Werror=int-conversion "$LEGACY" $PC_FLAGS
# shellcheck disable=SC2086
build "legacy program without -DFIREWALL/-DREINJECT" "$T/legacy-plain" $CC "$LEGACY" $PC_FLAGS
# shellcheck disable=SC2086
build "interceptor (modern C) with -Wall -Wextra -Werror" "$T/modern" \
    $CC -std=gnu17 -Wall -Wextra -Werror -DREINJECT "$MODERN" $PC_FLAGS

# inet_ntoa really is declared: an implicit int would truncate the pointer on LP64.
if [ -x "$T/legacy" ] && nm -u "$T/legacy" | grep -q inet_ntoa &&
    ! $CC -DREINJECT -DFIREWALL -Werror=implicit-function-declaration -fsyntax-only \
        "$LEGACY" $(pkg-config --cflags libdivert) 2>&1 | grep -q inet_ntoa; then
    pass "inet_ntoa declared through <linux/ip_fw.h>"
else
    fail "inet_ntoa not declared for the legacy program"
fi

# Linked against the staged library, and it loads: no arguments prints the usage line.
if ldd "$T/legacy" 2>/dev/null | grep -q 'libdivert\.so'; then
    pass "legacy program is linked with libdivert"
else
    fail "legacy program is not linked with libdivert"
    ldd "$T/legacy" | show /dev/stdin
fi
LD_LIBRARY_PATH=$LIBDIR "$T/legacy" >"$T/run.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^Usage: .* <port number>$' "$T/run.out"; then
    pass "legacy program starts with the staged library (usage, exit 1)"
else
    fail "legacy program did not start with the staged library (exit $rc)"
    show "$T/run.out"
fi

# divert-run and the man pages are installed; divert-run names an installed library.
bindir=$(PKG_CONFIG_PATH=$BUILD/libdivert PKG_CONFIG_SYSROOT_DIR= PKG_CONFIG_LIBDIR= \
    pkg-config --variable=exec_prefix libdivert)/bin
RUNNER=$STAGE$bindir/divert-run
if [ -x "$RUNNER" ]; then
    pass "divert-run installed"
    lib=$("$RUNNER" --print-library)
    if [ -e "$STAGE$lib" ] && [ "$(dirname "$STAGE$lib")" = "$LIBDIR" ]; then
        pass "divert-run preloads $lib (installed)"
    else
        fail "divert-run names $lib, not an installed file"
    fi
    if DIVERT_RUN_LIBRARY=$STAGE$lib "$RUNNER" sh -c 'echo "$LD_PRELOAD"' |
        grep -qx "$STAGE$lib"; then
        pass "divert-run sets LD_PRELOAD and execs the program"
    else
        fail "divert-run does not set LD_PRELOAD"
    fi
else
    fail "divert-run not installed at $bindir"
fi
for page in man1/divert-run.1 man3/libdivert.3; do
    if find "$STAGE" -path "*/man/$page" | grep -q .; then
        pass "man page $page installed"
    else
        fail "man page $page not installed"
    fi
done
finish
