#!/bin/bash
# `empty-chains = unhooked` (docs/backends.md "Empty chains") with real traffic through
# client / router / server: an empty built-in chain with an ACCEPT policy has no chain in the
# kernel, so its packets pass no hook of ours and its policy counts stay 0; a rule or another
# policy brings the chain back, in the same transaction as the change, and filters as before.
# Commands run with and without the setting share one table: each converts it to its form.
. "$(dirname "$0")/lib.sh"

topo_routed
udp_server "$SERVER" 7001

unhooked=(env IPCHAINS_DIVERT_EMPTY_CHAINS=unhooked)

# hooked_chains NS: the names of the base chains of our table, sorted, on one line.
hooked_chains() {
    on "$1" nft list table ip ipchains 2>/dev/null |
        awk '$1 == "chain" { name = $2 } / hook / { print name }' | sort | paste -sd' '
}

# expect_hooked DESC NS WANT
expect_hooked() {
    local got
    got=$(hooked_chains "$2")
    [ "$got" = "$3" ] && pass "$1 (base chains: '${3}')" ||
        fail "$1: base chains '$got', expected '$3'"
}

# policy_packets NS CHAIN: the packets of CHAIN's policy (-L -v -x).
policy_packets() {
    on "$1" ipchains -L "$2" -n -v -x | sed -n 's/.*policy [A-Z]*: \([0-9]*\) packets.*/\1/p'
}

# --- only the chains that filter are in the kernel -------------------------------------------
expect_rc "unhooked: -P forward DENY" 0 "$ROUTER" "${unhooked[@]}" ipchains -P forward DENY
expect_hooked "an empty ACCEPT input and output have no chain" "$ROUTER" "forward"
udp_expect "forward DENY drops routed packets" "$CLIENT" "$SERVER_IP" 7001 timeout
ping_expect "the router itself answers" "$CLIENT" "$ROUTER_LAN" ok
expect_stdout "-L lists all three built-in chains" "$ROUTER" "${unhooked[@]}" ipchains -L -n <<'EOF'
Chain input (policy ACCEPT):
Chain forward (policy DENY):
Chain output (policy ACCEPT):
EOF
fwd=$(policy_packets "$ROUTER" forward)
[ "${fwd:-0}" -ge 1 ] && pass "forward's policy counted the dropped datagram ($fwd)" ||
    fail "forward policy count '$fwd'"
[ "$(policy_packets "$ROUTER" input)" = 0 ] && [ "$(policy_packets "$ROUTER" output)" = 0 ] &&
    pass "the unhooked chains' policies count nothing" ||
    fail "unhooked policy counts: input '$(policy_packets "$ROUTER" input)'," \
        "output '$(policy_packets "$ROUTER" output)'"
expect_rc "unhooked: -Z" 0 "$ROUTER" "${unhooked[@]}" ipchains -Z
expect_rc "unhooked: -P output ACCEPT (already so)" 0 "$ROUTER" "${unhooked[@]}" \
    ipchains -P output ACCEPT
expect_hooked "-P ACCEPT of an unhooked chain adds nothing" "$ROUTER" "forward"

# A rule brings the chain and filters; deleting it takes the chain away again.
expect_rc "unhooked: -A input (first rule)" 0 "$ROUTER" "${unhooked[@]}" \
    ipchains -A input -p icmp -s "$CLIENT_IP" -j DENY
expect_hooked "the first rule hooks input" "$ROUTER" "forward input"
ping_expect "the input rule drops the ping" "$CLIENT" "$ROUTER_LAN" timeout
expect_rc "unhooked: -D input 1" 0 "$ROUTER" "${unhooked[@]}" ipchains -D input 1
expect_hooked "an empty input is unhooked again" "$ROUTER" "forward"
ping_expect "the router answers again" "$CLIENT" "$ROUTER_LAN" ok

# A policy other than ACCEPT hooks an empty chain; ACCEPT unhooks it.
expect_rc "unhooked: -P output DENY" 0 "$ROUTER" "${unhooked[@]}" ipchains -P output DENY
expect_hooked "-P output DENY hooks output" "$ROUTER" "forward output"
ping_expect "output DENY drops the router's reply" "$CLIENT" "$ROUTER_LAN" timeout
expect_rc "unhooked: -P output ACCEPT" 0 "$ROUTER" "${unhooked[@]}" ipchains -P output ACCEPT
expect_hooked "-P output ACCEPT unhooks it" "$ROUTER" "forward"
ping_expect "the router answers once more" "$CLIENT" "$ROUTER_LAN" ok

# --- one table, commands of both settings -----------------------------------------------------
# Without the setting a command hooks every built-in chain and counts as 2.2 did...
ipc "$ROUTER" -A forward -p udp -d "$SERVER_IP" -j ACCEPT
ipc "$ROUTER" -A forward -p udp -s "$SERVER_IP" -j ACCEPT
expect_hooked "hooked: every built-in chain has its hook" "$ROUTER" "forward input output"
udp_expect "the forward rule lets the datagram through" "$CLIENT" "$SERVER_IP" 7001 "reply:udp 7001"
in=$(policy_packets "$ROUTER" input)
[ "${in:-0}" -ge 2 ] && pass "hooked: input's policy counts ($in)" ||
    fail "hooked: input policy count '$in'"
# ...and the next one with it takes the empty ones out again, changing nothing else.
expect_rc "unhooked: -A forward" 0 "$ROUTER" "${unhooked[@]}" ipchains -A forward -p tcp -j DENY
expect_hooked "unhooked: input and output leave the kernel" "$ROUTER" "forward"
udp_expect "the forward rules still filter" "$CLIENT" "$SERVER_IP" 7001 "reply:udp 7001"
expect_stdout "the ruleset is unchanged" "$ROUTER" ipchains-save <<EOF
:input ACCEPT
:forward DENY
:output ACCEPT
-A forward -s 0.0.0.0/0.0.0.0 -d $SERVER_IP/255.255.255.255 -p 17 -j ACCEPT
-A forward -s $SERVER_IP/255.255.255.255 -d 0.0.0.0/0.0.0.0 -p 17 -j ACCEPT
-A forward -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -p 6 -j DENY
EOF

# ACCEPT for a chain with rules keeps it hooked (its rules still filter).
ping_expect "forward DENY: the routed ping is dropped" "$CLIENT" "$SERVER_IP" timeout
expect_rc "unhooked: -P forward ACCEPT (it has rules)" 0 "$ROUTER" "${unhooked[@]}" \
    ipchains -P forward ACCEPT
expect_hooked "a chain with rules stays hooked" "$ROUTER" "forward"
ping_expect "forward ACCEPT: the routed ping passes" "$CLIENT" "$SERVER_IP" ok
expect_stdout "-L shows the new policy" "$ROUTER" ipchains -L forward -n <<EOF
Chain forward (policy ACCEPT):
target     prot opt     source                destination           ports
ACCEPT     udp  ------  0.0.0.0/0            $SERVER_IP            * ->   *
ACCEPT     udp  ------  $SERVER_IP           0.0.0.0/0             * ->   *
DENY       tcp  ------  0.0.0.0/0            0.0.0.0/0             * ->   *
EOF

# --- the setting is named where it is set --------------------------------------------------
printf '# ours\nempty-chains = unhooked\n' >"$T/unhooked.conf"
expect_rc "empty-chains = unhooked in the config file" 0 "$ROUTER" \
    env IPCHAINS_DIVERT_CONF="$T/unhooked.conf" ipchains --status
expect_grep "--status says so" 'empty ACCEPT chains unhooked' "$T/out"
ipc "$ROUTER" --status
grep -q 'unhooked' "$T/out" && fail "--status without the setting mentions unhooked" ||
    pass "--status without the setting says nothing of it"
kernel_state "$ROUTER" "$T/before"
expect_error "a bad value is refused, naming it" 1 "$ROUTER" \
    env IPCHAINS_DIVERT_EMPTY_CHAINS=sometimes ipchains -A input -j DENY <<'EOF'
ipchains: IPCHAINS_DIVERT_EMPTY_CHAINS=sometimes: unknown value for empty chains (hooked or unhooked)
EOF
kernel_state "$ROUTER" "$T/after"
same_text "the refused command changed nothing" "$T/before" "$T/after"

finish
