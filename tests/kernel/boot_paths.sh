#!/bin/bash
# Saved rules at boot, the three ways `make install` ships (boot/): ipchains-restore.service,
# the SysV init script `ipchains` (Red Hat 6.x/7.x verbs) and the netfilter-persistent plugin,
# all run from a staged `make install DESTDIR=<stage>` at their installed paths.
#
# Each command runs in a private network namespace AND a private mount namespace in which the
# staged prefix is overlaid on the real one (read-only) and /etc is an overlay whose writable
# layer is $T/etc: the scripts read and write the real names /etc/ipchains.rules and
# /etc/sysconfig/ipchains, and the host's /etc never changes.
#
# Checks: the unit's directives; its ExecStart (parsed from the staged unit) after a simulated
# reboot (a fresh namespace) gives the same `ipchains -L -n -v` as before (counters aside);
# ExecReload; no saved file = condition false and a quiet exit 0; a bad saved file leaves the
# running rules and exits 1 with ipchains-restore's one-line error; the init script's
# start/status/save/stop/panic/restart/reload/condrestart; the plugin's start/save/flush; the
# Red Hat file name wherever /etc/sysconfig exists. Root only; nothing is installed on the host.
. "$(dirname "$0")/lib.sh"

command -v unshare >/dev/null || die "missing tool 'unshare' (util-linux)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || skip "overlayfs (for a private /etc)"

# ---------------------------------------------------------------------------- staged install
dirs=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -s --no-print-directory -C "$BUILD" boot-print-dirs | grep -E '^[a-z]+=') ||
    die "cannot ask $BUILD/Makefile for the boot directories"
eval "$dirs"
: "${prefix:?}" "${sbindir:?}" "${sysconfdir:?}" "${pkglibexecdir:?}" "${initdir:?}"
: "${netfilterpersistentdir:?}" "${systemdsystemunitdir:?}"
STAGE=$T/stage
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$BUILD" install DESTDIR="$STAGE" \
    >"$T/install.log" 2>&1 || { fail "make install DESTDIR=<stage>"; show "$T/install.log"; finish; }
pass "make install DESTDIR=<stage>"

UNIT=$STAGE$systemdsystemunitdir/ipchains-restore.service
INIT=$initdir/ipchains
PLUGIN=$(cd "$STAGE$netfilterpersistentdir" 2>/dev/null && ls -- *-ipchains 2>/dev/null | head -1)
PLUGIN=$netfilterpersistentdir/$PLUGIN
HELPER=$pkglibexecdir/ipchains-boot
[ -f "$UNIT" ] && pass "unit: $systemdsystemunitdir/ipchains-restore.service" || die "no staged unit $UNIT"
for f in "$INIT" "$PLUGIN" "$HELPER"; do
    [ -x "$STAGE$f" ] && pass "installed executable: $f" || die "no executable $f in the stage"
done
for f in "$INIT" "$PLUGIN" "$HELPER"; do
    if command -v dash >/dev/null; then
        dash -n "$STAGE$f" && pass "POSIX sh (dash -n): $f" || fail "dash -n $f"
    fi
    head -1 "$STAGE$f" | grep -qx '#!/bin/sh' && pass "#!/bin/sh: $f" || fail "$f does not start with #!/bin/sh"
done

# The unit's directives, as the task list (issue 9) asks.
unit_has() { grep -qxF -- "$1" "$UNIT" && pass "unit: $1" || fail "unit lacks the line '$1'"; }
unit_has "DefaultDependencies=no"
unit_has "Wants=network-pre.target"
unit_has "Before=network-pre.target shutdown.target"
unit_has "Conflicts=shutdown.target"
unit_has "Type=oneshot"
unit_has "RemainAfterExit=yes"
unit_has "ConditionPathExists=|/etc/ipchains.rules"
unit_has "ConditionPathExists=|/etc/sysconfig/ipchains"
# ExecStart/ExecReload: one command each; no "-" prefix (it would mask a failure).
EXEC_START=$(sed -n 's/^ExecStart=//p' "$UNIT")
EXEC_RELOAD=$(sed -n 's/^ExecReload=//p' "$UNIT")
[ "$(grep -c '^ExecStart=' "$UNIT")" = 1 ] && [ -n "$EXEC_START" ] && pass "unit: ExecStart=$EXEC_START" ||
    fail "unit: not exactly one ExecStart"
[ -n "$EXEC_RELOAD" ] && pass "unit: ExecReload=$EXEC_RELOAD" || fail "unit: no ExecReload"
case "$EXEC_START$EXEC_RELOAD" in
[-@:+!]* | *"||"* | *"; exit 0"* | *"|| true"*) fail "unit masks the exit status: $EXEC_START" ;;
*) pass "unit: ExecStart keeps the exit status (no '-' prefix, no '|| true')" ;;
esac
if command -v systemd-analyze >/dev/null; then
    # In the mount namespace below, so that ExecStart's program exists at its installed path.
    VERIFY=1
fi
# The LSB header insserv reads, and Red Hat's chkconfig line.
for f in '### BEGIN INIT INFO' '# Provides:          ipchains' '# Default-Start:     S' \
    '# Default-Stop:      0 1 6' '# X-Start-Before:    $network' '### END INIT INFO'; do
    grep -qxF -- "$f" "$STAGE$INIT" && pass "init script: $f" || fail "init script lacks '$f'"
done
grep -q '^# chkconfig: 2345 ' "$STAGE$INIT" && pass "init script: chkconfig line" ||
    fail "init script: no chkconfig line"

# ---------------------------------------------------------------------------- the mount namespace
ETC=$T/etc           # writable layer of /etc: what the scripts save lands here
mkdir -p "$ETC" "$T/etc-work"
ETC_LOWER=/etc
[ -d "$STAGE/etc" ] && ETC_LOWER=$STAGE/etc:/etc
[ -d "$prefix" ] || die "the prefix $prefix does not exist on this host (overlay mount point)"

# in_boot NS CMD...: like run, but with the staged install and the private /etc in place.
in_boot() {
    local ns=$1
    shift
    ip netns exec "$ns" unshare -m --propagation private sh -c '
        mount -t overlay overlay -o "lowerdir=$1:$2" "$2" || exit 97
        mount -t overlay overlay -o "lowerdir=$3,upperdir=$4,workdir=$5" /etc || exit 98
        shift 5
        exec "$@"' sh "$STAGE$prefix" "$prefix" "$ETC_LOWER" "$ETC" "$T/etc-work" "$@" \
        >"$T/out" 2>"$T/err"
    RC=$?
}

# boot_rc DESC WANT NS CMD...: in_boot, exit status WANT.
boot_rc() { expect_rc_via in_boot "$@"; }

# listing NS FILE: `ipchains -L -n -v` with the packet and byte counters removed.
listing() {
    on "$1" ipchains -L -n -v 2>&1 |
        sed -E -e 's/\(policy ([A-Z]+): [0-9]+[KMGT]? packets, [0-9]+[KMGT]? bytes\)/(policy \1)/' \
            -e 's/^ *[0-9]+[KMGT]? +[0-9]+[KMGT]? //' >"$2"
}

# The ruleset every boot path must bring back: a user chain, a reference to it, a policy, a
# logging rule and ports.
load_ruleset() {
    ipc "$1" -N web && ipc "$1" -A web -p tcp -d 0/0 80 -j ACCEPT &&
        ipc "$1" -A input -s 10.199.3.0/24 -j DENY && ipc "$1" -A input -p tcp -j web &&
        ipc "$1" -P forward DENY && ipc "$1" -A output -p icmp -j ACCEPT -l &&
        ipc "$1" -A input -p udp -s 0/0 53 -j ACCEPT
}

# Policies ACCEPT, no rules, no user chains: what stop/flush leave.
cat >"$T/empty" <<'EOF'
Chain input (policy ACCEPT):
Chain forward (policy ACCEPT):
Chain output (policy ACCEPT):
EOF

topo_pair
NS=$HOST
[ -n "${VERIFY:-}" ] && {
    in_boot "$NS" systemd-analyze verify --man=no "$systemdsystemunitdir/ipchains-restore.service"
    grep -v 'Failed to create\|Cannot open\|No such file\|Falling back\|/dev/kmsg\|\.mount\|\.socket\|\.slice' \
        "$T/err" >"$T/verify"
    [ ! -s "$T/verify" ] && pass "systemd-analyze verify: no complaint about the unit" ||
        { fail "systemd-analyze verify:"; show "$T/verify"; }
}

# ---- no saved file yet: a condition, not a failure
boot_rc "helper: 'file' names Debian's file when /etc/sysconfig is absent" 0 "$NS" "$HELPER" file
[ "$(cat "$T/out")" = /etc/ipchains.rules ] && pass "no /etc/sysconfig: /etc/ipchains.rules" ||
    fail "helper file: $(cat "$T/out")"
boot_rc "no saved file: the unit's condition is false" 1 "$NS" \
    sh -c 'test -e /etc/ipchains.rules || test -e /etc/sysconfig/ipchains'
read -ra argv <<<"$EXEC_START"
boot_rc "no saved file: ExecStart exits 0 all the same" 0 "$NS" "${argv[@]}"
expect_grep "no saved file: says so" 'no saved rules' "$T/err"
boot_rc "no saved file: init script start exits 0" 0 "$NS" "$INIT" start
listing "$NS" "$T/now"
same_text "no saved file: nothing loaded" "$T/empty" "$T/now"

# ---- save: the init script's save writes the file ipchains-save writes
load_ruleset "$NS" || die "cannot load the test ruleset"
listing "$NS" "$T/before"
on "$NS" ipchains-save >"$T/saved" 2>/dev/null
boot_rc "init script: save" 0 "$NS" "$INIT" save
expect_grep "init script: save says where" 'Saving current rules to /etc/ipchains.rules: \[OK\]' "$T/out"
[ -f "$ETC/ipchains.rules" ] && pass "save wrote /etc/ipchains.rules" || fail "no /etc/ipchains.rules saved"
same_text "saved file = ipchains-save output" "$T/saved" "$ETC/ipchains.rules"
[ "$(stat -c %a "$ETC/ipchains.rules")" = 600 ] && pass "saved file mode 600" ||
    fail "saved file mode $(stat -c %a "$ETC/ipchains.rules"), expected 600"
[ ! -e /etc/ipchains.rules ] && pass "host /etc untouched" || fail "/etc/ipchains.rules appeared on the host"
cp "$ETC/ipchains.rules" "$T/good.rules"

# ---- simulated reboot: a fresh network namespace, then the unit's ExecStart
boot_rc "saved file: the unit's condition is true" 0 "$NS" \
    sh -c 'test -e /etc/ipchains.rules || test -e /etc/sysconfig/ipchains'
ns_new NS2 reboot
boot_rc "reboot: ExecStart ($EXEC_START)" 0 "$NS2" "${argv[@]}"
[ -s "$T/err" ] && { fail "ExecStart wrote to stderr"; show "$T/err"; }
listing "$NS2" "$T/after"
same_text "reboot via the unit: ipchains -L -n -v as before" "$T/before" "$T/after"
read -ra rargv <<<"$EXEC_RELOAD"
on "$NS2" ipchains -A input -j ACCEPT
boot_rc "ExecReload ($EXEC_RELOAD)" 0 "$NS2" "${rargv[@]}"
listing "$NS2" "$T/after"
same_text "ExecReload: the saved rules again, the extra rule gone" "$T/before" "$T/after"

# ---- a bad saved file: previous ruleset kept, exit 1, ipchains-restore's one-line error
{ cat "$T/good.rules"; echo "-A input -p tcp -j NOSUCHCHAIN"; } >"$ETC/ipchains.rules"
bad_line=$(wc -l <"$ETC/ipchains.rules")
on "$NS2" ipchains -F input
on "$NS2" ipchains -A input -s 10.199.9.9 -j REJECT
listing "$NS2" "$T/previous"
in_boot "$NS2" sh -c 'exec "$0" -f </etc/ipchains.rules >/dev/null' "$sbindir/ipchains-restore"
want_rc=$RC
cp "$T/err" "$T/restore-err"
boot_rc "bad file: ExecStart exits as ipchains-restore does ($want_rc)" "$want_rc" "$NS2" "${argv[@]}"
[ "$want_rc" -ne 0 ] && pass "bad file: non-zero exit ($want_rc)" || fail "bad file accepted"
[ "$(wc -l <"$T/err")" = 1 ] && pass "bad file: one line on stderr" || { fail "bad file: stderr:"; show "$T/err"; }
expect_grep "bad file: the parser's error names the line" "^ipchains-restore: line $bad_line: " "$T/err"
same_text "bad file: the same error as ipchains-restore itself" "$T/restore-err" "$T/err"
listing "$NS2" "$T/now"
same_text "bad file: the previous ruleset stays" "$T/previous" "$T/now"
boot_rc "bad file: init script start fails" 1 "$NS2" "$INIT" start
expect_grep "bad file: init script prints FAILED" '\[FAILED\]' "$T/out"
expect_grep "bad file: init script passes the error on" "^ipchains-restore: line $bad_line: " "$T/err"
listing "$NS2" "$T/now"
same_text "bad file (init script): the previous ruleset stays" "$T/previous" "$T/now"
boot_rc "bad file: plugin start fails" 1 "$NS2" "$PLUGIN" start
listing "$NS2" "$T/now"
same_text "bad file (plugin): the previous ruleset stays" "$T/previous" "$T/now"
cp "$T/good.rules" "$ETC/ipchains.rules"

# ---- the init script's verbs
ns_new NS3 init
boot_rc "init script: start" 0 "$NS3" "$INIT" start
expect_grep "init script: start says what it applies" \
    'Applying ipchains firewall rules from /etc/ipchains.rules: \[OK\]' "$T/out"
listing "$NS3" "$T/now"
same_text "init script start: the saved rules" "$T/before" "$T/now"
boot_rc "init script: status" 0 "$NS3" "$INIT" status
on "$NS3" ipchains -n -L >"$T/list"
same_text "init script status = ipchains -n -L" "$T/list" "$T/out"
boot_rc "init script: stop" 0 "$NS3" "$INIT" stop
listing "$NS3" "$T/now"
same_text "init script stop: flushed, no user chains, policies ACCEPT" "$T/empty" "$T/now"
boot_rc "init script: restart" 0 "$NS3" "$INIT" restart
listing "$NS3" "$T/now"
same_text "init script restart: the saved rules" "$T/before" "$T/now"
on "$NS3" ipchains -A output -j ACCEPT
boot_rc "init script: reload" 0 "$NS3" "$INIT" reload
listing "$NS3" "$T/now"
same_text "init script reload: the saved rules again" "$T/before" "$T/now"
boot_rc "init script: condrestart" 0 "$NS3" "$INIT" condrestart
boot_rc "init script: unknown verb" 2 "$NS3" "$INIT" frobnicate
expect_grep "init script: usage lists the verbs" 'start\|stop\|restart\|condrestart\|reload\|save\|status\|panic' "$T/err"

# panic: policies DENY, nothing else: the peer's ping stops being answered.
ping_expect "before panic" "$PEER" "$HOST_IP" ok
boot_rc "init script: panic" 0 "$NS" "$INIT" panic
cat >"$T/deny" <<'EOF'
Chain input (policy DENY):
Chain forward (policy DENY):
Chain output (policy DENY):
EOF
listing "$NS" "$T/now"
same_text "init script panic: policies DENY, flushed, no user chains" "$T/deny" "$T/now"
ping_expect "after panic" "$PEER" "$HOST_IP" timeout
boot_rc "init script: start after panic" 0 "$NS" "$INIT" start
listing "$NS" "$T/now"
same_text "init script start after panic: the saved rules" "$T/before" "$T/now"

# ---- the netfilter-persistent plugin
ns_new NS4 plugin
boot_rc "plugin: start" 0 "$NS4" "$PLUGIN" start
listing "$NS4" "$T/now"
same_text "plugin start: the saved rules" "$T/before" "$T/now"
on "$NS4" ipchains -A forward -p icmp -j ACCEPT
listing "$NS4" "$T/changed"
boot_rc "plugin: save" 0 "$NS4" "$PLUGIN" save
boot_rc "plugin: flush" 0 "$NS4" "$PLUGIN" flush
listing "$NS4" "$T/now"
same_text "plugin flush: flushed, no user chains, policies ACCEPT" "$T/empty" "$T/now"
boot_rc "plugin: stop changes nothing" 0 "$NS4" "$PLUGIN" stop
for verb in restart reload force-reload; do
    on "$NS4" ipchains -F forward
    boot_rc "plugin: $verb" 0 "$NS4" "$PLUGIN" "$verb"
    listing "$NS4" "$T/now"
    same_text "plugin $verb: the rules it saved" "$T/changed" "$T/now"
done
boot_rc "plugin: unknown verb" 1 "$NS4" "$PLUGIN" frobnicate

# ---- Red Hat: /etc/sysconfig exists, so the file is /etc/sysconfig/ipchains
rm -f "$ETC/ipchains.rules"
mkdir -p "$ETC/sysconfig"
boot_rc "Red Hat: helper file" 0 "$NS4" "$HELPER" file
[ "$(cat "$T/out")" = /etc/sysconfig/ipchains ] && pass "with /etc/sysconfig: /etc/sysconfig/ipchains" ||
    fail "helper file: $(cat "$T/out")"
boot_rc "Red Hat: init script save" 0 "$NS4" "$INIT" save
[ -f "$ETC/sysconfig/ipchains" ] && pass "Red Hat: save wrote /etc/sysconfig/ipchains" ||
    fail "Red Hat: no /etc/sysconfig/ipchains"
ns_new NS5 redhat
boot_rc "Red Hat reboot: ExecStart" 0 "$NS5" "${argv[@]}"
listing "$NS5" "$T/now"
same_text "Red Hat reboot: the saved rules" "$T/changed" "$T/now"
# ipchains-save > /etc/sysconfig/ipchains by hand, as on Red Hat, is what the unit loads.
on "$NS" ipchains-save >"$ETC/sysconfig/ipchains" 2>/dev/null
ns_new NS6 redhat2
boot_rc "Red Hat: init script start of a hand-saved file" 0 "$NS6" "$INIT" start
listing "$NS6" "$T/now"
same_text "Red Hat: hand-saved file restored" "$T/before" "$T/now"

finish
