#!/bin/bash
# Bad command lines: exit 2, `ipchains: <message naming the token>` plus the "Try" line on
# stderr, nothing on stdout, and the kernel ruleset byte-for-byte unchanged (checked with a
# rule set present, and on an empty kernel, where a failing command must not create the table).
. "$(dirname "$0")/lib.sh"

ns_new NS err

TRY="Try \`ipchains -h' or 'ipchains --help' for more information."

# bad DESC MESSAGE ARGS...: exit 2, exactly MESSAGE + the Try line, kernel unchanged. A
# MESSAGE ending in \n is one of those 1.3.9 printed with a newline of its own: a blank line
# comes before "Try".
bad() {
    local desc=$1 msg=$2
    shift 2
    kernel_state "$NS" "$T/before"
    expect_error "$desc" 2 "$NS" ipchains "$@" < <(printf 'ipchains: %b\n%s\n' "$msg" "$TRY")
    [ -s "$T/out" ] && { fail "$desc: printed on stdout"; show "$T/out"; }
    kernel_state "$NS" "$T/after"
    cmp -s "$T/before" "$T/after" || { fail "$desc: the kernel ruleset changed";
        diff -u "$T/before" "$T/after" | sed 's/^/    | /'; }
}

run_all() {
    bad "unknown protocol" "unknown protocol \`bogus' specified" -A input -p bogus -j ACCEPT
    bad "bad mask" "invalid mask \`33' specified" -A input -s 10.199.1.0/33 -j ACCEPT
    bad "bad port" "invalid port/service \`nosuchservice' specified" \
        -A input -p tcp -d 0/0 nosuchservice -j ACCEPT
    bad "ports without a protocol" "can only specify ports for icmp, tcp or udp" \
        -A input -d 0/0 80 -j ACCEPT
    bad "-y without tcp" "-y only allowed with TCP protocol" -A input -p udp -y -j ACCEPT
    bad "DIVERT without a port" "-j DIVERT requires a port number (1-65535)" \
        -A input -p icmp -j DIVERT
    bad "DIVERT port 0" "-j DIVERT requires a port number (1-65535)" -A input -j DIVERT 0
    bad "DIVERT port name" "-j DIVERT requires a port number (1-65535)" -A input -j DIVERT http
    bad "MASQ on input" "masquerading not allowed for input and output chains" \
        -A input -j MASQ
    bad "REDIRECT on output" "redirect not allowed for output and forward chains" \
        -A output -p tcp -j REDIRECT 80
    bad "REDIRECT of ICMP" "redirecting only allowed with TCP or UDP" \
        -A input -p icmp -j REDIRECT 80
    bad "chain name too long" "chain name \`abcdefghi' too long (must be under 8 chars)" \
        -N abcdefghi
    bad "target name too long" "Invalid target name \`abcdefghi' (8 chars max)" \
        -A input -j abcdefghi
    bad "interface name too long" \
        "interface name \`abcdefghijklmnopq' must be shorter than IFNAMSIZ (16)" \
        -A input -i abcdefghijklmnopq -j ACCEPT
    bad "MASQ policy on input" "\`-P MASQ' only valid for \`forward' chain." -P input MASQ
    bad "invalid policy" "Invalid policy \`DIVERT' for -P" -P input DIVERT
    bad "duplicate option" "multiple -p flags not allowed\n" -A input -p tcp -p udp
    bad "no command" "no command specified" -p tcp
    bad "two commands" "Can't use -D with -A\n" -A input -D input
    bad "stray word" "unknown arguments found on commandline" -A input -p tcp extra words
    bad "bad rule number" "Invalid rule number \`x1'" -R input x1 -j ACCEPT
    bad "bad TOS" "invalid hexbyte \`zz' specified" -A input -t zz 00
    bad "TOS bit 0" "TOS manipulation cannot alter bit 0 (RFC1349)\n" -A input -t 00 00
    bad "bad mark" "Bad value \`q' for -m.\n" -A input -m q
    bad "! before an option that takes none" "cannot have ! before -l\n" -A input ! -l
    bad "policy on a user chain" "Can only set policy in built-in chains." -P user ACCEPT
    bad "! at the end" "nothing appropriate following !" -A input -p tcp !
}

# On an empty kernel: no ipchains table may appear.
run_all
if on "$NS" nft list table ip ipchains >/dev/null 2>&1; then
    fail "a failed command created table ip ipchains"
else
    pass "failed commands on an empty kernel created nothing"
fi

# With rules present.
ipc "$NS" -N user
ipc "$NS" -A input -p udp -s 10.199.1.0/24 -j user
ipc "$NS" -A user -p icmp -j DIVERT 7001
run_all

# Kernel-side failures: exit 1, one line, kernel unchanged.
kernel_state "$NS" "$T/before"
expect_error "-N with a reserved name" 1 "$NS" ipchains -N ACCEPT <<'EOF'
ipchains: Invalid argument
EOF
expect_error "-L of a missing chain" 1 "$NS" ipchains -L nosuch <<'EOF'
ipchains: No chain by that name
EOF
expect_error "-F of a missing chain" 1 "$NS" ipchains -F nosuch <<'EOF'
ipchains: No chain by that name
EOF
kernel_state "$NS" "$T/after"
same_text "kernel-side failures change nothing" "$T/before" "$T/after"

finish
