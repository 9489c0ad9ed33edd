#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What a process in a jail sees (docs/jail.md): no host home, no other
# jail's home, no host runtime dir or /tmp; a private /tmp shared by the
# apps of one jail; dispatch as PID 1 and no host process; a home that
# persists; the init script once per start; the /shared/ rewrite of an exe
# that lives in the home; an environment that is an allow-list.
#
# Every jail here is started with `jailsup run --no-daemon`, so these tests
# exercise the jail itself, not the supervisor.

# $output, $status, $lines and $stderr come from bats' run; the scripts
# run in jails are single-quoted on purpose; bg hands its stdin on.
# shellcheck disable=SC2016,SC2154,SC2217

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers

# What a jail's /tmp holds when it starts: nothing, unless the test's
# private XDG_RUNTIME_DIR lies below /tmp (it does under bats), whose
# tmpfs is then mounted on folders made for it in the jail's /tmp.
tmp_skeleton() {
	local rel
	case $XDG_RUNTIME_DIR in
	/tmp/*)
		rel=${XDG_RUNTIME_DIR#/tmp/}
		echo "${rel%%/*}"
		;;
	esac
}

jrun() {
	jailsup run --no-daemon "$@"
}

@test "the real home, another jail's home and the host's runtime dir are not in the jail" {
	local d token=$RANDOM$RANDOM host_home_ino
	d=$(home_tmpdir)
	echo "host-home-$token" >"$d/marker"
	echo "host-runtime-$token" >"$XDG_RUNTIME_DIR/host-marker"
	sh_profile other
	sh_profile view

	# Another jail leaves a file in its own home.
	run jrun other -c 'echo "other-jail-$1" >"$HOME/other-marker"' sh "$token"
	assert_status 0
	[ "$(cat "$(jail_home other)/other-marker")" = "other-jail-$token" ] ||
		fail "the other jail's marker is not in its home"
	wait_jail_gone other

	# shellcheck disable=SC2016 # expanded by the jail's shell
	run jrun view -c '
		for p in "$@"; do
			if [ -e "$p" ]; then echo "VISIBLE $p"; fi
		done
		grep -rsl -e "$0" /home /tmp /run /var/tmp "$XDG_RUNTIME_DIR" && echo "TOKEN FOUND"
		echo "home-ino $(stat -c %i "$HOME")"
		echo "home-entries [$(ls -A "$HOME")]"
		echo "runtime-entries [$(ls -A "$XDG_RUNTIME_DIR")]"
		echo end' "$token" "$d/marker" "$d" "$HOME/other-marker" \
		"$(jail_home other)" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR/host-marker" \
		"$XDG_RUNTIME_DIR/jailsup" "$HOME/.bashrc" "$HOME/.profile" "/run/user/$(id -u)"
	assert_status 0
	[[ $output != *VISIBLE* ]] || fail "host paths are visible in the jail: $output"
	[[ $output != *"TOKEN FOUND"* ]] || fail "a marker's content is readable in the jail: $output"
	assert_output_contains "home-entries []" "runtime-entries []" end
	# $HOME in the jail is the jail's private home, at the real home's path.
	host_home_ino=$(stat -c %i "$(jail_home view)")
	assert_output_contains "home-ino $host_home_ino"
	[ "$(stat -c %i "$HOME")" != "$host_home_ino" ] || fail "the private home is the real home"
}

@test "the jail's XDG_RUNTIME_DIR is an empty private tmpfs, mode 0700, not shared with the host or another jail" {
	local token=$RANDOM$RANDOM
	sh_profile rt1
	sh_profile rt2
	echo host >"$XDG_RUNTIME_DIR/host-marker"
	mkfifo "$BATS_TEST_TMPDIR/go"
	exec 4<>"$BATS_TEST_TMPDIR/go"

	# The first jail writes into its runtime dir and stays until told.
	bg jailsup run --no-daemon rt1 -c '
		stat -c "mode %a %u" "$XDG_RUNTIME_DIR"
		echo "fs $(stat -f -c %T "$XDG_RUNTIME_DIR")"
		echo "entries [$(ls -A "$XDG_RUNTIME_DIR")]"
		echo "$1" >"$XDG_RUNTIME_DIR/jail-marker" && echo written
		read -r _' sh "$token" <"$BATS_TEST_TMPDIR/go" >"$BATS_TEST_TMPDIR/rt1.out" 2>&1
	local pid=$BG_PID
	wait_for grep -qx written "$BATS_TEST_TMPDIR/rt1.out"
	run cat "$BATS_TEST_TMPDIR/rt1.out"
	assert_output_contains "mode 700 $(id -u)" "fs tmpfs" "entries []"

	# Neither the host nor a second, running jail sees it.
	[ ! -e "$XDG_RUNTIME_DIR/jail-marker" ] || fail "the jail wrote into the host's runtime dir"
	run jrun rt2 -c 'echo "entries [$(ls -A "$XDG_RUNTIME_DIR")]"'
	assert_status 0
	assert_output_contains "entries []"

	echo go >&4
	wait "$pid"
	exec 4>&-
}

@test "/tmp is private: nothing of the host's /tmp is in the jail" {
	local marker
	marker=$(mktemp /tmp/jailsup-host-marker.XXXXXX)
	remove_after "$marker"
	[ -f "$marker" ] || fail "no marker in the host's /tmp"
	sh_profile tmpview
	run jrun tmpview -c '[ -e "$1" ] && echo VISIBLE; echo "tmp [$(ls -A /tmp)]"; : >/tmp/from-jail' \
		sh "$marker"
	assert_status 0
	[[ $output != *VISIBLE* ]] || fail "the host's /tmp marker is visible"
	assert_output_contains "tmp [$(tmp_skeleton)]"
	[ ! -e /tmp/from-jail ] || fail "the jail wrote into the host's /tmp"
}

@test "/tmp is shared by two apps of one jail, and fresh at the next start" {
	local token=$RANDOM$RANDOM pid
	sh_profile share
	mkfifo "$BATS_TEST_TMPDIR/go"
	exec 4<>"$BATS_TEST_TMPDIR/go"

	bg jailsup run --no-daemon share -c 'echo "$1" >/tmp/marker && echo created && read -r _ && echo released' \
		sh "$token" <"$BATS_TEST_TMPDIR/go" >"$BATS_TEST_TMPDIR/app1.out" 2>&1
	pid=$BG_PID
	wait_for grep -qx created "$BATS_TEST_TMPDIR/app1.out"

	# A second app joins the running jail and sees the first one's /tmp
	# (and the first app itself); so does `jailsup enter`.
	run jrun share -c 'cat /tmp/marker; ps -e -o comm= | sort | tr "\n" " "'
	assert_status 0
	assert_output_contains "$token" "dispatch"
	[ "${lines[0]}" = "$token" ] || fail "the second app read '${lines[0]}'"
	run jailsup enter share -- cat /tmp/marker
	assert_status 0
	[ "$output" = "$token" ] || fail "enter read '$output'"

	echo go >&4
	wait "$pid"
	exec 4>&-
	run cat "$BATS_TEST_TMPDIR/app1.out"
	assert_output_contains created released

	# The next start has a new, empty /tmp.
	wait_jail_gone share
	run jrun share -c 'echo "tmp [$(ls -A /tmp)]"'
	assert_status 0
	assert_output_contains "tmp [$(tmp_skeleton)]"
}

@test "PID 1 is dispatch and no host process is visible" {
	local sleeper
	sh_profile pids
	# A host process that certainly exists while the jail looks.
	bg sleep 1000
	sleeper=$BG_PID
	run jrun pids -c '
		echo "pid1 $(cat /proc/1/comm)"
		for p in "$@"; do [ -e "/proc/$p" ] && echo "HOST PID $p VISIBLE"; done
		exec ps -e -o pid=,comm=' sh "$$" "$sleeper" "$PPID"
	assert_status 0
	assert_output_contains "pid1 dispatch"
	[[ $output != *"HOST PID"* ]] || fail "$output"
	# Exactly dispatch and the app (now ps): nothing of the host.
	[ "${#lines[@]}" -eq 3 ] || fail "processes in the jail: $output"
	[[ ${lines[1]} =~ ^\ *1\ dispatch$ ]] || fail "first process: '${lines[1]}'"
	[[ ${lines[2]} =~ ^\ *[0-9]+\ ps$ ]] || fail "second process: '${lines[2]}'"
}

@test "a file written in the home persists to the next start of the jail" {
	local token=$RANDOM$RANDOM
	sh_profile keep
	run jrun keep -c 'echo "$1" >"$HOME/kept" && echo "$1" >/tmp/not-kept' sh "$token"
	assert_status 0
	wait_jail_gone keep
	[ "$(cat "$(jail_home keep)/kept")" = "$token" ] || fail "not in the private home on the host"
	[ "$(stat -c %u "$(jail_home keep)/kept")" = "$(id -u)" ] || fail "the file is not ours"

	run jrun keep -c 'cat "$HOME/kept"; [ -e /tmp/not-kept ] && echo TMP-KEPT; :'
	assert_status 0
	[ "$output" = "$token" ] || fail "the next start read '$output'"
}

@test "the init script runs once for two apps of one jail, confined, and again at the next start" {
	# Regression: dispatch made fd 6 close-on-exec before it ran
	# `bash /dev/fd/6`, so every init script failed with status 127.
	local pid home
	write_profile initjail <<EOF
[jail]
exec = /bin/sh
network = none
init-script = initjail-init.sh
EOF
	cat >"$XDG_CONFIG_HOME/jailsup/profiles/initjail-init.sh" <<'EOF'
echo "init ran in $PWD" >>"$HOME/init-count"
grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t ' ' '
echo "init-pid1 $(cat /proc/1/comm)"
EOF
	mkfifo "$BATS_TEST_TMPDIR/go"
	exec 4<>"$BATS_TEST_TMPDIR/go"

	bg jailsup run --no-daemon initjail -c 'echo first && read -r _' <"$BATS_TEST_TMPDIR/go" >"$BATS_TEST_TMPDIR/app1.out" 2>&1
	pid=$BG_PID
	wait_for grep -qx first "$BATS_TEST_TMPDIR/app1.out"
	run jrun initjail -c 'cat "$HOME/init-count"'
	assert_status 0
	[ "$output" = "init ran in $HOME" ] || fail "after two apps, init-count is: $output"
	echo go >&4
	wait "$pid"
	exec 4>&-

	# Its output went to the log; it ran confined like any app.
	run cat "$(state_dir initjail)/log"
	assert_output_contains "CapEff: 0000000000000000" "CapBnd: 0000000000000000" \
		"NoNewPrivs: 1" "Seccomp: 2" "init-pid1 dispatch"

	wait_jail_gone initjail
	run jrun initjail -c 'cat "$HOME/init-count"'
	assert_status 0
	home=$HOME
	[ "$output" = "init ran in $home"$'\n'"init ran in $home" ] ||
		fail "after the second start, init-count is: $output"
}

@test "a failing init script fails the start: exit 125, its output in the log, no jail, no app" {
	local token=$RANDOM$RANDOM
	write_profile badinit <<EOF
[jail]
exec = /bin/sh
network = none
init-script = $BATS_TEST_TMPDIR/badinit.sh
EOF
	echo "echo init-broke-$token; exit 3" >"$BATS_TEST_TMPDIR/badinit.sh"
	run --separate-stderr jrun badinit -c 'echo APP RAN; : >"$HOME/app-ran"'
	assert_status 125
	[[ $output != *"APP RAN"* ]] || fail "the app ran: $output"
	[[ $stderr == *"init-broke-$token"* ]] || fail "stderr lacks the script's output: $stderr"
	[[ $stderr == *"status 3"* ]] || fail "stderr lacks the status: $stderr"
	run cat "$(state_dir badinit)/log"
	assert_output_contains "init-broke-$token" "the init script failed with status 3"
	wait_jail_gone badinit
	[ ! -e "$(state_dir badinit)/dispatch.sock" ] || fail "dispatch.sock left behind"
	[ ! -e "$(jail_home badinit)/app-ran" ] || fail "the app ran"
}

@test "an exe in the home runs from \$HOME/shared/…, read-only, without the rest of the home" {
	local d other name
	d=$(home_tmpdir)
	other=$(home_tmpdir)
	echo secret >"$other/marker"
	echo "sibling file" >"$d/sibling"
	cat >"$d/tool" <<'EOF'
#!/bin/sh
echo "self $0"
echo "sibling $(cat "$(dirname "$0")/sibling")"
if touch "$(dirname "$0")/new" 2>/dev/null; then echo writable; else echo read-only; fi
[ -e "$1" ] && echo "OTHER VISIBLE"
echo "home [$(ls -A "$HOME")]"
echo "shared [$(ls -A "$HOME/shared")]"
EOF
	chmod 0755 "$d/tool"
	name=$(basename "$d")

	run jrun "$d/tool" "$other/marker"
	assert_status 0
	assert_output_contains "self $HOME/shared/$name/tool" "sibling sibling file" read-only \
		"home [shared]" "shared [$name]"
	[[ $output != *"OTHER VISIBLE"* ]] || fail "another folder of the home is visible"
	[ ! -e "$d/new" ] || fail "the jail wrote into the exe's folder"
}

@test "an exe directly in the home is bound alone at \$HOME/shared/FILE" {
	local exe=$HOME/jailsup-test-tool.$RANDOM$RANDOM
	remove_after "$exe"
	printf '#!/bin/sh\necho "self $0"\necho "shared [$(ls -A "$HOME/shared")]"\n' >"$exe"
	chmod 0755 "$exe"
	run jrun "$exe"
	assert_status 0
	assert_output_contains "self $HOME/shared/${exe##*/}" "shared [${exe##*/}]"
}

@test "the environment: only the allow-list enters; LANG and TERM pass, secrets and the bus do not" {
	local token=$RANDOM$RANDOM
	write_profile envjail <<EOF
[jail]
exec = /usr/bin/env
network = none
[rights]
deny = dbus
EOF
	# A real bus socket, so the right's absence is what keeps it out.
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
		"$XDG_RUNTIME_DIR/bus"
	run env SSH_AUTH_SOCK="/tmp/ssh-$token/agent.1" GPG_AGENT_INFO="/tmp/gpg-$token:1:1" \
		DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG_RUNTIME_DIR/bus" SECRET_TOKEN="secret-$token" \
		LANG=C.UTF-8 TERM="xterm-$token" LC_TIME=C.UTF-8 \
		jailsup run --no-daemon envjail
	assert_status 0
	assert_output_contains "LANG=C.UTF-8" "TERM=xterm-$token" "LC_TIME=C.UTF-8" \
		"HOME=$HOME" "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" "JAILSUP_JAIL=envjail" \
		"XDG_CONFIG_HOME=$HOME/.config"
	local var
	for var in SSH_AUTH_SOCK GPG_AGENT_INFO DBUS_SESSION_BUS_ADDRESS SECRET_TOKEN; do
		[[ $output != *"$var="* ]] || fail "$var entered the jail: $output"
	done
	[[ $output != *"secret-$token"* ]] || fail "the secret's value entered the jail"
	[[ $output != *"$BATS_TEST_TMPDIR/config"* ]] || fail "the host's XDG_CONFIG_HOME entered"

	# With the right (a default one), a bus does enter: the test above can
	# fail. It is the supervisor's filtering proxy (docs/jail.md "D-Bus"),
	# so not with --no-daemon: tests/integration/30-dbus.bats has the rest.
	write_profile envbus <<EOF
[jail]
exec = /usr/bin/env
network = none
EOF
	run env DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG_RUNTIME_DIR/bus" jailsup run envbus
	assert_status 0
	assert_output_contains "DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus"
}
