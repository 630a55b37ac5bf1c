#!/bin/bash
# What a long ruleset costs per packet (issue 10), in ONE run. UDP packets per second through
# a router namespace (udp_path.sh: client -> router -> server) whose forward path holds a
# ruleset the packets cross without matching, as a ratio to a router with no table at all.
# Each configuration gets its own client/router/server namespaces, loaded once; then the
# repetitions alternate over all of them (none A none B none ... none, again and again), and
# each measurement is compared with the `none` runs right before and after it (see "Paired
# ratios" below).
#
# Rulesets (blocklist_rules.sh), for N = 100, 1,000, 10,000 entries:
#   hosts   N source hosts /32, DENY
#   mixed   N/2 source networks (/24, /25), N/4 TCP destination ports and ranges,
#           N/4 UDP source network + destination port pairs, all DENY
#   script  a real-world shape: forward jumps to user chains `blocklist` (7/10 of N hosts) and
#           `badnets` (1/5 of N networks), then ACCEPTs for TCP services, then a DENY tail
# loaded by
#   ipchains         ipchains-restore, nft backend (the product)
#   ipchains-legacy  ipchains-restore, legacy backend
#   ipchains-unhooked  ipchains-restore, nft backend, `empty-chains = unhooked`
#                    (docs/backends.md "Empty chains"): only forward, the chain with rules,
#                    is hooked; input's and output's policies count nothing
#   iptables-legacy  iptables-legacy-restore, one rule per entry in filter FORWARD
#   nft              nft -f, one rule per entry (with a counter, as the others keep) in a
#                    forward base chain
#   nft-o            the same file through nft's optimizer, nft -o -f
#   nft-o3           the same rules in 2.2's three chains (base chains on prerouting, forward
#                    and postrouting, each counting what reaches its policy), nft -o -f: nft's
#                    optimizer held to the product's semantics
#   nft-set          hosts only: one named set of the N hosts and one rule (hand-written)
# plus "no table" (the baseline) and the product's fixed layout around an empty ruleset
# (policies only, ACCEPT), on both backends. (ipchains-unhooked has no fixed layout to measure:
# with policies only it leaves no base chain, so no packet meets its table, as with `none`.)
#
# Also, with perf: the share of the machine's CPU samples spent evaluating rules during a
# flood through each configuration (udp_path.sh path_profile), a steadier figure than rates
# here, and that share over none's.
# Also: the time of one more blocklist host at N = 10,000 (ipchains -A against iptables-legacy
# -A, nft add rule and nft add element), the time of -P forward DENY and back there (against
# iptables-legacy -P and nft's chain policy update), and the kernel memory of each ruleset: the growth of
# SUnreclaim + VmallocUsed + Percpu in /proc/meminfo across the load into a namespace without
# a ruleset (0.2 s after it returns), median of BLOCKLIST_MEM_REPS loads, the first into the
# router itself. These are system-wide figures, so other work on the machine is noise; the
# "none" row, which loads nothing, shows how much.
#
# Usage: BUILD=<build dir> SRC=<src dir> tests/bench/blocklist_rates.sh [reps] [seconds]
# Environment, for subsets: BLOCKLIST_TOOLS (default "ipchains ipchains-legacy ipchains-unhooked
# iptables-legacy nft nft-o nft-o3 nft-set"), BLOCKLIST_SHAPES ("hosts mixed script"),
# BLOCKLIST_SIZES ("100 1000 10000"), BLOCKLIST_MEM_REPS (3), BLOCKLIST_ADD_REPS (5; 0 skips),
# BLOCKLIST_LAYOUT_REPS (10: extra sequences of the empty layouts, none between),
# BLOCKLIST_BASE_EVERY (1: a `none` run before every configuration; K: before every K-th),
# BLOCKLIST_PROFILE (1; 0 skips the kernel profile), BLOCKLIST_PROFILE_SECONDS (3),
# BLOCKLIST_NICE (-10), SIZE (64).
# Targets (reported, never failed): the product >= 0.90x at N = 10,000 hosts and ahead of
# iptables-legacy, nft and nft -o there; the fixed layout >= 0.97x. nft-o3 is reported beside
# them: what nft -o costs with the three chains and policy counts that 2.2 semantics need.
# Root; private namespaces only.
set -eu
BUILD=${BUILD:-$(pwd)}
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
IPCHAINS=${IPCHAINS:-$BUILD/ipchains}
RESTORE=${IPCHAINS_RESTORE:-$BUILD/ipchains-restore}
REPS=${1:-5}
SECONDS_PER=${2:-1}
TOOLS=${BLOCKLIST_TOOLS:-ipchains ipchains-legacy ipchains-unhooked iptables-legacy nft nft-o nft-o3 nft-set}
SHAPES=${BLOCKLIST_SHAPES:-hosts mixed script}
SIZES=${BLOCKLIST_SIZES:-100 1000 10000}
MEM_REPS=${BLOCKLIST_MEM_REPS:-3}
ADD_REPS=${BLOCKLIST_ADD_REPS:-5}
LAYOUT_REPS=${BLOCKLIST_LAYOUT_REPS:-10}
BASE_EVERY=${BLOCKLIST_BASE_EVERY:-1}
PROFILE=${BLOCKLIST_PROFILE:-1}
PROFILE_SECONDS=${BLOCKLIST_PROFILE_SECONDS:-3}
SIZE=${SIZE:-64}
TARGET_N=10000
# A session of its own with autogroup nice BLOCKLIST_NICE (default -10; empty keeps the
# caller's session): tests/bench/own_session.sh.
BENCH_NICE=${BLOCKLIST_NICE--10}
. "$SRC/tests/bench/own_session.sh"
P=bl$$
WORK=$(mktemp -d)
. "$SRC/tests/bench/udp_path.sh"
. "$SRC/tests/bench/blocklist_rules.sh"

configs=()   # "tool shape n"; index i lives in namespaces $P-$i-{cli,rtr,srv}
cleanup() {
    local i
    for i in "${!configs[@]}"; do path_down "$P-$i"; done
    for i in "${!configs[@]}"; do
        for ((r = 1; r < MEM_REPS; r++)); do ip netns del "$P-mem-$r-$i" 2>/dev/null || true; done
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

has_tool() { case " $TOOLS " in *" $1 "*) return 0 ;; esac; return 1; }
now_ns() { date +%s%N; }

configs+=("none - 0")
has_tool ipchains && configs+=("ipchains empty 0")
has_tool ipchains-legacy && configs+=("ipchains-legacy empty 0")
# The floor of any layout that runs 2.2's three chains with their policy counters: one empty
# nft base chain on each of the three hooks a forwarded packet crosses.
has_tool ipchains && configs+=("hooks empty 0")
for shape in $SHAPES; do
    for n in $SIZES; do
        for tool in $TOOLS; do
            [ "$tool" != nft-set ] || [ "$shape" = hosts ] || continue
            configs+=("$tool $shape $n")
        done
    done
done

# The product's settings for TOOL (ipchains, ipchains-legacy or ipchains-unhooked), as env
# arguments.
settings_of() {
    case $1 in
        ipchains-legacy) echo IPCHAINS_DIVERT_BACKEND=legacy ;;
        ipchains-unhooked) echo IPCHAINS_DIVERT_BACKEND=nft IPCHAINS_DIVERT_EMPTY_CHAINS=unhooked ;;
        *) echo IPCHAINS_DIVERT_BACKEND=nft ;;
    esac
}

# load TOOL SHAPE N NETNS: loads the ruleset into NETNS (nothing for "none").
load() {
    local tool=$1 shape=$2 n=$3 ns=$4 f=$WORK/$1-$2-$3
    [ "$tool" = hooks ] || [ -f "$f" ] || ruleset "$tool" "$shape" "$n" >"$f"
    # A policy equal to the default creates nothing; the fixed layout needs the table, so the
    # empty ruleset first sets one policy to DENY (the file then sets it back to ACCEPT).
    if [ "$shape" = empty ] && [ "$tool" != hooks ]; then
        ip netns exec "$ns" env $(settings_of "$tool") "$IPCHAINS" -P forward DENY
    fi
    case $tool in
        none) ;;
        hooks)
            ip netns exec "$ns" nft -f - <<'EOF'
table ip hooks {
	chain in_hook {
		type filter hook prerouting priority -150; policy accept;
	}
	chain fwd_hook {
		type filter hook forward priority 0; policy accept;
	}
	chain out_hook {
		type filter hook postrouting priority 0; policy accept;
	}
}
EOF
            ;;
        ipchains | ipchains-legacy | ipchains-unhooked)
            ip netns exec "$ns" env $(settings_of "$tool") "$RESTORE" <"$f" >/dev/null ;;
        iptables-legacy) ip netns exec "$ns" iptables-legacy-restore <"$f" ;;
        nft | nft-set) ip netns exec "$ns" nft -f "$f" ;;
        nft-o | nft-o3) ip netns exec "$ns" nft -o -f "$f" >/dev/null 2>&1 ;;
    esac
}

# Rules the kernel holds for TOOL in NETNS (a merged run counts once).
kernel_rules() {
    case $1 in
        none) echo 0 ;;
        ipchains-legacy | iptables-legacy) ip netns exec "$2" iptables-legacy-save | grep -c '^-A' || true ;;
        *) ip netns exec "$2" nft -a list ruleset | grep -c $'^\t\t[^\t].*# handle [0-9]*$' || true ;;
    esac
}

# Whether TOOL (ipchains or ipchains-legacy) left its table in NETNS.
has_table() {
    if [ "$1" = ipchains-legacy ]; then
        ip netns exec "$2" iptables-legacy-save -t mangle | grep -q '^:ipchains-'
    else
        ip netns exec "$2" nft list table ip ipchains >/dev/null 2>&1
    fi
}

kernel_kb() { awk '/^(SUnreclaim|VmallocUsed|Percpu):/ { s += $2 } END { print s }' /proc/meminfo; }

echo "== blocklist rulesets on a router's forward path: UDP $SIZE B, ${REPS} x ${SECONDS_PER} s, alternating over ${#configs[@]} configurations =="
udp_flood_build
declare -A load_ms rules mem_kb
# load_measured I NETNS: loads configuration I into NETNS, a namespace without a ruleset, and
# adds the growth of kernel memory to its runs; LOAD_MS = the milliseconds the load took.
load_measured() {
    local tool shape n before after t0 t1
    read -r tool shape n <<<"${configs[$1]}"
    before=$(kernel_kb)
    t0=$(now_ns)
    load "$tool" "$shape" "$n" "$2"
    t1=$(now_ns)
    sleep 0.2   # the transaction's own objects are freed after the commit returns
    after=$(kernel_kb)
    mem_kb[$1]+=" $((after - before))"
    LOAD_MS=$(((t1 - t0) / 1000000))
}
for i in "${!configs[@]}"; do
    read -r tool shape n <<<"${configs[$i]}"
    path_up "$P-$i"
    mem_kb[$i]=""
    load_measured "$i" "$P-$i-rtr"
    load_ms[$i]=$LOAD_MS
    rules[$i]=$(kernel_rules "$tool" "$P-$i-rtr")
    # The nft layout holds no rule for policies alone (they are its hook chains' own), so
    # the check is for the table.
    if [ "$shape" = empty ] && [ "$tool" != hooks ] && ! has_table "$tool" "$P-$i-rtr"; then
        echo "blocklist_rates: $tool with policies only left no table to measure" >&2
        exit 1
    fi
done

# Paired ratios. The rates on a shared VM swing with the host's load (steal time) by up to 2x
# from one second or one repetition to the next, for every configuration alike, so medians of
# absolute rates, each taken from runs far apart in time, compare poorly. Each configuration
# is therefore compared with `none` (configuration 0) measured right next to it: a sequence
# runs none A none B ... none, every measurement's reference is the mean of the `none` runs
# just before and just after it (which also cancels a steady drift across the pair), and the
# table gives the median over the repetitions of that ratio. This doubles the time of the
# throughput loop; a `none` run once per repetition would cost less, but then the
# configurations measured far from it would be compared across the very swings the pairing
# is meant to cancel.
# BLOCKLIST_BASE_EVERY=K runs `none` only before every K-th configuration (and after the last).
RUNS=$WORK/runs   # one line per measurement, in order: "SEQUENCE CONFIG PPS NS"
: >"$RUNS"
# measure_sequence LABEL I...: measures configurations I... in turn with `none` around them.
measure_sequence() {
    local label=$1 k=0 i pps ns
    shift
    for i in "$@" 0; do
        if [ "$i" = 0 ] || [ $((k++ % BASE_EVERY)) = 0 ]; then
            read -r pps ns <<<"$(path_measure "$P-0" 1 "$SECONDS_PER" "$SIZE")"
            echo "$label 0 $pps $ns" >>"$RUNS"
        fi
        [ "$i" = 0 ] && continue
        read -r pps ns <<<"$(path_measure "$P-$i" 1 "$SECONDS_PER" "$SIZE")"
        echo "$label $i $pps $ns" >>"$RUNS"
    done
}
for ((r = 0; r < REPS; r++)); do measure_sequence "main$r" $(seq 1 $((${#configs[@]} - 1))); done

# The fixed layout against no table, more closely: its target (0.97x) is finer than the
# spread of single 1 s measurements on a busy machine. The empty layouts are measured
# LAYOUT_REPS times more, in sequences of their own; their paired ratios join those above.
layout=()
for i in "${!configs[@]}"; do case ${configs[$i]} in *" empty 0") layout+=("$i") ;; esac; done
for ((r = 0; r < LAYOUT_REPS && ${#layout[@]} > 0; r++)); do measure_sequence "layout$r" "${layout[@]}"; done

# PAIRED: one line per measurement of a configuration other than `none`, "CONFIG PPS_RATIO
# NS_RATIO": its pkt/s and CPU ns per packet over the mean of the `none` runs next to it in
# its sequence.
PAIRED=$WORK/paired
awk '{ seq[NR] = $1; cfg[NR] = $2; pps[NR] = $3; ns[NR] = $4 }
     END {
         for (k = 1; k <= NR; k++) {
             if (cfg[k] == 0) continue
             m = 0; sp = 0; sn = 0
             for (j = k - 1; j >= 1 && seq[j] == seq[k]; j--)
                 if (cfg[j] == 0) { m++; sp += pps[j]; sn += ns[j]; break }
             for (j = k + 1; j <= NR && seq[j] == seq[k]; j++)
                 if (cfg[j] == 0) { m++; sp += pps[j]; sn += ns[j]; break }
             if (m && sp && sn) printf "%d %.4f %.4f\n", cfg[k], pps[k] * m / sp, ns[k] * m / sn
         }
     }' "$RUNS" >"$PAIRED"
# column FILE CONFIG FIELD: the FIELD-th values of CONFIG's lines in FILE (CONFIG first).
column_of() { awk -v i="$2" -v f="$3" '$1 == i { print $f }' "$1"; }
# paired_median CONFIG FIELD (2: pkt/s, 3: CPU per packet): the median of its paired ratios.
paired_median() {
    if [ "$1" = 0 ]; then echo 1.00; else median_of $(column_of "$PAIRED" "$1" "$2"); fi
}

# Kernel profile: the share of CPU samples in rule evaluation, one flood per configuration.
# Sampling holds steady where rates swing: steal time slows all code alike.
declare -A filter_share
if [ "$PROFILE" = 0 ]; then
    profile_note="filter CPU %: not measured (BLOCKLIST_PROFILE=0)"
elif ! command -v perf >/dev/null; then
    profile_note="filter CPU %: not measured (no perf; Debian: linux-perf)"
else
    profile_note="filter CPU %: share of all CPU samples (perf cpu-clock, 2 kHz, all CPUs, $PROFILE_SECONDS s during a flood) in nft_do_chain + ipt_do_table with callees"
    for i in "${!configs[@]}"; do
        if ! filter_share[$i]=$(path_profile "$P-$i" "$PROFILE_SECONDS" "$SIZE" "$WORK/perf-$i.data"); then
            profile_note="filter CPU %: not measured (perf record failed)"
            filter_share=()
            break
        fi
    done
    # `none` always has the server's counter chain: no sample there means no kernel symbols.
    if [ "${filter_share[0]:-0.0}" = 0.0 ]; then
        profile_note="filter CPU %: not measured (no samples in nft_do_chain even for none: kernel symbols unreadable?)"
        filter_share=()
    fi
fi

# One more host at N = 10,000, alternating between the tools, each into its own namespace.
declare -A add_runs
add_tools=()
for tool in ipchains ipchains-legacy ipchains-unhooked iptables-legacy nft nft-set; do
    for i in "${!configs[@]}"; do
        [ "${configs[$i]}" = "$tool hosts $TARGET_N" ] && add_tools+=("$tool:$i")
    done
done
for ((r = 0; r < ADD_REPS; r++)); do
    h=$(extra_host "$r")
    for ti in "${add_tools[@]}"; do
        tool=${ti%%:*} ns=$P-${ti#*:}-rtr
        t0=$(now_ns)
        case $tool in
            ipchains | ipchains-legacy | ipchains-unhooked)
                ip netns exec "$ns" env $(settings_of "$tool") "$IPCHAINS" -A forward -s "$h" -j DENY ;;
            iptables-legacy) ip netns exec "$ns" iptables-legacy -A FORWARD -s "$h" -j DROP ;;
            nft) ip netns exec "$ns" nft add rule ip bench fw ip saddr "$h" counter drop ;;
            nft-set) ip netns exec "$ns" nft add element ip bench blocklist "{ $h }" ;;
        esac
        t1=$(now_ns)
        add_runs[$tool]+=" $(((t1 - t0) / 1000))"
    done
done

# -P at N = 10,000: forward's policy to DENY and back, alternating between the same tools.
declare -A policy_runs
for ((r = 0; r < ADD_REPS; r++)); do
    for target in DENY ACCEPT; do
        verdict=accept
        [ "$target" = DENY ] && verdict=drop
        for ti in "${add_tools[@]}"; do
            tool=${ti%%:*} ns=$P-${ti#*:}-rtr
            t0=$(now_ns)
            case $tool in
                ipchains | ipchains-legacy | ipchains-unhooked)
                    ip netns exec "$ns" env $(settings_of "$tool") "$IPCHAINS" -P forward "$target" ;;
                iptables-legacy) ip netns exec "$ns" iptables-legacy -P FORWARD "${verdict^^}" ;;
                nft | nft-set) ip netns exec "$ns" nft add chain ip bench fw "{ policy $verdict ; }" ;;
            esac
            t1=$(now_ns)
            policy_runs[$tool]+=" $(((t1 - t0) / 1000))"
        done
    done
done

# Memory, further repeats: each ruleset again into a fresh namespace of its own (the first
# was the router's load above). They stay until the end: namespaces are freed asynchronously,
# and that must not happen inside another configuration's window.
for ((r = 1; r < MEM_REPS; r++)); do
    for i in "${!configs[@]}"; do
        ip netns add "$P-mem-$r-$i"
        load_measured "$i" "$P-mem-$r-$i"
    done
done

# The table.
printf '\n| ruleset | N | loaded by | kernel rules | load ms | pkt/s | x no table | CPU/pkt x | filter CPU %% | filter CPU %% over none | kernel KiB |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|\n'
declare -A ratio_of over_of
for i in "${!configs[@]}"; do
    read -r tool shape n <<<"${configs[$i]}"
    pps=$(median $(awk -v i="$i" '$2 == i { print $3 }' "$RUNS"))
    ratio_of["$tool $shape $n"]=$(paired_median "$i" 2)
    mem=$(median ${mem_kb[$i]})
    share=${filter_share[$i]:--} over=-
    [ "$share" = - ] || over=$(awk -v a="$share" -v b="${filter_share[0]}" 'BEGIN { printf "%.1f", a - b }')
    over_of["$tool $shape $n"]=$over
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$shape" "$n" "$tool" "${rules[$i]}" \
        "${load_ms[$i]}" "$pps" "${ratio_of["$tool $shape $n"]}" "$(paired_median "$i" 3)" \
        "$share" "$over" "$mem"
done
echo
echo "$profile_note"
echo
echo "runs, pkt/s (in order; after | the extra repetitions of the empty layouts and their none runs):"
for i in "${!configs[@]}"; do
    awk -v i="$i" -v name="${configs[$i]}" '
        $2 == i && $1 ~ /^main/ { main = main " " $3 }
        $2 == i && $1 ~ /^layout/ { extra = extra " " $3 }
        END { print "  " name ":" main (extra == "" ? "" : " |" extra) }' "$RUNS"
done
echo "paired ratios, pkt/s over the none runs next to each (in order):"
for ((i = 1; i < ${#configs[@]}; i++)); do echo "  ${configs[$i]}: $(column_of "$PAIRED" "$i" 2 | paste -sd ' ')"; done
echo "kernel memory runs, KiB:"
for i in "${!configs[@]}"; do echo "  ${configs[$i]}:${mem_kb[$i]}"; done

# One line per tool of the command timed into `runs` (add or policy): what ran, the median.
report_times() {
    local kind=$1 what
    local -n runs=$2
    for ti in "${add_tools[@]}"; do
        tool=${ti%%:*}
        case $kind:$tool in
            add:ipchains) what="ipchains -A forward -s H -j DENY" ;;
            add:ipchains-legacy) what="ipchains -A ... (legacy backend)" ;;
            add:ipchains-unhooked) what="ipchains -A ... (empty chains unhooked)" ;;
            add:iptables-legacy) what="iptables-legacy -A FORWARD -s H -j DROP" ;;
            add:nft) what="nft add rule (linear table)" ;;
            add:nft-set) what="nft add element (set of $TARGET_N)" ;;
            policy:ipchains) what="ipchains -P forward DENY|ACCEPT" ;;
            policy:ipchains-legacy) what="ipchains -P ... (legacy backend)" ;;
            policy:ipchains-unhooked) what="ipchains -P ... (empty chains unhooked)" ;;
            policy:iptables-legacy) what="iptables-legacy -P FORWARD DROP|ACCEPT" ;;
            policy:nft) what="nft add chain ... { policy ... } (linear)" ;;
            policy:nft-set) what="nft add chain ... { policy ... } (set)" ;;
        esac
        printf '%-42s %8.1f ms   (runs, us:%s)\n' "$what" \
            "$(awk -v us="$(median ${runs[$tool]})" 'BEGIN { print us / 1000 }')" "${runs[$tool]}"
    done
}
if [ "${#add_tools[@]}" -gt 0 ] && [ "$ADD_REPS" -gt 0 ]; then
    echo
    echo "-- one more blocklist host at N = $TARGET_N (median of $ADD_REPS, one process each)"
    report_times add add_runs
    echo
    echo "-- forward's policy to DENY and back at N = $TARGET_N (median of $((2 * ADD_REPS)), one process each)"
    report_times policy policy_runs
fi

echo
echo "-- targets (reported, not failed)"
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) ? "ok" : "MISSED" }'; }
for i in "${layout[@]}"; do
    read -r tool _ <<<"${configs[$i]}"
    r=${ratio_of["${configs[$i]}"]} c=$(paired_median "$i" 3)
    pairs=$(column_of "$PAIRED" "$i" 2 | wc -l)
    if [ "$tool" = hooks ]; then
        echo "three empty base chains (the floor of a 2.2 layout): ${r}x no table" \
            "  (median of $pairs paired ratios; CPU per packet ${c}x)"
        continue
    fi
    echo "fixed layout, policies only ($tool): ${r}x no table   target >= 0.97: $(verdict "$r" 0.97)" \
        "  (median of $pairs paired ratios; CPU per packet ${c}x)"
done
for mine in ipchains ipchains-unhooked; do
    r=${ratio_of["$mine hosts $TARGET_N"]:-}
    [ -n "$r" ] || continue
    echo "$mine, $TARGET_N hosts: ${r}x no table   target >= 0.90: $(verdict "$r" 0.90)"
    for other in iptables-legacy nft nft-o nft-o3; do
        o=${ratio_of["$other hosts $TARGET_N"]:-}
        [ -z "$o" ] || echo "$mine ahead of $other at $TARGET_N hosts (${r}x against ${o}x): $(awk -v a="$r" -v b="$o" 'BEGIN { print (a > b) ? "ok" : "MISSED" }')"
    done
done
# The same comparisons by the profile, which the host's load moves far less than the rates:
# points of all CPU samples spent in rule evaluation beyond no table (lower is better).
if [ "${over_of["ipchains hosts $TARGET_N"]:--}${over_of["ipchains-unhooked hosts $TARGET_N"]:--}" != -- ]; then
    echo "-- the same by filter CPU over none (points of all CPU samples; lower is better)"
    h=${over_of["hooks empty 0"]:--} e=${over_of["ipchains empty 0"]:--}
    [ "$h" = - ] || [ "$e" = - ] ||
        echo "fixed layout, policies only (ipchains): $e against $h for three empty base chains: the layout adds $(awk -v a="$e" -v b="$h" 'BEGIN { printf "%.1f", a - b }')"
    for mine in ipchains ipchains-unhooked; do
        r=${over_of["$mine hosts $TARGET_N"]:--}
        [ "$r" != - ] || continue
        for other in iptables-legacy nft nft-o nft-o3 nft-set; do
            o=${over_of["$other hosts $TARGET_N"]:--}
            [ "$o" = - ] || echo "$mine ahead of $other at $TARGET_N hosts ($r against $o): $(awk -v a="$r" -v b="$o" 'BEGIN { print (a < b) ? "ok" : "MISSED" }')"
        done
    done
fi
