#!/bin/bash
# -V prints the 1.3.9 version line; --version and --status also say which backend and which
# DIVERT mechanism were picked, and why. On a kernel without nft_queue (the `queue` expression)
# that must be the xt NFQUEUE target.
. "$(dirname "$0")/lib.sh"

ns_new NS status

run "$NS" ipchains -V
[ "$RC" -eq 0 ] && [ "$(head -1 "$T/out")" = "ipchains 1.3.9, 17-Mar-1999" ] &&
    pass "-V starts with the 1.3.9 version line" ||
    { fail "-V: exit $RC"; show "$T/out"; show "$T/err"; }

run "$NS" ipchains --version
[ "$RC" -eq 0 ] && [ "$(head -1 "$T/out")" = "ipchains 1.3.9, 17-Mar-1999" ] &&
    pass "--version starts with the 1.3.9 version line" ||
    { fail "--version: exit $RC"; show "$T/out"; show "$T/err"; }
expect_grep "--version names the DIVERT mechanism" 'NFQUEUE|queue' "$T/out"

expect_rc "--status" 0 "$NS" ipchains --status
cp "$T/out" "$T/status"
expect_grep "--status names the DIVERT mechanism" 'NFQUEUE|queue' "$T/status"

# What this kernel offers decides what the status must say.
if on "$NS" nft -f - >/dev/null 2>&1 <<'EOF'
table ip kprobe {
    chain out { type filter hook output priority 0; queue num 1 bypass; }
}
EOF
then
    on "$NS" nft delete table ip kprobe
    echo "# this kernel has nft_queue"
else
    expect_grep "no nft_queue here: --status says xt NFQUEUE" 'xt NFQUEUE' "$T/status"
fi

# Status is read-only: no table appears.
if on "$NS" nft list table ip ipchains >/dev/null 2>&1; then
    fail "--status/--version created table ip ipchains"
else
    pass "--status and --version leave the kernel alone"
fi

finish
