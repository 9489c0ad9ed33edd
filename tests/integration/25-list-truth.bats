#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `jailsup list` tells the truth: `running` only with a live jailer
# (verified by PID, start time and name), never `stopped` while a process
# of the jail is left, `unknown` (with a why in `list -v`) for a state file
# it cannot read. Every file of a state directory is hostile input: a FIFO
# planted as the iso-pipe or the state file neither blocks `list` nor makes
# anything `running`. And `kill` ends whatever `list` shows alive.

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers

# The STATUS column of jail NAME in `jailsup list` ($output of a run).
_status_of() {
	awk -v n="$1" '$1 == n { print $2 }' <<<"$output"
}

@test "planted FIFOs, garbage, links and oversized state files: nothing is running, list never blocks" {
	local d
	# Garbage in the state file, a FIFO as the iso-pipe.
	plant_state_dir garbage
	d=$(state_dir garbage)
	mkfifo "$d/iso-pipe"
	printf 'status=running\nthis line has no equals sign\n\001\002\n' >"$d/state"
	# The state file itself a FIFO (no writer: an open for reading would block).
	plant_state_dir fifostate
	d=$(state_dir fifostate)
	mkfifo "$d/iso-pipe" "$d/state"
	# A state that says running, naming a live process that is no jailer.
	plant_state_dir liar
	d=$(state_dir liar)
	mkfifo "$d/iso-pipe"
	bg sleep 600
	printf 'name=liar\nstatus=running\njailer-pid=%s\njailer-start=%s\n' \
		"$BG_PID" "$(proc_start "$BG_PID")" >"$d/state"
	# No state file, only a planted FIFO as the iso-pipe.
	plant_state_dir nostate
	mkfifo "$(state_dir nostate)/iso-pipe"
	# The state file a link to one that says running.
	plant_state_dir link
	d=$(state_dir link)
	mkfifo "$d/iso-pipe"
	printf 'status=running\n' >"$BATS_TEST_TMPDIR/running-state"
	ln -s "$BATS_TEST_TMPDIR/running-state" "$d/state"
	# Oversized.
	plant_state_dir huge
	d=$(state_dir huge)
	mkfifo "$d/iso-pipe"
	{
		echo status=running
		head -c 2000000 /dev/zero | tr '\0' 'x' | fold -w 100 | sed 's/^/k=/'
	} >"$d/state"

	run timeout 20 jailsup list
	assert_status 0
	[ "$(_status_of garbage)" = unknown ] || fail "garbage: $output"
	[ "$(_status_of fifostate)" = unknown ] || fail "a FIFO state: $output"
	[ "$(_status_of liar)" = stopped ] || fail "a state naming a non-jailer: $output"
	[ "$(_status_of nostate)" = stopped ] || fail "a planted iso-pipe: $output"
	[ "$(_status_of link)" = unknown ] || fail "a linked state: $output"
	[ "$(_status_of huge)" = unknown ] || fail "an oversized state: $output"
	! grep -q running <<<"$output" || fail "something is running: $output"

	run timeout 20 jailsup list -v
	assert_status 0
	assert_output_contains "  garbage: its state file is malformed (line 2)"
	assert_output_contains "  fifostate: its state file cannot be read"
	assert_output_contains "  huge: its state file cannot be read"

	run timeout 20 jailsup list --json
	assert_status 0
	python3 -c '
import json, sys
rows = {r["name"]: r for r in json.loads(sys.stdin.read())}
assert rows["garbage"]["status"] == "unknown", rows["garbage"]
assert "malformed" in rows["garbage"]["why"], rows["garbage"]
assert rows["nostate"]["status"] == "stopped", rows["nostate"]
assert all(r["status"] != "running" for r in rows.values()), rows
' <<<"$output" || fail "json: $output"
	alive "$BG_PID" || fail "the process the liar named was signalled"
	# kill signals nothing of it either.
	run jailsup kill liar
	assert_status 4
	alive "$BG_PID" || fail "kill signalled the process the liar named"
}

@test "a supervisor killed during a start: list says starting while the jail's processes live, and kill ends them" {
	cat >"$BATS_TEST_TMPDIR/init.sh" <<-'EOF'
		touch "$HOME/init-ran"
		sleep 600
	EOF
	env_profile t "init-script = $BATS_TEST_TMPDIR/init.sh"
	jailsup daemon
	local daemon jailer d
	daemon=$(daemon_pid)
	d=$(state_dir t)
	# The start waits on the init script.
	bg jailsup run t -- true
	wait_for_file "$(jail_home t)/init-ran"
	wait_for test -n "$(state_get t jailer-pid)"
	jailer=$(state_get t jailer-pid)
	kill -KILL "$daemon"
	wait_for _not_alive "$daemon"
	[ "$(state_get t status)" = starting ] || fail "state: $(cat "$d/state")"
	run jailsup list
	[ "$(_status_of t)" = starting ] || fail "list: $output"
	# A supervisor that died before it read the jailer's PID leaves no
	# jailer-pid: the state it would have written then.
	grep -v '^jailer-' "$d/state" >"$d/.state.new"
	mv "$d/.state.new" "$d/state"
	alive "$jailer" || fail "the jailer died"
	run jailsup list
	assert_status 0
	[ "$(_status_of t)" = starting ] || fail "list says $(_status_of t) while jailer $jailer lives: $output"
	grep -q "^t  *starting  *$jailer " <<<"$output" || fail "the jailer's PID is not shown: $output"
	run jailsup list -v
	assert_output_contains "  t: its state names no live jailer; jailer $jailer holds its iso-pipe"
	run jailsup list --json
	grep -q '"status": "starting", "pid": '"$jailer" <<<"$output" || fail "json: $output"
	# kill finds the same jailer, and ends the jail.
	run jailsup kill t
	assert_status 0
	wait_for _not_alive "$jailer"
	wait_for _list_says t stopped
}

_list_says() {
	run jailsup list
	[ "$(_status_of "$1")" = "$2" ]
}

@test "a jail of run --no-daemon (no state file): running with its jailer's PID while it runs, then stopped" {
	env_profile nd
	local home
	home=$(jail_home nd)
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run --no-daemon nd -- sh -c 'touch "$HOME/ready"; exec sleep 600'
	wait_for_file "$home/ready"
	[ ! -e "$(state_dir nd)/state" ] || fail "a state file was written"
	local jailer
	jailer=$(_jailers_of "$(state_dir nd)")
	[ -n "$jailer" ] || fail "no jailer found"
	run jailsup list
	assert_status 0
	grep -q "^nd  *running  *$jailer " <<<"$output" || fail "list: $output"
	run jailsup kill nd
	assert_status 0
	wait_for _not_alive "$jailer"
	wait_for _list_says nd stopped
}

@test "a start left with a helper and no jailer: list says starting (why in -v), kill ends the helper" {
	# What a supervisor killed while a start waited on its D-Bus proxy
	# leaves: status=starting, no jailer, the proxy's pid file naming a
	# live xdg-dbus-proxy (here a copy of sleep by that name: a real
	# proxy is ready too fast to be caught waiting).
	plant_state_dir p
	printf 'name=p\nstatus=starting\nstarted=2026-01-01T00:00:00Z\nnetwork=none\nencrypted=false\n' \
		>"$(state_dir p)/state"
	fake_helper xdg-dbus-proxy
	local proxy=$BG_PID
	write_pid_file p dbus-proxy.pid "$proxy"
	run jailsup list
	assert_status 0
	[ "$(_status_of p)" = starting ] || fail "list: $output"
	run jailsup list -v
	assert_output_contains "  p: no jailer, but xdg-dbus-proxy is still there"
	run jailsup kill p
	assert_status 0
	assert_output_contains "jail 'p' has no jailer: ended its xdg-dbus-proxy (pid $proxy)"
	wait_for _not_alive "$proxy"
	run jailsup list
	[ "$(_status_of p)" = stopped ] || fail "list after kill: $output"
	# The status of a state that says stopped, but whose directory changed
	# since (a new start's helper): looked at, not believed.
	printf 'name=p\nstatus=stopped\nnetwork=none\nencrypted=false\n' >"$(state_dir p)/state"
	fake_helper xdg-dbus-proxy # milliseconds: the pid file is newer than the state
	# A new file, as the supervisor's (written aside, renamed in place).
	rm "$(state_dir p)/dbus-proxy.pid"
	write_pid_file p dbus-proxy.pid "$BG_PID"
	run jailsup list
	[ "$(_status_of p)" = stopping ] || fail "a stopped state with a live helper: $output"
}

@test "a pid= line in an adopted jail's iso-pipe renames nothing: list and kill keep its real jailer" {
	local t_jailer u_jailer
	env_profile t
	env_profile u
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home t)/ready"
	# shellcheck disable=SC2016
	bg jailsup run u -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home u)/ready"
	t_jailer=$(state_get t jailer-pid)
	u_jailer=$(state_get u jailer-pid)
	# A new supervisor adopts both.
	kill -TERM "$(daemon_pid)"
	wait_for_gone "$XDG_RUNTIME_DIR/jailsup/control"
	jailsup daemon
	wait_for grep -q "adopted jail 'u'" "$XDG_RUNTIME_DIR/jailsup/daemon.log"
	wait_for grep -q "adopted jail 't'" "$XDG_RUNTIME_DIR/jailsup/daemon.log"
	# What a process holding t's write end (its dispatch) could say: that
	# u's jailer is t's.
	printf 'pid=%s\n' "$u_jailer" >"$(state_dir t)/iso-pipe"
	wait_for grep -q "jail 't' reported a foreign pid $u_jailer" "$XDG_RUNTIME_DIR/jailsup/daemon.log"
	[ "$(state_get t jailer-pid)" = "$t_jailer" ] || fail "t's jailer is now $(state_get t jailer-pid)"
	run jailsup kill t
	assert_status 0
	wait_status t stopped
	alive "$u_jailer" || fail "kill t ended u's jailer"
	jail_running u || fail "jail u ended with t"
}
