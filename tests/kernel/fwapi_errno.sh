#!/bin/bash
# The 2.2 IP_FW_* setsockopt API through libdivert, on the real kernel backend: every command,
# its errno values in 2.2's check order (docs/reference/firewall-api.md 4-8), and the resulting
# state, which must be exactly what the ipchains command makes of the same rules (one
# implementation).
. "$(dirname "$0")/fwapi_common.sh"

topo_pair

expect_fw "chains: create, duplicates, bad labels" "$HOST" \
    create u1 \; create u1 \; create input \; create "" \; create abcdefghi \; \
    delchain abcdefghi <<'OUT'
ok
EEXIST
EEXIST
EINVAL
EINVAL
ENOENT
OUT

expect_fw "append and its errors, chain lookup before rule conversion" "$HOST" \
    append input DENY proto=6 dport=80:80 tosand=255 \; \
    append input u1 \; \
    append nochain ACCEPT \; \
    append input nosuch \; \
    append input output \; \
    append input QUEUE \; \
    append input ACCEPT flags=0x40 \; \
    append nochain ACCEPT flags=0x40 \; \
    append input ACCEPT sport=1:2 \; \
    append input ACCEPT proto=6 invflags=4 sport=1:2 \; \
    append output DIVERT proto=1 \; \
    append input DENY proto=6 invflags=0x40 <<'OUT'
ok
ok
ENOENT
ENOENT
ENOENT
ENOENT
EINVAL
ENOENT
EINVAL
EINVAL
EINVAL
EINVAL
OUT

expect_fw "insert and replace numbering" "$HOST" \
    insert input 1 ACCEPT proto=17 tosand=255 \; \
    insert input 0 ACCEPT \; \
    insert nochain 0 ACCEPT \; \
    insert input 5 ACCEPT \; \
    insert input 4 ACCEPT proto=1 tosand=255 \; \
    replace input 4 REJECT proto=1 tosand=255 \; \
    replace input 0 REJECT \; \
    replace input 9 REJECT <<'OUT'
ok
EINVAL
ENOENT
EINVAL
ok
ok
EINVAL
EINVAL
OUT

expect_fw "delete by spec (TOS and mark ignored) and by number" "$HOST" \
    delete input DENY proto=6 dport=80:80 tosand=0 mark=5 \; \
    delete input DENY proto=6 dport=80:80 \; \
    delnum input 0 \; delnum input 9 \; delnum nochain 1 \; delnum input 3 <<'OUT'
ok
EINVAL
ENOENT
ENOENT
ENOENT
ok
OUT

expect_fw "delete chain: built-ins, references, rules" "$HOST" \
    delchain input \; delchain forward \; delchain output \; delchain nochain \; \
    delchain u1 \; \
    flush input \; append u1 DENY \; delchain u1 \; \
    flush u1 \; delchain u1 \; flush u1 \; zero input \; zero nochain <<'OUT'
EBUSY
EBUSY
EBUSY
ENOENT
EBUSY
ok
ok
ENOTEMPTY
ok
ok
ENOENT
ok
ENOENT
OUT

expect_fw "policies" "$HOST" \
    policy input DENY \; policy input MASQ \; policy forward MASQ \; policy input RETURN \; \
    policy nochain DENY \; create u2 \; policy u2 DENY \; policy forward ACCEPT \; \
    policy input ACCEPT \; delchain u2 <<'OUT'
ok
EINVAL
ok
EINVAL
ENOENT
ok
EINVAL
ok
ok
ok
OUT

expect_fw "IP_FW_CHECK verdicts" "$HOST" \
    check input proto=1 type=8 \; \
    append output DIVERT proto=1 redir=1234 outsize=65535 \; \
    check output proto=1 type=8 src=10.0.0.1 dst=10.0.0.2 \; \
    append input REJECT proto=17 dport=53:53 tosand=255 \; \
    check input proto=17 dport=53 \; check input proto=17 dport=54 \; \
    policy forward DENY \; check forward proto=6 \; \
    check nochain ihl=4 \; check input ihl=4 \; \
    create u3 \; check u3 proto=1 \; \
    check input proto=6 frag=1 \; \
    policy forward ACCEPT \; flush input \; flush output \; delchain u3 <<'OUT'
ok
ok
EREMOTE
ok
ECONNREFUSED
ok
ok
ETIMEDOUT
ENOENT
EINVAL
ok
ENFILE
ETIMEDOUT
ok
ok
ok
ok
OUT

expect_fw "generic checks and options not emulated" "$HOST" \
    efault 64 80 \; efault 69 9 \; raw 64 72 \; raw 69 16 \; raw 76 12 \; \
    masqtimeouts 0 0 0 \; getsockopt 70 \; getsockopt 76 <<'OUT'
EFAULT
EFAULT
EINVAL
EINVAL
ENOPROTOOPT
ok
ENOPROTOOPT
ENOPROTOOPT
OUT

# Counters: IP_FW_ZERO resets the rule counters; IP_FW_REPLACE keeps them (2.2 quirk).
counted() { on "$HOST" ipchains -L input -n -v -x | awk 'NR == 3 { print $1 }'; }
expect_fw "an accounting rule for ICMP" "$HOST" append input "" proto=1 tosand=255 <<'OUT'
ok
OUT
ping_expect "traffic for the counters" "$PEER" "$HOST_IP" ok
before=$(counted)
expect_fw "replace the counted rule" "$HOST" replace input 1 "" proto=1 tosand=255 flags=1 <<'OUT'
ok
OUT
[ -n "$before" ] && [ "$before" -gt 0 ] && [ "$(counted)" = "$before" ] &&
    pass "IP_FW_REPLACE kept the counters ($before packets)" ||
    fail "IP_FW_REPLACE: counters $before before, $(counted) after"
expect_fw "zero the chain" "$HOST" zero input <<'OUT'
ok
OUT
[ "$(counted)" = 0 ] && pass "IP_FW_ZERO reset the rule counters" ||
    fail "IP_FW_ZERO: counters are $(counted)"
expect_fw "clean up" "$HOST" flush input <<'OUT'
ok
OUT

# Any AF_INET socket will do (a UDP one needs no CAP_NET_RAW).
run "$HOST" env FWAPI_SOCKET=udp "$DIVERT_RUN" "$SOCKOPT" create viaudp \; delchain viaudp
same_text "a UDP socket carries the calls" <(printf 'ok\nok\n') "$T/out"

# Without CAP_NET_ADMIN: EACCES, not EPERM (2.2 ip_sockglue.c).
if command -v setpriv >/dev/null; then
    run "$HOST" setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
        "$DIVERT_RUN" "$SOCKOPT" create u9 \; append input DENY \; flush input \; check input
    same_text "no CAP_NET_ADMIN: EACCES" <(printf 'EACCES\nEACCES\nEACCES\nEACCES\n') "$T/out"
else
    fail "setpriv (util-linux) is needed for the CAP_NET_ADMIN check"
fi

# State: the same rules through the 2.2 API in a fresh namespace and through the ipchains
# command in PEER must leave identical kernels.
ns_new API api
expect_fw "build a ruleset through the API" "$API" \
    create u1 \; \
    append input DENY proto=6 src=10.0.0.0 smsk=255.0.0.0 dport=80:80 tosand=255 \; \
    append input u1 proto=17 iface=eth0 tosand=255 \; \
    insert input 1 ACCEPT proto=1 sport=8:8 tosand=255 \; \
    append u1 REJECT flags=1 tosand=255 \; \
    append output ACCEPT proto=6 invflags=1 src=192.168.0.0 smsk=255.255.0.0 \
        flags=2 tosand=255 \; \
    append input "" dst=10.199.1.1 dmsk=255.255.255.255 tosand=255 \; \
    policy forward DENY <<'OUT'
ok
ok
ok
ok
ok
ok
ok
ok
OUT
ipc "$PEER" -N u1 &&
    ipc "$PEER" -A input -s 10.0.0.0/8 -p tcp -d 0/0 80 -j DENY &&
    ipc "$PEER" -A input -p udp -i eth0 -j u1 &&
    ipc "$PEER" -I input 1 -p icmp -s 0/0 8 -j ACCEPT &&
    ipc "$PEER" -A u1 -j REJECT -l &&
    ipc "$PEER" -A output -p tcp -s ! 192.168.0.0/16 -y -j ACCEPT &&
    ipc "$PEER" -A input -d 10.199.1.1 &&
    ipc "$PEER" -P forward DENY
on "$API" "$IPCHAINS_SAVE" >"$T/api.save" 2>&1
on "$PEER" "$IPCHAINS_SAVE" >"$T/cli.save" 2>&1
same_text "ipchains-save: API-made and command-made rulesets are equal" "$T/cli.save" "$T/api.save"
on "$API" ipchains -L -n -v -x >"$T/api.list" 2>&1
on "$PEER" ipchains -L -n -v -x >"$T/cli.list" 2>&1
same_text "ipchains -L -n -v: equal" "$T/cli.list" "$T/api.list"
on "$API" nft list table ip ipchains >"$T/api.nft" 2>&1
on "$PEER" nft list table ip ipchains >"$T/cli.nft" 2>&1
same_text "nft list table ip ipchains: the kernels hold the same rules" "$T/cli.nft" "$T/api.nft"
expect_grep "listing shows the API's DENY rule" '^DENY +tcp +-+ +10\.0\.0\.0/8 +0\.0\.0\.0/0 +\* +-> +80$' \
    <(on "$API" ipchains -L input -n)

# The command sees and deletes what the API added, and vice versa.
expect_rc "ipchains -D deletes an API-made rule" 0 "$API" ipchains -D input -p icmp -s 0/0 8 -j ACCEPT
expect_fw "the API deletes a command-made rule" "$PEER" \
    delete input DENY proto=6 src=10.0.0.0 smsk=255.0.0.0 dport=80:80 <<'OUT'
ok
OUT
finish
