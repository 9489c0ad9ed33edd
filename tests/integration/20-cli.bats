#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The command line end to end, through the supervisor: run, list, kill,
# enter, new, their exit codes and messages, stdio, exit statuses and
# signals, the init script, autodelete. Real jails, as the test user; the
# supervisor is started by the first `jailsup run` as it is on a desktop.

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers

# --- help, version, usage --------------------------------------------------

@test "--help lists every verb; --version prints the version, also after any verb" {
	run jailsup --help
	assert_status 0
	assert_output_contains "jailsup run" "jailsup enter" "jailsup list" "jailsup kill" \
		"jailsup new" "jailsup daemon" "jailsup(1)"
	run jailsup --version
	assert_status 0
	[[ $output =~ ^jailsup\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version printed '$output'"
	local verb
	for verb in run enter list kill new daemon; do
		run jailsup "$verb" --help
		assert_status 0
		assert_output_contains "jailsup $verb"
		run jailsup "$verb" --version
		assert_status 0
		[[ $output =~ ^jailsup\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "$verb --version printed '$output'"
	done
}

@test "no verb, an unknown verb or option: usage error 2, one line" {
	run jailsup
	assert_status 2
	run jailsup frobnicate
	assert_status 2
	[ "${#lines[@]}" -eq 1 ] || fail "more than one line: $output"
	assert_output_contains "unknown verb 'frobnicate'"
	run jailsup list --bogus
	assert_status 2
	assert_output_contains "unknown option '--bogus'"
	run jailsup run --bogus x
	assert_status 2
	run jailsup kill
	assert_status 2
	run jailsup kill '../x'
	assert_status 2
	run jailsup enter
	assert_status 2
}

# --- run -------------------------------------------------------------------

@test "echo hi | jailsup run t -- cat prints hi, through a supervisor it started" {
	env_profile t
	[ ! -e "$XDG_RUNTIME_DIR/jailsup/control" ] || fail "a supervisor runs already"
	run bash -c 'echo hi | jailsup run t -- cat'
	assert_status 0
	[ "$output" = hi ] || fail "output '$output'"
	daemon_alive || fail "no supervisor runs after the first run"
	[ -S "$XDG_RUNTIME_DIR/jailsup/control" ] || fail "no control socket"
	# The daemon.pid line is "PID START" of the supervisor itself.
	local pid start
	read -r pid start <"$XDG_RUNTIME_DIR/jailsup/daemon.pid"
	[ "$start" = "$(proc_start "$pid")" ] || fail "daemon.pid's start time is wrong"
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "jailsup daemon " ] ||
		fail "the supervisor's command line is '$(tr '\0' ' ' <"/proc/$pid/cmdline")'"
	# The app ran in the jail t: its hostname is the jail's name.
	run jailsup run t -- uname -n
	assert_status 0
	[ "$output" = t ] || fail "hostname in the jail: '$output'"
}

@test "run --no-wait returns 0 once the app runs and leaves it running; redirected stdio is handed over" {
	env_profile t
	local out=$BATS_TEST_TMPDIR/out home
	home=$(jail_home t)
	# timeout: a run that waits for the app (sleep 1000) fails with 124.
	# The redirections are inside: bats' run reads a pipe until its last
	# writer (here: the app, which runs on) closes it.
	# shellcheck disable=SC2016 # expanded in the jail
	run bash -c 'timeout 20 jailsup run --no-wait t -- sh -c \
		"echo to-file; touch \"\$HOME/ready\"; exec sleep 1000" </dev/null >"$1" 2>&1' _ "$out"
	assert_status 0
	wait_for_file "$home/ready"
	jail_running t || fail "the jail is not running after --no-wait returned"
	wait_for grep -qx to-file "$out"
	run jailsup kill t
	assert_status 0
	wait_jail_gone t
}

@test "run --no-wait on a terminal: the app gets /dev/null, no pty, and the run returns" {
	env_profile t
	local home
	home=$(jail_home t)
	# script(1) gives jailsup a terminal as stdin, stdout and stderr. The
	# app's shell reads its own ($$) fds in command substitutions, which
	# run before it redirects echo's output (dash redirects in the shell).
	run timeout 20 script -qec "jailsup run --no-wait t -- sh -c 'echo \$(readlink /proc/\$\$/fd/0) \$(readlink /proc/\$\$/fd/1) \$(readlink /proc/\$\$/fd/2) >\"\$HOME/fds\"; exec sleep 1000'" /dev/null
	assert_status 0
	wait_for_file "$home/fds"
	[ "$(cat "$home/fds")" = "/dev/null /dev/null /dev/null" ] ||
		fail "the app's stdio: $(cat "$home/fds")"
	run jailsup kill t
	assert_status 0
}

@test "run --no-wait of a start that fails: the reason and a non-zero status" {
	write_profile gone <<EOF
[jail]
exec = /nonexistent/app
network = none
EOF
	run timeout 20 jailsup run --no-wait gone
	assert_status 127
	assert_output_contains "/nonexistent/app"
	write_profile broken <<EOF
[jail]
exec = /bin/sh
secure = perhaps
network = wifi
EOF
	run timeout 20 jailsup run --no-wait broken
	assert_status 125
	assert_output_contains "broken.ini:3: invalid value 'perhaps'" "broken.ini:4: invalid value 'wifi'"
	# The app's execve() fails in the jail (its interpreter is missing):
	# dispatch says so instead of STARTED.
	local exe
	exe=$(home_tmpdir)/no-interp
	printf '#!/nonexistent/interpreter\n' >"$exe"
	chmod 0755 "$exe"
	write_profile nointerp <<EOF
[jail]
exec = $exe
network = none
EOF
	run timeout 20 jailsup run --no-wait nointerp
	assert_status 127
	assert_output_contains "unable to execute"
}

@test "stdout and stderr are the app's; binary data passes unchanged" {
	env_profile t
	run bash -c 'jailsup run t -- sh -c "echo out; echo err >&2" 2>"$BATS_TEST_TMPDIR/err"'
	assert_status 0
	[ "$output" = out ] || fail "stdout '$output'"
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = err ] || fail "stderr '$(cat "$BATS_TEST_TMPDIR/err")'"
	head -c 100000 /dev/urandom >"$BATS_TEST_TMPDIR/payload"
	jailsup run t -- cat <"$BATS_TEST_TMPDIR/payload" >"$BATS_TEST_TMPDIR/copy"
	cmp "$BATS_TEST_TMPDIR/payload" "$BATS_TEST_TMPDIR/copy"
}

@test "the exit status is the app's; 128+N when it died of signal N" {
	env_profile t
	run jailsup run t -- sh -c 'exit 7'
	assert_status 7
	run jailsup run t -- true
	assert_status 0
	run jailsup run t -- sh -c 'kill -TERM $$'
	assert_status 143
	run jailsup run t -- sh -c 'kill -KILL $$'
	assert_status 137
	run jailsup run t -- sh -c 'kill -SEGV $$'
	assert_status 139
}

@test "an exe that is missing is 127, one that is not executable 126" {
	printf '[jail]\nexec = /nonexistent/prog\nnetwork = none\n' | write_profile gone
	run -127 jailsup run gone
	assert_status 127
	assert_output_contains "/nonexistent/prog"
	printf '#!/bin/sh\ntrue\n' >"$BATS_TEST_TMPDIR/noexec"
	chmod 0644 "$BATS_TEST_TMPDIR/noexec"
	printf '[jail]\nexec = %s\nnetwork = none\n' "$BATS_TEST_TMPDIR/noexec" | write_profile noexec
	run -126 jailsup run noexec
	assert_status 126
	# A command missing inside the jail: the status of the app (env) is 127.
	env_profile t
	run -127 jailsup run t -- /nonexistent-in-jail
	assert_status 127
}

@test "run --profile NAME: -- ends the options, a target is the jail's exe" {
	env_profile t
	run jailsup run --profile t -- uname -n
	assert_status 0
	[ "$output" = t ] || fail "ran '$output'"
	run jailsup run --profile=t
	assert_status 0
	# A new jail of another name for an exe: its profile is made for it.
	run jailsup run --profile other /usr/bin/env uname -n
	assert_status 0
	[ "$output" = other ] || fail "ran '$output'"
	grep -qx "exec = /usr/bin/env" "$XDG_CONFIG_HOME/jailsup/profiles/other.ini" ||
		fail "profile: $(cat "$XDG_CONFIG_HOME/jailsup/profiles/other.ini")"
	# Also a bare name: never taken for a second jail name and dropped.
	run jailsup run --profile third env uname -n
	assert_status 0
	[ "$output" = third ] || fail "ran '$output'"
}

@test "run of an unknown NAME: 127 and one clear line" {
	run -127 jailsup run no-such-profile
	assert_status 127
	[ "${#lines[@]}" -eq 1 ] || fail "not one line: $output"
	assert_output_contains "no profile named 'no-such-profile'"
	run -127 jailsup run --profile no-such-profile
	assert_status 127
	assert_output_contains "no profile named 'no-such-profile'"
	# Nothing was started for it.
	[ ! -e "$(state_dir no-such-profile)" ] || fail "a state directory was made"
}

@test "SIGTERM and SIGINT sent to jailsup run reach the app; its status comes back" {
	env_profile t
	local home sig
	home=$(jail_home t)
	for sig in TERM INT; do
		rm -f "$home/ready" "$home/got"
		# shellcheck disable=SC2016 # expanded in the jail
		bg jailsup run t -- bash -c '
			trap "echo $0 >\"\$HOME/got\"; exit 3" '"$sig"'
			touch "$HOME/ready"
			while :; do sleep 0.1; done' "$sig"
		wait_for_file "$home/ready"
		kill -"$sig" "$BG_PID"
		local rc=0
		wait "$BG_PID" || rc=$?
		[ "$rc" -eq 3 ] || fail "SIG$sig: exit status $rc, not 3"
		[ "$(cat "$home/got")" = "$sig" ] || fail "SIG$sig did not reach the app"
	done
}

@test "a second app joins the first one's jail: sees its /tmp, never runs the init script" {
	local dir=$XDG_CONFIG_HOME/jailsup/profiles home
	env_profile t "init-script = t-init.sh"
	cat >"$dir/t-init.sh" <<-'EOF'
		echo ran >>"$HOME/init-ran"
		echo from-init >/tmp/from-init
	EOF
	home=$(jail_home t)
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'cat /tmp/from-init >"$HOME/first-saw"; echo first >/tmp/marker
		touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$home/ready"
	[ "$(cat "$home/first-saw")" = from-init ] || fail "the init script did not run first"
	run jailsup run t -- cat /tmp/marker
	assert_status 0
	[ "$output" = first ] || fail "the second app sees '$output' in /tmp/marker"
	run jailsup run t -- uname -n
	assert_status 0
	[ "$(wc -l <"$home/init-ran")" -eq 1 ] || fail "the init script ran $(wc -l <"$home/init-ran") times"
	# Both apps were in one PID namespace: the second sees the first's sleep.
	run jailsup run t -- sh -c 'ls /proc | grep -c "^[0-9]"'
	assert_status 0
	[ "$output" -ge 3 ] || fail "the second app sees $output processes"
}

# --- list ------------------------------------------------------------------

@test "list and list --json: every field, with the right types" {
	env_profile t "secure = true"
	local home
	home=$(jail_home t)
	run jailsup list
	assert_status 0
	[ "$output" = "no jails" ] || fail "list of nothing: '$output'"
	run jailsup list --json
	assert_status 0
	[ "$output" = "[]" ] || fail "list --json of nothing: '$output'"

	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$home/ready"
	run jailsup list --json
	assert_status 0
	echo "$output" | jq -e 'type == "array" and length == 1' >/dev/null ||
		fail "not an array of one: $output"
	echo "$output" | jq -e --arg pid "$(state_get t jailer-pid)" '.[0] |
		.name == "t" and .status == "running" and .pid == ($pid | tonumber) and
		.apps == 1 and (.started | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")) and
		.network == "none" and .secure == true and .autodelete == false and
		.encrypted == false' >/dev/null || fail "wrong fields: $output"
	# started is the jail's start, in UTC, within the last minute.
	local started now
	started=$(echo "$output" | jq -r '.[0].started')
	now=$(date -u +%s)
	[ $((now - $(date -u -d "$started" +%s))) -lt 60 ] || fail "started '$started' is not now"

	# A second app is counted.
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'touch "$HOME/ready2"; exec sleep 1000'
	wait_for_file "$home/ready2"
	run jailsup list --json
	[ "$(echo "$output" | jq '.[0].apps')" -eq 2 ] || fail "apps: $output"

	run jailsup list
	assert_status 0
	assert_output_contains NAME STATUS PID APPS
	[[ ${lines[1]} =~ ^t\ +running\ +$(state_get t jailer-pid)\ +2\ .*none\ +secure ]] ||
		fail "table row: '${lines[1]}'"

	run jailsup kill t
	assert_status 0
	run jailsup list --json
	echo "$output" | jq -e '.[0] | .status == "stopped" and .pid == null and .apps == 0' \
		>/dev/null || fail "after kill: $output"
}

@test "list works without a supervisor, and shows a jail gone behind its back as stopped" {
	env_profile t
	local home pid jailer
	home=$(jail_home t)
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$home/ready"
	pid=$(daemon_pid)
	kill -KILL "$pid"
	wait_for_gone "/proc/$pid"
	run jailsup list --json
	assert_status 0
	echo "$output" | jq -e '.[0].status == "running"' >/dev/null || fail "$output"
	# With no supervisor nobody records the end: list must see it in /proc.
	jailer=$(state_get t jailer-pid)
	kill -KILL "$jailer"
	wait_for_gone "/proc/$BG_PID"
	wait_for _not_alive "$jailer"
	[ "$(state_get t status)" = running ] || fail "the state file changed: $(state_get t status)"
	run jailsup list --json
	echo "$output" | jq -e '.[0] | .status == "stopped" and .pid == null' >/dev/null ||
		fail "a dead jail is listed as: $output"
	# A supervisor started now cleans up after it.
	jailsup daemon
	wait_status t stopped
	wait_jail_gone t
}

# --- kill ------------------------------------------------------------------

@test "kill ends a jail and every process in it; its CLI reports the app's death" {
	env_profile t
	local home cli jailer
	home=$(jail_home t)
	# An app that ignores SIGTERM: kill must still end it (SIGKILL after 5 s).
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'trap "" TERM; touch "$HOME/ready"; while :; do sleep 0.1; done'
	cli=$BG_PID
	wait_for_file "$home/ready"
	jailer=$(state_get t jailer-pid)
	run jailsup kill t
	assert_status 0
	! alive "$jailer" || fail "the jailer still runs after kill"
	wait_for_gone "/proc/$cli"
	wait_jail_gone t
	wait_status t stopped
	run jailsup kill t
	assert_status 4
	assert_output_contains "jail 't' is not running"
	run jailsup kill no-such-jail
	assert_status 3
	[ "${#lines[@]}" -eq 1 ] || fail "not one line: $output"
	assert_output_contains "no jail named 'no-such-jail'"
}

@test "kill --all ends every jail, quietly skips the stopped ones; the exit status of the CLI is the app's signal" {
	env_profile a
	env_profile b
	env_profile c
	# A stopped jail keeps its state dir: --all means the running ones, and
	# says nothing of the others.
	run jailsup run c -- true
	assert_status 0
	wait_status c stopped
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run a -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	local cli_a=$BG_PID
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run b -- sh -c 'touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$(jail_home a)/ready"
	wait_for_file "$(jail_home b)/ready"
	run jailsup kill --all
	assert_status 0
	[[ $output != *"not running"* ]] || fail "kill --all spoke of a stopped jail: $output"
	wait_jail_gone a
	wait_jail_gone b
	local rc=0
	wait "$cli_a" || rc=$?
	# sleep died of the SIGTERM dispatch passed on.
	[ "$rc" -eq 143 ] || fail "jailsup run a ended with $rc, not 143"
	wait_status a stopped
	wait_status b stopped
	run jailsup kill --all
	assert_status 0
	[ -z "$output" ] || fail "kill --all with no jail running printed: $output"
	run jailsup kill --all c
	assert_status 2
}

@test "kill of a jail still running its init script: SIGTERM ends it, without the SIGKILL fallback" {
	local script
	script=$(home_tmpdir)/slow.sh
	printf 'exec sleep 1000\n' >"$script"
	write_profile slow <<EOF
[jail]
exec = /bin/sh
network = none
init-script = $script
EOF
	bg jailsup run slow -c 'echo app-ran'
	wait_for grep -q '^jailer-pid=' "$(state_dir slow)/state"
	run jailsup kill slow
	assert_status 0
	# The fallback says so on stderr when SIGTERM was not enough.
	[[ $output != *"killing it"* ]] || fail "SIGTERM was dropped: $output"
	wait_for grep -qx 'status=failed' "$(state_dir slow)/state"
}

# --- enter -----------------------------------------------------------------

@test "enter runs a command, or bash, in a running jail" {
	env_profile t
	local home
	home=$(jail_home t)
	# shellcheck disable=SC2016 # expanded in the jail
	bg jailsup run t -- sh -c 'echo inside >/tmp/marker; touch "$HOME/ready"; exec sleep 1000'
	wait_for_file "$home/ready"
	run jailsup enter t -- cat /tmp/marker
	assert_status 0
	[ "$output" = inside ] || fail "enter saw '$output'"
	run jailsup enter t cat /tmp/marker
	assert_status 0
	[ "$output" = inside ] || fail "enter without -- saw '$output'"
	# Without a command: bash, reading our stdin; its status comes back.
	# shellcheck disable=SC2016 # expanded in the jail
	run bash -c 'printf "echo \$JAILSUP_JAIL \$(uname -n)\nexit 5\n" | jailsup enter t'
	assert_status 5
	[ "$output" = "t t" ] || fail "the shell said '$output'"
}

@test "enter of a jail that is not running or does not exist: a clear line, 4 or 3" {
	env_profile t
	run jailsup enter t -- true
	assert_status 4
	[ "${#lines[@]}" -eq 1 ] || fail "not one line: $output"
	assert_output_contains "jail 't' is not running" "jailsup run t"
	run jailsup run t -- true
	assert_status 0
	wait_jail_gone t
	run jailsup enter t -- true
	assert_status 4
	assert_output_contains "jail 't' is not running"
	run jailsup enter no-such-jail
	assert_status 3
	[ "${#lines[@]}" -eq 1 ] || fail "not one line: $output"
	assert_output_contains "no jail or profile named 'no-such-jail'"
}

# --- autodelete --------------------------------------------------------------

# Every path below the test's XDG directories.
_xdg_tree() {
	find "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" | sort
}

# No tree renamed aside for removal is left.
_no_gone() {
	[ -z "$(find "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" -name '.gone-*' -print -quit)" ]
}

# The jail that is not t.
_other_jail() {
	ls "$XDG_RUNTIME_DIR/jailsup/jails" | grep -vx t
}

@test "run --autodelete ./tool leaves nothing: state, private home and its profile go" {
	local work=$BATS_TEST_TMPDIR/work before after name fifo=$BATS_TEST_TMPDIR/fifo
	# A first jail starts the supervisor and makes the parent folders, so
	# that what the throwaway jail leaves is all that can differ.
	env_profile t
	run jailsup run t -- true
	assert_status 0
	wait_status t stopped
	# The supervisor's network standby, ready (its pasta.pid there) in
	# both snapshots: a start takes it, and its successor comes after.
	wait_standby_net
	before=$(_xdg_tree)

	mkdir "$work"
	cat >"$work/tool" <<-'EOF'
		#!/bin/sh
		echo data >"$HOME/made-by-tool"
		touch "$HOME/started"
		read -r line
		exit 0
	EOF
	chmod 0755 "$work/tool"
	mkfifo "$fifo"
	cd "$work"
	# Read-write: opening it does not wait for a reader.
	exec 5<>"$fifo"
	bg jailsup run --autodelete ./tool <"$fifo"
	wait_for _other_jail
	name=$(_other_jail)
	wait_for_file "$(jail_home "$name")/started"
	# While it runs: its state, its home, the profile made for it.
	[ -d "$(state_dir "$name")" ] || fail "no state directory"
	grep -qx "exec = $work/tool" "$XDG_CONFIG_HOME/jailsup/profiles/$name.ini" ||
		fail "no profile was created: $(cat "$XDG_CONFIG_HOME/jailsup/profiles/$name.ini")"
	grep -qx "autodelete = true" "$XDG_CONFIG_HOME/jailsup/profiles/$name.ini" ||
		fail "the profile does not record autodelete"
	[ "$(state_get "$name" autodelete)" = true ] || fail "the state does not say autodelete"

	echo go >&5
	exec 5>&-
	local rc=0
	wait "$BG_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "the tool ended with $rc"
	wait_for_gone "$(state_dir "$name")"
	wait_for_gone "$XDG_DATA_HOME/jailsup/jails/$name"
	wait_for_gone "$XDG_CONFIG_HOME/jailsup/profiles/$name.ini"
	# The trees are renamed aside at once and removed by a child process.
	wait_for _no_gone
	wait_standby_net
	after=$(_xdg_tree)
	[ "$before" = "$after" ] || fail "left behind:"$'\n'"$(diff <(echo "$before") <(echo "$after"))"
}

@test "autodelete never removes a profile it did not create" {
	printf '[jail]\nexec = /bin/true\nnetwork = none\nautodelete = true\n' | write_profile keep
	run jailsup run keep
	assert_status 0
	wait_for_gone "$(state_dir keep)"
	wait_for_gone "$XDG_DATA_HOME/jailsup/jails/keep"
	[ -f "$XDG_CONFIG_HOME/jailsup/profiles/keep.ini" ] || fail "the user's own profile was removed"
}

@test "autodelete removes the 5,000-level tree an app left in its home, and nothing it links to" {
	local victim=$BATS_TEST_TMPDIR/victim log=$XDG_RUNTIME_DIR/jailsup/daemon.log
	# What the tree's links point to, on the host.
	mkdir "$victim"
	echo "do not touch" >"$victim/secret"
	printf '[jail]\nexec = %s\nnetwork = none\nautodelete = true\n' \
		"$JAILSUP_BUILD/tests/helpers/make-tree" | write_profile deep
	# From inside the jail: 5,000 levels, odd names and modes, FIFOs,
	# sockets, links to the victim, the remover's own names taken.
	run jailsup run deep -- "$HOME/tree" 5000 "$victim"
	assert_status 0
	assert_output_contains "made 5000 levels"
	[ ! -e "$HOME/tree" ] || fail "the tree was made in the real home, not the jail's"
	wait_for_gone "$(state_dir deep)"
	wait_for_gone "$XDG_DATA_HOME/jailsup/jails/deep"
	# The renamed-aside tree is removed by a child of the supervisor: all
	# of it, or the .gone- folder stays.
	wait_for --timeout 60 _no_gone
	[ -z "$(ls -A "$XDG_DATA_HOME/jailsup/jails")" ] ||
		fail "left in the data folder: $(ls -A "$XDG_DATA_HOME/jailsup/jails")"
	if grep "unable to remove" "$log"; then
		fail "the remover failed: $(cat "$log")"
	fi
	[ "$(cat "$victim/secret")" = "do not touch" ] || fail "a link's target changed"
	[ "$(ls -A "$victim")" = secret ] || fail "the victim folder changed: $(ls -A "$victim")"
}

# --- new -------------------------------------------------------------------

@test "new writes a profile that run then uses; --secure and --autodelete are recorded" {
	local f=$XDG_CONFIG_HOME/jailsup/profiles/mytool.ini
	run jailsup new mytool --exec /usr/bin/env
	assert_status 0
	assert_output_contains "$f"
	grep -qx "exec = /usr/bin/env" "$f" || fail "profile: $(cat "$f")"
	grep -qx "secure = false" "$f" || fail "profile: $(cat "$f")"
	run jailsup run mytool -- uname -n
	assert_status 0
	[ "$output" = mytool ] || fail "ran in '$output'"

	run jailsup new --secure locked --autodelete --exec=/bin/true
	assert_status 0
	f=$XDG_CONFIG_HOME/jailsup/profiles/locked.ini
	grep -qx "secure = true" "$f" || fail "profile: $(cat "$f")"
	grep -qx "autodelete = true" "$f" || fail "profile: $(cat "$f")"

	# A relative exe is recorded as an absolute path.
	mkdir "$BATS_TEST_TMPDIR/w"
	cd "$BATS_TEST_TMPDIR/w"
	run jailsup new rel --exec ./prog
	assert_status 0
	grep -qx "exec = $BATS_TEST_TMPDIR/w/prog" "$XDG_CONFIG_HOME/jailsup/profiles/rel.ini" ||
		fail "profile: $(cat "$XDG_CONFIG_HOME/jailsup/profiles/rel.ini")"
}

@test "new refuses an existing profile (its own or a shipped one), bad names, no --exec" {
	run jailsup new mine --exec /bin/true
	assert_status 0
	local before
	before=$(cat "$XDG_CONFIG_HOME/jailsup/profiles/mine.ini")
	run jailsup new mine --exec /bin/false
	assert_status 5
	[ "${#lines[@]}" -eq 1 ] || fail "not one line: $output"
	assert_output_contains "a profile named 'mine' exists"
	[ "$(cat "$XDG_CONFIG_HOME/jailsup/profiles/mine.ini")" = "$before" ] ||
		fail "the existing profile was changed"
	# The shipped demo profile.
	run jailsup new demo --exec /bin/true
	assert_status 5
	assert_output_contains "a profile named 'demo' exists" "demo.ini"
	[ ! -e "$XDG_CONFIG_HOME/jailsup/profiles/demo.ini" ] || fail "demo was shadowed"

	local bad
	for bad in '../x' 'a/b' '.hidden' '-x' 'a b' "$(printf 'a%.0s' {1..65})" ''; do
		run jailsup new "$bad" --exec /bin/true
		assert_status 2
	done
	[ -z "$(ls "$XDG_CONFIG_HOME/jailsup/profiles" | grep -vx mine.ini)" ] ||
		fail "a bad name made a file: $(ls "$XDG_CONFIG_HOME/jailsup/profiles")"
	run jailsup new nothing
	assert_status 2
	assert_output_contains "--exec"
	run jailsup new
	assert_status 2
	run jailsup new x --exec /bin/true --bogus
	assert_status 2
}
