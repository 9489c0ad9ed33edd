#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# No client stalls the supervisor, and the CLI never waits on it for good:
# idle control connections (any process of the user can open them) are
# dropped after a short bound and never keep a start waiting; a supervisor
# that is stopped makes `jailsup run` fail within its bound, naming it; a
# start that is merely slow keeps talking (progress) and is not cut off,
# and one that never becomes ready is ended by the supervisor (the jail
# failed, the CLI told why).

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers

# Microseconds of the wall clock.
_now_us() {
	echo "${EPOCHREALTIME/./}"
}

@test "300 idle control connections: a start is served at once, idle ones are dropped after 2 s" {
	env_profile t
	jailsup daemon
	# Holds 300 connections that never speak; says when they are all
	# open, then when each was closed by the supervisor.
	bg python3 -c '
import select, socket, sys, time
path, n = sys.argv[1], 300
socks = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    # Blocking: a unix socket with a timeout connects non-blocking, and
    # fails with EAGAIN whenever the listen backlog is full (a supervisor
    # slowed by sanitizers accepts more slowly than we connect).
    s.connect(path)
    socks.append(s)
t0 = time.monotonic()
print("held", n, flush=True)
closed = {}
while len(closed) < n and time.monotonic() - t0 < 20:
    r, _, _ = select.select([s for s in socks if s.fileno() not in closed], [], [], 1)
    for s in r:
        if s.recv(65536) == b"":
            closed[s.fileno()] = time.monotonic() - t0
last = [closed[s.fileno()] for s in socks[-200:] if s.fileno() in closed]
print("closed", len(closed), "last200", len(last), "min %.2f max %.2f" % (min(last or [0]), max(last or [0])), flush=True)
time.sleep(600)
' "$XDG_RUNTIME_DIR/jailsup/control" >"$BATS_TEST_TMPDIR/idle.out"
	wait_for grep -q "^held 300" "$BATS_TEST_TMPDIR/idle.out"
	local t0 t1
	t0=$(_now_us)
	run timeout 20 jailsup run t -- uname -n
	t1=$(_now_us)
	assert_status 0
	[ "$output" = t ] || fail "ran in '$output'"
	# At once: not after the idle bound (2 s) of the ones ahead of it.
	[ $((t1 - t0)) -lt 1500000 ] || fail "the start took $(((t1 - t0) / 1000)) ms behind idle clients"
	wait_for grep -q "^closed" "$BATS_TEST_TMPDIR/idle.out"
	local line
	line=$(grep "^closed" "$BATS_TEST_TMPDIR/idle.out")
	# Every idle connection is closed; the newest ones (never pushed out
	# by newer ones) after the bound, not before it.
	[[ "$line" == "closed 300 last200 200 "* ]] || fail "not all closed: $line"
	local min
	min=$(echo "$line" | sed -n 's/.* min \([0-9.]*\) .*/\1/p')
	python3 -c 'import sys; v = float(sys.argv[1]); sys.exit(0 if 1.0 <= v <= 6.0 else 1)' "$min" ||
		fail "idle connections were closed after $min s, not after the 2 s bound: $line"
	daemon_alive || fail "the supervisor died"
}

@test "a stopped supervisor: jailsup run ends within its bound, naming it" {
	env_profile t
	jailsup daemon
	local pid t0 t1
	pid=$(daemon_pid)
	kill -STOP "$pid"
	t0=$(_now_us)
	JAILSUP_ANSWER_TIMEOUT=3 run timeout 30 jailsup run t -- uname -n
	t1=$(_now_us)
	kill -CONT "$pid"
	assert_status 125
	assert_output_contains "the supervisor (pid $pid) has not answered for 3 s"
	assert_output_contains "kill -CONT $pid"
	[ $((t1 - t0)) -lt 10000000 ] || fail "it took $(((t1 - t0) / 1000)) ms"
	[ $((t1 - t0)) -ge 2500000 ] || fail "it gave up after $(((t1 - t0) / 1000)) ms, before its bound"
	# Resumed, it serves again.
	run timeout 30 jailsup run t -- uname -n
	assert_status 0
	[ "$output" = t ] || fail "ran in '$output'"
}

@test "a stopped supervisor with a full backlog: the connect is bounded too" {
	env_profile t
	jailsup daemon
	local pid
	pid=$(daemon_pid)
	kill -STOP "$pid"
	# Fill its listen backlog: further connects would block.
	bg python3 -c '
import socket, sys, time
socks, n = [], 0
for i in range(2000):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except BlockingIOError:
        break
    socks.append(s)
print("full", len(socks), flush=True)
time.sleep(600)
' "$XDG_RUNTIME_DIR/jailsup/control" >"$BATS_TEST_TMPDIR/full.out"
	wait_for grep -q "^full" "$BATS_TEST_TMPDIR/full.out"
	JAILSUP_ANSWER_TIMEOUT=2 run timeout 30 jailsup run t -- uname -n
	kill -CONT "$pid"
	assert_status 125
	assert_output_contains "the supervisor (pid $pid) has not accepted our connection for 2 s"
}

@test "a slow start (an init script of 5 s) is not cut off, and shows its progress" {
	cat >"$BATS_TEST_TMPDIR/slow-init.sh" <<-'EOF'
		sleep 5
	EOF
	env_profile t "init-script = $BATS_TEST_TMPDIR/slow-init.sh"
	jailsup daemon
	JAILSUP_ANSWER_TIMEOUT=2 run --separate-stderr timeout 60 jailsup run t -- uname -n
	assert_status 0
	[ "$output" = t ] || fail "ran in '$output'"
	[[ "$stderr" == *"jail 't': waiting for the jail (its init script, then the app)"* ]] ||
		fail "no progress shown: $stderr"
	# Each message once, not at every repeat.
	[ "$(grep -c "waiting for the jail" <<<"$stderr")" -eq 1 ] || fail "repeated: $stderr"
	# A fast start shows none.
	env_profile fast
	JAILSUP_ANSWER_TIMEOUT=2 run --separate-stderr timeout 60 jailsup run fast -- uname -n
	assert_status 0
	[ "$output" = fast ] || fail "ran in '$output'"
	[ -z "$stderr" ] || fail "a fast start printed: $stderr"
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
