#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The security floor of every jail (docs/jail.md): no capability in any
# set, no_new_privs, the seccomp filter and its table of denied calls with
# their errnos, the socket families a jail may create, io_uring behind its
# right, TIOCSTI on the terminal the jail was started from, ptrace.
# try-syscall (tests/helpers) makes the calls; each denial that the kernel
# would not give by itself anyway is also tried on the host, so a filter
# that is missing makes these tests fail.

# $output, $status, $lines and $stderr come from bats' run; the scripts
# run in jails are single-quoted on purpose; bg hands its stdin on.
# shellcheck disable=SC2016,SC2154,SC2217

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers

TRY=$JAILSUP_BUILD/tests/helpers/try-syscall

setup() {
	write_profile try <<EOF
[jail]
exec = $TRY
network = none
EOF
	write_profile trysecure <<EOF
[jail]
exec = $TRY
network = none
secure = true
EOF
	write_profile floor <<EOF
[jail]
exec = /bin/sh
network = none
EOF
	write_profile floorsecure <<EOF
[jail]
exec = /bin/sh
network = none
secure = true
EOF
	write_profile tryhost <<EOF
[jail]
exec = $TRY
network = host
EOF
	write_profile trypasta <<EOF
[jail]
exec = $TRY
network = pasta
EOF
	write_profile tryuring <<EOF
[jail]
exec = $TRY
network = none
[rights]
allow = io_uring
EOF
	write_profile trysecureuring <<EOF
[jail]
exec = $TRY
network = none
secure = true
[rights]
allow = io_uring
EOF
}

# on_pty CMD…: CMD with a fresh pseudo-terminal as stdin, one that is no
# session's controlling terminal yet (so a process in the jail could make
# it its own); stdout and stderr stay ours.
on_pty() {
	python3 -c '
import os, subprocess, sys
master, slave = os.openpty()
sys.exit(subprocess.run(sys.argv[1:], stdin=slave).returncode)' "$@"
}

# check_calls WHAT NAME=WANT…: try-syscall's line for NAME in $output is
# "NAME WANT".
check_calls() {
	local what=$1 pair name want line
	shift
	for pair in "$@"; do
		name=${pair%%=*}
		want=${pair#*=}
		line=$(grep -m1 "^$name " <<<"$output") || fail "$what: $name not tried: $output"
		[ "$line" = "$name $want" ] || fail "$what: '$line', not '$name $want'; all: $output"
	done
}

# The privileges a process has, from its /proc/PID/status.
# shellcheck disable=SC2016
PRIVS='grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" "/proc/$1/status" | tr -s "\t " " "'
NO_PRIVS="CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapBnd: 0000000000000000
CapAmb: 0000000000000000
NoNewPrivs: 1
Seccomp: 2"

@test "no capability in any set, no_new_privs and seccomp: the app, PID 1, a second app, enter" {
	local pid
	# On the host the bounding set is full: the check below can fail.
	run sh -c "$PRIVS" sh self
	[[ $output == *"CapBnd: "* && $output != *"CapBnd: 0000000000000000"* ]] ||
		fail "on the host: $output"

	run jailsup run --no-daemon floor -c "$PRIVS" sh self
	assert_status 0
	[ "$output" = "$NO_PRIVS" ] || fail "the app: $output"
	run jailsup run --no-daemon floor -c "$PRIVS" sh 1
	assert_status 0
	[ "$output" = "$NO_PRIVS" ] || fail "PID 1: $output"

	mkfifo "$BATS_TEST_TMPDIR/go"
	exec 4<>"$BATS_TEST_TMPDIR/go"
	bg jailsup run --no-daemon floor -c 'echo first; read -r _' <"$BATS_TEST_TMPDIR/go" \
		>"$BATS_TEST_TMPDIR/app1.out"
	pid=$BG_PID
	wait_for grep -qx first "$BATS_TEST_TMPDIR/app1.out"
	run jailsup run --no-daemon floor -c "$PRIVS" sh self
	assert_status 0
	[ "$output" = "$NO_PRIVS" ] || fail "a second app: $output"
	run jailsup enter floor -- sh -c "$PRIVS" sh self
	assert_status 0
	[ "$output" = "$NO_PRIVS" ] || fail "enter: $output"
	echo go >&4
	wait "$pid"
	exec 4>&-

	run jailsup run --no-daemon floorsecure -c "$PRIVS" sh self
	assert_status 0
	[ "$output" = "$NO_PRIVS" ] || fail "a secure jail: $output"
}

@test "the user is mapped to itself and nothing else; every mount is nosuid" {
	run jailsup run --no-daemon floor -c '
		cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u
		awk "\$6 !~ /(^|,)nosuid(,|$)/ { print \"SUID MOUNT\", \$5, \$6 }" /proc/self/mountinfo'
	assert_status 0
	[ "${lines[0]}" = "$(printf '%10s %10s %10s' "$(id -u)" "$(id -u)" 1)" ] || fail "uid_map: ${lines[0]}"
	[ "${lines[1]}" = "$(printf '%10s %10s %10s' "$(id -g)" "$(id -g)" 1)" ] || fail "gid_map: ${lines[1]}"
	[ "${lines[2]}" = deny ] || fail "setgroups: ${lines[2]}"
	[ "${lines[3]}" = "$(id -u)" ] || fail "uid: ${lines[3]}"
	[ "${#lines[@]}" -eq 4 ] || fail "$output"
}

@test "every call of the seccomp table fails with its errno: EPERM, clone3 ENOSYS" {
	local name want
	run on_pty jailsup run --no-daemon try
	assert_status 0
	local -A got=()
	local line
	for line in "${lines[@]}"; do
		got[${line%% *}]=${line#* }
	done
	for name in tiocsti tioclinux clone-newuser clone3 mount umount pivot-root fsopen fsmount \
		move-mount open-tree fspick fsconfig mount-setattr keyctl add-key request-key bpf \
		perf-event-open userfaultfd kexec-load kexec-file-load init-module finit-module \
		delete-module acct swapon swapoff reboot syslog quotactl uselib iopl ioperm vhangup \
		open-by-handle-at lookup-dcookie nfsservctl modify-ldt ptrace unshare-newuser \
		personality; do
		want=EPERM
		[ "$name" != clone3 ] || want=ENOSYS
		[ "${got[$name]:-}" = "$want" ] ||
			fail "$name: '${got[$name]:-not tried}', not $want; all: $output"
	done
	[ "${#got[@]}" -eq 42 ] || fail "try-syscall tried ${#got[@]} calls: $output"
}

@test "the denials come from the filter: the same calls succeed or fail otherwise on the host" {
	local name
	# One process per call: unshare and personality change their caller.
	for name in clone-newuser clone3 unshare-newuser personality keyctl bpf perf-event-open \
		lookup-dcookie nfsservctl modify-ldt; do
		run "$TRY" "$name"
		assert_status 0
		[[ $output == "$name "* && $output != "$name EPERM" ]] ||
			fail "on the host, $output: the jail's EPERM would prove nothing"
	done
	# And the filter allows what it does not list: personality(PER_LINUX),
	# and a plain fork (clone without CLONE_NEWUSER).
	run jailsup run --no-daemon try personality-linux
	assert_status 0
	[ "$output" = "personality-linux OK" ] || fail "$output"
	run jailsup run --no-daemon floor -c '(exit 7); echo "subshell $?"'
	assert_status 0
	[ "$output" = "subshell 7" ] || fail "$output"
}

@test "TIOCSTI on the terminal the jail was started from: EPERM, even as its controlling terminal" {
	# The jail's stdin is a real terminal (a pty of the jail, relayed, which is
	# already the controlling terminal of the app).
	run on_pty jailsup run --no-daemon floor -c 'test -t 0 && echo "stdin is a tty"'
	assert_status 0
	[ "$output" = "stdin is a tty" ] || fail "$output"
	# On the host the same attempt gets through (or fails otherwise, on a
	# kernel without legacy TIOCSTI): only the filter says EPERM.
	run on_pty "$TRY" tiocsti-ctty
	assert_status 0
	[[ $output == "tiocsti-ctty "* && $output != "tiocsti-ctty EPERM" &&
		$output != *no-ctty* ]] || fail "on the host: $output"
	run on_pty jailsup run --no-daemon try tiocsti-ctty tiocsti tioclinux
	assert_status 0
	[ "$output" = "tiocsti-ctty EPERM"$'\n'"tiocsti EPERM"$'\n'"tioclinux EPERM" ] ||
		fail "in the jail: $output"
	run on_pty jailsup run --no-daemon trysecure tiocsti-ctty
	assert_status 0
	[ "$output" = "tiocsti-ctty EPERM" ] || fail "in a secure jail: $output"
}

@test "the 32-bit x86 ABI gets the same filter; socket() through socketcall(2) is refused" {
	local calls=(i386-unshare-newuser i386-keyctl i386-socket-vsock i386-socketcall-vsock
		i386-socketcall-unix)
	[ "$(uname -m)" = x86_64 ] || fail "this test knows only x86-64, not $(uname -m)"
	run "$TRY" "${calls[@]}"
	assert_status 0
	# A machine without the 32-bit entry (some hypervisors) faults on
	# int 0x80 before any system call: the jail must fault the same way,
	# and never get a call through.
	if [ "$output" = "$(printf '%s NOABI\n' "${calls[@]}")" ]; then
		run jailsup run --no-daemon try "${calls[@]}"
		assert_status 0
		[ "$output" = "$(printf '%s NOABI\n' "${calls[@]}")" ] || fail "$output"
		return 0
	fi
	check_calls "on the host" i386-unshare-newuser=OK i386-keyctl=OK i386-socketcall-unix=OK
	run jailsup run --no-daemon try "${calls[@]}"
	assert_status 0
	# socketcall's arguments are in memory, where seccomp cannot look: its
	# socket() is refused whatever the family, the direct one is checked.
	check_calls "in the jail" i386-unshare-newuser=EPERM i386-keyctl=EPERM \
		i386-socket-vsock=EAFNOSUPPORT i386-socketcall-vsock=EAFNOSUPPORT \
		i386-socketcall-unix=EAFNOSUPPORT
}

@test "ptrace: PID 1 is out of reach in every jail; a secure jail denies ptrace and its kin" {
	local extra=(ptrace ptrace-child process-vm-readv kcmp)
	# A normal jail: dispatch is undumpable, but a child of one's own may
	# be traced (no filter rule), which shows the PID 1 denial is real.
	run jailsup run --no-daemon try "${extra[@]}"
	assert_status 0
	[ "$output" = "ptrace EPERM
ptrace-child OK
process-vm-readv OK
kcmp OK" ] || fail "a normal jail: $output"
	run jailsup run --no-daemon trysecure "${extra[@]}"
	assert_status 0
	[ "$output" = "ptrace EPERM
ptrace-child EPERM
process-vm-readv EPERM
kcmp EPERM" ] || fail "a secure jail: $output"
	# dispatch's memory and environment stay closed to the apps.
	run jailsup run --no-daemon floor -c 'cat /proc/1/environ >/dev/null 2>&1 && echo READABLE; ls -l /proc/1/exe 2>&1 >/dev/null | grep -c "Permission denied"'
	assert_status 0
	[ "$output" = 1 ] || fail "/proc/1 of the jail: $output"
}

# The socket() and socketpair() attempts of try-syscall: the families every
# jail has, routing netlink, the netlink protocols no jail has, and the
# families no jail has.
SOCKETS_KEPT=(socket-unix socket-inet socket-inet6 socketpair-unix)
NETLINK_OTHER=(socket-netlink-uevent socket-netlink-audit socket-netlink-generic
	socket-netlink-sock-diag)
SOCKETS_REFUSED=(socket-vsock socket-packet socket-key socket-alg socket-bluetooth socket-can
	socketpair-inet)

# expect_sockets WHAT SECURE: $output has the answers of a jail (secure or
# not) to every socket attempt; HOST_INET6 is the host's answer for IPv6.
expect_sockets() {
	local what=$1 secure=$2 name netlink=EPROTONOSUPPORT route=OK
	if [ "$secure" = secure ]; then
		netlink=EAFNOSUPPORT
		route=EAFNOSUPPORT
	fi
	check_calls "$what" socket-unix=OK socket-inet=OK socket-inet6="$HOST_INET6" \
		socketpair-unix=OK socket-netlink-route="$route"
	for name in "${NETLINK_OTHER[@]}"; do
		check_calls "$what" "$name=$netlink"
	done
	for name in "${SOCKETS_REFUSED[@]}"; do
		check_calls "$what" "$name=EAFNOSUPPORT"
	done
}

@test "socket families: unix and IP in every jail, routing netlink outside secure jails, nothing else" {
	local all=("${SOCKETS_KEPT[@]}" socket-netlink-route "${NETLINK_OTHER[@]}" "${SOCKETS_REFUSED[@]}")
	# On the host the test user makes what the kernel lets it: netlink of
	# every protocol, AF_VSOCK where the machine has /dev/vsock (a VM; not
	# namespaced, it reaches past any network namespace), AF_PACKET is
	# the kernel's EPERM, socketpair(AF_INET) its EOPNOTSUPP. The jails'
	# EAFNOSUPPORT and EPROTONOSUPPORT are the filter's.
	run "$TRY" "${all[@]}"
	assert_status 0
	check_calls "on the host" socket-unix=OK socket-inet=OK socketpair-unix=OK \
		socket-netlink-route=OK socket-netlink-uevent=OK socket-netlink-audit=OK \
		socket-netlink-generic=OK socketpair-inet=EOPNOTSUPP socket-packet=EPERM
	HOST_INET6=$(grep -m1 "^socket-inet6 " <<<"$output") || fail "$output"
	HOST_INET6=${HOST_INET6#* }
	[ "$HOST_INET6" = OK ] || [ "$HOST_INET6" = EAFNOSUPPORT ] || fail "$output"

	run jailsup run --no-daemon try "${all[@]}"
	assert_status 0
	expect_sockets "network = none" default
	run jailsup run --no-daemon tryhost "${all[@]}"
	assert_status 0
	expect_sockets "network = host" default
	run jailsup run trypasta "${all[@]}"
	assert_status 0
	expect_sockets "network = pasta" default
	run jailsup run --no-daemon trysecure "${all[@]}"
	assert_status 0
	expect_sockets "secure" secure
}

@test "io_uring: refused without its right, secure jails too; the right gives it back" {
	# The host has io_uring (kernel.io_uring_disabled = 0): EPERM is the filter's.
	run "$TRY" io-uring-setup
	assert_status 0
	[ "$output" = "io-uring-setup OK" ] || fail "on the host: $output"
	run jailsup run --no-daemon try io-uring-setup
	assert_status 0
	[ "$output" = "io-uring-setup EPERM" ] || fail "a default jail: $output"
	run jailsup run --no-daemon trysecure io-uring-setup
	assert_status 0
	[ "$output" = "io-uring-setup EPERM" ] || fail "a secure jail: $output"
	run jailsup run --no-daemon tryuring io-uring-setup
	assert_status 0
	[ "$output" = "io-uring-setup OK" ] || fail "allow = io_uring: $output"
	run jailsup run --no-daemon trysecureuring io-uring-setup ptrace-child
	assert_status 0
	[ "$output" = "io-uring-setup OK"$'\n'"ptrace-child EPERM" ] ||
		fail "secure with allow = io_uring: $output"
}

# The kernel's Landlock ABI (landlock_create_ruleset(NULL, 0, VERSION)).
landlock_abi() {
	python3 -c 'import ctypes, sys; sys.stdout.write(str(ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1)))'
}

@test "signals: a pidfd of a host process sent into a jail cannot signal it, network = host too" {
	local dir=$BATS_TEST_TMPDIR/pidfd pid net
	mkdir "$dir"
	bg sleep 600
	pid=$BG_PID
	# A host service that hands each client a pidfd of a process of the
	# user (D-Bus, through a jail's proxy, carries fds as well).
	bg python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + "/sock")
s.listen(4)
while True:
    c, _ = s.accept()
    fd = os.pidfd_open(int(sys.argv[2]))
    socket.send_fds(c, [b"pidfd"], [fd])
    os.close(fd)
    c.close()' "$dir" "$pid"
	wait_for test -S "$dir/sock"
	# Signal 0 through the pidfd received: nothing is sent, only asked.
	local recv='import signal, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1] + "/sock")
_, fds, _, _ = socket.recv_fds(s, 16, 1)
try:
    signal.pidfd_send_signal(fds[0], 0)
    print("signalled")
except OSError as e:
    print("refused:", e.strerror)'
	run python3 -c "$recv" "$dir"
	assert_status 0
	[ "$output" = signalled ] || fail "on the host: $output"
	# The PID namespace refuses a pidfd of a process outside it (EINVAL);
	# Landlock's signal scope (docs/jail.md "Landlock") stands behind it.
	for net in none host; do
		write_profile "pidfd$net" <<EOF
[jail]
exec = /usr/bin/python3
network = $net
[share]
ro = $dir
EOF
		run jailsup run --no-daemon "pidfd$net" -c "$recv" "$dir"
		assert_status 0
		[ "$output" = "refused: Invalid argument" ] || fail "network = $net: $output"
	done
	_alive "$pid" || fail "the host's process is gone"
}

@test "explain says what the floor of this kernel is: Landlock ABI, io_uring, socket families" {
	local abi
	abi=$(landlock_abi)
	[ "$abi" -ge 6 ] || fail "this kernel has Landlock ABI '$abi': the tests need 6 or later"
	run jailsup explain tryhost
	assert_status 0
	assert_output_contains \
		"landlock: ABI $abi: abstract unix sockets and signals scoped to the jail (the host's abstract sockets refused, X11's among them)" \
		"io_uring_*: denied (the io_uring right allows them)" \
		"socket families: AF_UNIX, AF_INET, AF_INET6, AF_NETLINK (NETLINK_ROUTE only); any other refused" \
		"modify_ldt"
	run jailsup explain trysecureuring
	assert_status 0
	assert_output_contains "landlock: ABI $abi: abstract unix sockets and signals scoped to the jail" \
		"io_uring_*: allowed (io_uring)" \
		"socket families: AF_UNIX, AF_INET, AF_INET6; any other refused"
}
