#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The helpers that parse what a jail sends run confined (docs/jail.md
# "Helpers run confined"): xdg-dbus-proxy reads every D-Bus message of a
# jail, so a bug in it must not be a way out of the jail. Checked from the
# host on the real proxy of a real jail (its namespaces, its view, its
# privileges), then played for real: attacker code run in the proxy's
# place (what a jail that exploited the proxy would run) reports what it
# can reach of the user's files, the state directory, the host's
# processes and network. `jailsup check` and `jailsup explain` say the
# same; pasta's own sandbox is reported too.

# $output and $status come from bats' run; the scripts run in jails are
# single-quoted on purpose.
# shellcheck disable=SC2016,SC2154,SC2030,SC2031

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load server-helpers

setup() {
	require_tools dbus-daemon dbus-send xdg-dbus-proxy python3 jq
}

LIST='dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames'

# bus_profile NAME [LINE…]: /bin/sh, no network, the default rights
# (dbus among them), then LINEs.
bus_profile() {
	local name=$1
	shift
	{
		echo "[jail]"
		echo "exec = /bin/sh"
		echo "network = none"
		printf '%s\n' "$@"
	} | write_profile "$name"
}

# start_jail NAME: the jail NAME running, an app of it holding it open.
start_jail() {
	bg jailsup run "$1" -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home "$1")/ready"
}

# status_is PID FIELD VALUE: /proc/PID/status says FIELD: VALUE.
status_is() {
	grep -Eq "^$2:[[:space:]]+$3\$" "/proc/$1/status" ||
		fail "pid $1: $2 is not $3: $(grep "^$2:" "/proc/$1/status")"
}

@test "the D-Bus proxy runs confined: its own namespaces, not your home, no capability, no_new_privs, seccomp" {
	local canary pid start ns entry
	canary=$(home_tmpdir)
	echo "the user's secret" >"$canary/canary"
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	bus_profile conf
	start_jail conf
	pid=$(proxy_pid conf)

	# The pid file names the proxy itself (what the kill at the jail's
	# end verifies): its comm, its start time.
	[ "$(cat "/proc/$pid/comm")" = xdg-dbus-proxy ] || fail "pid $pid is not the proxy"
	read -r _ start <"$(state_dir conf)/dbus-proxy.pid"
	[ "$start" = "$(proc_start "$pid")" ] || fail "dbus-proxy.pid: not the proxy's start time"

	# Namespaces of its own: not the host's, not the jail's; PID 1 of its
	# own PID namespace.
	for ns in user mnt pid net ipc uts cgroup; do
		[ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ] ||
			fail "the proxy is in the host's $ns namespace"
	done
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(ns_of_jail conf)" ] ||
		fail "the proxy is in the jail's PID namespace"
	status_is "$pid" NSpid "${pid}[[:space:]]+1"

	# No privilege: every capability set empty, no_new_privs, a filter.
	for f in CapInh CapPrm CapEff CapBnd CapAmb; do
		status_is "$pid" "$f" 0000000000000000
	done
	status_is "$pid" NoNewPrivs 1
	status_is "$pid" Seccomp 2

	# Its view: nothing of your home, your runtime dir or the state
	# directory; its own folder and the bus it connects to.
	[ -e "$canary/canary" ] || fail "the canary is gone on the host"
	[ ! -e "/proc/$pid/root$canary/canary" ] || fail "the proxy reads the canary in your home"
	[ ! -e "/proc/$pid/root$HOME" ] || fail "the proxy sees your home"
	for entry in iso-pipe state profile.ini log dispatch.sock dbus-proxy.pid; do
		[ ! -e "/proc/$pid/root$(state_dir conf)/$entry" ] ||
			fail "the proxy sees the state directory's $entry"
	done
	[ -d "/proc/$pid/root$(state_dir conf)/dbus-proxy" ] || fail "the proxy has no folder"
	[ -S "/proc/$pid/root$BATS_TEST_TMPDIR/session.sock" ] || fail "the proxy has no bus"
	[ "$(ls -A "/proc/$pid/root/etc")" = ld.so.cache ] ||
		fail "the proxy's /etc: $(ls -A "/proc/$pid/root/etc")"
	while IFS= read -r entry; do
		case $entry in
		usr | bin | sbin | lib | lib32 | lib64 | libx32 | etc | dev | tmp | .flatpak-info) ;;
		*) fail "the proxy's root has '$entry'" ;;
		esac
	done < <(find "/proc/$pid/root/" -mindepth 1 -maxdepth 1 -printf '%f\n')
	# The jail's identity for the portals, which the proxy cannot change.
	grep -qx "name=org.jailsup.conf" "/proc/$pid/root/.flatpak-info" ||
		fail "$(cat "/proc/$pid/root/.flatpak-info")"
	grep -Eq '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /\.flatpak-info ro,' "/proc/$pid/mountinfo" ||
		fail "its identity is writable: $(grep flatpak-info "/proc/$pid/mountinfo")"
	# Read-only where it is not its folder.
	grep -Eq '^[0-9]+ [0-9]+ [0-9:]+ / / ro,' "/proc/$pid/mountinfo" ||
		fail "its root is not read-only: $(head -1 "/proc/$pid/mountinfo")"

	# D-Bus through it still works; its sockets were moved where the
	# jailer takes them.
	[ -S "$(state_dir conf)/dbus-proxy.sock" ] || fail "no dbus-proxy.sock in the state dir"
	run jailsup run conf -c "$LIST"
	assert_status 0
	assert_output_contains org.freedesktop.DBus
	run jailsup kill conf
	assert_status 0
	wait_for _not_alive "$pid"
}

@test "code running in the proxy's place (a jail that exploited it) reaches nothing of the host" {
	local canary report
	listeners
	canary=$(home_tmpdir)
	echo "the user's secret" >"$canary/canary"
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	bus_profile pwned
	# The attacker's code, found as xdg-dbus-proxy: each line says what
	# it could do from where the proxy runs, then it says ready, as the
	# proxy does. The paths are written in: its environment is not ours.
	# Writes are tried in subshells: a failed redirection of ':' ends sh.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/xdg-dbus-proxy" <<EOF
#!/bin/sh
{
	cat '$canary/canary' >/dev/null 2>&1 && echo "home-read: OPEN" || echo "home-read: closed"
	ls '$HOME' >/dev/null 2>&1 && echo "home-list: OPEN" || echo "home-list: closed"
	(: >'$canary/planted') 2>/dev/null && echo "home-write: OPEN" || echo "home-write: closed"
	cat '$(state_dir pwned)/profile.ini' >/dev/null 2>&1 && echo "state-read: OPEN" || echo "state-read: closed"
	(: >'$(state_dir pwned)/planted') 2>/dev/null && echo "state-write: OPEN" || echo "state-write: closed"
	(: >>'$(state_dir pwned)/iso-pipe') 2>/dev/null && echo "iso-pipe: OPEN" || echo "iso-pipe: closed"
	test -e '$XDG_RUNTIME_DIR/jailsup/control' && echo "control-socket: OPEN" || echo "control-socket: closed"
	# Of the runtime dir only the path to its own folder.
	[ "\$(ls -A '$(state_dir pwned)' 2>&1)" = dbus-proxy ] && echo "state-list: closed" || echo "state-list: OPEN"
	kill -0 $$ 2>/dev/null && echo "signal-host: OPEN" || echo "signal-host: closed"
	/usr/bin/python3 -c 'import socket; socket.create_connection(("127.0.0.1", $PORT), 2)' 2>/dev/null &&
		echo "tcp-loopback: OPEN" || echo "tcp-loopback: closed"
	/usr/bin/python3 -c 'import socket; socket.socket(socket.AF_UNIX).connect("\0$ABSTRACT")' 2>/dev/null &&
		echo "abstract: OPEN" || echo "abstract: closed"
	/usr/bin/python3 -c 'import ctypes, os; l = ctypes.CDLL(None); assert l.setns(os.open("/proc/1/ns/user", os.O_RDONLY), 0) == 0' 2>/dev/null &&
		echo "setns: OPEN" || echo "setns: closed"
	/usr/bin/python3 -c 'import ctypes; assert ctypes.CDLL(None).unshare(0x10000000) == 0' 2>/dev/null &&
		echo "new-userns: OPEN" || echo "new-userns: closed"
	echo done
} >report 2>&1
printf x >&3
EOF
	chmod 0755 "$BATS_TEST_TMPDIR/bin/xdg-dbus-proxy"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH bg jailsup run pwned -c 'touch "$HOME/ready"; exec sleep 1000'
	# Where it wrote its report: the folder it may write (its cwd).
	wait_for _report_done pwned
	report=$(find "$(state_dir pwned)" -name report)
	run cat "$report"
	[[ $output != *OPEN* ]] || fail "the proxy's place reaches the host:"$'\n'"$output"
	[ ! -e "$canary/planted" ] || fail "a file was planted in your home"
	[ ! -e "$(state_dir pwned)/planted" ] || fail "a file was planted in the state directory"
	# The jail itself runs (without a bus: the attacker made none).
	wait_for_file "$(jail_home pwned)/ready"
	run jailsup run pwned -c 'echo "bus=${DBUS_SESSION_BUS_ADDRESS:-none}"'
	assert_status 0
	assert_output_contains "bus=none"
}

# _report_done NAME: the attacker's report in the state dir of NAME is
# complete.
_report_done() {
	grep -qx 'done' "$(find "$(state_dir "$1")" -name report | head -1)"
}

@test "an abstract bus address: the proxy keeps the host's network, nothing else of it" {
	local name pid
	name=jailsup-test-$$-$RANDOM
	start_bus_listening abstract "unix:abstract=$name"
	DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	export DBUS_SESSION_BUS_ADDRESS
	[[ $DBUS_SESSION_BUS_ADDRESS == unix:abstract=* ]] || fail "not abstract: $DBUS_SESSION_BUS_ADDRESS"
	bus_profile abs
	run jailsup run abs -c "$LIST"
	assert_status 0
	assert_output_contains org.freedesktop.DBus
	start_jail abs
	pid=$(proxy_pid abs)
	[ "$(readlink "/proc/$pid/ns/net")" = "$(readlink /proc/self/ns/net)" ] ||
		fail "the proxy of an abstract bus is not in the host's network namespace"
	for ns in user mnt pid; do
		[ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ] ||
			fail "the proxy is in the host's $ns namespace"
	done
	status_is "$pid" CapEff 0000000000000000
	status_is "$pid" Seccomp 2
	# The jail, on its own network, still cannot reach the abstract bus.
	run jailsup run abs -c 'echo "bus=$DBUS_SESSION_BUS_ADDRESS"'
	assert_output_contains "bus=unix:path=$XDG_RUNTIME_DIR/bus"
}

@test "jailsup check: the proxy's confinement, seen from the host, is closed" {
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	bus_profile chk
	run jailsup check chk --json
	jq -e '[.checks[] | select(.channel == "xdg-dbus-proxy confined" and .result == "closed")] | length == 1' \
		<<<"$output" >/dev/null || fail "$output"
	jq -r '.checks[] | select(.channel == "xdg-dbus-proxy confined") | .detail' <<<"$output" |
		grep -q "its own user, mount, PID, network namespaces" || fail "$output"
	run jailsup check chk
	assert_output_contains "closed   xdg-dbus-proxy confined"
	# Without a dbus right there is no proxy, and nothing to report open.
	bus_profile nobus "[rights]" "deny = dbus, notifications"
	run jailsup check nobus --json
	jq -e '[.checks[] | select(.channel == "xdg-dbus-proxy confined" and .result == "closed")] | length == 1' \
		<<<"$output" >/dev/null || fail "$output"
}

@test "pasta confines itself: check and explain say so" {
	require_tools pasta
	printf '[jail]\nexec = /bin/sh\nnetwork = pasta\n[rights]\ndeny = dbus, notifications\n' |
		write_profile pst
	run jailsup check pst --json
	jq -e '[.checks[] | select(.channel == "pasta confined" and .result == "closed")] | length == 1' \
		<<<"$output" >/dev/null || fail "$output"
	run jailsup explain pst
	assert_status 0
	assert_output_contains "helpers (they parse what the jail sends; each runs confined):" \
		"pasta (network = pasta): confines itself" "xdg-dbus-proxy: none"
}

@test "explain: the proxy's sandbox, from the code that builds it" {
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	bus_profile ex
	run jailsup explain ex
	assert_status 0
	assert_output_contains "xdg-dbus-proxy (dbus, dbus-system): sandboxed" "PID (it is PID 1)" \
		"network (its own, empty" "rw  $(state_dir ex)/dbus-proxy" \
		"socket $BATS_TEST_TMPDIR/session.sock (the session bus)" \
		"capabilities: none" "setns" "unshare(CLONE_NEWUSER)"
}
