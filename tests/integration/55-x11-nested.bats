#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The x11 right gives the jail an X server of its own (docs/jail.md
# "Rights"): a confined Xephyr, shown in one window of the user's display
# (here a real Xvfb with a cookie). Played from inside real jails: the
# host's windows are not there to list, the host's keystrokes are not there
# to read, the jail's drawing does reach the host's screen, and the nested
# server dies with the jail, however the jail ends.

# $output, $status and $lines come from bats' run; the scripts run in
# jails are single-quoted on purpose.
# shellcheck disable=SC2016,SC2030,SC2031,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load server-helpers

setup() {
	require_tools Xvfb Xephyr xauth mcookie xdotool xinput xwininfo xsetroot xlogo xwd xwdtopnm python3
}

# x11_profile NAME [LINE]…: /bin/sh with the x11 right (the jail's own
# server: what `allow = x11` has always written), no network.
x11_profile() {
	local name=$1
	shift
	{
		printf '[jail]\nexec = /bin/sh\nnetwork = none\n'
		printf '[rights]\nallow = x11\n'
		printf '%s\n' "$@"
	} | write_profile "$name"
}

# A window of the host's, titled TITLE.
host_window() {
	bg xlogo -title "$1"
	wait_for xdotool search --name "$1"
}

xephyrs() {
	pgrep -u "$(id -u)" -x Xephyr
}

no_xephyr() {
	! xephyrs >/dev/null
}

@test "a host window is not there for the jail: not listed by xdotool or xwininfo, and the jail talks to a display of its own" {
	start_host_display
	host_window HOSTSECRETWIN
	x11_profile xn
	run jailsup run xn -c '
		echo "DISPLAY=$DISPLAY"
		xdotool search --name HOSTSECRETWIN && echo "HOST WINDOW FOUND"
		xwininfo -root -tree | grep -c HOSTSECRETWIN
		xdpyinfo | grep dimensions:'
	[[ $output != *"HOST WINDOW FOUND"* ]] || fail "the jail lists the host's window: $output"
	assert_output_contains "DISPLAY=:0" "dimensions:    1280x800 pixels"
	[[ ${lines[1]} == 0 ]] || fail "xwininfo in the jail shows the host's window: $output"
	# The host's cookie never entered the jail.
	run jailsup run xn -c 'xauth list'
	[[ $output != *"$COOKIE"* ]] || fail "the host's cookie is in the jail: $output"
}

@test "keystrokes typed into a host window do not reach an XInput2 client in the jail" {
	start_host_display
	host_window HOSTKEYS
	x11_profile xk
	home=$(jail_home xk)
	# In the jail: a raw-event reader on the root window; F11 from the
	# jail itself shows it listens, then the host types, then F12 marks
	# the end. Every key event it saw must be the jail's own.
	bg jailsup run xk -c '
		xinput test-xi2 --root >"$HOME/events" 2>&1 &
		x=$!
		seen() { grep -q "detail: $1\$" "$HOME/events"; }
		for _ in $(seq 100); do
			xdotool key F11
			seen 95 && break
			sleep 0.1
		done
		touch "$HOME/listening"
		for _ in $(seq 200); do [ -e "$HOME/typed" ] && break; sleep 0.1; done
		xdotool key F12
		for _ in $(seq 100); do seen 96 && break; sleep 0.1; done
		kill "$x"
		touch "$HOME/done"'
	wait_for_file "$home/listening"
	grep -q 'detail: 95$' "$home/events" || fail "the jail's reader saw not even its own key"
	xdotool search --name HOSTKEYS windowfocus --sync type --delay 20 hostsecret
	touch "$home/typed"
	wait_for_file "$home/done"
	grep -q 'detail: 96$' "$home/events" || fail "the jail's reader missed its own F12"
	others=$(grep -E 'KeyPress|KeyRelease' -A2 "$home/events" | grep -E '^ +detail: ' |
		grep -vE 'detail: (95|96)$' || :)
	[ -z "$others" ] || fail "the jail saw the host's keys: $others"
}

# red_pixels: how many pure red pixels the host's screen has.
red_pixels() {
	xwd -root -silent | xwdtopnm 2>/dev/null | python3 -c '
import sys
data = sys.stdin.buffer.read()
# P6 header: magic, width, height, maxval, then the pixels.
parts = data.split(maxsplit=4)
w, h = int(parts[1]), int(parts[2])
px = parts[4][: w * h * 3]
print(sum(1 for i in range(0, len(px), 3) if px[i : i + 3] == b"\xff\x00\x00"))'
}

red_over() {
	[ "$(red_pixels)" -gt "$1" ]
}

@test "the jail's drawing shows on the host's display, in Xephyr's window" {
	start_host_display
	[ "$(red_pixels)" -eq 0 ] || fail "the host's screen is red before the jail drew"
	x11_profile xd
	home=$(jail_home xd)
	bg jailsup run xd -c '
		xsetroot -solid red
		touch "$HOME/painted"
		for _ in $(seq 300); do [ -e "$HOME/seen" ] && break; sleep 0.1; done'
	wait_for_file "$home/painted"
	# Xephyr's window at the top left, as no window manager moves it:
	# most of the host's 1024x768 screen.
	wait_for red_over 500000
	touch "$home/seen"
}

@test "the nested server dies with the jail: jailsup kill, and the jailer killed -9" {
	start_host_display
	x11_profile xl
	bg jailsup run xl -c 'exec sleep 1000'
	wait_status xl running
	wait_for xephyrs
	jailsup kill xl
	wait_for no_xephyr

	bg jailsup run xl -c 'exec sleep 1000'
	wait_status xl running
	wait_for xephyrs
	jailer=$(state_get xl jailer-pid)
	[[ $jailer =~ ^[0-9]+$ ]] || fail "no jailer recorded: '$jailer'"
	kill -KILL "$jailer"
	wait_for no_xephyr
}

# As any right whose service is not running: a DISPLAY no server listens
# on gives a jail without X11, not a start that fails on Xephyr's error.
@test "a DISPLAY no X server listens on: the jail starts, without X11 and without an Xephyr" {
	local n=37
	while [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
	x11_profile nodisplay
	DISPLAY=":$n" run jailsup run nodisplay -c 'echo "display=${DISPLAY:-none}"; ls /tmp/.X11-unix 2>&1 | wc -l'
	assert_status 0
	# The start says so, once (59-display-warnings.bats has the rest).
	[ "${lines[0]}" = "jailsup: warning: x11: DISPLAY=:$n but no X server listens at /tmp/.X11-unix/X$n; the jail has no X11 display" ] ||
		fail "$output"
	[ "${lines[1]}" = "display=none" ] || fail "$output"
	no_xephyr || fail "an Xephyr runs: $(xephyrs)"
}

@test "x11 = host is the user's display itself, and explain says so loudly" {
	start_host_display
	host_window HOSTVISIBLE
	x11_profile xh "x11 = host"
	run jailsup run xh -c 'xdotool search --name HOSTVISIBLE >/dev/null && echo "host window there"'
	assert_status 0
	assert_output_contains "host window there"
	run jailsup explain xh
	assert_output_contains "sees and can type into every window of your display"
}

@test "x11 = maybe is refused with its line" {
	x11_profile xbad "x11 = maybe"
	run jailsup run xbad -c true
	[ "$status" -ne 0 ] || fail "started: $output"
	assert_output_contains "xbad.ini:6: invalid value 'maybe' for 'x11' (expected yes, host or no)"
}
