#!/bin/bash
# Exact -L output (docs/reference/ipchains-commands.md section 9) for a rule set covering every
# column: DIVERT and REDIRECT ports, -y/-l flags, a wildcard interface, a user chain, an accounting
# rule, inverted addresses and ports, -m and -t; plus the -v one-line echo of -A (section 9.3). No
# traffic: every counter is 0.
. "$(dirname "$0")/lib.sh"

ns_new NS list

# -v with -A echoes the rule first, in the one-line layout.
expect_stdout "-v -A echoes a DIVERT rule" "$NS" ipchains -v -A input -p ICMP -j DIVERT 1234 <<'EOF'
DIVERT  icmp opt    ------ tos 0xFF 0x00  via *    0.0.0.0/0 -> 0.0.0.0/0    * ->   * => 1234
EOF
expect_stdout "-v -A echoes a -y -l rule" "$NS" \
    ipchains -v -A input -p tcp -s 10.199.1.0/24 -d 0/0 80 -y -l -j DENY <<'EOF'
DENY  tcp opt    -y--l- tos 0xFF 0x00  via *    10.199.1.0/24 -> 0.0.0.0/0    * ->   80
EOF
# 1.3.9 quirk: no separator between the destination port and the redirect port here.
expect_stdout "-v -A echoes REDIRECT with the 1.3.9 quirk" "$NS" \
    ipchains -v -A input -p tcp -d 10.199.2.2 80 -j REDIRECT 8080 <<'EOF'
REDIRECT  tcp opt    ------ tos 0xFF 0x00  via *    0.0.0.0/0 -> 10.199.2.2    * ->   808080
EOF
ipc "$NS" -N ppp-in
ipc "$NS" -A input -i ppp+ -j ppp-in
ipc "$NS" -A input -s 10.199.1.1
expect_stdout "-v -A echoes mark, TOS and inversions" "$NS" \
    ipchains -v -A input -p udp -s ! 10.199.0.0/16 -d 0/0 ! 1024:65535 -m 5 -t 01 10 -j ACCEPT <<'EOF'
ACCEPT  udp opt    ------ tos 0x01 0x10  via * mark 0x5   !10.199.0.0/16 -> 0.0.0.0/0    * ->  !1024:65535
EOF
ipc "$NS" -P forward DENY
ipc "$NS" -A ppp-in -p udp -s 10.199.3.1 53 -i ppp0 -j ACCEPT

expect_stdout "ipchains -L -n" "$NS" ipchains -L -n <<'EOF'
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
DIVERT     icmp ------  0.0.0.0/0            0.0.0.0/0             * ->   * => 1234
DENY       tcp  -y--l-  10.199.1.0/24        0.0.0.0/0             * ->   80
REDIRECT   tcp  ------  0.0.0.0/0            10.199.2.2            * ->   80 => 8080
ppp-in     all  ------  0.0.0.0/0            0.0.0.0/0             n/a
-          all  ------  10.199.1.1           0.0.0.0/0             n/a
ACCEPT     udp  ------ !10.199.0.0/16        0.0.0.0/0             * ->  !1024:65535
Chain forward (policy DENY):
Chain output (policy ACCEPT):
Chain ppp-in (1 references):
target     prot opt     source                destination           ports
ACCEPT     udp  ------  10.199.3.1           0.0.0.0/0             53 ->   *
EOF
expect_stdout "ipchains -L" "$NS" ipchains -L <<'EOF'
Chain input (policy ACCEPT):
target     prot opt     source                destination           ports
DIVERT     icmp ------  anywhere             anywhere              any ->   any => 1234
DENY       tcp  -y--l-  10.199.1.0/24        anywhere              any ->   http
REDIRECT   tcp  ------  anywhere             10.199.2.2            any ->   http => http-alt
ppp-in     all  ------  anywhere             anywhere              n/a
-          all  ------  10.199.1.1           anywhere              n/a
ACCEPT     udp  ------ !10.199.0.0/16        anywhere              any ->  !1024:65535
Chain forward (policy DENY):
Chain output (policy ACCEPT):
Chain ppp-in (1 references):
target     prot opt     source                destination           ports
ACCEPT     udp  ------  10.199.3.1           anywhere              domain ->   any
EOF
expect_stdout "ipchains -L -v -n" "$NS" ipchains -L -v -n <<'EOF'
Chain input (policy ACCEPT: 0 packets, 0 bytes):
 pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
    0     0 DIVERT     icmp ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   * => 1234
    0     0 DENY       tcp  -y--l- 0xFF 0x00  *                              10.199.1.0/24        0.0.0.0/0             * ->   80
    0     0 REDIRECT   tcp  ------ 0xFF 0x00  *                              0.0.0.0/0            10.199.2.2            * ->   80 => 8080
    0     0 ppp-in     all  ------ 0xFF 0x00  ppp+                           0.0.0.0/0            0.0.0.0/0             n/a
    0     0 -          all  ------ 0xFF 0x00  *                              10.199.1.1           0.0.0.0/0             n/a
    0     0 ACCEPT     udp  ------ 0x01 0x10  *          0x5                  !10.199.0.0/16        0.0.0.0/0             * ->  !1024:65535
Chain forward (policy DENY: 0 packets, 0 bytes):
Chain output (policy ACCEPT: 0 packets, 0 bytes):
Chain ppp-in (1 references):
 pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
    0     0 ACCEPT     udp  ------ 0xFF 0x00  ppp0                           10.199.3.1           0.0.0.0/0             53 ->   *
EOF
expect_stdout "ipchains -L -v -n -x" "$NS" ipchains -L -v -n -x <<'EOF'
Chain input (policy ACCEPT: 0 packets, 0 bytes):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       0          0 DIVERT     icmp ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   * => 1234
       0          0 DENY       tcp  -y--l- 0xFF 0x00  *                              10.199.1.0/24        0.0.0.0/0             * ->   80
       0          0 REDIRECT   tcp  ------ 0xFF 0x00  *                              0.0.0.0/0            10.199.2.2            * ->   80 => 8080
       0          0 ppp-in     all  ------ 0xFF 0x00  ppp+                           0.0.0.0/0            0.0.0.0/0             n/a
       0          0 -          all  ------ 0xFF 0x00  *                              10.199.1.1           0.0.0.0/0             n/a
       0          0 ACCEPT     udp  ------ 0x01 0x10  *          0x5                  !10.199.0.0/16        0.0.0.0/0             * ->  !1024:65535
Chain forward (policy DENY: 0 packets, 0 bytes):
Chain output (policy ACCEPT: 0 packets, 0 bytes):
Chain ppp-in (1 references):
    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
       0          0 ACCEPT     udp  ------ 0xFF 0x00  ppp0                           10.199.3.1           0.0.0.0/0             53 ->   *
EOF
expect_stdout "ipchains -L -n --line-numbers" "$NS" ipchains -L -n --line-numbers <<'EOF'
Chain input (policy ACCEPT):
num  target     prot opt     source                destination           ports
1    DIVERT     icmp ------  0.0.0.0/0            0.0.0.0/0             * ->   * => 1234
2    DENY       tcp  -y--l-  10.199.1.0/24        0.0.0.0/0             * ->   80
3    REDIRECT   tcp  ------  0.0.0.0/0            10.199.2.2            * ->   80 => 8080
4    ppp-in     all  ------  0.0.0.0/0            0.0.0.0/0             n/a
5    -          all  ------  10.199.1.1           0.0.0.0/0             n/a
6    ACCEPT     udp  ------ !10.199.0.0/16        0.0.0.0/0             * ->  !1024:65535
Chain forward (policy DENY):
Chain output (policy ACCEPT):
Chain ppp-in (1 references):
num  target     prot opt     source                destination           ports
1    ACCEPT     udp  ------  10.199.3.1           0.0.0.0/0             53 ->   *
EOF
expect_stdout "ipchains -L -v -n --line-numbers" "$NS" ipchains -L -v -n --line-numbers <<'EOF'
Chain input (policy ACCEPT: 0 packets, 0 bytes):
num   pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
1        0     0 DIVERT     icmp ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   * => 1234
2        0     0 DENY       tcp  -y--l- 0xFF 0x00  *                              10.199.1.0/24        0.0.0.0/0             * ->   80
3        0     0 REDIRECT   tcp  ------ 0xFF 0x00  *                              0.0.0.0/0            10.199.2.2            * ->   80 => 8080
4        0     0 ppp-in     all  ------ 0xFF 0x00  ppp+                           0.0.0.0/0            0.0.0.0/0             n/a
5        0     0 -          all  ------ 0xFF 0x00  *                              10.199.1.1           0.0.0.0/0             n/a
6        0     0 ACCEPT     udp  ------ 0x01 0x10  *          0x5                  !10.199.0.0/16        0.0.0.0/0             * ->  !1024:65535
Chain forward (policy DENY: 0 packets, 0 bytes):
Chain output (policy ACCEPT: 0 packets, 0 bytes):
Chain ppp-in (1 references):
num   pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
1        0     0 ACCEPT     udp  ------ 0xFF 0x00  ppp0                           10.199.3.1           0.0.0.0/0             53 ->   *
EOF

expect_stdout "ipchains -L ppp-in -n (one chain)" "$NS" ipchains -L ppp-in -n <<'EOF'
Chain ppp-in (1 references):
target     prot opt     source                destination           ports
ACCEPT     udp  ------  10.199.3.1           0.0.0.0/0             53 ->   *
EOF
expect_stdout "ipchains -L forward (empty chain: header only)" "$NS" ipchains -L forward <<'EOF'
Chain forward (policy DENY):
EOF

# -o and named ICMP types, each on its own so a failure here does not hide the above.
ipc "$NS" -A ppp-in -p udp -s 10.199.3.2 53 -i ppp0 -o 128 -j ACCEPT
expect_stdout "-o sets the o flag and the outsize column" "$NS" ipchains -L ppp-in -v -n <<'EOF'
Chain ppp-in (1 references):
 pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
    0     0 ACCEPT     udp  ------ 0xFF 0x00  ppp0                           10.199.3.1           0.0.0.0/0             53 ->   *
    0     0 ACCEPT     udp  -----o 0xFF 0x00  ppp0                  128      10.199.3.2           0.0.0.0/0             53 ->   *
EOF
ipc "$NS" -A output -p icmp --icmp-type echo-request -j ACCEPT
expect_stdout "a named ICMP type is listed by name without -n" "$NS" ipchains -L output <<'EOF'
Chain output (policy ACCEPT):
target     prot opt     source                destination           ports
ACCEPT     icmp ------  anywhere             anywhere              echo-request
EOF
expect_stdout "and as type -> code range with -n" "$NS" ipchains -L output -n <<'EOF'
Chain output (policy ACCEPT):
target     prot opt     source                destination           ports
ACCEPT     icmp ------  0.0.0.0/0            0.0.0.0/0             8 ->   *
EOF

finish
