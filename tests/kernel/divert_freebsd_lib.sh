# Harness of the FreeBSD divert(4) suites (tests/kernel/divert_freebsd*.sh): divert_lib.sh
# (namespaces, probes, reporting, divert program helpers) plus a staged `make install` and the
# FreeBSD-style programs of tests/kernel/freebsd/, compiled against it exactly as a user
# would: cc prog.c $(pkg-config --cflags --libs libdivert).
. "$(dirname "${BASH_SOURCE[0]}")/divert_lib.sh"

FREEBSD_SRC=$SRC/tests/kernel/freebsd

# The rules that select packets. One line each to change when the rules come from `ipfw`:
#   fw_divert NS NUM in|out PORT PROTO DST DPORT: rule number NUM diverts PROTO packets to
#   DST:DPORT, coming in or going out, to PORT (ipchains: NUM is the rule's position, so
#   suites add rules in number order after fw_flush).
fw_divert() { ipc "$1" -A "$([ "$3" = in ] && echo input || echo output)" -p "$5" -d "$6" "$7" -j DIVERT "$4"; }
#   fw_flush NS: no rules.
fw_flush() { ipc "$1" -F; on "$1" iptables-legacy -t mangle -F OUTPUT 2>/dev/null; :; }
#   fw_tee NS NUM out PORT PROTO DST DPORT: a TEE rule, outgoing only. Until a front-end
#   compiles TEE, installed by hand as the compiled rule behaves (docs/design.md "Mark bits"):
#   an unstamped packet gets TEE|site NUM and is queued; its original comes back from
#   libdivert as RESUME|site, which neither rule matches any more.
fw_tee() { _fw_tee_by_hand "$@"; }
_fw_tee_by_hand() {
    local tee=$(((5 << 28) | ($2 << 16)))
    on "$1" iptables-legacy -t mangle -A OUTPUT -p "$5" -d "$6" --dport "$7" \
        -m mark --mark 0/0x7fff0000 -j MARK --set-xmark "$tee/0x7fff0000" &&
        on "$1" iptables-legacy -t mangle -A OUTPUT -p "$5" -d "$6" --dport "$7" \
            -m mark --mark "$tee/0x7fff0000" -j NFQUEUE --queue-num "$4" ||
        fail "fw_tee $*: iptables-legacy refused the rules"
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
