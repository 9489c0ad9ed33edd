#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The accessibility bus (docs/jail.md "D-Bus"): with the dbus right and a
# session that has an accessibility bus, the jail's xdg-dbus-proxy serves
# that bus too, filtered as flatpak filters it, at $AT_SPI_BUS_ADDRESS.
# The real at-spi-bus-launcher runs on the test's session bus; clients in
# real jails are dbus-send. The address comes from whoever owns
# org.a11y.Bus, which a jail may be allowed to own: an address that is
# not the launcher's socket in $XDG_RUNTIME_DIR/at-spi is refused.

# $output and $status come from bats' run; the scripts run in jails are
# single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load server-helpers

LAUNCHER=/usr/libexec/at-spi-bus-launcher

setup() {
	local tool
	for tool in dbus-daemon dbus-send xdg-dbus-proxy python3 "$LAUNCHER"; do
		command -v "$tool" >/dev/null || fail "'$tool' is not installed (scripts/packages.txt)"
	done
}

teardown() {
	# The launcher's own dbus-daemon and the registry it activated.
	local p
	for p in $(pgrep -u "$(id -u)" -f "at-spi/bus|at-spi2-registryd" || true); do
		grep -qsF "$BATS_TEST_TMPDIR" "/proc/$p/environ" "/proc/$p/cmdline" && kill "$p" 2>/dev/null
	done
	jail_teardown
}

# get_address ADDR: org.a11y.Bus.GetAddress on the bus ADDR.
get_address() {
	dbus-send --bus="$1" --print-reply=literal --dest=org.a11y.Bus /org/a11y/bus \
		org.a11y.Bus.GetAddress
}

start_a11y() {
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	bg "$LAUNCHER" --launch-immediately
	wait_for --timeout 20 get_address "$BUS_ADDR"
	A11Y_ADDR=$(get_address "$BUS_ADDR" | sed 's/^ *//')
	[[ $A11Y_ADDR == "unix:path=$XDG_RUNTIME_DIR/at-spi/bus"* ]] ||
		fail "the launcher's address: $A11Y_ADDR"
}

# In the jail: the address, an allowed call, and two outside the filter
# (synthesising a click into every app of the session; reading the
# registry's interface).
A11Y_SCRIPT='
echo "addr=${AT_SPI_BUS_ADDRESS:-none}"
[ -n "${AT_SPI_BUS_ADDRESS:-}" ] || exit 0
call() { dbus-send --bus="$AT_SPI_BUS_ADDRESS" --print-reply --reply-timeout=5000 --dest=org.a11y.atspi.Registry "$@" 2>&1; }
if call /org/a11y/atspi/registry org.a11y.atspi.Registry.GetRegisteredEvents >/dev/null; then echo events=yes; else echo events=no; fi
echo "click=$(call /org/a11y/atspi/registry/deviceeventcontroller org.a11y.atspi.DeviceEventController.GenerateMouseEvent int32:1 int32:1 string:b1c | head -1)"
echo "introspect=$(call /org/a11y/atspi/registry org.freedesktop.DBus.Introspectable.Introspect | head -1)"
'

@test "a11y bus through the proxy: the registry's calls pass, a synthesised click and others are refused" {
	start_a11y
	sh_profile t
	# On the host bus itself the click goes through: the filter is what
	# refuses it below.
	run dbus-send --bus="$A11Y_ADDR" --print-reply --reply-timeout=5000 --dest=org.a11y.atspi.Registry \
		/org/a11y/atspi/registry/deviceeventcontroller \
		org.a11y.atspi.DeviceEventController.GenerateMouseEvent int32:1 int32:1 string:b1c
	[[ $output != *AccessDenied* ]] || fail "refused on the host already: $output"
	run jailsup run t -c "$A11Y_SCRIPT"
	assert_status 0
	assert_output_contains "addr=unix:path=$XDG_RUNTIME_DIR/at-spi-bus" "events=yes"
	[[ $output =~ click=Error\ org.freedesktop.DBus.Error.(AccessDenied|ServiceUnknown) ]] ||
		fail "the click was not refused: $output"
	[[ $output =~ introspect=Error\ org.freedesktop.DBus.Error.(AccessDenied|ServiceUnknown) ]] ||
		fail "Introspect was not refused: $output"
	printf "# %s\n" "$output" >&3
	run jailsup explain t
	assert_output_contains "org.a11y.atspi.Socket.Embed@/org/a11y/atspi/accessible/root"
}

@test "no a11y bus in the session, or no dbus right: no AT_SPI_BUS_ADDRESS, the jail starts as before" {
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	sh_profile t
	run jailsup run t -c "$A11Y_SCRIPT"
	assert_status 0
	[ "$output" = "addr=none" ] || fail "output: $output"
	wait_jail_gone t

	start_a11y
	write_profile nodbus <<'EOF'
[jail]
exec = /bin/sh
network = none
[rights]
deny = dbus
EOF
	run jailsup run nodbus -c "$A11Y_SCRIPT"
	assert_status 0
	[ "$output" = "addr=none" ] || fail "output: $output"
}

@test "an a11y address planted by another owner of org.a11y.Bus is refused, named in the jail's log" {
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	# Not the launcher: a socket of the user's elsewhere (an ssh agent's,
	# say), which the proxy must never be pointed at.
	bg python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(600)' \
		"$BATS_TEST_TMPDIR/agent.sock"
	wait_for test -S "$BATS_TEST_TMPDIR/agent.sock"
	cat >"$BATS_TEST_TMPDIR/owner.py" <<'EOF'
import sys
import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])


class Bus(dbus.service.Object):
    @dbus.service.method("org.a11y.Bus", in_signature="", out_signature="s")
    def GetAddress(self):
        return sys.argv[2]


Bus(bus, "/org/a11y/bus")
name = dbus.service.BusName("org.a11y.Bus", bus)
GLib.MainLoop().run()
EOF
	local planted dpid
	for planted in "unix:path=$BATS_TEST_TMPDIR/agent.sock" \
		"unix:path=$XDG_RUNTIME_DIR/at-spi/../../agent.sock" "unix:abstract=/tmp/a11y-planted" \
		"tcp:host=127.0.0.1,port=1"; do
		# No spare proxy of the last round's: a spare asks for the
		# accessibility bus when it starts, ahead of the jail.
		if daemon_alive; then
			dpid=$(daemon_pid)
			kill "$dpid"
			wait_for _not_alive "$dpid"
		fi
		bg python3 "$BATS_TEST_TMPDIR/owner.py" "$BUS_ADDR" "$planted"
		wait_for get_address "$BUS_ADDR"
		sh_profile t
		run jailsup run t -c "$A11Y_SCRIPT"
		assert_status 0
		[ "$output" = "addr=none" ] || fail "with '$planted': $output"
		grep -q "warning: the accessibility bus address is not a socket in" "$(state_dir t)/log" ||
			fail "with '$planted', the log: $(cat "$(state_dir t)/log")"
		wait_jail_gone t
		kill "$BG_PID"
		wait_for bash -c "! dbus-send --bus='$BUS_ADDR' --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetNameOwner string:org.a11y.Bus"
	done
}

@test "a profile sharing the a11y bus's folder read-write: no jail gets the bus, said once" {
	start_a11y
	sh_profile t
	# Its jail could plant the socket every other jail's proxy would use.
	write_profile sharer <<'EOF'
[jail]
exec = /bin/sh
network = none
[share]
rw = $XDG_RUNTIME_DIR/at-spi
EOF
	run jailsup run t -c "$A11Y_SCRIPT"
	assert_status 0
	assert_output_contains "jailsup: warning: the accessibility bus's folder '$XDG_RUNTIME_DIR/at-spi' is where a jail can write" \
		"addr=none"
}
