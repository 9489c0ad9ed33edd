#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The fds a jail's processes are given, played from inside a real jail: no
# process of a jail holds an fd of the host's log or of its init script
# (their output goes through a pipe the jailer reads, bounds and marks; the
# script is a sealed copy), the log stays under its cap however much a jail
# writes, and what a jail logged reaches the user's terminal escaped and
# marked as the jail's, never as a line of jailsup's own. A directory fd
# never reaches a jail as stdio (it opens the host's tree through
# openat(fd, "..")): the CLI refuses it, dispatch refuses it from any
# client, and a CLI started with closed stdio fds does not hand its own
# state-dir fd over.

# $output, $status and $stderr come from bats' run; the scripts run in
# jails are single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers

# The jail of the stdio tests: /bin/sh, no network.
setup() {
	sh_profile app
}

# The cap of what one start of a jail may write to its log (jail output
# and dispatch's own lines), and room for the jailer's own lines.
LOG_CAP=$((1024 * 1024 + 64 * 1024 + 16 * 1024))

# _init_profile NAME: the jail NAME runs /bin/sh, with stdin as its init
# script NAME-init.sh beside the profile.
_init_profile() {
	local name=$1
	write_profile "$name" <<EOF
[jail]
exec = /bin/sh
network = none
init-script = $name-init.sh
EOF
	cat >"$XDG_CONFIG_HOME/jailsup/profiles/$name-init.sh"
}

# _control_bytes TEXT: the number of bytes of TEXT that could drive a
# terminal (C0 controls but tab and newline, and DEL).
_control_bytes() {
	printf '%s' "$1" | LC_ALL=C tr -d '\011\012\040-\176\200-\377' | wc -c
}

# _scan_and_forge RUN… TOKEN: from an app of the jail, lists every fd of
# every process it can see as "fd PATH DEV:INODE COMM", then writes a
# forged line of jailsup's own through each one that opens for writing.
_scan_and_forge() {
	local token=${*: -1}
	set -- "${@:1:$#-1}"
	run "$@" -c '
		self=$$
		for f in /proc/[0-9]*/fd/*; do
			pid=${f#/proc/}
			pid=${pid%%/*}
			[ "$pid" = "$self" ] && continue
			id=$(stat -L -c "%d:%i" "$f" 2>/dev/null) || continue
			echo "fd $f $id $(cat "/proc/$pid/comm" 2>/dev/null)"
		done
		for f in /proc/[0-9]*/fd/*; do
			pid=${f#/proc/}
			pid=${pid%%/*}
			[ "$pid" = "$self" ] && continue
			{ printf "jailer[leak]: error: %s\n" "$1" >>"$f"; } 2>/dev/null && echo "wrote $f"
		done
		:' sh "$token"
}

# _no_host_fds RUN…: the attack of a background process of the init script,
# through the CLI command RUN… (with or without the supervisor).
_no_host_fds() {
	local token=forged-$RANDOM$RANDOM script log log_id script_id script_sum
	_init_profile leak <<'EOF'
sleep 1000 &
echo init-done
EOF
	script=$XDG_CONFIG_HOME/jailsup/profiles/leak-init.sh
	script_sum=$(sha256sum <"$script")
	log=$(state_dir leak)/log

	run "$@" leak -c 'echo started'
	assert_status 0
	[ "$output" = started ] || fail "the first app said: $output"
	wait_for grep -q 'init-done' "$log"
	log_id=$(stat -c '%d:%i' "$log")
	script_id=$(stat -L -c '%d:%i' "$script")

	_scan_and_forge "$@" leak "$token"
	assert_status 0
	# The scan saw the background process and its fds (it can fail).
	grep -qE '^fd /proc/[0-9]+/fd/1 [0-9]+:[0-9]+ sleep$' <<<"$output" ||
		fail "the scan did not see the init script's sleep: $output"
	if grep -E " ($log_id|$script_id) " <<<"$output"; then
		fail "a process of the jail holds the host's log ($log_id) or init script ($script_id): $output"
	fi
	[ "$(sha256sum <"$script")" = "$script_sum" ] ||
		fail "the jail changed the host's init script: $(cat "$script")"
	# What it wrote through the sleep's stdout reached the log marked as
	# the jail's, and no line of the log reads as jailsup's own.
	grep -qx 'init\[leak\]: init-done' "$log" || fail "the script's output is not marked: $(cat "$log")"
	wait_for grep -qxF "init[leak]: jailer[leak]: error: $token" "$log"
	if grep -n "^jailer\[leak\]: error: $token" "$log"; then
		fail "the jail forged a line of jailsup's own in its log"
	fi
}

@test "no process of a jail holds the host's log or init script (supervisor, standby jailer)" {
	_no_host_fds jailsup run
}

@test "no process of a jail holds the host's log or init script (--no-daemon)" {
	_no_host_fds jailsup run --no-daemon
}

@test "a jail that writes 10 MB from its init script starts, and its log stays under the cap" {
	local log size
	# Then a background process floods on while apps start.
	_init_profile flood <<'EOF'
yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 10000000
head -c 3000000 /dev/zero >&2
yes background-flood | head -c 50000000 >&2 &
echo flood-done
EOF
	log=$(state_dir flood)/log
	# The app's stdout alone: a slow start (a sanitizer build) also shows
	# the start's progress on stderr.
	run --separate-stderr jailsup run flood -c 'echo app-ran'
	assert_status 0
	[ "$output" = app-ran ] || fail "the app said: $output"
	run --separate-stderr jailsup run flood -c 'echo second'
	assert_status 0
	[ "$output" = second ] || fail "the second app said: $output"
	# Once the flood is over (the jail ends with it), the log is under
	# the cap, and says where it stopped.
	wait_jail_gone flood --timeout 60
	size=$(stat -c %s "$log")
	[ "$size" -le "$LOG_CAP" ] || fail "the log has $size bytes, over the cap"
	grep -qx 'init\[flood\]: 0123456789abcdefghijklmnopqrstuvwxyz' "$log" ||
		fail "the jail's lines are not in the log, marked: $(head -c 300 "$log")"
	[ "$(grep -c '^jailer\[flood\]: warning: .*dropping the rest' "$log")" -eq 1 ] ||
		fail "the cap was not said once: $(grep -v '^init' "$log")"
}

@test "what a jail logged is shown escaped and marked after a failed start" {
	local token=forged-$RANDOM$RANDOM mode log
	_init_profile esc <<EOF
printf '\\033]0;pwned\\007\\033[2J\\rjailer[esc]: error: $token\\n'
printf 'tab\\there, caf\\303\\251, csi \\302\\233x, bidi \\342\\200\\256y\\n' >&2
exit 4
EOF
	log=$(state_dir esc)/log
	for mode in supervisor no-daemon; do
		if [ "$mode" = supervisor ]; then
			run --separate-stderr jailsup run esc -c 'echo APP RAN'
		else
			run --separate-stderr jailsup run --no-daemon esc -c 'echo APP RAN'
		fi
		assert_status 125
		[[ $output != *"APP RAN"* ]] || fail "$mode: the app ran"
		[ "$(_control_bytes "$stderr")" -eq 0 ] ||
			fail "$mode: the CLI printed control characters: $(printf '%s' "$stderr" | od -c | head -20)"
		[[ $stderr == *"init[esc]: \\x1b]0;pwned\\x07\\x1b[2J\\x0djailer[esc]: error: $token"* ]] ||
			fail "$mode: the forged line is not escaped and marked: $stderr"
		if grep -n "^jailer\[esc\]: error: $token" <<<"$stderr"; then
			fail "$mode: a line of the jail reads as jailsup's own"
		fi
		[[ $stderr == *"init[esc]: tab"$'\t'"here, caf"$'\xc3\xa9'", csi \\xc2\\x9bx, bidi \\xe2\\x80\\xaey"* ]] ||
			fail "$mode: tabs and UTF-8 text are not kept, C1 and bidi controls not escaped: $stderr"
		[[ $stderr == *"the init script failed with status 4"* ]] ||
			fail "$mode: the reason is missing: $stderr"
		wait_jail_gone esc
		# The log itself drives no terminal either (cat log).
		[ "$(_control_bytes "$(cat "$log")")" -eq 0 ] ||
			fail "$mode: the log holds control characters"
	done
}

@test "an init script that others could write, or too large, or not a file, is refused by name" {
	local script=$XDG_CONFIG_HOME/jailsup/profiles/bad-init.sh
	_init_profile bad <<<'echo init-ran'

	chmod 0664 "$script"
	run --separate-stderr jailsup run --no-daemon bad -c 'echo APP RAN'
	assert_status 125
	[[ $stderr == *"init script '$script'"*"writable by others"* ]] || fail "g+w: $stderr"
	chmod 0646 "$script"
	run --separate-stderr jailsup run bad -c 'echo APP RAN'
	assert_status 125
	[[ $stderr == *"init script '$script'"*"writable by others"* ]] || fail "o+w: $stderr"

	chmod 0644 "$script"
	head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' '#' >"$script"
	run --separate-stderr jailsup run --no-daemon bad -c 'echo APP RAN'
	assert_status 125
	[[ $stderr == *"init script '$script'"*"larger than"* ]] || fail "size: $stderr"

	rm "$script"
	mkfifo "$script"
	run --separate-stderr jailsup run --no-daemon bad -c 'echo APP RAN'
	assert_status 125
	[[ $stderr == *"init script '$script' is not a regular file"* ]] || fail "fifo: $stderr"
	[[ $output != *"APP RAN"* ]] || fail "an app ran"

	# A good one runs, and its jail reads the copy made at the start.
	rm "$script"
	echo 'echo init-ran-ok' >"$script"
	run jailsup run bad -c 'echo app-ok'
	assert_status 0
	[ "$output" = app-ok ] || fail "$output"
	wait_for grep -qx 'init\[bad\]: init-ran-ok' "$(state_dir bad)/log"
}

@test "the CLI refuses a directory as the app's stdin: 125, a clear line" {
	run -125 jailsup run --no-daemon app -c 'ls /proc/self/fd/0/ >/dev/null && echo OPEN' <"$HOME"
	assert_output_contains "refusing to hand fd 0"
	[[ $output != *OPEN* ]] || fail "the app could list the directory: $output"
}

@test "dispatch refuses a RUN whose stdio is a directory fd, and goes on serving" {
	bg jailsup run --no-daemon app -c 'sleep 60'
	wait_for_file "$(state_dir app)/dispatch.sock"
	run python3 - "$(state_dir app)/dispatch.sock" "$HOME" <<'PY'
import os, socket, struct, sys
sock_path, home = sys.argv[1], sys.argv[2]
argv, env, cwd = [b"/bin/sh", b"-c", b"echo ESCAPED"], [b"LANG=C"], b"/"
body = struct.pack("=II", len(argv), len(env)) + b"".join(x + b"\0" for x in argv + env + [cwd])
msg = struct.pack("=IHHI", 0x4a534431, 1, 1, 12 + len(body)) + body
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sock_path)
d = os.open(home, os.O_RDONLY | os.O_DIRECTORY)
s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("=iii", d, 1, 2))])
reply = s.recv(64)
magic, version, typ, length, kind, value = struct.unpack("=IHHIIi", reply)
print("type=%d kind=%d" % (typ, kind))
PY
	[ "$status" -eq 0 ] || fail "the client failed: $output"
	# EXIT (4) with REFUSED (3): nothing ran.
	assert_output_contains "type=4 kind=3"
	[[ $output != *ESCAPED* ]] || fail "the app ran: $output"
	run jailsup enter app -- echo still-serving
	assert_status 0
	assert_output_contains still-serving
}

@test "enter started with its stdio closed never hands the jail a directory" {
	bg jailsup run --no-daemon app -c 'sleep 60'
	wait_for_file "$(state_dir app)/dispatch.sock"
	# Started with fds 0 and 1 closed, the CLI's next opens would take
	# them: its own state-dir fd could become the app's stdout.
	# (Closed in the shell that execs the CLI: bats' run would give it a
	# capture file of its own as stdout.)
	# The app tests its own stdout with the shell's builtin [ (no
	# redirection of its own may stand in for it).
	run sh -c 'exec jailsup enter app -- /bin/sh -c "
		if [ -d /proc/self/fd/1/ ]; then touch /tmp/kind-dir; fi
		if [ -c /proc/self/fd/1 ]; then touch /tmp/kind-chr; fi" <&- >&-'
	run jailsup enter app -- ls /tmp
	assert_status 0
	[[ $output != *kind-dir* ]] || fail "the app's stdout was a directory: $output"
	assert_output_contains "kind-chr"
}
