#!/bin/bash
# The installed compat <linux/ip_fw.h> (and its aliases) compiles in every include order the
# 2.2-era programs used, with or without their prerequisite headers, in C and C++
# (docs/reference/firewall-api.md 1.3), and has the 2.2 struct layout (section 3). The compat
# <netinet/in.h> gives FreeBSD-style programs IPPROTO_DIVERT (254), the compat <sys/socket.h>
# PF_DIVERT (254), and only to pkg-config users.
# Usage: BUILD=<build tree> SRC=<source tree> install_headers.sh
. "$(dirname "$0")/install_lib.sh"
stage_install

CFLAGS_PC=$(pkg-config --cflags libdivert)
# What the test programs use from the header, so "compiles" also means "usable".
cat >"$T/use.h" <<'USE'
static int use_header(void)
{
    struct ip_fwtest t;
    struct ip_fwchange c;
    struct in_addr a;
    char name[IFNAMSIZ];
    a.s_addr = 0;
    t.fwt_packet.fwp_iph.saddr = 0;
    t.fwt_packet.fwp_protoh.fwp_tcph.source = 0;
    t.fwt_packet.fwp_protoh.fwp_tcph.syn = 1;
    t.fwt_packet.fwp_protoh.fwp_udph.dest = 0;
    t.fwt_packet.fwp_protoh.fwp_icmph.type = 8;
    c.fwc_rule.ipfw.fw_proto = IPPROTO_DIVERT - 253;
    name[0] = 0;
    return (int)sizeof t + (int)sizeof c + inet_ntoa(a)[0] + name[0] + IP_FW_APPEND;
}
USE

# case NAME LINES...: a translation unit of those lines, then use.h and a main.
check_case() {
    local name=$1
    shift
    local f=$T/$name.c line
    : >"$f"
    for line in "$@"; do printf '%s\n' "$line" >>"$f"; done
    printf '#include "use.h"\nint main(void) { return use_header() == 0; }\n' >>"$f"
    local lang std
    # c99 without -D_GNU_SOURCE: glibc then hides struct tcphdr (__USE_MISC).
    for lang in "c:gnu17" "c:c99" "c:c99:strict" "c:gnu89" "c++:c++17" "c++:c++98"; do
        std=${lang#*:}
        std=${std%%:*}
        local compiler=$CC werror=-Werror=implicit-function-declaration cflags=$CFLAGS_PC
        [ "${lang%%:*}" = "c++" ] && compiler=$CXX werror=
        [ "${lang##*:}" = "strict" ] && cflags=${CFLAGS_PC//-D_GNU_SOURCE/}
        # shellcheck disable=SC2086
        if $compiler -x "${lang%%:*}" -std="$std" -Wall -Werror -Wno-unused-function \
            $werror $cflags -I"$T" -c "$f" -o "$T/out.o" >"$T/cc.log" 2>&1; then
            pass "$name (${lang#*:})"
        else
            fail "$name (${lang#*:})"
            show "$T/cc.log"
        fi
    done
}

check_case alone '#include <linux/ip_fw.h>'
check_case howto_order '#include <netinet/in.h>' '#include <netinet/ip.h>' \
    '#include <netinet/tcp.h>' '#include <netinet/udp.h>' '#include <net/if.h>' \
    '#include <linux/types.h>' '#include <linux/icmp.h>' '#include <linux/ip_fw.h>' \
    '#define IPPROTO_DIVERT 254'
check_case divert_defined_first '#define IPPROTO_DIVERT 254' '#include <linux/ip_fw.h>'
check_case glibc_icmp_first '#include <netinet/ip_icmp.h>' '#include <linux/ip_fw.h>'
check_case kernel_ip_first '#include <linux/ip.h>' '#include <linux/ip_fw.h>'
check_case kernel_if_first '#include <linux/if.h>' '#include <linux/ip_fw.h>'
check_case kernel_tcp_udp_first '#include <linux/tcp.h>' '#include <linux/udp.h>' \
    '#include <linux/ip_fw.h>'
check_case prerequisites_after '#include <linux/ip_fw.h>' '#include <netinet/in.h>' \
    '#include <netinet/ip.h>' '#include <netinet/tcp.h>' '#include <netinet/udp.h>' \
    '#include <net/if.h>' '#include <arpa/inet.h>' '#include <linux/types.h>' \
    '#include <linux/icmp.h>' '#include <linux/if.h>' '#define IPPROTO_DIVERT 254'
check_case aliases '#include <linux/ip_fwchains.h>' '#include <netinet/ip_fw.h>' \
    '#include <linux/ip_fw.h>'

# Layout, against the installed header.
LAYOUT=$SRC/libdivert/fwapi/tests
# shellcheck disable=SC2086
if $CC -std=c11 $CFLAGS_PC -I"$LAYOUT" -o "$T/layout" "$LAYOUT/layout_test.c" >"$T/cc.log" 2>&1 &&
    "$T/layout"; then
    pass "struct sizes and offsets (C)"
else
    fail "struct sizes and offsets (C)"
    show "$T/cc.log"
fi
# shellcheck disable=SC2086
if $CXX -std=c++17 $CFLAGS_PC -I"$LAYOUT" -o "$T/layoutxx" "$LAYOUT/layout_test_cxx.cpp" \
    >"$T/cc.log" 2>&1 && "$T/layoutxx"; then
    pass "struct sizes and offsets (C++)"
else
    fail "struct sizes and offsets (C++)"
    show "$T/cc.log"
fi

# IPPROTO_DIVERT from <netinet/in.h> alone, as FreeBSD programs expect it.
cat >"$T/bsd.c" <<'BSD'
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

typedef char ipproto_divert_is_254[IPPROTO_DIVERT == 254 ? 1 : -1];

int main(void)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(8000);
    sin.sin_addr.s_addr = INADDR_ANY;
    return (fd < 0) + (int)sizeof(ipproto_divert_is_254) - 1 + (sin.sin_port == 0);
}
BSD
# The program's own identical #define, before and after the include.
{ echo '#define IPPROTO_DIVERT 254'; cat "$T/bsd.c"; } >"$T/own_first.c"
sed 's|^#include <netinet/in.h>$|&\n#define IPPROTO_DIVERT 254|' "$T/bsd.c" >"$T/own_after.c"
# A different value after the include: the header did define it, so the compiler objects.
sed 's|^#include <netinet/in.h>$|&\n#define IPPROTO_DIVERT 255|' "$T/bsd.c" >"$T/own_other.c"
cat >"$T/bsd.cpp" <<'CXX'
#include <netinet/in.h>
#include <sys/socket.h>
#if __cplusplus >= 201103L
static_assert(IPPROTO_DIVERT == 254, "IPPROTO_DIVERT");
#endif
typedef char ipproto_divert_is_254[IPPROTO_DIVERT == 254 ? 1 : -1];
int main() { return socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT) < 0 && sizeof(ipproto_divert_is_254) != 1; }
CXX

# cc_ok DESC CC-ARGS...: compiles and links without a diagnostic.
cc_ok() {
    local desc=$1
    shift
    if "$@" -o "$T/prog" >"$T/cc.log" 2>&1 && [ ! -s "$T/cc.log" ]; then
        pass "$desc"
    else
        fail "$desc"
        show "$T/cc.log"
    fi
}
# cc_fails DESC PATTERN CC-ARGS...: does not compile, with a diagnostic matching PATTERN.
cc_fails() {
    local desc=$1 pattern=$2
    shift 2
    if "$@" -o "$T/prog" >"$T/cc.log" 2>&1; then
        fail "$desc: compiled"
    elif grep -qE "$pattern" "$T/cc.log"; then
        pass "$desc"
    else
        fail "$desc: no diagnostic matching /$pattern/"
        show "$T/cc.log"
    fi
}

PC_ALL="$CFLAGS_PC $(pkg-config --libs libdivert)"
WARN="-Wall -Wextra -Wpedantic -Werror"
for std in gnu17 c99 c89; do
    # shellcheck disable=SC2086
    cc_ok "FreeBSD-style <netinet/in.h> gives IPPROTO_DIVERT 254 ($std)" \
        $CC -std=$std $WARN "$T/bsd.c" $PC_ALL
    # shellcheck disable=SC2086
    cc_ok "own #define IPPROTO_DIVERT 254 before <netinet/in.h> ($std)" \
        $CC -std=$std $WARN "$T/own_first.c" $PC_ALL
    # shellcheck disable=SC2086
    cc_ok "own #define IPPROTO_DIVERT 254 after <netinet/in.h> ($std)" \
        $CC -std=$std $WARN "$T/own_after.c" $PC_ALL
done
# shellcheck disable=SC2086
cc_fails "own #define IPPROTO_DIVERT 255 after <netinet/in.h>: redefined" \
    'IPPROTO_DIVERT.*redefined' $CC -Wall -Werror -c "$T/own_other.c" $CFLAGS_PC
# Without libdivert's flags the system header is untouched.
# shellcheck disable=SC2086
cc_fails "without pkg-config flags: IPPROTO_DIVERT undeclared" \
    'IPPROTO_DIVERT.*undeclared|undeclared.*IPPROTO_DIVERT' $CC -Wall -c "$T/bsd.c"
for std in c++17 c++98; do
    # shellcheck disable=SC2086
    cc_ok "C++ <netinet/in.h> gives IPPROTO_DIVERT 254 ($std)" \
        $CXX -std=$std $WARN "$T/bsd.cpp" $PC_ALL
done
# shellcheck disable=SC2086
cc_fails "C++ without pkg-config flags: IPPROTO_DIVERT undeclared" \
    "IPPROTO_DIVERT.*(undeclared|not declared)|undeclared.*IPPROTO_DIVERT" $CXX -c "$T/bsd.cpp"

# FreeBSD 14's PF_DIVERT: from <sys/socket.h> with the pkg-config flags (254, never AF_XDP's
# 44), identical to <divert.h>'s so both together draw no warning; absent without the flags.
cat >"$T/pfdivert.c" <<'SRC'
#include <sys/socket.h>
#include <divert.h>
#include <sys/socket.h>
int main(void) { return !(PF_DIVERT == 254 && AF_DIVERT == PF_DIVERT && PF_DIVERT != AF_XDP); }
SRC
cp "$T/pfdivert.c" "$T/pfdivert.cpp"
# shellcheck disable=SC2086
cc_ok "<sys/socket.h> gives PF_DIVERT 254, the same as <divert.h> (C)" \
    $CC -std=c99 $WARN "$T/pfdivert.c" $PC_ALL
# shellcheck disable=SC2086
cc_ok "<sys/socket.h> gives PF_DIVERT 254, the same as <divert.h> (C++98)" \
    $CXX -std=c++98 $WARN "$T/pfdivert.cpp" $PC_ALL
printf '#include <sys/socket.h>\nint main(void) { return PF_DIVERT; }\n' >"$T/nopf.c"
cc_fails "without pkg-config flags: PF_DIVERT undeclared" \
    'PF_DIVERT.*undeclared|undeclared.*PF_DIVERT' $CC -Wall -c "$T/nopf.c"

# The FreeBSD-named alias and the <netinet/in.h> wrapper exist only in the compat directory.
inc=$STAGE$(PKG_CONFIG_PATH=$BUILD/libdivert PKG_CONFIG_SYSROOT_DIR='' PKG_CONFIG_LIBDIR='' \
    pkg-config --variable=includedir libdivert)
for h in netinet/ip_fw.h netinet/in.h sys/socket.h; do
    if [ -e "$inc/$h" ]; then
        fail "$h must not be installed on the default include path"
    elif [ ! -f "$inc/divert-compat/$h" ]; then
        fail "$h not installed under divert-compat"
    else
        pass "$h only under divert-compat"
    fi
done
finish
