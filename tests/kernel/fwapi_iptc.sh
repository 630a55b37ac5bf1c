#!/bin/bash
# libiptc (iptables-legacy) and the 2.2 API in one preloaded process: iptables reuses option
# numbers 64 and 65, and libdivert must pass libiptc's calls to the kernel untouched while it
# still takes the 2.2 ones (docs/reference/firewall-api.md 11). Skips (77) when the kernel has no
# ip_tables.
. "$(dirname "$0")/fwapi_common.sh"

IPTC=$BUILD/libdivert/fwapi/tests/fwapi_iptc
[ -x "$IPTC" ] || die "missing $IPTC (make check builds it)"
command -v iptables-legacy >/dev/null || die "missing tool 'iptables-legacy'"

ns_new HOST host
on "$HOST" iptables-legacy -L -n >/dev/null 2>&1 || skip "ip_tables (legacy iptables)"

run "$HOST" "$DIVERT_RUN" "$IPTC"
[ "$RC" -eq 77 ] && skip "ip_tables: $(cat "$T/out")"
same_text "libiptc commits and 2.2 calls interleave in one process" <(cat <<'OUT'
iptc create chain: ok
2.2 append: ok
add_counters(72 bytes): ENOENT
iptc delete chain: ok
2.2 delete: ok
OUT
) "$T/out"

# The kernel really saw libiptc's commits: a chain made by libiptc in the preloaded process.
run "$HOST" "$DIVERT_RUN" "$SOCKOPT" create marker
cat >"$T/mk.c" <<'C'
#include <errno.h>
#include <libiptc/libiptc.h>
#include <stdio.h>
int main(void)
{
    struct xtc_handle *h = iptc_init("filter");
    if (!h || !iptc_create_chain("fwapiK", h) || !iptc_commit(h)) {
        puts(iptc_strerror(errno));
        return 1;
    }
    puts("committed");
    return 0;
}
C
if ${CC:-cc} -o "$T/mk" "$T/mk.c" $(pkg-config --cflags --libs libip4tc) 2>"$T/cc.err"; then
    expect_stdout "a libiptc program runs under divert-run" "$HOST" "$DIVERT_RUN" "$T/mk" <<'OUT'
committed
OUT
    expect_grep "iptables-legacy lists the chain libiptc made" '^Chain fwapiK ' \
        <(on "$HOST" iptables-legacy -L -n)
    on "$HOST" iptables-legacy -X fwapiK
else
    fail "cannot build the libiptc probe"
    show "$T/cc.err"
fi

# ...and the 2.2 rules went to the ipchains table, not to ip_tables.
expect_grep "the 2.2 call made an ipchains chain" '^Chain marker ' <(on "$HOST" ipchains -L -n)
if on "$HOST" iptables-legacy -L -n | grep -q '^Chain marker'; then
    fail "the 2.2 chain leaked into ip_tables"
else
    pass "the 2.2 chain is not in ip_tables"
fi
finish
