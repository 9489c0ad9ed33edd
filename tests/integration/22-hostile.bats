#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The supervisor and the CLI against what another process of the user (or
# a jail's helper gone bad) can plant: symlinks in a state directory, pid
# files naming unrelated processes, state directories that are links or
# have the wrong mode, and garbage on the control socket. Nothing outside
# may be read, written, deleted or signalled, and the daemon keeps serving.

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers

# What must not change: content, mode and mtime.
_fingerprint() {
	stat -c '%s %a %Y %i' "$1" && sha256sum <"$1"
}

@test "planted symlinks and foreign pid files: refused, nothing outside touched or signalled" {
	local outside=$BATS_TEST_TMPDIR/outside fp_outside fp_passwd unrelated wrong_start d
	echo "precious" >"$outside"
	fp_outside=$(_fingerprint "$outside")
	fp_passwd=$(_fingerprint /etc/passwd)

	# links: every file a symlink out of the directory.
	plant_state_dir links
	d=$(state_dir links)
	ln -s /etc/passwd "$d/iso-pipe"
	ln -s "$outside" "$d/state"
	ln -s "$outside" "$d/profile.ini"
	ln -s "$outside" "$d/log"
	ln -s "$outside" "$d/dispatch.sock"

	# pids: a valid state file of a jail "running" under a jailer PID that
	# is an unrelated process of ours (right start time, comm "sleep"),
	# with helper pid files naming an unrelated process (right start time,
	# wrong comm) and an "openvpn" (right comm, wrong start time).
	bg sleep 1000
	unrelated=$BG_PID
	fake_helper openvpn
	wrong_start=$BG_PID
	plant_state_dir pids
	d=$(state_dir pids)
	mkfifo -m 0600 "$d/iso-pipe"
	cat >"$d/state" <<-EOF
		name=pids
		status=running
		jailer-pid=$unrelated
		jailer-start=$(proc_start "$unrelated")
		started=2024-01-01T00:00:00Z
		profile=pids
		network=none
		encrypted=false
		autodelete=false
		secure=false
	EOF
	write_pid_file pids pasta.pid "$unrelated"
	write_pid_file pids encfs.pid "$unrelated"
	write_pid_file pids openvpn.pid "$wrong_start" $(($(proc_start "$wrong_start") + 1))
	ln -s "$outside" "$d/dispatch.sock"

	# A state directory that is a symlink, and one with mode 0755.
	mkdir -m 0700 "$BATS_TEST_TMPDIR/elsewhere"
	cp "$d/state" "$BATS_TEST_TMPDIR/elsewhere/state"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$XDG_RUNTIME_DIR/jailsup/jails/linked"
	plant_state_dir open
	chmod 0755 "$(state_dir open)"
	cp "$d/state" "$(state_dir open)/state"

	# The supervisor starts and looks at all of them.
	jailsup daemon
	wait_for grep -q "jail 'pids' is stopped" "$XDG_RUNTIME_DIR/jailsup/daemon.log"
	wait_for grep -q "'links'" "$XDG_RUNTIME_DIR/jailsup/daemon.log"

	alive "$unrelated" || fail "the unrelated process was killed"
	alive "$wrong_start" || fail "the process with another start time was killed"
	[ "$(_fingerprint "$outside")" = "$fp_outside" ] || fail "the outside file changed"
	[ "$(_fingerprint /etc/passwd)" = "$fp_passwd" ] || fail "/etc/passwd changed"
	[ -L "$(state_dir links)/state" ] || fail "links/state was replaced"
	! grep -q "status=stopped" "$BATS_TEST_TMPDIR/elsewhere/state" || fail "the linked dir was written"
	! grep -q "status=stopped" "$(state_dir open)/state" || fail "the 0755 dir was written"

	# The CLI is as careful.
	run jailsup list --json
	assert_status 0
	echo "$output" | jq -e '
		(map(.name) | sort == ["links", "pids"]) and
		(.[] | select(.name == "links") | .status == "unknown") and
		(.[] | select(.name == "pids") | .status == "stopped" and .pid == null)' >/dev/null ||
		fail "list: $output"
	echo "$output" | jq -e 'map(.name) | index("linked") == null' >/dev/null ||
		fail "a symlinked state directory is listed: $output"
	run jailsup kill pids
	assert_status 4
	run jailsup kill links
	assert_status 4
	run jailsup kill linked
	[ "$status" -ne 0 ] || fail "kill of a symlinked state directory succeeded"
	run jailsup kill open
	[ "$status" -ne 0 ] || fail "kill of a 0755 state directory succeeded"
	run jailsup kill --all
	run jailsup enter links -- true
	assert_status 4
	alive "$unrelated" || fail "the unrelated process was killed by the CLI"
	alive "$wrong_start" || fail "the process with another start time was killed by the CLI"
	[ "$(_fingerprint "$outside")" = "$fp_outside" ] || fail "the outside file changed"

	# A jail started in the planted directory replaces the links, never
	# writes through them.
	env_profile links
	run jailsup run links -- uname -n
	assert_status 0
	[ "$output" = links ] || fail "ran in '$output'"
	[ "$(_fingerprint "$outside")" = "$fp_outside" ] || fail "the outside file changed"
	[ "$(_fingerprint /etc/passwd)" = "$fp_passwd" ] || fail "/etc/passwd changed"
	wait_status links stopped
	[ ! -L "$(state_dir links)/state" ] || fail "links/state is still the link"
	daemon_alive || fail "the supervisor died"
}

@test "a log planted as a FIFO that no rename moves aside (log.old a folder): removed, the jail starts, with or without the supervisor" {
	local mode name d
	for mode in direct supervised; do
		name=plog-$mode
		env_profile "$name"
		plant_state_dir "$name"
		d=$(state_dir "$name")
		# The start's rename of log to log.old fails (a file onto a
		# folder): the FIFO stays, and the jailer, which appends to its
		# log, refuses anything but a regular file.
		mkdir -m 0700 "$d/log.old"
		touch "$d/log.old/keep"
		mkfifo -m 0600 "$d/log"
		if [ "$mode" = direct ]; then
			run --separate-stderr jailsup run --no-daemon "$name" -- uname -n
		else
			run --separate-stderr jailsup run "$name" -- uname -n
		fi
		assert_status 0
		[ "$output" = "$name" ] || fail "$mode: ran in '$output' ($stderr)"
		[ "$mode" = supervised ] || [[ $stderr == *"its log was not a regular file, removed it"* ]] ||
			fail "the CLI did not say it: $stderr"
		[ -f "$d/log" ] && [ ! -L "$d/log" ] || fail "$mode: the log is not a regular file"
		[ -e "$d/log.old/keep" ] || fail "$mode: log.old was touched"
		wait_jail_gone "$name"
	done
	grep -q "jail 'plog-supervised': its log was not a regular file, removed it" \
		"$XDG_RUNTIME_DIR/jailsup/daemon.log" || fail "the supervisor did not say it"
}

@test "garbage, truncated and oversized control messages: the daemon stays and serves" {
	env_profile t
	jailsup daemon
	local pid
	pid=$(daemon_pid)
	python3 - "$XDG_RUNTIME_DIR/jailsup/control" >"$BATS_TEST_TMPDIR/py.out" 2>&1 <<-'EOF'
		import os, socket, struct, sys
		path = sys.argv[1]
		MAGIC, VERSION, START, REPLY = 0x4A534331, 1, 1, 2

		def msg(fields, typ=START, magic=MAGIC, version=VERSION, n=None, length=None):
		    body = b"".join(f + b"\0" for f in fields)
		    n = len(fields) if n is None else n
		    total = 16 + len(body) if length is None else length
		    return struct.pack("=IHHII", magic, version, typ, total, n) + body

		def conn():
		    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
		    s.settimeout(10)
		    s.connect(path)
		    return s

		def send(label, data):
		    s = conn()
		    try:
		        s.send(data)
		        reply = s.recv(65536)
		    except (ConnectionResetError, BrokenPipeError, socket.timeout) as e:
		        reply = repr(e).encode()
		    s.close()
		    print(label, reply[16:].replace(b"\0", b" ")[:120])

		# A silent client stays connected through all of it.
		silent = conn()
		valid = msg([b"name=t", b"created-profile=0"])
		send("empty", b"")
		send("short", b"garbage")
		send("random", os.urandom(1000))
		send("magic", msg([b"name=t"], magic=0xDEADBEEF))
		send("version", msg([b"name=t"], version=7))
		send("length", msg([b"name=t"], length=9999))
		send("nfields-huge", msg([b"name=t"], n=0xFFFFFFFF))
		send("nfields-more", msg([b"name=t"], n=2))
		send("nfields-less", msg([b"name=t", b"x=y"], n=1))
		send("no-nul", valid[:-1])
		send("truncated", valid[: len(valid) // 2])
		send("no-equals", msg([b"name"]))
		send("empty-key", msg([b"=t"]))
		send("reply-type", msg([b"name=t"], typ=REPLY))
		send("bad-type", msg([b"name=t"], typ=99))
		send("no-name", msg([b"created-profile=1"]))
		send("bad-name", msg([b"name=../../etc"]))
		send("newline-name", msg([b"name=t\nx"]))
		send("unknown-name", msg([b"name=no-such-profile"]))
		send("too-many-fields", msg([b"env=A=b"] * 600 + [b"name=t"]))
		send("oversized", msg([b"name=t", b"env=X=" + b"x" * 70000]))
		send("oversized-lie", msg([b"name=t", b"env=X=" + b"x" * 70000], length=100))
		s = conn(); s.close()
		print("connect-close ok")
		silent.close()
	EOF
	local rc=$?
	[ "$rc" -eq 0 ] || fail "the client failed: $(cat "$BATS_TEST_TMPDIR/py.out")"
	grep -q "unknown-name .*no profile named 'no-such-profile'" "$BATS_TEST_TMPDIR/py.out" ||
		fail "no answer to a START of an unknown profile: $(cat "$BATS_TEST_TMPDIR/py.out")"
	grep -q "bad-name .*status=error" "$BATS_TEST_TMPDIR/py.out" ||
		fail "no refusal of a bad name: $(cat "$BATS_TEST_TMPDIR/py.out")"
	[ "$(daemon_pid)" = "$pid" ] && alive "$pid" || fail "the daemon died: $(cat "$XDG_RUNTIME_DIR/jailsup/daemon.log")"
	[ ! -e "$XDG_RUNTIME_DIR/jailsup/jails/etc" ] || fail "a state directory was made for ../../etc"
	run jailsup run t -- uname -n
	assert_status 0
	[ "$output" = t ] || fail "ran in '$output'"
	grep -q "refusing a malformed control message" "$XDG_RUNTIME_DIR/jailsup/daemon.log" ||
		fail "the daemon did not say it refused: $(cat "$XDG_RUNTIME_DIR/jailsup/daemon.log")"
}

@test "a silent control client does not stall the supervisor" {
	env_profile t
	jailsup daemon
	# Connected, never sending (until the teardown ends it): others are
	# still served.
	bg python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
sys.stdout.write("connected\n"); sys.stdout.flush()
time.sleep(600)
' "$XDG_RUNTIME_DIR/jailsup/control" >"$BATS_TEST_TMPDIR/silent.out"
	wait_for grep -q connected "$BATS_TEST_TMPDIR/silent.out"
	run jailsup run t -- uname -n
	assert_status 0
	[ "$output" = t ] || fail "ran in '$output'"
}
