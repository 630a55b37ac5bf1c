# Harness of the FreeBSD divert(4) suites (tests/kernel/divert_freebsd*.sh): divert_lib.sh
# (namespaces, probes, reporting, divert program helpers) plus a staged `make install` and the
# FreeBSD-style programs of tests/kernel/freebsd/, compiled against it exactly as a user
# would: cc prog.c $(pkg-config --cflags --libs libdivert).
. "$(dirname "${BASH_SOURCE[0]}")/divert_lib.sh"

FREEBSD_SRC=$SRC/tests/kernel/freebsd

# The rules that select packets, added by the ipfw front-end as a FreeBSD setup script would
# (docs/ipfw.md); $IPFW is the built ipfw-divert.
IPFW=${IPFW:-$BUILD/ipfw-divert}
[ -x "$IPFW" ] || die "missing $IPFW (build the tree first)"
#   fw_divert NS NUM in|out PORT PROTO DST DPORT: ipfw rule NUM diverts PROTO packets to
#   DST:DPORT, coming in or going out, to PORT.
fw_divert() {
    on "$1" "$IPFW" -q add "$2" divert "$4" "$5" from any to "$6" "$7" "$3" ||
        fail "fw_divert $*: ipfw refused the rule"
}
#   fw_flush NS: no rules.
fw_flush() { ipc "$1" -F; }
#   fw_tee NS NUM out PORT PROTO DST DPORT: ipfw rule NUM tees PROTO packets to DST:DPORT,
#   going out, to PORT: a copy to the program, the original goes on.
fw_tee() {
    on "$1" "$IPFW" -q add "$2" tee "$4" "$5" from any to "$6" "$7" "$3" ||
        fail "fw_tee $*: ipfw refused the rule"
}

# stage_and_build PROG...: make install into $T/stage, then compiles each
# tests/kernel/freebsd/PROG.c with the staged pkg-config answer into $T/bin/PROG (an rpath to
# the staged libdir stands in for ldconfig). DIVERT_BIN then points there (dv_start).
stage_and_build() {
    local stage=$T/stage libdir prog
    if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
        make -C "$BUILD" install DESTDIR="$stage" >"$T/install.log" 2>&1; then
        fail "make install DESTDIR=<stage>"
        show "$T/install.log"
        finish
    fi
    libdir=$stage$(PKG_CONFIG_PATH=$BUILD/libdivert pkg-config --variable=libdir libdivert)
    export PKG_CONFIG_LIBDIR=$libdir/pkgconfig PKG_CONFIG_PATH=$libdir/pkgconfig \
        PKG_CONFIG_SYSROOT_DIR=$stage
    mkdir -p "$T/bin"
    for prog in "$@"; do
        # shellcheck disable=SC2046
        if cc -Wall -Werror -o "$T/bin/$prog" "$FREEBSD_SRC/$prog.c" \
            $(pkg-config --cflags --libs libdivert) -Wl,-rpath,"$libdir" >"$T/cc.log" 2>&1; then
            pass "$prog.c builds with cc \$(pkg-config --cflags --libs libdivert)"
        else
            fail "$prog.c does not build"
            show "$T/cc.log"
        fi
    done
    DIVERT_BIN=$T/bin
}

# ifindex NS IF: the interface's index.
ifindex() { ip -n "$1" -o link show "$2" | cut -d: -f1; }

# never_arrived DESC NAME TEXT: TEXT is not at the sink (after NEG_WAIT).
never_arrived() {
    sleep "$NEG_WAIT"
    if grep -qF -- "$3" "$T/$2.sink"; then
        fail "$1"
        show "$T/$2.sink"
    else
        pass "$1"
    fi
}
