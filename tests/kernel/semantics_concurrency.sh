#!/bin/bash
# Two programs changing the rules at the same time lose nothing: each command reads the
# kernel, changes the rules in memory and commits a difference; the commit carries the
# generation of its read, the kernel refuses it when someone committed in between, and the
# command runs again on a fresh read. Here two loops of 200 commands (appends on the fast
# path, inserts and deletions on the slow one) run in parallel on one chain and must end with
# exactly the expected rules, in the expected order, in a table equal to a fresh build. A third
# loop sets forward's policy back and forth meanwhile (-P, on its own fast path on nft) and must
# leave the last one it set.
# IPCHAINS_DIVERT_BACKEND=legacy runs the same loops on the legacy backend, where the xtables lock
# and a check of our chains against the read stand in for the generation (docs/backends.md).
. "$(dirname "$0")/lib.sh"

N=${SEMANTICS_N:-200}
ns_new HOST host
ipc "$HOST" -N other   # a second chain, so the layout is more than the built-ins

# writer NAME OP...: N commands; every 4th one also deletes (by rule spec) the rule the
# previous iteration added. Failures go to $T/NAME.err.
writer_a() {
    local i
    for i in $(seq 1 "$N"); do
        ip netns exec "$HOST" ipchains -A input -s "10.1.$((i / 250)).$((i % 250 + 1))" -j ACCEPT ||
            echo "A: -A $i failed" >>"$T/a.err"
        if [ $((i % 4)) -eq 0 ]; then
            local j=$((i - 1))
            ip netns exec "$HOST" ipchains -D input -s "10.1.$((j / 250)).$((j % 250 + 1))" \
                -j ACCEPT || echo "A: -D $j failed" >>"$T/a.err"
        fi
    done 2>>"$T/a.err"
}
writer_b() {
    local i
    for i in $(seq 1 "$N"); do
        ip netns exec "$HOST" ipchains -I input 1 -s "10.2.$((i / 250)).$((i % 250 + 1))" -j DENY ||
            echo "B: -I $i failed" >>"$T/b.err"
        if [ $((i % 4)) -eq 0 ]; then
            local j=$((i - 1))
            ip netns exec "$HOST" ipchains -D input -s "10.2.$((j / 250)).$((j % 250 + 1))" \
                -j DENY || echo "B: -D $j failed" >>"$T/b.err"
        fi
    done 2>>"$T/b.err"
}

# N policies, DENY last.
writer_c() {
    local i policy
    for i in $(seq 1 "$N"); do
        policy=ACCEPT
        [ $((i % 2)) -eq $((N % 2)) ] && policy=DENY
        ip netns exec "$HOST" ipchains -P forward "$policy" || echo "C: -P $i failed" >>"$T/c.err"
    done 2>>"$T/c.err"
}

: >"$T/a.err"
: >"$T/b.err"
: >"$T/c.err"
writer_a &
A=$!
writer_b &
B=$!
writer_c &
C=$!
wait "$A" "$B" "$C"

for w in a b c; do
    if [ -s "$T/$w.err" ]; then
        fail "writer $w: some commands failed"
        show "$T/$w.err"
    else
        pass "writer $w: all commands succeeded"
    fi
done

# Expected: B's inserts newest first, then A's appends oldest first; every 4th iteration's
# predecessor deleted.
{
    for i in $(seq "$N" -1 1); do
        [ $((i % 4)) -eq 3 ] && continue
        echo "-A input -s 10.2.$((i / 250)).$((i % 250 + 1))/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j DENY"
    done
    for i in $(seq 1 "$N"); do
        [ $((i % 4)) -eq 3 ] && continue
        echo "-A input -s 10.1.$((i / 250)).$((i % 250 + 1))/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j ACCEPT"
    done
} >"$T/want"
on "$HOST" ipchains-save 2>/dev/null >"$T/saved"
grep '^-A input' "$T/saved" >"$T/got"
grep -qx ':forward DENY' "$T/saved" && pass "forward keeps the last policy set, DENY" ||
    fail "forward's policy: $(grep '^:forward' "$T/saved")"
want_n=$(wc -l <"$T/want")
got_n=$(wc -l <"$T/got")
[ "$got_n" -eq "$want_n" ] && pass "input holds $want_n rules" ||
    fail "input holds $got_n rules, expected $want_n"
if cmp -s "$T/want" "$T/got"; then
    pass "every rule exactly once, in the expected order"
else
    fail "the rules differ from the expected ones (< expected, > got)"
    diff "$T/want" "$T/got" | head -20 | sed 's/^/    | /'
fi

# Consistent: the same rules restored into a fresh table give the same kernel objects.
if [ "${IPCHAINS_DIVERT_BACKEND:-}" != legacy ]; then
    on "$HOST" ipchains-save >"$T/save" 2>/dev/null
    on "$HOST" env IPCHAINS_DIVERT_TABLE=semfresh ipchains-restore -f <"$T/save" >/dev/null 2>"$T/err" ||
        { fail "restore into a fresh table"; show "$T/err"; }
    on "$HOST" nft list table ip ipchains >"$T/table.live"
    on "$HOST" nft list table ip semfresh | sed 's/^table ip semfresh/table ip ipchains/' >"$T/table.fresh"
    if cmp -s "$T/table.live" "$T/table.fresh"; then
        pass "the table equals a fresh build of the same rules"
    else
        fail "the table differs from a fresh build (< live, > fresh)"
        diff "$T/table.live" "$T/table.fresh" | head -20 | sed 's/^/    | /'
    fi
fi

finish
