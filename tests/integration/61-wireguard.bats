#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# WireGuard jails (docs/profiles.md, "The WireGuard .conf file";
# docs/architecture.md §5, "The VPN"): a `vpn = NAME.conf` jail reaches the
# server's side of the tunnel and nothing else, its DNS is the .conf's, it
# is offline (degraded) once wireguard-go dies, the private key shows
# nowhere, and a .conf that cannot work is a clear error and no jail. The
# server is 61-wireguard.fixture's,
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

_no_wg() {
	! pgrep -u "$(id -u)" -x wireguard-go >/dev/null
}

# The jail NAME running a WireGuard tunnel to the fixture: its .conf is
# client.conf with LINE… added to its [Interface].
wg_jail() {
	local name=$1 dir=$XDG_CONFIG_HOME/jailsup/profiles
	shift
	mkdir -p "$dir"
	{
		sed -n '1,/^\[Peer\]/p' "$JAILSUP_FIXTURE/client.conf" | sed '$d'
		printf '%s\n' "$@"
		sed -n '/^\[Peer\]/,$p' "$JAILSUP_FIXTURE/client.conf"
	} >"$dir/$name.conf"
	chmod 0600 "$dir/$name.conf"
	vpn_jail_profile "$name" "$name.conf"
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

@test "wg: the jail reaches the service behind the tunnel, the .conf's DNS only, nothing else" {
	need_fixture
	wg_jail w
	keep_running w
	host_listener tcp 127.0.0.1
	local loop_port=$LISTEN
	run probe w http 10.90.0.1 8090
	assert_status 0
	[ "$output" = wg-ok ] || fail "through the tunnel: $output"
	# The server saw it come from the client's tunnel address.
	grep -q '^10\.90\.0\.2 .*"GET / ' "$JAILSUP_FIXTURE/http.log" ||
		fail "no request from 10.90.0.2: $(cat "$JAILSUP_FIXTURE/http.log")"
	# resolv.conf names the .conf's DNS server alone, and it answers.
	run jailsup run w -- cat /etc/resolv.conf
	assert_status 0
	[ "$(grep -v '^#' <<<"$output")" = "nameserver 10.90.0.53" ] || fail "resolv.conf: $output"
	run probe w name test.example
	assert_status 0
	[ "$output" = 10.90.0.1 ] || fail "the fixture's DNS did not answer: $output"
	# Not the host's loopback, not the host's side of the server's link,
	# not the server's own address but on WireGuard's port, and not by a
	# socket bound to pasta's interface either (the nftables table).
	run probe w tcp 127.0.0.1 "$loop_port"
	assert_status 1
	host_listener tcp 198.18.43.1
	run probe w tcp 198.18.43.1 "$LISTEN"
	assert_status 1
	run probe w tcp 198.18.43.2 8090
	assert_status 1
	run probe w tcp-dev jsnet0 198.18.43.1 "$LISTEN"
	assert_status 1
	# The jail's routes are the tunnel's and the host route to the server.
	run jailsup run w -- ip -4 route show
	assert_status 0
	[[ $output != *default* && $output != *jsnet0*198.18.43.0* ]] || fail "routes: $output"
	[ "$(state_get w status)" = running ] || fail "status $(state_get w status)"
	# wireguard-go runs under its own name, in its own mount namespace.
	local wg
	wg=$(helper_pid w wireguard) || fail "no wireguard.pid"
	_comm_is "$wg" wireguard-go || fail "wireguard.pid names $(cat "/proc/$wg/comm")"
	[ "$(readlink "/proc/$wg/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] ||
		fail "wireguard-go shares the host's mount namespace"
	grep -q '^CapEff:.*00001000$' "/proc/$wg/status" ||
		fail "wireguard-go's capabilities: $(grep ^Cap "/proc/$wg/status")"
	! grep -q 'Running wireguard-go is not required' "$(state_dir w)/log" ||
		fail "wireguard-go's banner is in the log"
	# The jail's end ends it.
	run jailsup kill w
	assert_status 0
	wait_jail_gone w
	wait_for _not_alive "$wg"
}

# jailsup check's VPN leak test (62-vpn-leak plays every probe with
# OpenVPN) for a WireGuard jail: the same rows, all closed through the
# tunnel; then a leak opened from outside the product (a route and an
# accept rule out of pasta's interface to the host's end of the server's
# link) is OPEN, exit 1.
@test "wg: jailsup check's leak test: all closed through the tunnel; a leak opened on purpose is OPEN" {
	need_fixture
	command -v jq >/dev/null || fail "jq is not installed (scripts/packages.txt)"
	local row gw pid
	wg_jail w
	keep_running w
	run --separate-stderr jailsup check w --json
	[ "$status" -eq 0 ] || fail "status $status: $stderr$output"
	for row in "VPN leak (DNS)" "VPN leak (UDP)" "VPN leak (socket bound to jsnet0)" \
		"VPN leak (IPv6)" "VPN leak (resolver sockets)" "wireguard-go confined"; do
		[ "$(jq -r --arg c "$row" '[.checks[] | select(.channel == $c) | .result][0]' <<<"$output")" = closed ] ||
			fail "$row: $(jq -c --arg c "$row" '.checks[] | select(.channel == $c)' <<<"$output")"
	done
	[[ $(jq -r '[.checks[] | select(.channel == "VPN leak (DNS)") | .detail][0]' <<<"$output") == *"10.90.0.53:53 (resolv.conf) answered through jsvpn0"* ]] ||
		fail "DNS: $output"

	pid=$(pgrep -u "$(id -u)" -fx 'sleep 1000')
	gw=$("$BATS_TEST_DIRNAME/jail-ns-exec.py" "$pid" /usr/sbin/ip -4 route show 198.18.43.2 |
		awk '{ for (i = 1; i < NF; i++) if ($i == "via") print $(i + 1) }')
	[ -n "$gw" ] || fail "no route of pasta's to the server"
	"$BATS_TEST_DIRNAME/jail-ns-exec.py" "$pid" /usr/sbin/ip route add 198.18.43.1/32 via "$gw" dev jsnet0 onlink
	"$BATS_TEST_DIRNAME/jail-ns-exec.py" "$pid" /usr/sbin/nft insert rule inet jailsup output \
		oifname jsnet0 ip daddr 198.18.43.1 accept
	run --separate-stderr jailsup check w --json
	[ "$status" -eq 1 ] || fail "status $status: $stderr$output"
	[ "$(jq -r '[.checks[] | select(.channel == "VPN leak (UDP)") | .result][0]' <<<"$output")" = OPEN ] ||
		fail "UDP: $(jq -c '.checks[] | select(.channel == "VPN leak (UDP)")' <<<"$output")"
}

@test "wg: outside AllowedIPs nothing is routed, inside it is" {
	need_fixture
	wg_jail narrow
	sed -i 's|^AllowedIPs = .*|AllowedIPs = 10.90.0.1/32|' "$XDG_CONFIG_HOME/jailsup/profiles/narrow.conf"
	run probe narrow http 10.90.0.1 8090
	assert_status 0
	[ "$output" = wg-ok ] || fail "through the tunnel: $output"
	# 10.90.0.53 answers DNS behind the same server, but is not allowed.
	run jailsup run narrow -- python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
try:
    s.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01x\x00\x00\x01\x00\x01", ("10.90.0.53", 53))
    s.recv(512)
    print("answered")
except OSError as e:
    print("closed:", e)
    raise SystemExit(1)
'
	assert_status 1
	# A .conf as providers write them, IPv6 beside IPv4 (which the
	# server does not route): the jail starts all the same, and IPv4
	# goes through.
	wg_jail dual 'Address = fd00:90::2/128'
	sed -i 's|^AllowedIPs = .*|AllowedIPs = 0.0.0.0/0, ::/0|' "$XDG_CONFIG_HOME/jailsup/profiles/dual.conf"
	run probe dual http 10.90.0.1 8090
	assert_status 0
	[ "$output" = wg-ok ] || fail "through the tunnel: $output"
	run jailsup run dual -- ip -6 route show
	assert_status 0
	[[ $output == *"::/1 dev jsvpn0"* && $output == *"8000::/1 dev jsvpn0"* ]] ||
		fail "IPv6 routes: $output"
}

@test "wg: when wireguard-go dies the jail is offline and degraded; helpers go with the jail" {
	need_fixture
	wg_jail w
	keep_running w
	run probe w http 10.90.0.1 8090
	assert_status 0
	local wg pasta
	wg=$(helper_pid w wireguard) || fail "no wireguard.pid"
	read -r pasta _ <"$(state_dir w)/pasta.pid" || fail "no pasta.pid"
	kill -KILL "$wg"
	wait_status w degraded
	run jailsup list
	assert_output_contains degraded
	grep -q 'wireguard-go ended: the jail is offline' "$(state_dir w)/log" ||
		fail "the log does not say it: $(cat "$(state_dir w)/log")"
	run probe w tcp 10.90.0.1 8090
	assert_status 1
	run probe w tcp 198.18.43.2 51820
	assert_status 1
	host_listener tcp 198.18.43.1
	run probe w tcp 198.18.43.1 "$LISTEN"
	assert_status 1
	run probe w tcp-dev jsnet0 198.18.43.1 "$LISTEN"
	assert_status 1
	run jailsup kill w
	assert_status 0
	wait_jail_gone w
	wait_for _not_alive "$pasta"
	[ ! -e "$(state_dir w)/wireguard.pid" ] && [ ! -e "$(state_dir w)/pasta.pid" ] ||
		fail "pid files are left: $(ls "$(state_dir w)")"
}

@test "wg: a new supervisor sees a jail whose wireguard-go died as degraded; the jailer's end ends it" {
	need_fixture
	wg_jail w
	keep_running w
	local wg
	wg=$(helper_pid w wireguard) || fail "no wireguard.pid"
	kill -KILL "$(daemon_pid)"
	kill -KILL "$wg"
	wait_for _not_alive "$wg"
	run jailsup daemon
	assert_status 0
	wait_status w degraded
	run jailsup kill w
	wait_jail_gone w
	# A second jail: its jailer killed -9, wireguard-go goes with it.
	wg_jail w2
	keep_running w2
	wg=$(helper_pid w2 wireguard) || fail "no wireguard.pid"
	kill -KILL "$(state_get w2 jailer-pid)"
	wait_for _not_alive "$wg"
}

@test "wg: the private key is in no argv, environment, state file or log" {
	need_fixture
	wg_jail w
	keep_running w
	local key pid hits=
	key=$(sed -n 's/^PrivateKey = //p' "$XDG_CONFIG_HOME/jailsup/profiles/w.conf")
	[ -n "$key" ] || fail "no key in the .conf"
	# Every process of the user: wireguard-go, its tether, pasta, the
	# supervisor, the jail's.
	for pid in $(pgrep -u "$(id -u)"); do
		if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$key" ||
			tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qF "$key"; then
			hits="$hits $pid($(cat "/proc/$pid/comm"))"
		fi
	done
	[ -z "$hits" ] || fail "the key is in the argv or environment of:$hits"
	! grep -rqF "$key" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" ||
		fail "the key is in: $(grep -rlF "$key" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME")"
	# Nor in hex (wg's control protocol), anywhere jailsup writes.
	local hex
	hex=$(base64 -d <<<"$key" | od -An -tx1 | tr -d ' \n')
	! grep -rqiF "$hex" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" || fail "the key, in hex, is in a file"
}

@test "wg: a .conf that cannot work is a clear error and no jail" {
	need_fixture
	local dir=$XDG_CONFIG_HOME/jailsup/profiles
	# A name that does not resolve: refused with its line.
	wg_jail badname
	sed -i 's|^Endpoint = .*|Endpoint = no-such-host.invalid:51820|' "$dir/badname.conf"
	run --separate-stderr jailsup run badname -- true
	[ "$status" -ne 0 ] || fail "the jail started"
	[[ $stderr == *"badname.conf:"*": the Endpoint 'no-such-host.invalid' does not resolve"* ]] ||
		fail "no clear error: $stderr"
	[ "$(state_get badname status)" = failed ] || fail "status $(state_get badname status)"
	wait_for _no_wg
	# A key that is not one: refused before anything starts.
	wg_jail badkey
	sed -i 's|^PublicKey = .*|PublicKey = not-a-key|' "$dir/badkey.conf"
	assert_vpn_refused badkey "$dir/badkey.conf:" "PublicKey"
	# No peer at all.
	wg_jail nopeer
	sed -i '/^\[Peer\]/,$d' "$dir/nopeer.conf"
	assert_vpn_refused nopeer "$dir/nopeer.conf"
}

# WireGuard is silent by design: a peer that never answers is seen only
# as no handshake. The start waits for one (a short VPN timeout here),
# then fails naming the peer, with nothing left. $1: the jail, $2: its
# Endpoint as the message names it.
assert_no_handshake() {
	local name=$1 endpoint=$2 key
	key=$(cat "$JAILSUP_FIXTURE/server.pub")
	[ "$status" -ne 0 ] || fail "the jail started: $stderr$output"
	# While it waits, the CLI says for what (its progress lines come
	# first); then one line says why it failed, and the CLI's own.
	grep -Fxq "jailsup: info: jail '$name': waiting for a WireGuard handshake with peer '${key:0:8}...' at $endpoint" <<<"$stderr" ||
		fail "no progress line: $stderr"
	[ "$(grep -v "^jailsup: info: jail '$name': " <<<"$stderr")" = "jailsup[$name]: error: no handshake with peer '${key:0:8}...' at $endpoint within 3 s: is the endpoint reachable, and does the server know this .conf's key?
jailsup: error: jail '$name' did not start" ] || fail "not the one clear error: $stderr"
	[[ $stderr != *"$(sed -n 's/^PrivateKey = //p' "$XDG_CONFIG_HOME/jailsup/profiles/$name.conf")"* ]] ||
		fail "the private key is shown: $stderr"
	assert_start_left_nothing "$name"
}

@test "wg: a server that is down: no handshake, the start fails naming the peer and endpoint, nothing left" {
	need_fixture
	# Read by the supervisor this test starts; above the CLI's 2 s of
	# quiet before it shows a start's progress.
	export JAILSUP_VPN_TIMEOUT=3
	# The server's namespace answers, but no WireGuard listens on this
	# port: what a stopped wireguard-go leaves (its packets get an ICMP
	# port unreachable, which wireguard-go ignores).
	wg_jail down
	sed -i 's|^Endpoint = .*|Endpoint = 198.18.43.2:51821|' "$XDG_CONFIG_HOME/jailsup/profiles/down.conf"
	run --separate-stderr jailsup run down -- true
	assert_no_handshake down 198.18.43.2:51821
}

@test "wg: a server that does not know our key: no handshake, the same clear error, nothing left" {
	need_fixture
	export JAILSUP_VPN_TIMEOUT=3
	wg_jail stranger
	sed -i "s|^PrivateKey = .*|PrivateKey = $(wg genkey)|" "$XDG_CONFIG_HOME/jailsup/profiles/stranger.conf"
	run --separate-stderr jailsup run stranger -- true
	assert_no_handshake stranger 198.18.43.2:51820
	# The same jail with the key the server knows starts.
	wg_jail stranger
	run probe stranger http 10.90.0.1 8090
	assert_status 0
	[ "$output" = wg-ok ] || fail "through the tunnel: $output"
}

@test "wg: the start waits for the handshake: the first app sees its answer, and reaches the service" {
	need_fixture
	# No PersistentKeepalive: nothing but the start itself makes
	# wireguard-go send a packet before the app does.
	wg_jail first
	sed -i '/^PersistentKeepalive/d' "$XDG_CONFIG_HOME/jailsup/profiles/first.conf"
	! grep -qi keepalive "$XDG_CONFIG_HOME/jailsup/profiles/first.conf" || fail "a keepalive is left"
	# The jail's first command, the first of the supervisor too: the UDP
	# datagrams its network namespace took in so far are the server's
	# answers to wireguard-go (nothing else there listens on UDP yet).
	run jailsup run first -- awk '/^Udp:/ && !seen { for (i = 1; i <= NF; i++) k[i] = $i; seen = 1; next }
		/^Udp:/ { for (i = 1; i <= NF; i++) if (k[i] == "InDatagrams") print $i }' /proc/net/snmp
	assert_status 0
	[[ $output =~ ^[0-9]+$ ]] || fail "no UDP counter: $output"
	[ "$output" -ge 1 ] || fail "the jail ran before the server answered (UDP InDatagrams $output)"
	run probe first http 10.90.0.1 8090
	assert_status 0
	[ "$output" = wg-ok ] || fail "through the tunnel: $output"
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
