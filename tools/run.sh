#!/bin/sh
# One entry point for a fresh Debian 12 machine (run as root from a clean checkout):
#   sh tools/run.sh demo   install the dependencies, build, run tools/demo.sh
#   sh tools/run.sh test   install the dependencies, build, run every suite (make check)
# Environment:
#   BUILD_DIR=dir   build tree (default: build/ in the checkout)
#   NO_APT=1        skip apt-get (dependencies already installed)
#   JOBS=n          parallel make jobs (default: number of CPUs)
# Exits non-zero as soon as a step fails.
set -eu

usage() {
    echo "usage: sh tools/run.sh demo|test" >&2
    exit 2
}
[ $# -eq 1 ] || usage
mode=$1
case $mode in demo | test) ;; *) usage ;; esac

SRC=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

step() { printf '\n==> %s\n' "$*"; }

# Build tools, libraries the configure script checks, and what the suites run: nftables and
# iptables (the two backends), iproute2/iputils-ping/socat/netbase for the kernel suites
# (namespaces, probes, /etc/services), cmake for ctest, groff/man-db for the man page suites,
# tcpdump for checksum checks, debhelper/dpkg-dev/fakeroot/lintian for the package suite.
PACKAGES="autoconf automake libtool pkg-config make g++ gcc
    libmnl-dev libnftnl-dev libnetfilter-queue-dev libip4tc-dev libiptc-dev libxtables-dev
    libboost-program-options-dev libgtest-dev libbenchmark-dev
    nftables iptables iproute2 iputils-ping socat netbase procps kmod util-linux
    cmake groff-base man-db binutils tcpdump valgrind
    debhelper dpkg-dev fakeroot lintian rpm"

install_dependencies() {
    if [ "${NO_APT:-0}" = 1 ]; then
        step "NO_APT=1: not installing packages"
        return
    fi
    sudo=
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "run.sh: run as root (apt-get, and the kernel suites need root)" >&2
            exit 1
        }
        sudo=sudo
    fi
    step "apt-get update && apt-get install (build and test dependencies)"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        $PACKAGES
}

build() {
    step "autoreconf -fi"
    (cd "$SRC" && autoreconf -fi)
    # A tree configured in place cannot also host a separate build directory.
    if [ -f "$SRC/config.status" ]; then
        BUILD_DIR=${BUILD_DIR:-$SRC}
    else
        BUILD_DIR=${BUILD_DIR:-$SRC/build}
    fi
    mkdir -p "$BUILD_DIR"
    BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
    step "configure (in $BUILD_DIR)"
    (cd "$BUILD_DIR" && "$SRC/configure" -q)
    step "make -j$JOBS"
    (cd "$BUILD_DIR" && make -j"$JOBS")
}

install_dependencies
build

case $mode in
demo)
    step "demo: ipchains -j DIVERT and the interceptor"
    sh "$SRC/tools/demo.sh" "$BUILD_DIR"
    ;;
test)
    [ "$(id -u)" -eq 0 ] || echo "run.sh: not root: the kernel suites will FAIL" >&2
    step "make check (ctest: unit, docs, kernel suites)"
    (cd "$BUILD_DIR" && make -j"$JOBS" check)
    echo
    echo "ALL TESTS PASSED"
    ;;
esac
