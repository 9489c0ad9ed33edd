#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Regression tests for the first security review of the jail:
#  - a directory fd must never reach a jail as stdio (it opens the host's
#    tree through openat(fd, "..")): the CLI refuses it, dispatch refuses
#    it from any client, and a CLI started with closed stdio fds does not
#    hand its own state-dir fd over;
#  - a FIFO planted in a jail's home where a file mount point goes fails
#    the next start at once, instead of hanging it;
#  - the real session bus never enters a jail: the default bus is a
#    filtering xdg-dbus-proxy (docs/jail.md "D-Bus");
#  - a start that never becomes ready is ended by the supervisor, and a
#    jail being started can be killed with SIGTERM (PID 1 used to drop it).

# $output and $status come from bats' run; scripts run in jails are
# single-quoted on purpose.
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

@test "enter with closed stdio fds never hands the jail a directory" {
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

@test "a FIFO planted where a share's mount point goes fails the start, not hangs it" {
	local shared
	shared=$(home_tmpdir)
	echo data >"$shared/file"
	write_profile fifo <<EOF
[jail]
exec = /bin/sh
network = none

[share]
ro = $shared/file
EOF
	# The jail's own home is jail-writable: plant a FIFO at the mount point.
	# (umask 077: the data folders above the home must be 0700, as the
	# jailer makes them.)
	# The private home is mounted at $HOME: the mount point of $shared/file
	# lies at the same place below it.
	(umask 077 && mkdir -p "$(jail_home fifo)/${shared#"$HOME"/}")
	mkfifo "$(jail_home fifo)/${shared#"$HOME"/}/file"
	run -125 timeout 60 jailsup run --no-daemon fifo -c "cat $shared/file"
	assert_output_contains "not a regular file"
}

@test "the default session bus is only the filtering proxy, never the real bus" {
	command -v dbus-daemon >/dev/null || fail "dbus-daemon is missing (scripts/packages.txt)"
	command -v xdg-dbus-proxy >/dev/null || fail "xdg-dbus-proxy is missing (scripts/packages.txt)"
	write_profile plain <<EOF
[jail]
exec = /bin/sh
network = none
EOF
	bg dbus-daemon --session --nofork --address="unix:path=$BATS_TEST_TMPDIR/real-bus"
	wait_for test -S "$BATS_TEST_TMPDIR/real-bus"
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$BATS_TEST_TMPDIR/real-bus"
	# A name on the real bus a jail must not reach (systemd1 stands in).
	bg python3 -c 'import dbus, sys, time
b = dbus.bus.BusConnection(sys.argv[1]); b.request_name("org.freedesktop.systemd1"); time.sleep(1000)' \
		"$DBUS_SESSION_BUS_ADDRESS"
	wait_for dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.GetNameOwner string:org.freedesktop.systemd1
	run jailsup run plain -c 'echo "addr=$DBUS_SESSION_BUS_ADDRESS"
		dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames
		cat /proc/self/mountinfo'
	assert_status 0
	assert_output_contains "addr=unix:path=$XDG_RUNTIME_DIR/bus" '"org.freedesktop.DBus"'
	[[ $output != *systemd1* ]] || fail "the jail sees systemd1: $output"
	[[ $output != *real-bus* ]] || fail "the real bus is mounted in the jail: $output"
	# The names it lists are the bus and unique names, nothing else.
	local names
	names=$(grep -o 'string "[^"]*"' <<<"$output" | grep -v -e '"org.freedesktop.DBus"' -e '":1\.[0-9]*"' || :)
	[ -z "$names" ] || fail "names beyond the bus: $names"
	# Without a supervisor there is no proxy, so no bus at all.
	run jailsup run --no-daemon plain -c 'echo "addr=${DBUS_SESSION_BUS_ADDRESS:-none}"; ls -A "$XDG_RUNTIME_DIR"'
	assert_status 0
	assert_output_contains "addr=none"
	[[ $output != *bus* ]] || fail "a bus is in the --no-daemon jail: $output"
}

@test "a start that never becomes ready is ended: 125 with the reason, status failed" {
	local script
	script=$(home_tmpdir)/hang.sh
	printf 'echo init-started\nexec sleep 1000\n' >"$script"
	write_profile hang <<EOF
[jail]
exec = /bin/sh
network = none
init-script = $script
EOF
	JAILSUP_START_TIMEOUT=2 run -125 jailsup run hang -c 'echo app-ran'
	assert_output_contains "did not become ready"
	[[ $output != *app-ran* ]] || fail "the app ran: $output"
	grep -qx 'status=failed' "$(state_dir hang)/state" || fail "state: $(cat "$(state_dir hang)/state")"
}

@test "a jail still running its init script ends on SIGTERM, without the SIGKILL fallback" {
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
