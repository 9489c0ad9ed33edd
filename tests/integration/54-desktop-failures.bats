#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A jailed launcher whose app cannot start must say why: a menu discards
# stderr, and `gio launch` returns 0 whatever the app does. `jailsup run`
# with no terminal among its stdio shows a failed start as a desktop
# notification and writes it to the jail's log (docs/architecture.md §10).
# A real notification server (dunst, on Xvfb and a private session bus)
# receives it; `dunstctl history` reads back what it got.

# $output and $status come from bats' run.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load server-helpers

APPS_ID=org.example.TestApp.desktop

setup() {
	require_tools gio dunst dunstctl jq Xvfb dbus-daemon script
	APP=$BATS_TEST_TMPDIR/bin/testapp
	mkdir -p "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/share/applications"
	cat >"$APP" <<'EOF'
#!/bin/sh
echo ran >"$HOME/launched"
EOF
	chmod +x "$APP"
	export XDG_DATA_DIRS=$BATS_TEST_TMPDIR/share
	cat >"$XDG_DATA_DIRS/applications/$APPS_ID" <<EOF
[Desktop Entry]
Type=Application
Name=Test App
Exec=$APP %U
EOF
	write_profile testapp <<EOF
[jail]
exec = $APP
network = none
EOF
	run jailsup desktop add testapp
	assert_status 0
	LAUNCHER=$XDG_DATA_HOME/applications/jailsup-testapp--org.example.TestApp.desktop

	start_xvfb
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	# No dunstrc of the user's: XDG_CONFIG_HOME is the test's.
	bg dunst >"$BATS_TEST_TMPDIR/dunst.log" 2>&1
	wait_for dunstctl count displayed
}

# notifications: "SUMMARY | BODY" of every notification dunst received,
# one a line (newlines of a body as '~').
notifications() {
	dunstctl close-all
	dunstctl history | jq -r '.data[0][] | .summary.data + " | " + (.body.data | gsub("\n"; "~"))'
}

# has_notification TEXT…: a notification holds every TEXT.
has_notification() {
	local all
	all=$(notifications) || return 1
	for t in "$@"; do
		[[ $all == *"$t"* ]] || return 1
	done
}

@test "gio launch of a launcher whose profile is broken: a notification names every error" {
	# Broken after the launcher was made: the user edited it since.
	write_profile testapp <<EOF
[jail]
exec = $APP
network = wifi
secure = perhaps
EOF
	run gio launch "$LAUNCHER" </dev/null
	assert_status 0
	wait_for has_notification "jail 'testapp' did not start" \
		"testapp.ini:3: invalid value 'wifi' for 'network'" \
		"testapp.ini:4: invalid value 'perhaps' for 'secure'"
	[ ! -e "$(jail_home testapp)/launched" ] || fail "the app ran"
}

@test "gio launch of a launcher whose app is missing: a notification names the exe" {
	rm "$APP"
	run gio launch "$LAUNCHER" </dev/null
	assert_status 0
	wait_for has_notification "jail 'testapp' did not start" "$APP"
}

@test "an app that fails to execute in its jail: a notification, and the reason in the jail's log" {
	# Its interpreter is missing: the host sees an executable file, the
	# jail's execve() fails.
	printf '#!/nonexistent/interpreter\n' >"$APP"
	run gio launch "$LAUNCHER" </dev/null
	assert_status 0
	wait_for has_notification "jail 'testapp' did not start" "unable to execute"
	wait_for grep -q "jailsup: error: unable to execute .* in the jail" \
		"$(state_dir testapp)/log"
}

@test "with a terminal the failure stays on it: no notification; the app's own failure is not a failed start" {
	write_profile broken <<EOF
[jail]
exec = /bin/sh
secure = perhaps
EOF
	# script(1): jailsup's stdio is a terminal.
	run script -qec "jailsup run broken" /dev/null
	assert_status 125
	assert_output_contains "broken.ini:3:"
	# An app that ran and failed on its own: its status, no notification.
	run jailsup run testapp </dev/null
	assert_status 0
	write_profile fails <<EOF
[jail]
exec = /bin/false
network = none
EOF
	run jailsup run fails </dev/null
	assert_status 1
	# A last failed start without a terminal: once it is shown, nothing
	# before it was.
	rm "$APP"
	run jailsup run testapp </dev/null
	assert_status 127
	wait_for has_notification "jail 'testapp' did not start"
	run notifications
	[ "${#lines[@]}" -eq 1 ] || fail "more notifications than the last failure: $output"
}
