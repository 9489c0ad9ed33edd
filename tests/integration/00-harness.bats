#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The harness itself: the later tests run real jails, so they need what a
# desktop user has (an unprivileged uid, a private XDG_RUNTIME_DIR, user
# namespaces, /dev/fuse, /dev/net/tun) and helpers that behave.

load helpers

@test "runs as an unprivileged user" {
	[ "$(id -u)" -ne 0 ] || fail "the integration tests run as root"
}

@test "XDG_RUNTIME_DIR is private: 0700, ours, inside the test's tmpdir" {
	[ "$XDG_RUNTIME_DIR" = "$BATS_TEST_TMPDIR/run" ] || fail "XDG_RUNTIME_DIR is '$XDG_RUNTIME_DIR'"
	[ "$(stat -c '%a %u' "$XDG_RUNTIME_DIR")" = "700 $(id -u)" ] ||
		fail "XDG_RUNTIME_DIR: $(stat -c '%A %U' "$XDG_RUNTIME_DIR")"
}

@test "XDG config, data, cache and state homes are private to the test" {
	local var
	for var in XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME; do
		[[ ${!var} == "$BATS_TEST_TMPDIR"/* ]] || fail "$var is '${!var}'"
		[ -d "${!var}" ] && [ -w "${!var}" ] || fail "$var '${!var}' is not a writable directory"
	done
}

@test "HOME is the user's own, PATH starts with the build, no display or bus of the caller" {
	[ "$HOME" = "$(getent passwd "$(id -u)" | cut -d: -f6)" ] || fail "HOME is '$HOME'"
	[ -d "$HOME" ] && [ -w "$HOME" ] || fail "HOME '$HOME' is not writable"
	[[ $PATH == "$JAILSUP_BUILD/bin:"* ]] || fail "PATH is '$PATH'"
	[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${DBUS_SESSION_BUS_ADDRESS:-}" ] ||
		fail "the caller's DISPLAY, WAYLAND_DISPLAY or DBUS_SESSION_BUS_ADDRESS leaked in"
}

@test "JAILSUP_BUILD is an absolute, readable directory" {
	[[ $JAILSUP_BUILD == /* ]] || fail "JAILSUP_BUILD is '$JAILSUP_BUILD'"
	[ -d "$JAILSUP_BUILD" ] && [ -r "$JAILSUP_BUILD" ] && [ -x "$JAILSUP_BUILD" ] ||
		fail "cannot read '$JAILSUP_BUILD'"
}

@test "unprivileged user namespaces: a user, mount and PID namespace" {
	# shellcheck disable=SC2016 # expanded by the inner shell
	run unshare --user --map-root-user --mount --pid --fork sh -c 'echo "$(id -u) $$"'
	assert_status 0
	[ "$output" = "0 1" ] || fail "inside: uid and pid '$output', not '0 1'"
}

@test "a user namespace may mount a tmpfs and create a network namespace" {
	run unshare --user --map-root-user --mount --net sh -c \
		'mount -t tmpfs jailsup /mnt && findmnt -n -o FSTYPE /mnt && ip -o link show lo'
	assert_status 0
	assert_output_contains tmpfs "lo:"
}

@test "/dev/fuse is usable by the user" {
	(exec 3<>/dev/fuse) || fail "cannot open /dev/fuse: $(ls -l /dev/fuse 2>&1)"
}

@test "/dev/net/tun is usable by the user" {
	(exec 3<>/dev/net/tun) || fail "cannot open /dev/net/tun: $(ls -l /dev/net/tun 2>&1)"
}

@test "wait_for_file and wait_for_gone wait for the event" {
	local f=$BATS_TEST_TMPDIR/flag pid
	# The event comes from another process, a little later.
	(sleep 0.3 && touch "$f" && sleep 0.3 && rm "$f") &
	pid=$!
	wait_for_file "$f" --timeout 5
	wait_for_gone "$f" --timeout 5
	wait "$pid"
}

@test "wait_for returns at once when the condition holds, and sees FIFOs" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	local start=${EPOCHREALTIME/./}
	wait_for_file "$BATS_TEST_TMPDIR/fifo" --timeout 5
	wait_for --timeout 5 test -p "$BATS_TEST_TMPDIR/fifo"
	[ $((${EPOCHREALTIME/./} - start)) -lt 1000000 ] || fail "wait_for waited without reason"
}

@test "wait_for fails at its deadline, saying what it waited for" {
	local start=${EPOCHREALTIME/./} elapsed
	JAILSUP_SANITIZE='' run wait_for sh -c 'echo not yet; false' --timeout 0.3
	elapsed=$((${EPOCHREALTIME/./} - start))
	[ "$status" -ne 0 ] || fail "wait_for succeeded"
	assert_output_contains "timed out after 0.3 s" "not yet"
	[ "$elapsed" -ge 300000 ] && [ "$elapsed" -lt 5000000 ] || fail "took $elapsed µs"
}

@test "assert_output_contains, assert_status and fail fail when they should" {
	output="one two"
	status=3
	assert_output_contains one two
	assert_status 3
	run assert_output_contains three
	[ "$status" -eq 1 ] || fail "assert_output_contains passed"
	run fail "a message"
	[ "$status" -eq 1 ] && [ "$output" = "a message" ] || fail "fail: status $status, '$output'"
}

@test "home_tmpdir makes a directory in HOME that the teardown removes" {
	local d
	d=$(home_tmpdir)
	[[ $d == "$HOME"/* ]] && [ -d "$d" ] || fail "home_tmpdir gave '$d'"
	jailsup_cleanup
	[ ! -e "$d" ] || fail "'$d' is still there"
}
