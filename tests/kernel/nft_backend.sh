#!/bin/bash
# nft backend with real traffic on a veth pair between two private namespaces: rule and policy
# counters move with pings, -L -Z reads and zeroes atomically, a TOS rewrite keeps the IP
# checksum valid, the append fast path leaves the kernel exactly as the slow path does, and
# IPCHAINS_DIVERT_TABLE moves everything to another table.
. "$(dirname "$0")/lib.sh"

topo_pair

# rule_counts NS CHAIN N: "packets bytes" of rule N in CHAIN (-L -v -x).
rule_counts() {
    on "$1" ipchains -L "$2" -n -v -x | awk -v n="$3" 'NR == n + 2 { print $1, $2 }'
}

# --- counters with real traffic ------------------------------------------------------------
ipc "$HOST" -A input -p icmp -s "$PEER_IP" -j ACCEPT
ipc "$HOST" -A output -p icmp -d "$PEER_IP"
on "$PEER" ping -n -q -c 3 -i 0.2 -W 2 "$HOST_IP" >/dev/null
got=$(rule_counts "$HOST" input 1)
[ "$got" = "3 252" ] && pass "input rule counted 3 echo requests" || fail "input rule counts '$got', expected '3 252'"
got=$(rule_counts "$HOST" output 1)
[ "$got" = "3 252" ] && pass "output rule counted 3 echo replies" || fail "output rule counts '$got', expected '3 252'"
pol=$(on "$HOST" ipchains -L output -n -v | sed -n 's/.*policy ACCEPT: \([0-9]*\) packets.*/\1/p')
[ "${pol:-0}" -ge 3 ] && pass "output policy counter moved ($pol)" || fail "output policy counter '$pol'"

# -L -Z: the listing shows the counts, the kernel holds zeros afterwards, policy untouched.
on "$HOST" ipchains -L -Z -n -v -x >"$T/lz"
expect_grep "-L -Z lists the counts before zeroing" '^ +3 +252 ACCEPT' "$T/lz"
got=$(rule_counts "$HOST" input 1)
[ "$got" = "0 0" ] && pass "-L -Z zeroed the rule counters" || fail "after -L -Z: '$got'"
pol2=$(on "$HOST" ipchains -L output -n -v | sed -n 's/.*policy ACCEPT: \([0-9]*\) packets.*/\1/p')
[ "$pol2" = "$pol" ] && pass "-L -Z left the policy counters alone" || fail "policy $pol -> $pol2"

# Counts survive a commit that rebuilds the chain (-I puts a rule in front).
on "$PEER" ping -n -q -c 2 -i 0.2 -W 2 "$HOST_IP" >/dev/null
ipc "$HOST" -I input 1 -p udp
got=$(rule_counts "$HOST" input 2)
[ "$got" = "2 168" ] && pass "counts kept across a rebuild of the chain" || fail "after -I: '$got'"

# --- TOS rewrite: the receiver accepts the packets, so the IP checksum was updated ---------
ipc "$HOST" -F
ipc "$HOST" -A output -p icmp -t 0x01 0x10
ping_expect "echo replies with rewritten TOS still arrive" "$PEER" "$HOST_IP" ok
on "$PEER" timeout 5 tcpdump -c 1 -n -v -i eth0 icmp and src "$HOST_IP" >"$T/tcpdump" 2>/dev/null &
TCPDUMP=$!
BG_PIDS+=($TCPDUMP)
sleep 1
on "$PEER" ping -n -q -c 1 -W 2 "$HOST_IP" >/dev/null
wait "$TCPDUMP" 2>/dev/null
if command -v tcpdump >/dev/null; then
    expect_grep "the reply carries TOS 0x10" 'tos 0x10' "$T/tcpdump"
    if grep -q 'bad cksum' "$T/tcpdump"; then fail "IP checksum not updated"; show "$T/tcpdump"; else pass "IP checksum valid"; fi
fi
ipc "$HOST" -F

# --- fast path (-A, one process per rule) vs slow path (restore) ---------------------------
ns_new FAST fast
ns_new SLOW slow
cat >"$T/rules" <<'RULES'
-A input -s 10.1.0.0/16 -p tcp -d 0.0.0.0/0 22 -j ACCEPT
-A input -p udp -j DIVERT 4444
-A input -i ppp+ -j DENY
-A input -p icmp --icmp-type echo-request -j REJECT -l
-A forward -s 192.168.0.0/24 -j MASQ
-A output -m 5 -t 0x01 0x10
-A acct -j RETURN
-A acct -p tcp -y -j DENY
RULES
for ns in "$FAST" "$SLOW"; do ipc "$ns" -N acct; ipc "$ns" -A input -j acct; done
# DIVERT is not a fast-path target: it goes the slow way in both, and cuts input in segments.
while read -r line; do
    # shellcheck disable=SC2086
    ipc "$FAST" $line
done <"$T/rules"
{ echo ":input ACCEPT"; echo ":forward ACCEPT"; echo ":output ACCEPT"; echo ":acct -";
  echo "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j acct"; cat "$T/rules"; } >"$T/restore"
on "$SLOW" ipchains-restore -f <"$T/restore" >/dev/null 2>"$T/err" || { fail "ipchains-restore"; show "$T/err"; }
# restore rebuilds from scratch: compare with a slow-path table built by plain commands too.
on "$FAST" nft list table ip ipchains >"$T/fast.nft" 2>/dev/null
on "$SLOW" nft list table ip ipchains >"$T/slow.nft" 2>/dev/null
on "$FAST" ipchains-save >"$T/fast.save" 2>/dev/null
on "$SLOW" ipchains-save >"$T/slow.save" 2>/dev/null
same_text "fast and slow paths save the same rules" "$T/slow.save" "$T/fast.save"
sort "$T/fast.nft" >"$T/fast.sorted"
sort "$T/slow.nft" >"$T/slow.sorted"
same_text "fast and slow paths leave the same nft rules" "$T/slow.sorted" "$T/fast.sorted"

# --- IPCHAINS_DIVERT_TABLE ---------------------------------------------------------------------------
on "$HOST" env IPCHAINS_DIVERT_TABLE=other ipchains -A input -j DENY >/dev/null 2>&1
on "$HOST" nft list table ip other >"$T/other" 2>&1
expect_grep "IPCHAINS_DIVERT_TABLE names the table" 'comment "-A input .*-j DENY"' "$T/other"
on "$HOST" ipchains -L input -n >"$T/default"
if grep -q DENY "$T/default"; then fail "the default table saw the other table's rule"; else pass "tables are independent"; fi

finish
