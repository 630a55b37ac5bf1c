#!/bin/bash
# The forward path under random edits: seeded scripts of about a hundred steps on a router
# between a client and a server, over `input`, `forward`, `output` and up to three user chains
# reached from any of them. Rules match client and server addresses, networks, ports and
# interfaces (lan0, wan0, lan+; in forward and output `-i` names the outgoing one), `-b`,
# fragments (`-f`, `! -f`), TOS rewrites, with `!` inversions; targets ACCEPT, DENY, REJECT,
# RETURN, MASQ, REDIRECT and the user chains; policies of all three built-in chains (MASQ for
# forward); -Z, -L -Z, -C and a save/restore round trip. Datagrams cross the router both ways,
# reach it, and leave it between the edits. Every command's exit status and messages,
# `ipchains -L -v -x -n --line-numbers` and what arrived where (client, server, the router's
# own sinks, by source: masqueraded or not) at each checkpoint, and the final save must be
# identical on the nft and on the legacy backend (random_lib.sh).
#
# Topology (per replay):
#   CLIENT eth0 10.199.1.2, 10.199.1.10-13 <-> lan0 10.199.1.1 ROUTER wan0 10.199.2.1
#     <-> eth0 10.199.2.2, 10.199.2.10-13 SERVER
# UDP sinks on 7001-7004 in all three (no answers, no port unreachables).
# Traffic lines:
#   fwd SOURCE DEST PORT    client SOURCE -> server DEST (crosses input, forward, output)
#   big SOURCE DEST PORT    the same with 3,000 bytes: three fragments (defragmented by the
#                           router only when its ruleset makes the kernel track connections)
#   back SOURCE DEST PORT   server SOURCE -> client DEST (the same, the other way)
#   local SOURCE PORT       client SOURCE -> the router's lan0 address (input)
#   out DEST PORT           the router -> server DEST (output)
#
# RANDOM_DIVERT=1 (by hand, not in ctest: random_lib.sh "DIVERT mode" says why) adds DIVERT
# to the router's input chain only, and draws no REDIRECT: there the legacy backend resumes
# diverted packets as the nft backend does. Elsewhere it differs by design (docs/backends.md
# "Where legacy differs from nft"): it turns a REJECT after a DIVERT rule in forward into a
# DROP, does not resume forwarded packets diverted by output, and does not carry out a REDIRECT
# that the input chain decides after a DIVERT rule.
. "$(dirname "$0")/random_lib.sh"

USER_CHAINS=(u1 u2 u3)
SINKS="7001 7002 7003 7004"

random_up() {
    local a ns
    ns_new cli "c$1$2"
    ns_new rtr "r$1$2"
    ns_new srv "s$1$2"
    veth "$cli" eth0 10.199.1.2 "$rtr" lan0 10.199.1.1
    veth "$rtr" wan0 10.199.2.1 "$srv" eth0 10.199.2.2
    for a in 10 11 12 13; do
        ip -n "$cli" addr add "10.199.1.$a/32" dev eth0
        ip -n "$srv" addr add "10.199.2.$a/32" dev eth0
    done
    ip -n "$cli" route add default via 10.199.1.1
    ip -n "$srv" route add default via 10.199.2.1
    on "$rtr" sysctl -qw net.ipv4.ip_forward=1
    for ns in "$cli" "$rtr" "$srv"; do
        for a in $SINKS; do udp_server "$ns" "$a" "cat >/dev/null"; done
    done
    # What arrives at the ends, by source: a masqueraded datagram comes from the router.
    count_arrivals "$srv" server 10.199.1.0/24 client 10.199.2.1 router
    count_arrivals "$cli" client 10.199.2.0/24 server 10.199.1.1 router
    # Neighbours known before the first datagram, so none waits for ARP past a check.
    for a in 2 10 11 12 13; do
        on "$rtr" ping -c1 -W1 "10.199.1.$a" >/dev/null
        on "$rtr" ping -c1 -W1 "10.199.2.$a" >/dev/null
    done
    IPC_NS=$rtr
    CLI_NS=$cli
    SRV_NS=$srv
    RANDOM_NS=("$cli" "$rtr" "$srv")
    divert_up "$@"
}

# count_arrivals NS NAME SOURCE1 FROM1 SOURCE2 FROM2: counters of the datagrams NS receives
# from each source, named NAME-from-FROM.
count_arrivals() {
    on "$1" nft -f - <<EOF
table ip arrivals {
    chain in {
        type filter hook input priority 0;
        ip saddr $3 udp dport 7001-7004 counter comment "$2-from-$4"
        ip saddr $5 udp dport 7001-7004 counter comment "$2-from-$6"
    }
}
EOF
}

traffic() {
    case $1 in
    fwd) send_datagram "$CLI_NS" "$2" "$3" "$4"; RECEIVED=$((RECEIVED + 1)) ;;
    big)
        head -c 3000 /dev/zero | on "$CLI_NS" socat -u - "UDP4-SENDTO:$3:$4,bind=$2"
        RECEIVED=$((RECEIVED + 3))
        ;;
    back) send_datagram "$SRV_NS" "$2" "$3" "$4"; RECEIVED=$((RECEIVED + 1)) ;;
    local) send_datagram "$CLI_NS" "$2" 10.199.1.1 "$3"; RECEIVED=$((RECEIVED + 1)) ;;
    # A denied datagram fails in sendto (EPERM): that is in the counters, not here.
    out) send_datagram "$IPC_NS" "" "$2" "$3" 2>/dev/null ;;
    esac
}

# arrivals: the ends' counters by source and the router's delivered UDP datagrams, one line.
arrivals() {
    local ns
    for ns in "$SRV_NS" "$CLI_NS"; do
        on "$ns" nft list table ip arrivals |
            awk '/comment/ { for (i = 1; i <= NF; i++) if ($i == "packets") p = $(i + 1);
                             c = $NF; gsub(/"/, "", c); printf "%s=%s ", c, p }'
    done
    on "$IPC_NS" awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { printf "router-udp=%s", $2 }' /proc/net/snmp
    echo
}

# extra_check: the arrivals once they stop changing (a forwarded datagram reaches its end in
# a softirq of its own, after the router's).
extra_check() {
    local was now i
    was=$(arrivals)
    for i in $(seq 40); do
        sleep 0.1
        now=$(arrivals)
        [ "$now" = "$was" ] && break
        was=$now
    done
    echo "arrived: $now"
}

client() { pick 5; CH=10.199.1.$((R == 4 ? 2 : 10 + R)); }
server() { pick 5; SH=10.199.2.$((R == 4 ? 2 : 10 + R)); }

# target CHAIN: into T_ a target that CHAIN may hold in 2.2: MASQ where forwarded packets go,
# REDIRECT where they come in, RETURN and the user chains anywhere.
target() {
    local chain=$1
    pick 20
    if [ "$R" -lt 5 ]; then T_=DENY
    elif [ "$R" -lt 9 ]; then T_=ACCEPT
    elif [ "$R" -lt 11 ]; then T_=REJECT
    elif [ "$R" -lt 12 ]; then T_=RETURN
    elif [ "$R" -lt 14 ] && [ "$chain" != input ] && [ "$chain" != output ]; then T_=MASQ
    elif [ "$R" -lt 15 ] && [ "$chain" != forward ] && [ "$chain" != output ] &&
        [ -z "${RANDOM_DIVERT:-}" ]; then
        port
        T_="REDIRECT $P"
    else pick 3; T_=${USER_CHAINS[$R]}
    fi
}

# rule_spec CHAIN: one rule spec for CHAIN into SPEC.
rule_spec() {
    local chain=$1 n a b
    pick 2
    if [ "$R" = 0 ]; then client; a=$CH; server; b=$SH
    else server; a=$SH; client; b=$CH
    fi
    port
    target "$chain"
    pick 17
    n=$R
    if [ "$n" -lt 3 ]; then SPEC="-s $a -j $T_"
    elif [ "$n" -lt 5 ]; then SPEC="-d $b -j $T_"
    elif [ "$n" -lt 7 ]; then SPEC="-p udp -s ${a%.*}.8/29 -d $b $P -j $T_"
    elif [ "$n" -lt 8 ]; then SPEC="-p udp -d ! $b -j $T_"
    elif [ "$n" -lt 9 ]; then SPEC="-p udp -d ${b%.*}.0/24 ! $P -j $T_"
    elif [ "$n" -lt 10 ]; then
        pick 2
        if [ "$R" = 0 ]; then SPEC="-i lan0 -s $a -j $T_"; else SPEC="-i wan0 -s $a -j $T_"; fi
    elif [ "$n" -lt 11 ]; then SPEC="-s $a -l -j $T_"
    elif [ "$n" -lt 12 ]; then SPEC="-p udp -j $T_"
    elif [ "$n" -lt 13 ]; then SPEC="-b -s $a -d $b -j $T_"
    elif [ "$n" -lt 14 ]; then SPEC="-i lan+ -d $b -j $T_"
    elif [ "$n" -lt 15 ]; then SPEC="-f -s $a -j $T_"
    elif [ "$n" -lt 16 ]; then SPEC="! -f -p udp -d $b -j $T_"
    else SPEC="-s $a -t 0x01 0x10 -j $T_"
    fi
    # REDIRECT needs a protocol with ports.
    case $T_:$SPEC in REDIRECT*:-p\ udp*) ;; REDIRECT*) SPEC="-p udp $SPEC" ;; esac
}

# some_chain: a chain to edit into C, a built-in one three times in five.
some_chain() {
    pick 5
    case $R in
    0) C=input ;;
    1) C=forward ;;
    2) C=output ;;
    *) pick 3; C=${USER_CHAINS[$R]} ;;
    esac
}

# datagram: one traffic line.
datagram() {
    client
    server
    port
    pick 9
    case $R in
    0 | 1 | 2) echo "fwd $CH $SH $P" ;;
    3 | 4) echo "back $SH $CH $P" ;;
    5 | 6) echo "local $CH $P" ;;
    7) echo "big $CH $SH $P" ;;
    *) echo "out $SH $P" ;;
    esac
}

BUILTIN_CHAINS=(input forward output)
POLICIES=(ACCEPT DENY ACCEPT DENY REJECT MASQ)
EDITS=(40 append 52 insert 60 delete 66 replace 70 new-chain 72 remove-chain 75 flush 78 zero
    79 zero-list 88 policy 93 check-rule 95 restore)
[ -n "${RANDOM_DIVERT:-}" ] && EDITS+=(100 divert)
DIVERT_CHAINS=(input)

check_rule() {
    client
    server
    port
    echo "ipchains -C forward -p udp -s $CH 1024 -d $SH $P -i wan0"
}

# script SEED: the steps (random_lib.sh).
script() {
    RANDOM=$1
    declare -A len=([input]=0 [forward]=0 [output]=0 [u1]=0 [u2]=0 [u3]=0) diverted=()
    echo "ipchains -N u1"
    echo "ipchains -N u2"
    echo "ipchains -A forward -p udp -j u1"
    len[forward]=1
    edits 100
}

differential ${RUNS_SEEDS:-1999 2207 4711 31337}
finish
