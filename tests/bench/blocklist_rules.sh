# Sourced by blocklist_rates.sh: the rulesets it measures, one description written out for
# each tool. No address or port in them matches the benchmark's traffic (UDP from
# 10.199.1.2 to 10.199.2.2 port 9), so every packet crosses the whole ruleset.
#
# ruleset TOOL SHAPE N   prints the file TOOL loads (see blocklist_rates.sh for the shapes)
# extra_host R           prints the R-th host that is in no ruleset (for "one more entry")

extra_host() { echo "10.200.$(($1 / 250)).$(($1 % 250 + 1))"; }

# The shapes as neutral lines: ":CHAIN" declares a user chain; a rule is
# "CHAIN PROTO SRC DST DPORT TARGET" with - for "any", DPORT "A" or "A:B", TARGET DENY, ACCEPT
# or a user chain.
# Host i is scattered over 10.64.0.0/10 (i * odd constant mod 2^22 is a bijection), so that
# neighbours are rarely adjacent addresses and a set keeps N elements; network j is a /24
# scattered over 10.128.0.0/10, every fourth one its upper /25; the UDP pairs' networks are
# /24s in 172.16.0.0/12.
bl_shape() {
    awk -v shape="$1" -v n="$2" '
        function host(i,   k) { k = (i * 40503 + 12345) % 4194304
            return "10." (64 + int(k / 65536)) "." (int(k / 256) % 256) "." (k % 256) }
        function net(j,   k) { k = (j * 7919 + 17) % 16384
            return "10." (128 + int(k / 256)) "." (k % 256) (j % 4 == 3 ? ".128/25" : ".0/24") }
        function udp_net(j,   k) { k = (j * 7919 + 99) % 4096
            return "172." (16 + int(k / 256)) "." (k % 256) ".0/24" }
        BEGIN {
            if (shape == "hosts") {
                for (i = 0; i < n; i++) print "forward - " host(i) " - - DENY"
            } else if (shape == "mixed") {
                half = int(n / 2); quarter = int(n / 4)
                for (i = 0; i < half; i++) print "forward - " net(i) " - - DENY"
                for (i = 0; i < quarter; i++)
                    print "forward tcp - - " (20000 + 2 * i) (i % 2 ? ":" (20001 + 2 * i) : "") " DENY"
                for (i = 0; i < n - half - quarter; i++)
                    print "forward udp " udp_net(i) " - " (5000 + i % 1000) " DENY"
            } else if (shape == "script") {
                hosts = int(n * 7 / 10); nets = int(n / 5); ports = n - hosts - nets - 5
                print ":blocked"; print ":badnets"
                print "forward - - - - blocked"; print "forward - - - - badnets"
                for (i = 0; i < ports; i++) print "forward tcp - 10.199.2.2 " (1024 + i) " ACCEPT"
                print "forward tcp - - - DENY"; print "forward icmp - - - DENY"
                print "forward - 10.199.9.0/24 - - DENY"
                for (i = 0; i < hosts; i++) print "blocked - " host(i) " - - DENY"
                for (i = 0; i < nets; i++) print "badnets - " net(4 * i) " - - DENY"
            } else if (shape != "empty") {
                print "blocklist_rules: unknown shape " shape > "/dev/stderr"; exit 1
            }
        }'
}

# ipchains-save format (ipchains-restore(8)).
bl_ipchains() {
    awk 'BEGIN { print ":input ACCEPT"; print ":forward ACCEPT"; print ":output ACCEPT" }
         /^:/ { print $1 " -"; next }
         { r = "-A " $1
           if ($2 != "-") r = r " -p " $2
           if ($3 != "-") r = r " -s " $3
           if ($5 != "-") r = r " -d " ($4 != "-" ? $4 : "0.0.0.0/0") " " $5
           else if ($4 != "-") r = r " -d " $4
           print r " -j " $6 }'
}

bl_iptables() {
    awk 'BEGIN { print "*filter"; print ":INPUT ACCEPT [0:0]"; print ":FORWARD ACCEPT [0:0]"
                 print ":OUTPUT ACCEPT [0:0]" }
         /^:/ { print $1 " - [0:0]"; next }
         { r = "-A " ($1 == "forward" ? "FORWARD" : $1)
           if ($2 != "-") r = r " -p " $2
           if ($3 != "-") r = r " -s " $3
           if ($4 != "-") r = r " -d " $4
           if ($5 != "-") r = r " --dport " $5
           t = $6 == "DENY" ? "DROP" : $6
           print r " -j " t }
         END { print "COMMIT" }'
}

# One table in nft's block syntax: nft -o merges rules only there, not across "add rule"
# commands.
bl_nft() {
    awk '/^:/ { chains[++nchains] = substr($1, 2); next }
         { r = ""
           if ($3 != "-") r = r " ip saddr " $3
           if ($4 != "-") r = r " ip daddr " $4
           if ($5 != "-") { p = $5; sub(":", "-", p); r = r " " $2 " dport " p }
           else if ($2 != "-") r = r " ip protocol " $2
           t = $6 == "DENY" ? "drop" : $6 == "ACCEPT" ? "accept" : "jump " $6
           body[$1] = body[$1] "\t\t" substr(r " counter " t, 2) "\n" }
         END { print "table ip bench {"
               for (c = 1; c <= nchains; c++) printf "\tchain %s {\n%s\t}\n", chains[c], body[chains[c]]
               printf "\tchain fw {\n\t\ttype filter hook forward priority 0; policy accept;\n%s\t}\n", body["forward"]
               print "}" }'
}

# The same rules in 2.2's three chains, as the product lays them out (docs/design.md "Chain
# layout"): base chains on prerouting, forward and postrouting, each ending in a counter of
# what reaches its policy (2.2 counted every policy, `ipchains -L -v`). Through nft -o this is
# nft's optimizer with the product's semantics: the like-for-like of the product's layout.
bl_nft3() {
    bl_nft | awk '
        /^\tchain fw \{/ { fw = 1 }
        fw && /^\t\}/ { print "\t\tcounter"; print; fw = 0
            print "\tchain in3 {\n\t\ttype filter hook prerouting priority -150; policy accept;\n\t\tcounter\n\t}"
            print "\tchain out3 {\n\t\ttype filter hook postrouting priority 0; policy accept;\n\t\tcounter\n\t}"
            next }
        { print }'
}

# hosts only: what an nft user writes for a blocklist by hand.
bl_nft_set() {
    awk 'BEGIN { print "add table ip bench"; print "add set ip bench blocklist { type ipv4_addr; }"
                 print "add chain ip bench fw { type filter hook forward priority 0; policy accept; }"
                 print "add rule ip bench fw ip saddr @blocklist counter drop" }
         $6 == "DENY" && $1 == "forward" { print "add element ip bench blocklist { " $3 " }" }'
}

ruleset() {
    local tool=$1 shape=$2 n=$3
    case $tool in
        none) ;;
        ipchains | ipchains-legacy | ipchains-unhooked) bl_shape "$shape" "$n" | bl_ipchains ;;
        iptables-legacy) bl_shape "$shape" "$n" | bl_iptables ;;
        nft | nft-o) bl_shape "$shape" "$n" | bl_nft ;;
        nft-o3) bl_shape "$shape" "$n" | bl_nft3 ;;
        nft-set) bl_shape "$shape" "$n" | bl_nft_set ;;
    esac
}
