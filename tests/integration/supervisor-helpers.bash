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
#   parent_of PID             its parent's PID (field 4): a helper's tether
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
#   standby_pid               the supervisor's standby jailer (one, a child
#                             of it, its command line `jailer --standby`)
#   standby_ns PID KIND       the namespace of KIND ("user", "net") that the
#                             standby jailer PID made ahead and holds an fd
#                             of, as readlink shows it ("net:[INODE]");
#                             standby_ns_fd PID KIND: that fd's /proc path
#
# The net standby (docs/architecture.md §5, "pasta ahead"): beside its standby
# jailer, the supervisor keeps a `jailer --standby-net` whose namespaces
# pasta serves ahead of a `network = pasta` start, pasta below a tether of
# its own. A test that counts the user's processes leaves out exactly
# these three, never by name alone (a jail's own pasta and tether look
# the same):
#
#   standby_net_dir           its folder, $XDG_RUNTIME_DIR/jailsup/standby-net
#   standby_net_jailer        the supervisor's one child whose command line
#                             is exactly `jailer --standby-net`
#   standby_net_pasta         the PID that standby-net/pasta.pid names, when
#                             it is a live pasta (start time checked): the
#                             standby's pasta is ready
#   standby_net_pids          the net standby's jailer, pasta's tether (a
#                             child of the supervisor) and pasta, one a
#                             line; fails unless all three are there
#   wait_standby_net          when a supervisor runs, waits (deadline) until
#                             its net standby is ready: a jail that took the
#                             last one is followed by a new one, whose tether
#                             and pasta run a while before pasta is ready
#   PASTA_COMMS               pasta's command names, for pgrep -x: pasta
#                             re-executes itself as its CPU's build, whose
#                             name is passt's (passt.avx2)
#   pgrep_but_standby_net ARG…  `pgrep -u USER ARG…` (-a for "PID ARGS"
#                             lines) less the net standby's processes; fails
#                             when nothing is left, as pgrep does

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

PASTA_COMMS='pasta|pasta\.avx2|passt|passt\.avx2'

standby_pid() {
	local pids
	pids=$(pgrep -u "$(id -u)" -P "$(daemon_pid)" -fx "jailer --standby") || return 1
	[ "$(wc -w <<<"$pids")" -eq 1 ] || return 1
	echo "$pids"
}

standby_ns_fd() {
	local f
	for f in /proc/"$1"/fd/*; do
		[[ $(readlink "$f" 2>/dev/null) == "$2:["* ]] && echo "$f" && return 0
	done
	return 1
}

standby_ns() {
	local f
	f=$(standby_ns_fd "$1" "$2") && readlink "$f"
}

standby_net_dir() {
	echo "$XDG_RUNTIME_DIR/jailsup/standby-net"
}

standby_net_jailer() {
	local sup p found=
	sup=$(daemon_pid 2>/dev/null) && alive "$sup" || return 1
	for p in $(pgrep -P "$sup"); do
		# The whole command line: `jailer --standby-net`, nothing after.
		[ "$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null)" = $'jailer\n--standby-net' ] || continue
		[ -z "$found" ] || return 1
		found=$p
	done
	[ -n "$found" ] && echo "$found"
}

standby_net_pasta() {
	local pid start
	read -r pid start <"$(standby_net_dir)/pasta.pid" 2>/dev/null || return 1
	[[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && [ "$(proc_start "$pid")" = "$start" ] || return 1
	[[ $(cat "/proc/$pid/comm" 2>/dev/null) =~ ^($PASTA_COMMS)$ ]] || return 1
	echo "$pid"
}

parent_of() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086 # split on purpose
	set -- $stat
	echo "$2"
}

standby_net_pids() {
	local jailer pasta tether
	jailer=$(standby_net_jailer) || return 1
	pasta=$(standby_net_pasta) || return 1
	tether=$(parent_of "$pasta") || return 1
	_comm_is "$tether" jailsup-tether && [ "$(parent_of "$tether")" = "$(daemon_pid 2>/dev/null)" ] || return 1
	printf '%s\n' "$jailer" "$tether" "$pasta"
}

wait_standby_net() {
	local sup
	sup=$(daemon_pid 2>/dev/null) && alive "$sup" || return 0
	wait_for "$@" standby_net_pids
}

pgrep_but_standby_net() {
	local out skip
	skip=" $(standby_net_pids 2>/dev/null | tr '\n' ' ')"
	out=$(pgrep -u "$(id -u)" "$@" | while read -r pid rest; do
		[[ $skip == *" $pid "* ]] || echo "$pid${rest:+ $rest}"
	done)
	[ -n "$out" ] && echo "$out"
}
