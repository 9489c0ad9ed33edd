#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Networking (docs/architecture.md "Networking"): none, pasta, host and
# vpn, against real servers. The VPN server is real openvpn in a network
# namespace that 60-network.fixture creates as root around this file
# ($JAILSUP_FIXTURE: host 198.18.42.1, server 198.18.42.2 udp/1194, tunnel
# 10.89.0.0/24 pushing DNS 10.89.0.53, and an HTTP server on port 8089 of
# the server answering "vpn-ok"). Every packet stays on this machine: it
# goes to loopback, to that namespace, or to the jails' own.

# $output, $status and $lines come from bats' run; the scripts run in jails
# are single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load vpn-helpers

setup() {
	command -v python3 >/dev/null || fail "python3 is not installed (scripts/packages.txt)"
}

need_fixture() {
	[ -n "${JAILSUP_FIXTURE:-}" ] && [ -r "$JAILSUP_FIXTURE/client.crt" ] ||
		fail "no VPN fixture: run the tests as root through tests/run-tests (60-network.fixture)"
}

# vpn_profile NAME [REMOTE-LINE] [EXTRA-LINE…]: a VPN jail whose .ovpn
# (beside the profile) reaches the fixture's server.
vpn_profile() {
	local name=$1 remote=${2:-remote 198.18.42.2 1194}
	local dir=$XDG_CONFIG_HOME/jailsup/profiles
	shift $(($# > 1 ? 2 : 1))
	mkdir -p "$dir"
	{
		echo client
		echo dev tun
		echo proto udp4
		echo "$remote"
		echo nobind
		echo "ca $JAILSUP_FIXTURE/ca.crt"
		echo "cert $JAILSUP_FIXTURE/client.crt"
		echo "key $JAILSUP_FIXTURE/client.key"
		echo remote-cert-tls server
		echo verb 3
		printf '%s\n' "$@"
	} >"$dir/$name.ovpn"
	net_profile "$name" "vpn = $name.ovpn"
}

in_jail() {
	local name=$1
	shift
	jailsup run "$name" -- "$@"
}

@test "none: only lo, no DNS, names from files and dns only" {
	net_profile n "network = none"
	run in_jail n cat /proc/net/dev
	assert_status 0
	[ "$(grep -c ':' <<<"$output")" -eq 1 ] && [[ $output == *"lo:"* ]] ||
		fail "interfaces besides lo: $output"
	run in_jail n cat /etc/resolv.conf
	assert_output_contains "no DNS"
	! grep -q '^nameserver' <<<"$output" || fail "a nameserver: $output"
	run in_jail n grep '^hosts:' /etc/nsswitch.conf
	[ "$output" = "hosts: files dns" ] || fail "nsswitch says: $output"
	# The host's DNS side channels are absent.
	run in_jail n sh -c 'ls /run/nscd/socket /run/systemd/resolve/io.systemd.Resolve'
	[ "$status" -ne 0 ] || fail "a resolver socket is there: $output"
	run probe n tcp 127.0.0.53 53
	assert_status 1
	assert_output_contains "closed"
}

@test "an abstract unix socket of the host is out of reach from none, pasta and vpn, and from host by Landlock" {
	need_fixture
	host_listener abstract "jailsup-test-$$-$RANDOM"
	local name=$LISTEN
	# The listener is real: it answers on the host.
	run python3 -c "$PROBE" abstract "$name"
	assert_status 0
	net_profile an "network = none"
	net_profile ap "network = pasta"
	net_profile ah "network = host"
	vpn_profile av
	for jail in an ap av; do
		run probe "$jail" abstract "$name"
		[ "$status" -eq 1 ] && [[ $output == closed* ]] ||
			fail "jail $jail reached the host's @$name: $status $output"
	done
	# network = host shares the host's abstract sockets: Landlock's scope
	# (the kernel here has ABI 6 or later) refuses them.
	run probe ah abstract "$name"
	assert_status 1
	[ "$output" = "closed: PermissionError [Errno 1] Operation not permitted" ] ||
		fail "network = host reached @$name: $output"
}

@test "pasta: the outside is reachable, the host's loopback only on forwarded ports" {
	need_fixture
	host_listener tcp 127.0.0.1
	local forwarded=$LISTEN
	host_listener tcp 127.0.0.1
	local other=$LISTEN
	net_profile p "network = pasta" "[network]" "forward = $forwarded"
	# The outside: the fixture's server, through pasta's sockets.
	run probe p http 198.18.42.2 8089
	assert_status 0
	[ "$output" = vpn-ok ] || fail "got: $output"
	run probe p tcp 127.0.0.1 "$forwarded"
	assert_status 0
	run probe p tcp 127.0.0.1 "$other"
	assert_status 1
	run in_jail p cat /etc/resolv.conf
	[ "$(grep '^nameserver' <<<"$output")" = "nameserver 169.254.1.1" ] ||
		fail "resolv.conf: $output"
	# pasta is recorded, and gone with the jail.
	keep_running p
	local pasta
	pasta=$(helper_pid p pasta) || fail "no pasta.pid"
	alive "$pasta" || fail "pasta ($pasta) is not running"
	run jailsup kill p
	assert_status 0
	wait_for _not_alive "$pasta"
}

@test "pasta started ahead: a jail that took the net standby reaches the outside, not the host's loopback" {
	need_fixture
	host_listener tcp 127.0.0.1
	net_profile p1 "network = pasta"
	net_profile p2 "network = pasta"
	# The first start comes with the supervisor, before its net standby:
	# the second surely finds one ready, and takes it.
	keep_running p1
	wait_for --timeout 20 standby_net_pids
	local standby pasta
	standby=$(standby_net_jailer)
	pasta=$(standby_net_pasta)
	keep_running p2
	[ "$(state_get p2 jailer-pid)" = "$standby" ] ||
		fail "p2's jailer is $(state_get p2 jailer-pid), not the net standby $standby"
	[ "$(helper_pid p2 pasta)" = "$pasta" ] || fail "p2's pasta is $(helper_pid p2 pasta), not the standby's $pasta"
	run probe p2 http 198.18.42.2 8089
	assert_status 0
	[ "$output" = vpn-ok ] || fail "got: $output"
	run probe p2 tcp 127.0.0.1 "$LISTEN"
	assert_status 1
	run in_jail p2 cat /etc/resolv.conf
	[ "$(grep '^nameserver' <<<"$output")" = "nameserver 169.254.1.1" ] ||
		fail "resolv.conf: $output"
	run jailsup kill p2
	assert_status 0
	wait_for _not_alive "$pasta"
}

@test "vpn: through the tunnel only, the pushed DNS server only, no resolver side channel" {
	need_fixture
	vpn_profile v
	host_listener tcp 127.0.0.1
	run probe v http 10.89.0.1 8089
	assert_status 0
	[ "$output" = vpn-ok ] || fail "through the tunnel: $output"
	run probe v tcp 127.0.0.1 "$LISTEN"
	assert_status 1
	run in_jail v cat /etc/resolv.conf
	assert_status 0
	[ "$(grep -v '^#' <<<"$output")" = "nameserver 10.89.0.53" ] ||
		fail "resolv.conf is not the pushed server alone: $output"
	run in_jail v grep '^hosts:' /etc/nsswitch.conf
	[ "$output" = "hosts: files dns" ] || fail "nsswitch says: $output"
	run in_jail v sh -c 'ls /run/nscd/socket /run/systemd/resolve/io.systemd.Resolve'
	[ "$status" -ne 0 ] || fail "a resolver socket is there: $output"
	run probe v tcp 127.0.0.53 53
	assert_status 1
	# Routes: the tunnel's (default through it), and one host route to
	# the server; nothing else leaves by pasta's interface.
	run in_jail v cat /proc/net/route
	local out_routes
	out_routes=$(awk 'NR > 1 && $1 != "jsvpn0" { print $1 ":" $2 "/" $8 }' <<<"$output")
	[ "$out_routes" = "jsnet0:022A12C6/FFFFFFFF" ] || fail "routes not by the tunnel: $out_routes"
	# No IPv6 route out of pasta's interface at all (multicast and local
	# addresses are the local table's, and the kill switch drops them).
	run in_jail v cat /proc/net/ipv6_route
	! awk '$10 == "jsnet0" && $1 !~ /^ff/ && $9 != "80200001"' <<<"$output" | grep -q . ||
		fail "IPv6 routes out of pasta's interface: $output"
	# The jail cannot rewrite its DNS servers.
	run in_jail v sh -c 'echo "nameserver 192.0.2.9" >>/etc/resolv.conf'
	[ "$status" -ne 0 ] || fail "the jail wrote its resolv.conf"
	[ "$(state_get v network)" = vpn ] || fail "state says network=$(state_get v network)"
}

@test "vpn: when openvpn dies the jail is offline and degraded; helpers go with the jail" {
	need_fixture
	vpn_profile v
	host_listener tcp 198.18.42.1
	local host_port=$LISTEN
	# The jail stays, with an app in it, while its openvpn is killed.
	keep_running v
	run probe v http 10.89.0.1 8089
	assert_status 0
	local openvpn pasta
	openvpn=$(helper_pid v openvpn) || fail "no openvpn.pid"
	pasta=$(helper_pid v pasta) || fail "no pasta.pid"
	_comm_is "$openvpn" openvpn || fail "openvpn.pid names $(cat "/proc/$openvpn/comm")"
	kill -KILL "$openvpn"
	wait_status v degraded
	run jailsup list
	assert_output_contains "degraded"
	# No fallback: not the tunnel's server, not the host, not the VPN
	# server outside openvpn's own transport.
	run probe v tcp 10.89.0.1 8089
	assert_status 1
	run probe v tcp 198.18.42.1 "$host_port"
	assert_status 1
	run probe v tcp 198.18.42.2 8089
	assert_status 1
	# Not even a socket bound to pasta's interface, which routes cannot
	# stop: the nftables table drops it.
	run probe v tcp-dev jsnet0 198.18.42.1 "$host_port"
	assert_status 1
	run jailsup kill v
	assert_status 0
	wait_jail_gone v
	wait_for _not_alive "$pasta"
	[ ! -e "$(state_dir v)/openvpn.pid" ] && [ ! -e "$(state_dir v)/pasta.pid" ] ||
		fail "pid files are left: $(ls "$(state_dir v)")"
}

@test "vpn: openvpn and pasta are gone after the jailer is killed with -9" {
	need_fixture
	vpn_profile v
	keep_running v
	local openvpn pasta
	openvpn=$(helper_pid v openvpn) || fail "no openvpn.pid"
	pasta=$(helper_pid v pasta) || fail "no pasta.pid"
	kill -KILL "$(state_get v jailer-pid)"
	wait_jail_gone v
	wait_for _not_alive "$openvpn"
	wait_for _not_alive "$pasta"
}

@test "vpn: a tether killed with -9: openvpn goes with it (degraded), pasta ends with the jail" {
	need_fixture
	vpn_profile v
	keep_running v
	local openvpn pasta tether
	openvpn=$(helper_pid v openvpn) || fail "no openvpn.pid"
	pasta=$(helper_pid v pasta) || fail "no pasta.pid"
	tether=$(parent_of "$openvpn") || fail "openvpn has no parent"
	_comm_is "$tether" jailsup-tether || fail "openvpn's parent is $(cat "/proc/$tether/comm")"
	kill -KILL "$tether"
	wait_for _not_alive "$openvpn"
	wait_status v degraded
	# pasta daemonises below its tether, so the tether's death signal is not
	# its own: it serves on, and the end of the jail still ends it (the
	# supervisor signals pasta.pid, checked by start time).
	tether=$(parent_of "$pasta") || fail "pasta has no parent"
	_comm_is "$tether" jailsup-tether || fail "pasta's parent is $(cat "/proc/$tether/comm")"
	kill -KILL "$tether"
	wait_for _not_alive "$tether"
	run jailsup kill v
	assert_status 0
	wait_jail_gone v
	wait_for _not_alive "$pasta"
	[ ! -e "$(state_dir v)/pasta.pid" ] || fail "pasta.pid is left"
}

@test "vpn: a new supervisor sees a jail whose openvpn died as degraded" {
	need_fixture
	vpn_profile v
	keep_running v
	local openvpn
	openvpn=$(helper_pid v openvpn) || fail "no openvpn.pid"
	kill -KILL "$(daemon_pid)"
	kill -KILL "$openvpn"
	wait_for _not_alive "$openvpn"
	run jailsup daemon
	assert_status 0
	wait_status v degraded
}

@test "vpn: a broken .ovpn gives openvpn's reason and no jail" {
	need_fixture
	# What the allowlist refuses never reaches openvpn (70-trust-vpn.bats).
	vpn_profile v "remote 198.18.42.2 1194" "no-such-directive 1"
	run jailsup run v -- true
	[ "$status" -ne 0 ] || fail "the jail started"
	assert_output_contains "v.ovpn:11: directive 'no-such-directive' is not allowed"
	# What it allows with a value openvpn refuses: openvpn's own words.
	vpn_profile v "remote 198.18.42.2 1194" "data-ciphers NO-SUCH-CIPHER"
	run jailsup run v -- true
	[ "$status" -ne 0 ] || fail "the jail started"
	assert_output_contains "NO-SUCH-CIPHER" "openvpn ended before the tunnel was up"
	[ "$(state_get v status)" = failed ] || fail "status $(state_get v status)"
	run pgrep -u "$(id -u)" -x openvpn
	[ "$status" -ne 0 ] || fail "openvpn is left: $output"
}

@test "vpn: an unreachable server fails the start within the VPN timeout, nothing left" {
	need_fixture
	# Nothing listens on udp/1195: openvpn would try for ever.
	vpn_profile v "remote 198.18.42.2 1195"
	JAILSUP_VPN_TIMEOUT=2 run jailsup run v -- true
	[ "$status" -ne 0 ] || fail "the jail started"
	assert_output_contains "did not bring the tunnel up within 2 s"
	wait_jail_gone v
	[ "$(state_get v status)" = failed ] || fail "status $(state_get v status)"
	run pgrep -u "$(id -u)" -x openvpn
	[ "$status" -ne 0 ] || fail "openvpn is left: $output"
}

@test "vpn: a slow handshake is not cut off by the CLI's bound on the supervisor, and shows its progress" {
	need_fixture
	# No server answers: the handshake takes the whole VPN timeout (6 s),
	# three times the CLI's bound on silence (2 s). The supervisor's
	# progress keeps the CLI waiting; the start ends by the VPN's timeout.
	vpn_profile v "remote 198.18.42.2 1195"
	JAILSUP_VPN_TIMEOUT=6 JAILSUP_ANSWER_TIMEOUT=2 run --separate-stderr jailsup run v -- true
	[ "$status" -ne 0 ] || fail "the jail started"
	[[ "$stderr" == *"did not bring the tunnel up within 6 s"* ]] || fail "stderr: $stderr"
	[[ "$stderr" == *"jail 'v': waiting for the VPN's handshake"* ]] || fail "no progress: $stderr"
	[[ "$stderr" != *"has not answered"* ]] || fail "cut off: $stderr"
}

@test "vpn: a missing .ovpn or one naming no server is a clear error" {
	net_profile m "vpn = missing.ovpn"
	run jailsup run m -- true
	[ "$status" -ne 0 ] || fail "the jail started"
	assert_output_contains "missing.ovpn" "No such file"
	need_fixture
	vpn_profile e "# no remote line"
	sed -i '/^remote /d' "$XDG_CONFIG_HOME/jailsup/profiles/e.ovpn"
	run jailsup run e -- true
	[ "$status" -ne 0 ] || fail "the jail started"
	assert_output_contains "names no VPN server"
}

@test "without the supervisor (--no-daemon) pasta is offline, said so; vpn does not start" {
	net_profile p "network = pasta"
	run jailsup run --no-daemon p -- cat /proc/net/dev
	assert_status 0
	[ "$(grep -c ':' <<<"$output")" -eq 1 ] && [[ $output == *"lo:"* ]] ||
		fail "interfaces besides lo: $output"
	grep -q "this jail is offline" "$(state_dir p)/log" ||
		fail "the log does not say it: $(cat "$(state_dir p)/log")"
	net_profile v "vpn = v.ovpn"
	touch "$XDG_CONFIG_HOME/jailsup/profiles/v.ovpn"
	run jailsup run --no-daemon v -- true
	[ "$status" -ne 0 ] || fail "the VPN jail started"
	assert_output_contains "network = vpn needs the supervisor"
}

@test "jailsup check: a VPN jail leaks nothing outside its tunnel, a pasta jail nothing of the host" {
	need_fixture
	vpn_profile v
	run jailsup check v
	assert_status 0
	! grep -q '^OPEN' <<<"$output" || fail "open channels: $output"
	assert_output_contains "via jsvpn0 (the tunnel)" "0 OPEN"
	run jailsup check v --json
	assert_status 0
	jq -e . >/dev/null <<<"$output" || fail "not JSON: $output"
	# openvpn's sandbox, seen from the host.
	jq -e '[.checks[] | select(.channel == "openvpn confined" and .result == "closed")] | length == 1' \
		>/dev/null <<<"$output" || fail "openvpn's confinement: $output"
	# pasta: out through pasta (the network right), the host's loopback
	# and abstract sockets closed.
	net_profile p "network = pasta"
	run jailsup check p
	assert_status 0
	! grep -q '^OPEN' <<<"$output" || fail "open channels: $output"
	grep -q '^closed *host loopback TCP ' <<<"$output" || fail "loopback: $output"
	grep -q '^closed *host abstract socket' <<<"$output" || fail "abstract: $output"
}

@test "vpn: a socket bound to pasta's interface gets nowhere while the tunnel is up" {
	need_fixture
	vpn_profile v
	host_listener tcp 198.18.42.1
	# The listener is real: a pasta jail reaches it.
	net_profile p "network = pasta"
	run probe p tcp 198.18.42.1 "$LISTEN"
	assert_status 0
	run probe v tcp-dev jsnet0 198.18.42.1 "$LISTEN"
	assert_status 1
	run probe v tcp-dev jsnet0 198.18.42.2 8089
	assert_status 1
}

@test "vpn: a .ovpn the jail could write, or others may write, is refused" {
	need_fixture
	local dir=$HOME/jailsup-test-share.$$
	mkdir -p "$dir"
	remove_after "$dir"
	vpn_profile v
	local conf=$XDG_CONFIG_HOME/jailsup/profiles/v.ovpn
	# In a read-write share: the jail could add a line run outside it.
	cp "$conf" "$dir/v.ovpn"
	net_profile w "vpn = $dir/v.ovpn" "[share]" "rw = $dir"
	run jailsup run w -- true
	[ "$status" -ne 0 ] || fail "the jail started"
	assert_output_contains "lies in '$dir', a read-write share of profile 'w'" "which a jail can write"
	# Writable by the group.
	chmod g+w "$conf"
	run jailsup run v -- true
	[ "$status" -ne 0 ] || fail "the jail started"
	assert_output_contains "nobody else can write"
	chmod g-w "$conf"
	run probe v http 10.89.0.1 8089
	assert_status 0
}
