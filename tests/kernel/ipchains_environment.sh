#!/bin/bash
# The variables of the era's boot scripts change nothing: Red Hat's initscript exports
# IPCHAINS_CONFIG=/etc/sysconfig/ipchains (its saved rules, not a configuration of ours) and
# both Red Hat's and Debian's scripts set IPCHAINS, IPCHAINS_SAVE and IPCHAINS_RESTORE to command
# paths. With all four set as those scripts set them, every command works exactly as without
# them (ipchains(8) ENVIRONMENT: the package reads IPCHAINS_DIVERT_* only).
. "$(dirname "$0")/lib.sh"

ns_new NS environment

# A saved-rules file where Red Hat keeps it, as `ipchains-save` wrote it.
mkdir -p "$T/etc/sysconfig"
cat >"$T/etc/sysconfig/ipchains" <<'EOT'
:input ACCEPT
:forward DENY
:output ACCEPT
-A input -s 10.199.7.0/255.255.255.0 -d 0.0.0.0/0.0.0.0 -p 6 -j DENY
EOT
# What the scripts export; the command paths point at our commands, as they would after
# installing the package.
redhat=(env IPCHAINS_CONFIG="$T/etc/sysconfig/ipchains" IPCHAINS="$BUILD/ipchains"
        IPCHAINS_SAVE="$BUILD/ipchains-save" IPCHAINS_RESTORE="$BUILD/ipchains-restore")
debian=(env IPCHAINS_CONFIG=/etc/ipchains.rules IPCHAINS=/sbin/ipchains
        IPCHAINS_SAVE=/sbin/ipchains-save IPCHAINS_RESTORE=/sbin/ipchains-restore)

# The Red Hat boot sequence: restore the saved file, list, save it back.
expect_rc "Red Hat: ipchains-restore < \$IPCHAINS_CONFIG" 0 "$NS" \
    "${redhat[@]}" bash -c 'exec "$IPCHAINS_RESTORE" <"$IPCHAINS_CONFIG"'
[ -s "$T/err" ] && { fail "Red Hat: restore wrote to stderr"; show "$T/err"; }
expect_rc "Red Hat: \$IPCHAINS -L -n" 0 "$NS" "${redhat[@]}" bash -c 'exec "$IPCHAINS" -L -n'
cp "$T/out" "$T/list-redhat"
expect_grep "Red Hat: the restored rule is listed" '^DENY +tcp +------ +10\.199\.7\.0/24 ' \
    "$T/list-redhat"
expect_rc "Red Hat: ipchains-save > \$IPCHAINS_CONFIG" 0 "$NS" \
    "${redhat[@]}" bash -c 'exec "$IPCHAINS_SAVE" >"$IPCHAINS_CONFIG.new"'
same_text "Red Hat: the saved file round-trips" "$T/etc/sysconfig/ipchains" \
    "$T/etc/sysconfig/ipchains.new"

# Every command under the Debian script's variables, against the same ruleset.
expect_rc "Debian: ipchains -A" 0 "$NS" "${debian[@]}" ipchains -A output -p udp -j ACCEPT
expect_rc "Debian: ipchains -L -n" 0 "$NS" "${debian[@]}" ipchains -L -n
cp "$T/out" "$T/list-debian"
run "$NS" ipchains -L -n
same_text "Debian: the listing equals one without the variables" "$T/out" "$T/list-debian"
expect_rc "Debian: ipchains-save" 0 "$NS" "${debian[@]}" ipchains-save
cp "$T/out" "$T/save-debian"
run "$NS" ipchains-save
same_text "Debian: ipchains-save equals one without the variables" "$T/out" "$T/save-debian"
expect_rc "Debian: ipchains-translate" 0 "$NS" "${debian[@]}" ipchains-translate -A input -j DENY
expect_rc "Debian: ipchains --status" 0 "$NS" "${debian[@]}" ipchains --status
expect_rc "Debian: ipchains -D" 0 "$NS" "${debian[@]}" ipchains -D output 1

# Our own variable does name a configuration file: a bad one is an error naming it.
printf 'backend = sideways\n' >"$T/bad.conf"
run "$NS" env -u IPCHAINS_DIVERT_BACKEND IPCHAINS_DIVERT_CONF="$T/bad.conf" ipchains -L -n
if [ "$RC" -ne 0 ] && grep -q "$T/bad.conf" "$T/err"; then
    pass "IPCHAINS_DIVERT_CONF names the configuration file (a bad one is refused)"
else
    fail "IPCHAINS_DIVERT_CONF=$T/bad.conf: exit $RC"
    show "$T/err"
fi
finish
