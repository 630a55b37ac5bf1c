#!/bin/sh
# A short, readable demo of the project for a newcomer, run by `sh tools/run.sh demo`:
# two private network namespaces ("host" and "peer"), a 1999-style DIVERT rule on the host's
# output chain, the HOWTO's interceptor reading the diverted packets and putting them back,
# and ping showing that every packet still reaches the peer. Nothing outside the two
# namespaces is touched; they are removed at the end.
#   usage: sh tools/demo.sh [BUILD_DIR]      (root)
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd) || exit 1
IPCHAINS=$BUILD/ipchains
INTERCEPTOR=$BUILD/interceptor/interceptor
HOST=ipchains-demo-$$-host
PEER=ipchains-demo-$$-peer
HOST_IP=10.199.1.1
PEER_IP=10.199.1.2
PORT=1234
TMP=$(mktemp -d /tmp/ipchains-demo.XXXXXX)
ICPT_PID=

for f in "$IPCHAINS" "$INTERCEPTOR"; do
    [ -x "$f" ] || { echo "demo: $f is missing: build first (sh tools/run.sh demo)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (network namespaces)" >&2; exit 1; }

cleanup() {
    [ -n "$ICPT_PID" ] && kill "$ICPT_PID" 2>/dev/null
    ip netns del "$HOST" 2>/dev/null
    ip netns del "$PEER" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

say() { printf '\n### %s\n' "$*"; }
# show CMD...: prints the command as a user would type it on the host, then runs it there.
show() {
    printf 'host# %s\n' "$*"
    ip netns exec "$HOST" "$@"
}

say "Two private network namespaces joined by a veth pair: host $HOST_IP, peer $PEER_IP"
ip netns add "$HOST" && ip netns add "$PEER" || exit 1
ip -n "$HOST" link add eth0 type veth peer name eth0 netns "$PEER" || exit 1
ip -n "$HOST" addr add "$HOST_IP/24" dev eth0
ip -n "$PEER" addr add "$PEER_IP/24" dev eth0
for ns in "$HOST" "$PEER"; do
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
done
ip netns exec "$HOST" ping -c1 -W2 -q "$PEER_IP" >/dev/null ||
    { echo "demo: the namespaces cannot reach each other" >&2; exit 1; }

say "Divert every outgoing ICMP packet to divert port $PORT (Divert Sockets mini-HOWTO, 6.4)"
PATH=$BUILD:$PATH
export PATH
show ipchains -A output -p ICMP -j DIVERT $PORT || exit 1
show ipchains -L output -n || exit 1

say "Start the HOWTO's interceptor on port $PORT: show each packet, reinject it (-r), stop after 3"
printf 'host# interceptor -r -n 3 %s &\n' "$PORT"
ip netns exec "$HOST" "$INTERCEPTOR" -r -n 3 "$PORT" >"$TMP/interceptor" 2>&1 &
ICPT_PID=$!
i=0
until grep -q 'Waiting for data' "$TMP/interceptor" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$ICPT_PID" 2>/dev/null; then
        cat "$TMP/interceptor"
        echo "demo: the interceptor did not start" >&2
        exit 1
    fi
    sleep 0.1
done

say "Ping the peer 3 times: each echo request goes through the interceptor first"
show ping -n -c 3 -i 0.3 -W 2 "$PEER_IP" | tee "$TMP/ping"

# The interceptor exits by itself after 3 packets; give it a moment, no more.
i=0
while kill -0 "$ICPT_PID" 2>/dev/null && [ $i -lt 50 ]; do
    i=$((i + 1))
    sleep 0.1
done
kill "$ICPT_PID" 2>/dev/null
wait "$ICPT_PID" 2>/dev/null
ICPT_PID=

say "What the interceptor printed"
# (libtool's wrapper runs it as .../.libs/interceptor; show the name a user would type)
sed 's|^[^ ]*/interceptor:|interceptor:|' "$TMP/interceptor"

say "The DIVERT rule's counters"
show ipchains -L output -v -n

diverted=$(grep -c 'bytes reinjected' "$TMP/interceptor")
replies=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/ping")
echo
if [ "$diverted" -eq 3 ] && [ "${replies:-0}" -eq 3 ]; then
    echo "DEMO OK: 3 packets diverted to port $PORT and reinjected; ping got 3 replies"
    exit 0
fi
echo "DEMO FAILED: $diverted packets reinjected, ${replies:-0} ping replies (expected 3 and 3)"
exit 1
