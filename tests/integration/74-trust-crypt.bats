#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# No plaintext left mounted, whatever kills what (docs/architecture.md §4a,
# "The end"): a jail's decrypted home (gocryptfs or encfs, the real ones)
# and its backend go when the jail ends or its start is abandoned, also
# when the supervisor is killed -9 together with the jailer, or at any
# moment of a start; `jailsup list` never says `stopped` while the home is
# mounted or a process of the jail (its keeper, its backend) lives; a
# keeper still releasing one run's home never touches the next run's, and
# the next run works.

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load crypt-helpers

# _released NAME [PID…]: nothing of the jail's home is left: no mount, no
# keeper, no backend, none of PIDs. `jailsup list` is asked first, each
# time: a `stopped` it gave while something was still there (seen after it
# answered, so it was there when it answered) goes into violations.
_released() {
	local name=$1 status what='' p
	shift
	status=$(jailsup list --json | jq -r --arg n "$name" '.[] | select(.name == $n) | .status')
	if home_mounted "$name"; then
		what=mounted
	elif ! no_keeper_left >/dev/null; then
		what="a keeper alive"
	elif ! no_backend_left >/dev/null; then
		what="a backend alive"
	else
		for p in "$@"; do
			if _alive "$p"; then
				what="process $p alive"
				break
			fi
		done
	fi
	[ -n "$what" ] || return 0
	if [ "$status" = stopped ]; then
		echo "list said stopped while $what" >>"$BATS_TEST_TMPDIR/violations"
	fi
	echo "still there: $what (list: $status)"
	return 1
}

# wait_released NAME [PID…]: waits (deadline) until _released, then fails
# if list ever said stopped too early. Prints how long it took on fd 3.
wait_released() {
	local t0=${EPOCHREALTIME/./} rc=0
	wait_for _released "$@" || rc=$?
	if [ -s "$BATS_TEST_TMPDIR/violations" ]; then
		fail "$(sort -u "$BATS_TEST_TMPDIR/violations")"
		return
	fi
	[ "$rc" -eq 0 ] || return "$rc"
	echo "# $BATS_TEST_DESCRIPTION: released after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms" >&3
}

# no_supervisor_since PID: the supervisor PID is dead and none followed it
# (a new one would have rewritten daemon.pid).
no_supervisor_since() {
	! alive "$1" || fail "the supervisor $1 still runs"
	[ "$(daemon_pid)" = "$1" ] || fail "another supervisor started: $(daemon_pid)"
}

# gate_backend B: a B first in $BATS_TEST_TMPDIR/gate-bin that writes its
# PID to $BATS_TEST_TMPDIR/started and waits until a line comes on the FIFO
# $BATS_TEST_TMPDIR/gate before it becomes the real B (exec: same PID, same
# stdin with the password): a start held before its mount for as long as
# the test wants, with no timing involved. Its comm is B, as the real one's.
gate_backend() {
	local b=$1 real
	real=$(command -v "$b") || fail "no $b" || return
	mkdir -p "$BATS_TEST_TMPDIR/gate-bin"
	mkfifo "$BATS_TEST_TMPDIR/gate"
	cat >"$BATS_TEST_TMPDIR/gate-bin/$b" <<-EOF
		#!/bin/sh
		echo \$\$ >'$BATS_TEST_TMPDIR/started.tmp'
		mv '$BATS_TEST_TMPDIR/started.tmp' '$BATS_TEST_TMPDIR/started'
		read -r _ <'$BATS_TEST_TMPDIR/gate'
		exec '$real' "\$@"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/gate-bin/$b"
}

# start_gated NAME B: a supervisor whose B is gated, and a start of NAME
# held at the gate ($CLI is the waiting `jailsup run`, $GATED the backend).
start_gated() {
	gate_backend "$2"
	# The supervisor of the earlier runs leaves (the jails it ran are gone).
	if daemon_alive; then
		kill -TERM "$(daemon_pid)"
		wait_for_gone "$XDG_RUNTIME_DIR/jailsup/control"
	fi
	PATH="$BATS_TEST_TMPDIR/gate-bin:$PATH" jailsup daemon
	bg jailsup run "$1" -- true
	CLI=$BG_PID
	wait_for_file "$BATS_TEST_TMPDIR/started"
	GATED=$(cat "$BATS_TEST_TMPDIR/started")
	_comm_is "$GATED" "$2" || fail "the gated backend is not named $2"
}

# note_in NAME: a file in the jail's encrypted home, for the next runs.
note_in() {
	# shellcheck disable=SC2016 # expanded in the jail
	run jailsup run "$1" -- sh -c 'echo kept-V3 >"$HOME/note"'
	assert_status 0
	wait_status "$1" stopped
	wait_for _not_mounted "$1"
}

# sees_note NAME: a new run of the jail works and sees the note.
sees_note() {
	# shellcheck disable=SC2016 # expanded in the jail
	run jailsup run "$1" -- sh -c 'cat "$HOME/note"'
	assert_status 0
	[ "$output" = kept-V3 ] || fail "the next run sees '$output'"
}

check_kill_both() {
	local b=$1 backend keeper jailer daemon
	enc_jail k "$b"
	note_in k
	start_long k
	backend=$(backend_pid k "$b")
	keeper=$(keeper_pid k) || :
	jailer=$(state_get k jailer-pid)
	daemon=$(daemon_pid)
	home_mounted k || fail "not mounted"
	kill -KILL "$daemon" "$jailer"
	wait_released k "$backend" ${keeper:+"$keeper"}
	no_supervisor_since "$daemon"
	run jailsup list --json
	[ "$(jq -r '.[] | select(.name == "k") | .status' <<<"$output")" = stopped ] ||
		fail "list: $output"
	sees_note k
}

@test "gocryptfs: kill -9 of the supervisor and the jailer together: the keeper unmounts" {
	check_kill_both gocryptfs
}

@test "encfs: kill -9 of the supervisor and the jailer together: the keeper unmounts" {
	check_kill_both encfs
}

check_kill_before_mount() {
	local b=$1 daemon rc=0
	enc_jail m "$b"
	note_in m
	start_gated m "$b"
	daemon=$(daemon_pid)
	! home_mounted m || fail "mounted before the gate opened"
	kill -KILL "$daemon"
	wait_released m "$GATED"
	no_supervisor_since "$daemon"
	wait "$CLI" || rc=$?
	[ "$rc" -ne 0 ] || fail "the abandoned start's jailsup run succeeded"
	[ -z "$(_jailers_of "$(state_dir m)")" ] || fail "a jailer runs"
	sees_note m
}

@test "gocryptfs: kill -9 of the supervisor before the mount: the start is abandoned, nothing stays" {
	check_kill_before_mount gocryptfs
}

@test "encfs: kill -9 of the supervisor before the mount: the start is abandoned, nothing stays" {
	check_kill_before_mount encfs
}

check_kill_after_mount() {
	local b=$1 daemon
	enc_jail a "$b"
	note_in a
	start_gated a "$b"
	daemon=$(daemon_pid)
	# Frozen, the supervisor cannot hand the jail to a jailer once the home
	# is mounted: it dies between the mount and the jailer.
	kill -STOP "$daemon"
	echo go >"$BATS_TEST_TMPDIR/gate"
	wait_for --timeout 30 home_mounted a
	[ -z "$(state_get a jailer-pid)" ] || fail "a jailer was started"
	kill -KILL "$daemon"
	wait_released a "$GATED"
	no_supervisor_since "$daemon"
	[ -z "$(_jailers_of "$(state_dir a)")" ] || fail "a jailer runs"
	sees_note a
}

@test "gocryptfs: kill -9 of the supervisor between the mount and the jailer: nothing stays" {
	check_kill_after_mount gocryptfs
}

@test "encfs: kill -9 of the supervisor between the mount and the jailer: nothing stays" {
	check_kill_after_mount encfs
}

_has_jailer() {
	[ -n "$(state_get "$1" jailer-pid)" ]
}

check_kill_after_jailer() {
	local b=$1 daemon backend cli
	enc_jail j "$b"
	note_in j
	bg jailsup run j -- sleep 1234
	cli=$BG_PID
	wait_for --timeout 30 _has_jailer j
	# The app runs: the supervisor has answered its CLI, which needs it no
	# more (killed before that, the CLI gives up and the jail ends unused).
	wait_for --timeout 30 pgrep -u "$(id -u)" -x -f "sleep 1234"
	daemon=$(daemon_pid)
	backend=$(backend_pid j "$b")
	kill -KILL "$daemon"
	# The keeper saw the supervisor go, and keeps the home while the jail
	# runs: a second app (through dispatch.sock, no supervisor) reads it.
	wait_for grep -q "jailsup-keeper\[j\]: info: the supervisor is gone" \
		"$XDG_RUNTIME_DIR/jailsup/daemon.log"
	# shellcheck disable=SC2016 # expanded in the jail
	run jailsup run j -- sh -c 'cat "$HOME/note"'
	assert_status 0
	[ "$output" = kept-V3 ] || fail "the running jail reads '$output'"
	home_mounted j || fail "not mounted while the jail runs"
	# The jail ends with its last app: then the home goes, with no supervisor.
	kill -TERM "$cli" 2>/dev/null || :
	wait_released j "$backend"
	no_supervisor_since "$daemon"
	sees_note j
}

@test "gocryptfs: kill -9 of the supervisor once the jailer has the jail: the home stays while it runs" {
	check_kill_after_jailer gocryptfs
}

@test "encfs: kill -9 of the supervisor once the jailer has the jail: the home stays while it runs" {
	check_kill_after_jailer encfs
}

@test "list says stopping, never stopped, while a frozen keeper still holds the home" {
	local keeper jailer daemon
	enc_jail f gocryptfs
	start_long f
	keeper=$(keeper_pid f) || fail "no keeper.pid"
	jailer=$(state_get f jailer-pid)
	daemon=$(daemon_pid)
	kill -STOP "$keeper"
	kill -KILL "$daemon" "$jailer"
	wait_for _not_alive "$jailer"
	wait_for _not_alive "$daemon"
	home_mounted f || fail "not mounted"
	run jailsup list --json
	[ "$(jq -r '.[] | select(.name == "f") | .status' <<<"$output")" = stopping ] ||
		fail "list --json: $output"
	run jailsup list
	assert_output_contains stopping
	kill -CONT "$keeper"
	wait_released f "$keeper"
}

@test "a start waits while the previous run's keeper still releases the home" {
	local keeper cli
	enc_jail s gocryptfs
	note_in s
	start_long s
	keeper=$(keeper_pid s)
	kill -STOP "$keeper"
	kill -TERM "$BG_PID"
	wait_status s stopping
	home_mounted s || fail "not mounted"
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run s -- sh -c 'cat "$HOME/note"; echo second-run'
	cli=$BG_PID
	wait_for grep -q "jail 's' is still stopping" "$XDG_RUNTIME_DIR/jailsup/daemon.log"
	[ "$(state_get s status)" = stopping ] || fail "status $(state_get s status)"
	kill -CONT "$keeper"
	wait "$cli" || fail "the second run failed"
	wait_for _not_alive "$keeper"
	wait_status s stopped
	wait_released s
}

@test "a keeper waits for the lock of the last one before it mounts anything" {
	local lock keeper
	enc_jail l gocryptfs
	note_in l
	lock=$(state_dir l)/keeper.lock
	[ -f "$lock" ] || fail "no keeper.lock"
	mkfifo "$BATS_TEST_TMPDIR/unlock"
	# A stand-in for a keeper of an earlier run that is still at work.
	bg flock "$lock" sh -c "touch '$BATS_TEST_TMPDIR/held'; read -r _ <'$BATS_TEST_TMPDIR/unlock'"
	wait_for_file "$BATS_TEST_TMPDIR/held"
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run l -- sh -c 'cat "$HOME/note"'
	wait_for --timeout 30 _keeper_waits_for_lock l
	! home_mounted l || fail "mounted while the lock is held"
	[ ! -e "$(state_dir l)/gocryptfs.pid" ] || fail "a backend started while the lock is held"
	echo go >"$BATS_TEST_TMPDIR/unlock"
	wait "$BG_PID" || fail "the start failed once the lock was free"
}

# _keeper_waits_for_lock NAME: the jail's keeper is blocked on a flock.
_keeper_waits_for_lock() {
	local keeper
	keeper=$(keeper_pid "$1") || return 1
	grep -Eq "^[0-9]+: -> FLOCK +ADVISORY +WRITE +$keeper " /proc/locks
}

@test "kill -9 of a keeper: its backend dies with it, and the jail's end unmounts the dead home" {
	local keeper backend
	enc_jail x gocryptfs
	start_long x
	keeper=$(keeper_pid x)
	backend=$(backend_pid x gocryptfs)
	kill -KILL "$keeper"
	wait_for _not_alive "$backend"
	# Nothing serves the plaintext any more.
	! cat "$(state_dir x)/home/ready" 2>/dev/null || fail "the home is still readable"
	kill -TERM "$BG_PID"
	wait_released x
	wait_status x stopped
	run jailsup run x -- true
	assert_status 0
}
