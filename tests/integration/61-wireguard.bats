#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# WireGuard jails, as far as they are built (docs/profiles.md, "The
# WireGuard .conf file"): the server the end-to-end tests will use, and the
# supervisor's side of a `vpn = NAME.conf` so far: the file checked like a
# .ovpn, then the start refused. The server is 61-wireguard.fixture's,
# started as root around this file ($JAILSUP_FIXTURE: host 198.18.43.1,
# server 198.18.43.2 udp/51820, tunnel 10.90.0.0/24, HTTP on
# 10.90.0.1:8090 answering "wg-ok", DNS on 10.90.0.53, the client's
# wg-quick file in client.conf). Every packet stays on this machine: it
# goes to that namespace or to the test's own.

# $output, $status and $stderr come from bats' run; the scripts run in
# jails and namespaces are single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load vpn-helpers

teardown() {
	jail_teardown
}

need_fixture() {
	[ -n "${JAILSUP_FIXTURE:-}" ] && [ -r "$JAILSUP_FIXTURE/client.conf" ] ||
		fail "no WireGuard fixture: run the tests as root through tests/run-tests (61-wireguard.fixture)"
}

# The client side, run as root of a namespace pasta makes (its UDP goes out
# through pasta, as a jail's will): routed to the server alone, the service
# is out of reach; then wireguard-go and `wg setconf` (the keys on a pipe) make the
# tunnel, and the HTTP and DNS servers behind it answer. wireguard-go's
# control socket goes to /run/wireguard, which a mount namespace of ours
# covers with a tmpfs.
CLIENT='
set -eu
PATH=$PATH:/usr/sbin:/sbin
conf=$1
probe() {
	python3 -c "
import socket, struct, sys
if sys.argv[1] == \"http\":
    s = socket.create_connection((\"10.90.0.1\", 8090), timeout=5)
    s.sendall(b\"GET / HTTP/1.0\r\n\r\n\")
    data = b\"\"
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    print(\"http:\", data.split(b\"\r\n\r\n\", 1)[1].decode().strip())
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    q = b\"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04test\x07example\x00\x00\x01\x00\x01\"
    s.sendto(q, (\"10.90.0.53\", 53))
    a = s.recv(512)
    print(\"dns:\", socket.inet_ntoa(a[-4:]) if a[:2] == b\"\x12\x34\" else \"bad id\")
" "$1"
}
# As a jail will be: no route out but the one to the server, so nothing
# of the test leaves this machine, and the service is out of reach.
gw=$(ip -4 route show default | awk "{ print \$3; exit }")
ip -4 route del default
ip -6 route flush default 2>/dev/null || :
ip route add 198.18.43.2/32 via "$gw"
if probe http 2>/dev/null; then
	echo "the service answers without the tunnel"
	exit 1
fi
mount -t tmpfs tmpfs /run/wireguard
WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go -f jswgc0 >wireguard-go.log 2>&1 &
gopid=$!
trap "kill $gopid" EXIT
for _ in $(seq 100); do
	[ -S /run/wireguard/jswgc0.sock ] && break
	sleep 0.1
done
grep -v -i -e "^Address" -e "^DNS" "$conf" | wg setconf jswgc0 /dev/stdin
ip addr add "$(sed -n "s/^Address = //p" "$conf")" dev jswgc0
ip link set jswgc0 up
ip route add 10.90.0.0/24 dev jswgc0
probe http
probe dns
wg show jswgc0 latest-handshakes | awk "{ print (\$2 > 0 ? \"handshake\" : \"no handshake\") }"
'

@test "the WireGuard fixture's server answers through a tunnel made from a namespace of the test's own" {
	need_fixture
	cp "$JAILSUP_FIXTURE/client.conf" "$BATS_TEST_TMPDIR/client.conf"
	cd "$BATS_TEST_TMPDIR"
	run timeout 60 pasta --config-net --quiet -- unshare -m sh -c "$CLIENT" sh "$BATS_TEST_TMPDIR/client.conf"
	assert_status 0
	[ "$output" = $'http: wg-ok\ndns: 10.90.0.1\nhandshake' ] || fail "through the tunnel: $output"
	# The server saw the request come from the client's tunnel address.
	grep -q '^10\.90\.0\.2 .*"GET / ' "$JAILSUP_FIXTURE/http.log" ||
		fail "the server logged no request from 10.90.0.2: $(cat "$JAILSUP_FIXTURE/http.log")"
}

# wg_conf FILE [LINE…]: a wg-quick file with keys made now, and the LINEs
# in its [Interface].
wg_conf() {
	local file=$1
	shift
	{
		echo '[Interface]'
		echo "PrivateKey = $(wg genkey)"
		echo 'Address = 10.90.0.2/32'
		printf '%s\n' "$@"
		echo '[Peer]'
		echo "PublicKey = $(wg genkey | wg pubkey)"
		echo 'Endpoint = 198.18.43.2:51820'
		echo 'AllowedIPs = 0.0.0.0/0'
	} >"$file"
	chmod 0600 "$file"
}

@test "a jail whose vpn is a good .conf: checked, then refused as not built yet, with a bad VPN config's status" {
	local dir=$XDG_CONFIG_HOME/jailsup/profiles bad_status
	mkdir -p "$dir"
	# The status of a bad VPN configuration, to compare with.
	printf 'client\nremote 192.0.2.1 1194\nsetenv opt x\n' >"$dir/bad.ovpn"
	vpn_jail_profile bad bad.ovpn
	assert_vpn_refused bad "$dir/bad.ovpn:3: " "is not allowed in a jail's VPN config"
	bad_status=$status

	wg_conf "$dir/wg.conf" 'DNS = 10.90.0.53'
	vpn_jail_profile wg wg.conf
	assert_vpn_refused wg "the VPN configuration '$dir/wg.conf' is a WireGuard configuration: WireGuard jails are not built yet"
	[ "$status" -eq "$bad_status" ] || fail "status $status, a bad VPN config's is $bad_status"
	# The private key is in no file the supervisor wrote.
	! grep -rqF "$(sed -n 's/^PrivateKey = //p' "$dir/wg.conf")" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" ||
		fail "the private key is in a file of jailsup's: $(grep -rlF "$(sed -n 's/^PrivateKey = //p' "$dir/wg.conf")" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME")"

	# A name that is neither: refused for what it is.
	cp "$dir/wg.conf" "$dir/wg.txt"
	vpn_jail_profile txt wg.txt
	assert_vpn_refused txt "the VPN configuration '$dir/wg.txt' must be named NAME.ovpn (OpenVPN) or NAME.conf (WireGuard"
	# An OpenVPN file named as OpenVPN names its own: told so.
	cp "$dir/bad.ovpn" "$dir/openvpn.conf"
	vpn_jail_profile ovpnconf openvpn.conf
	assert_vpn_refused ovpnconf "$dir/openvpn.conf:1: " "name an OpenVPN configuration NAME.ovpn"
}

@test "a .conf with wg-quick's PostUp, or a key that is not allowed: refused with FILE:LINE, nothing run" {
	local dir=$XDG_CONFIG_HOME/jailsup/profiles MARKER=$BATS_TEST_TMPDIR/postup-ran line
	mkdir -p "$dir"
	vpn_jail_profile wg wg.conf
	for line in "PostUp = touch $MARKER" "PreUp = touch $MARKER" "PreDown = touch $MARKER" \
		"PostDown = touch $MARKER" "SaveConfig = true" "Table = off" "FwMark = 51820"; do
		wg_conf "$dir/wg.conf" "$line"
		assert_vpn_refused wg "$dir/wg.conf:4: key '${line%% =*}' is not allowed in a jail's WireGuard config: "
	done
	wg_conf "$dir/wg.conf" "Include = /etc/passwd"
	assert_vpn_refused wg "$dir/wg.conf:4: a key that is not allowed in a jail's WireGuard config"
	# A private key wrapped onto a line of its own is refused, not shown.
	wg_conf "$dir/wg.conf"
	sed -i 's/^\(PrivateKey = .\{20\}\)/\1\n/' "$dir/wg.conf"
	assert_vpn_refused wg "$dir/wg.conf:2: PrivateKey is not a key as wg writes it"
	[[ $stderr != *"$(sed -n 3p "$dir/wg.conf")"* ]] || fail "a piece of the key is shown: $stderr"
}

@test "a .conf another jail wrote into its share, or a symlink it planted there: refused, naming the share" {
	local downloads
	downloads=$(home_tmpdir)
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nrw = %s\n' "$downloads" |
		write_profile browser
	wg_conf "$BATS_TEST_TMPDIR/good.conf"
	# The browser jail, from inside: a .conf of its own choosing (its own
	# server, its own keys) and a symlink to it.
	run jailsup run browser -c 'cat >"$1/work.conf" && ln -s work.conf "$1/link.conf" && echo WRITTEN' \
		sh "$downloads" <"$BATS_TEST_TMPDIR/good.conf"
	assert_status 0
	assert_output_contains WRITTEN
	vpn_jail_profile work "$downloads/work.conf"
	assert_vpn_refused work "the VPN configuration '$downloads/work.conf'" \
		"'$downloads', a read-write share of profile 'browser'" "which a jail can write" \
		"move the file where no jail can write"
	vpn_jail_profile work2 "$downloads/link.conf"
	assert_vpn_refused work2 "symlink" "'$downloads', a read-write share of profile 'browser'"
	# Nor a file others may write.
	cp "$BATS_TEST_TMPDIR/good.conf" "$XDG_CONFIG_HOME/jailsup/profiles/mine.conf"
	chmod 0664 "$XDG_CONFIG_HOME/jailsup/profiles/mine.conf"
	vpn_jail_profile work3 mine.conf
	assert_vpn_refused work3 "must be a regular file of yours (or root's) that nobody else can write (WireGuard runs it outside the jail)"
}
