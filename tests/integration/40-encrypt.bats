#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Jails encrypted at rest (docs/architecture.md §4a), with the real
# gocryptfs and encfs: a
# home made by `jailsup new --encrypt` (or by hand with encfs) is detected,
# asks for its password once per start, keeps what the app writes and
# shows no plaintext under the data folder; a wrong password starts
# nothing and leaves nothing; the backend and its mount are gone after the
# jail ends, after kill -9 of its jailer, and also while no supervisor runs
# (74-trust-crypt.bats: whatever kills what); the password is in no
# process's argv or environment, in no file of the state directory and in
# no log.

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load crypt-helpers

check_persists() {
	local b=$1
	enc_jail p "$b"
	[ -d "$(data_dir p)/home.$b" ] || fail "no home.$b"
	[ ! -e "$(data_dir p)/home" ] || fail "a plaintext home/ was made"
	# shellcheck disable=SC2016 # expanded in the jail
	run jailsup run p -- sh -c 'echo plaintext-marker-Q9 >"$HOME/secretname-K2"'
	assert_status 0
	[ "$(times_asked)" = 3 ] || fail "asked $(times_asked) times (new asks twice, then one start)"
	wait_status p stopped
	wait_for _not_mounted p
	# shellcheck disable=SC2016 # expanded in the jail
	run jailsup run p -- sh -c 'cat "$HOME/secretname-K2"'
	assert_status 0
	[ "$output" = plaintext-marker-Q9 ] || fail "the file is not there: '$output'"
	! grep -rqF plaintext-marker-Q9 "$XDG_DATA_HOME" || fail "plaintext content under the data dir"
	[ -z "$(find "$XDG_DATA_HOME" -name '*secretname*')" ] || fail "a plaintext file name under the data dir"
	run jailsup list
	assert_output_contains "$b"
	run jailsup list --json
	[ "$(jq -r '.[] | select(.name == "p") | .encrypted' <<<"$output")" = "$b" ] ||
		fail "list --json: $output"
	[ "$(state_get p encrypted)" = "$b" ] || fail "state: encrypted=$(state_get p encrypted)"
}

check_wrong_password() {
	local b=$1
	enc_jail w "$b"
	askpass_with wrong-password
	run jailsup run w -- true
	[ "$status" -ne 0 ] || fail "started with a wrong password"
	assert_output_contains "wrong password for the encrypted home of jail 'w' ($b)"
	[ "$(state_get w status)" = failed ] || fail "status $(state_get w status)"
	! home_mounted w || fail "something is mounted"
	[ ! -e "$(state_dir w)/$b.pid" ] || fail "a pid file is left"
	wait_for no_backend_left
	[ -z "$(ls -A "$(state_dir w)/home")" ] || fail "the mount point is not empty"
	# The user can retry.
	askpass_with "$PASSWORD"
	# shellcheck disable=SC2016 # expanded in the jail
	run jailsup run w -- sh -c 'echo ok >"$HOME/x"; cat "$HOME/x"'
	assert_status 0
	[ "$output" = ok ] || fail "output: $output"
}

check_end() {
	local b=$1 pid jailer
	enc_jail e "$b"
	# A clean end: the last app leaves.
	run jailsup run e -- true
	assert_status 0
	wait_status e stopped
	wait_for _not_mounted e
	wait_for no_backend_left
	# kill -9 of the jailer, an app with its cwd in the home (busy).
	start_long e
	pid=$(backend_pid e "$b")
	alive "$pid" || fail "no $b running"
	jailer=$(state_get e jailer-pid)
	kill -KILL "$jailer"
	wait_for _not_mounted e
	wait_for _not_alive "$pid"
	wait_for no_backend_left
	[ ! -e "$(state_dir e)/$b.pid" ] || fail "the pid file is left"
}

check_restart() {
	local b=$1 pid
	enc_jail r "$b"
	# The jail ends while no supervisor runs: its keeper unmounts the
	# home and ends the backend all the same, and the next supervisor
	# records the end.
	start_long r
	pid=$(backend_pid r "$b")
	kill -TERM "$(daemon_pid)"
	wait_for_gone "$XDG_RUNTIME_DIR/jailsup/control"
	kill -TERM "$BG_PID"
	wait_jail_gone r
	wait_for _not_mounted r
	wait_for _not_alive "$pid"
	wait_for no_keeper_left
	[ "$(state_get r status)" = running ] || fail "the state changed with no supervisor"
	run jailsup daemon
	assert_status 0
	wait_status r stopped
	wait_for no_backend_left
	# Restarted while the jail runs: the adopted jail's end cleans up.
	start_long r
	pid=$(backend_pid r "$b")
	kill -TERM "$(daemon_pid)"
	wait_for_gone "$XDG_RUNTIME_DIR/jailsup/control"
	run jailsup daemon
	assert_status 0
	home_mounted r || fail "the new supervisor unmounted a running jail's home"
	kill -TERM "$BG_PID"
	wait_for _not_mounted r
	wait_for _not_alive "$pid"
	wait_for no_backend_left
}

# no_password_anywhere: not in any argv or environment we may read, not in
# the state directories (the mounted home included) and not in the logs.
no_password_anywhere() {
	local f content
	# Read by the shell: a grep would carry the password in its own argv.
	for f in /proc/[0-9]*/cmdline /proc/[0-9]*/environ; do
		content=$(tr '\0' ' ' 2>/dev/null <"$f") || continue
		if [[ $content == *"$PASSWORD"* ]]; then
			fail "the password is in $f: $content"
			return
		fi
	done
	! grep -rqaF "$PASSWORD" "$XDG_RUNTIME_DIR" ||
		fail "the password is in: $(grep -rlaF "$PASSWORD" "$XDG_RUNTIME_DIR")"
}

check_no_password_leak() {
	local b=$1
	enc_jail s "$b"
	start_long s
	[ -d "/proc/$(backend_pid s "$b")" ] || fail "no $b running"
	no_password_anywhere
	kill -TERM "$BG_PID"
	wait_for _not_mounted s
	no_password_anywhere
}

@test "gocryptfs: what the app writes is there at the next start, and only encrypted on disk" {
	check_persists gocryptfs
}

@test "encfs: what the app writes is there at the next start, and only encrypted on disk" {
	check_persists encfs
}

@test "gocryptfs: a wrong password starts nothing, leaves nothing, and the user can retry" {
	check_wrong_password gocryptfs
}

@test "encfs: a wrong password starts nothing, leaves nothing, and the user can retry" {
	check_wrong_password encfs
}

@test "gocryptfs: backend and mount go when the jail ends, also after kill -9 of the jailer" {
	check_end gocryptfs
}

@test "encfs: backend and mount go when the jail ends, also after kill -9 of the jailer" {
	check_end encfs
}

@test "gocryptfs: backend and mount go across a restart of the supervisor" {
	check_restart gocryptfs
}

@test "encfs: backend and mount go across a restart of the supervisor" {
	check_restart encfs
}

@test "gocryptfs: the password is in no argv, environment, state file or log" {
	check_no_password_leak gocryptfs
}

@test "encfs: the password is in no argv, environment, state file or log" {
	check_no_password_leak encfs
}

@test "new --encrypt makes gocryptfs homes by default; explain says so" {
	askpass_with "$PASSWORD"
	run jailsup new d --exec /usr/bin/env --encrypt
	assert_status 0
	[ -f "$(data_dir d)/home.gocryptfs/gocryptfs.conf" ] || fail "no gocryptfs volume"
	[ "$(stat -c %a "$(data_dir d)")" = 700 ] || fail "data folder mode $(stat -c %a "$(data_dir d)")"
	run jailsup explain d
	assert_status 0
	assert_output_contains "home.gocryptfs, decrypted by gocryptfs"
}

@test "an encfs home made by hand is detected and works" {
	local data mnt=$BATS_TEST_TMPDIR/mnt
	data=$(data_dir hand)
	install -d -m 0700 "$XDG_DATA_HOME/jailsup" "$XDG_DATA_HOME/jailsup/jails" "$data" \
		"$data/home.encfs"
	mkdir "$mnt"
	bg encfs -f --standard --stdinpass "$data/home.encfs" "$mnt" <<<"$PASSWORD"
	wait_for mountpoint -q "$mnt"
	echo made-by-hand >"$mnt/note"
	fusermount3 -u "$mnt"
	wait_for _not_alive "$BG_PID"
	env_profile hand
	askpass_with "$PASSWORD"
	# shellcheck disable=SC2016 # expanded in the jail
	run jailsup run hand -- sh -c 'cat "$HOME/note"'
	assert_status 0
	[ "$output" = made-by-hand ] || fail "output: $output"
	[ "$(state_get hand encrypted)" = encfs ] || fail "encrypted=$(state_get hand encrypted)"
	[ "$(times_asked)" = 1 ] || fail "asked $(times_asked) times"
}

@test "a second app never asks again" {
	enc_jail two gocryptfs
	start_long two
	[ "$(times_asked)" = 3 ] || fail "asked $(times_asked) times"
	askpass_with wrong-password
	# shellcheck disable=SC2016 # expanded in the jail
	run jailsup run two -- sh -c 'ls "$HOME"'
	assert_status 0
	assert_output_contains ready
	[ ! -f "$BATS_TEST_TMPDIR/asked" ] || [ "$(times_asked)" = 3 ] ||
		fail "asked again: $(times_asked)"
}

@test "new --encrypt: a bogus backend, an existing name, no backend, passwords that differ" {
	askpass_with "$PASSWORD"
	run jailsup new b --exec /usr/bin/env --encrypt=bogus
	assert_status 2
	assert_output_contains "--encrypt takes 'gocryptfs' or 'encfs', not 'bogus'"
	[ ! -e "$XDG_CONFIG_HOME/jailsup/profiles/b.ini" ] || fail "a profile was written"
	enc_jail b gocryptfs
	run jailsup new b --exec /usr/bin/env --encrypt
	assert_status 5
	assert_output_contains "a profile named 'b' exists"
	# A jail that has a home already keeps it as it is.
	rm "$XDG_CONFIG_HOME/jailsup/profiles/b.ini"
	run jailsup new b --exec /usr/bin/env --encrypt=encfs
	assert_status 5
	assert_output_contains "already has a home"
	[ ! -e "$(data_dir b)/home.encfs" ] || fail "home.encfs was made"
	# No backend on PATH: nothing is asked, nothing made.
	rm -f "$BATS_TEST_TMPDIR/asked"
	mkdir "$BATS_TEST_TMPDIR/bin"
	ln -s "$JAILSUP_BUILD/bin/jailsup" "$BATS_TEST_TMPDIR/bin/jailsup"
	run env PATH="$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/bin/jailsup" new nob --exec /usr/bin/env \
		--encrypt
	[ "$status" -ne 0 ] || fail "made without gocryptfs"
	assert_output_contains "gocryptfs is not installed"
	[ "$(times_asked)" = 0 ] || fail "asked for a password first"
	[ ! -e "$(data_dir nob)" ] && [ ! -e "$XDG_CONFIG_HOME/jailsup/profiles/nob.ini" ] ||
		fail "something was made"
	# The two passwords differ.
	cat >"$BATS_TEST_TMPDIR/askpass" <<-EOF
		#!/bin/sh
		echo asked >>'$BATS_TEST_TMPDIR/asked'
		if [ "\$(wc -l <'$BATS_TEST_TMPDIR/asked')" -eq 1 ]; then echo one; else echo two; fi
	EOF
	run jailsup new diff --exec /usr/bin/env --encrypt
	assert_status 7
	assert_output_contains "the two passwords differ"
	[ ! -e "$(data_dir diff)" ] && [ ! -e "$XDG_CONFIG_HOME/jailsup/profiles/diff.ini" ] ||
		fail "something was made"
}

@test "the terminal prompt has echo off, and is used before \$JAILSUP_ASKPASS" {
	enc_jail tty gocryptfs
	askpass_with wrong-password
	cat >"$BATS_TEST_TMPDIR/pty-run.py" <<-'EOF'
		import os, pty, select, sys, termios, time
		password = sys.argv[1].encode()
		pid, fd = pty.fork()
		if pid == 0:
		    os.execvp(sys.argv[2], sys.argv[2:])
		out, sent, deadline = b"", False, time.monotonic() + 60
		while time.monotonic() < deadline:
		    if not select.select([fd], [], [], 1)[0]:
		        continue
		    try:
		        chunk = os.read(fd, 4096)
		    except OSError:
		        break
		    if not chunk:
		        break
		    out += chunk
		    if not sent and b"Password of jail" in out:
		        if termios.tcgetattr(fd)[3] & termios.ECHO:
		            print("echo is on at the prompt"); sys.exit(99)
		        os.write(fd, password + b"\n")
		        sent = True
		_, status = os.waitpid(pid, 0)
		sys.stdout.write(out.decode(errors="replace"))
		sys.exit(os.waitstatus_to_exitcode(status))
	EOF
	# shellcheck disable=SC2016 # expanded in the jail
	run python3 "$BATS_TEST_TMPDIR/pty-run.py" "$PASSWORD" jailsup run tty -- sh -c 'echo in-"$JAILSUP_JAIL"'
	assert_status 0
	assert_output_contains "Password of jail 'tty' (gocryptfs):" in-tty
	[[ $output != *"$PASSWORD"* ]] || fail "the password was echoed: $output"
	[ "$(times_asked)" = 2 ] || fail "\$JAILSUP_ASKPASS was asked at a terminal"
}

@test "SSH_ASKPASS asks when JAILSUP_ASKPASS is not set" {
	enc_jail ssh gocryptfs
	export SSH_ASKPASS=$JAILSUP_ASKPASS
	unset JAILSUP_ASKPASS
	run jailsup run ssh -- echo fine
	assert_status 0
	[ "$output" = fine ] || fail "output: $output"
	[ "$(times_asked)" = 3 ] || fail "asked $(times_asked) times"
}

@test "an askpass that fails starts nothing" {
	enc_jail nop gocryptfs
	printf '#!/bin/sh\nexit 1\n' >"$JAILSUP_ASKPASS"
	run jailsup run nop -- true
	assert_status 125
	assert_output_contains "did not give a password" "jail 'nop' is encrypted and has no password"
	[ ! -e "$(state_dir nop)" ] || [ "$(state_get nop status)" != running ] || fail "it runs"
	! home_mounted nop || fail "mounted"
}

@test "run --no-daemon refuses an encrypted jail, saying why" {
	enc_jail nd gocryptfs
	run jailsup run --no-daemon nd -- true
	[ "$status" -ne 0 ] || fail "it ran"
	assert_output_contains "is encrypted (gocryptfs) and not mounted"
	[ ! -e "$(data_dir nd)/home" ] || fail "a plaintext home was made"
}
