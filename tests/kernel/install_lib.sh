# Shared by tests/kernel/install_*.sh: installs the build tree into a private staging
# directory (make install DESTDIR=...) and points pkg-config at it, the way a user's program
# sees the installed library. No root, no namespaces, no kernel access.
#
# Usage from a test: BUILD=<build tree> SRC=<source tree>; . install_lib.sh; stage_install

set -u
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$PWD}
TEST_NAME=$(basename "$0" .sh)
CHECKS=0
FAILS=0
T=$(mktemp -d "/tmp/fwapi-${TEST_NAME}.XXXXXX")
trap 'rm -rf "$T"' EXIT
CC=${CC:-cc}
CXX=${CXX:-c++}

pass() { CHECKS=$((CHECKS + 1)); echo "ok - $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL - $*"; }
show() { sed 's/^/    | /' "$1"; }
finish() {
    if [ "$FAILS" -eq 0 ]; then
        echo "PASS - $TEST_NAME: $CHECKS checks"
        exit 0
    fi
    echo "FAIL - $TEST_NAME: $FAILS of $CHECKS checks failed"
    exit 1
}

# stage_install: make install into $STAGE; sets PKG_CONFIG_PATH/PKG_CONFIG_SYSROOT_DIR so
# `pkg-config libdivert` answers with paths inside the stage, and LIBDIR to the staged libdir.
stage_install() {
    STAGE=$T/stage
    # Under `make check` the parent's jobserver flags must not leak into this make.
    if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
        make -C "$BUILD" install DESTDIR="$STAGE" >"$T/install.log" 2>&1; then
        fail "make install DESTDIR=$STAGE"
        tail -30 "$T/install.log" | show /dev/stdin
        finish
    fi
    pass "make install DESTDIR=<stage>"
    local libdir
    libdir=$(PKG_CONFIG_PATH=$BUILD/libdivert pkg-config --variable=libdir libdivert)
    LIBDIR=$STAGE$libdir
    PKG_CONFIG_PATH=$LIBDIR/pkgconfig
    PKG_CONFIG_SYSROOT_DIR=$STAGE
    PKG_CONFIG_LIBDIR=$LIBDIR/pkgconfig
    export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
    if pkg-config --exists libdivert; then
        pass "pkg-config finds the staged libdivert.pc"
    else
        fail "pkg-config cannot find libdivert in $PKG_CONFIG_PATH"
        finish
    fi
}
