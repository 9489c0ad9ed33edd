#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The leak self-test (`jailsup check`, docs/jail.md "jailsup check"): run
# inside the jail, it
# tries every channel a profile denies and the security floor. A secure
# jail must come out all closed; channels the test opens on the host on
# purpose (an abstract socket, a loopback TCP port, an X server) must come
# out OPEN when the profile lets them through (network = host), so the
# check itself is shown able to fail.

# $output and $status come from bats' run.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load server-helpers

setup() {
	require_tools jq python3 Xvfb dbus-daemon xdg-dbus-proxy
}

# result JSON CHANNEL: the result of the first check named CHANNEL.
result() {
	jq -r --arg c "$2" '[.checks[] | select(.channel == $c) | .result][0] // "missing"' <<<"$1"
}

check_profile() {
	local name=$1
	shift
	{
		echo "[jail]"
		echo "exec = /bin/sh"
		printf '%s\n' "$@"
	} | write_profile "$name"
}

@test "a secure jail: every channel closed, the floor holds, exit 0" {
	listeners
	start_xvfb
	check_profile sec "secure = true" "network = none"
	run jailsup check sec --json --probe-abstract "$ABSTRACT" --probe-tcp "$PORT"
	assert_status 0
	jq -e '.open == 0' <<<"$output" >/dev/null || fail "$output"
	jq -e '[.checks[] | select(.result != "closed")] | length == 0' <<<"$output" >/dev/null ||
		fail "$output"
	for c in "given abstract socket" "given loopback TCP port" "host abstract socket" \
		"host loopback TCP" "host unix socket in /tmp" "host unix socket in runtime dir" \
		"your home" "host /tmp" "host runtime dir" "X11 display" "network namespace" \
		"no_new_privs" "seccomp filter" "TIOCSTI (type into the terminal)" \
		"nested user namespace" "capabilities (CapBnd)" "controlling terminal" \
		"terminal after the run" \
		"host processes" "route to the internet (IPv4)" "route to the internet (IPv6)" \
		"systemd-resolved stub" "Landlock scoping"; do
		[ "$(result "$output" "$c")" = closed ] || fail "'$c' is not closed: $output"
	done

	# The table for people says the same.
	run jailsup check sec
	assert_status 0
	assert_output_contains "jail 'sec':" ", 0 OPEN"
	[[ $output != *OPEN\ * ]] || fail "$output"
	# Its canaries go with it (in the host's /tmp and the runtime dir).
	local left
	left=$(find /tmp "$XDG_RUNTIME_DIR" -maxdepth 1 -name 'jailsup-check.*' -user "$(id -u)" 2>/dev/null)
	[ -z "$left" ] || fail "canaries left behind: $left"
}

@test "network = host: the host's loopback TCP is OPEN, its abstract sockets refused by Landlock, exit 1" {
	listeners
	check_profile hostnet "secure = true" "network = host"
	run jailsup check hostnet --json --probe-abstract "$ABSTRACT" --probe-tcp "$PORT"
	assert_status 1
	[ "$(result "$output" "given loopback TCP port")" = OPEN ] || fail "$output"
	[ "$(result "$output" "network namespace")" = OPEN ] || fail "$output"
	# The kernel here scopes abstract sockets (Landlock ABI 6 or later):
	# the jail shares the host's, and is refused them.
	[ "$(result "$output" "Landlock scoping")" = closed ] || fail "$output"
	jq -e '[.checks[] | select(.channel == "Landlock scoping" and (.detail | test("^ABI [0-9]+: abstract unix sockets and signals scoped")))] | length == 1' \
		<<<"$output" >/dev/null || fail "$output"
	for c in "given abstract socket" "host abstract socket"; do
		[ "$(result "$output" "$c")" = closed ] || fail "'$c' is not closed: $output"
		jq -e --arg c "$c" '[.checks[] | select(.channel == $c and (.detail | endswith(": Operation not permitted")))] | length == 1' \
			<<<"$output" >/dev/null || fail "'$c' was not refused by Landlock: $output"
	done
	# What network = host does not open stays closed.
	[ "$(result "$output" "host unix socket in /tmp")" = closed ] || fail "$output"
	[ "$(result "$output" "your home")" = closed ] || fail "$output"
	[ "$(result "$output" "no_new_privs")" = closed ] || fail "$output"
	jq -e '.open >= 2' <<<"$output" >/dev/null || fail "$output"

	run jailsup check hostnet --probe-abstract "$ABSTRACT" --probe-tcp "$PORT"
	assert_status 1
	assert_output_contains "OPEN     given loopback TCP port" "closed   given abstract socket"
}

@test "x11: denied is closed, x11 = host is granted, the jail's own server leaves the host display closed; denied on the host's network the abstract X socket is refused" {
	start_xvfb
	check_profile xoff "network = none" "[rights]" "deny = x11, dbus, notifications, audio"
	run jailsup check xoff --json
	assert_status 0
	[ "$(result "$output" "X11 display")" = closed ] || fail "$output"

	check_profile xon "network = none" "[rights]" "deny = dbus, notifications, audio" "x11 = host"
	run jailsup check xon --json
	assert_status 0
	# Our Xvfb's socket (the host may have other displays, or a stale
	# socket of one that was killed).
	[ "$(jq -r --arg d "/tmp/.X11-unix/X$XNUM: " \
		'[.checks[] | select(.channel == "X11 display" and (.detail | startswith($d))) | .result][0] // "missing"' \
		<<<"$output")" = granted ] || fail "$output"

	# x11 = yes: the jail's own X server (a socket of the jail's own, at
	# whatever number); every display of the host, by its socket and its
	# abstract name, is out of reach.
	check_profile xown "network = none" "[rights]" "deny = dbus, notifications, audio" "x11 = yes"
	run jailsup check xown --json
	assert_status 0
	jq -e '[.checks[] | select(.channel == "X11 display")] | length > 0' \
		<<<"$output" >/dev/null || fail "no X11 display checked: $output"
	jq -e '[.checks[] | select(.channel == "X11 display" and .result != "closed")] | length == 0' \
		<<<"$output" >/dev/null || fail "$output"

	check_profile xhost "network = host" "[rights]" "deny = x11, dbus, notifications, audio"
	run jailsup check xhost --json
	assert_status 1
	jq -e --arg d "@/tmp/.X11-unix/X$XNUM: Operation not permitted" \
		'[.checks[] | select(.channel == "X11 display" and .result == "closed" and .detail == $d)] | length == 1' \
		<<<"$output" >/dev/null || fail "$output"
}

@test "the real session bus is never reached: a jail with dbus gets its own proxy, reported closed" {
	# Where a desktop's bus is: $XDG_RUNTIME_DIR/bus, the path the jail's
	# proxy takes in the jail.
	start_bus session "$XDG_RUNTIME_DIR/bus"
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	check_profile withbus "network = none" "[rights]" "deny = audio, x11"
	run jailsup check withbus --json
	assert_status 0
	jq -e '[.checks[] | select(.channel == "session bus")] | length >= 1' <<<"$output" >/dev/null ||
		fail "no session bus check: $output"
	jq -e '[.checks[] | select(.channel == "session bus" and .result != "closed")] | length == 0' \
		<<<"$output" >/dev/null || fail "$output"
	# Its own proxy is there: the check saw a socket, not the host's.
	jq -e '[.checks[] | select(.channel == "session bus" and (.detail | test("connected, the jail.s own")))] | length == 1' \
		<<<"$output" >/dev/null || fail "$output"
}

@test "check: bad input" {
	run jailsup check nosuch
	assert_status 3
	assert_output_contains "no profile named 'nosuch'"
	run jailsup check ../x
	assert_status 2
	check_profile p "secure = true"
	run jailsup check p --probe-tcp notaport
	assert_status 2
	# A broken profile: every error of the file, each with its line.
	check_profile broken "network = wifi" "secure = perhaps"
	run jailsup check broken
	assert_status 125
	assert_output_contains "broken.ini:3: invalid value 'wifi' for 'network'" \
		"broken.ini:4: invalid value 'perhaps' for 'secure'"
}

@test "the session's files: shared read-only they are closed; writable they would be OPEN" {
	local ino dev file
	[ -f "$HOME/.bashrc" ] || : >"$HOME/.bashrc"
	check_profile robash "network = none" "[share]" "ro = ~/.bashrc"
	run jailsup check robash --json
	assert_status 0
	jq -e --arg f "$HOME/.bashrc" '[.checks[] | select(.channel == "session file, writable" and
		(.detail | startswith($f + ": the host'"'"'s, read-only")) and .result == "closed")] |
		length == 1' <<<"$output" >/dev/null || fail "$output"
	jq -e '[.checks[] | select(.channel == "session file, writable" and .result != "closed")] |
		length == 0' <<<"$output" >/dev/null || fail "$output"
	# The same probe run where the file is writable (on the host itself):
	# the check can fail.
	file=$(home_tmpdir)/rc
	: >"$file"
	dev=$(stat -c %d "$file")
	ino=$(stat -c %i "$file")
	run "$JAILSUP_BUILD/libexec/jailsup/leak-check" --json --jail host --rights audio \
		--network host --probe "wpath:none:$dev:$ino:session file, writable:$file"
	[ "$(result "$output" "session file, writable")" = OPEN ] || fail "$output"
}
