#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A jail never gets the user's terminal (docs/jail.md "The terminal"): when
# jailsup's stdio is a terminal, the app runs on a pty of the jail's own
# devpts and the CLI relays. Played at a real terminal (pty-drive.py, a pty
# of the test's own with a small job-control shell): a process left in the
# jail after the run can neither read what the user types next nor write
# to the user's terminal; the relay is invisible (modes, window size,
# Ctrl-C, Ctrl-Z and fg, output intact); pipes and files pass as before.

# $output, $lines and $status come from bats' run; the scripts run in
# jails are single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers

setup() {
	write_profile app <<EOF
[jail]
exec = /bin/sh
network = none
EOF
	OUT=$BATS_TEST_TMPDIR/terminal
}

# drive ACTION… -- CMD…: CMD at a terminal, the user playing ACTIONs
# (tests/integration/pty-drive.py); what the terminal showed is in $OUT,
# and in $OUT.txt with the terminal's \r\n as \n.
drive() {
	python3 "$BATS_TEST_DIRNAME/pty-drive.py" "$OUT" "$@" || return
	tr -d '\r' <"$OUT" >"$OUT.txt"
}

@test "a process left in the jail neither reads what the user types after the run nor writes to the terminal" {
	local home stolen
	home=$(jail_home app)
	stolen=$home/stolen
	# The attack: keep the app's terminal, wait for the run to return,
	# then read what the user types next (the password for another jail
	# at jailsup's own prompt, say) and write to the terminal. It ignores
	# the SIGHUP of the hangup, to meet the hung-up pty itself.
	run drive wait 'send hunter2\r' \
		"until test -e '$home/stolen-status' || grep -q hunter2 '$stolen' 2>/dev/null" \
		-- jailsup run --no-daemon app -c '
			trap "" HUP # before the fork: the hangup may come at once
			exec 3<&0
			(sleep 1; printf "INJECTED\033]0;pwned\007" >&3
			 cat <&3 >~/stolen; echo "cat $?" >~/stolen-status) &
			exit 0'
	assert_status 0
	[[ $output == "exit 0" ]] || fail "$output"
	! grep -q hunter2 "$stolen" || fail "the leftover read the user's next line: $(cat "$stolen")"
	! grep -q INJECTED "$OUT" || fail "the leftover wrote to the terminal: $(cat -A "$OUT")"
	# It did run, and met the hung-up pty: EOF (its read returned 0).
	[ "$(cat "$home/stolen-status")" = "cat 0" ] || fail "status: $(cat "$home/stolen-status")"
}

@test "the app's terminal is a pty of the jail; its modes are the user's, raw on the user's side meanwhile, restored after" {
	run drive 'expect ready' mode 'send typed-once\r' 'expect got typed-once' wait mode \
		-- jailsup run --no-daemon app -c '
			tty; stty -a; readlink /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2
			echo ready; read l; echo "got $l"'
	assert_status 0
	[ "${lines[0]}" = "mode raw" ] || fail "$output"
	[ "${lines[1]}" = "exit 0" ] || fail "$output"
	[ "${lines[2]}" = "mode cooked" ] || fail "$output"
	# A real /dev/pts/N of the jail's devpts, on all three fds.
	[ "$(grep -c '^/dev/pts/[0-9]*$' "$OUT.txt")" -eq 4 ] || fail "$(cat "$OUT.txt")"
	# The pty starts with the settings and the size of the user's terminal.
	grep -q ' icanon ' "$OUT.txt" || fail "$(cat "$OUT.txt")"
	grep -q ' echo ' "$OUT.txt" || fail "$(cat "$OUT.txt")"
	grep -q 'rows 24; columns 80' "$OUT.txt" || fail "$(cat "$OUT.txt")"
	# Echoed once, by the pty, not a second time by the user's terminal.
	[ "$(grep -c typed-once "$OUT.txt")" -eq 2 ] || fail "$(cat "$OUT.txt")"
	grep -qx typed-once "$OUT.txt" || fail "$(cat "$OUT.txt")"
}

@test "a resized terminal resizes the pty: the app gets SIGWINCH and the new size" {
	run drive 'expect ready' 'winsize 33 121' 'expect winch 33 121' 'send x\r' wait \
		-- jailsup run --no-daemon app -c '
			trap "echo winch \$(stty size)" WINCH; stty size; echo ready
			until read x; do :; done'
	assert_status 0
	[ "$output" = "exit 0" ] || fail "$output"
	[ "$(head -1 "$OUT.txt")" = "24 80" ] || fail "$(cat "$OUT.txt")"
}

@test "Ctrl-C and Ctrl-\\ reach the app through the pty: 130 and 131" {
	run drive 'expect ready' 'send \x03' wait -- jailsup run --no-daemon app -c 'echo ready; exec sleep 100'
	assert_status 0
	[ "$output" = "exit 130" ] || fail "$output"
	run drive 'expect ready' 'send \x1c' wait -- jailsup run --no-daemon app -c 'echo ready; exec sleep 100'
	[ "$output" = "exit 131" ] || fail "$output"
}

@test "Ctrl-Z suspends the run as a shell job with the terminal restored; fg resumes it and its status arrives" {
	run drive 'expect ready' 'send \x1a' waitstop mode fg 'send x\r' 'expect resumed' \
		'send y\r' wait mode \
		-- jailsup run --no-daemon app -c 'echo ready; read x; echo resumed; read y; exit 7'
	assert_status 0
	[ "${lines[0]}" = "stopped 20" ] || fail "$output" # SIGTSTP, the app's
	[ "${lines[1]}" = "mode cooked" ] || fail "$output"
	[ "${lines[2]}" = "exit 7" ] || fail "$output"
	[ "${lines[3]}" = "mode cooked" ] || fail "$output"
}

@test "Ctrl-Z, bg, then fg: the run takes the terminal back only in the foreground" {
	run drive 'expect ready' 'send \x1a' waitstop bg mode fg 'send x\r' 'expect resumed' wait \
		-- jailsup run --no-daemon app -c 'echo ready; read x; echo resumed; exit 3'
	assert_status 0
	[ "${lines[0]}" = "stopped 20" ] || fail "$output"
	[ "${lines[1]}" = "mode cooked" ] || fail "$output" # in the background: left alone
	[ "${lines[2]}" = "exit 3" ] || fail "$output"
}

@test "1 MiB of output arrives intact through the relay, the last byte too" {
	run drive wait -- jailsup run --no-daemon app -c '
		head -c 1048576 /dev/urandom | base64 >/tmp/data
		sha256sum </tmp/data; cat /tmp/data; printf LAST'
	assert_status 0
	[ "$output" = "exit 0" ] || fail "$output"
	[ "$(tail -c 4 "$OUT.txt")" = LAST ] || fail "the end is lost: $(tail -c 100 "$OUT.txt" | cat -A)"
	[ "$(sed -n '2,$p' "$OUT.txt" | sed 's/LAST$//' | sha256sum)" = "$(head -1 "$OUT.txt")" ] ||
		fail "the data arrived damaged"
	[ "$(wc -c <"$OUT.txt")" -ge 1400000 ] || fail "too short"
}

# Full-screen programs take the whole terminal: raw mode, the alternate
# screen, cursor addressing, and a redraw at the new size on SIGWINCH.
@test "less pages a file: keys reach it at once, a resize redraws it at the new size, q restores the terminal" {
	# 24 rows show 23 lines; at the end of the file, the redraw at 40 rows
	# fills the rows below the last line with '~'; only then does row 039
	# show from the top.
	run drive 'expect row 023' 'send G' 'expect row 200' 'winsize 40 100' 'expect ~' 'send g' \
		'expect row 039' 'send q' wait mode \
		-- env TERM=xterm jailsup run --no-daemon app -c '
			seq -f "row %03g" 200 >/tmp/rows; exec less /tmp/rows'
	assert_status 0
	[ "${lines[0]}" = "exit 0" ] || fail "$output"
	[ "${lines[1]}" = "mode cooked" ] || fail "$output"
	grep -qF $'\e[?1049h' "$OUT" || fail "no alternate screen: $(cat -A "$OUT" | head -5)"
}

@test "vim edits and saves a file in the jail's home through the relay" {
	run drive 'expect [New' 'send iwritten in vim\x1b' 'send :wq\r' wait mode \
		-- env TERM=xterm jailsup run --no-daemon app -c 'exec vim.tiny -u NONE -i NONE -N ~/edited'
	assert_status 0
	[ "${lines[0]}" = "exit 0" ] || fail "$output"
	[ "${lines[1]}" = "mode cooked" ] || fail "$output"
	[ "$(cat "$(jail_home app)/edited")" = "written in vim" ] || fail "$(cat -A "$OUT" | tail -5)"
}

@test "top shows the jail's processes and quits on q" {
	run drive 'winsize 30 120' 'expect COMMAND' 'expect sleep' 'send q' wait mode \
		-- env TERM=xterm jailsup run --no-daemon app -c 'sleep 1000 & exec top -d 0.5'
	assert_status 0
	[ "${lines[0]}" = "exit 0" ] || fail "$output"
	[ "${lines[1]}" = "mode cooked" ] || fail "$output"
}

@test "pipes and files as stdio pass through unchanged: no pty without a terminal" {
	run bash -c 'echo piped | jailsup run --no-daemon app -c "cat; tty; readlink /proc/self/fd/0" 2>&1'
	assert_status 0
	[ "${lines[0]}" = piped ] || fail "$output"
	[ "${lines[1]}" = "not a tty" ] || fail "$output"
	[[ ${lines[2]} == pipe:* ]] || fail "$output"
}

@test "mixed: a terminal as stdin and a pipe as stdout: only stdin goes via the pty" {
	local file=$BATS_TEST_TMPDIR/piped
	run drive 'expect ready' 'send line-in\r' wait \
		-- sh -c "jailsup run --no-daemon app -c 'tty; readlink /proc/self/fd/1; echo ready >/dev/tty; read l; echo \"got \$l\"' | cat >'$file'"
	assert_status 0
	[ "$output" = "exit 0" ] || fail "$output"
	grep -qx '/dev/pts/[0-9]*' "$file" || fail "stdin: $(cat "$file")"
	grep -q '^pipe:' "$file" || fail "stdout: $(cat "$file")"
	grep -qx 'got line-in' "$file" || fail "$(cat "$file")"
	# The terminal showed the echo of the line, never the piped output.
	grep -q line-in "$OUT.txt" || fail "$(cat "$OUT.txt")"
	! grep -q 'got line-in' "$OUT.txt" || fail "$(cat "$OUT.txt")"
}

@test "enter takes the same path: a pty of the jail" {
	local pid
	mkfifo "$BATS_TEST_TMPDIR/go"
	exec 4<>"$BATS_TEST_TMPDIR/go"
	bg jailsup run --no-daemon app -c 'echo ready >"$HOME/ready"; read x' <"$BATS_TEST_TMPDIR/go"
	pid=$BG_PID
	wait_for_file "$(jail_home app)/ready"
	run drive 'expect pts-of-jail' wait -- jailsup enter app -- sh -c 'tty | sed s/dev/pts-of-jail/'
	assert_status 0
	[ "$output" = "exit 0" ] || fail "$output"
	grep -q '^/pts-of-jail/pts/[0-9]*$' "$OUT.txt" || fail "$(cat "$OUT.txt")"
	echo go >&4
	wait "$pid"
	exec 4>&-
}
