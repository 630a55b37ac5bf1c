#!/bin/bash
# ipchains --dump-proc names|chains prints what 2.2's /proc/net/ip_fwnames and
# /proc/net/ip_fwchains held (docs/reference/ipchains-commands.md section 11), from the ruleset read
# back from the kernel: real counters, every field of the rule line, and it changes nothing.
. "$(dirname "$0")/lib.sh"

topo_pair
ipc "$HOST" -N ppp-in
ipc "$HOST" -P forward DENY
ipc "$HOST" -A input -s 10.199.1.2 -p icmp
ipc "$HOST" -A input -p tcp -y -l -s 192.168.1.0/24 -d 0/0 80 -j DENY
ipc "$HOST" -A input -i ppp+ -j ppp-in
ipc "$HOST" -A input -p 47 -j DIVERT 1234
ipc "$HOST" -A output -d 10.199.1.2 -p icmp -m 5 -t 01 10 -j ACCEPT
ipc "$HOST" -A ppp-in -p udp -s 203.29.16.1 53 -i ppp0 -o 128 -j ACCEPT

# Three echo requests of 84 bytes in (input: accounting rule, then the policy), three replies
# out (output: the ACCEPT rule, so the policy sees nothing).
on "$PEER" ping -n -q -c3 -i0.2 -W2 "$HOST_IP" >/dev/null
[ $? -eq 0 ] && pass "ping through the rules" || fail "ping through the rules"

kernel_state "$HOST" "$T/before"

expect_stdout "--dump-proc names is /proc/net/ip_fwnames" "$HOST" ipchains --dump-proc names <<'EOF'
input ACCEPT 1 0 3 0 252
forward DENY 1 0 0 0 0
output ACCEPT 1 0 0 0 0
ppp-in - 1 0 0 0 0
EOF
[ -s "$T/err" ] && { fail "--dump-proc names wrote to stderr"; show "$T/err"; }

expect_stdout "--dump-proc chains is /proc/net/ip_fwchains" "$HOST" ipchains --dump-proc chains <<'EOF'
    input 0AC70102/FFFFFFFF->00000000/00000000 - 10 0 1 0         3         0         252       0-65535 0-65535 AFF X00 00000000 0 0         -
    input C0A80100/FFFFFF00->00000000/00000000 - 13 0 6 0         0         0         0         0-65535 80-80 AFF X00 00000000 0 0      DENY
    input 00000000/00000000->00000000/00000000 ppp 10 0 0 0         0         0         0         0-65535 0-65535 AFF X00 00000000 0 0    ppp-in
    input 00000000/00000000->00000000/00000000 - 10 0 47 0         0         0         0         0-65535 0-65535 AFF X00 000004D2 0 0    DIVERT
   output 00000000/00000000->0AC70102/FFFFFFFF - 18 0 1 0         3         0         252       0-65535 0-65535 A01 X10 00000000 5 0    ACCEPT
   ppp-in CB1D1001/FFFFFFFF->00000000/00000000 ppp0 20 0 17 0         0         0         0         53-53 0-65535 AFF X00 00000000 0 128    ACCEPT
EOF
cp "$T/expected" "$T/chains"

# Reading a view is like opening the file read-only: counters stay, the kernel is unchanged.
expect_stdout "-v is accepted; the dump did not reset counters" "$HOST" \
    ipchains -v --dump-proc chains <"$T/chains"
kernel_state "$HOST" "$T/after"
same_text "--dump-proc leaves the kernel unchanged" "$T/before" "$T/after"

expect_error "an unknown view is a usage error" 2 "$HOST" ipchains --dump-proc rules <<'EOF'
ipchains: --dump-proc takes `names' or `chains', not `rules'
Try `ipchains -h' or 'ipchains --help' for more information.
EOF

# Back to a fresh boot: three built-in chains, no rules.
ipc "$HOST" -F
ipc "$HOST" -X
ipc "$HOST" -P forward ACCEPT
expect_stdout "--dump-proc chains with no rules prints nothing" "$HOST" \
    ipchains --dump-proc chains </dev/null

finish
