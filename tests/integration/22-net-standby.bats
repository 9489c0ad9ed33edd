#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The net standby (docs/architecture.md §5, "pasta ahead"): beside its standby
# jailer the supervisor keeps a `jailer --standby-net` whose user and
# network namespaces pasta serves before any start asks for them. A start
# of `network = pasta` with no forward ports takes it once its pasta is
# ready (its network namespace, its pasta.pid); every other start never
# enters a namespace that pasta was attached to. A standby whose pasta
# died is replaced, and the supervisor's death ends the standby, its
# tether and its pasta. The jail's real traffic through a standby's pasta
# is played in 60-network.bats, beside a server of its fixture.

# $output and $status come from bats' run; the scripts run in jails are
# single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load vpn-helpers

# Its pasta is up within this (two shared cores, a sanitizer build).
READY=20

# ready_standby: waits for the supervisor's net standby to be ready and
# sets JAILER, TETHER, PASTA (its PIDs), NETNS and USERNS (the namespaces the
# jailer made ahead and holds), NETNS_FD and USERNS_FD (their /proc paths).
ready_standby() {
	local pids
	wait_for --timeout "$READY" standby_net_pids
	pids=$(standby_net_pids)
	{
		read -r JAILER
		read -r TETHER
		read -r PASTA
	} <<<"$pids"
	NETNS_FD=$(standby_ns_fd "$JAILER" net) || fail "the net standby $JAILER holds no network namespace"
	USERNS_FD=$(standby_ns_fd "$JAILER" user) || fail "the net standby $JAILER holds no user namespace"
	NETNS=$(readlink "$NETNS_FD")
	USERNS=$(readlink "$USERNS_FD")
}

# in_standby_ns CMD…: CMD in the net standby's namespaces, as the user
# (the namespaces are the user's own: no privilege is needed to look).
in_standby_ns() {
	nsenter --preserve-credentials --user="$USERNS_FD" --net="$NETNS_FD" "$@"
}

# jail_pasta NAME: the PID in the jail's pasta.pid.
jail_pasta() {
	local pid _
	read -r pid _ <"$(state_dir "$1")/pasta.pid" || return 1
	echo "$pid"
}

# _other_standby PID: the net standby's jailer is ready and not PID.
_other_standby() {
	local pid
	standby_net_pids >/dev/null && pid=$(standby_net_jailer) && [ "$pid" != "$1" ]
}

# assert_pasta_net NAME: the running jail NAME (an app keeps it) has
# pasta's interface, up, with an IPv4 address and a default route by it,
# and pasta's DNS forwarder as its resolver; its pasta.pid names a live
# pasta.
assert_pasta_net() {
	local name=$1 pasta
	run jailsup run "$name" -- ip -o -4 addr show dev jsnet0
	assert_status 0
	[[ $output == *" jsnet0 "*"inet "[0-9]* ]] || fail "$name: no IPv4 address on jsnet0: $output"
	run jailsup run "$name" -- ip -4 route show default
	assert_status 0
	[[ $output == "default via "*" dev jsnet0"* ]] || fail "$name: no default route by jsnet0: $output"
	run jailsup run "$name" -- cat /etc/resolv.conf
	[ "$(grep '^nameserver' <<<"$output")" = "nameserver 169.254.1.1" ] ||
		fail "$name: resolv.conf: $output"
	pasta=$(jail_pasta "$name") || fail "$name: no pasta.pid"
	alive "$pasta" || fail "$name: its pasta $pasta is not running"
}

@test "the supervisor starts a net standby: jailer --standby-net, its tether and pasta, jsnet0 in its namespace" {
	local plain
	jailsup daemon
	ready_standby
	# The jailer and the tether are the supervisor's children, pasta the
	# tether's.
	[ "$(parent_of "$JAILER")" = "$(daemon_pid)" ] || fail "the net standby's parent is $(parent_of "$JAILER")"
	[ "$(parent_of "$TETHER")" = "$(daemon_pid)" ] || fail "the tether's parent is $(parent_of "$TETHER")"
	[ "$(parent_of "$PASTA")" = "$TETHER" ] || fail "pasta's parent is $(parent_of "$PASTA")"
	[ -z "$(pgrep -P "$JAILER")" ] || fail "the net standby has a child: $(pgrep -a -P "$JAILER")"
	# Namespaces of its own, not ours.
	[ "$NETNS" != "$(readlink /proc/self/ns/net)" ] || fail "the net standby holds our network namespace"
	[ "$USERNS" != "$(readlink /proc/self/ns/user)" ] || fail "the net standby holds our user namespace"
	# pasta's interface is in it, configured: an address and a route.
	run in_standby_ns ip -o -4 addr show dev jsnet0
	assert_status 0
	[[ $output == *" jsnet0 "*"inet "[0-9]* ]] || fail "no IPv4 address on jsnet0: $output"
	run in_standby_ns ip -4 route show default
	assert_status 0
	[[ $output == "default via "*" dev jsnet0"* ]] || fail "no default route by jsnet0: $output"
	# The plain standby is another one, in another network namespace,
	# which pasta never saw: only lo.
	wait_for standby_pid
	plain=$(standby_pid)
	[ "$plain" != "$JAILER" ] || fail "one jailer is both standbys"
	wait_for standby_ns "$plain" net
	[ "$(standby_ns "$plain" net)" != "$NETNS" ] || fail "both standbys hold one network namespace"
	run nsenter --preserve-credentials --user="$(standby_ns_fd "$plain" user)" \
		--net="$(standby_ns_fd "$plain" net)" cat /proc/net/dev
	assert_status 0
	[ "$(grep -c ':' <<<"$output")" -eq 1 ] && [[ $output == *"lo:"* ]] ||
		fail "the plain standby's namespace has more than lo: $output"
}

@test "a pasta jail (default rights) takes the net standby; a new one follows; kill ends its pasta" {
	net_profile p
	jailsup daemon
	ready_standby
	local jailer=$JAILER tether=$TETHER pasta=$PASTA net=$NETNS user=$USERNS
	keep_running p
	# The jail's jailer is the net standby, its pasta the standby's, its
	# namespaces those made ahead.
	[ "$(state_get p jailer-pid)" = "$jailer" ] ||
		fail "the jail's jailer is $(state_get p jailer-pid), not the net standby $jailer"
	[ "$(jail_pasta p)" = "$pasta" ] || fail "the jail's pasta.pid names $(jail_pasta p), not $pasta"
	[ ! -e "$(standby_net_dir)/pasta.pid" ] || [ "$(standby_net_pasta)" != "$pasta" ] ||
		fail "standby-net/pasta.pid still names the jail's pasta"
	run jailsup run p -- sh -c 'readlink /proc/self/ns/net /proc/self/ns/user'
	assert_status 0
	[ "$output" = "$net"$'\n'"$user" ] ||
		fail "the jail is in $output, not the namespaces made ahead ($net $user)"
	assert_pasta_net p
	# A new net standby follows: another jailer, pasta and namespace.
	wait_for --timeout "$READY" _other_standby "$jailer"
	ready_standby
	[ "$PASTA" != "$pasta" ] && [ "$TETHER" != "$tether" ] || fail "the new standby has the old pasta"
	[ "$NETNS" != "$net" ] || fail "the new standby is in the jail's network namespace"
	alive "$pasta" || fail "the jail's pasta died when the new standby came"
	# The jail's end ends its pasta and its tether; the new standby stays.
	run jailsup kill p
	assert_status 0
	wait_status p stopped
	wait_for _not_alive "$pasta"
	wait_for _not_alive "$tether"
	[ ! -e "$(state_dir p)/pasta.pid" ] || fail "pasta.pid is left"
	[ "$(standby_net_pids | paste -sd ' ')" = "$JAILER $TETHER $PASTA" ] ||
		fail "the new standby changed: $(standby_net_pids | paste -sd ' ')"
}

@test "network = none, and pasta with forward ports, never take the net standby" {
	env_profile n
	host_listener tcp 127.0.0.1
	net_profile f "network = pasta" "[network]" "forward = $LISTEN"
	jailsup daemon
	ready_standby
	# none: its own network namespace, with lo alone.
	run jailsup run n -- sh -c 'readlink /proc/self/ns/net; cat /proc/net/dev'
	assert_status 0
	[ "$(head -n 1 <<<"$output")" != "$NETNS" ] || fail "a network = none jail is in the net standby's namespace"
	[ "$(sed 1d <<<"$output" | grep -c ':')" -eq 1 ] && [[ $output == *"lo:"* ]] ||
		fail "a network = none jail has more than lo: $output"
	[ "$(state_get n jailer-pid)" != "$JAILER" ] || fail "a network = none jail took the net standby's jailer"
	[ "$(standby_net_pids | paste -sd ' ')" = "$JAILER $TETHER $PASTA" ] ||
		fail "the net standby changed: $(standby_net_pids | paste -sd ' ')"
	# Four at once: the plain standby serves one, the others find none
	# waiting but the net one, and must still not take it.
	local i pids=()
	for i in 1 2 3 4; do
		env_profile "n$i"
		jailsup run "n$i" -- sh -c 'readlink /proc/self/ns/net; cat /proc/net/dev' \
			>"$BATS_TEST_TMPDIR/n$i.out" 2>&1 3>&- &
		pids+=($!)
	done
	for i in 1 2 3 4; do
		wait "${pids[$((i - 1))]}" || fail "n$i failed: $(cat "$BATS_TEST_TMPDIR/n$i.out")"
		[ "$(head -n 1 "$BATS_TEST_TMPDIR/n$i.out")" != "$NETNS" ] ||
			fail "n$i (network = none) is in the net standby's namespace"
		[ "$(sed 1d "$BATS_TEST_TMPDIR/n$i.out" | grep -c ':')" -eq 1 ] ||
			fail "n$i (network = none) has more than lo: $(cat "$BATS_TEST_TMPDIR/n$i.out")"
	done
	[ "$(standby_net_pids | paste -sd ' ')" = "$JAILER $TETHER $PASTA" ] ||
		fail "the net standby changed: $(standby_net_pids | paste -sd ' ')"
	# pasta with forward ports: a pasta of its own, which reaches the
	# forwarded port; the standby's pasta serves no jail meanwhile.
	keep_running f
	run jailsup run f -- readlink /proc/self/ns/net
	assert_status 0
	[ "$output" != "$NETNS" ] || fail "a jail with forward ports is in the net standby's namespace"
	[ "$(state_get f jailer-pid)" != "$JAILER" ] || fail "a jail with forward ports took the net standby"
	[ "$(jail_pasta f)" != "$PASTA" ] || fail "a jail with forward ports has the standby's pasta"
	assert_pasta_net f
	run probe f tcp 127.0.0.1 "$LISTEN"
	assert_status 0
	[ "$(pgrep -u "$(id -u)" -x "$PASTA_COMMS" | sort -n | paste -sd ' ')" = \
		"$(printf '%s\n' "$PASTA" "$(jail_pasta f)" | sort -n | paste -sd ' ')" ] ||
		fail "not exactly two pastas, the standby's and the jail's: $(pgrep -u "$(id -u)" -a -x "$PASTA_COMMS")"
	[ "$(standby_net_pids | paste -sd ' ')" = "$JAILER $TETHER $PASTA" ] ||
		fail "the net standby changed: $(standby_net_pids | paste -sd ' ')"
	run jailsup kill f
	assert_status 0
	wait_status f stopped
	alive "$PASTA" || fail "the standby's pasta died with the jail"
}

@test "kill -9 of the net standby's pasta: it is replaced, and pasta jails still get a network" {
	# No D-Bus proxy: nothing the start waits for gives the supervisor
	# time to see pasta's end first; the start comes right after the kill.
	net_profile p1 "network = pasta" "[rights]" "deny = dbus"
	net_profile p2 "network = pasta" "[rights]" "deny = dbus"
	jailsup daemon
	ready_standby
	local jailer=$JAILER tether=$TETHER net=$NETNS
	kill -KILL "$PASTA"
	# A start right after pasta is gone, before the supervisor may have
	# seen its tether end: whatever it takes, it gets a working network.
	# (A pasta still dying as the start claims it looks alive; that is
	# the same as a pasta that dies once the jail runs.)
	wait_for _not_alive "$PASTA"
	keep_running p1
	assert_pasta_net p1
	run jailsup run p1 -- readlink /proc/self/ns/net
	[ "$output" != "$net" ] || fail "the jail took the standby whose pasta was killed"
	# The standby was dropped, its tether with it; a new one is ready.
	wait_for _not_alive "$jailer"
	wait_for _not_alive "$tether"
	wait_for --timeout "$READY" _other_standby "$jailer"
	ready_standby
	keep_running p2
	[ "$(jail_pasta p2)" = "$PASTA" ] || fail "p2's pasta is $(jail_pasta p2), not the new standby's $PASTA"
	assert_pasta_net p2
}

@test "kill -9 of the supervisor: the net standby, its tether and its pasta are gone" {
	jailsup daemon
	ready_standby
	kill -KILL "$(daemon_pid)"
	wait_for _not_alive "$JAILER"
	wait_for _not_alive "$TETHER"
	wait_for _not_alive "$PASTA"
}

@test "SIGTERM to the supervisor: the net standby, its tether and its pasta are gone" {
	jailsup daemon
	ready_standby
	kill -TERM "$(daemon_pid)"
	wait_for _not_alive "$JAILER"
	wait_for _not_alive "$TETHER"
	wait_for _not_alive "$PASTA"
}

@test "kill -9 of the net standby's tether: its pasta does not outlive it" {
	jailsup daemon
	ready_standby
	local jailer=$JAILER pasta=$PASTA
	# What the OOM killer may do: the standby is dropped (its pasta ended,
	# for all the supervisor can tell), and nothing serves that pasta.
	kill -KILL "$TETHER"
	wait_for _not_alive "$jailer"
	wait_for _not_alive "$pasta" ||
		fail "the dropped standby's pasta $pasta runs on with no tether (parent $(parent_of "$pasta"))"
}

# _fds PID: what the process PID holds open, one target a line, sorted,
# the targets' changing parts (pipe:[N], socket:[N], PIDs) left out: fd
# numbers are reused in another order as standbys come and go.
_fds() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		readlink "$fd" | sed 's/\[[0-9]*\]//; s/[0-9]\+/N/g'
	done | sort
}

@test "the supervisor's fds are the same after net standbys were taken, dropped and refilled" {
	local before after jailer i
	net_profile p "[rights]" "deny = dbus"
	jailsup daemon
	ready_standby
	before=$(_fds "$(daemon_pid)")
	for i in 1 2 3; do
		# Taken by a start, and refilled once that jail is ready.
		jailer=$JAILER
		run jailsup run p -- true
		assert_status 0
		wait_status p stopped
		wait_for --timeout "$READY" _other_standby "$jailer"
		ready_standby
		# Dropped (its pasta died), and refilled after the next start.
		jailer=$JAILER
		kill -KILL "$PASTA"
		wait_for _not_alive "$jailer"
		run jailsup run p -- true
		assert_status 0
		wait_status p stopped
		wait_for --timeout "$READY" _other_standby "$jailer"
		ready_standby
	done
	after=$(_fds "$(daemon_pid)")
	[ "$before" = "$after" ] ||
		fail "the supervisor's fds changed: $(diff <(echo "$before") <(echo "$after") | paste -sd ' ')"
}

# _no_net_helpers: no pasta and no tether of the user runs (no jail runs:
# any would be the net standby's).
_no_net_helpers() {
	! pgrep -u "$(id -u)" -x "$PASTA_COMMS|jailsup-tether" >/dev/null
}

@test "kill -9 of the net standby's jailer as soon as it runs (its pasta starting or not): nothing of it is left" {
	local i jailer
	env_profile n "[rights]" "deny = dbus"
	jailsup daemon
	for i in 1 2 3 4; do
		# As soon as it exists: before its namespaces' message, while
		# pasta starts, or once it is ready, as the round falls.
		wait_for --timeout "$READY" standby_net_jailer
		jailer=$(standby_net_jailer)
		kill -KILL "$jailer"
		wait_for _not_alive "$jailer"
		wait_for _no_net_helpers ||
			fail "round $i: left running: $(pgrep -u "$(id -u)" -a -x "$PASTA_COMMS|jailsup-tether")"
		daemon_alive || fail "round $i: the supervisor died"
		# A start and an end refill it.
		run jailsup run n -- true
		assert_status 0
	done
}

@test "a change of the host's resolv.conf replaces the net standby: its pasta read the old resolver" {
	local conf=$BATS_TEST_TMPDIR/resolv.conf pasta jailer
	# The supervisor's own /etc/resolv.conf: a file of ours bound over it
	# in a user and mount namespace of its own (the host's stays as it is).
	cp /etc/resolv.conf "$conf"
	bg unshare -Urm sh -c "mount --bind '$conf' /etc/resolv.conf && exec jailsup daemon --foreground"
	ready_standby
	pasta=$PASTA jailer=$JAILER
	# A network manager rewrites it in place when the network changes.
	echo "nameserver 192.0.2.53" >"$conf"
	wait_for _not_alive "$jailer"
	wait_for _not_alive "$pasta"
	wait_for --timeout "$READY" _other_standby "$jailer"
	ready_standby
	[ "$PASTA" != "$pasta" ] || fail "the net standby's pasta is still the one that read the old file"
	# Rewritten again: the watch follows the file.
	pasta=$PASTA jailer=$JAILER
	echo "nameserver 192.0.2.54" >"$conf"
	wait_for _not_alive "$jailer"
	wait_for --timeout "$READY" _other_standby "$jailer"
}
