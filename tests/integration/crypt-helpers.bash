# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# tests/integration/crypt-helpers.bash: `load crypt-helpers` after `load
# helpers`, `load jail-helpers` and `load supervisor-helpers` in the tests
# of encrypted homes (40-encrypt.bats, 74-trust-crypt.bats). It adds:
#
#   PASSWORD                  the password of the homes enc_jail makes
#   askpass_with PW           $JAILSUP_ASKPASS answers PW (times_asked counts)
#   enc_jail NAME BACKEND     an encrypted jail NAME running /usr/bin/env
#   data_dir NAME             the jail's data folder
#   home_mounted NAME         something is mounted on its state dir's home
#   backend_pid NAME BACKEND  the PID in its BACKEND.pid
#   keeper_pid NAME           the PID in its keeper.pid
#   no_backend_left           no gocryptfs or encfs of this test runs
#   no_keeper_left            no jailsup-keeper of this test runs
#   start_long NAME           an app that stays, once its file in the home exists

# $output and $status are set by bats' run.
# shellcheck disable=SC2154

# shellcheck disable=SC2034 # used by the tests that load this
PASSWORD=pw-Zq7-xyzzy-4711

# askpass_with PW: JAILSUP_ASKPASS prints PW; each call adds a line to
# $BATS_TEST_TMPDIR/asked. The password is in the script, which is the
# test's, not jailsup's.
askpass_with() {
	cat >"$BATS_TEST_TMPDIR/askpass" <<-EOF
		#!/bin/sh
		echo asked >>'$BATS_TEST_TMPDIR/asked'
		echo '$1'
	EOF
	chmod +x "$BATS_TEST_TMPDIR/askpass"
	export JAILSUP_ASKPASS=$BATS_TEST_TMPDIR/askpass
}

times_asked() {
	if [ -f "$BATS_TEST_TMPDIR/asked" ]; then
		wc -l <"$BATS_TEST_TMPDIR/asked" | tr -d ' '
	else
		echo 0
	fi
}

# enc_jail NAME BACKEND: an encrypted jail NAME running /usr/bin/env, no network.
enc_jail() {
	askpass_with "$PASSWORD"
	run jailsup new "$1" --exec /usr/bin/env --encrypt="$2"
	assert_status 0
	assert_output_contains "encrypted with $2"
	env_profile "$1"
}

data_dir() {
	echo "$XDG_DATA_HOME/jailsup/jails/$1"
}

# home_mounted NAME: something is mounted on the jail's state dir home.
home_mounted() {
	awk -v m="$(state_dir "$1")/home" '$5 == m { found = 1 } END { exit !found }' /proc/self/mountinfo
}

_not_mounted() {
	! home_mounted "$1"
}

# backend_pid NAME BACKEND: the PID of its pid file.
backend_pid() {
	local pid _
	read -r pid _ <"$(state_dir "$1")/$2.pid" || return 1
	echo "$pid"
}

# no_backend_left: no gocryptfs or encfs of this test runs (their argv
# names paths below the test's directory).
no_backend_left() {
	local pid
	for pid in $(pgrep -u "$(id -u)" -x 'gocryptfs|encfs'); do
		_alive "$pid" || continue
		if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$BATS_TEST_TMPDIR"; then
			echo "left: $pid $(tr '\0' ' ' <"/proc/$pid/cmdline")"
			return 1
		fi
	done
}

# keeper_pid NAME: the PID of its keeper.pid.
keeper_pid() {
	local pid _
	read -r pid _ <"$(state_dir "$1")/keeper.pid" || return 1
	echo "$pid"
}

# no_keeper_left: no jailsup-keeper of this test runs (its environment
# names the test's directory; one whose environment cannot be read, still
# holding a password, counts as this test's).
no_keeper_left() {
	local pid env
	for pid in $(pgrep -u "$(id -u)" -x jailsup-keeper); do
		_alive "$pid" || continue
		if ! env=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ") ||
			[[ $env == *"$BATS_TEST_TMPDIR"* ]]; then
			echo "left: keeper $pid"
			return 1
		fi
	done
}

# start_long NAME: an app that stays, once its file in the home exists.
start_long() {
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run "$1" -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for --timeout 30 test -e "$(state_dir "$1")/home/ready"
}
