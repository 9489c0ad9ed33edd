#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The leak test of a VPN jail (`jailsup check`, docs/jail.md "The VPN leak
# test"), against the real OpenVPN server of 60-network.fixture, which
# 62-vpn-leak.fixture starts as root around this file with two DNS
# answerers logging each name asked: the tunnel's (10.89.0.53, on the VPN's
# far side) in $JAILSUP_FIXTURE/dns-far.log, and one on the host outside
# the tunnel (198.18.42.1:53) in dns-host.log. A healthy jail must come out
# all closed; then each leak is opened on purpose from outside the product,
# as the jail's owner can (jail-ns-exec.py: a route, an nftables rule, a
# bind mount in the jail's namespaces; a line in its resolv.conf), and the
# check must say OPEN and exit 1. Every packet stays on this machine.

# $output, $status and $stderr come from bats' run; the script run in the
# jail's mount namespace is single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load server-helpers

HOST_ADDR=198.18.42.1
NS_EXEC=$BATS_TEST_DIRNAME/jail-ns-exec.py

setup() {
	require_tools jq python3
	if [ -z "${JAILSUP_FIXTURE:-}" ] || [ ! -r "$JAILSUP_FIXTURE/client.crt" ] ||
		[ ! -r "$JAILSUP_FIXTURE/dns-far.log" ]; then
		fail "no VPN fixture: run the tests as root through tests/run-tests (62-vpn-leak.fixture)"
	fi
}

# vpn_jail NAME [LINE…]: a VPN jail of the fixture's server (its profile
# ending with LINEs), running (an app keeps it), with $JAIL_PID a process
# in it.
vpn_jail() {
	local name=$1 dir=$XDG_CONFIG_HOME/jailsup/profiles
	shift
	mkdir -p "$dir"
	printf '%s\n' client "dev tun" "proto udp4" "remote 198.18.42.2 1194" nobind \
		"ca $JAILSUP_FIXTURE/ca.crt" "cert $JAILSUP_FIXTURE/client.crt" \
		"key $JAILSUP_FIXTURE/client.key" "remote-cert-tls server" "verb 3" >"$dir/$name.ovpn"
	{
		printf '[jail]\nexec = /usr/bin/env\nvpn = %s.ovpn\n' "$name"
		printf '%s\n' "$@"
	} | write_profile "$name"
	bg jailsup run "$name" -- sleep 1000
	wait_for _sleeping
	JAIL_PID=$(pgrep -u "$(id -u)" -fx 'sleep 1000')
}

_sleeping() {
	pgrep -u "$(id -u)" -fx 'sleep 1000' >/dev/null
}

# result JSON CHANNEL: the result of the check named CHANNEL.
result() {
	jq -r --arg c "$2" '[.checks[] | select(.channel == $c) | .result][0] // "missing"' <<<"$1"
}

detail() {
	jq -r --arg c "$2" '[.checks[] | select(.channel == $c) | .detail][0] // ""' <<<"$1"
}

# expect JSON CHANNEL RESULT: fails with the row when it says otherwise.
expect() {
	[ "$(result "$1" "$2")" = "$3" ] ||
		fail "'$2' is $(result "$1" "$2"), not $3: $(detail "$1" "$2")"
}

in_ns() {
	"$NS_EXEC" "$JAIL_PID" "$@"
}

# The gateway pasta gave the jail: the kill switch's host route to the
# VPN server goes through it.
pasta_gateway() {
	in_ns /usr/sbin/ip -4 route show 198.18.42.2 | awk '{ for (i = 1; i < NF; i++) if ($i == "via") print $(i + 1) }'
}

LEAK_ROWS=("VPN leak (DNS)" "VPN leak (UDP)" "VPN leak (socket bound to jsnet0)"
	"VPN leak (IPv6)" "VPN leak (resolver sockets)" "VPN leak (resolved over D-Bus)")

@test "a healthy VPN jail: every leak probe closed, DNS only to the tunnel's server, exit 0" {
	vpn_jail v
	run --separate-stderr jailsup check v --json
	[ "$status" -eq 0 ] || fail "status $status: $stderr$output"
	local row
	for row in "${LEAK_ROWS[@]}"; do
		expect "$output" "$row" closed
	done
	# The queries of the jail's resolv.conf went through the tunnel and
	# were answered on the far side; none came to the host.
	[[ $(detail "$output" "VPN leak (DNS)") == *"10.89.0.53:53 (resolv.conf) answered through jsvpn0"* ]] ||
		fail "DNS: $(detail "$output" "VPN leak (DNS)")"
	grep -q '^jl-[0-9a-f]*-0\.jailsup-check\.invalid$' "$JAILSUP_FIXTURE/dns-far.log" ||
		fail "the tunnel's DNS server was not asked: $(cat "$JAILSUP_FIXTURE/dns-far.log")"
	[ ! -s "$JAILSUP_FIXTURE/dns-host.log" ] ||
		fail "a query reached the host: $(cat "$JAILSUP_FIXTURE/dns-host.log")"
	# The table for people says the same, and counts nothing OPEN.
	run jailsup check v
	assert_status 0
	assert_output_contains "closed   VPN leak (DNS)" "jail 'v': " " 0 OPEN"
}

@test "a route out of pasta's interface and a resolver outside the tunnel: DNS and UDP OPEN, exit 1" {
	vpn_jail v
	local gw
	gw=$(pasta_gateway)
	[ -n "$gw" ] || fail "no gateway of pasta's: $(in_ns /usr/sbin/ip -4 route)"
	# The leak, from outside the product: a route and an accept rule for
	# the host's address, and that address as a resolver of the jail.
	in_ns /usr/sbin/ip route add "$HOST_ADDR/32" via "$gw" dev jsnet0 onlink
	in_ns /usr/sbin/nft insert rule inet jailsup output oifname jsnet0 ip daddr "$HOST_ADDR" accept
	echo "nameserver $HOST_ADDR" >>"$(state_dir v)/resolv.conf"
	run --separate-stderr jailsup check v --json
	[ "$status" -eq 1 ] || fail "status $status: $stderr$output"
	expect "$output" "VPN leak (DNS)" OPEN
	[[ $(detail "$output" "VPN leak (DNS)") == *"$HOST_ADDR:53 (resolv.conf) ANSWERED by jsnet0, outside the tunnel"* ]] ||
		fail "DNS: $(detail "$output" "VPN leak (DNS)")"
	# The host's answerer did get the query: the probe told the truth.
	grep -q '^jl-[0-9a-f]*-1\.jailsup-check\.invalid$' "$JAILSUP_FIXTURE/dns-host.log" ||
		fail "the host's answerer got: $(cat "$JAILSUP_FIXTURE/dns-host.log")"
	# UDP to the host's address: our listener received it.
	expect "$output" "VPN leak (UDP)" OPEN
	[[ $(detail "$output" "VPN leak (UDP)") == *"our listener RECEIVED it"* ]] ||
		fail "UDP: $(detail "$output" "VPN leak (UDP)")"
	jq -e '.open >= 2' <<<"$output" >/dev/null || fail "$output"
}

@test "an accept rule for pasta's interface alone: the bound socket OPEN, routed UDP still closed" {
	vpn_jail v
	in_ns /usr/sbin/nft insert rule inet jailsup output oifname jsnet0 ip daddr "$HOST_ADDR" accept
	run --separate-stderr jailsup check v --json
	[ "$status" -eq 1 ] || fail "status $status: $stderr$output"
	expect "$output" "VPN leak (socket bound to jsnet0)" OPEN
	[[ $(detail "$output" "VPN leak (socket bound to jsnet0)") == *"our listener RECEIVED it"* ]] ||
		fail "bind: $(detail "$output" "VPN leak (socket bound to jsnet0)")"
	# Without a route the others still go by the tunnel.
	expect "$output" "VPN leak (UDP)" closed
	expect "$output" "VPN leak (DNS)" closed
}

@test "an IPv6 route out of pasta's interface: IPv6 OPEN, exit 1" {
	vpn_jail v
	# Nothing is sent to it: the route alone is the leak.
	in_ns /usr/sbin/ip -6 route add 2001:db8:4a53::/48 dev jsnet0
	run --separate-stderr jailsup check v --json
	[ "$status" -eq 1 ] || fail "status $status: $stderr$output"
	expect "$output" "VPN leak (IPv6)" OPEN
	[[ $(detail "$output" "VPN leak (IPv6)") == *"2001:db8:4a53::/48 via jsnet0, OUTSIDE the tunnel"* ]] ||
		fail "IPv6: $(detail "$output" "VPN leak (IPv6)")"
}

@test "a host resolver socket in the jail: resolver sockets OPEN, exit 1" {
	vpn_jail v
	local sock ready=$BATS_TEST_TMPDIR/nscd-ready
	# A listener of the host's, standing in for nscd, in the jail's home
	# (so the jail's mount namespace can reach it), bound over
	# /run/nscd/socket inside the jail.
	sock=$(jail_home v)/nscd.sock
	bg python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(4)
open(sys.argv[2], "w").close()
while True:
    s.accept()[0].close()' "$sock" "$ready"
	wait_for_file "$ready"
	"$NS_EXEC" --mnt "$JAIL_PID" sh -c 'mkdir -p /run/nscd && : >/run/nscd/socket && mount --bind "$HOME/nscd.sock" /run/nscd/socket'
	run --separate-stderr jailsup check v --json
	[ "$status" -eq 1 ] || fail "status $status: $stderr$output"
	expect "$output" "VPN leak (resolver sockets)" OPEN
	[[ $(detail "$output" "VPN leak (resolver sockets)") == *"/run/nscd/socket: CONNECTED"* ]] ||
		fail "sockets: $(detail "$output" "VPN leak (resolver sockets)")"
}

@test "system bus rules that reach systemd-resolved: resolved over D-Bus OPEN, exit 1" {
	require_tools dbus-daemon xdg-dbus-proxy
	start_bus sys
	export DBUS_SYSTEM_BUS_ADDRESS=$BUS_ADDR
	vpn_jail v "[rights]" "allow = dbus-system" "[dbus-system]" "talk = org.freedesktop.resolve1"
	run --separate-stderr jailsup check v --json
	[ "$status" -eq 1 ] || fail "status $status: $stderr$output"
	expect "$output" "VPN leak (resolved over D-Bus)" OPEN
	# The rest of the leak test still holds.
	expect "$output" "VPN leak (DNS)" closed
	expect "$output" "VPN leak (UDP)" closed
}

@test "a secure VPN jail (no routing netlink): the leak test still tells the tunnel, all closed" {
	local row
	# No 'allow = network': the vpn key alone gives the tunnel.
	vpn_jail v "secure = true"
	run --separate-stderr jailsup check v --json
	[ "$status" -eq 0 ] || fail "status $status: $stderr$output"
	expect "$output" "VPN leak (DNS)" closed
	[[ $(detail "$output" "VPN leak (DNS)") == *"10.89.0.53:53 (resolv.conf) answered through jsvpn0"* ]] ||
		fail "DNS: $(detail "$output" "VPN leak (DNS)")"
	# The route rows of the main check see the tunnel too (they read
	# the interfaces without netlink as well).
	for row in "route to the internet (IPv4)" "DNS server route"; do
		expect "$output" "$row" closed
		[[ $(detail "$output" "$row") == *"via jsvpn0 (the tunnel)"* ]] ||
			fail "$row: $(detail "$output" "$row")"
	done
	local gw
	gw=$(pasta_gateway)
	# The leak of the route test: the probe must still see it leave.
	in_ns /usr/sbin/ip route add "$HOST_ADDR/32" via "$gw" dev jsnet0 onlink
	in_ns /usr/sbin/nft insert rule inet jailsup output oifname jsnet0 ip daddr "$HOST_ADDR" accept
	run --separate-stderr jailsup check v --json
	[ "$status" -eq 1 ] || fail "status $status: $stderr$output"
	expect "$output" "VPN leak (UDP)" OPEN
	[[ $(detail "$output" "VPN leak (UDP)") == *"$HOST_ADDR:"*" SENT by jsnet0"* ]] ||
		fail "UDP: $(detail "$output" "VPN leak (UDP)")"
}
