# Sourced by the benches that push UDP through a router namespace (conntrack_cost.sh,
# blocklist_rates.sh): a client, a router and a server namespace joined by veth pairs,
# `udp_flood` (udp_flood.c, built on first use into $BUILD/tests/bench/) sending 64-byte
# datagrams from the client to the server's port 9, and a stateless nft counter in the server
# that counts what arrives (and drops it). Needs BUILD and SRC.
#
# path_up P         creates $P-cli (10.199.1.2), $P-rtr (10.199.1.1 / 10.199.2.1, forwarding)
#                   and $P-srv (10.199.2.2); the router holds no ruleset
# path_down P       deletes them
# path_measure P FLOWS SECONDS SIZE
#                   prints "PPS NS": packets per second that reached the server, and CPU
#                   nanoseconds per arrived packet (see below)
# path_profile P SECONDS SIZE FILE
#                   prints the share (percent) of all CPU samples of the machine spent in
#                   packet-filter rule evaluation while the client floods (see below); needs
#                   perf; FILE is its temporary data file
# median V...       the median of integers
# median_of V...    the median of decimal numbers, with two decimals ("-" if none)
# ratio A B         A / B with two decimals

FLOOD=$BUILD/tests/bench/udp_flood

udp_flood_build() {
    mkdir -p "$(dirname "$FLOOD")"
    if [ ! -x "$FLOOD" ] || [ "$SRC/tests/bench/udp_flood.c" -nt "$FLOOD" ]; then
        cc -O2 -Wall -o "$FLOOD" "$SRC/tests/bench/udp_flood.c"
    fi
}

path_up() {
    local cli=$1-cli rtr=$1-rtr srv=$1-srv n l
    for n in "$cli" "$rtr" "$srv"; do ip netns add "$n"; ip -n "$n" link set lo up; done
    ip -n "$cli" link add eth0 type veth peer name lan0 netns "$rtr"
    ip -n "$rtr" link add wan0 type veth peer name eth0 netns "$srv"
    ip -n "$cli" addr add 10.199.1.2/24 dev eth0
    ip -n "$rtr" addr add 10.199.1.1/24 dev lan0
    ip -n "$rtr" addr add 10.199.2.1/24 dev wan0
    ip -n "$srv" addr add 10.199.2.2/24 dev eth0
    for l in "$cli eth0" "$rtr lan0" "$rtr wan0" "$srv eth0"; do
        set -- $l; ip -n "$1" link set "$2" up
    done
    ip -n "$cli" route add default via 10.199.1.1
    ip -n "$srv" route add default via 10.199.2.1
    ip netns exec "$rtr" sysctl -qw net.ipv4.ip_forward=1
    # Static neighbours: no ARP in the measurement.
    ip -n "$cli" neigh replace 10.199.1.1 lladdr "$(path_mac "$rtr" lan0)" dev eth0 nud permanent
    ip -n "$rtr" neigh replace 10.199.2.2 lladdr "$(path_mac "$srv" eth0)" dev wan0 nud permanent
    ip netns exec "$srv" nft -f - <<'EOF'
table ip sink {
    counter got { }
    chain pre { type filter hook prerouting priority 0; udp dport 9 counter name got drop; }
}
EOF
}

path_down() {
    local n
    for n in "$1-cli" "$1-rtr" "$1-srv"; do ip netns del "$n" 2>/dev/null || true; done
}

path_mac() { ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

path_arrived() {
    ip netns exec "$1-srv" nft list counter ip sink got | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# softirq CPU time of the whole machine so far, in clock ticks (/proc/stat).
path_softirq() { awk '$1 == "cpu" { print $8 }' /proc/stat; }

# The CPU figure is the sender's own (user + system) plus the machine's softirq time, where the
# router forwards (veth hands packets over in softirq). Throughput depends on how busy the
# machine is; the CPU cost per packet much less.
path_measure() {
    local p=$1 flows=$2 secs=$3 size=$4 before after sirq0 sirq1 out
    before=$(path_arrived "$p")
    sirq0=$(path_softirq)
    out=$(ip netns exec "$p-cli" "$FLOOD" 10.199.2.2 9 "$secs" "$flows" "$size")
    sirq1=$(path_softirq)
    after=$(path_arrived "$p")
    awk -v n=$((after - before)) -v s="$secs" -v cpu="${out#* }" \
        -v sirq=$((sirq1 - sirq0)) -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%d %d", n / s, (cpu + sirq * 1e9 / hz) / (n ? n : 1) }'
}

# The host's steal time slows all code alike, so a share of CPU samples holds steady where
# rates swing. Rule evaluation is everything under nft_do_chain (nftables) and ipt_do_table
# (legacy iptables), callees included ("Children"; -g records the call chains that needs).
# The share includes the server's own nft counter chain (path_up), which every router pays.
# The flood starts half a second before the samples and ends half a second after them.
path_profile() {
    local p=$1 secs=$2 size=$3 file=$4 flood rc=0
    ip netns exec "$p-cli" "$FLOOD" 10.199.2.2 9 "$((secs + 1))" 1 "$size" >/dev/null &
    flood=$!
    sleep 0.5
    perf record -q -e cpu-clock -F 2000 -a -g -o "$file" -- sleep "$secs" >/dev/null 2>&1 || rc=1
    wait "$flood"
    [ "$rc" = 0 ] || return 1
    perf report -i "$file" --stdio --children --sort sym -g none 2>/dev/null |
        awk 'NF >= 3 && $(NF - 1) == "[k]" && ($NF == "nft_do_chain" || $NF == "ipt_do_table") { s += $1 }
             END { printf "%.1f", s }'
    rm -f "$file"
}

median() {
    printf '%s\n' "$@" | sort -n |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

median_of() {
    printf '%s\n' "$@" | grep . | sort -g |
        awk '{ v[NR] = $1 }
             END { if (!NR) { printf "-"; exit }
                   printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
