# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# tests/integration/supervisor-helpers.bash: `load supervisor-helpers` after
# `load helpers` and `load jail-helpers` in the tests of the supervisor and
# the command line (2*.bats). It adds:
#
#   env_profile NAME [LINE…]  the profile NAME running /usr/bin/env with no
#                             network, plus LINEs in [jail]: `jailsup run
#                             NAME -- CMD…` then runs CMD in the jail NAME
#   state_get NAME KEY        KEY of the jail's state file
#   daemon_pid                the supervisor's PID (from daemon.pid)
#   daemon_alive              the supervisor of daemon.pid still runs
#   proc_start PID            the start time of PID (/proc/PID/stat field 22)
#   proxy_pid NAME            the PID in the jail NAME's dbus-proxy.pid
#   fake_helper COMM          starts a copy of sleep named COMM (its comm is
#                             COMM, as a real helper's); $BG_PID is its PID
#   write_pid_file NAME FILE PID [START]   "PID START" into FILE of the
#                             jail NAME's state dir (START: PID's real one)
#   alive PID                 PID runs and is no zombie (_not_alive: not)
#   wait_status NAME STATUS   waits until the state file says STATUS
#   ns_of_jail NAME           the PID namespace inode of the jail's PID 1
#   plant_state_dir NAME      a state directory made by hand, as the daemon
#                             would (mode 0700), for planting files in

# $output and $status are set by bats' run.
# shellcheck disable=SC2154

env_profile() {
	local name=$1
	shift
	{
		echo "[jail]"
		echo "exec = /usr/bin/env"
		echo "network = none"
		printf '%s\n' "$@"
	} | write_profile "$name"
}

state_get() {
	sed -n "s/^$2=//p" "$(state_dir "$1")/state" 2>/dev/null
}

daemon_pid() {
	local pid _
	read -r pid _ <"$XDG_RUNTIME_DIR/jailsup/daemon.pid" || return 1
	echo "$pid"
}

daemon_alive() {
	local pid
	pid=$(daemon_pid) && alive "$pid"
}

alive() {
	_alive "$1"
}

_not_alive() {
	! _alive "$1"
}

proc_start() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	# Field 22, counted after the last ')' (fields 3… follow it).
	stat=${stat##*) }
	# shellcheck disable=SC2086 # split on purpose
	set -- $stat
	echo "${20}"
}

proxy_pid() {
	local pid _
	read -r pid _ <"$(state_dir "$1")/dbus-proxy.pid" || return 1
	echo "$pid"
}

_comm_is() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

fake_helper() {
	local comm=$1
	cp /bin/sleep "$BATS_TEST_TMPDIR/$comm"
	bg "$BATS_TEST_TMPDIR/$comm" 1000
	wait_for _comm_is "$BG_PID" "$comm"
}

write_pid_file() {
	local name=$1 file=$2 pid=$3 start=${4:-}
	[ -n "$start" ] || start=$(proc_start "$pid") || return 1
	echo "$pid $start" >"$(state_dir "$name")/$file"
}

_state_is() {
	[ "$(state_get "$1" status)" = "$2" ]
}

wait_status() {
	local name=$1 want=$2
	shift 2
	wait_for "$@" _state_is "$name" "$want"
}

ns_of_jail() {
	local pid init
	pid=$(state_get "$1" jailer-pid) || return 1
	init=$(cut -d' ' -f1 "/proc/$pid/task/$pid/children") || return 1
	readlink "/proc/$init/ns/pid"
}

plant_state_dir() {
	install -d -m 0700 "$XDG_RUNTIME_DIR/jailsup" "$XDG_RUNTIME_DIR/jailsup/jails" \
		"$(state_dir "$1")"
	# No jailer will ever remove what the test plants there: the teardown
	# waits for nothing of it (jail_teardown()).
	state_dir "$1" >>"$BATS_TEST_TMPDIR/.planted"
}
