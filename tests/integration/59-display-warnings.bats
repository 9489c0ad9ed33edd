#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A display the profile grants but the session does not have: the jail
# starts without it (as with any right whose service is not running), and
# the start says so in one line naming the variable's value and where no
# server listens, rather than leaving the app to print "cannot open
# display" later (docs/profiles.md "[rights]"). Real jails, real servers.

# $output and $status come from bats' run; the scripts run in jails are
# single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load server-helpers

setup() {
	require_tools Xvfb Xephyr weston wayland-info python3
}

# display_profile NAME [LINE]…: /bin/sh with x11 and wayland, no network.
display_profile() {
	local name=$1
	shift
	{
		printf '[jail]\nexec = /bin/sh\nnetwork = none\n'
		printf '[rights]\nallow = x11, wayland\n'
		printf '%s\n' "$@"
	} | write_profile "$name"
}

# A display number with no socket in /tmp/.X11-unix.
free_display() {
	local n=37
	while [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
	echo "$n"
}

@test "DISPLAY with no X server: the start names it in one warning, the jail runs without X11" {
	local n
	n=$(free_display)
	display_profile nox
	DISPLAY=":$n" run jailsup run nox -c 'echo "display=${DISPLAY:-none}"'
	assert_status 0
	assert_output_contains "jailsup: warning: x11: DISPLAY=:$n but no X server listens at /tmp/.X11-unix/X$n; the jail has no X11 display" \
		"display=none"
	[ "$(grep -c 'DISPLAY=' <<<"$output")" = 1 ] || fail "not one line: $output"
	# The jail's log says it too.
	grep -q "warning: x11: DISPLAY=:$n but no X server" "$(state_dir nox)/log" ||
		fail "the jail's log: $(cat "$(state_dir nox)/log")"
}

@test "x11 = host with no X server, and a DISPLAY that is not local: the same warning" {
	local n
	n=$(free_display)
	display_profile hostx 'x11 = host'
	sed -i '/^allow/d' "$XDG_CONFIG_HOME/jailsup/profiles/hostx.ini"
	DISPLAY="unix:$n.0" run jailsup run hostx -c 'echo "display=${DISPLAY:-none}"'
	assert_status 0
	assert_output_contains "x11: DISPLAY=unix:$n.0 but no X server listens at /tmp/.X11-unix/X$n" \
		"display=none"
	wait_jail_gone hostx
	DISPLAY="remote.example:10.0" run jailsup run hostx -c 'echo "display=${DISPLAY:-none}"'
	assert_status 0
	assert_output_contains "x11: DISPLAY=remote.example:10.0 is not a local display (':N'); the jail has no X11 display" \
		"display=none"
}

@test "WAYLAND_DISPLAY with no compositor, missing or a stale socket: one warning each" {
	display_profile nowl
	WAYLAND_DISPLAY=wayland-gone run jailsup run nowl -c 'echo "wayland=${WAYLAND_DISPLAY:-none}"'
	assert_status 0
	assert_output_contains "wayland: WAYLAND_DISPLAY=wayland-gone but no compositor listens at $XDG_RUNTIME_DIR/wayland-gone; the jail has no Wayland display" \
		"wayland=none"
	wait_jail_gone nowl
	# A socket file whose compositor is gone: bound, never listening.
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
		"$XDG_RUNTIME_DIR/wayland-stale"
	[ -S "$XDG_RUNTIME_DIR/wayland-stale" ] || fail "no stale socket"
	WAYLAND_DISPLAY=wayland-stale run jailsup run nowl -c 'echo "wayland=${WAYLAND_DISPLAY:-none}"'
	assert_status 0
	assert_output_contains "WAYLAND_DISPLAY=wayland-stale but no compositor listens at $XDG_RUNTIME_DIR/wayland-stale"
}

@test "displays that are there, or not set at all: no warning" {
	start_xvfb
	start_weston
	display_profile ok
	run jailsup run ok -c 'echo "x11=${DISPLAY:-none} wayland=${WAYLAND_DISPLAY:-none}"'
	assert_status 0
	[ "$output" = "x11=:0 wayland=wayland-jt" ] || fail "output: $output"
	wait_jail_gone ok
	unset DISPLAY WAYLAND_DISPLAY
	run jailsup run ok -c 'echo "x11=${DISPLAY:-none}"'
	assert_status 0
	[ "$output" = "x11=none" ] || fail "output: $output"
}
