#!/bin/bash
# Ports: single, ranges lo:hi, open-ended lo: and :hi, `!`, --dport/--sport, source ports after
# -s, service names, TCP and UDP. REJECT makes a match visible as "refused".
. "$(dirname "$0")/lib.sh"

require_nft_reject
topo_pair
for p in 7001 7002 7010; do udp_server "$HOST" $p; done
for p in 8001 8080; do tcp_server "$HOST" $p; done

# udp_check "R7001 R7002 R7010" RULE...: one REJECT rule, three UDP probes.
udp_check() {
    local want=($1) desc=$2 p i=0
    shift 2
    ipc "$HOST" -F input
    ipc "$HOST" -A input -p udp "$@" -j REJECT || return
    for p in 7001 7002 7010; do
        if [ "${want[$i]}" = ok ]; then
            udp_expect "$desc" "$PEER" "$HOST_IP" $p "reply:udp $p"
        else
            udp_expect "$desc" "$PEER" "$HOST_IP" $p refused
        fi
        i=$((i + 1))
    done
}

R=refused
udp_check "$R ok ok" "single port" -d 0/0 7001
udp_check "$R $R ok" "range" -d 0/0 7000:7005
udp_check "ok ok $R" "inverted range" -d 0/0 ! 7000:7005
udp_check "ok ok $R" "open upper end lo:" -d 0/0 7005:
udp_check "$R ok ok" "open lower end :hi" -d 0/0 :7001
udp_check "$R $R $R" "full range :" -d 0/0 :
udp_check "ok $R ok" "--dport" --dport 7002
udp_check "$R ok $R" "--dport !" --dport ! 7002
udp_check "ok $R ok" "-d address and port" -d 10.199.1.1 7002
udp_check "ok ok ok" "-d other address and port" -d 10.199.1.9 7002

# Source ports: the probe sends from a chosen port.
ipc "$HOST" -F input
ipc "$HOST" -A input -p udp -s 0/0 5555 -j DENY
got=$(udp_from_port "$PEER" "$HOST_IP" 7001 5555)
if [ -z "$got" ]; then pass "-s 0/0 5555 drops source port 5555"; else fail "-s 0/0 5555: got '$got'"; fi
got=$(udp_from_port "$PEER" "$HOST_IP" 7001 5556)
if [ "$got" = "udp 7001" ]; then pass "-s 0/0 5555 passes source port 5556"
else fail "-s 0/0 5555 from 5556: got '$got'"; fi
ipc "$HOST" -R input 1 -p udp --sport 5000:5555 -j DENY
got=$(udp_from_port "$PEER" "$HOST_IP" 7001 5100)
if [ -z "$got" ]; then pass "--sport range drops 5100"; else fail "--sport 5000:5555 from 5100: got '$got'"; fi

# TCP, and service names (/etc/services: 8080 = http-alt).
ipc "$HOST" -F input
ipc "$HOST" -A input -p tcp -d 10.199.1.1 8001 -j REJECT
tcp_expect "TCP port" "$PEER" "$HOST_IP" 8001 refused
tcp_expect "TCP other port" "$PEER" "$HOST_IP" 8080 "reply:tcp 8080"
ipc "$HOST" -R input 1 -p tcp -d 0/0 http-alt -j REJECT
tcp_expect "service name" "$PEER" "$HOST_IP" 8080 refused
tcp_expect "service name, other port" "$PEER" "$HOST_IP" 8001 "reply:tcp 8001"
expect_stdout "the service name is stored as its number" "$HOST" ipchains -L input -n <<'EOF'
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
REJECT     tcp  ------  0.0.0.0/0            0.0.0.0/0             * ->   8080
EOF

# A UDP rule does not match TCP on the same port, nor the reverse.
ipc "$HOST" -R input 1 -p udp -d 0/0 8001 -j REJECT
tcp_expect "UDP rule, TCP traffic" "$PEER" "$HOST_IP" 8001 "reply:tcp 8001"

finish
