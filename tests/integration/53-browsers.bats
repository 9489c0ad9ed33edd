#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Real browsers keep their own sandboxes (the userns right, docs/jail.md
# "A nested user namespace"): Chromium and Firefox ESR, as Debian ships
# them (scripts/packages.txt), run headless in their shipped profiles;
# their sandboxed processes (Chromium's renderers, Firefox's content
# processes) are in user namespaces of their own, seen from the host. The
# same profiles without the right show what every jail did before it:
# Chromium refuses to start, Firefox prints its clone() failure. Then the
# escape floor, played as a nested root inside a jail with the right:
# every probe refused by the jail's filter, which the kernel alone would
# have let through (tried on the host as the same nested root); the count
# of nested user namespaces bounded; Landlock's scope inherited.
#
# Each app start is bounded by the app's own exit, or by waiting for its
# processes (wait_for, with a deadline); an app start takes 10 to 15 s.

# $output and $status come from bats' run.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers

TRY=$JAILSUP_BUILD/tests/helpers/try-syscall

setup() {
	[ -x /usr/bin/chromium ] || fail "chromium is not installed (scripts/packages.txt)"
	[ -x /usr/bin/firefox-esr ] || fail "firefox-esr is not installed (scripts/packages.txt)"
	# The shipped browser profiles share ~/Downloads: the page lies there.
	if [ ! -e "$HOME/Downloads" ]; then
		mkdir "$HOME/Downloads"
		remove_after "$HOME/Downloads"
	fi
	PAGE=$HOME/Downloads/jailsup-53-$$-$BATS_TEST_NUMBER.html
	remove_after "$PAGE"
	echo '<html><body><p id="x">hello from the jail</p></body></html>' >"$PAGE"
}

# shipped_without_userns NAME COPY: the shipped profile NAME as the user's
# profile COPY, with the userns right taken out of its allow line.
shipped_without_userns() {
	local f=$JAILSUP_BUILD/share/jailsup/profiles/$1.ini
	grep -q '^allow = .*userns' "$f" || fail "the shipped $1.ini does not allow userns"
	sed -E '/^allow = /{s/, userns//;s/userns, //;s/^allow = userns$//}' "$f" | write_profile "$2"
	! grep -q '^allow = .*userns' "$XDG_CONFIG_HOME/jailsup/profiles/$2.ini" || fail "userns left in $2.ini"
}

# dispatch_pid NAME: the host PID of the jail's PID 1, the child of its
# jailer.
dispatch_pid() {
	local jailer
	jailer=$(_jailers_of "$(state_dir "$1")" | head -n 1)
	[ -n "$jailer" ] || return 1
	pgrep -P "$jailer" | head -n 1
}

# pids_with ARG: our processes with ARG among their arguments.
pids_with() {
	pgrep -u "$(id -u)" -f -- "$1"
}

# sandboxed_elsewhere NAME ARG: every process of ours with ARG in its
# command line (at least one) is in a user namespace other than the jail's
# dispatch and other than ours; prints them.
sandboxed_elsewhere() {
	local name=$1 arg=$2 pid d jail_ns host_ns ns n=0
	d=$(dispatch_pid "$name") || fail "no dispatch of '$name'"
	jail_ns=$(readlink "/proc/$d/ns/user")
	host_ns=$(readlink /proc/self/ns/user)
	[ "$jail_ns" != "$host_ns" ] || fail "dispatch is in our user namespace"
	for pid in $(pids_with "$arg"); do
		ns=$(readlink "/proc/$pid/ns/user") || continue
		[ "$ns" != "$jail_ns" ] || fail "$arg process $pid is in the jail's user namespace $ns"
		[ "$ns" != "$host_ns" ] || fail "$arg process $pid is in the host's user namespace"
		echo "$arg $pid $ns (jail: $jail_ns)"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "no $arg process"
}

@test "chromium: its shipped profile runs it headless with its own sandbox, renderers in user namespaces of their own" {
	run jailsup run chromium --headless --dump-dom "file://$PAGE"
	[ "$status" -eq 0 ] || fail "chromium exited $status: $output"
	assert_output_contains '<p id="x">hello from the jail</p>'
	[[ "$output" != *"No usable sandbox"* ]] || fail "$output"

	# A long-running instance, to look at its processes from the host.
	bg jailsup run chromium --headless "file://$PAGE" >"$BATS_TEST_TMPDIR/chromium.log" 2>&1
	wait_for --timeout 60 pids_with --type=renderer
	run sandboxed_elsewhere chromium --type=renderer
	[ "$status" -eq 0 ] || fail "$output"$'\n'"$(cat "$BATS_TEST_TMPDIR/chromium.log")"
	! pids_with --no-sandbox || fail "a process runs with --no-sandbox: $(pgrep -af -- --no-sandbox)"
}

@test "chromium-secure: its shipped profile runs it headless with its own sandbox, in a throwaway jail" {
	# No share: the page is a data: URL, not a file of ours.
	run jailsup run chromium-secure --headless --dump-dom \
		'data:text/html,<p id="x">hello from the secure jail</p>'
	[ "$status" -eq 0 ] || fail "chromium exited $status: $output"
	assert_output_contains '<p id="x">hello from the secure jail</p>'
	[[ "$output" != *"No usable sandbox"* ]] || fail "$output"
	# autodelete: once its last app is gone, so is its home.
	wait_jail_gone chromium-secure
	wait_for_gone "$(jail_home chromium-secure)"

	bg jailsup run chromium-secure --headless 'data:text/html,<p>still here</p>' \
		>"$BATS_TEST_TMPDIR/chromium-secure.log" 2>&1
	wait_for --timeout 60 pids_with --type=renderer
	run sandboxed_elsewhere chromium-secure --type=renderer
	[ "$status" -eq 0 ] || fail "$output"$'\n'"$(cat "$BATS_TEST_TMPDIR/chromium-secure.log")"
	! pids_with --no-sandbox || fail "a process runs with --no-sandbox: $(pgrep -af -- --no-sandbox)"
}

@test "chromium without the userns right: No usable sandbox, as in every jail before the right" {
	shipped_without_userns chromium chromium-nouserns
	run jailsup run chromium-nouserns --headless --dump-dom "file://$PAGE"
	[ "$status" -ne 0 ] || fail "chromium started without the right: $output"
	assert_output_contains "No usable sandbox"
}

@test "firefox-esr: its shipped profile takes a screenshot with its content sandbox, content processes in user namespaces of their own" {
	local png=$HOME/Downloads/jailsup-53-$$.png
	remove_after "$png"
	run jailsup run firefox-esr --headless --screenshot "$png" "file://$PAGE"
	[ "$status" -eq 0 ] || fail "firefox-esr exited $status: $output"
	[ "$(head -c 4 "$png" | od -An -tx1 | tr -d ' ')" = 89504e47 ] || fail "no PNG: $output"
	[[ "$output" != *"CanCreateUserNamespace() clone() failure"* ]] || fail "$output"

	bg jailsup run firefox-esr --headless "file://$PAGE" >"$BATS_TEST_TMPDIR/firefox.log" 2>&1
	wait_for --timeout 60 pids_with -contentproc
	run sandboxed_elsewhere firefox-esr -contentproc
	[ "$status" -eq 0 ] || fail "$output"$'\n'"$(cat "$BATS_TEST_TMPDIR/firefox.log")"
}

@test "firefox-esr without the userns right: its content sandbox fails, as in every jail before the right" {
	local png=$HOME/Downloads/jailsup-53-$$-nouserns.png
	remove_after "$png"
	shipped_without_userns firefox-esr firefox-nouserns
	run jailsup run firefox-nouserns --headless --screenshot "$png" "file://$PAGE"
	assert_output_contains "CanCreateUserNamespace() clone() failure: EPERM"
}

# What a nested root could do but for the jail's filter: each probe with
# the errno the filter gives (docs/jail.md "A nested user namespace").
FLOOR_FILTERED=(keyctl=EPERM add-key=EPERM bpf=EPERM perf-event-open=EPERM
	io-uring-setup=EPERM unshare-newns=EPERM unshare-newuts=EPERM unshare-newcgroup=EPERM
	unshare-newtime=EPERM socket-netlink-route=EAFNOSUPPORT
	socket-netlink-generic=EAFNOSUPPORT socket-inet-raw=EPERM socket-inet6-raw=EPERM
	socket-inet-packet=EPERM socket-packet=EAFNOSUPPORT socket-vsock=EAFNOSUPPORT
	setsockopt-ipt=EPERM ioctl-brctl=EPERM)
# Refused by the filter and by the kernel too: the nested root owns no
# mount namespace (it may make none), and dispatch is not its to trace.
FLOOR_BOTH=(mount=EPERM umount=EPERM pivot-root=EPERM fsopen=EPERM fsmount=EPERM
	move-mount=EPERM open-tree=EPERM fspick=EPERM userfaultfd=EPERM ptrace=EPERM)
# What the browsers' sandboxes make, allowed.
FLOOR_ALLOWED=(unshare-sandbox=OK clone-sandbox=OK socket-inet=OK socket-unix=OK)

# floor_names LIST…: the probe names of NAME=ERRNO items.
floor_names() {
	local item
	for item in "$@"; do echo "${item%%=*}"; done
}

@test "the escape floor of a nested root: the jail's filter binds it, probe by probe, where the kernel alone would not" {
	local item name want got all
	write_profile nestfloor <<EOF
[jail]
exec = $TRY
network = none
[rights]
allow = userns
EOF
	mapfile -t all < <(floor_names "${FLOOR_FILTERED[@]}" "${FLOOR_BOTH[@]}" "${FLOOR_ALLOWED[@]}")
	run --separate-stderr jailsup run --no-daemon nestfloor --as-nested-root "${all[@]}"
	assert_status 0
	# Root of its namespace, with every capability there.
	grep -qE '^nested-root 0*1f+$' <<<"$output" || fail "not a nested root: $output"
	for item in "${FLOOR_FILTERED[@]}" "${FLOOR_BOTH[@]}" "${FLOOR_ALLOWED[@]}"; do
		name=${item%%=*} want=${item#*=}
		got=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$output")
		[ "$got" = "$want" ] || fail "in the jail, $name: '$got', want $want"$'\n'"$output"
	done
	# The same nested root on the host: the kernel lets each through.
	run --separate-stderr "$TRY" --as-nested-root "${all[@]}"
	assert_status 0
	for item in "${FLOOR_FILTERED[@]}"; do
		name=${item%%=*} want=${item#*=}
		got=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$output")
		[ -n "$got" ] && [ "$got" != "$want" ] ||
			fail "on the host, $name: '$got': the kernel refuses it by itself"$'\n'"$output"
	done
}

@test "a secure jail's nested root may not trace even its own processes: the filter's secure rules bind it too" {
	write_profile nestsecure <<EOF
[jail]
exec = $TRY
network = none
secure = true
[rights]
allow = userns
EOF
	run --separate-stderr jailsup run --no-daemon nestsecure --as-nested-root ptrace-child \
		process-vm-readv kcmp
	assert_status 0
	grep -qE '^nested-root 0*1f+$' <<<"$output" || fail "not a nested root: $output"
	[ "$(grep -v '^nested-root' <<<"$output" | paste -sd' ')" = \
		"ptrace-child EPERM process-vm-readv EPERM kcmp EPERM" ] || fail "in the jail: $output"
	run --separate-stderr "$TRY" --as-nested-root ptrace-child process-vm-readv kcmp
	[ "$(grep -v '^nested-root' <<<"$output" | paste -sd' ')" = \
		"ptrace-child OK process-vm-readv OK kcmp OK" ] || fail "on the host: $output"
}

# A nested root owns the network and IPC namespaces it makes, and so their
# sysctls, unless /proc/sys is read-only: ping_group_range would open ICMP
# sockets to it (the code of CVE-2017-2671).
@test "a nested root cannot change its namespaces' sysctls: /proc/sys, sysrq-trigger are read-only" {
	sh_profile nestsys
	printf '[rights]\nallow = userns\n' >>"$XDG_CONFIG_HOME/jailsup/profiles/nestsys.ini"
	run jailsup run --no-daemon nestsys -c '
		unshare -Urn sh -c "echo \"0 0\" >/proc/sys/net/ipv4/ping_group_range" 2>&1 && echo WROTE
		echo 1 >/proc/sysrq-trigger 2>&1 && echo TRIGGERED
		grep -E " /proc/sys(rq-trigger)? " /proc/self/mountinfo'
	[[ $output != *WROTE* && $output != *TRIGGERED* ]] || fail "$output"
	assert_output_contains "Read-only file system"
	grep -qE ' /proc/sys ro,' <<<"$output" || fail "$output"
	# The kernel alone would let it: a nested root on the host.
	run unshare -Urn sh -c 'echo "0 0" >/proc/sys/net/ipv4/ping_group_range && echo WROTE'
	assert_output_contains WROTE
}

@test "nested user namespaces: none without the right, at most 256 a jail with it; the host's limit is far above" {
	write_profile nestcount <<EOF
[jail]
exec = $TRY
network = none
[rights]
allow = userns
EOF
	write_profile nestnone <<EOF
[jail]
exec = $TRY
network = none
EOF
	run --separate-stderr jailsup run --no-daemon nestcount userns-count
	assert_status 0
	[ "$output" = "userns-count 256 ENOSPC" ] || fail "with the right: $output"
	# A nested root's own limit (its namespace's user.max_user_namespaces,
	# which it may raise) does not lift the jail's: it counts too.
	run --separate-stderr jailsup run --no-daemon nestcount --as-nested-root userns-count
	assert_status 0
	assert_output_contains "userns-count 255 ENOSPC"
	run --separate-stderr jailsup run --no-daemon nestnone userns-count
	assert_status 0
	[ "$output" = "userns-count 0 EPERM" ] || fail "without the right: $output"
	# The host's own limit lets the user make all 1000.
	run --separate-stderr "$TRY" userns-count
	[ "$output" = "userns-count OK" ] || fail "on the host: $output"
}

@test "Landlock's scope binds a nested root: a network = host jail's nested namespace still cannot reach the host's abstract sockets" {
	local name=jailsup-53-$$ abi
	abi=$(python3 -c 'import ctypes, sys; sys.stdout.write(str(ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1)))')
	[ "$abi" -ge 6 ] || fail "this kernel has Landlock ABI '$abi': the test needs 6 or later"
	bg python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind("\0" + sys.argv[1])
s.listen(8)
while True:
    s.accept()[0].close()' "$name"
	local probe='import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("\0" + sys.argv[1])
    print("connected")
except OSError as e:
    print("refused:", e.strerror)'
	host_connects() { python3 -c "$probe" "$name" | grep -qx connected; }
	wait_for host_connects
	write_profile nesthost <<EOF
[jail]
exec = /usr/bin/unshare
network = host
[rights]
allow = userns
EOF
	run --separate-stderr jailsup run --no-daemon nesthost --user --map-root-user \
		python3 -c "import os; print('uid', os.getuid())
$probe" "$name"
	assert_status 0
	assert_output_contains "uid 0"
	assert_output_contains "refused: Operation not permitted"
}

@test "explain says whether a jail may make nested namespaces" {
	write_profile withns <<EOF
[jail]
exec = /bin/true
[rights]
allow = userns
EOF
	write_profile withoutns <<EOF
[jail]
exec = /bin/true
EOF
	run jailsup explain withns
	assert_status 0
	assert_output_contains "nested namespaces: user, PID, network, IPC allowed (userns)"
	assert_output_contains "socket families: AF_UNIX, AF_INET, AF_INET6; any other refused"
	run jailsup explain withoutns
	assert_status 0
	assert_output_contains "clone/unshare(CLONE_NEWUSER): denied (the userns right allows"
	assert_output_contains "AF_NETLINK (NETLINK_ROUTE only)"
}

@test "jailsup check: a nested user namespace is granted by the right, closed without it, the rest of the floor as before" {
	local name want
	write_profile ckns <<EOF2
[jail]
exec = /bin/sh
network = none
secure = true
[rights]
allow = userns
EOF2
	write_profile cknone <<EOF2
[jail]
exec = /bin/sh
network = none
secure = true
EOF2
	for name in ckns cknone; do
		want=closed
		[ "$name" = cknone ] || want=granted
		run --separate-stderr jailsup check "$name" --json
		assert_status 0
		[ "$(jq -r '[.checks[] | select(.channel == "nested user namespace") | .result][0]' <<<"$output")" = "$want" ] ||
			fail "$name: nested user namespace is not $want: $output"
		jq -e '.open == 0' <<<"$output" >/dev/null || fail "$name: $output"
		jq -e '[.checks[] | select(.channel == "seccomp filter" or .channel == "no_new_privs") | .result] == ["closed", "closed"]' \
			<<<"$output" >/dev/null || fail "$name: $output"
	done
}
