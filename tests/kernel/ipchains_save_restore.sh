#!/bin/bash
# ipchains-save / ipchains-restore: rules live in the kernel (a new process sees them), a
# save/flush/restore round trip gives back the same save text, listing and traffic behaviour;
# restore is one transaction: a bad line 7 changes nothing and the error names line 7.
. "$(dirname "$0")/lib.sh"

require_nft_reject
topo_pair
for p in 7001 7002 7003; do udp_server "$HOST" $p; done

ipc "$HOST" -N udpin
ipc "$HOST" -A udpin -p udp -d 0/0 7002 -j DENY
ipc "$HOST" -A input -p udp -j udpin
ipc "$HOST" -A input -p udp -d 0/0 7003 -j REJECT
ipc "$HOST" -A input -p icmp -s 10.199.9.0/24 -j DIVERT 7100
ipc "$HOST" -A output -p udp -d 10.199.1.2 -m 5 -t 01 10
ipc "$HOST" -A input -p tcp -s 10.199.1.0/24 -d 0/0 80 -y -l -j REDIRECT 8080
ipc "$HOST" -P forward DENY

# The rules are in the kernel, not in the process that added them.
if [ "${IPCHAINS_DIVERT_BACKEND:-auto}" = legacy ]; then
    if on "$HOST" iptables-legacy-save -t mangle | grep -q '^:ipchains-'; then
        pass "the rules are in legacy iptables chains ipchains-*"
    else
        fail "no legacy ipchains-* chains after adding rules"
    fi
elif on "$HOST" nft list table ip ipchains >/dev/null 2>&1; then
    pass "the rules are in nft table ip ipchains"
else
    fail "no nft table ip ipchains after adding rules"
fi
run "$HOST" ipchains -L -n
cp "$T/out" "$T/list1"
expect_grep "a second process lists the first one's rules" '^udpin +udp ' "$T/list1"

udp_expect "before: 7001 passes" "$PEER" "$HOST_IP" 7001 "reply:udp 7001"
udp_expect "before: 7002 denied in udpin" "$PEER" "$HOST_IP" 7002 timeout
udp_expect "before: 7003 rejected" "$PEER" "$HOST_IP" 7003 refused

expect_rc "ipchains-save" 0 "$HOST" ipchains-save
cp "$T/out" "$T/save1"
printf "Saving \`%s'.\n" input forward output udpin >"$T/want"
same_text "ipchains-save reports each chain on stderr" "$T/want" "$T/err"
expect_line "save file: built-in chain with policy" ":forward DENY" "$T/save1"
expect_line "save file: user chain" ":udpin -" "$T/save1"
expect_grep "save file: DIVERT rule with its port" '^-A input .*-j DIVERT 7100' "$T/save1"
expect_grep "save file: REDIRECT rule with its port" '^-A input .*-j REDIRECT 8080' "$T/save1"
run "$HOST" ipchains-save udpin
expect_grep "ipchains-save CHAIN: the chain's rules" '^-A udpin ' "$T/out"
if grep -q '^-A input' "$T/out"; then fail "ipchains-save udpin printed input's rules"
else pass "ipchains-save CHAIN: no other chain's rules"; fi

# Wipe everything, then restore.
ipc "$HOST" -F
ipc "$HOST" -X
ipc "$HOST" -P forward ACCEPT
udp_expect "wiped: 7002 passes" "$PEER" "$HOST_IP" 7002 "reply:udp 7002"
on "$HOST" ipchains-restore <"$T/save1" >"$T/out" 2>"$T/err"
[ $? -eq 0 ] && [ ! -s "$T/err" ] && pass "ipchains-restore of the saved file" ||
    { fail "ipchains-restore of the saved file"; show "$T/err"; }
run "$HOST" ipchains-save
same_text "save -> restore -> save gives the same text" "$T/save1" "$T/out"
run "$HOST" ipchains -L -n
same_text "and the same listing" "$T/list1" "$T/out"
udp_expect "restored: 7001 passes" "$PEER" "$HOST_IP" 7001 "reply:udp 7001"
udp_expect "restored: 7002 denied in udpin" "$PEER" "$HOST_IP" 7002 timeout
udp_expect "restored: 7003 rejected" "$PEER" "$HOST_IP" 7003 refused

# Restoring again over the same rules: built-ins are replaced, an existing user chain is
# skipped (no terminal to ask), nothing doubles.
on "$HOST" setsid -w ipchains-restore <"$T/save1" >"$T/out" 2>"$T/err"
expect_line "an existing user chain is skipped" "Skipping \`udpin'." "$T/out"
run "$HOST" ipchains-save
same_text "restoring twice does not double rules" "$T/save1" "$T/out"

# Atomic: line 7 is bad, lines 1-6 are fine; nothing may change.
kernel_state "$HOST" "$T/before"
cat >"$T/bad1" <<'EOF'
:input ACCEPT
:forward ACCEPT
:output DENY
:newchain -
-A input -p udp -d 0/0 7001 -j DENY
-A newchain -p tcp -j ACCEPT
-A input -p bogus -j ACCEPT
-A input -p udp -j newchain
EOF
on "$HOST" ipchains-restore <"$T/bad1" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && pass "restore with a syntax error on line 7 exits 1" ||
    fail "restore with a syntax error on line 7 exited $rc, expected 1"
expect_grep "the syntax error names line 7 and the token" "^ipchains-restore: line 7: .*bogus" "$T/err"
kernel_state "$HOST" "$T/after"
same_text "a syntax error on line 7 changes nothing" "$T/before" "$T/after"

sed 's/^-A input -p bogus -j ACCEPT$/-A nosuch -p udp -j ACCEPT/' "$T/bad1" >"$T/bad2"
on "$HOST" ipchains-restore <"$T/bad2" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && pass "restore with a kernel-side error on line 7 exits 1" ||
    fail "restore with a kernel-side error on line 7 exited $rc, expected 1"
expect_line "the kernel-side error names line 7" \
    "ipchains-restore: line 7: No target by that name" "$T/err"
kernel_state "$HOST" "$T/after"
same_text "a kernel-side error on line 7 changes nothing" "$T/before" "$T/after"
udp_expect "old rules still in force: 7001 passes" "$PEER" "$HOST_IP" 7001 "reply:udp 7001"

# A hand-written file in the common shape, with comments and blank lines.
ipc "$HOST" -F
ipc "$HOST" -X
cat >"$T/hand" <<'EOF'
# hand-written
:input ACCEPT
:forward ACCEPT
:output ACCEPT

-A input -p udp -d 0/0 7001 -j DENY
EOF
on "$HOST" ipchains-restore <"$T/hand" >"$T/out" 2>"$T/err"
[ $? -eq 0 ] && pass "hand-written restore file" || { fail "hand-written restore file"; show "$T/err"; }
udp_expect "hand-written rule in force" "$PEER" "$HOST_IP" 7001 timeout

finish
