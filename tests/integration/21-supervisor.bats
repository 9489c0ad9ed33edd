#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The supervisor (`jailsup daemon`): one per user, concurrent starts of one
# jail serialised into one jail, re-adoption after a kill -9 and a restart,
# cleanup of helpers when a jail ends (also by kill -9 of its jailer), its
# exit on SIGTERM with the jails left running, its standby jailer, and no
# system call at all while idle.

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers

@test "daemon --foreground starts cleanly; a second daemon exits 100" {
	bg jailsup daemon --foreground 2>"$BATS_TEST_TMPDIR/daemon.err"
	local first=$BG_PID
	wait_for_file "$XDG_RUNTIME_DIR/jailsup/control"
	wait_for_file "$XDG_RUNTIME_DIR/jailsup/daemon.pid"
	[ "$(daemon_pid)" = "$first" ] || fail "daemon.pid names $(daemon_pid), not $first"
	run jailsup daemon --foreground
	assert_status 100
	assert_output_contains "a supervisor already runs"
	run jailsup daemon
	assert_status 100
	alive "$first" || fail "the first daemon died"
	# It serves.
	env_profile t
	run jailsup run t -- uname -n
	assert_status 0
	[ "$output" = t ] || fail "ran in '$output'"
	kill -TERM "$first"
	local rc=0
	wait "$first" || rc=$?
	[ "$rc" -eq 0 ] || fail "the daemon exited with $rc on SIGTERM"
	[ ! -e "$XDG_RUNTIME_DIR/jailsup/control" ] || fail "the control socket was left"
	[ ! -e "$XDG_RUNTIME_DIR/jailsup/daemon.pid" ] || fail "daemon.pid was left"
	grep -q "supervisor .* ready" "$BATS_TEST_TMPDIR/daemon.err" ||
		fail "no ready line: $(cat "$BATS_TEST_TMPDIR/daemon.err")"
	! grep -q "error" "$BATS_TEST_TMPDIR/daemon.err" ||
		fail "errors: $(cat "$BATS_TEST_TMPDIR/daemon.err")"
}

@test "jailsup daemon detaches once it serves, logs to daemon.log" {
	run jailsup daemon
	assert_status 0
	[ -S "$XDG_RUNTIME_DIR/jailsup/control" ] || fail "no control socket when it returned"
	# daemon.pid is there when it returns, naming the detached daemon.
	daemon_alive || fail "no daemon.pid, or its daemon is not running"
	local start
	read -r _ start <"$XDG_RUNTIME_DIR/jailsup/daemon.pid"
	[ "$start" = "$(proc_start "$(daemon_pid)")" ] || fail "daemon.pid's start time is wrong"
	wait_for grep -q "ready" "$XDG_RUNTIME_DIR/jailsup/daemon.log"
	# Its own session, no terminal, stdin from /dev/null.
	local pid
	pid=$(daemon_pid)
	[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || fail "not a session leader"
	[ "$(readlink "/proc/$pid/fd/0")" = /dev/null ] || fail "stdin is $(readlink "/proc/$pid/fd/0")"
}

@test "SIGTERM to the daemon: it exits, the jails keep running and take apps" {
	env_profile t
	local home pid jailer
	home=$(jail_home t)
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$home/ready"
	pid=$(daemon_pid)
	jailer=$(state_get t jailer-pid)
	kill -TERM "$pid"
	wait_for _not_alive "$pid"
	wait_for_gone "$XDG_RUNTIME_DIR/jailsup/control"
	alive "$jailer" || fail "the jail died with the daemon"
	jail_running t || fail "the iso-pipe is gone"
	alive "$BG_PID" || fail "the first app's jailsup run ended"
	# A second app joins it directly, no supervisor needed.
	run jailsup run t -- uname -n
	assert_status 0
	[ "$output" = t ] || fail "ran in '$output'"
	[ ! -e "$XDG_RUNTIME_DIR/jailsup/control" ] || fail "a supervisor was started to join"
	# A new supervisor adopts it, and sees it end.
	jailsup daemon
	wait_for grep -q "adopted jail 't'" "$XDG_RUNTIME_DIR/jailsup/daemon.log"
	run jailsup kill t
	assert_status 0
	wait_status t stopped
}

@test "50 concurrent first runs of one profile: one jail, all 50 apps in it" {
	env_profile many
	local home i rc pids=() bad=0
	home=$(jail_home many)
	# Each app adds its hostname and PID namespace, then stays until all 50
	# are in: so no app's end can let the jail end before the last joins.
	# shellcheck disable=SC2016 # expanded in the jail
	local app='echo "$(uname -n) $(readlink /proc/self/ns/pid)" >>"$HOME/lines"
		i=0
		while [ "$(wc -l <"$HOME/lines")" -lt 50 ] && [ $i -lt 1200 ]; do
			sleep 0.1; i=$((i + 1))
		done'
	[ ! -e "$XDG_RUNTIME_DIR/jailsup/control" ] || fail "a supervisor runs already"
	for i in $(seq 50); do
		timeout -k 5 90 jailsup run many -- sh -c "$app" 3>&- &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		rc=0
		wait "$i" || rc=$?
		[ "$rc" -eq 0 ] || bad=$((bad + 1))
	done
	[ "$bad" -eq 0 ] || fail "$bad of 50 runs failed; daemon log:"$'\n'"$(cat "$XDG_RUNTIME_DIR/jailsup/daemon.log")"
	[ "$(wc -l <"$home/lines")" -eq 50 ] || fail "$(wc -l <"$home/lines") lines"
	[ "$(sort -u "$home/lines" | wc -l)" -eq 1 ] ||
		fail "more than one jail:"$'\n'"$(sort | uniq -c <"$home/lines")"
	[ "$(cut -d' ' -f1 "$home/lines" | sort -u)" = many ] || fail "hostnames: $(sort -u "$home/lines")"
	# One supervisor, which started one jailer.
	[ "$(grep -c "jail 'many' is starting" "$XDG_RUNTIME_DIR/jailsup/daemon.log")" -eq 1 ] ||
		fail "daemon log:"$'\n'"$(cat "$XDG_RUNTIME_DIR/jailsup/daemon.log")"
	[ "$(grep -c "supervisor .* ready" "$XDG_RUNTIME_DIR/jailsup/daemon.log")" -eq 1 ] ||
		fail "more than one supervisor started"
}

@test "kill -9 of the supervisor, then a restart: jails re-adopted, an ended one cleaned up" {
	env_profile a
	env_profile b
	local pid jailer_a jailer_b helper cli_b
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run a -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home a)/ready"
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run b -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	cli_b=$BG_PID
	wait_for_file "$(jail_home b)/ready"
	jailer_a=$(state_get a jailer-pid)
	jailer_b=$(state_get b jailer-pid)
	# b has a helper: a real process whose comm is "pasta".
	fake_helper pasta
	helper=$BG_PID
	write_pid_file b pasta.pid "$helper"

	pid=$(daemon_pid)
	kill -KILL "$pid"
	wait_for _not_alive "$pid"
	# While no supervisor runs, b ends: its app, then its jail.
	kill -TERM "$cli_b"
	wait_for_gone "/proc/$cli_b"
	wait_jail_gone b
	wait_for _not_alive "$jailer_b"
	[ "$(state_get b status)" = running ] || fail "b's state changed with no supervisor"
	alive "$helper" || fail "the helper died early"

	jailsup daemon
	[ "$(daemon_pid)" != "$pid" ] || fail "no new daemon"
	# b: helper killed, pid file gone, status stopped.
	wait_status b stopped
	wait_for _not_alive "$helper"
	[ ! -e "$(state_dir b)/pasta.pid" ] || fail "pasta.pid is left"
	# a: adopted, listed, and still followed.
	wait_for grep -q "adopted jail 'a'" "$XDG_RUNTIME_DIR/jailsup/daemon.log"
	[ "$(state_get a status)" = running ] || fail "a: $(state_get a status)"
	run jailsup list --json
	assert_status 0
	echo "$output" | jq -e --argjson pid "$jailer_a" '
		(.[] | select(.name == "a") | .status == "running" and .pid == $pid and .apps == 1) and
		(.[] | select(.name == "b") | .status == "stopped" and .pid == null)' >/dev/null ||
		fail "list: $output"
	run jailsup run a -- uname -n
	assert_status 0
	[ "$output" = a ] || fail "ran in '$output'"
	# The adopted jail's end is seen by the new supervisor.
	fake_helper pasta
	helper=$BG_PID
	write_pid_file a pasta.pid "$helper"
	run jailsup kill a
	assert_status 0
	wait_status a stopped
	wait_for _not_alive "$helper"
}

_standby_other_than() {
	local pid
	pid=$(standby_pid) && [ "$pid" != "$1" ]
}

@test "the standby jailer: a start takes it, another follows; kill -9 of it or of the supervisor" {
	env_profile t
	env_profile u
	local standby next cli user_ns net_ns
	jailsup daemon
	wait_for standby_pid
	standby=$(standby_pid)
	wait_for standby_ns "$standby" net
	user_ns=$(standby_ns "$standby" user)
	net_ns=$(standby_ns "$standby" net)
	[ "$user_ns" != "$(readlink /proc/self/ns/user)" ] || fail "the standby holds our user namespace"
	# The child that made them is gone.
	[ -z "$(pgrep -P "$standby")" ] || fail "the standby has a child: $(pgrep -a -P "$standby")"
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	cli=$BG_PID
	wait_for_file "$(jail_home t)/ready"
	[ "$(state_get t jailer-pid)" = "$standby" ] || fail "the jail's jailer is not the standby"
	# Its processes are in the namespaces made ahead (read from an app:
	# dispatch is undumpable, its /proc/PID/ns unreadable to us).
	run jailsup run t -- sh -c 'readlink /proc/self/ns/user /proc/self/ns/net'
	assert_status 0
	[ "$output" = "$user_ns"$'\n'"$net_ns" ] ||
		fail "the jail is in $output, not the namespaces made ahead ($user_ns $net_ns)"
	# The jail's PID 1 is dispatch, in ps and in its command line.
	run jailsup run t -- sh -c 'cat /proc/1/comm; tr -d "\0" </proc/1/cmdline'
	assert_status 0
	[ "$output" = $'dispatch\ndispatch' ] || fail "PID 1 shows as: $output"
	wait_for _standby_other_than "$standby"
	next=$(standby_pid)
	# A standby killed with -9: the next start spawns its jailer itself,
	# and a new standby follows.
	kill -KILL "$next"
	wait_for grep -q "the standby jailer $next ended" "$XDG_RUNTIME_DIR/jailsup/daemon.log"
	run jailsup run u -- uname -n
	assert_status 0
	[ "$output" = u ] || fail "ran in '$output'"
	wait_for _standby_other_than "$next"
	next=$(standby_pid)
	# The supervisor killed with -9: the standby leaves (EOF), and with it
	# the namespaces it made; the jail stays.
	kill -KILL "$(daemon_pid)"
	wait_for _not_alive "$next"
	alive "$cli" || fail "the jail's app died with the supervisor"
	run jailsup kill t
	assert_status 0
}

@test "kill -9 of a jailer: its helpers are killed and the jail is stopped" {
	# No real proxy: its pid file is the fake's below (30-dbus.bats ends a
	# real one).
	env_profile t "[rights]" "deny = dbus"
	local jailer helper proxy cli
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	cli=$BG_PID
	wait_for_file "$(jail_home t)/ready"
	fake_helper pasta
	helper=$BG_PID
	write_pid_file t pasta.pid "$helper"
	fake_helper xdg-dbus-proxy
	proxy=$BG_PID
	write_pid_file t dbus-proxy.pid "$proxy"
	jailer=$(state_get t jailer-pid)
	kill -KILL "$jailer"
	wait_status t stopped
	wait_for _not_alive "$helper"
	wait_for _not_alive "$proxy"
	wait_jail_gone t
	[ ! -e "$(state_dir t)/dispatch.sock" ] || fail "dispatch.sock is left"
	# Every process of the jail died with it; its CLI says the jail ended.
	local rc=0
	wait "$cli" || rc=$?
	[ "$rc" -eq 125 ] || fail "jailsup run ended with $rc, not 125"
	# And the jail starts again.
	run jailsup run t -- true
	assert_status 0
}

# The daemon PID's last line in the strace output FILE is an epoll_wait
# that has not returned: its loop is waiting.
_daemon_waits() {
	local last
	last=$(grep "^$2 " "$1" | tail -n 1)
	[[ $last == *"epoll_wait("* ]] && [[ $last != *") = "* ]]
}

# Lines of the strace output FILE that are the daemon PID's.
_lines_of() {
	grep -c "^$2 " "$1" || true
}

@test "the idle supervisor makes no system call (3 s), also with a jail running" {
	local trace=$BATS_TEST_TMPDIR/strace.out pid n1 n2 home
	bg strace -f -o "$trace" jailsup daemon --foreground
	wait_for_file "$XDG_RUNTIME_DIR/jailsup/control"
	wait_for_file "$XDG_RUNTIME_DIR/jailsup/daemon.pid"
	pid=$(daemon_pid)
	# Idle once its network standby's pasta is ready (made a second
	# after the start, ready about a tenth of a second later): its pid
	# file names a live pasta, below a tether, beside its jailer.
	wait_standby_net --timeout 30
	wait_for _daemon_waits "$trace" "$pid"
	n1=$(_lines_of "$trace" "$pid")
	sleep 3 # the measurement itself: nothing happens for 3 s
	n2=$(_lines_of "$trace" "$pid")
	[ "$n1" -eq "$n2" ] || fail "$((n2 - n1)) system calls while idle:"$'\n'"$(grep "^$pid " "$trace" | tail -n +$((n1 + 1)) | head -20)"

	# A jail started and running: the supervisor waits on its iso-pipe only.
	env_profile t
	home=$(jail_home t)
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$home/ready"
	wait_status t running
	wait_for _daemon_waits "$trace" "$pid"
	n1=$(_lines_of "$trace" "$pid")
	sleep 3 # the measurement
	n2=$(_lines_of "$trace" "$pid")
	[ "$n1" -eq "$n2" ] || fail "$((n2 - n1)) system calls with an idle jail:"$'\n'"$(grep "^$pid " "$trace" | tail -n +$((n1 + 1)) | head -20)"
}
