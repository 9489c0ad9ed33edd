# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# tests/integration/jail-helpers.bash: `load jail-helpers` after
# `load helpers` in the .bats files that run real jails. It adds:
#
#   write_profile NAME        the profile NAME.ini from stdin, in the test's
#                             private $XDG_CONFIG_HOME/jailsup/profiles
#   sh_profile NAME           the profile of a jail NAME running /bin/sh with
#                             no network: `jailsup run NAME -c SCRIPT ARGS…`
#   state_dir NAME            the state directory of jail NAME
#   jail_home NAME            its private home, seen from the host
#   jail_running NAME         true while its iso-pipe exists
#   wait_jail_gone NAME       waits (deadline) until its iso-pipe is gone
#   bg CMD…                   runs CMD in the background (fd 3 closed, so
#                             bats does not wait for it); its PID is in
#                             $BG_PID and the teardown ends it
#   remove_after PATH…        PATH (outside the test's tmpdir: the host's
#                             /tmp, the real home) is removed by the teardown
#   jail_teardown             what the teardown of these files does: ends
#                             every background process of the test, every
#                             jail of the test still running, removes the
#                             remove_after paths, then jailsup_cleanup
#
# Jails are ended by signalling the processes this test started: its
# background commands (the jailsup CLI relays SIGTERM to the app), then
# the jailer of each of its own state directories (found by its exact
# command line, `jailer STATE_DIR`, which only this test can have).

# $output and $status are set by bats' run.
# shellcheck disable=SC2154

write_profile() {
	local name=$1 dir=$XDG_CONFIG_HOME/jailsup/profiles
	mkdir -p "$dir"
	cat >"$dir/$name.ini"
}

sh_profile() {
	write_profile "$1" <<EOF
[jail]
exec = /bin/sh
network = none
EOF
}

state_dir() {
	echo "$XDG_RUNTIME_DIR/jailsup/jails/$1"
}

jail_home() {
	echo "$XDG_DATA_HOME/jailsup/jails/$1/home"
}

jail_running() {
	[ -p "$(state_dir "$1")/iso-pipe" ]
}

wait_jail_gone() {
	local name=$1
	shift
	wait_for_gone "$(state_dir "$name")/iso-pipe" "$@"
}

# bg CMD…: CMD in the background; $BG_PID is its PID, recorded for the
# teardown. fd 3 is bats' own: a background process holding it would make
# bats wait for it forever. Without job control bash gives a background
# command /dev/null as stdin unless it is redirected explicitly: `<&0`
# keeps the caller's (`bg CMD <fifo`).
bg() {
	"$@" 3>&- <&0 &
	BG_PID=$!
	echo "$BG_PID" >>"$BATS_TEST_TMPDIR/.bg-pids"
}

remove_after() {
	printf '%s\n' "$@" >>"$BATS_TEST_TMPDIR/.remove-after"
}

# _alive PID: PID exists and is not a zombie.
_alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

_all_gone() {
	local p
	for p in "$@"; do
		if _alive "$p"; then
			return 1
		fi
	done
}

# _end_pids PID…: SIGTERM, then SIGKILL for those still there after 5 s.
_end_pids() {
	local p
	[ $# -gt 0 ] || return 0
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null || :
	done
	if ! JAILSUP_WAIT_TIMEOUT=5 wait_for _all_gone "$@" 2>/dev/null; then
		for p in "$@"; do
			kill -KILL "$p" 2>/dev/null || :
		done
		wait_for _all_gone "$@" || :
	fi
}

# _jailers_of DIR: the PIDs whose command line is exactly `jailer DIR`.
_jailers_of() {
	local dir=$1 f pid
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		# shellcheck disable=SC2016 # $'…' below is bash, not a variable
		if [ "$({ tr '\0' '\n' <"$f"; } 2>/dev/null)" = "jailer"$'\n'"$dir" ]; then
			echo "$pid"
		fi
	done
}

jail_teardown() {
	local -a pids=()
	local d p
	if [ -f "$BATS_TEST_TMPDIR/.bg-pids" ]; then
		mapfile -t pids <"$BATS_TEST_TMPDIR/.bg-pids"
		rm -f "$BATS_TEST_TMPDIR/.bg-pids"
		_end_pids "${pids[@]}"
		for p in "${pids[@]}"; do
			wait "$p" 2>/dev/null || :
		done
	fi
	pids=()
	for d in "$XDG_RUNTIME_DIR"/jailsup/jails/*; do
		[ -p "$d/iso-pipe" ] || continue
		mapfile -t -O "${#pids[@]}" pids < <(_jailers_of "$d")
	done
	_end_pids "${pids[@]}"
	for d in "$XDG_RUNTIME_DIR"/jailsup/jails/*; do
		[ -d "$d" ] || continue
		grep -qxF "$d" "$BATS_TEST_TMPDIR/.planted" 2>/dev/null && continue
		wait_for_gone "$d/iso-pipe" || :
	done
	if [ -f "$BATS_TEST_TMPDIR/.remove-after" ]; then
		while IFS= read -r d; do
			rm -rf "$d"
		done <"$BATS_TEST_TMPDIR/.remove-after"
		rm -f "$BATS_TEST_TMPDIR/.remove-after"
	fi
	jailsup_cleanup
}

teardown() {
	jail_teardown
}
