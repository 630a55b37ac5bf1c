# Shared harness of the ipchains kernel suites; sourced by tests/kernel/ipchains_*.sh.
#
# Every test builds its own private network namespaces (names unique per test and pid),
# sends real packets between them and checks what a user would observe. Addresses come from
# 10.199.0.0/16 and exist only inside those namespaces; the host's own network is never
# touched. Exit status: 0 pass, 1 fail, 77 only when this kernel lacks a feature (the reason
# is printed). Not being root is a failure, not a skip: CI runs as root.
#
# Environment (set by CTest): BUILD = build tree, SRC = source tree.

set -u

SRC=${SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-$PWD}
# Absolute, so a later cd or `ip netns exec` cannot change what they mean.
SRC=$(cd "$SRC" && pwd)
BUILD=$(cd "$BUILD" && pwd)

IPCHAINS=${IPCHAINS:-$BUILD/ipchains}
IPCHAINS_SAVE=${IPCHAINS_SAVE:-$BUILD/ipchains-save}
IPCHAINS_RESTORE=${IPCHAINS_RESTORE:-$BUILD/ipchains-restore}
IPCHAINS_TRANSLATE=${IPCHAINS_TRANSLATE:-$BUILD/ipchains-translate}
# Error messages start with argv[0]; running the commands by bare name from PATH makes them
# read `ipchains: ...` exactly as the old tool printed them.
PATH="$(dirname "$IPCHAINS"):$PATH"
export PATH LC_ALL=C

TEST_NAME=$(basename "$0" .sh)
# Waits for something that must NOT happen (a reply to a denied packet). Replies inside
# these namespaces take well under a millisecond, so this only bounds the suite's run time.
NEG_WAIT=${NEG_WAIT:-0.6}
# Waits for something that must happen; the probes return as soon as it does.
POS_WAIT=${POS_WAIT:-3}

CHECKS=0
FAILS=0
NAMESPACES=()
BG_PIDS=()
T=$(mktemp -d "/tmp/kernel-${TEST_NAME}.XXXXXX")

# ---------------------------------------------------------------------------- reporting

pass() { CHECKS=$((CHECKS + 1)); echo "ok - $*"; }

fail() {
    CHECKS=$((CHECKS + 1))
    FAILS=$((FAILS + 1))
    echo "FAIL - $*"
}

# Prints a file indented, for failure details.
show() { sed 's/^/    | /' "$1"; }

skip() {
    echo "SKIP - $TEST_NAME: this kernel lacks $*"
    exit 77
}

# Last line of every test.
finish() {
    if [ "$FAILS" -eq 0 ]; then
        echo "PASS - $TEST_NAME: $CHECKS checks"
        exit 0
    fi
    echo "FAIL - $TEST_NAME: $FAILS of $CHECKS checks failed"
    exit 1
}

# Setup that cannot be worked around (no namespace, no binary): report and stop.
die() {
    fail "$*"
    finish
}

# ---------------------------------------------------------------------------- cleanup

cleanup() {
    local pid ns
    for pid in "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for ns in "${NAMESPACES[@]}"; do
        # Only our own children live in our private namespaces (forked servers, listeners).
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    done
    for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---------------------------------------------------------------------------- preconditions

[ "$(id -u)" -eq 0 ] || die "$TEST_NAME must run as root (network namespaces, netfilter)"
for _bin in "$IPCHAINS" "$IPCHAINS_SAVE" "$IPCHAINS_RESTORE"; do
    [ -x "$_bin" ] || die "missing program $_bin (build the tree first)"
done
for _tool in ip nft ping socat ss timeout; do
    command -v "$_tool" >/dev/null || die "missing tool '$_tool' (tools/run.sh installs it)"
done

# ---------------------------------------------------------------------------- namespaces

# ns_new VAR ROLE: creates an empty namespace with lo up and stores its name in VAR.
ns_new() {
    local name="kernel-${TEST_NAME#ipchains_}-$$-$2"
    ip netns add "$name" || die "cannot create network namespace $name"
    NAMESPACES+=("$name")
    ip -n "$name" link set lo up
    # IPv4 only: keeps IPv6 neighbour chatter out of counters and captures.
    ip netns exec "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
    ip netns exec "$name" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
    # Many REJECTs to one peer in a row: without this the kernel's per-peer ICMP rate limit
    # (burst of 6, then 1/s) would turn "refused" into "timeout".
    ip netns exec "$name" sysctl -qw net.ipv4.icmp_ratelimit=0
    # No ICMP type rate-limited at all: the machine-wide limit (icmp_msgs_per_sec) is one
    # budget shared by every namespace, so suites running in parallel would take each other's
    # ICMP errors away.
    ip netns exec "$name" sysctl -qw net.ipv4.icmp_ratemask=0
    printf -v "$1" '%s' "$name"
}

# on NS CMD...: runs CMD inside NS.
on() {
    local ns=$1
    shift
    ip netns exec "$ns" "$@"
}

# veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair between two namespaces, /24 addresses.
# Created inside NS1, so no interface name ever exists in the host namespace.
veth() {
    ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" ||
        die "cannot create veth $2/$5"
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$4" addr add "$6/24" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
}

# topo_pair: two hosts on one link.
#   HOST (ipchains runs here) eth0 10.199.1.1  <->  PEER eth0 10.199.1.2
topo_pair() {
    ns_new HOST host
    ns_new PEER peer
    veth "$HOST" eth0 10.199.1.1 "$PEER" eth0 10.199.1.2
    HOST_IP=10.199.1.1
    PEER_IP=10.199.1.2
}

# topo_routed: client, router, server.
#   CLIENT eth0 10.199.1.2 <-> lan0 10.199.1.1 ROUTER wan0 10.199.2.1 <-> eth0 10.199.2.2 SERVER
topo_routed() {
    ns_new CLIENT cli
    ns_new ROUTER rtr
    ns_new SERVER srv
    veth "$CLIENT" eth0 10.199.1.2 "$ROUTER" lan0 10.199.1.1
    veth "$ROUTER" wan0 10.199.2.1 "$SERVER" eth0 10.199.2.2
    ip -n "$CLIENT" route add default via 10.199.1.1
    ip -n "$SERVER" route add default via 10.199.2.1
    on "$ROUTER" sysctl -qw net.ipv4.ip_forward=1
    CLIENT_IP=10.199.1.2
    ROUTER_LAN=10.199.1.1
    ROUTER_WAN=10.199.2.1
    SERVER_IP=10.199.2.2
}

# ---------------------------------------------------------------------------- commands

# run NS CMD...: runs CMD in NS; stdout in $T/out, stderr in $T/err, status in RC.
run() {
    local ns=$1
    shift
    ip netns exec "$ns" "$@" >"$T/out" 2>"$T/err"
    RC=$?
}

# ipc NS ARGS...: an ipchains command that must succeed (setup steps).
ipc() {
    local ns=$1
    shift
    run "$ns" ipchains "$@"
    if [ "$RC" -ne 0 ] || [ -s "$T/err" ]; then
        fail "ipchains $* -> exit $RC"
        show "$T/err"
        return 1
    fi
    return 0
}

# expect_rc DESC WANT NS CMD...: the exit status of CMD is WANT.
expect_rc() { expect_rc_via run "$@"; }

# expect_rc_via RUNNER DESC WANT NS CMD...: the same with RUNNER (a function like run that
# sets RC and writes $T/out and $T/err) in place of run.
expect_rc_via() {
    local runner=$1 desc=$2 want=$3
    shift 3
    "$runner" "$@"
    if [ "$RC" -eq "$want" ]; then
        pass "$desc"
        return 0
    fi
    fail "$desc: '${*:2}' exited $RC, expected $want"
    show "$T/out"
    show "$T/err"
    return 1
}

# same_text DESC EXPECTED-FILE ACTUAL-FILE: byte-exact comparison, diff on failure.
same_text() {
    if cmp -s "$2" "$3"; then
        pass "$1"
        return 0
    fi
    fail "$1 (diff expected actual):"
    diff -u "$2" "$3" | sed 's/^/    | /'
    return 1
}

# expect_stdout DESC NS CMD... <<'EOF' ... EOF: exit 0, stdout exactly the here-document.
expect_stdout() {
    local desc=$1
    shift
    cat >"$T/expected"
    run "$@"
    if [ "$RC" -ne 0 ]; then
        fail "$desc: '${*:2}' exited $RC"
        show "$T/err"
        return 1
    fi
    same_text "$desc" "$T/expected" "$T/out"
}

# expect_error DESC WANT-RC NS CMD... <<'EOF' ... EOF: exit WANT-RC, stderr exactly the
# here-document, nothing on stdout.
expect_error() {
    local desc=$1 want=$2
    shift 2
    cat >"$T/expected"
    run "$@"
    if [ "$RC" -ne "$want" ]; then
        fail "$desc: '${*:2}' exited $RC, expected $want"
        show "$T/out"
        show "$T/err"
        return 1
    fi
    same_text "$desc" "$T/expected" "$T/err"
}

# expect_grep DESC REGEX FILE: FILE has a line matching the extended REGEX.
expect_grep() {
    if grep -Eq -- "$2" "$3"; then
        pass "$1"
        return 0
    fi
    fail "$1: no line matches /$2/ in:"
    show "$3"
    return 1
}

# kernel_state NS FILE: the whole netfilter ruleset of NS, for before/after comparisons.
kernel_state() {
    { on "$1" nft list ruleset; on "$1" iptables-legacy-save 2>/dev/null | grep -v '^#'; } >"$2" 2>&1
}

# ---------------------------------------------------------------------------- probes

# ping_expect DESC NS ADDR WANT: WANT is
#   ok        an echo reply arrives
#   timeout   nothing comes back
#   eperm     the local send fails with "Operation not permitted"
#   unreach:TEXT  an ICMP error comes back, ping prints TEXT (e.g. "Destination Port Unreachable")
ping_expect() {
    local desc=$1 ns=$2 addr=$3 want=$4 wait=$NEG_WAIT got
    [ "$want" = timeout ] || wait=$POS_WAIT
    ip netns exec "$ns" timeout 10 ping -n -c1 -W"$wait" "$addr" >"$T/ping" 2>&1
    if grep -q 'bytes from' "$T/ping"; then
        got=ok
    elif grep -q 'Operation not permitted' "$T/ping"; then
        got=eperm
    elif [ "${want%%:*}" = unreach ] && grep -qF -- "${want#unreach:}" "$T/ping"; then
        got=$want
    elif grep -q 'Unreachable\|Prohibited' "$T/ping"; then
        got="unreach:$(grep -o '[A-Z][a-z]* [A-Za-z ]*\(Unreachable\|Prohibited\)' "$T/ping" | head -1)"
    else
        got=timeout
    fi
    if [ "$got" = "$want" ]; then
        pass "$desc (ping $addr: $want)"
        return 0
    fi
    fail "$desc: ping $addr gave '$got', expected '$want'"
    show "$T/ping"
    return 1
}

# udp_server NS PORT [SHELL-CMD]: answers every datagram on PORT with SHELL-CMD's output
# (default: "udp PORT"); $SOCAT_PEERADDR is the sender as the server saw it. (`pipes`: with
# socat's default socketpair, the output of a command that exits at once is sometimes lost.)
udp_server() {
    local ns=$1 port=$2 reply=${3:-"echo udp $2"}
    ip netns exec "$ns" socat "UDP4-RECVFROM:$port,reuseaddr,fork" SYSTEM:"$reply",pipes \
        </dev/null >/dev/null 2>&1 &
    BG_PIDS+=($!)
    wait_listen "$ns" u "$port"
}

# tcp_server NS PORT [SHELL-CMD]: answers every connection on PORT with SHELL-CMD's output.
tcp_server() {
    local ns=$1 port=$2 reply=${3:-"echo tcp $2"}
    ip netns exec "$ns" socat "TCP4-LISTEN:$port,reuseaddr,fork" SYSTEM:"$reply",pipes \
        </dev/null >/dev/null 2>&1 &
    BG_PIDS+=($!)
    wait_listen "$ns" t "$port"
}

# wait_listen NS t|u PORT: until a socket listens there (at most 3 s).
wait_listen() {
    local i
    for i in $(seq 60); do
        [ -n "$(ip netns exec "$1" ss -H -ln"$2" "sport = :$3" 2>/dev/null)" ] && return 0
        sleep 0.05
    done
    die "no server came up on $2 port $3 in $1"
}

# udp_probe NS ADDR PORT WAIT: one datagram from a connected socket, then prints
#   reply:<first line of the answer> | refused (ICMP port unreachable) | eperm | timeout
# (dd reads the answer in one recv: bash's own read would take one byte per datagram.)
udp_probe() {
    ip netns exec "$1" bash -c '
        exec 3<>"/dev/udp/$1/$2" || exit 2
        printf "probe\n" >&3 || exit 3
        timeout "$3" dd bs=65536 count=1 status=none <&3' probe "$2" "$3" "$4" \
        >"$T/probe" 2>"$T/probe.err"
    case $? in
    0) echo "reply:$(head -1 "$T/probe")" ;;
    124) echo timeout ;;
    *) if grep -q 'Connection refused' "$T/probe.err"; then echo refused
       elif grep -q 'Operation not permitted' "$T/probe.err"; then echo eperm
       else echo "error:$(head -1 "$T/probe.err")"; fi ;;
    esac
}

# icmp_send NS ADDR: sends one ICMP echo request from a raw socket and prints eperm when the
# local send fails with "Operation not permitted" (what 2.2 gave a local sender whose packet
# output DENY/REJECT dropped), sent otherwise. ping itself does not report that error.
icmp_send() {
    printf '\010\000\367\377\000\000\000\000' |
        ip netns exec "$1" timeout 5 socat -u - "IP4-SENDTO:$2:1" 2>"$T/probe.err"
    if grep -q 'Operation not permitted' "$T/probe.err"; then echo eperm
    elif [ -s "$T/probe.err" ]; then echo "error:$(head -1 "$T/probe.err")"
    else echo sent; fi
}

# expect_icmp_send DESC NS ADDR WANT
expect_icmp_send() {
    local got
    got=$(icmp_send "$2" "$3")
    if [ "$got" = "$4" ]; then
        pass "$1 (ICMP echo send to $3: $4)"
        return 0
    fi
    fail "$1: ICMP echo send to $3 gave '$got', expected '$4'"
    return 1
}

# tcp_probe NS ADDR PORT WAIT: connects and reads one line; prints
#   reply:<line> | refused | eperm | timeout
tcp_probe() {
    ip netns exec "$1" timeout "$4" bash -c '
        exec 3<>"/dev/tcp/$1/$2" || exit 2
        read -r line <&3 && echo "reply:$line"' probe "$2" "$3" >"$T/probe" 2>"$T/probe.err"
    case $? in
    0) cat "$T/probe" ;;
    124) echo timeout ;;
    *) if grep -q 'Connection refused' "$T/probe.err"; then echo refused
       elif grep -q 'Operation not permitted' "$T/probe.err"; then echo eperm
       elif grep -q 'No route to host\|unreachable' "$T/probe.err"; then echo unreach
       else echo "error:$(head -1 "$T/probe.err")"; fi ;;
    esac
}

# udp_expect / tcp_expect DESC NS ADDR PORT WANT: WANT as printed by the probes.
udp_expect() { _probe_expect udp "$@"; }
tcp_expect() { _probe_expect tcp "$@"; }
_probe_expect() {
    local kind=$1 desc=$2 ns=$3 addr=$4 port=$5 want=$6 wait=$POS_WAIT got
    [ "$want" = timeout ] && wait=$NEG_WAIT
    got=$("${kind}_probe" "$ns" "$addr" "$port" "$wait")
    if [ "$got" = "$want" ]; then
        pass "$desc ($kind $addr:$port: $want)"
        return 0
    fi
    fail "$desc: $kind $addr:$port gave '$got', expected '$want'"
    return 1
}

# udp_from_port NS ADDR PORT SPORT: prints the answer to a datagram sent from source port
# SPORT (empty when none came back within NEG_WAIT).
udp_from_port() {
    printf 'probe\n' | ip netns exec "$1" timeout 5 \
        socat -T"$NEG_WAIT" -t"$NEG_WAIT" - "UDP4:$2:$3,sourceport=$4,reuseaddr" 2>/dev/null
}

# ---------------------------------------------------------------------------- observers

# counter_add NS NAME HOOK PRIORITY MATCH...: a counter of our own, in table `ip kobs` of NS,
# counting packets that match MATCH (nft syntax) at HOOK/PRIORITY. Independent of ipchains'
# own table, so it observes what ipchains did to the packet.
counter_add() {
    local ns=$1 name=$2 hook=$3 prio=$4
    shift 4
    on "$ns" nft add table ip kobs &&
        on "$ns" nft add counter ip kobs "$name" &&
        on "$ns" nft add chain ip kobs "$name" "{ type filter hook $hook priority $prio; }" &&
        on "$ns" nft add rule ip kobs "$name" "$@" counter name "$name" ||
        die "cannot add observer counter $name ($*)"
}

# counter_packets NS NAME: packets seen by the observer counter.
counter_packets() {
    on "$1" nft list counter ip kobs "$2" | sed -n 's/.*packets \([0-9]*\) bytes.*/\1/p'
}

# expect_counter DESC NS NAME WANT
expect_counter() {
    local got
    got=$(counter_packets "$2" "$3")
    if [ "$got" = "$4" ]; then
        pass "$1 (counter $3 = $4)"
        return 0
    fi
    fail "$1: counter $3 = '$got', expected $4"
    return 1
}

# counts_snap NS CHAIN: remembers the packet count of each rule of CHAIN (from -L -v -x).
counts_snap() {
    COUNTS_BEFORE=($(ip netns exec "$1" ipchains -L "$2" -v -x -n | awk 'NR > 2 { print $1 }'))
}

# expect_counts_delta DESC NS CHAIN D1 D2...: since counts_snap, rule i matched Di more
# packets (rules added since count from 0). Independent of -Z.
expect_counts_delta() {
    local desc=$1 ns=$2 chain=$3 i
    shift 3
    local now=($(ip netns exec "$ns" ipchains -L "$chain" -v -x -n | awk 'NR > 2 { print $1 }'))
    local got=()
    for i in "${!now[@]}"; do got+=($((now[i] - ${COUNTS_BEFORE[i]:-0}))); done
    if [ "${got[*]}" = "$*" ]; then
        pass "$desc (new matches per rule of $chain: $*)"
        return 0
    fi
    fail "$desc: new matches per rule of $chain: '${got[*]}', expected '$*'"
    return 1
}

# ---------------------------------------------------------------------------- kernel features

# Probes run in a throw-away namespace; a failure means the kernel lacks the feature.
_probe_ns() {
    [ -n "${PROBE_NS:-}" ] || ns_new PROBE_NS probe
}

# require_nft_nat: masquerade and redirect (MASQ, REDIRECT).
require_nft_nat() {
    _probe_ns
    on "$PROBE_NS" nft -f - >/dev/null 2>&1 <<'EOF' || skip "nf_tables NAT (nft_nat, nft_masq, nft_redir)"
table ip kprobe {
    chain pre { type nat hook prerouting priority -100; tcp dport 1 redirect to :2; }
    chain post { type nat hook postrouting priority 100; masquerade; }
}
EOF
    on "$PROBE_NS" nft delete table ip kprobe
}

# require_nft_reject: ICMP errors for REJECT.
require_nft_reject() {
    _probe_ns
    on "$PROBE_NS" nft -f - >/dev/null 2>&1 <<'EOF' || skip "nf_tables reject (nft_reject_ipv4)"
table ip kprobe {
    chain inp { type filter hook input priority 0; reject; }
}
EOF
    on "$PROBE_NS" nft delete table ip kprobe
}

# require_queue: some NFQUEUE path for DIVERT (nft queue, or the xt NFQUEUE target).
require_queue() {
    _probe_ns
    if on "$PROBE_NS" nft -f - >/dev/null 2>&1 <<'EOF'
table ip kprobe {
    chain out { type filter hook output priority 0; queue num 1 bypass; }
}
EOF
    then
        on "$PROBE_NS" nft delete table ip kprobe
        return 0
    fi
    command -v iptables-nft >/dev/null ||
        die "nft queue is unavailable and iptables-nft is missing to probe xt NFQUEUE"
    on "$PROBE_NS" iptables-nft -A OUTPUT -j NFQUEUE --queue-num 1 --queue-bypass \
        >/dev/null 2>&1 || skip "NFQUEUE (neither nft_queue nor xt_NFQUEUE)"
    on "$PROBE_NS" iptables-nft -F OUTPUT
    on "$PROBE_NS" nft flush ruleset
}

# ---------------------------------------------------------------------------- queue listener

# NFQUEUE listener used by the DIVERT tests: built from tests/kernel/ipchains_nfqlisten.c on
# first use (written to a temporary name, then renamed, so concurrent tests never see half a
# file).
NFQLISTEN=$BUILD/tests/kernel/ipchains_nfqlisten
build_nfqlisten() {
    local src=$SRC/tests/kernel/ipchains_nfqlisten.c tmp
    [ -x "$NFQLISTEN" ] && [ "$NFQLISTEN" -nt "$src" ] && return 0
    mkdir -p "$(dirname "$NFQLISTEN")"
    tmp=$(mktemp "$NFQLISTEN.XXXXXX")
    # shellcheck disable=SC2046
    if ! ${CC:-cc} -O2 -Wall -o "$tmp" "$src" $(pkg-config --cflags --libs libnetfilter_queue) \
        2>"$T/cc.err"; then
        rm -f "$tmp"
        show "$T/cc.err"
        die "cannot build the NFQUEUE listener (libnetfilter-queue-dev installed?)"
    fi
    mv -f "$tmp" "$NFQLISTEN"
}

# listen_start NS QUEUE VERDICT COUNT: starts a listener on QUEUE in the background; its
# output goes to $T/listen.QUEUE. VERDICT accept reinjects (the packet resumes after the DIVERT
# rule), drop consumes it. It exits after COUNT packets, or after 5 s. Returns once the queue
# is bound.
declare -A LISTEN_PIDS
listen_start() {
    local ns=$1 q=$2 i
    build_nfqlisten
    rm -f "$T/listen.$q"
    ip netns exec "$ns" "$NFQLISTEN" "$q" "$3" "$4" 5 >"$T/listen.$q" 2>&1 &
    LISTEN_PIDS[$q]=$!
    BG_PIDS+=($!)
    for i in $(seq 60); do
        grep -q '^bound' "$T/listen.$q" 2>/dev/null && return 0
        sleep 0.05
    done
    show "$T/listen.$q"
    die "the NFQUEUE listener did not bind queue $q"
}

# listen_expect DESC QUEUE LINE...: waits for the listener on QUEUE to finish; it must have
# received exactly the packets described by LINE... ("packet proto P SRC -> DST len L").
listen_expect() {
    local desc=$1 q=$2
    shift 2
    wait "${LISTEN_PIDS[$q]}" 2>/dev/null
    { echo "bound $q"; printf '%s\n' "$@"; } >"$T/listen.want"
    same_text "$desc (queue $q received)" "$T/listen.want" "$T/listen.$q"
}

# expect_line DESC LINE FILE: FILE has exactly this line.
expect_line() {
    if grep -qxF -- "$2" "$3"; then
        pass "$1"
        return 0
    fi
    fail "$1: no line '$2' in:"
    show "$3"
    return 1
}
