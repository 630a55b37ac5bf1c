#!/bin/bash
# Packet lifetime (divert(7) "Packet lifetime"): a packet read and not written back within its
# lifetime (50 ms; LIBDIVERT_LIFETIME_MS or the DIVERT_LIFETIME_MS option) is dropped by the
# library on its own, as 2.2 forgot a packet once read. So a program that never writes back
# (the HOWTO interceptor without REINJECT) or drops on purpose (a shaper) stalls nobody: a local
# sender keeps its socket buffer, TCP retransmits. Writing back an expired packet injects it
# anew, resuming after the DIVERT rule that diverted it, and so does writing back a packet the
# kernel forgot when another program's base chain went away (g). A packet held while DIVERT
# rules were inserted or deleted above its own still resumes after its own (h).
. "$(dirname "$0")/divert_lib.sh"

require_queue
topo_pair
# The default lifetime is under test: nothing from the caller's environment.
unset LIBDIVERT_LIFETIME_MS

# wait_count NAME REGEX WANT [SECONDS]: until WANT lines of $T/NAME.out match (default POS_WAIT).
wait_count() {
    local i
    for i in $(seq $((${4:-${POS_WAIT%.*}} * 20))); do
        [ "$(grep -Ec -- "$2" "$T/$1.out")" -ge "$3" ] && return 0
        sleep 0.05
    done
    return 1
}

# dv_stats NAME: makes the program print its counters (SIGUSR1) and prints the new line.
dv_stats() {
    local n
    n=$(grep -c '^stats' "$T/$1.out")
    kill -USR1 "${DV_PID[$1]}"
    wait_count "$1" '^stats' $((n + 1))
    grep '^stats' "$T/$1.out" | tail -1
}

# expect_stats DESC NAME REGEX: the counters dv_stats prints match REGEX.
expect_stats() {
    local got
    got=$(dv_stats "$2")
    if [[ $got =~ $3 ]]; then pass "$1 ($got)"
    else fail "$1: counters '$got' do not match /$3/"; fi
}

dv_stop() { kill "${DV_PID[$1]}" 2>/dev/null; dv_wait "$1"; }

# netstat_get NS FIELD: a TcpExt counter of /proc/net/netstat inside NS.
netstat_get() {
    on "$1" cat /proc/net/netstat |
        awk -v f="$2" '$1 != "TcpExt:" { next }
                       !n { for (i = 2; i <= NF; i++) if ($i == f) c = i; n = 1; next }
                       { print $c }'
}

# --- a. never written back, a local sender does not stall. Its datagrams count against its
# socket buffer while the kernel holds them: 300 x 1000 bytes through a 32 KiB buffer, with
# blocking sends, stall after a few dozen unless the library lets them go.
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 9 -j DIVERT 7801
dv_start "$HOST" nw never_write 7801
on "$HOST" "$DIVERT_BIN/udpsend" "$PEER_IP" 9 300 1000 32768 10 >"$T/send.out" 2>&1
expect_line "a: all 300 blocking sends completed" "sent 300 of 300" "$T/send.out"
wait_count nw '^got [0-9]+ udp ' 300
dv_count "a: never_write read all 300" nw "^got [0-9]+ udp $HOST_IP:[0-9]+ -> $PEER_IP:9 1028\$" 300
sleep 0.2
expect_queued "a: the kernel holds none of them" "$HOST" 7801 0
expect_stats "a: the library dropped all 300 as expired" nw \
    '^stats received 300 reinjected 0 injected 0 window_drops 0 expired 300$'
dv_stop nw
ipc "$HOST" -F output

# --- b. TCP retransmits what was never written back: while the kernel still holds a segment
# it will not send it again (TcpExtTCPSpuriousRtxHostQueues counts each refusal); dropped, the
# SYN goes out again after 1 s and a data segment after its RTO, and the program reads it again.
rtx=TCPSpuriousRtxHostQueues
ipc "$HOST" -A output -p TCP -d "$PEER_IP" 7000:7001 -j DIVERT 7802
dv_start "$HOST" syn never_write 7802
before=$(netstat_get "$HOST" "$rtx")
on "$HOST" timeout 2.5 bash -c 'exec 3<>"/dev/tcp/$0/7000"' "$PEER_IP" 2>/dev/null
# The most SYNs read from one source port.
syns=$(grep -Eo "tcp $HOST_IP:[0-9]+ -> $PEER_IP:7000 " "$T/syn.out" | sort | uniq -c |
    sort -rn | awk 'NR == 1 { print $1 + 0 }')
if [ "${syns:-0}" -ge 2 ]; then pass "b: the SYN was sent again ($syns times from one port)"
else fail "b: the SYN was read ${syns:-0} times, expected 2 or more"; show "$T/syn.out"; fi
after=$(netstat_get "$HOST" "$rtx")
if [ "$after" = "$before" ]; then pass "b: SYN: no retransmission refused ($rtx $after)"
else fail "b: SYN: $rtx grew from $before to $after"; fi
dv_stop syn

# A connection that exists before the rule; one data segment after it.
ipc "$HOST" -F output
ip netns exec "$PEER" socat -u TCP4-LISTEN:7001,reuseaddr OPEN:/dev/null \
    </dev/null >/dev/null 2>&1 &
BG_PIDS+=($!)
wait_listen "$PEER" t 7001
mkfifo "$T/go"
on "$HOST" timeout 6 bash -c 'exec 3<>"/dev/tcp/$0/7001" && read -r go <"$1" &&
    printf "segment\n" >&3 && sleep 3' "$PEER_IP" "$T/go" 2>/dev/null &
BG_PIDS+=($!)
for i in $(seq 60); do
    [ -n "$(on "$HOST" ss -Htn state established "dport = :7001")" ] && break
    sleep 0.05
done
ipc "$HOST" -A output -p TCP -d "$PEER_IP" 7000:7001 -j DIVERT 7802
dv_start "$HOST" seg never_write 7802
before=$(netstat_get "$HOST" "$rtx")
timeout 2 bash -c 'echo go >"$0"' "$T/go"
if wait_count seg "tcp $HOST_IP:[0-9]+ -> $PEER_IP:7001 60\$" 2; then
    pass "b: the data segment was sent again"
else
    fail "b: the data segment was not sent again"
    show "$T/seg.out"
fi
after=$(netstat_get "$HOST" "$rtx")
if [ "$after" = "$before" ]; then pass "b: segment: no retransmission refused ($rtx $after)"
else fail "b: segment: $rtx grew from $before to $after"; fi
dv_stop seg
ipc "$HOST" -F output

# --- c. a shaper that drops every 10th packet and writes every 25th back 1-2 s late, both
# directions of TCP through its two ports: transfers both ways finish, intact.
head -c 2097152 /dev/urandom >"$T/down"
head -c 2097152 /dev/urandom >"$T/up"
tcp_server "$PEER" 7003 "cat $T/down"
ip netns exec "$PEER" timeout 60 socat -u TCP4-LISTEN:7004,reuseaddr "CREATE:$T/up.got" \
    </dev/null >/dev/null 2>&1 &
up_rx=$!
BG_PIDS+=($!)
wait_listen "$PEER" t 7004
ipc "$HOST" -A output -p TCP -d "$PEER_IP" -j DIVERT 7803
ipc "$HOST" -A input -p TCP -s "$PEER_IP" -j DIVERT 7804
dv_start "$HOST" shaper shaper 7803 7804
start=$SECONDS
ip netns exec "$HOST" timeout 60 socat -u "TCP4:$PEER_IP:7003" "CREATE:$T/down.got" 2>/dev/null &
down_tx=$!
ip netns exec "$HOST" timeout 60 socat -u "OPEN:$T/up" "TCP4:$PEER_IP:7004" 2>/dev/null &
up_tx=$!
BG_PIDS+=("$down_tx" "$up_tx")
wait $down_tx $up_tx $up_rx 2>/dev/null
echo "# transfers took $((SECONDS - start)) s"
if cmp -s "$T/down" "$T/down.got"; then pass "c: 2 MiB from the peer arrived intact"
else fail "c: download: $(wc -c <"$T/down.got" 2>/dev/null || echo no) bytes, differing"; fi
if cmp -s "$T/up" "$T/up.got"; then pass "c: 2 MiB to the peer arrived intact"
else fail "c: upload: $(wc -c <"$T/up.got" 2>/dev/null || echo no) bytes, differing"; fi
# The packets held back are written back within 2 s; then all are past their lifetime.
for i in $(seq 100); do
    [ "$(grep -c '^late ' "$T/shaper.out")" -ge "$(grep -c '^delay ' "$T/shaper.out")" ] && break
    sleep 0.05
done
# shaper_gone PORT: every packet not written back in time was dropped by the library: expired,
# or pushed out of the 1024-packet window, which at this rate can fill within the lifetime (then
# also a packet the shaper was about to write back goes; its write-back counts as injected).
# The connections' last segments may still come after the transfers (a retransmitted FIN), so
# a packet the shaper dropped just now may still be within its lifetime: asked again, up to 2 s.
shaper_gone() {
    local port=$1 i drops delays stats gone n
    for i in $(seq 20); do
        sleep 0.1
        n=$(grep -c "^stats $port " "$T/shaper.out")
        dv_stats shaper >/dev/null
        wait_count shaper "^stats $port " $((n + 1))
        drops=$(grep -c "^drop $port " "$T/shaper.out")
        delays=$(grep -c "^delay $port " "$T/shaper.out")
        stats=$(grep "^stats $port " "$T/shaper.out" | tail -1)
        gone=$(awk '{ print $(NF - 2) + $NF }' <<<"$stats")
        [ "$drops" -gt 0 ] && [ "${stats##* }" -gt 0 ] && [ "$gone" -ge $((drops + delays)) ] &&
            break
    done
    if [ "$gone" -ge $((drops + delays)) ] && [ "$drops" -gt 0 ] && [ "${stats##* }" -gt 0 ]; then
        pass "c: port $port: the library dropped the $drops dropped, $delays held back ($stats)"
    else
        fail "c: port $port: $drops dropped, $delays held back, counters '$stats'"
    fi
}
shaper_gone 7803
shaper_gone 7804
late=$(grep -c '^late ' "$T/shaper.out")
bad=$(grep -c '^late .* -1$' "$T/shaper.out")
if [ "$late" -gt 0 ] && [ "$bad" -eq 0 ]; then pass "c: $late late write-backs accepted"
else
    fail "c: $late late write-backs, $bad failed"
    grep '^late .* -1$' "$T/shaper.out" | head -5
fi
dv_stop shaper
ipc "$HOST" -F output
ipc "$HOST" -F input

# --- d. late write-back: injected anew, resuming after the DIVERT rule. The DIVERT rule does
# not see it again; a DENY after it still denies it; a counting rule after it counts it.
udp_sink "$PEER" "$PEER_IP" 5000 d5000
udp_sink "$PEER" "$PEER_IP" 5001 d5001
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5000:5001 -j DIVERT 7805
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5001 -j DENY
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5000

# late_case NAME PORT TEXT: TEXT to PEER:PORT, written back 300 ms after it was read.
late_case() {
    counts_snap "$HOST" output
    dv_start "$HOST" "$1" late_write 7805 300
    udp_send "$HOST" "$PEER_IP" "$2" "$3"
    dv_exit "d: $1: late_write read and wrote back" "$1" 0
}
# arrived_once DESC SINK TEXT
arrived_once() {
    sink_expect "$1" "$2" "$3" || return
    sleep "$NEG_WAIT"
    local n
    n=$(grep -c -- "$3" "$T/$2.sink")
    if [ "$n" -eq 1 ]; then pass "$1: exactly once"
    else fail "$1: arrived $n times"; fi
}

late_case late 5000 $'late-5000\n'
dv_line "d: the write-back of the expired packet succeeded" late '^sendto 38$'
dv_line "d: it had expired" late ' expired 1$'
arrived_once "d: the late write-back arrived" d5000 late-5000
expect_counts_delta "d: the DIVERT rule saw it once, the rule after it counted it" \
    "$HOST" output 1 0 1

late_case deny 5001 $'late-5001\n'
dv_line "d: DENY after the rule: it had expired" deny ' expired 1$'
sink_empty "d: the DENY after the DIVERT rule denied the late write-back" d5001
expect_counts_delta "d: DENY: the DIVERT rule saw it once, the DENY once" "$HOST" output 1 1 0

LIBDIVERT_LIFETIME_MS=0 late_case zero 5000 $'zero-5000\n'
dv_line "d: lifetime 0: written back after 300 ms" zero '^sendto 38$'
dv_line "d: lifetime 0: nothing expired" zero ' expired 0$'
arrived_once "d: lifetime 0: the reinjection arrived" d5000 zero-5000
expect_counts_delta "d: lifetime 0: the DIVERT rule saw it once" "$HOST" output 1 0 1
ipc "$HOST" -F output

# --- e. the lifetime setting: 1000 ms, from the environment or the socket option. The packet
# is still held after 300 ms and gone after 1.6 s.
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 9 -j DIVERT 7806
lifetime_case() {
    udp_send "$HOST" "$PEER_IP" 9 x
    wait_count "$1" '^got 1 udp ' 1
    sleep 0.3
    expect_queued "e: $2: after 300 ms the packet is still held" "$HOST" 7806 1
    expect_stats "e: $2: after 300 ms nothing expired" "$1" ' expired 0$'
    sleep 1.3
    expect_queued "e: $2: after 1.6 s the packet is gone" "$HOST" 7806 0
    expect_stats "e: $2: after 1.6 s it expired" "$1" ' expired 1$'
    dv_stop "$1"
}
LIBDIVERT_LIFETIME_MS=1000 dv_start "$HOST" env1000 never_write 7806 &&
    lifetime_case env1000 "LIBDIVERT_LIFETIME_MS=1000"
dv_start "$HOST" opt1000 never_write 7806 1000 &&
    lifetime_case opt1000 "DIVERT_LIFETIME_MS 1000"

ipc "$HOST" -F output

# --- f. fork: the housekeeping thread ran in the parent (one packet read before the fork);
# the child, which reads from then on and never writes back, gets its own, so a local sender
# still completes every send.
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 9 -j DIVERT 7807
NEVER_WRITE_FORK_AFTER=1 dv_start "$HOST" fk never_write 7807
on "$HOST" "$DIVERT_BIN/udpsend" "$PEER_IP" 9 1 1000 32768 10 >"$T/send1.out" 2>&1
wait_count fk '^forked ' 1
dv_line "f: the parent read one packet, then forked" fk '^forked [0-9]+$'
on "$HOST" "$DIVERT_BIN/udpsend" "$PEER_IP" 9 300 1000 32768 10 >"$T/send.out" 2>&1
expect_line "f: all 300 blocking sends completed through the child" "sent 300 of 300" "$T/send.out"
wait_count fk '^got [0-9]+ udp ' 301
dv_count "f: the child read all 300" fk "^got [0-9]+ udp $HOST_IP:[0-9]+ -> $PEER_IP:9 1028\$" 301
sleep 0.2
expect_queued "f: the kernel holds none of them" "$HOST" 7807 0
pkill -f "never_write 7807" 2>/dev/null
ipc "$HOST" -F output

# --- g. the kernel forgot a held packet: while the program held it (lifetime 0), another
# program's base chain came and went, as in a firewall reload, and the kernel forgot every
# packet queued in the namespace. The write-back still goes out, injected anew after the
# DIVERT rule as a late write-back is; the library learns of it on the program's next read
# (late_write's linger), from the kernel's refusal of the verdict.
udp_sink "$PEER" "$PEER_IP" 5010 g5010
udp_sink "$PEER" "$PEER_IP" 5011 g5011
udp_sink "$HOST" "$HOST_IP" 5012 g5012
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5010:5011 -j DIVERT 7808
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5011 -j DENY
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5010
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5012 -j DIVERT 7808
ipc "$HOST" -A input -p UDP -d "$HOST_IP" 5012
counter_add "$PEER" tos16 prerouting 0 udp dport 5010 ip dscp 4

# other_base_chain: another program's base chain comes and goes.
other_base_chain() {
    on "$HOST" nft add table ip other &&
        on "$HOST" nft add chain ip other c '{ type filter hook input priority 0; }' &&
        on "$HOST" nft delete table ip other
}
# drop_last_masq: our own command takes the last MASQ rule away.
drop_last_masq() { ipc "$HOST" -D forward 1; }
# forgot_case NAME FROM TO PORT TEXT MEANWHILE [AFTER [TOS]]: TEXT from FROM to TO:PORT, held
# 600 ms by late_write, which runs the command MEANWHILE after 200 ms (other_base_chain,
# drop_last_masq or true), then lingers 1 s or, with AFTER "close", closes the socket; with TOS
# it writes the packet back with that TOS byte.
forgot_case() {
    LIBDIVERT_LIFETIME_MS=0 dv_start "$HOST" "$1" late_write 7808 600 "${7:-1000}" ${8:-}
    udp_send "$2" "$3" "$4" "$5"
    sleep 0.2
    "$6" || fail "$SECTION: $1: $6 failed"
    dv_exit "$SECTION: $1: late_write read and wrote back" "$1" 0 5
}
SECTION=g

counts_snap "$HOST" output
forgot_case out "$HOST" "$PEER_IP" 5010 $'forgot-out\n' other_base_chain
dv_line "g: out: the write-back succeeded" out '^sendto 39$'
dv_line "g: out: the kernel had forgotten it, and the library injected it" out \
    '^forgotten 1 lost 0$'
arrived_once "g: out: it arrived" g5010 forgot-out
expect_counts_delta "g: out: the DIVERT rule saw it once, the rule after it counted it" \
    "$HOST" output 1 0 1

counts_snap "$HOST" output
forgot_case deny "$HOST" "$PEER_IP" 5011 $'forgot-deny\n' other_base_chain
dv_line "g: deny: the kernel had forgotten it" deny '^forgotten 1 lost 0$'
sink_empty "g: deny: the DENY after the DIVERT rule denied the forgotten packet" g5011
expect_counts_delta "g: deny: the DIVERT rule saw it once, the DENY once" "$HOST" output 1 1 0

counts_snap "$HOST" input
forgot_case in "$PEER" "$HOST_IP" 5012 $'forgot-in\n' other_base_chain
dv_line "g: in: the kernel had forgotten it, and the library injected it" in '^forgotten 1 lost 0$'
arrived_once "g: in: it arrived" g5012 forgot-in
expect_counts_delta "g: in: the DIVERT rule saw it once, the rule after it counted it" \
    "$HOST" input 1 1

forgot_case changed "$HOST" "$PEER_IP" 5010 $'forgot-changed\n' other_base_chain 1000 0x10
dv_line "g: changed: the kernel had forgotten it" changed '^forgotten 1 lost 0$'
arrived_once "g: changed: it arrived" g5010 forgot-changed
expect_counter "g: changed: as the program changed it (TOS 0x10)" "$PEER" tos16 1

# Our own command removes a hook while the packet is held: the last MASQ rule takes the
# kernel's connection tracking hooks with it (and on nft the nat chains), so the kernel forgets
# the packet and the library injects it (the counters it printed are in the last check). The
# packet goes on as if nothing had happened.
ipc "$HOST" -A forward -s 10.199.99.0/24 -j MASQ
counts_snap "$HOST" output
forgot_case own "$HOST" "$PEER_IP" 5010 $'forgot-own\n' drop_last_masq
arrived_once "g: own: -D of the last MASQ rule meanwhile, it arrived" g5010 forgot-own
expect_counts_delta "g: own: the DIVERT rule saw it once, the rule after it counted it ($(
    grep '^forgotten' "$T/own.out"))" "$HOST" output 1 0 1

# A program that writes its last packet back and closes the socket: the refusal is taken at
# close.
counts_snap "$HOST" output
forgot_case closing "$HOST" "$PEER_IP" 5010 $'forgot-closing\n' other_base_chain close
dv_line "g: closing: it closed" closing '^closed$'
arrived_once "g: closing: it arrived" g5010 forgot-closing
expect_counts_delta "g: closing: the DIVERT rule saw it once, the rule after it counted it" \
    "$HOST" output 1 0 1

forgot_case kept "$HOST" "$PEER_IP" 5010 $'kept\n' true
dv_line "g: kept: without a reload nothing was forgotten" kept '^forgotten 0 lost 0$'
arrived_once "g: kept: it arrived" g5010 kept
ipc "$HOST" -F output
ipc "$HOST" -F input

# --- h. the ruleset changed while the program held the packet: a DIVERT rule inserted above
# its own, or deleted above it, leaves the resume site the packet carries as it was
# (docs/design.md "Resume site ids"), so the packet resumes after its own DIVERT rule, which
# moved. Before site ids were kept, the inserted case diverted the packet again (counts 0 2 0)
# and the deleted case sent it past the rule after it (counts 1 0).
SECTION=h
udp_sink "$PEER" "$PEER_IP" 5020 h5020
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5020 -j DIVERT 7808
ipc "$HOST" -A output -p UDP -d "$PEER_IP" 5020
insert_above() { ipc "$HOST" -I output 1 -p UDP -d "$PEER_IP" 5029 -j DIVERT 7809; }
delete_above() { ipc "$HOST" -D output 1; }

# The rules move: counted from zero rather than by position.
ipc "$HOST" -Z output
COUNTS_BEFORE=()
forgot_case inserted "$HOST" "$PEER_IP" 5020 $'moved-down\n' insert_above
arrived_once "h: inserted: a DIVERT rule was inserted above meanwhile, it arrived" h5020 moved-down
expect_counts_delta "h: inserted: its DIVERT rule saw it once, the rule after it counted it" \
    "$HOST" output 0 1 1

ipc "$HOST" -Z output
forgot_case deleted "$HOST" "$PEER_IP" 5020 $'moved-up\n' delete_above
arrived_once "h: deleted: the DIVERT rule above was deleted meanwhile, it arrived" h5020 moved-up
expect_counts_delta "h: deleted: its DIVERT rule saw it once, the rule after it counted it" \
    "$HOST" output 1 1

# A reload, as a boot script does it: ipchains-save, a DIVERT rule added above in the file,
# ipchains-restore of the whole file in one transaction.
reload_with_rule_above() {
    on "$HOST" "$IPCHAINS_SAVE" >"$T/h.save" &&
        awk -v rule="-A output -d $PEER_IP 5029 -p 17 -j DIVERT 7809" \
            '/^-A output/ && !done { print rule; done = 1 } { print }' "$T/h.save" >"$T/h.reload" &&
        on "$HOST" "$IPCHAINS_RESTORE" <"$T/h.reload"
}
ipc "$HOST" -Z output
forgot_case reloaded "$HOST" "$PEER_IP" 5020 $'reloaded\n' reload_with_rule_above
arrived_once "h: reloaded: the ruleset was restored with a DIVERT rule above, it arrived" \
    h5020 reloaded
counts=$(on "$HOST" ipchains -L output -v -x -n | awk 'NR > 2 { printf "%s ", $1 }')
case "$counts" in
"0 0 1 " | "0 1 1 ") pass "h: reloaded: the rule after its own DIVERT rule counted it ($counts)" ;;
*) fail "h: reloaded: counts $counts, want the new rule 0 and the rule after its own 1" ;;
esac
ipc "$HOST" -F output

# --- i. on a router, a packet whose own DIVERT rule was deleted while the program held it,
# with another DIVERT rule left on input: it has nowhere to resume and is accepted there
# (divert(7) BUGS), and the forward chain still sees it. Before the resume dispatch cleared the
# stale stamp, the forward hook chain took the packet for a late write-back and let it pass
# the DENY there. The stamps of live sites of other hooks pass on: a forwarded packet's late
# write-back crosses the input side first, and a local packet's crosses the forward dispatch
# (legacy POSTROUTING); each still resumes after its own DIVERT rule.
topo_routed
udp_sink "$SERVER" "$SERVER_IP" 5030 i5030
udp_sink "$SERVER" "$SERVER_IP" 5031 i5031
udp_sink "$SERVER" "$SERVER_IP" 5032 i5032
ipc "$ROUTER" -A input -p UDP -d "$SERVER_IP" 5030 -j DIVERT 7808
ipc "$ROUTER" -A input -p UDP -d "$SERVER_IP" 5039 -j DIVERT 7809
ipc "$ROUTER" -A forward -p UDP -d "$SERVER_IP" 5030 -j DENY
ipc "$ROUTER" -A forward -p UDP -d "$SERVER_IP" 5031 -j DIVERT 7810
ipc "$ROUTER" -A forward -p UDP -d "$SERVER_IP" 5031
ipc "$ROUTER" -A output -p UDP -d "$SERVER_IP" 5032 -j DIVERT 7811
ipc "$ROUTER" -A output -p UDP -d "$SERVER_IP" 5032
counts_snap "$ROUTER" forward
LIBDIVERT_LIFETIME_MS=0 dv_start "$ROUTER" stale late_write 7808 600 1000
udp_send "$CLIENT" "$SERVER_IP" 5030 $'stale\n'
sleep 0.2
ipc "$ROUTER" -D input 1
dv_exit "i: late_write read and wrote back" stale 0 5
sink_empty "i: the forward chain's DENY denied the packet whose DIVERT rule was deleted" i5030
expect_counts_delta "i: the forward chain's DENY counted it" "$ROUTER" forward 1 0 0

counts_snap "$ROUTER" forward
dv_start "$ROUTER" fwdlate late_write 7810 300
udp_send "$CLIENT" "$SERVER_IP" 5031 $'fwd-late\n'
dv_exit "i: forwarded: late_write read and wrote back" fwdlate 0
dv_line "i: forwarded: it had expired" fwdlate ' expired 1$'
arrived_once "i: forwarded: the late write-back arrived" i5031 fwd-late
expect_counts_delta "i: forwarded: its DIVERT rule saw it once, the rule after it counted it" \
    "$ROUTER" forward 0 1 1

counts_snap "$ROUTER" output
dv_start "$ROUTER" outlate late_write 7811 300
udp_send "$ROUTER" "$SERVER_IP" 5032 $'out-late\n'
dv_exit "i: local: late_write read and wrote back" outlate 0
dv_line "i: local: it had expired" outlate ' expired 1$'
arrived_once "i: local: the late write-back arrived" i5032 out-late
expect_counts_delta "i: local: its DIVERT rule saw it once, the rule after it counted it" \
    "$ROUTER" output 1 1

finish
