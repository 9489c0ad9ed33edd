#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The filtered D-Bus (docs/jail.md "D-Bus"): every jail with the
# dbus right talks to its own xdg-dbus-proxy, never to the real bus. A real
# dbus-daemon runs on a private socket of the test, with small services
# (tests' python3-dbus, below) that own names a jail may or may not see;
# clients in the jail are dbus-send and python3-dbus. The proxy's life is
# the jail's: gone when the jail ends, also after kill -9 of the jailer,
# kept (and later ended) across a supervisor restart.

# $output and $status come from bats' run; the scripts run in jails are
# single-quoted on purpose.
# shellcheck disable=SC2016,SC2154,SC2030,SC2031

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load server-helpers
load dbus-helpers

setup() {
	local tool
	for tool in dbus-daemon dbus-send xdg-dbus-proxy python3; do
		command -v "$tool" >/dev/null || fail "'$tool' is not installed (scripts/packages.txt)"
	done
	python3 -c 'import dbus, gi' 2>/dev/null ||
		fail "python3-dbus or python3-gi is not installed (scripts/packages.txt)"
}

LIST='dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames'

@test "talk: a listed name answers; an unlisted one is invisible and refused" {
	start_bus session
	start_service "$BUS_ADDR" org.jailsup.Test org.jailsup.Hidden
	dbus_profile talk "[dbus]" "talk = org.jailsup.Test"
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	run jailsup run talk -c 'dbus-send --session --print-reply --dest=org.jailsup.Test /org/jailsup/Test org.jailsup.Test.Ping'
	assert_status 0
	assert_output_contains "pong org.jailsup.Test"
	run jailsup run talk -c "$LIST"
	assert_status 0
	assert_output_contains org.jailsup.Test org.freedesktop.DBus
	[[ $output != *org.jailsup.Hidden* ]] || fail "the hidden name is listed: $output"
	run jailsup run talk -c 'dbus-send --session --print-reply --dest=org.jailsup.Hidden /org/jailsup/Test org.jailsup.Test.Ping'
	[ "$status" -ne 0 ] || fail "the hidden name answered: $output"
	[[ $output != *pong* ]] || fail "the hidden name answered: $output"
	[[ $output == *org.freedesktop.DBus.Error.ServiceUnknown* ||
		$output == *org.freedesktop.DBus.Error.AccessDenied* ]] ||
		fail "not an access error: $output"
	# The same call from the host works: the proxy, not the service, refused.
	run dbus-send --session --print-reply --dest=org.jailsup.Hidden /org/jailsup/Test org.jailsup.Test.Ping
	assert_status 0
	assert_output_contains "pong org.jailsup.Hidden"
}

@test "own: the app owns its name, not another" {
	start_bus session
	dbus_profile own "[dbus]" "own = org.jailsup.App.*"
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	local req='dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.RequestName string:'
	run jailsup run own -c "${req}org.jailsup.App.Main uint32:4"
	assert_status 0
	assert_output_contains "uint32 1"
	run jailsup run own -c "${req}org.jailsup.Other uint32:4"
	[ "$status" -ne 0 ] || fail "owning another name worked: $output"
	[[ $output != *"uint32 1"* ]] || fail "owning another name worked: $output"
	[[ $output == *org.freedesktop.DBus.Error.AccessDenied* ||
		$output == *org.freedesktop.DBus.Error.ServiceUnknown* ]] ||
		fail "not an access error: $output"
}

@test "notifications (a default right): Notify passes, ClearHistory on the same name and object does not" {
	start_bus session
	start_service "$BUS_ADDR" org.freedesktop.Notifications
	# No [rights], no [dbus]: the defaults.
	dbus_profile notes
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	local call='dbus-send --session --print-reply --dest=org.freedesktop.Notifications /org/freedesktop/Notifications org.freedesktop.Notifications.'
	# dbus-send has no a{sv}: python3-dbus in the jail.
	run jailsup run notes -c "$NOTIFY"
	assert_status 0
	assert_output_contains "id 42"
	run jailsup run notes -c "${call}GetServerInformation"
	assert_status 0
	assert_output_contains jailsup
	run jailsup run notes -c "${call}ClearHistory"
	[ "$status" -ne 0 ] || fail "ClearHistory passed: $output"
	[[ $output != *"history wiped"* ]] || fail "ClearHistory ran: $output"
	# From the host it does answer: the filter refused it.
	run dbus-send --session --print-reply --dest=org.freedesktop.Notifications \
		/org/freedesktop/Notifications org.freedesktop.Notifications.ClearHistory
	assert_status 0
	assert_output_contains "history wiped"
	# Denied, the right is gone: the bus stays, Notify does not pass.
	dbus_profile nonotes "[rights]" "deny = notifications"
	run jailsup run nonotes -c "${call}GetServerInformation"
	[ "$status" -ne 0 ] || fail "notifications passed without the right: $output"
}

@test "the default jail gets only its proxy: the bus itself, no other name, never the real socket" {
	start_bus session
	start_service "$BUS_ADDR" org.jailsup.Test
	dbus_profile plain
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	bg jailsup run plain -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home plain)/ready"
	run jailsup run plain -c 'echo "addr=$DBUS_SESSION_BUS_ADDRESS"; '"$LIST"'; cat /proc/self/mountinfo'
	assert_status 0
	assert_output_contains "addr=unix:path=$XDG_RUNTIME_DIR/bus" org.freedesktop.DBus
	[[ $output != *org.jailsup.Test* ]] || fail "a name not allowed is listed: $output"
	# What is mounted on the jail's bus is the proxy's socket in the state dir.
	[[ $output != *"$BATS_TEST_TMPDIR/session.sock"* ]] || fail "the real bus is mounted: $output"
	[ -S "$(state_dir plain)/dbus-proxy.sock" ] || fail "no proxy socket in the state dir"
	local pid
	pid=$(proxy_pid plain)
	[ "$(cat "/proc/$pid/comm")" = xdg-dbus-proxy ] || fail "pid file: not the proxy"
	# In a sandbox of its own: neither the host's namespaces nor the jail's
	# (71-trust-helpers.bats checks the sandbox whole).
	[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] ||
		fail "the proxy is in the host's mount namespace"
	[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ] ||
		fail "the proxy is in the host's user namespace"
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(ns_of_jail plain)" ] ||
		fail "the proxy is in the jail's PID namespace"
}

@test "the default session bus is only the filtering proxy: the real bus's names unseen; no bus without a supervisor" {
	command -v dbus-daemon >/dev/null || fail "dbus-daemon is missing (scripts/packages.txt)"
	command -v xdg-dbus-proxy >/dev/null || fail "xdg-dbus-proxy is missing (scripts/packages.txt)"
	write_profile plain <<EOF
[jail]
exec = /bin/sh
network = none
EOF
	bg dbus-daemon --session --nofork --address="unix:path=$BATS_TEST_TMPDIR/real-bus"
	wait_for test -S "$BATS_TEST_TMPDIR/real-bus"
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$BATS_TEST_TMPDIR/real-bus"
	# A name on the real bus a jail must not reach (systemd1 stands in).
	bg python3 -c 'import dbus, sys, time
b = dbus.bus.BusConnection(sys.argv[1]); b.request_name("org.freedesktop.systemd1"); time.sleep(1000)' \
		"$DBUS_SESSION_BUS_ADDRESS"
	wait_for dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.GetNameOwner string:org.freedesktop.systemd1
	run jailsup run plain -c 'echo "addr=$DBUS_SESSION_BUS_ADDRESS"
		dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames
		cat /proc/self/mountinfo'
	assert_status 0
	assert_output_contains "addr=unix:path=$XDG_RUNTIME_DIR/bus" '"org.freedesktop.DBus"'
	[[ $output != *systemd1* ]] || fail "the jail sees systemd1: $output"
	[[ $output != *real-bus* ]] || fail "the real bus is mounted in the jail: $output"
	# The names it lists are the bus and unique names, nothing else.
	local names
	names=$(grep -o 'string "[^"]*"' <<<"$output" | grep -v -e '"org.freedesktop.DBus"' -e '":1\.[0-9]*"' || :)
	[ -z "$names" ] || fail "names beyond the bus: $names"
	# Without a supervisor there is no proxy, so no bus at all.
	run jailsup run --no-daemon plain -c 'echo "addr=${DBUS_SESSION_BUS_ADDRESS:-none}"; ls -A "$XDG_RUNTIME_DIR"'
	assert_status 0
	assert_output_contains "addr=none"
	[[ $output != *bus* ]] || fail "a bus is in the --no-daemon jail: $output"
}

@test "no dbus right: no proxy, no socket, no variable" {
	start_bus session
	dbus_profile nobus "[rights]" "deny = dbus"
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	run jailsup run nobus -c 'echo "addr=${DBUS_SESSION_BUS_ADDRESS:-none} sys=${DBUS_SYSTEM_BUS_ADDRESS:-none}"; ls -A "$XDG_RUNTIME_DIR" /run; grep -c bus /proc/self/mountinfo'
	assert_status 0
	assert_output_contains "addr=none sys=none"
	[[ $output != *bus* ]] || fail "a bus is in the jail: $output"
	[ ! -e "$(state_dir nobus)/dbus-proxy.pid" ] || fail "a proxy was started"
	[ ! -e "$(state_dir nobus)/dbus-proxy.sock" ] || fail "a proxy socket exists"
	# Without a supervisor there is no proxy: no bus either, despite the right.
	dbus_profile nodaemon
	run jailsup run --no-daemon nodaemon -c 'echo "addr=${DBUS_SESSION_BUS_ADDRESS:-none}"; ls -A "$XDG_RUNTIME_DIR"'
	assert_status 0
	assert_output_contains "addr=none"
	[[ $output != *bus* ]] || fail "a bus is in the --no-daemon jail: $output"
}

@test "dbus-system: the system bus through the proxy at /run/dbus/system_bus_socket" {
	start_bus system
	export DBUS_SYSTEM_BUS_ADDRESS=$BUS_ADDR
	start_service "$BUS_ADDR" org.jailsup.Sys org.jailsup.SysHidden
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	dbus_profile sys "[rights]" "allow = dbus-system" "[dbus-system]" "talk = org.jailsup.Sys"
	bg jailsup run sys -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home sys)/ready"
	[ -S "$(state_dir sys)/dbus-system.sock" ] || fail "no system proxy socket"
	run jailsup run sys -c 'echo "sys=$DBUS_SYSTEM_BUS_ADDRESS"; test -S /run/dbus/system_bus_socket && echo sock-ok; dbus-send --system --print-reply --dest=org.jailsup.Sys /org/jailsup/Test org.jailsup.Test.Ping; dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames'
	assert_status 0
	assert_output_contains "sys=unix:path=/run/dbus/system_bus_socket" sock-ok "pong org.jailsup.Sys"
	[[ $output != *SysHidden* ]] || fail "a hidden system name is listed: $output"
	# Not granted (the default): no system bus at all.
	dbus_profile nosys
	run jailsup run nosys -c 'echo "sys=${DBUS_SYSTEM_BUS_ADDRESS:-none}"; ls -A /run'
	assert_status 0
	assert_output_contains "sys=none"
	[[ $output != *dbus* ]] || fail "a system bus is in the jail: $output"
}

@test "the proxy is ready before the first app, and gone when the jail ends" {
	start_bus session
	start_service "$BUS_ADDR" org.jailsup.Test
	dbus_profile life "[dbus]" "talk = org.jailsup.Test"
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	# The very first command of the jail already reaches the bus.
	bg jailsup run life -c 'dbus-send --session --print-reply --dest=org.jailsup.Test /org/jailsup/Test org.jailsup.Test.Ping >"$HOME/first" 2>&1; touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home life)/ready"
	grep -q "pong org.jailsup.Test" "$(jail_home life)/first" ||
		fail "the first app found no bus: $(cat "$(jail_home life)/first")"
	local pid
	pid=$(proxy_pid life)
	alive "$pid" || fail "no proxy"
	run jailsup kill life
	assert_status 0
	wait_status life stopped
	wait_for _not_alive "$pid"
	[ ! -e "$(state_dir life)/dbus-proxy.pid" ] || fail "dbus-proxy.pid is left"
	[ ! -e "$(state_dir life)/dbus-proxy.sock" ] || fail "dbus-proxy.sock is left"
}

@test "kill -9 of the jailer: the proxy is ended" {
	start_bus session
	dbus_profile k9
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	bg jailsup run k9 -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home k9)/ready"
	local pid jailer
	pid=$(proxy_pid k9)
	alive "$pid" || fail "no proxy"
	jailer=$(state_get k9 jailer-pid)
	kill -KILL "$jailer"
	wait_status k9 stopped
	wait_for _not_alive "$pid"
}

@test "a supervisor restart: the proxy and the bus stay; the new supervisor ends the proxy" {
	start_bus session
	start_service "$BUS_ADDR" org.jailsup.Test
	dbus_profile rs "[dbus]" "talk = org.jailsup.Test"
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	bg jailsup run rs -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home rs)/ready"
	local pid daemon
	pid=$(proxy_pid rs)
	daemon=$(daemon_pid)
	kill -KILL "$daemon"
	wait_for _not_alive "$daemon"
	alive "$pid" || fail "the proxy died with the supervisor"
	jailsup daemon
	wait_for grep -q "adopted jail 'rs'" "$XDG_RUNTIME_DIR/jailsup/daemon.log"
	alive "$pid" || fail "the proxy died at the restart"
	run jailsup run rs -c 'dbus-send --session --print-reply --dest=org.jailsup.Test /org/jailsup/Test org.jailsup.Test.Ping'
	assert_status 0
	assert_output_contains "pong org.jailsup.Test"
	run jailsup kill rs
	assert_status 0
	wait_status rs stopped
	wait_for _not_alive "$pid"
}

@test "a bad rule: file:line at start, no jail, no proxy" {
	dbus_profile bad "[dbus]" "talk = org.jailsup.Test" "call = org.jailsup.Test=Ping"
	run -125 jailsup run bad -c true
	assert_output_contains "bad.ini:6:"
	[ ! -e "$(state_dir bad)/dbus-proxy.pid" ] || fail "a proxy was started"
}

@test "explain: rights with their reasons, mounts, the proxy's rules per bus, network, seccomp" {
	dbus_profile ex "[rights]" "allow = dbus-system" "deny = audio" \
		"[dbus]" "talk = org.jailsup.Test" "own = org.jailsup.App.*" \
		"[dbus-system]" "talk = org.freedesktop.UPower"
	run jailsup explain ex
	assert_status 0
	assert_output_contains "$XDG_CONFIG_HOME/jailsup/profiles/ex.ini" \
		"audio" "deny" "x11" "default" "dbus-system" "allow" \
		"--filter" "--talk=org.jailsup.Test" "--own=org.jailsup.App.*" \
		"--call=org.freedesktop.Notifications=org.freedesktop.Notifications.Notify@/org/freedesktop/Notifications" \
		"--talk=org.freedesktop.UPower" "network" "none" "seccomp" "ptrace" "keyctl" \
		"$(jail_home ex)"
	run jailsup explain nosuchprofile
	assert_status 3
}

@test "with no supervisor left, the proxy still ends with its jailer" {
	start_bus session
	dbus_profile orphan
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	bg jailsup run orphan -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home orphan)/ready"
	local pid daemon jailer
	pid=$(proxy_pid orphan)
	daemon=$(daemon_pid)
	jailer=$(state_get orphan jailer-pid)
	kill -KILL "$daemon"
	wait_for _not_alive "$daemon"
	kill -KILL "$jailer"
	# Its --fd pipe breaks with the jailer: it leaves by itself.
	wait_for _not_alive "$pid"
}

# The spare proxy (docs/jail.md "D-Bus"): started ahead with the command of
# the last start, taken over only by a start of that very command.
spare_pid() {
	local pid _
	read -r pid _ <"$XDG_RUNTIME_DIR/jailsup/dbus-proxy-spare/dbus-proxy.pid" 2>/dev/null || return 1
	alive "$pid" && echo "$pid"
}

@test "spare proxy: a jail with other rules never gets the spare started for the last one's" {
	start_bus session
	start_service "$BUS_ADDR" org.jailsup.Test org.jailsup.Hidden
	dbus_profile wide "[dbus]" "talk = org.jailsup.Hidden"
	dbus_profile narrow "[dbus]" "talk = org.jailsup.Test"
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	run jailsup run wide -c 'dbus-send --session --print-reply --dest=org.jailsup.Hidden /org/jailsup/Test org.jailsup.Test.Ping'
	assert_status 0
	assert_output_contains "pong org.jailsup.Hidden"
	wait_status wide stopped
	# A spare now waits with wide's rules.
	wait_for spare_pid
	local spare
	spare=$(spare_pid)
	grep -qa -- '--talk=org.jailsup.Hidden' "/proc/$spare/cmdline" || fail "not wide's spare"
	# From inside the narrow jail: the hidden name stays out of reach.
	run jailsup run narrow -c 'dbus-send --session --print-reply --dest=org.jailsup.Hidden /org/jailsup/Test org.jailsup.Test.Ping'
	[ "$status" -ne 0 ] || fail "the narrow jail reached the hidden name: $output"
	[[ $output != *pong* ]] || fail "the narrow jail reached the hidden name: $output"
	run jailsup run narrow -c 'dbus-send --session --print-reply --dest=org.jailsup.Test /org/jailsup/Test org.jailsup.Test.Ping'
	assert_status 0
	assert_output_contains "pong org.jailsup.Test"
	bg jailsup run narrow -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home narrow)/ready"
	local pid
	pid=$(proxy_pid narrow)
	[ "$pid" != "$spare" ] || fail "the narrow jail took wide's spare"
	grep -qa -- '--talk=org.jailsup.Test' "/proc/$pid/cmdline" || fail "not narrow's rules"
	! grep -qa -- 'Hidden' "/proc/$pid/cmdline" || fail "narrow's proxy has wide's rules"
	run jailsup kill narrow
	assert_status 0
}

@test "spare proxy: the same rules take it over, and it carries the new jail's identity, not the last one's" {
	start_bus session
	start_service "$BUS_ADDR" org.jailsup.Test
	dbus_profile first "[dbus]" "talk = org.jailsup.Test"
	dbus_profile second "[dbus]" "talk = org.jailsup.Test"
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	run jailsup run first -c true
	assert_status 0
	wait_status first stopped
	wait_for spare_pid
	local spare pid
	spare=$(spare_pid)
	# Waiting, it is nobody: an empty identity, which the portals refuse.
	[ ! -s "/proc/$spare/root/.flatpak-info" ] || fail "the waiting spare has an identity: $(cat "/proc/$spare/root/.flatpak-info")"
	bg jailsup run second -c 'dbus-send --session --print-reply --dest=org.jailsup.Test /org/jailsup/Test org.jailsup.Test.Ping >"$HOME/first" 2>&1; cat /.flatpak-info >"$HOME/info"; touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home second)/ready"
	pid=$(proxy_pid second)
	[ "$pid" = "$spare" ] || fail "the spare ($spare) was not taken: the proxy is $pid"
	grep -q "pong org.jailsup.Test" "$(jail_home second)/first" ||
		fail "the first app found no bus: $(cat "$(jail_home second)/first")"
	# The identity the portals read in the proxy's root, and the jail's own.
	grep -qx 'name=org.jailsup.second' "/proc/$pid/root/.flatpak-info" ||
		fail "the proxy's identity: $(cat "/proc/$pid/root/.flatpak-info")"
	grep -qx 'name=org.jailsup.second' "$(jail_home second)/info" ||
		fail "the jail's identity: $(cat "$(jail_home second)/info")"
	! grep -q 'first' "/proc/$pid/root/.flatpak-info" || fail "the last jail's identity"
	# Its life is the jail's, as any proxy's.
	run jailsup kill second
	assert_status 0
	wait_status second stopped
	wait_for _not_alive "$pid"
	[ ! -e "$(state_dir second)/dbus-proxy.pid" ] || fail "dbus-proxy.pid is left"
}

@test "spare proxy: a bus restarted since the spare started is not the one it binds: a new proxy" {
	start_bus session
	local busd=$BG_PID
	start_service "$BUS_ADDR" org.jailsup.Test
	dbus_profile rb "[dbus]" "talk = org.jailsup.Test"
	# The address without the bus's guid: the same one after a restart.
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$BATS_TEST_TMPDIR/session.sock"
	run jailsup run rb -c true
	assert_status 0
	wait_status rb stopped
	wait_for spare_pid
	local spare
	spare=$(spare_pid)
	# The same address, a new socket: the spare's bind holds the old one.
	kill "$busd"
	wait_for _not_alive "$busd"
	rm -f "$BATS_TEST_TMPDIR/session.sock"
	start_bus session
	start_service "$BUS_ADDR" org.jailsup.Test
	run jailsup run rb -c 'dbus-send --session --print-reply --dest=org.jailsup.Test /org/jailsup/Test org.jailsup.Test.Ping'
	assert_status 0
	assert_output_contains "pong org.jailsup.Test"
	wait_status rb stopped
	wait_for _not_alive "$spare"
}

@test "spare proxy: it never outlives the supervisor (kill -9 of it, or its end)" {
	start_bus session
	dbus_profile sk
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	local spare daemon
	run jailsup run sk -c true
	assert_status 0
	wait_for spare_pid
	spare=$(spare_pid)
	daemon=$(daemon_pid)
	kill -KILL "$daemon"
	# Its --fd pipe's one reader was the supervisor.
	wait_for _not_alive "$spare"
	run jailsup run sk -c true
	assert_status 0
	wait_for spare_pid
	spare=$(spare_pid)
	daemon=$(daemon_pid)
	kill -TERM "$daemon"
	wait_for _not_alive "$daemon"
	wait_for _not_alive "$spare"
}
